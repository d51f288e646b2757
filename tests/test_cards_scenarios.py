"""Realistic provider profiles, evaluated as a training-center coordinator would read them.

Each assertion cites the row of /work/shared/domain/provider-certifications.md it rests on
(§0 R1..R10, §1.x, §2, §3, §4). Planner offsets (90 / 30 / 7 days) are CertPath defaults, not AHA rules.
"""

import datetime as dt
import json

import pytest
from findings_util import codes, find, has

from core import resources_dir
from core.engine import evaluate
from core.engine.base import AT_RISK, BLOCKED, DONE, EXPIRED, IN_PROGRESS, NOT_APPLICABLE, NOT_STARTED

D = dt.date
TODAY = D(2026, 11, 21)


def doc(role, tracks, facts):
    return {"format": "certpath-profile/1", "name": role, "role": role, "tracks": tracks, "facts": facts,
            "overrides": {}}


def keys(step):
    return [a.key for a in step.actions]


# --- a new nurse who needs BLS and PALS and has nothing ------------------------------------------

NEW_NURSE = doc("nurse_picu", ["bls", "pals"], {})


def test_new_nurse_starts_at_enrolment_with_nothing_dated():
    j = evaluate(NEW_NURSE, TODAY)
    for card in ("bls", "pals"):
        assert j.step(f"{card}.enroll").status == NOT_STARTED
        assert keys(j.step(f"{card}.enroll")) == ["choose-course"]
        assert j.step(f"{card}.card").status == NOT_STARTED and j.step(f"{card}.card").expires is None
        assert j.step(f"{card}.renewal").status == NOT_STARTED
    # §3 BLS row: no prerequisite in our sources; attending still waits for enrolment
    assert j.step("bls.prerequisites").status == NOT_APPLICABLE
    assert [b.step for b in j.step("bls.attend").blocked_by] == ["bls.enroll"]
    # §1.3: precourse self-assessment >= 70%; a current BLS card assumed asked for (TC-configurable, M)
    p = j.step("pals.prerequisites")
    assert p.status == NOT_STARTED
    assert set(keys(p)) == {"precourse", "bls-current"}
    assert has(p.actions, "cards.prereq.precourse", mark=70)
    assert p.info["bls_card_required"].startswith("assumed")
    # §1.5: written exam 84%
    assert has(j.step("pals.exam").actions, "cards.exam.sit_exam", mark=84)
    # nothing is dated yet: no reminders to nag about
    assert all(a.date is None for s in j.all_steps() for a in s.actions)


def test_new_nurse_books_pals_before_bls_collision():
    # §1.3 BLS proficiency (M): a BLS course booked after the PALS course does not cover it
    facts = {"bls.enroll": {"body": "aha", "course_start": "2027-01-20"},
             "pals.enroll": {"body": "aha", "course_start": "2027-01-12", "course_end": "2027-01-13"}}
    p = evaluate(doc("nurse_picu", ["bls", "pals"], facts), TODAY).step("pals.prerequisites")
    assert p.status == AT_RISK and p.deadline == D(2027, 1, 12)
    assert "renew-bls" in keys(p) and has(p.warnings, "cards.prereq.collision_bls_course")
    facts["bls.enroll"]["course_start"] = "2027-01-05"  # BLS first: covers the PALS course
    p = evaluate(doc("nurse_picu", ["bls", "pals"], facts), TODAY).step("pals.prerequisites")
    assert "cards.prereq.bls_covers_course" in codes(p.reasons)


# --- a paramedic whose ACLS lapsed 10 days ago; TC allows renewal within 30 days ------------------

PARAMEDIC = doc("paramedic", ["acls"], {
    "acls.enroll": {"body": "aha", "format": "classroom", "course_start": "2024-10-08", "course_end": "2024-10-09"},
    "acls.card": {"issue_date": "2024-10-09", "ecard_claimed": True},
    "acls": {"lapsed_policy": "renewal_allowed_within_days", "lapsed_days": 30},
})


def test_paramedic_acls_lapsed_within_training_center_window():
    j = evaluate(PARAMEDIC, D(2026, 11, 10))
    c = j.step("acls.card")
    # R1: 9 Oct 2024 -> through 31 Oct 2026; R4: no grace, expired from 1 Nov
    assert c.status == EXPIRED and c.expires == D(2026, 10, 31)
    r = j.step("acls.renewal")
    # R6 (M): the TC's recorded window (30 days) lets the renewal course in until 30 Nov 2026
    assert r.status == AT_RISK and r.deadline == D(2026, 11, 30) and r.due == D(2026, 11, 30)
    assert r.blocked_by == []  # the expired card is the reason for the renewal, not a blocker
    assert keys(r) == ["renewal-window"] and r.actions[0].date == D(2026, 11, 30)
    assert has(r.reasons, "cards.lapse.lapsed", lapse_day=D(2026, 11, 1))
    # R6 / §1.5 remediation: expired-card update students get no remediation
    assert "cards.lapse.no_remediation" in codes(r.warnings)


def test_paramedic_after_the_window_needs_the_full_course():
    r = evaluate(PARAMEDIC, D(2026, 12, 1)).step("acls.renewal")
    assert r.status == BLOCKED and r.blocked_by[0].why.code == "cards.lapse.blocked_window_closed"
    assert keys(r) == ["book-full-course"]


def test_paramedic_renewal_booked_inside_the_window_is_in_progress():
    facts = {**PARAMEDIC["facts"], "acls.renewal": {"renewal_course_date": "2026-11-20"}}
    r = evaluate(doc("paramedic", ["acls"], facts), D(2026, 11, 10)).step("acls.renewal")
    assert r.status == IN_PROGRESS and keys(r) == ["attend-renewal"]
    assert "cards.lapse.no_remediation" in codes(r.warnings)


def test_lapsed_default_policy_is_full_course():
    # R6 default: "full provider course" unless the TC policy is recorded
    facts = {k: v for k, v in PARAMEDIC["facts"].items() if k != "acls"}
    r = evaluate(doc("paramedic", ["acls"], facts), D(2026, 11, 10)).step("acls.renewal")
    assert r.status == BLOCKED and "cards.lapse.no_remediation" not in codes(r.warnings)


# --- a Red Cross PALS holder --------------------------------------------------------------------

RED_CROSS = doc("respiratory_therapist", ["pals"], {
    "pals.enroll": {"body": "red_cross", "format": "classroom", "course_start": "2025-02-28", "course_end": "2025-02-28"},
    "pals.card": {"issue_date": "2025-02-28"},
})


def test_red_cross_pals_two_years_to_the_day():
    j = evaluate(RED_CROSS, TODAY)
    c = j.step("pals.card")
    # R7 (M): 2 years from completion, not end of month
    assert c.status == DONE and c.expires == D(2027, 2, 28)
    assert "claim-ecard" not in keys(c)  # R3 eCard claim is AHA's
    assert "renewal_date_on_card" not in c.info  # R2 month-only renewal date is AHA's
    # §2 Acceptance (M): some employers accept only AHA
    assert "cards.enroll.red_cross_acceptance" in codes(j.step("pals.enroll").warnings)
    r = j.step("pals.renewal")
    assert r.info["book_by"] == D(2026, 11, 30)  # planner default: 90 days before
    assert not {"cards.renewal.book_renewal_heartcode", "cards.renewal.finish_online_part"} & set(codes(r.actions))  # AHA


def test_red_cross_pals_lapsed_has_no_confirmed_review_window():
    # R7: the 30-day review entry is for basic-level courses; not confirmed for PALS (L)
    r = evaluate(RED_CROSS, D(2027, 3, 5)).step("pals.renewal")
    assert r.status == BLOCKED and "review_entry_until" not in r.info
    assert "cards.lapse.red_cross_window_unconfirmed" in codes(r.warnings)


def test_red_cross_leap_day_card():
    # R10 design note: 29 Feb + 2 years -> 28 Feb
    facts = {"pals.enroll": {"body": "red_cross"}, "pals.card": {"issue_date": "2028-02-29"}}
    c = evaluate(doc("nurse_picu", ["pals"], facts), D(2028, 3, 1)).step("pals.card")
    assert c.expires == D(2030, 2, 28)


# --- a pediatrician renewing PALS 5 months early -------------------------------------------------

PEDIATRICIAN = doc("pediatrician", ["bls", "pals"], {
    "bls.enroll": {"body": "aha"}, "bls.card": {"issue_date": "2026-02-12", "ecard_claimed": True},
    "pals.enroll": {"body": "aha", "format": "classroom", "course_start": "2025-04-14", "course_end": "2025-04-15",
                    "materials_edition": "2020"},
    "pals.prerequisites": {"precourse_score": 82, "precourse_done_on": "2025-04-01", "has_manual": True},
    "pals.card": {"issue_date": "2025-04-15", "ecard_claimed": True},
    "pals.renewal": {"renewal_course_date": "2026-11-25", "renewal_format": "classroom"},
})


def test_pediatrician_early_renewal_gives_up_five_months():
    j = evaluate(PEDIATRICIAN, TODAY)
    assert j.step("pals.card").expires == D(2027, 4, 30)  # R1
    r = j.step("pals.renewal")
    # R5 (M): the new card runs to 30 Nov 2028, not 30 Apr 2029
    assert r.status == IN_PROGRESS and r.info["months_given_up"] == 5
    assert has(r.reasons, "cards.renewal.months_given_up", count=5)
    assert keys(r) == ["attend-renewal"]


def test_pediatrician_renewal_needs_a_new_precourse_and_2025_manual():
    p = evaluate(PEDIATRICIAN, TODAY).step("pals.prerequisites")
    # §1.3: the 2025 precourse result was for the last course; a new one is due for this course
    assert p.status == IN_PROGRESS
    assert {"cards.prereq.precourse_stale", "cards.prereq.precourse_stale_dated"} & set(codes(p.reasons))
    # §1.3 Textbook (M) + R9: from 1 Mar 2026 a 2020-edition manual no longer qualifies
    assert "get-manual" in keys(p)
    # BLS (through 29 Feb 2028) covers the course
    assert "cards.prereq.bls_covers_course" in codes(p.reasons)
    assert set(keys(p)) == {"precourse", "get-manual"}
    assert all(a.date == D(2026, 11, 25) for a in p.actions)


def test_pediatrician_new_precourse_done_for_this_course_counts():
    facts = {**PEDIATRICIAN["facts"],
             "pals.prerequisites": {"precourse_score": 76, "precourse_done_on": "2026-11-15", "has_manual": True},
             "pals.enroll": {**PEDIATRICIAN["facts"]["pals.enroll"], "materials_edition": "2025"}}
    p = evaluate(doc("pediatrician", ["bls", "pals"], facts), TODAY).step("pals.prerequisites")
    assert p.status == DONE and p.actions == []


# --- an NRP provider ------------------------------------------------------------------------------

NRP = doc("nurse_nicu", ["nrp"], {
    "nrp.enroll": {"body": "aap", "course_start": "2025-01-29", "course_end": "2025-01-29",
                   "online_part_done_on": "2025-01-20"},
    "nrp.exam": {"exam_passed": True},
    "nrp.card": {"issue_date": "2025-02-03"},
})


def test_nrp_counts_from_the_instructor_led_event():
    j = evaluate(NRP, TODAY)
    c = j.step("nrp.card")
    # R8 (M): 2 years, end of month, from the instructor-led event (29 Jan 2025), not the issue date
    assert c.expires == D(2027, 1, 31) and c.info["counted_from"] == D(2025, 1, 29)
    assert has(c.reasons, "cards.card.counted_from_event")
    assert "claim-ecard" not in keys(c)
    r = j.step("nrp.renewal")
    # planner default: book 90 days before (2 Nov 2026, passed) -> at risk, deadline the last valid day
    assert r.status == AT_RISK and r.deadline == D(2027, 1, 31)
    assert keys(r) == ["book-renewal", "finish-online-part", "confirm-skills", "last-safe-course"]
    assert r.actions[0].what.code == "cards.renewal.book_renewal_nrp"
    # no NRP pass mark in the sheet: none invented
    assert j.step("nrp.exam").rules == []


# --- a card history with three renewals -----------------------------------------------------------

HISTORY = doc("emergency_physician", ["pals"], {
    "pals.enroll": {"body": "aha", "format": "heartcode_blended", "course_start": "2026-08-24",
                    "course_end": "2026-08-24", "materials_edition": "2025"},
    "pals.card": {"issue_date": "2026-08-24", "ecard_code": "265123456789",
                  "past_cards": [{"body": "aha", "issue_date": "2020-08-20"},
                                 {"body": "aha", "issue_date": "2022-08-11"},
                                 {"body": "aha", "issue_date": "2024-08-05"}]},
})


def test_card_history_with_three_renewals():
    j = evaluate(HISTORY, TODAY)
    c = j.step("pals.card")
    assert c.status == DONE and c.expires == D(2028, 8, 31) and c.info["past_cards"] == 3
    # R5: renewed inside the expiry month each time -> nothing given up
    assert c.info["previous_card_valid_through"] == D(2026, 8, 31) and c.info["months_given_up"] == 0
    assert c.info["guidelines"] == "2025"  # R9: issued after 1 Mar 2026
    # R3: not marked claimed -> claim action, dated by the 20-business-day issue window (passed -> today)
    assert keys(c) == ["claim-ecard"] and c.actions[0].date == TODAY
    assert j.step("pals.renewal").status == NOT_STARTED
    assert j.step("pals.renewal").info["book_by"] == D(2028, 6, 2)


def test_fresh_card_claim_is_dated_by_the_issue_window():
    facts = {"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2026-11-20"}}
    c = evaluate(doc("nurse_picu", ["pals"], facts), TODAY).step("pals.card")
    assert c.actions[0].key == "claim-ecard" and c.actions[0].date == D(2026, 12, 18)  # R3: 20 business days


# --- every dated action has a stable key ------------------------------------------------------------

def _demo():
    return json.loads((resources_dir() / "demo" / "provider-demo.json").read_text(encoding="utf-8"))


PROFILES = {
    "demo": (_demo, TODAY),
    "new-nurse": (lambda: NEW_NURSE, TODAY),
    "paramedic": (lambda: PARAMEDIC, D(2026, 11, 10)),
    "paramedic-late": (lambda: PARAMEDIC, D(2026, 12, 1)),
    "red-cross": (lambda: RED_CROSS, TODAY),
    "red-cross-lapsed": (lambda: RED_CROSS, D(2027, 3, 5)),
    "pediatrician": (lambda: PEDIATRICIAN, TODAY),
    "nrp": (lambda: NRP, TODAY),
    "history": (lambda: HISTORY, TODAY),
}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_dated_action_has_a_key_unique_in_its_step(name):
    make, today = PROFILES[name]
    j = evaluate(make(), today)
    for s in j.all_steps():
        dated = [a.key for a in s.actions if a.date is not None]
        assert all(dated), (s.id, [a.text for a in s.actions if a.date is not None and not a.key])
        all_keys = [a.key for a in s.actions if a.key]
        assert len(all_keys) == len(set(all_keys)), (s.id, all_keys)
        for a in s.actions:
            assert a.key == a.key.strip().lower() and " " not in a.key, a.key
            assert a.to_json().get("key") == (a.key or None)


def test_demo_reads_as_described():
    # the demo: a PICU nurse with BLS, PALS and NRP, one of them (BLS) near expiry
    j = evaluate(_demo(), TODAY)
    assert j.step("bls.card").expires == D(2027, 1, 31) and j.step("bls.renewal").status == AT_RISK
    p = j.step("pals.prerequisites")
    # BLS lapses 31 Jan 2027, before the PALS renewal course on 15 Feb 2027 (§1.3)
    assert p.status == AT_RISK and p.deadline == D(2027, 2, 15)
    renew = next(a for a in p.actions if a.key == "renew-bls")
    assert renew.date == D(2027, 1, 31) and renew.what == find([renew], "cards.prereq.renew_bls_by")
    assert renew.what.params == {"bls_end": D(2027, 1, 31), "course": D(2027, 2, 15)}
    assert j.step("pals.card").expires == D(2027, 6, 30)
    assert j.step("pals.renewal").info["months_given_up"] == 4  # R5: Feb 2027 course, card to Jun 2027
    assert j.step("nrp.card").expires == D(2028, 4, 30) and j.step("nrp.card").status == DONE
    assert j.step("nrp.renewal").status == NOT_STARTED
