"""Reminders: every dated thing, staged at 90/60/30/7 days before it (changeable per item).

Sources:
  - the engine's journey: a step's due date and deadline (unless the step is done or not
    applicable), its expiry (cards, certificate validity, licences), and its dated next actions;
  - document expiries (the vault);
  - the user's own tasks ("check the portal"), optionally repeating every N days.

Computed reminders have a stable `source_key` (``step:pals.card:expires``, ``doc:12:expires``,
``step:match.rol:certify-rol``) and are synced into the `reminders` table without duplicating:
the user's stages, snooze and done are kept, and reset only when the date itself moves (a
renewed card is a new expiry). A dated action is keyed by its engine `Action.key`
(``step:<step id>:<key>``), so rewording its text keeps the user's settings; an action without a
key falls back to a key made from its text (``step:<step id>:action:<slug>``). Rows stored under
such a text-derived key are re-keyed once, inside `sync`, when a keyed action of the same step
and date replaces them (their stages, snooze and done carry over, and their calendar UID stays).

Each row has a `revision` (the calendar event's SEQUENCE), bumped when its date, title, step,
stages or done state change, or, for a timed event (an interview with a time), its start, zone or
length (`Reminder.timing`, stored in the `timing` column: the length is in no title, and two
zones can share an abbreviation), and `revised_on`, the day of that change (LAST-MODIFIED).

A "do it now" action (one the engine dates today, and again tomorrow: an opening that has passed,
a late preference) is shown and counted as due today (`due`), but its row keeps the day it first
became due (`since`, `calendar_date`): the calendar event does not move, and its revision does not
rise, every day; done and snooze carry over. A stored date later than today (the action was
planned, and is now due at once) is a real move: the first day starts again, with one revision.

What the tray last showed of a reminder is its row's `notified`, a `notice_key` (its date, the
day it last fired or "now", its snooze's date, a digest of its title): `unnotified` is what is due to be
shown and was not, `claim_notices` records what is shown (once per reminder, whichever CertPath
on the data folder shows it), so a new start of the app does not repeat it, while a reminder
that becomes due again (a new key) is shown again.

A reminder "fires" on each stage day (due − stage) and on the due day. Nothing reads the date
from the clock: every function takes `today`. (`created_at`, a UTC timestamp kept for the record,
is the only clock value written.)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .db import inserted_id, transaction
from .rules import overdue_when_passed

if TYPE_CHECKING:  # sqlite-utils is imported only when needed (start-up time)
    from .db import Database

DEFAULT_STAGES: tuple[int, ...] = (90, 60, 30, 7)
TASK_STAGES: tuple[int, ...] = (1,)  # a user's task: the day before and the day itself
MAX_STAGE = 3660
WEEK = 7

# kinds of reminder (for the panel and the calendar)
DUE = "due"
DEADLINE = "deadline"
EXPIRES = "expires"
ACTION = "action"
DOC_EXPIRES = "document"
TASK = "task"


@dataclass(frozen=True)
class Reminder:
    source_key: str
    title: str
    due: dt.date
    kind: str
    step_id: str | None = None
    stages: tuple[int, ...] = DEFAULT_STAGES
    repeat_days: int | None = None
    snoozed_until: dt.date | None = None
    done_at: dt.date | None = None
    user_task: bool = False
    id: int | None = None  # the table row, once synced
    detail: str = ""  # a longer text (the step's title, the document's name)
    action_key: str = ""  # the engine's Action.key of a keyed dated action
    revision: int = 0  # bumped when the date, title, stages or done state change (ICS SEQUENCE)
    revised_on: dt.date | None = None  # the day of the last change (ICS LAST-MODIFIED)
    uid_key: str | None = None  # the calendar UID's key when it differs from source_key
    # The title as a person reads it on screen: its dates in the installed display format
    # (core.wording.set_date_formatter; the GUI's locale). `title` itself always has ISO dates: it is
    # stored, exported to .ics and CSV and compared by `sync`, so it never follows the display.
    shown: str = ""

    @property
    def display_title(self) -> str:
        return self.shown or self.title
    # A timed event (an interview with a time): its aware start in the event's own zone and its
    # length; None for an all-day date (everything else).
    start: dt.datetime | None = None
    minutes: int = 0
    # A "do it now" action: the engine dates it today (an opening that has passed, a preference
    # that is late) and will date it tomorrow again tomorrow. `due` stays today (what the panel,
    # the banner and the dashboard count and show); `since` is the day it first became due, kept in
    # the stored row's `due`, so the calendar's event stays on that day and its SEQUENCE rises
    # only when something the user sees changes. None for everything else.
    since: dt.date | None = None
    # A step's dated reminder (its due date or at-risk date): what kind of date it is
    # (core.rules.DATE_KINDS). Only a deadline, or a reminder of no kind (a task, an action, an
    # expiry), is overdue once passed; a passed opening or recommendation is `is_passed`.
    date_kind: str = ""

    @property
    def calendar_date(self) -> dt.date:
        """The date stored in the table and given to the calendar (DTSTART): `since` for a
        "do it now" action, else `due`."""
        return self.since or self.due

    @property
    def timing(self) -> str | None:
        """A timed event's start, zone and length as one comparable text ("2026-12-03T14:30
        America/Chicago 90"); None for an all-day date. Stored by `sync`: a change is a revision."""
        if self.start is None:
            return None
        return f"{self.start.strftime('%Y-%m-%dT%H:%M')} {self.start.tzinfo} {self.minutes}"

    @property
    def calendar_key(self) -> str:
        """What the calendar UID is derived from: stable across a re-key from an old text key."""
        return self.uid_key or self.source_key

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def fire_dates(self) -> list[dt.date]:
        """The days this reminder fires: each stage day and the due day, earliest first."""
        return sorted({self.due - dt.timedelta(days=s) for s in self.stages} | {self.due})

    def fires_on(self, day: dt.date) -> bool:
        return day in self.fire_dates()

    def last_fire(self, today: dt.date) -> dt.date | None:
        past = [d for d in self.fire_dates() if d <= today]
        return past[-1] if past else None

    def next_fire(self, today: dt.date) -> dt.date | None:
        nxt = [d for d in self.fire_dates() if d > today]
        return nxt[0] if nxt else None

    def snoozed(self, today: dt.date) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > today

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days

    def is_due_now(self, today: dt.date) -> bool:
        """A stage has fired, the date has not passed, and it is neither done nor snoozed."""
        return (not self.done and not self.snoozed(today) and self.due >= today
                and self.last_fire(today) is not None)

    def is_overdue(self, today: dt.date) -> bool:
        return (not self.done and not self.snoozed(today) and self.due < today
                and overdue_when_passed(self.date_kind or None))

    def is_passed(self, today: dt.date) -> bool:
        """A date that has passed and is never overdue (an opening, a recommendation, an event)."""
        return (not self.done and not self.snoozed(today) and self.due < today
                and not overdue_when_passed(self.date_kind or None))

    def to_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"source_key": self.source_key, "title": self.title, "due": iso(self.due), "kind": self.kind,
                "step_id": self.step_id, "stages": list(self.stages), "repeat_days": self.repeat_days,
                "snoozed_until": iso(self.snoozed_until), "done_at": iso(self.done_at),
                "user_task": self.user_task}


def parse_stages(value: str | Iterable[int]) -> tuple[int, ...]:
    """'90, 60, 30, 7' or [90, 60, 30, 7] -> (90, 60, 30, 7); each a whole number of days 0..3660."""
    items: Iterable[Any] = re.split(r"[,\s;]+", value.strip()) if isinstance(value, str) else value
    out = set()
    for x in items:
        if x == "" or x is None:
            continue
        try:
            n = int(x)
        except (TypeError, ValueError):
            raise ValueError(f"a stage is a number of days before the date, got {x!r}") from None
        if not 0 <= n <= MAX_STAGE:
            raise ValueError(f"a stage must be between 0 and {MAX_STAGE} days, got {n}")
        out.add(n)
    return tuple(sorted(out, reverse=True))


def _slug(text: str, n: int = 48) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:n].rstrip("-") or "item"


_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def _action_key(key: str) -> str:
    """The engine's key as it is ('sit-exam'); anything with other characters made into a slug."""
    key = key.strip()
    return key if _KEY_RE.fullmatch(key) else _slug(key, 80)


def _unique(key: str, used: set[str]) -> str:
    """`key`, or `key-2`, `key-3`… when the step already has it (engine keys should be unique)."""
    out, i = key, 1
    while out in used:
        i += 1
        out = f"{key}-{i}"
    used.add(out)
    return out


def legacy_prefix(step_id: str) -> str:
    """The start of an old text-derived action key of a step."""
    return f"step:{step_id}:action:"


# -- computing the reminders of a journey ----------------------------------------------------------
def from_journey(journey) -> list[Reminder]:
    """The reminders of an evaluated journey, from its dated items (core.journey_view.dated_items:
    the dashboard and the timeline read the same list). One reminder per step and date. An expiry
    is titled by the step's item (core.engine.step_item, the deadlines list's source)."""
    from .engine import step_item, step_name, with_track
    from .journey_view import date_words, dated_items
    from .wording import iso_dates, text

    out: list[Reminder] = []
    today = getattr(journey, "today", None)
    seen: dict[str, set[dt.date]] = {}
    used: dict[str, set[str]] = {}  # the source keys of each step
    slugs: dict[str, set[str]] = {}
    for it in dated_items(journey):
        sid = it.step_id
        title = step_name(sid)
        days, keys = seen.setdefault(sid, set()), used.setdefault(sid, set())
        if it.kind == "done" or it.date in days:
            continue
        days.add(it.date)
        if it.kind == "expires":
            # named by what expires, as the deadlines list and the timeline do ("BLS card expires",
            # not "BLS: Card issued: expires"); the key stays, so `sync` retitles rows in place
            out.append(Reminder(_unique(f"step:{sid}:expires", keys), f"{step_item(sid)} expires", it.date, EXPIRES,
                                step_id=sid, detail=title))
        elif it.kind == "action" and it.action is not None:  # dated actions first: their text says what to do
            a = it.action
            kind = DEADLINE if a.kind == "deadline" else ACTION
            akey = a.key or ""
            if akey:
                key = _unique(f"step:{sid}:{_action_key(akey)}", keys)
            else:  # no engine key: the old key made from the text (ISO dates, as it always was)
                slug = _slug(text(a.what, iso=True))
                taken = slugs.setdefault(sid, set())
                while slug in taken:
                    slug += "-x"
                taken.add(slug)
                key = _unique(f"{legacy_prefix(sid)}{slug}", keys)
            # dated today: "do it now" (`since` is made the stored first day by `_anchored`)
            out.append(Reminder(key, with_track(sid, text(a.what, iso=True)), it.date, kind, step_id=sid,
                                detail=title, action_key=akey, shown=with_track(sid, a.text),
                                since=it.date if it.date == today else None, date_kind=a.date_kind))
        elif it.kind in ("deadline", "due"):
            # "PALS: Renew before it expires (deadline 2027-06-30)", "ERAS application (recommended
            # by …)": worded by the kind of date, as the dashboard's rows (the catalogue words it;
            # the key stays, so `sync` retitles rows stored with the old title in place). Only a
            # deadline is a DEADLINE reminder (and overdue once passed).
            with iso_dates():
                iso_title = date_words(sid, it.date_kind, it.date)
            hard = it.kind == "deadline" and overdue_when_passed(it.date_kind)
            out.append(Reminder(_unique(f"step:{sid}:{it.kind}", keys), iso_title, it.date,
                                DEADLINE if hard else DUE, step_id=sid, detail=title,
                                shown=date_words(sid, it.date_kind, it.date), date_kind=it.date_kind))
    return out


def from_documents(db: Database, profile_id: int) -> list[Reminder]:
    rows = db.execute("SELECT id, step_id, original_name, expires FROM documents "
                      "WHERE profile_id = ? AND expires IS NOT NULL ORDER BY id", [profile_id]).fetchall()
    return [Reminder(f"doc:{i}:expires", f"Document expires: {name}", dt.date.fromisoformat(exp), DOC_EXPIRES,
                     step_id=step, detail=name) for i, step, name, exp in rows]


def program_key(program_uid: str, kind: str) -> str:
    """The reminder key (and so the calendar UID, in both .ics exports) of a program's dated item."""
    return f"program:{program_uid}:{kind}"


def from_programs(store, profile_id: int, today: dt.date) -> list[Reminder]:
    """The application season's interviews and invite reply-by dates (core.programs.dated_items),
    keyed by the program's stable uid. Added for issue 18."""
    from .programs import ProgramStore, dated_item_title, dated_items

    progs = ProgramStore(store).list(profile_id)
    by_id = {p.id: p for p in progs}
    out = []
    for it in dated_items(progs, today):
        p = by_id[it.program_id]
        start = p.interview_start() if it.kind == "interview" else None  # None: no time (all day)
        out.append(Reminder(program_key(p.uid, it.kind), dated_item_title(it), it.date,
                            DEADLINE if it.kind == "reply_by" else ACTION, step_id="match.eras",
                            detail=str(it.params.get("program", "")), start=start,
                            minutes=p.interview_minutes if start is not None else 0))
    return out


def computed(store, profile_id: int, today: dt.date) -> list[Reminder]:
    """Everything dated for a profile, computed fresh (not yet merged with the table)."""
    from .engine import evaluate

    journey = evaluate(store.document(profile_id), today)
    return from_journey(journey) + from_documents(store.db, profile_id) + from_programs(store, profile_id, today)


# -- the table --------------------------------------------------------------------------------------
_COLS = ("id, source_key, title, step_id, due, stages, repeat_days, snoozed_until, done_at, user_task, "
         "revision, revised_on, uid_key, created_at, timing")


def _d(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v[:10]) if v else None


def _rows(db: Database, profile_id: int) -> dict[str, dict[str, Any]]:
    out = {}
    for r in db.execute(f"SELECT {_COLS} FROM reminders WHERE profile_id = ?", [profile_id]).fetchall():
        out[r[1]] = {"id": r[0], "source_key": r[1], "title": r[2], "step_id": r[3], "due": _d(r[4]),
                     "stages": tuple(json.loads(r[5])), "repeat_days": r[6], "snoozed_until": _d(r[7]),
                     "done_at": _d(r[8]), "user_task": bool(r[9]), "revision": int(r[10] or 0),
                     "revised_on": _d(r[11]) or _d(r[13]), "uid_key": r[12], "timing": r[14]}
    return out


def _legacy_matches(rows: dict[str, dict[str, Any]], fresh: Sequence[Reminder]) -> dict[str, dict[str, Any]]:
    """New key -> the row stored under an old text-derived key that a keyed action replaces.

    A row matches when it is a computed row under the old key form of the same step, with the
    same date, and its old key is no longer produced; a keyed reminder that already has a row of
    its own takes nothing. (A step has at most one reminder per date, so the match is unique.)
    """
    keys = {f.source_key for f in fresh}
    legacy: dict[tuple[str | None, dt.date | None], dict[str, Any]] = {}
    for key, row in sorted(rows.items(), key=lambda kv: kv[1]["id"]):
        if (row["user_task"] or key in keys or row["step_id"] is None
                or not key.startswith(legacy_prefix(row["step_id"]))):
            continue
        legacy.setdefault((row["step_id"], row["due"]), row)
    out: dict[str, dict[str, Any]] = {}
    for f in fresh:
        if not f.action_key or f.source_key in rows:
            continue
        old = legacy.pop((f.step_id, f.due), None)
        if old is not None:
            out[f.source_key] = old
    return out


def _with_legacy(rows: dict[str, dict[str, Any]], fresh: Sequence[Reminder]) -> dict[str, dict[str, Any]]:
    """The rows as they will be after the re-key (in memory: `current` reads only)."""
    moves = _legacy_matches(rows, fresh)
    if not moves:
        return rows
    out = dict(rows)
    for new, row in moves.items():
        del out[row["source_key"]]
        out[new] = {**row, "source_key": new, "uid_key": row["uid_key"] or row["source_key"]}
    return out


def _kind_of(key: str) -> str:
    if key.startswith("task:"):
        return TASK
    if key.startswith("doc:"):
        return DOC_EXPIRES
    tail = key.rsplit(":", 1)[-1]
    if key.startswith("program:"):  # issue 18: interviews and reply-by dates
        return DEADLINE if tail == "reply_by" else ACTION
    if ":action:" in key:
        return ACTION
    return {"expires": EXPIRES, "deadline": DEADLINE, "due": DUE}.get(tail, DUE)


def _anchored(fresh: Reminder, row: dict[str, Any] | None) -> Reminder:
    """A "do it now" action keeps the day it first became due: the stored row's date when that is
    earlier than today (the same action, still to do). A stored date that is later (the action was
    planned for then and is now due at once) or none starts a new first day: today."""
    if fresh.since is None or row is None or row["due"] is None or not row["due"] < fresh.since:
        return fresh
    return replace(fresh, since=row["due"])


def _changed(row: dict[str, Any], fresh: Reminder) -> bool:
    """Whether the calendar's copy is out of date: the date, title, step, or a timed event's start,
    zone or length (a row stored before timings were kept, NULL, counts as changed once: its
    calendar copy may be the stale one). `fresh` is anchored (`_anchored`): a "do it now" action
    compares its first day, not today."""
    return (row["due"] != fresh.calendar_date or row["title"] != fresh.title or row["step_id"] != fresh.step_id
            or row.get("timing") != fresh.timing)


def _merge(fresh: Reminder, row: dict[str, Any] | None, today: dt.date) -> Reminder:
    """A computed reminder with its row's user state; revision as `sync` leaves it (read only)."""
    if row is None:
        return replace(fresh, revised_on=today)
    fresh = _anchored(fresh, row)
    same_date = row["due"] == fresh.calendar_date
    changed = _changed(row, fresh)
    return replace(fresh, id=row["id"], stages=row["stages"],
                   snoozed_until=row["snoozed_until"] if same_date else None,
                   done_at=row["done_at"] if same_date else None,
                   revision=row["revision"] + (1 if changed else 0),
                   revised_on=today if changed else row["revised_on"], uid_key=row["uid_key"])


def _task(row: dict[str, Any]) -> Reminder:
    return Reminder(row["source_key"], row["title"], row["due"], TASK, step_id=row["step_id"],
                    stages=row["stages"], repeat_days=row["repeat_days"], snoozed_until=row["snoozed_until"],
                    done_at=row["done_at"], user_task=True, id=row["id"], revision=row["revision"],
                    revised_on=row["revised_on"], uid_key=row["uid_key"])


def current(store, profile_id: int, today: dt.date, fresh: Sequence[Reminder] | None = None) -> list[Reminder]:
    """Computed reminders merged with the table (stages, snooze, done) plus the user's tasks.

    Reads only: use `sync` to write. Sorted by date.
    """
    fresh = computed(store, profile_id, today) if fresh is None else fresh
    rows = _with_legacy(_rows(store.db, profile_id), fresh)
    out = [_merge(f, rows.get(f.source_key), today) for f in fresh]
    out += [_task(r) for r in rows.values() if r["user_task"] and r["due"] is not None]
    return sorted(out, key=lambda r: (r.due, r.source_key))


def sync(store, profile_id: int, today: dt.date, fresh: Sequence[Reminder] | None = None) -> list[Reminder]:
    """Write the computed reminders into the table (one transaction), without duplicating.

    New sources are inserted; changed titles and dates updated, bumping the revision (a moved
    date clears snooze and done); computed rows whose source is gone are deleted. Rows under an
    old text-derived action key that a keyed action replaces are re-keyed first (same step,
    same date), keeping their stages, snooze, done and calendar UID. Users' tasks are never touched.
    """
    fresh = computed(store, profile_id, today) if fresh is None else fresh
    rows = _rows(store.db, profile_id)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    keys = {f.source_key for f in fresh}
    with transaction(store.db):
        moves = _legacy_matches(rows, fresh)
        for new, row in moves.items():  # the one-time re-key of old text-derived keys
            store.db.execute("UPDATE reminders SET source_key = ?, uid_key = coalesce(uid_key, ?) WHERE id = ?",
                             [new, row["source_key"], row["id"]])
        rows = _with_legacy(rows, fresh)
        for computed_one in fresh:
            have = rows.get(computed_one.source_key)
            f = _anchored(computed_one, have)
            if have is None:
                store.db.execute(
                    "INSERT INTO reminders (profile_id, source_key, title, step_id, due, stages, user_task, "
                    "created_at, revision, revised_on, timing) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?)",
                    [profile_id, f.source_key, f.title, f.step_id, f.calendar_date.isoformat(),
                     json.dumps(list(f.stages)), now, today.isoformat(), f.timing])
            elif _changed(have, f):
                moved = have["due"] != f.calendar_date
                store.db.execute(
                    "UPDATE reminders SET title = ?, step_id = ?, due = ?, timing = ?, revision = revision + 1, "
                    "revised_on = ?" + (", snoozed_until = NULL, done_at = NULL" if moved else "") + " WHERE id = ?",
                    [f.title, f.step_id, f.calendar_date.isoformat(), f.timing, today.isoformat(), have["id"]])
        for key, row in rows.items():
            if not row["user_task"] and key not in keys:
                store.db.execute("DELETE FROM reminders WHERE id = ?", [row["id"]])
    return current(store, profile_id, today, fresh)


# -- the user's actions ----------------------------------------------------------------------------
def _check_id(db: Database, reminder_id: int) -> dict[str, Any]:
    r = db.execute("SELECT due, repeat_days, user_task, profile_id, stages, done_at FROM reminders WHERE id = ?",
                   [reminder_id]).fetchone()
    if not r:
        raise LookupError(f"no reminder with id {reminder_id}")
    return {"due": _d(r[0]), "repeat_days": r[1], "user_task": bool(r[2]), "profile_id": r[3],
            "stages": tuple(json.loads(r[4])), "done_at": _d(r[5])}


_BUMP = ", revision = revision + 1, revised_on = ?"


def _day(today: dt.date) -> str:
    return today.isoformat()


def add_task(store, profile_id: int, title: str, due: dt.date, *, repeat_days: int | None = None,
             stages: Iterable[int] = TASK_STAGES, step_id: str | None = None) -> int:
    """A user's own reminder ("check MyIntealth"), repeating every `repeat_days` if given."""
    title = title.strip()
    if not title:
        raise ValueError("a reminder needs a title")
    if repeat_days is not None:
        if isinstance(repeat_days, bool) or not isinstance(repeat_days, int) or not 1 <= repeat_days <= 3660:
            raise ValueError("repeat every 1 to 3660 days (a whole number)")
    st = parse_stages(stages)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with transaction(store.db):
        cur = store.db.execute(
            "INSERT INTO reminders (profile_id, source_key, title, step_id, due, stages, repeat_days, user_task, "
            "created_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, 0)",
            [profile_id, f"task:new:{now}:{title}", title, step_id, due.isoformat(), json.dumps(list(st)),
             repeat_days, now])
        rid = inserted_id(cur)
        store.db.execute("UPDATE reminders SET source_key = ? WHERE id = ?", [f"task:{rid}", rid])
    return rid


def set_stages(store, reminder_id: int, stages: Iterable[int] | str, *, today: dt.date) -> None:
    """New stages (the calendar's alarms change: the revision goes up when they differ)."""
    st = parse_stages(stages)
    info = _check_id(store.db, reminder_id)
    if info["stages"] == st:
        return
    with transaction(store.db):
        store.db.execute("UPDATE reminders SET stages = ?" + _BUMP + " WHERE id = ?",
                         [json.dumps(list(st)), _day(today), reminder_id])


def snooze(store, reminder_id: int, until: dt.date) -> None:
    """Hide the reminder until `until` (it shows again on that day)."""
    _check_id(store.db, reminder_id)
    with transaction(store.db):
        store.db.execute("UPDATE reminders SET snoozed_until = ? WHERE id = ?", [until.isoformat(), reminder_id])


def snooze_default(r: Reminder, today: dt.date) -> dt.date:
    """Until the next stage day, or tomorrow when none is left before the date."""
    nxt = r.next_fire(today)
    return nxt if nxt is not None else today + dt.timedelta(days=1)


def mark_done(store, reminder_id: int, today: dt.date) -> dt.date | None:
    """Done. A repeating task moves on to today + N days instead (returned)."""
    info = _check_id(store.db, reminder_id)
    with transaction(store.db):
        if info["user_task"] and info["repeat_days"]:
            nxt = today + dt.timedelta(days=int(info["repeat_days"]))
            store.db.execute("UPDATE reminders SET due = ?, snoozed_until = NULL, done_at = NULL" + _BUMP
                             + " WHERE id = ?", [nxt.isoformat(), today.isoformat(), reminder_id])
            return nxt
        bump = _BUMP if info["done_at"] is None else ""
        store.db.execute("UPDATE reminders SET done_at = ?, snoozed_until = NULL" + bump + " WHERE id = ?",
                         [today.isoformat(), *([today.isoformat()] if bump else []), reminder_id])
    return None


def undo_done(store, reminder_id: int, *, today: dt.date) -> None:
    info = _check_id(store.db, reminder_id)
    if info["done_at"] is None:
        return
    with transaction(store.db):
        store.db.execute("UPDATE reminders SET done_at = NULL" + _BUMP + " WHERE id = ?", [_day(today), reminder_id])


def update_task(store, reminder_id: int, *, title: str, due: dt.date, repeat_days: int | None,
                stages: Iterable[int] | str, today: dt.date) -> None:
    """Edit one of the user's own reminders. A moved date clears snooze and done (as a computed
    reminder's does); any change bumps the revision (the calendar's copy updates)."""
    info = _check_id(store.db, reminder_id)
    if not info["user_task"]:
        raise ValueError("only your own reminders can be edited; computed ones follow your journey "
                         "(their reminder days can be changed)")
    title = title.strip()
    if not title:
        raise ValueError("a reminder needs a title")
    if repeat_days is not None:
        if isinstance(repeat_days, bool) or not isinstance(repeat_days, int) or not 1 <= repeat_days <= 3660:
            raise ValueError("repeat every 1 to 3660 days (a whole number)")
    st = parse_stages(stages)
    row = store.db.execute("SELECT title, due, repeat_days, stages FROM reminders WHERE id = ?",
                           [reminder_id]).fetchone()
    if (row[0], _d(row[1]), row[2], tuple(json.loads(row[3]))) == (title, due, repeat_days, st):
        return
    moved = _d(row[1]) != due
    with transaction(store.db):
        store.db.execute(
            "UPDATE reminders SET title = ?, due = ?, repeat_days = ?, stages = ?"
            + (", snoozed_until = NULL, done_at = NULL" if moved else "") + _BUMP + " WHERE id = ?",
            [title, due.isoformat(), repeat_days, json.dumps(list(st)), _day(today), reminder_id])


def delete_task(store, reminder_id: int) -> dict[str, Any]:
    """Delete one of the user's own reminders; returns the row as it was, for `restore_task` (Undo)."""
    info = _check_id(store.db, reminder_id)
    if not info["user_task"]:
        raise ValueError("only your own reminders can be deleted; computed ones follow your journey")
    cur = store.db.execute("SELECT * FROM reminders WHERE id = ?", [reminder_id])
    cols = [d[0] for d in cur.description]
    row = dict(zip(cols, cur.fetchone(), strict=True))
    with transaction(store.db):
        store.db.execute("DELETE FROM reminders WHERE id = ?", [reminder_id])
    return row


def restore_task(store, row: dict[str, Any]) -> int:
    """Put back a reminder `delete_task` removed, exactly as it was (its id and calendar UID too)."""
    if not row.get("user_task"):
        raise ValueError("only your own reminders can be restored")
    cols = list(row)
    with transaction(store.db):
        store.db.execute(f"INSERT INTO reminders ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                         [row[c] for c in cols])
    return int(row["id"])


# -- what to show --------------------------------------------------------------------------------
def due_now(reminders: Iterable[Reminder], today: dt.date) -> list[Reminder]:
    return [r for r in reminders if r.is_due_now(today)]


def overdue(reminders: Iterable[Reminder], today: dt.date) -> list[Reminder]:
    return [r for r in reminders if r.is_overdue(today)]


def firing_today(reminders: Iterable[Reminder], today: dt.date) -> list[Reminder]:
    return [r for r in reminders if not r.done and not r.snoozed(today) and r.fires_on(today)]


def due_this_week(reminders: Iterable[Reminder], today: dt.date) -> list[Reminder]:
    """Not done, dated today or within the next 6 days."""
    end = today + dt.timedelta(days=WEEK - 1)
    return [r for r in reminders if not r.done and today <= r.due <= end]


# -- notifications (the tray; `python -m core reminders ID --notify`) --------------------------------
def to_notify(reminders: Iterable[Reminder], today: dt.date) -> list[Reminder]:
    """What a notification shows on `today`: the overdue, then those firing today (a stage day or the
    due day); neither done nor snoozed."""
    items = list(reminders)
    return overdue(items, today) + firing_today(items, today)


def notice_key(r: Reminder, today: dt.date) -> str:
    """What showing `r` on `today` is about, as one text: the same text means it was shown already.

    Its date, the day it last fired (a stage day or the due day; an overdue one stays on its due
    day), its snooze's date (a snooze that ended makes it due again) and a digest of its title (a
    new title says something new). A "do it now" action, which the engine dates today day after
    day, is keyed by the day it first became due (`calendar_date`) and "now", so an unchanged one
    is not shown again each day. Not its revision: new stages that leave today's firing as it was,
    or done and undone again the same day, bump the revision (the calendar's copy must update)
    but have nothing new to show; until 2026-12-02 they showed it again.
    """
    fired = "now" if r.since is not None else _iso(r.last_fire(today))
    return f"{r.calendar_date.isoformat()} {fired} s{_iso(r.snoozed_until)} t{_title_digest(r.title)}"


def _title_digest(title: str) -> str:
    return f"{zlib.crc32(title.encode('utf-8')):08x}"


# A key written before 2026-12-02: "date fired r<revision> s<snooze>", without the title.
_KEY_WITH_REVISION = re.compile(r"(\S+ \S+) r\d+ (s\S+)")


def shown_already(stored: str | None, key: str) -> bool:
    """Whether a stored notice key says `key`'s notice was shown. A key stored by an older version
    (with the revision, without the title) counts when its date, firing and snooze are the same:
    an upgrade does not show again what was shown."""
    if stored is None:
        return False
    if stored == key:
        return True
    old = _KEY_WITH_REVISION.fullmatch(stored)
    return old is not None and key.rsplit(" t", 1)[0] == f"{old[1]} {old[2]}"


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d is not None else "-"


def notified_keys(db: Database, profile_id: int) -> dict[int, str]:
    """{reminder id: the notice key last shown} of a profile. A value that is not text (a damaged
    row) reads as never shown: it is shown once more and then written over."""
    rows = db.execute("SELECT id, notified FROM reminders WHERE profile_id = ? AND notified IS NOT NULL",
                      [profile_id]).fetchall()
    return {int(i): v for i, v in rows if isinstance(v, str)}


def unnotified(store, profile_id: int, reminders: Iterable[Reminder], today: dt.date) -> list[Reminder]:
    """Of what a notification shows today (`to_notify`), what has not been shown yet: its stored
    notice key differs (or it has no row yet). Reads only."""
    items = to_notify(reminders, today)
    if not items:
        return []
    shown = notified_keys(store.db, profile_id)
    return [r for r in items if r.id is None or not shown_already(shown.get(r.id), notice_key(r, today))]


def claim_notices(store, profile_id: int, reminders: Iterable[Reminder], today: dt.date) -> list[Reminder]:
    """Record `reminders` as shown today (one transaction) and return the ones this call recorded.

    Each row is written only when its stored key differs (`UPDATE ... WHERE notified IS NOT key`,
    under SQLite's write lock), so when two CertPaths show notifications from one data folder (the
    window and `python -m core reminders ID --notify`) each reminder is claimed, and shown, by one
    of them. A reminder without a row (never synced) cannot be recorded: it is returned as it is.
    Raises the storage errors of `transaction` (a read-only folder, a full disk).
    """
    out = []
    with transaction(store.db):
        for r in reminders:
            if r.id is None:
                out.append(r)
                continue
            key = notice_key(r, today)
            cur = store.db.execute("UPDATE reminders SET notified = ? WHERE id = ? AND profile_id = ? "
                                   "AND notified IS NOT ?", [key, r.id, profile_id, key])
            if cur.rowcount:
                out.append(r)
    return out


def forget_notices(store, profile_id: int) -> int:
    """Forget what was shown of a profile's reminders (everything due notifies once more); returns
    how many reminders had been shown."""
    with transaction(store.db):
        cur = store.db.execute("UPDATE reminders SET notified = NULL WHERE profile_id = ? AND notified IS NOT NULL",
                               [profile_id])
    return int(cur.rowcount)


@dataclass
class Summary:
    overdue: list[Reminder] = field(default_factory=list)
    this_week: list[Reminder] = field(default_factory=list)
    due_now: list[Reminder] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.this_week)

    def headline(self, today: dt.date) -> str:
        """One sentence for the dashboard's banner: the counts, then the most urgent item."""
        from .wording import date_text

        if self.empty:
            return "Nothing is overdue or due this week."
        counts = []
        if self.overdue:
            counts.append(f"{len(self.overdue)} overdue")
        if self.this_week:
            counts.append(f"{len(self.this_week)} due this week")
        first = self.overdue[0] if self.overdue else self.this_week[0]
        n = first.days_left(today)
        when = (f"was due {date_text(first.due)}" if n < 0 else "today" if n == 0 else
                "tomorrow" if n == 1 else f"{date_text(first.due)}, in {n} days")
        return f"Reminders: {' and '.join(counts)}. First: {first.display_title} ({when})."

    def text(self, today: dt.date) -> str:
        from .wording import date_text

        if self.empty:
            return "Nothing is overdue or due this week."
        lines = []
        if self.overdue:
            lines.append(f"Overdue ({len(self.overdue)}):")
            lines += [f"  • {r.display_title} (was due {date_text(r.due)})" for r in self.overdue]
        if self.this_week:
            lines.append(f"Due this week ({len(self.this_week)}):")
            for r in self.this_week:
                n = r.days_left(today)
                when = "today" if n == 0 else ("tomorrow" if n == 1 else f"in {n} days")
                lines.append(f"  • {r.display_title} ({date_text(r.due)}, {when})")
        return "\n".join(lines)


def summary(reminders: Sequence[Reminder], today: dt.date) -> Summary:
    return Summary(overdue=overdue(reminders, today), this_week=due_this_week(reminders, today),
                   due_now=due_now(reminders, today))
