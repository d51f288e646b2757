"""The start-up summary of overdue and due items is a non-modal banner on the dashboard (not a
box to click away at every start), with the reminders panel's counts; "1 day", never "1 days"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QApplication, QMessageBox

from core import reminders as rem
from gui.reminders_ui import _when, current_reminders, show_startup_summary
from gui.shell import open_session


def _window(qtbot, data_dir, today):
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Dana", "nurse_picu", ["pals"],
                                       {"pals.card": {"issue_date": "2024-10-01"}})  # expires soon
    session.switch(pid)
    rem.add_task(session.store, pid, "Call the training center", today - dt.timedelta(days=2))
    rem.add_task(session.store, pid, "Check the HeartCode key", today + dt.timedelta(days=3))
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    return session, win


def test_the_summary_is_a_banner_on_the_dashboard_with_the_panels_counts(qtbot, data_dir, today):
    session, win = _window(qtbot, data_dir, today)
    opened = []
    s = show_startup_summary(win, session, open_panel=lambda: opened.append(True))
    banner = win.dashboard.banner
    assert banner.isVisible()
    # no box to click away (another test's leftover dialog may be open: only ours count)
    assert not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())
    items = current_reminders(session, win.journeys)
    same = rem.summary(items, session.today)
    assert (len(s.overdue), len(s.this_week)) == (len(same.overdue), len(same.this_week))
    assert len(s.overdue) >= 1 and len(s.this_week) >= 1
    text = banner.label.text()
    assert f"{len(same.overdue)} overdue" in text and f"{len(same.this_week)} due this week" in text
    assert banner.kind == "warning"  # something is overdue
    banner.action.click()
    assert opened == [True]
    banner.dismiss.click()
    assert not banner.isVisible()


def test_no_banner_when_nothing_is_due(qtbot, data_dir, today):
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    session.switch(session.store.create_profile("Sam", "other", ["pals"], {}))
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    assert show_startup_summary(win, session).empty
    assert not win.dashboard.banner.isVisible()


def test_one_day_is_singular():
    today = dt.date(2026, 11, 21)
    r = rem.Reminder("task:1", "x", today - dt.timedelta(days=1), rem.TASK)
    assert _when(r, today) == "yesterday"
    assert _when(rem.Reminder("task:1", "x", today - dt.timedelta(days=2), rem.TASK), today) == "2 days ago"
    s = rem.summary([rem.Reminder("task:2", "Renew", today + dt.timedelta(days=1), rem.TASK)], today)
    assert "1 due this week" in s.headline(today) and "1 days" not in s.headline(today)


def test_the_window_title_says_demo_once():
    from gui.main_window import window_title

    assert window_title("Dana Reyes, RN (demo)", True) == "CertPath: Dana Reyes, RN (demo)"
    assert window_title("Amara", True) == "CertPath: Amara (demo)"
    assert window_title("Amara (demo)", False) == "CertPath: Amara (demo)"
    assert window_title("Amara", False) == "CertPath: Amara"
