"""The one way the GUI shows a date to a person: `show_date(d)`.

Unambiguous in every locale: the month is a word in the user's language, in the user's order
("31 Jan 2027" in en_GB, "Jan 31, 2027" in en_US, "31 janv. 2027" in French, "31.01.2027" never:
Qt's short formats are M/d/yy in one country and d/M/yy in the next). The format comes from the
locale's own long format with the weekday taken out and the month abbreviated, so the order, the
separators and any words ("de", "年") are the locale's.

`install(store)` (start-up) reads the user's choice (View > Dates: "Locale", the default, or "ISO"
2027-01-31) and installs `show_date` as core's date hook (core.datefmt.set_date_formatter), so the
catalogue's findings and the dashboard's sentences read the same. Exports, CSV and .ics files and
the command line stay ISO (core makes them under `iso_dates()`). Typed input stays ISO: the date
editor (gui/date_edit.py) shows this form beside what was typed.

As an extension (gui/extensions.py) this module adds the View > Dates menu.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale
from PySide6.QtGui import QAction, QActionGroup

from core.datefmt import set_date_formatter

if TYPE_CHECKING:
    from .extensions import ExtensionHost

SETTING = "ui.dates"  # "locale" (default) or "iso", in the data folder's settings
LOCALE, ISO = "locale", "iso"
FALLBACK = "d MMM yyyy"  # when a locale's long format gives nothing usable

_mode = LOCALE
_formats: dict[str, str] = {}  # locale name -> display format

# the weekday, a word glued to it (Thai "ddddที่"), and the comma or space that joins it to the rest
_WEEKDAY = re.compile(r"(?:[,،]?\s*)?(?<!d)dddd?(?!d)[^\sA-Za-z',،]*(?:[,،]\s*|\s+)?")


def locale_format(locale: QLocale | None = None) -> str:
    """The display format of `locale` (the default one): its long date format without the weekday,
    the month abbreviated ("MMMM d, yyyy" -> "MMM d, yyyy")."""
    loc = locale or QLocale()
    name = loc.name()
    fmt = _formats.get(name)
    if fmt is None:
        fmt = _derive(loc.dateFormat(QLocale.FormatType.LongFormat))
        _formats[name] = fmt
    return fmt


def _derive(long: str) -> str:
    fmt = _strip_weekday(long).replace("MMMM", "MMM")
    has_day = re.search(r"(?<![d'])d{1,2}(?!d)", fmt) is not None
    has_year = "yy" in fmt
    # a numeric month is unambiguous only beside the locale's own unit words (2027年1月31日)
    has_month = "MMM" in fmt or ("M" in fmt and any(ord(c) > 0x2000 for c in fmt))
    return fmt if has_day and has_year and has_month else FALLBACK


def _strip_weekday(fmt: str) -> str:
    """Remove the weekday ("dddd" or "ddd") and the separator that joins it to the rest, outside
    quoted literals."""
    parts = re.split(r"('(?:[^']|'')*')", fmt)  # odd items: 'quoted literals'
    out = []
    for i, p in enumerate(parts):
        if i % 2 == 0 and re.search(r"(?<!d)dddd?(?!d)", p):
            m = _WEEKDAY.search(p)
            assert m is not None
            lead = p[: m.start()]
            tail = p[m.end():]
            p = lead + (" " if lead.strip() and tail.strip() else "") + tail
        out.append(p)
    return "".join(out).strip(" ,،")


def show_date(d: dt.date | None, long: bool = False) -> str:
    """A date as the GUI shows it: "31 Jan 2027" in the user's language and order (or ISO when the
    user chose ISO); "" for no date. `long`: with the weekday and the month in full, the locale's
    own long format ("Sunday, 31 January 2027"; "Sunday 2027-01-31" under ISO), where a single date
    is the point (today's date on the dashboard, the date editor's echo of what was typed)."""
    if d is None:
        return ""
    loc = QLocale()
    qd = QDate(d.year, d.month, d.day)
    if _mode == ISO:
        return f"{loc.dayName(qd.dayOfWeek())} {d.isoformat()}" if long else d.isoformat()
    if long:
        return loc.toString(qd, QLocale.FormatType.LongFormat)
    return loc.toString(qd, locale_format(loc))


def show_value(v: object) -> str:
    """A stored value as shown: a date, or an ISO date string from a profile's data, through
    `show_date`; anything else as it is ("" for None)."""
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return show_date(v)
    if isinstance(v, str) and len(v) == 10:
        try:
            return show_date(dt.date.fromisoformat(v))
        except ValueError:
            pass
    return str(v)


def mode() -> str:
    return _mode


def set_mode(value: str) -> None:
    """ISO or locale dates from now on, for the GUI and core's wording alike."""
    global _mode
    _mode = ISO if value == ISO else LOCALE
    set_date_formatter(show_date)


def install(store=None) -> None:
    """At start-up: the user's remembered choice, and `show_date` as core's date hook."""
    value = LOCALE
    if store is not None:
        try:
            value = str(store.setting(SETTING, LOCALE))
        except Exception:  # noqa: BLE001 (an unreadable setting: the default)
            value = LOCALE
    set_mode(value)


def uninstall() -> None:
    """Core's ISO dates back (tests; a GUI process never needs it)."""
    global _mode
    _mode = LOCALE
    set_date_formatter(None)


def attach(host: ExtensionHost) -> None:
    """View > Dates: "As in your language (31 Jan 2027)" or "ISO (2027-01-31)", remembered."""
    menu = host.menu_view.addMenu("Da&tes")
    menu.setObjectName("menu_dates")
    group = QActionGroup(menu)
    group.setExclusive(True)
    sample = dt.date(2027, 1, 31)
    set_mode(_mode)  # the hook, also when start-up did not install it (a test's window)
    labels = {LOCALE: "As in your &language ({})", ISO: "&ISO ({})"}
    actions: dict[str, QAction] = {}
    for value in (LOCALE, ISO):
        a = QAction(menu)
        a.setCheckable(True)
        a.setChecked(_mode == value)
        a.setObjectName(f"dates_{value}")
        group.addAction(a)
        menu.addAction(a)
        actions[value] = a

        def choose(_checked: bool = False, value: str = value) -> None:
            if value == _mode:
                return
            set_mode(value)
            try:
                host.session.store.set_setting(SETTING, value)
            except Exception:  # noqa: BLE001 (not remembered, but shown: say so)
                host.show_status("Dates: could not remember the choice in the data folder")
            host.refresh()
            host.show_status("Dates are now shown as " + ("ISO (2027-01-31)" if value == ISO
                                                          else f"in your language ({show_date(sample)})"))

        a.triggered.connect(choose)

    def relabel() -> None:  # the locale sample in the user's language, ISO as it is
        actions[LOCALE].setText(labels[LOCALE].format(
            QLocale().toString(QDate(2027, 1, 31), locale_format()).replace("&", "&&")))
        actions[ISO].setText(labels[ISO].format(sample.isoformat()))

    menu.aboutToShow.connect(relabel)
    relabel()


__all__ = ["ISO", "LOCALE", "attach", "install", "locale_format", "mode", "set_mode", "show_date", "show_value",
           "uninstall"]
