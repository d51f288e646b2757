"""The rules dialog (gui/rules_dialog.py)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


def test_rules_dialog_ids_have_a_tooltip_and_tab_leaves_the_table(qtbot, today):
    from gui.rules_dialog import RulesDialog

    d = RulesDialog(today)
    qtbot.addWidget(d)
    d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    assert d.table.item(0, 0).toolTip() == d.table.item(0, 0).text()
    d.table.setFocus()
    d.table.setCurrentCell(0, 0)
    qtbot.keyClick(d.table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is d.detail
