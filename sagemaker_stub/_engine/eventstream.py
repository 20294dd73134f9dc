"""An encoder for AWS event-stream messages, and a lazily encoded raw body.

The wire format, per message: a 12-byte prelude (total length, headers
length, both big-endian uint32, then the CRC32 of those 8 bytes), the headers,
the payload, and the CRC32 of everything before it. Each header is a one-byte
name length, the name, a one-byte value type (7 for a string), a two-byte
value length and the value. botocore's own decoder reads what this writes.
"""

from __future__ import annotations

import json
import struct
from binascii import crc32
from collections.abc import Iterable, Iterator

import attrs

__all__ = [
    "EventStreamBody",
    "StreamProgress",
    "encode_exception",
    "encode_headers",
    "encode_message",
    "encode_part",
]

_STRING = 7
_PRELUDE = struct.Struct("!II")
_UINT32 = struct.Struct("!I")


def encode_headers(headers: Iterable[tuple[str, str]]) -> bytes:
    """Encode string-valued headers in event-stream form."""
    encoded = bytearray()
    for name, value in headers:
        raw_name, raw_value = name.encode("utf-8"), value.encode("utf-8")
        encoded += bytes((len(raw_name),)) + raw_name
        encoded += struct.pack("!BH", _STRING, len(raw_value)) + raw_value
    return bytes(encoded)


def encode_message(headers: bytes, payload: bytes) -> bytes:
    """One complete event-stream message from encoded headers and a payload."""
    total = _PRELUDE.size + _UINT32.size + len(headers) + len(payload) + _UINT32.size
    prelude = _PRELUDE.pack(total, len(headers))
    message = b"".join((prelude, _UINT32.pack(crc32(prelude)), headers, payload))
    return message + _UINT32.pack(crc32(message))


_PAYLOAD_PART_HEADERS = encode_headers(
    (
        (":event-type", "PayloadPart"),
        (":content-type", "application/octet-stream"),
        (":message-type", "event"),
    )
)


def encode_part(payload: bytes) -> bytes:
    """A ``PayloadPart`` event carrying ``payload``."""
    return encode_message(_PAYLOAD_PART_HEADERS, payload)


def encode_exception(code: str, fields: dict[str, str]) -> bytes:
    """An exception message, as the service ends a stream that failed."""
    headers = encode_headers(
        (
            (":exception-type", code),
            (":content-type", "application/json"),
            (":message-type", "exception"),
        )
    )
    return encode_message(headers, json.dumps(fields).encode("utf-8"))


@attrs.define(kw_only=True)
class StreamProgress:
    """How far the consumer of one streamed response got.

    .. versionadded:: 0.1.0
    """

    #: Parts in the result.
    parts_total: int
    #: Parts handed to the consumer so far.
    parts_read: int = 0
    #: Whether the consumer closed the stream.
    closed: bool = False
    #: Whether every part, and the error if any, was delivered.
    finished: bool = False


class EventStreamBody:
    """The raw body of a streamed response, encoded one message at a time.

    botocore's ``EventStream`` iterates :meth:`stream` and decodes each chunk,
    so the first event is available as soon as it is encoded, whatever the
    size of the stream.
    """

    def __init__(
        self,
        parts: tuple[bytes, ...],
        error: bytes | None,
        progress: StreamProgress,
    ) -> None:
        self._parts = parts
        self._error = error
        self._progress = progress

    def stream(
        self, amt: int | None = None, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        """Yield one encoded message per part, then the error message, if any."""
        progress = self._progress
        for part in self._parts:
            if progress.closed:
                return
            progress.parts_read += 1
            yield encode_message(_PAYLOAD_PART_HEADERS, part)
        if progress.closed:
            return
        progress.finished = True
        if self._error is not None:
            yield self._error

    def close(self) -> None:
        """Stop the stream, as closing the HTTP connection would."""
        self._progress.closed = True
