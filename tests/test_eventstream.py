"""The event-stream encoder, checked against botocore's own decoder."""

from __future__ import annotations

import itertools
import json
import struct
from binascii import crc32
from typing import Any

from botocore.eventstream import EventStreamBuffer
from hypothesis import given
from hypothesis import strategies as st

from sagemaker_stub._engine.eventstream import (
    EventStreamBody,
    StreamProgress,
    encode_exception,
    encode_headers,
    encode_message,
)

header_text = st.text(min_size=1, max_size=20)
# Header names are unique within a message (botocore rejects duplicates).
headers = st.dictionaries(header_text, st.text(max_size=40), max_size=4).map(
    lambda mapping: list(mapping.items())
)
payloads = st.lists(st.binary(max_size=300), max_size=8)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the given offsets."""
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    edges = [0, *points, len(data)]
    return [data[start:end] for start, end in itertools.pairwise(edges)]


@given(headers=headers, payload=st.binary(max_size=2000))
def test_one_message_decodes_to_its_headers_and_payload(
    headers: list[tuple[str, str]], payload: bytes
) -> None:
    """Every header and payload round-trips through botocore's decoder."""
    buffer = EventStreamBuffer()
    buffer.add_data(encode_message(encode_headers(headers), payload))
    [message] = list(buffer)
    # botocore-stubs types EventStreamMessage.headers as int; botocore gives a dict.
    decoded: Any = message.headers
    assert message.payload == payload
    assert decoded == dict(headers)


@given(parts=payloads, cuts=st.lists(st.integers(min_value=0), max_size=20))
def test_any_chunking_of_the_stream_decodes_the_same(
    parts: list[bytes], cuts: list[int]
) -> None:
    """However the bytes arrive, botocore decodes the same messages."""
    body = EventStreamBody(tuple(parts), None, StreamProgress(parts_total=len(parts)))
    wire = b"".join(body.stream())
    buffer = EventStreamBuffer()
    decoded: list[Any] = []
    for chunk in split(wire, cuts):
        buffer.add_data(chunk)
        decoded.extend(buffer)
    assert [message.payload for message in decoded] == parts
    assert all(
        message.headers
        == {
            ":event-type": "PayloadPart",
            ":content-type": "application/octet-stream",
            ":message-type": "event",
        }
        for message in decoded
    )


def test_prelude_and_crcs_follow_the_format() -> None:
    """Total length, headers length, prelude CRC and message CRC, big-endian."""
    headers = encode_headers([("a", "b")])
    message = encode_message(headers, b"xyz")
    total, header_length, prelude_crc = struct.unpack("!III", message[:12])
    assert total == len(message) == 12 + len(headers) + 3 + 4
    assert header_length == len(headers) == 1 + 1 + 1 + 2 + 1
    assert prelude_crc == crc32(message[:8])
    assert struct.unpack("!I", message[-4:])[0] == crc32(message[:-4])
    assert headers == b"\x01a\x07\x00\x01b"


def test_exception_messages_carry_the_error() -> None:
    """An exception message names its type; the payload is the JSON fields."""
    buffer = EventStreamBuffer()
    buffer.add_data(
        encode_exception("ModelStreamError", {"Message": "m", "ErrorCode": "c"})
    )
    [message] = list(buffer)
    decoded: Any = message.headers
    assert decoded == {
        ":exception-type": "ModelStreamError",
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    assert json.loads(message.payload) == {"Message": "m", "ErrorCode": "c"}


def test_a_closed_body_stops() -> None:
    """close() before the end stops the stream and leaves it unfinished."""
    progress = StreamProgress(parts_total=3)
    body = EventStreamBody((b"a", b"b", b"c"), b"err", progress)
    chunks = body.stream()
    next(chunks)
    body.close()
    assert list(chunks) == []
    assert (progress.parts_read, progress.closed, progress.finished) == (1, True, False)
    closed_at_end = StreamProgress(parts_total=1)
    body = EventStreamBody((b"a",), None, closed_at_end)
    chunks = body.stream()
    next(chunks)
    body.close()
    assert list(chunks) == []
    assert not closed_at_end.finished
