"""Typed results: what a stubbed call answers.

Every result is a frozen, keyword-only attrs class validated when it is built,
so a mistake fails on the line that made the result, not at the call that
would have served it. Checks that need botocore's service model (maximum
lengths, which errors an operation can return) run when the result is queued.
"""

from __future__ import annotations

from typing import TypedDict

import attrs
from typing_extensions import Self, Unpack

from ._error_result import ErrorResult
from ._stream_result import StreamError, StreamResult
from ._text import (
    DEFAULT_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    SERVING_VARIANT,
    TEXT_CONTENT_TYPE,
    HeaderOptions,
    ServingVariant,
    body_bytes,
    describe,
    dump_json,
    header_field,
    known_options,
    optional_header_field,
    preview,
)

__all__ = [
    "SERVING_VARIANT",
    "AsyncResult",
    "ErrorResult",
    "InvokeResult",
    "ServingVariant",
    "StreamError",
    "StreamResult",
]


class _InvokeOptions(HeaderOptions, total=False):
    """What InvokeResult's constructors pass through."""

    close_session: bool


_INVOKE_OPTIONS = (
    "content_type, invoked_production_variant, custom_attributes, close_session"
)
_TIMING_OPTIONS = "content_type, available_after, hold"


@attrs.frozen(kw_only=True)
class InvokeResult:
    """What ``invoke_endpoint`` answers: the model container's response.

    Args:
        body: The response payload. ``str`` is encoded as UTF-8; bytes are
            served unchanged, so binary payloads (images, arrays) work.
        content_type: The ``ContentType`` the caller sees.
        invoked_production_variant: The variant that served the request. By
            default, :data:`SERVING_VARIANT`: the one the call was routed to.
            ``None`` leaves the header out, as moto does when it is unset.
        custom_attributes: ``CustomAttributes`` returned by the model, if any.
        close_session: Close the stateful session the call was made in:
            the response carries its id as ``ClosedSessionId`` and later
            calls with that id are refused.

    .. versionadded:: 0.1.0
    """

    body: bytes = attrs.field(converter=body_bytes, repr=preview)
    content_type: str = attrs.field(
        default=DEFAULT_CONTENT_TYPE, validator=header_field
    )
    invoked_production_variant: str | ServingVariant | None = attrs.field(
        default=SERVING_VARIANT, validator=optional_header_field
    )
    custom_attributes: str | None = attrs.field(
        default=None, validator=optional_header_field
    )
    close_session: bool = attrs.field(default=False)

    @close_session.validator
    def _check_close_session(
        self, attribute: attrs.Attribute[bool], value: object
    ) -> None:
        if not isinstance(value, bool):
            msg = f"InvokeResult.close_session must be a bool; got {describe(value)}."
            raise TypeError(msg)

    @classmethod
    def json(
        cls,
        obj: object,
        *,
        content_type: str = JSON_CONTENT_TYPE,
        **options: Unpack[_InvokeOptions],
    ) -> Self:
        """A result whose body is ``obj`` serialised as JSON.

        ``invoked_production_variant``, ``custom_attributes`` and
        ``close_session`` may be given as for the class.

        Raises:
            TypeError: ``obj`` cannot be serialised as strict JSON.
        """
        known_options("InvokeResult.json()", options, _INVOKE_OPTIONS)
        body = dump_json(obj, "InvokeResult.json(obj)")
        return cls(body=body, content_type=content_type, **options)

    @classmethod
    def text(
        cls,
        text: str,
        *,
        content_type: str = TEXT_CONTENT_TYPE,
        **options: Unpack[_InvokeOptions],
    ) -> Self:
        """A result whose body is ``text`` encoded as UTF-8.

        ``invoked_production_variant``, ``custom_attributes`` and
        ``close_session`` may be given as for the class.
        """
        known_options("InvokeResult.text()", options, _INVOKE_OPTIONS)
        if not isinstance(text, str):
            msg = f"InvokeResult.text(text) must be a str; got {describe(text)}."
            raise TypeError(msg)
        return cls(body=text, content_type=content_type, **options)


class _Timing(TypedDict, total=False):
    """When an async output becomes visible."""

    available_after: int
    hold: bool


def _async_data(data: object, where: str) -> tuple[bytes, str]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), DEFAULT_CONTENT_TYPE
    if isinstance(data, str):
        return data.encode("utf-8"), TEXT_CONTENT_TYPE
    return dump_json(data, where), JSON_CONTENT_TYPE


@attrs.frozen(kw_only=True)
class AsyncResult:
    """What ``invoke_endpoint_async`` produces: an object written to S3.

    Build one with :meth:`success` or :meth:`failure`. A success is written to
    the call's ``OutputLocation``, a failure to its ``FailureLocation``; read
    either back with :meth:`SageMakerRuntimeStub.read_output`, or through an S3
    client attached with :meth:`SageMakerRuntimeStub.attach_s3`.

    Args:
        data: The bytes of the output object.
        is_failure: Whether the inference failed.
        content_type: The output object's content type.
        available_after: How many reads of the object through an attached S3
            client (GetObject, HeadObject, a waiter's polls) find nothing
            before it appears, to test polling loops without sleeping.
        hold: Keep the object invisible until
            :meth:`SageMakerRuntimeStub.complete` is called for the inference.

    .. versionadded:: 0.1.0
    """

    data: bytes = attrs.field(repr=preview)
    is_failure: bool = attrs.field(default=False)
    content_type: str = attrs.field(
        default=DEFAULT_CONTENT_TYPE, validator=header_field
    )
    available_after: int = attrs.field(default=0)
    hold: bool = attrs.field(default=False)

    @available_after.validator
    def _check_available_after(
        self, attribute: attrs.Attribute[int], value: object
    ) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            msg = (
                "AsyncResult.available_after must be an int of 0 or more (reads "
                f"before the object appears); got {describe(value)}."
            )
            raise ValueError(msg)

    @hold.validator
    def _check_hold(self, attribute: attrs.Attribute[bool], value: object) -> None:
        if not isinstance(value, bool):
            msg = f"AsyncResult.hold must be a bool; got {describe(value)}."
            raise TypeError(msg)

    @data.validator
    def _check_data(self, attribute: attrs.Attribute[bytes], value: object) -> None:
        if not isinstance(value, bytes):
            msg = (
                f"AsyncResult.data must be bytes; got {describe(value)}. "
                "AsyncResult.success() and AsyncResult.failure() also take "
                "str or a JSON-serialisable object."
            )
            raise TypeError(msg)

    @is_failure.validator
    def _check_is_failure(
        self, attribute: attrs.Attribute[bool], value: object
    ) -> None:
        if not isinstance(value, bool):
            msg = f"AsyncResult.is_failure must be a bool; got {describe(value)}."
            raise TypeError(msg)

    @classmethod
    def success(
        cls,
        data: object,
        *,
        content_type: str | None = None,
        **timing: Unpack[_Timing],
    ) -> Self:
        """A successful inference whose output object holds ``data``.

        Args:
            data: ``bytes`` (stored as is), ``str`` (stored as UTF-8) or a
                JSON-serialisable object (stored as JSON).
            content_type: Defaults to ``application/json`` for JSON data,
                ``text/plain; charset=utf-8`` for text and
                ``application/octet-stream`` for bytes.
            timing: ``available_after`` and ``hold``, as for the class.
        """
        known_options("AsyncResult.success()", timing, _TIMING_OPTIONS)
        payload, guessed = _async_data(data, "AsyncResult.success(data)")
        return cls(data=payload, content_type=content_type or guessed, **timing)

    @classmethod
    def failure(
        cls,
        data: object,
        *,
        content_type: str | None = None,
        **timing: Unpack[_Timing],
    ) -> Self:
        """A failed inference whose failure object holds ``data``.

        Takes the same arguments as :meth:`success`.
        """
        known_options("AsyncResult.failure()", timing, _TIMING_OPTIONS)
        payload, guessed = _async_data(data, "AsyncResult.failure(data)")
        return cls(
            data=payload,
            is_failure=True,
            content_type=content_type or guessed,
            **timing,
        )
