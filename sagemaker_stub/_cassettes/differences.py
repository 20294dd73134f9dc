"""What differs between a request and the recordings it almost matched.

A request that finds no recording is shown the nearest few of its
operation, each with what differs from it: the endpoint, each identity
parameter, and the body (member by member when both are JSON, else from the
first byte that differs), the way vcrpy lists the requests that almost
matched and why.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sagemaker_stub._engine.identity import NOT_JSON, CassetteRequest, parsed_json

__all__ = ["nearest"]

#: How many recordings are shown, and how many differences of each.
_SHOWN = 3
_DIFFERENCES = 6
#: How much of a value, and of the bytes around a difference, is shown.
_VALUE = 60
_CONTEXT = 24


def nearest(
    sent: CassetteRequest, recordings: Sequence[tuple[int, CassetteRequest]]
) -> list[str]:
    """Lines naming the recordings nearest ``sent`` and how each differs.

    ``recordings`` are (interaction number, request) pairs.
    """
    candidates = [
        (number, request)
        for number, request in recordings
        if request.operation == sent.operation
    ]
    if not candidates:
        return [f"The cassette has no recording of {sent.operation}."]
    ranked = sorted(candidates, key=lambda pair: (_distance(pair[1], sent), pair[0]))
    lines = [
        (
            f"Nearest recordings ({min(len(ranked), _SHOWN)} of {len(ranked)} of "
            f"{sent.operation}), and what differs:"
        )
    ]
    for number, recorded in ranked[:_SHOWN]:
        differences = list(_differences(recorded, sent))
        lines.append(f"  interaction {number}:")
        lines.extend(f"    {line}" for line in differences[:_DIFFERENCES])
        if len(differences) > _DIFFERENCES:
            lines.append(f"    ... and {len(differences) - _DIFFERENCES} more")
    return lines


def _distance(recorded: CassetteRequest, sent: CassetteRequest) -> tuple[Any, ...]:
    """How far a recording is from a request: endpoint, parameters, body."""
    names = set(recorded.parameters) | set(sent.parameters)
    parameters = sum(
        recorded.parameters.get(name) != sent.parameters.get(name) for name in names
    )
    similarity = difflib.SequenceMatcher(
        None, recorded.body[:2048], sent.body[:2048], autojunk=False
    ).quick_ratio()
    return (
        recorded.endpoint_name != sent.endpoint_name,
        parameters,
        recorded.body != sent.body,
        -similarity,
    )


def _differences(recorded: CassetteRequest, sent: CassetteRequest) -> Iterator[str]:
    if recorded.endpoint_name != sent.endpoint_name:
        yield (
            f"EndpointName: recorded {recorded.endpoint_name!r}, "
            f"sent {sent.endpoint_name!r}"
        )
    for name in sorted(set(recorded.parameters) | set(sent.parameters)):
        before, now = recorded.parameters.get(name), sent.parameters.get(name)
        if before != now:
            yield (f"{name}: {_said('recorded', before)}, {_said('sent', now)}")
    if recorded.body != sent.body:
        yield from _body(recorded.body, sent.body)


def _said(verb: str, value: str | None) -> str:
    return f"not {verb}" if value is None else f"{verb} {_short(repr(value))}"


def _short(text: str) -> str:
    return text if len(text) <= _VALUE else f"{text[: _VALUE - 3]}..."


def _body(before: bytes, now: bytes) -> Iterator[str]:
    """A body's differences: JSON member by member, else from the first byte."""
    old, new = parsed_json(before), parsed_json(now)
    if old is not NOT_JSON and new is not NOT_JSON:
        differences = list(_json("$", old, new))
        if differences:
            yield from (f"Body {line}" for line in differences)
        else:
            yield "Body: the same JSON, written differently (spacing or member order)"
        return
    first = next(
        (
            index
            for index, (a, b) in enumerate(zip(before, now, strict=False))
            if a != b
        ),
        min(len(before), len(now)),
    )
    start = max(0, first - _CONTEXT)
    yield (
        f"Body differs from byte {first} (recorded {len(before)} bytes, sent "
        f"{len(now)}): recorded {_excerpt(before, start)}, sent {_excerpt(now, start)}"
    )


def _excerpt(data: bytes, start: int) -> str:
    end = start + 2 * _CONTEXT
    before = "..." if start else ""
    after = "..." if end < len(data) else ""
    return f"{before}{data[start:end]!r}{after}"


def _json(path: str, old: Any, new: Any) -> Iterator[str]:
    """The paths at which two JSON values differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        for name in [*old, *(name for name in new if name not in old)]:
            inner = f"{path}.{name}"
            if name not in new:
                yield f"{inner}: recorded {_value(old[name])}, not sent"
            elif name not in old:
                yield f"{inner}: not recorded, sent {_value(new[name])}"
            else:
                yield from _json(inner, old[name], new[name])
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _json(f"{path}[{index}]", a, b)
        return
    if old != new or type(old) is not type(new):
        yield f"{path}: recorded {_value(old)}, sent {_value(new)}"


def _value(value: Any) -> str:
    return _short(json.dumps(value, ensure_ascii=False))
