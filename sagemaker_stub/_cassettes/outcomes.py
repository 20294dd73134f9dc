"""What the endpoint answered a recorded call, as results.

Doors hand botocore's parse of a sent call's outcome here; nothing here
reads a client or a hook. :class:`StreamTake` is fed a recorded stream's
events as the caller reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from botocore.model import StructureShape

from sagemaker_stub._engine.answers import modeled_error_shape
from sagemaker_stub._engine.eventstream import StreamProgress
from sagemaker_stub._engine.request import Operation
from sagemaker_stub._results import ErrorResult, InvokeResult, StreamError, StreamResult

from .interactions import INFERENCE_ID, RecordedAsync

__all__ = [
    "StreamTake",
    "as_sent",
    "async_record",
    "error_result",
    "invoke_result",
    "stream_head",
]


_R = TypeVar("_R")
#: The fields of results that travel as HTTP headers, which a queued result
#: must keep to printable ASCII (and, for a content type or code, not empty).
_HEADER_FIELDS = ("content_type", "invoked_production_variant", "custom_attributes")
#: What no header value holds: a line break ends it, and HTTP refuses NUL.
_BREAKS = ("\r", "\n", "\0")


def as_sent(factory: Callable[..., _R], **fields: Any) -> _R:
    """A result holding what the endpoint sent, even where a queued one would
    be refused.

    Recording is lenient: an endpoint that answered with no ``Content-Type``,
    or with a byte such as DEL or a Latin-1 letter in a header (or its error
    code), answered all the same, and the caller got that answer. Those
    fields are kept as they came; anything else is checked as for a queued
    result, and so is what no header can hold (a line break, NUL) or an
    empty error code.
    """
    try:
        return factory(**fields)
    except (TypeError, ValueError) as refused:
        sent = {
            name: fields[name]
            for name in (*_HEADER_FIELDS, "code")
            if isinstance(fields.get(name), str)
        }
        if fields.get("code") == "" or any(
            mark in value for value in sent.values() for mark in _BREAKS
        ):
            raise
        try:
            result = factory(**{**fields, **dict.fromkeys(sent, "sent")})
        except (TypeError, ValueError):
            raise refused from None
    for name, value in sent.items():
        object.__setattr__(result, name, value)
    return result


def _headers(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The model's answer headers of a parse, as a result's keywords."""
    return {
        "content_type": parsed.get("ContentType") or "",
        "invoked_production_variant": parsed.get("InvokedProductionVariant"),
        "custom_attributes": parsed.get("CustomAttributes"),
    }


def invoke_result(parsed: Mapping[str, Any], body: bytes) -> InvokeResult:
    """invoke_endpoint's answer as a result, from botocore's parse."""
    return as_sent(
        InvokeResult,
        body=body,
        close_session="ClosedSessionId" in parsed,
        **_headers(parsed),
    )


def error_result(
    operation: Operation, status: int, parsed: Mapping[str, Any]
) -> ErrorResult:
    """An error response as a result: its code, message and modeled fields."""
    error = parsed.get("Error") or {}
    code = error.get("Code") or "UnknownError"
    shape = modeled_error_shape(operation.model, status, parsed)
    fields = {}
    if isinstance(shape, StructureShape):
        fields = {
            name: parsed[name]
            for name in shape.members
            if name != "Message" and name in parsed
        }
    return as_sent(
        ErrorResult,
        code=code,
        message=error.get("Message"),
        status_code=status if 300 <= status <= 599 else 500,
        fields=fields,
    )


def stream_head(parsed: Mapping[str, Any]) -> StreamResult:
    """A streamed answer's headers, as a result still without parts."""
    return as_sent(StreamResult, parts=[], **_headers(parsed))


def async_record(parsed: Mapping[str, Any]) -> RecordedAsync:
    """An async answer's locations, with its inference id left out."""
    inference_id = parsed.get("InferenceId") or ""

    def template(location: str) -> str:
        return (
            location.replace(inference_id, INFERENCE_ID) if inference_id else location
        )

    return RecordedAsync(
        output_location=template(parsed.get("OutputLocation") or ""),
        failure_location=template(parsed.get("FailureLocation") or ""),
    )


class StreamTake:
    """A stream being recorded, one event at a time, as the caller reads it.

    ``on_end`` is called with the whole result once the stream ended.
    """

    def __init__(self, head: StreamResult, progress: StreamProgress) -> None:
        self._head = head
        self._parts: list[bytes] = []
        self._error: StreamError | None = None
        self.progress = progress
        self.on_end: Callable[[StreamResult], None] | None = None

    def event(self, event: Mapping[str, Any]) -> None:
        """One event the caller read."""
        part = event.get("PayloadPart")
        if part is not None:  # pragma: no branch - the stream's only event today
            self._parts.append(part.get("Bytes", b""))
            self.progress.parts_read += 1
            self.progress.parts_total += 1

    def failed(self, response: Mapping[str, Any]) -> None:
        """The error that ended the stream (``EventStreamError.response``)."""
        error = response.get("Error") or {}
        code = error.get("Code")
        # The errors the model declares; another is not replayed as one.
        if code in ("ModelStreamError", "InternalStreamFailure"):  # pragma: no branch
            self._error = StreamError(
                code=code,
                message=error.get("Message") or "",
                error_code=response.get("ErrorCode"),
            )
        self.ended()

    def ended(self) -> None:
        """The stream ended after its last event (or its error)."""
        self.progress.finished = True
        if self.on_end is not None:
            self.on_end(self.result())

    def closed(self) -> None:
        """The caller closed the stream."""
        self.progress.closed = True

    def result(self) -> StreamResult:
        """What was read so far, as a result."""
        head = self._head
        return as_sent(
            StreamResult,
            parts=self._parts,
            error=self._error,
            content_type=head.content_type,
            invoked_production_variant=head.invoked_production_variant,
            custom_attributes=head.custom_attributes,
        )
