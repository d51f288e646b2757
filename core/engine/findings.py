"""What the engine says about a step: findings, not sentences.

A `Finding` is a stable `code`, its `params` (dates, numbers, rule ids, step ids, nested findings)
and a `severity`. The engine never builds a sentence; core/wording.py turns a finding into text
through one catalogue, so a message can be reworded or translated in one place, and nothing ever
has to parse text back (a blocker's step, an override's rule id are params).

Code naming scheme, lower case, words joined by "_":
  ``<track family>.<subject>.<what>`` for a track's own findings:
    track family  "img", "cards" (a new track: its own id);
    subject       the step's short name within its track ("school", "exam", "oet", "eras",
                  "renewal", "lapse" for a lapsed card's policy...);
    what          the event ("passed", "attempts_left"), or for an action its stable `key`
                  ("sit_exam", "book_renewal");
  ``<area>.<what>`` for cross-cutting findings: "dep" (waiting for another step), "rule" (a rule's
    confidence, conflict or the user's override; the rule id is the `rule` param), "field" (a fact
    that cannot be read).
A code is part of the evaluate JSON: keep it when you reword the catalogue entry; add a new code
when the meaning changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

INFO = "info"  # explains a status
WARNING = "warning"  # an entry error, a low-confidence fact, a collision
BLOCKING = "blocking"  # why a step cannot go on
SEVERITIES = (INFO, WARNING, BLOCKING)


@dataclass(frozen=True)
class Finding:
    """What the engine found: a code with its parameters and a severity (core/wording.py words it)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: str = INFO

    @property
    def text(self) -> str:
        """The finding in words (core/wording.py, with the installed date format)."""
        from ..wording import text

        return text(self)

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict[str, Any]:
        from ..wording import text

        return {"code": self.code, "params": json_params(self.params), "text": text(self, iso=True)}

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params))))


def json_params(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _json_value(v) for k, v in params.items()}


def _json_value(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Finding):
        return v.to_json()
    if isinstance(v, list | tuple):
        return [_json_value(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _json_value(x) for k, x in v.items()}
    return v


def F(code: str, /, **params: Any) -> Finding:  # noqa: N802  (short: the engine writes it ~200 times)
    """A finding of `code` with `params` (severity set by the list it goes into, see StepResult)."""
    return Finding(code, params)


def W(code: str, /, **params: Any) -> Finding:  # noqa: N802
    """A warning: an entry error, a low-confidence fact, a collision."""
    return Finding(code, params, WARNING)


def B(code: str, /, **params: Any) -> Finding:  # noqa: N802
    """Why a step cannot go on (a blocker's reason)."""
    return Finding(code, params, BLOCKING)


# The notes an evaluation adds where a rule it used is uncertain (core/engine/img/common.py)
UNSURE = ("rule.low_confidence", "rule.low_confidence_conflict", "rule.sources_differ")


def shown_warnings(warnings: list[Finding]) -> list[Finding]:
    """A step's warnings as a person reads them (the step page, the what-if differences): two or
    more notes about uncertain rules become one, in the place of the first, naming every rule and
    saying which are of low confidence and where sources differ; each rule's card on the step page
    gives its statement and the conflict. The journey itself keeps one finding per rule."""
    unsure = [w for w in warnings if w.code in UNSURE]
    if len(unsure) < 2:
        return list(warnings)
    rules = list(dict.fromkeys(w.params.get("rule") for w in unsure))
    low = list(dict.fromkeys(w.params.get("rule") for w in unsure if w.code != "rule.sources_differ"))
    differ = [r for r in dict.fromkeys(w.params.get("rule") for w in unsure if w.code == "rule.sources_differ")
              if r not in low]
    if low and differ:
        one = W("rule.unsure_mixed", rules=rules, low=low, differ=differ, count=len(rules))
    elif low:
        one = W("rule.unsure_low", rules=rules, low=low, count=len(rules))
    else:
        one = W("rule.unsure_differ", rules=rules, differ=differ, count=len(rules))
    out: list[Finding] = []
    for w in warnings:
        if w.code not in UNSURE:
            out.append(w)
        elif w is unsure[0]:
            out.append(one)
    return out
