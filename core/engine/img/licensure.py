"""The full state licence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...dates import add_months, add_years_same_day
from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    IN_PROGRESS,
    Action,
    Blocker,
    StepResult,
)
from ..findings import F, Finding, W
from .common import ImgEval, _add, _date, _int
from .definitions import EXAMS


def license_state(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "license.requirements")
    on = _date(f.get("applied_date")) or ev.today
    code, st = ev.state_record(res, on)
    if code is None:
        res.actions.append(Action(F("img.licence.choose_state"), None, "todo", key="choose-state"))
    elif not st:
        _add(res.warnings, W("img.licence.no_state_record", code=code))
    months = _int(st.get("pgt_months_img"))
    if st and months is None:
        _add(res.warnings, W("img.licence.training_years_unpublished", state_name=st.get('name', code)))
    start = ev.start
    res.due = add_months(start, months) if start and months else None
    if st:
        res.info["state"] = code
        if st.get("alternative_route"):
            res.info["alternative_route"] = st["alternative_route"]
        if st.get("notes"):
            res.info["state_notes"] = st["notes"]
        if st.get("step3_notes"):
            res.info["step3_notes"] = st["step3_notes"]
        ev.rule(res, "license.pgt_minimum_years")
    years = ev.program_years(StepResult("_"))
    if months and years and years * 12 < months:
        _add(res.warnings, W("img.licence.training_too_short", state_name=st.get('name', code), months=months, years=years * 12))
    tl_days = _int(st.get("training_license_days"))
    if tl_days and start and not _date(f.get("training_license_date")):
        res.actions.append(Action(F("img.licence.training_licence", state_name=st.get('name', code), tl_days=tl_days),
                                  start + dt.timedelta(days=tl_days), "deadline", key="training-licence"))
    # The state's attempt limit: per Step (e.g. Alaska 2, Texas 3) or on Step 3 only (e.g. Alabama 3).
    per_step = _int(st.get("step_attempt_limit"))
    s3only = _int(st.get("step3_attempt_limit"))
    over: list[tuple[str, Finding]] = []  # (exam step, what is over its limit)
    for sid in EXAMS:
        lim = s3only if sid == "usmle.step3" and s3only else per_step
        if not lim:
            continue
        att = ev.attempts[sid]
        passed_at = next((i + 1 for i, a in enumerate(att) if a.result == "pass"), None)
        fails_before = sum(1 for a in att[: (passed_at or len(att) + 1) - 1] if a.failed)
        if (passed_at and passed_at > lim) or (passed_at is None and fails_before >= lim):
            over.append((sid, F("img.licence.over_limit_passed_at", step=sid, attempt=passed_at, limit=lim)
                         if passed_at else F("img.licence.over_limit_fails", step=sid, fails=fails_before, limit=lim)))
    if _date(f.get("issued_date")):
        res.status = DONE
        res.info["completed_on"] = _date(f.get("issued_date"))
        return
    if over:
        res.status = BLOCKED
        res.reasons.append(F("img.licence.attempt_limit_reached", state_name=st.get("name", code),
                             items=[o for _, o in over]))
        first_exam = over[0][0]  # the exam named first (journey order)
        res.blocked_by.append(Blocker(first_exam, res.reasons[-1]))
        return
    prep = ev.value(res, "license.prepare_months") or {}
    if res.due and prep.get("months_ahead"):
        res.actions.append(Action(F("img.licence.start_fcvs"), add_months(res.due, -int(prep["months_ahead"])),
                                  "todo", key="start-fcvs"))
    if _date(f.get("applied_date")) or _date(f.get("fcvs_started_date")):
        res.status = IN_PROGRESS
    lim = _int(st.get("exam_time_limit_years"))
    first = ev.first_pass(("usmle.step1", "usmle.step2ck"))
    s3 = ev.expected_on("usmle.step3")
    if lim and first and s3 and s3 > add_years_same_day(first, lim):
        res.status = AT_RISK
        res.deadline = add_years_same_day(first, lim)
        res.reasons.append(F("img.licence.step3_after_exam_window", deadline=res.deadline, state_name=st.get('name', code), lim=lim))
    if res.due:
        res.actions.append(Action(F("img.licence.apply_licence"), res.due,
                                  "deadline", key="apply-licence"))

