"""One CertPath per data folder.

`InstanceLock(root).acquire()` takes an operating-system lock on `root/.certpath.lock`
(fcntl.flock on POSIX, msvcrt.locking on Windows). The OS releases it when the process ends,
even when it is killed, so a crash never leaves the data folder "in use". A second copy of the
app gets `DataInUseError` and says so; it never opens the data file.

`data_lock(root)`: the data folder's write lock, one per folder per process. Every open
`core.db.Database` holds it shared (the GUI for as long as it is open, each command-line run
for its command); a restore (and moving a damaged file aside) holds it exclusively from its
check to the end of its swap. It is two lock files: `.certpath.intent.lock`, which a restore
takes first so that no new writer can start while it waits for the running ones to finish,
and `.certpath.data.lock`, shared by writers. A writer that cannot get in within
`writer_wait()` seconds ($CERTPATH_LOCK_WAIT, default 15) gets `RestoringError`: "CertPath is
restoring a backup; try again". The OS releases both when a process ends, even when killed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .paths import ensure_private_dir

LOCK_NAME = ".certpath.lock"


INTENT_NAME = ".certpath.intent.lock"
DATA_LOCK_NAME = ".certpath.data.lock"
WAIT_ENV = "CERTPATH_LOCK_WAIT"
DEFAULT_WRITER_WAIT = 15.0  # seconds a writer waits for a restore to finish
RESTORE_WAIT = 10.0  # seconds a restore waits for running writers to finish
RESTORING_MESSAGE = "CertPath is restoring a backup; try again"
_POLL = 0.02


class DataInUseError(Exception):
    """Another CertPath has this data folder open; the message is for the user."""


class RestoringError(DataInUseError):
    """A restore holds the data folder; a writer waited and gave up. Exit 3 on the command line."""


def writer_wait() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WRITER_WAIT)))
    except ValueError:
        return DEFAULT_WRITER_WAIT


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
        fd = _open_lock_file(self.path)
        if fd is None:  # a read-only folder without a lock file: the data opens read-only anyway
            return self
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


def _open_lock_file(path: Path) -> int | None:
    """An fd to lock on, or None when the folder allows neither creating nor reading it (a
    read-only folder without the file: nothing can write there, so there is nothing to order)."""
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        try:
            return os.open(path, flags, 0o600)
        except OSError:
            continue
    return None


class DataLock:
    """The data folder's write lock (see the module's docstring). Use `data_lock(root)`."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._mutex = threading.RLock()
        self._shared = 0  # Database objects of this process holding it
        self._exclusive = 0
        self._data_fd: int | None = None
        self._intent_fd: int | None = None

    def _fds(self) -> tuple[int | None, int | None]:
        if self._data_fd is None:
            self._data_fd = _open_lock_file(self.root / DATA_LOCK_NAME)
            self._intent_fd = _open_lock_file(self.root / INTENT_NAME)
        return self._data_fd, self._intent_fd

    def acquire_shared(self, wait: float | None = None) -> None:
        """Hold the lock shared (bounded wait); RestoringError when a restore keeps it."""
        with self._mutex:
            if self._shared or self._exclusive:
                self._shared += 1
                return
            data, intent = self._fds()
            if data is None or intent is None:
                self._shared += 1
                return
            deadline = time.monotonic() + (writer_wait() if wait is None else wait)
            while True:  # past the restore's intent first, then shared with the other writers
                if _dl_try(intent, shared=True):
                    got = _dl_try(data, shared=True)
                    _dl_unlock(intent)
                    if got:
                        break
                if time.monotonic() >= deadline:
                    raise RestoringError(f"{RESTORING_MESSAGE} ({self.root}).")
                time.sleep(_POLL)
            self._shared += 1

    def release_shared(self) -> None:
        with self._mutex:
            if self._shared <= 0:
                return
            self._shared -= 1
            if self._shared == 0 and not self._exclusive and self._data_fd is not None:
                _dl_unlock(self._data_fd)

    @contextmanager
    def _counted(self) -> Iterator[None]:
        """One more exclusive hold for the block (nested holds, or no lock files to lock)."""
        self._exclusive += 1
        try:
            yield
        finally:
            self._exclusive -= 1

    @contextmanager
    def exclusive(self, wait: float | None = None, what: str = "") -> Iterator[None]:
        """Hold the lock alone: no other process writes until the block ends.

        Shared holds of this process (a window's own Database) do not count: the caller has
        closed its connections, which the restore's own in-use check confirms.
        """
        with self._mutex:
            if self._exclusive:  # nested: the outer block holds it already
                with self._counted():
                    yield
                return
            data, intent = self._fds()
            if data is None or intent is None:
                with self._counted():
                    yield
                return
            if wait is None:
                wait = writer_wait() if os.environ.get(WAIT_ENV) else RESTORE_WAIT
            deadline = time.monotonic() + wait
            while not _dl_try(intent, shared=False):
                if time.monotonic() >= deadline:
                    raise DataInUseError(f"Another CertPath is {what or 'restoring a backup'} in this data "
                                         "folder. Wait for it to finish and try again.")
                time.sleep(_POLL)
            try:
                if self._shared and sys.platform == "win32":  # pragma: no cover - LockFileEx cannot
                    _dl_unlock(data)  # turn our own shared lock into an exclusive one in place
                while not _dl_try(data, shared=False):  # running writers finish their command
                    if time.monotonic() >= deadline:
                        raise DataInUseError(
                            "Your data is in use by another CertPath (a window or a command that is "
                            "writing), so it was not replaced. Close it and try again.")
                    time.sleep(_POLL)
                self._exclusive += 1
                try:
                    yield
                finally:
                    self._exclusive -= 1
                    if self._shared:
                        _dl_relock_shared(data)
                    else:
                        _dl_unlock(data)
            finally:
                _dl_unlock(intent)


_registry: dict[str, DataLock] = {}
_registry_mutex = threading.Lock()


def data_lock(root: Path) -> DataLock:
    """The one DataLock of this process for the data folder `root`."""
    key = os.path.normcase(os.path.abspath(root))
    with _registry_mutex:
        lock = _registry.get(key)
        if lock is None:
            lock = _registry[key] = DataLock(Path(root))
        return lock


if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI
    import ctypes
    import ctypes.wintypes

    _k32 = ctypes.WinDLL("kernel32", use_last_error=True)

    class _OVERLAPPED(ctypes.Structure):
        _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p),
                    ("Offset", ctypes.wintypes.DWORD), ("OffsetHigh", ctypes.wintypes.DWORD),
                    ("hEvent", ctypes.wintypes.HANDLE)]

    _LOCKFILE_FAIL_IMMEDIATELY = 0x1
    _LOCKFILE_EXCLUSIVE_LOCK = 0x2

    def _handle(fd: int):
        return msvcrt.get_osfhandle(fd)

    def _dl_try(fd: int, *, shared: bool) -> bool:
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (0 if shared else _LOCKFILE_EXCLUSIVE_LOCK)
        ov = _OVERLAPPED()
        return bool(_k32.LockFileEx(_handle(fd), flags, 0, 1, 0, ctypes.byref(ov)))

    def _unlock_range(fd: int) -> None:
        ov = _OVERLAPPED()
        _k32.UnlockFileEx(_handle(fd), 0, 1, 0, ctypes.byref(ov))

    def _dl_relock_shared(fd: int) -> None:
        _unlock_range(fd)
        _dl_try(fd, shared=True)

    _dl_unlock = _unlock_range
else:
    def _dl_try(fd: int, *, shared: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _dl_relock_shared(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_SH)  # converting down never waits

    def _dl_unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
