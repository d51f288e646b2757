"""Cross-field checks on a card step's facts (types and ranges are checked by FieldSpecs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...validate import Problem, parse_date
from ..base import (
    Context,
)
from .common import _fmt
from .definitions import AHA_ONLY_FORMATS, BODY_LABELS, DEFAULT_BODY, FORMATS, STEP_NAMES, TRACKS

# --- cross-field checks -------------------------------------------------------------------------

def check_step(step_id: str, data: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Cross-field problems with one step's facts (types and ranges are checked by FieldSpecs)."""
    out: list[Problem] = []
    if step_id in TRACKS:
        if data.get("lapsed_policy") == "renewal_allowed_within_days" and data.get("lapsed_days") is None:
            out.append(Problem("lapsed_days", "enter how many days after expiry your training center "
                                              "still allows the renewal course"))
        return out
    card, _, name = step_id.partition(".")
    if card not in TRACKS or name not in STEP_NAMES:
        return [Problem(step_id, "is not a known step")]

    def d(key: str, facts: Mapping[str, Any] = data) -> dt.date | None:
        try:
            return parse_date(facts.get(key))
        except ValueError:
            return None

    if name == "enroll":
        body = data.get("body") or DEFAULT_BODY[card]
        fmt = data.get("format")
        if body not in BODY_LABELS:
            out.append(Problem("body", f"unknown issuing body {body!r}"))
        if card == "nrp" and body not in ("aap", "other"):
            out.append(Problem("body", "NRP cards are issued by the AAP: choose AAP (or Other)"))
        if card != "nrp" and body == "aap":
            out.append(Problem("body", f"the AAP issues NRP, not {card.upper()}: choose AHA, Red Cross or Other"))
        if fmt in AHA_ONLY_FORMATS and body != "aha":
            out.append(Problem("format", f"{dict(FORMATS)[fmt]} is an AHA format: choose body AHA or another format"))
        if fmt == "online_only_vendor" and body == "aha":
            out.append(Problem("format", "a vendor's online-only course does not give an AHA card: "
                                         "choose body Other, or the AHA format you took"))
        start, end = d("course_start"), d("course_end")
        if start and end and end < start:
            out.append(Problem("course_end", "the course cannot end before it starts"))
        enrolled = d("enrolled_on")
        if enrolled and start and enrolled > start:
            out.append(Problem("enrolled_on", "enrolment date is after the course start"))
    elif name == "prerequisites":
        done_on = d("precourse_done_on")
        if done_on and done_on > ctx.today:
            out.append(Problem("precourse_done_on", "is in the future"))
    elif name == "attend":
        start = d("course_start", ctx.facts(f"{card}.enroll"))
        passed_any = any(v is True for k, v in data.items() if k != "attended")
        if start and start > ctx.today and (data.get("attended") is True or passed_any):
            out.append(Problem("attended", f"your course starts on {_fmt(start)}: record attendance and "
                                           "skills tests once it has happened"))
    elif name == "exam":
        ed = d("exam_date")
        if ed and ed > ctx.today and (data.get("exam_score") is not None or data.get("exam_passed") is not None):
            out.append(Problem("exam_date", "an exam result cannot be recorded for a future exam date"))
        start = d("course_start", ctx.facts(f"{card}.enroll"))
        fmt = ctx.facts(f"{card}.enroll").get("format")
        if ed and start and ed < start and fmt not in ("heartcode_blended", "online_only_vendor") and card != "nrp":
            out.append(Problem("exam_date", "the exam date is before the course starts"))
    elif name == "card":
        issue = d("issue_date")
        enroll = ctx.facts(f"{card}.enroll")
        course = d("course_end", enroll) or d("course_start", enroll)
        if issue and course and issue < course:
            out.append(Problem("issue_date", f"the card cannot be issued before its course ({_fmt(course)})"))
        if issue and issue > ctx.today:
            out.append(Problem("issue_date", "is in the future"))
        claimed = d("claimed_on")
        if claimed and issue and claimed < issue:
            out.append(Problem("claimed_on", "the eCard cannot be claimed before it is issued"))
        if data.get("ecard_claimed") is True and issue is None:
            out.append(Problem("ecard_claimed", "record the card issue date first"))
        for i, rec in enumerate(data.get("past_cards") or []):
            if not isinstance(rec, Mapping):
                continue
            pi, pe = d("issue_date", rec), d("expires", rec)
            if pi and pe and pe <= pi:
                out.append(Problem(f"past_cards[{i}].expires", "must be after the card's issue date"))
            if pi and issue and pi >= issue:
                out.append(Problem(f"past_cards[{i}].issue_date",
                                   "a past card must be issued before the current card"))
            if rec.get("body") == "aap" and card != "nrp":
                out.append(Problem(f"past_cards[{i}].body", f"the AAP does not issue {card.upper()} cards"))
    elif name == "renewal":
        booked = d("renewal_course_date")
        issue = d("issue_date", ctx.facts(f"{card}.card"))
        if booked and issue and booked <= issue:
            out.append(Problem("renewal_course_date", "the renewal course must be after the current card's issue date"))
    return out


