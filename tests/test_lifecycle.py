"""Activation, deactivation, misuse, and leftovers."""

from __future__ import annotations

import gc
import inspect
import io
import re
import warnings
import weakref
from typing import Any

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

import sagemaker_stub
from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    FailNext,
    InvokeResult,
    OutputNotFoundError,
    SageMakerRuntimeStub,
    StubActivationError,
    UnusedResultsWarning,
)
from tests.conftest import new_client

EVENTS = (
    "before-parameter-build.sagemaker-runtime.InvokeEndpoint",
    "before-call.sagemaker-runtime.InvokeEndpoint",
    "before-call.sagemaker-runtime.InvokeEndpointAsync",
    "before-endpoint-resolution.sagemaker-runtime",
)


def streaming(data: bytes) -> StreamingBody:
    """A hand-written Body, as a Stubber user writes it."""
    return StreamingBody(io.BytesIO(data), len(data))


def handlers(client: Any) -> dict[str, list[object]]:
    """The handlers the client would run for the events the stub touches."""
    emitter = client.meta.events._emitter
    return {event: list(emitter._handlers.prefix_search(event)) for event in EVENTS}


def test_deactivate_restores_the_event_handlers_exactly(client: Any) -> None:
    """After deactivate() the client's handlers are exactly as before."""
    before = handlers(client)
    stub = SageMakerRuntimeStub(client)
    stub.activate()
    assert handlers(client) != before
    stub.deactivate()
    assert handlers(client) == before
    with stub:
        assert stub.active
    assert not stub.active
    assert handlers(client) == before


def test_activating_twice_is_an_error(client: Any) -> None:
    """A second activate() on the same stub says what to do."""
    with (
        SageMakerRuntimeStub(client) as stub,
        pytest.raises(StubActivationError) as info,
    ):
        stub.activate()
    assert str(info.value) == (
        "This SageMakerRuntimeStub is already active; activate() it once "
        "(a with block activates it for you)."
    )


def test_two_stubs_on_one_client_is_an_error(client: Any) -> None:
    """Only one stub may answer a client at a time; the error says where the
    other one was activated, so a forgotten one can be found."""
    line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    with SageMakerRuntimeStub(client):
        second = SageMakerRuntimeStub(client)
        with pytest.raises(StubActivationError) as info:
            second.activate()
        assert str(info.value) == (
            "Another SageMakerRuntimeStub is already active on this client "
            f"(activated at tests/test_lifecycle.py:{line}). Queue results on that "
            "stub, or deactivate() it before activating this one."
        )
    with second:
        assert second.active


def test_deactivate_is_idempotent(client: Any) -> None:
    """Deactivating an inactive stub does nothing."""
    stub = SageMakerRuntimeStub(client)
    stub.deactivate()
    with stub:
        pass
    stub.deactivate()
    assert not stub.active


def test_stubs_on_two_clients_are_independent() -> None:
    """Each client has its own stub and queues."""
    first_client, second_client = new_client(), new_client()
    with (
        SageMakerRuntimeStub(first_client) as first,
        SageMakerRuntimeStub(second_client) as second,
    ):
        first.queue(InvokeResult(body=b"one"))
        second.queue(InvokeResult(body=b"two"))
        a = first_client.invoke_endpoint(EndpointName="e", Body=b"x")
        b = second_client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert (a["Body"].read(), b["Body"].read()) == (b"one", b"two")


def test_a_client_for_another_service_is_rejected() -> None:
    """The error names the service given and how to make the right client."""
    with pytest.raises(ValueError, match=re.escape("got a client for 's3'")) as info:
        SageMakerRuntimeStub(new_client("s3"))
    assert str(info.value) == (
        "SageMakerRuntimeStub(client) needs a sagemaker-runtime client; got a "
        "client for 's3'. Create one with "
        'boto3.client("sagemaker-runtime", region_name="us-east-1").'
    )


def test_something_that_is_not_a_client_is_rejected() -> None:
    """A non-client says what it was."""
    with pytest.raises(TypeError) as info:
        SageMakerRuntimeStub("sagemaker-runtime")
    assert str(info.value) == (
        "SageMakerRuntimeStub(client) needs a boto3, botocore or aiobotocore "
        "client for sagemaker-runtime; got 'sagemaker-runtime' (str). Create one with "
        'boto3.client("sagemaker-runtime", region_name="us-east-1").'
    )


def leave_with_unused_result(client: Any) -> SageMakerRuntimeStub:
    """A with block that queues a result and never uses it."""
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(InvokeResult(body=b"never"), endpoint_name="churn")
    return stub


def test_unused_results_are_reported_when_the_stub_stops(client: Any) -> None:
    """Leaving a with block with unused results warns, listing each one."""
    with pytest.warns(UnusedResultsWarning) as record:
        stub = leave_with_unused_result(client)
    line = stub.pending_results()[0].origin
    assert str(record[0].message) == (
        "1 queued result was never used:\n"
        "  1. InvokeResult(body=b'never', content_type='application/octet-stream', "
        "invoked_production_variant=SERVING_VARIANT, custom_attributes=None, "
        "close_session=False) for "
        f"InvokeEndpoint on endpoint 'churn', queued at {line}"
    )
    assert line.startswith("tests/test_lifecycle.py:")


def fail_with_unused_result(client: Any) -> None:
    """A with block that queues a result, then fails."""
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(InvokeResult(body=b"never"))
        raise KeyError(stub)


def test_no_warning_while_an_exception_propagates(client: Any) -> None:
    """A failing test is not buried under a leftover report."""
    with pytest.raises(KeyError):
        fail_with_unused_result(client)


def test_options_are_fixed_at_construction(client: Any) -> None:
    """Every option reads back as given, and none can be changed afterwards."""
    stub = SageMakerRuntimeStub(
        client,
        allow_defaults=False,
        account_id="111122223333",
        keep_bodies=True,
        validate=False,
        retries=True,
        sleep_between_retries=True,
        session_ttl_seconds=60,
    )
    options = {
        "allow_defaults": False,
        "account_id": "111122223333",
        "keep_bodies": True,
        "validate": False,
        "retries": True,
        "sleep_between_retries": True,
        "session_ttl_seconds": 60.0,
    }
    assert {name: getattr(stub, name) for name in options} == options
    for name in options:
        # Python 3.11 names the property; 3.10 says "can't set attribute".
        with pytest.raises(AttributeError, match=f"property '{name}'|can't set"):
            setattr(stub, name, None)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"allow_defaults": "no"},
            TypeError,
            (
                "SageMakerRuntimeStub(allow_defaults=...) must be True or False; "
                "got 'no' (str)."
            ),
        ),
        (
            {"keep_bodies": 1},
            TypeError,
            "SageMakerRuntimeStub(keep_bodies=...) must be True or False; got 1 (int).",
        ),
        (
            {"account_id": "12345"},
            ValueError,
            (
                "SageMakerRuntimeStub(account_id=...) must be a 12-digit AWS "
                "account id such as '123456789012'; got '12345' (str)."
            ),
        ),
    ],
)
def test_options_are_checked_at_construction(
    client: Any, options: dict[str, Any], error: type[Exception], message: str
) -> None:
    """An option of the wrong kind is refused where the stub is built."""
    with pytest.raises(error) as info:
        SageMakerRuntimeStub(client, **options)
    assert str(info.value) == message


def test_a_forgotten_stub_does_not_keep_its_client_alive() -> None:
    """A stub activated and dropped with its client is collected, as a Stubber is."""
    client = new_client()
    SageMakerRuntimeStub(client).activate()
    alive = weakref.ref(client)
    del client
    gc.collect()
    assert alive() is None


def test_a_stub_refuses_to_start_beside_an_active_stubber(client: Any) -> None:
    """Both would answer; the stub says so instead of registering nothing."""
    stubber = Stubber(client)
    stubber.activate()
    stub = SageMakerRuntimeStub(client)
    with pytest.raises(StubActivationError) as info:
        stub.activate()
    assert str(info.value) == (
        "A botocore Stubber is already active on this client, and both would "
        "answer its calls. Deactivate the Stubber first; its add_response() and "
        "add_client_error() work on this stub too, which is a Stubber."
    )
    assert not stub.active
    stubber.deactivate()
    with stub:
        stub.queue(InvokeResult(body=b"ok"))
        response = client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert response["Body"].read() == b"ok"


def test_deactivating_leaves_a_later_stubber_in_place(client: Any) -> None:
    """A Stubber activated while the stub is active keeps its own handlers."""
    stub = SageMakerRuntimeStub(client)
    stub.activate()
    stubber = Stubber(client)
    stubber.add_response("invoke_endpoint", {"Body": streaming(b"from Stubber")})
    stubber.activate()
    stub.deactivate()
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["Body"].read() == b"from Stubber"
    stubber.assert_no_pending_responses()
    stubber.deactivate()


def test_a_quiet_stop_does_not_warn(client: Any) -> None:
    """deactivate(report_unused=False) leaves the report to the caller."""
    stub = SageMakerRuntimeStub(client)
    stub.activate()
    stub.queue(InvokeResult(body=b"unused"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stub.deactivate(report_unused=False)
    assert not stub.active
    assert [item.result for item in stub.pending_results()] == [
        InvokeResult(body=b"unused")
    ]


def test_reset_forgets_everything_and_stays_active(client: Any) -> None:
    """After reset() the stub answers as if it were new."""
    with SageMakerRuntimeStub(client, allow_defaults=False) as stub:
        stub.queue(InvokeResult(body=b"first"), InvokeResult(body=b"second"))
        stub.add_endpoint("e")
        stub.add_fault(FailNext(ErrorResult.throttling()), endpoint_name="other")
        stub.add_response("invoke_endpoint", {"Body": streaming(b"expected")})
        stub.store_input("s3://inputs/x", b"{}")
        client.invoke_endpoint(EndpointName="e", Body=b"x")
        stub.reset()
        assert stub.active
        assert stub.calls == []
        assert stub.pending_results() == []
        with pytest.raises(OutputNotFoundError):
            stub.read_output("s3://inputs/x")
        stub.queue(InvokeResult(body=b"after"))
        response = client.invoke_endpoint(EndpointName="not-declared", Body=b"x")
        assert response["Body"].read() == b"after"


def test_every_handler_passes_botocores_own_registration_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Doors register without botocore's signature check, for speed; through
    the public path, which checks that each handler takes **kwargs, every
    door of every kind still opens, answers and closes."""
    from sagemaker_stub._doors import botocore as door_internals  # noqa: PLC0415

    monkeypatch.setattr(
        door_internals,
        "_BARE",
        dict.fromkeys(("first", "middle", "last"), "_no_such_method"),
    )
    client = new_client()
    s3 = new_client("s3")
    for options in ({}, {"retries": True}):
        with SageMakerRuntimeStub(client, **options) as stub:  # type: ignore[arg-type]
            stub.attach_s3(s3)
            stub.queue(InvokeResult(body=b"bound"))
            assert (
                client.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read()
                == b"bound"
            )
    with sagemaker_stub.mock(s3=True) as everywhere:
        everywhere.queue_async(AsyncResult.success("out"))
        location = new_client().invoke_endpoint_async(
            EndpointName="e", InputLocation="s3://in/k"
        )["OutputLocation"]
        bucket, key = location[len("s3://") :].split("/", 1)
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"out"
