"""serve(): the same queues over real HTTP, on localhost only."""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import EventStreamError

import sagemaker_stub
from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    SageMakerRuntimeServer,
    SageMakerRuntimeStub,
    SageMakerStubError,
    Source,
    StreamError,
    StreamResult,
)
from tests.conftest import new_client

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


#: The clients each test made, closed after it: a client keeps its
#: connections open, and one collected open warns (an error in this suite).
_MADE: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _MADE:
        _MADE.pop().close()


@pytest.fixture
def server() -> Iterator[SageMakerRuntimeServer]:
    with sagemaker_stub.serve() as running:
        yield running


def remote(server: SageMakerRuntimeServer, service: str = "sagemaker-runtime") -> Any:
    """A boto3 client pointed at the server, signed with dummy keys."""
    client = new_client(
        service,
        "eu-west-1",
        endpoint_url=server.url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
    )
    _MADE.append(client)
    return client


# -- the protocol, differentially ---------------------------------------------------


def scenario(stub: Any, client: Any) -> list[object]:
    """What a client observes for one sequence of queued results and calls."""
    seen: list[object] = []
    stub.add_endpoint("ep", variants=["blue", "green"])
    stub.queue(
        InvokeResult.json({"n": 1}, custom_attributes="c=1"),
        InvokeResult(body=b"\xff\xd8 jpeg", content_type="image/jpeg"),
        ErrorResult.model_error(original_status_code=503, original_message="busy"),
    )
    stub.queue_stream(
        StreamResult(parts=[b"to", b"ken"], error=StreamError.model_stream_error("x"))
    )
    stub.queue_async(AsyncResult.success({"ok": True}), AsyncResult.failure("bad"))
    for body in (b"1", b"2", b"1"):
        response = client.invoke_endpoint(
            EndpointName="ep", Body=body, TargetVariant="green", Accept="*/*"
        )
        seen.append(
            (
                response["Body"].read(),
                response["ContentType"],
                response.get("CustomAttributes"),
                response["InvokedProductionVariant"],
            )
        )
    with pytest.raises(client.exceptions.ModelError) as model_error:
        client.invoke_endpoint(EndpointName="ep", Body=b"3")
    fields = model_error.value.response
    seen.append((fields["OriginalStatusCode"], fields["OriginalMessage"]))
    with pytest.raises(client.exceptions.ValidationError) as refused:
        client.invoke_endpoint(EndpointName="nope", Body=b"4")
    seen.append(refused.value.response["Error"]["Message"])
    stream = client.invoke_endpoint_with_response_stream(EndpointName="ep", Body=b"5")
    parts: list[bytes] = []
    with pytest.raises(EventStreamError) as mid_stream:
        parts.extend(event["PayloadPart"]["Bytes"] for event in stream["Body"])
    stream["Body"].close()
    seen.append((parts, mid_stream.value.response["Error"]["Code"]))
    for location in ("s3://in/a", "s3://in/b", "s3://in/a"):
        started = client.invoke_endpoint_async(
            EndpointName="ep", InputLocation=location
        )
        seen.append(started["ResponseMetadata"]["HTTPStatusCode"])
    seen.append([(call.operation, call.source) for call in stub.calls])
    return seen


def test_a_remote_client_observes_what_a_stubbed_client_observes(
    server: SageMakerRuntimeServer,
) -> None:
    """The same queue, the same calls: identical results, errors, streams, sources."""
    with SageMakerRuntimeStub(new_client(region="eu-west-1")) as stub:
        in_process = scenario(stub, stub.client)
    over_http = scenario(server, remote(server))
    assert over_http == in_process
    assert over_http[-1][2] == ("InvokeEndpoint", Source.REMEMBERED)  # type: ignore[index]


def test_requests_carry_the_sagemaker_headers_both_ways(
    server: SageMakerRuntimeServer,
) -> None:
    client = remote(server)
    server.queue(InvokeResult.text("ok", custom_attributes="out=1"))
    response = client.invoke_endpoint(
        EndpointName="ep",
        Body=b"x",
        CustomAttributes="in=1",
        InferenceId="id-1",
        ContentType="text/plain",
    )
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-sagemaker-custom-attributes"] == "out=1"
    assert "x-amzn-requestid" in headers
    [call] = server.calls
    assert call.params["CustomAttributes"] == "in=1"
    assert call.params["InferenceId"] == "id-1"
    assert call.region == "eu-west-1"  # read from the signature's scope
    assert call.client is None


# -- async outputs through S3 ---------------------------------------------------------


def test_an_s3_client_reads_outputs_and_runs_its_waiter(
    server: SageMakerRuntimeServer,
) -> None:
    runtime, s3 = remote(server), remote(server, "s3")
    server.store_input("s3://inputs/1.json", b'{"x": 1}')
    server.queue_async(AsyncResult.success(b'{"y": 2}'))
    started = runtime.invoke_endpoint_async(
        EndpointName="ep", InputLocation="s3://inputs/1.json"
    )
    bucket, key = started["OutputLocation"][len("s3://") :].split("/", 1)
    s3.get_waiter("object_exists").wait(Bucket=bucket, Key=key)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b'{"y": 2}'
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == 8
    ranged = s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-1")
    assert ranged["Body"].read() == b'{"'
    listing = s3.list_objects_v2(Bucket=bucket)
    assert [item["Key"] for item in listing["Contents"]] == [key]
    s3.put_object(Bucket="inputs", Key="2.json", Body=b"two")
    assert server.read_output("s3://inputs/2.json") == b"two"
    s3.delete_object(Bucket="inputs", Key="2.json")
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="inputs", Key="2.json")
    with pytest.raises(s3.exceptions.NoSuchBucket):
        s3.get_object(Bucket="not-owned", Key="k")


# -- raw HTTP, as litellm sends it ------------------------------------------------


def test_a_raw_sigv4_httpx_stream_decodes_with_eventstreambuffer(
    server: SageMakerRuntimeServer,
) -> None:
    """litellm's way: sign with SigV4Auth, POST with httpx, decode the frames."""
    server.queue_stream(StreamResult.server_sent_events([{"token": "Hel"}, "[DONE]"]))
    url = f"{server.url}/endpoints/llm/invocations-response-stream"
    body = json.dumps({"inputs": "hi", "stream": True}).encode()
    request = AWSRequest(
        method="POST", url=url, data=body, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(Credentials("AKIDTEST", "secret"), "sagemaker", "us-west-2").add_auth(
        request
    )
    buffer = EventStreamBuffer()
    payloads: list[bytes] = []
    with (
        httpx.Client() as http,
        http.stream("POST", url, content=body, headers=dict(request.headers)) as reply,
    ):
        assert reply.status_code == 200
        assert reply.headers["content-type"] == "application/vnd.amazon.eventstream"
        for chunk in reply.iter_bytes():
            buffer.add_data(chunk)
            payloads.extend(message.payload for message in buffer)
    assert b"".join(payloads) == b'data: {"token": "Hel"}\n\ndata: [DONE]\n\n'
    assert server.calls[0].region == "us-west-2"


def test_unsigned_requests_are_answered_too(server: SageMakerRuntimeServer) -> None:
    server.queue(InvokeResult.text("plain"))
    reply = httpx.post(f"{server.url}/endpoints/ep/invocations", content=b"x")
    assert (reply.status_code, reply.text) == (200, "plain")


def test_each_frame_is_a_chunk_sent_as_it_is_encoded(
    server: SageMakerRuntimeServer,
) -> None:
    """The stream goes out as chunked transfer, one event-stream frame per chunk."""
    server.queue_stream(StreamResult(parts=[b"a" * 10, b"b" * 20]))
    connection = connect(server)
    connection.sendall(
        b"POST /endpoints/ep/invocations-response-stream HTTP/1.1\r\n"
        b"Host: localhost\r\nContent-Length: 1\r\nConnection: close\r\n\r\nz"
    )
    raw = b""
    while chunk := connection.recv(65536):
        raw += chunk
    connection.close()
    head, _, chunked = raw.partition(b"\r\n\r\n")
    assert b"\r\ntransfer-encoding: chunked\r\n" in head.lower()
    assert head.lower().count(b"\r\ndate: ") == 1
    sizes = []
    while True:
        size_line, _, chunked = chunked.partition(b"\r\n")
        size = int(size_line, 16)
        sizes.append(size)
        if size == 0:
            break
        chunked = chunked[size + 2 :]
    # prelude 12 + headers + payload + crc 4: one frame per part, then the end
    assert len(sizes) == 3
    assert sizes[-1] == 0
    assert sizes[1] - sizes[0] == 10


# -- control API ----------------------------------------------------------------------


MOTO_RESULTS = {
    "account_id": "123456789012",  # This is the default - can be omitted
    "region": "us-east-1",  # This is the default - can be omitted
    "results": [
        {
            "Body": "first body",
            "ContentType": "text/xml",
            "InvokedProductionVariant": "prod",
            "CustomAttributes": "my_attr",
        },
        # other results as required
    ],
}
MOTO_ASYNC_RESULTS = {
    "account_id": "123456789012",  # This is the default - can be omitted
    "region": "us-east-1",  # This is the default - can be omitted
    "results": [
        {
            "data": json.dumps({"first": "output"}),
        },
        {
            "is_failure": True,
            "data": "second inference failed",
        },
        # other results as required
    ],
}


def test_the_moto_control_payloads_work_verbatim(
    server: SageMakerRuntimeServer,
) -> None:
    """moto-server users switch by changing the URL."""
    for name, payload in (
        ("endpoint-results", MOTO_RESULTS),
        ("async-endpoint-results", MOTO_ASYNC_RESULTS),
    ):
        reply = httpx.post(
            f"{server.url}/moto-api/static/sagemaker/{name}", json=payload
        )
        assert reply.status_code == 201
    # moto's payloads are for us-east-1 unless they say otherwise.
    client = new_client(
        "sagemaker-runtime",
        "us-east-1",
        endpoint_url=server.url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
    )
    _MADE.append(client)
    details = client.invoke_endpoint(EndpointName="asdf", Body="qwer")
    assert details["Body"].read() == b"first body"
    assert details["ContentType"] == "text/xml"
    assert details["InvokedProductionVariant"] == "prod"
    # moto's example InputLocation, "qwer", is one the service refuses.
    ok = client.invoke_endpoint_async(EndpointName="asdf", InputLocation="s3://b/qwer")
    assert ok["ResponseMetadata"]["HTTPStatusCode"] == 202
    failed = client.invoke_endpoint_async(EndpointName="asdf", InputLocation="s3://b/x")
    assert server.read_output(ok["OutputLocation"]) == b'{"first": "output"}'
    assert server.read_output(failed["FailureLocation"]) == b"second inference failed"


def control(server: SageMakerRuntimeServer, method: str, name: str, **kw: Any) -> Any:
    return httpx.request(method, f"{server.url}/_sagemaker_stub/{name}", **kw)


def test_the_json_control_api(server: SageMakerRuntimeServer) -> None:
    """Results of every kind, errors, endpoints, faults, calls, pending, reset."""
    client = remote(server)
    queued = control(
        server,
        "POST",
        "queue",
        json={
            "results": [
                {"body": "text", "content_type": "text/plain"},
                {"body_base64": "/9g=", "content_type": "image/jpeg"},
                {
                    "error": {
                        "code": "ModelError",
                        "fields": {"OriginalStatusCode": 500},
                    }
                },
            ]
        },
    )
    assert (queued.status_code, queued.json()) == (201, {"queued": 3})
    control(
        server,
        "POST",
        "queue",
        json={
            "queue": "stream",
            "endpoint_name": "llm",
            "results": [
                {
                    "parts": ["a", "b"],
                    "stream_error": {"code": "ModelStreamError", "message": "cut"},
                }
            ],
        },
    )
    control(
        server, "POST", "queue", json={"queue": "async", "results": [{"data": "d"}]}
    )
    assert control(server, "POST", "endpoints", json={"name": "ep"}).status_code == 201
    assert control(server, "POST", "endpoints", json={"name": "llm"}).status_code == 201
    fault = {"policy": "fail_next", "error": {"code": "InternalDependencyException"}}
    assert control(server, "POST", "faults", json=fault).status_code == 201

    with pytest.raises(client.exceptions.InternalDependencyException) as faulted:
        client.invoke_endpoint(EndpointName="ep", Body=b"0")
    assert faulted.value.response["ResponseMetadata"]["HTTPStatusCode"] == 530
    assert (
        client.invoke_endpoint(EndpointName="ep", Body=b"1")["Body"].read() == b"text"
    )
    assert (
        client.invoke_endpoint(EndpointName="ep", Body=b"2")["Body"].read()
        == b"\xff\xd8"
    )
    with pytest.raises(client.exceptions.ModelError):
        client.invoke_endpoint(EndpointName="ep", Body=b"3")
    stream = client.invoke_endpoint_with_response_stream(EndpointName="llm", Body=b"4")
    with pytest.raises(EventStreamError):
        list(stream["Body"])
    stream["Body"].close()

    pending = control(server, "GET", "pending").json()
    assert [item["operation"] for item in pending] == ["InvokeEndpointAsync"]
    calls = control(server, "GET", "calls").json()
    assert [call["source"] for call in calls] == [
        "fault",
        "queued",
        "queued",
        "queued",
        "queued",
    ]
    assert calls[1]["region"] == "eu-west-1"
    assert calls[4]["stream"] == {"parts_read": 2, "closed": False, "finished": True}

    assert control(server, "DELETE", "endpoints/llm").status_code == 204
    assert control(server, "DELETE", "faults").status_code == 204
    assert control(server, "POST", "reset").status_code == 204
    assert control(server, "GET", "calls").json() == []
    assert server.pending_results() == []


@pytest.mark.parametrize(
    ("method", "name", "body", "status", "message"),
    [
        ("POST", "queue", b"{", 400, "The body must be JSON: "),
        ("POST", "queue", b"[]", 400, "The body must be a JSON object; got [] (list)."),
        (
            "POST",
            "queue",
            b'{"queue": "later", "results": [{}]}',
            400,
            "queue must be one of invoke, async, stream; got 'later' (str).",
        ),
        (
            "POST",
            "queue",
            b'{"results": []}',
            400,
            "results must be a non-empty list of results; got [] (list).",
        ),
        (
            "POST",
            "queue",
            b'{"results": [{"body": "a", "bdy": 1}]}',
            400,
            (
                "results[0] has unknown keys 'bdy'; it takes body, body_base64, "
                "content_type, invoked_production_variant, custom_attributes."
            ),
        ),
        (
            "POST",
            "queue",
            b'{"results": [{"body_base64": "%%%"}]}',
            400,
            "results[0].body_base64 must be base64; got '%%%' (str).",
        ),
        (
            "POST",
            "queue",
            b'{"results": [{"error": {"code": "ModelError", "status_code": 200}}]}',
            400,
            (
                "results[0].error: ErrorResult.status_code must be an int HTTP error "
                "status from 300 to 599; got 200 (int)."
            ),
        ),
        (
            "POST",
            "faults",
            b'{"policy": "sometimes"}',
            400,
            (
                "fault.policy must be one of fail_next, fail_every, fail_randomly, "
                "latency; got 'sometimes' (str)."
            ),
        ),
        (
            "GET",
            "nothing",
            b"",
            404,
            "No control endpoint GET /_sagemaker_stub/nothing.",
        ),
        (
            "DELETE",
            "endpoints/ghost",
            b"",
            400,
            (
                "stub.remove_endpoint('ghost'): no such endpoint was declared. "
                "Declared endpoints: none."
            ),
        ),
    ],
)
def test_bad_control_requests_name_the_field(
    server: SageMakerRuntimeServer,
    method: str,
    name: str,
    body: bytes,
    status: int,
    message: str,
) -> None:
    reply = control(server, method, name, content=body)
    assert reply.status_code == status
    assert reply.json()["message"].startswith(message)
    assert server.pending_results() == []


# -- robustness ----------------------------------------------------------------------


def raw(server: SageMakerRuntimeServer, request: bytes) -> bytes:
    """Send ``request`` on a fresh connection; what came back."""
    with connect(server) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def connect(server: SageMakerRuntimeServer) -> socket.socket:
    """A raw connection to the server."""
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def hang_up(connection: socket.socket) -> None:
    """Close with a reset, as a client that crashes does, not a clean close."""
    connection.setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
    )
    connection.close()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (
            b"GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            b"404",
        ),
        (
            (
                b"PUT /endpoints/ep/invocations HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            ),
            b"404",
        ),
        (
            (
                b"POST /endpoints/ep/invocations HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Length: 99999999999\r\n\r\n"
            ),
            b"413",
        ),
        (
            (
                b"POST /endpoints/ep/invocations HTTP/1.1\r\nHost: localhost\r\n"
                b"Content-Length: ten\r\n\r\n"
            ),
            b"400",
        ),
        (
            (
                b"POST /endpoints/ep/invocations HTTP/1.1\r\nHost: localhost\r\n"
                b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"
            ),
            b"400",
        ),
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"GET / HTTP/2.0\r\n\r\n", b"400"),
        (b"POST /endpoints/e/invocations HTTP/1.1\r\nno colon\r\n\r\n", b"400"),
        (
            b"POST /endpoints/e/invocations HTTP/1.1\r\nX-Long: "
            + b"a" * 70000
            + b"\r\n\r\n",
            b"431",
        ),
        (
            b"POST /endpoints/e/invocations HTTP/1.1\r\n"
            + b"X-Many: 1\r\n" * 101
            + b"\r\n",
            b"431",
        ),
    ],
)
def test_malformed_requests_get_a_clean_error(
    server: SageMakerRuntimeServer, request_bytes: bytes, status: bytes
) -> None:
    server.queue(InvokeResult.text("kept"))
    reply = raw(server, request_bytes)
    assert reply.split(b" ", 2)[1] == status
    assert remote(server).invoke_endpoint(EndpointName="e", Body=b"1")[
        "Body"
    ].read() == (b"kept")


def test_a_chunked_request_body_is_read(server: SageMakerRuntimeServer) -> None:
    server.queue(InvokeResult.text("ok"))
    reply = raw(
        server,
        b"POST /endpoints/ep/invocations HTTP/1.1\r\nHost: localhost\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    )
    assert reply.startswith(b"HTTP/1.1 200")
    assert server.calls[0].body_size == 5


def test_a_bad_integer_header_is_the_services_validation_error(
    server: SageMakerRuntimeServer,
) -> None:
    reply = httpx.post(
        f"{server.url}/endpoints/ep/async-invocations",
        headers={
            "X-Amzn-SageMaker-InputLocation": "s3://in/x",
            "X-Amzn-SageMaker-RequestTTLSeconds": "soon",
        },
    )
    assert reply.status_code == 400
    assert reply.headers["x-amzn-errortype"] == "ValidationError"
    assert "requestTTLSeconds" in reply.json()["Message"]
    assert server.calls[0].source is Source.REJECTED


def test_nothing_queued_with_defaults_off_says_how_to_queue() -> None:
    with sagemaker_stub.serve(allow_defaults=False) as server:
        client = remote(server)
        with pytest.raises(client.exceptions.ClientError) as info:
            client.invoke_endpoint(EndpointName="ep", Body=b"1")
    error = info.value.response["Error"]
    assert error["Code"] == "NoResultError"
    assert "stub.queue(" in error["Message"]


def test_a_client_that_hangs_up_mid_stream_loses_nothing_else(
    server: SageMakerRuntimeServer,
) -> None:
    """The stream's progress says how far it got; the next result still serves."""
    server.queue_stream(StreamResult(parts=[b"x" * 65536] * 400))  # past any buffer
    server.queue(InvokeResult.text("next"))
    connection = connect(server)
    connection.sendall(
        b"POST /endpoints/ep/invocations-response-stream HTTP/1.1\r\n"
        b"Host: localhost\r\nContent-Length: 1\r\n\r\nz"
    )
    connection.recv(1024)
    hang_up(connection)
    client = remote(server)
    assert (
        client.invoke_endpoint(EndpointName="ep", Body=b"2")["Body"].read() == b"next"
    )
    stream = server.calls[0].stream
    assert stream is not None
    assert not stream.finished


def test_64_concurrent_connections_lose_nothing(server: SageMakerRuntimeServer) -> None:
    count = 64
    server.queue(*(InvokeResult.text(str(n)) for n in range(count)))
    served: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def call(index: int) -> None:
        with httpx.Client() as http:
            barrier.wait()
            reply = http.post(
                f"{server.url}/endpoints/ep/invocations", content=str(index).encode()
            )
        with lock:
            served.append(reply.text)

    threads = [threading.Thread(target=call, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(served, key=int) == [str(n) for n in range(count)]
    assert len(server.calls) == count


# -- lifecycle ------------------------------------------------------------------------


def test_stop_leaves_no_thread_or_socket_behind() -> None:
    before = set(threading.enumerate())
    server = sagemaker_stub.serve()
    server.start()
    url = server.url
    client = remote(server)
    server.queue(InvokeResult.text("a"))
    client.invoke_endpoint(EndpointName="ep", Body=b"1")  # a keep-alive connection
    host, port = url.removeprefix("http://").split(":")
    idle = http.client.HTTPConnection(host, int(port))
    idle.connect()  # an idle connection the server must close
    server.stop()
    assert set(threading.enumerate()) <= before
    assert not server.running
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=1)
    idle.close()
    server.stop()  # stopping again does nothing


def test_lifecycle_errors() -> None:
    server = sagemaker_stub.serve()
    with pytest.raises(SageMakerStubError) as not_running:
        _ = server.url
    assert str(not_running.value) == (
        "The server is not running: start() it, or use it in a with block."
    )
    with server, pytest.raises(SageMakerStubError) as twice:
        server.start()
    assert str(twice.value).startswith("The server is already running at http://")


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"port": -1},
            ValueError,
            "serve(port=...) must be a port number from 0 to 65535; got -1 (int).",
        ),
        (
            {"port": "80"},
            ValueError,
            "serve(port=...) must be a port number from 0 to 65535; got '80' (str).",
        ),
        (
            {"host": ""},
            TypeError,
            "serve(host=...) must be a host name or address; got '' (str).",
        ),
        (
            {"validate": "no"},
            TypeError,
            "serve(validate=...) must be True or False; got 'no' (str).",
        ),
    ],
)
def test_bad_serve_options(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        sagemaker_stub.serve(**options)
    assert str(info.value) == message


# -- console script -------------------------------------------------------------------


def test_the_console_script_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sagemaker_stub._cli",
            "serve",
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("sagemaker-stub serving on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        queued = httpx.post(
            f"{url}/_sagemaker_stub/queue", json={"results": [{"body": "cli"}]}
        )
        assert queued.status_code == 201
        reply = httpx.post(f"{url}/endpoints/ep/invocations", content=b"1")
        assert reply.text == "cli"
        missing = httpx.post(f"{url}/endpoints/ep/invocations", content=b"2")
        assert missing.headers["x-amzn-errortype"] == "NoResultError"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert process.stdout is not None
        process.stdout.close()


@pytest.mark.parametrize(
    ("flags", "allow_defaults", "validate"),
    [
        ([], False, True),
        (["--moto-compatible"], True, False),
        (["--allow-defaults"], True, True),
        (["--moto-compatible", "--no-validate"], True, False),
        (["--no-validate"], False, False),
    ],
)
def test_the_console_script_fails_closed_unless_told(
    flags: list[str], allow_defaults: bool, validate: bool
) -> None:
    """One default everywhere: --moto-compatible is the switch, as moto_compatible."""
    from sagemaker_stub._cli import _parser, serve_options  # noqa: PLC0415

    options = serve_options(_parser().parse_args(["serve", *flags]))
    server = sagemaker_stub.serve(**options)
    assert (server.allow_defaults, server.validate) == (allow_defaults, validate)


def test_the_console_script_refuses_a_bad_port(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sagemaker_stub._cli import main  # noqa: PLC0415

    assert main(["serve", "--port", "70000"]) == 2
    assert capsys.readouterr().err == (
        "sagemaker-stub serve: serve(port=...) must be a port number from 0 to "
        "65535; got 70000 (int).\n"
    )


def test_the_console_script_says_in_one_line_why_it_cannot_listen(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sagemaker_stub._cli import main  # noqa: PLC0415

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        f"sagemaker-stub serve: cannot listen on 127.0.0.1:{port}: Address already "
        "in use.\n"
    )
    # An address of no interface here (TEST-NET-1, RFC 5737).
    assert main(["serve", "--host", "192.0.2.1", "--port", "0"]) == 2
    assert capsys.readouterr().err == (
        "sagemaker-stub serve: cannot listen on 192.0.2.1:0: Cannot assign "
        "requested address.\n"
    )


def test_the_console_script_says_its_version(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sagemaker_stub._cli import main  # noqa: PLC0415

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == (
        f"sagemaker-stub {importlib.metadata.version('sagemaker-stub')}\n"
    )


# -- edges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ([1], "results[0] must be a JSON object; got 1 (int)."),
        (
            [{"body": "a", "body_base64": "YQ=="}],
            "results[0] gives both body and body_base64; give one.",
        ),
        ([{"body": 1}], "results[0].body must be a string; got 1 (int)."),
        (
            [{"error": {"code": "ModelError"}, "body": "x"}],
            "results[0] has unknown keys",
        ),
    ],
)
def test_bad_invoke_results(
    server: SageMakerRuntimeServer, results: list[object], message: str
) -> None:
    reply = control(server, "POST", "queue", json={"results": results})
    assert reply.status_code == 400
    assert reply.json()["message"].startswith(message)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (
            {"parts": ["a"], "parts_base64": ["YQ=="]},
            "results[0] gives both parts and parts_base64; give one.",
        ),
        (
            {"parts": "ab"},
            "results[0].parts must be a list of strings; got 'ab' (str).",
        ),
        ({"parts_base64": ["%"]}, "results[0].parts_base64[0] must be base64; got '%'"),
        (
            {"parts": ["a"], "stream_error": {"code": "Nope", "message": "m"}},
            "results[0].stream_error: ",
        ),
    ],
)
def test_bad_stream_results(
    server: SageMakerRuntimeServer, result: dict[str, object], message: str
) -> None:
    reply = control(
        server, "POST", "queue", json={"queue": "stream", "results": [result]}
    )
    assert reply.status_code == 400
    assert reply.json()["message"].startswith(message)


def test_base64_parts_latency_and_a_valid_integer_header(
    server: SageMakerRuntimeServer,
) -> None:
    control(
        server,
        "POST",
        "queue",
        json={
            "queue": "stream",
            "results": [{"parts_base64": ["/w==", "AA=="], "stream_error": None}],
        },
    )
    control(server, "POST", "faults", json={"policy": "latency", "seconds": 0.01})
    control(server, "POST", "queue", json={"results": [{}]})  # an empty body
    control(server, "POST", "queue", json={"queue": "async", "results": [{}]})
    client = remote(server)
    assert client.invoke_endpoint(EndpointName="e", Body=b"0")["Body"].read() == b""
    stream = client.invoke_endpoint_with_response_stream(EndpointName="e", Body=b"1")
    assert [event["PayloadPart"]["Bytes"] for event in stream["Body"]] == [
        b"\xff",
        b"\x00",
    ]
    started = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/k", RequestTTLSeconds=60
    )
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert server.calls[2].params["RequestTTLSeconds"] == 60
    assert server.calls[0].latency == 0.01


def test_a_result_that_cannot_answer_is_put_back_and_reported(
    server: SageMakerRuntimeServer,
) -> None:
    """close_session outside a session: the stub's error, the result kept."""
    server.queue(InvokeResult(body=b"x", close_session=True))
    reply = httpx.post(f"{server.url}/endpoints/e/invocations", content=b"1")
    assert reply.status_code == 400
    assert reply.headers["x-amzn-errortype"] == "SageMakerStubError"
    assert len(server.pending_results()) == 1
    server.reset()


def test_an_internal_error_is_a_500_and_the_server_goes_on(
    server: SageMakerRuntimeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> None:
        message = "boom"
        raise RuntimeError(message)

    with monkeypatch.context() as patched:
        patched.setattr(server._routes._door, "answer", broken)
        reply = httpx.post(f"{server.url}/endpoints/e/invocations", content=b"1")
    assert reply.status_code == 500
    assert reply.headers["x-amzn-errortype"] == "InternalFailure"
    assert reply.json() == {"message": "sagemaker-stub: RuntimeError('boom')"}
    # The traceback is not lost: it is logged where a user can see it.
    [record] = [r for r in caplog.records if r.name == "sagemaker_stub.server"]
    assert record.getMessage() == (
        "sagemaker-stub could not answer POST /endpoints/e/invocations"
    )
    assert record.exc_info is not None
    assert record.exc_text is not None
    assert "in broken" in record.exc_text
    assert record.exc_text.endswith("RuntimeError: boom")
    server.queue(InvokeResult.text("fine"))
    assert httpx.post(f"{server.url}/endpoints/e/invocations", content=b"2").text == (
        "fine"
    )


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/endpoints/e/unknown", 404),
        ("PUT", "/owned", 405),
        ("POST", "/owned/key", 405),
        ("PATCH", "/owned/key", 405),
        ("GET", "/moto-api/static/sagemaker/endpoint-results", 404),
        ("POST", "/moto-api/static/sagemaker/other", 404),
    ],
)
def test_unknown_routes_and_methods(
    server: SageMakerRuntimeServer, method: str, path: str, status: int
) -> None:
    server.store_input("s3://owned/seed", b"")
    reply = httpx.request(method, f"{server.url}{path}", content=b"")
    assert reply.status_code == status


def test_a_bad_moto_payload_is_a_400(server: SageMakerRuntimeServer) -> None:
    reply = httpx.post(
        f"{server.url}/moto-api/static/sagemaker/endpoint-results",
        json={"results": "none"},
    )
    assert reply.status_code == 400
    assert reply.json()["message"] == (
        "stub.load_moto_results(payload): payload['results'] must be a list; "
        "got 'none' (str)."
    )


def test_short_oversize_and_trailered_bodies(server: SageMakerRuntimeServer) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Length: 10\r\n\r\nabc"
        )
        connection.shutdown(socket.SHUT_WR)
        short = connection.recv(4096)
    assert short.startswith(b"HTTP/1.1 400")
    huge = raw(
        server,
        b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n",
    )
    assert huge.startswith(b"HTTP/1.1 413")
    server.queue(InvokeResult.text("t"))
    trailered = raw(
        server,
        b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"1\r\na\r\n0\r\nx-checksum: 1\r\n\r\n",
    )
    assert trailered.startswith(b"HTTP/1.1 200")


def test_a_client_that_hangs_up_during_a_large_body(
    server: SageMakerRuntimeServer,
) -> None:
    server.queue(InvokeResult(body=b"z" * (6 * 1024 * 1024)))
    connection = connect(server)
    connection.sendall(
        b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Length: 1\r\n\r\nq"
    )
    connection.recv(16)
    hang_up(connection)
    server.queue(InvokeResult.text("after"))
    assert httpx.post(f"{server.url}/endpoints/e/invocations", content=b"2").text == (
        "after"
    )


def test_an_error_outside_any_request_is_printed_and_the_server_goes_on(
    server: SageMakerRuntimeServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sagemaker_stub._server import http as _server  # noqa: PLC0415

    def broken(handler: object) -> None:
        message = "broken handler"
        raise RuntimeError(message)

    with monkeypatch.context() as patched:
        patched.setattr(_server._Handler, "handle_one_request", broken)
        with connect(server) as connection:
            connection.sendall(b"GET / HTTP/1.1\r\n\r\n")
            assert connection.recv(1024) == b""  # closed, nothing sent
        printed = ""
        for _ in range(100):  # the server's thread prints after hanging up
            printed += capsys.readouterr().err
            if "RuntimeError: broken handler" in printed:
                break
            threading.Event().wait(0.02)
    assert "RuntimeError: broken handler" in printed
    server.queue(InvokeResult.text("still here"))
    assert httpx.post(f"{server.url}/endpoints/e/invocations", content=b"2").text == (
        "still here"
    )


def test_the_console_script_refuses_a_bad_account_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sagemaker_stub._cli import main  # noqa: PLC0415

    assert main(["serve", "--port", "0", "--account-id", "42"]) == 2
    assert capsys.readouterr().err == (
        "sagemaker-stub serve: serve(account_id=...) must be a 12-digit AWS "
        "account id such as '123456789012'; got '42' (str).\n"
    )


def test_expect_continue_http_1_0_and_repeated_headers(
    server: SageMakerRuntimeServer,
) -> None:
    """100-continue is answered before the body; an HTTP/1.0 request closes;
    a repeated header is joined with commas, as HTTP joins them."""
    server.queue(InvokeResult.text("one"), InvokeResult.text("two"))
    with connect(server) as connection:
        connection.sendall(
            b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n"
            b"Expect: 100-continue\r\nContent-Length: 1\r\n"
            b"X-Amzn-SageMaker-Custom-Attributes: a=1\r\n"
            b"X-Amzn-SageMaker-Custom-Attributes: b=2\r\n\r\n"
        )
        assert connection.recv(1024).startswith(b"HTTP/1.1 100")
        connection.sendall(b"1")
        assert connection.recv(65536).startswith(b"HTTP/1.1 200")
    assert server.calls[0].params["CustomAttributes"] == "a=1, b=2"
    reply = raw(
        server,
        b"POST /endpoints/e/invocations HTTP/1.0\r\nContent-Length: 1\r\n\r\n2",
    )
    assert reply.startswith(b"HTTP/1.1 200")
    assert b"\r\nconnection: close\r\n" in reply


def test_a_client_that_resets_mid_request_is_no_error(
    server: SageMakerRuntimeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A connection reset while the headers are read is not printed."""
    connection = connect(server)
    connection.sendall(b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n")
    threading.Event().wait(0.1)
    hang_up(connection)
    server.queue(InvokeResult.text("fine"))
    assert httpx.post(f"{server.url}/endpoints/e/invocations", content=b"1").text == (
        "fine"
    )
    assert "Traceback" not in capsys.readouterr().err


def test_an_s3_error_is_well_formed_xml_whatever_the_path(
    server: SageMakerRuntimeServer,
) -> None:
    """The path is escaped in the error document, as S3 escapes it."""
    reply = raw(
        server, b"GET /a<b&c/k HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404")
    error = ElementTree.fromstring(body)
    assert error.findtext("Code") == "NoSuchBucket"
    assert error.findtext("Message") == "No route or bucket for '/a<b&c/k'."
