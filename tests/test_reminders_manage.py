"""Reminders you can manage: edit (Enter or double-click), delete with Undo (Ctrl+Z and a toast)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from core import reminders as rem
from gui.reminders_ui import RemindersPanel, TaskDialog
from gui.shell import open_session


def _session(data_dir, today):
    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Dana", "nurse_picu", ["pals"],
                                       {"pals.card": {"issue_date": "2025-03-10"}})  # a card that expires
    session.switch(pid)
    return session, pid


def test_update_task_changes_it_and_a_moved_date_clears_done(data_dir, today):
    session, pid = _session(data_dir, today)
    rid = rem.add_task(session.store, pid, "Check MyIntealth", today + dt.timedelta(days=3))
    rem.mark_done(session.store, rid, today)
    rem.update_task(session.store, rid, title="Check MyIntealth inbox", due=today + dt.timedelta(days=10),
                    repeat_days=14, stages="7, 1", today=today)
    r = next(x for x in rem.current(session.store, pid, today) if x.id == rid)
    assert (r.title, r.due, r.repeat_days, r.stages, r.done) == (
        "Check MyIntealth inbox", today + dt.timedelta(days=10), 14, (7, 1), False)
    assert r.revision >= 1
    with pytest.raises(ValueError):
        rem.update_task(session.store, rid, title=" ", due=today, repeat_days=None, stages="1", today=today)
    computed = next(x for x in rem.sync(session.store, pid, today) if not x.user_task)
    with pytest.raises(ValueError):
        rem.update_task(session.store, computed.id, title="x", due=today, repeat_days=None, stages="1",
                        today=today)


def test_delete_then_restore_puts_back_the_same_reminder(data_dir, today):
    session, pid = _session(data_dir, today)
    rid = rem.add_task(session.store, pid, "Renew BLS", today + dt.timedelta(days=5), stages=(3, 1))
    before = next(x for x in rem.current(session.store, pid, today) if x.id == rid)
    row = rem.delete_task(session.store, rid)
    assert all(x.id != rid for x in rem.current(session.store, pid, today))
    assert rem.restore_task(session.store, row) == rid
    after = next(x for x in rem.current(session.store, pid, today) if x.id == rid)
    assert after == before


def _panel(qtbot, session) -> RemindersPanel:
    p = RemindersPanel(session)
    qtbot.addWidget(p)
    p.show()
    p.activateWindow()
    qtbot.waitUntil(p.isActiveWindow)
    return p


def _select(panel: RemindersPanel, rid: int) -> None:
    row = panel._row_of(rid)
    assert row is not None
    panel.table.setCurrentCell(row, 2)
    panel.table.selectRow(row)


def test_enter_on_your_reminder_opens_it_for_editing_and_saves_the_change(qtbot, data_dir, today):
    session, pid = _session(data_dir, today)
    rid = rem.add_task(session.store, pid, "Check MyIntealth", today + dt.timedelta(days=3))
    panel = _panel(qtbot, session)
    _select(panel, rid)
    seen = []

    def edit() -> None:
        w = QApplication.activeModalWidget()
        if not isinstance(w, TaskDialog):
            QTimer.singleShot(20, edit)
            return
        seen.append((w.windowTitle(), w.title.text(), w.due.text()))
        w.due.selectAll()
        qtbot.keyClicks(w.due, "2027-01-10")
        w.title.setText("Check MyIntealth messages")
        w._ok()
    QTimer.singleShot(0, edit)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert seen == [("Edit reminder", "Check MyIntealth", (today + dt.timedelta(days=3)).isoformat())]
    r = next(x for x in rem.current(session.store, pid, today) if x.id == rid)
    assert (r.title, r.due) == ("Check MyIntealth messages", dt.date(2027, 1, 10))
    assert panel.selected().id == rid


def test_delete_shows_a_toast_and_ctrl_z_brings_the_reminder_back(qtbot, data_dir, today):
    session, pid = _session(data_dir, today)
    rid = rem.add_task(session.store, pid, "Renew BLS", today + dt.timedelta(days=5))
    panel = _panel(qtbot, session)
    _select(panel, rid)
    panel.btn_delete.click()
    assert panel._row_of(rid) is None
    assert panel.toast.isVisible() and "Renew BLS" in panel.toast_label.text()
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel._row_of(rid) is not None and not panel.toast.isVisible()
    assert panel.selected().id == rid
    # the toast's own button does the same
    panel.btn_delete.click()
    panel.toast_undo.click()
    assert panel._row_of(rid) is not None
