"""The rules engine: every track's step definitions, evaluation and validation.

A track module exposes:
  TRACKS: dict[str, list[StepDef]]              # the tracks it defines, steps in journey order
  TRACK_FIELDS: dict[str, tuple[FieldSpec,...]] # track-level facts (e.g. img: match year, state)
  evaluate_track(track: str, ctx: Context) -> TrackResult
  check_step(step_id: str, data: Mapping, ctx: Context) -> list[Problem]   # cross-field checks
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from types import ModuleType
from typing import Any

from ..rules import RuleSet, load_rules
from .base import Context, FieldSpec, Journey, StepDef

TRACK_ORDER = ("img", "bls", "pals", "acls", "nrp", "pears")
TRACK_TITLES = {
    "img": "IMG to US practice",
    "bls": "BLS",
    "pals": "PALS",
    "acls": "ACLS",
    "nrp": "NRP",
    "pears": "PEARS",
}


@cache
def _modules() -> tuple[ModuleType, ...]:
    mods = []
    for name in ("img", "cards"):
        try:
            mods.append(__import__(f"core.engine.{name}", fromlist=["TRACKS"]))
        except ModuleNotFoundError as e:  # a track module not written yet
            if e.name != f"core.engine.{name}":
                raise
    return tuple(mods)


def _module_for(track: str) -> ModuleType:
    for m in _modules():
        if track in m.TRACKS:
            return m
    raise KeyError(f"unknown track {track!r}")


def known_tracks() -> list[str]:
    have = {t for m in _modules() for t in m.TRACKS}
    return [t for t in TRACK_ORDER if t in have]


def step_defs(track: str) -> list[StepDef]:
    return list(_module_for(track).TRACKS[track])


def track_fields(track: str) -> tuple[FieldSpec, ...]:
    return tuple(getattr(_module_for(track), "TRACK_FIELDS", {}).get(track, ()))


@cache
def all_step_defs() -> dict[str, StepDef]:
    return {s.id: s for t in known_tracks() for s in step_defs(t)}


def step_def(step_id: str) -> StepDef:
    try:
        return all_step_defs()[step_id]
    except KeyError:
        raise KeyError(f"unknown step id {step_id!r}") from None


def evaluate(profile: Mapping[str, Any], today: dt.date, rules: RuleSet | None = None) -> Journey:
    """The journey of `profile` on `today`: every step of each of its tracks, evaluated."""
    ctx = Context(today=today, rules=rules or load_rules(), profile=profile)
    tracks = [t for t in TRACK_ORDER if t in (profile.get("tracks") or [])]
    return Journey(today=today, tracks=[_module_for(t).evaluate_track(t, ctx) for t in tracks])


def check_step(step_id: str, data: Mapping[str, Any], profile: Mapping[str, Any], today: dt.date,
               rules: RuleSet | None = None) -> list:
    """All problems with one step's facts: field types and ranges, then the track's cross-field checks."""
    from ..validate import check_fields

    problems: list = []
    if step_id in TRACK_ORDER:
        check_fields(track_fields(step_id), data, "", problems)
        mod = _module_for(step_id)
    else:
        sd = step_def(step_id)
        check_fields(sd.fields, data, "", problems)
        mod = _module_for(sd.track)
    if not problems:
        ctx = Context(today=today, rules=rules or load_rules(), profile=profile)
        problems.extend(mod.check_step(step_id, data, ctx))
    return problems
