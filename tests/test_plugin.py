"""The pytest plugin, run through pytester as a user's suite would run it."""

from __future__ import annotations

import importlib.util

import pytest

pytest_plugins = ["pytester"]


def test_fixture_gives_an_active_stub_on_a_fresh_client(
    pytester: pytest.Pytester,
) -> None:
    """The fixture needs no set-up: installed, it is there."""
    pytester.makepyfile(
        """
        from sagemaker_stub import InvokeResult, SageMakerRuntimeStub

        def test_it(sagemaker_runtime_stub):
            stub = sagemaker_runtime_stub
            assert isinstance(stub, SageMakerRuntimeStub)
            assert stub.client.meta.region_name == "us-east-1"
            stub.queue(InvokeResult.text("hi"))
            body = stub.client.invoke_endpoint(EndpointName="e", Body=b"x")["Body"]
            assert body.read() == b"hi"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_each_test_gets_a_client_of_its_own_from_models_read_once(
    pytester: pytest.Pytester,
) -> None:
    """Clients come from one session the process keeps (its loaders read
    botocore's models once); each test still has a client of its own. Once
    its test is over, a later mock registers nothing on it when it starts,
    and answers it only if it is called again."""
    pytester.makepyfile(
        """
        import pytest

        import sagemaker_stub
        from sagemaker_stub import InvokeResult

        seen = []

        def test_one(sagemaker_runtime_stub):
            client = sagemaker_runtime_stub.client
            client.meta.events.register("before-call.*", lambda **kwargs: None)
            seen.append(client)

        def test_two(sagemaker_runtime_stub):
            client, first = sagemaker_runtime_stub.client, seen[0]
            assert client is not first
            assert client.meta.region_name == "us-east-1"
            model, before = client.meta.service_model, first.meta.service_model
            assert model.metadata is before.metadata
            assert client.meta.events is not first.meta.events
            sagemaker_runtime_stub.queue(InvokeResult.text("two"))
            answer = client.invoke_endpoint(EndpointName="e", Body=b"x")
            assert answer["Body"].read() == b"two"
            # The first test's client (kept alive here) is over, its handlers
            # gone: called again, it is answered by the mock active then.
            assert first.meta.events is not client.meta.events
            with sagemaker_stub.mock(allow_defaults=True) as mocked:
                first.invoke_endpoint(EndpointName="e", Body=b"x")
            assert [call.client for call in mocked.calls] == [first]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "--disable-socket").assert_outcomes(
        passed=2
    )


def test_a_forgotten_queue_fails_on_the_tests_line_with_the_message(
    pytester: pytest.Pytester,
) -> None:
    """No frame of botocore's or of the package: the test's line and why."""
    pytester.makepyfile(
        """
        def ask(client):
            return client.invoke_endpoint(EndpointName="chat", Body=b"hello")

        def test_forgot(sagemaker_runtime_stub):
            ask(sagemaker_runtime_stub.client)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    failure = output[output.index("FAILURES") : output.index("short test summary")]
    assert "botocore/" not in failure
    assert "sagemaker_stub/" not in failure
    why = "No result is queued for InvokeEndpoint on endpoint 'chat'"
    result.stdout.fnmatch_lines(
        [
            ">       ask(sagemaker_runtime_stub.client)",
            "*>       return client.invoke_endpoint(EndpointName=*",
            f"E       sagemaker_stub.NoResultError: {why}.",
        ]
    )
    assert len(failure.splitlines()) < 25
    full = pytester.runpytest("-p", "no:cacheprovider", "--full-trace")
    assert "botocore/client.py" in full.stdout.str()


def test_unused_results_fail_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    """Each unused result is listed, with how to opt out."""
    pytester.makepyfile(
        """
        from sagemaker_stub import AsyncResult, InvokeResult

        def test_it(sagemaker_runtime_stub):
            sagemaker_runtime_stub.queue(InvokeResult(body=b"unused"))
            sagemaker_runtime_stub.queue_async(AsyncResult.success("also"))
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*2 queued results were never used:",
            "*1. InvokeResult(body=b'unused'*queued at test_unused_results_fail*.py:4",
            "*2. AsyncResult(data=b'also'*queued at test_unused_results_fail*.py:5",
            "*mark the test @pytest.mark.sagemaker_runtime_stub(check_pending=False).",
        ]
    )


def test_marker_opts_out_of_the_pending_check(pytester: pytest.Pytester) -> None:
    """check_pending=False lets a test leave results unused."""
    pytester.makepyfile(
        """
        import pytest
        from sagemaker_stub import InvokeResult

        @pytest.mark.sagemaker_runtime_stub(check_pending=False)
        def test_it(sagemaker_runtime_stub):
            sagemaker_runtime_stub.queue(InvokeResult(body=b"unused"))
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "-W", "error").assert_outcomes(
        passed=1
    )


def test_marker_configures_defaults_and_region(pytester: pytest.Pytester) -> None:
    """allow_defaults=False and region_name reach the stub."""
    pytester.makepyfile(
        """
        import pytest
        from sagemaker_stub import NoResultError

        @pytest.mark.sagemaker_runtime_stub(region_name="eu-west-1")
        def test_it(sagemaker_runtime_stub):
            assert sagemaker_runtime_stub.client.meta.region_name == "eu-west-1"
            with pytest.raises(NoResultError):
                sagemaker_runtime_stub.client.invoke_endpoint(
                    EndpointName="e", Body=b"x"
                )
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_marker_configures_retries_and_validation(pytester: pytest.Pytester) -> None:
    """retries=True with the client's Config; validate=False lets odd input in."""
    pytester.makepyfile(
        """
        import pytest
        from botocore.config import Config
        from sagemaker_stub import ErrorResult, FailNext

        @pytest.mark.sagemaker_runtime_stub(
            allow_defaults=True,
            retries=True,
            validate=False,
            config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
        )
        def test_it(sagemaker_runtime_stub):
            stub = sagemaker_runtime_stub
            stub.add_fault(FailNext(ErrorResult.throttling(), times=2))
            response = stub.client.invoke_endpoint_async(
                EndpointName="e", InputLocation="qwer"
            )
            assert response["ResponseMetadata"]["RetryAttempts"] == 2
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_marker_gives_the_stub_more_buckets(pytester: pytest.Pytester) -> None:
    """As mock(s3=True, buckets=[...]): the code under test uploads its input."""
    pytester.makepyfile(
        """
        import boto3
        import pytest

        from sagemaker_stub import AsyncResult

        @pytest.mark.sagemaker_runtime_stub(s3=True, buckets=["uploads"])
        def test_upload_then_invoke(sagemaker_runtime_stub):
            stub = sagemaker_runtime_stub
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.put_object(Bucket="uploads", Key="in.json", Body=b"{}")
            assert s3.get_object(Bucket="uploads", Key="in.json")["Body"].read() == (
                b"{}"
            )
            stub.queue_async(AsyncResult.success({"ok": True}))
            answer = stub.client.invoke_endpoint_async(
                EndpointName="e", InputLocation="s3://uploads/in.json"
            )
            assert stub.read_output(answer["OutputLocation"]) == b'{"ok": true}'

        @pytest.mark.sagemaker_runtime_stub(every_client=False, buckets=["uploads"])
        def test_alone(sagemaker_runtime_stub):
            pass

        @pytest.mark.sagemaker_runtime_stub(buckets="uploads")
        def test_one_name(sagemaker_runtime_stub):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--disable-socket")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*buckets=... are owned by the mock beside the stub, which every_*",
            "*buckets=... must be a sequence of bucket names; got 'uploads' (str)*",
        ]
    )


def test_marker_with_an_unknown_option_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    """A typo in the marker is reported, not ignored."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sagemaker_runtime_stub(check_pendng=False)
        def test_it(sagemaker_runtime_stub):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            (
                "*@pytest.mark.sagemaker_runtime_stub takes only the keywords "
                "check_pending, every_client, s3, buckets, control_plane, "
                "region_name, config, moto_compatible, allow_defaults, account_id, "
                "keep_bodies, validate, retries, sleep_between_retries, "
                "session_ttl_seconds, cassette: "
                "*unexpected keyword argument 'check_pendng'*"
            )
        ]
    )


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    """--strict-markers accepts it, and --markers documents it."""
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.sagemaker_runtime_stub(*check_pending=True*",
            (
                "@pytest.mark.sagemaker_stub(...): the old name of the "
                "sagemaker_runtime_stub marker."
            ),
        ]
    )


def test_the_fixture_fails_closed(pytester: pytest.Pytester) -> None:
    """A forgotten queue raises NoResultError at the call, not b"body" later."""
    pytester.makepyfile(
        """
        import pytest
        from sagemaker_stub import NoResultError

        def test_it(sagemaker_runtime_stub):
            with pytest.raises(NoResultError, match="No result is queued"):
                sagemaker_runtime_stub.client.invoke_endpoint(
                    EndpointName="e", Body=b"x"
                )

        @pytest.mark.sagemaker_runtime_stub(allow_defaults=True)
        def test_opted_in(sagemaker_runtime_stub):
            response = sagemaker_runtime_stub.client.invoke_endpoint(
                EndpointName="e", Body=b"x"
            )
            assert response["Body"].read() == b"body"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_every_stub_option_reaches_the_stub(pytester: pytest.Pytester) -> None:
    """keep_bodies, account_id and the rest can be set from the marker."""
    pytester.makepyfile(
        """
        import pytest
        from sagemaker_stub import InvokeResult

        @pytest.mark.sagemaker_runtime_stub(
            keep_bodies=True, account_id="111122223333", session_ttl_seconds=60
        )
        def test_it(sagemaker_runtime_stub):
            stub = sagemaker_runtime_stub
            stub.queue(InvokeResult(body=b"ok"))
            stub.client.invoke_endpoint(EndpointName="e", Body=b"sent")
            assert stub.calls[0].body == b"sent"
            assert (stub.account_id, stub.session_ttl_seconds) == (
                "111122223333", 60.0
            )
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_old_marker_name_still_works_with_a_warning(
    pytester: pytest.Pytester,
) -> None:
    """@pytest.mark.sagemaker_stub is read, and says to rename it."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sagemaker_stub(allow_defaults=True)
        def test_it(sagemaker_runtime_stub):
            body = sagemaker_runtime_stub.client.invoke_endpoint(
                EndpointName="e", Body=b"x"
            )["Body"]
            assert body.read() == b"body"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            (
                "*PytestDeprecationWarning: @pytest.mark.sagemaker_stub is the old "
                "name of @pytest.mark.sagemaker_runtime_stub; rename it."
            )
        ]
    )


def test_a_failing_test_is_reported_once(pytester: pytest.Pytester) -> None:
    """Leftovers of a test that failed do not add a teardown error."""
    pytester.makepyfile(
        """
        from sagemaker_stub import InvokeResult

        def test_it(sagemaker_runtime_stub):
            sagemaker_runtime_stub.queue(InvokeResult(body=b"unused"))
            assert False, "the test's own failure"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, errors=0)


@pytest.mark.skipif(
    importlib.util.find_spec("aiobotocore") is not None,
    reason="aiobotocore is installed here; tests/aio uses the async fixture",
)
def test_the_async_fixture_says_what_to_install(pytester: pytest.Pytester) -> None:
    """Without aiobotocore, the async fixture names the extra that brings it."""
    pytester.makepyfile(
        """
        def test_it(sagemaker_runtime_aio_stub):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            (
                "The sagemaker_runtime_aio_stub fixture needs aiobotocore: "
                "pip install 'sagemaker-stub[aio]' (No module named 'aiobotocore')."
            )
        ]
    )
