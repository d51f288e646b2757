"""The visa: J-1 through ECFMG or H-1B."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...dates import add_business_days, add_months
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
from ..findings import B, F, W
from .common import ImgEval, _add, _date, _rule
from .countries import COUNTRIES


def visa(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    need = ev.visa_need
    if need in ("us_citizen", "permanent_resident"):
        res.status = NOT_APPLICABLE
        res.reasons.append(F("img.visa.not_needed"))
        return
    res.due = ev.start
    # The visa is needed to begin the program: its start is the day it must be in hand, the date
    # the engine holds it to (at_risk when the DS-2019 or Step 3 cannot be in by then), a deadline.
    res.due_kind = "deadline" if res.due else None
    entry_restrictions(ev, res)
    if _date(f.get("visa_issued")):
        res.status = DONE
        res.info["completed_on"] = _date(f.get("visa_issued"))
    if need == "needs_j1":
        visa_j1(ev, res, f)
    elif need == "needs_h1b":
        visa_h1b(ev, res, f)
    else:
        res.actions.append(Action(F("img.visa.decide_route"), None, "check",
                                  key="decide-route"))


def entry_restrictions(ev: ImgEval, res: StepResult) -> None:
    """The nationality-based entry restrictions in force today (J visas included), with their date."""
    cc = ev.tf.get("citizenship")
    if not isinstance(cc, str) or not cc:
        return
    r = ev.rule(res, "visa.entry_restrictions.nationality", ev.today, quiet=True)
    if r is None or not isinstance(r.value, Mapping):
        return
    v = r.value
    if cc in (v.get("full") or []):
        how = F("img.visa.restriction_full")
    elif cc in (v.get("partial") or []) and cc not in (v.get("partial_immigrant_only") or []):
        how = F("img.visa.restriction_partial")
    else:
        return
    since, source = r.valid_from, (r.urls[0] if r.urls else "")
    name = dict(COUNTRIES).get(cc, cc)
    if r.confidence == "low" and not r.is_override:
        _add(res.warnings, W("img.visa.entry_restricted_unsure", country=cc, country_name=name, how=how, since=since,
                             as_of=r.as_of or "", source=source))
    else:
        _add(res.warnings, W("img.visa.entry_restricted", country=cc, country_name=name, how=how, since=since,
                             as_of=r.as_of or "", source=source))
    w = ev.rule(res, "visa.entry_restrictions.nrmp_waiver", ev.today, quiet=True)
    if w is not None and w.value:
        _add(res.warnings, W("img.visa.nrmp_waiver", since=w.valid_from, source=w.urls[0] if w.urls else "",
                             confidence=w.confidence))


def visa_j1(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "visa.j1.ecfmg_sole_sponsor")
    ev.rule(res, "visa.j1.requirements")
    home = ev.value(res, "visa.j1.two_year_home_rule")
    if home:
        res.info["two_year_home_rule"] = home
        _add(res.warnings, W("img.j1.home_rule", home=home))
    md = ev.cal_date(res, "match_day")
    req = _date(f.get("statement_of_need_requested"))
    months = ev.value(res, "visa.j1.ds2019_earliest_months")
    earliest = add_months(ev.start, -int(months)) if ev.start and isinstance(months, int) else None
    ds = _date(f.get("ds2019_issued"))
    if ds and earliest and ds < earliest:
        _add(res.warnings, W("img.j1.ds2019_too_early", ds=ds, earliest=earliest, months=months))
    if res.status == DONE:
        return
    son = ev.rule(res, "visa.j1.statement_of_need_before_match")
    if son and not req:
        # "request it before the Match" is a GME office's advice: the rule's kind, a recommendation
        res.actions.append(Action(F("img.j1.statement_of_need"), md, "deadline",
                                  key="statement-of-need", date_kind=son.kind or ""))
        if md and ev.today > md:
            res.status = AT_RISK
            res.deadline = ev.start
            res.reasons.append(F("img.j1.statement_of_need_late"))
    elif req or ds:
        res.status = IN_PROGRESS
    if not ds and earliest and ev.today <= earliest:  # an opening: once passed it is never "overdue"
        res.actions.append(Action(F("img.j1.ds2019_window"), earliest, "reminder", key="ds2019-window"))
    if not ds:
        ds2019_lead(ev, res, f)
    if ev.start and res.status != AT_RISK and ev.today > ev.start:
        res.status = AT_RISK
        res.deadline = ev.start


def ds2019_lead(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    """ECFMG's processing time (4-6 weeks from a complete application, the Statement of Need
    included) set the last day to apply for the DS-2019 so that it is in by the start date."""
    pw = ev.value(res, "visa.j1.ds2019_processing_weeks")
    if ev.start is None or not isinstance(pw, Mapping) or "max" not in pw:
        return
    weeks = int(pw["max"])
    apply_by = ev.start - dt.timedelta(weeks=weeks)
    applied = _date(f.get("ds2019_requested"))
    if applied:
        exp = applied + dt.timedelta(weeks=weeks)
        res.info["expected_on"] = exp
        if exp > ev.start and res.status != AT_RISK:
            res.status = AT_RISK
            res.deadline = ev.start
            res.reasons.append(F("img.j1.ds2019_expected_late", applied=applied, weeks=weeks,
                                 expected=exp, start=ev.start))
        return
    # A lead computed from ECFMG's reserved processing time, not a date ECFMG sets: a recommended
    # date (the start date is the deadline; once this one passes the step is at risk, not "overdue")
    res.actions.append(Action(F("img.j1.apply_ds2019", weeks=weeks), apply_by, "deadline", key="apply-ds2019",
                              date_kind="recommended_by"))
    if ev.today > apply_by and res.status != AT_RISK:
        res.status = AT_RISK
        res.deadline = ev.start
        res.reasons.append(F("img.j1.ds2019_lead_passed", apply_by=apply_by, weeks=weeks, start=ev.start))


def visa_h1b(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "visa.h1b.requires_all_steps")
    ev.rule(res, "visa.h1b.cap")
    on = _date(f.get("h1b_petition_filed")) or ev.today
    fee = _rule(ev.ctx, "fee.h1b.proclamation_payment", on)
    if fee is not None:
        ev.rule(res, fee.id, on)
        if f.get("beneficiary_outside_us") is not False:
            _add(res.warnings, W("img.h1b.payment_may_apply", on=on, amount=fee.value.get('amount')))
    elif "fee.h1b.proclamation_payment" in ev.ctx.rules:
        recs = ev.ctx.rules.records("fee.h1b.proclamation_payment")
        end = recs[-1].valid_until
        res.use(recs[-1])
        _add(res.warnings, W("img.h1b.payment_rule_ended", end=end))
    code, _st = ev.state_record(StepResult("_"))
    tx = _rule(ev.ctx, "visa.h1b.texas_freeze", ev.today)
    prog_state = ev.ctx.facts("match.result").get("program_state") or code
    if tx is not None and prog_state == tx.value:
        ev.rule(res, tx.id, ev.today)
        _add(res.warnings, W("rule.statement", rule=tx.id, statement=tx.statement))
    s3 = ev.res["usmle.step3"]
    if res.status == DONE:
        return
    if not _date(f.get("h1b_petition_filed")):
        md = ev.cal_date(res, "match_day")
        res.actions.append(Action(F("img.h1b.h1b_petition"), md, "todo",
                                  key="h1b-petition"))
    if s3.status != DONE:
        res.blocked_by.append(Blocker("usmle.step3", B("img.h1b.blocked_step3")))
    if _date(f.get("h1b_approved")):
        res.status = DONE
        res.info["completed_on"] = _date(f.get("h1b_approved"))
    elif _date(f.get("h1b_petition_filed")):
        res.status = IN_PROGRESS
    # Step 3 waiting only for the certificate is a matter of timing, not a dead end.
    s3_stuck = s3.status == BLOCKED and (
        any(b.step != "ecfmg.certificate" for b in s3.blocked_by)
        or ev.res["ecfmg.certificate"].status == BLOCKED)
    if s3_stuck and res.status != DONE:
        res.status = BLOCKED
        res.reasons.append(F("img.h1b.step3_blocked"))
    elif s3.status != DONE and ev.start and res.status != DONE:
        e = s3.info.get("expected_on")
        if e is None:
            # Not booked: the earliest result is a sitting once the certificate is in (or today)
            # and FSMB's permit has come, plus the score turnaround.
            scratch = StepResult("_")
            cert = ev.expected_on("ecfmg.certificate")
            first = max(ev.today, cert or ev.today)
            permit = ev.value(scratch, "usmle.step3.permit_business_days") or {}
            if isinstance(permit, Mapping) and permit.get("max"):
                first = add_business_days(first, int(permit["max"]))
            e, _ = ev.turnaround(scratch, first)
        if (e and e > ev.start) or ev.today > (s3.due or ev.start):
            res.status = AT_RISK
            res.deadline = ev.start
            res.reasons.append(F("img.h1b.step3_late_expected", expected=e, start=ev.start) if e and e > ev.start
                               else F("img.h1b.step3_late"))

