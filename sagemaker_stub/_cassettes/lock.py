"""A lock across processes, held while a cassette is read, merged and written.

pytest-xdist workers, or two pytest runs, may save into one cassette at
once: each reads the file as it is now, merges its recordings in, and writes
it, under this lock, so no save is lost. On POSIX the lock is ``flock`` on
the cassette's folder, so no lock file is left beside the cassettes; on
Windows, ``msvcrt.locking`` on a ``.<name>.lock`` file beside it.

A small lock of our own rather than the ``filelock`` package: the runtime
dependencies stay botocore, boto3, attrs and typing-extensions, and these
two system calls are all a save needs (tests/test_cassette_parallel.py runs
it across real processes).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["locked"]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the lock of the cassette at ``path`` (its folder is made if missing)."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":  # pragma: no cover - tested on POSIX only
        with _windows_lock(folder / f".{path.name}.lock"):
            yield
        return
    import fcntl  # noqa: PLC0415 - POSIX only

    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


@contextlib.contextmanager
def _windows_lock(lock_file: Path) -> Iterator[None]:  # pragma: no cover
    import msvcrt  # noqa: PLC0415 - Windows only

    handle = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        while True:
            try:
                msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
                break
            except OSError:
                time.sleep(0.01)
        try:
            yield
        finally:
            os.lseek(handle, 0, os.SEEK_SET)
            msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    finally:
        os.close(handle)
