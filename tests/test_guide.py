"""The user guide (core/guide.py, resources/guide/): every registered step and status is described,
the generated tables follow the registry, and the examples of card expiry are what the engine computes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core import guide, resources_dir
from core.engine import registry
from core.engine.base import STATUS_LABELS, StepDef, TrackResult

TEXT = guide.load("en")


def test_every_registered_step_and_track_has_a_section():
    assert guide.missing_steps(TEXT) == []
    assert guide.missing_tracks(TEXT) == []


def test_a_new_track_without_a_section_is_caught():
    def evaluate(ctx):
        return TrackResult("zz", [])

    t = registry.Track(id="zz", title="ZZ", steps=(StepDef("zz.one", "zz", "ZZ", "One", "the first"),),
                       evaluate=evaluate)
    registry.register(t)
    try:
        assert guide.missing_steps(TEXT) == ["zz.one"]
        assert guide.missing_tracks(TEXT) == ["zz"]
    finally:
        registry.unregister("zz")


def test_card_steps_share_one_section_per_step():
    assert guide.step_anchor("pals.card") == guide.step_anchor("nrp.card") == "step-card.card"
    assert guide.step_anchor("usmle.step1") == "step-usmle.step1"


def test_statuses_are_described_with_their_ids_and_the_apps_words():
    text = guide.load("en", {"blocked": "⊘"})
    for sid, label in STATUS_LABELS.items():
        assert f"<code>{sid}</code>" in text
        assert label in text
    assert "⊘ Blocked" in text


def test_the_step_tables_come_from_the_registry():
    for t in registry.tracks():
        for s in t.steps:
            assert f"<code>{s.id}</code>" in TEXT or s.id in TEXT, s.id
    assert "<!-- steps:" not in TEXT and "<!-- statuses -->" not in TEXT


def test_all_six_pathways_are_described():
    for i in range(1, 7):
        assert re.search(rf"<b>Pathway {i}: ", TEXT), i


@pytest.mark.parametrize("rule_id,basis,last_day", [
    ("cards.expiry.aha", dt.date(2026, 3, 10), dt.date(2028, 3, 31)),
    ("cards.expiry.aap", dt.date(2026, 3, 10), dt.date(2028, 3, 31)),
    ("cards.expiry.red_cross", dt.date(2026, 3, 10), dt.date(2028, 3, 10)),
])
def test_the_expiry_examples_are_what_the_engine_computes(rule_id, basis, last_day):
    from core.engine.cards.common import expiry_from
    from core.rules import load_rules

    assert expiry_from(basis, load_rules().find(rule_id, basis)) == last_day
    assert f"valid through {last_day.day} March {last_day.year}" in TEXT


def test_contents_list_the_chapters_in_order():
    secs = guide.sections(TEXT)
    chapters = [s.anchor for s in secs if s.level == 2]
    assert chapters[:2] == ["start", "statuses"]
    for a in ("track-img", "pathways", "cards", "expiry", "data", "rules", "privacy"):
        assert a in chapters
    assert all(s.title for s in secs)


def test_a_translation_is_found_by_language_and_falls_back_to_english(tmp_path, monkeypatch):
    import core.guide as g

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "guide.html").write_text("<h2><a name='start'></a>Start</h2>", encoding="utf-8")
    (tmp_path / "pt").mkdir()
    (tmp_path / "pt" / "guide.html").write_text("<h2><a name='start'></a>Início</h2>", encoding="utf-8")
    monkeypatch.setattr(g, "guide_dir", lambda: tmp_path)
    assert g.guide_path("pt_BR") == tmp_path / "pt" / "guide.html"
    assert g.guide_path("de_DE") == tmp_path / "en" / "guide.html"


def test_the_guide_is_packaged():
    """PyInstaller bundles resources/ whole (build.spec DATAS); the wheel lists it as package data."""
    spec = (resources_dir().parent / "build.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec
    pyproject = (resources_dir().parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"guide/**/*.html"' in pyproject
