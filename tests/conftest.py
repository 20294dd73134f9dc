"""Shared fixtures: no credentials, no network, a fresh client per test."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from sagemaker_stub import SageMakerRuntimeStub

_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)

# Remove every credential source for the whole session, before any client is
# made: the suite must pass with no AWS credentials and no network.
for _name in _CREDENTIAL_VARIABLES:
    os.environ.pop(_name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull


#: The async-client tests run where aiobotocore is installed: it pins its own
#: botocore, so it has environments of its own (make tests-aio).
collect_ignore = [] if importlib.util.find_spec("aiobotocore") else ["aio"]
#: Other projects' test files, run unchanged by tests of ours, not collected.
collect_ignore.append("third_party")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare pytest-asyncio's setting (pyproject.toml) where it is not installed."""
    if importlib.util.find_spec("pytest_asyncio") is None:
        parser.addini(
            "asyncio_default_fixture_loop_scope",
            "read by pytest-asyncio, in the async-client environments",
        )


#: pytest-asyncio's setting, for the pytest sessions tests start (pytester),
#: which read no pyproject.toml: unset, pytest-asyncio warns at start-up.
_ASYNCIO_INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """pytester, its sessions configured for pytest-asyncio where installed."""
    if importlib.util.find_spec("pytest_asyncio") is not None:
        pytester.makeini(_ASYNCIO_INI)
    return pytester


#: One session for the suite: making a session costs far more than a client,
#: and every client gets its own copy of the session's event handlers.
_SESSION: Any = boto3.session.Session()


def new_client(
    service: str = "sagemaker-runtime", region: str = "us-east-1", **options: Any
) -> Any:
    """A fresh client; its event handlers are its own, so none leak between tests.

    ``options`` are ``Session.client``'s (``config``, ``endpoint_url``,
    credentials): a client of its own needs no session of its own.
    """
    return _SESSION.client(service, region_name=region, **options)


def refused(client: Any, call: Any, **params: Any) -> str:
    """Make the call, expect the service's ValidationError (HTTP 400).

    Returns the error's message.
    """
    with pytest.raises(client.exceptions.ValidationError) as info:
        call(**params)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message: str = error["Message"]
    return message


@pytest.fixture
def client() -> Any:
    """A fresh sagemaker-runtime client in us-east-1."""
    return new_client()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "answer_defaults: the stub fixture answers a call with nothing queued "
        "with moto's default body (allow_defaults=True), for tests of what "
        "does not depend on the result",
    )
    config.addinivalue_line(
        "markers",
        "unmeasured_subprocesses: the processes the test starts run without "
        "coverage, whose start-up and tracing double their cost; for tests whose "
        "code paths other tests measure",
    )


@pytest.fixture(autouse=True)
def _unmeasured_subprocesses(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``make test``, coverage measures every Python process a test
    starts (``patch = ["subprocess"]`` passes this variable on to them)."""
    if request.node.get_closest_marker("unmeasured_subprocesses") is not None:
        monkeypatch.delenv("COVERAGE_PROCESS_CONFIG", raising=False)


@pytest.fixture
def stub(client: Any, request: pytest.FixtureRequest) -> Iterator[SageMakerRuntimeStub]:
    """An active stub on ``client``; unused results fail the test."""
    defaults = request.node.get_closest_marker("answer_defaults") is not None
    stub = SageMakerRuntimeStub(client, allow_defaults=defaults)
    stub.activate()
    yield stub
    stub.deactivate()
