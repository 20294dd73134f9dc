"""A user's suite under pytest-xdist: real worker processes, each with its own
state, none leaking into another.

Each generated test asks a question only it queues an answer for, through
one of the entry points (the fixture, the marker, ``mock()``, ``start_stub``),
and checks it got its own answer and that its history holds its own calls
alone. Tests that share a process run one after another there: a queue or a
history left over by one would show up in the next. The outcome is run
under ``-n 2`` and ``-n 4``, and each test writes down the worker it ran on,
so the run proves it was spread over the workers. (Cassettes recorded in
parallel: tests/test_cassette_parallel.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: One test module per entry point; each test's number picks its endpoint and
#: answer, so a test that got another's answer fails with both named.
ENTRY_POINTS = """
import os
import unittest
from pathlib import Path

import boto3
import pytest

import sagemaker_stub
from sagemaker_stub import InvokeResult, NoResultError, start_stub

#: An app's module-level client, made at import in every worker.
APP = boto3.client("sagemaker-runtime", region_name="us-east-1")


def note(kind, number):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(f"ran-{{kind}}-{{number}}.txt").write_text(worker)


def ask(client, number):
    response = client.invoke_endpoint(EndpointName=f"ep-{{number}}", Body=b"q")
    return response["Body"].read().decode()


@pytest.mark.parametrize("number", range({count}))
def test_fixture(sagemaker_runtime_stub, number):
    note("fixture", number)
    sagemaker_runtime_stub.queue(InvokeResult.text(f"fixture {{number}}"))
    assert ask(APP, number) == f"fixture {{number}}"
    assert [call.endpoint_name for call in sagemaker_runtime_stub.calls] == [
        f"ep-{{number}}"
    ]
    # Nothing is left for the next test in this worker: a repeat is remembered,
    # a new request finds nothing queued.
    with pytest.raises(NoResultError):
        ask(sagemaker_runtime_stub.client, number + 1000)


@pytest.mark.parametrize("number", range({count}))
@pytest.mark.sagemaker_runtime_stub(
    every_client=False, region_name="eu-west-1", keep_bodies=True
)
def test_marker(sagemaker_runtime_stub, number):
    note("marker", number)
    sagemaker_runtime_stub.queue(InvokeResult.text(f"marker {{number}}"))
    assert ask(sagemaker_runtime_stub.client, number) == f"marker {{number}}"
    [call] = sagemaker_runtime_stub.calls
    assert (call.region, call.body) == ("eu-west-1", b"q")


@pytest.mark.parametrize("number", range({count}))
def test_mock(number):
    note("mock", number)
    with sagemaker_stub.mock() as stub:
        stub.queue(InvokeResult.text(f"mock {{number}}"))
        made = boto3.client("sagemaker-runtime", region_name="us-east-1")
        assert ask(made, number) == f"mock {{number}}"
        assert ask(APP, number) == f"mock {{number}}"  # remembered
    assert [call.client is APP for call in stub.calls] == [False, True]


class TestStartStub(unittest.TestCase):
    def setUp(self):
        self.stub = start_stub(self)

{unittest_tests}
"""

UNITTEST_TEST = """
    def test_{number}(self):
        note("start_stub", {number})
        self.stub.queue(InvokeResult.text("start_stub {number}"))
        self.assertEqual(ask(APP, {number}), "start_stub {number}")
        self.assertEqual(len(self.stub.calls), 1)
"""

#: Tests per entry point: enough that each worker of four runs several.
COUNT = 12

#: The plugins a run needs, named (the others installed here are left out:
#: langsmith's alone takes a second to import, and each worker is a process).
PLUGINS = ("-p", "sagemaker_stub.pytest_plugin", "-p", "xdist.plugin")


def suite() -> str:
    unittest_tests = "".join(
        UNITTEST_TEST.format(number=number) for number in range(COUNT)
    )
    return ENTRY_POINTS.format(count=COUNT, unittest_tests=unittest_tests)


@pytest.mark.unmeasured_subprocesses  # the same code runs measured in-process
@pytest.mark.parametrize("workers", [2, 4])
def test_every_entry_point_keeps_its_state_per_worker_and_per_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """-n 2 and -n 4: every test passes, spread over all the workers."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\n")  # pytest-asyncio is not loaded: none of its settings
    pytester.makepyfile(test_app=suite())
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", *PLUGINS, "-n", str(workers), "-W", "error"
    )
    result.assert_outcomes(passed=4 * COUNT)
    ran = {
        path.name: path.read_text() for path in Path(pytester.path).glob("ran-*.txt")
    }
    assert len(ran) == 4 * COUNT
    assert set(ran.values()) == {f"gw{worker}" for worker in range(workers)}


FAILING = """
import pytest

from sagemaker_stub import InvokeResult


def ask(stub, number):
    return stub.client.invoke_endpoint(EndpointName=f"ep-{number}", Body=b"q")


@pytest.mark.parametrize("number", range(4))
def test_forgot_to_queue(sagemaker_runtime_stub, number):
    ask(sagemaker_runtime_stub, number)


@pytest.mark.parametrize("number", range(4))
def test_left_a_result(sagemaker_runtime_stub, number):
    sagemaker_runtime_stub.queue(InvokeResult.text(f"unused {number}"))
"""


def test_failures_are_reported_from_the_workers_as_from_one_process(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forgotten queue() fails its test with the message and the test's
    line; an unused result errors at teardown, naming it, from any worker."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makepyfile(test_app=FAILING)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", *PLUGINS, "-n", "2"
    )
    result.assert_outcomes(failed=4, passed=4, errors=4)
    output = result.stdout.str()
    for number in range(4):
        assert (
            "NoResultError: No result is queued for InvokeEndpoint on endpoint "
            f"'ep-{number}'." in output
        )
        assert f"InvokeResult(body=b'unused {number}'" in output
    failures = output[output.index("FAILURES") : output.index("short test summary")]
    assert "botocore/" not in failures
