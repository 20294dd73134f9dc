"""Many threads on one stubbed client: nothing lost, nothing served twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, Source

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
