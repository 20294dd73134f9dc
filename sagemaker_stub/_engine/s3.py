"""S3's answers from the object store: objects, ranges, listings and errors.

Plain functions of an :class:`~.objects.ObjectStore` and a request's
parameters, giving the engine's :class:`~.request.Answer` (status, headers,
body), as S3 sends it. The S3 door on an attached client and the local
server's path-style S3 both answer through them.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from .objects import ObjectStore, S3Object
from .request import Answer

__all__ = [
    "ANSWERED",
    "MAX_KEYS",
    "bucket_listing",
    "default_bucket",
    "error_xml",
    "head_bucket",
    "list_page",
    "object_answer",
]

_RANGE = re.compile(r"bytes=(?P<start>\d*)-(?P<end>\d*)")
#: The operations answered from the store, on an owned bucket.
ANSWERED = (
    "GetObject",
    "HeadObject",
    "PutObject",
    "DeleteObject",
    "ListObjectsV2",
    "HeadBucket",
)
#: When every owned bucket was created, as ListBuckets shows it.
_BUCKETS_CREATED = "2024-01-01T00:00:00.000Z"


def default_bucket(bucket: str, account_id: str) -> bool:
    """Whether ``bucket`` is the SageMaker SDK's default bucket for the account:
    ``sagemaker-<region>-<account_id>``."""
    return (
        re.fullmatch(rf"sagemaker-[a-z]+(-[a-z]+)+-\d+-{re.escape(account_id)}", bucket)
        is not None
    )


def head_bucket(region: str, expected_owner: object, account_id: str | None) -> Answer:
    """HeadBucket on an owned bucket: 200, or 403 for another expected owner."""
    if isinstance(expected_owner, str) and account_id and expected_owner != account_id:
        return Answer(403, {}, b"")
    return Answer(200, {"x-amz-bucket-region": region}, b"")


def bucket_listing(buckets: list[str]) -> Answer:
    """ListBuckets: the owned buckets."""
    listed = "".join(
        f"<Bucket><Name>{escape(name)}</Name>"
        f"<CreationDate>{_BUCKETS_CREATED}</CreationDate></Bucket>"
        for name in buckets
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult '
        'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        "<Owner><ID>sagemaker-stub</ID><DisplayName>sagemaker-stub</DisplayName>"
        f"</Owner><Buckets>{listed}</Buckets></ListAllMyBucketsResult>"
    ).encode()
    return Answer(200, {"content-type": "application/xml"}, body)


#: The most keys a listing page holds, as S3 caps it.
MAX_KEYS = 1000


def list_page(store: ObjectStore, bucket: str, api_params: Mapping[str, Any]) -> Answer:
    """ListObjectsV2: the visible objects under a prefix, one page."""
    prefix: str = api_params.get("Prefix", "")
    after: str = api_params.get("ContinuationToken") or api_params.get("StartAfter", "")
    limit = min(api_params.get("MaxKeys", MAX_KEYS), MAX_KEYS)
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
    return Answer(200, {"content-type": "application/xml"}, body)


def object_answer(
    store: ObjectStore,
    operation: str,
    uri: str,
    *,
    body: bytes = b"",
    content_type: str | None = None,
    wanted: str | None = None,
) -> Answer:
    """The answer of GetObject, HeadObject, PutObject or DeleteObject on ``uri``.

    ``body`` and ``content_type`` are PutObject's; ``wanted`` is the ``Range``
    of GetObject and HeadObject. Both S3 doors (an attached client's, and the
    local server's path-style requests) answer through it.
    """
    if operation == "PutObject":
        obj = S3Object.build(uri, body, content_type or "binary/octet-stream")
        store.put(obj)
        return Answer(200, {"etag": obj.etag}, b"")
    if operation == "DeleteObject":
        store.discard(uri)
        return Answer(204, {}, b"")
    found = store.read(uri)
    if found is None:
        return _missing(operation, uri.split("/", 3)[3])
    return _object(operation, found, wanted)


def _missing(operation: str, key: str) -> Answer:
    """The answer for a key with no object."""
    if operation == "HeadObject":  # HEAD answers have no body to explain
        return Answer(404, {}, b"")
    body = error_xml("NoSuchKey", "The specified key does not exist.", Key=key)
    return Answer(404, {"content-type": "application/xml"}, body)


def _object(operation: str, obj: S3Object, wanted: str | None) -> Answer:
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
        return Answer(status, headers, b"")
    return Answer(status, headers, data)


def _invalid_range(operation: str, size: int) -> Answer:
    """The answer for a range S3 refuses."""
    body = b""
    if operation != "HeadObject":  # HEAD answers have no body
        body = error_xml(
            "InvalidRange",
            "The requested range is not satisfiable",
            ActualObjectSize=str(size),
        )
    headers = {"content-type": "application/xml", "content-range": f"bytes */{size}"}
    return Answer(416, headers, body)


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
