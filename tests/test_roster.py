"""The team roster (core/roster.py): cells from the engine, filters, sorting, the team summary,
the export and the `roster` command."""

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import roster as R
from core.db import transaction
from core.roster import RosterFilter, build_roster, filter_rows, roster_csv, sort_rows, team_summary

ROOT = Path(__file__).resolve().parent.parent
D = dt.date


def core_cli(*args):
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def card_facts(card, issue, body=None, event=None, tc=None, code=None):
    enroll = {k: v for k, v in {"body": body, "course_start": event, "course_end": event,
                                "training_center": tc}.items() if v}
    out = {f"{card}.card": {k: v for k, v in {"issue_date": issue, "ecard_code": code}.items() if v}}
    if enroll:
        out[f"{card}.enroll"] = enroll
    return out


def add(store, name, role, cards):
    facts, tracks = {}, []
    for card, kw in cards.items():
        facts.update(card_facts(card, **kw))
        tracks.append(card)
    return store.create_profile(name, role, tracks, facts)


# --- each body's expiry rule, the day before, the last valid day and the day after -------------

@pytest.mark.parametrize("card, kw, last_day", [
    # AHA: end of the month, 24 months on
    ("pals", {"issue": "2025-03-10", "body": "aha"}, D(2027, 3, 31)),
    ("bls", {"issue": "2025-03-10"}, D(2027, 3, 31)),  # the default body of BLS is AHA
    # Red Cross: two years to the day
    ("bls", {"issue": "2025-03-10", "body": "red_cross"}, D(2027, 3, 10)),
    ("acls", {"issue": "2024-02-29", "body": "red_cross"}, D(2026, 2, 28)),  # 29 Feb -> 28 Feb
    # NRP (AAP): end of the month 24 months after the instructor-led event, not the issue date
    ("nrp", {"issue": "2025-01-05", "event": "2024-12-30"}, D(2026, 12, 31)),
    ("nrp", {"issue": "2025-01-20"}, D(2027, 1, 31)),
])
def test_cell_status_follows_the_body_rule_around_the_last_valid_day(store, card, kw, last_day):
    pid = add(store, "A", "nurse_picu", {card: kw})
    for today, state, days in ((last_day - dt.timedelta(days=1), R.VALID, 1), (last_day, R.VALID, 0),
                               (last_day + dt.timedelta(days=1), R.EXPIRED_STATE, -1)):
        cell = build_roster(store, today).row(pid).cells[card]
        assert cell.expires == last_day, today
        assert (cell.state, cell.days_left(today)) == (state, days), today
        assert cell.card_status == ("done" if state == R.VALID else "expired")
        assert cell.tracked


def test_cells_without_a_card_other_body_and_untracked_cards(store):
    pid = store.create_profile("B", "pediatrician", ["pals", "acls"], {
        **card_facts("acls", "2025-05-01", body="other"),  # no expiry rule for "other"
        **card_facts("bls", "2025-05-01"),  # recorded but not followed
    })
    row = build_roster(store, D(2026, 11, 21)).row(pid)
    assert row.cells["pals"].state == R.NO_CARD and row.cells["pals"].card_status == "not_started"
    assert row.cells["acls"].state == R.UNKNOWN_EXPIRY and row.cells["acls"].expires is None
    assert row.cells["bls"].state == R.VALID and not row.cells["bls"].tracked
    assert row.cells["nrp"].state == R.NONE and row.cells["nrp"].card_status is None
    # a pediatrician typically holds BLS and PALS: PALS is missing, BLS (recorded) is not
    assert "pals" in row.missing and "bls" not in row.missing


def test_renewal_status_comes_from_the_engine(store):
    pid = add(store, "C", "nurse_picu", {"pals": {"issue": "2025-01-10"}})  # valid through 31 Jan 2027
    cell = build_roster(store, D(2026, 12, 1)).row(pid).cells["pals"]
    assert cell.state == R.VALID and cell.renewal_status == "at_risk"  # past the book-by date, nothing booked
    assert cell.renewal_deadline is not None
    assert "cards.expiry.aha" in cell.rules and "cards.plan.book_days_before" in cell.rules


# --- one read, one evaluation per profile ------------------------------------------------------

def test_the_roster_reads_the_data_file_in_one_pass_and_evaluates_each_profile_once(store, monkeypatch):
    with transaction(store.db):
        for i in range(40):
            add(store, f"P{i}", "nurse_picu", {"bls": {"issue": "2025-03-10"}, "pals": {"issue": "2025-04-10"}})
    store.create_profile("No cards", "img_physician", ["img"])
    calls = []
    real = R.evaluate
    monkeypatch.setattr(R, "evaluate", lambda doc, today, rules=None: calls.append(doc["name"]) or real(doc, today, rules))
    selects = []
    store.db.conn.set_trace_callback(lambda sql: selects.append(sql) if sql.lstrip().upper().startswith("SELECT") else None)
    try:
        roster = build_roster(store, D(2026, 11, 21))
    finally:
        store.db.conn.set_trace_callback(None)
    assert len(roster.rows) == 41
    assert len(selects) <= 4, selects  # profiles, facts, overrides: not one query per profile
    assert sorted(calls) == sorted(f"P{i}" for i in range(40))  # once each; a profile without cards: never


# --- filters -----------------------------------------------------------------------------------

@pytest.fixture
def team(store):
    ids = {
        "jose": add(store, "José Núñez", "nurse_picu", {"bls": {"issue": "2025-03-10"},        # 2027-03-31
                                                        "pals": {"issue": "2024-12-02"}}),     # 2026-12-31
        "ana": add(store, "Ana Smith", "nurse_nicu", {"bls": {"issue": "2024-11-05", "body": "red_cross"},  # 2026-11-05
                                                      "nrp": {"issue": "2025-01-20"}}),      # 2027-01-31
        "li": add(store, "Li Wei", "pediatrician", {"bls": {"issue": "2025-10-01"}}),        # no PALS
        "zoe": add(store, "Zoë Adams", "other", {}),
    }
    return ids


TODAY = D(2026, 11, 21)


def names(rows):
    return [r.name for r in rows]


def test_filter_within_days_includes_the_last_day_of_the_window(store, team):
    roster = build_roster(store, TODAY)
    # José's PALS ends 2026-12-31: 40 days from 21 Nov
    assert "José Núñez" in names(filter_rows(roster, RosterFilter(within_days=40)))
    assert "José Núñez" not in names(filter_rows(roster, RosterFilter(within_days=39)))
    assert names(filter_rows(roster, RosterFilter(within_days=40))) == ["José Núñez"]
    # an expired card is not "expiring within"
    assert "Ana Smith" not in names(filter_rows(roster, RosterFilter(within_days=365, cards=("bls",))))


def test_filter_expired_missing_and_their_union(store, team):
    roster = build_roster(store, TODAY)
    assert names(filter_rows(roster, RosterFilter(expired=True))) == ["Ana Smith"]
    assert names(filter_rows(roster, RosterFilter(missing=True))) == ["Li Wei"]  # a pediatrician without PALS
    both = filter_rows(roster, RosterFilter(expired=True, missing=True))
    assert sorted(names(both)) == ["Ana Smith", "Li Wei"]
    assert len(filter_rows(roster, RosterFilter())) == 4


def test_filter_card_subset_limits_what_the_conditions_look_at(store, team):
    roster = build_roster(store, TODAY)
    assert names(filter_rows(roster, RosterFilter(expired=True, cards=("nrp",)))) == []
    assert names(filter_rows(roster, RosterFilter(expired=True, cards=("bls", "nrp")))) == ["Ana Smith"]
    assert names(filter_rows(roster, RosterFilter(missing=True, cards=("bls",)))) == []
    assert RosterFilter(cards=("nrp", "bls")).visible_cards(roster) == ("bls", "nrp")
    with pytest.raises(ValueError, match="card"):
        RosterFilter(cards=("cpr",))


def _many(store):
    """40 people with cards of every body and state around a few last days, some missing one."""
    roles = ("nurse_picu", "pediatrician", "nurse_nicu", "paramedic", "emergency_physician", "other")
    bodies = ("aha", "red_cross", "aha", "other")
    for i in range(40):
        cards = {}
        if i % 5:
            cards["bls"] = {"issue": f"{2024 + i % 3}-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}", "body": bodies[i % 4]}
        if i % 3:
            cards["pals"] = {"issue": f"2024-{1 + (i + 5) % 12:02d}-{10 + i % 18:02d}"}
        if i % 4 == 1:
            cards["nrp"] = {"issue": f"2025-{1 + i % 12:02d}-15"}
        if i % 7 == 3:
            cards["acls"] = {"issue": "2026-11-30"}  # a card issued after some of the days below: no card yet
        add(store, f"Person {i:02d} {'Ñ' if i % 2 else 'N'}ame", roles[i % len(roles)], cards)


@pytest.mark.parametrize("today", [D(2026, 1, 31), D(2026, 2, 1), TODAY, D(2026, 12, 31), D(2027, 1, 1)])
def test_the_filter_index_gives_exactly_the_rows_the_per_row_test_gives(store, today):
    """filter_rows answers a condition from the roster's index (profiles by card state, valid cells
    by last valid day); it must keep exactly the rows `row_matches` keeps, for every condition, card
    subset and search, around the window's ends, in the given order, and for rows of another copy."""
    import dataclasses
    import itertools

    _many(store)
    roster = build_roster(store, today)
    subsets = [(), ("bls",), ("pals", "nrp"), ("acls",), ("bls", "pals", "nrp", "acls", "pears")]
    checked = 0
    for within, expired, missing, cards, search in itertools.product(
            (None, 0, 1, 30, 59, 60, 90, 400), (False, True), (False, True), subsets, ("", "name", "ñ", "01")):
        flt = RosterFilter(within_days=within, expired=expired, missing=missing, cards=cards, search=search)
        want = [r for r in roster.rows if R.row_matches(r, flt, today, flt.visible_cards(roster))]
        assert filter_rows(roster, flt) == want, flt
        reordered = sort_rows(roster.rows, "pals", descending=True)
        assert filter_rows(roster, flt, reordered) == [r for r in reordered if r in want], flt
        checked += bool(want) and len(want) < len(roster.rows)
    assert checked > 100  # (the cases keep some rows, not all or none)
    # a row that is not the roster's own object (a caller's changed copy) is tested by itself
    flt = RosterFilter(missing=True, cards=("pals",))
    own = next(r for r in roster.rows if "pals" not in r.missing)
    copy = dataclasses.replace(own, missing=("pals",), typical=("pals",))
    assert filter_rows(roster, flt, [own]) == [] and filter_rows(roster, flt, [copy]) == [copy]


@pytest.mark.parametrize("today", [D(2026, 1, 31), TODAY, D(2027, 1, 1)])
def test_filter_ordered_gives_filter_rows_of_each_sort_order_with_the_places(store, today):
    """The Team view filters with `filter_ordered` (the filter index, each row's place in the sort
    order, one text of the name keys): the same rows as `filter_rows` of that order, for every
    condition, card subset, search, column and direction; each row's place in the order, ascending."""
    import itertools

    _many(store)
    roster = build_roster(store, today)
    subsets = [(), ("bls",), ("pals", "nrp")]
    for within, expired, missing, cards, search in itertools.product(
            (None, 0, 30, 90), (False, True), (False, True), subsets, ("", "name", "ñ", "01", "e p", "person 39 name")):
        flt = RosterFilter(within_days=within, expired=expired, missing=missing, cards=cards, search=search)
        for column in R.roster_columns(roster):
            for descending in (False, True):
                order = roster.sorted_rows(column, descending)
                rows, places = R.filter_ordered(roster, flt, column, descending)
                assert rows == filter_rows(roster, flt, order), (flt, column, descending)
                assert [order[i] for i in places] == rows and places == sorted(places)


def test_a_name_search_never_matches_across_two_names(store):
    """The name keys are searched as one text: a search must not find the end of one name and the
    start of the next (nor a name's own NUL, which search_keys leaves in its key)."""
    for name in ("Ann Ab", "Cd Bob", "Ef\x00Gh"):
        add(store, name, "other", {"bls": {"issue": "2025-03-10"}})
    roster = build_roster(store, TODAY)
    for text, want in (("ab", ["Ann Ab"]), ("abcd", []), ("ab\x00cd", []), ("b\x00c", []), ("bob\x00ef", []),
                       ("f\x00g", ["Ef\x00Gh"]), ("gh", ["Ef\x00Gh"]), ("b", ["Ann Ab", "Cd Bob"])):
        rows, _places = R.filter_ordered(roster, RosterFilter(search=text))
        assert names(rows) == want, text
        assert rows == filter_rows(roster, RosterFilter(search=text)), text


@pytest.mark.parametrize("text, expected", [
    ("jose", ["José Núñez"]), ("NUNEZ", ["José Núñez"]), ("núñez", ["José Núñez"]), ("zoe", ["Zoë Adams"]),
    ("  li   wei ", ["Li Wei"]), ("n", ["Ana Smith", "José Núñez"]), ("nobody", []),
])
def test_search_ignores_case_and_accents(store, team, text, expected):
    rows = filter_rows(build_roster(store, TODAY), RosterFilter(search=text))
    assert sorted(names(rows)) == expected


def test_search_combines_with_a_condition(store, team):
    roster = build_roster(store, TODAY)
    assert names(filter_rows(roster, RosterFilter(expired=True, search="jose"))) == []
    assert names(filter_rows(roster, RosterFilter(expired=True, search="smith"))) == ["Ana Smith"]


def test_sorting_by_any_column(store, team):
    roster = build_roster(store, TODAY)
    rows = roster.rows
    assert names(sort_rows(rows, "name")) == ["Ana Smith", "José Núñez", "Li Wei", "Zoë Adams"]
    assert names(sort_rows(rows, "name", descending=True)) == ["Zoë Adams", "Li Wei", "José Núñez", "Ana Smith"]
    # by BLS expiry: soonest first, no card last in both directions
    assert names(sort_rows(rows, "bls")) == ["Ana Smith", "José Núñez", "Li Wei", "Zoë Adams"]
    assert names(sort_rows(rows, "bls", descending=True)) == ["Li Wei", "José Núñez", "Ana Smith", "Zoë Adams"]
    assert names(sort_rows(rows, "pals"))[0] == "José Núñez"
    assert names(sort_rows(rows, "missing", descending=True))[0] == "Li Wei"
    assert [r.profile_id for r in sort_rows(rows, "id")] == sorted(team.values())
    assert names(sort_rows(rows, "role"))[0] == "Ana Smith"  # "Nurse: NICU..." < "Nurse: PICU" < "Other" < "Pediatrician"
    with pytest.raises(ValueError, match="unknown column"):
        sort_rows(rows, "colour")


# --- the team summary --------------------------------------------------------------------------

def test_team_summary_counts_and_items(store, team):
    s = team_summary(build_roster(store, D(2026, 12, 2)))  # 31 Jan 2027 is 60 days on
    assert s.show and s.holders == 3 and s.profiles == 4
    assert s.month_end == D(2026, 12, 31)
    assert [(i.name, i.card, i.date) for i in s.expiring_this_month] == [("José Núñez", "pals", D(2026, 12, 31))]
    assert [(i.name, i.card, i.date) for i in s.expiring_soon] == [("Ana Smith", "nrp", D(2027, 1, 31))]
    assert [(i.name, i.card) for i in s.expired] == [("Ana Smith", "bls")]
    assert [(i.name, i.card, i.date) for i in s.missing] == [("Li Wei", "pals", None)]
    codes = dict(s.findings())
    assert codes["team.cards_expire_this_month"]["count"] == 1
    assert set(codes) == {"team.cards_expired", "team.cards_expire_this_month", "team.cards_expire_soon",
                          "team.typical_cards_missing"}


def test_team_summary_is_not_shown_for_one_card_holder(store):
    add(store, "Solo", "nurse_picu", {"pals": {"issue": "2025-03-10"}})
    store.create_profile("Partner", "img_physician", ["img"])
    assert not team_summary(build_roster(store, TODAY)).show


# --- export ------------------------------------------------------------------------------------

def test_csv_export_is_as_filtered_with_date_and_rules(store, team):
    roster = build_roster(store, TODAY)
    flt = RosterFilter(expired=True, cards=("bls",))
    text = roster_csv(roster, filter_rows(roster, flt), flt)
    assert text.startswith("\ufeff# CertPath team roster as of 2026-11-21")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "cards.expiry.red_cross" in lines[0][0] and "roles.typical_cards" in lines[0][0]
    assert "showing expired" in lines[0][0]
    head, rows = lines[1], lines[2:]
    assert "bls_expires" in head and "pals_expires" not in head
    assert len(rows) == 1 and rows[0][head.index("name")] == "Ana Smith"
    assert rows[0][head.index("bls_state")] == "expired" and rows[0][head.index("bls_expires")] == "2026-11-05"


def test_text_output_strips_control_characters_from_names(store):
    add(store, "Evil\x1b[2J\r\nName\u202e", "other", {"bls": {"issue": "2025-03-10"}})
    text = R.roster_text(build_roster(store, TODAY), build_roster(store, TODAY).rows)
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    assert "Evil[2JName" in text
    assert len(text.splitlines()) == 5  # title, header, rule, 1 row, footer


# --- the command -------------------------------------------------------------------------------

def test_roster_command_prints_500_rows_for_500_profiles(tmp_path):
    from core.db import open_database
    from core.paths import data_paths
    from core.store import Store

    paths = data_paths(tmp_path / "big").ensure()
    db = open_database(paths.db)
    store = Store(db)
    with transaction(db):  # one transaction: fast
        for i in range(500):
            add(store, f"Person {i:03d}", "nurse_picu", {
                "bls": {"issue": f"2024-{1 + i % 12:02d}-10"}, "pals": {"issue": f"2025-{1 + (i + 3) % 12:02d}-12"},
                "nrp": {"issue": f"2024-{1 + (i + 5) % 12:02d}-15"}})
    db.close()
    r = core_cli("roster", "--data-dir", tmp_path / "big", "--today", "2026-11-21")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].split()[:2] == ["ID", "Name"] and lines[2].startswith("--")
    assert lines[-1].startswith("500 of 500 profiles shown")
    rows = lines[3:-1]
    assert len(rows) == 500 and all(ln.split()[0].isdigit() and "Person" in ln for ln in rows)
    r = core_cli("roster", "--data-dir", tmp_path / "big", "--today", "2026-11-21", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["count"] == 500 and len(doc["rows"]) == 500 and "cards.expiry.aap" in doc["rules"]
    r = core_cli("roster", "--data-dir", tmp_path / "big", "--today", "2026-11-21", "--format", "csv",
                 "--within", "30", "--card", "bls")
    lines = r.stdout.lstrip("\ufeff").splitlines()
    # BLS cards issued in November 2024 end 30 Nov 2026: the only ones within 30 days of 21 Nov
    assert all(",valid,done,2026-11-30,9," in ln for ln in lines[2:])
    assert len(lines) - 2 == sum(1 for i in range(500) if i % 12 == 10)


def test_roster_command_bad_options_exit_2(tmp_path):
    r = core_cli("roster", "--data-dir", tmp_path / "d", "--card", "pals,cpr")
    assert r.returncode == 2 and "--card" in r.stderr and "cpr" in r.stderr
    r = core_cli("roster", "--data-dir", tmp_path / "d", "--sort", "colour")
    assert r.returncode == 2 and "--sort" in r.stderr
    r = core_cli("roster", "--data-dir", tmp_path / "d", "--today", "2026-02-30")
    assert r.returncode == 2 and "--today" in r.stderr


def test_a_rebuild_after_one_change_evaluates_one_profile(store, monkeypatch):
    ids = [add(store, f"P{i}", "nurse_picu", {"pals": {"issue": "2025-03-10"}}) for i in range(5)]
    first = build_roster(store, TODAY)
    assert first.evaluated == 5
    store.save_facts(ids[2], {"pals.card": {"issue_date": "2024-10-01"}})
    store.set_override(ids[4], "roles.typical_cards", {"nurse_picu": ["bls", "pals"]})
    calls = []
    real = R.evaluate
    monkeypatch.setattr(R, "evaluate", lambda doc, today, rules=None: calls.append(doc["name"]) or real(doc, today, rules))
    again = build_roster(store, TODAY, previous=first)
    assert sorted(calls) == ["P2", "P4"] and again.evaluated == 2
    assert again.row(ids[2]).cells["pals"].expires == dt.date(2026, 10, 31)
    assert again.row(ids[4]).missing == ("bls",)  # the override of the role guidance counts
    assert again.row(ids[0]) is first.row(ids[0])
    # another day, or other rules: everything again
    assert build_roster(store, TODAY + dt.timedelta(days=1), previous=again).evaluated == 5


def test_all_documents_equals_one_document_at_a_time(store):
    a = add(store, "A", "nurse_picu", {"pals": {"issue": "2025-03-10", "body": "aha", "tc": "T"}})
    store.create_profile("B", "other", [])
    store.set_override(a, "cards.expiry.aha", {"method": "end_of_month", "months": 36}, "my employer says so")
    assert store.all_documents() == [(p["id"], store.document(p["id"])) for p in store.list_profiles()]
    assert store.all_documents([a, 999]) == [(a, store.document(a))] and store.all_documents([]) == []


def test_a_profile_that_cannot_be_evaluated_does_not_hide_the_team(store):
    bad = add(store, "Broken", "nurse_picu", {"pals": {"issue": "2025-03-10"}})
    store.set_override(bad, "cards.expiry.aha", {"method": "fortnightly", "months": 24})  # right shape, unknown method
    good = add(store, "Fine", "nurse_picu", {"pals": {"issue": "2025-03-10"}})
    roster = build_roster(store, TODAY)
    assert roster.row(bad).cells["pals"].state == R.ERROR and "could not be evaluated" in roster.row(bad).error
    assert roster.row(good).cells["pals"].state == R.VALID
    assert "error" in R.roster_text(roster, roster.rows)


def test_refresh_rows_reads_and_evaluates_only_the_changed_profiles(store, monkeypatch):
    ids = [add(store, f"P{i}", "nurse_picu", {"pals": {"issue": "2025-03-10"}}) for i in range(4)]
    roster = build_roster(store, TODAY)
    store.save_facts(ids[1], {"pals.card": {"issue_date": "2024-10-01"}, "pals.enroll": {"body": "red_cross"}})
    store.delete_profile(ids[3])
    new = store.create_profile("New", "pediatrician", [])
    calls = []
    real = R.evaluate
    monkeypatch.setattr(R, "evaluate", lambda doc, today, rules=None: calls.append(doc["name"]) or real(doc, today, rules))
    roster = R.refresh_rows(roster, store, [ids[1], ids[3], new])
    assert calls == ["P1"]  # "New" follows no card: nothing to evaluate
    assert [r.name for r in roster.rows] == ["P0", "P1", "P2", "New"]
    assert roster.row(ids[1]).cells["pals"].expires == dt.date(2026, 10, 1)
    assert "cards.expiry.red_cross" in roster.rules
    assert roster.row(new).missing == ("bls", "pals")
    # the refreshed roster equals a fresh build
    fresh = build_roster(store, TODAY)
    assert [(r.profile_id, r.cells, r.missing) for r in roster.rows] == [
        (r.profile_id, r.cells, r.missing) for r in fresh.rows]


def test_roster_command_summary(tmp_path):
    from core.db import open_database
    from core.paths import data_paths
    from core.store import Store

    db = open_database(data_paths(tmp_path / "d").ensure().db)
    store = Store(db)
    add(store, "José Núñez", "nurse_picu", {"bls": {"issue": "2025-03-10"}, "pals": {"issue": "2024-12-02"}})
    add(store, "Ana Smith", "nurse_nicu", {"bls": {"issue": "2024-11-05", "body": "red_cross"}})
    db.close()
    r = core_cli("roster", "--data-dir", tmp_path / "d", "--today", "2026-12-02", "--summary")
    assert r.returncode == 0, r.stderr
    assert "Expired (1):\n  Ana Smith: BLS  2026-11-05" in r.stdout
    assert "Expire this month (1):\n  José Núñez: PALS  2026-12-31" in r.stdout
    r = core_cli("roster", "--data-dir", tmp_path / "d", "--today", "2026-12-02", "--summary", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["show"] is True
    assert [f["code"] for f in doc["findings"]] == ["team.cards_expired", "team.cards_expire_this_month",
                                                     "team.typical_cards_missing"]
    assert doc["findings"][1]["params"]["items"] == [{"id": 1, "name": "José Núñez", "card": "pals",
                                                      "date": "2026-12-31"}]
    r = core_cli("roster", "--data-dir", tmp_path / "d", "--summary", "--format", "csv")
    assert r.returncode == 2 and "--summary" in r.stderr
