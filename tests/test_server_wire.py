"""The server's request parser against h11's, on generated requests.

Both read the same bytes; where h11 refuses a request the server refuses it
too, and where both accept one they read the same method, target, headers
and body. The generator mixes well-formed pieces with the ones attacks use:
bare CRs, folded lines, signed and prefixed chunk sizes, duplicate lengths,
control characters, missing Hosts.
"""

from __future__ import annotations

import io
from typing import Any

import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sagemaker_stub._server.wire import BadRequest, read_body, read_head

LIMIT = 1 << 20

_METHODS = st.sampled_from(["POST", "GET", "PUT", "P(OST", ""])
_TARGETS = st.sampled_from(["/endpoints/e/invocations", "/a%20b?x=1", "/a b", "*"])
_VERSIONS = st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "http/1.1"])
_NAMES = st.sampled_from(["X-Amzn-SageMaker-Custom-Attributes", "Accept", "X y", ""])
_VALUES = st.sampled_from(
    ["a=1", " padded ", "a\tb", "caf\xe9", "a\x7fb", "a\x00b", "a\rb", "a\x0bb", ""]
)
_HOSTS = st.sampled_from([["Host: localhost"], [], ["Host: a", "Host: b"]])


@st.composite
def _framing(draw: Any) -> tuple[list[str], bytes]:
    """Headers that frame a body, and the bytes after the blank line."""
    data = draw(st.binary(max_size=20))
    choice = draw(st.integers(0, 6))
    if choice == 0:
        return [], b""
    if choice == 1:
        return [f"Content-Length: {len(data)}"], data
    if choice == 2:
        length = draw(st.sampled_from(["-1", "+3", "3 ", "0x3", "\xb2", "3, 3", ""]))
        return [f"Content-Length: {length}"], data
    if choice == 3:
        return [
            f"Content-Length: {len(data)}",
            f"Content-Length: {len(data) + 1}",
        ], data
    n = len(data)
    sizes = [f"{n:x}", f"{n:X}", f"-{n}", f"+{n}", f"0x{n}", f" {n:x}", f"{n:x};e=1"]
    size = draw(st.sampled_from(sizes))
    chunks = b"" if not data else size.encode("latin-1") + b"\r\n" + data + b"\r\n"
    coding = "chunked" if choice != 6 else "gzip, chunked"
    framing = [f"Transfer-Encoding: {coding}"]
    if choice == 5:
        framing.append(f"Content-Length: {len(data)}")
    return framing, chunks + b"0\r\n\r\n"


@st.composite
def requests(draw: Any) -> bytes:
    line = f"{draw(_METHODS)} {draw(_TARGETS)} {draw(_VERSIONS)}"
    headers = draw(_HOSTS) + [
        f"{draw(_NAMES)}:{draw(_VALUES)}" for _ in range(draw(st.integers(0, 3)))
    ]
    if draw(st.booleans()):
        headers.append(" folded")
    drawn: tuple[list[str], bytes] = draw(_framing())
    framing, body = drawn
    lines = [line, *headers, *framing, "", ""]
    end: str = draw(st.sampled_from(["\r\n", "\n"]))
    return end.join(lines).encode("latin-1") + body


def ours(data: bytes) -> tuple[str, str, dict[str, str], bytes] | None:
    stream = io.BytesIO(data)
    try:
        head = read_head(stream.readline(65537), stream)
        body = read_body(head, stream, LIMIT)
    except BadRequest:
        return None
    return head.method, head.target, head.headers, body


def theirs(data: bytes) -> tuple[str, str, dict[str, str], bytes] | None:
    connection = h11.Connection(h11.SERVER)
    connection.receive_data(data)
    connection.receive_data(b"")
    body = b""
    try:
        request = connection.next_event()
        if not isinstance(request, h11.Request):
            return None
        while not isinstance(event := connection.next_event(), h11.EndOfMessage):
            if not isinstance(event, h11.Data):
                return None
            body += event.data
    except h11.RemoteProtocolError:
        return None
    headers: dict[str, str] = {}
    for name, value in request.headers:
        key, text = name.decode("latin-1"), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return request.method.decode(), request.target.decode(), headers, body


def _only_ours_refuses(data: bytes) -> bool:
    """Where the server is stricter than h11, on purpose (see wire.py)."""
    text = data.decode("latin-1")
    return (
        # An HTTP version other than 1.0 and 1.1: h11 reads "HTTP/2.0" as 1.1.
        "HTTP/2.0" in text.split("\n", 1)[0]
        # A folded line (RFC 9112 lets a server refuse it; h11 unfolds it).
        or "\n folded" in text
        # Transfer-Encoding in HTTP/1.0: faulty framing, RFC 9112 section 6.1.
        or ("HTTP/1.0" in text and "Transfer-Encoding" in text)
        or
        # Two Host headers that differ: h11 keeps both.
        "Host: a" in text
        or
        # Content-Length and Transfer-Encoding together: request smuggling's
        # favourite; h11 lets Transfer-Encoding win.
        ("Transfer-Encoding" in text and "Content-Length" in text)
        # A list of lengths, equal or not: RFC 9110 section 8.6 lets a server
        # refuse "3, 3"; h11 reads it as 3.
        or "Content-Length: 3, 3" in text
    )


@settings(max_examples=600, deadline=None)
@given(requests())
def test_the_parser_agrees_with_h11(data: bytes) -> None:
    expected, got = theirs(data), ours(data)
    if expected is not None and got is None:
        assert _only_ours_refuses(data), data
    else:
        assert got == expected, data


@pytest.mark.parametrize(
    "data",
    [
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \xb2\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: a\rSet-Cookie: x\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nAccept: a",  # the line never ended
    ],
)
def test_the_reviews_attacks_are_refused_by_both(data: bytes) -> None:
    assert theirs(data) is None
    assert ours(data) is None


def test_a_repeated_host_that_agrees_is_one_host() -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"
    assert ours(data) == ("GET", "/", {"host": "a"}, b"")
