"""The S3 door: an attached S3 client's requests answered from the object store.

``S3Responder`` answers GetObject (ranged too), HeadObject, PutObject,
DeleteObject and ListObjectsV2 for the buckets the stub owns, rendered through
botocore's own rest-xml parser. Every other request is refused with
:class:`S3NotStubbedError`, so a typo in a bucket name never reaches the
network, unless the client was attached with ``pass_through=True``.
"""

from __future__ import annotations

import email.utils
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel
from botocore.response import StreamingBody

from .._cassettes.recording import fetcher
from .._checks import Arguments, check_s3_client
from .._engine.objects import ObjectStore, S3Object
from .._engine.outputs import AsyncOutputs
from .._errors import S3NotStubbedError, StubActivationError
from .._text import describe
from .botocore import (
    RequestDict,
    Section,
    is_aio_client,
    register,
    request_body,
    request_url,
)
from .render import Renderer

__all__ = [
    "S3Control",
    "S3Doors",
    "S3Responder",
    "error_xml",
    "list_page",
    "object_reply",
    "responder_for",
]

if TYPE_CHECKING:
    from .._cassettes.tape import Tape

_RANGE = re.compile(r"bytes=(?P<start>\d*)-(?P<end>\d*)")
_ANSWERED = ("GetObject", "HeadObject", "PutObject", "DeleteObject", "ListObjectsV2")
_MAX_KEYS = 1000
#: An answer: status, headers and body.
Response = tuple[int, dict[str, str], bytes]
#: An answer and the URL it answers.
Reply = tuple[str, int, dict[str, str], bytes]


class S3Responder:
    """Answers an attached S3 client from an ``ObjectStore``.

    It keeps the client's events, not the client. A mock's responder
    (``section="last"``) answers after any attached one.
    """

    def __init__(
        self,
        client: Any,
        outputs: AsyncOutputs,
        *,
        pass_through: bool,
        section: Section = "middle",
        tape: Tape | None = None,
    ) -> None:
        self._events: Any = client.meta.events
        self._outputs = outputs
        self._store = outputs.store
        #: The tape whose async recordings wait for objects this client reads.
        self._tape = tape if tape is not None and tape.records else None
        # While a cassette records, outputs are in the real S3: let them pass.
        self._pass_through = pass_through or self._tape is not None
        self._section: Section = section
        self._renderer = Renderer(client.meta.service_model)
        unique = f"sagemaker-stub-s3-{id(self)}"
        handlers: tuple[tuple[str, Callable[..., Any], str], ...] = (
            ("before-parameter-build.s3.*", self._capture, f"{unique}-params"),
            ("before-call.s3.*", self.respond, unique),
        )
        if self._tape is not None:
            handlers += (
                ("after-call.s3.GetObject", self.observe, f"{unique}-observe"),
            )
            if not is_aio_client(client):
                self._tape.fetchers.append(fetcher(client))
        self._handlers = handlers
        #: Where the parameters wait for ``before-call``: a key of this
        #: responder's, as a mock's and an attached one may see one request.
        self._key = unique

    def attach(self) -> None:
        """Register the handlers on the S3 client."""
        for event, handler, unique_id in self._handlers:
            register(self._events, event, handler, unique_id, self._section)

    def detach(self) -> None:
        """Unregister exactly what :meth:`attach` registered."""
        for event, handler, unique_id in self._handlers:
            self._events.unregister(event, handler, unique_id=unique_id)

    def _capture(
        self, model: OperationModel, params: dict[str, Any], context: Any, **kwargs: Any
    ) -> None:
        """``before-parameter-build``: keep the request's parameters."""
        context[self._key] = dict(params)
        if (
            self._tape is not None
            and model.name == "GetObject"
            and "Range" not in params
        ):
            context[f"{self._key}-object"] = (
                f"s3://{params.get('Bucket')}/{params.get('Key')}"
            )

    def observe(
        self, http_response: Any, parsed: dict[str, Any], context: Any, **kwargs: Any
    ) -> None:
        """``after-call`` of GetObject: an async output being recorded appeared."""
        uri = self.observed(http_response, context)
        if uri is not None:
            data = parsed["Body"].read()
            parsed["Body"] = StreamingBody(io.BytesIO(data), len(data))
            self.seen(uri, data, parsed)

    def observed(self, http_response: Any, context: Any) -> str | None:
        """The location a GetObject read, if an async recording awaits it."""
        uri: str | None = context.pop(f"{self._key}-object", None)
        tape = self._tape
        if tape is None or uri is None or http_response.status_code != 200:
            return None
        return uri if tape.awaits(uri) else None

    def seen(self, uri: str, data: bytes, parsed: Mapping[str, Any]) -> None:
        """Hand the object read to the tape."""
        assert self._tape is not None
        self._tape.observe(uri, data, parsed.get("ContentType") or "")

    def respond(
        self, model: OperationModel, params: RequestDict, context: Any, **kwargs: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        """``before-call``: an owned object's answer, or ``None`` to let it pass."""
        reply = self.reply(model, params, context)
        if reply is None:
            return None
        return self._renderer.respond(model, *reply)

    def reply(
        self, model: OperationModel, params: RequestDict, context: Any
    ) -> Reply | None:
        """The answer to one request (URL, status, headers, body), or None to pass."""
        api_params: dict[str, Any] = context.pop(self._key, {})
        bucket = api_params.get("Bucket")
        owned = isinstance(bucket, str) and self._outputs.owns(bucket)
        if not owned or model.name not in _ANSWERED:
            if self._pass_through:
                return None
            raise S3NotStubbedError(self._refusal(model.name, bucket, owned=owned))
        assert isinstance(bucket, str)
        url = request_url(params)
        if model.name == "ListObjectsV2":
            return (url, *list_page(self._store, bucket, api_params))
        reply = object_reply(
            self._store,
            model.name,
            f"s3://{bucket}/{api_params['Key']}",
            body=request_body(params),
            content_type=api_params.get("ContentType"),
            wanted=api_params.get("Range"),
        )
        return (url, *reply)

    def _refusal(self, operation: str, bucket: object, *, owned: bool) -> str:
        """Why a request is refused, and the ways to serve it."""
        way_out = "or pass_through=True to send other requests on to S3."
        if not isinstance(bucket, str):
            return (
                f"S3 {operation} reached the stubbed S3 client, but it names no "
                "bucket, and the stub answers only requests for the buckets it "
                f"owns. Attach another client for it, {way_out}"
            )
        if not owned:
            known = ", ".join(repr(name) for name in self._outputs.owned())
            return (
                f"S3 {operation} on bucket {bucket!r} reached the stubbed S3 "
                "client, but the stub does not own that bucket; it owns "
                f"{known or 'no bucket yet'}. Attach with buckets=[...] to serve "
                f"more buckets, {way_out}"
            )
        return (
            f"S3 {operation} on bucket {bucket!r} reached the stubbed S3 client, "
            f"but the stub does not serve {operation}; it serves "
            f"{', '.join(_ANSWERED)}. Attach another client for it, {way_out}"
        )


def list_page(
    store: ObjectStore, bucket: str, api_params: Mapping[str, Any]
) -> Response:
    """ListObjectsV2: the visible objects under a prefix, one page."""
    prefix: str = api_params.get("Prefix", "")
    after: str = api_params.get("ContinuationToken") or api_params.get("StartAfter", "")
    limit = min(api_params.get("MaxKeys", _MAX_KEYS), _MAX_KEYS)
    start = len(f"s3://{bucket}/")
    objects = [obj for obj in store.listing(bucket, prefix) if obj.uri[start:] > after]
    page, more = objects[:limit], len(objects) > limit
    contents = "".join(
        "<Contents>"
        f"<Key>{escape(obj.uri[start:])}</Key>"
        f"<LastModified>{_iso(obj.last_modified)}</LastModified>"
        f"<ETag>{escape(obj.etag)}</ETag><Size>{len(obj.data)}</Size>"
        "<StorageClass>STANDARD</StorageClass></Contents>"
        for obj in page
    )
    token = (
        f"<NextContinuationToken>{escape(page[-1].uri[start:])}</NextContinuationToken>"
        if more
        else ""
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult '
        'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>"
        f"<KeyCount>{len(page)}</KeyCount><MaxKeys>{limit}</MaxKeys>"
        f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>"
        f"{contents}{token}</ListBucketResult>"
    ).encode()
    return 200, {"content-type": "application/xml"}, body


def object_reply(
    store: ObjectStore,
    operation: str,
    uri: str,
    *,
    body: bytes = b"",
    content_type: str | None = None,
    wanted: str | None = None,
) -> Response:
    """The answer of GetObject, HeadObject, PutObject or DeleteObject on ``uri``.

    ``body`` and ``content_type`` are PutObject's; ``wanted`` is the ``Range``
    of GetObject and HeadObject. Both S3 doors (an attached client's, and the
    local server's path-style requests) answer through it.
    """
    if operation == "PutObject":
        obj = S3Object.build(uri, body, content_type or "binary/octet-stream")
        store.put(obj)
        return 200, {"etag": obj.etag}, b""
    if operation == "DeleteObject":
        store.delete(uri)
        return 204, {}, b""
    found = store.read(uri)
    if found is None:
        return _missing(operation, uri.split("/", 3)[3])
    return _object(operation, found, wanted)


def _missing(operation: str, key: str) -> Response:
    """The answer for a key with no object."""
    if operation == "HeadObject":  # HEAD answers have no body to explain
        return 404, {}, b""
    body = error_xml("NoSuchKey", "The specified key does not exist.", Key=key)
    return 404, {"content-type": "application/xml"}, body


def _object(operation: str, obj: S3Object, wanted: str | None) -> Response:
    """The answer for a stored object, whole or a range of it."""
    data, status = obj.data, 200
    headers = {
        "content-type": obj.content_type,
        "etag": obj.etag,
        "last-modified": obj.last_modified,
        "accept-ranges": "bytes",
    }
    span = _byte_range(wanted, len(data)) if wanted else None
    if span == _UNSATISFIABLE:
        return _invalid_range(operation, len(data))
    if span is not None:
        start, end = span
        data, status = data[start : end + 1], 206
        headers["content-range"] = f"bytes {start}-{end}/{len(obj.data)}"
    if operation == "HeadObject":
        headers["content-length"] = str(len(data))
        return status, headers, b""
    return status, headers, data


def _invalid_range(operation: str, size: int) -> Response:
    """The answer for a range S3 refuses."""
    body = b""
    if operation != "HeadObject":  # HEAD answers have no body
        body = error_xml(
            "InvalidRange",
            "The requested range is not satisfiable",
            ActualObjectSize=str(size),
        )
    headers = {"content-type": "application/xml", "content-range": f"bytes */{size}"}
    return 416, headers, body


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


def _iso(http_date: str) -> str:
    """An HTTP date as the ISO 8601 timestamp S3 listings carry."""
    moment = email.utils.parsedate_to_datetime(http_date)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def error_xml(code: str, message: str, **details: str) -> bytes:
    """An S3 error document: code, message and the error's own elements."""
    fields = {"Code": code, "Message": message, **details}
    elements = "".join(
        f"<{name}>{escape(value)}</{name}>" for name, value in fields.items()
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{elements}</Error>'.encode()


def responder_for(
    s3_client: Any,
    outputs: AsyncOutputs,
    *,
    pass_through: bool,
    section: Section = "middle",
    tape: Tape | None = None,
) -> S3Responder:
    """The responder for a sync or aiobotocore S3 client."""
    responder_class = S3Responder
    if is_aio_client(s3_client):
        from .aio import AioS3Responder  # noqa: PLC0415 - only for aiobotocore

        responder_class = AioS3Responder
    return responder_class(
        s3_client, outputs, pass_through=pass_through, section=section, tape=tape
    )


class S3Doors:
    """The S3 clients attached to one stub, and the write-through client."""

    def __init__(
        self, outputs: AsyncOutputs, arguments: Arguments, tape: Tape | None = None
    ) -> None:
        self._outputs = outputs
        self._arguments = arguments
        self._tape = tape
        self._attached: dict[int, S3Responder] = {}

    def attach(
        self, s3_client: Any, buckets: Sequence[str], *, pass_through: object
    ) -> None:
        """Answer ``s3_client`` from the object store (``stub.attach_s3``)."""
        check_s3_client("attach_s3", s3_client)
        if s3_client is self._outputs.write_through:
            msg = (
                "stub.attach_s3(): this S3 client already receives outputs through "
                "write_outputs_to(); attaching it too would answer its own writes."
            )
            raise StubActivationError(msg)
        if id(s3_client) in self._attached:
            msg = "stub.attach_s3(): this S3 client is already attached to the stub."
            raise StubActivationError(msg)
        self._arguments.buckets(buckets)
        if not isinstance(pass_through, bool):
            msg = (
                "stub.attach_s3(pass_through=...) must be True or False; "
                f"got {describe(pass_through)}."
            )
            raise TypeError(msg)
        self._outputs.own(*buckets)
        responder = responder_for(
            s3_client, self._outputs, pass_through=pass_through, tape=self._tape
        )
        responder.attach()
        self._attached[id(s3_client)] = responder

    def detach(self, s3_client: Any = None) -> None:
        """Stop answering ``s3_client``, or every attached client."""
        keys = list(self._attached) if s3_client is None else [id(s3_client)]
        for key in keys:
            responder = self._attached.pop(key, None)
            if responder is not None:
                responder.detach()

    def write_through(self, s3_client: Any) -> None:
        """Also write outputs through ``s3_client`` (``stub.write_outputs_to``)."""
        check_s3_client("write_outputs_to", s3_client)
        if is_aio_client(s3_client):
            msg = (
                "stub.write_outputs_to() needs a sync S3 client: the stub writes "
                "each output as the call that makes it returns, and cannot await "
                "an aiobotocore client there. Pass a boto3 client for the same "
                'S3 (boto3.client("s3", endpoint_url=...)), or attach_s3() the '
                "async client to read outputs from the stub."
            )
            raise TypeError(msg)
        if id(s3_client) in self._attached:
            msg = (
                "stub.write_outputs_to(): this S3 client is attached with "
                "attach_s3(), which would answer the writes itself. Use another "
                "client, or detach_s3() it first."
            )
            raise StubActivationError(msg)
        self._outputs.write_through = s3_client


class S3Control:
    """The S3 clients a stub or mock serves, and where it writes outputs."""

    _s3_doors: S3Doors

    def attach_s3(
        self,
        s3_client: Any,
        *,
        buckets: Sequence[str] = (),
        pass_through: bool = False,
    ) -> None:
        """Serve async outputs (and inputs) to ``s3_client``, with no network.

        GetObject (ranged too), HeadObject, PutObject, DeleteObject and
        ListObjectsV2 on the buckets the stub owns are answered from its
        object store: the buckets of the output and failure locations it hands
        out, those given to :meth:`configure_async_output` and
        :meth:`store_input`, and ``buckets``. Every other request raises
        :class:`S3NotStubbedError`, naming the bucket and the owned ones, so
        a typo never reaches the network.

        Args:
            s3_client: A boto3, botocore or aiobotocore ``s3`` client.
            buckets: More buckets to own, e.g. where the code under test
                uploads its inputs.
            pass_through: Let the requests the stub does not answer go on to
                S3 (or to moto, LocalStack, ...) instead of refusing them.

        .. versionadded:: 0.1.0
        """
        self._s3_doors.attach(s3_client, buckets, pass_through=pass_through)

    def detach_s3(self, s3_client: Any = None) -> None:
        """Stop serving ``s3_client`` (every attached client by default).

        Its event handlers are left exactly as before :meth:`attach_s3`.
        Deactivating detaches every client.
        """
        self._s3_doors.detach(s3_client)

    def write_outputs_to(self, s3_client: Any) -> None:
        """Also write each async output through a sync ``s3_client`` (PutObject).

        For tests that already run moto's S3, LocalStack or a real test
        bucket: the objects become real there. A stub-generated
        ``sagemaker-output-*`` bucket is created first if it does not exist.
        """
        self._s3_doors.write_through(s3_client)
