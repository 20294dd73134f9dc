"""Exceptions and warnings raised by the stub itself (not by the service)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._engine.book import PendingResult

__all__ = [
    "CassetteError",
    "NoResultError",
    "NotStubbedError",
    "OutputNotFoundError",
    "PendingResultsError",
    "ResponderError",
    "S3NotStubbedError",
    "SageMakerStubError",
    "StubActivationError",
    "UnusedResultsWarning",
]


class SageMakerStubError(Exception):
    """Base class of every error the stub raises about its own use.

    .. versionadded:: 0.1.0
    """


class NoResultError(SageMakerStubError, AssertionError):
    """A call found nothing queued and the stub does not allow defaults.

    Raised from the client call, so the traceback points at the code under
    test that made the request.

    .. versionadded:: 0.1.0
    """


class ResponderError(SageMakerStubError):
    """A responder raised, or returned something that cannot answer the call.

    Raised from the client call (in-process), with the responder's own
    exception as its ``__cause__``; a server answers it as a 400
    ``SageMakerStubError``. The call is in the history as
    ``Source.UNANSWERED``. It is not a service error: no ``ClientError``
    a client library might retry or handle.

    .. versionadded:: 0.3.0
    """


class PendingResultsError(SageMakerStubError, AssertionError):
    """Queued results were never used.

    Attributes:
        pending: The unused results (:class:`PendingResult`), in the order
            they were queued.

    .. versionadded:: 0.1.0
    """

    def __init__(self, message: str, pending: Sequence[PendingResult]) -> None:
        super().__init__(message)
        self.pending = list(pending)


class StubActivationError(SageMakerStubError, RuntimeError):
    """The stub was activated twice, or a second stub on the same client.

    .. versionadded:: 0.1.0
    """


class OutputNotFoundError(SageMakerStubError, LookupError):
    """No async output object is stored at the requested location.

    .. versionadded:: 0.1.0
    """


class NotStubbedError(SageMakerStubError, RuntimeError):
    """A client the stub answers got a request it does not answer; nothing
    was sent.

    .. versionadded:: 0.3.0
    """


class S3NotStubbedError(NotStubbedError):
    """An attached S3 client got a request the stub does not answer.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.3.0
       A :class:`NotStubbedError`.
    """


class CassetteError(SageMakerStubError, ValueError):
    """A cassette file cannot be read, or cannot be used as asked.

    .. versionadded:: 0.2.0
    """


class UnusedResultsWarning(UserWarning):
    """A stub was deactivated while queued results were still unused.

    .. versionadded:: 0.1.0
    """


def pending_message(pending: Sequence[PendingResult]) -> str:
    """The report of unused results, one line each."""
    count = len(pending)
    noun = "result was" if count == 1 else "results were"
    lines = [f"{count} queued {noun} never used:"]
    lines.extend(f"  {index}. {item}" for index, item in enumerate(pending, 1))
    return "\n".join(lines)
