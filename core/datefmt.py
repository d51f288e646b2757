"""How a date is written in words: ISO (2027-01-31) unless the GUI installs its display format.

Core never formats a date for a person any other way: the catalogue (core/wording.py, which
re-exports these), the engine's messages and the dashboard's sentences all call `date_text`. The GUI
installs its one display function at start-up (`set_date_formatter`, gui/dates_display.py); the
command line installs nothing, so it prints ISO. Exports, CSV and .ics files and texts stored in the
database are interfaces: they are made under `iso_dates()` (or with `iso=True`) and stay ISO.

No import of anything else in core here: the engine imports this module at its top.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Callable, Iterator


def iso_date(d: dt.date) -> str:
    return d.isoformat()


_date_format: Callable[[dt.date], str] = iso_date


def set_date_formatter(fn: Callable[[dt.date], str] | None) -> None:
    """The hook the GUI installs so that the catalogue's dates read as the GUI shows dates
    (gui/dates_display.py); None puts ISO back. Core itself never formats a date any other way."""
    global _date_format
    _date_format = fn if fn is not None else iso_date


def date_formatter() -> Callable[[dt.date], str]:
    return _date_format


# True while an export, a file or a stored text is being made: ISO whatever the GUI installed
# (a ContextVar, so an export running in a worker thread does not change what the GUI shows)
_force_iso: contextvars.ContextVar[bool] = contextvars.ContextVar("certpath_iso_dates", default=False)


@contextlib.contextmanager
def iso_dates() -> Iterator[None]:
    """Within this block (or a function decorated with it) every date in words is ISO: exports,
    CSV and .ics files and texts stored in the database are interfaces and never follow the GUI's
    display format."""
    token = _force_iso.set(True)
    try:
        yield
    finally:
        _force_iso.reset(token)


def date_text(d: dt.date | None, iso: bool = False) -> str:
    """A date in the installed format (ISO with `iso` or under `iso_dates()`); "?" for an unknown date."""
    if d is None:
        return "?"
    return iso_date(d) if iso or _force_iso.get() else _date_format(d)


_ISO_IN_TEXT = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")


def dates_in(text: str, iso: bool = False) -> str:
    """A free text (a rule's `as_of`: "board page 2025-05-05; memo 2019-09-18") with each ISO date
    in it written by `date_text`; anything else, and a string that is not a real date, is kept."""
    def one(m: re.Match[str]) -> str:
        try:
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return m[0]
        return date_text(d, iso)

    return _ISO_IN_TEXT.sub(one, text)
