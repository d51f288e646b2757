"""Before the card: enrolment, the prerequisites (PALS: the BLS card and the precourse self-assessment), attendance and skills tests, the written exam."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_STARTED,
    Action,
    Blocker,
    Context,
    StepResult,
)
from ..findings import B, F, Finding, W
from .common import _card_rule, _date, _find, _num, _upcoming_course, body_of, card_expiry, expiry_from
from .definitions import BODY_LABELS, EXPIRY_RULES, STATIONS, _article


def _eval_enroll(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult,
                 held: bool, course_start: dt.date | None, fmt: Any) -> None:
    on = course_start or ctx.today
    r.use(covers := _find(ctx, f"{card}.covers", on))
    if covers is not None:
        r.info["covers"] = covers.value
    accepted = r.use(_find(ctx, "cards.accepted_bodies", on))
    if accepted is not None and isinstance(accepted.value, Mapping):
        ok = accepted.value.get(card, [])
        r.info["accepted_bodies"] = list(ok)
        if body not in ok:
            r.warnings.append(W("cards.enroll.body_not_in_sources", body_label=BODY_LABELS.get(body, body), card=card, ok=ok))
        elif body == "red_cross":  # §2 Acceptance (M, R2)
            r.warnings.append(W("cards.enroll.red_cross_acceptance"))
    if fmt == "online_only_vendor":
        rule = r.use(_find(ctx, "cards.online_only_vendor", on))
        if rule is not None:
            r.warnings.append(W("cards.enroll.vendor_online_only"))
    edition = facts.get("materials_edition")
    mat = _find(ctx, "cards.aha.materials_edition", on)
    if body == "aha" and mat is not None:
        r.use(mat)
        if edition and edition != "unknown" and edition != mat.value:
            r.warnings.append(W("cards.enroll.materials_edition", from_date=mat.valid_from or on, edition=mat.value))
    renewal_opts = _card_rule(ctx, card, body, "renewal_options", on)
    if renewal_opts is not None and isinstance(renewal_opts.value, Mapping):
        r.info["renewal_options"] = renewal_opts.value.get(body, [])
    if card == "pals":
        hours = _card_rule(ctx, card, body, "hours", on)
        if hours is not None:
            r.use(hours)
            r.info["typical_hours"] = hours.value
        if fm := _find(ctx, "pals.formats", on):
            r.use(fm)
            r.info["formats"] = fm.value
        if sc := _find(ctx, "pals.scope_vs_nrp", on):
            r.use(sc)
            r.info["pals_vs_nrp"] = sc.value
    if held:
        r.status = DONE
        r.reasons.append(F("cards.enroll.done_card_held"))
    elif course_start is not None:
        r.status = DONE
        r.reasons.append(F("cards.enroll.course_booked", course_start=course_start))
        r.due, r.due_kind = course_start, "event"  # the day of the course you booked
    elif any(facts.get(k) for k in ("body", "format", "training_center", "enrolled_on")):
        r.status = IN_PROGRESS
        r.reasons.append(F("cards.enroll.no_course_date_yet"))
        r.actions.append(Action(F("cards.enroll.book_course"), key="book-course"))
    else:
        r.status = NOT_STARTED
        r.actions.append(Action(F("cards.enroll.choose_course", article=_article(card), card=card),
                                key="choose-course"))


def _bls_cover(ctx: Context, r: StepResult, course: dt.date,
               pre: Mapping[str, Any]) -> tuple[dt.date | None, Finding | None]:
    """When the BLS card the PALS course relies on ends, and where that came from."""
    bls_exp, rule = card_expiry(ctx, "bls")
    if rule is not None:
        r.use(rule)
    if bls_exp is not None:
        # a BLS course booked on or before the PALS course renews the card in time
        planned = _upcoming_course(ctx, "bls")
        bls_rule = _find(ctx, EXPIRY_RULES.get(body_of(ctx, "bls"), ""), planned) if planned else None
        if planned is not None and planned <= course and bls_rule is not None:
            return expiry_from(planned, bls_rule), F("cards.prereq.where_bls_booked", date=planned)
        return bls_exp, F("cards.prereq.where_bls_track")
    if _date(ctx.facts("bls.card"), "issue_date") is None:
        planned = _upcoming_course(ctx, "bls")
        bls_rule = _find(ctx, EXPIRY_RULES.get(body_of(ctx, "bls"), ""), planned) if planned else None
        if planned is not None and planned <= course and bls_rule is not None:
            return expiry_from(planned, bls_rule), F("cards.prereq.where_bls_booked", date=planned)
    manual = _date(pre, "bls_card_expires", r)
    if manual is not None:
        return manual, F("cards.prereq.where_entered_here")
    return None, None


def _eval_prereq(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult, held: bool) -> bool:
    """Returns True when a prerequisite fails outright (precourse score below the mark)."""
    course = _upcoming_course(ctx, card)
    on = course or ctx.today
    if card != "pals":
        if held and course is None:
            r.status = DONE
            r.reasons.append(F("cards.prereq.done_card_held"))
        else:
            r.status = NOT_APPLICABLE
            r.reasons.append(F("cards.prereq.none_in_sources", card=card))
        return False
    if held and course is None:
        r.status = DONE
        r.reasons.append(F("cards.prereq.done_card_held_pals"))
        return False
    # With a card held, the form's precourse result belongs to the last course unless it was done
    # after that card was issued: each course asks for its own self-assessment (sheet §1.3).
    issue = _date(ctx.facts(f"{card}.card"), "issue_date") if held else None

    met, open_items, failing = 0, 0, False
    # precourse self-assessment
    pc_rule = r.use(_card_rule(ctx, card, body, "precourse_min_score", on))
    score = _num(facts, "precourse_score")
    done_on = _date(facts, "precourse_done_on")
    stale = issue is not None and score is not None and (done_on is None or done_on <= issue)
    if stale:
        r.reasons.append(F("cards.prereq.precourse_stale_dated", score=score, date=done_on) if done_on
                         else F("cards.prereq.precourse_stale", score=score))
        score = None
    if pc_rule is None:
        r.reasons.append(F("cards.prereq.precourse_rule_not_found", body_label=BODY_LABELS[body]))
    elif score is None:
        open_items += 1
        r.actions.append(Action(F("cards.prereq.precourse", mark=pc_rule.value), course, "todo", key="precourse"))
    elif score >= pc_rule.value:
        met += 1
        r.reasons.append(F("cards.prereq.precourse_passed", score=score, mark=pc_rule.value))
    else:
        open_items += 1
        failing = True
        r.reasons.append(F("cards.prereq.precourse_below", score=score, mark=pc_rule.value))
        r.actions.append(Action(F("cards.prereq.precourse_retake"), course, "todo",
                                key="precourse"))
    # BLS card on the course date
    bls_rule = r.use(_card_rule(ctx, card, body, "bls_card", on))
    asked = facts.get("bls_card_required")
    if asked is None and bls_rule is not None and isinstance(bls_rule.value, Mapping):
        asked = bool(bls_rule.value.get("assume_required"))
        r.info["bls_card_required"] = "assumed (your training center decides)"
    if asked is None:
        r.reasons.append(F("cards.prereq.bls_asked_not_found"))
    elif asked:
        if course is None:
            open_items += 1
            r.actions.append(Action(F("cards.prereq.bls_current"),
                                    key="bls-current"))
        else:
            bls_end, where = _bls_cover(ctx, r, course, facts)
            no_bls_card = bls_end is None and _date(ctx.facts("bls.card"), "issue_date") is None
            bls_planned = _upcoming_course(ctx, "bls") if no_bls_card else None
            if bls_planned is not None and bls_planned > course:
                r.status = AT_RISK
                r.deadline = course
                r.reasons.append(F("cards.prereq.bls_course_after_pals", bls_planned=bls_planned, course=course))
                r.actions.append(Action(F("cards.prereq.renew_bls", course=course),
                                        course, "deadline", key="renew-bls"))
                r.warnings.append(W("cards.prereq.collision_bls_course", bls_planned=bls_planned, course=course))
            elif bls_end is None:
                open_items += 1
                r.reasons.append(F("cards.prereq.bls_not_recorded", course=course))
                r.actions.append(Action(F("cards.prereq.record_bls", course=course), course, "check", key="record-bls"))
            elif bls_end < course:
                r.status = AT_RISK
                r.deadline = course
                r.reasons.append(F("cards.prereq.bls_ends_before_course", bls_end=bls_end, where=where, course=course))
                if bls_end >= ctx.today:
                    text = F("cards.prereq.renew_bls_by", bls_end=bls_end, course=course)
                    when = bls_end
                else:
                    text = F("cards.prereq.renew_bls_lapsed", course=course)
                    when = course
                r.actions.append(Action(text, when, "deadline", key="renew-bls"))
                r.warnings.append(W("cards.prereq.collision_bls_lapses", bls_end=bls_end, course=course))
            else:
                met += 1
                r.reasons.append(F("cards.prereq.bls_covers_course", bls_end=bls_end, where=where))
    manual = _card_rule(ctx, card, body, "provider_manual", on)
    if facts.get("has_manual") is False:
        if manual is not None:
            r.use(manual)
            open_items += 1
            r.actions.append(Action(F("cards.prereq.get_manual"), course,
                                    key="get-manual"))
    elif manual is not None and course is not None and body == "aha":
        # a manual bought for a course under the 2020 materials no longer qualifies from 1 Mar 2026 (§1.3, R9)
        mat = _find(ctx, "cards.aha.materials_edition", course)
        old_edition = ctx.facts(f"{card}.enroll").get("materials_edition")
        if (mat is not None and held and old_edition not in (None, "unknown", mat.value)
                and facts.get("has_manual") is True):
            r.use(manual)
            r.use(mat)
            open_items += 1
            r.actions.append(Action(F("cards.prereq.get_manual_new_edition", edition=mat.value, old_edition=old_edition, from_date=mat.valid_from or course), course, "todo", key="get-manual"))
    r.due = course
    # the course is the day the prerequisites are needed by: the precourse rule's kind ("Before an
    # AHA PALS course you must pass ...": a deadline)
    r.due_kind = (pc_rule.kind if pc_rule is not None else None) if course else None
    if r.deadline is not None:
        r.deadline_kind = r.due_kind
    if r.status == AT_RISK:
        return failing
    if open_items == 0 and met:
        r.status = DONE
    elif met or failing or (facts and not stale):
        r.status = IN_PROGRESS
    else:
        r.status = NOT_STARTED
    return failing


def _pct(x: Any) -> str:
    x = float(x)
    return f"{int(x)}%" if x.is_integer() else f"{x}%"


def _eval_attend(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult, held: bool,
                 course_start: dt.date | None, course_end: dt.date | None, prereq_failing: bool) -> None:
    on = course_start or ctx.today
    rule = r.use(_card_rule(ctx, card, body, "skills_required", on))
    required = list(rule.value) if rule is not None else []
    missing = [k for k in required if facts.get(k) is not True]
    if held:
        r.status = DONE
        r.reasons.append(F("cards.attend.done_card_held"))
        return
    if rule is None:
        r.reasons.append(F("cards.attend.skills_rule_not_found", body_label=BODY_LABELS[body], card=card))
    r.due = course_end
    r.due_kind = "event" if course_end else None  # the last day of the course you booked
    started = course_start is not None and course_start <= ctx.today
    if facts.get("attended") is True or (started and required and not missing):
        if missing:
            r.status = IN_PROGRESS
            r.reasons.append(F("cards.attend.skills_not_recorded", items=[STATIONS[k] for k in missing]))
            r.actions.append(Action(F("cards.attend.record_skills"),
                                    key="record-skills"))
        else:
            r.status = DONE
            r.reasons.append(F("cards.attend.attended_skills_passed") if required else F("cards.attend.attended"))
        return
    if prereq_failing:
        r.status = BLOCKED
        r.blocked_by.append(Blocker(f"{card}.prerequisites", B("cards.attend.blocked_prerequisite")))
        return
    if started:
        r.status = IN_PROGRESS
        r.actions.append(Action(F("cards.attend.record_attendance"), key="record-attendance"))
    else:
        r.status = NOT_STARTED
        if course_start:
            r.actions.append(Action(F("cards.attend.attend_course", card=card), course_start, "todo", key="attend-course",
                                    date_kind="event"))  # the course's day: an event


def _eval_exam(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult, held: bool,
               course_end: dt.date | None) -> bool:
    exam_date = _date(facts, "exam_date", r) or course_end
    on = exam_date or ctx.today
    rule = r.use(_card_rule(ctx, card, body, "exam_pass_score", on))
    score = _num(facts, "exam_score")
    if card == "pals":
        r.use(ob := _find(ctx, "pals.aha.exam_open_resource", on))
        if ob is not None and body == "aha":
            r.info["open_resource"] = "conflicting sources: ask your training center"
    if held:
        r.status = DONE
        r.reasons.append(F("cards.exam.done_card_held"))
        if rule is not None and score is not None and score < rule.value:
            r.warnings.append(W("cards.exam.below_pass_mark_card_held", score=score, mark=rule.value))
        return False
    r.due = exam_date
    r.due_kind = "event" if exam_date else None  # the day of the exam (yours, or the course's last)
    if rule is None and score is not None and facts.get("exam_passed") is None:
        r.status = IN_PROGRESS
        r.reasons.append(F("cards.exam.pass_mark_not_found", body_label=BODY_LABELS[body], card=card))
        return False
    if rule is not None and score is not None:
        if score >= rule.value:
            r.status = DONE
            r.reasons.append(F("cards.exam.passed_score", score=score, mark=rule.value))
            return False
        r.status = IN_PROGRESS
        r.reasons.append(F("cards.exam.below_pass_mark", score=score, mark=rule.value))
        if body == "aha":
            r.use(_find(ctx, "cards.aha.exam_remediation", on))
        r.actions.append(Action(F("cards.exam.ask_retest"), None, "todo",
                                key="ask-retest"))
        return True
    if facts.get("exam_passed") is True:
        r.status = DONE
        r.reasons.append(F("cards.exam.passed_told"))
        return False
    if facts.get("exam_passed") is False:
        r.status = IN_PROGRESS
        r.reasons.append(F("cards.exam.not_passed"))
        return True
    r.status = NOT_STARTED
    if rule is not None:
        r.actions.append(Action(F("cards.exam.sit_exam", mark=rule.value), exam_date, key="sit-exam",
                                date_kind="event" if exam_date else ""))  # the exam's day: an event
    return False


