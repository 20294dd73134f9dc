"""SageMakerRuntimeStub: botocore's Stubber with moto's queue-aware results.

The stub is a facade: construction and lifecycle are here, the control
surface (queues, endpoints, faults, outputs, history) is
:class:`~sagemaker_stub._control.StubControl`, the semantics are the engine's
(``_engine``), and the client is reached through a door (``_doors``).
"""

from __future__ import annotations

import threading
import warnings
import weakref
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Generic

from botocore.stub import Stubber
from typing_extensions import Self, TypeVar

from ._book import PendingResult
from ._botocore import is_aio_client, stubber_active, stubber_forget, stubber_queue
from ._checks import check_runtime_client
from ._control import StubControl, origin
from ._doors import CallDoor, SendDoor
from ._engine import Engine
from ._errors import StubActivationError, UnusedResultsWarning, pending_message
from ._operation import Operation
from ._options import DEFAULT_ACCOUNT_ID, DEFAULT_SESSION_TTL_SECONDS, Options
from ._s3_door import S3Doors

__all__ = ["SageMakerRuntimeStub"]

#: The type of the stubbed client; ``Any`` for an untyped boto3 client.
ClientT = TypeVar("ClientT", default=Any)
#: The stub active on each client. Neither is kept alive by this table: a stub
#: and client the test forgot are collected, as a forgotten Stubber is.
_active_stubs: weakref.WeakKeyDictionary[Any, weakref.ref[SageMakerRuntimeStub]] = (
    weakref.WeakKeyDictionary()
)
_active_lock = threading.Lock()


class SageMakerRuntimeStub(StubControl, Stubber, Generic[ClientT]):
    """A botocore ``Stubber`` for ``sagemaker-runtime`` with queued results.

    Calls to ``invoke_endpoint``, ``invoke_endpoint_async`` and
    ``invoke_endpoint_with_response_stream`` are answered from queues of typed
    results, with moto's rules: the same request on the same endpoint gets the
    result it got before (a queued error answers once, unless
    :meth:`ErrorResult.remembered`); a new request takes the next queued result (the
    endpoint's own queue first, then the shared one), and async and streaming
    calls fall back to the ``invoke_endpoint`` queue. Async outputs can be read
    with :meth:`read_output` or through an S3 client given to
    :meth:`attach_s3`. Expectations added through the ``Stubber`` API
    (``add_response``, ``add_client_error``) are served first, strictly in
    order.

    An aiobotocore (or aioboto3) client is answered the same way, through
    aiobotocore's own parser: ``await`` its calls, and use ``async with`` or
    ``with`` for the stub alike.

    Args:
        client: A botocore, boto3, aiobotocore or aioboto3
            ``sagemaker-runtime`` client.
        allow_defaults: Answer a call that finds nothing queued with moto's
            static default (``True``), or raise :class:`NoResultError`.
        account_id: The account id written into ``ModelError`` messages and
            log stream ARNs, and checked in moto payloads.
        keep_bodies: Keep each request body in :attr:`calls`. Off by default,
            so memory does not grow with body size.
        validate: Refuse what the service refuses but botocore lets through
            (maximum lengths, patterns, value ranges, body sizes) with the
            service's ``ValidationError``. Turn off to send odd input through.
        retries: Answer at botocore's HTTP layer (``before-send``) instead of
            before the call, so the client's own retry handler sees every
            response and retries as configured. Off by default.
        sleep_between_retries: With ``retries=True``, sleep for the backoff
            botocore chooses. By default the backoff is only recorded
            (``Call.backoff``), so retried tests stay fast.
        session_ttl_seconds: How long a stateful session opened with
            ``SessionId="NEW_SESSION"`` lasts.

    .. versionadded:: 0.1.0
    """

    #: The stubbed client, with the type it was given (a boto3-stubs
    #: ``SageMakerRuntimeClient`` keeps its methods' signatures).
    client: ClientT  # type: ignore[assignment]

    def __init__(
        self,
        client: ClientT,
        *,
        allow_defaults: bool = True,
        account_id: str = DEFAULT_ACCOUNT_ID,
        keep_bodies: bool = False,
        validate: bool = True,
        retries: bool = False,
        sleep_between_retries: bool = False,
        session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
    ) -> None:
        service_model = check_runtime_client(client)
        self._options = Options(
            allow_defaults=allow_defaults,
            account_id=account_id,
            keep_bodies=keep_bodies,
            validate=validate,
            retries=retries,
            sleep_between_retries=sleep_between_retries,
            session_ttl_seconds=session_ttl_seconds,
        )
        untyped: Any = client  # checked above to be a sagemaker-runtime client
        super().__init__(untyped)
        engine = Engine(service_model, self._options)
        self._bind(engine, untyped.meta.region_name, self._stubber_pending)
        self._door = _door(self, engine, self._options)
        self._s3_doors = S3Doors(engine.outputs, self._arguments)
        self._active = False
        self._activated_at = ""

    # -- options, fixed at construction -------------------------------------------

    @property
    def allow_defaults(self) -> bool:
        """Whether a call with nothing queued gets moto's static default."""
        return self._options.allow_defaults

    @property
    def account_id(self) -> str:
        """The account id in ``ModelError`` messages and not-found errors."""
        return self._options.account_id

    @property
    def keep_bodies(self) -> bool:
        """Whether :attr:`calls` keep each request body."""
        return self._options.keep_bodies

    @property
    def validate(self) -> bool:
        """Whether requests are validated as the service validates them."""
        return self._options.validate

    @property
    def retries(self) -> bool:
        """Whether the stub answers inside botocore's retry loop."""
        return self._options.retries

    @property
    def sleep_between_retries(self) -> bool:
        """Whether botocore's retry backoff is slept (``retries=True``)."""
        return self._options.sleep_between_retries

    @property
    def session_ttl_seconds(self) -> float:
        """How long a stateful session lasts."""
        return self._options.session_ttl_seconds

    @property
    def _operations(self) -> dict[str, Operation]:
        """The operations the stub answers (the rest go to ``Stubber``)."""
        return self._engine.operations

    # -- lifecycle ------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether the stub is answering the client's calls."""
        return self._active

    def activate(self) -> None:
        """Start answering the client's calls.

        Raises:
            StubActivationError: This stub, or another one, is already active
                on the client.
        """
        with _active_lock:
            if self._active:
                msg = (
                    "This SageMakerRuntimeStub is already active; activate() "
                    "it once (a with block activates it for you)."
                )
                raise StubActivationError(msg)
            known = _active_stubs.get(self.client)
            other = known() if known is not None else None
            if other is not None and other.active:
                msg = (
                    "Another SageMakerRuntimeStub is already active on this "
                    f"client (activated at {other._activated_at}). Queue results "
                    "on that stub, or deactivate() it before activating this one."
                )
                raise StubActivationError(msg)
            if stubber_active(self.client):
                msg = (
                    "A botocore Stubber is already active on this client, and "
                    "both would answer its calls. Deactivate the Stubber first; "
                    "its add_response() and add_client_error() work on this stub "
                    "too, which is a Stubber."
                )
                raise StubActivationError(msg)
            _active_stubs[self.client] = weakref.ref(self)
            self._door.open()
            self._active = True
            self._activated_at = origin()

    def deactivate(self, *, report_unused: bool = True) -> None:
        """Stop answering calls and restore the client's event handlers.

        Warns with :class:`UnusedResultsWarning` when queued results were never
        used, unless ``report_unused=False`` (a quiet stop, for fixtures that
        report them their own way). Calling it on an inactive stub does
        nothing.
        """
        self._deactivate(report_unused=report_unused)

    def _deactivate(self, *, report_unused: bool) -> None:
        with _active_lock:
            if not self._active:
                return
            self._door.close()
            self._active = False
            _active_stubs.pop(self.client, None)
        self.detach_s3()
        pending = self.pending_results() if report_unused else []
        if pending:
            warnings.warn(pending_message(pending), UnusedResultsWarning, stacklevel=3)

    def __enter__(self) -> Self:
        self.activate()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._deactivate(report_unused=exc_type is None)

    async def __aenter__(self) -> Self:
        """``async with`` activates the stub, as ``with`` does."""
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc_value, traceback)

    def reset(self) -> None:
        """Forget everything the test set up or the calls left behind.

        Queued results and ``Stubber`` expectations, remembered answers, the
        call history, fault policies, declared endpoints and sessions, stored
        objects and the buckets and output paths the stub owned are cleared.
        The stub stays active, and attached S3 clients stay attached.

        .. versionadded:: 0.1.0
        """
        super().reset()
        stubber_forget(self)

    def _stubber_pending(self) -> list[PendingResult]:
        """Expectations added with ``add_response`` / ``add_client_error``."""
        return [
            PendingResult(
                operation=item["operation_name"],
                result=item["response"][1],
                endpoint_name=None,
                origin="Stubber.add_response/add_client_error",
            )
            for item in stubber_queue(self)
        ]

    # -- S3 clients -------------------------------------------------------------------

    def attach_s3(
        self,
        s3_client: Any,
        *,
        buckets: Sequence[str] = (),
        pass_through: bool = False,
    ) -> None:
        """Serve async outputs (and inputs) to ``s3_client``, with no network.

        GetObject (ranged too), HeadObject, PutObject, DeleteObject and
        ListObjectsV2 on the buckets the stub owns are answered from its
        object store: the buckets of the output and failure locations it hands
        out, those given to :meth:`configure_async_output` and
        :meth:`store_input`, and ``buckets``. Every other request raises
        :class:`S3NotStubbedError`, naming the bucket and the owned ones, so
        a typo never reaches the network.

        Args:
            s3_client: A boto3, botocore or aiobotocore ``s3`` client.
            buckets: More buckets to own, e.g. where the code under test
                uploads its inputs.
            pass_through: Let the requests the stub does not answer go on to
                S3 (or to moto, LocalStack, ...) instead of refusing them.

        .. versionadded:: 0.1.0
        """
        self._s3_doors.attach(s3_client, buckets, pass_through=pass_through)

    def detach_s3(self, s3_client: Any = None) -> None:
        """Stop serving ``s3_client`` (every attached client by default).

        Its event handlers are left exactly as before :meth:`attach_s3`.
        Deactivating the stub detaches every client.
        """
        self._s3_doors.detach(s3_client)

    def write_outputs_to(self, s3_client: Any) -> None:
        """Also write each async output through a sync ``s3_client`` (PutObject).

        For tests that already run moto's S3, LocalStack or a real test
        bucket: the objects become real there. A stub-generated
        ``sagemaker-output-*`` bucket is created first if it does not exist.
        """
        self._s3_doors.write_through(s3_client)


def _door(stub: SageMakerRuntimeStub, engine: Engine, options: Options) -> CallDoor:
    """The door for the stub's client: sync or async, before-call or before-send."""
    sleep = options.sleep_between_retries
    if is_aio_client(stub.client):
        from ._aio import AioCallDoor, AioSendDoor  # noqa: PLC0415 - aiobotocore only

        if options.retries:
            return AioSendDoor(stub, engine, sleep_between_retries=sleep)
        return AioCallDoor(stub, engine)
    if options.retries:
        return SendDoor(stub, engine, sleep_between_retries=sleep)
    return CallDoor(stub, engine)
