"""The Match calendar: the pattern reproduces the published 2026 dates; projected years agree."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from core import resources_dir
from core.match_calendar import ITEMS, calendar, nth_weekday, project, record_id
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")
PATTERN = RULES.get("match.calendar.pattern", D(2026, 1, 1)).value
PUBLISHED_2026 = {
    "eras_opens": D(2025, 6, 4),
    "eras_submissions_open": D(2025, 9, 3),
    "nrmp_registration_opens": D(2025, 9, 15),
    "rol_deadline": D(2026, 3, 4),
    "match_day": D(2026, 3, 20),
}


def lookup(rid):
    return RULES.find(rid, D(2000, 1, 1)) if rid in RULES else None


def test_nth_weekday():
    assert nth_weekday(2026, 3, 4, 3) == D(2026, 3, 20)  # third Friday of March 2026
    assert nth_weekday(2025, 9, 2, 1) == D(2025, 9, 3)  # first Wednesday of Sept 2025
    assert nth_weekday(2026, 6, 2, 1) == D(2026, 6, 3)


def test_2026_records_are_the_published_dates():
    for item, d in PUBLISHED_2026.items():
        r = RULES.get(record_id(2026, item), D(2026, 1, 1))
        assert r.value == d and not r.projected


def test_pattern_computes_the_published_2026_dates():
    assert project(2026, PATTERN) == PUBLISHED_2026


def test_pattern_matches_the_2024_rol_deadline_and_2027_eras_opening():
    assert project(2024, PATTERN)["rol_deadline"] == D(2024, 2, 28)  # 2024 calendar (fact sheet §4.2)
    assert project(2027, PATTERN)["eras_opens"] == RULES.get(record_id(2027, "eras_opens"), D(2026, 1, 1)).value


def test_projected_2027_dates_as_in_the_fact_sheet():
    cal = calendar(2027, lookup)
    assert cal["match_day"].date == D(2027, 3, 19) and cal["match_day"].projected
    assert cal["rol_deadline"].date == D(2027, 3, 3)
    assert cal["nrmp_registration_opens"].date == D(2026, 9, 15)
    assert not cal["eras_opens"].projected  # published (medium)


def test_projected_records_2027_to_2031_agree_with_the_pattern():
    for year in range(2027, 2032):
        p = project(year, PATTERN)
        for item in ITEMS:
            r = RULES.get(record_id(year, item), D(2026, 1, 1))
            assert r.value == p[item], (year, item)
            if not (year == 2027 and item == "eras_opens"):
                assert r.projected and r.confidence == "low", (year, item)


def test_years_without_records_fall_back_to_the_pattern():
    cal = calendar(2040, lookup)
    assert set(cal) == set(ITEMS)
    assert all(c.projected and c.rule.id == "match.calendar.pattern" for c in cal.values())
    assert not any(c.projected for c in calendar(2026, lookup).values())


def test_user_override_of_a_date_wins():
    over = {record_id(2027, "rol_deadline"): {"value": D(2027, 3, 2)}}
    cal = calendar(2027, lambda rid: RULES.find(rid, D(2027, 1, 1), over) if rid in RULES else None)
    assert cal["rol_deadline"].date == D(2027, 3, 2) and cal["rol_deadline"].rule.is_override


@given(st.integers(min_value=1990, max_value=2150))
def test_pattern_properties(year):
    p = project(year, PATTERN)
    md = p["match_day"]
    assert md.month == 3 and md.weekday() == 4 and 15 <= md.day <= 21
    assert p["rol_deadline"].weekday() == 2 and (md - p["rol_deadline"]).days == 16
    assert p["eras_opens"] < p["eras_submissions_open"] < p["nrmp_registration_opens"] < p["rol_deadline"] < md
    assert p["eras_opens"].year == year - 1 and p["eras_opens"].month == 6 and p["eras_opens"].day <= 7
