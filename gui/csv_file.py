"""Choosing and reading a CSV file to import (the team roster, card history, exam attempts): one
file dialog, the size limit of core.csv_import, and the error said in a box instead of a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.wording import plural


def choose_csv(parent: QWidget | None, title: str, path: str | None = None) -> tuple[Path, bytes] | None:
    """The chosen file (or `path`) and its bytes; None when the user cancels or it cannot be read
    (said in a message box)."""
    from core.csv_import import MAX_BYTES

    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, title, str(Path.home()),
                                              "CSV files (*.csv *.txt);;All files (*)")
        if not path:
            return None
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise OSError(f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        return Path(path), Path(path).read_bytes()
    except OSError as e:
        QMessageBox.warning(parent, "Cannot read the file", f"{path}: {getattr(e, 'strerror', None) or e}")
        return None


def row_problem_text(row) -> str:
    """A preview row's problems (✕) and notes, one a line; "✓ OK" when it has neither
    (core.csv_import's PreviewRow: `problems` and `warnings` of CsvProblem)."""
    lines = [f"✕ {x.column + ': ' if x.column else ''}{x.message}" for x in row.problems]
    lines += [f"note: {x.column + ': ' if x.column else ''}{x.message}" for x in row.warnings]
    return "\n".join(lines) or "✓ OK"


class CsvPreviewDialog(QDialog):
    """What the import previews share (the team roster, card history, exam attempts): the notes
    above the rows, the table of rows with each row's verdict and problems, the summary line,
    Import and Cancel, and the import itself in one transaction (core.csv_import.commit). A
    subclass builds `notes` and `table` in its own layout, calls `add_footer`, and fills the
    table from its core preview with `show_unreadable` or `show_rows`."""

    session: Any
    file_name: str
    notes: QLabel
    table: QTableWidget
    preview: Any = None
    result_text: str = ""

    def add_footer(self, lay: QVBoxLayout) -> None:
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.do_import)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def reload(self) -> None:
        raise NotImplementedError

    def show_unreadable(self, what: str, error: Exception) -> None:
        """The file is not a CSV of this kind: said above the table, nothing to import."""
        self.preview = None
        self.notes.setText(f"This file cannot be read as {what} CSV: {error}")
        self.summary.setText("Nothing can be imported from it.")
        self.import_button.setEnabled(False)

    def show_rows(self, p: Any, verdict: Callable[[Any], str]) -> tuple[int, int]:
        """Fill the notes and the table from the preview `p` (rows not imported in the expired
        colour); the numbers of rows that can and cannot be imported."""
        from . import theme

        self.preview = p
        notes = [*p.notes, *(str(x) for x in p.problems)]
        self.notes.setText("\n".join(notes) if notes else f"{plural(len(p.rows), 'row')} in {self.file_name}.")
        err = theme.status_color("expired")
        self.table.setRowCount(len(p.rows))
        for i, r in enumerate(p.rows):
            cells = [str(r.row), r.label, verdict(r) if r.ok else "✕ Not imported", row_problem_text(r)]
            for c, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setToolTip(text)
                if not r.ok:
                    it.setForeground(err)
                self.table.setItem(i, c, it)
        return len(p.valid_rows), len(p.invalid_rows)

    @staticmethod
    def can_import_text(p: Any, n_ok: int, n_bad: int) -> str:
        return (f"{n_ok} of {len(p.rows)} rows can be imported"
                + (f"; {plural(n_bad, 'row')} with problems will be left out." if n_bad else "."))

    def do_import(self) -> None:
        from core.csv_import import commit
        from core.validate import ValidationError

        if self.preview is None or not self.import_button.isEnabled():
            return
        try:
            self.result_text = commit(self.session.store, self.preview, self.session.today)
        except (ValidationError, ValueError, OSError) as e:
            QMessageBox.warning(self, "Not imported", f"Nothing was imported: {e}")
            self.reload()
            return
        self.accept()
