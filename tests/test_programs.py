"""The application season (core/programs*.py): storage through the migration, eligibility findings
for each requirement kind, dated items and clashes across time zones, the .ics events, the rank
list and its reorder operations, the fee forecast at the tier edges and into the ledger, the CSV
import preview with bad rows, the export/import round trips (CSV and the profile document), and
the command line."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.costs import PAID, PLANNED, Ledger
from core.csv_import import commit
from core.profiles import parse_document
from core.programs import (
    INELIGIBLE,
    WARNING,
    Applicant,
    Program,
    ProgramStore,
    check_one,
    check_programs,
    clashes,
    dated_items,
    load_season,
    rank_count,
    rank_list,
    rank_list_csv,
    rank_list_document,
    rank_list_text,
    split_eligible,
)
from core.programs_fees import add_planned, eras_fee_cents, forecast, season_rule
from core.programs_ics import event_uid, export_program_ics
from core.programs_import import preview_programs, programs_csv
from core.rules import load_rules
from core.validate import ValidationError

D = dt.date
TODAY = D(2026, 11, 1)
ROOT = Path(__file__).resolve().parent.parent
RULES = load_rules()


def prog(pid=1, **data):
    return Program(pid, {"uid": f"u{pid}", "name": f"P{pid}", "visas": "j1_h1b", **data})


def codes(findings):
    return [f.code for f in findings]


APPLICANT = Applicant(visa_need="needs_j1", graduation=D(2019, 6, 30), match_year=2027,
                      scores={"usmle.step1": None, "usmle.step2ck": 231},
                      attempts_to_pass={"usmle.step1": 2, "usmle.step2ck": 1}, certificate=D(2027, 2, 15),
                      usce_months=None, application_deadline=D(2026, 9, 2), rank_list_deadline=D(2027, 3, 3),
                      deadlines_projected={"application": True, "rank_list": True})


# --- eligibility, one requirement kind at a time ----------------------------------------------------

@pytest.mark.parametrize("visas, need, code", [
    ("h1b", "needs_j1", "program.visa_not_sponsored"),
    ("none", "needs_h1b", "program.visa_not_sponsored"),
    ("j1", "needs_h1b", "program.visa_not_sponsored"),
    ("unknown", "needs_j1", "program.visa_unknown"),
    ("j1_h1b", "needs_h1b", None),
    ("j1", "needs_j1", None),
    ("none", "us_citizen", None),
    ("none", "permanent_resident", None),
])
def test_visa_sponsorship(visas, need, code):
    a = Applicant(visa_need=need)
    got = check_one(prog(visas=visas), a, TODAY)
    assert codes(got) == ([code] if code else [])
    if code == "program.visa_not_sponsored":
        assert got[0].severity == INELIGIBLE
        assert "you need one" in got[0].text
    if code == "program.visa_unknown":
        assert got[0].severity == WARNING


def test_graduation_limit_counts_to_the_application_season():
    # Match 2027: the season is 2026; graduated 2019 -> 7 years.
    f = check_one(prog(grad_year_limit=5), APPLICANT, TODAY)
    assert codes(f) == ["program.graduation_limit"] and f[0].params == {
        "limit": 5, "graduated": 2019, "years": 7, "season": 2026}
    assert f[0].text == ("Graduation limit 5 years; you graduated in 2019 (7 years before the 2026 "
                                  "application season).")
    assert check_one(prog(grad_year_limit=7), APPLICANT, TODAY) == ()  # exactly at the limit: eligible
    assert codes(check_one(prog(grad_year_limit=6), APPLICANT, TODAY)) == ["program.graduation_limit"]
    assert codes(check_one(prog(grad_year_limit=5), Applicant(), TODAY)) == ["program.graduation_unknown"]


def test_step_scores_and_first_attempt():
    assert check_one(prog(min_step2ck=231), APPLICANT, TODAY) == ()  # equal passes
    f = check_one(prog(min_step2ck=232), APPLICANT, TODAY)
    assert codes(f) == ["program.score_below_minimum"] and f[0].params["score"] == 231
    # Step 1 reported pass/fail: a numeric minimum cannot be compared, said as a warning.
    f = check_one(prog(min_step1=220), APPLICANT, TODAY)
    assert codes(f) == ["program.score_missing"] and f[0].severity == WARNING
    f = check_one(prog(first_attempt_pass=True), APPLICANT, TODAY)
    assert codes(f) == ["program.not_first_attempt"] and f[0].params == {"step": "usmle.step1", "attempts": 2}
    assert check_one(prog(first_attempt_pass=False), APPLICANT, TODAY) == ()


def test_certificate_by_application_or_rank_list():
    # Certificate expected 2027-02-15: after the application day, before the rank list deadline.
    f = check_one(prog(certificate_by="application"), APPLICANT, TODAY)
    assert codes(f) == ["program.certificate_after_deadline"]
    assert f[0].params["deadline"] == D(2026, 9, 2) and f[0].params["projected"] is True
    assert "2026-09-02, projected" in f[0].text
    assert check_one(prog(certificate_by="rank_list"), APPLICANT, TODAY) == ()
    # The applied date, when recorded, is the application deadline (not projected).
    f = check_one(prog(certificate_by="application", applied_date="2027-03-01"), APPLICANT, TODAY)
    assert f == ()
    later = Applicant(**{**APPLICANT.__dict__, "certificate": D(2027, 3, 4)})
    f = check_one(prog(certificate_by="rank_list"), later, TODAY)
    assert codes(f) == ["program.certificate_after_deadline"]
    on_the_day = Applicant(**{**APPLICANT.__dict__, "certificate": D(2027, 3, 3)})
    assert check_one(prog(certificate_by="rank_list"), on_the_day, TODAY) == ()
    assert codes(check_one(prog(certificate_by="rank_list"), Applicant(), TODAY)) == [
        "program.certificate_deadline_unknown"]
    unknown = Applicant(**{**APPLICANT.__dict__, "certificate": None})
    assert codes(check_one(prog(certificate_by="rank_list"), unknown, TODAY)) == ["program.certificate_date_unknown"]


def test_us_clinical_experience():
    assert codes(check_one(prog(usce_required=True), APPLICANT, TODAY)) == ["program.usce_missing"]
    with_usce = Applicant(**{**APPLICANT.__dict__, "usce_months": 3})
    assert check_one(prog(usce_required=True), with_usce, TODAY) == ()


def test_filter_marks_the_others_not_hides_them():
    ps = [prog(1, visas="j1"), prog(2, visas="h1b"), prog(3, visas="unknown")]
    checks = check_programs(ps, APPLICANT, TODAY)
    yes, no = split_eligible(checks)
    assert [c.program.id for c in yes] == [1, 3] and [c.program.id for c in no] == [2]
    assert len(yes) + len(no) == len(ps)
    assert no[0].to_json()["eligible"] is False and no[0].to_json()["findings"][0]["code"] == \
        "program.visa_not_sponsored"


def test_applicant_read_from_the_profile_document():
    doc = {"format": "certpath-profile/1", "name": "A", "tracks": ["img"], "facts": {
        "img": {"match_year": 2027, "visa_need": "needs_h1b"},
        "ecfmg.school": {"graduation_date": "2020-05-01"},
        "usmle.step2ck": {"attempts": [{"date": "2025-01-05", "result": "fail", "score": 205},
                                       {"date": "2025-06-01", "result": "pass", "score": 240}]},
        "ecfmg.certificate": {"issued_date": "2026-10-01"}}}
    a = Applicant.from_document(doc, TODAY, RULES, {"usce_months": 2})
    assert a.visa_need == "needs_h1b" and a.graduation == D(2020, 5, 1) and a.match_year == 2027
    assert a.scores["usmle.step2ck"] == 240 and a.attempts_to_pass["usmle.step2ck"] == 2
    assert a.certificate == D(2026, 10, 1) and a.certificate_issued and a.usce_months == 2
    assert a.rank_list_deadline == D(2027, 3, 3) and a.deadlines_projected["rank_list"] is True


# --- storage --------------------------------------------------------------------------------------

def _profile(store, facts=None):
    return store.create_profile("Asha", "img_physician", ["img"], facts or {
        "img": {"match_year": 2027, "visa_need": "needs_j1"}, "ecfmg.school": {"graduation_date": "2019-06-30"}})


def test_add_update_delete_and_validation(store):
    pid = _profile(store)
    ps = ProgramStore(store)
    a = ps.add(pid, {"name": "Mercy", "specialty": "internal_medicine", "visas": "j1"})
    p = ps.get(a)
    assert p.uid and p.name == "Mercy"
    ps.update(a, {"visas": "h1b", "city": "Buffalo"})
    assert ps.get(a).get("visas") == "h1b" and ps.get(a).uid == p.uid
    ps.update(a, {"city": ""})
    assert "city" not in ps.get(a).data
    with pytest.raises(ValidationError) as e:
        ps.add(pid, {"name": "X", "interview_time": "9am", "interview_date": "2026-11-10"})
    fields = {pr.field for pr in e.value.problems}
    assert {"interview_time", "interview_tz"} <= fields
    with pytest.raises(ValidationError):
        ps.add(pid, {"name": "X", "visas": "j9"})
    assert len(ps.list(pid)) == 1  # nothing written by the refused adds
    ps.delete(a)
    assert ps.list(pid) == []


def test_programs_go_with_their_profile(store):
    pid = _profile(store)
    ProgramStore(store).add(pid, {"name": "Mercy"})
    ProgramStore(store).add_block(pid, D(2026, 11, 20), D(2026, 11, 22), "night shifts")
    store.delete_profile(pid)
    assert store.db.execute("SELECT count(*) FROM programs").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM program_settings").fetchone()[0] == 0


def test_migration_is_recorded_and_an_older_certpath_refuses_the_file(data_dir, monkeypatch):
    from core import migration_names
    from core.db import NewerVersionError, open_database

    assert "m005_programs" in migration_names.MIGRATION_NAMES
    path = data_dir / "season.sqlite"
    db = open_database(path)
    names = {r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")}
    assert "m005_programs" in names
    db.close()
    before = path.read_bytes()
    # A CertPath without the programs migration (as released before it) opens nothing and changes nothing.
    monkeypatch.setattr(migration_names, "MIGRATION_NAMES",
                        tuple(n for n in migration_names.MIGRATION_NAMES if n != "m005_programs"))
    with pytest.raises(NewerVersionError):
        open_database(path)
    assert path.read_bytes() == before


# --- dated items and clashes ----------------------------------------------------------------------

def iv(pid, date, time=None, tz=None, **kw):
    return prog(pid, interview_date=date, **({"interview_time": time} if time else {}),
                **({"interview_tz": tz} if tz else {}), **kw)


def test_dated_items_interviews_and_reply_by():
    ps = [iv(1, "2026-11-10", "09:00", "America/New_York", interview_mode="virtual"),
          prog(2, invite_date="2026-11-01", reply_by="2026-11-05"),
          prog(3, invite_date="2026-11-01", reply_by="2026-11-04", interview_date="2026-12-01"),  # answered
          iv(4, "2026-11-12", withdrawn=True)]
    items = dated_items(ps)
    assert [(i.kind, i.program_id, i.date) for i in items] == [
        ("reply_by", 2, D(2026, 11, 5)), ("interview", 1, D(2026, 11, 10)), ("interview", 3, D(2026, 12, 1))]
    first = items[1]
    assert (first.time, first.tz, first.code) == ("09:00", "America/New_York", "program.interview")
    assert [i.program_id for i in dated_items(ps, today=D(2026, 11, 6))] == [1, 3]


def test_interviews_overlapping_across_time_zones():
    # 09:00 in New York is 06:00 in Los Angeles: a 06:30 PT interview overlaps a 4-hour ET one.
    a = iv(1, "2026-11-10", "09:00", "America/New_York")
    b = iv(2, "2026-11-10", "06:30", "America/Los_Angeles")
    c = clashes([a, b])
    assert [x.code for x in c] == ["clash.overlap"] and c[0].program_ids == (1, 2)
    # 13:00 ET is after the first one ends (09:00 + 240 min): the same day, not overlapping.
    d = iv(3, "2026-11-10", "10:00", "America/Los_Angeles")  # 13:00 ET
    c = clashes([a, d])
    assert [x.code for x in c] == ["clash.same_day"]
    # A shorter first interview does not reach a 06:30 PT (09:30 ET) start.
    short = iv(1, "2026-11-10", "09:00", "America/New_York", interview_minutes=30)
    assert [x.code for x in clashes([short, b])] == ["clash.same_day"]
    # Different days in each program's zone, overlapping in UTC (late evening PT and next morning in Berlin? no:
    # 23:00 PT on 10 Nov is 08:00 in Berlin on 11 Nov).
    late = iv(5, "2026-11-10", "23:00", "America/Los_Angeles")
    berlin = iv(6, "2026-11-11", "08:30", "Europe/Berlin")
    assert [x.code for x in clashes([late, berlin])] == ["clash.overlap"]


def test_same_local_day_in_the_users_zone_and_blocked_ranges():
    a = iv(1, "2026-11-10", "20:00", "America/Los_Angeles")  # 11 Nov 09:30 in Kolkata
    b = iv(2, "2026-11-11", "14:00", "Asia/Kolkata")
    assert clashes([a, b]) == []  # each program's own dates differ, and they do not overlap
    c = clashes([a, b], {"home_tz": "Asia/Kolkata"})
    assert [x.code for x in c] == ["clash.same_day"] and c[0].date == D(2026, 11, 11)
    blocked = {"blocked": [{"start": "2026-11-11", "end": "2026-11-13", "label": "night shifts"}]}
    c = clashes([iv(3, "2026-11-13"), iv(4, "2026-11-14"), iv(5, "2026-11-11", withdrawn=True)], blocked)
    assert [(x.code, x.program_ids) for x in c] == [("clash.blocked", (3,))]


# --- calendar -------------------------------------------------------------------------------------

def test_ics_timed_events_with_tzid_and_stable_uids():
    from icalendar import Calendar

    ps = [iv(1, "2026-11-10", "09:00", "America/New_York", interview_mode="in_person", city="Buffalo", state="NY"),
          iv(2, "2026-11-12"), prog(3, invite_date="2026-11-01", reply_by="2026-11-05")]
    raw = export_program_ics(ps, "Asha", TODAY, profile_id=7)
    text = raw.decode()
    assert "DTSTART;TZID=America/New_York:20261110T090000" in text
    assert "DTEND;TZID=America/New_York:20261110T130000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:America/New_York" in text
    assert "DTSTART;VALUE=DATE:20261112" in text and "DTSTART;VALUE=DATE:20261105" in text
    cal = Calendar.from_ical(raw)
    uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
    assert uids == [event_uid(7, "u3", "reply_by"), event_uid(7, "u1", "interview"), event_uid(7, "u2", "interview")]
    # The same programs, edited and in another order, on another day: the same UIDs.
    moved = [prog(3, invite_date="2026-11-01", reply_by="2026-11-06"), iv(2, "2026-11-12"),
             iv(1, "2026-11-10", "10:00", "America/New_York")]
    again = Calendar.from_ical(export_program_ics(moved, "Asha", D(2026, 11, 3), profile_id=7))
    assert sorted(str(e["uid"]) for e in again.walk("VEVENT")) == sorted(uids)
    assert export_program_ics(ps, "Asha", TODAY, profile_id=7) == raw  # byte-identical on the same day


# --- rank list ------------------------------------------------------------------------------------

def test_rank_list_only_interviewed_and_reorder(store):
    pid = _profile(store)
    ps = ProgramStore(store)
    ids = [ps.add(pid, {"name": n, "interview_date": "2026-11-1" + str(i)}) for i, n in enumerate("ABCD")]
    ps.add(pid, {"name": "No interview"})
    ps.update(ids[3], {"withdrawn": True})
    assert [p.name for p in rank_list(ps.list(pid))] == ["A", "B", "C"]
    assert [p.name for p in ps.move_rank(pid, ids[2], 1)] == ["C", "A", "B"]
    assert [p.get("rank") for p in rank_list(ps.list(pid))] == [1, 2, 3]
    assert [p.name for p in ps.move_down(pid, ids[2])] == ["A", "C", "B"]
    assert [p.name for p in ps.move_down(pid, ids[1])] == ["A", "C", "B"]  # already last: unchanged
    assert [p.name for p in ps.move_up(pid, ids[0])] == ["A", "C", "B"]  # already first
    assert [p.name for p in ps.move_up(pid, ids[1])] == ["A", "B", "C"]
    assert [p.name for p in ps.move_rank(pid, ids[0], 99)] == ["B", "C", "A"]  # clamped to the end
    with pytest.raises(ValueError):
        ps.move_rank(pid, ids[3], 1)  # withdrawn
    ranked = rank_list(ps.list(pid))
    csv_text = rank_list_csv(ranked)
    assert csv_text.splitlines()[0].startswith("rank,program") and csv_text.splitlines()[1].startswith("1,B,")
    doc = rank_list_document(ranked, rank_count(3, 2027, RULES), "Asha", TODAY)
    assert [r["program"] for r in doc["rows"]] == ["B", "C", "A"]
    assert "3 ranks; 20 included" in rank_list_text(doc)


def test_rank_count_against_nrmp_limits():
    c = rank_count(25, 2027, RULES)
    # No sourced record of the rank-list length limit (the 300 seen only on a blog was dropped):
    # no maximum, never "over"; the included ranks come from NRMP's latest published fee page.
    assert (c.included, c.extra, c.max_ranks, c.over_max) == (20, 5, None, False)
    assert c.latest_known  # no record for the 2027 Match: the latest earlier one, said so
    assert not rank_count(301, 2027, RULES).over_max and rank_count(20, 2027, RULES).extra == 0


# --- fees -----------------------------------------------------------------------------------------

SCHED_2026 = RULES.records("eras.program_fees")[-1].value
SCHED_2024 = RULES.records("eras.program_fees")[0].value


@pytest.mark.parametrize("n, cents", [(0, 0), (1, 1100), (30, 33000), (31, 36000), (43, 72000), (40, 63000)])
def test_eras_fee_edges_2025_2026_seasons(n, cents):
    assert eras_fee_cents(n, SCHED_2026) == cents


@pytest.mark.parametrize("n, cents", [(1, 9900), (10, 9900), (11, 11800), (20, 28900), (21, 31200), (30, 51900),
                                      (31, 54600)])
def test_eras_fee_edges_2024_season(n, cents):
    # AAMC's own example: 30 programs = 99 + 10 x 19 + 10 x 23 = US$519.
    assert eras_fee_cents(n, SCHED_2024) == cents


def test_forecast_by_season_and_latest_known():
    fc = forecast({"internal_medicine": 43, "diagnostic_radiology": 7}, 2026, RULES, ranks=22)
    by = {ln.key: ln for ln in fc.lines}
    # AAMC's example for the 2026 season: 43 IM + 7 radiology = US$797.
    assert by["eras:internal_medicine"].amount_cents + by["eras:diagnostic_radiology"].amount_cents == 79700
    assert not by["eras:internal_medicine"].latest_known
    assert by["nrmp:extra_ranks"].amount_cents == 2 * 3000 and by["nrmp:extra_ranks"].latest_known
    assert by["eras:internal_medicine"].label == "43 programs in Internal medicine: USD 720.00"
    fc27 = forecast({"internal_medicine": 40}, 2027, RULES)
    line = next(ln for ln in fc27.lines if ln.key == "eras:internal_medicine")
    assert line.amount_cents == 63000 and line.latest_known  # no 2027 fee page found: said so
    assert {"code": "fees.latest_known", "params": {"rule_id": "eras.program_fees", "as_of": line.as_of,
                                                   "match_year": 2027}} in fc27.findings
    # The day before and the day the 2025-26 schedule starts.
    assert season_rule(RULES, "eras.program_fees", D(2024, 5, 31))[0].value == SCHED_2024
    assert season_rule(RULES, "eras.program_fees", D(2024, 6, 1))[0].value == SCHED_2026


def test_planned_costs_added_once_and_confirmable(store):
    pid = _profile(store)
    ledger = Ledger(store)
    fc = forecast({"internal_medicine": 40}, 2027, RULES, ranks=25)
    ids = add_planned(ledger, pid, fc)
    assert len(ids) == len(fc.lines) and all(ledger.get(i).status == PLANNED for i in ids)
    assert add_planned(ledger, pid, fc) == []  # not twice
    eras = next(c for c in ledger.list(pid) if c.amount_cents == 63000)
    assert eras.step_id == "match.eras" and "latest known" in eras.note
    ledger.update(eras.id, status=PAID)  # the user confirms it
    assert ledger.get(eras.id).status == PAID


# --- CSV in and out -------------------------------------------------------------------------------

SHEET = (
    "Program,Specialty,State,City,Visa,YOG limit,Step 2 CK cutoff,Interview,Time,Time zone,Note,Note source\n"
    "Mercy Hospital IM,IM,NY,Buffalo,J-1,5,220,2026-11-10,09:00,America/New_York,Takes IMGs,website\n"
    "Sunset Medical Center,Internal medicine,California,Los Angeles,\"J-1 and H-1B\",,,,,,,\n"
    "Bad Row,IM,ZZ,X,J-9,,abc,2026-02-30,25:00,Mars/Olympus,,\n"
    ",FM,IL,Chicago,,,,,,,,\n"
)


def test_import_preview_names_bad_rows_and_writes_nothing_until_commit(store):
    pid = _profile(store)
    pv = preview_programs(store, pid, SHEET.encode(), TODAY)
    assert [r.row for r in pv.valid_rows] == [2, 3]
    bad = {p.column: p.message for p in pv.rows[2].problems}
    assert set(bad) == {"State", "Visa", "Step 2 CK cutoff", "Interview", "Time", "Time zone"}
    assert "February 2026 has 28 days" in bad["Interview"]
    assert [p.column for p in pv.rows[3].problems] == ["Program"]
    assert ProgramStore(store).list(pid) == []  # the preview wrote nothing (a cancel is just not committing)
    done = commit(store, pv, TODAY)
    assert done.startswith("Imported 2 of 2 programs: 2 new")
    got = {p.name: p for p in ProgramStore(store).list(pid)}
    assert got["Sunset Medical Center"].get("visas") == "j1_h1b" and got["Sunset Medical Center"].get("state") == "CA"
    assert got["Mercy Hospital IM"].get("notes") == [{"text": "Takes IMGs", "source": "program_site"}]


def test_import_updates_matching_programs_and_keeps_unlisted_fields(store):
    pid = _profile(store)
    ps = ProgramStore(store)
    a = ps.add(pid, {"name": "Mercy Hospital IM", "specialty": "internal_medicine", "own_score": 8,
                     "acgme_id": "1403511234"})
    pv = preview_programs(store, pid, b"ACGME id,Program,Visa\n1403511234,Mercy (renamed),none\n", TODAY)
    assert pv.rows[0].action == "update" and pv.rows[0].target == a
    commit(store, pv, TODAY)
    p = ps.get(a)
    assert p.get("visas") == "none" and p.name == "Mercy (renamed)" and p.get("own_score") == 8


def test_import_refuses_a_program_changed_after_the_preview(store):
    pid = _profile(store)
    ps = ProgramStore(store)
    a = ps.add(pid, {"name": "Mercy", "specialty": "internal_medicine"})
    pv = preview_programs(store, pid, b"Program,Specialty,Visa\nMercy,IM,j1\n", TODAY)
    ps.update(a, {"city": "Buffalo"})
    with pytest.raises(ValidationError):
        commit(store, pv, TODAY)
    assert ps.get(a).get("visas") is None


def test_csv_export_import_round_trip(store):
    pid = _profile(store)
    ps = ProgramStore(store)
    ps.add(pid, {"name": "=Formula Hospital", "specialty": "pediatrics", "track": "preliminary", "visas": "j1_h1b",
                 "first_attempt_pass": True, "withdrawn": False, "grad_year_limit": 3, "interview_date": "2026-11-10",
                 "interview_time": "09:00", "interview_tz": "America/Chicago", "interview_mode": "virtual",
                 "notes": [{"text": "n1", "source": "email", "read_on": "2026-10-01"}, {"text": "n2"}]})
    ps.add(pid, {"name": "Ünïcode Medical, Inc.", "state": "TX", "own_notes": "line one\nline two", "rank": 1,
                 "interview_date": "2026-11-11"})
    before = [p.data for p in ps.list(pid)]
    text = programs_csv(load_season(store, pid, TODAY).checks)
    assert text.startswith("\ufeff") and "'=Formula Hospital" in text
    pv = preview_programs(store, pid, text.encode("utf-8"), TODAY)
    assert pv.ok and [r.action for r in pv.rows] == ["unchanged"] * 3
    commit(store, pv, TODAY)
    assert [p.data for p in ps.list(pid)] == before
    # Into another profile: the same programs, created.
    other = store.create_profile("B", "other", ["img"])
    pv = preview_programs(store, other, text.encode("utf-8"), TODAY)
    commit(store, pv, TODAY)
    assert sorted(json.dumps(p.data, sort_keys=True) for p in ps.list(other)) == \
        sorted(json.dumps(d, sort_keys=True) for d in before)


# --- the profile document -------------------------------------------------------------------------

def test_document_round_trip_and_version(store):
    pid = _profile(store)
    ps = ProgramStore(store)
    ps.add(pid, {"name": "Mercy", "interview_date": "2026-11-10"})
    ps.save_settings(pid, {"usce_months": 3, "home_tz": "Asia/Kolkata",
                           "blocked": [{"start": "2026-11-20", "end": "2026-11-21"}]})
    doc = store.document(pid)
    assert doc["format"] == "certpath-profile/2" and doc["programs"]["usce_months"] == 3
    text = json.dumps(doc)
    again = parse_document(text, TODAY)
    new = store.import_document(again)
    assert store.document(new)["programs"] == doc["programs"]
    # A profile without programs keeps writing version 1 (older CertPaths read it).
    plain = store.create_profile("C", "other", [])
    assert store.document(plain)["format"] == "certpath-profile/1" and "programs" not in store.document(plain)


def test_document_versions_refused_with_a_clear_message():
    base = {"name": "A", "tracks": []}
    with pytest.raises(ValidationError) as e:
        parse_document(json.dumps({"format": "certpath-profile/3", **base}), TODAY)
    assert "newer than this version of CertPath reads" in e.value.problems[0].message
    with pytest.raises(ValidationError) as e:
        parse_document(json.dumps({"format": "certpath-profile/1", **base, "programs": {"items": []}}), TODAY)
    assert e.value.problems[0].field == "programs" and "certpath-profile/2" in e.value.problems[0].message
    with pytest.raises(ValidationError) as e:
        parse_document(json.dumps({"format": "certpath-profile/2", **base, "programs": {"items": [
            {"name": "X", "visas": "maybe"}, {"uid": "a", "name": "Y"}, {"uid": "a", "name": "Z"}]}}), TODAY)
    fields = {p.field for p in e.value.problems}
    assert {"programs.items[0].visas", "programs.items[2].uid"} <= fields


def test_schema_describes_programs():
    from core.schema import profile_schema

    s = profile_schema()
    assert s["properties"]["format"]["enum"] == ["certpath-profile/1", "certpath-profile/2"]
    item = s["properties"]["programs"]["properties"]["items"]["items"]
    assert item["required"] == ["name"] and item["properties"]["visas"]["enum"][-1] == "unknown"


# --- the command line -----------------------------------------------------------------------------

def cli(*args, env_dir):
    import os

    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "CERTPATH_DATA_DIR": str(env_dir)})


def test_cli_import_list_csv_rank_list_and_ics(tmp_path):
    d = tmp_path / "data"
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"format": "certpath-profile/1", "name": "Asha", "tracks": ["img"], "facts": {
        "img": {"match_year": 2027, "visa_need": "needs_j1"}}}), encoding="utf-8")
    assert cli("import", prof, env_dir=d).stdout.strip() == "1"
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    r = cli("import-programs", 1, sheet, "--dry-run", env_dir=d)
    assert r.returncode == 2 and "row 4, column 'Visa'" in r.stderr and "nothing was written" in r.stderr
    good = tmp_path / "g.csv"
    good.write_text("\n".join(SHEET.splitlines()[:3]) + "\n", encoding="utf-8")
    assert cli("import-programs", 1, good, "--dry-run", env_dir=d).returncode == 0
    assert json.loads(cli("programs", 1, env_dir=d).stdout)["counts"]["programs"] == 0  # dry run wrote nothing
    r = cli("import-programs", 1, good, env_dir=d)
    assert r.returncode == 0 and "2 new" in r.stdout
    out = json.loads(cli("programs", 1, "--today", "2026-11-01", env_dir=d).stdout)
    assert out["counts"] == {"programs": 2, "eligible": 2, "not_eligible": 0}
    assert out["programs"][0]["findings"][0]["code"] == "program.graduation_unknown"
    assert out["fees"]["lines"][0]["latest_known"] is True
    only = json.loads(cli("programs", 1, "--eligible-only", env_dir=d).stdout)
    assert len(only["programs"]) == 2
    csv_out = cli("csv", "programs", 1, env_dir=d).stdout
    assert csv_out.startswith("\ufeffname,specialty") and "Mercy Hospital IM" in csv_out
    assert "1. Mercy Hospital IM" in cli("rank-list", 1, env_dir=d).stdout
    assert "DTSTART;TZID=America/New_York" in cli("programs-ics", 1, env_dir=d).stdout
    r = cli("programs", 9, env_dir=d)
    assert r.returncode == 2 and "no profile with id 9" in r.stderr
    mapped = tmp_path / "m.csv"
    mapped.write_text("Hospital,Sponsorship?\nOak Valley,H-1B\n", encoding="utf-8")
    r = cli("import-programs", 1, mapped, "--map", "Sponsorship?=visas", env_dir=d)
    assert r.returncode == 0 and "1 new" in r.stdout, r.stderr
    progs = json.loads(cli("programs", 1, env_dir=d).stdout)["programs"]
    assert next(p for p in progs if p["name"] == "Oak Valley")["visas"] == "h1b"


# --- signals and the fees command -------------------------------------------------------------------

def test_signals_counted_against_the_seasons_number():
    from core.programs_fees import signal_use

    ps = [prog(i, specialty="internal_medicine", signal="gold") for i in range(1, 5)]  # 4 gold, IM has 3
    ps += [prog(9, specialty="family_medicine", signal="signal"), prog(10, specialty="obstetrics_gynecology",
                                                                      signal="signal")]
    uses = {u.specialty: u for u in signal_use(ps, 2025, RULES)}
    im = uses["internal_medicine"]
    assert im.over == [{"kind": "gold", "used": 4, "limit": 3}]
    assert im.as_of == "2025 ERAS season" and im.earlier is None  # the 2025 season's own record
    assert [f.code for f in im.findings] == ["signals.over_limit"]
    assert im.text() == "Internal medicine: 4 of 3 gold (1 over), 0 of 12 silver"
    fm = uses["family_medicine"]
    assert fm.over == [] and fm.limit == {"total": 5} and fm.findings == []
    assert fm.text() == "Family medicine: 1 of 5 signals"
    ob = uses["obstetrics_gynecology"]
    assert ob.limit is None and ob.earlier is None  # not on AAMC's list: no number invented
    assert ob.to_json()["findings"] == [{"code": "signals.not_published", "params": {
        "specialty": "obstetrics_gynecology", "season": 2025, "count": 1}}]
    assert "not published" in ob.text() and "1 signal marked" in ob.text()
    # The 2027 season has no AAMC record: "not published", never the 2025 number as the limit.
    later = {u.specialty: u for u in signal_use(ps, 2027, RULES)}
    im27 = later["internal_medicine"]
    assert im27.limit is None and im27.over == [] and im27.counts() == []
    assert [f.code for f in im27.findings] == ["signals.not_published"]
    assert im27.text() == "Internal medicine: 4 signals marked; the 2027 season's number is not published"
    assert im27.earlier == {"total": 15, "gold": 3, "silver": 12} and im27.earlier_as_of == "2025 ERAS season"
    assert im27.earlier_text() == "2025 ERAS season: 4 of 3 gold (1 over), 0 of 12 silver"
    assert im27.to_json()["limit"] is None and im27.to_json()["earlier"]["as_of"] == "2025 ERAS season"


def test_signals_in_a_two_tier_specialty_count_plain_signals_as_silver():
    from core.programs_fees import signal_use

    ps = [prog(i, specialty="anesthesiology", signal="silver") for i in range(1, 10)]
    ps += [prog(20, specialty="anesthesiology", signal="signal"), prog(21, specialty="anesthesiology")]
    (an,) = signal_use(ps, 2025, RULES)
    assert an.counts() == [{"kind": "gold", "used": 0, "limit": 5}, {"kind": "silver", "used": 10, "limit": 10}]
    assert an.over == []  # 10 of 10 is not over
    (an,) = signal_use(ps + [prog(22, specialty="anesthesiology", signal="silver")], 2025, RULES)
    assert an.over == [{"kind": "silver", "used": 11, "limit": 10}]


def test_signal_record_is_used_up_to_its_last_season_day_only():
    """The 2025 record runs until 2025-06-01: a Match year whose ERAS season starts later gets
    'not published'. Checked on the day ERAS takes submissions for 2025 (in force) and 2026 (not)."""
    from core.programs_fees import season_days, signal_use

    ps = [prog(1, specialty="psychiatry", signal="signal")]
    assert season_days(2025, RULES)[0] < D(2025, 6, 1) <= season_days(2026, RULES)[0]
    (y25,) = signal_use(ps, 2025, RULES)
    (y26,) = signal_use(ps, 2026, RULES)
    assert y25.limit == {"total": 10} and y26.limit is None and y26.earlier == {"total": 10}


def test_cli_program_fees_forecast_and_planned_costs(tmp_path):
    d = tmp_path / "data"
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"format": "certpath-profile/1", "name": "Asha", "tracks": ["img"], "facts": {
        "img": {"match_year": 2027}}}), encoding="utf-8")
    cli("import", prof, env_dir=d)
    r = cli("program-fees", 1, "--count", "internal_medicine=40", "--ranks", "25", env_dir=d)
    assert r.returncode == 0, r.stderr
    assert "40 programs in Internal medicine: USD 630.00" in r.stdout and "latest known" in r.stdout
    assert "5 ranks beyond the 20 included: USD 150.00" in r.stdout
    r = cli("program-fees", 1, "--count", "internal_medicine=40", "--add", env_dir=d)
    assert "Added 3 planned costs" in r.stdout
    costs = cli("csv", "costs", 1, env_dir=d).stdout
    assert costs.count(",planned,") == 3 and "63000" in costs
    r = cli("program-fees", 1, "--count", "im=4", env_dir=d)
    assert r.returncode == 2 and "SPECIALTY=NUMBER" in r.stderr


def test_dated_item_wording_for_the_dashboard():
    from core.programs import dated_item_text

    ps = [iv(1, "2026-11-10", "09:00", "America/New_York", name="Mercy"),
          prog(2, name="Lakeside", invite_date="2026-11-01", reply_by="2026-11-12"), iv(3, "2026-11-20", name="Oak")]
    by = {i.program_id: i for i in dated_items(ps)}
    assert dated_item_text(by[1], D(2026, 11, 9)) == "Interview tomorrow 09:00 EST: Mercy"
    assert dated_item_text(by[2], D(2026, 11, 9)) == "Reply to the invite from Lakeside by 2026-11-12 (in 3 days)"
    assert dated_item_text(by[3], D(2026, 11, 9)) == "Interview on 2026-11-20 (in 11 days): Oak"
    summer = dated_items([iv(4, "2026-07-10", "09:00", "America/New_York", name="Elm")])[0]
    assert dated_item_text(summer, D(2026, 7, 10)) == "Interview today 09:00 EDT: Elm"


def test_import_with_the_users_column_mapping(store):
    pid = _profile(store)
    sheet = b"Site,Sponsorship?,Notes to self,Where\nMercy,J-1,great,Buffalo\n"
    auto = preview_programs(store, pid, sheet, TODAY)  # none of these headers is a known name or alias
    assert not auto.ok and "no 'Program' column" in str(auto.problems[0]) and auto.rows == []
    pv = preview_programs(store, pid, sheet, TODAY, mapping={"Site": "name", "Sponsorship?": "visas",
                                                              "Notes to self": "own_notes", "Where": None})
    assert pv.ok and pv.headers["visas"] == "Sponsorship?" and "city" not in pv.headers
    commit(store, pv, TODAY)
    (p,) = ProgramStore(store).list(pid)
    assert (p.get("visas"), p.get("own_notes"), p.get("city")) == ("j1", "great", None)
    bad = preview_programs(store, pid, b"Program,Where\nMercy,Buffalo\n", TODAY,
                           mapping={"Program": None, "Nope": "city", "Where": "no_such_field"})
    msgs = " | ".join(str(x) for x in bad.problems)
    assert not bad.ok and "not a column of this file" in msgs and "'no_such_field' is not a program field" in msgs
    assert "program's name" in msgs
    twice = preview_programs(store, pid, sheet, TODAY, mapping={"Site": "name", "Where": "city",
                                                                 "Notes to self": "city"})
    assert "same field" in str(twice.problems[0])


@pytest.mark.parametrize("section, field", [
    ("not an object", "programs"),
    ({"items": "x"}, "programs.items"),
    ({"items": ["a string"]}, "programs.items[0]"),
    ({"items": [{"name": "A", "notes": "text"}]}, "programs.items[0].notes"),
    ({"items": [{"name": "A", "notes": [{"source": "email"}]}]}, "programs.items[0].notes[0].text"),
    ({"items": [{"name": "A", "rank": 1.5}]}, "programs.items[0].rank"),
    ({"items": [{"name": "A", "interview_date": "2026-11-10", "interview_time": "9", "interview_tz": "UTC"}]},
     "programs.items[0].interview_time"),
    ({"items": [{"name": "A", "invite_date": "2026-11-10", "reply_by": "2026-11-01"}]}, "programs.items[0].reply_by"),
    ({"items": [{"name": "Line\nbreak"}]}, "programs.items[0].name"),
    ({"items": [], "blocked": [{"start": "2026-11-10", "end": "2026-11-01"}]}, "programs.blocked[0].end"),
    ({"items": [], "home_tz": "Not/AZone"}, "programs.home_tz"),
    ({"items": [], "colour": "blue"}, "programs.colour"),
])
def test_bad_programs_sections_are_refused_naming_the_field(section, field):
    doc = {"format": "certpath-profile/2", "name": "A", "tracks": [], "programs": section}
    with pytest.raises(ValidationError) as e:
        parse_document(json.dumps(doc), TODAY)
    assert field in {p.field for p in e.value.problems}, e.value.problems


def test_evaluation_survives_odd_but_valid_data(store):
    # Facts of odd shapes (a Step 2 CK attempt without a score, a Match year far off) never crash the season.
    pid = store.create_profile("Odd", "other", ["img"], {"img": {"match_year": 2100},
                                                          "usmle.step2ck": {"attempts": [
                                                              {"date": "2025-01-01", "result": "pass"}]}})
    ProgramStore(store).add(pid, {"name": "A", "min_step2ck": 230, "certificate_by": "application",
                                  "grad_year_limit": 0, "usce_required": True})
    s = load_season(store, pid, TODAY)
    assert {f.code for f in s.checks[0].findings} >= {"program.score_missing", "program.graduation_unknown",
                                                      "program.usce_missing"}
    assert s.fees is not None and s.fees.match_year == 2100


def test_certificate_estimate_from_the_journey(store):
    from core.engine import evaluate

    facts = {"img": {"match_year": 2027, "visa_need": "us_citizen"},
             "ecfmg.school": {"graduation_date": "2020-06-30", "wdoms_listed": True, "sponsor_note": True,
                              "credit_years": 5, "degree": "medicine"},
             "ecfmg.application": {"accepted_date": "2023-01-10"},
             "usmle.step1": {"attempts": [{"date": "2024-03-01", "result": "pass"}]},
             "usmle.step2ck": {"attempts": [{"date": "2025-02-01", "result": "pass", "score": 231}]},
             "ecfmg.pathway": {"legacy_cs_pass": True},
             "ecfmg.credentials": {"diploma_submitted_date": "2026-10-01"}}
    pid = store.create_profile("J", "img_physician", ["img"], facts)
    doc = store.document(pid)
    journey = evaluate(doc, TODAY, RULES)
    expected = journey.step("ecfmg.certificate").info["expected_on"]  # the credentials' wait + issuing
    assert TODAY < expected < D(2027, 3, 3)
    a = Applicant.from_document(doc, TODAY, RULES, {}, journey)
    assert a.certificate == expected and not a.certificate_issued
    assert Applicant.from_document(doc, TODAY, RULES, {}).certificate == expected  # evaluated here instead
    ps = ProgramStore(store)
    ps.add(pid, {"name": "By application", "certificate_by": "application"})
    ps.add(pid, {"name": "By rank list", "certificate_by": "rank_list"})
    s = load_season(store, pid, TODAY, RULES, journey)
    by = {c.program.name: codes(c.findings) for c in s.checks}
    assert by == {"By application": ["program.certificate_after_deadline"], "By rank list": []}


def test_cli_program_edits_as_the_gui_does(tmp_path):
    d = tmp_path / "data"
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"format": "certpath-profile/1", "name": "Asha", "tracks": ["img"], "facts": {
        "img": {"match_year": 2027, "visa_need": "needs_j1"}}}), encoding="utf-8")
    cli("import", prof, env_dir=d)
    a = cli("program", "add", 1, "name=Mercy", "specialty=IM", "visas=both", "interview_date=2026-11-10",
            "interview_time=09:00", "interview_tz=America/New_York", env_dir=d)
    assert a.returncode == 0, a.stderr
    b = cli("program", "add", 1, "name=Oak", "interview_date=2026-11-12", env_dir=d).stdout.strip()
    r = cli("program", "rank", b, "1", env_dir=d)
    assert r.stdout.splitlines() == ["  1. Oak (program 2)", "  2. Mercy (program 1)"]
    assert cli("program", "set", a.stdout.strip(), "visas=", "city=Buffalo", env_dir=d).returncode == 0
    assert cli("program", "block", 1, "2026-11-09", "2026-11-10", "night", "shifts", env_dir=d).returncode == 0
    assert cli("program", "settings", 1, "usce_months=4", env_dir=d).returncode == 0
    out = json.loads(cli("programs", 1, env_dir=d).stdout)
    mercy = next(p for p in out["programs"] if p["name"] == "Mercy")
    assert "visas" not in mercy and mercy["city"] == "Buffalo"
    assert [c["code"] for c in out["clashes"]] == ["clash.blocked"]
    assert out["settings"] == {"blocked": [{"start": "2026-11-09", "end": "2026-11-10", "label": "night shifts"}],
                               "usce_months": 4}
    bad = cli("program", "set", "1", "interview_time=25:00", env_dir=d)
    assert bad.returncode == 2 and "nothing was written" in bad.stderr and "HH:MM" in bad.stderr
    assert cli("program", "unblock", 1, "2", env_dir=d).returncode == 2
    assert cli("program", "unblock", 1, "1", env_dir=d).returncode == 0
    assert cli("program", "delete", "99", env_dir=d).returncode == 2
    assert cli("program", "delete", b, env_dir=d).returncode == 0
    assert [p["name"] for p in json.loads(cli("programs", 1, env_dir=d).stdout)["programs"]] == ["Mercy"]
