import datetime as dt
from pathlib import Path

import pytest

from core import resources_dir
from core.engine.cards import CARDS, EXPIRY_RULES
from core.roles import ROLE_IDS, ROLES, role_guidance, typical_cards
from core.rules import load_rules, load_rules_from

D = dt.date
TODAY = D(2026, 11, 21)
AUDITED = D(2026, 12, 1)  # source hygiene pass (docs/sources-licensure.md)
SHEET_URLS = Path(__file__).parent / "data" / "card-fact-sheet-urls.txt"  # the fact sheet's sources
CARD_DIR = resources_dir() / "rules" / "cards"


@pytest.fixture(scope="module")
def card_rules():
    return load_rules_from(CARD_DIR)


def test_card_rules_load_and_are_checked_today(card_rules):
    recs = card_rules.all()
    assert len(recs) >= 40
    for r in recs:
        assert r.checked in (TODAY, AUDITED), r.id
        assert r.statement and r.sources, r.id


def test_low_confidence_rules_say_why(card_rules):
    for r in card_rules.all():
        if r.confidence == "low":
            assert r.conflict, f"{r.id}: low confidence needs a conflict/caveat"


def test_every_source_url_is_in_the_fact_sheet(card_rules):
    lines = SHEET_URLS.read_text(encoding="utf-8").splitlines()
    sheet_urls = {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}
    for r in card_rules.all():
        for url in r.urls:
            assert url in sheet_urls, f"{r.id}: {url} is not a source of the fact sheet"


def test_expiry_rules_by_body():
    rules = load_rules()
    assert rules.value("cards.expiry.aha", D(2026, 3, 10)) == {"method": "end_of_month", "months": 24}
    assert rules.value("cards.expiry.red_cross", D(2026, 3, 10)) == {"method": "same_day", "years": 2}
    assert rules.value("cards.expiry.aap", D(2026, 3, 10))["method"] == "end_of_month"
    assert set(EXPIRY_RULES) == {"aha", "red_cross", "aap"}  # "other": no rule, "not found"


@pytest.mark.parametrize("on, want", [
    (D(2020, 2, 29), 0), (D(2020, 3, 1), 120), (D(2020, 6, 30), 120), (D(2020, 7, 1), 0), (TODAY, 0),
])
def test_aha_grace_period_date_edges(on, want):
    assert load_rules().value("cards.grace.aha", on) == want


def test_2025_materials_rule_starts_1_march_2026():
    rules = load_rules()
    assert rules.find("cards.aha.materials_edition", D(2026, 2, 28)) is None
    assert rules.value("cards.aha.materials_edition", D(2026, 3, 1)) == "2025"


@pytest.mark.parametrize("rid, want", [
    ("pals.aha.precourse_min_score", 70),
    ("pals.aha.exam_pass_score", 84),
    ("bls.aha.exam_pass_score", 84),
    ("acls.aha.exam_pass_score", 84),
    ("pears.aha.exam_pass_score", 84),
    ("cards.aha.ecard_issue_business_days", 20),
    ("cards.plan.book_days_before", 90),
    ("cards.plan.online_part_days_before", 30),
    ("cards.plan.last_safe_course_days_before", 0),
    ("cards.lapsed.default_policy", "full_course"),
])
def test_values(rid, want):
    assert load_rules().value(rid, TODAY) == want


def test_pals_skills_stations():
    v = load_rules().value("pals.aha.skills_required", TODAY)
    assert set(v) == {"skill_child_cpr_aed", "skill_infant_cpr", "case_cardiac", "case_resp_or_shock"}


def test_planner_defaults_say_they_are_not_aha_rules():
    for r in load_rules().all():
        if r.id.startswith("cards.plan."):
            assert "not an AHA rule" in r.statement, r.id


def test_fees_have_amount_range_and_currency():
    fees = [r for r in load_rules().all() if r.id.startswith("fee.pals") or r.id.startswith("fee.pears")
            or r.id == "fee.reschedule"]
    assert fees
    for r in fees:
        assert set(r.value) == {"amount_min", "amount_max", "currency"}, r.id
        assert 0 < r.value["amount_min"] <= r.value["amount_max"], r.id
        assert r.value["currency"] == "USD"


def test_every_card_has_covers_and_renewal_options():
    rules = load_rules()
    for card in CARDS:
        assert f"{card}.covers" in rules, card
        assert f"{card}.renewal_options" in rules, card


def test_roles_rule_covers_every_role_with_known_cards():
    v = load_rules().value("roles.typical_cards", TODAY)
    assert set(v) == set(ROLE_IDS)
    for role, entry in v.items():
        assert set(entry["cards"]) <= set(CARDS), role
        assert set(entry["sometimes"]) <= set(CARDS), role


@pytest.mark.parametrize("role, want", [
    ("nurse_picu", ["bls", "pals"]),
    ("emergency_physician", ["bls", "acls", "pals"]),
    ("nurse_nicu", ["bls", "nrp"]),
    ("dentist_sedation", ["pals"]),
    ("childcare_staff", []),
])
def test_typical_cards(role, want):
    cards, rule = typical_cards(role, load_rules(), TODAY)
    assert cards == want
    assert rule is not None and rule.id == "roles.typical_cards"


def test_roles_list_and_guidance():
    assert len(ROLES) == 17 and ROLES[-1][0] == "other"
    g = role_guidance("other", load_rules(), TODAY)
    assert "not found" in g["note"].lower()
    assert g["caveat"] == "typical; your employer decides"
    with pytest.raises(ValueError, match="role"):
        typical_cards("astronaut", load_rules(), TODAY)


def test_typical_cards_override_is_the_users():
    ov = {"roles.typical_cards": {"value": {"nurse_picu": ["bls", "pals", "nrp"]}, "note": "my unit"}}
    cards, rule = typical_cards("nurse_picu", load_rules(), TODAY, ov)
    assert cards == ["bls", "pals", "nrp"] and rule.is_override


def test_red_cross_review_window_is_not_claimed_beyond_basic_level(card_rules):
    # R7: 30 days for basic-level courses (M); BLS is our reading, PALS not confirmed (L)
    r = card_rules.get("cards.red_cross.review_entry_days", TODAY)
    assert r.value == {"days": 30, "assumed_for": ["bls"]}
    assert r.confidence == "low" and "inference" in r.conflict


def test_inferred_or_single_source_records_are_low(card_rules):
    for rid in ("nrp.renewal_options", "pears.renewal_options", "pals.aha.exam_open_resource"):
        assert card_rules.get(rid, TODAY).confidence == "low", rid


def test_high_records_name_their_weaker_parts(card_rules):
    # a high record that also states a medium fact says so (claiming more confidence is a defect)
    for rid in ("pals.aha.exam_pass_score", "pals.covers", "cards.aha.materials_edition", "cards.online_only_vendor"):
        assert "medium" in card_rules.get(rid, TODAY).conflict, rid
