"""``serve()``: the same queues over real HTTP, for clients botocore never sees.

:class:`SageMakerRuntimeServer` is a facade, as the stub is: it holds the
engine's :class:`~._engine.control.Control`, the HTTP door, the routes, the
HTTP server and, while a cassette records, the upstream clients, and offers
what makes sense over HTTP (the control surface, ``url``, ``start`` and
``stop``). How requests are read and answered is ``_server``'s.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from typing_extensions import Self, Unpack

from ._cassettes.tape import tape_for
from ._delegate import OptionsView, forward, forward_property
from ._doors.http import HttpDoor
from ._engine.control import Control
from ._engine.engine import Engine
from ._engine.responders import Responding
from ._errors import SageMakerStubError
from ._options import SERVE_OPTIONS, Options, ServeOptions
from ._server.access import Access, is_loopback
from ._server.http import MAX_CONNECTIONS, HttpServer
from ._server.routes import Routes
from ._server.upstream import Upstream
from ._text import describe
from ._wiring import runtime_model

__all__ = ["SageMakerRuntimeServer", "serve"]


class SageMakerRuntimeServer(OptionsView):
    """A local SageMaker Runtime endpoint over HTTP. Made by :func:`serve`.

    It has the stub's control API (``queue``, ``queue_async``,
    ``queue_stream``, ``add_endpoint``, ``add_fault``, ``calls``, ...), and
    answers every client that can reach :attr:`url`. S3 is served over HTTP
    (path-style) for the buckets it owns, so it has no ``attach_s3``.

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        options: Options,
        host: str,
        port: int,
        upstream_url: str | None = None,
        *,
        access: Access | None = None,
        upstream_region: str | None = None,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        engine = Engine(runtime_model(), options)
        self._options = options
        self._tape = tape_for(options.cassette, engine)
        self._control = Control(engine)
        self._responding = Responding(engine)
        self._access = access or Access(host)
        self._upstream = None
        if self._tape is not None and self._tape.records:
            self._upstream = Upstream(
                engine, self._tape, upstream_url, upstream_region, self._access
            )
        forward_to = None if self._upstream is None else self._upstream.answer
        #: Set while the server stops: a call's injected latency ends then.
        self._stopping = threading.Event()
        self._routes = Routes(
            self._control, HttpDoor(engine, forward_to), self._stopping
        )
        self._address = (host, port)
        self._max_connections = max_connections
        self._server: HttpServer | None = None
        self._thread: threading.Thread | None = None

    # -- what it offers -------------------------------------------------------------

    queue = forward(Control.queue)
    queue_async = forward(Control.queue_async)
    queue_stream = forward(Control.queue_stream)
    load_moto_results = forward(Control.load_moto_results)
    load_moto_async_results = forward(Control.load_moto_async_results)
    add_endpoint = forward(Control.add_endpoint)
    remove_endpoint = forward(Control.remove_endpoint)
    sessions = forward_property(Control.sessions)
    add_fault = forward(Control.add_fault)
    clear_faults = forward(Control.clear_faults)
    add_responder = forward(Responding.add_responder, "_responding")
    clear_responders = forward(Responding.clear_responders, "_responding")
    reset = forward(Control.reset)
    calls = forward_property(Control.calls)
    pending_results = forward(Control.pending_results)
    assert_no_pending_results = forward(Control.assert_no_pending_results)
    read_output = forward(Control.read_output)
    store_input = forward(Control.store_input)
    configure_async_output = forward(Control.configure_async_output)
    complete = forward(Control.complete)

    @property
    def url(self) -> str:
        """``http://host:port`` of the running server."""
        if self._server is None:
            msg = "The server is not running: start() it, or use it in a with block."
            raise SageMakerStubError(msg)
        return f"http://{self._address[0]}:{self._server.server_port}"

    @property
    def control_token(self) -> str | None:
        """The token the control API requires over HTTP; None if it needs none.

        .. versionadded:: 0.3.0
        """
        return self._access.token

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None

    def start(self) -> None:
        """Listen and serve, in a thread of the server's own."""
        if self._server is not None:
            msg = f"The server is already running at {self.url}; start() it once."
            raise SageMakerStubError(msg)
        server = HttpServer(
            self._address, self._routes, self._access, self._max_connections
        )
        self._stopping.clear()
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
        self._stopping.set()  # wakes calls sleeping out an injected latency
        server.shutdown()
        thread.join()
        server.close_connections()
        server.server_close()  # joins the request threads
        if self._tape is not None:  # what the cassette recorded is written now
            self._tape.save()
        if self._upstream is not None:
            self._upstream.close()

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
    upstream_url: str | None = None,
    upstream_region: str | None = None,
    allowed_hosts: Iterable[str] = (),
    allowed_origins: Iterable[str] = (),
    control_token: str | bool | None = None,
    max_connections: int = MAX_CONNECTIONS,
    **options: Unpack[ServeOptions],
) -> SageMakerRuntimeServer:
    """A local SageMaker Runtime server, answered from the stub's queues.

    Use it as a context manager: the server listens from ``__enter__`` to
    ``__exit__``, on ``host`` and ``port`` (0 picks a free port; read
    :attr:`SageMakerRuntimeServer.url`). Point any client at the URL: a boto3
    client with ``endpoint_url=server.url``, an SDK in another language, raw
    signed or unsigned HTTP. Signatures are accepted without being checked.

    Requests from a web browser and requests for a foreign ``Host`` are
    refused, and beyond loopback the control API needs a token (see
    "Security" in docs/server.md).

    Args:
        host: The address to listen on; the default accepts local
            connections only.
        port: The port; 0 for a free one.
        upstream_url: Where recorded calls are forwarded (and async outputs
            fetched from); by default SageMaker's endpoint.
        upstream_region: The region recorded calls are forwarded to; by
            default the region of the server's own environment
            (``AWS_DEFAULT_REGION`` or its config file).
            ``"caller"`` uses the region each call was signed for.
        allowed_hosts: ``Host`` names to answer besides IP addresses,
            ``localhost`` and ``host`` (a compose service name, say); ``"*"``
            answers any.
        allowed_origins: Browser origins (``"http://localhost:3000"``)
            whose requests are served; ``"*"`` serves any. None by default.
        control_token: The token the control API requires over HTTP, in the
            ``X-SageMaker-Stub-Token`` header. By default (None) a random
            one when ``host`` is not a loopback address, and none on
            loopback; False for none anywhere.
        max_connections: Connections served at once; one more is answered
            503 with ``Retry-After``.
        options: The options of :class:`SageMakerRuntimeStub` that make sense
            over HTTP: ``allow_defaults``, ``moto_compatible``, ``account_id``,
            ``keep_bodies``, ``validate``, ``session_ttl_seconds`` and
            ``cassette`` (retries are the client's own over HTTP). While the
            cassette records, a signed call it has no recording for is
            forwarded to the endpoint, signed with the credentials of the
            server's own environment, and recorded; the file is written when
            the server stops.

    .. versionadded:: 0.2.0
    .. versionchanged:: 0.3.0
       ``upstream_region``, ``allowed_hosts``, ``allowed_origins``,
       ``control_token`` and ``max_connections``.
    """
    checked = Options.of("serve", options, takes=SERVE_OPTIONS)
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
    _check_int("port", port, "a port number", 0, 65535)
    _check_int("max_connections", max_connections, "a whole number", 1, 1_000_000)
    address: Any = host
    if not isinstance(address, str) or not address:
        msg = f"serve(host=...) must be a host name or address; got {describe(host)}."
        raise TypeError(msg)
    region: object = upstream_region
    if region is not None and (not isinstance(region, str) or not region):
        msg = (
            "serve(upstream_region=...) must be a region name or 'caller'; got "
            f"{describe(upstream_region)}."
        )
        raise TypeError(msg)
    token: object = control_token
    if token is True or (token is not None and not isinstance(token, (str, bool))):
        msg = (
            "serve(control_token=...) must be a str, False or None; got "
            f"{describe(control_token)}."
        )
        raise TypeError(msg)
    if isinstance(token, str) and len(token) < 16:
        msg = (
            "serve(control_token=...) must have 16 characters or more; got "
            f"{len(token)}."
        )
        raise ValueError(msg)
    if token is None:
        token = None if is_loopback(host) else secrets.token_urlsafe(24)
    access = Access(
        host,
        _names("allowed_hosts", allowed_hosts),
        _names("allowed_origins", allowed_origins),
        token or None,  # type: ignore[arg-type]
    )
    return SageMakerRuntimeServer(
        checked,
        host,
        port,
        upstream_url,
        access=access,
        upstream_region=upstream_region,
        max_connections=max_connections,
    )


def _check_int(name: str, value: object, what: str, lowest: int, highest: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not lowest <= value <= highest
    ):
        msg = (
            f"serve({name}=...) must be {what} from {lowest} to {highest}; "
            f"got {describe(value)}."
        )
        raise ValueError(msg)


def _names(name: str, values: object) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        msg = f"serve({name}=...) must be a list of strings; got {describe(values)}."
        raise TypeError(msg)
    names = tuple(values)
    for value in names:
        if not isinstance(value, str) or not value:
            msg = (
                f"serve({name}=...) must hold non-empty strings; got "
                f"{describe(value)} in it."
            )
            raise TypeError(msg)
    return names
