"""mock() answers aiobotocore clients the test never sees, beside sync ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiobotocore.response import StreamingBody
from aiobotocore.session import AioSession

import sagemaker_stub
from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    S3NotStubbedError,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
)
from sagemaker_stub._doors.aiobotocore import new_aio_client
from tests.conftest import new_client

pytestmark = pytest.mark.anyio


def aio_client(service: str) -> Any:
    """An aiobotocore client context, made as an app would make it."""
    return AioSession().create_client(
        service,
        region_name="eu-central-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


async def test_async_and_sync_clients_share_one_set_of_queues() -> None:
    """An aiobotocore client made inside the block and a boto3 client take
    results in turn; a repeated request is remembered across them (in one
    region: each region remembers its own, as moto's backends do)."""
    sync = new_client(region="eu-central-1")
    async with sagemaker_stub.mock(allow_defaults=False) as stub:
        stub.queue(InvokeResult.text("async"), InvokeResult.text("sync"))
        async with aio_client("sagemaker-runtime") as app:
            response = await app.invoke_endpoint(EndpointName="e", Body=b"1")
            assert isinstance(response["Body"], StreamingBody)
            assert await response["Body"].read() == b"async"
            assert sync.invoke_endpoint(EndpointName="e", Body=b"2")["Body"].read() == (
                b"sync"
            )
            again = await app.invoke_endpoint(EndpointName="e", Body=b"2")
            assert await again["Body"].read() == b"sync"
    assert [(call.region, call.source) for call in stub.calls] == [
        ("eu-central-1", Source.QUEUED),
        ("eu-central-1", Source.QUEUED),
        ("eu-central-1", Source.REMEMBERED),
    ]


async def test_streams_errors_and_retries_on_an_async_client() -> None:
    async with (
        sagemaker_stub.mock(retries=True, allow_defaults=False) as stub,
        aio_client("sagemaker-runtime") as app,
    ):
        stub.queue_stream(StreamResult(parts=[b"a", b"b"]))
        stub.queue(ErrorResult.throttling(), InvokeResult.text("retried"))
        stream = await app.invoke_endpoint_with_response_stream(
            EndpointName="e", Body=b"s"
        )
        parts = [event["PayloadPart"]["Bytes"] async for event in stream["Body"]]
        assert parts == [b"a", b"b"]
        response = await app.invoke_endpoint(EndpointName="e", Body=b"r")
        assert await response["Body"].read() == b"retried"
        assert response["ResponseMetadata"]["RetryAttempts"] == 1


async def test_a_bound_async_stub_wins_for_its_client(client: Any) -> None:
    async with sagemaker_stub.mock(allow_defaults=False) as everywhere:
        async with SageMakerRuntimeStub(client) as stub:
            stub.queue(InvokeResult.text("bound"))
            response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
            assert await response["Body"].read() == b"bound"
        everywhere.queue(InvokeResult.text("mocked"))
        response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert await response["Body"].read() == b"mocked"


async def test_s3_true_answers_async_s3_clients() -> None:
    async with (
        sagemaker_stub.mock(s3=True) as stub,
        aio_client("sagemaker-runtime") as app,
        aio_client("s3") as s3,
    ):
        stub.queue_async(AsyncResult.success(json.dumps({"label": "dog"})))
        location = (
            await app.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/k")
        )["OutputLocation"]
        bucket, key = location.removeprefix("s3://").split("/", 1)
        output = await s3.get_object(Bucket=bucket, Key=key)
        assert json.loads(await output["Body"].read()) == {"label": "dog"}
        with pytest.raises(S3NotStubbedError):
            await s3.get_object(Bucket="unowned", Key="k")


async def test_a_decorated_coroutine_answers_async_clients() -> None:
    everywhere = sagemaker_stub.mock()

    @everywhere
    async def scenario() -> bytes:
        everywhere.queue(InvokeResult.text("decorated"))
        async with new_aio_client() as app:
            response = await app.invoke_endpoint(EndpointName="e", Body=b"1")
            data: bytes = await response["Body"].read()
            return data

    assert await scenario() == b"decorated"
