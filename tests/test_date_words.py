"""The dashboard's deadline rows and the timeline's points word a step's date by its kind through
the catalogue ("Rank order list (deadline 3 Mar 2027)", "ERAS application (recommended by ...)"),
never "…: deadline" / "…: due"; the date as the GUI shows dates, ISO under iso_dates()."""

from __future__ import annotations

import datetime as dt

from core import journey_view as jv
from core import resources_dir
from core.datefmt import iso_dates, set_date_formatter
from core.engine import img
from core.engine.base import Context, Journey
from core.rules import load_rules_from

D = dt.date
RULES = load_rules_from(resources_dir() / "rules" / "img")


def journey(today):
    prof = {"format": "certpath-profile/1", "tracks": ["img"], "facts": {"img": {"match_year": 2027}},
            "overrides": {}}
    return Journey(today, [img.evaluate_track("img", Context(today=today, rules=RULES, profile=prof))])


def words_date(d):
    return f"{d.day} {d:%b %Y}"


def test_a_deadline_row_says_deadline_with_the_date_as_shown():
    """Two weeks before the rank order list deadline NRMP registration is at risk: its row names the
    kind of date with the date as the GUI shows it, ISO under iso_dates() (exports)."""
    today = D(2027, 2, 15)
    set_date_formatter(words_date)
    try:
        rows = jv.deadlines(journey(today), 30)
        with iso_dates():
            iso_rows = jv.deadlines(journey(today), 30)
    finally:
        set_date_formatter(None)
    assert [a.text for a in rows if a.step_id == "match.nrmp"] == ["NRMP registration (deadline 3 Mar 2027)"]
    assert [a.text for a in iso_rows if a.step_id == "match.nrmp"] == ["NRMP registration (deadline 2027-03-03)"]
    assert not any(a.text.endswith((": deadline", ": due")) for a in rows)


def test_eras_is_a_recommendation_until_programs_review_then_the_rol_deadline():
    """The day of programs' first review ERAS's date is a recommendation ("recommended by"), the
    day after it is the rank order list deadline (never "overdue" for the passed recommendation)."""
    for today, label, words in [
        (D(2026, 9, 23), "ERAS application (recommended)", "(recommended by 2026-09-23)"),
        (D(2026, 9, 24), "ERAS application (deadline)", "(deadline 2027-03-03)"),
    ]:
        ms = [m for m in jv.milestones(journey(today)) if m.step_id == "match.eras"]
        assert [m.label for m in ms] == [label]
        assert ms[0].words.endswith(words) and "overdue" not in ms[0].words


def test_match_day_reads_as_results_and_no_point_says_colon_due():
    ms = jv.milestones(journey(D(2026, 12, 1)))
    assert [m.label for m in ms if m.step_id == "match.result"] == ["Match result (results)"]
    assert not any(m.label.endswith((": deadline", ": due")) for m in ms)
    assert any(m.label == "Rank order list (deadline)" for m in ms)


def test_an_unknown_kind_reads_as_a_due_date():
    assert jv.date_words("match.eras", "whatever", D(2027, 1, 2)).endswith("(due 2027-01-02)")
