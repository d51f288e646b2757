"""The one date editor of every form: a typed ISO date (YYYY-MM-DD), checked exactly as the step
pages check it (`core.validate.date_problem`), a calendar pop-up (Alt+Down, F4 or the button at
its end), and the date as the GUI shows dates (gui/dates_display.py, in full) in a label beside it.

It is a QLineEdit, so typing behaves as everywhere else: tabbing in selects the whole date and
what is typed replaces it, and nothing is ever rewritten to a different date behind the user's back
(QDateEdit's sections turned 2026-02-30 into 2026-02-03 and "2027-01-10" typed over a selection
into 2026-01-10). An impossible date stays as typed and `problem()` says why.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCalendarWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from core.validate import MAX_DATE, MIN_DATE, date_problem, parse_date

from . import theme
from .dates_display import show_date


class _CalendarPopup(QFrame):
    picked = Signal(object)  # a datetime.date

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("date_popup")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.calendar = QCalendarWidget()
        self.calendar.setObjectName("date_calendar")
        self.calendar.setGridVisible(True)
        self.calendar.setMinimumDate(QDate(MIN_DATE.year, MIN_DATE.month, MIN_DATE.day))
        self.calendar.setMaximumDate(QDate(MAX_DATE.year, MAX_DATE.month, MAX_DATE.day))
        # Enter or a click picks; Escape closes the pop-up (a Qt.Popup does that by itself)
        self.calendar.activated.connect(self._pick)
        self.calendar.clicked.connect(self._pick)
        lay.addWidget(self.calendar)

    def _pick(self, qd: QDate) -> None:
        self.picked.emit(qd.toPython())
        self.close()


class DateEdit(QLineEdit):
    """A date typed as YYYY-MM-DD; `date()` is the date or None (empty or not a date)."""

    date_changed = Signal(object)  # the date or None, on every edit

    def __init__(self, value: dt.date | None = None, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self._today = today  # where the calendar opens on an empty field (None: the system's day)
        self.setPlaceholderText("YYYY-MM-DD")
        self.setMaxLength(10)
        # never narrower than a whole date and the calendar button: a squeezed row showed '2-03'
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("0000-00-00") + self.sizeHint().height() + 16)
        self.setToolTip("Type the date as YYYY-MM-DD, or press Alt+Down for a calendar")
        self.calendar_action = QAction(theme.down_arrow_icon(), "Choose from a calendar (Alt+Down)", self)
        self.calendar_action.setObjectName("date_calendar_button")
        self.calendar_action.triggered.connect(self.open_calendar)
        self.addAction(self.calendar_action, QLineEdit.ActionPosition.TrailingPosition)
        self.locale_label = QLabel()
        self.locale_label.setObjectName("date_locale")
        self.locale_label.setTextFormat(Qt.TextFormat.PlainText)
        self.popup: _CalendarPopup | None = None
        self.textChanged.connect(self._on_text)
        if value is not None:
            self.set_date(value)
        self._on_text(self.text())

    # -- values ---------------------------------------------------------------------------------
    def date(self) -> dt.date | None:
        """The date typed, or None when the field is empty or does not hold a date."""
        if self.problem() is not None:
            return None
        return parse_date(self.text().strip())

    def set_date(self, value: dt.date | None) -> None:
        self.setText("" if value is None else value.isoformat())

    def problem(self) -> str | None:
        """Why the text is not a date (the step pages' wording); None when it is one or is empty."""
        return date_problem(self.text())

    def is_empty(self) -> bool:
        return not self.text().strip()

    def _on_text(self, text: str) -> None:
        why = date_problem(text)
        d = None if why is not None or not text.strip() else parse_date(text.strip())
        if d is not None:
            self.locale_label.setText(show_date(d, long=True))
            self.locale_label.setStyleSheet(f"color: {theme.muted_color()};")
        elif why is not None and len(text.strip()) >= 10:
            self.locale_label.setText("not a date")
            self.locale_label.setStyleSheet(f"color: {theme.error_color()};")
        else:
            self.locale_label.clear()
        self.setAccessibleDescription(self.locale_label.text())
        self.date_changed.emit(d)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange:  # View > Theme switched: the arrow follows
            self.calendar_action.setIcon(theme.down_arrow_icon())

    def setEnabled(self, on: bool) -> None:  # noqa: N802 (Qt name)
        super().setEnabled(on)
        self.locale_label.setEnabled(on)

    # -- the calendar ---------------------------------------------------------------------------
    def open_calendar(self) -> None:
        if not self.isEnabled() or self.isReadOnly():
            return
        if self.popup is None:
            self.popup = _CalendarPopup(self)
            self.popup.picked.connect(self._picked)
        d = self.date() or self._today or dt.date.today()
        self.popup.calendar.setSelectedDate(QDate(d.year, d.month, d.day))
        self.popup.adjustSize()
        self.popup.move(self.mapToGlobal(self.rect().bottomLeft()))
        self.popup.show()
        self.popup.calendar.setFocus()

    def _picked(self, d: dt.date) -> None:
        self.set_date(d)
        self.setFocus()
        self.selectAll()
        self.editingFinished.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        alt_down = (event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.open_calendar()
            event.accept()
            return
        super().keyPressEvent(event)


def date_field(edit: DateEdit) -> QWidget:
    """The editor with its locale label beside it, for a form row."""
    box = QWidget()
    lay = QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(edit, 1)
    lay.addWidget(edit.locale_label)
    return box


__all__ = ["DateEdit", "date_field"]
