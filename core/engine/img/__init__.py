"""The `img` track: an international medical graduate's road to US practice.

Sixteen steps (ids in product.md), from school eligibility to the full state licence and the visa.
Every requirement value comes from a rule record (resources/rules/img/*.toml), looked up by id and
by the date of the event it governs (the test date, the Match year's deadline, the start date);
the code here only does the arithmetic. Where no record exists, the result says "not published:
verify with ECFMG / the board" instead of guessing.

One module per stage (ecfmg, usmle, match, residency, licensure, visa) holds its steps' logic;
`common.ImgEval` is the state one evaluation shares; `definitions` declares the steps and fields;
`checks` the cross-field checks. Facts arrive from the profile: `ctx.facts("img")` (track-level:
Match year, specialty, target state, visa need, birth date) and `ctx.facts(step_id)` for each
step; docs/profile-format.md lists the keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..base import Context, TrackResult
from ..registry import OnboardingSection, Track, register
from . import ecfmg, licensure, match, residency, usmle, visa
from .checks import check_step
from .common import POLICY, ImgEval, StepFunc
from .definitions import *  # noqa: F403  (the vocabularies and step definitions)
from .definitions import _DEF, STEPS, TRACK, TRACK_FIELDS  # noqa: F401

STEP_FUNCS: dict[str, StepFunc] = {
    "ecfmg.school": ecfmg.ecfmg_school,
    "ecfmg.application": ecfmg.ecfmg_application,
    "usmle.step1": usmle.usmle_step1,
    "usmle.step2ck": usmle.usmle_step2ck,
    "ecfmg.oet": ecfmg.ecfmg_oet,
    "ecfmg.pathway": ecfmg.ecfmg_pathway,
    "ecfmg.credentials": ecfmg.ecfmg_credentials,
    "ecfmg.certificate": ecfmg.ecfmg_certificate,
    "match.eras": match.match_eras,
    "match.nrmp": match.match_nrmp,
    "match.rol": match.match_rol,
    "match.result": match.match_result,
    "residency.training": residency.residency_training,
    "usmle.step3": usmle.usmle_step3,
    "license.state": licensure.license_state,
    "visa": visa.visa,
}


def evaluate(ctx: Context) -> TrackResult:
    return ImgEval(ctx).run(STEP_FUNCS)


def evaluate_track(track: str, ctx: Context) -> TrackResult:
    if track != TRACK:
        raise KeyError(f"unknown track {track!r}")
    return evaluate(ctx)


def _lookup_on(rules):
    return lambda rid, on: rules.find(rid, on) if rid in rules else None


def _onboarding_defaults(today: dt.date) -> dict[str, dict[str, object]]:
    """The Match year a person starting from nothing can still reach on `today` (from the rules'
    ERAS, Pathway and ROL dates: core.match_calendar.default_match_year)."""
    from ...match_calendar import default_match_year
    from ...rules import load_rules
    year, _why = default_match_year(today, _lookup_on(load_rules()))
    return {TRACK: {"match_year": year}}


def _onboarding_note(facts: Mapping[str, Mapping[str, object]], today: dt.date) -> str:
    """One line under the facts: why the default year, or what the chosen year still allows."""
    from ...match_calendar import CLOSED, ONLY_IF_DONE, default_match_year, season_reach
    from ...rules import load_rules
    lookup = _lookup_on(load_rules())
    default, why = default_match_year(today, lookup)
    chosen = (facts.get(TRACK) or {}).get("match_year")
    if not isinstance(chosen, int) or isinstance(chosen, bool) or chosen == default:
        return why
    r = season_reach(chosen, today, lambda rid: lookup(rid, dt.date(chosen, 1, 1)))
    if r.reach == CLOSED:
        return f"{chosen} can no longer be reached: {r.why} The earliest you can still reach is {default}."
    if r.reach == ONLY_IF_DONE:
        return r.why
    return why if chosen < default else f"{chosen}: later than the earliest reachable Match ({default})."


TRACK_DEF = register(Track(
    id=TRACK,
    title="IMG to US practice",
    steps=tuple(STEPS),
    evaluate=evaluate,
    fields=TRACK_FIELDS[TRACK],
    description="The facts that shape your whole road: your target specialty, the Match year you aim "
                "for, the state where you want your licence, and whether you need a visa.",
    check_step=check_step,
    order=0,
    choice="&IMG to US practice (ECFMG, USMLE, the Match, licence, visa)",
    onboarding=(
        OnboardingSection("Your medical school", "ecfmg.school", ("school_name", "graduation_date")),
        OnboardingSection("Where you are heading", TRACK, ("specialty", "match_year", "target_state", "visa_need")),
    ),
    onboarding_defaults=_onboarding_defaults,
    onboarding_note=_onboarding_note,
    dependencies=POLICY,
    application_season=True,
))
