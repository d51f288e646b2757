"""One date editor everywhere (gui/date_edit.py): typed ISO dates checked as the step pages check
them, a calendar pop-up, the date in the user's locale. The three bugs of QDateEdit it replaced
each have a test here."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from core.csv_import import date_problem as csv_date_problem
from core.validate import date_problem, parse_date
from gui.costs_ui import CostDialog
from gui.date_edit import DateEdit
from gui.documents_ui import ExpiryDialog
from gui.reminders_ui import TaskDialog
from gui.step_form import StepForm

# -- the one wording (core) -------------------------------------------------------------------


def test_an_impossible_day_says_how_many_days_the_month_has():
    with pytest.raises(ValueError) as e:
        parse_date("2026-02-30")
    assert str(e.value) == "'2026-02-30' is not a date: February 2026 has 28 days"
    assert "form YYYY-MM-DD" not in str(e.value)
    assert date_problem("2028-02-30") == "'2028-02-30' is not a date: February 2028 has 29 days"
    assert date_problem("2026-04-31") == "'2026-04-31' is not a date: April 2026 has 30 days"
    assert date_problem("2026-13-01").startswith("'2026-13-01' is not a date: there is no month 13")
    assert date_problem("2026-1-5") == "'2026-1-5' is not a date in the form YYYY-MM-DD"
    assert date_problem("2024-02-29") is None and date_problem("") is None
    # the CSV import words it the same way (one function)
    assert csv_date_problem("2026-02-30") == date_problem("2026-02-30")


# -- the reminder dialog: the three bugs -------------------------------------------------------


def _task(qtbot, today) -> TaskDialog:
    dlg = TaskDialog(None, today)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.title.setText("Check MyIntealth")
    return dlg


def test_typing_over_a_selection_saves_exactly_what_was_typed(qtbot, today):
    dlg = _task(qtbot, dt.date(2026, 11, 21))
    assert isinstance(dlg.due, DateEdit) and dlg.due.text() == "2026-11-21"
    dlg.due.setFocus()
    dlg.due.setSelection(0, 4)  # the year selected, as a double-click does
    qtbot.keyClicks(dlg.due, "2027")
    dlg.due.selectAll()
    qtbot.keyClicks(dlg.due, "2027-01-10")
    assert dlg.due.date() == dt.date(2027, 1, 10)
    dlg._ok()
    assert dlg.result() == 1


def test_tabbing_in_and_typing_replaces_the_date(qtbot, today):
    dlg = _task(qtbot, dt.date(2026, 12, 1))
    dlg.activateWindow()
    dlg.title.setFocus()
    qtbot.waitUntil(lambda: dlg.title.hasFocus())
    qtbot.keyClick(dlg.title, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dlg.due
    qtbot.keyClicks(dlg.due, "2027-01-10")
    assert dlg.due.text() == "2027-01-10" and dlg.due.date() == dt.date(2027, 1, 10)


def test_february_30th_is_refused_with_the_reason_not_moved_to_march(qtbot, today):
    dlg = _task(qtbot, today)
    dlg.due.selectAll()
    qtbot.keyClicks(dlg.due, "2026-02-30")
    assert dlg.due.text() == "2026-02-30" and dlg.due.date() is None
    dlg._ok()
    assert dlg.result() == 0 and dlg.isVisible()
    assert "February 2026 has 28 days" in dlg.due_error.text()
    assert dlg.due.locale_label.text() == "not a date"
    dlg.due.selectAll()
    qtbot.keyClicks(dlg.due, "2026-02-28")
    assert dlg.due_error.isHidden()
    dlg._ok()
    assert dlg.result() == 1 and dlg.due.date() == dt.date(2026, 2, 28)


# -- the editor itself -------------------------------------------------------------------------


@pytest.mark.qt_log_ignore("does not support grabbing the keyboard")  # a pop-up grabs it; offscreen cannot
def test_alt_down_opens_a_calendar_and_picking_a_day_types_it(qtbot, today):
    ed = DateEdit(dt.date(2026, 11, 21), today=today)
    qtbot.addWidget(ed)
    ed.show()
    ed.setFocus()
    qtbot.keyClick(ed, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert ed.popup is not None and ed.popup.isVisible()
    assert ed.popup.calendar.selectedDate() == QDate(2026, 11, 21)
    ed.popup.calendar.activated.emit(QDate(2027, 3, 5))
    assert not ed.popup.isVisible()
    assert ed.text() == "2027-03-05" and ed.date() == dt.date(2027, 3, 5)
    # the button at the end opens the same calendar
    ed.calendar_action.trigger()
    assert ed.popup.isVisible()
    ed.popup.close()


def test_the_date_is_also_shown_in_the_users_locale(qtbot, today):
    ed = DateEdit(dt.date(2026, 11, 21))
    qtbot.addWidget(ed)
    assert ed.locale_label.text() == QLocale().toString(QDate(2026, 11, 21), QLocale.FormatType.LongFormat)
    assert "2026" in ed.locale_label.text()
    ed.clear()
    assert ed.locale_label.text() == "" and ed.date() is None and ed.problem() is None


def test_step_pages_use_the_editor_and_say_the_days_of_the_month(qtbot, today):
    from core.engine import step_def

    form = StepForm(step_def("ecfmg.school").fields)
    qtbot.addWidget(form)
    w = form.editor("graduation_date")
    assert isinstance(w, DateEdit) and isinstance(w, QLineEdit)
    w.setText("2026-02-30")
    data, _ = form.data()
    from core.engine import check_step
    probs = check_step("ecfmg.school", data, {"name": "", "role": "other", "tracks": ["img"], "facts": {},
                                              "overrides": {}}, today)
    assert any("February 2026 has 28 days" in p.message for p in probs)


def test_costs_and_documents_use_the_editor_and_refuse_impossible_dates(qtbot, today):
    cost = CostDialog(None, ["ecfmg.application"], today)
    qtbot.addWidget(cost)
    assert isinstance(cost.date, DateEdit) and cost.date.date() == today
    cost.amount.setText("160")
    cost.date.setText("2026-02-30")
    cost._ok()
    assert cost.result() == 0 and "February 2026 has 28 days" in cost.date_error.text()
    assert cost.error.isHidden()  # said under the date, not under the amount
    cost.date.setText("2027-01-10")
    assert cost.values()["date"] == dt.date(2027, 1, 10)

    exp = ExpiryDialog(None, None, today)
    qtbot.addWidget(exp)
    assert isinstance(exp.date, DateEdit) and not exp.date.isEnabled()
    exp.has.setChecked(True)
    exp.date.setText("2026-02-30")
    exp._ok()
    assert exp.result() == 0 and "February 2026 has 28 days" in exp.error.text()
    exp.date.setText("2028-06-30")
    exp._ok()
    assert exp.result() == 1 and exp.value() == dt.date(2028, 6, 30)


def test_typing_new_york_in_the_state_box_picks_new_york_not_new_hampshire(qtbot, today):
    from core.engine import track_fields

    specs = tuple(f for f in track_fields("img") if f.key == "target_state")
    form = StepForm(specs)
    qtbot.addWidget(form)
    form.show()
    box = form.editor("target_state")
    box.setFocus()
    qtbot.keyClicks(box, "New York")
    assert box.currentText().startswith("New York") and not box.view().isVisible()
    box._last = 0.0  # a pause: a new search
    qtbot.keyClicks(box, "penn")
    assert box.currentText().startswith("Pennsylvania")


def test_the_calendar_arrow_is_drawn_in_the_palettes_text_colour(qtbot):
    """The style's own SP_ArrowDown is a fixed dark grey: on the dark palette the calendar
    button of every date field all but vanished. The arrow follows a live palette switch."""
    from PySide6.QtGui import QPalette

    from gui import theme

    def arrow_lightness(ed: DateEdit) -> int:
        img = ed.calendar_action.icon().pixmap(16, 16).toImage()
        return max(img.pixelColor(x, y).lightness() for x in range(img.width()) for y in range(img.height())
                   if img.pixelColor(x, y).alpha() > 200)

    app = QApplication.instance()
    before = QPalette(app.palette())
    try:
        app.setPalette(theme.dark_palette())
        ed = DateEdit()
        qtbot.addWidget(ed)
        assert arrow_lightness(ed) > 160  # light on dark
        app.setPalette(app.style().standardPalette())
        qtbot.waitUntil(lambda: arrow_lightness(ed) < 100)  # dark on light, the same field
    finally:
        app.setPalette(before)


def test_a_date_field_is_never_squeezed_below_a_whole_date(qtbot):
    """In the cost dialog, once a message had wrapped, the date field shrank to show '2-03'."""
    ed = DateEdit(dt.date(2026, 2, 3))
    qtbot.addWidget(ed)
    assert ed.minimumWidth() >= ed.fontMetrics().horizontalAdvance("2026-02-03") + ed.sizeHint().height()
