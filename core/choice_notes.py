"""One-line descriptions of coded choices (a Pathway, a visa need, a licence route, a card body...),
shown where the choice is made: each item's tooltip, and a line under the box that follows the
selection (gui/step_form.py). They live in the wording catalogue (`wording.register`), coded
`choice.<vocabulary>.<value>`, so they are translated like every other sentence; their facts are
the rules' (resources/rules), with the rule ids beside them, and nothing beyond what the rules say.

`note(field_key, value)` is the line for a field's value, or None when that choice has none.
Fields that share a vocabulary share its notes (`renewal_format` uses `format`'s).
"""

from __future__ import annotations

from typing import Any

from . import wording
from .wording import N_

# field key -> the vocabulary whose notes it uses
VOCABULARY = {"renewal_format": "format", "visa_need": "visa_need", "route": "licence_route"}

NOTES: dict[str, str | dict[str, str]] = {
    # --- ECFMG Pathways (pathway.pathway1, pathway.pathways3_5, pathway.pathway6, pathway.pathway2)
    "choice.pathway.1": N_("For those who hold or recently held a licence to practise without supervision, with no "
                           "disciplinary action (a training licence does not count)."),
    "choice.pathway.2": N_("For graduates whose school runs an OSCE that the country's regulator requires for "
                           "licensure; needs a school attestation. Verify with ECFMG."),
    "choice.pathway.3": N_("For recent graduates of a school accredited by a WFME-recognised agency, with a school "
                           "clinical-skills attestation."),
    "choice.pathway.4": N_("For recent graduates of a school accredited by an agency found comparable by NCFMEA, "
                           "with a school clinical-skills attestation."),
    "choice.pathway.5": N_("For recent graduates of a school granting an MD jointly with an LCME-accredited US "
                           "school, with a school clinical-skills attestation."),
    "choice.pathway.6": N_("For those who qualify for no other Pathway, or ever failed Step 2 CS: 6 in-person "
                           "Mini-CEX encounters rated by licensed physicians."),
    # --- citizenship / visa need (visa.j1.*, visa.h1b.*)
    "choice.visa_need.us_citizen": N_("No visa needed: the visa step is not applicable."),
    "choice.visa_need.permanent_resident": N_("No visa needed with a green card: the visa step is not applicable."),
    "choice.visa_need.needs_j1": N_("ECFMG is the only J-1 sponsor for clinical training; it needs your ECFMG "
                                    "certificate, the program's offer and a Statement of Need."),
    "choice.visa_need.needs_h1b": N_("An H-1B for residency needs USMLE Steps 1, 2 CK and 3 passed before the "
                                     "petition, and a state licence where the state asks for one."),
    "choice.visa_need.undecided": N_("The visa step asks you to decide between a J-1 and an H-1B."),
    # --- licence route (license.route.*)
    "choice.licence_route.standard": N_("US residency training first, then the state's full licence (its "
                                        "postgraduate years, Step 3 and other conditions)."),
    "choice.licence_route.alternative": N_("Some states license physicians trained abroad without a US residency "
                                           "(a foreign licence, practice years, an offer...): see the state's rule."),
    # --- card issuing body (cards.expiry.*)
    "choice.body.aha": N_("AHA cards last 2 years, to the end of the month 24 months after the course; no grace "
                          "period."),
    "choice.body.red_cross": N_("Red Cross certificates are generally valid 2 years to the day from completion."),
    "choice.body.aap": N_("NRP (AAP) status lasts 2 years, to the end of the month, from the instructor-led event."),
    "choice.body.other": N_("Another body: CertPath has no expiry rule for it; ask your training center."),
    # --- course format (pals.formats, bls.formats ...)
    "choice.format.classroom": N_("All in person with an instructor (AHA or Red Cross)."),
    "choice.format.heartcode_blended": N_("AHA HeartCode: an online part, then a hands-on skills session."),
    "choice.format.rqi": N_("AHA RQI: short quarterly skills sessions at a hospital that subscribes; it sets the "
                            "credential rules."),
    "choice.format.online_only_vendor": N_("Not an AHA card: many employers refuse a vendor's online-only "
                                           "certificate."),
    # --- a lapsed card (cards.renewal.*)
    "choice.lapsed_policy.full_course": N_("Once the card has lapsed you take the full provider course again."),
    "choice.lapsed_policy.renewal_allowed_within_days": N_("The renewal course is still allowed for some days after "
                                                           "expiry: enter how many below."),
    "choice.lapsed_policy.renewal_allowed": N_("Your training center lets you take the renewal course after expiry."),
    # --- the residency-free route's immigration question (license.route.*)
    "choice.immigration_status.authorised_to_work": N_("A citizen, a permanent resident or a visa that allows work."),
    "choice.immigration_status.lawful_presence": N_("Lawfully in the US, but not yet allowed to work."),
    "choice.immigration_status.applied": N_("You applied for status to live or work in the US."),
    "choice.immigration_status.none": N_("None of these yet: some states' routes ask for one of them."),
    # --- the degree (ecfmg.school.excluded_degrees)
    "choice.degree.medicine": N_("A medical degree that qualifies, when the school's WDOMS listing covers your "
                                 "graduation year."),
    "choice.degree.stomatology": N_("Does not qualify for ECFMG certification."),
    "choice.degree.ayurvedic": N_("Does not qualify for ECFMG certification."),
    "choice.degree.homeopathic": N_("Does not qualify for ECFMG certification."),
    "choice.degree.traditional_chinese": N_("Does not qualify for ECFMG certification."),
    "choice.degree.physician_epidemiologist_hygienist": N_("Does not qualify for ECFMG certification."),
    "choice.degree.other_excluded": N_("Does not qualify for ECFMG certification."),
}

# the rules each vocabulary's notes are taken from (tests check they exist)
SOURCES = {
    "pathway": ("pathway.pathway1", "pathway.pathway2", "pathway.pathways3_5", "pathway.pathway6",
                "pathway.cs_fail_requires_pathway6"),
    "visa_need": ("visa.j1.ecfmg_sole_sponsor", "visa.j1.requirements", "visa.h1b.requires_all_steps"),
    "body": ("cards.expiry.aha", "cards.expiry.red_cross", "cards.expiry.aap", "cards.grace.aha"),
    "format": ("pals.formats",),
    "degree": ("ecfmg.school.excluded_degrees",),
}

wording.register(NOTES)


def code(field_key: str, value: Any) -> str:
    return f"choice.{VOCABULARY.get(field_key, field_key)}.{value}"


def note(field_key: str, value: Any) -> str | None:
    """The one-line description of `value` in the choice `field_key`, translated; None if it has none."""
    if value is None:
        return None
    c = code(field_key, value)
    if c not in NOTES:
        return None
    tpl = wording.template(c)
    return wording._(tpl) if isinstance(tpl, str) else None


def has_notes(field_key: str) -> bool:
    prefix = f"choice.{VOCABULARY.get(field_key, field_key)}."
    return any(k.startswith(prefix) for k in NOTES)
