"""What every stage of the `img` evaluation shares: tolerant readers of user data, the exam
attempts, and `ImgEval`, the state of one evaluation (the facts, the Match calendar, the results
so far) with its rule lookups. The steps themselves live in one module per stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ... import match_calendar
from ...rules import Rule
from ...validate import parse_date
from ..base import (
    AT_RISK,
    BLOCKED,
    Context,
    DependencyPolicy,
    StepDef,
    StepResult,
    TrackResult,
    link_dependencies,
)
from ..findings import Finding, W
from .definitions import _DEF, CAL_OWNER, EXAMS, STEPS, TRACK

POLICY = DependencyPolicy()  # waiting for a blocked step blocks; the root cause is named once

# Small helpers (never raise on user data: evaluation must survive any profile)

def _date(v: Any) -> dt.date | None:
    try:
        return parse_date(v)
    except (ValueError, TypeError):
        return None


def _int(v: Any) -> int | None:
    if type(v) is int:
        return v
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return None


def _fmt(d: dt.date | None) -> str:
    return d.isoformat() if d else "?"


def _rule(ctx: Context, rule_id: str, on: dt.date | None = None) -> Rule | None:
    """The record of `rule_id` in force on `on` (with the user's override), or None."""
    if rule_id not in ctx.rules:
        return None
    return ctx.rule(rule_id, on)


def _list(v: Any) -> list[Mapping[str, Any]]:
    # `type(x) is dict` first: a profile's records are dicts, and the Mapping check is an ABC's
    return [x for x in v if type(x) is dict or isinstance(x, Mapping)] if isinstance(v, list) else []


class Attempt(NamedTuple):  # a tuple: built hundreds of times per evaluation of a long history
    date: dt.date
    result: str
    score: int | None
    result_date: dt.date | None

    @property
    def failed(self) -> bool:
        return self.result in ("fail", "incomplete")


def _attempts(facts: Mapping[str, Any]) -> list[Attempt]:
    out = []
    for a in _list(facts.get("attempts")):
        d = _date(a.get("date"))
        if d is None or a.get("result") not in ("pass", "fail", "incomplete"):
            continue
        out.append(Attempt(d, a["result"], _int(a.get("score")), _date(a.get("result_date"))))
    return sorted(out, key=lambda a: a.date)




def _add(lst: list[Finding], text: Finding) -> None:
    if text not in lst:
        lst.append(text)


class ImgEval:
    """One evaluation of the img track on ctx.today: the shared state and lookups."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.today = ctx.today
        self.tf = ctx.facts(TRACK)
        self.res: dict[str, StepResult] = {}
        self.M = _int(self.tf.get("match_year"))
        if self.M is not None and not (1950 <= self.M <= 2200):
            self.M = None
        self.visa_need = self.tf.get("visa_need") or "undecided"
        self.cal: dict[str, match_calendar.CalendarDate] = {}
        if self.M is not None:
            on = dt.date(self.M, 1, 1)
            self.cal = match_calendar.calendar(self.M, lambda rid: _rule(ctx, rid, on))
        self.attempts = {s: _attempts(ctx.facts(s)) for s in EXAMS}
        self.start = self.start_date()
        self.legacy_cs = ctx.facts("ecfmg.pathway").get("legacy_cs_pass") is True
        self._exam_lead: dt.date | None = None  # set by _application_due
        self._root: dict[str, tuple[str, Finding]] = {}  # step blocked through a dependency -> (root step, reason)
        # rule id -> (what `find` answered last, the dates it holds for: from, until)
        self._spans: dict[str, tuple[Rule | None, dt.date | None, dt.date | None]] = {}

    def find(self, rule_id: str, on: dt.date | None = None) -> Rule | None:
        """`_rule(ctx, rule_id, on)`, without the lookup when `on` falls in the dates of the answer
        given last for `rule_id`: the period of the record found (a rule's periods never overlap,
        core/rules.py refuses that; the user's override applies the same way to every date of it),
        or the gap between two periods when none was in force. Lives only as long as this
        evaluation: a loop over hundreds of exam records asks for the same record again and again."""
        on = on or self.today
        span = self._spans.get(rule_id)
        if span is not None and (span[1] is None or span[1] <= on) and (span[2] is None or on < span[2]):
            return span[0]
        r = _rule(self.ctx, rule_id, on)
        if r is not None:
            self._spans[rule_id] = (r, r.valid_from, r.valid_until)
        elif rule_id in self.ctx.rules and rule_id not in self.ctx.overrides:
            recs = self.ctx.rules.records(rule_id)
            lo = max((x.valid_until for x in recs if x.valid_until is not None and x.valid_until <= on), default=None)
            hi = min((x.valid_from for x in recs if x.valid_from is not None and x.valid_from > on), default=None)
            self._spans[rule_id] = (None, lo, hi)
        return r

    def rule(self, res: StepResult, rule_id: str, on: dt.date | None = None, quiet: bool = False) -> Rule | None:
        """The record in force on `on`, added to the step's rules. Its confidence or conflict note
        becomes a warning unless `quiet` (the rule's mark is said on the step that owns it, or the
        step's own wording already says it); a user's override is always said."""
        r = res.use(self.find(rule_id, on))
        if r is not None:
            if r.is_override:
                note = (r.override or {}).get("note") or ""
                _add(res.warnings, W("rule.override_used_note", rule=r.id, value=r.value, note=note) if note
                     else W("rule.override_used", rule=r.id, value=r.value))
            elif quiet:
                pass
            elif r.confidence == "low":
                _add(res.warnings, W("rule.low_confidence_conflict", rule=r.id, statement=r.statement,
                                     conflict=r.conflict) if r.conflict
                     else W("rule.low_confidence", rule=r.id, statement=r.statement))
            elif r.conflict:
                _add(res.warnings, W("rule.sources_differ", rule=r.id, conflict=r.conflict))
        return r

    def value(self, res: StepResult, rule_id: str, on: dt.date | None = None, default: Any = None,
              quiet: bool = False) -> Any:
        r = self.rule(res, rule_id, on, quiet)
        return default if r is None else r.value

    def cal_date(self, res: StepResult, item: str) -> dt.date | None:
        """A date of the Match year's calendar. The rule goes into the step's rule list; the
        "projected, not published" warning is said once, on the step that owns the date
        (`CAL_OWNER`), not on every step that uses it."""
        c = self.cal.get(item)
        if c is None:
            return None
        res.use(c.rule)
        if c.projected and CAL_OWNER.get(item) == res.id:
            _add(res.warnings, W("img.calendar.projected", label=c.label, match_year=self.M, date=c.date))
        return c.date

    def cal_kind(self, item: str) -> str | None:
        """The kind of a calendar date (core.rules.DATE_KINDS), None when the calendar has no such item."""
        c = self.cal.get(item)
        return c.kind if c is not None else None

    def start_date(self) -> dt.date | None:
        for sid in ("residency.training", "match.result"):
            d = _date(self.ctx.facts(sid).get("start_date"))
            if d:
                return d
        if self.M is None:
            return None
        r = _rule(self.ctx, "residency.start", dt.date(self.M, 1, 1))
        if r is None:
            return None
        try:
            return dt.date(self.M, int(r.value["month"]), int(r.value["day"]))
        except (KeyError, TypeError, ValueError):
            return None

    def turnaround(self, res: StepResult, test: dt.date) -> tuple[dt.date | None, Mapping[str, Any]]:
        """When a USMLE result taken on `test` is expected (the release weekday on or after max weeks)."""
        v = self.value(res, "usmle.score_turnaround", test) or {}
        if "max_weeks" not in v:
            return None, v
        d = test + dt.timedelta(weeks=int(v["max_weeks"]))
        wd = v.get("release_weekday")
        if isinstance(wd, int):
            d += dt.timedelta(days=(wd - d.weekday()) % 7)
        return d, v

    def completed_on(self, sid: str) -> dt.date | None:
        r = self.res.get(sid)
        return r.info.get("completed_on") if r else None

    def expected_on(self, sid: str) -> dt.date | None:
        r = self.res.get(sid)
        if r is None:
            return None
        return r.info.get("completed_on") or r.info.get("expected_on")

    def first_pass(self, steps: tuple[str, ...]) -> dt.date | None:
        ds = [a.date for s in steps for a in self.attempts[s] if a.result == "pass"]
        return min(ds) if ds else None

    def state_record(self, res: StepResult, on: dt.date | None = None,
                     quiet: bool = False) -> tuple[str | None, Mapping[str, Any]]:
        """The target state's licensure record (its confidence is said on license.state)."""
        code = self.ctx.facts("license.state").get("state") or self.tf.get("target_state")
        if not isinstance(code, str) or not code:
            return None, {}
        r = self.rule(res, f"license.state.{code}", on, quiet)
        return code, (r.value if r is not None and isinstance(r.value, Mapping) else {})

    def program_years(self, res: StepResult) -> int | None:
        for sid in ("residency.training", "match.result"):
            y = _int(self.ctx.facts(sid).get("program_years"))
            if y:
                return y
        spec = self.tf.get("specialty")
        if isinstance(spec, str) and spec and spec != "other":
            return _int(self.value(res, f"residency.length.{spec}", self.start))
        return None

    def season(self) -> int | None:
        s = _int(self.ctx.facts("ecfmg.pathway").get("season"))
        return s or self.M

    def run(self, steps: Mapping[str, StepFunc]) -> TrackResult:
        """Evaluate every step in journey order with its stage's function (`steps`: step id ->
        function), each followed by the dependency links of base.py."""
        for sd in STEPS:
            res = StepResult(sd.id)
            step = steps[sd.id]
            if self.ctx.overrides:
                # A user's override may give a rule a value of another shape (a text where a table
                # was expected): report it on the step instead of failing the whole journey.
                try:
                    step(self, res, self.ctx.facts(sd.id))
                except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as e:
                    res.warnings.append(W("rule.not_applied", rules=list(res.overrides), error=str(e)) if res.overrides
                                        else W("rule.not_applied_unknown", error=str(e)))
            else:
                step(self, res, self.ctx.facts(sd.id))
            self._finish(sd, res)
            self.res[sd.id] = res
        return TrackResult(TRACK, [self.res[s.id] for s in STEPS])

    def _finish(self, sd: StepDef, res: StepResult) -> None:
        link_dependencies(sd, res, _DEF, self.res, POLICY, self._root)
        if res.status == AT_RISK and res.deadline is None:
            # the date at risk is the step's own date, of its own kind (a recommendation stays one)
            res.deadline, res.deadline_kind = res.due, res.due_kind
        if res.status != AT_RISK:
            res.deadline = None if res.status != BLOCKED else res.deadline
        if res.deadline is None:
            res.deadline_kind = None


StepFunc = Callable[[ImgEval, StepResult, Mapping[str, Any]], None]
