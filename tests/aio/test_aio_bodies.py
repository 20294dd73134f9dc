"""Bodies and event streams behave as aiobotocore's own do."""

from __future__ import annotations

from typing import Any

import pytest
from aiobotocore.eventstream import AioEventStream
from botocore.exceptions import EventStreamError

from sagemaker_stub import (
    ErrorResult,
    InvokeResult,
    SageMakerRuntimeStub,
    StreamError,
    StreamResult,
)

from .conftest import parts_of

pytestmark = pytest.mark.anyio

LINES = b"first line\nsecond line\nlast, with no newline"


async def invoked(client: Any, stub: SageMakerRuntimeStub, body: bytes) -> Any:
    """The Body of an invoke_endpoint call answered with ``body``."""
    stub.queue(InvokeResult(body=body))
    response = await client.invoke_endpoint(EndpointName="e", Body=body[:8])
    return response["Body"]


async def test_read_in_pieces(client: Any, stub: SageMakerRuntimeStub) -> None:
    body = await invoked(client, stub, LINES)
    assert await body.read(5) == b"first"
    assert await body.read(6) == b" line\n"
    assert await body.read() == LINES[11:]
    assert await body.read() == b""
    assert body.tell() == len(LINES)


async def test_async_for_reads_chunks(client: Any, stub: SageMakerRuntimeStub) -> None:
    data = bytes(range(256)) * 10
    body = await invoked(client, stub, data)
    chunks = [chunk async for chunk in body]
    assert b"".join(chunks) == data
    assert [len(chunk) for chunk in chunks] == [1024, 1024, 512]


async def test_iter_chunks(client: Any, stub: SageMakerRuntimeStub) -> None:
    body = await invoked(client, stub, b"abcdefgh")
    assert [chunk async for chunk in body.iter_chunks(3)] == [b"abc", b"def", b"gh"]


async def test_iter_lines(client: Any, stub: SageMakerRuntimeStub) -> None:
    body = await invoked(client, stub, LINES)
    assert [line async for line in body.iter_lines()] == LINES.split(b"\n")


async def test_async_with_reads_and_closes(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    body = await invoked(client, stub, b"whole")
    async with body as stream:
        assert await stream.read() == b"whole"


async def test_an_empty_body(client: Any, stub: SageMakerRuntimeStub) -> None:
    body = await invoked(client, stub, b"")
    assert await body.read() == b""
    assert [chunk async for chunk in body] == []


async def test_a_large_body_is_read_whole(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    data = b"x" * (5 * 1024 * 1024 + 3)
    body = await invoked(client, stub, data)
    assert await body.read() == data


async def test_an_event_stream_is_async_iterable_only(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """As aiobotocore's: `for` is refused, `async for` yields the parts."""
    stub.queue_stream(StreamResult(parts=[b"a", b"b"]))
    response = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=b"1"
    )
    stream = response["Body"]
    assert isinstance(stream, AioEventStream)
    with pytest.raises(NotImplementedError):
        iter(stream)
    assert await parts_of(response) == [b"a", b"b"]
    assert response["ContentType"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (
            StreamError.model_stream_error("model died", error_code="E42"),
            "ModelStreamError",
        ),
        (StreamError.internal_stream_failure("lost"), "InternalStreamFailure"),
    ],
)
async def test_mid_stream_errors_end_async_for(
    client: Any, stub: SageMakerRuntimeStub, error: StreamError, code: str
) -> None:
    """The parts before the error arrive, then EventStreamError, as from the service."""
    stub.queue_stream(StreamResult(parts=[b"one", b"two"], error=error))
    response = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=b"1"
    )
    seen: list[bytes] = []

    async def consume() -> None:
        async for event in response["Body"]:
            seen.append(event["PayloadPart"]["Bytes"])

    with pytest.raises(EventStreamError) as info:
        await consume()
    assert seen == [b"one", b"two"]
    assert info.value.response["Error"]["Code"] == code
    progress = stub.calls[0].stream
    assert progress is not None
    assert progress.parts_read == 2
    assert progress.finished


async def test_an_error_before_the_stream(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue_stream(ErrorResult.model_error(500, "no"))
    with pytest.raises(client.exceptions.ModelError):
        await client.invoke_endpoint_with_response_stream(EndpointName="e", Body=b"1")


async def test_closing_a_stream_stops_it(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Parts after close() are never produced, and the history says so."""
    stub.queue_stream(StreamResult(parts=[b"a", b"b", b"c"]))
    response = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=b"1"
    )
    stream = response["Body"]
    async for event in stream:
        assert event["PayloadPart"]["Bytes"] == b"a"
        break
    stream.close()
    progress = stub.calls[0].stream
    assert progress is not None
    assert progress.closed
    assert not progress.finished
    assert progress.parts_read < 3
