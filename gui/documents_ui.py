"""The documents panel: the vault's documents of the current step (or profile), packets, the report.

`attach(window)` adds the panel (Ctrl+Shift+D) and File menu items: export a packet and write the
status report PDF.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.engine import step_item, step_name
from core.vault import OK, PROFILE_LEVEL, STATE_LABELS, Vault, VaultError, effective_expiry, step_expiries
from core.wording import plural

from . import theme
from .date_edit import DateEdit, date_field
from .dates_display import show_date, show_value
from .extensions import RefreshWhenShown
from .step_form import ErrorLabel

SCOPE_STEP = "step"
SCOPE_ALL = "all"


def _step_label(step_id: str) -> str:
    if step_id == PROFILE_LEVEL:
        return "Whole profile"
    return step_name(step_id)


def _size(n: int) -> str:
    x: float = n
    for unit in ("bytes", "kB", "MB"):
        if x < 1024 or unit == "MB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{x:.1f} {unit}"
        x /= 1024
    return str(x)


class ExpiryDialog(QDialog):
    def __init__(self, parent, current: dt.date | None, today: dt.date):
        super().__init__(parent)
        self.setWindowTitle("Document expiry")
        lay = QFormLayout(self)
        self.has = QCheckBox("This document expires")
        self.has.setChecked(current is not None)
        self.date = DateEdit(current or today, today=today)
        self.date.setAccessibleName("Expires on")
        self.date.setEnabled(current is not None)
        self.has.toggled.connect(self.date.setEnabled)
        self.error = ErrorLabel()
        self.date.textEdited.connect(lambda _t: self.error.show_message(None))
        lay.addRow(self.has)
        lay.addRow("Expires on:", date_field(self.date))
        lay.addRow("", self.error)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self._ok)
        bb.rejected.connect(self.reject)
        lay.addRow(bb)

    def _ok(self) -> None:
        if self.has.isChecked():
            why = "Type the expiry date (YYYY-MM-DD)" if self.date.is_empty() else self.date.problem()
            if why:
                self.error.show_message(why)
                self.date.setFocus()
                return
        self.accept()

    def value(self) -> dt.date | None:
        return self.date.date() if self.has.isChecked() else None


class PacketDialog(QDialog):
    """Pick documents and say who they are for."""

    def __init__(self, parent, docs, preselect: set[int], states: dict[int, str] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export a packet")
        self.resize(560, 460)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.recipient = QLineEdit(placeholderText="e.g. Children's Hospital residency program")
        self.purpose = QLineEdit(placeholderText="e.g. credentialing, licence application")
        self.note = QLineEdit()
        form.addRow("For (recipient):", self.recipient)
        form.addRow("Purpose:", self.purpose)
        form.addRow("Note:", self.note)
        lay.addLayout(form)
        lay.addWidget(QLabel("Documents to include:"))
        self.list = QListWidget()
        self.list.setAccessibleName("Documents to include")
        self.list.setWordWrap(True)  # the reason a document cannot go in stays readable
        states = states or {}
        for d in docs:
            state = states.get(d.id, OK)
            text = f"{d.original_name} — {_step_label(d.step_id)}"
            it = QListWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, d.id)
            if state == OK:
                it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                it.setCheckState(Qt.CheckState.Checked if d.id in preselect else Qt.CheckState.Unchecked)
            else:  # a missing or altered file cannot go in a packet: say why, never pre-tick it
                reason = f"cannot go in a packet: {STATE_LABELS[state].lower()}; attach it again"
                it.setText(f"{text} ({reason})")
                it.setToolTip(reason)
                it.setCheckState(Qt.CheckState.Unchecked)
                it.setFlags(it.flags() & ~(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled))
            self.list.addItem(it)
        lay.addWidget(self.list)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export ZIP…")
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def chosen(self) -> list[int]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def _ok(self) -> None:
        if not self.recipient.text().strip():
            QMessageBox.warning(self, "Export a packet", "Say who the packet is for.")
            return
        if not self.chosen():
            QMessageBox.warning(self, "Export a packet", "Tick at least one document.")
            return
        self.accept()


class DocumentsPanel(QWidget):
    COLUMNS = ["Name", "Step", "Type", "Size", "Added", "Expires", "State"]

    def __init__(self, session, current_step=lambda: None, parent=None, journeys=None):
        super().__init__(parent)
        self.session = session
        self.current_step = current_step
        self.journeys = journeys  # the window's JourneyService: the card expiries of its journey
        self.vault = Vault(session.store.db, session.paths)
        self.docs = []
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        f = self.heading.font()
        f.setBold(True)
        self.heading.setFont(f)
        top.addWidget(self.heading, 1)
        self.scope = QComboBox()
        self.scope.addItem("This step", SCOPE_STEP)
        self.scope.addItem("All documents", SCOPE_ALL)
        self.scope.setAccessibleName("Show documents of")
        self.scope.currentIndexChanged.connect(self.refresh)
        top.addWidget(self.scope)
        lay.addLayout(top)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Documents")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.open_selected)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        self.btn_attach = QPushButton("&Attach…", clicked=self.attach_files)
        self.btn_open = QPushButton("&Open", clicked=self.open_selected)
        self.btn_expiry = QPushButton("E&xpiry…", clicked=self.edit_expiry)
        # lambdas: `clicked` passes a bool, which must not reach the `confirm` parameter
        self.btn_remove = QPushButton("&Remove", clicked=lambda: self.remove_selected())
        self.btn_verify = QPushButton("&Verify all", clicked=lambda: self.refresh())
        self.btn_packet = QPushButton("&Packet…", clicked=self.export_packet)
        for b in (self.btn_attach, self.btn_open, self.btn_expiry, self.btn_remove, self.btn_verify, self.btn_packet):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # file names are data, never markup
        lay.addWidget(self.status)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name): the step may have changed meanwhile
        super().showEvent(event)
        self.refresh()

    # -- state ----------------------------------------------------------------------------------
    def step_id(self) -> str:
        return self.current_step() or PROFILE_LEVEL

    def refresh(self) -> None:
        pid = self.session.profile_id
        self.table.setRowCount(0)
        if pid is None:
            self.heading.setText("No profile")
            self.docs = []
            self._update_buttons()
            return
        if self.scope.currentData() == SCOPE_ALL:
            self.docs = self.vault.list(pid)
            self.heading.setText("All documents of this profile")
        else:
            self.docs = self.vault.list(pid, self.step_id())
            self.heading.setText(f"Documents: {_step_label(self.step_id())}")
        bad = 0
        empty = sum(1 for d in self.docs if d.size == 0)
        expiries = self._step_expiries() if self.docs else {}
        for d in self.docs:
            state = self.vault.verify(d)
            bad += state != OK
            r = self.table.rowCount()
            self.table.insertRow(r)
            expires, from_step = effective_expiry(d, expiries)
            item = step_item(d.step_id)
            expiry_text = f"{show_date(expires)} ({item})" if from_step else show_date(expires)
            cells = [d.original_name, _step_label(d.step_id), d.mime, _size(d.size), show_value(d.added_at[:10]),
                     expiry_text, STATE_LABELS[state]]
            for c, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setToolTip(f"The {item}'s last valid day: this document has no expiry of its own "
                              "(Expiry… sets one)" if c == 5 and from_step else text)
                if c == 0:
                    it.setData(Qt.ItemDataRole.UserRole, d.id)
                if c == 6 and state != OK:
                    it.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, c, it)
        for c in range(1, len(self.COLUMNS)):
            self.table.resizeColumnToContents(c)
        if self.table.rowCount():  # a current row, so the arrow keys work at once
            self.table.setCurrentCell(0, 0)
        if not hasattr(self, "empty_hint"):
            from .theme import EmptyHint

            self.empty_hint = EmptyHint(self.table, "")
        self.empty_hint.setText(
            "No documents here yet. Attach… (Alt+A) copies a file (diploma, score report, eCard, "
            "licence…) into your private data folder; the original is never moved or changed."
            if self.scope.currentData() != SCOPE_ALL else
            "No documents in this profile yet. Choose a step in the navigator, then Attach… (Alt+A).")
        self.empty_hint.update_for(not self.docs)
        n = len(self.docs)
        self.status.setStyleSheet("")
        text = plural(n, "document") + (f"; {bad} missing or altered: attach them again." if bad else ".")
        if empty:  # accepted, but a 0-byte file is usually a failed download
            text += (f" {plural(empty, 'empty file')} (0 bytes): usually a failed download; "
                     "check the original and attach it again.")
        self.status.setText(text)
        self._update_buttons()

    def _step_expiries(self) -> dict:
        """Each step's evaluated expiry (a card's last valid day) from the window's journey, the
        one evaluation per change; without a journey service (a panel on its own), evaluated here."""
        if self.journeys is not None:
            journey = self.journeys.journey
            return step_expiries(journey) if journey is not None else {}
        from core.engine import evaluate

        try:
            return step_expiries(evaluate(self.session.document(), self.session.today))
        except Exception:  # the documents are listed even when the journey cannot be computed
            return {}

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for b in (self.btn_open, self.btn_expiry, self.btn_remove):
            b.setEnabled(has)
        self.btn_attach.setEnabled(self.session.profile_id is not None)
        self.btn_packet.setEnabled(self.session.profile_id is not None)

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        did = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((d for d in self.docs if d.id == did), None)

    def select_document(self, doc_id: int) -> bool:
        """Show all documents and select `doc_id` (search's Enter); the table has the focus, and
        Open (Alt+O) opens the file."""
        if self.scope.currentData() != SCOPE_ALL:
            self.scope.setCurrentIndex(self.scope.findData(SCOPE_ALL))  # refreshes
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == doc_id:
                self.table.setCurrentCell(r, 0)
                self.table.selectRow(r)
                self.table.scrollToItem(self.table.item(r, 0))
                self.table.setFocus()
                return True
        return False

    # -- actions --------------------------------------------------------------------------------
    def attach_paths(self, paths: list[str]) -> list[str]:
        """Attach files to the current step; returns the messages of the refused ones."""
        problems = []
        for p in paths:
            try:
                res = self.vault.attach(self.session.profile_id, self.step_id(), p, self.session.today)
                if res.already_attached:
                    problems.append(f"“{Path(p).name}” is already attached here.")
            except (VaultError, OSError) as e:
                problems.append(str(e))
        self.refresh()
        return problems

    def attach_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Attach documents", str(Path.home()))
        if not files:
            return
        problems = self.attach_paths(files)
        if problems:  # said in the panel, beside the list (no modal box for a refused file)
            n = len(files) - len(problems)
            self.status.setText((f"{plural(n, 'file')} attached. " if n else "Nothing attached. ")
                                + "Not attached: " + " ".join(problems))
            self.status.setStyleSheet(f"color: {theme.error_color()};")

    def open_selected(self) -> None:
        d = self.selected()
        if d is None:
            return
        try:
            path = self.vault.open_path(d)
        except VaultError as e:
            QMessageBox.warning(self, "Open document", str(e))
            self.refresh()
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def edit_expiry(self) -> None:
        d = self.selected()
        if d is None:
            return
        dlg = ExpiryDialog(self, d.expires, self.session.today)
        if dlg.exec():
            self.vault.set_expiry(d.id, dlg.value())
            self.refresh()

    def remove_selected(self, confirm: bool = True) -> None:
        d = self.selected()
        if d is None:
            return
        if confirm and QMessageBox.question(
                self, "Remove document",
                f"Remove “{d.original_name}” from {_step_label(d.step_id)}? Your original file is not touched."
        ) != QMessageBox.StandardButton.Yes:
            return
        self.vault.remove(d.id)
        self.refresh()

    def export_packet(self) -> None:
        pid = self.session.profile_id
        if pid is None:
            return
        from core.packets import PacketError, plan_packet, write_packet

        from .report import packet_index_pdf

        docs = self.vault.list(pid)
        if not docs:
            QMessageBox.information(self, "Export a packet", "This profile has no documents yet. A packet gathers "
                                    "attached documents for a program or a board: open a step, then Documents ▸ "
                                    "Attach… (Alt+A).")
            return
        dlg = PacketDialog(self, docs, {d.id for d in self.docs}, {d.id: self.vault.verify(d) for d in docs})
        if not dlg.exec():
            return
        try:
            plan = plan_packet(self.session.store, self.vault, pid, dlg.chosen(), dlg.recipient.text(),
                               self.session.today, purpose=dlg.purpose.text(), note=dlg.note.text())
        except PacketError as e:
            QMessageBox.warning(self, "Export a packet", str(e))
            return
        safe = "".join(ch if ch.isalnum() else "-" for ch in plan.recipient)[:40].strip("-") or "packet"
        out, _ = QFileDialog.getSaveFileName(self, "Save the packet",
                                             str(Path.home() / f"{safe}-{plan.today.isoformat()}.zip"),
                                             "ZIP archives (*.zip)")
        if not out:
            return
        progress = QProgressDialog("Writing the packet…", "", 0, len(plan.entries), self)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def step(i, n):
            progress.setValue(i)
            QApplication.processEvents()

        try:
            write_packet(self.session.store, self.vault, plan, out, index_pdf=packet_index_pdf(plan), progress=step)
        except (PacketError, OSError) as e:
            QMessageBox.warning(self, "Export a packet", str(e))
            return
        finally:
            progress.close()
        self.status.setText(f"Packet for {plan.recipient} saved to {out} and logged.")


def write_report_dialog(window, session) -> None:
    if session.profile_id is None:
        return
    from .report import write_report

    name = "".join(ch if ch.isalnum() else "-" for ch in session.store.profile(session.profile_id)["name"])
    out, _ = QFileDialog.getSaveFileName(window, "Write status report",
                                         str(Path.home() / f"CertPath-report-{name[:30]}-{session.today}.pdf"),
                                         "PDF files (*.pdf)")
    if not out:
        return
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        write_report(session, out)
    except OSError as e:
        QMessageBox.warning(window, "Write status report", f"The report could not be written: {e}")
        return
    finally:
        QApplication.restoreOverrideCursor()
    window.show_status(f"Report written to {out}", 8000)


def attach(window):
    """Add the Documents panel (built the first time it is shown) and the File menu items."""
    session = window.session
    built: dict[str, DocumentsPanel] = {}
    lazy: dict[str, RefreshWhenShown] = {}

    def build() -> DocumentsPanel:
        panel = DocumentsPanel(session, current_step=window.current_step_id, journeys=window.journeys)
        built["panel"] = panel
        lazy["refresh"] = RefreshWhenShown(panel, panel.refresh)
        window.documents_panel = panel
        return panel

    def panel() -> DocumentsPanel:
        if "panel" not in built:
            window.panel("Documents")
        return built["panel"]

    def refresh(*_a) -> None:  # a panel not built yet has nothing to refresh; a hidden one waits
        if "refresh" in lazy:
            lazy["refresh"]()

    action = window.add_panel("Documents", build, "Ctrl+Shift+D")
    window.journeys.journey_changed.connect(refresh)  # a save, a switch, a new day
    act_packet = QAction("Export document pac&ket…", window, triggered=lambda: panel().export_packet())
    act_report = QAction("&Write status report (PDF)…", window, triggered=lambda: write_report_dialog(window, session))
    window.add_file_actions(act_packet, act_report, group="export")
    return action
