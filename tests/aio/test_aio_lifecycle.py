"""Activation and deactivation on aiobotocore clients, as on botocore ones."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, StubActivationError
from sagemaker_stub._doors.aiobotocore import new_aio_client

from .conftest import body_of

pytestmark = pytest.mark.anyio

RUNTIME_EVENTS = (
    "before-parameter-build.sagemaker-runtime.InvokeEndpoint",
    "before-call.sagemaker-runtime.InvokeEndpoint",
    "before-send.sagemaker-runtime.InvokeEndpoint",
    "needs-retry.sagemaker-runtime.InvokeEndpoint",
    "choose-signer.sagemaker-runtime.InvokeEndpoint",
    "before-endpoint-resolution.sagemaker-runtime",
)
S3_EVENTS = ("before-parameter-build.s3.GetObject", "before-call.s3.GetObject")


def handlers(client: Any, events: tuple[str, ...]) -> dict[str, list[object]]:
    """The handlers the client would run for the events the stub touches."""
    emitter = client.meta.events._emitter
    return {event: list(emitter._handlers.prefix_search(event)) for event in events}


@pytest.mark.parametrize("retries", [False, True])
async def test_deactivate_restores_the_event_handlers_exactly(
    client: Any, s3: Any, retries: bool
) -> None:
    before, s3_before = handlers(client, RUNTIME_EVENTS), handlers(s3, S3_EVENTS)
    async with SageMakerRuntimeStub(client, retries=retries) as stub:
        stub.attach_s3(s3)
        assert handlers(client, RUNTIME_EVENTS) != before
        assert handlers(s3, S3_EVENTS) != s3_before
        stub.queue(InvokeResult(body=b"ok"))
        await body_of(await client.invoke_endpoint(EndpointName="e", Body=b"1"))
    assert handlers(client, RUNTIME_EVENTS) == before
    assert handlers(s3, S3_EVENTS) == s3_before


async def test_one_stub_at_a_time(client: Any, stub: SageMakerRuntimeStub) -> None:
    second = SageMakerRuntimeStub(client)
    with pytest.raises(StubActivationError, match="Another SageMakerRuntimeStub"):
        async with second:
            pass  # pragma: no cover - never entered
    with pytest.raises(StubActivationError, match="already active"):
        stub.activate()


async def test_a_forgotten_stub_does_not_keep_its_client_alive() -> None:
    async with new_aio_client() as client:
        SageMakerRuntimeStub(client).activate()
        alive = weakref.ref(client)
    del client
    gc.collect()
    assert alive() is None


async def test_an_aiobotocore_client_for_another_service_is_refused(s3: Any) -> None:
    with pytest.raises(ValueError, match="got a client for 's3'"):
        SageMakerRuntimeStub(s3)
