"""One CertPath per data folder.

`InstanceLock(root).acquire()` takes an operating-system lock on `root/.certpath.lock`
(fcntl.flock on POSIX, msvcrt.locking on Windows). The OS releases it when the process ends,
even when it is killed, so a crash never leaves the data folder "in use". A second copy of the
app gets `DataInUseError` and says so; it never opens the data file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .paths import ensure_private_dir

LOCK_NAME = ".certpath.lock"


class DataInUseError(Exception):
    """Another CertPath has this data folder open; the message is for the user."""


class InstanceLock:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.path = self.root / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> InstanceLock:
        if self._fd is not None:
            return self
        ensure_private_dir(self.root)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise DataInUseError(
                f"CertPath is already open on this data folder ({self.root}). Switch to that "
                "window, or close it and try again.") from None
        try:  # for people looking at the folder; the lock itself is what counts
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
