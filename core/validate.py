"""Validation of user facts: generic checks driven by a step's FieldSpecs.

A `Problem` names the field (a dotted path such as `facts.usmle.step1.attempts[2].score`) and
says what is wrong in words a user understands. The GUI shows problems beside the field; the
importer and the command line print them and exit 2. Track modules add cross-field checks
(a result date before its test date) on top of these.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol, cast

from .engine.base import FieldSpec
from .engine.findings import Finding

MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field. A track's cross-field checks (core/engine/*/checks.py) give a
    `finding` (a code and its params, worded by core/wording.py); `message` is then the catalogue's
    wording with ISO dates (the command line, logs, exports), and `text()` words it for a person
    with the installed date format (the GUI's). Other checks give a `message` only."""

    field: str  # dotted path; for a step form, relative to the step (e.g. "attempts[1].score")
    message: str = ""
    finding: Finding | None = None

    def __post_init__(self) -> None:
        if self.finding is not None and not self.message:
            from .wording import text

            object.__setattr__(self, "message", text(self.finding, iso=True))

    @property
    def code(self) -> str | None:
        return self.finding.code if self.finding is not None else None

    @property
    def params(self) -> Mapping[str, Any]:
        return self.finding.params if self.finding is not None else {}

    def text(self, iso: bool = False) -> str:
        """In words: a finding through the catalogue (the installed date format; ISO with `iso`)."""
        if self.finding is None:
            return self.message
        from .wording import text

        return text(self.finding, iso=iso)

    def at(self, field: str) -> Problem:
        """The same problem, named by another path (a step's problem inside the whole profile)."""
        return replace(self, field=field)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Reported(Protocol):
    """What a ValidationError lists: a Problem, or a csv_import.CsvProblem (whose field is its row/column)."""

    @property
    def field(self) -> str: ...

    @property
    def message(self) -> str: ...


class ValidationError(ValueError):
    def __init__(self, problems: Sequence[Reported]):
        # read as Problems everywhere: a CsvProblem has the same field and message
        self.problems: list[Problem] = cast("list[Problem]", list(problems))
        super().__init__("; ".join(str(p) for p in problems))


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # English whatever the C locale (calendar's would follow it)


def date_problem(text: str) -> str | None:
    """Why `text` is not a date CertPath accepts, in words; None when it is one (or is empty).
    The one wording for the step pages, the date editor, the CSV import and the command line."""
    t = text.strip()
    if not t:
        return None
    m = _ISO.fullmatch(t)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if not MIN_DATE.year <= y <= MAX_DATE.year:
            return f"{t} is outside the years 1900 to 2200"
        if not 1 <= mo <= 12:
            return f"'{t}' is not a date: there is no month {mo} (months go from 01 to 12)"
        days = calendar.monthrange(y, mo)[1]
        if d < 1 or d > days:
            return f"'{t}' is not a date: {_MONTHS[mo - 1]} {y} has {days} days"
        return None
    try:  # the other ISO 8601 forms Python reads (20260110, 2026-W02-6) stay accepted
        other = dt.date.fromisoformat(t)
    except ValueError:
        other = None
    if other is not None:
        return None if MIN_DATE <= other <= MAX_DATE else f"{t} is outside the years 1900 to 2200"
    if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", t):
        return (f"'{t}' is not a date in the form YYYY-MM-DD: day and month could be either way round; "
                "type it as YYYY-MM-DD")
    return f"'{t}' is not a date in the form YYYY-MM-DD"


def parse_date(value: Any) -> dt.date | None:
    """A date from an ISO string or a date; None for empty. Raises ValueError otherwise."""
    if type(value) is str:  # the common case first: a stored YYYY-MM-DD
        return _parse_text(value) if value else None
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _parse_text(str(value)) if value else None
    raise ValueError(f"expected a date (YYYY-MM-DD), got {type(value).__name__}")


@lru_cache(maxsize=8192)
def _parse_text(value: str) -> dt.date:
    """parse_date of a non-empty text. A pure function of the text, so the same text is read once
    (an evaluation reads every exam record's dates, and a profile with hundreds of them is read
    again at every Save); a text that is not a date raises every time (exceptions are not cached)."""
    why = date_problem(value) if value.strip() else f"'{value}' is not a date in the form YYYY-MM-DD"
    if why is not None:
        raise ValueError(why)
    return dt.date.fromisoformat(value.strip())


def _check_value(spec: FieldSpec, value: Any, path: str, out: list[Problem]) -> None:
    if value is None or value == "":
        if spec.required:
            out.append(Problem(path, f"{spec.label} is required"))
        return
    k = spec.kind
    if k == "text":
        if not isinstance(value, str):
            out.append(Problem(path, f"{spec.label} must be text"))
        elif len(value) > 2000:
            out.append(Problem(path, f"{spec.label} is too long (at most 2000 characters)"))
    elif k == "date":
        try:
            parse_date(value)
        except ValueError as e:
            out.append(Problem(path, f"{spec.label}: {e}"))
    elif k in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            out.append(Problem(path, f"{spec.label} must be a number"))
            return
        if k == "int" and isinstance(value, float) and not value.is_integer():
            out.append(Problem(path, f"{spec.label} must be a whole number"))
            return
        if isinstance(value, int) and abs(value) > 10**15:
            out.append(Problem(path, f"{spec.label}: {_num(value)} is not a sensible number"))
            return
        if isinstance(value, float) and not math.isfinite(value):
            out.append(Problem(path, f"{spec.label} must be a finite number"))
            return
        lo, hi = spec.minimum, spec.maximum
        if lo is not None and hi is not None and not (lo <= value <= hi):
            out.append(Problem(path, f"{spec.label} must be between {_num(lo)} and {_num(hi)} (got {_num(value)})"))
        elif lo is not None and value < lo:
            out.append(Problem(path, f"{spec.label} must be at least {_num(lo)} (got {_num(value)})"))
        elif hi is not None and value > hi:
            out.append(Problem(path, f"{spec.label} must be at most {_num(hi)} (got {_num(value)})"))
    elif k == "bool":
        if not isinstance(value, bool):
            out.append(Problem(path, f"{spec.label} must be yes or no"))
    elif k == "choice":
        allowed = [c[0] for c in spec.choices]
        if value not in allowed:
            out.append(Problem(path, f"{spec.label}: {value!r} is not one of {', '.join(map(str, allowed))}"))
    elif k == "records":
        if not isinstance(value, list):
            out.append(Problem(path, f"{spec.label} must be a list"))
            return
        if len(value) > 10_000:
            out.append(Problem(path, f"{spec.label}: too many entries"))
            return
        for i, rec in enumerate(value):
            rpath = f"{path}[{i}]"
            if not isinstance(rec, Mapping):
                out.append(Problem(rpath, f"{spec.label} entry must be an object"))
                continue
            check_fields(spec.fields, rec, rpath, out)


def _num(x: float) -> str:
    if isinstance(x, int):
        text = str(x) if abs(x) < 10**30 else f"{str(x)[:12]}… ({len(str(abs(x)))} digits)"
        return text
    return str(int(x)) if x.is_integer() else str(x)


def check_fields(specs: tuple[FieldSpec, ...], data: Mapping[str, Any], prefix: str, out: list[Problem]) -> None:
    """Type, range and required checks for `data` against `specs`; unknown keys are problems too."""
    known = {s.key: s for s in specs}
    for key in data:
        if key not in known:
            out.append(Problem(f"{prefix}.{key}" if prefix else key, "is not a known field"))
    for spec in specs:
        path = f"{prefix}.{spec.key}" if prefix else spec.key
        _check_value(spec, data.get(spec.key), path, out)


# -- a user's own value for a rule (an override) --------------------------------------------------
def override_problem(rule_id: str, value: Any, rules: Any = None) -> str | None:
    """Why `value` cannot be a user's own value for `rule_id`, in one sentence naming the rule and
    the shape its value must have; None when it fits. The GUI calls this to say it inline beside
    the field; the importer and Store.set_override refuse with it. `rules`: a core.rules.RuleSet
    (default: the rule set in use)."""
    from .rules import OverrideShapeError, RuleNotFound, fit_override, load_rules

    rules = rules if rules is not None else load_rules()
    try:
        fit_override(rules, rule_id, value)
    except RuleNotFound:
        return f"{rule_id} is not a known rule id"
    except OverrideShapeError as e:
        return f"{rule_id}: the value must be {e.expected} ({e.reason})"
    return None


def check_override(rule_id: str, override: Any, rules: Any = None, path: str = "") -> list[Problem]:
    """The problems of one `overrides` entry of a profile document: {"value": …, "note": "…"}."""
    path = path or f"overrides.{rule_id}"
    if not isinstance(override, Mapping) or "value" not in override:
        return [Problem(path, "must be an object with a 'value'")]
    out = []
    why = override_problem(rule_id, override["value"], rules)
    if why:
        out.append(Problem(f"{path}.value" if "not a known rule" not in why else path, why))
    if "note" in override and not isinstance(override["note"], str):
        out.append(Problem(f"{path}.note", "must be text"))
    return out
