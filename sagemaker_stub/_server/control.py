"""The server's control API in JSON: results, endpoints and faults, and calls out.

What an out-of-process test POSTs to the local server, read into the same
typed objects the Python API takes, so every check of theirs applies. A
mistake raises :class:`ControlError` naming the field as a path
(``results[1].body_base64``), what was given and what is expected, and is
answered 400 with that message. The shapes are documented in docs/server.md.
:class:`ControlRoutes` serves the endpoints (``/_sagemaker_stub/...`` and
moto's ``/moto-api/static/sagemaker/...``) from the server's
:class:`~sagemaker_stub._engine.control.Control`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import unquote

from sagemaker_stub._engine.calls import Call
from sagemaker_stub._engine.control import Control
from sagemaker_stub._engine.request import Answer
from sagemaker_stub._faults import FailEvery, FailNext, FailRandomly, Fault, Latency
from sagemaker_stub._results import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    StreamError,
    StreamResult,
)
from sagemaker_stub._text import describe

__all__ = [
    "ControlError",
    "ControlRoutes",
    "call_json",
    "error_answer",
    "fault_of",
    "json_answer",
    "results_of",
]

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
    except (binascii.Error, ValueError):
        msg = f"{where} must be base64; got {describe(value)}."
        raise ControlError(msg) from None


def _built(where: str, build: Callable[[], _T]) -> _T:
    """Build a typed object, its own check's message prefixed with ``where``."""
    try:
        return build()
    except (TypeError, ValueError) as exc:
        msg = f"{where}: {exc}"
        raise ControlError(msg) from None


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
    if not isinstance(policy, str) or policy not in shapes:
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


# -- the endpoints ----------------------------------------------------------------


def json_answer(status: int, document: object) -> Answer:
    """A JSON document as the answer."""
    body = json.dumps(document, default=repr).encode("utf-8")
    return Answer(status, {"content-type": "application/json"}, body)


def error_answer(status: int, code: str, message: str) -> Answer:
    """An error as the service renders one: its type in ``x-amzn-errortype``."""
    answer = json_answer(status, {"message": message})
    answer.headers["x-amzn-errortype"] = code
    return answer


_QUEUES = {"invoke": "queue", "async": "queue_async", "stream": "queue_stream"}


class ControlRoutes:
    """The control endpoints: the server's :class:`Control` over HTTP."""

    def __init__(self, control: Control) -> None:
        self._control = control
        self._statuses = control.engine.error_statuses

    def moto(self, method: str, name: str, body: bytes) -> Answer:
        """moto's control endpoints (``/moto-api/<name>``), with moto's payloads.

        ``reset`` empties the server as moto's empties its backends;
        ``reset-auth`` is accepted (the server checks no IAM policies);
        ``data.json`` lists the calls and the results still queued; the
        ``static/sagemaker/...`` endpoints queue moto's results.
        """
        control = self._control
        routes: dict[tuple[str, str], Callable[[], Answer]] = {
            ("GET", "data.json"): lambda: json_answer(200, self._data()),
            ("POST", "reset"): self._moto_reset,
            ("POST", "reset-auth"): lambda: json_answer(
                200, {"status": "ok", "PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT": "inf"}
            ),
            ("POST", "static/sagemaker/endpoint-results"): lambda: _loaded(
                control.load_moto_results, body
            ),
            ("POST", "static/sagemaker/async-endpoint-results"): lambda: _loaded(
                control.load_moto_async_results, body
            ),
        }
        route = routes.get((method, name))
        if route is not None:
            return route()
        if name in ("reset", "reset-auth"):  # moto's own answer to a GET
            return json_answer(400, {"Error": f"Need to POST to {name} Moto"})
        message = (
            f"No moto endpoint {method} /moto-api/{name}: this server serves POST "
            "reset, reset-auth, static/sagemaker/endpoint-results and "
            "static/sagemaker/async-endpoint-results, and GET data.json."
        )
        return json_answer(404, {"message": message})

    def _moto_reset(self) -> Answer:
        self._control.reset()
        return json_answer(200, {"status": "ok"})

    def _data(self) -> dict[str, Any]:
        """moto's ``data.json`` shape: service, then kind, then instances."""
        return {
            "sagemakerruntime": {
                "Call": [call_json(call) for call in self._control.calls],
                "PendingResult": self._pending_json(),
            }
        }

    def handle(self, method: str, name: str, body: bytes) -> Answer:
        """The JSON control endpoints (docs/server.md)."""
        try:
            return self._handled(method, name, body)
        except (ControlError, TypeError, ValueError, KeyError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) else str(exc)
            return json_answer(400, {"message": message})

    def _handled(self, method: str, name: str, body: bytes) -> Answer:
        if method == "DELETE" and name.startswith("endpoints/"):
            self._control.remove_endpoint(unquote(name[len("endpoints/") :]))
            return _done(204)
        handler = {
            ("GET", "calls"): self._calls,
            ("GET", "pending"): self._pending,
            ("POST", "reset"): self._reset,
            ("POST", "queue"): self._queue_results,
            ("POST", "endpoints"): self._endpoint,
            ("POST", "faults"): self._fault,
            ("DELETE", "faults"): self._no_faults,
        }.get((method, name))
        if handler is None:
            message = f"No control endpoint {method} /_sagemaker_stub/{name}."
            return json_answer(404, {"message": message})
        return handler(body)

    def _calls(self, body: bytes) -> Answer:
        return json_answer(200, [call_json(call) for call in self._control.calls])

    def _pending(self, body: bytes) -> Answer:
        return json_answer(200, self._pending_json())

    def _pending_json(self) -> list[dict[str, Any]]:
        return [
            {
                "operation": item.operation,
                "endpoint_name": item.endpoint_name,
                "result": repr(item.result),
                "origin": item.origin,
            }
            for item in self._control.pending_results()
        ]

    def _reset(self, body: bytes) -> Answer:
        self._control.reset()
        return _done(204)

    def _endpoint(self, body: bytes) -> Answer:
        spec = _object_document(body)
        self._control.add_endpoint(
            spec.get("name"),  # type: ignore[arg-type]
            variants=spec.get("variants", ("AllTraffic",)),
            inference_components=spec.get("inference_components", ()),
            target_models=spec.get("target_models"),
        )
        return _done(201)

    def _fault(self, body: bytes) -> Answer:
        spec = _object_document(body)
        self._control.add_fault(
            fault_of(spec, self._statuses),
            endpoint_name=spec.get("endpoint_name"),
            operations=spec.get("operations"),
        )
        return _done(201)

    def _no_faults(self, body: bytes) -> Answer:
        self._control.clear_faults()
        return _done(204)

    def _queue_results(self, body: bytes) -> Answer:
        spec = _object_document(body)
        queue = spec.get("queue", "invoke")
        if not isinstance(queue, str) or queue not in _QUEUES:
            msg = f"queue must be one of {', '.join(_QUEUES)}; got {describe(queue)}."
            raise ControlError(msg)
        results = results_of(queue, spec.get("results"), self._statuses)
        method = getattr(self._control, _QUEUES[queue])
        method(*results, endpoint_name=spec.get("endpoint_name"))
        return json_answer(201, {"queued": len(results)})


def _loaded(load: Callable[[Any], None], body: bytes) -> Answer:
    """A moto payload loaded (201), or refused with its reason (400)."""
    try:
        load(_document(body))
    except (TypeError, ValueError) as exc:
        return json_answer(400, {"message": str(exc)})
    return _done(201)


def _document(body: bytes) -> Any:
    """A request's JSON body."""
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        msg = f"The body must be JSON: {exc}."
        raise ControlError(msg) from None
    except RecursionError:
        msg = "The body must be JSON nested no deeper than Python's recursion limit."
        raise ControlError(msg) from None


def _object_document(body: bytes) -> Mapping[str, Any]:
    """A request's JSON body, which must be an object."""
    document = _document(body)
    if not isinstance(document, Mapping):
        msg = f"The body must be a JSON object; got {describe(document)}."
        raise ControlError(msg)
    return document


def _done(status: int) -> Answer:
    return Answer(status, {"content-length": "0"}, b"")
