"""Onboarding for an IMG and for a provider by keyboard alone; profiles: switch, rename, delete."""

from __future__ import annotations

import datetime as dt

import pytest
from mnemonics_util import clashes as _clashes
from mnemonics_util import screen_texts as _screen_texts
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWizard

from gui.onboarding import PAGE_SUMMARY, PAGE_WHO, OnboardingWizard
from gui.shell import open_session


def _start(qtbot, session) -> OnboardingWizard:
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.activateWindow()
    qtbot.waitUntil(wiz.isActiveWindow)
    qtbot.keyClick(wiz, Qt.Key.Key_Return)
    assert wiz.currentId() == PAGE_WHO
    wiz.who.name.setFocus()
    return wiz


def test_onboarding_img_by_keyboard(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    wiz = _start(qtbot, session)
    qtbot.keyClicks(wiz.who.name, "Amara Okafor")
    qtbot.keyClick(wiz, Qt.Key.Key_Return)  # IMG is the default journey
    assert wiz.currentId() == wiz.page_id("img")
    school = wiz.facts_pages["img"].forms["ecfmg.school"].editor("school_name")
    school.setFocus()
    qtbot.keyClicks(school, "Example Faculty")
    qtbot.keyClick(school, Qt.Key.Key_Tab)
    grad = wiz.facts_pages["img"].forms["ecfmg.school"].editor("graduation_date")
    assert wiz.focusWidget() is grad
    qtbot.keyClicks(grad, "2024-13-40")  # not a date: said beside the field, Next disabled
    qtbot.waitUntil(lambda: not wiz.button(QWizard.WizardButton.NextButton).isEnabled())
    assert not wiz.facts_pages["img"].forms["ecfmg.school"].editors["graduation_date"].error.isHidden()
    grad.selectAll()
    qtbot.keyClicks(grad, "2024-06-30")
    qtbot.waitUntil(lambda: wiz.button(QWizard.WizardButton.NextButton).isEnabled())
    visa = wiz.facts_pages["img"].forms["img"].editor("visa_need")
    visa.setFocus()
    qtbot.keyClick(visa, Qt.Key.Key_Up)  # choose by arrow keys
    qtbot.keyClick(wiz, Qt.Key.Key_Return)
    assert wiz.currentId() == PAGE_SUMMARY
    with qtbot.waitSignal(wiz.accepted, timeout=2000):
        qtbot.keyClick(wiz, Qt.Key.Key_Return)
    pid = wiz.created_id
    p = session.store.profile(pid)
    assert p["tracks"] == ["img"] and p["role"] == "img_physician"
    facts = session.store.facts(pid)
    assert facts["ecfmg.school"] == {"school_name": "Example Faculty", "graduation_date": "2024-06-30"}
    # issue 12: the default is the earliest Match someone starting from nothing can still reach,
    # computed from the rules (on 2026-11-21 ERAS 2027 has opened: 2028), no longer today.year + 1.
    from core.engine.img import TRACK_DEF
    assert facts["img"]["match_year"] == TRACK_DEF.onboarding_defaults(today)["img"]["match_year"] == 2028
    note = wiz.facts_pages["img"].note
    assert "2027 is possible only if" in note.text() and not note.isHidden()
    assert facts["img"]["visa_need"] == visa.currentData()
    session.store.db.close()


def test_onboarding_provider_by_keyboard_role_cards_prechecked(qtbot, data_dir, today):
    session = open_session(data_dir, today, demo=False)
    wiz = _start(qtbot, session)
    qtbot.keyClicks(wiz.who.name, "Dana Reyes")
    qtbot.keyClick(wiz.who.name, Qt.Key.Key_Tab)
    qtbot.keyClick(wiz.focusWidget(), Qt.Key.Key_Down)  # -> Provider cards
    assert wiz.who.journey() == "cards"
    qtbot.keyClick(wiz.focusWidget(), Qt.Key.Key_Tab)
    assert wiz.focusWidget() is wiz.who.role
    assert wiz.who.role.currentData() == "pediatrician"  # the role follows the journey: not the IMG's
    for _ in range(5):
        qtbot.keyClick(wiz.who.role, Qt.Key.Key_Down)
    assert wiz.who.role.currentData() == "nurse_nicu"
    qtbot.keyClick(wiz, Qt.Key.Key_Return)
    assert wiz.currentId() == wiz.page_id("cards")
    assert wiz.group_pages["cards"].cards() == ["bls", "nrp"]  # the role's typical set, from core.roles
    assert wiz.focusWidget() is wiz.group_pages["cards"].boxes["bls"]
    qtbot.keyClick(wiz.focusWidget(), Qt.Key.Key_Tab)
    assert wiz.focusWidget() is wiz.group_pages["cards"].boxes["pals"]
    qtbot.keyClick(wiz.focusWidget(), Qt.Key.Key_Space)
    assert wiz.group_pages["cards"].cards() == ["bls", "pals", "nrp"]
    qtbot.keyClick(wiz, Qt.Key.Key_Return)
    assert wiz.currentId() == PAGE_SUMMARY
    with qtbot.waitSignal(wiz.accepted, timeout=2000):
        qtbot.keyClick(wiz, Qt.Key.Key_Return)
    p = session.store.profile(wiz.created_id)
    assert p["tracks"] == ["bls", "pals", "nrp"] and p["role"] == "nurse_nicu"
    assert session.store.facts(wiz.created_id) == {}
    session.store.db.close()


def test_switching_profiles_shows_the_right_data_and_delete_leaves_others(qtbot, data_dir, today, monkeypatch):
    from gui import profiles_ui
    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    a = session.store.create_profile("Alice", "nurse_picu", ["pals"], {"pals.exam": {"exam_score": 91}})
    b = session.store.create_profile("Bob", "nurse_picu", ["pals"], {"pals.exam": {"exam_score": 77}})
    c = session.store.create_profile("Carol", "img_physician", ["img"], {"img": {"match_year": 2028}})
    session.switch(a)
    win = MainWindow(session)
    qtbot.addWidget(win)
    changes = []
    win.profile_changed.connect(lambda: changes.append(session.profile_id))
    assert win.dashboard.heading.text() == "Alice"
    assert win.open_step("pals.exam").form.editor("exam_score").text() == "91"
    win.switch_profile(b)
    assert changes == [b]
    assert win.dashboard.heading.text() == "Bob"
    assert win.open_step("pals.exam").form.editor("exam_score").text() == "77"
    win.switch_profile(c)
    assert win.navigator.item_for("pals.exam") is None and win.navigator.item_for("usmle.step1") is not None
    assert win.open_step("img").form.editor("match_year").text() == "2028"
    # rename, then delete Bob (after confirming); Alice and Carol keep their data
    monkeypatch.setattr(profiles_ui, "ask_name", lambda *a, **k: "Carol O.")
    win.rename_profile()
    assert session.store.profile(c)["name"] == "Carol O."
    win.switch_profile(b)
    monkeypatch.setattr(profiles_ui, "confirm_delete", lambda *a, **k: False)
    win.delete_profile()
    assert [p["id"] for p in session.profiles()] == [a, b, c]
    monkeypatch.setattr(profiles_ui, "confirm_delete", lambda *a, **k: True)
    win.delete_profile()
    assert [p["id"] for p in session.profiles()] == [a, c]
    assert session.store.step_facts(a, "pals.exam") == {"exam_score": 91}
    assert session.store.step_facts(c, "img") == {"match_year": 2028}
    assert session.profile_id == a and win.dashboard.heading.text() == "Alice"
    win.close()
    session.store.db.close()


def test_main_window_api_for_extensions(qtbot, data_dir, today):
    from PySide6.QtWidgets import QLabel

    from gui.main_window import MainWindow

    session = open_session(data_dir, today, demo=False)
    session.switch(session.store.create_profile("A", "nurse_picu", ["bls", "pals"]))
    win = MainWindow(session)
    qtbot.addWidget(win)
    for m in (win.menu_file, win.menu_view, win.menu_help):
        assert m.actions()
    panel = QLabel("hello")
    act = win.add_panel("&Hello", panel, "Ctrl+Shift+H")
    act.trigger()
    assert win.tabs.currentWidget() is panel
    assert win.current_step_id() is None
    win.navigator.select("pals.card")
    assert win.current_step_id() == "pals.card"
    assert win.tabs.currentWidget() is win.pages["pals.card"]
    win.dashboard.refresh()
    # the rules dialog lists every record and filters
    from gui.rules_dialog import RulesDialog

    dlg = RulesDialog(today, win)
    qtbot.addWidget(dlg)
    n = dlg.visible_count()
    dlg.filter.setText("pals")
    assert 0 < dlg.visible_count() < n
    dlg.confidence.setCurrentIndex(3)  # low
    assert all(dlg.rules[i].confidence == "low" for i in range(dlg.table.rowCount())
               if not dlg.table.isRowHidden(i))
    win.close()
    session.store.db.close()


def test_onboarding_says_a_match_year_can_no_longer_be_reached(qtbot, data_dir):
    import datetime as dt
    session = open_session(data_dir, dt.date(2026, 12, 1), demo=False)
    wiz = _start(qtbot, session)
    qtbot.keyClicks(wiz.who.name, "New IMG")
    qtbot.keyClick(wiz, Qt.Key.Key_Return)
    page = wiz.facts_pages["img"]
    year = page.forms["img"].editor("match_year")
    assert "2028 is the earliest" in page.note.text()
    year.setFocus()
    year.selectAll()
    qtbot.keyClicks(year, "2026")
    qtbot.waitUntil(lambda: "can no longer be reached" in page.note.text())  # on this page, before Finish
    year.selectAll()
    qtbot.keyClicks(year, "2027")
    qtbot.waitUntil(lambda: "possible only if" in page.note.text())
    QDialog.done(wiz, 0)  # close without the "Discard this new profile?" question (tested elsewhere)
    session.store.db.close()


def test_new_empty_img_profile_dashboard_says_start_here(qtbot, data_dir):
    import datetime as dt

    from gui.dashboard import Dashboard
    session = open_session(data_dir, dt.date(2026, 12, 1), demo=False)
    pid = session.store.create_profile("New IMG", "img_physician", ["img"])
    session.store.save_facts(pid, {"img": {"match_year": 2027}})  # the old default year, nothing else
    session.profile_id = pid
    dash = Dashboard(session)
    qtbot.addWidget(dash)
    dash.refresh(doc=session.document())
    assert dash.next_label.text().startswith("Start here")
    from gui import theme
    text = dash.blocks_label.text()
    assert "Start here" in text and "step:ecfmg.school" in text
    assert not any(theme.status_text(s) in text for s in ("at_risk", "blocked", "expired"))  # no alarms
    assert "overdue" not in dash.actions_label.text() + dash.deadlines_label.text()
    session.store.db.close()


@pytest.fixture
def win(img_window):  # tests/conftest.py
    return img_window


def test_deleting_a_profile_removes_its_documents_files_and_keeps_the_others(qtbot, win, tmp_path, monkeypatch):
    from core.vault import OK, Vault
    from gui import profiles_ui

    session = win.session
    keep = session.store.create_profile("Dana", "nurse_picu", ["pals"], {})
    gone = session.profile_id
    vault = Vault(session.store.db, session.paths)
    own, shared, other = (tmp_path / n for n in ("diploma.pdf", "shared.pdf", "ecard.pdf"))
    own.write_bytes(b"%PDF only Amara's diploma")
    shared.write_bytes(b"%PDF the same file in both profiles")
    other.write_bytes(b"%PDF only Dana's eCard")
    d_own = vault.attach(gone, "ecfmg.school", own, session.today).document
    vault.attach(gone, "ecfmg.school", shared, session.today)
    d_shared_keep = vault.attach(keep, "pals.card", shared, session.today).document
    d_other = vault.attach(keep, "pals.card", other, session.today).document
    viewer_copy = vault.open_path(d_own)
    assert viewer_copy.is_file()
    own_blob, shared_blob, other_blob = (vault.path_of(d) for d in (d_own, d_shared_keep, d_other))

    monkeypatch.setattr(profiles_ui, "confirm_delete", lambda *a, **k: True)
    win.delete_profile()

    assert [p["id"] for p in session.profiles()] == [keep] and session.profile_id == keep
    assert not own_blob.exists()  # before the fix the deleted profile's diploma stayed in vault/
    assert not viewer_copy.exists()  # and so did its copy for the viewer
    assert shared_blob.is_file() and other_blob.is_file()  # Dana's documents are untouched
    assert all(vault.verify(d) == OK for d in vault.list(keep))
    assert len(vault.list(keep)) == 2 and vault.orphans() == []


def test_delete_profile_uses_the_sessions_clock_with_no_grace(data_dir, today, tmp_path):
    """Files written just now go too (grace 0), judged by the session's clock, not by `today`."""
    from core.vault import Vault
    from gui.profiles_ui import delete_profile

    session = open_session(data_dir, dt.date(2020, 1, 1), demo=False)  # a session started on an old day
    a = session.store.create_profile("A", "img_physician", ["img"], {})
    session.store.create_profile("B", "img_physician", ["img"], {})
    src = tmp_path / "x.pdf"
    src.write_bytes(b"%PDF x")
    doc = Vault(session.store.db, session.paths).attach(a, "ecfmg.school", src, session.today).document
    blob = Vault(session.store.db, session.paths).path_of(doc)
    assert delete_profile(session, a) == 1 and not blob.exists()
    session.store.db.close()


def test_onboarding_name_label_does_not_take_the_next_buttons_mnemonic(qtbot, data_dir, today):
    from gui.onboarding import PAGE_WHO, OnboardingWizard

    session = open_session(data_dir, today, demo=False)
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.next()
    assert wiz.currentId() == PAGE_WHO
    assert _clashes(_screen_texts(wiz)) == {}  # was &Name: beside &Next >
    wiz.close()
    session.store.db.close()


def _session(data_dir, today, demo=False):
    return open_session(data_dir, today, demo=demo)


def test_onboarding_summary_shows_labels_not_ids(qtbot, data_dir, today):
    from gui.onboarding import PAGE_SUMMARY, OnboardingWizard

    session = _session(data_dir, today)
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    wiz.who.name.setText("Amara")
    tf = wiz.facts_pages["img"].forms["img"]
    for key, value in (("specialty", "pediatrics"), ("target_state", "NY"), ("visa_need", "needs_j1")):
        box = tf.editor(key)
        box.setCurrentIndex(box.findData(value))
    wiz.facts_pages["img"].forms["ecfmg.school"].editor("graduation_date").setText("2023-07-15")
    wiz.setStartId(PAGE_SUMMARY)
    wiz.restart()
    text = wiz.currentPage().label.text()
    assert "Pediatrics" in text and "New York" in text and "Needs a J-1" in text
    assert "needs_j1" not in text and ": NY" not in text and "pediatrics" not in text
    assert "Graduation date (expected or actual): 2023-07-15" in text
    session.store.db.close()


def test_onboarding_cards_note_does_not_mangle_the_role(qtbot, data_dir, today):
    from gui.onboarding import OnboardingWizard

    session = _session(data_dir, today)
    wiz = OnboardingWizard(session)
    qtbot.addWidget(wiz)
    wiz.who.role.setCurrentIndex(wiz.who.role.findData("nurse_picu"))
    wiz.group_pages["cards"].initializePage()
    note = wiz.group_pages["cards"].note.text()
    assert "picus" not in note.lower() and "Nurse: PICU" in note
    session.store.db.close()


def test_journeys_and_role_can_be_changed_after_the_wizard(qtbot, demo_session, shown_window, no_modal):
    """'You can change it later', the wizard says: File ▸ Journeys and role of this profile adds
    the IMG road to a provider's profile (navigator and dashboard follow); a journey taken away
    keeps its facts for when it is ticked again; no journey at all is refused in the dialog."""
    from gui.profiles_ui import JourneysDialog

    s = demo_session
    dana = next(p["id"] for p in s.store.list_profiles() if p["name"].startswith("Dana"))
    win = shown_window(s)
    win.switch_profile(dana)
    assert win.act_journeys.isEnabled()
    pals_facts = s.store.document(dana)["facts"]["pals.card"]

    dlg = JourneysDialog(s, dana, win)
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert [t for t, cb in dlg.boxes.items() if cb.isChecked()] == ["bls", "pals", "nrp"]
    for cb in dlg.boxes.values():
        cb.setChecked(False)
    assert not ok.isEnabled() and "at least one journey" in dlg.error.text()
    dlg.boxes["img"].setChecked(True)
    dlg.boxes["bls"].setChecked(True)
    dlg.role.setCurrentIndex(dlg.role.findData("img_physician"))
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dlg.result() == QDialog.DialogCode.Accepted
    p = s.store.profile(dana)
    assert p["tracks"] == ["img", "bls"] and p["role"] == "img_physician"
    win.refresh()
    assert [t.track for t in win.journeys.journey.tracks] == ["img", "bls"]
    assert "pals" not in win.dashboard.walk_buttons and "img" in win.dashboard.walk_buttons

    dlg = JourneysDialog(s, dana, win)  # PALS back: its card is still there
    qtbot.addWidget(dlg)
    dlg.boxes["pals"].setChecked(True)
    dlg.save()
    assert s.store.document(dana)["facts"]["pals.card"] == pals_facts


def test_provider_cards_page_needs_one_card_when_it_is_the_only_journey(qtbot, data_dir, today):
    """Unticking every card made a profile with no journey at all (an empty road); with the IMG
    road chosen too, no card is fine."""
    session = open_session(data_dir, today, demo=False)
    wiz = _start(qtbot, session)
    wiz.who.name.setText("Dana")
    wiz.who.journey_group.button(1).setChecked(True)  # provider cards only
    wiz.next()
    page = wiz.group_pages["cards"]
    assert page.isComplete()
    for cb in page.boxes.values():
        cb.setChecked(False)
    assert not page.isComplete() and not wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    page.boxes["pals"].setChecked(True)
    assert wiz.button(QWizard.WizardButton.NextButton).isEnabled()
    wiz.back()
    wiz.who.journey_group.button(2).setChecked(True)  # both: the IMG road is a journey already
    for cb in page.boxes.values():
        cb.setChecked(False)
    assert page.isComplete()
    wiz.who.name.setText("")  # nothing typed left to ask about when the test closes it
    session.store.db.close()
