"""``mock()``: every ``sagemaker-runtime`` client in the process, answered.

A test rarely holds the client the code under test calls: an app makes one at
import, a library makes its own. While a :class:`SageMakerRuntimeMock` is
active it answers every ``sagemaker-runtime`` client made since the package
was imported (``_clients`` keeps track of them), and with ``s3=True`` every
S3 client too, for the buckets it owns. It is a facade over the same engine
and doors as the client-bound stub: one door per client, opened when the
mock starts or as a client is made, and closed when it stops.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import unittest
import weakref
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast, overload

from botocore.loaders import create_loader
from botocore.model import ServiceModel

from ._cassettes.interactions import Cassette, cassette_of
from ._checks import Arguments
from ._control import StubControl, origin
from ._doors import clients as _clients
from ._doors.call import CallDoor, door_for
from ._doors.s3 import S3Responder, responder_for
from ._engine.engine import Engine
from ._errors import StubActivationError
from ._lifecycle import Lifecycle, unittest_failed
from ._options import DEFAULT_ACCOUNT_ID, DEFAULT_SESSION_TTL_SECONDS, Options
from ._stub import SageMakerRuntimeStub
from ._text import describe

__all__ = ["SageMakerRuntimeMock", "mock", "mock_beside"]

_Target = TypeVar("_Target")


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


class SageMakerRuntimeMock(StubControl, Lifecycle):
    """Answers every ``sagemaker-runtime`` client while active. Made by :func:`mock`.

    It has the stub's whole API (``queue``, ``queue_async``,
    ``queue_stream``, ``add_endpoint``, ``add_fault``, ``attach_s3``,
    ``calls``, ...): one set of queues serves every client, and results are
    remembered per endpoint and request across clients. ``call.client`` and
    ``call.region`` say which client made each call.

    .. versionadded:: 0.2.0
    """

    def __init__(
        self, engine: Engine, *, s3: bool = False, buckets: Sequence[str] = ()
    ) -> None:
        self._bind(engine, None, list)
        self._s3 = s3
        self._buckets = tuple(buckets)
        engine.outputs.own(*self._buckets)
        #: The door open on each client the mock answers.
        self._doors: weakref.WeakKeyDictionary[Any, CallDoor] = (
            weakref.WeakKeyDictionary()
        )
        self._responders: weakref.WeakKeyDictionary[Any, S3Responder] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def s3(self) -> bool:
        """Whether every S3 client is answered too, for the buckets it owns."""
        return self._s3

    # -- lifecycle ------------------------------------------------------------------

    def activate(self) -> None:
        """Start answering every client.

        Clients made before ``sagemaker_stub`` was imported are not reached:
        stub those with :class:`SageMakerRuntimeStub`. A client-bound stub
        keeps answering its own client. If another mock is active, this one
        answers in its place until it is deactivated.

        Raises:
            StubActivationError: This mock is already active.
        """
        with _clients.LOCK:
            if self._active:
                msg = (
                    "This sagemaker_stub.mock() is already active (activated at "
                    f"{self._activated_at}); activate it once. To answer "
                    "differently in an inner block, start another mock()."
                )
                raise StubActivationError(msg)
            _clients.start(self)
            self._active = True
            self._activated_at = origin()

    def _close(self) -> None:
        _clients.stop(self)

    def reset(self) -> None:
        """Forget everything the test set up or the calls left behind.

        As :meth:`SageMakerRuntimeStub.reset`, but the buckets given to
        :func:`mock` stay owned: they are options. The mock stays active.
        """
        super().reset()
        self._engine.outputs.own(*self._buckets)

    def write_outputs_to(self, s3_client: Any) -> None:
        """Also write each async output through a sync ``s3_client`` (PutObject).

        Not with ``s3=True``: the mock would answer its own writes.
        """
        if self._s3:
            msg = (
                "write_outputs_to() cannot write through an S3 client while "
                "mock(s3=True) answers every S3 client itself. Read outputs "
                "through any S3 client instead, or use mock() without s3=True."
            )
            raise StubActivationError(msg)
        super().write_outputs_to(s3_client)

    # -- clients (called by _clients, under its lock) -----------------------------

    def _answer(self, client: Any, service: str) -> None:
        """Start answering ``client`` (the registry asks once, until released)."""
        if service == _clients.RUNTIME:
            door = door_for(client, self._engine)
            door.open()
            self._doors[client] = door
        elif self._s3:
            responder = responder_for(
                client,
                self._engine.outputs,
                pass_through=False,
                section="last",
                tape=self._engine.tape,
            )
            responder.attach()
            self._responders[client] = responder

    def _release(self, client: Any) -> None:
        """Stop answering ``client`` (a client-bound stub answers it now)."""
        door = self._doors.pop(client, None)
        if door is not None:
            door.close()

    def _release_all(self) -> None:
        """Stop answering every client."""
        for door in list(self._doors.values()):
            door.close()
        for responder in list(self._responders.values()):
            responder.detach()
        self._doors.clear()
        self._responders.clear()

    # -- decorator --------------------------------------------------------------------

    def __call__(self, target: _Target) -> _Target:
        """Decorate a test: a function, a coroutine function, or a class.

        The mock is active while the test runs and forgets everything after
        it, so one mock can decorate many tests. On a ``unittest.TestCase``
        class it is active from ``setUp`` to the test's cleanups; on another
        class, for each ``test*`` method.
        """
        decorated: object
        if isinstance(target, type):
            decorated = self._decorate_class(target)
        elif inspect.iscoroutinefunction(target):
            decorated = self._decorate_coroutine(target)
        elif callable(target):
            decorated = self._decorate_function(target)
        else:
            msg = (
                "mock() decorates a function, a coroutine function or a class; "
                f"got {describe(target)}."
            )
            raise TypeError(msg)
        return cast("_Target", decorated)

    @contextlib.contextmanager
    def _one_test(self) -> Iterator[None]:
        """Active for one decorated test, then reset for the next."""
        self.activate()
        passed = False
        try:
            yield
            passed = True
        finally:
            self._end(report_unused=passed)

    def _decorate_function(self, function: Any) -> Any:
        @functools.wraps(function)
        def mocked(*args: Any, **kwargs: Any) -> Any:
            with self._one_test():
                return function(*args, **kwargs)

        return mocked

    def _decorate_coroutine(self, function: Any) -> Any:
        @functools.wraps(function)
        async def mocked(*args: Any, **kwargs: Any) -> Any:
            with self._one_test():
                return await function(*args, **kwargs)

        return mocked

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            set_up = cls.setUp

            @functools.wraps(set_up)
            def mocked_set_up(test: unittest.TestCase) -> None:
                self.activate()
                test.addCleanup(self._end_test, test)
                set_up(test)

            cls.setUp = mocked_set_up  # type: ignore[method-assign,assignment]
            return cls
        for name, value in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(value):
                setattr(cls, name, self(value))
        return cls

    def _end_test(self, test: unittest.TestCase) -> None:
        self._end(report_unused=not unittest_failed(test))

    def _end(self, *, report_unused: bool) -> None:
        """Stop after a decorated test, and forget it for the next one."""
        try:
            self._deactivate(report_unused=report_unused)
        finally:
            self.reset()


@overload
def mock(target: _Target, /) -> _Target: ...


@overload
def mock(
    *,
    s3: bool = False,
    buckets: Sequence[str] = (),
    allow_defaults: bool = True,
    account_id: str = DEFAULT_ACCOUNT_ID,
    keep_bodies: bool = False,
    validate: bool = True,
    retries: bool = False,
    sleep_between_retries: bool = False,
    session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
    cassette: str | os.PathLike[str] | Cassette | None = None,
) -> SageMakerRuntimeMock: ...


def mock(
    target: object = None,
    /,
    *,
    s3: bool = False,
    buckets: Sequence[str] = (),
    allow_defaults: bool = True,
    account_id: str = DEFAULT_ACCOUNT_ID,
    keep_bodies: bool = False,
    validate: bool = True,
    retries: bool = False,
    sleep_between_retries: bool = False,
    session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
    cassette: str | os.PathLike[str] | Cassette | None = None,
) -> object:
    """Answer every ``sagemaker-runtime`` client in the process, sync or async.

    Use it as a context manager (``with``, ``async with``), or as a
    decorator on a test function, a coroutine function or a test class,
    with or without parentheses (``@mock`` is ``@mock()``, as moto's
    ``@mock_aws`` is).
    It reaches clients made inside it and clients made before it, such as an
    app's module-level client, as long as they were made after
    ``sagemaker_stub`` was imported (in pytest, the plugin imports it before
    any test module).

    Args:
        s3: Also answer every S3 client, sync or async: GetObject, HeadObject,
            PutObject, DeleteObject and ListObjectsV2 on the buckets the mock
            owns (where async outputs land, ``buckets``, ...). Any other S3
            request raises :class:`S3NotStubbedError`.
        buckets: More buckets to own, e.g. where the code under test uploads
            its inputs.
        allow_defaults: As for :class:`SageMakerRuntimeStub`, and so are
            ``account_id``, ``keep_bodies``, ``validate``, ``retries``,
            ``sleep_between_retries``, ``session_ttl_seconds`` and
            ``cassette``.

    Returns:
        The mock, not yet active, with the whole API of
        :class:`SageMakerRuntimeStub` but ``client``; or, given a test to
        decorate, the decorated test.

    .. versionadded:: 0.2.0
    """
    options = Options(
        caller="mock",
        allow_defaults=allow_defaults,
        account_id=account_id,
        keep_bodies=keep_bodies,
        validate=validate,
        retries=retries,
        sleep_between_retries=sleep_between_retries,
        session_ttl_seconds=session_ttl_seconds,
        cassette=cassette_of(cassette, "mock"),
    )
    if not isinstance(s3, bool):
        msg = f"mock(s3=...) must be True or False; got {describe(s3)}."
        raise TypeError(msg)
    engine = Engine(runtime_model(), options)
    Arguments.buckets(buckets, where="mock(buckets=...)")
    mocked = SageMakerRuntimeMock(engine, s3=s3, buckets=buckets)
    return mocked if target is None else mocked(target)


def mock_beside(stub: SageMakerRuntimeStub, *, s3: bool) -> SageMakerRuntimeMock:
    """A mock answering every other client from ``stub``'s queues and options.

    The fixtures' way to answer every client: ``stub.client`` keeps its
    client-bound stub (``Stubber`` expectations included), and the calls of
    every client land in ``stub.calls``.
    """
    return SageMakerRuntimeMock(stub._engine, s3=s3)
