"""Issue 13, session 4: USMLE attempt limits on the licence step measured against the user's exam
records: a residency-free route's own limits (license.route_attempts.XX; tested on test-only fixtures,
tests/route_fixtures.py, since Rhode Island's three attempts per Step were read only in machine-written
summaries and the record was removed), a total across the Steps on a state record
(`total_attempt_limit`: the capability, tested on a test-only fixture because no citable source gives
Kansas's value), each limit met, still within reach, or exceeded, and the day before and the day a
limit takes effect. Every scenario sets `today`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from route_fixtures import OWN_LIMITS, OWN_LIMITS_FROM_2027, split_route

from core import resources_dir
from core.engine import img
from core.engine.base import BLOCKED, Context
from core.engine.img.licensure import ALTERNATIVE, STANDARD
from core.rules import RuleSet, load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
TODAY = D(2026, 12, 1)


def attempts(*results, start=D(2023, 1, 10)):
    """An exam's attempt records, one every 4 months from `start`."""
    return {"attempts": [{"date": (start + dt.timedelta(days=122 * i)).isoformat(), "result": r}
                         for i, r in enumerate(results)]}


PASS = attempts("pass")


def profile(state, lic=None, *, exams=None, certified=True):
    f = {
        "img": {"match_year": 2027, "specialty": "internal_medicine", "target_state": state,
                "visa_need": "needs_h1b", "birth_date": "1985-04-10"},
        "ecfmg.school": {"wdoms_listed": True, "sponsor_note": True, "sponsor_note_from_year": 2000,
                         "graduation_date": "2012-06-30", "credit_years": 6, "degree": "medicine"},
        "license.state": dict(lic or {}),
        **(exams or {}),
    }
    if certified:
        f["ecfmg.certificate"] = {"issued_date": "2026-06-01", "permanently_validated": True}
        f["ecfmg.oet"] = {"sittings": [{"date": "2025-10-01", "listening": 400, "reading": 400, "speaking": 400,
                                        "writing": 400, "result_date": "2025-10-20"}]}
    return {"format": "certpath-profile/1", "tracks": ["img"], "facts": f, "overrides": {}}


def licence(prof, today=TODAY, rules=RULES):
    return img.evaluate_track("img", Context(today=today, rules=rules, profile=prof)).step("license.state")


def limit_blocker(step):
    """The step the attempt-limit block names (the limit's own blocker, not a dependency's)."""
    return next(b.step for b in step.blocked_by if b.why.code.endswith("attempt_limit_reached"))


def limit_states(step):
    """exam (or "total") -> met / within / exceeded, as the step's info says them."""
    return {c["exam"] or "total": c["state"] for c in step.info.get("attempt_limits", [])}


OWN = split_route(own=OWN_LIMITS)  # a route with its own 3 attempts per Step (test-only fixture)


RI_ROUTE = dict(route=ALTERNATIVE, licensed_abroad=True, years_practice_abroad=8, foreign_residency_completed=True,
                job_offer=True, job_offer_kind="participating_health_care_entity",
                immigration_status="authorised_to_work")


# ---- a route's own attempt limits (test-only fixture on Rhode Island's state code) ---------------------

def test_rhode_island_route_has_no_own_attempt_limit_any_more():
    """The three attempts per Step were read only in fastdemocracy.com's generated summaries (banned):
    the record that held them is gone and the route's limits are said unknown, not "own"."""
    route = RULES.find("license.route.RI", TODAY)
    assert route.value["state_attempt_limits"] == "unknown"
    assert not any(i.startswith("license.route_attempts.") for i in RULES.ids())  # no bundled route has one
    prof = profile("RI", RI_ROUTE, exams={"usmle.step1": attempts("fail", "fail", "fail", "pass"),
                                          "usmle.step2ck": PASS})
    s = licence(prof)
    assert s.status != BLOCKED and not limit_states(s) and "route_attempt_limits" not in s.info
    assert "license.route_attempts.RI" not in s.rules
    # Rhode Island's standard record has no limit either, so nothing is said about one
    assert not any(w.code.endswith("attempt_limits_unpublished") for w in s.warnings)


def test_a_route_own_limit_is_its_own_record_with_its_own_sources():
    route = OWN.find("license.route.RI", TODAY)
    own = OWN.find("license.route_attempts.RI", TODAY)
    assert route.value["state_attempt_limits"] == "own" and "TEST FIXTURE" in route.statement
    assert own.value["step_attempt_limit"] == 3 and "total_attempt_limit" not in own.value
    assert all("example.org" in u for u in own.urls + route.urls)  # fixtures cite no real page


def test_route_steps_passed_within_the_route_own_limit_are_met():
    prof = profile("RI", RI_ROUTE, exams={"usmle.step1": attempts("fail", "pass"), "usmle.step2ck": PASS})
    s = licence(prof, rules=OWN)
    assert s.info["route"] == ALTERNATIVE and s.status != BLOCKED
    assert limit_states(s) == {"usmle.step1": "met", "usmle.step2ck": "met", "usmle.step3": "within"}
    assert s.info["route_attempt_limits"] == {"usmle.step1": 3, "usmle.step2ck": 3, "usmle.step3": 3}
    said = next(r for r in s.reasons if r.code == "img.route.own_attempt_limits_status")
    assert [i.code for i in said.params["items"]] == [
        "img.licence.limit_passed_within", "img.licence.limit_passed_within", "img.licence.limit_attempts_left"]
    assert "license.route_attempts.RI" in s.rules
    # the limit record's low confidence is said beside it, and the route's too
    for rid in ("license.route_attempts.RI", "license.route.RI"):
        assert any(w.code.startswith("rule.low_confidence") and w.params["rule"] == rid for w in s.warnings), rid
    assert not any(w.code == "img.route.own_attempt_limits_unpublished" for w in s.warnings)


def test_step_1_passed_on_the_fourth_attempt_bars_a_route_with_its_own_limit():
    prof = profile("RI", RI_ROUTE, exams={"usmle.step1": attempts("fail", "fail", "fail", "pass"),
                                          "usmle.step2ck": PASS})
    s = licence(prof, rules=OWN)
    assert s.status == BLOCKED
    assert s.reasons[-1].code == "img.route.own_attempt_limit_reached"
    assert [r.code for r in s.reasons].count("img.route.own_attempt_limit_reached") == 1  # said once
    assert [i.code for i in s.reasons[-1].params["items"]] == ["img.licence.over_limit_passed_at"]
    assert [b.step for b in s.blocked_by if b.why.code == "img.route.own_attempt_limit_reached"] == ["usmle.step1"]
    assert limit_states(s)["usmle.step1"] == "exceeded"
    assert not s.actions and s.due is None  # no apply date while the route's limit bars it


def test_third_step_3_failure_bars_the_full_licence_of_a_split_route_two_do_not():
    exams = {"usmle.step1": PASS, "usmle.step2ck": PASS}
    two = licence(profile("RI", RI_ROUTE, exams={**exams, "usmle.step3": attempts("fail", "fail")}), rules=OWN)
    assert two.status != BLOCKED and limit_states(two)["usmle.step3"] == "within"
    left = next(i for r in two.reasons if r.code == "img.route.own_attempt_limits_status" for i in r.params["items"]
                if i.params.get("step") == "usmle.step3")
    assert left.code == "img.licence.limit_attempts_left" and left.params["left"] == 1
    assert left.text.endswith(": 2 unsuccessful attempts, 1 left of 3")
    assert two.info.get("provisional_on") and not any(
        r.code == "img.route.full_barred_by_attempt_limit" for r in two.reasons)
    three = licence(profile("RI", RI_ROUTE, exams={**exams, "usmle.step3": attempts("fail", "fail", "fail")}),
                    rules=OWN)
    assert limit_states(three)["usmle.step3"] == "exceeded"
    # Step 3 is asked only for the conversion (usmle_steps_for_full): the limited licence stays open
    assert three.status != BLOCKED and not three.blocked_by
    assert three.info["provisional_on"] == two.info["provisional_on"]
    assert "full_on" not in three.info and three.due is None
    barred = [r for r in three.reasons if r.code == "img.route.full_barred_by_attempt_limit"]
    assert len(barred) == 1 and barred[0].params["steps"] == ["usmle.step3"]
    assert [i.code for i in barred[0].params["items"]] == ["img.licence.over_limit_fails"]
    assert "Step 3" in barred[0].text and "provisional" in barred[0].text
    assert not any(r.code == "img.route.own_attempt_limit_reached" for r in three.reasons)
    keys = [a.key for a in three.actions]
    assert "apply-provisional" in keys and "apply-licence" not in keys
    alt = {c["route"]: c for c in three.info["route_comparison"]}[ALTERNATIVE]
    assert alt["provisional"] == three.info["provisional_on"].isoformat() and alt["earliest_full"] is None
    assert alt["why_code"] == "img.route.full_barred_by_attempt_limit"


def test_step_3_passed_on_the_fourth_attempt_bars_only_the_full_licence_of_a_split_route():
    exams = {"usmle.step1": PASS, "usmle.step2ck": PASS,
             "usmle.step3": attempts("fail", "fail", "fail", "pass")}
    s = licence(profile("RI", RI_ROUTE, exams=exams), rules=OWN)
    assert s.status != BLOCKED and s.info.get("provisional_on") and "full_on" not in s.info
    assert [r.params["items"][0].code for r in s.reasons
            if r.code == "img.route.full_barred_by_attempt_limit"] == ["img.licence.over_limit_passed_at"]


def test_step_1_over_its_limit_still_bars_the_whole_split_route_with_step_3_over_too():
    exams = {"usmle.step1": attempts("fail", "fail", "fail"), "usmle.step2ck": PASS,
             "usmle.step3": attempts("fail", "fail", "fail")}
    s = licence(profile("RI", RI_ROUTE, exams=exams), rules=OWN)
    assert s.status == BLOCKED and limit_blocker(s) == "usmle.step1"
    assert "provisional_on" not in s.info and s.due is None and not s.actions
    alt = {c["route"]: c for c in s.info["route_comparison"]}[ALTERNATIVE]
    assert alt["provisional"] is None and alt["earliest_full"] is None
    assert alt["why_code"] == "img.route.own_attempt_limit_reached"


def test_the_standard_route_does_not_apply_the_route_law_limit():
    prof = profile("RI", {**RI_ROUTE, "route": STANDARD},
                   exams={"usmle.step1": attempts("fail", "fail", "fail", "pass"), "usmle.step2ck": PASS})
    s = licence(prof, rules=OWN)
    assert s.info["route"] == STANDARD and s.status != BLOCKED
    assert "license.route_attempts.RI" not in s.rules and not limit_states(s)  # the state record has no limit


def test_a_route_limit_the_day_before_it_takes_effect_is_said_not_recorded_and_applies_on_the_day():
    rules = split_route(own=OWN_LIMITS_FROM_2027)
    prof = profile("RI", RI_ROUTE, exams={"usmle.step1": attempts("fail", "fail", "pass"), "usmle.step2ck": PASS})
    before = licence(prof, D(2026, 12, 31), rules)
    assert before.status != BLOCKED and not limit_states(before)
    assert any(w.code == "img.route.own_attempt_limits_unpublished" for w in before.warnings)
    on = licence(prof, D(2027, 1, 1), rules)
    assert on.status == BLOCKED and on.reasons[-1].code == "img.route.own_attempt_limit_reached"
    assert limit_states(on) == {"usmle.step1": "exceeded", "usmle.step2ck": "met", "usmle.step3": "within"}
    assert not any(w.code == "img.route.own_attempt_limits_unpublished" for w in on.warnings)


# ---- a total across the Steps on the standard route (test-only fixture) ------------------------------

def test_kansas_total_is_not_encoded_without_a_citable_source():
    for r in RULES.records("license.state.KS"):
        assert "total_attempt_limit" not in r.value


def kansas_fixture(total=6, since=None):
    """Kansas's bundled record with a total of `total` attempts across the Steps (test-only; from
    `since`, with the bundled values before it)."""
    ks = RULES.find("license.state.KS", TODAY)
    fixture = replace(ks, statement=f"TEST FIXTURE: a total of {total} USMLE attempts across the Steps.",
                      value={**ks.value, "total_attempt_limit": total}, valid_from=since)
    older = [replace(ks, valid_until=since)] if since else []
    return RuleSet([r for r in RULES.all() if r.id != "license.state.KS"] + [fixture, *older])


def test_total_attempts_met_within_and_exceeded_on_the_standard_route():
    rules = kansas_fixture(6)
    met = licence(profile("KS", exams={"usmle.step1": PASS, "usmle.step2ck": attempts("fail", "pass"),
                                       "usmle.step3": PASS}), rules=rules)
    assert met.status != BLOCKED and limit_states(met) == {"total": "met"}
    said = next(r for r in met.reasons if r.code == "img.licence.attempt_limits_status")
    assert said.params["items"][0].code == "img.licence.total_attempts_met" and said.params["items"][0].params["used"] == 4
    # 1 + 3 + 1 used, Step 3 still to pass: one attempt left
    five = {"usmle.step1": PASS, "usmle.step2ck": attempts("fail", "fail", "pass"), "usmle.step3": attempts("fail")}
    within = licence(profile("KS", exams=five), rules=rules)
    assert within.status != BLOCKED and limit_states(within) == {"total": "within"}
    item = next(r for r in within.reasons if r.code == "img.licence.attempt_limits_status").params["items"][0]
    assert item.code == "img.licence.total_attempts_within" and item.params["left"] == 1
    assert item.text.endswith("1 left for the 1 Step still to pass")  # one Step: singular
    # one more Step 3 failure: 6 used and Step 3 still to pass
    over = licence(profile("KS", exams={**five, "usmle.step3": attempts("fail", "fail")}), rules=rules)
    assert over.status == BLOCKED and limit_states(over) == {"total": "exceeded"}
    assert over.reasons[-1].code == "img.licence.attempt_limit_reached"
    assert over.reasons[-1].params["items"][0].code == "img.licence.total_attempts_over"
    assert "with 1 Step still to pass" in over.reasons[-1].params["items"][0].text
    assert limit_blocker(over) == "usmle.step3"  # the Step still to pass


def test_total_counts_steps_not_yet_taken_as_one_attempt_each():
    rules = kansas_fixture(4)
    # Step 1 on the third attempt, Step 2 CK and Step 3 not taken: 3 + 1 + 1 > 4
    s = licence(profile("KS", exams={"usmle.step1": attempts("fail", "fail", "pass")}), rules=rules)
    assert s.status == BLOCKED and limit_states(s) == {"total": "exceeded"}
    assert limit_blocker(s) == "usmle.step2ck"
    ok = licence(profile("KS", exams={"usmle.step1": attempts("fail", "pass")}), rules=rules)
    assert ok.status != BLOCKED and limit_states(ok) == {"total": "within"}


def test_total_limit_the_day_before_and_the_day_it_takes_effect():
    rules = kansas_fixture(6, since=D(2027, 7, 1))
    exams = {"usmle.step1": attempts("fail", "fail", "pass"), "usmle.step2ck": attempts("fail", "fail", "pass"),
             "usmle.step3": attempts("fail")}
    before = licence(profile("KS", exams=exams), D(2027, 6, 30), rules)
    assert before.status != BLOCKED and not limit_states(before)
    on = licence(profile("KS", exams=exams), D(2027, 7, 1), rules)
    assert on.status == BLOCKED and limit_states(on) == {"total": "exceeded"}


def test_per_step_limits_are_said_met_on_the_standard_route():
    """Texas: 3 attempts per Step (Tex. Occ. Code 155.056) for every applicant."""
    s = licence(profile("TX", {"route": STANDARD}, exams={"usmle.step1": attempts("fail", "pass"),
                                                          "usmle.step2ck": PASS}))
    assert s.status != BLOCKED
    assert limit_states(s) == {"usmle.step1": "met", "usmle.step2ck": "met", "usmle.step3": "within"}


# ---- the side-by-side comparison says a route barred by its limit ----------------------------------

def columns(step):
    return {c["route"]: c for c in step.info["route_comparison"]}


def test_comparison_gives_no_date_for_a_route_whose_attempt_limit_is_exceeded():
    over = {"usmle.step1": attempts("fail", "fail", "fail", "pass"), "usmle.step2ck": PASS}
    s = licence(profile("RI", RI_ROUTE, exams=over), rules=OWN)
    alt, std = columns(s)[ALTERNATIVE], columns(s)[STANDARD]
    assert alt["earliest_full"] is None and alt["provisional"] is None
    assert alt["why_code"] == "img.route.own_attempt_limit_reached"
    assert std["earliest_full"] is not None  # Rhode Island's standard route has no limit recorded
    ok = licence(profile("RI", RI_ROUTE, exams={"usmle.step1": PASS, "usmle.step2ck": PASS}), rules=OWN)
    assert columns(ok)[ALTERNATIVE]["why_code"] != "img.route.own_attempt_limit_reached"


def test_comparison_says_the_standard_route_barred_by_the_state_limit():
    """Texas: a third Step 3 failure bars the standard route (155.056); its route asks Steps 1-2 only."""
    lic = {**RI_ROUTE, "job_offer_kind": "hospital", "jurisprudence_exam_passed": True}
    s = licence(profile("TX", lic, exams={"usmle.step1": PASS, "usmle.step2ck": PASS,
                                          "usmle.step3": attempts("fail", "fail", "fail")}))
    std, alt = columns(s)[STANDARD], columns(s)[ALTERNATIVE]
    assert std["earliest_full"] is None and std["why_code"] == "img.licence.attempt_limit_reached"
    assert alt["why_code"] != "img.licence.attempt_limit_reached"


def test_step_3_page_counts_against_the_route_own_limit_on_that_route():
    exams = {"usmle.step1": PASS, "usmle.step2ck": PASS, "usmle.step3": attempts("fail")}
    track = img.evaluate_track("img", Context(today=TODAY, rules=OWN, profile=profile("RI", RI_ROUTE, exams=exams)))
    # the fixture route's limited licence does not wait for Step 3: the limit is the full licence's
    said = [r for r in track.step("usmle.step3").reasons if r.code == "img.step3.state_attempt_limit_full"]
    assert [(r.params["s3lim"], r.params["used"]) for r in said] == [(3, 1)]
    assert "full licence" in said[0].text
    assert not any(r.code == "img.step3.state_attempt_limit" for r in track.step("usmle.step3").reasons)
    # the standard route: Rhode Island's state record has no Step 3 limit
    std = img.evaluate_track("img", Context(today=TODAY, rules=OWN,
                                            profile=profile("RI", {**RI_ROUTE, "route": STANDARD}, exams=exams)))
    assert not any(r.code.startswith("img.step3.state_attempt_limit") for r in std.step("usmle.step3").reasons)
