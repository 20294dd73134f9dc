"""make bench, async clients: the stub beside AioStubber on an aiobotocore client.

Run where aiobotocore is installed (``make bench`` uses the .venv-aio
environment). The variants take turns on one event loop, in one process, a
short stretch of calls each, and the stretches' ratios are compared. moto has
no row: ``mock_aws`` does not support aiobotocore clients.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiobotocore
from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.response import StreamingBody
from aiobotocore.stub import AioStubber

from benchmarks.run import table
from sagemaker_stub import InvokeResult, SageMakerRuntimeStub
from sagemaker_stub._doors.aiobotocore import AioRawBody, new_aio_client

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- aio table -->", "<!-- /aio table -->"

#: A variant sets itself up on a client and returns the call loop to time.
Variant = Callable[[Any, AsyncExitStack, list[bytes]], Awaitable[None]]


def _body() -> Any:
    """aiobotocore's StreamingBody over two bytes, as a hand-written response."""
    return StreamingBody(AioRawBody("https://x", {}, b"ok"), 2)


async def _calls(client: Any, bodies: list[bytes]) -> None:
    for body in bodies:
        response = await client.invoke_endpoint(EndpointName="e", Body=body)
        await response["Body"].read()


async def aio_stubber(client: Any, stack: AsyncExitStack, bodies: list[bytes]) -> None:
    """aiobotocore's AioStubber with one hand-written response per call."""
    stubber = AioStubber(client)
    for _ in bodies:
        stubber.add_response(
            "invoke_endpoint", {"Body": _body(), "ContentType": "text/plain"}
        )
    stack.enter_context(stubber)


async def constant(client: Any, stack: AsyncExitStack, bodies: list[bytes]) -> None:
    """A before-call handler returning a constant: the client's own work."""

    def answer(**_: Any) -> tuple[Any, dict[str, Any]]:
        return AioAWSResponse("https://x", 200, {}, None), {"Body": _body()}

    client.meta.events.register("before-call.sagemaker-runtime.InvokeEndpoint", answer)


async def stub_queue(client: Any, stack: AsyncExitStack, bodies: list[bytes]) -> None:
    """The stub, each call a new request taking the next queued result."""
    stub = stack.enter_context(SageMakerRuntimeStub(client))
    stub.queue(*(InvokeResult(body=b"ok") for _ in bodies))


async def stub_retries(client: Any, stack: AsyncExitStack, bodies: list[bytes]) -> None:
    """The stub answering inside aiobotocore's retry loop."""
    stub = stack.enter_context(SageMakerRuntimeStub(client, retries=True))
    stub.queue(*(InvokeResult(body=b"ok") for _ in bodies))


async def stub_remembered(
    client: Any, stack: AsyncExitStack, bodies: list[bytes]
) -> None:
    """The stub, every call a repeat of one remembered request (bodies all alike)."""
    stub = stack.enter_context(SageMakerRuntimeStub(client))
    stub.queue(InvokeResult(body=b"ok"))


#: Calls made before timing, to warm the client's caches.
WARM_UP = 20
#: Calls timed at a stretch; the variants take turns after each stretch.
STRETCH = 50


async def per_call(variants: dict[str, Variant], count: int) -> dict[str, list[float]]:
    """Seconds per call of each variant in each stretch, the variants in turn.

    Every variant is set up on a client of its own, for ``WARM_UP + count``
    calls; then they take turns, ``STRETCH`` calls at a time. This machine
    slows down in bursts of about a tenth of a second, so turns this short
    put each burst on every variant alike.
    """
    times: dict[str, list[float]] = {name: [] for name in variants}
    unique = [b"%d" % i for i in range(WARM_UP + count)]
    alike = [b"same"] * (WARM_UP + count)
    async with AsyncExitStack() as stack:
        clients = {}
        for name, setup in variants.items():
            bodies = alike if setup is stub_remembered else unique
            client = await stack.enter_async_context(new_aio_client())
            await setup(client, stack, bodies)
            await _calls(client, bodies[:WARM_UP])
            clients[name] = (client, bodies)
        gc.collect()
        gc.disable()
        try:
            for start in range(WARM_UP, WARM_UP + count, STRETCH):
                for name, (client, bodies) in clients.items():
                    stretch = bodies[start : start + STRETCH]
                    began = time.perf_counter()
                    await _calls(client, stretch)
                    times[name].append((time.perf_counter() - began) / len(stretch))
        finally:
            gc.enable()
    return times


async def bench_aio(count: int = 20_000) -> list[tuple[str, str, str]]:
    """The stub's per-call cost beside AioStubber and a constant handler."""
    seconds = await per_call(
        {
            "stubber": aio_stubber,
            "constant": constant,
            "queue": stub_queue,
            "remembered": stub_remembered,
            "retries": stub_retries,
        },
        count,
    )

    def ratio(name: str, against: str = "stubber") -> str:
        """The median of the stretches' ratios, and the median time per call."""
        ratios = [
            mine / theirs
            for mine, theirs in zip(seconds[name], seconds[against], strict=True)
        ]
        per_call_us = statistics.median(seconds[name]) * 1e6
        return f"{statistics.median(ratios):.2f}x ({per_call_us:.0f} us)"

    label = "aiobotocore invoke_endpoint, small body"
    return [
        (f"{label}, queue path", "stub / AioStubber (target <= 1.25x)", ratio("queue")),
        (
            f"{label}, remembered repeat",
            "stub / AioStubber (target <= 1.25x)",
            ratio("remembered"),
        ),
        (
            label,
            "constant before-call handler / AioStubber (the floor)",
            ratio("constant"),
        ),
        (
            f"{label}, queue path",
            "stub with retries=True / default stub",
            ratio("retries", "queue"),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the async benchmark, print its table, optionally write the docs page."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--write", action="store_true", help="update docs/benchmarks.md"
    )
    args = parser.parse_args(argv)
    report = table(asyncio.run(bench_aio()))
    print(report)
    if args.write:
        page = ROOT / "docs" / "benchmarks.md"
        text = page.read_text(encoding="utf-8")
        head, rest = text.split(START)
        tail = rest.split(END)[1]
        measured = (
            f"Measured with Python {sys.version.split()[0]}, aiobotocore "
            f"{aiobotocore.__version__}."
        )
        page.write_text(
            f"{head}{START}\n\n{report}\n\n{measured}\n\n{END}{tail}", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
