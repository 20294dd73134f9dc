"""The same scenarios through moto's mock_aws and through the stub.

Each scenario drives a ``Backend`` and returns what a user could observe;
the test runs it on both and asserts the observations are identical.
Locations are random in both, so they are compared by pattern of reuse:
each distinct location becomes the index of its first appearance.

Known, documented departures are kept out of the comparison by the scenario
design: moto remembers invoke_endpoint results in one memory for all
endpoints (the stub keeps one per endpoint, as moto's docs intend), so
generated request bodies name their endpoint and never collide across
endpoints; and every generated result sets ContentType, which moto would
return as None when omitted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

import boto3
import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sagemaker_stub import OutputNotFoundError, SageMakerRuntimeStub
from tests.conftest import new_client

MOTO_API = "http://motoapi.amazonaws.com/moto-api/static/sagemaker"

Observation = tuple[object, ...]


class Backend(Protocol):
    """What a scenario may do."""

    def queue(self, payload: dict[str, Any]) -> None: ...
    def queue_async(self, payload: dict[str, Any]) -> None: ...
    def invoke(self, **params: Any) -> Observation: ...
    def invoke_async(self, **params: Any) -> Observation: ...


class _Base:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.locations: dict[str, int] = {}

    def invoke(self, **params: Any) -> Observation:
        response = self.client.invoke_endpoint(**params)
        return (
            response["Body"].read(),
            response.get("ContentType"),
            response.get("InvokedProductionVariant"),
            response.get("CustomAttributes"),
        )

    def invoke_async(self, **params: Any) -> Observation:
        response = self.client.invoke_endpoint_async(**params)
        output, failure = response["OutputLocation"], response["FailureLocation"]
        return (
            self.locations.setdefault(output, len(self.locations)),
            self.locations.setdefault(failure, len(self.locations)),
            self.read(output),
            self.read(failure),
            response["InferenceId"] if "InferenceId" in params else None,
        )

    def read(self, location: str) -> bytes | None:
        raise NotImplementedError


#: One session for every scenario (a session costs ~0.1 s to make), made after
#: moto is imported so that its clients carry moto's before-send handler.
_MOTO_SESSION = boto3.session.Session()


class MotoBackend(_Base):
    """moto's mock_aws, configured through its /moto-api endpoints."""

    def __init__(self, region: str) -> None:
        super().__init__(_MOTO_SESSION.client("sagemaker-runtime", region_name=region))
        self.s3 = _MOTO_SESSION.client("s3", region_name=region)

    def queue(self, payload: dict[str, Any]) -> None:
        requests.post(f"{MOTO_API}/endpoint-results", json=payload, timeout=5)

    def queue_async(self, payload: dict[str, Any]) -> None:
        requests.post(f"{MOTO_API}/async-endpoint-results", json=payload, timeout=5)

    def read(self, location: str) -> bytes | None:
        bucket, key = location.removeprefix("s3://").split("/", 1)
        try:
            data: bytes = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return data


class StubBackend(_Base):
    """The stub, configured with the same payloads."""

    def __init__(self, stub: SageMakerRuntimeStub) -> None:
        super().__init__(stub.client)
        self.stub = stub

    def queue(self, payload: dict[str, Any]) -> None:
        self.stub.load_moto_results(payload)

    def queue_async(self, payload: dict[str, Any]) -> None:
        self.stub.load_moto_async_results(payload)

    def read(self, location: str) -> bytes | None:
        try:
            return self.stub.read_output(location)
        except OutputNotFoundError:
            return None


Scenario = Callable[[Backend], list[Observation]]


def run_moto(scenario: Scenario, region: str = "us-east-1") -> list[Observation]:
    """Run ``scenario`` against a fresh moto."""
    with mock_aws():
        return scenario(MotoBackend(region))


def run_stub(scenario: Scenario, region: str = "us-east-1") -> list[Observation]:
    """Run ``scenario`` against a fresh stub."""
    # Keys of its own: under the environment's (fake) keys, the shared session
    # would resolve and keep them for every later client of the suite.
    client = new_client(
        region=region, aws_access_key_id="stub", aws_secret_access_key="stub"
    )
    # moto answers unqueued calls with its defaults and validates nothing (its
    # documented examples send InputLocation "qwer", which the service, and
    # the stub by default, refuses): the one switch for suites from moto.
    stub = SageMakerRuntimeStub(client, moto_compatible=True)
    with stub:
        observed = scenario(StubBackend(stub))
        stub.deactivate(report_unused=False)
    return observed


@pytest.fixture(autouse=True)
def _moto_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto signs requests, so it needs (fake) credentials; the stub never does."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


# -- moto's documented examples and its own test scenarios --------------------


def docs_invoke_endpoint(backend: Backend) -> list[Observation]:
    """The example in moto's invoke_endpoint docstring."""
    backend.queue(
        {
            "account_id": "123456789012",
            "region": "us-east-1",
            "results": [
                {
                    "Body": "first body",
                    "ContentType": "text/xml",
                    "InvokedProductionVariant": "prod",
                    "CustomAttributes": "my_attr",
                },
            ],
        }
    )
    return [backend.invoke(EndpointName="asdf", Body="qwer")]


def docs_invoke_endpoint_async(backend: Backend) -> list[Observation]:
    """The example in moto's invoke_endpoint_async docstring, both results used."""
    backend.queue_async(
        {
            "account_id": "123456789012",
            "region": "us-east-1",
            "results": [
                {"data": json.dumps({"first": "output"})},
                {"is_failure": True, "data": "second inference failed"},
            ],
        }
    )
    return [
        backend.invoke_async(EndpointName="asdf", InputLocation="qwer"),
        backend.invoke_async(EndpointName="asdf", InputLocation="other"),
    ]


def defaults(backend: Backend) -> list[Observation]:
    """Nothing queued: the static defaults, sync and async."""
    return [
        backend.invoke(
            EndpointName="asdf", Body="qwer", Accept="sth", TargetModel="tm"
        ),
        backend.invoke_async(EndpointName="asdf", InputLocation="qwer"),
    ]


def sync_queue_and_memory(backend: Backend) -> list[Observation]:
    """First result, same input same output, different input next result."""
    backend.queue(
        {
            "results": [
                {
                    "Body": "first body",
                    "ContentType": "text/xml",
                    "InvokedProductionVariant": "prod",
                    "CustomAttributes": "my_attr",
                },
                {"Body": "second body", "ContentType": "text/plain"},
            ]
        }
    )
    return [
        backend.invoke(EndpointName="asdf", Body="qwer"),
        backend.invoke(EndpointName="asdf", Body="qwer"),
        backend.invoke(
            EndpointName="asdf", Body="qwer", Accept="sth", TargetModel="tm"
        ),
    ]


def sync_body_without_content_type(backend: Backend) -> list[Observation]:
    """moto's own test queues a result with only a Body; the bodies agree."""
    backend.queue({"results": [{"Body": "first"}, {"Body": "second body"}]})
    return [
        backend.invoke(EndpointName="asdf", Body="qwer")[:1],
        backend.invoke(EndpointName="asdf", Body="qwer", Accept="sth")[:1],
    ]


def async_queue_and_memory(backend: Backend) -> list[Observation]:
    """Async: same InputLocation same locations; InferenceId echoed; failure."""
    backend.queue_async(
        {
            "results": [
                {"data": json.dumps({"first": "output"})},
                {"is_failure": True, "data": "second failure"},
            ]
        }
    )
    return [
        backend.invoke_async(EndpointName="asdf", InputLocation="qwer"),
        backend.invoke_async(EndpointName="asdf", InputLocation="qwer"),
        backend.invoke_async(
            EndpointName="asdf", InputLocation="asf", InferenceId="sth"
        ),
    ]


def async_reads_sync_queue(backend: Backend) -> list[Observation]:
    """Async with only sync results queued uses them, as moto's JSON."""
    backend.queue(
        {"results": [{"Body": "support sync queue for backward compatibility"}]}
    )
    return [
        backend.invoke_async(EndpointName="asdf", InputLocation="qwer"),
        backend.invoke_async(EndpointName="asdf", InputLocation="qwer"),
    ]


SCENARIOS = [
    docs_invoke_endpoint,
    docs_invoke_endpoint_async,
    defaults,
    sync_queue_and_memory,
    sync_body_without_content_type,
    async_queue_and_memory,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_scenario_matches_moto(scenario: Scenario) -> None:
    """moto and the stub give identical observations."""
    assert run_stub(scenario) == run_moto(scenario)


def test_async_reads_sync_queue_matches_moto_except_content_type() -> None:
    """moto writes ContentType null for an unset content type; the stub a type."""
    moto, stub = run_moto(async_reads_sync_queue), run_stub(async_reads_sync_queue)
    moto_doc = json.loads(moto[0][2])  # type: ignore[arg-type]
    stub_doc = json.loads(stub[0][2])  # type: ignore[arg-type]
    assert moto_doc.pop("ContentType") is None
    assert stub_doc.pop("ContentType") == "application/octet-stream"
    assert stub_doc == moto_doc
    assert [row[:2] for row in stub] == [row[:2] for row in moto]


def test_defaults_match_in_another_region() -> None:
    """moto's default-results test runs in ap-southeast-1."""
    assert run_stub(defaults, "ap-southeast-1") == run_moto(defaults, "ap-southeast-1")


# -- generated sequences -------------------------------------------------------

ENDPOINTS = ("alpha", "beta")
sync_results = st.lists(
    st.fixed_dictionaries(
        {
            "Body": st.sampled_from(["r1", "r2", '{"a": 1}', "ünï"]),
            "ContentType": st.sampled_from(["text/plain", "application/json"]),
        },
        optional={
            "InvokedProductionVariant": st.sampled_from(["AllTraffic", "v2"]),
            "CustomAttributes": st.sampled_from(["x", "y"]),
        },
    ),
    min_size=1,
    max_size=3,
)
async_results = st.lists(
    st.fixed_dictionaries(
        {"data": st.sampled_from(["d1", '{"k": 2}', "ö"])},
        optional={"is_failure": st.booleans()},
    ),
    min_size=1,
    max_size=3,
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("queue"), sync_results),
        st.tuples(st.just("queue_async"), async_results),
        st.tuples(
            st.just("invoke"),
            st.sampled_from(ENDPOINTS),
            st.integers(0, 2),
            st.sampled_from([None, "application/json"]),
            st.sampled_from([None, "c"]),
        ),
        st.tuples(
            st.just("invoke_async"),
            st.sampled_from(ENDPOINTS),
            st.sampled_from(["s3://in/0", "s3://in/1", "s3://in/2"]),
        ),
    ),
    max_size=12,
)


def replay(sequence: list[tuple[Any, ...]]) -> Scenario:
    """A scenario that plays a generated sequence of steps."""

    def scenario(backend: Backend) -> list[Observation]:
        observed: list[Observation] = []
        for step in sequence:
            if step[0] == "queue":
                backend.queue({"results": step[1]})
            elif step[0] == "queue_async":
                backend.queue_async({"results": step[1]})
            elif step[0] == "invoke":
                _, endpoint, n, accept, custom = step
                params: dict[str, Any] = {
                    "EndpointName": endpoint,
                    "Body": f"{endpoint}-{n}",
                }
                if accept is not None:
                    params["Accept"] = accept
                if custom is not None:
                    params["CustomAttributes"] = custom
                observed.append(backend.invoke(**params))
            else:
                _, endpoint, location = step
                observed.append(
                    backend.invoke_async(EndpointName=endpoint, InputLocation=location)
                )
        return observed

    return scenario


R1 = {"Body": "r1", "ContentType": "text/plain"}
R2 = {"Body": "r2", "ContentType": "application/json", "CustomAttributes": "x"}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=steps)
@example(  # async falls back to the sync queue
    sequence=[("queue", [R1]), ("invoke_async", "alpha", "s3://in/0")]
)
@example(  # a repeat keeps its result after more results are queued
    sequence=[
        ("queue", [R1]),
        ("invoke", "alpha", 0, None, None),
        ("queue", [R2]),
        ("invoke", "alpha", 0, None, None),
        ("invoke", "alpha", 1, None, None),
    ]
)
@example(  # async memory is per endpoint; failures land at FailureLocation
    sequence=[
        ("queue_async", [{"data": "d1", "is_failure": True}, {"data": "d2"}]),
        ("invoke_async", "alpha", "s3://in/0"),
        ("invoke_async", "beta", "s3://in/0"),
        ("invoke_async", "alpha", "s3://in/0"),
    ]
)
@example(  # Accept and X-Amzn-SageMaker-* headers are part of the identity
    sequence=[
        ("queue", [R1, R2, R1]),
        ("invoke", "alpha", 0, "application/json", None),
        ("invoke", "alpha", 0, None, None),
        ("invoke", "alpha", 0, None, "c"),
        ("invoke", "alpha", 0, "application/json", None),
    ]
)
def test_generated_sequences_match_moto(sequence: list[tuple[Any, ...]]) -> None:
    """Random queue/invoke/invoke_async sequences over small pools agree."""
    scenario = replay(sequence)
    assert run_stub(scenario) == run_moto(scenario)
