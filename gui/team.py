"""The Team view (issue 20): who in the data file holds which card, until when.

`attach(host)` adds View ▸ Team (Ctrl+Shift+T), File ▸ Import team from CSV… and the team summary on
the dashboard. Everything shown comes from `core.roster` (cells from the engine) and
`core.roster_import` / `core.csv_import` (the import); this module lays it out.

`TeamData` holds the window's one roster. It is built once (on the UI thread for a small file, in a
worker thread with a progress bar for a large one: ~2 ms a profile), then follows
`journeys.journey_changed`: after a save the current profile's row is rebuilt from the journey the
service has just evaluated (`core.roster.with_journey`, no second evaluation), after a switch nothing
is recomputed, and a new day rebuilds it.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import math
import sys
import threading
from bisect import bisect_left
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QEventLoop,
    QModelIndex,
    QObject,
    QPointF,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeySequence,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core import roster as R
from core.engine.findings import Finding
from core.roster_cache import RosterCache
from core.rules import load_rules
from core.wording import date_text, text

from . import theme
from .csv_file import CsvPreviewDialog, choose_csv

log = logging.getLogger("certpath.gui")

SYNC_MAX = 40  # profiles built on the UI thread (~2 ms each); more go to a worker thread
# While the worker evaluates, the UI thread takes Python's lock back for each of its many calls into
# Python (every data() of a painted cell, every event handler); with Python's default switch
# interval (5 ms) each such call waited up to 5 ms behind the worker, and a frame of the progress
# bar or of the table took ~170-200 ms (bench_team_ui.py's "UI thread blocked", cold open of 500).
# At 0.5 ms the longest gap is ~20-40 ms, the build itself ~3 % slower (233 -> 241 ms, side by side).
UI_SWITCH_INTERVAL = 0.0005


class _UiFirstSwitching:
    """While a worker runs, Python's switch interval is UI_SWITCH_INTERVAL (process-wide); the
    interval before comes back when no worker is left running."""

    def __init__(self) -> None:
        self.running = 0
        self.before = 0.0
        self._lock = threading.Lock()  # leave() runs in the worker (a future's done callback)

    def enter(self) -> None:
        with self._lock:
            if self.running == 0:
                self.before = sys.getswitchinterval()
                sys.setswitchinterval(min(self.before, UI_SWITCH_INTERVAL))
            self.running += 1

    def leave(self) -> None:
        with self._lock:
            if self.running > 0:
                self.running -= 1
                if self.running == 0:
                    sys.setswitchinterval(self.before)


ui_first_switching = _UiFirstSwitching()

CARD_LABELS = {c: c.upper() for c in R.ROSTER_CARDS}
SOON_DAYS = 30  # a valid card this close to its last day is shown as "expires soon"

# the filter box: (label, RosterFilter keyword arguments)
FILTERS: tuple[tuple[str, dict], ...] = (
    ("Everyone", {}),
    ("Expires within 30 days", {"within_days": 30}),
    ("Expires within 60 days", {"within_days": 60}),
    ("Expires within 90 days", {"within_days": 90}),
    ("Expired", {"expired": True}),
    ("Missing a card their role typically holds", {"missing": True}),
)


# --- the data --------------------------------------------------------------------------------

class TeamData(QObject):
    """The window's roster; `changed` when it is replaced, `progress(done, total)` while built."""

    changed = Signal()
    progress = Signal(int, int)

    def __init__(self, session, journeys, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.journeys = journeys
        self.roster: R.Roster | None = None
        self.building = False
        self.error: str = ""
        self.cache = RosterCache.of_store(session.store)
        self._future: Future | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._done = [0, 0]
        self._generation = 0
        self._timer = QTimer(self)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self._poll)
        journeys.journey_changed.connect(self._on_journey)

    # building
    def ensure(self) -> None:
        """Build the roster if there is none (or it is of another day or other rules)."""
        if self.building:
            return
        roster = self.roster
        if roster is None or roster.today != self.session.today or roster.rule_set is not load_rules():
            self.rebuild()

    def rebuild(self) -> None:
        """Read the data file once and build every row: from the kept evaluations (the roster
        cache) where the profile, the rules and the build are unchanged, else evaluated; when many
        profiles need the engine, in a worker thread while `progress` reports."""
        self._generation += 1
        gen = self._generation
        today = self.session.today
        rules = load_rules()
        previous = self.roster if self.roster is not None and self.roster.today == today else None
        try:
            read = R.read_roster(self.session.store, today, rules, self.cache)  # on this thread only
        except Exception as e:  # never a traceback: the view says it
            log.exception("the team roster could not read the data file")
            self.error = f"The profiles could not be read ({type(e).__name__})."
            self.changed.emit()
            return
        self.error = ""
        if read.misses <= SYNC_MAX:
            self._apply(R.roster_from_read(read, today, rules, previous, self.cache))
            return
        self.building = True
        self._done = [0, len(read.heads)]
        self._submit(gen, R.roster_from_read, read, today, rules, previous, self.cache, self._done)
        self.progress.emit(0, len(read.heads))

    def _submit(self, gen: int, fn, *args) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster")
        self._future = self._pool.submit(fn, *args)
        ui_first_switching.enter()
        self._future.add_done_callback(lambda _f: ui_first_switching.leave())  # at once if done already
        self._future.generation = gen  # type: ignore[attr-defined]
        self._timer.start()

    def _poll(self) -> None:
        fut = self._future
        if fut is None:
            self._timer.stop()
            return
        if self.building:
            self.progress.emit(self._done[0], self._done[1])
        if not fut.done():
            return
        self._timer.stop()
        self._future = None
        self.building = False
        if getattr(fut, "generation", None) != self._generation:
            return
        try:
            roster = fut.result()
        except Exception as e:
            log.exception("the team roster could not be built")
            self.error = f"The team roster could not be built ({type(e).__name__})."
            self.changed.emit()
            return
        if roster.today != self.session.today:
            self.rebuild()
            return
        self._apply(roster)

    def wait(self, timeout: float = 60.0) -> None:
        """Block until a background build or completion is finished and applied (tests,
        benchmarks, exports)."""
        for _ in range(3):
            fut = self._future
            if fut is None:
                return
            fut.result(timeout=timeout)
            self._poll()

    def complete_now(self) -> R.Roster | None:
        """The roster with every row's statuses of today (what the exports carry).

        Rows from evaluations of another day show today's states at once (their expiry holds);
        their statuses of today, which only the exports carry, are evaluated here, when an export
        asks (not in the background after every open, where the evaluations would hold Python's
        lock while the user scrolls and filters): in the worker, the event loop served meanwhile,
        the result kept in the cache for the rest of the day."""
        self.wait()
        roster = self.roster
        if roster is None or not R.pending_rows(roster):
            return roster
        self._generation += 1
        R.read_pending_documents(roster)  # (the worker never reads the data file)
        self._submit(self._generation, R.complete_statuses, roster, self.cache)
        fut = self._future
        while fut is not None and not fut.done():
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents, 20)
            threading.Event().wait(0.005)
        self.wait()
        if self.roster is not None and R.pending_rows(self.roster):  # overtaken by a change meanwhile
            self._generation += 1
            self._apply(R.complete_statuses(self.roster, self.cache))
        return self.roster

    def _apply(self, roster: R.Roster) -> None:
        self.roster = roster
        roster.warm()  # View > Team, opened later, finds the name order made (~0.3 ms at 500)
        self.changed.emit()

    # following the journey
    def _on_journey(self, journey) -> None:
        roster = self.roster
        if roster is None:
            return
        if self.building:
            self.rebuild()  # what the worker reads may be older than this change
            return
        if roster.today != self.session.today or roster.rule_set is not load_rules():  # a new day, other rules
            self.rebuild()
            return
        pid, doc = self.session.profile_id, self.journeys.doc
        changed = False
        if pid is not None and doc is not None and roster.documents.get(pid) != doc:
            roster = R.with_journey(roster, pid, doc, journey)
            changed = True
        ids = {p["id"] for p in self.session.store.list_profiles()}
        have = {r.profile_id for r in roster.rows}
        if ids != have:  # a profile created (not switched to) or deleted
            roster = R.refresh_rows(roster, self.session.store, sorted(ids ^ have))
            changed = True
        if changed:
            self._generation += 1  # a completion running for the older roster is dropped
            self._apply(roster)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


# --- the table -------------------------------------------------------------------------------

def cell_status(cell: R.CardCell, today: dt.date) -> str:
    """The theme status a cell is coloured (and iconed) with."""
    if cell.state == R.VALID:
        n = cell.days_left(today)
        return "at_risk" if n is not None and n <= SOON_DAYS else "done"
    return {R.EXPIRED_STATE: "expired", R.NO_CARD: "not_started", R.UNKNOWN_EXPIRY: "at_risk",
            R.ERROR: "blocked"}.get(cell.state, "not_applicable")


def cell_words(cell: R.CardCell, today: dt.date) -> str:
    """The cell in words (never colour alone; the icon's shape says it again): state, then date."""
    if cell.state == R.VALID:
        n = cell.days_left(today) or 0
        if n <= SOON_DAYS:  # the days left are in the tooltip (and the CSV)
            return f"Expires {'today' if n == 0 else date_text(cell.expires)}"
        return f"Valid to {date_text(cell.expires)}"
    if cell.state == R.EXPIRED_STATE:
        return f"Expired {date_text(cell.expires)}"
    return {R.NONE: "–", R.NO_CARD: "No card yet", R.UNKNOWN_EXPIRY: "Expiry unknown",
            R.ERROR: "Error"}.get(cell.state, cell.state)


def cell_tip(cell: R.CardCell, row: R.RosterRow, today: dt.date) -> str:
    if cell.state == R.NONE:
        return f"{row.name} records no {cell.card.upper()} card."
    parts = [f"{cell.card.upper()} of {row.name}"]
    if cell.issued:
        parts.append(f"Issued {date_text(cell.issued)}")
    if cell.body:
        from core.engine.cards import BODY_LABELS

        parts.append(f"Issued by {BODY_LABELS.get(cell.body, cell.body)}")
    if cell.training_center:
        parts.append(f"Training center: {cell.training_center}")
    if cell.ecard_code:
        parts.append(f"eCard code: {cell.ecard_code}")
    if cell.expires and cell.state == R.VALID:
        n = cell.days_left(today)
        parts.append(f"Last valid day {date_text(cell.expires)}" + (f" ({n} days left)" if n is not None else ""))
    if cell.state == R.UNKNOWN_EXPIRY:
        parts.append("No expiry rule for this issuing body: ask your training center.")
    if not cell.tracked:
        parts.append("(a card recorded on a journey the profile does not follow)")
    parts.append("Enter or double-click opens the card step.")
    return "\n".join(parts)


def missing_tip(row: R.RosterRow, cards: tuple[str, ...]) -> str:
    """The Missing cell in full: what the role typically holds and which of those has no card."""
    typical = [c.upper() for c in row.typical if c in cards]
    missing = [c.upper() for c in row.missing if c in cards]
    if not typical:
        return f"{row.role_label}: no card of those shown is typical for this role."
    head = f"Typical for {row.role_label}: {', '.join(typical)}."
    tail = (f" No card recorded: {', '.join(missing)}." if missing else " Each has a card recorded.")
    return head + tail + "\n(Guidance only: your employer decides.)"


_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
# data(): which part of a cell's (text, colour, icon) each role asks for. Qt asks each painted cell
# for seven roles; a dict lookup answers the four this model leaves alone (font, alignment,
# background, check state) without comparing enum members one by one (~1 us each in PySide6).
_ROLE_PART = {Qt.ItemDataRole.DisplayRole: 0, Qt.ItemDataRole.AccessibleTextRole: 0,
              Qt.ItemDataRole.ForegroundRole: 1, Qt.ItemDataRole.DecorationRole: 2}


class RosterModel(QAbstractTableModel):
    """The rows shown (filtered, then sorted by the roster's own `sort_rows`).

    A cell's display (text, colour, icon) is computed in `data()` when Qt first paints it, and kept
    per person and column for as long as the roster, the card filter and the palette stay the
    same: a filter or a sort shows rows already painted without computing them again."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.roster: R.Roster | None = None
        self.rows: list[R.RosterRow] = []
        self.cards: tuple[str, ...] = R.ROSTER_CARDS
        self.shown_cards: tuple[str, ...] = R.ROSTER_CARDS  # the card filter's (the Missing column says those)
        self.sort_column = "name"
        self.descending = False
        self._columns: list[str] = self._make_columns()
        self._cache: dict[tuple[int, int], tuple] = {}  # (profile id, column) -> (text, colour, icon)
        self._draw: dict[tuple[int, int], tuple] = {}  # the same -> (text, colour, QIcon): draw_parts
        self._cache_key: tuple | None = None  # what the kept cells were computed for
        self._palette: dict[str, object] | None = None
        self._palette_dark: bool | None = None
        self._brushes: dict[tuple[int, int], tuple] = {}  # per palette: (colour, icon) -> what Qt draws
        self._icon_side = 16
        self._places: list[int] | None = None  # set_rows's `places`

    def _make_columns(self) -> list[str]:
        return ["name", "role", *self.cards, "missing"]

    def columns(self) -> list[str]:
        return list(self._columns)

    def sorted_rows(self, roster: R.Roster) -> list[R.RosterRow]:
        """Every row of `roster` in the current sort order (`sort_rows` of the roster's order),
        sorted once per roster and sort: a filter keeps the rows of this list that match, which is
        the order sorting them would give (the sort is stable), without sorting 500 rows again."""
        return roster.sorted_rows(self.sort_column, self.descending)

    def set_rows(self, roster: R.Roster | None, rows: list[R.RosterRow],
                 shown_cards: tuple[str, ...] | None = None, presorted: bool = False,
                 places: list[int] | None = None) -> None:
        """Show `rows` (of `roster`), sorted by the current column unless `presorted` (taken from
        `sorted_rows`); `places`: each row's place in `roster.order` of the current sort
        (`filter_ordered`), so a person's row is found without a pass over the rows."""
        self.beginResetModel()
        self._places = places if presorted and roster is not None else None
        self.roster = roster
        self.cards = roster.cards if roster is not None else R.ROSTER_CARDS
        self._columns = self._make_columns()
        self.shown_cards = tuple(shown_cards) if shown_cards is not None else self.cards
        self.rows = (list(rows) if presorted else R.sort_rows(rows, self.sort_column, self.descending)) if rows else []
        dark = theme.is_dark()
        if dark != self._palette_dark:  # the colours and icons follow a switch to or from dark mode
            self._palette, self._palette_dark = None, dark
        key = (roster, self.shown_cards, dark)
        if self._cache_key is None or key[0] is not self._cache_key[0] or key[1:] != self._cache_key[1:]:
            self._cache.clear()
            self._draw.clear()
            self._cache_key = key
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        col = self.columns()[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return {"name": "Name", "role": "Role", "missing": "Missing"}.get(
                col, CARD_LABELS.get(col, col))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == "missing":
                return "Cards the role typically holds with none recorded (guidance: your employer decides)"
            if col in self.cards:
                return f"{col.upper()}: status and last valid day; sorts by expiry"
        return None

    def _colours(self) -> dict[str, object]:
        if self._palette is None:  # once per reset: the palette's colours and icons per status
            from PySide6.QtGui import QColor

            statuses = ("done", "at_risk", "expired", "not_started", "blocked", "in_progress")
            # the icon as a pixmap at its drawn size: a QIcon is scaled again at every paint
            side = self._icon_side
            self._palette = {st: (theme.status_color(st), theme.status_icon(st).pixmap(side, side))
                             for st in statuses}
            self._palette["muted"] = (QColor(theme.muted_color()), None)
            self._brushes = {}
            self._draw = {}
        return self._palette

    def paint_parts(self, r: int, c: int) -> tuple:
        """What RosterDelegate draws a cell with: (text, text brush or None, icon or None,
        icon size), from the same kept (text, colour, icon) as `data()`; brushes and icons made
        once per palette."""
        text, colour, pm = self._cell(r, c)
        if colour is None and pm is None:
            return text, None, None, None
        key = (id(colour), id(pm))
        hit = self._brushes.get(key)
        if hit is None:
            from PySide6.QtGui import QBrush, QIcon

            hit = self._brushes[key] = (
                QBrush(colour) if colour is not None else None,
                QIcon(pm) if pm is not None else None,
                pm.deviceIndependentSize().toSize() if pm is not None else None,
                (colour, pm))  # keeps the ids above alive
        return text, hit[0], hit[1], hit[2]

    def draw_parts(self, r: int, c: int) -> tuple:
        """What RosterDelegate.paint draws a cell with: (text, colour or None, icon or None), kept
        per person and column as `_cell` (the icon the one `paint_parts` gives the style)."""
        key = (self.rows[r].profile_id, c)
        hit = self._draw.get(key)
        if hit is None:
            text, colour, pm = self._cell(r, c)
            hit = self._draw[key] = (text, colour, self.paint_parts(r, c)[2] if pm is not None else None)
        return hit

    def _cell(self, r: int, c: int) -> tuple:
        """(text, colour, icon) of a cell, computed when first painted (kept: see the class)."""
        row = self.rows[r]
        key = (row.profile_id, c)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        col = self._columns[c]
        today = self.roster.today
        pal = self._colours()
        if col in self.cards:
            cell = row.cells[col]
            if cell.state == R.NONE:
                hit = ("–", pal["muted"][0], None)
            else:
                colour, icon = pal[cell_status(cell, today)]
                hit = (cell_words(cell, today), colour, icon)
        elif col == "name":
            hit = (row.name + (f"  ({row.error})" if row.error else ""), None, None)
        elif col == "role":
            hit = (row.role_label, None, None)
        else:
            shown = [x.upper() for x in row.missing if x in self.shown_cards]
            hit = (", ".join(shown) if shown else "–", pal["at_risk"][0] if shown else None, None)
        self._cache[key] = hit
        return hit

    def data(self, index, role=_DISPLAY):
        part = _ROLE_PART.get(role)
        if part is None and role != _TOOLTIP:
            return None
        if self.roster is None or not index.isValid():
            return None
        if part is not None:
            return self._cell(index.row(), index.column())[part]
        col = self._columns[index.column()]  # the tooltip
        row = self.rows[index.row()]
        if col in self.cards:
            return cell_tip(row.cells[col], row, self.roster.today)
        if col == "missing":
            return missing_tip(row, self.shown_cards)
        return self._cell(index.row(), index.column())[0]  # the whole text of an elided cell

    def row_index(self, profile_id: int) -> int | None:
        """The row showing this person, or None."""
        places = self._places
        if places is not None and self.roster is not None:
            at = self.roster.order(self.sort_column, self.descending).place.get(profile_id)
            if at is None:
                return None
            i = bisect_left(places, at)
            return i if i < len(places) and places[i] == at else None
        return next((i for i, r in enumerate(self.rows) if r.profile_id == profile_id), None)

    def unused_cards(self) -> set[str]:
        """Cards nobody in the roster follows or holds (their columns are hidden); once per roster."""
        roster = self.roster
        if roster is None:
            return set()
        return set(roster.unused_cards())

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column = self.columns()[column]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()  # (the current cell, the selection): they follow their person
        pids = [self.rows[i.row()].profile_id if i.row() < len(self.rows) else None for i in before]
        self.rows = R.sort_rows(self.rows, self.sort_column, self.descending)
        self._places = None  # (of the order before)
        if before:
            at = {r.profile_id: n for n, r in enumerate(self.rows)}
            self.changePersistentIndexList(before, [
                self.index(at[pid], i.column()) if pid in at else QModelIndex() for i, pid in zip(before, pids, strict=True)])
        self.layoutChanged.emit()


def _month_length(year: int, month: int) -> dt.timedelta:
    """From the 1st of the month to its last day."""
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.date(year, month, 1) - dt.timedelta(days=1)


_TEXT_ROLE = QPalette.ColorRole.Text
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_HAS_BOTH = QStyleOptionViewItem.ViewItemFeature.HasDisplay | QStyleOptionViewItem.ViewItemFeature.HasDecoration
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_ICON_OFF = QIcon.State.Off
# the styles whose item drawing for a table is QCommonStyle's CE_ItemViewItem (Fusion, the default
# on Linux and in the app's Light and Dark themes; Windows): RosterDelegate.paint draws their
# cells the same way, keeping each cell's laid-out text; under any other style (the native one on
# macOS or Windows 11, a style sheet) the style draws every cell itself, as before
FAST_STYLES = frozenset({"QFusionStyle", "QWindowsStyle"})
# the styles whose row panel (PE_PanelItemViewRow) is QCommonStyle's: RosterTable paints the cells
# itself under these only (the Windows style draws a selected row's panel its own way)
ROW_STYLES = frozenset({"QFusionStyle"})
TEXT_KEPT = 4096  # laid-out texts kept per delegate (a name, a role, a status at one width each)


class RosterDelegate(QStyledItemDelegate):
    """A cell drawn as the style draws it (QCommonStyle's CE_ItemViewItem: the style's panel,
    the status icon, the text elided as the style elides it, in the palette's colours), with the
    cell's text laid out once per text and width, not at every paint.

    What the style does per cell and paint: five text layouts (three for the item's geometry,
    one to elide, one to draw: ~200,000 instructions of a cell's ~270,000), the option filled
    through the binding (`initStyleOption`: text, brush, icon). Here, in a RosterTable's paint
    (`begin`/`end`), the geometry (text and icon rectangles, from the style's `subElementRect`) is
    asked once per column width and row height, the text layout once per text and width (its
    glyph runs kept, drawn with `drawGlyphRun`: the glyphs and positions the style's own layout
    draws), the pen once per cell state; the panel (background, selection) is the style's own
    `PE_PanelItemViewItem` (for a selected cell: an unselected one's draws nothing), the icon the
    pixmap `QIcon.paint` draws, each cell clipped to itself as the style clips it. `draw` is the
    same drawing for RosterTable._paint_cells, which calls it per cell without an option or index.

    The style draws the cell itself (`QStyledItemDelegate.paint`, with `initStyleOption` below)
    wherever this would not be the same drawing: the current cell with focus (its focus frame), a
    disabled or edited cell, a text that is not one plain line (line breaks, control or format
    characters), a text the style would not show at all, a selected cell under a style that
    highlights only the text, a style other than FAST_STYLES, wrapping, right-to-left, and any
    paint outside a RosterTable's paint event. tests/test_team_paint.py compares the drawings
    with Qt's own pixel by pixel (docs/performance.md, "Team view paint, session 8").

    `initStyleOption` (the style's path) fills the option in one Python call from
    `RosterModel.paint_parts` instead of Qt asking `data()` seven roles per cell; the feature
    flags are or-ed once per value the view hands in (a PySide6 enum's `|=` is a few Python
    calls)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._features: dict[int, tuple] = {}  # id(the view's features) -> (them, | display, | display and icon)
        self._frame: Any = None  # during a RosterTable's paint: (view, model, style, icon alignment)
        self._signature: Any = None  # what the kept geometry, texts and pens were made for
        self._states: dict[int, tuple] = {}  # id(option.state) -> (state, drawn here?, icon mode, pen)
        self._geometry: dict[tuple, tuple] = {}  # (width, height, no icon) -> text and icon rectangles in the cell
        self._texts: dict[tuple, Any] = {}  # (text, geometry key) -> (top, glyph runs), False: the style's
        self._tops: dict[tuple[int, int], int] = {}  # (line height, text rectangle height) -> the line's top
        self._icons: dict[tuple, tuple] = {}  # (icon, mode, geometry key) -> (pixmap or None, x, y)
        self._points: dict[tuple[int, int], QPointF] = {}
        self._font = QFont()
        self._metrics = QFontMetrics(self._font)
        self._text_option = QTextOption()
        self._align = Qt.AlignmentFlag.AlignLeft
        self._elide = Qt.TextElideMode.ElideRight
        self._margin = 0
        self._highlight_all = True
        self._palette = QPalette()
        self.layouts = 0  # QTextLayouts made (tests count them)
        self.pen: QColor | None = None  # the pen RosterTable's own paint last gave its painter (draw)

    # the drawing of one paint event
    def begin(self, view: QTableView) -> None:
        """Before `view` paints its cells: what every cell of this paint shares (the style, font,
        palette and the view's item options); the kept geometry, texts and pens are dropped when
        any of them changed."""
        self._frame = None
        model = view.model()
        if not isinstance(model, RosterModel) or model.roster is None:
            return
        style = view.style()
        name = style.metaObject().className()
        if name not in FAST_STYLES:
            return
        opt = QStyleOptionViewItem()
        view.initViewItemOption(opt)
        if (opt.features & QStyleOptionViewItem.ViewItemFeature.WrapText
                or opt.decorationPosition != QStyleOptionViewItem.Position.Left
                or not opt.showDecorationSelected or opt.direction != Qt.LayoutDirection.LeftToRight):
            return
        palette = view.palette()
        signature = (id(style), name, opt.font.key(), palette.cacheKey(), opt.displayAlignment,
                     opt.textElideMode, opt.decorationAlignment, opt.decorationSize.toTuple(),
                     view.devicePixelRatioF())  # (the icons' pixmaps are the device's)
        if signature != self._signature:
            self._signature = signature
            self._states.clear()
            self._geometry.clear()
            self._texts.clear()
            self._tops.clear()
            self._icons.clear()
            self._font = QFont(opt.font)
            self._metrics = QFontMetrics(self._font)
            topt = QTextOption()  # as QCommonStylePrivate::viewItemDrawText sets it
            topt.setWrapMode(QTextOption.WrapMode.ManualWrap)
            topt.setTextDirection(opt.direction)
            topt.setAlignment(QStyle.visualAlignment(opt.direction, opt.displayAlignment))
            self._text_option = topt
            self._align = opt.displayAlignment
            self._elide = opt.textElideMode
            self._margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
            self._highlight_all = bool(style.styleHint(QStyle.StyleHint.SH_ItemView_ShowDecorationSelected, opt, view))
            self._palette = palette
        self._frame = (view, model, style, opt.decorationAlignment, opt)

    def end(self) -> None:
        self._frame = None

    def option_at(self, index, x: int, y: int, w: int, h: int, state, alternate: bool) -> QStyleOptionViewItem:
        """The option QTableView hands its delegate for the cell at `index` (its view's item
        option, the cell's rectangle, state and Alternate feature), for RosterTable's own paint."""
        opt = QStyleOptionViewItem(self._frame[4])
        opt.rect = QRect(x, y, w, h)
        opt.state = state
        opt.index = index
        if alternate:
            opt.features = opt.features | QStyleOptionViewItem.ViewItemFeature.Alternate
        pal = opt.palette
        pal.setCurrentColorGroup(QPalette.ColorGroup.Normal)  # (QTableViewPrivate::drawCell's, enabled)
        opt.palette = pal
        return opt

    def draw(self, painter, r: int, c: int, x: int, y: int, w: int, h: int, got: tuple, alternate: bool,
             option=None, index=None) -> bool:
        """Cell (r, c) drawn at (x, y, w, h) in the state `got` (`_state`), the painter already
        clipped to the cell, its pen kept from the cell before when the same; False (nothing
        drawn) where the style must draw it. For RosterTable's own paint no option or index is
        made per cell (a selected cell's panel is the fill the style's equals); `paint` hands in
        the view's `option` and `index` (the style's own panel then)."""
        frame = self._frame
        text, colour, icon = frame[1].draw_parts(r, c)
        key = (w, h, icon is None)
        geo = self._geometry.get(key)
        if geo is None:
            if option is None:
                index = frame[1].index(r, c)
                geo = self._measure(self.option_at(index, x, y, w, h, got[0], alternate), index, key)
            else:
                geo = self._measure(option, index, key)
        laid = self._texts.get((text, key))
        if laid is None:
            laid = self._lay_out(text, key, geo)
        if laid is False:
            return False
        if got[4]:  # selected: the panel QCommonStyle draws (PE_PanelItemViewItem, SH_ItemView_ShowDecorationSelected)
            if option is None:
                painter.fillRect(x, y, w, h, got[5])
            else:
                frame[2].drawPrimitive(_PANEL, option, painter, frame[0])
        if icon is not None:
            pix = self._icons.get((icon, got[2], key))
            if pix is None:
                pix = self._icon(icon, got[2], key, geo, painter)
            if pix[0] is None:
                icon.paint(painter, x + geo[4], y + geo[5], geo[6], geo[7], frame[3], got[2], _ICON_OFF)
            else:
                painter.drawPixmap(x + pix[1], y + pix[2], pix[0])
        if laid[1]:
            pen = got[3] if colour is None or got[4] else colour
            if pen is not self.pen:
                painter.setPen(pen)
                self.pen = pen
            at = (x + geo[0], y + geo[1] + laid[0])
            pos = self._points.get(at)
            if pos is None:
                pos = self._point(at)
            for run in laid[1]:
                painter.drawGlyphRun(pos, run)
        return True

    def state_of(self, state) -> tuple:
        """`_state` of a state flag (kept per flag)."""
        got = self._states.get(id(state))
        if got is None or got[0] is not state:
            got = self._state(state)
        return got

    def paint(self, painter, option, index) -> None:
        frame = self._frame
        if frame is not None:
            state = option.state
            got = self._states.get(id(state))
            if got is None or got[0] is not state:
                got = self._state(state)
            if got[1]:
                rect = option.rect
                x, y, w, h = rect.getRect()
                painter.save()
                painter.setClipRect(rect)  # as the style clips a cell's drawing
                pen, self.pen = self.pen, None  # (this painter's pen is set here, then restored)
                done = self.draw(painter, index.row(), index.column(), x, y, w, h, got, False, option, index)
                painter.restore()
                self.pen = pen
                if done:
                    return
        QStyledItemDelegate.paint(self, painter, option, index)

    def _point(self, at: tuple[int, int]) -> QPointF:
        """The QPointF a text is drawn at (kept: a repaint draws at the same places; ~4 us a new
        one through the binding)."""
        if len(self._points) >= TEXT_KEPT:
            self._points.clear()
        pos = self._points[at] = QPointF(*at)
        return pos

    def _state(self, state) -> tuple:
        """(state, drawn here?, icon mode, the pen without a cell colour, selected, the
        selection's brush) for a cell state, as QCommonStyle's CE_ItemViewItem picks them."""
        flag = QStyle.StateFlag
        selected = bool(state & flag.State_Selected)
        here = (bool(state & flag.State_Enabled) and not state & (flag.State_HasFocus | flag.State_Editing)
                and (self._highlight_all or not selected))
        group = QPalette.ColorGroup.Normal if state & flag.State_Active else QPalette.ColorGroup.Inactive
        pen = self._palette.color(group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        got = (state, here, QIcon.Mode.Selected if selected else QIcon.Mode.Normal, pen, selected,
               self._palette.brush(group, QPalette.ColorRole.Highlight))
        self._states[id(state)] = got
        return got

    def _measure(self, option, index, key: tuple) -> tuple:
        """The text rectangle (inside the style's margins) and the icon rectangle of a cell of
        this size, relative to the cell, from the style's own subElementRect on the option the
        style would draw with (with showDecorationSelected, as a table sets it, they do not
        depend on the text)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        view, style = self._frame[0], self._frame[2]
        cell = opt.rect
        x, y = cell.x(), cell.y()
        tr = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, view)
        ir = style.subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, opt, view)
        m = self._margin
        geo = (tr.x() - x + m, tr.y() - y, tr.width() - 2 * m, tr.height(),
               ir.x() - x, ir.y() - y, ir.width(), ir.height())
        self._geometry[key] = geo
        return geo

    def _icon(self, icon: QIcon, mode, key: tuple, geo: tuple, painter) -> tuple:
        """(pixmap, x, y in the cell) that QIcon.paint draws for `icon` in the cell's icon
        rectangle (QPixmapIconEngine: the pixmap of the aligned size at the device's pixel ratio,
        drawn at the aligned rectangle); (None, 0, 0) where it would be scaled (QIcon.paint then)."""
        box = QRect(geo[4], geo[5], geo[6], geo[7])
        size = icon.actualSize(box.size(), mode, _ICON_OFF)
        at = QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, self._frame[3], size, box)
        pix = icon.pixmap(size, painter.device().devicePixelRatio(), mode, _ICON_OFF)
        drawn = pix.deviceIndependentSize()
        same = drawn.width() == size.width() and drawn.height() == size.height()
        got = (pix, at.x(), at.y()) if same else (None, 0, 0)
        self._icons[(icon, mode, key)] = got
        return got

    def _lay_out(self, text: str, key: tuple, geo: tuple):
        """(the layout's top in the text rectangle, its glyph runs) for a one-line `text` in the
        cell's text rectangle, elided as QCommonStylePrivate::viewItemDrawText elides it; False
        when the style's own drawing is needed (see the class)."""
        if len(self._texts) >= TEXT_KEPT:
            self._texts.clear()
        self._texts[(text, key)] = False
        if not text:  # (the style draws no text)
            laid = self._texts[(text, key)] = (0, ())
            return laid
        if not text.isprintable():  # line breaks, control and format characters: the style's
            return False
        width = geo[2]
        lay, line = self._layout(text, width)
        if line is None:
            return False
        # the layout's top as viewItemDrawText aligns its bounding rectangle (one line: its
        # height rounded up) in the text rectangle
        tall = line.height()
        top = self._tops.get((tall, geo[3]))
        if top is None:
            top = self._tops[(tall, geo[3])] = QStyle.alignedRect(
                Qt.LayoutDirection.LayoutDirectionAuto, self._align, QSize(1, math.ceil(tall)),
                QRect(0, 0, width, geo[3])).top()
        if tall + top <= 0:  # the style draws nothing of a line above the rectangle
            return False
        if line.naturalTextWidth() > width:  # elided: the style lays the elided text out again
            lay, line = self._layout(self._metrics.elidedText(text, self._elide, width), width)
            if line is None:
                return False
        laid = self._texts[(text, key)] = (top, tuple(lay.glyphRuns()))
        return laid

    def _layout(self, text: str, width: int):
        """`text` laid out as QCommonStylePrivate::viewItemTextLayout lays it out (its lines
        `width` wide, the first at (0, 0)), and its line; None for the line when it takes more
        than one."""
        self.layouts += 1
        lay = QTextLayout(text, self._font)
        lay.setTextOption(self._text_option)
        lay.beginLayout()
        line = lay.createLine()
        line.setLineWidth(width)
        more = lay.createLine().isValid()
        lay.endLayout()
        return lay, (None if more or not line.isValid() else line)

    def initStyleOption(self, option, index) -> None:  # noqa: N802
        model = index.model()
        if not isinstance(model, RosterModel) or model.roster is None:
            super().initStyleOption(option, index)
            return
        text, brush, icon, size = model.paint_parts(index.row(), index.column())
        option.index = index
        if brush is not None:
            pal = option.palette
            pal.setBrush(_TEXT_ROLE, brush)
            option.palette = pal
        features = option.features  # (the view's: Alternate on every other row)
        got = self._features.get(id(features))
        if got is None or got[0] is not features:
            got = self._features[id(features)] = (features, features | _HAS_DISPLAY, features | _HAS_BOTH)
        if icon is not None:
            option.features = got[2]
            option.icon = icon
            option.decorationSize = size
        else:
            option.features = got[1]
        option.text = text


class RosterTable(QTableView):
    """Enter (and double-click) opens the step of the cell's person and card."""

    open_cell = Signal(int, str)  # profile id, card (or "" for a name/role cell)
    resized = Signal()
    own_paints = 0  # paint events whose cells _paint_cells drew (tests count them)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.resized.emit()

    def paintEvent(self, event) -> None:  # noqa: N802
        """The whole row shows selected; the current cell (the card Enter opens) gets a frame in
        the selection's text colour, clearer than the style's dotted focus rectangle.

        The cells: drawn here, as QTableView::paintEvent draws them (`_paint_cells`), where its
        drawing is that simple (see there); else by QTableView with the delegate's `paint`."""
        delegate = self.itemDelegate()
        if not isinstance(delegate, RosterDelegate):
            super().paintEvent(event)
        else:
            delegate.begin(self)  # what this paint's cells share, asked once (RosterDelegate.paint)
            try:
                if delegate._frame is None or not self._paint_cells(event, delegate):
                    super().paintEvent(event)
            finally:
                delegate.end()
        idx = self.currentIndex()
        if not idx.isValid() or not self.hasFocus():
            return
        rect = self.visualRect(idx)
        if rect.isEmpty() or not event.rect().intersects(rect):
            return
        from PySide6.QtGui import QPainter, QPalette, QPen

        p = QPainter(self.viewport())
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.HighlightedText), 2))
        p.drawRect(rect.adjusted(2, 2, -2, -2))
        p.end()

    def setSpan(self, row: int, column: int, rows: int, columns: int) -> None:  # noqa: N802
        self._spans = True  # (never done here; _paint_cells leaves spans to QTableView)
        super().setSpan(row, column, rows, columns)

    def _paint_cells(self, event, delegate: RosterDelegate) -> bool:
        """What QTableView::paintEvent draws (Qt 6: per cell of the dirty rectangle the style's
        PE_PanelItemViewRow, which QCommonStyle draws as the Alternate base or, for a style that
        shows decorations selected, the selection; the delegate's cell; then the grid: a line
        under each row of the rectangle, then one after each column)
        without a Python call from Qt per cell (~20,000 instructions each, with the model's
        index() asking rowCount and columnCount): the delegate draws each cell (`draw`), the style
        the focused one. Only for the simple case, else False (QTableView paints): one dirty
        rectangle, left to right, no spans, moved or hidden rows, moved columns or hover
        tracking, the horizontal header shown, enabled. tests/test_team_paint.py compares it with
        QTableView's own painting."""
        hh, vh = self.horizontalHeader(), self.verticalHeader()
        region = event.region()
        if (delegate._signature[1] not in ROW_STYLES or region.rectCount() != 1 or getattr(self, "_spans", False) or self.isRightToLeft()
                or not self.isEnabled() or hh.sectionsMoved() or vh.sectionsMoved() or vh.sectionsHidden()
                or self.viewport().testAttribute(Qt.WidgetAttribute.WA_Hover) or hh.count() == 0 or vh.count() == 0
                or hh.isHidden()):
            return False
        model = cast(RosterModel, self.model())
        base = delegate._frame[4]
        state = base.state
        flag = QStyle.StateFlag
        grid = self.showGrid()
        gs = 1 if grid else 0
        x_end = hh.length() - hh.offset() - 1
        y_end = vh.length() - vh.offset() - 1
        area = region.boundingRect()
        area.setBottom(min(area.bottom(), y_end))
        area.setRight(min(area.right(), x_end))
        left, right = hh.visualIndexAt(area.left()), hh.visualIndexAt(area.right())
        left = 0 if left == -1 else left
        right = hh.count() - 1 if right == -1 else right
        top, bottom = vh.visualIndexAt(area.top()), vh.visualIndexAt(area.bottom())
        bottom = vh.count() - 1 if bottom == -1 else bottom
        from PySide6.QtGui import QPainter, QPen

        painter = QPainter(self.viewport())
        if top == -1 or top > bottom:
            return True
        cols = [(c, self.columnViewportPosition(c), self.columnWidth(c) - gs)
                for c in range(left, right + 1) if not hh.isSectionHidden(c)]
        selected: dict[int, list[tuple[int, int]]] = {}
        for rng in cast(Any, self.selectionModel().selection()):
            for r in range(max(rng.top(), top), min(rng.bottom(), bottom) + 1):
                selected.setdefault(r, []).append((rng.left(), rng.right()))
        current = self.currentIndex()
        focus = (self.hasFocus() or self.viewport().hasFocus()) and current.isValid()
        cur = (current.row(), current.column()) if focus else None
        plain = delegate.state_of(state)
        chosen = delegate.state_of(state | flag.State_Selected)
        group = QPalette.ColorGroup.Normal if state & flag.State_Active else QPalette.ColorGroup.Inactive
        pal = base.palette
        alt_brush = pal.brush(group, QPalette.ColorRole.AlternateBase)
        sel_brush = pal.brush(group, QPalette.ColorRole.Highlight)
        row_selection = delegate._highlight_all  # (SH_ItemView_ShowDecorationSelected)
        alternate = self.alternatingRowColors()
        alt = bool(top & 1) and alternate
        grid_colour = QColor.fromRgba(self.style().styleHint(QStyle.StyleHint.SH_Table_GridLineColor, base, self)
                                      & 0xFFFFFFFF)
        # a solid, opaque grid covers the pixels between cells: a row's base is one rectangle
        whole_rows = grid and grid_colour.alpha() == 255 and self.gridStyle() == Qt.PenStyle.SolidLine and bool(cols)
        draw = delegate.draw
        fill = painter.fillRect
        clip = painter.setClipRect
        delegate.pen = None
        rows = []
        for r in range(top, bottom + 1):
            y = self.rowViewportPosition(r)
            h = self.rowHeight(r) - gs
            rows.append(y + h)
            ranges = selected.get(r)
            if whole_rows and alt and ranges is None:  # PE_PanelItemViewRow of each cell at once
                painter.setClipping(False)
                fill(cols[0][1], y, cols[-1][1] + cols[-1][2] - cols[0][1], h, alt_brush)
                row_filled = True
            else:
                row_filled = False
            for c, x, w in cols:
                clip(x, y, w, h)  # (the style clips a cell's drawing to it)
                sel = ranges is not None and any(a <= c <= b for a, b in ranges)
                if sel and row_selection:  # PE_PanelItemViewRow
                    fill(x, y, w, h, sel_brush)
                elif alt and not row_filled:
                    fill(x, y, w, h, alt_brush)
                if cur is not None and cur[0] == r and cur[1] == c or not draw(
                        painter, r, c, x, y, w, h, chosen if sel else plain, alt):
                    st = state | flag.State_Selected if sel else state
                    if cur is not None and cur[0] == r and cur[1] == c:
                        st = st | flag.State_HasFocus
                    index = model.index(r, c)
                    QStyledItemDelegate.paint(delegate, painter, delegate.option_at(index, x, y, w, h, st, alt), index)
            alt = not alt and alternate
        painter.setClipping(False)
        if grid:
            if self.gridStyle() == Qt.PenStyle.SolidLine:  # one pixel wide: the lines' own pixels
                for y in rows:
                    fill(area.left(), y, area.width(), 1, grid_colour)
                for _c, x, w in cols:
                    fill(x + w, area.top(), 1, area.height(), grid_colour)
            else:
                painter.setPen(QPen(grid_colour, 0, self.gridStyle()))
                for y in rows:
                    painter.drawLine(area.left(), y, area.right(), y)
                for _c, x, w in cols:
                    painter.drawLine(x + w, area.top(), x + w, area.bottom())
        painter.end()
        self.own_paints += 1
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        idx = self.indexAt(event.position().toPoint())
        if idx.isValid():
            self._open(idx)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _open(self, idx) -> None:
        model: RosterModel = self.model()
        row = model.rows[idx.row()]
        col = model.columns()[idx.column()]
        self.open_cell.emit(row.profile_id, col if col in model.cards else "")


# --- the panel -------------------------------------------------------------------------------

class TeamPanel(QWidget):
    def __init__(self, data: TeamData, host=None) -> None:
        super().__init__()
        self.data = data
        self.host = host
        self.setObjectName("teamPanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("teamSearch")
        self.search.setPlaceholderText("Search names (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search names")
        self.search.textChanged.connect(self._schedule)
        lab = QLabel("&Show:")
        self.filter = QComboBox()
        self.filter.setObjectName("teamFilter")
        self.filter.setAccessibleName("Show")
        for label, _kw in FILTERS:
            self.filter.addItem(label)
        lab.setBuddy(self.filter)
        self.filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        # the card filter (the command line's --card): which card columns show and count
        cards_label = QLabel("C&ards:")
        self.cards_button = QToolButton()
        self.cards_button.setObjectName("teamCards")
        self.cards_button.setAccessibleName("Cards shown")
        self.cards_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.cards_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.cards_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.cards_menu = QMenu(self.cards_button)
        self.card_actions: dict[str, QAction] = {}
        self.all_cards_action = self.cards_menu.addAction("&All cards")
        self.all_cards_action.triggered.connect(self.show_all_cards)
        self.cards_menu.addSeparator()
        for c in R.ROSTER_CARDS:
            act = self.cards_menu.addAction(f"&{CARD_LABELS[c]}")
            act.setCheckable(True)
            act.toggled.connect(lambda _on: self.apply_filter())
            self.card_actions[c] = act
        self.cards_button.setMenu(self.cards_menu)
        cards_label.setBuddy(self.cards_button)
        self.export_csv_button = QPushButton("Export &CSV…")
        self.export_csv_button.clicked.connect(self.export_csv)
        self.export_pdf_button = QPushButton("Export P&DF…")
        self.export_pdf_button.clicked.connect(self.export_pdf)
        bar.addWidget(self.search, 2)
        bar.addWidget(lab)
        bar.addWidget(self.filter, 1)
        bar.addWidget(cards_label)
        bar.addWidget(self.cards_button)
        bar.addWidget(self.export_csv_button)
        bar.addWidget(self.export_pdf_button)
        lay.addLayout(bar)
        self.progress = QProgressBar()
        self.progress.setObjectName("teamProgress")
        self.progress.setFormat("Reading the team: %v of %m profiles")
        self.progress.hide()
        lay.addWidget(self.progress)
        self.model = RosterModel(self)
        self.table = RosterTable()
        self.table.setObjectName("teamTable")
        self.table.setAccessibleName("Team roster")
        self.table.setModel(self.model)
        self.table.setItemDelegate(RosterDelegate(self.table))
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)  # Enter: the current cell's card
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hdr.setStretchLastSection(False)
        hdr.setMinimumSectionSize(48)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.open_cell.connect(self.open_cell)
        self.table.resized.connect(self._on_table_resized)
        lay.addWidget(self.table, 1)
        self.count = QLabel()
        self.count.setObjectName("teamCount")
        self.count.setWordWrap(True)
        self.count.setStyleSheet(f"color: {theme.muted_color()};")
        lay.addWidget(self.count)
        self.empty = theme.EmptyHint(self.table, "")
        self.empty.hide()
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)
        self.setFocusProxy(self.table)
        self._timer = QTimer(self)  # typing: filter once the keys pause
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.apply_filter)
        self._widths_set = False
        self._widths_key: tuple[R.Roster | None, tuple[int, int, int, int]] | None = None
        data.changed.connect(self._on_data)
        data.progress.connect(self._on_progress)
        self._data_seen = 0
        data.ensure()
        if not self._data_seen:  # (a roster built by ensure() is already shown: not filtered twice)
            self._on_data()

    # filtering
    def chosen_cards(self) -> tuple[str, ...]:
        """The cards the card filter keeps (none chosen: every card)."""
        return tuple(c for c, a in self.card_actions.items() if a.isChecked())

    def set_cards(self, cards) -> None:
        """Choose the cards shown (as `--card pals,bls`); empty: all."""
        for c, act in self.card_actions.items():
            act.blockSignals(True)
            act.setChecked(c in cards)
            act.blockSignals(False)
        self.apply_filter()

    def show_all_cards(self) -> None:
        self.set_cards(())

    def current_filter(self) -> R.RosterFilter:
        return R.RosterFilter(search=self.search.text().strip(), cards=self.chosen_cards(),
                              **FILTERS[self.filter.currentIndex()][1])

    def set_filter(self, label: str) -> None:
        self.filter.setCurrentIndex([f[0] for f in FILTERS].index(label))

    def _schedule(self, *_a) -> None:
        self._timer.start()

    def apply_filter(self) -> None:
        self._timer.stop()
        roster = self.data.roster
        if roster is None:
            self.model.set_rows(None, [])
            return
        flt = self.current_filter()
        rows, places = R.filter_ordered(roster, flt, self.model.sort_column, self.model.descending)
        current = self._current_key()
        shown = flt.visible_cards(roster)
        self.model.set_rows(roster, rows, shown, presorted=True, places=places)
        unused = self.model.unused_cards()  # of the whole roster, so a filter never moves columns
        for c, act in self.card_actions.items():
            act.setEnabled(c not in unused)
        chosen = self.chosen_cards()
        self.cards_button.setText(", ".join(CARD_LABELS[c] for c in chosen) if chosen else "All cards")
        hidden = unused | (set(roster.cards) - set(shown))
        moved = False
        for i, col in enumerate(self.model.columns()):
            if self.table.isColumnHidden(i) != (col in hidden):
                self.table.setColumnHidden(i, col in hidden)
                moved = True
        if (not self._widths_set or moved) and rows:
            self._fit_columns()
        self._restore(current)
        n, total = len(rows), len(roster.rows)
        self.count.setText(f"{n} of {total} profiles shown · as of {date_text(roster.today)} · "
                           "Missing = typical for the role (guidance: your employer decides) · "
                           "Enter opens the card step.")
        if total == 0:
            self.empty.setText("No profiles yet. File ▸ Import team from CSV… brings a team in.")
        else:
            self.empty.setText("Nobody matches this filter.")
        self.empty.update_for(n == 0)
        for b in (self.export_csv_button, self.export_pdf_button):
            b.setEnabled(n > 0)

    def _cell_width(self, text: str, icon: bool = False) -> int:
        """The width a cell needs to show `text` (and a status icon) in full: what the item
        delegate asks of the style, plus the grid line (QTableView.sizeHintForColumn's figure)."""
        from PySide6.QtCore import QSize
        from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

        opt = QStyleOptionViewItem()
        opt.font = self.table.font()
        opt.fontMetrics = self.table.fontMetrics()
        opt.text = text
        opt.features = QStyleOptionViewItem.ViewItemFeature.HasDisplay
        if icon:
            opt.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
            opt.decorationSize = QSize(self.model._icon_side, self.model._icon_side)
        opt.displayAlignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        w = self.table.style().sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, opt, QSize(), self.table).width()
        return w + (1 if self.table.showGrid() else 0)

    def _widest(self, texts: list[str]) -> list[str]:
        """Those of `texts` that can be the widest in the table's font: their advance within 2
        pixels of the largest (the style's width is the text's laid-out width, which differs from
        its advance by under a pixel), one text per advance (texts with the same advance lay out
        as wide; a text with space at either end is always kept, a layout may leave that out), so
        measuring only these through the style (~25 us a text) gives the same maximum as
        measuring them all."""
        if len(texts) <= 1:
            return texts
        from PySide6.QtGui import QFontMetricsF

        advance = QFontMetricsF(self.table.font()).horizontalAdvance
        widths = [advance(t) for t in texts]
        top = max(widths)
        seen: set[float] = set()
        out = []
        for t, w in zip(texts, widths, strict=True):
            if w < top - 2:
                continue
            if t == t.strip():
                if w in seen:
                    continue
                seen.add(w)
            out.append(t)
        return out

    def _fit_columns(self) -> None:
        """Widths from the font (not resizeColumnsToContents, which asks every cell: seconds at
        500). Name and Role first get what their longest text needs (within reason: about 50
        characters each), each card column what its longest status words need, Missing its text up
        to a cap; the card columns share what is left. When the window is too narrow for all of
        that, Role gives way first (elided, the tooltip says it all), then the name, down to a
        floor: a card's status is never cut and three cards fit 1280 pixels without a horizontal
        scroll bar. Again on a resize."""
        roster = self.data.roster
        rows = roster.rows if roster is not None else self.model.rows
        fm = self.table.fontMetrics()
        hdr = self.table.horizontalHeader()
        cards = len(self.model.cards)
        if self._widths_key is None or self._widths_key[0] is not roster:
            # the candidates a font measures (measuring all 500 names costs ~10 ms); a roster's are
            # made when it was applied (Roster.warm)
            longest_roles, longest_names, longest = (roster.longest_texts() if roster is not None
                                                     else R.longest_texts(rows))
            roles = max((self._cell_width(r) for r in self._widest(longest_roles)),
                        default=fm.averageCharWidth() * 12)
            names = max((self._cell_width(n) for n in self._widest(longest_names)),
                        default=fm.averageCharWidth() * 12)
            # each month's last day: the month's name (or number) sets the width ("31 May 2027" is
            # wider than "31 Dec 2026" in most fonts: with Dec alone May's dates were elided)
            samples = [date_text(dt.date(2026, m, 1) + _month_length(2026, m)) for m in range(1, 13)]
            words = max(self._cell_width(w, icon=True) for w in self._widest(
                [t for d in samples for t in (f"Valid to {d}", f"Expired {d}", f"Expires {d}")]
                + ["Expiry unknown", "No card yet"]))
            miss = self._cell_width(", ".join(["PALS"] * max(1, longest)))
            heads = [hdr.sectionSizeHint(i) for i in range(self.model.columnCount())]
            self._widths_key = (roster, (max(roles, heads[1]), max(names, heads[0]),
                                         max([words, *heads[2:2 + cards]]),
                                         min(max(miss, heads[2 + cards]), fm.averageCharWidth() * 22)))
        role_need, name_need, card_w, miss_w = self._widths_key[1]
        cap = fm.averageCharWidth() * 50
        floor = fm.averageCharWidth() * 14
        name_w, role_w = min(name_need, cap), min(role_need, cap)
        shown = sum(1 for i in range(2, 2 + cards) if not self.table.isColumnHidden(i))
        room = self.table.viewport().width() - shown * card_w - miss_w - name_w - role_w
        if room < 0:  # too narrow: Role gives way first, then the name (never below the floor)
            cut = min(-room, max(0, role_w - min(role_w, floor)))
            role_w, room = role_w - cut, room + cut
        if room < 0:
            cut = min(-room, max(0, name_w - min(name_w, floor)))
            name_w, room = name_w - cut, room + cut
        extra = max(0, room)
        hdr.resizeSection(0, name_w + (0 if shown else extra))
        hdr.resizeSection(1, role_w)
        k = 0
        for i in range(2, 2 + cards):
            if self.table.isColumnHidden(i):
                hdr.resizeSection(i, card_w)
                continue
            share = extra // shown + (1 if k < extra % shown else 0)  # the rest, the last pixel too
            hdr.resizeSection(i, card_w + share)
            k += 1
        hdr.resizeSection(2 + cards, miss_w)
        self._widths_set = True

    def _on_table_resized(self) -> None:
        if self._widths_set:
            self._fit_columns()

    def _current_key(self):
        idx = self.table.currentIndex()
        if not idx.isValid() or idx.row() >= len(self.model.rows):
            return None
        return self.model.rows[idx.row()].profile_id, idx.column()

    def _restore(self, key) -> None:
        if not self.model.rows:
            return
        row, col = 0, 0
        if key is not None:
            pid, col = key
            found = self.model.row_index(pid)
            row = 0 if found is None else found
        self.table.setCurrentIndex(self.model.index(row, min(col, self.model.columnCount() - 1)))

    def shown_rows(self) -> list[R.RosterRow]:
        return list(self.model.rows)

    def _on_data(self) -> None:
        self._data_seen += 1
        busy = self.data.building
        self.progress.setVisible(busy)
        if self.data.error:
            self.count.setText(self.data.error)
        if not busy:
            self.apply_filter()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setVisible(True)
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    # opening a step
    def open_cell(self, pid: int, card: str) -> None:
        if self.host is None or self.data.roster is None:
            return
        row = next((r for r in self.data.roster.rows if r.profile_id == pid), None)
        if row is None:
            return
        if not card:  # the name, role or missing column: the first card followed or held
            card = next((c for c in self.model.cards if row.cells[c].state != R.NONE), "")
        open_person_card(self.host, pid, card, row.name)

    # exports
    def export_csv(self) -> bool:
        return self._export("CSV", "csv", lambda roster, rows, flt: R.roster_csv(roster, rows, flt).encode("utf-8"))

    def export_pdf(self) -> bool:
        from .report import html_to_pdf

        return self._export("PDF", "pdf", lambda roster, rows, flt: html_to_pdf(
            roster_html(roster, rows, flt), f"CertPath team roster {roster.today.isoformat()}"))

    def _export(self, kind: str, ext: str, render) -> bool:
        """Ask where, then write the rows shown (as filtered) with today's statuses: rows kept
        from another day's evaluation are evaluated first (a wait cursor meanwhile)."""
        roster = self.data.roster
        if roster is None:
            return False
        path, _ = QFileDialog.getSaveFileName(self, f"Export the team roster as {kind}",
                                              str(Path.home() / f"team-roster-{roster.today.isoformat()}.{ext}"),
                                              f"{kind} files (*.{ext})")
        if not path:
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            roster = self.data.complete_now()  # the view follows (changed)
        finally:
            QApplication.restoreOverrideCursor()
        if roster is None:
            return False
        return self._write(path, render(roster, self.shown_rows(), self.current_filter()))

    def _write(self, path: str, data: bytes) -> bool:
        from core.exports import write_atomic

        try:
            write_atomic(Path(path), data)
        except OSError as e:
            QMessageBox.warning(self, "Not exported", f"Could not write {path}:\n{e.strerror or e}")
            return False
        if self.host is not None:
            self.host.show_status(f"Exported {len(self.shown_rows())} rows to {path}")
        return True


def open_person_card(host, pid: int, card: str, name: str) -> None:
    """Switch to `pid` through the window (one evaluation for the switch) and open `<card>.card`."""
    if host.session.profile_id != pid:
        host.switch_profile(pid)
    if host.session.profile_id != pid:
        return
    journey = host.journeys.journey
    tracks = {t.track for t in journey.tracks} if journey is not None else set()
    if card and card in tracks:
        host.open_step(f"{card}.card")
    else:
        what = f"the {card.upper()} journey" if card else "any card journey"
        host.show_status(f"{name} does not follow {what}: add it with File ▸ Profiles, or record the card "
                         "from a CSV import.", 8000)


def roster_html(roster: R.Roster, rows: list[R.RosterRow], flt: R.RosterFilter) -> str:
    """The printable roster: the date, the filter, one line per person, the rules used."""
    from core.rules import RuleNotFound

    from .report import _CSS, DISCLAIMER

    cards = flt.visible_cards(roster)
    e = html.escape
    head = "".join(f"<th>{e(c.upper())}</th>" for c in cards)
    body = []
    for r in rows:
        cells = "".join(f"<td nowrap class='status-{e(cell_status(r.cells[c], roster.today))}'>"
                        f"{e(cell_words(r.cells[c], roster.today))}</td>" for c in cards)
        missing = ", ".join(c.upper() for c in r.missing if c in cards) or "–"
        body.append(f"<tr><td>{e(r.name)}</td><td>{e(r.role_label)}</td>{cells}<td>{e(missing)}</td></tr>")
    comment = R.export_comment(roster, flt, cards)[2:].split("; rules: ")[0]
    rules = roster.rule_set
    rule_rows = []
    for rid in roster.rules:
        try:
            rec = rules.find(rid, roster.today) if rules is not None else None
            rec = rec or (rules.records(rid)[-1] if rules is not None else None)
        except RuleNotFound:
            rec = None
        if rec is None:
            rule_rows.append(f"<tr><td>{e(rid)}</td><td></td><td></td><td></td></tr>")
            continue
        src = "<br/>".join(f"<span class='small'>{e(u)}</span>" for u in rec.urls)
        rule_rows.append(f"<tr><td>{e(rid)}</td><td>{e(rec.statement)}<br/>{src}</td>"
                         f"<td nowrap>{rec.checked.isoformat()}</td><td>{e(rec.confidence)}</td></tr>")
    return (f"<html><head><style>{_CSS} .status-done {{ color: #1b5e20; }}</style></head><body>"
            f"<h1>Team roster</h1><p class='small'>{e(comment)} · {len(rows)} of {len(roster.rows)} profiles"
            f"</p><p class='small'>Missing = cards the role typically holds with none recorded (guidance: the "
            f"employer decides). {e(DISCLAIMER)}</p>"
            "<table width='100%' border='1' cellspacing='0'><tr><th>Name</th><th>Role</th>"
            f"{head}<th>Missing</th></tr>{''.join(body)}</table>"
            "<h2>Rules used</h2><table width='100%' border='1' cellspacing='0'><tr><th width='24%'>Rule</th>"
            "<th>Statement</th><th width='12%'>Checked</th><th width='12%'>Confidence</th></tr>"
            f"{''.join(rule_rows)}</table></body></html>")


# --- the dashboard's team summary --------------------------------------------------------------

SUMMARY_SHOWN = 6  # people named per line; the rest are counted


def summary_lines(summary: R.TeamSummary) -> list[tuple[str, list[R.TeamItem], int]]:
    """(heading in words, the items named, how many more) per finding, worded by the catalogue."""
    out = []
    for code, params in summary.findings():
        items = list(params["items"])
        out.append((text(Finding(code, {k: v for k, v in params.items() if k != "items"})),
                    items[:SUMMARY_SHOWN], max(0, len(items) - SUMMARY_SHOWN)))
    return out


class TeamSummaryBox(QGroupBox):
    """"3 cards expire this month: …" when more than one profile holds cards."""

    def __init__(self, data: TeamData, host=None) -> None:
        super().__init__("Your team")
        self.setObjectName("teamSummary")
        self.data = data
        self.host = host
        lay = QVBoxLayout(self)
        self.label = theme.WrapLabel()
        self.label.setObjectName("teamSummaryText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
                                           | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.linkActivated.connect(self._link)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay.setAlignment(Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.label)
        self.button = QPushButton("Open the &Team view")
        self.button.clicked.connect(lambda: host.team_action.trigger() if host is not None else None)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        data.changed.connect(self.refresh)
        self.hide()

    def refresh(self) -> None:
        roster = self.data.roster
        summary = R.team_summary(roster) if roster is not None else None
        if summary is None or not summary.show:
            self.hide()
            return
        status = {"team.cards_expired": "expired", "team.cards_expire_this_month": "at_risk",
                  "team.cards_expire_soon": "in_progress", "team.typical_cards_missing": "not_started"}
        parts = []
        for (code, _p), (heading, items, more) in zip(summary.findings(), summary_lines(summary), strict=True):
            col = theme.status_color(status.get(code, "in_progress")).name()
            who = "; ".join(
                f"<a href='team:{i.profile_id}:{i.card}'>"
                f"{html.escape(text(Finding('team.item' if i.date else 'team.item_undated', {'name': i.name, 'card': i.card, 'date': i.date})))}</a>"
                for i in items)
            if more:
                who += " " + html.escape(text(Finding("team.more", {"count": more})))
            parts.append(f"<p style='margin:0 0 6px 0'><b style='color:{col}'>{html.escape(heading)}</b> {who}</p>")
        if not parts:
            parts.append(f"<p style='margin:0'>{html.escape(text(Finding('team.all_clear', {'count': summary.holders, 'days': summary.soon_days})))}</p>")
        self.label.setText("".join(parts))
        self.show()

    def plain_text(self) -> str:
        from PySide6.QtGui import QTextDocument

        d = QTextDocument()
        d.setHtml(self.label.text())
        return d.toPlainText()

    def _link(self, href: str) -> None:
        if not href.startswith("team:") or self.host is None:
            return
        _t, pid, card = href.split(":", 2)
        roster = self.data.roster
        name = next((r.name for r in roster.rows if r.profile_id == int(pid)), "") if roster else ""
        open_person_card(self.host, int(pid), card, name)


# --- the import ------------------------------------------------------------------------------

class ImportDialog(CsvPreviewDialog):
    """The preview of a team CSV: each row's problems beside it, name matching or new profiles,
    Import in one transaction; Cancel writes nothing."""

    def __init__(self, session, data: bytes, file_name: str, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.raw = data
        self.file_name = file_name
        self.preview = None
        self.result_text = ""
        self.setWindowTitle(f"Import team from {file_name}")
        self.resize(920, 560)
        lay = QVBoxLayout(self)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        lay.addWidget(self.notes)
        self.match_name = QRadioButton("&Match people already here by name (update their cards)")
        self.match_new = QRadioButton("&Add everyone as a new profile")
        self.match_name.setChecked(True)
        grp = QButtonGroup(self)
        grp.addButton(self.match_name)
        grp.addButton(self.match_new)
        self.match_name.toggled.connect(lambda _on: self.reload())
        lay.addWidget(self.match_name)
        lay.addWidget(self.match_new)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("importPreview")
        self.table.setHorizontalHeaderLabels(["Row", "Person", "What happens", "Problems and notes"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        self.add_footer(lay)
        self.reload()

    def match(self) -> str:
        return "name" if self.match_name.isChecked() else "new"

    def reload(self) -> None:
        from core.csv_import import CREATE, UNCHANGED, UPDATE, CsvError
        from core.roster_import import preview_roster

        self.table.setRowCount(0)
        try:
            self.preview = preview_roster(self.session.store, self.raw, self.session.today, self.match())
        except (CsvError, ValueError) as e:
            self.show_unreadable("a team", e)
            return
        what = {CREATE: "New profile", UPDATE: "Update profile {t}", UNCHANGED: "Unchanged (profile {t})"}
        n_ok, n_bad = self.show_rows(self.preview, lambda r: what.get(r.action, r.action).format(t=r.target))
        p = self.preview
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        if p.problems:
            self.summary.setText("The file has problems (above): nothing can be imported from it.")
        else:
            self.summary.setText(self.can_import_text(p, n_ok, n_bad))
        self.import_button.setEnabled(bool(n_ok) and not p.problems)
        self.import_button.setText(f"&Import {n_ok} {'person' if n_ok == 1 else 'people'}")


def import_team(host, data: TeamData, path: str | None = None) -> bool:
    """File ▸ Import team from CSV…: choose the file, preview, import."""
    parent = host if isinstance(host, QWidget) else None
    chosen = choose_csv(parent, "Import team from CSV", path)
    if chosen is None:
        return False
    file, raw = chosen
    dlg = ImportDialog(host.session, raw, file.name, parent)
    host.import_dialog = dlg
    if not dlg.exec():
        return False
    data.rebuild()
    host.refresh()
    host.show_status(dlg.result_text, 8000)
    return True


# --- registration ----------------------------------------------------------------------------

def attach(host):
    """View ▸ Team, File ▸ Import team from CSV…, the dashboard's team summary."""
    data = TeamData(host.session, host.journeys, host if isinstance(host, QObject) else None)
    host.team_data = data
    box = TeamSummaryBox(data, host)
    host.add_dashboard_section(box)
    host.team_summary = box

    def build() -> TeamPanel:
        panel = TeamPanel(data, host)
        host.team_panel = panel
        return panel

    host.team_action = host.add_panel("Team", build, "Ctrl+Shift+T")
    act = QAction("Import &team from CSV…", host if isinstance(host, QObject) else None)
    act.triggered.connect(lambda _c=False: import_team(host, data))
    host.add_file_actions(act, group="import")  # beside File ▸ Import (gui/history_import_ui.py)
    host.import_team_action = act
    if threading.current_thread() is threading.main_thread():
        data.ensure()  # the dashboard's summary; a large file is read in the worker thread
    return host.team_action
