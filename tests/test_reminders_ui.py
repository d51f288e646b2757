"""The reminders panel (gui/reminders_ui.py): selection, undo, repeating tasks."""

import datetime as dt

import pytest

from core import reminders as rem


@pytest.fixture
def session(demo_session):  # tests/conftest.py
    return demo_session


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
