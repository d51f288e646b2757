"""Nebraska's transitional licence on its residency-free route, and the standard route's full-licence
date when Step 3 is neither passed nor booked.

1. Neb. Rev. Stat. 38-2067 / 38-2068 (read 2026-12-02 on nebraskalegislature.gov): the transitional
   licence after 3 years on the provisional licence and a satisfactory Step 3; the unrestricted
   licence after at least 3 years on each. So a Step 3 result after the 3-year mark moves both; the
   provisional licence is held at most 6 years (38-2066(2)), so a later Step 3 leaves no date.
2. The standard column of the comparison no longer assumes Step 3 is taken during residency: with
   Step 3 not passed and not booked its date is the later of the training and the earliest result a
   sitting from today could give, and the note (a finding) says Step 3 is not booked.

Every scenario sets `today`; the boundaries are tested on the day before, the day of and the day after."""

from __future__ import annotations

import datetime as dt

import pytest
from route_fixtures import split_route

from core import resources_dir
from core.engine import img
from core.engine.base import Context
from core.engine.img.licensure import ALTERNATIVE, STANDARD, route_comparison
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
TODAY = D(2026, 12, 1)
PASS = {"attempts": [{"date": "2026-03-02", "result": "pass"}]}
NE_LIC = dict(route=ALTERNATIVE, licensed_abroad=True, years_practice_abroad=8, foreign_residency_completed=True,
              job_offer=True, immigration_status="authorised_to_work",
              job_offer_kind="participating_health_care_entity", provisional_issued_date="2026-09-01")


def profile(state, lic, step3=None, *, certified=True, visa_need="needs_j1"):
    f = {
        "img": {"match_year": 2027, "specialty": "internal_medicine", "target_state": state,
                "visa_need": visa_need, "birth_date": "1985-04-10"},
        "ecfmg.school": {"wdoms_listed": True, "sponsor_note": True, "sponsor_note_from_year": 2000,
                         "graduation_date": "2012-06-30", "credit_years": 6, "degree": "medicine"},
        "license.state": dict(lic),
        "usmle.step1": PASS, "usmle.step2ck": PASS,
    }
    if certified:
        f["ecfmg.certificate"] = {"issued_date": "2026-06-01"}
    if step3 is not None:
        f["usmle.step3"] = step3
    return {"format": "certpath-profile/1", "tracks": ["img"], "facts": f, "overrides": {}}


def licence(prof, today=TODAY):
    return img.evaluate_track("img", Context(today=today, rules=RULES, profile=prof)).step("license.state")


def column(step, route):
    return next(c for c in route_comparison(step) if c.route == route)


def passed(result_date, sat=None):
    """Step 3 passed, its result released on `result_date` (the date the engine counts from)."""
    return {"attempts": [{"date": sat or (result_date - dt.timedelta(weeks=4)).isoformat(), "result": "pass",
                          "result_date": result_date.isoformat()}]}


def add_years(d, n):
    return d.replace(year=d.year + n)


def why(step, route):
    o = next(o for o in step.info["route_comparison"] if o["route"] == route)
    return o["why_code"]


# ---- 1. Nebraska: provisional, then transitional (Step 3), then unrestricted ------------------------

def test_the_record_models_the_transitional_licence_from_the_statute():
    r = RULES.get("license.route.NE", D(2026, 12, 2))
    mid = r.value["intermediate_licence"]
    assert mid == {"kind": "transitional", "after_provisional_years": 3, "min_years": 3, "usmle_steps": [3],
                   "citation": "Neb. Rev. Stat. 38-2067(1), 38-2068(1)"}
    assert r.value["converts_to_full_after_years"] == 3 + 3
    assert (r.value["provisional_years"], r.value["provisional_extension_years"]) == (3, 3)  # 38-2066(2): 6 at most
    assert r.confidence == "high" and all(s.tier == "primary" for s in r.sources)
    assert all(s.url.startswith("https://nebraskalegislature.gov/") for s in r.sources)
    assert r.checked == D(2026, 12, 2) and r.value["law_effective"] == "unknown"


@pytest.mark.parametrize("result,transitional,full", [
    (D(2029, 8, 31), D(2029, 9, 1), D(2032, 9, 1)),  # the day before the 3-year mark: the mark
    (D(2029, 9, 1), D(2029, 9, 1), D(2032, 9, 1)),   # the day of it
    (D(2029, 9, 2), D(2029, 9, 2), D(2032, 9, 2)),   # the day after: both move by the day
    (D(2030, 3, 4), D(2030, 3, 4), D(2033, 3, 4)),   # in year 4: before, the full date said 2032-09-01
])
def test_step_3_after_year_3_moves_the_transitional_and_the_full_licence(result, transitional, full):
    s = licence(profile("NE", NE_LIC, passed(result)), D(2030, 3, 10))
    assert s.info["route"] == ALTERNATIVE
    assert s.info["intermediate_on"] == transitional and s.info["full_on"] == full == s.due
    alt = column(s, ALTERNATIVE)
    assert (alt.provisional, alt.intermediate, alt.earliest_full) == (D(2026, 9, 1), transitional, full)
    acts = {a.key: a.date for a in s.actions}
    assert acts["apply-intermediate"] == transitional and acts["apply-licence"] == full
    late = result > D(2029, 9, 1)
    assert (why(s, ALTERNATIVE) == "img.route.intermediate_waits_for_steps") == late
    if late:
        note = next(o for o in s.info["route_comparison"] if o["route"] == ALTERNATIVE)["why"]
        assert "transitional licence waits for USMLE Step 3" in note and "3 years after it" in note


def test_a_booked_step_3_dates_the_transitional_licence_from_its_expected_result():
    """Booked for 10 Jan 2030 (a Thursday): the result is due the Wednesday after 4 weeks, 13 Feb 2030."""
    s = licence(profile("NE", NE_LIC, {"scheduled_date": "2030-01-10"}))
    assert s.info["intermediate_on"] == D(2030, 2, 13) and s.info["full_on"] == D(2033, 2, 13)
    # not booked: neither has a date, and the step says Step 3 is what is missing
    none = licence(profile("NE", NE_LIC, {}))
    assert "intermediate_on" not in none.info and "full_on" not in none.info and none.due is None
    assert why(none, ALTERNATIVE) == "img.route.full_waits_for_steps"
    assert column(none, ALTERNATIVE).intermediate is None


@pytest.mark.parametrize("result,has_date", [
    (D(2032, 8, 31), True),   # the day before the provisional licence's sixth year ends
    (D(2032, 9, 1), True),    # the day it ends (38-2066(2): no more than six years)
    (D(2032, 9, 2), False),   # the day after: no transitional licence can follow
])
def test_step_3_after_the_provisional_licences_six_years_gives_no_date(result, has_date):
    s = licence(profile("NE", NE_LIC, passed(result)), D(2032, 9, 10))
    alt = column(s, ALTERNATIVE)
    if has_date:
        assert alt.intermediate == result and alt.earliest_full == add_years(result, 3) == s.due
    else:
        assert alt.intermediate is None and alt.earliest_full is None and s.due is None
        assert why(s, ALTERNATIVE) == "img.route.provisional_ends_before_intermediate"
        f = next(r for r in s.reasons if r.code == "img.route.provisional_ends_before_intermediate")
        assert f.params["ends"] == D(2032, 9, 1) and f.params["years"] == 6
        assert not any(a.key in ("apply-intermediate", "apply-licence") for a in s.actions)
    assert alt.provisional == D(2026, 9, 1)  # the provisional licence itself is not in question


def test_the_comparison_texts_keep_iso_dates_whatever_the_display_format():
    """The step's info is stored and exported (evaluate JSON): its texts stay ISO with a GUI hook installed."""
    from core.datefmt import set_date_formatter

    set_date_formatter(lambda d: d.strftime("%d/%m/%Y"))
    try:
        s = licence(profile("NE", NE_LIC, {"scheduled_date": "2030-01-10"}))
    finally:
        set_date_formatter(None)
    o = next(o for o in s.info["route_comparison"] if o["route"] == ALTERNATIVE)
    assert "result on 2030-02-13" in o["why"] and "13/02/2030" not in o["why"]
    assert any("2030-02-13" in c["text"] for c in o["conditions"])


def test_the_transitional_licence_issued_dates_the_full_licence_from_it():
    lic = {**NE_LIC, "intermediate_issued_date": "2029-11-15"}
    on = D(2029, 11, 16)
    s = licence(profile("NE", lic, passed(D(2029, 10, 30))), on)
    assert s.info["intermediate_on"] == D(2029, 11, 15) and s.info["full_on"] == D(2032, 11, 15) == s.due
    assert "apply-intermediate" not in {a.key for a in s.actions}
    # issued earlier than the 3 + 3 years allow: the full licence still waits for the 6 years
    early = licence(profile("NE", {**NE_LIC, "intermediate_issued_date": "2029-06-01"}, passed(D(2029, 5, 2))), on)
    assert early.info["full_on"] == D(2032, 9, 1)


def test_the_comparison_shows_the_transitional_date_when_the_standard_route_is_chosen():
    s = licence(profile("NE", {**NE_LIC, "route": STANDARD}, passed(D(2030, 3, 4))), D(2030, 3, 10))
    assert s.info["route"] == STANDARD and "intermediate_on" not in s.info
    alt = column(s, ALTERNATIVE)
    assert alt.intermediate == D(2030, 3, 4) and alt.earliest_full == D(2033, 3, 4)


def test_a_route_without_a_middle_licence_has_no_transitional_date():
    """A limited registration that converts to the full licence with Step 3, nothing between (the test
    fixture route in place of Rhode Island's, whose bundled record no longer says its conversion:
    tests/route_fixtures.py)."""
    lic = {**NE_LIC, "provisional_issued_date": "2026-09-01"}
    prof = profile("RI", lic, passed(D(2030, 3, 4)))
    s = img.evaluate_track("img", Context(today=D(2030, 3, 10), rules=split_route(), profile=prof)).step("license.state")
    assert column(s, ALTERNATIVE).intermediate is None and "intermediate_on" not in s.info
    # the later of the 3 years and Step 3's result (a Step 3 passed after the 3 years once gave the 3 years)
    assert s.info["full_on"] == D(2030, 3, 4)


# ---- 2. the standard route's date follows the user's Step 3 records ---------------------------------

STD = {"route": STANDARD}
TRAINED = D(2030, 7, 1)  # residency from 1 July 2027 + Nebraska's 36 months


def standard(step):
    return column(step, STANDARD)


def test_step_3_not_booked_says_so_instead_of_assuming_it_is_taken_in_residency():
    s = licence(profile("NE", STD, {}))
    col = standard(s)
    assert col.earliest_full == TRAINED
    assert why(s, STANDARD) == "img.route.standard_step3_unbooked"
    assert "not booked yet" in col.note and "Step 3 is passed by" in col.note


@pytest.mark.parametrize("today,full,code", [
    # 29 May 2030 (a Wednesday): a sitting today gives its result on 26 Jun, before the training ends
    (D(2030, 5, 29), TRAINED, "img.route.standard_step3_unbooked"),
    # 30 May: the result would come on Wednesday 3 Jul, after it: the full licence waits for Step 3
    (D(2030, 5, 30), D(2030, 7, 3), "img.route.standard_step3_unbooked_late"),
])
def test_step_3_not_booked_late_in_residency_moves_the_standard_date(today, full, code):
    s = licence(profile("NE", STD, {}), today)
    assert standard(s).earliest_full == full and why(s, STANDARD) == code
    if code.endswith("_late"):
        f = next(o for o in s.info["route_comparison"] if o["route"] == STANDARD)
        assert "sat on" in f["why"] and "the full licence waits for it" in f["why"]


def test_step_3_booked_or_passed_keeps_the_training_note_and_its_own_date():
    booked = licence(profile("NE", STD, {"scheduled_date": "2030-08-01"}), D(2030, 5, 30))
    assert standard(booked).earliest_full == D(2030, 9, 4)  # Thursday + 4 weeks -> Wednesday 4 Sep
    assert why(booked, STANDARD) == "img.route.standard_after_training"
    done = licence(profile("NE", STD, passed(D(2028, 3, 1))), D(2030, 5, 30))
    assert standard(done).earliest_full == TRAINED and why(done, STANDARD) == "img.route.standard_after_training"


def test_step_3_waiting_for_the_certificate_is_not_barred_and_still_says_not_booked():
    """FSMB opens Step 3 to ECFMG-certified IMGs only: Step 3 is blocked by the certificate, which is
    not a bar on the licence; with no certificate date expected the note names both."""
    prof = profile("NE", STD, {}, certified=False)
    t = img.evaluate_track("img", Context(today=TODAY, rules=RULES, profile=prof))
    assert [b.step for b in t.step("usmle.step3").blocked_by] == ["ecfmg.certificate"]
    assert t.step("ecfmg.certificate").info.get("expected_on") is None
    s = t.step("license.state")
    assert standard(s).earliest_full == TRAINED and why(s, STANDARD) == "img.route.standard_step3_unbooked"
    assert "ECFMG certificate" in standard(s).note


def test_step_3_barred_by_the_usmle_attempt_limit_gives_no_standard_date():
    fails = {"attempts": [{"date": f"2028-0{m}-01", "result": "fail"} for m in (1, 3, 5, 7)]}
    s = licence(profile("NE", STD, fails), D(2028, 9, 1))
    assert standard(s).earliest_full is None and why(s, STANDARD) == "img.route.standard_step3_barred"
    three = {"attempts": fails["attempts"][:3]}
    ok = licence(profile("NE", STD, three), D(2028, 9, 1))
    assert standard(ok).earliest_full == TRAINED and why(ok, STANDARD) == "img.route.standard_step3_unbooked"


# ---- the page renders what the engine says (GUI) ----------------------------------------------------

def _page(qtbot, data_dir, shown_window, step3):
    from gui.shell import open_session

    session = open_session(data_dir, TODAY, demo=False)
    pid = session.store.create_profile("Nebraska", "img_physician", ["img"])
    session.store.save_facts(pid, profile("NE", NE_LIC, step3)["facts"])
    session.profile_id = pid
    w = shown_window(session)
    page = w.open_step("license.state")
    qtbot.waitUntil(lambda: page.compare is not None and page.compare.isVisible(), timeout=3000)
    return page.compare.columns[ALTERNATIVE], page.compare.columns[STANDARD]


def test_licence_page_shows_the_transitional_date(qtbot, data_dir, shown_window, no_modal):
    alt, std = _page(qtbot, data_dir, shown_window, {"scheduled_date": "2030-01-10"})
    assert alt.intermediate.isVisible() and alt.intermediate.text().startswith("Transitional licence from: ")
    assert "2030" in alt.intermediate.text() and "2033" in alt.full.text()
    assert "transitional licence waits for USMLE Step 3" in alt.note.text()
    # the engine's text is ISO (an interface: tests/test_dates_display.py); the column shows the GUI's dates
    from core.wording import date_text
    assert date_text(D(2030, 2, 13)) in alt.note.text()
    assert not std.intermediate.isVisible()
    assert "months of accredited US residency, Step 3 and" in std.note.text()  # booked: the training note


def test_licence_page_says_step_3_is_not_booked_in_the_standard_column(qtbot, data_dir, shown_window, no_modal):
    alt, std = _page(qtbot, data_dir, shown_window, {})
    assert "not booked yet" in std.note.text() and std.note.isVisible()
    assert "2030" in std.full.text()
    assert not alt.intermediate.isVisible() and "no date yet" in alt.full.text()
