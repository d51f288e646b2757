"""Named what-if scenarios kept in the data file ("H-1B plan", "TX plan").

A scenario is a name and a list of changes (core/whatif.py), never a copy of the facts: it is
evaluated on the profile as it is today, so it follows later edits of the real profile. A change
that no longer applies (its record was deleted, its value is no longer valid with the profile's
other facts) is left out and reported as stale (`WhatIf.stale`), never an error.

Every write is one transaction (core/db.py `transaction`); like every other write it runs under
the data folder's lock, which the app holds while it runs and the command line takes for the
command (core/cli.py). The functions the GUI calls:

    list_scenarios(store, pid) -> [Scenario]                   names, changes, timestamps
    create_scenario(store, pid, name, changes, today)          checked as the step pages check
    update_scenario(store, pid, name, changes, today) / rename_scenario / delete_scenario
    evaluate_scenario(store, pid, name, today) -> WhatIf       the diff against the real journey
    compare_scenarios(store, pid, a, b, today) -> Comparison   A's journey against B's
    apply_scenario(store, pid, name, today) -> AppliedScenario its `undo()` restores the facts
    restore_scenario(store, deleted)                           Undo of delete

and from core/whatif.py: `what_if(doc, changes, today, before=journey)` for an unsaved scenario
(`before`: the real journey on screen, saving one evaluation), `changes_for_step(key, old, new)`
to turn a step form saved in scenario mode into changes, `parse_change("PATH=VALUE")` for text,
and the result's `changed_doc` (pre-fills the forms), `diff.steps` (old -> new per step, findings
added/removed) and `diff.moved` (the timeline overlay).

Scenarios are exported with the profile document (`export_document`, key `scenarios`) and
imported with it (`store.import_document` calls `insert_imported`); backups copy the whole
database, so they hold them too.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .db import Database, inserted_id, transaction
from .validate import Problem
from .whatif import (
    MAX_CHANGES,
    Change,
    JourneyDiff,
    WhatIf,
    WhatIfError,
    anchor,
    apply_changes,
    diff_journeys,
    parse_path,
    what_if,
)

MAX_NAME = 100
MAX_SCENARIOS = 200  # per profile


class ScenarioError(ValueError):
    """A scenario request that cannot be done; the message is for the user. Nothing was written."""


class ScenarioNotFound(ScenarioError, LookupError):
    pass


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Scenario:
    id: int
    profile_id: int
    name: str
    changes: tuple[Change, ...]
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        """As in the profile document's `scenarios` list."""
        return {"name": self.name, "changes": [c.to_json() for c in self.changes],
                "created_at": self.created_at, "updated_at": self.updated_at}


def _row(r: Sequence[Any]) -> Scenario:
    try:
        raw = json.loads(r[3])
    except ValueError:
        raw = []
    changes = tuple(Change.from_json(c) for c in raw if isinstance(c, Mapping)) if isinstance(raw, list) else ()
    return Scenario(int(r[0]), int(r[1]), str(r[2]), changes, str(r[4]), str(r[5]))


_COLS = "id, profile_id, name, changes, created_at, updated_at"


def list_scenarios(store, profile_id: int) -> list[Scenario]:
    """The profile's scenarios, by name."""
    store.profile(profile_id)
    rows = store.db.execute(f"SELECT {_COLS} FROM scenarios WHERE profile_id = ? ORDER BY name COLLATE NOCASE, id",
                            [profile_id]).fetchall()
    return [_row(r) for r in rows]


def get_scenario(store, profile_id: int, name: str) -> Scenario:
    store.profile(profile_id)
    r = store.db.execute(f"SELECT {_COLS} FROM scenarios WHERE profile_id = ? AND name = ?",
                         [profile_id, name.strip()]).fetchone()
    if r is None:
        have = [s.name for s in list_scenarios(store, profile_id)]
        hint = f" (this profile has: {', '.join(have)})" if have else " (this profile has none)"
        raise ScenarioNotFound(f"no scenario named “{name.strip()}”{hint}")
    return _row(r)


def _check_name(store, profile_id: int, name: str, *, other_than: int | None = None) -> str:
    clean = " ".join(str(name).split())
    if not clean:
        raise ScenarioError("a scenario needs a name")
    if len(clean) > MAX_NAME:
        raise ScenarioError(f"the name is too long (at most {MAX_NAME} characters)")
    r = store.db.execute("SELECT id FROM scenarios WHERE profile_id = ? AND name = ?", [profile_id, clean]).fetchone()
    if r is not None and r[0] != other_than:
        raise ScenarioError(f"this profile already has a scenario named “{clean}”")
    return clean


def _checked(store, profile_id: int, changes: Sequence[Change], today: dt.date, rules) -> tuple[Change, ...]:
    """The changes anchored to the records they address, after checking them on the profile as it
    is (strict: a bad path or value raises WhatIfError naming it)."""
    if not changes:
        raise ScenarioError("a scenario needs at least one change")
    if len(changes) > MAX_CHANGES:
        raise ScenarioError(f"too many changes ({len(changes)}; at most {MAX_CHANGES})")
    doc = store.document(profile_id)
    anchored = anchor(changes, doc)
    apply_changes(doc, anchored, today, rules, strict=True)
    return tuple(anchored)


def _dump(changes: Sequence[Change]) -> str:
    return json.dumps([c.to_json() for c in changes], ensure_ascii=False, sort_keys=True)


def create_scenario(store, profile_id: int, name: str, changes: Sequence[Change], today: dt.date,
                    rules=None) -> Scenario:
    """Keep `changes` as the scenario `name` of the profile (one transaction). Raises
    ScenarioError (name taken, empty) or WhatIfError (a bad path or value, named)."""
    store.profile(profile_id)
    kept = _checked(store, profile_id, changes, today, rules)
    now = _now()
    with transaction(store.db):
        clean = _check_name(store, profile_id, name)
        n = store.db.execute("SELECT count(*) FROM scenarios WHERE profile_id = ?", [profile_id]).fetchone()[0]
        if n >= MAX_SCENARIOS:
            raise ScenarioError(f"this profile has {n} scenarios, the most it can keep: delete some first")
        cur = store.db.execute(
            "INSERT INTO scenarios (profile_id, name, changes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [profile_id, clean, _dump(kept), now, now])
        sid = inserted_id(cur)
    return Scenario(sid, profile_id, clean, kept, now, now)


def update_scenario(store, profile_id: int, name: str, changes: Sequence[Change], today: dt.date,
                    rules=None) -> Scenario:
    """Replace the scenario's changes (the GUI's scenario form saves the whole list)."""
    sc = get_scenario(store, profile_id, name)
    kept = _checked(store, profile_id, changes, today, rules)
    now = _now()
    with transaction(store.db):
        store.db.execute("UPDATE scenarios SET changes = ?, updated_at = ? WHERE id = ?", [_dump(kept), now, sc.id])
    return Scenario(sc.id, profile_id, sc.name, kept, sc.created_at, now)


def rename_scenario(store, profile_id: int, name: str, new_name: str) -> Scenario:
    sc = get_scenario(store, profile_id, name)
    now = _now()
    with transaction(store.db):
        clean = _check_name(store, profile_id, new_name, other_than=sc.id)
        store.db.execute("UPDATE scenarios SET name = ?, updated_at = ? WHERE id = ?", [clean, now, sc.id])
    return Scenario(sc.id, profile_id, clean, sc.changes, sc.created_at, now)


def delete_scenario(store, profile_id: int, name: str) -> Scenario:
    """Delete the scenario; returns it (the GUI's Undo can `restore_scenario` it)."""
    sc = get_scenario(store, profile_id, name)
    with transaction(store.db):
        store.db.execute("DELETE FROM scenarios WHERE id = ?", [sc.id])
    return sc


def restore_scenario(store, sc: Scenario) -> Scenario:
    """Put back a deleted scenario as it was (Undo of delete)."""
    with transaction(store.db):
        clean = _check_name(store, sc.profile_id, sc.name)
        cur = store.db.execute(
            "INSERT INTO scenarios (profile_id, name, changes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [sc.profile_id, clean, _dump(sc.changes), sc.created_at, sc.updated_at])
    return Scenario(inserted_id(cur), sc.profile_id, clean, sc.changes, sc.created_at, sc.updated_at)


# -- evaluating ----------------------------------------------------------------------------------

def evaluate_scenario(store, profile_id: int, name: str, today: dt.date, rules=None, *, before=None) -> WhatIf:
    """The scenario on the profile as it is now: its journey against the real one. Changes that no
    longer apply are in `.stale`. `before`: the real journey when the caller has it."""
    sc = get_scenario(store, profile_id, name)
    return what_if(store.document(profile_id), sc.changes, today, rules, strict=False, before=before)


@dataclass(frozen=True)
class Comparison:
    a: WhatIf
    b: WhatIf
    diff: JourneyDiff  # scenario A's journey -> scenario B's (old = A, new = B)

    def to_json(self) -> dict[str, Any]:
        return {"format": "certpath-scenario-comparison/1", "today": self.a.today.isoformat(),
                "a": {"changes": self.a.changes_json(), "stale": [s.to_json() for s in self.a.stale]},
                "b": {"changes": self.b.changes_json(), "stale": [s.to_json() for s in self.b.stale]},
                **self.diff.to_json()}


def compare_scenarios(store, profile_id: int, a: str, b: str, today: dt.date, rules=None) -> Comparison:
    """Scenario A's journey against scenario B's (the real profile evaluated once, for both)."""
    from .engine import evaluate
    from .rules import load_rules

    rules = rules or load_rules()
    doc = store.document(profile_id)
    before = evaluate(doc, today, rules)
    sa, sb = get_scenario(store, profile_id, a), get_scenario(store, profile_id, b)
    wa = what_if(doc, sa.changes, today, rules, strict=False, before=before)
    wb = what_if(doc, sb.changes, today, rules, strict=False, before=before)
    return Comparison(wa, wb, diff_journeys(wa.after, wb.after))


# -- applying ------------------------------------------------------------------------------------

@dataclass
class AppliedScenario:
    profile_id: int
    name: str
    previous: dict[str, dict[str, Any]]  # the facts of each changed key before ({}: it had none)
    written: dict[str, dict[str, Any]]  # the facts written
    stale: tuple = ()
    _undo: Callable[[], None] | None = field(default=None, repr=False)

    def undo(self) -> None:
        """Put the previous facts back (one transaction). Refused with ScenarioError when those
        steps were edited since (the edit would be lost)."""
        if self._undo is None:
            raise ScenarioError("nothing to undo")
        self._undo()
        self._undo = None

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile_id, "scenario": self.name, "previous": self.previous,
                "written": self.written, "stale": [s.to_json() for s in self.stale]}


def apply_scenario(store, profile_id: int, name: str, today: dt.date, rules=None, *,
                   skip_stale: bool = False) -> AppliedScenario:
    """Make the scenario's changes the real profile's facts, in one transaction. A stale change
    refuses the whole apply (ScenarioError naming it) unless `skip_stale`. The scenario is kept."""
    sc = get_scenario(store, profile_id, name)
    with transaction(store.db):
        doc = store.document(profile_id)
        applied = apply_changes(doc, sc.changes, today, rules, strict=False)
        if applied.stale and not skip_stale:
            raise ScenarioError("the scenario no longer applies as saved: " + "; ".join(
                f"{s.change.path}: {s.reason}" for s in applied.stale) + ". Nothing was written.")
        if not applied.changes:
            raise ScenarioError("none of the scenario's changes applies to the profile now; nothing was written")
        written = {k: copy.deepcopy(applied.doc["facts"].get(k) or {}) for k in applied.previous}
        store.save_facts(profile_id, written)  # nested: a savepoint in this transaction
        written = {k: store.step_facts(profile_id, k) for k in written}  # as stored (empty values dropped)
    previous = copy.deepcopy(applied.previous)
    result = AppliedScenario(profile_id, sc.name, previous, written, applied.stale)
    result._undo = lambda: undo_apply(store, result)
    return result


def undo_apply(store, applied: AppliedScenario) -> None:
    """Restore the facts an apply replaced, if nobody changed them since (one transaction)."""
    with transaction(store.db):
        now = {k: store.step_facts(applied.profile_id, k) for k in applied.written}
        changed = [k for k in applied.written if now[k] != applied.written[k]]
        if changed:
            raise ScenarioError("undo would overwrite changes made since the scenario was applied ("
                                + ", ".join(changed) + "); nothing was written")
        store.save_facts(applied.profile_id, applied.previous)


# -- the profile document ------------------------------------------------------------------------

def export_document(store, profile_id: int) -> dict[str, Any]:
    """The profile document with its scenarios (key `scenarios`, present when it has any)."""
    doc = store.document(profile_id)
    scs = list_scenarios(store, profile_id)
    if scs:
        doc["scenarios"] = [s.to_json() for s in scs]
    return doc


def check_document_scenarios(value: Any) -> list[Problem]:
    """Problems with a document's `scenarios` list (core/profiles.py validate_document). Paths must
    be ones this version knows; values are checked when the scenario is evaluated (a value that
    no longer fits the profile is reported stale there, as for a scenario kept in the data file)."""
    out: list[Problem] = []
    if not isinstance(value, list):
        return [Problem("scenarios", "must be a list of {name, changes}")]
    if len(value) > MAX_SCENARIOS:
        return [Problem("scenarios", f"too many scenarios (at most {MAX_SCENARIOS})")]
    seen: set[str] = set()
    for i, sc in enumerate(value):
        at = f"scenarios[{i}]"
        if not isinstance(sc, Mapping):
            out.append(Problem(at, "must be an object with a name and changes"))
            continue
        for k in sc:
            if k not in ("name", "changes", "created_at", "updated_at"):
                out.append(Problem(f"{at}.{k}", "is not a known field"))
        name = sc.get("name")
        clean = " ".join(name.split()) if isinstance(name, str) else ""
        if not clean:
            out.append(Problem(f"{at}.name", "must be a non-empty text"))
        elif len(clean) > MAX_NAME:
            out.append(Problem(f"{at}.name", f"is too long (at most {MAX_NAME} characters)"))
        elif clean in seen:
            out.append(Problem(f"{at}.name", f"“{clean}” is used by another scenario of this profile"))
        seen.add(clean)
        for k in ("created_at", "updated_at"):
            if k in sc and not isinstance(sc[k], str):
                out.append(Problem(f"{at}.{k}", "must be a date and time (text)"))
        changes = sc.get("changes")
        if not isinstance(changes, list) or not changes:
            out.append(Problem(f"{at}.changes", "must be a non-empty list of {path, value}"))
            continue
        if len(changes) > MAX_CHANGES:
            out.append(Problem(f"{at}.changes", f"too many changes (at most {MAX_CHANGES})"))
            continue
        for j, c in enumerate(changes):
            cat = f"{at}.changes[{j}]"
            if not isinstance(c, Mapping) or not isinstance(c.get("path"), str):
                out.append(Problem(cat, "must be an object with a path (text) and a value"))
                continue
            for k in c:
                if k not in ("path", "value", "record", "new"):
                    out.append(Problem(f"{cat}.{k}", "is not a known field"))
            if "record" in c and c["record"] is not None and not isinstance(c["record"], Mapping):
                out.append(Problem(f"{cat}.record", "must be an object"))
            if "new" in c and not isinstance(c["new"], bool):
                out.append(Problem(f"{cat}.new", "must be true or false"))
            try:
                parse_path(c["path"])
            except WhatIfError as e:
                out.append(Problem(f"{cat}.path", e.problems[0].message))
    return out


def insert_imported(db: Database, profile_id: int, scenarios: Sequence[Mapping[str, Any]], now: str) -> None:
    """Write a checked document's scenarios for a new profile (inside import_document's transaction)."""
    for sc in scenarios:
        changes = [Change.from_json(c) for c in sc.get("changes") or []]
        db.execute(
            "INSERT INTO scenarios (profile_id, name, changes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [profile_id, " ".join(str(sc["name"]).split()), _dump(changes), str(sc.get("created_at") or now),
             str(sc.get("updated_at") or now)])
