"""How values are shown in messages, and the checks shared by result classes."""

from __future__ import annotations

import json

__all__ = ["check_header_text", "describe", "dump_json", "preview"]

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
    """A value that travels as an HTTP header: printable ASCII, one line."""
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


def dump_json(obj: object, where: str) -> bytes:
    """Serialise ``obj`` as strict JSON (no NaN), naming ``where`` on failure."""
    try:
        return json.dumps(obj, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        msg = (
            f"{where} must be JSON-serialisable; got {describe(obj)}, "
            f"which json cannot encode: {exc}."
        )
        raise TypeError(msg) from exc
