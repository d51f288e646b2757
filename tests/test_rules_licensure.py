"""State licensure records (license.state.XX), the residency-free routes (license.route.XX) and the
renewal cycles (license.renewal.XX), rebuilt from each state's own law on 2026-12-01
(docs/sources-licensure.md). One engine scenario per record class (12, 24, 36 months; the states whose
months depend on the school), each changed rule on the day before and the day it changed, and the
shape of every route record."""

from __future__ import annotations

import datetime as dt

import pytest

from core import resources_dir
from core.engine import img
from core.engine.base import Context
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
TODAY = D(2026, 12, 1)
CODES = [c for c, _ in img.STATES]
MONTHS = (12, 24, 36)

STATE_KEYS = {
    "name", "pgt_months_img", "pgt_months_us", "exam_time_limit_years", "no_exam_time_limit",
    "step3_attempt_limit", "step_attempt_limit", "step3_before_pgy", "step3_notes", "notes", "alternative_route",
    "consecutive_months_one_program", "training_license_days", "full_licence_within_days_after_training",
    "pgt_months_img_listed_school", "pgt_months_img_other", "condition_fact", "one_program_months",
    "further_months_under_contract", "citation", "unverified", "total_attempt_limit",
}


def value(rule_id, on=TODAY):
    r = RULES.find(rule_id, on)
    return None if r is None else r.value


def licence_due(state, match_year=2027, **facts):
    """The licence step's due date for an IMG who matches in `match_year` (residency starts 1 July)."""
    f = {
        "img": {"match_year": match_year, "specialty": "internal_medicine", "target_state": state,
                "visa_need": "needs_j1", "birth_date": "1995-01-01"},
        "ecfmg.school": {"wdoms_listed": True, "sponsor_note": True, "sponsor_note_from_year": 2000,
                         "graduation_date": "2022-06-30", "credit_years": 6, "degree": "medicine"},
        **facts,
    }
    prof = {"format": "certpath-profile/1", "tracks": ["img"], "facts": f, "overrides": {}}
    return img.evaluate_track("img", Context(today=TODAY, rules=RULES, profile=prof)).step("license.state")


# ---- the state table ---------------------------------------------------------------------------

def test_state_table_covers_50_states_and_dc_with_documented_keys():
    ids = sorted(i for i in RULES.ids() if i.startswith("license.state."))
    assert ids == sorted(f"license.state.{c}" for c in CODES) and len(ids) == 51
    for c in CODES:
        for r in RULES.records(f"license.state.{c}"):
            v = r.value
            assert set(v) <= STATE_KEYS, (c, set(v) - STATE_KEYS)
            assert v["name"] == dict(img.STATES)[c]
            assert "step3_notes" in v and "notes" in v
            for k in ("pgt_months_img", "pgt_months_us", "pgt_months_img_listed_school", "pgt_months_img_other"):
                if k in v:
                    assert v[k] in MONTHS, (c, k)
            if "exam_time_limit_years" in v:
                assert v["exam_time_limit_years"] in (7, 10) and "no_exam_time_limit" not in v
            assert set(v.get("unverified", [])) <= set(v), (c, "unverified names a key the record lacks")
            if r.confidence == "high":
                assert "pgt_months_img" not in v.get("unverified", []), c


def test_records_not_reverified_are_low_and_say_why():
    for c in CODES:
        for r in RULES.records(f"license.state.{c}"):
            if all(s.tier == "secondary" for s in r.sources) and len(r.sources) < 2:
                assert r.confidence == "low" and r.conflict, c


# One scenario per record class: the licence falls due when the state's months of training are done.
@pytest.mark.parametrize("state,months", [
    ("VA", 12),             # every graduate since 2017-10-18 (Va. Register 34:2; 18VAC85-20-122)
    ("TX", 24), ("MD", 24), ("WA", 24), ("MI", 24), ("PA", 24),
    ("AL", 24),             # Ala. Admin. Code r. 540-X-3-.03(2): two years for non-LCME graduates (not 36)
    ("CT", 24), ("HI", 24),
    ("NY", 36), ("TN", 36), ("NC", 36), ("CA", 36), ("DC", 36), ("MS", 36), ("ME", 36),
])
def test_licence_due_after_the_states_training_months(state, months):
    assert value(f"license.state.{state}")["pgt_months_img"] == months
    assert licence_due(state).due == D(2027 + months // 12, 7, 1)


def test_virginia_changed_on_2017_10_18():
    before, on = value("license.state.VA", D(2017, 10, 17)), value("license.state.VA", D(2017, 10, 18))
    assert (before["pgt_months_img"], before["pgt_months_us"]) == (24, 12)
    assert (on["pgt_months_img"], on["pgt_months_us"], on["one_program_months"]) == (12, 12, 12)
    assert RULES.get("license.state.VA", D(2017, 10, 17)).confidence == "high"
    # The engine reads the record in force on the day the application is made (residency from 2016-07-01).
    assert licence_due("VA", match_year=2016, **{"license.state": {"applied_date": "2017-10-17"}}).due == D(2018, 7, 1)
    assert licence_due("VA", match_year=2016, **{"license.state": {"applied_date": "2017-10-18"}}).due == D(2017, 7, 1)


def test_california_periods_and_sources():
    assert value("license.state.CA", D(2019, 12, 31))["pgt_months_img"] == 24
    ca = value("license.state.CA", D(2020, 1, 1))
    assert (ca["pgt_months_img"], ca["pgt_months_us"], ca["training_license_days"]) == (36, 36, 180)
    assert "exam_time_limit_years" in ca["unverified"]


@pytest.mark.parametrize("state,listed,other", [("FL", 12, 24), ("GA", 12, 36)])
def test_conditional_states_name_the_fact_and_plan_with_the_larger_value(state, listed, other):
    v = value(f"license.state.{state}")
    assert (v["pgt_months_img_listed_school"], v["pgt_months_img_other"]) == (listed, other)
    assert v["condition_fact"] == "school_on_board_list"
    assert v["pgt_months_img"] == max(listed, other)
    assert licence_due(state).due == D(2027 + other // 12, 7, 1)


def test_texas_is_24_months_per_the_statute_with_no_conflict():
    r = RULES.get("license.state.TX", TODAY)
    assert r.value["pgt_months_img"] == 24 and r.value["citation"].startswith("Tex. Occ. Code 155.003")
    assert r.conflict is None and any(s.tier == "primary" for s in r.sources)


def test_michigan_is_24_months_for_imgs_at_low_confidence():
    # LARA's guide (2019) says 2 years; no primary copy was readable, so the record says so.
    r = RULES.get("license.state.MI", TODAY)
    assert r.value["pgt_months_img"] == 24 and r.confidence == "low" and "mirror" in r.conflict


def test_pennsylvania_per_the_board_page_and_the_regulation():
    r = RULES.get("license.state.PA", TODAY)
    v = r.value
    assert v["exam_time_limit_years"] == 7 and "no_exam_time_limit" not in v and v["step3_before_pgy"] == 3
    assert (v["pgt_months_img"], v["pgt_months_us"]) == (24, 24) and r.confidence == "high" and "2019" in r.conflict


def test_maryland_has_no_recorded_exam_time_limit_and_the_three_fail_rule():
    v = value("license.state.MD")
    assert "exam_time_limit_years" not in v and "10.32.01.16" in v["step3_notes"]


def test_south_dakota_still_says_not_published():
    assert "pgt_months_img" not in value("license.state.SD")
    assert "img.licence.training_years_unpublished" in {w.code for w in licence_due("SD").warnings}


def test_no_state_record_cites_a_banned_copy():
    for c in CODES:
        for r in RULES.records(f"license.state.{c}"):
            assert not any(h in u for u in r.urls for h in ("github.com", "blogspot", "docslib", "eobjstudio")), c


# ---- residency-free routes ---------------------------------------------------------------------

ROUTE_KEYS = {
    "name", "licence_kind", "licensed_abroad", "years_practice_abroad", "practice_recency_years",
    "foreign_pgt_required", "ecfmg_certificate", "usmle_steps", "jurisprudence_exam", "employer_offer", "english",
    "immigration_status", "provisional_years", "provisional_extension_years", "supervision",
    "converts_to_full_after_years", "law_effective", "board_accepting_applications", "state_attempt_limits",
    "citation", "notes",
}
U = "unknown"
VOCAB = {
    "licence_kind": {"provisional", "limited", "restricted", "full", U},
    "licensed_abroad": {"required", "not_required", U},
    "foreign_pgt_required": {"required", "alternative", "not_required", U},
    "ecfmg_certificate": {"required", "permanent_required", "eligible_required", "school_eligible_only",
                          "not_required", U},
    "jurisprudence_exam": {"required", "not_required", U},
    "english": {"required", "not_required", U},
    "immigration_status": {"required", "eligible_then_work_authorisation", "lawful_presence_or_applied", U},
    "supervision": {"required", "not_required", U},
    "state_attempt_limits": {"applies", "not_applicable", "own", U},
}
ROUTE_IDS = sorted(i for i in RULES.ids() if i.startswith("license.route."))


def years_or(x, *words):
    return x in words or x == U or (isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 10)


@pytest.mark.parametrize("rid", ROUTE_IDS)
def test_route_record_shape(rid):
    for r in RULES.records(rid):
        v = r.value
        assert set(v) == ROUTE_KEYS, (rid, set(v) ^ ROUTE_KEYS)
        for k, allowed in VOCAB.items():
            assert v[k] in allowed, (rid, k, v[k])
        for k in ("years_practice_abroad", "practice_recency_years"):
            assert years_or(v[k]), (rid, k, v[k])
        assert years_or(v["provisional_years"], "not_applicable"), rid
        assert years_or(v["provisional_extension_years"], "not_applicable", "renewable_annually"), rid
        assert years_or(v["converts_to_full_after_years"], "not_applicable"), rid
        steps = v["usmle_steps"]
        assert steps == U or (isinstance(steps, list) and steps and set(steps) <= {1, 2, 3}), rid
        offer = v["employer_offer"]
        assert set(offer) == {"status", "kinds"} and offer["status"] in {"required", "not_required", U}
        assert isinstance(offer["kinds"], list) and all(isinstance(k, str) and k for k in offer["kinds"])
        assert v["law_effective"] == U or isinstance(v["law_effective"], dt.date), rid
        assert v["board_accepting_applications"] in (True, False, U), rid
        assert isinstance(v["citation"], str) and v["citation"], rid
        assert v["name"] == dict(img.STATES)[rid[-2:]]


def test_route_list_state_pointers_and_route_records_agree():
    listed = set(value("license.alternative_routes"))
    with_record = {rid[-2:] for rid in ROUTE_IDS}
    pointing = {c for c in CODES if f"license.route.{c}" in value(f"license.state.{c}").get("alternative_route", "")}
    assert listed == with_record == pointing
    # Oregon: on FSMB's 2025 list, not on the AMA's; its statute (ORS 677.146) was read on 2026-12-01
    assert {"TN", "TX", "FL", "VA", "WI", "IL", "MA", "ID", "IA", "IN", "LA", "NC", "NE", "OR"} <= listed


def test_tennessee_route_rewritten_in_2026():
    old, new = value("license.route.TN", D(2026, 5, 17)), value("license.route.TN", D(2026, 5, 18))
    assert old["ecfmg_certificate"] == U and old["converts_to_full_after_years"] == 2
    assert (new["provisional_years"], new["provisional_extension_years"]) == (2, 1)
    assert new["ecfmg_certificate"] == "permanent_required" and "Pub. Ch. 900" in new["citation"]


def test_texas_route_needs_the_jurisprudence_exam_and_work_authorisation():
    v = value("license.route.TX")
    assert v["law_effective"] == D(2025, 9, 1) and v["jurisprudence_exam"] == "required"
    assert v["immigration_status"] == "required" and v["usmle_steps"] == [1, 2]
    assert v["employer_offer"]["status"] == "required" and "hospital" in v["employer_offer"]["kinds"]
    assert RULES.get("license.route.TX", TODAY).confidence == "high"


def test_florida_route_grants_a_full_licence_directly():
    v = value("license.route.FL")
    assert v["licence_kind"] == "full" and v["provisional_years"] == "not_applicable"
    assert (v["years_practice_abroad"], v["practice_recency_years"]) == (4, 4)
    assert v["foreign_pgt_required"] == "required" and v["ecfmg_certificate"] == "required"
    assert v["employer_offer"]["status"] == "required"


def test_virginia_provisional_licence_under_54_1_2933_1_b():
    v = value("license.route.VA")
    assert v["citation"] == "Va. Code Ann. 54.1-2933.1 B"
    assert (v["licence_kind"], v["provisional_years"], v["years_practice_abroad"]) == ("provisional", 2, 5)
    assert v["converts_to_full_after_years"] == U  # not read: said as unknown, never guessed


def test_oklahoma_route_in_force_from_2025_11_01():
    v = value("license.route.OK")
    assert v["law_effective"] == D(2025, 11, 1) and v["usmle_steps"] == [1, 2, 3]
    assert (v["years_practice_abroad"], v["practice_recency_years"], v["converts_to_full_after_years"]) == (3, 5, 3)


def test_wisconsin_massachusetts_illinois_conversion_times():
    assert value("license.route.WI")["converts_to_full_after_years"] == 3
    ma = value("license.route.MA")
    assert (ma["provisional_years"], ma["provisional_extension_years"], ma["converts_to_full_after_years"]) == (1, 1, 3)
    il = value("license.route.IL")
    assert (il["provisional_years"], il["converts_to_full_after_years"], il["board_accepting_applications"]) == (2, 4, True)


def test_routes_only_on_the_amas_list_are_all_unknown_and_say_so():
    for c in ("MN", "NV"):  # RI: read from its 2025 law (test_rhode_island_route_from_the_2025_law)
        r = RULES.get(f"license.route.{c}", TODAY)
        assert all(r.value[k] == U for k in VOCAB) and r.value["usmle_steps"] == U
        assert r.confidence == "medium" and "unknown" in r.conflict and [s.tier for s in r.sources] == ["summary"]


# ---- renewal cycles ----------------------------------------------------------------------------

RENEWAL_RULES = {"birth_month", "issue_month", "fixed_date", "staggered", "unknown"}


def test_renewal_records_shape():
    ids = [i for i in RULES.ids() if i.startswith("license.renewal.")]
    assert len(ids) >= 5
    for rid in ids:
        assert rid[-2:] in CODES
        for r in RULES.records(rid):
            v = r.value
            assert v["years"] in (1, 2, 3) and v["rule"] in RENEWAL_RULES, rid
            if v["rule"] == "fixed_date":
                assert 1 <= v["month"] <= 12 and 1 <= v["day"] <= 31 and v["year_parity"] in ("even", "odd", "any")


def test_california_renewal_changed_on_2018_07_01():
    assert value("license.renewal.CA", D(2018, 6, 30))["rule"] == "birth_month"
    assert value("license.renewal.CA", D(2018, 7, 1))["rule"] == "issue_month"


def test_pennsylvania_renews_on_31_december_of_even_years():
    v = value("license.renewal.PA")
    assert (v["years"], v["month"], v["day"], v["year_parity"]) == (2, 12, 31, "even")


def test_states_without_a_published_cycle_have_no_record():
    assert "license.renewal.SD" not in RULES and "license.renewal.WY" not in RULES


def test_states_verified_in_the_second_pass_cite_a_primary_source_and_say_what_is_left():
    for c in ("AL", "AK", "AR", "CT", "DC", "HI", "MS", "ME", "IA"):
        r = RULES.records(f"license.state.{c}")[0]
        assert any(s.tier == "primary" for s in r.sources), c
        assert r.confidence in ("high", "medium") and r.checked == D(2026, 12, 1), c
        assert "pgt_months_img" not in r.value.get("unverified", []), c
    assert value("license.state.AL")["pgt_months_img"] == 24 and value("license.state.AL")["pgt_months_us"] == 12
    # Kentucky: the attempt limit is the regulation's, the months still are not verified
    ky = RULES.records("license.state.KY")[0]
    assert ky.confidence == "low" and ky.value["step_attempt_limit"] == 4
    assert "pgt_months_img" in ky.value["unverified"] and "step_attempt_limit" not in ky.value["unverified"]


# ---- second pass of the 14 low states (2026-12-01, docs/sources-licensure.md) -----------------------

def test_oregon_three_years_for_unapproved_school_graduates_per_ors_677_100():
    r = RULES.get("license.state.OR", TODAY)
    v = r.value
    assert (v["pgt_months_img"], v["pgt_months_us"]) == (36, 12)
    assert v["exam_time_limit_years"] == 7 and v["step3_attempt_limit"] == 4
    assert "unverified" not in v and v["citation"].startswith("ORS 677.100")
    # statute copies only (not the legislature's own site): medium, and it says why
    assert r.confidence == "medium" and "copy" in r.conflict
    assert any("oregon.gov/omb" in u for u in r.urls)
    assert licence_due("OR").due == D(2030, 7, 1)


def test_oregon_route_from_ors_677_146():
    v = value("license.route.OR")
    assert (v["licence_kind"], v["years_practice_abroad"], v["ecfmg_certificate"]) == ("provisional", 3, "required")
    assert v["foreign_pgt_required"] == "required" and v["supervision"] == "required"
    assert v["employer_offer"] == {"status": "required", "kinds": ["health_care_facility"]}
    assert v["converts_to_full_after_years"] == 4 and v["usmle_steps"] == U
    assert value("license.state.OR")["alternative_route"].endswith("license.route.OR for its conditions.")


def test_rhode_island_route_from_the_2025_law():
    r = RULES.get("license.route.RI", TODAY)
    v = r.value
    assert (v["licence_kind"], v["provisional_years"], v["provisional_extension_years"]) == ("limited", 1, 2)
    assert v["usmle_steps"] == [1, 2, 3] and v["ecfmg_certificate"] == "required"
    assert v["licensed_abroad"] == "required" and v["foreign_pgt_required"] == "required"
    assert v["employer_offer"]["kinds"] == ["participating_health_care_entity"]
    assert v["converts_to_full_after_years"] == 3 and "ch. 96" in v["citation"]
    assert any("rilegislature.gov/PublicLaws/law25/law25096" in u for u in r.urls)
    assert r.confidence == "medium"


def test_kansas_36_months_for_every_graduate_since_2021_still_low():
    r = RULES.get("license.state.KS", TODAY)
    assert (r.value["pgt_months_img"], r.value["pgt_months_us"]) == (36, 36)
    assert r.confidence == "low" and "Kansas Register" in r.conflict  # the official page had no address
    assert "K.A.R. 100-6-2" in r.value["citation"] and "exam_time_limit_years" in r.value["unverified"]
    assert licence_due("KS").due == D(2030, 7, 1)


def test_louisiana_us_year_is_the_boards_rule_but_the_img_months_stay_unverified():
    r = RULES.get("license.state.LA", TODAY)
    assert r.value["pgt_months_us"] == 12 and "pgt_months_img" in r.value["unverified"]
    assert r.confidence == "low" and any("casetext.com" in u for u in r.urls)
    s = licence_due("LA")
    assert s.due == D(2030, 7, 1) and "rule.low_confidence_conflict" in {w.code for w in s.warnings}
