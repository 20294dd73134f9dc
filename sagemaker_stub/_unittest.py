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


def new_client(region_name: str = "us-east-1", config: Any = None) -> Any:
    """A fresh ``sagemaker-runtime`` client, on a session of its own."""
    return boto3.session.Session().client(
        "sagemaker-runtime", region_name=region_name, config=config
    )
