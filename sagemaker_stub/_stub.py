"""SageMakerRuntimeStub: botocore's Stubber with moto's queue-aware results.

The stub is a facade: construction and lifecycle are here, the control
surface (queues, endpoints, faults, outputs, history) is
:class:`~sagemaker_stub._control.StubControl`, the semantics are the engine's
(``_engine``), and the client is reached through a door (``_doors``).
"""

from __future__ import annotations

import os
from typing import Any, Generic

from botocore.stub import Stubber
from typing_extensions import TypeVar

from ._cassettes.interactions import Cassette, cassette_of
from ._checks import check_runtime_client
from ._control import StubControl, origin
from ._doors import clients as _clients
from ._doors.botocore import stubber_active, stubber_forget, stubber_queue
from ._doors.call import door_for
from ._engine.book import PendingResult
from ._engine.engine import Engine
from ._engine.request import Operation
from ._errors import StubActivationError
from ._lifecycle import Lifecycle
from ._options import DEFAULT_ACCOUNT_ID, DEFAULT_SESSION_TTL_SECONDS, Options

__all__ = ["SageMakerRuntimeStub"]

#: The type of the stubbed client; ``Any`` for an untyped boto3 client.
ClientT = TypeVar("ClientT", default=Any)


class SageMakerRuntimeStub(StubControl, Lifecycle, Stubber, Generic[ClientT]):
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
        cassette: Replay (or record) the calls in this cassette: a
            :class:`Cassette`, or a path to replay only. Its recordings are
            queued at once; what it records is written when the stub is
            deactivated. See :doc:`cassettes`.

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
        cassette: str | os.PathLike[str] | Cassette | None = None,
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
            cassette=cassette_of(cassette, "SageMakerRuntimeStub"),
        )
        untyped: Any = client  # checked above to be a sagemaker-runtime client
        super().__init__(untyped)
        engine = Engine(service_model, self._options)
        self._bind(engine, untyped.meta.region_name, self._stubber_pending)
        self._door = door_for(untyped, engine, stubber=self)

    @property
    def _operations(self) -> dict[str, Operation]:
        """The operations the stub answers (the rest go to ``Stubber``)."""
        return self._engine.operations

    # -- lifecycle ------------------------------------------------------------------

    def activate(self) -> None:
        """Start answering the client's calls.

        Under :func:`sagemaker_stub.mock`, the stub answers its client in the
        mock's place until it is deactivated.

        Raises:
            StubActivationError: This stub, or another one, is already active
                on the client.
        """
        with _clients.LOCK:
            if self._active:
                msg = (
                    "This SageMakerRuntimeStub is already active; activate() "
                    "it once (a with block activates it for you)."
                )
                raise StubActivationError(msg)
            other = _clients.bound_stub(self.client)
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
            _clients.bind(self.client, self)
            self._door.open()
            self._active = True
            self._activated_at = origin()

    def _close(self) -> None:
        self._door.close()
        _clients.unbind(self.client)

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
