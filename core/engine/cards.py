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

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .. import dates
from ..rules import Rule, RuleNotFound
from ..validate import Problem, parse_date
from .base import (
    AT_RISK,
    BLOCKED,
    DONE,
    EXPIRED,
    IN_PROGRESS,
    NOT_APPLICABLE,
    NOT_STARTED,
    Action,
    Blocker,
    Context,
    FieldSpec,
    StepDef,
    StepResult,
    TrackResult,
)

CARDS = ("pals", "bls", "acls", "nrp", "pears")
CARD_TITLES = {
    "pals": "PALS (Pediatric Advanced Life Support)",
    "bls": "BLS (Basic Life Support)",
    "acls": "ACLS (Advanced Cardiovascular Life Support)",
    "nrp": "NRP (Neonatal Resuscitation Program)",
    "pears": "PEARS (Pediatric Emergency Assessment, Recognition and Stabilization)",
}
STEP_NAMES = ("enroll", "prerequisites", "attend", "exam", "card", "renewal")
NOT_FOUND = "not found: ask your training center"

BODIES = (
    ("aha", "American Heart Association (AHA)"),
    ("red_cross", "American Red Cross"),
    ("aap", "American Academy of Pediatrics (AAP, for NRP)"),
    ("other", "Other"),
)
BODY_LABELS = dict(BODIES)
DEFAULT_BODY = {"pals": "aha", "bls": "aha", "acls": "aha", "pears": "aha", "nrp": "aap"}
FORMATS = (
    ("classroom", "Classroom (instructor-led)"),
    ("heartcode_blended", "HeartCode blended (online part + hands-on skills session)"),
    ("rqi", "RQI (quarterly sessions at a subscribing hospital)"),
    ("online_only_vendor", "A vendor's online-only course"),
)
AHA_ONLY_FORMATS = ("heartcode_blended", "rqi")
EXPIRY_RULES = {"aha": "cards.expiry.aha", "red_cross": "cards.expiry.red_cross", "aap": "cards.expiry.aap"}
GRACE_RULES = {"aha": "cards.grace.aha"}
LAPSED_POLICIES = (
    ("full_course", "Full provider course (default)"),
    ("renewal_allowed_within_days", "Renewal course allowed within some days of expiry"),
    ("renewal_allowed", "Renewal course allowed after expiry"),
)

# Skills tests a user can record; which ones a card asks for is rule data (<card>[.<body>].skills_required).
STATIONS = {
    "skill_child_cpr_aed": "Child CPR and AED test passed",
    "skill_infant_cpr": "Infant CPR test passed",
    "skill_adult_cpr_aed": "Adult CPR and AED test passed",
    "case_cardiac": "Led a cardiac case simulation",
    "case_resp_or_shock": "Led a respiratory or shock case simulation",
    "megacode": "Megacode (team-leader) test passed",
    "hands_on_event": "Instructor-led (hands-on) event completed",
}
CARD_STATIONS = {
    "pals": ("skill_child_cpr_aed", "skill_infant_cpr", "case_cardiac", "case_resp_or_shock"),
    "bls": ("skill_adult_cpr_aed", "skill_infant_cpr"),
    "acls": ("megacode",),
    "pears": ("skill_child_cpr_aed", "skill_infant_cpr"),
    "nrp": ("hands_on_event",),
}


# --- step and field definitions -----------------------------------------------------------------

def _enroll_fields(card: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("body", "Issuing body", "choice", choices=BODIES, default=DEFAULT_BODY[card],
                  help="Who issues the card. NRP is issued by the AAP."),
        FieldSpec("format", "Course format", "choice", choices=FORMATS,
                  help="A vendor's online-only certificate is not an AHA card; many employers refuse it."),
        FieldSpec("training_center", "Training center"),
        FieldSpec("course_kind", "Course", "choice",
                  choices=(("initial", "Initial provider course"), ("renewal", "Renewal (update) course"))),
        FieldSpec("materials_edition", "Guideline edition of the course materials", "choice",
                  choices=(("2025", "2025 guidelines"), ("2020", "2020 guidelines"), ("unknown", "Not sure"))),
        FieldSpec("enrolled_on", "Enrolled on", "date"),
        FieldSpec("course_start", "Course (or skills session) starts", "date"),
        FieldSpec("course_end", "Course ends", "date", help="For NRP: the instructor-led event."),
        FieldSpec("online_part_done_on", "Online part finished on", "date",
                  help="HeartCode or NRP online learning, if your format has one."),
    )


def _prereq_fields(card: str) -> tuple[FieldSpec, ...]:
    out = [
        FieldSpec("precourse_score", "Precourse self-assessment score (%)", "float", minimum=0, maximum=100),
        FieldSpec("precourse_done_on", "Precourse self-assessment done on", "date"),
    ]
    if card == "pals":
        out += [
            FieldSpec("bls_card_required", "Training center asks for a current BLS card", "bool",
                      help="Leave empty if you do not know: CertPath then assumes it is asked for."),
            FieldSpec("bls_card_expires", "BLS card valid through (only if you do not record BLS here)", "date"),
            FieldSpec("has_manual", "I have the current PALS Provider Manual", "bool"),
        ]
    out.append(FieldSpec("notes", "Notes"))
    return tuple(out)


def _attend_fields(card: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("attended", "Attended the whole course", "bool"),
        FieldSpec("hours", "Course hours", "float", minimum=0, maximum=100),
        *(FieldSpec(k, STATIONS[k], "bool") for k in CARD_STATIONS[card]),
    )


def _exam_fields(card: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("exam_date", "Exam date", "date"),
        FieldSpec("exam_score", "Exam score (%)", "float", minimum=0, maximum=100),
        FieldSpec("exam_passed", "Training center says I passed", "bool",
                  help="Use this when no score is given (e.g. the NRP online test)."),
    )


PAST_CARD_FIELDS = (
    FieldSpec("body", "Issuing body", "choice", choices=BODIES),
    FieldSpec("issue_date", "Issue date", "date", required=True),
    FieldSpec("expires", "Valid through", "date", help="Leave empty to compute it from the issuing body's rule."),
    FieldSpec("ecard_code", "eCard code"),
    FieldSpec("training_center", "Training center"),
    FieldSpec("note", "Note"),
)


def _card_fields(card: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("issue_date", "Card issue date", "date"),
        FieldSpec("ecard_code", "eCard code"),
        FieldSpec("ecard_claimed", "eCard claimed", "bool"),
        FieldSpec("claimed_on", "eCard claimed on", "date"),
        FieldSpec("ce_credits", "CE credits earned", "float", minimum=0, maximum=200),
        FieldSpec("past_cards", "Past cards", "records", fields=PAST_CARD_FIELDS,
                  help="Each renewal is a new card; keep the old ones here."),
    )


def _renewal_fields(card: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("renewal_course_date", "Renewal course booked for", "date"),
        FieldSpec("renewal_format", "Renewal format", "choice", choices=FORMATS),
        FieldSpec("renewal_training_center", "Renewal training center"),
    )


def _article(card: str) -> str:
    """'an ACLS', 'an NRP' (read letter by letter), but 'a BLS', 'a PALS', 'a PEARS'."""
    if card in ("pals", "pears"):  # said as words
        return "a"
    return "an" if card.upper()[0] in "AEFHILMNORSX" else "a"


def _steps(card: str) -> list[StepDef]:
    name = card.upper()
    stage = CARD_TITLES[card]
    article = _article(card)
    return [
        StepDef(f"{card}.enroll", card, stage, f"Enrol in {article} {name} course",
                f"Choose {article} {name} course from an accepted body in a format your employer accepts, and book it.",
                (), _enroll_fields(card),
                ("cards.accepted_bodies", f"{card}.covers", "cards.online_only_vendor", "cards.aha.materials_edition")),
        StepDef(f"{card}.prerequisites", card, stage, "Before the course",
                "What the course asks of you first"
                + (": a current BLS card where the training center asks for it, and the precourse "
                   "self-assessment passed." if card == "pals" else "."),
                (f"{card}.enroll",), _prereq_fields(card),
                ("pals.aha.precourse_min_score", "pals.aha.bls_card") if card == "pals" else ()),
        StepDef(f"{card}.attend", card, stage, "Attend the course",
                "Attend the course and pass the hands-on skills tests.",
                (f"{card}.prerequisites",), _attend_fields(card), (f"{card}.aha.skills_required",)),
        StepDef(f"{card}.exam", card, stage, "Pass the written exam",
                "Pass the course exam (the training center tells you the result).",
                (f"{card}.attend",), _exam_fields(card), (f"{card}.aha.exam_pass_score",)),
        StepDef(f"{card}.card", card, stage, "Card issued",
                "Your card (eCard) is issued and claimed; CertPath computes the last day it is valid.",
                (f"{card}.exam",), _card_fields(card),
                ("cards.expiry.aha", "cards.expiry.red_cross", "cards.expiry.aap",
                 "cards.aha.ecard_issue_business_days", "cards.aha.ecard_claim", "cards.grace.aha")),
        StepDef(f"{card}.renewal", card, stage, "Renew before it expires",
                "Book the renewal course in time. A lapsed card may need the full course: your training "
                "center decides.",
                (f"{card}.card",), _renewal_fields(card),
                ("cards.plan.book_days_before", "cards.plan.online_part_days_before",
                 "cards.plan.last_safe_course_days_before", "cards.lapsed.default_policy",
                 f"{card}.renewal_options")),
    ]


TRACKS: dict[str, list[StepDef]] = {card: _steps(card) for card in CARDS}

TRACK_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    card: (
        FieldSpec("lapsed_policy", "Training center's policy for a lapsed card", "choice",
                  choices=LAPSED_POLICIES, default="full_course",
                  help="Whether you may take the renewal course after your card expired. Ask your training center."),
        FieldSpec("lapsed_days", "Days after expiry the renewal course is still allowed", "int",
                  minimum=0, maximum=365, help="Only for 'allowed within some days'. Some centers say 60."),
    )
    for card in CARDS
}


# --- helpers ------------------------------------------------------------------------------------

def _date(facts: Mapping[str, Any], key: str, res: StepResult | None = None) -> dt.date | None:
    try:
        return parse_date(facts.get(key))
    except ValueError as e:
        if res is not None:
            res.warnings.append(f"{key}: {e}")
        return None


def _num(facts: Mapping[str, Any], key: str) -> float | None:
    v = facts.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def _find(ctx: Context, rule_id: str, on: dt.date | None) -> Rule | None:
    try:
        return ctx.rule(rule_id, on)
    except RuleNotFound:
        return None


def _card_rule(ctx: Context, card: str, body: str, name: str, on: dt.date | None) -> Rule | None:
    """`<card>.<body>.<name>`, else `<card>.<name>` (a rule that holds for every body)."""
    return _find(ctx, f"{card}.{body}.{name}", on) or _find(ctx, f"{card}.{name}", on)


def body_of(ctx: Context, card: str) -> str:
    body = ctx.facts(f"{card}.enroll").get("body")
    return body if body in BODY_LABELS else DEFAULT_BODY[card]


def expiry_from(basis: dt.date, rule: Rule) -> dt.date:
    """The last valid day of a card whose expiry counts from `basis`, by the rule's method."""
    v = rule.value
    if not isinstance(v, Mapping):
        raise ValueError(f"rule {rule.id}: value must be a table with 'method'")
    if v.get("method") == "end_of_month":
        return dates.end_of_month(dates.add_months(basis, int(v["months"])))
    if v.get("method") == "same_day":
        return dates.add_years_same_day(basis, int(v["years"]))
    raise ValueError(f"rule {rule.id}: unknown expiry method {v.get('method')!r}")


def _expiry_basis(ctx: Context, card: str, rule: Rule, issue: dt.date) -> dt.date:
    """NRP counts from the instructor-led event (the course end) where the rule says so."""
    v = rule.value if isinstance(rule.value, Mapping) else {}
    if v.get("counted_from") == "instructor_led_event":
        enroll = ctx.facts(f"{card}.enroll")
        event = _date(enroll, "course_end") or _date(enroll, "course_start")
        if event is not None and event <= issue:
            return event
    return issue


def card_expiry(ctx: Context, card: str, res: StepResult | None = None) -> tuple[dt.date | None, Rule | None]:
    """(last valid day, rule used) of the current card of `card`; (None, None) without an issue date."""
    issue = _date(ctx.facts(f"{card}.card"), "issue_date")
    if issue is None:
        return None, None
    body = body_of(ctx, card)
    rid = EXPIRY_RULES.get(body)
    rule = _find(ctx, rid, issue) if rid else None
    if res is not None:
        res.use(rule)
    if rule is None:
        return None, None
    return expiry_from(_expiry_basis(ctx, card, rule, issue), rule), rule


def _past_cards(ctx: Context, card: str) -> list[Mapping[str, Any]]:
    past = ctx.facts(f"{card}.card").get("past_cards") or []
    return [p for p in past if isinstance(p, Mapping)] if isinstance(past, list) else []


def _past_expiry(ctx: Context, card: str, rec: Mapping[str, Any]) -> dt.date | None:
    try:
        exp = parse_date(rec.get("expires"))
        if exp is not None:
            return exp
        issue = parse_date(rec.get("issue_date"))
    except ValueError:
        return None
    if issue is None:
        return None
    body = rec.get("body") if rec.get("body") in BODY_LABELS else body_of(ctx, card)
    rid = EXPIRY_RULES.get(body)
    rule = _find(ctx, rid, issue) if rid else None
    return expiry_from(issue, rule) if rule else None


def months_given_up(old_expiry: dt.date, new_basis: dt.date, rule: Rule) -> int:
    """Months an early course gives up: the new card's expiry compared with the expiry it would
    have if the course were taken on the old card's last valid day."""
    return max(0, dates.months_between(expiry_from(new_basis, rule), expiry_from(old_expiry, rule)))


def _upcoming_course(ctx: Context, card: str) -> dt.date | None:
    """The next course date of `card`: the booked renewal if a card is held, else the booked course."""
    if _date(ctx.facts(f"{card}.card"), "issue_date") is not None:
        return _date(ctx.facts(f"{card}.renewal"), "renewal_course_date")
    enroll = ctx.facts(f"{card}.enroll")
    return _date(enroll, "course_start") or _date(enroll, "course_end")


def _fmt(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%b %Y')}"


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

    for i, name in enumerate(STEP_NAMES[1:], start=1):
        r = res[name]
        # the nearest earlier step that applies (BLS has no prerequisites step to wait for)
        dep = next((res[n] for n in reversed(STEP_NAMES[:i]) if res[n].status != NOT_APPLICABLE), None)
        if dep is None or r.status in (DONE, NOT_APPLICABLE, EXPIRED) or dep.status in (DONE, NOT_APPLICABLE):
            continue
        if name == "renewal" and dep.status in (EXPIRED, AT_RISK):
            continue  # an expired card is what the renewal is about, not something it waits for
        if not any(b.step == dep.id for b in r.blocked_by):
            title = next(sd.title for sd in TRACKS[card] if sd.id == dep.id)
            r.blocked_by.append(Blocker(dep.id, f"“{title}” is not done yet"))
    return TrackResult(track=card, steps=[res[n] for n in STEP_NAMES])


def _eval_enroll(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult,
                 held: bool, course_start: dt.date | None, fmt: Any) -> None:
    on = course_start or ctx.today
    r.use(covers := _find(ctx, f"{card}.covers", on))
    if covers is not None:
        r.info["covers"] = covers.value
    accepted = r.use(_find(ctx, "cards.accepted_bodies", on))
    if accepted is not None and isinstance(accepted.value, Mapping):
        ok = accepted.value.get(card, [])
        r.info["accepted_bodies"] = list(ok)
        if body not in ok:
            r.warnings.append(f"body: {BODY_LABELS.get(body, body)} is not a body our sources name for "
                              f"{card.upper()} ({', '.join(ok)}): check your employer accepts it.")
        elif body == "red_cross":  # §2 Acceptance (M, R2)
            r.warnings.append("body: some hospitals and schools accept only AHA cards: check that your employer "
                              "accepts a Red Cross certificate.")
    if fmt == "online_only_vendor":
        rule = r.use(_find(ctx, "cards.online_only_vendor", on))
        if rule is not None:
            r.warnings.append("format: a vendor's online-only certificate is not an AHA card; many employers "
                              "refuse it. Check with your employer before you pay.")
    edition = facts.get("materials_edition")
    mat = _find(ctx, "cards.aha.materials_edition", on)
    if body == "aha" and mat is not None:
        r.use(mat)
        if edition and edition != "unknown" and edition != mat.value:
            r.warnings.append(f"materials_edition: from {_fmt(mat.valid_from or on)} AHA courses use only "
                              f"{mat.value}-guideline materials and eCards; your course date needs them.")
    renewal_opts = _card_rule(ctx, card, body, "renewal_options", on)
    if renewal_opts is not None and isinstance(renewal_opts.value, Mapping):
        r.info["renewal_options"] = renewal_opts.value.get(body, [])
    if card == "pals":
        hours = _card_rule(ctx, card, body, "hours", on)
        if hours is not None:
            r.use(hours)
            r.info["typical_hours"] = hours.value
        if fm := _find(ctx, "pals.formats", on):
            r.use(fm)
            r.info["formats"] = fm.value
        if sc := _find(ctx, "pals.scope_vs_nrp", on):
            r.use(sc)
            r.info["pals_vs_nrp"] = sc.value
    if held:
        r.status = DONE
        r.reasons.append("Your card is issued: this course is done.")
    elif course_start is not None:
        r.status = DONE
        r.reasons.append(f"Course booked for {_fmt(course_start)}.")
        r.due = course_start
    elif any(facts.get(k) for k in ("body", "format", "training_center", "enrolled_on")):
        r.status = IN_PROGRESS
        r.reasons.append("No course date yet.")
        r.actions.append(Action("Book a course date with your training center.", key="book-course"))
    else:
        r.status = NOT_STARTED
        r.actions.append(Action(f"Choose {_article(card)} {card.upper()} course (body, format, training center) "
                                "and book it.",
                                key="choose-course"))


def _bls_cover(ctx: Context, r: StepResult, course: dt.date, pre: Mapping[str, Any]) -> tuple[dt.date | None, str]:
    """When the BLS card the PALS course relies on ends, and where that came from."""
    bls_exp, rule = card_expiry(ctx, "bls")
    if rule is not None:
        r.use(rule)
    if bls_exp is not None:
        # a BLS course booked on or before the PALS course renews the card in time
        planned = _upcoming_course(ctx, "bls")
        bls_rule = _find(ctx, EXPIRY_RULES.get(body_of(ctx, "bls"), ""), planned) if planned else None
        if planned is not None and planned <= course and bls_rule is not None:
            return expiry_from(planned, bls_rule), f"your BLS course booked for {_fmt(planned)}"
        return bls_exp, "recorded on the BLS track"
    if _date(ctx.facts("bls.card"), "issue_date") is None:
        planned = _upcoming_course(ctx, "bls")
        bls_rule = _find(ctx, EXPIRY_RULES.get(body_of(ctx, "bls"), ""), planned) if planned else None
        if planned is not None and planned <= course and bls_rule is not None:
            return expiry_from(planned, bls_rule), f"your BLS course booked for {_fmt(planned)}"
    manual = _date(pre, "bls_card_expires", r)
    if manual is not None:
        return manual, "the BLS date entered here (bls_card_expires)"
    return None, ""


def _eval_prereq(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult, held: bool) -> bool:
    """Returns True when a prerequisite fails outright (precourse score below the mark)."""
    course = _upcoming_course(ctx, card)
    on = course or ctx.today
    if card != "pals":
        if held and course is None:
            r.status = DONE
            r.reasons.append("Your card is issued: the course's prerequisites were met.")
        else:
            r.status = NOT_APPLICABLE
            r.reasons.append(f"No prerequisite for {card.upper()} in our sources ({NOT_FOUND}).")
        return False
    if held and course is None:
        r.status = DONE
        r.reasons.append("Your card is issued: the prerequisites were met for that course. "
                         "Book your renewal to check them for the next one.")
        return False
    # With a card held, the form's precourse result belongs to the last course unless it was done
    # after that card was issued: each course asks for its own self-assessment (sheet §1.3).
    issue = _date(ctx.facts(f"{card}.card"), "issue_date") if held else None

    met, open_items, failing = 0, 0, False
    # precourse self-assessment
    pc_rule = r.use(_card_rule(ctx, card, body, "precourse_min_score", on))
    score = _num(facts, "precourse_score")
    done_on = _date(facts, "precourse_done_on")
    stale = issue is not None and score is not None and (done_on is None or done_on <= issue)
    if stale:
        r.reasons.append(f"The precourse self-assessment on record ({_pct(score)}"
                         + (f", {_fmt(done_on)}" if done_on else "")
                         + ") was for your last course: each course asks for its own.")
        score = None
    if pc_rule is None:
        r.reasons.append(f"Precourse self-assessment for {BODY_LABELS[body]}: {NOT_FOUND}.")
    elif score is None:
        open_items += 1
        r.actions.append(Action(f"Pass the precourse self-assessment ({_pct(pc_rule.value)} or more) "
                                "and keep its certificate.", course, "todo", key="precourse"))
    elif score >= pc_rule.value:
        met += 1
        r.reasons.append(f"Precourse self-assessment {_pct(score)}: passed (at least {_pct(pc_rule.value)}).")
    else:
        open_items += 1
        failing = True
        r.reasons.append(f"Precourse self-assessment {_pct(score)} is below {_pct(pc_rule.value)}.")
        r.actions.append(Action("Retake the precourse self-assessment (retakes are unlimited).", course, "todo",
                                key="precourse"))
    # BLS card on the course date
    bls_rule = r.use(_card_rule(ctx, card, body, "bls_card", on))
    asked = facts.get("bls_card_required")
    if asked is None and bls_rule is not None and isinstance(bls_rule.value, Mapping):
        asked = bool(bls_rule.value.get("assume_required"))
        r.info["bls_card_required"] = "assumed (your training center decides)"
    if asked is None:
        r.reasons.append(f"Whether a BLS card is asked for: {NOT_FOUND}.")
    elif asked:
        if course is None:
            open_items += 1
            r.actions.append(Action("Hold a current BLS card on your course date (book the course first).",
                                    key="bls-current"))
        else:
            bls_end, where = _bls_cover(ctx, r, course, facts)
            no_bls_card = bls_end is None and _date(ctx.facts("bls.card"), "issue_date") is None
            bls_planned = _upcoming_course(ctx, "bls") if no_bls_card else None
            if bls_planned is not None and bls_planned > course:
                r.status = AT_RISK
                r.deadline = course
                r.reasons.append(f"Your BLS course ({_fmt(bls_planned)}) is after your PALS course on "
                                 f"{_fmt(course)}, which asks for a current BLS card.")
                r.actions.append(Action(f"Take BLS on or before {_fmt(course)}, the date of your PALS course.",
                                        course, "deadline", key="renew-bls"))
                r.warnings.append(f"BLS/PALS collision: BLS course {_fmt(bls_planned)}, PALS course {_fmt(course)}.")
            elif bls_end is None:
                open_items += 1
                r.reasons.append(f"Still open: a current BLS card on your course date ({_fmt(course)}); "
                                 "CertPath has no BLS card recorded.")
                r.actions.append(Action("Record your BLS card (BLS track) so CertPath can check it covers "
                                        f"your PALS course on {_fmt(course)}.", course, "check", key="record-bls"))
            elif bls_end < course:
                r.status = AT_RISK
                r.deadline = course
                r.reasons.append(f"Your BLS card ends {_fmt(bls_end)} ({where}), before your PALS course on "
                                 f"{_fmt(course)}, which asks for a current BLS card.")
                if bls_end >= ctx.today:
                    text = (f"Renew BLS by {_fmt(bls_end)} to stay current; a BLS course on or before "
                            f"{_fmt(course)} still covers your PALS course.")
                    when = bls_end
                else:
                    text = (f"Your BLS card has lapsed: take a BLS course on or before {_fmt(course)}, "
                            "the date of your PALS course.")
                    when = course
                r.actions.append(Action(text, when, "deadline", key="renew-bls"))
                r.warnings.append(f"BLS/PALS collision: BLS lapses {_fmt(bls_end)}, PALS course {_fmt(course)}.")
            else:
                met += 1
                r.reasons.append(f"BLS current on your course date (valid through {_fmt(bls_end)}, {where}).")
    manual = _card_rule(ctx, card, body, "provider_manual", on)
    if facts.get("has_manual") is False:
        if manual is not None:
            r.use(manual)
            open_items += 1
            r.actions.append(Action("Get the current PALS Provider Manual before the course.", course,
                                    key="get-manual"))
    elif manual is not None and course is not None and body == "aha":
        # a manual bought for a course under the 2020 materials no longer qualifies from 1 Mar 2026 (§1.3, R9)
        mat = _find(ctx, "cards.aha.materials_edition", course)
        old_edition = ctx.facts(f"{card}.enroll").get("materials_edition")
        if (mat is not None and held and old_edition not in (None, "unknown", mat.value)
                and facts.get("has_manual") is True):
            r.use(manual)
            r.use(mat)
            open_items += 1
            r.actions.append(Action(f"Get the {mat.value}-edition PALS Provider Manual: your manual was for a "
                                    f"{old_edition}-guideline course, and from {_fmt(mat.valid_from or course)} "
                                    "courses use only the new materials.", course, "todo", key="get-manual"))
    r.due = course
    if r.status == AT_RISK:
        return failing
    if open_items == 0 and met:
        r.status = DONE
    elif met or failing or (facts and not stale):
        r.status = IN_PROGRESS
    else:
        r.status = NOT_STARTED
    return failing


def _pct(x: Any) -> str:
    x = float(x)
    return f"{int(x)}%" if x.is_integer() else f"{x}%"


def _eval_attend(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult, held: bool,
                 course_start: dt.date | None, course_end: dt.date | None, prereq_failing: bool) -> None:
    on = course_start or ctx.today
    rule = r.use(_card_rule(ctx, card, body, "skills_required", on))
    required = list(rule.value) if rule is not None else []
    missing = [k for k in required if facts.get(k) is not True]
    if held:
        r.status = DONE
        r.reasons.append("Your card is issued: course and skills tests done.")
        return
    if rule is None:
        r.reasons.append(f"Skills tests for {BODY_LABELS[body]} {card.upper()}: {NOT_FOUND}.")
    r.due = course_end
    started = course_start is not None and course_start <= ctx.today
    if facts.get("attended") is True or (started and required and not missing):
        if missing:
            r.status = IN_PROGRESS
            r.reasons.append("Skills tests not recorded as passed: " + ", ".join(STATIONS[k] for k in missing) + ".")
            r.actions.append(Action("Record the skills tests you passed (remediation is your training center's call).",
                                    key="record-skills"))
        else:
            r.status = DONE
            r.reasons.append("Course attended" + (", skills tests passed." if required else "."))
        return
    if prereq_failing:
        r.status = BLOCKED
        r.blocked_by.append(Blocker(f"{card}.prerequisites", "a prerequisite is not met"))
        return
    if started:
        r.status = IN_PROGRESS
        r.actions.append(Action("Record that you attended and the skills tests you passed.", key="record-attendance"))
    else:
        r.status = NOT_STARTED
        if course_start:
            r.actions.append(Action(f"Attend the {card.upper()} course.", course_start, "todo", key="attend-course"))


def _eval_exam(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult, held: bool,
               course_end: dt.date | None) -> bool:
    exam_date = _date(facts, "exam_date", r) or course_end
    on = exam_date or ctx.today
    rule = r.use(_card_rule(ctx, card, body, "exam_pass_score", on))
    score = _num(facts, "exam_score")
    if card == "pals":
        r.use(ob := _find(ctx, "pals.aha.exam_open_resource", on))
        if ob is not None and body == "aha":
            r.info["open_resource"] = "conflicting sources: ask your training center"
    if held:
        r.status = DONE
        r.reasons.append("Your card is issued: exam passed.")
        if rule is not None and score is not None and score < rule.value:
            r.warnings.append(f"Exam score {_pct(score)} is below the pass mark {_pct(rule.value)} "
                              "although a card is recorded: check the score.")
        return False
    r.due = exam_date
    if rule is None and score is not None and facts.get("exam_passed") is None:
        r.status = IN_PROGRESS
        r.reasons.append(f"Pass mark for {BODY_LABELS[body]} {card.upper()}: {NOT_FOUND}. "
                         "Tick 'passed' when your training center confirms.")
        return False
    if rule is not None and score is not None:
        if score >= rule.value:
            r.status = DONE
            r.reasons.append(f"Exam {_pct(score)}: passed (at least {_pct(rule.value)}).")
            return False
        r.status = IN_PROGRESS
        r.reasons.append(f"Exam score {_pct(score)} is below the pass mark {_pct(rule.value)}.")
        if body == "aha":
            r.use(_find(ctx, "cards.aha.exam_remediation", on))
        r.actions.append(Action("Ask your training center about a retest (remediation is their call).", None, "todo",
                                key="ask-retest"))
        return True
    if facts.get("exam_passed") is True:
        r.status = DONE
        r.reasons.append("Passed, as your training center told you.")
        return False
    if facts.get("exam_passed") is False:
        r.status = IN_PROGRESS
        r.reasons.append("Not passed yet.")
        return True
    r.status = NOT_STARTED
    if rule is not None:
        r.actions.append(Action(f"Pass the written exam ({_pct(rule.value)} or more).", exam_date, key="sit-exam"))
    return False


def _eval_card(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult,
               issue: dt.date | None, course_end: dt.date | None, exam_failed: bool, exam_done: bool,
               fmt: Any) -> dt.date | None:
    today = ctx.today
    past = _past_cards(ctx, card)
    if past:
        r.info["past_cards"] = len(past)
    if fmt == "online_only_vendor":
        r.use(_find(ctx, "cards.online_only_vendor", issue or today))
        r.warnings.append("This certificate comes from a vendor's online-only course: it is not an AHA card "
                          "and many employers refuse it.")
    if issue is None:
        if exam_failed:
            r.status = BLOCKED
            r.blocked_by.append(Blocker(f"{card}.exam", "the exam is not passed"))
            return None
        if exam_done and course_end is not None:
            r.status = IN_PROGRESS
            if body == "aha":
                days = r.use(_find(ctx, "cards.aha.ecard_issue_business_days", course_end))
                if days is not None:
                    by = dates.add_business_days(course_end, int(days.value))
                    r.due = by
                    r.info["ecard_expected_by"] = by
                    r.actions.append(Action("Your training center issues the eCard; watch for the AHA eCards email.",
                                            by, "check", key="watch-ecard"))
                    if today > by:
                        r.warnings.append(f"No eCard recorded {days.value} business days after the course "
                                          f"(expected by {_fmt(by)}): contact your training center.")
            else:
                r.actions.append(Action("Record the card when your training center issues it.", key="record-card"))
            return None
        r.status = NOT_STARTED
        return None
    if issue > today:
        r.warnings.append("issue_date is in the future.")
    rid = EXPIRY_RULES.get(body)
    rule = r.use(_find(ctx, rid, issue)) if rid else None
    if rule is None:
        r.status = DONE
        r.reasons.append(f"Card issued {_fmt(issue)}. Expiry rule for {BODY_LABELS[body]}: {NOT_FOUND}.")
        return None
    basis = _expiry_basis(ctx, card, rule, issue)
    expires = expiry_from(basis, rule)
    r.expires = expires
    r.info["valid_through"] = expires
    if basis != issue:  # NRP: the 2 years count from the instructor-led event (R8)
        r.info["counted_from"] = basis
    if body == "aha":
        r.use(_find(ctx, "cards.aha.ecard_renewal_month_only", issue))
        r.info["renewal_date_on_card"] = expires.strftime("%m/%Y")
        mat = _find(ctx, "cards.aha.materials_edition", issue)
        if mat is not None:
            r.use(mat)
            r.info["guidelines"] = mat.value
    # grace (AHA: none, except the 2020 emergency suggestion to employers), looked up on the expiry date
    grace = 0
    grid = GRACE_RULES.get(body)
    g = r.use(_find(ctx, grid, expires)) if grid else None
    if g is not None:
        grace = int(g.value or 0)
    if today > expires:
        if grace and today <= expires + dt.timedelta(days=grace):
            r.status = AT_RISK
            r.deadline = expires + dt.timedelta(days=grace)
            r.warnings.append(f"Valid through {_fmt(expires)}; AHA suggested employers accept such cards up to "
                              f"{grace} days past renewal (emergency exception). Not an extension.")
        else:
            r.status = EXPIRED
        r.reasons.append(f"Card valid through {_fmt(expires)}; expired since {_fmt(expires + dt.timedelta(days=1))}.")
    else:
        r.status = DONE
        r.reasons.append(f"Card issued {_fmt(issue)}, valid through {_fmt(expires)}.")
        if body == "aha" and facts.get("ecard_claimed") is not True and not facts.get("claimed_on"):
            claim = r.use(_find(ctx, "cards.aha.ecard_claim", issue))
            if claim is not None:
                # the training center has up to 20 business days to issue it (R3): remind on that date,
                # or today once it has passed (a fixed date, not "today", while it is still ahead)
                days = r.use(_find(ctx, "cards.aha.ecard_issue_business_days", issue))
                by = dates.add_business_days(issue, int(days.value)) if days is not None else today
                r.actions.append(Action("Claim your eCard: open the AHA eCards email, confirm your details, "
                                        "set a security question, answer the survey.", max(by, today), "todo",
                                        key="claim-ecard"))
    if basis != issue:
        r.reasons.append(f"The 2 years count from your instructor-led event on {_fmt(basis)}, "
                         "not from the card's issue date.")
    code = facts.get("ecard_code")
    if body == "aha" and isinstance(code, str) and code.strip():
        fmt_rule = r.use(_find(ctx, "cards.aha.ecard_code_format", issue))
        if fmt_rule is not None and isinstance(fmt_rule.value, Mapping):
            digits = str(code).replace(" ", "").replace("-", "")
            n = int(fmt_rule.value.get("digits", 0))
            yp = int(fmt_rule.value.get("year_prefix_digits", 0))
            if not (digits.isdigit() and len(digits) == n):
                r.warnings.append(f"ecard_code: AHA codes are reported to be {n} digits; check the code.")
            elif yp and digits[:yp] != f"{issue.year % 100:02d}":
                r.warnings.append("ecard_code: the first two digits usually give the issue year; check the code.")
    # early renewal: the newest past card still valid on this card's issue date
    older = []
    for rec in past:
        try:
            pi = parse_date(rec.get("issue_date"))
        except ValueError:
            continue
        pe = _past_expiry(ctx, card, rec)
        if pi is not None and pe is not None and pi < issue:
            older.append((pi, pe))
    if older:
        _, old_exp = max(older)
        if issue <= old_exp:
            r.use(_find(ctx, "cards.early_renewal.no_banking", issue))
            basis = _expiry_basis(ctx, card, rule, issue)
            r.info["months_given_up"] = months_given_up(old_exp, basis, rule)
            r.info["previous_card_valid_through"] = old_exp
    return expires


def _eval_renewal(ctx: Context, card: str, body: str, facts: Mapping[str, Any], r: StepResult,
                  card_res: StepResult, expires: dt.date | None) -> None:
    today = ctx.today
    if expires is None:
        r.status = NOT_STARTED
        r.reasons.append("No card with a known expiry yet: nothing to renew." if card_res.status != DONE
                         else f"Expiry unknown ({NOT_FOUND}).")
        return
    on = expires
    options: list[str] = []
    opts = _card_rule(ctx, card, body, "renewal_options", on)
    if opts is not None and isinstance(opts.value, Mapping):
        r.use(opts)
        options = [str(o) for o in opts.value.get(body, [])]
        r.info["renewal_options"] = options

    def offset(rule_id: str) -> dt.date | None:
        rule = r.use(_find(ctx, rule_id, on))
        return expires - dt.timedelta(days=int(rule.value)) if rule is not None else None

    book_by = offset("cards.plan.book_days_before")
    online_by = offset("cards.plan.online_part_days_before")
    confirm_by = offset("cards.plan.confirm_skills_days_before")
    last_safe = offset("cards.plan.last_safe_course_days_before")
    r.info["planner_defaults"] = "CertPath's planning offsets, not an AHA rule"
    for label, d in (("book_by", book_by), ("online_part_by", online_by),
                     ("confirm_skills_by", confirm_by), ("last_safe_course", last_safe)):
        if d is not None:
            r.info[label] = d
    r.due = last_safe or expires
    booked = _date(facts, "renewal_course_date", r)
    lapsed = today > expires
    if booked is not None:
        rule = _find(ctx, EXPIRY_RULES.get(body, ""), booked)
        if rule is not None and booked <= expires:
            r.use(_find(ctx, "cards.early_renewal.no_banking", booked))
            given_up = months_given_up(expires, booked, rule)
            r.info["months_given_up"] = given_up
            if given_up:
                r.reasons.append(f"Renewing on {_fmt(booked)} gives up {given_up} month{'s' if given_up > 1 else ''}"
                                 f" of your current card: the new card's 2 years start from the new course; "
                                 "the months left on the old card are not added.")
        if booked > (last_safe or expires):
            _lapse_policy(ctx, card, body, r, expires, booked)
            return
        r.status = IN_PROGRESS
        if booked < today:
            r.reasons.insert(0, f"Your renewal course was on {_fmt(booked)}.")
            r.actions.append(Action("Record the new card from your renewal course (each renewal is a new card; "
                                    "the old one is kept in your history).", key="record-new-card"))
            return
        r.reasons.insert(0, f"Renewal course booked for {_fmt(booked)}.")
        if online_by is not None and facts.get("renewal_format") == "heartcode_blended":
            r.actions.append(Action("Finish the HeartCode online part (it must be done before the skills session).",
                                    min(online_by, booked), "reminder", key="finish-online-part"))
        r.actions.append(Action("Attend your renewal course.", booked, "todo", key="attend-renewal"))
        return
    if lapsed:
        _lapse_policy(ctx, card, body, r, expires, None)
        return
    if card == "nrp":
        book_text = "Book your NRP renewal: the online part, then an instructor-led event."
        online_text = "Finish the NRP online learning and test."
        confirm_text = "Confirm your instructor-led event."
    else:
        book_text = f"Book your {card.upper()} renewal course" + (
            " (or buy the HeartCode key)." if "heartcode_blended" in options else ".")
        online_text = "Finish any online part and the precourse work."
        confirm_text = "Confirm your skills session."
    if book_by is not None:
        r.actions.append(Action(book_text, book_by, "reminder", key="book-renewal"))
    if online_by is not None:
        r.actions.append(Action(online_text, online_by, "reminder", key="finish-online-part"))
    if confirm_by is not None:
        r.actions.append(Action(confirm_text, confirm_by, "reminder", key="confirm-skills"))
    if last_safe is not None:
        r.actions.append(Action("Last safe date for the renewal course (your card's last valid day; "
                                "no grace period).", last_safe, "deadline", key="last-safe-course"))
    if book_by is not None and today >= book_by:
        r.status = AT_RISK
        r.deadline = last_safe or expires
        r.reasons.append(f"Your card ends {_fmt(expires)} and no renewal course is booked.")
    else:
        r.status = NOT_STARTED
        r.reasons.append(f"Card valid through {_fmt(expires)}" + (f"; book by {_fmt(book_by)}." if book_by else "."))


def _lapse_policy(ctx: Context, card: str, body: str, r: StepResult, expires: dt.date,
                  booked: dt.date | None) -> None:
    """The renewal of a lapsed card, or of one whose booked renewal course falls after it lapses:
    the training center's recorded policy decides (default: the full provider course, R6); a Red
    Cross card has the Red Cross review-course entry window instead (R7)."""
    today = ctx.today
    track = ctx.facts(card)
    lapse_day = expires + dt.timedelta(days=1)
    default = r.use(_find(ctx, "cards.lapsed.default_policy", expires))
    explicit = track.get("lapsed_policy")
    policy = explicit or (default.value if default else None)
    # the last day a renewal (review) course is still accepted after expiry; None: not accepted
    window: dt.date | None = None
    why = ""
    if policy == "renewal_allowed":
        window, why = dt.date.max, "your training center allows the renewal course after expiry"
    elif policy == "renewal_allowed_within_days":
        days = track.get("lapsed_days")
        if isinstance(days, int) and not isinstance(days, bool):
            window = expires + dt.timedelta(days=days)
            why = f"your training center allows the renewal course until {_fmt(window)} ({days} days after expiry)"
        else:
            r.warnings.append("lapsed_days: enter how many days your training center allows.")
    if body == "red_cross":
        rc = r.use(_find(ctx, "cards.red_cross.review_entry_days", expires))
        if rc is not None and isinstance(rc.value, Mapping):
            if card in rc.value.get("assumed_for", []):
                rc_until = expires + dt.timedelta(days=int(rc.value["days"]))
                r.info["review_entry_until"] = rc_until
                if explicit is None:
                    window = rc_until
                    why = (f"the Red Cross lets you enter a review course up to {rc.value['days']} days after "
                           f"expiry (until {_fmt(rc_until)}) for basic-level courses; that {card.upper()} is one "
                           "is our reading: check with your training provider")
            else:
                r.warnings.append(f"Red Cross review-course window after expiry for {card.upper()}: not confirmed; "
                                  "ask your training provider.")
    policy_label = dict(LAPSED_POLICIES).get(policy, NOT_FOUND) if explicit or body != "red_cross" else ""
    take_on = booked or today
    allowed = window is not None and take_on <= window
    if allowed and window != dt.date.max:
        r.info["renewal_allowed_until"] = window
    if allowed and body == "aha":
        r.use(_find(ctx, "cards.aha.exam_remediation", expires))
        r.warnings.append("With an expired card the renewal course has no remediation: failing any part means "
                          "the full provider course (AHA instructor text; your training center decides).")
    if booked is not None and today <= expires:
        # not lapsed yet, but the booked course is after the last valid day: it can still be moved
        r.status = AT_RISK
        r.deadline = expires
        r.reasons.insert(0, f"Your renewal course ({_fmt(booked)}) is after your card's last valid day "
                            f"({_fmt(expires)}): you will have no current card from {_fmt(lapse_day)}.")
        if allowed:
            r.reasons.append(f"Allowed, because {why}.")
        else:
            r.reasons.append("After the card lapses your training center may ask for the full provider course"
                             + (f" (policy: {policy_label})" if policy_label else "") + ".")
        r.actions.append(Action(f"Move your renewal course to {_fmt(expires)} or earlier (your card's last valid "
                                "day; no grace period).", expires, "deadline", key="last-safe-course"))
        return
    r.reasons.insert(0, f"Your card lapsed on {_fmt(lapse_day)} (no grace period).")
    if allowed:
        r.reasons.append(f"You may still take the renewal course: {why}.")
        if booked is not None:
            r.status = IN_PROGRESS
            r.reasons.append(f"Renewal course booked for {_fmt(booked)}.")
            if booked >= today:
                r.actions.append(Action("Attend your renewal course.", booked, "todo", key="attend-renewal"))
            else:
                r.actions.append(Action("Record the new card from your renewal course.", key="record-new-card"))
            return
        if window == dt.date.max:
            # No deadline left to miss (so not at_risk), but overdue: the card lapsed already.
            r.status = NOT_STARTED
            r.due = lapse_day
            r.actions.append(Action("Book the renewal course now: until you pass it you hold no current card.",
                                    today, "todo", key="book-renewal"))
            return
        r.status = AT_RISK
        r.deadline = window
        r.due = window
        r.actions.append(Action(f"Take the renewal course by {_fmt(window)}; after that the full provider course.",
                                window, "deadline", key="renewal-window"))
        return
    r.status = BLOCKED
    reason = ("The card has lapsed; your training center's policy: full provider course."
              if window is None else f"The card has lapsed and the renewal window closed on {_fmt(window)}: "
                                     "full provider course.")
    if booked is not None:
        reason += f" The renewal course booked for {_fmt(booked)} may not be accepted: ask your training center."
    r.blocked_by.append(Blocker(None, reason))
    r.actions.append(Action(f"Book the full {card.upper()} provider course.", today, "todo", key="book-full-course"))


# --- cross-field checks -------------------------------------------------------------------------

def check_step(step_id: str, data: Mapping[str, Any], ctx: Context) -> list[Problem]:
    """Cross-field problems with one step's facts (types and ranges are checked by FieldSpecs)."""
    out: list[Problem] = []
    if step_id in TRACKS:
        if data.get("lapsed_policy") == "renewal_allowed_within_days" and data.get("lapsed_days") is None:
            out.append(Problem("lapsed_days", "enter how many days after expiry your training center "
                                              "still allows the renewal course"))
        return out
    card, _, name = step_id.partition(".")
    if card not in TRACKS or name not in STEP_NAMES:
        return [Problem(step_id, "is not a known step")]

    def d(key: str, facts: Mapping[str, Any] = data) -> dt.date | None:
        try:
            return parse_date(facts.get(key))
        except ValueError:
            return None

    if name == "enroll":
        body = data.get("body") or DEFAULT_BODY[card]
        fmt = data.get("format")
        if body not in BODY_LABELS:
            out.append(Problem("body", f"unknown issuing body {body!r}"))
        if card == "nrp" and body not in ("aap", "other"):
            out.append(Problem("body", "NRP cards are issued by the AAP: choose AAP (or Other)"))
        if card != "nrp" and body == "aap":
            out.append(Problem("body", f"the AAP issues NRP, not {card.upper()}: choose AHA, Red Cross or Other"))
        if fmt in AHA_ONLY_FORMATS and body != "aha":
            out.append(Problem("format", f"{dict(FORMATS)[fmt]} is an AHA format: choose body AHA or another format"))
        if fmt == "online_only_vendor" and body == "aha":
            out.append(Problem("format", "a vendor's online-only course does not give an AHA card: "
                                         "choose body Other, or the AHA format you took"))
        start, end = d("course_start"), d("course_end")
        if start and end and end < start:
            out.append(Problem("course_end", "the course cannot end before it starts"))
        enrolled = d("enrolled_on")
        if enrolled and start and enrolled > start:
            out.append(Problem("enrolled_on", "enrolment date is after the course start"))
    elif name == "prerequisites":
        done_on = d("precourse_done_on")
        if done_on and done_on > ctx.today:
            out.append(Problem("precourse_done_on", "is in the future"))
    elif name == "attend":
        start = d("course_start", ctx.facts(f"{card}.enroll"))
        passed_any = any(v is True for k, v in data.items() if k != "attended")
        if start and start > ctx.today and (data.get("attended") is True or passed_any):
            out.append(Problem("attended", f"your course starts on {_fmt(start)}: record attendance and "
                                           "skills tests once it has happened"))
    elif name == "exam":
        ed = d("exam_date")
        if ed and ed > ctx.today and (data.get("exam_score") is not None or data.get("exam_passed") is not None):
            out.append(Problem("exam_date", "an exam result cannot be recorded for a future exam date"))
        start = d("course_start", ctx.facts(f"{card}.enroll"))
        fmt = ctx.facts(f"{card}.enroll").get("format")
        if ed and start and ed < start and fmt not in ("heartcode_blended", "online_only_vendor") and card != "nrp":
            out.append(Problem("exam_date", "the exam date is before the course starts"))
    elif name == "card":
        issue = d("issue_date")
        enroll = ctx.facts(f"{card}.enroll")
        course = d("course_end", enroll) or d("course_start", enroll)
        if issue and course and issue < course:
            out.append(Problem("issue_date", f"the card cannot be issued before its course ({course.isoformat()})"))
        if issue and issue > ctx.today:
            out.append(Problem("issue_date", "is in the future"))
        claimed = d("claimed_on")
        if claimed and issue and claimed < issue:
            out.append(Problem("claimed_on", "the eCard cannot be claimed before it is issued"))
        if data.get("ecard_claimed") is True and issue is None:
            out.append(Problem("ecard_claimed", "record the card issue date first"))
        for i, rec in enumerate(data.get("past_cards") or []):
            if not isinstance(rec, Mapping):
                continue
            pi, pe = d("issue_date", rec), d("expires", rec)
            if pi and pe and pe <= pi:
                out.append(Problem(f"past_cards[{i}].expires", "must be after the card's issue date"))
            if pi and issue and pi >= issue:
                out.append(Problem(f"past_cards[{i}].issue_date",
                                   "a past card must be issued before the current card"))
            if rec.get("body") == "aap" and card != "nrp":
                out.append(Problem(f"past_cards[{i}].body", f"the AAP does not issue {card.upper()} cards"))
    elif name == "renewal":
        booked = d("renewal_course_date")
        issue = d("issue_date", ctx.facts(f"{card}.card"))
        if booked and issue and booked <= issue:
            out.append(Problem("renewal_course_date", "the renewal course must be after the current card's issue date"))
    return out


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
