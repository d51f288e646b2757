"""The Match calendar of a Match year: published dates where a record exists, else projected.

The projection is a pure function of the year and the pattern numbers read from the rule record
`match.calendar.pattern` (Match Day = the nth weekday of a month; the rank order list (ROL)
deadline and the start of Match Week a fixed number of days before it; ERAS opening and first
submission day = the nth weekday of a month of the year before, programs' first review day a
fixed number of days after the first submission day; NRMP registration = a fixed day of the
year before, moved to the next Monday when it falls on a weekend; the NRMP late fee, ranking
and the end of the ERAS season = fixed days of the Match year). No date or pattern number is
written here. Items the pattern does not describe (an older pattern record, a user's override)
are simply not projected.

Every item has a kind (see docs/rules-format.md): an opening is never "overdue", programs'
first review day is a recommended-by date, the ROL deadline is a hard deadline.

Published or projected dates are stored as records `match.calendar.<year>.<item>`; a year with no
records falls back to the projection, labelled projected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .datefmt import date_text
from .rules import Rule

PATTERN_ID = "match.calendar.pattern"

# Items of a Match year's calendar, in time order (the NRMP late fee and ranking open on the
# same day).
ITEMS = (
    "eras_opens", "eras_submissions_open", "nrmp_registration_opens", "eras_programs_review",
    "nrmp_late_fee_from", "ranking_opens", "rol_deadline", "match_week_starts", "match_day",
    "eras_season_ends",
)
ITEM_LABELS = {
    "eras_opens": "ERAS season opens",
    "eras_submissions_open": "ERAS takes submissions",
    "nrmp_registration_opens": "NRMP registration opens",
    "eras_programs_review": "Programs start reviewing ERAS applications",
    "nrmp_late_fee_from": "NRMP late registration fee applies",
    "ranking_opens": "NRMP ranking opens",
    "rol_deadline": "Rank order list certification deadline",
    "match_week_starts": "Match Week begins",
    "match_day": "Match Day",
    "eras_season_ends": "ERAS season ends",
}
# The kind of each item's date (core.rules.DATE_KINDS); a year's record may say otherwise.
ITEM_KINDS = {
    "eras_opens": "opens",
    "eras_submissions_open": "opens",
    "nrmp_registration_opens": "opens",
    "eras_programs_review": "recommended_by",
    "nrmp_late_fee_from": "late_fee_from",
    "ranking_opens": "opens",
    "rol_deadline": "deadline",
    "match_week_starts": "event",
    "match_day": "result_day",
    "eras_season_ends": "event",
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
        d = dt.date(year, int(spec["month"]), int(spec["day"]))
        if spec.get("weekend_to_monday") and d.weekday() >= 5:
            d += dt.timedelta(days=7 - d.weekday())
        return d
    return nth_weekday(year, int(spec["month"]), int(spec["weekday"]), int(spec["nth"]))


def project(match_year: int, pattern: Mapping[str, Any]) -> dict[str, dt.date]:
    """The calendar of `match_year` computed from `pattern` (the value of `match.calendar.pattern`).
    The first five items are required; the others are projected when the pattern describes them."""
    match_day = _spec_date(match_year, pattern["match_day"])
    out = {
        "eras_opens": _spec_date(match_year, pattern["eras_opens"]),
        "eras_submissions_open": _spec_date(match_year, pattern["eras_submissions_open"]),
        "nrmp_registration_opens": _spec_date(match_year, pattern["nrmp_registration_opens"]),
        "rol_deadline": match_day - dt.timedelta(days=int(pattern["rol_days_before_match_day"])),
        "match_day": match_day,
    }
    if "eras_programs_review_days_after_submissions" in pattern:
        out["eras_programs_review"] = out["eras_submissions_open"] + dt.timedelta(
            days=int(pattern["eras_programs_review_days_after_submissions"]))
    for item in ("nrmp_late_fee_from", "ranking_opens", "eras_season_ends"):
        if item in pattern:
            out[item] = _spec_date(match_year, pattern[item])
    if "match_week_days_before_match_day" in pattern:
        out["match_week_starts"] = match_day - dt.timedelta(days=int(pattern["match_week_days_before_match_day"]))
    return {item: out[item] for item in ITEMS if item in out}


@dataclass(frozen=True)
class CalendarDate:
    """A dated item of a Match season and the rule record its date comes from."""

    item: str
    date: dt.date
    rule: Rule  # the record the date comes from (the year's record, or the pattern)
    projected: bool  # computed from the pattern, not published
    kind: str = "event"  # one of core.rules.DATE_KINDS: what kind of date this is

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
        kind = ITEM_KINDS[item]
        if rec is not None and isinstance(rec.value, dt.date):
            out[item] = CalendarDate(item, rec.value, rec, rec.projected, rec.kind or kind)
        elif item in projected and pattern_rule is not None:
            out[item] = CalendarDate(item, projected[item], pattern_rule, True, kind)
    return out


# -- Which Match a new user can still reach (issue 12: a new user starts in the right season) --

REACHABLE = "reachable"  # someone starting from nothing today can still take part
ONLY_IF_DONE = "only_if_done"  # possible only if exams, OET and Pathway are already done
CLOSED = "closed"  # the rank order list deadline has passed


@dataclass(frozen=True)
class SeasonReach:
    """Whether a Match season can still be reached, and why in one line."""

    match_year: int
    reach: str  # REACHABLE / ONLY_IF_DONE / CLOSED
    why: str  # one line, for the onboarding page
    projected: bool  # a date this rests on is projected, not published


def _season_dates(match_year: int, lookup: Callable[[str], Rule | None]
                  ) -> tuple[dt.date | None, dt.date | None, dt.date | None, bool]:
    cal = calendar(match_year, lookup)
    sub = cal.get("eras_submissions_open")
    rol = cal.get("rol_deadline")
    pw = lookup(f"pathways.{match_year}.application_deadline")
    pw_date = pw.value if pw is not None and isinstance(pw.value, dt.date) else None
    projected = any(c is not None and c.projected for c in (sub, rol)) or bool(pw is not None and pw.projected)
    return (sub.date if sub else None, pw_date, rol.date if rol else None, projected)


def season_reach(match_year: int, today: dt.date, lookup: Callable[[str], Rule | None]) -> SeasonReach:
    """Whether the `match_year` Match can still be reached on `today`, from the rules' ERAS, Pathway
    and rank-order-list dates. From nothing, a person needs the whole ECFMG branch (exams, OET,
    Pathway) before ERAS takes submissions; once ERAS is open, the Match is still possible only for
    someone whose ECFMG branch is done or nearly so, until the Pathway application deadline and the
    ROL deadline pass."""
    sub, pw, rol, proj = _season_dates(match_year, lookup)
    note = " (dates projected, not published)" if proj else ""
    if rol is not None and today > rol:
        return SeasonReach(match_year, CLOSED,
                           f"The {match_year} Match's rank order list deadline ({date_text(rol)}) has passed"
                           f"{note}.", proj)
    if sub is not None and today >= sub:
        if pw is not None and today > pw:
            return SeasonReach(match_year, ONLY_IF_DONE,
                               f"{match_year} is possible only if your exams, OET and an accepted Pathway are "
                               f"already done: the Pathways application deadline ({date_text(pw)}) has passed"
                               f"{note}.", proj)
        extra = f" and a Pathway applied for by {date_text(pw)}" if pw is not None else ""
        return SeasonReach(match_year, ONLY_IF_DONE,
                           f"{match_year} is possible only if your exams and OET are already done{extra}: ERAS "
                           f"has taken applications since {date_text(sub)}{note}.", proj)
    if sub is None and rol is None:
        return SeasonReach(match_year, REACHABLE,
                           f"The rules have no {match_year} Match calendar yet.", proj)
    first = sub or rol
    assert first is not None  # one of them is, said above
    return SeasonReach(match_year, REACHABLE,
                       f"{match_year}: ERAS takes applications from {date_text(first)}; your exams, OET and "
                       f"Pathway must be done by then{note}.", proj)


def default_match_year(today: dt.date, lookup_on: Callable[[str, dt.date], Rule | None]
                       ) -> tuple[int, str]:
    """The earliest Match a person starting from nothing could still reach on `today`, and one
    line saying why. `lookup_on(rule_id, on)` returns the record in force on `on` or None."""
    first = today.year  # the Match of this year (March) is the earliest that can still be open
    lines: list[SeasonReach] = []
    for y in range(first, first + 4):
        on = dt.date(y, 1, 1)

        def lookup(rid: str, on: dt.date = on) -> Rule | None:
            return lookup_on(rid, on)

        r = season_reach(y, today, lookup)
        if r.reach == REACHABLE:
            earlier = [x for x in lines if x.reach == ONLY_IF_DONE]
            why = (earlier[-1].why + f" Starting from nothing, {y} is the earliest.") if earlier else r.why
            return y, why
        lines.append(r)
    return first + 1, "No later Match calendar in the rules: check NRMP and AAMC."
