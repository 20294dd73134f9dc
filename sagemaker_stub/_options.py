"""The stub's options, fixed when it is built."""

from __future__ import annotations

import attrs

from ._cassettes.interactions import Cassette
from ._text import describe

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_SESSION_TTL_SECONDS",
    "PLACEHOLDER_KEY",
    "Options",
    "OptionsView",
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


def _seconds(value: object) -> object:
    """A whole number of seconds in range as a float; anything else as given,
    for the validator to refuse by what it is."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and 0 < value <= MAX_SESSION_TTL_SECONDS
    ):
        return float(value)
    return value


def _positive_seconds(
    instance: Options, attribute: attrs.Attribute[float], value: object
) -> None:
    if not isinstance(value, float) or not 0 < value <= MAX_SESSION_TTL_SECONDS:
        msg = (
            f"{instance.caller}(session_ttl_seconds=...) must be a positive "
            f"number of seconds, at most {MAX_SESSION_TTL_SECONDS:,}; got "
            f"{describe(value)}."
        )
        raise ValueError(msg)


def _flag(instance: Options, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        msg = (
            f"{instance.caller}({attribute.name}=...) must be True or False; "
            f"got {describe(value)}."
        )
        raise TypeError(msg)


def _account_id(
    instance: Options, attribute: attrs.Attribute[str], value: object
) -> None:
    if not isinstance(value, str) or not (len(value) == 12 and value.isdigit()):
        msg = (
            f"{instance.caller}(account_id=...) must be a 12-digit AWS account "
            f"id such as '123456789012'; got {describe(value)}."
        )
        raise ValueError(msg)


@attrs.frozen(kw_only=True)
class Options:
    """What a stub or mock was built with (see :class:`SageMakerRuntimeStub`)."""

    #: Who was given the options, as error messages name it. Validators run
    #: once every field is set, so they can read it.
    caller: str = attrs.field(default="SageMakerRuntimeStub", eq=False, repr=False)
    allow_defaults: bool = attrs.field(default=True, validator=_flag)
    account_id: str = attrs.field(default=DEFAULT_ACCOUNT_ID, validator=_account_id)
    keep_bodies: bool = attrs.field(default=False, validator=_flag)
    validate: bool = attrs.field(default=True, validator=_flag)
    retries: bool = attrs.field(default=False, validator=_flag)
    sleep_between_retries: bool = attrs.field(default=False, validator=_flag)
    session_ttl_seconds: float = attrs.field(
        default=DEFAULT_SESSION_TTL_SECONDS,
        converter=_seconds,
        validator=_positive_seconds,
    )
    #: The cassette replayed or recorded (see :func:`~._cassette.cassette_of`).
    cassette: Cassette | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(Cassette)),
    )

    #: The names of the options a user passes (all but :attr:`caller`).
    @staticmethod
    def names() -> tuple[str, ...]:
        return tuple(name for name in attrs.fields_dict(Options) if name != "caller")


class OptionsView:
    """The options of a stub or mock, read-only: they are fixed when it is built."""

    _options: Options

    @property
    def allow_defaults(self) -> bool:
        """Whether a call with nothing queued gets moto's static default."""
        return self._options.allow_defaults

    @property
    def account_id(self) -> str:
        """The account id in ``ModelError`` messages and not-found errors."""
        return self._options.account_id

    @property
    def keep_bodies(self) -> bool:
        """Whether :attr:`calls` keep each request body."""
        return self._options.keep_bodies

    @property
    def validate(self) -> bool:
        """Whether requests are validated as the service validates them."""
        return self._options.validate

    @property
    def retries(self) -> bool:
        """Whether calls are answered inside botocore's retry loop."""
        return self._options.retries

    @property
    def sleep_between_retries(self) -> bool:
        """Whether botocore's retry backoff is slept (``retries=True``)."""
        return self._options.sleep_between_retries

    @property
    def session_ttl_seconds(self) -> float:
        """How long a stateful session lasts."""
        return self._options.session_ttl_seconds

    @property
    def cassette(self) -> Cassette | None:
        """The cassette replayed or recorded, if any.

        .. versionadded:: 0.2.0
        """
        return self._options.cassette
