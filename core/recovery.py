"""Opening the data file without ever crashing on a damaged one.

`open_or_recover(paths, now=...)` returns the opened database, or a `Recovery` when the file is
not a database, is truncated, or fails `PRAGMA quick_check`. The damaged file (and its -wal and
-shm) is then renamed aside with a timestamp, `certpath.sqlite3.damaged-YYYYMMDD-HHMMSS`, never
deleted, and the Recovery offers the newest good automatic backup (`restore_newest`) or a fresh
start (`start_fresh`). A file written by a newer CertPath is not damaged: `NewerVersionError`
propagates and the file is left untouched. Neither is a file that cannot be used right now (in
use by another program, no permission, a full disk, a migration that failed and rolled back):
`DataFileUnavailableError` propagates, and the file is left where it is.

Damage SQLite's checks do not see (a changed byte inside a stored fact: not UTF-8, or not JSON
any more) is found by `scan_contents`: the file stays in place and the Recovery (kind
"contents") names each profile and step that cannot be read, offers the newest good backup, or
`open_rest` (the store skips what it cannot read). A 0-byte data file while backups exist is
damage (kind "empty"), not a first run. A `-wal` left by another database (the data file alone
is sound, the two together are not) is set aside as `certpath.sqlite3-wal.stray-…` and said in
a notice; the data file stays where it is. `check_before_write` runs the same checks for the
command line before it writes. The log gets ids, step keys and counts, never contents.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:  # core.backup (zipfile, hashlib/OpenSSL, shutil) only when a backup is needed
    from .backup import BackupInfo

log = logging.getLogger("certpath.recovery")

BeforeMigrate = Callable[[Path, int], None]


@dataclass(frozen=True)
class Unreadable:
    """A stored value that cannot be read back (named by ids and keys, never by its contents)."""

    table: str  # profiles, facts, overrides, settings
    profile_id: int | None
    profile_name: str  # the name as stored, or "profile N" when the name itself is damaged
    key: str  # the step or track id, the rule id, the setting; "" for the profile row

    def words(self) -> str:
        who = f"profile “{self.profile_name}”" if self.profile_id is not None else "the settings"
        if self.table == "facts":
            return f"{who}, step “{_step_title(self.key)}”"
        if self.table == "overrides":
            return f"{who}, your value for the rule {self.key}"
        if self.table == "profiles":
            return f"{who} (its name, role or tracks)"
        return f"{who} ({self.key or 'a setting'})"


def _step_title(key: str) -> str:
    try:
        from .engine import all_step_defs

        sd = all_step_defs().get(key)
        title = getattr(sd, "title", None)
        return f"{title}” ({key})" if title else key
    except Exception:  # noqa: BLE001 - a name for a message only
        return key


def _strict(raw) -> str | None:
    if raw is None:
        return ""
    try:
        return bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _json_ok(text: str | None, want: type | None = None) -> bool:
    if text is None:
        return False
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return want is None or isinstance(value, want)


def scan_contents(conn: sqlite3.Connection) -> list[Unreadable]:
    """Every stored profile, fact, override and setting that no longer decodes (UTF-8, JSON)."""
    out: list[Unreadable] = []
    names: dict[int, str] = {}
    try:
        rows = conn.execute("SELECT id, CAST(name AS BLOB), CAST(role AS BLOB), CAST(tracks AS BLOB) "
                            "FROM profiles ORDER BY id").fetchall()
        for pid, name, role, tracks in rows:
            n = _strict(name)
            names[pid] = n if n else f"profile {pid}"
            if n is None or _strict(role) is None or not _json_ok(_strict(tracks), list):
                out.append(Unreadable("profiles", pid, names[pid], ""))
        for table, key_col, val_col, want in (("facts", "key", "data", dict), ("overrides", "rule_id", "value", None)):
            for pid, key, val in conn.execute(
                    f"SELECT profile_id, CAST({key_col} AS BLOB), CAST({val_col} AS BLOB) FROM {table} "
                    f"ORDER BY profile_id, {key_col}"):
                k = _strict(key)
                if k is None or not _json_ok(_strict(val), want):
                    out.append(Unreadable(table, pid, names.get(pid, f"profile {pid}"),
                                          k if k is not None else "(a step whose id is damaged)"))
        for key, val in conn.execute("SELECT CAST(key AS BLOB), CAST(value AS BLOB) FROM settings"):
            k = _strict(key)
            if k is None or not _json_ok(_strict(val)):
                out.append(Unreadable("settings", None, "", k or "(a damaged setting)"))
    except sqlite3.DatabaseError:
        raise
    return out


def contents_text(items: list[Unreadable], limit: int = 8) -> str:
    shown = [f"• {i.words()}" for i in items[:limit]]
    if len(items) > limit:
        shown.append(f"• … and {len(items) - limit} more")
    return "\n".join(shown)


@dataclass
class Recovery:
    """What happened to a damaged data file, where it went and what can be restored."""

    problem: str  # what happened, in words for the user
    moved_to: list[Path] = field(default_factory=list)  # where the damaged file(s) went
    backup: BackupInfo | None = None  # the newest good backup, if any
    kind: str = "damaged"  # "damaged" / "empty": moved aside; "contents": kept, parts unreadable
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def damaged_file(self) -> Path | None:
        return self.moved_to[0] if self.moved_to else None


def quick_check(path: Path) -> str | None:
    """None if the file passes SQLite's quick check; otherwise what is wrong.

    Raises `DataFileUnavailableError` when the file cannot be checked now (in use, no permission).
    """
    from . import db as _db

    try:
        conn = _db.connect_ro(Path(path))
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


def _wal_is_stray(path: Path) -> bool:
    """True when the data file alone is a sound CertPath file but its -wal makes it unreadable
    or foreign: the -wal belongs to another database (SQLite cannot tell; it applies any WAL)."""
    wal = Path(f"{path}-wal")
    if not wal.is_file() or wal.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)  # the file alone
    except sqlite3.Error:
        return False
    try:
        from .db import schema_problems

        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            return False
        return not schema_problems(conn, integrity=False)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


STRAY_WAL = ("{wal} does not belong to your data file: it was left by another database (a copy, "
             "a sync program or another app). Your data file was not changed.")


def _diagnose(paths: DataPaths) -> tuple[str, str] | None:
    """(kind, what is wrong) with an existing data file, or None. Raises NewerVersionError.

    kind: "damaged", "empty" or "stray-wal".
    """
    path = paths.db
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        from .backup import list_backups  # core.backup only when something is wrong

        if list_backups(paths):
            return "empty", ("the data file is empty (0 bytes), so your data is not in it; there "
                             "are backups of it")
        return None
    try:
        check_not_newer(path)  # NewerVersionError propagates: not damage
        problem = None
    except NotADatabaseError as e:
        problem = str(e)
    if problem is None:
        problem = quick_check(path)
    if problem is not None and _wal_is_stray(path):
        return "stray-wal", STRAY_WAL.format(wal=f"{path.name}-wal")
    return ("damaged", problem) if problem else None


def _read_scan(path: Path) -> list[Unreadable]:
    from . import db as _db

    try:
        conn = _db.connect_ro(path)
    except sqlite3.Error as e:
        raise _db.open_error(path, e) from e
    try:
        return scan_contents(conn)
    finally:
        conn.close()


def check_before_write(paths: DataPaths) -> str | None:
    """What the command line must say instead of writing (None: the file is fit to write into).

    The same checks as start-up: damage, an empty file while backups exist, a stray -wal, and
    stored values that no longer read. Raises NewerVersionError / DataFileUnavailableError.
    """
    found = _diagnose(paths)
    if found is not None:
        kind, problem = found
        if kind == "stray-wal":
            return f"{problem} Open CertPath once to set it aside, or move it out of {paths.root}."
        return (f"The data file cannot be used: {problem.replace(str(paths.db), paths.db.name)}. Open "
                "CertPath to restore a backup. Nothing was written.")
    if paths.db.is_file() and paths.db.stat().st_size:
        items = _read_scan(paths.db)
        if items:
            return ("Part of your data file cannot be read (it is damaged):\n" + contents_text(items)
                    + "\nOpen CertPath to restore a backup or to open the rest. Nothing was written.")
    return None


def set_aside_stray_wal(db_path: Path, now: dt.datetime) -> Path:
    """Rename the stray -wal (and -shm) next to the data file; never deletes, never overwrites."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    base, n = Path(f"{db_path}-wal.stray-{stamp}"), 1
    while base.exists():
        n += 1
        base = Path(f"{db_path}-wal.stray-{stamp}-{n}")
    os.replace(f"{db_path}-wal", base)
    shm = Path(f"{db_path}-shm")
    if shm.exists():
        os.replace(shm, Path(str(base).replace("-wal.stray-", "-shm.stray-")))
    return base


def open_or_recover(paths: DataPaths, *, now: dt.datetime,
                    before_migrate: BeforeMigrate | None = None) -> Database | Recovery:
    from .instance_lock import data_lock

    paths.ensure()
    db_path = paths.db
    lock = data_lock(paths.root)
    lock.acquire_shared()  # no restore swaps the file while it is checked and opened
    try:
        return _open_or_recover(paths, db_path, now, before_migrate, lock)
    finally:
        lock.release_shared()


def _open_or_recover(paths, db_path, now, before_migrate, lock) -> Database | Recovery:
    notices: list[str] = []
    found = _diagnose(paths)
    if found is not None and found[0] == "stray-wal":
        kept = set_aside_stray_wal(db_path, now)
        log.warning("a -wal of another database was set aside as %s", kept.name)
        notices.append(f"{found[1]} It was set aside as {kept.name} (not deleted).")
        found = _diagnose(paths)
    kind, problem = found if found is not None else ("damaged", None)
    if problem is None:
        try:
            db = open_database(db_path, before_migrate=before_migrate)
        except (NewerVersionError, DataFileUnavailableError):
            raise  # not damage: the file stays where it is, untouched
        except NotADatabaseError as e:
            problem = str(e)
        except sqlite3.DatabaseError as e:
            if not is_damage(e):
                raise DataFileUnavailableError(
                    f"{db_path.name} could not be opened ({e}). The file has not been changed.") from e
            problem = f"it is damaged ({e})"
        else:
            try:
                items = scan_contents(db.conn)
            except sqlite3.DatabaseError:
                db.close()
                raise
            if not items:
                db.notices[:0] = notices
                return db
            db.close()
            log.error("%d stored %s cannot be read: %s", len(items), "value" if len(items) == 1 else "values",
                      ", ".join(f"{i.table}:{i.profile_id}:{i.key}" for i in items[:20]))
            text = ("Part of your data cannot be read (the data file is damaged in these places):\n"
                    + contents_text(items) + "\n\nEverything else is intact. The file was kept where it is.")
            from .backup import newest_good_backup

            return Recovery(problem=text, backup=newest_good_backup(paths), kind="contents", unreadable=items)
    log.error("data file cannot be used (%s): %s", kind, problem.replace(str(db_path), db_path.name))
    with lock.exclusive(what="working"):
        moved = move_aside(db_path, now)
    log.warning("damaged data file moved aside to %s", moved[0].name if moved else "(nothing to move)")
    text = (f"The data file could not be used: {problem.replace(str(db_path), db_path.name)}. "
            "It has been moved aside (not deleted).")
    from .backup import newest_good_backup

    return Recovery(problem=text, moved_to=moved, backup=newest_good_backup(paths),
                    kind="empty" if kind == "empty" else "damaged")


def open_rest(paths: DataPaths, *, before_migrate: BeforeMigrate | None = None) -> Database:
    """Open a data file with unreadable parts as it is: what cannot be read is left out (the
    store skips it) and stays in the file until it is restored or overwritten."""
    return open_database(paths.db, before_migrate=before_migrate)


def restore_newest(paths: DataPaths, recovery: Recovery, *, now: dt.datetime,
                   before_migrate: BeforeMigrate | None = None) -> Database:
    """Put the Recovery's backup in place (checked) and open it."""
    if recovery.backup is None:
        raise ValueError("no backup to restore")
    from .backup import restore_backup

    restore_backup(paths, recovery.backup.path, now=now)
    return open_database(paths.db, before_migrate=before_migrate)


def start_fresh(paths: DataPaths) -> Database:
    """Open a new, empty data file (the damaged one stays where move_aside put it).

    The team roster's kept evaluations (`cache/roster.json`: names' cards, training centers,
    eCard codes) belong to the damaged file's people, whom the new file does not have: they go
    now, as a restore prunes them (core/backup.py), not at the next full read of the team."""
    if paths.db.exists():
        raise FileExistsError(f"{paths.db} exists; it was not replaced")
    db = open_database(paths.db)
    from .roster_cache import FILE_NAME, RosterCache

    RosterCache(paths.root / "cache" / FILE_NAME).clear()
    return db
