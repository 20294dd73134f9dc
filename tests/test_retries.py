"""retries=True: transient faults go through botocore's own retry logic."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, NoCredentialsError
from botocore.stub import Stubber

from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    FailNext,
    InvokeResult,
    Latency,
    NoResultError,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
)
from tests.conftest import new_client


def retrying_client(mode: str, max_attempts: int | None = None, **config: Any) -> Any:
    """A client with the given retry mode, on its own session."""
    retries: dict[str, Any] = {"mode": mode}
    if max_attempts is not None:
        retries["total_max_attempts"] = max_attempts
    return new_client(config=Config(retries=retries, **config))  # type: ignore[arg-type]


@pytest.fixture(params=["standard", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def retrying(mode: str) -> Iterator[tuple[Any, SageMakerRuntimeStub]]:
    client = retrying_client(mode)
    # A retry that finds nothing queued takes moto's default: the tests here
    # are about the attempts, not the result.
    with SageMakerRuntimeStub(client, retries=True, allow_defaults=True) as stub:
        yield client, stub


@pytest.mark.parametrize(
    "fault",
    [
        ErrorResult.throttling(),
        ErrorResult.service_unavailable(),
        ErrorResult.internal_failure(),
    ],
)
def test_transient_faults_are_retried_until_the_result(
    retrying: tuple[Any, SageMakerRuntimeStub], fault: ErrorResult
) -> None:
    """Two failures, then the queued result; every attempt is in the history."""
    client, stub = retrying
    stub.add_fault(FailNext(fault, times=2))
    stub.queue(InvokeResult(body=b"third time lucky"))
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["Body"].read() == b"third time lucky"
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    calls = stub.calls
    assert [call.attempt for call in calls] == [1, 2, 3]
    assert [call.source for call in calls] == [
        Source.FAULT,
        Source.FAULT,
        Source.QUEUED,
    ]
    assert calls[0].backoff is None
    assert all(call.backoff is not None and call.backoff >= 0 for call in calls[1:])


def test_retries_stop_at_max_attempts(mode: str) -> None:
    """A custom max_attempts: the last error is raised with MaxAttemptsReached."""
    client = retrying_client(mode, max_attempts=4)
    with SageMakerRuntimeStub(client, retries=True) as stub:
        stub.add_fault(FailNext(ErrorResult.service_unavailable(), times=10))
        with pytest.raises(client.exceptions.ServiceUnavailable) as info:
            client.invoke_endpoint(EndpointName="e", Body=b"x")
        attempts = [call.attempt for call in stub.calls]
        stub.clear_faults()
    metadata = info.value.response["ResponseMetadata"]
    assert metadata["RetryAttempts"] == 3
    assert metadata["MaxAttemptsReached"] is True
    assert attempts == [1, 2, 3, 4]


def test_errors_that_are_not_transient_are_not_retried(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    client, stub = retrying
    stub.queue(ErrorResult.model_error(400, "bad input"))
    with pytest.raises(client.exceptions.ModelError) as info:
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(stub.calls) == 1


def test_a_queued_transient_error_is_retried_into_the_next_result(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    """A retry is answered afresh: it takes the next queued result.

    The request then remembers its last answer, the success.
    """
    client, stub = retrying
    stub.queue(
        ErrorResult.throttling(),
        ErrorResult.service_unavailable(),
        InvokeResult(body=b"third"),
    )
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["Body"].read() == b"third"
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    again = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert again["Body"].read() == b"third"
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.QUEUED,
        Source.QUEUED,
        Source.REMEMBERED,
    ]


def test_a_retry_with_nothing_queued_gets_the_default(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    client, stub = retrying
    stub.queue(ErrorResult.service_unavailable())
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["Body"].read() == b"body"
    assert [call.source for call in stub.calls] == [Source.QUEUED, Source.DEFAULT]


def test_a_read_timeout_is_retried(mode: str) -> None:
    """Latency past read_timeout on the first attempt; the retry succeeds."""
    client = retrying_client(mode, read_timeout=0.05)
    with SageMakerRuntimeStub(client, retries=True, allow_defaults=True) as stub:
        stub.add_fault(Latency(5, times=1))
        response = client.invoke_endpoint(EndpointName="e", Body=b"x")
        first, second = stub.calls
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert (first.source, first.fault, first.latency) == (
        Source.FAULT,
        Latency(5, times=1),
        0.05,
    )
    assert (second.attempt, second.source) == (2, Source.DEFAULT)


def test_streams_and_async_calls_are_retried(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    client, stub = retrying
    stub.add_fault(FailNext(ErrorResult.throttling(), times=2))
    stub.queue_stream(StreamResult.text(["a", "b"]))
    stub.queue_async(AsyncResult.success("out"))
    streamed = client.invoke_endpoint_with_response_stream(EndpointName="e", Body=b"x")
    assert [event["PayloadPart"]["Bytes"] for event in streamed["Body"]] == [
        b"a",
        b"b",
    ]
    assert streamed["ResponseMetadata"]["RetryAttempts"] == 2
    stub.add_fault(FailNext(ErrorResult.service_unavailable()))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/b")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert stub.read_output(response["OutputLocation"]) == b"out"


def test_without_retries_mode_the_stub_answers_before_the_retry_handler(
    mode: str,
) -> None:
    """The default: like Stubber, a throttled call fails at once."""
    client = retrying_client(mode)
    with SageMakerRuntimeStub(client) as stub:
        stub.add_fault(FailNext(ErrorResult.throttling()))
        with pytest.raises(ClientError) as info:
            client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert [call.attempt for call in stub.calls] == [1]


def test_stubber_expectations_still_work(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    client, stub = retrying
    stub.add_response(
        "invoke_endpoint",
        {"Body": b"strict", "ContentType": "text/plain"},
        {"EndpointName": "e", "Body": b"x"},
    )
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["ContentType"] == "text/plain"
    assert stub.calls[0].source is Source.STUBBER


def test_backoff_is_slept_when_asked() -> None:
    """sleep_between_retries=True sleeps for botocore's chosen backoff."""
    client = retrying_client("standard")
    stub = SageMakerRuntimeStub(
        client, retries=True, sleep_between_retries=True, allow_defaults=True
    )
    with stub:
        stub.add_fault(FailNext(ErrorResult.throttling()))
        started = time.perf_counter()
        client.invoke_endpoint(EndpointName="e", Body=b"x")
        elapsed = time.perf_counter() - started
        first, second = stub.calls
    assert first.backoff is None
    assert second.backoff is not None
    assert elapsed >= second.backoff


def test_deactivating_restores_signing_and_retry_handlers(mode: str) -> None:
    """After the stub, the client signs (and fails without credentials) again."""
    client = retrying_client(mode)
    with SageMakerRuntimeStub(client, retries=True, allow_defaults=True) as stub:
        stub.add_fault(FailNext(ErrorResult.throttling()))
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    with pytest.raises(NoCredentialsError):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    # botocore's own handler is back: a plain Stubber sees no retries.
    with Stubber(client) as plain:
        plain.add_client_error(
            "invoke_endpoint", "ThrottlingException", http_status_code=400
        )
        with pytest.raises(ClientError):
            client.invoke_endpoint(EndpointName="e", Body=b"x")
    # And a second stub in retries mode still retries.
    with SageMakerRuntimeStub(client, retries=True, allow_defaults=True) as again:
        again.add_fault(FailNext(ErrorResult.throttling()))
        response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["ResponseMetadata"]["RetryAttempts"] == 1


def test_stub_errors_surface_unchanged(mode: str) -> None:
    """NoResultError from inside botocore's endpoint reaches the caller as is."""
    client = retrying_client(mode)
    with SageMakerRuntimeStub(client, retries=True, allow_defaults=False) as stub:
        with pytest.raises(NoResultError, match="No result is queued"):
            client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert [(call.source, call.attempt) for call in stub.calls] == [
            (Source.UNANSWERED, 1)
        ]


def test_refused_requests_are_not_retried(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    client, stub = retrying
    with pytest.raises(client.exceptions.ValidationError) as info:
        client.invoke_endpoint(EndpointName="bad_name", Body=b"x")
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert [call.source for call in stub.calls] == [Source.REJECTED]


def test_the_retry_handler_is_told_of_every_answer(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    """A success answered before the call is still reported to the retry logic,
    as botocore's endpoint reports it: its first attempt, with its response."""
    client, stub = retrying
    seen: list[tuple[int, int | None, str | None]] = []

    def observe(attempts: int, response: Any, **kwargs: Any) -> None:
        http = response[0] if response is not None else None
        code = response[1].get("Error", {}).get("Code") if response else None
        seen.append((attempts, None if http is None else http.status_code, code))

    client.meta.events.register_last(
        "needs-retry.sagemaker-runtime.InvokeEndpoint", observe
    )
    stub.queue(InvokeResult(body=b"first"))
    assert client.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read() == (
        b"first"
    )
    stub.add_fault(FailNext(ErrorResult.throttling()))
    stub.queue(InvokeResult(body=b"second"))
    response = client.invoke_endpoint(EndpointName="e", Body=b"2")
    assert response["Body"].read() == b"second"
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert seen == [(1, 200, None), (1, 400, "ThrottlingException"), (2, 200, None)]


def test_standard_retries_spend_and_refill_the_quota_as_against_the_service() -> None:
    """Standard mode's retry quota drains with failed retries and refills with
    successes, first attempts included (botocore gives a unit back after each):
    throttled calls stop being retried once its 500 units are spent, and
    successes make room again."""
    client = retrying_client("standard", max_attempts=2)
    with SageMakerRuntimeStub(client, retries=True, allow_defaults=True) as stub:

        def throttled_calls(count: int) -> list[int]:
            stub.add_fault(FailNext(ErrorResult.throttling(), times=2 * count))
            attempts = []
            for n in range(count):
                with pytest.raises(ClientError) as info:
                    client.invoke_endpoint(EndpointName="e", Body=f"t{n}".encode())
                attempts.append(
                    info.value.response["ResponseMetadata"]["RetryAttempts"]
                )
            stub.clear_faults()
            return attempts

        spend = throttled_calls(150)  # 5 units a retry: 100 retries spend 500
        assert spend[:100] == [1] * 100
        assert spend[100:] == [0] * 50  # the quota is spent
        for n in range(20):  # each success gives a unit back
            client.invoke_endpoint(EndpointName="e", Body=f"s{n}".encode())
        assert throttled_calls(5)[:4] == [1, 1, 1, 1]


def test_a_slow_success_is_answered_after_its_latency(
    retrying: tuple[Any, SageMakerRuntimeStub],
) -> None:
    """A first attempt that succeeds late is still one attempt, slept for."""
    client, stub = retrying
    stub.add_fault(Latency(0.05, times=1))
    stub.queue(InvokeResult(body=b"late"))
    began = time.perf_counter()
    response = client.invoke_endpoint(EndpointName="e", Body=b"1")
    assert time.perf_counter() - began >= 0.05
    assert response["Body"].read() == b"late"
    assert response["ResponseMetadata"]["RetryAttempts"] == 0
    [call] = stub.calls
    assert (call.attempt, call.latency, call.source) == (1, 0.05, Source.QUEUED)
