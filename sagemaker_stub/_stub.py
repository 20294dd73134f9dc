"""SageMakerRuntimeStub: botocore's Stubber with moto's queue-aware results.

The stub is a facade, and a composition: it holds the engine's
:class:`~._engine.control.Control` (queues, endpoints, faults, outputs,
history), its :class:`~._lifecycle.Lifecycle`, the door on its client, its S3
attachments and its cassette's tape, and offers their methods as its own,
each listed once in the class body below.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Generic

from botocore.stub import Stubber
from typing_extensions import Self, TypeVar, Unpack

from ._attachments import S3Attachments
from ._cassettes.tape import tape_for
from ._delegate import OptionsView, forward, forward_property
from ._doors import clients
from ._doors.botocore import stubber_active, stubber_forget, stubber_queue
from ._engine.book import PendingResult
from ._engine.control import Control
from ._engine.engine import Engine
from ._engine.responders import Responding
from ._errors import StubActivationError
from ._lifecycle import Lifecycle
from ._options import Options, StubOptions
from ._wiring import check_runtime_client, door_for

__all__ = ["SageMakerRuntimeStub"]

#: The type of the stubbed client; ``Any`` for an untyped boto3 client.
ClientT = TypeVar("ClientT", default=Any)


class SageMakerRuntimeStub(OptionsView, Stubber, Generic[ClientT]):
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
        moto_compatible: Behave as moto does, for suites migrating from it:
            ``allow_defaults`` and ``validate`` then default to moto's
            behaviour (a default body; no validation). Off by default.
        allow_defaults: Answer a call that finds nothing queued with moto's
            static default body (``True``). By default such a call raises
            :class:`NoResultError`, so a forgotten ``queue()`` fails the test.
        account_id: The account id written into ``ModelError`` messages and
            log stream ARNs, and checked in moto payloads.
        keep_bodies: Keep each request body in :attr:`calls`. Off by default,
            so memory does not grow with body size.
        validate: Refuse what the service refuses but botocore lets through
            (maximum lengths, patterns, value ranges, body sizes) with the
            service's ``ValidationError`` (on unless ``moto_compatible``).
            Turn off to send odd input through.
        retries: Answer errors at botocore's HTTP layer (``before-send``)
            instead of before the call, so the client's own retry handler sees
            every response and retries as configured (a success, which
            botocore never retries, is answered before the call and reported
            to the retry handler). Off by default.
        sleep_between_retries: With ``retries=True``, sleep for the backoff
            botocore chooses. By default the backoff is only recorded
            (``Call.backoff``), so retried tests stay fast.
        session_ttl_seconds: How long a stateful session opened with
            ``SessionId="NEW_SESSION"`` lasts.
        cassette: Replay (or record) the calls in this cassette: a
            :class:`Cassette`, or a path to replay only. Its recordings are
            queued at once; what it records is written when the stub is
            deactivated. See :doc:`cassettes`.

    The options are :class:`~sagemaker_stub._options.StubOptions`, which
    :func:`mock`, :func:`start_stub` and the pytest marker take too.

    .. versionadded:: 0.1.0
    """

    #: The stubbed client, with the type it was given (a boto3-stubs
    #: ``SageMakerRuntimeClient`` keeps its methods' signatures).
    client: ClientT  # type: ignore[assignment]

    def __init__(self, client: ClientT, **options: Unpack[StubOptions]) -> None:
        service_model = check_runtime_client(client)
        self._options = Options.of("SageMakerRuntimeStub", options)
        untyped: Any = client  # checked above to be a sagemaker-runtime client
        super().__init__(untyped)
        engine = Engine(service_model, self._options)
        self._tape = tape_for(self._options.cassette, engine)
        self._control = Control(
            engine,
            region=untyped.meta.region_name,
            pending_elsewhere=self._stubber_pending,
        )
        self._responding = Responding(engine)
        self._s3 = S3Attachments(engine.outputs, self._tape)
        self._door = door_for(untyped, engine, stubber=self, tape=self._tape)
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
    write_outputs_to = forward(S3Attachments.write_outputs_to, "_s3")

    def reset(self) -> None:
        """Forget everything the test set up or the calls left behind.

        Queued results and ``Stubber`` expectations, remembered answers, the
        call history, fault policies, responders, declared endpoints and
        sessions, stored objects and the buckets and output paths the stub
        owned are cleared.
        The stub stays active, and attached S3 clients stay attached.

        .. versionadded:: 0.1.0
        """
        self._control.reset()
        stubber_forget(self)

    # -- lifecycle ------------------------------------------------------------------

    active = forward_property(Lifecycle.active, "_lifecycle")
    __aexit__ = forward(Lifecycle.__aexit__, "_lifecycle")

    # Stubber defines activate, deactivate, __enter__ and __exit__: the stub
    # overrides them as methods, so that type checkers see its own.

    def deactivate(self, *, report_unused: bool = True) -> None:
        """Stop answering calls and restore the client's event handlers.

        Warns with :class:`UnusedResultsWarning` when queued results were never
        used, unless ``report_unused=False`` (a quiet stop, for fixtures that
        report them their own way). Calling it when inactive does nothing.
        """
        self._lifecycle.deactivate(report_unused=report_unused)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._lifecycle.__exit__(exc_type, exc_value, traceback)

    def activate(self) -> None:
        """Start answering the client's calls.

        Under :func:`sagemaker_stub.mock`, the stub answers its client in the
        mock's place until it is deactivated.

        Raises:
            StubActivationError: This stub, or another one, is already active
                on the client.
        """
        with clients.LOCK:
            if self._lifecycle.active:
                msg = (
                    "This SageMakerRuntimeStub is already active; activate() "
                    "it once (a with block activates it for you)."
                )
                raise StubActivationError(msg)
            other = clients.bound_stub(self.client)
            if other is not None and other.active:
                where = other._lifecycle.activated_at
                msg = (
                    "Another SageMakerRuntimeStub is already active on this "
                    f"client (activated at {where}). Queue results on that "
                    "stub, or deactivate() it before activating this one."
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
            clients.bind(self.client, self)
            self._door.open()
            self._lifecycle.started()

    def __enter__(self) -> Self:
        self.activate()
        return self

    async def __aenter__(self) -> Self:
        """``async with`` activates it, as ``with`` does."""
        return self.__enter__()

    def _close(self) -> None:
        self._door.close()
        clients.unbind(self.client)

    def _finish(self) -> None:
        self._s3.detach_s3()
        if self._tape is not None:  # what the cassette recorded is written now
            self._tape.save()

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
