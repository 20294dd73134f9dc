"""Doors that adapt one botocore client to the engine.

:class:`CallDoor` answers in ``before-call``: botocore never builds an HTTP
request, and the engine's answer goes through botocore's own parser.
:class:`SendDoor` (``retries=True``) answers in ``before-send`` instead, one
attempt at a time, so botocore's endpoint parses each answer and its retry
handler sees it. Both hand a call to the stub's ``Stubber`` side while a
``Stubber`` expectation is queued.

A door built without a ``Stubber`` is a mock's (``mock()``): it answers a
client nothing else answers, after any ``Stubber`` on it, and refuses the
operations the engine does not answer.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import Any

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ReadTimeoutError
from botocore.model import OperationModel
from botocore.stub import Stubber

from .._cassettes.recording import record_sync
from .._engine.book import Source
from .._engine.engine import Engine, identity
from .._engine.request import Answer, Request
from .._errors import SageMakerStubError
from .botocore import (
    Hook,
    RequestDict,
    door_handlers,
    is_aio_client,
    register,
    registered_handler,
    request_body,
    request_parts,
    retry_handler_id,
    stubber_check_params,
    stubber_queue,
    stubber_response,
    unsigned,
)
from .render import Renderer

__all__ = ["CallDoor", "SendDoor", "door_for"]

#: What a door's ``before-call`` handler returns: an answer, an awaitable one
#: (async clients), or None to let the client send the request.
Answered = Hook | Awaitable[Hook] | None


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


class CallDoor:
    """Answers a client's calls in ``before-call``, from the engine.

    Args:
        client: The client to answer. The door keeps only a weak reference
            to it, for the call history.
        engine: What answers.
        stubber: The client-bound stub, whose ``Stubber`` expectations are
            served first; None for a mock's door.
    """

    def __init__(
        self, client: Any, engine: Engine, *, stubber: Stubber | None = None
    ) -> None:
        self._stubber = stubber
        self._engine = engine
        self._operations = engine.operations
        self._expectations = () if stubber is None else stubber_queue(stubber)
        self._client = weakref.ref(client)
        self._meta: Any = client.meta
        self._region: str = client.meta.region_name
        self._renderer = Renderer(client.meta.service_model)
        unique = f"sagemaker-stub-{id(self)}"
        #: Where the parameters seen in ``before-parameter-build`` wait for
        #: ``before-call``: a key of this door's, as two doors may see a call.
        self._key = unique
        #: Where a call sent to the endpoint waits for its outcome.
        self._sent_key = f"{unique}-sent"
        handlers = door_handlers(stubber, unique, self.capture, self.respond)
        tape = engine.tape
        #: The engine's cassette while it records (fixed with the engine).
        self._recording = tape if tape is not None and tape.records else None
        if self._recording is not None:
            section = handlers[1][3]
            handlers = (
                *handlers,
                ("after-call.*.*", self.recorded, f"{unique}-recorded", section),
                ("after-call-error.*.*", self.not_sent, f"{unique}-failed", section),
            )
        self._handlers = handlers

    def open(self) -> None:
        """Register the door on the client."""
        events = self._meta.events
        for event, handler, unique_id, section in self._handlers:
            register(events, event, handler, unique_id, section)

    def close(self) -> None:
        """Unregister exactly what :meth:`open` registered."""
        events = self._meta.events
        for event, handler, unique_id, _ in self._handlers:
            events.unregister(event, handler, unique_id=unique_id)

    # -- botocore handlers ------------------------------------------------------

    def capture(
        self,
        model: OperationModel,
        params: dict[str, Any],
        context: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        """``before-parameter-build``: keep the caller's parameters for the answer."""
        stubbed = bool(self._expectations) or model.name not in self._operations
        if stubbed and self._stubber is not None:
            stubber_check_params(self._stubber, model, params, context, **kwargs)
        context[self._key] = (params, stubbed)

    def respond(
        self,
        model: OperationModel,
        params: RequestDict,
        context: dict[str, Any],
        **kwargs: Any,
    ) -> Answered:
        """``before-call``: the engine's answer, parsed by botocore."""
        captured = context.pop(self._key, None)
        if captured is None or captured[1]:
            return self._stubbed(model, params, context, captured, **kwargs)
        request = self._request(model, captured[0], params)
        tape = self._recording
        if tape is not None:
            digest, key = identity(request)
            if tape.sends(request, key):
                context[self._sent_key] = (request, digest, key)
                return self._send()
        return self._handle(model, request)

    def _send(self) -> Answered:
        """Let the client send a call to the endpoint, to be recorded."""
        return None

    def recorded(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: OperationModel,
        context: dict[str, Any],
        **kwargs: Any,
    ) -> Any:
        """``after-call``: record what the endpoint answered a sent call."""
        sent = context.pop(self._sent_key, None)
        if sent is None:  # a call the door answered
            return None
        assert self._recording is not None  # the handler is registered only then
        return record_sync(self._recording, sent, http_response, parsed)

    def not_sent(
        self, context: dict[str, Any], exception: Exception, **kwargs: Any
    ) -> None:
        """``after-call-error``: a sent call failed before any answer."""
        sent = context.pop(self._sent_key, None)
        if sent is not None:  # pragma: no branch - only a call sent can fail here
            request, digest, _ = sent
            self._engine.calls.record(request, digest, None, Source.RECORDED)

    def _handle(self, model: OperationModel, request: Request) -> Answered:
        """The engine's answer to the call, parsed by botocore."""
        answer = self._engine.answer(request)
        self._wait(answer, request)
        return self._renderer.render(model, request.url, answer)

    # -- helpers ----------------------------------------------------------------

    def _request(
        self, model: OperationModel, api_params: dict[str, Any], params: RequestDict
    ) -> Request:
        url, headers, body = request_parts(params)
        return Request(
            self._operations[model.name],
            api_params,
            headers,
            body,
            url=url,
            region=self._region,
            read_timeout=self._meta.config.read_timeout,
            client=self._client,
        )

    def _stubbed(
        self,
        model: OperationModel,
        params: RequestDict,
        context: dict[str, Any],
        captured: tuple[dict[str, Any], bool] | None,
        **kwargs: Any,
    ) -> Hook:
        """A call for the Stubber side: its expectation, recorded as such."""
        if self._stubber is None:
            raise SageMakerStubError(self._refusal(model.name))
        response = stubber_response(self._stubber, model, params, context, **kwargs)
        api_params = captured[0] if captured else {}
        self._engine.calls.record_elsewhere(
            model.name,
            api_params,
            request_body(params),
            Source.STUBBER,
            region=self._region,
            client=self._client,
        )
        return response

    def _refusal(self, operation: str) -> str:
        """Why a mock's door refuses a call rather than let it reach AWS."""
        answered = ", ".join(sorted(self._operations))
        return (
            f"sagemaker_stub.mock() answers {answered}; {operation} is not "
            "stubbed, and a mocked client never reaches AWS. Activate a botocore "
            "Stubber on this client to answer it."
        )

    @staticmethod
    def _wait(answer: Answer, request: Request) -> None:
        """Sleep for the answer's latency; time out as the client would."""
        if answer.delay:
            time.sleep(answer.delay)
        if answer.timed_out:
            raise ReadTimeoutError(endpoint_url=request.url)


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
        sleep_between_retries: bool,
    ) -> None:
        super().__init__(client, engine, stubber=stubber)
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
        events.register(f"before-send.{name}", self.send)
        events.register(f"choose-signer.{name}", self.signer)

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

    def close(self) -> None:
        super().close()
        events, name = self._events, self._name
        events.unregister(f"before-send.{name}", self.send)
        events.unregister(f"choose-signer.{name}", self.signer)
        with self._wrap_lock:
            handler, self._retry_handler = self._retry_handler, None
            self._wrapped = False
        if handler is not None:
            unique_id = retry_handler_id(name)
            events.unregister(f"needs-retry.{name}", unique_id=unique_id)
            events.register(f"needs-retry.{name}", handler, unique_id=unique_id)

    def signer(self, **kwargs: Any) -> object:
        """``choose-signer``: no signature for a call this door answers.

        A call sent to the endpoint (recording a cassette) is signed as the
        client signs.
        """
        call = _CALL.get()
        return unsigned() if call is not None and call.door is self else None

    def _send(self) -> Answered:
        _CALL.set(None)
        return None

    def _handle(self, model: OperationModel, request: Request) -> Answered:
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
        first = call.request
        return Request(
            first.operation,
            first.params,
            first.headers,
            first.body,
            url=first.url,
            region=first.region,
            read_timeout=first.read_timeout,
            attempt=call.count,
            backoff=backoff,
            client=first.client,
        )

    def send(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        """``before-send``: answer one attempt of the call in progress."""
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


def door_for(
    client: Any, engine: Engine, *, stubber: Stubber | None = None
) -> CallDoor:
    """The door for ``client``: sync or async, before-call or before-send.

    ``stubber`` is the client-bound stub; a mock's doors have none.
    """
    options = engine.options
    sleep = options.sleep_between_retries
    if is_aio_client(client):
        from .aio import AioCallDoor, AioSendDoor  # noqa: PLC0415 - aiobotocore only

        if options.retries:
            return AioSendDoor(
                client, engine, stubber=stubber, sleep_between_retries=sleep
            )
        return AioCallDoor(client, engine, stubber=stubber)
    if options.retries:
        return SendDoor(client, engine, stubber=stubber, sleep_between_retries=sleep)
    return CallDoor(client, engine, stubber=stubber)
