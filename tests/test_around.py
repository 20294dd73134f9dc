"""The calls SDKs make around an invocation: sagemaker and STS under mock()."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import ClientError

import sagemaker_stub
from sagemaker_stub import (
    Cassette,
    NotStubbedError,
    S3NotStubbedError,
    SageMakerRuntimeStub,
)

from .conftest import new_client


def test_describe_endpoint_answers_from_the_registry() -> None:
    """Every endpoint exists until one is declared; then the declared ones."""
    with sagemaker_stub.mock(account_id="111122223333") as mocked:
        control = new_client("sagemaker", "eu-west-1")
        described = control.describe_endpoint(EndpointName="Churn")
        assert described["EndpointName"] == "Churn"
        assert described["EndpointStatus"] == "InService"
        assert described["EndpointArn"] == (
            "arn:aws:sagemaker:eu-west-1:111122223333:endpoint/churn"
        )
        assert described["EndpointConfigName"] == "Churn"
        assert [v["VariantName"] for v in described["ProductionVariants"]] == [
            "AllTraffic"
        ]
        assert described["CreationTime"] == described["LastModifiedTime"]

        mocked.add_endpoint("llm", variants=["blue", "green"])
        variants = control.describe_endpoint(EndpointName="llm")["ProductionVariants"]
        assert [variant["VariantName"] for variant in variants] == ["blue", "green"]
        config = control.describe_endpoint_config(EndpointConfigName="llm")
        assert config["EndpointConfigArn"].endswith(":endpoint-config/llm")
        assert [v["ModelName"] for v in config["ProductionVariants"]] == [
            "llm-blue",
            "llm-green",
        ]
        assert config["ProductionVariants"][0]["InstanceType"] == "ml.m5.xlarge"
        for call, params, what in (
            (control.describe_endpoint, {"EndpointName": "Churn"}, "endpoint"),
            (
                control.describe_endpoint_config,
                {"EndpointConfigName": "Churn"},
                "endpoint configuration",
            ),
        ):
            with pytest.raises(ClientError) as info:
                call(**params)
            assert info.value.response["Error"] == {
                "Code": "ValidationException",
                "Message": f'Could not find {what} "Churn".',
            }
            assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        # The history is of invocations: describing an endpoint is none.
        assert mocked.calls == []


def test_get_caller_identity_is_the_stubs_account() -> None:
    with sagemaker_stub.mock(account_id="111122223333"):
        sts = new_client(
            "sts", "us-west-2", endpoint_url="https://sts.us-west-2.amazonaws.com"
        )
        identity = sts.get_caller_identity()
        assert identity["Account"] == "111122223333"
        assert identity["Arn"] == "arn:aws:iam::111122223333:user/sagemaker-stub"
        metadata = identity["ResponseMetadata"]
        assert metadata["HTTPStatusCode"] == 200
        assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amzn-requestid"]


@pytest.mark.parametrize(
    ("service", "call", "expected"),
    [
        ("sagemaker", lambda c: c.list_models(), "sagemaker ListModels reached"),
        (
            "sagemaker",
            lambda c: c.delete_endpoint(EndpointName="e"),
            "sagemaker DeleteEndpoint reached",
        ),
        (
            "sts",
            lambda c: c.get_session_token(),
            r"sts GetSessionToken reached a client that mock\(\) answers",
        ),
    ],
)
def test_every_other_call_fails_closed_naming_it(
    service: str, call: Any, expected: str
) -> None:
    """Nothing is sent (the suite has no network; the error is ours)."""
    with sagemaker_stub.mock():
        client = new_client(service)
        with pytest.raises(NotStubbedError, match=expected) as info:
            call(client)
    message = str(info.value)
    assert "nothing was sent" in message
    assert "mock(control_plane=False)" in message


class _Raw:
    """A raw HTTP body, as botocore's AWSResponse reads one."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._data


def sent_on(client: Any) -> list[str]:
    """What reaches ``client``'s wire: each request botocore would send is
    answered here (``before-send``, after anything at ``before-call``) with an
    empty model list, and its operation noted."""
    sent: list[str] = []

    def wire(request: Any, **kwargs: Any) -> AWSResponse:
        sent.append(request.url)
        body = b'{"Models": []}'
        return AWSResponse(request.url, 200, HTTPHeaders(), _Raw(body))

    client.meta.events.register("before-send.sagemaker.ListModels", wire)
    return sent


def test_control_plane_false_leaves_those_clients_alone(tmp_path: Path) -> None:
    """Their requests go on to the wire, as they would with no mock (or to moto)."""
    keys = {"aws_access_key_id": "a", "aws_secret_access_key": "b"}
    with sagemaker_stub.mock() as mocked:
        refused = new_client("sagemaker", **keys)
        wire = sent_on(refused)
        with pytest.raises(NotStubbedError):
            refused.list_models()
        assert wire == []
        assert mocked.control_plane is True
    with sagemaker_stub.mock(control_plane=False) as mocked:
        assert mocked.control_plane is False
        control = new_client("sagemaker", **keys)
        wire = sent_on(control)
        assert control.list_models()["Models"] == []
        assert wire == ["https://api.sagemaker.us-east-1.amazonaws.com/"]
    # A mock recording a cassette lets them through too (with real keys).
    cassette = Cassette(tmp_path / "c.json", record_mode="all")
    with sagemaker_stub.mock(cassette=cassette):
        control = new_client("sagemaker", **keys)
        wire = sent_on(control)
        assert control.list_models()["Models"] == []
        assert len(wire) == 1
    with pytest.raises(TypeError, match=r"mock\(control_plane=\.\.\.\) must be"):
        sagemaker_stub.mock(control_plane="no")  # type: ignore[call-overload]


def test_a_stub_on_one_client_answers_no_other_service() -> None:
    """Only mock() (and the fixtures, which run one) reaches sagemaker and STS."""
    runtime = new_client()
    control = new_client("sagemaker", aws_access_key_id="a", aws_secret_access_key="b")
    wire = sent_on(control)
    with SageMakerRuntimeStub(runtime):
        assert control.list_models()["Models"] == []
    assert len(wire) == 1


def test_the_fixture_answers_them_unless_told_not_to(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from botocore.awsrequest import AWSResponse, HTTPHeaders

        class Raw:
            def stream(self, **kwargs):
                yield b'{"Models": []}'

        def test_answered(sagemaker_runtime_stub):
            control = boto3.client("sagemaker", region_name="us-east-1")
            described = control.describe_endpoint(EndpointName="e")
            assert described["EndpointStatus"] == "InService"

        @pytest.mark.sagemaker_runtime_stub(control_plane=False)
        def test_left_alone(sagemaker_runtime_stub):
            control = boto3.client(
                "sagemaker", region_name="us-east-1",
                aws_access_key_id="a", aws_secret_access_key="b",
            )
            sent = []

            def wire(request, **kwargs):  # what would be sent: answered here
                sent.append(request.url)
                return AWSResponse(request.url, 200, HTTPHeaders(), Raw())

            control.meta.events.register("before-send.sagemaker.ListModels", wire)
            assert control.list_models()["Models"] == []
            assert len(sent) == 1

        def test_refused(sagemaker_runtime_stub):
            control = boto3.client("sagemaker", region_name="us-east-1")
            with pytest.raises(Exception) as info:
                control.list_models()
            assert type(info.value).__name__ == "NotStubbedError"

        @pytest.mark.sagemaker_runtime_stub(control_plane="yes")
        def test_checked(sagemaker_runtime_stub):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*control_plane=... must be True or False*"])


def test_the_sdks_default_bucket_is_owned_with_s3() -> None:
    """sagemaker-<region>-<account>: HeadBucket, ListBuckets, then its objects."""
    with sagemaker_stub.mock(s3=True, account_id="111122223333") as mocked:
        s3 = new_client("s3", "eu-west-1")
        bucket = "sagemaker-eu-west-1-111122223333"
        head = s3.head_bucket(Bucket=bucket, ExpectedBucketOwner="111122223333")
        assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == (
            "eu-west-1"
        )
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]
        resource = boto3.resource(
            "s3",
            region_name="eu-west-1",
            aws_access_key_id="a",
            aws_secret_access_key="b",
        )
        assert resource.Bucket(bucket).creation_date is not None
        with pytest.raises(ClientError) as info:
            s3.head_bucket(Bucket=bucket, ExpectedBucketOwner="999988887777")
        assert info.value.response["Error"]["Code"] == "403"
        s3.put_object(Bucket=bucket, Key="in/1.json", Body=b'{"x": 1}')
        mocked.queue_async(sagemaker_stub.AsyncResult.success({"y": 2}))
        runtime = new_client(region="eu-west-1")
        started = runtime.invoke_endpoint_async(
            EndpointName="e", InputLocation=f"s3://{bucket}/in/1.json"
        )
        assert mocked.calls[-1].input_object is not None
        assert mocked.read_output(started["OutputLocation"]) == b'{"y": 2}'
        # Another account's default bucket, or any other, is not the mock's.
        for other in ("sagemaker-eu-west-1-999988887777", "my-bucket"):
            with pytest.raises(S3NotStubbedError, match="does not own that bucket"):
                s3.head_bucket(Bucket=other)
    assert issubclass(S3NotStubbedError, NotStubbedError)
