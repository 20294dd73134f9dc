"""The local server against callers it must refuse, and input it must not trust.

Browsers (an ``Origin``, ``Sec-Fetch-Site``), DNS rebinding (a foreign
``Host``), other hosts (the control token), a recording server's
credentials, header injection, framing tricks, and the robustness findings
of the same review: each tested through a real socket or a real client.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import HTTPClientError, ReadTimeoutError

import sagemaker_stub
from sagemaker_stub import (
    Cassette,
    InvokeResult,
    Latency,
    NoResultError,
    SageMakerRuntimeServer,
    SageMakerRuntimeStub,
    Source,
)
from sagemaker_stub._engine.request import Answer
from sagemaker_stub._server.http import HttpServer
from sagemaker_stub._server.routes import Routes
from sagemaker_stub._server.wire import check_head
from tests.conftest import new_client
from tests.test_server import connect, raw

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

TOKEN = "a-token-of-sixteen-or-more"


@pytest.fixture
def server() -> Iterator[SageMakerRuntimeServer]:
    with sagemaker_stub.serve() as running:
        yield running


def client_for(url: str, region: str = "us-east-1", **config: Any) -> Any:
    """A boto3 client pointed at ``url``, signed with dummy keys."""
    return new_client(
        "sagemaker-runtime",
        region,
        endpoint_url=url,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(**config) if config else None,
    )


# -- browsers and DNS rebinding --------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Host": "evil.example"},
        {"Host": "rebound.attacker.example:5000"},
    ],
)
def test_a_browser_or_a_rebound_name_cannot_reach_the_server(
    server: SageMakerRuntimeServer, headers: dict[str, str]
) -> None:
    """Every route is refused: control, runtime and S3 alike."""
    server.queue(InvokeResult.text("kept"))
    for method, path in (
        ("POST", "/_sagemaker_stub/reset"),
        ("GET", "/_sagemaker_stub/calls"),
        ("POST", "/moto-api/reset"),
        ("POST", "/endpoints/e/invocations"),
    ):
        reply = httpx.request(method, f"{server.url}{path}", headers=headers)
        assert reply.status_code == 403, (method, path, reply.text)
        assert "allow" in reply.json()["message"]
    assert [item.result for item in server.pending_results()] == [
        InvokeResult.text("kept")
    ]
    assert server.calls == []


def test_the_hosts_and_origins_allowed_are_served() -> None:
    """IP addresses, localhost, and the names and origins given."""
    with sagemaker_stub.serve(
        allowed_hosts=["sagemaker"], allowed_origins=["http://localhost:3000"]
    ) as server:
        for headers in (
            {"Host": "sagemaker:5000"},
            {"Host": "localhost"},
            {"Host": "[::1]:5000"},
            {"Host": "10.1.2.3"},
            {"Origin": "http://localhost:3000"},
        ):
            reply = httpx.get(f"{server.url}/_sagemaker_stub/calls", headers=headers)
            assert reply.status_code == 200, headers
        refused = httpx.get(
            f"{server.url}/_sagemaker_stub/calls",
            headers={"Origin": "http://localhost:3001"},
        )
        assert refused.status_code == 403
    with sagemaker_stub.serve(allowed_hosts=["*"], allowed_origins=["*"]) as server:
        reply = httpx.get(
            f"{server.url}/_sagemaker_stub/calls",
            headers={"Host": "any.example", "Origin": "https://any.example"},
        )
        assert reply.status_code == 200


# -- the control token -----------------------------------------------------------------


def test_the_control_api_needs_the_token_when_one_is_set() -> None:
    """401 without it or with a wrong one; the runtime API stays open."""
    with sagemaker_stub.serve(control_token=TOKEN) as server:
        assert server.control_token == TOKEN
        url = f"{server.url}/_sagemaker_stub/queue"
        document = {"results": [{"body": "ok"}]}
        missing = httpx.post(url, json=document)
        wrong = httpx.post(url, json=document, headers={"X-SageMaker-Stub-Token": "x"})
        assert (missing.status_code, wrong.status_code) == (401, 401)
        assert "no token was sent" in missing.json()["message"]
        assert "a wrong token was sent" in wrong.json()["message"]
        assert httpx.post(f"{server.url}/moto-api/reset").status_code == 401
        right = httpx.post(
            url, json=document, headers={"X-SageMaker-Stub-Token": TOKEN}
        )
        assert right.status_code == 201
        client = client_for(server.url)
        assert client.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read() == (
            b"ok"
        )


def test_a_server_beyond_loopback_makes_a_token_and_loopback_needs_none() -> None:
    beyond = sagemaker_stub.serve(host="0.0.0.0")
    assert beyond.control_token is not None
    assert len(beyond.control_token) >= 32
    assert sagemaker_stub.serve(host="0.0.0.0", control_token=False).control_token is (
        None
    )
    assert sagemaker_stub.serve().control_token is None
    assert sagemaker_stub.serve(host="localhost").control_token is None
    with pytest.raises(ValueError, match="16 characters or more; got 5"):
        sagemaker_stub.serve(control_token="short")
    with pytest.raises(TypeError, match=r"control_token=\.\.\.\) must be a str"):
        sagemaker_stub.serve(control_token=True)
    with pytest.raises(TypeError, match=r"allowed_hosts=\.\.\.\) must be a list"):
        sagemaker_stub.serve(allowed_hosts="sagemaker")
    with pytest.raises(ValueError, match=r"max_connections=\.\.\.\) must be a whole"):
        sagemaker_stub.serve(max_connections=0)


def first_lines(*flags: str, count: int) -> list[str]:
    """The first ``count`` lines ``sagemaker-stub serve`` prints (never a hang)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_stub._cli", "serve", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout
    assert output is not None
    lines: list[str] = []

    def read() -> None:
        while len(lines) < count and (line := output.readline()):
            lines.append(line)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(30)  # the lines, or what came in 30 seconds
    process.terminate()
    process.wait(timeout=30)
    reader.join()
    output.close()
    return lines


@pytest.mark.allow_hosts(["127.0.0.1", "0.0.0.0"])
def test_the_console_script_says_who_can_reach_it_and_the_token() -> None:
    wide = first_lines("--host", "0.0.0.0", count=3)
    assert wide[0].startswith("sagemaker-stub serving on http://0.0.0.0:")
    assert wide[1] == "  reachable from other hosts: listening on 0.0.0.0\n"
    assert wide[2].startswith("  control API token (send as X-SageMaker-Stub-Token): ")
    assert len(wide[2].split(": ", 1)[1].strip()) >= 32
    open_wide = first_lines("--host", "0.0.0.0", "--no-control-token", count=3)
    assert open_wide[2] == (
        "  WARNING: --no-control-token: anyone who reaches the port can reset, "
        "queue and read calls\n"
    )
    local = first_lines("--control-token", TOKEN, count=3)
    assert local[1:] == [
        "  reachable from this machine only (--host is loopback)\n",
        f"  control API token (send as X-SageMaker-Stub-Token): {TOKEN}\n",
    ]


def test_the_console_scripts_security_flags_are_checked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sagemaker_stub._cli import main  # noqa: PLC0415

    assert (
        main(["serve", "--port", "0", "--no-control-token", "--max-connections", "0"])
        == 2
    )
    assert "serve(max_connections=...) must be a whole number from 1" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("SAGEMAKER_STUB_CONTROL_TOKEN", "short")
    assert main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err == (
        "sagemaker-stub serve: serve(control_token=...) must have 16 characters or "
        "more; got 5.\n"
    )
    with pytest.raises(TypeError, match=r"upstream_region=\.\.\.\) must be a region"):
        sagemaker_stub.serve(upstream_region="")
    with pytest.raises(TypeError, match="must hold non-empty strings; got 3 \\(int\\)"):
        sagemaker_stub.serve(allowed_origins=[3])  # type: ignore[list-item]
    assert sagemaker_stub.serve(host="build-box.example").control_token is not None


# -- a recording server's credentials --------------------------------------------------


@pytest.fixture
def recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[SageMakerRuntimeServer, SageMakerRuntimeServer]]:
    """A server recording through another, with credentials and a region."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDOPERATOR")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "operator-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with sagemaker_stub.serve() as upstream:
        cassette = Cassette(tmp_path / "c.json", record_mode="all")
        with sagemaker_stub.serve(
            cassette=cassette, upstream_url=upstream.url
        ) as proxy:
            yield proxy, upstream


def test_a_recording_server_forwards_only_what_an_sdk_signed(
    recording: tuple[SageMakerRuntimeServer, SageMakerRuntimeServer],
) -> None:
    """A browser's simple request, or any unsigned one, spends nothing."""
    proxy, upstream = recording
    upstream.queue(InvokeResult.text("real inference"))
    url = f"{proxy.url}/endpoints/e/invocations"
    simple = httpx.post(
        url,
        content=b"{}",
        headers={"Content-Type": "text/plain", "Origin": "http://evil.example"},
    )
    assert simple.status_code == 403
    unsigned = httpx.post(url, content=b"{}")
    assert unsigned.status_code == 400
    assert unsigned.json()["message"].endswith(
        "only when signed by an SDK; this one was not: it is not signed with SigV4 "
        "(any key will do; none was sent)."
    )
    allowed_but_browser = httpx.post(
        url,
        content=b"{}",
        headers={
            "Sec-Fetch-Site": "same-origin",
            "Authorization": "AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/"
            "sagemaker/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    assert allowed_but_browser.status_code == 400
    assert "it came from a browser" in allowed_but_browser.json()["message"]
    assert upstream.calls == []
    assert [call.source for call in proxy.calls] == [Source.UNANSWERED] * 2


def test_a_recording_server_sends_to_its_own_region_not_the_callers(
    recording: tuple[SageMakerRuntimeServer, SageMakerRuntimeServer],
) -> None:
    proxy, upstream = recording
    upstream.queue(InvokeResult.text("real inference"))
    claimed = client_for(proxy.url, "ap-southeast-2")
    answer = claimed.invoke_endpoint(EndpointName="e", Body=b"{}")
    assert answer["Body"].read() == b"real inference"
    assert [call.region for call in upstream.calls] == ["eu-central-1"]


# -- what a request may carry ----------------------------------------------------------


def test_no_header_can_be_injected_into_an_answer(
    server: SageMakerRuntimeServer,
) -> None:
    """A bare CR in a request header is refused; an answer head is checked."""
    server.queue_async(sagemaker_stub.AsyncResult.success(b"{}"))
    location = client_for(server.url).invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/x"
    )["OutputLocation"]
    bucket_key = location.removeprefix("s3://")
    reply = raw(
        server,
        f"PUT /{bucket_key} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\n"
        "Content-Type: text/plain\rSet-Cookie: x=1\r\nConnection: close\r\n"
        "\r\nz".encode(),
    )
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"set-cookie" not in reply.partition(b"\r\n\r\n")[0].lower()
    got = httpx.get(f"{server.url}/{bucket_key}")
    assert "set-cookie" not in got.headers
    assert got.content == b"{}"
    for bad in ("a\rb", "a\nb", "a\x00b", "a\r\nSet-Cookie: x"):
        with pytest.raises(ValueError, match="cannot be sent"):
            check_head({"content-type": bad})
    check_head({"x-amzn-sagemaker-custom-attributes": "trace=a\x7fb;name=caf\xe9"})


@pytest.mark.parametrize(
    "framing",
    [
        b"Transfer-Encoding: chunked\r\n\r\n-1\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n+5\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n0x5\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n 5\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 17 + b"\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nabcdeXX",
        b"Content-Length: \xb2\r\n\r\n",  # "²": str.isdigit() says yes
        b"Content-Length: -1\r\n\r\n",
        b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"X-Folded: a\r\n b\r\n\r\n",
        b"X-Space : a\r\n\r\n",
        b"Host: other\r\n\r\n",
    ],
)
def test_framing_is_read_strictly_before_any_body(
    server: SageMakerRuntimeServer, framing: bytes
) -> None:
    """400 at once, without reading to the end of the connection."""
    server.queue(InvokeResult.text("kept"))
    with connect(server) as connection:
        connection.sendall(
            b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n" + framing
        )
        # The connection stays open: an answer now means nothing waited for EOF.
        reply = connection.recv(65536)
    assert reply.startswith(b"HTTP/1.1 400 "), reply
    assert server.calls == []


def test_an_unknown_transfer_coding_is_501_and_http_1_1_needs_a_host(
    server: SageMakerRuntimeServer,
) -> None:
    gzip = raw(
        server,
        b"POST /endpoints/e/invocations HTTP/1.1\r\nHost: localhost\r\n"
        b"Transfer-Encoding: gzip\r\n\r\n",
    )
    assert gzip.startswith(b"HTTP/1.1 501 ")
    hostless = raw(server, b"GET /_sagemaker_stub/calls HTTP/1.1\r\n\r\n")
    assert hostless.startswith(b"HTTP/1.1 400 ")
    assert b"must have a Host header" in hostless


@pytest.mark.parametrize(
    ("path", "document", "message"),
    [
        ("/_sagemaker_stub/queue", "[" * 100_000, "nested no deeper"),
        ("/_sagemaker_stub/faults", "[" * 100_000, "nested no deeper"),
        ("/moto-api/static/sagemaker/endpoint-results", "[" * 100_000, "nested"),
        ("/_sagemaker_stub/queue", json.dumps({"queue": ["invoke"]}), "queue must"),
        ("/_sagemaker_stub/faults", json.dumps({"policy": ["x"]}), "fault.policy"),
        (
            "/moto-api/static/sagemaker/endpoint-results",
            json.dumps({"region": ["x"], "results": []}),
            "'region' must be a region name",
        ),
    ],
)
def test_malformed_control_documents_are_400_naming_the_field(
    server: SageMakerRuntimeServer, path: str, document: str, message: str
) -> None:
    reply = httpx.post(f"{server.url}{path}", content=document.encode())
    assert reply.status_code == 400, reply.text
    assert message in reply.json()["message"]


@pytest.mark.parametrize("max_keys", ["abc", "-5", "\xb2", "99999999999"])
def test_a_bad_max_keys_is_s3s_invalid_argument(
    server: SageMakerRuntimeServer, max_keys: str
) -> None:
    server.queue_async(sagemaker_stub.AsyncResult.success(b"{}"))
    location = client_for(server.url).invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/x"
    )["OutputLocation"]
    bucket = location.removeprefix("s3://").split("/")[0]
    reply = httpx.get(
        f"{server.url}/{bucket}", params={"list-type": "2", "max-keys": max_keys}
    )
    assert reply.status_code == 400
    assert "<Code>InvalidArgument</Code>" in reply.text


# -- robustness ------------------------------------------------------------------------


def test_stop_wakes_a_call_sleeping_out_its_latency() -> None:
    """A client that gave up does not hold teardown for the fault's hour."""
    server = sagemaker_stub.serve()
    server.start()
    server.add_fault(Latency(3600))
    server.queue(InvokeResult.text("late"))
    impatient = client_for(server.url, read_timeout=0.5, retries={"max_attempts": 0})
    with pytest.raises(ReadTimeoutError):
        impatient.invoke_endpoint(EndpointName="e", Body=b"1")
    began = time.monotonic()
    server.stop()
    assert time.monotonic() - began < 60  # not the fault's 3,600 seconds
    assert [call.latency for call in server.calls] == [3600]


def test_connections_over_the_cap_are_told_to_retry() -> None:
    """One more than max_connections gets 503 and Retry-After; nothing waits."""
    with sagemaker_stub.serve(max_connections=2) as server:
        held = [connect(server) for _ in "ab"]
        try:
            for connection in held:  # each is served: a thread holds it
                connection.sendall(
                    b"GET /_sagemaker_stub/pending HTTP/1.1\r\nHost: localhost\r\n\r\n"
                )
                assert connection.recv(65536).startswith(b"HTTP/1.1 200 ")
            reply = raw(server, b"GET /_sagemaker_stub/pending HTTP/1.1\r\n\r\n")
            assert reply.startswith(b"HTTP/1.1 503 ")
            assert b"\r\nretry-after: 1\r\n" in reply
        finally:
            for connection in held:
                connection.close()
        # botocore retries a 503: once a slot is free, the call is answered.
        server.queue(InvokeResult.text("served"))
        client = client_for(server.url)
        assert client.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read() == (
            b"served"
        )


def test_stop_closes_idle_connections_at_once() -> None:
    server = sagemaker_stub.serve()
    server.start()
    idle = [connect(server) for _ in range(8)]
    for connection in idle:
        connection.settimeout(30)
    threading.Event().wait(0.1)  # accepted and tracked
    began = time.monotonic()
    server.stop()
    assert time.monotonic() - began < 20  # not the 30-second idle timeout
    for connection in idle:
        assert connection.recv(1) == b""  # closed by the server
        connection.close()


# -- one answer through both doors -----------------------------------------------------


def test_header_values_read_the_same_in_process_and_over_http(
    server: SageMakerRuntimeServer,
) -> None:
    """Edge whitespace is no part of a header; a line break is botocore's error."""
    over_http = client_for(server.url)
    in_process = new_client()
    with SageMakerRuntimeStub(in_process) as stub:
        for target, client in ((server, over_http), (stub, in_process)):
            target.queue(InvokeResult.text("x"))
            client.invoke_endpoint(
                EndpointName="e", Body=b"1", CustomAttributes=" padded ", Accept=" a/b"
            )
            with pytest.raises(HTTPClientError) as caught:
                client.invoke_endpoint(EndpointName="e", Body=b"2", Accept="a\nb")
            assert str(caught.value) == (
                "An HTTP Client raised an unhandled exception: Invalid header value "
                "b'a\\nb'"
            )
        assert (
            stub.calls[0].params
            == server.calls[0].params
            == {
                "EndpointName": "e",
                "CustomAttributes": "padded",
                "Accept": "a/b",
            }
        )
        assert len(stub.calls) == len(server.calls) == 1
    with pytest.raises(ValueError, match="drops a value's leading and trailing"):
        InvokeResult(body=b"x", custom_attributes=" padded ")


# -- regions, as moto keeps them -------------------------------------------------------


def test_each_region_remembers_its_own_answers() -> None:
    east, south = new_client(), new_client(region="ap-southeast-1")
    with sagemaker_stub.mock(allow_defaults=True) as stub:
        stub.queue(InvokeResult.text("A"))
        assert east.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read() == b"A"
        assert south.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read() == (
            b"body"  # moto's default, made for this region alone
        )
        assert east.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read() == b"A"
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.DEFAULT,
        Source.REMEMBERED,
    ]


def test_a_moto_payload_serves_its_region_alone() -> None:
    east, west = new_client(), new_client(region="eu-west-1")
    with sagemaker_stub.mock() as stub:
        stub.load_moto_results({"region": "eu-west-1", "results": [{"Body": "w"}]})
        stub.load_moto_results({"results": [{"Body": "e"}]})  # us-east-1, as moto's
        assert str(stub.pending_results()[0]).startswith("InvokeResult(body=b'w'")
        assert " on any endpoint in eu-west-1, queued at " in str(
            stub.pending_results()[0]
        )
        assert east.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read() == b"e"
        with pytest.raises(NoResultError):
            east.invoke_endpoint(EndpointName="e", Body=b"2")
        assert west.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read() == b"w"
        with pytest.raises(ValueError, match="payload\\['account_id'\\]"):
            stub.load_moto_results({"account_id": "999999999999", "results": []})


def test_motos_control_endpoints(server: SageMakerRuntimeServer) -> None:
    """reset, reset-auth and data.json, as moto's server answers them."""
    server.queue(InvokeResult.text("A"), InvokeResult.text("unused"))
    client_for(server.url).invoke_endpoint(EndpointName="e", Body=b"1")
    data = httpx.get(f"{server.url}/moto-api/data.json").json()
    assert [call["source"] for call in data["sagemakerruntime"]["Call"]] == ["queued"]
    assert len(data["sagemakerruntime"]["PendingResult"]) == 1
    assert httpx.post(f"{server.url}/moto-api/reset-auth", content=b"4").json() == {
        "status": "ok",
        "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "inf",
    }
    reset = httpx.post(f"{server.url}/moto-api/reset")
    assert (reset.status_code, reset.json()) == (200, {"status": "ok"})
    assert server.calls == []
    assert server.pending_results() == []
    assert httpx.get(f"{server.url}/moto-api/reset").status_code == 400
    unknown = httpx.post(f"{server.url}/moto-api/seed")
    assert unknown.status_code == 404
    assert "this server serves POST reset" in unknown.json()["message"]


def test_an_answer_head_that_would_break_is_never_sent(
    server: SageMakerRuntimeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever a route returns, a header with a line break becomes a 500."""

    def injected(*_: object) -> Answer:
        return Answer(200, {"content-type": "text/plain\r\nSet-Cookie: x=1"}, b"ok")

    monkeypatch.setattr(Routes, "handle", injected)
    reply = httpx.get(f"{server.url}/anything")
    assert reply.status_code == 500
    assert "set-cookie" not in reply.headers
    assert "cannot be sent" in reply.json()["message"]
    assert "refused to send an answer" in caplog.text


def test_a_connection_accepted_as_the_server_stops_is_closed_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[HttpServer] = []
    original = HttpServer.__init__

    def keep(self: HttpServer, *args: Any) -> None:
        original(self, *args)
        made.append(self)

    monkeypatch.setattr(HttpServer, "__init__", keep)
    with sagemaker_stub.serve() as server:
        made[0].close_connections()  # what stop() does once it stops accepting
        with connect(server) as late:
            late.sendall(
                b"GET /_sagemaker_stub/calls HTTP/1.1\r\nHost: x.localhost\r\n\r\n"
            )
            assert late.recv(65536) == b""  # closed, unanswered, at once


def test_a_recording_server_with_no_region_of_its_own_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDOPERATOR")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "operator-secret")
    cassette = Cassette(tmp_path / "c.json", record_mode="all")
    with (
        sagemaker_stub.serve() as upstream,
        sagemaker_stub.serve(cassette=cassette, upstream_url=upstream.url) as proxy,
    ):
        client = client_for(proxy.url, "ap-southeast-2")
        with pytest.raises(client.exceptions.ClientError) as caught:
            client.invoke_endpoint(EndpointName="e", Body=b"{}")
        assert upstream.calls == []
        assert [call.source for call in proxy.calls] == [Source.UNANSWERED]
    assert caught.value.response["Error"]["Message"] == (
        "sagemaker-stub could not forward InvokeEndpoint to record it: the server "
        "has no region of its own to send it to. Start it with --upstream-region "
        "(serve(upstream_region=...)) or AWS_DEFAULT_REGION set, or with "
        "--upstream-region caller to use the region each call was signed for."
    )
