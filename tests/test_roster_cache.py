"""The roster cache (core/roster_cache.py): a roster of kept evaluations equals the one evaluated
now, on the same day and on any other, and never outlives an edit, an override, other rules or
another build."""

import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import roster as R
from core import roster_cache as RC
from core.roster_cache import RosterCache
from core.rules import RuleSet, load_rules

D = dt.date
TODAY = D(2026, 11, 21)


def add(store, name, role, cards, body="aha"):
    facts, tracks = {}, []
    for card, issue in cards.items():
        facts[f"{card}.card"] = {"issue_date": issue}
        facts[f"{card}.enroll"] = {"body": body, "training_center": "TC 1"}
        tracks.append(card)
    return store.create_profile(name, role, tracks, facts)


@pytest.fixture
def team(store):
    ids = [add(store, "Ana", "nurse_picu", {"pals": "2025-01-10", "bls": "2024-12-01"}),
           add(store, "José", "pediatrician", {"pals": "2025-06-10", "nrp": "2025-02-15"}),
           add(store, "Kim", "paramedic", {"bls": "2025-03-10"}, body="red_cross"),
           store.create_profile("No cards", "nurse_nicu", [], {}),
           store.create_profile("Waiting", "nurse_picu", ["pals"], {"pals.enroll": {"body": "aha"}})]
    return store, ids


def plain(store, today):
    return R.build_roster(store, today)  # every row evaluated now


def test_a_second_build_evaluates_nobody_and_equals_an_evaluated_roster(team):
    store, ids = team
    cache = RosterCache.of_store(store)
    first = R.build_roster(store, TODAY, cache=cache)
    assert first.evaluated == len(ids) and cache.path.is_file()
    again = R.build_roster(store, TODAY, cache=RosterCache.of_store(store))  # as at a new start: from the file
    assert again.evaluated == 0
    assert again.rows == plain(store, TODAY).rows == first.rows
    assert again.rules == plain(store, TODAY).rules
    assert not R.pending_rows(again)


def test_editing_a_card_is_never_served_from_the_cache(team):
    store, ids = team
    cache = RosterCache.of_store(store)
    before = R.build_roster(store, TODAY, cache=cache).row(ids[0]).cells["pals"]
    assert before.state == R.VALID and before.expires == D(2027, 1, 31)
    store.save_facts(ids[0], {"pals.card": {"issue_date": "2024-09-10"}})  # an earlier card: expired
    after = R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    assert after.evaluated == 1
    assert after.row(ids[0]).cells["pals"].state == R.EXPIRED_STATE
    assert after.row(ids[0]).cells["pals"].expires == D(2026, 9, 30)
    assert after.rows == plain(store, TODAY).rows


def test_an_override_and_its_removal_each_show_at_once(team):
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    store.set_override(ids[0], "cards.expiry.aha", {"method": "end_of_month", "months": 12}, "employer")
    r = R.build_roster(store, TODAY, cache=cache)
    assert r.evaluated == 1 and r.row(ids[0]).cells["pals"].expires == D(2026, 1, 31)
    assert r.row(ids[0]).cells["pals"].state == R.EXPIRED_STATE
    store.set_override(ids[3], "roles.typical_cards", {"nurse_nicu": ["nrp"]})
    r = R.build_roster(store, TODAY, cache=cache)
    assert r.row(ids[3]).missing == ("nrp",) and r.rows == plain(store, TODAY).rows
    store.remove_override(ids[0], "cards.expiry.aha")
    r = R.build_roster(store, TODAY, cache=cache)
    assert r.row(ids[0]).cells["pals"].expires == D(2027, 1, 31) and r.rows == plain(store, TODAY).rows


def test_other_rules_make_the_whole_file_unused(team):
    store, ids = team
    cache = RosterCache.of_store(store)
    rules = load_rules()
    R.build_roster(store, TODAY, rules, cache=cache)
    # the same records but AHA cards last 12 months: another rule set (as a rule pack would bring)
    changed = [dataclasses.replace(r, value={**r.value, "months": 12})
               if r.id == "cards.expiry.aha" and isinstance(r.value, dict) else r for r in rules.all()]
    other = RuleSet(changed)
    r = R.build_roster(store, TODAY, other, cache=RosterCache.of_store(store))
    assert r.evaluated == len(ids)
    assert r.row(ids[0]).cells["pals"].expires == D(2026, 1, 31)
    assert r.rows == R.build_roster(store, TODAY, other).rows
    back = R.build_roster(store, TODAY, rules, cache=RosterCache.of_store(store))
    assert back.evaluated == len(ids) and back.rows == plain(store, TODAY).rows


def test_another_build_of_certpath_makes_the_file_unused(team, monkeypatch):
    store, ids = team
    R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    monkeypatch.setattr(RC, "_code_key", "another build")
    assert R.build_roster(store, TODAY, cache=RosterCache.of_store(store)).evaluated == len(ids)


@pytest.mark.parametrize("day", [D(2027, 1, 30), D(2027, 1, 31), D(2027, 2, 1), D(2028, 6, 1), D(2025, 2, 1)])
def test_a_kept_evaluation_of_another_day_gives_that_days_states(team, day):
    """Ana's PALS lasts to 31 Jan 2027: kept from 21 Nov 2026, the roster of the day before, the
    last day, the day after (and far on, and before the card was issued) shows what an
    evaluation of that day shows; only the statuses wait for complete_statuses."""
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    kept = R.build_roster(store, day, cache=RosterCache.of_store(store))
    assert kept.evaluated == 0
    now = plain(store, day)
    for a, b in zip(kept.rows, now.rows, strict=True):
        assert a.missing == b.missing and a.error == b.error
        for c in R.ROSTER_CARDS:
            x, y = a.cells[c], b.cells[c]
            assert (x.state, x.expires, x.issued, x.body) == (y.state, y.expires, y.issued, y.body), (a.name, c)
    assert kept.row(ids[0]).cells["pals"].state == (R.VALID if day <= D(2027, 1, 31) else R.EXPIRED_STATE)
    assert set(R.pending_rows(kept)) == {ids[0], ids[1], ids[2], ids[4]}  # not "No cards": no statuses to wait for
    assert all(c.card_status is None and not c.rules for i in R.pending_rows(kept) for c in kept.row(i).cells.values())
    with pytest.raises(ValueError):
        R.roster_csv(kept, kept.rows)  # never an export with the statuses left out
    with pytest.raises(ValueError):
        R.roster_json(kept, kept.rows)
    done = R.complete_statuses(kept, cache)
    assert not R.pending_rows(done) and done.rows == now.rows and done.rules == now.rules
    assert R.build_roster(store, day, cache=RosterCache.of_store(store)).evaluated == 0  # kept for that day too


def test_the_expiry_a_cache_keeps_does_not_depend_on_the_day(store):
    """What the cache reuses on another day (the expiry, its rule ids, the card's facts) is the
    same whichever day the engine evaluates: the assumption the cache stands on, for each body."""
    rules = load_rules()
    docs = []
    for body, card in (("aha", "pals"), ("red_cross", "bls"), ("aap", "nrp"), ("other", "acls"), ("aha", "pears")):
        for issue in ("2024-02-29", "2025-07-31", "2026-12-15"):
            facts = {f"{card}.card": {"issue_date": issue, "ecard_code": "251234567890"},
                     f"{card}.enroll": {"body": body, "course_start": "2024-02-20", "course_end": "2024-02-20"},
                     f"{card}.renewal": {"renewal_course_date": "2026-03-01"}}
            docs.append({"name": "x", "role": "nurse_picu", "tracks": [card], "facts": facts, "overrides": {}})
    days = [D(2023, 1, 1), D(2024, 2, 29), D(2025, 6, 1), D(2026, 3, 1), D(2026, 11, 21), D(2027, 1, 1), D(2031, 1, 1)]
    for doc in docs:
        seen = set()
        for day in days:
            ev = R.evaluate_cards(doc, day, rules)
            seen.add(tuple((c, p.expires, p.issued, p.body, p.tracked, p.training_center, p.ecard_code, p.course_date)
                           for c, p in ev.cells.items()))
        assert len(seen) == 1, doc["facts"]


def test_a_deleted_persons_entry_leaves_the_file(team):
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    n = len(RC.read_file(cache.path)[1]["keys"])
    store.delete_profile(ids[1])
    R.build_roster(store, TODAY, cache=cache)
    body = RC.read_file(cache.path)[1]
    assert len(body["keys"]) == len(RC.KeptEntries(body)) == n - 1
    text = cache.path.read_bytes()
    assert "José".encode() not in text and b"TC 1" in text  # no name in it


def _entry_cards(cache):
    kept = RC.KeptEntries(RC.read_file(cache.path)[1])
    return {k: kept[k].cells for k in kept}


def test_deleting_a_person_removes_their_cells_from_the_file_at_once(team):
    """The delete's own path (Store.delete_profile) prunes the file: no build of the roster
    needed for the person's card dates, training center and eCard code to leave it."""
    store, ids = team
    store.save_facts(ids[1], {"pals.card": {"issue_date": "2025-06-10", "ecard_code": "ECARD-JOSE-77"}})
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    before = _entry_cards(cache)
    assert b"ECARD-JOSE-77" in cache.path.read_bytes()
    store.delete_profile(ids[1])
    after = _entry_cards(cache)
    assert len(after) == len(before) - 1 and set(after) < set(before)
    text = cache.path.read_bytes()
    assert b"ECARD-JOSE-77" not in text and b"2025-06-10" not in text
    # what is left is still used: nobody else is evaluated again
    again = R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    assert again.evaluated == 0 and again.rows == plain(store, TODAY).rows


def test_the_delete_prunes_a_file_of_other_rules_and_the_views_cache_does_not_write_it_back(team):
    store, ids = team
    view = RosterCache.of_store(store)  # the Team view's object, kept in memory across the delete
    R.build_roster(store, TODAY - dt.timedelta(days=1), cache=view)  # yesterday's: today's rows pending
    header, body = RC.read_file(view.path)
    header["rules"] = "another rule set"  # a file written for other rules still holds the person
    other = view.path.with_name("other.json")
    other.write_bytes(RC.file_bytes({k: v for k, v in header.items() if k != "digest"}, body))
    store.delete_profile(ids[0])
    assert len(_entry_cards(view)) == len(ids) - 1  # the view's file, pruned
    RosterCache(other).prune(set())
    assert RC.read_file(other)[1]["keys"] == []
    # an export completes the statuses through the view's older object: it merges with the
    # file as it is now, so the deleted person's entry is not written back
    roster = R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    R.complete_statuses(roster, view)
    assert len(_entry_cards(view)) == len(ids) - 1


def test_the_command_lines_delete_prunes_the_file(team, data_dir, capsys):
    from core.cli import main

    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    n = len(_entry_cards(cache))
    assert main(["profiles", "delete", str(ids[2]), "--data-dir", str(data_dir)]) == 0
    assert len(_entry_cards(cache)) == n - 1


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]"])
def test_a_delete_removes_a_cache_file_it_cannot_read(team, damage):
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    cache.path.write_bytes(damage)
    store.delete_profile(ids[0])
    assert not cache.path.exists()
    assert R.build_roster(store, TODAY, cache=RosterCache.of_store(store)).evaluated == len(ids) - 1


def test_a_delete_with_an_unwritable_cache_removes_the_file(team, monkeypatch):
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)

    def refuse(*_a, **_k):
        raise PermissionError("read-only")

    monkeypatch.setattr("core.paths.write_private_atomic", refuse)
    store.delete_profile(ids[0])  # never raises for the cache: the profile is deleted
    assert not cache.path.exists()
    assert all(p["id"] != ids[0] for p in store.list_profiles())


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": "certpath-roster-cache/2"}', b"[1, 2]",
                                    "entries", "one byte", "cut short", "old format"])
def test_a_damaged_cache_file_is_ignored_and_rewritten(team, damage):
    store, ids = team
    cache = RosterCache.of_store(store)
    R.build_roster(store, TODAY, cache=cache)
    raw = cache.path.read_bytes()
    header, body = RC.read_file(cache.path)
    if damage == "entries":  # the header as written, entries changed: its digest no longer fits
        tables = json.dumps({k: v for k, v in body.items() if k != "data"}).encode()
        cache.path.write_bytes(raw.partition(b"\n")[0] + b"\n" + tables + b"\n" + body["data"][::-1])
    elif damage == "one byte":  # a date of the body, changed in place
        i = raw.index(b"2025-", raw.index(b"\n"))
        cache.path.write_bytes(raw[:i] + b"2024-" + raw[i + 5:])
    elif damage == "cut short":
        cache.path.write_bytes(raw[:-7])
    elif damage == "old format":  # a file of the first format (one JSON object): not read
        cache.path.write_text(json.dumps({**header, "format": "certpath-roster-cache/1",
                                          **{k: v for k, v in body.items() if k != "data"}}))
    else:
        cache.path.write_bytes(damage)
    assert RC.read_file(cache.path) is None
    r = R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    assert r.evaluated == len(ids) and r.rows == plain(store, TODAY).rows
    assert R.build_roster(store, TODAY, cache=RosterCache.of_store(store)).evaluated == 0


def test_an_unwritable_cache_folder_only_costs_the_evaluations(team, monkeypatch):
    store, ids = team

    def refuse(*_a, **_k):
        raise PermissionError("read-only")

    monkeypatch.setattr("core.paths.write_private_atomic", refuse)
    cache = RosterCache.of_store(store)
    assert R.build_roster(store, TODAY, cache=cache).rows == plain(store, TODAY).rows
    assert not cache.path.exists()


def test_raw_documents_parse_to_all_documents(team):
    store, ids = team
    store.set_override(ids[0], "cards.expiry.aha", {"method": "end_of_month", "months": 30}, "note\x1e with ¿")
    from core.store import parse_raw_document

    assert [(r[0], parse_raw_document(r)) for r in store.raw_documents()] == store.all_documents()
    assert [r[0] for r in store.raw_documents([ids[2], 999])] == [ids[2]]


def test_raw_documents_without_sqlites_json_functions(team, monkeypatch):
    """An SQLite built without JSON1: the same documents through three plain queries."""
    import sqlite3

    store, ids = team
    want = store.all_documents()
    first = R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    real = store.db.execute

    def no_json(sql, parameters=None):
        if "json_group_array" in sql:
            raise sqlite3.OperationalError("no such function: json_group_array")
        return real(sql, parameters)

    monkeypatch.setattr(store.db, "execute", no_json)
    assert store.all_documents() == want
    assert [r[0] for r in store.raw_documents([ids[1]])] == [ids[1]]
    again = R.build_roster(store, TODAY, cache=RosterCache.of_store(store))
    assert again.rows == first.rows


def test_content_keys_never_join_two_contents_at_a_field_boundary():
    """The key hashes each field's bytes after their length: moving text from one field to the
    next (name "Ana B" role "x" against name "Ana" role " Bx") gives another key."""
    base = (1, "Ana B", "x", '["pals"]', "[]", "[]")
    shifted = (1, "Ana", " Bx", '["pals"]', "[]", "[]")
    joined = (1, "Ana Bx", "", '["pals"]', "[]", "[]")
    keys = {RC.raw_key(r) for r in (base, shifted, joined)}
    assert len(keys) == 3
    assert RC.raw_key(base) == RC.raw_key((2, *base[1:]))  # the id is not content
    assert RC.raw_key((1, "Jos\udce9", "x", "[]", "[]", "[]"))  # a lone surrogate from a damaged file: no error


def _search_key_reference(text):
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@given(st.text(max_size=40) | st.sampled_from(["José", "ÑAME", "Ana  Díaz", "देवनागरी नाम", "Zoë\u0301", "", "İstanbul"]))
def test_search_key_folds_as_the_per_character_loop_did(text):
    assert R.search_key(text) == _search_key_reference(text)


_LATIN_1_NAMES = ["José", "Ñúñez", "Zoë", "a\tb", "a\x1fb", "a\rb", "a\x85b", "a\xa0b", " x ", "Ana  B", "µ½", "ß", "ÿ¨"]


@given(st.lists(st.text(max_size=20) | st.sampled_from(["José", "\u0301Zoë", "a\x00b", "देवनागरी नाम", "İ", "", " x "]),
                max_size=12)
       | st.lists(st.text(alphabet=st.characters(max_codepoint=255), max_size=20) | st.sampled_from(_LATIN_1_NAMES),
                  max_size=12))
def test_search_keys_of_a_team_are_each_names_own(texts):
    """The roster folds all names in one pass: the same keys as one by one (marks at the start of
    a name, NULs in a name, empty names, Latin-1 names with their own spaces)."""
    assert R.search_keys(texts) == [_search_key_reference(t) for t in texts]


def test_search_keys_of_latin_1_names_drop_exactly_the_marks():
    """The Latin-1 way (what Latin-1 cannot hold after NFKD is dropped) stands on this: every
    Latin-1 character but four decomposes into Latin-1 characters with no mark and marks beyond it."""
    import unicodedata

    for c in map(chr, range(256)):
        for d in unicodedata.normalize("NFKD", c):
            assert (d > "\xff") == bool(unicodedata.combining(d)) or c in R._LATIN_1_NOT_MARKS, (c, d)
    for name in _LATIN_1_NAMES:
        assert R.search_keys([name, "x"]) == [_search_key_reference(name), "x"], name


def test_rows_from_kept_evaluations_are_made_as_rosterrows_own_init_makes_them(team):
    """_row makes its rows without RosterRow.__init__ (one dict, no call): the same attributes,
    every field (name_key and pending too, which equality leaves out), as the class's own init,
    for this day's evaluations, another day's and a row whose evaluation failed."""
    store, ids = team
    fields = {f.name for f in dataclasses.fields(R.RosterRow)}
    bad = R.Evaluated(TODAY, ("pals",), {}, "could not be evaluated (test)")
    rows = [*R.build_roster(store, TODAY, cache=RosterCache.of_store(store)).rows,
            *R.build_roster(store, TODAY + dt.timedelta(days=1), cache=RosterCache.of_store(store)).rows,
            R._row(99, "Ödön", "nurse_picu", bad, TODAY, load_rules(), {})]
    assert any(r.pending for r in rows) and any(not r.pending for r in rows) and rows[-1].error
    for r in rows:
        assert set(vars(r)) == fields
        again = R.RosterRow(**{f: getattr(r, f) for f in fields - {"name_key"}})
        assert vars(again) == vars(r)
