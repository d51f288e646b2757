"""Keyboard only: Tab goes through a view in the order it reads, top to bottom."""

from __future__ import annotations

from PySide6.QtCore import Qt


def _tab_chain(start, stop_at, limit=40):
    """The widgets Tab reaches from `start` (focusable, shown), until `stop_at` is reached."""
    out, w = [start], start
    for _ in range(limit):
        w = w.nextInFocusChain()
        if w is stop_at:
            break
        if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            out.append(w)
    return out


def test_dashboard_tab_order_follows_the_page(qtbot, demo_session, shown_window):
    """The demo's dashboard reads: What if, the next thing to do, your team, progress per track,
    what blocks you, next actions, deadlines. Tab went from 'Open: …' to what blocks you and
    reached the team and the Walk me through buttons last."""
    win = shown_window(demo_session)
    d = win.dashboard
    qtbot.waitUntil(lambda: d.walk_buttons and d.blocks_label.isVisible())
    chain = _tab_chain(d.what_if_button, win.navigator)
    names = [w.objectName() or w.text() for w in chain]
    team = names.index("teamSummaryText")
    walks = [names.index(f"walk_{t}") for t in d.walk_buttons]
    assert names.index("openNextStep") < team < min(walks)
    assert walks == sorted(walks) and max(walks) < names.index("blocksNow")
    assert names.index("blocksNow") < names.index("nextActions") < names.index("deadlines")


def test_ctrl_s_before_any_step_is_open_says_why_nothing_is_saved(qtbot, demo_session, shown_window):
    win = shown_window(demo_session)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    assert win.current_page() is None
    qtbot.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "No step is open" in win.statusBar().currentMessage()
