"""Typed results: what a stubbed call answers.

Every result is a frozen, keyword-only attrs class validated when it is built,
so a mistake fails on the line that made the result, not at the call that
would have served it. Checks that need botocore's service model (maximum
lengths, which errors an operation can return) run when the result is queued.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any, TypedDict, cast

import attrs
from typing_extensions import Self, Unpack

from ._error_result import ErrorResult
from ._text import check_header_text, describe, dump_json, preview

__all__ = [
    "SERVING_VARIANT",
    "AsyncResult",
    "ErrorResult",
    "InvokeResult",
    "ServingVariant",
    "StreamError",
    "StreamResult",
]

DEFAULT_CONTENT_TYPE = "application/octet-stream"
JSON_CONTENT_TYPE = "application/json"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"


class ServingVariant(enum.Enum):
    """The type of :data:`SERVING_VARIANT`.

    .. versionadded:: 0.1.0
    """

    SERVING_VARIANT = "SERVING_VARIANT"

    def __repr__(self) -> str:
        return self.value


#: The default ``invoked_production_variant`` of a result: the variant that
#: served the call. That is the ``TargetVariant`` of the request, else the
#: variant of its session, else the first variant of a declared endpoint,
#: else ``"AllTraffic"``.
SERVING_VARIANT = ServingVariant.SERVING_VARIANT


def _body_bytes(value: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    msg = f"InvokeResult.body must be bytes or str; got {describe(value)}."
    raise TypeError(msg)


def _header(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_header_text(type(instance).__name__, attribute.name, value)


def _optional_header(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None and value is not SERVING_VARIANT:
        check_header_text(type(instance).__name__, attribute.name, value)


class _Headers(TypedDict, total=False):
    """The optional headers a model's answer carries."""

    invoked_production_variant: str | ServingVariant | None
    custom_attributes: str | None


class _InvokeOptions(_Headers, total=False):
    """What InvokeResult's constructors pass through."""

    close_session: bool


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

    body: bytes = attrs.field(converter=_body_bytes, repr=preview)
    content_type: str = attrs.field(default=DEFAULT_CONTENT_TYPE, validator=_header)
    invoked_production_variant: str | ServingVariant | None = attrs.field(
        default=SERVING_VARIANT, validator=_optional_header
    )
    custom_attributes: str | None = attrs.field(
        default=None, validator=_optional_header
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
    content_type: str = attrs.field(default=DEFAULT_CONTENT_TYPE, validator=_header)
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
        payload, guessed = _async_data(data, "AsyncResult.failure(data)")
        return cls(
            data=payload,
            is_failure=True,
            content_type=content_type or guessed,
            **timing,
        )


#: The errors the service sends inside a stream, and their factories.
STREAM_ERROR_CODES = {
    "ModelStreamError": "model_stream_error",
    "InternalStreamFailure": "internal_stream_failure",
}
JSON_LINES_CONTENT_TYPE = "application/jsonlines"
EVENT_STREAM_TEXT_CONTENT_TYPE = "text/event-stream"


@attrs.frozen(kw_only=True)
class StreamError:
    """An error that ends a response stream after its parts.

    Iterating the stream raises botocore's ``EventStreamError`` with this
    code and message once the parts before it were read.

    .. versionadded:: 0.1.0
    """

    #: ``"ModelStreamError"`` or ``"InternalStreamFailure"``.
    code: str = attrs.field()
    #: The error's message.
    message: str = attrs.field(validator=attrs.validators.instance_of(str))
    #: ``ErrorCode`` of a ``ModelStreamError``.
    error_code: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(str)),
    )

    @code.validator
    def _check_code(self, attribute: attrs.Attribute[str], value: object) -> None:
        if value not in STREAM_ERROR_CODES:
            msg = (
                f"StreamError.code must be one of {', '.join(STREAM_ERROR_CODES)}; "
                f"got {describe(value)}."
            )
            raise ValueError(msg)

    @classmethod
    def model_stream_error(
        cls, message: str = "Model stream error.", error_code: str | None = None
    ) -> Self:
        """``ModelStreamError``: the model container failed mid-stream."""
        return cls(code="ModelStreamError", message=message, error_code=error_code)

    @classmethod
    def internal_stream_failure(cls, message: str = "Internal stream failure.") -> Self:
        """``InternalStreamFailure``: the service failed mid-stream."""
        return cls(code="InternalStreamFailure", message=message)


class _StreamOptions(_Headers, total=False):
    """What every StreamResult constructor passes through."""

    error: StreamError | None


def _stream_parts(
    value: Iterable[bytes | bytearray | memoryview | str],
) -> tuple[bytes, ...]:
    if isinstance(value, (bytes, bytearray, memoryview, str)) or not isinstance(
        value, Iterable
    ):
        msg = (
            "StreamResult.parts must be a sequence of bytes or str, one per "
            f"PayloadPart; got {describe(value)}. Wrap a single body in a list, "
            "or split it with StreamResult.chunked()."
        )
        raise TypeError(msg)
    parts = []
    for index, part in enumerate(value):
        if isinstance(part, str):
            parts.append(part.encode("utf-8"))
        elif isinstance(part, (bytes, bytearray, memoryview)):
            parts.append(bytes(part))
        else:
            msg = (
                f"StreamResult.parts[{index}] must be bytes or str; "
                f"got {describe(part)}."
            )
            raise TypeError(msg)
    return tuple(parts)


def _parts_repr(parts: tuple[bytes, ...]) -> str:
    shown = ", ".join(preview(part) for part in parts[:3])
    if len(parts) > 3:
        return f"({shown}, ... ({len(parts)} parts))"
    return f"({shown},)" if len(parts) == 1 else f"({shown})"


@attrs.frozen(kw_only=True)
class StreamResult:
    """What ``invoke_endpoint_with_response_stream`` answers.

    Each part is delivered as one ``PayloadPart`` event, in order; parts may cut
    a line or a multi-byte character in two, as real endpoints do. With
    ``error``, the stream ends with that error after the parts. The
    constructors take ``error``, ``invoked_production_variant`` and
    ``custom_attributes`` as keywords, as the class does.

    Args:
        parts: The payload of each event: bytes, or str encoded as UTF-8.
        error: A :class:`StreamError` that ends the stream after the parts.
        content_type: The ``ContentType`` the caller sees.
        invoked_production_variant: The variant that served the request; by
            default :data:`SERVING_VARIANT`, as for :class:`InvokeResult`.
        custom_attributes: ``CustomAttributes`` returned by the model, if any.

    .. versionadded:: 0.1.0
    """

    parts: tuple[bytes, ...] = attrs.field(converter=_stream_parts, repr=_parts_repr)
    error: StreamError | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(StreamError)),
    )
    content_type: str = attrs.field(default=DEFAULT_CONTENT_TYPE, validator=_header)
    invoked_production_variant: str | ServingVariant | None = attrs.field(
        default=SERVING_VARIANT, validator=_optional_header
    )
    custom_attributes: str | None = attrs.field(
        default=None, validator=_optional_header
    )

    @classmethod
    def text(
        cls,
        tokens: Iterable[str],
        *,
        content_type: str = TEXT_CONTENT_TYPE,
        **options: Unpack[_StreamOptions],
    ) -> Self:
        """One part per text token, as a token streamer sends them."""
        given: list[object] = list(tokens)
        bad = next((token for token in given if not isinstance(token, str)), None)
        if bad is not None:
            msg = f"StreamResult.text(tokens) takes str tokens; got {describe(bad)}."
            raise TypeError(msg)
        return cls(
            parts=cast("list[str]", given),
            content_type=content_type,
            **options,
        )

    @classmethod
    def json_lines(
        cls,
        objects: Iterable[object],
        *,
        content_type: str = JSON_LINES_CONTENT_TYPE,
        **options: Unpack[_StreamOptions],
    ) -> Self:
        """One part per object: its JSON and a newline."""
        parts = [
            dump_json(obj, f"StreamResult.json_lines(objects)[{index}]") + b"\n"
            for index, obj in enumerate(objects)
        ]
        return cls(
            parts=parts,
            content_type=content_type,
            **options,
        )

    @classmethod
    def server_sent_events(
        cls,
        events: Iterable[object],
        *,
        content_type: str = EVENT_STREAM_TEXT_CONTENT_TYPE,
        **options: Unpack[_StreamOptions],
    ) -> Self:
        """One part per event, ``data: <event>`` and a blank line.

        A ``str`` event is sent as it is (``"[DONE]"``, say); anything else is
        sent as JSON, as OpenAI-style and TGI servers do.
        """
        parts = []
        for index, event in enumerate(events):
            data = (
                event.encode("utf-8")
                if isinstance(event, str)
                else dump_json(
                    event, f"StreamResult.server_sent_events(events)[{index}]"
                )
            )
            parts.append(b"data: " + data + b"\n\n")
        return cls(
            parts=parts,
            content_type=content_type,
            **options,
        )

    @classmethod
    def chunked(
        cls,
        body: bytes | str,
        size: int,
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        **options: Unpack[_StreamOptions],
    ) -> Self:
        """``body`` split every ``size`` bytes, wherever that cuts it."""
        checked: object = size
        if isinstance(checked, bool) or not isinstance(checked, int) or checked < 1:
            msg = (
                "StreamResult.chunked(size) must be a positive int; "
                f"got {describe(size)}."
            )
            raise ValueError(msg)
        data = _body_bytes(body)
        return cls(
            parts=[data[start : start + size] for start in range(0, len(data), size)],
            content_type=content_type,
            **options,
        )
