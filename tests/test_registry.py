"""The endpoint registry: declared endpoints are checked as the service does."""

from __future__ import annotations

from typing import Any

import pytest

from sagemaker_stub import (
    AsyncResult,
    InvokeResult,
    SageMakerRuntimeStub,
    Source,
    StreamResult,
)

from .conftest import new_client, refused


@pytest.mark.answer_defaults
def test_without_declarations_every_endpoint_exists(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """moto's behaviour: any endpoint name is served."""
    response = client.invoke_endpoint(EndpointName="anything", Body=b"x")
    assert response["Body"].read() == b"body"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("invoke_endpoint", {"Body": b"x"}),
        ("invoke_endpoint_async", {"InputLocation": "s3://in/x"}),
        ("invoke_endpoint_with_response_stream", {"Body": b"x"}),
    ],
)
def test_an_undeclared_endpoint_is_not_found(
    client: Any, stub: SageMakerRuntimeStub, operation: str, params: dict[str, Any]
) -> None:
    """Once one endpoint is declared, others raise the service's message."""
    stub.add_endpoint("scorer")
    message = refused(
        client, getattr(client, operation), EndpointName="ghost", **params
    )
    assert message == "Endpoint ghost of account 123456789012 not found."


def test_the_account_id_in_the_message_is_the_stubs() -> None:
    client = new_client()
    with SageMakerRuntimeStub(client, account_id="210987654321") as stub:
        stub.add_endpoint("scorer")
        message = refused(
            client, client.invoke_endpoint, EndpointName="ghost", Body=b"x"
        )
    assert message == "Endpoint ghost of account 210987654321 not found."


def test_a_refused_call_takes_no_result_and_is_recorded(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The queued result waits for the next valid call."""
    stub.add_endpoint("scorer")
    stub.queue(InvokeResult(body=b"kept"))
    refused(client, client.invoke_endpoint, EndpointName="ghost", Body=b"x")
    response = client.invoke_endpoint(EndpointName="scorer", Body=b"x")
    assert response["Body"].read() == b"kept"
    first, second = stub.calls
    assert first.source is Source.REJECTED
    assert first.endpoint_name == "ghost"
    assert first.result.code == "ValidationError"  # type: ignore[attr-defined]
    assert second.source is Source.QUEUED


@pytest.mark.answer_defaults
def test_removing_an_endpoint_makes_it_not_found(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The endpoint was deleted: even the last one is then refused."""
    stub.add_endpoint("scorer")
    client.invoke_endpoint(EndpointName="scorer", Body=b"x")
    stub.remove_endpoint("scorer")
    message = refused(client, client.invoke_endpoint, EndpointName="scorer", Body=b"x")
    assert message == "Endpoint scorer of account 123456789012 not found."


def test_removing_an_unknown_endpoint_names_the_declared_ones(
    stub: SageMakerRuntimeStub,
) -> None:
    stub.add_endpoint("scorer")
    with pytest.raises(KeyError) as info:
        stub.remove_endpoint("ghost")
    assert info.value.args[0] == (
        "stub.remove_endpoint('ghost'): no such endpoint was declared. "
        "Declared endpoints: 'scorer'."
    )


def test_a_missing_variant_is_refused(client: Any, stub: SageMakerRuntimeStub) -> None:
    stub.add_endpoint("scorer", variants=["blue", "green"])
    message = refused(
        client,
        client.invoke_endpoint,
        EndpointName="scorer",
        Body=b"x",
        TargetVariant="red",
    )
    assert message == (
        "The variant red is not present in the endpoint configuration of "
        "endpoint scorer. Its variants are: blue, green."
    )


def test_the_serving_variant_is_reported_unless_the_result_sets_one(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """Targeted variant, else the first declared; a result's own value wins."""
    stub.add_endpoint("scorer", variants=["blue", "green"])
    stub.queue(
        InvokeResult(body=b"1"),
        InvokeResult(body=b"2"),
        InvokeResult(body=b"3", invoked_production_variant="canary"),
        InvokeResult(body=b"4", invoked_production_variant=None),
    )
    targeted = client.invoke_endpoint(
        EndpointName="scorer", Body=b"a", TargetVariant="green"
    )
    untargeted = client.invoke_endpoint(EndpointName="scorer", Body=b"b")
    fixed = client.invoke_endpoint(
        EndpointName="scorer", Body=b"c", TargetVariant="green"
    )
    omitted = client.invoke_endpoint(EndpointName="scorer", Body=b"d")
    assert targeted["InvokedProductionVariant"] == "green"
    assert untargeted["InvokedProductionVariant"] == "blue"
    assert fixed["InvokedProductionVariant"] == "canary"
    assert "InvokedProductionVariant" not in omitted


@pytest.mark.answer_defaults
def test_the_serving_variant_without_declarations(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """AllTraffic, or the variant the request targets."""
    plain = client.invoke_endpoint(EndpointName="e", Body=b"x")
    stub.queue(InvokeResult(body=b"x"))
    targeted = client.invoke_endpoint(EndpointName="e", Body=b"y", TargetVariant="b")
    assert plain["InvokedProductionVariant"] == "invoked_production_variant"
    assert targeted["InvokedProductionVariant"] == "b"
    stub.queue(InvokeResult(body=b"z"))
    assert (
        client.invoke_endpoint(EndpointName="e", Body=b"z")["InvokedProductionVariant"]
        == "AllTraffic"
    )


def test_streams_report_the_serving_variant(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_endpoint("chat", variants=["v1", "v2"])
    stub.queue_stream(StreamResult.text(["a"]), StreamResult.text(["b"]))
    first = client.invoke_endpoint_with_response_stream(EndpointName="chat", Body=b"1")
    second = client.invoke_endpoint_with_response_stream(
        EndpointName="chat", Body=b"2", TargetVariant="v2"
    )
    assert first["InvokedProductionVariant"] == "v1"
    assert second["InvokedProductionVariant"] == "v2"
    assert [event["PayloadPart"]["Bytes"] for event in first["Body"]] == [b"a"]
    assert [event["PayloadPart"]["Bytes"] for event in second["Body"]] == [b"b"]
    message = refused(
        client,
        client.invoke_endpoint_with_response_stream,
        EndpointName="chat",
        Body=b"x",
        TargetVariant="v3",
    )
    assert message.startswith("The variant v3 is not present")


def test_an_async_fallback_document_names_the_serving_variant(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The sync result written as moto's JSON carries the declared variant."""
    stub.add_endpoint("batch", variants=["main"])
    stub.queue(InvokeResult.text("done"))
    response = client.invoke_endpoint_async(
        EndpointName="batch", InputLocation="s3://in/1"
    )
    document = stub.read_output(response["OutputLocation"])
    assert b'"InvokedProductionVariant": "main"' in document


def test_inference_components(client: Any, stub: SageMakerRuntimeStub) -> None:
    """Calls must name a hosted component, and only a hosted one."""
    stub.add_endpoint("llm", inference_components=["llama", "mistral"])
    stub.queue(InvokeResult(body=b"ok"))
    response = client.invoke_endpoint(
        EndpointName="llm", Body=b"x", InferenceComponentName="mistral"
    )
    assert response["Body"].read() == b"ok"
    missing = refused(client, client.invoke_endpoint, EndpointName="llm", Body=b"y")
    assert missing == (
        "Inference Component Name header is required for endpoints to which you "
        "plan to deploy inference components. Please include Inference Component "
        "Name header or consider using SageMaker models."
    )
    unknown = refused(
        client,
        client.invoke_endpoint,
        EndpointName="llm",
        Body=b"y",
        InferenceComponentName="gemma",
    )
    assert unknown == "Inference component gemma not found on endpoint llm."


def test_an_endpoint_without_components_refuses_one(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    stub.add_endpoint("plain")
    message = refused(
        client,
        client.invoke_endpoint,
        EndpointName="plain",
        Body=b"y",
        InferenceComponentName="llama",
    )
    assert message == "Inference component llama not found on endpoint plain."


def test_target_models(client: Any, stub: SageMakerRuntimeStub) -> None:
    """Only a multi-model endpoint takes TargetModel, and only its models."""
    stub.add_endpoint("single")
    stub.add_endpoint("multi", target_models=["a.tar.gz", "b.tar.gz"])
    stub.queue(InvokeResult(body=b"from b"))
    response = client.invoke_endpoint(
        EndpointName="multi", Body=b"x", TargetModel="b.tar.gz"
    )
    assert response["Body"].read() == b"from b"
    not_multi = refused(
        client,
        client.invoke_endpoint,
        EndpointName="single",
        Body=b"x",
        TargetModel="a.tar.gz",
    )
    assert not_multi == (
        "Endpoint single is not a multi-model endpoint and does not support "
        "target model header."
    )
    unknown = refused(
        client,
        client.invoke_endpoint,
        EndpointName="multi",
        Body=b"x",
        TargetModel="c.tar.gz",
    )
    assert unknown == (
        "Failed to download model data for target model c.tar.gz: endpoint "
        "multi hosts no such model."
    )


def test_async_calls_are_checked_for_the_endpoint_only(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """InvokeEndpointAsync has no variant or component parameters."""
    stub.add_endpoint("batch", inference_components=["llama"])
    stub.queue_async(AsyncResult.success({"ok": True}))
    response = client.invoke_endpoint_async(
        EndpointName="batch", InputLocation="s3://in/1"
    )
    assert stub.read_output(response["OutputLocation"]) == b'{"ok": true}'


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda stub: stub.add_endpoint("bad_name"),
            ValueError,
            (
                "stub.add_endpoint(name=...) is 'bad_name', which is not a valid "
                "EndpointName: the service accepts at most 63 characters matching "
                "^[a-zA-Z0-9](-*[a-zA-Z0-9])*."
            ),
        ),
        (
            lambda stub: stub.add_endpoint("e", variants="AllTraffic"),
            TypeError,
            (
                "stub.add_endpoint(variants=...) must be a sequence of names; got "
                "'AllTraffic' (str)."
            ),
        ),
        (
            lambda stub: stub.add_endpoint("e", variants=[]),
            ValueError,
            "stub.add_endpoint(variants=...) needs at least one variant name.",
        ),
        (
            lambda stub: stub.add_endpoint("e", variants=["a", "b", "a"]),
            ValueError,
            (
                "stub.add_endpoint(variants=...)[2] is 'a', which is already in "
                "the list; each name may appear once."
            ),
        ),
        (
            lambda stub: stub.add_endpoint("e", variants=["ok", "not ok"]),
            ValueError,
            (
                "stub.add_endpoint(variants=...)[1] is 'not ok', which is not a valid "
                "TargetVariant: the service accepts at most 63 characters matching "
                "^[a-zA-Z0-9](-*[a-zA-Z0-9])*."
            ),
        ),
        (
            lambda stub: stub.add_endpoint("e", inference_components=["-x"]),
            ValueError,
            (
                "stub.add_endpoint(inference_components=...)[0] is '-x', which is not "
                "a valid InferenceComponentName: the service accepts at most 63 "
                "characters matching ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$."
            ),
        ),
        (
            lambda stub: stub.add_endpoint("e", target_models=[" a"]),
            ValueError,
            (
                "stub.add_endpoint(target_models=...)[0] is ' a', which is not a valid "
                "TargetModel: the service accepts at most 1024 characters matching "
                "\\A\\S[\\p{Print}]*\\z."
            ),
        ),
        (
            lambda stub: stub.add_endpoint("e", target_models=[3]),
            TypeError,
            "stub.add_endpoint(target_models=...)[0] must be a str; got 3 (int).",
        ),
    ],
)
def test_bad_declarations_fail_where_they_are_made(
    call: Any, error: type[Exception], message: str
) -> None:
    stub = SageMakerRuntimeStub(new_client())
    with pytest.raises(error) as info:
        call(stub)
    assert str(info.value) == message


def test_declaring_again_replaces_the_declaration(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """The endpoint was updated to a new configuration."""
    stub.add_endpoint("scorer", variants=["old"])
    stub.add_endpoint("scorer", variants=["new"])
    stub.queue(InvokeResult(body=b"x"))
    response = client.invoke_endpoint(EndpointName="scorer", Body=b"x")
    assert response["InvokedProductionVariant"] == "new"


@pytest.mark.answer_defaults
def test_the_default_reports_a_declared_variant(
    client: Any, stub: SageMakerRuntimeStub
) -> None:
    """With nothing queued, moto's placeholder variant gives way to a real one."""
    stub.add_endpoint("scorer", variants=["blue"])
    response = client.invoke_endpoint(EndpointName="scorer", Body=b"x")
    streamed = client.invoke_endpoint_with_response_stream(
        EndpointName="scorer", Body=b"x"
    )
    assert response["Body"].read() == b"body"
    assert response["InvokedProductionVariant"] == "blue"
    assert streamed["InvokedProductionVariant"] == "blue"
    assert [event["PayloadPart"]["Bytes"] for event in streamed["Body"]] == [b"body"]
