"""Rule cards: a value with its unit in the catalogue's plural forms ("1 year", not "1 years",
chosen through ngettext so a translation brings its own forms), and the source's own dates
(`as_of`) as the GUI shows dates; exports and the command line keep ISO (iso_dates())."""

from __future__ import annotations

import datetime as dt
import gettext

import pytest

from core import wording
from core.datefmt import dates_in, iso_dates, set_date_formatter
from core.rules import Rule, Source


def words_date(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


@pytest.fixture
def shown_dates():
    set_date_formatter(words_date)
    yield
    set_date_formatter(None)


@pytest.mark.parametrize("value, unit, words", [
    (1, "years", "1 year"), (2, "years", "2 years"), (1.0, "years", "1.0 year"), (1.5, "years", "1.5 years"),
    (0, "days", "0 days"), (1, "days before expiry", "1 day before expiry"), (36, "months", "36 months"),
    (70, "percent", "70%"), (3, "PGY", "3 PGY"), (250, None, "250"),
])
def test_a_quantity_in_words(value, unit, words):
    assert wording.quantity(value, unit) == words


class _Few(gettext.NullTranslations):
    """A language with a third plural form (2 to 4): ngettext is asked, not "one"/"other" alone."""

    def ngettext(self, msgid1, msgid2, n):
        if msgid1 == "{count} year":
            return "{count} rok" if n == 1 else "{count} roky" if 2 <= n <= 4 else "{count} let"
        return super().ngettext(msgid1, msgid2, n)


def test_plural_forms_come_from_the_installed_translation():
    try:
        wording.install(_Few())
        assert [wording.quantity(n, "years") for n in (1, 3, 5)] == ["1 rok", "3 roky", "5 let"]
    finally:
        wording.install(gettext.NullTranslations())
    assert wording.quantity(3, "years") == "3 years"


def test_iso_dates_in_a_free_text_follow_the_display(shown_dates):
    s = "board page 2025-05-05; Pa. Code current to 2024-01-27; 2021/22; not a date 2024-13-40"
    assert dates_in(s) == ("board page 5 May 2025; Pa. Code current to 27 Jan 2024; 2021/22; "
                           "not a date 2024-13-40")
    with iso_dates():
        assert dates_in(s) == s


def _rule(**kw):
    base = dict(id="license.pgt_minimum_years", statement="At least 1 year.", value=1,
                sources=(Source("https://example.org/x", "summary"),), checked=dt.date(2026, 12, 1),
                confidence="medium", unit="years", as_of="board page 2025-05-05; memo 2019-09-18")
    return Rule(**{**base, **kw})


def test_a_rule_card_says_1_year_and_the_source_dates_as_shown(qtbot, shown_dates):
    from gui.step_page import rule_html

    html = rule_html(_rule())
    assert "Value: 1 year<" in html and "1 years" not in html
    assert "(source dated board page 5 May 2025; memo 18 Sep 2019)" in html
    assert "Checked 1 Dec 2026" in html
    assert "Value: 2 years" in rule_html(_rule(value=2))
    assert "source dated ~2025" in rule_html(_rule(as_of="~2025"))  # a text with no date: as written
