"""HTTP/1.1 for the local server: connections read, routed, answered.

A threaded HTTP/1.1 server from the standard library, on localhost. It
answers:

- the service's REST protocol, ``POST /endpoints/{name}/invocations``,
  ``/async-invocations`` and ``/invocations-response-stream``, through the
  HTTP door and the engine every other door uses (a response stream is sent
  with chunked transfer encoding, one event-stream frame per chunk, each
  flushed as it is encoded);
- path-style S3 ``GET``, ``HEAD``, ``PUT`` and ``DELETE`` on the buckets the
  server owns, and ``ListObjectsV2``, so an S3 client pointed at the server
  reads async outputs and runs its waiters;
- moto's control endpoints for this service, and JSON endpoints of its own
  under ``/_sagemaker_stub/`` (see docs/server.md).

This module reads requests off sockets and writes answers back; where each
request goes is :class:`~.routes.Routes`'s. A bad request gets a clean 4xx
(or the service's error shape), and no exception reaches the server loop: an
unexpected one is answered 500 and logged, with its traceback, to the
``sagemaker_stub.server`` logger (which Python prints to stderr unless the
application configured logging).
"""

from __future__ import annotations

import logging
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sagemaker_stub._engine.eventstream import EventStreamBody
from sagemaker_stub._engine.request import Answer

from .control import error_answer, json_answer
from .routes import Routes

__all__ = ["LOGGER", "MAX_BODY_BYTES", "HttpServer"]

#: Where the server reports what it could not answer.
LOGGER = logging.getLogger("sagemaker_stub.server")

#: The largest request body read: the service's own limit is 25 MB.
MAX_BODY_BYTES = 64 * 1024 * 1024


class _Refused(Exception):
    """A request answered with a plain HTTP error before it reached anything."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


#: The longest header line, and the most header lines, a request may have.
_MAX_LINE = 65536
_MAX_HEADERS = 100


class _Headers(dict[str, str]):
    """A request's headers, by lower-cased name."""

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


class _Handler(BaseHTTPRequestHandler):
    """One connection: requests read, routed to the server, answered."""

    protocol_version = "HTTP/1.1"
    server_version = "sagemaker-stub"
    #: Seconds an idle keep-alive connection stays open.
    timeout = 30
    server: HttpServer

    def setup(self) -> None:
        super().setup()
        # Each event-stream frame is sent as it is encoded, not held back.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    #: The request line, as the standard library reads it.
    raw_requestline: bytes
    #: The headers :meth:`parse_request` read.
    request_headers: _Headers

    #: The version of a request line too broken to say one.
    default_request_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the call history is the log."""

    def parse_request(self) -> bool:
        """Read the request line and headers, as the standard library does, faster.

        The standard library parses headers with the email package, which
        costs as much as the rest of a call here; a request's headers are
        read into a dict of lower-cased names instead.
        """
        self.command = None  # type: ignore[assignment]
        self.request_version = self.default_request_version
        self.close_connection = True
        line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = line
        words = line.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self.send_error(400, f"Bad request line {line!r}.")
            return False
        self.command, self.path, self.request_version = words
        headers = _Headers()
        for _ in range(_MAX_HEADERS):
            raw = self.rfile.readline(_MAX_LINE + 1)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, colon, value = str(raw, "iso-8859-1").partition(":")
            if len(raw) > _MAX_LINE or not colon:
                self.send_error(431 if colon else 400, f"Bad header line {raw[:80]!r}.")
                return False
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        else:
            self.send_error(431, f"More than {_MAX_HEADERS} headers.")
            return False
        self.request_headers = headers
        self.headers = headers  # type: ignore[assignment] # read as a mapping
        connection = headers.get("connection", "").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive"
        )
        expect = headers.get("expect", "").lower()
        if expect == "100-continue" and self.request_version == "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def send_error(
        self, code: int, message: str | None = None, explain: str | None = None
    ) -> None:
        """A request the standard library refused to parse: JSON, then close."""
        self.close_connection = True
        text = message or explain or self.responses.get(code, ("Error",))[0]
        self._send(json_answer(code, {"message": text}))

    def do_POST(self) -> None:
        self._dispatch()

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_POST

    def _dispatch(self) -> None:
        try:
            body = self._body()
            answer = self.server.routes.handle(
                self.command, self.path, self.request_headers, body
            )
        except _Refused as refused:
            self.close_connection = True
            answer = json_answer(refused.status, {"message": str(refused)})
        except Exception as exc:
            LOGGER.exception(
                "sagemaker-stub could not answer %s %s", self.command, self.path
            )
            answer = error_answer(500, "InternalFailure", f"sagemaker-stub: {exc!r}")
        self._send(answer)

    def _body(self) -> bytes:
        """The request body, by length or chunked; refused when too large."""
        headers = self.request_headers
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._chunked()
        length = headers.get("content-length", "0")
        if not length.isdigit():
            msg = f"Content-Length must be a number of bytes; got {length!r}."
            raise _Refused(400, msg)
        size = int(length)
        if size > MAX_BODY_BYTES:
            msg = f"The body has {size:,} bytes; this server reads {MAX_BODY_BYTES:,}."
            raise _Refused(413, msg)
        data = self.rfile.read(size)
        if len(data) < size:
            msg = f"The body ended after {len(data):,} of {size:,} bytes."
            raise _Refused(400, msg)
        return data

    def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                msg = f"A chunk size must be hexadecimal; got {line!r}."
                raise _Refused(400, msg) from None
            total += size
            if total > MAX_BODY_BYTES:
                msg = (
                    f"The body has over the {MAX_BODY_BYTES:,} bytes this server reads."
                )
                raise _Refused(413, msg)
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(16)

    def _send(self, answer: Answer) -> None:
        if isinstance(answer.body, bytes):
            answer.headers.setdefault("content-length", str(len(answer.body)))
        if self.close_connection:
            answer.headers["connection"] = "close"
        head = [f"{self.protocol_version} {answer.status} {_reason(answer.status)}"]
        head.append(f"server: {self.server_version}")
        head.extend(f"{name}: {value}" for name, value in answer.headers.items())
        # Status, headers and a whole body go out in one write: small writes
        # in turn would wait on the client's delayed acknowledgement.
        data = "\r\n".join(head).encode("latin-1", "replace") + b"\r\n\r\n"
        try:
            if isinstance(answer.body, bytes):
                self.wfile.write(data if self.command == "HEAD" else data + answer.body)
                return
            self.wfile.write(data)
            self._stream(answer.body)
        except OSError:  # the client hung up (a broken pipe, a reset)
            self.close_connection = True

    def _stream(self, body: EventStreamBody) -> None:
        """One chunk per event-stream frame, each flushed as it is encoded."""
        write = self.wfile.write
        try:
            for frame in body.stream():
                write(b"%x\r\n%s\r\n" % (len(frame), frame))
                self.wfile.flush()
            write(b"0\r\n\r\n")
        except OSError:
            body.close()  # the call history shows how far the client got
            raise


def _reason(status: int) -> str:
    """The reason phrase of an HTTP status."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a status HTTP does not name, such as 530
        return "Error"


class HttpServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its open connections, to close them."""

    daemon_threads = False
    block_on_close = True
    #: Connections waiting to be accepted: clients open many at once.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is no error; anything else is printed."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], routes: Routes) -> None:
        self.routes = routes
        self.connections: set[socket.socket] = set()
        super().__init__(address, _Handler)
