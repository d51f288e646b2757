"""Opening the data file without ever crashing on a damaged one.

`open_or_recover(paths, now=...)` returns the opened database, or a `Recovery` when the file is
not a database, is truncated, or fails `PRAGMA quick_check`. The damaged file (and its -wal and
-shm) is then renamed aside with a timestamp, `certpath.sqlite3.damaged-YYYYMMDD-HHMMSS`, never
deleted, and the Recovery offers the newest good automatic backup (`restore_newest`) or a fresh
start (`start_fresh`). A file written by a newer CertPath is not damaged: `NewerVersionError`
propagates and the file is left untouched. Neither is a file that cannot be used right now (in
use by another program, no permission, a full disk, a migration that failed and rolled back):
`DataFileUnavailableError` propagates, and the file is left where it is.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .backup import BackupInfo, newest_good_backup, restore_backup
from .db import (
    Database,
    DataFileUnavailableError,
    NewerVersionError,
    NotADatabaseError,
    check_not_newer,
    is_damage,
    open_database,
)
from .paths import DataPaths

log = logging.getLogger("certpath.recovery")

BeforeMigrate = Callable[[Path, int], None]


@dataclass
class Recovery:
    problem: str  # what happened, in words for the user
    moved_to: list[Path] = field(default_factory=list)  # where the damaged file(s) went
    backup: BackupInfo | None = None  # the newest good backup, if any

    @property
    def damaged_file(self) -> Path | None:
        return self.moved_to[0] if self.moved_to else None


def quick_check(path: Path) -> str | None:
    """None if the file passes SQLite's quick check; otherwise what is wrong.

    Raises `DataFileUnavailableError` when the file cannot be checked now (in use, no permission).
    """
    from . import db as _db

    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                               timeout=_db.BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as e:
        raise _db.open_error(Path(path), e) from e
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as e:
        if not is_damage(e):  # locked, no permission, I/O: not the file's fault
            raise _db.open_error(Path(path), e) from e
        return f"it is not a database or it is damaged ({e})"
    finally:
        conn.close()
    result = [r[0] for r in rows]
    if result != ["ok"]:
        return f"SQLite's check found damage ({result[0]})"
    return None


def move_aside(db_path: Path, now: dt.datetime) -> list[Path]:
    """Rename the data file and its -wal/-shm with a timestamp; never overwrites, never deletes."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    base = Path(f"{db_path}.damaged-{stamp}")
    n = 1
    while any(Path(str(base) + s).exists() for s in ("", "-wal", "-shm")):
        n += 1
        base = Path(f"{db_path}.damaged-{stamp}-{n}")
    moved = []
    # The -wal and -shm first: a data file left without them is still the older, consistent one.
    for suffix in ("-wal", "-shm", ""):
        src = Path(str(db_path) + suffix)
        if src.exists():
            dest = Path(str(base) + suffix)
            os.replace(src, dest)
            moved.append(dest)
    others = [p for p in moved if p != base]
    return ([base] if base in moved else []) + others


def _diagnose(path: Path) -> str | None:
    """What is wrong with an existing data file (None: nothing). Raises NewerVersionError."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        check_not_newer(path)  # NewerVersionError propagates: not damage
    except NotADatabaseError as e:
        return str(e)
    return quick_check(path)


def open_or_recover(paths: DataPaths, *, now: dt.datetime,
                    before_migrate: BeforeMigrate | None = None) -> Database | Recovery:
    paths.ensure()
    db_path = paths.db
    problem = _diagnose(db_path)
    if problem is None:
        try:
            return open_database(db_path, before_migrate=before_migrate)
        except (NewerVersionError, DataFileUnavailableError):
            raise  # not damage: the file stays where it is, untouched
        except NotADatabaseError as e:
            problem = str(e)
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise DataFileUnavailableError(
                    f"{db_path.name} could not be opened ({e}). The file has not been changed.") from e
            problem = f"it is damaged ({e})"
    log.error("data file cannot be used: %s", problem)
    moved = move_aside(db_path, now)
    log.warning("damaged data file moved aside to %s", moved[0] if moved else "(nothing to move)")
    text = (f"The data file could not be used: {problem.replace(str(db_path), db_path.name)}. "
            "It has been moved aside (not deleted).")
    return Recovery(problem=text, moved_to=moved, backup=newest_good_backup(paths))


def restore_newest(paths: DataPaths, recovery: Recovery, *, now: dt.datetime,
                   before_migrate: BeforeMigrate | None = None) -> Database:
    """Put the Recovery's backup in place (checked) and open it."""
    if recovery.backup is None:
        raise ValueError("no backup to restore")
    restore_backup(paths, recovery.backup.path, now=now)
    return open_database(paths.db, before_migrate=before_migrate)


def start_fresh(paths: DataPaths) -> Database:
    """Open a new, empty data file (the damaged one stays where move_aside put it)."""
    if paths.db.exists() and paths.db.stat().st_size > 0:
        raise FileExistsError(f"{paths.db} exists; it was not replaced")
    return open_database(paths.db)
