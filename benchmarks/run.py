"""make bench: ratios measured side by side in one process, with medians.

Absolute times on shared machines are noise; what is reported is how the
stub compares with a baseline timed alternately in the same process. Run
``python -m benchmarks.run --write`` to refresh docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import boto3
import botocore
from botocore.eventstream import EventStream
from botocore.model import OperationModel
from botocore.parsers import EventStreamJSONParser

from sagemaker_stub import SageMakerRuntimeStub, StreamResult
from sagemaker_stub._eventstream import EventStreamBody, StreamProgress

REPEATS = 7
ROOT = Path(__file__).resolve().parent.parent


def median_seconds(work: Callable[[], object], repeats: int = REPEATS) -> float:
    """Median wall time of ``work`` over ``repeats`` runs, with GC off."""
    times = []
    for _ in range(repeats):
        gc.collect()
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

    subject, base = paired(first("big"), first("small"), repeats=15)
    stub._deactivate(report_unused=False)
    return [
        (
            "first event of a 6 MiB stream (6,144 parts)",
            "6 MiB stream / one-part stream",
            f"{subject / base:.2f}x ({subject * 1e3:.2f} ms vs {base * 1e3:.2f} ms)",
        )
    ]


BENCHMARKS = [bench_stream_consumption, bench_first_event]


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
