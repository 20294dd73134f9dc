"""Cassettes: recorded calls in a file, and how a test uses one.

A cassette holds one interaction per request identity and endpoint, in the
order first seen (an error is kept per occurrence, as a queued error answers
one request). Each interaction is the request's identity, as the stub
computes it (``EndpointName``, the identity headers by parameter name, the
``Body`` or the ``InputLocation``), and what the endpoint answered: the
parsed outcome, a stream's parts and terminal error, an async call's
locations and the object that appeared there, or an error's modeled fields.
``_cassette_file`` reads and writes the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import attrs

from .._errors import SageMakerStubError
from .._results import AsyncResult
from .._text import describe

__all__ = [
    "FORMAT",
    "INFERENCE_ID",
    "OPERATIONS",
    "Cassette",
    "CassetteError",
    "Interaction",
    "RecordMode",
    "RecordedAsync",
    "cassette_of",
    "records",
]

#: How a cassette is used (pytest-recording's modes).
RecordMode = Literal["none", "once", "new_episodes", "all"]
_MODES: tuple[str, ...] = get_args(RecordMode)
#: The version of the file format, written in every cassette.
FORMAT = 1
#: What stands for an async call's inference id in its recorded locations.
INFERENCE_ID = "{InferenceId}"
Filter = Callable[[dict[str, Any]], "dict[str, Any] | None"]


class CassetteError(SageMakerStubError, ValueError):
    """A cassette file cannot be read, or cannot be used as asked.

    .. versionadded:: 0.2.0
    """


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


@attrs.frozen
class Cassette:
    """A file of recorded calls, and how to use it.

    Give one to :class:`SageMakerRuntimeStub`, :func:`mock` or :func:`serve`
    as ``cassette=`` (a plain path means ``record_mode="none"``). Recorded
    results are queued per endpoint, so moto's rules apply to them: a
    request takes the recording made for it, a new request the endpoint's
    next recording, and a request made again gets the result it got. A
    request with no recording left raises :class:`NoResultError` naming the
    cassette; static defaults never answer a cassette's calls.

    Args:
        path: The JSON file.
        record_mode: ``"none"`` replays only, and the file must exist;
            ``"once"`` records every call if the file does not exist, and
            replays it if it does; ``"new_episodes"`` replays the requests the
            cassette has and records the others; ``"all"`` records every call
            again and rewrites the file.
        scrub: Texts to replace wherever they appear in what is written
            (bodies, locations, messages, attributes), e.g. an account id:
            ``{"111122223333": "123456789012"}``.
        before_record: Called with each interaction, as the dict about to be
            written; return it (changed or not), or ``None`` to leave it out.

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


@attrs.define(kw_only=True)
class RecordedAsync:
    """An async call's recorded answer: where its object was to appear, and it."""

    #: The output location, with :data:`INFERENCE_ID` for the inference id.
    output_location: str
    #: The failure location, likewise.
    failure_location: str
    #: The object that appeared, as a result; None if none was seen.
    outcome: AsyncResult | None = None


@attrs.define(kw_only=True)
class Interaction:
    """One recorded request and what answered it."""

    operation: str
    endpoint_name: str
    #: The identity parameters but ``Body``, by parameter name.
    identity: dict[str, str]
    body: bytes
    #: An InvokeResult, StreamResult, ErrorResult or RecordedAsync.
    result: object


#: The operations a cassette records.
OPERATIONS = (
    "InvokeEndpoint",
    "InvokeEndpointAsync",
    "InvokeEndpointWithResponseStream",
)
