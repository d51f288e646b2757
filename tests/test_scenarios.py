"""Named scenarios kept in the data file (core/scenarios.py), and the `whatif` and `scenarios`
commands: create, list, rename, update, delete, compare, apply with Undo, stale changes, backups,
and the profile document's `scenarios`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import resources_dir
from core.dates import add_months
from core.engine import evaluate
from core.engine.base import AT_RISK, DONE
from core.profiles import parse_document
from core.rules import load_rules
from core.scenarios import (
    ScenarioError,
    ScenarioNotFound,
    apply_scenario,
    compare_scenarios,
    create_scenario,
    delete_scenario,
    evaluate_scenario,
    export_document,
    get_scenario,
    list_scenarios,
    rename_scenario,
    restore_scenario,
    update_scenario,
)
from core.validate import ValidationError
from core.whatif import Change, WhatIfError, parse_changes, what_if
from tests.test_whatif import START, other_state, pgt_months

ROOT = Path(__file__).resolve().parent.parent
DEMO_IMG = resources_dir() / "demo" / "img-demo.json"
TODAY = dt.date(2026, 11, 21)
RULES = load_rules()


def demo(store) -> int:
    return store.import_document(parse_document(DEMO_IMG.read_bytes(), TODAY))


def test_create_list_rename_update_delete(store):
    pid = demo(store)
    tx = create_scenario(store, pid, "  TX   plan ", parse_changes(["img.target_state=TX"]), TODAY, RULES)
    assert tx.name == "TX plan" and tx.created_at == tx.updated_at
    create_scenario(store, pid, "H-1B plan", parse_changes(["img.visa_need=needs_h1b"]), TODAY, RULES)
    assert [s.name for s in list_scenarios(store, pid)] == ["H-1B plan", "TX plan"]
    with pytest.raises(ScenarioError, match="already has a scenario named “TX plan”"):
        create_scenario(store, pid, "TX plan", parse_changes(["img.target_state=NY"]), TODAY, RULES)
    with pytest.raises(ScenarioError, match="needs a name"):
        create_scenario(store, pid, "  ", parse_changes(["img.target_state=NY"]), TODAY, RULES)
    with pytest.raises(ScenarioError, match="at least one change"):
        create_scenario(store, pid, "Empty", [], TODAY, RULES)
    renamed = rename_scenario(store, pid, "TX plan", "Texas")
    assert renamed.changes == tx.changes and get_scenario(store, pid, "Texas").id == tx.id
    with pytest.raises(ScenarioError, match="already has"):
        rename_scenario(store, pid, "Texas", "H-1B plan")
    upd = update_scenario(store, pid, "Texas", parse_changes(["img.target_state=TX", "img.match_year=2028"]),
                          TODAY, RULES)
    assert [c.path for c in get_scenario(store, pid, "Texas").changes] == ["img.target_state", "img.match_year"]
    assert upd.created_at == tx.created_at
    gone = delete_scenario(store, pid, "Texas")
    with pytest.raises(ScenarioNotFound, match="this profile has: H-1B plan"):
        get_scenario(store, pid, "Texas")
    restore_scenario(store, gone)  # Undo of delete
    assert get_scenario(store, pid, "Texas").changes == upd.changes


def test_a_bad_change_is_refused_naming_it_and_nothing_is_written(store):
    pid = demo(store)
    with pytest.raises(WhatIfError) as e:
        create_scenario(store, pid, "Bad", [Change("usmle.step1.attempts[0].result_date", "2025-03-01")], TODAY, RULES)
    assert e.value.problems[0].field == "usmle.step1.attempts[0].result_date"
    with pytest.raises(WhatIfError):
        create_scenario(store, pid, "Bad", [Change("visa.route", "h1b")], TODAY, RULES)
    assert list_scenarios(store, pid) == []


def test_a_scenario_follows_later_edits_of_the_real_profile(store):
    pid = demo(store)
    create_scenario(store, pid, "TX", parse_changes(["img.target_state=TX"]), TODAY, RULES)
    first = evaluate_scenario(store, pid, "TX", TODAY, RULES)
    facts = store.step_facts(pid, "img")
    store.save_facts(pid, {"img": {**facts, "match_year": 2028}})  # the user edits the real profile
    later = evaluate_scenario(store, pid, "TX", TODAY, RULES)
    assert later.changed_doc["facts"]["img"]["match_year"] == 2028  # the edit shows in the scenario
    assert later.changed_doc["facts"]["img"]["target_state"] == "TX"
    assert later.after.step("license.state").due != first.after.step("license.state").due


def test_record_changes_follow_their_record_and_go_stale_when_it_is_gone(store):
    pid = demo(store)
    create_scenario(store, pid, "Late result", parse_changes(["usmle.step1.attempts[0].result_date=2025-04-20"]),
                    TODAY, RULES)
    (c,) = get_scenario(store, pid, "Late result").changes
    assert c.record == {"date": "2025-03-10"}  # the attempt it was made on
    # an earlier attempt is recorded in front: the change still goes to the 2025-03-10 attempt
    att = store.step_facts(pid, "usmle.step1")["attempts"]
    store.save_facts(pid, {"usmle.step1": {"attempts": [{"date": "2024-10-01", "result": "fail"}, *att]}})
    w = evaluate_scenario(store, pid, "Late result", TODAY, RULES)
    assert not w.stale
    assert [a.get("result_date") for a in w.changed_doc["facts"]["usmle.step1"]["attempts"]] == [None, "2025-04-20"]
    # the attempt is deleted: the change is stale, reported, never a crash
    store.save_facts(pid, {"usmle.step1": {"attempts": [{"date": "2024-10-01", "result": "fail"}]}})
    w = evaluate_scenario(store, pid, "Late result", TODAY, RULES)
    (s,) = w.stale
    assert s.change.path == "usmle.step1.attempts[0].result_date" and "no longer in the profile" in s.reason
    assert w.changed_doc["facts"]["usmle.step1"] == store.step_facts(pid, "usmle.step1")
    assert not w.diff
    with pytest.raises(ScenarioError, match="no longer applies.*Nothing was written"):
        apply_scenario(store, pid, "Late result", TODAY, RULES)


def test_a_value_that_no_longer_fits_is_stale(store):
    pid = demo(store)
    create_scenario(store, pid, "Plan", parse_changes(["usmle.step2ck.scheduled_date=2027-01-20",
                                                       "img.target_state=TX"]), TODAY, RULES)
    # the real eligibility window moves: the scheduled date no longer fits it
    s2 = store.step_facts(pid, "usmle.step2ck")
    store.save_facts(pid, {"usmle.step2ck": {**s2, "window_start": "2027-03-01", "scheduled_date": "2027-03-10"}})
    w = evaluate_scenario(store, pid, "Plan", TODAY, RULES)
    assert [s.change.path for s in w.stale] == ["usmle.step2ck.scheduled_date"]
    assert "outside your 3-month eligibility window" in w.stale[0].reason
    assert [c.path for c in w.applied.changes] == ["img.target_state"]  # the rest still applies
    done = apply_scenario(store, pid, "Plan", TODAY, RULES, skip_stale=True)
    assert store.step_facts(pid, "img")["target_state"] == "TX" and [s.change.path for s in done.stale] == [
        "usmle.step2ck.scheduled_date"]
    assert store.step_facts(pid, "usmle.step2ck")["scheduled_date"] == "2027-03-10"


def test_an_applied_scenario_equals_saving_the_same_facts_by_hand(store):
    a, b = demo(store), demo(store)
    changes = parse_changes(["img.target_state=TX", "usmle.step2ck.scheduled_date=2027-01-20",
                             "usmle.step1.attempts[0].result_date=2025-04-20"])
    create_scenario(store, a, "Plan", changes, TODAY, RULES)
    predicted = evaluate_scenario(store, a, "Plan", TODAY, RULES).after
    done = apply_scenario(store, a, "Plan", TODAY, RULES)
    # by hand, as the step pages would save them
    img, s2, s1 = (store.step_facts(b, k) for k in ("img", "usmle.step2ck", "usmle.step1"))
    s1["attempts"][0]["result_date"] = "2025-04-20"
    store.save_facts(b, {"img": {**img, "target_state": "TX"}, "usmle.step2ck": {**s2, "scheduled_date": "2027-01-20"},
                         "usmle.step1": s1})
    assert store.facts(a) == store.facts(b)
    ja, jb = evaluate(store.document(a), TODAY, RULES), evaluate(store.document(b), TODAY, RULES)
    assert ja.to_json() == jb.to_json() == predicted.to_json()
    assert set(done.previous) == {"img", "usmle.step2ck", "usmle.step1"}
    assert get_scenario(store, a, "Plan")  # the scenario is kept


def test_undo_restores_the_previous_facts(store):
    pid = demo(store)
    before_facts, before = store.facts(pid), evaluate(store.document(pid), TODAY, RULES).to_json()
    create_scenario(store, pid, "Plan", parse_changes(["img.visa_need=needs_h1b", "license.state.state=TX",
                                                       "match.rol.certified_date=2026-11-20"]), TODAY, RULES)
    assert "license.state" not in before_facts  # no facts yet: Undo must remove the key again
    done = apply_scenario(store, pid, "Plan", TODAY, RULES)
    assert store.step_facts(pid, "license.state") == {"state": "TX"}
    assert evaluate(store.document(pid), TODAY, RULES).to_json() != before
    done.undo()
    assert store.facts(pid) == before_facts
    assert evaluate(store.document(pid), TODAY, RULES).to_json() == before
    with pytest.raises(ScenarioError, match="nothing to undo"):
        done.undo()


def test_undo_refuses_to_overwrite_a_later_edit(store):
    pid = demo(store)
    create_scenario(store, pid, "TX", parse_changes(["img.target_state=TX"]), TODAY, RULES)
    done = apply_scenario(store, pid, "TX", TODAY, RULES)
    store.save_facts(pid, {"img": {**store.step_facts(pid, "img"), "target_state": "NY"}})
    with pytest.raises(ScenarioError, match=r"changes made since.*\(img\); nothing was written"):
        done.undo()
    assert store.step_facts(pid, "img")["target_state"] == "NY"


def test_apply_is_one_transaction(store, monkeypatch):
    """A failure while writing the second step's facts leaves the first untouched too."""
    pid = demo(store)
    create_scenario(store, pid, "Plan", parse_changes(["img.target_state=TX", "visa.ds2019_issued=2027-02-01"]),
                    TODAY, RULES)
    before = store.facts(pid)
    real = store._put_facts
    calls = []

    def put(profile_id, key, data, now):
        calls.append(key)
        if len(calls) == 2:
            raise OSError("disk full")
        real(profile_id, key, data, now)

    monkeypatch.setattr(store, "_put_facts", put)
    with pytest.raises(OSError):
        apply_scenario(store, pid, "Plan", TODAY, RULES)
    monkeypatch.undo()
    assert store.facts(pid) == before and len(calls) == 2


def test_compare_two_scenarios(store):
    pid = demo(store)
    state = other_state()
    create_scenario(store, pid, "Move", parse_changes([f"img.target_state={state}"]), TODAY, RULES)
    create_scenario(store, pid, "H-1B", parse_changes(["img.visa_need=needs_h1b"]), TODAY, RULES)
    cmp = compare_scenarios(store, pid, "Move", "H-1B", TODAY, RULES)
    doc = store.document(pid)
    moved = what_if(doc, parse_changes([f"img.target_state={state}"]), TODAY, RULES).after
    h1b = what_if(doc, parse_changes(["img.visa_need=needs_h1b"]), TODAY, RULES).after
    assert cmp.a.after.to_json() == moved.to_json() and cmp.b.after.to_json() == h1b.to_json()
    lic = cmp.diff.step("license.state")  # the other state's months against PA's (the H-1B plan keeps PA)
    assert [(c.field, c.old, c.new) for c in lic.changes] == [
        ("due", add_months(START, pgt_months(state)), add_months(START, pgt_months("PA")))]
    assert "visa" in cmp.diff.step_ids and "usmle.step3" in cmp.diff.step_ids
    out = cmp.to_json()
    assert out["a"]["changes"][0]["new"] == state and out["b"]["changes"][0]["new"] == "needs_h1b"


def test_scenarios_go_with_their_profile(store):
    pid = demo(store)
    create_scenario(store, pid, "TX", parse_changes(["img.target_state=TX"]), TODAY, RULES)
    store.delete_profile(pid)
    assert store.db.execute("SELECT count(*) FROM scenarios").fetchone()[0] == 0


# -- the profile document ------------------------------------------------------------------------

def test_export_and_import_keep_the_scenarios(store):
    pid = demo(store)
    create_scenario(store, pid, "TX", parse_changes(["img.target_state=TX"]), TODAY, RULES)
    create_scenario(store, pid, "Late", parse_changes(["usmle.step1.attempts[0].result_date=2025-04-20"]),
                    TODAY, RULES)
    doc = export_document(store, pid)
    assert [s["name"] for s in doc["scenarios"]] == ["Late", "TX"]
    assert doc["scenarios"][0]["changes"] == [{"path": "usmle.step1.attempts[0].result_date", "value": "2025-04-20",
                                               "record": {"date": "2025-03-10"}}]
    again = store.import_document(parse_document(json.dumps(doc), TODAY))
    assert [s.to_json() for s in list_scenarios(store, again)] == [s.to_json() for s in list_scenarios(store, pid)]
    assert "scenarios" not in export_document(store, demo(store))  # a profile without any: no key
    assert "scenarios" not in store.document(pid)  # evaluation reads no scenarios


@pytest.mark.parametrize("scenarios, field, words", [
    ({"name": "A"}, "scenarios", "must be a list"),
    ([{"name": "", "changes": [{"path": "img.target_state", "value": "TX"}]}], "scenarios[0].name", "non-empty"),
    ([{"name": "A", "changes": []}], "scenarios[0].changes", "non-empty list"),
    ([{"name": "A", "changes": [{"path": "visa.route", "value": "h1b"}]}], "scenarios[0].changes[0].path",
     "'route' is not a field of visa"),
    ([{"name": "A", "changes": [{"path": "img.target_state", "value": "TX", "why": 1}]}],
     "scenarios[0].changes[0].why", "not a known field"),
    ([{"name": "A", "changes": [{"path": "img.target_state"}]}, {"name": "A", "changes": [{"path": "img.target_state"}]}],
     "scenarios[1].name", "used by another scenario"),
])
def test_import_refuses_bad_scenarios_naming_them(scenarios, field, words):
    doc = json.loads(DEMO_IMG.read_text(encoding="utf-8"))
    doc["scenarios"] = scenarios
    with pytest.raises(ValidationError) as e:
        parse_document(json.dumps(doc), TODAY)
    assert any(p.field == field and words in p.message for p in e.value.problems), e.value.problems


def test_the_schema_describes_scenarios():
    from core.schema import profile_schema

    sc = profile_schema()["properties"]["scenarios"]
    assert sc["items"]["required"] == ["name", "changes"]
    assert set(sc["items"]["properties"]["changes"]["items"]["properties"]) == {"path", "value", "record", "new"}


def test_backups_hold_the_scenarios(tmp_path, store, data_dir):
    """A full backup copies the whole database (SQLite's backup API), the scenarios table too."""
    from core.backup import create_archive, restore_archive
    from core.db import open_database
    from core.paths import data_paths
    from core.store import Store

    pid = demo(store)
    create_scenario(store, pid, "TX", parse_changes(["img.target_state=TX"]), TODAY, RULES)
    archive = create_archive(data_paths(data_dir), tmp_path / "b.zip", now=dt.datetime(2026, 11, 21, 9),
                             conn=store.db.conn)
    other = data_paths(tmp_path / "other").ensure()
    restore_archive(other, archive, now=dt.datetime(2026, 11, 21, 10))
    db = open_database(other.db)
    try:
        (sc,) = list_scenarios(Store(db), pid)
        assert sc.to_json() == get_scenario(store, pid, "TX").to_json()
    finally:
        db.close()


# -- the command line ----------------------------------------------------------------------------

def core_cli(*args):
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def _doc_file(tmp_path, doc) -> Path:
    p = tmp_path / "p.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


def test_cli_whatif_rank_list_done_to_at_risk(tmp_path):
    from tests.test_whatif import ready_to_rank

    r = core_cli("whatif", _doc_file(tmp_path, ready_to_rank()), "--today", "2027-03-01",
                 "--set", "usmle.step2ck.attempts[0].date=2027-02-24")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    rol = next(s for s in out["steps"] if s["id"] == "match.rol")
    assert {"field": "status", "old": DONE, "new": AT_RISK} in rol["changes"]
    assert rol["findings_added"] and all("code" in f for f in rol["findings_added"])


def test_cli_whatif_visa_route_and_target_state(tmp_path):
    from tests.test_whatif import ready_to_rank

    doc = ready_to_rank()
    doc["facts"]["ecfmg.certificate"] = {"issued_date": "2026-11-01"}
    r = core_cli("whatif", _doc_file(tmp_path, doc), "--today", "2026-11-21", "--set", "img.visa_need=needs_h1b")
    assert r.returncode == 0, r.stderr
    steps = json.loads(r.stdout)["steps"]
    assert {s["id"] for s in steps if s["changes"]} == {"usmle.step3"}
    assert {"ecfmg.certificate", "usmle.step3", "visa"} <= {s["id"] for s in steps}
    state = other_state()
    old_due, new_due = (add_months(START, pgt_months(s)).isoformat() for s in ("PA", state))
    r = core_cli("whatif", DEMO_IMG, "--today", "2026-11-21", "--set", f"img.target_state={state}")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    lic = next(s for s in out["steps"] if s["id"] == "license.state")
    assert lic["changes"] == [{"field": "due", "old": old_due, "new": new_due}]
    assert {"step": "license.state", "kind": "due", "old": old_due, "new": new_due} in out["moved"]


@pytest.mark.parametrize("sets, words", [
    (["visa.route=h1b"], "visa.route: 'route' is not a field of visa"),
    (["usmle.step2ck.attempts[3].result_date=2026-10-10"], "usmle.step2ck.attempts[3]"),
    (["img.target_state=Atlantis"], "img.target_state: State where you want your licence: 'Atlantis'"),
    (["usmle.step1.attempts[0].result_date=2025-03-01"], "usmle.step1.attempts[0].result_date: the result"),
    ([], "give at least one change"),
])
def test_cli_whatif_bad_paths_and_values_exit_2(sets, words):
    args = [a for s in sets for a in ("--set", s)]
    r = core_cli("whatif", DEMO_IMG, "--today", "2026-11-21", *args)
    assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.stdout == ""


def test_cli_scenarios(tmp_path):
    d = tmp_path / "data"
    assert core_cli("import", DEMO_IMG, "--data-dir", d).stdout.strip() == "1"
    base = ("--data-dir", d, "--today", "2026-11-21")
    r = core_cli("scenarios", 1, "create", "TX plan", "--set", "img.target_state=TX", *base)
    assert r.returncode == 0 and "Saved the scenario “TX plan”" in r.stdout, r.stderr
    r = core_cli("scenarios", 1, "create", "H-1B plan", "--set", "img.visa_need=needs_h1b", *base)
    assert r.returncode == 0, r.stderr
    r = core_cli("scenarios", 1, *base)
    assert [line.split("\t")[0] for line in r.stdout.splitlines()] == ["H-1B plan", "TX plan"]
    r = core_cli("scenarios", 1, "show", "TX plan", *base)
    out = json.loads(r.stdout)
    assert out["scenario"] == "TX plan" and "license.state" in [s["id"] for s in out["steps"]]
    r = core_cli("scenarios", 1, "compare", "TX plan", "H-1B plan", *base)
    assert r.returncode == 0 and json.loads(r.stdout)["format"] == "certpath-scenario-comparison/1"
    r = core_cli("export", 1, "--data-dir", d)
    assert [s["name"] for s in json.loads(r.stdout)["scenarios"]] == ["H-1B plan", "TX plan"]
    r = core_cli("scenarios", 1, "apply", "TX plan", *base)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["previous"]["img"]["target_state"] == "PA"
    assert json.loads(core_cli("export", 1, "--data-dir", d).stdout)["facts"]["img"]["target_state"] == "TX"
    r = core_cli("scenarios", 1, "delete", "TX plan", *base)
    assert r.returncode == 0 and "Deleted" in r.stdout
    # refusals: exit 2 naming what is wrong, nothing written
    for args, words in ((("show", "TX plan"), "no scenario named “TX plan”"),
                        (("create", "X", "--set", "visa.route=h1b"), "visa.route"),
                        (("create", "H-1B plan", "--set", "img.target_state=NY"), "already has"),
                        (("compare", "H-1B plan"), "two scenario names"),
                        (("delete", "H-1B plan", "--set", "img.target_state=NY"), "--set is for create")):
        r = core_cli("scenarios", 1, *args, *base)
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    r = core_cli("scenarios", 9, *base)
    assert r.returncode == 2 and "no profile with id 9" in r.stderr
    assert [line.split("\t")[0] for line in core_cli("scenarios", 1, *base).stdout.splitlines()] == ["H-1B plan"]


def test_scenario_writes_wait_for_the_data_folder_lock(tmp_path):
    from core.instance_lock import InstanceLock

    d = tmp_path / "data"
    assert core_cli("import", DEMO_IMG, "--data-dir", d).returncode == 0
    with InstanceLock(d):
        r = core_cli("scenarios", 1, "create", "TX", "--set", "img.target_state=TX", "--data-dir", d)
        assert r.returncode == 4 and "already open" in r.stderr
        assert core_cli("scenarios", 1, "--data-dir", d).returncode == 0  # reading is fine
    assert core_cli("scenarios", 1, "--data-dir", d).stdout == ""


def test_odd_stored_changes_are_stale_never_a_crash(store):
    """A scenario imported from a document (values are checked when it is evaluated) or a row
    written by hand: wrong kinds of values, a record index that does not exist, a path of a field
    this version no longer has."""
    pid = demo(store)
    odd = [{"path": "img.target_state", "value": {"x": 1}},
           {"path": "usmle.step1.attempts[0].result_date", "value": 20250420},
           {"path": "usmle.step1.attempts[7].result_date", "value": "2025-04-20"},
           {"path": "match.eras.documents[0]", "value": "not a record"},
           {"path": "img.match_year", "value": 2028}]
    store.db.execute("INSERT INTO scenarios (profile_id, name, changes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                     [pid, "Odd", json.dumps(odd + [{"path": "img.no_longer_a_field", "value": 1}]), "x", "x"])
    store.db.execute("INSERT INTO scenarios (profile_id, name, changes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                     [pid, "Broken", "{not json", "x", "x"])
    w = evaluate_scenario(store, pid, "Odd", TODAY, RULES)
    assert [s.change.path for s in w.stale] == [o["path"] for o in odd[:4]] + ["img.no_longer_a_field"]
    assert [c.path for c in w.applied.changes] == ["img.match_year"]
    assert w.changed_doc["facts"]["img"]["match_year"] == 2028
    assert evaluate_scenario(store, pid, "Broken", TODAY, RULES).applied.changes == ()
    with pytest.raises(ScenarioError, match="none of the scenario's changes applies"):
        apply_scenario(store, pid, "Broken", TODAY, RULES)
