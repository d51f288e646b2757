"""The "Application season" panel (issue 18): the programs a profile considers or applies to, each
checked against the profile; interviews and their clashes; the fee forecast; the draft rank order
list; import from a CSV with a column-mapping preview.

Everything computed comes from core.programs (`load_season`: one read, every program checked);
everything written goes through `ProgramStore` / csv_import.commit (one transaction each), then
the window re-evaluates once (`host.refresh()`) and the panel follows `journey_changed`.
The panel is offered to profiles on a track whose registry entry says `application_season`.
`attach(window)` adds it (Ctrl+Shift+A).
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import csv_import
from core.costs import Ledger, format_amount
from core.engine import get_track
from core.engine.img import SPECIALTIES
from core.programs import (
    PROGRAM_FIELDS,
    VISAS,
    ProgramCheck,
    ProgramStore,
    Season,
    check_program,
    check_settings,
    clash_text,
    load_season,
    rank_list_csv,
    rank_list_document,
    rank_list_text,
)
from core.programs_fees import add_planned
from core.programs_import import preview_programs, program_columns
from core.validate import ValidationError, parse_date

from . import theme
from .date_edit import DateEdit, date_field
from .dates_display import show_value
from .extensions import RefreshWhenShown
from .step_form import ErrorLabel

TITLE = "Application season"
COLUMNS = ("Program", "Specialty", "State", "Visa", "Status", "Findings")
_VISA = dict(VISAS)
_SPECIALTY = dict(SPECIALTIES)
# The form leaves out what CertPath sets (uid), what the rank list sets (rank) and the notes list.
FORM_SKIP = {"uid", "rank", "notes"}


def season_applies(tracks) -> bool:
    """Whether a profile on `tracks` has an application season (a registry attribute, not a name)."""
    for t in tracks or ():
        try:
            if get_track(t).application_season:
                return True
        except KeyError:
            continue
    return False


def status_text(c: ProgramCheck) -> str:
    p = c.program
    if p.withdrawn:
        return "Withdrawn"
    if p.get("interview_date"):
        return f"Interview {show_value(p.get('interview_date'))}"
    if p.get("invite_date"):
        return (f"Reply by {show_value(p.get('reply_by'))}" if p.get("reply_by")
                else f"Invited {show_value(p.get('invite_date'))}")
    if p.get("applied_date"):
        return f"Applied {show_value(p.get('applied_date'))}"
    return "Considering"


class ProgramModel(QAbstractTableModel):
    """The program list: every row's texts computed once per refresh, so filtering and painting a
    long list never re-check a program."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._all: list[tuple[ProgramCheck, tuple[str, ...]]] = []
        self._rows: list[tuple[ProgramCheck, tuple[str, ...]]] = []
        self.eligible_only = False
        self.search = ""

    def set_checks(self, checks) -> None:
        self.beginResetModel()
        self._all = [(c, (c.program.name, _SPECIALTY.get(c.program.get("specialty"), c.program.get("specialty") or ""), c.program.get("state") or "",
                          _VISA.get(c.program.get("visas") or "unknown", ""), status_text(c),
                          " · ".join(f.text for f in c.findings) or "No problem found"))
                     for c in checks]
        self._apply()
        self.endResetModel()

    def set_filter(self, eligible_only: bool | None = None, search: str | None = None) -> None:
        self.beginResetModel()
        if eligible_only is not None:
            self.eligible_only = eligible_only
        if search is not None:
            self.search = search
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        rows = [r for r in self._all if not self.search or r[0].matches(self.search)]
        if self.eligible_only:  # the eligible ones first; the others after them, marked, not hidden
            rows = [r for r in rows if r[0].eligible] + [r for r in rows if not r[0].eligible]
        self._rows = rows

    def check(self, row: int) -> ProgramCheck:
        return self._rows[row][0]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c, texts = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if col == 0 and not c.eligible:
                return f"✗ {texts[0]}"
            if col == 5 and not c.eligible:
                return f"Not eligible: {texts[5]}"
            return texts[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 5:
            return "\n".join(f.text for f in c.findings) or None
        if role == Qt.ItemDataRole.ToolTipRole and col in (0, 1, 3):  # the whole text of an elided cell
            return texts[col] or None
        if role == Qt.ItemDataRole.ForegroundRole and not c.eligible:
            return QBrush(QColor(theme.muted_color()))
        if role == Qt.ItemDataRole.FontRole and not c.eligible:
            f = QFont()
            f.setItalic(True)
            return f
        if role == Qt.ItemDataRole.UserRole:
            return c.eligible
        return None


# --- add / edit a program -------------------------------------------------------------------------

class ProgramDialog(QDialog):
    """A form from PROGRAM_FIELDS; every change is checked with core.programs.check_program and
    the problems are shown beside their fields; OK stays off while there is one. Dates are the one
    date editor (gui/date_edit.py: typed ISO, checked as on step pages, Alt+Down for a calendar)."""

    def __init__(self, parent, data: dict[str, Any] | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit program" if data else "Add program")
        self.original = dict(data or {})
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        form = QFormLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll)
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, ErrorLabel] = {}
        for spec in PROGRAM_FIELDS:
            if spec.key in FORM_SKIP:
                continue
            v = self.original.get(spec.key, spec.default)
            w: QWidget
            if spec.key == "interview_tz":  # the program's zone: the searchable list of IANA zones
                zc = ZoneCombo(v, none_label="(none)")
                zc.currentTextChanged.connect(self.validate)
                w = zc
            elif spec.kind == "choice":
                cb = QComboBox()
                cb.addItem("", None)
                for val, label in spec.choices:
                    cb.addItem(label, val)
                cb.setCurrentIndex(max(0, cb.findData(v)))
                cb.currentIndexChanged.connect(self.validate)
                w = cb
            elif spec.kind == "bool":
                chk = QCheckBox()
                chk.setChecked(v is True)
                chk.toggled.connect(self.validate)
                w = chk
            elif spec.kind == "date":
                de = DateEdit(today=today)
                de.setText("" if v is None else str(v))  # as stored, even if it is not a date
                de.textChanged.connect(self.validate)
                w = de
            else:
                le = QLineEdit("" if v is None else str(v))
                le.textChanged.connect(self.validate)
                w = le
            w.setObjectName(f"field_{spec.key}")
            w.setAccessibleName(spec.label)
            if spec.help:
                w.setToolTip(spec.help)
            err = ErrorLabel()
            err.setObjectName(f"error_{spec.key}")
            box = QVBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(date_field(w) if isinstance(w, DateEdit) else w)
            box.addWidget(err)
            form.addRow(spec.label + (" *" if spec.required else ""), box)
            self.widgets[spec.key], self.errors[spec.key] = w, err
        self.general = ErrorLabel()
        outer.addWidget(self.general)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.resize(620, 640)
        self.validate()

    def values(self) -> dict[str, Any]:
        out = {k: v for k, v in self.original.items() if k in FORM_SKIP}
        for spec in PROGRAM_FIELDS:
            w = self.widgets.get(spec.key)
            if w is None:
                continue
            v: Any
            if isinstance(w, ZoneCombo):
                try:
                    v = w.zone()
                except ValueError:
                    v = w.currentText().strip()  # kept as typed: check_program says what is wrong
            elif isinstance(w, QComboBox):
                v = w.currentData()
            elif isinstance(w, QCheckBox):
                v = True if w.isChecked() else None
            elif isinstance(w, QLineEdit):
                v = w.text().strip()
                if spec.kind == "int" and v:
                    try:
                        v = int(v)
                    except ValueError:
                        pass  # kept as typed: check_program says what is wrong with it
            else:
                continue
            if v is not None and v != "":
                out[spec.key] = v
        return out

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in check_program(self.values()):
            out.setdefault(p.field.split(".")[0].split("[")[0], p.message)
        return out

    def validate(self, *_a) -> bool:
        probs = self.problems()
        for key, err in self.errors.items():
            err.show_message(probs.get(key))
        other = [f"{k}: {m}" for k, m in probs.items() if k not in self.errors]
        self.general.show_message("; ".join(other) if other else None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not probs)
        return not probs

    def accept(self) -> None:
        if self.validate():
            super().accept()


# --- import from CSV ------------------------------------------------------------------------------

class ImportDialog(QDialog):
    """The CSV's columns mapped to program fields (changeable), each row with its problems beside
    it; Import writes the valid rows in one transaction, Cancel writes nothing."""

    IGNORE = "(not used)"

    def __init__(self, parent, store, profile_id: int, data: bytes, today: dt.date) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import programs from CSV")
        self.store, self.profile_id, self.data, self.today = store, profile_id, data, today
        self.mapping: dict[str, str | None] = {}
        self.result_text = ""
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Check how the file's columns are read; rows with problems are not imported."))
        self.map_box = QGroupBox("Columns")
        self.map_grid = QGridLayout(self.map_box)
        lay.addWidget(self.map_box)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("import_rows")
        self.table.setHorizontalHeaderLabels(["Row", "Program", "Will", "Problems"])
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        lay.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.combos: dict[str, QComboBox] = {}
        self.resize(820, 560)
        self.run_preview()
        self._build_mapping()

    def _build_mapping(self) -> None:
        cols = [c for c in program_columns() if not c.computed]
        by_header = {h: k for k, h in self.preview.headers.items()}
        from core.csv_import import read_csv

        try:
            headers = read_csv(self.data).header
        except Exception:  # the preview says what is wrong with the file
            headers = list(by_header)
        for i, h in enumerate(headers):
            combo = QComboBox()
            combo.setAccessibleName(f"Column {h}")
            combo.addItem(self.IGNORE, None)
            for c in cols:
                combo.addItem(c.label, c.key)
            combo.setCurrentIndex(max(0, combo.findData(by_header.get(h))))
            combo.currentIndexChanged.connect(lambda _i, h=h, cb=combo: self._remap(h, cb.currentData()))
            self.map_grid.addWidget(QLabel(h), i // 3, (i % 3) * 2)
            self.map_grid.addWidget(combo, i // 3, (i % 3) * 2 + 1)
            self.combos[h] = combo

    def _remap(self, header: str, key: str | None) -> None:
        self.mapping[header] = key
        self.run_preview()

    def run_preview(self) -> None:
        try:
            self.preview = preview_programs(self.store, self.profile_id, self.data, self.today,
                                            mapping=self.mapping or None)
        except (ValueError, ValidationError) as e:
            self.preview = csv_import.Preview(kind="programs", rows=[],
                                              problems=[csv_import.CsvProblem(0, "", str(e))])
        pv = self.preview
        self.table.setRowCount(len(pv.rows))
        muted = QBrush(QColor(theme.error_color()))
        for i, r in enumerate(pv.rows):
            probs = "; ".join(str(p.message) for p in r.problems)
            warns = "; ".join(str(p.message) for p in r.warnings)
            cells = [str(r.row), r.label, "skip (problem)" if r.problems else r.action,
                     probs or warns or ""]
            for j, t in enumerate(cells):
                it = QTableWidgetItem(t)
                if r.problems:
                    it.setForeground(muted)
                self.table.setItem(i, j, it)
        lines = [html.escape(str(getattr(p, "message", p))) for p in pv.problems] + [html.escape(n) for n in pv.notes]
        bad = sum(1 for r in pv.rows if r.problems)
        lines.insert(0, f"{len(pv.valid_rows)} of {len(pv.rows)} rows can be imported"
                        + (f"; {bad} with problems (shown beside them)" if bad else "") + ".")
        self.summary.setText("<br>".join(lines))
        self.import_button.setEnabled(bool(pv.valid_rows))

    def accept(self) -> None:
        try:
            self.result_text = csv_import.commit(self.store, self.preview, self.today)
        except (ValueError, ValidationError) as e:
            QMessageBox.warning(self, "Import programs", f"Nothing was imported: {e}")
            self.run_preview()
            return
        super().accept()


# --- the rank list --------------------------------------------------------------------------------

class RankList(QListWidget):
    """The draft rank order list: drag to reorder, or Ctrl+Up / Ctrl+Down on the selected program."""

    moved = Signal(int, int)  # program id, new position (1-based)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("rank_list")
        self.setAccessibleName("Draft rank order list")
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.model().rowsMoved.connect(self._dropped)
        for seq, step in (("Ctrl+Up", -1), ("Ctrl+Down", 1)):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda s=step: self.move_current(s))

    def move_current(self, step: int) -> None:
        row = self.currentRow()
        if row < 0 or not (0 <= row + step < self.count()):
            return
        self.moved.emit(self.item(row).data(Qt.ItemDataRole.UserRole), row + step + 1)

    def _dropped(self, _parent, start, _end, _dest, _row) -> None:
        it = self.currentItem()
        if it is None:
            return
        pid, pos = it.data(Qt.ItemDataRole.UserRole), self.row(it) + 1
        # After the drop has finished: the list is rebuilt from the stored order.
        QTimer.singleShot(0, lambda: self.moved.emit(pid, pos))


# --- the season settings: time zone, US clinical experience, blocked ranges ------------------------

NO_ZONE = "(not set: each program's own day)"


def system_zone() -> str | None:
    """The system's IANA time zone (None when Qt cannot tell or the name is not a known zone)."""
    from zoneinfo import available_timezones

    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    return name if name in available_timezones() else None


class ZoneCombo(QComboBox):
    """The IANA time zones, searchable: type any part of a name ("kolk", "new_y", "Chicago") and
    pick it from the list that narrows as you type. `zone()` is the chosen name (None: not set)."""

    def __init__(self, value: str | None, none_label: str = NO_ZONE) -> None:
        super().__init__()
        from zoneinfo import available_timezones

        self.none_label = none_label

        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
        if value and value not in self.zones:
            self.zones.append(value)  # a valid zone outside the list (UTC, Etc/GMT+5) stays choosable
        self.addItem(none_label, None)
        for z in self.zones:
            self.addItem(z.replace("_", " "), z)
        comp = QCompleter(self.model(), self)
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        comp.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(comp)
        self.setMaxVisibleItems(16)
        self.set_zone(value)

    def set_zone(self, value: str | None) -> None:
        i = self.findData(value) if value else 0
        self.setCurrentIndex(max(0, i))
        self.setEditText(self.itemText(max(0, i)))

    def zone(self) -> str | None:
        """The zone typed or chosen; raises ValueError when the text names no zone."""
        text = self.currentText().strip()
        if not text or text == self.none_label:
            return None
        key = text.replace(" ", "_").casefold()
        for z in self.zones:
            if z.casefold() == key:
                return z
        raise ValueError(f"'{text}' is not a time zone in the list (type part of a name, e.g. Chicago)")


class BlockDialog(QDialog):
    """One blocked range: from and until (inclusive, the one date editor) and what it is."""

    def __init__(self, parent, block: dict[str, Any] | None, today: dt.date) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit blocked days" if block else "Add blocked days")
        b = block or {}
        form = QFormLayout(self)
        self.start = DateEdit(parse_date(b.get("start")), today=today)
        self.start.setObjectName("block_start")
        self.start.setAccessibleName("Blocked from")
        self.end = DateEdit(parse_date(b.get("end")), today=today)
        self.end.setObjectName("block_end")
        self.end.setAccessibleName("Blocked until (inclusive)")
        self.label = QLineEdit(b.get("label", ""))
        self.label.setObjectName("block_label")
        self.label.setPlaceholderText("A night shift, travel, an exam…")
        self.label.setAccessibleName("What")
        self.error = ErrorLabel()
        self.error.setObjectName("block_error")
        form.addRow("&From *", date_field(self.start))
        form.addRow("&Until (inclusive) *", date_field(self.end))
        form.addRow("&What", self.label)
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for w in (self.start, self.end, self.label):
            w.textChanged.connect(self.validate)
        self.end.date_changed.connect(self.validate)
        self.resize(460, self.sizeHint().height())
        self.validate()

    def block(self) -> dict[str, Any]:
        out = {"start": self.start.text().strip(), "end": self.end.text().strip(), "label": self.label.text().strip()}
        return {k: v for k, v in out.items() if v}

    def problem(self) -> str | None:
        for name, edit in (("From", self.start), ("Until", self.end)):
            if edit.is_empty():
                return f"{name}: a date is needed"
            if edit.problem():
                return f"{name}: {edit.problem()}"
        probs = check_settings({"blocked": [self.block()]})
        return probs[0].message if probs else None

    def validate(self, *_a) -> bool:
        why = self.problem()
        # an empty field is not an error to shout while the form is new: OK stays off instead
        self.error.show_message(why if why and "a date is needed" not in why else None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(why is None)
        return why is None

    def accept(self) -> None:
        if self.validate():
            super().accept()


def block_text(b: dict[str, Any]) -> str:
    start, end = show_value(b.get("start")) or "?", show_value(b.get("end")) or "?"
    when = start if start == end else f"{start} to {end}"
    return f"{when}: {b['label']}" if b.get("label") else when


class SettingsDialog(QDialog):
    """The profile's season settings (core.programs.SETTINGS_FIELDS): the time zone interviews are
    put on your days in, months of US clinical experience (programs that want it are checked
    against it), and blocked date ranges (an interview inside one is flagged). OK saves them in
    one transaction (ProgramStore.save_settings); Cancel writes nothing."""

    def __init__(self, parent, settings: dict[str, Any], today: dt.date) -> None:
        super().__init__(parent)
        self.setWindowTitle("Season settings")
        self.today = today
        self.original = dict(settings)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        self.zone = ZoneCombo(settings.get("home_tz") or system_zone())
        self.zone.setObjectName("home_tz")
        self.zone.setAccessibleName("Your time zone")
        self.zone.setToolTip("Type part of a name (Kolkata, Chicago) to search. Interviews are put on your "
                             "calendar days in this zone when same-day clashes are checked.")
        self.zone_hint = QLabel()
        self.zone_hint.setObjectName("home_tz_hint")
        self.zone_hint.setWordWrap(True)
        self.zone_hint.setStyleSheet(f"color: {theme.muted_color()};")
        self.zone.currentTextChanged.connect(self.validate)
        zbox = QWidget()
        zl = QVBoxLayout(zbox)
        zl.setContentsMargins(0, 0, 0, 0)
        zl.addWidget(self.zone)
        zl.addWidget(self.zone_hint)
        zlabel = QLabel("Your &time zone")
        zlabel.setBuddy(self.zone)
        form.addRow(zlabel, zbox)
        self.usce = QSpinBox()
        self.usce.setObjectName("usce_months")
        self.usce.setAccessibleName("US clinical experience in months")
        self.usce.setRange(-1, 600)
        self.usce.setSpecialValueText("Not recorded")
        self.usce.setSuffix(" months")
        self.usce.setToolTip("Hands-on US clinical experience (clerkships, externships, observerships "
                             "count as programs say): programs that want some are checked against it.")
        v = settings.get("usce_months")
        self.usce.setValue(v if isinstance(v, int) else -1)
        form.addRow("US &clinical experience", self.usce)
        outer.addLayout(form)
        box = QGroupBox("Blocked days (shifts, travel): an interview inside one is flagged")
        bl = QVBoxLayout(box)
        self.blocks: list[dict[str, Any]] = [dict(b) for b in settings.get("blocked") or []]
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("blocked_ranges")
        self.table.setAccessibleName("Blocked days")
        self.table.setHorizontalHeaderLabels(["From", "Until", "What"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.doubleClicked.connect(lambda _i: self.edit_block())
        bl.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_block_button = QPushButton("&Add…")
        self.add_block_button.clicked.connect(self.add_block)
        self.edit_block_button = QPushButton("&Edit…")
        self.edit_block_button.clicked.connect(self.edit_block)
        self.delete_block_button = QPushButton("&Delete")
        self.delete_block_button.clicked.connect(self.delete_block)
        for b in (self.add_block_button, self.edit_block_button, self.delete_block_button):
            row.addWidget(b)
        row.addStretch(1)
        bl.addLayout(row)
        outer.addWidget(box, 1)
        self.error = ErrorLabel()
        self.error.setObjectName("settings_error")
        outer.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.table.itemSelectionChanged.connect(self._enable)
        self._fill()
        self.resize(620, 520)
        self.validate()

    # the blocked ranges (kept here until Save)
    def _fill(self, select: int | None = None) -> None:
        self.table.setRowCount(len(self.blocks))
        for i, b in enumerate(self.blocks):
            for j, key in enumerate(("start", "end", "label")):
                self.table.setItem(i, j, QTableWidgetItem(str(b.get(key, ""))))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if select is not None and 0 <= select < len(self.blocks):
            self.table.selectRow(select)
        self._enable()

    def _enable(self) -> None:
        has = self.table.currentRow() >= 0 and bool(self.table.selectedItems())
        self.edit_block_button.setEnabled(has)
        self.delete_block_button.setEnabled(has)

    def add_block(self) -> None:
        dlg = BlockDialog(self, None, self.today)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.blocks.append(dlg.block())
            self.blocks.sort(key=lambda b: (b.get("start", ""), b.get("end", "")))
            self._fill(self.blocks.index(dlg.block()) if dlg.block() in self.blocks else None)
            self.validate()

    def edit_block(self) -> None:
        i = self.table.currentRow()
        if not 0 <= i < len(self.blocks):
            return
        dlg = BlockDialog(self, self.blocks[i], self.today)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.blocks[i] = dlg.block()
            self._fill(i)
            self.validate()

    def delete_block(self) -> None:
        i = self.table.currentRow()
        if not 0 <= i < len(self.blocks):
            return
        del self.blocks[i]
        self._fill(min(i, len(self.blocks) - 1))
        self.validate()

    # the whole
    def values(self) -> dict[str, Any]:
        """The settings as saved: keys this dialog does not edit are kept as they were."""
        out = {k: v for k, v in self.original.items() if k not in ("home_tz", "usce_months", "blocked")}
        try:
            z = self.zone.zone()
        except ValueError:
            z = self.zone.currentText().strip()  # kept as typed: check_settings says what is wrong
        if z:
            out["home_tz"] = z
        if self.usce.value() >= 0:
            out["usce_months"] = self.usce.value()
        if self.blocks:
            out["blocked"] = list(self.blocks)
        return out

    def validate(self, *_a) -> bool:
        why = None
        try:
            z = self.zone.zone()
        except ValueError as e:
            z, why = None, str(e)
        if z:
            from zoneinfo import ZoneInfo

            noon = dt.datetime(self.today.year, self.today.month, self.today.day, 12, tzinfo=ZoneInfo(z))
            off = noon.utcoffset() or dt.timedelta(0)
            mins = int(off.total_seconds() // 60)
            sign = "+" if mins >= 0 else "−"
            self.zone_hint.setText(f"On {self.today.isoformat()}: UTC{sign}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"
                                   f" ({noon.tzname()})")
        else:
            self.zone_hint.setText("Not set: two interviews are compared on each program's own date."
                                   if why is None else "")
        if why is None:
            probs = check_settings(self.values())
            why = "; ".join(f"{p.field}: {p.message}" for p in probs) if probs else None
        self.error.show_message(why)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(why is None)
        return why is None

    def accept(self) -> None:
        if self.validate():
            super().accept()


# --- the panel ------------------------------------------------------------------------------------

# Program, Specialty, State, Visa, Status: (preferred, least) widths; Findings (the last, stretched)
# keeps at least FINDINGS_MIN: when the table is narrower than all of that, the columns give way in
# this order (Program, Specialty, Status, Visa) down to their least, so Findings stays in view
# without a horizontal scroll bar at 1280 pixels.
COLUMN_WIDTHS = ((200, 120), (118, 80), (40, 40), (92, 64), (130, 96))
FINDINGS_MIN = 160
_GIVE_WAY = (0, 1, 4, 3)


def fit_widths(available: int) -> list[int]:
    """The widths of the first five columns for a table `available` pixels wide."""
    widths = [w for w, _least in COLUMN_WIDTHS]
    over = sum(widths) + FINDINGS_MIN - available
    for i in _GIVE_WAY:
        if over <= 0:
            break
        cut = min(over, widths[i] - COLUMN_WIDTHS[i][1])
        widths[i] -= cut
        over -= cut
    return widths


class _ProgramTable(QTableView):
    """The program table; `resized` after its viewport's size changes (the panel fits the columns
    then: also when the vertical scroll bar comes or goes, which leaves the table's own size)."""

    resized = Signal()

    def viewportEvent(self, event) -> bool:  # noqa: N802
        done = super().viewportEvent(event)
        if event.type() == QEvent.Type.Resize:
            self.resized.emit()
        return done


class SeasonPanel(QWidget):
    def __init__(self, host) -> None:
        super().__init__()
        self.host = host
        self.session = host.session
        self.season: Season | None = None
        self.setObjectName("season_panel")
        outer = QVBoxLayout(self)
        self.note = QLabel()
        self.note.setWordWrap(True)
        outer.addWidget(self.note)
        split = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(split, 1)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.search = QLineEdit(placeholderText="Search name, city, state, ACGME id")
        self.search.setObjectName("program_search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda t: self._filter(search=t))
        self.eligible_only = QCheckBox("&Eligible first (others marked)")
        self.eligible_only.setObjectName("eligible_only")
        self.eligible_only.setToolTip("Programs you are eligible for first; the others stay in the list, marked ✗")
        self.eligible_only.toggled.connect(lambda on: self._filter(eligible_only=on))
        bar.addWidget(self.search, 1)
        bar.addWidget(self.eligible_only)
        ll.addLayout(bar)
        self.counts = QLabel()
        ll.addWidget(self.counts)
        self.model = ProgramModel(self)
        self.view = _ProgramTable()
        self.view.setObjectName("program_table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        hh.setMinimumSectionSize(36)
        self.view.resized.connect(self._fit_columns)  # the widths follow the table's width
        self._fit_columns()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.doubleClicked.connect(lambda _i: self.edit_program())
        self.view.selectionModel().currentRowChanged.connect(self._show_details)
        ll.addWidget(self.view, 1)
        self.details = QLabel()
        self.details.setObjectName("program_details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ll.addWidget(self.details)
        btns = QHBoxLayout()
        self.add_button = QPushButton("&Add program…")
        self.add_button.clicked.connect(self.add_program)
        self.edit_button = QPushButton("Edi&t…")
        self.edit_button.clicked.connect(self.edit_program)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(self.delete_program)
        self.import_button = QPushButton("&Import CSV…")
        self.import_button.clicked.connect(self.import_csv)
        for b in (self.add_button, self.edit_button, self.delete_button, self.import_button):
            btns.addWidget(b)
        btns.addStretch(1)
        ll.addLayout(btns)
        self.clash_box = QGroupBox("Interview clashes")
        cl = QVBoxLayout(self.clash_box)
        self.clash_label = QLabel()
        self.clash_label.setObjectName("clashes")
        self.clash_label.setWordWrap(True)
        cl.addWidget(self.clash_label)
        cl.addStretch(1)
        self.settings_box = QGroupBox("Your time zone, experience and blocked days")
        sl = QVBoxLayout(self.settings_box)
        self.settings_label = QLabel()
        self.settings_label.setObjectName("season_settings")
        self.settings_label.setWordWrap(True)
        self.settings_label.setTextFormat(Qt.TextFormat.PlainText)
        sl.addWidget(self.settings_label)
        srow = QHBoxLayout()
        self.settings_button = QPushButton("Chan&ge…")
        self.settings_button.setObjectName("season_settings_button")
        self.settings_button.setToolTip("Your time zone, months of US clinical experience and blocked days "
                                        "(shifts, travel)")
        self.settings_button.clicked.connect(self.edit_settings)
        srow.addWidget(self.settings_button)
        srow.addStretch(1)
        sl.addLayout(srow)
        sl.addStretch(1)
        low = QHBoxLayout()
        low.addWidget(self.clash_box, 1)
        low.addWidget(self.settings_box, 1)
        ll.addLayout(low)
        split.addWidget(left)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 4, 0)
        sig_box = QGroupBox("Program signals")
        gl = QVBoxLayout(sig_box)
        self.signal_label = QLabel()
        self.signal_label.setObjectName("signals")
        self.signal_label.setWordWrap(True)
        self.signal_label.setTextFormat(Qt.TextFormat.RichText)
        gl.addWidget(self.signal_label)
        rl.addWidget(sig_box)
        fee_box = QGroupBox("Fee forecast")
        fl = QVBoxLayout(fee_box)
        self.fee_label = QLabel()
        self.fee_label.setObjectName("fees")
        self.fee_label.setWordWrap(True)
        self.fee_label.setTextFormat(Qt.TextFormat.RichText)
        fl.addWidget(self.fee_label)
        self.plan_button = QPushButton("Add as &planned costs")
        self.plan_button.clicked.connect(self.add_planned_costs)
        fl.addWidget(self.plan_button)
        rl.addWidget(fee_box)
        rank_box = QGroupBox("Draft rank order list")
        rk = QVBoxLayout(rank_box)
        hint = QLabel("Programs you interviewed at. Drag, or Ctrl+Up / Ctrl+Down, to reorder.")
        hint.setWordWrap(True)
        rk.addWidget(hint)
        self.rank = RankList()
        self.rank.moved.connect(self.move_rank)
        rk.addWidget(self.rank, 1)
        self.rank_count = QLabel()
        self.rank_count.setObjectName("rank_count")
        self.rank_count.setWordWrap(True)
        rk.addWidget(self.rank_count)
        rb = QHBoxLayout()
        self.csv_button = QPushButton("Export &CSV…")
        self.csv_button.clicked.connect(lambda: self.export_rank("csv"))
        self.pdf_button = QPushButton("Export P&DF…")
        self.pdf_button.clicked.connect(lambda: self.export_rank("pdf"))
        rb.addWidget(self.csv_button)
        rb.addWidget(self.pdf_button)
        rb.addStretch(1)
        rk.addLayout(rb)
        rl.addWidget(rank_box, 1)
        rank_box.setMinimumHeight(200)
        # signals, fees and the rank list scroll together when the window is short: nothing is cut off
        right_scroll = QScrollArea()
        right_scroll.setObjectName("season_side")
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right_scroll.setWidget(right)
        split.addWidget(right_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([720, 300])

    # reading
    def refresh(self, *_a) -> None:
        pid = self.session.profile_id
        doc = self.host.journeys.doc or {}
        if pid is None or not season_applies(doc.get("tracks")):
            self.season = None
            self.note.setText("The application season is for profiles on a track that applies to residency "
                              "programs (IMG to US practice).")
            self.model.set_checks([])
            self.setEnabled(pid is not None and season_applies(doc.get("tracks")))
            return
        self.setEnabled(True)
        journey = self.host.journeys.journey
        try:
            self.season = load_season(self.session.store, pid, self.session.today, journey=journey)
        except Exception as e:  # never a traceback: say it
            self.season = None
            self.note.setText(f"The application season could not be read: {e}")
            return
        s = self.season
        self.note.setText("" if s.applicant.match_year else
                          "Set your Match year (IMG track facts) for the fee forecast and the certificate checks.")
        self.note.setVisible(bool(self.note.text()))
        self.model.set_checks(s.checks)
        self._counts()
        self._show_details()
        self.clash_label.setText("\n".join(clash_text(c) for c in s.clashes) or "No clashes.")
        self._settings()
        self._signals()
        self._fees()
        self._rank()

    def _fit_columns(self) -> None:
        for i, w in enumerate(fit_widths(self.view.viewport().width())):
            self.view.setColumnWidth(i, w)

    def _show_details(self, *_a) -> None:
        c = self._selected()
        for b in (self.edit_button, self.delete_button):  # they act on the selected program
            b.setEnabled(c is not None)
        if c is None:
            none = self.season is None or not self.season.checks
            self.details.setText("No programs yet: Add program… enters one, Import CSV… a list from a spreadsheet."
                                 if none else "Select a program to see what was found about it.")
            return
        p = c.program
        head = f"{p.name}: " + ("eligible" if c.eligible else "not eligible")
        when = ""
        if p.get("interview_date"):
            when = " · interview " + " ".join(show_value(x) for x in (p.get("interview_date"), p.get("interview_time"),
                                                              p.get("interview_tz")) if x)
        lines = [f.text for f in c.findings] or ["Nothing found against your profile."]
        self.details.setText(head + when + "\n" + "\n".join("• " + t for t in lines))

    def _counts(self) -> None:
        s = self.season
        if s is None:
            return
        yes, no = s.split()
        shown = self.model.rowCount()
        self.counts.setText(f"{len(s.checks)} programs: {len(yes)} eligible, {len(no)} marked ✗ not eligible"
                            + (f"; {shown} match the search" if self.model.search else ""))

    def _filter(self, **kw) -> None:
        self.model.set_filter(**kw)
        self._counts()
        self._show_details()

    def _settings(self) -> None:
        st = self.season.settings if self.season else {}
        zone = st.get("home_tz")
        usce = st.get("usce_months")
        blocks = st.get("blocked") or []
        lines = [f"Time zone: {zone}" if zone else "Time zone: not set (each program's own day)",
                 "US clinical experience: " + ("not recorded" if usce is None else
                                               f"{usce} month{'s' if usce != 1 else ''}")]
        if blocks:
            shown = [block_text(b) for b in blocks[:3]]
            more = f" and {len(blocks) - 3} more" if len(blocks) > 3 else ""
            lines.append("Blocked: " + "; ".join(shown) + more)
        else:
            lines.append("Blocked days: none")
        self.settings_label.setText("\n".join(lines))
        self.settings_label.setToolTip("\n".join(block_text(b) for b in blocks) if len(blocks) > 3 else "")

    def _signals(self) -> None:
        s = self.season
        if s is None or s.applicant.match_year is None:
            self.signal_label.setText("Set your Match year to count signals against the season's numbers.")
            self.signal_label.setToolTip("")
            return
        if not s.signals:
            self.signal_label.setText("Add programs (with their specialty) to count your signals.")
            self.signal_label.setToolTip("")
            return
        rows, tips = [], []
        for u in s.signals:
            line = html.escape(u.text())
            if u.over:
                rows.append(f"<span style='color:{theme.error_color()}'>⚠ {line}</span>")
            elif u.limit is None:
                rows.append(f"<i style='color:{theme.muted_color()}'>{line}</i>")
            else:
                rows.append(line)
            name = _SPECIALTY.get(u.specialty, u.specialty)
            if u.limit is not None:
                tips.append(f"{name}: AAMC program signaling, {u.as_of}")
            elif u.earlier:
                tips.append(f"{name}: not published for the {u.season} season; for comparison only, "
                            f"{u.earlier_text()}")
        self.signal_label.setText("<br>".join(rows))
        self.signal_label.setToolTip("\n".join(tips))

    def _fees(self) -> None:
        s = self.season
        fc = s.fees if s else None
        if fc is None:
            self.fee_label.setText("No forecast without a Match year.")
            self.plan_button.setEnabled(False)
            return
        rows = []
        for ln in fc.lines:
            mark = (f" <i style='color:{theme.muted_color()}'>(uses an older season's fee, as of "
                    f"{html.escape(ln.as_of)}; the {fc.match_year} fee is not published yet)</i>"
                    if ln.latest_known else "")
            rows.append(f"{html.escape(ln.label)}{mark}")
        for rid in fc.missing:
            rows.append(f"<i>No fee record for {html.escape(rid)}: not in the total.</i>")
        total = ", ".join(format_amount(v, c) for c, v in fc.totals().items())
        rows.append(f"<b>Total: {html.escape(total or '0')}</b>")
        self.fee_label.setText("<br>".join(rows))
        self.plan_button.setEnabled(bool(fc.lines))

    def _rank(self) -> None:
        s = self.season
        self.rank.blockSignals(True)
        self.rank.model().blockSignals(True)
        self.rank.clear()
        for i, p in enumerate(s.ranked, 1):
            it = QListWidgetItem(f"{i}. {p.name}" + (f" ({_SPECIALTY.get(p.get('specialty'), p.get('specialty'))})"
                                                  if p.get("specialty") else ""))
            it.setData(Qt.ItemDataRole.UserRole, p.id)
            self.rank.addItem(it)
        self.rank.model().blockSignals(False)
        self.rank.blockSignals(False)
        rc = s.rank_count
        parts = [f"{rc.count} ranked"]
        if rc.included is not None:
            parts.append(f"the NRMP registration fee covers {rc.included} programs"  # not "20 included in …"
                         + (f", {rc.extra} over that (a fee for each)" if rc.extra else ""))
        if rc.max_ranks is not None:
            parts.append(f"NRMP's limit is {rc.max_ranks}" + (": over the limit!" if rc.over_max else ""))
        if rc.latest_known:
            parts.append("these figures are from an earlier season's NRMP record")
        self.rank_count.setText("; ".join(parts) + ".")
        for b in (self.csv_button, self.pdf_button):
            b.setEnabled(bool(s.ranked))

    # writing
    def _changed(self, status: str) -> None:
        self.host.refresh()  # one re-evaluation; this panel follows journey_changed
        self.host.show_status(status)

    def _selected(self) -> ProgramCheck | None:
        idx = self.view.currentIndex()
        return self.model.check(idx.row()) if idx.isValid() else None

    def add_program(self) -> None:
        dlg = ProgramDialog(self, today=self.session.today)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self._save(None, dlg.values())

    def edit_program(self) -> None:
        c = self._selected()
        if c is None:
            return
        dlg = ProgramDialog(self, dict(c.program.data), today=self.session.today)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self._save(c.program.id, dlg.values(), c.program.data)

    def _save(self, program_id: int | None, values: dict[str, Any], before=None) -> None:
        ps = ProgramStore(self.session.store)
        try:
            if program_id is None:
                ps.add(self.session.profile_id, values)
            else:
                changes = dict(values)
                for k in before or {}:
                    if k not in changes:
                        changes[k] = None  # a field emptied in the form
                ps.update(program_id, changes)
        except (ValidationError, ValueError) as e:
            QMessageBox.warning(self, TITLE, f"The program was not saved: {e}")
            return
        self._changed(f"Saved {values.get('name', 'the program')}.")

    def delete_program(self) -> None:
        c = self._selected()
        if c is None:
            return
        if QMessageBox.question(self, TITLE, f"Delete {c.program.name} and its application status?") \
                != QMessageBox.StandardButton.Yes:
            return
        ProgramStore(self.session.store).delete(c.program.id)
        self._changed(f"Deleted {c.program.name}.")

    def move_rank(self, program_id: int, position: int) -> None:
        ProgramStore(self.session.store).move_rank(self.session.profile_id, program_id, position)
        self.host.refresh()
        for i in range(self.rank.count()):
            if self.rank.item(i).data(Qt.ItemDataRole.UserRole) == program_id:
                self.rank.setCurrentRow(i)

    def edit_settings(self) -> None:
        pid = self.session.profile_id
        if pid is None:
            return
        ps = ProgramStore(self.session.store)
        dlg = SettingsDialog(self, ps.settings(pid), self.session.today)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        try:
            ps.save_settings(pid, dlg.values())  # one transaction
        except (ValidationError, ValueError) as e:
            QMessageBox.warning(self, TITLE, f"The settings were not saved: {e}")
            return
        self._changed("Saved your season settings.")

    def add_planned_costs(self) -> None:
        if self.season is None or self.season.fees is None:
            return
        ids = add_planned(Ledger(self.session.store), self.session.profile_id, self.season.fees)
        self._changed(f"{len(ids)} planned costs added to the ledger." if ids
                      else "These costs are in the ledger already.")

    def import_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _f = QFileDialog.getOpenFileName(self, "Import programs", "", "CSV files (*.csv);;All files (*)")
            if not path:
                return
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            QMessageBox.warning(self, TITLE, f"The file could not be read: {e.strerror or e}")
            return
        dlg = ImportDialog(self, self.session.store, self.session.profile_id, data, self.session.today)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self._changed(dlg.result_text or "Programs imported.")

    def export_rank(self, kind: str, path: str | None = None) -> None:
        s = self.season
        if s is None or not s.ranked:
            return
        if path is None:
            filt = "CSV files (*.csv)" if kind == "csv" else "PDF files (*.pdf)"
            path, _f = QFileDialog.getSaveFileName(self, "Export the rank order list", f"rank-list.{kind}", filt)
            if not path:
                return
        name = (self.host.journeys.doc or {}).get("name", "")
        try:
            if kind == "csv":
                Path(path).write_text(rank_list_csv(list(s.ranked)), encoding="utf-8", newline="")
            else:
                from .report import html_to_pdf, write_pdf

                doc = rank_list_document(list(s.ranked), s.rank_count, name, s.today)
                body = "<h1>Draft rank order list</h1><pre>" + html.escape(rank_list_text(doc)) + "</pre>"
                write_pdf(path, html_to_pdf(body, "Rank order list"))
        except OSError as e:
            QMessageBox.warning(self, TITLE, f"The file could not be written: {e.strerror or e}")
            return
        self.host.show_status(f"Rank order list written to {path}.")


def attach(window):
    """Add the Application season panel; built the first time its tab is shown."""
    lazy: dict[str, RefreshWhenShown] = {}

    def build() -> SeasonPanel:
        panel = SeasonPanel(window)
        lazy["refresh"] = RefreshWhenShown(panel, panel.refresh)
        panel.refresh()
        return panel

    def refresh(*_a) -> None:
        if "refresh" in lazy:
            lazy["refresh"]()

    action = window.add_panel(TITLE, build, "Ctrl+Shift+A")
    window.journeys.journey_changed.connect(refresh)
    return action
