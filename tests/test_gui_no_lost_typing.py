"""Nothing typed is lost silently: onboarding, the walk-through and the main window ask before
they throw typing away, and say it when they keep it."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.onboarding import PAGE_WHO, OnboardingWizard
from gui.shell import open_session
from gui.walkthrough import WalkthroughWizard


def answer_later(choice: str, seen: list) -> None:
    """Click `choice` ("discard" or "keep_editing") in the question once it shows."""
    def poll() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.objectName() == "ask_discard" and w.isVisible():
                seen.append(w.text())
                _click(w, choice)
                return
        QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


def _click(box: QMessageBox, choice: str) -> None:
    for b in box.buttons():
        if b.objectName() == choice:
            b.click()
            return
    raise AssertionError(choice)


def _onboarding(qtbot, session) -> OnboardingWizard:
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.next()
    assert wiz.currentId() == PAGE_WHO
    qtbot.keyClicks(wiz.who.name, "Amara Okafor")
    return wiz


def test_escape_in_onboarding_asks_and_keep_editing_keeps_the_typing(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    wiz = _onboarding(qtbot, session)
    seen: list = []
    answer_later("keep_editing", seen)
    qtbot.keyClick(wiz, Qt.Key.Key_Escape)
    assert seen == ["Discard this new profile?"]
    assert wiz.isVisible() and wiz.result() == 0
    assert wiz.who.name.text() == "Amara Okafor"
    # the window's close button asks too; Discard closes it and creates nothing
    answer_later("discard", seen)
    wiz.close()
    assert len(seen) == 2 and not wiz.isVisible()
    assert session.store.list_profiles() == []


def test_onboarding_with_nothing_typed_closes_without_a_question(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.reject()  # on the welcome page: nothing to lose
    assert not wiz.isVisible()


def _profile(session):
    pid = session.store.create_profile("Amara", "img_physician", ["img"], {})
    session.switch(pid)
    return pid


def test_walkthrough_close_saves_valid_typing_and_says_so(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    pid = _profile(session)
    wiz = WalkthroughWizard(session, "img")
    qtbot.addWidget(wiz)
    kept: list = []
    wiz.kept_on_close.connect(kept.append)
    wiz.show()
    view = wiz.current_view()
    view.form.editor("school_name").setText("Example Faculty")
    qtbot.keyClick(wiz, Qt.Key.Key_Escape)
    assert not wiz.isVisible()
    assert kept == [view.title]
    assert session.store.step_facts(pid, view.key)["school_name"] == "Example Faculty"


def test_walkthrough_close_with_an_invalid_field_asks(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    pid = _profile(session)
    wiz = WalkthroughWizard(session, "img")
    qtbot.addWidget(wiz)
    wiz.show()
    view = wiz.current_view()
    view.form.editor("graduation_date").setText("2024-13-40")
    seen: list = []
    answer_later("keep_editing", seen)
    wiz.reject()
    assert seen and wiz.isVisible()
    assert view.form.editor("graduation_date").text() == "2024-13-40"
    answer_later("discard", seen)
    wiz.reject()
    assert len(seen) == 2 and not wiz.isVisible()
    assert "graduation_date" not in session.store.step_facts(pid, view.key)


def test_quitting_with_an_invalid_field_asks_and_keep_editing_stays_open(qtbot, data_dir, today):
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    pid = _profile(session)
    win = MainWindow(session)
    qtbot.addWidget(win)
    win.show()
    page = win.open_step("ecfmg.school")
    page.form.editor("graduation_date").setText("2026-02-30")
    seen: list = []
    answer_later("keep_editing", seen)
    win.close()
    assert seen and win.isVisible()
    answer_later("discard", seen)
    win.close()
    assert len(seen) == 2 and not win.isVisible()
    assert "graduation_date" not in session.store.step_facts(pid, "ecfmg.school")


def test_onboarding_role_follows_the_journey_until_the_user_picks_one(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    who = wiz.who
    assert who.role.currentData() == "img_physician"
    buttons = {b.objectName(): b for b in who.journey_group.buttons()}
    buttons["journey_cards"].setChecked(True)
    assert who.role.currentData() != "img_physician"
    buttons["journey_both"].setChecked(True)
    assert who.role.currentData() == "img_physician"
    who.role.activated.emit(who.role.findData("nurse_picu"))  # the user's own choice
    who.role.setCurrentIndex(who.role.findData("nurse_picu"))
    buttons["journey_cards"].setChecked(True)
    assert who.role.currentData() == "nurse_picu"


def test_each_walkthrough_page_focuses_its_first_field(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    _profile(session)
    wiz = WalkthroughWizard(session, "img")
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.activateWindow()
    qtbot.waitUntil(wiz.isActiveWindow)
    first = wiz.current_view().form.first_widget()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is first)
    wiz.current_view().form.editor("school_name").setText("Example Faculty")
    wiz.next()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is wiz.current_view().form.first_widget())
