"""The server's control API in JSON: results, endpoints and faults, and calls out.

What an out-of-process test POSTs to the local server, read into the same
typed objects the Python API takes, so every check of theirs applies. A
mistake raises :class:`ControlError` naming the field as a path
(``results[1].body_base64``), what was given and what is expected.
The shapes are documented in docs/server.md.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .._engine.calls import Call
from .._faults import FailEvery, FailNext, FailRandomly, Fault, Latency
from .._results import AsyncResult, ErrorResult, InvokeResult, StreamError, StreamResult
from .._text import describe

__all__ = ["ControlError", "call_json", "fault_of", "results_of"]

_T = TypeVar("_T")


class ControlError(ValueError):
    """A control request the server cannot read; its message names the field."""


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        msg = f"{where} must be a JSON object; got {describe(value)}."
        raise ControlError(msg)
    return value


def _known(value: Mapping[str, Any], where: str, keys: tuple[str, ...]) -> None:
    unknown = sorted(set(value) - set(keys))
    if unknown:
        msg = (
            f"{where} has unknown keys {', '.join(map(repr, unknown))}; it takes "
            f"{', '.join(keys)}."
        )
        raise ControlError(msg)


def _bytes(value: Mapping[str, Any], key: str, where: str) -> bytes | None:
    """``key`` as text, or ``key_base64`` decoded; None if neither is given."""
    text, encoded = value.get(key), value.get(f"{key}_base64")
    if text is not None and encoded is not None:
        msg = f"{where} gives both {key} and {key}_base64; give one."
        raise ControlError(msg)
    if text is not None:
        return _text(text, f"{where}.{key}").encode("utf-8")
    if encoded is None:
        return None
    return _decoded(encoded, f"{where}.{key}_base64")


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        msg = f"{where} must be a string; got {describe(value)}."
        raise ControlError(msg)
    return value


def _decoded(value: object, where: str) -> bytes:
    try:
        return base64.b64decode(_text(value, where), validate=True)
    except (binascii.Error, ValueError) as exc:
        msg = f"{where} must be base64; got {describe(value)}."
        raise ControlError(msg) from exc


def _built(where: str, build: Callable[[], _T]) -> _T:
    """Build a typed object, its own check's message prefixed with ``where``."""
    try:
        return build()
    except (TypeError, ValueError) as exc:
        msg = f"{where}: {exc}"
        raise ControlError(msg) from exc


def error_of(value: object, where: str, statuses: Mapping[str, int]) -> ErrorResult:
    """``{"code", "message", "status_code", "fields", "remember"}``.

    Without ``status_code``, the status the service model gives the code
    (``statuses``), or 400 for a code it does not model.
    """
    spec = _object(value, where)
    _known(spec, where, ("code", "message", "status_code", "fields", "remember"))
    code = spec.get("code")
    status = spec.get(
        "status_code", statuses.get(code, 400) if isinstance(code, str) else 400
    )
    return _built(
        where,
        lambda: ErrorResult(
            code=code,  # type: ignore[arg-type]
            message=spec.get("message"),
            status_code=status,
            fields=spec.get("fields", {}),
            remember=spec.get("remember", False),
        ),
    )


_OPTIONS = ("content_type", "invoked_production_variant", "custom_attributes")


def _invoke(spec: Mapping[str, Any], where: str) -> InvokeResult:
    _known(spec, where, ("body", "body_base64", *_OPTIONS))
    body = _bytes(spec, "body", where)
    options = {key: spec[key] for key in _OPTIONS if key in spec}
    return _built(where, lambda: InvokeResult(body=body or b"", **options))


def _async(spec: Mapping[str, Any], where: str) -> AsyncResult:
    keys = ("data", "data_base64", "failure", "content_type", "available_after", "hold")
    _known(spec, where, keys)
    data = _bytes(spec, "data", where) or b""
    options = {key: spec[key] for key in keys[3:] if key in spec}
    return _built(
        where,
        lambda: AsyncResult(
            data=data, is_failure=spec.get("failure", False), **options
        ),
    )


def _stream(spec: Mapping[str, Any], where: str) -> StreamResult:
    _known(
        spec,
        where,
        ("parts", "parts_base64", "stream_error", *_OPTIONS),
    )
    if "parts" in spec and "parts_base64" in spec:
        msg = f"{where} gives both parts and parts_base64; give one."
        raise ControlError(msg)
    encoded = "parts_base64" in spec
    key = "parts_base64" if encoded else "parts"
    given = spec.get(key, [])
    if not isinstance(given, list):
        msg = f"{where}.{key} must be a list of strings; got {describe(given)}."
        raise ControlError(msg)
    parts = [
        _decoded(part, f"{where}.{key}[{index}]")
        if encoded
        else _text(part, f"{where}.{key}[{index}]").encode("utf-8")
        for index, part in enumerate(given)
    ]
    error = None
    if spec.get("stream_error") is not None:
        raw = _object(spec["stream_error"], f"{where}.stream_error")
        _known(raw, f"{where}.stream_error", ("code", "message", "error_code"))
        error = _built(f"{where}.stream_error", lambda: StreamError(**raw))
    options = {key: spec[key] for key in _OPTIONS if key in spec}
    return _built(where, lambda: StreamResult(parts=parts, error=error, **options))


_KINDS: dict[str, Callable[[Mapping[str, Any], str], object]] = {
    "invoke": _invoke,
    "async": _async,
    "stream": _stream,
}


def results_of(
    queue: str, results: object, statuses: Mapping[str, int], where: str = "results"
) -> list[object]:
    """The results of a ``POST /_sagemaker_stub/queue`` body, for ``queue``.

    ``statuses`` are the service model's error statuses (see :func:`error_of`).
    """
    build = _KINDS[queue]
    if not isinstance(results, list) or not results:
        msg = f"{where} must be a non-empty list of results; got {describe(results)}."
        raise ControlError(msg)
    built: list[object] = []
    for index, value in enumerate(results):
        at = f"{where}[{index}]"
        spec = _object(value, at)
        if "error" in spec:
            _known(spec, at, ("error",))
            built.append(error_of(spec["error"], f"{at}.error", statuses))
        else:
            built.append(build(spec, at))
    return built


def fault_of(value: object, statuses: Mapping[str, int], where: str = "fault") -> Fault:
    """``{"policy": "fail_next" | "fail_every" | "fail_randomly" | "latency", ...}``."""
    spec = _object(value, where)
    policy = spec.get("policy")
    shapes: dict[str, tuple[type, tuple[str, ...]]] = {
        "fail_next": (FailNext, ("error", "times")),
        "fail_every": (FailEvery, ("error", "nth")),
        "fail_randomly": (FailRandomly, ("error", "probability", "seed")),
        "latency": (Latency, ("seconds", "times")),
    }
    if policy not in shapes:
        msg = (
            f"{where}.policy must be one of {', '.join(shapes)}; "
            f"got {describe(policy)}."
        )
        raise ControlError(msg)
    cls, keys = shapes[policy]
    _known(spec, where, ("policy", "endpoint_name", "operations", *keys))
    arguments = {key: spec[key] for key in keys if key in spec}
    if "error" in keys:
        arguments["error"] = error_of(spec.get("error"), f"{where}.error", statuses)
    fault: Fault = _built(where, lambda: cls(**arguments))
    return fault


def call_json(call: Call) -> dict[str, Any]:
    """A recorded call as JSON (``GET /_sagemaker_stub/calls``)."""
    stream = call.stream
    return {
        "operation": call.operation,
        "endpoint_name": call.endpoint_name,
        "region": call.region,
        "params": dict(call.params),
        "body_size": call.body_size,
        "body_sha256": call.body_sha256,
        "source": call.source.value,
        "result": None if call.result is None else repr(call.result),
        "inference_id": call.inference_id,
        "output_location": call.output_location,
        "failure_location": call.failure_location,
        "stream": None
        if stream is None
        else {
            "parts_read": stream.parts_read,
            "closed": stream.closed,
            "finished": stream.finished,
        },
        "attempt": call.attempt,
        "latency": call.latency,
        "fault": None if call.fault is None else repr(call.fault),
        "session_id": call.session_id,
    }
