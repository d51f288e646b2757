"""Extension point: modules listed here get `attach(host)` called once the main window is up (in
the app, just after its first paint: MainWindow(defer_extensions=True), call_after_first_paint).

An extension talks to the window only through `ExtensionHost` (below), a typed interface: it never
probes the window with hasattr/getattr. The window's `journeys` (gui/journey_service.py) holds the
current profile's evaluated journey; `journeys.journey_changed` fires once per change (a save, a
switch, an override, a new day), so a panel refreshes from what it is handed.

A module that fails to attach is logged and left out (the status bar says so): one broken
panel must not keep the user from their journey, and no traceback is ever shown.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu, QWidget

    from .journey_service import JourneyService
    from .session import Session

log = logging.getLogger("certpath.extensions")

# gui.dates_display first: it installs how dates read before any panel renders one
EXTENSIONS: list[str] = ["gui.dates_display", "gui.backup_ui", "gui.documents_ui", "gui.reminders_ui", "gui.costs_ui",
                         "gui.rules_update", "gui.team", "gui.season_ui", "gui.whatif_ui", "gui.search_ui",
                         "gui.history_import_ui"]


class ExtensionHost(Protocol):
    """What the main window offers an extension."""

    session: Session
    journeys: JourneyService  # the current journey; journey_changed(journey) once per change
    menu_file: QMenu
    menu_edit: QMenu
    menu_view: QMenu
    what_if_requested: SignalInstance  # (step key or ""): a What if… button was pressed

    def add_panel(self, title: str, widget: QWidget | Callable[[], QWidget], shortcut: str | None = None) -> QAction:
        """A tab (built when first shown when `widget` is a factory) and its View menu item."""
        ...

    def panel(self, title: str) -> QWidget | None:
        """The panel's widget, built now if it was not yet."""
        ...

    def current_step_id(self) -> str | None: ...

    def add_file_actions(self, *actions: QAction, group: str = "other") -> None:
        """Items for the File menu, above Quit, in `group` (one of FILE_GROUPS): the items of a
        group stay together, the groups in FILE_GROUPS' order, a separator between them and one
        before Quit."""
        ...

    def show_status(self, text: str, ms: int = 5000) -> None: ...

    def open_step(self, key: str) -> object: ...

    def switch_profile(self, pid: int | None = None) -> None:
        """Switch to profile `pid` (one evaluation for the switch; every view follows)."""
        ...

    def add_dashboard_section(self, widget: QWidget) -> None:
        """A section on the dashboard, under the next thing to do."""
        ...

    def show_banner(self, text: str, kind: str = "info", action: str | None = None,
                    on_action: Callable[[], object] | None = None) -> None:
        """A non-modal notice on the dashboard: a sentence, an optional action, Dismiss."""
        ...

    def refresh(self) -> None:
        """Re-read and re-evaluate the profile (journeys.reload()); every view follows."""
        ...


class RefreshWhenShown(QObject):
    """Call it on every change: it refreshes `widget` now if it is shown, else the next time it
    is (a panel in a hidden tab does not rebuild 10,000 rows for a Save on a step page)."""

    def __init__(self, widget: QWidget, refresh: Callable[[], object]) -> None:
        super().__init__(widget)
        self.widget = widget
        self.refresh = refresh
        self.stale = False
        widget.installEventFilter(self)

    def __call__(self, *_args: object) -> None:
        if self.widget.isVisible():
            self.stale = False
            self.refresh()
        else:
            self.stale = True

    def settle(self) -> None:
        """Refresh now if a change is pending (before reading the widget's data)."""
        if self.stale:
            self.stale = False
            self.refresh()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if obj is self.widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.refresh()
        return False


# The File menu's groups for extensions' items, in menu order (between the window's own Save
# and Quit): what brings data in, what writes it out, the data folder's safety, the rules, undo.
FILE_GROUPS: tuple[str, ...] = ("import", "export", "backup", "rules", "undo", "other")


class HostMixin:
    """`add_file_actions` and `show_status` for a QMainWindow host with `menu_file` and `act_quit`."""

    def add_file_actions(self, *actions, group: str = "other") -> None:
        if group not in FILE_GROUPS:
            raise ValueError(f"unknown File menu group {group!r}: one of {', '.join(FILE_GROUPS)}")
        menu, quit_action = self.menu_file, self.act_quit  # type: ignore[attr-defined]
        groups: dict[str, list] = self.__dict__.setdefault("_file_groups", {})
        seps: list = self.__dict__.setdefault("_file_group_seps", [])
        groups.setdefault(group, []).extend(actions)
        for a in seps + [a for g in groups.values() for a in g]:  # lay the groups out again
            menu.removeAction(a)
        seps.clear()
        before = menu.actions()
        i = before.index(quit_action)
        if i > 0 and not before[i - 1].isSeparator():  # the window's own items, then a separator
            seps.append(menu.insertSeparator(quit_action))
        for g in FILE_GROUPS:
            if groups.get(g):
                menu.insertActions(quit_action, groups[g])
                seps.append(menu.insertSeparator(quit_action))

    def show_status(self, text: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(text, ms)  # type: ignore[attr-defined]

    def show_banner(self, text: str, kind: str = "info", action: str | None = None, on_action=None) -> None:
        """A non-modal notice across the top of the dashboard (gui/banner.py)."""
        self.dashboard.banner.show_message(text, kind, action, on_action)  # type: ignore[attr-defined]


def attach_all(window: ExtensionHost) -> list[str]:
    """Attach every extension; return the names that failed."""
    failed = []
    for name in EXTENSIONS:
        try:
            importlib.import_module(name).attach(window)
        except Exception:
            log.exception("extension %s failed to attach", name)
            failed.append(name)
    if failed:
        window.show_status("Some panels could not start: " + ", ".join(failed) + " (see the log)", 0)
    return failed
