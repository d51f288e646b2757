"""Review of core/: each test shows one bug that was found (and is now fixed)."""

import datetime as dt
import sqlite3

import pytest

from core import backup
from core.db import DatabaseError, NotADatabaseError, open_database
from core.paths import DataPaths
from core.recovery import Recovery, open_or_recover
from core.store import Store

NOW = dt.datetime(2026, 11, 21, 9, 30, 0)


@pytest.fixture
def paths(data_dir):
    return DataPaths(data_dir).ensure()


@pytest.fixture
def short_busy_timeout(monkeypatch):
    import core.db

    monkeypatch.setattr(core.db, "BUSY_TIMEOUT_MS", 50)


def _with_profile(paths) -> None:
    db = open_database(paths.db)
    Store(db).create_profile("Ana", "other", [])
    db.close()


# -- recovery: a healthy file that is merely in use is not "damaged" ------------------------------
def test_a_locked_data_file_is_not_moved_aside(paths, short_busy_timeout):
    """Another program holding the file (a second app, a sync tool) must not make it 'damaged'.

    Before the fix: 'database is locked' (an OperationalError) was reported as "not a CertPath
    data file, or it is damaged", the good file was renamed to *.damaged-* and the user was
    offered a fresh start.
    """
    _with_profile(paths)
    holder = sqlite3.connect(str(paths.db))
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseError) as exc:
            result = open_or_recover(paths, now=NOW)
            if isinstance(result, Recovery):  # the bug: treated as damage
                pytest.fail(f"a locked file was moved aside: {result.moved_to}")
        assert not isinstance(exc.value, NotADatabaseError)
        assert "in use" in str(exc.value) and "not been changed" in str(exc.value)
    finally:
        holder.rollback()
        holder.close()
    assert paths.db.exists()
    assert not list(paths.root.glob("*.damaged-*"))
    db = open_database(paths.db)
    assert [p["name"] for p in Store(db).list_profiles()] == ["Ana"]
    db.close()


def test_a_failed_migration_is_not_reported_as_damage(paths, monkeypatch):
    """A migration that fails (a constraint, a full disk) leaves the file as it was: not damaged."""
    _with_profile(paths)
    con = sqlite3.connect(str(paths.db))
    con.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_reminder_revision'")
    con.execute("PRAGMA user_version = 2")
    con.commit()
    # the column m003 adds exists already, so applying m003 fails like a buggy migration would
    con.close()
    result = None
    with pytest.raises(DatabaseError) as exc:
        result = open_or_recover(paths, now=NOW)
    assert result is None and not isinstance(exc.value, NotADatabaseError)
    assert not list(paths.root.glob("*.damaged-*")) and paths.db.exists()


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


# -- time: no clock deep inside core ---------------------------------------------------------------
def test_set_stages_and_undo_done_take_today(store, today):
    """Before the fix both fell back to date.today() deep inside core (wrong LAST-MODIFIED in a
    calendar exported for another day, and untestable)."""
    import core.reminders as rem

    pid = store.create_profile("Ana", "other", [])
    rid = rem.add_task(store, pid, "Check the portal", today)
    with pytest.raises(TypeError):
        rem.set_stages(store, rid, [3])  # `today` is required now
    rem.mark_done(store, rid, today)
    with pytest.raises(TypeError):
        rem.undo_done(store, rid)
    rem.set_stages(store, rid, [3], today=today)
    rem.undo_done(store, rid, today=today)


# -- names on Windows ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["CON .notes.pdf", "nul .tar.gz", "COM1 .x.txt", "CONIN$.txt", "COM¹.pdf"])
def test_reserved_windows_names_with_spaces_before_the_dot(name):
    from core.vault import safe_file_name

    out = safe_file_name(name)
    assert out.startswith("_"), out


# -- ZIP timestamps: a clock before 1980 -----------------------------------------------------------
def test_full_backup_with_a_clock_before_1980(paths, tmp_path):
    """A dead CMOS battery resets the clock to 1970: the backup must still be written."""
    _with_profile(paths)
    out = backup.create_archive(paths, tmp_path / "b.zip", now=dt.datetime(1970, 1, 1, 0, 0, 5))
    assert backup.inspect_archive(out).vault_count == 0


def test_packet_with_a_clock_before_1980(store, data_dir, tmp_path):
    from core.packets import plan_packet, write_packet
    from core.paths import data_paths
    from core.vault import Vault

    pid = store.create_profile("Ana", "other", [])
    src = tmp_path / "diploma.pdf"
    src.write_bytes(b"%PDF diploma")
    v = Vault(store.db, data_paths(data_dir))
    d = v.attach(pid, "ecfmg.school", src, dt.date(1970, 1, 1)).document
    plan = plan_packet(store, v, pid, [d.id], "A board", dt.date(1970, 1, 1))
    write_packet(store, v, plan, tmp_path / "p.zip")
    assert (tmp_path / "p.zip").is_file()


def test_deleting_a_profile_can_remove_its_scanned_documents(store, data_dir, tmp_path):
    """Before: no code path ever removed the vault files of a deleted profile (or bytes left by a
    crash between copy and commit): the scans stayed on disk for good. `remove_orphans` removes
    them (older than the grace period), and never bytes a document still uses."""
    from core.paths import data_paths
    from core.vault import Vault

    v = Vault(store.db, data_paths(data_dir))
    a = store.create_profile("Ana", "other", [])
    b = store.create_profile("Ben", "other", [])
    scan, shared = tmp_path / "passport.pdf", tmp_path / "shared.pdf"
    scan.write_bytes(b"%PDF passport scan")
    shared.write_bytes(b"%PDF shared")
    gone = v.attach(a, "ecfmg.school", scan, dt.date(2026, 11, 1)).document
    v.attach(a, "ecfmg.school", shared, dt.date(2026, 11, 1))
    kept = v.attach(b, "ecfmg.school", shared, dt.date(2026, 11, 1)).document
    (v.paths.vault / ".incoming-crashed").write_bytes(b"half a copy")
    store.delete_profile(a)
    assert v.path_of(gone).exists()  # the profile's rows went, its bytes did not
    now = dt.datetime.now(dt.UTC)
    assert v.remove_orphans(now) == 0  # just written: maybe an attach in progress
    assert v.remove_orphans(now + dt.timedelta(hours=2)) == 2
    assert not v.path_of(gone).exists() and v.verify(kept) == "ok"
    assert not list(v.paths.vault.glob(".incoming-*"))
    assert store.db.execute("SELECT sha256 FROM blobs").fetchall() == [(kept.sha256,)]
