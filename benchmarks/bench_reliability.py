"""Reliability trials with counts: kills during backup, restore and attach; writers during
restores; damaged files; hostile archives. Prints the figures (docs/data-and-privacy.md quotes them).

A script, not a test:  .venv/bin/python benchmarks/bench_reliability.py [--kills N] [--damage N]
                                                                         [--seconds S]

Every trial uses real processes and real files in a temporary folder (never your data):
- kills: `python -m core backup create`, `backup restore` and `attach` are SIGKILLed after a
  random 0.1-1.5 s (most land while the work runs: the
  command starts in about 0.3 s), N times each. Counted: data files failing `integrity_check`, restores that
  left something other than the old or the new data, a backup file at the destination that is
  not a complete archive, leftovers found after the kills, and leftovers still there after the
  next start's clean-up (core.leftovers.clean_leftovers + Vault.remove_orphans).
- writers during restores: two `python -m core import` loops while a restore runs every 0.3 s;
  counted: writes reported done, of them not found in the data or a kept before-restore copy,
  files failing `integrity_check`.
- damage: N copies of a data file, each with a random change (a byte in a stored fact, a byte
  anywhere, 4 kB of random bytes, truncation, a 0-byte file, a stray -wal); counted: outcomes
  of core.recovery.open_or_recover, crashes (any exception other than the documented ones), and
  log files holding the profile's facts.
- hostile archives: one of each kind (traversal, absolute name, symlink, duplicate, encrypted
  flag, compression bomb, lying sizes, unreferenced vault files, a database without a table,
  a newer database, not a ZIP, no manifest, too many entries); counted: refused with
  RestoreRefused and nothing written in the data folder.
POSIX only (SIGKILL).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, machine, tmpdir  # noqa: E402

sys.path.insert(0, str(ROOT))

from core import backup, resources_dir  # noqa: E402
from core.db import DatabaseError, open_database  # noqa: E402
from core.paths import DataPaths  # noqa: E402
from core.store import Store  # noqa: E402

SECRET = "Cochabamba-1990-04-12"
NOW = dt.datetime(2026, 11, 21, 9, 0, 0)
DEMO = resources_dir() / "demo" / "provider-demo.json"


def cli(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def integrity(db_file: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        try:
            return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def names(db_file: Path) -> frozenset[str]:
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return frozenset(r[0] for r in conn.execute("SELECT name FROM profiles"))
    finally:
        conn.close()


def make_folder(root: Path, docs: int = 40) -> DataPaths:
    from core.vault import Vault

    paths = DataPaths(root).ensure()
    db = open_database(paths.db)
    s = Store(db)
    pid = s.create_profile("Ana", "other", ["img", "pals"])
    s.save_facts(pid, {"img": {"birth_place": SECRET}, "usmle.step1": {"score": 245}})
    v = Vault(db, paths)
    src = root.parent / "src.bin"
    for i in range(docs):
        src.write_bytes(os.urandom(150_000) + str(i).encode())
        v.attach(pid, "pals.card", src, NOW.date())
    db.close()
    return paths


def leftovers(paths: DataPaths, dests: list[Path]) -> int:
    """Distinct files and folders an interrupted run left (a killed backup: its work folder and
    its .part; a killed attach: an .incoming- copy or vault bytes no document records)."""
    from core.leftovers import find_leftovers
    from core.vault import Vault

    found = {p.resolve() for p in find_leftovers(paths, dt.datetime.now() + dt.timedelta(days=1))}
    found |= {Path(f"{d}.part").resolve() for d in dests if Path(f"{d}.part").exists()}
    db = open_database(paths.db)
    try:
        found |= {p.resolve() for p in Vault(db, paths).orphans()}
    finally:
        db.close()
    return len(found)


def clean(paths: DataPaths) -> None:
    from core.leftovers import clean_leftovers
    from core.vault import Vault

    later = dt.datetime.now() + dt.timedelta(days=1)  # "the next start", long after the kill
    clean_leftovers(paths, later)
    db = open_database(paths.db)
    try:
        Vault(db, paths).remove_orphans(later)
    finally:
        db.close()


def kill_after(p: subprocess.Popen, rng: random.Random) -> bool:
    time.sleep(rng.uniform(0.1, 1.5))
    killed = p.poll() is None
    if killed:
        p.send_signal(signal.SIGKILL)
    p.communicate()
    return killed


def complete_archive(path: Path) -> bool:
    try:
        backup.inspect_archive(path)
        return True
    except backup.BackupError:
        return False


def trial_kills(tmp: Path, n: int, rng: random.Random) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    # backup create
    paths = make_folder(tmp / "k-backup" / "data")
    dests = []
    r = {"runs": n, "killed while running": 0, "bad data file": 0, "incomplete archive at dest": 0}
    for i in range(n):
        dest = tmp / "k-backup" / f"b{i}.zip"
        dests.append(dest)
        r["killed while running"] += kill_after(cli("backup", "create", dest, "--data-dir", paths.root), rng)
        r["bad data file"] += not integrity(paths.db)
        r["incomplete archive at dest"] += dest.exists() and not complete_archive(dest)
    r["leftovers after kills"] = leftovers(paths, dests)
    clean(paths)
    r["leftovers after next start"] = leftovers(paths, dests)
    out["backup create"] = r
    # backup restore
    paths = make_folder(tmp / "k-restore" / "data")
    archive = backup.create_archive(paths, tmp / "k-restore" / "a.zip", now=NOW)
    old = names(paths.db)
    db = open_database(paths.db)
    Store(db).create_profile("Added after the backup", "other", [])
    db.close()
    r = {"runs": n, "killed while running": 0, "bad data file": 0, "neither old nor new data": 0}
    for _ in range(n):
        before = names(paths.db)
        r["killed while running"] += kill_after(cli("backup", "restore", archive, "--data-dir", paths.root), rng)
        ok = integrity(paths.db)
        r["bad data file"] += not ok
        r["neither old nor new data"] += ok and names(paths.db) not in (before, old)
    r["leftovers after kills"] = leftovers(paths, [])
    clean(paths)
    r["leftovers after next start"] = leftovers(paths, [])
    out["backup restore"] = r
    # attach
    paths = make_folder(tmp / "k-attach" / "data", docs=0)
    src = tmp / "k-attach" / "big.pdf"
    r = {"runs": n, "killed while running": 0, "bad data file": 0}
    for i in range(n):
        src.write_bytes(os.urandom(8 * 1024 * 1024) + str(i).encode())
        r["killed while running"] += kill_after(cli("attach", 1, "pals.card", src, "--data-dir", paths.root), rng)
        r["bad data file"] += not integrity(paths.db)
    r["leftovers after kills"] = leftovers(paths, [])
    clean(paths)
    r["leftovers after next start"] = leftovers(paths, [])
    out["attach"] = r
    return out


def trial_writers(tmp: Path, seconds: float) -> dict[str, int]:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_backup import restore_under_writers  # the test's own trial, longer

    root = tmp / "w" / "data"
    paths = DataPaths(root).ensure()
    reported, kept, restores = restore_under_writers(paths, tmp / "w", seconds=seconds)
    bad = sum(not integrity(p) for p in [paths.db, *paths.backups.glob("*.sqlite3")])
    return {"restores": restores, "writes reported": len(reported), "reported writes lost": len(reported - kept),
            "files failing integrity_check": bad}


def _damage(path: Path, kind: str, rng: random.Random) -> None:
    data = bytearray(path.read_bytes())
    if kind == "byte in a fact":
        at = data.index(SECRET.encode()) + rng.randrange(len(SECRET))
        data[at] = rng.choice([0xFF, 0xC3, ord('"'), ord("}"), ord("x")])
    elif kind == "byte anywhere":
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "4 kB random":
        at = rng.randrange(max(1, len(data) - 4096))
        data[at:at + 4096] = os.urandom(4096)
    elif kind == "truncated":
        data = data[: rng.randrange(1, len(data))]
    elif kind == "0 bytes":
        data = bytearray()
    path.write_bytes(bytes(data))


def trial_damage(tmp: Path, n: int, rng: random.Random) -> dict[str, dict[str, int]]:
    from core.logs import configure_logging, log_path, shutdown_logging
    from core.recovery import Recovery, open_or_recover

    kinds = ["byte in a fact", "byte anywhere", "4 kB random", "truncated", "0 bytes", "stray -wal"]
    template = tmp / "d-template"
    tp = make_folder(template / "data", docs=2)
    db = open_database(tp.db)
    backup.auto_backup(tp, NOW.date(), conn=db.conn)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    other = tmp / "d-other.sqlite3"
    oc = sqlite3.connect(str(other))
    oc.execute("PRAGMA journal_mode = WAL")
    oc.execute("PRAGMA wal_autocheckpoint = 0")
    oc.execute("CREATE TABLE t (x)")
    oc.execute("INSERT INTO t VALUES (1)")
    oc.commit()
    stray = Path(f"{other}-wal").read_bytes()
    oc.close()
    out: dict[str, dict[str, int]] = {}
    for i in range(n):
        kind = kinds[i % len(kinds)]
        root = tmp / f"d{i}" / "data"
        shutil.copytree(template / "data", root)
        paths = DataPaths(root)
        if kind == "stray -wal":
            Path(f"{paths.db}-wal").write_bytes(stray)
        else:
            _damage(paths.db, kind, rng)
        r = out.setdefault(kind, {"trials": 0, "opened": 0, "opened with a notice": 0, "parts unreadable, named": 0,
                                  "moved aside, backup offered": 0, "refused in words": 0, "crashes": 0,
                                  "logs with facts": 0})
        r["trials"] += 1
        configure_logging(paths)
        try:
            res = open_or_recover(paths, now=NOW)
            if isinstance(res, Recovery):
                key = "parts unreadable, named" if res.kind == "contents" else "moved aside, backup offered"
                r[key] += res.backup is not None or key.startswith("parts")
            else:
                r["opened with a notice" if res.notices else "opened"] += 1
                Store(res).list_profiles()
                res.close()
        except DatabaseError:
            r["refused in words"] += 1
        except Exception:  # noqa: BLE001 - counted, that is the point
            r["crashes"] += 1
        finally:
            shutdown_logging()
        r["logs with facts"] += SECRET in log_path(paths).read_text(encoding="utf-8", errors="replace")
    return out


def _zip(path: Path, members: dict[str, bytes], manifest: dict | None = None, infos=()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in members.items():
            zf.writestr(n, d)
        for zi, d in infos:
            zf.writestr(zi, d)
        if manifest is not False:
            files = manifest or {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                                 for n, d in [*members.items(), *((zi.filename, d) for zi, d in infos)]}
            zf.writestr("manifest.json", json.dumps({"format": "certpath-backup/1", "files": files}))
    return path


def trial_hostile(tmp: Path) -> dict[str, int]:
    import stat

    paths = make_folder(tmp / "h" / "data", docs=1)
    good = backup.create_archive(paths, tmp / "h" / "good.zip", now=NOW)
    with zipfile.ZipFile(good) as zf:
        dbb = zf.read("certpath.sqlite3")
        vault = {n: zf.read(n) for n in zf.namelist() if n.startswith("vault/")}
    nofacts = tmp / "h" / "nofacts.sqlite3"
    nofacts.write_bytes(dbb)
    c = sqlite3.connect(str(nofacts))
    c.execute("DROP TABLE facts")
    c.commit()
    c.close()
    newer = tmp / "h" / "newer.sqlite3"
    newer.write_bytes(dbb)
    c = sqlite3.connect(str(newer))
    c.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('certpath', 'm999', 'x')")
    c.commit()
    c.close()
    link = zipfile.ZipInfo("vault/ab/" + "ab" * 32)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    enc = zipfile.ZipInfo("vault/cd/" + "cd" * 32)
    enc.flag_bits |= 0x1
    planted = {f"vault/{hashlib.sha256(bytes([i]) * 1000).hexdigest()[:2]}/"
               f"{hashlib.sha256(bytes([i]) * 1000).hexdigest()}": bytes([i]) * 1000 for i in range(10)}
    bomb = tmp / "h" / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("certpath.sqlite3", dbb)
        with zf.open("vault/00/" + "0" * 64, "w", force_zip64=True) as f:
            for _ in range(150):
                f.write(b"\0" * (1024 * 1024))
    lying = {"certpath.sqlite3": {"sha256": hashlib.sha256(dbb).hexdigest(), "size": len(dbb) + 1}}
    cases = {
        "traversal (../)": _zip(tmp / "h" / "t.zip", {"certpath.sqlite3": dbb, "../evil": b"x"}),
        "absolute name": _zip(tmp / "h" / "abs.zip", {"certpath.sqlite3": dbb, "/etc/evil": b"x"}),
        "symlink": _zip(tmp / "h" / "l.zip", {"certpath.sqlite3": dbb}, infos=[(link, b"/etc/passwd")]),
        "encrypted flag": _zip(tmp / "h" / "e.zip", {"certpath.sqlite3": dbb}, infos=[(enc, b"x")]),
        "compression bomb": bomb,
        "lying sizes": _zip(tmp / "h" / "ly.zip", {"certpath.sqlite3": dbb}, manifest=lying),
        "unreferenced vault files": _zip(tmp / "h" / "u.zip", {"certpath.sqlite3": dbb, **vault, **planted}),
        "database without a table": _zip(tmp / "h" / "nf.zip", {"certpath.sqlite3": nofacts.read_bytes()}),
        "newer database": _zip(tmp / "h" / "nw.zip", {"certpath.sqlite3": newer.read_bytes()}),
        "not a ZIP": (tmp / "h" / "junk.zip"),
        "no manifest": _zip(tmp / "h" / "nm.zip", {"certpath.sqlite3": dbb}, manifest=False),
    }
    cases["not a ZIP"].write_bytes(b"not a zip at all" * 10)
    import warnings

    with warnings.catch_warnings(), zipfile.ZipFile(tmp / "h" / "dup.zip", "w") as zf:
        warnings.simplefilter("ignore")
        zf.writestr("certpath.sqlite3", dbb)
        zf.writestr("certpath.sqlite3", dbb)
    cases["duplicate entry"] = tmp / "h" / "dup.zip"
    many = tmp / "h" / "many.zip"
    with zipfile.ZipFile(many, "w", zipfile.ZIP_STORED) as zf:
        for i in range(backup.MAX_ENTRIES + 1):
            zf.writestr(f"vault/00/{i:064x}", b"")
    cases["too many entries"] = many

    def tree():
        return {str(p.relative_to(paths.root)): p.read_bytes() if p.is_file() else None
                for p in sorted(paths.root.rglob("*")) if not p.name.startswith(".certpath.")
                and not (p.name.endswith(("-wal", "-shm")) and p.stat().st_size == 0)}

    r = {"archives": len(cases), "refused cleanly": 0, "restored (wrong)": 0, "other errors": 0,
         "data folder changed": 0}
    for _name, a in cases.items():
        before = tree()
        try:
            backup.restore_archive(paths, a, now=NOW)
            r["restored (wrong)"] += 1
        except backup.RestoreRefused:
            r["refused cleanly"] += 1
        except Exception:  # noqa: BLE001
            r["other errors"] += 1
        r["data folder changed"] += tree() != before
    r["the app's own archive restores"] = int(backup.restore_archive(paths, good, now=NOW).previous is not None)
    return r


def show(title: str, rows: dict) -> None:
    print(f"\n{title}")
    for k, v in rows.items():
        if isinstance(v, dict):
            print(f"  {k}: " + ", ".join(f"{a} {b}" for a, b in v.items()))
        else:
            print(f"  {k}: {v}")


def main() -> int:
    if sys.platform == "win32":
        print("bench_reliability: POSIX only (SIGKILL)")
        return 2
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20, help="kills per operation (default 20)")
    ap.add_argument("--damage", type=int, default=60, help="damaged files (default 60)")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the writers trial (default 10 s)")
    ap.add_argument("--seed", type=int, default=16)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    print(f"CertPath reliability trials on {machine()} (seed {a.seed})")
    t0 = time.monotonic()
    with tmpdir() as d:
        tmp = Path(d)
        show(f"Kills (SIGKILL after 0.1-1.5 s), {a.kills} per operation", trial_kills(tmp, a.kills, rng))
        show(f"Two import loops while a restore runs every 0.3 s, {a.seconds:g} s", trial_writers(tmp, a.seconds))
        show(f"Damaged data files, {a.damage} trials", trial_damage(tmp, a.damage, rng))
        show("Hostile archives", trial_hostile(tmp))
    print(f"\n({time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
