"""Every aiobotocore detail the async doors rely on, in one place.

Imported only when an aiobotocore client is given to the stub, so the sync
path never imports aiobotocore. As ``_botocore`` does for botocore, each
detail is named here with why it is needed; no other module imports from
aiobotocore.

The doors answer with an ``AioAWSResponse`` whose raw body has the shape of
the aiohttp ``ClientResponse`` aiobotocore reads (:class:`AioRawBody`), and
let aiobotocore's own parser build the result, so bodies are its
``StreamingBody`` and event streams its ``AioEventStream``.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import aiobotocore
from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.config import AioConfig

# convert_to_response_dict and the parsers are what aiobotocore's endpoint
# uses on every response; both are module-level, async, and not documented
# API. If they move, this import fails at once rather than parsing otherwise.
from aiobotocore.endpoint import convert_to_response_dict

# The event stream class aiobotocore parses a response stream into; a
# recorded stream is one, so ``isinstance`` checks hold.
from aiobotocore.eventstream import AioEventStream
from aiobotocore.httpsession import AIOHTTPSession
from aiobotocore.parsers import create_parser

# aiobotocore's body class for the aiohttp backend: a proxy in 2.x, a
# subclass of botocore's StreamingBody in 3.x; both take (raw, length).
from aiobotocore.response import StreamingBody
from aiobotocore.session import AioSession
from botocore.model import OperationModel, ServiceModel

from sagemaker_stub._engine.answers import modeled_error_shape
from sagemaker_stub._engine.eventstream import EventStreamBody
from sagemaker_stub._options import PLACEHOLDER_KEY

from .botocore import LazyHeaders
from .watches import IN_FLIGHT, watch_credentials, wrap_once

__all__ = [
    "AioAWSResponse",
    "AioEventStream",
    "AioRawBody",
    "LazyAioResponse",
    "StreamingBody",
    "new_aio_client",
    "parse_response",
    "parser_for",
    "resolve",
    "run_apart",
    "watch",
]

T = TypeVar("T")
#: The chunks left of a whole body: none, it is all in the buffer.
_NO_CHUNKS: Iterator[bytes] = iter(())


class AioRawBody:
    """The raw body of an answer, shaped like aiohttp's ``ClientResponse``.

    aiobotocore reads ``read()`` for a whole body and ``content`` (aiohttp's
    ``StreamReader``) for a stream: ``read(n)`` and ``at_eof()`` from its
    ``StreamingBody``, ``iter_chunks()`` from its ``AioEventStream``. One
    object plays both parts, as their ``read`` means the same. aiobotocore
    2.x wraps it in a proxy that forwards ``at_eof``, ``close`` and ``async
    with`` to it, and 2.10 reads the headers from ``raw_headers``. An event
    stream is pulled one message at a time, as it is read.
    """

    def __init__(
        self, url: str, headers: dict[str, str], body: bytes | EventStreamBody
    ) -> None:
        self.url = url
        self.content = self
        self._headers = headers
        self._body = body
        if isinstance(body, bytes):
            self._buffer, self._chunks, self._done = body, _NO_CHUNKS, True
        else:
            self._buffer, self._chunks, self._done = b"", body.stream(), False

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        """The headers as aiohttp keeps them: encoded (name, value) pairs."""
        return tuple(
            (name.encode("utf-8"), value.encode("utf-8"))
            for name, value in self._headers.items()
        )

    def at_eof(self) -> bool:
        """Whether everything has been read."""
        return self._done and not self._buffer

    def _pull(self) -> None:
        """Buffer the next chunk, or note the end."""
        chunk = next(self._chunks, None)
        if chunk is None:
            self._done = True
        else:
            self._buffer += chunk

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all that is left when ``n`` is negative)."""
        if n < 0:
            data = b"".join((self._buffer, *self._chunks))
            self._buffer, self._done = b"", True
            return data
        while not self._buffer and not self._done:
            self._pull()
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data

    async def readany(self) -> bytes:
        """The next chunk, or ``b""`` at the end."""
        while not self._buffer and not self._done:
            self._pull()
        data, self._buffer = self._buffer, b""
        return data

    async def iter_chunks(self) -> AsyncIterator[tuple[bytes, bool]]:
        """Each chunk as it is produced, as aiohttp yields HTTP chunks."""
        while chunk := await self.readany():
            yield chunk, True

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Chunks of at most ``n`` bytes."""
        while chunk := await self.read(n):
            yield chunk

    async def iter_any(self) -> AsyncIterator[bytes]:
        """Each chunk as it is produced."""
        while chunk := await self.readany():
            yield chunk

    def close(self) -> None:
        """Stop the body, as closing the connection would."""
        if isinstance(self._body, EventStreamBody):
            self._body.close()

    release = close

    async def __aenter__(self) -> AioRawBody:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()


class LazyAioResponse(LazyHeaders, AioAWSResponse):  # type: ignore[misc]
    """aiobotocore's ``AioAWSResponse``, its headers built when first read."""


def parser_for(service_model: ServiceModel) -> Any:
    """aiobotocore's async response parser for the service's protocol."""
    protocol = getattr(service_model, "resolved_protocol", None)
    return create_parser(protocol or service_model.protocol)


async def parse_response(
    parser: Any, http: AioAWSResponse, operation: OperationModel
) -> dict[str, Any]:
    """aiobotocore's own parse of a response, modeled error fields included."""
    response_dict = await convert_to_response_dict(http, operation)
    parsed: dict[str, Any] = await resolve(
        parser.parse(response_dict, operation.output_shape)
    )
    error_shape = modeled_error_shape(operation, http.status_code, parsed)
    if error_shape is not None:
        parsed.update(await resolve(parser.parse(response_dict, error_shape)))
    parsed["ResponseMetadata"]["RetryAttempts"] = 0
    return parsed


async def resolve(value: T | Awaitable[T]) -> T:
    """``value``, awaited if aiobotocore returned an awaitable.

    aiobotocore's parsers and retry handlers are coroutines in some releases
    (and retry modes) and plain functions in others: in 2.10 only the
    event-stream parsers are async.
    """
    if inspect.isawaitable(value):
        return await value
    return value


def run_apart(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to its end on an event loop of its own.

    For fixtures that are not coroutines: creating and closing a client that
    never opens a connection does no I/O, so any loop will do, and the test's
    own loop is left alone.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def _release(version: str) -> tuple[int, ...]:
    """``"2.13.0"`` as ``(2, 13)``: the major and minor numbers of a release."""
    return tuple(int(part) for part in version.split(".")[:2])


#: Whether a client opens its HTTP session when it first sends (aiobotocore
#: 2.13 and newer) rather than when it is entered: only then can a client
#: entered outside the test's event loop send on it, as the fixture's
#: recording client does.
AIOBOTOCORE_VERSION: str = aiobotocore.__version__
OPENS_SESSION_ON_USE = _release(AIOBOTOCORE_VERSION) >= (2, 13)


def _closing(config: Any) -> Any:
    """``config`` with aiohttp's ``force_close``, unless it chose another
    HTTP backend (httpx keeps no such option); connector arguments of its
    own replace these."""
    backend = getattr(config, "http_session_cls", AIOHTTPSession)
    if not issubclass(backend, AIOHTTPSession):
        return config
    closing = AioConfig(connector_args={"force_close": True, "keepalive_timeout": None})
    return closing if config is None else closing.merge(config)


def new_aio_client(
    region_name: str = "us-east-1", config: Any = None, *, signed: bool = False
) -> Any:
    """An aiobotocore ``sagemaker-runtime`` client context, needing no credentials.

    Returns aiobotocore's client context manager: enter it with
    ``async with`` (or ``await context.__aenter__()``) for the client. Its
    HTTP session is created only when a request is sent, which a stubbed
    client never does. A ``signed`` client, which records a cassette, finds
    credentials as aiobotocore does, and closes each connection once its
    answer is read: its requests run on the test's event loop, and a fixture
    that is no coroutine closes the client on another, which could not close
    a connection left open on the test's.
    """
    if signed:
        return AioSession().create_client(
            "sagemaker-runtime", region_name=region_name, config=_closing(config)
        )
    # One session for every unsigned client: its loaders read botocore's
    # models once, where a session per client read them again each time.
    return _shared_session().create_client(
        "sagemaker-runtime",
        region_name=region_name,
        config=config,
        aws_access_key_id=PLACEHOLDER_KEY,
        aws_secret_access_key=PLACEHOLDER_KEY,
    )


@functools.cache
def _shared_session() -> AioSession:
    """The session unsigned clients are made from."""
    return AioSession()


# -- the process-wide watches, on aiobotocore's classes ----------------------------
# AioBaseClient overrides ``_make_api_call`` (a coroutine) and AioSession
# ``create_client``: the wrappers in ``watches.py`` do not see them. These do
# the same (see there), for clients made before the package was imported and
# for the credentials of clients a mock answers.


def watch(
    seen: Callable[[Any], None], placeholder: Callable[[str], str | None]
) -> None:
    """Wrap ``AioBaseClient._make_api_call`` and ``AioSession.create_client``."""
    from aiobotocore.client import AioBaseClient  # noqa: PLC0415

    def wrap(original: Any) -> Any:
        async def _make_api_call(
            self: Any, operation_name: str, api_params: Any
        ) -> Any:
            seen(self)
            token = IN_FLIGHT.set((self, operation_name, api_params))
            try:
                return await original(self, operation_name, api_params)
            finally:
                IN_FLIGHT.reset(token)

        return _make_api_call

    wrap_once(AioBaseClient, "_make_api_call", wrap)
    watch_credentials(placeholder, AioSession)
