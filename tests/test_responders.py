"""Responders: results computed from the request, through every in-process door."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import sagemaker_stub
from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    Invocation,
    InvokeResult,
    NoResultError,
    ResponderError,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
    when_json,
    when_text,
)

from .conftest import new_client
from .test_server import remote


def echo(call: Invocation) -> InvokeResult:
    """An echo model: the request's JSON back, with the call's number."""
    return InvokeResult.json({"echo": call.json, "number": call.number})


def in_a_thread(
    client: Any, endpoint: str, body: bytes
) -> tuple[threading.Thread, list[bytes]]:
    """An invoke_endpoint call started in a thread, and where its body lands."""
    answers: list[bytes] = []

    def call() -> None:
        response = client.invoke_endpoint(EndpointName=endpoint, Body=body)
        answers.append(response["Body"].read())

    worker = threading.Thread(target=call)
    worker.start()
    return worker, answers


def read(client: Any, body: object, endpoint: str = "e") -> Any:
    response = client.invoke_endpoint(EndpointName=endpoint, Body=json.dumps(body))
    return json.loads(response["Body"].read())


def test_a_responder_answers_from_the_request_and_is_remembered(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The responder sees the endpoint, parameters, body and JSON; a repeat is
    remembered, a new request asks again; each call is in the history."""
    seen: list[Invocation] = []

    def model(call: Invocation) -> InvokeResult:
        seen.append(call)
        return echo(call)

    stub.add_responder(model)
    assert read(client, {"q": 1}) == {"echo": {"q": 1}, "number": 1}
    assert read(client, {"q": 2}) == {"echo": {"q": 2}, "number": 2}
    assert read(client, {"q": 1}) == {"echo": {"q": 1}, "number": 1}
    assert [call.source for call in stub.calls] == [
        Source.RESPONDED,
        Source.RESPONDED,
        Source.REMEMBERED,
    ]
    assert stub.calls[0].result == InvokeResult.json({"echo": {"q": 1}, "number": 1})
    first = seen[0]
    assert first.operation == "InvokeEndpoint"
    assert first.endpoint_name == "e"
    assert first.body == b'{"q": 1}'
    assert first.text == '{"q": 1}'
    assert first.region == "us-east-1"
    assert first.attempt == 1
    assert "Body" not in first.params
    assert first.params["EndpointName"] == "e"
    assert len(seen) == 2

    client.invoke_endpoint(
        EndpointName="e",
        Body=b"\xff\xfe not json",
        ContentType="application/x-image",
        CustomAttributes="trace=1",
    )
    binary = seen[-1]
    assert binary.json is None
    assert binary.text.endswith(" not json")
    assert binary.params["ContentType"] == "application/x-image"
    assert binary.params["CustomAttributes"] == "trace=1"


def test_remember_false_asks_again_for_a_repeated_request(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """An agent loop sending the same prompt: a tool call first, then an answer."""

    def agent(call: Invocation) -> InvokeResult:
        if call.number == 1:
            return InvokeResult.json({"tool": "search"})
        return InvokeResult.json({"answer": 42})

    stub.add_responder(agent, remember=False)
    assert read(client, {"prompt": "p"}) == {"tool": "search"}
    assert read(client, {"prompt": "p"}) == {"answer": 42}
    assert [call.source for call in stub.calls] == [Source.RESPONDED] * 2


def test_queued_results_come_first_and_the_endpoints_responders_before_any(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_responder(lambda call: InvokeResult.text("any"))
    stub.add_responder(
        lambda call: InvokeResult.text("chat's own"), endpoint_name="chat"
    )
    stub.queue(InvokeResult.text("queued"))
    calls = [
        client.invoke_endpoint(EndpointName=name, Body=body)["Body"].read()
        for name, body in (("chat", "1"), ("chat", "2"), ("other", "3"))
    ]
    assert calls == [b"queued", b"chat's own", b"any"]
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.RESPONDED,
        Source.RESPONDED,
    ]


def test_responders_that_pass_leave_the_call_to_the_next(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """None passes on; when all pass the call is unanswered, naming them."""
    stub.add_responder(when_json({"task": "classify"}, InvokeResult.text("cat")))
    stub.add_responder(when_text("ping", InvokeResult.text("pong")))
    assert (
        client.invoke_endpoint(EndpointName="e", Body=b'{"task": "classify"}')[
            "Body"
        ].read()
        == b"cat"
    )
    assert client.invoke_endpoint(EndpointName="e", Body=b"ping?")["Body"].read() == (
        b"pong"
    )
    with pytest.raises(NoResultError) as info:
        client.invoke_endpoint(EndpointName="e", Body=b'{"task": "embed"}')
    message = str(info.value)
    assert "Every responder covering it returned None: when_json(" in message
    assert "when_text('ping', InvokeResult(" in message
    assert "test_responders.py:" in message
    assert stub.calls[-1].source is Source.UNANSWERED


@pytest.mark.answer_defaults
def test_with_defaults_allowed_a_passed_call_gets_the_default(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_responder(lambda call: None)
    body = client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read()
    assert body == b"body"  # moto's placeholder
    assert stub.calls[-1].source is Source.DEFAULT


def test_when_json_matches_nested_members_and_json_types(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_responder(
        when_json(
            {"parameters": {"stream": True}, "tags": ["a"]}, InvokeResult.text("s")
        )
    )
    stub.add_responder(lambda call: InvokeResult.text("other"))
    assert (
        client.invoke_endpoint(
            EndpointName="e",
            Body=json.dumps(
                {"inputs": "x", "parameters": {"stream": True, "n": 1}, "tags": ["a"]}
            ),
        )["Body"].read()
        == b"s"
    )
    for body in (
        {"parameters": {"stream": 1}, "tags": ["a"]},  # 1 is not true in JSON
        {"parameters": {"stream": True}, "tags": ["a", "b"]},
        {"parameters": True, "tags": ["a"]},
        ["parameters"],
    ):
        response = client.invoke_endpoint(EndpointName="e", Body=json.dumps(body))
        assert response["Body"].read() == b"other", body


def test_matchers_check_their_arguments() -> None:
    with pytest.raises(TypeError, match=r"when_json\(subset\) must be a mapping"):
        when_json(["a"], InvokeResult.text("x"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"when_json\(result\) must be one of"):
        when_json({"a": 1}, {"body": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"when_text\(text\) must be a non-empty str"):
        when_text("", InvokeResult.text("x"))


def test_a_responder_answers_streaming_calls(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A StreamResult streams its parts; an InvokeResult streams as one part."""

    def tokens(call: Invocation) -> StreamResult | InvokeResult:
        if call.operation == "InvokeEndpointWithResponseStream":
            words = call.json["inputs"].split()
            return StreamResult(parts=[f"{word} ".encode() for word in words])
        return InvokeResult.text(call.json["inputs"])

    stub.add_responder(tokens, operations=["InvokeEndpointWithResponseStream"])
    stub.add_responder(lambda call: InvokeResult.text("whole"), endpoint_name="one")
    response = client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=json.dumps({"inputs": "a b c"})
    )
    parts = [event["PayloadPart"]["Bytes"] for event in response["Body"]]
    assert parts == [b"a ", b"b ", b"c "]
    response = client.invoke_endpoint_with_response_stream(
        EndpointName="one", Body=b"{}"
    )
    assert [event["PayloadPart"]["Bytes"] for event in response["Body"]] == [b"whole"]
    # operations= scoped the first: a plain invoke on "e" finds nothing.
    with pytest.raises(NoResultError):
        client.invoke_endpoint(EndpointName="e", Body=b"{}")


def test_a_responder_answers_async_calls_from_the_input_object(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """An async call's body is its stored input object; the output is written."""
    stub.store_input("s3://in/1.json", b'{"x": 2}')

    def double(call: Invocation) -> AsyncResult | InvokeResult:
        if call.body:
            return AsyncResult.success({"y": call.json["x"] * 2})
        return InvokeResult.json({"input": call.params["InputLocation"]})

    stub.add_responder(double)
    response = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/1.json"
    )
    assert json.loads(stub.read_output(response["OutputLocation"])) == {"y": 4}
    response = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://in/missing.json"
    )
    output = json.loads(stub.read_output(response["OutputLocation"]))
    assert json.loads(output["Body"]) == {"input": "s3://in/missing.json"}
    assert [call.source for call in stub.calls] == [Source.RESPONDED] * 2


def test_an_error_result_from_a_responder_is_the_services_error(
    stub: SageMakerRuntimeStub,
) -> None:
    """With retries on, a retried attempt asks the responder afresh."""
    client = new_client(config=Config(retries={"max_attempts": 3, "mode": "standard"}))
    with SageMakerRuntimeStub(client, retries=True) as retrying:
        attempts: list[int] = []

        def flaky(call: Invocation) -> InvokeResult | ErrorResult:
            attempts.append(call.attempt)
            if call.number == 1:
                return ErrorResult.throttling()
            return InvokeResult.text("ok")

        retrying.add_responder(flaky)
        response = client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert response["Body"].read() == b"ok"
        assert attempts == [1, 2]
        assert [call.source for call in retrying.calls] == [Source.RESPONDED] * 2
    stub.add_responder(lambda call: ErrorResult.model_error(message="bad input"))
    with pytest.raises(ClientError) as info:
        stub.client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert info.value.response["Error"]["Code"] == "ModelError"


def test_a_responder_that_raises_fails_the_test_not_the_service(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The exception is the ResponderError's cause; nothing is remembered."""
    answers = iter([None, InvokeResult.text("later")])

    def broken(call: Invocation) -> InvokeResult | None:
        result = next(answers)
        assert result is not None, "the model is not ready"
        return result

    stub.add_responder(broken)
    with pytest.raises(ResponderError) as info:
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert not isinstance(info.value, ClientError)
    assert isinstance(info.value.__cause__, AssertionError)
    message = str(info.value)
    assert "The responder test_a_responder_that_raises" in message
    assert "<locals>.broken (added at " in message
    assert "raised AssertionError: the model is not ready" in message
    assert "answering InvokeEndpoint on endpoint 'e'" in message
    assert stub.calls[-1].source is Source.UNANSWERED
    # Not remembered: the same request asks again.
    assert client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read() == (
        b"later"
    )


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (
            {"body": "x"},
            r"returned \{'body': 'x'\} \(dict\) answering InvokeEndpoint",
        ),
        (
            AsyncResult.success("x"),
            (
                r"returned AsyncResult\(.*\(AsyncResult\) answering InvokeEndpoint on "
                r"endpoint 'e'; a responder returns InvokeResult or "
                r"ErrorResult, or None"
            ),
        ),
        (
            InvokeResult(body=b"x", custom_attributes="a" * 1025),
            r"the result has InvokeResult.custom_attributes of 1025 characters",
        ),
    ],
)
def test_a_responder_that_returns_what_cannot_answer_is_refused(
    client: Any, stub: SageMakerRuntimeStub, returned: object, expected: str
) -> None:
    stub.add_responder(lambda call: returned)  # type: ignore[arg-type,return-value]
    with pytest.raises(ResponderError, match=expected):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert stub.calls[-1].source is Source.UNANSWERED


def test_an_error_the_operation_never_returns_is_refused(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_responder(lambda call: ErrorResult.model_error(message="x"))
    with pytest.raises(
        ResponderError,
        match=r"stub.add_responder\(\): the result is a ModelError, which "
        r"InvokeEndpointAsync never returns",
    ):
        client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://b/k")


def test_a_coroutine_responder_is_refused_with_a_hint(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    async def model(call: Invocation) -> InvokeResult:
        return InvokeResult.text("x")

    stub.add_responder(model)  # type: ignore[arg-type]
    with pytest.raises(ResponderError, match="plain functions, not coroutines"):
        client.invoke_endpoint(EndpointName="e", Body=b"x")


def test_add_responder_checks_its_arguments(stub: SageMakerRuntimeStub) -> None:
    with pytest.raises(TypeError, match=r"must be a function taking an Invocation"):
        stub.add_responder(InvokeResult.text("x"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"endpoint_name=\.\.\.\) is 'a b'"):
        stub.add_responder(echo, endpoint_name="a b")
    with pytest.raises(TypeError, match=r"operations=\.\.\.\) must be a sequence"):
        stub.add_responder(echo, operations="InvokeEndpoint")
    with pytest.raises(ValueError, match=r"'Invoke' is not an operation"):
        stub.add_responder(echo, operations=["Invoke"])
    with pytest.raises(ValueError, match=r"names no operation"):
        stub.add_responder(echo, operations=[])
    with pytest.raises(TypeError, match=r"remember=\.\.\.\) must be a bool"):
        stub.add_responder(echo, remember="yes")  # type: ignore[arg-type]


def test_reset_and_clear_remove_responders(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_responder(echo)
    stub.reset()
    with pytest.raises(NoResultError):
        client.invoke_endpoint(EndpointName="e", Body=b"{}")
    stub.add_responder(echo)
    stub.clear_responders()
    with pytest.raises(NoResultError):
        client.invoke_endpoint(EndpointName="e", Body=b"{}")
    stub.reset()


def test_a_responder_runs_with_no_lock_held(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A slow responder blocks nobody: another thread's queued call is answered
    while it waits, and it may read the stub's history."""
    released = threading.Event()
    seen: list[int] = []

    def slow(call: Invocation) -> InvokeResult:
        seen.append(len(stub.calls))
        assert released.wait(30), "the other call never came through"
        return InvokeResult.text("slow")

    stub.add_responder(slow, endpoint_name="slow")
    stub.queue(InvokeResult.text("fast"), endpoint_name="fast")
    worker, answers = in_a_thread(client, "slow", b"1")
    try:
        # Waits for the responder to be running (it logged nothing yet), then
        # takes a queued result: the book's lock is free.
        for _ in range(3000):  # at most 30 s
            if seen:
                break
            worker.join(0.01)
        assert seen == [0], "the responder never ran"
        fast = client.invoke_endpoint(EndpointName="fast", Body=b"2")
        assert fast["Body"].read() == b"fast"
    finally:
        released.set()
        worker.join(30)
    assert answers == [b"slow"]
    assert seen == [0]


def test_two_identical_calls_at_once_both_get_the_first_answer_remembered(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The first call's responder is still running when the second one's
    answer is remembered: the first gets that answer too."""
    first_started, second_done = threading.Event(), threading.Event()

    def model(call: Invocation) -> InvokeResult:
        if call.number == 1:
            first_started.set()
            assert second_done.wait(30), "the second call never finished"
        return InvokeResult.text(f"answer {call.number}")

    stub.add_responder(model)
    worker, first = in_a_thread(client, "e", b"same")
    try:
        assert first_started.wait(30)
        second = client.invoke_endpoint(EndpointName="e", Body=b"same")
    finally:
        second_done.set()
        worker.join(30)
    assert second["Body"].read() == b"answer 2"
    assert first == [b"answer 2"]
    assert [call.source for call in stub.calls] == [
        Source.RESPONDED,
        Source.REMEMBERED,
    ]


def test_a_computed_result_that_cannot_answer_is_not_remembered(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """close_session for a call made outside a session: the stub's error."""
    stub.add_responder(lambda call: InvokeResult.text("bye", close_session=True))
    with pytest.raises(sagemaker_stub.SageMakerStubError, match="has no SessionId"):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert stub.calls[-1].source is Source.UNANSWERED


def test_mock_answers_every_client_from_one_responder() -> None:
    with sagemaker_stub.mock() as mocked:
        mocked.add_responder(echo)
        first, second = new_client(), new_client()
        assert read(first, {"a": 1}) == {"echo": {"a": 1}, "number": 1}
        assert read(second, {"a": 1}) == {"echo": {"a": 1}, "number": 1}
        assert read(second, {"a": 2}) == {"echo": {"a": 2}, "number": 2}
        assert [call.source for call in mocked.calls] == [
            Source.RESPONDED,
            Source.REMEMBERED,
            Source.RESPONDED,
        ]


@pytest.fixture
def server() -> Iterator[sagemaker_stub.SageMakerRuntimeServer]:
    """An in-process server (its test allows sockets on 127.0.0.1)."""
    with sagemaker_stub.serve() as running:
        yield running


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_an_in_process_server_answers_from_a_responder(
    server: sagemaker_stub.SageMakerRuntimeServer,
) -> None:
    """Over HTTP: the answer; a raising responder is a 400 naming it."""
    server.add_responder(echo, endpoint_name="echo")
    server.add_responder(lambda call: 1 / 0, endpoint_name="broken")  # type: ignore[arg-type,return-value]
    client = remote(server)
    assert read(client, {"a": 1}, "echo") == {"echo": {"a": 1}, "number": 1}
    response = client.invoke_endpoint_with_response_stream(
        EndpointName="echo", Body=b'{"b": 2}'
    )
    parts = b"".join(event["PayloadPart"]["Bytes"] for event in response["Body"])
    assert json.loads(parts) == {"echo": {"b": 2}, "number": 2}
    with pytest.raises(ClientError) as info:
        client.invoke_endpoint(EndpointName="broken", Body=b"x")
    error = info.value.response["Error"]
    assert error["Code"] == "SageMakerStubError"
    assert "raised ZeroDivisionError: division by zero" in error["Message"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [call.source for call in server.calls] == [
        Source.RESPONDED,
        Source.RESPONDED,
        Source.UNANSWERED,
    ]
