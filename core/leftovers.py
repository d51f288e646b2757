"""Leftovers of interrupted work, and cleaning them at the next start.

What a killed process can leave: `<dest>.zip.part` (a full backup being written, next to the
file the user chose), `.backup-XXXX/` and `.restore-XXXX/` work folders and `.restore-*.sqlite3`
in the data folder, `.part-*.sqlite3` snapshots in backups/, `.incoming-*` copies in vault/.
All are created 0600 / 0700 and removed on failure; `clean_leftovers(paths, now)` removes the
ones a killed process left: older than `STALE_AFTER` and not locked by a running CertPath
(each is made while its maker holds the data folder's lock, and `clean_leftovers` runs only
when it can hold that lock exclusively). Partial backups outside the data folder are found
through `.partials`, the list of them `note_partial` keeps. Orphan vault files (bytes a killed
attach copied but never recorded) go through `Vault.remove_orphans`. Never raises.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path

from .paths import DataPaths

log = logging.getLogger("certpath.leftovers")

STALE_AFTER = dt.timedelta(minutes=10)
PARTIALS = ".partials"
_PATTERNS = ((".", ".backup-*"), (".", ".restore-*"), ("backups", ".part-*"), ("vault", ".incoming-*"),
             ("vault", "??/.incoming-*"))


def _read_partials(paths: DataPaths) -> list[str]:
    try:
        data = json.loads((paths.root / PARTIALS).read_text(encoding="utf-8"))
        return [str(x) for x in data] if isinstance(data, list) else []
    except (OSError, ValueError):
        return []


def _write_partials(paths: DataPaths, items: list[str]) -> None:
    from .paths import write_private_atomic

    target = paths.root / PARTIALS
    try:
        if items:
            write_private_atomic(target, json.dumps(sorted(set(items))).encode("utf-8"))
        else:
            target.unlink(missing_ok=True)
    except OSError:
        pass


def note_partial(paths: DataPaths, part: Path) -> None:
    """Remember a partial file outside the data folder until it is renamed or removed."""
    _write_partials(paths, [*_read_partials(paths), str(Path(part).resolve())])


def forget_partial(paths: DataPaths, part: Path) -> None:
    want = str(Path(part).resolve())
    items = _read_partials(paths)
    if want in items:
        _write_partials(paths, [i for i in items if i != want])


def _newest_mtime(p: Path) -> float:
    newest = p.lstat().st_mtime
    if p.is_dir() and not p.is_symlink():
        for child in p.rglob("*"):
            try:
                newest = max(newest, child.lstat().st_mtime)
            except OSError:
                pass
    return newest


def find_leftovers(paths: DataPaths, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER) -> list[Path]:
    cutoff = now.timestamp() - stale_after.total_seconds()
    found: list[Path] = []
    for folder, pattern in _PATTERNS:
        base = paths.root if folder == "." else paths.root / folder
        if not base.is_dir():
            continue
        for p in base.glob(pattern):
            try:
                if _newest_mtime(p) <= cutoff:
                    found.append(p)
            except OSError:
                continue
    for item in _read_partials(paths):
        p = Path(item)
        try:
            if p.name.endswith(".part") and p.is_file() and not p.is_symlink() and p.lstat().st_mtime <= cutoff:
                found.append(p)
        except OSError:
            continue
    return found


def clean_leftovers(paths: DataPaths, now: dt.datetime, stale_after: dt.timedelta = STALE_AFTER) -> int:
    """Remove stale leftovers (see the module's docstring); returns how many went."""
    from .instance_lock import DataInUseError, data_lock

    removed = 0
    try:
        with data_lock(paths.root).exclusive(wait=0.5, what="working"):
            for p in find_leftovers(paths, now, stale_after):
                try:
                    if p.is_dir() and not p.is_symlink():
                        shutil.rmtree(p)
                    else:
                        p.unlink()
                    removed += 1
                except OSError:
                    continue
            left = [i for i in _read_partials(paths) if Path(i).exists()]
            _write_partials(paths, left)
    except (DataInUseError, OSError):
        return removed  # another CertPath is at work: its files are not stale; next time
    if removed:
        log.info("removed %d leftover %s of interrupted work", removed, "file" if removed == 1 else "files")
    return removed


