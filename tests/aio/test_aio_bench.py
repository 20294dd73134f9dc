"""The async benchmark still runs (a tiny size; no timing is asserted)."""

from __future__ import annotations

import pytest

from benchmarks import aio


@pytest.mark.anyio
async def test_the_async_benchmark_produces_its_rows() -> None:
    rows = await aio.bench_aio(count=100)
    assert [(what, against) for what, against, _ in rows] == [
        (
            "aiobotocore invoke_endpoint, small body, queue path",
            "stub / AioStubber (target <= 1.25x)",
        ),
        (
            "aiobotocore invoke_endpoint, small body, remembered repeat",
            "stub / AioStubber (target <= 1.25x)",
        ),
        (
            "aiobotocore invoke_endpoint, small body",
            "constant before-call handler / AioStubber (the floor)",
        ),
        (
            "aiobotocore invoke_endpoint, small body, queue path",
            "stub with retries=True / default stub",
        ),
    ]
    assert all(ratio.split("x", 1)[0].replace(".", "").isdigit() for *_, ratio in rows)
