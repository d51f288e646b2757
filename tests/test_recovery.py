"""A damaged data file never crashes start-up: it is moved aside and a backup or a fresh start offered."""

import datetime as dt
import sqlite3

import pytest

from core import backup
from core.db import NewerVersionError, open_database
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
