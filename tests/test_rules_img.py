"""The IMG rule records: every record loads and is sourced; each changed rule has the right value
on the day before and the day of its change; the state table covers 50 states and DC."""

from __future__ import annotations

import datetime as dt

import pytest

from core import resources_dir
from core.engine import img
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
CHECKED = D(2026, 11, 21)
APPLICATION_CHECKED = D(2026, 12, 1)  # application.toml (fees, signals, rank list limits) was read then
CODES = [c for c, _ in img.STATES]


def value(rule_id, on):
    r = RULES.find(rule_id, on)
    return None if r is None else r.value


def test_every_record_loads_with_sources_checked_and_confidence():
    recs = RULES.all()
    assert len(recs) > 150
    for r in recs:
        assert r.statement.strip(), r.id
        assert r.urls and all(s.startswith(("http://", "https://")) for s in r.urls), r.id
        assert r.checked == (APPLICATION_CHECKED if r.file == "application.toml" else CHECKED), r.id
        assert r.confidence in ("high", "medium", "low"), r.id
        assert r.as_of, f"{r.id}: as_of (the source's own date) missing"
        if r.projected:
            assert r.confidence == "low", f"{r.id}: projected records are low confidence"


def test_every_rule_id_a_step_page_shows_exists():
    for sd in img.STEPS:
        for rid in sd.rule_ids:
            assert rid in RULES, f"{sd.id} shows unknown rule {rid}"


def test_residency_length_recorded_for_every_specialty_choice():
    for key, _ in img.SPECIALTIES:
        if key == "other":
            continue
        v = value(f"residency.length.{key}", D(2027, 7, 1))
        assert isinstance(v, int) and 1 <= v <= 8, key


def test_fees_are_amounts_in_usd():
    fees = [r for r in RULES.all() if r.id.startswith("fee.")]
    assert len(fees) >= 10
    for r in fees:
        assert set(r.value) == {"amount", "currency"}, r.id
        assert r.value["currency"] == "USD" and r.value["amount"] > 0, r.id


# (rule id, day before the change, value then, day of the change, value from then)
EDGES = [
    ("oet.minimum_scores", D(2022, 3, 31), {"listening": 350, "reading": 350, "speaking": 350, "writing": 350},
     D(2022, 4, 1), {"listening": 350, "reading": 350, "speaking": 350, "writing": 300}),
    ("usmle.step2ck.passing_score", D(2014, 6, 30), None, D(2014, 7, 1), 209),
    ("usmle.step2ck.passing_score", D(2022, 6, 30), 209, D(2022, 7, 1), 214),
    ("usmle.step2ck.passing_score", D(2025, 6, 30), 214, D(2025, 7, 1), 218),
    ("usmle.step3.passing_score", D(2023, 12, 31), 198, D(2024, 1, 1), 200),
    ("usmle.step1.scoring", D(2022, 1, 25), "numeric", D(2022, 1, 26), "pass_fail"),
    ("usmle.attempt_limit", D(2021, 6, 30), 6, D(2021, 7, 1), 4),
    ("usmle.registration_entity", D(2026, 1, 7), "ECFMG", D(2026, 1, 8), None),
    ("usmle.registration_entity", D(2026, 1, 11), None, D(2026, 1, 12), "FSMB"),
    ("ecfmg.step2cs.discontinued", D(2021, 1, 25), None, D(2021, 1, 26), True),
    ("ecfmg.school.wfme_not_required", D(2022, 10, 11), None, D(2022, 10, 12), False),
    ("fee.h1b.proclamation_payment", D(2025, 9, 20), None, D(2025, 9, 21), {"amount": 100000, "currency": "USD"}),
    ("fee.h1b.proclamation_payment", D(2026, 9, 20), {"amount": 100000, "currency": "USD"}, D(2026, 9, 21), None),
    ("visa.h1b.texas_freeze", D(2026, 1, 26), None, D(2026, 1, 27), "TX"),
]


@pytest.mark.parametrize("rid,before,v_before,on,v_on", EDGES, ids=[f"{e[0]}@{e[3]}" for e in EDGES])
def test_rule_change_edges(rid, before, v_before, on, v_on):
    assert value(rid, before) == v_before
    assert value(rid, on) == v_on


def test_california_changed_on_2020_01_01():
    assert value("license.state.CA", D(2019, 12, 31))["pgt_months_img"] == 24
    assert value("license.state.CA", D(2019, 12, 31))["pgt_months_us"] == 12
    ca = value("license.state.CA", D(2020, 1, 1))
    assert (ca["pgt_months_img"], ca["pgt_months_us"], ca["consecutive_months_one_program"]) == (36, 36, 24)


def test_oet_recency_by_season():
    assert value("oet.recency.2025", D(2025, 1, 1)) == D(2023, 1, 1)
    r2026 = RULES.get("oet.recency.2026", D(2026, 1, 1))
    assert r2026.confidence == "low" and r2026.projected
    assert "oet.recency.2027" not in RULES  # not published: the engine must say so


def test_attempt_spacing_and_window_records():
    assert value("usmle.attempts_in_12_months", CHECKED) == 3
    assert value("usmle.fourth_attempt_spacing", CHECKED) == {
        "attempt_number": 4, "months_after_first": 12, "months_after_latest": 6}
    assert value("usmle.eligibility_window_months", CHECKED) == 3
    assert value("usmle.score_turnaround", CHECKED)["max_weeks"] == 4


def test_state_table_covers_50_states_and_dc():
    ids = [i for i in RULES.ids() if i.startswith("license.state.")]
    assert sorted(ids) == sorted(f"license.state.{c}" for c in CODES)
    assert len(ids) == 51
    for c in CODES:
        recs = RULES.records(f"license.state.{c}")
        for r in recs:
            v = r.value
            assert v["name"] == dict(img.STATES)[c]
            assert "step3_notes" in v and "notes" in v
            for k in ("pgt_months_img", "pgt_months_us"):
                if k in v:
                    assert v[k] in (12, 24, 36), (c, k)
            if "exam_time_limit_years" in v:
                assert v["exam_time_limit_years"] in (7, 10)
                assert "no_exam_time_limit" not in v


@pytest.mark.parametrize("code", ["FL", "MI", "VA", "WY", "GA", "MS", "SD"])
def test_conflicting_or_unclear_states_are_low_with_the_conflict_noted(code):
    r = RULES.get(f"license.state.{code}", CHECKED)
    assert r.confidence == "low"
    assert r.conflict


def test_texas_is_medium_with_the_conflict_noted_as_on_the_sheet():
    # Fact sheet §5.2, Texas row: "2 ... ML17 says 3; older FSMB page and UG say 2", conf "M (conflict noted)".
    r = RULES.get("license.state.TX", CHECKED)
    assert r.confidence == "medium" and r.value["pgt_months_img"] == 24
    assert "3" in r.conflict and "2" in r.conflict


def test_state_specifics():
    assert value("license.state.PA", CHECKED)["step3_before_pgy"] == 3
    assert "pgt_months_img" not in value("license.state.SD", CHECKED)
    assert value("license.state.TN", CHECKED).get("alternative_route")
    assert value("license.state.NY", CHECKED)["no_exam_time_limit"] is True
    alt = set(value("license.alternative_routes", CHECKED))
    with_route = {c for c in CODES if "Residency-free" in value(f"license.state.{c}", CHECKED).get("alternative_route", "")}
    assert alt == with_route


def test_override_replaces_the_value_and_is_marked():
    r = RULES.get("usmle.step2ck.passing_score", D(2026, 1, 1),
                  {"usmle.step2ck.passing_score": {"value": 220, "note": "called the board"}})
    assert r.value == 220 and r.is_override


# Fact sheet §5.2, every row: (IMG PGT months or None when "not confirmed", exam time limit years or
# None when the sheet gives none / "no limit", confidence as marked: M-H -> medium, M-L -> low).
SHEET_52 = {
    "AL": (36, 7, "medium"), "AK": (36, 7, "medium"), "AZ": (36, 7, "medium"), "AR": (36, None, "medium"),
    "CA": (36, 10, "high"), "CO": (36, 7, "medium"), "CT": (24, 7, "medium"), "DE": (36, None, "medium"),
    "DC": (36, 7, "medium"), "FL": (24, None, "low"), "GA": (36, None, "low"), "HI": (24, 7, "medium"),
    "ID": (24, None, "medium"), "IL": (24, None, "medium"), "IN": (24, 10, "medium"), "IA": (24, 10, "medium"),
    "KS": (36, 10, "medium"), "KY": (24, None, "medium"), "LA": (36, 10, "medium"), "ME": (36, 7, "medium"),
    "MD": (24, 10, "medium"), "MA": (24, 10, "medium"), "MI": (36, None, "low"), "MN": (24, None, "medium"),
    "MS": (36, 7, "low"), "MO": (36, 7, "medium"), "MT": (36, None, "medium"), "NE": (36, 10, "medium"),
    "NV": (36, 7, "medium"), "NH": (24, None, "medium"), "NJ": (36, 7, "medium"), "NM": (24, 7, "medium"),
    "NY": (36, None, "medium"), "NC": (36, 7, "medium"), "ND": (36, 7, "medium"), "OH": (24, 10, "medium"),
    "OK": (24, 10, "low"), "OR": (36, 7, "low"), "PA": (36, None, "medium"), "RI": (36, 7, "low"),
    "SC": (36, 10, "medium"), "SD": (None, 7, "low"), "TN": (36, 7, "medium"), "TX": (24, 7, "medium"),
    "UT": (24, 7, "medium"), "VT": (36, 7, "medium"), "VA": (24, None, "low"), "WA": (24, None, "medium"),
    "WV": (36, 10, "medium"), "WI": (24, 10, "low"), "WY": (24, None, "low"),
}


@pytest.mark.parametrize("code", sorted(SHEET_52))
def test_state_record_matches_the_fact_sheet_row(code):
    months, limit, conf = SHEET_52[code]
    r = RULES.get(f"license.state.{code}", CHECKED)
    assert r.value.get("pgt_months_img") == months
    assert r.value.get("exam_time_limit_years") == limit
    assert r.confidence == conf
    assert set(SHEET_52) == set(CODES)


def test_no_record_claims_more_confidence_than_its_fact_sheet_row():
    # Rows the audit found mixing an H fact with an M one, now split (sheet §6.2, §6.3).
    assert RULES.get("visa.conrad30", CHECKED).confidence == "high"
    assert "programs_open_month" not in RULES.get("visa.conrad30", CHECKED).value
    assert RULES.get("visa.conrad30.process", CHECKED).confidence == "medium"
    assert "wage" not in RULES.get("visa.h1b.cap", CHECKED).statement
    assert RULES.get("visa.h1b.wage_weighted_lottery", D(2026, 2, 26)).confidence == "medium"
    assert RULES.find("visa.h1b.wage_weighted_lottery", D(2026, 2, 25)) is None
    # §4.3: emergency medicine is "3 or 4 today"; the statement must not say "typically 3"
    em = RULES.get("residency.length.emergency_medicine", CHECKED)
    assert "3 or 4" in em.statement and em.as_of == "updated 2026-02-11"
    # §0 C8: 218 is secondary only -> low; §4.2: 2026 ROL deadline from a secondary blog -> medium
    assert RULES.get("usmle.step2ck.passing_score", D(2025, 7, 1)).confidence == "low"
    assert RULES.get("match.calendar.2026.rol_deadline", CHECKED).confidence == "medium"
