"""Cross-field checks on the `img` track's facts (field types are checked before this)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ... import match_calendar
from ...datefmt import date_text
from ...dates import add_months
from ...validate import Problem
from ..base import Context
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


def check_step(step_id: str, data: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Cross-field checks on one step's facts (field types are checked before this)."""
    out: list[Problem] = []
    tf = data if step_id == TRACK else ctx.facts(TRACK)
    birth = _date(tf.get("birth_date"))
    today = ctx.today
    if birth:
        for path, d in _walk_dates(data, ""):
            if path != "birth_date" and d < birth:
                out.append(Problem(path, f"{date_text(d)} is before your date of birth ({date_text(birth)})"))
    if step_id == TRACK:
        if birth and birth > today:
            out.append(Problem("birth_date", "is in the future"))
        my = _int(data.get("match_year"))
        if birth and my and my < birth.year + 16:
            out.append(Problem("match_year", f"{my} is too soon after your birth year ({birth.year})"))
        return out

    def order(a: str, b: str, msg: str, src: Mapping[str, Any] = data, prefix: str = "") -> None:
        da, db = _date(src.get(a)), _date(src.get(b))
        if da and db and db < da:
            out.append(Problem(prefix + b, msg.format(a=date_text(da), b=date_text(db))))

    if step_id in EXAMS:
        for i, a in enumerate(_list(data.get("attempts"))):
            order("date", "result_date", "the result ({b}) is before the test date ({a})", a, f"attempts[{i}].")
            d = _date(a.get("date"))
            if d and d > today and a.get("result"):
                out.append(Problem(f"attempts[{i}].date", f"{date_text(d)} is in the future but has a result"))
        ws, sd = _date(data.get("window_start")), _date(data.get("scheduled_date"))
        months = ctx.value("usmle.eligibility_window_months", ws) if "usmle.eligibility_window_months" in ctx.rules else None
        if ws and sd and isinstance(months, int):
            we = add_months(ws, months) - dt.timedelta(days=1)
            if not (ws <= sd <= we):
                out.append(Problem("scheduled_date", f"{date_text(sd)} is outside your {months}-month eligibility "
                                   f"window ({date_text(ws)} to {date_text(we)})"))
    elif step_id == "ecfmg.oet":
        for i, s in enumerate(_list(data.get("sittings"))):
            order("date", "result_date", "the result ({b}) is before the test date ({a})", s, f"sittings[{i}].")
            d = _date(s.get("date"))
            if d and d > today and any(s.get(k) is not None for k in ("listening", "reading", "speaking", "writing")):
                out.append(Problem(f"sittings[{i}].date", f"{date_text(d)} is in the future but has scores"))
    elif step_id == "ecfmg.school":
        lo, hi = _int(data.get("sponsor_note_from_year")), _int(data.get("sponsor_note_to_year"))
        if lo and hi and hi < lo:
            out.append(Problem("sponsor_note_to_year", f"{hi} is before the first covered year ({lo})"))
        # A graduation year outside the sponsor note's years is an eligibility fact, not a typing
        # error: the engine blocks ecfmg.school with that reason (img.school.year_not_covered).
    elif step_id == "ecfmg.application":
        order("submitted_date", "accepted_date", "accepted ({b}) before it was submitted ({a})")
    elif step_id == "ecfmg.pathway":
        order("applied_date", "accepted_date", "accepted ({b}) before you applied ({a})")
    elif step_id == "ecfmg.credentials":
        grad = _date(ctx.facts("ecfmg.school").get("graduation_date"))
        for k in ("diploma_verified_date", "transcript_verified_date"):
            d = _date(data.get(k))
            if grad and d and d < grad:
                out.append(Problem(k, f"{date_text(d)} is before your graduation ({date_text(grad)}): ECFMG "
                                   "verifies final credentials only after graduation"))
        order("diploma_submitted_date", "diploma_verified_date", "verified ({b}) before it was submitted ({a})")
    elif step_id == "ecfmg.certificate":
        order("issued_date", "valid_through", "valid through {b}, before it was issued ({a})")
        grad = _date(ctx.facts("ecfmg.school").get("graduation_date"))
        d = _date(data.get("issued_date"))
        if grad and d and d < grad:
            out.append(Problem("issued_date", f"{date_text(d)} is before your graduation ({date_text(grad)})"))
    elif step_id == "match.result":
        my, sd = _int(tf.get("match_year")), _date(data.get("start_date"))
        if my and sd and 1950 <= my <= 2200:
            md = match_calendar.calendar(my, lambda rid: _rule(ctx, rid, dt.date(my, 1, 1))).get("match_day")
            if md and sd < md.date:
                out.append(Problem("start_date", f"{date_text(sd)} is before Match Day ({date_text(md.date)})"))
    elif step_id == "residency.training":
        order("start_date", "completed_date", "completed ({b}) before it started ({a})")
    elif step_id == "license.state":
        order("applied_date", "issued_date", "issued ({b}) before you applied ({a})")
    elif step_id == "visa":
        order("statement_of_need_requested", "statement_of_need_received", "received ({b}) before it was requested ({a})")
        order("h1b_petition_filed", "h1b_approved", "approved ({b}) before it was filed ({a})")
    return out
