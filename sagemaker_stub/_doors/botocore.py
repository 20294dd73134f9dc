"""Every botocore internal the project relies on, in one place.

botocore documents its clients, events and ``Stubber`` API, but a stub that
answers inside a client also leans on details that are not promised. Each is
named here with why it is needed and what happens if botocore moves it, so an
upgrade that breaks one breaks it here. No other module of the package reads
a private botocore attribute or the shape of a botocore-internal dict, except
``watches.py``, which wraps botocore's classes for the whole process.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import botocore
from botocore.awsrequest import AWSResponse, HeadersDict

# ``convert_to_response_dict`` turns an ``AWSResponse`` into the dict botocore's
# parsers read. It is a module-level helper of botocore.endpoint, used by the
# endpoint for every real response, but not documented API. If it moves the
# import fails at once, loudly, rather than parsing differently.
from botocore.endpoint import convert_to_response_dict
from botocore.exceptions import HTTPClientError
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import ResponseParser, create_parser
from botocore.stub import Stubber

__all__ = [
    "Handler",
    "Hook",
    "LazyHeaders",
    "LazyResponse",
    "RequestDict",
    "Section",
    "as_on_the_wire",
    "async_body_reader",
    "convert_to_response_dict",
    "door_handlers",
    "is_aio_client",
    "lacks_credentials",
    "needs_retry_kwargs",
    "parser_for",
    "register",
    "registered_handler",
    "request_body",
    "request_parts",
    "request_url",
    "retry_handler_id",
    "set_request_body",
    "stubber_active",
    "stubber_check_params",
    "stubber_forget",
    "stubber_queue",
    "stubber_response",
    "unsigned",
]

#: The serialised request botocore hands to ``before-call`` handlers (keys
#: ``url``, ``headers``, ``body``, ...). Its shape is internal to botocore; only
#: the three readers below look inside it.
RequestDict = dict[str, Any]
#: What a ``before-call`` handler returns to answer a call.
Hook = tuple[AWSResponse, dict[str, Any]]


def request_url(request_dict: RequestDict) -> str:
    """The URL the request would go to."""
    url: str = request_dict["url"]
    return url


#: A header value HTTP would change or refuse: edge whitespace, a line break.
_ODD_HEADER = re.compile(r"\A[ \t]|[ \t]\Z|[\r\n]")
#: What http.client refuses to send in a header value (a line break that does
#: not fold the line).
_UNSENDABLE = re.compile(r"\n(?![ \t])|\r(?![ \t\n])")


def as_on_the_wire(
    header_members: Iterable[str],
    params: Mapping[str, Any],
    headers: dict[str, str],
) -> tuple[Mapping[str, Any], dict[str, str]]:
    """The parameters and headers as the service would receive them over HTTP.

    A header's leading and trailing spaces and tabs are not part of its
    value, so they are dropped from the header and its parameter; a value
    botocore's HTTP client would refuse to send raises what botocore raises
    then. ``header_members`` names the parameters sent as headers.

    Raises:
        HTTPClientError: A header value with a line break.
    """
    if not any(_ODD_HEADER.search(value) for value in headers.values()):
        return params, headers
    for value in headers.values():
        if _UNSENDABLE.search(value):
            sent = value.encode("latin-1", "replace")
            raise HTTPClientError(error=ValueError(f"Invalid header value {sent!r}"))
    headers = {wire: value.strip(" \t") for wire, value in headers.items()}
    params = dict(params)
    for name in header_members:
        given = params.get(name)
        if isinstance(given, str):
            params[name] = given.strip(" \t")
    return params, headers


def request_parts(request_dict: RequestDict) -> tuple[str, dict[str, str], bytes]:
    """The URL, the serialised headers and the body's bytes, in one call."""
    return request_dict["url"], request_dict["headers"], request_body(request_dict)


def request_body(request_dict: RequestDict) -> bytes:
    """The request body's bytes, leaving a file-like body readable.

    botocore's serializer has already encoded a ``str`` body and put ``b""``
    where there is none, so the body is bytes-like or a file-like object. A
    file that cannot seek is read once and replaced by its bytes, so botocore
    can still send it.
    """
    body = request_dict["body"]
    if type(body) is bytes:
        return body
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    seekable = getattr(body, "seekable", None)
    if callable(seekable) and seekable():
        position = body.tell()
        data = body.read()
        body.seek(position)
    else:
        data = body.read()
        request_dict["body"] = data
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def async_body_reader(request_dict: RequestDict) -> Callable[[], Any] | None:
    """The body's ``read`` when it must be awaited (an async file), else None.

    aiobotocore sends a body whose ``read`` is a coroutine function; the
    async doors read it before :func:`request_body` is asked for the bytes.
    """
    body = request_dict["body"]
    if type(body) is bytes:
        return None
    read = getattr(body, "read", None)
    return read if inspect.iscoroutinefunction(read) else None


def set_request_body(request_dict: RequestDict, data: bytes) -> None:
    """Replace the body with its bytes, which the client can still send."""
    request_dict["body"] = data


class LazyHeaders:
    """Builds an ``AWSResponse``'s ``HeadersDict`` when first read.

    botocore reads a response's headers only to parse it, and a parsed
    response reused from a template is never parsed again; building the
    case-insensitive ``HeadersDict`` costs more than the rest of the response.
    It relies on ``AWSResponse`` keeping ``url``, ``status_code``, ``headers``,
    ``raw`` and ``_content`` as plain attributes; if they change, responses
    lose attributes and tests/test_invoke.py fails. Mixed into botocore's
    ``AWSResponse`` here, and into aiobotocore's ``AioAWSResponse``.
    """

    headers: HeadersDict

    def __init__(
        self, url: str, status_code: int, headers: dict[str, str], raw: Any
    ) -> None:
        # ``headers`` is left unset: reading it calls __getattr__ once, which
        # builds the HeadersDict and keeps it as the plain attribute.
        self.url = url
        self.status_code = status_code
        self.raw = raw
        self._content = None
        self.plain_headers = headers

    def __getattr__(self, name: str) -> Any:
        if name != "headers":
            msg = f"{type(self).__name__!r} object has no attribute {name!r}"
            raise AttributeError(msg)
        self.headers = HeadersDict(self.plain_headers)
        return self.headers


class LazyResponse(LazyHeaders, AWSResponse):
    """botocore's ``AWSResponse``, its headers built when first read."""


def parser_for(service_model: ServiceModel) -> ResponseParser:
    """botocore's response parser for the service's protocol.

    ``resolved_protocol`` arrived in botocore 1.37 (services with several
    protocols); older releases have only ``protocol``.
    """
    protocol = getattr(service_model, "resolved_protocol", None)
    return create_parser(protocol or service_model.protocol)


def is_aio_client(client: Any) -> bool:
    """Whether ``client`` is an aiobotocore (or aioboto3) client.

    An aiobotocore client exists only once aiobotocore is imported, so this
    never imports it. aiobotocore's clients all derive from ``AioBaseClient``.
    """
    module = sys.modules.get("aiobotocore.client")
    base = getattr(module, "AioBaseClient", None)
    return base is not None and isinstance(client, base)


def unsigned(**kwargs: Any) -> object:
    """A ``choose-signer`` handler: send stubbed requests unsigned."""
    return botocore.UNSIGNED


# -- Stubber ------------------------------------------------------------------
# SageMakerRuntimeStub is a Stubber, so add_response / add_client_error and
# assert_no_pending_responses keep working. Stubber keeps its expectations in
# ``_queue`` and answers through two private handler methods; the stub's door
# hands a call to them while an expectation is queued. If they move, every
# call goes to the stub's own queues and Stubber expectations are not served:
# tests/test_stubber.py fails. The door registers its own handlers under ids
# of its own, so it never removes a handler it did not register.


def stubber_queue(stubber: Stubber) -> Sequence[dict[str, Any]]:
    """Expectations added through the Stubber API and not yet served.

    The queue is one object for the Stubber's lifetime (botocore never
    replaces it), so a door may keep it.
    """
    queue: Sequence[dict[str, Any]] = stubber._queue  # type: ignore[attr-defined]
    return queue


def stubber_forget(stubber: Stubber) -> None:
    """Drop every expectation added through the Stubber API."""
    stubber._queue.clear()  # type: ignore[attr-defined]


def stubber_check_params(
    stubber: Stubber,
    model: OperationModel,
    params: dict[str, Any],
    context: dict[str, Any],
    **kwargs: Any,
) -> None:
    """Stubber's own check of the next expectation's parameters."""
    Stubber._assert_expected_params(  # type: ignore[attr-defined]
        stubber, model, params, context, **kwargs
    )


def stubber_response(
    stubber: Stubber,
    model: OperationModel,
    params: RequestDict,
    context: dict[str, Any],
    **kwargs: Any,
) -> Hook:
    """Stubber's own answer: the next expectation, or UnStubbedResponseError."""
    response: Hook = Stubber._get_response_handler(  # type: ignore[attr-defined]
        stubber, model, params, context, **kwargs
    )
    return response


def stubber_active(client: Any) -> bool:
    """Whether a botocore ``Stubber`` is active on ``client``.

    Every Stubber registers its ``before-call`` handler under the same unique
    id (``Stubber._event_id``, "boto_stubber"); a second one registered under
    it would be silently ignored, so the door uses ids of its own and refuses
    to start beside a Stubber. If the id moves, a Stubber goes undetected and
    tests/test_lifecycle.py fails.
    """
    return registered_handler(client.meta.events, "boto_stubber") is not None


#: Where a door registers a handler among the event's handlers: botocore's
#: ``register_first``, ``register`` or ``register_last``.
Section = Literal["first", "middle", "last"]


@attrs.frozen
class Handler:
    """A handler a door registers on a client's events, and where."""

    #: The event, e.g. ``"before-call.*.*"``.
    event: str
    function: Callable[..., Any]
    #: The unique id it is registered under, so that it is registered once.
    unique_id: str
    section: Section


def door_handlers(
    stubber: Stubber | None,
    unique: str,
    before_parameter_build: Callable[..., Any],
    before_call: Callable[..., Any],
) -> tuple[Handler, ...]:
    """What ``Stubber.activate`` registers, with the door's handlers and ids.

    Newer releases' Stubber also sets the account id for endpoint resolution
    (botocore 1.34.0 does not); that handler is included where the release
    has it.

    Without a stubber (a mock's door on a client it does not own), both
    handlers go last, so a ``Stubber`` or a client-bound stub registered on
    the same events (``before-call.*.*``) answers first.
    """
    if stubber is None:
        return (
            Handler(
                "before-parameter-build.*.*",
                before_parameter_build,
                f"{unique}-params",
                "last",
            ),
            Handler("before-call.*.*", before_call, f"{unique}-call", "last"),
        )
    handlers = [
        Handler(
            "before-parameter-build.*.*",
            before_parameter_build,
            f"{unique}-params",
            "first",
        ),
        Handler("before-call.*.*", before_call, f"{unique}-call", "middle"),
    ]
    account_id = getattr(stubber, "_set_account_id_for_endpoint_resolution", None)
    if account_id is not None:  # pragma: no branch - None on botocore 1.34.0
        handlers.append(
            Handler(
                "before-endpoint-resolution.*",
                account_id,
                f"{unique}-account",
                "middle",
            )
        )
    return tuple(handlers)


#: The emitter's bare method for each section, without the ``**kwargs`` check.
_BARE = {"first": "_register_first", "middle": "_register", "last": "_register_last"}


def register(events: Any, handler: Handler) -> None:
    """Register ``handler`` on a client's events, in its section.

    botocore's public ``register`` checks with ``inspect`` that a handler
    takes ``**kwargs``: most of what opening a door costs. Ours all do (a test
    registers every door through the public path), so the client's
    ``EventAliaser`` names the event (``_alias_event_name``) and its
    ``_emitter`` registers it unchecked (``_register*``; all private to
    botocore, unchanged since 1.34). Where one is missing, the public path.
    """
    emitter = getattr(events, "_emitter", None)
    alias = getattr(events, "_alias_event_name", None)
    unchecked = getattr(emitter, _BARE[handler.section], None)
    if alias is not None and unchecked is not None:
        unchecked(alias(handler.event), handler.function, handler.unique_id)
        return
    register_in = {
        "first": events.register_first,
        "middle": events.register,
        "last": events.register_last,
    }[handler.section]
    register_in(handler.event, handler.function, unique_id=handler.unique_id)


def lacks_credentials(client: Any) -> bool:
    """Whether a call ``client`` sends would fail for want of credentials
    (``_request_signer._credentials`` is None: botocore has no public reader).
    A recording stub asks, to say what to set; where the attribute moves, this
    says False and botocore's own error stands."""
    if client.meta.config.signature_version is botocore.UNSIGNED:
        return False
    signer = getattr(client, "_request_signer", None)
    return getattr(signer, "_credentials", False) is None


# -- retry handler --------------------------------------------------------------


def registered_handler(events: Any, unique_id: str) -> Any:
    """The handler registered on a client's events under ``unique_id``, or None.

    botocore offers no public way to read a registered handler back. It keeps
    unique-id handlers in ``_unique_id_handlers`` on the emitter behind the
    client's ``EventAliaser``. The retry door uses it to wrap the client's
    retry handler (``retry-config-<service>``) and record its backoff; if it
    moves, this returns None, retries still work, and the backoff is slept for
    real instead of recorded.
    """
    emitter = getattr(events, "_emitter", events)
    table = getattr(emitter, "_unique_id_handlers", None)
    entry = table.get(unique_id) if isinstance(table, dict) else None
    return entry.get("handler") if isinstance(entry, dict) else None


def retry_handler_id(event_name: str) -> str:
    """The unique id botocore registers a client's retry handler under."""
    return f"retry-config-{event_name}"


def needs_retry_kwargs(
    client: Any, operation: OperationModel, request_dict: RequestDict, response: Hook
) -> dict[str, Any]:
    """What botocore's endpoint emits ``needs-retry`` with, after a first attempt.

    ``Endpoint._needs_retry`` emits the event with the response, the endpoint
    itself, the operation, the attempt number, the exception caught and the
    request dict; the retry handlers of every mode read them. The endpoint is
    the client's ``_endpoint``, which botocore does not document. The retry
    door emits the event for a first attempt it answered before the call (a
    success, which no retry mode of botocore retries), so the retry quota and
    the adaptive rate limiter see it as botocore would. If ``_endpoint`` moves,
    the handlers get None for it, which none of botocore's reads.
    """
    return {
        "response": response,
        "endpoint": getattr(client, "_endpoint", None),
        "operation": operation,
        "attempts": 1,
        "caught_exception": None,
        "request_dict": request_dict,
    }
