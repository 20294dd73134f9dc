"""The door that answers a botocore client's calls in ``before-call``.

:class:`CallDoor` answers in ``before-call``: botocore never builds an HTTP
request, and the engine's answer goes through botocore's own parser. It hands
a call to the stub's ``Stubber`` side while a ``Stubber`` expectation is
queued. With ``retries=True`` a :class:`~.send.SendDoor` answers one step
later instead, inside botocore's retry loop.

A door built without a ``Stubber`` is a mock's (``mock()``): it answers a
client nothing else answers, after any ``Stubber`` on it, and refuses the
operations the engine does not answer.

Its handlers are named after the events they handle.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable
from typing import Any

from botocore.exceptions import ReadTimeoutError
from botocore.model import OperationModel
from botocore.stub import Stubber

from sagemaker_stub._cassettes.recording import record_sync
from sagemaker_stub._cassettes.tape import Tape
from sagemaker_stub._engine.book import Source
from sagemaker_stub._engine.engine import Engine
from sagemaker_stub._engine.request import Answer, Request
from sagemaker_stub._errors import (
    CassetteError,
    SageMakerStubError,
    StubActivationError,
)

from .botocore import (
    Handler,
    Hook,
    RequestDict,
    as_on_the_wire,
    door_handlers,
    lacks_credentials,
    register,
    request_body,
    request_parts,
    stubber_active,
    stubber_check_params,
    stubber_queue,
    stubber_response,
)
from .render import Renderer
from .watches import params_in_flight

__all__ = ["Answered", "CallDoor"]

#: What a door's ``before-call`` handler returns: an answer, an awaitable one
#: (async clients), or None to let the client send the request.
Answered = Hook | Awaitable[Hook] | None


#: Why a client-bound stub refuses a call once a plain ``Stubber`` was
#: activated on its client after it (the other order is refused at activation).
SHADOWED = (
    "A botocore Stubber was activated on this client while a "
    "SageMakerRuntimeStub is active on it, and would never answer: the stub "
    "answers first. Use the stub's own add_response() and add_client_error() "
    "(it is a Stubber), or deactivate the stub before activating the Stubber."
)


def no_credentials(cassette: str, operation: str) -> str:
    """Why a recording stub cannot send a call, and what to set."""
    return (
        f"Cassette {cassette!r} records this {operation} call by sending it to "
        "SageMaker, and botocore found no AWS credentials to sign it with. For "
        "the recording run, set AWS_PROFILE (or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY) and a region; or replay what is recorded "
        "instead (record_mode='none', --sagemaker-record-mode=none)."
    )


class CallDoor:
    """Answers a client's calls in ``before-call``, from the engine.

    Args:
        client: The client to answer. The door keeps only a weak reference
            to it, for the call history.
        engine: What answers.
        stubber: The client-bound stub, whose ``Stubber`` expectations are
            served first; None for a mock's door.
        tape: The cassette that records, if one does: a call it has no
            recording for is sent to the endpoint and its outcome recorded.
    """

    def __init__(
        self,
        client: Any,
        engine: Engine,
        *,
        stubber: Stubber | None = None,
        tape: Tape | None = None,
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
        #: Where a call for the ``Stubber`` side is marked as such.
        self._stubbed_key = f"{unique}-stubbed"
        #: Where a call sent to the endpoint waits for its outcome.
        self._sent_key = f"{unique}-sent"
        handlers = door_handlers(
            stubber, unique, self.before_parameter_build, self.before_call
        )
        #: The cassette while it records (fixed when the door is made).
        self._recording = tape if tape is not None and tape.records else None
        if self._recording is not None:
            section = handlers[1].section
            handlers = (
                *handlers,
                Handler(
                    "after-call.*.*", self.after_call, f"{unique}-recorded", section
                ),
                Handler(
                    "after-call-error.*.*",
                    self.after_call_error,
                    f"{unique}-failed",
                    section,
                ),
            )
        self._handlers = handlers

    def open(self) -> None:
        """Register the door on the client."""
        events = self._meta.events
        for handler in self._handlers:
            register(events, handler)

    def close(self) -> None:
        """Unregister exactly what :meth:`open` registered."""
        events = self._meta.events
        for handler in self._handlers:
            events.unregister(
                handler.event, handler.function, unique_id=handler.unique_id
            )

    # -- botocore handlers ------------------------------------------------------

    def before_parameter_build(
        self,
        model: OperationModel,
        params: dict[str, Any],
        context: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        """Keep the caller's parameters for the answer, and whether it is
        the ``Stubber``'s (an expectation is queued, or the engine does not
        answer the operation)."""
        if self._stubber is not None and stubber_active(self._client()):
            raise StubActivationError(SHADOWED)
        if self._expectations or model.name not in self._operations:
            if self._stubber is not None:
                stubber_check_params(self._stubber, model, params, context, **kwargs)
            context[self._stubbed_key] = True
        context[self._key] = params

    def before_call(
        self,
        model: OperationModel,
        params: RequestDict,
        context: dict[str, Any],
        **kwargs: Any,
    ) -> Answered:
        """The engine's answer, parsed by botocore."""
        api_params = context.pop(self._key, None)
        stubbed = context.pop(self._stubbed_key, False)
        if api_params is None:
            # The door opened while this call was under way: its parameters
            # are those the client was called with.
            api_params = params_in_flight(self._client(), model.name)
            stubbed = bool(self._expectations) or model.name not in self._operations
        if api_params is None or stubbed:
            return self._stubbed(model, params, context, api_params, **kwargs)
        url, headers, body = request_parts(params)
        operation = self._operations[model.name]
        api_params, headers = as_on_the_wire(
            operation.input_header, api_params, headers
        )
        request = Request(
            operation,
            api_params,
            headers,
            body,
            url,
            self._region,
            self._meta.config.read_timeout,
            client=self._client,
        )
        tape = self._recording
        if tape is not None:
            self._engine.identify(request)
            if tape.sends(request):
                if lacks_credentials(self._client()):
                    self._engine.calls.log(request, None, Source.RECORDED)
                    raise CassetteError(no_credentials(tape.name, model.name))
                context[self._sent_key] = request
                return self._send()
        return self._answer(model, request, params)

    def after_call(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: OperationModel,
        context: dict[str, Any],
        **kwargs: Any,
    ) -> Any:
        """Record what the endpoint answered a sent call."""
        sent: Request | None = context.pop(self._sent_key, None)
        if sent is None:  # a call the door answered
            return None
        assert self._recording is not None  # the handler is registered only then
        return record_sync(self._recording, sent, http_response, parsed)

    def after_call_error(
        self, context: dict[str, Any], exception: Exception, **kwargs: Any
    ) -> None:
        """A sent call failed before any answer: it is in the history, unanswered."""
        sent: Request | None = context.pop(self._sent_key, None)
        if sent is not None:  # pragma: no branch - only a call sent can fail here
            self._engine.calls.log(sent, None, Source.RECORDED)

    # -- answering --------------------------------------------------------------

    def _send(self) -> Answered:
        """Let the client send a call to the endpoint, to be recorded."""
        return None

    def _answer(
        self, model: OperationModel, request: Request, request_dict: RequestDict
    ) -> Answered:
        """The engine's answer to the call, parsed by botocore."""
        answer = self._engine.answer(request)
        if answer.delay or answer.timed_out:
            self._wait(answer, request)
        return self._renderer.render(model, request.url, answer)

    def _stubbed(
        self,
        model: OperationModel,
        params: RequestDict,
        context: dict[str, Any],
        api_params: dict[str, Any] | None,
        **kwargs: Any,
    ) -> Hook:
        """A call for the Stubber side: its expectation, logged as such."""
        if self._stubber is None:
            raise SageMakerStubError(self._refusal(model.name))
        response = stubber_response(self._stubber, model, params, context, **kwargs)
        self._engine.calls.log_elsewhere(
            model.name,
            api_params or {},
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
