"""The door that answers inside botocore's retry loop (``retries=True``).

:class:`SendDoor` keeps the request in ``before-call`` and answers each
attempt in ``before-send``, so botocore's endpoint parses every answer and
the client's own retry handler decides, as it would against the service.
"""

from __future__ import annotations

import threading
from contextvars import ContextVar
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.model import OperationModel
from botocore.stub import Stubber

from sagemaker_stub._cassettes.tape import Tape
from sagemaker_stub._engine.engine import Engine
from sagemaker_stub._engine.request import Request

from .botocore import registered_handler, retry_handler_id, unsigned
from .call import Answered, CallDoor

__all__ = ["SendDoor"]


class _Attempts:
    """The call in progress through a :class:`SendDoor`, across its attempts."""

    __slots__ = ("backoff", "count", "door", "request")

    def __init__(self, door: SendDoor, request: Request) -> None:
        self.door = door
        self.request = request
        self.count = 0
        self.backoff: float | None = None


#: The call in progress in this thread, or in this asyncio task: both a
#: thread and a task see only their own value.
_CALL: ContextVar[_Attempts | None] = ContextVar("sagemaker_stub_call", default=None)


class SendDoor(CallDoor):
    """Answers in ``before-send``, inside botocore's retry loop.

    The request is left unsigned (there are no credentials to sign with, and
    nothing is sent). The client's retry handler is wrapped so that the
    backoff it chooses is recorded, and slept only with
    ``sleep_between_retries``.
    """

    def __init__(
        self,
        client: Any,
        engine: Engine,
        *,
        stubber: Stubber | None = None,
        tape: Tape | None = None,
        sleep_between_retries: bool,
    ) -> None:
        super().__init__(client, engine, stubber=stubber, tape=tape)
        self._sleep = sleep_between_retries
        self._events: Any = client.meta.events
        self._name = client.meta.service_model.service_id.hyphenize()
        self._retry_handler: Any = None
        #: Whether the client's retry handler was looked for since open().
        self._wrapped = False
        self._wrap_lock = threading.Lock()

    def open(self) -> None:
        super().open()
        events, name = self._events, self._name
        events.register(f"before-send.{name}", self.before_send)
        events.register(f"choose-signer.{name}", self.choose_signer)

    def close(self) -> None:
        super().close()
        events, name = self._events, self._name
        events.unregister(f"before-send.{name}", self.before_send)
        events.unregister(f"choose-signer.{name}", self.choose_signer)
        with self._wrap_lock:
            handler, self._retry_handler = self._retry_handler, None
            self._wrapped = False
        if handler is not None:
            unique_id = retry_handler_id(name)
            events.unregister(f"needs-retry.{name}", unique_id=unique_id)
            events.register(f"needs-retry.{name}", handler, unique_id=unique_id)

    def _wrap_retry_handler(self) -> None:
        """Put :meth:`needs_retry` in the place of the client's retry handler.

        Done at the first call rather than in :meth:`open`: a mock opens its
        door on a client still being made, before botocore registers the
        client's retry handler.
        """
        with self._wrap_lock:
            if self._wrapped:  # pragma: no cover - another thread's first call won
                return
            self._wrapped = True
            events, name = self._events, self._name
            unique_id = retry_handler_id(name)
            handler = registered_handler(events, unique_id)
            if handler is None:  # pragma: no cover - botocore's internals moved
                return
            self._retry_handler = handler
            events.unregister(f"needs-retry.{name}", unique_id=unique_id)
            events.register(
                f"needs-retry.{name}", self.needs_retry, unique_id=unique_id
            )

    # -- botocore handlers ------------------------------------------------------

    def choose_signer(self, **kwargs: Any) -> object:
        """No signature for a call this door answers.

        A call sent to the endpoint (recording a cassette) is signed as the
        client signs.
        """
        call = _CALL.get()
        return unsigned() if call is not None and call.door is self else None

    def before_send(
        self, request: AWSPreparedRequest, **kwargs: Any
    ) -> AWSResponse | None:
        """Answer one attempt of the call in progress."""
        attempt = self._attempt()
        if attempt is None:  # pragma: no cover - see _attempt
            return None
        answer = self._engine.answer(attempt)
        self._wait(answer, attempt)
        response, _ = self._renderer.render(
            attempt.operation.model, attempt.url, answer, parse=False
        )
        return response

    def needs_retry(self, **kwargs: Any) -> object:
        """botocore's retry decision, with its backoff recorded.

        botocore's endpoint sleeps for what this returns before retrying.
        """
        return self._backoff(self._retry_handler(**kwargs))

    # -- attempts -----------------------------------------------------------------

    def _send(self) -> Answered:
        _CALL.set(None)
        return None

    def _answer(self, model: OperationModel, request: Request) -> Answered:
        """Keep the request for its attempts, and let botocore send it."""
        if not self._wrapped:
            self._wrap_retry_handler()
        _CALL.set(_Attempts(self, request))
        return None

    def _attempt(self) -> Request | None:
        """The next attempt of the call in progress."""
        call = _CALL.get()
        if call is None or call.door is not self:  # pragma: no cover
            return None  # before-call always runs first, on this door
        call.count += 1
        backoff, call.backoff = call.backoff, None
        return call.request.attempted(call.count, backoff)

    def _backoff(self, delay: Any) -> Any:
        """Record the backoff the retry handler chose; what to sleep instead.

        ``delay`` is the handler's answer: seconds to wait before retrying,
        or None (or False) not to retry.
        """
        if delay is None or delay is False:
            return delay
        call = _CALL.get()
        if call is None:  # a call sent to the endpoint: its backoff is slept
            return delay
        call.backoff = delay
        return delay if self._sleep else 0
