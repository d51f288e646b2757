"""One evaluation per change: the GUI's JourneyService evaluates the profile once per change and
every view renders the journey it hands out (issue 11 §3)."""

from __future__ import annotations

import pytest

import core.engine


@pytest.fixture
def counted(monkeypatch):
    """Counts evaluations of a profile (every core.engine.evaluate call builds one Journey)."""
    calls = []
    real = core.engine.Journey

    def journey(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(core.engine, "Journey", journey)
    return calls


def _window_with_everything(qtbot, shown_window, data_dir, today):
    from gui.shell import open_session

    session = open_session(data_dir, today, demo=True)
    win = shown_window(session)
    win.build_all_panels()
    for key in ("usmle.step2ck", "pals.prerequisites", "img"):
        win.open_step(key)
    page = win.open_step("usmle.step1")
    qtbot.waitUntil(lambda: win.current_page() is page)
    return win, page


def test_one_save_with_every_panel_built_runs_one_evaluation(qtbot, shown_window, data_dir, today, counted,
                                                             monkeypatch):
    from core.store import Store

    win, page = _window_with_everything(qtbot, shown_window, data_dir, today)
    page.form.editor("window_start").setText("2026-12-01")  # typed, the preview still pending
    reads = []
    real_document = Store.document
    monkeypatch.setattr(Store, "document", lambda self, pid: reads.append(pid) or real_document(self, pid))
    counted.clear()
    assert win.save_step()
    assert len(counted) == 1  # one evaluation for the save; every view renders it
    assert len(reads) == 1  # and one read of the profile
    # and every view shows the saved state: the navigator, the dashboard and the other pages agree
    journey = win.journeys.journey
    assert win.dashboard.journey is journey
    other = win.open_step("usmle.step2ck")  # a page out of view shows the same journey when shown
    assert other.result is journey.step("usmle.step2ck") and len(counted) == 1
    assert win.panel("Reminders").items  # the reminders come from the same journey


def test_switching_profiles_evaluates_once_and_opening_a_page_not_at_all(qtbot, shown_window, data_dir, today, counted):
    win, _page = _window_with_everything(qtbot, shown_window, data_dir, today)
    other = next(p["id"] for p in win.session.profiles() if p["id"] != win.session.profile_id)
    counted.clear()
    win.switch_profile(other)
    assert len(counted) == 1
    counted.clear()
    page = win.open_step("pals.card")  # opening a page shows the journey held: no evaluation
    assert len(counted) == 0 and page.result is win.journeys.journey.step("pals.card")



def test_a_change_updates_the_dashboards_progress_rows_in_place(qtbot, shown_window, data_dir, today):
    """A Save keeps the progress rows' widgets (taking a widget out of the window walks its whole
    focus chain: slow with a long exam history open) and shows the new counts; a profile of other
    journeys gets its own rows."""
    from core.journey_view import progress

    win, _page = _window_with_everything(qtbot, shown_window, data_dir, today)
    pid = win.session.profile_id
    bars = dict(win.dashboard.progress_bars)
    before = {p.track: p.done for p in progress(win.journeys.journey)}
    step1 = dict(win.session.store.facts(pid)["usmle.step1"], attempts=[])  # Step 1 no longer passed
    win.session.store.save_facts(pid, {"usmle.step1": step1})
    win.refresh()
    after = {p.track: p for p in progress(win.journeys.journey)}
    assert after["img"].done == before["img"] - 1
    assert win.dashboard.progress_bars == bars  # the same widgets
    for track, bar in bars.items():
        assert bar.value() == after[track].done and bar.maximum() == max(1, after[track].applicable)
        assert bar.accessibleName() == f"{after[track].title}: {after[track].text}"
    other = next(p["id"] for p in win.session.profiles() if p["id"] != pid)
    win.switch_profile(other)
    shown = [p.track for p in progress(win.journeys.journey)]
    assert list(win.dashboard.progress_bars) == shown and set(shown) != set(bars)
    assert all(win.dashboard.progress_bars[t].value() == p.done for t, p in zip(shown, progress(win.journeys.journey),
                                                                                 strict=True))
