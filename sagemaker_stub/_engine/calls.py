"""The call history: one typed record per invocation."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import attrs

from .._faults import Fault
from .book import Source
from .eventstream import StreamProgress
from .objects import S3Object
from .registry import NEW_SESSION

if TYPE_CHECKING:
    from .outputs import Placed
    from .request import Request

__all__ = ["Call", "CallLog"]


@attrs.frozen(kw_only=True)
class Call:
    """One call made through a stubbed or mocked client.

    .. versionadded:: 0.1.0
    """

    #: The operation, e.g. ``"InvokeEndpoint"``.
    operation: str
    #: The ``EndpointName`` parameter.
    endpoint_name: str
    #: The region of the client that made the call.
    #:
    #: .. versionadded:: 0.2.0
    region: str = ""
    #: The parameters the caller passed, without ``Body``.
    params: Mapping[str, object] = attrs.field(repr=False)
    #: Size in bytes of the request body (0 when there was none).
    body_size: int
    #: SHA-256 of the request body, as hex (of ``b""`` when there was none).
    body_sha256: str = attrs.field(repr=False)
    #: The request body itself, kept only with ``keep_bodies=True``.
    body: bytes | None = attrs.field(default=None, repr=False)
    #: The result served; ``None`` for a Stubber expectation.
    result: object
    #: How the result was chosen.
    source: Source
    #: The ``InferenceId`` returned by an async call.
    inference_id: str | None = None
    #: The ``OutputLocation`` returned by an async call.
    output_location: str | None = None
    #: The ``FailureLocation`` returned by an async call.
    failure_location: str | None = None
    #: How far the consumer read a streamed response (streaming calls only).
    stream: StreamProgress | None = None
    #: The object at an async call's ``InputLocation``, when the stub holds it
    #: (stored with ``store_input`` or uploaded through an attached S3 client).
    input_object: S3Object | None = attrs.field(default=None, repr=False)
    #: The attempt number, 1 for the first; more when the client retried
    #: (``retries=True``).
    attempt: int = 1
    #: The backoff botocore chose before this attempt, in seconds (slept only
    #: with ``sleep_between_retries=True``); ``None`` for a first attempt.
    backoff: float | None = None
    #: Seconds of latency a :class:`Latency` fault added.
    latency: float = 0.0
    #: The fault policy that failed this call (``source`` is ``FAULT``).
    fault: Fault | None = None
    #: The id of the stateful session of the call (the one it opened with
    #: ``NEW_SESSION``, or the one it named).
    session_id: str | None = None
    #: A weak reference to the client that made the call (see :attr:`client`).
    client_ref: weakref.ref[Any] | None = attrs.field(
        default=None, repr=False, eq=False
    )

    @property
    def client(self) -> Any:
        """The client that made the call, or None once it was garbage-collected.

        Under :func:`sagemaker_stub.mock`, it tells apart the clients the code
        under test made: ``call.client is app.client``. The history does not
        keep a client alive.

        .. versionadded:: 0.2.0
        """
        return None if self.client_ref is None else self.client_ref()


#: What :meth:`CallLog.record` keeps of a call, in the order :func:`_call_of`
#: unpacks it. The :class:`Call` is built when the history is
#: first read: most calls are never looked at one by one, and building a
#: frozen 18-field record costs more than the rest of recording.
_Recorded = tuple[
    str,
    dict[str, object],
    int,
    bytes,
    "bytes | None",
    object,
    Source,
    int,
    "float | None",
    float,
    "Fault | None",
    "str | None",
    "StreamProgress | None",
    "str | None",
    "Placed | None",
    "S3Object | None",
    str,
    "weakref.ref[Any] | None",
]


def _call_of(recorded: _Recorded) -> Call:
    """The :class:`Call` of a recorded call."""
    (
        operation,
        params,
        body_size,
        digest,
        body,
        result,
        source,
        attempt,
        backoff,
        latency,
        fault,
        session_id,
        stream,
        inference_id,
        placed,
        input_object,
        region,
        client,
    ) = recorded
    if session_id is None:
        named = params.get("SessionId")
        if named != NEW_SESSION:
            session_id = cast("str | None", named)
    endpoint_name = params.get("EndpointName", "")
    return Call(
        operation=operation,
        endpoint_name=cast("str", endpoint_name),
        region=region,
        client_ref=client,
        params=params,
        body_size=body_size,
        body_sha256=digest.hex(),
        body=body,
        result=result,
        source=source,
        attempt=attempt,
        backoff=backoff,
        latency=latency,
        fault=fault,
        session_id=session_id,
        stream=stream,
        inference_id=inference_id,
        output_location=None if placed is None else placed.output_location,
        failure_location=None if placed is None else placed.failure_location,
        input_object=input_object,
    )


class CallLog:
    """The calls a stub answered, in order. Safe to share between threads.

    Recording is one ``list.append``, which is atomic, so it takes no lock
    and threads never queue behind one another there. The :class:`Call`
    records are built when the history is read, under a lock that only
    readers take.

    Args:
        keep_bodies: Keep each request body in its :class:`Call`.
    """

    def __init__(self, *, keep_bodies: bool = False) -> None:
        self._calls: list[Call | _Recorded] = []
        self._keep_bodies = keep_bodies
        self._read_lock = threading.Lock()
        #: How many leading entries are built already.
        self._built = 0

    def record(
        self,
        request: Request,
        digest: bytes,
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
        """Record a call the engine answered.

        ``digest`` is the SHA-256 of the request body; ``placed`` holds an
        async call's locations. Only what the :class:`Call` needs is kept: the
        parameters without the body, and the body itself only with
        ``keep_bodies``.
        """
        params = dict(request.params)
        params.pop("Body", None)
        body = request.body
        self._calls.append(
            (
                request.operation.name,
                params,
                len(body),
                digest,
                body if self._keep_bodies else None,
                result,
                source,
                request.attempt,
                request.backoff,
                latency,
                fault,
                session_id,
                stream,
                inference_id,
                placed,
                input_object,
                request.region,
                request.client,
            )
        )

    def record_elsewhere(
        self,
        operation: str,
        params: Mapping[str, Any],
        body: bytes,
        source: Source,
        *,
        region: str,
        client: weakref.ref[Any] | None,
    ) -> None:
        """Record a call something else answered (a ``Stubber`` expectation)."""
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

    def _all(self) -> list[Call]:
        """Every call so far, built, as a new list."""
        with self._read_lock:
            entries = self._calls
            end = len(entries)
            for index in range(self._built, end):
                entry = entries[index]
                if type(entry) is tuple:
                    entries[index] = _call_of(entry)
            self._built = end
            return cast("list[Call]", entries[:end])

    def snapshot(self) -> list[Call]:
        """Every call so far, as a new list."""
        return self._all()

    def clear(self) -> None:
        """Forget every call."""
        with self._read_lock:
            self._calls.clear()
            self._built = 0

    def last_result(
        self, operation: str, endpoint_name: str, body_sha256: str
    ) -> object:
        """What the latest call with this operation, endpoint and body was given."""
        for call in reversed(self._all()):
            if (call.operation, call.endpoint_name, call.body_sha256) == (
                operation,
                endpoint_name,
                body_sha256,
            ):
                return call.result
        return None

    def async_call(self, inference: str) -> Call | None:
        """The async call that returned this inference id or location."""
        for call in self._all():
            output, failure = call.output_location, call.failure_location
            if output is None or failure is None:
                continue
            if inference in (call.inference_id, output, failure):
                return call
        return None

    def inference_ids(self) -> list[str]:
        """The inference ids async calls returned, sorted."""
        return sorted({call.inference_id for call in self._all() if call.inference_id})

    def other_location(self, s3_uri: str) -> str | None:
        """The other location of the inference that returned ``s3_uri``."""
        other = None
        for call in self._all():
            if s3_uri == call.output_location:
                other = call.failure_location
            elif s3_uri == call.failure_location:
                other = call.output_location
        return other
