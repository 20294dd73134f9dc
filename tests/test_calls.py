"""The call history's records: read-only, compared and shown as before."""

from __future__ import annotations

import weakref
from typing import Any

import pytest

from sagemaker_stub import Call, InvokeResult, SageMakerRuntimeStub, Source


def made_call(client: Any, stub: SageMakerRuntimeStub) -> Call:
    """One queued call's record."""
    stub.queue(InvokeResult(body=b"ok"))
    client.invoke_endpoint(EndpointName="e", Body=b"x", CustomAttributes="a=1")
    [call] = stub.calls
    return call


def test_a_call_reads_back_what_was_called(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Every field, from the request, the result and the client."""
    call = made_call(client, stub)
    assert call.operation == "InvokeEndpoint"
    assert call.endpoint_name == "e"
    assert call.region == "us-east-1"
    assert call.params == {"EndpointName": "e", "CustomAttributes": "a=1"}
    assert call.body_size == 1
    assert call.body_sha256 == (
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    )
    assert call.body is None
    assert call.result == InvokeResult(body=b"ok")
    assert call.source is Source.QUEUED
    assert (call.attempt, call.backoff, call.latency, call.fault) == (
        1,
        None,
        0.0,
        None,
    )
    assert call.client is client
    assert isinstance(call.client_ref, weakref.ref)


def test_a_call_is_read_only(client: Any, stub: SageMakerRuntimeStub) -> None:
    """No field can be set, as the frozen record it was before."""
    call = made_call(client, stub)
    with pytest.raises(AttributeError, match="'result'"):
        call.result = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        call.novel = 1  # type: ignore[attr-defined]


def test_calls_compare_by_their_fields_but_the_client(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Two records of one call are equal; the client that made it does not count."""
    call = made_call(client, stub)
    fields: dict[str, Any] = {
        "operation": call.operation,
        "endpoint_name": call.endpoint_name,
        "region": call.region,
        "params": call.params,
        "body_size": call.body_size,
        "body_sha256": call.body_sha256,
        "result": call.result,
        "source": call.source,
    }
    assert Call(**fields) == call  # no client, and the digest given as hex
    assert Call(**{**fields, "attempt": 2}) != call
    assert call != "a call"
    with pytest.raises(TypeError, match="unhashable type: 'dict'"):
        hash(call)  # its params are a dict, as they were
    assert hash(Call(**{**fields, "params": ()})) == hash(
        Call(**{**fields, "params": ()})
    )


def test_a_call_shows_what_it_shows_and_hides_the_rest(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The repr leaves out the parameters, the body and its digest, the client."""
    call = made_call(client, stub)
    assert repr(call) == (
        "Call(operation='InvokeEndpoint', endpoint_name='e', region='us-east-1', "
        "body_size=1, result=InvokeResult(body=b'ok', "
        "content_type='application/octet-stream', "
        "invoked_production_variant=SERVING_VARIANT, custom_attributes=None, "
        "close_session=False), source=<Source.QUEUED: 'queued'>, "
        "inference_id=None, output_location=None, failure_location=None, "
        "stream=None, attempt=1, backoff=None, latency=0.0, fault=None, "
        "session_id=None)"
    )


def test_reading_the_history_twice_gives_the_same_records(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Each call's record is made once, when the call is logged."""
    made_call(client, stub)
    first, second = stub.calls, stub.calls
    assert first is not second
    assert first[0] is second[0]
