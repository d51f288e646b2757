"""Who the user is, and which life-support cards such a person typically holds.

`ROLES` lists the roles of product.md's users, in the order the onboarding wizard shows them.
`typical_cards(role_id, rules, today)` reads the rule `roles.typical_cards` (rule data, with its
sources and confidence) and returns the card track ids typical for the role with that rule.
The answer is guidance only: "typical; your employer decides". Nothing here is a requirement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .rules import Rule, RuleNotFound, RuleSet

TYPICAL_CARDS_RULE = "roles.typical_cards"
TYPICAL_NOTE = "typical; your employer decides"

# (role_id, label): part of the profile format ("role" in a profile document).
ROLES: list[tuple[str, str]] = [
    ("img_physician", "International medical graduate (physician)"),
    ("pediatrician", "Pediatrician"),
    ("pediatric_resident", "Pediatric resident"),
    ("emergency_physician", "Emergency physician"),
    ("nurse_picu", "Nurse: PICU"),
    ("nurse_ed", "Nurse: pediatric emergency department"),
    ("nurse_nicu", "Nurse: NICU, nursery or labour and delivery"),
    ("nurse_other", "Nurse: other unit"),
    ("nurse_practitioner", "Nurse practitioner"),
    ("physician_assistant", "Physician assistant"),
    ("respiratory_therapist", "Respiratory therapist"),
    ("paramedic", "Paramedic"),
    ("emt", "EMT"),
    ("dentist_sedation", "Dentist providing pediatric sedation or anaesthesia"),
    ("school_nurse", "School nurse"),
    ("childcare_staff", "Childcare or school staff"),
    ("other", "Other"),
]
ROLE_IDS = tuple(r for r, _ in ROLES)
# The role onboarding proposes for the journey groups chosen, until the user picks one: a listed
# group's role when one is among them, else the first role of the list that belongs to no group.
GROUP_ROLE: dict[str, str] = {"img": "img_physician"}


def proposed_role(groups: list[str]) -> str:
    """The role to preselect for the journey groups chosen (the user's own choice always wins)."""
    for g in groups:
        if g in GROUP_ROLE:
            return GROUP_ROLE[g]
    return next(r for r, _ in ROLES if r not in GROUP_ROLE.values())
ROLE_LABELS = dict(ROLES)


def _entry(role_id: str, rule: Rule | None) -> Mapping[str, Any]:
    if rule is None or not isinstance(rule.value, Mapping):
        return {}
    entry = rule.value.get(role_id)
    if isinstance(entry, Mapping):
        return entry
    if isinstance(entry, list):  # an override may give the plain list
        return {"cards": entry}
    return {}


def _rule(rules: RuleSet, today: dt.date, overrides: Mapping[str, Any] | None) -> Rule | None:
    try:
        return rules.find(TYPICAL_CARDS_RULE, today, overrides)
    except RuleNotFound:
        return None


def typical_cards(role_id: str, rules: RuleSet, today: dt.date,
                  overrides: Mapping[str, Any] | None = None) -> tuple[list[str], Rule | None]:
    """The card tracks typical for `role_id` (e.g. ["bls", "pals"]) and the rule that says so.

    Unknown roles, or no rule in force, give ([], rule-or-None): the caller then says
    "not found: ask your employer". Always show the result as "typical; your employer decides".
    """
    if role_id not in ROLE_IDS:
        raise ValueError(f"role: {role_id!r} is not one of {', '.join(ROLE_IDS)}")
    rule = _rule(rules, today, overrides)
    return [str(c) for c in _entry(role_id, rule).get("cards", [])], rule


def role_guidance(role_id: str, rules: RuleSet, today: dt.date,
                  overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything the role rule says for `role_id`: typical cards, cards some settings add, a note."""
    cards, rule = typical_cards(role_id, rules, today, overrides)
    entry = _entry(role_id, rule)
    return {
        "role": role_id,
        "label": ROLE_LABELS[role_id],
        "cards": cards,
        "sometimes": [str(c) for c in entry.get("sometimes", [])],
        "note": str(entry.get("note", "")),
        "caveat": TYPICAL_NOTE,
        "rule": rule,
    }
