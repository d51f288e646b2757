"""The app shell: first run on an empty folder, by keyboard alone; restart; demo isolation."""

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from gui.onboarding import PAGE_SUMMARY, PAGE_WHO, OnboardingWizard
from gui.shell import open_session


def _press(qtbot, widget, key):
    qtbot.keyClick(widget, key)


def test_first_run_wizard_by_keyboard_then_restart(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    assert session.profile_id is None and session.profiles() == []
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.activateWindow()
    qtbot.waitUntil(wiz.isActiveWindow)
    # Welcome -> Who: Enter presses the default button (Next)
    _press(qtbot, wiz, Qt.Key.Key_Return)
    assert wiz.currentId() == PAGE_WHO
    # Next must be disabled while the required name is empty
    assert not wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    wiz.who.name.setFocus()
    qtbot.keyClicks(wiz.who.name, "Amara Okafor")
    assert wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    # choose "Both" with the keyboard: Tab into the radio group, arrows move and select
    qtbot.keyClick(wiz.who.name, Qt.Key.Key_Tab)
    assert wiz.focusWidget().objectName() == "journey_img"
    qtbot.keyClick(wiz.focusWidget(), Qt.Key.Key_Down)
    qtbot.keyClick(wiz.focusWidget(), Qt.Key.Key_Down)
    assert wiz.who.journey() == "both"
    assert wiz.focusWidget().objectName() == "journey_both"
    # Role: Tab to the combo box, pick by typing
    qtbot.keyClick(wiz.focusWidget(), Qt.Key.Key_Tab)
    assert wiz.focusWidget() is wiz.who.role
    qtbot.keyClick(wiz.who.role, Qt.Key.Key_Down)  # International medical graduate -> Pediatrician
    qtbot.keyClick(wiz.who.role, Qt.Key.Key_Down)  # -> Pediatric resident
    assert wiz.who.role.currentData() == "pediatric_resident"
    _press(qtbot, wiz, Qt.Key.Key_Return)
    # "Both": the IMG facts (all optional), then the cards with the role's typical set ticked
    assert wiz.currentId() == wiz.page_id("img")
    _press(qtbot, wiz, Qt.Key.Key_Return)
    assert wiz.currentId() == wiz.page_id("cards")
    assert wiz.group_pages["cards"].cards() == ["bls", "pals"]
    _press(qtbot, wiz, Qt.Key.Key_Return)
    assert wiz.currentId() == PAGE_SUMMARY
    with qtbot.waitSignal(wiz.accepted, timeout=2000):
        _press(qtbot, wiz, Qt.Key.Key_Return)  # Finish
    pid = wiz.created_id
    assert pid is not None
    session.store.db.close()

    again = open_session(data_dir, today, demo=False)
    assert again.profile_id == pid
    p = again.store.profile(pid)
    assert p["name"] == "Amara Okafor"
    assert p["role"] == "pediatric_resident"
    assert p["tracks"] == ["img", "bls", "pals"]
    again.store.db.close()


def test_main_window_restores_its_geometry(qtbot, data_dir, today):
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    session.switch(session.store.create_profile("A", "other", []))
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.resize(700, 500)  # the offscreen screen is 800x600; restoreGeometry clamps to it
    win.move(40, 30)
    win.close()
    session.store.db.close()
    session = open_session(data_dir, today, demo=False)
    win2 = MainWindow(session)
    qtbot.addWidget(win2)
    assert (win2.width(), win2.height()) == (700, 500)
    win2.close()
    session.store.db.close()


def test_demo_never_writes_to_the_real_data_folder(qtbot, tmp_path, monkeypatch, _isolated_home):
    from gui.app import main

    real = tmp_path / "real-data"
    monkeypatch.setenv("CERTPATH_DATA_DIR", str(real))
    shot = tmp_path / "shot.png"
    assert main(["--demo", "--screenshot", str(shot), "--today", "2026-11-21"]) == 0
    assert shot.stat().st_size > 1000
    assert not real.exists()
    # nor anywhere under the (fake) home folder
    written = [p for p in _isolated_home.rglob("*") if p.is_file()]
    assert written == [], written


def test_data_dir_option_and_env(qtbot, tmp_path, monkeypatch):
    from gui.app import main

    env_dir = tmp_path / "env-data"
    monkeypatch.setenv("CERTPATH_DATA_DIR", str(env_dir))
    cli_dir = tmp_path / "cli-data"
    # --data-dir wins over the environment; an empty folder with --screenshot still needs a
    # profile, so make one first through core
    from core.db import open_database
    from core.store import Store

    cli_dir.mkdir()
    db = open_database(cli_dir / "certpath.sqlite3")
    Store(db).create_profile("X", "other", [])
    db.close()
    assert main(["--data-dir", str(cli_dir), "--screenshot", str(tmp_path / "s.png")]) == 0
    assert not env_dir.exists()


def test_version_and_help_do_not_need_qt():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c",
                          "import sys; from gui.app import main\n"
                          "try: main(['--version'])\n"
                          "except SystemExit: pass\n"
                          "print('PySide6' in sys.modules)"],
                         capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.stdout.startswith("CertPath 0.")
    assert out.stdout.strip().endswith("False")


def test_starting_the_app_makes_the_daily_backup(qtbot, tmp_path):
    from core.db import open_database
    from core.store import Store
    from gui.app import main

    data = tmp_path / "data"
    data.mkdir()
    db = open_database(data / "certpath.sqlite3")
    Store(db).create_profile("X", "other", [])
    db.close()
    assert main(["--data-dir", str(data), "--screenshot", str(tmp_path / "s.png"), "--today", "2026-11-21"]) == 0
    backups = [p for p in (data / "backups").rglob("*") if p.is_file()]
    assert len(backups) == 1, backups
    # at most one a day
    assert main(["--data-dir", str(data), "--screenshot", str(tmp_path / "s.png"), "--today", "2026-11-21"]) == 0
    assert len([p for p in (data / "backups").rglob("*") if p.is_file()]) == 1


def test_what_the_first_screen_does_not_show_waits_for_the_first_paint(qtbot, demo_session, monkeypatch):
    """The app's start-up (MainWindow(defer_extensions=True), gui/shell.py's daily backup): the
    extensions are attached, and other deferred work runs, just after the window's first paint,
    not on the first turn of the event loop (which came before the paint and delayed it)."""
    from PySide6.QtCore import QEvent, QObject

    from gui import extensions
    from gui.main_window import MainWindow

    order: list[str] = []
    attach_all = extensions.attach_all
    monkeypatch.setattr(extensions, "attach_all", lambda w: (order.append("attach"), attach_all(w))[1])

    class FirstPaint(QObject):
        def eventFilter(self, obj, ev):  # noqa: N802
            if ev.type() == QEvent.Type.Paint and "paint" not in order:
                order.append("paint")
            return False

    w = MainWindow(demo_session, defer_extensions=True)
    qtbot.addWidget(w)
    probe = FirstPaint(w)
    w.installEventFilter(probe)
    w.call_after_first_paint(lambda: order.append("backup"))
    qtbot.wait(50)  # event loop turns before the window is shown: nothing runs yet
    assert order == [] and not w.extensions_attached
    w.resize(1280, 800)
    w.show()
    qtbot.waitUntil(lambda: "backup" in order)
    assert order == ["paint", "attach", "backup"]
    assert w.extensions_attached and w.panel("Documents") is not None  # the panels are there
    w.call_after_first_paint(lambda: order.append("later"))  # once painted: soon, not never
    qtbot.waitUntil(lambda: "later" in order)
    w.close()


def test_f1_and_ctrl_k_work_right_after_start_before_any_menu_is_opened(qtbot, demo_session):
    """Start-up makes the Help ▸ User guide action without importing gui.guide (and attaches the
    search extension after the first paint): the keys must still work at once, with no menu
    ever opened, through the shortcut map as a user presses them."""
    from gui.main_window import MainWindow

    w = MainWindow(demo_session, defer_extensions=True)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(lambda: w.extensions_attached)
    qtbot.waitExposed(w)
    w.navigator.setFocus()
    assert getattr(w, "_guide_window", None) is None
    qtbot.keyClick(w.navigator, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(w, "_guide_window", None) is not None and w._guide_window.isVisible())
    w._guide_window.close()
    w.activateWindow()
    w.navigator.setFocus()
    qtbot.keyClick(w.navigator, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(w, "search_popup", None) is not None and w.search_popup.isVisible())
    w.search_popup.close()
    w.close()
