"""One question before typing is thrown away: Discard / Keep editing (Keep editing is the default,
and Escape answers it, so a stray key never loses anything)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_discard(parent: QWidget | None, question: str, detail: str) -> bool:
    """True when the user chose Discard."""
    box = QMessageBox(parent)
    box.setObjectName("ask_discard")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("CertPath")  # the question is the text: as a title it was cut ("Discard t…w profile?")
    box.setText(question)
    box.setInformativeText(detail)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
    discard.setObjectName("discard")
    keep.setObjectName("keep_editing")
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard
