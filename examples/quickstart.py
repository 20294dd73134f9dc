"""sagemaker-stub quickstart: sync, async, reuse, fallback and an error.

Run it with ``make demo``. It needs no AWS account, credentials or network.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from sagemaker_stub import AsyncResult, ErrorResult, InvokeResult, SageMakerRuntimeStub


def classify(client: Any, text: str) -> str:
    """The code under test: ask an endpoint for a label."""
    response = client.invoke_endpoint(
        EndpointName="sentiment",
        Body=json.dumps({"text": text}),
        ContentType="application/json",
        Accept="application/json",
    )
    label: str = json.loads(response["Body"].read())["label"]
    return label


def main() -> None:
    """Walk through the result model, printing what happens."""
    client = boto3.client("sagemaker-runtime", region_name="us-east-1")
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(
            InvokeResult.json({"label": "positive"}),
            InvokeResult.json({"label": "negative"}),
        )
        print("sync:     ", classify(client, "great film"))
        print("sync:     ", classify(client, "dull film"))
        print(
            "reuse:    ", classify(client, "great film"), "(same request, same result)"
        )

        stub.queue_async(AsyncResult.success({"score": 0.91}))
        response = client.invoke_endpoint_async(
            EndpointName="scorer", InputLocation="s3://inputs/1.json"
        )
        status = response["ResponseMetadata"]["HTTPStatusCode"]
        output = stub.read_output(response["OutputLocation"])
        print("async:    ", status, response["OutputLocation"], output.decode())

        stub.queue(InvokeResult(body="from the sync queue", content_type="text/plain"))
        response = client.invoke_endpoint_async(
            EndpointName="scorer", InputLocation="s3://inputs/2.json"
        )
        document = json.loads(stub.read_output(response["OutputLocation"]))
        print("fallback: ", document["Body"], "(async read the sync queue)")

        stub.queue(ErrorResult.model_error(500, "CUDA out of memory"))
        try:
            classify(client, "a very long review")
        except client.exceptions.ModelError as error:
            details: dict[str, Any] = dict(error.response)
            print(
                "error:    ", details["Error"]["Code"], "->", details["OriginalMessage"]
            )

        default = client.invoke_endpoint(EndpointName="x", Body=b"?")["Body"].read()
        print("default:  ", default, "(nothing queued: moto's static data)")
        print()
        print("call history:")
        for call in stub.calls:
            print(
                f"  {call.operation:<20} {call.endpoint_name:<10} {call.source.value}"
            )
        stub.assert_no_pending_results()


if __name__ == "__main__":
    main()
