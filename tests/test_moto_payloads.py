"""load_moto_results and load_moto_async_results: moto's JSON, checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sagemaker_stub import AsyncResult, InvokeResult, SageMakerRuntimeStub


def test_sync_payload_becomes_invoke_results(client: Any) -> None:
    """Missing ContentType gets a real type; missing headers stay absent."""
    stub = SageMakerRuntimeStub(client)
    stub.load_moto_results(
        {
            "account_id": "123456789012",
            "region": "us-east-1",
            "results": [
                {
                    "Body": "first body",
                    "ContentType": "text/xml",
                    "InvokedProductionVariant": "prod",
                    "CustomAttributes": "my_attr",
                },
                {"Body": "second body"},
            ],
        }
    )
    assert [item.result for item in stub.pending_results()] == [
        InvokeResult(
            body=b"first body",
            content_type="text/xml",
            invoked_production_variant="prod",
            custom_attributes="my_attr",
        ),
        InvokeResult(body=b"second body", invoked_production_variant=None),
    ]


def test_async_payload_becomes_async_results(client: Any) -> None:
    """JSON data is typed application/json, other text text/plain."""
    stub = SageMakerRuntimeStub(client)
    stub.load_moto_async_results(
        {
            "results": [
                {"data": '{"first": "output"}'},
                {"is_failure": True, "data": "second inference failed"},
            ]
        }
    )
    assert [item.result for item in stub.pending_results()] == [
        AsyncResult(data=b'{"first": "output"}', content_type="application/json"),
        AsyncResult(
            data=b"second inference failed",
            is_failure=True,
            content_type="text/plain; charset=utf-8",
        ),
    ]


def test_an_empty_payload_queues_nothing(client: Any) -> None:
    """moto accepts a payload without results; so does the stub."""
    stub = SageMakerRuntimeStub(client)
    stub.load_moto_results({})
    stub.load_moto_async_results({"results": []})
    assert stub.pending_results() == []


BAD_PAYLOADS: list[tuple[str, object, type[Exception], str]] = [
    (
        "load_moto_results",
        [],
        TypeError,
        (
            "stub.load_moto_results(payload) must be a mapping like moto's JSON body; "
            "got [] (list)."
        ),
    ),
    (
        "load_moto_results",
        {"region": "eu-west-1", "results": []},
        ValueError,
        (
            "stub.load_moto_results(payload): payload['region'] is 'eu-west-1' but the "
            "stubbed client is in 'us-east-1'; moto would never serve these results to "
            "it. Drop the key or use the client's region."
        ),
    ),
    (
        "load_moto_async_results",
        {"account_id": "999999999999"},
        ValueError,
        (
            "stub.load_moto_async_results(payload): payload['account_id'] is "
            "'999999999999' but the stub's account is '123456789012'; moto would never "
            "serve these results to it. Drop the key or pass account_id= to "
            "SageMakerRuntimeStub or mock()."
        ),
    ),
    (
        "load_moto_results",
        {"results": {"Body": "x"}},
        TypeError,
        (
            "stub.load_moto_results(payload): payload['results'] must be a list; got "
            "{'Body': 'x'} (dict)."
        ),
    ),
    (
        "load_moto_results",
        {"results": ["x"]},
        TypeError,
        (
            "stub.load_moto_results(payload): payload['results'][0] must be a mapping; "
            "got 'x' (str)."
        ),
    ),
    (
        "load_moto_results",
        {"results": [{"Body": "ok"}, {"ContentType": "text/plain"}]},
        ValueError,
        (
            "stub.load_moto_results(payload): payload['results'][1] has no 'Body'; "
            "moto requires one."
        ),
    ),
    (
        "load_moto_results",
        {"results": [{"Body": 1}]},
        TypeError,
        (
            "stub.load_moto_results(payload): payload['results'][0]['Body'] must be a "
            "str; got 1 (int)."
        ),
    ),
    (
        "load_moto_results",
        {"results": [{"Body": "x", "CustomAttributes": 5}]},
        TypeError,
        (
            "stub.load_moto_results(payload): "
            "payload['results'][0]['CustomAttributes'] "
            "must be a str or null; got 5 (int)."
        ),
    ),
    (
        "load_moto_async_results",
        {"results": [{"is_failure": True}]},
        ValueError,
        (
            "stub.load_moto_async_results(payload): payload['results'][0] has no "
            "'data'; moto requires one."
        ),
    ),
    (
        "load_moto_async_results",
        {"results": [{"data": {"a": 1}}]},
        TypeError,
        (
            "stub.load_moto_async_results(payload): payload['results'][0]['data'] must "
            "be a str; got {'a': 1} (dict)."
        ),
    ),
    (
        "load_moto_async_results",
        {"results": [{"data": "x", "is_failure": "yes"}]},
        TypeError,
        (
            "stub.load_moto_async_results(payload): "
            "payload['results'][0]['is_failure'] "
            "must be a bool; got 'yes' (str)."
        ),
    ),
]


@pytest.mark.parametrize(("method", "payload", "error", "message"), BAD_PAYLOADS)
def test_bad_payloads_are_rejected_whole(
    client: Any, method: str, payload: object, error: type[Exception], message: str
) -> None:
    """A bad payload names the key and queues nothing."""
    stub = SageMakerRuntimeStub(client)
    load: Callable[[object], None] = getattr(stub, method)
    with pytest.raises(error) as info:
        load(payload)
    assert str(info.value) == message
    assert stub.pending_results() == []
