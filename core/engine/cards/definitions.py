"""The card tracks' vocabularies, field specs and step definitions (the same six steps per card)."""

from __future__ import annotations

from ..base import (
    AT_RISK,
    EXPIRED,
    DependencyPolicy,
    FieldSpec,
    StepDef,
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
                 "cards.aha.ecard_issue_business_days", "cards.aha.ecard_claim", "cards.grace.aha"),
                item=f"{name} card"),
        StepDef(f"{card}.renewal", card, stage, "Renew before it expires",
                "Book the renewal course in time. A lapsed card may need the full course: your training "
                "center decides.",
                (f"{card}.card",), _renewal_fields(card),
                ("cards.plan.book_days_before", "cards.plan.online_part_days_before",
                 "cards.plan.last_safe_course_days_before", "cards.lapsed.default_policy",
                 f"{card}.renewal_options"),
                # an expired (or soon expiring) card is what the renewal is about, not something it waits for
                satisfied_by=(EXPIRED, AT_RISK)),
    ]


TRACKS: dict[str, list[StepDef]] = {card: _steps(card) for card in CARDS}

# A card step waits for the nearest earlier step that applies (BLS has no prerequisites step to
# wait for); waiting does not change its status, and an expired card waits for nothing.
POLICY = DependencyPolicy(through_not_applicable=True, blocked_spreads=False, expired_waits=False,
                          warn_due_order=False)

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


