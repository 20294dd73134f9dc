"""What results look like on the wire, and what the engine says when it has none.

Plain functions of a result and a request: the service's status, headers and
body for each kind of answer, the static defaults, the fallbacks between
queues, and the :class:`NoResultError` message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.model import OperationModel, Shape

from sagemaker_stub._errors import NoResultError
from sagemaker_stub._results import AsyncResult, ErrorResult, InvokeResult, StreamResult
from sagemaker_stub._text import JSON_CONTENT_TYPE, dump_json, preview

from .eventstream import EventStreamBody, StreamProgress, encode_exception
from .identity import Kind
from .request import Answer, Operation, Request

__all__ = [
    "DEFAULTS",
    "InvokeHeaders",
    "as_async",
    "as_stream",
    "async_answer",
    "error_answer",
    "missing",
    "modeled_error_shape",
    "stream_answer",
]

EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"
#: How to queue for each kind: the method and an example result.
_QUEUE_METHOD = {
    Kind.SYNC: ("queue", "InvokeResult(...)"),
    Kind.ASYNC: ("queue_async", "AsyncResult.success(...)"),
    Kind.STREAM: ("queue_stream", "StreamResult(...)"),
}


def as_stream(result: InvokeResult) -> StreamResult:
    """An invoke_endpoint result used by a streaming call: its body as one part.

    An empty body is no part at all: the stream ends with no event.
    """
    return StreamResult(
        parts=[result.body] if result.body else [],
        content_type=result.content_type,
        invoked_production_variant=result.invoked_production_variant,
        custom_attributes=result.custom_attributes,
    )


def as_async(result: InvokeResult, variant: str | None) -> AsyncResult:
    """An invoke_endpoint result used by an async call, as moto renders it."""
    try:
        text = result.body.decode("utf-8")
    except UnicodeDecodeError:
        msg = (
            "invoke_endpoint_async found no async result queued and fell back "
            f"to the invoke_endpoint queue, whose next result {result!r} has "
            "a body that is not UTF-8 text, so it cannot be written as the "
            "JSON output moto writes. Queue an AsyncResult with "
            "stub.queue_async() instead."
        )
        raise NoResultError(msg) from None
    document = {
        "Body": text,
        "ContentType": result.content_type,
        "InvokedProductionVariant": variant,
        "CustomAttributes": result.custom_attributes,
    }
    return AsyncResult(
        data=dump_json(document, "the fallback result"),
        content_type=JSON_CONTENT_TYPE,
    )


#: moto's static answer to invoke_endpoint when nothing is queued.
DEFAULT_INVOKE_RESULT = InvokeResult(
    body=b"body",
    content_type="content_type",
    invoked_production_variant="invoked_production_variant",
    custom_attributes="custom_attributes",
)
#: The static answers when nothing is queued: moto's for invoke_endpoint and
#: invoke_endpoint_async; for streaming (moto has none), invoke_endpoint's
#: default as one part.
DEFAULTS: Mapping[Kind, object] = {
    Kind.SYNC: DEFAULT_INVOKE_RESULT,
    Kind.ASYNC: AsyncResult.success({"default": "response"}),
    Kind.STREAM: as_stream(DEFAULT_INVOKE_RESULT),
}


#: How many shapes of answer headers are kept; a bound, not a tuning knob.
_KEPT_SHAPES = 256


class InvokeHeaders:
    """invoke_endpoint's answer headers, one dict per shape, kept for reuse.

    Answers of the same shape share the dict: nothing changes an answer's
    headers (a door that adds its envelope copies them).
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[str | None, str | None, str], dict[str, str]] = {}

    def of(
        self,
        operation: Operation,
        variant: str | None,
        custom_attributes: str | None,
        content_type: str,
    ) -> dict[str, str]:
        """The headers of an answer with this variant, attributes and type."""
        shape = (variant, custom_attributes, content_type)
        headers = self._kept.get(shape)
        if headers is not None:
            return headers
        header = operation.header
        headers = {}
        if variant is not None:
            headers[header["InvokedProductionVariant"]] = variant
        if custom_attributes is not None:
            headers[header["CustomAttributes"]] = custom_attributes
        if content_type:  # a recording of an answer that had none has ""
            headers["content-type"] = content_type
        if len(self._kept) >= _KEPT_SHAPES:
            self._kept.clear()
        self._kept[shape] = headers
        return headers


def result_headers(
    request: Request, result: InvokeResult | StreamResult, variant: str | None
) -> dict[str, str]:
    """The optional headers a model's answer carries."""
    header = request.operation.header
    headers = {}
    if variant is not None:
        headers[header["InvokedProductionVariant"]] = variant
    if result.custom_attributes is not None:
        headers[header["CustomAttributes"]] = result.custom_attributes
    return headers


def async_answer(
    request: Request,
    inference_id: str,
    output_location: str,
    failure_location: str,
) -> Answer:
    """invoke_endpoint_async's answer: the locations, and the inference id."""
    operation = request.operation
    header = operation.header
    headers = {
        "content-type": JSON_CONTENT_TYPE,
        header["OutputLocation"]: output_location,
        header["FailureLocation"]: failure_location,
    }
    payload = json.dumps({"InferenceId": inference_id}).encode("utf-8")
    return Answer(operation.status, headers, payload)


def stream_answer(
    request: Request,
    result: StreamResult,
    variant: str | None,
    progress: StreamProgress,
) -> Answer:
    """A response stream, encoded part by part as the caller reads it."""
    error = None
    if result.error is not None:
        fields = {"Message": result.error.message}
        if result.error.error_code is not None:
            fields["ErrorCode"] = result.error.error_code
        error = encode_exception(result.error.code, fields)
    headers = result_headers(request, result, variant)
    headers["content-type"] = EVENT_STREAM_CONTENT_TYPE
    if result.content_type:  # a recording of an answer that had none has ""
        headers[request.operation.header["ContentType"]] = result.content_type
    return Answer(200, headers, EventStreamBody(result.parts, error, progress))


def error_answer(request: Request, error: ErrorResult, account_id: str) -> Answer:
    """An error response as the service sends it (rest-json).

    A ``ModelError`` without a message or log stream gets the service's
    wording, naming the endpoint's log group in the caller's region.
    """
    fields: dict[str, Any] = dict(error.fields)
    message = error.message
    if error.code == "ModelError":
        region = request.region
        group = f"/aws/sagemaker/Endpoints/{request.params.get('EndpointName')}"
        fields.setdefault(
            "LogStreamArn", f"arn:aws:logs:{region}:{account_id}:log-group:{group}"
        )
        if message is None:
            status = fields.get("OriginalStatusCode")
            side = "client" if isinstance(status, int) and status < 500 else "server"
            message = (
                f"Received {side} error ({status}) from primary with message "
                f'"{fields.get("OriginalMessage", "")}". See '
                f"https://{region}.console.aws.amazon.com/cloudwatch/home"
                f"?region={region}#logEventViewer:group={group} "
                f"in account {account_id} for more information."
            )
    fields["Message"] = message if message is not None else error.code
    headers = {"x-amzn-errortype": error.code, "content-type": JSON_CONTENT_TYPE}
    return Answer(error.status_code, headers, json.dumps(fields).encode("utf-8"))


def missing(
    request: Request,
    endpoints_with_results: list[str],
    error_before: ErrorResult | None = None,
    *,
    passed: list[str] | None = None,
    cassette: str | None = None,
    differences: list[str] | None = None,
) -> NoResultError:
    """The error for a call that found nothing queued (``allow_defaults`` off).

    It shows the request, the other endpoints that have results, the exact
    call that queues one, and, when the same request got an error before, why
    that error did not answer it again, and the responders that passed it
    on. For a cassette's call, ``differences`` says how the nearest
    recordings differ from the request.
    """
    kind = request.operation.kind
    params = request.params
    endpoint = params.get("EndpointName")
    shown = ", ".join(
        f"{name}={value!r}"
        for name, value in params.items()
        if name not in ("EndpointName", "Body")
    )
    parts = [shown] if shown else []
    data = request.body
    parts.append(f"Body of {len(data)} bytes {preview(data)}" if data else "no Body")
    if cassette is None:
        first = (
            f"No result is queued for {request.operation.name} on endpoint "
            f"{endpoint!r}."
        )
    elif differences:
        first = (
            f"No recording in cassette {cassette!r} matches this "
            f"{request.operation.name} request on endpoint {endpoint!r}, and "
            "nothing else is queued."
        )
    else:
        first = (
            f"No recording in cassette {cassette!r} is left for "
            f"{request.operation.name} on endpoint {endpoint!r}, and nothing "
            "else is queued."
        )
    lines = [first, f"Request: {', '.join(parts)}."]
    lines.extend(differences or ())
    if passed:
        lines.append(f"Every responder covering it returned None: {'; '.join(passed)}.")
    others = sorted({name for name in endpoints_with_results if name != endpoint})
    if others:
        listed = ", ".join(repr(name) for name in others)
        lines.append(f"Results are queued only for other endpoints: {listed}.")
    method, example = _QUEUE_METHOD[kind]
    if cassette is not None:
        lines.append(
            "Record it: run pytest with --sagemaker-record-mode=new_episodes, "
            f"or give Cassette({cassette!r}, record_mode='new_episodes'). Or "
            "queue a result as below."
        )
    lines.append(
        f"Queue one with stub.{method}({example}, endpoint_name={endpoint!r}) "
        f"or stub.{method}({example}) for any endpoint."
    )
    if error_before is not None:
        lines.append(
            f"This request was answered with {error_before.code} before: a queued "
            "error answers one request, and a repeat takes the next result. To "
            "give an error to every repeat, queue it as "
            "ErrorResult(...).remembered()."
        )
    return NoResultError("\n".join(lines))


def modeled_error_shape(
    operation: OperationModel, status: int, parsed: Mapping[str, Any]
) -> Shape | None:
    """The modeled error a parsed response carries, whose fields are parsed next.

    botocore's endpoint parses an error response twice: for the error code,
    then for the error shape's own fields (``OriginalStatusCode``, ...).
    """
    if status < 300:
        return None
    code = parsed.get("Error", {}).get("Code")
    return operation.service_model.shape_for_error_code(code) if code else None
