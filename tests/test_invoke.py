"""invoke_endpoint through a real boto3 client: moto's result model."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

import pytest
from botocore.response import StreamingBody

from sagemaker_stub import InvokeResult, SageMakerRuntimeStub, Source


def body_of(response: dict[str, Any]) -> bytes:
    """Read a response's StreamingBody."""
    data: bytes = response["Body"].read()
    return data


def test_results_are_served_in_order_to_new_requests(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Each new request takes the next queued result."""
    stub.queue(InvokeResult(body=b"one"), InvokeResult(body=b"two"))
    first = client.invoke_endpoint(EndpointName="churn", Body=b"a")
    second = client.invoke_endpoint(EndpointName="churn", Body=b"b")
    assert body_of(first) == b"one"
    assert body_of(second) == b"two"
    assert [call.source for call in stub.calls] == [Source.QUEUED, Source.QUEUED]


def test_same_request_gets_the_remembered_result(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A repeat keeps its result even after more results were queued."""
    stub.queue(InvokeResult(body=b"one"))
    assert body_of(client.invoke_endpoint(EndpointName="churn", Body=b"a")) == b"one"
    stub.queue(InvokeResult(body=b"two"))
    assert body_of(client.invoke_endpoint(EndpointName="churn", Body=b"a")) == b"one"
    assert body_of(client.invoke_endpoint(EndpointName="churn", Body=b"b")) == b"two"
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.REMEMBERED,
        Source.QUEUED,
    ]


def test_remembered_result_is_a_fresh_stream_each_time(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Reading a remembered result again gives all its bytes."""
    stub.queue(InvokeResult(body=b"payload"))
    first = client.invoke_endpoint(EndpointName="e", Body=b"a")
    second = client.invoke_endpoint(EndpointName="e", Body=b"a")
    assert isinstance(first["Body"], StreamingBody)
    assert first["Body"] is not second["Body"]
    assert body_of(first) == b"payload"
    assert body_of(second) == b"payload"


@pytest.mark.parametrize(
    "body",
    [
        "x",
        b"x",
        bytearray(b"x"),
        io.BytesIO(b"x"),
    ],
    ids=["str", "bytes", "bytearray", "file"],
)
def test_equal_bytes_are_the_same_request(
    client: Any, stub: SageMakerRuntimeStub, body: object
) -> None:
    """str, bytes, bytearray and file-like bodies with equal bytes match."""
    stub.queue(InvokeResult(body=b"first"), InvokeResult(body=b"second"))
    assert body_of(client.invoke_endpoint(EndpointName="e", Body=b"x")) == b"first"
    assert body_of(client.invoke_endpoint(EndpointName="e", Body=body)) == b"first"
    assert body_of(client.invoke_endpoint(EndpointName="e", Body=b"y")) == b"second"


@pytest.mark.answer_defaults
def test_file_like_body_is_left_readable(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The stub reads a seekable body for its identity, then rewinds it."""
    stream = io.BytesIO(b"header|payload")
    stream.seek(7)
    client.invoke_endpoint(EndpointName="e", Body=stream)
    assert stream.read() == b"payload"
    assert stub.calls[0].body_size == len(b"payload")


def test_unseekable_body_is_read_once(client: Any, stub: SageMakerRuntimeStub) -> None:
    """A body that cannot seek is read once, as sending it would."""

    class OneShot(io.RawIOBase):
        def __init__(self) -> None:
            self.data = b"stream"

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            data, self.data = self.data, b""
            return data

    stub.queue(InvokeResult(body=b"one"))
    client.invoke_endpoint(EndpointName="e", Body=OneShot())
    assert body_of(client.invoke_endpoint(EndpointName="e", Body=b"stream")) == b"one"
    assert [call.source for call in stub.calls] == [Source.QUEUED, Source.REMEMBERED]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("Accept", "application/json"),
        ("CustomAttributes", "c=1"),
        ("TargetModel", "model.tar.gz"),
        ("TargetVariant", "blue"),
        ("TargetContainerHostname", "host1"),
        ("InferenceId", "id-1"),
        ("EnableExplanations", "`true`"),
        ("InferenceComponentName", "ic-1"),
    ],
)
def test_every_sagemaker_header_and_accept_make_a_new_request(
    client: Any, stub: SageMakerRuntimeStub, param: str, value: str
) -> None:
    """Each X-Amzn-SageMaker-* parameter and Accept is part of the identity."""
    stub.queue(InvokeResult(body=b"plain"), InvokeResult(body=b"with param"))
    plain = client.invoke_endpoint(EndpointName="e", Body=b"x")
    varied = client.invoke_endpoint(EndpointName="e", Body=b"x", **{param: value})
    assert body_of(plain) == b"plain"
    assert body_of(varied) == b"with param"


def test_content_type_is_not_part_of_the_identity(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Two requests differing only in ContentType are the same request."""
    stub.queue(InvokeResult(body=b"one"))
    client.invoke_endpoint(EndpointName="e", Body=b"x", ContentType="text/csv")
    again = client.invoke_endpoint(
        EndpointName="e", Body=b"x", ContentType="application/json"
    )
    assert body_of(again) == b"one"
    assert stub.calls[1].source is Source.REMEMBERED


def test_identity_headers_come_from_the_service_model(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Every header member of the installed botocore's model counts."""
    operation = stub._control.engine.operations["InvokeEndpoint"]
    input_shape = operation.model.input_shape
    assert input_shape is not None
    expected = {
        member.serialization["name"]
        for name, member in input_shape.members.items()
        if member.serialization.get("location") == "header"
        and name not in ("ContentType",)
    }
    assert set(operation.identity_headers) == expected
    assert "Accept" in operation.identity_headers
    if "PrefixAwareId" in input_shape.members:
        stub.queue(InvokeResult(body=b"plain"), InvokeResult(body=b"prefixed"))
        client.invoke_endpoint(EndpointName="e", Body=b"x")
        prefixed = client.invoke_endpoint(
            EndpointName="e", Body=b"x", PrefixAwareId="p"
        )
        assert body_of(prefixed) == b"prefixed"


def test_memory_is_per_endpoint(client: Any, stub: SageMakerRuntimeStub) -> None:
    """The same request on another endpoint is a new request (moto's intent)."""
    stub.queue(InvokeResult(body=b"one"), InvokeResult(body=b"two"))
    assert body_of(client.invoke_endpoint(EndpointName="a", Body=b"x")) == b"one"
    assert body_of(client.invoke_endpoint(EndpointName="b", Body=b"x")) == b"two"
    assert body_of(client.invoke_endpoint(EndpointName="a", Body=b"x")) == b"one"


def test_endpoint_queue_is_served_before_the_shared_queue(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Results queued for an endpoint go to it first; others share the rest."""
    stub.queue(InvokeResult(body=b"shared"))
    stub.queue(InvokeResult(body=b"for churn"), endpoint_name="churn")
    other = client.invoke_endpoint(EndpointName="other", Body=b"x")
    churn = client.invoke_endpoint(EndpointName="churn", Body=b"x")
    assert body_of(other) == b"shared"
    assert body_of(churn) == b"for churn"


def test_endpoint_falls_back_to_the_shared_queue(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Once its own queue is empty, an endpoint takes shared results."""
    stub.queue(InvokeResult(body=b"shared"))
    stub.queue(InvokeResult(body=b"own"), endpoint_name="churn")
    assert body_of(client.invoke_endpoint(EndpointName="churn", Body=b"1")) == b"own"
    assert body_of(client.invoke_endpoint(EndpointName="churn", Body=b"2")) == b"shared"


@pytest.mark.answer_defaults
def test_default_answers_and_is_recorded(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """With nothing queued, moto's static data answers and the history says so."""
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert body_of(response) == b"body"
    assert response["ContentType"] == "content_type"
    assert response["InvokedProductionVariant"] == "invoked_production_variant"
    assert response["CustomAttributes"] == "custom_attributes"
    assert stub.calls[0].source is Source.DEFAULT
    stub.queue(InvokeResult(body=b"later"))
    again = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert body_of(again) == b"body"
    assert stub.calls[1].source is Source.REMEMBERED
    assert body_of(client.invoke_endpoint(EndpointName="e", Body=b"y")) == b"later"


def test_response_is_what_botocore_builds(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Parsed by botocore: metadata, service header names, typed members."""
    stub.queue(
        InvokeResult(
            body=b"<ok/>",
            content_type="text/xml",
            invoked_production_variant="prod",
            custom_attributes="my_attr",
        )
    )
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    metadata = response["ResponseMetadata"]
    headers = metadata["HTTPHeaders"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["RequestId"] == headers["x-amzn-requestid"]
    assert headers["content-type"] == "text/xml"
    assert headers["content-length"] == "5"
    assert headers["x-amzn-invoked-production-variant"] == "prod"
    assert headers["x-amzn-sagemaker-custom-attributes"] == "my_attr"
    assert "date" in headers
    assert response["ContentType"] == "text/xml"
    assert response["InvokedProductionVariant"] == "prod"
    assert response["CustomAttributes"] == "my_attr"
    assert body_of(response) == b"<ok/>"


def test_request_ids_are_fresh_version_4_uuids(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Every response has its own request id, shaped as the service's are."""
    stub.queue(InvokeResult(body=b"ok"))
    ids = [
        client.invoke_endpoint(EndpointName="e", Body=b"x")["ResponseMetadata"][
            "RequestId"
        ]
        for _ in range(50)
    ]
    assert len(set(ids)) == 50
    assert {uuid.UUID(request_id).version for request_id in ids} == {4}
    assert all(str(uuid.UUID(request_id)) == request_id for request_id in ids)


def test_after_call_handlers_see_the_http_response(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """An after-call handler reads the response's headers, case-insensitively."""
    seen: list[tuple[object, ...]] = []

    def after_call(http_response: Any, parsed: dict[str, Any], **_: Any) -> None:
        assert not hasattr(http_response, "no_such_attribute")
        headers = http_response.headers
        seen.append(
            (
                http_response.status_code,
                headers["X-Amzn-RequestId"],
                headers["content-type"],
                parsed["ResponseMetadata"]["RequestId"],
            )
        )

    client.meta.events.register("after-call.sagemaker-runtime", after_call)
    stub.queue(InvokeResult(body=b"ok", content_type="text/plain"))
    client.invoke_endpoint(EndpointName="e", Body=b"x")
    client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert [entry[0] for entry in seen] == [200, 200]
    assert [entry[2] for entry in seen] == ["text/plain", "text/plain"]
    assert all(entry[1] == entry[3] for entry in seen)
    assert seen[0][1] != seen[1][1]


def test_many_distinct_results_stay_exact(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """More header sets than the renderer keeps parsed still answer exactly."""
    results = [
        InvokeResult(body=str(n).encode(), custom_attributes=f"n={n}")
        for n in range(300)
    ]
    stub.queue(*results)
    for n, result in enumerate(results):
        response = client.invoke_endpoint(EndpointName="e", Body=str(n).encode())
        assert response["CustomAttributes"] == result.custom_attributes
        assert response["Body"].read() == result.body
        assert response["ResponseMetadata"]["HTTPHeaders"]["content-length"] == str(
            len(result.body)
        )
    first = client.invoke_endpoint(EndpointName="e", Body=b"0")
    second = client.invoke_endpoint(EndpointName="e", Body=b"0")
    assert (
        first["ResponseMetadata"]["RequestId"]
        != second["ResponseMetadata"]["RequestId"]
    )
    assert first["Body"].read() == second["Body"].read() == b"0"


def test_unset_optional_headers_are_absent(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """A result without a variant or custom attributes leaves those keys out."""
    stub.queue(InvokeResult(body=b"x", invoked_production_variant=None))
    response = client.invoke_endpoint(EndpointName="e", Body=b"x")
    assert "InvokedProductionVariant" not in response
    assert "CustomAttributes" not in response
    assert response["ContentType"] == "application/octet-stream"


def test_binary_bodies_round_trip(client: Any, stub: SageMakerRuntimeStub) -> None:
    """A JPEG request and a binary response both work (moto fails on them)."""
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))
    npy = b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}" + b"\x00" * 64
    stub.queue(InvokeResult(body=npy, content_type="application/x-npy"))
    response = client.invoke_endpoint(
        EndpointName="e", Body=jpeg, ContentType="image/jpeg"
    )
    assert body_of(response) == npy
    again = client.invoke_endpoint(EndpointName="e", Body=jpeg)
    assert body_of(again) == npy


def test_call_history_records_each_call(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Operation, endpoint, params without Body, result and how it was chosen."""
    result = InvokeResult.json({"label": "cat"})
    stub.queue(result)
    client.invoke_endpoint(
        EndpointName="churn", Body=b'{"x": 1}', ContentType="application/json"
    )
    [call] = stub.calls
    assert call.operation == "InvokeEndpoint"
    assert call.endpoint_name == "churn"
    assert call.params == {"EndpointName": "churn", "ContentType": "application/json"}
    assert call.body_size == 8
    assert call.body_sha256 == hashlib.sha256(b'{"x": 1}').hexdigest()
    assert call.body is None
    assert call.result == result
    assert call.source is Source.QUEUED


def test_keep_bodies_records_the_request_body(client: Any) -> None:
    """keep_bodies=True keeps each request body in the history."""
    with SageMakerRuntimeStub(client, keep_bodies=True) as stub:
        stub.queue(InvokeResult(body=b"ok"))
        client.invoke_endpoint(EndpointName="e", Body="héllo")
    assert stub.calls[0].body == "héllo".encode()


def test_a_template_cleared_by_another_thread_is_not_read_back(
    client: Any, stub: SageMakerRuntimeStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The renderer uses the parse it just made, whatever happens to its cache.

    Another thread may clear the cache at its size limit between storing a
    template and reading it back; this cache empties itself on every store.
    """

    class ClearedAtOnce(dict[object, object]):
        def __setitem__(self, key: object, value: object) -> None:
            super().__setitem__(key, value)
            self.clear()

    monkeypatch.setattr(stub._door._renderer._templates, "_templates", ClearedAtOnce())
    stub.queue(InvokeResult(body=b"one"), InvokeResult(body=b"two"))
    assert body_of(client.invoke_endpoint(EndpointName="e", Body=b"1")) == b"one"
    assert body_of(client.invoke_endpoint(EndpointName="e", Body=b"2")) == b"two"
