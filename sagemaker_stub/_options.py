"""The stub's options, fixed when it is built."""

from __future__ import annotations

import attrs

from ._text import describe

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_SESSION_TTL_SECONDS",
    "PLACEHOLDER_KEY",
    "Options",
]

DEFAULT_ACCOUNT_ID = "123456789012"
#: The access key and secret of the clients this library creates, sync and
#: async. They never sign anything the network sees; they only spare botocore
#: its credential chain, which would look for files and ask the EC2 metadata
#: endpoint.
PLACEHOLDER_KEY = "testing"
#: How long a stateful session lasts unless the stub is told otherwise.
DEFAULT_SESSION_TTL_SECONDS = 1200.0


#: The longest session TTL accepted: ten years, far inside what a date holds.
MAX_SESSION_TTL_SECONDS = 10 * 365 * 24 * 3600


def _positive_seconds(value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value <= MAX_SESSION_TTL_SECONDS
    ):
        msg = (
            "SageMakerRuntimeStub(session_ttl_seconds=...) must be a positive "
            f"number of seconds, at most {MAX_SESSION_TTL_SECONDS:,}; got "
            f"{describe(value)}."
        )
        raise ValueError(msg)
    return float(value)


def _flag(instance: Options, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        msg = (
            f"SageMakerRuntimeStub({attribute.name}=...) must be True or False; "
            f"got {describe(value)}."
        )
        raise TypeError(msg)


def _account_id(
    instance: Options, attribute: attrs.Attribute[str], value: object
) -> None:
    if not isinstance(value, str) or not (len(value) == 12 and value.isdigit()):
        msg = (
            "SageMakerRuntimeStub(account_id=...) must be a 12-digit AWS account "
            f"id such as '123456789012'; got {describe(value)}."
        )
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Options:
    """What :class:`SageMakerRuntimeStub` was built with (see its arguments)."""

    allow_defaults: bool = attrs.field(default=True, validator=_flag)
    account_id: str = attrs.field(default=DEFAULT_ACCOUNT_ID, validator=_account_id)
    keep_bodies: bool = attrs.field(default=False, validator=_flag)
    validate: bool = attrs.field(default=True, validator=_flag)
    retries: bool = attrs.field(default=False, validator=_flag)
    sleep_between_retries: bool = attrs.field(default=False, validator=_flag)
    session_ttl_seconds: float = attrs.field(
        default=DEFAULT_SESSION_TTL_SECONDS, converter=_positive_seconds
    )
