"""A step's page: what it is, the rules behind it, the user's facts and the live status.

The page is a thin view. The fields come from the step's FieldSpecs, the problems from
`core.engine.check_step`, the status from `core.engine.evaluate` on the profile document with
the facts as typed (so the user sees the effect before saving). The same page is used in the
main window (with Save and Revert) and inside the walkthrough wizard (where Next saves).
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import math
import re
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.engine import check_step, evaluate, get_track, is_track, step_def, track_fields, track_title
from core.engine.base import StepResult
from core.engine.findings import shown_warnings
from core.journey_view import action_mark, at_risk_line, date_line, step_title
from core.rules import Rule, RuleNotFound, load_rules, overdue_when_passed
from core.validate import Problem
from core.wording import dates_in, quantity, relative_words

from . import licence_compare, theme
from .dates_display import show_date
from .journey_service import JourneyService
from .session import Session
from .step_form import StepForm


def describe_value(rule: Rule) -> str:
    v = rule.value
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):  # "1 year", "2 years": the catalogue's plural forms
        return quantity(v, rule.unit)
    if isinstance(v, str):
        return f"{v}{(' ' + rule.unit) if rule.unit else ''}"
    return ""


def format_value(value: Any) -> str:
    """A rule value as a user types it back: yes/no, a number, text, or JSON for a table."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def parse_value(text: str, published: Any = None) -> Any:
    """What a user typed as their own rule value. Numbers stay numbers, yes/no and true/false are
    booleans, JSON (a quoted text, a list, a table) is read as JSON and anything else is text.
    Raises ValueError with a sentence for the user."""
    t = text.strip()
    if not t:
        raise ValueError("Type a value (a number, yes/no or text).")
    low = t.lower()
    if low in ("null", "none"):
        raise ValueError("Type a value; to go back to the published value use Remove my value.")
    if low in ("yes", "true", "no", "false"):
        value: Any = low in ("yes", "true")
    else:
        try:
            value = json.loads(t)
        except ValueError:
            if t[:1] in "[{":
                raise ValueError("This looks like a list or table but is not valid JSON.") from None
            value = t
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Type a finite number.")
    if isinstance(published, dict | list) and not isinstance(value, type(published)):
        kind = "a table (JSON object)" if isinstance(published, dict) else "a list (JSON array)"
        raise ValueError(f"The published value is {kind}; type yours in the same shape, e.g. "
                         f"{format_value(published)[:80]}")
    if isinstance(published, bool) and not isinstance(value, bool):
        raise ValueError(f"The published value is yes or no ({format_value(published)}); type yes or no.")
    if (isinstance(published, int | float) and not isinstance(published, bool)
            and (isinstance(value, bool) or not isinstance(value, int | float))):
        raise ValueError(f"The published value is a number ({format_value(published)}); type a number, "
                         "e.g. 3 or 7.5.")
    if isinstance(value, dict | list) and not isinstance(published, dict | list):
        raise ValueError("Type a single value (a number, yes/no or text), not a list or table.")
    return value


_BREAK_AFTER = re.compile(r"([./_\-])")


def breakable(text: str) -> str:
    """Escaped text whose long identifiers and addresses may wrap after . / _ - (a zero-width space),
    so a narrow column wraps them instead of being pushed wider than the window."""
    return _BREAK_AFTER.sub("\\1\u200b", html.escape(text))


def rule_html(rule: Rule, published: str = "") -> str:
    """One rule record as rich text: statement, value, sources, checked date, confidence.
    `published` is the published value, said beside a user's own value."""
    esc = html.escape
    fg, bg = theme.badge_colors(rule.confidence)
    conf = theme.CONFIDENCE_TEXT.get(rule.confidence, rule.confidence)
    parts = [f"<b>{esc(rule.statement)}</b>"]
    val = describe_value(rule)
    if rule.is_override:
        ofg, obg = theme.badge_colors("override")
        ov = rule.override or {}
        note = str(ov.get("note") or "")
        noted = f" (noted {esc(dates_in(str(ov['date'])))})" if ov.get("date") else ""
        parts.append(f"<span style='color:{ofg}; background:{obg};'>&nbsp;Your value{noted}: "
                     f"{esc(format_value(rule.value))}&nbsp;</span>"
                     + (f" {esc(note)}" if note else "")
                     + "<br><i>You entered this; CertPath uses it instead of the published value"
                     + (f" ({esc(published)})" if published else "") + ".</i>")
    elif val:
        parts.append(f"Value: {esc(val)}")
    meta = (f"<span style='color:{fg}; background:{bg};'>&nbsp;{esc(conf)}&nbsp;</span>"
            f" &nbsp;Checked {show_date(rule.checked)}")
    if rule.as_of and not rule.projected and rule.as_of.lower() not in ("projected", "undated"):
        meta += f" &nbsp;(source dated {esc(dates_in(rule.as_of))})"  # its ISO dates as the GUI shows dates
    elif rule.as_of and rule.as_of.lower() == "undated":
        meta += " &nbsp;(the source shows no date)"
    if rule.projected:
        meta += " &nbsp;<i>projected from the usual pattern, not published</i>"
    parts.append(meta)
    if rule.conflict:
        parts.append(f"<i>Sources differ: {esc(rule.conflict)}</i>")
    links = " · ".join(f"<a href='{esc(u)}'>{breakable(_short_url(u))}</a>" for u in rule.urls)
    parts.append(f"Source: {links}")
    parts.append(f"<span style='color:{theme.muted_color()};'>{breakable(rule.id)}</span>")
    return "<br>".join(parts)


def _short_url(url: str) -> str:
    u = url.split("://", 1)[-1]
    return u if len(u) <= 60 else u[:57] + "…"


class _EnterLineEdit(QLineEdit):
    """A line edit that keeps Enter to itself: in the walkthrough a bubbling Enter would also press
    the wizard's "Save and next"."""

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class RuleCard(QFrame):
    """A rule record on a step page, with "Use my own value…": an inline editor (value and a note:
    who told you, when) that stores the user's value for this profile, or removes it. Errors show
    beside the field; nothing here opens a modal box."""

    changed = Signal(str)  # the rule id whose override was set or removed

    def __init__(self, session: Session, rule: Rule, published: Rule | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.rule = rule
        self.published = published
        self.setObjectName(f"rule_{rule.id}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(4)
        pub = format_value(published.value) if (rule.is_override and published is not None
                                                 and published.value is not None) else ""
        self.label = _wrap(rule_html(rule, pub), rich=True)
        self.label.setObjectName(f"rule_text_{rule.id}")
        self.label.setMinimumWidth(60)
        lay.addWidget(self.label)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.own_button = QPushButton("Change my value…" if rule.is_override else "Use my own value…")
        self.own_button.setObjectName("ownValueButton")
        self.own_button.setAccessibleName(f"Use my own value for {rule.id}")
        self.own_button.setToolTip("Record a value you were told (by the board, ECFMG, your training "
                                   "center) for this rule; CertPath then uses yours for this profile.")
        self.own_button.clicked.connect(self.open_editor)
        bar.addWidget(self.own_button)
        self.remove_button = QPushButton("Remove my value")
        self.remove_button.setObjectName("removeOwnValueButton")
        self.remove_button.setAccessibleName(f"Remove my value for {rule.id}")
        self.remove_button.setVisible(rule.is_override)
        self.remove_button.clicked.connect(self.remove_value)
        bar.addWidget(self.remove_button)
        bar.addStretch(1)
        lay.addLayout(bar)

        self.editor = QWidget()
        self.editor.setObjectName("ownValueEditor")
        form = QFormLayout(self.editor)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.value_edit = _EnterLineEdit()
        self.value_edit.setObjectName("ownValue")
        self.value_edit.setAccessibleName(f"Your value for {rule.id}")
        self.value_edit.setPlaceholderText("a number, yes/no or text")
        self.note_edit = _EnterLineEdit()
        self.note_edit.setObjectName("ownValueNote")
        self.note_edit.setAccessibleName(f"Note for your value for {rule.id}")
        self.note_edit.setPlaceholderText("who told you and when, e.g. called the board on 2026-11-20")
        form.addRow("&Your value:", self.value_edit)
        form.addRow("&Note:", self.note_edit)
        self.error = QLabel()
        self.error.setObjectName("ownValueError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.error_color()};")
        self.error.setVisible(False)
        form.addRow(self.error)
        btns = QHBoxLayout()
        self.use_button = QPushButton("Use this value")
        self.use_button.setObjectName("ownValueSave")
        self.use_button.clicked.connect(self.save_value)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("ownValueCancel")
        self.cancel_button.clicked.connect(self.close_editor)
        btns.addWidget(self.use_button)
        btns.addWidget(self.cancel_button)
        btns.addStretch(1)
        form.addRow(btns)
        self.value_edit.returnPressed.connect(self.save_value)
        self.note_edit.returnPressed.connect(self.save_value)
        self.value_edit.textEdited.connect(lambda _t: self.error.setVisible(False))
        self.editor.setVisible(False)
        lay.addWidget(self.editor)

    def open_editor(self) -> None:
        ov = self.rule.override or {}
        self.value_edit.setText(format_value(self.rule.value) if self.rule.value is not None else "")
        self.note_edit.setText(str(ov.get("note") or ""))
        self.error.setVisible(False)
        self.editor.setVisible(True)
        self.own_button.setEnabled(False)
        self.value_edit.setFocus()
        self.value_edit.selectAll()

    def close_editor(self) -> None:
        self.editor.setVisible(False)
        self.error.setVisible(False)
        self.own_button.setEnabled(True)
        self.own_button.setFocus()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def save_value(self) -> bool:
        pid = self.session.profile_id
        if pid is None:
            self._say("Choose or create a profile first.")
            return False
        base = self.published.value if self.published is not None else None
        try:
            value = parse_value(self.value_edit.text(), base)
        except ValueError as e:
            self._say(str(e))
            self.value_edit.setFocus()
            return False
        try:
            self.session.store.set_override(pid, self.rule.id, value, self.note_edit.text().strip())
        except Exception as e:  # a locked or full disk: say it here, keep the typing
            self._say(f"Could not save your value: {e}")
            return False
        self.editor.setVisible(False)
        self.changed.emit(self.rule.id)
        return True

    def remove_value(self) -> bool:
        pid = self.session.profile_id
        if pid is None:
            return False
        try:
            self.session.store.remove_override(pid, self.rule.id)
        except Exception as e:
            self._say(f"Could not remove your value: {e}")
            return False
        self.changed.emit(self.rule.id)
        return True


def _section(title: str) -> QLabel:
    lab = QLabel(title)
    lab.setFont(theme.heading_font(lab, 1.1))
    lab.setAccessibleName(title)
    return lab


def _wrap(text: str = "", rich: bool = False) -> QLabel:
    lab = theme.WrapLabel(text)
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    lab.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    lab.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction if rich
                                else Qt.TextInteractionFlag.TextSelectableByMouse)
    if rich:
        lab.setOpenExternalLinks(True)
    return lab


def _scroll(widget: QWidget) -> QScrollArea:
    sc = QScrollArea()
    sc.setWidgetResizable(True)
    sc.setFrameShape(QFrame.Shape.NoFrame)
    sc.setWidget(widget)
    sc.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return sc


class StepPage(QWidget):
    """`key` is a step id (`usmle.step1`) or a track id (`img`: the track-level facts)."""

    validity_changed = Signal(bool)
    saved = Signal(str)
    open_step = Signal(str)  # the user followed a link to another step
    overrides_changed = Signal(str)  # a rule id: the user set or removed their own value for it
    what_if = Signal(str)  # this page's key: try a change as a scenario (gui/whatif_ui.py)

    def __init__(self, session: Session, key: str, *, in_wizard: bool = False,
                 journeys: JourneyService | None = None, parent: QWidget | None = None) -> None:
        """`journeys`: the window's JourneyService; the page then shows the journey it holds and
        reads the saved profile from it (standalone, in the walkthrough, it reads and evaluates)."""
        super().__init__(parent)
        self.session = session
        self.journeys = journeys
        self.key = key
        self.in_wizard = in_wizard
        self.is_track = is_track(key)
        self.problems: list[Problem] = []
        self.result: StepResult | None = None
        self._valid = True
        self._loaded: dict[str, Any] = {}
        if self.is_track:
            self.title = f"Your facts: {track_title(key)}"
            self.description = get_track(key).description or "Facts that apply to the whole track."
            fields = track_fields(key)
            self.rule_ids: tuple[str, ...] = ()
            self.stage = track_title(key)
        else:
            sd = step_def(key)
            self.title, self.description, fields = sd.title, sd.description, sd.fields
            self.rule_ids = sd.rule_ids
            self.stage = sd.stage
        self.setObjectName(f"step_page_{key}")
        self._build(fields)
        self._timer = QTimer(self, singleShot=True, interval=120)
        self._timer.timeout.connect(self.recompute)
        self.form.changed.connect(self._on_changed)
        if journeys is not None and journeys.journey is not None and journeys.doc is not None:
            self.show_saved(journeys.doc, journeys.journey)
        else:
            self.load()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self, fields) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # header: title, stage, status (icon + words)
        head = QHBoxLayout()
        head.setContentsMargins(12, 8, 12, 4)
        titles = QVBoxLayout()
        self.stage_label = QLabel(self.stage)
        self.stage_label.setStyleSheet(f"color: {theme.muted_color()};")
        self.title_label = QLabel(self.title)
        self.title_label.setFont(theme.heading_font(self, 1.5))
        self.title_label.setWordWrap(True)
        titles.addWidget(self.stage_label)
        titles.addWidget(self.title_label)
        head.addLayout(titles, 1)
        self.status_icon = QLabel()
        self.status_badge = QLabel()
        self.status_badge.setObjectName("statusBadge")
        self.status_badge.setFont(theme.heading_font(self, 1.15))
        self.status_badge.setAccessibleName("Status")
        head.addWidget(self.status_icon)
        head.addWidget(self.status_badge)
        outer.addLayout(head)

        cols = QHBoxLayout()
        cols.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(cols, 1)
        # left: what it is, the form
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(12, 4, 12, 12)
        self.desc_label = _wrap(self.description)
        ll.addWidget(self.desc_label)
        ll.addSpacing(6)
        ll.addWidget(_section("Your facts"))
        # "marked * are required" only where a field (or a record's sub-field) is marked; the date
        # format only where a date is asked (a Rank order list page has neither)
        every = [g for f in fields for g in (f, *f.fields)]
        hint = ("Fields marked * are required. " if any(f.required for f in every) else "") + (
            "Dates as YYYY-MM-DD. " if any(f.kind == "date" for f in every) else "")
        hint += ("Next saves this page." if self.in_wizard else "Save with Ctrl+S.")
        self.hint_label = _wrap(hint)
        self.hint_label.setStyleSheet(f"color: {theme.muted_color()};")
        ll.addWidget(self.hint_label)
        self.form = StepForm(tuple(fields))
        ll.addWidget(self.form)
        if not self.in_wizard:
            bar = QHBoxLayout()
            self.save_button = QPushButton("&Save")
            self.save_button.setObjectName("saveButton")
            self.save_button.setToolTip("Save this step (Ctrl+S)")
            self.save_button.clicked.connect(self.save)
            self.revert_button = QPushButton("Re&vert")
            self.revert_button.setToolTip("Discard the changes you have not saved")
            self.revert_button.clicked.connect(self.load)
            bar.addWidget(self.save_button)
            bar.addWidget(self.revert_button)
            self.what_if_button = QPushButton("What &if…")
            self.what_if_button.setToolTip("Try a change on a copy of your profile first (nothing is saved)")
            self.what_if_button.clicked.connect(lambda: self.what_if.emit(self.key))
            bar.addWidget(self.what_if_button)
            self.save_state = QLabel()
            bar.addWidget(self.save_state, 1)
            ll.addLayout(bar)
        ll.addStretch(1)
        self.left_scroll = _scroll(left)
        # A record row (an attempt, a sitting) can need more than the column at 1024 px: scroll
        # sideways rather than cut its fields off.
        self.left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        cols.addWidget(self.left_scroll, 3)
        self._cols = cols

        # right: live status, next actions, the rules
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(12, 4, 12, 12)
        rl.addWidget(_section("Status now"))
        self.live_note = _wrap()
        self.live_note.setStyleSheet(f"color: {theme.muted_color()};")
        rl.addWidget(self.live_note)
        self.dates_label = _wrap()
        self.dates_label.setObjectName("stepDates")
        rl.addWidget(self.dates_label)
        self.reasons_label = _wrap(rich=True)
        self.reasons_label.linkActivated.connect(self._link)
        self.reasons_label.setOpenExternalLinks(False)
        rl.addWidget(self.reasons_label)
        self.compare = licence_compare.for_step(self.key)  # issue 13: the licence page's route comparison
        if self.compare is not None:
            rl.addWidget(self.compare)
        rl.addSpacing(6)
        rl.addWidget(_section("Next actions"))
        self.actions_label = _wrap(rich=True)
        self.actions_label.setObjectName("stepActions")
        rl.addWidget(self.actions_label)
        rl.addSpacing(6)
        self.rules_heading = _section("Rules that apply")
        rl.addWidget(self.rules_heading)
        self.rules_box = QVBoxLayout()
        rl.addLayout(self.rules_box)
        rl.addStretch(1)
        self.right_scroll = _scroll(right)
        cols.addWidget(self.right_scroll, 2)
        self._rule_labels: list[RuleCard] = []
        self._rules_shown: tuple[list[str], str] | None = None  # what the rule cards show (ids, overrides)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        # Narrow windows (1024 px): the form gets two thirds, the rules (which wrap) one third.
        narrow = self.width() < 780
        self._cols.setStretch(0, 2 if narrow else 3)
        self._cols.setStretch(1, 1 if narrow else 2)

    # -- data -----------------------------------------------------------------------------------
    def load(self) -> None:
        """Show the saved facts (Revert; a profile switch)."""
        pid = self.session.profile_id
        self._loaded = self.session.store.step_facts(pid, self.key) if pid is not None else {}
        self.form.set_data(self._loaded)
        self._baseline = self.form.data()[0]  # what the form shows unedited (defaults included)
        self.recompute()

    def data(self) -> dict[str, Any]:
        return self.form.data()[0]

    def is_valid(self) -> bool:
        return self._valid

    def is_dirty(self) -> bool:
        data, local = self.form.data()
        return bool(local) or data != getattr(self, "_baseline", {})

    def _on_changed(self) -> None:
        self._timer.start()

    def cancel_pending(self) -> None:
        """Drop a pending recompute (the page's window is closing)."""
        self._timer.stop()

    def check_now(self) -> None:
        """Check the typing now, without working out its status (before a save by the window,
        which evaluates the saved profile once and shows it)."""
        self._timer.stop()
        self.recompute(check_only=True)

    def flush(self) -> None:
        """Run a pending recompute now (before Next or Save)."""
        if self._timer.isActive():
            self._timer.stop()
        self.recompute()

    def _document(self) -> dict[str, Any]:
        if self.session.profile_id is None:
            return {"name": "", "role": "other", "tracks": [], "facts": {}, "overrides": {}}
        if self.journeys is not None:
            return self.journeys.document()
        return self.session.document()

    def show_saved(self, doc: dict[str, Any], journey) -> None:
        """Show the saved facts and their status from an evaluated `journey` of `doc` (the
        window's, after a change): nothing is read or evaluated again."""
        saved = dict((doc.get("facts") or {}).get(self.key) or {})
        if saved != self._loaded or self.is_dirty():  # unchanged facts: the form already shows them
            self._loaded = saved
            self.form.set_data(saved)
            self._baseline = self.form.data()[0]
        self.recompute(doc=doc, journey=journey)

    def recompute(self, doc: dict[str, Any] | None = None, journey=None, check_only: bool = False) -> None:
        """Check the form and show the status it gives. `journey` (of the saved `doc`) is used as
        it is when the form holds exactly what is saved; typing is evaluated as a trial.
        `check_only`: the checks alone (validity, problems beside the fields), no status."""
        data, local = self.form.data()
        try:
            doc = doc if doc is not None else self._document()
        except Exception as e:  # the data file went away (closed, locked): say so, no traceback
            self.live_note.setText(f"CertPath could not read your saved data ({type(e).__name__}).")
            return
        problems = list(local)
        if not problems:
            try:
                problems = list(check_step(self.key, data, doc, self.session.today))
            except Exception as e:  # a bug in a check must not reach the user as a traceback
                problems = [Problem("", f"CertPath could not check this page ({type(e).__name__}).")]
        self.problems = problems
        self.form.show_problems(problems)
        valid = not problems
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        self._valid = valid
        if check_only:
            return
        dirty = self.is_dirty()
        if journey is None or dirty or not valid:
            trial = copy.deepcopy(doc)
            if valid:
                trial.setdefault("facts", {})[self.key] = data
            try:
                journey = evaluate(trial, self.session.today)
            except Exception as e:
                self.live_note.setText(f"CertPath could not work out the status ({type(e).__name__}).")
                return
        if not valid:
            note = "Fix the marked fields: the status below is from what you saved."
        elif dirty:
            note = ("With what you typed (not saved yet)." if not self.in_wizard
                    else "With what you typed; Next saves it.")
        else:
            note = "From what you saved."
        self.live_note.setText(note)
        if not self.in_wizard:
            self.save_button.setEnabled(valid and dirty)
            self.revert_button.setEnabled(dirty)
            self.save_state.setText("" if not dirty else ("Not saved" if valid else "Not saved: fix the marked fields"))
        if self.is_track:
            self._show_track(journey)
        else:
            try:
                self.result = journey.step(self.key)
            except KeyError:
                self.result = None
            self._show_result(self.result)

    def _show_track(self, journey) -> None:
        t = next((t for t in journey.tracks if t.track == self.key), None)
        self._set_status(None)
        if t is None:
            self.dates_label.setText("This track is not on your profile.")
            self.reasons_label.setText("")
        else:
            done = sum(1 for s in t.steps if s.status == "done")
            self.dates_label.setText(f"{done} of {len(t.steps)} steps done.")
            self.reasons_label.setText("")
        self.actions_label.setText("Fill in what you know; every step uses these facts.")
        self.rules_heading.setVisible(False)

    def _set_status(self, status: str | None) -> None:
        if status is None:
            self.status_icon.clear()
            self.status_badge.setText("")
            return
        self.status_icon.setPixmap(theme.status_icon(status).pixmap(24, 24))
        self.status_badge.setText(theme.status_text(status))
        self.status_badge.setStyleSheet(f"color: {theme.status_color(status).name()};")
        self.status_badge.setAccessibleDescription(theme.status_text(status))

    def _show_result(self, r: StepResult | None) -> None:
        if self.compare is not None:
            self.compare.show_result(r)
        if r is None:
            self._set_status(None)
            self.dates_label.setText("This step is not on your profile's journeys.")
            self.reasons_label.setText("")
            self.actions_label.setText("")
            self._show_rules(list(self.rule_ids))
            return
        self._set_status(r.status)
        today = self.session.today
        lines = []
        done_on = r.info.get("completed_on") if r.status == "done" else None
        if done_on:
            lines.append(f"Completed: {show_date(done_on) if isinstance(done_on, dt.date) else done_on}")
        elif r.due and r.status not in ("done", "not_applicable"):
            # by the kind of date: "Recommended by: …", "Opens: …" (said as passed, never overdue)
            lines.append(date_line(r.due_kind, r.due, today))
        if r.deadline:
            lines.append(at_risk_line(r.deadline_kind, r.deadline))
        if r.expires:
            # "in 12 days"; a far expiry in months and years ("in 5 years 3 months")
            lines.append(f"Expires: {show_date(r.expires)} ({relative_words(r.expires, today)})")
        self.dates_label.setText("\n".join(lines))
        self.dates_label.setVisible(bool(lines))
        esc = html.escape
        parts = []
        if r.blocked_by:
            items = "".join(
                f"<li>{esc(b.reason)}" + (f" (<a href='step:{esc(b.step)}'>open {esc(step_title(b.step))}</a>)"
                                          if b.step else "") + "</li>"
                for b in r.blocked_by)
            parts.append(f"<b>Waiting for</b><ul style='margin-left:-20px'>{items}</ul>")
        if r.reasons:
            parts.append("<b>Why</b><ul style='margin-left:-20px'>"
                         + "".join(f"<li>{esc(x.text)}</li>" for x in r.reasons) + "</ul>")
        if r.warnings:
            parts.append("<b>Check</b><ul style='margin-left:-20px'>"
                         + "".join(f"<li>{breakable(x.text)}</li>" for x in shown_warnings(r.warnings)) + "</ul>")
        # the engine's own warning may name the override already: its rule id is a param, never read from text
        named = {w.params.get("rule") for w in r.warnings} | {x for w in r.warnings for x in w.params.get("rules", ())}
        unsaid = [x for x in r.overrides if x not in named]
        if unsaid:
            parts.append("Uses your own value for: " + ", ".join(esc(x) for x in unsaid))
        self.reasons_label.setText("".join(parts))
        if r.actions:
            acts = sorted(r.actions, key=lambda a: (a.date is None, a.date or today))
            rows = []
            for a in acts:
                when = show_date(a.date) if a.date else "no date"
                # only a date to do it by is overdue; a passed recommendation or opening is not
                late = a.date is not None and a.date < today and overdue_when_passed(a.date_kind or None)
                mark = " <b>(overdue)</b>" if late else ""
                # the kind names the date ("3 Mar 2027 (deadline): …"), not the sentence after it
                word = action_mark(a.kind, a.date_kind) if a.date else ""  # its date's kind, else "deadline"
                kind = f" ({word})" if word else " (check)" if a.kind == "check" and a.date else ""
                rows.append(f"<li><b>{when}{kind}</b>{mark}: {esc(a.text)}</li>")
            self.actions_label.setText("<ul style='margin-left:-20px'>" + "".join(rows) + "</ul>")
        else:
            self.actions_label.setText("Nothing to do here now.")
        ids = list(dict.fromkeys([*r.rules, *self.rule_ids]))
        self._show_rules(ids)

    def _show_rules(self, ids: list[str]) -> None:
        overrides = self._document().get("overrides") or {}
        shown = (ids, json.dumps({k: overrides[k] for k in ids if k in overrides}, sort_keys=True, default=str))
        if self._rules_shown == shown:
            return
        self._rules_shown = shown
        focus_id = next((c.rule.id for c in self._rule_labels if c.isAncestorOf(self.focusWidget())), None) \
            if self.focusWidget() is not None else None
        for lab in self._rule_labels:
            lab.setParent(None)
            lab.deleteLater()
        self._rule_labels = []
        rules = load_rules()
        for rid in ids:
            try:
                rule = rules.find(rid, self.session.today, overrides)
                if rule is None:
                    recs = rules.records(rid)
                    rule = recs[-1] if recs else None
                published = rules.find(rid, self.session.today) or rules.records(rid)[-1]
            except RuleNotFound:
                rule = None
            if rule is None:
                continue
            card = RuleCard(self.session, rule, published)
            card.changed.connect(self._override_changed)
            self.rules_box.addWidget(card)
            self._rule_labels.append(card)
            if rid == focus_id:
                card.own_button.setFocus()
        self.rules_heading.setText(f"Rules that apply ({len(self._rule_labels)})" if self._rule_labels
                                   else "Rules that apply: none recorded for this step")

    def rule_card(self, rule_id: str) -> RuleCard | None:
        return next((c for c in self._rule_labels if c.rule.id == rule_id), None)

    def _override_changed(self, rule_id: str) -> None:
        """A user's own value was set or removed: show it and re-evaluate; the main window refreshes
        the navigator, the dashboard and the other pages that show this rule."""
        self._rules_shown = None
        if self.journeys is None:
            self.recompute()
        # with the window's JourneyService, the window re-evaluates once and re-renders this page
        self.overrides_changed.emit(rule_id)
        card = self.rule_card(rule_id)
        if card is not None:
            card.own_button.setFocus()

    def _link(self, href: str) -> None:
        if href.startswith("step:"):
            self.open_step.emit(href[5:])

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> bool:
        """Save this page's facts in one transaction; False (and nothing written) while invalid."""
        if self.journeys is None:
            self.flush()
        else:  # the checks alone: the window evaluates the saved profile once and shows it here
            self.check_now()
        if not self._valid or self.session.profile_id is None:
            return False
        if not self.is_dirty():
            return True  # nothing typed: nothing to write
        data = self.data()
        try:
            self.session.store.save_facts(self.session.profile_id, {self.key: data})
        except Exception as e:  # disk full, locked file: say it in words, keep the typing
            self.form.general_error.show_message(f"Could not save: {e}")
            return False
        self._baseline = data
        if self.journeys is None:  # standalone (the walkthrough): read back and show it here
            self._loaded = self.session.store.step_facts(self.session.profile_id, self.key)
            self.recompute()
        else:  # the window re-evaluates once (journeys.reload) and shows the result on every page
            self._loaded = data
        self.saved.emit(self.key)
        return True
