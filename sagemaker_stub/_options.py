"""What users configure: every option of a stub, mock, server or fixture, spelled once.

:class:`StubOptions` (and :class:`ServeOptions`, its part that makes sense
over HTTP) is the one typed definition of the options that
``SageMakerRuntimeStub``, :func:`~sagemaker_stub.mock`,
:func:`~sagemaker_stub.serve`, ``start_stub``, ``start_aio_stub`` and the
pytest marker take as keywords (``**options: Unpack[StubOptions]``), so that
type checkers and IDEs see each one. :class:`Options` holds them once given:
frozen, validated, with their defaults. A new option is a key of the
TypedDict and a field of :class:`Options` (tests/test_options.py checks that
they agree). :class:`Cassette`, the options of a cassette, is here too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypedDict, get_args

import attrs

from ._text import describe

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_SESSION_TTL_SECONDS",
    "PLACEHOLDER_KEY",
    "STUB_OPTIONS",
    "Cassette",
    "Options",
    "RecordMode",
    "ServeOptions",
    "StubOptions",
    "cassette_of",
    "records",
    "refuse_unknown",
]

#: How a cassette is used (pytest-recording's modes).
RecordMode = Literal["none", "once", "new_episodes", "all"]
_MODES: tuple[str, ...] = get_args(RecordMode)
#: What ``before_record`` is: a function of an interaction, as written.
Filter = Callable[[dict[str, Any]], "dict[str, Any] | None"]

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


def _path(value: object) -> Path:
    if isinstance(value, (str, os.PathLike)) and str(value):
        return Path(value)
    return value  # type: ignore[return-value] # refused by the validator


def _check_path(
    instance: Cassette, attribute: attrs.Attribute[Path], value: object
) -> None:
    if not isinstance(value, Path):
        msg = (
            "Cassette(path) must be a file path (str or os.PathLike); got "
            f"{describe(value)}."
        )
        raise TypeError(msg)


def _check_mode(
    instance: Cassette, attribute: attrs.Attribute[str], value: object
) -> None:
    if value not in _MODES:
        msg = (
            f"Cassette(record_mode=...) must be one of {', '.join(map(repr, _MODES))}; "
            f"got {describe(value)}."
        )
        raise ValueError(msg)


def _check_scrub(
    instance: Cassette, attribute: attrs.Attribute[Mapping[str, str]], value: object
) -> None:
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and key and isinstance(new, str)
        for key, new in value.items()
    ):
        msg = (
            "Cassette(scrub=...) must map each text to hide (a non-empty str) to "
            f"what to write instead (a str); got {describe(value)}."
        )
        raise TypeError(msg)


def _check_filter(
    instance: Cassette, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value is not None and not callable(value):
        msg = (
            "Cassette(before_record=...) must be a function that takes an "
            "interaction (a dict) and returns it, changed or not, or None to "
            f"leave it out; got {describe(value)}."
        )
        raise TypeError(msg)


def _check_match(
    instance: Cassette, attribute: attrs.Attribute[Any], value: object
) -> None:
    if value in _MATCHES or (callable(value) and not isinstance(value, str)):
        return
    msg = (
        "Cassette(match=...) must be 'identity' (a request takes the recording "
        "made for its identity), 'order' (else the endpoint's next recording), "
        "or a function of two CassetteRequests (recorded, sent) that says "
        "whether they match, such as json_ignoring('timestamp'); got "
        f"{describe(value)}."
    )
    raise (TypeError if not isinstance(value, str) else ValueError)(msg)


def _names(value: object) -> object:
    """A collection of names as a sorted tuple; anything else as given."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value
    names = list(value)
    if all(isinstance(name, str) for name in names):
        return tuple(sorted(set(names)))
    return names


def _check_redact(
    instance: Cassette, attribute: attrs.Attribute[tuple[str, ...]], value: object
) -> None:
    if isinstance(value, tuple) and all(
        isinstance(name, str) and name.strip(".") and name != "Body." for name in value
    ):
        return
    msg = (
        "Cassette(redact=...) must be a collection of names: request "
        "parameters such as 'CustomAttributes', or JSON body members as "
        f"'Body.<member>' such as 'Body.api_key'; got {describe(value)}."
    )
    raise TypeError(msg)


def _check_recorded_by(
    instance: Cassette, attribute: attrs.Attribute[str | None], value: object
) -> None:
    if value is not None and not (isinstance(value, str) and value):
        msg = (
            "Cassette(recorded_by=...) must be a non-empty str (the pytest "
            f"fixture gives the test's node id) or None; got {describe(value)}."
        )
        raise TypeError(msg)


#: The matching a cassette names rather than gives as a function.
_MATCHES = ("identity", "order")


@attrs.frozen
class Cassette:
    """A file of recorded calls, and how to use it.

    Give one to :class:`SageMakerRuntimeStub`, :func:`mock` or :func:`serve`
    as ``cassette=`` (a plain path means ``record_mode="none"``). A request
    takes the recording made for it (see ``match``), and a request made
    again gets the result it got. A request with no recording raises
    :class:`NoResultError` naming the cassette and showing what differs from
    the nearest recordings; static defaults never answer a cassette's calls.

    Args:
        path: The JSON file.
        record_mode: ``"none"`` replays only, and the file must exist;
            ``"once"`` records every call if the file does not exist, and
            replays it if it does; ``"new_episodes"`` replays the requests the
            cassette has and records the others; ``"all"`` records every call
            again, and its recordings replace those of the same requests (the
            others are kept). A recording stub merges what it recorded into
            the file as it is when it stops, under a lock, so processes may
            record into one cassette at once.
        scrub: Texts to replace wherever they appear in what is written
            (bodies, locations, messages, attributes), e.g. an account id:
            ``{"111122223333": "123456789012"}``.
        before_record: Called with each interaction, as the dict about to be
            written; return it (changed or not), or ``None`` to leave it out.
        match: How a request finds its recording. ``"identity"`` (the
            default): the recording made for its identity (endpoint, identity
            parameters, body), and nothing else; a request with none raises
            :class:`NoResultError` listing the nearest recordings and what
            differs. ``"order"``: its own recording if one is left, else the
            endpoint's next recording, as moto's queues answer. Or a function
            ``(recorded, sent) -> bool`` of two
            :class:`~sagemaker_stub.CassetteRequest`, such as
            :func:`~sagemaker_stub.json_ignoring`.
        redact: Parts of the request to keep out of the file while the
            request still matches its recording: request parameters by name
            (``"CustomAttributes"``), or JSON body members as
            ``"Body.<member>"`` (at any depth). Each is written as
            ``"<redacted>"``, and a request is matched with the same parts
            replaced.
        recorded_by: What the interactions this cassette records are labelled
            with (the pytest fixture gives the test's node id). A file keeps
            each label's interactions together, in the order they were
            recorded, so processes recording into one file write the same
            bytes whatever order they finish in.

    Credentials, signatures, security tokens, request ids and dates are
    never written: a cassette holds requests' identities and the parsed
    outcomes, not HTTP traffic.

    .. versionadded:: 0.2.0
    """

    path: Path = attrs.field(converter=_path, validator=_check_path)
    record_mode: RecordMode = attrs.field(
        default="none", validator=_check_mode, kw_only=True
    )
    scrub: Mapping[str, str] = attrs.field(
        factory=dict, validator=_check_scrub, hash=False, kw_only=True
    )
    before_record: Filter | None = attrs.field(
        default=None, validator=_check_filter, eq=False, hash=False, kw_only=True
    )
    match: Any = attrs.field(
        default="identity", validator=_check_match, eq=False, hash=False, kw_only=True
    )
    redact: tuple[str, ...] = attrs.field(
        default=(), converter=_names, validator=_check_redact, kw_only=True
    )
    recorded_by: str | None = attrs.field(
        default=None, validator=_check_recorded_by, kw_only=True
    )


def cassette_of(value: object, where: str) -> Cassette | None:
    """A ``cassette=`` option as a :class:`Cassette` (a path replays only)."""
    if value is None or isinstance(value, Cassette):
        return value
    if isinstance(value, (str, os.PathLike)) and str(value):
        return Cassette(path=value)
    msg = (
        f"{where}(cassette=...) must be a file path or a sagemaker_stub.Cassette; "
        f"got {describe(value)}."
    )
    raise TypeError(msg)


def records(cassette: Cassette) -> bool:
    """Whether a cassette, used now, sends calls to the endpoint to record them."""
    mode = cassette.record_mode
    return mode in ("all", "new_episodes") or (
        mode == "once" and not cassette.path.exists()
    )


def refuse_unknown(
    caller: str, given: Mapping[str, object], takes: tuple[str, ...]
) -> None:
    """Refuse a keyword ``caller`` does not take, as a signature would."""
    unknown = [name for name in given if name not in takes]
    if unknown:
        msg = (
            f"{caller}() got an unexpected keyword argument {unknown[0]!r}; "
            f"it takes {', '.join(takes)}."
        )
        raise TypeError(msg)


class ServeOptions(TypedDict, total=False):
    """The options every stub, mock and server takes, as keywords.

    Each keeps its meaning wherever it is given; see
    :class:`~sagemaker_stub.SageMakerRuntimeStub` for what each does.
    """

    moto_compatible: bool
    allow_defaults: bool
    account_id: str
    keep_bodies: bool
    validate: bool
    session_ttl_seconds: float
    cassette: str | os.PathLike[str] | Cassette | None


class StubOptions(ServeOptions, total=False):
    """The options of an in-process stub or mock: those of a server, and how
    botocore's retries are answered (over HTTP, retries are the client's own)."""

    retries: bool
    sleep_between_retries: bool


#: The names of the options a server takes.
SERVE_OPTIONS: tuple[str, ...] = tuple(ServeOptions.__annotations__)


def _when_moto_compatible(options: Options) -> bool:
    return options.moto_compatible is True


def _unless_moto_compatible(options: Options) -> bool:
    return options.moto_compatible is not True


@attrs.frozen(kw_only=True)
class Options:
    """The options a stub, mock or server was built with: validated, with defaults."""

    #: Who was given the options, as error messages name it. Validators run
    #: once every field is set, so they can read it.
    caller: str = attrs.field(default="SageMakerRuntimeStub", eq=False, repr=False)
    #: moto's behaviour, for suites migrating from it: the two options below
    #: default to what moto does (answer an unqueued call with its default
    #: body; validate nothing) instead of failing closed.
    moto_compatible: bool = attrs.field(default=False, validator=_flag)
    allow_defaults: bool = attrs.field(
        default=attrs.Factory(_when_moto_compatible, takes_self=True),
        validator=_flag,
    )
    account_id: str = attrs.field(default=DEFAULT_ACCOUNT_ID, validator=_account_id)
    keep_bodies: bool = attrs.field(default=False, validator=_flag)
    validate: bool = attrs.field(
        default=attrs.Factory(_unless_moto_compatible, takes_self=True),
        validator=_flag,
    )
    retries: bool = attrs.field(default=False, validator=_flag)
    sleep_between_retries: bool = attrs.field(default=False, validator=_flag)
    session_ttl_seconds: float = attrs.field(
        default=DEFAULT_SESSION_TTL_SECONDS,
        converter=_seconds,
        validator=_positive_seconds,
    )
    #: The cassette replayed or recorded (see :func:`cassette_of`).
    cassette: Cassette | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(Cassette)),
    )

    @classmethod
    def of(
        cls,
        caller: str,
        given: Mapping[str, object],
        *,
        takes: tuple[str, ...] | None = None,
    ) -> Options:
        """The options ``caller`` was given as keywords, checked.

        Raises:
            TypeError: A keyword ``caller`` does not take, or a value of the
                wrong type.
            ValueError: A value out of range.
        """
        refuse_unknown(caller, given, STUB_OPTIONS if takes is None else takes)
        values: dict[str, Any] = dict(given)
        if "cassette" in values:
            values["cassette"] = cassette_of(values["cassette"], caller)
        return cls(caller=caller, **values)


#: The names of the options an in-process stub takes, in the order messages
#: list them.
STUB_OPTIONS: tuple[str, ...] = tuple(
    field.name for field in attrs.fields(Options) if field.name != "caller"
)
