"""Cassettes with aiobotocore clients: recorded over HTTP, replayed offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import pytest_socket
from aiobotocore.eventstream import AioEventStream
from aiobotocore.session import AioSession
from botocore.exceptions import EventStreamError

import sagemaker_stub
from sagemaker_stub import (
    Cassette,
    InvokeResult,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
)
from tests.test_cassettes import (
    KEY_ID,
    SECRET,
    TOKEN,
    client,
    recorded_pair,
    set_up,
)
from tests.test_cassettes import traffic as sync_traffic

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]


def aio_client(service: str, url: str | None = None) -> Any:
    """An aiobotocore client context signed with the dummy credentials."""
    return AioSession().create_client(
        service,
        region_name="eu-west-1",
        endpoint_url=url,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
    )


async def read_into(parts: list[bytes], stream: Any) -> None:
    """Append each part of ``stream`` to ``parts`` until it ends or fails."""
    async for event in stream:
        parts.append(event["PayloadPart"]["Bytes"])


async def traffic(runtime: Any, s3: Any) -> list[object]:
    """What async code observes: all three operations, errors too."""
    seen: list[object] = []
    response = await runtime.invoke_endpoint(
        EndpointName="ep", Body=b'{"x": 1}', Accept="application/json"
    )
    seen.append((await response["Body"].read(), response["CustomAttributes"]))
    with pytest.raises(runtime.exceptions.ModelError) as caught:
        await runtime.invoke_endpoint(EndpointName="ep", Body=b"crash")
    seen.append((caught.value.response["Error"], caught.value.response["LogStreamArn"]))
    seen.append(
        await (await runtime.invoke_endpoint(EndpointName="ep", Body=b"img"))[
            "Body"
        ].read()
    )
    stream = await runtime.invoke_endpoint_with_response_stream(
        EndpointName="ep", Body=b"hi"
    )
    assert isinstance(stream["Body"], AioEventStream)
    seen.append([event["PayloadPart"]["Bytes"] async for event in stream["Body"]])
    failing = await runtime.invoke_endpoint_with_response_stream(
        EndpointName="ep", Body=b"json"
    )
    parts: list[bytes] = []
    with pytest.raises(EventStreamError) as broken:
        await read_into(parts, failing["Body"])
    seen.append((parts, broken.value.response["Error"]))
    for name in ("in/1.json", "in/2.json"):
        answer = await runtime.invoke_endpoint_async(
            EndpointName="async-ep", InputLocation=f"s3://inputs/{name}"
        )
        for location in (answer["OutputLocation"], answer["FailureLocation"]):
            bucket, key = location[len("s3://") :].split("/", 1)
            try:
                reply = await s3.get_object(Bucket=bucket, Key=key)
                seen.append(await reply["Body"].read())
            except s3.exceptions.NoSuchKey:
                seen.append(None)
    return seen


async def test_an_async_replay_observes_what_the_recording_observed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "aio.json"
    with sagemaker_stub.serve() as server:
        set_up(server)
        cassette = Cassette(path, record_mode="once")
        async with (
            aio_client("sagemaker-runtime", server.url) as runtime,
            aio_client("s3", server.url) as s3,
            SageMakerRuntimeStub(runtime, cassette=cassette) as stub,
        ):
            stub.attach_s3(s3)
            recorded = await traffic(runtime, s3)
            sources = [call.source for call in stub.calls]
    assert sources == [Source.RECORDED] * 7
    assert recorded[0] == (b'{"label": "cat"}', "trace=1")
    assert recorded[3] == [b"Hel", b"lo, ", b"world"]
    assert recorded[5:9] == [b'{"score": 0.9}', None, None, b"out of memory"]
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert TOKEN not in text
    pytest_socket.disable_socket(allow_unix_socket=True)
    async with (
        aio_client("sagemaker-runtime") as runtime,
        aio_client("s3") as s3,
        SageMakerRuntimeStub(runtime, cassette=path) as stub,
    ):
        stub.attach_s3(s3)
        assert await traffic(runtime, s3) == recorded


async def test_a_sync_recording_replays_to_an_async_client(tmp_path: Path) -> None:
    """One cassette format: what boto3 recorded, aiobotocore replays."""
    path = tmp_path / "sync.json"
    with sagemaker_stub.serve() as server:
        set_up(server)
        runtime, s3 = client(url=server.url), client("s3", server.url)
        cassette = Cassette(path, record_mode="once")
        with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
            stub.attach_s3(s3)
            sync_traffic(runtime, s3)
        runtime.close()
        s3.close()
    document = json.loads(path.read_text(encoding="utf-8"))
    assert len(document["interactions"]) == 7
    pytest_socket.disable_socket(allow_unix_socket=True)
    async with (
        aio_client("sagemaker-runtime") as runtime,
        aio_client("s3") as s3,
        sagemaker_stub.mock(cassette=path, s3=True),
    ):
        seen = await traffic(runtime, s3)
    assert seen[0] == (b'{"label": "cat"}', "trace=1")
    assert seen[3] == [b"Hel", b"lo, ", b"world"]


async def test_an_async_output_read_through_an_aio_client_is_recorded(
    tmp_path: Path,
) -> None:
    """mock(s3=True) with aiobotocore S3 clients: the read output is kept."""
    path = tmp_path / "mocked.json"
    with sagemaker_stub.serve() as server:
        set_up(server)
        cassette = Cassette(path, record_mode="once")
        async with (
            aio_client("sagemaker-runtime", server.url) as runtime,
            aio_client("s3", server.url) as s3,
            sagemaker_stub.mock(cassette=cassette, s3=True),
        ):
            answer = await runtime.invoke_endpoint_async(
                EndpointName="async-ep", InputLocation="s3://inputs/in/1.json"
            )
            bucket, key = answer["OutputLocation"][len("s3://") :].split("/", 1)
            reply = await s3.get_object(Bucket=bucket, Key=key)
            assert await reply["Body"].read() == b'{"score": 0.9}'
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["interactions"][0]["response"]["Output"]["Body"] == (
        '{"score": 0.9}'
    )


async def test_new_episodes_with_an_async_client(tmp_path: Path) -> None:
    """Replayed and recorded calls side by side; a stream closed early."""
    path = tmp_path / "episodes.json"
    with sagemaker_stub.serve() as server:
        server.queue(InvokeResult.text("old"))
        async with aio_client("sagemaker-runtime", server.url) as runtime:
            cassette = Cassette(path, record_mode="once")
            async with SageMakerRuntimeStub(runtime, cassette=cassette):
                await runtime.invoke_endpoint(EndpointName="e", Body=b"old")
        server.queue(InvokeResult.text("new"))
        server.queue_stream(StreamResult(parts=["a", "b"]))
        async with aio_client("sagemaker-runtime", server.url) as runtime:
            cassette = Cassette(path, record_mode="new_episodes")
            async with SageMakerRuntimeStub(runtime, cassette=cassette) as stub:
                old = await runtime.invoke_endpoint(EndpointName="e", Body=b"old")
                new = await runtime.invoke_endpoint(EndpointName="e", Body=b"new")
                assert [await old["Body"].read(), await new["Body"].read()] == [
                    b"old",
                    b"new",
                ]
                stream = await runtime.invoke_endpoint_with_response_stream(
                    EndpointName="e", Body=b"s"
                )
                body = stream["Body"]
                assert body._operation_name == "InvokeEndpointWithResponseStream"
                events = body.__aiter__()
                assert await events.__anext__() == {"PayloadPart": {"Bytes": b"a"}}
                body.close()
                await events.aclose()
                progress = stub.calls[-1].stream
                assert progress is not None
                assert (progress.parts_read, progress.closed) == (1, True)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [item["request"]["Body"] for item in document["interactions"]] == [
        "old",
        "new",
        "s",
    ]
    assert document["interactions"][2]["response"]["Parts"] == ["a"]


def test_the_async_fixture_replays_a_cassette_hermetically(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """The marker's cassette, under anyio, with the network off."""
    path = tmp_path / "pair.json"
    recorded_pair(path)
    pytester.makeini("[pytest]\n")
    pytester.makepyfile(
        test_async=f"""
        import pytest

        pytestmark = pytest.mark.anyio


        @pytest.fixture
        def anyio_backend():
            return "asyncio"


        @pytest.mark.sagemaker_runtime_stub(cassette={str(path)!r})
        async def test_replayed(sagemaker_runtime_aio_stub):
            client = sagemaker_runtime_aio_stub.client
            for body, answer in ((b"b", b"B"), (b"a", b"A")):
                response = await client.invoke_endpoint(EndpointName="ep", Body=body)
                assert await response["Body"].read() == answer
        """
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:asyncio", "-W", "error", "--disable-socket", "--allow-unix-socket"
    )
    result.assert_outcomes(passed=1)
