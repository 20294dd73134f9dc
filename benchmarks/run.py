"""make bench: ratios measured side by side in one process, with medians.

Absolute times on shared machines are noise; what is reported is how the
stub compares with a baseline timed alternately in the same process. Run
``python -m benchmarks.run --write`` to refresh docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, cast

import boto3
import botocore
import requests
from botocore.awsrequest import AWSResponse
from botocore.eventstream import EventStream
from botocore.model import OperationModel
from botocore.parsers import EventStreamJSONParser
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, StreamResult
from sagemaker_stub._engine.eventstream import EventStreamBody, StreamProgress

REPEATS = 7
ROOT = Path(__file__).resolve().parent.parent


def median_seconds(work: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of ``work`` over ``repeats`` runs, with GC off.

    Each run starts after a young-generation collection: a full one costs
    tens of milliseconds in a large process (a test session) and, with the
    collector off while ``work`` runs, changes nothing that is timed.
    """
    times = []
    for _ in range(repeats):
        gc.collect(1)
        gc.disable()
        try:
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times)


def paired(
    subject: Callable[[], object],
    baseline: Callable[[], object],
    repeats: int = REPEATS,
) -> tuple[float, float]:
    """Median times of subject and baseline, run alternately."""
    subject_times, baseline_times = [], []
    for _ in range(repeats):
        baseline_times.append(median_seconds(baseline, 1))
        subject_times.append(median_seconds(subject, 1))
    return statistics.median(subject_times), statistics.median(baseline_times)


class PreEncoded:
    """A raw body replaying already-encoded event-stream messages."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def stream(
        self, amt: int | None = None, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        yield from self.chunks

    def close(self) -> None:
        """Nothing to release."""


def stream_client() -> tuple[Any, OperationModel]:
    """A client and the streaming operation's model."""
    client = boto3.session.Session().client(
        "sagemaker-runtime", region_name="us-east-1"
    )
    operation = client.meta.service_model.operation_model(
        "InvokeEndpointWithResponseStream"
    )
    return client, operation


def bench_stream_consumption(parts: int = 100_000) -> list[tuple[str, str, str]]:
    """Consume a long stream through the stub vs botocore on pre-encoded bytes."""
    client, operation = stream_client()
    result = StreamResult.text([f"tok{n} " for n in range(parts)])
    chunks = list(
        EventStreamBody(result.parts, None, StreamProgress(parts_total=parts)).stream()
    )
    # The parser botocore's rest-json parser hands to EventStream for events.
    parser = EventStreamJSONParser()
    output_shape = operation.output_shape
    assert output_shape is not None
    event_shape = output_shape.members["Body"]

    def baseline() -> int:
        events: Any = EventStream(
            PreEncoded(chunks), cast(Any, event_shape), parser, operation.name
        )
        return sum(1 for _ in events)

    stub = SageMakerRuntimeStub(client)
    stub.activate()
    stub.queue_stream(result)

    def through_stub() -> int:
        response = client.invoke_endpoint_with_response_stream(
            EndpointName="llm", Body=b"prompt"
        )
        return sum(1 for _ in response["Body"])

    assert through_stub() == baseline() == parts
    subject, base = paired(through_stub, baseline, repeats=5)
    stub.deactivate()
    return [
        (
            f"consume a {parts:,}-part stream",
            "stub / botocore decoding pre-encoded bytes",
            f"{subject / base:.2f}x (target <= 1.25x)",
        )
    ]


def bench_first_event(size: int = 6 * 1024 * 1024) -> list[tuple[str, str, str]]:
    """First-event latency of a 6 MiB stream vs a one-part stream."""
    client, _ = stream_client()
    big = StreamResult.chunked(b"x" * size, 1024)
    small = StreamResult.text(["x"])
    stub = SageMakerRuntimeStub(client)
    stub.activate()
    stub.queue_stream(big, endpoint_name="big")
    stub.queue_stream(small, endpoint_name="small")

    def first(endpoint: str) -> Callable[[], object]:
        def work() -> object:
            response = client.invoke_endpoint_with_response_stream(
                EndpointName=endpoint, Body=b"prompt"
            )
            body = response["Body"]
            event = next(iter(body))
            body.close()
            return event

        return work

    subject, base = paired(first("big"), first("small"), repeats=2 * REPEATS + 1)
    stub.deactivate(report_unused=False)
    return [
        (
            "first event of a 6 MiB stream (6,144 parts)",
            "6 MiB stream / one-part stream",
            f"{subject / base:.2f}x ({subject * 1e3:.2f} ms vs {base * 1e3:.2f} ms)",
        )
    ]


# -- per call -----------------------------------------------------------------

SMALL = b'{"features": [1, 2, 3]}'
MIB = b"x" * (1024 * 1024)


def runtime_client(**credentials: str) -> Any:
    """A fresh sagemaker-runtime client on its own session."""
    session: Any = boto3.session.Session()
    return session.client("sagemaker-runtime", region_name="us-east-1", **credentials)


class Calls:
    """``invoke_endpoint`` with each body in turn: all of them, or a stretch."""

    def __init__(self, client: Any, bodies: list[bytes]) -> None:
        self.client = client
        self.bodies = bodies

    def __call__(self) -> None:
        self.run(0, len(self.bodies))

    def run(self, start: int, stop: int) -> None:
        """The calls with ``bodies[start:stop]``."""
        client = self.client
        for body in self.bodies[start:stop]:
            client.invoke_endpoint(EndpointName="e", Body=body)["Body"].read()


def _calls(client: Any, bodies: list[bytes]) -> Calls:
    return Calls(client, bodies)


def per_call_seconds(
    setups: dict[str, Callable[[list[bytes]], Callable[[], None]]],
    bodies: dict[str, list[bytes]],
) -> dict[str, float]:
    """Median seconds per call of each variant, the variants run in turn.

    Each repeat runs every variant once, so drift on a shared machine falls
    on all of them alike.
    """
    times: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(REPEATS):
        for name, setup in setups.items():
            work = setup(bodies[name])
            times[name].append(median_seconds(work, 1) / len(bodies[name]))
    return {name: statistics.median(values) for name, values in times.items()}


#: Calls timed at a stretch when variants take turns.
STRETCH = 50


class Stretches(Protocol):
    """Work that runs a stretch of its calls at a time."""

    def run(self, start: int, stop: int) -> None: ...


def per_call_in_turns(
    setups: dict[str, Callable[[list[bytes]], Stretches]], bodies: list[bytes]
) -> dict[str, list[float]]:
    """Seconds per call of each variant in each turn of ``STRETCH`` calls.

    Every variant is set up once for all of ``bodies``; then they take
    turns. This machine slows down in bursts of about a tenth of a second,
    which whole rounds per variant fall into unevenly; short turns spread
    each burst over every variant alike.
    """
    works = {name: setup(bodies) for name, setup in setups.items()}
    times: dict[str, list[float]] = {name: [] for name in setups}
    gc.collect()
    gc.disable()
    try:
        for start in range(0, len(bodies), STRETCH):
            stop = min(start + STRETCH, len(bodies))
            for name, work in works.items():
                began = time.perf_counter()
                work.run(start, stop)
                times[name].append((time.perf_counter() - began) / (stop - start))
    finally:
        gc.enable()
    return times


def median_ratio(subject: list[float], baseline: list[float]) -> float:
    """The median of the turns' ratios."""
    return statistics.median(a / b for a, b in zip(subject, baseline, strict=True))


def stubbed_client(count: int) -> Any:
    """A client whose bare Stubber holds ``count`` hand-written responses."""
    client = runtime_client()
    stubber = Stubber(client)
    for _ in range(count):
        stubber.add_response(
            "invoke_endpoint",
            {"Body": StreamingBody(io.BytesIO(b"ok"), 2), "ContentType": "text/plain"},
        )
    stubber.activate()
    return client


def bare_stubber(bodies: list[bytes]) -> Calls:
    """botocore's Stubber with one hand-written response per call."""
    return _calls(stubbed_client(len(bodies)), bodies)


def constant_handler(bodies: list[bytes]) -> Calls:
    """A before-call handler returning a constant: the client's own work."""
    client = runtime_client()

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = StreamingBody(io.BytesIO(b"ok"), 2)
        return AWSResponse("https://x", 200, {}, None), {"Body": body}  # type: ignore[arg-type]

    client.meta.events.register("before-call.sagemaker-runtime.InvokeEndpoint", answer)
    return _calls(client, bodies)


def stub_queue_path(
    bodies: list[bytes], *, retries: bool = False, validate: bool = True
) -> Calls:
    """The stub, each call a new request taking the next queued result."""
    client = runtime_client()
    stub = SageMakerRuntimeStub(client, retries=retries, validate=validate)
    stub.activate()
    stub.queue(*(InvokeResult(body=b"ok") for _ in bodies))
    return _calls(client, bodies)


def stub_remembered(bodies: list[bytes]) -> Calls:
    """The stub, every call a repeat of one remembered request."""
    client = runtime_client()
    stub = SageMakerRuntimeStub(client)
    stub.activate()
    stub.queue(InvokeResult(body=b"ok"))
    client.invoke_endpoint(EndpointName="e", Body=bodies[0])
    return _calls(client, [bodies[0]] * len(bodies))


def moto_calls(bodies: list[bytes]) -> Callable[[], None]:
    """moto's mock_aws, results queued through its /moto-api."""
    mock = mock_aws()
    mock.start()
    client = runtime_client(aws_access_key_id="x", aws_secret_access_key="y")
    requests.post(
        "http://motoapi.amazonaws.com/moto-api/static/sagemaker/endpoint-results",
        json={"results": [{"Body": "ok", "ContentType": "text/plain"}] * len(bodies)},
        timeout=5,
    )
    work = _calls(client, bodies)

    def then_stop() -> None:
        try:
            work()
        finally:
            mock.stop()

    return then_stop


def bare_stubber_hashing(bodies: list[bytes]) -> Callable[[], None]:
    """Bare Stubber, plus one SHA-256 of each request body: the 1 MiB floor.

    The stub must digest every body to tell requests apart; Stubber never
    reads it. This is what a stub that does nothing else would cost.
    """
    client = stubbed_client(len(bodies))

    def work() -> None:
        for body in bodies:
            hashlib.sha256(body).digest()
            client.invoke_endpoint(EndpointName="e", Body=body)["Body"].read()

    return work


def bench_per_call(
    small: tuple[int, int] = (10_000, 200), large: tuple[int, int] = (40, 10)
) -> list[tuple[str, str, str]]:
    """invoke_endpoint per call: stub vs bare Stubber, the floor, and moto.

    ``small`` and ``large`` are (calls, calls through moto). On a small body
    the variants take turns of ``STRETCH`` calls; a 1 MiB call is long enough
    for whole rounds. moto, ten times slower, runs its own rounds.
    """
    bodies = [SMALL + str(n).encode() for n in range(small[0])]
    turns = per_call_in_turns(
        {
            "bare": bare_stubber,
            "floor": constant_handler,
            "queued": stub_queue_path,
            "remembered": stub_remembered,
        },
        bodies,
    )
    moto = per_call_seconds({"moto": moto_calls}, {"moto": bodies[: small[1]]})["moto"]
    queued = statistics.median(turns["queued"])
    against = "stub / bare Stubber (target <= 1.20x)"
    rows = [
        (
            "invoke_endpoint, small body, queue path",
            against,
            f"{median_ratio(turns['queued'], turns['bare']):.2f}x",
        ),
        (
            "invoke_endpoint, small body, remembered repeat",
            against,
            f"{median_ratio(turns['remembered'], turns['bare']):.2f}x",
        ),
        (
            "invoke_endpoint, small body",
            "constant before-call handler / bare Stubber (the floor)",
            f"{median_ratio(turns['floor'], turns['bare']):.2f}x",
        ),
        (
            "invoke_endpoint, small body, queue path",
            "moto / stub (target >= 6x)",
            f"{moto / queued:.1f}x ({moto * 1e6:.0f} us vs {queued * 1e6:.0f} us)",
        ),
    ]
    count, moto_count = large
    bodies = [MIB + str(n).encode() for n in range(count)]
    timed = per_call_seconds(
        {
            "bare": bare_stubber,
            "hashing": bare_stubber_hashing,
            "floor": constant_handler,
            "queued": stub_queue_path,
            "remembered": stub_remembered,
            "moto": moto_calls,
        },
        dict.fromkeys(("bare", "hashing", "floor", "queued", "remembered"), bodies)
        | {"moto": bodies[:moto_count]},
    )
    hashing, queued = timed["hashing"], timed["queued"]
    against = "stub / (bare Stubber + SHA-256 of the body) (target <= 1.10x)"
    return [
        *rows,
        (
            "invoke_endpoint, 1 MiB body, queue path",
            against,
            f"{queued / hashing:.2f}x",
        ),
        (
            "invoke_endpoint, 1 MiB body, remembered repeat",
            against,
            f"{timed['remembered'] / hashing:.2f}x",
        ),
        (
            "invoke_endpoint, 1 MiB body",
            "constant before-call handler / bare Stubber (the floor)",
            f"{timed['floor'] / timed['bare']:.2f}x",
        ),
        (
            "invoke_endpoint, 1 MiB body, queue path",
            "moto / stub (target >= 6x)",
            (
                f"{timed['moto'] / queued:.1f}x "
                f"({timed['moto'] * 1e6:.0f} us vs {queued * 1e6:.0f} us)"
            ),
        ),
    ]


def bench_modes(count: int = 10_000) -> list[tuple[str, str, str]]:
    """What the optional modes cost per call: retries=True, and validation.

    The variants take turns of ``STRETCH`` calls, as in :func:`bench_per_call`.
    """
    bodies = [SMALL + str(n).encode() for n in range(count)]
    turns = per_call_in_turns(
        {
            "default": stub_queue_path,
            "retries": lambda bodies: stub_queue_path(bodies, retries=True),
            "unvalidated": lambda bodies: stub_queue_path(bodies, validate=False),
        },
        bodies,
    )
    return [
        (
            "invoke_endpoint, small body, queue path",
            "stub with retries=True / default stub (target <= 1.5x)",
            f"{median_ratio(turns['retries'], turns['default']):.2f}x",
        ),
        (
            "invoke_endpoint, small body, queue path",
            "default stub (validating) / validate=False",
            f"{median_ratio(turns['default'], turns['unvalidated']):.2f}x",
        ),
    ]


def bench_async(count: int = 200) -> list[tuple[str, str, str]]:
    """invoke_endpoint_async per call, stub vs moto (moto writes to its S3)."""
    locations = [f"s3://in/{n}" for n in range(count)]

    def stub_async() -> Callable[[], None]:
        client = runtime_client()
        # moto answers with its default output: so does the stub, validating.
        stub = SageMakerRuntimeStub(client, allow_defaults=True)
        stub.activate()

        def work() -> None:
            for location in locations:
                client.invoke_endpoint_async(EndpointName="e", InputLocation=location)

        return work

    def moto_async() -> Callable[[], None]:
        mock = mock_aws()
        mock.start()
        client = runtime_client(aws_access_key_id="x", aws_secret_access_key="y")
        requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=5)

        def work() -> None:
            try:
                for location in locations:
                    client.invoke_endpoint_async(
                        EndpointName="e", InputLocation=location
                    )
            finally:
                mock.stop()

        return work

    stub_times = [median_seconds(stub_async(), 1) for _ in range(REPEATS)]
    moto_times = [median_seconds(moto_async(), 1) for _ in range(REPEATS)]
    stub, moto = statistics.median(stub_times), statistics.median(moto_times)
    return [
        (
            "invoke_endpoint_async, new InputLocation each call",
            "moto / stub",
            (
                f"{moto / stub:.1f}x ({moto / count * 1e6:.0f} us vs "
                f"{stub / count * 1e6:.0f} us)"
            ),
        )
    ]


def bench_memory(count: int = 1000) -> list[tuple[str, str, str]]:
    """Memory kept per remembered request, 1 MiB unique bodies (tracemalloc)."""

    def retained(client: Any) -> float:
        client.invoke_endpoint(EndpointName="e", Body=b"warm-up")["Body"].read()
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for n in range(count):
            body = f"{n:08d}".encode() * (128 * 1024)  # text: moto cannot take binary
            client.invoke_endpoint(EndpointName="e", Body=body)["Body"].read()
            del body
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        return kept / count

    client = runtime_client()
    # moto answers every call with its default: so does the stub.
    stub = SageMakerRuntimeStub(client, allow_defaults=True)
    stub.activate()
    stub_bytes = retained(client)
    history = len(stub.calls)
    stub.reset()
    gc.collect()
    stub.deactivate()
    with mock_aws():
        moto_client = runtime_client(aws_access_key_id="x", aws_secret_access_key="y")
        requests.post("http://motoapi.amazonaws.com/moto-api/reset", timeout=5)
        moto_bytes = retained(moto_client)
    return [
        (
            f"memory per remembered request, {count:,} unique 1 MiB bodies",
            "stub, call history included (target < 1 KiB)",
            f"{stub_bytes:,.0f} bytes ({history:,} calls recorded)",
        ),
        (
            f"memory per remembered request, {count:,} unique 1 MiB bodies",
            "moto / stub",
            (
                f"{moto_bytes / stub_bytes:,.0f}x "
                f"({moto_bytes / 1024 / 1024:.2f} MiB per request)"
            ),
        ),
    ]


def bench_scale(small: int = 10_000) -> list[tuple[str, str, str]]:
    """Queue and consume N vs 10 N results: time must grow linearly.

    Also times the first read of ``stub.calls`` after the 10 N calls: the
    history is built as calls are made, so reading it only copies a list.
    """
    first_read = 0.0

    def run(count: int) -> float:
        nonlocal first_read
        client = runtime_client()
        stub = SageMakerRuntimeStub(client)
        stub.activate()
        bodies = [str(n).encode() for n in range(count)]
        start = time.perf_counter()
        stub.queue(*(InvokeResult(body=b"ok") for _ in range(count)))
        for body in bodies:
            client.invoke_endpoint(EndpointName="e", Body=body)
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        assert len(stub.calls) == count
        first_read = time.perf_counter() - start
        assert not stub.pending_results()
        stub.deactivate()
        return elapsed

    base, tenfold = run(small), run(small * 10)
    return [
        (
            f"queue and consume {small * 10:,} results",
            f"time for {small * 10:,} / time for {small:,} (linear = 10)",
            f"{tenfold / base:.1f}",
        ),
        (
            f"read stub.calls after {small * 10:,} calls",
            "time of the first read (target < 50 ms)",
            f"{first_read * 1e3:.2f} ms",
        ),
    ]


def bench_threads(
    threads: int = 16, per_thread: int = 250, repeats: int = 15
) -> list[tuple[str, str, str]]:
    """16 threads sharing one client vs one thread making as many calls.

    Each repeat times one thread, then 16, on fresh clients with one queued
    result per call, for the stub and for bare Stubber (what the GIL allows);
    the ratios are medians over the repeats. Every result the stub queued
    must be served exactly once.
    """
    total = threads * per_thread

    def stubbed() -> tuple[Any, Callable[[], bool] | None]:
        client = runtime_client()
        stub = SageMakerRuntimeStub(client)
        stub.activate()
        queued = [InvokeResult(body=str(n)) for n in range(total)]
        stub.queue(*queued)

        def exact() -> bool:
            calls = stub.calls
            stub.deactivate()
            served = {call.result for call in calls}
            return len(calls) == total and served == set(queued)

        return client, exact

    def bare() -> tuple[Any, Callable[[], bool] | None]:
        return stubbed_client(total), None  # Stubber raises if it runs out

    def rate(
        setup: Callable[[], tuple[Any, Callable[[], bool] | None]], workers: int
    ) -> float:
        client, exact = setup()

        def work(thread: int) -> None:
            for n in range(total // workers):
                body = f"{thread}-{n}"
                client.invoke_endpoint(EndpointName="e", Body=body)["Body"].read()

        start = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(work, range(workers)))
        elapsed = time.perf_counter() - start
        if exact is not None and not exact():
            msg = f"{workers} thread(s) lost or repeated a result"
            raise AssertionError(msg)
        return total / elapsed

    ratios: dict[str, list[float]] = {"stub": [], "bare": []}
    single: list[float] = []
    for _ in range(repeats):
        for name, setup in (("stub", stubbed), ("bare", bare)):
            one = rate(setup, 1)
            ratios[name].append(rate(setup, threads) / one)
            if name == "stub":
                single.append(one)
    return [
        (
            f"{threads} threads, one stubbed client, {total:,} calls",
            (
                f"calls per second, {threads} threads / 1 thread (target: bare "
                "Stubber's ratio below; "
                f"1 thread: {statistics.median(single):,.0f}/s); "
                "each result served exactly once"
            ),
            f"{statistics.median(ratios['stub']):.2f}x; yes",
        ),
        (
            f"{threads} threads, one client with bare Stubber, {total:,} calls",
            f"calls per second, {threads} threads / 1 thread (what the GIL allows)",
            f"{statistics.median(ratios['bare']):.2f}x",
        ),
    ]


def bench_every_client() -> list[tuple[str, str, str]]:
    """mock(): a mocked call, and unrelated clients (benchmarks/every_client.py)."""
    from benchmarks import every_client  # noqa: PLC0415 - it imports this module

    return every_client.bench_mocked_calls() + every_client.bench_unrelated_clients()


def bench_local_server() -> list[tuple[str, str, str]]:
    """serve() beside moto's ThreadedMotoServer (benchmarks/server.py)."""
    from benchmarks import server  # noqa: PLC0415 - it imports this module

    return server.bench_server()


def bench_suites() -> list[tuple[str, str, str]]:
    """The fixture, start_stub and mock() per test (benchmarks/suites.py)."""
    from benchmarks import suites  # noqa: PLC0415 - kept apart, as the others

    return suites.bench_suites()


BENCHMARKS: list[Callable[[], list[tuple[str, str, str]]]] = [
    bench_suites,
    bench_per_call,
    bench_every_client,
    bench_local_server,
    bench_modes,
    bench_async,
    bench_memory,
    bench_scale,
    bench_threads,
    bench_stream_consumption,
    bench_first_event,
]


def table(rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table of the measured ratios."""
    lines = ["| measurement | compared | ratio |", "|---|---|---|"]
    lines.extend(f"| {what} | {against} | {ratio} |" for what, against, ratio in rows)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark, print the table, optionally write the docs page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--write", action="store_true", help="update docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    rows = [row for bench in BENCHMARKS for row in bench()]
    report = table(rows)
    print(report)
    if args.write:
        page = ROOT / "docs" / "benchmarks.md"
        head = page.read_text(encoding="utf-8").split("<!-- table -->")[0]
        page.write_text(
            f"{head}<!-- table -->\n\n{report}\n\nMeasured with Python "
            f"{sys.version.split()[0]}, botocore {botocore.__version__}.\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
