"""Async inference end to end through an attached S3 client."""

from __future__ import annotations

import gc
import hashlib
import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, NoCredentialsError, WaiterError
from moto import mock_aws

import sagemaker_stub
from sagemaker_stub import (
    AsyncResult,
    InvokeResult,
    OutputNotFoundError,
    S3NotStubbedError,
    SageMakerRuntimeStub,
    SageMakerStubError,
    Source,
    StubActivationError,
)
from tests.conftest import new_client
from tests.test_lifecycle import handlers as runtime_handlers

FAST = {"Delay": 0, "MaxAttempts": 10}


def split(uri: str) -> tuple[str, str]:
    """Bucket and key of an s3:// URI."""
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    return bucket, key


def moto_s3_client(region: str = "us-east-1") -> Any:
    """An S3 client for moto's S3, inside mock_aws(), with moto's dummy keys."""
    return boto3.client(
        "s3",
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def s3() -> Any:
    """A fresh S3 client, on a session of its own."""
    return new_client("s3")


@pytest.fixture
def attached(stub: SageMakerRuntimeStub, s3: Any) -> SageMakerRuntimeStub:
    """The stub with ``s3`` attached, owning an input bucket."""
    stub.attach_s3(s3, buckets=["inputs"])
    return stub


class AsyncPredictorFlow:
    """What the sagemaker SDK's AsyncPredictor does, with boto3 alone.

    Upload the input, invoke async, wait on both locations at once with two
    waiters on one S3 client, then read the output or report the failure.
    """

    def __init__(self, runtime: Any, s3: Any) -> None:
        self.runtime = runtime
        self.s3 = s3

    def predict(self, payload: dict[str, Any], name: str) -> Any:
        self.s3.put_object(
            Bucket="inputs",
            Key=name,
            Body=json.dumps(payload).encode(),
            ContentType="application/json",
        )
        response = self.runtime.invoke_endpoint_async(
            EndpointName="scorer",
            InputLocation=f"s3://inputs/{name}",
            ContentType="application/json",
        )
        output, failure = response["OutputLocation"], response["FailureLocation"]
        with ThreadPoolExecutor(2) as pool:
            futures = {
                pool.submit(self._wait, output): "output",
                pool.submit(self._wait, failure): "failure",
            }
            # The first waiter to succeed wins; the other times out in turn.
            which = next(
                futures[future]
                for future in as_completed(futures, timeout=30)
                if future.exception() is None
            )
        bucket, key = split(output if which == "output" else failure)
        body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        if which == "failure":
            raise RuntimeError(body.decode())
        return json.loads(body)

    def _wait(self, uri: str) -> None:
        bucket, key = split(uri)
        self.s3.get_waiter("object_exists").wait(
            Bucket=bucket, Key=key, WaiterConfig={"Delay": 0, "MaxAttempts": 50}
        )


def test_async_predictor_flow(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """Upload, invoke, two concurrent waiters, read; and the failure path."""
    attached.queue_async(
        AsyncResult.success({"score": 0.9}, available_after=3),
        AsyncResult.failure("model crashed", available_after=2),
    )
    flow = AsyncPredictorFlow(client, s3)
    assert flow.predict({"x": 1}, "1.json") == {"score": 0.9}
    with pytest.raises(RuntimeError, match="model crashed"):
        flow.predict({"x": 2}, "2.json")
    first = attached.calls[0]
    assert first.input_object is not None
    assert first.input_object.uri == "s3://inputs/1.json"
    assert json.loads(first.input_object.data) == {"x": 1}
    assert first.input_object.content_type == "application/json"


def test_get_object_as_s3_answers(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """Body, ContentLength, ContentType, ETag, LastModified and metadata."""
    attached.queue_async(AsyncResult.success({"score": 0.9}))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    bucket, key = split(response["OutputLocation"])
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == b'{"score": 0.9}'
    assert got["ContentLength"] == 14
    assert got["ContentType"] == "application/json"
    assert got["ETag"] == '"269575a5be5ceea10e00a09e4713ff3d"'
    assert got["LastModified"].tzinfo is not None
    metadata = got["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RequestId"] == metadata["HTTPHeaders"]["x-amz-request-id"]
    again = s3.get_object(Bucket=bucket, Key=key)
    assert again["Body"].read() == b'{"score": 0.9}'
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == 14
    assert head["ETag"] == got["ETag"]


@pytest.mark.parametrize(
    ("wanted", "status", "data", "content_range"),
    [
        ("bytes=2-5", 206, b"2345", "bytes 2-5/10"),
        ("bytes=7-", 206, b"789", "bytes 7-9/10"),
        ("bytes=-3", 206, b"789", "bytes 7-9/10"),
        ("bytes=5-100", 206, b"56789", "bytes 5-9/10"),
        ("bytes=5-2", 200, b"0123456789", None),
        ("rows=1-2", 200, b"0123456789", None),
    ],
)
def test_ranged_get_object(
    client: Any,
    s3: Any,
    attached: SageMakerRuntimeStub,
    wanted: str,
    status: int,
    data: bytes,
    content_range: str | None,
) -> None:
    """A single byte range is served as S3 serves it; odd headers are ignored."""
    attached.queue_async(AsyncResult.success(b"0123456789"))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    bucket, key = split(response["OutputLocation"])
    got = s3.get_object(Bucket=bucket, Key=key, Range=wanted)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == status
    assert got["Body"].read() == data
    assert got.get("ContentRange") == content_range


def test_unsatisfiable_range(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """A range past the end is InvalidRange, HTTP 416; HEAD has no body."""
    attached.queue_async(AsyncResult.success(b"0123456789"))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    bucket, key = split(response["OutputLocation"])
    for wanted in ("bytes=10-", "bytes=-0"):
        with pytest.raises(ClientError) as info:
            s3.get_object(Bucket=bucket, Key=key, Range=wanted)
        assert info.value.response["Error"]["Code"] == "InvalidRange"
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key=key, Range="bytes=10-")
    assert info.value.response["Error"]["Code"] == "416"


def test_missing_keys(client: Any, s3: Any, attached: SageMakerRuntimeStub) -> None:
    """GetObject raises NoSuchKey; HeadObject a 404 ClientError."""
    attached.queue_async(AsyncResult.success("ok"))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    bucket, key = split(response["FailureLocation"])
    with pytest.raises(s3.exceptions.NoSuchKey) as info:
        s3.get_object(Bucket=bucket, Key=key)
    assert info.value.response["Error"] == {
        "Code": "NoSuchKey",
        "Message": "The specified key does not exist.",
        "Key": "failure.json",
    }
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as head:
        s3.head_object(Bucket=bucket, Key=key)
    assert head.value.response["Error"] == {"Code": "404", "Message": "Not Found"}


def test_waiters(client: Any, s3: Any, attached: SageMakerRuntimeStub) -> None:
    """object_exists on the written location, object_not_exists on the other."""
    attached.queue_async(AsyncResult.failure("bad input"))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    failure_bucket, failure_key = split(response["FailureLocation"])
    output_bucket, output_key = split(response["OutputLocation"])
    s3.get_waiter("object_exists").wait(
        Bucket=failure_bucket, Key=failure_key, WaiterConfig=FAST
    )
    s3.get_waiter("object_not_exists").wait(
        Bucket=output_bucket, Key=output_key, WaiterConfig=FAST
    )


def test_available_after_counts_polls(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """A result appears after N reads: polling loops run without sleeping."""
    attached.queue_async(AsyncResult.success("late", available_after=3))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    bucket, key = split(response["OutputLocation"])
    seen = []
    for _ in range(5):
        try:
            seen.append(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except s3.exceptions.NoSuchKey:
            seen.append(None)
    assert seen == [None, None, None, b"late", b"late"]


def test_a_waiter_times_out_on_a_held_result(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """hold=True: invisible until stub.complete(inference_id)."""
    attached.queue_async(AsyncResult.success("done", hold=True))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    bucket, key = split(response["OutputLocation"])
    waiter = s3.get_waiter("object_exists")
    with pytest.raises(WaiterError, match="Max attempts exceeded"):
        waiter.wait(Bucket=bucket, Key=key, WaiterConfig={"Delay": 0, "MaxAttempts": 3})
    with pytest.raises(OutputNotFoundError) as info:
        attached.read_output(response["OutputLocation"])
    assert str(info.value) == (
        f"The async output at {response['OutputLocation']!r} is not visible yet: it "
        "is held until stub.complete() is called."
    )
    attached.complete(response["InferenceId"])
    waiter.wait(Bucket=bucket, Key=key, WaiterConfig=FAST)
    assert attached.read_output(response["OutputLocation"]) == b"done"


@pytest.mark.answer_defaults
def test_complete_by_location_and_unknown_ids(
    client: Any, attached: SageMakerRuntimeStub
) -> None:
    """complete() takes a location too, and names the known ids otherwise."""
    client.invoke_endpoint(EndpointName="e", Body=b"a sync call has no locations")
    attached.queue_async(AsyncResult.failure("no", hold=True))
    response = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://i/1", InferenceId="run-1"
    )
    attached.complete(response["OutputLocation"])
    assert attached.read_output(response["FailureLocation"]) == b"no"
    with pytest.raises(SageMakerStubError) as info:
        attached.complete("run-2")
    assert str(info.value) == (
        "stub.complete('run-2'): no async call returned that inference id or "
        "location. Inference ids so far: 'run-1'."
    )


def test_pending_read_output_says_how_many_reads_remain(
    client: Any, attached: SageMakerRuntimeStub
) -> None:
    """read_output does not count as a poll, and explains the wait."""
    attached.queue_async(AsyncResult.success("x", available_after=2))
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    with pytest.raises(OutputNotFoundError) as info:
        attached.read_output(response["OutputLocation"])
    assert str(info.value).endswith("is pending for 2 more read(s).")


def test_realistic_locations(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """<output>/<id>.out and <failure>/<id>-error.out, with any botocore."""
    attached.configure_async_output("s3://my-out/async/", "s3://my-fail/errors")
    attached.queue_async(AsyncResult.success("a"), AsyncResult.failure("b"))
    first = client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://i/1", InferenceId="inf-1"
    )
    assert first["OutputLocation"] == "s3://my-out/async/inf-1.out"
    assert first["FailureLocation"] == "s3://my-fail/errors/inf-1-error.out"
    second = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/2")
    assert second["OutputLocation"] == (
        f"s3://my-out/async/{second['InferenceId']}.out"
    )
    bucket, key = split(second["FailureLocation"])
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"b"


def test_realistic_locations_with_extension_and_filename(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """<output>/<extension>/<id>.out and <Filename>, where botocore has them."""
    members = client.meta.service_model.operation_model(
        "InvokeEndpointAsync"
    ).input_shape.members
    if "S3OutputPathExtension" not in members:
        pytest.skip("this botocore has no S3OutputPathExtension or Filename")
    attached.configure_async_output("s3://my-out/async/", "s3://my-fail/errors")
    attached.queue_async(AsyncResult.success("a"), AsyncResult.failure("b"))
    first = client.invoke_endpoint_async(
        EndpointName="e",
        InputLocation="s3://i/1",
        InferenceId="inf-1",
        S3OutputPathExtension="daily/2026",
    )
    assert first["OutputLocation"] == "s3://my-out/async/daily/2026/inf-1.out"
    assert first["FailureLocation"] == "s3://my-fail/errors/inf-1-error.out"
    second = client.invoke_endpoint_async(
        EndpointName="e",
        InputLocation="s3://i/2",
        InferenceId="inf-2",
        Filename="r.json",
    )
    assert second["OutputLocation"] == "s3://my-out/async/r.json"
    got = s3.get_object(Bucket="my-fail", Key="errors/inf-2-error.out")
    assert got["Body"].read() == b"b"


@pytest.mark.answer_defaults
def test_realistic_locations_per_endpoint(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A config for one endpoint; moto's layout elsewhere; failure path optional."""
    stub.configure_async_output("s3://only-churn", endpoint_name="churn")
    churn = client.invoke_endpoint_async(
        EndpointName="churn", InputLocation="s3://i/1", InferenceId="c1"
    )
    other = client.invoke_endpoint_async(EndpointName="other", InputLocation="s3://i/1")
    assert churn["OutputLocation"] == "s3://only-churn/c1.out"
    assert churn["FailureLocation"] == "s3://only-churn/c1-error.out"
    assert other["OutputLocation"].startswith("s3://sagemaker-output-")


def test_pass_through_lets_other_requests_go_on(
    stub: SageMakerRuntimeStub, s3: Any
) -> None:
    """With pass_through=True, what the stub does not own behaves as without it."""
    stub.attach_s3(s3, buckets=["mine"], pass_through=True)
    with pytest.raises(NoCredentialsError):
        s3.get_object(Bucket="someone-elses", Key="k")
    with pytest.raises(NoCredentialsError):
        s3.list_buckets()
    with pytest.raises(NoCredentialsError):
        s3.copy_object(Bucket="mine", Key="b", CopySource="mine/a")


def test_an_attached_client_refuses_what_it_does_not_answer(
    stub: SageMakerRuntimeStub, s3: Any
) -> None:
    """By default a typo in a bucket name fails closed, naming the way out."""
    stub.attach_s3(s3, buckets=["mine", "inputs"])
    with pytest.raises(S3NotStubbedError) as info:
        s3.get_object(Bucket="mnie", Key="k")
    assert str(info.value) == (
        "S3 GetObject on bucket 'mnie' reached the stubbed S3 client, but the stub "
        "does not own that bucket; it owns 'inputs', 'mine'. Attach with "
        "buckets=[...] to serve more buckets, or pass_through=True to send other "
        "requests on to S3."
    )
    with pytest.raises(S3NotStubbedError) as info:
        s3.copy_object(Bucket="mine", Key="b", CopySource="mine/a")
    assert str(info.value) == (
        "S3 CopyObject on bucket 'mine' reached the stubbed S3 client, but the stub "
        "does not serve CopyObject; it serves GetObject, HeadObject, PutObject, "
        "DeleteObject, ListObjectsV2, HeadBucket. Attach another client for it, or "
        "pass_through=True to send other requests on to S3."
    )
    with pytest.raises(S3NotStubbedError) as info:
        s3.list_buckets()
    assert str(info.value) == (
        "S3 ListBuckets reached the stubbed S3 client, but it names no bucket, and "
        "the stub answers only requests for the buckets it owns. Attach another "
        "client for it, or pass_through=True to send other requests on to S3."
    )


def test_owned_buckets_are_listed_and_objects_deleted(
    client: Any, stub: SageMakerRuntimeStub, s3: Any
) -> None:
    """ListObjectsV2 pages through visible objects; DeleteObject removes one."""
    stub.attach_s3(s3, buckets=["inputs"])
    for name in ("b", "a", "c", "other/x"):
        s3.put_object(Bucket="inputs", Key=f"in/{name}", Body=name.encode())
    stub.configure_async_output("s3://inputs/out")
    stub.queue_async(AsyncResult.success("later", available_after=1))
    client.invoke_endpoint_async(
        EndpointName="e", InputLocation="s3://inputs/in/a", InferenceId="p"
    )
    first = s3.list_objects_v2(Bucket="inputs", Prefix="in/", MaxKeys=2)
    assert [item["Key"] for item in first["Contents"]] == ["in/a", "in/b"]
    assert first["IsTruncated"] is True
    assert first["KeyCount"] == 2
    assert first["Contents"][0]["Size"] == 1
    assert (
        first["Contents"][0]["ETag"]
        == s3.head_object(Bucket="inputs", Key="in/a")["ETag"]
    )
    rest = s3.list_objects_v2(
        Bucket="inputs", Prefix="in/", ContinuationToken=first["NextContinuationToken"]
    )
    assert [item["Key"] for item in rest["Contents"]] == ["in/c", "in/other/x"]
    assert rest["IsTruncated"] is False
    assert "Contents" not in s3.list_objects_v2(Bucket="inputs", Prefix="out/")
    s3.delete_object(Bucket="inputs", Key="in/b")
    s3.delete_object(Bucket="inputs", Key="in/never-there")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket="inputs")["Contents"]]
    assert keys == ["in/a", "in/c", "in/other/x"]
    with pytest.raises(s3.exceptions.NoSuchKey):  # the one read it waits for
        s3.get_object(Bucket="inputs", Key="out/p.out")
    listed = s3.list_objects_v2(Bucket="inputs", Prefix="out/")["Contents"]
    assert [item["Key"] for item in listed] == ["out/p.out"]


def test_detach_restores_the_s3_client_exactly(stub: SageMakerRuntimeStub) -> None:
    """Handlers after detach_s3 (or deactivate) are those before attach_s3."""
    s3 = new_client("s3")
    events = ("before-parameter-build.s3.GetObject", "before-call.s3.GetObject")
    emitter = s3.meta.events._emitter

    def s3_handlers() -> list[list[object]]:
        return [list(emitter._handlers.prefix_search(event)) for event in events]

    before = s3_handlers()
    stub.attach_s3(s3)
    assert s3_handlers() != before
    stub.detach_s3(s3)
    assert s3_handlers() == before
    stub.attach_s3(s3)
    stub.deactivate()
    assert s3_handlers() == before
    assert runtime_handlers(stub.client) == runtime_handlers(new_client())


@pytest.mark.answer_defaults
def test_put_object_on_owned_buckets_stores_inputs(
    client: Any, s3: Any, attached: SageMakerRuntimeStub
) -> None:
    """Uploads to an owned bucket are kept, served back and linked to calls."""
    put = s3.put_object(
        Bucket="inputs", Key="a.csv", Body=b"1,2", ContentType="text/csv"
    )
    assert put["ETag"] == f'"{hashlib.md5(b"1,2").hexdigest()}"'
    got = s3.get_object(Bucket="inputs", Key="a.csv")
    assert (got["Body"].read(), got["ContentType"]) == (b"1,2", "text/csv")
    s3.put_object(Bucket="inputs", Key="file", Body=io.BytesIO(b"from a file"))
    assert s3.get_object(Bucket="inputs", Key="file")["Body"].read() == b"from a file"
    s3.upload_fileobj(io.BytesIO(b"via s3transfer"), "inputs", "transfer")
    got = s3.get_object(Bucket="inputs", Key="transfer")["Body"].read()
    assert got == b"via s3transfer"
    stored = attached.store_input("s3://inputs/b.json", '{"x": 1}')
    assert stored.content_type == "application/json"
    client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://inputs/b.json")
    client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://elsewhere/c")
    assert attached.calls[0].input_object == stored
    assert attached.calls[1].input_object is None


def test_write_outputs_through_moto_s3(client: Any, stub: SageMakerRuntimeStub) -> None:
    """Outputs become real objects in another S3 (moto's here)."""
    with mock_aws():
        moto_s3 = moto_s3_client()
        moto_s3.create_bucket(Bucket="real-out")
        stub.write_outputs_to(moto_s3)
        stub.queue_async(
            AsyncResult.success({"ok": True}),
            AsyncResult.failure("later", hold=True),
        )
        random = client.invoke_endpoint_async(
            EndpointName="e", InputLocation="s3://i/1"
        )
        bucket, key = split(random["OutputLocation"])
        assert (
            moto_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b'{"ok": true}'
        )
        stub.configure_async_output("s3://real-out/async")
        held = client.invoke_endpoint_async(
            EndpointName="e", InputLocation="s3://i/2", InferenceId="h"
        )
        with pytest.raises(moto_s3.exceptions.NoSuchKey):
            moto_s3.get_object(Bucket="real-out", Key="async/h-error.out")
        stub.complete("h")
        assert held["FailureLocation"] == "s3://real-out/async/h-error.out"
        got = moto_s3.get_object(Bucket="real-out", Key="async/h-error.out")
        assert got["Body"].read() == b"later"
        assert got["ContentType"] == "text/plain; charset=utf-8"


@pytest.mark.answer_defaults
def test_write_through_creates_generated_buckets_in_its_region(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A missing sagemaker-output-* bucket is created where the client is."""
    with mock_aws():
        moto_s3 = moto_s3_client("eu-west-1")
        stub.write_outputs_to(moto_s3)
        response = client.invoke_endpoint_async(
            EndpointName="e", InputLocation="s3://i/1"
        )
        bucket, key = split(response["OutputLocation"])
        assert moto_s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == (
            "eu-west-1"
        )
        assert moto_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == (
            b'{"default": "response"}'
        )
        stub.configure_async_output("s3://does-not-exist/out")
        with pytest.raises(SageMakerStubError, match="NoSuchBucket") as info:
            client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/2")
        assert isinstance(info.value.__cause__, moto_s3.exceptions.NoSuchBucket)


def test_misuse_is_explained(client: Any, stub: SageMakerRuntimeStub, s3: Any) -> None:
    """Wrong clients, double attachment and uncountable waits fail clearly."""
    with pytest.raises(TypeError) as info:
        stub.attach_s3(client)
    assert str(info.value) == (
        "stub.attach_s3() needs an S3 client; got a client for 'sagemaker-runtime'. "
        'Create one with boto3.client("s3", region_name="us-east-1").'
    )
    with pytest.raises(TypeError, match=r"got 's3' \(str\)"):
        stub.write_outputs_to("s3")
    stub.detach_s3(s3)  # never attached: nothing to do
    stub.attach_s3(s3)
    with pytest.raises(StubActivationError, match="already attached"):
        stub.attach_s3(s3)
    with pytest.raises(StubActivationError, match="would answer the writes itself"):
        stub.write_outputs_to(s3)
    other = new_client("s3")
    stub.write_outputs_to(other)
    with pytest.raises(StubActivationError, match="would answer its own writes"):
        stub.attach_s3(other)
    with pytest.raises(TypeError, match=r"buckets=\.\.\.\)\[0\] must be a bucket"):
        stub.attach_s3(new_client("s3"), buckets=[""])
    with pytest.raises(TypeError) as info:
        stub.attach_s3(new_client("s3"), pass_through="yes")  # type: ignore[arg-type]
    assert str(info.value) == (
        "stub.attach_s3(pass_through=...) must be True or False; got 'yes' (str)."
    )
    with pytest.raises(TypeError) as info:
        stub.attach_s3(new_client("s3"), buckets="inputs")
    assert str(info.value) == (
        "stub.attach_s3(buckets=...) must be a sequence of bucket names; got "
        "'inputs' (str). Wrap a single name in a list."
    )
    with pytest.raises(ValueError, match="must be an S3 URI"):
        stub.store_input("inputs/x", b"")
    with pytest.raises(TypeError, match="must be bytes or str"):
        stub.store_input("s3://inputs/x", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"configure_async_output\(s3_output_path\)"):
        stub.configure_async_output("https://not-s3")
    with pytest.raises(ValueError, match=r"configure_async_output\(s3_failure_path\)"):
        stub.configure_async_output("s3://ok", 5)  # type: ignore[arg-type]
    stub.queue_async(AsyncResult.success("x", available_after=1))
    with pytest.raises(SageMakerStubError, match="reads cannot be counted"):
        client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    assert [item.result for item in stub.pending_results()] == [
        AsyncResult.success("x", available_after=1)
    ]
    stub.queue(InvokeResult(body=b"unused"))
    stub.deactivate(report_unused=False)


def test_a_failed_write_through_keeps_the_result_queued(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A bucket missing from the write-through S3 consumes nothing.

    The call fails naming the location, the result stays queued and no
    answer is remembered, so the same request succeeds once the bucket exists.
    """
    with mock_aws():
        moto_s3 = moto_s3_client()
        stub.write_outputs_to(moto_s3)
        stub.configure_async_output("s3://missing/async")
        stub.queue_async(AsyncResult.success({"ok": True}))
        with pytest.raises(SageMakerStubError) as info:
            client.invoke_endpoint_async(
                EndpointName="e", InputLocation="s3://i/1", InferenceId="a"
            )
        assert str(info.value).startswith(
            "Writing the async output to 's3://missing/async/a.out' through the S3 "
            "client given to write_outputs_to() failed: An error occurred "
            "(NoSuchBucket)"
        )
        assert [item.result for item in stub.pending_results()] == [
            AsyncResult.success({"ok": True})
        ]
        assert [call.source for call in stub.calls] == [Source.UNANSWERED]
        moto_s3.create_bucket(Bucket="missing")
        response = client.invoke_endpoint_async(
            EndpointName="e", InputLocation="s3://i/1", InferenceId="a"
        )
        assert stub.calls[1].source is Source.QUEUED
        bucket, key = split(response["OutputLocation"])
        assert moto_s3.get_object(Bucket=bucket, Key=key)["Body"].read() == (
            b'{"ok": true}'
        )


def test_a_reused_inference_id_never_shares_a_location(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Two requests with one InferenceId get locations of their own.

    The first keeps the documented <id>.out names; a later request whose
    names are taken gets fresh ones, and each location holds only its own.
    """
    stub.configure_async_output("s3://out/async", "s3://fail/errors")
    stub.queue_async(
        AsyncResult.success("A"), AsyncResult.success("B"), AsyncResult.failure("C")
    )
    first, second, third = (
        client.invoke_endpoint_async(
            EndpointName="e", InputLocation=f"s3://in/{n}", InferenceId="same"
        )
        for n in range(3)
    )
    assert first["OutputLocation"] == "s3://out/async/same.out"
    assert first["FailureLocation"] == "s3://fail/errors/same-error.out"
    locations = [
        location
        for response in (first, second, third)
        for location in (response["OutputLocation"], response["FailureLocation"])
    ]
    assert len(set(locations)) == 6
    assert stub.read_output(first["OutputLocation"]) == b"A"
    assert stub.read_output(second["OutputLocation"]) == b"B"
    assert stub.read_output(third["FailureLocation"]) == b"C"
    for response in (first, second):
        with pytest.raises(OutputNotFoundError):
            stub.read_output(response["FailureLocation"])
    with pytest.raises(OutputNotFoundError):
        stub.read_output(third["OutputLocation"])


def test_outputs_are_written_through_outside_the_result_books_lock(
    client: Any, stub: SageMakerRuntimeStub, s3: Any
) -> None:
    """Two calls write their outputs at the same time: no I/O holds the book.

    Each PutObject waits at a barrier for the other; were the write made
    under the result book's lock, the second call could not take its result
    until the first write ended, and the barrier would break.
    """
    barrier = threading.Barrier(2, timeout=10)
    written: list[str] = []

    def put_object(params: dict[str, Any], **kwargs: Any) -> Any:
        barrier.wait()
        written.append(params["url_path"])
        return AWSResponse("https://s3", 200, {}, None), {}  # type: ignore[arg-type]

    s3.meta.events.register_first("before-call.s3.PutObject", put_object)
    stub.write_outputs_to(s3)
    stub.configure_async_output("s3://outputs/async")
    stub.queue_async(AsyncResult.success("one"), AsyncResult.success("two"))

    def call(name: str) -> str:
        response = client.invoke_endpoint_async(
            EndpointName="e", InputLocation=f"s3://i/{name}", InferenceId=name
        )
        location: str = response["OutputLocation"]
        return location

    with ThreadPoolExecutor(max_workers=2) as pool:
        locations = sorted(pool.map(call, ["a", "b"]))
    assert locations == ["s3://outputs/async/a.out", "s3://outputs/async/b.out"]
    assert sorted(written) == ["/async/a.out", "/async/b.out"]  # in bucket outputs
    assert [call.source for call in stub.calls] == [Source.QUEUED] * 2


def test_a_write_through_failure_outside_the_lock_gives_the_result_back(
    client: Any, stub: SageMakerRuntimeStub, s3: Any
) -> None:
    """Written after the book let go of it, a result that fails is still put back:
    first in its queue, forgotten by the request, and its object removed."""
    failures = [ClientError({"Error": {"Code": "AccessDenied"}}, "PutObject")]

    def put_object(**kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return AWSResponse("https://s3", 200, {}, None), {}  # type: ignore[arg-type]

    s3.meta.events.register_first("before-call.s3.PutObject", put_object)
    stub.write_outputs_to(s3)
    stub.queue_async(AsyncResult.success("first"), AsyncResult.success("second"))
    with pytest.raises(SageMakerStubError, match="AccessDenied"):
        client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    assert [item.result for item in stub.pending_results()] == [
        AsyncResult.success("first"),
        AsyncResult.success("second"),
    ]
    response = client.invoke_endpoint_async(EndpointName="e", InputLocation="s3://i/1")
    assert stub.read_output(response["OutputLocation"]) == b"first"
    assert [call.source for call in stub.calls] == [Source.UNANSWERED, Source.QUEUED]
    with pytest.raises(OutputNotFoundError):
        stub.read_output(stub.calls[0].output_location or "s3://none/x")
    stub.deactivate(report_unused=False)  # "second" is left, as it should be


def test_a_client_garbage_collected_leaves_no_attachment_behind(
    stub: SageMakerRuntimeStub,
) -> None:
    """Attached clients are held weakly: a new client that happens to reuse a
    collected one's id is a new client, attached like any other."""
    seen: set[int] = set()
    reused = False
    # An address comes back after 15 to 270 clients here, as the heap goes;
    # the bound only keeps a broken interpreter from looping for ever.
    for _ in range(3000):
        s3_client = new_client("s3")
        reused = id(s3_client) in seen
        stub.attach_s3(s3_client)  # never "already attached"
        seen.add(id(s3_client))
        del s3_client
        # A young-generation pass frees most clients' cycles at a fraction of
        # a full collection's cost; the full one now and then frees the rest.
        gc.collect(1 if len(seen) % 25 else 2)
        if reused:
            break
    assert reused  # the interpreter did reuse an address: the case was met


def test_waiters_of_an_answered_s3_client_do_not_sleep(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stub decides when an output appears: a waiter polls without its
    Delay (5 s for object_exists) while a door answers the client, and as
    configured again once none does, or with pass_through=True."""
    slept: list[float] = []
    monkeypatch.setattr("botocore.waiter.time.sleep", slept.append)
    s3 = new_client("s3")

    def wait_for_output(stub: Any, polls: int, **config: Any) -> None:
        stub.queue_async(AsyncResult.success("out", available_after=polls))
        location = client.invoke_endpoint_async(
            EndpointName="e", InputLocation=f"s3://in/{len(slept)}-{polls}"
        )["OutputLocation"]
        bucket, key = location.removeprefix("s3://").split("/", 1)
        s3.get_waiter("object_exists").wait(Bucket=bucket, Key=key, **config)

    with SageMakerRuntimeStub(client) as stub:
        stub.attach_s3(s3)
        wait_for_output(stub, 2)
    assert slept == [0, 0]
    with sagemaker_stub.mock(s3=True) as everywhere:
        wait_for_output(everywhere, 1, WaiterConfig={"Delay": 7})
        with SageMakerRuntimeStub(client) as stub:
            stub.attach_s3(s3)  # a second door on the client
            wait_for_output(stub, 1)
        wait_for_output(everywhere, 1)  # the first door still answers
    assert slept == [0, 0, 0, 0, 0]
    assert "get_waiter" not in vars(s3)  # botocore's own again
    with SageMakerRuntimeStub(client) as stub:
        stub.attach_s3(s3, pass_through=True)
        wait_for_output(stub, 1, WaiterConfig={"Delay": 3})
    assert slept == [0, 0, 0, 0, 0, 3]
