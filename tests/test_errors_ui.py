"""An unexpected exception shows a dialog with the details and the log path; the app keeps running."""

import logging
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from gui import errors


@pytest.fixture
def installed(tmp_path, monkeypatch):
    from core.logs import configure_logging, shutdown_logging
    from core.paths import DataPaths

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    log_file = configure_logging(DataPaths(tmp_path / "data").ensure())
    errors.install(log_file, qt_messages=False)
    yield log_file
    d = errors.current_dialog()
    if d is not None:
        d.close()
    shutdown_logging()


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_the_dialog_and_the_app_keeps_running(qtbot, installed):
    calls = []

    def boom():
        calls.append(1)
        raise RuntimeError("the slot failed")

    button = QPushButton("Go")
    qtbot.addWidget(button)
    button.clicked.connect(boom)
    button.show()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: errors.current_dialog() is not None and errors.current_dialog().isVisible())
    dialog = errors.current_dialog()
    details = dialog.detailedText()
    assert "RuntimeError: the slot failed" in details and "Traceback" in details
    assert str(installed) in details and str(installed) in dialog.message.text()
    # the details can be copied
    dialog.copy_button.click()
    assert "the slot failed" in QApplication.clipboard().text()
    assert dialog.isVisible()  # copying does not close it
    # the exception went to the log
    for h in logging.getLogger("certpath").handlers:
        h.flush()
    assert "RuntimeError: the slot failed" in installed.read_text(encoding="utf-8")
    # the app is still running: the same button works again, and the new error joins the dialog
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(calls) == 2
    assert dialog.detailedText().count("the slot failed") >= 2
    dialog.close()


def test_hook_without_a_qapplication_path_writes_stderr(monkeypatch, capsys):
    monkeypatch.setattr(QApplication, "instance", staticmethod(lambda: None))
    try:
        raise ValueError("no window")
    except ValueError:
        errors.show_error(*sys.exc_info())
    assert errors.current_dialog() is None or not errors.current_dialog().isVisible()
