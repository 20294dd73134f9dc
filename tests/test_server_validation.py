"""Server-side validation: what botocore lets through and the service refuses."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.config import Config

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, Source
from sagemaker_stub._engine.validation import java_pattern

from .conftest import new_client, refused

_MODEL = botocore.session.get_session().get_service_model("sagemaker-runtime")
_ASYNC_INPUT = _MODEL.operation_model("InvokeEndpointAsync").input_shape
_INLINE_ASYNC_BODY = _ASYNC_INPUT is not None and "Body" in _ASYNC_INPUT.members
needs_inline_async_body = pytest.mark.skipif(
    not _INLINE_ASYNC_BODY, reason="this botocore has no inline async Body"
)

SIX_MB = 6 * 1024 * 1024
ENDPOINT_PATTERN = "^[a-zA-Z0-9](-*[a-zA-Z0-9])*"


@pytest.mark.parametrize(
    "operation", ["invoke_endpoint", "invoke_endpoint_with_response_stream"]
)
@pytest.mark.answer_defaults
def test_a_body_over_6_mb_is_refused(
    client: Any, stub: SageMakerRuntimeStub, operation: str
) -> None:
    """6 MiB is accepted, one byte more is not; the body is not echoed."""
    call = getattr(client, operation)
    call(EndpointName="e", Body=b"x" * SIX_MB)
    message = refused(client, call, EndpointName="e", Body=b"x" * (SIX_MB + 1))
    assert message == (
        "1 validation error detected: Value at 'body' failed to satisfy "
        "constraint: Member must have length less than or equal to 6291456"
    )


def test_a_file_body_over_6_mb_is_refused(
    client: Any, stub: SageMakerRuntimeStub, tmp_path: Any
) -> None:
    """The size is that of the bytes sent, whatever the body was given as."""
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (SIX_MB + 1))
    with path.open("rb") as body:
        message = refused(client, client.invoke_endpoint, EndpointName="e", Body=body)
    assert message.endswith("Member must have length less than or equal to 6291456")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"EndpointName": "my_endpoint"},
            (
                "Value 'my_endpoint' at 'endpointName' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {ENDPOINT_PATTERN}"
            ),
        ),
        (
            {"EndpointName": "e" * 64},
            (
                f"Value '{'e' * 64}' at 'endpointName' failed to satisfy constraint: "
                "Member must have length less than or equal to 63"
            ),
        ),
        (
            {"TargetVariant": "blue green"},
            (
                "Value 'blue green' at 'targetVariant' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {ENDPOINT_PATTERN}"
            ),
        ),
        (
            {"InferenceId": "i" * 65},
            (
                f"Value '{'i' * 65}' at 'inferenceId' failed to satisfy constraint: "
                "Member must have length less than or equal to 64"
            ),
        ),
        (
            # A leading space is no header's (HTTP drops it): DEL is no \p{Print}.
            {"InferenceId": "del\x7f"},
            (
                "Value 'del\x7f' at 'inferenceId' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: \\A\\S[\\p{Print}]*\\z"
            ),
        ),
        (
            {"CustomAttributes": "c" * 1025},
            (
                "Value at 'customAttributes' failed to satisfy constraint: "
                "Member must have length less than or equal to 1024"
            ),
        ),
    ],
)
def test_invoke_endpoint_parameters_follow_the_model(
    client: Any, stub: SageMakerRuntimeStub, params: dict[str, Any], message: str
) -> None:
    """Patterns and maximum lengths from the model, in the service's words."""
    call = {"EndpointName": "e", "Body": b"x", **params}
    assert refused(client, client.invoke_endpoint, **call) == (
        f"1 validation error detected: {message}"
    )


def test_every_broken_constraint_is_listed(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """One message for the whole request, as the service sends it."""
    message = refused(
        client,
        client.invoke_endpoint,
        EndpointName="bad_name",
        Body=b"x",
        TargetVariant="v" * 64,
    )
    assert message == (
        "2 validation errors detected: Value 'bad_name' at 'endpointName' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{ENDPOINT_PATTERN}; Value '{'v' * 64}' at 'targetVariant' failed to "
        "satisfy constraint: Member must have length less than or equal to 63"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"InputLocation": "qwer"},
            (
                "Value 'qwer' at 'inputLocation' failed to satisfy constraint: Member "
                "must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$"
            ),
        ),
        (
            {"InputLocation": "s3://in/x", "RequestTTLSeconds": 21601},
            (
                "Value '21601' at 'requestTTLSeconds' failed to satisfy constraint: "
                "Member must have value less than or equal to 21600"
            ),
        ),
        (
            {"InputLocation": "s3://in/x", "InvocationTimeoutSeconds": 3601},
            (
                "Value '3601' at 'invocationTimeoutSeconds' failed to satisfy "
                "constraint: Member must have value less than or equal to 3600"
            ),
        ),
    ],
)
def test_async_parameters_follow_the_model(
    client: Any, stub: SageMakerRuntimeStub, params: dict[str, Any], message: str
) -> None:
    assert refused(
        client, client.invoke_endpoint_async, EndpointName="e", **params
    ) == (f"1 validation error detected: {message}")


@pytest.mark.answer_defaults
def test_async_ranges_accept_their_bounds(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    response = client.invoke_endpoint_async(
        EndpointName="e",
        InputLocation="https://example.com/in/x",
        RequestTTLSeconds=21600,
        InvocationTimeoutSeconds=3600,
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202


@needs_inline_async_body
def test_async_needs_exactly_one_of_body_and_input_location(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    both = refused(
        client,
        client.invoke_endpoint_async,
        EndpointName="e",
        Body=b"x",
        InputLocation="s3://in/x",
    )
    neither = refused(client, client.invoke_endpoint_async, EndpointName="e")
    assert both == "Only one of InputLocation and Body may be specified."
    assert neither == "One of InputLocation or Body must be specified."


@needs_inline_async_body
@pytest.mark.answer_defaults
def test_an_inline_async_body_over_128000_bytes_is_refused(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    client.invoke_endpoint_async(EndpointName="e", Body=b"x" * 128_000)
    message = refused(
        client, client.invoke_endpoint_async, EndpointName="e", Body=b"x" * 128_001
    )
    assert message == (
        "1 validation error detected: Value at 'body' failed to satisfy "
        "constraint: Member must have length less than or equal to 128000"
    )


def test_refused_calls_keep_their_results_and_are_recorded(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.queue(InvokeResult(body=b"kept"))
    refused(client, client.invoke_endpoint, EndpointName="bad_name", Body=b"x")
    assert client.invoke_endpoint(EndpointName="good", Body=b"x")["Body"].read() == (
        b"kept"
    )
    assert [call.source for call in stub.calls] == [Source.REJECTED, Source.QUEUED]


def test_validation_can_be_turned_off() -> None:
    """validate=False sends odd input through, as moto does."""
    client = new_client()
    with SageMakerRuntimeStub(client, validate=False, allow_defaults=True) as stub:
        stub.queue(InvokeResult(body=b"through"))
        response = client.invoke_endpoint(
            EndpointName="my_endpoint", Body=b"x" * (SIX_MB + 1)
        )
        async_response = client.invoke_endpoint_async(
            EndpointName="e", InputLocation="qwer"
        )
    assert response["Body"].read() == b"through"
    assert async_response["ResponseMetadata"]["HTTPStatusCode"] == 202


@pytest.mark.parametrize(
    ("pattern", "accepted", "refused"),
    [
        ("\\p{ASCII}*", ["", "text/csv; q=1", "\x00\x7f"], ["caf\u00e9"]),
        ("\\A\\S[\\p{Print}]*\\z", ["a", "a b~"], ["", " a", "a\n", "a\u00e9"]),
        ("[\\p{Alnum}\\-]+", ["a-1"], ["a_1"]),
        ("^[a-zA-Z0-9](-*[a-zA-Z0-9])*", ["a--b"], ["a-", "-a"]),
    ],
)
def test_java_patterns_translate(
    pattern: str, accepted: list[str], refused: list[str]
) -> None:
    r"""POSIX classes inside and outside sets, and ``\z``, mean what Java means."""
    compiled = java_pattern(pattern)
    assert compiled is not None
    assert [value for value in accepted if compiled.fullmatch(value)] == accepted
    assert [value for value in refused if compiled.fullmatch(value)] == []


def test_an_unknown_java_class_is_not_enforced() -> None:
    """A construct that cannot be translated never refuses valid input."""
    assert java_pattern("\\p{IsAlphabetic}+") is None


def test_every_pattern_in_the_model_translates() -> None:
    """So none of the service's checks is silently skipped."""
    patterns = {
        member.metadata["pattern"]
        for name in _MODEL.operation_names
        for member in (_MODEL.operation_model(name).input_shape.members.values())  # type: ignore[union-attr]
        if "pattern" in member.metadata
    }
    assert patterns
    assert [pattern for pattern in patterns if java_pattern(pattern) is None] == []


def test_minimums_are_checked_when_botocore_does_not() -> None:
    """With parameter_validation off, the stub still refuses a TTL under 60."""
    client = new_client(config=Config(parameter_validation=False))
    with SageMakerRuntimeStub(client):
        message = refused(
            client,
            client.invoke_endpoint_async,
            EndpointName="e",
            InputLocation="s3://in/x",
            RequestTTLSeconds=59,
        )
    assert message == (
        "1 validation error detected: Value '59' at 'requestTTLSeconds' failed to "
        "satisfy constraint: Member must have value greater than or equal to 60"
    )


@pytest.mark.answer_defaults
def test_many_valid_names_pass_and_a_bad_one_is_still_refused(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Passing names are remembered up to a bound; every name is still checked."""
    for index in range(300):
        client.invoke_endpoint(EndpointName=f"endpoint-{index}", Body=b"x")
    assert {call.source for call in stub.calls} == {Source.DEFAULT}
    message = refused(client, client.invoke_endpoint, EndpointName="bad_", Body=b"x")
    assert message.startswith("1 validation error detected: Value 'bad_' at ")
