"""The profile document: the app's own export/import format (`certpath-profile/1`).

```json
{"format": "certpath-profile/1", "name": "...", "role": "pediatric_resident",
 "tracks": ["img", "bls", "pals"],
 "facts": {"<step id or track id>": {...}},
 "overrides": {"<rule id>": {"value": ..., "note": "called the board", "date": "2026-10-01"}},
 "scenarios": [{"name": "H-1B plan", "changes": [{"path": "img.visa_need", "value": "needs_h1b"}]}]}
```

`parse_document(text, today)` checks everything and returns the document or raises
`ValidationError` whose problems name the field; nothing is written before that succeeds.
See docs/profile-format.md and docs/profile.schema.json.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any

from . import PROFILE_FORMAT, PROFILE_FORMAT_PROGRAMS
from .validate import Problem, ValidationError, check_override

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024  # a real profile is a few kB; refuse anything absurd
MAX_DEPTH = 12
SUPPORTED_FORMATS = (PROFILE_FORMAT, PROFILE_FORMAT_PROGRAMS)  # 2: may hold `programs`


def _depth(x: Any, limit: int, level: int = 0) -> int:
    if level > limit:
        return level
    if isinstance(x, Mapping):
        return max((_depth(v, limit, level + 1) for v in x.values()), default=level + 1)
    if isinstance(x, list):
        return max((_depth(v, limit, level + 1) for v in x), default=level + 1)
    return level


MAX_ABS_NUMBER = 1e15  # far beyond any score, count or amount; keeps floats exact and finite


class _BadNumber(float):
    """NaN, Infinity or an out-of-range number as written in the file, reported with its field."""

    text: str

    def __new__(cls, text: str):
        self = super().__new__(cls, "nan")
        self.text = text
        return self


def _parse_constant(name: str) -> Any:
    return _BadNumber(name)


def _parse_float(text: str) -> Any:
    v = float(text)
    return v if math.isfinite(v) and abs(v) <= MAX_ABS_NUMBER else _BadNumber(text)


def _parse_int(text: str) -> Any:
    if len(text.lstrip("-")) > 16:
        return _BadNumber(text)
    v = int(text)
    return v if abs(v) <= MAX_ABS_NUMBER else _BadNumber(text)


def _field_name(key: Any) -> str:
    k = str(key)
    try:
        k.encode("utf-8")
    except UnicodeEncodeError:
        return k.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return k


def _scan(x: Any, path: str, out: list[Problem], limit: int = 20) -> None:
    """Values no field may hold: non-finite or huge numbers, text that is not valid Unicode."""
    if len(out) >= limit:
        return
    if isinstance(x, _BadNumber):
        shown = x.text if len(x.text) <= 40 else f"{x.text[:20]}… ({len(x.text)} digits)"
        out.append(Problem(path or "(document)",
                           f"{shown} is not an allowed number (it must be finite and at most 10^15)"))
    elif isinstance(x, str):
        try:
            x.encode("utf-8")
        except UnicodeEncodeError:
            out.append(Problem(path or "(document)", "contains characters that are not valid Unicode"))
    elif isinstance(x, Mapping):
        for k, v in x.items():
            name = _field_name(k)
            if name != k:
                out.append(Problem(f"{path}.{name}" if path else name,
                                   "has a name with characters that are not valid Unicode"))
                continue
            _scan(v, f"{path}.{k}" if path else str(k), out, limit)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            _scan(v, f"{path}[{i}]", out, limit)


def loads(text: str | bytes) -> Any:
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_DOCUMENT_BYTES:
            raise ValidationError([Problem("(file)", f"is too large for a profile ({len(text) // 1024} kB; at most {MAX_DOCUMENT_BYTES // 1024} kB)")])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError([Problem("(file)", "is not UTF-8 text")]) from None
    if len(text) > MAX_DOCUMENT_BYTES:
        raise ValidationError([Problem("(file)", "is too large for a profile")])
    try:
        return json.loads(text, parse_constant=_parse_constant, parse_float=_parse_float,
                          parse_int=_parse_int)
    except RecursionError:
        raise ValidationError([Problem("(file)", "is nested too deeply")]) from None
    except (json.JSONDecodeError, ValueError) as e:
        msg = f"is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}" if isinstance(e, json.JSONDecodeError) else str(e)
        raise ValidationError([Problem("(file)", msg)]) from None


def validate_document(doc: Any, today: dt.date) -> list[Problem]:
    from .engine import all_step_defs, check_step, is_track, known_tracks
    from .roles import ROLES
    from .rules import load_rules

    problems: list[Problem] = []
    if not isinstance(doc, Mapping):
        return [Problem("(document)", "must be a JSON object")]
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        return [Problem("(document)", f"is nested more than {MAX_DEPTH} levels deep")]
    bad: list[Problem] = []
    _scan(doc, "", bad)
    if bad:
        return bad
    fmt = doc.get("format")
    if fmt not in SUPPORTED_FORMATS:
        if isinstance(fmt, str) and fmt.startswith("certpath-profile/"):
            problems.append(Problem("format", f"{fmt!r} is newer than this version of CertPath reads "
                                              f"({', '.join(SUPPORTED_FORMATS)}): install a newer CertPath to open it"))
        else:
            problems.append(Problem("format", f"must be {PROFILE_FORMAT!r} or {PROFILE_FORMAT_PROGRAMS!r}"))
        return problems
    allowed = {"format", "name", "role", "tracks", "facts", "overrides", "programs", "scenarios"}
    if "programs" in doc:
        if fmt != PROFILE_FORMAT_PROGRAMS:
            problems.append(Problem("programs", f"needs the document format {PROFILE_FORMAT_PROGRAMS!r}"))
        else:
            from .programs import check_section

            problems.extend(check_section(doc["programs"]))
    for k in doc:
        if k not in allowed:
            problems.append(Problem(str(k), "is not a known field"))
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("name", "must be a non-empty text"))
    elif len(name) > 200:
        problems.append(Problem("name", "is too long (at most 200 characters)"))
    role_ids = [r[0] for r in ROLES]
    role = doc.get("role", "other")
    if role not in role_ids:
        problems.append(Problem("role", f"{role!r} is not a known role ({', '.join(role_ids)})"))
    tracks = doc.get("tracks", [])
    have = known_tracks()
    if not isinstance(tracks, list) or not all(isinstance(t, str) for t in tracks):
        problems.append(Problem("tracks", "must be a list of track ids"))
        tracks = []
    else:
        for i, t in enumerate(tracks):
            if t not in have:
                problems.append(Problem(f"tracks[{i}]", f"{t!r} is not a known track ({', '.join(have)})"))
        if len(set(tracks)) != len(tracks):
            problems.append(Problem("tracks", "lists a track twice"))
    facts = doc.get("facts", {})
    if not isinstance(facts, Mapping):
        problems.append(Problem("facts", "must be an object keyed by step id"))
        facts = {}
    steps = all_step_defs()
    for key, data in facts.items():
        path = f"facts.{key}"
        if key not in steps and not is_track(key):
            problems.append(Problem(path, "is not a known step id or track id"))
            continue
        if not isinstance(data, Mapping):
            problems.append(Problem(path, "must be an object"))
            continue
        for p in check_step(key, data, doc, today):
            problems.append(p.at(f"{path}.{p.field}" if p.field else path))
    overrides = doc.get("overrides", {})
    if not isinstance(overrides, Mapping):
        problems.append(Problem("overrides", "must be an object keyed by rule id"))
    else:
        rules = load_rules()
        for rid, ov in overrides.items():
            if rid not in rules:
                problems.append(Problem(f"overrides.{rid}", "is not a known rule id"))
            else:  # the value must have the shape of the rule's published value
                problems.extend(check_override(rid, ov, rules))
    if "scenarios" in doc:
        from .scenarios import check_document_scenarios

        problems.extend(check_document_scenarios(doc["scenarios"]))
    return problems


def parse_document(text: str | bytes, today: dt.date) -> dict[str, Any]:
    doc = loads(text)
    try:
        problems = validate_document(doc, today)
    except (OverflowError, RecursionError) as e:  # a safety net: refuse, never crash
        raise ValidationError([Problem("(document)", f"cannot be checked ({e})")]) from None
    if problems:
        raise ValidationError(problems)
    return dict(doc)


def set_journeys(store: Any, profile_id: int, tracks: list[str] | None = None, role: str | None = None) -> None:
    """Change which journeys (tracks) a profile follows and its role, in one write. The facts of a
    journey left out stay in the file, so taking it back later finds them again. Raises
    ValidationError naming the field: an unknown track or role, a track twice, no track at all."""
    from .engine import known_tracks
    from .roles import ROLES

    problems: list[Problem] = []
    if tracks is not None:
        have = known_tracks()
        for i, t in enumerate(tracks):
            if t not in have:
                problems.append(Problem(f"tracks[{i}]", f"{t!r} is not a known track ({', '.join(have)})"))
        if len(set(tracks)) != len(tracks):
            problems.append(Problem("tracks", "lists a track twice"))
        if not tracks:
            problems.append(Problem("tracks", "choose at least one journey"))
    if role is not None and role not in [r[0] for r in ROLES]:
        problems.append(Problem("role", f"{role!r} is not a known role ({', '.join(r[0] for r in ROLES)})"))
    if problems:
        raise ValidationError(problems)
    store.update_profile(profile_id, role=role, tracks=list(tracks) if tracks is not None else None)
