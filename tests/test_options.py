"""Options spelled once: one typed definition every entry point takes."""

from __future__ import annotations

import unittest
from typing import Any

import attrs
import pytest

import sagemaker_stub
from sagemaker_stub import (
    NoResultError,
    SageMakerRuntimeMock,
    SageMakerRuntimeStub,
    Source,
    mock,
    serve,
)
from sagemaker_stub._fixtures import FIXTURE_KEYWORDS, FixtureKeywords
from sagemaker_stub._options import (
    SERVE_OPTIONS,
    STUB_OPTIONS,
    Options,
    ServeOptions,
    StubOptions,
)
from tests.conftest import new_client

#: The order messages list the stub's options in.
LISTED = (
    "moto_compatible, allow_defaults, account_id, keep_bodies, validate, retries, "
    "sleep_between_retries, session_ttl_seconds, cassette"
)


def test_the_typed_definition_and_the_options_agree() -> None:
    """A new option is a key of StubOptions and a field of Options, or a test fails."""
    fields = {field.name for field in attrs.fields(Options)} - {"caller"}
    assert set(StubOptions.__annotations__) == fields == set(STUB_OPTIONS)
    assert set(ServeOptions.__annotations__) == set(SERVE_OPTIONS)
    assert set(SERVE_OPTIONS) == fields - {"retries", "sleep_between_retries"}
    assert set(FixtureKeywords.__annotations__) == set(FIXTURE_KEYWORDS)
    assert set(FIXTURE_KEYWORDS) - fields == {
        "check_pending",
        "every_client",
        "s3",
        "buckets",
        "control_plane",
        "region_name",
        "config",
    }


def test_every_entry_point_refuses_a_keyword_it_does_not_take(client: Any) -> None:
    """Each names itself, the keyword, and what it takes."""
    with pytest.raises(TypeError) as stub_error:
        SageMakerRuntimeStub(client, allow_default=True)  # type: ignore[call-arg]
    assert str(stub_error.value) == (
        "SageMakerRuntimeStub() got an unexpected keyword argument "
        f"'allow_default'; it takes {LISTED}."
    )
    with pytest.raises(TypeError) as mock_error:
        mock(keep_body=True)  # type: ignore[call-overload]
    assert str(mock_error.value) == (
        f"mock() got an unexpected keyword argument 'keep_body'; it takes {LISTED}."
    )
    with pytest.raises(TypeError) as serve_error:
        serve(retries=True)  # type: ignore[call-arg]
    assert str(serve_error.value) == (
        "serve() got an unexpected keyword argument 'retries'; it takes "
        "moto_compatible, allow_defaults, account_id, keep_bodies, validate, "
        "session_ttl_seconds, cassette."
    )
    errors: list[str] = []

    class AppTest(unittest.TestCase):
        def test_app(self) -> None:
            try:
                sagemaker_stub.start_stub(self, check_pendng=False)  # type: ignore[call-arg]
            except TypeError as error:
                errors.append(str(error))

    assert (
        unittest.TextTestRunner(stream=_Null()).run(AppTest("test_app")).wasSuccessful()
    )
    assert errors == [
        (
            "start_stub() got an unexpected keyword argument 'check_pendng'; it "
            "takes check_pending, every_client, s3, buckets, control_plane, "
            "region_name, config, "
            f"{LISTED}."
        )
    ]


class _Null:
    """A stream that keeps nothing, for unittest's runner."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        """Nothing to flush."""


@pytest.mark.parametrize("facade", [SageMakerRuntimeStub, SageMakerRuntimeMock])
def test_forwarded_members_keep_their_signature_and_docs(facade: Any) -> None:
    """What a facade offers from its parts reads as its own in help() and Sphinx."""
    assert facade.queue.__doc__.startswith("Queue results for ``invoke_endpoint``")
    assert facade.queue.__wrapped__.__qualname__ == "Control.queue"
    assert facade.calls.__doc__.startswith("Every call answered, in order")
    assert facade.attach_s3.__doc__.startswith("Serve async outputs (and inputs)")


def test_forwarded_properties_are_read_only(client: Any) -> None:
    """``calls`` and ``sessions`` are read through to the control, never set."""
    stub = SageMakerRuntimeStub(client)
    assert stub.calls == []
    assert stub.sessions == []
    with pytest.raises(AttributeError) as info:
        stub.calls = []  # type: ignore[assignment]
    assert str(info.value) == (
        "property 'calls' of 'SageMakerRuntimeStub' object has no setter"
    )


# -- one safe default ------------------------------------------------------------


def test_every_entry_point_fails_closed_by_default(client: Any) -> None:
    """An unqueued call raises NoResultError from the stub, mock() and serve()
    alike (the fixtures and start_stub: tests/test_plugin.py, test_unittest_helper)."""
    with SageMakerRuntimeStub(client), pytest.raises(NoResultError):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    with mock(), pytest.raises(NoResultError):
        new_client().invoke_endpoint(EndpointName="e", Body=b"x")
    assert not serve().allow_defaults
    assert Options().allow_defaults is False
    assert Options().validate is True


def test_moto_compatible_is_the_one_switch_to_moto_behaviour(client: Any) -> None:
    """It answers unqueued calls with moto's defaults and validates nothing;
    each of the two can still be given on its own."""
    with SageMakerRuntimeStub(client, moto_compatible=True) as stub:
        body = client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read()
        client.invoke_endpoint_async(EndpointName="e", InputLocation="qwer")
    assert body == b"body"
    assert [call.source for call in stub.calls] == [Source.DEFAULT, Source.DEFAULT]
    assert (stub.allow_defaults, stub.validate) == (True, False)
    chosen = Options(moto_compatible=True, allow_defaults=False, validate=True)
    assert (chosen.allow_defaults, chosen.validate) == (False, True)
    with mock(moto_compatible=True) as everywhere:
        assert (
            new_client().invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read()
            == b"body"
        )
    assert everywhere.moto_compatible
    with pytest.raises(TypeError) as info:
        Options(moto_compatible="yes")  # type: ignore[arg-type]
    assert str(info.value) == (
        "SageMakerRuntimeStub(moto_compatible=...) must be True or False; "
        "got 'yes' (str)."
    )
