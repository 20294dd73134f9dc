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

from sagemaker_stub import InvokeResult, start_stub


def test_the_fixture(sagemaker_runtime_stub):
    sagemaker_runtime_stub.queue(InvokeResult(body=b"ok"))
    client = sagemaker_runtime_stub.client
    assert client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"].read() == b"ok"


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
    """No credentials, no config, no metadata endpoint, no sockets: both work."""
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
    result.assert_outcomes(passed=2)
