"""The menus an extension fills (gui/extensions.py HostMixin.add_file_actions, main_window
add_panel): the File menu in groups (imports together, a separator before Quit), and every item of a
menu reachable by its own Alt-key letter."""

from __future__ import annotations

import pytest
from mnemonics_util import clashes as _clashes
from mnemonics_util import mnemonic as _mnemonic
from PySide6.QtWidgets import QMainWindow

from gui.extensions import FILE_GROUPS, HostMixin


def _items(menu):
    """(text or '---', action) of a menu's items as Qt shows them (a separator is '---')."""
    return [("---" if a.isSeparator() else a.text().replace("&", ""), a) for a in menu.actions()]


def _menus(menu):
    yield menu
    for a in menu.actions():
        if a.menu() is not None:
            yield from _menus(a.menu())


def test_file_menu_groups_imports_together_and_a_separator_before_quit(demo_session, shown_window):
    win = shown_window(demo_session)
    items = _items(win.menu_file)
    texts = [t for t, _ in items]
    assert texts[-1] == "Quit" and texts[-2] == "---"
    assert all(not (a == b == "---") for a, b in zip(texts, texts[1:], strict=False))  # no empty group
    # the team import sits beside File ▸ Import, nothing between them
    i, j = texts.index("Import team from CSV…"), texts.index("Import")
    assert abs(i - j) == 1 and win.import_menu.menuAction() is items[j][1]
    # each group is one block between separators, in FILE_GROUPS' order
    blocks, block = [], []
    for t in texts:
        if t == "---":
            blocks.append(block)
            block = []
        else:
            block.append(t)
    assert ["Back up everything…", "Restore from a backup…"] in blocks
    assert ["Update rules…"] in blocks and ["Undo applying a scenario"] in blocks
    order = [blocks.index(b) for b in (
        ["Import team from CSV…", "Import"],
        ["Export document packet…", "Write status report (PDF)…", "Export calendar (.ics)…", "Export CSV…"],
        ["Back up everything…", "Restore from a backup…"], ["Update rules…"], ["Undo applying a scenario"])]
    assert order == sorted(order)


def test_add_file_actions_keeps_groups_whatever_the_attach_order(qtbot):
    from PySide6.QtGui import QAction

    class Host(HostMixin, QMainWindow):
        def __init__(self):
            super().__init__()
            self.menu_file = self.menuBar().addMenu("&File")
            self.menu_file.addAction("&New")
            self.act_quit = self.menu_file.addAction("&Quit")

    h = Host()
    qtbot.addWidget(h)
    made = {}
    for name, group in (("undo", "undo"), ("exp1", "export"), ("imp1", "import"), ("exp2", "export"),
                        ("imp2", "import")):
        made[name] = QAction(name, h)
        h.add_file_actions(made[name], group=group)
    assert [t for t, _ in _items(h.menu_file)] == [
        "New", "---", "imp1", "imp2", "---", "exp1", "exp2", "---", "undo", "---", "Quit"]
    assert FILE_GROUPS.index("import") < FILE_GROUPS.index("export") < FILE_GROUPS.index("undo")
    with pytest.raises(ValueError):
        h.add_file_actions(QAction("x", h), group="nowhere")


def test_every_view_item_has_an_alt_key_letter_and_no_menu_repeats_one(demo_session, shown_window):
    """The walkthrough's finding: View's panel items (add_panel) had no Alt-key letter. They get a
    free one (a word's first letter when it is free); no two items of any menu share one."""
    win = shown_window(demo_session)
    bar = win.menuBar()
    tops = [a for a in bar.actions() if a.menu() is not None]
    assert len({_mnemonic(a.text()) for a in tops}) == len(tops)
    for top in tops:
        for menu in _menus(top.menu()):
            assert _clashes([a.text() for a in menu.actions() if not a.isSeparator()]) == {}, menu.title()
    view = [a for a in win.menu_view.actions() if not a.isSeparator()]
    assert all(_mnemonic(a.text()) for a in view), [a.text() for a in view if not _mnemonic(a.text())]
    assert "&Costs" in [a.text() for a in view]  # a word's first letter when free
    assert win.tabs.tabText(win.tabs.indexOf(win._panels[0].holder)) == win._panels[0].title  # tabs unchanged


def test_with_mnemonic_prefers_a_free_word_start():
    from gui.main_window import mnemonic, with_mnemonic

    assert with_mnemonic("Application season", {"a"}) == "Application &season"
    assert with_mnemonic("Team", {"t", "e"}) == "Te&am"
    assert with_mnemonic("Ab", {"a", "b"}) == "Ab"
    assert mnemonic("Step &page") == "p" and mnemonic("Fish && chips") is None and mnemonic("R&&D &x") == "x"
