"""Regression tests for what the fourth QA pass found by driving the reminders and costs panels and
the rules dialog: the selection jumping to the first row after an action (the next Done or Delete
then hits another item), no Undo for done or snooze, a repeating task that did not say so, the
Costs Delete button deleting without asking, and the rules dialog's cut ids and Tab trap."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from core import reminders as rem
from gui.shell import load_demo, open_session


@pytest.fixture
def session(data_dir, today):
    s = open_session(data_dir, today, demo=False)
    load_demo(s.store, today)
    s.choose_default_profile()
    yield s
    s.store.db.close()


def _reminders(qtbot, session):
    from gui.reminders_ui import RemindersPanel

    p = RemindersPanel(session)
    qtbot.addWidget(p)
    return p


def _row(p, title):
    return next(i for i in range(p.table.rowCount()) if p.table.item(i, 2).text().startswith(title))


def test_reminder_selection_stays_on_the_item_after_snooze_and_stages(qtbot, session, today):
    p = _reminders(qtbot, session)
    rem.add_task(session.store, session.profile_id, "Check MyIntealth", today + dt.timedelta(days=20))
    p.refresh()
    i = _row(p, "Check MyIntealth")
    assert i > 0
    p.table.selectRow(i)
    p.snooze_selected()
    assert p.selected().title == "Check MyIntealth"  # was: the first row, so a second Done hit another item
    assert p.selected().snoozed(today)


def test_done_then_the_next_row_is_selected_not_the_first(qtbot, session, today):
    p = _reminders(qtbot, session)
    i = 2
    p.table.selectRow(i)
    below = p.table.item(i + 1, 2).text()
    p.done_selected()
    assert p.table.item(p.table.currentRow(), 2).text() == below


def test_undo_reverts_done_and_snooze(qtbot, session, today):
    p = _reminders(qtbot, session)
    p.table.selectRow(0)
    first = p.selected()
    p.done_selected()  # hidden now ("Show done" off)
    assert all(r.id != first.id for r in p.items if not r.done)
    assert p.btn_undo.isEnabled()
    p.undo_selected()
    back = next(r for r in p.items if r.id == first.id)
    assert not back.done and p.selected().id == first.id
    p.snooze_selected()
    assert p.selected().snoozed(today) and p.btn_undo.isEnabled()
    p.undo_selected()
    assert not p.selected().snoozed(today)
    p.show_done.setChecked(True)  # a done row picked later can be undone too
    p.done_selected()
    p.table.selectRow(0)
    p.table.selectRow(_row(p, first.title))
    assert p.btn_undo.isEnabled()


def test_a_repeating_task_says_it_repeats_and_moves_on_when_done(qtbot, session, today):
    p = _reminders(qtbot, session)
    rem.add_task(session.store, session.profile_id, "Check MyIntealth", today + dt.timedelta(days=2),
                 repeat_days=14, stages="30, 7, 1")
    p.refresh()
    i = _row(p, "Check MyIntealth")
    assert "every 14 days" in p.table.item(i, 4).text()
    p.table.selectRow(i)
    p.done_selected()
    assert p.selected().due == today + dt.timedelta(days=14)
    assert not p.btn_undo.isEnabled()  # it is not done, it moved on


def _costs(qtbot, session):
    from gui.costs_ui import CostsPanel

    p = CostsPanel(session)
    qtbot.addWidget(p)
    return p


def test_costs_delete_button_asks_first(qtbot, session, today, monkeypatch):
    from core.costs import Ledger

    Ledger(session.store).add(session.profile_id, "usmle.step1", 100000, "USD", date=today)
    p = _costs(qtbot, session)
    p.table.selectRow(0)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No))
    p.btn_delete.click()  # clicked(False) used to arrive as confirm=False
    assert asked and len(p.costs) == 1


def test_costs_selection_stays_on_the_edited_and_the_added_cost(qtbot, session, today, monkeypatch):
    from core.costs import Ledger
    from gui import costs_ui

    led = Ledger(session.store)
    for amt in (100, 200, 300):
        led.add(session.profile_id, "usmle.step1", amt * 100, "EUR", date=today + dt.timedelta(days=amt))
    p = _costs(qtbot, session)
    p.table.selectRow(2)
    target = p.selected().id

    class Accept(costs_ui.CostDialog):
        def exec(self):
            self.amount.setText("350")
            return True

    monkeypatch.setattr(costs_ui, "CostDialog", Accept)
    p.edit_selected()
    assert p.selected().id == target and p.selected().amount_cents == 35000
    p.table.selectRow(0)
    p.suggestions.setCurrentItem(p.suggestions.topLevelItem(0))
    p.use_suggestion()
    assert p.selected().note.startswith("From fee.")


def test_rules_dialog_ids_have_a_tooltip_and_tab_leaves_the_table(qtbot, today):
    from gui.rules_dialog import RulesDialog

    d = RulesDialog(today)
    qtbot.addWidget(d)
    d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    assert d.table.item(0, 0).toolTip() == d.table.item(0, 0).text()
    d.table.setFocus()
    d.table.setCurrentCell(0, 0)
    qtbot.keyClick(d.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.detail
