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


def match_eras(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # issue 13: the residency-free route has no Match
        return
    ev.rule(res, "eras.token")
    res.due = ev.cal_date(res, "eras_submissions_open")
    opens = ev.cal_date(res, "eras_opens")
    submitted = _date(f.get("submitted_date"))
    need = ev.value(res, "eras.documents") or []
    have = {d.get("kind") for d in _list(f.get("documents")) if _date(d.get("uploaded_date"))}
    missing = [k for k in need if k not in have]
    labels = dict(ERAS_DOCUMENTS)
    res.info["documents_missing"] = missing
    ck = ev.res.get("usmle.step2ck")
    exp = ck.info.get("expected_on") if ck else None
    if ck and ck.status != DONE and res.due and exp and exp > res.due:
        _add(res.warnings, W("img.eras.step2ck_after_submissions", expected=exp, due=res.due))
    if submitted:
        res.status = DONE
        res.info["completed_on"] = submitted
        if missing:
            _add(res.warnings, W("img.eras.submitted_missing_uploads", items=[labels.get(k, k) for k in missing]))
        return
    if f.get("token_date") or have:
        res.status = IN_PROGRESS
    else:
        res.actions.append(Action(F("img.eras.get_token"), opens, "todo", key="get-token"))
        res.use(_rule(ev.ctx, "fee.eras.token"))
    for k in missing:
        res.actions.append(Action(F("img.eras.upload", document=labels.get(k, k)), res.due, "todo", key=f"upload-{k}"))
    res.actions.append(Action(F("img.eras.submit_eras"), res.due, "deadline",
                              key="submit-eras"))
    if res.due and ev.today > res.due:
        res.status = AT_RISK
        res.deadline = res.due
        res.reasons.append(F("img.eras.submissions_open_passed", due=res.due))


def match_nrmp(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # issue 13: the residency-free route has no Match
        return
    opens = ev.cal_date(res, "nrmp_registration_opens")
    rol = ev.cal_date(res, "rol_deadline")
    res.due = rol
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
    ev.rule(res, "nrmp.early_registration_deadline")
    res.actions.append(Action(F("img.nrmp.register_nrmp"), opens, "todo",
                              key="register-nrmp"))


def match_rol(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # issue 13: the residency-free route has no Match
        return
    rol = ev.cal_date(res, "rol_deadline")
    res.due = rol
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
    res.due = md
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

