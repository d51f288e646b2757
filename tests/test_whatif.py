"""What if… (core/whatif.py): changes by path applied to a copy of a profile, checked as the step
pages check, evaluated beside the original with the same `today` and rules, and diffed."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from core import resources_dir, wording
from core.engine import evaluate
from core.engine.base import AT_RISK, DONE, Action, Blocker, Journey, StepResult, TrackResult
from core.engine.findings import F, W
from core.rules import load_rules
from core.whatif import (
    Change,
    WhatIfError,
    apply_changes,
    diff_journeys,
    parse_change,
    parse_changes,
    what_if,
)

D = dt.date
TODAY = D(2026, 11, 21)
RULES = load_rules()
DEMO_IMG = json.loads((resources_dir() / "demo" / "img-demo.json").read_text(encoding="utf-8"))
DEMO_PROVIDER = json.loads((resources_dir() / "demo" / "provider-demo.json").read_text(encoding="utf-8"))

SCHOOL = {"school_name": "Example", "wdoms_listed": True, "sponsor_note": True, "sponsor_note_from_year": 2000,
          "graduation_date": "2024-06-30", "credit_years": 6, "degree": "medicine"}
ALL_DOCS = [{"kind": k, "uploaded_date": "2026-08-25"} for k in
            ("mspe", "med_school_transcript", "lor", "personal_statement", "photo", "usmle_transcript_release")]


def ready_to_rank(visa_need: str = "needs_j1") -> dict:
    """Everything ECFMG verifies for the 2027 Match done; the rank order list certified on 20 Feb 2027
    (the 2027 deadline is 3 Mar 2027)."""
    facts = {
        "img": {"match_year": 2027, "specialty": "psychiatry", "target_state": "CA", "visa_need": visa_need},
        "ecfmg.school": SCHOOL, "ecfmg.application": {"submitted_date": "2024-08-01", "accepted_date": "2024-09-10"},
        "usmle.step1": {"attempts": [{"date": "2025-02-10", "result": "pass"}]},
        "usmle.step2ck": {"attempts": [{"date": "2025-08-10", "result": "pass", "score": 245}]},
        "ecfmg.oet": {"sittings": [{"date": "2025-10-01", "listening": 400, "reading": 400, "speaking": 400,
                                    "writing": 350}]},
        "ecfmg.pathway": {"pathway": "1", "season": 2027, "applied_date": "2026-08-30", "accepted_date": "2026-10-20"},
        "ecfmg.credentials": {"diploma_submitted_date": "2024-07-15", "diploma_verified_date": "2024-09-30",
                              "transcript_verified_date": "2024-09-30"},
        "match.eras": {"token_date": "2026-06-05", "submitted_date": "2026-09-02", "documents": ALL_DOCS},
        "match.nrmp": {"registered_date": "2026-09-15"},
        "match.rol": {"certified_date": "2027-02-20"},
    }
    return {"format": "certpath-profile/1", "name": "Rank", "role": "img_physician", "tracks": ["img"],
            "facts": facts, "overrides": {}}


ROL_DAY = D(2027, 3, 1)  # two days before the 2027 rank order list deadline


# -- the scenarios -------------------------------------------------------------------------

def test_a_later_step2ck_test_date_moves_match_rol_from_done_to_at_risk():
    doc = ready_to_rank()
    frozen = copy.deepcopy(doc)
    w = what_if(doc, parse_changes(["usmle.step2ck.attempts[0].date=2027-02-24"]), ROL_DAY, RULES)
    assert doc == frozen  # the profile itself is untouched: only the copy changed
    assert w.changed_doc["facts"]["usmle.step2ck"]["attempts"][0]["date"] == "2027-02-24"
    rol = w.diff.step("match.rol")
    assert (rol.old_status, rol.new_status) == (DONE, AT_RISK)
    changes = {c.field: (c.old, c.new) for c in rol.changes}
    assert changes["status"] == (DONE, AT_RISK)
    assert changes["deadline"] == (None, D(2027, 3, 3))
    # the reason that differs: Step 2 CK's result is now expected after the deadline
    assert any(f.kind == "reason" and "Step 2 CK" in f.text and "after the deadline" in f.text for f in rol.added)
    assert w.before.step("match.rol").status == DONE and w.after.step("match.rol").status == AT_RISK


def test_the_last_test_date_that_keeps_the_rank_list_done_and_the_day_after():
    """The boundary is the engine's own: a result expected on or before the deadline keeps `done`."""
    doc = ready_to_rank()
    deadline = D(2027, 3, 3)
    statuses = {}
    for d in (D(2027, 1, 20) + dt.timedelta(days=i) for i in range(0, 40)):
        w = what_if(doc, [Change("usmle.step2ck.attempts[0].date", d.isoformat())], ROL_DAY, RULES)
        s2 = w.after.step("usmle.step2ck")
        expected = s2.info.get("completed_on") or s2.info.get("expected_on")
        statuses[d] = (w.after.step("match.rol").status, expected)
    last_done = max(d for d, (st, _) in statuses.items() if st == DONE)
    day_after = last_done + dt.timedelta(days=1)
    assert statuses[last_done][1] <= deadline
    assert statuses[day_after][0] == AT_RISK and statuses[day_after][1] > deadline


def test_switching_visa_route_changes_the_visa_and_step3_steps_only():
    """J-1 -> H-1B with the ECFMG certificate issued: only Step 3 (due by Match Day for an H-1B) and
    the visa step (H-1B findings instead of J-1 ones) change status or dates. The one other finding
    that differs is the certificate's permanent validation (automatic for an ECFMG-sponsored J-1;
    to be requested otherwise)."""
    doc = ready_to_rank()
    doc["facts"]["ecfmg.certificate"] = {"issued_date": "2026-11-01"}
    w = what_if(doc, parse_changes(["img.visa_need=needs_h1b"]), TODAY, RULES)
    assert {s.id for s in w.diff.steps if s.changes} == {"usmle.step3"}
    assert {"ecfmg.certificate", "usmle.step3", "visa"} <= set(w.diff.step_ids)
    for other in set(w.diff.step_ids) - {"usmle.step3", "visa"}:  # findings only: same status, same dates
        d = w.diff.step(other)
        assert not d.changes and d.old_status == d.new_status == DONE
    cert = w.diff.step("ecfmg.certificate")
    assert not cert.changes and cert.old_status == cert.new_status == DONE
    (gone,) = [f for f in cert.removed if f.kind == "action"]
    (came,) = [f for f in cert.added if f.kind == "action"]
    assert "automatic for ECFMG-sponsored J-1s" in gone.text and "automatic" not in came.text
    s3 = w.diff.step("usmle.step3")
    assert [(c.field, c.new) for c in s3.changes] == [("due", D(2027, 3, 19))]  # Match Day 2027
    visa = w.diff.step("visa")
    assert any("H-1B" in f.text for f in visa.added)
    assert any("J-1" in f.text or "Statement of Need" in f.text or "DS-2019" in f.text for f in visa.removed)
    assert {m.step_id for m in w.diff.moved} <= {"usmle.step3", "visa"}


def test_switching_visa_route_before_the_certificate_also_moves_the_certificate_due():
    """Without the certificate the H-1B route needs it early (FSMB opens Step 3 only after it):
    the certificate step's due moves too, and the diff says so."""
    w = what_if(ready_to_rank(), parse_changes(["img.visa_need=needs_h1b"]), TODAY, RULES)
    assert {s.id for s in w.diff.steps if s.changes} == {"ecfmg.certificate", "usmle.step3"}
    cert = w.diff.step("ecfmg.certificate")
    (c,) = cert.changes
    assert c.field == "due" and c.new < c.old


START = D(2027, 7, 1)  # the demo's residency start (Match 2027)


def pgt_months(state: str) -> int:
    return RULES.find(f"license.state.{state}", TODAY, {}).value["pgt_months_img"]


def other_state(current: str = "PA") -> str:
    """A state asking IMGs for a different number of training months than `current` does, per the
    rules in force (the state records change as boards are re-read)."""
    return next(s for s in ("TX", "NY", "CA", "FL", "IL", "OH", "MI") if pgt_months(s) != pgt_months(current))


def test_a_changed_target_state_moves_license_state():
    from core.dates import add_months

    state = other_state()
    old_due, new_due = add_months(START, pgt_months("PA")), add_months(START, pgt_months(state))
    w = what_if(DEMO_IMG, parse_changes([f"img.target_state={state}"]), TODAY, RULES)
    lic = w.diff.step("license.state")
    assert {c.field: (c.old, c.new) for c in lic.changes} == {"due": (old_due, new_due)}
    assert w.after.step("license.state").info["state"] == state
    assert {s.id for s in w.diff.steps if s.changes} == {"license.state"}
    assert set(w.diff.step_ids) <= {"license.state", "usmle.step3", "visa"}
    moved = {(m.step_id, m.kind, m.key): (m.old, m.new) for m in w.diff.moved}
    assert moved[("license.state", "due", "")] == (old_due, new_due)
    assert moved[("license.state", "action", "apply-licence")] == (old_due, new_due)
    assert w.changes_json() == [{"path": "img.target_state", "old": "PA", "new": state}]


def test_a_later_pals_renewal_course_moves_its_dates():
    w = what_if(DEMO_PROVIDER, parse_changes(["pals.renewal.renewal_course_date=2027-03-10"]), TODAY, RULES)
    assert "pals.renewal" in w.diff.step_ids
    moved = [m for m in w.diff.moved if m.new == D(2027, 3, 10)]
    assert moved and all(m.old == D(2027, 2, 15) for m in moved)
    assert all(s.track == "pals" for s in w.diff.steps)  # BLS and NRP are untouched


def test_no_change_no_diff():
    w = what_if(DEMO_IMG, parse_changes(["img.target_state=PA"]), TODAY, RULES)
    assert not w.diff and w.diff.to_json() == {"steps": [], "moved": []}


# -- paths and values ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, path, words", [
    ("visa.route=h1b", "visa.route", "'route' is not a field of visa"),
    ("pals.card.issued=2027-03-10", "pals.card.issued", "'issued' is not a field of pals.card"),
    ("usmle.step9.date=2026-01-01", "usmle.step9.date", "does not start with a known step id"),
    ("usmle.step2ck=2026-01-01", "usmle.step2ck", "names a step but no field"),
    ("usmle.step2ck.attempts.date=2026-01-01", "usmle.step2ck.attempts.date", "address one by index"),
    ("usmle.step2ck.attempts=x", "usmle.step2ck.attempts", "address one by index"),
    ("usmle.step2ck.attempts[0].grade=1", "usmle.step2ck.attempts[0].grade", "'grade' is not a field"),
    ("img.target_state[0]=TX", "img.target_state[0]", "single value"),
    ("img.target_state=Atlantis", "img.target_state", "'Atlantis' is not one of"),
    ("img.match_year=soon", "img.match_year", "whole number"),
    ("usmle.step2ck.scheduled_date=10/10/2026", "usmle.step2ck.scheduled_date", "YYYY-MM-DD"),
    ("ecfmg.school.wdoms_listed=maybe", "ecfmg.school.wdoms_listed", "yes or no"),
    ("img.target_state", "img.target_state", "no '=' found"),
])
def test_bad_paths_and_values_name_the_path_and_the_reason(text, path, words):
    with pytest.raises(WhatIfError) as e:
        parse_change(text)
    (p,) = e.value.problems
    assert p.field == path and words in p.message


def test_values_are_parsed_by_the_fields_kind():
    assert parse_change("img.match_year=2028").value == 2028
    assert parse_change("ecfmg.school.wdoms_listed=no").value is False
    assert parse_change("usmle.step2ck.scheduled_date= 2027-01-05 ").value == "2027-01-05"
    assert parse_change("img.visa_need=needs_h1b").value == "needs_h1b"
    assert parse_change("img.specialty=Pediatrics").value == "pediatrics"  # a choice's label, any case
    assert parse_change("pals.attend.hours=7.5").value == 7.5
    assert parse_change("visa.h1b_petition_filed=").value is None  # empty: cleared
    rec = parse_change('usmle.step3.attempts[0]={"date": "2026-01-05", "result": "fail"}')
    assert rec.value == {"date": "2026-01-05", "result": "fail"}


def test_values_are_checked_as_the_step_page_checks_them():
    """Range and cross-field checks come from check_step; problems name the changed path."""
    with pytest.raises(WhatIfError) as e:
        apply_changes(DEMO_IMG, parse_changes(["usmle.step1.attempts[0].result_date=2025-03-01"]), TODAY, RULES)
    assert [p.field for p in e.value.problems] == ["usmle.step1.attempts[0].result_date"]
    assert "before the test date" in e.value.problems[0].message
    with pytest.raises(WhatIfError) as e:
        apply_changes(DEMO_IMG, parse_changes(["usmle.step1.attempts[0].score=400"]), TODAY, RULES)
    assert e.value.problems[0].field == "usmle.step1.attempts[0].score" and "between 1 and 300" in str(e.value)
    # the track's cross-field checks read the changed profile: a birth date after the Match year
    with pytest.raises(WhatIfError) as e:
        apply_changes(DEMO_IMG, parse_changes(["img.birth_date=2025-01-01"]), TODAY, RULES)
    assert [p.field for p in e.value.problems] == ["img.match_year"] and "too soon" in str(e.value)
    # a problem the profile already had is not the change's: a date before a birth date stored
    doc = copy.deepcopy(DEMO_IMG)
    doc["facts"]["img"]["birth_date"] = "2025-02-01"  # after the school's graduation: already wrong
    doc["facts"]["img"]["match_year"] = 2045
    a = apply_changes(doc, parse_changes(["img.target_state=TX"]), TODAY, RULES)
    assert a.doc["facts"]["img"]["target_state"] == "TX"


def test_all_bad_changes_are_reported_together():
    with pytest.raises(WhatIfError) as e:
        parse_changes(["visa.route=h1b", "img.match_year=x", "img.target_state=TX"])
    assert [p.field for p in e.value.problems] == ["visa.route", "img.match_year"]


def test_records_by_index_add_and_remove():
    doc = DEMO_IMG  # Step 2 CK: no attempts recorded, a test booked on 10 Dec 2026
    a = apply_changes(doc, parse_changes(["usmle.step2ck.attempts[0].date=2026-11-10",
                                          "usmle.step2ck.attempts[0].result=pass",
                                          "usmle.step2ck.attempts[0].score=250"]), TODAY, RULES)
    assert a.doc["facts"]["usmle.step2ck"]["attempts"] == [{"date": "2026-11-10", "result": "pass", "score": 250}]
    assert a.previous == {"usmle.step2ck": DEMO_IMG["facts"]["usmle.step2ck"]}
    # a new record must be complete: the step page's required fields
    with pytest.raises(WhatIfError) as e:
        apply_changes(doc, parse_changes(["usmle.step2ck.attempts[0].date=2026-11-10"]), TODAY, RULES)
    assert e.value.problems[0].field == "usmle.step2ck.attempts[0].result" and "required" in str(e.value)
    with pytest.raises(WhatIfError) as e:  # no gaps
        apply_changes(doc, parse_changes(['usmle.step2ck.attempts[2]={"date": "2026-11-10", "result": "pass"}']),
                      TODAY, RULES)
    assert e.value.problems[0].field == "usmle.step2ck.attempts[2]" and "has 0 records: use an index from 0 to 0" in str(e.value)
    # an empty value removes a record
    b = apply_changes(doc, parse_changes(["match.eras.documents[0]="]), TODAY, RULES)
    assert b.doc["facts"]["match.eras"]["documents"] == DEMO_IMG["facts"]["match.eras"]["documents"][1:]


def test_a_fact_on_a_journey_the_profile_does_not_follow_is_noted():
    w = what_if(DEMO_IMG, parse_changes(["acls.card.issue_date=2026-05-01"]), TODAY, RULES)
    assert not w.diff
    assert any("does not follow the acls journey" in n for n in w.applied.notes)


# -- the diff --------------------------------------------------------------------------------------

def test_a_step_done_in_both_journeys_compares_its_expiry_only():
    """A done step's due date matters to no one (the timeline shows it by the day it was done)."""
    doc = ready_to_rank()
    before = evaluate(doc, TODAY, RULES)
    assert before.step("ecfmg.credentials").status == DONE
    w = what_if(doc, parse_changes(["img.visa_need=needs_h1b"]), TODAY, RULES)
    assert w.before.step("ecfmg.credentials").due != w.after.step("ecfmg.credentials").due
    cred = w.diff.step("ecfmg.credentials")
    assert cred is None or not cred.changes  # (a finding may differ: a rule the new due date used)
    assert not [m for m in w.diff.moved if m.step_id == "ecfmg.credentials"]


def _journey(*reasons, actions=(), blocked_by=()) -> Journey:
    return Journey(TODAY, [TrackResult("img", [StepResult("visa", reasons=list(reasons), actions=list(actions),
                                                          blocked_by=list(blocked_by))])])


def test_findings_are_compared_by_code_and_params_not_by_wording():
    a = _journey(F("img.h1b.payment_may_apply", on=TODAY, amount=100000))
    assert not diff_journeys(a, _journey(F("img.h1b.payment_may_apply", on=TODAY, amount=100000)))
    other = _journey(F("img.h1b.payment_may_apply", on=TODAY, amount=5000))
    (step,) = diff_journeys(a, other).steps
    assert [f.code for f in step.added] == [f.code for f in step.removed] == ["img.h1b.payment_may_apply"]
    assert step.added[0].text == wording.text(F("img.h1b.payment_may_apply", on=TODAY, amount=5000))  # worded by the catalogue


def test_an_action_is_compared_by_its_finding_and_a_blocker_by_the_step_it_waits_for():
    act = Action(F("img.h1b.payment_may_apply", on=TODAY, amount=100000), D(2027, 1, 1), key="pay")
    a = _journey(actions=[act])
    assert not diff_journeys(a, _journey(actions=[Action(act.what, D(2027, 1, 1), key="pay")]))
    (step,) = diff_journeys(a, _journey(actions=[Action(F("img.h1b.payment_may_apply", on=TODAY, amount=1), key="pay")])).steps
    assert [f.kind for f in step.added] == ["action"]
    b = _journey(blocked_by=[Blocker("usmle.step1", F("img.h1b.payment_may_apply", on=TODAY, amount=1))])
    (step,) = diff_journeys(b, _journey(blocked_by=[Blocker("usmle.step2ck", F("img.h1b.payment_may_apply", on=TODAY, amount=1))])).steps
    assert [f.code for f in step.added] == ["usmle.step2ck:img.h1b.payment_may_apply"]


def _unsure(*rules, low=()):
    return Journey(TODAY, [TrackResult("img", [StepResult("visa", warnings=[
        W("rule.low_confidence", rule=r, statement="S.") if r in low else W("rule.sources_differ", rule=r, conflict="C.")
        for r in rules])])])


def test_notes_about_uncertain_rules_are_compared_as_the_one_note_a_step_shows():
    a = _unsure("x.a", "x.b", "x.c")
    assert not diff_journeys(a, _unsure("x.a", "x.b", "x.c"))
    (step,) = diff_journeys(a, _unsure("x.a", "x.b", "x.c", "x.d", low=("x.d",))).steps
    # one rule more, of low confidence: one note removed and one added, not four notes listed
    assert [f.code for f in step.removed] == ["rule.unsure_differ"]
    assert [f.code for f in step.added] == ["rule.unsure_mixed"]
    assert "Low confidence (x.d)" in step.added[0].text


def test_the_json_names_steps_fields_old_new_and_finding_codes():
    w = what_if(ready_to_rank(), parse_changes(["usmle.step2ck.attempts[0].date=2027-02-24"]), ROL_DAY, RULES)
    out = json.loads(json.dumps(w.to_json()))
    assert out["format"] == "certpath-whatif/1" and out["today"] == "2027-03-01"
    rol = next(s for s in out["steps"] if s["id"] == "match.rol")
    assert {"field": "status", "old": "done", "new": "at_risk"} in rol["changes"]
    assert all({"kind", "code", "severity", "text"} <= set(f) for f in rol["findings_added"])
    assert out["changes"] == [{"path": "usmle.step2ck.attempts[0].date", "old": "2025-08-10", "new": "2027-02-24"}]


# -- any field of any step -------------------------------------------------------------------------

def _scalar_fields():
    from core.engine import all_step_defs, known_tracks, track_fields

    out = [(t, f) for t in known_tracks() for f in track_fields(t)]
    out += [(sid, f) for sid, sd in all_step_defs().items() for f in sd.fields if f.kind != "records"]
    return out


def _as_text(v) -> str:
    return ("yes" if v else "no") if isinstance(v, bool) else str(v)


@pytest.mark.parametrize("doc", [DEMO_IMG, DEMO_PROVIDER], ids=["img", "provider"])
def test_any_field_any_value_is_applied_or_refused_by_name_never_a_crash(doc):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.strategies import value_for

    fields = _scalar_fields()

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(fields).flatmap(lambda kf: st.tuples(st.just(kf), value_for(kf[1]))))
    def run(case):
        (key, spec), value = case
        path = f"{key}.{spec.key}"
        text = _as_text(value)
        if spec.kind == "text" and (text != text.strip() or not text):
            return  # the command line strips; an empty text clears
        change = parse_change(f"{path}={text}")
        assert change.value == value  # the command line reads back what a form would hold
        try:
            w = what_if(doc, [change], TODAY, RULES)
        except WhatIfError as e:
            assert e.problems and all(p.field.startswith(key + ".") or p.field == key for p in e.problems)
            return
        assert {k for k in w.changed_doc["facts"] if w.changed_doc["facts"][k] != (doc["facts"].get(k))} <= {key}
        direct = diff_journeys(evaluate(doc, TODAY, RULES), evaluate(w.changed_doc, TODAY, RULES))
        assert w.diff == direct
        back = value_at_path(doc, path)
        undo = what_if(w.changed_doc, [Change(path, back)], TODAY, RULES)
        assert undo.after.to_json() == w.before.to_json()  # the change undone: the journey as it was

    run()


def value_at_path(doc, path):
    key, _, field = path.rpartition(".")
    return (doc["facts"].get(key) or {}).get(field)


def test_a_whole_record_must_be_an_object():
    for path in ("match.eras.documents[0]", "match.eras.documents[7]"):
        with pytest.raises(WhatIfError) as e:
            apply_changes(DEMO_IMG, [Change(path, "not a record")], TODAY, RULES)
        assert e.value.problems[0].field == path
    a = apply_changes(DEMO_IMG, [Change("match.eras.documents[7]", "not a record"),
                                 Change("img.target_state", "TX")], TODAY, RULES, strict=False)
    assert [s.change.path for s in a.stale] == ["match.eras.documents[7]"] and len(a.changes) == 1


def test_a_step_form_saved_in_a_scenario_becomes_field_changes():
    """The GUI edits a scenario with the step forms: the saved form is turned into changes."""
    from core.whatif import changes_for_step

    old = DEMO_IMG["facts"]["match.eras"]
    new = copy.deepcopy(old)
    new["programs"] = 80
    new["documents"][1]["uploaded_date"] = "2026-08-21"
    del new["documents"][5:]
    new["documents"].append({"kind": "lor", "uploaded_date": "2026-09-01"})
    del new["submitted_date"]
    changes = changes_for_step("match.eras", old, new)
    # records 5 and 6 (photo, transcript release) go, a letter comes: record 5 replaced, 6 removed
    assert [(c.path, c.value is None) for c in changes] == [
        ("match.eras.documents[1]", False), ("match.eras.documents[5]", False), ("match.eras.documents[6]", True),
        ("match.eras.submitted_date", True), ("match.eras.programs", False)]
    a = apply_changes(DEMO_IMG, changes, TODAY, RULES)
    assert a.doc["facts"]["match.eras"] == new
    assert changes_for_step("match.eras", old, copy.deepcopy(old)) == []
