"""A non-modal banner across the top of the dashboard: a sentence, an optional action and Dismiss.
It never takes the focus or blocks the window (the start-up reminder summary uses it instead of
a message box that had to be clicked away at every start)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from . import theme


class Banner(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel()
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Notice")
        lay.addWidget(self.label, 1)
        self.action = QPushButton()
        self.action.setObjectName("bannerAction")
        self.action.clicked.connect(self._act)
        lay.addWidget(self.action)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setObjectName("bannerDismiss")
        self.dismiss.setAccessibleName("Dismiss this notice")
        self.dismiss.clicked.connect(self.hide)
        lay.addWidget(self.dismiss)
        self._on_action: Callable[[], object] | None = None
        self.kind = "info"
        self.hide()

    def show_message(self, text: str, kind: str = "info", action: str | None = None,
                     on_action: Callable[[], object] | None = None) -> None:
        """`kind`: "info" or "warning" (overdue items). The words carry the meaning; the colour helps."""
        self.kind = kind
        self.label.setText(text)
        self._on_action = on_action
        self.action.setVisible(bool(action and on_action))
        self.action.setText(action or "")
        self._restyle()
        self.show()

    def _restyle(self) -> None:
        accent = theme.status_color("expired" if self.kind == "warning" else "in_progress").name()
        fg, bg = theme.badge_colors("low" if self.kind == "warning" else "medium")
        self.setStyleSheet(f"QFrame#banner {{ background: {bg}; border: 1px solid {accent}; "
                           f"border-left: 4px solid {accent}; border-radius: 4px; }}"
                           f"QLabel#bannerText {{ color: {fg}; background: transparent; }}")

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange and self.isVisible():
            self._restyle()  # a theme switch: the banner's colours follow

    def _act(self) -> None:
        if self._on_action is not None:
            self._on_action()
