"""Every detail of Python itself the package relies on that is not documented API.

As :mod:`sagemaker_stub._doors.botocore` does for botocore, each is named here
with why it is needed and what happens if it moves; no other module reads a
frame or unittest's private state.
"""

from __future__ import annotations

import contextlib
import os
import sys
import unittest

__all__ = ["origin", "unittest_failed"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def origin() -> str:
    """``file:line`` of the first caller outside this package.

    Where a test queued a result or added a fault, for the messages that list
    them. ``sys._getframe`` is CPython's (PyPy has it too); walking frames up
    is how the standard library's ``warnings`` finds a caller the same way.
    """
    frame = sys._getframe(1)
    while frame.f_back is not None and os.path.abspath(
        frame.f_code.co_filename
    ).startswith(_PACKAGE_DIR + os.sep):
        frame = frame.f_back
    path = frame.f_code.co_filename
    with contextlib.suppress(ValueError):  # another drive, on Windows
        path = os.path.relpath(path)
    return f"{path}:{frame.f_lineno}"


def unittest_failed(test: unittest.TestCase) -> bool:
    """Whether the running unittest test already failed, so leftovers wait.

    unittest keeps the outcome of the running test in ``_outcome``, which it
    does not document. Python 3.11 and later report a failure at once to
    ``_outcome.result``; 3.10 collects ``(test, exc_info)`` pairs in
    ``_outcome.errors`` (``exc_info`` None for a part that passed) and reports
    them only after the cleanups. Where neither is there, the test counts as
    passed, so leftovers are reported either way.
    """
    outcome = getattr(test, "_outcome", None)
    collected = getattr(outcome, "errors", ())
    if any(case is test and error is not None for case, error in collected):
        return True  # pragma: no cover - Python 3.10
    result = getattr(outcome, "result", None)
    reported = (*getattr(result, "failures", ()), *getattr(result, "errors", ()))
    return any(case is test for case, _ in reported)
