"""Rules as data: load the rule records in resources/rules/*.toml and look them up by id and date.

Every requirement the app states is a record; code never writes a requirement value itself.
A rule that changed over time has one record per period; lookups take the date of the event
(the test date, the course date), not today's. See docs/rules-format.md.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import resources_dir

CONFIDENCES = ("high", "medium", "low")
_REQUIRED = ("id", "statement", "sources", "checked", "confidence")


class RuleDataError(ValueError):
    """A rule file is malformed: the message names the file and the record."""


class RuleNotFound(LookupError):
    """No record of that rule id is in force on the date asked."""


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    value: Any
    sources: tuple[str, ...]
    checked: dt.date
    confidence: str
    valid_from: dt.date | None = None  # inclusive; None: since always
    valid_until: dt.date | None = None  # exclusive; None: still in force
    as_of: str | None = None  # the source page's own date, as the source gives it
    conflict: str | None = None  # where sources disagree: both values, in words
    projected: bool = False  # computed from a recurring pattern, not published
    unit: str | None = None
    file: str = ""
    override: Mapping[str, Any] | None = field(default=None, compare=False)

    def in_force(self, on: dt.date) -> bool:
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_until is not None and on >= self.valid_until)

    @property
    def is_override(self) -> bool:
        return self.override is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "statement": self.statement,
            "value": _jsonable(self.value),
            "from": self.valid_from.isoformat() if self.valid_from else None,
            "until": self.valid_until.isoformat() if self.valid_until else None,
            "sources": list(self.sources),
            "checked": self.checked.isoformat(),
            "confidence": self.confidence,
        }
        for key in ("as_of", "conflict", "unit"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.projected:
            out["projected"] = True
        if self.override is not None:
            out["override"] = dict(self.override)
        return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Mapping):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def _as_date(value: Any, where: str, key: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise RuleDataError(f"{where}: '{key}' must be a TOML date (YYYY-MM-DD), got {value!r}")


def _parse_record(raw: Mapping[str, Any], where: str) -> Rule:
    for key in _REQUIRED:
        if key not in raw:
            raise RuleDataError(f"{where}: missing '{key}'")
    if "value" not in raw:
        raise RuleDataError(f"{where}: missing 'value'")
    conf = raw["confidence"]
    if conf not in CONFIDENCES:
        raise RuleDataError(f"{where}: confidence must be one of {CONFIDENCES}, got {conf!r}")
    sources = raw["sources"]
    if isinstance(sources, str):
        sources = [sources]
    if not sources or not all(isinstance(s, str) and s.startswith(("http://", "https://")) for s in sources):
        raise RuleDataError(f"{where}: 'sources' must be a non-empty list of URLs")
    known = {
        "id", "statement", "value", "sources", "checked", "confidence", "from", "until",
        "as_of", "conflict", "projected", "unit",
    }
    unknown = set(raw) - known
    if unknown:
        raise RuleDataError(f"{where}: unknown key(s) {sorted(unknown)}")
    checked = _as_date(raw["checked"], where, "checked")
    assert checked is not None
    rule = Rule(
        id=str(raw["id"]),
        statement=str(raw["statement"]),
        value=raw["value"],
        sources=tuple(sources),
        checked=checked,
        confidence=conf,
        valid_from=_as_date(raw.get("from"), where, "from"),
        valid_until=_as_date(raw.get("until"), where, "until"),
        as_of=str(raw["as_of"]) if raw.get("as_of") is not None else None,
        conflict=raw.get("conflict"),
        projected=bool(raw.get("projected", False)),
        unit=raw.get("unit"),
        file=where.split(":")[0],
    )
    if rule.valid_from and rule.valid_until and rule.valid_until <= rule.valid_from:
        raise RuleDataError(f"{where}: 'until' must be after 'from'")
    return rule


class RuleSet:
    """All rule records, indexed by id. Periods of one id must not overlap."""

    def __init__(self, rules: Iterable[Rule]):
        self._by_id: dict[str, list[Rule]] = {}
        for r in rules:
            self._by_id.setdefault(r.id, []).append(r)
        for rid, recs in self._by_id.items():
            recs.sort(key=lambda r: r.valid_from or dt.date.min)
            for a, b in zip(recs, recs[1:], strict=False):
                if a.valid_until is None or (b.valid_from is not None and a.valid_until > b.valid_from):
                    raise RuleDataError(f"rule {rid}: periods overlap ({a.file} and {b.file})")

    def __contains__(self, rule_id: str) -> bool:
        return rule_id in self._by_id

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def all(self) -> list[Rule]:
        return [r for rid in sorted(self._by_id) for r in self._by_id[rid]]

    def records(self, rule_id: str) -> list[Rule]:
        """Every period of one rule, oldest first."""
        if rule_id not in self._by_id:
            raise RuleNotFound(f"unknown rule id {rule_id!r}")
        return list(self._by_id[rule_id])

    def find(self, rule_id: str, on: dt.date, overrides: Mapping[str, Any] | None = None) -> Rule | None:
        """The record of `rule_id` in force on `on`, with a profile override applied; None if none."""
        if rule_id not in self._by_id:
            raise RuleNotFound(f"unknown rule id {rule_id!r}")
        found = next((r for r in self._by_id[rule_id] if r.in_force(on)), None)
        if overrides and rule_id in overrides:
            ov = overrides[rule_id]
            ov = dict(ov) if isinstance(ov, Mapping) else {"value": ov}
            base = found or self._by_id[rule_id][-1]
            return Rule(**{**base.__dict__, "value": ov.get("value"), "override": ov})
        return found

    def get(self, rule_id: str, on: dt.date, overrides: Mapping[str, Any] | None = None) -> Rule:
        r = self.find(rule_id, on, overrides)
        if r is None:
            raise RuleNotFound(f"no record of rule {rule_id!r} is in force on {on.isoformat()}")
        return r

    def value(self, rule_id: str, on: dt.date, overrides: Mapping[str, Any] | None = None) -> Any:
        return self.get(rule_id, on, overrides).value


def load_rules_from(folder: Path) -> RuleSet:
    rules: list[Rule] = []
    for path in sorted(folder.rglob("*.toml")):
        rel = path.relative_to(folder).as_posix()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise RuleDataError(f"{rel}: {e}") from e
        for i, raw in enumerate(data.get("rule", [])):
            rules.append(_parse_record(raw, f"{rel}: rule #{i + 1} ({raw.get('id', '?')})"))
    return RuleSet(rules)


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """The bundled rule set (cached: the files do not change while the app runs)."""
    return load_rules_from(resources_dir() / "rules")
