"""A cassette in use: what it replays, what it records, and when it is written.

A :class:`Tape` belongs to one engine. When it is made it reads the
cassette and, unless it records every call, queues the recordings per
endpoint, each with the identity of the request it was recorded for. A door
asks :meth:`Tape.sends` whether a call goes to the endpoint instead; if it
does, the door hands the outcome it parsed to :meth:`Tape.record`. The tape
keeps the interactions recorded since, and :meth:`Tape.save` writes them.

Nothing here reads a client or a hook: doors turn botocore's parsed
responses into results with :func:`invoke_result`, :func:`error_result`,
:func:`stream_head` and :func:`async_record`, and feed a recorded stream's
events to a :class:`StreamTake` as the caller reads them.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
from botocore.model import StructureShape

from .._doors.render import modeled_error_shape
from .._engine.book import Kind, Source
from .._engine.eventstream import StreamProgress
from .._engine.request import Operation, Request, identity_key
from .._results import AsyncResult, ErrorResult, InvokeResult, StreamError, StreamResult
from .file import read_interactions, write_interactions
from .interactions import (
    INFERENCE_ID,
    Cassette,
    CassetteError,
    Interaction,
    RecordedAsync,
    records,
)

if TYPE_CHECKING:
    from .._engine.engine import Engine

__all__ = [
    "StreamTake",
    "Tape",
    "async_record",
    "error_result",
    "invoke_result",
    "stream_head",
]

_KINDS = {kind.value: kind for kind in Kind}


# -- what the doors parse --------------------------------------------------------


def _headers(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The model's answer headers of a parse, as a result's keywords."""
    return {
        "content_type": parsed.get("ContentType") or "",
        "invoked_production_variant": parsed.get("InvokedProductionVariant"),
        "custom_attributes": parsed.get("CustomAttributes"),
    }


def invoke_result(parsed: Mapping[str, Any], body: bytes) -> InvokeResult:
    """invoke_endpoint's answer as a result, from botocore's parse."""
    return InvokeResult(
        body=body, close_session="ClosedSessionId" in parsed, **_headers(parsed)
    )


def error_result(
    operation: Operation, status: int, parsed: Mapping[str, Any]
) -> ErrorResult:
    """An error response as a result: its code, message and modeled fields."""
    error = parsed.get("Error") or {}
    code = error.get("Code") or "UnknownError"
    shape = modeled_error_shape(operation.model, status, parsed)
    fields = {}
    if isinstance(shape, StructureShape):
        fields = {
            name: parsed[name]
            for name in shape.members
            if name != "Message" and name in parsed
        }
    return ErrorResult(
        code=code,
        message=error.get("Message"),
        status_code=status if 300 <= status <= 599 else 500,
        fields=fields,
    )


def stream_head(parsed: Mapping[str, Any]) -> StreamResult:
    """A streamed answer's headers, as a result still without parts."""
    return StreamResult(parts=[], **_headers(parsed))


def async_record(parsed: Mapping[str, Any]) -> RecordedAsync:
    """An async answer's locations, with its inference id left out."""
    inference_id = parsed.get("InferenceId") or ""

    def template(location: str) -> str:
        return (
            location.replace(inference_id, INFERENCE_ID) if inference_id else location
        )

    return RecordedAsync(
        output_location=template(parsed.get("OutputLocation") or ""),
        failure_location=template(parsed.get("FailureLocation") or ""),
    )


class StreamTake:
    """A stream being recorded, one event at a time, as the caller reads it.

    ``on_end`` is called with the whole result once the stream ended.
    """

    def __init__(self, head: StreamResult, progress: StreamProgress) -> None:
        self._head = head
        self._parts: list[bytes] = []
        self._error: StreamError | None = None
        self.progress = progress
        self.on_end: Callable[[StreamResult], None] | None = None

    def event(self, event: Mapping[str, Any]) -> None:
        """One event the caller read."""
        part = event.get("PayloadPart")
        if part is not None:  # pragma: no branch - the stream's only event today
            self._parts.append(part.get("Bytes", b""))
            self.progress.parts_read += 1
            self.progress.parts_total += 1

    def failed(self, response: Mapping[str, Any]) -> None:
        """The error that ended the stream (``EventStreamError.response``)."""
        error = response.get("Error") or {}
        code = error.get("Code")
        # The errors the model declares; another is not replayed as one.
        if code in ("ModelStreamError", "InternalStreamFailure"):  # pragma: no branch
            self._error = StreamError(
                code=code,
                message=error.get("Message") or "",
                error_code=response.get("ErrorCode"),
            )
        self.ended()

    def ended(self) -> None:
        """The stream ended after its last event (or its error)."""
        self.progress.finished = True
        if self.on_end is not None:
            self.on_end(self.result())

    def closed(self) -> None:
        """The caller closed the stream."""
        self.progress.closed = True

    def result(self) -> StreamResult:
        """What was read so far, as a result."""
        head = self._head
        return StreamResult(
            parts=self._parts,
            error=self._error,
            content_type=head.content_type,
            invoked_production_variant=head.invoked_production_variant,
            custom_attributes=head.custom_attributes,
        )


# -- the tape --------------------------------------------------------------------


class Tape:
    """A cassette in use by one engine (a stub, a mock or a server).

    Raises:
        CassetteError: ``record_mode="none"`` and the file does not exist,
            or the file cannot be read.
    """

    def __init__(self, cassette: Cassette, engine: Engine) -> None:
        self.cassette = cassette
        self._engine = engine
        self.name = str(cassette.path)
        #: Where the file is written: fixed now, whatever the working
        #: directory is when the stub stops.
        self._file = cassette.path.absolute()
        mode = cassette.record_mode
        exists = cassette.path.exists()
        if mode == "none" and not exists:
            msg = (
                f"Cassette {self.name!r} does not exist, and record_mode='none' "
                "only replays. Record it once: run pytest with "
                "--sagemaker-record-mode=once, or give "
                f"Cassette({self.name!r}, record_mode='once')."
            )
            raise CassetteError(msg)
        self.records = records(cassette)
        #: Nothing to replay: the file is recorded over, or made.
        self.records_all = mode == "all" or not exists
        self._loaded: list[Interaction] = (
            [] if self.records_all else read_interactions(cassette.path)
        )
        self._keys: set[tuple[str, str, Hashable]] = set()
        self._queued: list[tuple[Kind, str, object, Hashable, str]] = []
        #: Where each endpoint's recorded async outputs were written.
        self._paths: dict[str, tuple[str, str]] = {}
        for number, interaction in enumerate(self._loaded, 1):
            self._prepare(interaction, number)
        self._new: list[Interaction] = []
        #: Identities answered while recording, and streams still being read.
        self._answered: set[tuple[str, str, Hashable]] = set()
        self._streaming: set[tuple[str, str, Hashable]] = set()
        #: Async recordings still waiting for their object, by real location.
        self._awaited: dict[str, tuple[RecordedAsync, bool]] = {}
        #: Sync S3 clients that can fetch an object no read brought in.
        self.fetchers: list[Callable[[str], tuple[bytes, str] | None]] = []
        self._lock = threading.Lock()
        self.queue()

    def _prepare(self, interaction: Interaction, number: int) -> None:
        """Check a recording and keep it, with its identity, for the queues."""
        operation = self._engine.operations[interaction.operation]
        members = operation.identity_members
        unknown = sorted(set(interaction.identity) - set(members))
        if unknown:
            msg = (
                f"Cassette {self.name!r}, interaction {number}: the request of "
                f"{interaction.operation} names {', '.join(unknown)}, outside "
                "its identity; a request is recorded by "
                f"{', '.join(('EndpointName', *members))} and Body."
            )
            raise CassetteError(msg)
        values = tuple(map(interaction.identity.get, members))
        key = identity_key(operation, values, hashlib.sha256(interaction.body).digest())
        self._keys.add((interaction.operation, interaction.endpoint_name, key))
        result = interaction.result
        if isinstance(result, RecordedAsync):
            result = self._replayed_async(result, interaction.endpoint_name)
        self._queued.append(
            (
                _KINDS[interaction.operation],
                interaction.endpoint_name,
                result,
                key,
                f"{self.name}, interaction {number}",
            )
        )

    def _replayed_async(self, recorded: RecordedAsync, endpoint: str) -> AsyncResult:
        """The result an async recording replays, its locations configured."""
        output, failure = recorded.output_location, recorded.failure_location
        suffix, error_suffix = f"/{INFERENCE_ID}.out", f"/{INFERENCE_ID}-error.out"
        if output.endswith(suffix) and failure.endswith(error_suffix):
            self._paths.setdefault(
                endpoint, (output[: -len(suffix)], failure[: -len(error_suffix)])
            )
        if recorded.outcome is not None:
            return recorded.outcome
        # The object never appeared while recording: it never does here either,
        # unless the test calls stub.complete().
        return AsyncResult(data=b"", hold=True)

    def queue(self) -> None:
        """Queue the recordings (again, after a reset)."""
        for endpoint, (output, failure) in self._paths.items():
            self._engine.outputs.configure(output, failure, endpoint)
        book = self._engine.book
        groups: dict[tuple[Kind, str], list[tuple[object, Hashable, str]]] = {}
        for kind, endpoint, result, key, where in self._queued:
            groups.setdefault((kind, endpoint), []).append((result, key, where))
        for (kind, endpoint), recorded in groups.items():
            book.add_recorded(kind, endpoint, recorded)

    # -- recording ------------------------------------------------------------------

    def sends(self, request: Request, key: Hashable) -> bool:
        """Whether a call to a recording tape goes to the endpoint.

        A request this tape recorded an answer for is answered from it, as
        the replay will answer it: the endpoint is asked once per identity.
        """
        identity = (request.operation.name, request.params.get("EndpointName"), key)
        if identity in self._answered:
            return request.operation.kind is Kind.ASYNC
        return self.records_all or identity not in self._keys

    def record(
        self,
        request: Request,
        digest: bytes,
        key: Hashable,
        result: object,
        *,
        inference_id: str | None = None,
        stream: StreamProgress | None = None,
    ) -> None:
        """Keep what the endpoint answered a call, and record the call.

        An identity is recorded until it is answered without an error: a
        repeat of an answered request is not recorded again, as the replay
        will give it the result it got.
        """
        operation = request.operation
        endpoint = request.params["EndpointName"]
        identity = (operation.name, endpoint, key)
        # A recorded stream's parts are known only once read: its call shows
        # how far the caller read, and the cassette holds the parts.
        logged = None if isinstance(result, StreamTake) else result
        self._engine.calls.record(
            request,
            digest,
            logged,
            Source.RECORDED,
            stream=stream,
            inference_id=inference_id,
        )
        headers = request.headers
        with self._lock:
            if identity in self._answered or identity in self._streaming:
                return  # made again before its answer could answer it
            if isinstance(result, StreamTake):
                self._streaming.add(identity)
                result.on_end = lambda whole: self._answered_by(identity, key, whole)
            elif not isinstance(result, ErrorResult):
                self._answered_by(identity, key, result)
            self._new.append(
                Interaction(
                    operation=operation.name,
                    endpoint_name=endpoint,
                    identity={
                        member: headers[wire]
                        for member, wire in zip(
                            operation.identity_members,
                            operation.identity_headers,
                            strict=True,
                        )
                        if headers.get(wire) is not None
                    },
                    body=request.body if operation.kind is not Kind.ASYNC else b"",
                    result=result,
                )
            )
            if isinstance(result, RecordedAsync):
                self._await(result, inference_id or "")

    def _await(self, recorded: RecordedAsync, inference_id: str) -> None:
        """Wait for an async recording's object at either of its locations."""
        self._awaited.update(
            (location, (recorded, failed))
            for location, failed in (
                (recorded.output_location.replace(INFERENCE_ID, inference_id), False),
                (recorded.failure_location.replace(INFERENCE_ID, inference_id), True),
            )
            if location.startswith("s3://")
        )

    def _answered_by(
        self, identity: tuple[str, str, Hashable], key: Hashable, result: object
    ) -> None:
        """A request was answered: its repeats are answered from ``result``.

        An async call's repeats are sent again (its object is in the real
        S3), and not recorded again.
        """
        self._streaming.discard(identity)
        self._answered.add(identity)
        if not isinstance(result, RecordedAsync):
            kind, endpoint = _KINDS[identity[0]], identity[1]
            self._engine.book.remember(kind, endpoint, key, result)

    def observe(self, s3_uri: str, data: bytes, content_type: str) -> None:
        """An S3 object was read: the output of an async call being recorded?"""
        with self._lock:
            awaited = self._awaited.pop(s3_uri, None)
            if awaited is None:  # pragma: no cover - another thread read it first
                return
            recorded, failed = awaited
            for location, (other, _) in list(self._awaited.items()):
                if other is recorded:
                    del self._awaited[location]
        recorded.outcome = AsyncResult(
            data=data,
            is_failure=failed,
            content_type=content_type or "binary/octet-stream",
        )

    def awaits(self, s3_uri: str) -> bool:
        """Whether an async call being recorded waits for an object there."""
        return s3_uri in self._awaited

    def save(self) -> None:
        """Write the cassette, if this tape recorded anything.

        An async call whose object was never read is fetched first, through
        a sync S3 client the test gave the stub.
        """
        if not self.records:
            return
        for location in list(self._awaited):
            if not self.awaits(location):  # its other location was found
                continue
            for fetch in self.fetchers:
                found = fetch(location)
                if found is not None:
                    self.observe(location, *found)
                    break
        with self._lock:
            new = list(self._new)
        if not new:
            return
        interactions = ([] if self.records_all else list(self._loaded)) + [
            _finished(interaction) for interaction in new
        ]
        write_interactions(self.cassette, interactions, self._file)


def _finished(interaction: Interaction) -> Interaction:
    """An interaction as written: a stream's parts read so far."""
    result = interaction.result
    if isinstance(result, StreamTake):
        return attrs.evolve(interaction, result=result.result())
    return interaction
