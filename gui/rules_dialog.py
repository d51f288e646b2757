"""Help → Where these rules come from: every rule record, its sources, checked date and confidence."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from core.rules import load_rules

from . import theme
from .dates_display import show_date
from .step_page import rule_html

DISCLAIMER = ("Verify with ECFMG, USMLE, NRMP, your state board and your training center; "
              "this is not legal advice.")


def pack_line() -> str:
    """Which rules are in use: the pack version, its date, bundled or installed (and a problem)."""
    from core.rulepacks import newest_checked, state_in_use

    state = state_in_use()
    info = state.pack.info
    made = show_date(info.made) if info.made else "?"
    checked = show_date(newest_checked(state.pack.rules))
    if info.origin == "installed":
        text = f"Rules in use: rule pack {info.version} of {made}, installed"
        try:  # an ISO timestamp in the data folder's record: said as the window says dates
            text += f" on {show_date(dt.date.fromisoformat(info.installed[:10]))}" if info.installed else ""
        except ValueError:
            pass
    else:  # the bundled rules are pack "0": a number that says nothing to a reader
        text = "Rules in use: the rules that came with this CertPath"
    text += f"; newest check {checked}. File ▸ Update rules… installs a newer pack."
    if state.problem:
        text += f" {state.problem}"
    return text


class RulesDialog(QDialog):
    def __init__(self, today: dt.date, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Where these rules come from")
        self.resize(1100, 700)
        self.rules = load_rules().all()
        lay = QVBoxLayout(self)
        intro = QLabel(f"Every requirement CertPath states is one of these {len(self.rules)} records, "
                       f"with its sources, the date it was last checked and a confidence. {DISCLAIMER}")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.pack_label = QLabel(pack_line())
        self.pack_label.setObjectName("rulesPackInUse")
        self.pack_label.setWordWrap(True)
        self.pack_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.pack_label)
        bar = QHBoxLayout()
        fl = QLabel("&Filter:")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("words in the id, statement or source")
        self.filter.setAccessibleName("Filter rules")
        self.filter.setClearButtonEnabled(True)
        fl.setBuddy(self.filter)
        cl = QLabel("&Confidence:")
        self.confidence = QComboBox()
        self.confidence.setAccessibleName("Confidence")
        for text, data in (("Any", None), ("High", "high"), ("Medium", "medium"), ("Low", "low")):
            self.confidence.addItem(text, data)
        cl.setBuddy(self.confidence)
        self.count = QLabel()
        for w in (fl, self.filter, cl, self.confidence, self.count):
            bar.addWidget(w, 1 if w is self.filter else 0)
        lay.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Rule", "Statement", "Confidence", "Checked"])
        self.table.setAccessibleName("Rule records")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the details (links) and Close
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(0, 260)
        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(True)
        self.detail.setAccessibleName("Rule details")
        self.detail.setTabChangesFocus(True)
        self.detail.setPlaceholderText("Select a rule above to see its statement in full, its sources, "
                                       "the dates it is in force and why its confidence is what it is.")
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([450, 200])
        lay.addWidget(split, 1)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        close = bb.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)  # Enter in the filter closed the dialog, the filter with it
        close.setDefault(False)
        self.filter.returnPressed.connect(self._to_first_shown)
        lay.addWidget(bb)
        self.filter.textChanged.connect(self.apply_filter)
        self.confidence.currentIndexChanged.connect(self.apply_filter)
        self.table.currentCellChanged.connect(lambda r, *_: self._show(r))
        self._fill()
        self.apply_filter()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.rules))
        for i, r in enumerate(self.rules):
            period = ""
            if r.valid_from or r.valid_until:
                period = f" ({show_date(r.valid_from) or '…'} to {show_date(r.valid_until) or 'now'})"
            items = [r.id + period, r.statement, theme.CONFIDENCE_TEXT[r.confidence].split(":")[0],
                     show_date(r.checked)]
            for c, text in enumerate(items):
                it = QTableWidgetItem(text)
                it.setData(Qt.ItemDataRole.UserRole, i)
                if c in (0, 1):  # the id column is often cut ("…"): the whole text on hover
                    it.setToolTip(text if c == 0 else r.statement)
                self.table.setItem(i, c, it)

    def visible_count(self) -> int:
        return sum(1 for i in range(self.table.rowCount()) if not self.table.isRowHidden(i))

    def apply_filter(self) -> None:
        words = self.filter.text().lower().split()
        conf = self.confidence.currentData()
        for i, r in enumerate(self.rules):
            hay = " ".join([r.id, r.statement, " ".join(r.urls), r.conflict or ""]).lower()
            show = all(w in hay for w in words) and (conf is None or r.confidence == conf)
            self.table.setRowHidden(i, not show)
        self.count.setText(f"{self.visible_count()} of {len(self.rules)} shown")

    def _to_first_shown(self) -> None:
        """Enter in the filter: to the first rule it leaves shown (arrows go on from there)."""
        row = next((i for i in range(self.table.rowCount()) if not self.table.isRowHidden(i)), -1)
        if row >= 0:
            if self.table.isRowHidden(self.table.currentRow()) or self.table.currentRow() < 0:
                self.table.setCurrentCell(row, 0)
            self.table.setFocus()

    def select_record(self, index: int, rule_id: str = "") -> bool:
        """Show record `index` (else the first record of `rule_id`), the filters cleared so it is in view."""
        if not 0 <= index < len(self.rules) or (rule_id and self.rules[index].id != rule_id):
            index = next((i for i, r in enumerate(self.rules) if r.id == rule_id), -1)
        if index < 0:
            return False
        self.filter.clear()
        self.confidence.setCurrentIndex(0)
        self.table.setCurrentCell(index, 0)
        item = self.table.item(index, 0)
        if item is not None:
            self.table.scrollToItem(item)
        self._show(index)
        self.table.setFocus()
        return True

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.rules):
            self.detail.setHtml(rule_html(self.rules[row]))
