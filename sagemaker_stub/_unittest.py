"""A one-line setUp helper for unittest."""

from __future__ import annotations

import unittest
from typing import Any

import boto3

from ._stub import SageMakerRuntimeStub
from ._text import describe

__all__ = ["start_stub"]


def start_stub(
    test: unittest.TestCase,
    client: Any = None,
    *,
    allow_defaults: bool = True,
    check_pending: bool = True,
    validate: bool = True,
    retries: bool = False,
) -> SageMakerRuntimeStub:
    """Start a stub for the length of one test.

    Call it from ``setUp``. The stub is deactivated at cleanup, after the test
    fails if queued results were never used (unless ``check_pending=False``).

    Args:
        test: The running test case.
        client: The client to stub; by default a new ``sagemaker-runtime``
            client in ``us-east-1``, as ``stub.client``.
        allow_defaults: As for :class:`SageMakerRuntimeStub`.
        validate: As for :class:`SageMakerRuntimeStub`.
        retries: As for :class:`SageMakerRuntimeStub`; give a ``client``
            with the retry configuration to test.
        check_pending: Fail the test when queued results are left unused.

    .. versionadded:: 0.1.0
    """
    if not isinstance(test, unittest.TestCase):
        msg = (
            "start_stub(test) takes the running unittest.TestCase, as in "
            f"start_stub(self) from setUp; got {describe(test)}."
        )
        raise TypeError(msg)
    if client is None:
        client = new_client()
    stub = SageMakerRuntimeStub(
        client, allow_defaults=allow_defaults, validate=validate, retries=retries
    )
    stub.activate()
    test.addCleanup(stub.deactivate, report_unused=False)
    if check_pending:
        test.addCleanup(stub.assert_no_pending_results)
    return stub


#: Credentials for the clients this library creates. They are never used to
#: sign anything the network sees; they only spare botocore its credential
#: chain, which would look for files and ask the EC2 metadata endpoint.
_DUMMY_KEY = "testing"


def new_client(region_name: str = "us-east-1", config: Any = None) -> Any:
    """A fresh ``sagemaker-runtime`` client that needs no credentials lookup.

    It is on a session of its own, with placeholder credentials, so creating
    it reads no credential source and reaches no network.
    """
    session = boto3.session.Session(
        aws_access_key_id=_DUMMY_KEY,
        aws_secret_access_key=_DUMMY_KEY,
        region_name=region_name,
    )
    return session.client("sagemaker-runtime", config=config)
