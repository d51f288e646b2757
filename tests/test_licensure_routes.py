"""Issue 13: the licence step's route (standard, or the target state's residency-free route), the
route's conditions met / missing / unknown / unanswered, the Match and residency steps not
applicable on that route, the side-by-side comparison with each route's earliest full-licence
date, the conditional states' school list, and the renewal of an issued licence as a reminder
and a calendar event. Every scenario sets `today`."""

from __future__ import annotations

import datetime as dt

import pytest
from route_fixtures import split_route

from core import ics, reminders, resources_dir
from core.engine import evaluate, img
from core.engine.base import DONE, EXPIRED, NOT_APPLICABLE, Context
from core.engine.img.licensure import ALTERNATIVE, STANDARD, route_comparison
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
TODAY = D(2026, 12, 1)
MATCH_STEPS = ("match.eras", "match.nrmp", "match.rol", "match.result")
PASS = {"attempts": [{"date": "2026-03-02", "result": "pass"}]}


def profile(state, lic=None, *, certified=False, steps=(), visa_need="needs_h1b", **facts):
    f = {
        "img": {"match_year": 2027, "specialty": "internal_medicine", "target_state": state,
                "visa_need": visa_need, "birth_date": "1985-04-10"},
        "ecfmg.school": {"wdoms_listed": True, "sponsor_note": True, "sponsor_note_from_year": 2000,
                         "graduation_date": "2012-06-30", "credit_years": 6, "degree": "medicine"},
        "license.state": dict(lic or {}),
        **facts,
    }
    if certified:
        f["ecfmg.certificate"] = {"issued_date": "2026-06-01", "permanently_validated": certified == "permanent"}
        f["ecfmg.oet"] = {"sittings": [{"date": "2025-10-01", "listening": 400, "reading": 400, "speaking": 400,
                                        "writing": 400, "result_date": "2025-10-20"}]}
    for sid in steps:
        f[sid] = PASS
    return {"format": "certpath-profile/1", "tracks": ["img"], "facts": f, "overrides": {}}


def run(prof, today=TODAY, rules=RULES):
    return img.evaluate_track("img", Context(today=today, rules=rules, profile=prof))


def licence(prof, today=TODAY, rules=RULES):
    return run(prof, today, rules).step("license.state")


def states(step):
    """condition key -> state, as the step says them."""
    return {c["key"]: c["state"] for c in step.info.get("route_conditions", [])}


ALL_STEPS = ("usmle.step1", "usmle.step2ck", "usmle.step3")
EXPERIENCED = dict(route=ALTERNATIVE, licensed_abroad=True, years_practice_abroad=8, foreign_residency_completed=True,
                   job_offer=True, immigration_status="authorised_to_work")


# ---- conditions, state by state ------------------------------------------------------------------

def test_tennessee_before_the_2026_rewrite_conditions_are_not_recorded_so_no_date():
    """Pub. Ch. 211 of 2023: only the caption was read; the numbers were in BillTrack50's "AI Summary"
    (machine-written, not used): every condition is unknown, so no date is given and that is said."""
    s = licence(profile("TN", {**EXPERIENCED, "years_practice_abroad": 2, "foreign_residency_completed": False}),
                D(2026, 5, 17))
    c = states(s)
    assert "license.route.TN" in s.rules and s.info["route"] == ALTERNATIVE
    assert set(c.values()) == {"unknown"}, c  # 2 years of practice is neither enough nor too few: not recorded
    assert "Years of practice abroad: not published: ask the board" in [r.text for r in s.reasons]
    assert s.due is None and "provisional_on" not in s.info and "full_on" not in s.info and not s.actions
    assert any(r.code == "img.route.conditions_unpublished" and r.params["state_name"] == "Tennessee"
               for r in s.reasons)
    alt = column(s, ALTERNATIVE)
    assert alt.provisional is None and alt.earliest_full is None and "not recorded" in alt.note
    assert any(w.code.startswith("rule.low_confidence") and w.params["rule"] == "license.route.TN" for w in s.warnings)


def test_tennessee_from_2026_05_18_asks_a_permanent_ecfmg_certificate_and_a_licence_abroad():
    s = licence(profile("TN", {**EXPERIENCED, "years_practice_abroad": 2}, certified=True), D(2026, 5, 18))
    c = states(s)
    assert c["years_practice_abroad"] == "unknown"
    assert c["licensed_abroad"] == "met"
    assert c["foreign_pgt_required"] == "met"
    assert c["ecfmg_permanent"] == "missing"  # issued but not permanently validated
    assert c["immigration_presence"] == "met"
    texts = [r.text for r in s.reasons]
    assert "Years of practice abroad: not published: ask the board" in texts
    s2 = licence(profile("TN", EXPERIENCED, certified="permanent"), D(2026, 5, 18))
    assert states(s2)["ecfmg_permanent"] == "met"


def test_arkansas_act_971_provisional_licence_then_unrestricted_two_years_later():
    lic = {**EXPERIENCED, "foreign_residency_completed": False, "job_offer_kind": "underserved_area_provider",
           "last_practice_date": "2026-06-30", "provisional_issued_date": "2026-09-01"}
    s = licence(profile("AR", lic, certified=True, steps=("usmle.step1", "usmle.step2ck")))
    c = states(s)
    assert "license.route.AR" in s.rules
    assert "foreign_pgt_required" not in c  # no postgraduate training asked, so no condition
    assert c["employer_kind"] == "met" and c["usmle_steps"] == "met" and c["practice_recency_years"] == "met"
    assert c["immigration_status"] == "unknown"
    assert s.info["provisional_on"] == D(2026, 9, 1) and s.info["full_on"] == D(2028, 9, 1) == s.due
    # not yet issued: an offer from a hospital outside an underserved area, practice abroad more than 4 years ago
    lic = {k: v for k, v in lic.items() if k != "provisional_issued_date"}
    s = licence(profile("AR", {**lic, "job_offer_kind": "hospital", "last_practice_date": "2022-11-30"},
                        certified=True, steps=("usmle.step1", "usmle.step2ck")))
    assert states(s)["employer_kind"] == "missing" and states(s)["practice_recency_years"] == "missing"
    assert s.due is None


def test_texas_needs_the_jurisprudence_exam_work_authorisation_and_steps_1_and_2():
    lic = {**EXPERIENCED, "job_offer_kind": "hospital"}
    s = licence(profile("TX", lic))
    c = states(s)
    assert c["jurisprudence_exam"] == "unanswered"
    assert c["usmle_steps"] == "missing"
    assert c["employer_kind"] == "met" and c["immigration_work"] == "met"
    assert c["ecfmg_eligible"] == "met"  # the school qualifies: the certificate itself is not asked
    assert c["years_practice_abroad"] == "unknown"
    assert s.due is None and any(r.code == "img.route.no_date_until_met" for r in s.reasons)
    s = licence(profile("TX", {**lic, "job_offer_kind": "fqhc", "immigration_status": "applied"}))
    assert states(s)["employer_kind"] == "missing" and states(s)["immigration_work"] == "missing"


def test_florida_full_licence_directly_once_every_condition_is_met():
    lic = {**EXPERIENCED, "job_offer_kind": "health_care_provider", "last_practice_date": "2025-01-31"}
    s = licence(profile("FL", lic, certified=True, steps=("usmle.step1", "usmle.step2ck")))
    c = states(s)
    assert set(c.values()) <= {"met", "unknown"}, c
    assert c["practice_recency_years"] == "met"  # within 4 years of today
    assert s.due == TODAY and s.info["full_on"] == TODAY and "provisional_on" not in s.info
    assert [a.key for a in s.actions] == ["apply-licence"]
    stale = licence(profile("FL", {**lic, "last_practice_date": "2022-11-30"}, certified=True,
                            steps=("usmle.step1", "usmle.step2ck")))
    assert states(stale)["practice_recency_years"] == "missing"  # more than 4 years ago
    assert stale.due is None


def test_virginia_provisional_licence_but_the_conversion_is_not_published():
    s = licence(profile("VA", EXPERIENCED, steps=ALL_STEPS))
    c = states(s)
    assert c["licensed_abroad"] == "met" and c["years_practice_abroad"] == "met"
    assert c["employer_offer"] == "unknown" and c["usmle_steps"] == "unknown"
    assert s.info["provisional_on"] == TODAY and "full_on" not in s.info and s.due is None
    # the provisional date assumes the conditions not published (the employer, ...) add nothing: said with it
    assert any(r.code == "img.route.conversion_unpublished_dates_assume_unknowns" for r in s.reasons)
    assert [a.key for a in s.actions] == ["apply-provisional"]
    # once the provisional licence is issued its date is a fact: only the conversion is said unknown
    issued = licence(profile("VA", {**EXPERIENCED, "provisional_issued_date": "2026-09-01"}))
    assert issued.info["provisional_on"] == D(2026, 9, 1) and issued.due is None
    assert any(r.code == "img.route.conversion_unpublished" for r in issued.reasons)
    assert not any(r.code == "img.route.conversion_unpublished_dates_assume_unknowns" for r in issued.reasons)


def test_a_route_whose_steps_are_unknown_gives_no_date_before_every_step_is_passed_or_booked():
    """Virginia's Steps were not read: a date of today for someone with Step 2 CK and Step 3 still to
    take would rest only on the Steps being unread, so there is none until no Step could hold it back."""
    s = licence(profile("VA", EXPERIENCED, steps=("usmle.step1",)))
    assert states(s)["usmle_steps"] == "unknown"
    assert "provisional_on" not in s.info and s.due is None and not s.actions
    why = next(r for r in s.reasons if r.code == "img.route.steps_unpublished_no_date")
    assert why.params["state_name"] == "Virginia" and "ask the board" in why.text
    assert column(s, ALTERNATIVE).provisional is None and column(s, ALTERNATIVE).note == why.text
    # the last Step booked: the date is its expected result, the day it is known
    prof = profile("VA", EXPERIENCED, certified=True, steps=("usmle.step1", "usmle.step2ck"),
                   **{"usmle.step3": {"scheduled_date": "2027-02-10"}})  # Step 3 needs the certificate
    booked = licence(prof)
    expected = run(prof).step("usmle.step3").info["expected_on"]
    assert booked.info["provisional_on"] == expected > D(2027, 2, 10)
    # every Step passed: nothing the record leaves unknown can hold the date back any more
    assert licence(profile("VA", EXPERIENCED, steps=ALL_STEPS)).info["provisional_on"] == TODAY


def test_wisconsin_full_licence_three_years_after_the_provisional_one():
    lic = {**EXPERIENCED, "job_offer_kind": "fqhc", "provisional_issued_date": "2026-09-01"}
    s = licence(profile("WI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3")))
    c = states(s)
    assert c["usmle_steps"] == "met" and c["employer_kind"] == "met"
    assert s.info["full_on"] == D(2029, 9, 1) == s.due
    assert any(r.code == "img.route.supervised" for r in s.reasons)
    # another employer kind: the law lets the board approve one, so it is said as unknown, not missing
    s = licence(profile("WI", {**lic, "job_offer_kind": "urgent_care"}, certified=True))
    assert states(s)["employer_kind"] == "unknown"


def test_a_pending_step_dates_the_route_by_its_expected_result():
    lic = {**EXPERIENCED, "job_offer_kind": "fqhc"}
    prof = profile("WI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck"))
    prof["facts"]["usmle.step3"] = {"scheduled_date": "2027-02-10"}
    s = licence(prof)
    assert states(s)["usmle_steps"] == "pending"
    prov = s.info["provisional_on"]
    assert prov > D(2027, 2, 10) and s.info["full_on"] == D(prov.year + 3, prov.month, prov.day)


def test_a_state_without_a_route_keeps_the_standard_route_and_says_so():
    s = licence(profile("CA", {"route": ALTERNATIVE}))
    assert s.info["route"] == STANDARD
    assert any(w.code == "img.route.none_in_state" for w in s.warnings)
    t = run(profile("CA", {"route": ALTERNATIVE}))
    assert all(t.step(sid).status != NOT_APPLICABLE for sid in MATCH_STEPS + ("residency.training",))


# ---- the Match and residency on the route ----------------------------------------------------------

def test_alternative_route_makes_the_match_and_residency_not_applicable_but_not_ecfmg_or_the_visa():
    t = run(profile("WI", EXPERIENCED))
    for sid in MATCH_STEPS + ("residency.training",):
        assert t.step(sid).status == NOT_APPLICABLE, sid
        assert t.step(sid).reasons[0].code == "img.route.step_not_needed"
    for sid in ("ecfmg.application", "ecfmg.certificate", "usmle.step1", "visa"):
        assert t.step(sid).status != NOT_APPLICABLE, sid
    # nothing waits for a step that does not apply
    for s in t.steps:
        assert not any(b.step in MATCH_STEPS + ("residency.training",) for b in s.blocked_by), s.id
    std = run(profile("WI", {**EXPERIENCED, "route": STANDARD}))
    assert all(std.step(sid).status != NOT_APPLICABLE for sid in MATCH_STEPS)


# ---- the comparison ----------------------------------------------------------------------------

def test_comparison_gives_each_routes_earliest_full_licence_date():
    lic = {**EXPERIENCED, "route": STANDARD, "job_offer_kind": "fqhc", "provisional_issued_date": "2026-09-01"}
    s = licence(profile("WI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3")))
    std, alt = route_comparison(s)
    assert (std.route, alt.route) == (STANDARD, ALTERNATIVE)
    # standard: residency from 1 July 2027 plus Wisconsin's 24 months
    assert std.earliest_full == D(2029, 7, 1) and std.available
    assert alt.earliest_full == D(2029, 9, 1) and alt.provisional == D(2026, 9, 1)
    assert ("met", "USMLE passed: USMLE Step 1, USMLE Step 2 CK, USMLE Step 3: met") in alt.conditions
    assert s.info["route"] == STANDARD and s.due == D(2029, 7, 1)  # the chosen route dates the step


def test_comparison_without_a_route_in_the_state():
    std, alt = route_comparison(licence(profile("NY")))
    assert std.earliest_full == D(2030, 7, 1)  # 36 months from 1 July 2027
    assert not alt.available and alt.earliest_full is None and "no residency-free route" in alt.note


def test_the_comparison_and_the_route_are_in_the_evaluate_json():
    j = licence(profile("TX", EXPERIENCED)).to_json()
    assert j["info"]["route"] == ALTERNATIVE
    assert [o["route"] for o in j["info"]["route_comparison"]] == [STANDARD, ALTERNATIVE]
    assert {c["key"] for c in j["info"]["route_conditions"]} >= {"jurisprudence_exam", "usmle_steps"}


# ---- conditional states (FL, GA) ------------------------------------------------------------------

@pytest.mark.parametrize("state,listed,other", [("FL", 12, 24), ("GA", 12, 36)])
def test_school_on_board_list_chooses_the_months(state, listed, other):
    start = D(2027, 7, 1)
    yes = licence(profile(state, {"school_on_board_list": True}))
    no = licence(profile(state, {"school_on_board_list": False}))
    unsaid = licence(profile(state))
    assert yes.due == D(start.year + listed // 12, 7, 1)
    assert no.due == unsaid.due == D(start.year + other // 12, 7, 1)
    assert any(w.code == "img.route.school_list_unanswered" for w in unsaid.warnings)
    assert not any(w.code == "img.route.school_list_unanswered" for w in yes.warnings + no.warnings)


# ---- renewal ----------------------------------------------------------------------------------

def test_pennsylvania_renewal_31_december_of_even_years():
    s = licence(profile("PA", {"issued_date": "2027-03-01"}), D(2027, 6, 1))
    assert s.status == DONE and s.expires == D(2028, 12, 31) == s.info["renewal_due"]
    assert [(a.key, a.date) for a in s.actions] == [("licence-renewal", D(2028, 12, 31))]
    assert licence(profile("PA", {"issued_date": "2027-03-01"}), D(2029, 1, 2)).expires == D(2030, 12, 31)


def test_california_renews_in_the_month_of_issue_and_birth_month_before_july_2018():
    assert licence(profile("CA", {"issued_date": "2027-03-15"}), D(2027, 6, 1)).expires == D(2029, 3, 31)
    assert licence(profile("CA", {"issued_date": "2016-02-10"}), D(2017, 1, 1)).expires == D(2018, 4, 30)


def test_staggered_or_unpublished_cycles_say_so_and_a_printed_date_wins():
    tx = licence(profile("TX", {"issued_date": "2027-03-01"}), D(2027, 6, 1))
    assert tx.expires is None and any(w.code == "img.route.renewal_date_on_licence" for w in tx.warnings)
    oh = licence(profile("OH", {"issued_date": "2027-03-01"}), D(2027, 6, 1))
    assert oh.expires is None and any(w.code == "img.route.renewal_unpublished" for w in oh.warnings)
    tx = licence(profile("TX", {"issued_date": "2027-03-01", "renewal_due_date": "2029-02-28"}), D(2027, 6, 1))
    assert tx.expires == D(2029, 2, 28) and tx.status == DONE


def test_a_licence_past_its_renewal_date_is_expired():
    lic = {"issued_date": "2027-03-01", "renewal_due_date": "2029-02-28"}
    assert licence(profile("TX", lic), D(2029, 2, 28)).status == DONE
    s = licence(profile("TX", lic), D(2029, 3, 1))
    assert s.status == EXPIRED and s.reasons[-1].code == "img.route.licence_lapsed"


def test_renewal_becomes_a_reminder_and_a_calendar_event():
    j = evaluate(profile("PA", {"issued_date": "2027-03-01"}), D(2027, 6, 1), RULES)
    rem = [r for r in reminders.from_journey(j) if r.source_key.startswith("step:license.state:")]
    assert [(r.source_key, r.due) for r in rem] == [("step:license.state:expires", D(2028, 12, 31))]
    cal = ics.build_calendar(rem, 1, "Test", D(2027, 6, 1)).to_ical().decode().replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20281231" in cal and "SUMMARY:Full state licence expires" in cal


# ---- the licence page's comparison (GUI) --------------------------------------------------------

def _licence_window(qtbot, data_dir, shown_window, lic):
    from gui.shell import open_session

    session = open_session(data_dir, TODAY, demo=False)
    pid = session.store.create_profile("Route", "img_physician", ["img"])
    prof = profile("WI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3"))
    session.store.save_facts(pid, prof["facts"])
    session.profile_id = pid
    w = shown_window(session)
    return w, w.open_step("license.state")


@pytest.mark.parametrize("dark", [False, True])
def test_licence_page_shows_both_routes_side_by_side(qtbot, data_dir, shown_window, no_modal, dark, tmp_path):
    from PySide6.QtWidgets import QApplication

    from gui import theme

    app = QApplication.instance()
    (theme.apply_dark if dark else theme.apply_light)(app)
    try:
        lic = {**EXPERIENCED, "job_offer_kind": "fqhc", "provisional_issued_date": "2026-09-01"}
        w, page = _licence_window(qtbot, data_dir, shown_window, lic)
        qtbot.waitUntil(lambda: page.compare is not None and page.compare.isVisible(), timeout=3000)
        std, alt = page.compare.columns["standard"], page.compare.columns[ALTERNATIVE]
        assert "(your choice)" in alt.title.text() and "(your choice)" not in std.title.text()
        assert alt.full.text().endswith("2029-09-01") or "2029" in alt.full.text()
        assert "no date yet" not in std.full.text() and std.full.isVisible()
        assert "24 months of accredited US residency" in std.note.text()
        assert "met" in alt.summary.text() and not alt.conditions.isVisible()  # the chosen route's list is "Why"
        assert alt.width() <= page.right_scroll.viewport().width()
        assert w.open_step("usmle.step1").compare is None  # only the licence page has it
        import os
        out = os.environ.get("CERTPATH_SHOTS")
        if out:
            w.open_step("license.state")
            page.right_scroll.ensureWidgetVisible(page.compare.columns[ALTERNATIVE].summary)
            qtbot.wait(200)
            w.grab().save(os.path.join(out, f"licence_compare_{'dark' if dark else 'light'}.png"))
    finally:
        theme.apply_light(app)


# ---- the command line ----------------------------------------------------------------------------

def test_cli_lists_both_kinds_and_evaluate_shows_the_route(tmp_path, capsys):
    import json

    from core.cli import main

    assert main(["rules", "--id", "license.", "--json"]) == 0
    ids = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert {"license.state.TX", "license.route.TX", "license.renewal.PA"} <= ids
    p = tmp_path / "p.json"
    p.write_text(json.dumps({**profile("TX", EXPERIENCED), "name": "Route", "role": "img_physician"}), encoding="utf-8")
    assert main(["evaluate", str(p), "--today", "2026-12-01"]) == 0
    out = json.loads(capsys.readouterr().out)
    step = next(s for t in out["tracks"] for s in t["steps"] if s["id"] == "license.state")
    assert step["info"]["route"] == ALTERNATIVE and step["info"]["route_comparison"][1]["route"] == ALTERNATIVE
    eras = next(s for t in out["tracks"] for s in t["steps"] if s["id"] == "match.eras")
    assert eras["status"] == NOT_APPLICABLE


# ---- what the licence waits for depends on the route ----------------------------------------------

def waits(step):
    return {b.step for b in step.blocked_by}


def test_standard_route_licence_still_waits_for_step_3_and_the_certificate():
    s = licence(profile("TX", {**EXPERIENCED, "route": STANDARD}, steps=("usmle.step1", "usmle.step2ck")))
    assert s.info["route"] == STANDARD
    assert {"usmle.step3", "ecfmg.certificate"} <= waits(s)
    assert any(b.why.code == "dep.waits_for" and b.step == "usmle.step3" for b in s.blocked_by)


@pytest.mark.parametrize("state", ["TX", "FL"])
def test_a_route_without_step_3_does_not_wait_for_it(state):
    """Texas (Steps 1-2, an ECFMG-eligible school only) and Florida (Steps 1-2, the certificate):
    Step 3 is not one of their conditions, so the licence does not say it waits for it."""
    lic = {**EXPERIENCED, "job_offer_kind": "hospital" if state == "TX" else "health_care_provider"}
    t = run(profile(state, lic, steps=("usmle.step1", "usmle.step2ck")))
    s = t.step("license.state")
    assert s.info["route"] == ALTERNATIVE
    assert t.step("usmle.step3").status not in (DONE, NOT_APPLICABLE)  # Step 3 not passed
    assert "usmle.step3" not in waits(s), s.blocked_by
    if state == "TX":  # the certificate is not asked either: only a school that makes one eligible
        assert "ecfmg.certificate" not in waits(s)
    else:
        assert "ecfmg.certificate" in waits(s)


def test_texas_route_waits_for_the_steps_it_names_until_they_are_passed():
    lic = {**EXPERIENCED, "job_offer_kind": "hospital"}
    s = licence(profile("TX", lic))
    assert {"usmle.step1", "usmle.step2ck"} <= waits(s) and "usmle.step3" not in waits(s)
    s = licence(profile("TX", lic, steps=("usmle.step1", "usmle.step2ck")))
    assert not waits(s) & {"usmle.step1", "usmle.step2ck"}


def test_a_route_that_asks_for_step_3_waits_for_it():
    lic = {**EXPERIENCED, "job_offer_kind": "fqhc"}
    s = licence(profile("WI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck")))
    assert s.info["route"] == ALTERNATIVE and "usmle.step3" in waits(s)
    done = licence(profile("WI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3")))
    assert "usmle.step3" not in waits(done)


def test_a_route_whose_steps_are_unknown_adds_no_wait_and_says_unknown():
    s = licence(profile("VA", EXPERIENCED))
    assert states(s)["usmle_steps"] == "unknown"
    assert not waits(s) & {"usmle.step3", "ecfmg.certificate"}


def test_an_evaluation_may_only_name_steps_of_its_track():
    from core.engine.base import DependencyPolicy, StepDef, StepResult, link_dependencies
    a, b = StepDef("x.a", "x", "S", "A", ""), StepDef("x.b", "x", "S", "B", "", ("x.a",))
    defs = {a.id: a, b.id: b}
    res = StepResult("x.b", depends_on=("x.nope",))
    with pytest.raises(ValueError):
        link_dependencies(b, res, defs, {"x.a": StepResult("x.a")}, DependencyPolicy(), {})
    res = StepResult("x.b", depends_on=())
    link_dependencies(b, res, defs, {"x.a": StepResult("x.a")}, DependencyPolicy(), {})
    assert res.blocked_by == []  # the evaluation said it waits for nothing
    res = StepResult("x.b")
    link_dependencies(b, res, defs, {"x.a": StepResult("x.a")}, DependencyPolicy(), {})
    assert [x.step for x in res.blocked_by] == ["x.a"]  # the definition's list


# ---- the state's attempt limits on the residency-free route ----------------------------------------

FAILS3 = {"attempts": [{"date": d, "result": "fail"} for d in ("2024-01-10", "2024-07-10", "2025-01-10")]}
PASS4 = {"attempts": FAILS3["attempts"] + [{"date": "2025-08-10", "result": "pass"}]}


def test_texas_route_applies_the_three_attempt_limit_of_155_056_to_the_steps_it_asks():
    lic = {**EXPERIENCED, "job_offer_kind": "hospital", "jurisprudence_exam_passed": True}
    prof = profile("TX", lic, steps=("usmle.step2ck",), **{"usmle.step1": PASS4})
    s = licence(prof)
    assert s.info["route"] == ALTERNATIVE and s.status == "blocked"
    assert s.reasons[-1].code == "img.licence.attempt_limit_reached"
    assert [b.step for b in s.blocked_by if b.why.code == "img.licence.attempt_limit_reached"] == ["usmle.step1"]
    assert s.info["route_attempt_limits"] == {"usmle.step1": 3, "usmle.step2ck": 3}
    assert not s.actions  # no "apply" date while the limit bars the route
    # passed within three attempts: not blocked by the limit
    ok = licence(profile("TX", lic, steps=("usmle.step1", "usmle.step2ck")))
    assert ok.status != "blocked" and not any(r.code == "img.licence.attempt_limit_reached" for r in ok.reasons)


def test_texas_route_does_not_count_step_3_which_it_does_not_ask():
    lic = {**EXPERIENCED, "job_offer_kind": "hospital"}
    prof = profile("TX", lic, steps=("usmle.step1", "usmle.step2ck"), **{"usmle.step3": FAILS3})
    s = licence(prof)
    assert not any(r.code == "img.licence.attempt_limit_reached" for r in s.reasons)
    # the standard route counts it
    std = licence(profile("TX", {**lic, "route": STANDARD}, steps=("usmle.step1", "usmle.step2ck"),
                          **{"usmle.step3": FAILS3}))
    assert std.status == "blocked" and any(r.code == "img.licence.attempt_limit_reached" for r in std.reasons)


def test_oklahoma_route_law_is_silent_on_the_limit_so_it_is_said_not_applied():
    lic = {**EXPERIENCED, "job_offer_kind": "provider_with_accredited_gme"}
    prof = profile("OK", lic, certified=True, steps=("usmle.step2ck", "usmle.step3"), **{"usmle.step1": PASS4})
    s = licence(prof)
    assert s.info["route"] == ALTERNATIVE and s.status != "blocked"
    assert not any(r.code == "img.licence.attempt_limit_reached" for r in s.reasons)
    assert any(w.code == "img.route.attempt_limits_unpublished" and w.params["limit"] == 3 for w in s.warnings)
    # the route's conditions rest on machine-written summaries only (fifth pass): the step says it is unsure
    assert any(w.code.startswith("rule.low_confidence") and w.params["rule"] == "license.route.OK" for w in s.warnings)


def test_a_route_state_without_a_limit_says_nothing_about_one():
    s = licence(profile("WI", {**EXPERIENCED, "job_offer_kind": "fqhc"}, **{"usmle.step1": PASS4}))
    assert not any(w.code == "img.route.attempt_limits_unpublished" for w in s.warnings)


def test_nebraska_route_full_licence_after_three_provisional_and_three_transitional_years():
    """Neb. Rev. Stat. 38-2067/38-2068: Step 3 for the transitional licence, unrestricted after 3 + 3 years."""
    lic = {**EXPERIENCED, "job_offer_kind": "participating_health_care_entity", "provisional_issued_date": "2026-09-01"}
    s = licence(profile("NE", lic, certified=True, steps=("usmle.step1", "usmle.step2ck")))
    assert s.info["route"] == ALTERNATIVE
    # Step 3 is asked for the transitional licence (38-2067), not the provisional one (38-2066):
    # the licence step does not wait for it, the full licence does
    assert "usmle.step3" not in waits(s) and states(s)["usmle_steps"] == "met"
    assert states(s)["usmle_steps_full"] == "missing" and "full_on" not in s.info and s.due is None
    done = licence(profile("NE", lic, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3")))
    assert done.info["full_on"] == D(2032, 9, 1)
    assert states(done)["years_practice_abroad"] == "met" and states(done)["foreign_pgt_required"] == "met"


def test_oregon_route_provisional_now_full_after_four_supervised_years():
    """ORS 677.146: ECFMG certification, 3 years' practice abroad, an offer from a clinical facility."""
    lic = {**EXPERIENCED, "job_offer_kind": "health_care_facility"}
    s = licence(profile("OR", lic, certified=True, steps=ALL_STEPS))
    c = states(s)
    assert s.info["route"] == ALTERNATIVE
    assert c["years_practice_abroad"] == c["ecfmg_certificate"] == c["employer_kind"] == "met"
    assert c["usmle_steps"] == "unknown"  # the Steps were not in the part of 677.146 read
    assert s.info["provisional_on"] == TODAY and s.info["full_on"] == D(2030, 12, 1) == s.due
    # with Step 3 still to take, the unread Step list gives no date (test_a_route_whose_steps_are_unknown_...)
    assert licence(profile("OR", lic, certified=True, steps=("usmle.step1", "usmle.step2ck"))).due is None
    assert any(r.code == "img.route.supervised" for r in s.reasons)
    # Oregon's Step 3 limit (4 attempts) is the standard route's; the route law says nothing about it
    assert any(w.code == "img.route.attempt_limits_unpublished" for w in s.warnings)
    # two years of practice abroad are not enough; without the certificate there is no date
    short = licence(profile("OR", {**lic, "years_practice_abroad": 2}, certified=True, steps=ALL_STEPS))
    assert states(short)["years_practice_abroad"] == "missing" and short.due is None
    uncertified = licence(profile("OR", lic))
    assert states(uncertified)["ecfmg_certificate"] == "missing" and uncertified.due is None
    assert "ecfmg.certificate" in waits(uncertified)


def test_rhode_island_route_terms_not_read_give_no_full_date_and_say_so():
    """P.L. 2025 ch. 95/96: only the definitions (5-37-1(11)) were read; 5-37-16(b)'s term, Steps,
    employer and conversion were seen only in machine-written summaries (not used): unknown."""
    lic = {**EXPERIENCED, "job_offer_kind": "participating_health_care_entity"}
    s = licence(profile("RI", lic))  # no USMLE Step passed, no ECFMG certificate
    c = states(s)
    assert s.info["route"] == ALTERNATIVE and s.info["licence_kind"] == "limited"
    # what the definition asks is checked; the rest is said as not published
    assert c["licensed_abroad"] == c["foreign_pgt_required"] == "met"
    for key in ("usmle_steps", "ecfmg_certificate", "employer_offer", "years_practice_abroad"):
        assert c[key] == "unknown", key
    assert "usmle_steps_full" not in c and "employer_kind" not in c
    no = licence(profile("RI", {**lic, "licensed_abroad": False}))
    assert states(no)["licensed_abroad"] == "missing" and no.due is None and "provisional_on" not in no.info
    # no date at all: which Steps the registration asks is not published and Steps are still to pass
    assert s.due is None and "full_on" not in s.info and "provisional_on" not in s.info and not s.actions
    why = next(r for r in s.reasons if r.code == "img.route.steps_unpublished_no_date")
    assert why.params["state_name"] == "Rhode Island" and "not published" in why.text
    alt = column(s, ALTERNATIVE)
    assert alt.provisional is None and alt.earliest_full is None and alt.note == why.text
    # every Step passed: an earliest registration date, said to assume the unpublished conditions add
    # none, and still no full-licence date (the conversion is not published)
    done = licence(profile("RI", lic, certified=True, steps=ALL_STEPS))
    assert done.info["provisional_on"] == TODAY and "full_on" not in done.info and done.due is None
    note = next(r for r in done.reasons if r.code == "img.route.conversion_unpublished_dates_assume_unknowns")
    assert column(done, ALTERNATIVE).note == note.text and "Rhode Island" in note.text
    assert [a.key for a in done.actions] == ["apply-provisional"]
    # nothing waits for a Step or the certificate the record does not name
    assert not {"usmle.step1", "usmle.step2ck", "usmle.step3", "ecfmg.certificate"} & set(s.depends_on or ())
    # no attempt limit of the route's own, none of the state's: nothing said about one
    assert "route_attempt_limits" not in s.info and "license.route_attempts.RI" not in s.rules
    assert not any(r.code == "img.route.supervised" for r in s.reasons)
    # the standard route stays available and keeps its own dates
    std = licence(profile("RI", {"route": STANDARD}))
    assert std.info["route"] == STANDARD and "full_on" not in std.info


def test_oklahoma_route_conditions_not_read_give_no_date_and_say_so():
    """HB 2050 of 2025: only the caption was read (limited and full licensure exist); the conditions and the
    2025-11-01 date were in machine-written summaries only (not used)."""
    lic = {**EXPERIENCED, "job_offer_kind": "provider_with_accredited_gme"}
    s = licence(profile("OK", lic, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3")))
    assert s.info["route"] == ALTERNATIVE and set(states(s).values()) == {"unknown"}
    assert s.due is None and "provisional_on" not in s.info and not s.actions
    assert any(r.code == "img.route.conditions_unpublished" and r.params["state_name"] == "Oklahoma"
               for r in s.reasons)
    alt = column(s, ALTERNATIVE)
    assert alt.provisional is None and alt.earliest_full is None
    assert alt.note.startswith("No date:") and "ask the board" in alt.note
    # the standard route keeps its date beside it
    assert column(s, STANDARD).earliest_full == D(2029, 7, 1)


# ---- Steps split between the provisional and the full licence (NE, MA; a test-only fixture) ---------

SPLIT = split_route()  # limited licence with Steps 1-2, full licence with Step 3 after 3 years (fixture)
RI_LIC = {**EXPERIENCED, "job_offer_kind": "participating_health_care_entity"}


def column(step, route):
    return next(c for c in route_comparison(step) if c.route == route)


def test_a_split_route_limited_licence_then_full_licence_with_step_3():
    lic = {**RI_LIC, "provisional_issued_date": "2026-09-01"}
    s = licence(profile("RI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck")), rules=SPLIT)
    assert s.info["route"] == ALTERNATIVE and states(s)["licensed_abroad"] == "met"
    assert "usmle.step3" not in waits(s)  # asked for the full licence only
    done = licence(profile("RI", lic, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3")),
                   rules=SPLIT)
    assert states(done)["usmle_steps"] == states(done)["usmle_steps_full"] == "met"
    assert states(done)["employer_kind"] == "met"
    assert done.info["full_on"] == D(2029, 9, 1) == done.due
    other = licence(profile("RI", {**lic, "job_offer_kind": "urgent_care"}, certified=True,
                            steps=("usmle.step1", "usmle.step2ck", "usmle.step3")), rules=SPLIT)
    assert states(other)["employer_kind"] == "missing"


def test_a_split_route_asks_step_3_for_the_full_licence_not_the_limited_one():
    s = licence(profile("RI", RI_LIC, certified=True, steps=("usmle.step1", "usmle.step2ck")), rules=SPLIT)
    c = states(s)
    assert c["usmle_steps"] == "met" and c["usmle_steps_full"] == "missing"
    assert s.depends_on is not None and "usmle.step3" not in s.depends_on
    assert {"usmle.step1", "usmle.step2ck", "ecfmg.certificate"} <= set(s.depends_on)
    assert s.info["provisional_on"] == TODAY  # nothing the limited licence needs is missing
    assert "full_on" not in s.info and s.due is None
    assert any(r.code == "img.route.full_waits_for_steps" and r.params["steps"] == ["usmle.step3"]
               for r in s.reasons)
    assert any(r.code == "img.route.condition_missing" and r.params["what"].code == "img.route.cond_usmle_steps_full"
               for r in s.reasons)
    assert {a.key for a in s.actions} == {"apply-provisional"}
    alt = column(s, ALTERNATIVE)
    assert alt.provisional == TODAY and alt.earliest_full is None
    assert ("missing", "For the full licence, USMLE passed: USMLE Step 3: missing") in alt.conditions
    # Step 3 booked: the full licence is the later of the three years and the expected result
    late = {"scheduled_date": "2030-02-01"}
    prof = profile("RI", RI_LIC, certified=True, steps=("usmle.step1", "usmle.step2ck"), **{"usmle.step3": late})
    booked = licence(prof, rules=SPLIT)
    assert states(booked)["usmle_steps_full"] == "pending"
    expected = run(prof, rules=SPLIT).step("usmle.step3").info["expected_on"]
    assert expected > D(2029, 12, 1)
    assert booked.info["provisional_on"] == TODAY and booked.info["full_on"] == expected == booked.due
    # Step 3 passed: three years after the limited licence
    done = licence(profile("RI", RI_LIC, certified=True, steps=("usmle.step1", "usmle.step2ck", "usmle.step3")),
                   rules=SPLIT)
    assert done.info["provisional_on"] == TODAY and done.info["full_on"] == D(2029, 12, 1) == done.due
    assert column(done, ALTERNATIVE).earliest_full == D(2029, 12, 1)
    assert {a.key for a in done.actions} == {"apply-provisional", "apply-licence"}


def test_a_split_route_without_step_2_has_no_limited_licence_date():
    s = licence(profile("RI", RI_LIC, certified=True, steps=("usmle.step1",)), rules=SPLIT)
    c = states(s)
    assert c["usmle_steps"] == "missing" and "usmle.step2ck" in waits(s)
    assert "provisional_on" not in s.info and column(s, ALTERNATIVE).provisional is None


def test_comparison_for_a_split_route_standard_and_alternative_side_by_side():
    """The standard route column keeps its own date; the alternative column's full date waits for Step 3
    whichever route is chosen."""
    prof = profile("RI", {**RI_LIC, "route": STANDARD}, certified=True, steps=("usmle.step1", "usmle.step2ck"))
    s = licence(prof, rules=SPLIT)
    assert s.info["route"] == STANDARD
    alt = column(s, ALTERNATIVE)
    assert alt.available and alt.provisional == TODAY and alt.earliest_full is None
    assert "Step 3" in alt.note
    assert column(s, STANDARD).available


def test_massachusetts_full_licence_needs_step_3_the_limited_licence_steps_unknown():
    """The board's statement (c. 238 of 2024): Step 3 for the full licence; the limited licence's Steps
    are not said, so they stay unknown and add no wait."""
    lic = {**EXPERIENCED, "job_offer_kind": "hospital", "provisional_issued_date": "2026-09-01"}
    s = licence(profile("MA", lic, certified=True))
    c = states(s)
    assert c["usmle_steps"] == "unknown" and c["usmle_steps_full"] == "missing"
    assert not {"usmle.step1", "usmle.step2ck", "usmle.step3"} & set(s.depends_on or ())
    assert "full_on" not in s.info
    done = licence(profile("MA", lic, certified=True, steps=("usmle.step3",)))
    assert states(done)["usmle_steps_full"] == "met" and done.info["full_on"] == D(2029, 9, 1)


def test_a_one_list_route_still_asks_every_step_before_the_first_licence():
    """Indiana lists Steps 1 to 3 in one list (IC 25-22.5-5-7): all before the limited licence."""
    lic = {**EXPERIENCED, "job_offer_kind": "underserved_area_facility"}
    s = licence(profile("IN", lic, certified=True, steps=("usmle.step1", "usmle.step2ck")))
    c = states(s)
    assert c["usmle_steps"] == "missing" and "usmle_steps_full" not in c
    assert "usmle.step3" in waits(s) and "provisional_on" not in s.info
    assert not any(r.code == "img.route.full_waits_for_steps" for r in s.reasons)
