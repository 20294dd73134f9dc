"""Async clients: aiobotocore clients with placeholder credentials, no network.

The async tests run under anyio's pytest plugin, on asyncio. (pytest-asyncio
is tested as a user's runner in test_aio_fixtures.py, in pytest sessions of
its own.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiobotocore.session import AioSession

from sagemaker_stub import SageMakerRuntimeStub
from sagemaker_stub._doors.aiobotocore import new_aio_client


@pytest.fixture
def anyio_backend() -> str:
    """aiobotocore runs on asyncio."""
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[Any]:
    """A fresh aiobotocore sagemaker-runtime client."""
    async with new_aio_client() as made:
        yield made


@pytest.fixture
async def stub(client: Any) -> AsyncIterator[SageMakerRuntimeStub]:
    """An active stub on ``client``; unused results fail the test at exit."""
    async with SageMakerRuntimeStub(client) as active:
        yield active


@pytest.fixture
async def s3() -> AsyncIterator[Any]:
    """A fresh aiobotocore S3 client."""
    context = AioSession().create_client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    async with context as made:
        yield made


async def body_of(response: dict[str, Any]) -> bytes:
    """The whole body of an invoke_endpoint response."""
    data: bytes = await response["Body"].read()
    return data


async def parts_of(response: dict[str, Any]) -> list[bytes]:
    """The payload parts of a streamed response, in order."""
    return [event["PayloadPart"]["Bytes"] async for event in response["Body"]]
