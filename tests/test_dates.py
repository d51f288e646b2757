import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import dates
from core.dates import add_business_days, add_months, add_years_same_day, end_of_month, months_between
from core.engine.cards import expiry_from
from core.rules import load_rules

D = dt.date
issue_dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2150, 12, 31))


@pytest.mark.parametrize("d, n, want", [
    (D(2026, 1, 31), 1, D(2026, 2, 28)),
    (D(2028, 1, 31), 1, D(2028, 2, 29)),
    (D(2026, 3, 31), -1, D(2026, 2, 28)),
    (D(2026, 12, 15), 1, D(2027, 1, 15)),
    (D(2026, 1, 15), -1, D(2025, 12, 15)),
    (D(2026, 3, 10), 24, D(2028, 3, 10)),
    (D(2028, 2, 29), 24, D(2030, 2, 28)),
    (D(2026, 5, 31), 0, D(2026, 5, 31)),
])
def test_add_months(d, n, want):
    assert add_months(d, n) == want


@pytest.mark.parametrize("d, want", [
    (D(2026, 2, 3), D(2026, 2, 28)),
    (D(2028, 2, 1), D(2028, 2, 29)),
    (D(2026, 12, 1), D(2026, 12, 31)),
    (D(2026, 4, 30), D(2026, 4, 30)),
])
def test_end_of_month(d, want):
    assert end_of_month(d) == want


@pytest.mark.parametrize("d, n, want", [
    (D(2028, 2, 29), 2, D(2030, 2, 28)),
    (D(2028, 2, 29), 4, D(2032, 2, 29)),
    (D(2026, 12, 31), 2, D(2028, 12, 31)),
    (D(2026, 3, 10), 2, D(2028, 3, 10)),
])
def test_add_years_same_day(d, n, want):
    assert add_years_same_day(d, n) == want


@pytest.mark.parametrize("d, n, want", [
    (D(2026, 11, 20), 1, D(2026, 11, 23)),   # Friday + 1 = Monday
    (D(2026, 11, 21), 1, D(2026, 11, 23)),   # Saturday + 1 = Monday
    (D(2026, 11, 23), 5, D(2026, 11, 30)),   # one week
    (D(2026, 11, 23), 20, D(2026, 12, 21)),  # four weeks, no holiday table
    (D(2026, 12, 24), 20, D(2027, 1, 21)),   # across the year end
    (D(2026, 11, 23), 0, D(2026, 11, 23)),
    (D(2026, 11, 23), -1, D(2026, 11, 20)),
])
def test_add_business_days(d, n, want):
    assert add_business_days(d, n) == want


@pytest.mark.parametrize("a, b, want", [
    (D(2026, 1, 31), D(2026, 2, 28), 1),
    (D(2026, 1, 31), D(2026, 2, 27), 0),
    (D(2026, 3, 10), D(2028, 3, 31), 24),
    (D(2026, 3, 10), D(2028, 3, 9), 23),
    (D(2028, 3, 9), D(2026, 3, 10), -23),
    (D(2026, 5, 5), D(2026, 5, 5), 0),
])
def test_months_between(a, b, want):
    assert months_between(a, b) == want


def test_calendar_months_between_ignores_days():
    assert dates.calendar_months_between(D(2026, 1, 31), D(2026, 2, 1)) == 1


@given(issue_dates, st.integers(min_value=0, max_value=40))
def test_business_days_land_on_weekdays_and_count(d, n):
    end = add_business_days(d, n)
    assert end >= d
    if n:
        assert end.weekday() < 5
    days = [d + dt.timedelta(days=i) for i in range(1, (end - d).days + 1)]
    assert sum(1 for x in days if x.weekday() < 5) == n


@given(issue_dates, st.integers(min_value=-600, max_value=600))
def test_add_months_stays_in_target_month(d, n):
    r = add_months(d, n)
    assert dates.calendar_months_between(d, r) == n
    assert r.day == min(d.day, end_of_month(r).day)


@given(issue_dates)
def test_aha_expiry_property(d):
    """For any issue date the AHA expiry is the last day of a month, >= 24 and < 25 months later."""
    rule = load_rules().get("cards.expiry.aha", d)
    exp = expiry_from(d, rule)
    assert exp == end_of_month(exp)
    assert add_months(d, 24) <= exp < add_months(d, 25)
    assert months_between(d, exp) == 24


@given(issue_dates)
def test_red_cross_expiry_property(d):
    rule = load_rules().get("cards.expiry.red_cross", d)
    exp = expiry_from(d, rule)
    assert exp.month == d.month
    assert exp.year == d.year + 2
    assert exp.day == d.day or (d.month, d.day, exp.day) == (2, 29, 28)


@pytest.mark.parametrize("issue, want", [
    (D(2026, 3, 10), D(2028, 3, 31)),   # R1 example
    (D(2026, 1, 31), D(2028, 1, 31)),
    (D(2028, 2, 29), D(2030, 2, 28)),
    (D(2027, 12, 31), D(2029, 12, 31)),  # year end
    (D(2026, 2, 1), D(2028, 2, 29)),     # into a leap February
])
def test_aha_expiry_examples(issue, want):
    assert expiry_from(issue, load_rules().get("cards.expiry.aha", issue)) == want


@pytest.mark.parametrize("issue, want", [
    (D(2028, 2, 29), D(2030, 2, 28)),   # R10: 29 Feb -> 28 Feb
    (D(2026, 3, 10), D(2028, 3, 10)),
])
def test_red_cross_expiry_examples(issue, want):
    assert expiry_from(issue, load_rules().get("cards.expiry.red_cross", issue)) == want


@given(issue_dates, issue_dates)
def test_months_between_is_the_largest_whole_month_count(a, b):
    """The definition months_between is documented with, checked against add_months itself (both
    are dateutil's relativedelta now): counted from the earlier date, symmetric in sign."""
    m = months_between(a, b)
    lo, hi = (a, b) if a <= b else (b, a)
    assert m == -months_between(b, a)
    assert add_months(lo, abs(m)) <= hi < add_months(lo, abs(m) + 1)


@pytest.mark.parametrize("call", [
    lambda: add_months(D(9999, 12, 1), 1),
    lambda: add_months(D(1, 1, 31), -1),
    lambda: add_years_same_day(D(9999, 2, 28), 1),
    lambda: add_months(D(2026, 1, 1), 10**12),
])
def test_out_of_range_is_overflow_error(call):
    # callers (profile import, the engine) catch OverflowError for hostile dates: keep that type
    with pytest.raises(OverflowError, match="date out of range"):
        call()


def test_parse_date_reads_each_text_by_its_value_and_refuses_a_bad_one_every_time():
    from core.validate import date_problem, parse_date

    assert parse_date("2026-02-28") == dt.date(2026, 2, 28)
    assert parse_date("2026-03-01") == dt.date(2026, 3, 1)  # another text, another date
    assert parse_date(" 2026-03-01 ") == dt.date(2026, 3, 1) and parse_date("20260301") == dt.date(2026, 3, 1)
    for bad in ("2026-02-30", "1899-12-31", "2026-3-1", "  ", "31/01/2026"):
        for _ in range(2):  # a refusal is not remembered as an answer
            with pytest.raises(ValueError) as e:
                parse_date(bad)
            assert bad.strip() == "" or str(e.value) == date_problem(bad)

    class Text(str):
        pass

    assert parse_date(Text("2026-01-05")) == dt.date(2026, 1, 5)
    assert parse_date(dt.datetime(2026, 1, 5, 10, 30)) == dt.date(2026, 1, 5)
    assert parse_date(None) is None and parse_date("") is None
    with pytest.raises(ValueError):
        parse_date(20260105)
