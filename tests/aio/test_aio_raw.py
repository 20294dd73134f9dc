"""The raw body has the shape of aiohttp's response, as aiobotocore reads it."""

from __future__ import annotations

import io
from collections.abc import Awaitable
from typing import Any

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import NoCredentialsError

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, StreamProgress
from sagemaker_stub._doors.aiobotocore import AioRawBody, resolve
from sagemaker_stub._engine.eventstream import EventStreamBody

pytestmark = pytest.mark.anyio


def raw_of(body: Any) -> Any:
    """The raw response under a StreamingBody: ``raw_stream`` in aiobotocore 3,
    the proxied object itself in 2."""
    return getattr(body, "raw_stream", body)


async def test_the_content_reads_as_aiohttps(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue(InvokeResult(body=b"abcdefgh"), InvokeResult(body=b"ijk"))
    first = await client.invoke_endpoint(EndpointName="e", Body=b"1")
    raw = raw_of(first["Body"])
    assert not raw.at_eof()
    assert [chunk async for chunk in raw.content.iter_chunked(3)] == [
        b"abc",
        b"def",
        b"gh",
    ]
    assert raw.content.at_eof()
    assert raw.at_eof()
    second = await client.invoke_endpoint(EndpointName="e", Body=b"2")
    content = raw_of(second["Body"]).content
    assert [chunk async for chunk in content.iter_any()] == [b"ijk"]


async def test_headers_as_aiohttp_keeps_them() -> None:
    """aiobotocore 2.10 reads the response headers from ``raw_headers``."""
    raw = AioRawBody("https://x", {"content-type": "text/plain; é"}, b"")
    assert raw.raw_headers == ((b"content-type", "text/plain; é".encode()),)
    async with raw as entered:
        assert await entered.read() == b""


async def test_an_event_stream_reads_across_its_messages() -> None:
    """read(n) pulls message after message; the encoding is botocore's to read."""
    parts = (b"first", b"second", b"third")
    progress = StreamProgress(parts_total=3)
    raw = AioRawBody("https://x", {}, EventStreamBody(parts, None, progress))
    pieces = []
    while piece := await raw.content.read(7):
        assert len(piece) <= 7
        pieces.append(piece)
    assert raw.at_eof()
    stream = b"".join(pieces)
    expected = EventStreamBody(parts, None, StreamProgress(parts_total=3)).stream()
    assert stream == b"".join(expected)
    assert progress.parts_read == 3
    assert progress.finished


async def test_resolve_takes_values_and_awaitables() -> None:
    """Some aiobotocore releases' parsers and retry handlers are not coroutines."""

    async def later() -> int:
        return 2

    plain: int | Awaitable[int] = 1
    awaitable: int | Awaitable[int] = later()
    assert await resolve(plain) == 1
    assert await resolve(awaitable) == 2


async def test_pass_through_lets_other_requests_go_on(
    stub: SageMakerRuntimeStub,
) -> None:
    """With pass_through=True, what the stub does not own goes on to be sent:
    here it stops at signing, for want of credentials."""
    async with AioSession().create_client("s3", region_name="us-east-1") as s3:
        stub.attach_s3(s3, buckets=["mine"], pass_through=True)
        with pytest.raises(NoCredentialsError):
            await s3.get_object(Bucket="theirs", Key="k")
        await s3.put_object(Bucket="mine", Key="k", Body=b"owned")
        assert stub.read_output("s3://mine/k") == b"owned"


class AsyncFile:
    """A file whose read must be awaited, as aiofiles' are."""

    def __init__(self, data: bytes | str) -> None:
        self._data = data
        self.reads = 0

    async def read(self, size: int = -1) -> bytes | str:
        self.reads += 1
        data, self._data = self._data, self._data[:0]
        return data


async def test_an_async_file_as_the_put_object_body(
    stub: SageMakerRuntimeStub, s3: Any
) -> None:
    """aiobotocore sends a body whose read is a coroutine; the stub reads it."""
    stub.attach_s3(s3, buckets=["inputs"])
    upload = AsyncFile(b'{"x": 1}')
    await s3.put_object(Bucket="inputs", Key="1.json", Body=upload)
    assert stub.read_output("s3://inputs/1.json") == b'{"x": 1}'
    assert upload.reads == 1


@pytest.mark.parametrize("retries", [False, True])
async def test_an_async_file_as_the_invoke_endpoint_body(
    client: Any, retries: bool
) -> None:
    async with SageMakerRuntimeStub(client, retries=retries, keep_bodies=True) as stub:
        stub.queue(InvokeResult(body=b"ok"))
        response = await client.invoke_endpoint(
            EndpointName="e", Body=AsyncFile("text, as UTF-8")
        )
        assert await response["Body"].read() == b"ok"
        # The same bytes are the same request: answered again.
        again = await client.invoke_endpoint(EndpointName="e", Body=b"text, as UTF-8")
        assert await again["Body"].read() == b"ok"
    assert [call.body for call in stub.calls] == [b"text, as UTF-8"] * 2


async def test_a_plain_file_body_is_read_as_before(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A sync file is read where it is, as for botocore clients."""
    stub.queue(InvokeResult(body=b"ok"))
    response = await client.invoke_endpoint(EndpointName="e", Body=io.BytesIO(b"x"))
    assert await response["Body"].read() == b"ok"
    assert stub.calls[0].body_size == 1
