"""Renewing the card in time, and what a lapsed card allows (the training center's policy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    Action,
    Blocker,
    Context,
    StepResult,
)
from ..findings import B, F, Finding, W
from .common import _card_rule, _date, _find, months_given_up
from .definitions import EXPIRY_RULES, LAPSED_POLICIES, NOT_FOUND


def _eval_renewal(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult,
                  card_res: StepResult, expires: dt.date | None) -> None:
    today = ctx.today
    if expires is None:
        r.status = NOT_STARTED
        r.reasons.append(F("cards.renewal.nothing_to_renew") if card_res.status != DONE
                         else F("cards.renewal.expiry_unknown"))
        return
    on = expires
    options: list[str] = []
    opts = _card_rule(ctx, card, body, "renewal_options", on)
    if opts is not None and isinstance(opts.value, Mapping):
        r.use(opts)
        options = [str(o) for o in opts.value.get(body, [])]
        r.info["renewal_options"] = options

    kinds: dict[str, str | None] = {}

    def offset(rule_id: str) -> dt.date | None:
        rule = r.use(_find(ctx, rule_id, on))
        if rule is not None:
            kinds[rule_id] = rule.kind
        return expires - dt.timedelta(days=int(rule.value)) if rule is not None else None

    book_by = offset("cards.plan.book_days_before")
    online_by = offset("cards.plan.online_part_days_before")
    confirm_by = offset("cards.plan.confirm_skills_days_before")
    last_safe = offset("cards.plan.last_safe_course_days_before")
    r.info["planner_defaults"] = "CertPath's planning offsets, not an AHA rule"
    for label, d in (("book_by", book_by), ("online_part_by", online_by),
                     ("confirm_skills_by", confirm_by), ("last_safe_course", last_safe)):
        if d is not None:
            r.info[label] = d
    r.due = last_safe or expires
    # The last safe course day's kind is its rule's (the card's last valid day: a deadline); the
    # expiry itself is one (the card lapses the day after).
    r.due_kind = (kinds.get("cards.plan.last_safe_course_days_before") if last_safe else None) or "deadline"
    booked = _date(facts, "renewal_course_date", r)
    lapsed = today > expires
    if booked is not None:
        rule = _find(ctx, EXPIRY_RULES.get(body, ""), booked)
        if rule is not None and booked <= expires:
            r.use(_find(ctx, "cards.early_renewal.no_banking", booked))
            given_up = months_given_up(expires, booked, rule)
            r.info["months_given_up"] = given_up
            if given_up:
                r.reasons.append(F("cards.renewal.months_given_up", booked=booked, count=given_up))
        if booked > (last_safe or expires):
            _lapse_policy(ctx, card, body, r, expires, booked)
            return
        r.status = IN_PROGRESS
        if booked < today:
            r.reasons.insert(0, F("cards.renewal.booked_past", booked=booked))
            r.actions.append(Action(F("cards.renewal.record_new_card"), key="record-new-card"))
            return
        r.reasons.insert(0, F("cards.renewal.booked", booked=booked))
        if online_by is not None and facts.get("renewal_format") == "heartcode_blended":
            r.actions.append(Action(F("cards.renewal.finish_online_part"),
                                    min(online_by, booked), "reminder", key="finish-online-part",
                                    date_kind=kinds.get("cards.plan.online_part_days_before") or ""
                                    if online_by <= booked else ""))
        r.actions.append(Action(F("cards.renewal.attend_renewal"), booked, "todo", key="attend-renewal"))
        return
    if lapsed:
        _lapse_policy(ctx, card, body, r, expires, None)
        return
    if card == "nrp":
        book_text = F("cards.renewal.book_renewal_nrp")
        online_text = F("cards.renewal.finish_online_part_nrp")
        confirm_text = F("cards.renewal.confirm_skills_nrp")
    else:
        book_text = (F("cards.renewal.book_renewal_heartcode", card=card) if "heartcode_blended" in options
                     else F("cards.renewal.book_renewal", card=card))
        online_text = F("cards.renewal.finish_online_part_any")
        confirm_text = F("cards.renewal.confirm_skills")
    # CertPath's planner offsets are recommendations (their rules' kind): a passed one is never
    # "overdue"; the card's last valid day is the deadline
    if book_by is not None:
        r.actions.append(Action(book_text, book_by, "reminder", key="book-renewal",
                                date_kind=kinds.get("cards.plan.book_days_before") or ""))
    if online_by is not None:
        r.actions.append(Action(online_text, online_by, "reminder", key="finish-online-part",
                                date_kind=kinds.get("cards.plan.online_part_days_before") or ""))
    if confirm_by is not None:
        r.actions.append(Action(confirm_text, confirm_by, "reminder", key="confirm-skills",
                                date_kind=kinds.get("cards.plan.confirm_skills_days_before") or ""))
    if last_safe is not None:
        r.actions.append(Action(F("cards.renewal.last_safe_course"), last_safe, "deadline", key="last-safe-course"))
    if book_by is not None and today >= book_by:
        r.status = AT_RISK
        r.deadline, r.deadline_kind = last_safe or expires, r.due_kind
        r.reasons.append(F("cards.renewal.not_booked", expires=expires))
    else:
        r.status = NOT_STARTED
        r.reasons.append(F("cards.renewal.valid_book_by", expires=expires, book_by=book_by) if book_by
                         else F("cards.renewal.valid_through", expires=expires))


def _lapse_policy(ctx: Context, card: str, body: str, r: StepResult, expires: dt.date,
                  booked: dt.date | None) -> None:
    """The renewal of a lapsed card, or of one whose booked renewal course falls after it lapses:
    the training center's recorded policy decides (default: the full provider course, R6); a Red
    Cross card has the Red Cross review-course entry window instead (R7)."""
    today = ctx.today
    track = ctx.facts(card)
    lapse_day = expires + dt.timedelta(days=1)
    default = r.use(_find(ctx, "cards.lapsed.default_policy", expires))
    explicit = track.get("lapsed_policy")
    policy = explicit or (default.value if default else None)
    # the last day a renewal (review) course is still accepted after expiry; None: not accepted
    window: dt.date | None = None
    why: Finding | None = None
    if policy == "renewal_allowed":
        window, why = dt.date.max, F("cards.lapse.why_allowed_after_expiry")
    elif policy == "renewal_allowed_within_days":
        days = track.get("lapsed_days")
        if isinstance(days, int) and not isinstance(days, bool):
            window = expires + dt.timedelta(days=days)
            why = F("cards.lapse.why_allowed_until", window=window, days=days)
        else:
            r.warnings.append(W("cards.lapse.days_missing"))
    if body == "red_cross":
        rc = r.use(_find(ctx, "cards.red_cross.review_entry_days", expires))
        if rc is not None and isinstance(rc.value, Mapping):
            if card in rc.value.get("assumed_for", []):
                rc_until = expires + dt.timedelta(days=int(rc.value["days"]))
                r.info["review_entry_until"] = rc_until
                if explicit is None:
                    window = rc_until
                    why = F("cards.lapse.why_red_cross_review", days=rc.value["days"], until=rc_until, card=card)
            else:
                r.warnings.append(W("cards.lapse.red_cross_window_unconfirmed", card=card))
    policy_label = dict(LAPSED_POLICIES).get(str(policy), NOT_FOUND) if explicit or body != "red_cross" else ""
    take_on = booked or today
    allowed = window is not None and take_on <= window
    if allowed and window != dt.date.max:
        r.info["renewal_allowed_until"] = window
    if allowed and body == "aha":
        r.use(_find(ctx, "cards.aha.exam_remediation", expires))
        r.warnings.append(W("cards.lapse.no_remediation"))
    if booked is not None and today <= expires:
        # not lapsed yet, but the booked course is after the last valid day: it can still be moved
        r.status = AT_RISK
        r.deadline = expires
        r.reasons.insert(0, F("cards.lapse.booked_after_expiry", booked=booked, expires=expires, lapse_day=lapse_day))
        if allowed:
            r.reasons.append(F("cards.lapse.booked_late_allowed", why=why))
        else:
            r.reasons.append(F("cards.lapse.booked_late_full_course_policy", policy=policy_label) if policy_label
                             else F("cards.lapse.booked_late_full_course"))
        r.actions.append(Action(F("cards.lapse.last_safe_course", expires=expires), expires, "deadline", key="last-safe-course"))
        return
    r.reasons.insert(0, F("cards.lapse.lapsed", lapse_day=lapse_day))
    if allowed:
        r.reasons.append(F("cards.lapse.renewal_still_allowed", why=why))
        if booked is not None:
            r.status = IN_PROGRESS
            r.reasons.append(F("cards.lapse.booked", booked=booked))
            if booked >= today:
                r.actions.append(Action(F("cards.lapse.attend_renewal"), booked, "todo", key="attend-renewal"))
            else:
                r.actions.append(Action(F("cards.lapse.record_new_card"), key="record-new-card"))
            return
        if window == dt.date.max:
            # No deadline left to miss (so not at_risk), but overdue: the card lapsed already.
            r.status = NOT_STARTED
            r.due, r.due_kind = lapse_day, "deadline"  # the card lapsed that day
            r.actions.append(Action(F("cards.lapse.book_renewal"),
                                    today, "todo", key="book-renewal"))
            return
        r.status = AT_RISK
        r.deadline = window
        r.due, r.due_kind = window, "deadline"  # the training center's last day for a renewal course
        r.actions.append(Action(F("cards.lapse.renewal_window", window=window),
                                window, "deadline", key="renewal-window"))
        return
    r.status = BLOCKED
    reason = (B("cards.lapse.blocked_full_course") if window is None
              else B("cards.lapse.blocked_window_closed", window=window))
    if booked is not None:
        reason = B("cards.lapse.booked_may_not_count", reason=reason, booked=booked)
    r.blocked_by.append(Blocker(None, reason))
    r.actions.append(Action(F("cards.lapse.book_full_course", card=card), today, "todo", key="book-full-course"))


