"""What the tray showed is kept in the data file (reminders.notified, migration m007): a reminder
shown once is not shown again at the next start of the app, while one that becomes due again (a
stage day or its due day, a snooze that ended, a moved date, a new title) is. Every test sets
`today`; a "restart" is the data file closed and opened again."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from sqlite_utils import Database as UtilsDatabase

from core import reminders as rem
from core.db import APPLICATION_ID, Database, DataFileUnavailableError, connect_ro, open_database
from core.migrations import MIGRATIONS
from core.paths import data_paths
from core.store import Store

ROOT = Path(__file__).resolve().parent.parent
D = dt.date(2026, 12, 1)  # the task's reminder day (its stage: one day before)
DUE = D + dt.timedelta(days=1)


def _crc(title: str) -> str:
    return f"{zlib.crc32(title.encode('utf-8')):08x}"


def _open(data_dir) -> Store:
    return Store(open_database(data_paths(data_dir).ensure().db))


def _show(store, pid, today) -> list[str]:
    """What the window's tray does at start (and on its timer): sync, what is new, record it."""
    items = rem.sync(store, pid, today)
    return [r.title for r in rem.claim_notices(store, pid, rem.unnotified(store, pid, items, today), today)]


def _restart(store, data_dir) -> Store:
    store.db.close()
    return _open(data_dir)


@pytest.fixture
def task_store(data_dir):
    s = _open(data_dir)
    pid = s.create_profile("Sam", "other", ["pals"], {})
    tid = rem.add_task(s, pid, "Call the training center", DUE, stages=[1])
    yield s, pid, tid
    s.db.close()


def test_shown_on_its_day_not_again_at_a_restart_and_again_on_its_due_day(task_store, data_dir):
    store, pid, _ = task_store
    assert "Call the training center" not in _show(store, pid, D - dt.timedelta(days=1))  # the day before
    assert "Call the training center" in _show(store, pid, D)  # its reminder day
    store = _restart(store, data_dir)
    assert _show(store, pid, D) == []  # the app started again the same day: nothing again
    store = _restart(store, data_dir)
    assert _show(store, pid, DUE) == ["Call the training center"]  # its due day: due again
    store = _restart(store, data_dir)
    assert _show(store, pid, DUE) == []
    # overdue the day after: it was shown on its due day and is not repeated at every start
    store = _restart(store, data_dir)
    assert _show(store, pid, DUE + dt.timedelta(days=1)) == []
    store.db.close()


def test_a_snooze_that_ends_a_new_date_and_a_new_revision_notify_again(task_store, data_dir):
    store, pid, tid = task_store
    late = DUE + dt.timedelta(days=2)  # overdue, shown (the first start after the due day)
    assert _show(store, pid, late) == ["Call the training center"]
    rem.snooze(store, tid, late + dt.timedelta(days=1))
    assert _show(store, pid, late) == []  # snoozed
    store = _restart(store, data_dir)
    assert _show(store, pid, late + dt.timedelta(days=1)) == ["Call the training center"]  # the snooze ended
    store = _restart(store, data_dir)
    day = late + dt.timedelta(days=1)
    assert _show(store, pid, day) == []
    # its date moved (to today): due again, the same day
    rem.update_task(store, tid, title="Call the training center", due=day, repeat_days=None, stages=[1], today=day)
    assert _show(store, pid, day) == ["Call the training center"]
    assert _show(store, pid, day) == []
    # a new title (a new revision, the calendar's SEQUENCE) on the same date
    rem.update_task(store, tid, title="Call the BLS center", due=day, repeat_days=None, stages=[1], today=day)
    assert _show(store, pid, day) == ["Call the BLS center"]
    store = _restart(store, data_dir)
    assert _show(store, pid, day) == []


def test_new_stages_or_done_and_undone_the_same_day_do_not_show_it_again(task_store, data_dir):
    """Each bumps the revision (the calendar's copy updates) but has nothing new to show: until
    2026-12-02 the key carried the revision and the tray showed the reminder again."""
    store, pid, tid = task_store
    assert _show(store, pid, D) == ["Call the training center"]  # its stage day (1 day before)
    before = store.db.execute("SELECT revision FROM reminders WHERE id = ?", [tid]).fetchone()[0]
    rem.set_stages(store, tid, [1, 7], today=D)  # today's firing is still the 1-day stage
    assert _show(store, pid, D) == []
    rem.mark_done(store, tid, D)
    rem.undo_done(store, tid, today=D)
    after = store.db.execute("SELECT revision FROM reminders WHERE id = ?", [tid]).fetchone()[0]
    assert after > before  # the calendar's SEQUENCE did move
    assert _show(store, pid, D) == []
    store = _restart(store, data_dir)
    assert _show(store, pid, D) == []
    assert _show(store, pid, DUE) == ["Call the training center"]  # its due day still fires
    store.db.close()


def test_a_key_written_before_the_title_digest_is_not_shown_again_after_the_upgrade(task_store, data_dir):
    store, pid, tid = task_store
    assert _show(store, pid, D) == ["Call the training center"]
    with store.db.atomic():  # as the version before 2026-12-02 recorded it
        store.db.execute("UPDATE reminders SET notified = ? WHERE id = ?",
                         [f"{DUE.isoformat()} {D.isoformat()} r3 s-", tid])
    store = _restart(store, data_dir)
    assert _show(store, pid, D) == []
    # an old key for another firing day is not this one
    with store.db.atomic():
        store.db.execute("UPDATE reminders SET notified = ? WHERE id = ?",
                         [f"{DUE.isoformat()} {(D - dt.timedelta(days=6)).isoformat()} r3 s-", tid])
    assert _show(store, pid, D) == ["Call the training center"]
    store.db.close()


def test_a_do_it_now_action_is_not_shown_again_each_day_or_at_each_start(data_dir):
    """A new IMG profile's ERAS token and NRMP registration are dated today by the engine, day
    after day; their rows keep the first day. Shown on that day, not at the next day's start."""
    store = _open(data_dir)
    pid = store.create_profile("Amara", "img_physician", ["img"], {"img": {"match_year": 2027}})
    first = _show(store, pid, D)
    now_titles = {r.title for r in rem.sync(store, pid, D) if r.since is not None}
    assert len(now_titles) >= 3 and now_titles <= set(first)
    for day in (D, D + dt.timedelta(days=1), D + dt.timedelta(days=9)):
        store = _restart(store, data_dir)
        items = rem.sync(store, pid, day)
        assert now_titles <= {r.title for r in items if r.since is not None and r.due == day}
        assert now_titles.isdisjoint(_show(store, pid, day)), day
    store.db.close()


def test_deleting_a_profile_drops_what_was_shown_of_it(data_dir):
    from core.store import delete_profile

    store = _open(data_dir)
    a = store.create_profile("Ana", "other", ["pals"], {})
    b = store.create_profile("Ben", "other", ["pals"], {})
    for pid in (a, b):
        rem.add_task(store, pid, "Renew the card", D, stages=[0])
        assert _show(store, pid, D) == ["Renew the card"]
    assert set(rem.notified_keys(store.db, a).values()) == {f"{D.isoformat()} {D.isoformat()} s- t{_crc('Renew the card')}"}
    delete_profile(store, data_paths(data_dir), a, now=dt.datetime(2026, 12, 1, 9, 0))
    assert rem.notified_keys(store.db, a) == {}
    assert store.db.execute("SELECT count(*) FROM reminders WHERE profile_id = ?", [a]).fetchone()[0] == 0
    assert len(rem.notified_keys(store.db, b)) == 1  # the other profile keeps its own
    store = _restart(store, data_dir)
    assert _show(store, b, D) == []
    store.db.close()


def test_a_damaged_record_shows_once_more_then_is_written_over(task_store, data_dir):
    store, pid, tid = task_store
    assert _show(store, pid, D) == ["Call the training center"]
    # a blob, a number, text that is not UTF-8, an empty text
    for bad, sql in ((b"\x00\xff", "?"), (42, "?"), (b"r0 \xff\xfe", "CAST(? AS TEXT)"), ("", "?")):
        with store.db.atomic():
            store.db.execute(f"UPDATE reminders SET notified = {sql} WHERE id = ?", [bad, tid])
        store = _restart(store, data_dir)
        assert _show(store, pid, D) == ["Call the training center"], bad  # once more, no error
        assert _show(store, pid, D) == []
        assert rem.notified_keys(store.db, pid)[tid] == (f"{DUE.isoformat()} {D.isoformat()} s- "
                                                         f"t{_crc('Call the training center')}")
    store.db.close()


def test_a_read_only_data_file_records_nothing_and_says_so(task_store, data_dir):
    store, pid, _ = task_store
    items = rem.sync(store, pid, D)
    store.db.close()
    path = data_paths(data_dir).db
    ro = Store(Database(connect_ro(path), path, readonly=True))
    new = rem.unnotified(ro, pid, items, D)
    assert [r.title for r in new] == ["Call the training center"]
    with pytest.raises(DataFileUnavailableError):
        rem.claim_notices(ro, pid, new, D)
    assert rem.notified_keys(ro.db, pid) == {}
    ro.db.close()


def test_two_certpaths_on_one_data_file_show_each_reminder_once(task_store, data_dir):
    """The window and a command (or two connections) both see the reminder as new; the claim is a
    conditional write under SQLite's write lock, so only the first records, and shows, it."""
    store, pid, _ = task_store
    other = _open(data_dir)
    items = rem.sync(store, pid, D)
    mine, theirs = rem.unnotified(store, pid, items, D), rem.unnotified(other, pid, items, D)
    assert [r.title for r in mine] == [r.title for r in theirs] == ["Call the training center"]
    assert [r.title for r in rem.claim_notices(other, pid, theirs, D)] == ["Call the training center"]
    assert rem.claim_notices(store, pid, mine, D) == []
    other.db.close()


def test_forgetting_what_was_shown_notifies_once_more(task_store):
    store, pid, _ = task_store
    assert _show(store, pid, D) and _show(store, pid, D) == []
    assert rem.forget_notices(store, pid) == 1
    assert _show(store, pid, D) == ["Call the training center"]


def test_an_m006_file_gains_the_column_and_notifies_once(tmp_path):
    old = tmp_path / "m006.sqlite3"
    db = UtilsDatabase(old)
    MIGRATIONS.apply(db, stop_before="m007_reminder_notified")
    db.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.conn.execute("PRAGMA user_version = 6")
    db.execute("INSERT INTO profiles (name, role, tracks, created_at, updated_at) VALUES ('Old', 'other', '[]', 'x', 'x')")
    db.execute("INSERT INTO reminders (profile_id, source_key, title, due, stages, user_task, created_at, revision) "
               "VALUES (1, 'task:1', 'Check the portal', ?, '[0]', 1, '2026-10-02T08:00:00+00:00', 0)", [D.isoformat()])
    db.conn.commit()
    db.close()
    store = Store(open_database(old))
    assert store.db.execute("SELECT notified FROM reminders").fetchall() == [(None,)]
    assert _show(store, 1, D) == ["Check the portal"]
    assert _show(store, 1, D) == []
    store.db.close()


def test_the_command_line_notifies_what_is_new_once(task_store, data_dir):
    from core.instance_lock import InstanceLock

    store, pid, _ = task_store
    store.db.close()

    def run(*args):
        return subprocess.run([sys.executable, "-m", "core", "reminders", str(pid), "--today", D.isoformat(),
                               "--data-dir", str(data_dir), *args], capture_output=True, text=True, cwd=ROOT)

    line = f"{DUE.isoformat()}  Call the training center (tomorrow)\n"
    assert run("--notify", "--dry-run").stdout == line  # records nothing
    assert run("--notify").stdout == line
    again = run("--notify")
    assert (again.returncode, again.stdout) == (0, "")  # nothing new: nothing printed
    assert "1 reminder" in run("--forget-notified").stdout
    with InstanceLock(data_paths(data_dir).root):  # the window is open: it notifies by itself
        busy = run("--notify")
    assert busy.returncode == 4 and "already open" in busy.stderr
    assert run("--notify").stdout == line
    assert run("--dry-run").returncode == 2
    store = _open(data_dir)
    assert _show(store, pid, D) == []  # the window does not repeat what the command showed
    store.db.close()


def test_a_renewed_card_is_a_new_expiry_and_notifies_on_its_own_days(data_dir):
    """A computed reminder: the PALS card's expiry. Shown on its 30-day reminder day, not at the
    next start that day; the card renewed (a new expiry, a moved date) it is quiet until the new
    date's first reminder day, and shown then."""
    store = _open(data_dir)
    pid = store.create_profile("Dana", "nurse_picu", ["pals"], {"pals.card": {"issue_date": "2024-12-15"}})
    (card,) = [r for r in rem.sync(store, pid, D) if r.source_key == "step:pals.card:expires"]
    day = card.due - dt.timedelta(days=30)
    assert card.title not in _show(store, pid, day - dt.timedelta(days=1))
    assert card.title in _show(store, pid, day)
    store = _restart(store, data_dir)
    assert card.title not in _show(store, pid, day)
    store.save_facts(pid, {"pals.card": {"issue_date": day.isoformat()}})  # renewed that day
    (new,) = [r for r in rem.sync(store, pid, day) if r.source_key == "step:pals.card:expires"]
    assert new.due > card.due and new.revision == card.revision + 1
    assert new.title not in _show(store, pid, day)  # not due: its first reminder day is far ahead
    first = new.due - dt.timedelta(days=max(new.stages))
    store = _restart(store, data_dir)
    assert new.title in _show(store, pid, first)
    store = _restart(store, data_dir)
    assert new.title not in _show(store, pid, first)
    store.db.close()
