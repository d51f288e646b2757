"""Rules as data: load the rule records in resources/rules/*.toml and look them up by id and date.

Every requirement the app states is a record; code never writes a requirement value itself.
A rule that changed over time has one record per period; lookups take the date of the event
(the test date, the course date), not today's. See docs/rules-format.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import resources_dir

CONFIDENCES = ("high", "medium", "low")
# Source tiers (docs/rules-format.md): primary = the statute, regulation or the body's own page
# (a board, ECFMG/Intealth, USMLE, NRMP, AAMC, AHA, Red Cross, AAP, USCIS, State Department);
# summary = FSMB's and the AMA's state-by-state pages; secondary = news, law firms, prep sites.
TIERS = ("primary", "summary", "secondary")
# What a calendar date in a rule means (docs/rules-format.md): an opening is never "overdue".
DATE_KINDS = ("opens", "recommended_by", "deadline", "late_fee_from", "result_day", "event")
_REQUIRED = ("id", "statement", "sources", "checked", "confidence")


class RuleDataError(ValueError):
    """A rule file is malformed: the message names the file and the record."""


class RuleNotFound(LookupError):
    """No record of that rule id is in force on the date asked."""


@dataclass(frozen=True)
class Source:
    """One source of a rule: its address and its tier (one of TIERS)."""

    url: str
    tier: str

    def to_json(self) -> dict[str, str]:
        return {"url": self.url, "tier": self.tier}


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    value: Any
    sources: tuple[Source, ...]
    checked: dt.date
    confidence: str
    valid_from: dt.date | None = None  # inclusive; None: since always
    valid_until: dt.date | None = None  # exclusive; None: still in force
    as_of: str | None = None  # the source page's own date, as the source gives it
    conflict: str | None = None  # where sources disagree: both values, in words
    projected: bool = False  # computed from a recurring pattern, not published
    unit: str | None = None
    kind: str | None = None  # for a rule whose value is a date: one of DATE_KINDS
    file: str = ""
    override: Mapping[str, Any] | None = field(default=None, compare=False)

    def in_force(self, on: dt.date) -> bool:
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_until is not None and on >= self.valid_until)

    @property
    def urls(self) -> tuple[str, ...]:
        """The sources' addresses, in the record's order."""
        return tuple(s.url for s in self.sources)

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
            "sources": [s.to_json() for s in self.sources],
            "checked": self.checked.isoformat(),
            "confidence": self.confidence,
        }
        for key in ("as_of", "conflict", "unit", "kind"):
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


def _parse_sources(raw: Any, where: str) -> tuple[Source, ...]:
    """`sources = [{ url = "https://…", tier = "primary" }, …]`: a non-empty list, every tier named."""
    if not isinstance(raw, list) or not raw:
        raise RuleDataError(f"{where}: 'sources' must be a non-empty list of {{ url, tier }} tables")
    out = []
    for i, s in enumerate(raw):
        if not isinstance(s, Mapping) or set(s) != {"url", "tier"}:
            raise RuleDataError(f"{where}: sources[{i}] must be a table with exactly 'url' and 'tier'")
        url, tier = s["url"], s["tier"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise RuleDataError(f"{where}: sources[{i}].url must be an http(s) address, got {url!r}")
        if tier not in TIERS:
            raise RuleDataError(f"{where}: sources[{i}].tier must be one of {TIERS}, got {tier!r}")
        out.append(Source(url=url, tier=tier))
    return tuple(out)


def _parse_record(raw: Mapping[str, Any], where: str) -> Rule:
    for key in _REQUIRED:
        if key not in raw:
            raise RuleDataError(f"{where}: missing '{key}'")
    if "value" not in raw:
        raise RuleDataError(f"{where}: missing 'value'")
    conf = raw["confidence"]
    if conf not in CONFIDENCES:
        raise RuleDataError(f"{where}: confidence must be one of {CONFIDENCES}, got {conf!r}")
    sources = _parse_sources(raw["sources"], where)
    known = {
        "id", "statement", "value", "sources", "checked", "confidence", "from", "until",
        "as_of", "conflict", "projected", "unit", "kind",
    }
    unknown = set(raw) - known
    if unknown:
        raise RuleDataError(f"{where}: unknown key(s) {sorted(unknown)}")
    if raw.get("kind") is not None and raw["kind"] not in DATE_KINDS:
        raise RuleDataError(f"{where}: kind must be one of {DATE_KINDS}, got {raw['kind']!r}")
    checked = _as_date(raw["checked"], where, "checked")
    assert checked is not None
    rule = Rule(
        id=str(raw["id"]),
        statement=str(raw["statement"]),
        value=raw["value"],
        sources=sources,
        checked=checked,
        confidence=conf,
        valid_from=_as_date(raw.get("from"), where, "from"),
        valid_until=_as_date(raw.get("until"), where, "until"),
        as_of=str(raw["as_of"]) if raw.get("as_of") is not None else None,
        conflict=raw.get("conflict"),
        projected=bool(raw.get("projected", False)),
        unit=raw.get("unit"),
        kind=raw.get("kind"),
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


COMPILED_NAME = "_compiled.json"  # a parse cache of the TOML files; see load_rules_from()
_DATE_TAG = "$date"


def _encode(o: Any) -> Any:
    if isinstance(o, dt.date):
        return {_DATE_TAG: o.isoformat()}
    raise TypeError(f"cannot cache {type(o).__name__}")


def _decode(d: dict[str, Any]) -> Any:
    if len(d) == 1 and _DATE_TAG in d:
        return dt.date.fromisoformat(d[_DATE_TAG])
    return d


def _read_sources(folder: Path) -> tuple[list[tuple[str, bytes]], str]:
    files = [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*.toml"))]
    h = hashlib.sha256()
    for rel, data in files:
        h.update(rel.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return files, h.hexdigest()


def _parse_toml(files: list[tuple[str, bytes]]) -> list[tuple[str, list[dict[str, Any]]]]:
    out = []
    for rel, data in files:
        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise RuleDataError(f"{rel}: {e}") from e
        out.append((rel, list(doc.get("rule", []))))
    return out


def _read_compiled(path: Path, fingerprint: str) -> list[tuple[str, list[dict[str, Any]]]] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("fingerprint") != fingerprint:
        return None
    return [(rel, recs) for rel, recs in doc["files"]]


def _write_compiled(path: Path, fingerprint: str, parsed: list[tuple[str, list[dict[str, Any]]]]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"fingerprint": fingerprint, "files": parsed}, default=_encode,
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only install: parse the TOML each time, no harm done
        tmp.unlink(missing_ok=True)


def load_rules_from(folder: Path, *, use_compiled: bool = True) -> RuleSet:
    """Every record under `folder`. The TOML files are the truth; parsing them takes ~45 ms, so
    their parsed form is kept in `_compiled.json` beside them, used only while its fingerprint
    (a hash of every file's name and bytes) matches: an edited rule file is always re-read."""
    files, fingerprint = _read_sources(folder)
    compiled = folder / COMPILED_NAME
    parsed = _read_compiled(compiled, fingerprint) if use_compiled else None
    if parsed is None:
        parsed = _parse_toml(files)
        if use_compiled:
            _write_compiled(compiled, fingerprint, parsed)
    rules: list[Rule] = []
    for rel, records in parsed:
        for i, raw in enumerate(records):
            rules.append(_parse_record(raw, f"{rel}: rule #{i + 1} ({raw.get('id', '?')})"))
    return RuleSet(rules)


def compile_rules(folder: Path | None = None) -> Path:
    """Write the parse cache now (the bundle build calls this so frozen apps start fast)."""
    folder = folder or resources_dir() / "rules"
    files, fingerprint = _read_sources(folder)
    _write_compiled(folder / COMPILED_NAME, fingerprint, _parse_toml(files))
    return folder / COMPILED_NAME


@lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """The bundled rule set (cached: the files do not change while the app runs)."""
    return load_rules_from(resources_dir() / "rules")
