"""The local server beside moto's ThreadedMotoServer, in one process.

Both serve ``invoke_endpoint`` from a queue configured the way their users
configure it (moto's through its ``/moto-api`` endpoint), to boto3 clients
pointed at them with ``endpoint_url``. One client takes turns of 50 calls on
each server; 16 threads, each with its own client, take turns of whole
rounds. Then the time to the first event of a 1 MiB stream of 1,024 parts.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

import sagemaker_stub
from benchmarks.run import STRETCH, median_ratio, runtime_client
from sagemaker_stub import InvokeResult, StreamResult

Row = tuple[str, str, str]


def client_for(url: str) -> Any:
    """A boto3 client pointed at ``url``, signed with dummy keys."""
    return runtime_client(
        endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def moto_server() -> tuple[Any, str]:
    """moto's threaded server, started, and its URL."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - moto[server] only

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def queue_on_moto(url: str, count: int) -> None:
    requests.post(
        f"{url}/moto-api/static/sagemaker/endpoint-results",
        json={"results": [{"Body": "ok", "ContentType": "text/plain"}] * count},
        timeout=30,
    )


def bench_server(calls: int = 2_000, threads: int = 16, rounds: int = 5) -> list[Row]:
    """Requests per second, one client and 16 threads, and the first event."""
    moto, moto_url = moto_server()
    try:
        with sagemaker_stub.serve() as stub:
            return _rows(stub, moto_url, calls, threads, rounds)
    finally:
        moto.stop()


def _rows(stub: Any, moto_url: str, calls: int, threads: int, rounds: int) -> list[Row]:
    per_round = threads * (calls // threads)
    total = calls + 2 * rounds * per_round  # enough for every call
    stub.queue(*(InvokeResult(body=b"ok") for _ in range(total)))
    queue_on_moto(moto_url, total)
    ours, theirs = client_for(stub.url), client_for(moto_url)
    bodies = [f"request {n}".encode() for n in range(calls)]
    turns: dict[str, list[float]] = {"ours": [], "moto": []}
    for start in range(0, calls, STRETCH):
        stretch = bodies[start : start + STRETCH]
        for name, client in (("ours", ours), ("moto", theirs)):
            began = time.perf_counter()
            for body in stretch:
                client.invoke_endpoint(EndpointName="e", Body=body)["Body"].read()
            turns[name].append((time.perf_counter() - began) / len(stretch))
    one = median_ratio(turns["moto"], turns["ours"])
    ours_rate = 1 / statistics.median(turns["ours"])
    threaded: dict[str, list[float]] = {"ours": [], "moto": []}
    for _ in range(rounds):  # the servers take turns, round by round
        for name, url in (("ours", stub.url), ("moto", moto_url)):
            threaded[name].append(_threaded_rate(url, threads, calls // threads, name))
    many = median_ratio(threaded["ours"], threaded["moto"])
    against = "server / moto's ThreadedMotoServer, requests per second (target >= 3x)"
    return [
        (
            "invoke_endpoint over HTTP, one boto3 client",
            against,
            f"{one:.1f}x ({ours_rate:,.0f}/s)",
        ),
        (
            f"invoke_endpoint over HTTP, {threads} threads with a client each",
            against,
            f"{many:.1f}x ({statistics.median(threaded['ours']):,.0f}/s)",
        ),
        _first_event(stub, ours),
    ]


def _threaded_rate(url: str, threads: int, per_thread: int, name: str) -> float:
    """Calls per second of ``threads`` threads, each with its own client."""
    clients = [client_for(url) for _ in range(threads)]
    barrier = threading.Barrier(threads + 1)

    def work(client: Any, index: int) -> None:
        barrier.wait()
        for n in range(per_thread):
            body = f"{name} {index} {n} {time.perf_counter()}".encode()
            client.invoke_endpoint(EndpointName="e", Body=body)["Body"].read()

    workers = [
        threading.Thread(target=work, args=(client, index))
        for index, client in enumerate(clients)
    ]
    for worker in workers:
        worker.start()
    barrier.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    return threads * per_thread / (time.perf_counter() - began)


def _first_event(stub: Any, client: Any, repeats: int = 20) -> Row:
    """Time to the first event of a 1 MiB stream of 1,024 parts, against one part."""
    big = StreamResult(parts=[b"x" * 1024] * 1024)
    small = StreamResult(parts=[b"x" * 1024])

    def first(result: StreamResult) -> Callable[[], float]:
        def timed() -> float:
            stub.queue_stream(result)
            began = time.perf_counter()
            response = client.invoke_endpoint_with_response_stream(
                EndpointName="e", Body=str(time.perf_counter()).encode()
            )
            stream = response["Body"]
            next(iter(stream))
            elapsed = time.perf_counter() - began
            # Read to the end, not closed: a stream left part-read is
            # finished by the garbage collector, whenever it runs, and if
            # that is inside urllib3's pool lock on this thread, releasing
            # the stream's connection waits on that lock for ever.
            for _ in stream:
                pass
            return elapsed

        return timed

    big_times = [first(big)() for _ in range(repeats)]
    small_times = [first(small)() for _ in range(repeats)]
    big_time, small_time = statistics.median(big_times), statistics.median(small_times)
    return (
        "first event over HTTP, 1 MiB stream of 1,024 parts",
        "1 MiB stream / one-part stream",
        (
            f"{big_time / small_time:.2f}x ({big_time * 1e3:.2f} ms vs "
            f"{small_time * 1e3:.2f} ms)"
        ),
    )
