"""The main window (gui/main_window.py): menus and panels by keyboard."""

import pytest
from mnemonics_util import clashes as _clashes
from mnemonics_util import mnemonic as _mnemonic
from mnemonics_util import screen_texts as _screen_texts


@pytest.fixture
def win(img_window):  # tests/conftest.py
    return img_window


def test_file_menu_and_panels_have_no_mnemonic_clash_and_quit_has_a_shortcut(qtbot, win):
    for menu_action in win.menuBar().actions():
        texts = [a.text() for a in menu_action.menu().actions() if not a.isSeparator()]
        assert _clashes(texts) == {}, menu_action.text()
        for a in menu_action.menu().actions():
            if not a.isSeparator():
                assert _mnemonic(a.text()) or not a.shortcut().isEmpty(), a.text()
    assert not win.act_quit.shortcut().isEmpty()
    for title in ("Documents", "Reminders", "Costs"):
        win.tabs.setCurrentWidget(win.panel(title))
        qtbot.waitUntil(lambda: win.panel(title).isVisible())  # noqa: B023
        assert _clashes(_screen_texts(win)) == {}, title  # Reminders: &Done vs &Dashboard, S&tages vs S&tep
