"""Error results raise the client's own exception classes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    NoResultError,
    SageMakerRuntimeStub,
    Source,
)

FACTORIES: list[tuple[Callable[[], ErrorResult], str, int]] = [
    (lambda: ErrorResult.model_error(500, "boom"), "ModelError", 424),
    (lambda: ErrorResult.validation_error("bad input"), "ValidationError", 400),
    (ErrorResult.service_unavailable, "ServiceUnavailable", 503),
    (ErrorResult.internal_failure, "InternalFailure", 500),
    (ErrorResult.model_not_ready, "ModelNotReadyException", 429),
    (ErrorResult.internal_dependency, "InternalDependencyException", 530),
]


@pytest.mark.parametrize(("factory", "code", "status"), FACTORIES)
def test_each_modeled_error_raises_its_client_class(
    client: Any,
    stub: SageMakerRuntimeStub,
    factory: Callable[[], ErrorResult],
    code: str,
    status: int,
) -> None:
    """The client's class for the code, with the service's HTTP status."""
    stub.queue(factory())
    error_class = getattr(client.exceptions, code)
    with pytest.raises(error_class) as info:
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    response = info.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    shape = client.meta.service_model.shape_for_error_code(code)
    assert shape.metadata["error"]["httpStatusCode"] == status


def test_every_modeled_error_has_a_factory(client: Any) -> None:
    """No error the service models is left without a factory."""
    modeled = {shape.name for shape in client.meta.service_model.error_shapes}
    streaming_only = {"ModelStreamError", "InternalStreamFailure"}
    covered = {factory().code for factory, _, _ in FACTORIES}
    assert modeled - streaming_only == covered


def test_model_error_carries_its_modeled_fields(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """OriginalStatusCode, OriginalMessage and LogStreamArn reach e.response."""
    stub.queue(
        ErrorResult.model_error(
            original_status_code=400,
            original_message='{"error": "bad shape"}',
            log_stream_arn="arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
        )
    )
    with pytest.raises(client.exceptions.ModelError) as info:
        client.invoke_endpoint(EndpointName="churn", Body=b"x")
    response = info.value.response
    assert response["OriginalStatusCode"] == 400
    assert response["OriginalMessage"] == '{"error": "bad shape"}'
    assert (
        response["LogStreamArn"] == "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"
    )
    message = (
        'Received client error (400) from primary with message "{"error": "bad '
        'shape"}". See https://us-east-1.console.aws.amazon.com/cloudwatch/home'
        "?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/churn in "
        "account 123456789012 for more information."
    )
    assert response["Error"]["Message"] == message
    assert response["Message"] == message
    assert str(info.value) == (
        "An error occurred (ModelError) when calling the InvokeEndpoint operation: "
        + message
    )


def test_model_error_defaults_name_the_endpoint_log_group(client: Any) -> None:
    """Without an ARN, the endpoint's log group in the stub's account is used."""
    with SageMakerRuntimeStub(client, account_id="111122223333") as stub:
        stub.queue(ErrorResult.model_error(503, "down", message="custom"))
        with pytest.raises(client.exceptions.ModelError) as info:
            client.invoke_endpoint(EndpointName="churn", Body=b"x")
    response = info.value.response
    assert response["LogStreamArn"] == (
        "arn:aws:logs:us-east-1:111122223333:log-group:/aws/sagemaker/Endpoints/churn"
    )
    assert response["Error"]["Message"] == "custom"


def test_throttling_is_a_client_error_with_its_code(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """ThrottlingException is not modeled: botocore raises ClientError."""
    stub.queue(ErrorResult.throttling())
    with pytest.raises(ClientError) as info:
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert type(info.value) is ClientError
    assert info.value.response["Error"] == {
        "Code": "ThrottlingException",
        "Message": "Rate exceeded",
    }
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_an_error_answers_one_request(client: Any, stub: SageMakerRuntimeStub) -> None:
    """The same request made again takes the next result, as a retry would.

    This is what an app's own retry loop needs: a throttle, then the answer.
    The answer is remembered as usual.
    """
    stub.queue(ErrorResult.throttling(), InvokeResult(body=b"ok"))
    answers = []
    for _ in range(3):
        try:
            response = client.invoke_endpoint(EndpointName="e", Body=b"x")
        except ClientError as error:
            answers.append(error.response["Error"]["Code"])
        else:
            answers.append(response["Body"].read())
    assert answers == ["ThrottlingException", b"ok", b"ok"]
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.QUEUED,
        Source.REMEMBERED,
    ]
    stub.assert_no_pending_results()


def test_a_remembered_error_answers_every_repeat(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """ErrorResult.remembered() is given again to the same request."""
    stub.queue(
        ErrorResult.validation_error("bad").remembered(), InvokeResult(body=b"ok")
    )
    for _ in range(2):
        with pytest.raises(client.exceptions.ValidationError):
            client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert client.invoke_endpoint(EndpointName="e", Body=b"y")["Body"].read() == b"ok"
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.REMEMBERED,
        Source.QUEUED,
    ]


def test_async_errors(client: Any, stub: SageMakerRuntimeStub) -> None:
    """Async calls raise queued errors too, once per error queued."""
    stub.queue_async(ErrorResult.service_unavailable(), AsyncResult.success("ok"))
    with pytest.raises(client.exceptions.ServiceUnavailable):
        client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
    assert stub.calls[0].output_location is None
    ok = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
    assert stub.read_output(ok["OutputLocation"]) == b"ok"


def test_a_sync_error_can_be_an_async_fallback(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The sync queue's next result is used as it is, errors included."""
    stub.queue(ErrorResult.internal_failure())
    with pytest.raises(client.exceptions.InternalFailure):
        client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/1")
    assert stub.calls[0].source is Source.FALLBACK


def test_no_result_after_an_error_says_why(client: Any) -> None:
    """With defaults off, a repeat after a one-off error explains itself."""
    with SageMakerRuntimeStub(client, allow_defaults=False) as stub:
        stub.queue(ErrorResult.throttling(), InvokeResult(body=b"for y"))
        with pytest.raises(ClientError):
            client.invoke_endpoint(EndpointName="e", Body=b"x")
        client.invoke_endpoint(EndpointName="e", Body=b"y")
        with pytest.raises(NoResultError) as info:
            client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert str(info.value).splitlines()[-1] == (
        "This request was answered with ThrottlingException before: a queued error "
        "answers one request, and a repeat takes the next result. To give an error "
        "to every repeat, queue it as ErrorResult(...).remembered()."
    )
