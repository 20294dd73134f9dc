"""start_stub: the one-line unittest setUp helper."""

from __future__ import annotations

import asyncio
import importlib.util
import unittest
from typing import Any

import pytest

from sagemaker_stub import (
    InvokeResult,
    NoResultError,
    SageMakerRuntimeStub,
    start_aio_stub,
    start_stub,
)
from tests.conftest import new_client


def run(case: type[unittest.TestCase]) -> unittest.TestResult:
    """Run every test of ``case`` and return the result."""
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def test_start_stub_answers_and_cleans_up() -> None:
    """The stub is active for the test and inactive afterwards."""
    seen: list[SageMakerRuntimeStub] = []

    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(self)

        def test_call(self) -> None:
            seen.append(self.stub)
            self.stub.queue(InvokeResult(body=b"ok"))
            response = self.stub.client.invoke_endpoint(EndpointName="e", Body=b"x")
            self.assertEqual(response["Body"].read(), b"ok")

    result = run(Case)
    assert result.wasSuccessful(), result.errors + result.failures
    assert not seen[0].active


def test_unused_results_fail_the_test() -> None:
    """A leftover result fails the test (an AssertionError), by name."""

    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(self, new_client())

        def test_call(self) -> None:
            self.stub.queue(InvokeResult(body=b"never"))

    result = run(Case)
    assert result.errors == []
    [(_, traceback)] = result.failures
    assert "PendingResultsError: 1 queued result was never used:" in traceback
    assert "InvokeResult(body=b'never'" in traceback


def test_check_pending_false_allows_leftovers(client: Any) -> None:
    """The opt-out for tests that queue more than they use."""

    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(self, client, check_pending=False)

        def test_call(self) -> None:
            self.stub.queue(InvokeResult(body=b"never"))

    assert run(Case).wasSuccessful()


def test_start_stub_passes_the_stub_options() -> None:
    """Every option of the stub can be given to the helper."""
    seen: list[SageMakerRuntimeStub] = []

    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(
                self,
                allow_defaults=True,
                validate=False,
                retries=True,
                keep_bodies=True,
                region_name="eu-west-1",
            )

        def test_call(self) -> None:
            seen.append(self.stub)
            response = self.stub.client.invoke_endpoint(
                EndpointName="bad_name", Body=b"x"
            )
            self.assertEqual(response["Body"].read(), b"body")

    result = run(Case)
    assert result.wasSuccessful(), result.errors + result.failures
    stub = seen[0]
    assert (stub.validate, stub.retries, stub.keep_bodies) == (False, True, True)
    assert stub.client.meta.region_name == "eu-west-1"
    assert stub.calls[0].body == b"x"


def test_start_stub_fails_closed_by_default() -> None:
    """A call with nothing queued raises NoResultError instead of b"body"."""

    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(self)

        def test_call(self) -> None:
            with pytest.raises(NoResultError):
                self.stub.client.invoke_endpoint(EndpointName="e", Body=b"x")

    result = run(Case)
    assert result.wasSuccessful(), result.errors + result.failures


def test_a_failing_test_is_not_reported_twice() -> None:
    """Leftovers of a test that failed are not a second problem."""

    class Case(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(self)

        def test_call(self) -> None:
            self.stub.queue(InvokeResult(body=b"unused"))
            self.fail("the test's own failure")

    result = run(Case)
    assert [message for _, message in result.errors] == []
    assert len(result.failures) == 1
    assert "the test's own failure" in result.failures[0][1]


def test_start_stub_needs_the_running_test_case() -> None:
    """Anything but a TestCase is refused with how to call it."""
    with pytest.raises(TypeError) as info:
        start_stub("self")  # type: ignore[arg-type]
    assert str(info.value) == (
        "start_stub(test) takes the running unittest.TestCase, as in "
        "start_stub(self) from setUp; got 'self' (str)."
    )


@pytest.mark.skipif(
    importlib.util.find_spec("aiobotocore") is not None,
    reason="aiobotocore is installed here; tests/aio uses start_aio_stub",
)
def test_the_async_helper_says_what_to_install() -> None:
    """Without aiobotocore, start_aio_stub names the extra that brings it."""

    class Case(unittest.IsolatedAsyncioTestCase):
        def runTest(self) -> None:  # pragma: no cover - never run
            pass

    with pytest.raises(ImportError) as info:
        asyncio.run(start_aio_stub(Case()))
    assert str(info.value) == (
        "start_aio_stub() makes an aiobotocore client, and needs aiobotocore: "
        "pip install 'sagemaker-stub[aio]' (No module named 'aiobotocore')."
    )
