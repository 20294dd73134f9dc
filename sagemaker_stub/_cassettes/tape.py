"""A cassette in use: what it replays, what it records, and when it is written.

A :class:`Tape` belongs to one engine. When it is made it reads the
cassette and, unless it records every call, queues the recordings in the
engine's result book, each with the identity of the request it was recorded
for (the book's rules then serve them, as :class:`~.._engine.engine.Replay`).
The engine asks :meth:`Tape.match` which identity a request is answered
by (its own, redacted, or the one a custom matcher chose), and
:meth:`Tape.differences` how the nearest recordings differ from a request
none matches. A door asks :meth:`Tape.sends` whether a call goes to the
endpoint instead; if it does, the door hands the outcome it parsed (see
:mod:`.outcomes`) to :meth:`Tape.record`. The tape keeps the interactions
recorded since, and :meth:`Tape.save` merges them into the file as it is
then, under a lock (see :func:`.merge.merged`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import attrs

from sagemaker_stub._engine.book import Recording, Source
from sagemaker_stub._engine.engine import Engine
from sagemaker_stub._engine.eventstream import StreamProgress
from sagemaker_stub._engine.identity import Identity, Kind
from sagemaker_stub._engine.request import Request
from sagemaker_stub._errors import CassetteError
from sagemaker_stub._options import Cassette
from sagemaker_stub._results import AsyncResult, ErrorResult

from .file import Document, documents_of, read_cassette, write_documents
from .interactions import INFERENCE_ID, Interaction, RecordedAsync
from .lock import locked
from .matching import Matching
from .merge import key_of, merged
from .outcomes import StreamTake

__all__ = ["Tape", "Usage", "tape_for"]


@attrs.frozen
class Usage:
    """Which of a cassette's recordings a tape used: what a run reports."""

    #: The cassette's file.
    path: Path
    #: Each recording the tape loaded, by request (see :func:`.merge.key_of`).
    loaded: frozenset[str]
    #: The requests whose recordings it used, or recorded.
    used: frozenset[str]


def tape_for(cassette: Cassette | None, engine: Engine) -> Tape | None:
    """The tape of ``cassette`` on ``engine``, its recordings queued; None without one.

    Raises:
        CassetteError: ``record_mode="none"`` and the file does not exist,
            or the file cannot be read.
    """
    if cassette is None:
        return None
    tape = Tape(cassette, engine)
    engine.replay = tape
    return tape


class Tape:
    """A cassette in use by one engine (a stub, a mock or a server).

    Raises:
        CassetteError: ``record_mode="none"`` and the file does not exist,
            or the file cannot be read.
    """

    def __init__(self, cassette: Cassette, engine: Engine) -> None:
        self.cassette = cassette
        self._engine = engine
        #: The cassette's path as given, as messages name it.
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
        # Read from the one look at the file above: another process may
        # write it at any moment.
        self.records = mode in ("all", "new_episodes") or not exists
        #: Nothing to replay: every call is recorded (``all``), or the file is new.
        self.records_all = mode == "all" or not exists
        read = [] if self.records_all else read_cassette(cassette.path)
        #: The file's interactions as written, for the save to merge into.
        self._documents: list[Document] = [document for document, _ in read]
        self.matching = Matching(cassette, engine.operations, self.name)
        self._recordings: list[Recording] = []
        #: Where each endpoint's recorded async outputs were written.
        self._paths: dict[str, tuple[str, str]] = {}
        for number, (_, interaction) in enumerate(read, 1):
            self._prepare(interaction, number)
        self._new: list[Interaction] = []
        #: The requests of the interactions saved, by key.
        self._saved: set[str] = set()
        #: Identities answered while recording, and streams still being read.
        self._answered: set[Identity] = set()
        self._streaming: set[Identity] = set()
        #: Async recordings still waiting for their object, by real location.
        self._awaited: dict[str, tuple[RecordedAsync, bool]] = {}
        #: Whether a call was made to the tape at all.
        self._asked = False
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
        identity = self.matching.add(number, interaction, operation)
        result = interaction.result
        if isinstance(result, RecordedAsync):
            result = self._replayed_async(result, interaction.endpoint_name)
        self._recordings.append(Recording(result, identity, self._origin(number)))

    def _origin(self, number: int) -> str:
        """Where a recording was queued, as pending results name it."""
        return f"{self.name}, interaction {number}"

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
        self._engine.book.add_recorded(
            self._recordings, strict=self.cassette.match != "order"
        )

    def match(self, request: Request) -> Identity:
        """The identity ``request`` is answered by (see :class:`.matching.Matching`)."""
        return self.matching.match(request, self._engine.book)

    def differences(self, request: Request) -> list[str]:
        """How the nearest recordings differ from a request none matched."""
        return self.matching.differences(request)

    def usage(self) -> Usage:
        """Which recordings were used; call it once the calls are made."""
        unused = {
            pending.origin
            for pending in self._engine.book.pending()
            if pending.key is not None
        }
        with self._lock:
            recorded_keys = set(self._saved)
        return Usage(
            path=self._file,
            loaded=frozenset(key_of(document) for document in self._documents),
            used=frozenset(
                key_of(document)
                for number, document in enumerate(self._documents, 1)
                if self._origin(number) not in unused
            )
            | recorded_keys,
        )

    # -- recording ------------------------------------------------------------------

    def sends(self, request: Request) -> bool:
        """Whether a call to a recording tape goes to the endpoint.

        A request this tape recorded an answer for is answered from it, as
        the replay will answer it: the endpoint is asked once per identity.
        A request the cassette had is replayed while a recording of it is
        left, or while its answer is remembered.
        """
        self._asked = True
        identity = request.identity
        assert identity is not None  # identified by the door that asks
        if identity in self._answered:
            return identity.kind is Kind.ASYNC
        if self.records_all or identity not in self.matching.identities:
            return True
        # The cassette has it: replay it, unless its recordings are used up
        # and none answers it again (a recorded error answers once): then the
        # code's retry goes to the endpoint, and is added after it.
        return not self._engine.book.answers(identity, request.region)

    def record(
        self,
        request: Request,
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
        identity = request.identity
        assert identity is not None  # identified by the door that sent it
        # A recorded stream's parts are known only once read: its call shows
        # how far the caller read, and the cassette holds the parts.
        logged = None if isinstance(result, StreamTake) else result
        self._engine.calls.log(
            request, logged, Source.RECORDED, stream=stream, inference_id=inference_id
        )
        sent = self.matching.sent(request)
        with self._lock:
            if identity in self._answered or identity in self._streaming:
                return  # made again before its answer could answer it
            if isinstance(result, StreamTake):
                self._streaming.add(identity)
                result.on_end = lambda whole: self._answered_by(
                    identity, request.region, whole
                )
            elif not isinstance(result, ErrorResult):
                self._answered_by(identity, request.region, result)
            self._new.append(
                Interaction(
                    operation=operation.name,
                    endpoint_name=sent.endpoint_name,
                    identity=dict(sent.parameters),
                    body=sent.body,
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

    def _answered_by(self, identity: Identity, region: str, result: object) -> None:
        """A request was answered: its repeats are answered from ``result``.

        An async call's repeats are sent again (its object is in the real
        S3), and not recorded again.
        """
        self._streaming.discard(identity)
        self._answered.add(identity)
        if not isinstance(result, RecordedAsync):
            self._engine.book.remember(identity, region, result)

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
        """Merge what this tape recorded into the cassette (or make an empty
        one if it is missing and no call was made).

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
        if not new and (self._asked or self._file.exists()):
            return  # nothing recorded: the cassette stays as it is
        # A run that made no call still leaves a cassette (an empty one), so
        # that a test which makes none replays as it recorded. (Calls that
        # could not be recorded leave none, so the next run records them.)
        ours = documents_of(
            self.cassette, [_finished(interaction) for interaction in new]
        )
        with locked(self._file):
            current = (
                [document for document, _ in read_cassette(self._file)]
                if self._file.exists()
                else []
            )
            write_documents(
                merged(
                    current,
                    self._documents,
                    ours,
                    replace=self.cassette.record_mode == "all",
                ),
                self._file,
            )
        with self._lock:
            self._saved.update(key_of(document) for document in ours)


def _finished(interaction: Interaction) -> Interaction:
    """An interaction as written: a stream's parts read so far."""
    result = interaction.result
    if isinstance(result, StreamTake):
        return attrs.evolve(interaction, result=result.result())
    return interaction
