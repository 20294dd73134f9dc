"""The S3 door: an attached S3 client's requests answered from the object store.

``S3Responder`` answers GetObject (ranged too), HeadObject and PutObject for
the buckets the stub owns, rendered through botocore's own rest-xml parser,
and lets every other request through untouched (or refuses it, when strict).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel

from ._botocore import RequestDict, request_body, request_url
from ._errors import S3NotStubbedError
from ._render import Renderer
from ._s3 import ObjectStore, S3Object

__all__ = ["S3Responder"]

_RANGE = re.compile(r"bytes=(?P<start>\d*)-(?P<end>\d*)")
_ANSWERED = ("GetObject", "HeadObject", "PutObject")
_CONTEXT_KEY = "sagemaker_stub.s3"


def _captured_params(
    model: OperationModel, params: dict[str, Any], context: Any, **kwargs: Any
) -> None:
    context[_CONTEXT_KEY] = dict(params)


class S3Responder:
    """Answers an attached S3 client from an ``ObjectStore``."""

    def __init__(
        self,
        client: Any,
        store: ObjectStore,
        owns: Callable[[str], bool],
        *,
        strict: bool,
    ) -> None:
        self.client = client
        self._store = store
        self._owns = owns
        self._strict = strict
        self._renderer = Renderer(client.meta.service_model)
        unique = f"sagemaker-stub-s3-{id(self)}"
        self._handlers: tuple[tuple[str, Callable[..., Any], str], ...] = (
            ("before-parameter-build.s3.*", _captured_params, f"{unique}-params"),
            ("before-call.s3.*", self.respond, unique),
        )

    def attach(self) -> None:
        """Register the handlers on the S3 client."""
        for event, handler, unique_id in self._handlers:
            self.client.meta.events.register(event, handler, unique_id=unique_id)

    def detach(self) -> None:
        """Unregister exactly what :meth:`attach` registered."""
        for event, handler, unique_id in self._handlers:
            self.client.meta.events.unregister(event, handler, unique_id=unique_id)

    def respond(
        self, model: OperationModel, params: RequestDict, context: Any, **kwargs: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        """``before-call``: an owned object's answer, or ``None`` to let it pass."""
        api_params: dict[str, Any] = context.pop(_CONTEXT_KEY, {})
        bucket = api_params.get("Bucket")
        owned = isinstance(bucket, str) and self._owns(bucket)
        if not owned or model.name not in _ANSWERED:
            if self._strict:
                what = f"bucket {bucket!r}" if bucket else "no bucket"
                reason = (
                    "the stub does not own that bucket"
                    if not owned
                    else f"the stub answers only {', '.join(_ANSWERED)}"
                )
                msg = (
                    f"S3 {model.name} on {what} reached the stubbed S3 client, but "
                    f"{reason}. Attach with buckets=[...] to serve more buckets, or "
                    "strict=False to let other requests through."
                )
                raise S3NotStubbedError(msg)
            return None
        key: str = api_params["Key"]
        uri = f"s3://{bucket}/{key}"
        url = request_url(params)
        if model.name == "PutObject":
            obj = S3Object.build(
                uri,
                request_body(params),
                api_params.get("ContentType") or "binary/octet-stream",
            )
            self._store.put(obj)
            return self._renderer.respond(model, url, 200, {"etag": obj.etag}, b"")
        found = self._store.read(uri)
        if found is None:
            return self._missing(model, url, key)
        return self._object(model, url, found, api_params.get("Range"))

    def _missing(
        self, model: OperationModel, url: str, key: str
    ) -> tuple[AWSResponse, dict[str, Any]]:
        if model.name == "HeadObject":  # HEAD answers have no body to explain
            return self._renderer.respond(model, url, 404, {}, b"")
        body = _error_xml("NoSuchKey", "The specified key does not exist.", Key=key)
        headers = {"content-type": "application/xml"}
        return self._renderer.respond(model, url, 404, headers, body)

    def _object(
        self, model: OperationModel, url: str, obj: S3Object, wanted: str | None
    ) -> tuple[AWSResponse, dict[str, Any]]:
        data, status = obj.data, 200
        headers = {
            "content-type": obj.content_type,
            "etag": obj.etag,
            "last-modified": obj.last_modified,
            "accept-ranges": "bytes",
        }
        span = _byte_range(wanted, len(data)) if wanted else None
        if span == _UNSATISFIABLE:
            return self._invalid_range(model, url, len(data))
        if span is not None:
            start, end = span
            data, status = data[start : end + 1], 206
            headers["content-range"] = f"bytes {start}-{end}/{len(obj.data)}"
        if model.name == "HeadObject":
            headers["content-length"] = str(len(data))
            return self._renderer.respond(model, url, status, headers, b"")
        return self._renderer.respond(model, url, status, headers, data)

    def _invalid_range(
        self, model: OperationModel, url: str, size: int
    ) -> tuple[AWSResponse, dict[str, Any]]:
        body = b""
        if model.name != "HeadObject":  # HEAD answers have no body
            body = _error_xml(
                "InvalidRange",
                "The requested range is not satisfiable",
                ActualObjectSize=str(size),
            )
        headers = {
            "content-type": "application/xml",
            "content-range": f"bytes */{size}",
        }
        return self._renderer.respond(model, url, 416, headers, body)


#: What _byte_range returns for a range S3 answers with 416.
_UNSATISFIABLE = (-1, -1)


def _byte_range(wanted: str, size: int) -> tuple[int, int] | None:
    """``(start, end)`` of a ``bytes=`` range; None for a header S3 ignores
    (it sends the whole object); ``_UNSATISFIABLE`` for one it refuses."""
    match = _RANGE.fullmatch(wanted.strip())
    if match is None or not (match["start"] or match["end"]):
        return None
    first, last = match["start"], match["end"]
    if first:
        start = int(first)
        if last and int(last) < start:
            return None
        end = min(int(last), size - 1) if last else size - 1
    else:  # a suffix: the last N bytes
        start = max(size - int(last), 0) if int(last) else size
        end = size - 1
    return (start, end) if start < size else _UNSATISFIABLE


def _error_xml(code: str, message: str, **details: str) -> bytes:
    """An S3 error document: code, message and the error's own elements."""
    fields = {"Code": code, "Message": message, **details}
    elements = "".join(
        f"<{name}>{escape(value)}</{name}>" for name, value in fields.items()
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{elements}</Error>'.encode()
