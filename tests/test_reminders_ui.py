"""The reminders panel (gui/reminders_ui.py): selection, undo, repeating tasks."""

import datetime as dt
from dataclasses import replace

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


def test_the_tray_does_not_notify_an_unchanged_do_it_now_action_again_the_next_day(qtbot, store):
    """A new IMG profile's ERAS token, NRMP registration and ECFMG application are "do it now":
    dated today by the engine on day N and again on day N+1. The notifier keys them by the stored
    first day, so the app running past midnight does not show them again; a reminder whose stage
    day comes on N+1 still notifies."""
    from types import SimpleNamespace

    from PySide6.QtWidgets import QMainWindow

    from gui.reminders_ui import TrayNotifier

    pid = store.create_profile("Amara", "img_physician", ["img"], {"img": {"match_year": 2027}})
    day_n, day_n1 = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
    win = QMainWindow()
    qtbot.addWidget(win)
    session = SimpleNamespace(today=day_n, store=store, profile_id=pid)
    tray = TrayNotifier(win, session, items=lambda: rem.sync(store, pid, session.today))
    tray.timer.stop()
    on_n = tray.pending()
    now_keys = {r.source_key for r in on_n if r.since is not None}
    assert "step:match.eras:get-token" in now_keys and len(now_keys) >= 3
    assert tray.check() == len(on_n)

    session.today = day_n1  # past midnight, the same run
    items = rem.sync(store, pid, day_n1)
    assert {r.source_key for r in items if r.since is not None and r.due == day_n1} >= now_keys
    assert [r.source_key for r in tray.pending(items) if r.source_key in now_keys] == []
    # a reminder firing for the first time on N+1 is still notified
    later = [r for r in items if r.since is None and not r.done and r.due > day_n1]
    assert later, "the profile has dated reminders ahead"
    staged = replace(later[0], stages=((later[0].due - day_n1).days,))
    assert [r.source_key for r in tray.pending([staged])] == [staged.source_key]


@pytest.mark.qt_log_ignore("systemTrayWindowChanged")  # a real tray icon on offscreen, which has no tray
def test_the_tray_does_not_show_again_after_a_restart_but_does_the_next_day(qtbot, data_dir, today, monkeypatch):
    """Three starts of the app over one data folder (each its own instance lock, session, main
    window and notifier; a desktop with a tray). The first start shows what is due; a second the
    same day shows nothing (the start-up banner still sums up); the next day's start shows what
    became due that day, and not the one shown before."""
    from PySide6.QtWidgets import QSystemTrayIcon

    from core.instance_lock import InstanceLock
    from core.paths import data_paths
    from gui.main_window import MainWindow
    from gui.shell import open_session

    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    first = open_session(data_dir, today, demo=False)
    pid = first.store.create_profile("Sam", "other", ["pals"], {})
    first.switch(pid)
    rem.add_task(first.store, pid, "Call the training center", today, stages=[0])
    rem.add_task(first.store, pid, "Check the HeartCode key", today + dt.timedelta(days=1), stages=[0])
    first.store.db.close()

    def start(day):
        """One run of the app until its start-up check has run: what its tray showed."""
        lock = InstanceLock(data_paths(data_dir).root).acquire()
        session = open_session(data_dir, day, demo=False)
        session.switch(pid)
        win = MainWindow(session)
        qtbot.addWidget(win)
        assert win.reminders_notifier.tray is not None  # a real tray icon
        shown = []
        win.reminders_notifier.shown.connect(lambda items: shown.extend(r.title for r in items))
        win.show()
        qtbot.waitUntil(lambda: win.dashboard.banner.isVisible(), timeout=10_000)  # the start-up check ran
        assert win.reminders_notifier.check() == 0  # and its timer's next check shows nothing either
        win.close()
        session.store.db.close()
        lock.release()
        return shown

    assert start(today) == ["Call the training center"]
    assert start(today) == []  # restarted the same day
    assert start(today + dt.timedelta(days=1)) == ["Check the HeartCode key"]
    assert start(today + dt.timedelta(days=1)) == []


@pytest.mark.qt_log_ignore("systemTrayWindowChanged")  # a real tray icon on offscreen, which has no tray
def test_the_tray_shows_each_once_per_run_when_the_data_is_read_only(qtbot, data_dir, today, monkeypatch):
    """A read-only data folder cannot keep what was shown: the run still shows each reminder once."""
    from types import SimpleNamespace

    from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

    from core.db import Database, connect_ro, open_database
    from core.paths import data_paths
    from core.store import Store
    from gui.reminders_ui import TrayNotifier

    path = data_paths(data_dir).ensure().db
    store = Store(open_database(path))
    pid = store.create_profile("Sam", "other", ["pals"], {})
    rem.add_task(store, pid, "Call the training center", today, stages=[0])
    items = rem.sync(store, pid, today)
    store.db.close()
    ro = Store(Database(connect_ro(path), path, readonly=True))
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    win = QMainWindow()
    qtbot.addWidget(win)
    tray = TrayNotifier(win, SimpleNamespace(today=today, store=ro, profile_id=pid), items=lambda: items)
    tray.timer.stop()
    shown = []
    tray.shown.connect(lambda new: shown.extend(r.title for r in new))
    assert tray.check() == 1 and tray.check() == 0
    assert shown == ["Call the training center"]
    ro.db.close()
