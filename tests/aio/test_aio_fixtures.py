"""The async fixture under pytest-asyncio and anyio, and the unittest helper.

Each plugin runs in a pytest process of its own, as a user's suite would.
"""

from __future__ import annotations

import os
import sys
import unittest
from pathlib import Path

import pytest
from aiobotocore.config import AioConfig
from botocore.config import Config

import sagemaker_stub
from sagemaker_stub import InvokeResult, StreamResult, start_aio_stub
from sagemaker_stub._doors.aiobotocore import OPENS_SESSION_ON_USE, _closing

PYTEST_ASYNCIO = """
import pytest

from sagemaker_stub import InvokeResult


@pytest.mark.asyncio
async def test_answered(sagemaker_runtime_aio_stub):
    stub = sagemaker_runtime_aio_stub
    stub.queue(InvokeResult(body=b"hello"))
    response = await stub.client.invoke_endpoint(EndpointName="e", Body=b"1")
    assert await response["Body"].read() == b"hello"


@pytest.mark.asyncio
async def test_forgot_one(sagemaker_runtime_aio_stub):
    sagemaker_runtime_aio_stub.queue(InvokeResult(body=b"a"), InvokeResult(body=b"b"))
    response = await sagemaker_runtime_aio_stub.client.invoke_endpoint(
        EndpointName="e", Body=b"1"
    )
    await response["Body"].read()


@pytest.mark.asyncio
async def test_the_apps_own_client(sagemaker_runtime_aio_stub):
    # The fixture answers every client: here one the code under test makes.
    from aiobotocore.session import AioSession

    sagemaker_runtime_aio_stub.queue(InvokeResult(body=b"app"))
    session = AioSession()
    async with session.create_client(
        "sagemaker-runtime", region_name="ap-south-1"
    ) as app:
        response = await app.invoke_endpoint(EndpointName="e", Body=b"1")
        assert await response["Body"].read() == b"app"
    assert sagemaker_runtime_aio_stub.calls[0].region == "ap-south-1"


@pytest.mark.asyncio
@pytest.mark.sagemaker_runtime_stub(
    allow_defaults=True, retries=True, region_name="eu-west-1"
)
async def test_marker_options(sagemaker_runtime_aio_stub):
    client = sagemaker_runtime_aio_stub.client
    assert client.meta.region_name == "eu-west-1"
    assert sagemaker_runtime_aio_stub.retries
    response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
    assert await response["Body"].read() == b"body"
"""

ANYIO = """
import pytest

from sagemaker_stub import NoResultError, StreamResult


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_streamed(sagemaker_runtime_aio_stub):
    sagemaker_runtime_aio_stub.queue_stream(StreamResult(parts=[b"a", b"b"]))
    client = sagemaker_runtime_aio_stub.client
    response = await client.invoke_endpoint_with_response_stream(
        EndpointName="e", Body=b"1"
    )
    assert [e["PayloadPart"]["Bytes"] async for e in response["Body"]] == [b"a", b"b"]


@pytest.mark.anyio
async def test_nothing_queued(sagemaker_runtime_aio_stub):
    client = sagemaker_runtime_aio_stub.client
    with pytest.raises(NoResultError):
        await client.invoke_endpoint(EndpointName="e", Body=b"1")
"""


def test_under_pytest_asyncio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_async=PYTEST_ASYNCIO)
    result = pytester.runpytest_subprocess("-p", "no:anyio", "-W", "error")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*1 queued result was never used:",
            "*1. InvokeResult(body=b'b'*",
            (
                "Use them, or mark the test "
                "@pytest.mark.sagemaker_runtime_stub(check_pending=False)."
            ),
        ]
    )


def test_under_anyio_hermetically(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Under anyio, without pytest-asyncio, with no AWS settings, credentials or
    home directory to read, and no network (an event loop needs only Unix
    sockets)."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    pytester.makeini("[pytest]\n")  # no pytest-asyncio, so none of its settings
    pytester.makepyfile(test_async=ANYIO)
    result = pytester.runpytest_subprocess(
        "-p", "no:asyncio", "-W", "error", "--disable-socket", "--allow-unix-socket"
    )
    result.assert_outcomes(passed=2)


UNITTEST_CASE = """
import unittest

from aiobotocore.session import get_session

from sagemaker_stub import InvokeResult, start_aio_stub


class AsyncCase(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.stub = await start_aio_stub(self, region_name="eu-central-1")

    async def test_answered(self):
        self.stub.queue(InvokeResult(body=b"ok"))
        client = self.stub.client
        self.assertEqual(client.meta.region_name, "eu-central-1")
        response = await client.invoke_endpoint(EndpointName="e", Body=b"1")
        self.assertEqual(await response["Body"].read(), b"ok")

    async def test_forgot_one(self):
        self.stub.queue(InvokeResult(body=b"never used"))


class GivenClient(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        session = get_session()
        context = session.create_client("sagemaker-runtime", region_name="us-east-1")
        self.client = await context.__aenter__()
        self.addAsyncCleanup(context.__aexit__, None, None, None)
        self.stub = await start_aio_stub(self, self.client, check_pending=False)

    async def test_leaves_one_unused(self):
        self.assertIs(self.stub.client, self.client)
        self.stub.queue(InvokeResult(body=b"left over"))


if __name__ == "__main__":
    unittest.main()
"""


def test_the_unittest_helper(pytester: pytest.Pytester) -> None:
    """start_aio_stub: a client of its own or the one given, and unused results
    fail the test unless check_pending=False."""
    path = pytester.makepyfile(async_case=UNITTEST_CASE)
    result = pytester.run(sys.executable, "-W", "error", str(path), "-v")
    output = result.stderr.str()
    assert result.ret == 1, output
    assert "FAIL: test_forgot_one (__main__.AsyncCase.test_forgot_one)" in output
    assert "FAIL: test_answered" not in output
    assert "FAIL: test_leaves_one_unused" not in output
    assert "PendingResultsError: 1 queued result was never used:" in output
    assert "InvokeResult(body=b'never used'" in output
    assert "Ran 3 tests" in output
    assert "FAILED (failures=1)" in output


def test_the_unittest_helper_refuses_misuse() -> None:
    class Plain(unittest.TestCase):
        def runTest(self) -> None:  # pragma: no cover - never run
            pass

    coroutine = start_aio_stub(Plain())  # type: ignore[arg-type]
    with pytest.raises(TypeError) as info:
        coroutine.send(None)
    assert str(info.value).startswith(
        "start_aio_stub(test) takes the running IsolatedAsyncioTestCase, as in "
        "await start_aio_stub(self) from asyncSetUp; got "
    )

    class Async(unittest.IsolatedAsyncioTestCase):
        def runTest(self) -> None:  # pragma: no cover - never run
            pass

    with pytest.raises(TypeError, match="unexpected keyword argument 'allow_default'"):
        start_aio_stub(Async(), allow_default=True)  # type: ignore[call-arg,unused-coroutine]


RECORDING = """
import pytest


@pytest.mark.asyncio
@pytest.mark.sagemaker_runtime_stub(cassette="cassettes/aio.json")
async def test_records(sagemaker_runtime_aio_stub):
    client = sagemaker_runtime_aio_stub.client
    response = await client.invoke_endpoint(EndpointName="ep", Body=b"hi")
    assert await response["Body"].read() == b"recorded"
    streamed = await client.invoke_endpoint_with_response_stream(
        EndpointName="ep", Body=b"stream"
    )
    assert [event async for event in streamed["Body"]]
"""


@pytest.mark.skipif(
    not OPENS_SESSION_ON_USE, reason="this aiobotocore opens its session when entered"
)
@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_recording_through_the_fixture_leaves_no_socket_open(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture's client is closed where it was used: nothing unraisable."""
    pytester.makepyfile(test_async=RECORDING)
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("recorded"))
        server.queue_stream(StreamResult(parts=["a", "b"]))
        monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", server.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDAIOFIXTURE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aio-fixture-secret")
        result = pytester.runpytest_subprocess(
            "-p", "no:anyio", "-W", "error", "--sagemaker-record-mode=once"
        )
    result.assert_outcomes(passed=1)
    assert (pytester.path / "cassettes" / "aio.json").exists()
    monkeypatch.delenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME")
    replay = pytester.runpytest_subprocess(
        "-p", "no:anyio", "-W", "error", "--disable-socket", "--allow-unix-socket"
    )
    replay.assert_outcomes(passed=1)


def test_a_recording_client_closes_its_connections_where_its_backend_can() -> None:
    alone = _closing(None)
    assert alone.connector_args["force_close"] is True
    merged = _closing(Config(read_timeout=5))
    assert (merged.read_timeout, merged.connector_args["force_close"]) == (5, True)
    httpx = pytest.importorskip("aiobotocore.httpxsession")
    chosen = AioConfig(http_session_cls=httpx.HttpxSession)
    # httpx keeps no force_close (aiobotocore 3 refuses it): the choice stands.
    assert _closing(chosen).http_session_cls is httpx.HttpxSession


OLD_AIOBOTOCORE = """
import sagemaker_stub._doors.aiobotocore as internals

internals.OPENS_SESSION_ON_USE = False  # as aiobotocore before 2.13
internals.AIOBOTOCORE_VERSION = "2.12.3"
"""


def test_recording_through_the_fixture_with_an_old_aiobotocore_says_why_not(
    pytester: pytest.Pytester,
) -> None:
    """aiobotocore before 2.13 opens its HTTP session on the fixture's own loop."""
    pytester.makeconftest(OLD_AIOBOTOCORE)
    pytester.makepyfile(test_async=RECORDING)
    result = pytester.runpytest_subprocess(
        "-p", "no:anyio", "--sagemaker-record-mode=once"
    )
    result.assert_outcomes(errors=1)
    why = "aiobotocore 2.13 or newer (this is 2.12.3)"
    result.stdout.fnmatch_lines([f"*sagemaker_runtime_aio_stub fixture needs {why}*"])
    assert not (pytester.path / "cassettes").exists()


PER_WORKER = """
import os
from pathlib import Path

import pytest

from sagemaker_stub import InvokeResult, NoResultError


@pytest.mark.asyncio
@pytest.mark.parametrize("number", range(12))
async def test_own_answer(sagemaker_runtime_aio_stub, number):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(f"ran-{number}.txt").write_text(worker)
    stub = sagemaker_runtime_aio_stub
    stub.queue(InvokeResult.text(f"answer {number}"))
    response = await stub.client.invoke_endpoint(EndpointName=f"ep-{number}", Body=b"q")
    assert await response["Body"].read() == f"answer {number}".encode()
    assert [call.endpoint_name for call in stub.calls] == [f"ep-{number}"]
    with pytest.raises(NoResultError):  # nothing left over from another test
        await stub.client.invoke_endpoint(EndpointName="other", Body=b"q")
"""


@pytest.mark.unmeasured_subprocesses  # test_under_pytest_asyncio measures them
@pytest.mark.parametrize("workers", [2, 4])
def test_under_xdist_each_worker_and_test_has_its_own_state(
    pytester: pytest.Pytester, workers: int
) -> None:
    pytester.makepyfile(test_async=PER_WORKER)
    result = pytester.runpytest_subprocess(
        "-p", "no:anyio", "-p", "no:cacheprovider", "-n", str(workers), "-W", "error"
    )
    result.assert_outcomes(passed=12)
    ran = {path.read_text() for path in Path(pytester.path).glob("ran-*.txt")}
    assert ran == {f"gw{worker}" for worker in range(workers)}
