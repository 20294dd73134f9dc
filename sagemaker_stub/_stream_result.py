"""StreamResult and StreamError: what a response stream delivers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import attrs
from typing_extensions import Self, Unpack

from ._text import (
    DEFAULT_CONTENT_TYPE,
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
    typed,
)

__all__ = ["STREAM_ERROR_CODES", "StreamError", "StreamResult"]


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
    message: str = attrs.field(validator=typed(str))
    #: ``ErrorCode`` of a ``ModelStreamError``.
    error_code: str | None = attrs.field(
        default=None,
        validator=typed(str, optional=True),
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


class _StreamOptions(HeaderOptions, total=False):
    """What every StreamResult constructor passes through."""

    error: StreamError | None


_STREAM_OPTIONS = "content_type, error, invoked_production_variant, custom_attributes"


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
        validator=typed(StreamError, optional=True),
    )
    content_type: str = attrs.field(
        default=DEFAULT_CONTENT_TYPE, validator=header_field
    )
    invoked_production_variant: str | ServingVariant | None = attrs.field(
        default=SERVING_VARIANT, validator=optional_header_field
    )
    custom_attributes: str | None = attrs.field(
        default=None, validator=optional_header_field
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
        known_options("StreamResult.text()", options, _STREAM_OPTIONS)
        if isinstance(tokens, str):
            msg = (
                "StreamResult.text(tokens) takes a sequence of str tokens, one per "
                f"part; got {describe(tokens)}. Wrap a single token in a list."
            )
            raise TypeError(msg)
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
        known_options("StreamResult.json_lines()", options, _STREAM_OPTIONS)
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
        known_options("StreamResult.server_sent_events()", options, _STREAM_OPTIONS)
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
        known_options("StreamResult.chunked()", options, _STREAM_OPTIONS)
        checked: object = size
        if isinstance(checked, bool) or not isinstance(checked, int) or checked < 1:
            msg = (
                "StreamResult.chunked(size) must be a positive int; "
                f"got {describe(size)}."
            )
            raise ValueError(msg)
        data = body_bytes(body)
        return cls(
            parts=[data[start : start + size] for start in range(0, len(data), size)],
            content_type=content_type,
            **options,
        )
