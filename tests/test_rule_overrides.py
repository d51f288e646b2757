"""A user's own value for a rule (an override) must have the shape of the rule's value: a wrong
type is refused where it is written (import exits 2 naming the rule and the shape, the store
refuses it) instead of being stored and crashing evaluate/ics/csv/reminders later."""

import datetime as dt
import json

import pytest

from core import resources_dir
from core.cli import main
from core.rules import load_rules
from core.validate import ValidationError, override_problem

AHA_SHAPE = "a table { method: text, months: number }"


def _doc(overrides):
    doc = json.loads((resources_dir() / "demo" / "provider-demo.json").read_text(encoding="utf-8"))
    return {**doc, "overrides": overrides}


def _file(tmp_path, doc):
    p = tmp_path / "p.json"
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


def test_import_refuses_a_wrong_shape_naming_the_rule_and_the_shape(tmp_path, capsys):
    data = tmp_path / "data"
    rc = main(["import", str(_file(tmp_path, _doc({"cards.expiry.aha": {"value": 24}}))), "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "overrides.cards.expiry.aha.value" in err and AHA_SHAPE in err and "got a number" in err
    assert "Traceback" not in err
    assert main(["profiles", "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out == ""  # nothing was stored


@pytest.mark.parametrize(("value", "why"), [
    (24, "got a number"),
    ({"method": "end_of_month"}, "yours is missing months"),
    ({"method": "end_of_month", "months": 24, "grace": 1}, "yours has grace, which this rule does not have"),
    ({"method": "end_of_month", "months": "24"}, "months must be a number"),
])
def test_override_problem_says_what_the_gui_shows_inline(value, why):
    msg = override_problem("cards.expiry.aha", value)
    assert msg is not None and msg.startswith("cards.expiry.aha: the value must be " + AHA_SHAPE) and why in msg


def test_fitting_values_are_accepted_and_a_date_text_becomes_a_date():
    assert override_problem("cards.expiry.aha", {"method": "end_of_month", "months": 12}) is None
    assert override_problem("acls.aha.skills_required", ["megacode", "airway"]) is None
    assert "item 2 must be text" in override_problem("acls.aha.skills_required", ["megacode", 3])
    assert "must be a date" in override_problem("match.calendar.2026.eras_opens", "soon")
    rule = load_rules().get("match.calendar.2026.eras_opens", dt.date(2026, 1, 1),
                            {"match.calendar.2026.eras_opens": {"value": "2025-06-10"}})
    assert rule.value == dt.date(2025, 6, 10) and rule.is_override
    assert override_problem("no.such.rule", 1) == "no.such.rule is not a known rule id"


def test_the_store_refuses_a_wrong_shape(store):
    pid = store.import_document(_doc({}))
    with pytest.raises(ValidationError, match="cards.expiry.aha: the value must be a table"):
        store.set_override(pid, "cards.expiry.aha", 24)
    assert store.overrides(pid) == {}
    store.set_override(pid, "cards.expiry.aha", {"method": "end_of_month", "months": 12}, "my employer")
    assert store.overrides(pid)["cards.expiry.aha"]["value"]["months"] == 12


def test_a_wrong_shape_stored_before_this_check_never_crashes_a_command(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["import", str(_file(tmp_path, _doc({}))), "--data-dir", str(data)]) == 0
    pid = capsys.readouterr().out.strip()
    from core.db import open_database

    db = open_database(data / "certpath.sqlite3")  # as an older CertPath stored it
    with db.conn:
        db.execute("INSERT INTO overrides (profile_id, rule_id, value, note, created_at) VALUES (?, ?, ?, ?, ?)",
                   [int(pid), "cards.expiry.aha", "24", "", "2026-11-01T00:00:00"])
    db.close()
    for args in (["ics", pid], ["csv", "steps", pid], ["reminders", pid], ["export", pid]):
        rc = main([*args, "--data-dir", str(data), *(["--today", "2026-11-21"] if args[0] != "export" else [])])
        out = capsys.readouterr()
        assert rc == 0, (args, out.err)
    exported = tmp_path / "exported.json"
    assert main(["export", pid, "--data-dir", str(data), "-o", str(exported)]) == 0
    rc = main(["evaluate", str(exported), "--today", "2026-11-21"])
    err = capsys.readouterr().err
    assert rc == 2 and AHA_SHAPE in err and "Traceback" not in err


def test_a_map_of_lists_may_be_overridden_in_part_a_table_of_fields_may_not():
    assert override_problem("roles.typical_cards", {"nurse_picu": ["bls", "pals", "nrp"]}) is None
    assert "yours has nobody" in override_problem("roles.typical_cards", {"nobody": ["bls"]})
    assert "yours is missing months" in override_problem("cards.expiry.aha", {"method": "end_of_month"})
