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


def _width_by_walking_the_tree(nav) -> int:
    """preferred_width as it was measured before it read `populate`'s rows: every item of the tree."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QTreeWidgetItemIterator

    fm = nav.fontMetrics()
    icon = nav.iconSize().width() if nav.iconSize().isValid() else 16
    widest0 = widest1 = 0
    it = QTreeWidgetItemIterator(nav)
    while it.value() is not None:
        item = it.value()
        depth, up = 0, item.parent()
        while up is not None:
            depth, up = depth + 1, up.parent()
        f0 = item.font(0)
        w0 = (QFontMetrics(f0) if f0 != nav.font() else fm).horizontalAdvance(item.text(0))
        widest0 = max(widest0, (depth + 1) * nav.indentation() + (icon + 6 if not item.icon(0).isNull() else 0) + w0)
        widest1 = max(widest1, fm.horizontalAdvance(item.text(1)))
        it += 1
    widest1 = max(widest1, fm.horizontalAdvance(nav.headerItem().text(1)))
    return widest0 + 16 + widest1 + 16 + 2 * nav.frameWidth() + nav.verticalScrollBar().sizeHint().width()


def test_the_preferred_width_is_what_every_item_of_the_tree_needs(shown_window, demo_session, qtbot):
    """The rows `populate` keeps for preferred_width say what the tree's items say: every profile,
    in the window's font and in a larger one (the bold track rows measured in their own font)."""
    win = shown_window(demo_session)
    nav = win.navigator
    for profile in demo_session.store.list_profiles():
        demo_session.profile_id = profile["id"]
        win.refresh()
        assert nav.topLevelItemCount() > 0
        assert nav.preferred_width() == _width_by_walking_the_tree(nav)
        nav.setStyleSheet("QTreeWidget { font-size: 19px; }")
        assert nav.preferred_width() == _width_by_walking_the_tree(nav)
        nav.setStyleSheet("")
    nav.populate(None)
    assert nav.preferred_width() == _width_by_walking_the_tree(nav)
