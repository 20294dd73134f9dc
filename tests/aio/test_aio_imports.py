"""aiobotocore is imported only when an async client is given; aioboto3 works too."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sagemaker_stub import AsyncResult, InvokeResult, SageMakerRuntimeStub, StreamResult

from .conftest import body_of, parts_of

SYNC_ONLY = textwrap.dedent(
    """
    import sys

    import boto3

    from sagemaker_stub import InvokeResult, SageMakerRuntimeStub

    session = boto3.session.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client, s3 = session.client("sagemaker-runtime"), session.client("s3")
    with SageMakerRuntimeStub(client) as stub:
        stub.attach_s3(s3)
        stub.queue(InvokeResult(body=b"ok"))
        response = client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert response["Body"].read() == b"ok"
    async_modules = ("aiobotocore", "aiohttp")
    print(sorted(name for name in sys.modules if name.startswith(async_modules)))
    """
)


def test_the_sync_path_never_imports_aiobotocore() -> None:
    """Installed or not, aiobotocore stays unimported for sync clients."""
    done = subprocess.run(
        [sys.executable, "-c", SYNC_ONLY],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.anyio
async def test_an_aioboto3_client() -> None:
    aioboto3 = pytest.importorskip("aioboto3")
    session = aioboto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    async with (
        session.client("sagemaker-runtime") as client,
        session.client("s3") as s3,
        SageMakerRuntimeStub(client) as stub,
    ):
        stub.attach_s3(s3)
        stub.queue(InvokeResult.json({"ok": True}))
        stub.queue_stream(StreamResult(parts=[b"a"]))
        stub.queue_async(AsyncResult.success("stored"))
        response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
        assert await body_of(response) == b'{"ok": true}'
        streamed = await client.invoke_endpoint_with_response_stream(
            EndpointName="e", Body=b"1"
        )
        assert await parts_of(streamed) == [b"a"]
        started = await client.invoke_endpoint_async(
            EndpointName="e", InputLocation="s3://in/1"
        )
        bucket, key = started["OutputLocation"][5:].split("/", 1)
        output = await s3.get_object(Bucket=bucket, Key=key)
        assert await output["Body"].read() == b"stored"
