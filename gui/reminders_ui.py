"""The reminders panel, the start-up summary, tray notifications and the calendar/CSV exports.

`attach(window)` adds the panel (Ctrl+Shift+R), File menu items "Export calendar (.ics)…" and
"Export CSV…", syncs the computed reminders into the table, and shows what is overdue and due
this week: in the panel, in the status bar, in a non-modal banner on the dashboard at start (not in screenshot
mode) and, when a system tray exists, as tray notifications, each once (kept in the data file,
so a new start does not repeat what an earlier one showed). A `DayWatcher`
reads the clock every few minutes: past midnight it moves `session.today` on, refreshes the panel
and notifies what became due.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStyle,
    QSystemTrayIcon,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import reminders as rem
from core.db import DatabaseError
from core.wording import plural

from .date_edit import DateEdit, date_field
from .dates_display import show_date
from .extensions import RefreshWhenShown
from .step_form import ErrorLabel

CHECK_EVERY_MS = 30 * 60 * 1000
log = logging.getLogger("certpath.reminders")
DAY_CHECK_MS = 5 * 60 * 1000  # how often the clock is read to notice a new day


def _state(r: rem.Reminder, today: dt.date) -> str:
    if r.done:
        return "Done"
    if r.snoozed(today):
        return f"Snoozed to {show_date(r.snoozed_until)}"
    if r.is_overdue(today):
        return "Overdue"
    if r.is_passed(today):  # a passed opening or recommendation: never "overdue"
        return "Passed"
    if r.is_due_now(today):
        return "Due soon"
    return "Upcoming"


def _when(r: rem.Reminder, today: dt.date) -> str:
    n = r.days_left(today)
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    if n > 0:
        return f"in {n} days"
    return "yesterday" if n == -1 else f"{-n} days ago"


class TaskDialog(QDialog):
    """A "check the portal" reminder of the user's own."""

    def __init__(self, parent, today: dt.date, task: rem.Reminder | None = None):
        super().__init__(parent)
        self.editing = task
        self.setWindowTitle("Edit reminder" if task is not None else "New reminder")
        lay = QFormLayout(self)
        self.title = QLineEdit(placeholderText="e.g. Check MyIntealth for messages")
        self.due = DateEdit(today, today=today)
        self.due.setAccessibleName("Reminder date")
        self.due_error = ErrorLabel()
        self.title_error = ErrorLabel()
        self.title_error.setAccessibleName("What problem")
        self.repeat = QCheckBox("Repeat every")
        self.days = QSpinBox(minimum=1, maximum=3660, value=14, suffix=" days")
        self.days.setEnabled(False)
        self.repeat.toggled.connect(self.days.setEnabled)
        rep = QHBoxLayout()
        rep.addWidget(self.repeat)
        rep.addWidget(self.days)
        rep.addStretch(1)
        self.stages = QLineEdit("1")
        self.stages.setToolTip("Days before the date to remind you, separated by commas (e.g. 30, 7, 1)")
        self.stages.setAccessibleName("Remind days before")
        self.stages_error = ErrorLabel()
        self.stages_error.setAccessibleName("Remind days before problem")
        lay.addRow("What:", self.title)
        lay.addRow("", self.title_error)  # said under the field, the dialog stays open
        self.title.textEdited.connect(lambda _t: self.title_error.show_message(None))
        lay.addRow("On:", date_field(self.due))
        lay.addRow("", self.due_error)
        self.due.textEdited.connect(lambda _t: self.due_error.show_message(None))
        lay.addRow(rep)
        lay.addRow("Remind days before:", self.stages)
        lay.addRow("", self.stages_error)
        self.stages.textEdited.connect(lambda _t: self.stages_error.show_message(None))
        if task is not None:
            self.title.setText(task.title)
            self.due.set_date(task.due)
            self.repeat.setChecked(bool(task.repeat_days))
            if task.repeat_days:
                self.days.setValue(task.repeat_days)
            self.stages.setText(", ".join(str(s) for s in task.stages))
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self._ok)
        bb.rejected.connect(self.reject)
        lay.addRow(bb)

    def _ok(self) -> None:
        if not self.title.text().strip():
            self.title_error.show_message("Say what to do.")
            self.title.setFocus()
            return
        why = "The date is required (YYYY-MM-DD)" if self.due.is_empty() else self.due.problem()
        if why:
            self.due_error.show_message(why)
            self.due.setFocus()
            self.due.selectAll()
            return
        try:
            rem.parse_stages(self.stages.text())
        except ValueError as e:  # said under the field, the dialog kept open, as the other fields
            why = str(e)
            self.stages_error.show_message(f"{why[:1].upper()}{why[1:]}.")
            self.stages.setFocus()
            self.stages.selectAll()
            return
        self.accept()


class RemindersPanel(QWidget):
    COLUMNS = ["Date", "When", "Reminder", "State", "Stages (days before)"]

    def __init__(self, session, parent=None, journeys=None):
        """`journeys`: the window's JourneyService (the reminders come from its journey)."""
        super().__init__(parent)
        self.session = session
        self.journeys = journeys
        self.items: list[rem.Reminder] = []
        self.last_action: tuple[int, str] | None = None  # (reminder id, "done" | "snooze"): what Undo reverts
        lay = QVBoxLayout(self)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setAccessibleName("Reminder summary")
        lay.addWidget(self.summary_label)
        self.show_done = QCheckBox("Show done")
        self.show_done.toggled.connect(lambda _on: self.refresh())
        lay.addWidget(self.show_done)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setAccessibleName("Reminders")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        row = QHBoxLayout()
        self.btn_snooze = QPushButton("&Snooze", clicked=self.snooze_selected)
        self.btn_snooze.setToolTip("Hide until the next reminder day")
        self.btn_done = QPushButton("D&one", clicked=self.done_selected)
        self.btn_undo = QPushButton("&Undo", clicked=self.undo_selected)
        self.btn_undo.setToolTip("Undo done or snooze on the selected reminder (or on the last one you changed)")
        self.btn_stages = QPushButton("Sta&ges…", clicked=self.edit_stages)
        self.btn_add = QPushButton("&New reminder…", clicked=self.add_task)
        self.btn_delete = QPushButton("De&lete", clicked=self.delete_selected)
        for b in (self.btn_snooze, self.btn_done, self.btn_undo, self.btn_stages, self.btn_add, self.btn_delete):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        # Enter or a double-click edits: your own reminder whole, a computed one's reminder days
        self.table.activated.connect(lambda _i: self.edit_selected())
        self.btn_delete.setToolTip("Delete your own reminder (Ctrl+Z brings it back)")
        # the toast after a delete: what went, and Undo (Ctrl+Z)
        self.toast = QFrame()
        self.toast.setObjectName("reminder_toast")
        self.toast.setFrameShape(QFrame.Shape.StyledPanel)
        tl = QHBoxLayout(self.toast)
        tl.setContentsMargins(8, 4, 8, 4)
        self.toast_label = QLabel()
        self.toast_label.setTextFormat(Qt.TextFormat.PlainText)
        self.toast_undo = QPushButton("Undo (Ctrl+Z)", clicked=self.undo_delete)
        self.toast_undo.setObjectName("toast_undo")
        tl.addWidget(self.toast_label, 1)
        tl.addWidget(self.toast_undo)
        self.toast.hide()
        lay.insertWidget(lay.count() - 1, self.toast)
        self._toast_timer = QTimer(self, singleShot=True, interval=12000)
        self._toast_timer.timeout.connect(self.toast.hide)
        self.deleted: dict | None = None  # the row the last Delete removed (what Undo puts back)
        undo = QShortcut(QKeySequence.StandardKey.Undo, self, self.undo_any)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh()

    def sync(self) -> list[rem.Reminder]:
        if self.session.profile_id is None:
            return []
        return current_reminders(self.session, self.journeys)

    def refresh(self, keep: int | None = None) -> None:
        """Re-read the reminders. The selection stays on the same reminder (`keep`, else the one
        selected now): never silently on another row, where the next Done or Snooze would land."""
        today = self.session.today
        if keep is None:
            cur = self.selected() if self.table.rowCount() else None
            keep = cur.id if cur is not None else None
        old_row = max(self.table.currentRow(), 0)
        self.items = self.sync()
        shown = [r for r in self.items if self.show_done.isChecked() or not r.done]
        from . import theme  # colours readable in the light and the dark palette

        overdue_col, done_col = theme.status_color("expired"), QColor(theme.muted_color())
        self.table.setRowCount(0)
        for r in shown:
            i = self.table.rowCount()
            self.table.insertRow(i)
            stages = ", ".join(str(s) for s in r.stages) or "on the day"
            if r.repeat_days:
                stages += "; repeats every day" if r.repeat_days == 1 else f"; repeats every {r.repeat_days} days"
            cells = [show_date(r.due), _when(r, today), r.display_title, _state(r, today), stages]
            for c, text in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setToolTip(r.detail or text)
                if c == 0:
                    it.setData(Qt.ItemDataRole.UserRole, r.id)
                if r.is_overdue(today):
                    it.setForeground(overdue_col)
                elif r.done:
                    it.setForeground(done_col)
                self.table.setItem(i, c, it)
        for c in (0, 1, 3, 4):
            self.table.resizeColumnToContents(c)
        if self.table.rowCount():  # a current row, so the arrow keys work at once
            row = self._row_of(keep)
            if row is None:  # gone from view (done, Show done off): the row that took its place
                row = min(old_row, self.table.rowCount() - 1)
            self.table.setCurrentCell(row, 0)
        s = self.summary()
        self.summary_label.setText(s.text(today))
        self._update_buttons()

    def summary(self) -> rem.Summary:
        return rem.summary(self.items, self.session.today)

    def selected(self) -> rem.Reminder | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        rid = self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.items if r.id == rid), None)

    def _row_of(self, reminder_id: int | None) -> int | None:
        if reminder_id is None:
            return None
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).data(Qt.ItemDataRole.UserRole) == reminder_id:
                return i
        return None

    def undo_target(self) -> tuple[rem.Reminder, str] | None:
        """What Undo reverts: the selected reminder when it is done or snoozed, else the last change."""
        today = self.session.today
        r = self.selected()
        if r is not None and r.done:
            return r, "done"
        if r is not None and r.snoozed(today):
            return r, "snooze"
        if self.last_action is not None:
            rid, kind = self.last_action
            last = next((x for x in self.items if x.id == rid), None)
            if last is not None and ((kind == "done" and last.done) or (kind == "snooze" and last.snoozed(today))):
                return last, kind
        return None

    def select_key(self, source_key: str) -> bool:
        for i in range(self.table.rowCount()):
            rid = self.table.item(i, 0).data(Qt.ItemDataRole.UserRole)
            if any(r.id == rid and r.source_key == source_key for r in self.items):
                self.table.selectRow(i)
                return True
        return False

    def _update_buttons(self) -> None:
        r = self.selected()
        for b in (self.btn_snooze, self.btn_done, self.btn_stages):
            b.setEnabled(r is not None and not r.done)
        self.btn_delete.setEnabled(r is not None and r.user_task)
        self.btn_undo.setEnabled(self.undo_target() is not None)
        self.btn_add.setEnabled(self.session.profile_id is not None)

    # -- actions --------------------------------------------------------------------------------
    def snooze_selected(self) -> None:
        r = self.selected()
        if r is None or r.id is None:  # the table lists synced reminders only: each has its row id
            return
        rem.snooze(self.session.store, r.id, rem.snooze_default(r, self.session.today))
        self.last_action = (r.id, "snooze")
        self.refresh(keep=r.id)

    def done_selected(self) -> None:
        r = self.selected()
        if r is None or r.id is None:
            return
        moved = rem.mark_done(self.session.store, r.id, self.session.today)
        # a repeating task moved on to its next date (nothing to undo: it is not done)
        self.last_action = None if moved is not None else (r.id, "done")
        self.refresh(keep=r.id)

    def undo_selected(self) -> None:
        target = self.undo_target()
        if target is None:
            return
        r, kind = target
        if r.id is None:
            return
        if kind == "done":
            rem.undo_done(self.session.store, r.id, today=self.session.today)
        else:  # snoozed until today: shows again at once
            rem.snooze(self.session.store, r.id, self.session.today)
        self.last_action = None
        self.refresh(keep=r.id)

    def edit_stages(self) -> None:
        r = self.selected()
        if r is None or r.id is None:
            return
        text, ok = QInputDialog.getText(self, "Reminder stages",
                                        f"Remind me this many days before {show_date(r.due)}\n"
                                        "(separated by commas; 0 = on the day):",
                                        text=", ".join(str(s) for s in r.stages))
        if not ok:
            return
        try:
            rem.set_stages(self.session.store, r.id, text, today=self.session.today)
        except ValueError as e:
            QMessageBox.warning(self, "Reminder stages", str(e))
            return
        self.refresh(keep=r.id)

    def add_task(self) -> None:
        if self.session.profile_id is None:
            return
        dlg = TaskDialog(self, self.session.today)
        if not dlg.exec():
            return
        due = dlg.due.date()
        if due is None:  # the dialog accepts a valid date only
            return
        rid = rem.add_task(self.session.store, self.session.profile_id, dlg.title.text(), due,
                     repeat_days=dlg.days.value() if dlg.repeat.isChecked() else None,
                     stages=rem.parse_stages(dlg.stages.text()))
        self.refresh(keep=rid)

    def edit_selected(self) -> None:
        """Enter or a double-click: your own reminder in its dialog; a computed one (its date
        follows your journey) only its reminder days."""
        r = self.selected()
        if r is None:
            return
        if not r.user_task:
            if not r.done:
                self.edit_stages()
            return
        dlg = TaskDialog(self, self.session.today, task=r)
        due = dlg.due.date() if dlg.exec() else None  # the dialog accepts a valid date only
        if due is None or r.id is None:
            return
        try:
            rem.update_task(self.session.store, r.id, title=dlg.title.text(), due=due,
                            repeat_days=dlg.days.value() if dlg.repeat.isChecked() else None,
                            stages=dlg.stages.text(), today=self.session.today)
        except (ValueError, LookupError) as e:
            QMessageBox.warning(self, "Edit reminder", str(e))
            return
        self.refresh(keep=r.id)

    def delete_selected(self) -> None:
        r = self.selected()
        if r is None or r.id is None or not r.user_task:
            return
        self.deleted = rem.delete_task(self.session.store, r.id)
        self.toast_label.setText(f"Deleted \u201c{r.title}\u201d ({show_date(r.due)}).")
        self.toast.show()
        self._toast_timer.start()
        self.refresh()

    def undo_delete(self) -> bool:
        """Put back the reminder the last Delete removed (same id, stages and calendar entry)."""
        if self.deleted is None:
            return False
        row, self.deleted = self.deleted, None
        self.toast.hide()
        try:
            rid = rem.restore_task(self.session.store, row)
        except Exception as e:  # its profile gone, a full disk: say so
            QMessageBox.warning(self, "Undo delete", f"Could not bring the reminder back: {e}")
            return False
        self.refresh(keep=rid)
        return True

    def undo_any(self) -> None:
        """Ctrl+Z: the last delete first, else Done or Snooze (as the Undo button)."""
        if not self.undo_delete():
            self.undo_selected()


def current_reminders(session, journeys=None) -> list[rem.Reminder]:
    """The profile's reminders, synced from its dated items (what the panel shows): from the
    journey `journeys` holds when given (no evaluation), else evaluated here."""
    if session.profile_id is None:
        return []
    fresh = journeys.fresh_reminders() if journeys is not None and journeys.journey is not None else None
    return rem.sync(session.store, session.profile_id, session.today, fresh=fresh)


class TrayNotifier(QObject):
    """Shows due reminders as tray notifications, each once: across starts of the app too.

    What was shown is kept in the data file (core.reminders.claim_notices: the reminder's
    `notified` key), so a new start does not show again what an earlier one showed, while a
    reminder that becomes due again (a stage day or its due day, a snooze that ended, a new date
    or revision) is shown. With no system tray nothing is shown, so nothing is recorded. Where the
    record cannot be written (a read-only data folder, a full disk) the run still shows each one
    once, remembered in memory. `shown(list[Reminder])` is emitted with what was shown.
    """

    shown = Signal(list)

    def __init__(self, window, session, items=None):
        """`items()` gives the current reminders (the panel's when it is built; else synced here)."""
        super().__init__(window)
        self.session = session
        self.items = items or (lambda: current_reminders(session))
        self.seen: set[tuple[int | None, str, str]] = set()  # this run's, whatever the data file says
        self.tray = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon()
            if icon.isNull():
                icon = window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
            self.tray = QSystemTrayIcon(icon, window)
            self.tray.setToolTip("CertPath")
            self.tray.activated.connect(lambda *a: (window.showNormal(), window.activateWindow()))
            self.tray.show()
        self.timer = QTimer(window)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def pending(self, items: list[rem.Reminder] | None = None) -> list[rem.Reminder]:
        """What is due to be shown now and has not been (in this run, or by an earlier one)."""
        pid = self.session.profile_id
        if pid is None:
            return []
        today = self.session.today
        all_items = self.items() if items is None else items
        new = [r for r in rem.to_notify(all_items, today) if self._key(r) not in self.seen]
        if not new:
            return []
        try:
            return rem.unnotified(self.session.store, pid, new, today)
        except (DatabaseError, sqlite3.Error):  # the record unreadable: this run's memory only
            log.warning("what the tray showed could not be read; showing what this run has not", exc_info=True)
            return new

    def _key(self, r: rem.Reminder) -> tuple[int | None, str, str]:
        return (self.session.profile_id, r.source_key, rem.notice_key(r, self.session.today))

    def _claim(self, new: list[rem.Reminder]) -> list[rem.Reminder]:
        """Record `new` as shown; what another CertPath (a command) recorded meanwhile is left out."""
        try:
            return rem.claim_notices(self.session.store, self.session.profile_id, new, self.session.today)
        except (DatabaseError, sqlite3.Error) as e:  # read-only data, a full disk: once per run, in memory
            log.warning("what the tray showed could not be recorded (%s); it is kept for this run only", e)
            return new

    def check(self, items: list[rem.Reminder] | None = None) -> int:
        new = self.pending(items)
        if new and self.tray is not None:
            new = self._claim(new)
        for r in new:
            self.seen.add(self._key(r))
        if new and self.tray is not None:
            today = self.session.today
            body = "\n".join(f"{r.display_title} ({show_date(r.due)}, {_when(r, today)})" for r in new[:5])
            if len(new) > 5:
                body += f"\n… and {len(new) - 5} more"
            self.tray.showMessage(f"CertPath: {plural(len(new), 'reminder')}", body,
                                  QSystemTrayIcon.MessageIcon.Information, 15000)
            self.shown.emit(new)
        return len(new)


class DayWatcher:
    """Notices a new calendar day while the app runs (past midnight) and calls `on_new_day(date)`.

    Reads `clock()` (default: the system date) every `interval_ms`. A session started on a
    given day (`--today`, screenshots, tests) is not the clock's day and is left alone.
    """

    def __init__(self, parent, session, on_new_day, clock=None, interval_ms: int = DAY_CHECK_MS):
        self.session = session
        self.on_new_day = on_new_day
        self.clock = clock or dt.date.today
        self.follows_clock = self.clock() == session.today
        self.timer = QTimer(parent)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        if self.follows_clock:
            self.timer.start()

    def check(self) -> bool:
        """True when the day changed (and `on_new_day` ran)."""
        if not self.follows_clock:
            return False
        day = self.clock()
        if day == self.session.today:
            return False
        self.on_new_day(day)
        return True


# -- exports ---------------------------------------------------------------------------------------
def export_ics_dialog(window, session) -> str | None:
    if session.profile_id is None:
        return None
    from core.exports import write_atomic
    from core.ics import export_ics

    out, _ = QFileDialog.getSaveFileName(window, "Export calendar",
                                         str(Path.home() / f"CertPath-{session.today.isoformat()}.ics"),
                                         "iCalendar files (*.ics)")
    if not out:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        write_atomic(out, export_ics(session.store, session.profile_id, session.today))
    except OSError as e:
        QMessageBox.warning(window, "Export calendar", f"The calendar could not be written: {e}")
        return None
    finally:
        QApplication.restoreOverrideCursor()
    return out


def export_csv_dialog(window, session) -> str | None:
    if session.profile_id is None:
        return None
    from core.exports import KINDS, export_csv, kind_label, write_atomic

    labels = {kind_label(k): k for k in KINDS}  # words shown, the id kept as the value
    label, ok = QInputDialog.getItem(window, "Export CSV", "Which table:", list(labels), 0, False)
    if not ok:
        return None
    kind = labels[label]
    out, _ = QFileDialog.getSaveFileName(window, "Export CSV",
                                         str(Path.home() / f"CertPath-{kind}-{session.today.isoformat()}.csv"),
                                         "CSV files (*.csv)")
    if not out:
        return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        text = export_csv(kind, session.store, session.profile_id, session.today, paths=session.paths)
        write_atomic(out, text.encode("utf-8"))
    except OSError as e:
        QMessageBox.warning(window, "Export CSV", f"The file could not be written: {e}")
        return None
    finally:
        QApplication.restoreOverrideCursor()
    return out


def _status(window, text: str) -> None:
    window.show_status(text, 10000)


def show_startup_summary(window, session, items: list[rem.Reminder] | None = None,
                         open_panel=None) -> rem.Summary:
    """What is overdue and due this week, said once at start: in the status bar and in a
    non-modal banner on the dashboard (never a box to click away). Its counts are the reminders
    panel's (the same synced reminders, from core.journey_view.dated_items)."""
    items = current_reminders(session, window.journeys) if items is None else items
    s = rem.summary(items, session.today)
    if s.empty:
        return s
    _status(window, f"Reminders: {len(s.overdue)} overdue, {len(s.this_week)} due this week")
    if not session.store.setting("reminders.startup_summary", True):
        return s
    show_banner = getattr(window, "show_banner", None)
    if show_banner is not None:
        show_banner(s.headline(session.today), "warning" if s.overdue else "info",
                    "Open &reminders" if open_panel else None, open_panel)
    return s


def attach(window, clock=None):
    """Add the Reminders panel (built the first time it is shown), the exports and the notifier.

    `clock()` gives the system date (injectable for tests): past midnight the session's `today`
    moves on, the panel refreshes and newly due reminders show as tray notifications.
    """
    session = window.session
    built: dict[str, RemindersPanel] = {}
    lazy: dict[str, RefreshWhenShown] = {}

    def build() -> RemindersPanel:
        panel = RemindersPanel(session, journeys=window.journeys)
        built["panel"] = panel
        lazy["refresh"] = RefreshWhenShown(panel, panel.refresh)
        window.reminders_panel = panel
        return panel

    def items() -> list[rem.Reminder]:
        if "panel" in built:
            lazy["refresh"].settle()  # a change the hidden panel has not shown yet
            return built["panel"].items
        return current_reminders(session, window.journeys)

    action = window.add_panel("Reminders", build, "Ctrl+Shift+R")
    notifier = TrayNotifier(window, session, items)

    def on_journey(*_):
        # a panel not built yet has nothing to refresh; a hidden one refreshes when shown. The tray
        # checks on its own timer (and on a new day, below), so a Save does not sync 5,000 reminders.
        if "refresh" in lazy:
            lazy["refresh"]()
            if not lazy["refresh"].stale:
                notifier.check(built["panel"].items)

    window.journeys.journey_changed.connect(on_journey)
    act_ics = QAction("Export &calendar (.ics)…", window,
                      triggered=lambda: (p := export_ics_dialog(window, session)) and _status(window, f"Saved {p}"))
    act_csv = QAction("Export CS&V…", window,
                      triggered=lambda: (p := export_csv_dialog(window, session)) and _status(window, f"Saved {p}"))
    window.add_file_actions(act_ics, act_csv, group="export")
    window.reminders_notifier = notifier

    def new_day(day: dt.date) -> None:
        session.advance_today(day)
        # one evaluation for the new day: the dashboard, navigator, open step pages and every built
        # panel follow (journey_changed), this one and the tray too
        window.refresh()
        notifier.check()  # newly due reminders notify at once
        _status(window, f"A new day ({show_date(day)}): your dashboard and reminders are up to date")

    window.reminders_day_watcher = DayWatcher(window, session, new_day, clock)

    def at_start() -> None:
        if not window.isVisible():  # closed already (or never shown: --screenshot, tests)
            return
        try:
            current = items()  # synced once, for both the tray and the summary
        except Exception:  # the summary is a courtesy: never a traceback for it
            log.exception("the start-up reminder summary failed")
            return
        notifier.check(current)  # the tray's notifications, when there is a tray
        show_startup_summary(window, session, current, open_panel=action.trigger)

    QTimer.singleShot(800, window, at_start)
    return action
