"""Automatic backups (daily, before migrations, rotation), full archives, and restoring them."""

import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from sqlite_utils import Database

from core import backup
from core.db import APPLICATION_ID, open_database
from core.migrations import MIGRATIONS
from core.paths import DataPaths
from core.store import Store

NOW = dt.datetime(2026, 11, 21, 9, 30, 0)


@pytest.fixture
def paths(data_dir):
    return DataPaths(data_dir).ensure()


def _put_vault(paths, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    d = paths.vault / sha[:2]
    d.mkdir(parents=True, exist_ok=True)
    (d / sha).write_bytes(data)
    return sha


def _attach(paths, db, pid, data: bytes, tmp_path, name="diploma.pdf") -> str:
    from core.vault import Vault

    src = tmp_path / name
    src.write_bytes(data)
    return Vault(db, paths).attach(pid, "bls.card", src, NOW.date()).document.sha256


def _names(paths):
    return sorted(p.name for p in paths.backups.iterdir())


def test_auto_backup_once_a_day_and_is_a_checked_copy(paths):
    db = open_database(paths.db)
    Store(db).create_profile("Ana", "other", [])
    made = backup.auto_backup(paths, NOW.date(), conn=db.conn)
    assert made.name == "certpath-2026-11-21.sqlite3"
    assert backup.auto_backup(paths, NOW.date(), conn=db.conn) is None  # at most once a day
    backup.verify_database(made)
    copy = Database(sqlite3.connect(str(made)))
    assert copy.execute("SELECT name FROM profiles").fetchall() == [("Ana",)]
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    copy.close()
    db.close()


def test_rotation_keeps_7_daily_and_4_weekly(paths):
    db = open_database(paths.db)
    today = dt.date(2026, 11, 21)
    for i in range(60):  # 60 days of starts
        backup.auto_backup(paths, today - dt.timedelta(days=59 - i), conn=db.conn)
    db.close()
    kept = backup.list_backups(paths)
    days = sorted(b.date for b in kept)
    assert len(kept) == 11
    assert days[-7:] == [today - dt.timedelta(days=d) for d in range(6, -1, -1)]
    weekly = days[:-7]
    weeks = {d.isocalendar()[:2] for d in weekly}
    assert len(weeks) == 4
    recent_weeks = {d.isocalendar()[:2] for d in days[-7:]}
    assert not weeks & recent_weeks
    assert all(today - d < dt.timedelta(days=7 + 5 * 7) for d in weekly)


def test_before_migration_backup_is_made_and_old_data_survives(paths):
    db = Database(paths.db)
    MIGRATIONS.apply(db, stop_before="m002_documents_reminders_costs")
    db.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.conn.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO profiles (name, role, tracks, created_at, updated_at) "
               "VALUES ('Old', 'other', '[]', 'x', 'x')")
    db.conn.commit()
    db.close()
    db = open_database(paths.db, before_migrate=backup.before_migrate_hook(paths, NOW.date()))
    db.close()
    pre = paths.backups / "certpath-2026-11-21-before-migration-v1.sqlite3"
    assert pre.exists()
    conn = sqlite3.connect(str(pre))
    assert conn.execute("SELECT name FROM profiles").fetchall() == [("Old",)]
    assert "documents" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()


def test_failed_pre_migration_backup_stops_the_migration(paths, monkeypatch):
    db = Database(paths.db)
    MIGRATIONS.apply(db, stop_before="m002_documents_reminders_costs")
    db.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.conn.execute("PRAGMA user_version = 1")
    db.close()

    def fail(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(backup, "snapshot_file", fail)
    with pytest.raises(OSError):
        open_database(paths.db, before_migrate=backup.before_migrate_hook(paths, NOW.date()))
    conn = sqlite3.connect(str(paths.db))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # untouched
    conn.close()


def test_full_archive_round_trip(paths, tmp_path):
    db = open_database(paths.db)
    s = Store(db)
    pid = s.create_profile("Ana", "other", ["bls"], {"bls.exam": {"exam_score": 88}})
    sha = _attach(paths, db, pid, b"%PDF scanned diploma" * 1000, tmp_path)
    _put_vault(paths, b"bytes of an interrupted attach")  # no document uses it: not backed up
    seen = []
    archive = backup.create_archive(paths, tmp_path / "out" / "full.zip", now=NOW, conn=db.conn,
                                    progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["format"] == "certpath-backup/1"
        for name, meta in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == meta["sha256"]
    assert names == {"certpath.sqlite3", f"vault/{sha[:2]}/{sha}", "manifest.json"}
    # lose everything, then restore
    s.delete_profile(pid)
    db.close()
    (paths.vault / sha[:2] / sha).unlink()
    result = backup.restore_archive(paths, archive, now=NOW)
    assert result.vault_files == 1
    assert result.previous is not None and result.previous.exists()
    assert (paths.vault / sha[:2] / sha).read_bytes() == b"%PDF scanned diploma" * 1000
    db = open_database(paths.db)
    assert Store(db).step_facts(pid, "bls.exam") == {"exam_score": 88}
    db.close()
    # the replaced data (without Ana) was kept
    conn = sqlite3.connect(str(result.previous))
    assert conn.execute("SELECT count(*) FROM profiles").fetchone()[0] == 0
    conn.close()
    assert not [p for p in paths.root.iterdir() if p.name.startswith(".restore")]


def test_restore_a_chosen_automatic_backup(paths):
    db = open_database(paths.db)
    s = Store(db)
    s.create_profile("Before", "other", [])
    b = backup.auto_backup(paths, NOW.date(), conn=db.conn)
    s.create_profile("After", "other", [])
    db.close()
    result = backup.restore_backup(paths, b, now=NOW)
    db = open_database(paths.db)
    assert [p["name"] for p in Store(db).list_profiles()] == ["Before"]
    db.close()
    conn = sqlite3.connect(str(result.previous))
    assert [r[0] for r in conn.execute("SELECT name FROM profiles ORDER BY id")] == ["Before", "After"]
    conn.close()
    assert b.exists()  # the chosen backup is still there


def test_restore_refuses_a_damaged_backup_and_changes_nothing(paths, tmp_path):
    db = open_database(paths.db)
    Store(db).create_profile("Keep", "other", [])
    db.close()
    bad = paths.backups / "certpath-2026-11-20.sqlite3"
    paths.backups.mkdir(exist_ok=True)
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 500)
    before = paths.db.read_bytes()
    with pytest.raises(backup.RestoreRefused):
        backup.restore_backup(paths, bad, now=NOW)
    assert paths.db.read_bytes() == before
    assert backup.newest_good_backup(paths) is None


def test_create_archive_without_data_is_a_clear_error(paths, tmp_path):
    with pytest.raises(backup.BackupError, match="no data"):
        backup.create_archive(paths, tmp_path / "x.zip", now=NOW)
    assert not (tmp_path / "x.zip").exists()


def test_file_menu_backup_and_restore_reopens_the_data(qtbot, data_dir, today, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gui import backup_ui
    from gui.main_window import MainWindow
    from gui.shell import open_session

    messages = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: messages.append(a[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: messages.append(a[2]))
    session = open_session(data_dir, today, demo=False, now=NOW)
    session.switch(session.store.create_profile("Ana", "other", []))
    win = MainWindow(session)
    qtbot.addWidget(win)
    actions = getattr(win, "_backup_actions", None) or backup_ui.attach(win)
    texts = [a.text() for m in win.menuBar().actions() if m.menu() for a in m.menu().actions()]
    assert "&Back up everything…" in texts and "&Restore from a backup…" in texts
    archive = actions.back_up(str(tmp_path / "mine"))
    assert archive.name == "mine.zip" and archive.exists()
    session.store.create_profile("Added later", "other", [])
    # a refused archive: nothing changes and the data stays open
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"nope")
    assert not actions.restore_from("archive", junk, confirm=False)
    assert "Nothing was changed" in messages[-1]
    assert len(session.profiles()) == 2
    # the real one: restored, reopened in the same window
    assert actions.restore_from("archive", archive, confirm=False)
    assert [p["name"] for p in win.session.profiles()] == ["Ana"]
    assert "reopened" in messages[-1]
    win.close()
    win.session.store.db.close()


def test_the_file_menu_item_asks_where_to_back_up(qtbot, data_dir, today, tmp_path, monkeypatch):
    """Triggering File > Back up everything… opens the save dialog (the menu's `triggered(bool)`
    once reached back_up as its destination: `dest=False`, no dialog, no backup)."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from gui import backup_ui
    from gui.main_window import MainWindow
    from gui.shell import open_session

    asked = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (asked.append(a[2]) or str(tmp_path / "menu"), ""))
    session = open_session(data_dir, today, demo=False, now=NOW)
    session.switch(session.store.create_profile("Ana", "other", []))
    win = MainWindow(session)
    qtbot.addWidget(win)
    actions = getattr(win, "_backup_actions", None) or backup_ui.attach(win)
    actions.act_backup.trigger()
    assert asked and asked[0].endswith(".zip")
    assert (tmp_path / "menu.zip").exists()
    win.close()
    win.session.store.db.close()


def test_restore_in_the_window_leaves_sqlite_utils_on_the_open_connection(qtbot, data_dir, today, tmp_path,
                                                                         monkeypatch):
    """After File > Restore every part of the window's Database works, sqlite-utils included
    (it was left on the closed connection: "Cannot operate on a closed database")."""
    from PySide6.QtWidgets import QMessageBox

    from gui import backup_ui
    from gui.main_window import MainWindow
    from gui.shell import open_session

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    session = open_session(data_dir, today, demo=False, now=NOW)
    session.switch(session.store.create_profile("Ana", "other", []))
    win = MainWindow(session)
    qtbot.addWidget(win)
    db = session.store.db
    assert db["profiles"].count == 1  # sqlite-utils is in use before the restore
    actions = getattr(win, "_backup_actions", None) or backup_ui.attach(win)
    archive = actions.back_up(str(tmp_path / "mine.zip"))
    session.store.create_profile("Later", "other", [])
    assert actions.restore_from("archive", archive, confirm=False)
    assert win.session.store.db is db  # the same object, reopened
    assert db["profiles"].count == 1
    assert "profiles" in db.table_names()
    win.close()
    db.close()


# -- issue 16: every archive the app writes restores; what it may hold ---------------------------------
def _many_documents(paths, n: int) -> None:
    """A data folder with `n` documents (tiny, distinct vault files), made cheaply: rows in one
    transaction, files written directly (what `Vault.attach` leaves, without n fsyncs)."""
    db = open_database(paths.db)
    pid = Store(db).create_profile("Many", "other", ["bls"])
    import os

    rows = []
    for i in range(256):
        (paths.vault / f"{i:02x}").mkdir(parents=True, exist_ok=True)
    for i in range(n):
        data = f"document {i}".encode()
        sha = hashlib.sha256(data).hexdigest()
        fd = os.open(paths.vault / sha[:2] / sha, os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, data)
        os.close(fd)
        rows.append((sha, len(data), f"doc {i}.pdf"))
    with db.atomic():
        db.conn.executemany("INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, 'x')",
                            [(sha, size) for sha, size, _ in rows])
        db.conn.executemany(
            "INSERT INTO documents (profile_id, step_id, sha256, original_name, size, added_at) "
            "VALUES (?, 'bls.card', ?, ?, ?, '2026-11-21')", [(pid, sha, name, size) for sha, size, name in rows])
    db.close()


def _round_trip_many(paths, tmp_path, n):
    import shutil

    _many_documents(paths, n)
    archive = backup.create_archive(paths, tmp_path / "full.zip", now=NOW)
    with zipfile.ZipFile(archive) as zf:
        assert len(zf.infolist()) == n + 2
    shutil.rmtree(paths.vault)
    result = backup.restore_archive(paths, archive, now=NOW)
    assert result.vault_files == n
    assert sum(1 for _ in paths.vault.glob("??/*")) == n
    db = open_database(paths.db)
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == n
    db.close()


def test_a_full_backup_of_10000_documents_restores(paths, tmp_path):
    _round_trip_many(paths, tmp_path, 10_000)


@pytest.mark.slow
def test_a_full_backup_of_50000_documents_restores(paths, tmp_path):
    _round_trip_many(paths, tmp_path, 50_000)


def _rezip(src, dest, *, drop_table=None, extra=None):
    """Rewrite a real archive: its database without a table, or with more vault entries."""
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
        manifest = json.loads(zf.read("manifest.json"))
    if drop_table:
        tmp = dest.with_suffix(".sqlite3")
        tmp.write_bytes(members["certpath.sqlite3"])
        conn = sqlite3.connect(str(tmp))
        conn.execute(f"DROP TABLE {drop_table}")
        conn.commit()
        conn.close()
        members["certpath.sqlite3"] = tmp.read_bytes()
    for data in extra or ():
        sha = hashlib.sha256(data).hexdigest()
        members[f"vault/{sha[:2]}/{sha}"] = data
    manifest["files"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in members.items()}
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in members.items():
            zf.writestr(n, d)
        zf.writestr("manifest.json", json.dumps(manifest))
    return dest


def _tree(root):
    """What a refusal must leave as it was (lock files and an empty -wal/-shm, which SQLite
    removes when the last connection closes, hold no data)."""
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))
            if not p.name.startswith(".certpath.")
            and not (p.name.endswith(("-wal", "-shm")) and p.stat().st_size == 0)}


def test_an_archive_whose_database_lacks_a_table_is_refused_before_the_swap(paths, tmp_path):
    db = open_database(paths.db)
    Store(db).create_profile("Mine", "other", [])
    db.close()
    good = backup.create_archive(paths, tmp_path / "good.zip", now=NOW)
    bad = _rezip(good, tmp_path / "no-facts.zip", drop_table="facts")
    before = _tree(paths.root)
    with pytest.raises(backup.RestoreRefused, match="“facts” is missing"):
        backup.restore_archive(paths, bad, now=NOW)
    assert _tree(paths.root) == before
    db = open_database(paths.db)  # the user is not locked out
    assert [p["name"] for p in Store(db).list_profiles()] == ["Mine"]
    db.close()


def test_an_archive_with_files_its_database_does_not_use_is_refused(paths, tmp_path):
    db = open_database(paths.db)
    pid = Store(db).create_profile("Mine", "other", [])
    _attach(paths, db, pid, b"my diploma", tmp_path)
    db.close()
    good = backup.create_archive(paths, tmp_path / "good.zip", now=NOW)
    bad = _rezip(good, tmp_path / "planted.zip", extra=[b"\0" * 1000 + bytes([i]) for i in range(10)])
    before = _tree(paths.root)
    with pytest.raises(backup.RestoreRefused, match="10 files that its data does not use"):
        backup.restore_archive(paths, bad, now=NOW)
    assert _tree(paths.root) == before  # nothing planted in vault/


def test_manifest_sizes_must_match_the_archive(paths, tmp_path):
    db = open_database(paths.db)
    pid = Store(db).create_profile("Mine", "other", [])
    sha = _attach(paths, db, pid, b"my diploma", tmp_path)
    db.close()
    good = backup.create_archive(paths, tmp_path / "good.zip", now=NOW)
    with zipfile.ZipFile(good) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    manifest["files"][f"vault/{sha[:2]}/{sha}"]["size"] = 3
    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)
        zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(backup.RestoreRefused, match="in its manifest"):
        backup.restore_archive(paths, liar, now=NOW)


def test_a_partial_backup_is_private_and_removed_on_failure(paths, tmp_path, monkeypatch):
    import os
    import stat as st

    db = open_database(paths.db)
    pid = Store(db).create_profile("Mine", "other", [])
    _attach(paths, db, pid, b"my diploma", tmp_path)
    db.close()
    seen = {}

    def boom(done, total):
        part = tmp_path / "x.zip.part"
        seen["mode"] = st.S_IMODE(os.stat(part).st_mode)
        raise OSError(28, "No space left on device")

    with pytest.raises(backup.BackupError, match="the disk is full; nothing was saved"):
        backup.create_archive(paths, tmp_path / "x.zip", now=NOW, progress=boom)
    assert seen["mode"] == 0o600
    assert not (tmp_path / "x.zip.part").exists() and not (tmp_path / "x.zip").exists()
    assert not list(paths.root.glob(".backup-*"))


# -- restores while other processes write -----------------------------------------------------------
LOOP = Path(__file__).parent / "helpers" / "import_loop.py"


def _names_in(db_file):
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", db_file
        return {r[0] for r in conn.execute("SELECT name FROM profiles")}
    finally:
        conn.close()


def restore_under_writers(paths, tmp_path, *, writers=2, seconds=6.0, every=0.3):
    """Two `python -m core import` loops while a restore runs every 0.3 s (issue 16's trial).

    Returns (reported writes, writes found in the final file or a kept before-restore copy,
    restores done, integrity of the final file)."""
    import subprocess
    import sys
    import time

    db = open_database(paths.db)
    Store(db).create_profile("In the archive", "other", [])
    db.close()
    archive = backup.create_archive(paths, tmp_path / "a.zip", now=NOW)
    procs = [subprocess.Popen([sys.executable, str(LOOP), str(paths.root), f"w{k}", str(seconds)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k in range(writers)]
    restores = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(every)
        result = backup.restore_archive(paths, archive, now=dt.datetime.now())
        assert result.previous is not None
        restores += 1
    reported = set()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        reported |= {line for line in out.splitlines() if line}
    found = _names_in(paths.db)
    for kept in paths.backups.glob("certpath-*-before-restore-*.sqlite3"):
        found |= _names_in(kept)
    return reported, reported & found, restores


def test_restores_while_two_command_line_writers_write_lose_nothing(paths, tmp_path):
    reported, kept, restores = restore_under_writers(paths, tmp_path)
    assert restores >= 5 and len(reported) >= 10
    assert reported - kept == set()  # every write reported as done is in the data or a kept copy


# -- restore: never swap the file under an open connection ---------------------------------------
def test_restore_refuses_while_the_data_file_is_open(paths):
    """Before the fix the swap went ahead: the open connection kept writing into the replaced
    (unlinked) file and its deleted -wal, so everything saved afterwards was silently lost."""
    db = open_database(paths.db)
    Store(db).create_profile("Ana", "other", [])
    made = backup.auto_backup(paths, dt.date(2026, 11, 20), conn=db.conn)
    Store(db).create_profile("Still open", "other", [])
    before = sorted(p.name for p in paths.root.rglob("*"))
    try:
        with pytest.raises(backup.BackupError, match="in use"):
            backup.restore_backup(paths, made, now=NOW)
        assert sorted(p.name for p in paths.root.rglob("*")) == before
        assert [p["name"] for p in Store(db).list_profiles()] == ["Ana", "Still open"]
    finally:
        db.close()
    backup.restore_backup(paths, made, now=NOW)  # closed: fine


def test_two_restores_in_the_same_second_keep_both_previous_files(paths):
    """Before the fix the second 'before-restore' copy overwrote the first one (same name)."""
    db = open_database(paths.db)
    s = Store(db)
    s.create_profile("Original", "other", [])
    b1 = backup.auto_backup(paths, dt.date(2026, 11, 19), conn=db.conn)
    db.close()
    backup.restore_backup(paths, b1, now=NOW)
    db = open_database(paths.db)
    Store(db).create_profile("Second", "other", [])
    db.close()
    backup.restore_backup(paths, b1, now=NOW)  # the same second (or a clock that went back)
    kept = [b for b in backup.list_backups(paths) if b.kind == "before-restore"]
    assert len(kept) == 2
    names = set()
    for b in kept:
        con = sqlite3.connect(str(b.path))
        names.add(tuple(r[0] for r in con.execute("SELECT name FROM profiles ORDER BY id")))
        con.close()
    assert ("Original", "Second") in names


def _with_profile(paths) -> None:
    db = open_database(paths.db)
    Store(db).create_profile("Ana", "other", [])
    db.close()


# -- ZIP timestamps: a clock before 1980 -----------------------------------------------------------
def test_full_backup_with_a_clock_before_1980(paths, tmp_path):
    """A dead CMOS battery resets the clock to 1970: the backup must still be written."""
    _with_profile(paths)
    out = backup.create_archive(paths, tmp_path / "b.zip", now=dt.datetime(1970, 1, 1, 0, 0, 5))
    assert backup.inspect_archive(out).vault_count == 0


def _cache_text(paths):
    return (paths.root / "cache" / "roster.json").read_bytes().decode("utf-8", "replace")  # (numbers after the text)


def _cache_entries(paths):
    from core.roster_cache import read_file

    return read_file(paths.root / "cache" / "roster.json")[1]["keys"]


def _team_with_cache(paths, today):
    from core import roster as R
    from core.roster_cache import RosterCache

    db = open_database(paths.db)
    s = Store(db)
    s.create_profile("Kept", "nurse_picu", ["pals"],
                     {"pals.card": {"issue_date": "2025-01-10"}, "pals.enroll": {"body": "aha"}})
    return db, s, R, RosterCache


@pytest.mark.parametrize("kind", ["automatic", "archive"])
def test_a_restore_prunes_the_roster_cache_of_people_only_the_replaced_file_had(paths, tmp_path, kind):
    """The restore's own path (core.backup._swap_in, which the GUI and the command line reach)
    cuts cache/roster.json to the restored file's profiles: the replaced file's person's card
    dates and eCard code leave it now, not at the next full read of the team."""
    today = dt.date(2026, 11, 21)
    db, s, R, RosterCache = _team_with_cache(paths, today)
    if kind == "automatic":
        made = backup.auto_backup(paths, today, conn=db.conn)
    else:
        made = backup.create_archive(paths, tmp_path / "full.zip", now=NOW, conn=db.conn)
    s.create_profile("Only replaced", "nurse_picu", ["pals"],
                     {"pals.card": {"issue_date": "2025-07-07", "ecard_code": "ECARD-GONE-42"},
                      "pals.enroll": {"body": "aha"}})
    R.build_roster(s, today, cache=RosterCache.of_store(s))
    assert "ECARD-GONE-42" in _cache_text(paths) and len(_cache_entries(paths)) == 2
    db.close()
    if kind == "automatic":
        backup.restore_backup(paths, made, now=NOW)
    else:
        backup.restore_archive(paths, made, now=NOW)
    text = _cache_text(paths)
    assert "ECARD-GONE-42" not in text and "2025-07-07" not in text
    assert len(_cache_entries(paths)) == 1
    db = open_database(paths.db)
    s = Store(db)
    again = R.build_roster(s, today, cache=RosterCache.of_store(s))
    assert again.evaluated == 0  # the restored person's entry is still used
    assert [r.name for r in again.rows] == ["Kept"]
    db.close()


@pytest.mark.parametrize("trouble", ["unwritable", "unreadable"])
def test_a_restore_removes_a_roster_cache_it_cannot_prune(paths, monkeypatch, trouble):
    today = dt.date(2026, 11, 21)
    db, s, R, RosterCache = _team_with_cache(paths, today)
    made = backup.auto_backup(paths, today, conn=db.conn)
    s.create_profile("Only replaced", "nurse_picu", ["pals"], {"pals.card": {"issue_date": "2025-07-07"}})
    R.build_roster(s, today, cache=RosterCache.of_store(s))
    db.close()
    cache_file = paths.root / "cache" / "roster.json"
    if trouble == "unwritable":
        def refuse(*_a, **_k):
            raise PermissionError("read-only")

        monkeypatch.setattr("core.paths.write_private_atomic", refuse)
    else:
        cache_file.write_text("{not json")
    backup.restore_backup(paths, made, now=NOW)  # the restore itself succeeds
    assert not cache_file.exists()
    db = open_database(paths.db)
    assert [p["name"] for p in Store(db).list_profiles()] == ["Kept"]
    db.close()


def test_the_command_lines_restore_prunes_the_roster_cache(paths, tmp_path, capsys):
    from core.cli import main

    today = dt.date(2026, 11, 21)
    db, s, R, RosterCache = _team_with_cache(paths, today)
    made = backup.create_archive(paths, tmp_path / "full.zip", now=NOW, conn=db.conn)
    s.create_profile("Only replaced", "nurse_picu", ["pals"],
                     {"pals.card": {"issue_date": "2025-07-07", "ecard_code": "ECARD-GONE-42"}})
    R.build_roster(s, today, cache=RosterCache.of_store(s))
    db.close()
    assert "ECARD-GONE-42" in _cache_text(paths)
    assert main(["backup", "restore", str(made), "--data-dir", str(paths.root)]) == 0
    assert "ECARD-GONE-42" not in _cache_text(paths) and len(_cache_entries(paths)) == 1


def test_the_restore_question_says_dates_as_the_gui_shows_them(qtbot, data_dir, today, tmp_path, monkeypatch):
    """'Replace your current data with the full backup mine.zip (made 2026-11-21T09:30:00, …)?' and
    the backup list's '2026-11-21': ISO text in a window that shows dates as '21 Nov 2026'."""
    from PySide6.QtWidgets import QMessageBox

    from core.datefmt import date_text
    from gui import backup_ui
    from gui.main_window import MainWindow
    from gui.shell import open_session

    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Cancel)
    session = open_session(data_dir, today, demo=False, now=NOW)
    session.switch(session.store.create_profile("Ana", "other", ["bls"]))
    backup.auto_backup(session.paths, today, conn=session.store.db.conn)
    win = MainWindow(session)
    qtbot.addWidget(win)
    actions = getattr(win, "_backup_actions", None) or backup_ui.attach(win)
    shown = date_text(today)  # the window installed the GUI's format
    assert shown != today.isoformat()
    [auto] = backup.list_backups(session.paths)
    assert auto.label == shown
    assert not actions.restore_from("auto", auto.path)
    assert f"the automatic backup of {shown}?" in asked[-1]
    monkeypatch.setattr(backup_ui, "_now", lambda: NOW)
    archive = backup.create_archive(session.paths, tmp_path / "mine.zip", now=NOW)
    assert not actions.restore_from("archive", archive)
    assert f"(made {date_text(NOW.date())} at 09:30, 0 document files)" in asked[-1]
    win.close()
    win.session.store.db.close()
