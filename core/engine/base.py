"""The vocabulary of a journey: step definitions, form fields, statuses and evaluation results.

Track modules (core/engine/img.py, core/engine/cards.py) declare their steps with `StepDef`
and evaluate them into `StepResult`s. The GUI renders a step's page from its `FieldSpec`s and
never decides a status itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..rules import Rule, RuleSet
from .findings import B, F, Finding, W

# Status vocabulary (product.md); part of the app's interface.
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
BLOCKED = "blocked"
AT_RISK = "at_risk"
EXPIRED = "expired"
NOT_APPLICABLE = "not_applicable"
STATUSES = (NOT_STARTED, IN_PROGRESS, DONE, BLOCKED, AT_RISK, EXPIRED, NOT_APPLICABLE)

STATUS_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    DONE: "Done",
    BLOCKED: "Blocked",
    AT_RISK: "At risk",
    EXPIRED: "Expired",
    NOT_APPLICABLE: "Not applicable",
}

# Field kinds a step form may use. "records" is a repeatable group (exam attempts, OET
# sittings, past cards) whose sub-fields are in `FieldSpec.fields`.
FIELD_KINDS = ("text", "date", "int", "float", "bool", "choice", "records")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a step's form: its key, label and kind."""

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    fields: tuple[FieldSpec, ...] = ()  # sub-fields of a "records" field
    default: Any = None

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"field {self.key}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class StepDef:
    """A step of a track: its id, track and stage heading, and what it asks."""

    id: str  # e.g. "usmle.step1", "pals.card"
    track: str  # "img", "pals", ...
    stage: str  # a heading for the navigator ("ECFMG certification", "The Match", ...)
    title: str
    description: str  # what the step is, in plain words
    depends_on: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    rule_ids: tuple[str, ...] = ()  # rules the step's page shows
    # Statuses of a dependency that count as met besides done / not applicable (a renewal does
    # not wait for an expired card: the expiry is what it is about).
    satisfied_by: tuple[str, ...] = ()
    # A gate: while it is blocked, every step after it is blocked too, even one marked done
    # (a school that does not qualify makes the rest of the road moot).
    gate: bool = False
    # What the step yields that can expire, named to a person ("PALS card"): the deadlines list,
    # the timeline and a packet's index name it so ("PALS card expires", not "Card issued expires").
    item: str = ""


@dataclass
class Action:
    """Something to do for a step, with the date it is due by (or possible from) and its kind."""

    what: Finding  # what to do (core/wording.py words it)
    date: dt.date | None = None  # when to do it by (or when it becomes possible)
    kind: str = "todo"  # "todo", "deadline", "reminder", "check"
    # A stable name for this action within its step (e.g. "sit-exam", "book-renewal"): reminders
    # and calendar events are keyed by it, so rewording `text` keeps the user's snoozes and stages.
    key: str = ""
    # What kind of date `date` is when it is not a "do it by" date (core.rules.DATE_KINDS: a
    # recommended lead, the day something opens, an event): once passed it is never "overdue".
    # "": a date to do it by (overdue once passed, as before).
    date_kind: str = ""

    @property
    def text(self) -> str:
        return self.what.text

    def to_json(self) -> dict[str, Any]:
        out = {**self.what.to_json(), "date": self.date.isoformat() if self.date else None, "kind": self.kind}
        if self.key:
            out["key"] = self.key
        if self.date_kind:
            out["date_kind"] = self.date_kind
        return out


@dataclass
class Blocker:
    """What holds a step up: the step it waits for (None: an eligibility rule) and why."""

    step: str | None  # the blocking step id, or None for an eligibility rule
    why: Finding

    @property
    def reason(self) -> str:
        return self.why.text

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "reason": self.why.to_json()}


@dataclass
class StepResult:
    """The evaluation of one step: its status, dates, actions, blockers and findings."""

    id: str
    status: str = NOT_STARTED
    due: dt.date | None = None
    expires: dt.date | None = None
    blocked_by: list[Blocker] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # ids of the rules applied
    reasons: list[Finding] = field(default_factory=list)  # why this status
    warnings: list[Finding] = field(default_factory=list)  # entry errors, low-confidence facts, collisions
    deadline: dt.date | None = None  # for at_risk: the deadline it is on course to miss
    # What kind of date `due` is (one of core.rules.DATE_KINDS: "opens", "recommended_by", ...),
    # so the dashboard and the timeline word it ("ERAS application (opens ...)") and no view calls
    # a passed opening or recommendation "overdue" (core.rules.overdue_when_passed); every step
    # that sets `due` sets it from its rule's data. None: a plain due date (read as a deadline).
    due_kind: str | None = None
    # What kind of date `deadline` is when it is not a hard deadline (the at-risk date of a step
    # whose date is a recommendation, e.g. the OET sitting ECFMG advises); None: a deadline.
    deadline_kind: str | None = None
    overrides: list[str] = field(default_factory=list)  # rule ids where the user's own value was used
    info: dict[str, Any] = field(default_factory=dict)  # computed facts worth showing (e.g. months given up)
    # The steps this evaluation waits for when the facts change them (a licence route whose law
    # does not ask for Step 3); None = the definition's `depends_on`. Ids must be steps of the track.
    depends_on: tuple[str, ...] | None = None

    def use(self, rule: Rule | None) -> Rule | None:
        if rule is not None:
            if rule.id not in self.rules:
                self.rules.append(rule.id)
            if rule.is_override and rule.id not in self.overrides:
                self.overrides.append(rule.id)
        return rule

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "due": iso(self.due),
            "expires": iso(self.expires),
            "blocked_by": [b.to_json() for b in self.blocked_by],
            "next_actions": [a.to_json() for a in self.actions],
            "rules": list(self.rules),
            "reasons": [f.to_json() for f in self.reasons],
            "warnings": [f.to_json() for f in self.warnings],
        }
        if self.due_kind:
            out["due_kind"] = self.due_kind
        if self.deadline:
            out["deadline"] = iso(self.deadline)
            out["deadline_kind"] = self.deadline_kind or "deadline"
        if self.overrides:
            out["overrides"] = list(self.overrides)
        if self.info:
            out["info"] = {k: (iso(v) if isinstance(v, dt.date) else v) for k, v in self.info.items()}
        return out


@dataclass
class TrackResult:
    """The evaluated steps of one track, in journey order."""

    track: str
    steps: list[StepResult]

    def step(self, step_id: str) -> StepResult:
        return next(s for s in self.steps if s.id == step_id)

    def to_json(self) -> dict[str, Any]:
        return {"track": self.track, "steps": [s.to_json() for s in self.steps]}


@dataclass
class Journey:
    """The evaluation of one profile on one day: its tracks' results."""

    today: dt.date
    tracks: list[TrackResult]

    def step(self, step_id: str) -> StepResult:
        for t in self.tracks:
            for s in t.steps:
                if s.id == step_id:
                    return s
        raise KeyError(step_id)

    def all_steps(self) -> list[StepResult]:
        return [s for t in self.tracks for s in t.steps]

    def to_json(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "tracks": [t.to_json() for t in self.tracks]}


@dataclass(frozen=True)
class DependencyPolicy:
    """How a track's steps wait for the steps they depend on (`StepDef.depends_on`).

    through_not_applicable: a not-applicable dependency passes on its own dependencies (a card
      with no prerequisites step waits for the enrolment instead).
    blocked_spreads: a step waiting for a blocked one is blocked itself, naming the root cause
      once; otherwise it only lists the step it waits for.
    expired_waits: an expired step still lists the steps it waits for.
    warn_due_order: warn when a dependency is due after the step that needs it.
    """

    through_not_applicable: bool = False
    blocked_spreads: bool = True
    expired_waits: bool = True
    warn_due_order: bool = True


_MET = (DONE, NOT_APPLICABLE)


def depends_on(sd: StepDef, res: StepResult | None, defs: Mapping[str, StepDef]) -> tuple[str, ...]:
    """The steps `sd` waits for: its evaluation's own list when the facts set one
    (`StepResult.depends_on`), else the definition's."""
    if res is None or res.depends_on is None:
        return sd.depends_on
    unknown = [d for d in res.depends_on if d not in defs]
    if unknown:
        raise ValueError(f"step {sd.id!r} depends on {unknown!r}, not steps of its track")
    return res.depends_on


def _dependencies(sd: StepDef, res: StepResult, defs: Mapping[str, StepDef], results: Mapping[str, StepResult],
                  policy: DependencyPolicy) -> list[str]:
    out: list[str] = []
    todo = list(depends_on(sd, res, defs))
    while todo:
        dep = todo.pop(0)
        d = results.get(dep)
        if d is None or dep in out:
            continue
        if d.status == NOT_APPLICABLE and policy.through_not_applicable:
            todo[:0] = list(depends_on(defs[dep], d, defs))
            continue
        out.append(dep)
    return out


def link_dependencies(sd: StepDef, res: StepResult, defs: Mapping[str, StepDef],
                      results: Mapping[str, StepResult], policy: DependencyPolicy,
                      roots: dict[str, tuple[str, Finding]]) -> None:
    """Say on `res` which of the steps it depends on hold it up, by the track's `policy` (the
    steps it depends on: `depends_on`, so an evaluation may set them from the facts).

    `results` holds the steps evaluated so far (in journey order); `roots` maps a step blocked
    through a dependency to (the root step, its reason) and is filled as the walk goes on.
    Blockers name a step only once; the wording lives with the blocker (see core/wording.py)."""
    gate = next((results[g.id] for g in defs.values() if g.gate and g.id in results and g.id != sd.id), None)
    ineligible = gate is not None and gate.status == BLOCKED
    if res.status == EXPIRED and not policy.expired_waits:
        return
    for dep in _dependencies(sd, res, defs, results, policy):
        d = results[dep]
        if d.status in _MET or d.status in sd.satisfied_by:
            continue
        if not (res.status not in _MET or (ineligible and res.status == DONE and d.status == BLOCKED)):
            continue
        if any(b.step == dep for b in res.blocked_by):
            # already named by the step itself (a state's attempt limit on Step 3): still say when
            # the step it waits for is due after it
            _warn_due_order(res, dep, d, policy)
            continue
        # A step blocked only while it waits for a step that is itself moving (Step 3 before the
        # ECFMG certificate is issued) is no dead end: the steps after it wait, they are not blocked.
        dead_end = not d.blocked_by or any(b.step is None or b.step not in results
                                           or results[b.step].status == BLOCKED for b in d.blocked_by)
        if d.status == BLOCKED and policy.blocked_spreads and dead_end:
            # Name the root cause once (not "Blocked by A: Blocked by B: ..." down the road).
            root_id, why = roots.get(dep) or (dep, d.reasons[0] if d.reasons else F("dep.it_is_blocked"))
            res.blocked_by.append(Blocker(dep, B("dep.waits_for_blocked", step=dep, why=why)))
            # an expired step was done: it stays expired (its renewal is the action), naming the block
            if res.status not in (BLOCKED, EXPIRED):
                res.status = BLOCKED
                res.deadline = None
                res.actions = []  # nothing to do here until the root cause is solved
                roots[sd.id] = (root_id, why)
                if ineligible:  # the gate does not pass: nothing else on this step matters
                    res.reasons.clear()
                res.reasons.insert(0, B("dep.blocked_by", step=root_id, why=why))
        elif policy.blocked_spreads:
            res.blocked_by.append(Blocker(dep, B("dep.waits_for", step=dep)))
        else:
            res.blocked_by.append(Blocker(dep, B("dep.not_done", step=dep)))
        _warn_due_order(res, dep, d, policy)


def _warn_due_order(res: StepResult, dep: str, d: StepResult, policy: DependencyPolicy) -> None:
    if policy.warn_due_order and d.due and res.due and d.due > res.due:
        w = W("dep.due_after", step=dep, due=d.due, own_due=res.due)
        if w not in res.warnings:
            res.warnings.append(w)


def apply_dependencies(result: TrackResult, steps: Sequence[StepDef], policy: DependencyPolicy) -> TrackResult:
    """Link every step of an evaluated track to the steps it depends on, in journey order (a
    track that links as it walks, like img, has nothing left to do here: links are never doubled)."""
    defs = {sd.id: sd for sd in steps}
    by_id = {s.id: s for s in result.steps}
    done: dict[str, StepResult] = {}
    roots: dict[str, tuple[str, Finding]] = {}
    for sd in steps:
        r = by_id.get(sd.id)
        if r is None:
            continue
        link_dependencies(sd, r, defs, done, policy, roots)
        done[sd.id] = r
    return result


@dataclass
class Context:
    """What an evaluation sees: the profile's facts, the rules, the user's overrides and `today`."""

    today: dt.date
    rules: RuleSet
    profile: Mapping[str, Any]  # the profile document (see docs/profile-format.md)

    @property
    def overrides(self) -> Mapping[str, Any]:
        return self.profile.get("overrides") or {}

    def facts(self, step_id: str) -> Mapping[str, Any]:
        return (self.profile.get("facts") or {}).get(step_id) or {}

    def rule(self, rule_id: str, on: dt.date | None = None) -> Rule | None:
        return self.rules.find(rule_id, on or self.today, self.overrides)

    def value(self, rule_id: str, on: dt.date | None = None, default: Any = None) -> Any:
        r = self.rule(rule_id, on)
        return default if r is None else r.value
