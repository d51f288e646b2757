"""The Team table's own cell drawing (gui/team.py RosterDelegate.paint): it draws what the style
draws (Qt's QStyledItemDelegate on the same model, pixel for pixel: light and dark, Fusion and
Windows, a selected row, the current cell with focus, names and roles elided in a narrow window,
accents, right-to-left and wide characters), and lays a cell's text out once, not at every paint."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleFactory, QStyleOptionViewItem

TODAY = dt.date(2026, 11, 21)
LONG = "Maximiliana Alexandra Konstantinopoulou-Vanderbilt de la Fuente"
NAMES = ("Ana Díaz", "Ñuño Ōtani", "محمد الأحمد", "王小明", "Zoë 😀 Smith", LONG, "Ben Okafor", "Cho Min",
         "Tab\tSeparated", "Dana Reyes, RN")
ROLES = ("nurse_picu", "pediatrician", "nurse_nicu", "paramedic", "emergency_physician")


class _Journeys(QObject):  # the window's JourneyService as TeamData sees it
    journey_changed = Signal(object)
    doc = None


class _Session:
    def __init__(self, store) -> None:
        self.store, self.today, self.profile_id = store, TODAY, None


@pytest.fixture
def panel(qtbot, store):
    from gui.team import TeamData, TeamPanel

    for i, name in enumerate(NAMES):
        facts = {"bls.card": {"issue_date": f"2025-{1 + i % 12:02d}-{1 + i:02d}"},
                 "bls.enroll": {"body": ("aha", "red_cross")[i % 2]}}
        cards = ["bls"]
        if i % 3:
            facts["pals.card"] = {"issue_date": f"2024-{1 + (i * 5) % 12:02d}-10"}
            cards.append("pals")
        if i % 4 == 1:
            cards.append("nrp")  # followed, no card yet
        store.create_profile(name, ROLES[i % len(ROLES)], cards, facts)
    data = TeamData(_Session(store), _Journeys())
    p = TeamPanel(data)
    qtbot.addWidget(p)
    p.resize(1280, 700)
    p.show()
    qtbot.waitUntil(lambda: data.roster is not None and not data.building and bool(p.model.rows))
    yield p
    data.shutdown()


def _grab(panel, delegate) -> QImage:
    table = panel.table
    table.setItemDelegate(delegate)
    QApplication.processEvents()
    return table.viewport().grab().toImage()


def _focus(qtbot, panel, row: int, col: str) -> None:
    t, m = panel.table, panel.model
    t.setFocus()
    qtbot.waitUntil(t.hasFocus)
    t.setCurrentIndex(m.index(row, m.columns().index(col)))  # the row selected, the cell current


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("style", ["Fusion", "Windows"])
@pytest.mark.parametrize("width", [1280, 760], ids=["wide", "narrow"])
def test_the_table_draws_what_the_style_draws(qtbot, panel, dark, style, width):
    from gui import theme
    from gui.team import RosterDelegate

    app = QApplication.instance()
    kept_style = QStyleFactory.create(style)
    try:
        if dark:
            theme.apply_dark(app)
        panel.table.setStyle(kept_style)
        panel.resize(width, 700)
        panel.apply_filter()  # (the model's colours follow the palette at a reset)
        QApplication.processEvents()
        _focus(qtbot, panel, 2, "pals")
        ours = RosterDelegate(panel.table)
        for cell in ((2, "pals"), (5, "name"), (0, "missing")):  # the focus on a card, a name, the last column
            _focus(qtbot, panel, *cell)
            own = panel.table.own_paints
            drawn = _grab(panel, ours)
            assert (panel.table.own_paints > own) == (style == "Fusion")  # (RosterTable drew the cells itself)
            assert drawn == _grab(panel, QStyledItemDelegate(panel.table)), (style, dark, width, cell)
        panel.search.setFocus()  # no focus: the current row still selected, inactive colours
        qtbot.waitUntil(lambda: not panel.table.hasFocus())
        assert _grab(panel, ours) == _grab(panel, QStyledItemDelegate(panel.table))
        # the cells were drawn by the delegate itself, not handed to the style: their texts kept
        kept = {text for text, _key in ours._texts}
        assert {"Ana Díaz", "محمد الأحمد", "王小明", "Zoë 😀 Smith", LONG} <= kept
        if width == 760:  # a narrow window: the long name and the roles are elided
            name_w = panel.table.columnWidth(0)
            assert panel.table.fontMetrics().horizontalAdvance(LONG) > name_w
            long_runs = [laid[1] for (text, _key), laid in ours._texts.items() if text == LONG and laid]
            assert long_runs and sum(len(r.glyphIndexes()) for r in long_runs[0]) < len(LONG)  # "…"
    finally:
        if dark:
            theme.apply_light(app)
        panel.table.setStyle(None)


def test_a_cell_is_laid_out_once_not_at_every_paint(qtbot, panel):
    """The style lays each painted cell's text out five times per paint (geometry, elision,
    drawing); the delegate lays a text out once per text and column width, so a repaint of the
    same rows lays out nothing, and a filter showing rows already painted lays out nothing."""
    from gui.team import RosterDelegate

    t = panel.table
    d = t.itemDelegate()
    assert isinstance(d, RosterDelegate)
    t.viewport().repaint()
    first = d.layouts
    cells = sum(1 for c in range(panel.model.columnCount()) if not t.isColumnHidden(c)) * panel.model.rowCount()
    assert 0 < first <= 2 * cells  # at most two a cell (an elided text: the whole, then the elided)
    for _ in range(3):
        t.viewport().repaint()
    assert d.layouts == first
    panel.set_filter("Expired")
    QApplication.processEvents()
    panel.set_filter("Everyone")
    QApplication.processEvents()
    t.viewport().repaint()
    assert d.layouts == first
    t.setColumnWidth(0, t.columnWidth(0) - 20)  # another width: the names are laid out again
    QApplication.processEvents()
    t.viewport().repaint()
    assert d.layouts > first


def test_texts_that_are_not_one_plain_line_are_left_to_the_style(qtbot, panel):
    """A tab (or a line break, a control or format character) is drawn by the style itself."""
    t = panel.table
    t.viewport().repaint()
    d = t.itemDelegate()
    got = {text: laid for (text, _key), laid in d._texts.items()}
    assert got["Tab\tSeparated"] is False
    assert got["Ana Díaz"] and got["Ana Díaz"][1]  # glyph runs kept


def _style_option(panel, style: str, styles, rect: QRect):
    """A new `style` (one of `styles`), the panel's table and a view item option of it at `rect`."""
    kept = QStyleFactory.create(style)
    assert kept.metaObject().className() in styles
    t = panel.table
    opt = QStyleOptionViewItem()
    t.initViewItemOption(opt)
    opt.rect = rect
    return kept, t, opt


@pytest.mark.parametrize("style", ["Fusion", "Windows"])
def test_the_style_draws_nothing_for_an_unselected_cells_panel(qtbot, panel, style):
    """RosterDelegate.paint asks the style for the panel (PE_PanelItemViewItem) of a selected
    cell only: under FAST_STYLES an unselected cell's panel, hovered or not, draws nothing."""
    from gui.team import FAST_STYLES

    kept, t, opt = _style_option(panel, style, FAST_STYLES, QRect(0, 0, 60, 24))
    s = QStyle.StateFlag
    for state in (s.State_Enabled, s.State_Enabled | s.State_Active, s.State_Enabled | s.State_MouseOver,
                  s.State_Enabled | s.State_Active | s.State_MouseOver | s.State_HasFocus):
        for alternate in (False, True):
            opt.state = state
            opt.features = (QStyleOptionViewItem.ViewItemFeature.Alternate if alternate
                            else QStyleOptionViewItem.ViewItemFeature.None_)
            img = QImage(60, 24, QImage.Format.Format_ARGB32_Premultiplied)
            img.fill(QColor(1, 2, 3))
            before = QImage(img)
            p = QPainter(img)
            kept.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, p, t)
            p.end()
            assert img == before, (style, state, alternate)
    opt.state = s.State_Enabled | s.State_Selected | s.State_Active  # (a selected one does draw)
    img = QImage(60, 24, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor(1, 2, 3))
    before = QImage(img)
    p = QPainter(img)
    kept.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, p, t)
    p.end()
    assert img != before


def test_another_style_draws_every_cell_itself(qtbot, panel):
    """Under a style not in FAST_STYLES (a style sheet here) the delegate hands every cell to the
    style: nothing is laid out by the delegate."""
    t = panel.table
    t.setStyleSheet("QTableView { gridline-color: #808080; }")
    try:
        d = t.itemDelegate()
        before = d.layouts
        t.viewport().repaint()
        assert d.layouts == before and d._frame is None
    finally:
        t.setStyleSheet("")


def _render(table, delegate, area=None) -> QImage:
    """The viewport painted into an image, all of it or only `area` (a QRect or QRegion: a
    paint event of that alone, as after a change in one row)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPixmap, QRegion

    table.setItemDelegate(delegate)
    QApplication.processEvents()
    vp = table.viewport()
    pm = QPixmap(vp.size())
    pm.fill(QColor(10, 200, 30))
    vp.render(pm, QPoint(), QRegion(vp.rect()) if area is None else QRegion(area) if isinstance(area, QRect) else area)
    return pm.toImage()


@pytest.mark.parametrize("change", ["partial", "two rectangles", "scrolled", "dashed grid", "no grid", "no alternate", "one cell selected",
                                    "nothing selected", "a card column hidden"])
def test_the_table_paints_its_cells_as_qtableview_paints_them(qtbot, panel, change):
    """RosterTable._paint_cells against QTableView::paintEvent (the same view with Qt's
    QStyledItemDelegate), for the view's other states: a paint of part of the view, scrolled,
    other grids, no alternate rows, a selection of one cell or none, a hidden column."""
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtCore import Qt as _Qt

    from gui.team import RosterDelegate

    t, m = panel.table, panel.model
    panel.resize(1000, 330)
    QApplication.processEvents()
    _focus(qtbot, panel, 1, "bls")
    area = None
    if change == "partial":
        area = QRect(40, t.rowViewportPosition(1) + 5, 500, 2 * t.rowHeight(1))
    elif change == "two rectangles":  # (QTableView paints those, the delegate drawing each cell)
        from PySide6.QtGui import QRegion

        area = QRegion(QRect(0, t.rowViewportPosition(0), 700, t.rowHeight(0))) | QRegion(
            QRect(100, t.rowViewportPosition(3), 300, t.rowHeight(3)))
    elif change == "scrolled":
        t.verticalScrollBar().setValue(3)
    elif change == "dashed grid":
        t.setGridStyle(_Qt.PenStyle.DashLine)
    elif change == "no grid":
        t.setShowGrid(False)
    elif change == "no alternate":
        t.setAlternatingRowColors(False)
    elif change == "one cell selected":
        t.selectionModel().select(m.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    elif change == "nothing selected":
        t.clearSelection()
    elif change == "a card column hidden":
        t.setColumnHidden(m.columns().index("bls"), True)
    QApplication.processEvents()
    ours = RosterDelegate(t)
    t.setItemDelegate(ours)
    QApplication.processEvents()  # (the view's own repaint for the new delegate)
    own = t.own_paints
    drawn = _render(t, ours, area)
    assert (t.own_paints > own) == (change != "two rectangles")
    if change == "two rectangles":
        assert ours.layouts > 0  # (drawn by RosterDelegate.paint)
    assert drawn == _render(t, QStyledItemDelegate(t), area), change


@pytest.mark.parametrize("style", ["Fusion"])
def test_the_row_panel_is_what_the_style_draws(qtbot, panel, style):
    """RosterTable._paint_cells fills a cell's row panel as QCommonStyle draws
    PE_PanelItemViewRow (the selection where the style shows decorations selected, else the
    Alternate base, else nothing), and a selected cell's item panel with the selection: the
    style's own drawing of them, state by state, for each of ROW_STYLES."""
    from gui.team import ROW_STYLES

    kept, t, opt = _style_option(panel, style, ROW_STYLES, QRect(3, 2, 60, 24))
    s = QStyle.StateFlag
    row_selection = bool(kept.styleHint(QStyle.StyleHint.SH_ItemView_ShowDecorationSelected, opt, t))
    for active in (False, True):
        for selected in (False, True):
            for alternate in (False, True):
                opt.state = s.State_Enabled | (s.State_Active if active else s.State_None) | (
                    s.State_Selected if selected else s.State_None)
                opt.features = (QStyleOptionViewItem.ViewItemFeature.Alternate if alternate
                                else QStyleOptionViewItem.ViewItemFeature.None_)
                group = opt.palette.ColorGroup.Normal if active else opt.palette.ColorGroup.Inactive
                for element in (QStyle.PrimitiveElement.PE_PanelItemViewRow, QStyle.PrimitiveElement.PE_PanelItemViewItem):
                    styled = QImage(70, 30, QImage.Format.Format_ARGB32_Premultiplied)
                    styled.fill(QColor(1, 2, 3))
                    filled = QImage(styled)
                    p = QPainter(styled)
                    kept.drawPrimitive(element, opt, p, t)
                    p.end()
                    p = QPainter(filled)
                    role = None
                    if element == QStyle.PrimitiveElement.PE_PanelItemViewRow:
                        if selected and row_selection:
                            role = opt.palette.ColorRole.Highlight
                        elif alternate:
                            role = opt.palette.ColorRole.AlternateBase
                    elif selected and row_selection:  # (under the other styles a selected cell is the style's)
                        role = opt.palette.ColorRole.Highlight
                    if role is not None:
                        p.fillRect(opt.rect, opt.palette.brush(group, role))
                    p.end()
                    if element == QStyle.PrimitiveElement.PE_PanelItemViewItem and selected and not row_selection:
                        continue
                    assert styled == filled, (style, element, active, selected, alternate)


def test_under_the_windows_style_qtableview_paints_the_cells(qtbot, panel):
    """A style whose row panel is not QCommonStyle's (Windows: a selected row's) leaves the
    cells to QTableView::paintEvent, the delegate drawing each (RosterDelegate.paint)."""
    kept = QStyleFactory.create("Windows")
    t = panel.table
    t.setStyle(kept)
    try:
        own = t.own_paints
        t.viewport().repaint()
        assert t.own_paints == own and t.itemDelegate().layouts > 0
    finally:
        t.setStyle(None)



def test_the_cells_the_style_draws_ask_the_model_in_one_call_not_per_role(qtbot, panel, monkeypatch):
    """The focused cell and a text with a tab are the style's to draw; their option is filled
    from RosterModel.paint_parts in one Python call (RosterDelegate.initStyleOption), not by Qt
    asking data() for seven roles through the binding."""
    from gui.team import RosterModel

    asked = []
    real = RosterModel.paint_parts
    monkeypatch.setattr(RosterModel, "paint_parts", lambda self, r, c: asked.append((r, c)) or real(self, r, c))
    m = panel.model
    _focus(qtbot, panel, 2, "pals")
    QApplication.processEvents()
    tab = next(i for i, r in enumerate(m.rows) if r.name == "Tab\tSeparated")
    for table_paints in (True, False):  # RosterTable's own paint, then QTableView's (two rectangles)
        asked.clear()
        vp = panel.table.viewport()
        if table_paints:
            vp.repaint()
        else:
            from PySide6.QtGui import QRegion

            vp.repaint(QRegion(QRect(0, 0, 20, 20)) | QRegion(vp.rect().adjusted(0, 40, 0, 0)))
        assert (2, m.columns().index("pals")) in asked and (tab, 0) in asked, (table_paints, asked)
