"""The img track engine: statuses, dates, blockers and warnings from facts and rule records."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from findings_util import codes, has, has_any
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import facts_for  # tests/strategies.py, shared with test_cards_properties

from core import resources_dir
from core.engine import base, img
from core.engine import check_step as engine_check_step
from core.engine.base import Context
from core.engine.findings import F
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
TODAY = D(2026, 11, 21)
DEMO = json.loads((resources_dir() / "demo" / "img-demo.json").read_text(encoding="utf-8"))

PRODUCT_IDS = [
    "ecfmg.school", "ecfmg.application", "usmle.step1", "usmle.step2ck", "ecfmg.oet", "ecfmg.pathway",
    "ecfmg.credentials", "ecfmg.certificate", "match.eras", "match.nrmp", "match.rol", "match.result",
    "residency.training", "usmle.step3", "license.state", "visa",
]
ECFMG_BRANCH = ["ecfmg.application", "usmle.step1", "usmle.step2ck", "ecfmg.oet", "ecfmg.pathway",
                "ecfmg.credentials", "ecfmg.certificate"]


def run(facts, today=TODAY, overrides=None):
    prof = {"format": "certpath-profile/1", "tracks": ["img"], "facts": facts, "overrides": overrides or {}}
    return img.evaluate_track("img", Context(today=today, rules=RULES, profile=prof))


def good_school():
    return {"wdoms_listed": True, "sponsor_note": True, "sponsor_note_from_year": 2000,
            "graduation_date": "2022-06-30", "credit_years": 6, "degree": "medicine"}


def base_facts(match_year=2026, **track):
    return {
        "img": {"match_year": match_year, "specialty": "internal_medicine", "target_state": "NY",
                "visa_need": "needs_j1", "birth_date": "1995-01-01", **track},
        "ecfmg.school": good_school(),
        "ecfmg.application": {"submitted_date": "2023-01-01", "accepted_date": "2023-02-01"},
    }


def fails(*dates):
    return [{"date": d, "result": "fail"} for d in dates]


# ---------------------------------------------------------------------------------------------
# Shape and the demo

def test_step_ids_are_the_product_ids_in_journey_order():
    assert [s.id for s in img.TRACKS["img"]] == PRODUCT_IDS
    stages = [s.stage for s in img.STEPS]
    assert stages[0] == "ECFMG certification" and "The Match" in stages and stages[-1] == "Visa"
    for s in img.STEPS:
        assert s.description and set(s.depends_on) <= set(PRODUCT_IDS[: PRODUCT_IDS.index(s.id)])
    keys = {f.key for f in img.TRACK_FIELDS["img"]}
    assert {"match_year", "specialty", "target_state", "visa_need", "birth_date"} <= keys
    visa = next(f for f in img.TRACK_FIELDS["img"] if f.key == "visa_need")
    assert [c[0] for c in visa.choices] == ["us_citizen", "permanent_resident", "needs_j1", "needs_h1b", "undecided"]


def test_demo_profile_mid_journey():
    assert DEMO["format"] == "certpath-profile/1" and DEMO["tracks"] == ["img", "bls", "pals"]  # a pediatrics applicant holds BLS and PALS too
    for sid, data in DEMO["facts"].items():
        assert engine_check_step(sid, data, DEMO, TODAY, RULES) == [], sid
    tr = img.evaluate_track("img", Context(TODAY, RULES, DEMO))
    st_ = {s.id: s.status for s in tr.steps}
    assert st_["usmle.step1"] == "done"
    assert st_["usmle.step2ck"] == "in_progress"
    assert st_["ecfmg.oet"] == "done"
    assert st_["ecfmg.pathway"] == "in_progress"
    assert st_["visa"] == "in_progress"
    assert tr.step("match.rol").due == D(2027, 3, 3)
    # issue 12: the 2027 season is now in the data as projected records (pathways.2027.*), so it is
    # said as a low-confidence projection, not as "not published" (the old test encoded the gap).
    assert has(tr.step("ecfmg.pathway").warnings, "rule.low_confidence", rule="pathways.2027.application_deadline")
    assert "img.eras.step2ck_after_submissions" in codes(tr.step("match.eras").warnings)
    for s in tr.steps:
        assert s.to_json()["status"] in base.STATUSES


# ---------------------------------------------------------------------------------------------
# School eligibility

def test_no_sponsor_note_blocks_the_whole_ecfmg_branch():
    f = base_facts()
    f["ecfmg.school"]["sponsor_note"] = False
    tr = run(f)
    assert tr.step("ecfmg.school").status == "blocked"
    assert tr.step("ecfmg.school").reasons[0].code == "img.school.no_sponsor_note"
    for sid in ECFMG_BRANCH + ["match.rol", "usmle.step3", "license.state", "visa"]:
        s = tr.step(sid)
        assert s.status == "blocked", sid
        assert s.blocked_by and any(b.why.params.get("why") == F("img.school.no_sponsor_note") or b.why.code == "img.school.no_sponsor_note"
                                    for b in s.blocked_by), sid


@pytest.mark.parametrize("change,needle", [
    ({"graduation_date": "1999-06-30"}, "img.school.year_not_covered"),
    ({"sponsor_note_to_year": 2020}, "img.school.year_not_covered"),
    ({"credit_years": 3}, "img.school.too_few_credit_years"),
    ({"degree": "ayurvedic"}, "img.school.degree_excluded"),
])
def test_school_eligibility_failures(change, needle):
    f = base_facts()
    f["ecfmg.school"].update(change)
    s = run(f).step("ecfmg.school")
    assert s.status == "blocked" and needle in codes(s.reasons)


def test_school_with_four_credit_years_qualifies():
    f = base_facts()
    f["ecfmg.school"]["credit_years"] = 4
    assert run(f).step("ecfmg.school").status == "done"


# ---------------------------------------------------------------------------------------------
# USMLE attempts

def test_four_failures_block_every_step_only_from_2021_07_01():
    f = base_facts()
    f["usmle.step1"] = {"attempts": fails("2019-01-10", "2019-06-10", "2019-12-10", "2020-12-10")}
    before = run(f, today=D(2021, 6, 30))
    assert before.step("usmle.step1").status != "blocked"
    assert before.step("usmle.step1").info["attempts_left"] == 2  # limit 6 then
    after = run(f, today=D(2021, 7, 1))
    for sid in ("usmle.step1", "usmle.step2ck", "usmle.step3"):
        assert after.step(sid).status == "blocked", sid
    assert has(after.step("usmle.step2ck").reasons[:1], "img.exam.attempt_limit_reached", step="usmle.step1")
    assert after.step("usmle.step2ck").blocked_by[0].step == "usmle.step1"


def test_three_failures_leave_one_attempt_with_fourth_attempt_spacing():
    f = base_facts(match_year=2027)
    f["usmle.step2ck"] = {"attempts": fails("2025-01-10", "2025-04-10", "2025-08-10")}
    s = run(f, today=D(2025, 9, 1)).step("usmle.step2ck")
    assert s.status == "in_progress" and s.info["attempts_left"] == 1
    # 4th: >= 12 months after the first (2026-01-10), >= 6 after the latest (2026-02-10)
    assert s.info["next_attempt_from"] == D(2026, 2, 10)


@pytest.mark.parametrize("sched,flagged", [("2026-02-09", True), ("2026-02-10", False)])
def test_scheduled_fourth_attempt_before_the_spacing_allows_is_flagged(sched, flagged):
    f = base_facts(match_year=2027)
    f["usmle.step2ck"] = {"attempts": fails("2025-01-10", "2025-04-10", "2025-08-10"),
                          "window_start": "2026-01-15", "scheduled_date": sched}
    s = run(f, today=D(2025, 9, 1)).step("usmle.step2ck")
    # Issue 12: a date the attempt rules forbid was only a warning next to a "sit the exam" action
    # dated on that day; now it is a reason that makes the step at risk, and the action is the
    # earliest allowed date instead.
    assert has(s.reasons, "img.exam.date_before_spacing") is flagged
    assert (s.status == "at_risk") is flagged
    assert any(a.key == "sit-exam" for a in s.actions) is not flagged


def test_three_attempts_in_twelve_months():
    f = base_facts(match_year=2028)
    # 5th attempt era (limit 6 before July 2021): 3 attempts in 12 months push the next one
    f["usmle.step1"] = {"attempts": fails("2020-01-15", "2020-03-15", "2020-05-15")}
    s = run(f, today=D(2020, 6, 1)).step("usmle.step1")
    assert s.info["next_attempt_from"] == D(2021, 1, 15)
    f["usmle.step1"] = {"attempts": fails("2020-01-15", "2020-03-15")}
    assert "next_attempt_from" not in run(f, today=D(2020, 6, 1)).step("usmle.step1").info


def test_retake_after_pass_is_flagged():
    f = base_facts()
    f["usmle.step1"] = {"attempts": [{"date": "2024-01-10", "result": "pass"},
                                     {"date": "2024-06-10", "result": "fail"}]}
    s = run(f).step("usmle.step1")
    assert s.status == "done" and has(s.warnings, "img.exam.attempts_after_pass", attempts=1)


@pytest.mark.parametrize("date,score,flagged", [
    ("2025-06-30", 215, False),  # 214 in force
    ("2025-07-01", 215, True),  # 218 in force
    ("2025-07-01", 218, False),
    ("2022-06-30", 210, False),  # 209 in force
    ("2022-07-01", 210, True),  # 214 in force
])
def test_pass_below_the_standard_on_its_test_date_is_a_likely_entry_error(date, score, flagged):
    f = base_facts(match_year=2027)
    f["usmle.step2ck"] = {"attempts": [{"date": date, "result": "pass", "score": score}]}
    s = run(f).step("usmle.step2ck")
    assert s.status == "done"
    assert has_any(s.warnings, "img.exam.pass_below_standard", "img.exam.pass_below_standard_unsure", score=score) is flagged
    assert "usmle.step2ck.passing_score" in s.rules


@pytest.mark.parametrize("date,flagged", [("2022-01-25", False), ("2022-01-26", True)])
def test_step1_score_after_pass_fail(date, flagged):
    f = base_facts()
    f["usmle.step1"] = {"attempts": [{"date": date, "result": "pass", "score": 230}]}
    assert has(run(f).step("usmle.step1").warnings, "img.exam.step1_score_on_pass_fail") is flagged


def test_step3_standard_change():
    f = base_facts()
    f["ecfmg.certificate"] = {"issued_date": "2023-06-01"}
    f["usmle.step3"] = {"attempts": [{"date": "2023-12-31", "result": "pass", "score": 199}]}
    assert not has_any(run(f).step("usmle.step3").warnings, "img.exam.pass_below_standard",
                   "img.exam.pass_below_standard_unsure")
    f["usmle.step3"] = {"attempts": [{"date": "2024-01-01", "result": "pass", "score": 199}]}
    # the 200 standard rests on one secondary page (low confidence): said as unsure
    assert has(run(f).step("usmle.step3").warnings, "img.exam.pass_below_standard_unsure", std=200)


# ---------------------------------------------------------------------------------------------
# The Match deadline

@pytest.mark.parametrize("sched,status", [("2026-01-20", "in_progress"), ("2026-02-10", "at_risk")])
def test_step2ck_result_after_the_rol_deadline_puts_it_and_the_rol_at_risk(sched, status):
    f = base_facts(match_year=2026)
    f["usmle.step2ck"] = {"window_start": "2026-01-01", "scheduled_date": sched}
    tr = run(f, today=D(2025, 12, 1))
    s = tr.step("usmle.step2ck")
    assert s.status == status
    assert s.info["expected_on"].weekday() == 2  # released on Wednesdays
    if status == "at_risk":
        assert s.deadline == D(2026, 3, 4)
        assert tr.step("match.rol").status == "at_risk" and tr.step("match.rol").deadline == D(2026, 3, 4)
    else:
        assert tr.step("match.rol").status != "at_risk"


def passed_ecfmg_exams(f):
    f["usmle.step1"] = {"attempts": [{"date": "2024-03-01", "result": "pass"}]}
    f["usmle.step2ck"] = {"attempts": [{"date": "2024-08-01", "result": "pass", "score": 240}]}
    f["ecfmg.oet"] = {"sittings": [{"date": "2025-03-01", "listening": 400, "reading": 400,
                                    "speaking": 400, "writing": 400}]}
    f["ecfmg.pathway"] = {"season": 2026, "applied_date": "2025-09-01", "accepted_date": "2025-11-01"}
    f["match.nrmp"] = {"registered_date": "2025-09-16"}
    return f


@pytest.mark.parametrize("today,status", [(D(2026, 3, 4), "not_started"), (D(2026, 3, 5), "blocked")])
def test_rol_blocked_after_the_deadline_without_a_list(today, status):
    tr = run(passed_ecfmg_exams(base_facts(match_year=2026)), today=today)
    assert tr.step("match.rol").status == status


def test_rol_blocked_when_ecfmg_could_not_verify_by_the_deadline():
    f = passed_ecfmg_exams(base_facts(match_year=2026))
    f["ecfmg.pathway"] = {"season": 2026, "applied_date": "2025-09-01"}
    f["match.rol"] = {"certified_date": "2026-03-01"}
    assert run(f, today=D(2026, 3, 2)).step("match.rol").status == "in_progress"
    s = run(f, today=D(2026, 3, 5)).step("match.rol")
    assert s.status == "blocked" and s.reasons[0].code == "img.rol.withdrawn"
    f["ecfmg.pathway"]["accepted_date"] = "2026-02-01"
    assert run(f, today=D(2026, 3, 5)).step("match.rol").status == "done"


def test_eras_documents_and_token():
    f = base_facts(match_year=2027)
    f["match.eras"] = {"token_date": "2026-06-10", "documents": [{"kind": "mspe", "uploaded_date": "2026-07-01"}]}
    s = run(f, today=D(2026, 7, 15)).step("match.eras")
    # issue 12: the step is due by programs' first review day (a recommended_by date), not on the
    # first submission day (an opening); the old test encoded the opening as the due date.
    assert s.status == "in_progress" and s.due == D(2026, 9, 23)
    assert "mspe" not in s.info["documents_missing"] and "photo" in s.info["documents_missing"]
    assert has(s.actions, "img.eras.upload", document="Photo")


# ---------------------------------------------------------------------------------------------
# Clinical skills: CS legacy, OET

def test_legacy_cs_pass_makes_oet_and_pathway_not_applicable():
    f = base_facts()
    f["ecfmg.pathway"] = {"legacy_cs_pass": True}
    tr = run(f)
    assert tr.step("ecfmg.oet").status == "not_applicable"
    assert tr.step("ecfmg.pathway").status == "not_applicable"
    assert "ecfmg.cs.legacy_pass_exempts" in tr.step("ecfmg.pathway").rules


def oet(date, lis=360, rea=360, spe=360, wri=300):
    return {"date": date, "listening": lis, "reading": rea, "speaking": spe, "writing": wri}


@pytest.mark.parametrize("date,status", [("2022-03-31", "in_progress"), ("2022-04-01", "done")])
def test_oet_writing_300_counts_from_2022_04_01(date, status):
    f = base_facts(match_year=2023)
    f["ecfmg.pathway"] = {"season": 2023}
    f["ecfmg.oet"] = {"sittings": [oet(date)]}
    assert run(f, today=D(2022, 6, 1)).step("ecfmg.oet").status == status


def test_oet_must_be_one_sitting():
    f = base_facts(match_year=2025)
    f["ecfmg.oet"] = {"sittings": [oet("2023-05-01", wri=250), oet("2023-07-01", lis=300, wri=400)]}
    s = run(f, today=D(2023, 9, 1)).step("ecfmg.oet")
    assert s.status == "in_progress" and s.reasons[-1].code == "img.oet.sitting_below_minimum"


@pytest.mark.parametrize("date,status", [("2022-12-31", "expired"), ("2023-01-01", "done")])
def test_oet_recency_for_the_2025_season(date, status):
    f = base_facts(match_year=2025)
    f["ecfmg.oet"] = {"sittings": [oet(date)]}
    s = run(f, today=D(2024, 10, 1)).step("ecfmg.oet")
    assert s.status == status and "oet.recency.2025" in s.rules


def test_oet_recency_unpublished_season_asks_for_ecfmg_date():
    f = base_facts(match_year=2028)
    f["ecfmg.oet"] = {"sittings": [oet("2021-05-01", wri=360)]}
    s = run(f).step("ecfmg.oet")
    assert s.status == "done"
    assert "img.oet.recency_unpublished" in codes(s.warnings)
    f["ecfmg.oet"]["earliest_accepted_date"] = "2025-01-01"
    s = run(f).step("ecfmg.oet")
    assert s.status == "expired" and "img.oet.recency_unpublished" not in codes(s.warnings)


def test_pathway_season_deadline_passed_blocks():
    f = base_facts(match_year=2025)
    # issue 12: within the 30-day lead (DEADLINE_LEAD_DAYS) the step is at_risk; the old test
    # expected not_started on the deadline's own day (a deadline that came silently).
    assert run(f, today=D(2025, 4, 30)).step("ecfmg.pathway").status == "not_started"
    assert run(f, today=D(2025, 5, 31)).step("ecfmg.pathway").status == "at_risk"
    s = run(f, today=D(2025, 6, 1)).step("ecfmg.pathway")
    # issue 12: the passed deadline names the next season (code application_deadline_passed)
    assert s.status == "blocked" and has(s.reasons[:1], "img.pathway.application_deadline_passed",
                                         deadline=D(2025, 5, 31), next_season=2026)


# ---------------------------------------------------------------------------------------------
# Exam window, credentials, certificate

@pytest.mark.parametrize("today,status", [(D(2025, 1, 10), "done"), (D(2025, 1, 11), "expired")])
def test_seven_year_exam_window(today, status):
    f = base_facts(match_year=2030)
    f["usmle.step1"] = {"attempts": [{"date": "2018-01-10", "result": "pass"}]}
    tr = run(f, today=today)
    assert tr.step("usmle.step1").status == status
    assert tr.step("usmle.step1").info["exam_window_ends"] == D(2025, 1, 10)
    assert "ecfmg.exam_window_years" in tr.step("usmle.step1").rules


def test_step2ck_planned_after_the_window_is_at_risk():
    f = base_facts(match_year=2030)
    f["usmle.step1"] = {"attempts": [{"date": "2020-01-10", "result": "pass"}]}
    f["usmle.step2ck"] = {"window_start": "2027-01-01", "scheduled_date": "2027-03-01"}
    s = run(f, today=D(2026, 11, 21)).step("usmle.step2ck")
    assert s.status == "at_risk" and s.deadline == D(2027, 1, 10)


def test_credentials_late_graduation_is_at_risk():
    f = base_facts(match_year=2027)
    f["ecfmg.school"]["graduation_date"] = "2027-05-01"
    s = run(f).step("ecfmg.credentials")
    # due = 1 July 2027 - 14 days; 90 days from graduation lands after it
    assert s.due == D(2027, 6, 17) and s.status == "at_risk" and s.deadline == D(2027, 6, 17)
    f["ecfmg.school"]["graduation_date"] = "2027-03-01"
    assert run(f).step("ecfmg.credentials").status == "not_started"


def test_pathway_certificate_expiring_before_permanent_validation():
    f = base_facts(match_year=2026)
    f["match.result"] = {"outcome": "matched"}
    f["ecfmg.certificate"] = {"issued_date": "2026-05-01", "valid_through": "2027-01-31"}
    s = run(f).step("ecfmg.certificate")
    assert s.status == "at_risk" and s.deadline == D(2027, 1, 31) and s.expires == D(2027, 1, 31)
    assert s.info["permanent_validation_from"] == D(2027, 7, 1)
    assert run(f, today=D(2027, 2, 1)).step("ecfmg.certificate").status == "expired"
    f["ecfmg.certificate"]["permanently_validated"] = True
    assert run(f, today=D(2027, 2, 1)).step("ecfmg.certificate").status == "done"


# ---------------------------------------------------------------------------------------------
# Residency, Step 3, licence, visa

@pytest.mark.parametrize("spec,years", [("internal_medicine", 3), ("psychiatry", 4), ("neurological_surgery", 7)])
def test_residency_length_by_specialty_from_july_1(spec, years):
    f = base_facts(match_year=2027, specialty=spec)
    s = run(f).step("residency.training")
    assert s.due == D(2027 + years, 7, 1) and f"residency.length.{spec}" in s.rules


def test_program_years_entered_wins():
    f = base_facts(match_year=2027, specialty="emergency_medicine")
    f["match.result"] = {"program_years": 4}
    assert run(f).step("residency.training").due == D(2031, 7, 1)


def test_pennsylvania_step3_before_pgy3_and_licence_months():
    f = base_facts(match_year=2027, target_state="PA", specialty="neurological_surgery")
    tr = run(f)
    # J-1: USMLE recommends end of PGY-1, PA's hard rule is before PGY-3
    assert tr.step("usmle.step3").due == D(2028, 7, 1)
    # 24 months for every applicant, IMGs included: the State Board of Medicine's licensure snapshot
    # (pa.gov, 2025-05-05). The 36 months this test expected came from the 2011-17 tables.
    assert tr.step("license.state").due == D(2029, 7, 1)
    assert "license.state.PA" in tr.step("usmle.step3").rules


def test_california_licence_after_36_months_and_training_licence():
    f = base_facts(match_year=2027, target_state="CA")
    s = run(f).step("license.state")
    assert s.due == D(2030, 7, 1)
    assert any(a.what.code == "img.licence.training_licence" and a.date == D(2027, 12, 28) for a in s.actions)


def test_state_without_published_training_years_says_so():
    f = base_facts(match_year=2027, target_state="SD")
    s = run(f).step("license.state")
    assert s.due is None and "img.licence.training_years_unpublished" in codes(s.warnings)


def test_state_step3_attempt_limit_blocks_the_licence():
    f = base_facts(match_year=2024, target_state="TX")
    f["ecfmg.certificate"] = {"issued_date": "2024-05-01"}
    f["usmle.step3"] = {"attempts": fails("2024-09-01", "2025-01-10", "2025-05-10")}
    tr = run(f)
    assert tr.step("license.state").status == "blocked"
    assert tr.step("usmle.step3").status != "blocked"  # USMLE still allows a 4th


def test_h1b_needs_step3_first():
    f = base_facts(match_year=2027, visa_need="needs_h1b")
    tr = run(f)
    assert tr.step("usmle.step3").due == D(2027, 3, 19)  # by Match Day
    assert any(b.step == "usmle.step3" for b in tr.step("visa").blocked_by)
    # the certificate is then needed early enough to sit Step 3 before Match Day
    assert tr.step("ecfmg.certificate").due < D(2027, 2, 19)


# The payment ran to 2026-09-21 and no source says it ended: a second (low-confidence) period keeps it
# in force after that day (issue 12: it stays until a source says it ended).
@pytest.mark.parametrize("filed,needle", [("2026-09-20", "img.h1b.payment_may_apply"), ("2026-09-21", "img.h1b.payment_may_apply")])
def test_h1b_payment_rule_by_petition_date(filed, needle):
    f = base_facts(match_year=2027, visa_need="needs_h1b")
    f["visa"] = {"h1b_petition_filed": filed}
    assert needle in codes(run(f).step("visa").warnings)


@pytest.mark.parametrize("need", ["us_citizen", "permanent_resident"])
def test_no_visa_for_citizens_and_permanent_residents(need):
    assert run(base_facts(visa_need=need)).step("visa").status == "not_applicable"


def test_j1_statement_of_need_and_ds2019():
    f = base_facts(match_year=2027)
    s = run(f).step("visa")
    assert any(a.what.code == "img.j1.ds2019_window" and a.date == D(2027, 1, 1) for a in s.actions)
    assert any(a.what.code == "img.j1.statement_of_need" and a.date == D(2027, 3, 19) for a in s.actions)
    f["match.result"] = {"outcome": "matched"}
    # issue 12: a Pathway still not applied for after its application deadline (2026-12-31) now
    # blocks the ECFMG branch, and through the certificate the visa: a matched applicant has one.
    f["ecfmg.pathway"] = {"accepted_date": "2026-11-01"}
    assert run(f, today=D(2027, 3, 19)).step("visa").status == "not_started"
    assert run(f, today=D(2027, 3, 20)).step("visa").status == "at_risk"
    f["visa"] = {"statement_of_need_requested": "2027-01-10", "ds2019_issued": "2026-12-31"}
    s = run(f, today=D(2027, 3, 20)).step("visa")
    assert s.status == "in_progress" and "img.j1.ds2019_too_early" in codes(s.warnings)


@pytest.mark.parametrize("today,at_risk", [(D(2027, 5, 20), False), (D(2027, 5, 21), True)])
def test_the_ds2019_apply_by_date_is_a_recommendation_never_overdue(today, at_risk):
    """Start 2027-07-01 less ECFMG's 6 weeks: apply by 2027-05-20. The day after, the step is at
    risk (the DS-2019 may come after the start) but the apply-by reminder is passed, not overdue:
    it is a lead CertPath computes, the start date is the deadline."""
    from core import reminders as rem

    f = base_facts(match_year=2027)
    f["match.result"] = {"outcome": "matched"}
    f["ecfmg.pathway"] = {"accepted_date": "2026-11-01"}
    f["visa"] = {"statement_of_need_requested": "2027-01-10"}
    j = base.Journey(today=today, tracks=[run(f, today=today)])
    s = j.step("visa")
    a = next(a for a in s.actions if a.key == "apply-ds2019")
    assert (a.date, a.date_kind) == (D(2027, 5, 20), "recommended_by")
    assert (s.status == "at_risk") is at_risk
    assert ("img.j1.ds2019_lead_passed" in codes(s.reasons)) is at_risk
    r = next(r for r in rem.from_journey(j) if r.action_key == "apply-ds2019")
    assert not r.is_overdue(today) and r.is_passed(today) is at_risk


def test_override_is_used_and_reported():
    f = base_facts(match_year=2027)
    f["usmle.step2ck"] = {"attempts": [{"date": "2025-08-01", "result": "pass", "score": 219}]}
    s = run(f, overrides={"usmle.step2ck.passing_score": {"value": 220, "note": "board said 220"}}).step("usmle.step2ck")
    assert "usmle.step2ck.passing_score" in s.overrides
    assert has_any(s.warnings, "img.exam.pass_below_standard", "img.exam.pass_below_standard_unsure")
    assert has(s.warnings, "rule.override_used_note", rule="usmle.step2ck.passing_score", value=220)


# ---------------------------------------------------------------------------------------------
# check_step (cross-field problems)

def problems(step_id, data, facts=None, today=TODAY):
    prof = {"tracks": ["img"], "facts": facts or base_facts()}
    return engine_check_step(step_id, data, prof, today, RULES)


def found(ps):
    """(field, code, params) of each problem: cross-field problems are findings (issue 11)."""
    return [(x.field, x.code, dict(x.params)) for x in ps]


def test_check_result_before_test_and_test_before_birth():
    p = problems("usmle.step1", {"attempts": [{"date": "2024-05-01", "result": "pass", "result_date": "2024-04-01"}]})
    assert found(p) == [("attempts[0].result_date", "img.check.result_before_test",
                         {"first": D(2024, 5, 1), "then": D(2024, 4, 1)})]
    assert p[0].message == "the result (2024-04-01) is before the test date (2024-05-01)"  # the catalogue's, ISO
    p = problems("usmle.step1", {"attempts": [{"date": "1990-05-01", "result": "pass"}]})
    assert found(p) == [("attempts[0].date", "img.check.before_birth", {"date": D(1990, 5, 1), "birth": D(1995, 1, 1)})]


def test_check_result_for_future_test_and_window():
    p = problems("usmle.step2ck", {"attempts": [{"date": "2027-01-01", "result": "pass"}]})
    assert found(p) == [("attempts[0].date", "img.check.future_attempt_has_result", {"date": D(2027, 1, 1)})]
    assert problems("usmle.step2ck", {"window_start": "2026-11-01", "scheduled_date": "2027-01-31"}) == []
    p = problems("usmle.step2ck", {"window_start": "2026-11-01", "scheduled_date": "2027-02-01"})
    assert found(p) == [("scheduled_date", "img.check.outside_window",
                         {"sched": D(2027, 2, 1), "months": 3, "window_start": D(2026, 11, 1),
                          "window_end": D(2027, 1, 31)})]


def test_check_oet_range_and_school_years_and_credentials():
    assert problems("ecfmg.oet", {"sittings": [oet("2025-01-01", wri=501)]})[0].field == "sittings[0].writing"
    assert problems("ecfmg.oet", {"sittings": [oet("2025-01-01", wri=500)]}) == []
    p = problems("ecfmg.oet", {"sittings": [{**oet("2027-01-01"), "result_date": "2026-12-01"}]})
    assert [x.code for x in p] == ["img.check.result_before_test", "img.check.future_sitting_has_scores"]
    # Issue 12: a graduation year outside the sponsor note's years used to be refused here as a
    # typing error, so the blocked eligibility path could never run. It is an eligibility fact
    # now (ecfmg.school blocked, see test_statuses.py); a to-year before the from-year stays an error.
    assert problems("ecfmg.school", {**good_school(), "sponsor_note_from_year": 2023}) == []
    p = problems("ecfmg.school", {**good_school(), "sponsor_note_from_year": 2023, "sponsor_note_to_year": 2020})
    assert found(p) == [("sponsor_note_to_year", "img.check.sponsor_years_reversed", {"first": 2023, "last": 2020})]
    p = problems("ecfmg.credentials", {"diploma_verified_date": "2022-06-01"})
    assert found(p) == [("diploma_verified_date", "img.check.verified_before_graduation",
                         {"date": D(2022, 6, 1), "graduation": D(2022, 6, 30)})]


def test_check_match_start_before_match_day():
    p = problems("match.result", {"start_date": "2026-03-19"})
    assert [(x.field, x.code) for x in p] == [("start_date", "img.check.start_before_match_day")]
    assert isinstance(p[0].params["match_day"], dt.date) and p[0].params["match_day"] > D(2026, 3, 19)
    assert problems("match.result", {"start_date": "2026-07-01"}) == []


@pytest.mark.parametrize("step_id,data,field,code", [
    ("ecfmg.application", {"submitted_date": "2023-02-01", "accepted_date": "2023-01-01"}, "accepted_date",
     "img.check.accepted_before_submitted"),
    ("ecfmg.pathway", {"applied_date": "2023-02-01", "accepted_date": "2023-01-01"}, "accepted_date",
     "img.check.accepted_before_applied"),
    ("ecfmg.credentials", {"diploma_submitted_date": "2023-02-01", "diploma_verified_date": "2023-01-01"},
     "diploma_verified_date", "img.check.verified_before_submitted"),
    ("ecfmg.certificate", {"issued_date": "2023-02-01", "valid_through": "2023-01-01"}, "valid_through",
     "img.check.valid_through_before_issued"),
    ("residency.training", {"start_date": "2027-07-01", "completed_date": "2027-06-30"}, "completed_date",
     "img.check.completed_before_started"),
    ("license.state", {"applied_date": "2023-02-01", "issued_date": "2023-01-01"}, "issued_date",
     "img.check.issued_before_applied"),
    ("visa", {"statement_of_need_requested": "2023-02-01", "statement_of_need_received": "2023-01-01"},
     "statement_of_need_received", "img.check.received_before_requested"),
    ("visa", {"h1b_petition_filed": "2023-02-01", "h1b_approved": "2023-01-01"}, "h1b_approved",
     "img.check.approved_before_filed"),
])
def test_check_two_dates_in_the_wrong_order(step_id, data, field, code):
    first, then = (D.fromisoformat(v) for v in data.values())
    assert found(problems(step_id, data)) == [(field, code, {"first": first, "then": then})]
    assert problems(step_id, {k: v for k, v in data.items() if k != field}) == []


def test_check_birth_date_and_match_year_on_the_track_facts():
    p = problems("img", {"birth_date": "2027-01-01", "match_year": 2030})
    assert found(p) == [("birth_date", "img.check.birth_in_future", {}),
                        ("match_year", "img.check.match_year_too_soon", {"match_year": 2030, "birth_year": 2027})]


def test_a_check_is_worded_by_the_catalogue_with_the_installed_date_format():
    from core import wording

    p = problems("usmle.step1", {"attempts": [{"date": "2024-05-01", "result": "pass", "result_date": "2024-04-01"}]})[0]
    before = wording.date_formatter()
    wording.set_date_formatter(lambda d: d.strftime("%d/%m/%Y"))  # as the GUI installs one
    try:
        shown = p.text()
    finally:
        wording.set_date_formatter(before)
    assert shown == "the result (01/04/2024) is before the test date (01/05/2024)"
    assert p.text(iso=True) == p.message == "the result (2024-04-01) is before the test date (2024-05-01)"
    # inside a whole profile (core.profiles) the problem keeps its code
    whole = p.at("facts.usmle.step1." + p.field)
    assert whole.code == p.code and whole.params == p.params and whole.field == "facts.usmle.step1.attempts[0].result_date"


# ---------------------------------------------------------------------------------------------
# Properties


PROFILES = st.fixed_dictionaries(
    {"img": facts_for(img.TRACK_FIELDS["img"])},
    optional={s.id: facts_for(s.fields) for s in img.STEPS},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=PROFILES, today=st.dates(min_value=D(2018, 1, 1), max_value=D(2034, 1, 1)))
def test_any_valid_profile_evaluates(facts, today):
    prof = {"tracks": ["img"], "facts": facts, "overrides": {}}
    tr = img.evaluate_track("img", Context(today, RULES, prof))
    json.dumps(tr.to_json())
    assert [s.id for s in tr.steps] == PRODUCT_IDS
    by = {s.id: s for s in tr.steps}
    for s in tr.steps:
        assert s.status in base.STATUSES
        if s.status == "at_risk":
            assert s.deadline is not None, s.id
        if s.status == "blocked":
            assert s.blocked_by or s.reasons, s.id
        sd = img._DEF[s.id]
        for dep in base.depends_on(sd, s, img._DEF):  # the route's own list on a residency-free route
            d = by[dep]
            if d.due and s.due and d.due > s.due and s.status not in ("done", "not_applicable") \
                    and d.status not in ("done", "not_applicable"):
                assert has(s.warnings, "dep.due_after", step=dep), \
                    (s.id, dep)
        for rid in s.rules:
            assert rid in RULES, rid


@settings(max_examples=100, deadline=None)
@given(facts=PROFILES)
def test_generated_profiles_pass_field_validation_and_cross_checks_do_not_crash(facts):
    prof = {"tracks": ["img"], "facts": facts}
    for sid, data in facts.items():
        engine_check_step(sid, copy.deepcopy(data), prof, TODAY, RULES)


@settings(max_examples=60, deadline=None)
@given(bad=st.one_of(st.text(max_size=5), st.integers(-5, 5), st.booleans(),
                     st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
       rid=st.sampled_from(["usmle.fourth_attempt_spacing", "usmle.score_turnaround", "usmle.attempt_limit",
                            "oet.minimum_scores", "match.calendar.pattern", "license.state.PA",
                            "residency.start", "ecfmg.exam_window_years"]))
def test_odd_override_values_never_break_the_journey(bad, rid):
    f = copy.deepcopy(DEMO["facts"])
    f["usmle.step2ck"]["attempts"] = fails("2025-01-10", "2025-04-10", "2025-08-10")
    tr = run(f, overrides={rid: {"value": bad, "note": "test"}})
    assert all(s.status in base.STATUSES for s in tr.steps)


# ---------------------------------------------------------------------------------------------
# Rule lookups within one evaluation (ImgEval.find reuses the record or gap found last)

def _long_history():
    """Step 2 CK attempts on both sides of each passing-score change (and before the first
    record: a gap), out of order; OET sittings on both sides of the Writing-300 change."""
    f = base_facts(match_year=2027)
    f["ecfmg.pathway"] = {"season": 2027}
    days = ["2025-07-01", "2013-05-01", "2014-06-30", "2014-07-01", "2022-06-30", "2022-07-01",
            "2025-06-30", "2019-01-01", "2013-06-01"]
    f["usmle.step2ck"] = {"attempts": [{"date": d, "result": "fail", "score": 212} for d in days]
                          + [{"date": "2026-03-01", "result": "pass", "score": 216}]}
    f["ecfmg.oet"] = {"sittings": [oet("2022-04-01"), oet("2022-03-31"), oet("2021-01-01"), oet("2023-01-01")]}
    return f


def _direct(monkeypatch):
    from core.engine.img.common import ImgEval, _rule

    monkeypatch.setattr(ImgEval, "find", lambda self, rid, on=None: _rule(self.ctx, rid, on or self.today))


@pytest.mark.parametrize("overrides", [{}, {"usmle.step2ck.passing_score": {"value": 213}},
                                       {"oet.minimum_scores": {"value": {"listening": 350, "reading": 350,
                                                                         "speaking": 350, "writing": 350}}}])
def test_reused_rule_lookups_give_what_a_lookup_per_date_gives(monkeypatch, overrides):
    f = _long_history()
    kept = json.dumps(run(f, TODAY, overrides).to_json(), sort_keys=True, default=str)
    _direct(monkeypatch)
    direct = json.dumps(run(f, TODAY, overrides).to_json(), sort_keys=True, default=str)
    assert kept == direct


def test_each_attempt_is_checked_against_the_passing_score_of_its_own_day():
    s = run(_long_history()).step("usmle.step2ck")
    warned = {w.params["date"] for w in s.warnings if w.code.startswith("img.exam.fail_at_standard")}
    # 212 fails below 214 (2022-07-01 to 2025-06-30) and 218, but is at the 209 standard before;
    # no record before 2014-07-01: no check
    assert warned == {D(2014, 7, 1), D(2022, 6, 30), D(2019, 1, 1)}
    assert has_any(s.warnings, "img.exam.pass_below_standard", "img.exam.pass_below_standard_unsure",
                   date=D(2026, 3, 1), std=218)


def test_each_oet_sitting_is_checked_against_the_minimums_of_its_own_day():
    s = run(_long_history()).step("ecfmg.oet")  # the latest passing sitting, too old for 2027
    assert s.status == "expired" and has(s.reasons, "img.oet.pass_too_old", date=D(2023, 1, 1))
    f = base_facts(match_year=2023)
    f["ecfmg.pathway"] = {"season": 2023}
    f["ecfmg.oet"] = {"sittings": [oet("2022-04-01"), oet("2022-03-31")]}
    s = run(f, today=D(2022, 6, 1)).step("ecfmg.oet")
    assert s.status == "done" and has(s.reasons, "img.oet.passed", date=D(2022, 4, 1))
    f["ecfmg.oet"]["sittings"] = [oet("2022-03-31"), oet("2021-01-01")]
    s = run(f, today=D(2022, 6, 1)).step("ecfmg.oet")
    assert s.status == "in_progress" and has(s.reasons, "img.oet.sitting_below_minimum", date=D(2022, 3, 31))


# ---------------------------------------------------------------------------------------------
# Uncertain rules: one finding per rule in the journey, one note per step as shown

def test_a_steps_notes_about_uncertain_rules_are_shown_as_one_naming_every_rule():
    from core.engine.findings import UNSURE, shown_warnings

    tr = img.evaluate_track("img", Context(TODAY, RULES, DEMO))
    s3 = tr.step("usmle.step3")
    differ = [w.params["rule"] for w in s3.warnings if w.code == "rule.sources_differ"]
    assert len(differ) >= 2  # the journey keeps each rule's own finding (the evaluate JSON too)
    shown = shown_warnings(s3.warnings)
    unsure = [w for w in shown if w.code.startswith("rule.unsure_")]
    assert [(w.code, w.params["differ"], w.params["count"]) for w in unsure] == [
        ("rule.unsure_differ", differ, len(differ))]
    assert not [w for w in shown if w.code in UNSURE]
    assert [w for w in shown if not w.code.startswith("rule.unsure_")] == [w for w in s3.warnings if w.code not in UNSURE]
    pathway = shown_warnings(tr.step("ecfmg.pathway").warnings)
    low = [w for w in pathway if w.code == "rule.unsure_low"]
    assert len(low) == 1 and "pathways.2027.application_deadline" in low[0].params["low"]
    assert low[0].text.startswith("Low confidence (")  # still said: low confidence
    visa = [w for w in shown_warnings(tr.step("visa").warnings) if w.code.startswith("rule.unsure_")]
    assert [w.code for w in visa] == ["rule.unsure_mixed"]
    assert visa[0].params["low"] == ["visa.j1.ds2019_earliest_months"]
    assert visa[0].params["differ"] == ["visa.j1.ds2019_processing_weeks"]
    # one uncertain rule: its own note, with its statement
    one = tr.step("ecfmg.credentials").warnings
    assert shown_warnings(one) == one and has(one, "rule.sources_differ", rule="ecfmg.credentials.school_response_days")


def test_attempt_counts_are_worded_singular_and_plural():
    # one failure: "1 unsuccessful attempt", two: "2 unsuccessful attempts" (no "attempt(s)")
    f = base_facts(match_year=2027)
    f["usmle.step2ck"] = {"attempts": fails("2025-01-10")}
    one = run(f, today=D(2025, 9, 1)).step("usmle.step2ck")
    f["usmle.step2ck"] = {"attempts": fails("2025-01-10", "2025-04-10")}
    two = run(f, today=D(2025, 9, 1)).step("usmle.step2ck")
    one_text = [r.text for r in one.reasons if r.code == "img.exam.attempts_left"]
    two_text = [r.text for r in two.reasons if r.code == "img.exam.attempts_left"]
    assert one_text == ["1 unsuccessful attempt; 3 left of 4."]  # the limit of 4 since 2021-07-01
    assert two_text == ["2 unsuccessful attempts; 2 left of 4."]
    assert all("(s)" not in r.text for r in one.reasons + two.reasons)
    f["usmle.step1"] = {"attempts": [{"date": "2024-01-10", "result": "pass"},
                                     {"date": "2024-06-10", "result": "fail"},
                                     {"date": "2024-09-10", "result": "fail"}]}
    s = run(f).step("usmle.step1")
    assert [w.text.split(":")[0] for w in s.warnings if w.code == "img.exam.attempts_after_pass"] == [
        "2 attempts recorded after the pass of 2024-01-10"]
