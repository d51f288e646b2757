"""Reminders: stages fire on the right days across month and year ends; sync, snooze, done, tasks."""

import datetime as dt
import json

import pytest

from core import reminders as rem
from core.profiles import parse_document

D = dt.date


def _r(due, stages=rem.DEFAULT_STAGES, **kw):
    return rem.Reminder("k", "t", due, rem.DUE, stages=tuple(stages), **kw)


@pytest.mark.parametrize("due, stage, fires", [
    (D(2027, 1, 5), 7, D(2026, 12, 29)),  # across a year end
    (D(2027, 3, 1), 7, D(2027, 2, 22)),  # across February (not a leap year)
    (D(2028, 3, 1), 7, D(2028, 2, 23)),  # leap year
    (D(2027, 1, 5), 30, D(2026, 12, 6)),
    (D(2027, 1, 5), 60, D(2026, 11, 6)),
    (D(2027, 1, 5), 90, D(2026, 10, 7)),
    (D(2026, 12, 1), 1, D(2026, 11, 30)),  # across a month end
])
def test_stage_fires_on_the_right_day(due, stage, fires):
    r = _r(due, (stage,))
    assert r.fires_on(fires)
    assert not r.fires_on(fires - dt.timedelta(days=1))
    after = fires + dt.timedelta(days=1)
    assert r.fires_on(after) == (after == due)  # only the due day itself fires besides the stage
    assert r.fire_dates() == sorted({fires, due})


def test_default_stages_and_due_now_window():
    r = _r(D(2027, 1, 5))
    assert r.fire_dates() == [D(2026, 10, 7), D(2026, 11, 6), D(2026, 12, 6), D(2026, 12, 29), D(2027, 1, 5)]
    assert not r.is_due_now(D(2026, 10, 6))
    assert r.is_due_now(D(2026, 10, 7)) and r.is_due_now(D(2027, 1, 5))
    assert not r.is_overdue(D(2027, 1, 5)) and r.is_overdue(D(2027, 1, 6))
    assert rem.firing_today([r], D(2026, 12, 29)) == [r]
    assert rem.firing_today([r], D(2026, 12, 30)) == []
    assert r.next_fire(D(2026, 12, 7)) == D(2026, 12, 29)
    assert rem.snooze_default(r, D(2026, 12, 7)) == D(2026, 12, 29)
    assert rem.snooze_default(r, D(2027, 1, 5)) == D(2027, 1, 6)


def test_due_this_week_and_summary():
    today = D(2026, 12, 28)
    items = [rem.Reminder("a", "A", D(2026, 12, 20), rem.DUE),
             rem.Reminder("b", "B", D(2027, 1, 3), rem.DUE),  # in 6 days: this week
             rem.Reminder("c", "C", D(2027, 1, 4), rem.DUE),  # in 7 days: next week
             rem.Reminder("d", "D", D(2026, 12, 29), rem.DUE, done_at=D(2026, 12, 1))]
    s = rem.summary(items, today)
    assert [r.source_key for r in s.overdue] == ["a"]
    assert [r.source_key for r in s.this_week] == ["b"]
    assert "Overdue (1)" in s.text(today) and "in 6 days" in s.text(today)


def test_parse_stages():
    assert rem.parse_stages("7, 30;90 1") == (90, 30, 7, 1)
    assert rem.parse_stages([0, 0, 3]) == (3, 0)
    for bad in ("x", "-1", "99999"):
        with pytest.raises(ValueError):
            rem.parse_stages(bad)


@pytest.fixture
def provider(store, today):
    from core import resources_dir

    doc = parse_document((resources_dir() / "demo" / "provider-demo.json").read_bytes(), today)
    return store, store.import_document(doc)


def test_journey_sources_are_synced_without_duplicates(provider, today):
    store, pid = provider
    first = rem.sync(store, pid, today)
    keys = [r.source_key for r in first]
    assert len(keys) == len(set(keys))
    assert "step:pals.card:expires" in keys and "step:bls.card:expires" in keys
    pals = next(r for r in first if r.source_key == "step:pals.card:expires")
    assert pals.due == D(2027, 6, 30) and pals.title.startswith("PALS")
    n = store.db.execute("SELECT count(*) FROM reminders WHERE profile_id = ?", [pid]).fetchone()[0]
    assert n == len(first)
    again = rem.sync(store, pid, today)
    assert [(r.id, r.source_key) for r in again] == [(r.id, r.source_key) for r in first]
    assert store.db.execute("SELECT count(*) FROM reminders").fetchone()[0] == n
    # a done step's due date is not a reminder; its card's expiry is
    assert not any(k.startswith("step:bls.exam") for k in keys)


def test_user_state_survives_sync_and_resets_when_the_date_moves(provider, today):
    store, pid = provider
    items = {r.source_key: r for r in rem.sync(store, pid, today)}
    card = items["step:pals.card:expires"]
    rem.set_stages(store, card.id, "14, 3")
    rem.snooze(store, card.id, D(2027, 1, 1))
    items = {r.source_key: r for r in rem.sync(store, pid, today)}
    assert items["step:pals.card:expires"].stages == (14, 3)
    assert items["step:pals.card:expires"].snoozed_until == D(2027, 1, 1)
    # the card is renewed: a new expiry date; the stages stay, the snooze goes
    facts = store.step_facts(pid, "pals.card")
    store.save_facts(pid, {"pals.card": {**facts, "issue_date": "2026-11-20"}})
    items = {r.source_key: r for r in rem.sync(store, pid, today)}
    moved = items["step:pals.card:expires"]
    assert moved.due != D(2027, 6, 30) and moved.id == card.id
    assert moved.stages == (14, 3) and moved.snoozed_until is None
    row = store.db.execute("SELECT stages FROM reminders WHERE id = ?", [card.id]).fetchone()
    assert json.loads(row[0]) == [14, 3]


def test_gone_sources_are_removed_but_tasks_stay(provider, today):
    store, pid = provider
    tid = rem.add_task(store, pid, "Check the training center portal", D(2026, 12, 1), repeat_days=14)
    fresh = [rem.Reminder("step:x.y:due", "X", D(2027, 1, 1), rem.DUE)]
    rem.sync(store, pid, today)
    out = rem.sync(store, pid, today, fresh=fresh)  # the journey changed: only one source left
    assert [r.source_key for r in out] == [f"task:{tid}", "step:x.y:due"]


def test_done_and_repeating_tasks(provider, today):
    store, pid = provider
    once = rem.add_task(store, pid, "Call the board", D(2026, 11, 25))
    rep = rem.add_task(store, pid, "Check MyIntealth", D(2026, 11, 21), repeat_days=14, stages=[0])
    assert rem.mark_done(store, once, today) is None
    assert rem.mark_done(store, rep, today) == D(2026, 12, 5)
    cur = {r.id: r for r in rem.current(store, pid, today)}
    assert cur[once].done and not cur[rep].done and cur[rep].due == D(2026, 12, 5)
    assert cur[rep].user_task and cur[rep].repeat_days == 14
    rem.delete_task(store, once)
    assert once not in {r.id for r in rem.current(store, pid, today)}
    computed = next(r for r in rem.sync(store, pid, today) if not r.user_task)
    with pytest.raises(ValueError):
        rem.delete_task(store, computed.id)


def test_document_expiry_is_a_source(provider, today, tmp_path, data_dir):
    from core.paths import data_paths
    from core.vault import Vault

    store, pid = provider
    src = tmp_path / "licence.pdf"
    src.write_bytes(b"licence")
    d = Vault(store.db, data_paths(data_dir)).attach(pid, "pals.card", src, today, expires=D(2027, 1, 5)).document
    r = next(r for r in rem.sync(store, pid, today) if r.source_key == f"doc:{d.id}:expires")
    assert r.due == D(2027, 1, 5) and "licence.pdf" in r.title
    assert r.fires_on(D(2026, 12, 29))
