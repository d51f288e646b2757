"""What if…: a set of changes applied to a copy of a profile document, and what they change.

A change names one fact by path, `STEP.FIELD` with indexed records:

    usmle.step2ck.attempts[0].result_date=2026-10-10     a field of a recorded attempt
    usmle.step2ck.attempts[1]={"date": ..., "result": ...} a whole record (JSON); index = count adds one
    img.target_state=TX                                   a track-level fact
    pals.card.issue_date=2027-03-10
    visa.h1b_petition_filed=                              empty: the fact is cleared (a record: removed)

STEP is a step id or a track id (the longest one the path starts with); FIELD one of its form's
fields (`FieldSpec`s). Text values are parsed by the field's kind (`parse_change`); values the
GUI already holds are given as they are (`Change(path, value)`). After all changes are applied the
changed document is checked as the step pages check a save (`core.engine.check_step` on each
changed step's facts, whose cross-field checks read the rest of the changed profile), keeping only
problems the profile did not have already: a bad path or value raises `WhatIfError` whose
problems name the path and the reason, as import does.

`what_if(doc, changes, today, rules)` evaluates the profile and the changed copy with the same
`today` and rules and returns a `WhatIf`: the changed document, both journeys and a `JourneyDiff`
(`diff_journeys`): every step whose status, due, expires or deadline changes, old -> new, the
findings that differ, and the dated items that move (for the timeline overlay).

Stored scenarios (core/scenarios.py) hold only the changes, so they follow later edits of the real
profile. A change into an existing record remembers the record (`Change.record`: its identifying
field, e.g. an attempt's `date`), and is re-pointed to where that record is now; a change that no
longer applies (the record is gone, the step or field no longer exists, the value is no longer
valid) is skipped and reported as stale (`apply_changes(..., strict=False)`), never an error.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .engine import all_step_defs, check_step, evaluate, known_tracks, track_fields
from .engine.base import DONE, NOT_APPLICABLE, Action, FieldSpec, Journey, StepResult
from .engine.findings import Finding, shown_warnings
from .validate import Problem, ValidationError, parse_date

WHATIF_FORMAT = "certpath-whatif/1"
MAX_CHANGES = 200  # far more than a plan holds; keeps a pasted list from going unbounded


class WhatIfError(ValidationError):
    """A change that cannot be applied: each problem names the change's path and the reason."""


@dataclass(frozen=True)
class Change:
    """One changed fact. `value` is what the document would hold (an ISO date string, a number, a
    choice's value, a record as a dict); None clears the fact (a record: removes it).

    `record` anchors a change inside an existing record: {identifying field: its value} as the
    record was when the change was made, so a stored scenario finds the record again after the
    profile's records are reordered; `new` marks a record the change adds."""

    path: str
    value: Any = None
    record: Mapping[str, Any] | None = None
    new: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "value": self.value}
        if self.record:
            out["record"] = dict(self.record)
        if self.new:
            out["new"] = True
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        rec = data.get("record")
        return cls(str(data.get("path", "")), data.get("value"),
                   dict(rec) if isinstance(rec, Mapping) else None, bool(data.get("new", False)))


@dataclass(frozen=True)
class Path:
    """A parsed change path: the facts key (step or track id), the field, and inside a records
    field the record's index and the sub-field (None: the whole record)."""

    key: str
    field: str
    index: int | None = None
    sub: str | None = None

    def __str__(self) -> str:
        out = f"{self.key}.{self.field}"
        if self.index is not None:
            out += f"[{self.index}]"
        if self.sub:
            out += f".{self.sub}"
        return out


@dataclass(frozen=True)
class StaleChange:
    change: Change
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.change.path, "value": self.change.value, "reason": self.reason}


@dataclass(frozen=True)
class Applied:
    doc: dict[str, Any]  # the changed copy
    changes: tuple[Change, ...]  # the changes applied
    stale: tuple[StaleChange, ...]  # the changes that no longer apply (strict=False only)
    previous: dict[str, dict[str, Any]]  # the original facts of every key changed ({}: had none)
    notes: tuple[str, ...] = ()


# -- paths ---------------------------------------------------------------------------------------

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d{1,6})\])?$")


_keys_cache: list[Any] = [None, {}]  # [the step definitions it was built from, {key: fields}]


def _keys() -> dict[str, tuple[FieldSpec, ...]]:
    """Every facts key (track ids, step ids) with its fields; rebuilt when the engine's step
    definitions are (all_step_defs is cached, and re-made when a track is registered)."""
    defs = all_step_defs()
    if _keys_cache[0] is not defs:
        out = {t: tuple(track_fields(t)) for t in known_tracks()}
        out.update({sid: sd.fields for sid, sd in defs.items()})
        _keys_cache[:] = [defs, out]
    return _keys_cache[1]


def _fields_of(key: str) -> tuple[FieldSpec, ...]:
    return _keys()[key]


def _names(specs: Iterable[FieldSpec]) -> str:
    return ", ".join(s.key for s in specs)


def parse_path(path: str) -> tuple[Path, FieldSpec]:
    """The parsed path and the field spec it addresses (a records field's sub-field, or the
    records field itself for a whole record). Raises WhatIfError naming the path."""
    text = path.strip()
    if not text:
        raise WhatIfError([Problem("(change)", "is empty: write STEP.FIELD=VALUE")])
    keys = _keys()
    key = max((k for k in keys if text.startswith(k + ".")), key=len, default=None)
    if key is None:
        head = text.split("[")[0]
        known = max((k for k in keys if head == k), key=len, default=None)
        if known:
            raise WhatIfError([Problem(text, f"names a step but no field ({_names(keys[known])})")])
        raise WhatIfError([Problem(text, "does not start with a known step id or track id "
                                         "(see docs/profile-format.md)")])
    rest = text[len(key) + 1:]
    parts = rest.split(".")
    m = _SEGMENT.match(parts[0]) if parts else None
    if not m or len(parts) > 2:
        raise WhatIfError([Problem(text, f"after {key!r} write FIELD, FIELD[INDEX] or FIELD[INDEX].FIELD")])
    specs = {s.key: s for s in keys[key]}
    fname, idx = m.group(1), m.group(2)
    spec = specs.get(fname)
    if spec is None:
        raise WhatIfError([Problem(text, f"{fname!r} is not a field of {key} ({_names(keys[key])})")])
    if spec.kind != "records":
        if idx is not None or len(parts) > 1:
            raise WhatIfError([Problem(text, f"{key}.{fname} is a single value, not a list of records")])
        return Path(key, fname), spec
    if idx is None:
        raise WhatIfError([Problem(text, f"{key}.{fname} is a list of records: address one by index, "
                                         f"e.g. {key}.{fname}[0].{spec.fields[0].key}")])
    if len(parts) == 1:
        return Path(key, fname, int(idx)), spec
    subs = {s.key: s for s in spec.fields}
    sub = subs.get(parts[1])
    if sub is None or not _SEGMENT.match(parts[1]) or "[" in parts[1]:
        raise WhatIfError([Problem(text, f"{parts[1]!r} is not a field of {key}.{fname} records "
                                         f"({_names(spec.fields)})")])
    return Path(key, fname, int(idx), sub.key), sub


# -- values ----------------------------------------------------------------------------------------

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def parse_value(spec: FieldSpec, text: str, path: str, whole_record: bool = False) -> Any:
    """The value `text` means for the field `spec` (by its kind); "" means clear it."""
    t = text.strip()
    if t == "":
        return None
    if whole_record:
        try:
            rec = json.loads(t)
        except ValueError:
            rec = None
        if not isinstance(rec, dict):
            raise WhatIfError([Problem(path, 'a whole record is a JSON object, e.g. {"date": "2026-10-01", ...}; '
                                             "or address one of its fields")])
        return rec
    k = spec.kind
    try:
        if k == "date":
            d = parse_date(t)
            return d.isoformat() if d else None
        if k == "int":
            if not re.fullmatch(r"[+-]?\d{1,16}", t):
                raise ValueError(f"{spec.label} must be a whole number, got {t!r}")
            return int(t)
        if k == "float":
            v = float(t)
            if not math.isfinite(v):
                raise ValueError(f"{spec.label} must be a finite number")
            return int(v) if v.is_integer() and "." not in t and "e" not in t.lower() else v
        if k == "bool":
            if t.lower() in _TRUE:
                return True
            if t.lower() in _FALSE:
                return False
            raise ValueError(f"{spec.label} must be yes or no (true/false), got {t!r}")
        if k == "choice":
            for value, _label in spec.choices:
                if t == str(value):
                    return value
            for value, label in spec.choices:
                if t.lower() in (str(value).lower(), label.lower()):
                    return value
            raise ValueError(f"{spec.label}: {t!r} is not one of {', '.join(str(c[0]) for c in spec.choices)}")
        if k == "records":
            raise ValueError(f"{spec.label} is a list of records: address one by index")
    except ValueError as e:
        msg = str(e)
        if k == "float" and "could not convert" in msg:
            msg = f"{spec.label} must be a number, got {t!r}"
        if k == "date" and not msg.startswith(spec.label):
            msg = f"{spec.label}: {msg}"
        raise WhatIfError([Problem(path, msg)]) from None
    return t  # text


def parse_change(text: str) -> Change:
    """A change from its command-line form `STEP.FIELD=VALUE` (the value parsed by the field's kind)."""
    path, sep, value = text.partition("=")
    if not sep:
        raise WhatIfError([Problem(path.strip() or "(change)", "write STEP.FIELD=VALUE (no '=' found)")])
    p, spec = parse_path(path)
    return Change(str(p), parse_value(spec, value, str(p), whole_record=p.index is not None and p.sub is None))


def parse_changes(texts: Sequence[str]) -> list[Change]:
    """Every `STEP.FIELD=VALUE`; all the bad ones reported together."""
    out, problems = [], []
    if len(texts) > MAX_CHANGES:
        raise WhatIfError([Problem("(changes)", f"too many changes ({len(texts)}; at most {MAX_CHANGES})")])
    for t in texts:
        try:
            out.append(parse_change(t))
        except WhatIfError as e:
            problems += e.problems
    if problems:
        raise WhatIfError(problems)
    return out


# -- applying ------------------------------------------------------------------------------------

def _record_id(spec: FieldSpec, rec: Mapping[str, Any]) -> dict[str, Any] | None:
    """What identifies a record of `spec`: its first required sub-field with a value (an attempt's
    or a sitting's date, a document's kind, a past card's issue date), else its first filled one."""
    for s in [s for s in spec.fields if s.required] + list(spec.fields):
        if rec.get(s.key) not in (None, ""):
            return {s.key: rec[s.key]}
    return None


def anchor(changes: Sequence[Change], doc: Mapping[str, Any]) -> list[Change]:
    """`changes` with each record change tied to the record it addresses in `doc` (its identifying
    field), or marked as adding a record: what a stored scenario keeps."""
    out: list[Change] = []
    facts = doc.get("facts") or {}
    added: dict[tuple[str, str], int] = {}  # records this change list adds, by (key, field)
    for c in changes:
        p, spec = parse_path(c.path)
        if p.index is None:
            out.append(Change(c.path, c.value))
            continue
        rspec = next(s for s in _fields_of(p.key) if s.key == p.field)
        recs = _records((facts.get(p.key) or {}).get(p.field))
        if p.index < len(recs):
            out.append(Change(c.path, c.value, _record_id(rspec, recs[p.index])))
        else:
            n = added.setdefault((p.key, p.field), len(recs))
            added[(p.key, p.field)] = max(n, p.index + 1)
            out.append(Change(c.path, c.value, None, True))
    return out


def _records(v: Any) -> list[Any]:
    return list(v) if isinstance(v, list) else []


def _clean(v: Any) -> Any:
    return {k: x for k, x in v.items() if x is not None and x != ""} if isinstance(v, Mapping) else v


def apply_changes(doc: Mapping[str, Any], changes: Sequence[Change], today: dt.date, rules=None, *,
                  strict: bool = True) -> Applied:
    """A copy of `doc` with `changes` applied in order, checked with the step pages' validation.

    strict (what-if from the command line or a form): any bad path or value raises WhatIfError
    naming it. Not strict (a stored scenario on today's profile): a change that no longer applies is
    left out and returned in `stale` with the reason; the others are applied."""
    if len(changes) > MAX_CHANGES:
        raise WhatIfError([Problem("(changes)", f"too many changes ({len(changes)}; at most {MAX_CHANGES})")])
    new = dict(doc)  # facts are copied step by step as changes touch them (the rest is shared, read-only)
    facts: dict[str, Any] = {k: v for k, v in (doc.get("facts") or {}).items() if isinstance(v, Mapping)}
    new["facts"] = facts
    copied: set[str] = set()
    previous: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    stale: list[StaleChange] = []
    applied: list[tuple[Change, str]] = []  # (change, facts key)
    created: dict[tuple[str, str, int], Any] = {}  # (key, field, index as written) -> the record added
    for c in changes:
        try:
            p, spec = parse_path(c.path)
        except WhatIfError as e:
            _fail(strict, problems, stale, c, e.problems[0].message, e.problems)
            continue
        key = p.key
        previous.setdefault(key, copy.deepcopy(dict((doc.get("facts") or {}).get(key) or {})))
        if key not in copied:
            facts[key] = copy.deepcopy(dict(facts.get(key) or {}))
            copied.add(key)
        data = facts[key]
        if p.index is None:
            if spec.kind == "records" or (c.value is not None and isinstance(c.value, dict | list)):
                _fail(strict, problems, stale, c, f"{p} takes a single value", None)
                continue
            if c.value is None:
                data.pop(p.field, None)
            else:
                data[p.field] = c.value
            applied.append((c, key))
            continue
        recs = data.get(p.field)
        if not isinstance(recs, list):
            recs = []
            data[p.field] = recs
        ck = (key, p.field, p.index)
        if ck in created:
            target = created[ck]
            i = next((j for j, r in enumerate(recs) if r is target), None)
        elif c.new:
            i = None
        elif c.record:  # a stored change: find the record it was made on
            i = _find_record(recs, p.index, c.record)
            if i is None:
                what = ", ".join(f"{k} {v}" for k, v in c.record.items())
                _fail(strict, problems, stale, c, f"the record it changes ({p.field} with {what}) is no longer "
                      "in the profile", None)
                continue
        else:
            i = p.index if p.index < len(recs) else None
            if i is None and p.index > len(recs):
                _fail(strict, problems, stale, c, f"{key}.{p.field} has {len(recs)} {'record' if len(recs) == 1 else 'records'}: use an index "
                      f"from 0 to {len(recs)} ({len(recs)} adds one)", None)
                continue
        if i is None:  # add a record
            if c.value is None:
                _fail(strict, problems, stale, c, "removes a record that does not exist", None)
                continue
            if p.sub is None and not isinstance(c.value, Mapping):
                _fail(strict, problems, stale, c, "a whole record is an object", None)
                continue
            rec = dict(c.value) if p.sub is None else {p.sub: c.value}
            recs.append(rec)
            created[ck] = rec
        elif p.sub is None:
            if c.value is None:
                recs.pop(i)
            else:
                if not isinstance(c.value, Mapping):
                    _fail(strict, problems, stale, c, "a whole record is an object", None)
                    continue
                recs[i] = dict(c.value)
                created[ck] = recs[i]
        else:
            if not isinstance(recs[i], dict):
                recs[i] = dict(recs[i]) if isinstance(recs[i], Mapping) else {}
            if c.value is None:
                recs[i].pop(p.sub, None)
            else:
                recs[i][p.sub] = c.value
            created[ck] = recs[i]
        applied.append((c, key))
    if problems:
        raise WhatIfError(problems)
    for key in copied:
        facts[key] = _clean(facts[key])
    # Check what changed as the step pages would, keeping only problems the profile lacked.
    touched = {k for _, k in applied}
    new_problems = _new_problems(doc, new, touched, today, rules)
    notes: list[str] = []
    if new_problems:
        if strict:
            raise WhatIfError([pr.at(f"{k}.{pr.field}" if pr.field else k) for k, pr in new_problems])
        for k in dict.fromkeys(k for k, _ in new_problems):  # each touched step with problems, in order
            reason = "; ".join(f"{k}.{pr.field}: {pr.message}" if pr.field else f"{k}: {pr.message}"
                               for kk, pr in new_problems if kk == k)
            # every change on that step is left out: its facts as the profile has them
            orig = (doc.get("facts") or {}).get(k)
            if orig:
                facts[k] = copy.deepcopy(dict(orig))
            else:
                facts.pop(k, None)
            stale += [StaleChange(c, reason) for c, kk in applied if kk == k]
            applied = [(c, kk) for c, kk in applied if kk != k]
    followed = set(doc.get("tracks") or [])
    for k in sorted({k for _, k in applied}):
        t = _track_of(k)
        if t not in followed:
            notes.append(f"{k}: the profile does not follow the {t} journey, so its steps are not shown")
    for k in [k for k in copied if k in facts and not facts[k]]:
        del facts[k]
    keys = {k for _, k in applied}
    pos = {id(c): i for i, c in enumerate(changes)}
    stale.sort(key=lambda s: pos.get(id(s.change), len(pos)))  # in the scenario's order
    return Applied(new, tuple(c for c, _ in applied), tuple(stale),
                   {k: v for k, v in previous.items() if k in keys}, tuple(dict.fromkeys(notes)))


def _fail(strict: bool, problems: list[Problem], stale: list[StaleChange], c: Change, reason: str,
          given: list[Problem] | None) -> None:
    if strict:
        problems.extend(given or [Problem(c.path, reason)])
    else:
        stale.append(StaleChange(c, reason))


def _find_record(recs: list[Any], index: int, ident: Mapping[str, Any]) -> int | None:
    def match(r: Any) -> bool:
        return isinstance(r, Mapping) and all(r.get(k) == v for k, v in ident.items())

    if index < len(recs) and match(recs[index]):
        return index
    return next((i for i, r in enumerate(recs) if match(r)), None)


def _problems(doc: Mapping[str, Any], key: str, today: dt.date, rules) -> list[Problem]:
    data = (doc.get("facts") or {}).get(key) or {}
    try:
        return check_step(key, data, doc, today, rules)
    except (KeyError, TypeError, ValueError, OverflowError) as e:  # never crash on odd stored facts
        return [Problem("", f"cannot be checked ({e})")]


def _track_of(key: str) -> str:
    sd = all_step_defs().get(key)
    return sd.track if sd is not None else key


def _new_problems(old: Mapping[str, Any], new: Mapping[str, Any], touched: set[str], today: dt.date,
                  rules) -> list[tuple[str, Problem]]:
    out: list[tuple[str, Problem]] = []
    keys = _keys()
    # As the step pages do when they save: each changed step's facts are checked (types, ranges and
    # the track's cross-field checks, which read the rest of the changed profile).
    for key in sorted(touched):
        if key not in keys:
            continue
        now = _problems(new, key, today, rules)
        if not now:
            continue
        before = set(_problems(old, key, today, rules)) if (old.get("facts") or {}).get(key) else set()
        out += [(key, p) for p in now if p not in before]
    return out


def changes_for_step(key: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[Change]:
    """The changes that turn one step's facts `old` into `new` (a step form saved in a scenario):
    one change per changed field; a changed record as a whole record, records removed from the end,
    records added after the last one. Applying them to a profile whose `key` facts are `old` gives
    `new` (empty values dropped)."""
    old, new = _clean(dict(old or {})), _clean(dict(new or {}))
    out: list[Change] = []
    for spec in _fields_of(key):
        a, b = old.get(spec.key), new.get(spec.key)
        if a == b:
            continue
        if spec.kind != "records":
            out.append(Change(f"{key}.{spec.key}", b))
            continue
        ra, rb = _records(a), _records(b)
        base = f"{key}.{spec.key}"
        out += [Change(f"{base}[{i}]", dict(rb[i])) for i in range(min(len(ra), len(rb))) if ra[i] != rb[i]]
        out += [Change(f"{base}[{i}]", None) for i in range(len(ra) - 1, len(rb) - 1, -1)]
        out += [Change(f"{base}[{i}]", dict(rb[i])) for i in range(len(ra), len(rb))]
    return out


# -- the diff ------------------------------------------------------------------------------------

def _finding(item: Finding | Action) -> Finding:
    """The finding itself: an action's is the finding it carries (`what`)."""
    return item.what if isinstance(item, Action) else item


def _finding_params(f: Finding) -> str:
    return json.dumps(_plain(f.params), sort_keys=True, default=str)


def _plain(v: Any) -> Any:
    """A finding's params as JSON values (dates ISO, nested findings as code and params)."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Finding):
        return {"code": v.code, "params": _plain(v.params)}
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


@dataclass(frozen=True)
class FindingRef:
    kind: str  # "reason", "warning", "action", "blocker"
    code: str
    text: str
    severity: str
    params: str = ""  # JSON of the params

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.kind, self.code, self.params)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "severity": self.severity, "text": self.text}


def findings_of(step: StepResult) -> list[FindingRef]:
    out: list[FindingRef] = []
    for kind, items in (("reason", step.reasons), ("warning", shown_warnings(step.warnings)), ("action", step.actions),
                        ("blocker", step.blocked_by)):
        for it in items:
            if kind == "blocker":  # the step it waits for and why
                f = it.why
                code = f"{it.step or '-'}:{f.code}"
            else:
                f = _finding(it)
                code = f.code
            ref = FindingRef(kind, code, f.text, f.severity, _finding_params(f))
            out.append(ref)
    return out


DIFF_FIELDS = ("status", "due", "expires", "deadline")


@dataclass(frozen=True)
class FieldChange:
    field: str  # "status", "due", "expires", "deadline"
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        iso = lambda v: v.isoformat() if isinstance(v, dt.date) else v  # noqa: E731
        return {"field": self.field, "old": iso(self.old), "new": iso(self.new)}


@dataclass(frozen=True)
class StepDiff:
    id: str
    track: str
    changes: tuple[FieldChange, ...]
    added: tuple[FindingRef, ...]  # findings only the changed journey has
    removed: tuple[FindingRef, ...]  # findings only the original journey has
    old_status: str | None  # None: the step is not in that journey (a track added or left)
    new_status: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "track": self.track, "changes": [c.to_json() for c in self.changes],
                "findings_added": [f.to_json() for f in self.added],
                "findings_removed": [f.to_json() for f in self.removed]}


@dataclass(frozen=True)
class MovedDate:
    """A dated item that moves (or appears, old None, or goes, new None): for the timeline overlay."""

    step_id: str
    kind: str  # "due", "expires", "deadline" or "action" (then `key` names it)
    old: dt.date | None
    new: dt.date | None
    key: str = ""

    def to_json(self) -> dict[str, Any]:
        iso = lambda v: v.isoformat() if v else None  # noqa: E731
        out = {"step": self.step_id, "kind": self.kind, "old": iso(self.old), "new": iso(self.new)}
        if self.key:
            out["key"] = self.key
        return out


@dataclass(frozen=True)
class JourneyDiff:
    steps: tuple[StepDiff, ...]
    moved: tuple[MovedDate, ...]

    def step(self, step_id: str) -> StepDiff | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def __bool__(self) -> bool:
        return bool(self.steps or self.moved)

    def to_json(self) -> dict[str, Any]:
        return {"steps": [s.to_json() for s in self.steps], "moved": [m.to_json() for m in self.moved]}


def _open(step: StepResult | None) -> bool:
    return step is not None and step.status not in (DONE, NOT_APPLICABLE)


def _dated(step: StepResult, live: bool = True) -> dict[tuple[str, str], dt.date]:
    """A step's dated items keyed (kind, key): its due, expires and deadline, and its dated actions
    (by their stable key; an action without one by its text). Not `live` (done or not applicable
    in both journeys): its expiry only."""
    out: dict[tuple[str, str], dt.date] = {}
    if not live:
        return {("expires", ""): step.expires} if step.expires else {}
    for kind in ("due", "expires", "deadline"):
        d = getattr(step, kind)
        if d:
            out[(kind, "")] = d
    for a in step.actions:
        if a.date is not None:
            out.setdefault(("action", a.key or a.text), a.date)
    return out


def diff_journeys(old: Journey, new: Journey) -> JourneyDiff:
    """What differs between two journeys of one profile, in journey order (the new journey's
    order, then steps only the old one has)."""
    olds = {(t.track, s.id): s for t in old.tracks for s in t.steps}
    news = {(t.track, s.id): s for t in new.tracks for s in t.steps}
    order = list(news) + [k for k in olds if k not in news]
    steps: list[StepDiff] = []
    moved: list[MovedDate] = []
    for track, sid in order:
        a, b = olds.get((track, sid)), news.get((track, sid))
        if a is not None and a == b:  # most steps: nothing differs (dataclass equality, field by field)
            continue
        # A step done (or not applicable) in both journeys has no due date or deadline that
        # matters (the timeline shows it by the day it was done): only its expiry is compared.
        live = _open(a) or _open(b)
        fields = DIFF_FIELDS if live else ("status", "expires")
        changes = tuple(FieldChange(f, getattr(a, f, None) if a else None, getattr(b, f, None) if b else None)
                        for f in fields
                        if (getattr(a, f, None) if a else None) != (getattr(b, f, None) if b else None))
        fa = findings_of(a) if a else []
        fb = findings_of(b) if b else []
        ia, ib = {f.ident for f in fa}, {f.ident for f in fb}
        added = tuple(f for f in fb if f.ident not in ia)
        removed = tuple(f for f in fa if f.ident not in ib)
        if changes or added or removed:
            steps.append(StepDiff(sid, track, changes, added, removed, a.status if a else None,
                                  b.status if b else None))
        da, db = (_dated(a, live) if a else {}), (_dated(b, live) if b else {})
        for k in list(da) + [k for k in db if k not in da]:
            if da.get(k) != db.get(k):
                moved.append(MovedDate(sid, k[0], da.get(k), db.get(k), k[1]))
    return JourneyDiff(tuple(steps), tuple(moved))


@dataclass(frozen=True)
class WhatIf:
    today: dt.date
    doc: Mapping[str, Any]  # the profile as it is
    changed_doc: dict[str, Any]  # the copy with the changes
    applied: Applied
    before: Journey
    after: Journey
    diff: JourneyDiff

    @property
    def stale(self) -> tuple[StaleChange, ...]:
        return self.applied.stale

    def changes_json(self) -> list[dict[str, Any]]:
        """Each applied change with the value it replaces."""
        out = []
        for c in self.applied.changes:
            out.append({"path": c.path, "old": value_at(self.doc, c), "new": c.value})
        return out

    def to_json(self) -> dict[str, Any]:
        return {"format": WHATIF_FORMAT, "today": self.today.isoformat(), "changes": self.changes_json(),
                **self.diff.to_json(), "stale": [s.to_json() for s in self.stale],
                "notes": list(self.applied.notes)}


def value_at(doc: Mapping[str, Any], c: Change) -> Any:
    """The value `doc` holds at the change's path (None when it has none)."""
    try:
        p, _ = parse_path(c.path)
    except WhatIfError:
        return None
    data = (doc.get("facts") or {}).get(p.key) or {}
    v = data.get(p.field)
    if p.index is None:
        return v
    recs = _records(v)
    i = _find_record(recs, p.index, c.record) if c.record else (p.index if not c.new else None)
    if i is None or i >= len(recs):
        return None
    rec = recs[i]
    return rec if p.sub is None else (rec.get(p.sub) if isinstance(rec, Mapping) else None)


def what_if(doc: Mapping[str, Any], changes: Sequence[Change], today: dt.date, rules=None, *,
            strict: bool = True, before: Journey | None = None) -> WhatIf:
    """Evaluate `doc` and its copy with `changes` (same `today`, same rules) and diff them.
    `before`: the profile's journey when the caller has it already (saves one evaluation)."""
    from .rules import load_rules

    rules = rules or load_rules()
    applied = apply_changes(doc, changes, today, rules, strict=strict)
    before = before if before is not None else evaluate(doc, today, rules)
    after = evaluate(applied.doc, today, rules)
    return WhatIf(today, doc, applied.doc, applied, before, after, diff_journeys(before, after))


def compare_docs(doc_a: Mapping[str, Any], doc_b: Mapping[str, Any], today: dt.date, rules=None) -> JourneyDiff:
    """Journey of `doc_a` against journey of `doc_b` (two scenarios side by side)."""
    from .rules import load_rules

    rules = rules or load_rules()
    return diff_journeys(evaluate(doc_a, today, rules), evaluate(doc_b, today, rules))


__all__ = [
    "Applied", "Change", "FieldChange", "changes_for_step", "FindingRef", "JourneyDiff", "MovedDate", "Path", "StaleChange",
    "StepDiff", "WhatIf", "WhatIfError", "anchor", "apply_changes", "compare_docs", "diff_journeys",
    "findings_of", "parse_change", "parse_changes", "parse_path", "parse_value", "value_at", "what_if",
]
