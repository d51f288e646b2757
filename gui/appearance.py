"""View ▸ Theme: System / Light / Dark, remembered, applied live.

`install(app, store, forced_dark)` runs once at start-up (gui/shell.py), before the first window,
so onboarding and every dialog open in the chosen theme; `add_menu(window, menu)` puts the Theme
submenu in the View menu. The choice is kept in the data folder's settings (`ui.theme`, the same
table as the window geometry); `--dark` forces the dark palette for one run without changing it.

- Dark: the Fusion style with the app's own dark palette (`theme.dark_palette`, as `--dark`).
- Light: the Fusion style with its standard light palette.
- System: the platform's style and palette, following `QStyleHints.colorScheme()` (Qt 6.5+) and
  its `colorSchemeChanged` signal. When the system says dark but the platform gives no dark
  palette (a bare Linux, Windows' classic style), the app's dark palette stands in.

Widgets that took a colour from `theme` when they were built (a muted hint, an error line, a
badge) carry it in their style sheet; a switch rewrites those colours to the other palette's
(`swap_colours`), and the window re-renders (icons, the dashboard's rich text) through
`changed`.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QWidget

from . import theme

log = logging.getLogger("certpath.appearance")

SETTING = "ui.theme"
MODES = (("system", "&System"), ("light", "&Light"), ("dark", "&Dark"))
MODE_IDS = tuple(m for m, _ in MODES)


def colour_pairs() -> list[tuple[str, str]]:
    """(light, dark) of every colour `theme` hands out, for rewriting built widgets' styles."""
    pairs = [(light, dark) for _sym, light, dark in theme.STATUS_STYLE.values()]
    for light_pair, dark_pair in theme.BADGES.values():
        pairs += list(zip(light_pair, dark_pair, strict=True))
    pairs += [theme.MUTED, theme.ERROR]
    return [(a.lower(), b.lower()) for a, b in pairs]


def _maps() -> tuple[dict[str, str], dict[str, str]]:
    to_dark: dict[str, str] = {}
    to_light: dict[str, str] = {}
    for light, dark in colour_pairs():
        to_dark.setdefault(light, dark)
        to_light.setdefault(dark, light)
    return to_dark, to_light


_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def swap_colours(text: str, dark: bool) -> str:
    """`text` (a style sheet or rich text) with the theme's colours of one palette replaced by
    the other's, all in one pass (a colour that is light in one pair and dark in another is
    mapped once, never twice)."""
    table = _maps()[0 if dark else 1]
    return _HEX.sub(lambda m: table.get(m.group(0).lower(), m.group(0)), text)


def _restyle_widgets(dark: bool) -> int:
    n = 0
    for w in QApplication.allWidgets():
        sheet = w.styleSheet()
        if sheet and "#" in sheet:
            new = swap_colours(sheet, dark)
            if new != sheet:
                w.setStyleSheet(new)
                n += 1
        if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.PlainText:
            text = w.text()
            if "#" in text and "<" in text:
                new = swap_colours(text, dark)
                if new != text:
                    w.setText(new)
                    n += 1
    return n


class Appearance(QObject):
    """The app's theme: the user's choice, the system's scheme, and what is applied."""

    changed = Signal(bool)  # dark: the palette was switched (views re-render)

    def __init__(self, app: QApplication, store=None, forced_dark: bool = False) -> None:
        super().__init__(app)
        self.app = app
        self.store = store
        self.forced_dark = forced_dark
        # the platform's style, read when the theme first leaves it: the first Python wrapper of a
        # QStyle makes PySide6 create its ~20 enum types (~15-25 ms before the window's first paint)
        self._native_style: str | None = None
        self.mode = self._stored()
        self.dark: bool | None = None
        app.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    @property
    def native_style(self) -> str:
        """The style the app had before this theme first changed it (the System theme's)."""
        if self._native_style is None:
            self._native_style = self.app.style().name()
        return self._native_style

    # -- the choice -------------------------------------------------------------------------------
    def _stored(self) -> str:
        try:
            mode = self.store.setting(SETTING, "system") if self.store is not None else "system"
        except Exception:  # noqa: BLE001 - an unreadable setting is the default, never a failure
            mode = "system"
        return mode if mode in MODE_IDS else "system"

    def set_mode(self, mode: str, remember: bool = True) -> bool:
        """Apply `mode` now; keep it for the next start. False when it could not be kept (a
        read-only data folder): the theme still applies for this run."""
        if mode not in MODE_IDS:
            raise ValueError(f"unknown theme {mode!r}")
        self.mode = mode
        self.forced_dark = False  # a choice in the menu wins over --dark from then on
        self.apply()
        if remember and self.store is not None:
            try:
                self.store.set_setting(SETTING, mode)
            except Exception:  # noqa: BLE001 - read-only folder, disk full: said by the caller
                log.warning("the theme choice could not be saved", exc_info=True)
                return False
        return True

    def system_scheme(self) -> Qt.ColorScheme:
        return self.app.styleHints().colorScheme()

    def wants_dark(self) -> bool:
        if self.forced_dark or self.mode == "dark":
            return True
        if self.mode == "light":
            return False
        return self.system_scheme() == Qt.ColorScheme.Dark

    # -- applying ---------------------------------------------------------------------------------
    def apply(self) -> None:
        dark = self.wants_dark()
        hints = self.app.styleHints()
        if hasattr(hints, "setColorScheme"):  # Qt 6.8+: native title bars and dialogs follow
            hints.blockSignals(True)
            try:
                hints.setColorScheme({"dark": Qt.ColorScheme.Dark, "light": Qt.ColorScheme.Light}.get(
                    "dark" if self.forced_dark else self.mode, Qt.ColorScheme.Unknown))
            finally:
                hints.blockSignals(False)
        if self.mode == "system" and not self.forced_dark:
            # not read yet: the theme never set another style, the app has the native one
            if self._native_style is not None and self.app.style().name().lower() != self._native_style.lower():
                self.app.setStyle(self._native_style)
            if self.dark is not None:  # at start-up the palette is the platform's already
                self.app.setPalette(QPalette())  # the platform's own palette
            if dark and not theme.is_dark(self.app.palette()):
                _ = self.native_style  # read before Fusion replaces it
                theme.apply_dark(self.app)  # the system is dark but gave no dark palette
        elif dark:
            _ = self.native_style  # read before Fusion replaces it
            theme.apply_dark(self.app)
        else:
            _ = self.native_style
            theme.apply_light(self.app)
        theme.clear_icon_cache()
        QCoreApplication.sendPostedEvents()  # the widgets' palettes follow now, before they re-render
        was = self.dark
        self.dark = theme.is_dark(self.app.palette())
        if was is not None and was != self.dark:
            _restyle_widgets(self.dark)
        if was is not None:
            self.changed.emit(self.dark)

    def close(self) -> None:
        """Stop following the system and forget the windows (a test's teardown, a new install)."""
        try:
            self.app.styleHints().colorSchemeChanged.disconnect(self._scheme_changed)
        except (RuntimeError, TypeError):
            pass
        self.blockSignals(True)  # the windows it told about a switch are not told any more
        self.setParent(None)

    def _scheme_changed(self, _scheme=None) -> None:
        if self.mode == "system" and not self.forced_dark:
            self.apply()


_current: Appearance | None = None


def _check(actions: dict[str, QAction], ap: Appearance) -> None:
    try:
        for mode, a in actions.items():
            a.setChecked(mode == ap.mode and not ap.forced_dark)
    except RuntimeError:  # the menu is gone (its window closed)
        pass


def install(app: QApplication, store=None, forced_dark: bool = False) -> Appearance:
    """The app's Appearance, applied now (once per QApplication; later calls update the store)."""
    global _current
    if _current is not None and _current.app is app:
        if store is not None and _current.store is not store:
            _current.store = store
            _current.mode = _current._stored()
        _current.forced_dark = _current.forced_dark or forced_dark
        _current.apply()
        return _current
    _current = Appearance(app, store, forced_dark)
    _current.apply()
    return _current


def current() -> Appearance | None:
    return _current


def reset() -> None:
    """Forget the app's Appearance (tests: each starts from the stored choice again)."""
    global _current
    if _current is not None:
        _current.close()
    _current = None


def add_menu(window: QWidget, menu: QMenu) -> QMenu:
    """View ▸ Theme with System / Light / Dark (checkable, one at a time)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    store = getattr(getattr(window, "session", None), "store", None)
    ap = _current if (_current is not None and _current.app is app) else None
    if ap is None:
        ap = Appearance(app, store)  # a window made without the start-up (tests): adopt, don't repaint
        ap.dark = theme.is_dark(app.palette())
        globals()["_current"] = ap
    elif store is not None and ap.store is not store:
        ap.store = store  # another data folder's window (tests): its choice, not repainted here
        ap.mode = ap._stored()
    sub = menu.addMenu("T&heme")
    sub.setObjectName("menu_theme")
    group = QActionGroup(sub)
    group.setExclusive(True)
    actions: dict[str, QAction] = {}
    for mode, label in MODES:
        a = QAction(label, sub)
        a.setCheckable(True)
        a.setObjectName(f"theme_{mode}")
        a.setChecked(mode == ap.mode and not ap.forced_dark)
        group.addAction(a)
        sub.addAction(a)
        actions[mode] = a

        def choose(_checked=False, mode=mode) -> None:
            kept = ap.set_mode(mode)
            say = getattr(window, "show_status", None)
            if callable(say):
                name = dict(MODES)[mode].replace("&", "")
                say(f"Theme: {name}." if kept else
                    f"Theme: {name} for now; it could not be kept for the next start (the data folder is read-only).")
        a.triggered.connect(choose)
    if hasattr(window, "refresh"):
        ap.changed.connect(window.refresh)  # a bound slot: disconnected when the window goes
    ap.changed.connect(lambda _dark: _check(actions, ap))
    window._theme_actions = actions  # type: ignore[attr-defined]
    return sub
