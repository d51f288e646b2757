"""The navigator: tracks, then stages, then steps, each step with a status icon and its status in words."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from core.engine import step_defs, track_fields, track_title
from core.engine.base import Journey
from core.journey_view import date_line, progress

from . import theme
from .dates_display import show_date

KEY_ROLE = Qt.ItemDataRole.UserRole


class Navigator(QTreeWidget):
    """Selecting a step (or a track's "Your facts" item) emits `step_selected(key)`."""

    step_selected = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("navigator")
        self.setAccessibleName("Journey navigator: tracks, stages and steps")
        self.setColumnCount(2)
        self.setHeaderLabels(["Step", "Status"])
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(False)
        self._items: dict[str, QTreeWidgetItem] = {}
        # every row `populate` made, for `preferred_width`: (depth, has an icon, its own font or
        # None, text of column 0, text of column 1)
        self._rows: list[tuple[int, bool, QFont | None, str, str]] = []
        self.currentItemChanged.connect(self._current_changed)
        self.itemActivated.connect(lambda item, _c: self._emit(item))

    def _emit(self, item: QTreeWidgetItem | None) -> None:
        key = item.data(0, KEY_ROLE) if item is not None else None
        if key:
            self.step_selected.emit(key)

    def _current_changed(self, cur, _prev) -> None:
        if not self.signalsBlocked():
            self._emit(cur)

    def current_key(self) -> str | None:
        item = self.currentItem()
        return item.data(0, KEY_ROLE) if item is not None else None

    def populate(self, journey: Journey | None) -> None:
        keep = self.current_key()
        self.blockSignals(True)
        try:
            self.clear()
            self._items.clear()
            rows = self._rows
            rows.clear()
            if journey is None:
                return
            prog = {p.track: p for p in progress(journey)}
            for t in journey.tracks:
                p = prog[t.track]
                title, done = track_title(t.track), f"{p.done}/{p.applicable} done"
                top = QTreeWidgetItem([title, done])
                top_font = theme.heading_font(self, 1.0)
                top.setFont(0, top_font)
                rows.append((0, False, top_font, title, done))
                top.setData(0, KEY_ROLE, None)
                top.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                            f"{track_title(t.track)}: {p.text}")
                self.addTopLevelItem(top)
                if track_fields(t.track):
                    facts = QTreeWidgetItem(top, ["Your facts", ""])
                    rows.append((1, False, None, "Your facts", ""))
                    facts.setData(0, KEY_ROLE, t.track)
                    self._items[t.track] = facts
                results = {s.id: s for s in t.steps}
                stages: dict[str, QTreeWidgetItem] = {}
                flat = len({sd.stage for sd in step_defs(t.track)}) == 1  # card tracks: no stage level
                for sd in step_defs(t.track):
                    r = results.get(sd.id)
                    if r is None:
                        continue
                    parent = top if flat else stages.get(sd.stage)
                    if parent is None:
                        parent = QTreeWidgetItem(top, [sd.stage, ""])
                        rows.append((1, False, None, sd.stage, ""))
                        parent.setFlags(parent.flags() & ~Qt.ItemFlag.ItemIsSelectable)
                        stages[sd.stage] = parent
                    label = theme.status_text(r.status)
                    item = QTreeWidgetItem(parent, [sd.title, label])
                    icon = theme.status_icon(r.status)
                    item.setIcon(0, icon)
                    rows.append((1 if parent is top else 2, not icon.isNull(), None, sd.title, label))
                    item.setData(0, KEY_ROLE, sd.id)
                    item.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{sd.title}: {label[2:]}")
                    item.setForeground(1, theme.status_color(r.status))
                    tip = f"{sd.title}: {label[2:]}"
                    if r.due:  # by the kind of date ("Recommended by: …", "Opens: …")
                        tip += "\n" + date_line(r.due_kind, r.due, journey.today)
                    if r.expires:
                        tip += f"\nExpires {show_date(r.expires)}"
                    item.setToolTip(0, tip)
                    self._items[sd.id] = item
                self.expandItem(top)
                for st in stages.values():
                    self.expandItem(st)
            if keep and keep in self._items:
                self.setCurrentItem(self._items[keep])
        finally:
            self.blockSignals(False)

    def preferred_width(self) -> int:
        """The width that shows every label and status whole: the widest row of the first column
        (its indentation, icon and text) plus the status column, the frame and a scroll bar.

        Read from the rows `populate` made (not by walking the tree's items: a Python wrapper per
        item, its font and icon, and the iterator's type with its enum, ~7 M instructions before
        the first paint); a text is measured once however many rows show it (the statuses)."""
        fm = self.fontMetrics()
        own = self.font()
        icon = self.iconSize().width() if self.iconSize().isValid() else 16
        plain = QFont()  # what an item without a font of its own answers to item.font(0)
        metrics: dict[str, QFontMetrics] = {}  # QFont.key() -> the metrics rows in that font use
        widths: dict[tuple[str, str], int] = {}

        def advance(font: QFont, text: str) -> int:
            key = font.key()
            w = widths.get((key, text))
            if w is None:
                m = metrics.get(key)
                if m is None:
                    m = metrics[key] = fm if font == own else QFontMetrics(font)
                w = widths[(key, text)] = m.horizontalAdvance(text)
            return w

        indent = self.indentation()
        widest0 = widest1 = 0
        for depth, has_icon, font, text0, text1 in self._rows:
            widest0 = max(widest0, (depth + 1) * indent + (icon + 6 if has_icon else 0) + advance(font or plain, text0))
            widest1 = max(widest1, advance(own, text1))
        widest1 = max(widest1, fm.horizontalAdvance(self.headerItem().text(1)))
        # the room the scroll area keeps for its vertical bar (QAbstractScrollArea lays the bar out at
        # its sizeHint; the style's PM_ScrollBarExtent on Fusion and Windows). Not through style():
        # the first Python wrapper of the QStyle creates its ~20 enum types (~20 ms before the paint)
        scroll = self.verticalScrollBar().sizeHint().width()
        return widest0 + 16 + widest1 + 16 + 2 * self.frameWidth() + scroll

    def select(self, key: str) -> bool:
        item = self._items.get(key)
        if item is None:
            return False
        self.setCurrentItem(item)
        self.scrollToItem(item)
        return True

    def item_for(self, key: str) -> QTreeWidgetItem | None:
        return self._items.get(key)
