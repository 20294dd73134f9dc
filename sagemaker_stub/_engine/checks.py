"""Checks of what a test passes to the stub, raised where the test made the mistake.

Each message names the argument, what was given and what is expected. The
checks that need the service (name patterns, maximum lengths, which errors an
operation returns) read botocore's service model through the engine's
operations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sagemaker_stub._faults import FailEvery, FailNext, FailRandomly, Fault, Latency
from sagemaker_stub._results import AsyncResult, ErrorResult, InvokeResult, StreamResult
from sagemaker_stub._stream_result import STREAM_ERROR_CODES
from sagemaker_stub._text import describe, preview

from .faults import InstalledFault
from .identity import Kind
from .registry import EndpointSpec
from .request import Operation

__all__ = ["Arguments"]

_FAULT_TYPES = (FailNext, FailEvery, FailRandomly, Latency)
#: What each queue takes, besides ErrorResult.
_ACCEPTED: dict[Kind, tuple[type, ...]] = {
    Kind.SYNC: (InvokeResult,),
    Kind.ASYNC: (AsyncResult,),
    Kind.STREAM: (StreamResult,),
}
_QUEUE_FOR: dict[type, str] = {
    InvokeResult: "queue",
    AsyncResult: "queue_async",
    StreamResult: "queue_stream",
}


class Arguments:
    """Checks the arguments of the stub's public methods."""

    def __init__(
        self, operations: Mapping[str, Operation], service_error_codes: frozenset[str]
    ) -> None:
        self._operations = operations
        self._service_error_codes = service_error_codes

    def results(
        self,
        kind: Kind,
        method: str,
        results: Sequence[object],
        endpoint_name: str | None,
        *,
        allow_empty: bool = False,
    ) -> None:
        """Refuse results a queue cannot take, or the service could not send."""
        operation = self._operations[kind.value]
        accepted = _ACCEPTED[kind]
        if not results and not allow_empty:
            msg = f"stub.{method}() needs at least one result."
            raise TypeError(msg)
        if endpoint_name is not None:
            self.endpoint_name(method, endpoint_name)
        for index, result in enumerate(results, 1):
            if isinstance(result, ErrorResult):
                self.error(method, f"result {index}", operation, result)
            elif isinstance(result, accepted):
                self._limits(method, f"result {index}", operation, result)
            else:
                names = " or ".join(cls.__name__ for cls in (*accepted, ErrorResult))
                msg = (
                    f"stub.{method}() takes {names}; result {index} is "
                    f"{describe(result)}."
                )
                home = _QUEUE_FOR.get(type(result))
                if home is not None:
                    msg += f" Queue {type(result).__name__} objects with stub.{home}()."
                elif isinstance(result, (list, tuple)):
                    kind_name = type(result).__name__
                    msg += (
                        f" Pass results one by one, or unpack the {kind_name}: "
                        f"stub.{method}(*results)."
                    )
                raise TypeError(msg)

    def endpoint_name(self, method: str, endpoint_name: object) -> None:
        """Refuse an ``endpoint_name=`` the service would refuse."""
        self.name(
            f"stub.{method}(endpoint_name=...)",
            self._operations[Kind.SYNC.value],
            "EndpointName",
            endpoint_name,
        )

    @staticmethod
    def name(where: str, operation: Operation, member: str, value: object) -> None:
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

    def error(
        self, method: str, subject: str, operation: Operation, error: ErrorResult
    ) -> None:
        """Refuse an error the operation never returns."""
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
                f"{operation.name} never returns; it returns "
                f"{', '.join(sorted(operation.error_codes))} (and unmodeled "
                "errors such as ThrottlingException)."
            )
            raise ValueError(msg)

    def answer(self, method: str, operation: Operation, result: object) -> None:
        """Refuse a result computed for a call that the service could not send
        for ``operation`` (an error it never returns, a field too long)."""
        if isinstance(result, ErrorResult):
            self.error(method, "the result", operation, result)
        else:
            self._limits(method, "the result", operation, result)

    @staticmethod
    def _limits(
        method: str, subject: str, operation: Operation, result: object
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
                f"stub.{method}(): {subject} has "
                f"{type(result).__name__}.{field} of "
                f"{len(value)} {unit}, over the {maximum} {unit} the service "
                f"allows for {operation.name} {member}; got {shown}."
            )
            raise ValueError(msg)

    def endpoint(
        self,
        name: object,
        variants: object,
        inference_components: object,
        target_models: object,
    ) -> EndpointSpec:
        """The declaration ``add_endpoint`` was given, checked."""
        operation = self._operations[Kind.SYNC.value]
        self.name("stub.add_endpoint(name=...)", operation, "EndpointName", name)
        assert isinstance(name, str)
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
                self.name(where, operation, member, value)
                if value in values[:index]:
                    msg = (
                        f"{where} is {value!r}, which is already in the list; "
                        "each name may appear once."
                    )
                    raise ValueError(msg)
            lists[argument] = tuple(values)
        if not lists["variants"]:
            msg = "stub.add_endpoint(variants=...) needs at least one variant name."
            raise ValueError(msg)
        return EndpointSpec(
            name=name,
            variants=lists["variants"],
            inference_components=lists["inference_components"],
            target_models=None if target_models is None else lists["target_models"],
        )

    def fault(
        self,
        fault: object,
        endpoint_name: str | None,
        operations: object,
        origin: str,
    ) -> InstalledFault:
        """The policy ``add_fault`` was given, checked and scoped."""
        if not isinstance(fault, _FAULT_TYPES):
            names = ", ".join(cls.__name__ for cls in _FAULT_TYPES)
            msg = f"stub.add_fault() takes one of {names}; got {describe(fault)}."
            raise TypeError(msg)
        if endpoint_name is not None:
            self.endpoint_name("add_fault", endpoint_name)
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
                self.error("add_fault", "the fault's error", sync, error)
        else:
            chosen = self._fault_operations(operations, error)
        policy: Fault = fault
        return InstalledFault(
            fault=policy,
            endpoint_name=endpoint_name,
            operations=frozenset(chosen),
            origin=origin,
        )

    def _fault_operations(
        self, operations: object, error: ErrorResult | None
    ) -> list[str]:
        chosen = self.operation_names("add_fault", operations)
        if error is not None:
            for name in chosen:
                self.error(
                    "add_fault", "the fault's error", self._operations[name], error
                )
        return chosen

    def operation_names(self, method: str, operations: object) -> list[str]:
        """Refuse an ``operations=`` that names anything but operations the
        stub answers; the names, in order."""
        if isinstance(operations, str) or not isinstance(operations, Sequence):
            msg = (
                f"stub.{method}(operations=...) must be a sequence of "
                f"operation names; got {describe(operations)}."
            )
            raise TypeError(msg)
        chosen = list(operations)
        for name in chosen:
            if name not in self._operations:
                msg = (
                    f"stub.{method}(operations=...): {name!r} is not an "
                    "operation the stub answers; expected one of "
                    f"{', '.join(sorted(self._operations))}."
                )
                raise ValueError(msg)
        return chosen

    def _can_return(self, operation: Operation, error: ErrorResult) -> bool:
        """Whether the operation can answer with this error at all."""
        if error.code in STREAM_ERROR_CODES:
            return False
        return (
            error.code not in self._service_error_codes
            or error.code in operation.error_codes
        )

    @staticmethod
    def buckets(buckets: object, where: str = "stub.attach_s3(buckets=...)") -> None:
        """Refuse ``buckets=...`` entries that are not bucket names."""
        if isinstance(buckets, str) or not isinstance(buckets, Sequence):
            msg = (
                f"{where} must be a sequence of bucket names; "
                f"got {describe(buckets)}. Wrap a single name in a list."
            )
            raise TypeError(msg)
        for index, bucket in enumerate(buckets):
            if not isinstance(bucket, str) or not bucket:
                msg = f"{where}[{index}] must be a bucket name; got {describe(bucket)}."
                raise TypeError(msg)
