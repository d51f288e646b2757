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


def test_enter_in_the_filter_goes_to_the_first_match_and_keeps_the_dialog_open(qtbot, today):
    """Enter in the filter pressed the dialog's Close (its default button): the dialog and the
    filter typed were gone. Now it goes to the first rule shown; an empty detail pane says what
    goes there."""
    from gui.rules_dialog import RulesDialog

    d = RulesDialog(today)
    qtbot.addWidget(d)
    d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    assert d.detail.placeholderText().startswith("Select a rule")
    d.filter.setFocus()
    qtbot.keyClicks(d.filter, "step3")
    qtbot.keyClick(d.filter, Qt.Key.Key_Return)
    assert d.isVisible() and d.result() == 0
    row = d.table.currentRow()
    assert row >= 0 and not d.table.isRowHidden(row) and "step3" in d.rules[row].id
    assert QApplication.focusWidget() is d.table
    assert d.rules[row].statement in d.detail.toPlainText()
