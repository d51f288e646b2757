"""The timeline picture: milestones on a date axis, today's line, deadlines and expiries.

Drawn with QPainter from `core.journey_view.milestones`; one lane per track. Every mark has a
shape of its own (done: filled circle, due: hollow circle, deadline: diamond, expiry: square)
and a legend in words, so colour is never the only cue.

Labels never overlap: each goes above or below its lane where it has room (`place_label`), cut
only when the whole one has none, and left out when even the cut one has none. Every mark, and
every label drawn, then shows in full under the mouse (`tooltip_at`): the words of the points at
that spot with their dates (several points on one day in one tooltip), so a label left out or cut
near today's crowded dates is never lost; elsewhere the widget's tooltip lists them all.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QLocale, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from core.engine import track_title
from core.journey_view import Milestone

from . import theme
from .dates_display import show_date

KIND_STATUS = {"done": "done", "due": "in_progress", "deadline": "at_risk", "expiry": "expired"}
LEGEND = (("done", "done"), ("due", "due"), ("deadline", "deadline"), ("expiry", "expires"))


TODAY_GAP = 6.0  # px kept free on each side of today's line
MARK_HIT = 7.0  # px around a mark's centre that show its tooltip


def place_label(x: float, w: float, left: float, right: float, today_x: float,
                placed: list[tuple[float, float, int]], gap: float = 6.0) -> tuple[float, int] | None:
    """Where a label `w` wide for a mark at `x` goes: (its left edge, row 0 above / 1 below the lane),
    centred on the mark where it fits, never across today's line (moved to the mark's side of it)
    and never over a label already `placed` in the same row; None when there is no room."""
    lx0 = min(max(left, x - w / 2), right - w)
    if lx0 - TODAY_GAP < today_x < lx0 + w + TODAY_GAP:  # it would sit under today's line
        lx0 = today_x + TODAY_GAP if x >= today_x else today_x - TODAY_GAP - w
        if lx0 < left or lx0 + w > right:
            return None
    for row in (0, 1):
        if all(not (r == row and lx0 < b + gap and lx0 + w > a - gap) for a, b, r in placed):
            return lx0, row
    return None


class Timeline(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setAccessibleName("Timeline of your journey")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.items: list[Milestone] = []
        self.tracks: list[str] = []
        self.today = dt.date.today()
        self.overlay: list[tuple[str, dt.date | None, dt.date | None, str]] = []
        self.labels: list[tuple[QRectF, str]] = []  # the labels drawn at the last paint (rect, text)
        self._hits: list[tuple[QRectF, list[str]]] = []  # marks and labels -> the points' words
        self.setMinimumHeight(140)

    def tooltip_at(self, pos: QPointF) -> str:
        """The words of the points under `pos` (a mark, or a label drawn for it) at the last paint,
        one line each; "" where there is none."""
        words: list[str] = []
        for rect, said in self._hits:
            if rect.contains(pos):
                words += [w for w in said if w not in words]
        return "\n".join(words)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            text = self.tooltip_at(QPointF(e.pos()))
            if text:
                QToolTip.showText(e.globalPos(), text, self)
                return True
        return super().event(e)

    def set_overlay(self, moves: list[tuple[str, dt.date | None, dt.date | None, str]]) -> None:
        """Dates that move (track, old, new, label): the old one drawn faint, an arrow to the new."""
        self.overlay = list(moves)
        self.update()

    def set_items(self, items: list[Milestone], tracks: list[str], today: dt.date) -> None:
        self.items, self.tracks, self.today = list(items), list(tracks), today
        lines = [m.words for m in self.items]
        self.setAccessibleDescription("; ".join(lines[:40]))
        self.setToolTip("\n".join(lines[:30]) if lines else "Nothing dated yet")
        self.setFixedHeight(self._height())
        self.update()

    def _lane_h(self) -> int:
        return QFontMetrics(self.font()).height() * 3 + 10

    def _height(self) -> int:
        fm = QFontMetrics(self.font())
        return 24 + fm.height() * 2 + max(1, len(self.tracks)) * self._lane_h() + fm.height() + 16

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(600, self._height())

    def _range(self) -> tuple[dt.date, dt.date]:
        dates = [m.date for m in self.items] + [self.today] + [d for o in self.overlay for d in o[1:3] if d]
        lo, hi = min(dates), max(dates)
        lo = min(lo, self.today - dt.timedelta(days=60))
        hi = max(hi, self.today + dt.timedelta(days=180))
        pad = max(15, (hi - lo).days // 30)
        return lo - dt.timedelta(days=pad), hi + dt.timedelta(days=pad)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(pal.ColorRole.WindowText)
        muted = QColor(theme.muted_color())
        fm = QFontMetrics(self.font())
        lh = fm.height()
        label_w = max([fm.horizontalAdvance(track_title(t)) for t in self.tracks] + [60]) + 16
        left, right = label_w, self.width() - 16
        top = 8
        lo, hi = self._range()
        span = max(1, (hi - lo).days)

        def x_of(d: dt.date) -> float:
            return left + (right - left) * (d - lo).days / span

        # legend, in words and shapes
        lx = left
        p.setPen(text)
        for kind, word in LEGEND:
            self._mark(p, QPointF(lx + 6, top + lh / 2), kind)
            p.setPen(text)
            p.drawText(QPointF(lx + 16, top + fm.ascent()), word)
            lx += 30 + fm.horizontalAdvance(word)
        p.drawText(QPointF(lx + 10, top + fm.ascent()), "│ today")
        if self.overlay:
            lx += 30 + fm.horizontalAdvance("│ today")
            p.setPen(QPen(muted, 2, Qt.PenStyle.DashLine))
            p.drawEllipse(QPointF(lx + 6, top + lh / 2), 5.0, 5.0)
            p.setPen(text)
            p.drawText(QPointF(lx + 16, top + fm.ascent()), "before the change → after")
        top += lh + 8
        # year ticks
        axis_y = top + lh
        p.setPen(QPen(muted, 1))
        p.drawLine(QPointF(left, axis_y), QPointF(right, axis_y))
        step_months = 3 if span < 800 else 6 if span < 2200 else 12
        d = dt.date(lo.year, 1, 1)
        while d <= hi:
            if d >= lo:
                x = x_of(d)
                p.drawLine(QPointF(x, axis_y - 4), QPointF(x, axis_y + 4))
                lab = str(d.year) if d.month == 1 else QLocale().standaloneMonthName(d.month, QLocale.FormatType.ShortFormat)
                p.drawText(QPointF(x - fm.horizontalAdvance(lab) / 2, axis_y - 6), lab)
            m = d.month - 1 + step_months
            d = dt.date(d.year + m // 12, m % 12 + 1, 1)
        # lanes (today's line is drawn last, over them: no label may sit under it)
        today_x = x_of(self.today)
        lane_h = self._lane_h()
        y0 = axis_y + 8
        self.labels, self._hits = [], []
        for i, t in enumerate(self.tracks):
            y = y0 + i * lane_h
            if i % 2 == 1:
                p.fillRect(QRectF(0, y, self.width(), lane_h), pal.color(pal.ColorRole.AlternateBase))
            p.setPen(text)
            p.drawText(QPointF(8, y + lane_h / 2 + fm.ascent() / 2 - 2), track_title(t))
            mid = y + lane_h / 2
            p.setPen(QPen(muted, 1, Qt.PenStyle.DotLine))
            p.drawLine(QPointF(left, mid), QPointF(right, mid))
            placed: list[tuple[float, float, int]] = []  # label x-ranges per row (above/below)
            lane_items = [ms for ms in self.items if ms.track == t]
            for ms in lane_items:  # each mark's spot shows every point drawn there (one day, or close)
                x = x_of(ms.date)
                here = [o.words for o in lane_items if abs(x_of(o.date) - x) <= MARK_HIT]
                self._hits.append((QRectF(x - MARK_HIT, mid - MARK_HIT, 2 * MARK_HIT, 2 * MARK_HIT), here))
            for ms in lane_items:
                x = x_of(ms.date)
                self._mark(p, QPointF(x, mid), ms.kind)
                spot = None
                for lab in dict.fromkeys((ms.label, fm.elidedText(ms.label, Qt.TextElideMode.ElideRight, 170))):
                    spot = place_label(x, fm.horizontalAdvance(lab), left, right, today_x, placed)
                    if spot is not None:
                        break
                if spot is None:
                    continue  # no room: the tooltip and the lists carry it
                lx0, row = spot
                placed.append((lx0, lx0 + fm.horizontalAdvance(lab), row))
                ty = mid - 9 if row == 0 else mid + 9 + fm.ascent()
                p.setPen(text)
                p.drawText(QPointF(lx0, ty), lab)
                rect = QRectF(lx0, ty - fm.ascent(), fm.horizontalAdvance(lab), lh)
                self.labels.append((rect, lab))
                self._hits.append((rect, [ms.words]))
            for _t, old, new, _lab in [o for o in self.overlay if o[0] == t]:  # moved dates: old -> new
                p.setPen(QPen(muted, 2, Qt.PenStyle.DashLine))
                if old:
                    p.drawEllipse(QPointF(x_of(old), mid), 7.0, 7.0)
                if old and new:
                    x0, x1 = x_of(old), x_of(new)
                    tip = 7 if x1 >= x0 else -7  # on the lane's line: clear of the labels above and below
                    p.drawLine(QPointF(x0 + tip, mid), QPointF(x1 - tip, mid))
                    p.drawPolygon(QPolygonF([QPointF(x1 - tip, mid), QPointF(x1 - 2 * tip, mid - 4),
                                             QPointF(x1 - 2 * tip, mid + 4)]))
        # today's line
        tx = x_of(self.today)
        bottom = y0 + len(self.tracks) * lane_h
        p.setPen(QPen(theme.status_color("blocked"), 2))
        p.drawLine(QPointF(tx, axis_y - lh), QPointF(tx, bottom))
        p.setPen(text)
        lab = f"today {show_date(self.today)}"
        p.drawText(QPointF(min(tx + 4, right - fm.horizontalAdvance(lab)), bottom + fm.ascent() + 2), lab)
        p.end()

    def _mark(self, p: QPainter, c: QPointF, kind: str) -> None:
        col = theme.status_color(KIND_STATUS.get(kind, "not_started"))
        p.setPen(QPen(col, 2))
        r = 5.0
        if kind == "done":
            p.setBrush(col)
            p.drawEllipse(c, r, r)
        elif kind == "due":
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, r, r)
        elif kind == "deadline":
            p.setBrush(col)
            p.drawPolygon(QPolygonF([QPointF(c.x(), c.y() - r - 1), QPointF(c.x() + r + 1, c.y()),
                                     QPointF(c.x(), c.y() + r + 1), QPointF(c.x() - r - 1, c.y())]))
        else:
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
        p.setBrush(Qt.BrushStyle.NoBrush)
