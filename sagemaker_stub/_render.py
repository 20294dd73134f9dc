"""Rendering: a result becomes status, headers and body, parsed by botocore.

The parsed response is built by botocore's own response parser from an
``AWSResponse``, as it would be for bytes from the network, so response
metadata, header mapping, ``StreamingBody`` and modeled error fields are
exactly botocore's.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator, Mapping
from email.utils import formatdate
from typing import Any, cast

from botocore.awsrequest import AWSResponse
from botocore.endpoint import convert_to_response_dict
from botocore.model import OperationModel, ServiceModel
from botocore.parsers import ResponseParser, create_parser

from ._eventstream import EventStreamBody

__all__ = ["RawBody", "Renderer"]


class RawBody(io.BytesIO):
    """The raw stream of a rendered response, shaped like urllib3's."""

    def stream(
        self, amt: int = 65536, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


class Renderer:
    """Builds parsed responses for one service model."""

    def __init__(self, service_model: ServiceModel) -> None:
        self._service_model = service_model
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
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """Parse a response as botocore's endpoint would.

        ``body`` is the whole body, or an event stream sent chunked. A
        ``content-length`` in ``headers`` is kept (a HEAD answer's).
        """
        request_id = str(uuid.uuid4())
        if self._service_model.service_name == "s3":
            ids = {"x-amz-request-id": request_id, "x-amz-id-2": request_id}
        else:
            ids = {"x-amzn-requestid": request_id}
        all_headers = {**ids, "date": formatdate(usegmt=True), **headers}
        raw: RawBody | EventStreamBody
        if isinstance(body, bytes):
            all_headers.setdefault("content-length", str(len(body)))
            raw = RawBody(body)
        else:
            all_headers["transfer-encoding"] = "chunked"
            raw = body
        http = AWSResponse(url, status, cast(Any, all_headers), raw)
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
        return http, parsed

    def error(
        self,
        operation: OperationModel,
        url: str,
        *,
        code: str,
        status: int,
        fields: Mapping[str, object],
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """An error response as the service sends it (rest-json)."""
        headers = {"x-amzn-errortype": code, "content-type": "application/json"}
        body = json.dumps(dict(fields)).encode("utf-8")
        return self.respond(operation, url, status, headers, body)
