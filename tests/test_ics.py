"""Calendar export: parsed back with icalendar; all-day dates, alarms at the stages, stable UIDs."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

from core import reminders as rem
from core.ics import ALARM_HOUR, event_uid, export_ics
from core.profiles import parse_document

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def provider(store, today):
    from core import resources_dir

    doc = parse_document((resources_dir() / "demo" / "provider-demo.json").read_bytes(), today)
    return store, store.import_document(doc)


def _events(data: bytes) -> dict:
    cal = Calendar.from_ical(data)
    return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_calendar_header_and_all_day_events(provider, today):
    store, pid = provider
    data = export_ics(store, pid, today)
    cal, events = _events(data)
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["VERSION"]) == "2.0"
    assert "CertPath" in str(cal["PRODID"]) and "Dana Reyes" in str(cal["X-WR-CALNAME"])
    items = rem.current(store, pid, today)
    assert len(events) == len(items) > 5
    for r in items:
        e = events[event_uid(pid, r.source_key)]
        start, end = e["DTSTART"].dt, e["DTEND"].dt
        assert type(start) is dt.date and start == r.due  # a date, not a datetime
        assert end == r.due + dt.timedelta(days=1)
        assert e["DTSTAMP"].dt.tzinfo is not None
    assert b"DTSTART;VALUE=DATE:20270630" in data  # the PALS card expiry
    assert b"\r\n" in data


def test_alarms_match_the_stages_including_custom_ones(provider, today):
    store, pid = provider
    items = {r.source_key: r for r in rem.sync(store, pid, today)}
    card = items["step:pals.card:expires"]
    rem.set_stages(store, card.id, [45, 2], today=today)
    _, events = _events(export_ics(store, pid, today))
    e = events[event_uid(pid, "step:pals.card:expires")]
    triggers = sorted(a["TRIGGER"].dt for a in e.walk("VALARM"))
    assert triggers == sorted(dt.timedelta(days=-s, hours=ALARM_HOUR) for s in (45, 2, 0))
    # each alarm rings at 09:00 on its stage day: the PALS card (2027-06-30), 45 days before = 2027-05-16
    start = dt.datetime.combine(e["DTSTART"].dt, dt.time())
    assert start + min(triggers) == dt.datetime(2027, 5, 16, ALARM_HOUR)
    other = events[event_uid(pid, "step:nrp.card:expires")]
    assert sorted(a["TRIGGER"].dt for a in other.walk("VALARM")) == sorted(
        dt.timedelta(days=-s, hours=ALARM_HOUR) for s in (90, 60, 30, 7, 0))
    assert all(str(a["ACTION"]) == "DISPLAY" for a in other.walk("VALARM"))


def test_done_items_keep_their_event_without_alarms(provider, today):
    store, pid = provider
    items = {r.source_key: r for r in rem.sync(store, pid, today)}
    rem.mark_done(store, items["step:nrp.card:expires"].id, today)
    _, events = _events(export_ics(store, pid, today))
    assert events[event_uid(pid, "step:nrp.card:expires")].walk("VALARM") == []


def test_uids_are_stable_and_re_export_is_identical(provider, today):
    store, pid = provider
    a = export_ics(store, pid, today)
    rem.sync(store, pid, today)
    b = export_ics(store, pid, today)
    assert a == b  # same data, same day: byte-identical
    later = export_ics(store, pid, today + dt.timedelta(days=40))
    uids_a, uids_later = set(_events(a)[1]), set(_events(later)[1])
    assert uids_a & uids_later  # the same items keep their UIDs on a later export
    assert event_uid(pid, "step:pals.card:expires") in uids_later
    assert event_uid(pid, "x") != event_uid(pid + 1, "x")
    assert len(uids_a) == len(set(_events(a)[1]))


def test_cli_ics_and_lazy_import(provider, today, data_dir):
    store, pid = provider
    out = subprocess.run([sys.executable, "-m", "core", "ics", str(pid), "--data-dir", str(data_dir),
                          "--today", today.isoformat()], cwd=ROOT, capture_output=True, check=True)
    assert out.stdout == export_ics(store, pid, today)
    code = "import sys, core.ics, core.cli; print('icalendar' in sys.modules)"
    lazy = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert lazy.stdout.strip() == "False"
    bad = subprocess.run([sys.executable, "-m", "core", "ics", "999", "--data-dir", str(data_dir)],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "no profile with id 999" in bad.stderr


def test_sequence_and_last_modified_follow_the_changes(provider, today):
    store, pid = provider
    key = "step:pals.card:expires"
    uid = event_uid(pid, key)
    rem.sync(store, pid, today)
    a = export_ics(store, pid, today)
    assert export_ics(store, pid, today) == a  # nothing changed: byte-identical
    rem.sync(store, pid, today)
    assert export_ics(store, pid, today) == a  # a sync with nothing new changes nothing either
    _, ev = _events(a)
    assert all(int(e["SEQUENCE"]) == 0 for e in ev.values())
    assert all(e["LAST-MODIFIED"].dt == dt.datetime(2026, 11, 21, tzinfo=dt.UTC) for e in ev.values())
    # the card is renewed on a later day: the expiry moves
    later = today + dt.timedelta(days=5)
    facts = store.step_facts(pid, "pals.card")
    store.save_facts(pid, {"pals.card": {**facts, "issue_date": "2026-11-20"}})
    b_before_sync = export_ics(store, pid, later)  # export reads only, and agrees with what sync writes
    rem.sync(store, pid, later)
    b = export_ics(store, pid, later)
    assert b == b_before_sync
    _, evb = _events(b)
    assert uid in evb  # the same event, updated
    moved = evb[uid]
    assert moved["DTSTART"].dt != ev[uid]["DTSTART"].dt
    assert int(moved["SEQUENCE"]) == int(ev[uid]["SEQUENCE"]) + 1
    assert moved["LAST-MODIFIED"].dt == dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    unchanged = event_uid(pid, "step:nrp.card:expires")
    assert int(evb[unchanged]["SEQUENCE"]) == 0
    assert evb[unchanged]["LAST-MODIFIED"].dt == dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
    # new alarms (stages) and done: SEQUENCE goes up again; a snooze is not in the calendar
    card = next(r for r in rem.current(store, pid, later) if r.source_key == key)
    rem.snooze(store, card.id, later + dt.timedelta(days=3))
    assert export_ics(store, pid, later) == b
    rem.set_stages(store, card.id, [30], today=later)
    rem.mark_done(store, card.id, later)
    _, evc = _events(export_ics(store, pid, later))
    assert int(evc[uid]["SEQUENCE"]) == int(moved["SEQUENCE"]) + 2
    assert b"SEQUENCE:" in b and b"LAST-MODIFIED:20261126T000000Z" in b


def test_last_modified_is_never_after_dtstamp(provider, today):
    store, pid = provider
    rem.sync(store, pid, today)
    stamp = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    _, ev = _events(export_ics(store, pid, today, stamp=stamp))
    assert all(e["LAST-MODIFIED"].dt <= e["DTSTAMP"].dt for e in ev.values())


# --- application-season interviews in the main calendar (issue 18) ---------------------------------

@pytest.fixture
def applicant(store):
    from core.programs import ProgramStore

    pid = store.create_profile("Asha", "img_physician", ["img"], {"img": {"match_year": 2027}})
    ps = ProgramStore(store)
    ids = {
        "mercy": ps.add(pid, {"name": "Mercy", "interview_date": "2026-12-03", "interview_time": "14:30",
                              "interview_tz": "America/Chicago", "interview_minutes": 90, "uid": "mercy-uid"}),
        "oak": ps.add(pid, {"name": "Oak Valley", "interview_date": "2026-12-04", "uid": "oak-uid"}),
        "lake": ps.add(pid, {"name": "Lakeside", "invite_date": "2026-11-20", "reply_by": "2026-11-28",
                             "uid": "lake-uid"}),
        "west": ps.add(pid, {"name": "West Coast", "interview_date": "2027-01-12", "interview_time": "08:00",
                             "interview_tz": "America/Los_Angeles", "uid": "west-uid"}),
    }
    return store, pid, ps, ids


def test_interviews_with_a_time_are_timed_events_with_their_zone(applicant):
    from zoneinfo import ZoneInfo

    store, pid, _ps, _ids = applicant
    today = dt.date(2026, 11, 21)
    data = export_ics(store, pid, today)
    cal, events = _events(data)
    mercy = events[event_uid(pid, "program:mercy-uid:interview")]
    start, end = mercy["DTSTART"].dt, mercy["DTEND"].dt
    assert isinstance(start, dt.datetime) and start.tzinfo is not None
    assert start == dt.datetime(2026, 12, 3, 14, 30, tzinfo=ZoneInfo("America/Chicago"))
    assert start.astimezone(dt.UTC) == dt.datetime(2026, 12, 3, 20, 30, tzinfo=dt.UTC)  # CST is UTC-6
    assert end - start == dt.timedelta(minutes=90)
    assert str(mercy["TRANSP"]) == "OPAQUE"
    assert b"DTSTART;TZID=America/Chicago:20261203T143000" in data
    assert b"DTEND;TZID=America/Chicago:20261203T160000" in data
    # each zone an event uses is defined in the file (VTIMEZONE), so any calendar reads the time
    zones = {str(z["TZID"]) for z in cal.walk("VTIMEZONE")}
    assert zones == {"America/Chicago", "America/Los_Angeles"}
    # the default length when none was given (core.programs.DEFAULT_INTERVIEW_MINUTES)
    west = events[event_uid(pid, "program:west-uid:interview")]
    assert west["DTEND"].dt - west["DTSTART"].dt == dt.timedelta(minutes=240)
    # an interview without a time stays all-day, and so does a reply-by date
    oak = events[event_uid(pid, "program:oak-uid:interview")]
    assert type(oak["DTSTART"].dt) is dt.date and oak["DTSTART"].dt == dt.date(2026, 12, 4)
    assert oak["DTEND"].dt == dt.date(2026, 12, 5) and str(oak["TRANSP"]) == "TRANSPARENT"
    lake = events[event_uid(pid, "program:lake-uid:reply_by")]
    assert type(lake["DTSTART"].dt) is dt.date and lake["DTSTART"].dt == dt.date(2026, 11, 28)
    assert b"DTSTART;VALUE=DATE:20261204" in data


def test_timed_interview_alarms_ring_at_nine_in_its_zone_and_an_hour_before(applicant):
    from core.ics import TIMED_LEAD_MINUTES

    store, pid, _ps, _ids = applicant
    today = dt.date(2026, 11, 21)
    _, events = _events(export_ics(store, pid, today))
    for key, first_stage_day in (("mercy-uid", dt.date(2026, 11, 26)), ("west-uid", dt.date(2026, 12, 13))):
        ev = events[event_uid(pid, f"program:{key}:interview")]
        start = ev["DTSTART"].dt
        rings = sorted(start + a["TRIGGER"].dt for a in ev.walk("VALARM"))
        # 07 days before at 09:00 of the program's zone ... and on the day, an hour before the start
        assert rings[-1] == start - dt.timedelta(minutes=TIMED_LEAD_MINUTES)
        for r in rings[:-1]:
            assert (r.hour, r.minute) == (ALARM_HOUR, 0) and r.tzinfo == start.tzinfo
        assert first_stage_day in {r.date() for r in rings}  # 7 days before (a default stage)


def test_timed_interview_uid_is_stable_and_a_new_time_is_an_update(applicant):
    store, pid, ps, ids = applicant
    today = dt.date(2026, 11, 21)
    rem.sync(store, pid, today)
    first = export_ics(store, pid, today)
    assert export_ics(store, pid, today) == first  # the same data on the same day: the same bytes
    uid = event_uid(pid, "program:mercy-uid:interview")
    ps.update(ids["mercy"], {"interview_time": "10:00", "interview_tz": "America/New_York"})
    later = dt.date(2026, 11, 22)
    rem.sync(store, pid, later)
    _, before = _events(first)
    _, after = _events(export_ics(store, pid, later))
    assert set(after) == set(before)  # the same events (UIDs), none added
    moved = after[uid]
    assert b"TZID=America/New_York" in moved.to_ical() and moved["DTSTART"].dt.hour == 10
    assert int(moved["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1  # calendars take it as an update
    # the time removed: the same event becomes all-day again
    ps.update(ids["mercy"], {"interview_time": None, "interview_tz": None})
    _, plain = _events(export_ics(store, pid, later))
    assert type(plain[uid]["DTSTART"].dt) is dt.date


def test_a_calendar_without_timed_events_has_no_time_zones(provider, today):
    store, pid = provider
    cal, _ = _events(export_ics(store, pid, today))
    assert cal.walk("VTIMEZONE") == []


@pytest.mark.parametrize("change", [
    {"interview_minutes": 45},  # only the length: in no title, the end time moves
    {"interview_tz": "America/Winnipeg"},  # only the zone, with the same abbreviation (CST) in the title
])
def test_a_timed_interview_with_only_its_length_or_zone_changed_is_a_new_revision(applicant, change):
    store, pid, ps, ids = applicant
    today = dt.date(2026, 11, 21)
    uid = event_uid(pid, "program:mercy-uid:interview")
    title = {r.source_key: r.title for r in rem.sync(store, pid, today)}["program:mercy-uid:interview"]
    _, before = _events(export_ics(store, pid, today))
    ps.update(ids["mercy"], change)
    later = dt.date(2026, 11, 22)
    synced = {r.source_key: r for r in rem.sync(store, pid, later)}
    assert synced["program:mercy-uid:interview"].title == title  # the title alone would not show it
    _, after = _events(export_ics(store, pid, later))
    assert set(after) == set(before)
    assert int(after[uid]["SEQUENCE"]) == int(before[uid]["SEQUENCE"]) + 1
    assert after[uid]["LAST-MODIFIED"].dt.date() == later
    shape = lambda e: (str(e["DTSTART"].dt.tzinfo), e["DTEND"].dt - e["DTSTART"].dt)  # noqa: E731
    assert shape(after[uid]) != shape(before[uid])  # the zone or the length the calendar gets
    # nothing else changed: another sync the next day is no new revision, of it or of the others
    rem.sync(store, pid, later + dt.timedelta(days=1))
    _, again = _events(export_ics(store, pid, later + dt.timedelta(days=1)))
    progs = [event_uid(pid, f"program:{k}") for k in ("mercy-uid:interview", "oak-uid:interview",
                                                       "west-uid:interview", "lake-uid:reply_by")]
    assert [int(again[u]["SEQUENCE"]) for u in progs] == [int(after[u]["SEQUENCE"]) for u in progs]
    assert int(after[event_uid(pid, "program:west-uid:interview")]["SEQUENCE"]) == 0


def test_a_timed_reminder_stored_before_timings_were_kept_is_revised_once(applicant):
    store, pid, _ps, _ids = applicant
    today = dt.date(2026, 11, 21)
    rem.sync(store, pid, today)
    store.db.execute("UPDATE reminders SET timing = NULL")  # as the m006 migration leaves old rows
    later = dt.date(2026, 11, 22)
    by_key = {r.source_key: r for r in rem.sync(store, pid, later)}
    assert by_key["program:mercy-uid:interview"].revision == 1  # its calendar copy may be stale
    assert by_key["program:oak-uid:interview"].revision == 0  # all-day: no timing to compare
    assert {r.source_key: r.revision for r in rem.sync(store, pid, later)} == {
        k: r.revision for k, r in by_key.items()}


def test_an_interview_has_the_same_uid_in_the_main_and_the_programs_export(applicant):
    """Importing both files gives each interview and reply-by date once: the programs-ics export
    uses the main one's UIDs (which stay as they were), and the same SEQUENCE."""
    from core.programs_ics import export_program_ics, stored_revisions

    store, pid, ps, ids = applicant
    today = dt.date(2026, 11, 21)
    main_uids = {event_uid(pid, "program:mercy-uid:interview"), event_uid(pid, "program:oak-uid:interview"),
                 event_uid(pid, "program:west-uid:interview"), event_uid(pid, "program:lake-uid:reply_by")}
    rem.sync(store, pid, today)
    ps.update(ids["mercy"], {"interview_minutes": 60})
    later = dt.date(2026, 11, 22)
    rem.sync(store, pid, later)

    def both():
        _, main = _events(export_ics(store, pid, later))
        _, progs = _events(export_program_ics(ps.list(pid), "Asha", later, profile_id=pid,
                                              revisions=stored_revisions(store, pid, later)))
        return main, progs

    main, progs = both()
    assert set(progs) == main_uids and main_uids <= set(main)
    for uid in main_uids:
        assert (int(progs[uid]["SEQUENCE"]), progs[uid]["DTSTART"].dt) == (
            int(main[uid]["SEQUENCE"]), main[uid]["DTSTART"].dt)
    assert int(progs[event_uid(pid, "program:mercy-uid:interview")]["SEQUENCE"]) == 1
    # a second profile's interview of the same program uid is another event
    other = store.create_profile("Ben", "img_physician", ["img"], {"img": {"match_year": 2027}})
    ps.add(other, {"name": "Mercy", "interview_date": "2026-12-03", "uid": "mercy-uid"})
    _, theirs = _events(export_program_ics(ps.list(other), "Ben", later, profile_id=other))
    assert not set(theirs) & main_uids


def test_timed_interview_alarms_ring_at_nine_in_the_home_time_zone_when_set(applicant):
    """An applicant in Kolkata: the stage alarms ring at 09:00 Kolkata time, counted from the
    interview's date there (14:30 in Chicago on 3 Dec is 02:00 on 4 Dec in Kolkata), also across
    the US change from summer time (90 days before a January interview); the last one still an
    hour before the start."""
    from zoneinfo import ZoneInfo

    from core.ics import TIMED_LEAD_MINUTES

    store, pid, ps, _ids = applicant
    ps.save_settings(pid, {"home_tz": "Asia/Kolkata"})
    home = ZoneInfo("Asia/Kolkata")
    today = dt.date(2026, 10, 1)
    _, events = _events(export_ics(store, pid, today))
    for key, home_day in (("mercy-uid", dt.date(2026, 12, 4)), ("west-uid", dt.date(2027, 1, 12))):
        ev = events[event_uid(pid, f"program:{key}:interview")]
        start = ev["DTSTART"].dt.astimezone(dt.UTC)
        assert start.astimezone(home).date() == home_day
        rings = sorted(start + a["TRIGGER"].dt for a in ev.walk("VALARM"))  # exact instants (UTC)
        assert rings[-1] == start - dt.timedelta(minutes=TIMED_LEAD_MINUTES)
        local = [r.astimezone(home) for r in rings[:-1]]
        assert {(r.hour, r.minute) for r in local} == {(ALARM_HOUR, 0)}
        assert sorted(r.date() for r in local) == [home_day - dt.timedelta(days=s) for s in rem.DEFAULT_STAGES]
    # all-day dates are unchanged (09:00 on the device, whatever the zone)
    oak = events[event_uid(pid, "program:oak-uid:interview")]
    assert sorted(a["TRIGGER"].dt for a in oak.walk("VALARM"))[-1] == dt.timedelta(hours=ALARM_HOUR)
    # no home zone (or a removed one): the program's own zone, as before
    ps.save_settings(pid, {})
    _, plain = _events(export_ics(store, pid, today))
    ev = plain[event_uid(pid, "program:mercy-uid:interview")]
    rings = [ev["DTSTART"].dt + a["TRIGGER"].dt for a in ev.walk("VALARM")]
    assert sorted(r.date() for r in rings)[0] == dt.date(2026, 12, 3) - dt.timedelta(days=90)
    assert all(r.hour == ALARM_HOUR for r in sorted(rings)[:-1])
