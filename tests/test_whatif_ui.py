"""What if… in the app (gui/whatif_ui.py): a scenario edited with the step forms on a copy of the
profile, never written to it until Apply; kept by name, compared, applied in one transaction and
undone; Escape with unsaved scenario edits asks first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from core import scenarios as sc
from gui.shell import open_session


@pytest.fixture(autouse=True)
def _discard_at_the_end(monkeypatch):
    """A scenario left unsaved by a test is discarded when its window closes at teardown (the
    question would otherwise wait for a click); tests that check the question set their own."""
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)


@pytest.fixture
def win(qtbot, data_dir, today, shown_window):
    from gui.shell import load_demo

    session = open_session(data_dir, today, demo=False)
    ids = load_demo(session.store, today)
    img = next(i for i in ids if "img" in (session.store.document(i).get("facts") or {}))
    session.switch(img)
    w = shown_window(session)
    return w


def _ext(win):
    return win.findChild(QObject, "whatIfExtension")


def _set_choice(form, key, value):
    box = form.editor(key)
    box.setCurrentIndex(box.findData(value))


def _h1b(qtbot, w):
    w.choose_step("img")
    _set_choice(w.form, "visa_need", "needs_h1b")
    qtbot.waitUntil(lambda: w.outcome is not None and bool(w.outcome.diff.steps), timeout=5000)


def _snapshot(session):
    return session.store.document(session.profile_id)


def test_the_buttons_and_the_menu_open_a_scenario_marked_as_one(qtbot, win):
    win.dashboard.what_if_button.click()
    w = _ext(win).window
    assert w is not None and w.isVisible()
    assert w.windowTitle() == "What if: new scenario" and w.band.isVisible()
    w.close()
    page = win.open_step("usmle.step2ck")
    page.what_if_button.click()
    w = _ext(win).window
    assert w.form_key == "usmle.step2ck"
    w.close()
    _ext(win).open_action.trigger()
    assert _ext(win).window.isVisible()
    assert _ext(win).open_action in win.menu_view.actions()


def test_making_a_scenario_writes_nothing_and_shows_what_changes(qtbot, win):
    before = _snapshot(win.session)
    w = _ext(win).open("img")
    _h1b(qtbot, w)
    ids = {s.id for s in w.outcome.diff.steps}
    assert any(i.startswith("visa") for i in ids), ids
    assert "Visa" in w.diff_view.toPlainText() or "visa" in w.diff_view.toPlainText().lower()
    assert "→" in w.diff_view.toPlainText()
    assert w.windowTitle() == "What if: new scenario *"
    assert w.timeline.overlay or not w.outcome.diff.moved
    assert _snapshot(win.session) == before  # nothing written while editing


def test_naming_keeping_and_comparing_two_scenarios(qtbot, win):
    w = _ext(win).open("img")
    _h1b(qtbot, w)
    before = _snapshot(win.session)
    assert w.save_scenario("H-1B plan")
    assert w.windowTitle() == "What if: H-1B plan" and not w.is_dirty()
    assert [s.name for s in sc.list_scenarios(win.session.store, win.session.profile_id)] == ["H-1B plan"]
    assert not w.compare_button.isEnabled()  # two are needed
    # a second scenario: Texas instead of Pennsylvania
    w.scenario_box.setCurrentIndex(0)
    w.scenario_box.activated.emit(0)
    assert w.name is None and not w.changes()
    w.choose_step("img")
    _set_choice(w.form, "target_state", "TX")
    qtbot.waitUntil(lambda: bool(w.changes()) and w.outcome is not None, timeout=5000)
    assert w.save_scenario("TX plan")
    assert w.rename_scenario("Texas plan")
    assert w.compare_button.isEnabled()
    dlg = w.compare("H-1B plan", "Texas plan")
    diff = dlg.comparison.diff
    assert diff.steps and "H-1B plan" in dlg.view.toPlainText()
    assert _snapshot(win.session)["facts"] == before["facts"]  # kept, compared: the profile untouched
    assert w.delete_scenario(confirm=False)
    assert [s.name for s in sc.list_scenarios(win.session.store, win.session.profile_id)] == ["H-1B plan"]


def test_apply_is_undone_with_ctrl_z_and_equals_saving_by_hand(qtbot, win):
    session = win.session
    pid = session.profile_id
    original = session.store.step_facts(pid, "img")
    w = _ext(win).open("img")
    _h1b(qtbot, w)
    assert w.apply(confirm=False, name="H-1B plan")
    assert not w.isVisible()
    applied = session.store.step_facts(pid, "img")
    assert applied == {**original, "visa_need": "needs_h1b"}
    assert win.journeys.doc["facts"]["img"]["visa_need"] == "needs_h1b"  # every view follows
    assert "Ctrl+Z" in win.statusBar().currentMessage()
    ext = _ext(win)
    assert ext.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert ext.undo_action.isEnabled()
    win.tabs.setCurrentIndex(0)
    win.activateWindow()
    qtbot.keyClick(win, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    if ext.undo_action.isEnabled():  # no active window under offscreen: the shortcut's action itself
        ext.undo_action.trigger()
    assert session.store.step_facts(pid, "img") == original
    assert "Undone" in win.statusBar().currentMessage()
    # by hand: the step page, the same fact, Save
    page = win.open_step("img")
    _set_choice(page.form, "visa_need", "needs_h1b")
    assert page.save()
    assert session.store.step_facts(pid, "img") == applied


def test_escape_with_unsaved_edits_asks_before_discarding(qtbot, win, monkeypatch):
    w = _ext(win).open("img")
    _h1b(qtbot, w)
    asked = []
    answer = [QMessageBox.StandardButton.Cancel]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: (asked.append(a), answer[0])[1])
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert asked and w.isVisible()  # kept open
    answer[0] = QMessageBox.StandardButton.Discard
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not w.isVisible()
    # unchanged: closes without asking
    w2 = _ext(win).open("img")
    w2.close()
    assert len(asked) == 2 and not w2.isVisible()


def test_closing_the_main_window_asks_about_an_unsaved_scenario_first(qtbot, win, monkeypatch):
    w = _ext(win).open("img")
    _h1b(qtbot, w)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    win.close()
    assert win.isVisible() and w.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    win.close()
    assert not w.isVisible() and not win.isVisible()
