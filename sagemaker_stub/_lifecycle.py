"""Starting and stopping a stub or a mock, and reporting what it left unused.

A :class:`Lifecycle` is a field of the stub and of the mock: it knows whether
its owner answers calls, where the test activated it, and what stopping
means (closing its doors under the registry's lock, then letting go of S3
clients and writing its cassette). The owner offers ``activate``,
``deactivate``, ``active`` and the ``with`` / ``async with`` protocol by
calling it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import TracebackType

from ._doors import clients
from ._engine.book import PendingResult
from ._errors import UnusedResultsWarning, pending_message
from ._python_internals import origin

__all__ = ["Lifecycle"]


class Lifecycle:
    """Whether a stub or mock answers calls, and how it stops.

    Args:
        close: Let go of every client (called under the registry's lock).
        finish: What follows a stop, outside the lock: S3 clients detached,
            the cassette written.
        pending: The results left unused, for the warning at a stop.
    """

    def __init__(
        self,
        *,
        close: Callable[[], None],
        finish: Callable[[], None],
        pending: Callable[[], list[PendingResult]],
    ) -> None:
        self._close = close
        self._finish = finish
        self._pending = pending
        self._active = False
        #: Where the test activated it (``file:line``), for activation errors.
        self.activated_at = ""

    @property
    def active(self) -> bool:
        """Whether it is answering calls."""
        return self._active

    def started(self) -> None:
        """Note that the owner answers calls now (under the registry's lock)."""
        self._active = True
        self.activated_at = origin()

    def stop(self) -> bool:
        """Stop, if active; whether it was."""
        with clients.LOCK:
            if not self._active:
                return False
            self._close()
            self._active = False
        self._finish()
        return True

    def deactivate(self, *, report_unused: bool = True) -> None:
        """Stop answering calls and restore the event handlers of every client.

        Warns with :class:`UnusedResultsWarning` when queued results were never
        used, unless ``report_unused=False`` (a quiet stop, for fixtures that
        report them their own way). Calling it when inactive does nothing.
        """
        self._deactivate(report_unused, stacklevel=4)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop at the end of a ``with`` block; report unused results if it passed."""
        self._deactivate(exc_type is None, stacklevel=4)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop at the end of an ``async with`` block, as ``with`` does."""
        self._deactivate(exc_type is None, stacklevel=3)

    def _deactivate(self, report_unused: bool, *, stacklevel: int) -> None:
        """Stop, and warn about unused results unless told not to.

        The warning points at the test's line that stopped it: its
        ``deactivate()``, or the end of its ``with`` block. The owner offers
        ``deactivate`` and ``__exit__`` through a forwarding method, one frame
        more than ``__aexit__``, whose coroutine runs in the test's frame.
        """
        if not self.stop() or not report_unused:
            return
        pending = self._pending()
        if pending:
            warnings.warn(
                pending_message(pending), UnusedResultsWarning, stacklevel=stacklevel
            )
