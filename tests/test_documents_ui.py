"""GUI smoke tests for the documents, reminders and costs panels (offscreen), and attach(window)."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMainWindow, QTabWidget

from gui.extensions import HostMixin
from gui.journey_service import JourneyService
from gui.shell import open_session


@pytest.fixture
def session(data_dir, today):
    s = open_session(data_dir, today, demo=True)
    yield s
    s.store.db.close()


def _show(qtbot, w):
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.show()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)


def test_documents_panel_attach_verify_remove(qtbot, session, tmp_path):
    from gui.documents_ui import DocumentsPanel

    src = tmp_path / "医師免許証.pdf"
    src.write_bytes(b"%PDF-1.4 licence")
    panel = DocumentsPanel(session, current_step=lambda: "ecfmg.school")
    _show(qtbot, panel)
    assert panel.table.rowCount() == 0
    problems = panel.attach_paths([str(src), str(tmp_path)])
    assert len(problems) == 1 and "is a folder" in problems[0]  # refused with a message
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 0).text() == "医師免許証.pdf" and panel.table.item(0, 6).text() == "OK"
    assert panel.attach_paths([str(src)]) == ["“医師免許証.pdf” is already attached here."]
    # damage the vault copy: shown as altered, not an error
    doc = panel.vault.list(session.profile_id)[0]
    panel.vault.path_of(doc).write_bytes(b"changed!" * 3)
    panel.btn_verify.click()
    assert panel.table.item(0, 6).text().startswith("Altered")
    # select by keyboard and remove
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)  # one row: stays on it
    assert panel.selected() is not None and panel.btn_remove.isEnabled()
    panel.remove_selected(confirm=False)
    assert panel.table.rowCount() == 0 and panel.vault.list(session.profile_id) == []
    panel.scope.setCurrentIndex(1)
    assert panel.heading.text() == "All documents of this profile"


def test_reminders_panel_snooze_and_done(qtbot, session):
    from gui.reminders_ui import RemindersPanel

    panel = RemindersPanel(session)
    _show(qtbot, panel)
    n = panel.table.rowCount()
    assert n > 5
    assert "Overdue" in panel.summary_label.text() or "Due this week" in panel.summary_label.text() or \
        panel.summary_label.text().startswith("Nothing")
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Down)
    r = panel.selected()
    assert r is not None and panel.btn_done.isEnabled()
    assert panel.table.currentRow() == 1  # the arrow key moved from the first row
    panel.snooze_selected()
    snoozed = next(x for x in panel.items if x.id == r.id)
    assert snoozed.snoozed_until is not None and snoozed.snoozed_until > session.today
    panel.table.selectRow(0)
    r0 = panel.selected()
    panel.done_selected()
    assert panel.table.rowCount() == n - 1
    assert next(x for x in panel.items if x.id == r0.id).done
    panel.show_done.setChecked(True)
    assert panel.table.rowCount() == n


def test_costs_panel_lists_totals_and_suggestions(qtbot, session):
    from core.costs import Ledger
    from gui.costs_ui import CostsPanel

    Ledger(session.store).add(session.profile_id, "usmle.step1", 100000, "USD", date=dt.date(2025, 1, 1),
                              status="paid")
    panel = CostsPanel(session)
    _show(qtbot, panel)
    assert panel.table.rowCount() == 1 and panel.table.item(0, 3).text() == "USD 1,000.00"
    assert panel.totals.topLevelItemCount() == 2
    assert panel.suggestions.topLevelItemCount() > 0
    first = panel.suggestions.topLevelItem(0)
    panel.suggestions.setCurrentItem(first)
    assert panel.btn_use.isEnabled()
    panel.use_suggestion()
    assert panel.table.rowCount() == 2
    panel.table.selectRow(0)
    panel.delete_selected(confirm=False)
    assert panel.table.rowCount() == 1


class FakeWindow(HostMixin, QMainWindow):
    """The extension API of gui/main_window.MainWindow (gui/extensions.ExtensionHost), for
    attaching panels in isolation."""

    profile_changed = Signal()

    def __init__(self, session):
        super().__init__()
        self.session = session
        self.journeys = JourneyService(session, self)
        self.journeys.reload()
        self.tabs = QTabWidget()
        self.setCentralWidget(self.tabs)
        self.menu_file = self.menuBar().addMenu("&File")
        self.menu_view = self.menuBar().addMenu("&View")
        self.act_quit = self.menu_file.addAction("&Quit")
        self.panels = {}
        self.factories = {}

    def add_panel(self, title, widget, shortcut=None):
        self.factories[title] = widget  # a factory: built when first shown
        self.panels[title] = (None, shortcut)
        return self.menu_view.addAction(title)

    def panel(self, title):
        w, shortcut = self.panels[title]
        if w is None:
            w = self.factories[title]()
            self.tabs.addTab(w, title)
            self.panels[title] = (w, shortcut)
        return w

    def current_step_id(self):
        return "usmle.step1"

    def refresh(self):
        self.journeys.reload()


def test_attach_adds_panels_and_menu_items(qtbot, session):
    from gui import costs_ui, documents_ui, reminders_ui

    w = FakeWindow(session)
    qtbot.addWidget(w)
    for m in (documents_ui, reminders_ui, costs_ui):
        m.attach(w)
    assert set(w.panels) == {"Documents", "Reminders", "Costs"}
    texts = [a.text() for a in w.menu_file.actions()]
    for t in ("Export document pac&ket…", "&Write status report (PDF)…", "Export &calendar (.ics)…",
              "Export CS&V…"):
        assert t in texts
    assert texts[-1] == "&Quit"
    # nothing is built at attach time; a refresh before the first show is skipped
    assert all(widget is None for widget, _ in w.panels.values())
    w.refresh()
    assert w.reminders_notifier.check() >= 0  # the notifier works without the panel
    assert w.panel("Documents").step_id() == "usmle.step1"
    assert w.panel("Reminders") is w.reminders_panel
    assert w.panel("Costs") is w.costs_panel
    w.profile_changed.emit()  # built panels refresh without error
    assert w.reminders_notifier.check() >= 0


def test_panels_are_listed_as_extensions():
    from gui.extensions import EXTENSIONS

    for name in ("gui.documents_ui", "gui.reminders_ui", "gui.costs_ui"):
        assert name in EXTENSIONS


def test_the_remove_button_asks_before_removing(qtbot, session, tmp_path, monkeypatch):
    """Regression: `clicked` passed False into remove_selected(confirm=...), removing without asking."""
    from PySide6.QtWidgets import QMessageBox

    from gui.documents_ui import DocumentsPanel

    src = tmp_path / "diploma.pdf"
    src.write_bytes(b"%PDF-1.4 diploma")
    panel = DocumentsPanel(session, current_step=lambda: "ecfmg.credentials")
    _show(qtbot, panel)
    panel.attach_paths([str(src)])
    panel.table.selectRow(0)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No)
    panel.btn_remove.click()
    assert len(asked) == 1 and panel.table.rowCount() == 1  # asked, and "No" kept it
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.btn_remove.click()
    assert panel.table.rowCount() == 0


@pytest.fixture
def win(img_window):  # tests/conftest.py
    return img_window


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
    assert text.startswith("1 file attached.")
    assert "“scans” is a folder" in text and "“huge.iso” is 51.0 MB" in text
    assert panel.table.rowCount() == 1
    panel.refresh()
    assert panel.status.text() == "1 document."


def _session(data_dir, today, demo=False):
    return open_session(data_dir, today, demo=demo)


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


def test_the_expires_column_shows_the_cards_expiry_for_a_card_document(qtbot, data_dir, tmp_path):
    """A document on pals.card with no expiry of its own shows the card's last valid day (from the
    window's journey), marked as the card's; a date of its own is shown as it is; a renewal moves it."""
    from gui.dates_display import show_date
    from gui.documents_ui import DocumentsPanel

    today = dt.date(2026, 11, 21)
    s = open_session(data_dir, today, demo=False)
    try:
        pid = s.store.create_profile("अमित शर्मा", "nurse_picu", ["pals", "bls"])
        s.store.save_facts(pid, {"pals.card": {"issue_date": "2026-03-10"},
                                 "bls.card": {"issue_date": "2026-02-01"}})
        s.switch(pid)
        journeys = JourneyService(s)
        journeys.reload()
        panel = DocumentsPanel(s, current_step=lambda: "pals.card", journeys=journeys)
        _show(qtbot, panel)
        pals = tmp_path / "pals-ecard.pdf"
        pals.write_bytes(b"%PDF-1.4 pals")
        bls = tmp_path / "bls-ecard.pdf"
        bls.write_bytes(b"%PDF-1.4 bls")
        assert panel.attach_paths([str(pals)]) == []
        bls_doc = panel.vault.attach(pid, "bls.card", bls, today, expires=dt.date(2027, 5, 15)).document
        panel.scope.setCurrentIndex(1)  # all documents
        assert panel.COLUMNS[5] == "Expires"
        rows = {panel.table.item(r, 0).text(): panel.table.item(r, 5) for r in range(panel.table.rowCount())}
        assert rows["pals-ecard.pdf"].text() == f"{show_date(dt.date(2028, 3, 31))} (PALS card)"
        assert "no expiry of its own" in rows["pals-ecard.pdf"].toolTip()
        assert rows["bls-ecard.pdf"].text() == show_date(dt.date(2027, 5, 15))  # its own date, unmarked
        assert panel.vault.get(bls_doc.id).expires == dt.date(2027, 5, 15)
        s.store.save_facts(pid, {"pals.card": {"issue_date": "2026-12-01"}})  # renewed
        journeys.reload()
        panel.refresh()
        rows = {panel.table.item(r, 0).text(): panel.table.item(r, 5) for r in range(panel.table.rowCount())}
        assert rows["pals-ecard.pdf"].text() == f"{show_date(dt.date(2028, 12, 31))} (PALS card)"
        # a panel without the window's journey service evaluates the profile itself
        alone = DocumentsPanel(s, current_step=lambda: "pals.card")
        qtbot.addWidget(alone)
        assert alone.table.item(0, 5).text() == f"{show_date(dt.date(2028, 12, 31))} (PALS card)"
    finally:
        s.store.db.close()
