"""The local server's routes: the runtime API, path-style S3, the control API.

:class:`Routes` is the part of :class:`~sagemaker_stub._server.SageMakerRuntimeServer`
that turns one parsed HTTP request into a :class:`Reply`; the server module
reads requests off sockets and writes replies back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .._control import StubControl
from .._doors.http import HttpDoor
from .._doors.render import envelope
from .._doors.s3 import error_xml, list_page, object_reply
from .._engine.eventstream import EventStreamBody
from .._errors import NoResultError, SageMakerStubError
from .._text import describe
from .control import ControlError, call_json, fault_of, results_of

__all__ = ["Reply", "Routes", "error_reply", "json_reply"]

_MOTO = "/moto-api/static/sagemaker/"
_CONTROL = "/_sagemaker_stub/"
_QUEUES = {"invoke": "queue", "async": "queue_async", "stream": "queue_stream"}
#: The S3 operation a path-style request on an object calls, by HTTP method.
_S3_OPERATIONS = {
    "GET": "GetObject",
    "HEAD": "HeadObject",
    "PUT": "PutObject",
    "DELETE": "DeleteObject",
}


class Reply:
    """What a route answers: status, headers, and a body or a stream."""

    __slots__ = ("body", "headers", "status")

    def __init__(
        self, status: int, headers: dict[str, str], body: bytes | EventStreamBody
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def json_reply(status: int, document: object) -> Reply:
    body = json.dumps(document, default=repr).encode("utf-8")
    return Reply(status, {"content-type": "application/json"}, body)


def error_reply(status: int, code: str, message: str) -> Reply:
    """An error as the service renders one: its type in ``x-amzn-errortype``."""
    reply = json_reply(status, {"message": message})
    reply.headers["x-amzn-errortype"] = code
    return reply


class Routes(StubControl):
    """Routes one request to the runtime API, S3 or the control API."""

    _door: HttpDoor

    # -- routing ----------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        """The reply to one request (``headers`` keys lower-cased)."""
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query))
        if path.startswith(_MOTO):
            return self._moto(method, path[len(_MOTO) :], body)
        if path.startswith(_CONTROL):
            return self._control(method, path[len(_CONTROL) :], body)
        route = self._door.route(path) if method == "POST" else None
        if route is not None:
            return self._invoke(route, headers, body, target)
        return self._s3(method, path, query, headers, body)

    def _invoke(
        self,
        route: tuple[Any, dict[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        target: str,
    ) -> Reply:
        """The engine's answer to a runtime call, with the service's envelope."""
        try:
            answer = self._door.answer(*route, headers, body, target)
        except NoResultError as exc:
            return error_reply(400, "NoResultError", str(exc))
        except SageMakerStubError as exc:
            return error_reply(400, "SageMakerStubError", str(exc))
        if answer.delay:
            time.sleep(answer.delay)  # a Latency fault
        all_headers = envelope(False, answer.headers, answer.body, answer.request_id)
        return Reply(answer.status, all_headers, answer.body)

    # -- S3 -----------------------------------------------------------------------

    def _s3(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        bucket, _, key = path.lstrip("/").partition("/")
        bucket, key = unquote(bucket), unquote(key)
        outputs = self._engine.outputs
        if not bucket or not outputs.owns(bucket):
            return _s3_error(404, "NoSuchBucket", f"No route or bucket for {path!r}.")
        if not key:
            if method == "GET" and query.get("list-type") == "2":
                params = {
                    "Prefix": query.get("prefix", ""),
                    "ContinuationToken": query.get("continuation-token"),
                    "StartAfter": query.get("start-after", ""),
                    "MaxKeys": int(query.get("max-keys", "1000") or 1000),
                }
                return Reply(*_framed(*list_page(outputs.store, bucket, params)))
            return _s3_error(405, "MethodNotAllowed", f"{method} {path} is not served.")
        return self._s3_object(method, f"s3://{bucket}/{key}", headers, body)

    def _s3_object(
        self, method: str, uri: str, headers: Mapping[str, str], body: bytes
    ) -> Reply:
        operation = _S3_OPERATIONS.get(method)
        if operation is None:
            return _s3_error(405, "MethodNotAllowed", f"{method} {uri} is not served.")
        reply = object_reply(
            self._engine.outputs.store,
            operation,
            uri,
            body=body,
            content_type=headers.get("content-type"),
            wanted=headers.get("range"),
        )
        return Reply(*_framed(*reply))

    # -- control ------------------------------------------------------------------

    def _moto(self, method: str, name: str, body: bytes) -> Reply:
        """moto's own control endpoints, with moto's payloads."""
        loaders = {
            "endpoint-results": self.load_moto_results,
            "async-endpoint-results": self.load_moto_async_results,
        }
        load = loaders.get(name)
        if load is None or method != "POST":
            return json_reply(404, {"message": f"No moto endpoint {method} {name!r}."})
        try:
            load(_document(body))
        except (TypeError, ValueError) as exc:
            return json_reply(400, {"message": str(exc)})
        return _done(201)

    def _control(self, method: str, name: str, body: bytes) -> Reply:
        """The JSON control endpoints (docs/server.md)."""
        try:
            return self._controlled(method, name, body)
        except (ControlError, TypeError, ValueError, KeyError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) else str(exc)
            return json_reply(400, {"message": message})

    def _controlled(self, method: str, name: str, body: bytes) -> Reply:
        if method == "DELETE" and name.startswith("endpoints/"):
            self.remove_endpoint(unquote(name[len("endpoints/") :]))
            return _done(204)
        handler = {
            ("GET", "calls"): self._calls_json,
            ("GET", "pending"): self._pending_json,
            ("POST", "reset"): self._reset,
            ("POST", "queue"): self._queue_results,
            ("POST", "endpoints"): self._endpoint,
            ("POST", "faults"): self._fault,
            ("DELETE", "faults"): self._no_faults,
        }.get((method, name))
        if handler is None:
            message = f"No control endpoint {method} /_sagemaker_stub/{name}."
            return json_reply(404, {"message": message})
        return handler(body)

    def _calls_json(self, body: bytes) -> Reply:
        return json_reply(200, [call_json(call) for call in self.calls])

    def _pending_json(self, body: bytes) -> Reply:
        pending = [
            {
                "operation": item.operation,
                "endpoint_name": item.endpoint_name,
                "result": repr(item.result),
                "origin": item.origin,
            }
            for item in self.pending_results()
        ]
        return json_reply(200, pending)

    def _reset(self, body: bytes) -> Reply:
        self.reset()
        return _done(204)

    def _endpoint(self, body: bytes) -> Reply:
        spec = _object_document(body)
        self.add_endpoint(
            spec.get("name"),  # type: ignore[arg-type]
            variants=spec.get("variants", ("AllTraffic",)),
            inference_components=spec.get("inference_components", ()),
            target_models=spec.get("target_models"),
        )
        return _done(201)

    def _fault(self, body: bytes) -> Reply:
        spec = _object_document(body)
        self.add_fault(
            fault_of(spec, self._engine.error_statuses),
            endpoint_name=spec.get("endpoint_name"),
            operations=spec.get("operations"),
        )
        return _done(201)

    def _no_faults(self, body: bytes) -> Reply:
        self.clear_faults()
        return _done(204)

    def _queue_results(self, body: bytes) -> Reply:
        spec = _object_document(body)
        queue = spec.get("queue", "invoke")
        if queue not in _QUEUES:
            msg = f"queue must be one of {', '.join(_QUEUES)}; got {describe(queue)}."
            raise ControlError(msg)
        results = results_of(queue, spec.get("results"), self._engine.error_statuses)
        getattr(self, _QUEUES[queue])(*results, endpoint_name=spec.get("endpoint_name"))
        return json_reply(201, {"queued": len(results)})


def _document(body: bytes) -> Any:
    """A request's JSON body."""
    try:
        return json.loads(body or b"null")
    except ValueError as exc:
        msg = f"The body must be JSON: {exc}."
        raise ControlError(msg) from exc


def _object_document(body: bytes) -> Mapping[str, Any]:
    """A request's JSON body, which must be an object."""
    document = _document(body)
    if not isinstance(document, Mapping):
        msg = f"The body must be a JSON object; got {describe(document)}."
        raise ControlError(msg)
    return document


def _done(status: int) -> Reply:
    return Reply(status, {"content-length": "0"}, b"")


def _framed(
    status: int, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """An S3 answer with its envelope (request ids, date, length)."""
    return status, envelope(True, headers, body, None), body


def _s3_error(status: int, code: str, message: str) -> Reply:
    body = error_xml(code, message)
    return Reply(*_framed(status, {"content-type": "application/xml"}, body))
