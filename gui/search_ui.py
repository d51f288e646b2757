"""Edit ▸ Find (Ctrl+K): a search box over steps, rules, documents, reminders, costs and profiles.

A command-palette popup: a line edit and, as you type, the ranked hits from `core.search` (the
command line's `python -m core search` uses the same index). Up/Down (Page Up/Down, Home/End in
the list) move, Enter opens the hit, Escape closes:
  a step        its page (the navigator follows)
  a rule        the rules browser with that record selected
  a document    the Documents panel, all documents, with it selected (Enter there opens the file)
  a reminder    the Reminders panel with it selected
  a cost        the Costs panel with it selected
  a profile     switches to it (one evaluation, as every switch)
Opening a hit never writes; a profile switch is the window's own switch.

The index is built when the box opens after a change (a save, a switch, a new day: the window's
`journey_changed`; or any write to the data file, seen from SQLite's change counter) and reused
while typing: a keystroke only queries it (benchmarks/bench_search.py: on 10,000 documents a
rebuild costs hundreds of keystrokes).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from core import search as S
from core.wording import plural

if TYPE_CHECKING:
    from .extensions import ExtensionHost

log = logging.getLogger("certpath.search")

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
SHORTCUT = "Ctrl+K"
PLACEHOLDER = "Search steps, rules, documents, reminders, costs and profiles"


class SearchService(QObject):
    """The index of the current profile, rebuilt only after a change."""

    def __init__(self, host: ExtensionHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.index: S.SearchIndex | None = None
        self._key: tuple | None = None
        self.builds = 0  # how many times the index was built (tests: not once per keystroke)
        host.journeys.journey_changed.connect(self.invalidate)

    def invalidate(self, *_a) -> None:
        self._key = None

    def _changes(self) -> int:
        try:
            return int(self.host.session.store.db.execute("SELECT total_changes()").fetchone()[0])
        except Exception:  # a closed or damaged file: build again next time
            return -1

    def current(self) -> S.SearchIndex:
        session, journeys = self.host.session, self.host.journeys
        key = (session.profile_id, session.today, id(journeys.journey), self._changes())
        if self.index is not None and key == self._key:
            return self.index
        from core import reminders as rem

        pid = session.profile_id
        journey = journeys.journey
        reminders = None
        if pid is not None and journey is not None:
            fresh = rem.from_journey(journey) + rem.from_programs(session.store, pid, session.today)
            reminders = rem.current(session.store, pid, session.today, fresh=fresh)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.index = S.build_index(session.store, session.today, profile_id=pid, journey=journey,
                                       reminders=reminders if reminders is not None else [])
        finally:
            QApplication.restoreOverrideCursor()
        self.builds += 1
        self._key = (pid, session.today, id(journeys.journey), self._changes())
        return self.index


class HitDelegate(QStyledItemDelegate):
    """Two lines per hit, each cut with "…" where it is too long: the title, then the kind and
    the details in the muted colour (the whole text is the row's tooltip)."""

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 (Qt name)
        fm = option.fontMetrics
        return QSize(200, fm.height() * 2 + 10)

    def paint(self, painter, option, index) -> None:
        entry = index.data(ENTRY_ROLE)
        if entry is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        main = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        r = opt.rect.adjusted(8, 4, -8, -4)
        fm = opt.fontMetrics
        h = fm.height()
        painter.save()
        f = opt.font
        f.setBold(True)
        painter.setFont(f)
        painter.setPen(main)
        bold_fm = painter.fontMetrics()
        painter.drawText(QRect(r.left(), r.top(), r.width(), h), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         bold_fm.elidedText(entry.title, Qt.TextElideMode.ElideRight, r.width()))
        f.setBold(False)
        painter.setFont(f)
        painter.setPen(pal.color(muted))
        second = f"{S.KIND_LABELS[entry.kind]} · {entry.detail}" if entry.detail else S.KIND_LABELS[entry.kind]
        painter.drawText(QRect(r.left(), r.top() + h + 2, r.width(), h),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         fm.elidedText(second, Qt.TextElideMode.ElideRight, r.width()))
        painter.restore()


class SearchPopup(QDialog):
    """The search box. `open_hit` is called with the chosen `core.search.Entry`."""

    LIMIT = 50

    def __init__(self, service: SearchService, open_hit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.open_hit = open_hit
        self.chosen: S.Entry | None = None
        self.setObjectName("searchPopup")
        self.setWindowTitle("Search")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setModal(True)
        # frameless, so a line of the palette's own mid colour marks its edge (light and dark)
        self.setStyleSheet("QDialog#searchPopup { border: 1px solid palette(mid); }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 8)
        self.edit = QLineEdit()
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText(PLACEHOLDER)
        self.edit.setAccessibleName("Search")
        self.edit.setClearButtonEnabled(True)
        f = self.edit.font()
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.edit.setFont(f)
        lay.addWidget(self.edit)
        self.list = QListWidget()
        self.list.setObjectName("searchResults")
        self.list.setAccessibleName("Search results")
        self.list.setItemDelegate(HitDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the box; the arrows move here
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(lambda _it: self.accept_current())
        self.list.itemClicked.connect(lambda _it: self.accept_current())
        lay.addWidget(self.list, 1)
        self.status = QLabel()
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # the query is data, never markup
        lay.addWidget(self.status)
        self.edit.textChanged.connect(self.run_query)
        self.edit.installEventFilter(self)
        self.problem = ""
        try:
            self.index = service.current()
        except Exception as e:  # a damaged or unreadable file: say so, never a traceback
            log.exception("search: the index could not be built")
            self.index = S.SearchIndex.of([])
            self.problem = f"Search cannot read your data now ({type(e).__name__}; see the log)."
        self.run_query("")

    # -- layout -----------------------------------------------------------------------------
    def place(self) -> None:
        """Across the top of the window: 60% of its width (560 to 900 px), most of its height."""
        win = self.parentWidget()
        if win is None:
            self.resize(720, 480)
            return
        geo = win.geometry()
        w = max(560, min(900, int(geo.width() * 0.6), geo.width() - 40))
        h = max(300, min(560, geo.height() - 140))
        self.setGeometry(geo.left() + (geo.width() - w) // 2, geo.top() + 70, w, h)

    # -- querying ---------------------------------------------------------------------------
    def run_query(self, text: str) -> None:
        self.list.clear()
        if self.problem:
            self.results = S.Results([], 0)
            self.status.setText(self.problem)
            return
        if not text.strip():
            self.results = S.Results([], 0)
            self.status.setText("Type a few letters of a step, a rule, a document, a reminder, a cost or a "
                                "profile. ↑ ↓ choose, Enter opens, Esc closes.")
            return
        self.results = self.index.search(text, limit=self.LIMIT)
        for hit in self.results.hits:
            e = hit.entry
            it = QListWidgetItem(e.title)
            it.setData(ENTRY_ROLE, e)
            it.setToolTip(f"{e.title}\n{S.KIND_LABELS[e.kind]} · {e.detail}" if e.detail else e.title)
            it.setData(Qt.ItemDataRole.AccessibleTextRole, f"{S.KIND_LABELS[e.kind]}: {e.title}. {e.detail}")
            self.list.addItem(it)
        if self.results.hits:
            self.list.setCurrentRow(0)
            more = self.results.total - len(self.results.hits)
            self.status.setText(plural(self.results.total, "match", "matches")
                                + (f"; the best {len(self.results.hits)} shown: type more to narrow" if more > 0
                                   else "") + ". Enter opens the one selected.")
        else:
            self.status.setText(f"Nothing matches \u201c{text.strip()}\u201d. Every word must begin a word of "
                                "what you look for (\u201cpals ca\u201d finds \u201cPALS card\u201d).")

    def current_entry(self) -> S.Entry | None:
        it = self.list.currentItem()
        return it.data(ENTRY_ROLE) if it is not None else None

    def accept_current(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        self.chosen = entry
        self.accept()
        self.open_hit(entry)

    def _move(self, delta: int | None = None, to: int | None = None) -> None:
        n = self.list.count()
        if not n:
            return
        row = self.list.currentRow()
        new = to if to is not None else min(max(row + (delta or 0), 0), n - 1)
        self.list.setCurrentRow(new)
        self.list.scrollToItem(self.list.item(new))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if obj is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            page = max(1, self.list.viewport().height() // max(1, self.list.sizeHintForRow(0)) - 1)
            if key == Qt.Key.Key_Down:
                self._move(1)
            elif key == Qt.Key.Key_Up:
                self._move(-1)
            elif key == Qt.Key.Key_PageDown:
                self._move(page)
            elif key == Qt.Key.Key_PageUp:
                self._move(-page)
            elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept_current()
            elif key == Qt.Key.Key_Escape:
                self.reject()
            else:
                return False
            return True
        return super().eventFilter(obj, event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.edit.setFocus()


class SearchOpener:
    """Opens a hit in the window (through the host's interface only)."""

    def __init__(self, host: ExtensionHost) -> None:
        self.host = host

    def _show_panel(self, title: str) -> QWidget | None:
        for a in self.host.menu_view.actions():
            if a.text().replace("&", "") == title:
                a.trigger()
                break
        return self.host.panel(title)

    def __call__(self, entry: S.Entry) -> None:
        host = self.host
        try:
            if entry.kind == S.STEP:
                host.open_step(entry.key)
            elif entry.kind == S.PROFILE:
                if int(entry.key) != host.session.profile_id:
                    host.switch_profile(int(entry.key))
                    host.show_status(f"Switched to {entry.title}.")
            elif entry.kind == S.RULE:
                from .rules_dialog import RulesDialog

                parent = host if isinstance(host, QWidget) else None
                dlg = RulesDialog(host.session.today, parent)
                dlg.select_record(int(entry.get("record", -1)), entry.key)
                dlg.open()
                self.rules_dialog = dlg
            elif entry.kind == S.DOCUMENT:
                panel = self._show_panel("Documents")
                if panel is not None and hasattr(panel, "select_document"):
                    panel.select_document(int(entry.key))
            elif entry.kind == S.REMINDER:
                panel = self._show_panel("Reminders")
                if panel is not None and hasattr(panel, "select_key"):
                    if not panel.select_key(entry.key):
                        host.show_status(f"\u201c{entry.title}\u201d is no longer among the reminders.")
            elif entry.kind == S.COST:
                from .costs_ui import CostsPanel

                panel = self._show_panel("Costs")
                if isinstance(panel, CostsPanel):
                    panel.refresh(keep=int(entry.key))
                    panel.table.setFocus()
        except Exception:  # a hit that cannot be opened must not take the window down
            log.exception("search: could not open %s %s", entry.kind, entry.key)
            host.show_status(f"Could not open \u201c{entry.title}\u201d (see the log).")


def open_search(host: ExtensionHost, service: SearchService, opener: SearchOpener) -> SearchPopup:
    parent = host if isinstance(host, QWidget) else None
    popup = SearchPopup(service, opener, parent)
    popup.place()
    popup.open()
    popup.edit.setFocus()
    return popup


def attach(host: ExtensionHost) -> QAction:
    """Edit ▸ Find… (Ctrl+K)."""
    service = SearchService(host, host if isinstance(host, QObject) else None)
    opener = SearchOpener(host)
    act = QAction("&Find…", host if isinstance(host, QObject) else None)
    act.setShortcut(QKeySequence(SHORTCUT))
    act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.setStatusTip("Search steps, rules, documents, reminders, costs and profiles")

    def trigger() -> None:
        host.search_popup = open_search(host, service, opener)  # type: ignore[attr-defined]

    act.triggered.connect(lambda _c=False: trigger())
    host.menu_edit.addAction(act)
    host.search_service = service  # type: ignore[attr-defined]
    host.search_action = act  # type: ignore[attr-defined]
    host.search_opener = opener  # type: ignore[attr-defined]
    return act


__all__ = ["SearchOpener", "SearchPopup", "SearchService", "attach", "open_search"]
