"""Regression tests for what the third QA pass found by driving the app: the onboarding summary
and cards note in words (not ids), typing kept when Back then Next in the walkthrough, missing or
altered documents offered for a packet, and 0-byte attachments accepted silently."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gui.shell import open_session


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


def test_walkthrough_back_then_next_keeps_unsaved_typing(qtbot, data_dir, today):
    from gui.walkthrough import WalkthroughWizard

    session = _session(data_dir, today)
    pid = session.store.create_profile("Amara", "img_physician", ["img"], {})
    session.switch(pid)
    wiz = WalkthroughWizard(session, "img")
    qtbot.addWidget(wiz)
    wiz.show()
    assert wiz.current_step_id() == "ecfmg.school"
    wiz.current_view().form.editor("school_name").setText("University of Lagos")
    wiz.next()
    assert wiz.current_step_id() == "ecfmg.application"
    wiz.current_view().form.editor("submitted_date").setText("2025-01-01")  # typed, not saved
    wiz.back()
    wiz.next()
    assert wiz.current_step_id() == "ecfmg.application"
    assert wiz.current_view().form.editor("submitted_date").text() == "2025-01-01"
    assert session.store.step_facts(pid, "ecfmg.application") == {}  # still only Next saves
    wiz.reject()
    session.store.db.close()


def test_packet_dialog_does_not_offer_missing_or_altered_documents(qtbot, data_dir, today, tmp_path):
    from core.vault import ALTERED, OK, Vault
    from gui.documents_ui import PacketDialog

    session = _session(data_dir, today, demo=True)
    vault = Vault(session.store.db, session.paths)
    pid = session.profile_id
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(b"%PDF good")
    bad.write_bytes(b"%PDF bad")
    for p in (good, bad):
        vault.attach(pid, "ecfmg.school", str(p), today)
    docs = vault.list(pid, "ecfmg.school")
    states = {d.id: (ALTERED if d.original_name == "bad.pdf" else OK) for d in docs}
    dlg = PacketDialog(None, docs, {d.id for d in docs}, states)
    qtbot.addWidget(dlg)
    items = {dlg.list.item(i).data(Qt.ItemDataRole.UserRole): dlg.list.item(i) for i in range(dlg.list.count())}
    bad_doc = next(d for d in docs if d.original_name == "bad.pdf")
    good_doc = next(d for d in docs if d.original_name == "good.pdf")
    assert dlg.chosen() == [good_doc.id]
    it = items[bad_doc.id]
    assert not it.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "altered" in it.text().lower()
    session.store.db.close()


def test_empty_file_is_accepted_and_said_in_the_status_line(qtbot, data_dir, today, tmp_path):
    from gui.documents_ui import DocumentsPanel

    session = _session(data_dir, today, demo=True)
    empty = tmp_path / "score-report.pdf"
    empty.write_bytes(b"")
    panel = DocumentsPanel(session, current_step=lambda: "ecfmg.school")
    qtbot.addWidget(panel)
    assert panel.attach_paths([str(empty)]) == []
    assert panel.table.rowCount() == 1
    assert "empty file" in panel.status.text()
    session.store.db.close()
