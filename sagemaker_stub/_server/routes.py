"""The local server's routes: the runtime API, path-style S3 and the control API.

:class:`Routes` turns one parsed HTTP request into an
:class:`~sagemaker_stub._engine.request.Answer` (status, headers, body or
event stream); :mod:`.http` reads requests off sockets and writes answers
back, and :mod:`.control` serves the control endpoints.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sagemaker_stub._doors.http import HttpDoor
from sagemaker_stub._doors.render import envelope
from sagemaker_stub._engine.control import Control
from sagemaker_stub._engine.request import Answer
from sagemaker_stub._engine.s3 import error_xml, list_page, object_answer
from sagemaker_stub._errors import NoResultError, SageMakerStubError

from .access import CONTROL_PREFIXES
from .control import ControlRoutes, error_answer

__all__ = ["Routes"]

#: The control API's two roots, whose access :mod:`.access` checks.
_CONTROL, _MOTO = CONTROL_PREFIXES
#: The S3 operation a path-style request on an object calls, by HTTP method.
_S3_OPERATIONS = {
    "GET": "GetObject",
    "HEAD": "HeadObject",
    "PUT": "PutObject",
    "DELETE": "DeleteObject",
}


#: A ListObjectsV2 ``max-keys``: up to ten ASCII digits (S3 caps a page at
#: 1,000 keys whatever is asked).
_MAX_KEYS = re.compile(r"[0-9]{1,10}\Z")


class Routes:
    """Routes one request to the runtime API, S3 or the control API.

    Args:
        control: The server's control surface (queues, endpoints, ...).
        door: Reads runtime calls into the engine's requests and answers them.
        stopping: Set when the server stops: an injected latency ends then.
    """

    def __init__(
        self, control: Control, door: HttpDoor, stopping: threading.Event
    ) -> None:
        self._outputs = control.engine.outputs
        self._door = door
        self._control = ControlRoutes(control)
        self._stopping = stopping

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Answer:
        """The answer to one request (``headers`` keys lower-cased)."""
        parts = urlsplit(target)
        path, query = parts.path, dict(parse_qsl(parts.query))
        if path.startswith(_MOTO):
            return self._control.moto(method, path[len(_MOTO) :], body)
        if path.startswith(_CONTROL):
            return self._control.handle(method, path[len(_CONTROL) :], body)
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
    ) -> Answer:
        """The engine's answer to a runtime call, with the service's envelope."""
        try:
            answer = self._door.answer(*route, headers, body, target)
        except NoResultError as exc:
            return error_answer(400, "NoResultError", str(exc))
        except SageMakerStubError as exc:
            return error_answer(400, "SageMakerStubError", str(exc))
        if answer.delay:  # a Latency fault, cut short if the server stops
            self._stopping.wait(answer.delay)
        all_headers = envelope(False, answer.headers, answer.body, answer.request_id)
        return Answer(answer.status, all_headers, answer.body)

    # -- S3 -----------------------------------------------------------------------

    def _s3(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Answer:
        bucket, _, key = path.lstrip("/").partition("/")
        bucket, key = unquote(bucket), unquote(key)
        outputs = self._outputs
        if not bucket or not outputs.owns(bucket):
            return _s3_error(404, "NoSuchBucket", f"No route or bucket for {path!r}.")
        if not key:
            if method == "GET" and query.get("list-type") == "2":
                max_keys = query.get("max-keys", "1000")
                if not _MAX_KEYS.match(max_keys):
                    return _s3_error(
                        400,
                        "InvalidArgument",
                        f"max-keys must be a whole number from 0; got {max_keys!r}.",
                    )
                params = {
                    "Prefix": query.get("prefix", ""),
                    "ContinuationToken": query.get("continuation-token"),
                    "StartAfter": query.get("start-after", ""),
                    "MaxKeys": int(max_keys),
                }
                return _framed(list_page(outputs.store, bucket, params))
            return _s3_error(405, "MethodNotAllowed", f"{method} {path} is not served.")
        operation = _S3_OPERATIONS.get(method)
        uri = f"s3://{bucket}/{key}"
        if operation is None:
            return _s3_error(405, "MethodNotAllowed", f"{method} {uri} is not served.")
        answer = object_answer(
            outputs.store,
            operation,
            uri,
            body=body,
            content_type=headers.get("content-type"),
            wanted=headers.get("range"),
        )
        return _framed(answer)


def _framed(answer: Answer) -> Answer:
    """An S3 answer with its envelope (request ids, date, length)."""
    answer.headers = envelope(True, answer.headers, answer.body, answer.request_id)
    return answer


def _s3_error(status: int, code: str, message: str) -> Answer:
    body = error_xml(code, message)
    return _framed(Answer(status, {"content-type": "application/xml"}, body))
