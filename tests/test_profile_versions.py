"""Profile versions (core/profile_versions.py, migration m008): every write to a profile, by any
path, replaces its version, so the team roster's cache, keyed by versions, is never stale; a file
whose versions cannot be trusted is read by content, as before."""

import datetime as dt
import shutil
import sqlite3

import pytest

from core import roster as R
from core import roster_cache as RC
from core.db import open_database, transaction
from core.profile_versions import TRIGGERS, triggers_intact
from core.roster_cache import RosterCache
from core.store import Store

D = dt.date
TODAY = D(2026, 11, 21)


def add(store, name, role, cards, body="aha"):
    facts = {}
    for card, issue in cards.items():
        facts[f"{card}.card"] = {"issue_date": issue}
        facts[f"{card}.enroll"] = {"body": body, "training_center": "TC 1"}
    return store.create_profile(name, role, list(cards), facts)


@pytest.fixture
def team(store):
    ids = [add(store, "Ana", "nurse_picu", {"pals": "2025-01-10", "bls": "2024-12-01"}),
           add(store, "José", "pediatrician", {"pals": "2025-06-10", "nrp": "2025-02-15"}),
           add(store, "Kim", "paramedic", {"bls": "2025-03-10"}, body="red_cross")]
    return store, ids


def versions(store):
    return dict(store.db.execute("SELECT profile_id, hex(version) FROM profile_versions").fetchall())


def plain(store, today=TODAY):
    return R.build_roster(store, today)  # every row evaluated now


def kept(store, today=TODAY):
    return R.build_roster(store, today, cache=RosterCache.of_store(store))  # as at a new start


def sql(store, statement, args=()):
    with transaction(store.db):  # as an SQLite shell would: no CertPath code around it
        store.db.execute(statement, list(args))


def test_the_migration_gives_every_profile_a_version_and_the_triggers(team):
    store, ids = team
    v = versions(store)
    assert set(v) == set(ids) and len(set(v.values())) == len(ids) and all(len(x) == 32 for x in v.values())
    assert triggers_intact(store.db.conn)
    names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(TRIGGERS) <= names


def test_an_older_file_gets_versions_for_the_profiles_it_has(data_dir):
    """A file made before m008 (its profiles written without triggers) is migrated: each profile a version."""
    from sqlite_utils import Database as UtilsDatabase

    from core.migrations import MIGRATIONS
    from core.paths import data_paths

    paths = data_paths(data_dir).ensure()
    old = UtilsDatabase(paths.db)
    MIGRATIONS.apply(old, stop_before="m008_profile_versions")
    old.execute("INSERT INTO profiles (name, role, tracks, created_at, updated_at) "
                "VALUES ('Old', 'nurse_picu', '[\"pals\"]', 'x', 'x')")
    old.execute("PRAGMA user_version = 6")
    old.conn.commit()
    old.close()
    db = open_database(paths.db)
    store = Store(db)
    assert len(versions(store)) == 1 and triggers_intact(db.conn)
    assert kept(store).rows == plain(store).rows
    db.close()


WRITES = {
    "name": lambda s, a, b: s.update_profile(a, name="Ana Bell"),
    "role": lambda s, a, b: s.update_profile(a, role="nurse_nicu"),
    "tracks": lambda s, a, b: s.update_profile(a, tracks=["pals"]),
    "facts": lambda s, a, b: s.save_facts(a, {"pals.card": {"issue_date": "2024-09-10"}}),
    "a fact removed": lambda s, a, b: s.save_facts(a, {"bls.card": {}}),
    "a fact added": lambda s, a, b: s.save_facts(a, {"nrp.card": {"issue_date": "2025-05-05"}}),
    "override": lambda s, a, b: s.set_override(a, "cards.expiry.aha", {"method": "end_of_month", "months": 12}),
    "typical cards override": lambda s, a, b: s.set_override(a, "roles.typical_cards", {"nurse_picu": ["nrp"]}),
    "sql: facts updated": lambda s, a, b: sql(
        s, "UPDATE facts SET data = '{\"issue_date\": \"2024-08-01\"}' WHERE profile_id = ? AND key = 'pals.card'", [a]),
    "sql: facts deleted": lambda s, a, b: sql(s, "DELETE FROM facts WHERE profile_id = ?", [a]),
    "sql: a fact inserted": lambda s, a, b: sql(
        s, "INSERT INTO facts (profile_id, key, data, updated_at) VALUES (?, 'nrp.card', "
           "'{\"issue_date\": \"2025-04-04\"}', 'x')", [a]),
    "sql: a fact replaced": lambda s, a, b: sql(
        s, "INSERT OR REPLACE INTO facts (profile_id, key, data, updated_at) VALUES (?, 'pals.card', "
           "'{\"issue_date\": \"2024-07-07\"}', 'x')", [a]),
    "sql: a fact moved to another profile": lambda s, a, b: sql(
        s, "UPDATE facts SET profile_id = ? WHERE profile_id = ? AND key = 'bls.card'", [b, a]),
    "sql: an override inserted": lambda s, a, b: sql(
        s, "INSERT INTO overrides (profile_id, rule_id, value, created_at) VALUES "
           "(?, 'cards.expiry.aha', '{\"method\": \"end_of_month\", \"months\": 12}', '2026-11-01')", [a]),
    "sql: the profile's id changed": lambda s, a, b: sql(
        s, "UPDATE profiles SET id = 900 WHERE id = ?", [a]),
}


@pytest.mark.parametrize("kind", list(WRITES))
def test_every_kind_of_write_replaces_the_version_and_the_roster_shows_it(team, kind):
    store, ids = team
    a, b = ids[0], ids[1]
    if kind == "sql: a fact moved to another profile" or kind == "sql: the profile's id changed":
        store.db.execute("PRAGMA foreign_keys = OFF")  # (an SQLite shell's default)
    first = kept(store)
    assert first.evaluated == len(ids)
    before = versions(store)
    WRITES[kind](store, a, b)
    after = versions(store)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert a in changed
    assert kind == "sql: a fact moved to another profile" or changed <= {a, 900}
    again = kept(store)
    assert again.rows == plain(store).rows, kind
    assert again.evaluated == len(changed & set(after))  # the others come from the cache
    assert kept(store).evaluated == 0


def test_the_command_lines_team_import_replaces_the_version(team, data_dir, tmp_path):
    from core.cli import main

    store, ids = team
    kept(store)
    before = versions(store)
    f = tmp_path / "team.csv"
    f.write_text("Name,Role,PALS issue date,PALS body\nAna,nurse_picu,2026-01-10,AHA\n", encoding="utf-8")
    assert main(["import-roster", str(f), "--data-dir", str(data_dir), "--today", TODAY.isoformat()]) == 0
    after = versions(store)
    assert after[ids[0]] != before[ids[0]] and after[ids[1]] == before[ids[1]]
    again = kept(store)
    assert again.rows == plain(store).rows and again.evaluated == 1
    assert again.row(ids[0]).cells["pals"].issued == D(2026, 1, 10)


def test_an_import_and_a_delete_give_and_take_a_version(team):
    store, ids = team
    new = store.import_document({"name": "Lee", "role": "paramedic", "tracks": ["bls"],
                                 "facts": {"bls.card": {"issue_date": "2025-01-01"}}})
    assert new in versions(store)
    store.delete_profile(new)
    assert new not in versions(store)
    assert kept(store).rows == plain(store).rows


def test_two_copies_of_one_file_never_share_a_version_for_different_contents(team, tmp_path):
    """A copy of the data file edited elsewhere, then put back beside the same cache file: the
    same edit made in both copies still gives two versions (random, not counted)."""
    store, ids = team
    kept(store)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(store.db.path, copy)
    other = sqlite3.connect(copy)
    other.execute("UPDATE facts SET data = '{\"issue_date\": \"2024-09-10\"}' WHERE profile_id = ? "
                  "AND key = 'pals.card'", [ids[0]])
    other.commit()
    theirs = dict(other.execute("SELECT profile_id, hex(version) FROM profile_versions").fetchall())
    other.close()
    store.save_facts(ids[0], {"pals.card": {"issue_date": "2025-03-03"}})
    assert theirs[ids[0]] != versions(store)[ids[0]]
    assert theirs[ids[1]] == versions(store)[ids[1]]  # untouched in both: the same content


@pytest.mark.parametrize("damage", ["a trigger dropped", "a trigger changed", "the versions dropped"])
def test_a_file_whose_triggers_are_not_as_written_is_read_by_content(team, damage):
    store, ids = team
    kept(store)
    if damage == "a trigger dropped":
        sql(store, "DROP TRIGGER profile_version_facts_update")
    elif damage == "a trigger changed":
        sql(store, "DROP TRIGGER profile_version_facts_update")
        sql(store, "CREATE TRIGGER profile_version_facts_update AFTER UPDATE ON facts BEGIN SELECT 1; END")
    else:  # (the table alone dropped, the triggers' writes fail: a damaged file, which recovery names)
        for name in TRIGGERS:
            sql(store, f"DROP TRIGGER {name}")
        sql(store, "DROP TABLE profile_versions")
    assert not triggers_intact(store.db.conn)
    sql(store, "UPDATE facts SET data = '{\"issue_date\": \"2024-09-10\"}' WHERE profile_id = ? "
               "AND key = 'pals.card'", [ids[0]])
    r = kept(store)
    assert r.evaluated == len(ids)  # keyed by content now: nothing of the version-keyed file fits
    assert r.rows == plain(store).rows and r.row(ids[0]).cells["pals"].state == R.EXPIRED_STATE
    again = kept(store)
    assert again.evaluated == 0 and again.rows == r.rows  # the content keys are kept from then on
    keys = RC.read_file(RosterCache.of_store(store).path)[1]["keys"]
    assert len(keys) == len(ids) and all(not k.startswith("v") for k in keys)


def test_a_profile_without_a_version_is_read_by_content(team):
    store, ids = team
    kept(store)
    sql(store, "DELETE FROM profile_versions WHERE profile_id = ?", [ids[1]])
    r = kept(store)
    assert r.evaluated == 1 and r.rows == plain(store).rows
    store.save_facts(ids[1], {"pals.card": {"issue_date": "2024-09-10"}})  # (no version row to replace)
    r = kept(store)
    assert r.evaluated == 1 and r.rows == plain(store).rows


def test_a_roster_from_the_cache_reads_a_document_only_as_it_was_built(team):
    """Documents of a roster built from the cache are read when asked for, and only while the
    profile's version is the row's: after a write, none (so the GUI's comparison sees a change)."""
    store, ids = team
    kept(store)
    r = kept(store)
    assert r.evaluated == 0 and r.documents.get(ids[1]) == store.all_documents([ids[1]])[0][1]
    store.save_facts(ids[0], {"pals.card": {"issue_date": "2024-09-10"}})
    assert r.documents.get(ids[0]) is None and ids[0] in r.documents


def test_statuses_completed_after_a_write_show_the_document_as_it_is_now(team):
    store, ids = team
    R.build_roster(store, TODAY - dt.timedelta(days=1), cache=RosterCache.of_store(store))
    r = kept(store)
    assert set(R.pending_rows(r)) == set(ids)
    store.save_facts(ids[0], {"pals.card": {"issue_date": "2024-09-10"}})
    store.delete_profile(ids[2])
    R.read_pending_documents(r)
    done = R.complete_statuses(r, RosterCache.of_store(store))
    assert not R.pending_rows(done)
    assert done.rows == plain(store).rows


def test_statuses_completed_in_the_worker_read_no_file_once_the_documents_are_read(team):
    """The GUI reads the pending documents on its own thread (read_pending_documents), then
    completes the statuses in its worker, which must not use the data file's connection."""
    store, ids = team
    R.build_roster(store, TODAY - dt.timedelta(days=1), cache=RosterCache.of_store(store))
    r = kept(store)
    store.save_facts(ids[0], {"pals.card": {"issue_date": "2024-09-10"}})  # written since the build
    store.delete_profile(ids[2])
    R.read_pending_documents(r)

    def no_read(_ids):
        raise AssertionError("the data file was read")

    r.documents._fetch = no_read
    done = R.complete_statuses(r, RosterCache.of_store(store))
    assert not R.pending_rows(done) and done.rows == plain(store).rows
