"""The fixture and the unittest helper in a user's clean environment.

The suite's own conftest removes credentials and turns off the EC2 metadata
lookup; a user's suite does neither. These tests run pytest in a subprocess
with no ``AWS_*`` variable at all, an empty ``HOME`` and sockets disabled.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import unittest

import boto3
import pytest

import sagemaker_stub
from sagemaker_stub import InvokeResult, start_stub


def test_the_fixture(sagemaker_runtime_stub):
    sagemaker_runtime_stub.queue(InvokeResult(body=b"ok"))
    client = sagemaker_runtime_stub.client
    assert client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read() == b"ok"


def test_a_client_a_library_makes_under_the_fixture(sagemaker_runtime_stub):
    # As langchain-aws does: a session and client of its own, no keys given.
    session = boto3.session.Session()
    client = session.client("sagemaker-runtime", region_name="us-east-1")
    sagemaker_runtime_stub.queue(InvokeResult(body=b"lib"))
    assert client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read() == b"lib"


@pytest.mark.sagemaker_runtime_stub(s3=True, buckets=["inputs"])
def test_an_s3_client_a_library_makes(sagemaker_runtime_stub):
    s3 = boto3.session.Session().client("s3", region_name="us-east-1")
    s3.put_object(Bucket="inputs", Key="k", Body=b"data")
    assert s3.get_object(Bucket="inputs", Key="k")["Body"].read() == b"data"


def test_a_client_made_under_mock():
    with sagemaker_stub.mock() as stub:
        client = boto3.client("sagemaker-runtime", region_name="us-east-1")
        stub.queue(InvokeResult(body=b"mocked"))
        response = client.invoke_endpoint(EndpointName="e", Body=b"x")
        assert response["Body"].read() == b"mocked"


class TestTheHelper(unittest.TestCase):
    def setUp(self):
        self.stub = start_stub(self)

    def test_call(self):
        self.stub.queue(InvokeResult(body=b"ok"))
        response = self.stub.client.invoke_endpoint(EndpointName="e", Body=b"x")
        self.assertEqual(response["Body"].read(), b"ok")
"""


def test_the_fixture_and_helper_need_no_aws_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No credentials, no config, no metadata endpoint, no sockets: the fixture,
    the helper, and the clients a library makes under them or mock() work (no
    credential chain runs for those: its metadata lookup would need a socket)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    pytester.makepyfile(USER_TESTS)
    result = pytester.runpytest_subprocess(
        "--disable-socket", "-p", "no:cacheprovider", "-W", "error"
    )
    result.assert_outcomes(passed=5)
