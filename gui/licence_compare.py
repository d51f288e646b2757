"""The licence page's side-by-side comparison (issue 13): the standard route and the target state's
residency-free route, each with the earliest full-licence date it gives for this profile.

A thin view: core.engine.img.licensure.route_comparison reads the columns from the evaluated
licence step; this widget only lays them out. The words carry the meaning (met / missing / not
published), the colour only helps.
"""

from __future__ import annotations

import html
from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from core.engine.base import StepResult
from core.engine.img.licensure import ALTERNATIVE, ComparisonColumn, route_comparison
from core.wording import date_text, dates_in

from . import theme

STEP_ID = "license.state"
TITLES = {"standard": "Standard route", ALTERNATIVE: "Residency-free route"}
SUMMARY = {"met": "met", "pending": "expected", "missing": "missing", "unanswered": "not answered",
           "unknown": "not published"}
MARKS = {"met": "✓", "missing": "✗", "pending": "…", "unknown": "?", "unanswered": "○"}


def _label(rich: bool = False) -> QLabel:
    lab = theme.WrapLabel()
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    lab.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
    return lab


class _Column(QFrame):
    def __init__(self, route: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.route = route
        self.setObjectName(f"routeColumn_{route}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # two columns share the narrow status column: never wider than it (the text wraps instead)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 8)
        self.title = _label()
        self.title.setFont(theme.heading_font(self.title, 1.0))
        self.full = _label()
        self.full.setObjectName(f"routeFull_{route}")
        self.full.setFont(theme.heading_font(self.full, 1.0, bold=False))
        self.provisional = _label()
        self.intermediate = _label()  # the licence between the two, where the route has one (Nebraska)
        self.intermediate.setObjectName(f"routeIntermediate_{route}")
        self.note = _label()
        self.summary = _label()
        self.summary.setObjectName(f"routeSummary_{route}")
        self.conditions = _label(rich=True)
        self.conditions.setObjectName(f"routeConditions_{route}")
        for w in (self.title, self.full, self.provisional, self.intermediate, self.note, self.summary,
                  self.conditions):
            lay.addWidget(w)
        lay.addStretch(1)

    def show_column(self, c: ComparisonColumn | None, chosen: bool) -> None:
        self.title.setText(TITLES[self.route] + ("  (your choice)" if chosen else ""))
        self.note.setStyleSheet(f"color: {theme.muted_color()};")
        if c is None or not c.available:
            self.full.setText("Not offered")
            self.provisional.setVisible(False)
            self.intermediate.setVisible(False)
            self.note.setText(c.note if c else "")
            self.conditions.setVisible(False)
            self.summary.setVisible(False)
            return
        self.full.setText("Earliest full licence: " + (date_text(c.earliest_full) if c.earliest_full else "no date yet"))
        self.provisional.setText("Provisional licence from: " + date_text(c.provisional) if c.provisional else "")
        self.provisional.setVisible(c.provisional is not None)
        self.intermediate.setText("Transitional licence from: " + date_text(c.intermediate) if c.intermediate else "")
        self.intermediate.setVisible(c.intermediate is not None)
        # the engine's texts carry ISO dates (the journey is made under iso_dates): shown as the GUI shows dates
        self.note.setText(dates_in(c.note))
        self.note.setVisible(bool(c.note))
        counts = Counter(state for state, _ in c.conditions)
        self.summary.setText(", ".join(f"{counts[k]} {SUMMARY[k]}" for k in SUMMARY if counts[k]))
        self.summary.setVisible(bool(counts))
        # the chosen route's conditions are the step's "Why" above: listed here only for the other route
        rows = "".join(f"<li>{MARKS.get(state, '')} {html.escape(dates_in(words))}</li>" for state, words in c.conditions)
        self.conditions.setText(f"<ul style='margin-left:-20px'>{rows}</ul>" if rows and not chosen else "")
        self.conditions.setVisible(bool(rows) and not chosen)
        self.full.setAccessibleName(f"{TITLES[self.route]}: {self.full.text()}")


class LicenceComparison(QWidget):
    """Both routes side by side; hidden on every page but the licence step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("licenceComparison")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 6)
        head = QLabel("Compare the routes")
        head.setFont(theme.heading_font(head, 1.1))
        lay.addWidget(head)
        self.legend = _label()
        self.legend.setText("✓ met  ✗ missing  … expected  ○ not answered  ? not published: ask the board")
        lay.addWidget(self.legend)
        row = QHBoxLayout()
        self.columns = {r: _Column(r) for r in TITLES}
        for col in self.columns.values():
            row.addWidget(col, 1)
        lay.addLayout(row)

    def show_result(self, r: StepResult | None) -> None:
        cols = {c.route: c for c in route_comparison(r)} if r is not None else {}
        self.setVisible(bool(cols))
        chosen = (r.info.get("route") if r is not None else None) or "standard"
        self.legend.setStyleSheet(f"color: {theme.muted_color()};")
        for route, col in self.columns.items():
            col.show_column(cols.get(route), route == chosen)


def for_step(key: str) -> LicenceComparison | None:
    """The comparison widget for the licence step's page, None for any other page."""
    return LicenceComparison() if key == STEP_ID else None
