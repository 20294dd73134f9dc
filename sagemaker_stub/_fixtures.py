"""The fixtures' common part, and the one-line setUp helpers for unittest.

``start_stub`` and ``start_aio_stub`` (unittest) and the pytest fixtures
(``pytest_plugin``) take the same keywords, :class:`FixtureKeywords`: the
stub's own options and the fixture's.
"""

from __future__ import annotations

import functools
import threading
import unittest
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any

import attrs
import boto3
from typing_extensions import Unpack

from ._cassettes.tape import Usage
from ._doors import clients
from ._engine.checks import Arguments
from ._mock import SageMakerRuntimeMock, mock_beside
from ._options import (
    PLACEHOLDER_KEY,
    STUB_OPTIONS,
    Options,
    StubOptions,
    records,
    refuse_unknown,
)
from ._python_internals import unittest_failed
from ._stub import SageMakerRuntimeStub
from ._text import describe

__all__ = [
    "FIXTURE_KEYWORDS",
    "FixtureKeywords",
    "FixtureOptions",
    "cassette_usage",
    "new_client",
    "retire",
    "start_aio_stub",
    "start_every_client",
    "start_stub",
]


class FixtureKeywords(StubOptions, total=False):
    """What the pytest marker, :func:`start_stub` and :func:`start_aio_stub`
    take: the stub's options, and the fixture's own."""

    check_pending: bool
    every_client: bool
    s3: bool
    buckets: Sequence[str]
    control_plane: bool
    region_name: str
    config: Any


#: Every keyword a fixture takes, as messages list them: the fixture's own,
#: then the stub's.
FIXTURE_KEYWORDS: tuple[str, ...] = (
    *(name for name in FixtureKeywords.__annotations__ if name not in STUB_OPTIONS),
    *STUB_OPTIONS,
)


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        msg = f"{attribute.name}=... must be True or False; got {describe(value)}."
        raise TypeError(msg)


def _check_buckets(
    instance: object, attribute: attrs.Attribute[Sequence[str]], value: object
) -> None:
    Arguments.buckets(value, where="buckets=...")


@attrs.frozen(kw_only=True)
class FixtureOptions:
    """A fixture's options: the stub's, and what the fixture does besides.

    The stub's own options keep their meaning (``allow_defaults`` is off, as
    everywhere, so a test that forgets to queue fails at the call that found
    nothing).
    ``every_client`` answers every other ``sagemaker-runtime`` client too,
    from the same queues (a :func:`~sagemaker_stub.mock` beside the stub), and
    ``s3`` every S3 client, for the buckets the stub owns.
    """

    stub: Options
    check_pending: bool = attrs.field(default=True, validator=_flag)
    every_client: bool = attrs.field(default=True, validator=_flag)
    s3: bool = attrs.field(default=False, validator=_flag)
    #: More buckets the stub owns (where the code under test uploads), as
    #: ``mock(buckets=...)``.
    buckets: Sequence[str] = attrs.field(default=(), validator=_check_buckets)
    #: Answer the sagemaker and STS calls SDKs make around an invocation, as
    #: ``mock(control_plane=...)``.
    control_plane: bool = attrs.field(default=True, validator=_flag)
    region_name: str = "us-east-1"
    config: Any = None

    def __attrs_post_init__(self) -> None:
        if self.buckets and not self.every_client:
            msg = (
                "buckets=... are owned by the mock beside the stub, which "
                "every_client=False turns off. For one S3 client, use "
                "stub.attach_s3(s3_client, buckets=[...])."
            )
            raise ValueError(msg)
        if self.s3 and not self.every_client:
            msg = (
                "s3=True answers every S3 client in the process, beside every "
                "sagemaker-runtime client, so it needs every_client=True (the "
                "default). For one S3 client, use stub.attach_s3(s3_client)."
            )
            raise ValueError(msg)

    @classmethod
    def of(cls, caller: str, given: Mapping[str, Any]) -> FixtureOptions:
        """The options ``caller`` was given as keywords, checked."""
        refuse_unknown(caller, given, FIXTURE_KEYWORDS)
        stub = {name: value for name, value in given.items() if name in STUB_OPTIONS}
        own = {name: value for name, value in given.items() if name not in stub}
        return cls(stub=Options.of(caller, stub), **own)

    def new_stub(self, client: Any) -> SageMakerRuntimeStub:
        """The fixture's stub on ``client``, with its options (not yet active)."""
        given = {name: getattr(self.stub, name) for name in STUB_OPTIONS}
        return SageMakerRuntimeStub(client, **given)

    def recording(self) -> bool:
        """Whether the stub will send calls to the endpoint, to record them.

        The client made for the test then signs with the credentials botocore
        finds, rather than placeholders.
        """
        cassette = self.stub.cassette
        return cassette is not None and records(cassette)


def cassette_usage(stub: SageMakerRuntimeStub) -> Usage | None:
    """Which recordings of its cassette a stopped stub used, if it had one."""
    return None if stub._tape is None else stub._tape.usage()


def start_every_client(
    stub: SageMakerRuntimeStub, options: FixtureOptions
) -> SageMakerRuntimeMock | None:
    """With ``every_client``, an active mock answering every other client from
    ``stub``'s queues; else None."""
    if not options.every_client:
        return None
    everywhere = mock_beside(
        stub,
        s3=options.s3,
        buckets=options.buckets,
        control_plane=options.control_plane,
    )
    everywhere.activate()
    return everywhere


def start_stub(
    test: unittest.TestCase,
    client: Any = None,
    **options: Unpack[FixtureKeywords],
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
        options: The options of :class:`SageMakerRuntimeStub`, and the
            fixture's own:

            - ``check_pending``: fail the test when queued results are left
              unused (default True);
            - ``every_client``: answer every other ``sagemaker-runtime``
              client in the process too, from the stub's queues, as
              :func:`~sagemaker_stub.mock` does: clients the code under test
              makes itself. ``stub.client`` is answered either way (default
              True);
            - ``s3``: answer every S3 client too, for the buckets the stub
              owns (needs ``every_client``; default False);
            - ``buckets``: more buckets the stub owns, e.g. where the code
              under test uploads its inputs (needs ``every_client``);
            - ``control_plane``: answer the ``sagemaker`` and STS calls the
              SageMaker SDKs make around an invocation, as
              :func:`~sagemaker_stub.mock` does (with ``every_client``;
              default True);
            - ``region_name`` and ``config``: the region and botocore
              ``Config`` of the client made for the test.

    .. versionadded:: 0.1.0
    """
    if not isinstance(test, unittest.TestCase):
        msg = (
            "start_stub(test) takes the running unittest.TestCase, as in "
            f"start_stub(self) from setUp; got {describe(test)}."
        )
        raise TypeError(msg)
    checked = FixtureOptions.of("start_stub", options)
    if client is None:
        client = new_client(
            checked.region_name, checked.config, signed=checked.recording()
        )
        test.addCleanup(retire, client)
    return _started(test, client, checked)


def start_aio_stub(
    test: unittest.IsolatedAsyncioTestCase,
    client: Any = None,
    **options: Unpack[FixtureKeywords],
) -> Coroutine[Any, Any, SageMakerRuntimeStub]:
    """Start a stub on an aiobotocore client for the length of one async test.

    Await it from ``asyncSetUp``. It takes what :func:`start_stub` takes,
    with the same defaults. Without ``client`` it makes an aiobotocore
    ``sagemaker-runtime`` client (``stub.client``; ``config`` is then an
    ``AioConfig``) and closes it at cleanup. Needs
    ``pip install 'sagemaker-stub[aio]'``.

    .. versionadded:: 0.2.0
    """
    # A keyword it does not take is refused at the call, as a signature would.
    refuse_unknown("start_aio_stub", options, FIXTURE_KEYWORDS)
    return _start_aio_stub(test, client, options)


async def _start_aio_stub(
    test: unittest.IsolatedAsyncioTestCase, client: Any, options: Mapping[str, Any]
) -> SageMakerRuntimeStub:
    if not isinstance(test, unittest.IsolatedAsyncioTestCase):
        msg = (
            "start_aio_stub(test) takes the running IsolatedAsyncioTestCase, as "
            f"in await start_aio_stub(self) from asyncSetUp; got {describe(test)}."
        )
        raise TypeError(msg)
    checked = FixtureOptions.of("start_aio_stub", options)
    if client is None:
        try:
            from ._doors.aiobotocore import new_aio_client  # noqa: PLC0415
        except ImportError as exc:
            msg = (
                "start_aio_stub() makes an aiobotocore client, and needs "
                f"aiobotocore: pip install 'sagemaker-stub[aio]' ({exc})."
            )
            raise ImportError(msg) from None
        context = new_aio_client(
            checked.region_name, checked.config, signed=checked.recording()
        )
        client = await context.__aenter__()
        test.addAsyncCleanup(context.__aexit__, None, None, None)
        test.addCleanup(clients.forget, client)
    return _started(test, client, checked)


def _started(
    test: unittest.TestCase, client: Any, options: FixtureOptions
) -> SageMakerRuntimeStub:
    """An active stub on ``client``, stopped (and checked) at the test's cleanup."""
    stub = options.new_stub(client)
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


def retire(client: Any) -> None:
    """The client a fixture made has served its test: close it, and let no
    later mock register on it while it waits for the garbage collector."""
    client.close()
    clients.forget(client)


def new_client(
    region_name: str = "us-east-1", config: Any = None, *, signed: bool = False
) -> Any:
    """A fresh ``sagemaker-runtime`` client that needs no credentials lookup.

    It has placeholder credentials, so creating it reads no credential source
    and reaches no network, and it is made from one session the process
    keeps, whose loaders have read botocore's models once: a fresh session
    per test read them again (about 150 ms a test). A ``signed`` client,
    which records a cassette, is made on a session of its own and finds
    credentials as boto3 does.
    """
    if signed:
        return boto3.session.Session(region_name=region_name).client(
            "sagemaker-runtime", config=config
        )
    with _SHARED_LOCK:  # a botocore session makes one client at a time
        return _shared_session().client(
            "sagemaker-runtime",
            region_name=region_name,
            config=config,
            aws_access_key_id=PLACEHOLDER_KEY,
            aws_secret_access_key=PLACEHOLDER_KEY,
        )


_SHARED_LOCK = threading.Lock()


@functools.cache
def _shared_session() -> boto3.session.Session:
    """The session the fixtures' unsigned clients are made from."""
    return boto3.session.Session()
