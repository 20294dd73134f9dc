"""How a replayed request finds its recording: strict by identity with the
differences shown, in order, custom matchers, and redaction that still matches."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_socket

import sagemaker_stub
from sagemaker_stub import (
    Cassette,
    CassetteError,
    CassetteRequest,
    InvokeResult,
    NoResultError,
    SageMakerRuntimeStub,
    Source,
    json_ignoring,
)
from tests.conftest import new_client

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


def client(url: str | None = None) -> Any:
    return new_client(
        region="eu-west-1",
        endpoint_url=url,
        aws_access_key_id="AKIDMATCHING",
        aws_secret_access_key="matching-secret",
    )


def ask(runtime: Any, body: object, **params: Any) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    response = runtime.invoke_endpoint(EndpointName="chat", Body=text, **params)
    return str(response["Body"].read().decode())


def record(
    path: Path, *requests: tuple[object, dict[str, Any]], **options: Any
) -> None:
    """Record ``requests`` (body, parameters) on endpoint 'chat': answer 1, 2, ..."""
    with sagemaker_stub.serve() as server:
        server.queue(
            *(InvokeResult.text(f"answer {n}") for n in range(1, len(requests) + 1))
        )
        runtime = client(server.url)
        cassette = Cassette(path, record_mode="once", **options)
        with SageMakerRuntimeStub(runtime, cassette=cassette):
            for body, params in requests:
                ask(runtime, body, **params)


def replaying(path: Path, **options: Any) -> tuple[Any, SageMakerRuntimeStub]:
    pytest_socket.disable_socket(allow_unix_socket=True)
    runtime = client()
    return runtime, SageMakerRuntimeStub(runtime, cassette=Cassette(path, **options))


@contextlib.contextmanager
def unused_left(stub: SageMakerRuntimeStub) -> Iterator[None]:
    """The stub active, its recordings left unused on purpose."""
    stub.activate()
    try:
        yield
    finally:
        stub.deactivate(report_unused=False)


PROMPT = {"prompt": "What is 2+2?", "temperature": 0.1}


def test_a_stale_request_fails_and_shows_what_differs(tmp_path: Path) -> None:
    """The nearest recording first, with the header and the JSON member changed."""
    path = tmp_path / "chat.json"
    record(
        path,
        (PROMPT, {"Accept": "application/json"}),
        ({"prompt": "Hello"}, {"Accept": "application/json"}),
    )
    runtime, stub = replaying(path)
    changed = {"prompt": "What is 2*2?", "temperature": 0.1, "seed": 7}
    with unused_left(stub):
        with pytest.raises(NoResultError) as caught:
            ask(runtime, changed, Accept="text/csv")
        assert len(stub.pending_results()) == 2  # no recording was taken
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"No recording in cassette {str(path)!r} matches this InvokeEndpoint "
        "request on endpoint 'chat', and nothing else is queued."
    )
    assert lines[2:12] == [
        "Nearest recordings (2 of 2 of InvokeEndpoint), and what differs:",
        "  interaction 1:",
        "    Accept: recorded 'application/json', sent 'text/csv'",
        '    Body $.prompt: recorded "What is 2+2?", sent "What is 2*2?"',
        "    Body $.seed: not recorded, sent 7",
        "  interaction 2:",
        "    Accept: recorded 'application/json', sent 'text/csv'",
        '    Body $.prompt: recorded "Hello", sent "What is 2*2?"',
        "    Body $.temperature: not recorded, sent 0.1",
        "    Body $.seed: not recorded, sent 7",
    ]
    assert "--sagemaker-record-mode=new_episodes" in lines[12]


def test_a_body_that_is_not_json_is_compared_byte_by_byte(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    record(path, ("The quick brown fox jumps over the lazy dog", {}))
    runtime, stub = replaying(path)
    fox = "The quick brown fox jumps over the lazy cat"
    with unused_left(stub), pytest.raises(NoResultError) as caught:
        ask(runtime, fox, TargetVariant="b")
    assert stub.calls[-1].source is Source.UNANSWERED
    lines = str(caught.value).splitlines()
    assert lines[3:6] == [
        "  interaction 1:",
        "    TargetVariant: not recorded, sent 'b'",
        (
            "    Body differs from byte 40 (recorded 43 bytes, sent 43): recorded "
            "...b'fox jumps over the lazy dog', sent ...b'fox jumps over the lazy cat'"
        ),
    ]


def test_many_differences_are_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    record(
        path,
        (
            {"a": [1, 2], "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1},
            {"TargetVariant": "v1"},
        ),
    )
    runtime, stub = replaying(path)
    sent = {"a": [1, 3], "b": 2, "c": 2, "d": 2, "e": 2, "f": 2, "g": 2}
    with unused_left(stub), pytest.raises(NoResultError) as caught:
        ask(runtime, sent, TargetVariant="v1")
    lines = str(caught.value).splitlines()
    assert lines[3:12] == [
        "  interaction 1:",
        "    Body $.a[1]: recorded 2, sent 3",
        "    Body $.b: recorded 1, sent 2",
        "    Body $.c: recorded 1, sent 2",
        "    Body $.d: recorded 1, sent 2",
        "    Body $.e: recorded 1, sent 2",
        "    Body $.f: recorded 1, sent 2",
        "    ... and 1 more",
        lines[11],
    ]
    assert lines[11].startswith("Record it:")


def test_the_same_json_written_differently_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    record(path, ('{"a": 1, "b": 2}', {}))
    runtime, stub = replaying(path)
    with unused_left(stub), pytest.raises(NoResultError) as caught:
        ask(runtime, '{"b":2,"a":1}')
    assert (
        "    Body: the same JSON, written differently (spacing or member order)"
        in str(caught.value).splitlines()
    )


def test_another_endpoint_and_operation_are_named(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    record(path, ("hello", {}))
    runtime, stub = replaying(path)
    with stub:
        with pytest.raises(NoResultError) as caught:
            runtime.invoke_endpoint(EndpointName="other", Body="hello")
        assert "    EndpointName: recorded 'chat', sent 'other'" in str(caught.value)
        with pytest.raises(NoResultError) as streamed:
            runtime.invoke_endpoint_with_response_stream(
                EndpointName="chat", Body="hello"
            )
        assert (
            "The cassette has no recording of InvokeEndpointWithResponseStream."
            in str(streamed.value)
        )
        assert ask(runtime, "hello") == "answer 1"


def test_a_result_queued_beside_a_cassette_answers_an_unmatched_request(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chat.json"
    record(path, ("hello", {}))
    runtime, stub = replaying(path)
    with stub:
        stub.queue(InvokeResult.text("queued"))
        assert ask(runtime, "changed") == "queued"
        assert ask(runtime, "hello") == "answer 1"


def test_match_order_answers_in_the_order_recorded(tmp_path: Path) -> None:
    """Requests that change every run (here, an id) replay in turn."""
    path = tmp_path / "chat.json"
    record(path, ({"id": "r-1", "q": "a"}, {}), ({"id": "r-2", "q": "b"}, {}))
    runtime, stub = replaying(path, match="order")
    with stub:
        assert ask(runtime, {"id": "x-1", "q": "a"}) == "answer 1"
        assert ask(runtime, {"id": "x-2", "q": "b"}) == "answer 2"
        assert ask(runtime, {"id": "x-1", "q": "a"}) == "answer 1"
        with pytest.raises(NoResultError) as caught:
            ask(runtime, {"id": "x-3", "q": "c"})
    assert "is left for InvokeEndpoint" in str(caught.value)
    assert "Nearest" not in str(caught.value)


def test_json_ignoring_matches_bodies_that_differ_only_in_those_members(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chat.json"
    record(
        path,
        ({"q": "a", "meta": {"timestamp": 1, "trace": "t1"}}, {}),
        ({"q": "a", "meta": {"timestamp": 2, "trace": "t2"}}, {}),
        ({"q": "b", "meta": {"timestamp": 3, "trace": "t3"}}, {}),
    )
    runtime, stub = replaying(path, match=json_ignoring("timestamp", "trace"))
    with stub:
        # The same question twice: each takes a recording still unused, in turn.
        assert ask(runtime, {"q": "a", "meta": {"timestamp": 9, "trace": "x"}}) == (
            "answer 1"
        )
        assert ask(runtime, {"meta": {"trace": "y", "timestamp": 8}, "q": "a"}) == (
            "answer 2"
        )
        assert ask(runtime, {"q": "b", "meta": {"timestamp": 7}}) == "answer 3"
        # Made again: remembered.
        assert ask(runtime, {"q": "a", "meta": {"timestamp": 9, "trace": "x"}}) == (
            "answer 1"
        )
        # Once both are used, another like them is answered by the first.
        assert ask(runtime, {"q": "a", "meta": {"timestamp": 6}}) == "answer 1"
        with pytest.raises(NoResultError, match=r"Body \$\.q: recorded"):
            ask(runtime, {"q": "c", "meta": {"timestamp": 1}})
        with pytest.raises(NoResultError):
            ask(runtime, {"q": "a"}, Accept="text/csv")
    assert [call.source for call in stub.calls][:4] == [Source.QUEUED] * 3 + [
        Source.REMEMBERED
    ]


def test_json_ignoring_compares_lists_and_text_bodies(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    record(
        path,
        ({"messages": [{"role": "user", "id": 1}, {"role": "bot", "id": 2}]}, {}),
        ("not json", {}),
    )
    runtime, stub = replaying(path, match=json_ignoring("id"))
    with stub:
        assert ask(runtime, {"messages": [{"role": "user"}, {"role": "bot"}]}) == (
            "answer 1"
        )
        assert ask(runtime, "not json") == "answer 2"
        with pytest.raises(NoResultError):
            ask(runtime, "not json either")


def test_a_callable_matcher_sees_both_requests(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    record(path, ("Hello", {"CustomAttributes": "user=1"}))
    seen: list[tuple[CassetteRequest, CassetteRequest]] = []

    def case_blind(recorded: CassetteRequest, sent: CassetteRequest) -> bool:
        seen.append((recorded, sent))
        return recorded.body.lower() == sent.body.lower()

    runtime, stub = replaying(path, match=case_blind)
    with stub:
        assert ask(runtime, "HELLO", CustomAttributes="user=2") == "answer 1"
        with pytest.raises(NoResultError):
            ask(runtime, "bye")
    recorded, sent = seen[0]
    assert recorded == CassetteRequest(
        operation="InvokeEndpoint",
        endpoint_name="chat",
        parameters={"CustomAttributes": "user=1"},
        body=b"Hello",
    )
    assert sent.parameters == {"CustomAttributes": "user=2"}
    assert sent.body == b"HELLO"
    assert repr(sent) == (
        "CassetteRequest(operation='InvokeEndpoint', endpoint_name='chat', "
        "parameters={'CustomAttributes': 'user=2'}, body=<5 bytes>)"
    )


@pytest.mark.parametrize(
    ("match", "error", "message"),
    [
        ("fuzzy", ValueError, "got 'fuzzy' (str)"),
        (3, TypeError, "got 3 (int)"),
    ],
)
def test_a_match_that_is_no_matching_is_refused(
    tmp_path: Path, match: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        Cassette(tmp_path / "c.json", match=match)
    assert str(caught.value).startswith(
        "Cassette(match=...) must be 'identity' (a request takes the recording "
        "made for its identity), 'order'"
    )
    assert message in str(caught.value)


def test_json_ignoring_needs_member_names() -> None:
    with pytest.raises(TypeError, match="needs at least one member name"):
        json_ignoring()
    with pytest.raises(TypeError, match=r"non-empty strings\); got 3"):
        json_ignoring("a", 3)  # type: ignore[arg-type]
    assert repr(json_ignoring("b", "a")) == "json_ignoring('a', 'b')"


# -- redaction ----------------------------------------------------------------------


def test_redacted_parts_stay_out_of_the_file_and_still_match(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    secret = {"prompt": "hi", "auth": {"api_key": "sk-live-123"}}
    record(
        path,
        (secret, {"CustomAttributes": "token=tenant-secret-9"}),
        redact=("CustomAttributes", "Body.api_key"),
    )
    text = path.read_text(encoding="utf-8")
    assert "sk-live-123" not in text
    assert "tenant-secret-9" not in text
    request = json.loads(text)["interactions"][0]["request"]
    assert request["CustomAttributes"] == "<redacted>"
    assert json.loads(request["Body"]) == {
        "prompt": "hi",
        "auth": {"api_key": "<redacted>"},
    }
    # CI has other secrets: the request still finds its recording.
    runtime, stub = replaying(path, redact=["Body.api_key", "CustomAttributes"])
    with stub:
        other = {"prompt": "hi", "auth": {"api_key": "sk-ci-456"}}
        assert ask(runtime, other, CustomAttributes="token=ci") == "answer 1"
        with pytest.raises(NoResultError) as caught:
            ask(runtime, {"prompt": "bye", "auth": {"api_key": "sk-ci-456"}})
    assert "sk-ci-456" not in str(caught.value).split("Nearest")[1]
    assert '    Body $.prompt: recorded "hi", sent "bye"' in str(caught.value)


def test_redaction_leaves_bodies_without_the_members_as_they_were(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chat.json"
    record(
        path,
        ("key=sk-1 is not JSON", {}),
        ('{"prompt":  "no key here"}', {}),
        ([{"api_key": "sk-2"}, {"other": 1}], {}),
        redact=("Body.api_key",),
    )
    bodies = [
        item["request"]["Body"]
        for item in json.loads(path.read_text(encoding="utf-8"))["interactions"]
    ]
    assert bodies == [
        "key=sk-1 is not JSON",
        '{"prompt":  "no key here"}',
        '[{"api_key":"<redacted>"},{"other":1}]',
    ]
    runtime, stub = replaying(path, redact=("Body.api_key",))
    with stub:
        assert ask(runtime, [{"api_key": "sk-3"}, {"other": 1}]) == "answer 3"
        assert ask(runtime, '{"prompt":  "no key here"}') == "answer 2"
        assert ask(runtime, "key=sk-1 is not JSON") == "answer 1"


def test_a_redacting_replay_matches_a_cassette_recorded_without(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    record(path, ("plain", {"CustomAttributes": "token=old"}))
    runtime, stub = replaying(path, redact=("CustomAttributes",))
    with stub:
        assert ask(runtime, "plain", CustomAttributes="token=new") == "answer 1"


def test_redact_names_what_it_takes(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    with pytest.raises(CassetteError) as caught:
        SageMakerRuntimeStub(
            client(), cassette=Cassette(path, record_mode="all", redact=["Token"])
        )
    assert str(caught.value).startswith(
        f"Cassette({str(path)!r}, redact=...) names 'Token', which is no request "
        "parameter a cassette holds"
    )
    assert "'Body.<member>'" in str(caught.value)
    assert "CustomAttributes" in str(caught.value)
    with pytest.raises(TypeError, match=r"redact=\.\.\.\) must be a collection"):
        Cassette(path, redact="CustomAttributes")
    with pytest.raises(TypeError, match=r"redact=\.\.\.\) must be a collection"):
        Cassette(path, redact=["Body."])
    with pytest.raises(TypeError, match=r"redact=\.\.\.\) must be a collection"):
        Cassette(path, redact=["CustomAttributes", 1])
    with pytest.raises(TypeError, match=r"recorded_by=\.\.\.\) must be a non-empty"):
        Cassette(path, recorded_by="")
