"""Choosing and reading a CSV file to import (the team roster, card history, exam attempts): one
file dialog, the size limit of core.csv_import, and the error said in a box instead of a traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


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
