"""Fault policies in use: each attachment's counters, and the decision per call."""

from __future__ import annotations

import random
import threading

import attrs

from sagemaker_stub._engine.book import PendingResult
from sagemaker_stub._faults import (
    ErrorFault,
    FailEvery,
    FailNext,
    FailRandomly,
    Fault,
    Latency,
)

__all__ = ["FaultSet", "Hit", "InstalledFault"]


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

    def unfired(self) -> list[PendingResult]:
        """Policies with a count that have not fired that many times, as
        pending results."""
        with self._lock:
            return [
                PendingResult(
                    operation=", ".join(sorted(installed.operations)),
                    result=installed.fault,
                    endpoint_name=installed.endpoint_name,
                    origin=installed.origin,
                )
                for installed in self.installed
                if installed.left
            ]

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
