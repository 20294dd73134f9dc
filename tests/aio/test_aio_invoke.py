"""The sync stub's semantics, on an aiobotocore client: every call awaited."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import botocore.session
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.response import StreamingBody
from aiobotocore.stub import AioStubber
from botocore.exceptions import ClientError

from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    NoResultError,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
    StubActivationError,
    UnusedResultsWarning,
)
from sagemaker_stub._doors.aiobotocore import new_aio_client

from .conftest import body_of, parts_of

pytestmark = pytest.mark.anyio


async def test_the_body_is_aiobotocores_and_must_be_awaited(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The answer is aiobotocore's own StreamingBody, with the service's headers."""
    stub.queue(InvokeResult.json({"score": 0.9}, custom_attributes="a=1"))
    response = await client.invoke_endpoint(EndpointName="e", Body=b"{}")
    assert isinstance(response["Body"], StreamingBody)
    assert json.loads(await body_of(response)) == {"score": 0.9}
    assert response["ContentType"] == "application/json"
    assert response["CustomAttributes"] == "a=1"
    assert response["InvokedProductionVariant"] == "AllTraffic"
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]


async def test_moto_reuse_rules(client: Any, stub: SageMakerRuntimeStub) -> None:
    """The same request is answered again; a new one takes the next result."""
    stub.queue(InvokeResult(body=b"first"), InvokeResult(body=b"second"))
    same = {"EndpointName": "e", "Body": b"1"}
    assert await body_of(await client.invoke_endpoint(**same)) == b"first"
    assert await body_of(await client.invoke_endpoint(**same)) == b"first"
    other = await client.invoke_endpoint(EndpointName="e", Body=b"2")
    assert await body_of(other) == b"second"
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.REMEMBERED,
        Source.QUEUED,
    ]


async def test_endpoint_queues_come_before_the_shared_one(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue(InvokeResult(body=b"shared"))
    stub.queue(InvokeResult(body=b"mine"), endpoint_name="scorer")
    scored = await client.invoke_endpoint(EndpointName="scorer", Body=b"1")
    other = await client.invoke_endpoint(EndpointName="other", Body=b"1")
    assert await body_of(scored) == b"mine"
    assert await body_of(other) == b"shared"


async def test_async_and_stream_calls_fall_back_to_the_sync_queue(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """moto's fallbacks: async stores the sync result as JSON, streams send it."""
    stub.queue(InvokeResult(body=b"for the stream"), InvokeResult(body=b"for async"))
    streamed = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=b"1"
    )
    assert await parts_of(streamed) == [b"for the stream"]
    response = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/1.json"
    )
    stored = json.loads(stub.read_output(response["OutputLocation"]))
    assert stored["Body"] == "for async"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202


async def test_nothing_queued_raises_or_answers_the_default(client: Any) -> None:
    async with SageMakerRuntimeStub(client) as strict:
        with pytest.raises(
            NoResultError,
            match="No result is queued for InvokeEndpoint on endpoint 'e'",
        ):
            await client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert strict.calls[0].source is Source.UNANSWERED
    async with SageMakerRuntimeStub(client, moto_compatible=True) as lenient:
        response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert await body_of(response) == b"body"
        assert lenient.calls[0].source is Source.DEFAULT


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (ErrorResult.model_error(422, "bad input"), "ModelError", 424),
        (ErrorResult.validation_error("no such thing"), "ValidationError", 400),
        (ErrorResult.throttling(), "ThrottlingException", 400),
        (ErrorResult.service_unavailable(), "ServiceUnavailable", 503),
        (ErrorResult.internal_failure(), "InternalFailure", 500),
        (ErrorResult.model_not_ready(), "ModelNotReadyException", 429),
    ],
)
async def test_modeled_errors_raise_their_classes(
    client: Any, stub: SageMakerRuntimeStub, error: ErrorResult, code: str, status: int
) -> None:
    stub.queue(error)
    with pytest.raises(ClientError) as info:
        await client.invoke_endpoint(EndpointName="e", Body=b"1")
    modeled = getattr(client.exceptions, code, ClientError)  # throttling is not
    assert isinstance(info.value, modeled)
    assert info.value.response["Error"]["Code"] == code
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


async def test_model_error_fields(client: Any, stub: SageMakerRuntimeStub) -> None:
    stub.queue(ErrorResult.model_error(422, "bad input"))
    with pytest.raises(client.exceptions.ModelError) as info:
        await client.invoke_endpoint(EndpointName="scorer", Body=b"1")
    response = info.value.response
    assert response["OriginalStatusCode"] == 422
    assert response["OriginalMessage"] == "bad input"
    assert response["LogStreamArn"].endswith(
        ":log-group:/aws/sagemaker/Endpoints/scorer"
    )


async def test_the_call_history(client: Any) -> None:
    async with SageMakerRuntimeStub(client, keep_bodies=True) as stub:
        stub.queue(InvokeResult(body=b"ok"))
        await client.invoke_endpoint(
            EndpointName="e", Body=b"hello", ContentType="text/plain"
        )
    (call,) = stub.calls
    assert call.operation == "InvokeEndpoint"
    assert call.endpoint_name == "e"
    assert call.params["ContentType"] == "text/plain"
    assert call.body == b"hello"
    assert call.body_size == 5
    assert call.attempt == 1


async def test_unused_results_are_reported_at_exit(client: Any) -> None:
    with pytest.warns(UnusedResultsWarning, match="1 queued result was never used"):
        async with SageMakerRuntimeStub(client) as stub:
            stub.queue(InvokeResult(body=b"never used"))
    assert not stub.active


async def test_with_works_as_async_with(client: Any) -> None:
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(InvokeResult(body=b"ok"))
        assert (
            await body_of(await client.invoke_endpoint(EndpointName="e", Body=b"1"))
            == b"ok"
        )
    assert not stub.active


async def test_the_endpoint_registry(client: Any, stub: SageMakerRuntimeStub) -> None:
    stub.add_endpoint("scorer", variants=["blue", "green"])
    with pytest.raises(
        client.exceptions.ValidationError, match="Endpoint other of account"
    ):
        await client.invoke_endpoint(EndpointName="other", Body=b"1")
    stub.queue(InvokeResult(body=b"ok"))
    response = await client.invoke_endpoint(
        EndpointName="scorer", Body=b"1", TargetVariant="green"
    )
    assert response["InvokedProductionVariant"] == "green"
    await body_of(response)


async def test_validation(client: Any, stub: SageMakerRuntimeStub) -> None:
    """What the service refuses but aiobotocore lets through is refused here too."""
    with pytest.raises(client.exceptions.ValidationError, match="at 'endpointName'"):
        await client.invoke_endpoint(EndpointName="bad name!", Body=b"1")
    with pytest.raises(
        client.exceptions.ValidationError, match="at 'customAttributes'"
    ):
        await client.invoke_endpoint(
            EndpointName="e", Body=b"1", CustomAttributes="x" * 1025
        )


def _has_session_ids() -> bool:
    model = botocore.session.get_session().get_service_model("sagemaker-runtime")
    shape = model.operation_model("InvokeEndpoint").input_shape
    return shape is not None and "SessionId" in shape.members


@pytest.mark.skipif(not _has_session_ids(), reason="this botocore has no SessionId")
async def test_sessions(client: Any, stub: SageMakerRuntimeStub) -> None:
    stub.queue(InvokeResult(body=b"opened"), InvokeResult(body=b"in session"))
    opened = await client.invoke_endpoint(
        EndpointName="chat", Body=b"hi", SessionId="NEW_SESSION"
    )
    session_id = opened["NewSessionId"].split(";")[0]
    assert re.fullmatch(r"[0-9a-f-]{36}", session_id) or session_id
    assert await body_of(opened) == b"opened"
    inside = await client.invoke_endpoint(
        EndpointName="chat", Body=b"again", SessionId=session_id
    )
    assert await body_of(inside) == b"in session"
    assert [session.session_id for session in stub.sessions] == [session_id]
    assert stub.calls[1].session_id == session_id


async def test_stubber_expectations_are_served_first(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The stub is a Stubber: add_response works on the async client too."""
    stub.add_response(
        "invoke_endpoint",
        {"Body": b"from the stubber", "ContentType": "text/plain"},
        {"EndpointName": "e", "Body": b"1"},
    )
    response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
    assert response["Body"] == b"from the stubber"
    assert stub.calls[0].source is Source.STUBBER


async def test_an_active_aio_stubber_is_refused(client: Any) -> None:
    stub = SageMakerRuntimeStub(client)
    with (
        AioStubber(client),
        pytest.raises(StubActivationError, match="Stubber is already active"),
    ):
        stub.activate()


async def test_queued_async_results_and_read_output(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue_async(AsyncResult.success({"x": 1}), AsyncResult.failure("crashed"))
    good = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/1"
    )
    bad = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/2"
    )
    assert json.loads(stub.read_output(good["OutputLocation"])) == {"x": 1}
    assert stub.read_output(bad["FailureLocation"]) == b"crashed"
    assert good["InferenceId"] != bad["InferenceId"]


async def test_streams_pass_their_parts(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue_stream(StreamResult.text(["Hel", "lo"]))
    response = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=b"1"
    )
    assert await parts_of(response) == [b"Hel", b"lo"]
    progress = stub.calls[0].stream
    assert progress is not None
    assert progress.finished


async def test_no_warning_is_left_behind(client: Any) -> None:
    """Creating, using and closing a stubbed client warns about nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with SageMakerRuntimeStub(client) as stub:
            stub.queue(InvokeResult(body=b"ok"))
            await body_of(await client.invoke_endpoint(EndpointName="e", Body=b"1"))


async def test_moto_payloads_answer_the_async_client(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """moto's endpoint-results and async-endpoint-results JSON, served awaited."""
    stub.load_moto_results(
        {
            "results": [
                {"Body": "first body", "ContentType": "text/xml"},
                {"Body": "second body"},
            ]
        }
    )
    stub.load_moto_async_results({"results": [{"data": '{"done": true}'}]})
    first = await client.invoke_endpoint(EndpointName="e", Body=b"1")
    assert await body_of(first) == b"first body"
    assert first["ContentType"] == "text/xml"
    second = await client.invoke_endpoint(EndpointName="e", Body=b"2")
    assert await body_of(second) == b"second body"
    started = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/1"
    )
    assert json.loads(stub.read_output(started["OutputLocation"])) == {"done": True}


async def test_reset_forgets_while_the_stub_stays_active(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue(InvokeResult(body=b"before"), InvokeResult(body=b"unused"))
    await body_of(await client.invoke_endpoint(EndpointName="e", Body=b"1"))
    stub.reset()
    assert stub.calls == []
    assert stub.pending_results() == []
    stub.queue(InvokeResult(body=b"after"))
    again = await client.invoke_endpoint(EndpointName="e", Body=b"1")
    assert await body_of(again) == b"after"  # nothing remembered either


@pytest.mark.parametrize("retries", [False, True])
@pytest.mark.filterwarnings(  # aiobotocore 3.x would rather have httpx2
    "ignore:aiobotocore's httpx backend now prefers httpx2:DeprecationWarning"
)
async def test_a_client_on_the_httpx_backend(retries: bool) -> None:
    """aiobotocore's httpx session is never used: the stub answers first."""
    httpxsession = pytest.importorskip("aiobotocore.httpxsession")
    pytest.importorskip("httpx")
    config = AioConfig(http_session_cls=httpxsession.HttpxSession)
    async with (
        new_aio_client(config=config) as client,
        SageMakerRuntimeStub(client, retries=retries) as stub,
    ):
        stub.queue(InvokeResult(body=b"ok"))
        stub.queue_stream(StreamResult(parts=[b"a", b"b"]))
        response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert await body_of(response) == b"ok"
        streamed = await client.invoke_endpoint_with_response_stream(
            EndpointName="e", Body=b"1"
        )
        assert await parts_of(streamed) == [b"a", b"b"]
