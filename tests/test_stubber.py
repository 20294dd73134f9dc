"""botocore's Stubber API keeps working, served first and in order."""

from __future__ import annotations

import io
from typing import Any

import pytest
from botocore.exceptions import (
    StubAssertionError,
    StubResponseError,
    UnStubbedResponseError,
)
from botocore.response import StreamingBody
from botocore.stub import Stubber

from sagemaker_stub import (
    InvokeResult,
    SageMakerRuntimeStub,
    Source,
    StubActivationError,
)
from tests.conftest import new_client


def streaming(data: bytes) -> StreamingBody:
    """A Body as Stubber users must write it."""
    return StreamingBody(io.BytesIO(data), len(data))


def test_stubber_expectations_are_served_first_in_order(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """add_response and add_client_error run before the queued results."""
    stub.queue(InvokeResult(body=b"queued"))
    stub.add_response(
        "invoke_endpoint",
        {"Body": streaming(b"strict"), "ContentType": "text/plain"},
        {"EndpointName": "e", "Body": b"x"},
    )
    stub.add_client_error("invoke_endpoint", "ValidationError", "nope", 400)
    first = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert first["Body"].read() == b"strict"
    with pytest.raises(client.exceptions.ValidationError):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    stub.assert_no_pending_responses()
    third = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert third["Body"].read() == b"queued"
    assert [call.source for call in stub.calls] == [
        Source.STUBBER,
        Source.STUBBER,
        Source.QUEUED,
    ]
    assert stub.calls[0].params == {"EndpointName": "e"}
    assert stub.calls[0].body_size == 1
    assert stub.calls[0].result is None


def test_stubber_expected_params_are_checked(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Stubber's own parameter assertion still applies."""
    stub.add_response(
        "invoke_endpoint",
        {"Body": streaming(b"")},
        {"EndpointName": "expected", "Body": b"x"},
    )
    with pytest.raises(StubAssertionError):
        client.invoke_endpoint(EndpointName="other", Body=b"x")
    client.invoke_endpoint(EndpointName="expected", Body=b"x")


def test_stubber_operation_order_is_checked(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A Stubber expectation for another operation fails the call."""
    stub.add_response(
        "invoke_endpoint_async",
        {"InferenceId": "i", "OutputLocation": "s3://o/x"},
    )
    with pytest.raises(StubResponseError, match="Operation mismatch"):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
    client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://a/b")


def test_pending_stubber_responses_are_reported(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Unused Stubber expectations show up with the queued results."""
    stub.add_response("invoke_endpoint", {"Body": streaming(b"")})
    with pytest.raises(AssertionError, match="1 responses remaining in queue"):
        stub.assert_no_pending_responses()
    [pending] = stub.pending_results()
    assert pending.operation == "InvokeEndpoint"
    assert pending.origin == "Stubber.add_response/add_client_error"
    client.invoke_endpoint(EndpointName="e", Body=b"x")


def test_stubber_handles_an_operation_the_stub_does_not(client: Any) -> None:
    """Operations without a queue of their own are left to Stubber."""
    with SageMakerRuntimeStub(client) as stub:
        stub._control.engine.operations.pop("InvokeEndpoint")
        with pytest.raises(UnStubbedResponseError):
            client.invoke_endpoint(EndpointName="e", Body=b"x")


def test_a_stubber_activated_after_the_stub_is_refused_at_the_call() -> None:
    """The other order is refused at activation; this one at the first call,
    rather than the Stubber's expectations being silently never served."""
    client = new_client()
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(InvokeResult(body=b"queued"))
        plain = Stubber(client)
        plain.add_response("invoke_endpoint", {"Body": b"plain"})
        with plain, pytest.raises(StubActivationError) as info:
            client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert str(info.value) == (
            "A botocore Stubber was activated on this client while a "
            "SageMakerRuntimeStub is active on it, and would never answer: the "
            "stub answers first. Use the stub's own add_response() and "
            "add_client_error() (it is a Stubber), or deactivate the stub before "
            "activating the Stubber."
        )
        # The Stubber gone, the stub answers again, its result untouched.
        assert (
            client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read()
            == b"queued"
        )
