"""Rendering: a result becomes status, headers and body, parsed by botocore.

The parsed response is built by botocore's own response parser from an
``AWSResponse``, as it would be for bytes from the network, so response
metadata, header mapping, ``StreamingBody`` and modeled error fields are
exactly botocore's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, ServiceModel
from botocore.response import StreamingBody

from sagemaker_stub._engine.answers import modeled_error_shape
from sagemaker_stub._engine.envelope import http_date
from sagemaker_stub._engine.eventstream import EventStreamBody

from .botocore import LazyResponse, convert_to_response_dict, parser_for

if TYPE_CHECKING:
    from sagemaker_stub._engine.request import Answer

__all__ = [
    "RawBody",
    "Renderer",
    "Template",
    "Templates",
    "envelope",
]


class Template:
    """A parsed response, reusable for every response with the same headers.

    Only the envelope differs between such responses: a new ``StreamingBody``,
    the request id, and the ``HTTPHeaders`` (shared with the ``AWSResponse``,
    as botocore shares them).
    """

    def __init__(self, parsed: dict[str, Any], payload: str) -> None:
        self._members = {
            name: value
            for name, value in parsed.items()
            if name not in {"ResponseMetadata", payload}
        }
        self._payload = payload
        metadata = parsed["ResponseMetadata"]
        self._metadata = dict(metadata)
        self._ids = tuple(
            (header, member)
            for header, member in _ID_MEMBERS
            if header in metadata["HTTPHeaders"]
        )

    def instance(self, body: object, headers: dict[str, str]) -> dict[str, Any]:
        """The parsed response for one call, with its own body and envelope."""
        metadata = {**self._metadata, "HTTPHeaders": headers}
        for header, member in self._ids:
            metadata[member] = headers[header]
        return {**self._members, "ResponseMetadata": metadata, self._payload: body}


_ID_MEMBERS = (
    ("x-amzn-requestid", "RequestId"),
    ("x-amz-request-id", "RequestId"),
    ("x-amz-id-2", "HostId"),
)


class RawBody(io.BytesIO):
    """The raw stream of a rendered response, shaped like urllib3's."""

    def stream(
        self, amt: int = 65536, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


#: Parsed templates kept per renderer; a bound, not a tuning knob.
_TEMPLATE_LIMIT = 256


class Templates:
    """Parsed responses to reuse, per operation, status, size and headers.

    A successful response whose payload is a stream (``invoke_endpoint``'s and
    ``GetObject``'s ``Body``) parses to the same members for the same headers:
    botocore hands the stream over without reading it. Such a response is
    parsed once per set of headers; later calls reuse that parse with their
    own body, request id and ``HTTPHeaders``.
    """

    def __init__(self) -> None:
        self._templates: dict[tuple[object, ...], Template] = {}
        #: The template kept for a key, if any (the dict's own ``get``).
        self.get = self._templates.get

    @staticmethod
    def key(
        operation: OperationModel, status: int, size: int, headers: Mapping[str, str]
    ) -> tuple[object, ...] | None:
        """The template key of a response, or None if it cannot be reused."""
        if status >= 300 or not operation.has_streaming_output:
            return None
        return (operation.name, status, size, *headers.items())

    def keep(
        self, key: tuple[object, ...], operation: OperationModel, parsed: dict[str, Any]
    ) -> Template:
        """Keep a first parse as the template for ``key``."""
        payload = operation.output_shape.serialization["payload"]  # type: ignore[union-attr]
        template = Template(parsed, payload)
        if len(self._templates) >= _TEMPLATE_LIMIT:
            self._templates.clear()
        self._templates[key] = template
        return template


def envelope(
    s3: bool,
    headers: Mapping[str, str],
    body: bytes | EventStreamBody,
    request_id: str,
) -> dict[str, str]:
    """The response's headers with the envelope a service adds.

    The request id, the date, and the framing: a ``content-length`` for a
    whole body (one given in ``headers`` is kept, as a HEAD answer's is) or
    chunked transfer for an event stream.
    """
    if s3:
        all_headers = {
            "x-amz-request-id": request_id,
            "x-amz-id-2": request_id,
            "date": http_date(),
            **headers,
        }
    else:
        all_headers = {"x-amzn-requestid": request_id, "date": http_date(), **headers}
    if type(body) is not bytes:
        all_headers["transfer-encoding"] = "chunked"
    elif "content-length" not in all_headers:
        all_headers["content-length"] = str(len(body))
    return all_headers


class Renderer:
    """Builds parsed responses for one service model, as botocore's endpoint would.

    Responses with a streamed payload reuse a parse kept in :class:`Templates`.
    """

    def __init__(self, service_model: ServiceModel) -> None:
        self._templates = Templates()
        self._parser = parser_for(service_model)
        self._s3 = service_model.service_name == "s3"

    def render(
        self, operation: OperationModel, url: str, answer: Answer, *, parse: bool = True
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """The engine's answer as botocore's endpoint would hand it back.

        The envelope is added by :func:`envelope`. With ``parse=False`` only
        the HTTP response is built, for botocore's endpoint to parse, and the
        dict is empty.
        """
        body = answer.body
        status = answer.status
        all_headers = envelope(self._s3, answer.headers, body, answer.request_id)
        if type(body) is not bytes:
            http = LazyResponse(url, status, all_headers, body)
            return http, self._parse(operation, http) if parse else {}
        raw = RawBody(body)
        http = LazyResponse(url, status, all_headers, raw)
        if not parse:
            return http, {}
        templates = self._templates
        key = templates.key(operation, status, len(body), answer.headers)
        if key is None:
            return http, self._parse(operation, http)
        template = templates.get(key)
        if template is None:
            template = templates.keep(key, operation, self._parse(operation, http))
        return http, template.instance(StreamingBody(raw, len(body)), all_headers)

    def _parse(self, operation: OperationModel, http: AWSResponse) -> dict[str, Any]:
        """botocore's own parse of the response, modeled error fields included."""
        response_dict = convert_to_response_dict(http, operation)
        output_shape = operation.output_shape
        assert output_shape is not None
        parsed: dict[str, Any] = self._parser.parse(response_dict, output_shape)
        error_shape = modeled_error_shape(operation, http.status_code, parsed)
        if error_shape is not None:
            parsed.update(self._parser.parse(response_dict, error_shape))
        parsed["ResponseMetadata"]["RetryAttempts"] = 0
        return parsed
