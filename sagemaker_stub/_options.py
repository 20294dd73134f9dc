"""The stub's options, fixed when it is built."""

from __future__ import annotations

import attrs

from ._text import describe

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_SESSION_TTL_SECONDS", "Options"]

DEFAULT_ACCOUNT_ID = "123456789012"
#: How long a stateful session lasts unless the stub is told otherwise.
DEFAULT_SESSION_TTL_SECONDS = 1200.0


def _positive_seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        msg = (
            "SageMakerRuntimeStub(session_ttl_seconds=...) must be a positive "
            f"number of seconds; got {describe(value)}."
        )
        raise ValueError(msg)
    return float(value)


@attrs.frozen(kw_only=True)
class Options:
    """What :class:`SageMakerRuntimeStub` was built with (see its arguments)."""

    allow_defaults: bool = True
    account_id: str = DEFAULT_ACCOUNT_ID
    keep_bodies: bool = False
    validate: bool = True
    retries: bool = False
    sleep_between_retries: bool = False
    session_ttl_seconds: float = attrs.field(
        default=DEFAULT_SESSION_TTL_SECONDS, converter=_positive_seconds
    )
