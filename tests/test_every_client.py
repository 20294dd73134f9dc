"""The fixture and start_stub answer every client, as mock() does."""

from __future__ import annotations

import unittest
from typing import Any

import pytest
from botocore.exceptions import NoCredentialsError

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, Source, start_stub
from tests.conftest import new_client

pytest_plugins = ["pytester"]

#: An app that makes its client when it is imported, with no credentials, as
#: code under test does.
APP = """
import boto3

client = boto3.client("sagemaker-runtime", region_name="eu-west-1")


def classify(text):
    response = client.invoke_endpoint(EndpointName="classifier", Body=text)
    return response["Body"].read().decode()
"""


def test_the_fixture_answers_a_module_level_client(pytester: pytest.Pytester) -> None:
    """A client the app made at import is answered from the fixture's queue, and
    its calls are in stub.calls with its region."""
    pytester.makepyfile(app=APP)
    pytester.makepyfile(
        test_app="""
        import app
        from sagemaker_stub import InvokeResult

        def test_it(sagemaker_runtime_stub):
            sagemaker_runtime_stub.queue(InvokeResult.text("positive"))
            assert app.classify("great") == "positive"
            [call] = sagemaker_runtime_stub.calls
            assert call.client is app.client
            assert call.region == "eu-west-1"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_fixture_fails_closed_for_every_client(pytester: pytest.Pytester) -> None:
    """Nothing queued: the app's own call fails with NoResultError, not the network."""
    pytester.makepyfile(app=APP)
    pytester.makepyfile(
        test_app="""
        import pytest
        import app
        from sagemaker_stub import NoResultError

        def test_it(sagemaker_runtime_stub):
            with pytest.raises(NoResultError):
                app.classify("great")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_every_client_false_answers_only_stub_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=APP)
    pytester.makepyfile(
        test_app="""
        import pytest
        from botocore.exceptions import NoCredentialsError
        import app

        @pytest.mark.sagemaker_runtime_stub(every_client=False)
        def test_it(sagemaker_runtime_stub):
            with pytest.raises(NoCredentialsError):
                app.classify("great")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_s3_marker_answers_s3_clients(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_app="""
        import boto3
        import pytest
        from sagemaker_stub import AsyncResult, S3NotStubbedError

        @pytest.mark.sagemaker_runtime_stub(s3=True)
        def test_it(sagemaker_runtime_stub):
            sagemaker_runtime_stub.queue_async(AsyncResult.success(b"out"))
            runtime = boto3.client("sagemaker-runtime", region_name="us-east-1")
            s3 = boto3.client("s3", region_name="us-east-1")
            location = runtime.invoke_endpoint_async(
                EndpointName="e", InputLocation="s3://in/k"
            )["OutputLocation"]
            bucket, key = location[5:].split("/", 1)
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"out"
            with pytest.raises(S3NotStubbedError):
                s3.get_object(Bucket="elsewhere", Key=key)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_s3_without_every_client_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sagemaker_runtime_stub(s3=True, every_client=False)
        def test_it(sagemaker_runtime_stub):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            (
                "*@pytest.mark.sagemaker_runtime_stub: s3=True answers every S3 "
                "client in the process, beside every sagemaker-runtime client, so "
                "it needs every_client=True (the default). For one S3 client, use "
                "stub.attach_s3(s3_client).*"
            )
        ]
    )


def test_a_test_inside_the_fixture_may_start_its_own_mock(
    pytester: pytest.Pytester,
) -> None:
    """mock() inside a test that uses the fixture answers in its place, and the
    fixture answers again after the block."""
    pytester.makepyfile(app=APP)
    pytester.makepyfile(
        test_app="""
        import app
        import sagemaker_stub
        from sagemaker_stub import InvokeResult

        def test_it(sagemaker_runtime_stub):
            sagemaker_runtime_stub.queue(InvokeResult.text("fixture"))
            with sagemaker_stub.mock() as inner:
                inner.queue(InvokeResult.text("inner"))
                assert app.classify("a") == "inner"
            assert app.classify("b") == "fixture"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def run(case: type[unittest.TestCase]) -> unittest.TestResult:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(case).run(result)
    return result


def test_start_stub_answers_every_client() -> None:
    """start_stub answers a client the test never sees, from stub's queues, and
    stops at cleanup."""
    app_client = new_client(region="ap-northeast-1")
    stubs: list[SageMakerRuntimeStub] = []

    class AppTest(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(self)
            stubs.append(self.stub)

        def test_app(self) -> None:
            self.stub.queue(InvokeResult.text("a"))
            body = app_client.invoke_endpoint(EndpointName="e", Body=b"1")["Body"]
            assert body.read() == b"a"

    result = run(AppTest)
    assert result.wasSuccessful(), result.errors + result.failures
    [call] = stubs[0].calls
    assert (call.client, call.region, call.source) == (
        app_client,
        "ap-northeast-1",
        Source.QUEUED,
    )
    with pytest.raises(NoCredentialsError):
        app_client.invoke_endpoint(EndpointName="e", Body=b"1")


def test_start_stub_every_client_false() -> None:
    app_client = new_client()
    seen: list[type[BaseException]] = []

    class AppTest(unittest.TestCase):
        def setUp(self) -> None:
            self.stub = start_stub(self, every_client=False)

        def test_app(self) -> None:
            try:
                app_client.invoke_endpoint(EndpointName="e", Body=b"1")
            except Exception as error:
                seen.append(type(error))

    assert run(AppTest).wasSuccessful()
    assert seen == [NoCredentialsError]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"every_client": "yes"},
            "every_client=... must be True or False; got 'yes' (str).",
        ),
        ({"s3": 1}, "s3=... must be True or False; got 1 (int)."),
    ],
)
def test_start_stub_checks_the_new_options(
    options: dict[str, Any], message: str
) -> None:
    errors: list[BaseException] = []

    class AppTest(unittest.TestCase):
        def test_app(self) -> None:
            try:
                start_stub(self, **options)
            except TypeError as error:
                errors.append(error)

    assert run(AppTest).wasSuccessful()
    assert [str(error) for error in errors] == [message]
