"""A one-line setUp helper for unittest."""

from __future__ import annotations

import os
import unittest
from typing import Any

import attrs
import boto3

from ._cassettes.interactions import Cassette, cassette_of, records
from ._lifecycle import unittest_failed
from ._mock import SageMakerRuntimeMock, mock_beside
from ._options import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_SESSION_TTL_SECONDS,
    PLACEHOLDER_KEY,
    Options,
)
from ._stub import SageMakerRuntimeStub
from ._text import describe

__all__ = [
    "FixtureOptions",
    "new_client",
    "start_aio_stub",
    "start_every_client",
    "start_stub",
]


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        msg = f"{attribute.name}=... must be True or False; got {describe(value)}."
        raise TypeError(msg)


@attrs.frozen(kw_only=True)
class FixtureOptions:
    """What the pytest marker and :func:`start_stub` take, beyond the client.

    The stub's own options keep their meaning; ``allow_defaults`` is off, so
    a test that forgets to queue fails at the call that found nothing.
    ``every_client`` answers every other ``sagemaker-runtime`` client too,
    from the same queues (a :func:`~sagemaker_stub.mock` beside the stub), and
    ``s3`` every S3 client, for the buckets the stub owns.
    """

    allow_defaults: bool = False
    check_pending: bool = True
    every_client: bool = attrs.field(default=True, validator=_flag)
    s3: bool = attrs.field(default=False, validator=_flag)
    region_name: str = "us-east-1"
    config: Any = None
    account_id: str = DEFAULT_ACCOUNT_ID
    keep_bodies: bool = False
    validate: bool = True
    retries: bool = False
    sleep_between_retries: bool = False
    session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS
    cassette: Any = None

    def __attrs_post_init__(self) -> None:
        if self.s3 and not self.every_client:
            msg = (
                "s3=True answers every S3 client in the process, beside every "
                "sagemaker-runtime client, so it needs every_client=True (the "
                "default). For one S3 client, use stub.attach_s3(s3_client)."
            )
            raise ValueError(msg)

    def stub_options(self) -> dict[str, Any]:
        """The keywords for :class:`SageMakerRuntimeStub`."""
        return {name: getattr(self, name) for name in Options.names()}

    def recording(self) -> bool:
        """Whether the stub will send calls to the endpoint, to record them.

        The client made for the test then signs with the credentials botocore
        finds, rather than placeholders.
        """
        return isinstance(self.cassette, Cassette) and records(self.cassette)


def start_every_client(
    stub: SageMakerRuntimeStub, options: FixtureOptions
) -> SageMakerRuntimeMock | None:
    """With ``every_client``, an active mock answering every other client from
    ``stub``'s queues; else None."""
    if not options.every_client:
        return None
    everywhere = mock_beside(stub, s3=options.s3)
    everywhere.activate()
    return everywhere


def start_stub(
    test: unittest.TestCase,
    client: Any = None,
    *,
    allow_defaults: bool = False,
    check_pending: bool = True,
    every_client: bool = True,
    s3: bool = False,
    region_name: str = "us-east-1",
    config: Any = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    keep_bodies: bool = False,
    validate: bool = True,
    retries: bool = False,
    sleep_between_retries: bool = False,
    session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
    cassette: str | os.PathLike[str] | Cassette | None = None,
) -> SageMakerRuntimeStub:
    """Start a stub for the length of one test.

    Call it from ``setUp``. The stub answers every ``sagemaker-runtime``
    client in the process (unless ``every_client=False``), and
    ``stub.client`` is one. A call with nothing queued raises
    :class:`NoResultError` unless ``allow_defaults=True``. The stub is
    deactivated at cleanup, after a test that passed fails if queued results
    were never used (unless ``check_pending=False``).

    Args:
        test: The running test case.
        client: The client to stub; by default a new ``sagemaker-runtime``
            client (``region_name``, ``config``), as ``stub.client``.
        allow_defaults: Answer unqueued calls with moto's static default.
        check_pending: Fail the test when queued results are left unused.
        every_client: Answer every other ``sagemaker-runtime`` client in
            the process too, from the stub's queues, as
            :func:`~sagemaker_stub.mock` does: clients the code under test
            makes itself. ``stub.client`` is answered either way.
        s3: Answer every S3 client too, for the buckets the stub owns (needs
            ``every_client``).
        region_name: The region of the client made for the test.
        config: The botocore ``Config`` of the client made for the test.
        account_id: As for :class:`SageMakerRuntimeStub`, and so are
            ``keep_bodies``, ``validate``, ``retries``,
            ``sleep_between_retries``, ``session_ttl_seconds`` and
            ``cassette``.

    .. versionadded:: 0.1.0
    """
    if not isinstance(test, unittest.TestCase):
        msg = (
            "start_stub(test) takes the running unittest.TestCase, as in "
            f"start_stub(self) from setUp; got {describe(test)}."
        )
        raise TypeError(msg)
    options = FixtureOptions(
        allow_defaults=allow_defaults,
        check_pending=check_pending,
        every_client=every_client,
        s3=s3,
        account_id=account_id,
        keep_bodies=keep_bodies,
        validate=validate,
        retries=retries,
        sleep_between_retries=sleep_between_retries,
        session_ttl_seconds=session_ttl_seconds,
        cassette=cassette_of(cassette, "start_stub"),
    )
    if client is None:
        client = new_client(region_name, config, signed=options.recording())
    return _started(test, client, options)


async def start_aio_stub(
    test: unittest.IsolatedAsyncioTestCase,
    client: Any = None,
    *,
    allow_defaults: bool = False,
    check_pending: bool = True,
    every_client: bool = True,
    s3: bool = False,
    region_name: str = "us-east-1",
    config: Any = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    keep_bodies: bool = False,
    validate: bool = True,
    retries: bool = False,
    sleep_between_retries: bool = False,
    session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
    cassette: str | os.PathLike[str] | Cassette | None = None,
) -> SageMakerRuntimeStub:
    """Start a stub on an aiobotocore client for the length of one async test.

    Await it from ``asyncSetUp``. It takes what :func:`start_stub` takes,
    with the same defaults. Without ``client`` it makes an aiobotocore
    ``sagemaker-runtime`` client (``stub.client``; ``config`` is then an
    ``AioConfig``) and closes it at cleanup. Needs
    ``pip install 'sagemaker-stub[aio]'``.

    .. versionadded:: 0.2.0
    """
    if not isinstance(test, unittest.IsolatedAsyncioTestCase):
        msg = (
            "start_aio_stub(test) takes the running IsolatedAsyncioTestCase, as "
            f"in await start_aio_stub(self) from asyncSetUp; got {describe(test)}."
        )
        raise TypeError(msg)
    options = FixtureOptions(
        allow_defaults=allow_defaults,
        check_pending=check_pending,
        every_client=every_client,
        s3=s3,
        account_id=account_id,
        keep_bodies=keep_bodies,
        validate=validate,
        retries=retries,
        sleep_between_retries=sleep_between_retries,
        session_ttl_seconds=session_ttl_seconds,
        cassette=cassette_of(cassette, "start_aio_stub"),
    )
    if client is None:
        try:
            from ._doors.aiobotocore import new_aio_client  # noqa: PLC0415 - aiobotocore only
        except ImportError as exc:
            msg = (
                "start_aio_stub() makes an aiobotocore client, and needs "
                f"aiobotocore: pip install 'sagemaker-stub[aio]' ({exc})."
            )
            raise ImportError(msg) from exc
        context = new_aio_client(region_name, config, signed=options.recording())
        client = await context.__aenter__()
        test.addAsyncCleanup(context.__aexit__, None, None, None)
    return _started(test, client, options)


def _started(
    test: unittest.TestCase, client: Any, options: FixtureOptions
) -> SageMakerRuntimeStub:
    """An active stub on ``client``, stopped (and checked) at the test's cleanup."""
    stub = SageMakerRuntimeStub(client, **options.stub_options())
    stub.activate()
    test.addCleanup(stub.deactivate, report_unused=False)
    everywhere = start_every_client(stub, options)
    if everywhere is not None:
        test.addCleanup(everywhere.deactivate, report_unused=False)
    if options.check_pending:
        test.addCleanup(_check_pending, test, stub)
    return stub


def _check_pending(test: unittest.TestCase, stub: SageMakerRuntimeStub) -> None:
    """Fail a test that passed but left results unused (reported once)."""
    if not unittest_failed(test):
        stub.assert_no_pending_results()


def new_client(
    region_name: str = "us-east-1", config: Any = None, *, signed: bool = False
) -> Any:
    """A fresh ``sagemaker-runtime`` client that needs no credentials lookup.

    It is on a session of its own, with placeholder credentials, so creating
    it reads no credential source and reaches no network. A ``signed``
    client, which records a cassette, finds credentials as boto3 does.
    """
    placeholder = None if signed else PLACEHOLDER_KEY
    session = boto3.session.Session(
        aws_access_key_id=placeholder,
        aws_secret_access_key=placeholder,
        region_name=region_name,
    )
    return session.client("sagemaker-runtime", config=config)
