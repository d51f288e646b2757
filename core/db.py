"""The one module that opens the CertPath database.

`open_database(path)` opens (or creates) the SQLite file through sqlite-utils, refuses a file
written by a newer CertPath without touching it, sets WAL, foreign keys and a busy timeout, and
applies the ordered migrations in core/migrations.py. A new file runs the same migrations as an
old one. Each migration runs in its own transaction and is rolled back if it fails.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .paths import ensure_private_dir, make_private_file

# Stamped into the file header so a CertPath file is recognisable ("CPTH").
APPLICATION_ID = 0x43505448
BUSY_TIMEOUT_MS = 5000


class DatabaseError(Exception):
    """A data file that cannot be used; the message is for the user."""


class NewerVersionError(DatabaseError):
    """The file was written by a newer CertPath; it was not touched."""


class NotADatabaseError(DatabaseError):
    """The file is not a CertPath database (or is damaged)."""


class DataFileUnavailableError(DatabaseError):
    """The file could not be used right now (in use, no permission, disk full, a failed update).

    Not damage: the file must not be moved aside or replaced because of it.
    """


# SQLite's primary result codes that say the file's contents are bad; any other error while
# opening (BUSY, LOCKED, CANTOPEN, PERM, READONLY, FULL, IOERR, CONSTRAINT in a migration...)
# is about the situation, not the file.
_DAMAGE_CODES = {11, 24, 26}  # SQLITE_CORRUPT, SQLITE_FORMAT, SQLITE_NOTADB


def is_damage(e: sqlite3.Error) -> bool:
    code = getattr(e, "sqlite_errorcode", None)
    return code is None or (code & 0xFF) in _DAMAGE_CODES


def open_error(path: Path, e: sqlite3.Error) -> DatabaseError:
    """The user's message for an error met while opening `path`: damage, or not."""
    if is_damage(e):
        return NotADatabaseError(f"{path} is not a CertPath data file, or it is damaged ({e})")
    code = (getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF
    if code in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        why = "it is in use by another program (or another CertPath). Close it and try again"
    elif code in (3, 8, 14, 23):  # PERM, READONLY, CANTOPEN, AUTH
        why = "it cannot be opened for writing (check the file's and the folder's permissions)"
    elif code == 13:  # SQLITE_FULL
        why = "the disk is full. Free some space and try again"
    else:
        why = "of an error"
    return DataFileUnavailableError(
        f"{path.name} could not be opened because {why} ({e}). The file has not been changed.")


class Database:
    """The app's handle on the data file: a sqlite3 connection with sqlite-utils behind it.

    The app's own reads and writes are plain SQL through `execute` inside `atomic()`, which has
    exactly sqlite-utils' semantics (savepoints when nested). Importing sqlite-utils costs about
    75 ms (click, pluggy, dateutil), so it is imported only when something needs more of its API:
    any other attribute (`db["profiles"]`, `db.table_names()`, ...) is delegated to a
    `sqlite_utils.Database` over the same connection, created on first use. Migrations use it.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._utils: Any = None

    @property
    def utils(self):  # -> sqlite_utils.Database
        if self._utils is None:
            from sqlite_utils import Database as UtilsDatabase

            self._utils = UtilsDatabase(self.conn)
        return self._utils

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.utils, name)

    def __getitem__(self, table: str):
        return self.utils[table]

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters) if parameters is not None else self.conn.execute(sql)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction; nested blocks use savepoints (as sqlite_utils.Database.atomic)."""
        conn = self.conn
        if conn.in_transaction:
            sp = f"certpath_{secrets.token_hex(8)}"
            conn.execute(f"SAVEPOINT {sp}")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {sp}")
                    conn.execute(f"RELEASE SAVEPOINT {sp}")
                raise
            else:
                conn.execute(f"RELEASE SAVEPOINT {sp}")
        else:
            conn.execute("BEGIN")
            try:
                yield self
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.rollback()
                    raise


def _schema_version() -> int:
    from .migration_names import MIGRATION_NAMES

    return len(MIGRATION_NAMES)


def _known_migration_names() -> set[str]:
    from .migration_names import MIGRATION_NAMES

    return set(MIGRATION_NAMES)


def inspect_file(path: Path) -> tuple[int, set[str]]:
    """Read the schema stamp and applied migration names without writing anything.

    Opens the file read-only (immutable would skip a pending WAL, so plain mode=ro).
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as e:
        raise open_error(path, e) from e
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_table = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='_sqlite_migrations'"
            ).fetchone()[0]
            names = set()
            if has_table:
                names = {r[0] for r in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = 'certpath'")}
            ntables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise open_error(path, e) from e
    finally:
        conn.close()
    if ntables and app_id not in (0, APPLICATION_ID):
        raise NotADatabaseError(f"{path} is an SQLite file of another program, not CertPath data")
    if ntables and app_id == 0 and not names:
        raise NotADatabaseError(f"{path} is an SQLite file of another program, not CertPath data")
    return version, names


def check_not_newer(path: Path) -> bool:
    """Refuse a file from a newer CertPath; True when the file is already fully migrated."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    version, names = inspect_file(path)
    known = _known_migration_names()
    unknown = names - known
    if version > _schema_version() or unknown:
        raise NewerVersionError(
            f"{path.name} was written by a newer version of CertPath (data format {version}; this "
            f"version knows up to {_schema_version()}). Install the newer CertPath to open it. "
            "The file has not been changed."
        )
    return names == known


def open_database(path: Path, *, migrate: bool = True,
                  before_migrate: Callable[[Path, int], None] | None = None) -> Database:
    """Open the data file at `path`, creating and migrating it as needed.

    `before_migrate(path, n_pending)` runs before pending migrations are applied to an existing
    file (the backup module uses it to copy the file first).
    """
    path = Path(path)
    ensure_private_dir(path.parent)
    up_to_date = check_not_newer(path)
    existed = path.exists() and path.stat().st_size > 0
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as e:
        raise open_error(path, e) from e
    db = Database(conn)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":  # e.g. a read-only folder or a network share
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL" if mode.lower() == "wal" else "PRAGMA synchronous = FULL")
        if migrate and not up_to_date:  # the common start-up needs no sqlite-utils import
            from .migrations import MIGRATIONS

            pending = MIGRATIONS.pending(db.utils)
            if pending:
                if existed and before_migrate is not None:
                    before_migrate(path, len(pending))
                MIGRATIONS.apply(db.utils)
                with db.atomic():
                    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    conn.execute(f"PRAGMA user_version = {_schema_version()}")
    except sqlite3.DatabaseError as e:
        conn.close()
        raise open_error(path, e) from e
    except BaseException:
        conn.close()
        raise
    for suffix in ("", "-wal", "-shm"):
        make_private_file(Path(str(path) + suffix))
    return db


@contextmanager
def transaction(db: Database):
    """One user action that writes: all of it or none of it."""
    with db.atomic():
        yield db
