"""Pure date arithmetic shared by every track. No rule values live here: callers pass the numbers
they read from rule records (e.g. 24 months, 20 business days).

Calendar-month arithmetic is dateutil's `relativedelta` (python-dateutil is a declared
dependency, and sqlite-utils and icalendar need it anyway); this module only fixes the
conventions CertPath relies on and turns an out-of-range result into OverflowError.

- `add_months(d, n)`: n calendar months on, clamped to the end of a shorter month
  (31 Jan + 1 month = 28 or 29 Feb).
- `end_of_month(d)`: the last day of d's month.
- `add_years_same_day(d, n)`: the same day n years on; 29 Feb becomes 28 Feb in a common year.
- `add_business_days(d, n)`: n working days (Monday to Friday) after d; no holidays are skipped
  (no source gives a holiday calendar for eCard issue, so none is assumed).
- `months_between(a, b)`: whole months from a to b (the largest m with add_months(a, m) <= b);
  negative when b is before a (then counted from b, so that it is symmetric).
- `calendar_months_between(a, b)`: the difference of the (year, month) pairs, ignoring days.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta


def _shift(d: dt.date, delta: relativedelta, what: str) -> dt.date:
    try:
        return d + delta
    except (ValueError, OverflowError) as e:  # relativedelta says "year 10000 is out of range"
        raise OverflowError(f"date out of range: {d.isoformat()} + {what}") from e


def end_of_month(d: dt.date) -> dt.date:
    """The last day of the month of `d`."""
    return d + relativedelta(day=31)  # an absolute day past the month's end is clamped to it


def add_months(d: dt.date, n: int) -> dt.date:
    """`d` moved by `n` calendar months; a day past the end of the target month is clamped to it."""
    return _shift(d, relativedelta(months=n), f"{n} months")


def add_years_same_day(d: dt.date, n: int) -> dt.date:
    """The same month and day `n` years on; 29 February becomes 28 February in a common year."""
    return _shift(d, relativedelta(years=n), f"{n} years")


def is_business_day(d: dt.date) -> bool:
    return d.weekday() < 5


def add_business_days(d: dt.date, n: int) -> dt.date:
    """The date `n` business days (Mon–Fri) after `d` (before it when n < 0); n = 0 gives `d`.

    Counting starts the day after `d`: Friday + 1 = Monday, Saturday + 1 = Monday.
    """
    step = dt.timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    cur = d
    while remaining:
        cur = cur + step
        if is_business_day(cur):
            remaining -= 1
    return cur


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def calendar_months_between(a: dt.date, b: dt.date) -> int:
    """(year, month) of b minus (year, month) of a, in months; days are ignored."""
    return month_index(b) - month_index(a)


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from `a` to `b`: the largest m with add_months(a, m) <= b (negative if b < a)."""
    if b < a:
        return -months_between(b, a)
    rd = relativedelta(b, a)  # counts from a: a + rd.years*12 + rd.months months <= b
    return rd.years * 12 + rd.months


def days_between(a: dt.date, b: dt.date) -> int:
    return (b - a).days
