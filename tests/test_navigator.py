"""gui/navigator.py: at 1280 and 1920 wide every step label and status shows whole (no "…")."""

import pytest


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_no_label_is_cut_at_common_window_sizes(shown_window, demo_session, qtbot, size):
    win = shown_window(demo_session)
    win.resize(*size)
    qtbot.wait(20)
    nav = win.navigator
    assert nav.width() <= win._nav_cap() + 1
    fm = nav.fontMetrics()
    col0, col1 = nav.columnWidth(0), nav.columnWidth(1)
    assert col1 >= max(fm.horizontalAdvance(nav.topLevelItem(0).text(1)), fm.horizontalAdvance("◐ In progress"))
    item = nav.item_for("ecfmg.application")  # "Application for ECFMG Certification": the longest title
    rect = nav.visualItemRect(item)
    text_room = col0 - rect.left() - nav.iconSize().width() - 6
    assert fm.horizontalAdvance(item.text(0)) <= text_room, (item.text(0), text_room)
    assert nav.preferred_width() <= nav.width()
