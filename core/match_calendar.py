"""The Match calendar of a Match year: published dates where a record exists, else projected.

The projection is a pure function of the year and the pattern numbers read from the rule record
`match.calendar.pattern` (Match Day = the nth weekday of a month; the rank order list (ROL)
deadline a fixed number of days before it; ERAS opening and first submission day = the nth
weekday of a month of the year before; NRMP registration = a fixed day of the year before).
No date or pattern number is written here.

Published or projected dates are stored as records `match.calendar.<year>.<item>`; a year with no
records falls back to the projection, labelled projected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .rules import Rule

PATTERN_ID = "match.calendar.pattern"

# Items of a Match year's calendar, in time order.
ITEMS = ("eras_opens", "eras_submissions_open", "nrmp_registration_opens", "rol_deadline", "match_day")
ITEM_LABELS = {
    "eras_opens": "ERAS season opens",
    "eras_submissions_open": "ERAS takes submissions",
    "nrmp_registration_opens": "NRMP registration opens",
    "rol_deadline": "Rank order list certification deadline",
    "match_day": "Match Day",
}


def record_id(year: int, item: str) -> str:
    return f"match.calendar.{year}.{item}"


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The `nth` (1-based) `weekday` (Monday = 0) of `month` in `year`."""
    if not 1 <= nth <= 5:
        raise ValueError(f"nth must be 1..5, got {nth}")
    first = dt.date(year, month, 1)
    d = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    if d.month != month:
        raise ValueError(f"there is no weekday #{nth} ({weekday}) in {year}-{month:02d}")
    return d


def _spec_date(match_year: int, spec: Mapping[str, Any]) -> dt.date:
    year = match_year + int(spec.get("year_offset", 0))
    if "day" in spec:
        return dt.date(year, int(spec["month"]), int(spec["day"]))
    return nth_weekday(year, int(spec["month"]), int(spec["weekday"]), int(spec["nth"]))


def project(match_year: int, pattern: Mapping[str, Any]) -> dict[str, dt.date]:
    """The calendar of `match_year` computed from `pattern` (the value of `match.calendar.pattern`)."""
    match_day = _spec_date(match_year, pattern["match_day"])
    out = {
        "eras_opens": _spec_date(match_year, pattern["eras_opens"]),
        "eras_submissions_open": _spec_date(match_year, pattern["eras_submissions_open"]),
        "nrmp_registration_opens": _spec_date(match_year, pattern["nrmp_registration_opens"]),
        "rol_deadline": match_day - dt.timedelta(days=int(pattern["rol_days_before_match_day"])),
        "match_day": match_day,
    }
    return out


@dataclass(frozen=True)
class CalendarDate:
    item: str
    date: dt.date
    rule: Rule  # the record the date comes from (the year's record, or the pattern)
    projected: bool  # computed from the pattern, not published

    @property
    def label(self) -> str:
        return ITEM_LABELS.get(self.item, self.item)


def calendar(match_year: int, lookup: Callable[[str], Rule | None]) -> dict[str, CalendarDate]:
    """Every item of the `match_year` calendar. `lookup(rule_id)` returns the record (with the
    user's override applied) or None when there is no such rule; a year's own record wins over the
    pattern. Items neither recorded nor computable are left out."""
    out: dict[str, CalendarDate] = {}
    pattern_rule = lookup(PATTERN_ID)
    projected: dict[str, dt.date] = {}
    if pattern_rule is not None:
        try:
            projected = project(match_year, pattern_rule.value)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            projected = {}  # a malformed pattern (e.g. a user's override): no projection
    for item in ITEMS:
        rec = lookup(record_id(match_year, item))
        if rec is not None and isinstance(rec.value, dt.date):
            out[item] = CalendarDate(item, rec.value, rec, rec.projected)
        elif item in projected and pattern_rule is not None:
            out[item] = CalendarDate(item, projected[item], pattern_rule, True)
    return out
