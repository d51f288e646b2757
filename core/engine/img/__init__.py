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


def _onboarding_defaults(today: dt.date) -> dict[str, dict[str, object]]:
    return {TRACK: {"match_year": today.year + 1}}


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
    dependencies=POLICY,
    application_season=True,
))
