"""Real client libraries that call this API, unchanged, against the stub.

langchain-aws's SagemakerEndpoint reads invoke_endpoint bodies and, when
streaming, splits PayloadPart bytes into lines. It needs a newer boto3 than the
lowest this package supports, so ``make test-oldest`` (which sets
SAGEMAKER_STUB_OLDEST) skips this file; everywhere else a missing install fails.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

if os.environ.get("SAGEMAKER_STUB_OLDEST"):
    pytest.skip(
        "langchain-aws needs a newer boto3 than the declared minimum",
        allow_module_level=True,
    )

from botocore.config import Config
from langchain_aws.llms.sagemaker_endpoint import LLMContentHandler, SagemakerEndpoint

from sagemaker_stub import (
    ErrorResult,
    FailNext,
    InvokeResult,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
)
from tests.conftest import new_client


class TGIHandler(LLMContentHandler):
    """A content handler for a text-generation container, as users write one."""

    content_type = "application/json"
    accepts = "application/json"

    def transform_input(self, prompt: str, model_kwargs: dict[str, Any]) -> bytes:
        return json.dumps({"inputs": prompt, "parameters": model_kwargs}).encode()

    def transform_output(self, output: Any) -> str:
        if isinstance(output, bytes):  # streaming: one line at a time
            text: str = json.loads(output)["token"]["text"]
            return text
        generated: str = json.loads(output.read())[0]["generated_text"]
        return generated


def llm(client: Any, *, streaming: bool = False) -> Any:
    """langchain-aws's LLM on the stubbed client."""
    return SagemakerEndpoint(
        endpoint_name="tgi",
        client=client,
        content_handler=TGIHandler(),
        streaming=streaming,
    )


def test_invoke(client: Any, stub: SageMakerRuntimeStub) -> None:
    """A prompt goes out as JSON; the generated text comes back."""
    stub.queue(InvokeResult.json([{"generated_text": "Paris"}]))
    assert llm(client).invoke("Capital of France?") == "Paris"
    [call] = stub.calls
    assert call.endpoint_name == "tgi"
    assert call.params["ContentType"] == "application/json"
    assert call.params["Accept"] == "application/json"
    assert call.source is Source.QUEUED


def test_streaming_with_lines_split_across_parts(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Its line iterator rebuilds JSON lines cut at arbitrary byte offsets."""
    lines = b"".join(
        json.dumps({"token": {"text": token}}).encode() + b"\n"
        for token in ("Par", "is", " 🇫🇷")
    )
    stub.queue_stream(StreamResult.chunked(lines, 4))
    chunks = list(llm(client, streaming=True).stream("Capital of France?"))
    assert "".join(chunks) == "Paris 🇫🇷"
    assert stub.calls[0].operation == "InvokeEndpointWithResponseStream"
    assert stub.calls[0].stream is not None
    assert stub.calls[0].stream.finished


def test_model_errors_reach_the_caller(client: Any, stub: SageMakerRuntimeStub) -> None:
    """The client's own ModelError surfaces through langchain-aws."""
    stub.queue(ErrorResult.model_error(400, "input too long"))
    with pytest.raises(client.exceptions.ModelError, match="input too long"):
        llm(client).invoke("a" * 10)


def test_throttling_is_retried_by_the_client_langchain_was_given() -> None:
    """retries=True: a standard-mode client retries under langchain-aws."""
    client = new_client(
        config=Config(retries={"mode": "standard", "total_max_attempts": 3})
    )
    with SageMakerRuntimeStub(client, retries=True) as stub:
        stub.add_endpoint("tgi")
        stub.add_fault(FailNext(ErrorResult.throttling(), times=2))
        stub.queue(InvokeResult.json([{"generated_text": "Paris"}]))
        assert llm(client).invoke("Capital of France?") == "Paris"
        assert [call.attempt for call in stub.calls] == [1, 2, 3]
        stub.queue_stream(StreamResult.json_lines([{"token": {"text": "x"}}]))
        stub.add_fault(FailNext(ErrorResult.service_unavailable()))
        streamed = "".join(llm(client, streaming=True).stream("again"))
    assert streamed == "x"
