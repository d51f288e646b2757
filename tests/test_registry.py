"""Tracks are registered: a tiny extra track shows up everywhere journeys are listed, with no
other change (issue 11 §1)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core import wording
from core.engine import registry
from core.engine.base import DONE, NOT_STARTED, Action, Context, FieldSpec, StepDef, StepResult, TrackResult
from core.engine.findings import F

TODAY = dt.date(2026, 11, 21)


def _evaluate(ctx: Context) -> TrackResult:
    first = StepResult("tiny.first")
    done_on = ctx.facts("tiny.first").get("done_on")
    if done_on:
        first.status = DONE
    else:
        first.status = NOT_STARTED
        first.actions.append(Action(F("tiny.first.do_first"), ctx.today + dt.timedelta(days=10), "deadline",
                                    key="do-first"))
    second = StepResult("tiny.second", status=NOT_STARTED)
    return TrackResult("tiny", [first, second])


TINY = registry.Track(
    id="tiny",
    title="Tiny journey",
    steps=(
        StepDef("tiny.first", "tiny", "Tiny", "First tiny step", "The first thing.",
                fields=(FieldSpec("done_on", "Done on", "date"),)),
        StepDef("tiny.second", "tiny", "Tiny", "Second tiny step", "The second thing.",
                depends_on=("tiny.first",)),
    ),
    evaluate=_evaluate,
    order=90,
    choice="&Tiny journey",
)


@pytest.fixture
def tiny():
    registry.register(TINY)
    wording.register({"tiny.first.do_first": "Do the first thing"})  # a new track brings its own wording
    yield TINY
    registry.unregister("tiny")


def _doc() -> dict:
    return {"format": "certpath-profile/1", "name": "T", "role": "other", "tracks": ["tiny"],
            "facts": {}, "overrides": {}}


def test_blocking_follows_depends_on_for_a_new_track(tiny):
    from core.engine import evaluate

    j = evaluate(_doc(), TODAY)
    second = j.step("tiny.second")
    assert [b.step for b in second.blocked_by] == ["tiny.first"]


def test_the_new_track_is_in_evaluate_schema_and_ics(tiny, tmp_path, capsys, store):
    from core.cli import main

    p = tmp_path / "tiny.json"
    p.write_text(json.dumps(_doc()))
    assert main(["evaluate", str(p), "--today", TODAY.isoformat()]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [t["track"] for t in out["tracks"]] == ["tiny"]
    assert [s["id"] for s in out["tracks"][0]["steps"]] == ["tiny.first", "tiny.second"]

    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "tiny" in schema["properties"]["tracks"]["items"]["enum"]
    assert "tiny.first" in schema["properties"]["facts"]["properties"]
    assert schema["properties"]["facts"]["properties"]["tiny.first"]["title"] == "First tiny step"

    from core.ics import export_ics

    pid = store.import_document(_doc())
    ics = export_ics(store, pid, TODAY).decode()
    assert "Do the first thing" in ics
    assert (TODAY + dt.timedelta(days=10)).strftime("%Y%m%d") in ics


def test_the_new_track_is_in_onboarding_and_the_navigator(tiny, qtbot, data_dir):
    from core.engine import evaluate
    from gui.navigator import Navigator
    from gui.onboarding import OnboardingWizard
    from gui.shell import open_session

    session = open_session(data_dir, TODAY, demo=False)
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    ids = [c[0] for c in wiz.who.choices]
    assert ids[:3] == ["img", "cards", "tiny"] and ids[-1] == "all"
    box = wiz.findChild(type(wiz.who.journey_group.buttons()[0]), "journey_tiny")
    box.setChecked(True)
    assert wiz.tracks() == ["tiny"]
    session.store.db.close()

    nav = Navigator()
    qtbot.addWidget(nav)
    nav.populate(evaluate(_doc(), TODAY))
    texts = []
    it = nav.invisibleRootItem()
    stack = [it.child(i) for i in range(it.childCount())]
    while stack:
        item = stack.pop()
        texts.append(item.text(0))
        stack += [item.child(i) for i in range(item.childCount())]
    assert "Tiny journey" in texts and "First tiny step" in texts and "Second tiny step" in texts


def test_a_step_id_cannot_be_registered_twice():
    clash = registry.Track(id="clash", title="Clash", order=99, evaluate=_evaluate,
                           steps=(StepDef("usmle.step1", "clash", "X", "X", "X"),))
    with pytest.raises(ValueError, match="usmle.step1"):
        registry.register(clash)
