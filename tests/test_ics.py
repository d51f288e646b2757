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
