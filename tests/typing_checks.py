"""Static checks of the public types: run by mypy (``make typecheck``), not pytest.

Each function is type-checked, never called. A line that should not type-check
carries a ``type: ignore`` with its error code; strict mypy reports an unused
ignore, so such a line fails the check if it starts to type-check.
"""

from __future__ import annotations

import unittest
from typing import Any

from mypy_boto3_sagemaker_runtime import SageMakerRuntimeClient
from typing_extensions import assert_type

from sagemaker_stub import SageMakerRuntimeStub, start_aio_stub


def a_typed_client_keeps_its_type(client: SageMakerRuntimeClient) -> None:
    """stub.client is the client's own type, so a typo in a method is caught."""
    stub = SageMakerRuntimeStub(client)
    assert_type(stub.client, SageMakerRuntimeClient)
    with SageMakerRuntimeStub(client) as entered:
        assert_type(entered.client, SageMakerRuntimeClient)
    stub.client.invoke_endpont(EndpointName="e", Body=b"")  # type: ignore[attr-defined]


def an_untyped_client_stays_any(client: Any) -> None:
    """A plain boto3 client (typed Any) gives a stub whose client is Any."""
    assert_type(SageMakerRuntimeStub(client).client, Any)


async def async_with_keeps_the_clients_type(client: SageMakerRuntimeClient) -> None:
    """``async with`` gives the same typed stub as ``with``."""
    async with SageMakerRuntimeStub(client) as entered:
        assert_type(entered, SageMakerRuntimeStub[SageMakerRuntimeClient])
        assert_type(entered.client, SageMakerRuntimeClient)


async def the_async_unittest_helper_gives_a_stub(
    test: unittest.IsolatedAsyncioTestCase,
) -> None:
    """start_aio_stub is awaited for a stub, and takes start_stub's keywords."""
    stub = await start_aio_stub(test, retries=True)
    assert_type(stub, SageMakerRuntimeStub[Any])
    await start_aio_stub(test, retry=True)  # type: ignore[call-arg]


def the_fixture_annotated_gives_a_typed_client(
    sagemaker_runtime_stub: SageMakerRuntimeStub[SageMakerRuntimeClient],
) -> None:
    """The fixture's stub, annotated as docs/guide.md shows: a typed client."""
    client = sagemaker_runtime_stub.client
    assert_type(client, SageMakerRuntimeClient)
    client.invoke_endpont(EndpointName="e", Body=b"")  # type: ignore[attr-defined]
