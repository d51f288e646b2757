"""A form built from a step's FieldSpecs, with each problem shown beside its own field.

The form only turns widgets into values and back. Whether a value is acceptable is decided by
`core.engine.check_step`; the form shows the `Problem`s it gets back under the field each one
names (`attempts[1].score` goes to the score of the second attempt). Text that cannot even be
read as a number or a date gets a local problem of the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core import choice_notes
from core.engine.base import FieldSpec
from core.validate import Problem, parse_date

from . import theme
from .date_edit import DateEdit, date_field

_PATH = re.compile(r"^([A-Za-z0-9_]+)(?:\[(\d+)\](?:\.([A-Za-z0-9_]+))?)?$")


def split_path(path: str) -> tuple[str, int | None, str | None]:
    """`attempts[1].score` -> ("attempts", 1, "score"); `issue_date` -> ("issue_date", None, None)."""
    m = _PATH.match(path)
    if not m:
        return path, None, None
    return m.group(1), (int(m.group(2)) if m.group(2) is not None else None), m.group(3)


class ErrorLabel(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setObjectName("fieldError")
        self.hide()

    def show_message(self, message: str | None) -> None:
        if message:
            self.setStyleSheet(f"color: {theme.error_color()};")
            self.setText(f"⚠ {message}")
            self.show()
        else:
            self.clear()
            self.hide()


class SearchCombo(QComboBox):
    """A choice box where typing searches the labels, spaces included: "New York" picks New York
    (a plain QComboBox opens its list on the space and picks New Hampshire). Typing within a
    second extends the search; the first label that starts with it (else contains it) is chosen."""

    def __init__(self) -> None:
        super().__init__()
        self._typed = ""
        self._last = 0.0

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        import time

        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if text and text.isprintable() and not mods:
            now = time.monotonic()
            if now - self._last > 1.0:
                self._typed = ""
            if text == " " and not self._typed:
                super().keyPressEvent(event)  # a space alone opens the list, as before
                return
            self._last = now
            self._typed += text
            want = self._typed.casefold()
            labels = [self.itemText(i).casefold() for i in range(self.count())]
            hit = next((i for i, t in enumerate(labels) if t.startswith(want)), None)
            if hit is None:
                hit = next((i for i, t in enumerate(labels) if want in t), None)
            if hit is not None:
                self.setCurrentIndex(hit)
            event.accept()
            return
        super().keyPressEvent(event)


class FieldEditor:
    """One input for one FieldSpec (not records) and the error label beside it."""

    def __init__(self, spec: FieldSpec, on_change) -> None:
        self.spec = spec
        k = spec.kind
        name = spec.label + (" (required)" if spec.required else "")
        w: SearchCombo | QLineEdit  # a DateEdit is a QLineEdit
        if k in ("bool", "choice"):
            combo = SearchCombo()
            if k == "bool":
                combo.addItem("— not answered —", None)
                combo.addItem("Yes", True)
                combo.addItem("No", False)
            else:
                combo.addItem("— choose —", None)
                for value, label in spec.choices:
                    combo.addItem(label, value)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
            combo.currentIndexChanged.connect(lambda *_: on_change())
            w = combo
        else:
            line = DateEdit() if k == "date" else QLineEdit()
            if k == "int":
                line.setPlaceholderText(_range_hint(spec, "whole number"))
            elif k == "float":
                line.setPlaceholderText(_range_hint(spec, "number"))
            line.textChanged.connect(lambda *_: on_change())
            w = line
        w.setObjectName(f"field_{spec.key}")
        w.setAccessibleName(name)
        if spec.help:
            w.setToolTip(spec.help)
            w.setAccessibleDescription(spec.help)
        w.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.widget = w
        # what a layout holds: a date's editor with the date in the user's locale beside it
        self.container: QWidget = date_field(w) if isinstance(w, DateEdit) else w
        self.note: QLabel | None = None
        if isinstance(w, QComboBox) and k == "choice" and choice_notes.has_notes(spec.key):
            self.container = self._with_notes(w)
        self.error = ErrorLabel()

    def _with_notes(self, combo: QComboBox) -> QWidget:
        """The choice box with each item's one-line description as its tooltip, and the chosen
        one's in a line under the box (core/choice_notes.py)."""
        for i in range(combo.count()):
            n = choice_notes.note(self.spec.key, combo.itemData(i))
            if n:
                combo.setItemData(i, n, Qt.ItemDataRole.ToolTipRole)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(combo)
        self.note = _NoteLabel()
        self.note.setObjectName(f"note_{self.spec.key}")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note.setStyleSheet(f"color: {theme.muted_color()};")
        lay.addWidget(self.note)
        combo.currentIndexChanged.connect(lambda *_: self._show_note())
        self._show_note()
        return box

    def _show_note(self) -> None:
        if self.note is None or not isinstance(self.widget, QComboBox):
            return
        n = choice_notes.note(self.spec.key, self.widget.currentData()) or ""
        self.note.setText(n)
        self.note.setVisible(bool(n))
        if not self.widget.property("invalid"):
            self.widget.setAccessibleDescription(" ".join(x for x in (n, self.spec.help) if x))

    # -- values ---------------------------------------------------------------------------------
    def value(self, path: str) -> tuple[Any, Problem | None]:
        k, w = self.spec.kind, self.widget
        if isinstance(w, QComboBox):
            return w.currentData(), None
        text = w.text().strip()
        if not text:
            return None, None
        if k == "text":
            return text, None
        if k == "date":
            try:
                return parse_date(text).isoformat(), None  # type: ignore[union-attr]
            except ValueError:
                return text, None  # check_step explains what is wrong with it
        try:
            if k == "int":
                return int(text.replace(",", "")), None
            num = float(text.replace(",", "."))
            return (int(num) if num.is_integer() else num), None
        except ValueError:
            what = "a whole number" if k == "int" else "a number"
            return None, Problem(path, f"{self.spec.label} must be {what} (you typed “{text}”)")

    def set_value(self, value: Any) -> None:
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, QComboBox):
                i = w.findData(value) if value is not None else 0
                w.setCurrentIndex(max(0, i))
            else:
                w.setText("" if value is None else _fmt(value))
        finally:
            w.blockSignals(False)
        self._show_note()

    def set_problem(self, message: str | None) -> None:
        self.error.show_message(message)
        self.widget.setAccessibleDescription(message or self.spec.help)
        self.widget.setProperty("invalid", bool(message))


class _NoteLabel(theme.WrapLabel):
    """The line under a choice: as tall as its text at its own width. It does not offer a
    height-for-width to the form: QFormLayout asks it at another width (the row's, not the field
    column's) and a two-line note was cut to one when the choice changed."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return False

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt name)
        # the lines the text is drawn in at this width (QLabel's own answer had a line too many
        # under a style sheet, leaving a gap before the field's help)
        if not self.text():
            return 0
        m = self.contentsMargins()
        rect = self.fontMetrics().boundingRect(0, 0, max(1, width - m.left() - m.right()), 100000,
                                               int(Qt.TextFlag.TextWordWrap), self.text())
        return rect.height() + m.top() + m.bottom()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt name)
        # as tall as the text at the width it has (QLabel guesses a narrower width, and the form
        # gave a one-line note the height of three)
        hint = super().sizeHint()
        if self.width() > 0:
            hint.setHeight(self.heightForWidth(self.width()))
        return hint


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _range_hint(spec: FieldSpec, what: str) -> str:
    if spec.minimum is not None and spec.maximum is not None:
        return f"{_fmt(spec.minimum)}–{_fmt(spec.maximum)}"
    return what


def _cell(editor: FieldEditor, label: str) -> QWidget:
    """The input with its error message right under it (the message stays beside its field)."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    if label:
        lab = QLabel(label)
        lab.setBuddy(editor.widget)
        lay.addWidget(lab)
    lay.addWidget(editor.container)
    lay.addWidget(editor.error)
    return box


class RecordRow(QFrame):
    def __init__(self, spec: FieldSpec, number: int, on_change, on_remove) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.editors: dict[str, FieldEditor] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setFont(theme.heading_font(self, 1.0))
        top.addWidget(self.title)
        top.addStretch(1)
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName(f"Remove {spec.label} entry {number}")
        self.remove.clicked.connect(lambda: on_remove(self))
        top.addWidget(self.remove)
        outer.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        per_line = 3
        for i, sub in enumerate(spec.fields):
            ed = FieldEditor(sub, on_change)
            ed.widget.setAccessibleName(f"{spec.label} {number}: {sub.label}" + (" (required)" if sub.required else ""))
            self.editors[sub.key] = ed
            grid.addWidget(_cell(ed, sub.label + (" *" if sub.required else "")), i // per_line, i % per_line,
                           Qt.AlignmentFlag.AlignTop)
        for c in range(per_line):
            grid.setColumnStretch(c, 1)
        outer.addLayout(grid)
        self.set_number(number, spec)

    def set_number(self, number: int, spec: FieldSpec) -> None:
        self.title.setText(f"{_singular(spec.label)} {number}")

    def first_widget(self) -> QWidget | None:
        return next((e.widget for e in self.editors.values()), None)


def _singular(label: str) -> str:
    low = label.lower()
    for plural, one in (("attempts", "Attempt"), ("sittings", "Sitting"), ("documents", "Document"),
                        ("past cards", "Past card")):
        if low.startswith(plural) or low.endswith(plural):
            return one
    return label.rstrip("s")


class RecordsEditor(QWidget):
    """A repeatable sub-form: exam attempts, OET sittings, ERAS documents, past cards."""

    def __init__(self, spec: FieldSpec, on_change) -> None:
        super().__init__()
        self.spec = spec
        self._on_change = on_change
        self.rows: list[RecordRow] = []
        self.setObjectName(f"field_{spec.key}")
        self.setAccessibleName(spec.label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.rows_box = QVBoxLayout()
        lay.addLayout(self.rows_box)
        self.empty = QLabel("None recorded yet.")
        self.empty.setStyleSheet(f"color: {theme.muted_color()};")
        lay.addWidget(self.empty)
        self.add_button = QPushButton(f"Add {_singular(spec.label).lower()}")
        self.add_button.setObjectName(f"add_{spec.key}")
        self.add_button.setAccessibleName(f"Add {_singular(spec.label).lower()}")
        self.add_button.clicked.connect(self._add_clicked)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        lay.addLayout(row)
        self.error = ErrorLabel()
        lay.addWidget(self.error)

    def _add_clicked(self) -> None:
        row = self.add_row()
        w = row.first_widget()
        if w is not None:
            w.setFocus()
        self._on_change()

    def add_row(self) -> RecordRow:
        row = RecordRow(self.spec, len(self.rows) + 1, self._on_change, self.remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        self.empty.setVisible(False)
        return row

    def remove_row(self, row: RecordRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for i, r in enumerate(self.rows):
            r.set_number(i + 1, self.spec)
        self.empty.setVisible(not self.rows)
        self.add_button.setFocus()
        self._on_change()

    def value(self) -> tuple[list[dict[str, Any]] | None, list[Problem]]:
        out, problems = [], []
        index = 0
        for row in self.rows:
            rec: dict[str, Any] = {}
            for key, ed in row.editors.items():
                v, p = ed.value(f"{self.spec.key}[{index}].{key}")
                if p:
                    problems.append(p)
                elif v is not None:
                    rec[key] = v
            if rec or any(p.field.startswith(f"{self.spec.key}[{index}].") for p in problems):
                out.append(rec)
                index += 1
        return (out or None), problems

    def set_value(self, value: Any) -> None:
        for row in list(self.rows):
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        for rec in value if isinstance(value, list) else []:
            row = self.add_row()
            for key, ed in row.editors.items():
                ed.set_value(rec.get(key) if isinstance(rec, Mapping) else None)
        self.empty.setVisible(not self.rows)

    def _filled_rows(self) -> list[RecordRow]:
        """Rows in the order their values are numbered (empty rows are skipped by value())."""
        out = []
        for row in self.rows:
            if any(ed.value("")[0] is not None or ed.value("")[1] for ed in row.editors.values()):
                out.append(row)
        return out

    def clear_problems(self) -> None:
        self.error.show_message(None)
        for row in self.rows:
            for ed in row.editors.values():
                ed.set_problem(None)

    def show_problem(self, index: int | None, sub: str | None, message: str) -> bool:
        if index is None or sub is None:
            self.error.show_message(message)
            return True
        rows = self._filled_rows()
        if 0 <= index < len(rows) and sub in rows[index].editors:
            ed = rows[index].editors[sub]
            ed.set_problem(message if ed.error.isHidden() else ed.error.text()[2:] + "; " + message)
            return True
        self.error.show_message(message)
        return True


class StepForm(QWidget):
    """The inputs for a tuple of FieldSpecs; `changed` fires on every edit."""

    changed = Signal()

    def __init__(self, fields: tuple[FieldSpec, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = fields
        self.editors: dict[str, FieldEditor] = {}
        self.records: dict[str, RecordsEditor] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.general_error = ErrorLabel()
        lay.addWidget(self.general_error)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        lay.addLayout(form)
        self.form = form
        emit = self.changed.emit
        for spec in fields:
            text = spec.label + (" *" if spec.required else "") + ":"
            if spec.kind == "records":
                ed = RecordsEditor(spec, emit)
                self.records[spec.key] = ed
                lab = QLabel(text)
                lab.setBuddy(ed.add_button)
                # the entries span the form: beside a short label ("Documents:") the three inputs of
                # an entry shared the field column and a date showed as '08-20'
                form.addRow(lab)
                form.addRow(ed)
            else:
                fe = FieldEditor(spec, emit)
                self.editors[spec.key] = fe
                lab = QLabel(text)
                lab.setBuddy(fe.widget)
                box = QWidget()
                bl = QVBoxLayout(box)
                bl.setContentsMargins(0, 0, 0, 0)
                bl.setSpacing(2)
                bl.addWidget(fe.container)
                if spec.help:  # as tall as its text (a plain QLabel lost its last line in the form)
                    h = theme.WrapLabel(spec.help)
                    h.setWordWrap(True)
                    h.setStyleSheet(f"color: {theme.muted_color()};")
                    bl.addWidget(h)
                bl.addWidget(fe.error)
                form.addRow(lab, box)

    def labels(self) -> list[QLabel]:
        out: list[QLabel] = []
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            lab = item.widget() if item is not None else None
            if isinstance(lab, QLabel):
                out.append(lab)
        return out

    @staticmethod
    def align(*forms: StepForm) -> None:
        """Give several forms shown one above the other the same label column."""
        labels = [lab for f in forms for lab in f.labels()]
        width = max((lab.sizeHint().width() for lab in labels), default=0)
        for lab in labels:
            lab.setMinimumWidth(width)

    # -- values ---------------------------------------------------------------------------------
    def data(self) -> tuple[dict[str, Any], list[Problem]]:
        """The values entered (empty ones left out) and the text that could not be read."""
        out: dict[str, Any] = {}
        problems: list[Problem] = []
        for spec in self.fields:
            if spec.kind == "records":
                v, ps = self.records[spec.key].value()
                problems += ps
            else:
                v, p = self.editors[spec.key].value(spec.key)
                if p:
                    problems.append(p)
            if v is not None:
                out[spec.key] = v
        return out, problems

    def set_data(self, data: Mapping[str, Any]) -> None:
        self.blockSignals(True)
        try:
            for spec in self.fields:
                v = data.get(spec.key, spec.default if spec.default is not None else None)
                if spec.kind == "records":
                    self.records[spec.key].set_value(v)
                else:
                    self.editors[spec.key].set_value(v)
        finally:
            self.blockSignals(False)

    def show_problems(self, problems: list[Problem]) -> None:
        """Each problem beside the field it names; the rest above the form."""
        self.general_error.show_message(None)
        for ed in self.editors.values():
            ed.set_problem(None)
        for rec in self.records.values():
            rec.clear_problems()
        general = []
        for p in problems:
            key, index, sub = split_path(p.field)
            if key in self.editors and index is None:
                ed = self.editors[key]
                msg = p.text()  # a check's finding, worded by the catalogue (core/wording.py)
                if not msg.lower().startswith(ed.spec.label.lower()) and key in p.field:
                    msg = f"{ed.spec.label}: {msg}"
                ed.set_problem(msg if ed.error.isHidden() else f"{ed.error.text()[2:]}; {msg}")
            elif key in self.records:
                self.records[key].show_problem(index, sub, p.text())
            else:
                general.append(p.text() if p.field in ("", None) else f"{p.field}: {p.text()}")
        self.general_error.show_message("\n".join(general) if general else None)

    def first_widget(self) -> QWidget | None:
        for spec in self.fields:
            if spec.kind == "records":
                return self.records[spec.key].add_button
            return self.editors[spec.key].widget
        return None

    def editor(self, key: str) -> QWidget:
        """The input for `key` (tests, focus): a line edit, a combo box or a records editor."""
        return self.records[key] if key in self.records else self.editors[key].widget
