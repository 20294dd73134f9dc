"""The result model on its own, with Hypothesis: no botocore involved."""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagemaker_stub._engine import book as _book
from sagemaker_stub._engine.book import Queued, Recording, ResultBook, Source
from sagemaker_stub._engine.identity import Identity, Kind

#: The region of every request here: the book keeps a memory per region.
REGION = "us-east-1"

ENDPOINTS = ("a", "b")
KINDS = (Kind.SYNC, Kind.ASYNC)

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("add"),
            st.sampled_from(KINDS),
            st.sampled_from((None, *ENDPOINTS)),
            st.integers(1, 3),
        ),
        st.tuples(
            st.just("take"),
            st.sampled_from(KINDS),
            st.sampled_from(ENDPOINTS),
            st.integers(0, 3),
        ),
    ),
    max_size=40,
)


def new_book() -> ResultBook[Any]:
    """A book where async falls back to sync, as the stub builds it."""
    return ResultBook()


def ident(kind: Kind, endpoint: str, key: Hashable) -> Identity:
    """An identity told apart by ``key`` alone, besides kind and endpoint."""
    return Identity(kind, endpoint, (str(key),), None)


def recordings(endpoint: str, *items: tuple[str, str, str]) -> list[Recording]:
    """(result, key, origin) recordings of invoke_endpoint on ``endpoint``."""
    return [
        Recording(result, ident(Kind.SYNC, endpoint, key), origin)
        for result, key, origin in items
    ]


def keep(queued: Queued | None, source: Source) -> object:
    """Remember the queued result itself, or a marker for the default."""
    return queued.pending.result if queued is not None else ("default",)


@given(actions)
def test_result_model_invariants(actions: list[tuple[Any, ...]]) -> None:
    """Exactly-once use, stable memory, queue order, and honest sources."""
    book = new_book()
    added: list[tuple[Kind, str | None, int]] = []
    served: list[int] = []
    seen: dict[Identity, object] = {}
    counter = 0
    for action in actions:
        if action[0] == "add":
            _, kind, endpoint, count = action
            ids = list(range(counter, counter + count))
            counter += count
            book.add(kind, ids, endpoint_name=endpoint, origin="test")
            added.extend((kind, endpoint, i) for i in ids)
            continue
        _, kind, endpoint, key = action
        unused_before = [item for item in added if item[2] not in served]
        value, source = book.take(ident(kind, endpoint, key), REGION, keep)
        identity = ident(kind, endpoint, key)
        if identity in seen:
            assert source is Source.REMEMBERED
            assert value == seen[identity]
            continue
        seen[identity] = value
        eligible = [
            item
            for item in unused_before
            if item[1] in (None, endpoint)
            and (item[0] is kind or (kind is Kind.ASYNC and item[0] is Kind.SYNC))
        ]
        if source is Source.DEFAULT:
            assert eligible == []
            continue
        assert isinstance(value, int)
        assert value not in served
        served.append(value)
        own_kind = [item for item in eligible if item[0] is kind]
        if source is Source.QUEUED:
            expected_pool = own_kind
        else:
            assert source is Source.FALLBACK
            assert own_kind == []
            expected_pool = eligible
        own_endpoint = [item for item in expected_pool if item[1] == endpoint]
        first = (own_endpoint or expected_pool)[0]
        assert value == first[2]
    assert [item.result for item in book.pending()] == [
        item[2] for item in added if item[2] not in served
    ]


def test_a_failed_build_puts_the_result_back() -> None:
    """A result is not lost when turning it into a value fails."""
    book = new_book()
    book.add(Kind.SYNC, ["only"], endpoint_name=None, origin="here")

    def explode(queued: Queued | None, source: Source) -> object:
        raise RuntimeError

    with pytest.raises(RuntimeError):
        book.take(ident(Kind.SYNC, "a", 1), REGION, explode)
    assert [item.result for item in book.pending()] == ["only"]
    assert book.remembered() == 0
    assert book.take(ident(Kind.SYNC, "a", 1), REGION, keep) == ("only", Source.QUEUED)
    assert book.remembered() == 1


def test_a_recording_goes_to_the_request_it_was_recorded_for() -> None:
    """Its own identity first, in any order; a new identity takes the next one."""
    book = new_book()
    book.add_recorded(
        recordings("e", ("A", "a", "c:1"), ("B", "b", "c:2")), strict=False
    )
    book.add_recorded(recordings("e", ("C", "c", "c:3")), strict=False)
    assert book.take(ident(Kind.SYNC, "e", "b"), REGION, keep) == ("B", Source.QUEUED)
    assert book.take(ident(Kind.SYNC, "e", "new"), REGION, keep) == ("A", Source.QUEUED)
    assert book.take(ident(Kind.SYNC, "e", "a"), REGION, keep) == ("C", Source.QUEUED)
    assert book.pending() == []


def test_strict_recordings_go_only_to_their_own_requests() -> None:
    """A new identity takes a result queued with add(), never a recording."""
    book = new_book()
    book.add_recorded(
        recordings("e", ("A", "a", "c:1"), ("B", "b", "c:2")), strict=True
    )
    book.add(Kind.SYNC, ["queued"], endpoint_name="e", origin="here")
    assert book.take(ident(Kind.SYNC, "e", "new"), REGION, keep) == (
        "queued",
        Source.QUEUED,
    )
    assert book.take(ident(Kind.SYNC, "e", "newer"), REGION, keep) == (
        ("default",),
        Source.DEFAULT,
    )
    assert book.has_recording(ident(Kind.SYNC, "e", "b"))
    assert book.take(ident(Kind.SYNC, "e", "b"), REGION, keep) == ("B", Source.QUEUED)
    assert not book.has_recording(ident(Kind.SYNC, "e", "b"))
    assert [item.origin for item in book.pending()] == ["c:1"]


def test_results_queued_beside_recordings_are_taken_as_usual() -> None:
    book = new_book()
    book.add_recorded(recordings("e", ("A", "a", "c:1")), strict=False)
    assert book.take(ident(Kind.SYNC, "other", "x"), REGION, keep) == (
        ("default",),
        Source.DEFAULT,
    )
    book.add(Kind.SYNC, ["queued"], endpoint_name=None, origin="here")
    assert book.take(ident(Kind.SYNC, "other", "y"), REGION, keep) == (
        "queued",
        Source.QUEUED,
    )
    assert book.take(ident(Kind.SYNC, "e", "a"), REGION, keep) == ("A", Source.QUEUED)


def test_a_recording_a_build_refused_goes_back_to_its_place() -> None:
    """Taken from the middle of its queue, it returns there, still its own."""
    book = new_book()
    book.add_recorded(
        recordings("e", ("A", "a", "c:1"), ("B", "b", "c:2")), strict=False
    )
    book.add_recorded(recordings("e", ("C", "c", "c:3")), strict=False)

    def explode(queued: Queued | None, source: Source) -> object:
        raise RuntimeError

    with pytest.raises(RuntimeError):
        book.take(ident(Kind.SYNC, "e", "b"), REGION, explode)
    assert [item.origin for item in book.pending()] == ["c:1", "c:2", "c:3"]
    assert book.take(ident(Kind.SYNC, "e", "b"), REGION, keep) == ("B", Source.QUEUED)
    book.clear()
    assert book.take(ident(Kind.SYNC, "e", "b"), REGION, keep) == (
        ("default",),
        Source.DEFAULT,
    )


def test_fresh_passes_over_the_memory_and_replaces_it() -> None:
    """What a retried request gets: the next result, remembered from then on."""
    book = new_book()
    book.add(Kind.SYNC, ["error", "ok"], endpoint_name=None, origin="here")

    def build(queued: Queued | None, source: Source) -> object:
        return queued.pending.result if queued else "default"

    assert book.take(ident(Kind.SYNC, "a", "k"), REGION, build) == (
        "error",
        Source.QUEUED,
    )
    assert book.take(ident(Kind.SYNC, "a", "k"), REGION, build, fresh=True) == (
        "ok",
        Source.QUEUED,
    )
    assert book.take(ident(Kind.SYNC, "a", "k"), REGION, build) == (
        "ok",
        Source.REMEMBERED,
    )


def test_a_request_waiting_for_the_lock_gets_what_the_holder_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two threads with one new request: the second waits, then shares the result.

    The first thread holds the lock while it builds; the second has already
    missed the memory and waits for the lock, then finds the result there.
    """
    book: ResultBook[object] = ResultBook()
    book.add(Kind.SYNC, ["first", "second"], endpoint_name=None, origin="test")
    waiting = threading.Event()
    wait_for = _book._wait_for

    def signalling_wait_for(lock: threading.Lock) -> None:
        waiting.set()
        wait_for(lock)

    monkeypatch.setattr(_book, "_wait_for", signalling_wait_for)
    taken: list[tuple[object, Source]] = []
    other = threading.Thread(
        target=lambda: taken.append(
            book.take(
                ident(Kind.SYNC, "e", "same"),
                REGION,
                lambda queued, _: None if queued is None else queued.pending,
            )
        )
    )

    def build(queued: Queued | None, source: Source) -> object:
        other.start()
        assert waiting.wait(timeout=10)
        assert queued is not None
        return queued.pending.result

    first = book.take(ident(Kind.SYNC, "e", "same"), REGION, build)
    other.join(timeout=10)
    assert first == ("first", Source.QUEUED)
    assert taken == [("first", Source.REMEMBERED)]
    assert [item.result for item in book.pending()] == ["second"]


def test_giving_back_a_taken_result_undoes_the_take() -> None:
    """A value that could not be delivered: its result is queued again, in its
    place, and the request no longer remembers it."""
    book = new_book()
    book.add(Kind.SYNC, ["first", "second"], endpoint_name=None, origin="here")
    taken: list[Queued | None] = []

    def build(queued: Queued | None, source: Source) -> object:
        taken.append(queued)
        return keep(queued, source)

    identity = ident(Kind.SYNC, "e", "k")
    value, _ = book.take(identity, REGION, build)
    assert value == "first"
    book.give_back(identity, REGION, taken[0], value)
    assert [item.result for item in book.pending()] == ["first", "second"]
    assert book.remembered() == 0
    assert book.take(identity, REGION, keep) == ("first", Source.QUEUED)


def test_giving_back_keeps_what_another_request_remembers_since() -> None:
    """Only the value given back is forgotten; a default has nothing to requeue."""
    book = new_book()
    identity = ident(Kind.SYNC, "e", "k")
    value, source = book.take(identity, REGION, keep)
    assert source is Source.DEFAULT
    book.give_back(identity, REGION, None, ("another",))
    assert book.take(identity, REGION, keep) == (value, Source.REMEMBERED)
    book.give_back(identity, REGION, None, value)
    assert book.remembered() == 0
    assert book.pending() == []


def test_answers_tells_a_remembered_or_recorded_request_from_a_new_one() -> None:
    """What a recording cassette asks before it sends a request again."""
    book = new_book()
    book.add_recorded(recordings("e", ("A", "a", "c:1")), strict=False)
    recorded, remembered, new = (ident(Kind.SYNC, "e", key) for key in ("a", "b", "c"))
    book.remember(remembered, REGION, "B")
    assert [book.answers(item, REGION) for item in (recorded, remembered, new)] == [
        True,
        True,
        False,
    ]
    assert book.take(recorded, REGION, keep) == ("A", Source.QUEUED)
    book.give_back(recorded, REGION, None, "A")  # now neither queued nor remembered
    assert not book.answers(recorded, REGION)
