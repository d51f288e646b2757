"""Unexpected errors: logged with their traceback, shown in a dialog, and the app keeps running.

`install(log_path)` sets sys.excepthook (PySide6 also routes exceptions raised in slots and
virtual methods through it) and, optionally, a Qt message handler that sends Qt's own warnings
to the log. The dialog says what happened, where the log file is, and has the details to copy.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

log = logging.getLogger("certpath.errors")

_log_path: Path | None = None
_dialog = None  # the dialog on screen, if any (one at a time; later errors are added to it)
_showing = False


def format_details(exc_type, exc, tb) -> str:
    return "".join(traceback.format_exception(exc_type, exc, tb))


def current_dialog():
    return _dialog


def _to_stderr(text: str) -> None:
    """The details on the original stderr, when there is one (a windowed app on Windows has none)."""
    if sys.__stderr__ is not None:
        sys.__stderr__.write(text)


def show_error(exc_type, exc, tb) -> None:
    """The excepthook: log, then show (or extend) the dialog. Never raises."""
    global _dialog, _showing
    details = format_details(exc_type, exc, tb)
    try:
        log.error("Unexpected error\n%s", details)
    except Exception:  # noqa: BLE001 - the hook must not fail
        pass
    if _showing:
        return
    try:
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is None:
            _to_stderr(details)
            return
        _showing = True
        if _dialog is not None and _dialog.isVisible():
            _dialog.setDetailedText(_dialog.detailedText() + "\n" + details)
            return
        _dialog = _make_dialog(exc_type, exc, details)
        _dialog.show()
    except Exception:  # noqa: BLE001
        _to_stderr(details)
    finally:
        _showing = False


def _make_dialog(exc_type, exc, details: str):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QApplication,
        QDialog,
        QDialogButtonBox,
        QLabel,
        QPlainTextEdit,
        QPushButton,
        QVBoxLayout,
    )

    class ErrorDialog(QDialog):
        def __init__(self) -> None:
            super().__init__()
            self.setObjectName("errorDialog")
            self.setWindowTitle("CertPath: something went wrong")
            lay = QVBoxLayout(self)
            where = f" The details are also in the log file:\n{_log_path}" if _log_path else ""
            self.message = QLabel(
                "Something unexpected went wrong. Your saved data is safe and CertPath is still "
                "running; the action you were doing may not have finished." + where)
            self.message.setWordWrap(True)
            self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lay.addWidget(self.message)
            self.details = QPlainTextEdit()
            self.details.setReadOnly(True)
            self.details.setAccessibleName("Error details")
            lay.addWidget(self.details)
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            self.copy_button = QPushButton("&Copy details")
            buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.copy_button.clicked.connect(self.copy)
            buttons.rejected.connect(self.reject)
            lay.addWidget(buttons)
            self.resize(640, 420)

        def detailedText(self) -> str:  # noqa: N802 (QMessageBox's name)
            return self.details.toPlainText()

        def setDetailedText(self, text: str) -> None:  # noqa: N802
            self.details.setPlainText(text)

        def copy(self) -> None:
            QApplication.clipboard().setText(self.detailedText())

    box = ErrorDialog()
    box.setDetailedText(f"{exc_type.__name__}: {exc}\n\n{details}"
                        + (f"\nLog file: {_log_path}\n" if _log_path else ""))
    return box


def _qt_message(mode, context, message: str) -> None:
    from PySide6.QtCore import QtMsgType

    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(mode, logging.ERROR)
    logging.getLogger("certpath.qt").log(level, "%s", message)


def install(log_path: Path | None, *, qt_messages: bool = True) -> None:
    global _log_path
    _log_path = log_path
    sys.excepthook = show_error
    if qt_messages:
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(_qt_message)
