"""What the card steps share: tolerant readers of the facts, rule lookups and the expiry arithmetic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ... import dates
from ...datefmt import date_text
from ...rules import Rule, RuleNotFound
from ...validate import parse_date
from ..base import (
    Context,
    StepResult,
)
from ..findings import W
from .definitions import BODY_LABELS, DEFAULT_BODY, EXPIRY_RULES

# --- helpers ------------------------------------------------------------------------------------

def _date(facts: Mapping[str, Any], key: str, res: StepResult | None = None) -> dt.date | None:
    try:
        return parse_date(facts.get(key))
    except ValueError as e:
        if res is not None:
            res.warnings.append(W("field.unreadable", key=key, error=str(e)))
        return None


def _num(facts: Mapping[str, Any], key: str) -> float | None:
    v = facts.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def _find(ctx: Context, rule_id: str, on: dt.date | None) -> Rule | None:
    try:
        return ctx.rule(rule_id, on)
    except RuleNotFound:
        return None


def _card_rule(ctx: Context, card: str, body: str, name: str, on: dt.date | None) -> Rule | None:
    """`<card>.<body>.<name>`, else `<card>.<name>` (a rule that holds for every body)."""
    return _find(ctx, f"{card}.{body}.{name}", on) or _find(ctx, f"{card}.{name}", on)


def body_of(ctx: Context, card: str) -> str:
    body = ctx.facts(f"{card}.enroll").get("body")
    return body if body in BODY_LABELS else DEFAULT_BODY[card]


def expiry_from(basis: dt.date, rule: Rule) -> dt.date:
    """The last valid day of a card whose expiry counts from `basis`, by the rule's method."""
    v = rule.value
    if not isinstance(v, Mapping):
        raise ValueError(f"rule {rule.id}: value must be a table with 'method'")
    if v.get("method") == "end_of_month":
        return dates.end_of_month(dates.add_months(basis, int(v["months"])))
    if v.get("method") == "same_day":
        return dates.add_years_same_day(basis, int(v["years"]))
    raise ValueError(f"rule {rule.id}: unknown expiry method {v.get('method')!r}")


def _expiry_basis(ctx: Context, card: str, rule: Rule, issue: dt.date) -> dt.date:
    """NRP counts from the instructor-led event (the course end) where the rule says so."""
    v = rule.value if isinstance(rule.value, Mapping) else {}
    if v.get("counted_from") == "instructor_led_event":
        enroll = ctx.facts(f"{card}.enroll")
        event = _date(enroll, "course_end") or _date(enroll, "course_start")
        if event is not None and event <= issue:
            return event
    return issue


def card_expiry(ctx: Context, card: str, res: StepResult | None = None) -> tuple[dt.date | None, Rule | None]:
    """(last valid day, rule used) of the current card of `card`; (None, None) without an issue date."""
    issue = _date(ctx.facts(f"{card}.card"), "issue_date")
    if issue is None:
        return None, None
    body = body_of(ctx, card)
    rid = EXPIRY_RULES.get(body)
    rule = _find(ctx, rid, issue) if rid else None
    if res is not None:
        res.use(rule)
    if rule is None:
        return None, None
    return expiry_from(_expiry_basis(ctx, card, rule, issue), rule), rule


def _past_cards(ctx: Context, card: str) -> list[Mapping[str, Any]]:
    past = ctx.facts(f"{card}.card").get("past_cards") or []
    return [p for p in past if isinstance(p, Mapping)] if isinstance(past, list) else []


def _past_expiry(ctx: Context, card: str, rec: Mapping[str, Any]) -> dt.date | None:
    try:
        exp = parse_date(rec.get("expires"))
        if exp is not None:
            return exp
        issue = parse_date(rec.get("issue_date"))
    except ValueError:
        return None
    if issue is None:
        return None
    body = rec.get("body") if rec.get("body") in BODY_LABELS else body_of(ctx, card)
    rid = EXPIRY_RULES.get(str(body))
    rule = _find(ctx, rid, issue) if rid else None
    return expiry_from(issue, rule) if rule else None


def months_given_up(old_expiry: dt.date, new_basis: dt.date, rule: Rule) -> int:
    """Months an early course gives up: the new card's expiry compared with the expiry it would
    have if the course were taken on the old card's last valid day."""
    return max(0, dates.months_between(expiry_from(new_basis, rule), expiry_from(old_expiry, rule)))


def _upcoming_course(ctx: Context, card: str) -> dt.date | None:
    """The next course date of `card`: the booked renewal if a card is held, else the booked course."""
    if _date(ctx.facts(f"{card}.card"), "issue_date") is not None:
        return _date(ctx.facts(f"{card}.renewal"), "renewal_course_date")
    enroll = ctx.facts(f"{card}.enroll")
    return _date(enroll, "course_start") or _date(enroll, "course_end")


def _fmt(d: dt.date) -> str:
    """A date in a message (ISO in the command line, the GUI's display format once it installs one)."""
    return date_text(d)


