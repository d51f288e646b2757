"""Reminders: stages fire on the right days across month and year ends; sync, snooze, done, tasks."""

import datetime as dt
import json
from types import SimpleNamespace

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
    rem.set_stages(store, card.id, "14, 3", today=today)
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


# -- keyed actions: rewording keeps the user's settings; old text keys are re-keyed once ----------
def _journey(*actions, step_id="usmle.step2ck"):
    from types import SimpleNamespace

    from core.engine.base import StepResult

    step = StepResult(step_id, status="in_progress", actions=list(actions))
    return SimpleNamespace(tracks=[SimpleNamespace(track="img", steps=[step])])


def _action(text, date, key="", kind="deadline"):
    """An action worded `text` (a finding of a code registered for the test: rewording is the point)."""
    from core import wording
    from core.engine.base import Action
    from core.engine.findings import F

    code = "test.reminders." + "".join(c if c.isalnum() else "_" for c in text.lower())
    wording.register({code: text.replace("{", "{{").replace("}", "}}")})
    return Action(F(code), date, kind, key=key)


def test_keyed_actions_use_the_engine_key():
    fresh = rem.from_journey(_journey(_action("Sit Step 2 CK", D(2026, 12, 10), "sit-exam"),
                                      _action("Result expected", D(2027, 1, 13), "result", "reminder"),
                                      _action("Old wording without a key", D(2027, 2, 1))))
    assert [r.source_key for r in fresh] == ["step:usmle.step2ck:sit-exam", "step:usmle.step2ck:result",
                                             "step:usmle.step2ck:action:old-wording-without-a-key"]
    assert [r.kind for r in fresh] == [rem.DEADLINE, rem.ACTION, rem.DEADLINE]
    assert fresh[0].action_key == "sit-exam" and fresh[2].action_key == ""
    # a key the step already uses (a slip in the engine) still gives unique source keys
    dup = rem.from_journey(_journey(_action("A", D(2027, 1, 1), "same"), _action("B", D(2027, 1, 2), "same")))
    assert [r.source_key for r in dup] == ["step:usmle.step2ck:same", "step:usmle.step2ck:same-2"]


def test_rewording_a_keyed_action_keeps_the_users_settings(provider, today):
    store, pid = provider
    key = "step:usmle.step2ck:sit-exam"
    first = rem.sync(store, pid, today, fresh=rem.from_journey(_journey(_action("Sit Step 2 CK", D(2027, 1, 5),
                                                                                "sit-exam"))))
    r = next(x for x in first if x.source_key == key)
    rem.set_stages(store, r.id, "21, 2", today=today)
    rem.snooze(store, r.id, D(2026, 12, 20))
    reworded = rem.from_journey(_journey(_action("Sit USMLE Step 2 CK (book a test date first)", D(2027, 1, 5),
                                                 "sit-exam")))
    after = {x.source_key: x for x in rem.sync(store, pid, today, fresh=reworded)}
    kept = after[key]
    assert kept.id == r.id and kept.title.startswith("Sit USMLE Step 2 CK (book")
    assert kept.stages == (21, 2) and kept.snoozed_until == D(2026, 12, 20)
    assert store.db.execute("SELECT count(*) FROM reminders WHERE profile_id = ?", [pid]).fetchone()[0] == 1
    # done survives a rewording too
    rem.mark_done(store, r.id, today)
    again = rem.sync(store, pid, today, fresh=rem.from_journey(_journey(_action("Sit Step 2", D(2027, 1, 5),
                                                                                "sit-exam"))))
    assert next(x for x in again if x.source_key == key).done_at == today


def test_old_text_keys_are_migrated_to_the_engine_key(provider, today):
    from core.ics import event_uid

    store, pid = provider
    old = rem.from_journey(_journey(_action("Sit Step 2 CK", D(2027, 1, 5)),  # before the engine had keys
                                    _action("Result expected", D(2027, 2, 10), kind="reminder"),
                                    _action("Register", D(2026, 12, 1))))
    rows = {x.source_key: x for x in rem.sync(store, pid, today, fresh=old)}
    sit = rows["step:usmle.step2ck:action:sit-step-2-ck"]
    res = rows["step:usmle.step2ck:action:result-expected"]
    rem.set_stages(store, sit.id, [45, 3], today=today)
    rem.snooze(store, sit.id, D(2026, 12, 1))
    rem.mark_done(store, res.id, today)
    old_uid = event_uid(pid, sit.source_key)
    new = rem.from_journey(_journey(_action("Sit USMLE Step 2 CK", D(2027, 1, 5), "sit-exam"),  # reworded too
                                    _action("Result expected", D(2027, 2, 10), "result", "reminder"),
                                    _action("Register", D(2026, 12, 3), "register")))  # a moved date: no match
    # read-only first: `current` already shows the carried-over state, without writing
    before = [tuple(r) for r in store.db.execute("SELECT * FROM reminders ORDER BY id").fetchall()]
    cur = {x.source_key: x for x in rem.current(store, pid, today, fresh=new)}
    assert cur["step:usmle.step2ck:sit-exam"].stages == (45, 3)
    assert [tuple(r) for r in store.db.execute("SELECT * FROM reminders ORDER BY id").fetchall()] == before
    out = {x.source_key: x for x in rem.sync(store, pid, today, fresh=new)}
    assert set(out) == {"step:usmle.step2ck:sit-exam", "step:usmle.step2ck:result", "step:usmle.step2ck:register"}
    moved = out["step:usmle.step2ck:sit-exam"]
    assert moved.id == sit.id and moved.stages == (45, 3) and moved.snoozed_until == D(2026, 12, 1)
    assert moved.title == "Sit USMLE Step 2 CK"
    assert out["step:usmle.step2ck:result"].id == res.id and out["step:usmle.step2ck:result"].done_at == today
    assert out["step:usmle.step2ck:register"].stages == rem.DEFAULT_STAGES  # a different date: a new reminder
    # the calendar event keeps its UID, so a re-import updates it
    assert moved.calendar_key == sit.source_key and event_uid(pid, moved.calendar_key) == old_uid
    keys = {r[0] for r in store.db.execute("SELECT source_key FROM reminders WHERE profile_id = ?", [pid])}
    assert keys == set(out)  # the old keys are gone, nothing is duplicated
    # once: a later sync changes nothing
    again = {x.source_key: x for x in rem.sync(store, pid, today, fresh=new)}
    assert {k: (x.id, x.stages, x.revision) for k, x in again.items()} == {
        k: (x.id, x.stages, x.revision) for k, x in out.items()}


def test_migration_is_all_or_nothing(provider, today, monkeypatch):
    store, pid = provider
    old = rem.from_journey(_journey(_action("Sit Step 2 CK", D(2027, 1, 5))))
    sit = rem.sync(store, pid, today, fresh=old)[0]
    rem.set_stages(store, sit.id, [10], today=today)
    before = [tuple(r) for r in store.db.execute("SELECT * FROM reminders ORDER BY id").fetchall()]
    new = rem.from_journey(_journey(_action("Sit Step 2 CK", D(2027, 1, 5), "sit-exam"),
                                    _action("Something new", D(2027, 3, 1), "new")))
    real = store.db.execute
    calls = []

    def failing(sql, *a):
        if sql.startswith("INSERT INTO reminders"):
            calls.append(sql)
            raise OSError("disk full")
        return real(sql, *a)

    monkeypatch.setattr(store.db, "execute", failing)
    with pytest.raises(OSError):
        rem.sync(store, pid, today, fresh=new)
    monkeypatch.undo()
    assert calls
    assert [tuple(r) for r in store.db.execute("SELECT * FROM reminders ORDER BY id").fetchall()] == before


def test_revision_goes_up_on_changes_only(provider, today):
    store, pid = provider
    fresh = rem.from_journey(_journey(_action("Sit", D(2027, 1, 5), "sit")))
    r = rem.sync(store, pid, today, fresh=fresh)[0]
    assert (r.revision, r.revised_on) == (0, today)
    assert rem.sync(store, pid, today, fresh=fresh)[0].revision == 0
    later = today + dt.timedelta(days=3)
    rem.snooze(store, r.id, D(2026, 12, 1))  # not in the calendar: no new revision
    rem.set_stages(store, r.id, rem.DEFAULT_STAGES, today=later)  # unchanged: no new revision
    assert rem.current(store, pid, later, fresh=fresh)[0].revision == 0
    rem.set_stages(store, r.id, [5], today=later)
    assert rem.current(store, pid, later, fresh=fresh)[0].revision == 1
    moved = rem.from_journey(_journey(_action("Sit", D(2027, 1, 9), "sit")))
    # `current` (read only) already reports the revision `sync` will write
    assert rem.current(store, pid, later, fresh=moved)[0].revision == 2
    s = rem.sync(store, pid, later, fresh=moved)[0]
    assert (s.revision, s.revised_on) == (2, later)
    rem.mark_done(store, r.id, later)
    rem.mark_done(store, r.id, later)  # already done: no change
    assert rem.current(store, pid, later, fresh=moved)[0].revision == 3
    rem.undo_done(store, r.id, today=later)
    assert rem.current(store, pid, later, fresh=moved)[0].revision == 4


# -- python -m core reminders ---------------------------------------------------------------------
def test_reminders_text_groups_overdue_this_week_and_upcoming():
    from core.cli import reminders_text

    today = D(2026, 12, 28)
    items = [rem.Reminder("a", "Old thing", D(2026, 12, 20), rem.DUE),
             rem.Reminder("s", "Snoozed thing", D(2026, 12, 27), rem.DUE, snoozed_until=D(2026, 12, 30)),
             rem.Reminder("t", "Today thing", today, rem.DUE),
             rem.Reminder("b", "Week end", D(2027, 1, 3), rem.DUE),  # in 6 days: this week
             rem.Reminder("c", "Next week", D(2027, 1, 4), rem.DUE),
             rem.Reminder("d", "Done thing", D(2026, 12, 29), rem.DUE, done_at=D(2026, 12, 1))]
    text = reminders_text(items, today, "Ana")
    over, week, upcoming = text.split("\n\n")[1:4]
    assert over.splitlines() == ["Overdue (2):", "  2026-12-20  Old thing (8 days ago)",
                                 "  2026-12-27  Snoozed thing (yesterday; snoozed until 2026-12-30)"]
    assert week.splitlines() == ["Due this week (2):", "  2026-12-28  Today thing (today)",
                                 "  2027-01-03  Week end (in 6 days)"]
    assert upcoming.splitlines() == ["Upcoming (1):", "  2027-01-04  Next week (in 7 days)"]
    assert text.startswith("Reminders for Ana as of 2026-12-28\n") and "Done: 1" in text
    assert "Done thing" not in text
    assert "(none)" in reminders_text([], today)


def test_cli_reminders(provider, today, data_dir):
    import subprocess
    import sys
    from pathlib import Path

    store, pid = provider
    root = Path(__file__).resolve().parent.parent
    tid = rem.add_task(store, pid, "Check the training center portal", D(2026, 11, 23))
    rem.mark_done(store, rem.add_task(store, pid, "Already done", D(2026, 11, 22)), today)
    run = [sys.executable, "-m", "core", "reminders", str(pid), "--data-dir", str(data_dir)]
    out = subprocess.run([*run, "--today", today.isoformat()], cwd=root, capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith(f"Reminders for Dana Reyes, RN (demo) as of {today.isoformat()}")
    sections = {s.split(" (")[0]: s for s in out.split("\n\n")}
    assert set(sections) >= {"Overdue", "Due this week", "Upcoming"}
    # booking the BLS renewal 90 days ahead is CertPath's planner recommendation (wording may change):
    # passed, it is listed apart, not as overdue
    assert "2026-11-02  BLS: " in sections["Passed, not deadlines"] and "BLS: " not in sections["Overdue"]
    assert "2026-11-23  Check the training center portal (in 2 days)" in sections["Due this week"]
    assert "2027-06-30  PALS" in sections["Upcoming"]  # the PALS card expiry
    assert "Already done" not in out and tid
    # the listing only reads: nothing written
    assert store.db.execute("SELECT count(*) FROM reminders WHERE user_task = 0").fetchone()[0] == 0
    later = subprocess.run([*run, "--today", "2027-06-28"], cwd=root, capture_output=True, text=True, check=True)
    assert "expires (in 2 days)" in later.stdout.split("\n\n")[2]
    bad = subprocess.run([*run[:4], "999", "--data-dir", str(data_dir)], cwd=root, capture_output=True, text=True)
    assert bad.returncode == 2 and "no profile with id 999" in bad.stderr
    bad = subprocess.run([*run, "--today", "tomorrow"], cwd=root, capture_output=True, text=True)
    assert bad.returncode == 2 and "--today" in bad.stderr


# -- the app running past midnight (offscreen Qt, fake clock) -------------------------------------
@pytest.fixture
def gui_session(qapp, data_dir, today):
    from gui.shell import open_session

    s = open_session(data_dir, today, demo=True)
    yield s
    s.store.db.close()


def _fake_window(session):
    from PySide6.QtWidgets import QMainWindow, QTabWidget

    from gui.extensions import HostMixin
    from gui.journey_service import JourneyService

    class Window(HostMixin, QMainWindow):
        """gui/extensions.ExtensionHost, for attaching the panel in isolation."""

        def __init__(self):
            super().__init__()
            self.session = session
            self.journeys = JourneyService(session, self)
            self.journeys.reload()
            self.tabs = QTabWidget()
            self.setCentralWidget(self.tabs)
            self.menu_file = self.menuBar().addMenu("&File")
            self.act_quit = self.menu_file.addAction("&Quit")
            self.factories = {}
            self.built = {}

        def add_panel(self, title, factory, shortcut=None):
            self.factories[title] = factory
            return self.menuBar().addAction(title)

        def panel(self, title):
            if title not in self.built:
                self.built[title] = self.factories[title]()
                self.tabs.addTab(self.built[title], title)
            return self.built[title]

        def current_step_id(self):
            return None

        def refresh(self):
            self.journeys.reload()

    return Window()


class _Tray:
    def __init__(self):
        self.messages = []

    def showMessage(self, title, body, *a):  # noqa: N802 (Qt's name)
        self.messages.append((title, body))


def test_session_advance_today_sets_only_today(gui_session, today):
    before = (gui_session.profile_id, gui_session.demo, gui_session.store)
    gui_session.advance_today(today + dt.timedelta(days=1))
    assert gui_session.today == today + dt.timedelta(days=1)
    assert (gui_session.profile_id, gui_session.demo, gui_session.store) == before


def test_a_new_day_refreshes_the_panel_and_notifies(qtbot, gui_session, today):
    from gui import reminders_ui

    clock_now = [today]
    w = _fake_window(gui_session)
    qtbot.addWidget(w)
    reminders_ui.attach(w, clock=lambda: clock_now[0])
    watcher, notifier = w.reminders_day_watcher, w.reminders_notifier
    assert watcher.follows_clock and watcher.timer.isActive()
    assert watcher.timer.interval() == reminders_ui.DAY_CHECK_MS
    pid = gui_session.profile_id
    tid = rem.add_task(gui_session.store, pid, "Check the board portal", today + dt.timedelta(days=2), stages=[1])
    notifier.tray = tray = _Tray()
    notifier.check()  # what is due at start is shown once
    tray.messages.clear()
    panel = w.panel("Reminders")
    row = next(i for i in range(panel.table.rowCount()) if panel.table.item(i, 2).text() == "Check the board portal")
    assert panel.table.item(row, 1).text() == "in 2 days"
    assert not watcher.check() and gui_session.today == today  # the same day: nothing happens
    # midnight passes
    clock_now[0] = today + dt.timedelta(days=1)
    assert watcher.check()
    assert gui_session.today == today + dt.timedelta(days=1)
    row = next(i for i in range(panel.table.rowCount()) if panel.table.item(i, 2).text() == "Check the board portal")
    assert panel.table.item(row, 1).text() == "tomorrow" and panel.table.item(row, 3).text() == "Due soon"
    assert len(tray.messages) == 1 and "Check the board portal" in tray.messages[0][1]
    assert not watcher.check() and len(tray.messages) == 1  # later that day: nothing new
    # the next day the task is due: its due day notifies again
    clock_now[0] = today + dt.timedelta(days=2)
    assert watcher.check() and len(tray.messages) == 2 and "(23 Nov 2026, today)" in tray.messages[1][1]  # the GUI's dates
    assert any(r.id == tid for r in panel.items)


def test_a_new_day_without_the_panel_built_still_notifies(qtbot, gui_session, today):
    from gui import reminders_ui

    clock_now = [today]
    w = _fake_window(gui_session)
    qtbot.addWidget(w)
    reminders_ui.attach(w, clock=lambda: clock_now[0])
    rem.add_task(gui_session.store, gui_session.profile_id, "Call the board", today + dt.timedelta(days=1),
                 stages=[0])
    w.reminders_notifier.tray = tray = _Tray()
    w.reminders_notifier.check()
    tray.messages.clear()
    clock_now[0] = today + dt.timedelta(days=1)
    assert w.reminders_day_watcher.check()
    assert "Call the board" in tray.messages[0][1]
    assert "Reminders" not in w.built  # not built by the day change


def test_day_watcher_timer_and_a_fixed_day(qtbot, gui_session, today):
    from PySide6.QtCore import QObject

    from gui.reminders_ui import DayWatcher

    parent = QObject()
    days = []
    clock_now = [today]
    def new_day(d):
        days.append(d)
        gui_session.advance_today(d)

    watcher = DayWatcher(parent, gui_session, new_day, lambda: clock_now[0], interval_ms=10)
    clock_now[0] = today + dt.timedelta(days=1)
    qtbot.waitUntil(lambda: bool(days), timeout=2000)  # the timer reads the clock
    qtbot.wait(50)
    watcher.timer.stop()
    assert days == [today + dt.timedelta(days=1)]  # once per new day
    # a session started on another day (--today) keeps its day
    fixed = DayWatcher(parent, gui_session, days.append, lambda: D(2030, 1, 1))
    assert not fixed.follows_clock and not fixed.timer.isActive() and not fixed.check()


def test_a_repeating_task_takes_whole_days_only(tmp_path):
    import pytest as _pytest

    from core.db import open_database
    from core.reminders import add_task
    from core.store import Store

    store = Store(open_database(tmp_path / "d.sqlite3"))
    pid = store.create_profile("A", "other", [])
    for bad in (7.5, 0, 4000, True):
        with _pytest.raises(ValueError, match="1 to 3660"):
            add_task(store, pid, "Check MyIntealth", dt.date(2026, 12, 1), repeat_days=bad)
    add_task(store, pid, "Check MyIntealth", dt.date(2026, 12, 1), repeat_days=14)


def test_a_new_day_moves_the_whole_main_window_on(qtbot, gui_session, today):
    """Past midnight the dashboard, not only the reminders, shows the new date."""
    from gui.main_window import MainWindow

    w = MainWindow(gui_session)
    qtbot.addWidget(w)
    assert "21 November 2026" in w.dashboard.sub.text()
    watcher = w.reminders_day_watcher
    watcher.clock, watcher.follows_clock = (lambda: today + dt.timedelta(days=1)), True
    with qtbot.waitSignal(w.journeys.journey_changed, timeout=2000):  # one evaluation; every view follows
        assert watcher.check()
    assert gui_session.today == today + dt.timedelta(days=1)
    assert "22 November 2026" in w.dashboard.sub.text()
    w.close()


# -- time: no clock deep inside core ---------------------------------------------------------------
def test_set_stages_and_undo_done_take_today(store, today):
    """Before the fix both fell back to date.today() deep inside core (wrong LAST-MODIFIED in a
    calendar exported for another day, and untestable)."""
    import core.reminders as rem

    pid = store.create_profile("Ana", "other", [])
    rid = rem.add_task(store, pid, "Check the portal", today)
    with pytest.raises(TypeError):
        rem.set_stages(store, rid, [3])  # `today` is required now
    rem.mark_done(store, rid, today)
    with pytest.raises(TypeError):
        rem.undo_done(store, rid)
    rem.set_stages(store, rid, [3], today=today)
    rem.undo_done(store, rid, today=today)


def test_card_expiries_read_naturally_and_old_titles_are_updated_in_place(provider, today):
    """Reminder titles name what expires ("BLS card expires"), from the same source as the
    deadlines list (StepDef.item). A data file written when they read "BLS: Card issued: expires"
    keeps its rows: the same ids, keys and calendar UIDs, the user's stages, snooze and done kept,
    the title updated with one new revision; nothing doubled."""
    from core.engine import evaluate, step_name
    from core.ics import event_uid, export_ics
    from core.journey_view import deadlines

    store, pid = provider
    first = {r.source_key: r for r in rem.sync(store, pid, today)}
    assert first["step:bls.card:expires"].title == "BLS card expires"
    assert first["step:pals.card:expires"].title == "PALS card expires"
    journey = evaluate(store.document(pid), today)
    listed = {(a.step_id, a.date): a.text for a in deadlines(journey, 3660) if a.kind == "expiry"}
    for r in first.values():
        if r.kind == rem.EXPIRES and (r.step_id, r.due) in listed:
            assert r.title == listed[(r.step_id, r.due)]
    # the file as the previous release left it: the old titles, the user's own settings
    for r in first.values():
        if r.kind == rem.EXPIRES:
            store.db.execute("UPDATE reminders SET title = ? WHERE id = ?", [f"{step_name(r.step_id)}: expires", r.id])
    bls = first["step:bls.card:expires"]
    assert store.db.execute("SELECT title FROM reminders WHERE id = ?", [bls.id]).fetchone()[0] \
        == "BLS: Card issued: expires"
    rem.set_stages(store, bls.id, "45, 5", today=today)
    rem.snooze(store, bls.id, today + dt.timedelta(days=3))
    pals = first["step:pals.card:expires"]
    rem.mark_done(store, pals.id, today)
    revs, uids_before, later, after = _resync_next_day(store, pid, today, first)
    b = after["step:bls.card:expires"]
    assert (b.title, b.stages, b.snoozed_until) == ("BLS card expires", (45, 5), today + dt.timedelta(days=3))
    assert b.revision == revs["step:bls.card:expires"] + 1 and b.revised_on == later
    p = after["step:pals.card:expires"]
    assert (p.title, p.done_at) == ("PALS card expires", today)
    assert set(_uids(export_ics(store, pid, later))) == uids_before  # calendars update, not duplicate
    assert event_uid(pid, "step:bls.card:expires") in uids_before


def _uids(data: bytes) -> list[str]:
    from icalendar import Calendar

    return [str(e["UID"]) for e in Calendar.from_ical(data).walk("VEVENT")]


def _resync_next_day(store, pid, today, first):
    """Sync the day after `today` (a retitle test's second run): the same rows, no new ones.
    Returns the revisions and .ics UIDs before it, the day, and the rows after it by source key."""
    from core.ics import export_ics

    count = "SELECT count(*) FROM reminders WHERE profile_id = ?"
    n = store.db.execute(count, [pid]).fetchone()[0]
    revs = dict(store.db.execute("SELECT source_key, revision FROM reminders WHERE profile_id = ?", [pid]).fetchall())
    uids_before = set(_uids(export_ics(store, pid, today)))
    later = today + dt.timedelta(days=1)
    after = {r.source_key: r for r in rem.sync(store, pid, later)}
    assert store.db.execute(count, [pid]).fetchone()[0] == n
    assert {k: r.id for k, r in after.items()} == {k: r.id for k, r in first.items()}
    return revs, uids_before, later, after


# -- "do it now" actions keep the day they first became due ---------------------------------------
def _ics_events(data: bytes) -> dict[str, tuple[int, dt.date, str]]:
    """UID -> (SEQUENCE, DTSTART, SUMMARY) of an .ics export."""
    from icalendar import Calendar

    return {str(e["UID"]): (int(e["SEQUENCE"]), e.decoded("DTSTART"), str(e["SUMMARY"]))
            for e in Calendar.from_ical(data).walk("VEVENT")}


@pytest.fixture
def img_new(store):
    """A new IMG profile (Match 2027): its ERAS token, NRMP registration and ECFMG application
    are "do it now" actions, dated today by the engine every day."""
    return store, store.create_profile("Amara", "img_physician", ["img"], {"img": {"match_year": 2027}})


def test_do_it_now_actions_keep_their_first_day_in_the_calendar(img_new):
    from core.engine import evaluate
    from core.ics import event_uid, export_ics

    store, pid = img_new
    day_n, day_n1 = D(2026, 12, 1), D(2026, 12, 2)
    key = "step:match.eras:get-token"
    first = {r.source_key: r for r in rem.sync(store, pid, day_n)}
    tok = first[key]
    assert (tok.due, tok.since, tok.calendar_date, tok.revision) == (day_n, day_n, day_n, 0)
    ics_n = _ics_events(export_ics(store, pid, day_n))

    after = {r.source_key: r for r in rem.sync(store, pid, day_n1)}
    t = after[key]
    # the app still says "today" (nothing overdue, counted as the dashboard counts it) ...
    assert t.due == day_n1 and not t.is_overdue(day_n1) and t.is_due_now(day_n1)
    # ... while the stored row and the calendar keep the first day and the revision
    assert (t.since, t.calendar_date, t.revision, t.revised_on) == (day_n, day_n, 0, day_n)
    assert store.db.execute("SELECT due, revision FROM reminders WHERE id = ?", [t.id]).fetchone() \
        == (day_n.isoformat(), 0)
    ics_n1 = _ics_events(export_ics(store, pid, day_n1))
    assert ics_n1 == ics_n  # every event: the same SEQUENCE, DTSTART and title on day N+1
    uid = event_uid(pid, key)
    assert ics_n1[uid][:2] == (0, day_n)
    # every "do it now" action of this profile, not only the token
    now_keys = [k for k, r in after.items() if r.since is not None]
    assert len(now_keys) >= 3 and all(after[k].revision == first[k].revision for k in now_keys)

    # the reminder counts stay those of the journey's own dated items (what the dashboard shows)
    journey = evaluate(store.document(pid), day_n1)
    fresh = rem.summary(rem.from_journey(journey), day_n1)
    synced = rem.summary(list(after.values()), day_n1)
    assert (len(synced.overdue), len(synced.this_week), len(synced.due_now)) \
        == (len(fresh.overdue), len(fresh.this_week), len(fresh.due_now))
    assert synced.overdue == []


def test_done_on_a_do_it_now_action_survives_the_next_day(img_new):
    store, pid = img_new
    day_n = D(2026, 12, 1)
    key = "step:match.eras:get-token"
    tok = next(r for r in rem.sync(store, pid, day_n) if r.source_key == key)
    rem.mark_done(store, tok.id, day_n)
    later = next(r for r in rem.sync(store, pid, day_n + dt.timedelta(days=5)) if r.source_key == key)
    assert later.done_at == day_n and later.revision == 1  # done once: one revision, not a daily one


def test_a_real_change_to_a_do_it_now_action_is_one_revision(provider, today):
    store, pid = provider
    key = "step:usmle.step2ck:book"
    j = lambda text, day: SimpleNamespace(today=day, tracks=_journey(_action(text, day, "book", "todo")).tracks)  # noqa: E731
    day_n, day_n1 = today, today + dt.timedelta(days=1)
    r0 = next(r for r in rem.sync(store, pid, day_n, fresh=rem.from_journey(j("Book Step 2 CK", day_n)))
              if r.source_key == key)
    assert r0.since == day_n and r0.revision == 0
    same = next(r for r in rem.sync(store, pid, day_n1, fresh=rem.from_journey(j("Book Step 2 CK", day_n1)))
                if r.source_key == key)
    assert (same.revision, same.calendar_date, same.due) == (0, day_n, day_n1)
    # the text the calendar shows changes: one new revision, the first day kept
    reworded = next(r for r in rem.sync(store, pid, day_n1,
                                        fresh=rem.from_journey(j("Book Step 2 CK with Prometric", day_n1)))
                    if r.source_key == key)
    assert (reworded.revision, reworded.revised_on, reworded.calendar_date) == (1, day_n1, day_n)
    # an action planned for a later day that becomes "do it now" moves to today: one revision
    planned = SimpleNamespace(today=day_n1, tracks=_journey(_action("Book Step 2 CK with Prometric",
                                                                     day_n1 + dt.timedelta(days=9), "book",
                                                                     "todo")).tracks)
    p = next(r for r in rem.sync(store, pid, day_n1, fresh=rem.from_journey(planned)) if r.source_key == key)
    assert (p.since, p.revision) == (None, 2)
    day_n2 = day_n1 + dt.timedelta(days=1)
    now = next(r for r in rem.sync(store, pid, day_n2,
                                   fresh=rem.from_journey(j("Book Step 2 CK with Prometric", day_n2)))
               if r.source_key == key)
    assert (now.since, now.calendar_date, now.revision) == (day_n2, day_n2, 3)


def test_due_and_deadline_titles_read_naturally_and_old_titles_are_updated_in_place(provider, today):
    """A step's due date and deadline are titled by the kind of date, "PALS: Renew before it expires
    (deadline 2027-06-30)" (the last safe course day is the card's last valid day: a deadline),
    not "PALS: Renew before it expires: due": ISO in the stored title (the .ics, the CSV), the
    display format on screen. Rows a previous release stored as "…: due" keep their ids, keys,
    calendar UIDs and the user's stages, snooze and done; one new revision each, nothing doubled."""
    from core import wording
    from core.engine import evaluate, step_name
    from core.ics import event_uid, export_ics

    store, pid = provider
    key = "step:pals.renewal:due"
    first = {r.source_key: r for r in rem.sync(store, pid, today)}
    due = first[key]
    assert due.due == D(2027, 6, 30) and due.kind == rem.DUE
    assert due.title == "PALS: Renew before it expires (deadline 2027-06-30)"
    before = wording.date_formatter()
    wording.set_date_formatter(lambda d: f"{d.day} {d:%b %Y}")
    try:
        shown = next(r for r in rem.from_journey(evaluate(store.document(pid), today)) if r.source_key == key)
    finally:
        wording.set_date_formatter(before)
    assert shown.display_title == "PALS: Renew before it expires (deadline 30 Jun 2027)"
    assert shown.title == due.title  # stored form unchanged by the display
    assert not any(r.title.endswith((": due", ": deadline")) for r in first.values())
    assert f"SUMMARY:{due.title}" in export_ics(store, pid, today).decode()

    # the file as the previous release left it
    old = {k: r for k, r in first.items() if r.kind in (rem.DUE, rem.DEADLINE) and not r.action_key}
    assert key in old
    for r in old.values():
        tail = "due" if r.kind == rem.DUE else "deadline"
        store.db.execute("UPDATE reminders SET title = ? WHERE id = ?", [f"{step_name(r.step_id)}: {tail}", r.id])
    rem.set_stages(store, due.id, "45, 5", today=today)
    rem.mark_done(store, due.id, today)
    revs, uids_before, later, after = _resync_next_day(store, pid, today, first)
    p = after[key]
    assert (p.title, p.stages, p.done_at) == ("PALS: Renew before it expires (deadline 2027-06-30)", (45, 5), today)
    assert p.revision == revs[key] + 1 and p.revised_on == later
    for k in old:
        assert after[k].revision == revs[k] + 1
    assert set(_uids(export_ics(store, pid, later))) == uids_before and event_uid(pid, key) in uids_before
    # once: the next day changes nothing
    again = {r.source_key: r.revision for r in rem.sync(store, pid, later + dt.timedelta(days=1))}
    assert again == {k: r.revision for k, r in after.items()}
