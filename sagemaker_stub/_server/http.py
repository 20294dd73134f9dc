"""HTTP/1.1 for the local server: connections read, routed, answered.

A threaded HTTP/1.1 server from the standard library, a thread per
connection up to a cap, reading each request strictly (:mod:`.wire`) and
checking who sent it (:mod:`.access`) before anything acts on it. It
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

import contextlib
import json
import logging
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from sagemaker_stub._engine.eventstream import EventStreamBody
from sagemaker_stub._engine.request import Answer

from .access import Access
from .control import error_answer, json_answer
from .routes import Routes
from .wire import MAX_LINE, BadRequest, Head, check_head, read_body, read_head

__all__ = ["LOGGER", "MAX_BODY_BYTES", "HttpServer"]

#: Where the server reports what it could not answer.
LOGGER = logging.getLogger("sagemaker_stub.server")

#: The largest request body read: the service's own limit is 25 MB.
MAX_BODY_BYTES = 64 * 1024 * 1024


#: Seconds an idle keep-alive connection stays open, and the longest wait
#: for the next bytes of a request.
IDLE_SECONDS = 30
#: Connections served at once; one more is answered 503 and closed.
MAX_CONNECTIONS = 1024


class _Handler(BaseHTTPRequestHandler):
    """One connection: requests read, checked, routed, answered."""

    protocol_version = "HTTP/1.1"
    server_version = "sagemaker-stub"
    timeout = IDLE_SECONDS
    server: HttpServer

    def setup(self) -> None:
        super().setup()
        # Each event-stream frame is sent as it is encoded, not held back.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # A connection accepted as the server stops is closed at once.
        self.close_connection = not self.server.track(self.connection)

    def finish(self) -> None:
        self.server.untrack(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the call history is the log."""

    def handle(self) -> None:
        """Requests in turn until the connection closes."""
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self) -> None:
        """Read one request strictly and answer it; ``close_connection`` says
        whether the connection ends."""
        self.close_connection = True
        self.command = ""
        # A client that goes away (or idles past the timeout) raises OSError
        # from a read: the server's handle_error lets it go quietly.
        first = self.rfile.readline(MAX_LINE + 1)
        if not first:
            return
        try:
            head = read_head(first, self.rfile)
        except BadRequest as bad:
            self._send(json_answer(bad.status, {"message": str(bad)}))
            return
        self.command = head.method
        connection = head.headers.get("connection", "").lower()
        self.close_connection = connection == "close" or (
            head.version == "HTTP/1.0" and connection != "keep-alive"
        )
        self._send(self._answer(head))

    def _answer(self, head: Head) -> Answer:
        """The answer to ``head``'s request."""
        refused = self.server.access.refusal(urlsplit(head.target).path, head.headers)
        if refused is not None:
            self.close_connection = True
            return json_answer(refused[0], {"message": refused[1]})
        expect = head.headers.get("expect", "").lower()
        if expect == "100-continue" and head.version == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            body = read_body(head, self.rfile, MAX_BODY_BYTES)
        except BadRequest as bad:
            self.close_connection = True
            return json_answer(bad.status, {"message": str(bad)})
        try:
            return self.server.routes.handle(
                head.method, head.target, head.headers, body
            )
        except Exception as exc:
            LOGGER.exception(
                "sagemaker-stub could not answer %s %s", head.method, head.target
            )
            return error_answer(500, "InternalFailure", f"sagemaker-stub: {exc!r}")

    def _send(self, answer: Answer) -> None:
        try:
            check_head(answer.headers)
        except ValueError as exc:
            LOGGER.error("sagemaker-stub refused to send an answer: %s", exc)
            self.close_connection = True
            answer = error_answer(500, "InternalFailure", f"sagemaker-stub: {exc}")
        if isinstance(answer.body, bytes):
            answer.headers.setdefault("content-length", str(len(answer.body)))
        if self.close_connection:
            answer.headers["connection"] = "close"
        head = [f"{self.protocol_version} {answer.status} {_reason(answer.status)}"]
        head.append(f"server: {self.server_version}")
        head.extend(f"{name}: {value}" for name, value in answer.headers.items())
        # Status, headers and a whole body go out in one write: small writes
        # in turn would wait on the client's delayed acknowledgement.
        data = "\r\n".join(head).encode("latin-1") + b"\r\n\r\n"
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
    """A thread per connection, up to ``max_connections``, each one tracked.

    Args:
        address: Where to listen.
        routes: Where each request goes.
        access: Who may call.
        max_connections: Connections served at once; one more is answered
            503 (with ``Retry-After``, which botocore retries) and closed.
    """

    daemon_threads = False
    block_on_close = True
    #: Connections waiting to be accepted: clients open many at once.
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        routes: Routes,
        access: Access,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.routes = routes
        self.access = access
        self._slots = threading.BoundedSemaphore(max_connections)
        self._max_connections = max_connections
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopping = False
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away is no error; anything else is printed."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread, if one is free; else 503."""
        if not self._slots.acquire(blocking=False):
            self._busy(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:  # pragma: no cover - the OS refused a thread
            self._slots.release()  # no thread started: its slot is free again
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _busy(self, request: socket.socket) -> None:
        message = (
            f"This server serves {self._max_connections:,} connections at once; retry."
        )
        body = json.dumps({"message": message}).encode()
        head = (
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nretry-after: 1\r\nconnection: close"
            "\r\n\r\n"
        )
        with contextlib.suppress(OSError):
            request.settimeout(1)
            request.sendall(head.encode() + body)
        self.shutdown_request(request)

    def track(self, connection: socket.socket) -> bool:
        """Note an open connection; False if the server is stopping."""
        with self._lock:
            if self._stopping:
                return False
            self._connections.add(connection)
            return True

    def untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Stop taking connections, and hang up on every open one."""
        with self._lock:
            self._stopping = True
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
