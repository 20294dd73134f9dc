"""What travels between a door and the engine: operations, requests, answers."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import attrs
from botocore.model import OperationModel, ServiceModel

from .envelope import new_request_id
from .eventstream import EventStreamBody
from .identity import Identity, Kind, identity_members
from .validation import RequestValidator

__all__ = ["Answer", "Operation", "Request", "operations_of"]

_KINDS = {kind.value: kind for kind in Kind}


@attrs.frozen
class Operation:
    """What the engine needs to know of one operation, read from the model."""

    model: OperationModel
    kind: Kind
    #: Wire names of the headers that make up a request's identity.
    identity_headers: tuple[str, ...]
    #: The same, as parameter names (in the same order), as cassettes write them.
    identity_members: tuple[str, ...]
    #: Error codes the operation models.
    error_codes: frozenset[str]
    #: The service-side checks of its parameters.
    validator: RequestValidator
    #: Output members sent as headers, by member name: their wire names.
    header: Mapping[str, str]
    #: Input members sent as headers, by member name: their wire names.
    input_header: Mapping[str, str]
    #: The HTTP status of a success.
    status: int

    @property
    def name(self) -> str:
        return self.model.name

    @classmethod
    def of(cls, model: OperationModel, kind: Kind) -> Operation:
        output, given = model.output_shape, model.input_shape
        assert output is not None
        assert given is not None
        identity = identity_members(model, kind)
        return cls(
            model=model,
            kind=kind,
            identity_headers=tuple(wire for _, wire in identity),
            identity_members=tuple(name for name, _ in identity),
            error_codes=frozenset(shape.name for shape in model.error_shapes),
            validator=RequestValidator(model),
            header={
                name: member.serialization["name"].lower()
                for name, member in output.members.items()
                if member.serialization.get("location") == "header"
            },
            input_header={
                name: member.serialization["name"]
                for name, member in given.members.items()
                if member.serialization.get("location") == "header"
            },
            status=model.http.get("responseCode", 200),
        )


def operations_of(service_model: ServiceModel) -> dict[str, Operation]:
    """The operations the engine answers, by name.

    Kept per loaded model: botocore's loaders give every client made from
    one session the same model document, so a stub per test reads it (and
    builds its validators) once. The document's ``metadata`` mapping is the
    key, held so that its ``id`` is not reused.
    """
    metadata = service_model.metadata
    known = _KNOWN.get(id(metadata))
    if known is not None and known[0] is metadata:
        return dict(known[1])
    operations = {}
    for name in service_model.operation_names:
        kind = _KINDS.get(name)
        if kind is not None:  # pragma: no branch - an operation added later
            operations[name] = Operation.of(service_model.operation_model(name), kind)
    if len(_KNOWN) >= _MODELS_KEPT:  # pragma: no cover - a process with many models
        _KNOWN.clear()
    _KNOWN[id(metadata)] = (metadata, operations)
    return dict(operations)


#: How many loaded models' operations are kept.
_MODELS_KEPT = 16
_KNOWN: dict[int, tuple[Mapping[str, Any], dict[str, Operation]]] = {}


class Request:
    """A request in flight, as a door hands it to the engine.

    Attributes:
        operation: The operation called.
        params: The parameters the caller passed, by member name.
        headers: The serialised request headers (identity is read from them).
        body: The request body's bytes.
        url: Where the request would have gone.
        region: The region of the client that made it.
        read_timeout: The client's read timeout in seconds, if any.
        attempt: 1 for the first attempt; more when the client retries.
        backoff: The backoff the client chose before this attempt.
        client: A weak reference to the client that made it, if a client did.
        digest: The SHA-256 of the body, once :func:`~.identity.identify` ran.
        identity: The request's identity, likewise.
    """

    __slots__ = (
        "attempt",
        "backoff",
        "body",
        "client",
        "digest",
        "headers",
        "identity",
        "operation",
        "params",
        "read_timeout",
        "region",
        "url",
    )

    def __init__(  # noqa: PLR0917 - every call makes one; keywords cost more
        self,
        operation: Operation,
        params: Mapping[str, Any],
        headers: Mapping[str, str],
        body: bytes,
        url: str,
        region: str,
        read_timeout: float | None = None,
        *,
        attempt: int = 1,
        backoff: float | None = None,
        client: weakref.ref[Any] | None = None,
    ) -> None:
        self.operation = operation
        self.params = params
        self.headers = headers
        self.body = body
        self.url = url
        self.region = region
        self.read_timeout = read_timeout
        self.attempt = attempt
        self.backoff = backoff
        self.client = client
        self.digest = b""
        self.identity: Identity | None = None

    def attempted(self, attempt: int, backoff: float | None) -> Request:
        """This request as the client sends it again: attempt ``attempt``."""
        again = Request(
            self.operation,
            self.params,
            self.headers,
            self.body,
            self.url,
            self.region,
            self.read_timeout,
            attempt=attempt,
            backoff=backoff,
            client=self.client,
        )
        again.digest, again.identity = self.digest, self.identity
        return again


class Answer:
    """The engine's answer, at the HTTP level.

    Attributes:
        status: The HTTP status.
        headers: The response's own headers, lower-cased. The envelope (request
            id, date, length) is the door's to add, to a copy: answers of the
            same shape share one dict, which nothing changes.
        body: The whole body, or an event stream encoded as it is read.
        request_id: The ``x-amzn-RequestId`` of the response.
        delay: Seconds of latency to wait before the answer is delivered.
        timed_out: The latency reached the client's read timeout: after the
            delay, the door raises its client's read-timeout error.
    """

    __slots__ = ("body", "delay", "headers", "request_id", "status", "timed_out")

    def __init__(
        self,
        status: int,
        headers: dict[str, str],
        body: bytes | EventStreamBody,
        *,
        delay: float = 0.0,
        timed_out: bool = False,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = new_request_id()
        self.delay = delay
        self.timed_out = timed_out
