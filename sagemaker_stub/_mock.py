"""``mock()``: every ``sagemaker-runtime`` client in the process, answered.

A test rarely holds the client the code under test calls: an app makes one at
import, a library makes its own. While a :class:`SageMakerRuntimeMock` is
active it answers every ``sagemaker-runtime`` client (``_doors.clients``
keeps track of them), and with ``s3=True`` every S3 client too, for the
buckets it owns. It is a facade over the same engine and doors as the
client-bound stub: one door per client, opened when the mock starts, as a
client is made, or at the first call of a client made before the package was
imported, and closed when it stops.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import unittest
import weakref
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast, overload

from typing_extensions import Self, Unpack

from ._attachments import S3Attachments
from ._cassettes.tape import Tape, tape_for
from ._delegate import OptionsView, forward, forward_property
from ._doors import clients
from ._doors.around import AroundDoor
from ._doors.call import CallDoor
from ._doors.s3 import S3Door
from ._engine.checks import Arguments
from ._engine.control import Control
from ._engine.engine import Engine
from ._engine.responders import Responding
from ._errors import StubActivationError
from ._lifecycle import Lifecycle
from ._options import PLACEHOLDER_KEY, Options, StubOptions
from ._python_internals import unittest_failed
from ._stub import SageMakerRuntimeStub
from ._text import describe
from ._wiring import around_door_for, door_for, runtime_model, s3_door_for

__all__ = ["SageMakerRuntimeMock", "mock", "mock_beside"]

_Target = TypeVar("_Target")


class _EveryClient:
    """The doors a mock holds open, one per client it answers.

    The registry (``_doors.clients``) asks it, under its lock, to reach each
    client not bound to a stub, and to let go of them.
    """

    def __init__(
        self, engine: Engine, tape: Tape | None, *, s3: bool, control_plane: bool
    ) -> None:
        self._engine = engine
        self._tape = tape
        self._s3 = s3
        self._control_plane = control_plane
        self._around: weakref.WeakKeyDictionary[Any, AroundDoor] = (
            weakref.WeakKeyDictionary()
        )
        self._doors: weakref.WeakKeyDictionary[Any, CallDoor] = (
            weakref.WeakKeyDictionary()
        )
        self._s3_doors: weakref.WeakKeyDictionary[Any, S3Door] = (
            weakref.WeakKeyDictionary()
        )

    def reach(self, client: Any, service: str) -> None:
        """Start answering ``client`` (the registry asks once, until released)."""
        if service == clients.RUNTIME:
            door = door_for(client, self._engine, tape=self._tape)
            door.open()
            self._doors[client] = door
        elif service in clients.AROUND:
            # A mock recording a cassette lets them reach AWS, with the
            # credentials botocore finds, as the calls it records do.
            recording = self._tape is not None and self._tape.records
            if self._control_plane and not recording:
                around = around_door_for(client, self._engine)
                around.open()
                self._around[client] = around
        elif self._s3:
            s3_door = s3_door_for(
                client,
                self._engine.outputs,
                pass_through=False,
                section="last",
                tape=self._tape,
                account_id=self._engine.options.account_id,
            )
            s3_door.open()
            self._s3_doors[client] = s3_door

    def release(self, client: Any) -> None:
        """Stop answering ``client`` (a client-bound stub answers it now)."""
        door = self._doors.pop(client, None)
        if door is not None:
            door.close()

    def placeholder_key(self, service: str) -> str | None:
        """Placeholder keys for a client this mock answers, unless it records:
        then the client signs what is sent with the keys botocore finds."""
        if self._tape is not None and self._tape.records:
            return None
        if (
            service == clients.RUNTIME
            or (service == clients.S3 and self._s3)
            or (service in clients.AROUND and self._control_plane)
        ):
            return PLACEHOLDER_KEY
        return None

    def release_all(self) -> None:
        """Stop answering every client."""
        for door in list(self._doors.values()):
            door.close()
        for s3_door in list(self._s3_doors.values()):
            s3_door.close()
        for around in list(self._around.values()):
            around.close()
        self._doors.clear()
        self._s3_doors.clear()
        self._around.clear()


class SageMakerRuntimeMock(OptionsView):
    """Answers every ``sagemaker-runtime`` client while active. Made by :func:`mock`.

    It has the stub's whole API (``queue``, ``queue_async``,
    ``queue_stream``, ``add_endpoint``, ``add_fault``, ``attach_s3``,
    ``calls``, ...): one set of queues serves every client, and results are
    remembered per endpoint and request across clients. ``call.client`` and
    ``call.region`` say which client made each call.

    .. versionadded:: 0.2.0
    """

    def __init__(
        self,
        control: Control,
        tape: Tape | None = None,
        *,
        s3: bool = False,
        buckets: Sequence[str] = (),
        control_plane: bool = True,
    ) -> None:
        engine = control.engine
        self._options = engine.options
        self._control = control
        self._responding = Responding(control.engine)
        self._tape = tape
        self._s3_everywhere = s3
        self._buckets = tuple(buckets)
        engine.outputs.own(*self._buckets)
        self._s3 = S3Attachments(engine.outputs, tape)
        self._every_client = _EveryClient(
            engine, tape, s3=s3, control_plane=control_plane
        )
        self._control_plane = control_plane
        self._lifecycle = Lifecycle(
            close=self._close, finish=self._finish, pending=self.pending_results
        )

    # -- what it offers -------------------------------------------------------------

    queue = forward(Control.queue)
    queue_async = forward(Control.queue_async)
    queue_stream = forward(Control.queue_stream)
    load_moto_results = forward(Control.load_moto_results)
    load_moto_async_results = forward(Control.load_moto_async_results)
    add_endpoint = forward(Control.add_endpoint)
    remove_endpoint = forward(Control.remove_endpoint)
    sessions = forward_property(Control.sessions)
    add_fault = forward(Control.add_fault)
    clear_faults = forward(Control.clear_faults)
    add_responder = forward(Responding.add_responder, "_responding")
    clear_responders = forward(Responding.clear_responders, "_responding")
    calls = forward_property(Control.calls)
    pending_results = forward(Control.pending_results)
    assert_no_pending_results = forward(Control.assert_no_pending_results)
    read_output = forward(Control.read_output)
    store_input = forward(Control.store_input)
    configure_async_output = forward(Control.configure_async_output)
    complete = forward(Control.complete)
    attach_s3 = forward(S3Attachments.attach_s3, "_s3")
    detach_s3 = forward(S3Attachments.detach_s3, "_s3")

    @property
    def s3(self) -> bool:
        """Whether every S3 client is answered too, for the buckets it owns."""
        return self._s3_everywhere

    @property
    def control_plane(self) -> bool:
        """Whether every ``sagemaker`` and STS client is answered too.

        .. versionadded:: 0.3.0
        """
        return self._control_plane

    def reset(self) -> None:
        """Forget everything the test set up or the calls left behind.

        As :meth:`SageMakerRuntimeStub.reset`, but the buckets given to
        :func:`mock` stay owned: they are options. The mock stays active.
        """
        self._control.reset()
        self._control.engine.outputs.own(*self._buckets)

    def write_outputs_to(self, s3_client: Any) -> None:
        """Also write each async output through a sync ``s3_client`` (PutObject).

        Not with ``s3=True``: the mock would answer its own writes.
        """
        if self._s3_everywhere:
            msg = (
                "write_outputs_to() cannot write through an S3 client while "
                "mock(s3=True) answers every S3 client itself. Read outputs "
                "through any S3 client instead, or use mock() without s3=True."
            )
            raise StubActivationError(msg)
        self._s3.write_outputs_to(s3_client)

    # -- lifecycle ------------------------------------------------------------------

    active = forward_property(Lifecycle.active, "_lifecycle")
    deactivate = forward(Lifecycle.deactivate, "_lifecycle")
    __exit__ = forward(Lifecycle.__exit__, "_lifecycle")
    __aexit__ = forward(Lifecycle.__aexit__, "_lifecycle")

    def activate(self) -> None:
        """Start answering every client.

        A client made before ``sagemaker_stub`` was imported is reached at its
        first call. A client-bound stub keeps answering its own client. If
        another mock is active, this one answers in its place until it is
        deactivated.

        Raises:
            StubActivationError: This mock is already active.
        """
        with clients.LOCK:
            if self._lifecycle.active:
                msg = (
                    "This sagemaker_stub.mock() is already active (activated at "
                    f"{self._lifecycle.activated_at}); activate it once. To answer "
                    "differently in an inner block, start another mock()."
                )
                raise StubActivationError(msg)
            clients.start(self._every_client)
            self._lifecycle.started()

    def __enter__(self) -> Self:
        self.activate()
        return self

    async def __aenter__(self) -> Self:
        """``async with`` activates it, as ``with`` does."""
        return self.__enter__()

    def _close(self) -> None:
        clients.stop(self._every_client)

    def _finish(self) -> None:
        self._s3.detach_s3()
        if self._tape is not None:  # what the cassette recorded is written now
            self._tape.save()

    # -- decorator --------------------------------------------------------------------

    def __call__(self, target: _Target) -> _Target:
        """Decorate a test: a function, a coroutine function, a generator
        function (active until it is exhausted), or a class.

        The mock is active while the test runs and forgets everything after
        it, so one mock can decorate many tests. An async generator function
        is refused: use ``with mock():`` inside it. On a ``unittest.TestCase``
        class it is active from ``setUp`` to the test's cleanups; on another
        class, for each ``test*`` method.
        """
        decorated: object
        if isinstance(target, type):
            decorated = self._decorate_class(target)
        elif inspect.iscoroutinefunction(target):
            decorated = self._decorate_coroutine(target)
        elif inspect.isgeneratorfunction(target):
            decorated = self._decorate_generator(target)
        elif inspect.isasyncgenfunction(target):
            msg = (
                "mock() cannot decorate an async generator function such as "
                f"{target.__qualname__}: it would stop before the body runs. "
                "Use 'with mock():' inside it, around the code that calls."
            )
            raise TypeError(msg)
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

    def _decorate_generator(self, function: Any) -> Any:
        """Active from the generator's first step to its end (a pytest
        fixture that yields, say), not only while it is made."""

        @functools.wraps(function)
        def mocked(*args: Any, **kwargs: Any) -> Any:
            with self._one_test():
                return (yield from function(*args, **kwargs))

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
            self._lifecycle.deactivate(report_unused=report_unused)
        finally:
            self.reset()


@overload
def mock(target: _Target, /) -> _Target: ...


@overload
def mock(
    *,
    s3: bool = False,
    buckets: Sequence[str] = (),
    control_plane: bool = True,
    **options: Unpack[StubOptions],
) -> SageMakerRuntimeMock: ...


def mock(
    target: object = None,
    /,
    *,
    s3: bool = False,
    buckets: Sequence[str] = (),
    control_plane: bool = True,
    **options: Unpack[StubOptions],
) -> object:
    """Answer every ``sagemaker-runtime`` client in the process, sync or async.

    Use it as a context manager (``with``, ``async with``), or as a
    decorator on a test function, a coroutine function or a test class,
    with or without parentheses (``@mock`` is ``@mock()``, as moto's
    ``@mock_aws`` is).
    It reaches clients made inside it and clients made before it, such as an
    app's module-level client, even one made before ``sagemaker_stub`` was
    imported (from its first call). A client made under it with no keys gets
    placeholder ones, so no credential chain runs (unless it records a
    cassette).

    Args:
        s3: Also answer every S3 client, sync or async: GetObject, HeadObject,
            PutObject, DeleteObject and ListObjectsV2 on the buckets the mock
            owns (where async outputs land, ``buckets``, ...). Any other S3
            request raises :class:`S3NotStubbedError`. The SageMaker SDK's
            default bucket, ``sagemaker-<region>-<account_id>``, is owned
            too, and HeadBucket and ListBuckets are answered for it.
        buckets: More buckets to own, e.g. where the code under test uploads
            its inputs.
        control_plane: Answer the calls the SageMaker SDKs make around an
            invocation, on every ``sagemaker`` and ``sts`` client, sync or async:
            ``DescribeEndpoint`` and ``DescribeEndpointConfig`` from the
            declared endpoints (every endpoint, with the variant
            ``AllTraffic``, when none is declared), and
            ``GetCallerIdentity`` with ``account_id``. Any other call of those
            clients raises :class:`NotStubbedError` and is not sent.
            ``False`` leaves those clients alone (for moto, say).
        options: The options of :class:`SageMakerRuntimeStub`:
            ``allow_defaults``, ``account_id``, ``keep_bodies``, ``validate``,
            ``retries``, ``sleep_between_retries``, ``session_ttl_seconds``
            and ``cassette``, with the same meaning.

    Returns:
        The mock, not yet active, with the whole API of
        :class:`SageMakerRuntimeStub` but ``client``; or, given a test to
        decorate, the decorated test.

    .. versionadded:: 0.2.0
    """
    checked = Options.of("mock", options)
    for name, flag in (("s3", s3), ("control_plane", control_plane)):
        if not isinstance(flag, bool):
            msg = f"mock({name}=...) must be True or False; got {describe(flag)}."
            raise TypeError(msg)
    Arguments.buckets(buckets, where="mock(buckets=...)")
    engine = Engine(runtime_model(), checked)
    tape = tape_for(checked.cassette, engine)
    mocked = SageMakerRuntimeMock(
        Control(engine), tape, s3=s3, buckets=buckets, control_plane=control_plane
    )
    return mocked if target is None else mocked(target)


def mock_beside(
    stub: SageMakerRuntimeStub,
    *,
    s3: bool,
    buckets: Sequence[str] = (),
    control_plane: bool = True,
) -> SageMakerRuntimeMock:
    """A mock answering every other client from ``stub``'s queues and options.

    The fixtures' way to answer every client: ``stub.client`` keeps its
    client-bound stub (``Stubber`` expectations included), and the calls of
    every client land in ``stub.calls``.
    """
    return SageMakerRuntimeMock(
        stub._control,
        stub._tape,
        s3=s3,
        buckets=buckets,
        control_plane=control_plane,
    )
