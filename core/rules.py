"""Rules as data: load the rule records in resources/rules/*.toml and look them up by id and date.

Every requirement the app states is a record; code never writes a requirement value itself.
A rule that changed over time has one record per period; lookups take the date of the event
(the test date, the course date), not today's. See docs/rules-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import marshal
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


def overdue_when_passed(kind: str | None) -> bool:
    """Whether a date of this kind is "overdue" once it has passed: a deadline is, and so is a
    date of no known kind (a plain due date, read as a deadline); an opening, a recommendation, a
    late-fee day, a result day and an event never are (they are said as passed)."""
    return kind not in DATE_KINDS or kind == "deadline"
_REQUIRED = ("id", "statement", "sources", "checked", "confidence")
# CertPath's own policy records (resources/rules/certpath/) cite the project's documentation by
# its path in the project, e.g. "docs/rules-format.md#staleness": the project is the body here.
_PROJECT_DOC = re.compile(r"docs/[a-z0-9_-]+\.md(#[a-z0-9-]+)?")


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
    """One record of a rule: its value, sources, dates in force and confidence (docs/rules-format.md)."""

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
        own_doc = isinstance(url, str) and _PROJECT_DOC.fullmatch(url) is not None
        if not isinstance(url, str) or not (url.startswith(("http://", "https://")) or own_doc):
            raise RuleDataError(f"{where}: sources[{i}].url must be an http(s) address, got {url!r}")
        if own_doc and not (where.startswith("certpath/") and tier == "primary"):
            raise RuleDataError(f"{where}: sources[{i}]: a project document ({url}) is the source only of "
                                "CertPath's own policy records (certpath/*.toml, tier primary)")
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
        raise RuleDataError(f"{where}: unknown {'key' if len(unknown) == 1 else 'keys'} {sorted(unknown)}")
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
            try:
                value = fit_override(self, rule_id, ov.get("value"))
            except OverrideShapeError:
                # Refused wherever an override is written (import, the step page, the store); one
                # stored before that check is not applied rather than crashing every view.
                return found
            base = found or self._by_id[rule_id][-1]
            return Rule(**{**base.__dict__, "value": value, "override": ov})
        return found

    def get(self, rule_id: str, on: dt.date, overrides: Mapping[str, Any] | None = None) -> Rule:
        r = self.find(rule_id, on, overrides)
        if r is None:
            raise RuleNotFound(f"no record of rule {rule_id!r} is in force on {on.isoformat()}")
        return r

    def value(self, rule_id: str, on: dt.date, overrides: Mapping[str, Any] | None = None) -> Any:
        return self.get(rule_id, on, overrides).value


# -- the shape of a rule's value (what a user's override must look like) ----------------------------
def describe_shape(value: Any, depth: int = 0) -> str:
    """The shape of a rule value in words: "a number", "a table { method: text, months: number }"."""
    if isinstance(value, bool):
        return "yes or no (true/false)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date):
        return "a date (YYYY-MM-DD)"
    if isinstance(value, list):
        if not value:
            return "a list"
        inner = {describe_shape(x, depth + 1) for x in value}
        return f"a list of {' or '.join(sorted(inner))}" if len(inner) <= 2 else "a list"
    if isinstance(value, Mapping):
        if depth > 1:
            return "a table"
        keys = ", ".join(f"{k}: {_short_shape(x, depth + 1)}" for k, x in value.items())
        if len(keys) > 160:
            keys = ", ".join(str(k) for k in value)
        return f"a table {{ {keys} }}"
    return type(value).__name__


def _short_shape(value: Any, depth: int) -> str:
    text = describe_shape(value, depth)
    return text[2:] if text.startswith("a ") else text


def _shape_problem(published: Any, value: Any, where: str) -> tuple[str | None, Any]:
    """(None, the value as the engine wants it) when `value` has the shape of `published`, else
    (what is wrong, None). An ISO date text where a date is published becomes a date."""
    if isinstance(published, bool):
        return (None, value) if isinstance(value, bool) else (f"{where}must be yes or no", None)
    if isinstance(published, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{where}must be a number", None
        return None, value
    if isinstance(published, str):
        return (None, value) if isinstance(value, str) else (f"{where}must be text", None)
    if isinstance(published, dt.date):
        if isinstance(value, dt.date):
            return None, value
        if isinstance(value, str):
            try:
                return None, dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return f"{where}must be a date (YYYY-MM-DD)", None
    if isinstance(published, list):
        if not isinstance(value, list):
            return f"{where}must be a list", None
        if not published:
            return None, value
        out = []
        for i, x in enumerate(value):
            for p in published:
                why, fitted = _shape_problem(p, x, "")
                if why is None:
                    out.append(fitted)
                    break
            else:
                return f"{where}item {i + 1} must be {describe_shape(published[0], 1)}", None
        return None, out
    if isinstance(published, Mapping):
        if not isinstance(value, Mapping):
            return f"{where}must be a table", None
        # A table of lists or of tables keyed by data (a role, a provider) is a map: an override
        # may give some of its keys. A table of fields (method, months) needs every field.
        is_map = all(isinstance(x, list) for x in published.values()) or \
            all(isinstance(x, Mapping) for x in published.values())
        missing = [] if is_map else [k for k in published if k not in value]
        extra = [k for k in value if k not in published]
        if missing:
            return f"{where}is missing {', '.join(map(str, missing))}", None
        if extra:
            return f"{where}has {', '.join(map(str, extra))}, which this rule does not have", None
        fitted_map = {}
        for k, p in published.items():
            if k not in value:
                continue
            why, fitted = _shape_problem(p, value[k], f"{where}{k} ")
            if why is not None:
                return why, None
            fitted_map[k] = fitted
        return None, fitted_map
    return None, value


# Shapes the code reading a rule accepts besides the published one, as example values derived
# from the published value: core/roles.py takes a role's entry as the plain list of its cards.
_ALSO_ACCEPTED: dict[str, Any] = {
    "roles.typical_cards": lambda published: {k: ["bls"] for k in published} if isinstance(published, Mapping)
    else None,
}


class OverrideShapeError(ValueError):
    """A user's value for a rule does not have the shape of the rule's published value."""

    def __init__(self, rule_id: str, expected: str, reason: str):
        self.rule_id = rule_id
        self.expected = expected
        self.reason = reason
        super().__init__(f"rule {rule_id}: the value must be {expected} ({reason})")


def fit_override(rules: RuleSet, rule_id: str, value: Any) -> Any:
    """`value` as a user's override of `rule_id`, checked against the shape of the rule's published
    value (any of its periods): returned as the engine wants it (an ISO date text becomes a date),
    or OverrideShapeError naming the rule and the expected shape. RuleNotFound for an unknown id."""
    records = rules.records(rule_id)
    if value is None:
        raise OverrideShapeError(rule_id, describe_shape(records[-1].value), "no value was given")
    first_reason = ""
    also = _ALSO_ACCEPTED.get(rule_id)
    for rec in reversed(records):  # the newest period first
        why, fitted = _shape_problem(rec.value, value, "")
        if why is None:
            return fitted
        first_reason = first_reason or why
        alt = also(rec.value) if also else None
        if alt is not None and isinstance(value, Mapping) and value and all(isinstance(x, list) for x in value.values()):
            if _shape_problem(alt, value, "")[0] is None:
                return value
    expected = " or ".join(dict.fromkeys(describe_shape(r.value) for r in reversed(records)))
    reason = f"got {describe_shape(value)}" if first_reason.startswith("must be") else f"yours {first_reason}"
    raise OverrideShapeError(rule_id, expected, reason)


COMPILED_NAME = "_compiled.json"  # a parse cache of the TOML files; see rules_from_files()
_DATE_TAG = "$date"
_CACHE_KEEP = 6  # parse caches kept in the cache folder (one per rule set seen: bundled, packs)
_RECORDS_FORMAT = 1  # of the checked-records cache (`_write_records`)


def _encode(o: Any) -> Any:
    if isinstance(o, dt.date):
        return {_DATE_TAG: o.isoformat()}
    raise TypeError(f"cannot cache {type(o).__name__}")


def _decode(d: dict[str, Any]) -> Any:
    if len(d) == 1 and _DATE_TAG in d:
        return dt.date.fromisoformat(d[_DATE_TAG])
    return d


def read_rule_files(folder: Path) -> list[tuple[str, bytes]]:
    """Every `*.toml` under `folder` as (path relative to it, bytes), in a stable order."""
    return [(p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*.toml"))]


def _hasher():
    """BLAKE2b (32 bytes) from CPython's own `_blake2`: `hashlib` would load OpenSSL's libcrypto,
    about 3 MB of resident memory at every start for this one hash."""
    try:
        from _blake2 import blake2b
    except ImportError:  # an interpreter without it
        from hashlib import blake2b
    return blake2b(digest_size=32)


def fingerprint(files: Iterable[tuple[str, bytes]]) -> str:
    """A hash of every file's name and bytes: the identity of a rule set's sources."""
    h = _hasher()
    for rel, data in sorted(files):
        h.update(rel.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def _parse_toml(files: list[tuple[str, bytes]]) -> list[tuple[str, list[dict[str, Any]]]]:
    import tomllib  # only when the parse cache does not match (~10 ms to import)

    out = []
    for rel, data in files:
        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise RuleDataError(f"{rel}: {e}") from e
        recs = doc.get("rule", [])
        if not isinstance(recs, list) or not all(isinstance(r, Mapping) for r in recs):
            raise RuleDataError(f"{rel}: 'rule' must be an array of tables ([[rule]])")
        out.append((rel, list(recs)))
    return out


def _read_compiled(path: Path, fp: str) -> list[tuple[str, list[dict[str, Any]]]] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
        if not isinstance(doc, dict) or doc.get("fingerprint") != fp:
            return None
        return [(rel, recs) for rel, recs in doc["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_compiled(path: Path, fp: str, parsed: list[tuple[str, list[dict[str, Any]]]]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"fingerprint": fp, "files": parsed}, default=_encode,
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only or missing cache folder: parse the TOML each time, no harm done
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # not even readable (a folder of another user): nothing of ours is there
            pass


def _prune_cache(folder: Path, keep: Path, pattern: str = "rules-*.json") -> None:
    try:
        old = sorted((p for p in folder.glob(pattern) if p != keep),
                     key=lambda p: p.stat().st_mtime, reverse=True)
        for p in old[_CACHE_KEEP - 1:]:
            p.unlink(missing_ok=True)
    except OSError:
        pass


# -- the checked records, cached --------------------------------------------------------------------
# Reading the parse cache (JSON) and building and checking its ~320 records took ~8 ms of every
# start. The records themselves are kept too, in a marshal file beside the parse cache, keyed by the
# rule files' fingerprint *and* by the code that checks and builds them (`_checker_identity`): a
# CertPath whose checks changed (stricter, or a new field) never takes records another version
# passed. Dates are stored as day numbers; a value's dates as ("date", n) pairs (TOML and JSON
# give lists, never tuples, so a pair cannot be mistaken for a value). Like the parse cache, the
# file must be in the user's own cache folder; a missing, damaged or foreign file is rebuilt.
_CHECKER: bytes | None = None


def _checker_identity() -> bytes:
    """A hash of what turns parsed records into Rule objects: the bytecode, names and constants of
    the checking functions and of Rule's and Source's generated __init__, the tables they consult,
    the records' fields, and this file's format."""
    global _CHECKER
    if _CHECKER is None:
        from dataclasses import MISSING, fields

        h = _hasher()

        def const(c: Any) -> str:
            if isinstance(c, frozenset):  # a set display's constants: hash order differs per process
                return "frozenset(" + ",".join(sorted(const(x) for x in c)) + ")"
            if isinstance(c, tuple):
                return "(" + ",".join(const(x) for x in c) + ")"
            return repr(c)

        def code(co: Any) -> None:
            h.update(co.co_code + repr(co.co_names).encode())
            for c in co.co_consts:
                if hasattr(c, "co_code"):
                    code(c)
                else:
                    h.update(const(c).encode())

        for fn in (_parse_record, _parse_sources, _as_date, Rule.__init__, Source.__init__):
            code(fn.__code__)
        h.update(repr((_RECORDS_FORMAT, CONFIDENCES, TIERS, DATE_KINDS, _REQUIRED, _PROJECT_DOC.pattern,
                       [(f.name, "-" if f.default is MISSING else repr(f.default)) for f in fields(Rule)],
                       [f.name for f in fields(Source)],
                       hasattr(Rule, "__post_init__"), hasattr(Source, "__post_init__"))).encode())
        _CHECKER = h.digest()
    return _CHECKER


class _NotStorable(Exception):
    pass


def _pack(v: Any) -> Any:
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return ("date", v.toordinal())
    if isinstance(v, dict):
        return {k: _pack(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_pack(x) for x in v]
    if v is None or isinstance(v, str | bool | int | float):
        return v
    raise _NotStorable(type(v).__name__)  # a tuple or any other type: not cached, parsed every time


def _unpack(v: Any) -> Any:
    if isinstance(v, tuple):
        return dt.date.fromordinal(v[1])
    if isinstance(v, dict):
        return {k: _unpack(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_unpack(x) for x in v]
    return v


def _has_date(v: Any) -> bool:
    if isinstance(v, tuple):
        return True
    if isinstance(v, dict):
        return any(_has_date(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_date(x) for x in v)
    return False


def _day(d: dt.date | None) -> int | None:
    return None if d is None else d.toordinal()


def _write_records(path: Path, fp: str, rules: list[Rule]) -> None:
    try:
        rows = []
        for r in rules:
            if r.override is not None:
                raise _NotStorable("override")
            value = _pack(r.value)
            rows.append((r.id, r.statement, value, _has_date(value), tuple((s.url, s.tier) for s in r.sources),
                         r.checked.toordinal(), r.confidence, _day(r.valid_from), _day(r.valid_until), r.as_of,
                         r.conflict, r.projected, r.unit, r.kind, r.file))
        blob = marshal.dumps((_RECORDS_FORMAT, fp, _checker_identity(), rows))
    except (_NotStorable, ValueError):
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(blob)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def _read_records(path: Path, fp: str) -> list[Rule] | None:
    """The records kept for these rule files by this very checking code, else None."""
    try:
        fmt, kept_fp, checker, rows = marshal.loads(path.read_bytes())
        if fmt != _RECORDS_FORMAT or kept_fp != fp or checker != _checker_identity():
            return None
        new, day = object.__new__, dt.date.fromordinal
        sources: dict[tuple[str, str], Source] = {}
        out = []
        for (rid, statement, value, dated, srcs, checked, confidence, valid_from, valid_until, as_of, conflict,
             projected, unit, kind, file) in rows:
            found = []
            for pair in srcs:
                src = sources.get(pair)
                if src is None:
                    src = sources[pair] = new(Source)
                    src.__dict__.update(url=pair[0], tier=pair[1])
                found.append(src)
            r = new(Rule)
            r.__dict__.update(id=rid, statement=statement, value=_unpack(value) if dated else value,
                              sources=tuple(found), checked=day(checked), confidence=confidence,
                              valid_from=None if valid_from is None else day(valid_from),
                              valid_until=None if valid_until is None else day(valid_until), as_of=as_of,
                              conflict=conflict, projected=projected, unit=unit, kind=kind, file=file,
                              override=None)
            out.append(r)
        return out or None
    except (OSError, EOFError, ValueError, TypeError, IndexError, AttributeError, OverflowError):
        return None


def rules_from_files(files: list[tuple[str, bytes]], *, label: str = "rules", use_cache: bool = True,
                     shipped_cache: Path | None = None) -> RuleSet:
    """The rule set of these TOML files (name relative to the rules folder, bytes): the one
    loading path of the bundled rules and of an installed rule pack.

    Parsing ~50 TOML files takes ~45 ms, so their parsed form is cached by fingerprint (a hash of
    every file's name and bytes: an edited rule file is always re-read) in the user cache folder
    (core.cache_dir(), never the source tree); `shipped_cache` is a read-only cache the frozen
    bundle carries (written by build.spec). An empty rule set is an error, never 0 rules."""
    if not files:
        raise RuleDataError(f"{label}: no rule files (*.toml) were found; CertPath cannot work without its rules")
    fp = fingerprint(files)
    parsed = None
    cache_file = records_file = None
    if use_cache:
        from . import cache_dir

        try:
            records_file = cache_dir() / f"rules-{fp[:32]}.records"
        except (OSError, RuntimeError):  # no cache folder to be had: the parse caches alone
            records_file = None
        kept = _read_records(records_file, fp) if records_file is not None else None
        if kept is not None:
            return RuleSet(kept)
    if use_cache:
        if shipped_cache is not None:
            parsed = _read_compiled(shipped_cache, fp)
        if parsed is None:
            from . import cache_dir

            cache_file = cache_dir() / f"rules-{fp[:32]}.json"
            parsed = _read_compiled(cache_file, fp)
            if parsed is not None:
                cache_file = None  # nothing to write
    if parsed is None:
        parsed = _parse_toml(files)
        if cache_file is not None:
            _write_compiled(cache_file, fp, parsed)
            _prune_cache(cache_file.parent, cache_file)
    rules: list[Rule] = []
    for rel, records in parsed:
        for i, raw in enumerate(records):
            rules.append(_parse_record(raw, f"{rel}: rule #{i + 1} ({raw.get('id', '?')})"))
    if not rules:
        raise RuleDataError(f"{label}: the rule files hold no [[rule]] records; CertPath cannot work without its rules")
    rule_set = RuleSet(rules)  # the periods checked before anything is kept
    if records_file is not None:
        _write_records(records_file, fp, rules)
        _prune_cache(records_file.parent, records_file, "rules-*.records")
    return rule_set


def load_rules_from(folder: Path, *, use_compiled: bool = True) -> RuleSet:
    """Every record under `folder` (see rules_from_files). A missing folder is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RuleDataError(f"{folder}: the rules folder does not exist; CertPath cannot work without its rules")
    return rules_from_files(read_rule_files(folder), label=str(folder), use_cache=use_compiled,
                            shipped_cache=folder / COMPILED_NAME)


def compile_rules(folder: Path | None = None, out: Path | None = None) -> Path:
    """Write the parse cache of `folder` to `out` (build.spec calls this so the frozen app starts
    fast; the bundle carries the file as resources/rules/_compiled.json, read-only)."""
    from . import cache_dir

    folder = folder or resources_dir() / "rules"
    files = read_rule_files(folder)
    fp = fingerprint(files)
    out = out or cache_dir() / f"rules-{fp[:32]}.json"
    _write_compiled(out, fp, _parse_toml(files))
    return out


def load_rules() -> RuleSet:
    """The rule set in use: the installed rule pack of the data folder the app or the command line
    opened (core.rulepacks.activate), else the bundled rules (pack version 0)."""
    from .rulepacks import pack_in_use

    return pack_in_use().rules
