"""Choosing a request's result: remembered, queued, computed or the default.

The :class:`Chooser` is the engine's part that goes to the result book: it
takes a remembered or queued result under the book's lock, or, when nothing
is queued, asks the responders (with no lock held) and falls back to the
static default where defaults are allowed. Whatever it gives is remembered
for the request the same way.
"""

from __future__ import annotations

import functools
import uuid
from typing import TYPE_CHECKING

import attrs

from sagemaker_stub._errors import ResponderError, SageMakerStubError
from sagemaker_stub._results import (
    SERVING_VARIANT,
    AsyncResult,
    ErrorResult,
    InvokeResult,
    StreamResult,
)

from .answers import DEFAULTS, as_async, as_stream, missing
from .book import Queued, Source
from .identity import Identity, Kind
from .outputs import Placed
from .responders import Invocation, invocation_of

if TYPE_CHECKING:
    from .engine import Engine
    from .request import Request

__all__ = ["Chooser"]


class _NothingQueued(Exception):
    """Every queue was empty (raised under the book's lock): a responder or
    the static default may answer, once the lock is released."""


class Chooser:
    """Chooses what each request of one engine is given.

    Args:
        engine: The engine whose book, responders, outputs and history it uses.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def choose(
        self, request: Request, identity: Identity
    ) -> tuple[object, Source, str | None]:
        """What the request is given, how it was chosen, and an async call's
        ``InferenceId`` (echoed, or a fresh one per call).

        Raises:
            NoResultError: Nothing answers it and defaults are off.
            SageMakerStubError: The result taken could not answer it.
            ResponderError: A responder failed.
        """
        inference_id = None
        if identity.kind is Kind.ASYNC:
            inference_id = request.params.get("InferenceId") or str(uuid.uuid4())
        engine = self._engine
        build = functools.partial(self._build, request, inference_id)
        given: object = None
        try:
            # A retry follows an error: it is answered afresh, as the service
            # runs a retried request again, and its answer is remembered.
            given, source = engine.book.take(
                identity,
                request.region,
                build,
                fresh=request.attempt > 1,
                keep=_remembered,
            )
        except SageMakerStubError:
            # The result taken could not answer; the book has put it back.
            engine.calls.log(request, None, Source.UNANSWERED)
            raise
        except _NothingQueued:
            pass
        if given is None:  # computed outside the handler: no chained error
            given, source = self._computed(request, identity, inference_id)
        return given, source, inference_id

    def _missing(
        self, request: Request, passed: list[str] | None = None
    ) -> SageMakerStubError:
        """The error for a call that found nothing queued, with defaults off.

        ``passed`` names the responders that passed the call on.
        """
        operation = request.operation
        endpoint = request.params["EndpointName"]
        endpoints = [
            name
            for queue_kind in (operation.kind, Kind.SYNC)
            for name in self._engine.book.endpoints_with_results(queue_kind)
        ]
        before = self._engine.calls.last_result(
            operation.name, endpoint, request.digest
        )
        error = before if isinstance(before, ErrorResult) else None
        self._engine.calls.log(request, None, Source.UNANSWERED)
        replay = self._engine.replay
        if replay is None:
            return missing(request, endpoints, error, passed=passed)
        return missing(
            request,
            endpoints,
            error,
            passed=passed,
            cassette=replay.name,
            differences=replay.differences(request),
        )

    def _computed(
        self, request: Request, identity: Identity, inference_id: str | None
    ) -> tuple[object, Source]:
        """What a request that found nothing queued is given: a responder's
        result, else the static default (where defaults are allowed).

        Responders run with no lock held; the value is then remembered, as
        a queued one is, unless the responder opted out.
        """
        result: object
        kind = request.operation.kind
        endpoint = request.params["EndpointName"]
        covering = self._engine.responders.covering(kind, endpoint)
        response = None
        if covering:
            try:
                response = self._engine.responders.respond(
                    covering,
                    kind,
                    f"{request.operation.name} on endpoint {endpoint!r}",
                    functools.partial(self._invocation, request),
                )
                if response is not None:
                    self._check_response(request, response.result)
            except ResponderError:
                self._engine.calls.log(request, None, Source.UNANSWERED)
                raise
        if response is not None:
            result, source = response.result, Source.RESPONDED
            keep = response.remember
        elif self._engine.options.allow_defaults and self._engine.replay is None:
            result, source, keep = self._default(request), Source.DEFAULT, True
        else:
            raise self._missing(request, [installed.name for installed in covering])
        build = functools.partial(self._given, request, inference_id, result, None)
        try:
            return self._engine.book.settle(
                identity,
                request.region,
                build,
                fresh=request.attempt > 1,
                keep=lambda given: keep and _remembered(given),
                source=source,
            )
        except SageMakerStubError:
            self._engine.calls.log(request, None, Source.UNANSWERED)
            raise

    def _invocation(self, request: Request, number: int) -> Invocation:
        """The request as a responder sees it (an async call's input object
        as its body)."""
        body = request.body
        if request.operation.kind is Kind.ASYNC:
            stored = self._engine.outputs.input_object(
                request.params.get("InputLocation")
            )
            body = b"" if stored is None else stored.data
        return invocation_of(request, body, number)

    def _check_response(self, request: Request, result: object) -> None:
        """Refuse a responder's result the service could not send."""
        operation = request.operation
        if not isinstance(result, ErrorResult):
            operation = self._engine.operations[_OPERATION_OF[type(result)].value]
        try:
            self._engine.arguments.answer("add_responder", operation, result)
        except ValueError as exc:
            raise ResponderError(str(exc)) from None

    def _default(self, request: Request) -> object:
        """The static default for a request (moto's placeholders)."""
        result: object = DEFAULTS[request.operation.kind]
        if self._engine.registry.declared and isinstance(
            result, (InvokeResult, StreamResult)
        ):
            # moto's placeholder is no variant of a declared endpoint
            result = attrs.evolve(result, invoked_production_variant=SERVING_VARIANT)
        return result

    def _build(
        self,
        request: Request,
        inference_id: str | None,
        queued: Queued | None,
        source: Source,
    ) -> object:
        """What a request is given, from the result taken (under the book's lock).

        Raises:
            _NothingQueued: Every queue was empty.
        """
        if queued is None:
            raise _NothingQueued
        return self._given(request, inference_id, queued.pending.result, queued)

    def _given(
        self,
        request: Request,
        inference_id: str | None,
        result: object,
        queued: Queued | None,
    ) -> object:
        """What a request is given for ``result`` (under the book's lock): an
        async result placed in S3, an InvokeResult as a stream's one part."""
        kind = request.operation.kind
        if isinstance(result, ErrorResult):
            return result
        if inference_id is not None:
            if isinstance(result, InvokeResult):
                result = as_async(result, self._engine.variant(request, result))
            assert isinstance(result, AsyncResult)
            return self._engine.outputs.place(
                request.params, result, inference_id, queued
            )
        if kind is Kind.STREAM and isinstance(result, InvokeResult):
            return as_stream(result)
        if isinstance(result, InvokeResult) and result.close_session:
            _check_can_close(request, result)
        return result

    def write_out(self, request: Request, identity: Identity, placed: Placed) -> None:
        """Write a new async output to the sink, or undo the call that placed it.

        Called with the book's lock released: the sink does I/O. If it fails,
        the result goes back to its queue and the request forgets it, as if
        the call had never taken it.
        """
        try:
            self._engine.outputs.write_placed(placed)
        except SageMakerStubError:
            self._engine.book.give_back(identity, request.region, placed.taken, placed)
            self._engine.calls.log(request, None, Source.UNANSWERED)
            raise


#: Which kind's operation checks each result type a responder returns.
_OPERATION_OF: dict[type, Kind] = {
    InvokeResult: Kind.SYNC,
    AsyncResult: Kind.ASYNC,
    StreamResult: Kind.STREAM,
}


def _remembered(given: object) -> bool:
    """Whether a request remembers what it was given: all but one-off errors."""
    return not isinstance(given, ErrorResult) or given.remember


def _check_can_close(request: Request, result: InvokeResult) -> None:
    """Refuse ``close_session`` for a call made outside any session."""
    params = request.params
    if "SessionId" in params:
        return
    msg = (
        f"{result!r} closes the session of the call it answers, but the "
        f"{request.operation.name} call on endpoint "
        f"{params.get('EndpointName')!r} has no SessionId. Send SessionId "
        "with the call, or queue this result for a call made in a session."
    )
    raise SageMakerStubError(msg)
