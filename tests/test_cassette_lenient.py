"""Recording is lenient: an answer the endpoint sent is recorded and delivered,
even one the stub would refuse as a queued result."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import pytest_socket

import sagemaker_stub
from sagemaker_stub import (
    Cassette,
    InvokeResult,
    SageMakerRuntimeStub,
    Source,
    StreamError,
    StreamResult,
)
from sagemaker_stub._cassettes.file import documents_of, write_documents
from sagemaker_stub._cassettes.interactions import Interaction
from tests.conftest import new_client

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

#: A custom-attributes header with a DEL byte and a Latin-1 letter.
ODD = "trace=a\x7fb;name=caf\xe9"


class _Odd(BaseHTTPRequestHandler):
    """An endpoint answering 200 with no Content-Type and odd attributes."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b"raw answer"
        head = (
            "HTTP/1.1 200 OK\r\n"
            "X-Amzn-Invoked-Production-Variant: AllTraffic\r\n"
            f"X-Amzn-SageMaker-Custom-Attributes: {ODD}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.wfile.write(head.encode("latin-1") + body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def odd_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(url: str | None = None) -> Any:
    return new_client(
        region="eu-west-1",
        endpoint_url=url,
        aws_access_key_id="AKIDLENIENT",
        aws_secret_access_key="lenient-secret",
    )


def seen(response: dict[str, Any]) -> tuple[object, ...]:
    return (
        response["Body"].read(),
        response.get("ContentType"),
        response["CustomAttributes"],
        response["InvokedProductionVariant"],
    )


def test_an_answer_a_queued_result_could_not_be_is_recorded_and_replayed(
    tmp_path: Path, odd_endpoint: str
) -> None:
    path = tmp_path / "odd.json"
    runtime = client(odd_endpoint)
    with SageMakerRuntimeStub(
        runtime, cassette=Cassette(path, record_mode="once")
    ) as stub:
        recorded = seen(runtime.invoke_endpoint(EndpointName="ep", Body=b"q"))
    assert recorded == (b"raw answer", None, ODD, "AllTraffic")
    assert [call.source for call in stub.calls] == [Source.RECORDED]
    result = stub.calls[0].result
    assert isinstance(result, InvokeResult)
    assert (result.content_type, result.custom_attributes) == ("", ODD)
    response = json.loads(path.read_text(encoding="utf-8"))["interactions"][0][
        "response"
    ]
    assert response == {
        "Body": "raw answer",
        "ContentType": "",
        "InvokedProductionVariant": "AllTraffic",
        "CustomAttributes": ODD,
    }
    pytest_socket.disable_socket(allow_unix_socket=True)
    offline = client()
    with SageMakerRuntimeStub(offline, cassette=path):
        replayed = seen(offline.invoke_endpoint(EndpointName="ep", Body=b"q"))
    assert replayed == recorded


def test_the_recording_server_delivers_such_an_answer(
    tmp_path: Path, odd_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDSERVER")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-secret")
    path = tmp_path / "odd.json"
    cassette = Cassette(path, record_mode="once")
    with sagemaker_stub.serve(
        cassette=cassette, upstream_region="us-east-1", upstream_url=odd_endpoint
    ) as proxy:
        runtime = client(proxy.url)
        answer = runtime.invoke_endpoint(EndpointName="ep", Body=b"q")
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert answer["Body"].read() == b"raw answer"
        assert answer["CustomAttributes"] == ODD
        assert [call.source for call in proxy.calls] == [Source.RECORDED]
    assert (
        json.loads(path.read_text(encoding="utf-8"))["interactions"][0]["response"][
            "CustomAttributes"
        ]
        == ODD
    )


def test_a_stream_recorded_with_no_content_type_replays_with_none(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stream.json"
    interaction = {
        "operation": "InvokeEndpointWithResponseStream",
        "request": {"EndpointName": "ep", "Body": "q"},
        "response": {"ContentType": "", "Parts": ["a", "b"]},
    }
    path.write_text(
        json.dumps({"sagemaker_stub_cassette": 1, "interactions": [interaction]}),
        encoding="utf-8",
    )
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=path):
        response = runtime.invoke_endpoint_with_response_stream(
            EndpointName="ep", Body=b"q"
        )
        parts = [event["PayloadPart"]["Bytes"] for event in response["Body"]]
    assert parts == [b"a", b"b"]
    assert "ContentType" not in response


def test_a_stream_errors_code_is_written_when_botocore_gives_one() -> None:
    """botocore gives none today (docs/cassettes.md, Limits); if it does, it is kept."""
    stream = StreamResult(
        parts=["a"],
        error=StreamError(code="ModelStreamError", message="m", error_code="E7"),
    )
    interaction = Interaction(
        operation="InvokeEndpointWithResponseStream",
        endpoint_name="ep",
        identity={},
        body=b"q",
        result=stream,
    )
    (document,) = documents_of(Cassette("unused.json"), [interaction])
    assert document["response"]["Error"] == {
        "Code": "ModelStreamError",
        "Message": "m",
        "ErrorCode": "E7",
    }


def test_a_save_that_fails_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        write_documents([], tmp_path / "full.json")
    assert list(tmp_path.iterdir()) == []
