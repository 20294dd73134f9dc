"""Fault injection policies: errors and latency at chosen moments.

A policy is a frozen description; :meth:`SageMakerRuntimeStub.add_fault`
attaches it to the stub (or to one endpoint), and the engine keeps the
counters and the seeded random generator of each attachment
(:mod:`sagemaker_stub._engine.faults`). Every decision is deterministic: the
same policies and the same calls give the same faults.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from ._error_result import ErrorResult
from ._text import describe

__all__ = ["ErrorFault", "FailEvery", "FailNext", "FailRandomly", "Fault", "Latency"]


def _positive_int(owner: str, name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{owner}.{name} must be a positive int; got {describe(value)}."
        raise ValueError(msg)


def _error(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ErrorResult):
        msg = (
            f"{type(instance).__name__}.error must be an ErrorResult, such as "
            f"ErrorResult.throttling(); got {describe(value)}."
        )
        raise TypeError(msg)


def _count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _positive_int(type(instance).__name__, attribute.name, value)


@attrs.frozen
class FailNext:
    """Fail the next ``times`` matching calls with ``error``.

    .. versionadded:: 0.1.0
    """

    error: ErrorResult = attrs.field(validator=_error)
    times: int = attrs.field(default=1, validator=_count)


@attrs.frozen
class FailEvery:
    """Fail every ``nth`` matching call with ``error`` (the nth, the 2nth...).

    Calls are counted from when the policy is added.

    .. versionadded:: 0.1.0
    """

    error: ErrorResult = attrs.field(validator=_error)
    nth: int = attrs.field(validator=_count)


@attrs.frozen
class FailRandomly:
    """Fail each matching call with ``error`` with the given probability.

    The draws come from a generator seeded with ``seed``, one draw per
    matching call, so a run repeats exactly.

    .. versionadded:: 0.1.0
    """

    error: ErrorResult = attrs.field(validator=_error)
    probability: float = attrs.field()
    seed: int = attrs.field(default=0)

    @probability.validator
    def _check_probability(
        self, attribute: attrs.Attribute[float], value: object
    ) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 0 < value <= 1
        ):
            msg = (
                "FailRandomly.probability must be a number above 0 and at most "
                f"1; got {describe(value)}."
            )
            raise ValueError(msg)

    @seed.validator
    def _check_seed(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"FailRandomly.seed must be an int; got {describe(value)}."
            raise TypeError(msg)


@attrs.frozen
class Latency:
    """Delay matching calls by ``seconds`` (the next ``times``, or all).

    The stub really sleeps, so code that measures time sees the delay. A
    delay of at least the client's ``read_timeout`` sleeps for the timeout and
    raises botocore's ``ReadTimeoutError``, as a slow endpoint does.

    .. versionadded:: 0.1.0
    """

    seconds: float = attrs.field()
    times: int | None = attrs.field(default=None)

    @seconds.validator
    def _check_seconds(self, attribute: attrs.Attribute[float], value: object) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 0 <= value < math.inf
        ):
            msg = (
                "Latency.seconds must be a finite number of seconds of 0 or more; "
                f"got {describe(value)}."
            )
            raise ValueError(msg)

    @times.validator
    def _check_times(
        self, attribute: attrs.Attribute[int | None], value: object
    ) -> None:
        if value is not None:
            _positive_int("Latency", "times", value)


#: The policies that fail a call with an error.
ErrorFault = FailNext | FailEvery | FailRandomly
#: Every fault policy.
Fault = ErrorFault | Latency
