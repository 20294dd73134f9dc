"""Fault injection policies: errors and latency at chosen moments.

A policy is a frozen description; :meth:`SageMakerRuntimeStub.add_fault`
attaches it to the stub (or to one endpoint), and the stub keeps the counters
and the seeded random generator of each attachment. Every decision is
deterministic: the same policies and the same calls give the same faults.
"""

from __future__ import annotations

import math
import random
import threading
from typing import Any

import attrs

from ._error_result import ErrorResult
from ._text import describe

__all__ = [
    "ErrorFault",
    "FailEvery",
    "FailNext",
    "FailRandomly",
    "Fault",
    "FaultSet",
    "Hit",
    "InstalledFault",
    "Latency",
]


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


@attrs.define
class InstalledFault:
    """A policy attached to a stub, with its own counters."""

    fault: Fault
    endpoint_name: str | None
    operations: frozenset[str]
    origin: str
    seen: int = 0
    fired: int = 0
    draws: random.Random = attrs.field(factory=random.Random)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.fault, FailRandomly):
            self.draws.seed(self.fault.seed)

    def applies_to(self, operation: str, endpoint_name: object) -> bool:
        """Whether a call to ``operation`` on ``endpoint_name`` is in scope."""
        return operation in self.operations and self.endpoint_name in (
            None,
            endpoint_name,
        )

    def fires(self, *, may_fire: bool) -> bool:
        """Count one matching call and decide whether the fault hits it.

        ``may_fire`` is false when an earlier policy already failed the call:
        the call is still counted (and a random draw still made), so each
        policy's decisions do not depend on the others.
        """
        self.seen += 1
        fault = self.fault
        if isinstance(fault, FailNext):
            hit = self.fired < fault.times
        elif isinstance(fault, FailEvery):
            hit = self.seen % fault.nth == 0
        elif isinstance(fault, FailRandomly):
            hit = self.draws.random() < fault.probability
        else:
            hit = fault.times is None or self.fired < fault.times
        hit = hit and may_fire
        if hit:
            self.fired += 1
        return hit

    @property
    def left(self) -> int | None:
        """How many planned firings are still to come (None: unbounded)."""
        fault = self.fault
        if isinstance(fault, FailNext):
            return fault.times - self.fired
        if isinstance(fault, Latency) and fault.times is not None:
            return fault.times - self.fired
        return None


@attrs.frozen
class Hit:
    """What the fault policies decided for one call."""

    #: The error policy that fails the call, if any.
    error: ErrorFault | None
    #: The seconds of latency added, summed over the latency policies.
    delay: float
    #: The longest latency policy that fired, if any.
    slowest: Latency | None


class FaultSet:
    """The policies attached to a stub, checked in the order they were added."""

    def __init__(self) -> None:
        #: The policies, in the order they were added. Read without the lock
        #: only to tell whether there are any.
        self.installed: list[InstalledFault] = []
        self._lock = threading.Lock()

    def add(self, installed: InstalledFault) -> None:
        with self._lock:
            self.installed.append(installed)

    def clear(self) -> None:
        with self._lock:
            self.installed.clear()

    def unfired(self) -> list[InstalledFault]:
        """Policies with a count that have not fired that many times."""
        with self._lock:
            return [installed for installed in self.installed if installed.left]

    def decide(self, operation: str, endpoint_name: object) -> Hit | None:
        """Count a call against every policy in scope; ``None`` if none fired.

        The first error policy that fires fails the call; later ones still
        count it. Every latency policy that fires adds its delay.
        """
        error: ErrorFault | None = None
        slowest: Latency | None = None
        delay = 0.0
        with self._lock:
            for installed in self.installed:
                if not installed.applies_to(operation, endpoint_name):
                    continue
                fault = installed.fault
                if isinstance(fault, Latency):
                    if installed.fires(may_fire=True):
                        delay += fault.seconds
                        if slowest is None or fault.seconds > slowest.seconds:
                            slowest = fault
                elif installed.fires(may_fire=error is None):
                    error = fault
        if error is None and slowest is None:
            return None
        return Hit(error, delay, slowest)
