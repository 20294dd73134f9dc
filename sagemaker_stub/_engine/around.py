"""The calls SDKs make around an invocation, answered from the stub's state.

Before or after invoking an endpoint, the SageMaker SDKs call the control
plane: sagemaker-core's ``Endpoint.get`` calls ``DescribeEndpoint``, the v2
SDK reads ``DescribeEndpointConfig`` for a predictor's models and asks STS
``GetCallerIdentity`` for the account that names its default bucket. A mock
answers those few from the endpoint registry and the stub's ``account_id``,
as the service does; it is no control-plane emulator, and every other call
of those clients is refused by the door (``_doors/around.py``).

Plain functions giving the engine's :class:`~.request.Answer`, in each
service's own wire format: JSON for ``sagemaker``, XML for ``sts``.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from .registry import DEFAULT_VARIANT, Registry
from .request import Answer

__all__ = ["ANSWERED", "answer"]

#: What is answered, by service name.
ANSWERED: dict[str, tuple[str, ...]] = {
    "sagemaker": ("DescribeEndpoint", "DescribeEndpointConfig"),
    "sts": ("GetCallerIdentity",),
}
#: When every endpoint was created and last changed: fixed, so that answers
#: do not change from run to run (2024-01-01T00:00:00Z).
_CREATED = 1704067200.0
_JSON = {"content-type": "application/x-amz-json-1.1"}
#: The instance type a declared endpoint's variants report.
INSTANCE_TYPE = "ml.m5.xlarge"


def answer(
    service: str,
    operation: str,
    params: dict[str, object],
    *,
    registry: Registry,
    region: str,
    account_id: str,
) -> Answer:
    """The answer to one of the :data:`ANSWERED` operations."""
    if service == "sts":
        return _caller_identity(account_id)
    name = str(params.get("EndpointName") or params.get("EndpointConfigName"))
    variants = _variants(registry, name)
    if variants is None:
        kind = (
            "endpoint" if operation == "DescribeEndpoint" else "endpoint configuration"
        )
        return _json_error(
            400, "ValidationException", f'Could not find {kind} "{name}".'
        )
    arn = f"arn:aws:sagemaker:{region}:{account_id}"
    if operation == "DescribeEndpoint":
        document: dict[str, object] = {
            "EndpointName": name,
            "EndpointArn": f"{arn}:endpoint/{name.lower()}",
            "EndpointConfigName": name,
            "ProductionVariants": [
                {
                    "VariantName": variant,
                    "CurrentWeight": 1.0,
                    "DesiredWeight": 1.0,
                    "CurrentInstanceCount": 1,
                    "DesiredInstanceCount": 1,
                }
                for variant in variants
            ],
            "EndpointStatus": "InService",
            "CreationTime": _CREATED,
            "LastModifiedTime": _CREATED,
        }
    else:
        document = {
            "EndpointConfigName": name,
            "EndpointConfigArn": f"{arn}:endpoint-config/{name.lower()}",
            "ProductionVariants": [
                {
                    "VariantName": variant,
                    "ModelName": f"{name}-{variant}",
                    "InitialInstanceCount": 1,
                    "InstanceType": INSTANCE_TYPE,
                    "InitialVariantWeight": 1.0,
                }
                for variant in variants
            ],
            "CreationTime": _CREATED,
        }
    return Answer(200, dict(_JSON), json.dumps(document).encode())


def _variants(registry: Registry, name: str) -> tuple[str, ...] | None:
    """The variants of endpoint ``name``; None if declarations leave it out.

    With no endpoint declared, every endpoint exists with one variant, as
    the runtime calls see it.
    """
    if not registry.declared:
        return (DEFAULT_VARIANT,)
    spec = registry.spec(name)
    return None if spec is None else spec.variants


def _json_error(status: int, code: str, message: str) -> Answer:
    body = json.dumps({"__type": code, "Message": message}).encode()
    return Answer(status, {**_JSON, "x-amzn-errortype": code}, body)


def _caller_identity(account_id: str) -> Answer:
    """STS GetCallerIdentity: the stub's account, as a placeholder user."""
    user = "AIDASAGEMAKERSTUBUSER"
    reply = Answer(200, {"content-type": "text/xml"}, b"")
    reply.body = (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        "<GetCallerIdentityResult>"
        f"<Arn>arn:aws:iam::{escape(account_id)}:user/sagemaker-stub</Arn>"
        f"<UserId>{user}</UserId><Account>{escape(account_id)}</Account>"
        "</GetCallerIdentityResult>"
        f"<ResponseMetadata><RequestId>{reply.request_id}</RequestId>"
        "</ResponseMetadata></GetCallerIdentityResponse>"
    ).encode()
    return reply
