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
        self.active = False
        #: Where the test activated it (``file:line``), for activation errors.
        self.activated_at = ""

    def started(self) -> None:
        """Note that the owner answers calls now (under the registry's lock)."""
        self.active = True
        self.activated_at = origin()

    def stop(self) -> bool:
        """Stop, if active; whether it was."""
        with clients.LOCK:
            if not self.active:
                return False
            self._close()
            self.active = False
        self._finish()
        return True

    def deactivate(self, *, report_unused: bool) -> None:
        """Stop; warn about unused results unless told not to.

        The warning points at the test's line that stopped it (its
        ``deactivate()`` or the end of its ``with`` block).
        """
        if not self.stop() or not report_unused:
            return
        pending = self._pending()
        if pending:
            warnings.warn(pending_message(pending), UnusedResultsWarning, stacklevel=3)
