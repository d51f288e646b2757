"""Issue 12, "Statuses that match the rules" and "Missing rules a user needs now": scenario tests
with `today` set (1 Dec 2026, and the day before / the day of each rule change used)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from findings_util import codes, has

from core import resources_dir
from core.costs import Ledger
from core.engine import check_step as engine_check_step
from core.engine import img
from core.engine.base import Context
from core.profiles import parse_document, validate_document
from core.rules import load_rules_from
from core.wording import text

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
TODAY = D(2026, 12, 1)


def profile(facts):
    return {"format": "certpath-profile/1", "name": "Amara", "tracks": ["img"], "facts": facts, "overrides": {}}


def run(facts, today=TODAY):
    return img.evaluate_track("img", Context(today=today, rules=RULES, profile=profile(facts)))


def school(**kw):
    return {"wdoms_listed": True, "sponsor_note": True, "sponsor_note_from_year": 2000,
            "graduation_date": "2022-06-30", "credit_years": 6, "degree": "medicine", **kw}


def facts(match_year=2027, visa="needs_j1", **track):
    return {
        "img": {"match_year": match_year, "specialty": "internal_medicine", "target_state": "NY",
                "visa_need": visa, "birth_date": "1995-01-01", **track},
        "ecfmg.school": school(),
        "ecfmg.application": {"submitted_date": "2023-01-01", "accepted_date": "2023-02-01"},
    }


def passed(date):
    return {"attempts": [{"date": date, "result": "pass", "score": 250}]}


def certified(match_year=2027, visa="needs_j1", issued="2026-11-01", **track):
    f = facts(match_year, visa, **track)
    f.update({"usmle.step1": passed("2024-01-10"), "usmle.step2ck": passed("2024-06-10"),
              "ecfmg.pathway": {"pathway": "1", "season": match_year, "accepted_date": "2025-10-01"},
              "ecfmg.oet": {"sittings": [{"date": "2025-03-01", "listening": 400, "reading": 400,
                                          "speaking": 400, "writing": 400}]},
              "ecfmg.credentials": {"diploma_verified_date": "2023-03-01", "transcript_verified_date": "2023-03-01"},
              "ecfmg.certificate": {"issued_date": issued, "valid_through": "2028-12-31"}})
    return f


# --- graduation year outside the sponsor note: an eligibility fact --------------------------

def test_graduation_year_outside_the_sponsor_note_is_accepted_and_blocks_the_school():
    f = facts()
    f["ecfmg.school"] = school(sponsor_note_from_year=2023)  # graduated 2022
    doc = profile(f)
    assert engine_check_step("ecfmg.school", f["ecfmg.school"], doc, TODAY, RULES) == []
    assert validate_document(doc, TODAY) == []
    assert parse_document(json.dumps(doc), TODAY)["facts"]["ecfmg.school"]["sponsor_note_from_year"] == 2023
    s = run(f).step("ecfmg.school")
    assert s.status == "blocked"
    assert has(s.reasons, "img.school.year_not_covered", year=2022, from_year=2023)
    assert "2022" in text(s.blocked_by[0].why)
    # every later step names that root cause
    assert run(f).step("usmle.step1").status == "blocked"


def test_a_date_before_birth_is_still_an_input_error():
    f = facts()
    f["ecfmg.school"] = school(graduation_date="1990-06-30")
    p = engine_check_step("ecfmg.school", f["ecfmg.school"], profile(f), TODAY, RULES)
    assert [x.field for x in p] == ["graduation_date"] and "birth" in p[0].message
    p = validate_document(profile(f), TODAY)
    assert p and all("graduation_date" in x.field for x in p)


# --- a Pathway-based certificate becomes permanent after 12 months of training ---------------

@pytest.mark.parametrize("today,permanent", [(D(2027, 6, 30), False), (D(2027, 7, 1), True), (D(2028, 1, 15), True)])
def test_pathway_certificate_is_permanent_after_twelve_months_of_training(today, permanent):
    f = certified(match_year=2026, issued="2026-05-01")
    f["ecfmg.certificate"]["valid_through"] = "2027-12-31"
    f["match.result"] = {"outcome": "matched", "start_date": "2026-07-01"}
    f["residency.training"] = {"start_date": "2026-07-01"}
    tr = run(f, today=today)
    s = tr.step("ecfmg.certificate")
    assert s.status == "done"
    if permanent:
        assert s.expires is None and has(s.reasons, "img.certificate.permanent_after_training", since=D(2027, 7, 1))
        assert not any(a.key == "permanent-validation" for a in s.actions)
    else:
        assert s.expires == D(2027, 12, 31) and any(a.key == "permanent-validation" for a in s.actions)
    # PGY-2 (2028-01-15 is past the old valid-through date): training is not held up
    r = tr.step("residency.training")
    assert r.status != "blocked" and not any(b.step == "ecfmg.certificate" for b in r.blocked_by)


def test_certificate_that_expires_before_twelve_months_still_expires():
    f = certified(match_year=2026, issued="2026-05-01")
    f["ecfmg.certificate"]["valid_through"] = "2027-01-31"
    f["match.result"] = {"outcome": "matched"}
    assert run(f, today=D(2027, 7, 1)).step("ecfmg.certificate").status == "expired"


# --- the visa is at risk before the start date -----------------------------------------------

@pytest.mark.parametrize("today,at_risk", [(D(2027, 5, 20), False), (D(2027, 5, 21), True)])
def test_j1_without_a_complete_application_by_ecfmgs_processing_time(today, at_risk):
    f = certified()
    f["match.result"] = {"outcome": "matched"}
    f["visa"] = {"statement_of_need_requested": "2027-03-01"}
    s = run(f, today=today).step("visa")
    # start 1 Jul 2027 - 6 weeks (ECFMG's 4-6 weeks) = 20 May 2027
    assert any(a.key == "apply-ds2019" and a.date == D(2027, 5, 20) for a in s.actions)
    assert (s.status == "at_risk") is at_risk
    assert has(s.reasons, "img.j1.ds2019_lead_passed", apply_by=D(2027, 5, 20)) is at_risk
    if at_risk:
        assert s.deadline == D(2027, 7, 1) and today < D(2027, 7, 1)


def test_j1_application_sent_late_is_at_risk_and_on_time_is_not():
    f = certified()
    f["match.result"] = {"outcome": "matched"}
    f["visa"] = {"statement_of_need_requested": "2027-03-01", "ds2019_requested": "2027-05-25"}
    s = run(f, today=D(2027, 5, 26)).step("visa")
    assert s.status == "at_risk" and has(s.reasons, "img.j1.ds2019_expected_late", expected=D(2027, 7, 6))
    f["visa"]["ds2019_requested"] = "2027-05-01"
    s = run(f, today=D(2027, 5, 26)).step("visa")
    assert s.status != "at_risk" and not any(a.key == "apply-ds2019" for a in s.actions)


def test_j1_on_1_december_2026_is_not_alarmed_and_has_the_dated_action():
    s = run(certified()).step("visa")
    assert s.status != "at_risk"
    assert any(a.key == "apply-ds2019" and a.date == D(2027, 5, 20) for a in s.actions)


def test_h1b_with_step3_not_passable_before_the_start_is_at_risk_before_the_start():
    f = certified(visa="needs_h1b", issued="2027-05-01")
    f["match.result"] = {"outcome": "matched"}
    early = run(f, today=TODAY).step("visa")
    assert early.status != "at_risk"  # 1 Dec 2026: Step 3 can still be passed before 1 Jul 2027
    s = run(f, today=D(2027, 6, 1)).step("visa")
    assert s.status == "at_risk" and s.deadline == D(2027, 7, 1)
    assert has(s.reasons, "img.h1b.step3_late_expected", start=D(2027, 7, 1))
    assert s.reasons[-1].params["expected"] > D(2027, 7, 1)


# --- Step 3 waits for the certificate; forbidden exam dates ----------------------------------

def test_step3_is_blocked_by_the_certificate_even_with_a_test_date():
    f = facts()
    f["usmle.step3"] = {"window_start": "2027-02-01", "scheduled_date": "2027-03-01"}
    tr = run(f)
    s = tr.step("usmle.step3")
    assert s.status == "blocked" and [b.step for b in s.blocked_by] == ["ecfmg.certificate"]
    assert has(s.reasons, "img.step3.needs_certificate")
    assert not any(a.key in ("sit-exam", "result-expected") for a in s.actions)
    # the licence after it waits; it is not blocked for a certificate that is on its way
    assert tr.step("license.state").status != "blocked"
    f2 = certified()
    f2["usmle.step3"] = {"window_start": "2027-02-01", "scheduled_date": "2027-03-01"}
    s2 = run(f2).step("usmle.step3")
    assert s2.status == "in_progress" and any(a.key == "sit-exam" and a.date == D(2027, 3, 1) for a in s2.actions)


@pytest.mark.parametrize("sched,forbidden", [("2027-02-09", True), ("2027-02-10", False)])
def test_a_planned_date_the_attempt_rules_forbid_is_at_risk_with_the_earliest_allowed_date(sched, forbidden):
    f = facts(match_year=2028)
    # three attempts within 12 months: the 4th needs >= 12 months after the first (10 Jan 2027)
    # and >= 6 months after the latest (10 Feb 2027)
    f["usmle.step1"] = {"attempts": [{"date": d, "result": "fail"} for d in ("2026-01-10", "2026-04-10", "2026-08-10")],
                        "window_start": "2027-01-15", "scheduled_date": sched}
    s = run(f).step("usmle.step1")
    sit = [a for a in s.actions if a.key == "sit-exam"]
    if forbidden:
        assert s.status == "at_risk" and s.deadline == D(2027, 2, 10)
        assert has(s.reasons, "img.exam.date_before_spacing", earliest=D(2027, 2, 10))
        assert not sit and not any(a.date == D(2027, 2, 9) for a in s.actions)
        assert any(a.key == "rebook-exam" and a.date == D(2027, 2, 10) for a in s.actions)
    else:
        assert s.status == "in_progress" and sit and sit[0].date == D(2027, 2, 10)


# --- Canadian graduates ------------------------------------------------------------------------

@pytest.mark.parametrize("grad,code", [("2025-06-30", "img.school.canadian_before_change"),
                                       ("2026-06-30", "img.school.canadian_needs_ecfmg")])
def test_canadian_graduates_from_2026_need_ecfmg(grad, code):
    f = facts()
    f["ecfmg.school"] = school(graduation_date=grad, canadian_school=True)
    s = run(f).step("ecfmg.school")
    assert code in codes(s.warnings) and "ecfmg.canada.graduates_need_certification" in s.rules
    assert "medium confidence" in text(next(w for w in s.warnings if w.code == code))
    f["ecfmg.school"]["canadian_school"] = False
    assert code not in codes(run(f).step("ecfmg.school").warnings)


# --- entry restrictions by nationality ---------------------------------------------------------

@pytest.mark.parametrize("cc,today,code", [
    ("IR", D(2025, 6, 3), None),
    ("IR", D(2025, 6, 4), "img.visa.entry_restricted"),           # June 2025, NRMP's list, high
    ("IR", D(2025, 12, 31), "img.visa.entry_restricted"),
    ("IR", D(2026, 1, 1), "img.visa.entry_restricted_unsure"),    # Dec 2025 proclamation, low
    ("IR", TODAY, "img.visa.entry_restricted_unsure"),
    ("NG", D(2025, 12, 31), None),
    ("NG", D(2026, 1, 1), "img.visa.entry_restricted_unsure"),    # partial: J visas included
    ("TM", D(2025, 12, 31), "img.visa.entry_restricted"),
    ("TM", D(2026, 1, 1), None),                                  # immigrants only since 2026
    ("IN", TODAY, None),
])
def test_nationality_restrictions_on_the_visa_step(cc, today, code):
    f = facts(citizenship=cc)
    s = run(f, today=today).step("visa")
    got = [w for w in s.warnings if w.code.startswith("img.visa.entry_restricted")]
    if code is None:
        assert not got
        return
    assert [w.code for w in got] == [code]
    w = got[0]
    assert w.params["country"] == cc and w.params["source"].startswith("https://")
    words = text(w, iso=True)
    assert w.params["since"].isoformat() in words and cc in words
    assert ("Low confidence" in words) is (code.endswith("unsure"))
    assert "visa.entry_restrictions.nationality" in s.rules
    assert has(s.warnings, "img.visa.nrmp_waiver")


def test_citizenship_is_an_iso_choice_and_us_citizens_get_no_visa_warning():
    spec = next(x for x in img.TRACK_FIELDS["img"] if x.key == "citizenship")
    keys = [c[0] for c in spec.choices]
    assert len(keys) == 249 and {"IR", "CG", "CD", "US", "CA"} <= set(keys)
    assert validate_document(profile(facts(citizenship="IR")), TODAY) == []
    p = validate_document(profile(facts(citizenship="XX")), TODAY)  # not a country code: refused
    assert p and all("citizenship" in x.field for x in p)
    f = facts(visa="us_citizen", citizenship="IR")
    assert not run(f).step("visa").warnings


# --- the H-1B payment and Step 2 CK's 218 ------------------------------------------------------

@pytest.mark.parametrize("today,confidence", [(D(2026, 9, 20), "medium"), (D(2026, 9, 21), "low"), (TODAY, "low")])
def test_h1b_payment_stays_in_cost_suggestions(store, today, confidence):
    pid = store.create_profile("Amara", "img", ["img"])
    sug = {s.rule_id: s for s in Ledger(store).suggestions(pid, today, rules=RULES)}
    s = sug["fee.h1b.proclamation_payment"]
    assert s.amount_max_cents == 100_000_00 and s.confidence == confidence and s.step_id == "visa"
    v = run(facts(visa="needs_h1b"), today=today).step("visa")
    assert has(v.warnings, "img.h1b.payment_may_apply")


@pytest.mark.parametrize("sched,low", [("2025-06-30", False), ("2025-07-01", True)])
def test_step2ck_218_is_said_to_be_low_confidence_where_it_applies(sched, low):
    f = facts()
    f["usmle.step2ck"] = {"window_start": "2025-05-01", "scheduled_date": sched}
    s = run(f, today=D(2025, 6, 1)).step("usmle.step2ck")
    unsure = [w for w in s.warnings if w.code.startswith("rule.low_confidence")
              and w.params.get("rule") == "usmle.step2ck.passing_score"]
    assert bool(unsure) is low
    if low:
        assert "218" in text(unsure[0])


@pytest.mark.parametrize("today,shown", [(D(2026, 12, 31), True), (D(2027, 1, 1), True), (D(2027, 1, 2), False)])
def test_the_ds2019_opening_is_never_shown_as_overdue(today, shown):
    s = run(certified(), today=today).step("visa")  # DS-2019 from 6 months before 1 Jul 2027
    assert any(a.key == "ds2019-window" and a.date == D(2027, 1, 1) for a in s.actions) is shown
