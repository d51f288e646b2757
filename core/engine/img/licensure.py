"""The full state licence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...dates import add_months, add_years_same_day, end_of_month
from ...rules import overdue_when_passed
from ..base import (
    AT_RISK,
    BLOCKED,
    DONE,
    EXPIRED,
    IN_PROGRESS,
    NOT_APPLICABLE,
    Action,
    Blocker,
    StepResult,
)
from ..findings import F, Finding, W
from .common import ImgEval, _add, _date, _int, _rule
from .definitions import EMPLOYER_KINDS, EXAMS, STEPS


def license_state(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    ev.rule(res, "license.requirements")
    on = _date(f.get("applied_date")) or ev.today
    code, st = ev.state_record(res, on)
    if code is None:
        res.actions.append(Action(F("img.licence.choose_state"), None, "todo", key="choose-state"))
    elif not st:
        _add(res.warnings, W("img.licence.no_state_record", code=code))
    months = _int(st.get("pgt_months_img"))
    cond = st.get("condition_fact") if st else None
    if cond == "school_on_board_list":
        listed = f.get("school_on_board_list")
        if isinstance(listed, bool):
            months = _int(st.get("pgt_months_img_listed_school" if listed else "pgt_months_img_other")) or months
        else:
            _add(res.warnings, W("img.route.school_list_unanswered", state_name=st.get("name", code),
                                 listed=_int(st.get("pgt_months_img_listed_school")), months=months))
    if st and months is None:
        _add(res.warnings, W("img.licence.training_years_unpublished", state_name=st.get('name', code)))
    start = ev.start
    res.due = add_months(start, months) if start and months else None
    # The end of the training a state asks for is the day a licence can be applied for: the kind
    # of license.pgt_minimum_years ("requires at least ..."), an opening, never "overdue".
    res.due_kind = _pgt_kind(ev) if res.due else None
    if st:
        res.info["state"] = code
        if st.get("alternative_route"):
            res.info["alternative_route"] = st["alternative_route"]
        if st.get("notes"):
            res.info["state_notes"] = st["notes"]
        if st.get("step3_notes"):
            res.info["step3_notes"] = st["step3_notes"]
        ev.rule(res, "license.pgt_minimum_years")
    route = licence_route(ev, res, f, code, months)
    if route is not None:
        res.depends_on = route_dependencies(route)
        _finish_alternative(ev, res, f, code, st, route)
        return
    years = ev.program_years(StepResult("_"))
    if months and years and years * 12 < months:
        _add(res.warnings, W("img.licence.training_too_short", state_name=st.get('name', code), months=months, years=years * 12))
    tl_days = _int(st.get("training_license_days"))
    if tl_days and start and not _date(f.get("training_license_date")):
        res.actions.append(Action(F("img.licence.training_licence", state_name=st.get('name', code), tl_days=tl_days),
                                  start + dt.timedelta(days=tl_days), "deadline", key="training-licence"))
    checks = check_attempt_limits(ev, st, EXAMS) if st else []
    if _date(f.get("issued_date")):
        _issued(ev, res, f, code)
        return
    if _limits_block(ev, res, checks, EXAMS, st.get("name", code)):
        return
    prep_rule = ev.rule(res, "license.prepare_months")
    prep = (prep_rule.value if prep_rule is not None else None) or {}
    if res.due and prep.get("months_ahead"):
        # "start ... at least 6 months before": the rule's kind, a recommendation (never overdue)
        res.actions.append(Action(F("img.licence.start_fcvs"), add_months(res.due, -int(prep["months_ahead"])),
                                  "todo", key="start-fcvs", date_kind=(prep_rule.kind if prep_rule else None) or ""))
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
        # an opening: from that day on the action is for today, never "overdue"
        opening = not overdue_when_passed(res.due_kind)
        res.actions.append(Action(F("img.licence.apply_licence"), max(res.due, ev.today) if opening else res.due,
                                  "todo" if opening else "deadline", key="apply-licence"))


def _pgt_kind(ev: ImgEval) -> str | None:
    """The kind of the day the required post-graduate training is complete (the rule's)."""
    r = _rule(ev.ctx, "license.pgt_minimum_years", ev.today)
    return r.kind if r is not None else None



_STEP_LIMIT_KEY = {"usmle.step1": "step1_attempt_limit", "usmle.step2ck": "step2ck_attempt_limit",
                   "usmle.step3": "step3_attempt_limit"}
WITHIN, EXCEEDED = "within", "exceeded"  # and MET, below
_LIMIT_REACHED = ("img.licence.attempt_limit_reached", "img.route.own_attempt_limit_reached")


def attempt_limits(st: Mapping[str, Any]) -> dict[str, int]:
    """The attempt limit per exam step of a state record (license.state.XX) or of a route's own
    limits (license.route_attempts.XX): `step_attempt_limit` for every Step (e.g. Alaska 2, Texas
    3), overridden for one Step by its own key (`step3_attempt_limit`, e.g. Alabama 3 on Step 3
    only; `step1_attempt_limit`, `step2ck_attempt_limit`)."""
    per_step = _int(st.get("step_attempt_limit"))
    out = {}
    for sid in EXAMS:
        lim = _int(st.get(_STEP_LIMIT_KEY[sid])) or per_step
        if lim:
            out[sid] = lim
    return out


@dataclass(frozen=True)
class LimitCheck:
    """One attempt limit measured against the user's USMLE attempts (the exam records)."""

    exam: str | None  # the Step, or None for a total across the Steps
    limit: int
    used: int  # attempts counted against the limit (up to and including the pass)
    state: str  # met (passed within it) / within (not passed yet, attempts left) / exceeded
    passed_at: int | None = None  # the attempt that passed (per Step)
    to_pass: int = 0  # total: Steps not passed yet

    @property
    def finding(self) -> Finding:
        lim, used = self.limit, self.used
        if self.exam is None:
            if self.state == EXCEEDED:
                return F("img.licence.total_attempts_over", used=used, limit=lim, remaining=self.to_pass,
                         count=self.to_pass)
            if self.state == MET:
                return F("img.licence.total_attempts_met", used=used, limit=lim)
            return F("img.licence.total_attempts_within", used=used, limit=lim, left=lim - used,
                     remaining=self.to_pass, count=self.to_pass)
        if self.state == EXCEEDED:
            return (F("img.licence.over_limit_passed_at", step=self.exam, attempt=self.passed_at, limit=lim)
                    if self.passed_at else F("img.licence.over_limit_fails", step=self.exam, fails=used, limit=lim))
        if self.state == MET:
            return F("img.licence.limit_passed_within", step=self.exam, attempt=self.passed_at, limit=lim)
        return F("img.licence.limit_attempts_left", step=self.exam, fails=used, count=used, left=lim - used,
                 limit=lim)

    def to_json(self) -> dict[str, Any]:
        return {"exam": self.exam, "limit": self.limit, "used": self.used, "state": self.state,
                "passed_at": self.passed_at, "text": self.finding.text}


def _step_use(ev: ImgEval, sid: str) -> tuple[int, int | None]:
    """(attempts counted against a limit, the attempt that passed or None) for one Step: every
    attempt up to the pass; attempts recorded after a pass are not counted (a warning elsewhere)."""
    att = ev.attempts[sid]
    passed_at = next((i + 1 for i, a in enumerate(att) if a.result == "pass"), None)
    return (passed_at if passed_at else sum(1 for a in att if a.failed)), passed_at


def check_attempt_limits(ev: ImgEval, st: Mapping[str, Any], exams: tuple[str, ...]) -> list[LimitCheck]:
    """The limits of `st` (per Step, and `total_attempt_limit` across `exams`) measured against the
    user's attempts at `exams`, in journey order, the total last. A Step is over its limit when it
    was passed on a later attempt, or when its failures used every attempt; the total is over when
    the attempts used plus one for each Step still to pass exceed it."""
    out: list[LimitCheck] = []
    for sid, lim in attempt_limits(st).items():
        if sid not in exams:
            continue
        used, passed_at = _step_use(ev, sid)
        if (passed_at and passed_at > lim) or (passed_at is None and used >= lim):
            state = EXCEEDED
        else:
            state = MET if passed_at else WITHIN
        out.append(LimitCheck(sid, lim, used, state, passed_at))
    total = _int(st.get("total_attempt_limit"))
    if total and exams:
        uses = [_step_use(ev, sid) for sid in exams]
        used = sum(u for u, _ in uses)
        to_pass = sum(1 for _, p in uses if p is None)
        state = EXCEEDED if used + to_pass > total else (MET if not to_pass else WITHIN)
        out.append(LimitCheck(None, total, used, state, to_pass=to_pass))
    return out


def _exceeded(ev: ImgEval, checks: list[LimitCheck], exams: tuple[str, ...]) -> list[tuple[str, Finding]]:
    """(exam step, what is over the limit) for each exceeded check (a total across the Steps is
    named after the first Step still to pass, else the last one)."""
    return [(c.exam or next((s for s in exams if _step_use(ev, s)[1] is None), exams[-1]), c.finding)
            for c in checks if c.state == EXCEEDED]


def _limits_block(ev: ImgEval, res: StepResult, checks: list[LimitCheck], exams: tuple[str, ...], name: Any,
                  own: bool = False, later: tuple[str, ...] = ()) -> bool:
    """Put the limits on the step (info `attempt_limits` for the page); block it when one is exceeded,
    else say them met or within reach in one reason. True when blocked. A Step in `later` (one the
    route asks only for the conversion to a full licence) over its limit does not block the licence
    step: it bars the conversion (`compare_routes` says so and gives no full-licence date)."""
    if not checks:
        return False
    res.info.setdefault("attempt_limits", []).extend(c.to_json() for c in checks)
    if _block_over_limits(res, name, _exceeded(ev, _first_licence_checks(checks, later), exams), own):
        return True
    items = [c.finding for c in checks]
    res.reasons.append(F("img.route.own_attempt_limits_status", state_name=name, items=items) if own
                       else F("img.licence.attempt_limits_status", state_name=name, items=items))
    return False


def _first_licence_checks(checks: list[LimitCheck], later: tuple[str, ...]) -> list[LimitCheck]:
    """The checks that bind the first licence: all but those on a Step in `later` (asked only for
    the conversion to a full licence); a total across the Steps binds it too."""
    return [c for c in checks if c.exam is None or c.exam not in later]


def _block_over_limits(res: StepResult, name: Any, over: list[tuple[str, Finding]], own: bool = False) -> bool:
    """Block the licence on the limits that are exceeded (`own`: the route's own limits)."""
    if not over:
        return False
    res.status = BLOCKED
    items = [o for _, o in over]
    res.reasons.append(F("img.route.own_attempt_limit_reached", state_name=name, items=items) if own
                       else F("img.licence.attempt_limit_reached", state_name=name, items=items))
    first_exam = over[0][0]  # the exam named first (journey order)
    res.blocked_by.append(Blocker(first_exam, res.reasons[-1]))
    return True


# --------------------------------------------------------------------------------------------
# issue 13: the route to the licence (standard, or the target state's residency-free route), the
# route's conditions, the side-by-side comparison and the renewal of an issued licence.

STANDARD, ALTERNATIVE = "standard", "alternative"
MET, MISSING, PENDING, UNKNOWN, UNANSWERED = "met", "missing", "pending", "unknown", "unanswered"
UNK = "unknown"
# Conditions in the order the page lists them (the record keys of license_routes.toml).
ROUTE_CONDITIONS = ("licensed_abroad", "years_practice_abroad", "practice_recency_years", "foreign_pgt_required",
                    "ecfmg_certificate", "ecfmg_permanent", "ecfmg_eligible", "usmle_steps", "usmle_steps_full",
                    "jurisprudence_exam",
                    "employer_offer", "employer_kind", "english", "immigration_work", "immigration_eligible",
                    "immigration_presence", "immigration_status")
_EXAM_STEP = {1: "usmle.step1", 2: "usmle.step2ck", 3: "usmle.step3"}
# Conditions only the conversion to a full licence asks: they do not hold back the provisional one.
FULL_ONLY = ("usmle_steps_full",)
_WORK = ("authorised_to_work",)
_PRESENT = ("authorised_to_work", "lawful_presence", "applied")
_KIND_LABEL = {**dict(EMPLOYER_KINDS), "board_approved": "another employer the board approves"}


def _state_code(ev: ImgEval) -> str | None:
    code = ev.ctx.facts("license.state").get("state") or ev.tf.get("target_state")
    return code if isinstance(code, str) and code else None


def route_record(ev: ImgEval, code: str | None = None, on: dt.date | None = None) -> Mapping[str, Any] | None:
    """The target state's residency-free route (license.route.XX in force on `on`), or None."""
    code = code or _state_code(ev)
    r = _rule(ev.ctx, f"license.route.{code}", on) if code else None
    return r.value if r is not None and isinstance(r.value, Mapping) else None


def alternative_route_chosen(ev: ImgEval) -> bool:
    """The user chose the target state's residency-free route, and the state has one in force
    today: residency and the Match do not apply to that licence (ECFMG and the visa still do)."""
    return ev.ctx.facts("license.state").get("route") == ALTERNATIVE and route_record(ev) is not None


def not_applicable_on_route(ev: ImgEval, res: StepResult) -> bool:
    """For the Match and residency steps: mark `res` not applicable when the residency-free route
    is chosen (one guarded line at the top of each step)."""
    if not alternative_route_chosen(ev):
        return False
    res.status = NOT_APPLICABLE
    v = route_record(ev) or {}
    res.reasons.append(F("img.route.step_not_needed", state_name=v.get("name", _state_code(ev))))
    return True


def route_steps(v: Mapping[str, Any]) -> tuple[Any, Any]:
    """(the USMLE Steps the route's first licence needs, the Steps the conversion to a full licence
    adds), each a list of Step numbers or "unknown". A record that splits them says
    `usmle_steps_for_provisional` / `usmle_steps_for_full` (e.g. Steps 1 and 2 for the
    provisional licence, Step 3 for the full one); a record with the one `usmle_steps`
    list asks every Step before the first licence (the conversion adds none)."""
    if "usmle_steps_for_provisional" not in v and "usmle_steps_for_full" not in v:
        return v.get("usmle_steps", UNK), []
    prov = v.get("usmle_steps_for_provisional", UNK)
    full = v.get("usmle_steps_for_full", [])
    if isinstance(prov, list) and isinstance(full, list):
        full = [n for n in full if n not in prov]
    return prov, full


def route_dependencies(v: Mapping[str, Any]) -> tuple[str, ...]:
    """The steps a licence on the residency-free route `v` waits for: those its law asks for
    (the ECFMG certificate or only an eligible school, the USMLE Steps it names, English through
    the OET), in journey order. A condition the law leaves unknown adds no wait: the page says it
    as unknown instead of asserting a requirement (Step 3 is asked only where the route names it).
    Only the Steps of the first licence are waited for: a Step the law asks for the conversion to
    a full licence (route_steps) is a condition of that conversion, not of the licence step."""
    out: list[str] = []
    ec = v.get("ecfmg_certificate", UNK)
    if ec in ("required", "permanent_required"):
        out.append("ecfmg.certificate")
    elif ec in ("eligible_required", "school_eligible_only"):
        out.append("ecfmg.school")
    if v.get("english") == "required":
        out.append("ecfmg.oet")
    steps, _ = route_steps(v)
    if isinstance(steps, list):
        out += [_EXAM_STEP[n] for n in steps if n in _EXAM_STEP]
    order = {sid: i for i, sid in enumerate(s.id for s in STEPS)}
    return tuple(sorted(dict.fromkeys(out), key=order.__getitem__))


@dataclass(frozen=True)
class Condition:
    """One condition of a licensure route and its state for the profile."""

    key: str  # one of ROUTE_CONDITIONS
    state: str  # met / missing / pending / unknown / unanswered
    params: Mapping[str, Any]
    date: dt.date | None = None  # pending: when it is expected

    @property
    def finding(self) -> Finding:
        what = _TOPIC[self.key]() if self.state == UNKNOWN else _COND[self.key](**self.params)
        if self.state == PENDING:
            return F("img.route.condition_pending", what=what, date=self.date)
        return _STATE[self.state](what)

    def to_json(self) -> dict[str, Any]:
        # ISO dates, as in every stored or exported text (the comparison shows them as the GUI shows dates)
        return {"key": self.key, "state": self.state, "date": self.date.isoformat() if self.date else None,
                "text": self.finding.to_json()["text"]}


# Literal codes (tests/test_wording.py finds every code the engine can emit by reading them).
_COND: dict[str, Any] = {
    "licensed_abroad": lambda: F("img.route.cond_licensed_abroad"),
    "years_practice_abroad": lambda years, have: F("img.route.cond_years_practice_abroad", years=years, have=have),
    "practice_recency_years": lambda years, since: F("img.route.cond_practice_recency_years", years=years, since=since),
    "foreign_pgt_required": lambda: F("img.route.cond_foreign_pgt_required"),
    "ecfmg_certificate": lambda: F("img.route.cond_ecfmg_certificate"),
    "ecfmg_permanent": lambda: F("img.route.cond_ecfmg_permanent"),
    "ecfmg_eligible": lambda: F("img.route.cond_ecfmg_eligible"),
    "usmle_steps": lambda steps: F("img.route.cond_usmle_steps", steps=steps),
    "usmle_steps_full": lambda steps: F("img.route.cond_usmle_steps_full", steps=steps),
    "jurisprudence_exam": lambda: F("img.route.cond_jurisprudence_exam"),
    "employer_offer": lambda: F("img.route.cond_employer_offer"),
    "employer_kind": lambda kinds: F("img.route.cond_employer_kind", kinds=kinds),
    "english": lambda: F("img.route.cond_english"),
    "immigration_work": lambda: F("img.route.cond_immigration_work"),
    "immigration_eligible": lambda: F("img.route.cond_immigration_eligible"),
    "immigration_presence": lambda: F("img.route.cond_immigration_presence"),
}
_TOPIC: dict[str, Any] = {
    "licensed_abroad": lambda: F("img.route.topic_licensed_abroad"),
    "years_practice_abroad": lambda: F("img.route.topic_years_practice_abroad"),
    "practice_recency_years": lambda: F("img.route.topic_practice_recency_years"),
    "foreign_pgt_required": lambda: F("img.route.topic_foreign_pgt_required"),
    "ecfmg_certificate": lambda: F("img.route.topic_ecfmg_certificate"),
    "usmle_steps": lambda: F("img.route.topic_usmle_steps"),
    "jurisprudence_exam": lambda: F("img.route.topic_jurisprudence_exam"),
    "employer_offer": lambda: F("img.route.topic_employer_offer"),
    "employer_kind": lambda: F("img.route.topic_employer_kind"),
    "english": lambda: F("img.route.topic_english"),
    "immigration_status": lambda: F("img.route.topic_immigration_status"),
}
_STATE: dict[str, Any] = {
    MET: lambda what: F("img.route.condition_met", what=what),
    MISSING: lambda what: F("img.route.condition_missing", what=what),
    UNANSWERED: lambda what: F("img.route.condition_unanswered", what=what),
    UNKNOWN: lambda what: F("img.route.condition_unknown", what=what),
}


def _yes_no(v: Any) -> str:
    return UNANSWERED if not isinstance(v, bool) else (MET if v else MISSING)


def _step_state(ev: ImgEval, sid: str) -> tuple[str, dt.date | None]:
    r = ev.res.get(sid)
    if r is None:
        return UNANSWERED, None
    if r.status in (DONE, NOT_APPLICABLE):
        return MET, None
    if r.status in (BLOCKED, EXPIRED):
        return MISSING, None
    e = r.info.get("expected_on")
    return (PENDING, e) if isinstance(e, dt.date) else (MISSING, None)


def route_conditions(ev: ImgEval, v: Mapping[str, Any], f: Mapping[str, Any]) -> list[Condition]:
    """Each condition of the route record `v` for this profile: met, missing, pending (an engine
    step expected on a date), unknown (the rules do not say: ask the board) or unanswered (a fact
    of the licence page not given yet). Conditions the route does not ask are left out."""
    out: list[Condition] = []
    today = ev.today

    def add(key: str, state: str, date: dt.date | None = None, **params: Any) -> None:
        out.append(Condition(key, state, params, date))

    la = v.get("licensed_abroad", UNK)
    if la == UNK:
        add("licensed_abroad", UNKNOWN)
    elif la == "required":
        add("licensed_abroad", _yes_no(f.get("licensed_abroad")))
    need = v.get("years_practice_abroad", UNK)
    have = _int(f.get("years_practice_abroad"))
    if need == UNK:
        add("years_practice_abroad", UNKNOWN)
    elif _int(need):
        add("years_practice_abroad", UNANSWERED if have is None else (MET if have >= need else MISSING),
            years=need, have=have)
    rec = v.get("practice_recency_years", UNK)
    if rec == UNK:
        add("practice_recency_years", UNKNOWN)
    elif _int(rec):
        last = _date(f.get("last_practice_date"))
        since = add_years_same_day(today, -int(rec))
        if last is None:
            # empty = practising now, once the years of practice are given
            state = MET if have else UNANSWERED
        else:
            state = MET if last >= since else MISSING
        add("practice_recency_years", state, years=rec, since=since)
    pgt = v.get("foreign_pgt_required", UNK)
    if pgt == UNK:
        add("foreign_pgt_required", UNKNOWN)
    elif pgt == "required":
        add("foreign_pgt_required", _yes_no(f.get("foreign_residency_completed")))
    elif pgt == "alternative":
        done = f.get("foreign_residency_completed")
        yrs = _int(need)
        if done is True or (yrs and have is not None and have >= yrs):
            add("foreign_pgt_required", MET)
        elif done is False and have is not None:
            add("foreign_pgt_required", MISSING)
        else:
            add("foreign_pgt_required", UNANSWERED)
    ec = v.get("ecfmg_certificate", UNK)
    if ec == UNK:
        add("ecfmg_certificate", UNKNOWN)
    elif ec in ("required", "permanent_required"):
        st, d = _step_state(ev, "ecfmg.certificate")
        if ec == "permanent_required" and st == MET:
            perm = ev.ctx.facts("ecfmg.certificate").get("permanently_validated")
            st = MET if perm is True else MISSING
        add("ecfmg_permanent" if ec == "permanent_required" else "ecfmg_certificate", st, d)
    elif ec in ("eligible_required", "school_eligible_only"):
        st, d = _step_state(ev, "ecfmg.school")
        add("ecfmg_eligible", st, d)
    steps, full_steps = route_steps(v)
    for key, nums in (("usmle_steps", steps), ("usmle_steps_full", full_steps)):
        if nums == UNK:
            add(key, UNKNOWN)  # only the first licence's Steps are ever unknown in a record (rules-format)
        elif isinstance(nums, list) and nums:
            sids = [_EXAM_STEP[n] for n in nums if n in _EXAM_STEP]
            sts = [_step_state(ev, sid) for sid in sids]
            if all(s == MET for s, _ in sts):
                add(key, MET, steps=sids)
            elif all(s in (MET, PENDING) for s, _ in sts):
                add(key, PENDING, max(d for s, d in sts if d), steps=sids)
            else:
                add(key, MISSING, steps=sids)
    je = v.get("jurisprudence_exam", UNK)
    if je == UNK:
        add("jurisprudence_exam", UNKNOWN)
    elif je == "required":
        add("jurisprudence_exam", _yes_no(f.get("jurisprudence_exam_passed")))
    offer: Mapping[str, Any] = v["employer_offer"] if isinstance(v.get("employer_offer"), Mapping) else {}
    os_ = offer.get("status", UNK)
    kinds = [k for k in offer.get("kinds", []) if k != UNK]
    labels = [_KIND_LABEL.get(k, k) for k in kinds]
    if os_ == UNK:
        add("employer_offer", UNKNOWN)
    elif os_ == "required":
        add("employer_offer", _yes_no(f.get("job_offer")))
        kind = f.get("job_offer_kind")
        if not kinds:
            add("employer_kind", UNKNOWN)
        elif not isinstance(kind, str) or not kind:
            add("employer_kind", UNANSWERED, kinds=labels)
        elif kind in kinds:
            add("employer_kind", MET, kinds=labels)
        elif "board_approved" in kinds:
            add("employer_kind", UNKNOWN)  # another kind the board may approve: ask it
        else:
            add("employer_kind", MISSING, kinds=labels)
    en = v.get("english", UNK)
    if en == UNK:
        add("english", UNKNOWN)
    elif en == "required":
        st, d = _step_state(ev, "ecfmg.oet")
        add("english", st, d)
    im = v.get("immigration_status", UNK)
    if im == UNK:
        add("immigration_status", UNKNOWN)
    else:
        mine = f.get("immigration_status")
        if ev.visa_need in ("us_citizen", "permanent_resident"):
            mine = "authorised_to_work"
        key = {"required": "immigration_work", "eligible_then_work_authorisation": "immigration_eligible"}.get(
            im, "immigration_presence")
        ok = _WORK if im == "required" else _PRESENT
        add(key, UNANSWERED if not mine else (MET if mine in ok else MISSING))
    return out


@dataclass(frozen=True)
class RouteOption:
    """One column of the licence page's comparison."""

    route: str  # standard / alternative
    available: bool  # the state has this route (standard: always)
    earliest_full: dt.date | None  # the earliest full-licence date for this profile (None: cannot be said)
    provisional: dt.date | None = None  # alternative: the earliest provisional / limited licence
    why: Finding | None = None  # why there is no date, or what the date assumes
    conditions: tuple[Condition, ...] = ()
    intermediate: dt.date | None = None  # alternative: the earliest middle licence (Nebraska's transitional)

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"route": self.route, "available": self.available, "earliest_full": iso(self.earliest_full),
                "provisional": iso(self.provisional), "intermediate": iso(self.intermediate),
                "why": self.why.to_json()["text"] if self.why else None,
                "why_code": self.why.code if self.why else None,
                "conditions": [c.to_json() for c in self.conditions]}


def _alternative_dates(ev: ImgEval, v: Mapping[str, Any], conds: list[Condition],
                       f: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None, dt.date | None, Finding]:
    """(earliest provisional, earliest middle licence, earliest full, what they assume or why there
    is none). The provisional date comes from the conditions of the first licence, and there is
    none when every one of them is unknown (nothing read to date it from: said as not recorded),
    nor, where the Steps it asks are unknown, before every USMLE Step is passed or expected; the
    full-licence date also waits for the Steps only the conversion asks (FULL_ONLY): one still to
    pass, with no date expected, leaves the full licence without a date and says so. A date that
    assumes the conditions not published add nothing says so, also beside an unpublished
    conversion. A route with a middle licence (`intermediate_licence`, Nebraska's transitional
    licence) dates it and the full one from it (_intermediate_dates); any other route has no
    middle date (None)."""
    name = v.get("name", "")
    if v.get("board_accepting_applications") is False:
        return None, None, None, F("img.route.board_not_accepting", state_name=name)
    first = [c for c in conds if c.key not in FULL_ONLY]
    later = [c for c in conds if c.key in FULL_ONLY and c.state != MET]
    blocking = [c for c in first if c.state in (MISSING, UNANSWERED)]
    start = _date(f.get("provisional_issued_date"))
    issued = start is not None
    if start is None:
        if blocking:
            return None, None, None, F("img.route.no_date_until_met", count=len(blocking))
        if first and all(c.state == UNKNOWN for c in first):
            # nothing read says what the first licence asks: a date (today) would rest on nothing
            return None, None, None, F("img.route.conditions_unpublished", state_name=name)
        dates = [ev.today] + [c.date for c in first if c.state == PENDING and c.date]
        if any(c.key == "usmle_steps" and c.state == UNKNOWN for c in first):
            # which Steps is not published: a date only once no Step could hold it back (each passed,
            # or expected on a date), never one that an unread Step list would make too early
            steps = [_step_state(ev, sid) for sid in EXAMS]
            if not all(st in (MET, PENDING) for st, _ in steps):
                return None, None, None, F("img.route.steps_unpublished_no_date", state_name=name)
            dates += [d for st, d in steps if st == PENDING and d]
        eff = _date(v.get("law_effective"))
        if eff:
            dates.append(eff)
        start = max(dates)
    full_direct = v.get("licence_kind") == "full" or v.get("converts_to_full_after_years") == "not_applicable"
    unknown = any(c.state == UNKNOWN for c in conds)
    note = F("img.route.dates_assume_unknowns") if unknown else F("img.route.dates_without_processing")
    prov = None if full_direct else start
    yrs = _int(v.get("converts_to_full_after_years"))
    if not full_direct and yrs is None:
        # a provisional date not yet issued that rests on conditions not published says so too
        assumed = not issued and any(c.state == UNKNOWN for c in first)
        return prov, None, None, (F("img.route.conversion_unpublished_dates_assume_unknowns", state_name=name)
                                  if assumed else F("img.route.conversion_unpublished", state_name=name))
    mid = v.get("intermediate_licence")
    mid_issued = _date(f.get("intermediate_issued_date")) if isinstance(mid, Mapping) else None
    missing = [sid for c in later if c.state != PENDING for sid in c.params.get("steps", ())]
    if missing and mid_issued is None:
        return prov, None, None, F("img.route.full_waits_for_steps", state_name=name, steps=missing)
    if isinstance(mid, Mapping) and not full_direct:
        return (prov, *_intermediate_dates(ev, v, mid, mid_issued, start, yrs or 0, note))
    full = start if full_direct else add_years_same_day(start, yrs or 0)
    # the conversion's Steps passed (their result) or booked (the expected one): never before them
    done = [ev.expected_on(sid) for sid in _full_only_exams(v)]
    return prov, None, max([full] + [c.date for c in later if c.date] + [d for d in done if d]), note


def _intermediate_dates(ev: ImgEval, v: Mapping[str, Any], mid: Mapping[str, Any], issued: dt.date | None,
                        start: dt.date, yrs: int, note: Finding) -> tuple[dt.date | None, dt.date | None, Finding]:
    """(earliest middle licence, earliest full licence, what they assume or why there is none) on a
    route whose provisional licence leads to a middle one before the full one (Neb. Rev. Stat.
    38-2067 / 38-2068: the transitional licence after 3 years on the provisional one and with Step 3;
    the unrestricted licence after at least 3 years on each). The middle licence waits for the later
    of `after_provisional_years` on the provisional licence and the result of its Steps (passed, or
    expected from a booked sitting: a missing one was said before this); the full licence comes
    `min_years` after it, never before `converts_to_full_after_years` on the provisional. Where the
    Steps come after the provisional licence's longest term (`provisional_years` plus
    `provisional_extension_years`, 38-2066(2): at most six years), there is no middle licence and no
    full-licence date. `issued`: the middle licence's issue date the user gave."""
    name = v.get("name", "")
    after, hold = _int(mid.get("after_provisional_years")) or 0, _int(mid.get("min_years")) or 0
    steps = [_EXAM_STEP[n] for n in mid.get("usmle_steps", []) if n in _EXAM_STEP]
    if issued is None:
        ready = [d for d in (ev.expected_on(sid) for sid in steps) if d]
        earliest = add_years_same_day(start, after)
        issued = max([earliest] + ready)
        term, ext = _int(v.get("provisional_years")), _int(v.get("provisional_extension_years"))
        if term and ext is not None:
            ends = add_years_same_day(start, term + ext)
            if issued > ends:
                return None, None, F("img.route.provisional_ends_before_intermediate", state_name=name,
                                     steps=steps, ends=ends, years=term + ext)
        if issued > earliest:
            note = F("img.route.intermediate_waits_for_steps", state_name=name, steps=steps, date=issued,
                     after=after, hold=hold)
    return issued, max(add_years_same_day(issued, hold), add_years_same_day(start, yrs)), note


def _standard_full(ev: ImgEval, due: dt.date | None, months: int | None) -> tuple[dt.date | None, Finding | None]:
    """(the standard route's earliest full-licence date, what it assumes or why there is none): the
    later of the state's training months and the ECFMG certificate, and of Step 3 as the user's own
    records have it: passed (its result), booked (the booked sitting's expected result) or neither.
    Neither: the date is not made up from a Step 3 "taken during residency"; it is the later of the
    training and the earliest result a sitting from today could give (after the next attempt the
    rules allow, and the certificate FSMB asks first), and the note says Step 3 is not booked. A
    Step 3 barred by the USMLE's own attempt limit gives no date (the state's limits: compare_routes)."""
    if due is None:
        return None, F("img.route.standard_needs_start")
    cert = ev.expected_on("ecfmg.certificate")
    s3 = ev.res.get("usmle.step3")
    known = ev.expected_on("usmle.step3")
    if s3 is None or known is not None or s3.status in (DONE, NOT_APPLICABLE):
        later = [d for d in (known, cert) if d]
        return max([due, *later]), F("img.route.standard_after_training", months=months)
    if s3.status in (BLOCKED, EXPIRED) and any(b.step != "ecfmg.certificate" for b in s3.blocked_by):
        return None, F("img.route.standard_step3_barred")
    allowed = s3.info.get("next_attempt_from")
    sit = max(d for d in (ev.today, allowed if isinstance(allowed, dt.date) else None, cert) if d)
    result = ev.turnaround(StepResult("_"), sit)[0] or sit
    full = max(d for d in (due, cert, result) if d)
    if result > due and result >= (cert or result):
        return full, F("img.route.standard_step3_unbooked_late", months=months, sit=sit, result=result)
    return full, F("img.route.standard_step3_unbooked", months=months, date=full)


def _route_limits(ev: ImgEval, v: Mapping[str, Any], code: str | None, st: Mapping[str, Any],
                  on: dt.date | None) -> Mapping[str, Any] | None:
    """The attempt limits that bind the residency-free route `v`: its own record (`"own"`), the
    state's (`"applies"`), else None (not applied: said as not published on the step)."""
    how = v.get("state_attempt_limits", UNK)
    if how == "own":
        r = route_own_limits(ev, code, on)
        return r.value if r is not None and isinstance(r.value, Mapping) else None
    return st if how == "applies" else None


def compare_routes(ev: ImgEval, res: StepResult, f: Mapping[str, Any], code: str | None,
                   standard_due: dt.date | None, months: int | None = None) -> list[RouteOption]:
    """The standard route and the target state's residency-free route side by side, each with
    the earliest full-licence date it gives for this profile (none where an attempt limit of that
    route is exceeded: the column says which)."""
    on = _date(f.get("applied_date"))
    r = _rule(ev.ctx, f"license.state.{code}", on) if code else None
    st: Mapping[str, Any] = r.value if r is not None and isinstance(r.value, Mapping) else {}
    full, why = _standard_full(ev, standard_due, months)
    over = _exceeded(ev, check_attempt_limits(ev, st, EXAMS), EXAMS) if st else []
    if over:
        full, why = None, F("img.licence.attempt_limit_reached", state_name=st.get("name", code),
                            items=[o for _, o in over])
    out = [RouteOption(STANDARD, True, full, None, why)]
    v = route_record(ev, code)
    if v is None:
        out.append(RouteOption(ALTERNATIVE, False, None, None,
                               F("img.route.none_in_state", state_name=code) if code else F("img.licence.choose_state")))
        return out
    conds = route_conditions(ev, v, f)
    prov, mid, afull, awhy = _alternative_dates(ev, v, conds, f)
    limits = _route_limits(ev, v, code, st, on)
    exams = _route_exams(v)
    later = _full_only_exams(v)
    checks = check_attempt_limits(ev, limits, exams) if limits else []
    over = _exceeded(ev, _first_licence_checks(checks, later), exams)
    # a limit exceeded on a Step only the conversion asks bars the full licence, not the provisional one
    over_full = _exceeded(ev, [c for c in checks if c.exam is not None and c.exam in later], exams)
    name = v.get("name", code)
    if over:
        items = [o for _, o in over]
        prov, mid, afull, awhy = None, None, None, (
            F("img.route.own_attempt_limit_reached", state_name=name, items=items)
            if v.get("state_attempt_limits") == "own" else F("img.licence.attempt_limit_reached", state_name=name,
                                                              items=items))
    elif over_full:  # the Step bars the middle licence too (Nebraska's transitional licence asks Step 3)
        mid = None if isinstance(v.get("intermediate_licence"), Mapping) else mid
        afull, awhy = None, F("img.route.full_barred_by_attempt_limit", state_name=name,
                              steps=[sid for sid, _ in over_full], items=[o for _, o in over_full])
    out.append(RouteOption(ALTERNATIVE, True, afull, prov, awhy, tuple(conds), mid))
    return out


@dataclass(frozen=True)
class ComparisonColumn:
    """One column of the comparison as the licence page shows it (read from an evaluated step)."""

    route: str
    available: bool
    earliest_full: dt.date | None
    provisional: dt.date | None
    note: str  # what the date assumes, or why there is none ("" when nothing to say)
    conditions: tuple[tuple[str, str], ...]  # (state, words)
    intermediate: dt.date | None = None  # the middle licence between the two (Nebraska's transitional)


def route_comparison(step: StepResult) -> list[ComparisonColumn]:
    """The standard and the residency-free route of an evaluated licence step, side by side (what
    `license_state` put in its info `route_comparison`); empty for any other step."""
    iso = lambda v: dt.date.fromisoformat(v) if isinstance(v, str) and v else None  # noqa: E731
    return [ComparisonColumn(o["route"], bool(o["available"]), iso(o.get("earliest_full")), iso(o.get("provisional")),
                             o.get("why") or "", tuple((c["state"], c["text"]) for c in o.get("conditions", [])),
                             iso(o.get("intermediate")))
            for o in step.info.get("route_comparison") or []]


def licence_route(ev: ImgEval, res: StepResult, f: Mapping[str, Any], code: str | None,
                  months: int | None) -> Mapping[str, Any] | None:
    """Say the route on the step (info `route`, the comparison) and return the route record when
    the residency-free route is chosen and exists."""
    standard_due = add_months(ev.start, months) if ev.start and months else None
    chosen = f.get("route") or STANDARD
    v = route_record(ev, code)
    if v is not None:
        ev.rule(res, f"license.route.{code}")
    elif chosen == ALTERNATIVE:
        _add(res.warnings, W("img.route.none_in_state", state_name=code or "?"))
    comp = compare_routes(ev, res, f, code, standard_due, months)
    res.info["route"] = ALTERNATIVE if (chosen == ALTERNATIVE and v is not None) else STANDARD
    res.info["route_comparison"] = [o.to_json() for o in comp]
    return v if res.info["route"] == ALTERNATIVE else None


def _finish_alternative(ev: ImgEval, res: StepResult, f: Mapping[str, Any], code: str | None,
                        st: Mapping[str, Any], v: Mapping[str, Any]) -> None:
    alt = next(o for o in compare_routes(ev, res, f, code, None) if o.route == ALTERNATIVE)
    name = v.get("name", code)
    res.info["route_conditions"] = [c.to_json() for c in alt.conditions]
    res.info["licence_kind"] = v.get("licence_kind")
    for c in alt.conditions:
        res.reasons.append(c.finding)
    if alt.why is not None and alt.why.code not in _LIMIT_REACHED:  # the block below says that one
        res.reasons.append(alt.why)
    if v.get("supervision") == "required":
        res.reasons.append(F("img.route.supervised", state_name=name))
    if v.get("board_accepting_applications") == UNK:
        _add(res.warnings, W("img.route.board_accepting_unknown", state_name=name))
    if _date(f.get("issued_date")):
        _issued(ev, res, f, code)
        return
    if _route_attempt_limits(ev, res, st, code, v, _date(f.get("applied_date"))):
        res.due = res.due_kind = None  # the standard route's date is not this route's; barred, it has none
        return
    res.due = alt.earliest_full
    res.due_kind = _pgt_kind(ev) if res.due else None  # the earliest full licence: an opening as well
    if alt.provisional:
        res.info["provisional_on"] = alt.provisional
    if alt.intermediate:
        res.info["intermediate_on"] = alt.intermediate
    if alt.earliest_full:
        res.info["full_on"] = alt.earliest_full
    prov_done = _date(f.get("provisional_issued_date"))
    if prov_done or _date(f.get("applied_date")):
        res.status = IN_PROGRESS
    if not prov_done and alt.provisional and v.get("licence_kind") != "full":
        # the first day the provisional licence can be had: an opening
        res.actions.append(Action(F("img.route.apply_provisional", state_name=name), alt.provisional,
                                  "todo", key="apply-provisional", date_kind="opens"))
    if alt.intermediate and not _date(f.get("intermediate_issued_date")):
        # the first day the transitional licence can be had: an opening
        res.actions.append(Action(F("img.route.apply_intermediate", state_name=name), alt.intermediate,
                                  "todo", key="apply-intermediate", date_kind="opens"))
    if alt.earliest_full:
        # the earliest full licence is an opening: once passed, the action is for today
        res.actions.append(Action(F("img.route.apply_full", state_name=name), max(alt.earliest_full, ev.today),
                                  "deadline" if prov_done else "todo", key="apply-licence"))


def route_own_limits(ev: ImgEval, code: str | None, on: dt.date | None = None) -> Any:
    """The residency-free route's own USMLE attempt limits (license.route_attempts.XX in force on
    `on`: the route's law sets them; no bundled route has one, tests use fixtures), or None."""
    return _rule(ev.ctx, f"license.route_attempts.{code}", on) if code else None


def full_only_exams(v: Mapping[str, Any]) -> tuple[str, ...]:
    """The exam step ids (e.g. "usmle.step3") the route record `v` asks only for the full licence."""
    return _full_only_exams(v)


def _full_only_exams(v: Mapping[str, Any]) -> tuple[str, ...]:
    """The exam steps the route `v` asks only for the conversion of its provisional licence to a
    full one (route_steps, e.g. a Step 3 asked only for it); none where the first licence is the full one."""
    if v.get("licence_kind") == "full" or v.get("converts_to_full_after_years") == "not_applicable":
        return ()
    _, full = route_steps(v)
    return tuple(_EXAM_STEP[n] for n in full if n in _EXAM_STEP) if isinstance(full, list) else ()


def _route_exams(v: Mapping[str, Any]) -> tuple[str, ...]:
    steps = v.get("usmle_steps")
    return tuple(_EXAM_STEP[n] for n in steps if n in _EXAM_STEP) if isinstance(steps, list) else EXAMS


def _route_attempt_limits(ev: ImgEval, res: StepResult, st: Mapping[str, Any], code: str | None,
                          v: Mapping[str, Any], on: dt.date | None = None) -> bool:
    """The USMLE attempt limits on the residency-free route, applied to the Steps the route asks
    for: the route's own (`state_attempt_limits = "own"`: the license.route_attempts.XX record,
    with its own sources and confidence), or the state's where the route's law (or the state's
    rule for every applicant) says they apply; where the law is silent, or the route's own limit
    is not recorded for the date, said as not published. True when the licence is blocked."""
    exams = _route_exams(v)
    how = v.get("state_attempt_limits", UNK)
    name = v.get("name", code)
    if how == "own":
        r = ev.rule(res, f"license.route_attempts.{code}", on) if route_own_limits(ev, code, on) else None
        limits = r.value if r is not None and isinstance(r.value, Mapping) else None
        if limits is None:
            _add(res.warnings, W("img.route.own_attempt_limits_unpublished", state_name=name))
            return False
        checks = check_attempt_limits(ev, limits, exams)
        res.info["route_attempt_limits"] = {c.exam or "total": c.limit for c in checks}
        return _limits_block(ev, res, checks, exams, name, own=True, later=_full_only_exams(v))
    checks = check_attempt_limits(ev, st or {}, exams)
    if not checks:
        return False
    if how == "applies":
        res.info["route_attempt_limits"] = {c.exam or "total": c.limit for c in checks}
        return _limits_block(ev, res, checks, exams, name, later=_full_only_exams(v))
    if how != "not_applicable":
        _add(res.warnings, W("img.route.attempt_limits_unpublished", state_name=name,
                             limit=max(c.limit for c in checks)))
    return False


# Renewal of an issued licence (license.renewal.XX)

def _renewal_first(v: Mapping[str, Any], issued: dt.date, birth: dt.date | None) -> dt.date | None:
    years, rule = _int(v.get("years")), v.get("rule")
    if not years:
        return None
    if rule == "issue_month":
        return end_of_month(add_years_same_day(issued, years))
    if rule == "birth_month" and birth:
        return end_of_month(dt.date(issued.year + years, birth.month, 1))
    if rule == "fixed_date" and _int(v.get("month")) and _int(v.get("day")):
        parity = v.get("year_parity", "any")
        d = dt.date(issued.year, int(v["month"]), int(v["day"]))
        while d <= issued or (parity == "even" and d.year % 2) or (parity == "odd" and not d.year % 2):
            d = dt.date(d.year + 1, d.month, d.day)
        return d
    return None


def renewal_due(ev: ImgEval, res: StepResult, f: Mapping[str, Any], code: str | None) -> dt.date | None:
    """The next renewal due date of an issued licence (on or after today), from the printed
    expiry when given, else from the state's cycle; None where the cycle gives no date."""
    issued = _date(f.get("issued_date"))
    printed = _date(f.get("renewal_due_date"))
    if printed:
        return printed
    if issued is None or not code:
        return None
    r = ev.rule(res, f"license.renewal.{code}", issued)
    if r is None or not isinstance(r.value, Mapping):
        _add(res.warnings, W("img.route.renewal_unpublished", state_name=code))
        return None
    v = r.value
    first = _renewal_first(v, issued, _date(ev.tf.get("birth_date")))
    years = _int(v.get("years"))
    if first is None:
        _add(res.warnings, W("img.route.renewal_date_on_licence", state_name=code, years=years or "?"))
        return None
    d = first
    while years and d < ev.today:
        d = add_years_same_day(d, years) if v.get("rule") == "fixed_date" else end_of_month(add_years_same_day(d, years))
    return d


def _issued(ev: ImgEval, res: StepResult, f: Mapping[str, Any], code: str | None) -> None:
    """The licence is issued: done, with its renewal due date (an expiry, like a card's, so
    reminders and the .ics pick it up), or expired once that date has passed unrenewed."""
    issued = _date(f.get("issued_date"))
    res.status = DONE
    res.info["completed_on"] = issued
    due = renewal_due(ev, res, f, code)
    if due is None:
        return
    res.expires = due
    res.info["renewal_due"] = due
    res.actions.append(Action(F("img.route.renew_licence"), due, "deadline", key="licence-renewal"))
    if due < ev.today:
        res.status = EXPIRED
        res.reasons.append(F("img.route.licence_lapsed", date=due))
