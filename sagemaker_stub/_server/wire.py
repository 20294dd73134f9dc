"""HTTP/1.1 on the wire, read strictly: request heads, bodies, and answer heads.

What a connection reads is checked against RFC 9112 before anything acts on
it, and every read is bounded: a request line and each header line by
``MAX_LINE`` bytes, the headers by ``MAX_HEADERS`` lines, a body (by length
or chunked) by the server's cap, a chunk size by 16 hex digits. A request
that breaks a rule raises :class:`BadRequest` with the status to answer and a
message naming what was wrong; no partial request reaches the routes.

- Request line: ``METHOD SP target SP HTTP/1.x``, single spaces, a token for
  the method and visible ASCII for the target.
- Header lines: a token, a colon, a value without NUL, CR, LF, vertical tab
  or form feed; the value's edge spaces and tabs are not part of it. A line
  folded onto the next, a space before the colon, two ``Content-Length`` or
  ``Host`` headers that disagree, both ``Content-Length`` and
  ``Transfer-Encoding``, or an HTTP/1.1 request without ``Host`` are
  refused.
- ``Content-Length`` is ASCII digits; ``Transfer-Encoding`` is ``chunked``
  (anything else is 501); a chunk size is 1 to 16 hex digits, optionally
  with extensions, and each chunk ends with a line break.
- Lines end with CRLF; a bare LF is read as one (RFC 9112 section 2.2), a
  bare CR never.

:func:`check_head` holds what the server writes to the same rules, so no
value that came in (a stored content type, a result's header) can add a
header of its own to an answer.

The parser is the server's own rather than h11: it refuses every request
h11 refuses and reads the rest as h11 does (tests/test_server_wire.py
compares them on generated input), and is stricter in five places on
purpose: an HTTP version other than 1.0 and 1.1, a folded header line,
``Transfer-Encoding`` in HTTP/1.0, a list of lengths (``Content-Length: 3,
3``, which h11 reads as 3), and ``Content-Length`` beside
``Transfer-Encoding`` or a second ``Host`` (request smuggling's openings).
h11 costs ~100 microseconds a request cycle where this costs ~10, and the
server is 3.1x moto's with 16 threads (``make bench``), so h11 would take it
under the 3x it must keep.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

__all__ = [
    "MAX_HEADERS",
    "MAX_LINE",
    "BadRequest",
    "Head",
    "check_head",
    "read_body",
    "read_head",
]

#: The longest request line or header line read.
MAX_LINE = 65536
#: The most header (or trailer) lines a request may have.
MAX_HEADERS = 100

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
#: A field value: no NUL, CR, LF, vertical tab or form feed (the characters
#: h11 refuses too), and nothing beyond Latin-1.
_VALUE = re.compile(r"[^\x00\n\r\x0b\x0c\u0100-\U0010ffff]*\Z")
_TARGET = re.compile(r"[\x21-\x7e]+\Z")
_DIGITS = re.compile(r"[0-9]{1,19}\Z")
_CHUNK = re.compile(rb"([0-9A-Fa-f]{1,16})(?:[ \t]*;[^\r\n]*)?\r?\n\Z")
_VERSIONS = ("HTTP/1.0", "HTTP/1.1")


class Readable(Protocol):
    """What requests are read from: a connection's buffered reader."""

    def readline(self, limit: int = -1, /) -> bytes: ...

    def read(self, size: int = -1, /) -> bytes: ...


class BadRequest(Exception):
    """A request the server refuses to read; ``status`` is the answer's."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Head:
    """A request's line and headers, read and checked.

    Attributes:
        method: The method, e.g. ``POST``.
        target: The request target as sent (path and query).
        version: ``HTTP/1.0`` or ``HTTP/1.1``.
        headers: The headers by lower-cased name; repeated ones joined
            with ``", "``.
    """

    __slots__ = ("headers", "method", "target", "version")

    def __init__(
        self, method: str, target: str, version: str, headers: dict[str, str]
    ) -> None:
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers


def _line(raw: bytes, what: str) -> str:
    """A line without its line break; refused when too long or unterminated."""
    if len(raw) > MAX_LINE:
        msg = f"The {what} is over {MAX_LINE:,} bytes."
        raise BadRequest(431 if what != "request line" else 414, msg)
    if not raw.endswith(b"\n"):
        msg = f"The {what} ended before its line break: {raw[:80]!r}."
        raise BadRequest(400, msg)
    end = -2 if raw.endswith(b"\r\n") else -1
    return str(raw[:end], "iso-8859-1")


def read_head(first: bytes, rfile: Readable) -> Head:
    """The request whose line is ``first``, its headers read from ``rfile``.

    Raises:
        BadRequest: The request breaks a rule of the module's.
    """
    line = _line(first, "request line")
    words = line.split(" ")
    if (
        len(words) != 3
        or words[2] not in _VERSIONS
        or not _TOKEN.match(words[0])
        or not _TARGET.match(words[1])
    ):
        msg = f"Bad request line {line[:200]!r}: expected 'METHOD /target HTTP/1.1'."
        raise BadRequest(400, msg)
    method, target, version = words
    headers = _fields(rfile, "header line")
    if "content-length" in headers and "transfer-encoding" in headers:
        msg = "A request must not have both Content-Length and Transfer-Encoding."
        raise BadRequest(400, msg)
    if version == "HTTP/1.1" and "host" not in headers:
        raise BadRequest(400, "An HTTP/1.1 request must have a Host header.")
    return Head(method, target, version, headers)


#: Headers a request may have once only (a repeat that differs is refused).
_SINGLE = frozenset({"content-length", "host"})


def _fields(rfile: Readable, what: str) -> dict[str, str]:
    """Header (or trailer) lines up to the blank line, by lower-cased name."""
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        line = _line(rfile.readline(MAX_LINE + 1), what)
        if not line:
            return headers
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.match(name):
            msg = (
                f"Bad {what} {line[:80]!r}: expected 'Name: value' (a folded "
                "line or a space before the colon is refused)."
            )
            raise BadRequest(400, msg)
        value = value.strip(" \t")
        if not _VALUE.match(value):
            msg = f"Bad {what} {line[:80]!r}: a NUL, CR, LF, VT or FF in the value."
            raise BadRequest(400, msg)
        key = name.lower()
        before = headers.get(key)
        if before is None:
            headers[key] = value
        elif key in _SINGLE:
            if before != value:
                msg = f"Two {name} headers that differ: {before!r} and {value!r}."
                raise BadRequest(400, msg)
        else:
            headers[key] = f"{before}, {value}"
    msg = f"More than {MAX_HEADERS} {what}s."
    raise BadRequest(431, msg)


def read_body(head: Head, rfile: Readable, limit: int) -> bytes:
    """The body of ``head``'s request, by length or chunked, at most ``limit`` bytes.

    Raises:
        BadRequest: A bad length or chunk (400), a body over ``limit`` (413),
            a transfer coding other than chunked (501).
    """
    headers = head.headers
    coding = headers.get("transfer-encoding")
    if coding is not None:
        if head.version != "HTTP/1.1" or coding.lower() != "chunked":
            msg = (
                f"Transfer-Encoding {coding!r} is not served; send chunked or a length."
            )
            raise BadRequest(501 if head.version == "HTTP/1.1" else 400, msg)
        return _chunked(rfile, limit)
    length = headers.get("content-length", "0")
    if not _DIGITS.match(length):
        msg = f"Content-Length must be a number of bytes; got {length!r}."
        raise BadRequest(400, msg)
    size = int(length)
    if size > limit:
        msg = f"The body has {size:,} bytes; this server reads {limit:,}."
        raise BadRequest(413, msg)
    data = rfile.read(size)
    if len(data) < size:
        msg = f"The body ended after {len(data):,} of {size:,} bytes."
        raise BadRequest(400, msg)
    return data


def _chunked(rfile: Readable, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(1025)
        match = _CHUNK.match(line)
        if match is None:
            msg = (
                "A chunk size must be 1 to 16 hex digits on a line of its own; "
                f"got {line[:80]!r}."
            )
            raise BadRequest(400, msg)
        size = int(match[1], 16)
        if size == 0:
            _fields(rfile, "trailer line")
            return b"".join(chunks)
        total += size
        if total > limit:
            msg = f"The body has over the {limit:,} bytes this server reads."
            raise BadRequest(413, msg)
        chunk = rfile.read(size)
        end = rfile.read(1)
        if end == b"\r":
            end += rfile.read(1)
        if len(chunk) < size or end not in (b"\r\n", b"\n"):
            msg = f"A chunk of {size:,} bytes ended early or without a line break."
            raise BadRequest(400, msg)
        chunks.append(chunk)


def check_head(headers: Mapping[str, str]) -> None:
    """Refuse a header of an answer that would break its head.

    Raises:
        ValueError: A name that is no token, or a value with a NUL, CR, LF,
            VT or FF (which would end the header, or the head, early).
    """
    for name, value in headers.items():
        if not _TOKEN.match(name) or not _VALUE.match(value):
            msg = f"The answer's header {name!r}: {value!r} cannot be sent."
            raise ValueError(msg)
