import datetime as dt
import json

import pytest
from findings_util import codes, has

from core import resources_dir
from core.engine import check_step, evaluate, step_defs
from core.engine.base import AT_RISK, BLOCKED, DONE, EXPIRED, IN_PROGRESS, NOT_APPLICABLE, NOT_STARTED
from core.engine.cards import CARDS, STEP_NAMES, TRACK_FIELDS, TRACKS, start_renewal
from core.rules import load_rules

D = dt.date
TODAY = D(2026, 11, 21)


def profile(facts, tracks=("pals",), overrides=None):
    return {"format": "certpath-profile/1", "name": "t", "role": "nurse_picu", "tracks": list(tracks),
            "facts": facts, "overrides": overrides or {}}


def run(facts, today=TODAY, tracks=None, overrides=None):
    tracks = tracks or sorted({k.split(".")[0] for k in facts} & set(CARDS)) or ["pals"]
    return evaluate(profile(facts, tracks, overrides), today)


def card(card_id, issue, body="aha", today=TODAY, **extra):
    facts = {f"{card_id}.enroll": {"body": body}, f"{card_id}.card": {"issue_date": issue, **extra}}
    return run(facts, today, [card_id]).step(f"{card_id}.card")


# --- structure -------------------------------------------------------------------------------

def test_tracks_have_the_six_steps():
    assert set(TRACKS) == set(CARDS)
    for c in CARDS:
        assert [s.id for s in step_defs(c)] == [f"{c}.{n}" for n in STEP_NAMES]
        assert TRACK_FIELDS[c][0].key == "lapsed_policy" and TRACK_FIELDS[c][0].default == "full_course"
    keys = {f.key for f in TRACKS["pals"][4].fields}
    assert {"issue_date", "ecard_code", "ecard_claimed", "ce_credits", "past_cards"} <= keys


# --- expiry by body, month ends, leap years, year ends ------------------------------------------

@pytest.mark.parametrize("issue, want", [
    ("2026-03-10", D(2028, 3, 31)),
    ("2026-01-31", D(2028, 1, 31)),
    ("2024-02-29", D(2026, 2, 28)),
    ("2026-12-31", D(2028, 12, 31)),
    ("2026-02-01", D(2028, 2, 29)),
])
def test_aha_expiry(issue, want):
    assert card("pals", issue).expires == want


def test_aha_expiry_29_feb_2028():
    assert card("bls", "2028-02-29", today=D(2028, 3, 1)).expires == D(2030, 2, 28)


@pytest.mark.parametrize("issue, want", [
    ("2024-02-29", D(2026, 2, 28)),
    ("2026-03-10", D(2028, 3, 10)),
    ("2025-12-31", D(2027, 12, 31)),
])
def test_red_cross_two_years_to_the_day(issue, want):
    assert card("pals", issue, body="red_cross").expires == want


def test_nrp_counts_from_instructor_led_event():
    facts = {"nrp.enroll": {"body": "aap", "course_end": "2026-04-29"}, "nrp.card": {"issue_date": "2026-05-02"}}
    assert run(facts, tracks=["nrp"]).step("nrp.card").expires == D(2028, 4, 30)


def test_other_body_has_no_expiry_rule():
    s = card("pals", "2026-01-10", body="other")
    assert s.status == DONE and s.expires is None
    assert "cards.card.expiry_rule_not_found" in codes(s.reasons)


# --- lapse: last day valid, next day expired ---------------------------------------------------

def test_lapse_edge_aha():
    assert card("pals", "2024-11-05", today=D(2026, 11, 30)).status == DONE
    s = card("pals", "2024-11-05", today=D(2026, 12, 1))
    assert s.status == EXPIRED and s.expires == D(2026, 11, 30)


def test_lapse_edge_red_cross():
    assert card("bls", "2024-11-25", body="red_cross", today=D(2026, 11, 25)).status == DONE
    assert card("bls", "2024-11-25", body="red_cross", today=D(2026, 11, 26)).status == EXPIRED


def test_2020_emergency_grace_is_looked_up_on_expiry_date():
    s = card("bls", "2018-04-10", today=D(2020, 5, 15))  # expired 30 Apr 2020
    assert s.status == AT_RISK and s.deadline == D(2020, 8, 28)
    assert "cards.grace.aha" in s.rules
    assert card("bls", "2018-07-10", today=D(2020, 8, 1)).status == EXPIRED  # expired 31 Jul 2020


def test_lapsed_renewal_default_full_course_blocks():
    j = run({"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2024-10-01"}})
    r = j.step("pals.renewal")
    assert r.status == BLOCKED and r.blocked_by[0].why.code == "cards.lapse.blocked_full_course"
    assert "cards.lapsed.default_policy" in r.rules


def test_lapsed_renewal_within_days_policy():
    facts = {"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2024-10-01"},
             "pals": {"lapsed_policy": "renewal_allowed_within_days", "lapsed_days": 60}}
    r = run(facts).step("pals.renewal")  # expired 31 Oct 2026, 21 days ago
    assert r.status == AT_RISK and r.deadline == D(2026, 12, 30)
    r2 = run(facts, today=D(2026, 12, 31)).step("pals.renewal")
    assert r2.status == BLOCKED


def test_red_cross_bls_review_window():
    facts = {"bls.enroll": {"body": "red_cross"}, "bls.card": {"issue_date": "2024-11-01"}}
    r = run(facts, tracks=["bls"]).step("bls.renewal")
    assert r.info["review_entry_until"] == D(2026, 12, 1)


# --- early renewal ----------------------------------------------------------------------------

def test_early_renewal_months_given_up_from_past_card():
    s = card("pals", "2026-11-10", past_cards=[{"body": "aha", "issue_date": "2025-03-15"}])
    # old card through 31 Mar 2027; new course Nov 2026 -> through 30 Nov 2028 instead of 31 Mar 2029
    assert s.info["months_given_up"] == 4
    assert "cards.early_renewal.no_banking" in s.rules


def test_renewal_in_expiry_month_gives_up_nothing():
    s = card("pals", "2026-03-02", past_cards=[{"body": "aha", "issue_date": "2024-03-20"}])
    assert s.info["months_given_up"] == 0


def test_booked_renewal_shows_months_given_up():
    facts = {"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2025-06-10"},
             "pals.renewal": {"renewal_course_date": "2027-02-15"}}
    r = run(facts).step("pals.renewal")
    assert r.status == IN_PROGRESS and r.info["months_given_up"] == 4


# --- renewal planning ---------------------------------------------------------------------------

def test_renewal_planning_dates():
    facts = {"bls.enroll": {"body": "aha"}, "bls.card": {"issue_date": "2025-06-10"}}
    r = run(facts, tracks=["bls"]).step("bls.renewal")  # expires 30 Jun 2027
    assert r.status == NOT_STARTED
    assert r.info["book_by"] == D(2027, 4, 1)
    assert r.info["online_part_by"] == D(2027, 5, 31)
    assert r.info["last_safe_course"] == D(2027, 6, 30)
    assert D(2027, 4, 1) in [a.date for a in r.actions]


def test_renewal_at_risk_inside_booking_window():
    facts = {"bls.enroll": {"body": "aha"}, "bls.card": {"issue_date": "2025-01-14"}}
    r = run(facts, tracks=["bls"]).step("bls.renewal")  # expires 31 Jan 2027, book by 2 Nov 2026
    assert r.status == AT_RISK and r.deadline == D(2027, 1, 31)


def test_renewal_booked_after_lapse_is_at_risk():
    facts = {"bls.enroll": {"body": "aha"}, "bls.card": {"issue_date": "2025-01-14"},
             "bls.renewal": {"renewal_course_date": "2027-02-03"}}
    r = run(facts, tracks=["bls"]).step("bls.renewal")
    assert r.status == AT_RISK and r.deadline == D(2027, 1, 31)


# --- the BLS/PALS collision -------------------------------------------------------------------

def _pals_booked(bls_issue, pals_course="2027-02-15", **bls_extra):
    return {
        "bls.enroll": {"body": "aha"}, "bls.card": {"issue_date": bls_issue}, **bls_extra,
        "pals.enroll": {"body": "aha", "course_start": pals_course},
        "pals.prerequisites": {"precourse_score": 80},
    }


def test_bls_lapsing_before_pals_course_is_at_risk_even_untracked():
    j = run(_pals_booked("2025-01-14"), tracks=["pals"])  # bls not tracked: facts still read
    p = j.step("pals.prerequisites")
    assert p.status == AT_RISK and p.deadline == D(2027, 2, 15)
    assert has(p.warnings, "cards.prereq.collision_bls_lapses", bls_end=D(2027, 1, 31))


def test_bls_valid_on_course_day_is_fine():
    # BLS through 28 Feb 2027 covers a 15 Feb 2027 course; through 31 Jan does not (edge by one month)
    assert run(_pals_booked("2025-02-01")).step("pals.prerequisites").status == DONE


def test_bls_renewal_booked_before_pals_course_resolves_collision():
    facts = _pals_booked("2025-01-14", **{"bls.renewal": {"renewal_course_date": "2027-01-20"}})
    assert run(facts).step("pals.prerequisites").status == DONE


def test_training_center_not_asking_for_bls_removes_collision():
    facts = _pals_booked("2025-01-14")
    facts["pals.prerequisites"]["bls_card_required"] = False
    assert run(facts).step("pals.prerequisites").status == DONE


def test_precourse_below_70_blocks_attendance():
    facts = _pals_booked("2026-01-10")
    facts["pals.prerequisites"]["precourse_score"] = 69.5
    j = run(facts)
    assert j.step("pals.prerequisites").status == IN_PROGRESS
    assert j.step("pals.attend").status == BLOCKED


def test_other_cards_have_no_prerequisite_rule():
    s = run({"acls.enroll": {"body": "aha"}}, tracks=["acls"]).step("acls.prerequisites")
    assert s.status == NOT_APPLICABLE and s.reasons[0].code == "cards.prereq.none_in_sources"


# --- attend, exam, eCard -------------------------------------------------------------------------

def _course(**over):
    f = {"pals.enroll": {"body": "aha", "format": "classroom", "course_start": "2026-11-02",
                         "course_end": "2026-11-03"},
         "pals.prerequisites": {"precourse_score": 90, "bls_card_required": False},
         "pals.attend": {"attended": True, "skill_child_cpr_aed": True, "skill_infant_cpr": True,
                         "case_cardiac": True, "case_resp_or_shock": True},
         "pals.exam": {"exam_date": "2026-11-03", "exam_score": 84}}
    for k, v in over.items():
        f[k.replace("__", ".")] = {**f.get(k.replace("__", "."), {}), **v}
    return f


def test_missing_skills_station_keeps_attend_in_progress():
    j = run(_course(pals__attend={"case_resp_or_shock": False}))
    a = j.step("pals.attend")
    assert a.status == IN_PROGRESS and a.reasons[0].code == "cards.attend.skills_not_recorded"
    assert a.reasons[0].params["items"] == ["Led a respiratory or shock case simulation"]


@pytest.mark.parametrize("score, status", [(84, DONE), (83.9, IN_PROGRESS)])
def test_exam_pass_mark_edge(score, status):
    assert run(_course(pals__exam={"exam_score": score})).step("pals.exam").status == status


def test_failed_exam_blocks_the_card():
    assert run(_course(pals__exam={"exam_score": 70})).step("pals.card").status == BLOCKED


def test_ecard_expected_within_20_business_days():
    c = run(_course()).step("pals.card")
    assert c.status == IN_PROGRESS and c.info["ecard_expected_by"] == D(2026, 12, 1)
    late = run(_course(), today=D(2026, 12, 2)).step("pals.card")
    assert "cards.card.ecard_late" in codes(late.warnings)


def test_unclaimed_ecard_gives_claim_action():
    c = card("pals", "2026-11-03")
    assert "cards.card.claim_ecard" in codes(c.actions)
    c2 = card("pals", "2026-11-03", ecard_claimed=True)
    assert "cards.card.claim_ecard" not in codes(c2.actions)


def test_online_only_vendor_warns():
    facts = {"pals.enroll": {"body": "other", "format": "online_only_vendor"}, "pals.card": {"issue_date": "2026-05-01"}}
    j = run(facts)
    assert "cards.enroll.vendor_online_only" in codes(j.step("pals.enroll").warnings)
    assert "cards.card.vendor_certificate" in codes(j.step("pals.card").warnings)


def test_2020_materials_after_march_2026_warns():
    facts = {"pals.enroll": {"body": "aha", "materials_edition": "2020", "course_start": "2026-12-05"}}
    assert has(run(facts).step("pals.enroll").warnings, "cards.enroll.materials_edition", edition="2025")
    facts["pals.enroll"]["course_start"] = "2026-02-27"
    assert not run(facts).step("pals.enroll").warnings


def test_user_override_of_a_rule_is_named():
    ov = {"pals.aha.exam_pass_score": {"value": 80, "note": "my TC", "date": "2026-11-01"}}
    j = run(_course(pals__exam={"exam_score": 81}), overrides=ov)
    e = j.step("pals.exam")
    assert e.status == DONE and "pals.aha.exam_pass_score" in e.overrides


# --- invalid input, messages name the field ------------------------------------------------------

def problems(step_id, data, facts=None):
    return check_step(step_id, data, profile(facts or {}), TODAY, load_rules())


@pytest.mark.parametrize("score", [100.5, -1])
def test_exam_score_out_of_range(score):
    ps = problems("pals.exam", {"exam_score": score})
    assert [p.field for p in ps] == ["exam_score"] and "between 0 and 100" in ps[0].message


def codes_at(ps):
    """(field, code) of each problem: a card step's cross-field problems are findings (issue 11)."""
    return [(p.field, p.code) for p in ps]


def test_card_issued_before_course():
    ps = problems("pals.card", {"issue_date": "2026-10-01"},
                  {"pals.enroll": {"course_start": "2026-10-05", "course_end": "2026-10-06"}})
    assert codes_at(ps) == [("issue_date", "cards.check.issued_before_course")]
    assert ps[0].params == {"course": D(2026, 10, 6)}
    assert ps[0].message == "the card cannot be issued before its course (2026-10-06)"


def test_course_end_before_start():
    ps = problems("pals.enroll", {"course_start": "2026-10-05", "course_end": "2026-10-04"})
    assert codes_at(ps) == [("course_end", "cards.check.course_ends_before_start")]
    assert ps[0].params == {"start": D(2026, 10, 5), "end": D(2026, 10, 4)}
    ps = problems("pals.enroll", {"enrolled_on": "2026-10-06", "course_start": "2026-10-05"})
    assert codes_at(ps) == [("enrolled_on", "cards.check.enrolled_after_start")]


def test_unknown_body_and_wrong_body():
    assert problems("pals.enroll", {"body": "ama"})[0].field == "body"  # not a choice (the field's own check)
    assert codes_at(problems("nrp.enroll", {"body": "aha"})) == [("body", "cards.check.nrp_needs_aap")]
    ps = problems("pals.enroll", {"body": "aap"})
    assert codes_at(ps) == [("body", "cards.check.aap_only_nrp")] and ps[0].params == {"card": "pals"}
    assert ps[0].message == "the AAP issues NRP, not PALS: choose AHA, Red Cross or Other"
    assert codes_at(problems("pals.enroll", {"body": "red_cross", "format": "heartcode_blended"})) == [
        ("format", "cards.check.aha_only_format")]
    assert codes_at(problems("pals.enroll", {"body": "aha", "format": "online_only_vendor"})) == [
        ("format", "cards.check.vendor_not_aha")]


def test_past_card_checks_name_the_record():
    ps = problems("pals.card", {"issue_date": "2026-01-10",
                                "past_cards": [{"issue_date": "2024-01-10", "expires": "2023-12-31"}]})
    assert codes_at(ps) == [("past_cards[0].expires", "cards.check.past_card_expires_before_issue")]
    assert ps[0].params == {"issue": D(2024, 1, 10)}
    ps = problems("pals.card", {"issue_date": "2026-01-10", "past_cards": [{"expires": "2027-01-31"}]})
    assert ps[0].field == "past_cards[0].issue_date"
    ps = problems("pals.card", {"issue_date": "2026-01-10", "past_cards": [{"issue_date": "2026-02-10", "body": "aap"}]})
    assert codes_at(ps) == [("past_cards[0].issue_date", "cards.check.past_card_not_before_current"),
                            ("past_cards[0].body", "cards.check.aap_past_card")]


def test_track_level_policy_needs_days():
    assert codes_at(problems("pals", {"lapsed_policy": "renewal_allowed_within_days"})) == [
        ("lapsed_days", "cards.check.lapsed_days_needed")]
    assert problems("pals", {"lapsed_policy": "full_course"}) == []


def test_future_exam_result_and_renewal_before_issue():
    assert codes_at(problems("pals.exam", {"exam_date": "2027-01-01", "exam_score": 90})) == [
        ("exam_date", "cards.check.future_exam_has_result")]
    ps = problems("pals.exam", {"exam_date": "2026-10-01"}, {"pals.enroll": {"course_start": "2026-10-05"}})
    assert codes_at(ps) == [("exam_date", "cards.check.exam_before_course")] and ps[0].params == {"start": D(2026, 10, 5)}
    ps = problems("pals.renewal", {"renewal_course_date": "2025-01-01"}, {"pals.card": {"issue_date": "2025-06-10"}})
    assert codes_at(ps) == [("renewal_course_date", "cards.check.renewal_not_after_issue")]


def test_card_dates_claims_and_precourse_work():
    assert codes_at(problems("pals.card", {"issue_date": "2026-12-01"})) == [("issue_date", "cards.check.in_future")]
    ps = problems("pals.card", {"issue_date": "2026-10-10", "claimed_on": "2026-10-09"})
    assert codes_at(ps) == [("claimed_on", "cards.check.claimed_before_issued")] and ps[0].params == {"issue": D(2026, 10, 10)}
    assert codes_at(problems("pals.card", {"ecard_claimed": True})) == [
        ("ecard_claimed", "cards.check.claimed_without_issue_date")]
    assert codes_at(problems("pals.prerequisites", {"precourse_done_on": "2026-12-01"})) == [
        ("precourse_done_on", "cards.check.in_future")]


def test_valid_step_has_no_problems():
    assert problems("pals.enroll", {"body": "aha", "format": "classroom", "course_start": "2026-10-05"}) == []


# --- history, demo --------------------------------------------------------------------------------

def test_start_renewal_keeps_old_card():
    facts = {"pals.enroll": {"body": "aha", "training_center": "TC"},
             "pals.card": {"issue_date": "2025-06-10", "past_cards": [{"issue_date": "2023-06-08"}]},
             "pals.exam": {"exam_score": 90}, "pals.renewal": {"renewal_course_date": "2027-02-15"}}
    new = start_renewal(facts, "pals")
    assert [p["issue_date"] for p in new["pals.card"]["past_cards"]] == ["2023-06-08", "2025-06-10"]
    assert new["pals.enroll"]["course_start"] == "2027-02-15" and "pals.exam" not in new
    assert facts["pals.card"]["issue_date"] == "2025-06-10"  # input untouched


def test_demo_profile():
    demo = json.loads((resources_dir() / "demo" / "provider-demo.json").read_text(encoding="utf-8"))
    assert demo["role"] == "nurse_picu" and demo["tracks"] == ["bls", "pals", "nrp"]
    for sid, data in demo["facts"].items():
        assert check_step(sid, data, demo, TODAY, load_rules()) == [], sid
    j = evaluate(demo, TODAY)
    assert j.step("bls.renewal").status == AT_RISK  # BLS near expiry (31 Jan 2027)
    assert j.step("pals.prerequisites").status == AT_RISK
    assert j.step("nrp.card").expires == D(2028, 4, 30)
    json.dumps(j.to_json())


# --- audit fixes ----------------------------------------------------------------------------------

def test_renewal_of_an_expired_card_is_not_blocked_by_the_card_step():
    r = run({"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2024-10-01"}}).step("pals.renewal")
    assert r.status == BLOCKED and [b.step for b in r.blocked_by] == [None]  # the policy, not "pals.card"


def test_bls_attend_waits_for_enrolment_when_prerequisites_do_not_apply():
    j = run({}, tracks=["bls"])
    assert [b.step for b in j.step("bls.attend").blocked_by] == ["bls.enroll"]


def test_precourse_result_of_the_last_course_does_not_count_for_the_renewal():
    facts = {"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2025-06-10"},
             "pals.prerequisites": {"precourse_score": 90, "precourse_done_on": "2025-06-01",
                                    "bls_card_required": False},
             "pals.renewal": {"renewal_course_date": "2027-02-15"}}
    p = run(facts).step("pals.prerequisites")
    assert p.status == NOT_STARTED and [a.key for a in p.actions] == ["precourse"]
    facts["pals.prerequisites"]["precourse_done_on"] = "2027-01-20"
    assert run(facts, today=D(2027, 1, 21)).step("pals.prerequisites").status == DONE


def test_bls_already_lapsed_before_pals_course_says_so():
    p = run(_pals_booked("2024-09-10"), tracks=["pals"]).step("pals.prerequisites")  # BLS through 30 Sep 2026
    a = next(a for a in p.actions if a.key == "renew-bls")
    assert p.status == AT_RISK and a.date == D(2027, 2, 15) and a.what.code == "cards.prereq.renew_bls_lapsed"


def test_renewal_booked_after_lapse_can_still_be_moved():
    facts = {"bls.enroll": {"body": "aha"}, "bls.card": {"issue_date": "2025-01-14"},
             "bls.renewal": {"renewal_course_date": "2027-02-03"}}
    r = run(facts, tracks=["bls"]).step("bls.renewal")
    assert r.status == AT_RISK and [a.key for a in r.actions] == ["last-safe-course"]
    assert r.actions[0].date == D(2027, 1, 31)


def test_red_cross_bls_review_window_is_the_renewal_window():
    facts = {"bls.enroll": {"body": "red_cross"}, "bls.card": {"issue_date": "2024-11-01"}}
    r = run(facts, tracks=["bls"]).step("bls.renewal")  # expired 1 Nov 2026, window to 1 Dec 2026
    assert r.status == AT_RISK and r.deadline == D(2026, 12, 1)
    assert has(r.reasons, "cards.lapse.renewal_still_allowed")
    assert r.reasons[-1].params["why"].code == "cards.lapse.why_red_cross_review"
    assert run(facts, today=D(2026, 12, 2), tracks=["bls"]).step("bls.renewal").status == BLOCKED


def test_renewal_allowed_after_expiry_without_limit():
    facts = {"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2024-10-01"},
             "pals": {"lapsed_policy": "renewal_allowed"}}
    r = run(facts).step("pals.renewal")
    # nothing left to miss (at_risk needs a deadline), but overdue since the day after expiry
    assert r.status == NOT_STARTED and r.deadline is None and r.due == D(2026, 11, 1)
    assert [a.key for a in r.actions] == ["book-renewal"] and r.actions[0].date == TODAY


def test_past_renewal_course_asks_for_the_new_card():
    facts = {"pals.enroll": {"body": "aha"}, "pals.card": {"issue_date": "2025-06-10", "ecard_claimed": True},
             "pals.renewal": {"renewal_course_date": "2026-11-10"}}
    r = run(facts).step("pals.renewal")
    assert r.status == IN_PROGRESS and [a.key for a in r.actions] == ["record-new-card"]


def test_claimed_on_counts_as_claimed():
    assert card("pals", "2026-11-03", claimed_on="2026-11-10").actions == []


def test_attendance_cannot_be_recorded_before_the_course_starts():
    profile = {"format": "certpath-profile/1", "name": "Q", "tracks": ["pals"],
               "facts": {"pals.enroll": {"body": "aha", "course_start": "2026-12-05", "course_end": "2026-12-05"}}}
    probs = check_step("pals.attend", {"attended": True, "skill_infant_cpr": True}, profile, TODAY)
    assert [(p.field, p.code, dict(p.params)) for p in probs] == [
        ("attended", "cards.check.attended_before_course", {"start": D(2026, 12, 5)})]
    # once the course date has come, the same facts are fine
    assert check_step("pals.attend", {"attended": True}, profile, D(2026, 12, 5)) == []


def test_open_prerequisite_is_named_and_messages_use_words_not_field_ids():
    facts = {"pals.enroll": {"body": "aha", "course_start": "2026-03-08", "course_end": "2026-03-08"},
             "pals.prerequisites": {"precourse_score": 65, "precourse_done_on": "2026-03-01"},
             "pals.exam": {"exam_date": "2026-03-08", "exam_score": 83}}
    j = run(facts)
    pre = j.step("pals.prerequisites")
    assert "cards.prereq.bls_not_recorded" in codes(pre.reasons)
    assert has(pre.reasons, "cards.prereq.precourse_below", score=65.0)
    text = " ".join([f.text for st in j.all_steps() for f in st.reasons + st.warnings] + [b.reason for st in j.all_steps() for b in st.blocked_by])
    assert "precourse_score" not in text and "exam_score" not in text and "pals.prerequisites" not in text


def test_a_course_held_up_by_its_prerequisites_says_which_step_to_open():
    """The dashboard's 'What blocks you now' said only 'a prerequisite is not met' for a PALS
    course whose precourse self-assessment was below 70%: now it names the step to open."""
    facts = {"pals.enroll": {"body": "aha", "course_start": "2027-05-12", "course_end": "2027-05-12"},
             "pals.prerequisites": {"precourse_score": 65, "precourse_done_on": "2026-11-01"}}
    attend = run(facts).step("pals.attend")
    assert attend.status == "blocked"
    [b] = attend.blocked_by
    assert (b.step, b.why.code) == ("pals.prerequisites", "cards.attend.blocked_prerequisite")
    from core.engine import step_title

    assert step_title("pals.prerequisites") in b.reason  # "… see Before the course"
