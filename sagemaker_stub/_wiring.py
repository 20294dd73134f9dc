"""Which clients a stub takes, and which door each one gets.

The doors do not choose among themselves: a botocore client gets a
:class:`~._doors.call.CallDoor` (or, with ``retries=True``, a
:class:`~._doors.send.SendDoor`), an aiobotocore client their async
counterparts, which are imported only then, so the sync path never loads
aiobotocore. The same for the S3 doors.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.loaders import create_loader
from botocore.model import ServiceModel
from botocore.stub import Stubber

from ._cassettes.tape import Tape
from ._doors.around import AroundDoor
from ._doors.botocore import Section, is_aio_client
from ._doors.call import CallDoor
from ._doors.s3 import S3Door
from ._doors.send import SendDoor
from ._engine.engine import Engine
from ._engine.outputs import AsyncOutputs
from ._text import describe

__all__ = [
    "around_door_for",
    "check_runtime_client",
    "check_s3_client",
    "door_for",
    "runtime_model",
    "s3_door_for",
]


@functools.lru_cache(maxsize=1)
def runtime_model() -> ServiceModel:
    """botocore's ``sagemaker-runtime`` model, as its clients load it.

    Read straight from botocore's data, with no session: a session would read
    the AWS config, and fail on a profile that does not exist.
    """
    loader = create_loader()
    return ServiceModel(
        loader.load_service_model("sagemaker-runtime", "service-2"),
        service_name="sagemaker-runtime",
    )


def door_for(
    client: Any,
    engine: Engine,
    *,
    stubber: Stubber | None = None,
    tape: Tape | None = None,
) -> CallDoor:
    """The door for ``client``: sync or async, before-call or before-send.

    ``stubber`` is the client-bound stub; a mock's doors have none.
    """
    options = engine.options
    sleep = options.sleep_between_retries
    if is_aio_client(client):
        from ._doors.aio import AioCallDoor, AioSendDoor  # noqa: PLC0415

        if options.retries:
            return AioSendDoor(
                client, engine, stubber=stubber, tape=tape, sleep_between_retries=sleep
            )
        return AioCallDoor(client, engine, stubber=stubber, tape=tape)
    if options.retries:
        return SendDoor(
            client, engine, stubber=stubber, tape=tape, sleep_between_retries=sleep
        )
    return CallDoor(client, engine, stubber=stubber, tape=tape)


def s3_door_for(
    s3_client: Any,
    outputs: AsyncOutputs,
    *,
    pass_through: bool,
    section: Section = "middle",
    tape: Tape | None = None,
    account_id: str | None = None,
) -> S3Door:
    """The S3 door for a sync or aiobotocore S3 client (``account_id``: a
    mock's, whose SageMaker SDK default bucket it owns)."""
    door_class = S3Door
    if is_aio_client(s3_client):
        from ._doors.aio import AioS3Door  # noqa: PLC0415 - aiobotocore only

        door_class = AioS3Door
    return door_class(
        s3_client,
        outputs,
        pass_through=pass_through,
        section=section,
        tape=tape,
        account_id=account_id,
    )


def around_door_for(client: Any, engine: Engine) -> AroundDoor:
    """The door for a sync or aiobotocore ``sagemaker`` or ``sts`` client."""
    if is_aio_client(client):
        from ._doors.aio import AioAroundDoor  # noqa: PLC0415 - aiobotocore only

        return AioAroundDoor(client, engine)
    return AroundDoor(client, engine)


def check_runtime_client(client: Any) -> Any:
    """The service model of a ``sagemaker-runtime`` client; refuse anything else."""
    service_model = getattr(getattr(client, "meta", None), "service_model", None)
    fix = 'Create one with boto3.client("sagemaker-runtime", region_name="us-east-1").'
    if service_model is None:
        msg = (
            "SageMakerRuntimeStub(client) needs a boto3, botocore or aiobotocore "
            f"client for sagemaker-runtime; got {describe(client)}. {fix}"
        )
        raise TypeError(msg)
    if service_model.service_name != "sagemaker-runtime":
        msg = (
            "SageMakerRuntimeStub(client) needs a sagemaker-runtime client; "
            f"got a client for {service_model.service_name!r}. {fix}"
        )
        raise ValueError(msg)
    return service_model


def check_s3_client(method: str, s3_client: Any) -> None:
    """Refuse anything but an S3 client."""
    model = getattr(getattr(s3_client, "meta", None), "service_model", None)
    name = getattr(model, "service_name", None)
    if name != "s3":
        got = f"a client for {name!r}" if name else describe(s3_client)
        msg = (
            f"stub.{method}() needs an S3 client; got {got}. Create one with "
            'boto3.client("s3", region_name="us-east-1").'
        )
        raise TypeError(msg)
