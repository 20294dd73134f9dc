"""sagemaker-stub quickstart: sync, async, reuse, fallback, errors, failing closed.

The code under test makes its own client when it is imported, as apps do;
``sagemaker_stub.mock()`` answers it without being handed it. Run it with
``make demo``. It needs no AWS account, credentials or network.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

import sagemaker_stub
from sagemaker_stub import AsyncResult, ErrorResult, InvokeResult

# The code under test: a module-level client, and a function that uses it.
client = boto3.client("sagemaker-runtime", region_name="us-east-1")


def classify(text: str) -> str:
    """Ask an endpoint for a label."""
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
    with sagemaker_stub.mock() as stub:
        stub.queue(
            InvokeResult.json({"label": "positive"}),
            InvokeResult.json({"label": "negative"}),
        )
        print("sync:     ", classify("great film"))
        print("sync:     ", classify("dull film"))
        print("reuse:    ", classify("great film"), "(same request, same result)")

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
            classify("a very long review")
        except client.exceptions.ModelError as error:
            details: dict[str, Any] = dict(error.response)
            print(
                "error:    ", details["Error"]["Code"], "->", details["OriginalMessage"]
            )

        try:
            client.invoke_endpoint(EndpointName="x", Body=b"?")
        except sagemaker_stub.NoResultError as error:
            first_line = str(error).splitlines()[0]
            print("unqueued: ", first_line, "(a forgotten queue() fails the call)")
        print()
        print("call history:")
        for call in stub.calls:
            print(
                f"  {call.operation:<20} {call.endpoint_name:<10} "
                f"{call.region:<10} {call.source.value}"
            )
        stub.assert_no_pending_results()


if __name__ == "__main__":
    main()
