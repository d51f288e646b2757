"""The one module that opens the CertPath database.

`open_database(path)` opens (or creates) the SQLite file through sqlite-utils, refuses a file
written by a newer CertPath without touching it, sets WAL, foreign keys and a busy timeout, and
applies the ordered migrations in core/migrations.py. A new file runs the same migrations as an
old one. Each migration runs in its own transaction and is rolled back if it fails.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .paths import PermissionProblem, check_private, ensure_private_dir, make_private_file

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


class DiskFullError(DataFileUnavailableError):
    """A write met a full disk; the transaction was rolled back, so nothing was saved."""


class ReadOnlyError(DataFileUnavailableError):
    """A write to data that could only be opened read-only; nothing was saved."""


DISK_FULL_MESSAGE = "the disk is full; nothing was saved (free some space, then save again)"
READ_ONLY_MESSAGE = ("CertPath can only read this data folder (it is read-only or belongs to another "
                     "user); nothing was saved")
LOW_SPACE_BYTES = 4 * 1024 * 1024  # an I/O error with less free space than this is a full disk


def _sqlite_code(e: BaseException) -> int:
    return (getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF


def write_error(e: sqlite3.Error, folder: Path | None) -> DataFileUnavailableError | None:
    """The user's error for a failed write (full disk, read-only data), or None for other errors.

    SQLite says SQLITE_FULL for a full disk, or sometimes a plain I/O error (the write itself
    failed): that one is a full disk when the folder has (almost) no free space left.
    """
    code = _sqlite_code(e)
    if code == 13:  # SQLITE_FULL
        return DiskFullError(DISK_FULL_MESSAGE)
    if code == 8:  # SQLITE_READONLY
        return ReadOnlyError(READ_ONLY_MESSAGE)
    if code == 10 and folder is not None:  # SQLITE_IOERR
        import shutil

        try:
            if shutil.disk_usage(folder).free < LOW_SPACE_BYTES:
                return DiskFullError(DISK_FULL_MESSAGE)
        except OSError:
            pass
    return None


def _tolerant_text(raw: bytes) -> str:
    """TEXT values as str; bytes that are not UTF-8 (a damaged file) never raise here.

    sqlite3's own decoder raises an error whose message quotes the whole value (a profile's
    facts), which would reach the log; the damage is found and named by core.recovery's scan.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


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
    elif code == 13 or isinstance(write_error(e, path.parent), DiskFullError):  # FULL, or I/O on a full disk
        why = "the disk is full; nothing was saved. Free some space and try again"
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

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None, *, readonly: bool = False):
        self.conn = conn
        self.path = Path(path) if path is not None else None
        self.readonly = readonly
        self._utils: Any = None
        self._lock: Any = None  # core.instance_lock.DataLock held (shared) while open
        self.notices: list[str] = []  # said once to the user after opening (looser permissions...)

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
        try:
            self.conn.close()
        finally:
            lock, self._lock = self._lock, None
            if lock is not None:
                lock.release_shared()

    def reopen(self, *, before_migrate: Callable[[Path, int], None] | None = None) -> None:
        """Close the connection and open the file at `self.path` again (after a restore).

        Everything that holds this object (the store, the vault, panels) and sqlite-utils behind
        it move to the new connection at once; nothing keeps the closed one.
        """
        if self.path is None:
            raise ValueError("this Database was not opened from a path")
        try:
            self.close()
        except sqlite3.Error:
            pass
        fresh = open_database(self.path, before_migrate=before_migrate)
        self.conn, self.readonly, self._lock, self.notices = fresh.conn, fresh.readonly, fresh._lock, fresh.notices
        fresh._lock = None
        self._utils = None  # made again, over the new connection, on first use

    def _translate(self, e: BaseException) -> BaseException | None:
        if isinstance(e, sqlite3.Error):
            return write_error(e, self.path.parent if self.path is not None else None)
        return None

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """A transaction; nested blocks use savepoints (as sqlite_utils.Database.atomic)."""
        conn = self.conn
        if conn.in_transaction:
            sp = f"certpath_{os.urandom(8).hex()}"  # as secrets.token_hex, without hmac/OpenSSL
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
            try:
                conn.execute("BEGIN")
            except sqlite3.Error as e:
                raise (self._translate(e) or e) from e
            try:
                yield self
            except BaseException as e:
                if conn.in_transaction:
                    conn.rollback()
                better = self._translate(e)
                if better is not None:  # the storage boundary: a full disk said in words
                    raise better from e
                raise
            else:
                try:
                    conn.execute("COMMIT")
                except BaseException as e:
                    if conn.in_transaction:
                        conn.rollback()
                    better = self._translate(e)
                    if better is not None:
                        raise better from e
                    raise


def _schema_version() -> int:
    from .migration_names import MIGRATION_NAMES

    return len(MIGRATION_NAMES)


def _known_migration_names() -> set[str]:
    from .migration_names import MIGRATION_NAMES

    return set(MIGRATION_NAMES)


def connect_ro(path: Path, timeout: float = BUSY_TIMEOUT_MS / 1000) -> sqlite3.Connection:
    """A read-only connection that writes nothing (no -wal, -shm or journal is made).

    mode=ro needs a -shm it can create for a WAL file; in a folder CertPath cannot write (a
    read-only mount, another user's folder) that fails, and the file is read as immutable.
    """
    uri = Path(path).resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError as e:
        conn.close()
        if _sqlite_code(e) not in (8, 14):  # SQLITE_READONLY, SQLITE_CANTOPEN
            raise
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=timeout)


def inspect_file(path: Path) -> tuple[int, set[str]]:
    """Read the schema stamp and applied migration names without writing anything.

    Opens the file read-only (immutable would skip a pending WAL, so plain mode=ro).
    """
    try:
        conn = connect_ro(path)
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


def newer_message(name: str, version: int, unknown: set[str]) -> str:
    """'data format N; this version knows up to M', naming the updates this version lacks."""
    from .migration_names import MIGRATION_NAMES

    if unknown:
        listed = ", ".join(f"“{u}”" for u in sorted(unknown)[:5]) + (" …" if len(unknown) > 5 else "")
        what = (f"data format {version}, with the data update{'s' if len(unknown) > 1 else ''} {listed} "
                f"that this version does not have; this version knows up to {_schema_version()}, "
                f"the last being “{MIGRATION_NAMES[-1]}”")
    else:
        what = f"data format {version}; this version knows up to {_schema_version()}"
    return (f"{name} was written by a newer version of CertPath ({what}). Install the newer CertPath "
            "to open it. The file has not been changed.")


def check_not_newer(path: Path) -> bool:
    """Refuse a file from a newer CertPath; True when the file is already fully migrated."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    version, names = inspect_file(path)
    known = _known_migration_names()
    unknown = names - known
    if version > _schema_version() or unknown:
        raise NewerVersionError(newer_message(path.name, version, unknown))
    return names == known


# -- the schema a file must have -----------------------------------------------------------------
_REFERENCE: dict[int, dict[str, list[str]]] = {}


def reference_schema(n_migrations: int) -> dict[str, list[str]]:
    """{table: [columns]} after the first `n_migrations` migrations (built once in memory)."""
    if n_migrations not in _REFERENCE:
        from sqlite_utils import Database as UtilsDatabase

        from .migration_names import MIGRATION_NAMES
        from .migrations import MIGRATIONS

        mem = UtilsDatabase(memory=True)
        stop = MIGRATION_NAMES[n_migrations] if n_migrations < len(MIGRATION_NAMES) else None
        MIGRATIONS.apply(mem, stop_before=stop)
        _REFERENCE[n_migrations] = _tables_of(mem.conn)
        mem.close()
    return _REFERENCE[n_migrations]


def _tables_of(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != '_sqlite_migrations'")]
    return {t: [c[1] for c in conn.execute(f'PRAGMA table_info("{t}")')] for t in names}


def schema_problems(conn: sqlite3.Connection, *, integrity: bool = True) -> list[str]:
    """What is wrong with the CertPath schema behind `conn` ([] when nothing).

    Checks the stamp (application_id, user_version), that the applied migrations are the first
    N of this version's (no gaps, none unknown), that every table those migrations create is
    there with its columns, and (with `integrity`) SQLite's integrity check. Never writes.
    """
    from .migration_names import MIGRATION_NAMES

    problems: list[str] = []
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        problems.append(f"application_id is {app_id:#x}, not CertPath's {APPLICATION_ID:#x}")
    has = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table' "
                       "AND name='_sqlite_migrations'").fetchone()[0]
    applied = [r[0] for r in conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'certpath' ORDER BY rowid")] if has else []
    if not applied:
        problems.append("no CertPath data update has been applied")
        return problems
    unknown = [n for n in applied if n not in MIGRATION_NAMES]
    if unknown:
        problems.append(f"{'a data update' if len(unknown) == 1 else 'data updates'} this version does not know: "
                        f"{', '.join(unknown)}")
        return problems
    n = len(applied)
    if sorted(applied, key=MIGRATION_NAMES.index) != list(MIGRATION_NAMES[:n]):
        missing = [m for m in MIGRATION_NAMES[:n] if m not in applied]
        problems.append(f"the data updates are out of order or have gaps (missing: {', '.join(missing)})")
    if version != n:
        problems.append(f"user_version is {version} but {n} data updates are recorded")
    have = _tables_of(conn)
    for table, cols in reference_schema(n).items():
        if table not in have:
            problems.append(f"the table “{table}” is missing")
            continue
        lacking = [c for c in cols if c not in have[table]]
        if lacking:
            problems.append(f"the table “{table}” lacks the {'column' if len(lacking) == 1 else 'columns'} "
                            f"{', '.join(lacking)}")
    if integrity:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if rows != ["ok"]:
            problems.append(f"the integrity check failed: {rows[0]}")
    return problems


def open_database(path: Path, *, migrate: bool = True,
                  before_migrate: Callable[[Path, int], None] | None = None) -> Database:
    """Open the data file at `path`, creating and migrating it as needed.

    `before_migrate(path, n_pending)` runs before pending migrations are applied to an existing
    file (the backup module uses it to copy the file first).
    """
    from .instance_lock import data_lock

    path = Path(path)
    try:
        ensure_private_dir(path.parent)
    except PermissionProblem as e:
        raise DataFileUnavailableError(str(e)) from None
    notices = check_private(path.parent)
    lock = data_lock(path.parent)
    lock.acquire_shared()  # every writer holds it; a restore takes it exclusively
    try:
        db = _open_locked(path, migrate, before_migrate)
    except BaseException:
        lock.release_shared()
        raise
    db._lock = lock
    db.notices = list(notices) + db.notices
    return db


def _writable(path: Path) -> bool:
    """Whether CertPath may write the data file at `path` (and create its -wal beside it)."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    if path.exists() and not os.access(path, os.W_OK):
        return False
    try:  # a read-only mount answers access() with yes for root: ask the file system itself
        return not (os.statvfs(folder).f_flag & os.ST_RDONLY) if hasattr(os, "statvfs") else True
    except OSError:
        return True


def _open_locked(path: Path, migrate: bool, before_migrate) -> Database:
    up_to_date = check_not_newer(path)
    existed = path.exists() and path.stat().st_size > 0
    if existed and not _writable(path):
        return _open_readonly(path, up_to_date)
    created = not path.exists()
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    except sqlite3.Error as e:
        raise open_error(path, e) from e
    conn.text_factory = _tolerant_text
    db = Database(conn, path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":  # e.g. a read-only folder or a network share
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL" if mode.lower() == "wal" else "PRAGMA synchronous = FULL")
        if created:  # modes only on what CertPath creates (its -wal and -shm inherit the file's)
            make_private_file(path)
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
        better = write_error(e, path.parent)
        if better is not None:
            raise DataFileUnavailableError(
                f"{path.name} could not be updated: {better}. The file has not been changed.") from e
        raise open_error(path, e) from e
    except BaseException:
        conn.close()
        raise
    if not created:
        db.notices += check_private(path)
    return db


def _open_readonly(path: Path, up_to_date: bool) -> Database:
    """The data file opened read-only (a folder of another user, a read-only mount): it can be
    looked at and backed up, and every save says READ_ONLY_MESSAGE."""
    if not up_to_date:
        raise DataFileUnavailableError(
            f"{path.name} needs a data update this version makes, but CertPath cannot write to it "
            "(the file or its folder is read-only or belongs to another user). The file has not been changed.")
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "immutable=1"):  # immutable: a read-only mount where no -shm can be made
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            last = e
            continue
        conn.text_factory = _tolerant_text
        db = Database(conn, path, readonly=True)
        db.notices.append(f"Your data is open read-only: {READ_ONLY_MESSAGE.split(';')[0]}. "
                          "You can look at it and back it up; changes cannot be saved.")
        return db
    assert last is not None
    raise open_error(path, last) from last


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The row id an INSERT just made (sqlite3 types it as optional: only an INSERT sets it)."""
    if cur.lastrowid is None:
        raise DatabaseError("the insert made no row")
    return int(cur.lastrowid)


@contextmanager
def transaction(db: Database):
    """One user action that writes: all of it or none of it."""
    with db.atomic():
        yield db


def database_problems(db: Database) -> list[str]:
    """Everything the self-test checks of an open data file ([] when it is sound).

    The schema (see `schema_problems`: stamp, migrations, tables, integrity) plus the
    connection's settings: WAL (or DELETE where WAL is impossible), foreign keys, busy timeout,
    and no migration still pending.
    """
    problems = schema_problems(db.conn)
    applied = {r[0] for r in db.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = 'certpath'")} if not problems else set()
    if not problems and applied != _known_migration_names():
        problems.append(f"data updates still pending: {', '.join(sorted(_known_migration_names() - applied))}")
    if db.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
        problems.append("foreign keys are off")
    mode = db.execute("PRAGMA journal_mode").fetchone()[0].lower()
    if mode not in ("wal", "delete"):
        problems.append(f"journal_mode is {mode}")
    if db.execute("PRAGMA busy_timeout").fetchone()[0] < 1000:
        problems.append("the busy timeout is under a second")
    return problems
