"""The engine: one request in, one HTTP-level answer and one logged Call out.

The engine knows the service (botocore's service model: identity headers,
validation rules, error shapes, header names) and the stub's state (queues,
registry, sessions, faults, async outputs, call history). It knows nothing of
clients, event emitters or hooks: a door turns its caller's request into a
:class:`~.request.Request` and the engine's :class:`~.request.Answer` into
what its caller expects, so every door shares one set of semantics.

The stages, in order, for every call: validation, the registry, sessions,
faults, the result book (remembered, queued, fallback or default), the answer
on the wire, and one :class:`~.calls.Call` logged. The result book's lock is
held only while a result is taken; an async output is written to a sink after
it is released.
"""

from __future__ import annotations

from typing import Any, Protocol

from botocore.model import ServiceModel

from sagemaker_stub._options import Options
from sagemaker_stub._results import (
    SERVING_VARIANT,
    ErrorResult,
    InvokeResult,
    StreamResult,
)

from .answers import (
    InvokeHeaders,
    async_answer,
    error_answer,
    stream_answer,
)
from .book import ResultBook, Source
from .calls import CallLog
from .checks import Arguments
from .choosing import Chooser
from .eventstream import StreamProgress
from .faults import FaultSet
from .identity import Identity, identify
from .outputs import AsyncOutputs, Placed
from .registry import NEW_SESSION, Registry
from .request import Answer, Request, operations_of
from .responders import Responders

__all__ = ["Engine", "Replay"]


class Replay(Protocol):
    """Recordings the engine's book replays (a cassette, in ``_cassettes``)."""

    #: How messages name it: the cassette's path.
    name: str

    def queue(self) -> None:
        """Queue the recordings in the engine's book (again, after a reset)."""

    def match(self, request: Request) -> Identity:
        """The identity ``request`` is answered by, kept on it: its own, or
        that of the recording a custom matcher chose for it."""

    def differences(self, request: Request) -> list[str]:
        """Lines saying how the recordings nearest ``request`` differ from it."""


class Engine:
    """Answers requests for one service model, from the stub's state."""

    def __init__(self, service_model: ServiceModel, options: Options) -> None:
        self.options = options
        self.operations = operations_of(service_model)
        self.service_error_codes = frozenset(
            shape.name for shape in service_model.error_shapes
        )
        #: The HTTP status of each modeled error that has one (not the
        #: mid-stream errors, which travel inside a stream).
        self.error_statuses: dict[str, int] = {
            shape.name: shape.metadata["error"]["httpStatusCode"]
            for shape in service_model.error_shapes
            if "httpStatusCode" in shape.metadata.get("error", {})
        }
        self.book: ResultBook[Any] = ResultBook()
        self.registry = Registry()
        self.faults = FaultSet()
        self.responders = Responders()
        self.arguments = Arguments(self.operations, self.service_error_codes)
        self.outputs = AsyncOutputs()
        self.calls = CallLog(keep_bodies=options.keep_bodies)
        self.chooser = Chooser(self)
        self._validate = options.validate
        #: The cassette whose recordings are queued, if any: static defaults
        #: never answer its calls.
        self.replay: Replay | None = None
        self._headers = InvokeHeaders()

    def reset(self) -> None:
        """Back to as built: no results, memory, calls, faults or endpoints.

        A cassette's recordings are queued again.
        """
        self.book.clear()
        self.registry.clear()
        self.faults.clear()
        self.responders.clear()
        self.outputs.clear()
        self.calls.clear()
        if self.replay is not None:
            self.replay.queue()

    def identify(self, request: Request) -> Identity:
        """The identity ``request`` is answered by, kept on it (a cassette's
        matching may choose another than :func:`~.identity.identify`'s)."""
        identity = identify(request)
        return identity if self.replay is None else self.replay.match(request)

    def answer(self, request: Request) -> Answer:
        """Check a request, choose its result, log the call and answer it.

        Raises:
            NoResultError: Nothing is queued and defaults are off.
            SageMakerStubError: A queued result cannot answer this request.
        """
        identity = request.identity or self.identify(request)
        params = request.params
        if self._validate:
            problem = request.operation.validator.problem(params, request.body)
            if problem is not None:
                return self._rejected(request, problem)
        if self.registry.declared or "SessionId" in params:
            refusal = self._refusal(request)
            if refusal is not None:
                return self._rejected(request, refusal)
        if not self.faults.installed:
            return self._choose(request, identity, 0.0)
        hit = self.faults.decide(
            request.operation.name, request.params.get("EndpointName")
        )
        if hit is None:
            return self._choose(request, identity, 0.0)
        delay, timeout = hit.delay, request.read_timeout
        if hit.slowest is not None and timeout is not None and delay >= timeout:
            latency = float(timeout)
            self.calls.log(
                request, None, Source.FAULT, fault=hit.slowest, latency=latency
            )
            return Answer(0, {}, b"", delay=latency, timed_out=True)
        if hit.error is not None:
            error = hit.error.error
            self.calls.log(request, error, Source.FAULT, fault=hit.error, latency=delay)
            answer = self._error(request, error)
        else:
            answer = self._choose(request, identity, delay)
        answer.delay = delay
        return answer

    def reject(self, request: Request, message: str) -> Answer:
        """Refuse a request the door could not read, as the service refuses it.

        The call is logged (``Source.REJECTED``) with a ``ValidationError``.
        """
        identify(request)
        return self._rejected(request, message)

    def _rejected(self, request: Request, message: str) -> Answer:
        rejected = ErrorResult.validation_error(message)
        self.calls.log(request, rejected, Source.REJECTED)
        return self._error(request, rejected)

    # -- choosing -----------------------------------------------------------------

    def _refusal(self, request: Request) -> str | None:
        """What the service says to a request naming what the registry lacks:
        an endpoint, variant, component or model not declared, a session it
        cannot use."""
        name = request.operation.name
        params = request.params
        registry = self.registry
        if registry.declared:
            problem = registry.refusal(name, params, self.options.account_id)
            if problem is not None:
                return problem
        if "SessionId" in params:
            return registry.session_refusal(name, params)
        return None

    def _choose(self, request: Request, identity: Identity, latency: float) -> Answer:
        """Take the request's result, and answer with it."""
        given, source, inference_id = self.chooser.choose(request, identity)
        if type(given) is InvokeResult:
            return self._invoke(request, given, source, latency)
        if isinstance(given, ErrorResult):
            self.calls.log(request, given, source, latency=latency)
            return self._error(request, given)
        if isinstance(given, Placed):
            assert inference_id is not None
            if source is not Source.REMEMBERED and self.outputs.sink is not None:
                self.chooser.write_out(request, identity, given)
            return self._async(request, given, source, inference_id, latency)
        assert isinstance(given, StreamResult)
        progress = StreamProgress(parts_total=len(given.parts))
        self.calls.log(request, given, source, latency=latency, stream=progress)
        variant = self.variant(request, given)
        return stream_answer(request, given, variant, progress)

    def variant(
        self, request: Request, result: InvokeResult | StreamResult
    ) -> str | None:
        """The InvokedProductionVariant a result answers with."""
        variant = result.invoked_production_variant
        if variant is SERVING_VARIANT:
            return self.registry.serving_variant(request.params)
        assert not isinstance(variant, type(SERVING_VARIANT))
        return variant

    # -- answering ----------------------------------------------------------------

    def _invoke(
        self, request: Request, given: InvokeResult, source: Source, latency: float
    ) -> Answer:
        params = request.params
        variant = given.invoked_production_variant
        if variant is SERVING_VARIANT:
            variant = self.registry.serving_variant(params)
        headers = self._headers.of(
            request.operation, variant, given.custom_attributes, given.content_type
        )
        session_id: str | None = params.get("SessionId")
        if session_id is not None or given.close_session:
            headers = dict(headers)
            session_id = self._session_headers(request, given, session_id, headers)
        self.calls.log(request, given, source, latency=latency, session_id=session_id)
        return Answer(200, headers, given.body)

    def _session_headers(
        self,
        request: Request,
        given: InvokeResult,
        session_id: str | None,
        headers: dict[str, str],
    ) -> str | None:
        """Open or close the call's session; its headers; the session's id."""
        header = request.operation.header
        if session_id == NEW_SESSION:
            session = self.registry.open_session(
                request.params, self.options.session_ttl_seconds
            )
            session_id = session.session_id
            headers[header["NewSessionId"]] = session.header
        if given.close_session:
            assert session_id is not None  # checked when the result was taken
            self.registry.close_session(session_id)
            headers[header["ClosedSessionId"]] = session_id
        return session_id

    def _async(
        self,
        request: Request,
        placed: Placed,
        source: Source,
        inference_id: str,
        latency: float,
    ) -> Answer:
        self.calls.log(
            request,
            placed.result,
            source,
            latency=latency,
            placed=placed,
            inference_id=inference_id,
            input_object=self.outputs.input_object(request.params.get("InputLocation")),
        )
        return async_answer(
            request, inference_id, placed.output_location, placed.failure_location
        )

    def _error(self, request: Request, error: ErrorResult) -> Answer:
        return error_answer(request, error, self.options.account_id)
