"""Starting and stopping a stub or a mock: ``with``, ``async with`` and stop."""

from __future__ import annotations

import unittest
import warnings
from types import TracebackType
from typing import TYPE_CHECKING, Any

from typing_extensions import Self

from ._doors import clients as _clients
from ._engine.book import PendingResult
from ._errors import UnusedResultsWarning, pending_message

if TYPE_CHECKING:
    from ._engine.engine import Engine

__all__ = ["Lifecycle", "unittest_failed"]


class Lifecycle:
    """``activate``/``deactivate`` as context managers, sync and async.

    A subclass starts in :meth:`activate` and lets go of its clients in
    :meth:`_close`, both under the registry's lock.
    """

    _active: bool = False
    #: Where the test activated it (``file:line``), for activation errors.
    _activated_at: str = ""

    if TYPE_CHECKING:  # what the classes built on it provide

        def pending_results(self) -> list[PendingResult]: ...
        def activate(self) -> None: ...
        def _close(self) -> None: ...
        def detach_s3(self, s3_client: Any = None) -> None: ...

        _engine: Engine

    def _stop(self) -> bool:
        """Stop, if active; whether it was."""
        with _clients.LOCK:
            if not self._active:
                return False
            self._close()
            self._active = False
        self.detach_s3()
        tape = self._engine.tape
        if tape is not None:  # what the cassette recorded is written now
            tape.save()
        return True

    @property
    def active(self) -> bool:
        """Whether it is answering calls."""
        return self._active

    def deactivate(self, *, report_unused: bool = True) -> None:
        """Stop answering calls and restore every client's event handlers.

        Warns with :class:`UnusedResultsWarning` when queued results were never
        used, unless ``report_unused=False`` (a quiet stop, for fixtures that
        report them their own way). Calling it when inactive does nothing.
        """
        self._deactivate(report_unused=report_unused)

    def _deactivate(self, *, report_unused: bool) -> None:
        if not self._stop() or not report_unused:
            return
        pending = self.pending_results()
        if pending:
            warnings.warn(pending_message(pending), UnusedResultsWarning, stacklevel=3)

    def __enter__(self) -> Self:
        self.activate()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._deactivate(report_unused=exc_type is None)

    async def __aenter__(self) -> Self:
        """``async with`` activates it, as ``with`` does."""
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc_value, traceback)


def unittest_failed(test: unittest.TestCase) -> bool:
    """Whether the running unittest test already failed, so leftovers wait.

    unittest keeps the result of the running test in ``_outcome.result``,
    which it does not document; where it is missing, the test counts as
    passed, so leftovers are reported either way.
    """
    result = getattr(getattr(test, "_outcome", None), "result", None)
    reported = (*getattr(result, "failures", ()), *getattr(result, "errors", ()))
    return any(case is test for case, _ in reported)
