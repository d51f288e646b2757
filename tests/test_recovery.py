"""A damaged data file never crashes start-up: it is moved aside and a backup or a fresh start offered."""

import datetime as dt
import sqlite3

import pytest

from core import backup
from core.db import DatabaseError, NewerVersionError, NotADatabaseError, open_database
from core.paths import DataPaths
from core.recovery import Recovery, open_or_recover, restore_newest, start_fresh
from core.store import Store

NOW = dt.datetime(2026, 11, 21, 8, 15, 0)


@pytest.fixture
def paths(data_dir):
    return DataPaths(data_dir).ensure()


def _with_backup(paths):
    db = open_database(paths.db)
    Store(db).create_profile("Ana", "other", [])
    backup.auto_backup(paths, dt.date(2026, 11, 20), conn=db.conn)
    Store(db).create_profile("Later", "other", [])
    db.close()


def _corrupt_pages(path):
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data), 97):  # scribble over everything after the first page
        data[i] = 0xA5
    path.write_bytes(bytes(data))


def test_fresh_folder_opens(paths):
    db = open_or_recover(paths, now=NOW)
    assert not isinstance(db, Recovery)
    db.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "scribbled", "foreign"])
def test_damaged_file_is_moved_aside_and_backup_offered(paths, damage):
    _with_backup(paths)
    # make the data file checkpointed and self-contained, then damage it
    conn = sqlite3.connect(str(paths.db))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    if damage == "garbage":
        paths.db.write_bytes(b"this is not a database\n" * 300)
    elif damage == "truncated":
        data = paths.db.read_bytes()
        paths.db.write_bytes(data[: len(data) // 3 + 100])
    elif damage == "scribbled":
        _corrupt_pages(paths.db)
    else:
        paths.db.unlink()
        conn = sqlite3.connect(str(paths.db))
        conn.execute("CREATE TABLE other_app (x)")
        conn.commit()
        conn.close()
    damaged_bytes = paths.db.read_bytes()
    Path_wal = paths.db.with_name(paths.db.name + "-wal")
    Path_wal.write_bytes(b"stale wal")
    result = open_or_recover(paths, now=NOW)
    assert isinstance(result, Recovery), damage
    assert "moved aside" in result.problem
    # moved, never deleted: the same bytes under a timestamped name, and its -wal too
    assert result.damaged_file.name == "certpath.sqlite3.damaged-20261121-081500"
    assert result.damaged_file.read_bytes() == damaged_bytes
    assert (paths.root / "certpath.sqlite3.damaged-20261121-081500-wal").read_bytes() == b"stale wal"
    assert not paths.db.exists() and not Path_wal.exists()
    assert result.backup is not None and result.backup.date == dt.date(2026, 11, 20)
    db = restore_newest(paths, result, now=NOW)
    assert [p["name"] for p in Store(db).list_profiles()] == ["Ana"]
    db.close()


def test_no_backup_offers_a_fresh_start(paths):
    paths.db.write_bytes(b"\x00\x01garbage" * 1000)
    result = open_or_recover(paths, now=NOW)
    assert isinstance(result, Recovery) and result.backup is None
    db = start_fresh(paths)
    assert Store(db).list_profiles() == []
    db.close()
    assert result.damaged_file.exists()


def test_a_fresh_start_drops_the_damaged_files_people_from_the_roster_cache(paths):
    """The roster cache holds the old file's people (cards, eCard codes); a new empty file has none."""
    cache = paths.root / "cache" / "roster.json"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text('{"entries": {"x": {"name": "Ana", "ecard": "ABC123"}}}', encoding="utf-8")
    paths.db.write_bytes(b"\x00\x01garbage" * 1000)
    result = open_or_recover(paths, now=NOW)
    assert isinstance(result, Recovery)
    assert cache.exists()  # recovery itself changes nothing until the user chooses
    start_fresh(paths).close()
    assert not cache.exists()


def test_second_damage_the_same_second_never_overwrites(paths):
    paths.db.write_bytes(b"one" * 100)
    first = open_or_recover(paths, now=NOW)
    paths.db.write_bytes(b"two" * 100)
    second = open_or_recover(paths, now=NOW)
    assert first.damaged_file != second.damaged_file
    assert first.damaged_file.read_bytes() == b"one" * 100
    assert second.damaged_file.read_bytes() == b"two" * 100


def test_newer_version_is_refused_untouched(paths):
    db = open_database(paths.db)
    db.close()
    conn = sqlite3.connect(str(paths.db))
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    before = paths.db.read_bytes()
    with pytest.raises(NewerVersionError):
        open_or_recover(paths, now=NOW)
    assert paths.db.read_bytes() == before
    assert not list(paths.root.glob("*.damaged-*"))


def test_open_session_recovers_through_a_handler(data_dir, today):
    from gui.shell import RecoveryNeeded, open_session

    paths = DataPaths(data_dir).ensure()
    paths.db.write_bytes(b"garbage" * 500)
    seen = []

    def handler(recovery):
        seen.append(recovery)
        return start_fresh(paths)

    session = open_session(data_dir, today, demo=False, on_recovery=handler)
    assert seen and session.profiles() == []
    # and today's automatic backup was made
    assert (paths.backups / f"certpath-{today.isoformat()}.sqlite3").exists()
    session.store.db.close()
    paths.db.unlink()
    for s in ("-wal", "-shm"):
        paths.db.with_name(paths.db.name + s).unlink(missing_ok=True)
    paths.db.write_bytes(b"garbage" * 500)
    with pytest.raises(RecoveryNeeded):
        open_session(data_dir, today, demo=False)


# -- damage SQLite's checks do not see, empty files, stray -wal files (issue 16) --------------------
SECRET = "Cochabamba-1990-04-12"  # stands for the user's facts: it must never reach the log


def _with_facts(paths, backup_day=dt.date(2026, 11, 20)):
    db = open_database(paths.db)
    s = Store(db)
    pid = s.create_profile("Ana", "other", ["img"])
    s.save_facts(pid, {"img": {"birth_place": SECRET}})
    s.save_facts(pid, {"usmle.step1": {"score": 245}})
    if backup_day:
        backup.auto_backup(paths, backup_day, conn=db.conn)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return pid


def _flip_in_fact(path, how):
    data = bytearray(path.read_bytes())
    at = data.index(SECRET.encode())
    if how == "not-utf8":
        data[at + 3] = 0xFF  # a byte that is not UTF-8
    else:
        data[at - 2] = ord("x")  # the closing quote of the key: valid UTF-8, not JSON
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["not-utf8", "not-json"])
def test_a_changed_byte_in_a_fact_names_profile_and_step_and_leaks_nothing(paths, how):
    from core.logs import configure_logging, log_path, shutdown_logging
    from core.recovery import check_before_write, open_rest

    configure_logging(paths)
    try:
        pid = _with_facts(paths)
        _flip_in_fact(paths.db, how)
        from core.recovery import quick_check

        assert quick_check(paths.db) is None  # SQLite's own check does not see it
        result = open_or_recover(paths, now=NOW)
        assert isinstance(result, Recovery) and result.kind == "contents"
        assert "“Ana”" in result.problem and "img" in result.problem
        assert result.moved_to == [] and paths.db.exists()  # kept in place
        assert result.unreadable[0].profile_id == pid and result.unreadable[0].key == "img"
        assert result.backup is not None  # the newest good backup is offered
        assert check_before_write(paths) is not None  # the command line refuses to write into it
        db = open_rest(paths)  # "open the rest": every other step reads as before
        s = Store(db)
        assert s.step_facts(pid, "usmle.step1") == {"score": 245}
        assert "img" not in s.facts(pid)
        assert s.list_profiles()[0]["name"] == "Ana"
        db.close()
        db = restore_newest(paths, result, now=NOW)
        assert Store(db).step_facts(pid, "img") == {"birth_place": SECRET}
        db.close()
    finally:
        shutdown_logging()
    assert SECRET not in log_path(paths).read_text(encoding="utf-8", errors="replace")


def test_a_damaged_backup_is_not_the_newest_good_one(paths):
    _with_facts(paths, backup_day=None)
    backup.auto_backup(paths, dt.date(2026, 11, 19))
    backup.auto_backup(paths, dt.date(2026, 11, 20))
    _flip_in_fact(paths.backups / "certpath-2026-11-20.sqlite3", "not-utf8")
    assert backup.newest_good_backup(paths).date == dt.date(2026, 11, 19)


def test_a_zero_byte_file_with_backups_is_damage_not_a_first_run(paths):
    from core.recovery import check_before_write

    _with_facts(paths)
    paths.db.write_bytes(b"")
    assert "empty" in check_before_write(paths)
    result = open_or_recover(paths, now=NOW)
    assert isinstance(result, Recovery)
    assert "empty (0 bytes)" in result.problem and result.backup is not None
    assert result.damaged_file.stat().st_size == 0  # kept aside, not deleted
    db = restore_newest(paths, result, now=NOW)
    assert [p["name"] for p in Store(db).list_profiles()] == ["Ana"]
    db.close()


def test_a_zero_byte_file_without_backups_is_a_first_run(paths):
    paths.db.write_bytes(b"")
    db = open_or_recover(paths, now=NOW)
    assert not isinstance(db, Recovery)
    db.close()


def test_a_stray_wal_from_another_database_is_said_and_the_file_kept(paths):
    from core.recovery import check_before_write

    _with_facts(paths, backup_day=None)
    other = paths.root.parent / "other.sqlite3"
    conn = sqlite3.connect(str(other))
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE other_app (x)")
    conn.execute("INSERT INTO other_app VALUES (1)")
    conn.commit()
    stray = (other.parent / "other.sqlite3-wal").read_bytes()  # copied while the other one is open
    wal = paths.root / "certpath.sqlite3-wal"
    wal.write_bytes(stray)
    conn.close()
    before = paths.db.read_bytes()
    problem = check_before_write(paths)
    assert problem and "does not belong" in problem
    result = open_or_recover(paths, now=NOW)
    assert not isinstance(result, Recovery)  # the data file opens, unchanged
    assert any("does not belong" in n for n in result.notices)
    assert [p["name"] for p in Store(result).list_profiles()] == ["Ana"]
    result.close()
    kept = list(paths.root.glob("certpath.sqlite3-wal.stray-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == stray  # set aside, never deleted
    assert not list(paths.root.glob("*.damaged-*"))
    assert paths.db.read_bytes()[:100] == before[:100]


def test_a_newer_file_names_the_unknown_migration(paths):
    db = open_database(paths.db)
    with db.atomic():
        db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                   "VALUES ('certpath', 'm004_appointments', '2027-01-01')")
    db.close()
    with pytest.raises(NewerVersionError, match="m004_appointments"):
        open_or_recover(paths, now=NOW)


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
