"""The card itself: issue, expiry, the eCard, early renewal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ... import dates
from ...validate import parse_date
from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    EXPIRED,
    IN_PROGRESS,
    NOT_STARTED,
    Action,
    Blocker,
    Context,
    StepResult,
)
from ..findings import B, F, W
from .common import _expiry_basis, _find, _past_cards, _past_expiry, expiry_from, months_given_up
from .definitions import BODY_LABELS, EXPIRY_RULES, GRACE_RULES


def _eval_card(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult,
               issue: dt.date | None, course_end: dt.date | None, exam_failed: bool, exam_done: bool,
               fmt: Any) -> dt.date | None:
    today = ctx.today
    past = _past_cards(ctx, card)
    if past:
        r.info["past_cards"] = len(past)
    if fmt == "online_only_vendor":
        r.use(_find(ctx, "cards.online_only_vendor", issue or today))
        r.warnings.append(W("cards.card.vendor_certificate"))
    if issue is None:
        if exam_failed:
            r.status = BLOCKED
            r.blocked_by.append(Blocker(f"{card}.exam", B("cards.card.blocked_exam")))
            return None
        if exam_done and course_end is not None:
            r.status = IN_PROGRESS
            if body == "aha":
                days = r.use(_find(ctx, "cards.aha.ecard_issue_business_days", course_end))
                if days is not None:
                    by = dates.add_business_days(course_end, int(days.value))
                    r.due = by
                    r.due_kind = days.kind  # when the card should arrive (the rule's: an event)
                    r.info["ecard_expected_by"] = by
                    r.actions.append(Action(F("cards.card.watch_ecard"),
                                            by, "check", key="watch-ecard", date_kind=days.kind or ""))
                    if today > by:
                        r.warnings.append(W("cards.card.ecard_late", days=days.value, by=by))
            else:
                r.actions.append(Action(F("cards.card.record_card"), key="record-card"))
            return None
        r.status = NOT_STARTED
        return None
    if issue > today:
        r.warnings.append(W("cards.card.issue_in_future"))
    rid = EXPIRY_RULES.get(body)
    rule = r.use(_find(ctx, rid, issue)) if rid else None
    if rule is None:
        r.status = DONE
        r.reasons.append(F("cards.card.expiry_rule_not_found", issue=issue, body_label=BODY_LABELS[body]))
        return None
    basis = _expiry_basis(ctx, card, rule, issue)
    expires = expiry_from(basis, rule)
    r.expires = expires
    r.info["valid_through"] = expires
    if basis != issue:  # NRP: the 2 years count from the instructor-led event (R8)
        r.info["counted_from"] = basis
    if body == "aha":
        r.use(_find(ctx, "cards.aha.ecard_renewal_month_only", issue))
        r.info["renewal_date_on_card"] = expires.strftime("%m/%Y")
        mat = _find(ctx, "cards.aha.materials_edition", issue)
        if mat is not None:
            r.use(mat)
            r.info["guidelines"] = mat.value
    # grace (AHA: none, except the 2020 emergency suggestion to employers), looked up on the expiry date
    grace = 0
    grid = GRACE_RULES.get(body)
    g = r.use(_find(ctx, grid, expires)) if grid else None
    if g is not None:
        grace = int(g.value or 0)
    if today > expires:
        if grace and today <= expires + dt.timedelta(days=grace):
            r.status = AT_RISK
            r.deadline = expires + dt.timedelta(days=grace)
            r.warnings.append(W("cards.card.aha_grace_suggestion", expires=expires, grace=grace))
        else:
            r.status = EXPIRED
        r.reasons.append(F("cards.card.expired", expires=expires, expires2=expires + dt.timedelta(days=1)))
    else:
        r.status = DONE
        r.reasons.append(F("cards.card.valid", issue=issue, expires=expires))
        if body == "aha" and facts.get("ecard_claimed") is not True and not facts.get("claimed_on"):
            claim = r.use(_find(ctx, "cards.aha.ecard_claim", issue))
            if claim is not None:
                # the training center has up to 20 business days to issue it (R3): remind on that date,
                # or today once it has passed (a fixed date, not "today", while it is still ahead)
                days = r.use(_find(ctx, "cards.aha.ecard_issue_business_days", issue))
                by = dates.add_business_days(issue, int(days.value)) if days is not None else today
                r.actions.append(Action(F("cards.card.claim_ecard"), max(by, today), "todo",
                                        key="claim-ecard"))
    if basis != issue:
        r.reasons.append(F("cards.card.counted_from_event", basis=basis))
    code = facts.get("ecard_code")
    if body == "aha" and isinstance(code, str) and code.strip():
        fmt_rule = r.use(_find(ctx, "cards.aha.ecard_code_format", issue))
        if fmt_rule is not None and isinstance(fmt_rule.value, Mapping):
            digits = str(code).replace(" ", "").replace("-", "")
            n = int(fmt_rule.value.get("digits", 0))
            yp = int(fmt_rule.value.get("year_prefix_digits", 0))
            if not (digits.isdigit() and len(digits) == n):
                r.warnings.append(W("cards.card.ecard_code_digits", digits=n))
            elif yp and digits[:yp] != f"{issue.year % 100:02d}":
                r.warnings.append(W("cards.card.ecard_code_year"))
    # early renewal: the newest past card still valid on this card's issue date
    older = []
    for rec in past:
        try:
            pi = parse_date(rec.get("issue_date"))
        except ValueError:
            continue
        pe = _past_expiry(ctx, card, rec)
        if pi is not None and pe is not None and pi < issue:
            older.append((pi, pe))
    if older:
        _, old_exp = max(older)
        if issue <= old_exp:
            r.use(_find(ctx, "cards.early_renewal.no_banking", issue))
            basis = _expiry_basis(ctx, card, rule, issue)
            r.info["months_given_up"] = months_given_up(old_exp, basis, rule)
            r.info["previous_card_valid_through"] = old_exp
    return expires


