"""The one list of tracks (journeys) CertPath knows.

A track module builds a `Track` and calls `register()`; everything that lists journeys (the
onboarding choice, the navigator, the dashboard, the command line, the JSON Schema, the exports,
the calendar and the reminders) reads this registry, so a new journey needs no edit elsewhere.
See docs/architecture.md ("How to add a track").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import Context, DependencyPolicy, FieldSpec, StepDef, TrackResult, apply_dependencies


@dataclass(frozen=True)
class OnboardingSection:
    """A group of fields the first-run wizard asks for a track: `source` is the track id (its
    track-level fields) or a step id; `keys` pick the fields, in order."""

    heading: str
    source: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    """How onboarding offers tracks: one choice per group. A group of several tracks (the provider
    cards) gets its own page of check boxes; a track alone in its group is one choice."""

    id: str
    label: str  # the onboarding choice, with its mnemonic ("Provider &cards (PALS, BLS, ...)")
    order: int = 100


@dataclass(frozen=True)
class Track:
    """A registered track: its id, title and steps in journey order."""

    id: str  # "img", "pals", ...: part of the profile format
    title: str  # "IMG to US practice", "PALS"
    steps: tuple[StepDef, ...]  # in journey order
    evaluate: Callable[[Context], TrackResult]
    fields: tuple[FieldSpec, ...] = ()  # track-level facts (Match year, lapsed-card policy, ...)
    description: str = ""  # what the track-level facts are, for their page
    check_step: Callable[[str, Mapping[str, Any], Context], list] | None = None  # cross-field checks
    order: int = 100  # where the track sits in lists (lower first)
    group: str = ""  # the onboarding group ("" = a group of its own, labelled `choice`)
    choice: str = ""  # the onboarding label when the track is a group of its own
    onboarding: tuple[OnboardingSection, ...] = ()  # facts the first-run wizard asks for
    onboarding_defaults: Callable[[Any], Mapping[str, Mapping[str, Any]]] | None = None  # (today) -> facts
    # (facts the wizard holds, today) -> one line shown under the track's onboarding facts, e.g. why
    # the default Match year is what it is, or that a chosen year can no longer be reached
    onboarding_note: Callable[[Mapping[str, Any], Any], str] | None = None
    dependencies: DependencyPolicy = field(default_factory=DependencyPolicy)
    application_season: bool = False  # the track applies to residency programs (the season panel, issue 18)

    @property
    def group_id(self) -> str:
        return self.group or self.id

    def run(self, ctx: Context) -> TrackResult:
        """The track evaluated on ctx.today, each step linked to the steps it depends on (base.py)."""
        return apply_dependencies(self.evaluate(ctx), self.steps, self.dependencies)

    def step(self, step_id: str) -> StepDef:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)


_TRACKS: dict[str, Track] = {}
_GROUPS: dict[str, Group] = {}
_listeners: list[Callable[[], None]] = []


def register(track: Track) -> Track:
    """Add (or replace) a track. Step ids must be unique across tracks."""
    for other in _TRACKS.values():
        if other.id == track.id:
            continue
        clash = {s.id for s in other.steps} & {s.id for s in track.steps} | ({track.id} & {s.id for s in other.steps})
        if clash:
            raise ValueError(f"track {track.id!r}: step ids already used by {other.id!r}: {sorted(clash)}")
    for s in track.steps:
        if s.track != track.id:
            raise ValueError(f"step {s.id!r} says track {s.track!r}, registered under {track.id!r}")
        for d in s.depends_on:
            if d not in {x.id for x in track.steps}:
                raise ValueError(f"step {s.id!r} depends on {d!r}, not a step of {track.id!r}")
    _TRACKS[track.id] = track
    _changed()
    return track


def register_group(group: Group) -> Group:
    _GROUPS[group.id] = group
    _changed()
    return group


def unregister(track_id: str) -> None:
    """Remove a track (tests that register one of their own)."""
    _TRACKS.pop(track_id, None)
    _changed()


def on_change(fn: Callable[[], None]) -> None:
    """Call `fn` whenever the registry changes (caches of step lookups clear themselves)."""
    _listeners.append(fn)


def _changed() -> None:
    for fn in _listeners:
        fn()


def tracks() -> list[Track]:
    """Every registered track, in list order."""
    _load_builtin()
    return sorted(_TRACKS.values(), key=lambda t: (t.order, t.id))


def track(track_id: str) -> Track:
    _load_builtin()
    try:
        return _TRACKS[track_id]
    except KeyError:
        raise KeyError(f"unknown track {track_id!r}") from None


def groups() -> list[tuple[Group, list[Track]]]:
    """The onboarding choices: each group with its tracks, in list order."""
    out: dict[str, list[Track]] = {}
    for t in tracks():
        out.setdefault(t.group_id, []).append(t)
    result = []
    for gid, ts in out.items():
        g = _GROUPS.get(gid) or Group(gid, ts[0].choice or ts[0].title, ts[0].order)
        result.append((g, ts))
    return sorted(result, key=lambda x: (x[0].order, min(t.order for t in x[1])))


_loaded = False


def _load_builtin() -> None:
    """Import the built-in track packages once (each registers itself)."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import cards, img  # noqa: F401
