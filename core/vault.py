"""The document vault: files attached to steps, stored once per SHA-256 under DataPaths.vault.

A file is copied (never moved or changed) to vault/ab/abcdef… through a temporary file, fsync
and an atomic rename; the `documents` row keeps its original name (data, never used as a path),
mime type, size, date added, step and optional expiry. The same bytes are stored once however
many documents use them; removing the last document that uses them removes the bytes.

Nothing here raises on a missing or altered vault file: `verify` reports it as a state.
"""

from __future__ import annotations

import builtins  # `list` inside Vault is its method
import datetime as dt
import hashlib
import mimetypes
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .db import inserted_id, transaction
from .paths import DataPaths, ensure_private_dir, make_private_file

if TYPE_CHECKING:  # sqlite-utils is imported only when needed (start-up time)
    from .db import Database

MAX_BYTES = 50 * 1024 * 1024  # a file larger than this is refused
MAX_NAME_CHARS = 1000  # the stored original name (longer is cut)
SAFE_NAME_BYTES = 150  # a file name made for a ZIP or the viewer (fits every file system)
PROFILE_LEVEL = "profile"  # step_id of a document that belongs to the profile, not a step
VIEWER_MAX_AGE = dt.timedelta(days=1)  # viewer copies older than this are removed on the next open
ORPHAN_GRACE = dt.timedelta(hours=1)  # unused vault files younger than this are left alone
_CHUNK = 1024 * 1024

OK = "ok"
MISSING = "missing"
ALTERED = "altered"
STATE_LABELS = {OK: "OK", MISSING: "Missing from the vault", ALTERED: "Altered (contents changed)"}


class VaultError(Exception):
    """A file that cannot be attached (or a document that cannot be used); the message is for the user."""


@dataclass(frozen=True)
class Document:
    id: int
    profile_id: int
    step_id: str
    sha256: str
    original_name: str
    mime: str
    size: int
    added_at: str
    expires: dt.date | None
    note: str

    @property
    def suffix(self) -> str:
        return safe_suffix(self.original_name)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "step_id": self.step_id, "sha256": self.sha256,
                "original_name": self.original_name, "mime": self.mime, "size": self.size,
                "added_at": self.added_at, "expires": self.expires.isoformat() if self.expires else None,
                "note": self.note}


def step_expiries(journey) -> dict[str, dt.date]:
    """The evaluated expiry of each step of a journey that has one (a card's last valid day)."""
    return {s.id: s.expires for s in journey.all_steps() if s.expires is not None}


def effective_expiry(doc: Document, expiries: Mapping[str, dt.date]) -> tuple[dt.date | None, bool]:
    """When `doc` expires and whether that date is its step's: its own expiry if it has one, else
    the expiry its step has in `expiries` (`step_expiries` of the current journey): a card document
    attached to pals.card takes the card's last valid day.

    Computed each time from the journey, never stored: a renewed card moves the date of the
    documents attached to it, and a date the user set on the document itself always wins.
    """
    if doc.expires is not None:
        return doc.expires, False
    step = expiries.get(doc.step_id)
    return step, step is not None


def profile_step_expiries(store, profile_id: int, today: dt.date) -> dict[str, dt.date]:
    """`step_expiries` of the profile's journey on `today`, for documents that carry no expiry of
    their own (the packet, the documents CSV). One evaluation; a profile that cannot be evaluated
    gives none (the documents' own expiries are still there)."""
    from .engine import evaluate

    try:
        journey = evaluate(store.document(profile_id), today)
    except Exception:  # noqa: BLE001 - a packet or an export must not depend on the journey being computable
        return {}
    return step_expiries(journey)


def profile_documents(db: Database, profile_id: int) -> list[Document]:
    """Every document of a profile, by step and id (the documents CSV's order)."""
    rows = db.execute(f"SELECT {_COLS} FROM documents WHERE profile_id = ? ORDER BY step_id, id",
                      [profile_id]).fetchall()
    return [_row_to_doc(r) for r in rows]


@dataclass(frozen=True)
class AttachResult:
    document: Document
    new_bytes: bool  # False: these bytes were already in the vault
    already_attached: bool  # True: the same file was already attached to this step


# -- names -------------------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"{p}{i}" for p in ("COM", "LPT") for i in (*"0123456789", "\u00b9", "\u00b2", "\u00b3"))}


# Bidirectional controls reorder what is shown: "\u202efdp.exe" reads as "exe.pdf".
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def strip_controls(text: str) -> str:
    """`text` without control characters (terminal escape sequences, C1 controls) and bidi
    controls: for names written to a terminal or into a file name."""
    return "".join(ch for ch in text if ch not in BIDI_CONTROLS and unicodedata.category(ch) != "Cc")


def clean_original_name(name: str) -> str:
    """The name as the user knows it, kept as data: NFC, no control characters, not empty."""
    name = unicodedata.normalize("NFC", str(name))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cs"))
    name = name.strip()[:MAX_NAME_CHARS]
    return name or "document"


def _cut_utf8(text: str, limit: int) -> str:
    b = text.encode("utf-8")
    if len(b) <= limit:
        return text
    return b[:limit].decode("utf-8", errors="ignore")


def safe_suffix(name: str) -> str:
    """'.pdf' from 'Diploma.PDF' (lower case, at most 10 characters, letters/digits only)."""
    base = _UNSAFE.split(name)[-1]
    if "." not in base.strip("."):
        return ""
    ext = base.rsplit(".", 1)[1].lower()
    return f".{ext}" if 0 < len(ext) <= 10 and ext.isalnum() and ext.isascii() else ""


def safe_file_name(name: str, limit: int = SAFE_NAME_BYTES) -> str:
    """A file name made from `name` that is safe on Windows, macOS and Linux and inside a ZIP.

    Path separators and reserved characters become '_', leading dots and trailing dots/spaces
    go, reserved Windows names get a '_' and the result is cut to `limit` UTF-8 bytes keeping
    the extension.
    """
    name = strip_controls(clean_original_name(name))  # what a file name shows is what it is
    name = _UNSAFE.sub("_", name).strip(" .") or "document"
    ext = safe_suffix(name)
    stem = name[: -len(ext)] if ext and name.lower().endswith(ext) else name
    stem = stem.rstrip(" .") or "document"
    if stem.split(".")[0].rstrip(" ").upper() in _RESERVED:  # Windows ignores "CON .x.pdf"'s spaces too
        stem = "_" + stem
    stem = _cut_utf8(stem, limit - len(ext.encode("utf-8"))).rstrip(" .") or "document"
    return stem + ext


def unique_names(names: list[str], limit: int = SAFE_NAME_BYTES) -> list[str]:
    """Safe file names, made unique case-insensitively ('a.pdf', 'a (2).pdf', ...)."""
    out: list[str] = []
    seen: set[str] = set()
    for n in names:
        base = safe_file_name(n, limit)
        cand, i = base, 1
        while cand.casefold() in seen:
            i += 1
            ext = safe_suffix(base)
            stem = base[: -len(ext)] if ext else base
            tag = f" ({i})"
            stem = _cut_utf8(stem, limit - len((tag + ext).encode("utf-8")))
            cand = f"{stem}{tag}{ext}"
        seen.add(cand.casefold())
        out.append(cand)
    return out


def guess_mime(name: str) -> str:
    mime, _ = mimetypes.guess_type("x" + safe_suffix(name), strict=False)
    return mime or "application/octet-stream"


# -- storage -----------------------------------------------------------------------------------
def blob_path(paths: DataPaths, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return paths.vault / sha256[:2] / sha256


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_source(src: Path, limit: int) -> int:
    if not src.exists():
        raise VaultError(f"“{src.name}” was not found.")
    if src.is_dir():
        raise VaultError(f"“{src.name}” is a folder. Attach the files inside it one by one (or a ZIP of them).")
    if not src.is_file():
        raise VaultError(f"“{src.name}” is not a regular file.")
    size = src.stat().st_size
    if size > limit:
        raise VaultError(f"“{src.name}” is {size / 1024 / 1024:.1f} MB; files over "
                         f"{limit // (1024 * 1024)} MB cannot be attached. Save a smaller copy (for "
                         "example a compressed PDF) and attach that.")
    if not os.access(src, os.R_OK):
        raise VaultError(f"“{src.name}” cannot be read (no permission).")
    return size


def _copy_to_temp(src: Path, tmp_dir: Path, limit: int) -> tuple[Path, str, int]:
    """Copy `src` to a temporary file in `tmp_dir` while hashing it; fsync it."""
    h = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=tmp_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                f = src.open("rb")
            except OSError as e:
                raise VaultError(f"“{src.name}” cannot be read: {e.strerror or e}.") from None
            with f:
                while True:
                    try:
                        chunk = f.read(_CHUNK)
                    except OSError as e:
                        raise VaultError(f"“{src.name}” cannot be read: {e.strerror or e}.") from None
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:  # the file grew while we read it
                        raise VaultError(f"“{src.name}” is larger than {limit // (1024 * 1024)} MB; "
                                         "it cannot be attached.")
                    h.update(chunk)
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, h.hexdigest(), size


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _newest_mtime(path: Path) -> float:
    """The latest modification time of `path` and (for a folder) the files directly in it."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            try:
                newest = max(newest, child.lstat().st_mtime)
            except OSError:
                pass
    return newest


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _row_to_doc(r: tuple) -> Document:
    return Document(id=r[0], profile_id=r[1], step_id=r[2], sha256=r[3], original_name=r[4], mime=r[5],
                    size=r[6], added_at=r[7], expires=dt.date.fromisoformat(r[8]) if r[8] else None,
                    note=r[9])


_COLS = "id, profile_id, step_id, sha256, original_name, mime, size, added_at, expires, note"


class Vault:
    """Documents of every profile in one data folder."""

    def __init__(self, db: Database, paths: DataPaths, *, max_bytes: int | None = None):
        self.db = db
        self.paths = paths
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes

    # -- attach ---------------------------------------------------------------------------------
    def attach(self, profile_id: int, step_id: str, source: str | os.PathLike[str], today: dt.date, *,
               original_name: str | None = None, expires: dt.date | None = None,
               note: str = "") -> AttachResult:
        """Copy `source` into the vault and record it as a document of `step_id`.

        `original_name` (default: the file's own name) is kept as data. The same bytes attached
        again to the same step return the existing document (its expiry updated if given).
        """
        src = Path(source)
        if not step_id:
            raise VaultError("choose the step the document belongs to")
        _check_source(src, self.max_bytes)
        name = clean_original_name(original_name if original_name is not None else src.name)
        ensure_private_dir(self.paths.vault)
        tmp, sha, size = _copy_to_temp(src, self.paths.vault, self.max_bytes)
        final = blob_path(self.paths, sha)
        new_bytes = False
        try:
            if final.exists() and final.stat().st_size == size and hash_file(final) == sha:
                tmp.unlink()
                os.utime(final)  # in use again: `remove_orphans` leaves recent files alone
            else:  # new, or a damaged copy that these bytes repair
                ensure_private_dir(final.parent)
                os.replace(tmp, final)
                make_private_file(final)
                _fsync_dir(final.parent)
                new_bytes = True
        finally:
            tmp.unlink(missing_ok=True)
        try:
            with transaction(self.db):
                self.db.execute("INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)",
                                [sha, size, _now()])
                row = self.db.execute(
                    f"SELECT {_COLS} FROM documents WHERE profile_id = ? AND step_id = ? AND sha256 = ?",
                    [profile_id, step_id, sha]).fetchone()
                if row:
                    if expires is not None:
                        self.db.execute("UPDATE documents SET expires = ? WHERE id = ?",
                                        [expires.isoformat(), row[0]])
                    doc_id, already = row[0], True
                else:
                    cur = self.db.execute(
                        "INSERT INTO documents (profile_id, step_id, sha256, original_name, mime, size, "
                        "added_at, expires, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [profile_id, step_id, sha, name, guess_mime(name), size, today.isoformat(),
                         expires.isoformat() if expires else None, note])
                    doc_id, already = inserted_id(cur), False
        except BaseException:
            if new_bytes and not self._blob_in_use(sha):
                final.unlink(missing_ok=True)
            raise
        return AttachResult(self.get(doc_id), new_bytes=new_bytes, already_attached=already)

    def _blob_in_use(self, sha: str) -> bool:
        return bool(self.db.execute("SELECT count(*) FROM documents WHERE sha256 = ?", [sha]).fetchone()[0])

    # -- read -----------------------------------------------------------------------------------
    def get(self, doc_id: int) -> Document:
        row = self.db.execute(f"SELECT {_COLS} FROM documents WHERE id = ?", [doc_id]).fetchone()
        if not row:
            raise VaultError(f"no document with id {doc_id}")
        return _row_to_doc(row)

    def list(self, profile_id: int, step_id: str | None = None) -> list[Document]:
        sql = f"SELECT {_COLS} FROM documents WHERE profile_id = ?"
        args: list[Any] = [profile_id]
        if step_id is not None:
            sql += " AND step_id = ?"
            args.append(step_id)
        rows = self.db.execute(sql + " ORDER BY step_id, added_at, id", args).fetchall()
        return [_row_to_doc(r) for r in rows]

    def path_of(self, doc: Document) -> Path:
        return blob_path(self.paths, doc.sha256)

    def verify(self, doc: Document | int) -> str:
        """OK, MISSING or ALTERED: never raises for a damaged vault."""
        if isinstance(doc, int):
            doc = self.get(doc)
        p = self.path_of(doc)
        try:
            if not p.is_file():
                return MISSING
            if p.stat().st_size != doc.size:
                return ALTERED
            return OK if hash_file(p) == doc.sha256 else ALTERED
        except OSError:
            return MISSING

    def verify_all(self, profile_id: int) -> dict[int, str]:
        return {d.id: self.verify(d) for d in self.list(profile_id)}

    def open_path(self, doc: Document | int) -> Path:
        """A copy of the document under its (safe) original name, for the system viewer.

        The copy lives in the data folder's viewer/ folder, so the viewer sees the right
        extension and nothing the viewer does can change the vault's bytes. Copies older than
        `VIEWER_MAX_AGE` (a viewer has long finished reading them) are removed first; the copy
        returned is fresh, so the next open keeps it for another day.
        """
        if isinstance(doc, int):
            doc = self.get(doc)
        state = self.verify(doc)
        if state != OK:
            raise VaultError(f"“{doc.original_name}” cannot be opened: {STATE_LABELS[state].lower()}.")
        self.clear_viewer_copies(VIEWER_MAX_AGE)
        folder = ensure_private_dir(self.viewer_dir / f"{doc.id}-{doc.sha256[:12]}")
        target = folder / safe_file_name(doc.original_name)
        if target.exists() and target.stat().st_size == doc.size and hash_file(target) == doc.sha256:
            os.utime(target)  # in use again: not old
            os.utime(folder)
        else:
            tmp, sha, _ = _copy_to_temp(self.path_of(doc), folder, max(self.max_bytes, doc.size))
            if sha != doc.sha256:
                tmp.unlink(missing_ok=True)
                raise VaultError(f"“{doc.original_name}” changed while it was being opened.")
            os.replace(tmp, target)
            make_private_file(target)
        return target

    @property
    def viewer_dir(self) -> Path:
        return self.paths.root / "viewer"

    def clear_viewer_copies(self, older_than: dt.timedelta | None = None, *,
                            now: dt.datetime | None = None) -> int:
        """Remove the viewer copies (all of them, or those not touched for `older_than`).

        Never raises: a copy a viewer still holds open (Windows) stays until the next time.
        Returns how many copy folders were removed.
        """
        import shutil

        root = self.viewer_dir
        try:
            entries = list(root.iterdir())
        except OSError:
            return 0
        cutoff = None
        if older_than is not None:
            cutoff = (now or dt.datetime.now(dt.UTC)).timestamp() - older_than.total_seconds()
        removed = 0
        for entry in entries:
            try:
                if cutoff is not None and _newest_mtime(entry) > cutoff:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
                removed += 1
            except OSError:
                continue
        return removed

    # -- change ---------------------------------------------------------------------------------
    def set_expiry(self, doc_id: int, expires: dt.date | None) -> None:
        self.get(doc_id)
        with transaction(self.db):
            self.db.execute("UPDATE documents SET expires = ? WHERE id = ?",
                            [expires.isoformat() if expires else None, doc_id])

    def set_note(self, doc_id: int, note: str) -> None:
        self.get(doc_id)
        with transaction(self.db):
            self.db.execute("UPDATE documents SET note = ? WHERE id = ?", [note, doc_id])

    def remove(self, doc_id: int) -> bool:
        """Remove a document; its bytes go when no other document uses them. True if bytes went."""
        doc = self.get(doc_id)
        with transaction(self.db):
            self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
            self.db.execute("DELETE FROM reminders WHERE profile_id = ? AND source_key = ?",
                            [doc.profile_id, f"doc:{doc_id}:expires"])
            last = not self._blob_in_use(doc.sha256)
            if last:
                self.db.execute("DELETE FROM blobs WHERE sha256 = ?", [doc.sha256])
        if last:
            self.path_of(doc).unlink(missing_ok=True)
            try:
                self.path_of(doc).parent.rmdir()
            except OSError:
                pass
        return last

    def orphans(self) -> builtins.list[Path]:
        """Files in the vault no document points at (left by a crash between copy and commit)."""
        if not self.paths.vault.is_dir():
            return []
        used = {r[0] for r in self.db.execute("SELECT DISTINCT sha256 FROM documents").fetchall()}
        return [p for p in self.paths.vault.glob("??/*") if p.is_file() and p.name not in used]

    def remove_orphans(self, now: dt.datetime, grace: dt.timedelta = ORPHAN_GRACE) -> int:
        """Delete what no document uses any more; returns how many files went.

        That is: the bytes of the documents of a deleted profile (its rows went with the profile,
        the files stayed), bytes left by a crash between the copy and the commit of `attach`,
        and `.incoming-*` temporary files of an interrupted copy. Files changed within `grace`
        of `now` stay (an attach may be between its copy and its commit). `blobs` rows nothing
        uses are deleted first, in one transaction; the files only after it commits.
        Never raises for a file that cannot be removed (it stays until the next time).
        """
        root = self.paths.vault
        if not root.is_dir():
            return 0
        cutoff = now.timestamp() - grace.total_seconds()
        with transaction(self.db):
            self.db.execute("DELETE FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM documents)")
        candidates = self.orphans() + [p for p in root.glob(".incoming-*") if p.is_file()]
        candidates += [p for p in root.glob("??/.incoming-*") if p.is_file()]
        removed = 0
        for p in candidates:
            try:
                if p.is_symlink() or p.lstat().st_mtime > cutoff:
                    continue
                if not p.name.startswith(".incoming-") and self._blob_in_use(p.name):
                    continue  # attached again since orphans() looked
                p.unlink()
                removed += 1
                if p.parent != root:
                    try:
                        p.parent.rmdir()
                    except OSError:
                        pass
            except OSError:
                continue
        return removed
