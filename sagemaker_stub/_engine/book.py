"""The result model: queues, memory and fallback, in plain Python.

This module knows nothing of botocore. A request reaches it as an operation
kind, an endpoint name and a hashable identity key; it answers with the value
remembered for that identity, or builds one from the next queued result.
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

__all__ = ["Kind", "PendingResult", "ResultBook", "Source"]

V = TypeVar("V")
_MISSING: object = object()


class Kind(enum.Enum):
    """The operations that have queues of their own."""

    SYNC = "InvokeEndpoint"
    ASYNC = "InvokeEndpointAsync"
    STREAM = "InvokeEndpointWithResponseStream"

    # Members are singletons compared by identity, so identity can hash them:
    # Enum's own __hash__ is Python code, and kinds key every lookup of a call.
    __hash__ = object.__hash__


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

    def __str__(self) -> str:
        target = (
            "any endpoint"
            if self.endpoint_name is None
            else f"endpoint {self.endpoint_name!r}"
        )
        return (
            f"{self.result!r} for {self.operation} on {target}, queued at {self.origin}"
        )


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


@attrs.frozen
class _Entry:
    seq: int
    pending: PendingResult


class ResultBook(Generic[V]):
    """Queues of results and the memory of what each request was given.

    Args:
        fallbacks: For each kind, the kinds whose queues are tried, in order,
            when its own queues are empty.
    """

    def __init__(self, fallbacks: Mapping[Kind, tuple[Kind, ...]]) -> None:
        self._fallbacks = dict(fallbacks)
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._shared: dict[Kind, deque[_Entry]] = {kind: deque() for kind in Kind}
        self._by_endpoint: dict[Kind, dict[str, deque[_Entry]]] = {
            kind: {} for kind in Kind
        }
        self._memory: dict[tuple[Kind, str, Hashable], V] = {}
        #: How many queued results carry the identity they were recorded for.
        self._keyed = 0
        #: For each kind, the queues to try in order, and how each is named.
        self._order = {
            kind: tuple(
                (
                    self._by_endpoint[candidate],
                    self._shared[candidate],
                    Source.QUEUED if candidate is kind else Source.FALLBACK,
                )
                for candidate in (kind, *self._fallbacks.get(kind, ()))
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
    ) -> None:
        """Queue ``results``, in order, for one endpoint or for any."""
        with self._lock:
            if endpoint_name is None:
                queue = self._shared[kind]
            else:
                queue = self._by_endpoint[kind].setdefault(endpoint_name, deque())
            queue.extend(
                _Entry(
                    next(self._seq),
                    PendingResult(
                        operation=kind.value,
                        result=result,
                        endpoint_name=endpoint_name,
                        origin=origin,
                    ),
                )
                for result in results
            )

    def add_recorded(
        self,
        kind: Kind,
        endpoint_name: str,
        recorded: Iterable[tuple[object, Hashable, str]],
    ) -> None:
        """Queue recordings (result, identity, origin) for one endpoint, in order.

        A request whose identity matches a recording still queued takes that
        one; any other new request takes the endpoint's next result, as it
        would from :meth:`add`.
        """
        with self._lock:
            queue = self._by_endpoint[kind].setdefault(endpoint_name, deque())
            for result, key, where in recorded:
                pending = PendingResult(
                    operation=kind.value,
                    result=result,
                    endpoint_name=endpoint_name,
                    origin=where,
                    key=key,
                )
                queue.append(_Entry(next(self._seq), pending))
                self._keyed += 1

    def remember(self, kind: Kind, endpoint_name: str, key: Hashable, value: V) -> None:
        """Remember ``value`` as what a request was given, as :meth:`take` does."""
        with self._lock:
            self._memory[(kind, endpoint_name, key)] = value

    def take(
        self,
        kind: Kind,
        endpoint_name: str,
        key: Hashable,
        build: Callable[[PendingResult | None, Source], V],
        *,
        fresh: bool = False,
        keep: Callable[[V], bool] | None = None,
    ) -> tuple[V, Source]:
        """The value for a request, remembered or built from the next result.

        ``build`` turns the chosen queued result (``None`` when every queue
        is empty) into the value to remember; it runs under the lock, so each
        queued result is used exactly once however many threads call. If
        ``build`` raises, the result goes back to the front of its queue.
        With ``fresh``, what the request was given before is passed over, and
        the new value replaces it. A value for which ``keep`` is false answers
        this request only: it is not remembered.
        """
        memory_key = (kind, endpoint_name, key)
        memory = self._memory
        if not fresh:
            # Entries are only ever added or replaced, and a dict lookup is
            # atomic, so a remembered request needs no lock.
            value = memory.get(memory_key, _MISSING)
            if value is not _MISSING:
                return cast(V, value), Source.REMEMBERED
        lock = self._lock
        if not lock.acquire(False):  # positional: cheaper than blocking=False
            _wait_for(lock)
        try:
            if not fresh and memory_key in memory:  # another thread just took it
                return memory[memory_key], Source.REMEMBERED
            if self._keyed:  # a cassette's recordings are queued
                queue, source, entry = self._recorded_next(kind, endpoint_name, key)
            else:
                queue, source = self._next_queue(kind, endpoint_name)
                entry = queue.popleft() if queue is not None else None
            try:
                value = build(entry.pending if entry else None, source)
            except BaseException:
                if queue is not None and entry is not None:
                    self._put_back(queue, entry)
                raise
            if keep is None or keep(value):
                memory[memory_key] = value
            else:
                memory.pop(memory_key, None)
            return value, source
        finally:
            lock.release()

    def _recorded_next(
        self, kind: Kind, endpoint_name: str, key: Hashable
    ) -> tuple[deque[_Entry] | None, Source, _Entry | None]:
        """The entry a new request takes, removed from its queue: the recording
        made for its identity if one is queued, else the next result."""
        own = self._by_endpoint[kind].get(endpoint_name)
        for entry in own or ():
            if entry.pending.key == key:
                assert own is not None
                own.remove(entry)
                self._keyed -= 1
                return own, Source.QUEUED, entry
        queue, source = self._next_queue(kind, endpoint_name)
        if queue is None:
            return None, source, None
        entry = queue.popleft()
        if entry.pending.key is not None:
            self._keyed -= 1
        return queue, source, entry

    def _put_back(self, queue: deque[_Entry], entry: _Entry) -> None:
        """Return an entry a build refused to its place in the queue."""
        position = 0
        while position < len(queue) and queue[position].seq < entry.seq:
            position += 1
        queue.insert(position, entry)
        if entry.pending.key is not None:
            self._keyed += 1

    def _next_queue(
        self, kind: Kind, endpoint_name: str
    ) -> tuple[deque[_Entry] | None, Source]:
        for by_endpoint, shared, source in self._order[kind]:
            own = by_endpoint.get(endpoint_name)
            if own:
                return own, source
            if shared:
                return shared, source
        return None, Source.DEFAULT

    def clear(self) -> None:
        """Forget every queued result and every remembered answer."""
        with self._lock:
            for kind in Kind:
                self._shared[kind].clear()
                self._by_endpoint[kind].clear()
            self._memory.clear()
            self._keyed = 0

    def pending(self) -> list[PendingResult]:
        """Every queued result not yet used, in the order it was queued."""
        with self._lock:
            entries = [entry for queue in self._shared.values() for entry in queue]
            entries.extend(
                entry
                for queues in self._by_endpoint.values()
                for queue in queues.values()
                for entry in queue
            )
        entries.sort(key=lambda entry: entry.seq)
        return [entry.pending for entry in entries]

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
