"""Bad input fails where the user made it, naming field, value and expectation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    NoResultError,
    PendingResultsError,
    SageMakerRuntimeStub,
    Source,
    StreamError,
    StreamResult,
)


def _refused(value: object) -> str:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError as error:
        return str(error)
    raise AssertionError(value)  # pragma: no cover - json refuses NaN


#: json's own words for NaN, which Python 3.13 changed (": nan" added).
NAN_REFUSED = _refused(float("nan"))


CONSTRUCTION_ERRORS: list[tuple[Callable[[], object], type[Exception], str]] = [
    (
        lambda: InvokeResult(body=b"x", close_session="yes"),  # type: ignore[arg-type]
        TypeError,
        "InvokeResult.close_session must be a bool; got 'yes' (str).",
    ),
    (
        lambda: InvokeResult(body=42),  # type: ignore[arg-type]
        TypeError,
        "InvokeResult.body must be bytes or str; got 42 (int).",
    ),
    (
        lambda: InvokeResult(body=b"x", content_type="tëxt"),
        ValueError,
        (
            "InvokeResult.content_type is sent as an HTTP header, so it must be "
            "printable ASCII on one line; got 'tëxt', which contains 'ë'."
        ),
    ),
    (
        lambda: InvokeResult(body=b"x", content_type=5),  # type: ignore[arg-type]
        TypeError,
        "InvokeResult.content_type must be a str; got 5 (int).",
    ),
    (
        lambda: InvokeResult(body=b"x", custom_attributes="a\nb"),
        ValueError,
        (
            "InvokeResult.custom_attributes is sent as an HTTP header, so it must be "
            "printable ASCII on one line; got 'a\\nb', which contains '\\n'."
        ),
    ),
    (
        lambda: InvokeResult.json({"a": {1, 2}}),
        TypeError,
        (
            "InvokeResult.json(obj) must be JSON-serialisable; got {'a': {1, 2}} "
            "(dict), which json cannot encode: Object of type set is not JSON "
            "serializable."
        ),
    ),
    (
        lambda: InvokeResult.json(float("nan")),
        TypeError,
        (
            "InvokeResult.json(obj) must be JSON-serialisable; got nan (float), which "
            f"json cannot encode: {NAN_REFUSED}."
        ),
    ),
    (
        lambda: InvokeResult.text(b"x"),  # type: ignore[arg-type]
        TypeError,
        "InvokeResult.text(text) must be a str; got b'x' (bytes).",
    ),
    (
        lambda: AsyncResult(data="x"),  # type: ignore[arg-type]
        TypeError,
        (
            "AsyncResult.data must be bytes; got 'x' (str). AsyncResult.success() and "
            "AsyncResult.failure() also take str or a JSON-serialisable object."
        ),
    ),
    (
        lambda: AsyncResult(data=b"x", is_failure=1),  # type: ignore[arg-type]
        TypeError,
        "AsyncResult.is_failure must be a bool; got 1 (int).",
    ),
    (
        lambda: AsyncResult.failure({"when": ...}),
        TypeError,
        (
            "AsyncResult.failure(data) must be JSON-serialisable; got {'when': "
            "Ellipsis} (dict), which json cannot encode: Object of type ellipsis is "
            "not JSON serializable."
        ),
    ),
    (
        lambda: AsyncResult.success("x", available_after=-1),
        ValueError,
        (
            "AsyncResult.available_after must be an int of 0 or more (reads before the "
            "object appears); got -1 (int)."
        ),
    ),
    (
        lambda: AsyncResult.failure("x", hold="yes"),  # type: ignore[arg-type]
        TypeError,
        "AsyncResult.hold must be a bool; got 'yes' (str).",
    ),
    (
        lambda: ErrorResult(code="X", status_code=200),
        ValueError,
        (
            "ErrorResult.status_code must be an int HTTP error status from 300 to "
            "599; got 200 (int)."
        ),
    ),
    (
        lambda: ErrorResult(code=""),
        ValueError,
        (
            "ErrorResult.code must be an error code such as 'ModelError' or "
            "'ThrottlingException'; got '' (str)."
        ),
    ),
    (
        lambda: ErrorResult(code="Bad\r\nCode"),
        ValueError,
        (
            "ErrorResult.code is sent as an HTTP header, so it must be printable "
            "ASCII on one line; got 'Bad\\r\\nCode', which contains '\\r'."
        ),
    ),
    (
        lambda: ErrorResult(code=1),  # type: ignore[arg-type]
        TypeError,
        "ErrorResult.code must be a str; got 1 (int).",
    ),
    (
        lambda: ErrorResult(code="X", remember="yes"),  # type: ignore[arg-type]
        TypeError,
        "ErrorResult.remember must be a bool; got 'yes' (str).",
    ),
    (
        lambda: ErrorResult(code="X", message=3),  # type: ignore[arg-type]
        TypeError,
        "ErrorResult.message must be a str or None; got 3 (int).",
    ),
    (
        lambda: ErrorResult(code="X", fields={"k": object}),
        TypeError,
        (
            "ErrorResult.fields must be JSON-serialisable; got {'k': <class "
            "'object'>} (dict), which json cannot encode: Object of type type is "
            "not JSON serializable."
        ),
    ),
    (
        lambda: ErrorResult(code="X", fields={"k": float("nan")}),
        TypeError,
        (
            "ErrorResult.fields must be JSON-serialisable; got {'k': nan} (dict), "
            f"which json cannot encode: {NAN_REFUSED}."
        ),
    ),
    (
        lambda: ErrorResult.model_error(original_status_code=99999),
        ValueError,
        (
            "ErrorResult.model_error(original_status_code) must be an HTTP status "
            "from 100 to 599; got 99999 (int)."
        ),
    ),
    (
        lambda: ErrorResult.model_error(original_status_code=-5),
        ValueError,
        (
            "ErrorResult.model_error(original_status_code) must be an HTTP status "
            "from 100 to 599; got -5 (int)."
        ),
    ),
    (
        lambda: InvokeResult(body=b"x", content_type=""),
        ValueError,
        "InvokeResult.content_type must not be empty; got '' (str).",
    ),
    (
        lambda: InvokeResult.json({}, status=200),  # type: ignore[call-arg]
        TypeError,
        (
            "InvokeResult.json() got an unexpected keyword argument 'status'; it "
            "takes content_type, invoked_production_variant, custom_attributes, "
            "close_session."
        ),
    ),
    (
        lambda: AsyncResult.success({}, delay=1),  # type: ignore[call-arg]
        TypeError,
        (
            "AsyncResult.success() got an unexpected keyword argument 'delay'; it "
            "takes content_type, available_after, hold."
        ),
    ),
    (
        lambda: ErrorResult(code="X", fields=[1]),  # type: ignore[arg-type]
        TypeError,
        "ErrorResult.fields must be a mapping; got [1] (list).",
    ),
    (
        lambda: ErrorResult.model_error(original_status_code="500"),  # type: ignore[arg-type]
        TypeError,
        (
            "ErrorResult.model_error(original_status_code) must be an int; got '500' "
            "(str)."
        ),
    ),
    (
        lambda: ErrorResult.model_error(original_message=3),  # type: ignore[arg-type]
        TypeError,
        "ErrorResult.model_error(original_message) must be a str; got 3 (int).",
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), CONSTRUCTION_ERRORS)
def test_results_are_validated_when_built(
    make: Callable[[], object], error: type[Exception], message: str
) -> None:
    """Each bad field fails at construction with an exact message, which
    says all there is: no second traceback of json's own error beneath it."""
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ or info.value.__context__ is None


def test_bytes_like_bodies_are_copied_to_bytes() -> None:
    """bytearray and memoryview bodies are accepted and frozen as bytes."""
    data = bytearray(b"abc")
    result = InvokeResult(body=data)
    data[0] = ord("z")
    assert result.body == b"abc"
    assert InvokeResult(body=memoryview(b"mv")).body == b"mv"


def test_results_are_frozen() -> None:
    """A queued result cannot change behind the stub's back."""
    result = InvokeResult(body=b"x")
    with pytest.raises(AttributeError):
        result.body = b"y"  # type: ignore[misc]


def test_long_bodies_are_shortened_in_reprs() -> None:
    """Messages and reports stay readable with large payloads."""
    result = InvokeResult(body=b"x" * 1000)
    assert repr(result) == (
        "InvokeResult(body=b'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... "
        "(1000 bytes), content_type='application/octet-stream', "
        "invoked_production_variant=SERVING_VARIANT, custom_attributes=None, "
        "close_session=False)"
    )


QUEUE_ERRORS: list[
    tuple[Callable[[SageMakerRuntimeStub], None], type[Exception], str]
] = [
    (
        lambda stub: stub.queue([InvokeResult(body=b"x")]),  # type: ignore[arg-type]
        TypeError,
        (
            "stub.queue() takes InvokeResult or ErrorResult; result 1 is "
            "[InvokeResult(body=b'x', content_type='application/octet-stream', "
            "invoked_pro... (list). Pass results one by one, or unpack the list: "
            "stub.queue(*results)."
        ),
    ),
    (
        lambda stub: stub.queue(AsyncResult(data=b"x")),  # type: ignore[arg-type]
        TypeError,
        (
            "stub.queue() takes InvokeResult or ErrorResult; result 1 is "
            "AsyncResult(data=b'x', is_failure=False, "
            "content_type='application/octet-stre... "
            "(AsyncResult). Queue AsyncResult objects with stub.queue_async()."
        ),
    ),
    (
        lambda stub: stub.queue_async(InvokeResult(body=b"x")),  # type: ignore[arg-type]
        TypeError,
        (
            "stub.queue_async() takes AsyncResult or ErrorResult; result 1 is "
            "InvokeResult(body=b'x', "
            "content_type='application/octet-stream', invoked_prod... "
            "(InvokeResult). Queue InvokeResult objects with stub.queue()."
        ),
    ),
    (
        lambda stub: stub.queue(InvokeResult(body=b"x"), b"raw"),  # type: ignore[arg-type]
        TypeError,
        "stub.queue() takes InvokeResult or ErrorResult; result 2 is b'raw' (bytes).",
    ),
    (
        lambda stub: stub.queue(),
        TypeError,
        "stub.queue() needs at least one result.",
    ),
    (
        lambda stub: stub.queue(
            InvokeResult(body=b"ok"),
            InvokeResult(body=b"x", custom_attributes="a" * 1025),
        ),
        ValueError,
        (
            "stub.queue(): result 2 has InvokeResult.custom_attributes of 1025 "
            "characters, over the 1024 characters the service allows for "
            "InvokeEndpoint "
            "CustomAttributes; got "
            "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaa... (str)."
        ),
    ),
    (
        lambda stub: stub.queue(InvokeResult(body=b"x" * 6291457)),
        ValueError,
        (
            "stub.queue(): result 1 has InvokeResult.body of 6291457 bytes, over the "
            "6291456 bytes the service allows for InvokeEndpoint Body; got "
            "b'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (6291457 bytes)."
        ),
    ),
    (
        lambda stub: stub.queue_async(ErrorResult.model_error()),
        ValueError,
        (
            "stub.queue_async(): result 1 is a ModelError, which InvokeEndpointAsync "
            "never returns; it returns InternalFailure, ServiceUnavailable, "
            "ValidationError (and unmodeled errors such as ThrottlingException)."
        ),
    ),
    (
        lambda stub: stub.queue(InvokeResult(body=b"x"), endpoint_name="bad name"),
        ValueError,
        (
            "stub.queue(endpoint_name=...) is 'bad name', which is not a valid "
            "EndpointName: the service accepts at most 63 characters matching "
            "^[a-zA-Z0-9](-*[a-zA-Z0-9])*."
        ),
    ),
    (
        lambda stub: stub.queue(InvokeResult(body=b"x"), endpoint_name=3),  # type: ignore[arg-type]
        TypeError,
        "stub.queue(endpoint_name=...) must be a str; got 3 (int).",
    ),
]


QUEUE_ERRORS += [
    (
        lambda stub: stub.queue_stream(ErrorResult(code="ModelStreamError")),
        ValueError,
        (
            "stub.queue_stream(): result 1 is an ErrorResult with code "
            "ModelStreamError, "
            "which the service sends inside a response stream. Queue StreamResult("
            "parts=[...], error=StreamError.model_stream_error(...)) with "
            "stub.queue_stream() instead."
        ),
    ),
    (
        lambda stub: stub.queue(ErrorResult(code="InternalStreamFailure")),
        ValueError,
        (
            "stub.queue(): result 1 is an ErrorResult with code InternalStreamFailure, "
            "which the service sends inside a response stream. Queue StreamResult("
            "parts=[...], error=StreamError.internal_stream_failure(...)) with "
            "stub.queue_stream() instead."
        ),
    ),
    (
        lambda stub: stub.queue_stream(StreamResult(parts=[], content_type="x" * 1025)),
        ValueError,
        (
            "stub.queue_stream(): result 1 has StreamResult.content_type of 1025 "
            "characters, over the 1024 characters the service allows for "
            "InvokeEndpointWithResponseStream ContentType; got "
            "'xxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx... (str)."
        ),
    ),
    (
        lambda stub: stub.queue(StreamResult(parts=[])),  # type: ignore[arg-type]
        TypeError,
        (
            "stub.queue() takes InvokeResult or ErrorResult; result 1 is StreamResult("
            "parts=(), error=None, content_type='application/octet-stream', i... "
            "(StreamResult). Queue StreamResult objects with stub.queue_stream()."
        ),
    ),
]


STREAM_CONSTRUCTION_ERRORS: list[
    tuple[Callable[[], object], type[Exception], str | None]
] = [
    (
        lambda: StreamResult(parts=b"whole body"),  # type: ignore[arg-type]
        TypeError,
        (
            "StreamResult.parts must be a sequence of bytes or str, one per "
            "PayloadPart; "
            "got b'whole body' (bytes). Wrap a single body in a list, or split it with "
            "StreamResult.chunked()."
        ),
    ),
    (
        lambda: StreamResult(parts=[b"a", 3]),  # type: ignore[list-item]
        TypeError,
        "StreamResult.parts[1] must be bytes or str; got 3 (int).",
    ),
    (
        lambda: StreamResult(parts=[], error="boom"),  # type: ignore[arg-type]
        TypeError,
        "StreamResult.error must be a StreamError or None; got 'boom' (str).",
    ),
    (
        lambda: StreamResult.text("abc"),
        TypeError,
        (
            "StreamResult.text(tokens) takes a sequence of str tokens, one per "
            "part; got 'abc' (str). Wrap a single token in a list."
        ),
    ),
    (
        lambda: StreamResult.json_lines([], status=200),  # type: ignore[call-arg]
        TypeError,
        (
            "StreamResult.json_lines() got an unexpected keyword argument 'status'; "
            "it takes content_type, error, invoked_production_variant, "
            "custom_attributes."
        ),
    ),
    (
        lambda: StreamError(code="ModelStreamError", message=7),  # type: ignore[arg-type]
        TypeError,
        "StreamError.message must be a str; got 7 (int).",
    ),
    (
        lambda: StreamResult.text(["a", b"b"]),  # type: ignore[list-item]
        TypeError,
        "StreamResult.text(tokens) takes str tokens; got b'b' (bytes).",
    ),
    (
        lambda: StreamResult.json_lines([{"a": 1}, {2, 3}]),
        TypeError,
        (
            "StreamResult.json_lines(objects)[1] must be JSON-serialisable; got {2, 3} "
            "(set), which json cannot encode: Object of type set is not JSON "
            "serializable."
        ),
    ),
    (
        lambda: StreamResult.server_sent_events([object]),
        TypeError,
        (
            "StreamResult.server_sent_events(events)[0] must be JSON-serialisable; got "
            "<class 'object'> (type), which json cannot encode: Object of type type is "
            "not JSON serializable."
        ),
    ),
    (
        lambda: StreamResult.chunked(b"abc", 0),
        ValueError,
        "StreamResult.chunked(size) must be a positive int; got 0 (int).",
    ),
    (
        lambda: StreamError(code="ModelError", message="m"),
        ValueError,
        (
            "StreamError.code must be one of ModelStreamError, InternalStreamFailure; "
            "got 'ModelError' (str)."
        ),
    ),
]


@pytest.mark.parametrize(("make", "error", "message"), STREAM_CONSTRUCTION_ERRORS)
def test_stream_results_are_validated_when_built(
    make: Callable[[], object], error: type[Exception], message: str
) -> None:
    """Each bad stream field fails at construction."""
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(("queue", "error", "message"), QUEUE_ERRORS)
def test_results_are_checked_against_the_model_when_queued(
    client: Any,
    queue: Callable[[SageMakerRuntimeStub], None],
    error: type[Exception],
    message: str,
) -> None:
    """The line that queues a bad result fails, and nothing is queued."""
    stub = SageMakerRuntimeStub(client)
    with pytest.raises(error) as info:
        queue(stub)
    assert str(info.value) == message
    assert stub.pending_results() == []


def test_unmodeled_error_codes_may_be_queued(client: Any) -> None:
    """Codes the service does not model (AWS-wide ones) are accepted."""
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(ErrorResult(code="AccessDeniedException", status_code=403))
        with pytest.raises(client.exceptions.ClientError) as info:
            client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert info.value.response["Error"] == {
        "Code": "AccessDeniedException",
        "Message": "AccessDeniedException",
    }


def test_without_defaults_an_unqueued_call_names_the_request(client: Any) -> None:
    """allow_defaults=False: the call raises, saying what was asked and how to fix."""
    with SageMakerRuntimeStub(client, allow_defaults=False) as stub:
        stub.queue(InvokeResult(body=b"x"), endpoint_name="other")
        with pytest.raises(NoResultError) as info:
            client.invoke_endpoint(
                EndpointName="churn", Body=b'{"f": 1}', Accept="application/json"
            )
        assert str(info.value) == (
            "No result is queued for InvokeEndpoint on endpoint 'churn'.\n"
            "Request: Accept='application/json', Body of 8 bytes b'{\"f\": 1}'.\n"
            "Results are queued only for other endpoints: 'other'.\n"
            "Queue one with stub.queue(InvokeResult(...), endpoint_name='churn') or "
            "stub.queue(InvokeResult(...)) for any endpoint."
        )
        with pytest.raises(NoResultError) as info:
            client.invoke_endpoint_async(EndpointName="churn", InputLocation="s3://a/b")
        assert str(info.value) == (
            "No result is queued for InvokeEndpointAsync on endpoint 'churn'.\n"
            "Request: InputLocation='s3://a/b', no Body.\n"
            "Results are queued only for other endpoints: 'other'.\n"
            "Queue one with stub.queue_async(AsyncResult.success(...), "
            "endpoint_name='churn') or stub.queue_async(AsyncResult.success(...)) "
            "for any endpoint."
        )
        client.invoke_endpoint(EndpointName="other", Body=b"x")
        assert [call.source for call in stub.calls] == [
            Source.UNANSWERED,
            Source.UNANSWERED,
            Source.QUEUED,
        ]
        assert stub.calls[0].result is None


def test_without_defaults_and_nothing_queued_anywhere(client: Any) -> None:
    """With no other endpoint queued, the message leaves that line out."""
    with (
        SageMakerRuntimeStub(client, allow_defaults=False),
        pytest.raises(NoResultError) as info,
    ):
        client.invoke_endpoint(EndpointName="churn", Body=b"")
    assert str(info.value).splitlines()[1:] == [
        "Request: no Body.",
        (
            "Queue one with stub.queue(InvokeResult(...), endpoint_name='churn') or "
            "stub.queue(InvokeResult(...)) for any endpoint."
        ),
    ]


def test_assert_no_pending_results_lists_each_unused_result(client: Any) -> None:
    """Every unused result, with its queue and where it was queued."""
    stub = SageMakerRuntimeStub(client)
    stub.queue(InvokeResult.text("a"))
    stub.queue_async(AsyncResult.failure("b"), endpoint_name="churn")
    lines = [item.origin for item in stub.pending_results()]
    with pytest.raises(PendingResultsError) as info:
        stub.assert_no_pending_results()
    assert str(info.value) == (
        "2 queued results were never used:\n"
        "  1. InvokeResult(body=b'a', content_type='text/plain; charset=utf-8', "
        "invoked_production_variant=SERVING_VARIANT, custom_attributes=None, "
        "close_session=False) for "
        f"InvokeEndpoint on any endpoint, queued at {lines[0]}\n"
        "  2. AsyncResult(data=b'b', is_failure=True, content_type='text/plain; "
        "charset=utf-8', available_after=0, hold=False) for InvokeEndpointAsync on "
        "endpoint 'churn', queued at "
        f"{lines[1]}"
    )
    assert [item.result for item in info.value.pending] == [
        InvokeResult.text("a"),
        AsyncResult.failure("b"),
    ]
    assert all(line.startswith("tests/test_validation.py:") for line in lines)
