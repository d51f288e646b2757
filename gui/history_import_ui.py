"""File ▸ Import ▸ Card history CSV… / Exam attempts CSV…: one profile's history from a spreadsheet.

The same pattern as the team import (gui/team.py): the file is read and checked by core
(`core.history_import.preview_history`, the step pages' own validation), the preview lists every
row with its problems beside it, Import writes the valid rows in one transaction
(`core.csv_import.commit`) and Cancel writes nothing. `python -m core import-csv ID FILE --kind
cards|attempts` does the same from the command line. After an import the window evaluates once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMenu,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from .csv_file import CsvPreviewDialog, choose_csv

if TYPE_CHECKING:
    from core.csv_import import Preview

    from .extensions import ExtensionHost

KIND_WORDS = {
    "cards": ("Card history", "card", "cards",
              "One row per card: card (BLS, PALS, ACLS, NRP, PEARS), issue date, and optionally issuing body, "
              "valid through, eCard code, training center, note. The newest card of each kind becomes the current "
              "card; the others are kept as past cards."),
    "attempts": ("Exam attempts", "attempt", "attempts",
                 "One row per USMLE attempt: exam (Step 1, Step 2 CK, Step 3), test date, result (pass, fail, "
                 "incomplete), and optionally score and the day the result was released."),
}


class HistoryImportDialog(CsvPreviewDialog):
    """The preview of a card history or exam attempts CSV for the current profile."""

    def __init__(self, session, data: bytes, file_name: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.raw = data
        self.file_name = file_name
        self.kind = kind
        self.preview: Preview | None = None
        self.result_text = ""
        title, _one, _many, help_text = KIND_WORDS[kind]
        name = session.store.profile(session.profile_id)["name"]
        self.setWindowTitle(f"Import {title.lower()} from {file_name}")
        self.setObjectName("historyImport")
        self.resize(940, 560)
        lay = QVBoxLayout(self)
        head = QLabel(f"Into the profile \u201c{name}\u201d. {help_text}")
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(head)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)  # cells and file names are data, never markup
        lay.addWidget(self.notes)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("importPreview")
        self.table.setAccessibleName("Rows of the file")
        self.table.setHorizontalHeaderLabels(["Row", "Record", "What happens", "Problems and notes"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        self.add_footer(lay)
        self.reload()

    def reload(self) -> None:
        from core.csv_import import CREATE, UNCHANGED, UPDATE, CsvError
        from core.history_import import preview_history

        self.table.setRowCount(0)
        try:
            preview = preview_history(self.session.store, self.session.profile_id, self.raw,
                                      self.session.today, self.kind)
        except (CsvError, ValueError) as e:
            self.show_unreadable(f"a {KIND_WORDS[self.kind][0].lower()}", e)
            return
        what = {CREATE: "Add", UPDATE: "Update", UNCHANGED: "Already recorded"}
        n_ok, n_bad = self.show_rows(preview, lambda r: what.get(r.action, r.action))
        p = preview
        self.table.resizeColumnToContents(1)
        self.table.setColumnWidth(1, min(self.table.columnWidth(1), 360))
        self.table.resizeRowsToContents()
        one, many = KIND_WORDS[self.kind][1:3]
        if p.problems:
            self.summary.setText("The file has problems (above): nothing can be imported from it.")
        elif not p.rows:
            self.summary.setText("The file has a header row but no rows: nothing to import.")
        else:
            self.summary.setText(self.can_import_text(p, n_ok, n_bad)
                                 + " Nothing is written until you press Import; Cancel leaves the profile as it is.")
        self.import_button.setEnabled(bool(n_ok) and not p.problems)
        self.import_button.setText(f"&Import {n_ok} {one if n_ok == 1 else many}")


def import_history(host: ExtensionHost, kind: str, path: str | None = None) -> bool:
    """Choose the file (unless given), preview it, import on Import; True when rows were written."""
    parent = host if isinstance(host, QWidget) else None
    title = KIND_WORDS[kind][0]
    if host.session.profile_id is None:
        host.show_status("Create or choose a profile first: the history is imported into one profile.")
        return False
    chosen = choose_csv(parent, f"Import {title.lower()} from CSV", path)
    if chosen is None:
        return False
    file, raw = chosen
    dlg = HistoryImportDialog(host.session, raw, file.name, kind, parent)
    host.history_import_dialog = dlg  # type: ignore[attr-defined]
    if not dlg.exec():
        return False
    host.refresh()  # one evaluation: every view follows
    host.show_status(dlg.result_text, 8000)
    return True


def attach(host: ExtensionHost) -> QMenu:
    """File ▸ Import ▸ Card history CSV… and Exam attempts CSV…."""
    owner = host if isinstance(host, QWidget) else None
    menu = QMenu("&Import", owner)
    menu.setObjectName("menuImport")
    for kind, text in (("cards", "&Card history CSV…"), ("attempts", "&Exam attempts CSV…")):
        act = QAction(text, host if isinstance(host, QObject) else None)
        act.setStatusTip(f"Import {KIND_WORDS[kind][0].lower()} into this profile from a spreadsheet (CSV)")
        act.triggered.connect(lambda _c=False, k=kind: import_history(host, k))
        menu.addAction(act)
    host.add_file_actions(menu.menuAction(), group="import")
    host.import_menu = menu  # type: ignore[attr-defined]
    return menu


__all__ = ["HistoryImportDialog", "attach", "import_history"]
