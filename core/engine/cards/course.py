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
from .common import _card_rule, _date, _find, _fmt, _num, _upcoming_course, body_of, card_expiry, expiry_from
from .definitions import BODY_LABELS, EXPIRY_RULES, NOT_FOUND, STATIONS, _article


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
            r.warnings.append(f"body: {BODY_LABELS.get(body, body)} is not a body our sources name for "
                              f"{card.upper()} ({', '.join(ok)}): check your employer accepts it.")
        elif body == "red_cross":  # §2 Acceptance (M, R2)
            r.warnings.append("body: some hospitals and schools accept only AHA cards: check that your employer "
                              "accepts a Red Cross certificate.")
    if fmt == "online_only_vendor":
        rule = r.use(_find(ctx, "cards.online_only_vendor", on))
        if rule is not None:
            r.warnings.append("format: a vendor's online-only certificate is not an AHA card; many employers "
                              "refuse it. Check with your employer before you pay.")
    edition = facts.get("materials_edition")
    mat = _find(ctx, "cards.aha.materials_edition", on)
    if body == "aha" and mat is not None:
        r.use(mat)
        if edition and edition != "unknown" and edition != mat.value:
            r.warnings.append(f"materials_edition: from {_fmt(mat.valid_from or on)} AHA courses use only "
                              f"{mat.value}-guideline materials and eCards; your course date needs them.")
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
        r.reasons.append("Your card is issued: this course is done.")
    elif course_start is not None:
        r.status = DONE
        r.reasons.append(f"Course booked for {_fmt(course_start)}.")
        r.due = course_start
    elif any(facts.get(k) for k in ("body", "format", "training_center", "enrolled_on")):
        r.status = IN_PROGRESS
        r.reasons.append("No course date yet.")
        r.actions.append(Action("Book a course date with your training center.", key="book-course"))
    else:
        r.status = NOT_STARTED
        r.actions.append(Action(f"Choose {_article(card)} {card.upper()} course (body, format, training center) "
                                "and book it.",
                                key="choose-course"))


def _bls_cover(ctx: Context, r: StepResult, course: dt.date, pre: Mapping[str, Any]) -> tuple[dt.date | None, str]:
    """When the BLS card the PALS course relies on ends, and where that came from."""
    bls_exp, rule = card_expiry(ctx, "bls")
    if rule is not None:
        r.use(rule)
    if bls_exp is not None:
        # a BLS course booked on or before the PALS course renews the card in time
        planned = _upcoming_course(ctx, "bls")
        bls_rule = _find(ctx, EXPIRY_RULES.get(body_of(ctx, "bls"), ""), planned) if planned else None
        if planned is not None and planned <= course and bls_rule is not None:
            return expiry_from(planned, bls_rule), f"your BLS course booked for {_fmt(planned)}"
        return bls_exp, "recorded on the BLS track"
    if _date(ctx.facts("bls.card"), "issue_date") is None:
        planned = _upcoming_course(ctx, "bls")
        bls_rule = _find(ctx, EXPIRY_RULES.get(body_of(ctx, "bls"), ""), planned) if planned else None
        if planned is not None and planned <= course and bls_rule is not None:
            return expiry_from(planned, bls_rule), f"your BLS course booked for {_fmt(planned)}"
    manual = _date(pre, "bls_card_expires", r)
    if manual is not None:
        return manual, "the BLS date entered here (bls_card_expires)"
    return None, ""


def _eval_prereq(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult, held: bool) -> bool:
    """Returns True when a prerequisite fails outright (precourse score below the mark)."""
    course = _upcoming_course(ctx, card)
    on = course or ctx.today
    if card != "pals":
        if held and course is None:
            r.status = DONE
            r.reasons.append("Your card is issued: the course's prerequisites were met.")
        else:
            r.status = NOT_APPLICABLE
            r.reasons.append(f"No prerequisite for {card.upper()} in our sources ({NOT_FOUND}).")
        return False
    if held and course is None:
        r.status = DONE
        r.reasons.append("Your card is issued: the prerequisites were met for that course. "
                         "Book your renewal to check them for the next one.")
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
        r.reasons.append(f"The precourse self-assessment on record ({_pct(score)}"
                         + (f", {_fmt(done_on)}" if done_on else "")
                         + ") was for your last course: each course asks for its own.")
        score = None
    if pc_rule is None:
        r.reasons.append(f"Precourse self-assessment for {BODY_LABELS[body]}: {NOT_FOUND}.")
    elif score is None:
        open_items += 1
        r.actions.append(Action(f"Pass the precourse self-assessment ({_pct(pc_rule.value)} or more) "
                                "and keep its certificate.", course, "todo", key="precourse"))
    elif score >= pc_rule.value:
        met += 1
        r.reasons.append(f"Precourse self-assessment {_pct(score)}: passed (at least {_pct(pc_rule.value)}).")
    else:
        open_items += 1
        failing = True
        r.reasons.append(f"Precourse self-assessment {_pct(score)} is below {_pct(pc_rule.value)}.")
        r.actions.append(Action("Retake the precourse self-assessment (retakes are unlimited).", course, "todo",
                                key="precourse"))
    # BLS card on the course date
    bls_rule = r.use(_card_rule(ctx, card, body, "bls_card", on))
    asked = facts.get("bls_card_required")
    if asked is None and bls_rule is not None and isinstance(bls_rule.value, Mapping):
        asked = bool(bls_rule.value.get("assume_required"))
        r.info["bls_card_required"] = "assumed (your training center decides)"
    if asked is None:
        r.reasons.append(f"Whether a BLS card is asked for: {NOT_FOUND}.")
    elif asked:
        if course is None:
            open_items += 1
            r.actions.append(Action("Hold a current BLS card on your course date (book the course first).",
                                    key="bls-current"))
        else:
            bls_end, where = _bls_cover(ctx, r, course, facts)
            no_bls_card = bls_end is None and _date(ctx.facts("bls.card"), "issue_date") is None
            bls_planned = _upcoming_course(ctx, "bls") if no_bls_card else None
            if bls_planned is not None and bls_planned > course:
                r.status = AT_RISK
                r.deadline = course
                r.reasons.append(f"Your BLS course ({_fmt(bls_planned)}) is after your PALS course on "
                                 f"{_fmt(course)}, which asks for a current BLS card.")
                r.actions.append(Action(f"Take BLS on or before {_fmt(course)}, the date of your PALS course.",
                                        course, "deadline", key="renew-bls"))
                r.warnings.append(f"BLS/PALS collision: BLS course {_fmt(bls_planned)}, PALS course {_fmt(course)}.")
            elif bls_end is None:
                open_items += 1
                r.reasons.append(f"Still open: a current BLS card on your course date ({_fmt(course)}); "
                                 "CertPath has no BLS card recorded.")
                r.actions.append(Action("Record your BLS card (BLS track) so CertPath can check it covers "
                                        f"your PALS course on {_fmt(course)}.", course, "check", key="record-bls"))
            elif bls_end < course:
                r.status = AT_RISK
                r.deadline = course
                r.reasons.append(f"Your BLS card ends {_fmt(bls_end)} ({where}), before your PALS course on "
                                 f"{_fmt(course)}, which asks for a current BLS card.")
                if bls_end >= ctx.today:
                    text = (f"Renew BLS by {_fmt(bls_end)} to stay current; a BLS course on or before "
                            f"{_fmt(course)} still covers your PALS course.")
                    when = bls_end
                else:
                    text = (f"Your BLS card has lapsed: take a BLS course on or before {_fmt(course)}, "
                            "the date of your PALS course.")
                    when = course
                r.actions.append(Action(text, when, "deadline", key="renew-bls"))
                r.warnings.append(f"BLS/PALS collision: BLS lapses {_fmt(bls_end)}, PALS course {_fmt(course)}.")
            else:
                met += 1
                r.reasons.append(f"BLS current on your course date (valid through {_fmt(bls_end)}, {where}).")
    manual = _card_rule(ctx, card, body, "provider_manual", on)
    if facts.get("has_manual") is False:
        if manual is not None:
            r.use(manual)
            open_items += 1
            r.actions.append(Action("Get the current PALS Provider Manual before the course.", course,
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
            r.actions.append(Action(f"Get the {mat.value}-edition PALS Provider Manual: your manual was for a "
                                    f"{old_edition}-guideline course, and from {_fmt(mat.valid_from or course)} "
                                    "courses use only the new materials.", course, "todo", key="get-manual"))
    r.due = course
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
        r.reasons.append("Your card is issued: course and skills tests done.")
        return
    if rule is None:
        r.reasons.append(f"Skills tests for {BODY_LABELS[body]} {card.upper()}: {NOT_FOUND}.")
    r.due = course_end
    started = course_start is not None and course_start <= ctx.today
    if facts.get("attended") is True or (started and required and not missing):
        if missing:
            r.status = IN_PROGRESS
            r.reasons.append("Skills tests not recorded as passed: " + ", ".join(STATIONS[k] for k in missing) + ".")
            r.actions.append(Action("Record the skills tests you passed (remediation is your training center's call).",
                                    key="record-skills"))
        else:
            r.status = DONE
            r.reasons.append("Course attended" + (", skills tests passed." if required else "."))
        return
    if prereq_failing:
        r.status = BLOCKED
        r.blocked_by.append(Blocker(f"{card}.prerequisites", "a prerequisite is not met"))
        return
    if started:
        r.status = IN_PROGRESS
        r.actions.append(Action("Record that you attended and the skills tests you passed.", key="record-attendance"))
    else:
        r.status = NOT_STARTED
        if course_start:
            r.actions.append(Action(f"Attend the {card.upper()} course.", course_start, "todo", key="attend-course"))


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
        r.reasons.append("Your card is issued: exam passed.")
        if rule is not None and score is not None and score < rule.value:
            r.warnings.append(f"Exam score {_pct(score)} is below the pass mark {_pct(rule.value)} "
                              "although a card is recorded: check the score.")
        return False
    r.due = exam_date
    if rule is None and score is not None and facts.get("exam_passed") is None:
        r.status = IN_PROGRESS
        r.reasons.append(f"Pass mark for {BODY_LABELS[body]} {card.upper()}: {NOT_FOUND}. "
                         "Tick 'passed' when your training center confirms.")
        return False
    if rule is not None and score is not None:
        if score >= rule.value:
            r.status = DONE
            r.reasons.append(f"Exam {_pct(score)}: passed (at least {_pct(rule.value)}).")
            return False
        r.status = IN_PROGRESS
        r.reasons.append(f"Exam score {_pct(score)} is below the pass mark {_pct(rule.value)}.")
        if body == "aha":
            r.use(_find(ctx, "cards.aha.exam_remediation", on))
        r.actions.append(Action("Ask your training center about a retest (remediation is their call).", None, "todo",
                                key="ask-retest"))
        return True
    if facts.get("exam_passed") is True:
        r.status = DONE
        r.reasons.append("Passed, as your training center told you.")
        return False
    if facts.get("exam_passed") is False:
        r.status = IN_PROGRESS
        r.reasons.append("Not passed yet.")
        return True
    r.status = NOT_STARTED
    if rule is not None:
        r.actions.append(Action(f"Pass the written exam ({_pct(rule.value)} or more).", exam_date, key="sit-exam"))
    return False


