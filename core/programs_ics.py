"""Calendar export (.ics) of the application season: interviews as timed events in the program's
time zone (DTSTART;TZID=..., with the VTIMEZONE definitions), invite reply-by dates as all-day
events. UIDs come from the program's own `uid` (kept through exports, imports and edits), so a
newer export updates the same events instead of duplicating them. DTSTAMP is a parameter
(default: `today` at 00:00 UTC): the same data on the same day gives byte-identical files.

An interview with a date but no time (or no zone) is an all-day event. Withdrawn programs are
left out. `icalendar` is imported inside the functions (start-up time).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from . import __version__
from .programs import Program, dated_items
from .wording import iso_dates

PRODID = f"-//CertPath//CertPath {__version__} programs//EN"
UID_NAMESPACE = uuid.UUID("0b6f9a8e-3c1d-4f65-9d2a-7e1b5c4a9f30")


def event_uid(program_uid: str, kind: str) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, f'{program_uid}:{kind}')}@certpath"


@iso_dates()  # an interface: ISO dates whatever the GUI shows
def build_program_calendar(programs: Iterable[Program], profile_name: str, today: dt.date, *,
                           stamp: dt.datetime | None = None):
    from icalendar import Alarm, Calendar, Event

    from .programs import _tz

    progs = {p.id: p for p in programs}
    stamp = stamp or dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"CertPath: {profile_name}: interviews")
    items = dated_items(progs.values())
    for item in items:
        p = progs[item.program_id]
        ev = Event()
        ev.add("uid", event_uid(p.uid, item.kind))
        ev.add("dtstamp", stamp)
        where = ", ".join(x for x in (p.get("city"), p.get("state")) if x)
        desc = []
        if item.kind == "interview":
            mode = {"virtual": "virtual", "in_person": "in person"}.get(p.get("interview_mode") or "", "")
            ev.add("summary", f"Interview: {p.name}" + (f" ({mode})" if mode else ""))
            start = p.interview_start()
            if start is not None and _tz(p.get("interview_tz")) is not None:
                ev.add("dtstart", start)  # TZID=<the program's zone>
                ev.add("dtend", start + dt.timedelta(minutes=p.interview_minutes))
                ev.add("transp", "OPAQUE")
            else:
                ev.add("dtstart", item.date)
                ev.add("dtend", item.date + dt.timedelta(days=1))
                ev.add("transp", "TRANSPARENT")
                desc.append("Time not recorded yet.")
            if where and p.get("interview_mode") == "in_person":
                ev.add("location", where)
            a = Alarm()
            a.add("uid", event_uid(p.uid, "interview#alarm-1d"))
            a.add("action", "DISPLAY")
            a.add("description", f"Interview tomorrow: {p.name}")
            a.add("trigger", dt.timedelta(days=-1))
            ev.add_component(a)
        else:
            ev.add("summary", f"Reply to the interview invite: {p.name}")
            ev.add("dtstart", item.date)
            ev.add("dtend", item.date + dt.timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
            a = Alarm()
            a.add("uid", event_uid(p.uid, "reply_by#alarm-2d"))
            a.add("action", "DISPLAY")
            a.add("description", f"Reply to {p.name}'s invite by {item.date.isoformat()}")
            a.add("trigger", dt.timedelta(days=-2, hours=9))
            ev.add_component(a)
        if p.get("acgme_id"):
            desc.append(f"ACGME program id: {p.get('acgme_id')}")
        desc.append("From CertPath (application season).")
        ev.add("description", "\n".join(desc))
        ev.add("categories", ["interview" if item.kind == "interview" else "reply_by"])
        cal.add_component(ev)
    if items:  # the zones' rules for the years the events fall in (a small, stable file)
        years = [i.date.year for i in items]
        cal.add_missing_timezones(first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 2, 1, 1))
    return cal


def export_program_ics(programs: Iterable[Program], profile_name: str, today: dt.date, *,
                       stamp: dt.datetime | None = None) -> bytes:
    return build_program_calendar(programs, profile_name, today, stamp=stamp).to_ical()
