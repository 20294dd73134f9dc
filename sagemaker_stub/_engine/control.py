"""The control surface a test drives: queues, endpoints, faults, outputs, history.

:class:`Control` is the public API apart from any client or lifecycle: it
checks what the test passes, where the test passed it, and hands it to the
engine. The stub, ``mock()`` and the server each hold one and offer its
methods as their own (see ``sagemaker_stub._delegate``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sagemaker_stub._errors import PendingResultsError, pending_message
from sagemaker_stub._faults import Fault
from sagemaker_stub._python_internals import origin
from sagemaker_stub._results import AsyncResult, ErrorResult, InvokeResult, StreamResult

from .book import PendingResult
from .calls import Call
from .engine import Engine
from .identity import Kind
from .moto import async_results_from_moto, invoke_results_from_moto, payload_region
from .objects import S3Object
from .registry import Session

__all__ = ["Control"]


#: What reads a moto payload's results, by the queue they go to.
_MOTO_READERS: dict[Kind, Callable[..., Sequence[object]]] = {
    Kind.SYNC: invoke_results_from_moto,
    Kind.ASYNC: async_results_from_moto,
}


class Control:
    """Queues, endpoints, faults, async outputs and the call history.

    Args:
        engine: The engine the test's input goes to.
        region: The region moto payloads must name (the stubbed client's);
            None for a mock or a server, which answer clients in every
            region: a payload's results serve its region's calls only (moto
            keeps a backend per region), and each region remembers its own
            answers.
        pending_elsewhere: Results another answerer holds for the door
            (``Stubber`` expectations), listed with the queued ones.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        region: str | None = None,
        pending_elsewhere: Callable[[], list[PendingResult]] = list,
    ) -> None:
        self.engine = engine
        self.arguments = engine.arguments
        self._region = region
        self._pending_elsewhere = pending_elsewhere

    # -- queueing ---------------------------------------------------------------

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
        self._enqueue(Kind.SYNC, "queue", results, endpoint_name)

    def queue_async(
        self, *results: AsyncResult | ErrorResult, endpoint_name: str | None = None
    ) -> None:
        """Queue results for ``invoke_endpoint_async``, served in order.

        Args:
            results: :class:`AsyncResult` or :class:`ErrorResult` objects.
            endpoint_name: As for :meth:`queue`.
        """
        self._enqueue(Kind.ASYNC, "queue_async", results, endpoint_name)

    def queue_stream(
        self, *results: StreamResult | ErrorResult, endpoint_name: str | None = None
    ) -> None:
        """Queue results for ``invoke_endpoint_with_response_stream``.

        When this queue is empty, streaming calls fall back to the
        ``invoke_endpoint`` queue, delivering that result's body as one part
        (an empty body as none).

        Args:
            results: :class:`~sagemaker_stub.StreamResult` or
                :class:`~sagemaker_stub.ErrorResult` objects. An ``ErrorResult``
                fails the call before the stream starts; a
                :class:`~sagemaker_stub.StreamError` in a ``StreamResult`` fails
                it mid-stream.
            endpoint_name: As for :meth:`queue`.
        """
        self._enqueue(Kind.STREAM, "queue_stream", results, endpoint_name)

    def load_moto_results(self, payload: Mapping[str, Any]) -> None:
        """Queue the results of a moto ``endpoint-results`` payload.

        ``payload`` is the JSON body a moto user POSTs to
        ``/moto-api/static/sagemaker/endpoint-results``.
        """
        self._load_moto(Kind.SYNC, "load_moto_results", payload)

    def load_moto_async_results(self, payload: Mapping[str, Any]) -> None:
        """Queue the results of a moto ``async-endpoint-results`` payload."""
        self._load_moto(Kind.ASYNC, "load_moto_async_results", payload)

    def _load_moto(self, kind: Kind, method: str, payload: Mapping[str, Any]) -> None:
        """Queue a payload's results: for its region alone in a mock or server."""
        account = self.engine.options.account_id
        results = _MOTO_READERS[kind](payload, region=self._region, account_id=account)
        region = payload_region(payload) if self._region is None else None
        self._enqueue(kind, method, results, None, allow_empty=True, region=region)

    def _enqueue(
        self,
        kind: Kind,
        method: str,
        results: Sequence[object],
        endpoint_name: str | None,
        *,
        allow_empty: bool = False,
        region: str | None = None,
    ) -> None:
        self.arguments.results(
            kind, method, results, endpoint_name, allow_empty=allow_empty
        )
        self.engine.book.add(
            kind,
            results,
            endpoint_name=endpoint_name,
            origin=origin(),
            region=region,
        )

    # -- endpoints, faults, sessions ----------------------------------------------

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
        spec = self.arguments.endpoint(
            name, variants, inference_components, target_models
        )
        self.engine.registry.add(spec)

    def remove_endpoint(self, name: str) -> None:
        """Delete a declared endpoint: later calls to it are refused as not found.

        Raises:
            KeyError: ``name`` was never declared.
        """
        registry = self.engine.registry
        if not registry.remove(name):
            declared = ", ".join(repr(known) for known in registry.names())
            msg = (
                f"stub.remove_endpoint({name!r}): no such endpoint was declared. "
                f"Declared endpoints: {declared or 'none'}."
            )
            raise KeyError(msg)

    @property
    def sessions(self) -> list[Session]:
        """The stateful sessions calls have opened, in the order they opened."""
        return self.engine.registry.sessions()

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
        installed = self.arguments.fault(fault, endpoint_name, operations, origin())
        self.engine.faults.add(installed)

    def clear_faults(self) -> None:
        """Remove every fault policy."""
        self.engine.faults.clear()

    def reset(self) -> None:
        """Forget everything the test set up or the calls left behind.

        Queued results, remembered answers, the call history, fault policies,
        responders, declared endpoints and sessions, stored objects and the
        buckets and output paths the stub owned are all cleared; the stub
        stays active.

        .. versionadded:: 0.1.0
        """
        self.engine.reset()

    # -- inspection ---------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call answered, in order (``call.client`` says whose)."""
        return self.engine.calls.snapshot()

    def pending_results(self) -> list[PendingResult]:
        """Queued results no call has used yet, in the order they were queued.

        Stubber expectations (``add_response``) are listed too, and fault
        policies with a count (``FailNext``, ``Latency(times=...)``) that have
        not fired that many times.
        """
        pending = self.engine.book.pending()
        pending.extend(self._pending_elsewhere())
        pending.extend(self.engine.faults.unfired())
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

    # -- async outputs --------------------------------------------------------------

    def read_output(self, s3_uri: str) -> bytes:
        """The object an async result wrote at ``s3_uri``.

        Raises:
            OutputNotFoundError: Nothing was written there.
        """
        return self.engine.outputs.read(s3_uri, self.engine.calls)

    def store_input(
        self, s3_uri: str, data: bytes | str, *, content_type: str = "application/json"
    ) -> S3Object:
        """Store an input object, as a test's set-up would upload it.

        Its bucket becomes owned, so an attached S3 client serves it, and an
        async call with this ``InputLocation`` is linked to it in
        :attr:`calls` (``call.input_object``).
        """
        return self.engine.outputs.store_input(s3_uri, data, content_type)

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
        failure path is given). A request whose ``InferenceId`` was used
        before gets a fresh name for both, so no two requests share one.

        Args:
            s3_output_path: The endpoint config's ``S3OutputPath``.
            s3_failure_path: Its ``S3FailurePath``.
            endpoint_name: Apply to this endpoint only; by default, to all.
        """
        self.engine.outputs.configure(s3_output_path, s3_failure_path, endpoint_name)

    def complete(self, inference: str) -> None:
        """Make a held (or still pending) async output visible now.

        Args:
            inference: The ``InferenceId`` an async call returned, or the S3
                URI of its output or failure location.

        Raises:
            SageMakerStubError: No async call returned that id or location.
        """
        self.engine.outputs.complete(inference, self.engine.calls)
