"""Many threads on one stubbed client: nothing lost, nothing served twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import sagemaker_stub
from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, Source
from sagemaker_stub._doors.watches import params_in_flight
from tests.conftest import new_client

THREADS = 16
PER_THREAD = 25


def test_each_result_is_served_exactly_once(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Unique requests from 16 threads take every queued result once."""
    total = THREADS * PER_THREAD
    stub.queue(*(InvokeResult(body=str(n)) for n in range(total)))

    def work(thread: int) -> list[bytes]:
        bodies = []
        for n in range(PER_THREAD):
            response = client.invoke_endpoint(
                EndpointName="e", Body=f"{thread}-{n}".encode()
            )
            bodies.append(response["Body"].read())
        return bodies

    with ThreadPoolExecutor(THREADS) as pool:
        served = [body for bodies in pool.map(work, range(THREADS)) for body in bodies]
    assert sorted(served) == sorted(str(n).encode() for n in range(total))
    assert len(stub.calls) == total
    assert {call.source for call in stub.calls} == {Source.QUEUED}
    stub.assert_no_pending_results()


def test_the_same_request_from_many_threads_gets_one_result(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Concurrent repeats of one request share the result it took."""
    stub.queue(InvokeResult(body=b"one"), InvokeResult(body=b"two"))

    def work(_: int) -> bytes:
        data: bytes = client.invoke_endpoint(EndpointName="e", Body=b"same")[
            "Body"
        ].read()
        return data

    with ThreadPoolExecutor(THREADS) as pool:
        served = list(pool.map(work, range(THREADS * 4)))
    assert set(served) == {b"one"}
    sources = [call.source for call in stub.calls]
    assert sources.count(Source.QUEUED) == 1
    assert sources.count(Source.REMEMBERED) == THREADS * 4 - 1
    assert [item.result for item in stub.pending_results()] == [
        InvokeResult(body=b"two")
    ]
    client.invoke_endpoint(EndpointName="e", Body=b"other")


@pytest.mark.parametrize("kind", ["mock", "stub"])
def test_a_call_under_way_when_the_stub_starts_is_answered_and_recorded(
    kind: str,
) -> None:
    """A stub or mock that starts between a call's before-parameter-build and
    its before-call (another thread activating it, here a handler) answers
    the call from its queues, and records it, instead of refusing it."""
    client = new_client()
    starting: Any = (
        sagemaker_stub.mock() if kind == "mock" else SageMakerRuntimeStub(client)
    )

    def start_now(**kwargs: Any) -> None:
        if not starting.active:
            starting.activate()
            starting.queue(InvokeResult.text("answered"))

    client.meta.events.register(
        "before-parameter-build.sagemaker-runtime.InvokeEndpoint", start_now
    )
    try:
        response = client.invoke_endpoint(
            EndpointName="e", Body=b"x", CustomAttributes="c"
        )
    finally:
        starting.deactivate()
    assert response["Body"].read() == b"answered"
    # Only the call under way, by its own thread, is read back.
    assert params_in_flight(client, "InvokeEndpoint") is None
    [call] = starting.calls
    assert (call.endpoint_name, call.params["CustomAttributes"], call.source) == (
        "e",
        "c",
        Source.QUEUED,
    )
