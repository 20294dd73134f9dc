"""Doors for aiobotocore clients: the same engine, answered with ``await``.

An aiobotocore client awaits what its handlers return when it is awaitable,
so the async doors are the sync ones with coroutines where something must be
awaited: a request body read, a latency slept, aiobotocore's (async) parser
run, or its retry handler asked. Answers are parsed by aiobotocore's own
parser, so bodies and event streams are aiobotocore's. This module is
imported only when an aiobotocore client is given.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import EventStreamError, ReadTimeoutError
from botocore.model import OperationModel, ServiceModel
from botocore.stub import Stubber

from sagemaker_stub._cassettes.recording import RecordedStream, keep_outcome
from sagemaker_stub._cassettes.tape import Tape
from sagemaker_stub._engine.engine import Engine
from sagemaker_stub._engine.identity import Kind
from sagemaker_stub._engine.outputs import AsyncOutputs
from sagemaker_stub._engine.request import Answer, Request

from .aiobotocore import (
    AioAWSResponse,
    AioEventStream,
    AioRawBody,
    LazyAioResponse,
    StreamingBody,
    parse_response,
    parser_for,
    resolve,
)
from .around import AroundDoor
from .botocore import (
    Hook,
    RequestDict,
    Section,
    async_body_reader,
    needs_retry_kwargs,
    request_url,
    set_request_body,
)
from .call import Answered, CallDoor
from .render import Template, Templates, envelope
from .s3 import S3Door
from .send import SendDoor

__all__ = ["AioAroundDoor", "AioCallDoor", "AioRenderer", "AioS3Door", "AioSendDoor"]


class AioRenderer:
    """Builds aiobotocore responses for one service model.

    As :class:`~.render.Renderer` does for botocore: the same envelope, and a
    parse kept per set of headers for streamed payloads.
    """

    def __init__(self, service_model: ServiceModel) -> None:
        self._templates = Templates()
        self._parser = parser_for(service_model)
        self._s3 = service_model.service_name == "s3"

    def http(self, url: str, answer: Answer) -> LazyAioResponse:
        """The HTTP response alone, for aiobotocore's endpoint to parse."""
        all_headers = envelope(self._s3, answer.headers, answer.body, answer.request_id)
        raw = AioRawBody(url, all_headers, answer.body)
        return LazyAioResponse(url, answer.status, all_headers, raw)

    def render(
        self, operation: OperationModel, url: str, answer: Answer
    ) -> Hook | Awaitable[Hook]:
        """The answer as aiobotocore's endpoint would parse it.

        A response whose parse is kept as a template is built at once;
        otherwise aiobotocore's (async) parser is awaited. aiobotocore awaits
        what its handlers return only if it is awaitable, so the common case
        costs no coroutine.
        """
        http = self.http(url, answer)
        body = answer.body
        if not isinstance(body, bytes):
            return self._parsed(http, operation, None)
        key = self._templates.key(operation, answer.status, len(body), answer.headers)
        template = None if key is None else self._templates.get(key)
        if template is None:
            return self._parsed(http, operation, key)
        return _instance(http, template)

    async def _parsed(
        self,
        http: LazyAioResponse,
        operation: OperationModel,
        key: tuple[object, ...] | None,
    ) -> Hook:
        """aiobotocore's parse, kept as the template for ``key`` if given."""
        parsed = await parse_response(self._parser, http, operation)
        if key is None:
            return http, parsed
        return _instance(http, self._templates.keep(key, operation, parsed))


def _instance(http: LazyAioResponse, template: Template) -> Hook:
    """The parsed response of ``http`` from a template, with its own body."""
    headers = http.plain_headers
    body = StreamingBody(http.raw, int(headers["content-length"]))
    return http, template.instance(body, headers)


async def _read_body(read: Any, params: RequestDict) -> None:
    """Read an async body, and put its bytes in its place."""
    data = await read()
    set_request_body(
        params, data.encode("utf-8") if isinstance(data, str) else bytes(data)
    )


class _AsyncBodies:
    """Reads an async request body (an async file) before a door answers.

    A door's ``before-call`` handler reads the body's bytes at once; when
    the body's ``read`` must be awaited, the handler is run after it, as a
    coroutine aiobotocore awaits.
    """

    def before_call(
        self, model: OperationModel, params: RequestDict, context: Any, **kwargs: Any
    ) -> Any:
        read = async_body_reader(params)
        if read is None:
            return super().before_call(model, params, context, **kwargs)  # type: ignore[misc]
        return self._before_call_after(read, model, params, context, **kwargs)

    async def _before_call_after(
        self,
        read: Any,
        model: OperationModel,
        params: RequestDict,
        context: Any,
        **kwargs: Any,
    ) -> Any:
        await _read_body(read, params)
        return await resolve(super().before_call(model, params, context, **kwargs))  # type: ignore[misc]


async def _wait(answer: Answer, request: Request) -> None:
    """Sleep for the answer's latency without blocking the event loop."""
    if answer.delay:
        await asyncio.sleep(answer.delay)
    if answer.timed_out:
        raise ReadTimeoutError(endpoint_url=request.url)


class AioRecordingEventStream(RecordedStream, AioEventStream):  # type: ignore[misc]
    """aiobotocore's ``AioEventStream`` of a recorded call, recording as read."""

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._events()

    async def _events(self) -> AsyncIterator[dict[str, Any]]:
        take = self._take
        try:
            async for event in self._inner:
                take.event(event)
                yield event
        except EventStreamError as exc:
            take.failed(exc.response)
            raise
        take.ended()


class _AsyncRecording:
    """``after-call`` for aiobotocore: the body is read with ``await``."""

    _sent_key: str
    _recording: Tape | None

    async def after_call(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: OperationModel,
        context: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        sent: Request | None = context.pop(self._sent_key, None)
        if sent is None:  # a call the door answered
            return
        tape = self._recording
        assert tape is not None  # the handler is registered only then
        status: int = http_response.status_code
        body = None
        if status < 300 and sent.operation.kind is Kind.SYNC:
            body = await parsed["Body"].read()
            parsed["Body"] = _whole_body(sent.url, body)
        take = keep_outcome(tape, sent, status, parsed, body)
        if take is not None and isinstance(parsed.get("Body"), AioEventStream):
            parsed["Body"] = AioRecordingEventStream(parsed["Body"], take)


def _whole_body(url: str, body: bytes) -> Any:
    """A body read whole, as a fresh aiobotocore ``StreamingBody``."""
    return StreamingBody(AioRawBody(url, {}, body), len(body))


class AioCallDoor(_AsyncRecording, _AsyncBodies, CallDoor):
    """Answers an aiobotocore client's calls in ``before-call``."""

    def __init__(
        self,
        client: Any,
        engine: Engine,
        *,
        stubber: Stubber | None = None,
        tape: Tape | None = None,
    ) -> None:
        super().__init__(client, engine, stubber=stubber, tape=tape)
        self._aio = AioRenderer(client.meta.service_model)

    def _answer(
        self, model: OperationModel, request: Request, request_dict: RequestDict
    ) -> Answered:
        """The engine's answer, after its latency, parsed by aiobotocore."""
        answer = self._engine.answer(request)
        if answer.delay or answer.timed_out:
            return self._later(model, request, answer)
        return self._aio.render(model, request.url, answer)

    async def _later(
        self, model: OperationModel, request: Request, answer: Answer
    ) -> Hook:
        """The answer after its latency, slept without blocking the event loop."""
        await _wait(answer, request)
        return await resolve(self._aio.render(model, request.url, answer))


class AioSendDoor(_AsyncRecording, _AsyncBodies, SendDoor):
    """Answers in ``before-send``, inside aiobotocore's retry loop."""

    def __init__(
        self,
        client: Any,
        engine: Engine,
        *,
        stubber: Stubber | None = None,
        tape: Tape | None = None,
        sleep_between_retries: bool,
    ) -> None:
        super().__init__(
            client,
            engine,
            stubber=stubber,
            tape=tape,
            sleep_between_retries=sleep_between_retries,
        )
        self._aio = AioRenderer(client.meta.service_model)

    async def _succeeded(
        self,
        model: OperationModel,
        request: Request,
        request_dict: RequestDict,
        answer: Answer,
    ) -> Hook:
        """A first attempt's success, answered now; the retry handler told."""
        await _wait(answer, request)
        response = await resolve(self._aio.render(model, request.url, answer))
        await resolve(
            self._events.emit(
                f"needs-retry.{self._name}.{model.name}",
                **needs_retry_kwargs(self._client(), model, request_dict, response),
            )
        )
        return response

    async def before_send(  # type: ignore[override]
        self, request: AWSPreparedRequest, **kwargs: Any
    ) -> AioAWSResponse | None:
        """Answer one attempt of the call in progress."""
        attempt = self._attempt()
        if attempt is None:  # pragma: no cover - before-call always runs first
            return None
        request_of, answer = attempt
        await _wait(answer, request_of)
        return self._aio.http(request_of.url, answer)

    async def needs_retry(self, **kwargs: Any) -> object:
        """aiobotocore's retry decision, with its backoff recorded."""
        return self._backoff(await resolve(self._retry_handler(**kwargs)))


class _AioS3Rendering(S3Door):
    """The S3 door's answers, rendered for aiobotocore."""

    def __init__(
        self,
        client: Any,
        outputs: AsyncOutputs,
        *,
        pass_through: bool,
        section: Section = "middle",
        tape: Tape | None = None,
        account_id: str | None = None,
    ) -> None:
        super().__init__(
            client,
            outputs,
            pass_through=pass_through,
            section=section,
            tape=tape,
            account_id=account_id,
        )
        self._aio = AioRenderer(client.meta.service_model)

    async def after_call(  # type: ignore[override]
        self, http_response: Any, parsed: dict[str, Any], context: Any, **kwargs: Any
    ) -> None:
        """GetObject's outcome: an async output being recorded appeared?"""
        uri = self.observed(http_response, context)
        if uri is not None:
            data = await parsed["Body"].read()
            parsed["Body"] = _whole_body(uri, data)
            self.seen(uri, data, parsed)

    def before_call(  # type: ignore[override]
        self, model: OperationModel, params: RequestDict, context: Any, **kwargs: Any
    ) -> Hook | Awaitable[Hook] | None:
        """An owned object's answer, or ``None`` to let the request pass."""
        answer = self.answer(model, params, context)
        if answer is None:
            return None
        return self._aio.render(model, request_url(params), answer)


class AioS3Door(_AsyncBodies, _AioS3Rendering):
    """Answers an attached aiobotocore S3 client from the object store."""


class AioAroundDoor(AroundDoor):
    """Answers an aiobotocore ``sagemaker`` or ``sts`` client, as
    :class:`~.around.AroundDoor` answers a botocore one."""

    def __init__(self, client: Any, engine: Engine) -> None:
        super().__init__(client, engine)
        self._aio = AioRenderer(client.meta.service_model)

    def before_call(  # type: ignore[override]
        self, model: OperationModel, params: RequestDict, context: Any, **kwargs: Any
    ) -> Hook | Awaitable[Hook]:
        """The answer, or :class:`NotStubbedError` for what is not answered."""
        return self._aio.render(model, request_url(params), self.answer(model, context))
