"""Recording through the server: a call forwarded to the endpoint, answered back.

While the server's cassette records, a call it has no recording for is
forwarded to SageMaker (or to ``upstream_url``) through a boto3 client of the
server's own, signed with the credentials the server's environment gives, in
the server's own region (``upstream_region``; the caller's only when told).
Only a signed request is forwarded, and never one from a browser: the
server's credentials answer for the calls it forwards, so whoever can reach
its port must not be able to spend them (see :mod:`.access`). That client is
answered by an ordinary recording door on the server's engine, so what it
records is what a stub on a client records. The outcome goes back to the
caller as the service sent it: a whole body, an error with its fields, an
async call's locations, or a stream, each event passed on as it arrives.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import boto3
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError, EventStreamError

from sagemaker_stub._cassettes.outcomes import error_result
from sagemaker_stub._cassettes.recording import fetcher
from sagemaker_stub._cassettes.tape import Tape
from sagemaker_stub._doors.call import CallDoor
from sagemaker_stub._engine.answers import EVENT_STREAM_CONTENT_TYPE, error_answer
from sagemaker_stub._engine.book import Source
from sagemaker_stub._engine.engine import Engine
from sagemaker_stub._engine.eventstream import (
    EventStreamBody,
    StreamProgress,
    encode_exception,
    encode_part,
)
from sagemaker_stub._engine.identity import Kind
from sagemaker_stub._engine.request import Answer, Request
from sagemaker_stub._errors import SageMakerStubError
from sagemaker_stub._text import JSON_CONTENT_TYPE

from .access import Access

__all__ = ["Upstream"]


class _Forwarded(EventStreamBody):
    """A stream from the endpoint, each event encoded again as it arrives."""

    def __init__(self, events: Any) -> None:
        super().__init__((), None, StreamProgress(parts_total=0))
        self._events = events

    def stream(
        self, amt: int | None = None, decode_content: bool | None = None
    ) -> Iterator[bytes]:
        try:
            for event in self._events:
                yield encode_part(event["PayloadPart"]["Bytes"])
        except EventStreamError as exc:
            error = exc.response.get("Error", {})
            yield encode_exception(
                error.get("Code", "InternalStreamFailure"),
                {"Message": error.get("Message", "")},
            )
        finally:  # the endpoint's connection is let go, read or not
            self._events.close()

    def close(self) -> None:
        self._events.close()


@attrs.frozen
class _Clients:
    """The server's clients in one region."""

    #: The runtime client calls are forwarded through.
    runtime: Any
    #: The recording door open on it.
    door: CallDoor
    #: An S3 client, to fetch async outputs nobody read when the cassette is
    #: written.
    s3: Any


class Upstream:
    """The server's clients to the endpoint, one per region, recording.

    Args:
        engine: The server's engine.
        tape: Its cassette, which records.
        endpoint_url: Where to forward; SageMaker's own endpoint by default.
    """

    def __init__(
        self,
        engine: Engine,
        tape: Tape,
        endpoint_url: str | None,
        region: str | None,
        access: Access,
    ) -> None:
        self._engine = engine
        self._tape = tape
        self._endpoint_url = endpoint_url
        self._access = access
        #: The clients of each region.
        self._clients: dict[str, _Clients] = {}
        self._lock = threading.Lock()
        self._session = boto3.session.Session()
        #: Where calls go: a region, "caller" for the one each was signed for,
        #: or None when neither the server nor its environment names one.
        self._region = region or self._session.region_name

    def _client(self, region: str) -> Any:
        with self._lock:
            made = self._clients.get(region)
            if made is None:
                client = self._session.client(
                    "sagemaker-runtime",
                    region_name=region,
                    endpoint_url=self._endpoint_url,
                )
                door = CallDoor(client, self._engine, tape=self._tape)
                door.open()
                s3 = self._session.client(
                    "s3", region_name=region, endpoint_url=self._endpoint_url
                )
                self._tape.fetchers.append(fetcher(s3))
                made = self._clients[region] = _Clients(client, door, s3)
            return made.runtime

    def answer(self, request: Request, headers: Mapping[str, str]) -> Answer | None:
        """The endpoint's answer to a request the cassette records; else None.

        Raises:
            SageMakerStubError: The request may not be forwarded (unsigned, or
                from a browser), or the server has no region to send it to.
        """
        self._engine.identify(request)
        if not self._tape.sends(request):
            return None
        refusal = self._access.forwards(headers)
        if refusal is not None:
            raise self._unanswered(
                request,
                f"Cassette '{self._tape.name}' has no recording of this "
                f"{request.operation.name} call, and the server forwards a call to "
                f"record it only when signed by an SDK; this one was not: {refusal}.",
            )
        return self.forward(request)

    def _unanswered(self, request: Request, message: str) -> SageMakerStubError:
        """The error for a call not forwarded, logged as unanswered."""
        self._engine.calls.log(request, None, Source.UNANSWERED)
        return SageMakerStubError(message)

    def forward(self, request: Request) -> Answer:
        """Send ``request`` to the endpoint; its outcome, as the caller gets it."""
        operation = request.operation
        region = request.region if self._region == "caller" else self._region
        if region is None:
            raise self._unanswered(
                request,
                f"sagemaker-stub could not forward {operation.name} to record it: "
                "the server has no region of its own to send it to. Start it with "
                "--upstream-region (serve(upstream_region=...)) or "
                "AWS_DEFAULT_REGION set, or with --upstream-region caller to use "
                "the region each call was signed for.",
            )
        client = self._client(region)
        method = getattr(client, xform_name(operation.name))
        try:
            parsed = method(**request.params)
        except ClientError as exc:
            status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
            error = error_result(operation, status, exc.response)
            return error_answer(request, error, self._engine.options.account_id)
        except BotoCoreError as exc:
            msg = (
                f"sagemaker-stub could not forward {operation.name} to record it: {exc}"
            )
            raise SageMakerStubError(msg) from None
        headers = {
            wire: parsed[name]
            for name, wire in operation.header.items()
            if parsed.get(name) is not None
        }
        if operation.kind is Kind.ASYNC:  # a location may be missing: not async_answer
            headers["content-type"] = JSON_CONTENT_TYPE
            body = json.dumps({"InferenceId": parsed["InferenceId"]}).encode()
            return Answer(operation.status, headers, body)
        if operation.kind is Kind.STREAM:
            headers["content-type"] = EVENT_STREAM_CONTENT_TYPE
            return Answer(200, headers, _Forwarded(parsed["Body"]))
        return Answer(200, headers, parsed["Body"].read())

    def close(self) -> None:
        """Close the clients, and stop recording through them."""
        with self._lock:
            for made in self._clients.values():
                made.door.close()
                made.runtime.close()
                made.s3.close()
            self._clients.clear()
