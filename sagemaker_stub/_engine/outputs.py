"""Async outputs: where they are written, the buckets the stub owns, and reads.

An async call's result is written to an output (or failure) location in the
stub's :class:`ObjectStore`. This module chooses the locations, as moto does
or as an endpoint's async output config does, keeps the set of buckets the
stub owns (so an attached S3 client is answered for them), and hands each
visible output to an :class:`OutputSink` when a test asked for one
(``write_outputs_to``). The engine calls the sink after the result book's lock
is released: a sink does I/O.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from sagemaker_stub._errors import OutputNotFoundError, SageMakerStubError
from sagemaker_stub._results import AsyncResult
from sagemaker_stub._text import describe

from .book import Queued
from .calls import CallLog
from .objects import ObjectStore, S3Object, split_s3_uri

__all__ = ["GENERATED_BUCKET_PREFIX", "AsyncOutputs", "OutputSink", "Placed"]

#: The prefix of the buckets the stub makes up, as moto names them.
GENERATED_BUCKET_PREFIX = "sagemaker-output-"


class OutputSink(Protocol):
    """Where visible outputs are also written (an S3 client, for a test that
    asked with ``write_outputs_to``)."""

    def write(self, obj: S3Object) -> None:
        """Write ``obj`` at its URI; raise if it cannot be written."""


@attrs.frozen
class Placed:
    """An async result and the locations it was given, remembered together."""

    result: AsyncResult
    output_location: str
    failure_location: str
    #: The queued result it was built from (None for the static default),
    #: to put back if the output cannot be written out.
    taken: Queued | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def written(self) -> str:
        """The location that holds the result's data."""
        return self.failure_location if self.result.is_failure else self.output_location


class AsyncOutputs:
    """The objects async calls wrote, and the buckets that hold them."""

    def __init__(self) -> None:
        self.store = ObjectStore()
        self._owned: set[str] = set()
        self._owned_lock = threading.Lock()
        self._paths: dict[str | None, tuple[str, str]] = {}
        #: Every location an async call was given (``place`` runs under the
        #: result book's lock, one call at a time).
        self._handed_out: set[str] = set()
        #: Where visible outputs are also written (``write_outputs_to``).
        self.sink: OutputSink | None = None

    def clear(self) -> None:
        """Forget every object, owned bucket and output path."""
        self.store.clear()
        with self._owned_lock:
            self._owned.clear()
        self._paths.clear()
        self._handed_out.clear()

    # -- buckets ----------------------------------------------------------------

    def owns(self, bucket: str) -> bool:
        """Whether the stub answers S3 requests for ``bucket``."""
        return bucket in self._owned

    def owned(self) -> list[str]:
        """The buckets the stub owns, sorted."""
        with self._owned_lock:
            return sorted(self._owned)

    def own(self, *buckets: str) -> None:
        """Answer S3 requests for these buckets from now on."""
        with self._owned_lock:
            self._owned.update(buckets)

    def configure(
        self,
        s3_output_path: object,
        s3_failure_path: object,
        endpoint_name: str | None,
    ) -> None:
        """Hand out locations under these paths (see ``configure_async_output``)."""
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
            self.own(bucket)
            paths.append(folder)
        self._paths[endpoint_name] = (paths[0], paths[1])

    # -- writing ----------------------------------------------------------------

    def place(
        self,
        params: Mapping[str, Any],
        result: AsyncResult,
        inference_id: str,
        taken: Queued | None,
    ) -> Placed:
        """Choose the locations of an async result and store its data there.

        Runs under the result book's lock: it touches only memory. A sink, if
        any, is written by :meth:`write_placed` once the lock is released.
        """
        if result.available_after and self.sink is not None:
            msg = (
                f"{result!r} waits for {result.available_after} read(s) through "
                "the stub's S3, but outputs are written to another S3 client "
                "(write_outputs_to), where reads cannot be counted. Use hold=True "
                "and stub.complete(inference_id) instead."
            )
            raise SageMakerStubError(msg)
        paths = self._paths.get(params["EndpointName"]) or self._paths.get(None)
        if paths is None:
            bucket = f"{GENERATED_BUCKET_PREFIX}{uuid.uuid4()}"
            self.own(bucket)
            output = f"s3://{bucket}/response.json"
            failure = f"s3://{bucket}/failure.json"
        else:
            extension = params.get("S3OutputPathExtension")
            folder = paths[0] + (f"/{extension.strip('/')}" if extension else "")
            name = inference_id
            if self._handed_out.intersection(
                (f"{folder}/{name}.out", f"{paths[1]}/{name}-error.out")
            ):  # an InferenceId used again: this request gets names of its own
                name = str(uuid.uuid4())
            output = f"{folder}/{params.get('Filename') or f'{name}.out'}"
            failure = f"{paths[1]}/{name}-error.out"
        self._handed_out.update((output, failure))
        placed = Placed(result, output, failure, taken)
        self.store.put(
            S3Object.build(placed.written, result.data, result.content_type),
            reads_before_visible=result.available_after,
            held=result.hold,
        )
        return placed

    def write_placed(self, placed: Placed) -> None:
        """Write a new output to the sink, unless it is held.

        Raises:
            SageMakerStubError: The sink could not write it; the object is
                removed, for the engine to put its result back.
        """
        uri = placed.written
        if placed.result.hold:
            return
        try:
            self.write_out(uri)
        except Exception as exc:
            self.store.remove(uri)
            msg = (
                f"Writing the async output to {uri!r} through the S3 client given "
                f"to write_outputs_to() failed: {exc}. The result stays queued "
                "and no call was answered; create the bucket there, or configure "
                "outputs where that client can write."
            )
            raise SageMakerStubError(msg) from exc

    def store_input(self, s3_uri: str, data: object, content_type: str) -> S3Object:
        """Store an input object; its bucket becomes owned."""
        bucket, _ = split_s3_uri(s3_uri, "stub.store_input(s3_uri)")
        if not isinstance(data, (bytes, str)):
            msg = f"stub.store_input(data) must be bytes or str; got {describe(data)}."
            raise TypeError(msg)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        stored = S3Object.build(s3_uri, raw, content_type)
        self.own(bucket)
        self.store.put(stored)
        return stored

    def input_object(self, location: object) -> S3Object | None:
        """The stored object at an async call's ``InputLocation``, if any."""
        if not isinstance(location, str):
            return None
        stored, _ = self.store.peek(location)
        return stored

    def write_out(self, uri: str) -> None:
        """Write a visible output to the sink, if there is one.

        Only visible objects come here: held ones once released, and counted
        reads are refused with a sink.
        """
        sink = self.sink
        if sink is None:
            return
        stored, hidden = self.store.peek(uri)
        assert stored is not None
        assert hidden is None
        sink.write(stored)

    # -- reading ----------------------------------------------------------------

    def read(self, s3_uri: str, calls: CallLog) -> bytes:
        """The object an async result wrote at ``s3_uri`` (``read_output``)."""
        stored, hidden = self.store.peek(s3_uri)
        if stored is not None and hidden is None:
            return stored.data
        if stored is not None:
            msg = f"The async output at {s3_uri!r} is not visible yet: it is {hidden}."
            raise OutputNotFoundError(msg)
        msg = f"No async output is stored at {s3_uri!r}."
        other = calls.other_location(s3_uri)
        known = self.store.uris()
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

    def complete(self, inference: str, calls: CallLog) -> None:
        """Make a held (or still pending) async output visible now."""
        call = calls.async_call(inference)
        if call is None:
            listed = ", ".join(repr(name) for name in calls.inference_ids())
            msg = (
                f"stub.complete({inference!r}): no async call returned that "
                f"inference id or location. Inference ids so far: "
                f"{listed or 'none yet'}."
            )
            raise SageMakerStubError(msg)
        output, failure = call.output_location, call.failure_location
        assert output is not None
        assert failure is not None
        stored, _ = self.store.peek(output)
        written = output if stored is not None else failure
        self.store.release(written)
        self.write_out(written)
