"""The suite runs with no network and no credentials."""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest
from botocore.exceptions import NoCredentialsError
from pytest_socket import SocketBlockedError

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub


def test_sockets_are_blocked() -> None:
    """pytest-socket is active for every test in the suite."""
    with (
        pytest.warns(UserWarning, match="A test tried to use socket.socket"),
        pytest.raises(SocketBlockedError),
    ):
        socket.socket()


def test_no_credentials_are_available(client: Any) -> None:
    """Nothing in the environment could sign a request to AWS."""
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert client._request_signer._credentials is None


def test_the_stub_needs_neither(client: Any) -> None:
    """A full call works without network or credentials."""
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(InvokeResult(body=b"offline"))
        response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert response["Body"].read() == b"offline"


def test_without_the_stub_the_call_would_need_aws(client: Any) -> None:
    """The same call on an unstubbed client fails before reaching the network."""
    with pytest.raises(NoCredentialsError):
        client.invoke_endpoint(EndpointName="e", Body=b"x")
