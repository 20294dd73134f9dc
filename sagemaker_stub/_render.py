"""Rendering: a result becomes status, headers and body, parsed by botocore.

The parsed response is built by botocore's own response parser from an
``AWSResponse``, as it would be for bytes from the network, so response
metadata, header mapping, ``StreamingBody`` and modeled error fields are
exactly botocore's.
"""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Iterator, Mapping
from email.utils import formatdate
from typing import Any, cast

from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import ResponseParser, create_parser
from botocore.response import StreamingBody

from ._eventstream import EventStreamBody

__all__ = ["RawBody", "Renderer"]


def _from_template(
    template: tuple[dict[str, Any], str], http: AWSResponse, headers: dict[str, str]
) -> dict[str, Any]:
    """A parsed response for this call, from one parsed for the same headers."""
    parsed_once, payload = template
    parsed = {
        name: dict(value) if isinstance(value, dict) else value
        for name, value in parsed_once.items()
    }
    metadata = parsed["ResponseMetadata"]
    metadata["HTTPHeaders"] = dict(headers)
    for header, member in _ID_MEMBERS:
        if header in headers:
            metadata[member] = headers[header]
    parsed[payload] = StreamingBody(http.raw, int(headers["content-length"]))
    return parsed


_ID_MEMBERS = (
    ("x-amzn-requestid", "RequestId"),
    ("x-amz-request-id", "RequestId"),
    ("x-amz-id-2", "HostId"),
)


class HttpDate:
    """The current HTTP date, formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def __call__(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._text = formatdate(second, usegmt=True)
            self._second = second
        return self._text


#: The current HTTP date, for Date and Last-Modified headers.
http_date = HttpDate()


class RawBody(io.BytesIO):
    """The raw stream of a rendered response, shaped like urllib3's."""

    def stream(
        self, amt: int = 65536, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


#: Parsed templates kept per renderer; a bound, not a tuning knob.
_TEMPLATE_LIMIT = 256


class Renderer:
    """Builds parsed responses for one service model.

    A successful response whose payload is a stream (``invoke_endpoint``'s and
    ``GetObject``'s ``Body``) parses to the same members for the same headers:
    botocore hands the stream over without reading it. Such a response is
    parsed by botocore once per set of headers; later calls reuse that parse
    with their own ``StreamingBody``, request id and ``HTTPHeaders``.
    """

    def __init__(self, service_model: ServiceModel) -> None:
        self._service_model = service_model
        self._templates: dict[tuple[object, ...], tuple[dict[str, Any], str]] = {}
        protocol = getattr(service_model, "resolved_protocol", None)
        self._parser: ResponseParser = create_parser(protocol or service_model.protocol)

    def header_name(self, operation: OperationModel, member: str) -> str:
        """The wire name of an output member sent as a header, lower-cased."""
        shape = operation.output_shape
        assert shape is not None
        name: str = shape.members[member].serialization["name"]
        return name.lower()

    def respond(
        self,
        operation: OperationModel,
        url: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes | EventStreamBody,
        *,
        parse: bool = True,
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """Parse a response as botocore's endpoint would.

        ``body`` is the whole body, or an event stream sent chunked. A
        ``content-length`` in ``headers`` is kept (a HEAD answer's). With
        ``parse=False`` only the HTTP response is built, for botocore's
        endpoint to parse, and the dict is empty.
        """
        request_id = str(uuid.uuid4())
        if self._service_model.service_name == "s3":
            ids = {"x-amz-request-id": request_id, "x-amz-id-2": request_id}
        else:
            ids = {"x-amzn-requestid": request_id}
        all_headers = {**ids, "date": http_date(), **headers}
        raw: RawBody | EventStreamBody
        size = None
        if isinstance(body, bytes):
            size = len(body)
            all_headers.setdefault("content-length", str(size))
            raw = RawBody(body)
        else:
            all_headers["transfer-encoding"] = "chunked"
            raw = body
        http = AWSResponse(url, status, cast(Any, all_headers), raw)
        if not parse:
            return http, {}
        reusable = size is not None and status < 300 and operation.has_streaming_output
        if reusable:
            key = (operation.name, status, size, *headers.items())
            template = self._templates.get(key)
            if template is not None:
                return http, _from_template(template, http, all_headers)
        response_dict = convert_to_response_dict(http, operation)
        output_shape = operation.output_shape
        assert output_shape is not None
        parsed: dict[str, Any] = self._parser.parse(response_dict, output_shape)
        if status >= 300:
            code = parsed.get("Error", {}).get("Code")
            error_shape = (
                self._service_model.shape_for_error_code(code) if code else None
            )
            if error_shape is not None:
                parsed.update(self._parser.parse(response_dict, error_shape))
        parsed["ResponseMetadata"]["RetryAttempts"] = 0
        if reusable:
            if len(self._templates) >= _TEMPLATE_LIMIT:
                self._templates.clear()
            payload = next(
                name
                for name, value in parsed.items()
                if isinstance(value, StreamingBody)
            )
            self._templates[key] = (parsed, payload)
            parsed = _from_template(self._templates[key], http, all_headers)
        return http, parsed

    def error(
        self,
        operation: OperationModel,
        url: str,
        *,
        code: str,
        status: int,
        fields: Mapping[str, object],
        parse: bool = True,
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """An error response as the service sends it (rest-json)."""
        headers = {"x-amzn-errortype": code, "content-type": "application/json"}
        body = json.dumps(dict(fields)).encode("utf-8")
        return self.respond(operation, url, status, headers, body, parse=parse)
