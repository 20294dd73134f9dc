"""invoke_endpoint_async: queues, sync fallback, locations, outputs."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from sagemaker_stub import (
    AsyncResult,
    InvokeResult,
    NoResultError,
    OutputNotFoundError,
    SageMakerRuntimeStub,
    Source,
)

LOCATION = re.compile(
    r"s3://sagemaker-output-(?P<uuid>[0-9a-f-]{36})/(?P<key>response|failure)\.json"
)


def test_success_is_written_to_the_output_location(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A success lands at OutputLocation; nothing at FailureLocation."""
    stub.queue_async(AsyncResult.success({"first": "output"}))
    response = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/1.json"
    )
    output, failure = response["OutputLocation"], response["FailureLocation"]
    out_match, fail_match = LOCATION.fullmatch(output), LOCATION.fullmatch(failure)
    assert out_match is not None
    assert fail_match is not None
    assert out_match["key"] == "response"
    assert fail_match["key"] == "failure"
    assert out_match["uuid"] == fail_match["uuid"]
    assert uuid.UUID(out_match["uuid"]).version == 4
    assert stub.read_output(output) == b'{"first": "output"}'
    with pytest.raises(OutputNotFoundError) as info:
        stub.read_output(failure)
    assert str(info.value) == (
        f"No async output is stored at {failure!r}. That inference's result was "
        f"written to its other location, {output!r}."
    )


def test_failure_is_written_to_the_failure_location(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A failure lands at FailureLocation."""
    stub.queue_async(AsyncResult.failure("second inference failed"))
    response = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/1.json"
    )
    assert stub.read_output(response["FailureLocation"]) == b"second inference failed"


@pytest.mark.answer_defaults
def test_response_is_202_with_both_locations_and_an_inference_id(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The service answers 202 (moto answers 200); InferenceId is a fresh UUID."""
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/b")
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 202
    headers = metadata["HTTPHeaders"]
    assert headers["x-amzn-sagemaker-outputlocation"] == response["OutputLocation"]
    assert headers["x-amzn-sagemaker-failurelocation"] == response["FailureLocation"]
    assert uuid.UUID(response["InferenceId"]).version == 4


@pytest.mark.answer_defaults
def test_inference_id_is_echoed_and_fresh_per_call(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A given InferenceId comes back; otherwise each call gets a new one."""
    echoed = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://a/b", InferenceId="mine"
    )
    first = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/b")
    second = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/b")
    assert echoed["InferenceId"] == "mine"
    assert first["InferenceId"] != second["InferenceId"]
    assert stub.calls[0].inference_id == "mine"


def test_same_input_location_gets_the_same_result_and_locations(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Identity is endpoint + InputLocation, not other headers."""
    stub.queue_async(AsyncResult.success("one"), AsyncResult.success("two"))
    first = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
    again = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://a/1", CustomAttributes="other"
    )
    other = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/2")
    assert again["OutputLocation"] == first["OutputLocation"]
    assert again["FailureLocation"] == first["FailureLocation"]
    assert stub.read_output(first["OutputLocation"]) == b"one"
    assert stub.read_output(other["OutputLocation"]) == b"two"
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.REMEMBERED,
        Source.QUEUED,
    ]
    assert stub.calls[1].output_location == first["OutputLocation"]


def test_memory_is_per_endpoint(client: Any, stub: SageMakerRuntimeStub) -> None:
    """The same InputLocation on another endpoint is a new request."""
    stub.queue_async(AsyncResult.success("one"), AsyncResult.success("two"))
    a = client.invoke_endpoint_async(EndpointName="a", InputLocation="s3://x/1")
    b = client.invoke_endpoint_async(EndpointName="b", InputLocation="s3://x/1")
    assert stub.read_output(a["OutputLocation"]) == b"one"
    assert stub.read_output(b["OutputLocation"]) == b"two"


def test_falls_back_to_the_sync_queue_as_moto_json(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """With the async queue empty, the next invoke_endpoint result is used."""
    stub.queue(
        InvokeResult(body="first body", content_type="text/xml"),
        InvokeResult(body="second", invoked_production_variant=None),
    )
    first = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
    second = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/2")
    assert json.loads(stub.read_output(first["OutputLocation"])) == {
        "Body": "first body",
        "ContentType": "text/xml",
        "InvokedProductionVariant": "AllTraffic",
        "CustomAttributes": None,
    }
    assert (
        json.loads(stub.read_output(second["OutputLocation"]))[
            "InvokedProductionVariant"
        ]
        is None
    )
    assert stub.calls[0].source is Source.FALLBACK


def test_async_queue_is_used_before_the_sync_queue(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Async results first, then sync results."""
    stub.queue(InvokeResult(body="sync"))
    stub.queue_async(AsyncResult.success("async"))
    first = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
    second = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/2")
    assert stub.read_output(first["OutputLocation"]) == b"async"
    assert json.loads(stub.read_output(second["OutputLocation"]))["Body"] == "sync"


@pytest.mark.answer_defaults
def test_default_when_both_queues_are_empty(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """moto's default output: {"default": "response"}."""
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
    assert stub.read_output(response["OutputLocation"]) == b'{"default": "response"}'
    assert stub.calls[0].source is Source.DEFAULT


def test_binary_sync_fallback_fails_clearly_and_keeps_the_result(
    client: Any,
) -> None:
    """A non-UTF-8 sync body cannot become moto's JSON; nothing is lost."""
    stub = SageMakerRuntimeStub(client)
    with stub:
        stub.queue(InvokeResult(body=b"\xff\xd8"))
        with pytest.raises(NoResultError) as info:
            client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
        assert str(info.value) == (
            "invoke_endpoint_async found no async result queued and fell back to "
            "the invoke_endpoint queue, whose next result "
            "InvokeResult(body=b'\\xff\\xd8', content_type='application/octet-stream', "
            "invoked_production_variant=SERVING_VARIANT, custom_attributes=None, "
            "close_session=False) has a "
            "body that is not UTF-8 text, so it cannot be written as the JSON output "
            "moto writes. Queue an AsyncResult with stub.queue_async() instead."
        )
        sync = client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert sync["Body"].read() == b"\xff\xd8"


def test_inline_body_identity_is_its_digest(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Where botocore has the inline Body, equal bodies are the same request."""
    input_shape = client.meta.service_model.operation_model(
        "InvokeEndpointAsync"
    ).input_shape
    if "Body" not in input_shape.members:
        pytest.skip("this botocore has no inline Body for invoke_endpoint_async")
    stub.queue_async(AsyncResult.success("one"), AsyncResult.success("two"))
    first = client.invoke_endpoint_async(EndpointName="e", Body=b"inline")
    again = client.invoke_endpoint_async(EndpointName="e", Body="inline")
    other = client.invoke_endpoint_async(EndpointName="e", Body=b"other")
    assert again["OutputLocation"] == first["OutputLocation"]
    assert stub.read_output(other["OutputLocation"]) == b"two"


@pytest.mark.answer_defaults
def test_read_output_lists_what_is_stored(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """An unknown location names the stored outputs."""
    with pytest.raises(OutputNotFoundError) as info:
        stub.read_output("s3://nowhere/x")
    assert str(info.value) == (
        "No async output is stored at 's3://nowhere/x'. "
        "No async call has written an output yet."
    )
    written = [
        client.invoke_endpoint_async(EndpointName="e", InputLocation=f"s3://a/{n}")[
            "OutputLocation"
        ]
        for n in range(6)
    ]
    with pytest.raises(OutputNotFoundError) as info:
        stub.read_output("s3://nowhere/x")
    listed = ", ".join(repr(uri) for uri in sorted(written)[:5])
    assert str(info.value) == (
        f"No async output is stored at 's3://nowhere/x'. Stored outputs: {listed} "
        "and 1 more."
    )


def test_content_types_follow_the_data() -> None:
    """JSON data is application/json, text is text/plain, bytes octet-stream."""
    assert AsyncResult.success({"a": 1}).content_type == "application/json"
    assert AsyncResult.success("a").content_type == "text/plain; charset=utf-8"
    assert AsyncResult.success(b"a").content_type == "application/octet-stream"
    assert AsyncResult.failure([1], content_type="x/y").content_type == "x/y"
    assert AsyncResult.failure([1]).is_failure is True
