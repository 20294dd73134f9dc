"""The stub's S3 objects: async outputs and inputs, by URI.

``ObjectStore`` is plain Python and thread-safe; S3's answers from it are
in :mod:`.s3`, which the S3 doors and the local server serve.
"""

from __future__ import annotations

import hashlib
import re
import threading

import attrs

from sagemaker_stub._text import describe

from .envelope import http_date

__all__ = ["ObjectStore", "S3Object", "split_s3_uri"]

_S3_URI = re.compile(r"s3://(?P<bucket>[^/]+)/(?P<key>.+)")


def split_s3_uri(uri: object, where: str) -> tuple[str, str]:
    """``(bucket, key)`` of an ``s3://bucket/key`` URI."""
    match = _S3_URI.fullmatch(uri) if isinstance(uri, str) else None
    if match is None:
        msg = f"{where} must be an S3 URI like 's3://bucket/key'; got {describe(uri)}."
        raise ValueError(msg)
    return match["bucket"], match["key"]


@attrs.frozen(kw_only=True)
class S3Object:
    """An object the stub holds, as S3 would describe it.

    .. versionadded:: 0.1.0
    """

    #: ``s3://bucket/key``.
    uri: str
    #: The object's bytes.
    data: bytes = attrs.field(repr=False)
    #: Its content type.
    content_type: str
    #: Its ETag, the quoted MD5 of the data, as S3 gives for a simple upload.
    etag: str
    #: When it was written, as an HTTP date.
    last_modified: str

    @classmethod
    def build(cls, uri: str, data: bytes, content_type: str) -> S3Object:
        """An object written now."""
        return cls(
            uri=uri,
            data=data,
            content_type=content_type,
            etag=f'"{hashlib.md5(data, usedforsecurity=False).hexdigest()}"',
            last_modified=http_date(),
        )


@attrs.define
class _Slot:
    """An object and when it becomes visible."""

    obj: S3Object
    reads_left: int
    held: bool


class ObjectStore:
    """Objects by URI, some not visible yet. Safe to share between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, _Slot] = {}

    def put(
        self, obj: S3Object, *, reads_before_visible: int = 0, held: bool = False
    ) -> None:
        """Store ``obj``, visible now, after some reads, or once released."""
        with self._lock:
            self._slots[obj.uri] = _Slot(obj, reads_before_visible, held)

    def read(self, uri: str) -> S3Object | None:
        """The object if visible; a read of a pending object counts as a poll."""
        with self._lock:
            slot = self._slots.get(uri)
            if slot is None:
                return None
            if slot.held:
                return None
            if slot.reads_left > 0:
                slot.reads_left -= 1
                return None
            return slot.obj

    def peek(self, uri: str) -> tuple[S3Object | None, str | None]:
        """The object without counting a read, and why it is hidden, if it is."""
        with self._lock:
            slot = self._slots.get(uri)
            if slot is None:
                return None, None
            if slot.held:
                return slot.obj, "held until stub.complete() is called"
            if slot.reads_left > 0:
                return slot.obj, f"pending for {slot.reads_left} more read(s)"
            return slot.obj, None

    def release(self, uri: str) -> None:
        """Make a stored, held or pending object visible now."""
        with self._lock:
            slot = self._slots[uri]
            slot.held = False
            slot.reads_left = 0

    def discard(self, uri: str) -> None:
        """Remove an object if it is there, as S3's DeleteObject does."""
        with self._lock:
            self._slots.pop(uri, None)

    def listing(self, bucket: str, prefix: str) -> list[S3Object]:
        """The visible objects of ``bucket`` whose keys start with ``prefix``.

        Sorted by URI, which sorts them by key; pending and held objects are
        left out, and listing them counts no read.
        """
        start = f"s3://{bucket}/{prefix}"
        with self._lock:
            return sorted(
                (
                    slot.obj
                    for uri, slot in self._slots.items()
                    if uri.startswith(start) and not slot.held and not slot.reads_left
                ),
                key=lambda obj: obj.uri,
            )

    def remove(self, uri: str) -> None:
        """Remove an object that is there (``KeyError`` if it is not)."""
        with self._lock:
            del self._slots[uri]

    def clear(self) -> None:
        """Forget every object."""
        with self._lock:
            self._slots.clear()

    def uris(self) -> list[str]:
        """Every stored URI, sorted."""
        with self._lock:
            return sorted(self._slots)
