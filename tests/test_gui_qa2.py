"""Regression tests for what the second QA pass found by driving the app: a deleted profile's
attached documents left on disk, Alt-mnemonic clashes, and modal boxes for ordinary input errors
(a refused attachment, an invalid amount)."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar, QWidget

from gui.shell import open_session


def _mnemonic(text: str) -> str | None:
    i = text.find("&")
    while i != -1 and i + 1 < len(text):
        if text[i + 1] != "&":
            return text[i + 1].lower()
        i = text.find("&", i + 2)
    return None


def _clashes(texts) -> dict[str, list[str]]:
    seen = collections.defaultdict(list)
    for t in texts:
        if _mnemonic(t):
            seen[_mnemonic(t)].append(t)
    return {k: v for k, v in seen.items() if len(v) > 1}


def _screen_texts(root: QWidget) -> list[str]:
    """The mnemonics one visible screen offers: buttons, labels with a buddy, tab titles."""
    texts = []
    for w in root.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
            texts.append(w.text())
    for bar in root.findChildren(QTabBar):
        if bar.isVisible():
            texts += [bar.tabText(i) for i in range(bar.count())]
    return texts


@pytest.fixture
def win(qtbot, data_dir, today, shown_window):

    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Amara", "img_physician", ["img"], {})
    session.switch(pid)
    return shown_window(session)


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


def test_file_menu_and_panels_have_no_mnemonic_clash_and_quit_has_a_shortcut(qtbot, win):
    for menu_action in win.menuBar().actions():
        texts = [a.text() for a in menu_action.menu().actions() if not a.isSeparator()]
        assert _clashes(texts) == {}, menu_action.text()
        for a in menu_action.menu().actions():
            if not a.isSeparator():
                assert _mnemonic(a.text()) or not a.shortcut().isEmpty(), a.text()
    assert not win.act_quit.shortcut().isEmpty()
    for title in ("Documents", "Reminders", "Costs"):
        win.tabs.setCurrentWidget(win.panel(title))
        qtbot.waitUntil(lambda: win.panel(title).isVisible())  # noqa: B023
        assert _clashes(_screen_texts(win)) == {}, title  # Reminders: &Done vs &Dashboard, S&tages vs S&tep


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


def test_a_refused_attachment_is_said_in_the_panel_not_in_a_box(qtbot, win, tmp_path, monkeypatch, no_modal):
    from PySide6.QtWidgets import QFileDialog

    ok = tmp_path / "diploma.pdf"
    ok.write_bytes(b"%PDF ok")
    folder = tmp_path / "scans"
    folder.mkdir()
    big = tmp_path / "huge.iso"
    with open(big, "wb") as f:
        f.truncate(51 * 1024 * 1024)  # sparse: no real disk used
    win.open_step("ecfmg.school")
    panel = win.panel("Documents")
    win.tabs.setCurrentWidget(panel)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(ok), str(folder), str(big)], "")))
    panel.btn_attach.click()
    text = panel.status.text()
    assert text.startswith("1 file(s) attached.")
    assert "“scans” is a folder" in text and "“huge.iso” is 51.0 MB" in text
    assert panel.table.rowCount() == 1
    panel.refresh()
    assert panel.status.text() == "1 document(s)."


@pytest.mark.parametrize("typed, words", [("12,50", "is not an amount"), ("-3", "zero or more"),
                                          ("abc", "is not an amount")])
def test_an_invalid_amount_is_said_beside_the_field(qtbot, today, no_modal, typed, words):
    from gui.costs_ui import CostDialog

    dlg = CostDialog(None, ["usmle.step1"], today)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.amount.setText(typed)
    dlg._ok()
    assert not dlg.error.isHidden() and words in dlg.error.text()
    assert dlg.result() == 0 and dlg.isVisible()
    qtbot.keyClicks(dlg.amount, "0")  # typing clears the message
    assert dlg.error.isHidden()
