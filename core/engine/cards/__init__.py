"""Provider card tracks: PALS, BLS, ACLS, NRP, PEARS (one card each, the same six steps).

Steps per card (product.md): `<card>.enroll`, `<card>.prerequisites`, `<card>.attend`,
`<card>.exam`, `<card>.card`, `<card>.renewal`. Facts live in the profile under the step id;
track-level facts (the training center's lapsed-card policy) under the track id.

Every requirement value (expiry method, pass marks, skills tests, eCard delay, planning offsets)
comes from a rule record in resources/rules/cards/ via `ctx.rule(id, on=event_date)`; where no
record exists for an issuing body the step says "not found: ask your training center".

Cross-track read (documented decision): `pals.prerequisites` reads the BLS card from the
profile's `bls.*` facts even when the profile does not follow `bls` as a journey: the card is a
fact the user recorded, and ignoring it would hide the BLS/PALS collision. When no BLS facts
exist, the optional `bls_card_expires` field of `pals.prerequisites` is used instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ..base import DONE, Context, StepResult, TrackResult
from ..registry import Group, Track, register, register_group
from .card import _eval_card  # noqa: F401
from .checks import check_step  # noqa: F401
from .common import (  # noqa: F401
    _card_rule,
    _date,
    _expiry_basis,
    _find,
    _fmt,
    _num,
    _past_cards,
    _past_expiry,
    _upcoming_course,
    body_of,
    card_expiry,
    expiry_from,
    months_given_up,
)
from .course import _eval_attend, _eval_enroll, _eval_exam, _eval_prereq  # noqa: F401
from .definitions import (  # noqa: F401
    AHA_ONLY_FORMATS,
    BODIES,
    BODY_LABELS,
    CARD_STATIONS,
    CARD_TITLES,
    CARDS,
    DEFAULT_BODY,
    EXPIRY_RULES,
    FORMATS,
    GRACE_RULES,
    LAPSED_POLICIES,
    NOT_FOUND,
    PAST_CARD_FIELDS,
    POLICY,
    STATIONS,
    STEP_NAMES,
    TRACK_FIELDS,
    TRACKS,
    _article,
    _attend_fields,
    _card_fields,
    _enroll_fields,
    _exam_fields,
    _prereq_fields,
    _renewal_fields,
    _steps,
)
from .renewal import _eval_renewal  # noqa: F401

# --- evaluation ---------------------------------------------------------------------------------

def evaluate_track(track: str, ctx: Context) -> TrackResult:
    if track not in TRACKS:
        raise KeyError(f"unknown track {track!r}")
    card = track
    body = body_of(ctx, card)
    f = {name: ctx.facts(f"{card}.{name}") for name in STEP_NAMES}
    res = {name: StepResult(id=f"{card}.{name}") for name in STEP_NAMES}
    today = ctx.today
    issue = _date(f["card"], "issue_date", res["card"])
    held = issue is not None and issue <= today  # a card is held: earlier steps are history
    course_start = _date(f["enroll"], "course_start", res["enroll"])
    course_end = _date(f["enroll"], "course_end", res["enroll"]) or course_start
    fmt = f["enroll"].get("format")

    _eval_enroll(ctx, card, body, f["enroll"], res["enroll"], held, course_start, fmt)
    prereq_failing = _eval_prereq(ctx, card, body, f["prerequisites"], res["prerequisites"], held)
    _eval_attend(ctx, card, body, f["attend"], res["attend"], held, course_start, course_end, prereq_failing)
    exam_failed = _eval_exam(ctx, card, body, f["exam"], res["exam"], held, course_end)
    expires = _eval_card(ctx, card, body, f["card"], res["card"], issue, course_end, exam_failed,
                         res["exam"].status == DONE, fmt)
    _eval_renewal(ctx, card, body, f["renewal"], res["renewal"], res["card"], expires)

    return TrackResult(track=card, steps=[res[n] for n in STEP_NAMES])


def start_renewal(facts: Mapping[str, Any], card: str) -> dict[str, Any]:
    """A copy of a profile's `facts` where the current `card` is moved into its past cards and the
    course steps are cleared, ready for the renewal course (each renewal is a new card)."""
    out = {k: dict(v) if isinstance(v, Mapping) else v for k, v in facts.items()}
    cur = dict(out.get(f"{card}.card") or {})
    enroll = out.get(f"{card}.enroll") or {}
    past = list(cur.pop("past_cards", None) or [])
    if cur.get("issue_date"):
        past.append({k: v for k, v in {
            "body": enroll.get("body"), "issue_date": cur.get("issue_date"), "ecard_code": cur.get("ecard_code"),
            "training_center": enroll.get("training_center"),
        }.items() if v not in (None, "")})
    out[f"{card}.card"] = {"past_cards": past}
    renewal = out.pop(f"{card}.renewal", None) or {}
    out[f"{card}.enroll"] = {k: v for k, v in {
        "body": enroll.get("body"), "course_kind": "renewal",
        "format": renewal.get("renewal_format") or enroll.get("format"),
        "training_center": renewal.get("renewal_training_center") or enroll.get("training_center"),
        "course_start": renewal.get("renewal_course_date"),
    }.items() if v not in (None, "")}
    for name in ("prerequisites", "attend", "exam"):
        out.pop(f"{card}.{name}", None)
    return out


# --- registration -------------------------------------------------------------------------------

TRACK_ORDER = ("bls", "pals", "acls", "nrp", "pears")  # how the cards are listed
register_group(Group("cards", "Provider &cards (PALS, BLS, ACLS, NRP, PEARS)", order=10))
for _i, _card in enumerate(TRACK_ORDER):
    register(Track(
        id=_card,
        title=_card.upper(),
        steps=tuple(TRACKS[_card]),
        evaluate=partial(evaluate_track, _card),
        fields=TRACK_FIELDS[_card],
        check_step=check_step,
        order=10 + _i,
        group="cards",
        dependencies=POLICY,
    ))
