"""USMLE Steps 1, 2 CK and 3: attempts, windows, spacing, score checks and result timing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...dates import add_months, add_years_same_day
from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    EXPIRED,
    IN_PROGRESS,
    NOT_STARTED,
    Action,
    Blocker,
    StepResult,
)
from ..findings import B, F, Finding, W
from . import licensure
from .common import Attempt, ImgEval, _add, _date, _int, _rule
from .definitions import _FINAL, EXAMS


def score_checks(ev: ImgEval, sid: str, res: StepResult, att: list[Attempt]) -> None:
    for a in att:
        if sid == "usmle.step1":
            scoring = ev.value(res, "usmle.step1.scoring", a.date)
            if scoring == "pass_fail" and a.score is not None:
                _add(res.warnings, W("img.exam.step1_score_on_pass_fail", date=a.date, score=a.score))
            continue
        rid = "usmle.step2ck.passing_score" if sid == "usmle.step2ck" else "usmle.step3.passing_score"
        r = ev.rule(res, rid, a.date, quiet=True)
        std = r.value if r is not None else None
        if a.score is None or not isinstance(std, int | float):
            continue
        unsure = r is not None and r.confidence != "high" and not r.is_override
        conf = r.confidence if r is not None else ""
        if a.result == "pass" and a.score < std:
            _add(res.warnings, W("img.exam.pass_below_standard_unsure", date=a.date, score=a.score, std=std,
                                 confidence=conf) if unsure
                 else W("img.exam.pass_below_standard", date=a.date, score=a.score, std=std))
        elif a.result == "fail" and a.score >= std:
            _add(res.warnings, W("img.exam.fail_at_standard_unsure", date=a.date, score=a.score, std=std,
                                 confidence=conf) if unsure
                 else W("img.exam.fail_at_standard", date=a.date, score=a.score, std=std))


def earliest_next(ev: ImgEval, res: StepResult, att: list[Attempt]) -> dt.date | None:
    """The first date the next attempt may be taken under the spacing rules (None: no limit)."""
    if not att:
        return None
    on = ev.today
    earliest: dt.date | None = None
    n12 = ev.value(res, "usmle.attempts_in_12_months", on)
    if isinstance(n12, int) and len(att) >= n12:
        earliest = add_months(att[-n12].date, 12)
    sp = ev.value(res, "usmle.fourth_attempt_spacing", on) or {}
    if sp and len(att) + 1 >= int(sp.get("attempt_number", 10**6)):
        e = max(add_months(att[0].date, int(sp["months_after_first"])),
                add_months(att[-1].date, int(sp["months_after_latest"])))
        earliest = max(earliest, e) if earliest else e
    return earliest


def maxed_out(ev: ImgEval) -> list[tuple[str, int, int]]:
    out = []
    for s in EXAMS:
        fails = [a for a in ev.attempts[s] if a.failed]
        if any(a.result == "pass" for a in ev.attempts[s]):
            continue
        lim = _rule(ev.ctx, "usmle.attempt_limit", ev.today)
        if lim is not None and isinstance(lim.value, int) and len(fails) >= lim.value:
            out.append((s, len(fails), lim.value))
    return out


def exam(ev: ImgEval, sid: str, res: StepResult, f: Mapping[str, Any], hard: dt.date | None,
          hard_what: Finding | None) -> None:
    att = ev.attempts[sid]
    score_checks(ev, sid, res, att)
    passes = [a for a in att if a.result == "pass"]
    if passes:
        p = passes[0]
        res.status = DONE
        when, _ = ev.turnaround(res, p.date)
        res.info["completed_on"] = p.result_date or when or p.date
        res.reasons.append(F("img.exam.passed", date=p.date))
        after = [a for a in att if a.date > p.date]
        if after and ev.rule(res, "usmle.no_retake_after_pass", p.date):
            _add(res.warnings, W("img.exam.attempts_after_pass", attempts=len(after), count=len(after), date=p.date))
        return
    limit = ev.value(res, "usmle.attempt_limit", ev.today)
    fails = [a for a in att if a.failed]
    for s, n, lim in maxed_out(ev):
        reason = B("img.exam.attempt_limit_reached", fails=n, step=s, limit=lim)
        res.status = BLOCKED
        res.reasons.append(reason)
        res.blocked_by.append(Blocker(None if s == sid else s, reason))
    if res.status == BLOCKED:
        return
    if isinstance(limit, int) and fails:
        res.info["attempts_left"] = limit - len(fails)
        res.reasons.append(F("img.exam.attempts_left_last", fails=len(fails), count=len(fails), left=limit - len(fails),
                             limit=limit)
                           if limit - len(fails) == 1
                           else F("img.exam.attempts_left", fails=len(fails), count=len(fails), left=limit - len(fails),
                             limit=limit))
    earliest = earliest_next(ev, res, att)
    if earliest and earliest > ev.today:
        res.info["next_attempt_from"] = earliest
        res.actions.append(Action(F("img.exam.next_attempt_from", step=sid), earliest, "reminder", key="next-attempt-from",
                                  date_kind="opens"))
    ws, sched = _date(f.get("window_start")), _date(f.get("scheduled_date"))
    if sched and any(a.date == sched for a in att):
        sched = None  # already recorded as an attempt
    win = ev.value(res, "usmle.eligibility_window_months", ws or sched or ev.today)
    we = add_months(ws, int(win)) - dt.timedelta(days=1) if ws and isinstance(win, int) else None
    if we:
        res.info["window_end"] = we
    expected = None
    forbidden = bool(sched and earliest and sched < earliest)
    if sched and forbidden and earliest:
        # The attempt rules forbid this date: the booked sitting cannot count, so the action is
        # the earliest allowed date, and the result is expected from a sitting on that day.
        res.status = AT_RISK
        # the first day the attempt rules allow a sitting: an opening, never "overdue"
        res.deadline, res.deadline_kind = earliest, "opens"
        res.reasons.append(F("img.exam.date_before_spacing", sched=sched, earliest=earliest))
        res.actions = [a for a in res.actions if a.key != "next-attempt-from"]
        res.actions.append(Action(F("img.exam.rebook_from", step=sid, sched=sched), earliest, "todo",
                                  key="rebook-exam", date_kind="opens"))
        expected, _ta = ev.turnaround(res, earliest)
        res.info["expected_on"] = expected
        if ws and we and not (ws <= sched <= we):
            _add(res.warnings, W("img.exam.date_outside_window", sched=sched, window_start=ws, window_end=we))
    elif sched:
        res.status = IN_PROGRESS
        expected, ta = ev.turnaround(res, sched)
        res.info["expected_on"] = expected
        if ws and we and not (ws <= sched <= we):
            _add(res.warnings, W("img.exam.date_outside_window", sched=sched, window_start=ws, window_end=we))
        if sched >= ev.today:
            res.actions.append(Action(F("img.exam.sit_exam", step=sid), sched, "deadline", key="sit-exam"))
            res.actions.append(Action(F("img.exam.result_expected", step=sid), expected, "reminder",
                                      key="result-expected", date_kind="result_day" if expected else ""))
        else:
            fu = sched + dt.timedelta(weeks=int(ta.get("follow_up_weeks", 0))) if ta else None
            # dated the day the result is expected: a result day (said as passed, never "overdue")
            res.actions.append(Action(F("img.exam.record_result", step=sid, sched=sched), expected, "todo",
                                      key="record-result", date_kind="result_day" if expected else ""))
            if fu and ev.today > fu:
                res.actions.append(Action(F("img.exam.contact_usmle"), ev.today,
                                          "check", key="contact-usmle"))
    elif ws and we and ev.today > we and not any(ws <= a.date <= we for a in att):
        res.status = IN_PROGRESS if att else NOT_STARTED
        res.reasons.append(F("img.exam.window_ended", window_start=ws, window_end=we))
        res.actions.append(Action(F("img.exam.register_again", step=sid), None,
                                  "todo", key="register-again"))
    elif ws:
        res.status = IN_PROGRESS
        res.actions.append(Action(F("img.exam.schedule_in_window", step=sid, window_start=ws, window_end=we), we, "deadline", key="schedule-in-window"))
    elif att:
        res.status = IN_PROGRESS
    if hard:
        if expected and expected > hard:
            res.status = AT_RISK
            res.deadline = hard
            res.reasons.append(F("img.exam.result_after_deadline", test_date=earliest if forbidden else sched,
                                 expected=expected, hard_what=hard_what, hard=hard))
        elif not sched and ev.today >= hard:
            res.reasons.append(F("img.exam.deadline_passed", hard_what=hard_what, hard=hard))
        elif not sched:
            # The earliest test possible: today, or later when the attempt spacing rules say so.
            first_try = max(ev.today, earliest) if earliest else ev.today
            latest, _ = ev.turnaround(res, first_try)
            if latest and latest > hard:
                res.status = AT_RISK
                res.deadline = hard
                at = (F("img.exam.when_today") if first_try == ev.today
                      else F("img.exam.when_earliest", date=first_try))
                res.reasons.append(F("img.exam.too_late_even_now", when=at, hard_what=hard_what, hard=hard))


def exam_window_risk(ev: ImgEval, sid: str, res: StepResult) -> None:
    """ECFMG's 7-year window between the first passed required exam and the last one (medium)."""
    other = "usmle.step2ck" if sid == "usmle.step1" else "usmle.step1"
    mine = ev.first_pass((sid,))
    theirs = ev.first_pass((other,))
    if ev.completed_on("ecfmg.certificate") or ev.ctx.facts("ecfmg.certificate").get("issued_date"):
        return
    if mine and theirs is None:
        years = ev.value(res, "ecfmg.exam_window_years", mine, quiet=True)
        if not isinstance(years, int):
            return
        end = add_years_same_day(mine, years)
        res.info["exam_window_ends"] = end
        if ev.today > end:
            res.status = EXPIRED
            res.expires = end
            res.reasons.append(F("img.exam.window_expired", years=years, other=other))
        else:
            res.expires = end
            res.reasons.append(F("img.exam.window_open", end=end, other=other, years=years))
    elif theirs and mine is None and res.status not in _FINAL:
        years = ev.value(res, "ecfmg.exam_window_years", theirs, quiet=True)
        if not isinstance(years, int):
            return
        end = add_years_same_day(theirs, years)
        res.info["exam_window_ends"] = end
        exp = res.info.get("expected_on") or res.due
        # Said as an action only when the window binds before the step's own target date.
        if res.due is None or end <= res.due:
            res.actions.append(Action(F("img.exam.exam_window", step=sid, years=years), end, "deadline", key="exam-window"))
        if exp and exp > end and res.status != BLOCKED:
            res.status = AT_RISK
            res.deadline = end
            res.reasons.append(F("img.exam.window_at_risk", end=end))
    elif mine and theirs and abs((theirs - mine).days) > 0:
        years = ev.value(res, "ecfmg.exam_window_years", min(mine, theirs), quiet=True)
        if isinstance(years, int) and max(mine, theirs) > add_years_same_day(min(mine, theirs), years):
            _add(res.warnings, W("img.exam.passes_too_far_apart", years=years))


def usmle_step1(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    usmle_ecfmg_exam(ev, "usmle.step1", res, f)


def usmle_step2ck(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    # A Step 2 CK result expected after ERAS takes submissions is flagged on match.eras (the
    # step that owns that collision); here the ERAS date is the target (see below).
    usmle_ecfmg_exam(ev, "usmle.step2ck", res, f)
    if res.status != DONE:
        # The standard the next sitting is marked against (218 from 1 Jul 2025 rests on one
        # secondary page): its confidence is said here, where a user aims at it.
        att = ev.attempts["usmle.step2ck"]
        on = _date(f.get("scheduled_date")) or (max(ev.today, att[-1].date) if att else ev.today)
        ev.rule(res, "usmle.step2ck.passing_score", on)


def usmle_ecfmg_exam(ev: ImgEval, sid: str, res: StepResult, f: Mapping[str, Any]) -> None:
    sub = ev.cal_date(res, "eras_submissions_open")
    rol = ev.cal_date(res, "rol_deadline")
    # The target: the result in when ERAS takes submissions (programs see it); once that day
    # has passed, the hard deadline left is the rank list deadline (ECFMG verification).
    res.due = sub if sub and ev.today <= sub else (rol or sub)
    # The day ERAS takes submissions opens ERAS, not the exam: a result in by then is a target
    # (programs see it), a recommendation; the rank order list deadline is the calendar's kind.
    if res.due is None:
        res.due_kind = None
    elif res.due == rol:
        res.due_kind = ev.cal_kind("rol_deadline")
    else:
        res.due_kind = "recommended_by"
    ent = ev.value(res, "usmle.registration_entity", ev.today)
    exam(ev, sid, res, f, rol, F("img.exam.deadline_rol"))
    if res.status not in _FINAL and res.status != BLOCKED:
        registered = f.get("window_start") or f.get("scheduled_date")
        if not registered:
            if ent:
                res.actions.append(Action(F("img.exam.register", step=sid, ent=ent), None, "todo", key="register"))
            else:
                _add(res.warnings, W("img.exam.registration_entity_unknown"))
        if not res.info.get("expected_on"):
            # Sit early enough for the result to be in when ERAS takes submissions, or, when
            # that is no longer possible, by the rank order list deadline.
            for target, text, kind in ((sub, F("img.exam.sit_by_eras", step=sid), "recommended_by"),
                                       (rol, F("img.exam.sit_by_rol", step=sid), ev.cal_kind("rol_deadline") or "")):
                if target is None:
                    continue
                latest, _ = ev.turnaround(res, target)
                sit_by = target - (latest - target) if latest else target
                allowed = res.info.get("next_attempt_from") or ev.today
                if sit_by >= max(ev.today, allowed):
                    res.actions.append(Action(text, sit_by, "deadline", key="sit-by", date_kind=kind))
                    break
    exam_window_risk(ev, sid, res)


def step3_due(ev: ImgEval, res: StepResult) -> tuple[dt.date | None, str | None, dt.date | None, Finding | None]:
    """(due, the kind of that date, hard deadline, what the deadline is).

    The due date is the recommended time (end of PGY-1; for an H-1B, Match Day) while it is
    ahead, else the hard deadline (the H-1B petition before the start; a state rule such as
    Pennsylvania's "before PGY-3"; the state's exam time limit), whichever comes first. The
    recommended time's kind is its rule's (usmle.step3.recommended_pgy: USMLE "recommends");
    Match Day for an H-1B is what "some programs want" (visa.h1b.requires_all_steps), a
    recommendation too; the hard ones are deadlines."""
    start = ev.start
    cands: list[tuple[dt.date, Finding]] = []
    kind: str | None
    if ev.visa_need == "needs_h1b":
        md = ev.cal_date(res, "match_day")
        ev.rule(res, "visa.h1b.requires_all_steps")
        if md and ev.today <= md:
            res.actions.append(Action(F("img.step3.pass_before_h1b"),
                                      md, "deadline", key="pass-before-h1b", date_kind="recommended_by"))
        due, kind = md, "recommended_by"
        if start:
            cands.append((start, F("img.step3.deadline_h1b_start")))
    else:
        pgy_rule = ev.rule(res, "usmle.step3.recommended_pgy")
        pgy = pgy_rule.value if pgy_rule is not None else None
        due = add_years_same_day(start, int(pgy)) if start and isinstance(pgy, int) else None
        kind = pgy_rule.kind if pgy_rule is not None else None
    state_cands: list[tuple[dt.date, Finding]] = []
    code, st = ev.state_record(res, quiet=True)
    before = _int(st.get("step3_before_pgy"))
    if before and start:
        state_cands.append((add_years_same_day(start, before - 1),
                            F("img.step3.deadline_state_pgy", state_name=st.get("name", code), pgy=before)))
    lim = _int(st.get("exam_time_limit_years"))
    first = ev.first_pass(("usmle.step1", "usmle.step2ck"))
    if lim and first:
        state_cands.append((add_years_same_day(first, lim),
                            F("img.step3.deadline_state_window", state_name=st.get("name", code), years=lim)))
    if state_cands and ev.attempts["usmle.step3"] and any(a.result == "pass" for a in ev.attempts["usmle.step3"]):
        state_cands = []
    if state_cands:
        d, what = min(state_cands, key=lambda c: (c[0], c[1].text))
        years = ev.program_years(StepResult("_"))
        ends = add_years_same_day(start, years) if start and years else None
        if ends is None or d <= ends:  # a far-off limit (e.g. 10 years) is kept in the rule list only
            res.actions.append(Action(F("img.step3.state_deadline", what=what), d, "deadline", key="state-deadline"))
    cands += state_cands
    hard = min(cands, key=lambda c: (c[0], c[1].text), default=None)
    if due is None or due < ev.today or (hard and hard[0] < due):
        if hard:
            due, kind = hard[0], "deadline"
    return due, (kind if due else None), (hard[0] if hard else None), (hard[1] if hard else None)


def usmle_step3(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "usmle.step3.eligibility")
    res.due, res.due_kind, hard, what = step3_due(ev, res)
    exam(ev, "usmle.step3", res, f, hard, what)
    cond = ev.value(res, "usmle.step3.test_conditions") or {}
    sched = _date(f.get("scheduled_date"))
    issued = _date(ev.ctx.facts("ecfmg.certificate").get("issued_date"))
    if sched and res.status != DONE:
        days = _int(cond.get("closed_first_days_of_january"))
        if days and sched.month == 1 and sched.day <= days:
            _add(res.warnings, W("img.step3.closed_in_january", days=days))
        if issued is None or sched < issued:
            _add(res.warnings, W("img.step3.before_certificate"))
    cert_blocked = ev.res["ecfmg.certificate"].status == BLOCKED  # its root cause is named instead
    if issued is None and not cert_blocked and res.status not in _FINAL and res.status != BLOCKED:
        # FSMB opens Step 3 only to ECFMG-certified IMGs: a test date entered does not change that.
        why = B("img.step3.needs_certificate")
        res.status = BLOCKED
        res.deadline = None
        res.reasons.insert(0, why)
        res.blocked_by.append(Blocker("ecfmg.certificate", why))
        cert = ev.res["ecfmg.certificate"]
        if cert.due and res.due and cert.due > res.due:  # what link_dependencies says for a waiting step
            _add(res.warnings, W("dep.due_after", step="ecfmg.certificate", due=cert.due, own_due=res.due))
        res.actions = [a for a in res.actions if a.key not in ("sit-exam", "result-expected", "rebook-exam")]
    if res.status not in _FINAL and res.status != BLOCKED:
        permit = ev.value(res, "usmle.step3.permit_business_days") or {}
        if issued and permit:
            res.actions.append(Action(F("img.step3.apply_fsmb", min_days=permit.get('min'), max_days=permit.get('max')),
                                      issued, "todo", key="apply-fsmb"))
    code, st = ev.state_record(res, quiet=True)
    name, limits = st.get("name", code), st
    route = licensure.route_record(ev) if licensure.alternative_route_chosen(ev) else None
    # on a route whose provisional licence does not ask for Step 3 (usmle_steps_for_full), its limit bars
    # only the conversion to a full licence (licensure._limits_block), and the reason says so
    for_full = route is not None and "usmle.step3" in licensure.full_only_exams(route)
    if route is not None and route.get("state_attempt_limits") == "own":
        # the residency-free route's law sets its own limit (license.route_attempts.XX); the state's does not apply
        own = licensure.route_own_limits(ev, code)
        name, limits = route.get("name", code), (own.value if own is not None and isinstance(own.value, Mapping) else {})
    s3lim = licensure.attempt_limits(limits).get("usmle.step3")
    fails = [a for a in ev.attempts["usmle.step3"] if a.failed]
    if s3lim and fails and res.status != DONE:
        if for_full:
            res.reasons.append(F("img.step3.state_attempt_limit_full", state_name=name, s3lim=s3lim, used=len(fails)))
        else:
            res.reasons.append(F("img.step3.state_attempt_limit", state_name=name, s3lim=s3lim, used=len(fails)))

