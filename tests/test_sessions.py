"""Stateful sessions: opened with NEW_SESSION, routed, closed, refused."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

import botocore.session
import pytest

from sagemaker_stub import (
    ErrorResult,
    InvokeResult,
    SageMakerRuntimeStub,
    SageMakerStubError,
    Source,
    StreamResult,
)

from .conftest import new_client, refused

_MODEL = botocore.session.get_session().get_service_model("sagemaker-runtime")


def _has_member(operation: str, member: str) -> bool:
    shape = _MODEL.operation_model(operation).input_shape
    return shape is not None and member in shape.members


pytestmark = pytest.mark.skipif(
    not _has_member("InvokeEndpoint", "SessionId"),
    reason="this botocore predates stateful sessions",
)
needs_stream_sessions = pytest.mark.skipif(
    not _has_member("InvokeEndpointWithResponseStream", "SessionId"),
    reason="this botocore has no SessionId for streams",
)
_NEW_SESSION_ID = re.compile(
    r"(?P<id>[a-zA-Z0-9](-*[a-zA-Z0-9])*); "
    r"Expires=(?P<expires>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"
)


def _open(client: Any, endpoint: str = "chat", **params: Any) -> str:
    response = client.invoke_endpoint(
        EndpointName=endpoint, Body=b"hello", SessionId="NEW_SESSION", **params
    )
    match = _NEW_SESSION_ID.fullmatch(response["NewSessionId"])
    assert match is not None, response["NewSessionId"]
    return match.group("id")


@pytest.mark.answer_defaults
def test_new_session_returns_an_id_and_expiry(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    before = datetime.datetime.now(datetime.timezone.utc)
    response = client.invoke_endpoint(
        EndpointName="chat", Body=b"hi", SessionId="NEW_SESSION"
    )
    match = _NEW_SESSION_ID.fullmatch(response["NewSessionId"])
    assert match is not None
    expires = datetime.datetime.strptime(
        match.group("expires"), "%Y-%m-%dT%H:%M:%SZ"
    ).replace(tzinfo=datetime.timezone.utc)
    expected = before + datetime.timedelta(seconds=1200)
    assert expected - datetime.timedelta(seconds=1) <= expires
    assert expires <= expected + datetime.timedelta(seconds=5)
    (session,) = stub.sessions
    assert session.session_id == match.group("id")
    assert session.endpoint_name == "chat"
    assert not session.closed
    assert stub.calls[0].session_id == session.session_id


@pytest.mark.answer_defaults
def test_calls_in_a_session_are_routed_and_recorded_per_session(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A session keeps its variant; its calls carry its id in the history."""
    stub.add_endpoint("chat", variants=["blue", "green"])
    first = _open(client, TargetVariant="green")
    second = _open(client)
    stub.queue(InvokeResult.text("from green"), InvokeResult.text("from blue"))
    in_first = client.invoke_endpoint(
        EndpointName="chat", Body=b"more", SessionId=first
    )
    in_second = client.invoke_endpoint(
        EndpointName="chat", Body=b"more", SessionId=second
    )
    assert in_first["Body"].read() == b"from green"
    assert in_first["InvokedProductionVariant"] == "green"
    assert in_second["Body"].read() == b"from blue"
    assert in_second["InvokedProductionVariant"] == "blue"
    assert "NewSessionId" not in in_first
    by_session = [call.session_id for call in stub.calls]
    assert by_session == [first, second, first, second]


@pytest.mark.answer_defaults
def test_the_same_body_in_two_sessions_takes_two_results(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """SessionId is part of a request's identity, like every SageMaker header."""
    first, second = _open(client), _open(client)
    stub.queue(InvokeResult(body=b"1"), InvokeResult(body=b"2"))
    bodies = [
        client.invoke_endpoint(EndpointName="chat", Body=b"q", SessionId=session)[
            "Body"
        ].read()
        for session in (first, second, first)
    ]
    assert bodies == [b"1", b"2", b"1"]


@pytest.mark.answer_defaults
def test_a_result_can_close_the_session(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    session_id = _open(client)
    stub.queue(InvokeResult.json({"closed": True}, close_session=True))
    response = client.invoke_endpoint(
        EndpointName="chat", Body=b"bye", SessionId=session_id
    )
    assert response["ClosedSessionId"] == session_id
    assert stub.sessions[0].closed
    message = refused(
        client,
        client.invoke_endpoint,
        EndpointName="chat",
        Body=b"again",
        SessionId=session_id,
    )
    assert message == f"Session {session_id} of endpoint chat is closed."
    assert stub.calls[-1].source is Source.REJECTED


def test_an_unknown_session_is_refused(client: Any, stub: SageMakerRuntimeStub) -> None:
    message = refused(
        client,
        client.invoke_endpoint,
        EndpointName="chat",
        Body=b"x",
        SessionId="made-up",
    )
    assert message == "Session made-up not found for endpoint chat."


@pytest.mark.answer_defaults
def test_a_session_belongs_to_its_endpoint(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    session_id = _open(client, endpoint="one")
    message = refused(
        client,
        client.invoke_endpoint,
        EndpointName="two",
        Body=b"x",
        SessionId=session_id,
    )
    assert message == f"Session {session_id} not found for endpoint two."


def test_an_expired_session_is_refused() -> None:
    client = new_client()
    with SageMakerRuntimeStub(
        client, session_ttl_seconds=0.01, allow_defaults=True
    ) as stub:
        session_id = _open(client)
        time.sleep(0.02)
        message = refused(
            client,
            client.invoke_endpoint,
            EndpointName="chat",
            Body=b"x",
            SessionId=session_id,
        )
        assert stub.sessions[0].expires_at < datetime.datetime.now(
            datetime.timezone.utc
        )
    assert message == f"Session {session_id} of endpoint chat has expired."


def test_an_error_result_opens_no_session(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue(ErrorResult.model_error(500, "no"))
    with pytest.raises(client.exceptions.ModelError):
        client.invoke_endpoint(EndpointName="chat", Body=b"x", SessionId="NEW_SESSION")
    assert stub.sessions == []
    (call,) = stub.calls
    assert call.params["SessionId"] == "NEW_SESSION"
    assert call.session_id is None  # no session was opened


def test_closing_outside_a_session_fails_and_keeps_the_result(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    result = InvokeResult(body=b"bye", close_session=True)
    stub.queue(result)
    with pytest.raises(SageMakerStubError) as info:
        client.invoke_endpoint(EndpointName="chat", Body=b"x")
    assert str(info.value) == (
        f"{result!r} closes the session of the call it answers, but the "
        "InvokeEndpoint call on endpoint 'chat' has no SessionId. Send SessionId "
        "with the call, or queue this result for a call made in a session."
    )
    assert [pending.result for pending in stub.pending_results()] == [result]
    session_id = _open(client)  # a call in a session takes it
    assert stub.sessions[0].closed
    assert stub.sessions[0].session_id == session_id


@needs_stream_sessions
@pytest.mark.answer_defaults
def test_streams_use_sessions_but_cannot_open_them(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    session_id = _open(client)
    stub.queue_stream(StreamResult.text(["in", " session"]))
    response = client.invoke_endpoint_with_response_stream(
        EndpointName="chat", Body=b"x", SessionId=session_id
    )
    assert [event["PayloadPart"]["Bytes"] for event in response["Body"]] == [
        b"in",
        b" session",
    ]
    assert stub.calls[-1].session_id == session_id
    message = refused(
        client,
        client.invoke_endpoint_with_response_stream,
        EndpointName="chat",
        Body=b"x",
        SessionId="NEW_SESSION",
    )
    assert message == (
        "1 validation error detected: Value 'NEW_SESSION' at 'sessionId' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: "
        "^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"
    )


@needs_stream_sessions
def test_streams_cannot_open_sessions_without_validation() -> None:
    """The session check stands on its own when validation is off."""
    client = new_client()
    with SageMakerRuntimeStub(client, validate=False):
        message = refused(
            client,
            client.invoke_endpoint_with_response_stream,
            EndpointName="chat",
            Body=b"x",
            SessionId="NEW_SESSION",
        )
    assert message == (
        "InvokeEndpointWithResponseStream cannot create a stateful session. "
        "Create one with InvokeEndpoint and SessionId NEW_SESSION, then use its id."
    )


@pytest.mark.parametrize(
    ("ttl", "shown"),
    [(0, "0 (int)"), (float("inf"), "inf (float)"), (float("nan"), "nan (float)"),
     (1e12, "1000000000000.0 (float)")],
)  # fmt: skip
def test_the_session_ttl_must_be_positive_and_finite(
    client: Any, ttl: float, shown: str
) -> None:
    """A TTL no date can hold is refused at construction, not at the first call."""
    with pytest.raises(ValueError, match="session_ttl_seconds") as info:
        SageMakerRuntimeStub(client, session_ttl_seconds=ttl)
    assert str(info.value) == (
        "SageMakerRuntimeStub(session_ttl_seconds=...) must be a positive number "
        f"of seconds, at most 315,360,000; got {shown}."
    )
