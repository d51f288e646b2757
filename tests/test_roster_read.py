"""How a kept open reads the team (session 8): the roster cache's format 3 (core/roster_cache.py:
tables, then the numbers, checked when read), rows built from the numbers (core.roster
roster_from_read) as `_row` builds them from the decoded evaluation, the heads read as a few texts
(core.store Store._roster_heads), and the open's other per-row helpers against their plain forms."""

import dataclasses
import datetime as dt
import hashlib
import heapq
import json
import struct

import pytest

from core import roster as R
from core import roster_cache as RC
from core.roster_cache import RosterCache
from core.rules import load_rules

D = dt.date
TODAY = D(2026, 11, 21)


def add(store, name, role, cards, body="aha", ecard=""):
    facts, tracks = {}, []
    for card, issue in cards.items():
        facts[f"{card}.card"] = {"issue_date": issue, **({"ecard_code": ecard} if ecard else {})}
        facts[f"{card}.enroll"] = {"body": body, "training_center": "TC 1"}
        tracks.append(card)
    return store.create_profile(name, role, tracks, facts)


@pytest.fixture
def team(store):
    ids = [add(store, "Ana", "nurse_picu", {"pals": "2025-01-10", "bls": "2024-12-01"}, ecard="251234567890"),
           add(store, "José", "pediatrician", {"pals": "2025-06-10", "nrp": "2025-02-15"}),
           add(store, "Kim", "paramedic", {"bls": "2025-03-10"}, body="red_cross"),
           add(store, "Lee", "nurse_picu", {"acls": "2025-03-10"}, body="other"),  # no expiry rule: unknown
           store.create_profile("No cards", "nurse_nicu", [], {}),
           store.create_profile("Waiting", "nurse_picu", ["pals"], {"pals.enroll": {"body": "aha"}})]
    return store, ids


def plain(store, today):
    return R.build_roster(store, today)


def kept_open(store, today):
    """A kept open as the Team view makes it: a fresh cache object, the file read."""
    return R.build_roster(store, today, cache=RosterCache.of_store(store))


def fields(row):
    return {f.name: getattr(row, f.name) for f in dataclasses.fields(R.RosterRow)}


# --- rows from the numbers ---------------------------------------------------------------------

@pytest.mark.parametrize("day", [TODAY, TODAY + dt.timedelta(days=1), D(2027, 1, 31), D(2027, 2, 1), D(2029, 1, 1)])
def test_rows_from_the_numbers_are_rows_from_the_decoded_evaluations(team, day):
    """Each row the kept open builds from the file's numbers has every field (name_key and pending
    too) of the row `_row` builds from the same entry decoded, on the entry's day and on others."""
    store, ids = team
    R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    cache = RosterCache.of_store(store)
    rules = load_rules()
    read = R.read_roster(store, day, rules, cache)
    assert read.misses == 0 and not read.raws
    roster = R.roster_from_read(read, day, rules, None, cache)
    assert roster.evaluated == 0
    for row, head in zip(roster.rows, read.heads, strict=True):
        ev = read.kept[read.keys[row.profile_id]]
        want = R._row(head[0], head[1], head[2], ev, day, rules, {}, None, R.search_key(head[1]))
        assert fields(row) == fields(want), row.name
        assert vars(row) == vars(want)
    assert roster.rows == plain(store, day).rows if day == TODAY else R.pending_rows(roster)


def test_a_kept_error_is_used_on_its_day_only(team):
    """An entry whose evaluation failed is kept for the day it failed on (its row says the error,
    its cards are ERROR cells) and evaluated again on the next."""
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    kept = cache.entries(load_rules())
    key = next(k for k in kept if kept[k].cards == ("bls", "pals"))
    entries = {k: kept[k] for k in kept}
    entries[key] = R.Evaluated(TODAY, ("bls", "pals"), {}, "could not be evaluated (test)")
    header = {"format": RC.CACHE_FORMAT, "rules": RC.rules_key(load_rules()), "code": RC.code_key()}
    cache.path.write_bytes(RC.file_bytes(header, RC.encode_entries(entries)))
    today = kept_open(store, TODAY)
    assert today.evaluated == 0
    row = today.row(ids[0])
    assert row.error == "could not be evaluated (test)" and not row.pending
    assert [row.cells[c].state for c in ("bls", "pals")] == [R.ERROR, R.ERROR]
    assert row.missing == ()  # (an ERROR cell is not a missing card)
    tomorrow = kept_open(store, TODAY + dt.timedelta(days=1))
    assert tomorrow.evaluated == 1 and not tomorrow.row(ids[0]).error


def test_an_edit_after_a_kept_open_rewrites_the_file_with_every_other_entry_kept(team):
    store, ids = team
    R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    store.save_facts(ids[2], {"bls.card": {"issue_date": "2025-04-01"}})
    cache = RosterCache.of_store(store)
    r = R.build_roster(store, TODAY, cache=cache)
    assert r.evaluated == 1 and cache.writes == 1 and r.rows == plain(store, TODAY).rows
    again = kept_open(store, TODAY)
    assert again.evaluated == 0 and again.rows == plain(store, TODAY).rows
    assert R.complete_statuses(again, cache) is again  # (nothing pending: this day's statuses kept)


def test_the_next_day_open_then_the_exports_completion_keeps_that_day(team):
    store, ids = team
    R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    day = TODAY + dt.timedelta(days=1)
    cache = RosterCache.of_store(store)
    nxt = R.build_roster(store, day, cache=cache)
    assert nxt.evaluated == 0 and cache.writes == 0 and R.pending_rows(nxt)
    done = R.complete_statuses(nxt, cache)
    assert cache.writes == 1 and done.rows == plain(store, day).rows and R.roster_csv(done, done.rows)
    again = kept_open(store, day)
    assert again.evaluated == 0 and not R.pending_rows(again) and again.rows == plain(store, day).rows


# --- the file ----------------------------------------------------------------------------------

def _v2_file(store, today):
    """A cache file of format 2 (as main wrote it before session 8) for this data, this rule set and
    this build's keys: a body of JSON entries, with its own digest."""
    rules = load_rules()
    kept = RosterCache.of_store(store).entries(rules)
    dates: dict = {None: 0}
    lists: dict = {}

    def day(d):
        return dates.setdefault(d, len(dates))

    def ref(r):
        return lists.setdefault(tuple(r), len(lists))

    entries = {}
    for k in kept:
        ev = kept[k]
        entries[k] = [day(ev.on), ev.error, list(ev.cards),
                      {c: [day(p.expires), p.card_status, p.renewal_status, day(p.renewal_deadline), ref(p.rules),
                           ref(()), p.tracked, day(p.issued), p.body, p.training_center, p.ecard_code,
                           day(p.course_date), ref(p.rules)] for c, p in ev.cells.items()}]
    body = json.dumps({"dates": [d.isoformat() for d in dates if d is not None], "rule_lists": [list(t) for t in lists],
                       "entries": entries}, separators=(",", ":")).encode()
    head = {"format": "certpath-roster-cache/2", "rules": RC.rules_key(rules), "code": RC.code_key(),
            "digest": hashlib.blake2b(body, digest_size=16).hexdigest()}
    return json.dumps(head).encode() + b"\n" + body


def test_a_file_of_format_2_is_not_read_and_is_rewritten_as_format_3(team):
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    cache.path.write_bytes(_v2_file(store, TODAY))
    assert RC.read_file(cache.path) is None
    r = kept_open(store, TODAY)
    assert r.evaluated == len(ids) and r.rows == plain(store, TODAY).rows
    header, body = RC.read_file(cache.path)
    assert header["format"] == RC.CACHE_FORMAT == "certpath-roster-cache/3" and len(body["keys"]) == len(ids)
    assert kept_open(store, TODAY).evaluated == 0


def _rewrite(cache, change):
    """The file with its body changed by `change(body)` and a digest that fits it (a file this
    build did not write, but whose bytes are whole)."""
    header, body = RC.read_file(cache.path)
    change(body)
    cache.path.write_bytes(RC.file_bytes({k: v for k, v in header.items() if k != "digest"}, body))


def _numbers(body):
    w = body["width"]
    split = RC._ENTRY * w * len(body["keys"])
    code = RC._CODES[w]
    return ([list(t) for t in struct.iter_unpack(f"<{RC._ENTRY}{code}", body["data"][:split])],
            [list(t) for t in struct.iter_unpack(f"<{RC._CELL}{code}", body["data"][split:])])


def _pack(body, ents, cells):
    code = RC._CODES[body["width"]]
    flat_e, flat_c = [n for e in ents for n in e], [n for c in cells for n in c]
    body["data"] = struct.pack(f"<{len(flat_e)}{code}", *flat_e) + struct.pack(f"<{len(flat_c)}{code}", *flat_c)


@pytest.mark.parametrize("where", [("entry", 0), ("entry", 1), ("entry", 4)] + [("cell", i) for i in range(RC._CELL)])
def test_a_number_beyond_its_table_makes_the_file_unused(team, where):
    """Each number refers to a table; one beyond the table's last page (a file this build did not
    write, whole and with a digest that fits) makes the whole file unused, as damage does."""
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    kind, column = where

    def change(body):
        ents, cells = _numbers(body)
        (ents if kind == "entry" else cells)[0][column] = 600  # (every table here is one page: 256)
        _pack(body, ents, cells)

    _rewrite(cache, change)
    with pytest.raises(ValueError):
        RC.KeptEntries(RC.read_file(cache.path)[1])
    r = kept_open(store, TODAY)
    assert r.evaluated == len(ids) and r.rows == plain(store, TODAY).rows


def test_a_number_within_a_tables_last_page_gives_a_harmless_row(team):
    """A number past a table's end but within its last page (what the page check lets through)
    reads the page's filler: a row with no date or text, never an error."""
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)

    def change(body):
        ents, cells = _numbers(body)
        for c in cells:
            c[1:] = [255] * (RC._CELL - 1)
        _pack(body, ents, cells)

    _rewrite(cache, change)
    r = kept_open(store, TODAY)
    assert r.evaluated == 0 and len(r.rows) == len(ids)
    assert all(c.state in (R.NONE, R.NO_CARD) and c.expires is None for row in r.rows for c in row.cells.values())


@pytest.mark.parametrize("damage", ["width", "kinds", "strings", "lists", "short"])
def test_tables_not_of_this_build_make_the_file_unused(team, damage):
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)

    def change(body):
        if damage == "width":
            body["width"] = 3
        elif damage == "kinds":
            body["kinds"][0][0] = "xyz"  # a card this build does not have
        elif damage == "strings":
            body["strings"].append(7)
        elif damage == "lists":
            body["lists"].append([None])
        else:
            body["data"] = body["data"][:-3]

    _rewrite(cache, change)
    r = kept_open(store, TODAY)
    assert r.evaluated == len(ids) and r.rows == plain(store, TODAY).rows
    assert kept_open(store, TODAY).evaluated == 0  # (rewritten)


def test_a_team_of_more_than_65535_texts_writes_four_bytes_a_number():
    ev = {f"k{i}": R.Evaluated(TODAY, ("bls",), {"bls": R.CellParts(D(2027, 1, 31), "done", "not_started", None,
                                                                      True, D(2025, 1, 10), "aha", "TC", f"E{i}",
                                                                      None, ("cards.expiry.aha",))})
          for i in range(70000)}
    body = RC.encode_entries(ev)
    assert body["width"] == 4
    kept = RC.KeptEntries(body)
    assert kept["k69999"] == ev["k69999"] and len(kept) == 70000


# --- the heads -------------------------------------------------------------------------------

def _heads_row_by_row(store, trusted):
    key = "nullif('v' || hex(v.version), 'v')" if trusted else "NULL"
    versions = " LEFT JOIN profile_versions v ON v.profile_id = p.id" if trusted else ""
    got = [list(r) for r in store.db.execute(f"SELECT p.id, p.name, p.role, {key} FROM profiles p{versions}"
                                             " ORDER BY p.id")]
    for pid, *stored in store.db.execute("SELECT profile_id, CAST(value AS TEXT), note, created_at FROM overrides"
                                         " WHERE rule_id = 'roles.typical_cards'"):
        next(h for h in got if h[0] == pid).extend(stored)
    return [tuple(h) for h in got]


def _sql(store, sql, args=()):
    with store.db.atomic():
        store.db.execute(sql, list(args))


@pytest.mark.parametrize("case", ["plain", "no version", "orphan version", "short version", "nul in a name",
                                  "odd names", "no profiles", "untrusted"])
def test_the_heads_read_at_once_are_the_heads_read_row_by_row(team, case):
    store, ids = team
    store.set_override(ids[4], "roles.typical_cards", {"nurse_nicu": ["nrp"]}, "employer")
    trusted = case != "untrusted"
    if case == "no version":
        _sql(store, "DELETE FROM profile_versions WHERE profile_id = ?", [ids[1]])
    elif case == "orphan version":
        _sql(store, "INSERT INTO profile_versions (profile_id, version) VALUES (999, randomblob(16))")
    elif case == "short version":
        _sql(store, "UPDATE profile_versions SET version = x'01' WHERE profile_id = ?", [ids[2]])
    elif case == "nul in a name":
        _sql(store, "UPDATE profiles SET name = 'A' || char(0) || 'B' WHERE id = ?", [ids[0]])
    elif case == "odd names":
        _sql(store, "UPDATE profiles SET name = ? WHERE id = ?", ["Zoë \t\u202e 😀 \"q\" \\ ,;", ids[0]])
        _sql(store, "UPDATE profiles SET name = CAST(x'4a6fe973' AS TEXT) WHERE id = ?", [ids[1]])  # not UTF-8
    elif case == "no profiles":
        _sql(store, "DELETE FROM profiles")
    want = _heads_row_by_row(store, trusted)
    assert store._roster_heads(trusted) == want
    if case == "plain":
        assert store._heads_at_once(trusted) is not None  # (the texts' way, not the fallback)


def test_a_kept_open_reads_the_data_file_in_a_few_statements(team):
    store, ids = team
    R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    selects = []
    store.db.conn.set_trace_callback(lambda sql: selects.append(sql) if sql.lstrip().upper().startswith("SELECT") else None)
    try:
        r = kept_open(store, TODAY)
    finally:
        store.db.conn.set_trace_callback(None)
    assert r.evaluated == 0 and len(selects) <= 6, selects


# --- the open's other helpers ------------------------------------------------------------------

def test_longest_texts_and_unused_cards_are_their_plain_forms(team):
    store, ids = team
    for name in ("Bo", "Al", "Cy", "Ed"):  # ties in length: the first in row order first
        add(store, name, "other", {})
    roster = kept_open(store, TODAY)
    rows = roster.rows
    labels, names, most = R.longest_texts(rows)
    assert labels == heapq.nlargest(3, {r.role_label for r in rows}, key=len)
    assert names == heapq.nlargest(24, (r.name for r in rows), key=len)
    assert most == max(len(r.missing) for r in rows)
    assert roster.unused_cards() == frozenset(c for c in roster.cards if all(r.cells[c].state == R.NONE for r in rows))
    assert roster.unused_cards() == {"pears"}
    # a row made elsewhere with a NONE cell of its own (not the shared one) counts the same
    own = dataclasses.replace(rows[0], cells={**rows[0].cells, "acls": R.CardCell("acls", R.NONE)})
    other = R.Roster(today=TODAY, rows=[own, *rows[1:]])
    assert other.unused_cards() == frozenset(c for c in other.cards if all(r.cells[c].state == R.NONE
                                                                           for r in other.rows))
