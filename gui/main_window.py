"""The main window: navigator of tracks, stages and steps; the dashboard; a step's page.

The window is the extensions' `ExtensionHost` (gui/extensions.py): `session`, `journeys`,
`menu_file`, `menu_view`, `add_panel(title, widget_or_factory, shortcut)`, `panel(title)`,
`current_step_id()`, `add_file_actions(...)`, `show_status(...)`, `refresh()`. `journeys`
(gui/journey_service.py) evaluates the profile once per change and emits `journey_changed`; the
navigator, the dashboard, the open step pages and the panels render what it hands them. The
`profile_changed` signal still fires after a switch, create, rename, delete or any save.

A panel given as a factory (a callable returning the widget) is built the first time its tab is
shown (or `panel(title)` asks for it), so start-up does not pay for tabs the user never opens;
`build_all_panels()` builds them all (the self-test).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTabWidget, QWidget

from core import __version__
from core.engine import is_track, track_title
from core.journey_view import track_of

from . import theme
from .dashboard import Dashboard
from .extensions import HostMixin, RefreshWhenShown
from .journey_service import JourneyService
from .navigator import Navigator
from .session import Session

if TYPE_CHECKING:
    from .step_page import StepPage

log = logging.getLogger("certpath.gui")


@dataclass
class _Panel:
    """A panel's tab: its title, what the tab holds, and the factory that builds it."""

    title: str
    holder: QWidget  # what the tab shows: the widget, or a placeholder until it is built
    factory: Callable[[], QWidget] | None = None
    widget: QWidget | None = None


NAV_WIDTH_SETTING = "ui.navigator_width"  # the navigator width the user dragged to (pixels)
AFTER_PAINT_FALLBACK_MS = 1500  # call_after_first_paint: run by then even if the window was not painted

DISCLAIMER = (
    "CertPath is a planner. Verify every requirement with ECFMG, USMLE, NRMP, your state board "
    "and your training center; this is not legal advice."
)


def mnemonic(text: str) -> str | None:
    """The Alt-key letter of a menu text ("Step &page": "p"; "&&" is a plain ampersand)."""
    i = text.find("&")
    while i != -1 and i + 1 < len(text):
        if text[i + 1] != "&":
            return text[i + 1].lower()
        i = text.find("&", i + 2)
    return None


def with_mnemonic(title: str, taken: set[str]) -> str:
    """`title` with an Alt-key letter no item in `taken` has: a word's first letter if one is
    free, else any letter of it; unchanged when every letter is taken."""
    starts = [i for i, c in enumerate(title) if c.isalnum() and (i == 0 or not title[i - 1].isalnum())]
    for i in starts + [i for i in range(len(title)) if i not in starts]:
        c = title[i]
        if c.isalnum() and c.lower() not in taken:
            return f"{title[:i]}&{title[i:]}"
    return title


def window_title(name: str, demo: bool) -> str:
    """"CertPath: NAME", with "(demo)" said once (the demo profiles' names already carry it)."""
    mark = " (demo)" if demo and not name.rstrip().endswith("(demo)") else ""
    return f"CertPath: {name}{mark}"


def add_guide_action(window, menu) -> QAction:
    """Help ▸ User guide (F1, on the current step's section). gui.guide (Qt's text-document and
    dialog classes, core.guide) is imported when the guide is first opened, not before the
    window's first paint; the shortcut works from the start."""
    act = QAction("&User guide", window)
    act.setObjectName("act_guide")
    act.setShortcut(QKeySequence.StandardKey.HelpContents)
    if act.shortcut().isEmpty():
        act.setShortcut(QKeySequence("F1"))
    act.setStatusTip("The user guide: journeys, steps, statuses, Pathways, card expiry, backups, privacy")

    def open_it(_checked=False) -> None:
        from . import guide

        guide.open_guide(window, guide._context_step(window))

    act.triggered.connect(open_it)
    menu.addAction(act)
    window.act_guide = act
    return act


class MainWindow(HostMixin, QMainWindow):
    profile_changed = Signal()
    what_if_requested = Signal(str)  # a step key ("" on the dashboard): gui/whatif_ui.py opens a scenario

    def __init__(self, session: Session, *, defer_extensions: bool = False) -> None:
        """`defer_extensions`: attach the extensions (gui/extensions.py) just after the window's
        first paint, not before it (the app's start-up does this: the first screen needs none of
        them), see `call_after_first_paint`."""
        super().__init__()
        self.session = session
        self.journeys = JourneyService(session, self)
        self.journeys.journey_changed.connect(self._render)
        self.setWindowTitle("CertPath" + (" (demo)" if session.demo else ""))
        self.pages: dict[str, StepPage] = {}
        self._page_refresh: dict[str, RefreshWhenShown] = {}
        self._walk_actions: dict[str, QAction] = {}
        self._panel_actions: list[QAction] = []
        self._panels: list[_Panel] = []

        self.navigator = Navigator()
        self.navigator.setMinimumWidth(200)
        self.navigator.step_selected.connect(self.open_step)
        self.dashboard = Dashboard(session, journeys=self.journeys, defer_below_fold=defer_extensions)
        self.dashboard.open_step.connect(self.open_step)
        self.dashboard.walk.connect(self.walk_through)
        self.dashboard.what_if.connect(lambda: self.what_if_requested.emit(""))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.dashboard, "&Dashboard")
        self.step_holder = QTabWidget()  # placeholder replaced by the step's page
        self.step_empty = QLabel("Choose a step in the navigator (Ctrl+L, then the arrow keys).")
        self.step_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.step_empty.setWordWrap(True)
        self.tabs.addTab(self.step_empty, "S&tep")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.split = QSplitter()
        self.split.addWidget(self.navigator)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([330, 950])
        self.split.setChildrenCollapsible(False)
        self._nav_user_width: int | None = None  # the width the user dragged the navigator to
        self.split.splitterMoved.connect(self._navigator_dragged)  # the user's drags only, not setSizes
        self.setCentralWidget(self.split)
        self._build_menus()
        self.statusBar().showMessage(
            "Demo data in a throwaway folder: nothing you change here is kept" if session.demo
            else f"Your data stays on this computer: {session.paths.root}")
        self.resize(1280, 800)
        self.restore_geometry()
        self.refresh()
        self.extensions_attached = False
        self._after_paint: list[Callable[[], object]] | None = []  # None once painted
        if defer_extensions:  # the first screen first: the dashboard's timeline (below the fold), the extensions
            self.call_after_first_paint(self.dashboard.build_below_fold)
            self.call_after_first_paint(self.attach_extensions)
        else:
            self.attach_extensions()

    def call_after_first_paint(self, fn: Callable[[], object], *, first: bool = False) -> None:
        """Run `fn` just after the window's first paint (soon, if it was painted already): work the
        first screen does not show waits until the user sees the window. A window that is not
        painted within AFTER_PAINT_FALLBACK_MS of being shown (started minimised) runs it then.
        `first`: before the work asked for so far (else after it, in the order asked)."""
        if self._after_paint is None:
            QTimer.singleShot(0, fn)
        elif first:
            self._after_paint.insert(0, fn)
        else:
            self._after_paint.append(fn)

    def _run_after_paint(self) -> None:
        pending, self._after_paint = self._after_paint, None
        for fn in pending or []:
            fn()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        if self._after_paint:
            QTimer.singleShot(AFTER_PAINT_FALLBACK_MS, self._run_after_paint)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().paintEvent(event)
        if self._after_paint is not None:  # the whole first frame is painted before the timer runs
            pending, self._after_paint = self._after_paint, None
            if pending:
                QTimer.singleShot(0, lambda: [fn() for fn in pending])

    def attach_extensions(self) -> None:
        self.dashboard.build_below_fold()  # a screenshot or the self-test shows the whole page
        if self.extensions_attached:
            return
        self.extensions_attached = True
        from .extensions import attach_all

        attach_all(self)

    # -- menus ----------------------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, menu=None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(lambda _checked=False: slot())
        if menu is not None:
            menu.addAction(a)
        return a

    def _build_menus(self) -> None:
        mb = self.menuBar()
        self.menu_file = mb.addMenu("&File")
        f = self.menu_file
        self.act_new_profile = self._action("&New profile…", self.new_profile, QKeySequence.StandardKey.New, f)
        self.act_switch = self._action("&Profiles (switch, rename, delete)…", self.manage_profiles, "Ctrl+P", f)
        self.act_rename = self._action("Rena&me this profile…", self.rename_profile, "F2", f)
        self.act_journeys = self._action("&Journeys and role of this profile…", self.edit_journeys, None, f)
        self.act_delete = self._action("&Delete this profile…", self.delete_profile, None, f)
        f.addSeparator()
        self.act_save = self._action("&Save this step", self.save_step, QKeySequence.StandardKey.Save, f)
        f.addSeparator()
        self.act_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, f)
        if self.act_quit.shortcut().isEmpty():  # no platform standard (Linux offscreen, some desktops)
            self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))

        self.menu_edit = mb.addMenu("&Edit")  # Find… (gui/search_ui.py)
        self.menu_view = mb.addMenu("&View")
        v = self.menu_view
        self.act_dashboard = self._action("&Dashboard", lambda: self.tabs.setCurrentIndex(0), "Ctrl+1", v)
        self.act_step = self._action("Step &page", lambda: self.tabs.setCurrentIndex(1), "Ctrl+2", v)
        self.act_nav = self._action("&Navigator", self.navigator.setFocus, "Ctrl+L", v)
        self.act_refresh = self._action("&Refresh", self.refresh, QKeySequence.StandardKey.Refresh, v)
        if self.act_refresh.shortcut().isEmpty():
            self.act_refresh.setShortcut(QKeySequence("F5"))
        v.addSeparator()
        self.menu_walk = v.addMenu("&Walk me through")
        self.act_walk_current = self._action("Walk me through the &selected track…", self.walk_current,
                                             "Ctrl+W", None)
        self.menu_walk.addAction(self.act_walk_current)
        self.menu_walk.addSeparator()
        from . import appearance

        appearance.add_menu(self, v)  # View ▸ Theme: System / Light / Dark
        self._panels_sep = v.addSeparator()

        self.menu_help = mb.addMenu("&Help")
        h = self.menu_help
        add_guide_action(self, h)  # Help ▸ User guide (F1, on the current step's section)
        # Shift+F1: the rules (F1 is the guide); Ctrl+Shift+R belongs to the Reminders panel
        self.act_rules = self._action("&Where these rules come from…", self.show_rules, "Shift+F1", h)
        self.act_disclaimer = self._action("&Disclaimer", self.disclaimer, None, h)
        h.addSeparator()
        self.act_about = self._action("&About CertPath", self.about, None, h)

    def _rebuild_walk_menu(self, tracks: list[str]) -> None:
        for a in self._walk_actions.values():
            self.menu_walk.removeAction(a)
        self._walk_actions.clear()
        for i, t in enumerate(tracks):
            a = self._action(f"&{i + 1} {track_title(t)}…", lambda t=t: self.walk_through(t),
                             f"Ctrl+Shift+{i + 1}" if i < 9 else None, self.menu_walk)
            self._walk_actions[t] = a
        self.act_walk_current.setEnabled(bool(tracks))

    # -- extension API --------------------------------------------------------------------------
    def add_panel(self, title: str, widget: QWidget | Callable[[], QWidget],
                  shortcut: str | None = None) -> QAction:
        """Add a tab beside Dashboard and Step, and a View-menu action (with `shortcut`) to show it.

        `widget` may be the panel itself or a factory that builds it: a factory runs the first
        time the tab is shown (or `panel(title)` is called), not at start-up.
        """
        if isinstance(widget, QWidget):
            entry = _Panel(title, widget, None, widget)
        else:
            holder = QWidget()
            holder.setObjectName("panelPlaceholder")
            holder.setAccessibleName(f"{title.replace('&', '')} (loading)")
            entry = _Panel(title, holder, widget, None)
        self._panels.append(entry)
        self.tabs.addTab(entry.holder, title)

        def show() -> None:
            w = self._build_panel(entry)
            self.tabs.setCurrentWidget(w)
            w.setFocus()

        taken = {m for m in (mnemonic(x.text()) for x in self.menu_view.actions()) if m}
        a = self._action(title if mnemonic(title) else with_mnemonic(title, taken), show, shortcut, None)
        self.menu_view.insertAction(self._panels_sep, a)
        self._panel_actions.append(a)
        return a

    def _find_panel(self, title: str) -> _Panel | None:
        plain = title.replace("&", "")
        return next((p for p in self._panels if p.title.replace("&", "") == plain), None)

    def panel(self, title: str) -> QWidget | None:
        """The panel called `title`, built now if it was not yet (None: no such panel)."""
        entry = self._find_panel(title)
        return self._build_panel(entry) if entry is not None else None

    def panel_built(self, title: str) -> bool:
        entry = self._find_panel(title)
        return entry is not None and entry.widget is not None

    def build_all_panels(self) -> list[str]:
        """Build every panel not built yet; return the titles that could not start."""
        failed = []
        for entry in self._panels:
            self._build_panel(entry)
            if getattr(entry.widget, "_panel_failed", False):
                failed.append(entry.title.replace("&", ""))
        return failed

    def _tab_shown(self, index: int) -> None:
        w = self.tabs.widget(index)
        for entry in self._panels:
            if entry.widget is None and entry.holder is w:
                self._build_panel(entry)
                return

    def _build_panel(self, entry: _Panel) -> QWidget:
        if entry.widget is not None:
            return entry.widget
        try:
            widget = entry.factory()
        except Exception:  # one broken panel must not take the window down; say it, log it
            log.exception("panel %s could not start", entry.title)
            name = entry.title.replace("&", "")
            widget = QLabel(f"The {name} panel could not start. The details are in the log file; "
                            "the rest of CertPath works as usual.")
            widget.setWordWrap(True)
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            widget._panel_failed = True
            self.statusBar().showMessage(f"Some panels could not start: {name} (see the log)")
        entry.widget = widget
        idx = self.tabs.indexOf(entry.holder)
        was_current = self.tabs.currentIndex() == idx
        self.tabs.blockSignals(True)
        try:
            self.tabs.removeTab(idx)
            self.tabs.insertTab(idx, widget, entry.title)
            if was_current:
                self.tabs.setCurrentIndex(idx)
        finally:
            self.tabs.blockSignals(False)
        entry.holder.setParent(None)
        entry.holder.deleteLater()
        entry.holder = widget
        return widget

    def add_dashboard_section(self, widget: QWidget) -> None:
        self.dashboard.add_section(widget)

    def current_step_id(self) -> str | None:
        key = self.navigator.current_key()
        return key if key and not is_track(key) else None

    # -- refresh --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read and evaluate the current profile once; every view follows (`_render` and the
        panels, through `journeys.journey_changed`)."""
        self.journeys.reload()

    def _render(self, journey) -> None:
        pid = self.session.profile_id
        doc = self.journeys.doc
        if self.journeys.error is not None:
            self.statusBar().showMessage(
                f"CertPath could not evaluate this profile ({type(self.journeys.error).__name__}).")
        self.navigator.populate(journey)
        self._fit_navigator()
        self.dashboard.refresh(journey=journey, doc=doc if journey is not None else None)
        self._rebuild_walk_menu([t.track for t in journey.tracks] if journey else [])
        for page in self.pages.values():
            self._page_refresh[page.key]()  # the page in view now; the others when next shown
        has = pid is not None
        for a in (self.act_rename, self.act_journeys, self.act_delete, self.act_save):
            a.setEnabled(has)
        name = (doc["name"] if doc is not None else self.session.store.profile(pid)["name"]) if has else "no profile"
        self.setWindowTitle(window_title(name, self.session.demo))

    def _render_page(self, page: StepPage) -> None:
        doc, journey = self.journeys.doc, self.journeys.journey
        if page.is_dirty() or journey is None or doc is None:
            page.recompute()  # the unsaved typing stays, re-checked against the saved profile
        else:
            page.show_saved(doc, journey)

    def _profile_switched(self) -> None:
        self._drop_pages()
        self.refresh()
        self.profile_changed.emit()

    def _drop_pages(self) -> None:
        self.tabs.blockSignals(True)
        idx = self.tabs.currentIndex()
        self.tabs.removeTab(1)
        self.tabs.insertTab(1, self.step_empty, "S&tep")
        self.tabs.setCurrentIndex(min(idx, 0) if idx == 1 else idx)
        self.tabs.blockSignals(False)
        for p in self.pages.values():
            p.setParent(None)
            p.deleteLater()
        self.pages.clear()
        self._page_refresh.clear()

    # -- steps ----------------------------------------------------------------------------------
    def open_step(self, key: str) -> StepPage | None:
        """Show the page of a step (or of a track's own facts) in the Step tab."""
        if self.session.profile_id is None:
            return None
        page = self.pages.get(key)
        if page is None:
            try:
                from .step_page import StepPage  # built on demand: not needed for the first paint

                page = StepPage(self.session, key, journeys=self.journeys)
            except KeyError:
                self.statusBar().showMessage(f"There is no step called {key}.")
                return None
            self._page_refresh[key] = RefreshWhenShown(page, lambda p=page: self._render_page(p))
            page.saved.connect(self._on_saved)
            page.overrides_changed.connect(self._on_override)
            page.open_step.connect(self.open_step)
            page.what_if.connect(self.what_if_requested.emit)
            self.pages[key] = page
        if self.tabs.widget(1) is not page:
            self.tabs.blockSignals(True)
            self.tabs.removeTab(1)
            self.tabs.insertTab(1, page, "S&tep")
            self.tabs.blockSignals(False)
        self.tabs.setTabText(1, f"S&tep: {page.title}")
        self.tabs.setCurrentIndex(1)
        if self.navigator.current_key() != key:
            self.navigator.blockSignals(True)
            self.navigator.select(key)
            self.navigator.blockSignals(False)
        return page

    def current_page(self) -> StepPage | None:
        w = self.tabs.widget(1)
        from .step_page import StepPage

        return w if isinstance(w, StepPage) else None

    def save_step(self) -> bool:
        page = self.current_page()
        if page is None:  # Ctrl+S before any step was opened: say why nothing happened
            self.statusBar().showMessage("No step is open: Save keeps what you type on a step page (select a step on the left).", 5000)
            return False
        ok = page.save()
        if not ok:
            self.statusBar().showMessage("Not saved: fix the fields marked in the form.", 5000)
        return ok

    def _on_saved(self, key: str) -> None:
        self.statusBar().showMessage(f"Saved {self.pages[key].title if key in self.pages else key}.", 4000)
        self.refresh()
        self.profile_changed.emit()

    def _on_override(self, rule_id: str) -> None:
        pid = self.session.profile_id
        mine = pid is not None and rule_id in self.session.store.overrides(pid)
        self.statusBar().showMessage(f"Your value for {rule_id} is saved; the statuses use it." if mine
                                     else f"Back to the published value for {rule_id}.", 5000)
        self.refresh()
        self.profile_changed.emit()

    def save_all_valid(self) -> None:
        """Keep typing that is valid when the window closes or the profile changes."""
        for page in list(self.pages.values()):
            page.check_now()
            if page.is_dirty() and page.is_valid():
                page.save()

    # -- walkthrough ----------------------------------------------------------------------------
    def walk_current(self) -> None:
        key = self.navigator.current_key()
        if key:
            self.walk_through(track_of(key))
        elif self.dashboard.journey and self.dashboard.journey.tracks:
            self.walk_through(self.dashboard.journey.tracks[0].track)

    def walk_through(self, track: str):
        from .walkthrough import WalkthroughWizard

        if self.session.profile_id is None:
            return None
        self.save_all_valid()
        wiz = WalkthroughWizard(self.session, track, self)
        wiz.saved.connect(lambda _k: (self.refresh(), self.profile_changed.emit()))
        wiz.kept_on_close.connect(
            lambda title: self.statusBar().showMessage(f"Saved your changes to {title} as the walk-through closed.", 8000))
        wiz.finished.connect(lambda _r: self.refresh())
        wiz.open()
        self._wizard = wiz
        return wiz

    # -- profiles -------------------------------------------------------------------------------
    def new_profile(self) -> bool:
        from .onboarding import OnboardingWizard

        self.save_all_valid()
        wiz = OnboardingWizard(self.session, self)
        if wiz.exec():
            self._profile_switched()
            return True
        return False

    def manage_profiles(self) -> None:
        from .profiles_ui import ProfilesDialog

        self.save_all_valid()
        before = self.session.profile_id
        dlg = ProfilesDialog(self.session, self, new_profile=self._new_from_dialog)
        dlg.exec()
        if dlg.changed or self.session.profile_id != before:
            self._profile_switched()

    def _new_from_dialog(self) -> bool:
        from .onboarding import OnboardingWizard

        return bool(OnboardingWizard(self.session, self).exec())

    def switch_profile(self, pid: int | None = None) -> None:
        """Switch to `pid` (or choose in the profiles dialog)."""
        if pid is None:
            self.manage_profiles()
            return
        self.save_all_valid()
        self.session.switch(pid)
        self._profile_switched()

    def rename_profile(self) -> None:
        from .profiles_ui import ask_name

        pid = self.session.profile_id
        if pid is None:
            return
        name = ask_name(self, "Rename profile", self.session.store.profile(pid)["name"])
        if name:
            self.session.store.update_profile(pid, name=name)
            self.refresh()
            self.profile_changed.emit()

    def edit_journeys(self) -> None:
        from .profiles_ui import JourneysDialog

        pid = self.session.profile_id
        if pid is None:
            return
        self.save_all_valid()
        if JourneysDialog(self.session, pid, self).exec():
            self.refresh()
            self.profile_changed.emit()

    def delete_profile(self) -> None:
        from .profiles_ui import confirm_delete, delete_profile

        pid = self.session.profile_id
        if pid is None:
            return
        if confirm_delete(self, self.session.store.profile(pid)["name"]):
            delete_profile(self.session, pid)
            self._profile_switched()

    # -- help -----------------------------------------------------------------------------------
    def show_rules(self) -> None:
        from .rules_dialog import RulesDialog

        dlg = RulesDialog(self.session.today, self)
        dlg.open()
        self._rules_dialog = dlg

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # not at import: its type and enums cost start-up time

        QMessageBox.about(self, "About CertPath",
                          f"CertPath {__version__}\n\nAn offline planner for the IMG road to US practice "
                          f"and for PALS and companion cards. Your data stays on this computer:\n"
                          f"{self.session.paths.root}\n\n{DISCLAIMER}")

    def disclaimer(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "Disclaimer", DISCLAIMER)

    # -- window state ---------------------------------------------------------------------------
    def restore_geometry(self) -> None:
        geo = self.session.store.setting("ui.geometry")
        if geo:
            self.restoreGeometry(QByteArray.fromBase64(geo.encode("ascii")))
        width = self.session.store.setting(NAV_WIDTH_SETTING)
        if isinstance(width, int) and not isinstance(width, bool) and width > 0:
            self._nav_user_width = width
            self.split.setSizes([width, max(200, self.width() - width)])

    def save_geometry(self) -> None:
        self.session.store.set_setting("ui.geometry", bytes(self.saveGeometry().toBase64()).decode("ascii"))
        if self._nav_user_width is not None:
            self.session.store.set_setting(NAV_WIDTH_SETTING, self._nav_user_width)

    NAV_SHARE = 0.34  # the navigator takes at most this share of the window's width
    MIN_CONTENT = 720  # and leaves the step page at least this much (its two columns at 1024 wide)

    def _nav_cap(self) -> int:
        return max(220, min(int(self.width() * self.NAV_SHARE), self.width() - self.MIN_CONTENT))

    def _navigator_dragged(self, _pos: int, _index: int) -> None:
        """The user moved the navigator's edge: that width is theirs from now on (kept across window
        resizes and starts, only narrowed while the window is too narrow for it)."""
        self._nav_user_width = self.split.sizes()[0]

    def _fit_navigator(self) -> None:
        """Widen the navigator so its labels and statuses show whole (up to `_nav_cap`), unless the
        user chose its width by dragging its edge."""
        if self._nav_user_width is not None:
            return
        sizes = self.split.sizes()
        want = min(self.navigator.preferred_width(), self._nav_cap())
        if sizes and sum(sizes) and sizes[0] < want:
            self.split.setSizes([want, max(200, sum(sizes) - want)])

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        nav = self.split.sizes()[0] if self.split.count() else 0
        cap = self._nav_cap()
        if self._nav_user_width is not None:  # the user's width, as far as the window allows
            want = min(self._nav_user_width, cap)
            if nav != want:
                self.split.setSizes([want, max(200, self.width() - want)])
        elif nav > cap:
            self.split.setSizes([cap, max(200, self.width() - cap)])
        else:
            self._fit_navigator()

    def invalid_dirty_pages(self) -> list[StepPage]:
        out = []
        for page in self.pages.values():
            if page.is_dirty():
                page.check_now()
                if not page.is_valid():
                    out.append(page)
        return out

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        bad = self.invalid_dirty_pages()
        if bad:
            from .confirm import ask_discard

            names = ", ".join(f"\u201c{p.title}\u201d" for p in bad)
            if not ask_discard(self, "Discard changes that are not valid?",
                               f"{names}: a field is not valid, so it cannot be saved. Valid changes elsewhere "
                               "are saved. Discard the invalid ones and quit, or keep editing?"):
                self.open_step(bad[0].key)
                event.ignore()
                return
        try:
            self.save_all_valid()
            self.save_geometry()
        except Exception as e:  # never a traceback at close
            self.statusBar().showMessage(f"Could not save on close: {e}")
        finally:
            super().closeEvent(event)


__all__ = ["DISCLAIMER", "MainWindow", "theme"]
