"""Faults, latency, retries and concurrency on an aiobotocore client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from botocore.exceptions import ClientError, ReadTimeoutError

from sagemaker_stub import (
    ErrorResult,
    FailEvery,
    FailNext,
    FailRandomly,
    InvokeResult,
    Latency,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
)
from sagemaker_stub._doors.aiobotocore import new_aio_client, run_apart

from .conftest import body_of, parts_of

pytestmark = pytest.mark.anyio


async def test_fail_next_then_the_queued_result(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(FailNext(ErrorResult.service_unavailable()))
    stub.queue(InvokeResult(body=b"ok"))
    with pytest.raises(client.exceptions.ServiceUnavailable):
        await client.invoke_endpoint(EndpointName="e", Body=b"1")
    assert (
        await body_of(await client.invoke_endpoint(EndpointName="e", Body=b"1"))
        == b"ok"
    )
    assert [call.source for call in stub.calls] == [Source.FAULT, Source.QUEUED]


async def test_fail_every_on_one_endpoint(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(
        FailEvery(ErrorResult.internal_failure(), nth=2), endpoint_name="flaky"
    )
    stub.queue(InvokeResult(body=b"a"), InvokeResult(body=b"b"))
    await body_of(await client.invoke_endpoint(EndpointName="flaky", Body=b"1"))
    with pytest.raises(client.exceptions.InternalFailure):
        await client.invoke_endpoint(EndpointName="flaky", Body=b"2")
    await body_of(await client.invoke_endpoint(EndpointName="steady", Body=b"2"))


async def test_fail_randomly_repeats_with_its_seed(client: Any) -> None:
    """The same seed fails the same calls, on async clients as on sync ones."""

    async def failures() -> list[bool]:
        async with SageMakerRuntimeStub(client, allow_defaults=True) as stub:
            stub.add_fault(FailRandomly(ErrorResult.throttling(), 0.5, seed=7))
            failed = []
            for i in range(20):
                try:
                    response = await client.invoke_endpoint(
                        EndpointName="e", Body=b"%d" % i
                    )
                    await body_of(response)
                    failed.append(False)
                except ClientError:
                    failed.append(True)
            return failed

    first = await failures()
    assert first == await failures()
    assert 0 < sum(first) < 20


async def test_latency_does_not_block_the_event_loop(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """While a call waits out its latency, other tasks run."""
    stub.add_fault(Latency(0.2, times=1))
    stub.queue(InvokeResult(body=b"slow"))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    start = time.perf_counter()
    response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
    elapsed = time.perf_counter() - start
    task.cancel()
    assert await body_of(response) == b"slow"
    assert elapsed >= 0.2
    assert ticks >= 5, f"the loop was blocked: {ticks} ticks in {elapsed:.2f}s"
    assert stub.calls[0].latency == 0.2


async def test_latency_past_the_read_timeout_times_out() -> None:
    async with (
        new_aio_client(config=AioConfig(read_timeout=0.05)) as client,
        SageMakerRuntimeStub(client) as stub,
    ):
        stub.add_fault(Latency(5, times=1))
        stub.queue(InvokeResult(body=b"late"))
        start = time.perf_counter()
        with pytest.raises(ReadTimeoutError):
            await client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert time.perf_counter() - start < 1
        answered = await client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert await body_of(answered) == b"late"


async def test_many_concurrent_calls_lose_nothing(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """200 tasks on one client: each result served once, each call recorded."""
    count = 200
    stub.queue(*(InvokeResult(body=f"result {i}".encode()) for i in range(count)))

    async def call(i: int) -> bytes:
        response = await client.invoke_endpoint(
            EndpointName="e", Body=f"request {i}".encode()
        )
        return await body_of(response)

    bodies = await asyncio.gather(*(call(i) for i in range(count)))
    assert sorted(bodies) == sorted(f"result {i}".encode() for i in range(count))
    assert len(stub.calls) == count
    assert stub.pending_results() == []


async def test_concurrent_same_requests_share_one_result(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue(InvokeResult(body=b"one"), InvokeResult(body=b"two"))

    async def call() -> bytes:
        response = await client.invoke_endpoint(EndpointName="e", Body=b"same")
        return await body_of(response)

    assert await asyncio.gather(*(call() for _ in range(50))) == [b"one"] * 50
    assert [result.result for result in stub.pending_results()] == [
        InvokeResult(body=b"two")
    ]
    stub.reset()


async def test_concurrent_streams_interleave(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue_stream(*(StreamResult(parts=[b"%d" % i] * 3) for i in range(20)))

    async def call(i: int) -> list[bytes]:
        response = await client.invoke_endpoint_with_response_stream(
            EndpointName="e", Body=b"%d" % i
        )
        return await parts_of(response)

    results = await asyncio.gather(*(call(i) for i in range(20)))
    assert sorted(results) == sorted([[b"%d" % i] * 3 for i in range(20)])


# -- retries=True: aiobotocore's own retry loop --------------------------------


@pytest.fixture(params=["standard", "legacy"])
async def retrying(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Any, Any]]:
    config = AioConfig(
        retries={"mode": request.param, "total_max_attempts": 4}, read_timeout=0.05
    )
    async with (
        new_aio_client(config=config) as client,
        SageMakerRuntimeStub(client, retries=True, keep_bodies=True) as stub,
    ):
        yield client, stub


async def test_transient_faults_are_retried(retrying: tuple[Any, Any]) -> None:
    client, stub = retrying
    stub.add_fault(FailNext(ErrorResult.throttling(), times=2))
    stub.queue(InvokeResult(body=b"third time lucky"))
    response = await client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert await body_of(response) == b"third time lucky"
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    calls = stub.calls
    assert [call.attempt for call in calls] == [1, 2, 3]
    assert [call.source for call in calls] == [
        Source.FAULT,
        Source.FAULT,
        Source.QUEUED,
    ]
    assert calls[0].backoff is None
    assert all(call.backoff is not None for call in calls[1:])


async def test_retries_give_up_with_the_last_error(retrying: tuple[Any, Any]) -> None:
    client, stub = retrying
    stub.add_fault(FailNext(ErrorResult.service_unavailable(), times=10))
    with pytest.raises(client.exceptions.ServiceUnavailable) as info:
        await client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 3
    assert len(stub.calls) == 4
    stub.clear_faults()


async def test_timeouts_are_retried(retrying: tuple[Any, Any]) -> None:
    client, stub = retrying
    stub.add_fault(Latency(120, times=1))
    stub.queue(InvokeResult(body=b"after a timeout"))
    start = time.perf_counter()
    response = await client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert await body_of(response) == b"after a timeout"
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert time.perf_counter() - start < 5  # slept the read timeout, not 120 s


async def test_retried_streams_and_modeled_errors(retrying: tuple[Any, Any]) -> None:
    """Through the endpoint's own parser: event streams and error fields."""
    client, stub = retrying
    stub.queue_stream(StreamResult(parts=[b"p"]))
    streamed = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=b"x"
    )
    assert await parts_of(streamed) == [b"p"]
    stub.queue(ErrorResult.model_error(418, "teapot"))
    with pytest.raises(client.exceptions.ModelError) as info:
        await client.invoke_endpoint(EndpointName="e", Body=b"y")
    assert info.value.response["OriginalStatusCode"] == 418
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0


async def test_concurrent_retried_calls_keep_their_own_attempts(
    retrying: tuple[Any, Any],
) -> None:
    """Each task's attempts are its own, though all share one client.

    The 30 first attempts all fail before any retry runs (every task yields
    to the loop before retrying), so each call succeeds on its second.
    """
    client, stub = retrying
    count = 30
    stub.add_fault(FailNext(ErrorResult.throttling(), times=count))
    stub.queue(*(InvokeResult(body=b"%d" % i) for i in range(count)))

    async def call(i: int) -> int:
        response = await client.invoke_endpoint(EndpointName="e", Body=b"%d" % i)
        await body_of(response)
        attempts: int = response["ResponseMetadata"]["RetryAttempts"]
        return attempts

    assert await asyncio.gather(*(call(i) for i in range(count))) == [1] * count
    by_request: dict[object, list[int]] = {}
    for recorded in stub.calls:
        by_request.setdefault(recorded.body, []).append(recorded.attempt)
    assert by_request == {b"%d" % i: [1, 2] for i in range(count)}


def test_threads_with_loops_of_their_own_share_one_stub() -> None:
    """Four threads, each running an event loop of 50 concurrent calls on one
    client: 200 results, each served once."""
    context = new_aio_client()
    client = run_apart(context.__aenter__())
    try:
        with SageMakerRuntimeStub(client) as stub:
            stub.queue(*(InvokeResult(body=b"%d" % i) for i in range(200)))

            async def call(i: int) -> bytes:
                response = await client.invoke_endpoint(
                    EndpointName="e", Body=b"%d" % i
                )
                return await body_of(response)

            async def calls(thread: int) -> list[bytes]:
                return list(
                    await asyncio.gather(*(call(thread * 50 + i) for i in range(50)))
                )

            with ThreadPoolExecutor(4) as pool:
                served = [
                    body
                    for bodies in pool.map(lambda t: asyncio.run(calls(t)), range(4))
                    for body in bodies
                ]
            assert sorted(served) == sorted(b"%d" % i for i in range(200))
            assert len(stub.calls) == 200
    finally:
        run_apart(context.__aexit__(None, None, None))
