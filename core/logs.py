"""The log file: DataPaths.logs/certpath.log, rotated at 1 MB, 5 old files kept, owner-only.

`configure_logging(paths)` is called once at start-up (again with another folder replaces the
handler). What is logged: start-up, backups, recovery and unexpected errors with their
tracebacks. Never profile contents: modules log ids, counts and file names, not facts. As a
safety net for messages written for the user (which quote names and values in “curly quotes”)
and for SQLite's decode errors (which quote a whole stored value), the file's formatter
replaces every “quoted” text and every `with text '…'` by “…” before a line is written.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from .paths import DataPaths, ensure_private_dir, make_private_file

LOG_NAME = "certpath.log"
MAX_BYTES = 1024 * 1024
BACKUP_COUNT = 5
LOGGER = "certpath"

_handler: logging.Handler | None = None


_QUOTED = re.compile(r"“[^”]*”")
_SQLITE_TEXT = re.compile(r"with text '.*?'(?=[^']*$)|with text '.*", re.S)


def redact(text: str) -> str:
    """`text` with what may be personal data (quoted names and values) replaced by “…”."""
    text = _SQLITE_TEXT.sub("with text '…'", text)
    return _QUOTED.sub("“…”", text)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _PrivateRotatingFileHandler(logging.FileHandler):
    """logging.handlers.RotatingFileHandler's size rotation (certpath.log -> .1 ... .N) on a plain
    FileHandler: importing logging.handlers costs every start socket, pickle, queue and selectors
    (~15 ms and 1 MB). Every file it creates, including rotated ones, is 0600 on POSIX."""

    def __init__(self, filename, maxBytes: int = 0, backupCount: int = 0,  # noqa: N803 (logging's names)
                 encoding: str | None = None, delay: bool = False) -> None:
        super().__init__(filename, "a", encoding=encoding, delay=delay)
        self.maxBytes = maxBytes
        self.backupCount = backupCount

    def _open(self):
        stream = super()._open()
        make_private_file(Path(self.baseFilename))
        return stream

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 (logging's name)
        if self.stream is None:
            self.stream = self._open()
        if self.maxBytes <= 0:
            return False
        pos = self.stream.tell()
        if not pos:
            return False
        if pos + len(f"{self.format(record)}\n") < self.maxBytes:
            return False
        return not (os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename))

    def doRollover(self) -> None:  # noqa: N802 (logging's name)
        if self.stream:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        if self.backupCount > 0:
            for i in range(self.backupCount - 1, 0, -1):
                src, dst = f"{self.baseFilename}.{i}", f"{self.baseFilename}.{i + 1}"
                if os.path.exists(src):
                    if os.path.exists(dst):
                        os.remove(dst)
                    os.rename(src, dst)
            dst = f"{self.baseFilename}.1"
            if os.path.exists(dst):
                os.remove(dst)
            if os.path.exists(self.baseFilename):
                os.rename(self.baseFilename, dst)
        if not self.delay:
            self.stream = self._open()
        for i in range(1, self.backupCount + 1):
            if os.path.exists(f"{self.baseFilename}.{i}"):
                make_private_file(Path(f"{self.baseFilename}.{i}"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.shouldRollover(record):
                self.doRollover()
            super().emit(record)
        except Exception:
            self.handleError(record)


def log_path(paths: DataPaths) -> Path:
    return paths.logs / LOG_NAME


def configure_logging(paths: DataPaths, level: int = logging.INFO) -> Path:
    global _handler
    path = log_path(paths)
    logger = logging.getLogger(LOGGER)
    if _handler is not None:
        if getattr(_handler, "baseFilename", None) == str(path.resolve()) or \
                getattr(_handler, "baseFilename", None) == str(path):
            return path
        shutdown_logging()
    ensure_private_dir(paths.logs)
    handler = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                          encoding="utf-8", delay=False)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    _handler = handler
    return path


def current_log_path() -> Path | None:
    name = getattr(_handler, "baseFilename", None)  # a FileHandler's; None before setup
    return Path(name) if name is not None else None


def shutdown_logging() -> None:
    global _handler
    if _handler is not None:
        logging.getLogger(LOGGER).removeHandler(_handler)
        _handler.close()
        _handler = None
