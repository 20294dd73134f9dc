"""Cassettes: record against the local server over HTTP, replay with no network."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import unittest
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket
from botocore import UNSIGNED
from botocore.config import Config
from botocore.eventstream import EventStream, NoInitialResponseError
from botocore.exceptions import ClientError, EndpointConnectionError, EventStreamError
from hypothesis import given, settings
from hypothesis import strategies as st

import sagemaker_stub
from sagemaker_stub import (
    AsyncResult,
    Cassette,
    CassetteError,
    ErrorResult,
    InvokeResult,
    NoResultError,
    SageMakerRuntimeStub,
    Source,
    StreamError,
    StreamResult,
)
from tests.conftest import new_client

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SESSIONS = "SessionId" in (
    sagemaker_stub._wiring.runtime_model()
    .operation_model("InvokeEndpoint")
    .input_shape.members  # type: ignore[union-attr]
)
#: The dummy credentials recording signs with: none may reach a cassette.
KEY_ID = "AKIDCASSETTETEST"
SECRET = "cassette-secret-key-never-written"
TOKEN = "cassette-session-token-never-written"

_MADE: list[Any] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _MADE:
        _MADE.pop().close()


def client(
    service: str = "sagemaker-runtime", url: str | None = None, config: Any = None
) -> Any:
    """A client signed with the dummy credentials, pointed at ``url``."""
    made = new_client(
        service,
        "eu-west-1",
        endpoint_url=url,
        config=config,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
    )
    _MADE.append(made)
    return made


def offline() -> None:
    """From here on this test cannot open a network socket."""
    pytest_socket.disable_socket(allow_unix_socket=True)


def set_up(server: Any) -> None:
    """The endpoint's answers, as the server gives them while recording."""
    server.add_endpoint("ep")
    server.add_endpoint("async-ep")
    server.queue(
        InvokeResult.json({"label": "cat"}, custom_attributes="trace=1"),
        ErrorResult.model_error(500, "model crashed"),
        InvokeResult(
            body=b"\xff\xd8\xff binary",
            content_type="image/jpeg",
            invoked_production_variant=None,
        ),
        endpoint_name="ep",
    )
    server.queue_stream(
        StreamResult(parts=["Hel", "lo, ", "world"], content_type="text/plain"),
        StreamResult(
            parts=['{"t": 1}\n'],
            error=StreamError.model_stream_error("the model stopped"),
        ),
        endpoint_name="ep",
    )
    server.configure_async_output(
        "s3://outputs/async", "s3://outputs/failures", endpoint_name="async-ep"
    )
    server.queue_async(
        AsyncResult.success({"score": 0.9}),
        AsyncResult.failure("out of memory"),
        endpoint_name="async-ep",
    )


def traffic(runtime: Any, s3: Any) -> list[object]:
    """What the code under test observes: all three operations, errors too."""
    seen: list[object] = []
    response = runtime.invoke_endpoint(
        EndpointName="ep", Body=b'{"x": 1}', Accept="application/json"
    )
    seen.append(
        (
            response["Body"].read(),
            response["ContentType"],
            response["InvokedProductionVariant"],
            response["CustomAttributes"],
        )
    )
    with pytest.raises(runtime.exceptions.ModelError) as caught:
        runtime.invoke_endpoint(EndpointName="ep", Body=b"crash")
    error = caught.value.response
    seen.append(
        (
            error["Error"],
            error["OriginalStatusCode"],
            error["OriginalMessage"],
            error["LogStreamArn"],
            error["ResponseMetadata"]["HTTPStatusCode"],
        )
    )
    seen.append(runtime.invoke_endpoint(EndpointName="ep", Body=b"img")["Body"].read())
    # The same request again: the result it got, however it was answered.
    again = runtime.invoke_endpoint(
        EndpointName="ep", Body=b'{"x": 1}', Accept="application/json"
    )
    seen.append(again["Body"].read())
    stream = runtime.invoke_endpoint_with_response_stream(EndpointName="ep", Body=b"hi")
    assert isinstance(stream["Body"], EventStream)
    seen.append(
        (
            [event["PayloadPart"]["Bytes"] for event in stream["Body"]],
            stream["ContentType"],
        )
    )
    stream["Body"].close()
    failing = runtime.invoke_endpoint_with_response_stream(
        EndpointName="ep", Body=b"json"
    )
    parts: list[object] = []
    with pytest.raises(EventStreamError) as broken:
        parts.extend(event["PayloadPart"]["Bytes"] for event in failing["Body"])
    failing["Body"].close()
    seen.append((parts, broken.value.response["Error"]))
    for name in ("in/1.json", "in/2.json"):
        answer = runtime.invoke_endpoint_async(
            EndpointName="async-ep", InputLocation=f"s3://inputs/{name}"
        )
        inference = answer["InferenceId"]
        output = answer["OutputLocation"]
        failure = answer["FailureLocation"]
        seen.append((output.replace(inference, "ID"), failure.replace(inference, "ID")))
        for location in (output, failure):
            bucket, key = location[len("s3://") :].split("/", 1)
            try:
                body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except s3.exceptions.NoSuchKey:
                body = None
            seen.append(body)
    return seen


def record(path: Path, mode: str = "once", **options: Any) -> list[object]:
    """Record ``traffic`` against a fresh local server; what it observed."""
    with sagemaker_stub.serve() as server:
        set_up(server)
        runtime, s3 = client(url=server.url), client("s3", server.url)
        cassette = Cassette(path, record_mode=mode, **options)  # type: ignore[arg-type]
        with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
            stub.attach_s3(s3)
            seen = traffic(runtime, s3)
            calls = stub.calls
        # The repeated request is answered from its recording, not sent again.
        assert [call.source for call in calls] == [Source.RECORDED] * 3 + [
            Source.REMEMBERED
        ] + [Source.RECORDED] * 4
        assert len(server.calls) == 7
    return seen


def replay(path: Path) -> tuple[list[object], SageMakerRuntimeStub]:
    """Replay ``traffic`` from the cassette, with the network off."""
    offline()
    runtime, s3 = client(), client("s3")
    with SageMakerRuntimeStub(runtime, cassette=path) as stub:
        stub.attach_s3(s3)
        seen = traffic(runtime, s3)
    return seen, stub


# -- record, then replay ------------------------------------------------------------


def test_a_replay_observes_what_the_recording_observed(tmp_path: Path) -> None:
    """Bodies, headers, errors' modeled fields, streams and async outputs."""
    path = tmp_path / "cassette.json"
    recorded = record(path)
    replayed, stub = replay(path)
    assert replayed == recorded
    assert recorded[0] == (
        b'{"label": "cat"}',
        "application/json",
        "AllTraffic",
        "trace=1",
    )
    assert recorded[4] == ([b"Hel", b"lo, ", b"world"], "text/plain")
    assert recorded[5] == (
        [b'{"t": 1}\n'],
        {"Code": "ModelStreamError", "Message": "the model stopped"},
    )
    assert recorded[7:9] == [b'{"score": 0.9}', None]
    assert recorded[10:12] == [None, b"out of memory"]
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.QUEUED,
        Source.QUEUED,
        Source.REMEMBERED,
        Source.QUEUED,
        Source.QUEUED,
        Source.QUEUED,
        Source.QUEUED,
    ]
    assert stub.pending_results() == []


def test_the_same_traffic_records_the_same_bytes(tmp_path: Path) -> None:
    """No request ids, dates or generated inference ids: no spurious diffs."""
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    record(first)
    record(second)
    assert first.read_bytes() == second.read_bytes()
    record(first, mode="all")
    assert first.read_bytes() == second.read_bytes()


def test_recording_with_no_credentials_says_what_to_set(tmp_path: Path) -> None:
    """A recording stub or mock keeps botocore's credential chain (no
    placeholder keys), and when it finds none the call says what to set."""
    path = tmp_path / "c.json"
    expected = (
        f"Cassette {str(path)!r} records this InvokeEndpoint call by sending it to "
        "SageMaker, and botocore found no AWS credentials to sign it with. For the "
        "recording run, set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY) and a region; or replay what is recorded instead "
        "(record_mode='none', --sagemaker-record-mode=none)."
    )
    client = new_client()
    cassette = Cassette(path, record_mode="all")
    with SageMakerRuntimeStub(client, cassette=cassette) as stub:
        with pytest.raises(CassetteError) as info:
            client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert str(info.value) == expected
        assert [call.source for call in stub.calls] == [Source.RECORDED]
    with sagemaker_stub.mock(cassette=cassette) as everywhere:
        made = new_client()  # no keys given: a library's client
        with pytest.raises(CassetteError) as info:
            made.invoke_endpoint(EndpointName="e", Body=b"x")
        assert str(info.value) == expected
    assert len(everywhere.calls) == 1


def test_no_credential_signature_or_token_is_written(tmp_path: Path) -> None:
    path = tmp_path / "cassette.json"
    record(path)
    text = path.read_text(encoding="utf-8")
    for secret in (SECRET, TOKEN, KEY_ID, "Signature", "Authorization", "X-Amz-"):
        assert secret not in text
    assert "x-amzn-requestid" not in text.lower()
    assert "Date" not in text


def test_the_cassette_is_readable_json(tmp_path: Path) -> None:
    """Text as strings, binary as base64, stream parts as a list, errors' fields."""
    path = tmp_path / "cassette.json"
    record(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["sagemaker_stub_cassette"] == 1
    interactions = document["interactions"]
    assert [item["operation"] for item in interactions] == [
        "InvokeEndpoint",
        "InvokeEndpoint",
        "InvokeEndpoint",
        "InvokeEndpointWithResponseStream",
        "InvokeEndpointWithResponseStream",
        "InvokeEndpointAsync",
        "InvokeEndpointAsync",
    ]
    assert interactions[0] == {
        "operation": "InvokeEndpoint",
        "request": {
            "EndpointName": "ep",
            "Accept": "application/json",
            "Body": '{"x": 1}',
        },
        "response": {
            "Body": '{"label": "cat"}',
            "ContentType": "application/json",
            "InvokedProductionVariant": "AllTraffic",
            "CustomAttributes": "trace=1",
        },
    }
    assert interactions[1]["error"] == {
        "Code": "ModelError",
        "Message": (
            'Received server error (500) from primary with message "model crashed". '
            "See https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region="
            "eu-west-1#logEventViewer:group=/aws/sagemaker/Endpoints/ep in account "
            "123456789012 for more information."
        ),
        "StatusCode": 424,
        "LogStreamArn": (
            "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/ep"
        ),
        "OriginalMessage": "model crashed",
        "OriginalStatusCode": 500,
    }
    assert interactions[2]["response"]["Body"] == {"base64": "/9j/IGJpbmFyeQ=="}
    assert interactions[4]["response"]["Parts"] == ['{"t": 1}\n']
    assert interactions[4]["response"]["Error"] == {
        "Code": "ModelStreamError",
        "Message": "the model stopped",
    }
    assert interactions[5] == {
        "operation": "InvokeEndpointAsync",
        "request": {
            "EndpointName": "async-ep",
            "InputLocation": "s3://inputs/in/1.json",
        },
        "response": {
            "OutputLocation": "s3://outputs/async/{InferenceId}.out",
            "FailureLocation": "s3://outputs/failures/{InferenceId}-error.out",
            "Output": {"Body": '{"score": 0.9}', "ContentType": "application/json"},
        },
    }
    assert interactions[6]["response"]["Failure"] == {
        "Body": "out of memory",
        "ContentType": "text/plain; charset=utf-8",
    }


# -- the result model on replay -------------------------------------------------------


def recorded_pair(path: Path) -> None:
    """A cassette of two requests on one endpoint: a → A, b → B."""
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("A"), InvokeResult.text("B"))
        runtime = client(url=server.url)
        with SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="all")):
            runtime.invoke_endpoint(EndpointName="ep", Body=b"a")
            runtime.invoke_endpoint(EndpointName="ep", Body=b"b")


def bodies(runtime: Any, *requests: bytes) -> list[bytes]:
    return [
        runtime.invoke_endpoint(EndpointName="ep", Body=body)["Body"].read()
        for body in requests
    ]


def test_a_request_takes_its_own_recording_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=path) as stub:
        assert bodies(runtime, b"b", b"a", b"b") == [b"B", b"A", b"B"]
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.QUEUED,
        Source.REMEMBERED,
    ]


def test_match_order_gives_a_new_request_the_next_recording(tmp_path: Path) -> None:
    """As a new request takes the next queued result; then it is remembered."""
    path = tmp_path / "pair.json"
    recorded_pair(path)
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=Cassette(path, match="order")):
        assert bodies(runtime, b"changed", b"b", b"changed") == [b"A", b"B", b"A"]


def test_a_request_with_no_recording_left_names_the_cassette(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=Cassette(path, match="order")) as stub:
        bodies(runtime, b"a", b"b")
        with pytest.raises(NoResultError) as caught:
            bodies(runtime, b"c")
    assert str(caught.value) == (
        f"No recording in cassette {str(path)!r} is left for InvokeEndpoint on "
        "endpoint 'ep', and nothing else is queued.\n"
        "Request: Body of 1 bytes b'c'.\n"
        "Record it: run pytest with --sagemaker-record-mode=new_episodes, or give "
        f"Cassette({str(path)!r}, record_mode='new_episodes'). Or queue a result "
        "as below.\n"
        "Queue one with stub.queue(InvokeResult(...), endpoint_name='ep') or "
        "stub.queue(InvokeResult(...)) for any endpoint."
    )
    assert stub.calls[-1].source is Source.UNANSWERED


def test_unused_recordings_are_pending_results_named_by_interaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    offline()
    runtime = client()
    stub = SageMakerRuntimeStub(runtime, cassette=path)
    with pytest.warns(sagemaker_stub.UnusedResultsWarning) as warned, stub:
        bodies(runtime, b"a")
    assert str(warned[0].message) == (
        "1 queued result was never used:\n"
        f"  1. InvokeResult(body=b'B', content_type='text/plain; charset=utf-8', "
        "invoked_production_variant='AllTraffic', custom_attributes=None, "
        "close_session=False) for InvokeEndpoint on endpoint 'ep', queued at "
        f"{path}, interaction 2"
    )


def test_reset_queues_the_recordings_again(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=path) as stub:
        assert bodies(runtime, b"a", b"b") == [b"A", b"B"]
        stub.reset()
        assert bodies(runtime, b"b", b"a") == [b"B", b"A"]


def test_an_error_is_recorded_per_occurrence_until_a_success(tmp_path: Path) -> None:
    """A retried request replays as it went: the error once, then the success."""
    path = tmp_path / "retried.json"
    with sagemaker_stub.serve() as server:
        server.queue(ErrorResult.model_error(503, "busy"), InvokeResult.text("ok"))
        runtime = client(url=server.url)
        with SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="once")):
            with pytest.raises(runtime.exceptions.ModelError):
                bodies(runtime, b"x")
            assert bodies(runtime, b"x") == [b"ok"]
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [sorted(item) for item in document["interactions"]] == [
        ["error", "operation", "request"],
        ["operation", "request", "response"],
    ]
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=path):
        with pytest.raises(runtime.exceptions.ModelError):
            bodies(runtime, b"x")
        assert bodies(runtime, b"x", b"x") == [b"ok", b"ok"]


def test_an_error_the_model_does_not_declare_is_recorded_by_its_code(
    tmp_path: Path,
) -> None:
    """ThrottlingException: a plain ClientError, no modeled fields."""
    path = tmp_path / "throttled.json"
    once = Config(retries={"total_max_attempts": 1})
    with sagemaker_stub.serve() as server:
        server.queue(ErrorResult.throttling())
        runtime = client(url=server.url, config=once)
        stub = SageMakerRuntimeStub(
            runtime, cassette=Cassette(path, record_mode="once")
        )
        with stub, pytest.raises(runtime.exceptions.ClientError) as recorded:
            bodies(runtime, b"x")
    error = json.loads(path.read_text(encoding="utf-8"))["interactions"][0]["error"]
    assert error == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
        "StatusCode": 400,
    }
    offline()
    runtime = client(config=once)
    stub = SageMakerRuntimeStub(runtime, cassette=path)
    with stub, pytest.raises(runtime.exceptions.ClientError) as replayed:
        bodies(runtime, b"x")
    assert replayed.value.response["Error"] == recorded.value.response["Error"]


# -- modes -----------------------------------------------------------------------------


def test_none_needs_the_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    with pytest.raises(CassetteError) as caught:
        SageMakerRuntimeStub(client(), cassette=path)
    assert str(caught.value) == (
        f"Cassette {str(path)!r} does not exist, and record_mode='none' only "
        "replays. Record it once: run pytest with --sagemaker-record-mode=once, or "
        f"give Cassette({str(path)!r}, record_mode='once')."
    )


def test_once_replays_an_existing_cassette_without_sending(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    before = path.read_bytes()
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="once")):
        assert bodies(runtime, b"a", b"b") == [b"A", b"B"]
        with pytest.raises(NoResultError):
            bodies(runtime, b"new")
    assert path.read_bytes() == before


def test_new_episodes_records_only_what_the_cassette_lacks(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("C"))
        runtime = client(url=server.url)
        cassette = Cassette(path, record_mode="new_episodes")
        with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
            assert bodies(runtime, b"b", b"c", b"a", b"c") == [b"B", b"C", b"A", b"C"]
        # The endpoint is asked once; the repeat is answered as a replay will.
        assert [call.source for call in server.calls] == [Source.QUEUED]
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.RECORDED,
        Source.QUEUED,
        Source.REMEMBERED,
    ]
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [
        (item["request"]["Body"], item["response"]["Body"])
        for item in document["interactions"]
    ] == [("a", "A"), ("b", "B"), ("c", "C")]


def test_new_episodes_records_a_retry_after_a_recorded_error(tmp_path: Path) -> None:
    """The cassette had request a failing: the code's retry, which the error
    does not answer again, is sent and added after it; the replay goes as the
    recording did, error first."""
    path = tmp_path / "retry.json"
    with sagemaker_stub.serve() as server:
        server.queue(ErrorResult.model_error(500, "out of memory"))
        runtime = client(url=server.url)
        once = Cassette(path, record_mode="once")
        with SageMakerRuntimeStub(runtime, cassette=once), pytest.raises(ClientError):
            bodies(runtime, b"a")
        server.queue(InvokeResult.text("A"))
        cassette = Cassette(path, record_mode="new_episodes")
        with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
            with pytest.raises(ClientError):
                bodies(runtime, b"a")  # replayed from the cassette
            assert bodies(runtime, b"a", b"a") == [b"A", b"A"]
        assert [call.source for call in stub.calls] == [
            Source.QUEUED,
            Source.RECORDED,
            Source.REMEMBERED,
        ]
        assert len(server.calls) == 2  # the error once, the retry once
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [
        item.get("error", {}).get("Code") or item["response"]["Body"]
        for item in document["interactions"]
    ] == ["ModelError", "A"]
    offline()
    replay = client()
    with SageMakerRuntimeStub(replay, cassette=path):
        with pytest.raises(ClientError):
            bodies(replay, b"a")
        assert bodies(replay, b"a") == [b"A"]


def test_new_episodes_records_a_cassette_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "new.json"
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("A"))
        runtime = client(url=server.url)
        cassette = Cassette(path, record_mode="new_episodes")
        with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
            assert bodies(runtime, b"a") == [b"A"]
        assert [call.source for call in stub.calls] == [Source.RECORDED]
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [item["response"]["Body"] for item in document["interactions"]] == ["A"]


def test_new_episodes_keeps_what_the_cassette_had_as_it_was(tmp_path: Path) -> None:
    """Rewritten with new requests, old interactions are unchanged, ErrorCode too."""
    path = tmp_path / "kept.json"
    old = {
        "operation": "InvokeEndpointWithResponseStream",
        "request": {"EndpointName": "ep", "Body": "old"},
        "response": {
            "ContentType": "text/plain",
            "Parts": ["a", {"base64": "/w=="}],
            "Error": {"Code": "ModelStreamError", "Message": "m", "ErrorCode": "E7"},
        },
    }
    document = {"sagemaker_stub_cassette": 1, "interactions": [old]}
    path.write_text(json.dumps(document), encoding="utf-8")
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("new"))
        runtime = client(url=server.url)
        stub = SageMakerRuntimeStub(
            runtime, cassette=Cassette(path, record_mode="new_episodes")
        )
        stub.activate()
        assert bodies(runtime, b"new") == [b"new"]
        stub.deactivate(report_unused=False)
    rewritten = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    assert rewritten[0] == old
    assert rewritten[1]["request"]["Body"] == "new"


def test_all_records_again_what_it_sends_and_keeps_the_rest(tmp_path: Path) -> None:
    """The request sent is recorded over; the recording of b, not sent, is kept."""
    path = tmp_path / "pair.json"
    recorded_pair(path)
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("new"))
        runtime = client(url=server.url)
        with SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="all")):
            assert bodies(runtime, b"a") == [b"new"]
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [
        (item["request"]["Body"], item["response"]["Body"])
        for item in document["interactions"]
    ] == [("a", "new"), ("b", "B")]


def test_a_recording_run_that_sends_nothing_leaves_the_file_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    before = path.read_bytes()
    with SageMakerRuntimeStub(client(), cassette=Cassette(path, record_mode="all")):
        pass
    assert path.read_bytes() == before


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_recording_again_keeps_the_files_mode(tmp_path: Path, mode: int) -> None:
    """A re-recorded cassette keeps the permissions it had (not mkstemp's 0600)."""
    path = tmp_path / "pair.json"
    recorded_pair(path)
    path.chmod(mode)
    recorded_pair(path)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_new_cassette_gets_the_mode_the_umask_gives(tmp_path: Path) -> None:
    """Made as open() makes a file: 0666 less the umask."""
    umask = os.umask(0o027)
    try:
        recorded_pair(tmp_path / "new.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


def test_a_save_removes_what_a_killed_save_left_behind(tmp_path: Path) -> None:
    """Stale temporary files of this library's naming go; a fresh one (another
    process saving right now) and anything else stay."""
    path = tmp_path / "pair.json"
    stale = tmp_path / ".pair.json.0123456789ab.sagemaker-stub-tmp"
    fresh = tmp_path / ".pair.json.ba9876543210.sagemaker-stub-tmp"
    foreign = tmp_path / ".pair.json.swp"
    for leftover in (stale, fresh, foreign):
        leftover.write_text("half a cassette", encoding="utf-8")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    recorded_pair(path)
    assert sorted(item.name for item in tmp_path.iterdir()) == sorted(
        [path.name, fresh.name, foreign.name]
    )


# -- what is written ------------------------------------------------------------------


def test_scrub_replaces_text_everywhere_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "scrubbed.json"
    record(path, scrub={"123456789012": "000000000000", "label": "tag"})
    text = path.read_text(encoding="utf-8")
    assert "123456789012" not in text
    assert "label" not in text
    assert '"Body": "{\\"tag\\": \\"cat\\"}"' in text
    assert "arn:aws:logs:eu-west-1:000000000000:log-group" in text


def test_before_record_changes_or_drops_interactions(tmp_path: Path) -> None:
    path = tmp_path / "filtered.json"

    def keep_sync_only(interaction: dict[str, Any]) -> dict[str, Any] | None:
        if interaction["operation"] != "InvokeEndpoint":
            return None
        interaction["request"]["Body"] = "<hidden>"
        return interaction

    record(path, before_record=keep_sync_only)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [item["request"]["Body"] for item in document["interactions"]] == [
        "<hidden>"
    ] * 3


def test_before_record_must_return_a_dict_or_none(tmp_path: Path) -> None:
    with pytest.raises(TypeError) as caught:
        record(tmp_path / "bad.json", before_record=lambda interaction: "oops")
    assert str(caught.value) == (
        "Cassette(before_record=...) must return the interaction (a dict) or None; "
        "for interaction 1 it returned 'oops' (str)."
    )


def test_a_stream_read_in_part_records_the_parts_read(tmp_path: Path) -> None:
    path = tmp_path / "partial.json"
    with sagemaker_stub.serve() as server:
        server.queue_stream(StreamResult(parts=["one", "two", "three"]))
        runtime = client(url=server.url)
        cassette = Cassette(path, record_mode="once")
        with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
            response = runtime.invoke_endpoint_with_response_stream(
                EndpointName="ep", Body=b"x"
            )
            events = iter(response["Body"])
            assert next(events) == {"PayloadPart": {"Bytes": b"one"}}
            progress = stub.calls[0].stream
            assert progress is not None
            assert (progress.parts_read, progress.finished) == (1, False)
            response["Body"].close()
            assert progress.closed
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["interactions"][0]["response"]["Parts"] == ["one"]


def test_a_relative_path_is_where_it_was_when_the_stub_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path)
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("A"))
        runtime = client(url=server.url)
        cassette = Cassette("relative.json", record_mode="once")
        with SageMakerRuntimeStub(runtime, cassette=cassette):
            bodies(runtime, b"a")
            monkeypatch.chdir(tmp_path / "elsewhere")
    assert (tmp_path / "relative.json").exists()
    assert not (tmp_path / "elsewhere" / "relative.json").exists()


def test_a_cassette_is_written_atomically_where_asked(tmp_path: Path) -> None:
    """Folders are made; no temporary file is left behind."""
    path = tmp_path / "nested" / "deeper" / "pair.json"
    recorded_pair(path)
    assert [item.name for item in path.parent.iterdir()] == ["pair.json"]
    assert path.read_text(encoding="utf-8").endswith("}\n")


# -- every way in ---------------------------------------------------------------------


def test_recording_with_retries_signs_and_sends_through_botocore(
    tmp_path: Path,
) -> None:
    """retries=True: the client's own retries, its signature, then the record."""
    path = tmp_path / "retried.json"
    with sagemaker_stub.serve() as server:
        server.queue(
            ErrorResult.service_unavailable(),
            InvokeResult.text("ok"),
            ErrorResult.service_unavailable(),
            InvokeResult.text("ok again"),
        )
        runtime = client(url=server.url)
        cassette = Cassette(path, record_mode="once")
        with SageMakerRuntimeStub(runtime, cassette=cassette, retries=True) as stub:
            assert bodies(runtime, b"x", b"x", b"y") == [b"ok", b"ok", b"ok again"]
        # botocore retried each 503 against the endpoint: four requests.
        assert len(server.calls) == 4
        assert [call.source for call in stub.calls] == [
            Source.RECORDED,
            Source.REMEMBERED,
            Source.RECORDED,
        ]
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=path, retries=True) as stub:
        stub.queue(InvokeResult.text("queued"))
        assert bodies(runtime, b"y", b"x", b"z") == [b"ok again", b"ok", b"queued"]


def test_a_call_that_never_got_an_answer_is_recorded_as_a_call_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "unreachable.json"
    with sagemaker_stub.serve() as server:
        url = server.url
    runtime = client(url=url, config=Config(retries={"total_max_attempts": 1}))
    cassette = Cassette(path, record_mode="once")
    stub = SageMakerRuntimeStub(runtime, cassette=cassette)
    with stub, pytest.raises(EndpointConnectionError):
        bodies(runtime, b"x")
    assert [(call.source, call.result) for call in stub.calls] == [
        (Source.RECORDED, None)
    ]
    assert not path.exists()


def test_mock_records_and_replays_a_client_the_test_never_sees(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mocked.json"
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("from the endpoint"))
        hidden = client(url=server.url)
        with sagemaker_stub.mock(cassette=Cassette(path, record_mode="once")):
            assert bodies(hidden, b"x") == [b"from the endpoint"]
    offline()
    elsewhere = client()
    with sagemaker_stub.mock(cassette=path) as mocked:
        assert bodies(elsewhere, b"x") == [b"from the endpoint"]
    assert mocked.calls[0].client is elsewhere


def test_mock_s3_observes_async_outputs_while_recording(tmp_path: Path) -> None:
    """mock(s3=True): the app's own S3 client reads the output; it is recorded."""
    path = tmp_path / "async.json"
    with sagemaker_stub.serve() as server:
        server.configure_async_output("s3://out/a")
        server.queue_async(AsyncResult.success("done"))
        runtime, s3 = client(url=server.url), client("s3", server.url)
        cassette = Cassette(path, record_mode="once")
        with sagemaker_stub.mock(cassette=cassette, s3=True):
            location = runtime.invoke_endpoint_async(
                EndpointName="ep", InputLocation="s3://in/x"
            )["OutputLocation"]
            key = location.split("/", 3)[3]
            # A ranged read is not the whole object: it is not recorded.
            ranged = s3.get_object(Bucket="out", Key=key, Range="bytes=0-1")
            assert ranged["Body"].read() == b"do"
            assert s3.get_object(Bucket="out", Key=key)["Body"].read() == b"done"
            # Other objects pass through to S3 while recording.
            s3.put_object(Bucket="out", Key="other", Body=b"mine")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["interactions"][0]["response"]["Output"] == {
        "Body": "done",
        "ContentType": "text/plain; charset=utf-8",
    }
    offline()
    with sagemaker_stub.mock(cassette=path, s3=True):
        answer = client().invoke_endpoint_async(
            EndpointName="ep", InputLocation="s3://in/x"
        )
        bucket, key = answer["OutputLocation"][len("s3://") :].split("/", 1)
        assert bucket == "out"
        assert key == f"a/{answer['InferenceId']}.out"
        assert client("s3").get_object(Bucket=bucket, Key=key)["Body"].read() == b"done"


def test_an_output_never_read_is_fetched_when_the_cassette_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "async.json"
    with sagemaker_stub.serve() as server:
        server.configure_async_output("s3://out/a", "s3://out/f")
        server.queue_async(AsyncResult.failure({"error": "oom"}))
        runtime, s3 = client(url=server.url), client("s3", server.url)
        cassette = Cassette(path, record_mode="once")
        with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
            stub.attach_s3(s3)
            first = runtime.invoke_endpoint_async(
                EndpointName="ep", InputLocation="s3://in/1"
            )
            # Made again: sent again, as its object is in S3, and not recorded.
            again = runtime.invoke_endpoint_async(
                EndpointName="ep", InputLocation="s3://in/1"
            )
            assert again["InferenceId"] != first["InferenceId"]
            assert len(server.calls) == 2
            # This one is held: it never appears.
            server.queue_async(AsyncResult.success("late", hold=True))
            runtime.invoke_endpoint_async(EndpointName="ep", InputLocation="s3://in/2")
    document = json.loads(path.read_text(encoding="utf-8"))
    responses = [item["response"] for item in document["interactions"]]
    assert responses[0]["Failure"] == {
        "Body": '{"error": "oom"}',
        "ContentType": "application/json",
    }
    assert "Output" not in responses[1]
    assert "Failure" not in responses[1]
    offline()
    runtime, s3 = client(), client("s3")
    with SageMakerRuntimeStub(runtime, cassette=path) as stub:
        stub.attach_s3(s3)
        held = runtime.invoke_endpoint_async(
            EndpointName="ep", InputLocation="s3://in/2"
        )
        bucket, key = held["OutputLocation"][len("s3://") :].split("/", 1)
        with pytest.raises(s3.exceptions.NoSuchKey):
            s3.get_object(Bucket=bucket, Key=key)
        stub.complete(held["InferenceId"])
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b""
        failed = runtime.invoke_endpoint_async(
            EndpointName="ep", InputLocation="s3://in/1"
        )
        assert stub.read_output(failed["FailureLocation"]) == b'{"error": "oom"}'


def test_the_server_replays_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    with sagemaker_stub.serve(cassette=path) as server:
        runtime = client(url=server.url)
        assert bodies(runtime, b"b", b"a") == [b"B", b"A"]
        with pytest.raises(runtime.exceptions.ClientError) as caught:
            bodies(runtime, b"c")
    assert "No recording in cassette" in str(caught.value)


def test_the_server_records_what_it_forwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any client, through the server: the same cassette a stub records."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    path, by_stub = tmp_path / "proxied.json", tmp_path / "by-stub.json"
    with sagemaker_stub.serve() as upstream:
        set_up(upstream)
        cassette = Cassette(path, record_mode="once")
        with sagemaker_stub.serve(
            cassette=cassette, upstream_region="caller", upstream_url=upstream.url
        ) as proxy:
            # Async outputs are in the endpoint's S3, as they would be in AWS.
            recorded = traffic(client(url=proxy.url), client("s3", upstream.url))
            assert [call.source for call in proxy.calls] == [Source.RECORDED] * 3 + [
                Source.REMEMBERED
            ] + [Source.RECORDED] * 4
        assert len(upstream.calls) == 7
    record(by_stub)
    assert path.read_bytes() == by_stub.read_bytes()
    assert recorded == record(tmp_path / "again.json")
    offline_but_local = sagemaker_stub.serve(cassette=path)
    with offline_but_local as replaying:
        replayed = traffic(client(url=replaying.url), client("s3", replaying.url))
    assert replayed == recorded


def test_the_server_says_when_it_cannot_forward(tmp_path: Path) -> None:
    """Here the server's environment has no credentials to sign with."""
    with sagemaker_stub.serve() as upstream:
        cassette = Cassette(tmp_path / "x.json", record_mode="all")
        with sagemaker_stub.serve(
            cassette=cassette, upstream_region="us-east-1", upstream_url=upstream.url
        ) as proxy:
            runtime = client(url=proxy.url)
            with pytest.raises(runtime.exceptions.ClientError) as caught:
                bodies(runtime, b"x")
        assert upstream.calls == []
    assert caught.value.response["Error"] == {
        "Code": "SageMakerStubError",
        "Message": (
            f"Cassette {str(tmp_path / 'x.json')!r} records this InvokeEndpoint "
            "call by sending it to SageMaker, and botocore found no AWS "
            "credentials to sign it with. For the recording run, set AWS_PROFILE "
            "(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) and a region; or "
            "replay what is recorded instead (record_mode='none', "
            "--sagemaker-record-mode=none)."
        ),
    }
    assert not (tmp_path / "x.json").exists()


def test_the_server_says_when_the_endpoint_cannot_be_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With credentials, a forward that botocore cannot send is named."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    cassette = Cassette(tmp_path / "x.json", record_mode="all")
    with sagemaker_stub.serve(
        cassette=cassette,
        upstream_region="us-east-1",
        upstream_url="http://127.0.0.1:9",
    ) as proxy:
        runtime = client(url=proxy.url)
        with pytest.raises(runtime.exceptions.ClientError) as caught:
            bodies(runtime, b"x")
    error = caught.value.response["Error"]
    assert error["Code"] == "SageMakerStubError"
    assert error["Message"].startswith(
        "sagemaker-stub could not forward InvokeEndpoint to record it: Could not "
        'connect to the endpoint URL: "http://127.0.0.1:9/endpoints/'
    )


def test_an_unsigned_client_records_without_credentials(tmp_path: Path) -> None:
    """A client that signs nothing needs no credentials to record."""
    path = tmp_path / "unsigned.json"
    with sagemaker_stub.serve() as upstream:
        upstream.queue(InvokeResult.text("recorded"))
        unsigned = new_client(
            endpoint_url=upstream.url, config=Config(signature_version=UNSIGNED)
        )
        cassette = Cassette(path, record_mode="all")
        with SageMakerRuntimeStub(unsigned, cassette=cassette):
            answer = unsigned.invoke_endpoint(EndpointName="e", Body=b"x")
            assert answer["Body"].read() == b"recorded"
    assert json.loads(path.read_text())["interactions"][0]["response"]["Body"] == (
        "recorded"
    )


def test_a_caller_that_hangs_up_on_a_forwarded_stream_lets_it_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The endpoint's stream is closed; what the caller read is recorded."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    path = tmp_path / "hung-up.json"
    with sagemaker_stub.serve() as upstream:
        upstream.queue_stream(StreamResult(parts=[b"x" * 65536] * 400))
        cassette = Cassette(path, record_mode="once")
        with sagemaker_stub.serve(
            cassette=cassette, upstream_region="us-east-1", upstream_url=upstream.url
        ) as proxy:
            host, port = proxy.url.removeprefix("http://").split(":")
            connection = socket.create_connection((host, int(port)), timeout=5)
            connection.sendall(
                b"POST /endpoints/ep/invocations-response-stream HTTP/1.1\r\n"
                b"Host: localhost\r\nContent-Length: 1\r\n"
                # Any signature: the server forwards only what an SDK signed.
                b"Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/"
                b"eu-west-1/sagemaker/aws4_request, SignedHeaders=host, "
                b"Signature=00\r\n\r\nz"
            )
            connection.recv(1024)
            connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            connection.close()
            deadline = time.monotonic() + 10
            progress = None
            while time.monotonic() < deadline:
                progress = proxy.calls[0].stream
                if progress is not None and progress.closed:
                    break
                time.sleep(0.01)
            assert progress is not None
            assert progress.closed
            assert not progress.finished
        [progress_upstream] = [call.stream for call in upstream.calls]
        assert progress_upstream is not None
        assert not progress_upstream.finished
    parts = json.loads(path.read_text(encoding="utf-8"))["interactions"][0]["response"][
        "Parts"
    ]
    assert 0 < len(parts) < 400


def test_the_upstream_url_is_a_url() -> None:
    with pytest.raises(ValueError, match="upstream_url") as caught:
        sagemaker_stub.serve(upstream_url="localhost:5000")
    assert str(caught.value) == (
        "serve(upstream_url=...) must be an http:// or https:// URL; got "
        "'localhost:5000' (str)."
    )


# -- pytest ---------------------------------------------------------------------------

RECORDED_APP = f"""
import os

import boto3

client = boto3.session.Session(
    aws_access_key_id="{KEY_ID}", aws_secret_access_key="{SECRET}"
).client(
    "sagemaker-runtime",
    region_name="eu-west-1",
    endpoint_url=os.environ["SAGEMAKER_URL"],
)


def classify(text):
    response = client.invoke_endpoint(EndpointName="classifier", Body=text)
    return response["Body"].read().decode()
"""

RECORDED_TEST = """
import pytest

import app


@pytest.mark.sagemaker_runtime_stub(cassette="cassettes/classify.json")
def test_classify(sagemaker_runtime_stub):
    assert app.classify("great") == "positive"
    assert app.classify("great") == "positive"
    assert app.classify("awful") == "negative"
"""


def test_pytest_records_with_the_option_and_replays_by_default(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(app=RECORDED_APP, test_app=RECORDED_TEST)
    cassette = pytester.path / "cassettes" / "classify.json"
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("positive"), InvokeResult.text("negative"))
        monkeypatch.setenv("SAGEMAKER_URL", server.url)
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--sagemaker-record-mode=once"
        )
        result.assert_outcomes(passed=1)
        assert len(server.calls) == 2
    recorded = cassette.read_bytes()
    assert b'"Body": "positive"' in recorded
    # The server is gone: the default mode replays, and sends nothing.
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert cassette.read_bytes() == recorded
    cassette.unlink()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            (
                f"*Cassette '{cassette}' does not exist, and record_mode='none' "
                "only replays.*"
            )
        ]
    )


def test_cassette_true_gives_each_test_its_own_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(app=RECORDED_APP)
    pytester.makepyfile(
        test_app="""
        import pytest

        import app

        pytestmark = pytest.mark.sagemaker_runtime_stub(cassette=True)


        @pytest.mark.parametrize("text", ["great", "awful/bad"])
        def test_classify(sagemaker_runtime_stub, text):
            assert app.classify(text) == "positive"


        @pytest.mark.sagemaker_runtime_stub(cassette=False)
        def test_without(sagemaker_runtime_stub):
            assert sagemaker_runtime_stub.cassette is None
        """
    )
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("positive"), InvokeResult.text("positive"))
        monkeypatch.setenv("SAGEMAKER_URL", server.url)
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--sagemaker-record-mode=all"
        )
        result.assert_outcomes(passed=3)
    folder = pytester.path / "cassettes" / "test_app"
    assert sorted(path.name for path in folder.iterdir()) == [
        "test_classify[awful_bad]-3cb20b44.json",
        "test_classify[great].json",
    ]
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_cassette_true_gives_tests_that_share_a_name_a_file_each(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests of one name in two classes, and ids that differ only in characters
    a file name cannot hold, do not share a cassette."""
    pytester.makepyfile(app=RECORDED_APP)
    pytester.makepyfile(
        test_app="""
        import pytest

        import app

        pytestmark = pytest.mark.sagemaker_runtime_stub(cassette=True)


        class TestFrench:
            def test_answer(self, sagemaker_runtime_stub):
                assert app.classify("oui") == "french"


        class TestGerman:
            def test_answer(self, sagemaker_runtime_stub):
                assert app.classify("ja") == "german"


        @pytest.mark.parametrize("prompt", ["What is 2+2?", "What is 2*2?"])
        def test_prompt(sagemaker_runtime_stub, prompt):
            assert app.classify(prompt) == "4"
        """
    )
    with sagemaker_stub.serve() as server:
        for label in ("french", "german", "4", "4"):
            server.queue(InvokeResult.text(label))
        monkeypatch.setenv("SAGEMAKER_URL", server.url)
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--sagemaker-record-mode=all"
        )
        result.assert_outcomes(passed=4)
    folder = pytester.path / "cassettes" / "test_app"
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*.json")) == [
        "TestFrench/test_answer.json",
        "TestGerman/test_answer.json",
        "test_prompt[What_is_2_2_]-6d65bd5a.json",
        "test_prompt[What_is_2_2_]-83c5bca5.json",
    ]
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_a_test_that_makes_no_call_passes_in_every_mode(
    pytester: pytest.Pytester,
) -> None:
    """Recording it leaves an empty cassette, so the replay finds one."""
    pytester.makepyfile(
        test_app="""
        import pytest

        pytestmark = pytest.mark.sagemaker_runtime_stub(cassette=True)


        def test_nothing_to_ask(sagemaker_runtime_stub):
            assert sagemaker_runtime_stub.calls == []
        """
    )
    for mode in ("once", "none", "new_episodes", "all", "none"):
        result = pytester.runpytest(
            "-p", "no:cacheprovider", f"--sagemaker-record-mode={mode}"
        )
        result.assert_outcomes(passed=1)
    written = pytester.path / "cassettes" / "test_app" / "test_nothing_to_ask.json"
    assert json.loads(written.read_text(encoding="utf-8")) == {
        "sagemaker_stub_cassette": 1,
        "interactions": [],
    }


def test_tests_that_share_a_cassette_add_to_it_in_one_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(app=RECORDED_APP)
    pytester.makepyfile(
        test_app="""
        import pytest

        import app

        pytestmark = pytest.mark.sagemaker_runtime_stub(
            cassette="shared.json", check_pending=False
        )


        def test_one(sagemaker_runtime_stub):
            assert app.classify("one") == "1"


        def test_two(sagemaker_runtime_stub):
            assert app.classify("two") == "2"
        """
    )
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("1"), InvokeResult.text("2"))
        monkeypatch.setenv("SAGEMAKER_URL", server.url)
        result = pytester.runpytest(
            "-p", "no:cacheprovider", "--sagemaker-record-mode=all"
        )
        result.assert_outcomes(passed=2)
    document = json.loads((pytester.path / "shared.json").read_text(encoding="utf-8"))
    assert [item["request"]["Body"] for item in document["interactions"]] == [
        "one",
        "two",
    ]
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_marker_takes_an_absolute_path_as_it_is(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    pytester.makepyfile(
        test_it=f"""
        import pytest

        @pytest.mark.sagemaker_runtime_stub(cassette={str(path)!r})
        def test_it(sagemaker_runtime_stub):
            client = sagemaker_runtime_stub.client
            for body in (b"a", b"b"):
                client.invoke_endpoint(EndpointName="ep", Body=body)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_record_mode_option_takes_the_four_modes(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--sagemaker-record-mode=often"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            (
                "*--sagemaker-record-mode: invalid choice: 'often' (choose from "
                "*none*, "
                "*once*, *new_episodes*, *all*)"
            )
        ]
    )


def test_the_marker_refuses_a_cassette_that_is_no_path(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_x="""
        import pytest

        @pytest.mark.sagemaker_runtime_stub(cassette=42)
        def test_x(sagemaker_runtime_stub):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            (
                "*@pytest.mark.sagemaker_runtime_stub(cassette=...) must be a file "
                "path "
                "or a sagemaker_stub.Cassette; got 42 (int).*"
            )
        ]
    )


def test_start_stub_takes_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    offline()

    class Test(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = sagemaker_stub.start_stub(self, cassette=path)

        def test_it(self) -> None:
            runtime = self.stub.client
            assert (
                runtime.invoke_endpoint(EndpointName="ep", Body=b"a")["Body"].read()
                == b"A"
            )
            assert (
                runtime.invoke_endpoint(EndpointName="ep", Body=b"b")["Body"].read()
                == b"B"
            )

    outcome = unittest.TestResult()
    Test("test_it").run(outcome)
    assert outcome.wasSuccessful(), outcome.errors + outcome.failures


def test_start_stub_records_with_its_own_client_signed(tmp_path: Path) -> None:
    """Recording, the client made for the test finds credentials as boto3 does."""
    path = tmp_path / "made.json"

    class Test(unittest.TestCase):
        def setUp(self) -> None:
            cassette = Cassette(path, record_mode="once")
            self.stub = sagemaker_stub.start_stub(self, cassette=cassette)

        def test_it(self) -> None:
            credentials = self.stub.client._request_signer._credentials
            assert credentials is None or credentials.access_key != "testing"

    outcome = unittest.TestResult()
    Test("test_it").run(outcome)
    assert outcome.wasSuccessful(), outcome.errors + outcome.failures


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "{",
            (
                "the file: is not JSON: Expecting property name enclosed in double "
                "quotes: line 1 column 2 (char 1)."
            ),
        ),
        ("[]", "the file: must be a JSON object; got [] (list)."),
        (
            '{"interactions": []}',
            (
                'the file: must say "sagemaker_stub_cassette": 1; '
                "got None (NoneType). Is it a cassette written by sagemaker-stub?"
            ),
        ),
        (
            '{"sagemaker_stub_cassette": 1}',
            "interactions: must be a list; got None (NoneType).",
        ),
        (
            '{"sagemaker_stub_cassette": 1, "interactions": [{"operation": "Nope"}]}',
            (
                "interactions[0].operation: must be one of InvokeEndpoint, "
                "InvokeEndpointAsync, InvokeEndpointWithResponseStream; got 'Nope' "
                "(str)."
            ),
        ),
    ],
)
def test_a_broken_cassette_names_the_file_and_the_place(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CassetteError) as caught:
        SageMakerRuntimeStub(client(), cassette=path)
    assert str(caught.value) == f"Cassette {str(path)!r}, {problem}"


ONE_INTERACTION = (
    '{"sagemaker_stub_cassette": 1, "interactions": [{"operation": '
    '"InvokeEndpoint", "request": {"EndpointName": "ep", "Body": "BODY"}, '
    '"response": {"Body": "ok", "ContentType": "text/plain"}}]}'
)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (
            ONE_INTERACTION.encode("utf-16"),
            (
                "the file: is UTF-16 (as PowerShell's > and Out-File write by "
                "default); a cassette is UTF-8. Save it as UTF-8, e.g. with "
                "Out-File -Encoding utf8."
            ),
        ),
        (
            ONE_INTERACTION.replace("BODY", "caf\u00e9").encode("latin-1"),
            (
                "the file: is not UTF-8 text (invalid continuation byte at offset "
                f"{ONE_INTERACTION.index('BODY') + 3}, "
                "b'\\xe9\"},'); a cassette is UTF-8."
            ),
        ),
        (
            b"[" * 100_000 + b"]" * 100_000,
            (
                "the file: nests JSON arrays or objects deeper than Python's JSON "
                "reader can follow; a cassette nests a handful of levels."
            ),
        ),
        (
            ONE_INTERACTION.replace("BODY", "\\ud800").encode(),
            (
                "interactions[0].request.Body: holds '\\ud800', half of a UTF-16 "
                "surrogate pair, which is no Unicode text. Write binary data as "
                '{"base64": "..."}.'
            ),
        ),
        (
            ONE_INTERACTION.replace('"ep"', '"\\udc80"').encode(),
            (
                "interactions[0].request.EndpointName: holds '\\udc80', half of a "
                "UTF-16 surrogate pair, which is no Unicode text. Write binary "
                'data as {"base64": "..."}.'
            ),
        ),
        (
            ONE_INTERACTION.replace(": 1,", ": true,").encode(),
            (
                'the file: must say "sagemaker_stub_cassette": 1; got True '
                "(bool). Is it a cassette written by sagemaker-stub?"
            ),
        ),
    ],
    ids=["utf-16", "latin-1", "nested", "surrogate-body", "surrogate-text", "true"],
)
def test_an_unreadable_cassette_names_the_file_and_why(
    tmp_path: Path, raw: bytes, problem: str
) -> None:
    """Every bad file is a CassetteError naming the file and the place, not a
    Python error from the decoder or the JSON reader."""
    path = tmp_path / "bad.json"
    path.write_bytes(raw)
    with pytest.raises(CassetteError) as caught:
        SageMakerRuntimeStub(client(), cassette=path)
    assert str(caught.value) == f"Cassette {str(path)!r}, {problem}"
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_a_cassette_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """UTF-8 with a BOM (Notepad's choice) is UTF-8 all the same."""
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + ONE_INTERACTION.encode())
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=path):
        response = runtime.invoke_endpoint(EndpointName="ep", Body=b"BODY")
        assert response["Body"].read() == b"ok"


def interaction_error(tmp_path: Path, interaction: dict[str, Any]) -> str:
    """The error reading a cassette of this one interaction."""
    path = tmp_path / "one.json"
    document = {"sagemaker_stub_cassette": 1, "interactions": [interaction]}
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CassetteError) as caught:
        SageMakerRuntimeStub(client(), cassette=path)
    prefix = f"Cassette {str(path)!r}, "
    message = str(caught.value)
    assert message.startswith(prefix)
    return message[len(prefix) :]


SYNC = {"operation": "InvokeEndpoint", "request": {"EndpointName": "ep", "Body": "x"}}


@pytest.mark.parametrize(
    ("interaction", "problem"),
    [
        (
            {**SYNC, "request": "x"},
            "interactions[0].request: must be a JSON object; got 'x' (str).",
        ),
        (
            {**SYNC, "request": {"Body": "x"}},
            (
                "interactions[0].request.EndpointName: "
                "must be a string; got None (NoneType)."
            ),
        ),
        (
            {**SYNC, "request": {"EndpointName": "ep", "Body": 5}},
            (
                'interactions[0].request.Body: must be a string (text) or {"base64": '
                '"..."} '
                "(binary); got 5 (int)."
            ),
        ),
        (
            {**SYNC, "request": {"EndpointName": "ep", "Body": {"base64": "!!"}}},
            (
                'interactions[0].request.Body: must be a string (text) or {"base64": '
                '"..."} '
                "(binary); got {'base64': '!!'} (dict)."
            ),
        ),
        (SYNC, 'interactions[0]: must have either "response" or "error".'),
        (
            {**SYNC, "error": {"Code": "", "StatusCode": 400}},
            (
                "interactions[0].error: ErrorResult.code must be an error code such as "
                "'ModelError' or 'ThrottlingException'; got '' (str)."
            ),
        ),
        (
            {**SYNC, "response": {"Body": "x"}},
            (
                "interactions[0].response.ContentType: "
                "must be a string; got None (NoneType)."
            ),
        ),
        (
            {**SYNC, "response": {"Body": "x", "ContentType": "a\nb"}},
            (
                "interactions[0].response: InvokeResult.content_type is sent as an "
                "HTTP "
                "header, so it must be printable ASCII on one line; got 'a\\nb', which "
                "contains '\\n'."
            ),
        ),
        (
            {
                "operation": "InvokeEndpointWithResponseStream",
                "request": SYNC["request"],
                "response": {"ContentType": "t", "Parts": "x"},
            },
            "interactions[0].response.Parts: must be a list; got 'x' (str).",
        ),
        (
            {
                "operation": "InvokeEndpointWithResponseStream",
                "request": SYNC["request"],
                "response": {
                    "ContentType": "t",
                    "Parts": [],
                    "Error": {"Code": "Oops"},
                },
            },
            (
                "interactions[0].response.Error: StreamError.code must be one of "
                "ModelStreamError, InternalStreamFailure; got 'Oops' (str)."
            ),
        ),
        (
            {
                "operation": "InvokeEndpointAsync",
                "request": {"EndpointName": "ep"},
                "response": {
                    "OutputLocation": "s3://b/k",
                    "FailureLocation": "s3://b/f",
                    "Output": {"Body": "", "ContentType": 1},
                },
            },
            (
                "interactions[0].response.Output.ContentType: must be a string; "
                "got 1 (int)."
            ),
        ),
    ],
)
def test_a_bad_interaction_is_named(
    tmp_path: Path, interaction: dict[str, Any], problem: str
) -> None:
    assert interaction_error(tmp_path, interaction) == problem


def test_a_request_parameter_outside_the_identity_is_named(tmp_path: Path) -> None:
    """The identity's parameters come from botocore's model (newer ones add some)."""
    problem = interaction_error(
        tmp_path,
        {
            **SYNC,
            "request": {"EndpointName": "ep", "Body": "", "Colour": "red"},
            "response": {"Body": "", "ContentType": "t"},
        },
    )
    assert problem.startswith(
        "interaction 1: the request of InvokeEndpoint names Colour, outside its "
        "identity; a request is recorded by EndpointName, Accept, CustomAttributes, "
    )
    assert problem.endswith(" and Body.")


def test_a_bad_cassette_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    with pytest.raises(CassetteError) as caught:
        SageMakerRuntimeStub(client(), cassette=tmp_path)
    assert str(caught.value).startswith(f"Cassette {str(tmp_path)!r} cannot be read: ")


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: Cassette(42),
            TypeError,
            "Cassette(path) must be a file path (str or os.PathLike); got 42 (int).",
        ),
        (
            lambda: Cassette(""),
            TypeError,
            "Cassette(path) must be a file path (str or os.PathLike); got '' (str).",
        ),
        (
            lambda: Cassette("x", record_mode="sometimes"),  # type: ignore[arg-type]
            ValueError,
            (
                "Cassette(record_mode=...) must be one of 'none', 'once', "
                "'new_episodes', "
                "'all'; got 'sometimes' (str)."
            ),
        ),
        (
            lambda: Cassette("x", scrub={"": "y"}),
            TypeError,
            (
                "Cassette(scrub=...) must "
                "map each text to hide (a non-empty str) to what to write instead (a "
                "str); "
                "got {'': 'y'} (dict)."
            ),
        ),
        (
            lambda: Cassette("x", scrub=["a"]),  # type: ignore[arg-type]
            TypeError,
            (
                "Cassette(scrub=...) must "
                "map each text to hide (a non-empty str) to what to write instead (a "
                "str); "
                "got ['a'] (list)."
            ),
        ),
        (
            lambda: Cassette("x", before_record="f"),  # type: ignore[arg-type]
            TypeError,
            (
                "Cassette(before_record"
                "=...) must be a function that takes an interaction (a dict) and "
                "returns it, "
                "changed or not, or None to leave it out; got 'f' (str)."
            ),
        ),
        (
            lambda: SageMakerRuntimeStub(client(), cassette=3),  # type: ignore[arg-type]
            TypeError,
            (
                "SageMakerRuntimeStub(cassette=...) must be a file path or a "
                "sagemaker_stub.Cassette; got 3 (int)."
            ),
        ),
        (
            lambda: sagemaker_stub.mock(cassette=b"x"),  # type: ignore[call-overload]
            TypeError,
            (
                "mock(cassette=...) must be a file path or a sagemaker_stub.Cassette; "
                "got "
                "b'x' (bytes)."
            ),
        ),
    ],
)
def test_bad_cassette_options_are_refused_where_given(
    build: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        build()
    assert str(caught.value) == message


@contextlib.contextmanager
def console_script(*options: str) -> Iterator[str]:
    """``sagemaker-stub serve`` in a process of its own; its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sagemaker_stub._cli", "serve", "--port", "0", *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert process.stdout is not None
        process.stdout.close()


def test_the_console_script_replays_a_cassette(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    with console_script("--cassette", str(path)) as url:
        assert bodies(client(url=url), b"b", b"a") == [b"B", b"A"]


def test_the_console_script_takes_the_matching(tmp_path: Path) -> None:
    path = tmp_path / "pair.json"
    recorded_pair(path)
    options = ("--match", "order", "--redact", "CustomAttributes")
    with console_script("--cassette", str(path), *options) as url:
        assert bodies(client(url=url), b"changed", b"b") == [b"A", b"B"]


def test_the_console_script_refuses_a_redaction_it_cannot_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sagemaker_stub._cli import main  # noqa: PLC0415

    path = tmp_path / "pair.json"
    recorded_pair(path)
    assert main(["serve", "--port", "0", "--cassette", str(path), "--redact", "X"]) == 2
    assert capsys.readouterr().err.startswith(
        f"sagemaker-stub serve: Cassette({str(path)!r}, redact=...) names 'X', which "
        "is no request parameter a cassette holds"
    )


def test_the_console_script_names_a_missing_cassette(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sagemaker_stub._cli import main  # noqa: PLC0415

    path = tmp_path / "missing.json"
    assert main(["serve", "--port", "0", "--cassette", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"sagemaker-stub serve: Cassette {str(path)!r} does not exist, and "
        "record_mode='none' only replays. Record it once: run pytest with "
        "--sagemaker-record-mode=once, or give "
        f"Cassette({str(path)!r}, record_mode='once').\n"
    )


# -- edges ----------------------------------------------------------------------------


def test_a_stream_made_again_while_read_is_sent_and_recorded_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "twice.json"
    with sagemaker_stub.serve() as server:
        server.queue_stream(StreamResult(parts=["first"]))
        runtime = client(url=server.url)
        with SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="once")):
            one = runtime.invoke_endpoint_with_response_stream(
                EndpointName="e", Body=b"x"
            )
            two = runtime.invoke_endpoint_with_response_stream(
                EndpointName="e", Body=b"x"
            )
            # The server remembers the request too: the same answer.
            assert [event["PayloadPart"]["Bytes"] for event in two["Body"]] == [
                b"first"
            ]
            assert [event["PayloadPart"]["Bytes"] for event in one["Body"]] == [
                b"first"
            ]
            # Ended, it answers its repeats.
            three = runtime.invoke_endpoint_with_response_stream(
                EndpointName="e", Body=b"x"
            )
            assert [event["PayloadPart"]["Bytes"] for event in three["Body"]] == [
                b"first"
            ]
        assert len(server.calls) == 2
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [item["response"]["Parts"] for item in document["interactions"]] == [
        ["first"]
    ]


def test_a_recorded_stream_is_botocores_event_stream_underneath(
    tmp_path: Path,
) -> None:
    """What a caller may read of an EventStream reads through to botocore's."""
    with sagemaker_stub.serve() as server:
        server.queue_stream(StreamResult(parts=["x"]))
        runtime = client(url=server.url)
        cassette = Cassette(tmp_path / "s.json", record_mode="once")
        with SageMakerRuntimeStub(runtime, cassette=cassette):
            body = runtime.invoke_endpoint_with_response_stream(
                EndpointName="e", Body=b"x"
            )["Body"]
            assert isinstance(body, EventStream)
            assert body._operation_name == "InvokeEndpointWithResponseStream"  # type: ignore[attr-defined]
            with pytest.raises(NoInitialResponseError):
                body.get_initial_response()
            body.close()


def test_outputs_where_the_endpoint_chose_replay_where_the_stub_chooses(
    tmp_path: Path,
) -> None:
    """Locations that are not <path>/<inference id>.out (moto's) are not reused."""
    path = tmp_path / "moto-style.json"
    with sagemaker_stub.serve() as server:
        server.queue_async(AsyncResult.success("done"))
        runtime, s3 = client(url=server.url), client("s3", server.url)
        with SageMakerRuntimeStub(
            runtime, cassette=Cassette(path, record_mode="once")
        ) as stub:
            stub.attach_s3(s3)
            runtime.invoke_endpoint_async(EndpointName="e", InputLocation="s3://in/x")
    offline()
    with SageMakerRuntimeStub(client(), cassette=path) as stub:
        answer = stub.client.invoke_endpoint_async(
            EndpointName="e", InputLocation="s3://in/x"
        )
        assert answer["OutputLocation"].startswith("s3://sagemaker-output-")
        assert stub.read_output(answer["OutputLocation"]) == b"done"


def test_an_s3_client_gone_before_the_cassette_is_written_reads_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gone.json"
    with sagemaker_stub.serve() as server:
        server.configure_async_output("s3://out/a")
        server.queue_async(AsyncResult.success("done"))
        runtime = client(url=server.url)
        with SageMakerRuntimeStub(
            runtime, cassette=Cassette(path, record_mode="once")
        ) as stub:
            s3 = client("s3", server.url)
            stub.attach_s3(s3)
            runtime.invoke_endpoint_async(EndpointName="e", InputLocation="s3://in/x")
            _MADE.remove(s3)
            s3.close()
            del s3
            gc.collect()
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "Output" not in document["interactions"][0]["response"]


def test_a_cassette_that_cannot_be_written_fails_loudly_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "taken"
    (path / "by-a-folder").mkdir(parents=True)
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("A"))
        runtime = client(url=server.url)
        stub = SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="all"))
        stub.activate()
        bodies(runtime, b"a")
        with pytest.raises(
            CassetteError, match=r"cannot be read: .*Is a directory"
        ) as caught:
            stub.deactivate()
    # The message names the OSError: it is not shown a second time as the cause.
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert [item.name for item in tmp_path.iterdir()] == ["taken"]


@pytest.mark.skipif(not SESSIONS, reason="this botocore predates stateful sessions")
def test_a_session_closed_while_recording_closes_on_replay(tmp_path: Path) -> None:
    """The session id is made up anew on replay: its calls take recordings in order."""
    path = tmp_path / "session.json"

    def converse(runtime: Any) -> list[object]:
        opened = runtime.invoke_endpoint(
            EndpointName="chat", Body=b"hello", SessionId="NEW_SESSION"
        )
        session = opened["NewSessionId"].split(";")[0]
        closed = runtime.invoke_endpoint(
            EndpointName="chat", Body=b"bye", SessionId=session
        )
        return [opened["Body"].read(), closed["Body"].read(), closed["ClosedSessionId"]]

    with sagemaker_stub.serve() as server:
        server.add_endpoint("chat")
        server.queue(
            InvokeResult.text("hi"), InvokeResult.text("bye", close_session=True)
        )
        runtime = client(url=server.url)
        with SageMakerRuntimeStub(
            runtime, cassette=Cassette(path, record_mode="once")
        ) as stub:
            recorded = converse(runtime)
            assert stub.cassette == Cassette(path, record_mode="once")
    assert json.loads(path.read_text(encoding="utf-8"))["interactions"][1]["response"][
        "ClosesSession"
    ]
    offline()
    runtime = client()
    with SageMakerRuntimeStub(runtime, cassette=path) as stub:
        stub.add_endpoint("chat")
        replayed = converse(runtime)
        assert [session.closed for session in stub.sessions] == [True]
    assert replayed[:2] == recorded[:2] == [b"hi", b"bye"]


# -- properties -----------------------------------------------------------------------


def in_threads(work: Callable[[int], None], count: int) -> None:
    """Run ``work(n)`` in ``count`` threads at once, and wait for them all."""
    threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_threads_record_each_request_once_and_replay_it_to_its_request(
    tmp_path: Path,
) -> None:
    path = tmp_path / "threads.json"
    requests = [f"{thread}-{n}".encode() for thread in range(8) for n in range(5)]
    with sagemaker_stub.serve() as server:
        server.queue(*(InvokeResult.text(f"r{n}") for n in range(len(requests))))
        runtime = client(url=server.url)
        recorded: dict[bytes, bytes] = {}
        with SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="all")):

            def work(thread: int) -> None:
                for body in requests[thread * 5 : thread * 5 + 5]:
                    for _ in range(2):  # the repeat is answered from the recording
                        recorded[body] = bodies(runtime, body)[0]

            in_threads(work, 8)
        assert len(server.calls) == len(requests)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(item["request"]["Body"] for item in document["interactions"]) == (
        sorted(body.decode() for body in requests)
    )
    offline()
    runtime = client()
    replayed: dict[bytes, bytes] = {}
    with SageMakerRuntimeStub(runtime, cassette=path):

        def replay_some(thread: int) -> None:
            for body in reversed(requests[thread::8]):
                replayed[body] = bodies(runtime, body)[0]

        in_threads(replay_some, 8)
    assert replayed == recorded


@settings(max_examples=15, deadline=None)
@given(
    calls=st.lists(
        st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([b"1", b"2", b"3"])),
        min_size=1,
        max_size=8,
    )
)
def test_replaying_any_traffic_observes_what_recording_it_observed(
    tmp_path_factory: pytest.TempPathFactory, calls: list[tuple[str, bytes]]
) -> None:
    """Whatever the sequence of endpoints and requests, repeats included."""
    path = tmp_path_factory.mktemp("traffic") / "cassette.json"
    with sagemaker_stub.serve() as server:
        server.queue(*(InvokeResult.text(f"r{n}") for n in range(len(calls))))
        runtime = client(url=server.url)
        with SageMakerRuntimeStub(runtime, cassette=Cassette(path, record_mode="all")):
            recorded = [
                runtime.invoke_endpoint(EndpointName=name, Body=body)["Body"].read()
                for name, body in calls
            ]
    with SageMakerRuntimeStub(runtime, cassette=path):
        replayed = [
            runtime.invoke_endpoint(EndpointName=name, Body=body)["Body"].read()
            for name, body in calls
        ]
    assert replayed == recorded
