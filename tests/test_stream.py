"""invoke_endpoint_with_response_stream as a real botocore EventStream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.eventstream import EventStream
from botocore.exceptions import EventStreamError

from sagemaker_stub import (
    ErrorResult,
    InvokeResult,
    NoResultError,
    SageMakerRuntimeStub,
    Source,
    StreamError,
    StreamResult,
)


class LineIterator:
    """Lines from PayloadPart bytes, as in AWS's own streaming examples.

    A line may arrive split across parts; bytes are buffered until a newline.
    """

    def __init__(self, event_stream: Any) -> None:
        self.events = iter(event_stream)
        self.buffer = b""

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line, self.buffer = self.buffer[:newline], self.buffer[newline + 1 :]
                return line
            try:
                event = next(self.events)
            except StopIteration:
                if self.buffer:
                    line, self.buffer = self.buffer, b""
                    return line
                raise
            self.buffer += event["PayloadPart"]["Bytes"]


def stream(client: Any, **params: Any) -> dict[str, Any]:
    """Call the streaming operation with a default endpoint and body."""
    params.setdefault("EndpointName", "llm")
    params.setdefault("Body", b'{"inputs": "Hi"}')
    response: dict[str, Any] = client.invoke_endpoint_with_response_stream(**params)
    return response


def payloads(response: dict[str, Any]) -> list[bytes]:
    """Every PayloadPart's bytes."""
    return [event["PayloadPart"]["Bytes"] for event in response["Body"]]


def read_into(received: list[bytes], response: dict[str, Any]) -> None:
    """Collect PayloadPart bytes until the stream ends or raises."""
    for event in response["Body"]:
        received.append(event["PayloadPart"]["Bytes"])


def test_parts_arrive_as_payload_part_events(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Body is botocore's EventStream; each part is one PayloadPart."""
    parts = [b'{"token": "Hel', b'lo"}\n', b'{"token": "!"}\n']
    stub.queue_stream(StreamResult(parts=parts))
    response = stream(client)
    assert isinstance(response["Body"], EventStream)
    assert payloads(response) == parts


def test_a_line_iterator_joins_split_lines(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The common LLM consumer sees whole JSON lines, however they were split."""
    tokens = [{"token": {"text": word}} for word in ("The", " cat", " sat", " 😺")]
    lines = b"".join(json.dumps(token).encode() + b"\n" for token in tokens)
    stub.queue_stream(
        StreamResult.chunked(lines, 7, content_type="application/jsonlines")
    )
    response = stream(client)
    assert response["ContentType"] == "application/jsonlines"
    decoded = [json.loads(line) for line in LineIterator(response["Body"])]
    assert "".join(item["token"]["text"] for item in decoded) == "The cat sat 😺"


def test_a_split_multibyte_character_is_joined_by_the_consumer(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A part may end inside a UTF-8 character; the joined bytes are intact."""
    text = "naïve 😺"
    stub.queue_stream(StreamResult.chunked(text, 1))
    parts = payloads(stream(client))
    assert len(parts) == len(text.encode())
    with pytest.raises(UnicodeDecodeError):
        parts[2].decode()
    assert b"".join(parts).decode() == text


def test_response_headers_and_metadata(client: Any, stub: SageMakerRuntimeStub) -> None:
    """ContentType, variant and custom attributes from the service's headers."""
    stub.queue_stream(
        StreamResult.text(
            ["a"],
            content_type="text/plain",
            invoked_production_variant="blue",
            custom_attributes="k=v",
        )
    )
    response = stream(client)
    metadata = response["ResponseMetadata"]
    headers = metadata["HTTPHeaders"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["RequestId"] == headers["x-amzn-requestid"]
    assert headers["content-type"] == "application/vnd.amazon.eventstream"
    assert headers["x-amzn-sagemaker-content-type"] == "text/plain"
    assert response["ContentType"] == "text/plain"
    assert response["InvokedProductionVariant"] == "blue"
    assert response["CustomAttributes"] == "k=v"
    assert payloads(response) == [b"a"]


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (
            StreamError.model_stream_error("model crashed", error_code="ModelError.X"),
            "ModelStreamError",
            "model crashed",
        ),
        (
            StreamError.internal_stream_failure("lost a shard"),
            "InternalStreamFailure",
            "lost a shard",
        ),
    ],
)
def test_an_error_after_the_parts_raises_event_stream_error(
    client: Any,
    stub: SageMakerRuntimeStub,
    error: StreamError,
    code: str,
    message: str,
) -> None:
    """The parts are read, then iterating raises botocore's EventStreamError."""
    stub.queue_stream(StreamResult.text(["one", "two"], error=error))
    received: list[bytes] = []
    with pytest.raises(EventStreamError) as info:
        read_into(received, stream(client))
    assert received == [b"one", b"two"]
    assert info.value.response["Error"] == {"Code": code, "Message": message}
    assert str(info.value) == (
        f"An error occurred ({code}) when calling the "
        f"InvokeEndpointWithResponseStream operation: {message}"
    )
    assert stub.calls[0].stream is not None
    assert stub.calls[0].stream.finished


@pytest.mark.answer_defaults
def test_an_error_before_the_stream_raises_the_client_class(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """ErrorResult fails the call itself, with the service's status."""
    stub.queue_stream(ErrorResult.model_error(500, "no GPU"))
    with pytest.raises(client.exceptions.ModelError) as info:
        stream(client)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert info.value.response["OriginalMessage"] == "no GPU"
    assert payloads(stream(client)) == [b"body"]  # the next answer: the default
    assert [call.source for call in stub.calls] == [Source.QUEUED, Source.DEFAULT]


def test_remembered_streams_are_fresh_and_errors_remembered(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The same request reads the whole stream again, error included."""
    stub.queue_stream(
        StreamResult.text(["a", "b"], error=StreamError.internal_stream_failure())
    )
    for _ in range(2):
        received: list[bytes] = []
        with pytest.raises(EventStreamError):
            read_into(received, stream(client))
        assert received == [b"a", b"b"]
    assert stub.calls[1].source is Source.REMEMBERED


def test_closing_early_is_recorded(client: Any, stub: SageMakerRuntimeStub) -> None:
    """The history says how many parts the consumer read before closing."""
    stub.queue_stream(StreamResult.text([str(n) for n in range(10)]))
    body = stream(client)["Body"]
    events = iter(body)
    assert next(events)["PayloadPart"]["Bytes"] == b"0"
    assert next(events)["PayloadPart"]["Bytes"] == b"1"
    body.close()
    assert list(events) == []
    progress = stub.calls[0].stream
    assert progress is not None
    assert (progress.parts_total, progress.parts_read) == (10, 2)
    assert progress.closed
    assert not progress.finished


def test_identity_and_queues_follow_invoke_endpoint(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Endpoint queue first; Accept, SageMaker headers and body identify."""
    stub.queue_stream(StreamResult.text(["shared"]))
    stub.queue_stream(StreamResult.text(["own"]), endpoint_name="llm")
    stub.queue_stream(StreamResult.text(["accept"]), StreamResult.text(["target"]))
    assert payloads(stream(client)) == [b"own"]
    assert payloads(stream(client, EndpointName="other")) == [b"shared"]
    assert payloads(stream(client, Accept="application/json")) == [b"accept"]
    assert payloads(stream(client, TargetVariant="blue")) == [b"target"]
    assert payloads(stream(client, ContentType="text/plain")) == [b"own"]


def test_falls_back_to_the_invoke_endpoint_queue(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """With no stream results, the next sync result's body is one part."""
    stub.queue(InvokeResult.json({"generated_text": "hi"}), InvokeResult(body=b""))
    response = stream(client)
    assert payloads(response) == [b'{"generated_text": "hi"}']
    assert response["ContentType"] == "application/json"
    assert payloads(stream(client, Body=b"other")) == []
    assert stub.calls[0].source is Source.FALLBACK


def test_a_sync_error_is_raised_before_the_stream(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """An ErrorResult taken from the sync queue fails the call."""
    stub.queue(ErrorResult.validation_error("too long"))
    with pytest.raises(client.exceptions.ValidationError):
        stream(client)


def test_unset_optional_headers_are_absent(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """No variant and no custom attributes: those keys are left out."""
    stub.queue_stream(StreamResult(parts=[b"x"], invoked_production_variant=None))
    response = stream(client)
    assert "InvokedProductionVariant" not in response
    assert "CustomAttributes" not in response
    assert payloads(response) == [b"x"]


@pytest.mark.answer_defaults
def test_default_when_nothing_is_queued(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """invoke_endpoint's static default, as one part; the history says so."""
    response = stream(client)
    assert payloads(response) == [b"body"]
    assert response["ContentType"] == "content_type"
    assert stub.calls[0].source is Source.DEFAULT


def test_without_defaults_the_call_names_the_stream_queue(client: Any) -> None:
    """allow_defaults=False points at queue_stream."""
    with (
        SageMakerRuntimeStub(client, allow_defaults=False),
        pytest.raises(NoResultError) as info,
    ):
        stream(client, Body=b"x")
    assert str(info.value).splitlines()[-1] == (
        "Queue one with stub.queue_stream(StreamResult(...), endpoint_name='llm') "
        "or stub.queue_stream(StreamResult(...)) for any endpoint."
    )


def test_unused_stream_results_are_pending(client: Any) -> None:
    """assert_no_pending_results covers the stream queue."""
    stub = SageMakerRuntimeStub(client)
    stub.queue_stream(StreamResult.text(["x"]))
    [pending] = stub.pending_results()
    assert pending.operation == "InvokeEndpointWithResponseStream"
    assert str(pending).startswith(
        "StreamResult(parts=(b'x',), error=None, content_type='text/plain; "
        "charset=utf-8', invoked_production_variant=SERVING_VARIANT, "
        "custom_attributes=None) for InvokeEndpointWithResponseStream on any endpoint"
    )


def test_constructors() -> None:
    """Text tokens, JSON lines, server-sent events and fixed-size chunks."""
    assert StreamResult.text(["a", "é"]).parts == (b"a", "é".encode())
    assert StreamResult.json_lines([{"a": 1}, [2]]).parts == (b'{"a": 1}\n', b"[2]\n")
    assert StreamResult.json_lines([]).content_type == "application/jsonlines"
    sse = StreamResult.server_sent_events([{"token": "a"}, "[DONE]"])
    assert sse.parts == (b'data: {"token": "a"}\n\n', b"data: [DONE]\n\n")
    assert sse.content_type == "text/event-stream"
    assert StreamResult.chunked(b"abcde", 2).parts == (b"ab", b"cd", b"e")
    assert StreamResult(parts=["x", bytearray(b"y")]).parts == (b"x", b"y")
    many = StreamResult.text([str(n) for n in range(5)])
    assert repr(many).startswith(
        "StreamResult(parts=(b'0', b'1', b'2', ... (5 parts)), error=None"
    )
    assert repr(StreamResult(parts=[b"a", b"b"])).startswith(
        "StreamResult(parts=(b'a', b'b'), error=None"
    )
