"""A date far ahead is said in months and years ("in 5 years 3 months"), a near one in days: the
Step 1 page said "Expires: 10 Mar 2032 (in 1926 days)". The distance is worded once
(core.wording.relative_words / far_span) and every view follows."""

from __future__ import annotations

import datetime as dt
import gettext

import pytest

from core import wording
from core.journey_view import when_words
from core.wording import FAR_DAYS, relative_words

TODAY = dt.date(2026, 12, 1)


def _in(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


@pytest.mark.parametrize(("days", "said"), [
    (0, "today"), (1, "tomorrow"), (-1, "yesterday"), (-400, "400 days ago"), (2, "in 2 days"),
    (FAR_DAYS, "in 60 days"),  # the last day said in days
    (FAR_DAYS + 1, "in 2 months"),  # 31 Jan 2027: 1 month 30 days, to the nearest month
    (300, "in 10 months"), (365, "in 1 year"), (395, "in 1 year 1 month"), (730, "in 2 years"),
    (1926, "in 5 years 3 months"),  # 10 Mar 2032, the walkthrough's Step 1 expiry
])
def test_relative_words_at_the_boundaries(days, said):
    assert relative_words(_in(days), TODAY) == said


def test_the_boundary_moves_with_today():
    d = dt.date(2027, 3, 1)
    assert relative_words(d, d - dt.timedelta(days=60)) == "in 60 days"  # the day before it turns
    assert relative_words(d, d - dt.timedelta(days=61)) == "in 2 months"


def test_the_dated_lines_of_every_kind_follow():
    assert when_words(_in(1926), "deadline", TODAY) == "2032-03-10 (in 5 years 3 months)"
    assert when_words(_in(FAR_DAYS), "opens", TODAY) == "2027-01-30 (in 60 days)"
    assert when_words(_in(-3), "opens", TODAY) == "2026-11-28 (open since, 3 days ago)"  # kept
    assert when_words(_in(-3), "deadline", TODAY) == "2026-11-28 (overdue by 3 days)"


class _Two(gettext.NullTranslations):
    """A language with its own words for the units, through ngettext."""

    def ngettext(self, one, other, n):
        words = {"{count} year": "{count} an", "{count} years": "{count} ans",
                 "{count} month": "{count} mois", "{count} months": "{count} mois", "in {span}": "dans {span}"}
        return words.get(one if n == 1 else other, super().ngettext(one, other, n))

    def gettext(self, message):
        return {"in {span}": "dans {span}"}.get(message, message)


def test_the_span_is_translated_with_its_plural_forms():
    old = wording._translations
    wording.install(_Two())
    try:
        assert relative_words(_in(1926), TODAY) == "dans 5 ans 3 mois"
        assert relative_words(_in(395), TODAY) == "dans 1 an 1 mois"
    finally:
        wording.install(old)


def test_the_step_page_says_a_far_expiry_in_years(qtbot, data_dir, no_modal, shown_window):
    from gui.shell import load_demo, open_session

    session = open_session(data_dir, TODAY, demo=False)
    load_demo(session.store, TODAY)
    session.choose_default_profile()
    win = shown_window(session)
    page = win.open_step("usmle.step1")
    line = next(x for x in page.dates_label.text().splitlines() if x.startswith("Expires:"))
    assert line.endswith("(in 5 years 3 months)") and "days" not in line, line
