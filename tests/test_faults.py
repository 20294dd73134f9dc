"""Fault injection: errors and latency by policy, deterministic, recorded."""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    FailEvery,
    FailNext,
    FailRandomly,
    InvokeResult,
    Latency,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
    UnusedResultsWarning,
)

from .conftest import new_client


def _outcomes(client: Any, count: int, endpoint: str = "e") -> list[str]:
    """Call ``count`` times with distinct bodies: the error code, or "ok"."""
    seen = []
    for index in range(count):
        try:
            client.invoke_endpoint(EndpointName=endpoint, Body=str(index))
        except ClientError as error:
            seen.append(error.response["Error"]["Code"])
        else:
            seen.append("ok")
    return seen


def test_fail_next_then_the_queued_result(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The first two calls are throttled, the third gets the result."""
    stub.add_fault(FailNext(ErrorResult.throttling(), times=2))
    stub.queue(InvokeResult(body=b"finally"))
    for _ in range(2):
        with pytest.raises(ClientError) as info:
            client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert info.value.response["Error"] == {
            "Code": "ThrottlingException",
            "Message": "Rate exceeded",
        }
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["Body"].read() == b"finally"
    sources = [call.source for call in stub.calls]
    assert sources == [Source.FAULT, Source.FAULT, Source.QUEUED]
    assert stub.calls[0].fault == FailNext(ErrorResult.throttling(), times=2)
    assert stub.calls[0].result == ErrorResult.throttling()
    assert stub.calls[2].fault is None


def test_a_modeled_fault_raises_its_client_class(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(FailNext(ErrorResult.model_not_ready()))
    with pytest.raises(client.exceptions.ModelNotReadyException) as info:
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


@pytest.mark.answer_defaults
def test_fail_every_nth(client: Any, stub: SageMakerRuntimeStub) -> None:
    stub.add_fault(FailEvery(ErrorResult.service_unavailable(), nth=3))
    assert _outcomes(client, 7) == [
        "ok",
        "ok",
        "ServiceUnavailable",
        "ok",
        "ok",
        "ServiceUnavailable",
        "ok",
    ]


def _random_run(seed: int) -> list[str]:
    client = new_client()
    with SageMakerRuntimeStub(client, allow_defaults=True) as stub:
        stub.add_fault(
            FailRandomly(ErrorResult.internal_failure(), probability=0.5, seed=seed)
        )
        return _outcomes(client, 40)


def test_fail_randomly_repeats_for_a_seed() -> None:
    """The same seed and calls give the same failures; another seed differs."""
    first, again, other = _random_run(7), _random_run(7), _random_run(8)
    assert first == again
    assert first != other
    assert set(first) == {"ok", "InternalFailure"}


def test_a_probability_of_one_fails_every_call(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(FailRandomly(ErrorResult.internal_failure(), probability=1))
    assert _outcomes(client, 3) == ["InternalFailure"] * 3


@pytest.mark.answer_defaults
def test_faults_can_be_scoped_to_an_endpoint(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(FailNext(ErrorResult.throttling()), endpoint_name="slow")
    assert _outcomes(client, 1, endpoint="fast") == ["ok"]
    assert _outcomes(client, 1, endpoint="slow") == ["ThrottlingException"]


@pytest.mark.answer_defaults
def test_faults_can_be_scoped_to_operations(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(
        FailNext(ErrorResult.service_unavailable(), times=2),
        operations=["InvokeEndpointAsync"],
    )
    client.invoke_endpoint(EndpointName="e", Body=b"x")
    for location in ("s3://in/1", "s3://in/2"):
        with pytest.raises(client.exceptions.ServiceUnavailable):
            client.invoke_endpoint_async(EndpointName="e", InputLocation=location)
    events = client.invoke_endpoint_with_response_stream(EndpointName="e", Body=b"x")
    assert [event["PayloadPart"]["Bytes"] for event in events["Body"]] == [b"body"]


def test_a_model_error_fault_skips_operations_that_never_return_it(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """By default a fault applies where the service could send its error."""
    stub.add_fault(FailEvery(ErrorResult.model_error(500, "boom"), nth=1))
    stub.queue_async(AsyncResult.success("fine"))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/b")
    assert stub.read_output(response["OutputLocation"]) == b"fine"
    with pytest.raises(client.exceptions.ModelError):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    with pytest.raises(client.exceptions.ModelError):
        client.invoke_endpoint_with_response_stream(EndpointName="e", Body=b"x")


def test_stream_faults_fail_before_the_stream(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(FailNext(ErrorResult.throttling()))
    stub.queue_stream(StreamResult.text(["a", "b"]))
    with pytest.raises(ClientError):
        client.invoke_endpoint_with_response_stream(EndpointName="e", Body=b"x")
    events = client.invoke_endpoint_with_response_stream(EndpointName="e", Body=b"x")
    assert [event["PayloadPart"]["Bytes"] for event in events["Body"]] == [b"a", b"b"]


def test_only_the_first_error_policy_answers(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Policies are checked in order; a later one still counts the call."""
    stub.add_fault(FailNext(ErrorResult.throttling()))
    stub.add_fault(FailEvery(ErrorResult.internal_failure(), nth=2))
    stub.add_fault(FailNext(ErrorResult.service_unavailable()))
    assert _outcomes(client, 4) == [
        "ThrottlingException",
        "InternalFailure",
        "ServiceUnavailable",
        "InternalFailure",
    ]


@pytest.mark.answer_defaults
def test_clear_faults(client: Any, stub: SageMakerRuntimeStub) -> None:
    stub.add_fault(FailEvery(ErrorResult.throttling(), nth=1))
    stub.clear_faults()
    assert _outcomes(client, 2) == ["ok", "ok"]


@pytest.mark.answer_defaults
def test_latency_delays_the_call_and_is_recorded(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_fault(Latency(0.05, times=1))
    started = time.perf_counter()
    client.invoke_endpoint(EndpointName="e", Body=b"x")
    elapsed = time.perf_counter() - started
    client.invoke_endpoint(EndpointName="e", Body=b"y")
    assert elapsed >= 0.05
    assert [call.latency for call in stub.calls] == [0.05, 0.0]
    assert stub.calls[0].source is Source.DEFAULT


def test_latency_past_the_read_timeout_times_out() -> None:
    """A delay of at least read_timeout raises botocore's ReadTimeoutError."""
    client = new_client(config=Config(read_timeout=0.05, retries={"max_attempts": 0}))
    with SageMakerRuntimeStub(client) as stub:
        stub.add_fault(Latency(30))
        started = time.perf_counter()
        with pytest.raises(ReadTimeoutError):
            client.invoke_endpoint(EndpointName="e", Body=b"x")
        elapsed = time.perf_counter() - started
        (call,) = stub.calls
    assert 0.05 <= elapsed < 30
    assert call.source is Source.FAULT
    assert call.fault == Latency(30)
    assert call.latency == 0.05
    assert call.result is None


def test_unfired_counted_faults_are_reported(client: Any) -> None:
    """A FailNext that never fired is an unused expectation."""
    stub = SageMakerRuntimeStub(client)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with stub:
            stub.add_fault(FailNext(ErrorResult.throttling(), times=2))
            stub.add_fault(FailEvery(ErrorResult.throttling(), nth=9))
            _outcomes(client, 1)
    (warning,) = record
    assert warning.category is UnusedResultsWarning
    assert str(warning.message).startswith(
        "1 queued result was never used:\n"
        "  1. FailNext(error=ErrorResult(code='ThrottlingException', "
        "message='Rate exceeded', status_code=400, fields={}, remember=False), "
        "times=2) for "
        "InvokeEndpoint, InvokeEndpointAsync, InvokeEndpointWithResponseStream "
        "on any endpoint, queued at tests/test_faults.py:"
    )


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: FailNext("ThrottlingException"),  # type: ignore[arg-type]
            TypeError,
            (
                "FailNext.error must be an ErrorResult, such as "
                "ErrorResult.throttling(); got 'ThrottlingException' (str)."
            ),
        ),
        (
            lambda: FailNext(ErrorResult.throttling(), times=0),
            ValueError,
            "FailNext.times must be a positive int; got 0 (int).",
        ),
        (
            lambda: FailEvery(ErrorResult.throttling(), nth=True),
            ValueError,
            "FailEvery.nth must be a positive int; got True (bool).",
        ),
        (
            lambda: FailRandomly(ErrorResult.throttling(), probability=1.5),
            ValueError,
            (
                "FailRandomly.probability must be a number above 0 and at most 1; "
                "got 1.5 (float)."
            ),
        ),
        (
            lambda: FailRandomly(ErrorResult.throttling(), 0.5, seed="7"),  # type: ignore[arg-type]
            TypeError,
            "FailRandomly.seed must be an int; got '7' (str).",
        ),
        (
            lambda: Latency(-1),
            ValueError,
            (
                "Latency.seconds must be a finite number of seconds of 0 or more; "
                "got -1 (int)."
            ),
        ),
        (
            lambda: Latency(float("nan")),
            ValueError,
            (
                "Latency.seconds must be a finite number of seconds of 0 or more; "
                "got nan (float)."
            ),
        ),
        (
            lambda: Latency(float("inf")),
            ValueError,
            (
                "Latency.seconds must be a finite number of seconds of 0 or more; "
                "got inf (float)."
            ),
        ),
        (
            lambda: Latency(1, times=0),
            ValueError,
            "Latency.times must be a positive int; got 0 (int).",
        ),
    ],
)
def test_bad_policies_fail_where_they_are_built(
    make: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        make()
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"fault": ErrorResult.throttling()},
            TypeError,
            (
                "stub.add_fault() takes one of FailNext, FailEvery, FailRandomly, "
                "Latency; got ErrorResult(code='ThrottlingException', message='Rate "
                "exceeded', status_code=... (ErrorResult)."
            ),
        ),
        (
            {
                "fault": FailNext(ErrorResult.model_error()),
                "operations": ["InvokeEndpointAsync"],
            },
            ValueError,
            (
                "stub.add_fault(): the fault's error is a ModelError, which "
                "InvokeEndpointAsync never returns; it returns InternalFailure, "
                "ServiceUnavailable, ValidationError (and unmodeled errors such as "
                "ThrottlingException)."
            ),
        ),
        (
            {"fault": Latency(1), "operations": ["GetObject"]},
            ValueError,
            (
                "stub.add_fault(operations=...): 'GetObject' is not an operation the "
                "stub answers; expected one of InvokeEndpoint, InvokeEndpointAsync, "
                "InvokeEndpointWithResponseStream."
            ),
        ),
        (
            {"fault": Latency(1), "operations": "InvokeEndpoint"},
            TypeError,
            (
                "stub.add_fault(operations=...) must be a sequence of operation "
                "names; got 'InvokeEndpoint' (str)."
            ),
        ),
        (
            {"fault": Latency(1), "endpoint_name": "bad name"},
            ValueError,
            (
                "stub.add_fault(endpoint_name=...) is 'bad name', which is not a valid "
                "EndpointName: the service accepts at most 63 characters matching "
                "^[a-zA-Z0-9](-*[a-zA-Z0-9])*."
            ),
        ),
    ],
)
def test_bad_attachments_fail_at_add_fault(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    stub = SageMakerRuntimeStub(new_client())
    with pytest.raises(error) as info:
        stub.add_fault(**kwargs)
    assert str(info.value) == message


@pytest.mark.answer_defaults
def test_latencies_add_up_and_can_be_scoped(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Two policies on one call: the delays add up."""
    stub.add_fault(Latency(0.02), operations=["InvokeEndpoint"])
    stub.add_fault(Latency(0.01, times=1))
    client.invoke_endpoint(EndpointName="e", Body=b"x")
    client.invoke_endpoint(EndpointName="e", Body=b"y")
    client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://in/1")
    assert [call.latency for call in stub.calls] == [0.03, 0.02, 0.0]


def test_a_stream_error_cannot_be_a_fault(stub: SageMakerRuntimeStub) -> None:
    """The service sends it inside a stream: StreamResult(error=...) does that."""
    with pytest.raises(ValueError, match="inside a response stream") as info:
        stub.add_fault(FailNext(ErrorResult(code="ModelStreamError")))
    assert str(info.value).startswith(
        "stub.add_fault(): the fault's error is an ErrorResult with code "
        "ModelStreamError, which the service sends inside a response stream."
    )
