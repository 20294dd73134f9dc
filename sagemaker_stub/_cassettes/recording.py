"""Recording through a door: a call sent to the endpoint, its outcome kept.

When a tape records a call, the door lets the client send it (signed as the
client signs, to the client's endpoint) and reads the outcome in
``after-call``, as botocore parsed it. A whole body is read and put back as
a fresh ``StreamingBody``; a response stream is wrapped so that each event is
recorded as the caller reads it, and the caller still holds an
``EventStream``.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from botocore.eventstream import EventStream
from botocore.exceptions import ClientError, EventStreamError
from botocore.response import StreamingBody

from sagemaker_stub._engine.eventstream import StreamProgress
from sagemaker_stub._engine.identity import Kind
from sagemaker_stub._engine.objects import split_s3_uri
from sagemaker_stub._engine.request import Request

from .outcomes import (
    StreamTake,
    async_record,
    error_result,
    invoke_result,
    stream_head,
)
from .tape import Tape

__all__ = [
    "RecordedStream",
    "RecordingEventStream",
    "fetcher",
    "keep_outcome",
    "record_sync",
]

if TYPE_CHECKING:  # botocore-stubs makes EventStream generic; botocore does not
    _EventStream = EventStream[dict[str, Any]]
else:
    _EventStream = EventStream


class RecordedStream:
    """What a recording stream shares, sync or async: it reads through the
    stream botocore (or aiobotocore) parsed, ``inner``, so events reach the
    caller as they arrive and nothing is buffered; attributes it does not
    have are the inner stream's."""

    def __init__(self, inner: Any, take: StreamTake) -> None:
        # botocore's state stays in the inner stream: nothing of it is copied.
        self._inner = inner
        self._take = take

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def close(self) -> None:
        self._take.closed()
        self._inner.close()


class RecordingEventStream(RecordedStream, _EventStream):
    """botocore's ``EventStream`` of a recorded call, recording as it is read."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        take = self._take
        try:
            for event in self._inner:
                take.event(event)
                yield event
        except EventStreamError as exc:
            take.failed(exc.response)
            raise
        take.ended()

    def get_initial_response(self) -> Any:
        return self._inner.get_initial_response()


def keep_outcome(
    tape: Tape,
    request: Request,
    status: int,
    parsed: dict[str, Any],
    body: bytes | None,
) -> StreamTake | None:
    """Record what the endpoint answered a sent call.

    ``body`` is invoke_endpoint's whole body, which the door read. For a
    streamed answer the take is returned, for the door to wrap the stream.
    """
    operation = request.operation
    if status >= 300:
        tape.record(request, error_result(operation, status, parsed))
        return None
    kind = operation.kind
    if kind is Kind.SYNC:
        assert body is not None
        tape.record(request, invoke_result(parsed, body))
        return None
    if kind is Kind.STREAM:
        take = StreamTake(stream_head(parsed), StreamProgress(parts_total=0))
        tape.record(request, take, stream=take.progress)
        return take
    tape.record(
        request,
        async_record(parsed),
        inference_id=parsed.get("InferenceId"),
    )
    return None


def record_sync(
    tape: Tape, request: Request, http_response: Any, parsed: dict[str, Any]
) -> None:
    """``after-call`` of a sync client: record the outcome, keep it readable."""
    status: int = http_response.status_code
    body = None
    kind = request.operation.kind
    if status < 300 and kind is Kind.SYNC:
        streamed = parsed.get("Body")
        body = b"" if streamed is None else streamed.read()
        parsed["Body"] = StreamingBody(io.BytesIO(body), len(body))
    take = keep_outcome(tape, request, status, parsed, body)
    if take is not None and isinstance(parsed.get("Body"), EventStream):
        parsed["Body"] = RecordingEventStream(parsed["Body"], take)


def fetcher(s3_client: Any) -> Callable[[str], tuple[bytes, str] | None]:
    """Reads an object through ``s3_client`` while it lives; None if absent."""
    client = weakref.ref(s3_client)

    def fetch(s3_uri: str) -> tuple[bytes, str] | None:
        alive = client()
        if alive is None:
            return None
        bucket, key = split_s3_uri(s3_uri, "location")
        try:
            response = alive.get_object(Bucket=bucket, Key=key)
        except ClientError:
            return None
        return response["Body"].read(), response.get("ContentType") or ""

    return fetch
