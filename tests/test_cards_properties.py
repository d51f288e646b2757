"""Property tests for the provider card tracks: any profile built from the step forms evaluates,
every status is in the vocabulary, at_risk always names its deadline, blocked always says why, and
the AHA expiry of an issued card is the last day of a month 24 months on."""

import calendar
import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import facts_for

from core.engine import evaluate
from core.engine.base import STATUSES
from core.engine.cards import TRACK_FIELDS, TRACKS
from core.rules import load_rules

RULES = load_rules()
D = dt.date
DATES = st.dates(min_value=D(2018, 1, 1), max_value=D(2031, 12, 31)).map(dt.date.isoformat)


def track_facts(card):
    return st.fixed_dictionaries({}, optional={
        card: facts_for(TRACK_FIELDS.get(card, ()), DATES),
        **{s.id: facts_for(s.fields, DATES) for s in TRACKS[card]},
    })


PROFILES = st.lists(st.sampled_from(sorted(TRACKS)), min_size=1, max_size=3, unique=True).flatmap(
    lambda cards: st.tuples(st.just(cards), *[track_facts(c) for c in cards]))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=PROFILES, today=st.dates(min_value=D(2019, 1, 1), max_value=D(2032, 1, 1)))
def test_any_card_profile_evaluates_within_the_vocabulary(profile, today):
    cards, *facts = profile
    merged = {k: v for f in facts for k, v in f.items()}
    doc = {"format": "certpath-profile/1", "name": "P", "role": "other", "tracks": list(cards),
           "facts": merged, "overrides": {}}
    journey = evaluate(doc, today, RULES)
    json.dumps(journey.to_json())
    for s in journey.all_steps():
        assert s.status in STATUSES, s.id
        if s.status == "at_risk":
            assert s.deadline is not None, (s.id, s.reasons)
        if s.status == "blocked":
            assert s.blocked_by or s.reasons, s.id
        for rid in s.rules:
            assert rid in RULES, rid


@settings(max_examples=200, deadline=None)
@given(issue=st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)),
       card=st.sampled_from(["bls", "pals", "acls", "pears"]))
def test_an_issued_aha_card_expires_at_a_month_end_24_months_on(issue, card):
    doc = {"format": "certpath-profile/1", "name": "P", "tracks": [card],
           "facts": {f"{card}.enroll": {"body": "aha"}, f"{card}.card": {"issue_date": issue.isoformat()}}}
    exp = evaluate(doc, issue, RULES).step(f"{card}.card").expires
    assert exp is not None
    assert exp.day == calendar.monthrange(exp.year, exp.month)[1]
    months = (exp.year - issue.year) * 12 + exp.month - issue.month
    assert months == 24
