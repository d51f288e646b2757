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
from .common import _card_rule, _date, _find, _fmt, months_given_up
from .definitions import EXPIRY_RULES, LAPSED_POLICIES, NOT_FOUND


def _eval_renewal(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult,
                  card_res: StepResult, expires: dt.date | None) -> None:
    today = ctx.today
    if expires is None:
        r.status = NOT_STARTED
        r.reasons.append("No card with a known expiry yet: nothing to renew." if card_res.status != DONE
                         else f"Expiry unknown ({NOT_FOUND}).")
        return
    on = expires
    options: list[str] = []
    opts = _card_rule(ctx, card, body, "renewal_options", on)
    if opts is not None and isinstance(opts.value, Mapping):
        r.use(opts)
        options = [str(o) for o in opts.value.get(body, [])]
        r.info["renewal_options"] = options

    def offset(rule_id: str) -> dt.date | None:
        rule = r.use(_find(ctx, rule_id, on))
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
    booked = _date(facts, "renewal_course_date", r)
    lapsed = today > expires
    if booked is not None:
        rule = _find(ctx, EXPIRY_RULES.get(body, ""), booked)
        if rule is not None and booked <= expires:
            r.use(_find(ctx, "cards.early_renewal.no_banking", booked))
            given_up = months_given_up(expires, booked, rule)
            r.info["months_given_up"] = given_up
            if given_up:
                r.reasons.append(f"Renewing on {_fmt(booked)} gives up {given_up} month{'s' if given_up > 1 else ''}"
                                 f" of your current card: the new card's 2 years start from the new course; "
                                 "the months left on the old card are not added.")
        if booked > (last_safe or expires):
            _lapse_policy(ctx, card, body, r, expires, booked)
            return
        r.status = IN_PROGRESS
        if booked < today:
            r.reasons.insert(0, f"Your renewal course was on {_fmt(booked)}.")
            r.actions.append(Action("Record the new card from your renewal course (each renewal is a new card; "
                                    "the old one is kept in your history).", key="record-new-card"))
            return
        r.reasons.insert(0, f"Renewal course booked for {_fmt(booked)}.")
        if online_by is not None and facts.get("renewal_format") == "heartcode_blended":
            r.actions.append(Action("Finish the HeartCode online part (it must be done before the skills session).",
                                    min(online_by, booked), "reminder", key="finish-online-part"))
        r.actions.append(Action("Attend your renewal course.", booked, "todo", key="attend-renewal"))
        return
    if lapsed:
        _lapse_policy(ctx, card, body, r, expires, None)
        return
    if card == "nrp":
        book_text = "Book your NRP renewal: the online part, then an instructor-led event."
        online_text = "Finish the NRP online learning and test."
        confirm_text = "Confirm your instructor-led event."
    else:
        book_text = f"Book your {card.upper()} renewal course" + (
            " (or buy the HeartCode key)." if "heartcode_blended" in options else ".")
        online_text = "Finish any online part and the precourse work."
        confirm_text = "Confirm your skills session."
    if book_by is not None:
        r.actions.append(Action(book_text, book_by, "reminder", key="book-renewal"))
    if online_by is not None:
        r.actions.append(Action(online_text, online_by, "reminder", key="finish-online-part"))
    if confirm_by is not None:
        r.actions.append(Action(confirm_text, confirm_by, "reminder", key="confirm-skills"))
    if last_safe is not None:
        r.actions.append(Action("Last safe date for the renewal course (your card's last valid day; "
                                "no grace period).", last_safe, "deadline", key="last-safe-course"))
    if book_by is not None and today >= book_by:
        r.status = AT_RISK
        r.deadline = last_safe or expires
        r.reasons.append(f"Your card ends {_fmt(expires)} and no renewal course is booked.")
    else:
        r.status = NOT_STARTED
        r.reasons.append(f"Card valid through {_fmt(expires)}" + (f"; book by {_fmt(book_by)}." if book_by else "."))


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
    why = ""
    if policy == "renewal_allowed":
        window, why = dt.date.max, "your training center allows the renewal course after expiry"
    elif policy == "renewal_allowed_within_days":
        days = track.get("lapsed_days")
        if isinstance(days, int) and not isinstance(days, bool):
            window = expires + dt.timedelta(days=days)
            why = f"your training center allows the renewal course until {_fmt(window)} ({days} days after expiry)"
        else:
            r.warnings.append("lapsed_days: enter how many days your training center allows.")
    if body == "red_cross":
        rc = r.use(_find(ctx, "cards.red_cross.review_entry_days", expires))
        if rc is not None and isinstance(rc.value, Mapping):
            if card in rc.value.get("assumed_for", []):
                rc_until = expires + dt.timedelta(days=int(rc.value["days"]))
                r.info["review_entry_until"] = rc_until
                if explicit is None:
                    window = rc_until
                    why = (f"the Red Cross lets you enter a review course up to {rc.value['days']} days after "
                           f"expiry (until {_fmt(rc_until)}) for basic-level courses; that {card.upper()} is one "
                           "is our reading: check with your training provider")
            else:
                r.warnings.append(f"Red Cross review-course window after expiry for {card.upper()}: not confirmed; "
                                  "ask your training provider.")
    policy_label = dict(LAPSED_POLICIES).get(policy, NOT_FOUND) if explicit or body != "red_cross" else ""
    take_on = booked or today
    allowed = window is not None and take_on <= window
    if allowed and window != dt.date.max:
        r.info["renewal_allowed_until"] = window
    if allowed and body == "aha":
        r.use(_find(ctx, "cards.aha.exam_remediation", expires))
        r.warnings.append("With an expired card the renewal course has no remediation: failing any part means "
                          "the full provider course (AHA instructor text; your training center decides).")
    if booked is not None and today <= expires:
        # not lapsed yet, but the booked course is after the last valid day: it can still be moved
        r.status = AT_RISK
        r.deadline = expires
        r.reasons.insert(0, f"Your renewal course ({_fmt(booked)}) is after your card's last valid day "
                            f"({_fmt(expires)}): you will have no current card from {_fmt(lapse_day)}.")
        if allowed:
            r.reasons.append(f"Allowed, because {why}.")
        else:
            r.reasons.append("After the card lapses your training center may ask for the full provider course"
                             + (f" (policy: {policy_label})" if policy_label else "") + ".")
        r.actions.append(Action(f"Move your renewal course to {_fmt(expires)} or earlier (your card's last valid "
                                "day; no grace period).", expires, "deadline", key="last-safe-course"))
        return
    r.reasons.insert(0, f"Your card lapsed on {_fmt(lapse_day)} (no grace period).")
    if allowed:
        r.reasons.append(f"You may still take the renewal course: {why}.")
        if booked is not None:
            r.status = IN_PROGRESS
            r.reasons.append(f"Renewal course booked for {_fmt(booked)}.")
            if booked >= today:
                r.actions.append(Action("Attend your renewal course.", booked, "todo", key="attend-renewal"))
            else:
                r.actions.append(Action("Record the new card from your renewal course.", key="record-new-card"))
            return
        if window == dt.date.max:
            # No deadline left to miss (so not at_risk), but overdue: the card lapsed already.
            r.status = NOT_STARTED
            r.due = lapse_day
            r.actions.append(Action("Book the renewal course now: until you pass it you hold no current card.",
                                    today, "todo", key="book-renewal"))
            return
        r.status = AT_RISK
        r.deadline = window
        r.due = window
        r.actions.append(Action(f"Take the renewal course by {_fmt(window)}; after that the full provider course.",
                                window, "deadline", key="renewal-window"))
        return
    r.status = BLOCKED
    reason = ("The card has lapsed; your training center's policy: full provider course."
              if window is None else f"The card has lapsed and the renewal window closed on {_fmt(window)}: "
                                     "full provider course.")
    if booked is not None:
        reason += f" The renewal course booked for {_fmt(booked)} may not be accepted: ask your training center."
    r.blocked_by.append(Blocker(None, reason))
    r.actions.append(Action(f"Book the full {card.upper()} provider course.", today, "todo", key="book-full-course"))


