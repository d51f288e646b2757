"""The main window's panels are built on first show; shortcuts are unique; labels are never cut."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from gui.shell import open_session


@pytest.fixture
def win(qtbot, data_dir, today, shown_window):
    from gui.shell import load_demo

    session = open_session(data_dir, today, demo=False)
    load_demo(session.store, today)
    session.choose_default_profile()
    return shown_window(session)


def test_panels_are_built_when_first_shown(qtbot, win):
    for title in ("Documents", "Reminders", "Costs"):
        assert not win.panel_built(title)
    assert [win.tabs.tabText(i) for i in range(win.tabs.count())][2:5] == ["Documents", "Reminders", "Costs"]  # then Team and others
    win.profile_changed.emit()  # refreshes skip the panels not built yet
    assert not win.panel_built("Costs")
    win.tabs.setCurrentIndex(3)  # the tab bar, a click or Ctrl+Tab
    assert win.panel_built("Reminders")
    assert win.tabs.currentWidget() is win.reminders_panel
    assert win.tabs.tabText(3) == "Reminders"
    act = next(a for a in win._panel_actions if a.text().replace("&", "") == "Documents")
    act.trigger()
    assert win.tabs.currentWidget() is win.documents_panel
    assert win.build_all_panels() == []
    assert win.tabs.indexOf(win.costs_panel) == 4
    win.profile_changed.emit()  # built panels refresh


def test_a_panel_that_fails_says_so(qtbot, win):
    def broken():
        raise RuntimeError("boom")

    win.add_panel("Broken", broken)
    assert win.build_all_panels() == ["Broken"]
    assert "could not start" in win.statusBar().currentMessage()
    assert isinstance(win.panel("Broken"), QLabel)


def test_shortcuts_are_unique_and_reach_the_panels(qtbot, win):
    seen: dict[str, str] = {}
    for a in win.findChildren(QAction):
        for seq in a.shortcuts():
            key = seq.toString(QKeySequence.SequenceFormat.PortableText)
            assert key not in seen, f"{key} is used by {seen[key]!r} and {a.text()!r}"
            seen[key] = a.text()
    assert "Ctrl+Shift+R" in seen and "Reminders" in seen["Ctrl+Shift+R"].replace("&", "")
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert win.panel_built("Reminders")
    assert win.tabs.currentWidget() is win.reminders_panel


def test_dashboard_text_is_never_cut(qtbot, win):
    qtbot.wait(50)
    d = win.dashboard
    for lab in (d.blocks_label, d.actions_label, d.deadlines_label):
        assert lab.height() >= lab.heightForWidth(lab.width())
    win.resize(1024, 700)
    qtbot.wait(50)
    for lab in (d.blocks_label, d.actions_label, d.deadlines_label):
        assert lab.height() >= lab.heightForWidth(lab.width())


@pytest.mark.parametrize("step_id", ["ecfmg.school", "pals.enroll"])
def test_a_fields_help_under_it_is_never_cut(qtbot, win, step_id):
    """A field's help line is as tall as its text: in the form a plain wrapped QLabel was given
    the height of one line fewer (the school page's 'Canadian graduates from 2026 on need ECFMG
    certification (the LCME change).' showed two of its three lines at 1280x800)."""
    from gui.step_form import StepForm

    win.open_step(step_id)
    qtbot.wait(50)
    form = next(f for f in win.findChildren(StepForm) if f.isVisible())
    helps = [lab for lab in form.findChildren(QLabel)
             if lab.isVisible() and lab.wordWrap() and lab.text() and lab.toolTip() == ""]
    assert helps
    for lab in helps:
        assert lab.height() >= lab.heightForWidth(lab.width()), lab.text()


def test_an_entrys_dates_show_in_full_beside_a_short_label(qtbot, win):
    """The entries of a repeatable field (ERAS documents) span the form: beside the short label
    'Documents:' an entry's three inputs shared the field column and its upload date read '08-20'."""
    from gui.date_edit import DateEdit
    from gui.step_form import RecordsEditor

    win.open_step("match.eras")
    qtbot.wait(50)
    rec = next(r for r in win.findChildren(RecordsEditor) if r.isVisible())
    dates = [d for d in rec.findChildren(DateEdit) if d.isVisible() and d.text()]
    assert dates
    for d in dates:  # the text and the calendar button (about as wide as the field is tall)
        assert d.width() >= d.fontMetrics().horizontalAdvance(d.text()) + d.height(), d.text()
