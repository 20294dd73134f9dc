"""Responders: results computed from the request, when nothing is queued.

A responder is a plain function the test gives the stub. A call that is not
remembered and finds nothing queued asks the responders that cover it, the
endpoint's own first, then those for any endpoint, each in the order they
were added; the first that returns a result answers. A responder that
returns ``None`` passes the call on. What a responder returns is remembered
like a queued result (unless it was added with ``remember=False``) and is in
the call history with ``Source.RESPONDED``.

The engine calls a responder outside the result book's lock: it is the
test's code, and may be slow or read the stub's history.
"""

from __future__ import annotations

import inspect
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from sagemaker_stub._errors import ResponderError
from sagemaker_stub._python_internals import origin
from sagemaker_stub._results import AsyncResult, ErrorResult, InvokeResult, StreamResult
from sagemaker_stub._text import describe, preview

from .identity import NOT_JSON, Kind, parsed_json

if TYPE_CHECKING:
    from .engine import Engine
    from .request import Request

__all__ = [
    "Invocation",
    "Responder",
    "Responders",
    "Responding",
    "when_json",
    "when_text",
]

#: What a responder may return: a result, or None to pass the call on.
ResponderResult: TypeAlias = (
    InvokeResult | AsyncResult | StreamResult | ErrorResult | None
)


@attrs.frozen(kw_only=True)
class Invocation:
    """A call as a responder sees it.

    .. versionadded:: 0.3.0
    """

    #: The operation, e.g. ``"InvokeEndpoint"``.
    operation: str
    #: The ``EndpointName``.
    endpoint_name: str
    #: The parameters the caller passed, without ``Body``.
    params: Mapping[str, object]
    #: The request body's bytes. For an async call, the object at its
    #: ``InputLocation`` when the stub holds it (stored with
    #: ``store_input`` or uploaded through an attached S3 client), else
    #: empty.
    body: bytes = attrs.field(repr=preview)
    #: The body parsed as JSON, or None when it is not a JSON document.
    json: Any = attrs.field(repr=False)
    #: 1 for the first call this responder was asked to answer, 2 for the
    #: next, and so on.
    number: int
    #: The region of the client that made the call.
    region: str
    #: 1 for the first attempt, more when the client retried.
    attempt: int = 1

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (an undecodable byte shows as U+FFFD)."""
        return self.body.decode("utf-8", errors="replace")


#: A responder: the result for a call, or None to pass it on.
Responder = Callable[[Invocation], ResponderResult]

#: What a responder may answer each kind with, besides ErrorResult: its own
#: result type, and an InvokeResult (as a queued one falls back).
_ANSWERS: dict[Kind, tuple[type, ...]] = {
    Kind.SYNC: (InvokeResult,),
    Kind.ASYNC: (AsyncResult, InvokeResult),
    Kind.STREAM: (StreamResult, InvokeResult),
}


@attrs.define(eq=False)
class Installed:
    """A responder as the stub holds it."""

    responder: Responder
    endpoint_name: str | None
    kinds: frozenset[Kind]
    remember: bool
    #: Where the test added it (``file:line``).
    origin: str
    #: Numbers its calls (``next`` on a count is atomic in CPython).
    calls: Iterator[int] = attrs.field(factory=lambda: itertools.count(1))

    @property
    def name(self) -> str:
        """How messages name it: its qualified name and where it was added."""
        responder = self.responder
        label = getattr(responder, "__qualname__", None) or repr(responder)
        return f"{label} (added at {self.origin})"


@attrs.frozen
class Response:
    """What a responder answered, and whether the request remembers it."""

    result: InvokeResult | AsyncResult | StreamResult | ErrorResult
    remember: bool


class Responders:
    """The responders a stub holds, in the order they were added."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._for_endpoint: dict[str, list[Installed]] = {}
        self._for_any: list[Installed] = []

    def add(self, installed: Installed) -> None:
        with self._lock:
            name = installed.endpoint_name
            if name is None:
                self._for_any = [*self._for_any, installed]
            else:
                before = self._for_endpoint.get(name, [])
                self._for_endpoint[name] = [*before, installed]

    def clear(self) -> None:
        with self._lock:
            self._for_endpoint = {}
            self._for_any = []

    def covering(self, kind: Kind, endpoint_name: str) -> list[Installed]:
        """The responders asked about a call, in the order they are asked.

        The lists are replaced, never changed in place, so reading them
        needs no lock.
        """
        own = self._for_endpoint.get(endpoint_name, ())
        return [
            installed
            for installed in itertools.chain(own, self._for_any)
            if kind in installed.kinds
        ]

    def respond(
        self,
        covering: Sequence[Installed],
        kind: Kind,
        describe_call: str,
        invocation: Callable[[int], Invocation],
    ) -> Response | None:
        """Ask each responder in turn; the first result, or None if all passed.

        Raises:
            ResponderError: A responder raised, or returned something else
                than a result this call can be answered with (or None).
        """
        for installed in covering:
            number = next(installed.calls)
            try:
                result = installed.responder(invocation(number))
            except Exception as exc:
                msg = (
                    f"The responder {installed.name} raised {type(exc).__name__}: "
                    f"{exc} (answering {describe_call}). The call was not "
                    "answered; the responder's exception is this error's cause."
                )
                raise ResponderError(msg) from exc
            if result is None:
                continue
            _check(installed, kind, result, describe_call)
            assert isinstance(
                result, (InvokeResult, AsyncResult, StreamResult, ErrorResult)
            )
            return Response(result, installed.remember)
        return None


def _check(installed: Installed, kind: Kind, result: object, call: str) -> None:
    """Refuse a value that cannot answer a call of ``kind``."""
    accepted = _ANSWERS[kind]
    if isinstance(result, (*accepted, ErrorResult)):
        return
    names = " or ".join(cls.__name__ for cls in (*accepted, ErrorResult))
    msg = (
        f"The responder {installed.name} returned {describe(result)} "
        f"answering {call}; a responder returns {names}, or None to pass "
        "the call on."
    )
    if inspect.iscoroutine(result):
        msg += " Responders are plain functions, not coroutines."
        result.close()  # no "never awaited" warning besides this error
    raise ResponderError(msg)


def invocation_of(request: Request, body: bytes, number: int) -> Invocation:
    """``request`` as a responder sees it, with ``body`` as its body."""
    params = request.params
    parsed = parsed_json(body) if body else None
    return Invocation(
        operation=request.operation.name,
        endpoint_name=params["EndpointName"],
        params={name: value for name, value in params.items() if name != "Body"},
        body=body,
        json=None if parsed is NOT_JSON else parsed,
        number=number,
        region=request.region,
        attempt=request.attempt,
    )


def check_responder(
    responder: object,
    endpoint_name: str | None,
    kinds: frozenset[Kind],
    remember: object,
    origin: str,
) -> Installed:
    """The responder ``add_responder`` was given, checked and scoped."""
    if not callable(responder):
        msg = (
            "stub.add_responder(responder) must be a function taking an "
            f"Invocation; got {describe(responder)}."
        )
        raise TypeError(msg)
    if not isinstance(remember, bool):
        msg = (
            "stub.add_responder(remember=...) must be a bool; got "
            f"{describe(remember)}."
        )
        raise TypeError(msg)
    if not kinds:
        msg = "stub.add_responder(operations=...) names no operation."
        raise ValueError(msg)
    return Installed(
        responder=responder,
        endpoint_name=endpoint_name,
        kinds=kinds,
        remember=remember,
        origin=origin,
    )


class Responding:
    """The public methods that add and remove responders (a facade's field).

    Args:
        engine: The engine whose calls the responders answer.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add_responder(
        self,
        responder: Responder,
        *,
        endpoint_name: str | None = None,
        operations: Sequence[str] | None = None,
        remember: bool = True,
    ) -> None:
        """Compute results from the request for calls that find nothing queued.

        ``responder`` is given the call as an :class:`Invocation` (endpoint,
        parameters, body and its JSON, its number) and returns the result:
        an :class:`InvokeResult` (which also answers async and streaming
        calls, as a queued one does), an :class:`AsyncResult`, a
        :class:`StreamResult` or an :class:`ErrorResult`; or ``None`` to pass
        the call on to the next responder. A call asks the responders only
        when it is not remembered and nothing is queued for it; the
        endpoint's responders are asked first, then those for any endpoint,
        each in the order added. If every one passes, the call is answered
        as with no responder (``NoResultError``, or the default where
        defaults are allowed). What a responder returns is remembered for
        the request, as a queued result is, and in :attr:`calls` with
        ``source=Source.RESPONDED``.

        Args:
            responder: A function taking an :class:`Invocation`.
            endpoint_name: Only calls to this endpoint; by default, all.
            operations: Only these operations, e.g. ``["InvokeEndpoint"]``;
                by default, all three.
            remember: ``False`` asks the responder again when the same
                request comes again (an agent loop that counts its calls).

        Raises:
            ResponderError: From the call, when the responder raises (its
                exception is the cause) or returns anything else.

        .. versionadded:: 0.3.0
        """
        engine = self._engine
        if endpoint_name is not None:
            engine.arguments.endpoint_name("add_responder", endpoint_name)
        names = (
            list(engine.operations)
            if operations is None
            else engine.arguments.operation_names("add_responder", operations)
        )
        kinds = frozenset(engine.operations[name].kind for name in names)
        installed = check_responder(responder, endpoint_name, kinds, remember, origin())
        engine.responders.add(installed)

    def clear_responders(self) -> None:
        """Remove every responder.

        .. versionadded:: 0.3.0
        """
        self._engine.responders.clear()


# -- matchers built on responders ------------------------------------------------


def _contains(whole: object, part: object) -> bool:
    """Whether JSON value ``whole`` has ``part``: an object has the members
    of ``part`` (recursively); any other value is equal, as JSON compares
    (``true`` is not ``1``)."""
    if isinstance(part, Mapping):
        return isinstance(whole, Mapping) and all(
            name in whole and _contains(whole[name], value)
            for name, value in part.items()
        )
    if isinstance(part, list):
        return (
            isinstance(whole, list)
            and len(whole) == len(part)
            and all(map(_contains, whole, part))
        )
    if isinstance(part, bool) or isinstance(whole, bool):
        return whole is part
    return bool(whole == part)


@attrs.frozen
class _WhenJson:
    """The responder :func:`when_json` makes."""

    subset: Mapping[str, object]
    result: InvokeResult | AsyncResult | StreamResult | ErrorResult

    def __call__(self, call: Invocation) -> ResponderResult:
        return self.result if _contains(call.json, self.subset) else None

    def __repr__(self) -> str:
        return f"when_json({dict(self.subset)!r}, {self.result!r})"


@attrs.frozen
class _WhenText:
    """The responder :func:`when_text` makes."""

    text: str
    result: InvokeResult | AsyncResult | StreamResult | ErrorResult

    def __call__(self, call: Invocation) -> ResponderResult:
        return self.result if self.text in call.text else None

    def __repr__(self) -> str:
        return f"when_text({self.text!r}, {self.result!r})"


_RESULT_TYPES = (InvokeResult, AsyncResult, StreamResult, ErrorResult)


def _result_argument(where: str, result: object) -> None:
    if not isinstance(result, _RESULT_TYPES):
        names = ", ".join(cls.__name__ for cls in _RESULT_TYPES)
        msg = f"{where} must be one of {names}; got {describe(result)}."
        raise TypeError(msg)


def when_json(
    subset: Mapping[str, object],
    result: InvokeResult | AsyncResult | StreamResult | ErrorResult,
) -> Responder:
    """A responder that answers ``result`` when the JSON body contains ``subset``.

    The body must be a JSON object with every member of ``subset``; a member
    whose value is an object matches an object holding at least its members
    (at any depth), any other value must be equal. Any other call is passed
    on (the responder returns None)::

        stub.add_responder(when_json({"inputs": "ping"}, InvokeResult.text("pong")))

    .. versionadded:: 0.3.0
    """
    if not isinstance(subset, Mapping):
        msg = (
            "when_json(subset) must be a mapping (a JSON object); got "
            f"{describe(subset)}."
        )
        raise TypeError(msg)
    _result_argument("when_json(result)", result)
    return _WhenJson(subset, result)


def when_text(
    text: str, result: InvokeResult | AsyncResult | StreamResult | ErrorResult
) -> Responder:
    """A responder that answers ``result`` when the body contains ``text``.

    The body is read as UTF-8. Any other call is passed on.

    .. versionadded:: 0.3.0
    """
    given: object = text
    if not isinstance(given, str) or not given:
        msg = f"when_text(text) must be a non-empty str; got {describe(text)}."
        raise TypeError(msg)
    _result_argument("when_text(result)", result)
    return _WhenText(text, result)
