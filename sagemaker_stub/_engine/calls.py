"""The call history: one typed, read-only record per invocation."""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .book import Source
from .eventstream import StreamProgress
from .registry import NEW_SESSION

if TYPE_CHECKING:
    from sagemaker_stub._faults import Fault

    from .objects import S3Object
    from .outputs import Placed
    from .request import Request

__all__ = ["Call", "CallLog"]


class Call:
    """One call made through a stubbed or mocked client. Read-only.

    Its fields are read-only properties. It is a plain slotted class rather
    than an attrs class: every call the stub answers makes one, and a frozen
    attrs class of this size costs more to build (its ``__init__`` sets each
    field through ``object.__setattr__``) than the rest of recording. Its
    equality and ``repr`` are those of the attrs class it was before 0.2.

    .. versionadded:: 0.1.0
    """

    __slots__ = (
        "_attempt",
        "_backoff",
        "_body",
        "_body_size",
        "_client_ref",
        "_digest",
        "_endpoint_name",
        "_failure_location",
        "_fault",
        "_inference_id",
        "_input_object",
        "_latency",
        "_operation",
        "_output_location",
        "_params",
        "_region",
        "_result",
        "_session_id",
        "_source",
        "_stream",
    )

    def __init__(
        self,
        *,
        operation: str,
        endpoint_name: str,
        region: str = "",
        params: Mapping[str, object],
        body_size: int,
        body_sha256: str | bytes,
        body: bytes | None = None,
        result: object,
        source: Source,
        inference_id: str | None = None,
        output_location: str | None = None,
        failure_location: str | None = None,
        stream: StreamProgress | None = None,
        input_object: S3Object | None = None,
        attempt: int = 1,
        backoff: float | None = None,
        latency: float = 0.0,
        fault: Fault | None = None,
        session_id: str | None = None,
        client_ref: weakref.ref[Any] | None = None,
    ) -> None:
        self._operation = operation
        self._endpoint_name = endpoint_name
        self._region = region
        self._params = params
        self._body_size = body_size
        #: The body's SHA-256: hex, or the digest itself (shown as hex).
        self._digest = body_sha256
        self._body = body
        self._result = result
        self._source = source
        self._inference_id = inference_id
        self._output_location = output_location
        self._failure_location = failure_location
        self._stream = stream
        self._input_object = input_object
        self._attempt = attempt
        self._backoff = backoff
        self._latency = latency
        self._fault = fault
        self._session_id = session_id
        self._client_ref = client_ref

    @property
    def operation(self) -> str:
        """The operation, e.g. ``"InvokeEndpoint"``."""
        return self._operation

    @property
    def endpoint_name(self) -> str:
        """The ``EndpointName`` parameter."""
        return self._endpoint_name

    @property
    def region(self) -> str:
        """The region of the client that made the call.

        .. versionadded:: 0.2.0
        """
        return self._region

    @property
    def params(self) -> Mapping[str, object]:
        """The parameters the caller passed, without ``Body``."""
        return self._params

    @property
    def body_size(self) -> int:
        """Size in bytes of the request body (0 when there was none)."""
        return self._body_size

    @property
    def body_sha256(self) -> str:
        """SHA-256 of the request body, as hex (of ``b""`` when there was none)."""
        digest = self._digest
        return digest if isinstance(digest, str) else digest.hex()

    @property
    def body(self) -> bytes | None:
        """The request body itself, kept only with ``keep_bodies=True``."""
        return self._body

    @property
    def result(self) -> object:
        """The result given; ``None`` for a Stubber expectation."""
        return self._result

    @property
    def source(self) -> Source:
        """How the result was chosen."""
        return self._source

    @property
    def inference_id(self) -> str | None:
        """The ``InferenceId`` returned by an async call."""
        return self._inference_id

    @property
    def output_location(self) -> str | None:
        """The ``OutputLocation`` returned by an async call."""
        return self._output_location

    @property
    def failure_location(self) -> str | None:
        """The ``FailureLocation`` returned by an async call."""
        return self._failure_location

    @property
    def stream(self) -> StreamProgress | None:
        """How far the consumer read a streamed response (streaming calls only)."""
        return self._stream

    @property
    def input_object(self) -> S3Object | None:
        """The object at an async call's ``InputLocation``, when the stub holds it
        (stored with ``store_input`` or uploaded through an attached S3 client)."""
        return self._input_object

    @property
    def attempt(self) -> int:
        """The attempt number, 1 for the first; more when the client retried
        (``retries=True``)."""
        return self._attempt

    @property
    def backoff(self) -> float | None:
        """The backoff botocore chose before this attempt, in seconds (slept only
        with ``sleep_between_retries=True``); ``None`` for a first attempt."""
        return self._backoff

    @property
    def latency(self) -> float:
        """Seconds of latency a :class:`~sagemaker_stub.Latency` fault added."""
        return self._latency

    @property
    def fault(self) -> Fault | None:
        """The fault policy that failed this call (``source`` is ``FAULT``)."""
        return self._fault

    @property
    def session_id(self) -> str | None:
        """The id of the stateful session of the call (the one it opened with
        ``NEW_SESSION``, or the one it named)."""
        return self._session_id

    @property
    def client_ref(self) -> weakref.ref[Any] | None:
        """A weak reference to the client that made the call (see :attr:`client`)."""
        return self._client_ref

    @property
    def client(self) -> Any:
        """The client that made the call, or None once it was garbage-collected.

        Under :func:`sagemaker_stub.mock`, it tells apart the clients the code
        under test made: ``call.client is app.client``. The history does not
        keep a client alive.

        .. versionadded:: 0.2.0
        """
        return None if self._client_ref is None else self._client_ref()

    # -- equality and repr, as the attrs class had them -----------------------

    def _compared(self) -> tuple[object, ...]:
        """Every field but ``client_ref``, which takes no part in equality."""
        return (
            self._operation,
            self._endpoint_name,
            self._region,
            self._params,
            self._body_size,
            self.body_sha256,
            self._body,
            self._result,
            self._source,
            self._inference_id,
            self._output_location,
            self._failure_location,
            self._stream,
            self._input_object,
            self._attempt,
            self._backoff,
            self._latency,
            self._fault,
            self._session_id,
        )

    def __eq__(self, other: object) -> bool:
        if type(other) is not Call:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        shown = (
            ("operation", self._operation),
            ("endpoint_name", self._endpoint_name),
            ("region", self._region),
            ("body_size", self._body_size),
            ("result", self._result),
            ("source", self._source),
            ("inference_id", self._inference_id),
            ("output_location", self._output_location),
            ("failure_location", self._failure_location),
            ("stream", self._stream),
            ("attempt", self._attempt),
            ("backoff", self._backoff),
            ("latency", self._latency),
            ("fault", self._fault),
            ("session_id", self._session_id),
        )
        return "Call(" + ", ".join(f"{name}={value!r}" for name, value in shown) + ")"


_new = object.__new__


class CallLog:
    """The calls a stub answered, in order. Safe to share between threads.

    Logging a call is one ``list.append``, which is atomic, so it takes no
    lock and threads never queue behind one another there; reading the
    history copies the list.

    Args:
        keep_bodies: Keep each request body in its :class:`Call`.
    """

    def __init__(self, *, keep_bodies: bool = False) -> None:
        self._calls: list[Call] = []
        self._keep_bodies = keep_bodies

    def log(
        self,
        request: Request,
        result: object,
        source: Source,
        *,
        fault: Fault | None = None,
        latency: float = 0.0,
        session_id: str | None = None,
        stream: StreamProgress | None = None,
        placed: Placed | None = None,
        inference_id: str | None = None,
        input_object: S3Object | None = None,
    ) -> None:
        """Log a call the engine answered (its identity already computed).

        ``placed`` holds an async call's locations. Only what the
        :class:`Call` needs is kept: the parameters without the body, and the
        body itself only with ``keep_bodies``.
        """
        params = dict(request.params)
        params.pop("Body", None)
        body = request.body
        if session_id is None:
            named = params.get("SessionId")
            if named != NEW_SESSION:
                session_id = named
        # Made field by field rather than through Call's keyword constructor:
        # every call logs one, and twenty keywords cost more than the rest.
        call = _new(Call)
        call._operation = request.operation.name
        call._endpoint_name = params.get("EndpointName", "")
        call._region = request.region
        call._params = params
        call._body_size = len(body)
        call._digest = request.digest
        call._body = body if self._keep_bodies else None
        call._result = result
        call._source = source
        call._inference_id = inference_id
        if placed is None:
            call._output_location = call._failure_location = None
        else:
            call._output_location = placed.output_location
            call._failure_location = placed.failure_location
        call._stream = stream
        call._input_object = input_object
        call._attempt = request.attempt
        call._backoff = request.backoff
        call._latency = latency
        call._fault = fault
        call._session_id = session_id
        call._client_ref = request.client
        self._calls.append(call)

    def log_elsewhere(
        self,
        operation: str,
        params: Mapping[str, Any],
        body: bytes,
        source: Source,
        *,
        region: str,
        client: weakref.ref[Any] | None,
    ) -> None:
        """Log a call something else answered (a ``Stubber`` expectation)."""
        kept = {name: value for name, value in params.items() if name != "Body"}
        self._calls.append(
            Call(
                operation=operation,
                endpoint_name=kept.get("EndpointName", ""),
                region=region,
                client_ref=client,
                params=kept,
                body_size=len(body),
                body_sha256=hashlib.sha256(body).hexdigest(),
                body=body if self._keep_bodies else None,
                result=None,
                source=source,
            )
        )

    def snapshot(self) -> list[Call]:
        """Every call so far, as a new list."""
        return self._calls.copy()

    def clear(self) -> None:
        """Forget every call."""
        self._calls.clear()

    def last_result(self, operation: str, endpoint_name: str, digest: bytes) -> object:
        """What the latest call with this operation, endpoint and body was given."""
        for call in reversed(self._calls):
            if (
                call.operation == operation
                and call.endpoint_name == endpoint_name
                and call._digest in (digest, digest.hex())
            ):
                return call.result
        return None

    def async_call(self, inference: str) -> Call | None:
        """The async call that returned this inference id or location."""
        for call in self.snapshot():
            output, failure = call.output_location, call.failure_location
            if output is None or failure is None:
                continue
            if inference in (call.inference_id, output, failure):
                return call
        return None

    def inference_ids(self) -> list[str]:
        """The inference ids async calls returned, sorted."""
        return sorted(
            {call.inference_id for call in self.snapshot() if call.inference_id}
        )

    def other_location(self, s3_uri: str) -> str | None:
        """The other location of the inference that returned ``s3_uri``."""
        other = None
        for call in self.snapshot():
            if s3_uri == call.output_location:
                other = call.failure_location
            elif s3_uri == call.failure_location:
                other = call.output_location
        return other
