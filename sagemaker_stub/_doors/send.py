"""The door that answers inside botocore's retry loop (``retries=True``).

:class:`SendDoor` asks the engine for the first attempt in ``before-call``.
A success, which none of botocore's retry modes retries, is answered there,
as the default door answers, and the client's retry handler is told of it
(``needs-retry``), as botocore's endpoint would tell it, so its retry quota
and rate limiter count it. Any other answer (an error, a read timeout) is
kept for ``before-send``: botocore's endpoint then parses it and the client's
own retry handler decides, as it would against the service, and each later
attempt is answered there too.
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
from sagemaker_stub._engine.request import Answer, Request

from .botocore import (
    RequestDict,
    needs_retry_kwargs,
    registered_handler,
    retry_handler_id,
    unsigned,
)
from .call import Answered, CallDoor

__all__ = ["SendDoor"]


class _Attempts:
    """The call in progress through a :class:`SendDoor`, across its attempts."""

    __slots__ = ("backoff", "count", "door", "first", "request")

    def __init__(self, door: SendDoor, request: Request, first: Answer) -> None:
        self.door = door
        #: The first attempt, which the engine answered with ``first``.
        self.request = request
        self.first: Answer | None = first
        self.count = 1
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
        request_of, answer = attempt
        self._wait(answer, request_of)
        response, _ = self._renderer.render(
            request_of.operation.model, request_of.url, answer, parse=False
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

    def _answer(
        self, model: OperationModel, request: Request, request_dict: RequestDict
    ) -> Answered:
        """Answer a first attempt that succeeds; keep any other for botocore."""
        if not self._wrapped:
            self._wrap_retry_handler()
        answer = self._engine.answer(request)
        if answer.status < 300 and not answer.timed_out:
            return self._succeeded(model, request, request_dict, answer)
        _CALL.set(_Attempts(self, request, answer))
        return None

    def _succeeded(
        self,
        model: OperationModel,
        request: Request,
        request_dict: RequestDict,
        answer: Answer,
    ) -> Answered:
        """A first attempt's success, answered now; the retry handler told."""
        if answer.delay:
            self._wait(answer, request)
        response = self._renderer.render(model, request.url, answer)
        self._events.emit(
            f"needs-retry.{self._name}.{model.name}",
            **needs_retry_kwargs(self._client(), model, request_dict, response),
        )
        return response

    def _attempt(self) -> tuple[Request, Answer] | None:
        """The next attempt of the call in progress, and the engine's answer."""
        call = _CALL.get()
        if call is None or call.door is not self:  # pragma: no cover
            return None  # before-call always runs first, on this door
        first = call.first
        if first is not None:  # answered in before-call already
            call.first = None
            return call.request, first
        call.count += 1
        backoff, call.backoff = call.backoff, None
        attempt = call.request.attempted(call.count, backoff)
        return attempt, self._engine.answer(attempt)

    def _backoff(self, delay: Any) -> Any:
        """Keep the backoff the retry handler chose; what to sleep instead.

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
