"""SageMakerRuntimeStub: botocore's Stubber with moto's queue-aware results."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import threading
import uuid
import warnings
import weakref
from collections.abc import Hashable, Mapping, Sequence
from types import TracebackType
from typing import Any, cast

import attrs
from botocore.awsrequest import AWSResponse
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
from ._moto import async_results_from_moto, invoke_results_from_moto
from ._render import Renderer
from ._results import (
    JSON_CONTENT_TYPE,
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

__all__ = ["SageMakerRuntimeStub"]

DEFAULT_ACCOUNT_ID = "123456789012"
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
        super().__init__(client)
        self.allow_defaults = allow_defaults
        self.account_id = account_id
        self.keep_bodies = keep_bodies
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
            self._active = False
            del _active_stubs[self.client]
        self.detach_s3()
        pending = self.pending_results() if report_unused else []
        if pending:
            warnings.warn(pending_message(pending), UnusedResultsWarning, stacklevel=3)

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
                self._check_error(method, index, operation, result)
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
        input_shape = operation.model.input_shape
        assert input_shape is not None
        rules = input_shape.members["EndpointName"].metadata
        if not isinstance(endpoint_name, str):
            msg = (
                f"stub.{method}(endpoint_name=...) must be a str; "
                f"got {describe(endpoint_name)}."
            )
            raise TypeError(msg)
        pattern = rules.get("pattern", ".*")
        maximum = rules.get("max", len(endpoint_name))
        if len(endpoint_name) > maximum or not re.fullmatch(pattern, endpoint_name):
            msg = (
                f"stub.{method}(endpoint_name={endpoint_name!r}) is not an "
                f"endpoint name the service accepts: expected at most {maximum} "
                f"characters matching {pattern}."
            )
            raise ValueError(msg)

    def _check_error(
        self, method: str, index: int, operation: _Operation, error: ErrorResult
    ) -> None:
        code = error.code
        if code in STREAM_ERROR_CODES:
            factory = STREAM_ERROR_CODES[code]
            msg = (
                f"stub.{method}(): result {index} is an ErrorResult with code "
                f"{code}, which the service sends inside a response stream. Queue "
                f"StreamResult(parts=[...], error=StreamError.{factory}(...)) with "
                "stub.queue_stream() instead."
            )
            raise ValueError(msg)
        if code in self._service_error_codes and code not in operation.error_codes:
            msg = (
                f"stub.{method}(): result {index} is a {code}, which "
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
        checks: list[tuple[str, str, str | bytes | None]] = [
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
            if value is None or maximum is None or len(value) <= maximum:
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

    # -- inspection ---------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call made through the stubbed client, in order."""
        with self._calls_lock:
            return list(self._calls)

    def pending_results(self) -> list[PendingResult]:
        """Queued results no call has used yet, in the order they were queued.

        Stubber expectations (``add_response``) are listed too.
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
    ) -> tuple[AWSResponse, dict[str, Any]]:
        captured: _Captured | None = context.pop(_CONTEXT_KEY, None)
        if captured is None or captured.via_stubber:
            stubber: Any = super()
            response: tuple[AWSResponse, dict[str, Any]] = (
                stubber._get_response_handler(model, params, context, **kwargs)
            )
            api_params = captured.params if captured else {}
            self._record(
                model.name,
                api_params,
                _Body(_read_body(params)),
                result=None,
                source=Source.STUBBER,
            )
            return response
        operation = self._operations[model.name]
        body = _Body(_read_body(params))
        return self._answer(operation, params, captured.params, body)

    def _stubber_queue(self) -> Sequence[dict[str, Any]]:
        """Expectations added through the Stubber API, not yet served."""
        queue: Sequence[dict[str, Any]] = cast(Any, self)._queue
        return queue

    # -- answering ------------------------------------------------------------

    def _identity(
        self, operation: _Operation, request: dict[str, Any], body: _Body
    ) -> Hashable:
        headers = request.get("headers", {})
        values = tuple(headers.get(name) for name in operation.identity_headers)
        if operation.kind is Kind.ASYNC and values[0] is not None:
            return values
        return (values, body.digest)

    def _missing(
        self, operation: _Operation, params: Mapping[str, Any], body: _Body
    ) -> NoResultError:
        kind = operation.kind
        endpoint = params.get("EndpointName")
        shown = ", ".join(
            f"{name}={value!r}"
            for name, value in params.items()
            if name not in ("EndpointName", "Body")
        )
        parts = [shown] if shown else []
        size = len(body.data)
        parts.append(
            f"Body of {size} bytes {preview(body.data)}" if size else "no Body"
        )
        lines = [
            (
                f"No result is queued for {operation.model.name} on endpoint "
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

    def _answer(
        self,
        operation: _Operation,
        request: dict[str, Any],
        params: dict[str, Any],
        body: _Body,
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """Choose the result for a request and render it."""
        kind = operation.kind
        inference_id = None
        if kind is Kind.ASYNC:  # echoed, or a fresh one per call
            inference_id = params.get("InferenceId") or str(uuid.uuid4())

        def build(pending: PendingResult | None, source: Source) -> object:
            if pending is None:
                if not self.allow_defaults:
                    raise _NothingQueued
                result: object = _DEFAULTS[kind]
            else:
                result = pending.result
            if isinstance(result, ErrorResult):
                return result
            if inference_id is not None:
                return self._store_async(result, params, inference_id)
            if kind is Kind.STREAM and isinstance(result, InvokeResult):
                return _as_stream(result)
            return result

        key = self._identity(operation, request, body)
        try:
            served, source = self._book.take(kind, params["EndpointName"], key, build)
        except _NothingQueued:
            raise self._missing(operation, params, body) from None
        url: str = request["url"]
        if isinstance(served, ErrorResult):
            self._record(
                operation.model.name, params, body, result=served, source=source
            )
            return self._render_error(operation, url, params, served)
        if isinstance(served, _AsyncServed):
            assert inference_id is not None
            return self._respond_async(
                operation,
                url,
                params=params,
                body=body,
                served=served,
                source=source,
                inference_id=inference_id,
            )
        if isinstance(served, StreamResult):
            return self._respond_stream(
                operation, url, params=params, body=body, result=served, source=source
            )
        assert isinstance(served, InvokeResult)
        self._record(operation.model.name, params, body, result=served, source=source)
        model = operation.model
        headers = self._result_headers(model, served)
        headers["content-type"] = served.content_type
        return self._renderer.respond(model, url, 200, headers, served.body)

    def _result_headers(
        self, model: OperationModel, result: InvokeResult | StreamResult
    ) -> dict[str, str]:
        """The optional headers a model's answer carries."""
        headers = {}
        if result.invoked_production_variant is not None:
            name = self._renderer.header_name(model, "InvokedProductionVariant")
            headers[name] = result.invoked_production_variant
        if result.custom_attributes is not None:
            name = self._renderer.header_name(model, "CustomAttributes")
            headers[name] = result.custom_attributes
        return headers

    def _store_async(
        self, result: object, params: Mapping[str, Any], inference_id: str
    ) -> _AsyncServed:
        """Write an async result's data to fresh locations (under the lock)."""
        if isinstance(result, InvokeResult):
            result = self._as_async(result)
        assert isinstance(result, AsyncResult)
        if result.available_after and self._write_through is not None:
            msg = (
                f"{result!r} waits for {result.available_after} read(s) through "
                "the stub's S3, but outputs are written to another S3 client "
                "(write_outputs_to), where reads cannot be counted. Use hold=True "
                "and stub.complete(inference_id) instead."
            )
            raise SageMakerStubError(msg)
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
        operation: _Operation,
        url: str,
        *,
        params: dict[str, Any],
        body: _Body,
        served: _AsyncServed,
        source: Source,
        inference_id: str,
    ) -> tuple[AWSResponse, dict[str, Any]]:
        if source is not Source.REMEMBERED and not served.result.hold:
            self._write_out(served.written)
        input_location = params.get("InputLocation")
        input_object = None
        if isinstance(input_location, str):
            input_object, _ = self._store.peek(input_location)
        self._record(
            operation.model.name,
            params,
            body,
            result=served.result,
            source=source,
            inference_id=inference_id,
            output_location=served.output_location,
            failure_location=served.failure_location,
            input_object=input_object,
        )
        model = operation.model
        headers = {
            "content-type": JSON_CONTENT_TYPE,
            self._renderer.header_name(model, "OutputLocation"): served.output_location,
            self._renderer.header_name(
                model, "FailureLocation"
            ): served.failure_location,
        }
        status = model.http.get("responseCode", 200)
        payload = json.dumps({"InferenceId": inference_id}).encode("utf-8")
        return self._renderer.respond(model, url, status, headers, payload)

    def _respond_stream(
        self,
        operation: _Operation,
        url: str,
        *,
        params: dict[str, Any],
        body: _Body,
        result: StreamResult,
        source: Source,
    ) -> tuple[AWSResponse, dict[str, Any]]:
        progress = StreamProgress(parts_total=len(result.parts))
        self._record(
            operation.model.name,
            params,
            body,
            result=result,
            source=source,
            stream=progress,
        )
        error = None
        if result.error is not None:
            fields = {"Message": result.error.message}
            if result.error.error_code is not None:
                fields["ErrorCode"] = result.error.error_code
            error = encode_exception(result.error.code, fields)
        model = operation.model
        headers = self._result_headers(model, result)
        headers["content-type"] = _EVENT_STREAM_CONTENT_TYPE
        headers[self._renderer.header_name(model, "ContentType")] = result.content_type
        stream = EventStreamBody(result.parts, error, progress)
        return self._renderer.respond(model, url, 200, headers, stream)

    @staticmethod
    def _as_async(result: InvokeResult) -> AsyncResult:
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
            "InvokedProductionVariant": result.invoked_production_variant,
            "CustomAttributes": result.custom_attributes,
        }
        return AsyncResult(
            data=dump_json(document, "the fallback result"),
            content_type=JSON_CONTENT_TYPE,
        )

    def _render_error(
        self,
        operation: _Operation,
        url: str,
        params: Mapping[str, Any],
        error: ErrorResult,
    ) -> tuple[AWSResponse, dict[str, Any]]:
        fields: dict[str, object] = dict(error.fields)
        message = error.message
        if error.code == "ModelError":
            endpoint = params.get("EndpointName")
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
            operation.model,
            url,
            code=error.code,
            status=error.status_code,
            fields=fields,
        )

    def _record(
        self,
        operation: str,
        params: Mapping[str, Any],
        body: _Body,
        *,
        result: object,
        source: Source,
        inference_id: str | None = None,
        output_location: str | None = None,
        failure_location: str | None = None,
        stream: StreamProgress | None = None,
        input_object: S3Object | None = None,
    ) -> None:
        call = Call(
            operation=operation,
            endpoint_name=params.get("EndpointName", ""),
            params={name: value for name, value in params.items() if name != "Body"},
            body_size=len(body.data),
            body_sha256=body.digest.hex(),
            body=body.data if self.keep_bodies else None,
            result=result,
            source=source,
            inference_id=inference_id,
            output_location=output_location,
            failure_location=failure_location,
            stream=stream,
            input_object=input_object,
        )
        with self._calls_lock:
            self._calls.append(call)
