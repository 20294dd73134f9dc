"""What a test pays to start and stop a stub: the fixture, start_stub, mock().

The fixture row runs one pytest process over a generated file of trivial
tests, every other one using ``sagemaker_runtime_stub`` (so a burst of noise
on this machine falls on both kinds alike), and compares the time pytest
reports for each test (setup, call and teardown) with and without it.
The other rows time ``start_stub`` (with its cleanups) and ``with mock():``
against an empty unittest test and an empty block, side by side.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import unittest
import warnings
from pathlib import Path

import pytest

import sagemaker_stub

#: One row: what was measured, against what, and the result.
Row = tuple[str, str, str]

_PAIR = """

def test_with_{n}(sagemaker_runtime_stub):
    pass


def test_without_{n}():
    pass
"""


class _Durations:
    """A pytest plugin that sums each test's phases, by test function."""

    def __init__(self) -> None:
        self.seconds: dict[str, dict[str, float]] = {"with": {}, "without": {}}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        kind = "without" if "test_without" in report.nodeid else "with"
        per_test = self.seconds[kind]
        per_test[report.nodeid] = per_test.get(report.nodeid, 0.0) + report.duration


def bench_fixture(count: int = 200) -> list[Row]:
    """The fixture's start and stop, per test, over a test without it."""
    plugin = _Durations()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "test_trivial.py")
        tests = "".join(_PAIR.format(n=n) for n in range(count))
        path.write_text(tests, encoding="utf-8")
        # A session of its own: the warnings filters of a run it is part of
        # (the suite's "error") must not turn its plugins' notices into errors.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = pytest.main(
                [str(path), "-p", "no:cacheprovider", "-p", "no:terminal"],
                plugins=[plugin],
            )
    if code != 0:  # pragma: no cover - the generated tests pass
        msg = f"the generated tests failed (exit {code})"
        raise RuntimeError(msg)
    with_ = statistics.median(plugin.seconds["with"].values())
    without = statistics.median(plugin.seconds["without"].values())
    extra = (with_ - without) * 1000
    return [
        (
            f"sagemaker_runtime_stub fixture, {count} trivial tests, one process",
            "the same tests without it (median per test)",
            f"+{extra:.1f} ms a test",
        )
    ]


class _Empty(unittest.TestCase):
    def runTest(self) -> None:
        pass


def _started_and_stopped(count: int, start: bool) -> float:
    """Median seconds to set up and clean up a unittest test, with or without
    ``start_stub``."""
    times = []
    for _ in range(count):
        case = _Empty()
        began = time.perf_counter()
        if start:
            sagemaker_stub.start_stub(case, allow_defaults=True)
        case.doCleanups()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _mocked(count: int, active: bool) -> float:
    """Median seconds to enter and leave ``mock()`` (or an empty block)."""
    times = []
    for _ in range(count):
        began = time.perf_counter()
        if active:
            with sagemaker_stub.mock():
                pass
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def bench_helpers(count: int = 200) -> list[Row]:
    """start_stub and mock(), started and stopped, per test."""
    _started_and_stopped(2, True)  # the first call loads what later ones reuse
    stub = _started_and_stopped(count, True) - _started_and_stopped(count, False)
    _mocked(2, True)
    mocked = _mocked(count, True) - _mocked(count, False)
    return [
        (
            f"start_stub(self) and its cleanups, {count} tests",
            "an empty unittest test (median)",
            f"+{stub * 1000:.1f} ms a test",
        ),
        (
            f"with mock(): entered and left, {count} times",
            "an empty block (median)",
            f"+{mocked * 1000:.2f} ms",
        ),
    ]


def bench_suites(count: int = 200) -> list[Row]:
    """Every row of this module."""
    return bench_fixture(count) + bench_helpers(count)
