"""ECFMG certification: school eligibility, the application, OET, the Pathway, credentials, the certificate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...dates import add_business_days, add_months
from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    EXPIRED,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_STARTED,
    Action,
    Blocker,
    StepResult,
)
from ..findings import F, Finding, W
from .common import ImgEval, _add, _date, _int, _list, _rule
from .definitions import _FINAL, ECFMG_EXAMS
from .match import DEADLINE_LEAD_DAYS


def application_due(ev: ImgEval, res: StepResult) -> dt.date | None:
    """The day the application should be accepted by, and (on `res.due_kind`) the kind of that
    date: its rule's (ECFMG says "plan to" / "preferably": a recommendation)."""
    rule = ev.rule(res, "ecfmg.application.lead_time")
    lead = (rule.value if rule is not None else None) or {}
    res.due_kind = rule.kind if rule is not None else None
    cands = []
    md = ev.cal.get("match_day")
    if md and "months_before_match_day" in lead:
        cands.append(add_months(md.date, -int(lead["months_before_match_day"])))
    firsts = [a.date for s in ECFMG_EXAMS for a in ev.attempts[s]]
    for s in ECFMG_EXAMS:
        f = ev.ctx.facts(s)
        firsts += [d for d in (_date(f.get("window_start")), _date(f.get("scheduled_date"))) if d]
    exam_lead = None
    if firsts and "months_before_first_exam" in lead:
        exam_lead = add_months(min(firsts), -int(lead["months_before_first_exam"]))
        cands.append(exam_lead)
    ev._exam_lead = exam_lead
    if not cands:
        res.due_kind = None
    return min(cands) if cands else None


def ecfmg_school(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    res.due = application_due(ev, res)
    grad = _date(f.get("graduation_date"))
    problems = []
    note_rule = ev.rule(res, "ecfmg.school.sponsor_note_required")
    if f.get("sponsor_note") is False and note_rule is not None and note_rule.value:
        problems.append(F("img.school.no_sponsor_note"))
    lo, hi = _int(f.get("sponsor_note_from_year")), _int(f.get("sponsor_note_to_year"))
    if grad and (lo or hi) and ev.rule(res, "ecfmg.school.graduation_year_covered"):
        if (lo and grad.year < lo) or (hi and grad.year > hi):
            problems.append(F("img.school.year_not_covered", year=grad.year, from_year=lo or '…', to_year=hi or 'present'))
    credits = _int(f.get("credit_years"))
    need = ev.value(res, "ecfmg.school.min_credit_years", grad)
    if credits is not None and isinstance(need, int) and credits < need:
        problems.append(F("img.school.too_few_credit_years", credits=credits, need=need))
    excluded = ev.value(res, "ecfmg.school.excluded_degrees", grad) or []
    if f.get("degree") in excluded:
        problems.append(F("img.school.degree_excluded"))
    if f.get("canadian_school") is True:
        canada_school(ev, res, grad)
    if problems:
        res.status = BLOCKED
        res.reasons += problems
        res.blocked_by.append(Blocker(None, problems[0]))
        return
    known = [f.get("sponsor_note") is True, grad is not None, credits is not None,
             f.get("degree") is not None]
    if all(known):
        res.status = DONE
        res.reasons.append(F("img.school.qualifies"))
        return
    res.status = IN_PROGRESS if any(known) or f.get("wdoms_listed") is not None else NOT_STARTED
    # res.due comes from the preferred lead before the Match (a preference, not a deadline):
    # once it has passed the action is simply for today, never shown as "overdue".
    when = max(res.due, ev.today) if res.due else None
    res.actions.append(Action(F("img.school.check_wdoms"), when, "check", key="check-wdoms"))


def canada_school(ev: ImgEval, res: StepResult, grad: dt.date | None) -> None:
    """Canadian graduates from 2026 on (the LCME change) need ECFMG certification like any IMG."""
    r = ev.rule(res, "ecfmg.canada.graduates_need_certification", grad or ev.today, quiet=True)
    if r is None or not isinstance(r.value, int):
        return
    conf = r.confidence if r.confidence != "high" and not r.is_override else ""
    if grad is None or grad.year >= r.value:
        _add(res.warnings, W("img.school.canadian_needs_ecfmg", from_year=r.value, confidence=conf))
    else:
        _add(res.warnings, W("img.school.canadian_before_change", year=grad.year, from_year=r.value,
                             confidence=conf))


def ecfmg_application(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    res.due = application_due(ev, res)
    ev.rule(res, "ecfmg.application.required_before_exams")
    sub, acc = _date(f.get("submitted_date")), _date(f.get("accepted_date"))
    if acc:
        res.status = DONE
        res.info["completed_on"] = acc
        early = [a.date for s in ECFMG_EXAMS for a in ev.attempts[s] if a.date < acc]
        if early:
            _add(res.warnings, W("img.application.exam_before_accepted", exam_date=min(early), accepted=acc))
        return
    res.use(_rule(ev.ctx, "fee.ecfmg.application"))
    if sub:
        res.status = IN_PROGRESS
        res.reasons.append(F("img.application.submitted", submitted=sub))
    else:
        when = max(res.due, ev.today) if res.due else None  # a preference (see the school step)
        res.actions.append(Action(F("img.application.submit_application"), when, key="submit-application"))
    # Only the lead before the first exam is a real constraint (the application must be accepted
    # before any exam application); the Match lead (18 to 24 months) is a preference.
    lead = ev._exam_lead
    if lead and ev.today > lead:
        res.status = AT_RISK
        res.deadline, res.deadline_kind = lead, res.due_kind  # the same rule's lead: a recommendation
        res.reasons.append(F("img.application.lead_before_exam_passed"))
    elif res.due and ev.today > res.due:
        res.reasons.append(F("img.application.match_lead_passed", due=res.due))


def _legacy_cs_exempt(ev: ImgEval, res: StepResult, why: Finding) -> bool:
    """A legacy Step 2 CS pass exempts the OET and Pathway steps: not applicable, saying `why`."""
    if not ev.legacy_cs:
        return False
    ev.rule(res, "ecfmg.cs.legacy_pass_exempts")
    res.status = NOT_APPLICABLE
    res.reasons.append(why)
    return True


def ecfmg_oet(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if _legacy_cs_exempt(ev, res, F("img.oet.legacy_cs_exempt")):
        return
    ev.rule(res, "oet.required_for_pathways")
    ev.rule(res, "oet.single_sitting")
    sit_rule = ev.rule(res, "oet.sit_by")
    sit_by = sit_rule.value if sit_rule is not None else None
    if ev.M is not None and isinstance(sit_by, Mapping):
        y = ev.M + int(sit_by.get("match_year_offset", 0))
        m = int(sit_by.get("month", 12))
        res.due = add_months(dt.date(y, m, 1), 1) - dt.timedelta(days=1)
        res.due_kind = sit_rule.kind if sit_rule is not None else None  # ECFMG "advises": recommended_by
    rol = ev.cal_date(res, "rol_deadline")
    season = ev.season()
    earliest = _date(f.get("earliest_accepted_date"))
    if earliest:
        res.reasons.append(F("img.oet.recency_entered", earliest=earliest))
    elif season is not None:
        r = ev.rule(res, f"oet.recency.{season}")
        earliest = r.value if r is not None and isinstance(r.value, dt.date) else None
        if earliest is None and not _date(ev.ctx.facts("ecfmg.pathway").get("accepted_date")):
            _add(res.warnings, W("img.oet.recency_unpublished", season=season))
    passing, short = [], []
    dated = [(d, s) for s in _list(f.get("sittings")) if (d := _date(s.get("date"))) is not None]
    for d, s in sorted(dated, key=lambda x: x[0]):  # stable: sittings of one day keep their order
        mins = ev.value(res, "oet.minimum_scores", d)
        if not isinstance(mins, Mapping):
            continue
        below = [k for k, least in mins.items() if (v := _int(s.get(k))) is None or v < least]
        if below:
            short.append((d, below))
        else:
            passing.append((d, _date(s.get("result_date"))))
    def result_days() -> Any:  # looked up only when a result date has to be estimated
        return ev.value(res, "oet.result_days")

    recent = [p for p in passing if earliest is None or p[0] >= earliest]
    if recent:
        d, rd = recent[-1]
        res.status = DONE
        days = ev.value(res, "oet.result_days", quiet=True) if rd is None else None  # an estimate only
        res.info["completed_on"] = rd or (d + dt.timedelta(days=days) if isinstance(days, int) else d)
        res.reasons.append(F("img.oet.passed", date=d))
        return
    if passing:
        d, _ = passing[-1]
        res.status = EXPIRED
        res.reasons.append(F("img.oet.pass_too_old", date=d, earliest=earliest, season=season))
    elif short:
        d, below = short[-1]
        res.status = IN_PROGRESS
        res.reasons.append(F("img.oet.sitting_below_minimum", date=d, below=below))
    sched = _date(f.get("scheduled_date"))
    if sched and sched >= (passing[-1][0] if passing else dt.date.min):
        if res.status == NOT_STARTED:
            res.status = IN_PROGRESS
        days = result_days()
        exp = sched + dt.timedelta(days=days) if isinstance(days, int) else None
        res.info["expected_on"] = exp
        if sched >= ev.today:
            res.actions.append(Action(F("img.oet.sit_oet"), sched, "deadline", key="sit-oet"))
        elif not any(p[0] == sched for p in passing) and not any(x[0] == sched for x in short):
            res.actions.append(Action(F("img.oet.record_result", sched=sched), exp or ev.today,
                                      "todo", key="record-result", date_kind="result_day" if exp else ""))
        if exp and rol and exp > rol:
            res.status = AT_RISK
            res.deadline = rol
            res.reasons.append(F("img.oet.results_after_rol", expected=exp, rol=rol))
        if earliest and sched < earliest:
            _add(res.warnings, W("img.oet.booked_too_early", sched=sched, earliest=earliest))
    elif res.due:
        # The sit-by date is ECFMG's advice for the Match year (its rule's kind: recommended_by):
        # at_risk as it comes near and once passed (a later sitting may still be verified by the
        # ROL deadline, with luck), blocked for this Match once the ROL deadline itself has
        # passed. Never silently not_started, and never "overdue" (a recommendation).
        if rol and ev.today > rol:
            # at_risk, not blocked: the Pathways season stays open after the ROL deadline (an OET
            # pass still counts for the certificate, a later Match or SOAP-free paths)
            res.actions.append(Action(F("img.oet.sit_earliest"), ev.today, "deadline", key="sit-oet-by"))
            if res.status != EXPIRED:
                res.status = AT_RISK
            closes = _rule(ev.ctx, f"pathways.{season}.season_closes") if season is not None else None
            # the date that still matters is the Pathways season's close (else the passed ROL, as before)
            res.deadline = (closes.value if closes is not None and isinstance(closes.value, dt.date)
                            and closes.value >= ev.today else rol)
            res.reasons.append(F("img.oet.rol_passed", rol=rol))
        elif ev.today > res.due:
            res.actions.append(Action(F("img.oet.sit_earliest"), ev.today, "deadline", key="sit-oet-by"))
            if res.status != EXPIRED:
                res.status = AT_RISK
            res.deadline = rol
            res.reasons.append(F("img.oet.sit_by_passed", sit_by=res.due, rol=rol or res.due))
        else:
            res.actions.append(Action(F("img.oet.sit_oet_by"), res.due, "deadline", key="sit-oet-by",
                                      date_kind=res.due_kind or ""))
            if (res.due - ev.today).days <= DEADLINE_LEAD_DAYS and res.status not in (EXPIRED,):
                res.status = AT_RISK
                res.deadline, res.deadline_kind = res.due, res.due_kind
                res.reasons.append(F("img.oet.sit_by_near", sit_by=res.due))


def ecfmg_pathway(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if _legacy_cs_exempt(ev, res, F("img.pathway.legacy_cs_exempt")):
        return
    ev.rule(res, "ecfmg.step2cs.discontinued")
    rol = ev.cal_date(res, "rol_deadline")
    season = ev.season()
    srule = ev.rule(res, f"pathway.season.{season}") if season else None
    sv = srule.value if srule is not None and isinstance(srule.value, Mapping) else {}
    sdead = sv.get("deadline") if isinstance(sv.get("deadline"), dt.date) else None
    accepted_already = _date(f.get("accepted_date")) is not None
    # The season's dated records (`pathways.<season>.*`, each with a kind; projected ones say so
    # through their record's low confidence): the application deadline, the documents deadline
    # and the day incomplete applications are rejected.
    app_rule = docs_rule = closes_rule = None
    if season is not None and not accepted_already:
        app_rule = ev.rule(res, f"pathways.{season}.application_deadline")
        docs_rule = _rule(ev.ctx, f"pathways.{season}.documents_deadline")
        closes_rule = _rule(ev.ctx, f"pathways.{season}.season_closes")
    # The kind of the application deadline: its record's (`pathways.<season>.application_deadline`
    # says "deadline"); the season table's own date is the field it names, "deadline".
    sdead_kind: str | None = "deadline" if sdead is not None else None
    if sdead is None and app_rule is not None and isinstance(app_rule.value, dt.date):
        sdead = app_rule.value
        dead_id = app_rule.id
        sdead_kind = app_rule.kind
    else:
        dead_id = srule.id if srule is not None else f"pathway.season.{season}"
    res.due = min([d for d in (sdead, rol) if d], default=None)
    res.due_kind = (sdead_kind if res.due is not None and res.due == sdead
                    else ev.cal_kind("rol_deadline") if res.due is not None else None)
    if accepted_already:
        pass  # the season's dates no longer matter once ECFMG has accepted the Pathway
    elif season is not None and srule is None and app_rule is None:
        _add(res.warnings, W("img.pathway.season_unpublished", season=season))
    elif srule is not None and sdead is None:
        _add(res.warnings, W("img.pathway.deadline_unpublished", season=season))
    p = f.get("pathway")
    if f.get("ever_failed_cs") is True:
        need = ev.value(res, "pathway.cs_fail_requires_pathway6")
        if need is not None and p != str(need):
            _add(res.warnings, W("img.pathway.cs_fail_needs_pathway", need=need))
    applied, accepted = _date(f.get("applied_date")), _date(f.get("accepted_date"))
    vt = _date(f.get("valid_through"))
    if accepted:
        res.status = DONE
        res.info["completed_on"] = accepted
        res.reasons.append(F("img.pathway.accepted", accepted=accepted))
        acc_season = _int(f.get("season"))
        # The (low-confidence) 2-cycle validity matters only for a later Match than the season's.
        cycles = (ev.value(res, "pathway.validity_match_cycles")
                  if acc_season and ev.M and ev.M > acc_season and not vt else None)
        if vt:
            res.expires = vt
        if vt and ev.today > vt:
            res.status = EXPIRED
            res.reasons.append(F("img.pathway.expired", valid_through=vt))
            _revalidation(ev, res)
        elif vt and rol and vt < rol:
            res.status = AT_RISK
            res.deadline = rol
            res.reasons.append(F("img.pathway.expires_before_rol", valid_through=vt, match_year=ev.M))
        elif acc_season and ev.M and isinstance(cycles, int) and ev.M - acc_season >= cycles:
            res.status = EXPIRED
            res.reasons.append(F("img.pathway.revalidation_likely", acc_season=acc_season, cycles=cycles))
            _revalidation(ev, res)
        return
    gen = ev.value(res, "pathway.general_eligibility")
    registered = any(ev.attempts[s] or ev.ctx.facts(s).get("window_start") for s in ECFMG_EXAMS)
    if gen and not registered:
        res.actions.append(Action(F("img.pathway.register_usmle_first"), None, "check", key="register-usmle-first"))
    nxt = season + 1 if season is not None else None
    if applied:
        res.status = IN_PROGRESS
        res.reasons.append(F("img.pathway.applied", applied=applied))
        closes = closes_rule.value if closes_rule is not None and isinstance(closes_rule.value, dt.date) else None
        docs = docs_rule.value if docs_rule is not None and isinstance(docs_rule.value, dt.date) else None
        if closes and closes_rule is not None and ev.today > closes:
            res.use(closes_rule)
            res.status = BLOCKED
            res.reasons.append(F("img.pathway.season_closed_unaccepted", season=season, closes=closes,
                                 next_season=nxt, rule=closes_rule.id))
            res.blocked_by.append(Blocker(None, res.reasons[-1]))
        elif docs and docs_rule is not None and ev.today > docs:
            res.use(docs_rule)
            res.status = BLOCKED
            res.reasons.append(F("img.pathway.documents_deadline_passed", season=season, deadline=docs,
                                 next_season=nxt, rule=docs_rule.id))
            res.blocked_by.append(Blocker(None, res.reasons[-1]))
        elif docs and docs_rule is not None and (docs - ev.today).days <= DEADLINE_LEAD_DAYS:
            res.use(docs_rule)
            res.status = AT_RISK
            res.deadline = docs
            res.reasons.append(F("img.pathway.documents_deadline_near", deadline=docs, rule=docs_rule.id))
        return
    if sdead and ev.today > sdead:
        res.status = BLOCKED
        res.reasons.append(F("img.pathway.application_deadline_passed", season=season, deadline=sdead,
                             next_season=nxt, rule=dead_id))
        res.blocked_by.append(Blocker(None, res.reasons[-1]))
        return
    opens = sv.get("opens") if isinstance(sv.get("opens"), dt.date) else None
    if sdead:
        res.actions.append(Action(F("img.pathway.apply_by", deadline=sdead, rule=dead_id), sdead, "deadline",
                                  key="apply-pathway"))
        if (sdead - ev.today).days <= DEADLINE_LEAD_DAYS:
            res.status = AT_RISK
            res.deadline = sdead
            res.reasons.append(F("img.pathway.application_deadline_near", season=season, deadline=sdead,
                                 rule=dead_id))
    elif opens:
        res.actions.append(Action(F("img.pathway.apply_pathway"), max(opens, ev.today), "todo",
                                  key="apply-pathway"))
    else:
        res.actions.append(Action(F("img.pathway.apply_pathway_undated"), res.due, "deadline", key="apply-pathway"))
    ev.rule(res, "fee.pathways", quiet=True)


def _revalidation(ev: ImgEval, res: StepResult) -> None:
    """An expired Pathway acceptance: Pathways Revalidation, by the Match season's application
    deadline where the rules have one."""
    ev.rule(res, "pathways.revalidation", quiet=True)
    if ev.M is None:
        return
    r = ev.rule(res, f"pathways.{ev.M}.application_deadline")
    d = r.value if r is not None and isinstance(r.value, dt.date) else None
    if r is None or d is None:
        pass
    elif ev.today > d:
        res.reasons.append(F("img.pathway.revalidation_deadline_passed", season=ev.M, deadline=d,
                             next_season=ev.M + 1, rule=r.id))
    else:
        res.actions.append(Action(F("img.pathway.apply_revalidation_by", deadline=d, rule=r.id), d, "deadline",
                                  key="apply-revalidation"))


def certificate_due(ev: ImgEval, res: StepResult) -> tuple[dt.date | None, str | None]:
    """The certificate is needed by the start date (a deadline: ecfmg.certificate.required_by_start's
    kind); for an H-1B, early enough to pass Step 3 by Match Day first, which is what "some
    programs want" (visa.h1b.requires_all_steps): a recommendation. (date, its kind)."""
    if ev.visa_need == "needs_h1b":
        md = ev.cal.get("match_day")
        if md:
            latest, _ = ev.turnaround(res, md.date)
            permit = ev.value(res, "usmle.step3.permit_business_days") or {}
            sit = md.date - (latest - md.date) if latest else md.date
            return (add_business_days(sit, -int(permit.get("max", 0))) if permit else sit), "recommended_by"
    if ev.start is None:
        return None, None
    need = _rule(ev.ctx, "ecfmg.certificate.required_by_start", ev.start)
    return ev.start, (need.kind if need is not None else None)


def ecfmg_credentials(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "ecfmg.credentials.diploma_verification")
    issue_rule = ev.rule(res, "ecfmg.certificate.issue_days", quiet=True)
    issue = issue_rule.value if issue_rule is not None else None
    cert_due, cert_kind = certificate_due(ev, res)
    res.due = cert_due - dt.timedelta(days=issue) if cert_due and isinstance(issue, int) else cert_due
    # The certificate's date less the time its issue takes: the allowance's kind (an applicant's
    # "allow about 2 weeks": a recommendation), else the certificate's own date's
    res.due_kind = (issue_rule.kind if issue_rule is not None and isinstance(issue, int) and cert_due
                    else cert_kind)
    grad = _date(ev.ctx.facts("ecfmg.school").get("graduation_date"))
    sub = _date(f.get("diploma_submitted_date"))
    dv, tv = _date(f.get("diploma_verified_date")), _date(f.get("transcript_verified_date"))
    wait = ev.value(res, "ecfmg.credentials.school_response_days")
    if dv and tv:
        res.status = DONE
        res.info["completed_on"] = max(dv, tv)
        return
    if f.get("completion_letter") is True:
        ev.rule(res, "ecfmg.credentials.completion_letter")
    if sub or dv or tv or f.get("completion_letter") is True:
        res.status = IN_PROGRESS
        if sub and isinstance(wait, int):
            exp = sub + dt.timedelta(days=wait)
            res.info["expected_on"] = exp
            if res.due and exp > res.due:
                res.status = AT_RISK
                res.deadline, res.deadline_kind = res.due, res.due_kind
                res.reasons.append(F("img.credentials.expected_late", wait=wait, expected=exp, due=res.due))
        missing = [n for n, d in ((F("img.credentials.diploma"), dv), (F("img.credentials.transcript"), tv)) if not d]
        res.reasons.append(F("img.credentials.waiting_verification", missing=missing))
        return
    send_by = res.due - dt.timedelta(days=wait) if res.due and isinstance(wait, int) else res.due
    if grad and grad > ev.today:
        res.actions.append(Action(F("img.credentials.send_diploma"), grad, "todo",
                                  key="send-diploma"))
    else:
        # counted back from the step's date, of its kind (a recommendation: never "overdue")
        res.actions.append(Action(F("img.credentials.send_diploma_and_transcript"),
                                  send_by, "deadline", key="send-diploma", date_kind=res.due_kind or ""))
    first_possible = max(grad or ev.today, ev.today)
    if res.due and isinstance(wait, int) and first_possible + dt.timedelta(days=wait) > res.due:
        res.status = AT_RISK
        res.deadline, res.deadline_kind = res.due, res.due_kind
        res.reasons.append(F("img.credentials.may_be_late", wait=wait, due=res.due))


def _training_start(ev: ImgEval) -> dt.date | None:
    """The day ACGME training began: the residency start entered, or the matched start once passed."""
    tr = ev.ctx.facts("residency.training")
    d = _date(tr.get("start_date"))
    if d:
        return d if d <= ev.today else None
    matched = ev.ctx.facts("match.result").get("outcome") in ("matched", "soap")
    return ev.start if matched and ev.start and ev.start <= ev.today else None


def ecfmg_certificate(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "ecfmg.certificate.required_by_start")
    res.due, res.due_kind = certificate_due(ev, res)
    issued = _date(f.get("issued_date"))
    pathway_based = not ev.legacy_cs
    perm_m = ev.value(res, "ecfmg.certificate.permanent_after_training_months")
    perm_date = add_months(ev.start, int(perm_m)) if ev.start and isinstance(perm_m, int) else None
    if issued:
        res.status = DONE
        res.info["completed_on"] = issued
        vt = _date(f.get("valid_through"))
        trained_from = _training_start(ev)
        perm_from = (add_months(trained_from, int(perm_m)) if trained_from and isinstance(perm_m, int)
                     else None)
        if (pathway_based and not f.get("permanently_validated") and perm_from and ev.today >= perm_from
                and (vt is None or vt >= perm_from)):
            # 12 months of ACGME training with a valid certificate make it permanent (automatic
            # for ECFMG-sponsored J-1s, on request otherwise): no expiry any more.
            res.info["permanent_validation_from"] = perm_from
            res.reasons.append(F("img.certificate.permanent_after_training", months=perm_m, since=perm_from,
                                 route=(F("img.certificate.permanent_automatic_j1") if ev.visa_need == "needs_j1"
                                        else F("img.certificate.permanent_request"))))
            return
        if pathway_based and not f.get("permanently_validated"):
            res.expires = vt
            if perm_date:
                res.info["permanent_validation_from"] = perm_date
                txt = (F("img.certificate.permanent_automatic_j1") if ev.visa_need == "needs_j1"
                       else F("img.certificate.permanent_request"))
                res.actions.append(Action(F("img.certificate.permanent_validation", months=perm_m, route=txt),
                                          perm_date, "reminder", key="permanent-validation", date_kind="event"))
            if vt and ev.today > vt:
                res.status = EXPIRED
                res.reasons.append(F("img.certificate.expired", valid_through=vt))
            elif vt and perm_date and vt < perm_date:
                res.status = AT_RISK
                res.deadline = vt
                ev.rule(res, "ecfmg.certificate.extension_if_expiring")
                res.reasons.append(F("img.certificate.expires_before_permanent", valid_through=vt, months=perm_m))
        return
    issue = ev.value(res, "ecfmg.certificate.issue_days")
    deps = ("usmle.step1", "usmle.step2ck", "ecfmg.pathway", "ecfmg.oet", "ecfmg.credentials")
    ready = [ev.expected_on(d) for d in deps if ev.res[d].status != NOT_APPLICABLE]
    if all(ev.res[d].status in _FINAL for d in deps):
        res.status = IN_PROGRESS
        res.reasons.append(F("img.certificate.requirements_met"))
    known = [d for d in ready if d is not None]
    if len(known) == len(ready) and known and isinstance(issue, int):
        exp = max(known) + dt.timedelta(days=issue)
        res.info["expected_on"] = exp
        if res.due and exp > res.due:
            res.status = AT_RISK
            res.deadline, res.deadline_kind = res.due, res.due_kind
            res.reasons.append(F("img.certificate.expected_late", expected=exp, due=res.due))

