"""A request's identity, and which recording a request matches.

Two requests are the same request when their identities are equal: that is
when the second gets the result the first was given (moto's rule), and which
recording of a cassette answers a request. This module owns both decisions.

- ``invoke_endpoint`` and streaming calls: the endpoint name, every parameter
  sent as an ``X-Amzn-SageMaker-*`` header, ``Accept``, and the body's bytes
  (by their SHA-256). ``ContentType`` is not part of it.
- ``invoke_endpoint_async``: the endpoint name and ``InputLocation``, as moto
  keys them (the body's digest instead, for a call with a body and no
  ``InputLocation``).

The members are read from botocore's service model, so a header the service
adds later is part of the identity too.

A cassette's request matches its recording when their identities are equal
(``match="identity"``, the default). :class:`CassetteRequest` is a request as
a cassette holds it, which a custom matcher compares;
:func:`json_ignoring` is one, for JSON bodies that differ in fields that
change from run to run.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import attrs
from botocore.model import OperationModel

if TYPE_CHECKING:
    from .request import Operation, Request

__all__ = [
    "NOT_JSON",
    "CassetteRequest",
    "Identity",
    "Kind",
    "Match",
    "Matcher",
    "identify",
    "identity_members",
    "json_ignoring",
    "parsed_json",
    "recorded",
    "same",
]


class Kind(enum.Enum):
    """The operations that have queues of their own."""

    SYNC = "InvokeEndpoint"
    ASYNC = "InvokeEndpointAsync"
    STREAM = "InvokeEndpointWithResponseStream"

    # Members are singletons compared by identity, so identity can hash them:
    # Enum's own __hash__ is Python code, and kinds key every lookup of a call.
    __hash__ = object.__hash__


class Identity(NamedTuple):
    """What makes two requests the same request.

    A tuple underneath, so that hashing and comparing one (every call does,
    to find what the request was given before) costs what a tuple costs.
    """

    #: The operation's kind: each has its own memory.
    kind: Kind
    #: The ``EndpointName``: memory is per endpoint.
    endpoint_name: str
    #: The identity headers' values, in the operation's order (None where a
    #: header was not sent).
    headers: tuple[str | None, ...]
    #: The SHA-256 of the body; None for an async call keyed by its
    #: ``InputLocation`` alone.
    body: bytes | None


def identity_members(model: OperationModel, kind: Kind) -> tuple[tuple[str, str], ...]:
    """The members that identify a request of ``model``: (member, header) each.

    For invoke_endpoint and streaming: every input member sent as an
    ``X-Amzn-SageMaker-*`` header, plus ``Accept``. For async calls: the
    ``InputLocation`` header.
    """
    input_shape = model.input_shape
    assert input_shape is not None
    members = []
    for member_name, member in input_shape.members.items():
        serialization = member.serialization
        if serialization.get("location") != "header":
            continue
        wire: str = serialization["name"]
        if kind is Kind.ASYNC:
            if member_name == "InputLocation":
                members.append((member_name, wire))
        elif wire.lower().startswith("x-amzn-sagemaker-") or member_name == "Accept":
            members.append((member_name, wire))
    return tuple(members)


#: A hash function and the tuple constructor, bound once: every call identifies
#: its request, and ``Identity``'s own ``__new__`` is Python code.
_sha256 = hashlib.sha256
_new = tuple.__new__


def identify(request: Request) -> Identity:
    """The identity of ``request``, kept on it with its body's digest.

    A door that must know it before the engine (to tell whether a cassette
    records the call) computes it; the engine uses what is kept
    (``request.identity or identify(request)``), so the body is digested
    once.
    """
    digest = _sha256(request.body).digest()
    request.digest = digest
    operation = request.operation
    kind = operation.kind
    headers = tuple(map(request.headers.get, operation.identity_headers))
    body = None if kind is Kind.ASYNC and headers[0] is not None else digest
    identity: Identity = _new(
        Identity, (kind, request.params["EndpointName"], headers, body)
    )
    request.identity = identity
    return identity


def recorded(
    operation: Operation, endpoint_name: str, members: Mapping[str, str], body: bytes
) -> Identity:
    """The identity of a recorded request: identity members by name, and body."""
    headers = tuple(map(members.get, operation.identity_members))
    kind = operation.kind
    digest = (
        None
        if kind is Kind.ASYNC and headers[0] is not None
        else _sha256(body).digest()
    )
    return Identity(kind, endpoint_name, headers, digest)


def same(recording: Identity, request: Identity) -> bool:
    """Whether a recording was made for this request: the identities are equal."""
    return recording == request


@attrs.frozen(kw_only=True)
class CassetteRequest:
    """A request as a cassette holds it: what a custom matcher compares.

    .. versionadded:: 0.3.0
    """

    #: The operation, e.g. ``"InvokeEndpoint"``.
    operation: str
    #: The ``EndpointName``.
    endpoint_name: str
    #: The identity parameters sent, by parameter name (``Accept``,
    #: ``CustomAttributes``, ``TargetModel``, ..., or ``InputLocation``),
    #: without ``Body``.
    parameters: Mapping[str, str]
    #: The body's bytes (empty for an async call).
    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")


#: A custom matcher: whether a recording (first) was made for a request (second).
Matcher = Callable[[CassetteRequest, CassetteRequest], bool]
#: How a cassette's request finds its recording: ``"identity"`` (the default),
#: ``"order"``, or a custom matcher.
Match = Literal["identity", "order"] | Matcher

#: What :func:`parsed_json` gives for bytes that are no JSON document.
NOT_JSON: Any = object()


def parsed_json(data: bytes) -> Any:
    """``data`` parsed as JSON, or a marker object that no JSON value equals."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return NOT_JSON


def _without(value: Any, fields: frozenset[str]) -> Any:
    """A JSON value with every object member named in ``fields`` left out."""
    if isinstance(value, dict):
        return {
            name: _without(item, fields)
            for name, item in value.items()
            if name not in fields
        }
    if isinstance(value, list):
        return [_without(item, fields) for item in value]
    return value


@attrs.frozen
class _JsonIgnoring:
    """The matcher :func:`json_ignoring` makes."""

    fields: frozenset[str]

    def __call__(self, recorded: CassetteRequest, sent: CassetteRequest) -> bool:
        if (recorded.operation, recorded.endpoint_name, recorded.parameters) != (
            sent.operation,
            sent.endpoint_name,
            sent.parameters,
        ):
            return False
        if recorded.body == sent.body:
            return True
        before, now = parsed_json(recorded.body), parsed_json(sent.body)
        if before is NOT_JSON or now is NOT_JSON:
            return False
        return bool(_without(before, self.fields) == _without(now, self.fields))

    def __repr__(self) -> str:
        return f"json_ignoring({', '.join(map(repr, sorted(self.fields)))})"


def json_ignoring(*fields: str) -> Matcher:
    """A matcher for JSON bodies that differ only in ``fields``, at any depth.

    Everything else must be equal, as for ``match="identity"``: the endpoint,
    every identity parameter, and the rest of the body (compared as JSON, so
    spacing and member order do not count). A body that is not JSON must be
    equal byte for byte::

        Cassette("chat.json", match=json_ignoring("timestamp", "request_id"))

    .. versionadded:: 0.3.0
    """
    for field in fields:
        if not isinstance(field, str) or not field:  # type: ignore[redundant-expr]
            msg = (
                "json_ignoring(*fields) takes the names of JSON object members "
                f"(non-empty strings); got {field!r}."
            )
            raise TypeError(msg)
    if not fields:
        msg = (
            "json_ignoring(*fields) needs at least one member name, e.g. "
            "json_ignoring('timestamp'); to match bodies exactly, use "
            "match='identity'."
        )
        raise TypeError(msg)
    return _JsonIgnoring(frozenset(fields))
