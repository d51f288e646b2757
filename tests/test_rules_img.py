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
RECHECKED = D(2026, 12, 1)  # the 2027-cycle and licensure audits (docs/sources-2027-cycle.md, docs/sources-licensure.md)
REREAD = D(2026, 12, 2)  # licensure records re-read in session 4 (docs/sources-licensure.md)


def value(rule_id, on):
    r = RULES.find(rule_id, on)
    return None if r is None else r.value


def test_every_record_loads_with_sources_checked_and_confidence():
    recs = RULES.all()
    assert len(recs) > 150
    for r in recs:
        assert r.statement.strip(), r.id
        assert r.urls and all(s.startswith(("http://", "https://")) for s in r.urls), r.id
        assert r.checked in (CHECKED, RECHECKED, REREAD), r.id
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
    # kept after 21 Sep 2026 until a source says it ended (issue 12), at low confidence
    ("fee.h1b.proclamation_payment", D(2026, 9, 20), {"amount": 100000, "currency": "USD"}, D(2026, 9, 21),
     {"amount": 100000, "currency": "USD"}),
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
    # 2027 is projected (two years back, as in 2025): low, and said so
    r = RULES.get("oet.recency.2027", D(2027, 1, 1))
    assert r.value == D(2025, 1, 1) and r.projected and r.confidence == "low" and r.statement.startswith("PROJECTED")
    assert "oet.recency.2028" not in RULES  # not projected that far: the engine asks for ECFMG's date
    assert RULES.get("oet.recency.2025", D(2025, 1, 1)).confidence == "low"  # one secondary page


def test_attempt_spacing_and_window_records():
    assert value("usmle.attempts_in_12_months", CHECKED) == 3
    assert value("usmle.fourth_attempt_spacing", CHECKED) == {
        "attempt_number": 4, "months_after_first": 12, "months_after_latest": 6}
    assert value("usmle.eligibility_window_months", CHECKED) == 3
    assert value("usmle.score_turnaround", CHECKED)["max_weeks"] == 4


# The state table, its conditional states, the changed periods and the residency-free routes are
# tested in tests/test_rules_licensure.py (rebuilt from each state's law on 2026-12-01).


def test_override_replaces_the_value_and_is_marked():
    r = RULES.get("usmle.step2ck.passing_score", D(2026, 1, 1),
                  {"usmle.step2ck.passing_score": {"value": 220, "note": "called the board"}})
    assert r.value == 220 and r.is_override


def test_no_record_claims_more_confidence_than_its_fact_sheet_row():
    # Rows the audit found mixing an H fact with an M one, now split (sheet §6.2, §6.3).
    # 2026-12-01 audit: no primary source was read for Conrad 30, so it is capped at medium
    assert RULES.get("visa.conrad30", CHECKED).confidence == "medium"
    assert "programs_open_month" not in RULES.get("visa.conrad30", CHECKED).value
    assert RULES.get("visa.conrad30.process", CHECKED).confidence == "medium"
    assert "wage" not in RULES.get("visa.h1b.cap", CHECKED).statement
    # effective 27 Feb 2026 per three law firms (the 26 Feb of a dropped aggregator was wrong)
    assert RULES.get("visa.h1b.wage_weighted_lottery", D(2026, 2, 27)).confidence == "medium"
    assert RULES.find("visa.h1b.wage_weighted_lottery", D(2026, 2, 26)) is None
    # §4.3: emergency medicine is "3 or 4 today"; the statement must not say "typically 3"
    em = RULES.get("residency.length.emergency_medicine", CHECKED)
    assert "3 or 4" in em.statement and em.as_of == "updated 2026-02-11"
    # §0 C8: 218 is secondary only -> low; §4.2: 2026 ROL deadline from one secondary page -> low
    assert RULES.get("usmle.step2ck.passing_score", D(2025, 7, 1)).confidence == "low"
    assert "not found" in RULES.get("usmle.step2ck.passing_score", D(2025, 7, 1)).conflict
    assert RULES.get("match.calendar.2026.rol_deadline", CHECKED).confidence == "low"


# ---- the 2026-12-01 audit: source hygiene and confidence ceilings in the cycle's files ----------

AUDITED = ("match.toml", "pathways.toml", "oet.toml", "ecfmg.toml", "usmle.toml", "visa.toml", "fees.toml")
BANNED = ("eagleh1688", "pages.dev", "docslib", "genderi.org", "scribd", "github", "reddit", "forums.",
          "medforums", "studentdoctor", "visualfoodie", "medvily", "ora.it.com", "miraitalk", "scepticemia",
          "blogspot", "iatrox", "dxcloud.episerver.net/usmle", "rodrigofaria", "ifmge.org/blog")


def audited():
    return [r for r in RULES.all() if r.file.split("/")[-1].split("\\")[-1] in AUDITED]


def test_audited_files_cite_no_blog_forum_mirror_content_farm_or_raw_ip():
    import re
    recs = audited()
    assert len(recs) > 100
    for r in recs:
        assert r.checked == RECHECKED, r.id
        assert r.sources, r.id
        for s in r.sources:
            host = re.match(r"https?://([^/:]+)", s.url).group(1)
            assert not re.fullmatch(r"[0-9.]+", host), (r.id, s.url)
            assert not any(b in s.url for b in BANNED), (r.id, s.url)


def test_audited_confidence_ceilings():
    for r in audited():
        tiers = [s.tier for s in r.sources]
        if r.confidence == "high":
            assert "primary" in tiers, r.id
        if r.confidence == "medium":
            assert "primary" in tiers or "summary" in tiers or tiers.count("secondary") >= 2, r.id


def test_new_2027_cycle_rule_ids_load():
    new = [
        "match.calendar.2027.eras_programs_review", "match.calendar.2027.nrmp_late_fee_from",
        "match.calendar.2027.ranking_opens", "match.calendar.2027.match_week_starts",
        "match.calendar.2027.eras_season_ends", "match.calendar.2028.eras_opens", "match.calendar.2028.match_day",
        "pathways.2027.application_deadline",
        "pathways.2027.documents_deadline", "pathways.2027.season_closes", "pathways.2028.application_deadline",
        "pathways.revalidation", "oet.recency.2027", "ecfmg.canada.graduates_need_certification",
        "visa.entry_restrictions.nationality", "visa.entry_restrictions.nrmp_waiver", "visa.j1.ds2019_processing_weeks",
    ]
    for rid in new:
        assert rid in RULES, rid


def test_pathways_2027_dates_are_projected_and_kept_apart_from_the_published_seasons():
    d = RULES.get("pathways.2027.application_deadline", D(2026, 12, 1))
    assert d.kind == "deadline" and d.value == D(2026, 12, 31) and d.projected and d.confidence == "low"
    docs = RULES.get("pathways.2027.documents_deadline", D(2026, 12, 1))
    assert docs.value == RULES.get("match.calendar.2027.rol_deadline", D(2026, 12, 1)).value
    assert RULES.get("pathways.2027.season_closes", D(2026, 12, 1)).kind == "event"
    assert RULES.get("pathways.2028.application_deadline", D(2026, 12, 1)).value == D(2027, 12, 31)
    # the season record the engine reads exists only for published seasons, in its old shape
    assert "pathway.season.2027" not in RULES and "pathway.season.2028" not in RULES
    assert value("pathway.season.2025", D(2025, 1, 1)) == {"deadline": D(2025, 5, 31)}
    assert value("pathway.season.2026", D(2026, 1, 1)) == {"opens": D(2025, 8, 19)}


def test_canadian_graduates_from_2026_need_ecfmg():
    r = RULES.get("ecfmg.canada.graduates_need_certification", D(2026, 12, 1))
    assert r.value == 2026 and any("afmc.ca" in u for u in r.urls) and r.confidence == "medium"


ISO2 = set("""AF AG AO BF BI BJ CG CI CU DM ER GA GM GQ HT IR LA LY ML MM MR MW NE NG SD SL SN SO SS SY TD TG TM
TO TZ VE YE ZM ZW""".split())


def test_entry_restrictions_by_nationality_change_on_1_january_2026():
    june = value("visa.entry_restrictions.nationality", D(2025, 12, 31))
    jan = value("visa.entry_restrictions.nationality", D(2026, 1, 1))
    assert value("visa.entry_restrictions.nationality", D(2025, 6, 3)) is None
    assert len(june["full"]) == 12 and len(june["partial"]) == 7
    assert len(jan["full"]) == 19 and len(jan["partial"]) == 20
    for v in (june, jan):
        assert set(v["full"]).isdisjoint(v["partial"])
        assert set(v["full"]) | set(v["partial"]) <= ISO2
    assert {"LA", "SL"} <= set(june["partial"]) and {"LA", "SL"} <= set(jan["full"])  # moved to full
    assert RULES.get("visa.entry_restrictions.nationality", D(2026, 1, 1)).confidence == "low"  # state unclear
    assert RULES.get("visa.entry_restrictions.nationality", D(2025, 7, 1)).confidence == "high"  # NRMP's list
    assert RULES.get("visa.entry_restrictions.nrmp_waiver", D(2026, 12, 1)).value is True


def test_h1b_payment_kept_after_21_september_2026_at_low_confidence():
    before = RULES.get("fee.h1b.proclamation_payment", D(2026, 9, 20))
    after = RULES.get("fee.h1b.proclamation_payment", D(2026, 9, 21))
    assert before.confidence == "medium" and after.confidence == "low"
    assert "unknown" in after.conflict and after.value == before.value


def test_j1_processing_lead_time():
    r = RULES.get("visa.j1.ds2019_processing_weeks", D(2026, 12, 1))
    assert r.value == {"min": 4, "max": 6} and r.unit == "weeks" and any("ecfmg.org" in u for u in r.urls)


# Second pass, 2026-12-01 (docs/sources-2027-cycle.md): values and labels that changed with the sources.

def _oet_booked(sitting: str, today=D(2026, 12, 1)):
    from core.engine.base import Context
    facts = {"img": {"match_year": 2027, "specialty": "internal_medicine", "target_state": "NY",
                     "visa_need": "needs_j1", "birth_date": "1995-01-01"},
             "ecfmg.oet": {"scheduled_date": sitting}}
    prof = {"format": "certpath-profile/1", "tracks": ["img"], "facts": facts, "overrides": {}}
    return img.evaluate_track("img", Context(today=today, rules=RULES, profile=prof)).step("ecfmg.oet")


def test_oet_results_are_expected_16_business_days_later_and_late_ones_put_the_rol_at_risk():
    # OET's help centre: results 16 business days after the test, on computer too (the dropped blog
    # said 10 days). 22 calendar days; the projected 2027 ROL deadline is 3 March 2027.
    assert value("oet.result_days", D(2026, 12, 1)) == 22
    day_before = _oet_booked("2027-02-09")  # results ~3 March: on the deadline, not after it
    assert day_before.info["expected_on"] == D(2027, 3, 3) and day_before.status != "at_risk"
    day_of = _oet_booked("2027-02-10")  # results ~4 March: after the deadline
    assert day_of.info["expected_on"] == D(2027, 3, 4) and day_of.status == "at_risk"


def test_step3_passing_standard_198_then_200_with_the_confidence_its_sources_allow():
    assert value("usmle.step3.passing_score", D(2023, 12, 31)) == 198
    assert value("usmle.step3.passing_score", D(2024, 1, 1)) == 200
    assert RULES.find("usmle.step3.passing_score", D(2023, 12, 31)).confidence == "high"  # usmle.org scores page
    assert RULES.find("usmle.step3.passing_score", D(2024, 1, 1)).confidence == "low"  # one prep page
