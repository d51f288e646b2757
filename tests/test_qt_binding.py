"""Guard against the PySide6 6.12.0 refcount bug: on CPython 3.11 its void-returning methods
drop a reference to None each call, and a long session aborts ("deallocating None").
requirements.lock pins a release without it; this test fails if a bad one comes back."""

import sys

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


def test_void_qt_calls_do_not_leak_references_to_none(qtbot):
    table = QTableWidget(10, 2)
    qtbot.addWidget(table)
    before = sys.getrefcount(None)
    for i in range(500):
        table.setItem(i % 10, 0, QTableWidgetItem("x"))
        table.resizeColumnToContents(0)
    assert sys.getrefcount(None) - before > -50
