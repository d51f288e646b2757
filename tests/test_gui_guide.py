"""Help ▸ User guide (gui/guide.py): F1 opens it on the step in view; contents; Ctrl+F."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence


def _guide(win):
    return win._guide_window


def test_f1_opens_the_guide_on_the_current_steps_section(img_window, qtbot):
    win = img_window
    assert win.act_guide.shortcut() in (QKeySequence("F1"), QKeySequence(QKeySequence.StandardKey.HelpContents))
    win.open_step("usmle.step2ck")
    win.act_guide.trigger()
    g = _guide(win)
    assert g.isVisible() and not g.isModal()
    assert g.current_anchor == "step-usmle.step2ck"
    assert g.contents.currentItem().text(0) == "USMLE Step 2 CK"
    # the section is scrolled into view: its heading is near the top of the page shown
    cur = g.browser.cursorForPosition(g.browser.viewport().rect().topLeft())
    assert "USMLE Step 2 CK" in cur.block().text() or g.browser.verticalScrollBar().value() > 0
    # on the dashboard, the guide opens on its first page
    win.tabs.setCurrentIndex(0)
    win.dashboard.setFocus()
    win.act_guide.trigger()
    assert g.browser.verticalScrollBar().value() == 0


def test_the_rules_moved_to_shift_f1(img_window):
    assert img_window.act_rules.shortcut() == QKeySequence("Shift+F1")


def test_a_card_step_opens_the_shared_card_section(qtbot, data_dir, today, shown_window):
    from gui.guide import open_guide
    from gui.shell import open_session

    s = open_session(data_dir, today, demo=False)
    pid = s.store.create_profile("Noor", "nurse_picu", ["pals"], {})
    s.switch(pid)
    win = shown_window(s)
    g = open_guide(win, "pals.renewal")
    assert g.current_anchor == "step-card.renewal"
    g.show_step("pals")
    assert g.current_anchor == "cards"


def test_contents_jump_and_find(img_window, qtbot):
    from gui.guide import open_guide

    g = open_guide(img_window)
    top = [g.contents.topLevelItem(i).text(0) for i in range(g.contents.topLevelItemCount())]
    assert "What the statuses mean" in top and "The ECFMG Pathways" in top and "Privacy" in top
    item = next(g.contents.topLevelItem(i) for i in range(g.contents.topLevelItemCount())
                if g.contents.topLevelItem(i).text(0) == "Privacy")
    g.contents.setCurrentItem(item)
    assert g.current_anchor == "privacy"
    g.activateWindow()
    qtbot.waitUntil(g.isActiveWindow)
    g.browser.setFocus()
    qtbot.keyClick(g.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(g.find_edit.hasFocus)
    qtbot.keyClicks(g.find_edit, "Mini-CEX")
    assert g.browser.textCursor().selectedText() == "Mini-CEX"
    first = g.browser.textCursor().position()
    qtbot.keyClick(g.find_edit, Qt.Key.Key_Return)
    assert g.browser.textCursor().position() != first
    g.find_edit.setText("no such phrase anywhere")
    assert g.find_next() is False and g.find_status.text() == "Not found"


def test_every_shortcut_of_the_window_is_in_the_guides_keyboard_table(qtbot, demo_session, shown_window):
    """The guide's Keyboard table listed 9 of the window's 23 shortcuts: Find (Ctrl+K), the
    panels' Ctrl+Shift keys, New profile, Rename, Quit were nowhere in the guide."""
    import re

    from PySide6.QtGui import QAction

    from core.guide import guide_path

    html = guide_path("en").read_text(encoding="utf-8")
    table = html[html.index('name="keys"'):]
    table = table[:table.index("</table>")]
    listed = {k.strip() for cell in re.findall(r"<tr><td>([^<]*)</td>", table) for k in cell.split(",")}
    win = shown_window(demo_session)
    missing = []
    for a in win.findChildren(QAction):
        for seq in a.shortcuts():
            key = seq.toString(QKeySequence.SequenceFormat.PortableText)
            if re.fullmatch(r"Ctrl\+Shift\+\d", key):  # the walk-throughs, one per journey: "Ctrl+Shift+1, …"
                key = "Ctrl+Shift+1"
            if key not in listed:
                missing.append(f"{key} ({a.text().replace('&', '')})")
    assert not missing, missing
