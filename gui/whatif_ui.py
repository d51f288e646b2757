"""What if…: a scenario window over a copy of the profile (issue 19).

Opened from View ▸ What if… (Ctrl+Shift+I), the "What if…" button of the dashboard and of every
step page (they emit the host's `what_if_requested(step_key)`). The window edits facts with the
same step forms (gui/step_form.py) but never writes them to the profile: each form edit becomes
changes (`core.whatif.changes_for_step`) evaluated on a copy (`what_if(doc, changes, today,
before=journey)`). It is marked as a scenario (a coloured band, the title "What if: …").

Beside the real journey it lists every step whose status, due date, deadline or expiry changes,
old -> new, with the findings that differ (worded by core/wording.py), and draws the dates that
move over each other on the timeline (gui/timeline.py's overlay). Scenarios are kept by name
(core/scenarios.py), compared two at a time, deleted (after asking), and applied to the real
profile: one transaction, undone with Ctrl+Z (File ▸ Undo applying …) in the main window.
Escape or closing with unsaved scenario edits asks first.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core import scenarios as sc
from core.engine import is_track, step_def, step_defs, step_title, track_fields, track_title
from core.journey_view import milestones
from core.whatif import Change, JourneyDiff, WhatIfError, changes_for_step, parse_path, what_if
from core.whatif import WhatIf as WhatIfResult
from core.wording import plural

from . import theme
from .dates_display import show_date
from .step_form import StepForm
from .timeline import Timeline

if TYPE_CHECKING:
    from .extensions import ExtensionHost

log = logging.getLogger("certpath.gui")

UNSAVED = "(new scenario)"
FIELD_WORDS = {"status": "status", "due": "due", "expires": "expires", "deadline": "deadline"}


def _word(field: str, v: Any) -> str:
    if v is None:
        return "none"
    if field == "status":
        return theme.status_text(str(v))
    return show_date(v) if isinstance(v, dt.date) else str(v)


def diff_html(diff: JourneyDiff, old_name: str = "your journey", new_name: str = "this scenario") -> str:
    """Every step that changes, old -> new, and why (the findings that differ, in words)."""
    if not diff.steps:
        return f"<p>Nothing changes between {html.escape(old_name)} and {html.escape(new_name)}.</p>"
    out = [f"<p><b>{len(diff.steps)}</b> {'step changes' if len(diff.steps) == 1 else 'steps change'} ({html.escape(old_name)} → {html.escape(new_name)}):</p>"]
    for s in diff.steps:
        out.append(f"<h4 style='margin-bottom:2px'>{html.escape(step_title(s.id))}"
                   f" <span style='font-weight:normal'>({html.escape(track_title(s.track))})</span></h4><ul>")
        for c in s.changes:
            out.append(f"<li>{FIELD_WORDS.get(c.field, c.field).capitalize()}: {html.escape(_word(c.field, c.old))}"
                       f" → <b>{html.escape(_word(c.field, c.new))}</b></li>")
        for f in s.added:
            out.append(f"<li>Now: {html.escape(f.text)}</li>")
        for f in s.removed:
            out.append(f"<li>No longer: {html.escape(f.text)}</li>")
        out.append("</ul>")
    return "".join(out)


def _keys_of(doc: dict[str, Any], journey) -> list[str]:
    """The forms a scenario can change: each track's own facts, then its steps."""
    tracks = [t.track for t in journey.tracks] if journey is not None else []
    out: list[str] = []
    for t in tracks:
        if track_fields(t):
            out.append(t)
        out += [d.id for d in step_defs(t)]
    return out


def _key_title(key: str) -> str:
    return f"Your facts: {track_title(key)}" if is_track(key) else step_title(key)


def _fields(key: str):
    return track_fields(key) if is_track(key) else step_def(key).fields


class WhatIfWindow(QDialog):
    """One scenario: edited with the step forms, never saved to the profile."""

    def __init__(self, host: ExtensionHost, step_key: str | None = None, name: str | None = None,
                 parent: QWidget | None = None, owner: WhatIf | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.owner = owner
        self.session = host.session
        pid = self.session.profile_id
        if pid is None:  # WhatIf.open checks first: a scenario is always of one profile
            raise ValueError("a what-if scenario needs a profile")
        self.pid: int = pid
        self.doc = host.journeys.document()
        self.journey = host.journeys.journey
        self.name: str | None = None
        self.step_changes: dict[str, list[Change]] = {}  # per form key
        self.saved_changes: list[Change] = []
        self.outcome: WhatIfResult | None = None
        self.problems: list = []
        self.applied: sc.AppliedScenario | None = None
        self.setObjectName("whatIfWindow")
        self.setModal(False)
        self.resize(1180, 760)
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.recompute)
        self._fill_scenarios()
        if name:
            self.load_scenario(name)
        self.choose_step(step_key or (self.keys[0] if self.keys else None))
        self.recompute()
        self._set_title()

    # -- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 8)
        self.band = QFrame()
        self.band.setObjectName("scenarioBand")
        bg, fg = ("#5a4300", "#ffe9a8") if theme.is_dark(self.palette()) else ("#ffe7a0", "#3d2d00")
        self.band.setStyleSheet(f"#scenarioBand {{ background: {bg}; }} #scenarioBand QLabel {{ color: {fg}; }}")
        bl = QHBoxLayout(self.band)
        bl.setContentsMargins(16, 8, 16, 8)
        self.title_label = QLabel()
        self.title_label.setObjectName("scenarioTitle")
        self.title_label.setFont(theme.heading_font(self, 1.3))
        self.title_label.setWordWrap(True)
        sub = QLabel("A scenario: a copy of your profile. Nothing you change here is saved to the profile.")
        sub.setWordWrap(True)
        bv = QVBoxLayout()
        bv.addWidget(self.title_label)
        bv.addWidget(sub)
        bl.addLayout(bv, 1)
        outer.addWidget(self.band)

        # kept scenarios
        bar = QHBoxLayout()
        bar.setContentsMargins(12, 4, 12, 0)
        lab = QLabel("&Scenario:")
        self.scenario_box = QComboBox()
        self.scenario_box.setAccessibleName("Kept scenarios")
        self.scenario_box.setMinimumContentsLength(18)
        lab.setBuddy(self.scenario_box)
        self.scenario_box.activated.connect(self._scenario_chosen)
        bar.addWidget(lab)
        bar.addWidget(self.scenario_box)
        self.save_button = QPushButton("Sa&ve scenario…")
        self.save_button.setToolTip("Keep this scenario under a name (Ctrl+S)")
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.clicked.connect(lambda: self.save_scenario())
        self.rename_button = QPushButton("Re&name…")
        self.rename_button.clicked.connect(lambda: self.rename_scenario())
        self.delete_button = QPushButton("&Delete")
        self.delete_button.clicked.connect(lambda: self.delete_scenario())
        self.compare_button = QPushButton("&Compare two…")
        self.compare_button.clicked.connect(lambda: self.compare())
        self.apply_button = QPushButton("&Apply to my profile…")
        self.apply_button.setObjectName("applyScenario")
        self.apply_button.clicked.connect(lambda: self.apply())
        for b in (self.save_button, self.rename_button, self.delete_button, self.compare_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.apply_button)
        outer.addLayout(bar)

        split = QSplitter()
        split.setChildrenCollapsible(False)
        # left: a step's facts in the scenario
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(12, 4, 6, 0)
        sl = QLabel("Change the &facts of:")
        self.step_box = QComboBox()
        self.step_box.setAccessibleName("Step whose facts to change")
        sl.setBuddy(self.step_box)
        self.keys = _keys_of(self.doc, self.journey)
        for k in self.keys:
            self.step_box.addItem(_key_title(k), k)
        self.step_box.currentIndexChanged.connect(lambda i: self.choose_step(self.step_box.itemData(i)))
        ll.addWidget(sl)
        ll.addWidget(self.step_box)
        self.form_holder = QScrollArea()
        self.form_holder.setWidgetResizable(True)
        self.form_holder.setFrameShape(QFrame.Shape.NoFrame)
        ll.addWidget(self.form_holder, 1)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet(f"color: {theme.error_color()};")
        ll.addWidget(self.problem_label)
        self.changes_label = QLabel()
        self.changes_label.setWordWrap(True)
        self.changes_label.setStyleSheet(f"color: {theme.muted_color()};")
        ll.addWidget(self.changes_label)
        split.addWidget(left)
        # right: what changes, and the timeline
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(6, 4, 12, 0)
        hl = QLabel("&What changes against your real journey")
        hl.setFont(theme.heading_font(self, 1.05))
        self.diff_view = QTextBrowser()
        self.diff_view.setObjectName("scenarioDiff")
        self.diff_view.setAccessibleName("Steps that change in this scenario")
        self.diff_view.setOpenLinks(False)
        hl.setBuddy(self.diff_view)
        rl.addWidget(hl)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        vsplit.setChildrenCollapsible(False)
        vsplit.addWidget(self.diff_view)
        self.timeline = Timeline()
        self.timeline.setAccessibleName("Timeline: dates that move in this scenario")
        tscroll = QScrollArea()
        tscroll.setWidgetResizable(True)
        tscroll.setFrameShape(QFrame.Shape.NoFrame)
        tscroll.setWidget(self.timeline)
        tscroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline_scroll = tscroll
        vsplit.addWidget(tscroll)
        vsplit.setStretchFactor(0, 1)
        vsplit.setStretchFactor(1, 0)
        self.vsplit = vsplit
        rl.addWidget(vsplit, 1)
        split.addWidget(right)
        self.split = split
        outer.addWidget(split, 1)
        close = QHBoxLayout()
        close.setContentsMargins(12, 0, 12, 0)
        close.addStretch(1)
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        close.addWidget(self.close_button)
        outer.addLayout(close)
        self.form: StepForm | None = None
        self.form_key: str | None = None

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self._fit()

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._timer.stop()  # a closed scenario evaluates nothing more
        super().hideEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The form column ~38% wide; the timeline as tall as its lanes (up to half the height)."""
        w = self.split.width()
        self.split.setSizes([int(w * 0.38), w - int(w * 0.38)])
        self._fit_timeline()

    def _fit_timeline(self) -> None:
        h = self.vsplit.height()
        t = min(self.timeline.height() + 4, h // 2)
        self.vsplit.setSizes([h - t, t])

    # -- state ------------------------------------------------------------------------------------
    def changes(self) -> list[Change]:
        return [c for k in self.step_changes for c in self.step_changes[k]]

    def is_dirty(self) -> bool:
        return [c.to_json() for c in self.changes()] != [c.to_json() for c in self.saved_changes]

    def _set_title(self) -> None:
        name = self.name or "new scenario"
        mark = " *" if self.is_dirty() else ""
        self.setWindowTitle(f"What if: {name}{mark}")
        self.title_label.setText(f"What if: {name}{mark}")
        has = self.name is not None
        self.rename_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        self.compare_button.setEnabled(len(sc.list_scenarios(self.session.store, self.pid)) >= 2)
        self.apply_button.setEnabled(bool(self.changes()) and not self.problems)

    def _fill_scenarios(self) -> None:
        self.scenario_box.blockSignals(True)
        self.scenario_box.clear()
        self.scenario_box.addItem(UNSAVED, None)
        for s in sc.list_scenarios(self.session.store, self.pid):
            self.scenario_box.addItem(s.name, s.name)
        i = self.scenario_box.findData(self.name) if self.name else 0
        self.scenario_box.setCurrentIndex(max(0, i))
        self.scenario_box.blockSignals(False)

    def _real(self, key: str) -> dict[str, Any]:
        return dict((self.doc.get("facts") or {}).get(key) or {})

    def _scenario_facts(self, key: str) -> dict[str, Any]:
        if self.outcome is not None:
            return dict((self.outcome.changed_doc.get("facts") or {}).get(key) or {})
        return self._real(key)

    def choose_step(self, key: str | None) -> None:
        if key is None or key == self.form_key:
            return
        self.form_key = key
        i = self.step_box.findData(key)
        if i >= 0 and self.step_box.currentIndex() != i:
            self.step_box.blockSignals(True)
            self.step_box.setCurrentIndex(i)
            self.step_box.blockSignals(False)
        form = StepForm(tuple(_fields(key)))
        form.set_data(self._real(key))
        self._baseline = form.data()[0]  # the real facts as the form shows them (defaults included)
        form.set_data(self._scenario_facts(key))
        form.changed.connect(self._form_changed)
        self.form = form
        self.form_holder.setWidget(form)

    def _form_changed(self) -> None:
        if self.form is None or self.form_key is None:
            return
        data, problems = self.form.data()
        self.form.show_problems(problems)
        if problems:
            self.problems = problems
            self.problem_label.setText("Not in the scenario yet: " + "; ".join(p.text() for p in problems))
            self._set_title()
            return
        key = self.form_key
        if data == self._baseline:
            self.step_changes.pop(key, None)
        else:
            self.step_changes[key] = changes_for_step(key, self._real(key), data)
        self._timer.start()

    def recompute(self) -> None:
        """Evaluate the copy with the scenario's changes beside the real journey."""
        try:
            self.outcome = what_if(self.doc, self.changes(), self.session.today, before=self.journey, strict=False)
            self.problems = []
            self.problem_label.setText("")
            stale = self.outcome.stale
            if stale:
                self.problem_label.setText("Left out of this scenario: " + "; ".join(
                    s.reason if s.reason.startswith(s.change.path) else f"{s.change.path}: {s.reason}"
                    for s in stale))
        except WhatIfError as e:
            self.problems = list(e.problems)
            self.problem_label.setText("Not in the scenario: " + "; ".join(
                f"{p.field}: {p.text()}" for p in e.problems))
            if self.form is not None:
                self.form.show_problems([p for p in e.problems])
            self._set_title()
            return
        except Exception:
            log.exception("the scenario could not be evaluated")
            self.problem_label.setText("The scenario could not be evaluated (see the log).")
            return
        n = len(self.changes())
        self.changes_label.setText(f"{plural(n, 'changed fact')} in this scenario." if n else
                                   "No facts changed yet: edit a field to see what would follow.")
        self.diff_view.setHtml(diff_html(self.outcome.diff))
        self._draw(self.outcome)
        self._fit_timeline()
        self._set_title()

    def _draw(self, w: WhatIfResult) -> None:
        journey = w.after
        self.timeline.set_items(milestones(journey), [t.track for t in journey.tracks], w.today)
        tracks = {s.id: t.track for t in journey.tracks for s in t.steps}
        tracks.update({s.id: t.track for t in w.before.tracks for s in t.steps})
        self.timeline.set_overlay([(tracks.get(m.step_id, ""), m.old, m.new, step_title(m.step_id))
                                   for m in w.diff.moved if m.step_id in tracks])

    # -- kept scenarios -------------------------------------------------------------------------
    def _scenario_chosen(self, index: int) -> None:
        name = self.scenario_box.itemData(index)
        if name == self.name:
            return
        if self.is_dirty() and not self._ask_discard():
            self._fill_scenarios()
            return
        if name is None:
            self.name, self.step_changes, self.saved_changes = None, {}, []
            self._reload_form()
        else:
            self.load_scenario(name)

    def load_scenario(self, name: str) -> None:
        s = sc.get_scenario(self.session.store, self.pid, name)
        self.name = s.name
        self.step_changes = {}
        for c in s.changes:
            try:
                key = parse_path(c.path)[0].key
            except WhatIfError:
                key = c.path
            self.step_changes.setdefault(key, []).append(c)
        self.saved_changes = self.changes()
        self._fill_scenarios()
        self._reload_form()

    def _reload_form(self) -> None:
        self.recompute()
        key, self.form_key = self.form_key, None
        self.choose_step(key)
        self._set_title()

    def _error(self, title: str, e: Exception) -> None:
        msg = "; ".join(f"{p.field}: {p.message}" for p in e.problems) if isinstance(e, WhatIfError) else str(e)
        QMessageBox.warning(self, title, msg)

    def save_scenario(self, name: str | None = None) -> bool:
        """Keep the scenario (asks a name the first time). True when it was kept."""
        store, today = self.session.store, self.session.today
        if self.name is None:
            if name is None:
                name, ok = QInputDialog.getText(self, "Keep this scenario", "Name (e.g. H-1B plan):")
                if not ok:
                    return False
            try:
                s = sc.create_scenario(store, self.pid, name, self.changes(), today)
            except (sc.ScenarioError, WhatIfError) as e:
                self._error("Not kept", e)
                return False
        else:
            try:
                s = sc.update_scenario(store, self.pid, self.name, self.changes(), today)
            except (sc.ScenarioError, WhatIfError) as e:
                self._error("Not kept", e)
                return False
        self.name = s.name
        self.saved_changes = self.changes()
        self._fill_scenarios()
        self._set_title()
        self.host.show_status(f"Scenario “{s.name}” kept (the profile is unchanged).")
        return True

    def rename_scenario(self, new_name: str | None = None) -> bool:
        if self.name is None:
            return False
        if new_name is None:
            new_name, ok = QInputDialog.getText(self, "Rename scenario", "New name:", text=self.name)
            if not ok:
                return False
        try:
            s = sc.rename_scenario(self.session.store, self.pid, self.name, new_name)
        except sc.ScenarioError as e:
            self._error("Not renamed", e)
            return False
        self.name = s.name
        self._fill_scenarios()
        self._set_title()
        return True

    def delete_scenario(self, confirm: bool = True) -> bool:
        if self.name is None:
            return False
        if confirm and QMessageBox.question(self, "Delete scenario", f"Delete the scenario “{self.name}”?") \
                != QMessageBox.StandardButton.Yes:
            return False
        gone = sc.delete_scenario(self.session.store, self.pid, self.name)
        self.name, self.saved_changes = None, []
        self._fill_scenarios()
        self._set_title()
        self.host.show_status(f"Scenario “{gone.name}” deleted.")
        self.deleted = gone
        return True

    def compare(self, a: str | None = None, b: str | None = None) -> CompareDialog | None:
        names = [s.name for s in sc.list_scenarios(self.session.store, self.pid)]
        if len(names) < 2:
            return None
        dlg = CompareDialog(self, names, a or names[0], b or names[1])
        dlg.show()
        self.compare_dialog = dlg
        return dlg

    # -- applying ---------------------------------------------------------------------------------
    def apply(self, confirm: bool = True, name: str | None = None) -> bool:
        """Make the scenario the real profile (one transaction); Ctrl+Z in the window undoes it.
        An unkept scenario is kept first (under `name`, or the name the user gives)."""
        if not self.changes() or self.problems:
            return False
        if confirm:
            n = len(self.outcome.diff.steps) if self.outcome else 0
            ans = QMessageBox.question(
                self, "Apply scenario",
                f"Make this scenario your real profile? {plural(len(self.changes()), 'fact')} and {plural(n, 'step')} "
                "change with it. The scenario is kept; you can undo with Ctrl+Z.")
            if ans != QMessageBox.StandardButton.Yes:
                return False
        if self.is_dirty() or self.name is None:
            if not self.save_scenario(name):
                return False
        if self.name is None:  # not saved (cancelled): nothing to apply
            return False
        try:
            applied = sc.apply_scenario(self.session.store, self.pid, self.name, self.session.today)
        except (sc.ScenarioError, WhatIfError) as e:
            self._error("Not applied", e)
            return False
        self.applied = applied
        if self.owner is not None:
            self.owner.remember(applied)
        self.host.refresh()
        self.host.show_status(f"Applied “{applied.name}” to your profile. Ctrl+Z undoes it.", 10000)
        self.saved_changes = self.changes()
        self.accept()
        return True

    # -- closing ----------------------------------------------------------------------------------
    def _ask_discard(self) -> bool:
        ans = QMessageBox.question(self, "Unsaved scenario", "This scenario has changes you have not kept. "
                                   "Discard them?", QMessageBox.StandardButton.Discard
                                   | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return ans == QMessageBox.StandardButton.Discard

    def reject(self) -> None:  # Escape
        if self.is_dirty() and not self._ask_discard():
            return
        self.saved_changes = self.changes()  # discarded: do not ask again on close
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if self.is_dirty() and not self._ask_discard():
            event.ignore()
            return
        self.saved_changes = self.changes()
        super().closeEvent(event)


class CompareDialog(QDialog):
    """Two kept scenarios side by side: every step that differs between them."""

    def __init__(self, parent: WhatIfWindow, names: Sequence[str], a: str, b: str) -> None:
        super().__init__(parent)
        self.win = parent
        self.setWindowTitle("What if: compare two scenarios")
        self.resize(900, 620)
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.a_box, self.b_box = QComboBox(), QComboBox()
        for box, label, cur in ((self.a_box, "Scenario &A:", a), (self.b_box, "Scenario &B:", b)):
            box.addItems(list(names))
            box.setCurrentText(cur)
            lab = QLabel(label)
            lab.setBuddy(box)
            row.addWidget(lab)
            row.addWidget(box, 1)
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        lay.addLayout(row)
        self.view = QTextBrowser()
        self.view.setAccessibleName("Steps that differ between the two scenarios")
        lay.addWidget(self.view, 1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        self.comparison: sc.Comparison | None = None
        self.refresh()

    def refresh(self) -> None:
        a, b = self.a_box.currentText(), self.b_box.currentText()
        if a == b:
            self.view.setHtml("<p>Choose two different scenarios.</p>")
            return
        s = self.win.session
        self.comparison = sc.compare_scenarios(s.store, self.win.pid, a, b, s.today)
        self.view.setHtml(diff_html(self.comparison.diff, f"“{a}”", f"“{b}”"))


# -- the host: the menu item, the buttons' signal, Undo -----------------------------------------

class WhatIf(QObject):
    """The extension: the View menu item, the buttons' signal, the open window and Undo of Apply."""

    def __init__(self, host: ExtensionHost) -> None:
        super().__init__(host if isinstance(host, QObject) else None)
        self.host = host
        self.window: WhatIfWindow | None = None
        self.applied: sc.AppliedScenario | None = None
        self.open_action = QAction("What &if…", self)
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.open_action.setToolTip("Try a change on a copy of your profile and see what follows")
        self.open_action.triggered.connect(lambda _c=False: self.open())
        host.menu_view.addAction(self.open_action)
        self.undo_action = QAction("Undo applyin&g a scenario", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(lambda _c=False: self.undo())
        host.add_file_actions(self.undo_action, group="undo")
        host.what_if_requested.connect(lambda key: self.open(key or None))
        if isinstance(host, QObject):
            host.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        """Closing the main window closes the scenario window first (which asks about unsaved edits)."""
        if obj is self.host and event.type() == QEvent.Type.Close and self.window is not None \
                and self.window.isVisible():
            self.window.close()
            if self.window.isVisible():
                event.ignore()
                return True
        return False

    def open(self, step_key: str | None = None) -> WhatIfWindow | None:
        host = self.host
        if host.session.profile_id is None or host.journeys.journey is None:
            host.show_status("What if… needs a profile whose journey can be evaluated.")
            return None
        if self.window is not None and self.window.isVisible():
            self.window.close()
            if self.window.isVisible():  # the user kept the unsaved scenario
                self.window.raise_()
                return self.window
        parent = host if isinstance(host, QWidget) else None
        self.window = WhatIfWindow(host, step_key or host.current_step_id(), parent=parent, owner=self)
        self.window.show()
        return self.window

    def remember(self, applied: sc.AppliedScenario) -> None:
        self.applied = applied
        self.undo_action.setEnabled(True)
        self.undo_action.setText(f"Undo applyin&g “{applied.name}”")

    def undo(self) -> bool:
        applied = self.applied
        if applied is None:
            return False
        try:
            applied.undo()
        except sc.ScenarioError as e:
            self.host.show_status(f"Not undone: {e}", 10000)
            return False
        self.applied = None
        self.undo_action.setEnabled(False)
        self.undo_action.setText("Undo applyin&g a scenario")
        self.host.refresh()
        self.host.show_status(f"Undone: the profile is as it was before “{applied.name}” was applied.", 8000)
        return True


def attach(host: ExtensionHost) -> WhatIf:
    ext = WhatIf(host)
    ext.setObjectName("whatIfExtension")  # the window finds it with findChild(QObject, name)
    return ext
