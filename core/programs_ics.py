"""Calendar export (.ics) of the application season: interviews as timed events in the program's
time zone (DTSTART;TZID=..., with the VTIMEZONE definitions), invite reply-by dates as all-day
events. UIDs are the main calendar export's (core.ics.event_uid of the profile id and the reminder
key `program:<program uid>:<kind>`, core.reminders.program_key; the program's `uid` is kept through
exports, imports and edits), so a newer export updates the same events instead of duplicating them,
and importing both this file and the main .ics gives each interview once. (Until 2026-12 this file
had UIDs of its own, from the program uid alone; the main export's were kept because more users
import that one, and this one moved to them.) SEQUENCE and LAST-MODIFIED are the reminder's
revision when `revisions` gives it (the CLI passes the stored ones), so both files agree on which
copy is newer. DTSTAMP is a parameter (default: `today` at 00:00 UTC): the same data on the same
day gives byte-identical files.

An interview with a date but no time (or no zone) is an all-day event. Withdrawn programs are
left out. `icalendar` is imported inside the functions (start-up time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from . import __version__
from . import ics as main_ics
from .programs import Program, dated_items
from .reminders import program_key
from .wording import iso_dates

PRODID = f"-//CertPath//CertPath {__version__} programs//EN"


def event_uid(profile_id: int, program_uid: str, kind: str) -> str:
    """The event's UID: the same as the main .ics export's for this interview or reply-by date."""
    return main_ics.event_uid(profile_id, program_key(program_uid, kind))


@iso_dates()  # an interface: ISO dates whatever the GUI shows
def build_program_calendar(programs: Iterable[Program], profile_name: str, today: dt.date, *, profile_id: int,
                           stamp: dt.datetime | None = None,
                           revisions: Mapping[str, tuple[int, dt.date | None]] | None = None):
    """`revisions`: reminder key -> (revision, revised_on) of the stored reminders (SEQUENCE and
    LAST-MODIFIED, as in the main export); an event without one has SEQUENCE 0."""
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
        key = program_key(p.uid, item.kind)
        ev.add("uid", event_uid(profile_id, p.uid, item.kind))
        ev.add("dtstamp", stamp)
        rev, revised_on = (revisions or {}).get(key, (0, None))
        ev.add("sequence", max(0, int(rev)))
        if revised_on is not None:
            ev.add("last-modified", min(dt.datetime(revised_on.year, revised_on.month, revised_on.day,
                                                    tzinfo=dt.UTC), stamp))
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
            a.add("uid", main_ics.event_uid(profile_id, f"{key}#alarm-1d"))
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
            a.add("uid", main_ics.event_uid(profile_id, f"{key}#alarm-2d"))
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


def export_program_ics(programs: Iterable[Program], profile_name: str, today: dt.date, *, profile_id: int,
                       stamp: dt.datetime | None = None,
                       revisions: Mapping[str, tuple[int, dt.date | None]] | None = None) -> bytes:
    return build_program_calendar(programs, profile_name, today, profile_id=profile_id, stamp=stamp,
                                  revisions=revisions).to_ical()


def stored_revisions(store, profile_id: int, today: dt.date) -> dict[str, tuple[int, dt.date | None]]:
    """The program reminders' revisions as the main export gives them (core.reminders.current)."""
    from .reminders import current

    return {r.source_key: (r.revision, r.revised_on) for r in current(store, profile_id, today)
            if r.source_key.startswith("program:")}
