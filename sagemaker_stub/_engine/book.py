"""The result model: queues, memory and fallback, in plain Python.

This module knows nothing of botocore. A request reaches it as its
:class:`~.identity.Identity` (kind, endpoint, headers, body); it answers with
the value remembered for that identity, or builds one from the next queued
result.
"""

from __future__ import annotations

import enum
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Generic, TypeVar, cast

import attrs

from .identity import Identity, Kind, same

__all__ = ["PendingResult", "Queued", "Recording", "ResultBook", "Source"]

V = TypeVar("V")
_MISSING: object = object()


class Source(str, enum.Enum):
    """How the result of a call was chosen.

    .. versionadded:: 0.1.0
    """

    #: The next queued result for the operation (the endpoint's queue first).
    QUEUED = "queued"
    #: The result this endpoint already gave for the same request.
    REMEMBERED = "remembered"
    #: Taken from another operation's queue (async and streaming calls fall
    #: back to the ``invoke_endpoint`` queue).
    FALLBACK = "fallback"
    #: The static default answered, as nothing was queued.
    DEFAULT = "default"
    #: Computed from the request by a responder, as nothing was queued.
    #:
    #: .. versionadded:: 0.3.0
    RESPONDED = "responded"
    #: A strict expectation added through botocore's ``Stubber`` API.
    STUBBER = "stubber"
    #: Refused before any result was chosen, as the service refuses it:
    #: server-side validation, the endpoint registry or the session check.
    REJECTED = "rejected"
    #: Failed (or delayed past the read timeout) by a fault policy.
    FAULT = "fault"
    #: Sent to the endpoint and recorded into a cassette.
    #:
    #: .. versionadded:: 0.2.0
    RECORDED = "recorded"
    #: The stub could not answer the call and raised its own error, because
    #: nothing was queued (``allow_defaults=False``) or the result taken could
    #: not answer it. No result was used.
    UNANSWERED = "unanswered"


@attrs.frozen(kw_only=True)
class PendingResult:
    """A queued result that no call has used yet.

    .. versionadded:: 0.1.0
    """

    #: The operation whose queue holds it, e.g. ``"InvokeEndpoint"``.
    operation: str
    #: The result itself.
    result: object
    #: The endpoint it was queued for, or ``None`` for the shared queue.
    endpoint_name: str | None
    #: Where it was queued, as ``file:line`` (for a cassette's recording,
    #: the cassette and the interaction's number).
    origin: str
    #: The identity of the request it was recorded for, if it came from a
    #: cassette: a request with that identity takes it before older results.
    key: Hashable | None = attrs.field(default=None, repr=False, eq=False)
    #: The only region whose calls take it (a moto payload's, loaded into a
    #: mock or a server), or None for any.
    #:
    #: .. versionadded:: 0.3.0
    region: str | None = None

    def __str__(self) -> str:
        target = (
            "any endpoint"
            if self.endpoint_name is None
            else f"endpoint {self.endpoint_name!r}"
        )
        where = "" if self.region is None else f" in {self.region}"
        return (
            f"{self.result!r} for {self.operation} on {target}{where}, queued at "
            f"{self.origin}"
        )


@attrs.frozen
class Recording:
    """A cassette's recording, queued for the request it was recorded for."""

    result: object
    identity: Identity
    #: The cassette and the interaction's number.
    origin: str


class Queued:
    """A queued result and its place in the order results were queued."""

    __slots__ = ("pending", "seq")

    def __init__(self, seq: int, pending: PendingResult) -> None:
        self.seq = seq
        self.pending = pending


def _wait_for(lock: threading.Lock) -> None:
    """Take a lock another thread holds, without queueing behind it in the OS.

    A thread blocked in ``acquire()`` is handed the lock on release, and then
    must wait for the GIL, so once threads queue on a lock every hand-over
    costs context switches and they rarely stop queueing (a lock convoy:
    16 threads served fewer calls than one). Instead the waiter lets other
    threads run (``sleep(0)`` releases the GIL) and tries again, so the
    holder releases the lock to nobody and goes on at full speed.
    """
    while not lock.acquire(blocking=False):
        time.sleep(0)


#: The kinds whose queues each kind falls back to, in order.
_FALLBACKS: Mapping[Kind, tuple[Kind, ...]] = {
    Kind.ASYNC: (Kind.SYNC,),
    Kind.STREAM: (Kind.SYNC,),
}
#: What a build is given: the queued result taken (None when every queue was
#: empty) and how it was chosen.
Build = Callable[[Queued | None, Source], V]


class ResultBook(Generic[V]):
    """Queues of results and the memory of what each request was given.

    Async and streaming calls fall back to the ``invoke_endpoint`` queues
    when their own are empty.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._shared: dict[Kind, deque[Queued]] = {kind: deque() for kind in Kind}
        self._by_endpoint: dict[Kind, dict[str, deque[Queued]]] = {
            kind: {} for kind in Kind
        }
        #: What each request was given, by its region and identity: a mock or
        #: a server answers several regions, each remembering its own (as
        #: moto's backends do); a stub's client has one.
        self._memory: dict[tuple[str, Identity], V] = {}
        #: How many queued results carry the identity they were recorded for.
        self._keyed = 0
        #: How many queued results serve one region only.
        self._regional = 0
        #: Whether a request takes only the recordings made for it (a
        #: cassette's ``match="identity"``), not the endpoint's next one.
        self._strict = False
        #: For each kind, the queues to try in order, and how each is named.
        self._order = {
            kind: tuple(
                (
                    self._by_endpoint[candidate],
                    self._shared[candidate],
                    Source.QUEUED if candidate is kind else Source.FALLBACK,
                )
                for candidate in (kind, *_FALLBACKS.get(kind, ()))
            )
            for kind in Kind
        }

    def add(
        self,
        kind: Kind,
        results: Iterable[object],
        *,
        endpoint_name: str | None,
        origin: str,
        region: str | None = None,
    ) -> None:
        """Queue ``results``, in order, for one endpoint or for any, for the
        calls of one ``region`` or of any."""
        with self._lock:
            queue = self._queue_of(kind, endpoint_name)
            before = len(queue)
            queue.extend(
                Queued(
                    next(self._seq),
                    PendingResult(
                        operation=kind.value,
                        result=result,
                        endpoint_name=endpoint_name,
                        origin=origin,
                        region=region,
                    ),
                )
                for result in results
            )
            if region is not None:
                self._regional += len(queue) - before

    def add_recorded(self, recordings: Iterable[Recording], *, strict: bool) -> None:
        """Queue a cassette's recordings, each on its request's endpoint, in order.

        A request that matches a recording still queued takes that one. Any
        other new request takes the next result queued with :meth:`add`; or,
        unless ``strict``, its endpoint's next result of any kind, recordings
        included.
        """
        with self._lock:
            self._strict = strict
            for recording in recordings:
                identity = recording.identity
                pending = PendingResult(
                    operation=identity.kind.value,
                    result=recording.result,
                    endpoint_name=identity.endpoint_name,
                    origin=recording.origin,
                    key=identity,
                )
                queue = self._queue_of(identity.kind, identity.endpoint_name)
                queue.append(Queued(next(self._seq), pending))
                self._keyed += 1

    def _queue_of(self, kind: Kind, endpoint_name: str | None) -> deque[Queued]:
        if endpoint_name is None:
            return self._shared[kind]
        return self._by_endpoint[kind].setdefault(endpoint_name, deque())

    def remember(self, identity: Identity, region: str, value: V) -> None:
        """Remember ``value`` as what a request was given, as :meth:`take` does."""
        with self._lock:
            self._memory[region, identity] = value

    def take(
        self,
        identity: Identity,
        region: str,
        build: Build[V],
        *,
        fresh: bool = False,
        keep: Callable[[V], bool] | None = None,
    ) -> tuple[V, Source]:
        """The value for a request, remembered or built from the next result.

        ``build`` turns the queued result taken (``None`` when every queue is
        empty) into the value to remember, under the lock, so each queued
        result is used exactly once; if it raises, the result goes back to
        its place. With ``fresh``, what the request was given before is
        passed over and replaced. A value for which ``keep`` is false is not
        remembered. Each ``region`` remembers its own, and a result queued
        for one region serves only its calls.
        """
        memory = self._memory
        key = (region, identity)
        if not fresh:
            # Entries are only ever added or replaced, and a dict lookup is
            # atomic, so a remembered request needs no lock.
            value = memory.get(key, _MISSING)
            if value is not _MISSING:
                return cast(V, value), Source.REMEMBERED
        lock = self._lock
        if not lock.acquire(False):  # positional: cheaper than blocking=False
            _wait_for(lock)
        try:
            if not fresh and key in memory:  # another thread just took it
                return memory[key], Source.REMEMBERED
            if self._keyed or self._regional:  # recordings, or regional results
                queue, source, queued = self._recorded_next(identity, region)
            else:
                # The kind's own queues first (the endpoint's, then the shared
                # one); the fallbacks only when both are empty.
                by_endpoint, shared, source = self._order[identity.kind][0]
                queue = by_endpoint.get(identity.endpoint_name) or shared or None
                if queue is None:
                    queue, source = self._next_queue(
                        identity.kind, identity.endpoint_name
                    )
                queued = queue.popleft() if queue is not None else None
            try:
                value = build(queued, source)
            except BaseException:
                if queue is not None and queued is not None:
                    self._put_back(queue, queued)
                raise
            if keep is None or keep(value):
                memory[key] = value
            else:
                memory.pop(key, None)
            return value, source
        finally:
            lock.release()

    def settle(
        self,
        identity: Identity,
        region: str,
        build: Callable[[], V],
        *,
        fresh: bool,
        keep: Callable[[V], bool],
        source: Source,
    ) -> tuple[V, Source]:
        """As :meth:`take`, for a request that found nothing queued: the value
        is ``build``'s, unless another thread remembered one meanwhile."""
        key, memory = (region, identity), self._memory
        with self._lock:
            if not fresh and key in memory:
                return memory[key], Source.REMEMBERED
            value = memory[key] = build()
            if not keep(value):
                del memory[key]
            return value, source

    def give_back(
        self, identity: Identity, region: str, queued: Queued | None, value: V
    ) -> None:
        """Undo a :meth:`take` whose value could not be delivered.

        The result goes back to its place in its queue, and the request no
        longer remembers ``value``.
        """
        with self._lock:
            key = (region, identity)
            if self._memory.get(key, _MISSING) is value:
                del self._memory[key]
            if queued is not None:
                pending = queued.pending
                kind = Kind(pending.operation)
                self._put_back(self._queue_of(kind, pending.endpoint_name), queued)

    def _recorded_next(
        self, identity: Identity, region: str
    ) -> tuple[deque[Queued] | None, Source, Queued | None]:
        """The entry a new request takes, removed from its queue: the recording
        made for it if one is queued, else the next result its region may
        take (under the lock)."""
        found = self._recording_for(identity) if self._keyed else None
        if found is not None:
            own, queued = found
            own.remove(queued)
            self._keyed -= 1
            return own, Source.QUEUED, queued
        strict = self._strict and self._keyed > 0
        for by_endpoint, shared, source in self._order[identity.kind]:
            for queue in (by_endpoint.get(identity.endpoint_name), shared):
                for queued in queue or ():
                    pending = queued.pending
                    if (strict and pending.key is not None) or (
                        pending.region is not None and pending.region != region
                    ):
                        continue
                    assert queue is not None
                    queue.remove(queued)
                    self._keyed -= pending.key is not None
                    self._regional -= pending.region is not None
                    return queue, source, queued
        return None, Source.DEFAULT, None

    def _put_back(self, queue: deque[Queued], queued: Queued) -> None:
        """Return a taken entry to its place in the queue (under the lock)."""
        position = 0
        while position < len(queue) and queue[position].seq < queued.seq:
            position += 1
        queue.insert(position, queued)
        self._keyed += queued.pending.key is not None
        self._regional += queued.pending.region is not None

    def _next_queue(
        self, kind: Kind, endpoint_name: str
    ) -> tuple[deque[Queued] | None, Source]:
        for by_endpoint, shared, source in self._order[kind]:
            own = by_endpoint.get(endpoint_name)
            if own:
                return own, source
            if shared:
                return shared, source
        return None, Source.DEFAULT

    def _recording_for(self, identity: Identity) -> tuple[deque[Queued], Queued] | None:
        """The queued recording made for ``identity``, and its queue, if one
        is left (under the lock)."""
        own = self._by_endpoint[identity.kind].get(identity.endpoint_name)
        for queued in own or ():
            key = queued.pending.key
            if isinstance(key, Identity) and same(key, identity):
                assert own is not None
                return own, queued
        return None

    def answers(self, identity: Identity, region: str) -> bool:
        """Whether a request would be answered without a new result: it is
        remembered, or a recording made for it is still queued."""
        return (region, identity) in self._memory or self.has_recording(identity)

    def has_recording(self, identity: Identity) -> bool:
        """Whether a recording made for ``identity`` is still queued."""
        with self._lock:
            return self._recording_for(identity) is not None

    def clear(self) -> None:
        """Forget every queued result and every remembered answer."""
        with self._lock:
            for kind in Kind:
                self._shared[kind].clear()
                self._by_endpoint[kind].clear()
            self._memory.clear()
            self._keyed = self._regional = 0

    def pending(self) -> list[PendingResult]:
        """Every queued result not yet used, in the order it was queued."""
        with self._lock:
            entries = [queued for queue in self._shared.values() for queued in queue]
            entries.extend(
                queued
                for queues in self._by_endpoint.values()
                for queue in queues.values()
                for queued in queue
            )
        entries.sort(key=lambda queued: queued.seq)
        return [queued.pending for queued in entries]

    def endpoints_with_results(self, kind: Kind) -> list[str]:
        """Endpoints that still have results of ``kind`` queued for them."""
        with self._lock:
            return sorted(
                name for name, queue in self._by_endpoint[kind].items() if queue
            )

    def remembered(self) -> int:
        """How many request identities have a remembered result."""
        with self._lock:
            return len(self._memory)
