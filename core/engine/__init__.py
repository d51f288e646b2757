"""The rules engine: every track's step definitions, evaluation and validation.

Tracks are registered (core/engine/registry.py): a `Track` carries its id, title, steps,
track-level fields, `evaluate(ctx)` and `check_step(step_id, data, ctx)`. The functions here are
the lookups everything else uses; none of them knows a track by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from typing import Any

from ..rules import RuleSet, load_rules
from . import registry
from .base import Context, FieldSpec, Journey, StepDef
from .registry import Track


def tracks() -> list[Track]:
    """Every registered track, in list order."""
    return registry.tracks()


def get_track(track_id: str) -> Track:
    return registry.track(track_id)


def known_tracks() -> list[str]:
    return [t.id for t in registry.tracks()]


def is_track(key: str) -> bool:
    """Whether `key` names a track (its "Your facts" page) rather than a step."""
    return key in _track_ids()


def track_title(track_id: str) -> str:
    try:
        return registry.track(track_id).title
    except KeyError:
        return track_id


def step_defs(track: str) -> list[StepDef]:
    return list(registry.track(track).steps)


def track_fields(track: str) -> tuple[FieldSpec, ...]:
    return registry.track(track).fields


@cache
def _track_ids() -> frozenset[str]:
    return frozenset(known_tracks())


@cache
def all_step_defs() -> dict[str, StepDef]:
    return {s.id: s for t in registry.tracks() for s in t.steps}


registry.on_change(all_step_defs.cache_clear)
registry.on_change(_track_ids.cache_clear)


def step_def(step_id: str) -> StepDef:
    try:
        return all_step_defs()[step_id]
    except KeyError:
        raise KeyError(f"unknown step id {step_id!r}") from None


def evaluate(profile: Mapping[str, Any], today: dt.date, rules: RuleSet | None = None) -> Journey:
    """The journey of `profile` on `today`: every step of each of its tracks, evaluated."""
    ctx = Context(today=today, rules=rules or load_rules(), profile=profile)
    wanted = set(profile.get("tracks") or [])
    return Journey(today=today, tracks=[t.run(ctx) for t in registry.tracks() if t.id in wanted])


def check_step(step_id: str, data: Mapping[str, Any], profile: Mapping[str, Any], today: dt.date,
               rules: RuleSet | None = None) -> list:
    """All problems with one step's facts: field types and ranges, then the track's cross-field checks."""
    from ..validate import check_fields

    problems: list = []
    if is_track(step_id):
        t = registry.track(step_id)
        check_fields(t.fields, data, "", problems)
    else:
        sd = step_def(step_id)
        check_fields(sd.fields, data, "", problems)
        t = registry.track(sd.track)
    if not problems and t.check_step is not None:
        ctx = Context(today=today, rules=rules or load_rules(), profile=profile)
        problems.extend(t.check_step(step_id, data, ctx))
    return problems


@cache
def _shared_titles() -> frozenset[str]:
    seen: dict[str, set[str]] = {}
    for s in all_step_defs().values():
        seen.setdefault(s.title, set()).add(s.track)
    return frozenset(t for t, trs in seen.items() if len(trs) > 1)


registry.on_change(_shared_titles.cache_clear)


def step_title(step_id: str | None) -> str:
    """A step's own title ("Card issued"), a track's title for a track id, else the id itself."""
    if not step_id:
        return ""
    sd = all_step_defs().get(step_id)
    if sd is not None:
        return sd.title
    return track_title(step_id)


def step_name(step_id: str | None) -> str:
    """How a step is named to a person, built here only: its title, with its track in front when
    another track has a step of that title ("PALS: Card issued", but "USMLE Step 1")."""
    sd = all_step_defs().get(step_id or "")
    if sd is None:
        return step_title(step_id)
    if sd.title in _shared_titles():
        return f"{track_title(sd.track)}: {sd.title}"
    return sd.title


def step_item(step_id: str | None) -> str:
    """What a step yields, named to a person: its `item` ("PALS card"), else its `step_name`."""
    sd = all_step_defs().get(step_id or "")
    return sd.item if sd is not None and sd.item else step_name(step_id)


def with_track(step_id: str, text: str) -> str:
    """`text` (an action of the step) with the step's track in front where its name needs it."""
    sd = all_step_defs().get(step_id)
    if sd is None or sd.title not in _shared_titles():
        return text
    tt = track_title(sd.track)
    return text if text.startswith(tt) else f"{tt}: {text}"
