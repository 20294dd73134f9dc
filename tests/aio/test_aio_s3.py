"""attach_s3 on an aiobotocore S3 client: outputs read, waited for and stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiobotocore.response import StreamingBody
from botocore.exceptions import WaiterError

from sagemaker_stub import AsyncResult, S3NotStubbedError, SageMakerRuntimeStub

pytestmark = pytest.mark.anyio

FAST = {"Delay": 0, "MaxAttempts": 5}


def split(uri: str) -> tuple[str, str]:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    return bucket, key


async def test_outputs_are_read_through_the_async_client(
    client: Any, stub: SageMakerRuntimeStub, s3: Any
) -> None:
    stub.attach_s3(s3, buckets=["inputs"])
    stub.queue_async(AsyncResult.success({"score": 1}), AsyncResult.failure("crashed"))
    await s3.put_object(Bucket="inputs", Key="1.json", Body=b'{"x": 1}')
    assert stub.read_output("s3://inputs/1.json") == b'{"x": 1}'

    good = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://inputs/1.json"
    )
    bucket, key = split(good["OutputLocation"])
    await s3.get_waiter("object_exists").wait(Bucket=bucket, Key=key, WaiterConfig=FAST)
    head = await s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "application/json"
    output = await s3.get_object(Bucket=bucket, Key=key)
    assert isinstance(output["Body"], StreamingBody)
    assert json.loads(await output["Body"].read()) == {"score": 1}

    bad = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://inputs/2.json"
    )
    bucket, key = split(bad["FailureLocation"])
    failure = await s3.get_object(Bucket=bucket, Key=key)
    assert await failure["Body"].read() == b"crashed"
    bucket, key = split(bad["OutputLocation"])
    with pytest.raises(s3.exceptions.NoSuchKey):
        await s3.get_object(Bucket=bucket, Key=key)


async def test_ranged_reads(client: Any, stub: SageMakerRuntimeStub, s3: Any) -> None:
    stub.attach_s3(s3, buckets=["data"])
    await s3.put_object(Bucket="data", Key="k", Body=b"0123456789")
    part = await s3.get_object(Bucket="data", Key="k", Range="bytes=2-4")
    assert await part["Body"].read() == b"234"
    assert part["ContentRange"] == "bytes 2-4/10"
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206


async def test_pending_and_held_results(
    client: Any, stub: SageMakerRuntimeStub, s3: Any
) -> None:
    """available_after counts polls; hold waits for complete()."""
    stub.attach_s3(s3)
    stub.queue_async(
        AsyncResult.success("soon", available_after=2),
        AsyncResult.success("held", hold=True),
    )
    soon = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://i/1"
    )
    held = await client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://i/2"
    )

    bucket, key = split(soon["OutputLocation"])
    for _ in range(2):
        with pytest.raises(s3.exceptions.NoSuchKey):
            await s3.get_object(Bucket=bucket, Key=key)
    assert await (await s3.get_object(Bucket=bucket, Key=key))["Body"].read() == b"soon"

    bucket, key = split(held["OutputLocation"])
    waiter = s3.get_waiter("object_exists")
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        await waiter.wait(
            Bucket=bucket, Key=key, WaiterConfig={"Delay": 0, "MaxAttempts": 2}
        )
    stub.complete(held["InferenceId"])
    await waiter.wait(Bucket=bucket, Key=key, WaiterConfig=FAST)


async def test_unowned_buckets_fail_closed(stub: SageMakerRuntimeStub, s3: Any) -> None:
    stub.attach_s3(s3)
    with pytest.raises(S3NotStubbedError, match="bucket 'elsewhere'"):
        await s3.get_object(Bucket="elsewhere", Key="k")


async def test_detach_and_write_through_are_explained(
    stub: SageMakerRuntimeStub, s3: Any
) -> None:
    stub.attach_s3(s3, buckets=["data"])
    stub.detach_s3(s3)
    with pytest.raises(TypeError) as info:
        stub.write_outputs_to(s3)
    assert str(info.value).startswith(
        "stub.write_outputs_to() needs a sync S3 client: the stub writes each "
        "output as the call that makes it returns"
    )
