"""The visa: J-1 through ECFMG or H-1B."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...dates import add_months
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
from .common import ImgEval, _add, _date, _fmt, _rule


def visa(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    need = ev.visa_need
    if need in ("us_citizen", "permanent_resident"):
        res.status = NOT_APPLICABLE
        res.reasons.append("US citizens and permanent residents need no visa for residency.")
        return
    res.due = ev.start
    if _date(f.get("visa_issued")):
        res.status = DONE
        res.info["completed_on"] = _date(f.get("visa_issued"))
    if need == "needs_j1":
        visa_j1(ev, res, f)
    elif need == "needs_h1b":
        visa_h1b(ev, res, f)
    else:
        res.actions.append(Action("Decide your visa route with your program: J-1 (ECFMG) or H-1B", None, "check",
                                  key="decide-route"))


def visa_j1(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "visa.j1.ecfmg_sole_sponsor")
    ev.rule(res, "visa.j1.requirements")
    home = ev.value(res, "visa.j1.two_year_home_rule")
    if home:
        res.info["two_year_home_rule"] = home
        _add(res.warnings, f"A J-1 through ECFMG carries the {home}-year home-country rule (INA 212(e)) "
             "unless waived (e.g. Conrad 30).")
    md = ev.cal_date(res, "match_day")
    req = _date(f.get("statement_of_need_requested"))
    months = ev.value(res, "visa.j1.ds2019_earliest_months")
    earliest = add_months(ev.start, -int(months)) if ev.start and isinstance(months, int) else None
    ds = _date(f.get("ds2019_issued"))
    if ds and earliest and ds < earliest:
        _add(res.warnings, f"DS-2019 recorded on {ds.isoformat()}, earlier than ECFMG can issue it "
             f"({earliest.isoformat()}, {months} months before the start): check the dates.")
    if res.status == DONE:
        return
    if ev.rule(res, "visa.j1.statement_of_need_before_match") and not req:
        res.actions.append(Action("Request the Statement of Need from the Ministry of Health of your country of "
                                  "last legal permanent residence (before the Match)", md, "deadline",
                                  key="statement-of-need"))
        if md and ev.today > md:
            res.status = AT_RISK
            res.deadline = ev.start
            res.reasons.append("The Statement of Need was not requested before the Match; it can take an "
                               "unpredictable time.")
    elif req or ds:
        res.status = IN_PROGRESS
    if not ds and earliest:
        res.actions.append(Action("DS-2019 can be issued from this date (your program's TPL starts the "
                                  "application)", earliest, "reminder", key="ds2019-window"))
    if ev.start and res.status != AT_RISK and ev.today > ev.start:
        res.status = AT_RISK
        res.deadline = ev.start


def visa_h1b(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "visa.h1b.requires_all_steps")
    ev.rule(res, "visa.h1b.cap")
    on = _date(f.get("h1b_petition_filed")) or ev.today
    fee = _rule(ev.ctx, "fee.h1b.proclamation_payment", on)
    if fee is not None:
        ev.rule(res, fee.id, on)
        if f.get("beneficiary_outside_us") is not False:
            _add(res.warnings, f"A new H-1B petition for someone outside the US on {on.isoformat()} may need the "
                 f"US${fee.value.get('amount')} payment (exemptions case by case).")
    elif "fee.h1b.proclamation_payment" in ev.ctx.rules:
        recs = ev.ctx.rules.records("fee.h1b.proclamation_payment")
        end = recs[-1].valid_until
        res.use(recs[-1])
        _add(res.warnings, f"The H-1B US$100,000 payment rule ran to {_fmt(end)}; whether it was extended is not "
             "verified: check USCIS before filing.")
    code, _st = ev.state_record(StepResult("_"))
    tx = _rule(ev.ctx, "visa.h1b.texas_freeze", ev.today)
    prog_state = ev.ctx.facts("match.result").get("program_state") or code
    if tx is not None and prog_state == tx.value:
        ev.rule(res, tx.id, ev.today)
        _add(res.warnings, tx.statement)
    s3 = ev.res["usmle.step3"]
    if res.status == DONE:
        return
    if not _date(f.get("h1b_petition_filed")):
        md = ev.cal_date(res, "match_day")
        res.actions.append(Action("After the Match, your program files the H-1B petition (cap-exempt teaching "
                                  "hospitals can file at any time); Step 3 must be passed first", md, "todo",
                                  key="h1b-petition"))
    if s3.status != DONE:
        res.blocked_by.append(Blocker("usmle.step3", "An H-1B for residency needs Step 3 passed before the petition."))
    if _date(f.get("h1b_approved")):
        res.status = DONE
        res.info["completed_on"] = _date(f.get("h1b_approved"))
    elif _date(f.get("h1b_petition_filed")):
        res.status = IN_PROGRESS
    if s3.status == BLOCKED and res.status != DONE:
        res.status = BLOCKED
        res.reasons.append("Step 3 is blocked, and an H-1B needs it.")
    elif s3.status != DONE and ev.start:
        e = s3.info.get("expected_on")
        if (e and e > ev.start) or ev.today > (s3.due or ev.start):
            res.status = AT_RISK
            res.deadline = ev.start
            res.reasons.append("Step 3 may not be passed in time for the H-1B petition before the start date.")

