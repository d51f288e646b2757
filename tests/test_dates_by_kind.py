"""Issue 12: dated events say what kind of date they are, and a new user starts in the right
season. Scenario tests with `today` set around the 2027 cycle's dates (rules data:
docs/sources-2027-cycle.md; every 2027 date here is projected, low confidence)."""

from __future__ import annotations

import datetime as dt

import pytest
from findings_util import codes, has

from core import journey_view, match_calendar, resources_dir
from core.engine import img
from core.engine.base import Context, Journey
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")


def lookup_on(rid, on):
    return RULES.find(rid, on) if rid in RULES else None


def run(facts, today):
    prof = {"format": "certpath-profile/1", "tracks": ["img"], "facts": facts, "overrides": {}}
    return img.evaluate_track("img", Context(today=today, rules=RULES, profile=prof))


def empty(year=2027):
    return {"img": {"match_year": year}}


# -- openings are never overdue; a passed recommendation is late; a passed deadline blocks ------

def test_new_img_on_1_dec_2026_eras_is_late_not_overdue():
    tr = run(empty(), D(2026, 12, 1))
    eras = tr.step("match.eras")
    assert eras.status == "at_risk"
    assert has(eras.reasons, "img.eras.programs_reviewing_since", since=D(2026, 9, 23))
    assert eras.deadline == D(2027, 3, 3)  # the last day it can lead to this Match, not a passed date
    # no ERAS action is dated before today: the opening and first submission day have passed
    assert all(a.date is None or a.date >= D(2026, 12, 1) for a in eras.actions)
    nrmp = tr.step("match.nrmp")
    assert all(a.date is None or a.date >= D(2026, 12, 1) for a in nrmp.actions)
    assert "img.nrmp.register_before_late_fee" in codes(a.what for a in nrmp.actions)


def test_nothing_is_overdue_for_an_empty_profile_on_1_dec_2026():
    today = D(2026, 12, 1)
    j = Journey(today, [run(empty(), today)])
    passed = [it for it in journey_view.dated_items(j) if it.date < today]
    assert passed == []  # the school's passed lead date (2025-09-19) is no "overdue" alarm


@pytest.mark.parametrize("today, status", [
    (D(2026, 8, 1), "not_started"),     # ERAS not open yet
    (D(2026, 9, 23), "not_started"),    # the day of programs' first review: not late yet
    (D(2026, 9, 24), "at_risk"),        # the day after: late
])
def test_eras_review_day_is_a_recommendation(today, status):
    assert run(empty(), today).step("match.eras").status == status


@pytest.mark.parametrize("today, status", [
    (D(2027, 3, 3), "at_risk"), (D(2027, 3, 4), "blocked")])
def test_rol_deadline_closes_eras_and_nrmp(today, status):
    tr = run(empty(), today)
    assert tr.step("match.nrmp").status == status
    assert tr.step("match.eras").status == status
    if status == "blocked":
        assert has(tr.step("match.eras").reasons, "img.eras.match_closed", next_year=2028)


@pytest.mark.parametrize("today, late", [(D(2027, 1, 31), False), (D(2027, 2, 1), True)])
def test_nrmp_late_fee_from_its_day(today, late):
    nrmp = run(empty(), today).step("match.nrmp")
    assert has(nrmp.warnings, "img.nrmp.late_fee_applies") == late
    assert ("img.nrmp.register_late" in codes(a.what for a in nrmp.actions)) == late


# -- the Pathway's application deadline (2026-12-31, projected) ---------------------------------

@pytest.mark.parametrize("today, status", [
    (D(2026, 11, 30), "not_started"),  # 31 days before
    (D(2026, 12, 1), "at_risk"),       # within the 30-day lead
    (D(2026, 12, 30), "at_risk"),
    (D(2026, 12, 31), "at_risk"),      # the day of the deadline
    (D(2027, 1, 1), "blocked"),        # the day after: this Match is gone, the next season named
])
def test_pathway_application_deadline(today, status):
    pw = run(empty(), today).step("ecfmg.pathway")
    assert pw.status == status
    if status == "at_risk":
        assert has(pw.reasons, "img.pathway.application_deadline_near", deadline=D(2026, 12, 31))
        assert pw.deadline == D(2026, 12, 31)
    if status == "blocked":
        assert has(pw.reasons, "img.pathway.application_deadline_passed", next_season=2028,
                   rule="pathways.2027.application_deadline")
    # the deadline rests on a projected record, and says so
    assert RULES.find("pathways.2027.application_deadline", D(2027, 1, 1)).projected


@pytest.mark.parametrize("today, status", [(D(2027, 3, 3), "at_risk"), (D(2027, 3, 4), "blocked")])
def test_pathway_applied_but_not_accepted_by_the_documents_deadline(today, status):
    f = {**empty(), "ecfmg.pathway": {"applied_date": "2026-12-10"}}
    pw = run(f, today).step("ecfmg.pathway")
    assert pw.status == status


def test_expired_pathway_asks_for_revalidation_by_the_season_deadline():
    f = {**empty(), "ecfmg.pathway": {"accepted_date": "2025-01-10", "valid_through": "2026-06-30"}}
    pw = run(f, D(2026, 12, 1)).step("ecfmg.pathway")
    assert pw.status == "expired"
    assert any(a.key == "apply-revalidation" and a.date == D(2026, 12, 31) for a in pw.actions)
    pw = run(f, D(2027, 1, 1)).step("ecfmg.pathway")
    assert has(pw.reasons, "img.pathway.revalidation_deadline_passed", next_season=2028)


# -- OET's sit-by date (last December sitting) -------------------------------------------------

@pytest.mark.parametrize("today, status, code", [
    (D(2026, 11, 30), "not_started", None),
    (D(2026, 12, 1), "at_risk", "img.oet.sit_by_near"),
    (D(2026, 12, 31), "at_risk", "img.oet.sit_by_near"),
    (D(2027, 1, 1), "at_risk", "img.oet.sit_by_passed"),  # never silently not_started once passed
    (D(2027, 3, 4), "at_risk", "img.oet.rol_passed"),  # the Pathways season is still open: not blocked
])
def test_oet_sit_by(today, status, code):
    oet = run(empty(), today).step("ecfmg.oet")
    assert oet.status == status
    if status == "at_risk":
        assert oet.deadline >= today  # the date that still matters, never a passed one
    if code:
        assert code in codes(oet.reasons)


# -- a new user starts in the right season ------------------------------------------------------

@pytest.mark.parametrize("today, year", [
    (D(2026, 9, 1), 2027),   # the day before ERAS 2027 takes submissions
    (D(2026, 9, 2), 2028),   # from that day 2027 needs the ECFMG branch already done
    (D(2026, 12, 1), 2028),
    (D(2027, 3, 3), 2028),
])
def test_default_match_year(today, year):
    y, why = match_calendar.default_match_year(today, lookup_on)
    assert y == year and why


def test_default_match_year_says_why_on_1_dec_2026():
    y, why = match_calendar.default_match_year(D(2026, 12, 1), lookup_on)
    assert y == 2028
    assert "2027 is possible only if your exams" in why and "projected" in why


def test_a_year_no_longer_reachable_is_said():
    note = img.TRACK_DEF.onboarding_note({"img": {"match_year": 2026}}, D(2026, 12, 1))
    assert "can no longer be reached" in note and "2028" in note
    note = img.TRACK_DEF.onboarding_note({"img": {"match_year": 2027}}, D(2026, 12, 1))
    assert "possible only if" in note
    assert img.TRACK_DEF.onboarding_defaults(D(2026, 12, 1)) == {"img": {"match_year": 2028}}


def test_new_profile_is_recognised_until_a_step_fact_is_entered():
    doc = {"tracks": ["img"], "facts": {"img": {"match_year": 2028},
                                        "ecfmg.school": {"school_name": "X", "graduation_date": "2026-06-30"}}}
    assert journey_view.is_new_profile(doc)
    doc["facts"]["usmle.step1"] = {"attempts": [{"date": "2026-05-01", "result": "pass"}]}
    assert not journey_view.is_new_profile(doc)
    j = Journey(D(2026, 12, 1), [run({"img": {"match_year": 2028}}, D(2026, 12, 1))])
    assert journey_view.start_here(j)[0][0] == "ecfmg.school"


def test_launch_summary_of_an_empty_profile_lists_nothing_overdue():
    # before issue 12 it listed 5 "overdue" items (the school's 2025-09-19 lead, the ERAS opening,
    # NRMP's registration opening ...) for a profile the user had told nothing
    from core import reminders as rem
    from core.engine import evaluate
    doc = {"format": "certpath-profile/1", "name": "N", "role": "img_physician", "tracks": ["img"],
           "facts": {"img": {"match_year": 2027}}, "overrides": {}}
    today = D(2026, 12, 1)
    s = rem.summary(rem.from_journey(evaluate(doc, today, RULES)), today)
    assert s.overdue == []


def test_rules_output_says_which_2027_calendar_records_are_projected(capsys):
    import json

    from core.cli import main
    main(["rules", "--id", "match.calendar.2027.rol_deadline"])
    rec = json.loads(capsys.readouterr().out)[0]
    assert rec["projected"] is True and rec["kind"] == "deadline" and rec["confidence"] == "low"
    main(["rules", "--id", "match.calendar.2026.match_day"])  # published: no projected flag
    assert "projected" not in json.loads(capsys.readouterr().out)[0]
