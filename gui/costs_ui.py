"""The cost ledger panel: fees paid and planned, totals per track and year, suggestions.

`attach(window)` adds the panel (Ctrl+Shift+L for "ledger").
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.costs import (
    PAID,
    PLANNED,
    UNDATED,
    Ledger,
    format_amount,
    note_text,
    parse_amount,
    totals_by_track,
    totals_by_year,
)
from core.engine import known_tracks, step_defs, step_name, track_title

from .date_edit import DateEdit, date_field
from .dates_display import show_date
from .extensions import RefreshWhenShown
from .step_form import ErrorLabel


def _step_label(step_id: str) -> str:
    return step_name(step_id)


class CostDialog(QDialog):
    def __init__(self, parent, steps: list[str], today: dt.date, cost=None, step_id: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit cost" if cost else "New cost")
        lay = QFormLayout(self)
        self.step = QComboBox()
        for s in steps:
            self.step.addItem(_step_label(s), s)
        want = cost.step_id if cost else step_id
        if want is not None and want not in steps:
            self.step.addItem(want, want)
        if want is not None:
            self.step.setCurrentIndex(self.step.findData(want))
        self.amount = QLineEdit(placeholderText="e.g. 1000 or 1,234.50")
        self.currency = QLineEdit("USD")
        self.currency.setMaxLength(3)
        self.status = QComboBox()
        self.status.addItem("Planned", PLANNED)
        self.status.addItem("Paid", PAID)
        self.has_date = QCheckBox("Dated")
        d = (cost.date if cost and cost.date else today)
        self.date = DateEdit(d, today=today)
        self.date.setAccessibleName("Cost date")
        self.has_date.setChecked(bool(cost is None or cost.date))
        self.date.setEnabled(self.has_date.isChecked())
        self.has_date.toggled.connect(self.date.setEnabled)
        self.note = QLineEdit()
        if cost:
            self.amount.setText(f"{cost.amount_cents // 100}.{cost.amount_cents % 100:02d}")
            self.currency.setText(cost.currency)
            self.status.setCurrentIndex(self.status.findData(cost.status))
            self.note.setText(cost.note)
        dr = QHBoxLayout()
        dr.addWidget(self.has_date)
        dr.addWidget(date_field(self.date), 1)
        # each problem is said under its own field, not in a box (one label under Currency put a
        # bad amount or date beside the currency)
        self.error = ErrorLabel()
        self.error.setAccessibleName("Amount problem")
        self.currency_error = ErrorLabel()
        self.currency_error.setAccessibleName("Currency problem")
        self.date_error = ErrorLabel()
        self.date_error.setAccessibleName("Date problem")
        lay.addRow("Step:", self.step)
        lay.addRow("Amount:", self.amount)
        lay.addRow("", self.error)
        lay.addRow("Currency:", self.currency)
        lay.addRow("", self.currency_error)
        self.amount.textEdited.connect(lambda _t: self.error.show_message(None))
        self.currency.textEdited.connect(lambda _t: self.currency_error.show_message(None))
        self.date.textChanged.connect(lambda _t: self.date_error.show_message(None))  # typed or picked
        self.has_date.toggled.connect(lambda _on: self.date_error.show_message(None))
        lay.addRow("Status:", self.status)
        lay.addRow("Date:", dr)
        lay.addRow("", self.date_error)
        lay.addRow("Note:", self.note)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self._ok)
        bb.rejected.connect(self.reject)
        lay.addRow(bb)

    def values(self) -> dict:
        return {"step_id": self.step.currentData(), "amount_cents": parse_amount(self.amount.text()),
                "currency": self.currency.text().strip().upper(), "status": self.status.currentData(),
                "date": self.date.date() if self.has_date.isChecked() else None,
                "note": self.note.text().strip()}

    def _ok(self) -> None:
        for e in (self.error, self.currency_error, self.date_error):  # what was fixed since says nothing
            e.show_message(None)
        if self.has_date.isChecked():
            why = "Type the date (YYYY-MM-DD) or untick Dated" if self.date.is_empty() else self.date.problem()
            if why:
                self.date_error.show_message(why)
                self.date.setFocus()
                self.adjustSize()
                return
        try:
            v = self.values()
            Ledger._check(v["step_id"], v["amount_cents"], v["currency"], v["status"])
        except ValueError as e:
            currency = "currenc" in str(e).lower()
            (self.currency_error if currency else self.error).show_message(str(e))
            (self.currency if currency else self.amount).setFocus()
            self.adjustSize()  # room for the message: never cut
            return
        self.accept()


class CostsPanel(QWidget):
    COLUMNS = ["Date", "Step", "Status", "Amount", "Note"]

    def __init__(self, session, current_step=lambda: None, parent=None, journeys=None):
        super().__init__(parent)
        self.session = session
        self.journeys = journeys  # the window's JourneyService: the profile as last read
        self.current_step = current_step
        self.ledger = Ledger(session.store)
        self.costs = []
        self.suggested = []
        lay = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Costs")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self.edit_selected)
        tl.addWidget(self.table)
        row = QHBoxLayout()
        self.btn_add = QPushButton("&New cost…", clicked=self.add_cost)
        self.btn_edit = QPushButton("&Edit…", clicked=self.edit_selected)
        self.btn_delete = QPushButton("De&lete", clicked=lambda: self.delete_selected())  # not clicked(False) as confirm
        for b in (self.btn_add, self.btn_edit, self.btn_delete):
            row.addWidget(b)
        row.addStretch(1)
        tl.addLayout(row)
        split.addWidget(top)
        self.totals = QTreeWidget()
        self.totals.setHeaderLabels(["Totals", "Currency", "Paid", "Planned", "Total"])
        self.totals.setAccessibleName("Totals")
        split.addWidget(self.totals)
        sug = QWidget()
        sl = QVBoxLayout(sug)
        sl.setContentsMargins(0, 0, 0, 0)
        lab = QLabel("Known fees from the rule data (check them with the official source before paying):")
        lab.setWordWrap(True)
        sl.addWidget(lab)
        self.suggestions = QTreeWidget()
        self.suggestions.setHeaderLabels(["Step", "Fee", "Amount", "Checked", "Confidence"])
        self.suggestions.setAccessibleName("Fee suggestions")
        self.suggestions.setRootIsDecorated(False)
        sh = self.suggestions.header()  # the fee's words take the room left: Checked and Confidence stay in view
        sh.setStretchLastSection(False)
        for i in range(5):
            sh.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch if i == 1 else
                                    QHeaderView.ResizeMode.ResizeToContents)
        sl.addWidget(self.suggestions)
        self.btn_use = QPushButton("&Add to ledger as planned", clicked=self.use_suggestion)
        sr = QHBoxLayout()
        sr.addWidget(self.btn_use)
        sr.addStretch(1)
        sl.addLayout(sr)
        split.addWidget(sug)
        lay.addWidget(split)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.suggestions.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def steps(self) -> list[str]:
        if self.session.profile_id is None:
            return []
        tracks = (self.journeys.document() if self.journeys is not None
                  else self.session.store.profile(self.session.profile_id))["tracks"]
        return [sd.id for t in tracks if t in known_tracks() for sd in step_defs(t)]

    def refresh(self, keep: int | None = None) -> None:
        """Re-read the ledger; the selection stays on the same cost (`keep`, else the one selected
        now), never silently on another row where the next Edit or Delete would land."""
        if keep is None:
            cur = self.selected() if self.table.rowCount() else None
            keep = cur.id if cur is not None else None
        old_row = max(self.table.currentRow(), 0)
        pid = self.session.profile_id
        self.table.setRowCount(0)
        self.totals.clear()
        self.suggestions.clear()
        if pid is None:
            self.costs, self.suggested = [], []
            self._update_buttons()
            return
        self.costs = self.ledger.list(pid)
        for c in self.costs:
            r = self.table.rowCount()
            self.table.insertRow(r)
            cells = [show_date(c.date), _step_label(c.step_id), c.status.capitalize(),
                     format_amount(c.amount_cents, c.currency), note_text(c.note)]
            for i, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setToolTip(text)
                if i == 0:
                    it.setData(Qt.ItemDataRole.UserRole, c.id)
                if i == 3:
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, i, it)
        if self.table.rowCount():  # a current row, so the arrow keys work at once
            row = next((i for i in range(self.table.rowCount())
                        if self.table.item(i, 0).data(Qt.ItemDataRole.UserRole) == keep), None)
            self.table.setCurrentCell(min(old_row, self.table.rowCount() - 1) if row is None else row, 0)
        for i in range(4):
            self.table.resizeColumnToContents(i)
        if not hasattr(self, "empty_hint"):
            from .theme import EmptyHint

            self.empty_hint = EmptyHint(
                self.table, "No fees recorded yet. New cost… (Alt+N) adds one you paid or plan to pay; "
                "or pick a known fee below and add it to the ledger as planned.")
        self.empty_hint.update_for(not self.costs)
        self.totals.setVisible(bool(self.costs))  # no empty "By track / By year" headings
        for heading, totals in (("By track", totals_by_track(self.costs)), ("By year", totals_by_year(self.costs))):
            top = QTreeWidgetItem([heading])
            self.totals.addTopLevelItem(top)
            for group, per_cur in totals.items():
                name = track_title(group) if heading == "By track" else (
                    "No date" if group == UNDATED else group)
                for cur, t in sorted(per_cur.items()):
                    QTreeWidgetItem(top, [name, cur, format_amount(t[PAID], cur), format_amount(t[PLANNED], cur),
                                          format_amount(t["total"], cur)])
            top.setExpanded(True)
        for i in range(5):
            self.totals.resizeColumnToContents(i)
        self.suggested = self.ledger.suggestions(
            pid, self.session.today, doc=self.journeys.document() if self.journeys is not None else None)
        for s in self.suggested:
            amt = format_amount(s.amount_min_cents, s.currency)
            if s.is_range:
                amt += " – " + format_amount(s.amount_max_cents, s.currency)
            what = s.statement if len(s.statement) <= 70 else s.statement[:69].rstrip() + "…"
            fee = QTreeWidgetItem([_step_label(s.step_id), what + (" ✓ in ledger" if s.recorded else ""), amt,
                                   show_date(s.checked), s.confidence.capitalize()])  # "Low", as the rules dialog says it
            fee.setToolTip(1, s.statement + "\n" + "\n".join(s.sources) + f"\n(rule {s.rule_id})")
            fee.setToolTip(0, s.statement)
            self.suggestions.addTopLevelItem(fee)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = bool(self.table.selectionModel().selectedRows())
        self.btn_edit.setEnabled(has)
        self.btn_delete.setEnabled(has)
        self.btn_add.setEnabled(self.session.profile_id is not None)
        self.btn_use.setEnabled(self.selected_suggestion() is not None)

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        cid = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((c for c in self.costs if c.id == cid), None)

    def selected_suggestion(self):
        it = self.suggestions.currentItem()
        if it is None or not it.isSelected():
            return None
        i = self.suggestions.indexOfTopLevelItem(it)
        return self.suggested[i] if 0 <= i < len(self.suggested) else None

    def add_cost(self) -> None:
        if self.session.profile_id is None:
            return
        dlg = CostDialog(self, self.steps(), self.session.today, step_id=self.current_step())
        if dlg.exec():
            v = dlg.values()
            cid = self.ledger.add(self.session.profile_id, v["step_id"], v["amount_cents"], v["currency"],
                            date=v["date"], status=v["status"], note=v["note"])
            self.refresh(keep=cid)

    def edit_selected(self) -> None:
        c = self.selected()
        if c is None:
            return
        dlg = CostDialog(self, self.steps(), self.session.today, cost=c)
        if dlg.exec():
            self.ledger.update(c.id, **dlg.values())
            self.refresh(keep=c.id)

    def delete_selected(self, confirm: bool = True) -> None:
        c = self.selected()
        if c is None:
            return
        if confirm and QMessageBox.question(
                self, "Delete cost", f"Delete {format_amount(c.amount_cents, c.currency)} for "
                f"{_step_label(c.step_id)}?") != QMessageBox.StandardButton.Yes:
            return
        self.ledger.delete(c.id)
        self.refresh()

    def use_suggestion(self) -> None:
        s = self.selected_suggestion()
        if s is None or self.session.profile_id is None:
            return
        cid = self.ledger.add_suggestion(self.session.profile_id, s)
        self.refresh(keep=cid)


def attach(window):
    """Add the Costs panel; it is built the first time its tab is shown."""
    built: dict[str, CostsPanel] = {}
    lazy: dict[str, RefreshWhenShown] = {}

    def build() -> CostsPanel:
        panel = CostsPanel(window.session, current_step=window.current_step_id, journeys=window.journeys)
        built["panel"] = panel
        lazy["refresh"] = RefreshWhenShown(panel, panel.refresh)
        window.costs_panel = panel
        return panel

    def refresh(*_a) -> None:  # a panel not built yet has nothing to refresh; a hidden one waits
        if "refresh" in lazy:
            lazy["refresh"]()

    action = window.add_panel("Costs", build, "Ctrl+Shift+L")
    window.journeys.journey_changed.connect(refresh)  # a save, a switch, a new day
    return action
