"""The dashboard: the next thing to do, progress per track, what blocks you now, next actions,
deadlines in the next 30 and 90 days, and the timeline picture.

Every value comes from `core.journey_view` over `core.engine.evaluate`; this module lays it out.
Links (`step:<id>`) open the step's page; "Walk me through…" opens a track's wizard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core.engine import evaluate
from core.engine.base import Journey
from core.journey_view import (
    ActionItem,
    blocking_now,
    deadlines,
    headline,
    is_new_profile,
    milestones,
    next_actions,
    program_deadlines,
    progress,
    start_here,
    step_name,
    step_title,
)
from core.roles import ROLE_LABELS

from . import theme
from .banner import Banner

if TYPE_CHECKING:
    from .timeline import Timeline
from .dates_display import show_date
from .session import Session


def _escape(text: str) -> str:
    """html.escape(text): the `html` module would import html.entities' 2,000-name table at start-up."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


def _label(rich: bool = True) -> QLabel:
    lab = theme.WrapLabel()
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
                                | Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    lab.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return lab


def _link(step_id: str, text: str | None = None) -> str:
    return f"<a href='step:{_escape(step_id)}'>{_escape(text or step_name(step_id))}</a>"


def _by_date(items: list[ActionItem]) -> list[list[ActionItem]]:
    """Runs of items with the same date (undated ones each on their own)."""
    groups: list[list[ActionItem]] = []
    for a in items:
        if groups and a.date is not None and groups[-1][0].date == a.date:
            groups[-1].append(a)
        else:
            groups.append([a])
    return groups


class Dashboard(QScrollArea):
    open_step = Signal(str)
    walk = Signal(str)  # a track id
    what_if = Signal()  # try a change as a scenario (gui/whatif_ui.py)

    def __init__(self, session: Session, journeys=None, *, defer_below_fold: bool = False) -> None:
        """`journeys`: the window's JourneyService; a bare `refresh()` then asks it to reload, so
        every view follows (after a restore, say), not the dashboard alone. `defer_below_fold`: the
        timeline, under the other sections and out of view in a 1280x800 or 1920x1080 window, is
        built by `build_below_fold()` (the app's start-up calls it just after the first paint)."""
        super().__init__()
        self.session = session
        self.journeys = journeys
        self.journey: Journey | None = None
        self.setObjectName("dashboard")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(16, 12, 16, 16)
        lay.setSpacing(12)
        # heading
        head = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setObjectName("dashboardHeading")
        self.heading.setFont(theme.heading_font(self, 1.5))
        self.sub = QLabel()
        self.sub.setStyleSheet(f"color: {theme.muted_color()};")
        hv = QVBoxLayout()
        hv.addWidget(self.heading)
        hv.addWidget(self.sub)
        head.addLayout(hv, 1)
        self.what_if_button = QPushButton("What &if…")
        self.what_if_button.setToolTip("Try a change on a copy of your profile first (nothing is saved)")
        self.what_if_button.clicked.connect(self.what_if.emit)
        head.addWidget(self.what_if_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(head)
        self.banner = Banner()  # non-modal notices (the start-up reminder summary)
        lay.addWidget(self.banner)
        # the one next thing
        self.next_box = QFrame()
        self.next_box.setObjectName("nextBox")
        nb = QHBoxLayout(self.next_box)
        nb.setContentsMargins(14, 10, 14, 10)
        nv = QVBoxLayout()
        cap = QLabel("DO THIS NEXT")
        cap.setFont(theme.heading_font(cap, 0.85))
        nv.addWidget(cap)
        self.next_label = QLabel()  # plain: no document margins, so the box stays tight
        self.next_label.setWordWrap(True)
        self.next_label.setTextFormat(Qt.TextFormat.PlainText)
        self.next_label.setObjectName("nextAction")
        self.next_label.setFont(theme.heading_font(self, 1.25))
        self.next_label.setAccessibleName("Do this next")
        nv.addWidget(self.next_label)
        nb.addLayout(nv, 1)
        self.next_button = QPushButton("&Open this step")
        self.next_button.setObjectName("openNextStep")
        self.next_button.clicked.connect(self._open_next)
        nb.addWidget(self.next_button, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.next_box)
        self._next_step: str | None = None
        self._body_layout = lay

        # progress per track: full width, right under the next thing (the walk-through buttons)
        self.progress_box = QGroupBox("Progress per track")
        self.progress_layout = QGridLayout(self.progress_box)
        lay.addWidget(self.progress_box)

        cols = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.cols = cols
        cols.setSpacing(12)
        lay.addLayout(cols)
        col_a, col_b = QVBoxLayout(), QVBoxLayout()
        col_a.setSpacing(12)
        col_b.setSpacing(12)
        cols.addLayout(col_a, 1)
        cols.addLayout(col_b, 1)
        # what blocks you now
        self.blocks_box = QGroupBox("What blocks you now")
        bl = QVBoxLayout(self.blocks_box)
        self.blocks_label = _label()
        self.blocks_label.setObjectName("blocksNow")
        self.blocks_label.linkActivated.connect(self._link)
        bl.addWidget(self.blocks_label)
        col_a.addWidget(self.blocks_box)
        # next actions with dates
        self.actions_box = QGroupBox("Next actions")
        al = QVBoxLayout(self.actions_box)
        self.actions_label = _label()
        self.actions_label.setObjectName("nextActions")
        self.actions_label.linkActivated.connect(self._link)
        al.addWidget(self.actions_label)
        col_b.addWidget(self.actions_box)
        # deadlines
        self.deadlines_box = QGroupBox("Deadlines and expiries: next 30 and 90 days")
        dl = QVBoxLayout(self.deadlines_box)
        self.deadlines_label = _label()
        self.deadlines_label.setObjectName("deadlines")
        self.deadlines_label.linkActivated.connect(self._link)
        dl.addWidget(self.deadlines_label)
        col_a.addWidget(self.deadlines_box)
        for box in (self.progress_box, self.blocks_box, self.actions_box, self.deadlines_box):
            # not Maximum: a box capped at its sizeHint ignores height-for-width and cuts the
            # last wrapped line of its text
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
            box_layout = box.layout()
            assert box_layout is not None  # each box got its layout above
            box_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        col_a.addStretch(1)
        col_b.addStretch(1)
        # timeline (below the fold)
        self.timeline_box: QGroupBox | None = None
        self.timeline: Timeline | None = None
        self._timeline_items: tuple | None = None  # what to show once it is built
        lay.addStretch(1)
        if not defer_below_fold:
            self.build_below_fold()
        self.walk_buttons: dict[str, QPushButton] = {}
        self._sections: list[QWidget] = []  # extensions' sections (add_section), in the tab order
        self.progress_bars: dict[str, QProgressBar] = {}
        self._progress_rows: list[tuple[str, QLabel, QProgressBar, QLabel, QPushButton]] = []

    def build_below_fold(self) -> None:
        """The timeline box, at the end of the page (once; it shows what the last refresh gave)."""
        if self.timeline is not None:
            return
        from .timeline import Timeline

        self.timeline_box = QGroupBox("Timeline")
        tl = QVBoxLayout(self.timeline_box)
        self.timeline = Timeline()
        tl.addWidget(self.timeline)
        self._body_layout.insertWidget(self._body_layout.count() - 1, self.timeline_box)  # before the stretch
        if self._timeline_items is not None:
            self._set_timeline(*self._timeline_items)

    def _set_timeline(self, journey: Journey | None, tracks: list[str], today) -> None:
        if self.timeline is None:
            self._timeline_items = (journey, tracks, today)
            return
        self._timeline_items = None
        self.timeline.set_items(milestones(journey) if journey is not None else [], tracks, today)

    def resizeEvent(self, event) -> None:  # noqa: N802
        """Two columns when there is room, one under the other when the window is narrow."""
        super().resizeEvent(event)
        # the viewport's width, without viewport(): PySide6's first wrapping of that Qt-made widget
        # creates ~80 Python enum types (~10-35 ms) just before the first paint
        width = self.maximumViewportSize().width()
        bar = self.verticalScrollBar()
        if bar.isVisible():
            width -= bar.width()
        narrow = width < 820
        want = QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        if self.cols.direction() != want:
            self.cols.setDirection(want)

    def add_section(self, widget: QWidget) -> None:
        """An extension's section (the team summary), under the next thing to do."""
        self._body_layout.insertWidget(self._body_layout.indexOf(self.next_box) + 1, widget)
        self._sections.append(widget)
        self._tab_in_reading_order()

    def _tab_in_reading_order(self) -> None:
        """Tab goes down the page as it reads: the progress rows' buttons are made after the
        columns under them, and a section is added later still, so Tab reached both last."""
        prev: QWidget = self.next_button
        inside = [w for sec in self._sections for w in sec.findChildren(QWidget)
                  if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
        for w in inside + list(self.walk_buttons.values()):
            QWidget.setTabOrder(prev, w)
            prev = w

    def _style_next_box(self, status: str | None) -> None:
        col = theme.status_color(status or "in_progress")
        bg = self.palette().color(self.palette().ColorRole.Base).name()
        self.next_box.setStyleSheet(
            f"QFrame#nextBox {{ border: 2px solid {col.name()}; border-left: 8px solid {col.name()}; "
            f"border-radius: 6px; background: {bg}; }}")

    def _link(self, href: str) -> None:
        if href.startswith("step:"):
            self.open_step.emit(href[5:])

    def _open_next(self) -> None:
        if self._next_step:
            self.open_step.emit(self._next_step)

    # -- data -----------------------------------------------------------------------------------
    def refresh(self, journey: Journey | None = None, doc: dict | None = None) -> None:
        """Show the current profile; a caller that has just evaluated it passes `journey`/`doc`."""
        if journey is None and doc is None and self.journeys is not None and not self.journeys.reloading:
            self.journeys.reload()  # the window's _render comes back here with the journey
            return
        if self.session.profile_id is None:
            self.journey = None
            self.heading.setText("No profile")
            self.sub.setText("Create one with File → New profile (Ctrl+N).")
            self.next_label.setText("Create a profile to start.")
            self.next_button.setEnabled(False)
            for lab in (self.blocks_label, self.actions_label, self.deadlines_label):
                lab.setText("")
            self._fill_progress([])
            self._set_timeline(None, [], self.session.today)
            return
        today = self.session.today
        if journey is None or doc is None:
            doc = self.session.document()
        try:
            journey = journey if journey is not None else evaluate(doc, today)
        except Exception as e:  # never a traceback: say it, keep the window usable
            self.heading.setText(doc["name"])
            self.next_label.setText(f"CertPath could not evaluate this profile ({type(e).__name__}).")
            return
        self.journey = journey
        self.heading.setText(doc["name"])
        role = str(doc.get("role") or "")
        self.sub.setText(f"{ROLE_LABELS.get(role, role)} · "
                         f"today is {show_date(today, long=True)}")
        fresh = is_new_profile(doc) and bool(journey.tracks)
        text, sid = headline(journey)
        if fresh:  # nothing entered yet: guidance on where to start, not alarms about it
            starts = start_here(journey)
            sid = starts[0][0] if starts else sid
            text = ("Start here: tell CertPath what you have already done, step by step, starting with "
                    f"{step_title(sid)}." if sid else text)
        self._next_step = sid
        self.next_label.setText(text)
        self.next_button.setEnabled(sid is not None)
        self.next_button.setText(f"&Open: {step_name(sid)}" if sid else "&Open this step")
        status = journey.step(sid).status if sid and not fresh else None
        self._style_next_box(status)
        self._fill_progress(progress(journey))
        if fresh:
            self.blocks_label.setText(
                "<p style='margin:0 0 8px 0'><b>Start here.</b> This profile has no steps entered yet, so "
                "nothing is counted as late. Open each step, say what you have done and the dates you "
                "have; CertPath then works out what is due and what is at risk.</p>"
                + "".join(f"<p style='margin:0 0 6px 0'>{_escape(line)} ({_link(s_)})</p>"
                          for s_, line in start_here(journey)))
        else:
            self._fill_blocks(journey)
        self._fill_actions(next_actions(journey, limit=6))
        self._fill_deadlines(journey)
        self._set_timeline(journey, [t.track for t in journey.tracks], today)

    def _fill_progress(self, progs) -> None:
        rows = self._progress_rows
        if progs and [p.track for p in progs] == [r[0] for r in rows]:
            # The same journeys as shown: update the rows in place. Taking a widget out of a
            # window walks the window's whole focus chain (every field of every open step page:
            # ~5 ms a widget with a long exam history open), so a Save never rebuilds them.
            for p, (_t, name, bar, count, btn) in zip(progs, rows, strict=True):
                self._set_progress_row(p, name, bar, count, btn)
            return
        rows.clear()
        lay = self.progress_layout
        while lay.count():
            item = lay.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.setParent(None)
                w.deleteLater()
        self.walk_buttons.clear()
        self.progress_bars.clear()
        if not progs:
            lay.addWidget(QLabel("This profile follows no journey yet."), 0, 0)
            return
        for i, p in enumerate(progs):
            name = QLabel()
            bar = QProgressBar()
            bar.setTextVisible(False)
            bar.setMaximumHeight(14)
            count = QLabel()
            bar.setMinimumWidth(120)
            bar.setMaximumWidth(420)
            btn = QPushButton("Walk me through…")
            btn.setObjectName(f"walk_{p.track}")
            btn.clicked.connect(lambda _=False, t=p.track: self.walk.emit(t))
            self._set_progress_row(p, name, bar, count, btn)
            rows.append((p.track, name, bar, count, btn))
            lay.addWidget(name, i, 0)
            lay.addWidget(bar, i, 1)
            lay.addWidget(count, i, 2)
            lay.addWidget(btn, i, 3)
            self.walk_buttons[p.track] = btn
            self.progress_bars[p.track] = bar
        lay.setColumnStretch(1, 1)
        lay.setColumnStretch(4, 2)  # wide windows: the bars stop growing, the rest is air
        self._tab_in_reading_order()

    @staticmethod
    def _set_progress_row(p, name: QLabel, bar: QProgressBar, count: QLabel, btn: QPushButton) -> None:
        name.setText(p.title)
        bar.setRange(0, max(1, p.applicable))
        bar.setValue(p.done)
        count.setText(p.text)
        bar.setAccessibleName(f"{p.title}: {p.text}")
        btn.setAccessibleName(f"Walk me through {p.title}")
        btn.setToolTip("Start at " + (step_title(p.first_open) if p.first_open else "the first step"))

    def _fill_blocks(self, journey: Journey) -> None:
        rows = []
        for b in blocking_now(journey)[:6]:
            st = journey.step(b.step_id).status
            col = theme.status_color(st).name()
            line = (f"<b style='color:{col}'>{_escape(theme.status_text(st))}</b> "
                    f"{_link(b.step_id)}")
            if b.reason:
                line += f"<br>{_escape(b.reason)}"
            if b.holds_up:
                line += "<br><i>Holds up: " + ", ".join(_escape(step_name(x)) for x in b.holds_up) + "</i>"
            rows.append(line)
        self.blocks_label.setText("".join(f"<p style='margin:0 0 {0 if i == len(rows) - 1 else 8}px 0'>{r}</p>"
                                          for i, r in enumerate(rows)) if rows else "Nothing blocks you now.")

    def _action_rows(self, items: list[ActionItem]) -> str:
        """One paragraph per date: the date once, then each thing due that day with its step's link
        (a card and the step that needs it are two lines under one date, not the date twice)."""
        today = self.session.today
        out = []
        for group in _by_date(items):
            a = group[0]
            when = _escape(a.when(today))
            if a.overdue(today):
                when = f"<b style='color:{theme.status_color('expired').name()}'>{when}</b>"
            else:
                when = f"<b>{when}</b>"
            lines = "<br>".join(f"{_escape(x.text)} <span style='color:{theme.muted_color()}'>"
                                f"({_link(x.step_id)})</span>" for x in group)
            out.append(f"<p style='margin:0 0 6px 0'>{when}<br>{lines}</p>")
        return "".join(out)

    def _fill_actions(self, items: list[ActionItem]) -> None:
        self.actions_label.setText(self._action_rows(items)
                                   if items else "No dated actions: open a step to add your dates.")

    def _fill_deadlines(self, journey: Journey) -> None:
        d30 = deadlines(journey, 30)
        d90 = [d for d in deadlines(journey, 90) if d not in d30]
        if self.session.profile_id is not None:  # issue 18: interviews and invite reply-by dates
            p30 = program_deadlines(self.session.store, self.session.profile_id, journey.today, 30)
            d30 = sorted(d30 + p30, key=lambda a: a.date or journey.today)
            d90 = sorted(d90 + [a for a in program_deadlines(self.session.store, self.session.profile_id,
                                                            journey.today, 90) if a not in p30],
                         key=lambda a: a.date or journey.today)
        parts = ["<b>Next 30 days</b>", self._action_rows(d30) or "<p style='margin:0 0 6px 0'>None.</p>",
                 "<b>31 to 90 days</b>", self._action_rows(d90) or "<p style='margin:0 0 6px 0'>None.</p>"]
        self.deadlines_label.setText("".join(parts))
