"""Server-side validation: what the service rejects but botocore lets through.

botocore checks types, required members and minimum lengths, and leaves
maximum lengths, value ranges and patterns to the service. The rules here are
read from the service model's input shapes, so they follow new botocore
releases, and the messages use the service's standard validation wording.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from typing import cast

import attrs
from botocore.model import OperationModel, Shape

__all__ = ["RequestValidator", "java_pattern"]

#: Java's POSIX character classes (US-ASCII only, as Java reads them by
#: default), as the ranges that go inside a Python character set.
_POSIX_CLASSES = {
    "ASCII": r"\x00-\x7f",
    "Print": r"\x20-\x7e",
    "Graph": r"\x21-\x7e",
    "Alnum": r"a-zA-Z0-9",
    "Alpha": r"a-zA-Z",
    "Digit": r"0-9",
    "Upper": r"A-Z",
    "Lower": r"a-z",
    "Punct": r"!-/:-@\[-`{-~",
    "Space": r" \t\n\x0b\f\r",
    "XDigit": r"0-9a-fA-F",
}
_JAVA_TOKEN = re.compile(r"\\p\{(\w+)\}|\\z|\\.|\[|\]|.", re.DOTALL)


@functools.lru_cache(maxsize=512)
def java_pattern(pattern: str) -> re.Pattern[str] | None:
    r"""Compile a Java regular expression from the service model for Python.

    ``\p{ASCII}``-style POSIX classes become ranges (bare outside a
    character set, inlined inside one) and ``\z`` becomes Python's ``\Z``.
    Returns ``None`` for a pattern that cannot be translated faithfully, so
    that an unknown construct never rejects input the service accepts.
    Kept per pattern: every stub's validators compile the same few.
    """
    out = []
    depth = 0
    for match in _JAVA_TOKEN.finditer(pattern):
        token = match.group(0)
        name = match.group(1)
        if name is not None:
            ranges = _POSIX_CLASSES.get(name)
            if ranges is None:
                return None
            out.append(ranges if depth else f"[{ranges}]")
            continue
        if token == r"\z":
            token = r"\Z"
        elif token == "[":
            depth += 1
        elif token == "]" and depth:
            depth -= 1
        out.append(token)
    try:
        return re.compile("".join(out))
    except re.error:  # pragma: no cover - a construct Python lacks
        return None


def _wire_name(member: str) -> str:
    """The member name as the service's validation messages spell it."""
    return member[:1].lower() + member[1:]


@attrs.frozen
class _Rule:
    """The constraints of one input member."""

    member: str
    type_name: str
    minimum: int | None
    maximum: int | None
    pattern: str | None
    compiled: re.Pattern[str] | None
    sensitive: bool
    #: ``minimum`` and ``maximum`` as bounds that are always there.
    low: float = attrs.field(init=False)
    high: float = attrs.field(init=False)

    @low.default
    def _low(self) -> float:
        return -math.inf if self.minimum is None else self.minimum

    @high.default
    def _high(self) -> float:
        return math.inf if self.maximum is None else self.maximum

    @classmethod
    def of(cls, member: str, shape: Shape) -> _Rule:
        metadata = shape.metadata
        pattern = metadata.get("pattern")
        return cls(
            member=member,
            type_name=shape.type_name,
            minimum=metadata.get("min"),
            maximum=metadata.get("max"),
            pattern=pattern,
            compiled=java_pattern(pattern) if pattern else None,
            sensitive=bool(metadata.get("sensitive")),
        )

    def problems(self, value: str | bytes | int) -> list[str]:
        """Every constraint ``value`` breaks, in the service's words."""
        if isinstance(value, int):
            size, what = value, "value"
        else:
            size, what = len(value), "length"
        if self.low <= size <= self.high and (
            self.compiled is None
            or not isinstance(value, str)
            or self.compiled.fullmatch(value)
        ):
            return []  # the common case, decided before any message is built
        where = _wire_name(self.member)
        shown = (
            f"Value at '{where}'"
            if self.sensitive or isinstance(value, bytes)
            else f"Value '{value}' at '{where}'"
        )
        found = []
        if self.maximum is not None and size > self.maximum:
            found.append(
                f"Member must have {what} less than or equal to {self.maximum}"
            )
        if self.minimum is not None and size < self.minimum:
            found.append(
                f"Member must have {what} greater than or equal to {self.minimum}"
            )
        if (
            isinstance(value, str)
            and self.compiled is not None
            and not self.compiled.fullmatch(value)
        ):
            found.append(
                f"Member must satisfy regular expression pattern: {self.pattern}"
            )
        return [f"{shown} failed to satisfy constraint: {text}" for text in found]


#: How many passing values of one member are remembered (a bound on memory).
_REMEMBERED_VALUES = 256
#: A check that spans members: a test of the parameters, and its message.
_Combined = tuple[Callable[[Mapping[str, object]], bool], str]


class RequestValidator:
    """Checks a call's parameters against its operation's input shape."""

    def __init__(self, operation: OperationModel) -> None:
        shape = operation.input_shape
        assert shape is not None
        self._rules = [_Rule.of(name, member) for name, member in shape.members.items()]
        self._by_member = {rule.member: rule for rule in self._rules}
        self._passed: dict[str, set[str]] = {rule.member: set() for rule in self._rules}
        body_rule = self._by_member.get("Body")
        #: The body's length bounds (the only check a body gets).
        self._body_low = -math.inf if body_rule is None else body_rule.low
        self._body_high = math.inf if body_rule is None else body_rule.high
        self._combined: list[_Combined] = []
        if operation.name == "InvokeEndpointAsync" and "Body" in shape.members:
            self._combined = [
                (
                    lambda params: "Body" in params and "InputLocation" in params,
                    "Only one of InputLocation and Body may be specified.",
                ),
                (
                    lambda params: (
                        "Body" not in params and "InputLocation" not in params
                    ),
                    "One of InputLocation or Body must be specified.",
                ),
            ]

    def accepts(self, member: str, value: str) -> bool:
        """Whether ``value`` meets the maximum length and pattern of ``member``."""
        rule = self._by_member[member]
        return len(value) <= rule.high and (
            rule.compiled is None or rule.compiled.fullmatch(value) is not None
        )

    def limits(self, member: str) -> str:
        """The constraints of ``member``, for a message."""
        rule = self._by_member[member]
        size = (
            f"at most {rule.maximum}" if rule.maximum is not None else "any number of"
        )
        return f"{size} characters matching {rule.pattern or '.*'}"

    def problem(self, params: Mapping[str, object], body: bytes) -> str | None:
        """The service's message for the first way ``params`` are invalid.

        ``body`` is the request body as sent (a file object already read).
        The common case is decided fast: strings already seen to pass
        (endpoint names, content types) are remembered per member, up to a
        bound, so their patterns run once, and the body has only a length to
        meet.
        """
        passed = self._passed
        for member, value in params.items():
            if member == "Body":
                if not self._body_low <= len(body) <= self._body_high:
                    return self._message(params, body)
            elif type(value) is str:
                seen = passed[member]
                if value in seen:
                    continue
                if self._by_member[member].problems(value):
                    return self._message(params, body)
                if len(seen) < _REMEMBERED_VALUES:
                    seen.add(value)
            elif self._by_member[member].problems(cast("bytes | int", value)):
                return self._message(params, body)
        for test, message in self._combined:
            if test(params):
                return message
        return None

    def _message(self, params: Mapping[str, object], body: bytes) -> str:
        """Every constraint the parameters break, in the service's words."""
        found = []
        for rule in self._rules:
            if rule.member in params:
                value = body if rule.member == "Body" else params[rule.member]
                found.extend(rule.problems(cast("str | bytes | int", value)))
        count = len(found)
        noun = "error" if count == 1 else "errors"
        return f"{count} validation {noun} detected: " + "; ".join(found)
