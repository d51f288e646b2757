"""Cross-field checks on the `img` track's facts (field types are checked before this)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ... import match_calendar
from ...dates import add_months
from ...validate import Problem
from ..base import Context
from ..findings import W
from .common import _date, _int, _list, _rule
from .definitions import EXAMS, TRACK


def _walk_dates(data: Any, path: str):
    """Every (path, date) in a step's facts, records included."""
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from _walk_dates(v, f"{path}.{k}" if path else str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _walk_dates(v, f"{path}[{i}]")
    else:
        d = _date(data) if isinstance(data, str | dt.date) else None
        if d is not None:
            yield path, d


# Two dates in the wrong order (`then` before `first`): one literal code each, so the wording
# catalogue (core/wording.py) and its test see every one.
_ORDER = {
    "result_before_test": lambda a, b: W("img.check.result_before_test", first=a, then=b),
    "accepted_before_submitted": lambda a, b: W("img.check.accepted_before_submitted", first=a, then=b),
    "accepted_before_applied": lambda a, b: W("img.check.accepted_before_applied", first=a, then=b),
    "verified_before_submitted": lambda a, b: W("img.check.verified_before_submitted", first=a, then=b),
    "valid_through_before_issued": lambda a, b: W("img.check.valid_through_before_issued", first=a, then=b),
    "completed_before_started": lambda a, b: W("img.check.completed_before_started", first=a, then=b),
    "issued_before_applied": lambda a, b: W("img.check.issued_before_applied", first=a, then=b),
    "received_before_requested": lambda a, b: W("img.check.received_before_requested", first=a, then=b),
    "approved_before_filed": lambda a, b: W("img.check.approved_before_filed", first=a, then=b),
}


def check_step(step_id: str, data: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Cross-field checks on one step's facts (field types are checked before this)."""
    out: list[Problem] = []
    tf = data if step_id == TRACK else ctx.facts(TRACK)
    birth = _date(tf.get("birth_date"))
    today = ctx.today
    if birth:
        for path, d in _walk_dates(data, ""):
            if path != "birth_date" and d < birth:
                out.append(Problem(path, finding=W("img.check.before_birth", date=d, birth=birth)))
    if step_id == TRACK:
        if birth and birth > today:
            out.append(Problem("birth_date", finding=W("img.check.birth_in_future")))
        my = _int(data.get("match_year"))
        if birth and my and my < birth.year + 16:
            out.append(Problem("match_year", finding=W("img.check.match_year_too_soon", match_year=my,
                                                       birth_year=birth.year)))
        return out

    def order(a: str, b: str, code: str, src: Mapping[str, Any] = data, prefix: str = "") -> None:
        """`b` (a later event) may not be before `a`: the problem `code` (params `first`, `then`)."""
        da, db = _date(src.get(a)), _date(src.get(b))
        if da and db and db < da:
            out.append(Problem(prefix + b, finding=_ORDER[code](da, db)))

    if step_id in EXAMS:
        for i, a in enumerate(_list(data.get("attempts"))):
            order("date", "result_date", "result_before_test", a, f"attempts[{i}].")
            d = _date(a.get("date"))
            if d and d > today and a.get("result"):
                out.append(Problem(f"attempts[{i}].date", finding=W("img.check.future_attempt_has_result", date=d)))
        ws, sd = _date(data.get("window_start")), _date(data.get("scheduled_date"))
        months = ctx.value("usmle.eligibility_window_months", ws) if "usmle.eligibility_window_months" in ctx.rules else None
        if ws and sd and isinstance(months, int):
            we = add_months(ws, months) - dt.timedelta(days=1)
            if not (ws <= sd <= we):
                out.append(Problem("scheduled_date", finding=W("img.check.outside_window", sched=sd, months=months,
                                                               window_start=ws, window_end=we)))
    elif step_id == "ecfmg.oet":
        for i, s in enumerate(_list(data.get("sittings"))):
            order("date", "result_date", "result_before_test", s, f"sittings[{i}].")
            d = _date(s.get("date"))
            if d and d > today and any(s.get(k) is not None for k in ("listening", "reading", "speaking", "writing")):
                out.append(Problem(f"sittings[{i}].date", finding=W("img.check.future_sitting_has_scores", date=d)))
    elif step_id == "ecfmg.school":
        lo, hi = _int(data.get("sponsor_note_from_year")), _int(data.get("sponsor_note_to_year"))
        if lo and hi and hi < lo:
            out.append(Problem("sponsor_note_to_year", finding=W("img.check.sponsor_years_reversed", first=lo,
                                                                  last=hi)))
        # A graduation year outside the sponsor note's years is an eligibility fact, not a typing
        # error: the engine blocks ecfmg.school with that reason (img.school.year_not_covered).
    elif step_id == "ecfmg.application":
        order("submitted_date", "accepted_date", "accepted_before_submitted")
    elif step_id == "ecfmg.pathway":
        order("applied_date", "accepted_date", "accepted_before_applied")
    elif step_id == "ecfmg.credentials":
        grad = _date(ctx.facts("ecfmg.school").get("graduation_date"))
        for k in ("diploma_verified_date", "transcript_verified_date"):
            d = _date(data.get(k))
            if grad and d and d < grad:
                out.append(Problem(k, finding=W("img.check.verified_before_graduation", date=d, graduation=grad)))
        order("diploma_submitted_date", "diploma_verified_date", "verified_before_submitted")
    elif step_id == "ecfmg.certificate":
        order("issued_date", "valid_through", "valid_through_before_issued")
        grad = _date(ctx.facts("ecfmg.school").get("graduation_date"))
        d = _date(data.get("issued_date"))
        if grad and d and d < grad:
            out.append(Problem("issued_date", finding=W("img.check.issued_before_graduation", date=d,
                                                        graduation=grad)))
    elif step_id == "match.result":
        my, sd = _int(tf.get("match_year")), _date(data.get("start_date"))
        if my and sd and 1950 <= my <= 2200:
            md = match_calendar.calendar(my, lambda rid: _rule(ctx, rid, dt.date(my, 1, 1))).get("match_day")
            if md and sd < md.date:
                out.append(Problem("start_date", finding=W("img.check.start_before_match_day", date=sd,
                                                           match_day=md.date)))
    elif step_id == "residency.training":
        order("start_date", "completed_date", "completed_before_started")
    elif step_id == "license.state":
        order("applied_date", "issued_date", "issued_before_applied")
    elif step_id == "visa":
        order("statement_of_need_requested", "statement_of_need_received", "received_before_requested")
        order("h1b_petition_filed", "h1b_approved", "approved_before_filed")
    return out
