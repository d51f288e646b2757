"""View ▸ Theme (gui/appearance.py): System / Light / Dark, remembered, applied live."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from gui import appearance, theme


@pytest.fixture
def fresh_theme(qapp):
    """Each test starts light with no remembered controller, and leaves the app light."""
    theme.apply_light(qapp)
    appearance.reset()
    yield qapp
    appearance.reset()
    theme.apply_light(qapp)


def _window_lightness(app) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


def test_choosing_dark_changes_the_palette_and_is_remembered(fresh_theme, img_window, qtbot):
    app = fresh_theme
    win = img_window
    assert not theme.is_dark()
    win._theme_actions["dark"].trigger()
    assert theme.is_dark() and _window_lightness(app) < 128
    assert win.session.store.setting(appearance.SETTING) == "dark"
    assert win._theme_actions["dark"].isChecked() and not win._theme_actions["light"].isChecked()
    # the window re-rendered in the new palette (the next-step box takes its background from it)
    base = theme.dark_palette().color(QPalette.ColorRole.Base).name()
    assert f"background: {base}" in win.dashboard.next_box.styleSheet()
    # the next start reads the choice from the same data folder
    theme.apply_light(app)
    appearance.reset()
    ap = appearance.install(app, win.session.store)
    assert ap.mode == "dark" and theme.is_dark()
    # and Light goes back, remembered too
    ap.set_mode("light")
    assert not theme.is_dark()
    assert win.session.store.setting(appearance.SETTING) == "light"


def test_system_follows_a_simulated_scheme(fresh_theme, store, monkeypatch):
    app = fresh_theme
    scheme = {"now": Qt.ColorScheme.Light}
    monkeypatch.setattr(appearance.Appearance, "system_scheme", lambda self: scheme["now"])
    ap = appearance.install(app, store)
    assert ap.mode == "system" and not theme.is_dark()
    seen = []
    ap.changed.connect(seen.append)
    scheme["now"] = Qt.ColorScheme.Dark
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert theme.is_dark() and seen == [True]
    scheme["now"] = Qt.ColorScheme.Light
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not theme.is_dark() and seen == [True, False]
    # a fixed choice does not follow the system any more
    ap.set_mode("light")
    scheme["now"] = Qt.ColorScheme.Dark
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not theme.is_dark()


def test_forced_dark_flag_wins_until_a_choice_is_made(fresh_theme, store):
    app = fresh_theme
    store.set_setting(appearance.SETTING, "light")
    ap = appearance.install(app, store, forced_dark=True)  # --dark
    assert theme.is_dark()
    assert store.setting(appearance.SETTING) == "light"  # --dark is for this run only
    ap.set_mode("system")
    assert ap.forced_dark is False


def test_built_widgets_take_the_other_palettes_colours_live(fresh_theme, store, qtbot):
    app = fresh_theme
    ap = appearance.install(app, store)
    muted = QLabel("hint")
    muted.setStyleSheet(f"color: {theme.muted_color()};")
    rich = QLabel()
    rich.setTextFormat(Qt.TextFormat.RichText)
    rich.setText(f"<b style='color:{theme.status_color('done').name()}'>Done</b>")
    fg, bg = theme.badge_colors("medium")
    badge = QLabel("Medium")
    badge.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; }}")
    for w in (muted, rich, badge):
        qtbot.addWidget(w)
    ap.set_mode("dark")
    assert theme.MUTED[1] in muted.styleSheet()
    assert theme.STATUS_STYLE["done"][2] in rich.text()
    dfg, dbg = theme.BADGES["medium"][1]
    assert badge.styleSheet() == f"QLabel {{ color: {dfg}; background: {dbg}; }}"
    ap.set_mode("light")
    assert badge.styleSheet() == f"QLabel {{ color: {fg}; background: {bg}; }}"
    assert theme.MUTED[0] in muted.styleSheet()


def test_the_colour_tables_swap_both_ways_without_ambiguity():
    to_dark, to_light = appearance._maps()
    for light, dark in appearance.colour_pairs():
        assert to_dark[light] == dark, f"{light} maps to two dark colours"
        assert to_light[dark] == light, f"{dark} maps to two light colours"
    sheet = "color: #1e3a8a; background: #dbeafe;"  # medium badge: a light fg is a dark bg
    assert appearance.swap_colours(appearance.swap_colours(sheet, True), False) == sheet


def test_a_read_only_folder_keeps_the_theme_for_this_run(fresh_theme, store, monkeypatch):
    app = fresh_theme
    ap = appearance.install(app, store)

    def refuse(*_a, **_k):
        raise OSError("read-only")

    monkeypatch.setattr(store, "set_setting", refuse)
    assert ap.set_mode("dark") is False
    assert theme.is_dark()


def test_dialogs_follow_the_theme(fresh_theme, store, qtbot):
    from PySide6.QtWidgets import QMessageBox

    ap = appearance.install(fresh_theme, store)
    ap.set_mode("dark")
    box = QMessageBox()
    qtbot.addWidget(box)
    assert theme.is_dark(box.palette())
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def test_every_status_symbol_has_a_font_here(qapp):
    """The symbol written before each status draws from a font this machine has (⛔ was a box
    on a bare Linux: no installed font has U+26D4)."""
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

    from gui.licence_compare import MARKS

    families = QFontDatabase.families()
    symbols = [(status, sym) for status, (sym, _light, _dark) in theme.STATUS_STYLE.items()]
    symbols += list(MARKS.items())  # the licence comparison's marks (met, missing, ...)
    for what, sym in symbols:
        cp = ord(sym)
        assert any(QFontMetrics(QFont(f)).inFontUcs4(cp) for f in families), (what, sym)
    # and the test can tell: a code point no installed font has is found missing
    assert not any(QFontMetrics(QFont(f)).inFontUcs4(0x10FFFD) for f in families)
