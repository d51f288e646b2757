import sqlite3

import pytest
from sqlite_utils import Database

from core.db import (
    APPLICATION_ID,
    NewerVersionError,
    NotADatabaseError,
    _schema_version,
    open_database,
)
from core.migrations import MIGRATIONS
from core.store import Store


def _tables(db):
    return set(db.table_names())


def test_new_file_migrates_to_latest(tmp_path):
    db = open_database(tmp_path / "d.sqlite3")
    assert MIGRATIONS.pending(db) == []
    assert {"profiles", "facts", "overrides", "settings", "documents", "reminders", "costs"} <= _tables(db)
    assert db.execute("PRAGMA user_version").fetchone()[0] == _schema_version()
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    db.close()


def test_reopen_keeps_data_and_runs_no_migration_twice(tmp_path):
    path = tmp_path / "d.sqlite3"
    db = open_database(path)
    s = Store(db)
    pid = s.create_profile("Ana", "pediatrician", ["bls", "pals"], {"pals.exam": {"score": 90}})
    s.set_override(pid, "cards.aha.ecard_issue_business_days", 3, "called the board")
    db.close()
    db = open_database(path)
    s = Store(db)
    assert s.profile(pid)["name"] == "Ana"
    assert s.profile(pid)["tracks"] == ["bls", "pals"]
    assert s.step_facts(pid, "pals.exam") == {"score": 90}
    assert s.overrides(pid)["cards.aha.ecard_issue_business_days"]["value"] == 3
    assert len(MIGRATIONS.applied(db)) == _schema_version()
    db.close()


def test_old_file_is_migrated_like_a_new_one(tmp_path):
    """A file made by the first release (only m001) reaches the same schema as a new file."""
    old = tmp_path / "old.sqlite3"
    db = Database(old)
    MIGRATIONS.apply(db, stop_before="m002_documents_reminders_costs")
    db.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.conn.execute("PRAGMA user_version = 1")
    db.close()
    backups = []
    db = open_database(old, before_migrate=lambda p, n: backups.append(n))
    new = open_database(tmp_path / "new.sqlite3")

    def schema(d):
        return sorted(r[0] for r in d.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
                                              " AND name NOT LIKE '_sqlite_migrations%'"))

    assert schema(db) == schema(new)
    assert backups == [_schema_version() - 1]


def test_newer_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "d.sqlite3"
    db = open_database(path)
    Store(db).create_profile("Ana", "other", [])
    db.conn.execute(f"PRAGMA user_version = {_schema_version() + 5}")
    db.close()
    # fold the WAL back so the bytes we compare are the whole file
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode = DELETE")
    c.close()
    before = path.read_bytes()
    with pytest.raises(NewerVersionError, match="newer version of CertPath"):
        open_database(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "d.sqlite3-wal").exists()


def test_unknown_migration_name_means_newer(tmp_path):
    path = tmp_path / "d.sqlite3"
    db = open_database(path)
    db["_sqlite_migrations"].insert({"migration_set": "certpath", "name": "m999_future", "applied_at": "x"})
    db.close()
    with pytest.raises(NewerVersionError):
        open_database(path)


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "d.sqlite3"
    open_database(path).close()

    def boom(db):
        db.execute("CREATE TABLE half_done (x)")
        db["profiles"].add_column("doomed", str)
        raise RuntimeError("disk on fire")

    import core.migration_names

    MIGRATIONS(name="m_test_boom")(boom)
    monkeypatch.setattr(core.migration_names, "MIGRATION_NAMES",
                        (*core.migration_names.MIGRATION_NAMES, "m_test_boom"))
    try:
        with pytest.raises(RuntimeError, match="disk on fire"):
            open_database(path)
        db = Database(path)
        assert "half_done" not in db.table_names()
        assert "doomed" not in db["profiles"].columns_dict
        assert "m_test_boom" in {m.name for m in MIGRATIONS.pending(db)}
        assert db.execute("PRAGMA user_version").fetchone()[0] == _schema_version() - 1
        db.close()
    finally:
        MIGRATIONS._migrations = [m for m in MIGRATIONS._migrations if m.name != "m_test_boom"]


def test_a_text_file_is_not_a_database(tmp_path):
    path = tmp_path / "d.sqlite3"
    path.write_text("hello, I am a shopping list\n" * 100)
    before = path.read_bytes()
    with pytest.raises(NotADatabaseError):
        open_database(path)
    assert path.read_bytes() == before


def test_another_programs_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "d.sqlite3"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE songs (title)")
    c.commit()
    c.close()
    with pytest.raises(NotADatabaseError, match="another program"):
        open_database(path)


def test_save_facts_is_all_or_nothing(store):
    pid = store.create_profile("Ana", "other", ["pals"])
    store.save_facts(pid, {"pals.exam": {"score": 80}})
    with pytest.raises(TypeError):
        store.save_facts(pid, {"pals.exam": {"score": 95}, "pals.card": {"bad": object()}})
    assert store.step_facts(pid, "pals.exam") == {"score": 80}
    assert store.step_facts(pid, "pals.card") == {}


def test_delete_profile_cascades_and_leaves_others(store):
    a = store.create_profile("A", "other", ["pals"], {"pals.exam": {"score": 90}})
    b = store.create_profile("B", "other", ["pals"], {"pals.exam": {"score": 88}})
    store.delete_profile(a)
    assert [p["id"] for p in store.list_profiles()] == [b]
    assert store.db.execute("SELECT count(*) FROM facts WHERE profile_id = ?", [a]).fetchone()[0] == 0
    assert store.step_facts(b, "pals.exam") == {"score": 88}


def test_data_folder_is_private(tmp_path):
    import os
    import stat
    import sys

    from core.paths import data_paths

    paths = data_paths(tmp_path / "x" / "data").ensure()
    open_database(paths.db).close()
    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(paths.root).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(paths.db).st_mode) == 0o600


def test_data_dir_resolution(tmp_path, monkeypatch):
    from core.paths import resolve_data_dir

    monkeypatch.setenv("CERTPATH_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir() == (tmp_path / "env").resolve()
    assert resolve_data_dir(tmp_path / "cli") == (tmp_path / "cli").resolve()
    monkeypatch.delenv("CERTPATH_DATA_DIR")
    assert resolve_data_dir().name == "CertPath"


def test_migration_names_index_matches_the_migrations():
    from core.migration_names import MIGRATION_NAMES

    assert MIGRATION_NAMES == tuple(m.name for m in MIGRATIONS._migrations)


def test_opening_an_up_to_date_file_does_not_import_sqlite_utils(tmp_path):
    import subprocess
    import sys

    open_database(tmp_path / "d.sqlite3").close()
    code = ("import sys; from core.db import open_database; from core.store import Store\n"
            f"db = open_database({str(tmp_path / 'd.sqlite3')!r}); Store(db).list_profiles()\n"
            "print('sqlite_utils' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_database_handle_delegates_to_sqlite_utils(tmp_path):
    db = open_database(tmp_path / "d.sqlite3")
    Store(db).create_profile("Ana", "other", [])
    assert "profiles" in db.table_names()
    assert db["profiles"].count == 1
    with db.atomic():
        with db.atomic():  # nested: a savepoint
            db.execute("UPDATE profiles SET name = 'Bo'")
    assert db.execute("SELECT name FROM profiles").fetchone()[0] == "Bo"
    db.close()


def test_m002_file_migrates_to_reminder_revisions(tmp_path):
    """A file of the documents/reminders release (m001 + m002) gains the reminder revision columns."""
    import datetime as dt

    from core import reminders as rem

    old = tmp_path / "m002.sqlite3"
    db = Database(old)
    MIGRATIONS.apply(db, stop_before="m003_reminder_revision")
    db.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.conn.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO profiles (name, role, tracks, created_at, updated_at) "
               "VALUES ('Old', 'other', '[]', 'x', 'x')")
    db.execute("INSERT INTO reminders (profile_id, source_key, title, step_id, due, stages, snoozed_until, "
               "user_task, created_at) VALUES (1, 'task:1', 'Check the portal', NULL, '2026-12-01', '[3]', "
               "'2026-11-25', 1, '2026-10-02T08:00:00+00:00')")
    db.conn.commit()
    db.close()
    backups = []
    db = open_database(old, before_migrate=lambda p, n: backups.append(n))
    assert backups == [_schema_version() - 2]  # m003 and every later migration
    assert MIGRATIONS.pending(db.utils if hasattr(db, "utils") else db) == []
    assert db.execute("PRAGMA user_version").fetchone()[0] == _schema_version()
    assert db.execute("SELECT revision, revised_on, uid_key FROM reminders").fetchall() == [(0, None, None)]
    store = Store(db)
    (task,) = rem.current(store, 1, dt.date(2026, 11, 21), fresh=[])
    assert (task.title, task.stages, task.snoozed_until) == ("Check the portal", (3,), dt.date(2026, 11, 25))
    assert (task.revision, task.revised_on, task.calendar_key) == (0, dt.date(2026, 10, 2), "task:1")
    rem.set_stages(store, task.id, [7], today=dt.date(2026, 11, 21))
    (task,) = rem.current(store, 1, dt.date(2026, 11, 21), fresh=[])
    assert (task.revision, task.revised_on) == (1, dt.date(2026, 11, 21))
    db.close()


def test_database_reopen_moves_every_user_to_the_new_connection(tmp_path):
    path = tmp_path / "d.sqlite3"
    db = open_database(path)
    Store(db).create_profile("Ana", "other", [])
    assert db["profiles"].count == 1  # sqlite-utils made on the first connection
    old = db.conn
    other = open_database(path)
    Store(other).create_profile("Ben", "other", [])
    other.close()
    db.reopen()
    assert db.conn is not old
    with pytest.raises(sqlite3.ProgrammingError):
        old.execute("SELECT 1")  # the old connection is closed
    assert db["profiles"].count == 2
    assert [r[0] for r in db.execute("SELECT name FROM profiles ORDER BY id")] == ["Ana", "Ben"]
    db.close()


def test_delete_profile_removes_its_vault_files_but_not_shared_ones(tmp_path):
    import datetime as dt

    from core.paths import DataPaths
    from core.store import delete_profile
    from core.vault import Vault

    paths = DataPaths(tmp_path / "data").ensure()
    db = open_database(paths.db)
    s, v = Store(db), Vault(db, paths)
    ana, ben = s.create_profile("Ana", "other", []), s.create_profile("Ben", "other", [])
    (tmp_path / "mine.pdf").write_bytes(b"only Ana's")
    (tmp_path / "shared.pdf").write_bytes(b"both")
    own = v.attach(ana, "pals.card", tmp_path / "mine.pdf", dt.date(2026, 11, 21)).document
    v.attach(ana, "pals.card", tmp_path / "shared.pdf", dt.date(2026, 11, 21))
    shared = v.attach(ben, "bls.card", tmp_path / "shared.pdf", dt.date(2026, 11, 21)).document
    viewer_copy = v.open_path(own)
    removed = delete_profile(s, paths, ana, now=dt.datetime.now())  # file times: the wall clock
    assert removed == 1
    assert [p["id"] for p in s.list_profiles()] == [ben]
    assert not v.path_of(own).exists() and v.path_of(shared).exists()
    assert not viewer_copy.exists()
    assert db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1
    db.close()


def test_database_checks_live_in_core(tmp_path):
    """The self-test's PRAGMA checks are core's: a new file passes, a file lacking a table or a
    column, or with a migration recorded out of order, is named."""
    from core.db import database_problems, schema_problems

    db = open_database(tmp_path / "d.sqlite3")
    assert database_problems(db) == []
    db.execute("DROP TABLE facts")
    assert any("“facts” is missing" in p for p in schema_problems(db.conn))
    db.close()
    db = open_database(tmp_path / "e.sqlite3")
    db.execute("ALTER TABLE reminders DROP COLUMN revision")
    assert "the table “reminders” lacks the column revision" in schema_problems(db.conn)
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_documents_reminders_costs'")
    assert any("gaps" in p for p in schema_problems(db.conn))
    db.close()
