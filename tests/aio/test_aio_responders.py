"""Responders on aiobotocore clients: computed results, awaited like any other."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sagemaker_stub import (
    Invocation,
    InvokeResult,
    ResponderError,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
)

from .conftest import body_of, parts_of

pytestmark = pytest.mark.anyio


def model(call: Invocation) -> InvokeResult | StreamResult:
    """Streams the words of ``inputs``; answers an invoke with their count."""
    words = call.json["inputs"].split()
    if call.operation == "InvokeEndpointWithResponseStream":
        return StreamResult(parts=[word.encode() for word in words])
    return InvokeResult.json({"words": len(words), "number": call.number})


async def test_a_responder_answers_an_async_client(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_responder(model)
    body = json.dumps({"inputs": "a b c"})
    response = await client.invoke_endpoint(EndpointName="e", Body=body)
    assert json.loads(await body_of(response)) == {"words": 3, "number": 1}
    again = await client.invoke_endpoint(EndpointName="e", Body=body)
    assert json.loads(await body_of(again)) == {"words": 3, "number": 1}
    streamed = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=json.dumps({"inputs": "x y"})
    )
    assert await parts_of(streamed) == [b"x", b"y"]
    assert [call.source for call in stub.calls] == [
        Source.RESPONDED,
        Source.REMEMBERED,
        Source.RESPONDED,
    ]


async def test_a_raising_responder_fails_the_awaited_call(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_responder(model)
    with pytest.raises(ResponderError) as info:
        await client.invoke_endpoint(EndpointName="e", Body=b"not json")
    assert isinstance(info.value.__cause__, TypeError)
    assert stub.calls[-1].source is Source.UNANSWERED
