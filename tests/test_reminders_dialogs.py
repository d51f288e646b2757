"""File ▸ Export CSV names its tables in words (the ids stay the values); a new reminder with an
empty "What" says so under the field and stays open, without a message box."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QFileDialog, QInputDialog

from core.exports import KINDS, export_csv, kind_label
from gui.reminders_ui import TaskDialog, export_csv_dialog
from gui.shell import load_demo, open_session

TODAY = dt.date(2026, 12, 1)


def test_export_csv_offers_the_tables_in_words_and_exports_the_one_chosen(qtbot, data_dir, no_modal, shown_window,
                                                                         monkeypatch, tmp_path):
    session = open_session(data_dir, TODAY, demo=False)
    load_demo(session.store, TODAY)
    session.choose_default_profile()
    win = shown_window(session)
    offered = []

    def choose(_parent, _title, _label, items, *_a, **_k):
        offered.extend(items)
        return "Dates and deadlines", True

    out = tmp_path / "x.csv"
    monkeypatch.setattr(QInputDialog, "getItem", choose)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    assert export_csv_dialog(win, session) == str(out)
    assert offered == ["Steps and their status", "Dates and deadlines", "Documents", "Costs"]
    assert not set(offered) & set(KINDS)  # no raw id shown
    assert out.read_bytes() == export_csv("deadlines", session.store, session.profile_id, TODAY,
                                          paths=session.paths).encode("utf-8")


def test_every_export_table_has_words():
    assert all(kind_label(k) and "export.kind" not in kind_label(k) for k in KINDS)


def test_an_empty_what_is_said_under_the_field_and_the_dialog_stays_open(qtbot, no_modal):
    dlg = TaskDialog(None, TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg._ok()
    assert dlg.isVisible() and dlg.result() == 0
    assert dlg.title_error.isVisible() and dlg.title_error.text() == "⚠ Say what to do."
    qtbot.keyClicks(dlg.title, "Check MyIntealth")  # typing clears it
    assert not dlg.title_error.isVisible()
    dlg._ok()
    assert dlg.result() == 1


def test_bad_remind_days_are_said_under_the_field_and_the_dialog_stays_open(qtbot, no_modal):
    dlg = TaskDialog(None, TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.title, "Check MyIntealth")
    dlg.stages.setText("30, soon")
    dlg._ok()  # no modal box (no_modal fails the test on one): the problem is said under the field
    assert dlg.isVisible() and dlg.result() == 0
    assert dlg.stages_error.isVisible() and "'soon'" in dlg.stages_error.text()
    assert dlg.focusWidget() is dlg.stages and dlg.stages.selectedText() == "30, soon"
    qtbot.keyClicks(dlg.stages, "7")  # typing clears it
    assert not dlg.stages_error.isVisible()
    dlg._ok()
    assert dlg.result() == 1
