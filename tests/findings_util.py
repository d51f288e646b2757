"""Asserting on findings by code and params (never on the sentences: the catalogue words them)."""

from __future__ import annotations

from typing import Any


def _finding(x: Any):
    return getattr(x, "what", None) or getattr(x, "why", None) or x  # Action, Blocker, Finding


def codes(xs) -> list[str]:
    """The codes of findings, actions or blockers, in order."""
    return [_finding(x).code for x in xs]


def find(xs, code: str):
    """The first finding (of findings, actions or blockers) with `code`, or None."""
    return next((_finding(x) for x in xs if _finding(x).code == code), None)


def has(xs, code: str, **params: Any) -> bool:
    """Whether a finding with `code` (and these params) is among `xs`."""
    return any(_finding(x).code == code and all(_finding(x).params.get(k) == v for k, v in params.items())
               for x in xs)


def has_any(xs, *codes_: str, **params: Any) -> bool:
    """Whether a finding with one of `codes_` (and these params) is among `xs`."""
    return any(has(xs, c, **params) for c in codes_)
