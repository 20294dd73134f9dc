"""How values are shown in messages, and the checks shared by result classes."""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

import attrs

__all__ = [
    "DEFAULT_CONTENT_TYPE",
    "JSON_CONTENT_TYPE",
    "SERVING_VARIANT",
    "TEXT_CONTENT_TYPE",
    "HeaderOptions",
    "ServingVariant",
    "body_bytes",
    "check_header_text",
    "describe",
    "dump_json",
    "header_field",
    "known_options",
    "optional_header_field",
    "preview",
    "typed",
]

_PREVIEW_BYTES = 40


def describe(value: object) -> str:
    """Render ``value`` for an error message: its repr, shortened, and its type."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def preview(data: bytes) -> str:
    """A short, printable rendering of ``data`` for reprs and messages."""
    if len(data) <= _PREVIEW_BYTES:
        return repr(data)
    return f"{data[:_PREVIEW_BYTES]!r}... ({len(data)} bytes)"


def check_header_text(owner: str, name: str, value: object) -> None:
    """A value that travels as an HTTP header: printable ASCII, one line, no
    edge whitespace."""
    if not isinstance(value, str):
        msg = f"{owner}.{name} must be a str; got {describe(value)}."
        raise TypeError(msg)
    bad = next((ch for ch in value if not (" " <= ch <= "~") and ch != "\t"), None)
    if bad is not None:
        msg = (
            f"{owner}.{name} is sent as an HTTP header, so it must be printable "
            f"ASCII on one line; got {value!r}, which contains {bad!r}."
        )
        raise ValueError(msg)
    if value != value.strip(" \t"):
        msg = (
            f"{owner}.{name} is sent as an HTTP header, which drops a value's "
            f"leading and trailing whitespace; got {value!r}: strip it."
        )
        raise ValueError(msg)


def dump_json(obj: object, where: str) -> bytes:
    """Serialise ``obj`` as strict JSON (no NaN), naming ``where`` on failure."""
    try:
        return json.dumps(obj, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        msg = (
            f"{where} must be JSON-serialisable; got {describe(obj)}, "
            f"which json cannot encode: {exc}."
        )
        raise TypeError(msg) from None


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


def body_bytes(value: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    msg = f"InvokeResult.body must be bytes or str; got {describe(value)}."
    raise TypeError(msg)


def header_field(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    owner = type(instance).__name__
    check_header_text(owner, attribute.name, value)
    if not value:
        msg = f"{owner}.{attribute.name} must not be empty; got '' (str)."
        raise ValueError(msg)


def optional_header_field(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None and value is not SERVING_VARIANT:
        check_header_text(type(instance).__name__, attribute.name, value)


class HeaderOptions(TypedDict, total=False):
    """The optional headers a model's answer carries."""

    invoked_production_variant: str | ServingVariant | None
    custom_attributes: str | None


class _InvokeOptions(HeaderOptions, total=False):
    """What InvokeResult's constructors pass through."""

    close_session: bool


def typed(
    expected: type, *, optional: bool = False
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator: the value is an ``expected`` (or ``None``)."""
    name = expected.__name__
    wanted = f"a {name} or None" if optional else f"a {name}"

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, expected) or (optional and value is None):
            return
        msg = (
            f"{type(instance).__name__}.{attribute.name} must be {wanted}; "
            f"got {describe(value)}."
        )
        raise TypeError(msg)

    return check


def known_options(where: str, options: Mapping[str, object], allowed: str) -> None:
    """Refuse a keyword a result factory does not take, naming the factory.

    ``allowed`` lists the keywords it takes, for the message.
    """
    unknown = [name for name in options if name not in allowed.split(", ")]
    if unknown:
        msg = (
            f"{where} got an unexpected keyword argument {unknown[0]!r}; "
            f"it takes {allowed}."
        )
        raise TypeError(msg)
