"""The calls around an invocation, on aiobotocore sagemaker and STS clients."""

from __future__ import annotations

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

import sagemaker_stub
from sagemaker_stub import NotStubbedError

pytestmark = pytest.mark.anyio

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


async def test_an_async_control_plane_client_is_answered_and_fails_closed() -> None:
    async with sagemaker_stub.mock(account_id="111122223333") as mocked:
        mocked.add_endpoint("llm", variants=["blue"])
        session = AioSession()
        async with session.create_client(
            "sagemaker", region_name="eu-west-1", **KEYS
        ) as control:
            described = await control.describe_endpoint(EndpointName="llm")
            assert described["EndpointStatus"] == "InService"
            assert described["EndpointArn"] == (
                "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/llm"
            )
            with pytest.raises(ClientError, match='Could not find endpoint "other"'):
                await control.describe_endpoint(EndpointName="other")
            with pytest.raises(NotStubbedError, match="sagemaker ListModels reached"):
                await control.list_models()
        async with session.create_client("sts", region_name="eu-west-1", **KEYS) as sts:
            identity = await sts.get_caller_identity()
            assert identity["Account"] == "111122223333"
