"""Backups: automatic copies of the data file, full archives, and restoring either.

Automatic backups (DataPaths.backups, next to the data):
- `auto_backup(paths, today, conn=...)` at start, at most once a day:
  `certpath-YYYY-MM-DD.sqlite3`, made with SQLite's backup API (a consistent copy even while
  the app has the file open in WAL mode), checked, then rotated: the newest 7 days and, beyond
  them, the newest copy of each of 4 more weeks are kept.
- `before_migrate_hook(paths, today)` for `core.db.open_database(before_migrate=...)`: a copy
  `certpath-YYYY-MM-DD-before-migration-vN.sqlite3` before a newer CertPath changes the file
  (the newest 4 of these are kept). If that copy fails the migration does not run.

A full backup (`create_archive`) is one ZIP the user chooses: `certpath.sqlite3` (a snapshot),
every vault file as `vault/ab/<sha256>`, and `manifest.json` with the size and SHA-256 of each.

Restoring (`restore_archive`, `restore_backup`) checks everything before anything is written:
hostile archives (`../` or absolute names, symlinks, too many entries, too large or lying sizes,
not a ZIP, no database, a newer CertPath's database) are refused with `RestoreRefused`. The
database is restored into a temporary file, checked (`PRAGMA integrity_check`, the CertPath
stamp, not newer), and only then swapped in with an atomic rename; the file it replaces is kept
in backups/ as `certpath-…-before-restore.sqlite3` (or moved there as-is if it cannot be read).
The caller must have closed its connections to the data file first.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from struct import error as struct_error
from typing import Any

from .db import DatabaseError, NewerVersionError, _schema_version, check_not_newer, inspect_file
from .paths import DataPaths, create_private_file, ensure_private_dir, make_private_file
from .wording import plural

ARCHIVE_FORMAT = "certpath-backup/1"
DB_MEMBER = "certpath.sqlite3"
MANIFEST_MEMBER = "manifest.json"
VAULT_MEMBER = re.compile(r"vault/([0-9a-f]{2})/([0-9a-f]{64})")

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_BEFORE_MIGRATION = 4

# Limits for archives being restored. Every archive `create_archive` writes is within them
# (it refuses, before writing anything, a data folder that would not be): one database of at
# most MAX_DB_BYTES, vault files of at most MAX_MEMBER_BYTES (core.vault.MAX_BYTES = 50 MB each),
# a manifest of at most MAX_MANIFEST_BYTES (about 110 bytes per file: 4 million files fit) and at
# most MAX_ENTRIES entries (checked from the ZIP's end record before its directory is read).
# The total is bounded by what the manifest declares (each member is cut at its declared size)
# and by the free disk space; there is no fixed total.
MAX_ENTRIES = 500_000
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_DB_BYTES = 8 * 1024 * 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024

_AUTO_NAME = re.compile(
    r"certpath-(\d{4}-\d{2}-\d{2})(?:-(before-migration-v\d+|before-restore-\d{6}(?:-\d{1,4})?))?\.sqlite3")

Progress = Callable[[int, int], None]  # (done, total) in bytes


class BackupError(Exception):
    """A backup or restore that could not be done; the message is for the user."""


class RestoreRefused(BackupError):
    """The archive or backup is not acceptable; nothing was written."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    date: dt.date
    kind: str  # "daily", "before-migration", "before-restore"
    size: int

    @property
    def label(self) -> str:
        extra = {"daily": "", "before-migration": " (before an update)",
                 "before-restore": " (before a restore)"}[self.kind]
        from .datefmt import date_text

        return f"{date_text(self.date)}{extra}"  # as the GUI shows dates (ISO on the command line)


@dataclass(frozen=True)
class RestoreResult:
    previous: Path | None  # where the replaced data file was kept
    vault_files: int  # vault files written


# The words File > Back up / Restore and `python -m core backup` both say.
NOTHING_CHANGED = "Nothing was changed."


def backup_done_text(made: Path) -> str:
    return (f"Your data and documents were backed up to:\n{made}\n\n"
            "Keep it somewhere other than this computer too (a USB drive).")


def restore_done_text(result: RestoreResult) -> str:
    return ("Your data was restored and has been reopened."
            + (f"\n\nThe data it replaced was kept at:\n{result.previous}" if result.previous else ""))


# -- snapshots ---------------------------------------------------------------------------------
def _ro_connect(path: Path) -> sqlite3.Connection:
    from .db import connect_ro

    return connect_ro(Path(path))


def _snapshot(source: sqlite3.Connection, dest: Path) -> Path:
    """Copy the database behind `source` to `dest` (atomically, self-contained, 0600)."""
    dest = Path(dest)
    ensure_private_dir(dest.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", suffix=".sqlite3", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        make_private_file(tmp)
        out = sqlite3.connect(str(tmp))
        try:
            source.backup(out)
            # A backup must be one file: no -wal beside it when it is opened later.
            out.execute("PRAGMA journal_mode = DELETE")
        finally:
            out.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + "-journal").unlink(missing_ok=True)
        raise
    make_private_file(dest)
    return dest


def snapshot_file(db_path: Path, dest: Path) -> Path:
    src = _ro_connect(db_path)
    try:
        return _snapshot(src, dest)
    finally:
        src.close()


def snapshot_connection(conn: sqlite3.Connection, dest: Path) -> Path:
    return _snapshot(conn, dest)


def verify_database(path: Path) -> None:
    """Raise RestoreRefused unless `path` is an intact CertPath database this version can open.

    Intact: not newer, the CertPath stamp, the applied migrations and every table and column
    they make (core.db.schema_problems), SQLite's integrity check, and every stored profile,
    fact, override and setting still readable (core.recovery.scan_contents).
    """
    from .db import schema_problems
    from .recovery import contents_text, scan_contents

    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise RestoreRefused(f"{path.name} is empty or missing")
    try:
        check_not_newer(path)
        _version, names = inspect_file(path)
    except NewerVersionError as e:
        raise RestoreRefused(str(e)) from None
    except DatabaseError as e:
        raise RestoreRefused(f"{path.name} is not a CertPath data file, or it is damaged") from e
    if not names:
        raise RestoreRefused(f"{path.name} is not a CertPath data file (it has no CertPath stamp)")
    try:
        conn = _ro_connect(path)
        try:
            problems = schema_problems(conn)
            unreadable = scan_contents(conn) if not problems else []
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise RestoreRefused(f"{path.name} is damaged ({e})") from None
    if problems:
        raise RestoreRefused(f"{path.name} is not a complete CertPath data file: {'; '.join(problems[:3])}")
    if unreadable:
        raise RestoreRefused(f"{path.name} is damaged: these cannot be read:\n{contents_text(unreadable)}")


# -- automatic backups -------------------------------------------------------------------------
def list_backups(paths: DataPaths) -> list[BackupInfo]:
    """The automatic backups in backups/, newest first."""
    out: list[BackupInfo] = []
    if not paths.backups.is_dir():
        return out
    for p in paths.backups.iterdir():
        m = _AUTO_NAME.fullmatch(p.name)
        if not m or not p.is_file() or p.is_symlink():
            continue
        try:
            day = dt.date.fromisoformat(m.group(1))
        except ValueError:
            continue
        tag = m.group(2) or ""
        kind = "before-migration" if tag.startswith("before-migration") else (
            "before-restore" if tag.startswith("before-restore") else "daily")
        out.append(BackupInfo(p, day, kind, p.stat().st_size))
    out.sort(key=lambda b: (b.date, b.path.stat().st_mtime, b.path.name), reverse=True)
    return out


def newest_good_backup(paths: DataPaths) -> BackupInfo | None:
    for b in list_backups(paths):
        try:
            verify_database(b.path)
        except BackupError:
            continue
        return b
    return None


def rotate(paths: DataPaths, today: dt.date) -> list[Path]:
    """Delete automatic daily backups beyond 7 days + 4 weeks; returns what was deleted."""
    backups = list_backups(paths)
    daily = [b for b in backups if b.kind == "daily" and b.date <= today]
    keep: set[Path] = {b.path for b in daily[:KEEP_DAILY]}
    weeks_seen: list[tuple[int, int]] = []
    for b in daily[KEEP_DAILY:]:
        week = b.date.isocalendar()[:2]
        if week in weeks_seen or any(week == d.date.isocalendar()[:2] for d in daily[:KEEP_DAILY]):
            continue
        if len(weeks_seen) >= KEEP_WEEKLY:
            break
        weeks_seen.append(week)
        keep.add(b.path)
    for kind in ("before-migration", "before-restore"):
        keep |= set([b.path for b in backups if b.kind == kind][:KEEP_BEFORE_MIGRATION])
    keep |= {b.path for b in backups if b.date > today}  # a clock that went back: keep them
    gone = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            gone.append(b.path)
    return gone


def auto_backup(paths: DataPaths, today: dt.date, *, conn: sqlite3.Connection | None = None) -> Path | None:
    """Today's automatic backup, if there is none yet; then rotation. None if one existed."""
    dest = paths.backups / f"certpath-{today.isoformat()}.sqlite3"
    if dest.exists():
        return None
    ensure_private_dir(paths.backups)
    if conn is not None:
        snapshot_connection(conn, dest)
    elif paths.db.exists():
        snapshot_file(paths.db, dest)
    else:
        return None
    try:
        verify_database(dest)
    except BackupError:
        # A bad copy must not push good ones out of the rotation.
        dest.unlink(missing_ok=True)
        raise
    rotate(paths, today)
    return dest


def before_migrate_hook(paths: DataPaths, today: dt.date) -> Callable[[Path, int], None]:
    def hook(db_path: Path, n_pending: int) -> None:
        version, _ = inspect_file(db_path)
        dest = paths.backups / f"certpath-{today.isoformat()}-before-migration-v{version}.sqlite3"
        if not dest.exists():
            snapshot_file(db_path, dest)
            verify_database(dest)

    return hook


# -- full archive ------------------------------------------------------------------------------
def zip_time(when: dt.datetime | dt.date) -> tuple[int, int, int, int, int, int]:
    """A ZIP entry's date_time; ZIP cannot store years before 1980 (a reset clock) or after 2107."""
    t = (when.year, when.month, when.day, getattr(when, "hour", 0), getattr(when, "minute", 0),
         getattr(when, "second", 0))
    return max(min(t, (2107, 12, 31, 23, 59, 58)), (1980, 1, 1, 0, 0, 0))


def _sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def _vault_files(paths: DataPaths) -> list[tuple[str, Path]]:
    out = []
    if paths.vault.is_dir():
        for p in sorted(paths.vault.glob("??/*")):
            rel = p.relative_to(paths.root).as_posix()
            if VAULT_MEMBER.fullmatch(rel) and p.is_file() and not p.is_symlink():
                out.append((rel, p))
    return out


def referenced_blobs(db_file: Path) -> set[str]:
    """The SHA-256 of every vault file the database at `db_file` has a document for."""
    conn = _ro_connect(db_file)
    try:
        return {r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM documents")}
    finally:
        conn.close()


def create_archive(paths: DataPaths, dest: Path, *, now: dt.datetime,
                   conn: sqlite3.Connection | None = None, progress: Progress | None = None) -> Path:
    """Write a full backup (database snapshot + vault + manifest) to the ZIP file `dest`.

    Only vault files the snapshot's documents use go in (bytes left by an interrupted attach do
    not), so every archive this writes is one `restore_archive` accepts. The ZIP is written to
    `<dest>.part` (0600 from its creation, removed on failure, cleaned up at the next start if
    the process was killed) and renamed into place when complete.
    """
    from . import __version__
    from .leftovers import forget_partial, note_partial

    dest = Path(dest)
    if not paths.db.exists() and conn is None:
        raise BackupError("There is no data to back up yet.")
    try:
        work = Path(tempfile.mkdtemp(prefix=".backup-", dir=paths.root))
    except OSError:  # a data folder CertPath can only read: the snapshot goes to the temp folder
        work = Path(tempfile.mkdtemp(prefix="certpath-backup-"))
    part = dest.with_name(dest.name + ".part")
    fd = None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        snap = work / DB_MEMBER
        if conn is not None:
            snapshot_connection(conn, snap)
        else:
            snapshot_file(paths.db, snap)
        members: list[tuple[str, Path]] = [(DB_MEMBER, snap)]
        total = snap.stat().st_size
        for sha in sorted(referenced_blobs(snap)):  # a document's file that is missing stays missing
            p = paths.vault / sha[:2] / sha
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and re.fullmatch(r"[0-9a-f]{64}", sha):
                members.append((f"vault/{sha[:2]}/{sha}", p))
                total += st.st_size
        if len(members) + 1 > MAX_ENTRIES:
            raise BackupError(f"Your data has {len(members) - 1} document files; a full backup holds at "
                              f"most {MAX_ENTRIES - 2}. Nothing was written.")
        if snap.stat().st_size > MAX_DB_BYTES:
            raise BackupError("Your data file is larger than a full backup can hold "
                              f"({MAX_DB_BYTES // 1024 ** 3} GB). Nothing was written.")
        note_partial(paths, part)
        part.unlink(missing_ok=True)  # a .part of an earlier, killed backup
        fd = create_private_file(part)
        files: dict[str, Any] = {}
        done = 0
        with os.fdopen(fd, "w+b") as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED,
                                                          compresslevel=6, allowZip64=True) as zf:
            fd = None
            for name, p in members:
                h = hashlib.sha256()
                size = 0
                zi = zipfile.ZipInfo(name, date_time=zip_time(now))
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = (stat.S_IFREG | 0o600) << 16
                with open(p, "rb") as src, zf.open(zi, "w", force_zip64=True) as out:
                    for chunk in iter(functools.partial(src.read, _CHUNK), b""):
                        h.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
                files[name] = {"sha256": h.hexdigest(), "size": size}
            manifest = {"format": ARCHIVE_FORMAT, "app_version": __version__,
                        "schema_version": _schema_version(), "created": now.isoformat(timespec="seconds"),
                        "files": files}
            zf.writestr(zipfile.ZipInfo(MANIFEST_MEMBER, date_time=zip_time(now)),
                        json.dumps(manifest, indent=2, sort_keys=True))
            zf.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, dest)
        forget_partial(paths, part)
    except OSError as e:
        part.unlink(missing_ok=True)
        forget_partial(paths, part)
        raise BackupError(f"The backup could not be written to {dest}: {_os_words(e)}") from None
    except BaseException:
        part.unlink(missing_ok=True)
        forget_partial(paths, part)
        raise
    finally:
        if fd is not None:
            os.close(fd)
        shutil.rmtree(work, ignore_errors=True)
    return dest


def _os_words(e: OSError) -> str:
    import errno

    if e.errno == errno.ENOSPC:
        return "the disk is full; nothing was saved"
    if e.errno == errno.EROFS:
        return "the disk is read-only"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "no permission to write there"
    return e.strerror or str(e)


@dataclass(frozen=True)
class ArchiveInfo:
    created: str
    app_version: str
    files: dict[str, dict[str, Any]]
    total_bytes: int

    @property
    def vault_count(self) -> int:
        return sum(1 for n in self.files if n != DB_MEMBER)


def _check_name(name: str) -> str | None:
    """Why a member name is refused, or None."""
    if not name or "\x00" in name or "\\" in name:
        return "has an invalid name"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "has an absolute path"
    parts = name.split("/")
    if ".." in parts:
        return "points outside the backup (../)"
    if name in (DB_MEMBER, MANIFEST_MEMBER) or VAULT_MEMBER.fullmatch(name):
        return None
    return "is not part of a CertPath backup"


def inspect_archive(archive: Path) -> ArchiveInfo:
    """Check an archive's structure without extracting anything; raise RestoreRefused."""
    archive = Path(archive)
    label = archive.name
    if not archive.is_file():
        raise RestoreRefused(f"{label} was not found.")
    if not zipfile.is_zipfile(archive):
        raise RestoreRefused(f"{label} is not a CertPath backup (it is not a ZIP archive).")
    declared = _declared_entries(archive)
    if declared is not None and declared > MAX_ENTRIES:
        raise RestoreRefused(f"{label} has {declared} entries; a CertPath backup has at most "
                             f"{MAX_ENTRIES}. It was not restored.")
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                raise RestoreRefused(f"{label} has {len(infos)} entries; a CertPath backup has at most "
                                     f"{MAX_ENTRIES}. It was not restored.")
            seen: set[str] = set()
            sizes: dict[str, int] = {}
            total = 0
            for zi in infos:
                name = zi.filename
                mode = zi.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise RestoreRefused(f"{label}: the entry {name!r} is a symbolic link. It was not restored.")
                if zi.is_dir():
                    raise RestoreRefused(f"{label}: the entry {name!r} is a folder entry, which a CertPath "
                                         "backup does not have. It was not restored.")
                why = _check_name(name)
                if why:
                    raise RestoreRefused(f"{label}: the entry {name!r} {why}. It was not restored.")
                if name in seen:
                    raise RestoreRefused(f"{label}: the entry {name!r} appears twice. It was not restored.")
                seen.add(name)
                if zi.flag_bits & 0x1:
                    raise RestoreRefused(f"{label}: the entry {name!r} is encrypted. It was not restored.")
                if zi.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise RestoreRefused(f"{label}: the entry {name!r} uses an unsupported compression.")
                limit = _member_limit(name)
                if zi.file_size > limit:
                    raise RestoreRefused(f"{label}: the entry {name!r} is {zi.file_size // (1024 * 1024)} MB "
                                         f"(at most {limit // (1024 * 1024)} MB). It was not restored.")
                sizes[name] = zi.file_size
                total += zi.file_size
            if MANIFEST_MEMBER not in seen:
                raise RestoreRefused(f"{label} is not a CertPath backup (it has no manifest.json).")
            if DB_MEMBER not in seen:
                raise RestoreRefused(f"{label} is not a CertPath backup (it has no database).")
            raw = _read_capped(zf, zf.getinfo(MANIFEST_MEMBER), MAX_MANIFEST_BYTES, label)
    except zipfile.BadZipFile as e:
        raise RestoreRefused(f"{label} is damaged ({e}). It was not restored.") from None
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        if isinstance(e, RestoreRefused):
            raise
        raise RestoreRefused(f"{label} cannot be read ({e}). It was not restored.") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RestoreRefused(f"{label}: manifest.json is not valid JSON. It was not restored.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        fmt = manifest.get("format") if isinstance(manifest, dict) else None
        if isinstance(fmt, str) and fmt.startswith("certpath-backup/"):
            raise RestoreRefused(f"{label} was made by a newer CertPath ({fmt}). Install the newer "
                                 "CertPath to restore it.")
        raise RestoreRefused(f"{label}: manifest.json is not a CertPath backup manifest.")
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != seen - {MANIFEST_MEMBER}:
        raise RestoreRefused(f"{label}: the manifest does not list exactly the files in the archive.")
    for name, meta in files.items():
        if (not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str)
                or not re.fullmatch(r"[0-9a-f]{64}", meta["sha256"])
                or type(meta.get("size")) is not int or meta["size"] < 0):
            raise RestoreRefused(f"{label}: the manifest entry for {name!r} is invalid.")
        if meta["size"] != sizes[name]:
            raise RestoreRefused(f"{label}: {name!r} is {sizes[name]} bytes in the archive but {meta['size']} "
                                 "in its manifest (the backup is damaged or was altered). It was not restored.")
    total = sum(meta["size"] for meta in files.values())  # the expanded total is what the manifest declares
    return ArchiveInfo(created=str(manifest.get("created", "")), app_version=str(manifest.get("app_version", "")),
                       files=files, total_bytes=total)


def _member_limit(name: str) -> int:
    if name == MANIFEST_MEMBER:
        return MAX_MANIFEST_BYTES
    return MAX_DB_BYTES if name == DB_MEMBER else MAX_MEMBER_BYTES


def _declared_entries(archive: Path) -> int | None:
    """The entry count in the ZIP's end record, read before zipfile builds its whole directory."""
    try:
        with open(archive, "rb") as f:
            end = zipfile._EndRecData(f)  # type: ignore[attr-defined]  # stable since Python 2
    except (OSError, AttributeError, struct_error):
        return None
    if not end:
        return None
    return int(end[4])  # _ECD_ENTRIES_TOTAL (the ZIP64 record's count when there is one)


def _read_capped(zf: zipfile.ZipFile, zi: zipfile.ZipInfo, cap: int, label: str) -> bytes:
    buf = bytearray()
    with zf.open(zi) as f:
        while chunk := f.read(_CHUNK):
            buf += chunk
            if len(buf) > cap:
                raise RestoreRefused(f"{label}: the entry {zi.filename!r} unpacks to more than it says "
                                     "(a compression bomb?). It was not restored.")
    return bytes(buf)


def _extract_member(zf: zipfile.ZipFile, zi: zipfile.ZipInfo, dest: Path, meta: dict[str, Any],
                    label: str, on_bytes: Callable[[int], None], *, sync: bool = True) -> None:
    """Stream one member to `dest`, never more than its declared (and allowed) size; check its hash."""
    cap = min(zi.file_size, meta["size"], _member_limit(zi.filename))
    h = hashlib.sha256()
    n = 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as out, zf.open(zi) as src:
        while chunk := src.read(_CHUNK):
            n += len(chunk)
            if n > cap:
                raise RestoreRefused(f"{label}: the entry {zi.filename!r} unpacks to more than it says "
                                     "(a compression bomb?). It was not restored.")
            h.update(chunk)
            out.write(chunk)
            on_bytes(len(chunk))
        out.flush()
        if sync:
            os.fsync(out.fileno())
    if n != meta["size"] or h.hexdigest() != meta["sha256"]:
        raise RestoreRefused(f"{label}: {zi.filename!r} does not match its checksum in the manifest "
                             "(the backup is damaged). It was not restored.")
    m = VAULT_MEMBER.fullmatch(zi.filename)
    if m and (m.group(2) != meta["sha256"] or not m.group(2).startswith(m.group(1))):
        raise RestoreRefused(f"{label}: the vault file {zi.filename!r} does not match its name. "
                             "It was not restored.")


# -- swapping a checked database in --------------------------------------------------------------
def _stamp(now: dt.datetime) -> str:
    return now.strftime("%H%M%S")


def _ensure_not_in_use(db: Path) -> None:
    """Refuse to replace the data file while any connection (this process or another) has it open.

    Swapping it then would lose data: the open connection keeps writing into the replaced file
    and its deleted -wal (POSIX), or the rename fails half-way (Windows). An exclusive lock is
    granted only when no other connection holds the file.
    """
    if not db.exists():
        return
    try:
        conn = sqlite3.connect(str(db), timeout=0.2)
    except sqlite3.Error:
        return  # unreadable: _keep_previous moves it aside as it is
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.rollback()
    except sqlite3.Error as e:
        code = (getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF
        if code in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
            raise BackupError("Your data file is in use (still open in CertPath or another program), "
                              "so it was not replaced. Close it and try again.") from None
    finally:
        conn.close()


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """folder/stem+suffix, or stem-2, stem-3…: a kept file is never overwritten."""
    dest, n = folder / f"{stem}{suffix}", 1
    while dest.exists() or Path(f"{dest}-wal").exists():
        n += 1
        dest = folder / f"{stem}-{n}{suffix}"
    return dest


def _keep_previous(paths: DataPaths, now: dt.datetime) -> Path | None:
    """Keep the current data file in backups/ before it is replaced; None if there is none."""
    db = paths.db
    if not db.exists():
        return None
    ensure_private_dir(paths.backups)
    dest = _free_name(paths.backups, f"certpath-{now.date().isoformat()}-before-restore-{_stamp(now)}", ".sqlite3")
    try:
        conn = sqlite3.connect(str(db))
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            _snapshot(conn, dest)
        finally:
            conn.close()
        verify_database(dest)
    except (sqlite3.Error, BackupError, DatabaseError):
        # Unreadable: keep the file itself (and its -wal/-shm) exactly as it is.
        folder = ensure_private_dir(_free_name(paths.backups, f"replaced-{now.strftime('%Y%m%d-%H%M%S')}", ""))
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(db) + suffix)
            if src.exists():
                os.replace(src, folder / src.name)
        return folder / db.name
    for suffix in ("-wal", "-shm"):  # checkpointed: the data file alone holds everything
        Path(str(db) + suffix).unlink(missing_ok=True)
    return dest


def _swap_in(paths: DataPaths, checked: Path, now: dt.datetime) -> Path | None:
    """Replace the data file with `checked`. The caller holds the data lock exclusively."""
    _ensure_not_in_use(paths.db)
    previous = _keep_previous(paths, now)
    os.replace(checked, paths.db)
    for suffix in ("-wal", "-shm"):  # no writer is connected: they are the replaced file's
        Path(str(paths.db) + suffix).unlink(missing_ok=True)
    make_private_file(paths.db)
    _prune_roster_cache(paths)
    return previous


def _prune_roster_cache(paths: DataPaths) -> None:
    """Cut the team roster's kept evaluations (`cache/roster.json`: card dates, training centers,
    eCard codes) to the profiles of the data file just swapped in, as deleting a profile does: a
    person only the replaced file had leaves it now, not at the next full read of the team. The
    restored file is read read-only; if it cannot be (an older format, an error), or the cache
    cannot be rewritten, the cache file is removed (it is rebuilt at the next Team view)."""
    from .db import Database, connect_ro
    from .roster_cache import FILE_NAME, RosterCache, current_keys
    from .store import Store

    cache = RosterCache(paths.root / "cache" / FILE_NAME)
    if cache.path is None or not cache.path.exists():
        return
    try:
        conn = connect_ro(paths.db)
        try:
            keep = current_keys(Store(Database(conn, paths.db, readonly=True)))
        finally:
            conn.close()
        cache.prune(keep)
    except (OSError, sqlite3.Error, DatabaseError) as e:  # the data is restored; the cache file goes
        import logging

        logging.getLogger("certpath.backup").warning("the roster cache could not be pruned (%s): removed", e)
        cache.clear()


def restore_backup(paths: DataPaths, backup: Path, *, now: dt.datetime) -> RestoreResult:
    """Replace the data file with an automatic backup (checked first). Connections must be closed.

    The data folder's lock is held exclusively from the in-use check to the end of the swap:
    no CertPath (window or command) writes meanwhile, and none keeps writing into the file
    that is replaced.
    """
    from .instance_lock import DataInUseError, data_lock

    backup = Path(backup)
    verify_database(backup)
    paths.ensure()
    try:
        with data_lock(paths.root).exclusive():
            _ensure_not_in_use(paths.db)
            fd, tmp_name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=paths.root)
            os.close(fd)
            tmp = Path(tmp_name)
            try:
                snapshot_file(backup, tmp)
                verify_database(tmp)
                previous = _swap_in(paths, tmp, now)
            finally:
                tmp.unlink(missing_ok=True)
    except DataInUseError as e:
        raise BackupError(str(e)) from None
    return RestoreResult(previous=previous, vault_files=0)


def restore_archive(paths: DataPaths, archive: Path, *, now: dt.datetime,
                    progress: Progress | None = None) -> RestoreResult:
    """Restore a full backup archive. Refused archives leave the data folder untouched.

    Checked before anything is written: the archive's structure (inspect_archive), then its
    database (extracted first: verify_database, the schema included), then that every vault
    file in it is one that database uses. The data lock is held exclusively from the in-use
    check to the end of the swap.
    """
    from .instance_lock import DataInUseError, data_lock

    archive = Path(archive)
    info = inspect_archive(archive)
    paths.ensure()
    try:
        with data_lock(paths.root).exclusive():
            return _restore_archive_locked(paths, archive, info, now, progress)
    except DataInUseError as e:
        raise BackupError(str(e)) from None


def _restore_archive_locked(paths: DataPaths, archive: Path, info: ArchiveInfo, now: dt.datetime,
                            progress: Progress | None) -> RestoreResult:
    label = archive.name
    _ensure_not_in_use(paths.db)
    try:
        free = shutil.disk_usage(paths.root).free
    except OSError:
        free = None
    if free is not None and info.total_bytes * 2 > free:
        raise RestoreRefused(f"There is not enough free disk space to restore {label} "
                             f"({info.total_bytes // (1024 * 1024)} MB needed twice).")
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=paths.root))
    done = 0

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, info.total_bytes)

    try:
        staged: list[tuple[str, Path]] = []
        try:
            with zipfile.ZipFile(archive) as zf:
                db_tmp = work / DB_MEMBER
                _extract_member(zf, zf.getinfo(DB_MEMBER), db_tmp, info.files[DB_MEMBER], label, on_bytes)
                verify_database(db_tmp)
                used = referenced_blobs(db_tmp)
                extra = [n for n in info.files if n != DB_MEMBER
                         and ((m := VAULT_MEMBER.fullmatch(n)) is None or m.group(2) not in used)]
                if extra:
                    raise RestoreRefused(
                        f"{label} holds {plural(len(extra), 'file')} that its data does not use (for example "
                        f"{extra[0]!r}); a CertPath backup holds only its documents. It was not restored.")
                for name, meta in info.files.items():
                    if name == DB_MEMBER:
                        continue
                    dest = work / name.replace("/", "_")
                    _extract_member(zf, zf.getinfo(name), dest, meta, label, on_bytes, sync=False)
                    staged.append((name, dest))
        except zipfile.BadZipFile as e:
            raise RestoreRefused(f"{label} is damaged ({e}). It was not restored.") from None
        except (EOFError, ValueError, NotImplementedError, RuntimeError) as e:
            raise RestoreRefused(f"{label} cannot be read ({e}). It was not restored.") from None
        _sync_all([p for _, p in staged])
        # Everything is checked: now write. Vault files first (content-addressed, so harmless
        # if the database swap never happens), then the database.
        written = 0
        made: set[str] = set()
        for name, src in staged:
            target = paths.root / name
            try:
                st: os.stat_result | None = os.lstat(target)
            except FileNotFoundError:
                st = None
            if st is not None and stat.S_ISREG(st.st_mode) and \
                    _sha256_file(target)[0] == info.files[name]["sha256"]:
                continue
            if name[:9] not in made:
                ensure_private_dir(target.parent)
                made.add(name[:9])
            if st is not None:  # altered bytes or something else under that name: kept aside
                aside = ensure_private_dir(paths.backups / f"replaced-{now.strftime('%Y%m%d-%H%M%S')}")
                os.replace(target, aside / target.name)
            os.replace(src, target)  # created 0600 by _extract_member
            written += 1
        ensure_private_dir(paths.vault)
        previous = _swap_in(paths, db_tmp, now)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RestoreResult(previous=previous, vault_files=written)


def _sync_all(files: list[Path]) -> None:
    """Make staged files durable before the database that names them is swapped in: one
    syncfs for the file system (POSIX) instead of one fsync per file."""
    if not files:
        return
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(files[0].parent, os.O_RDONLY)
            try:
                if libc.syncfs(fd) == 0:
                    return
            finally:
                os.close(fd)
        except (OSError, AttributeError):
            pass
    for p in files:
        with open(p, "rb+") as f:
            os.fsync(f.fileno())
