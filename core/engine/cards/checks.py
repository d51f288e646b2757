"""Cross-field checks on a card step's facts (types and ranges are checked by FieldSpecs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...validate import Problem, parse_date
from ..base import (
    Context,
)
from ..findings import W
from .definitions import AHA_ONLY_FORMATS, BODY_LABELS, DEFAULT_BODY, FORMATS, STEP_NAMES, TRACKS

# --- cross-field checks -------------------------------------------------------------------------

def check_step(step_id: str, data: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Cross-field problems with one step's facts (types and ranges are checked by FieldSpecs)."""
    out: list[Problem] = []
    if step_id in TRACKS:
        if data.get("lapsed_policy") == "renewal_allowed_within_days" and data.get("lapsed_days") is None:
            out.append(Problem("lapsed_days", finding=W("cards.check.lapsed_days_needed")))
        return out
    card, _, name = step_id.partition(".")
    if card not in TRACKS or name not in STEP_NAMES:
        return [Problem(step_id, finding=W("cards.check.unknown_step"))]

    def d(key: str, facts: Mapping[str, Any] = data) -> dt.date | None:
        try:
            return parse_date(facts.get(key))
        except ValueError:
            return None

    if name == "enroll":
        body = data.get("body") or DEFAULT_BODY[card]
        fmt = data.get("format")
        if body not in BODY_LABELS:
            out.append(Problem("body", finding=W("cards.check.unknown_body", body=body)))
        if card == "nrp" and body not in ("aap", "other"):
            out.append(Problem("body", finding=W("cards.check.nrp_needs_aap")))
        if card != "nrp" and body == "aap":
            out.append(Problem("body", finding=W("cards.check.aap_only_nrp", card=card)))
        if fmt in AHA_ONLY_FORMATS and body != "aha":
            out.append(Problem("format", finding=W("cards.check.aha_only_format", format_label=dict(FORMATS)[fmt])))
        if fmt == "online_only_vendor" and body == "aha":
            out.append(Problem("format", finding=W("cards.check.vendor_not_aha")))
        start, end = d("course_start"), d("course_end")
        if start and end and end < start:
            out.append(Problem("course_end", finding=W("cards.check.course_ends_before_start", start=start,
                                                       end=end)))
        enrolled = d("enrolled_on")
        if enrolled and start and enrolled > start:
            out.append(Problem("enrolled_on", finding=W("cards.check.enrolled_after_start", start=start)))
    elif name == "prerequisites":
        done_on = d("precourse_done_on")
        if done_on and done_on > ctx.today:
            out.append(Problem("precourse_done_on", finding=W("cards.check.in_future")))
    elif name == "attend":
        start = d("course_start", ctx.facts(f"{card}.enroll"))
        passed_any = any(v is True for k, v in data.items() if k != "attended")
        if start and start > ctx.today and (data.get("attended") is True or passed_any):
            out.append(Problem("attended", finding=W("cards.check.attended_before_course", start=start)))
    elif name == "exam":
        ed = d("exam_date")
        if ed and ed > ctx.today and (data.get("exam_score") is not None or data.get("exam_passed") is not None):
            out.append(Problem("exam_date", finding=W("cards.check.future_exam_has_result")))
        start = d("course_start", ctx.facts(f"{card}.enroll"))
        fmt = ctx.facts(f"{card}.enroll").get("format")
        if ed and start and ed < start and fmt not in ("heartcode_blended", "online_only_vendor") and card != "nrp":
            out.append(Problem("exam_date", finding=W("cards.check.exam_before_course", start=start)))
    elif name == "card":
        issue = d("issue_date")
        enroll = ctx.facts(f"{card}.enroll")
        course = d("course_end", enroll) or d("course_start", enroll)
        if issue and course and issue < course:
            out.append(Problem("issue_date", finding=W("cards.check.issued_before_course", course=course)))
        if issue and issue > ctx.today:
            out.append(Problem("issue_date", finding=W("cards.check.in_future")))
        claimed = d("claimed_on")
        if claimed and issue and claimed < issue:
            out.append(Problem("claimed_on", finding=W("cards.check.claimed_before_issued", issue=issue)))
        if data.get("ecard_claimed") is True and issue is None:
            out.append(Problem("ecard_claimed", finding=W("cards.check.claimed_without_issue_date")))
        for i, rec in enumerate(data.get("past_cards") or []):
            if not isinstance(rec, Mapping):
                continue
            pi, pe = d("issue_date", rec), d("expires", rec)
            if pi and pe and pe <= pi:
                out.append(Problem(f"past_cards[{i}].expires", finding=W("cards.check.past_card_expires_before_issue", issue=pi)))
            if pi and issue and pi >= issue:
                out.append(Problem(f"past_cards[{i}].issue_date",
                                   finding=W("cards.check.past_card_not_before_current")))
            if rec.get("body") == "aap" and card != "nrp":
                out.append(Problem(f"past_cards[{i}].body", finding=W("cards.check.aap_past_card", card=card)))
    elif name == "renewal":
        booked = d("renewal_course_date")
        issue = d("issue_date", ctx.facts(f"{card}.card"))
        if booked and issue and booked <= issue:
            out.append(Problem("renewal_course_date", finding=W("cards.check.renewal_not_after_issue")))
    return out


