"""Calendar export (.ics) of a profile's dated items, with the `icalendar` library.

Each reminder is an all-day VEVENT (DTSTART;VALUE=DATE, DTEND the next day: dates have no time
zone, so they land on the same day in every calendar), with one VALARM per stage at 09:00 on the
stage day (TRIGGER relative to the start) and one on the day itself. A reminder with a time (an
application-season interview with its time and zone: `Reminder.start`) is a timed event instead:
DTSTART;TZID=<the program's zone> and DTEND after its length, the zone's VTIMEZONE included, stage
alarms at 09:00 in the user's home time zone (the season settings' `home_tz`; without one, the
program's zone) and one an hour before it starts; an interview without a time stays
all-day. UIDs are derived from the
profile id and the reminder's stable key (`Reminder.calendar_key`: its `source_key`, or the old
key of a row re-keyed from a text-derived key), so importing a newer export updates events
instead of duplicating them. SEQUENCE is the reminder's stored revision (it goes up when the
date, title, stages or done state change, or a timed event's start, zone or length: `Reminder.timing`) and LAST-MODIFIED the day of that change at 00:00 UTC,
so Outlook treats a re-import as an update. A "do it now" action (one the engine dates today, day
after day) is dated the day it first became due (`Reminder.calendar_date`), so its event neither
moves nor gets a new SEQUENCE every day. DTSTAMP is a parameter (default: `today` at 00:00
UTC), so the same data on the same day exports byte-identical files.

`icalendar` is imported inside the functions: start-up time matters.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from . import __version__
from .reminders import Reminder
from .wording import iso_dates

PRODID = f"-//CertPath//CertPath {__version__}//EN"
UID_NAMESPACE = uuid.UUID("5f0c2a52-5d7e-4c1e-9c43-3a9f1c1e0c11")
ALARM_HOUR = 9  # alarms ring at 09:00 on the stage day
TIMED_LEAD_MINUTES = 60  # a timed event's alarm on its own day: an hour before it starts


def event_uid(profile_id: int, source_key: str) -> str:
    return f"{uuid.uuid5(UID_NAMESPACE, f'{profile_id}:{source_key}')}@certpath"


def _midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def alarm_trigger(stage_days: int) -> dt.timedelta:
    """From the event's start (00:00 of the date) to 09:00 `stage_days` days earlier."""
    return dt.timedelta(days=-stage_days, hours=ALARM_HOUR)


def timed_alarm_trigger(stage_days: int, start: dt.datetime, home: dt.tzinfo | None = None) -> dt.timedelta:
    """A timed event's alarm: at 09:00 `stage_days` days before, and on the day itself
    TIMED_LEAD_MINUTES before it starts (09:00 may be after an early start).

    09:00 is in `home` (the user's own zone), counted from the event's date there (an evening
    interview in Los Angeles is the next morning in Kolkata); without `home`, in the event's zone.
    With `home` the offset is the exact time between the two instants (UTC)."""
    if stage_days == 0:
        return -dt.timedelta(minutes=TIMED_LEAD_MINUTES)
    if home is None:
        since_midnight = dt.timedelta(hours=start.hour, minutes=start.minute)
        return dt.timedelta(days=-stage_days, hours=ALARM_HOUR) - since_midnight
    day = start.astimezone(home).date() - dt.timedelta(days=stage_days)
    ring = dt.datetime(day.year, day.month, day.day, ALARM_HOUR, tzinfo=home)
    return ring.astimezone(dt.UTC) - start.astimezone(dt.UTC)


@iso_dates()  # an interface: ISO dates whatever the GUI shows
def build_calendar(reminders: Sequence[Reminder], profile_id: int, profile_name: str, today: dt.date, *,
                   stamp: dt.datetime | None = None, home_tz: str | None = None):
    """An `icalendar.Calendar` of the reminders (done ones are kept, without alarms). `home_tz`: the
    user's zone (an IANA name) for timed events' stage alarms; None or unknown: each event's own."""
    from icalendar import Alarm, Calendar, Event

    from .programs import _tz

    home = _tz(home_tz) if home_tz else None

    stamp = stamp or _midnight_utc(today)
    zoned = False
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"CertPath: {profile_name}")
    cal.add("x-wr-caldesc", "Deadlines, expiries and reminders from CertPath")
    for r in sorted(reminders, key=lambda r: (r.calendar_date, r.source_key)):
        ev = Event()
        key = r.calendar_key
        ev.add("uid", event_uid(profile_id, key))
        ev.add("dtstamp", stamp)
        ev.add("sequence", max(0, int(r.revision)))
        ev.add("last-modified", min(_midnight_utc(r.revised_on), stamp) if r.revised_on else stamp)
        ev.add("summary", r.title)
        if r.start is not None:  # a timed event (an interview with a time): TZID=<its zone>
            ev.add("dtstart", r.start)
            ev.add("dtend", r.start + dt.timedelta(minutes=max(1, r.minutes)))
            ev.add("transp", "OPAQUE")
            zoned = True
        else:
            # a date: VALUE=DATE; a "do it now" action stays on the day it first became due
            ev.add("dtstart", r.calendar_date)
            ev.add("dtend", r.calendar_date + dt.timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        desc = [r.detail] if r.detail and r.detail != r.title else []
        if r.step_id:
            desc.append(f"Step: {r.step_id}")
        if r.repeat_days:
            every = "day" if r.repeat_days == 1 else f"{r.repeat_days} days"
            desc.append(f"Repeats every {every} (the next one is exported when this is done).")
        desc.append("From CertPath. Verify every requirement with the official source.")
        ev.add("description", "\n".join(desc))
        ev.add("categories", [r.kind])
        if r.done:
            ev.add("status", "CONFIRMED")
        else:
            for s in sorted(set(r.stages) | {0}, reverse=True):
                a = Alarm()
                a.add("uid", event_uid(profile_id, f"{key}#alarm-{s}"))
                a.add("action", "DISPLAY")
                when = "today" if s == 0 else (f"in {s} day" + ("s" if s != 1 else ""))
                if r.start is not None and s == 0:
                    when = f"in {TIMED_LEAD_MINUTES} minutes"
                a.add("description", f"{r.title} ({when})")
                a.add("trigger", alarm_trigger(s) if r.start is None else timed_alarm_trigger(s, r.start, home))
                ev.add_component(a)
        cal.add_component(ev)
    if zoned:  # the zones' rules (VTIMEZONE) for the years the timed events fall in
        years = [r.start.year for r in reminders if r.start is not None]
        cal.add_missing_timezones(first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 2, 1, 1))
    return cal


def export_ics(store, profile_id: int, today: dt.date, *, stamp: dt.datetime | None = None,
               reminders: Sequence[Reminder] | None = None) -> bytes:
    """The profile's reminders (computed ones merged with the user's stages, and tasks) as .ics bytes;
    timed events' stage alarms at 09:00 in the season settings' `home_tz` when one is set."""
    from .programs import ProgramStore
    from .reminders import current

    rs = current(store, profile_id, today) if reminders is None else reminders
    home_tz = ProgramStore(store).settings(profile_id).get("home_tz")
    cal = build_calendar(rs, profile_id, store.profile(profile_id)["name"], today, stamp=stamp,
                         home_tz=home_tz if isinstance(home_tz, str) else None)
    return cal.to_ical()
