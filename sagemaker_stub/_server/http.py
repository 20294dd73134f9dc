"""``serve()``: the same queues over real HTTP, for clients botocore never sees.

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

This module reads requests off sockets and writes replies back; where each
request goes is :class:`~sagemaker_stub._routes.Routes`'s. A bad request
gets a clean 4xx (or the service's error shape), and no exception reaches
the server loop.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from typing_extensions import Self

from .._cassettes.interactions import Cassette, cassette_of
from .._doors.http import HttpDoor
from .._engine.engine import Engine
from .._engine.eventstream import EventStreamBody
from .._errors import SageMakerStubError
from .._mock import runtime_model
from .._options import DEFAULT_ACCOUNT_ID, DEFAULT_SESSION_TTL_SECONDS, Options
from .._text import describe
from .routes import Reply, Routes, error_reply, json_reply

__all__ = ["SageMakerRuntimeServer", "serve"]

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
    server: _Server

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
        self._send(json_reply(code, {"message": text}))

    def do_POST(self) -> None:
        self._dispatch()

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_POST

    def _dispatch(self) -> None:
        try:
            body = self._body()
            reply = self.server.app.handle(
                self.command, self.path, self.request_headers, body
            )
        except _Refused as refused:
            self.close_connection = True
            reply = json_reply(refused.status, {"message": str(refused)})
        except Exception as exc:
            reply = error_reply(500, "InternalFailure", f"sagemaker-stub: {exc!r}")
        self._send(reply)

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
            except ValueError as exc:
                msg = f"A chunk size must be hexadecimal; got {line!r}."
                raise _Refused(400, msg) from exc
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

    def _send(self, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            reply.headers.setdefault("content-length", str(len(reply.body)))
        if self.close_connection:
            reply.headers["connection"] = "close"
        head = [f"{self.protocol_version} {reply.status} {_reason(reply.status)}"]
        head.append(f"server: {self.server_version}")
        head.extend(f"{name}: {value}" for name, value in reply.headers.items())
        # Status, headers and a whole body go out in one write: small writes
        # in turn would wait on the client's delayed acknowledgement.
        data = "\r\n".join(head).encode("latin-1", "replace") + b"\r\n\r\n"
        try:
            if isinstance(reply.body, bytes):
                self.wfile.write(data if self.command == "HEAD" else data + reply.body)
                return
            self.wfile.write(data)
            self._stream(reply.body)
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


class _Server(ThreadingHTTPServer):
    """A ThreadingHTTPServer that knows its open connections, to close them."""

    daemon_threads = False
    block_on_close = True
    #: Connections waiting to be accepted: clients open many at once.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is no error; anything else is printed."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], app: SageMakerRuntimeServer) -> None:
        self.app = app
        self.connections: set[socket.socket] = set()
        super().__init__(address, _Handler)


class SageMakerRuntimeServer(Routes):
    """A local SageMaker Runtime endpoint over HTTP. Made by :func:`serve`.

    It has the stub's whole API (``queue``, ``queue_async``,
    ``queue_stream``, ``add_endpoint``, ``add_fault``, ``calls``, ...), and
    answers every client that can reach :attr:`url`.

    .. versionadded:: 0.2.0
    """

    def __init__(
        self, engine: Engine, host: str, port: int, upstream_url: str | None = None
    ) -> None:
        self._bind(engine, None, list)
        tape = engine.tape
        upstream = None
        if tape is not None and tape.records:
            from .upstream import Upstream  # noqa: PLC0415 - only to record

            upstream = Upstream(engine, upstream_url)
        self._door = HttpDoor(engine, upstream)
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._server is None:
            msg = "The server is not running: start() it, or use it in a with block."
            raise SageMakerStubError(msg)
        return f"http://{self._address[0]}:{self._server.server_port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None

    def start(self) -> None:
        """Listen and serve, in a thread of the server's own."""
        if self._server is not None:
            msg = f"The server is already running at {self.url}; start() it once."
            raise SageMakerStubError(msg)
        server = _Server(self._address, self)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sagemaker-stub-server-{server.server_address[1]}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()

    def stop(self) -> None:
        """Stop serving: close every connection, join every thread."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._server = self._thread = None
        server.shutdown()
        thread.join()
        for connection in list(server.connections):
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins the request threads
        tape, upstream = self._engine.tape, self._door.upstream
        if tape is not None:  # what the cassette recorded is written now
            tape.save()
        if upstream is not None:
            upstream.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    allow_defaults: bool = True,
    account_id: str = DEFAULT_ACCOUNT_ID,
    keep_bodies: bool = False,
    validate: bool = True,
    session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
    cassette: str | os.PathLike[str] | Cassette | None = None,
    upstream_url: str | None = None,
) -> SageMakerRuntimeServer:
    """A local SageMaker Runtime server, answered from the stub's queues.

    Use it as a context manager: the server listens from ``__enter__`` to
    ``__exit__``, on ``host`` and ``port`` (0 picks a free port; read
    :attr:`SageMakerRuntimeServer.url`). Point any client at the URL: a boto3
    client with ``endpoint_url=server.url``, an SDK in another language, raw
    signed or unsigned HTTP. Signatures are accepted without being checked.

    Args:
        host: The address to listen on; the default accepts local
            connections only.
        port: The port; 0 for a free one.
        allow_defaults: As for :class:`SageMakerRuntimeStub`, and so are
            ``account_id``, ``keep_bodies``, ``validate`` and
            ``session_ttl_seconds``. Retries are the client's own over HTTP.
        cassette: A cassette (a :class:`Cassette`, or a path to replay
            only), as for :class:`SageMakerRuntimeStub`. While it records,
            a call it has no recording for is forwarded to the endpoint,
            signed with the credentials of the server's own environment, and
            recorded; the file is written when the server stops.
        upstream_url: Where recorded calls are forwarded (and async outputs
            fetched from); by default SageMaker's endpoint in the region the
            call was signed for.

    .. versionadded:: 0.2.0
    """
    options = Options(
        caller="serve",
        allow_defaults=allow_defaults,
        account_id=account_id,
        keep_bodies=keep_bodies,
        validate=validate,
        session_ttl_seconds=session_ttl_seconds,
        cassette=cassette_of(cassette, "serve"),
    )
    upstream: object = upstream_url
    if upstream is not None and (
        not isinstance(upstream, str)
        or not upstream.startswith(("http://", "https://"))
    ):
        msg = (
            "serve(upstream_url=...) must be an http:// or https:// URL; got "
            f"{describe(upstream_url)}."
        )
        raise ValueError(msg)
    given: object = port
    if isinstance(given, bool) or not isinstance(given, int) or not 0 <= given < 65536:
        msg = (
            "serve(port=...) must be a port number from 0 to 65535; "
            f"got {describe(port)}."
        )
        raise ValueError(msg)
    address: object = host
    if not isinstance(address, str) or not address:
        msg = f"serve(host=...) must be a host name or address; got {describe(host)}."
        raise TypeError(msg)
    engine = Engine(runtime_model(), options)
    return SageMakerRuntimeServer(engine, host, port, upstream_url)
