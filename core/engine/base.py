"""The vocabulary of a journey: step definitions, form fields, statuses and evaluation results.

Track modules (core/engine/img.py, core/engine/cards.py) declare their steps with `StepDef`
and evaluate them into `StepResult`s. The GUI renders a step's page from its `FieldSpec`s and
never decides a status itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..rules import Rule, RuleSet

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
    id: str  # e.g. "usmle.step1", "pals.card"
    track: str  # "img", "pals", ...
    stage: str  # a heading for the navigator ("ECFMG certification", "The Match", ...)
    title: str
    description: str  # what the step is, in plain words
    depends_on: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    rule_ids: tuple[str, ...] = ()  # rules the step's page shows


@dataclass
class Action:
    text: str
    date: dt.date | None = None  # when to do it by (or when it becomes possible)
    kind: str = "todo"  # "todo", "deadline", "reminder", "check"
    # A stable name for this action within its step (e.g. "sit-exam", "book-renewal"): reminders
    # and calendar events are keyed by it, so rewording `text` keeps the user's snoozes and stages.
    key: str = ""

    def to_json(self) -> dict[str, Any]:
        out = {"text": self.text, "date": self.date.isoformat() if self.date else None, "kind": self.kind}
        if self.key:
            out["key"] = self.key
        return out


@dataclass
class Blocker:
    step: str | None  # the blocking step id, or None for an eligibility rule
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "reason": self.reason}


@dataclass
class StepResult:
    id: str
    status: str = NOT_STARTED
    due: dt.date | None = None
    expires: dt.date | None = None
    blocked_by: list[Blocker] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)  # ids of the rules applied
    reasons: list[str] = field(default_factory=list)  # why this status, in plain words
    warnings: list[str] = field(default_factory=list)  # entry errors, low-confidence facts, collisions
    deadline: dt.date | None = None  # for at_risk: the deadline it is on course to miss
    overrides: list[str] = field(default_factory=list)  # rule ids where the user's own value was used
    info: dict[str, Any] = field(default_factory=dict)  # computed facts worth showing (e.g. months given up)

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
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
        }
        if self.deadline:
            out["deadline"] = iso(self.deadline)
        if self.overrides:
            out["overrides"] = list(self.overrides)
        if self.info:
            out["info"] = {k: (iso(v) if isinstance(v, dt.date) else v) for k, v in self.info.items()}
        return out


@dataclass
class TrackResult:
    track: str
    steps: list[StepResult]

    def step(self, step_id: str) -> StepResult:
        return next(s for s in self.steps if s.id == step_id)

    def to_json(self) -> dict[str, Any]:
        return {"track": self.track, "steps": [s.to_json() for s in self.steps]}


@dataclass
class Journey:
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
