import datetime as dt

from core import journey_view as jv
from core.engine import evaluate
from core.profiles import parse_document
from tests.conftest import ROOT

TODAY = dt.date(2026, 11, 21)


def _demo(name):
    return parse_document((ROOT / "resources" / "demo" / f"{name}.json").read_bytes(), TODAY)


def test_provider_demo_blocks_actions_deadlines():
    j = evaluate(_demo("provider-demo"), TODAY)
    blocks = jv.blocking_now(j)
    assert blocks and blocks[0].status in jv.URGENT
    acts = jv.next_actions(j)
    dated = [a.date for a in acts if a.date]
    assert dated == sorted(dated)
    d30, d90 = jv.deadlines(j, 30), jv.deadlines(j, 90)
    assert set(d30) <= set(d90)
    assert all(a.date <= TODAY + dt.timedelta(days=90) for a in d90)
    text, sid = jv.headline(j)
    assert sid is not None and text


def test_progress_counts_and_first_open():
    j = evaluate(_demo("img-demo"), TODAY)
    for p, t in zip(jv.progress(j), j.tracks, strict=True):
        assert p.done == sum(1 for s in t.steps if s.status == "done")
        assert p.applicable == sum(1 for s in t.steps if s.status != "not_applicable")
        assert p.first_open is None or t.step(p.first_open).status not in ("done", "not_applicable")


def test_the_headline_names_which_card_expired():
    """"Card issued has expired" left open which card (a provider holds several): the headline
    names what expired, as the deadlines list does."""
    doc = {"name": "x", "role": "nurse_picu", "tracks": ["bls", "pals"], "overrides": {},
           "facts": {"bls.card": {"issue_date": "2024-01-10"}, "bls.enroll": {"body": "aha"},
                     "pals.card": {"issue_date": "2026-03-10"}, "pals.enroll": {"body": "aha"}}}
    text, sid = jv.headline(evaluate(doc, TODAY))
    assert sid == "bls.card" and text.startswith("BLS card has expired: "), text


def test_empty_profile():
    j = evaluate({"name": "x", "role": "other", "tracks": [], "facts": {}, "overrides": {}}, TODAY)
    assert jv.progress(j) == [] and jv.blocking_now(j) == [] and jv.milestones(j) == []
    assert jv.headline(j) == ("This profile follows no journey yet.", None)


def test_milestones_sorted_and_expiry_from_engine():
    doc = {"name": "x", "role": "other", "tracks": ["pals"], "overrides": {},
           "facts": {"pals.card": {"issue_date": "2026-03-10"}}}
    j = evaluate(doc, TODAY)
    ms = jv.milestones(j)
    assert [m.date for m in ms] == sorted(m.date for m in ms)
    assert any(m.kind == "expiry" and m.date == dt.date(2028, 3, 31) for m in ms)
    assert jv.ActionItem(dt.date(2026, 11, 20), "x", "pals.card", "todo").when(TODAY).endswith("(overdue by 1 day)")


def test_undated_next_actions_follow_the_journey_order():
    """A new provider's first action is the first card's enrolment, not whatever sorts first by id."""
    import datetime as dt

    from core.engine import evaluate
    from core.journey_view import headline, next_actions

    doc = {"format": "certpath-profile/1", "name": "N", "role": "nurse_ed", "tracks": ["bls", "pals", "acls"],
           "facts": {}}
    j = evaluate(doc, dt.date(2026, 11, 21))
    assert headline(j)[1] == "bls.enroll"
    steps = [a.step_id for a in next_actions(j)]
    assert steps.index("bls.enroll") < steps.index("pals.enroll") < steps.index("acls.enroll")
    assert any(a.text.startswith("Choose an ACLS course") for a in next_actions(j))


def test_a_passed_preference_is_for_today_not_overdue():
    import datetime as dt

    from core.engine import evaluate
    from core.journey_view import next_actions

    today = dt.date(2026, 11, 21)
    doc = {"format": "certpath-profile/1", "name": "I", "role": "img_physician", "tracks": ["img"],
           "facts": {"img": {"match_year": 2028}}}
    acts = {a.step_id: a for a in next_actions(evaluate(doc, today)) if a.step_id in ("ecfmg.school",
                                                                                      "ecfmg.application")}
    assert acts and all(a.date == today for a in acts.values())


def _bls(issue: str):
    return {"name": "x", "role": "other", "tracks": ["bls"], "overrides": {},
            "facts": {"bls.card": {"issue_date": issue}}}


def test_a_card_is_listed_once_per_date_in_the_deadlines():
    """The BLS card's last valid day was listed three times (the card's expiry, the renewal's
    deadline and the renewal's last-safe-day action): now once, as the card's expiry, by name."""
    j = evaluate(_bls("2025-01-10"), TODAY)
    exp = j.step("bls.card").expires
    assert exp is not None and TODAY <= exp <= TODAY + dt.timedelta(days=90)
    rows = jv.deadlines(j, 90)
    on_day = [a for a in rows if a.date == exp]
    assert [(a.step_id, a.kind, a.text) for a in on_day] == [("bls.card", "expiry", "BLS card expires")]
    assert len({(a.date, a.step_id) for a in rows}) == len(rows)
    # the timeline draws it once too, named as the card
    assert [m.label for m in jv.milestones(j) if m.date == exp] == ["BLS card expires"]

