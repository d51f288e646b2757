"""Look and feel: status icons with text (never colour alone), confidence badges, palettes.

The app follows the theme chosen in View ▸ Theme (gui/appearance.py: System, Light or Dark);
`apply_dark(app)` forces the dark Fusion palette (`--dark`, screenshots, the Dark theme). Colours are picked per palette so text stays readable.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from core.engine.base import STATUS_LABELS

# status -> (symbol drawn in the icon and written before the label, light colour, dark colour)
STATUS_STYLE = {
    "not_started": ("○", "#6b7280", "#9ca3af"),
    "in_progress": ("◐", "#1d4ed8", "#60a5fa"),
    "done": ("✓", "#15803d", "#4ade80"),
    # ⊘ (U+2298) is in DejaVu Sans, Segoe UI Symbol and the macOS fonts; ⛔ (U+26D4) drew as a
    # box on a bare Linux and as a colour emoji elsewhere
    "blocked": ("⊘", "#b91c1c", "#f87171"),
    "at_risk": ("!", "#b45309", "#fbbf24"),
    "expired": ("✕", "#b91c1c", "#f87171"),
    "not_applicable": ("–", "#6b7280", "#9ca3af"),
}

CONFIDENCE_TEXT = {
    "high": "High confidence",
    "medium": "Medium confidence",
    "low": "Low confidence: check this before you rely on it",
}


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def status_color(status: str, palette: QPalette | None = None) -> QColor:
    sym, light, dark = STATUS_STYLE.get(status, STATUS_STYLE["not_started"])
    return QColor(dark if is_dark(palette) else light)


def status_text(status: str) -> str:
    """The status in words, with its symbol: readable without colour."""
    sym = STATUS_STYLE.get(status, ("?",))[0]
    return f"{sym} {STATUS_LABELS.get(status, status)}"


_icon_cache: dict[tuple[str, bool], QIcon] = {}


def status_icon(status: str) -> QIcon:
    """A round icon with a shape per status (tick, cross, bang...), drawn at 2x for high DPI."""
    key = (status, is_dark())
    if key in _icon_cache:
        return _icon_cache[key]
    size = 32
    pm, p = _icon_canvas(size)
    col = status_color(status)
    filled = status in ("done", "blocked", "expired", "at_risk", "in_progress")
    rect = QRectF(3, 3, size - 6, size - 6)
    p.setPen(QPen(col, 3))
    p.setBrush(col if filled else Qt.GlobalColor.transparent)
    if status == "at_risk":  # a triangle: a different shape, not only a different colour
        from PySide6.QtGui import QPolygonF

        p.drawPolygon(QPolygonF([QPointF(size / 2, 2), QPointF(size - 2, size - 4), QPointF(2, size - 4)]))
    elif status == "in_progress":
        p.setBrush(Qt.GlobalColor.transparent)
        p.drawEllipse(rect)
        p.setBrush(col)
        p.drawPie(rect, 90 * 16, 180 * 16)
    else:
        p.drawEllipse(rect)
    p.setPen(QPen(QColor("white") if filled else col, 3.2))
    if status == "done":
        p.drawPolyline([QPointF(9, 16.5), QPointF(14, 21.5), QPointF(23, 11)])
    elif status in ("expired",):
        p.drawLine(QPointF(11, 11), QPointF(21, 21))
        p.drawLine(QPointF(21, 11), QPointF(11, 21))
    elif status == "blocked":
        p.drawLine(QPointF(9, 16), QPointF(23, 16))
    elif status == "at_risk":
        p.drawLine(QPointF(16, 11), QPointF(16, 19))
        p.drawPoint(QPointF(16, 24))
    elif status == "not_applicable":
        p.drawLine(QPointF(11, 16), QPointF(21, 16))
    return _icon_done(key, pm, p)


def _icon_canvas(size: int) -> tuple[QPixmap, QPainter]:
    """A transparent `size` px square and an antialiased painter on it (drawn at 2x for high DPI)."""
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pm, p


def _icon_done(key: tuple[str, bool], pm: QPixmap, p: QPainter) -> QIcon:
    """Ends the painting of `_icon_canvas`, and keeps the icon under `key` (the palette's darkness in it)."""
    p.end()
    pm.setDevicePixelRatio(2.0)
    icon = QIcon(pm)
    _icon_cache[key] = icon
    return icon


def down_arrow_icon() -> QIcon:
    """A down arrow in the palette's text colour (the date fields' calendar button): the style's
    own SP_ArrowDown is a fixed dark grey pixmap that all but vanished on the dark palette."""
    key = ("down_arrow", is_dark())
    if key in _icon_cache:
        return _icon_cache[key]
    from PySide6.QtGui import QPolygonF

    pm, p = _icon_canvas(32)
    col = QApplication.palette().color(QPalette.ColorRole.ButtonText)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(col)
    p.drawPolygon(QPolygonF([QPointF(7, 11), QPointF(25, 11), QPointF(16, 22)]))
    return _icon_done(key, pm, p)


class WrapLabel(QLabel):
    """A word-wrapped label that is always as tall as its text at its current width.

    Qt lays a wrapped rich-text label out from a height guessed at another width; in a scroll area
    the last line can then be cut. This label pins its minimum height to `heightForWidth(width)`
    whenever its width or text changes: taller when it narrows, and shorter again when it widens
    (QLabel.heightForWidth never answers less than the minimum height, so that minimum is let go
    while the text is measured; otherwise a label once laid out narrow keeps its height and leaves
    a gap under its text, as the step pages' rule cards did at 1920 px).

    The heights are remembered per width until the text or anything else the measure depends on
    changes (`_measured`): Qt lays a rich text out again at every `heightForWidth`, and the layouts
    of a window being shown ask it for the same few widths dozens of times (the dashboard's three
    rich-text labels: 92 questions for 15 widths before the first paint, ~0.3 ms each).
    """

    # effective width -> (height, exact): exact when QLabel answered above the minimum height it
    # had then (its own height for the text); otherwise the text needs at most that height
    _measured: dict[tuple[int, int, int], tuple[int, bool]] | None = None

    def _forget(self) -> None:
        self._measured = None

    def _key(self, width: int) -> tuple[int, int, int]:
        # what QLabel's measure reads besides the text, the font, the style and the margins (each
        # of those forgets the heights: setText and the setters below, changeEvent): the minimum
        # width it widens to, the frame's width (the indent of a framed label) and the screen's dpi
        min_w = self.minimumWidth()
        return (max(width, min_w) if min_w > 0 else width, self.frameWidth(), self.logicalDpiY())

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt name)
        key = self._key(width)
        min_h = self.minimumHeight()
        measured = self._measured
        if measured is None:
            measured = self._measured = {}
        else:
            hit = measured.get(key)
            if hit is not None:
                h, exact = hit
                if exact:
                    return max(h, min_h)  # what QLabel answers: its height, at least the minimum
                if min_h >= h:
                    return min_h
        h = super().heightForWidth(width)
        if h >= 0:  # -1: no text to measure (QWidget's answer, never raised to the minimum)
            measured[key] = (h, min_h == 0 or h > min_h)
        return h

    def _height_of_text(self, width: int) -> int | None:
        """The text's own height at `width` when it was measured before (not capped by a minimum)."""
        if self._measured is None or type(self).heightForWidth is not WrapLabel.heightForWidth:
            return None  # a subclass measures in its own way
        hit = self._measured.get(self._key(width))
        return hit[0] if hit is not None and hit[1] else None

    def _fit(self) -> None:
        if self.wordWrap() and self.width() > 0:
            old = self.minimumHeight()
            h = self._height_of_text(self.width()) if old else None
            if h is None:
                if old:
                    self.setMinimumHeight(0)
                h = self.heightForWidth(self.width())
            new = h if h > 0 else old
            if new != self.minimumHeight():
                self.setMinimumHeight(new)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt name)
        if text == self.text() and self._measured:  # QLabel keeps the same text as it is
            self._fit()
            return
        super().setText(text)
        self._forget()
        self.setMinimumHeight(0)
        if not self.testAttribute(Qt.WidgetAttribute.WA_PendingResizeEvent):
            self._fit()  # else the resize event Qt sends when it is shown (or placed while shown) fits it

    def clear(self) -> None:
        super().clear()
        self._forget()
        self.setMinimumHeight(0)

    def setTextFormat(self, fmt) -> None:  # noqa: N802 (Qt name)
        super().setTextFormat(fmt)
        self._forget()

    def setWordWrap(self, on: bool) -> None:  # noqa: N802 (Qt name)
        super().setWordWrap(on)
        self._forget()

    def setAlignment(self, alignment) -> None:  # noqa: N802 (Qt name)
        super().setAlignment(alignment)
        self._forget()

    def setIndent(self, indent: int) -> None:  # noqa: N802 (Qt name)
        super().setIndent(indent)
        self._forget()

    def setMargin(self, margin: int) -> None:  # noqa: N802 (Qt name)
        super().setMargin(margin)
        self._forget()

    def setContentsMargins(self, *margins) -> None:  # noqa: N802 (Qt name)
        super().setContentsMargins(*margins)
        self._forget()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        # the font, the style sheet, the palette, the layout direction, the contents rectangle...
        super().changeEvent(event)
        self._forget()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._fit()


class EmptyHint(QLabel):
    """Words in the middle of an empty table or tree saying what goes there and how to add it,
    so an empty panel reads as "nothing yet" rather than "unfinished"."""

    def __init__(self, view, text: str) -> None:
        super().__init__(text, view.viewport())
        self.view = view
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(f"color: {muted_color()}; padding: 12px;")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._filter = _ResizeFilter(self._place, view.viewport())
        view.viewport().installEventFilter(self._filter)
        self._place()

    def _place(self) -> None:
        vp = self.view.viewport()
        w = min(vp.width(), 560)
        h = max(self.heightForWidth(w), 40)
        self.setGeometry((vp.width() - w) // 2, max(0, (vp.height() - h) // 3), w, h)

    def update_for(self, empty: bool) -> None:
        self.setVisible(empty)
        if empty:
            self._place()
            self.raise_()


class _ResizeFilter(QObject):
    def __init__(self, on_resize, parent) -> None:
        super().__init__(parent)
        self.on_resize = on_resize

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Resize:
            self.on_resize()
        return False


def badge(text: str, kind: str = "neutral") -> QLabel:
    """A small framed label; the words carry the meaning, the colour only helps."""
    lab = QLabel(text)
    lab.setObjectName(f"badge_{kind}")
    lab.setProperty("badge", kind)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    style_badge(lab, kind)
    return lab


# kind -> ((fg, bg) in the light palette, (fg, bg) in the dark one)
BADGES = {
    "high": (("#166534", "#dcfce7"), ("#bbf7d0", "#14532d")),
    "medium": (("#1e3a8a", "#dbeafe"), ("#bfdbfe", "#1e3a8a")),
    "low": (("#7c2d12", "#ffedd5"), ("#fed7aa", "#7c2d12")),
    "override": (("#581c87", "#f3e8ff"), ("#e9d5ff", "#581c87")),
    "neutral": (("#374151", "#f3f4f6"), ("#e5e7eb", "#374151")),
}
MUTED = ("#52525b", "#a1a1aa")  # (light, dark)
ERROR = ("#b91c1c", "#f87171")  # the same as Expired's: one red per palette


def badge_colors(kind: str) -> tuple[str, str]:
    light, dark = BADGES.get(kind, BADGES["neutral"])
    return dark if is_dark() else light


def style_badge(lab: QLabel, kind: str) -> None:
    fg, bg = badge_colors(kind)
    lab.setStyleSheet(f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg}; "
                      f"border-radius: 4px; padding: 1px 6px; }}")


def error_color() -> str:
    return ERROR[1] if is_dark() else ERROR[0]


def muted_color() -> str:
    return MUTED[1] if is_dark() else MUTED[0]


def heading_font(widget: QWidget, scale: float = 1.3, bold: bool = True) -> QFont:
    f = QFont(widget.font())
    f.setPointSizeF(max(8.0, f.pointSizeF()) * scale)
    f.setBold(bold)
    return f


def dark_palette() -> QPalette:
    pal = QPalette()
    c = QColor
    roles = QPalette.ColorRole
    pal.setColor(roles.Window, c(37, 37, 41))
    pal.setColor(roles.WindowText, c(232, 232, 236))
    pal.setColor(roles.Base, c(27, 27, 30))
    pal.setColor(roles.AlternateBase, c(45, 45, 50))
    pal.setColor(roles.ToolTipBase, c(50, 50, 56))
    pal.setColor(roles.ToolTipText, c(232, 232, 236))
    pal.setColor(roles.PlaceholderText, c(150, 150, 160))
    pal.setColor(roles.Text, c(232, 232, 236))
    pal.setColor(roles.Button, c(50, 50, 56))
    pal.setColor(roles.ButtonText, c(232, 232, 236))
    pal.setColor(roles.BrightText, c(255, 120, 120))
    pal.setColor(roles.Link, c(125, 180, 255))
    pal.setColor(roles.LinkVisited, c(190, 160, 255))
    pal.setColor(roles.Highlight, c(56, 110, 200))
    pal.setColor(roles.HighlightedText, c(255, 255, 255))
    pal.setColor(roles.Mid, c(70, 70, 78))
    pal.setColor(roles.Midlight, c(60, 60, 66))
    pal.setColor(roles.Dark, c(20, 20, 22))
    pal.setColor(roles.Light, c(80, 80, 88))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, c(120, 120, 128))
    return pal


def clear_icon_cache() -> None:
    _icon_cache.clear()


def apply_dark(app: QApplication) -> None:
    """Force the dark Fusion palette (the `--dark` option)."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    _icon_cache.clear()


def apply_light(app: QApplication) -> None:
    """Force the light Fusion palette (screenshots in a known palette)."""
    app.setStyle("Fusion")
    app.setPalette(app.style().standardPalette())
    _icon_cache.clear()
