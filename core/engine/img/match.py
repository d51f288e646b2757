"""The Match: ERAS, NRMP registration, the rank order list and the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    IN_PROGRESS,
    NOT_APPLICABLE,
    Action,
    Blocker,
    StepResult,
)
from ..findings import F, W
from .common import ImgEval, _add, _date, _list, _rule
from .definitions import ERAS_DOCUMENTS
from .licensure import not_applicable_on_route

# How close to a hard deadline an open step turns at_risk: the dashboard's "next 30 days"
# horizon, the lead the app gives every dated deadline (a season's own lead times, such as a
# test's result delay, are added on top by the steps that have them).
DEADLINE_LEAD_DAYS = 30


def match_eras(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # issue 13: the residency-free route has no Match
        return
    # Dates by kind: the season's opening and the first submission day are openings (never
    # "overdue"); programs' first review day is a recommendation (late, not overdue: at_risk); the
    # rank order list deadline is the last day an application can still lead to this Match.
    ev.rule(res, "eras.token")
    sub_open = ev.cal_date(res, "eras_submissions_open")
    opens = ev.cal_date(res, "eras_opens")
    review = ev.cal_date(res, "eras_programs_review")
    rol_cal = ev.cal.get("rol_deadline")
    rol = rol_cal.date if rol_cal else None
    res.due = review or sub_open
    res.due_kind = ev.cal_kind("eras_programs_review" if review else "eras_submissions_open")
    submitted = _date(f.get("submitted_date"))
    need = ev.value(res, "eras.documents") or []
    have = {d.get("kind") for d in _list(f.get("documents")) if _date(d.get("uploaded_date"))}
    missing = [k for k in need if k not in have]
    labels = dict(ERAS_DOCUMENTS)
    res.info["documents_missing"] = missing
    ck = ev.res.get("usmle.step2ck")
    exp = ck.info.get("expected_on") if ck else None
    if ck and ck.status != DONE and sub_open and exp and exp > sub_open:
        _add(res.warnings, W("img.eras.step2ck_after_submissions", expected=exp, due=sub_open))
    if submitted:
        res.status = DONE
        res.info["completed_on"] = submitted
        if missing:
            _add(res.warnings, W("img.eras.submitted_missing_uploads", items=[labels.get(k, k) for k in missing]))
        return
    if rol and ev.M and ev.today > rol:  # a ROL date means a Match year
        res.status = BLOCKED
        res.reasons.append(F("img.eras.match_closed", match_year=ev.M, rol=rol, next_year=ev.M + 1,
                             rule=f"match.calendar.{ev.M}.rol_deadline"))
        res.blocked_by.append(Blocker(None, res.reasons[-1]))
        return
    if f.get("token_date") or have:
        res.status = IN_PROGRESS
    else:
        when = max(opens, ev.today) if opens else None  # an opening: from then on, never overdue
        res.actions.append(Action(F("img.eras.get_token"), when, "todo", key="get-token"))
        res.use(_rule(ev.ctx, "fee.eras.token"))
    up_when = max(sub_open, ev.today) if sub_open else None
    for k in missing:
        res.actions.append(Action(F("img.eras.upload", document=labels.get(k, k)), up_when, "todo", key=f"upload-{k}"))
    if review and ev.today > review:
        res.actions.append(Action(F("img.eras.submit_now", since=review), ev.today, "todo", key="submit-eras"))
        res.status = AT_RISK
        # the last day it can still lead to this Match (not the passed recommendation)
        res.due = res.deadline = rol
        res.due_kind = ev.cal_kind("rol_deadline")
        res.reasons.append(F("img.eras.programs_reviewing_since", since=review, rol=rol or "?",
                             rule=f"match.calendar.{ev.M}.eras_programs_review"))
    elif review:
        res.actions.append(Action(F("img.eras.submit_before_review", review=review), review, "todo",
                                  key="submit-eras"))
    elif sub_open:
        res.actions.append(Action(F("img.eras.submit_eras"), max(sub_open, ev.today), "todo", key="submit-eras"))


def match_nrmp(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # issue 13: the residency-free route has no Match
        return
    # Registration opening: an opening (the action is for today once it has passed, never
    # "overdue"); the late fee: from that day registering costs more; the ROL deadline closes
    # late registration (a hard deadline: at_risk as it approaches, blocked once passed).
    opens = ev.cal_date(res, "nrmp_registration_opens")
    late = ev.cal_date(res, "nrmp_late_fee_from")
    rol = ev.cal_date(res, "rol_deadline")
    res.due, res.due_kind = rol, ev.cal_kind("rol_deadline")
    if _date(f.get("registered_date")):
        res.status = DONE
        res.info["completed_on"] = _date(f.get("registered_date"))
        return
    ev.rule(res, "match.rol_certifies_ecfmg")
    if rol and ev.today > rol:
        res.status = BLOCKED
        res.reasons.append(F("img.nrmp.closed", match_year=ev.M, rol=rol))
        res.blocked_by.append(Blocker(None, res.reasons[-1]))
        return
    ev.rule(res, "nrmp.early_registration_deadline", quiet=late is not None)
    when = max(opens, ev.today) if opens else None
    if late and ev.today >= late:
        res.actions.append(Action(F("img.nrmp.register_late", rol=rol or "?"), when, "todo", key="register-nrmp"))
        _add(res.warnings, W("img.nrmp.late_fee_applies", since=late,
                             rule=f"match.calendar.{ev.M}.nrmp_late_fee_from"))
    elif late:
        res.actions.append(Action(F("img.nrmp.register_before_late_fee", late_fee_from=late), when, "todo",
                                  key="register-nrmp"))
    else:
        res.actions.append(Action(F("img.nrmp.register_nrmp"), when, "todo", key="register-nrmp"))
    if rol and (rol - ev.today).days <= DEADLINE_LEAD_DAYS:
        res.status = AT_RISK
        res.deadline = rol
        res.reasons.append(F("img.nrmp.rol_near", rol=rol))


def match_rol(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # issue 13: the residency-free route has no Match
        return
    rol = ev.cal_date(res, "rol_deadline")
    res.due, res.due_kind = rol, ev.cal_kind("rol_deadline")
    reqs = ev.value(res, "ecfmg.rol_verification") or []
    certified = _date(f.get("certified_date"))
    late, unknown, done_by = [], [], []
    for sid in reqs:
        r = ev.res.get(sid)
        if r is None or r.status == NOT_APPLICABLE:
            continue
        c = r.info.get("completed_on") if r.status == DONE else None
        e = c or r.info.get("expected_on")
        if c and (rol is None or c <= rol):
            done_by.append(sid)
        elif e and rol and e > rol:
            late.append((sid, e))
        elif r.status == AT_RISK and rol and r.deadline == rol:
            late.append((sid, None))  # e.g. not even booked, and a test today would be too late
        elif r.status != DONE:
            unknown.append(sid)
    if rol and ev.today > rol:
        if not certified:
            res.status = BLOCKED
            res.reasons.append(F("img.rol.passed_uncertified", rol=rol))
        elif late or unknown:
            res.status = BLOCKED
            names = [s for s, _ in late] + unknown
            res.reasons.append(F("img.rol.withdrawn", names=names, rol=rol))
        else:
            res.status = DONE
            res.info["completed_on"] = certified
        if res.status == BLOCKED:
            res.blocked_by.append(Blocker(None, res.reasons[-1]))
        return
    if late:
        res.status = AT_RISK
        res.deadline = rol
        for sid, e in late:
            res.reasons.append(F("img.rol.expected_after_deadline", step=sid, date=e) if e
                               else F("img.rol.not_verifiable_by_deadline", step=sid))
    if certified:
        if res.status != AT_RISK:
            res.status = IN_PROGRESS if unknown else DONE
        res.info["completed_on"] = certified if res.status == DONE else None
        if unknown:
            res.reasons.append(F("img.rol.certified_still_to_verify", steps=unknown))
        return
    res.actions.append(Action(F("img.rol.certify_rol"), rol, "deadline", key="certify-rol"))


def match_result(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # issue 13: the residency-free route has no Match
        return
    md = ev.cal_date(res, "match_day")
    res.due, res.due_kind = md, ev.cal_kind("match_day")
    ev.rule(res, "residency.start")
    outcome = f.get("outcome") or "pending"
    if outcome in ("matched", "soap"):
        res.status = DONE
        res.info["completed_on"] = md or ev.today
        res.info["start_date"] = ev.start
        if ev.start:
            res.actions.append(Action(F("img.result.start_residency"), ev.start, "deadline", key="start-residency"))
        return
    if outcome == "unmatched":
        res.status = BLOCKED
        res.reasons.append(F("img.result.unmatched", match_year=ev.M or 'this'))
        res.blocked_by.append(Blocker(None, res.reasons[-1]))
        return
    if md and ev.today >= md:
        res.status = IN_PROGRESS
        res.actions.append(Action(F("img.result.record_result"), ev.today, key="record-result"))

