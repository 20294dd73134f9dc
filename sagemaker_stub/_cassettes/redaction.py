"""Redaction: parts of a request kept out of the file, matched all the same.

``Cassette(redact=("CustomAttributes", "Body.api_key"))`` names request
parameters, and JSON body members (at any depth) as ``"Body.<member>"``.
Each is replaced by :data:`PLACEHOLDER` in the request a cassette holds, and
in the request a replay matches, so the secret never reaches the file and a
request that sent any value there still finds its recording. A placeholder
rather than a keyed hash: the secret usually differs between the developer
who recorded and the CI that replays (a token, a tenant key), and a hash of
it would match neither.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from sagemaker_stub._errors import CassetteError

from .interactions import OPERATIONS

__all__ = ["PLACEHOLDER", "Redaction"]

#: What a redacted value is written as.
PLACEHOLDER = "<redacted>"
_BODY = "Body."


class Redaction:
    """The parts of a request one cassette redacts."""

    def __init__(
        self, names: Collection[str], parameters: Collection[str], cassette: str
    ) -> None:
        self.parameters = frozenset(
            name for name in names if not name.startswith(_BODY)
        )
        self.members = frozenset(
            name[len(_BODY) :] for name in names if name.startswith(_BODY)
        )
        unknown = sorted(self.parameters - set(parameters))
        if unknown:
            msg = (
                f"Cassette({cassette!r}, redact=...) names {unknown[0]!r}, which is "
                f"no request parameter a cassette holds for {', '.join(OPERATIONS)}; "
                f"it takes {', '.join(sorted(parameters))}, or a JSON body member "
                "as 'Body.<member>'."
            )
            raise CassetteError(msg)

    def __bool__(self) -> bool:
        return bool(self.parameters or self.members)

    def of_parameters(self, parameters: Mapping[str, str]) -> dict[str, str]:
        """``parameters`` with the redacted ones replaced."""
        return {
            name: PLACEHOLDER if name in self.parameters else value
            for name, value in parameters.items()
        }

    def of_body(self, body: bytes) -> bytes:
        """``body`` with the redacted JSON members replaced.

        A body that is not a JSON document, or that has none of the members,
        is returned as it was, byte for byte; one that had any is written
        anew (compact, members in their order).
        """
        if not self.members or not body:
            return body
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return body
        changed, redacted = _redacted(document, self.members)
        if not changed:
            return body
        return json.dumps(redacted, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )


def _redacted(value: Any, members: frozenset[str]) -> tuple[bool, Any]:
    """A JSON value with the named members' values replaced, and whether any was."""
    if isinstance(value, dict):
        changed = False
        result = {}
        for name, item in value.items():
            if name in members:
                changed = True
                result[name] = PLACEHOLDER
            else:
                inner, result[name] = _redacted(item, members)
                changed = changed or inner
        return changed, result
    if isinstance(value, list):
        pairs = [_redacted(item, members) for item in value]
        return any(inner for inner, _ in pairs), [item for _, item in pairs]
    return False, value
