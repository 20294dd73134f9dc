"""SageMakerRuntimeStub: botocore's Stubber with moto's queue-aware results."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
import time
import uuid
import warnings
import weakref
from collections.abc import Hashable, Mapping, Sequence
from types import TracebackType
from typing import Any, cast

import attrs
import botocore
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ReadTimeoutError
from botocore.model import OperationModel
from botocore.stub import Stubber

from ._book import Kind, PendingResult, ResultBook, Source
from ._calls import Call
from ._errors import (
    NoResultError,
    OutputNotFoundError,
    PendingResultsError,
    SageMakerStubError,
    StubActivationError,
    UnusedResultsWarning,
    pending_message,
)
from ._eventstream import EventStreamBody, StreamProgress, encode_exception
from ._faults import (
    ErrorFault,
    FailEvery,
    FailNext,
    FailRandomly,
    Fault,
    InstalledFault,
    Latency,
)
from ._moto import async_results_from_moto, invoke_results_from_moto
from ._registry import NEW_SESSION, EndpointSpec, Registry, Session
from ._render import Renderer
from ._results import (
    JSON_CONTENT_TYPE,
    SERVING_VARIANT,
    STREAM_ERROR_CODES,
    AsyncResult,
    ErrorResult,
    InvokeResult,
    StreamResult,
    describe,
    dump_json,
    preview,
)
from ._s3 import ObjectStore, S3Object, S3Responder, split_s3_uri
from ._validation import RequestValidator

__all__ = ["SageMakerRuntimeStub"]

DEFAULT_ACCOUNT_ID = "123456789012"
#: How long a stateful session lasts unless the stub is told otherwise.
DEFAULT_SESSION_TTL_SECONDS = 1200.0
_FAULT_TYPES = (FailNext, FailEvery, FailRandomly, Latency)
_SERVICE = "sagemaker-runtime"
_CONTEXT_KEY = "sagemaker_stub"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

#: moto's static answer to invoke_endpoint when nothing is queued.
DEFAULT_INVOKE_RESULT = InvokeResult(
    body=b"body",
    content_type="content_type",
    invoked_production_variant="invoked_production_variant",
    custom_attributes="custom_attributes",
)
#: moto's static answer to invoke_endpoint_async when nothing is queued.
DEFAULT_ASYNC_RESULT = AsyncResult.success({"default": "response"})
_EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"


def _as_stream(result: InvokeResult) -> StreamResult:
    """An invoke_endpoint result used by a streaming call: its body as one part."""
    return StreamResult(
        parts=[result.body] if result.body else [],
        content_type=result.content_type,
        invoked_production_variant=result.invoked_production_variant,
        custom_attributes=result.custom_attributes,
    )


#: The answer to a streaming call when nothing is queued (moto has none):
#: invoke_endpoint's default, as one part.
DEFAULT_STREAM_RESULT = _as_stream(DEFAULT_INVOKE_RESULT)
_DEFAULTS: dict[Kind, object] = {
    Kind.SYNC: DEFAULT_INVOKE_RESULT,
    Kind.ASYNC: DEFAULT_ASYNC_RESULT,
    Kind.STREAM: DEFAULT_STREAM_RESULT,
}


_KINDS = {kind.value: kind for kind in Kind}
#: How to queue for each kind: the method and an example result.
_QUEUE_METHOD = {
    Kind.SYNC: ("queue", "InvokeResult(...)"),
    Kind.ASYNC: ("queue_async", "AsyncResult.success(...)"),
    Kind.STREAM: ("queue_stream", "StreamResult(...)"),
}

_QUEUE_FOR: dict[type, str] = {
    InvokeResult: "queue",
    AsyncResult: "queue_async",
    StreamResult: "queue_stream",
}

_active_stubs: weakref.WeakKeyDictionary[Any, SageMakerRuntimeStub] = (
    weakref.WeakKeyDictionary()
)
_active_lock = threading.Lock()


class _NothingQueued(Exception):
    """Every queue was empty and defaults are off (raised under the book's lock)."""


@attrs.frozen
class _Captured:
    """What the parameter-build handler saw, handed on to before-call."""

    params: dict[str, Any]
    via_stubber: bool


@attrs.frozen
class _AsyncServed:
    """What an async identity is given, remembered with its locations."""

    result: AsyncResult
    output_location: str
    failure_location: str

    @property
    def written(self) -> str:
        """The location that holds the result's data."""
        return self.failure_location if self.result.is_failure else self.output_location


@attrs.frozen
class _Body:
    """A request body's bytes and their fixed-size digest, computed once."""

    data: bytes
    digest: bytes = attrs.field(init=False)

    @digest.default
    def _digest(self) -> bytes:
        return hashlib.sha256(self.data).digest()


@attrs.frozen
class _Operation:
    """What the stub needs to know of one operation, read from the model."""

    model: OperationModel
    kind: Kind
    #: Wire names of the headers that make up a request's identity.
    identity_headers: tuple[str, ...]
    #: Error codes the operation models.
    error_codes: frozenset[str]
    #: The service-side checks of its parameters.
    validator: RequestValidator


@attrs.frozen(kw_only=True)
class _Request:
    """One attempt at a call, as the stub answers it."""

    operation: _Operation
    #: botocore's serialised request: url, headers, body.
    request: dict[str, Any]
    #: The parameters the caller passed.
    params: dict[str, Any]
    body: _Body
    #: 1 for the first attempt; more when botocore retries (``retries=True``).
    attempt: int = 1
    #: The backoff botocore chose before this attempt.
    backoff: float | None = None
    #: Latency a fault added to this attempt.
    latency: float = 0.0

    @property
    def name(self) -> str:
        return self.operation.model.name

    @property
    def url(self) -> str:
        url: str = self.request["url"]
        return url


def _identity_headers(model: OperationModel, kind: Kind) -> tuple[str, ...]:
    """Headers that identify a request, derived from the service model.

    For invoke_endpoint and streaming: every input member sent as an
    ``X-Amzn-SageMaker-*`` header, plus ``Accept``. For async calls: the
    ``InputLocation`` header, as moto keys them.
    """
    input_shape = model.input_shape
    assert input_shape is not None
    names = []
    for member_name, member in input_shape.members.items():
        serialization = member.serialization
        if serialization.get("location") != "header":
            continue
        wire: str = serialization["name"]
        if kind is Kind.ASYNC:
            if member_name == "InputLocation":
                names.append(wire)
        elif wire.lower().startswith("x-amzn-sagemaker-") or member_name == "Accept":
            names.append(wire)
    return tuple(names)


def _origin() -> str:
    """``file:line`` of the first caller outside this package."""
    frame = sys._getframe(1)
    while (
        frame.f_back is not None
        and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR
    ):
        frame = frame.f_back
    path = frame.f_code.co_filename
    with contextlib.suppress(ValueError):  # another drive, on Windows
        path = os.path.relpath(path)
    return f"{path}:{frame.f_lineno}"


def _read_body(request_dict: dict[str, Any]) -> bytes:
    """The request body's bytes, leaving a file-like body readable.

    botocore's serializer has already encoded a ``str`` body and put ``b""``
    where there is none, so the body is bytes-like or a file-like object.
    """
    body = request_dict["body"]
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    seekable = getattr(body, "seekable", None)
    if callable(seekable) and seekable():
        position = body.tell()
        data = body.read()
        body.seek(position)
    else:
        data = body.read()
        request_dict["body"] = data
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _unsigned(**kwargs: Any) -> object:
    """A ``choose-signer`` handler: send stubbed requests unsigned."""
    return botocore.UNSIGNED


def _retry_handler(events: Any, unique_id: str) -> Any:
    """The retry handler botocore registered on a client, or ``None``.

    botocore offers no public way to read a registered handler back. It keeps
    unique-id handlers in ``_unique_id_handlers`` (on the emitter behind the
    client's ``EventAliaser``); if that ever moves, retries still work and
    botocore's backoff is slept for real.
    """
    emitter = getattr(events, "_emitter", events)
    table = getattr(emitter, "_unique_id_handlers", None)
    entry = table.get(unique_id) if isinstance(table, dict) else None
    return entry.get("handler") if isinstance(entry, dict) else None


class SageMakerRuntimeStub(Stubber):
    """A botocore ``Stubber`` for ``sagemaker-runtime`` with queued results.

    Calls to ``invoke_endpoint``, ``invoke_endpoint_async`` and
    ``invoke_endpoint_with_response_stream`` are answered from queues of typed
    results, with moto's rules: the same request on the same endpoint gets the
    result it got before; a new request takes the next queued result (the
    endpoint's own queue first, then the shared one), and async and streaming
    calls fall back to the ``invoke_endpoint`` queue. Async outputs can be read
    with :meth:`read_output` or through an S3 client given to
    :meth:`attach_s3`. Expectations added through the ``Stubber`` API
    (``add_response``, ``add_client_error``) are served first, strictly in
    order.

    Args:
        client: A botocore or boto3 ``sagemaker-runtime`` client.
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

    #: The stubbed client.
    client: Any

    def __init__(
        self,
        client: Any,
        *,
        allow_defaults: bool = True,
        account_id: str = DEFAULT_ACCOUNT_ID,
        keep_bodies: bool = False,
        validate: bool = True,
        retries: bool = False,
        sleep_between_retries: bool = False,
        session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
    ) -> None:
        service_model = getattr(getattr(client, "meta", None), "service_model", None)
        if service_model is None:
            msg = (
                "SageMakerRuntimeStub(client) needs a boto3 or botocore client "
                f"for sagemaker-runtime; got {describe(client)}. Create one with "
                'boto3.client("sagemaker-runtime", region_name="us-east-1").'
            )
            raise TypeError(msg)
        if service_model.service_name != _SERVICE:
            msg = (
                "SageMakerRuntimeStub(client) needs a sagemaker-runtime client; "
                f"got a client for {service_model.service_name!r}. Create one with "
                'boto3.client("sagemaker-runtime", region_name="us-east-1").'
            )
            raise ValueError(msg)
        checked: object = session_ttl_seconds
        if (
            isinstance(checked, bool)
            or not isinstance(checked, (int, float))
            or checked <= 0
        ):
            msg = (
                "SageMakerRuntimeStub(session_ttl_seconds=...) must be a positive "
                f"number of seconds; got {describe(checked)}."
            )
            raise ValueError(msg)
        super().__init__(client)
        self.allow_defaults = allow_defaults
        self.account_id = account_id
        self.keep_bodies = keep_bodies
        self.validate = validate
        self.retries = retries
        self.sleep_between_retries = sleep_between_retries
        self.session_ttl_seconds = float(session_ttl_seconds)
        self._region: str = client.meta.region_name
        self._renderer = Renderer(service_model)
        self._book: ResultBook[Any] = ResultBook(
            {Kind.ASYNC: (Kind.SYNC,), Kind.STREAM: (Kind.SYNC,)}
        )
        self._operations: dict[str, _Operation] = {}
        for name in service_model.operation_names:
            kind = _KINDS.get(name)
            if kind is None:  # pragma: no cover - an operation added later
                continue
            model = service_model.operation_model(name)
            self._operations[name] = _Operation(
                model=model,
                kind=kind,
                identity_headers=_identity_headers(model, kind),
                error_codes=frozenset(shape.name for shape in model.error_shapes),
                validator=RequestValidator(model),
            )
        self._service_error_codes = frozenset(
            shape.name for shape in service_model.error_shapes
        )
        self._calls: list[Call] = []
        self._calls_lock = threading.Lock()
        self._store = ObjectStore()
        self._owned_buckets: set[str] = set()
        self._output_paths: dict[str | None, tuple[str, str]] = {}
        self._attached: dict[int, S3Responder] = {}
        self._write_through: Any = None
        self._registry = Registry()
        self._faults: list[InstalledFault] = []
        self._faults_lock = threading.Lock()
        self._attempts = threading.local()
        self._event_name = service_model.service_id.hyphenize()
        self._retry_handler: Any = None
        self._active = False

    # -- activation ---------------------------------------------------------

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
            if self.client in _active_stubs:
                msg = (
                    "Another SageMakerRuntimeStub is already active on this "
                    "client. Queue results on that stub, or deactivate() it "
                    "before activating this one."
                )
                raise StubActivationError(msg)
            _active_stubs[self.client] = self
            super().activate()
            if self.retries:
                self._answer_at_http_layer()
            self._active = True

    def deactivate(self) -> None:
        """Stop answering calls and restore the client's event handlers.

        Warns with :class:`UnusedResultsWarning` when queued results were never
        used. Calling it on an inactive stub does nothing.
        """
        self._deactivate(report_unused=True)

    def _deactivate(self, *, report_unused: bool) -> None:
        with _active_lock:
            if not self._active:
                return
            super().deactivate()
            if self.retries:
                self._stop_answering_at_http_layer()
            self._active = False
            del _active_stubs[self.client]
        self.detach_s3()
        pending = self.pending_results() if report_unused else []
        if pending:
            warnings.warn(pending_message(pending), UnusedResultsWarning, stacklevel=3)

    def _answer_at_http_layer(self) -> None:
        """Answer in ``before-send``, inside botocore's retry loop.

        The request is left unsigned (there are no credentials to sign with,
        and nothing is sent). The client's retry handler is wrapped so that
        the backoff it chooses is recorded, and slept only with
        ``sleep_between_retries``.
        """
        events = self.client.meta.events
        name = self._event_name
        events.register(f"before-send.{name}", self._send_handler)
        events.register(f"choose-signer.{name}", _unsigned)
        handler = _retry_handler(events, f"retry-config-{name}")
        if handler is None:  # pragma: no cover - botocore's internals moved
            return
        self._retry_handler = handler
        events.unregister(f"needs-retry.{name}", unique_id=f"retry-config-{name}")
        events.register(
            f"needs-retry.{name}", self._needs_retry, unique_id=f"retry-config-{name}"
        )

    def _stop_answering_at_http_layer(self) -> None:
        events = self.client.meta.events
        name = self._event_name
        events.unregister(f"before-send.{name}", self._send_handler)
        events.unregister(f"choose-signer.{name}", _unsigned)
        handler, self._retry_handler = self._retry_handler, None
        if handler is not None:  # pragma: no branch - None if botocore moved it
            events.unregister(f"needs-retry.{name}", unique_id=f"retry-config-{name}")
            events.register(
                f"needs-retry.{name}", handler, unique_id=f"retry-config-{name}"
            )

    def __enter__(self) -> SageMakerRuntimeStub:
        self.activate()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._deactivate(report_unused=exc_type is None)

    # -- queueing -----------------------------------------------------------

    def queue(
        self, *results: InvokeResult | ErrorResult, endpoint_name: str | None = None
    ) -> None:
        """Queue results for ``invoke_endpoint``, served in order.

        Args:
            results: :class:`InvokeResult` or :class:`ErrorResult` objects.
            endpoint_name: Serve them only to this endpoint, before the
                shared queue; by default any endpoint may take them.

        Raises:
            TypeError: A result of the wrong type.
            ValueError: A result the service could not send.
        """
        self._enqueue(Kind.SYNC, "queue", results, endpoint_name, (InvokeResult,))

    def queue_async(
        self, *results: AsyncResult | ErrorResult, endpoint_name: str | None = None
    ) -> None:
        """Queue results for ``invoke_endpoint_async``, served in order.

        Args:
            results: :class:`AsyncResult` or :class:`ErrorResult` objects.
            endpoint_name: As for :meth:`queue`.
        """
        self._enqueue(Kind.ASYNC, "queue_async", results, endpoint_name, (AsyncResult,))

    def queue_stream(
        self, *results: StreamResult | ErrorResult, endpoint_name: str | None = None
    ) -> None:
        """Queue results for ``invoke_endpoint_with_response_stream``.

        When this queue is empty, streaming calls fall back to the
        ``invoke_endpoint`` queue, delivering that result's body as one part.

        Args:
            results: :class:`~sagemaker_stub.StreamResult` or
                :class:`~sagemaker_stub.ErrorResult` objects. An ``ErrorResult``
                fails the call before the stream starts; a
                :class:`~sagemaker_stub.StreamError` in a ``StreamResult`` fails
                it mid-stream.
            endpoint_name: As for :meth:`queue`.
        """
        self._enqueue(
            Kind.STREAM, "queue_stream", results, endpoint_name, (StreamResult,)
        )

    def load_moto_results(self, payload: Mapping[str, Any]) -> None:
        """Queue the results of a moto ``endpoint-results`` payload.

        ``payload`` is the JSON body a moto user POSTs to
        ``/moto-api/static/sagemaker/endpoint-results``.
        """
        results = invoke_results_from_moto(
            payload, region=self._region, account_id=self.account_id
        )
        self._enqueue(
            Kind.SYNC,
            "load_moto_results",
            results,
            None,
            (InvokeResult,),
            allow_empty=True,
        )

    def load_moto_async_results(self, payload: Mapping[str, Any]) -> None:
        """Queue the results of a moto ``async-endpoint-results`` payload."""
        results = async_results_from_moto(
            payload, region=self._region, account_id=self.account_id
        )
        self._enqueue(
            Kind.ASYNC,
            "load_moto_async_results",
            results,
            None,
            (AsyncResult,),
            allow_empty=True,
        )

    def _enqueue(
        self,
        kind: Kind,
        method: str,
        results: Sequence[object],
        endpoint_name: str | None,
        accepted: tuple[type, ...],
        *,
        allow_empty: bool = False,
    ) -> None:
        operation = self._operations[kind.value]
        if not results and not allow_empty:
            msg = f"stub.{method}() needs at least one result."
            raise TypeError(msg)
        if endpoint_name is not None:
            self._check_endpoint_name(method, operation, endpoint_name)
        for index, result in enumerate(results, 1):
            if isinstance(result, ErrorResult):
                self._check_error(method, f"result {index}", operation, result)
            elif isinstance(result, accepted):
                self._check_limits(method, index, operation, result)
            else:
                names = " or ".join(cls.__name__ for cls in (*accepted, ErrorResult))
                msg = (
                    f"stub.{method}() takes {names}; result {index} is "
                    f"{describe(result)}."
                )
                home = _QUEUE_FOR.get(type(result))
                if home is not None:
                    msg += f" Queue {type(result).__name__} objects with stub.{home}()."
                raise TypeError(msg)
        self._book.add(kind, results, endpoint_name=endpoint_name, origin=_origin())

    def _check_endpoint_name(
        self, method: str, operation: _Operation, endpoint_name: object
    ) -> None:
        self._check_name(
            f"stub.{method}(endpoint_name=...)",
            operation,
            "EndpointName",
            endpoint_name,
        )

    @staticmethod
    def _check_name(
        where: str, operation: _Operation, member: str, value: object
    ) -> None:
        """Refuse a name the service would refuse for ``member``.

        ``where`` names the argument, as in ``stub.method(argument=...)``.
        """
        if not isinstance(value, str):
            msg = f"{where} must be a str; got {describe(value)}."
            raise TypeError(msg)
        validator = operation.validator
        if not validator.accepts(member, value):
            msg = (
                f"{where} is {value!r}, which is not a valid {member}: the service "
                f"accepts {validator.limits(member)}."
            )
            raise ValueError(msg)

    def _check_error(
        self, method: str, subject: str, operation: _Operation, error: ErrorResult
    ) -> None:
        code = error.code
        if code in STREAM_ERROR_CODES:
            factory = STREAM_ERROR_CODES[code]
            msg = (
                f"stub.{method}(): {subject} is an ErrorResult with code "
                f"{code}, which the service sends inside a response stream. Queue "
                f"StreamResult(parts=[...], error=StreamError.{factory}(...)) with "
                "stub.queue_stream() instead."
            )
            raise ValueError(msg)
        if code in self._service_error_codes and code not in operation.error_codes:
            msg = (
                f"stub.{method}(): {subject} is a {code}, which "
                f"{operation.model.name} never returns; it returns "
                f"{', '.join(sorted(operation.error_codes))} (and unmodeled "
                "errors such as ThrottlingException)."
            )
            raise ValueError(msg)

    def _check_limits(
        self, method: str, index: int, operation: _Operation, result: object
    ) -> None:
        if not isinstance(result, (InvokeResult, StreamResult)):
            return
        output = operation.model.output_shape
        assert output is not None
        checks: list[tuple[str, str, object]] = [
            ("ContentType", "content_type", result.content_type),
            (
                "InvokedProductionVariant",
                "invoked_production_variant",
                result.invoked_production_variant,
            ),
            ("CustomAttributes", "custom_attributes", result.custom_attributes),
        ]
        if isinstance(result, InvokeResult):
            checks.append(("Body", "body", result.body))
        for member, field, value in checks:
            maximum = output.members[member].metadata.get("max")
            if (
                not isinstance(value, (str, bytes))
                or maximum is None
                or len(value) <= maximum
            ):
                continue
            unit = "bytes" if isinstance(value, bytes) else "characters"
            shown = preview(value) if isinstance(value, bytes) else describe(value)
            msg = (
                f"stub.{method}(): result {index} has "
                f"{type(result).__name__}.{field} of "
                f"{len(value)} {unit}, over the {maximum} {unit} the service "
                f"allows for {operation.model.name} {member}; got {shown}."
            )
            raise ValueError(msg)

    # -- endpoints, faults, sessions -----------------------------------------

    def add_endpoint(
        self,
        name: str,
        *,
        variants: Sequence[str] = ("AllTraffic",),
        inference_components: Sequence[str] = (),
        target_models: Sequence[str] | None = None,
    ) -> None:
        """Declare an endpoint, as the account under test has it.

        Once any endpoint is declared, calls are checked as the service
        checks them: an undeclared endpoint raises ``ValidationError``
        (``Endpoint <name> of account <account-id> not found.``), and so does
        a ``TargetVariant``, ``InferenceComponentName`` or ``TargetModel`` the
        endpoint lacks. Without declarations every endpoint exists, as in moto.
        Declaring a name again replaces its declaration.

        Args:
            name: The endpoint name.
            variants: Its production variants. A call without
                ``TargetVariant`` is served by the first.
            inference_components: The inference components it hosts; calls
                to it must then name one, as the service requires.
            target_models: The models of a multi-model endpoint (each a
                ``TargetModel`` value); ``None`` for an endpoint that is not
                multi-model.

        .. versionadded:: 0.1.0
        """
        operation = self._operations[Kind.SYNC.value]
        self._check_name("stub.add_endpoint(name=...)", operation, "EndpointName", name)
        lists: dict[str, tuple[str, ...]] = {}
        given: tuple[tuple[str, str, object], ...] = (
            ("variants", "TargetVariant", variants),
            ("inference_components", "InferenceComponentName", inference_components),
            (
                "target_models",
                "TargetModel",
                () if target_models is None else target_models,
            ),
        )
        for argument, member, values in given:
            if isinstance(values, str) or not isinstance(values, Sequence):
                msg = (
                    f"stub.add_endpoint({argument}=...) must be a sequence of "
                    f"names; got {describe(values)}."
                )
                raise TypeError(msg)
            for index, value in enumerate(values):
                where = f"stub.add_endpoint({argument}=...)[{index}]"
                self._check_name(where, operation, member, value)
            lists[argument] = tuple(values)
        if not lists["variants"]:
            msg = "stub.add_endpoint(variants=...) needs at least one variant name."
            raise ValueError(msg)
        self._registry.add(
            EndpointSpec(
                name=name,
                variants=lists["variants"],
                inference_components=lists["inference_components"],
                target_models=None if target_models is None else lists["target_models"],
            )
        )

    def remove_endpoint(self, name: str) -> None:
        """Delete a declared endpoint: later calls to it are refused as not found.

        Raises:
            KeyError: ``name`` was never declared.
        """
        if not self._registry.remove(name):
            declared = ", ".join(repr(known) for known in self._registry.names())
            msg = (
                f"stub.remove_endpoint({name!r}): no such endpoint was declared. "
                f"Declared endpoints: {declared or 'none'}."
            )
            raise KeyError(msg)

    @property
    def sessions(self) -> list[Session]:
        """The stateful sessions calls have opened, in the order they opened."""
        return self._registry.sessions()

    def add_fault(
        self,
        fault: Fault,
        *,
        endpoint_name: str | None = None,
        operations: Sequence[str] | None = None,
    ) -> None:
        """Inject faults into matching calls, by policy.

        Policies: :class:`FailNext`, :class:`FailEvery`,
        :class:`FailRandomly` and :class:`Latency`. A call is checked against
        every policy in the order they were added; the first error that hits
        answers the call, before any queued result is taken (so the result
        serves a later call). Each faulted call is in :attr:`calls` with
        ``source=Source.FAULT`` and the policy in ``call.fault``.

        Args:
            fault: The policy.
            endpoint_name: Only calls to this endpoint; by default, all.
            operations: Only these operations, e.g. ``["InvokeEndpoint"]``. By
                default, every operation that can return the policy's error
                (all three for :class:`Latency`).

        .. versionadded:: 0.1.0
        """
        if not isinstance(fault, _FAULT_TYPES):
            names = ", ".join(cls.__name__ for cls in _FAULT_TYPES)
            msg = f"stub.add_fault() takes one of {names}; got {describe(fault)}."
            raise TypeError(msg)
        if endpoint_name is not None:
            self._check_endpoint_name(
                "add_fault", self._operations[Kind.SYNC.value], endpoint_name
            )
        error = None if isinstance(fault, Latency) else fault.error
        if operations is None:
            chosen = [
                name
                for name, operation in self._operations.items()
                if error is None or self._can_return(operation, error)
            ]
            if not chosen:
                assert error is not None
                sync = self._operations[Kind.SYNC.value]
                self._check_error("add_fault", "the fault's error", sync, error)
        else:
            if isinstance(operations, str) or not isinstance(operations, Sequence):
                msg = (
                    "stub.add_fault(operations=...) must be a sequence of "
                    f"operation names; got {describe(operations)}."
                )
                raise TypeError(msg)
            chosen = list(operations)
            for name in chosen:
                if name not in self._operations:
                    msg = (
                        f"stub.add_fault(operations=...): {name!r} is not an "
                        "operation the stub answers; expected one of "
                        f"{', '.join(sorted(self._operations))}."
                    )
                    raise ValueError(msg)
                if error is not None:
                    self._check_error(
                        "add_fault", "the fault's error", self._operations[name], error
                    )
        installed = InstalledFault(
            fault=fault,
            endpoint_name=endpoint_name,
            operations=frozenset(chosen),
            origin=_origin(),
        )
        with self._faults_lock:
            self._faults.append(installed)

    def clear_faults(self) -> None:
        """Remove every fault policy."""
        with self._faults_lock:
            self._faults.clear()

    def _can_return(self, operation: _Operation, error: ErrorResult) -> bool:
        """Whether the operation can answer with this error at all."""
        if error.code in STREAM_ERROR_CODES:
            return False
        return (
            error.code not in self._service_error_codes
            or error.code in operation.error_codes
        )

    # -- inspection ---------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call made through the stubbed client, in order."""
        with self._calls_lock:
            return list(self._calls)

    def pending_results(self) -> list[PendingResult]:
        """Queued results no call has used yet, in the order they were queued.

        Stubber expectations (``add_response``) are listed too, and fault
        policies with a count (``FailNext``, ``Latency(times=...)``) that have
        not fired that many times.
        """
        pending = self._book.pending()
        pending.extend(
            PendingResult(
                operation=item["operation_name"],
                result=item["response"][1],
                endpoint_name=None,
                origin="Stubber.add_response/add_client_error",
            )
            for item in self._stubber_queue()
        )
        with self._faults_lock:
            pending.extend(
                PendingResult(
                    operation=", ".join(sorted(installed.operations)),
                    result=installed.fault,
                    endpoint_name=installed.endpoint_name,
                    origin=installed.origin,
                )
                for installed in self._faults
                if installed.left
            )
        return pending

    def assert_no_pending_results(self) -> None:
        """Fail if any queued result was never used.

        Raises:
            PendingResultsError: Listing each unused result and where it
                was queued.
        """
        pending = self.pending_results()
        if pending:
            raise PendingResultsError(pending_message(pending), pending)

    def read_output(self, s3_uri: str) -> bytes:
        """The object an async result wrote at ``s3_uri``.

        Raises:
            OutputNotFoundError: Nothing was written there.
        """
        stored, hidden = self._store.peek(s3_uri)
        if stored is not None and hidden is None:
            return stored.data
        if stored is not None:
            msg = f"The async output at {s3_uri!r} is not visible yet: it is {hidden}."
            raise OutputNotFoundError(msg)
        msg = f"No async output is stored at {s3_uri!r}."
        other = None  # the inference's other location, which holds its data
        for call in self.calls:
            if s3_uri == call.output_location:
                other = call.failure_location
            elif s3_uri == call.failure_location:
                other = call.output_location
        known = self._store.uris()
        if other is not None:
            msg += (
                " That inference's result was written to its other location, "
                f"{other!r}."
            )
        elif known:
            listed = ", ".join(repr(uri) for uri in known[:5])
            more = f" and {len(known) - 5} more" if len(known) > 5 else ""
            msg += f" Stored outputs: {listed}{more}."
        else:
            msg += " No async call has written an output yet."
        raise OutputNotFoundError(msg)

    # -- S3 -------------------------------------------------------------------

    def attach_s3(
        self, s3_client: Any, *, buckets: Sequence[str] = (), strict: bool = False
    ) -> None:
        """Serve async outputs (and inputs) to ``s3_client``, with no network.

        GetObject (ranged too), HeadObject and PutObject on the buckets the
        stub owns are answered from its object store: the buckets of the
        output and failure locations it hands out, those given to
        :meth:`configure_async_output` and :meth:`store_input`, and
        ``buckets``. Everything else goes on as if the stub were absent, or,
        with ``strict=True``, raises :class:`S3NotStubbedError`.

        Args:
            s3_client: A boto3 or botocore ``s3`` client.
            buckets: More buckets to own, e.g. where the code under test
                uploads its inputs.
            strict: Refuse requests the stub does not answer.

        .. versionadded:: 0.1.0
        """
        self._check_s3_client("attach_s3", s3_client)
        if s3_client is self._write_through:
            msg = (
                "stub.attach_s3(): this S3 client already receives outputs through "
                "write_outputs_to(); attaching it too would answer its own writes."
            )
            raise StubActivationError(msg)
        if id(s3_client) in self._attached:
            msg = "stub.attach_s3(): this S3 client is already attached to the stub."
            raise StubActivationError(msg)
        given: Sequence[object] = buckets
        for index, bucket in enumerate(given):
            if not isinstance(bucket, str) or not bucket:
                msg = (
                    f"stub.attach_s3(buckets=...)[{index}] must be a bucket name; "
                    f"got {describe(bucket)}."
                )
                raise TypeError(msg)
        self._owned_buckets.update(buckets)
        responder = S3Responder(
            s3_client,
            self._store,
            self._owned_buckets.__contains__,
            strict=strict,
            read_body=_read_body,
        )
        responder.attach()
        self._attached[id(s3_client)] = responder

    def detach_s3(self, s3_client: Any = None) -> None:
        """Stop serving ``s3_client`` (every attached client by default).

        Its event handlers are left exactly as before :meth:`attach_s3`.
        Deactivating the stub detaches every client.
        """
        keys = list(self._attached) if s3_client is None else [id(s3_client)]
        for key in keys:
            responder = self._attached.pop(key, None)
            if responder is not None:
                responder.detach()

    def store_input(
        self, s3_uri: str, data: bytes | str, *, content_type: str = "application/json"
    ) -> S3Object:
        """Store an input object, as a test's set-up would upload it.

        Its bucket becomes owned, so an attached S3 client serves it, and an
        async call with this ``InputLocation`` is linked to it in
        :attr:`calls` (``call.input_object``).
        """
        bucket, _ = split_s3_uri(s3_uri, "stub.store_input(s3_uri)")
        if not isinstance(data, (bytes, str)):
            msg = f"stub.store_input(data) must be bytes or str; got {describe(data)}."
            raise TypeError(msg)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        stored = S3Object.build(s3_uri, raw, content_type)
        self._owned_buckets.add(bucket)
        self._store.put(stored)
        return stored

    def write_outputs_to(self, s3_client: Any) -> None:
        """Also write each async output through ``s3_client`` (PutObject).

        For tests that already run moto's S3, LocalStack or a real test
        bucket: the objects become real there. A stub-generated
        ``sagemaker-output-*`` bucket is created first if it does not exist.
        """
        self._check_s3_client("write_outputs_to", s3_client)
        if id(s3_client) in self._attached:
            msg = (
                "stub.write_outputs_to(): this S3 client is attached with "
                "attach_s3(), which would answer the writes itself. Use another "
                "client, or detach_s3() it first."
            )
            raise StubActivationError(msg)
        self._write_through = s3_client

    def configure_async_output(
        self,
        s3_output_path: str,
        s3_failure_path: str | None = None,
        *,
        endpoint_name: str | None = None,
    ) -> None:
        """Hand out locations as an endpoint with an async output config does.

        Instead of moto's ``s3://sagemaker-output-<uuid>/response.json``, an
        output lands at ``<s3_output_path>/<S3OutputPathExtension>/<Filename or
        inference-id.out>`` and a failure at
        ``<s3_failure_path>/<inference-id>-error.out`` (the output path when no
        failure path is given).

        Args:
            s3_output_path: The endpoint config's ``S3OutputPath``.
            s3_failure_path: Its ``S3FailurePath``.
            endpoint_name: Apply to this endpoint only; by default, to all.
        """
        paths: list[str] = []
        given: tuple[tuple[str, object], ...] = (
            ("s3_output_path", s3_output_path),
            ("s3_failure_path", s3_failure_path or s3_output_path),
        )
        for name, path in given:
            where = f"stub.configure_async_output({name})"
            if not isinstance(path, str):
                split_s3_uri(path, where)  # raises, naming the argument
            folder = str(path).rstrip("/")
            bucket, _ = split_s3_uri(folder + "/x", where)
            self._owned_buckets.add(bucket)
            paths.append(folder)
        self._output_paths[endpoint_name] = (paths[0], paths[1])

    def complete(self, inference: str) -> None:
        """Make a held (or still pending) async output visible now.

        Args:
            inference: The ``InferenceId`` an async call returned, or the S3
                URI of its output or failure location.

        Raises:
            SageMakerStubError: No async call returned that id or location.
        """
        for call in self.calls:
            output, failure = call.output_location, call.failure_location
            if output is None or failure is None:
                continue
            if inference not in (call.inference_id, output, failure):
                continue
            stored, _ = self._store.peek(output)
            written = output if stored is not None else failure
            self._store.release(written)
            self._write_out(written)
            return
        known = sorted({call.inference_id for call in self.calls if call.inference_id})
        listed = ", ".join(repr(name) for name in known) or "none yet"
        msg = (
            f"stub.complete({inference!r}): no async call returned that inference "
            f"id or location. Inference ids so far: {listed}."
        )
        raise SageMakerStubError(msg)

    def _write_out(self, uri: str) -> None:
        """Copy a visible output to the write-through client, if there is one.

        Only visible objects come here: held ones once released, and counted
        reads are refused with write-through.
        """
        target = self._write_through
        if target is None:
            return
        stored, hidden = self._store.peek(uri)
        assert stored is not None
        assert hidden is None
        bucket, key = split_s3_uri(uri, "output location")
        put = {"Bucket": bucket, "Key": key, "Body": stored.data}
        put["ContentType"] = stored.content_type
        try:
            target.put_object(**put)
        except target.exceptions.NoSuchBucket:
            if not bucket.startswith("sagemaker-output-"):
                raise
            region = target.meta.region_name
            create: dict[str, Any] = {"Bucket": bucket}
            if region != "us-east-1":
                create["CreateBucketConfiguration"] = {"LocationConstraint": region}
            target.create_bucket(**create)
            target.put_object(**put)

    @staticmethod
    def _check_s3_client(method: str, s3_client: Any) -> None:
        model = getattr(getattr(s3_client, "meta", None), "service_model", None)
        name = getattr(model, "service_name", None)
        if name != "s3":
            got = f"a client for {name!r}" if name else describe(s3_client)
            msg = (
                f"stub.{method}() needs an S3 client; got {got}. Create one with "
                'boto3.client("s3", region_name="us-east-1").'
            )
            raise TypeError(msg)

    # -- botocore event handlers ---------------------------------------------

    def _assert_expected_params(
        self, model: OperationModel, params: dict[str, Any], context: Any, **kwargs: Any
    ) -> None:
        via_stubber = bool(self._stubber_queue()) or model.name not in self._operations
        if via_stubber:
            stubber: Any = super()
            stubber._assert_expected_params(model, params, context, **kwargs)
        context[_CONTEXT_KEY] = _Captured(dict(params), via_stubber)

    def _get_response_handler(
        self, model: OperationModel, params: dict[str, Any], context: Any, **kwargs: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        captured: _Captured | None = context.pop(_CONTEXT_KEY, None)
        if captured is None or captured.via_stubber:
            stubber: Any = super()
            response: tuple[AWSResponse, dict[str, Any]] = (
                stubber._get_response_handler(model, params, context, **kwargs)
            )
            api_params = captured.params if captured else {}
            body = _Body(_read_body(params))
            self._append_call(
                model.name, api_params, body, result=None, source=Source.STUBBER
            )
            return response
        call = _Request(
            operation=self._operations[model.name],
            request=params,
            params=captured.params,
            body=_Body(_read_body(params)),
        )
        if self.retries:  # answered in before-send, once per attempt
            self._attempts.call = call
            self._attempts.count = 0
            self._attempts.backoff = None
            return None
        return self._answer(call)

    def _send_handler(
        self, request: AWSPreparedRequest, **kwargs: Any
    ) -> AWSResponse | None:
        """``before-send``: answer one attempt of the call in progress."""
        call: _Request | None = getattr(self._attempts, "call", None)
        if call is None:  # pragma: no cover - before-call always runs first
            return None
        attempt = self._attempts.count + 1
        self._attempts.count = attempt
        backoff, self._attempts.backoff = self._attempts.backoff, None
        response, _ = self._answer(
            attrs.evolve(call, attempt=attempt, backoff=backoff), parse=False
        )
        return response

    def _needs_retry(self, **kwargs: Any) -> object:
        """botocore's retry decision, with its backoff recorded.

        botocore's endpoint sleeps for what this returns before retrying.
        """
        delay = self._retry_handler(**kwargs)
        if delay is None or delay is False:
            return delay
        self._attempts.backoff = delay
        return delay if self.sleep_between_retries else 0

    def _stubber_queue(self) -> Sequence[dict[str, Any]]:
        """Expectations added through the Stubber API, not yet served."""
        queue: Sequence[dict[str, Any]] = cast(Any, self)._queue
        return queue

    # -- answering ------------------------------------------------------------

    def _identity(self, call: _Request) -> Hashable:
        headers = call.request.get("headers", {})
        values = tuple(headers.get(name) for name in call.operation.identity_headers)
        if call.operation.kind is Kind.ASYNC and values[0] is not None:
            return values
        return (values, call.body.digest)

    def _missing(self, call: _Request) -> NoResultError:
        kind = call.operation.kind
        params = call.params
        endpoint = params.get("EndpointName")
        shown = ", ".join(
            f"{name}={value!r}"
            for name, value in params.items()
            if name not in ("EndpointName", "Body")
        )
        parts = [shown] if shown else []
        data = call.body.data
        parts.append(
            f"Body of {len(data)} bytes {preview(data)}" if data else "no Body"
        )
        lines = [
            (
                f"No result is queued for {call.name} on endpoint "
                f"{endpoint!r}, and this stub was created with allow_defaults=False."
            ),
            f"Request: {', '.join(parts)}.",
        ]
        others = [
            name
            for queue_kind in (kind, Kind.SYNC)
            for name in self._book.endpoints_with_results(queue_kind)
            if name != endpoint
        ]
        if others:
            listed = ", ".join(repr(name) for name in sorted(set(others)))
            lines.append(f"Results are queued only for other endpoints: {listed}.")
        method, example = _QUEUE_METHOD[kind]
        lines.append(
            f"Queue one with stub.{method}({example}, endpoint_name={endpoint!r}) "
            f"or stub.{method}({example}) for any endpoint."
        )
        return NoResultError("\n".join(lines))

    def _refusal(self, call: _Request) -> str | None:
        """What the service says to a request it refuses before the model runs."""
        if self.validate:
            problem = call.operation.validator.problem(call.params, call.body.data)
            if problem is not None:
                return problem
        problem = self._registry.refusal(call.name, call.params, self.account_id)
        if problem is not None:
            return problem
        return self._registry.session_refusal(call.name, call.params)

    def _apply_faults(self, call: _Request) -> tuple[_Request, ErrorFault | None]:
        """Count the call against each fault policy; sleep for any latency.

        Returns the call (with its latency) and the error policy that hit it.

        Raises:
            ReadTimeoutError: The latency reached the client's read timeout.
        """
        if not self._faults:
            return call, None
        endpoint = call.params.get("EndpointName")
        error: ErrorFault | None = None
        slowest: Latency | None = None
        delay = 0.0
        with self._faults_lock:
            for installed in self._faults:
                if not installed.applies_to(call.name, endpoint):
                    continue
                fault = installed.fault
                if isinstance(fault, Latency):
                    if installed.fires(may_fire=True):
                        delay += fault.seconds
                        if slowest is None or fault.seconds > slowest.seconds:
                            slowest = fault
                elif installed.fires(may_fire=error is None):
                    error = fault
        if slowest is None:
            return call, error
        timeout = self.client.meta.config.read_timeout
        if timeout is not None and delay >= timeout:
            time.sleep(timeout)
            timed_out = attrs.evolve(call, latency=float(timeout))
            self._record(timed_out, result=None, source=Source.FAULT, fault=slowest)
            raise ReadTimeoutError(endpoint_url=call.url)
        time.sleep(delay)
        return attrs.evolve(call, latency=delay), error

    def _answer(
        self, call: _Request, *, parse: bool = True
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """Check a request, choose its result and render it.

        With ``parse=False`` the response is left for botocore's endpoint to
        parse (``retries=True``), and the dict returned is empty.
        """
        refusal = self._refusal(call)
        if refusal is not None:
            rejected = ErrorResult.validation_error(refusal)
            self._record(call, result=rejected, source=Source.REJECTED)
            return self._render_error(call, rejected, parse=parse)
        call, fault = self._apply_faults(call)
        if fault is not None:
            self._record(call, result=fault.error, source=Source.FAULT, fault=fault)
            return self._render_error(call, fault.error, parse=parse)

        kind = call.operation.kind
        params = call.params
        inference_id = None
        if kind is Kind.ASYNC:  # echoed, or a fresh one per call
            inference_id = params.get("InferenceId") or str(uuid.uuid4())

        def build(pending: PendingResult | None, source: Source) -> object:
            if pending is None:
                if not self.allow_defaults:
                    raise _NothingQueued
                result: object = _DEFAULTS[kind]
                if self._registry.declared and isinstance(
                    result, (InvokeResult, StreamResult)
                ):  # moto's placeholder is no variant of a declared endpoint
                    result = attrs.evolve(
                        result, invoked_production_variant=SERVING_VARIANT
                    )
            else:
                result = pending.result
            if isinstance(result, ErrorResult):
                return result
            if inference_id is not None:
                return self._store_async(call, result, inference_id)
            if kind is Kind.STREAM and isinstance(result, InvokeResult):
                return _as_stream(result)
            if isinstance(result, InvokeResult) and result.close_session:
                self._check_can_close(call, result)
            return result

        try:
            # A retry follows an error: it is answered afresh, as the service
            # runs a retried request again, and its answer is remembered.
            served, source = self._book.take(
                kind,
                params["EndpointName"],
                self._identity(call),
                build,
                fresh=call.attempt > 1,
            )
        except _NothingQueued:
            raise self._missing(call) from None
        if isinstance(served, ErrorResult):
            self._record(call, result=served, source=source)
            return self._render_error(call, served, parse=parse)
        if isinstance(served, _AsyncServed):
            assert inference_id is not None
            return self._respond_async(
                call, served, source=source, inference_id=inference_id, parse=parse
            )
        if isinstance(served, StreamResult):
            return self._respond_stream(call, served, source=source, parse=parse)
        assert isinstance(served, InvokeResult)
        model = call.operation.model
        headers = self._result_headers(call, served)
        headers["content-type"] = served.content_type
        session_id: str | None = params.get("SessionId")
        if session_id == NEW_SESSION:
            session = self._registry.open_session(params, self.session_ttl_seconds)
            session_id = session.session_id
            headers[self._renderer.header_name(model, "NewSessionId")] = session.header
        if served.close_session:
            assert session_id is not None  # checked when the result was taken
            self._registry.close_session(session_id)
            headers[self._renderer.header_name(model, "ClosedSessionId")] = session_id
        self._record(call, result=served, source=source, session_id=session_id)
        return self._renderer.respond(
            model, call.url, 200, headers, served.body, parse=parse
        )

    @staticmethod
    def _check_can_close(call: _Request, result: InvokeResult) -> None:
        """Refuse ``close_session`` for a call made outside any session."""
        if "SessionId" in call.params:
            return
        msg = (
            f"{result!r} closes the session of the call it answers, but the "
            f"{call.name} call on endpoint {call.params.get('EndpointName')!r} "
            "has no SessionId. Send SessionId with the call, or queue this "
            "result for a call made in a session."
        )
        raise SageMakerStubError(msg)

    def _result_headers(
        self, call: _Request, result: InvokeResult | StreamResult
    ) -> dict[str, str]:
        """The optional headers a model's answer carries."""
        model = call.operation.model
        headers = {}
        variant = self._variant(call, result)
        if variant is not None:
            name = self._renderer.header_name(model, "InvokedProductionVariant")
            headers[name] = variant
        if result.custom_attributes is not None:
            name = self._renderer.header_name(model, "CustomAttributes")
            headers[name] = result.custom_attributes
        return headers

    def _variant(
        self, call: _Request, result: InvokeResult | StreamResult
    ) -> str | None:
        """The InvokedProductionVariant a result answers with."""
        variant = result.invoked_production_variant
        if variant is SERVING_VARIANT:
            return self._registry.serving_variant(call.params)
        assert not isinstance(variant, type(SERVING_VARIANT))
        return variant

    def _store_async(
        self, call: _Request, result: object, inference_id: str
    ) -> _AsyncServed:
        """Write an async result's data to fresh locations (under the lock)."""
        if isinstance(result, InvokeResult):
            result = self._as_async(result, self._variant(call, result))
        assert isinstance(result, AsyncResult)
        if result.available_after and self._write_through is not None:
            msg = (
                f"{result!r} waits for {result.available_after} read(s) through "
                "the stub's S3, but outputs are written to another S3 client "
                "(write_outputs_to), where reads cannot be counted. Use hold=True "
                "and stub.complete(inference_id) instead."
            )
            raise SageMakerStubError(msg)
        params = call.params
        paths = self._output_paths.get(
            params["EndpointName"]
        ) or self._output_paths.get(None)
        if paths is None:
            bucket = f"sagemaker-output-{uuid.uuid4()}"
            self._owned_buckets.add(bucket)
            output = f"s3://{bucket}/response.json"
            failure = f"s3://{bucket}/failure.json"
        else:
            extension = params.get("S3OutputPathExtension")
            filename = params.get("Filename") or f"{inference_id}.out"
            folder = paths[0] + (f"/{extension.strip('/')}" if extension else "")
            output = f"{folder}/{filename}"
            failure = f"{paths[1]}/{inference_id}-error.out"
        served = _AsyncServed(result, output, failure)
        self._store.put(
            S3Object.build(served.written, result.data, result.content_type),
            reads_before_visible=result.available_after,
            held=result.hold,
        )
        return served

    def _respond_async(
        self,
        call: _Request,
        served: _AsyncServed,
        *,
        source: Source,
        inference_id: str,
        parse: bool,
    ) -> tuple[AWSResponse, dict[str, Any]]:
        if source is not Source.REMEMBERED and not served.result.hold:
            self._write_out(served.written)
        input_location = call.params.get("InputLocation")
        input_object = None
        if isinstance(input_location, str):
            input_object, _ = self._store.peek(input_location)
        self._record(
            call,
            result=served.result,
            source=source,
            inference_id=inference_id,
            output_location=served.output_location,
            failure_location=served.failure_location,
            input_object=input_object,
        )
        model = call.operation.model
        headers = {
            "content-type": JSON_CONTENT_TYPE,
            self._renderer.header_name(model, "OutputLocation"): served.output_location,
            self._renderer.header_name(
                model, "FailureLocation"
            ): served.failure_location,
        }
        status = model.http.get("responseCode", 200)
        payload = json.dumps({"InferenceId": inference_id}).encode("utf-8")
        return self._renderer.respond(
            model, call.url, status, headers, payload, parse=parse
        )

    def _respond_stream(
        self, call: _Request, result: StreamResult, *, source: Source, parse: bool
    ) -> tuple[AWSResponse, dict[str, Any]]:
        progress = StreamProgress(parts_total=len(result.parts))
        self._record(call, result=result, source=source, stream=progress)
        error = None
        if result.error is not None:
            fields = {"Message": result.error.message}
            if result.error.error_code is not None:
                fields["ErrorCode"] = result.error.error_code
            error = encode_exception(result.error.code, fields)
        model = call.operation.model
        headers = self._result_headers(call, result)
        headers["content-type"] = _EVENT_STREAM_CONTENT_TYPE
        headers[self._renderer.header_name(model, "ContentType")] = result.content_type
        stream = EventStreamBody(result.parts, error, progress)
        return self._renderer.respond(
            model, call.url, 200, headers, stream, parse=parse
        )

    @staticmethod
    def _as_async(result: InvokeResult, variant: str | None) -> AsyncResult:
        """An invoke_endpoint result used by an async call, as moto renders it."""
        try:
            text = result.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            msg = (
                "invoke_endpoint_async found no async result queued and fell back "
                f"to the invoke_endpoint queue, whose next result {result!r} has "
                "a body that is not UTF-8 text, so it cannot be written as the "
                "JSON output moto writes. Queue an AsyncResult with "
                "stub.queue_async() instead."
            )
            raise NoResultError(msg) from exc
        document = {
            "Body": text,
            "ContentType": result.content_type,
            "InvokedProductionVariant": variant,
            "CustomAttributes": result.custom_attributes,
        }
        return AsyncResult(
            data=dump_json(document, "the fallback result"),
            content_type=JSON_CONTENT_TYPE,
        )

    def _render_error(
        self, call: _Request, error: ErrorResult, *, parse: bool
    ) -> tuple[AWSResponse, dict[str, Any]]:
        fields: dict[str, object] = dict(error.fields)
        message = error.message
        if error.code == "ModelError":
            endpoint = call.params.get("EndpointName")
            group = f"/aws/sagemaker/Endpoints/{endpoint}"
            fields.setdefault(
                "LogStreamArn",
                f"arn:aws:logs:{self._region}:{self.account_id}:log-group:{group}",
            )
            if message is None:
                status = fields.get("OriginalStatusCode")
                side = (
                    "client" if isinstance(status, int) and status < 500 else "server"
                )
                message = (
                    f"Received {side} error ({status}) from primary with message "
                    f'"{fields.get("OriginalMessage", "")}". See '
                    f"https://{self._region}.console.aws.amazon.com/cloudwatch/home"
                    f"?region={self._region}#logEventViewer:group={group} "
                    f"in account {self.account_id} for more information."
                )
        fields["Message"] = message if message is not None else error.code
        return self._renderer.error(
            call.operation.model,
            call.url,
            code=error.code,
            status=error.status_code,
            fields=fields,
            parse=parse,
        )

    def _record(
        self,
        call: _Request,
        *,
        result: object,
        source: Source,
        inference_id: str | None = None,
        output_location: str | None = None,
        failure_location: str | None = None,
        stream: StreamProgress | None = None,
        input_object: S3Object | None = None,
        fault: Fault | None = None,
        session_id: str | None = None,
    ) -> None:
        params = call.params
        if session_id is None and params.get("SessionId") != NEW_SESSION:
            session_id = params.get("SessionId")
        self._append_call(
            call.name,
            params,
            call.body,
            result=result,
            source=source,
            inference_id=inference_id,
            output_location=output_location,
            failure_location=failure_location,
            stream=stream,
            input_object=input_object,
            attempt=call.attempt,
            backoff=call.backoff,
            latency=call.latency,
            fault=fault,
            session_id=session_id,
        )

    def _append_call(
        self, operation: str, params: Mapping[str, Any], body: _Body, **details: Any
    ) -> None:
        """Add a call to the history; ``details`` are more fields of :class:`Call`."""
        record = Call(
            operation=operation,
            endpoint_name=params.get("EndpointName", ""),
            params={name: value for name, value in params.items() if name != "Body"},
            body_size=len(body.data),
            body_sha256=body.digest.hex(),
            body=body.data if self.keep_bodies else None,
            **details,
        )
        with self._calls_lock:
            self._calls.append(record)
