"""Test-only route records for engine capabilities no bundled record exercises any more.

Rhode Island's route used to carry a limited registration with Steps 1-2, a full licence with Step 3
and its own three attempts per Step (license.route_attempts.RI). Those values were read only in
machine-written bill summaries (fastdemocracy.com, banned), so the bundled record now says them
unknown (docs/sources-licensure.md, "Fifth pass (b)"). The engine still supports a route's own
attempt limits and Steps split between the first and the full licence: these fixtures keep that
proved. They replace the bundled license.route.RI (the state code stays RI, whose standard-route
record has no attempt limit of its own) and add a license.route_attempts.RI; their statements say
TEST FIXTURE and they cite example.org, never a real page.
"""

from __future__ import annotations

from core import resources_dir
from core.rules import RuleSet, load_rules_from, rules_from_files

RULES = load_rules_from(resources_dir() / "rules" / "img")

SPLIT_ROUTE = """
[[rule]]
id = "license.route.RI"
statement = "TEST FIXTURE: a one-year limited licence, Steps 1-2 before it, Step 3 for the full licence after 3 years."
value = { name = "Rhode Island", licence_kind = "limited", licensed_abroad = "required", \
years_practice_abroad = "unknown", practice_recency_years = "unknown", foreign_pgt_required = "required", \
ecfmg_certificate = "required", usmle_steps = [1, 2, 3], usmle_steps_for_provisional = [1, 2], \
usmle_steps_for_full = [3], jurisprudence_exam = "unknown", \
employer_offer = { status = "required", kinds = ["participating_health_care_entity"] }, english = "unknown", \
immigration_status = "unknown", provisional_years = 1, provisional_extension_years = 2, supervision = "required", \
converts_to_full_after_years = 3, law_effective = "unknown", board_accepting_applications = "unknown", \
state_attempt_limits = "%(limits)s", citation = "fixture", notes = "" }
sources = [{ url = "https://example.org/fixture-route", tier = "secondary" }]
as_of = "fixture"
checked = 2026-12-02
confidence = "low"
"""

OWN_LIMITS = """
[[rule]]
id = "license.route_attempts.RI"
statement = "TEST FIXTURE: the route's own limit, three attempts per Step."
value = { step_attempt_limit = 3, citation = "fixture" }
sources = [{ url = "https://example.org/fixture-limits", tier = "secondary" }]
as_of = "fixture"
checked = 2026-12-02
confidence = "low"
"""

OWN_LIMITS_FROM_2027 = """
[[rule]]
id = "license.route_attempts.RI"
statement = "TEST FIXTURE: a route limit of 2 attempts per Step from 2027-01-01."
value = { step_attempt_limit = 2 }
from = 2027-01-01
sources = [{ url = "https://example.org/fixture", tier = "secondary" }]
as_of = "fixture"
checked = 2026-12-02
confidence = "low"
"""


def with_fixture(toml: str, *replaced: str) -> RuleSet:
    """The bundled img rules with the records of `replaced` ids swapped for a test-only fixture."""
    fixture = rules_from_files([("fixture.toml", toml.encode())], use_cache=False).all()
    return RuleSet([r for r in RULES.all() if r.id not in replaced] + fixture)


def split_route(limits: str = "unknown", own: str | None = None) -> RuleSet:
    """The fixture route (Steps split between the limited and the full licence) in place of the bundled
    license.route.RI; with `own` (a license.route_attempts.RI fixture), state_attempt_limits = "own"."""
    toml = SPLIT_ROUTE % {"limits": "own" if own is not None else limits} + (own or "")
    return with_fixture(toml, "license.route.RI", "license.route_attempts.RI")
