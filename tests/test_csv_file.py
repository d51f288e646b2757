"""gui/csv_file.choose_csv: the one way the import dialogs pick and read a CSV file."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

import core.csv_import as csv_import
from gui.csv_file import choose_csv


def test_a_given_file_is_read(qtbot, tmp_path):
    f = tmp_path / "team.csv"
    f.write_bytes(b"name,role\nAna,nurse_picu\n")
    got = choose_csv(None, "Import", str(f))
    assert got == (f, b"name,role\nAna,nurse_picu\n")


def test_cancel_in_the_file_dialog_reads_nothing(qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    assert choose_csv(None, "Import") is None


def test_a_file_over_the_limit_or_missing_is_said_not_raised(qtbot, tmp_path, monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: said.append(text))
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 101)
    monkeypatch.setattr(csv_import, "MAX_BYTES", 100)
    assert choose_csv(None, "Import", str(big)) is None
    assert "the file is 101 bytes; the limit is 100" in said[-1]
    assert choose_csv(None, "Import", str(tmp_path / "gone.csv")) is None
    assert "gone.csv" in said[-1] and len(said) == 2
