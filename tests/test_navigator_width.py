"""The navigator's width: fitted to its labels until the user drags its edge; then the user's."""

from __future__ import annotations


def _drag(win, qtbot, width: int) -> int:
    win.split.moveSplitter(width, 1)  # what dragging the handle does (it emits splitterMoved)
    qtbot.wait(10)
    return win.navigator.width()


def test_a_navigator_narrowed_by_hand_stays_narrow_when_the_window_resizes(shown_window, demo_session, qtbot):
    win = shown_window(demo_session)
    qtbot.wait(20)
    fitted = win.navigator.width()
    assert fitted >= min(win.navigator.preferred_width(), win._nav_cap()) - 1
    assert fitted > 280  # the demo's labels want more than the width dragged to below
    mine = _drag(win, qtbot, 240)
    assert abs(mine - 240) <= 2
    for size in ((1400, 800), (1920, 1080), (1280, 800)):
        win.resize(*size)
        qtbot.wait(20)
        assert win.navigator.width() == mine, size  # before: widened back to its labels' width
    win.refresh()  # a Save, a profile switch: the rows are rebuilt, the width stays the user's
    qtbot.wait(10)
    assert win.navigator.width() == mine


def test_the_users_width_gives_way_to_a_narrow_window_and_comes_back(shown_window, demo_session, qtbot):
    win = shown_window(demo_session)
    win.resize(1920, 1080)
    qtbot.wait(20)
    mine = _drag(win, qtbot, 600)
    assert abs(mine - 600) <= 2
    win.resize(1100, 800)
    qtbot.wait(20)
    assert win.navigator.width() <= win._nav_cap() + 1  # the step page keeps its room
    win.resize(1920, 1080)
    qtbot.wait(20)
    assert win.navigator.width() == mine


def test_the_users_width_is_kept_for_the_next_start(shown_window, demo_session, qtbot):
    from gui.main_window import NAV_WIDTH_SETTING, MainWindow

    win = shown_window(demo_session)
    qtbot.wait(20)
    mine = _drag(win, qtbot, 250)
    win.save_geometry()  # what closing the window does
    assert demo_session.store.setting(NAV_WIDTH_SETTING) == mine
    again = MainWindow(demo_session)
    qtbot.addWidget(again)
    again.resize(1280, 800)
    again.show()
    qtbot.wait(20)
    assert again.navigator.width() == mine


def test_without_a_drag_the_navigator_still_fits_its_labels(shown_window, demo_session, qtbot):
    from gui.main_window import NAV_WIDTH_SETTING

    win = shown_window(demo_session)
    win.resize(1000, 800)
    qtbot.wait(20)
    narrow = win.navigator.width()
    win.resize(1920, 1080)
    qtbot.wait(20)
    assert win.navigator.width() > narrow or narrow >= win.navigator.preferred_width()
    assert win.navigator.width() >= min(win.navigator.preferred_width(), win._nav_cap()) - 1
    win.save_geometry()
    assert demo_session.store.setting(NAV_WIDTH_SETTING) is None  # nothing chosen, nothing kept
