"""Reminders: every dated thing, staged at 90/60/30/7 days before it (changeable per item).

Sources:
  - the engine's journey: a step's due date and deadline (unless the step is done or not
    applicable), its expiry (cards, certificate validity, licences), and its dated next actions;
  - document expiries (the vault);
  - the user's own tasks ("check the portal"), optionally repeating every N days.

Computed reminders have a stable `source_key` (``step:pals.card:expires``, ``doc:12:expires``,
``step:match.rol:action:certify-your-rank-order-list``) and are synced into the `reminders`
table without duplicating: the user's stages, snooze and done are kept, and reset only when the
date itself moves (a renewed card is a new expiry). A reminder "fires" on each stage day
(due − stage) and on the due day. Nothing reads the clock: every function takes `today`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlite_utils import Database

from .db import transaction

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
        return not self.done and not self.snoozed(today) and self.due < today

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


# -- computing the reminders of a journey ----------------------------------------------------------
def _step_title(step_id: str) -> str:
    """'USMLE Step 2 CK'; a card track's step gets its card's name: 'PALS: Card issued'."""
    from .engine import TRACK_TITLES, step_def

    try:
        sd = step_def(step_id)
    except KeyError:
        return step_id
    return sd.title if sd.track == "img" else f"{TRACK_TITLES.get(sd.track, sd.track)}: {sd.title}"


def _prefixed(step_id: str, text: str) -> str:
    from .engine import TRACK_TITLES, step_def

    try:
        sd = step_def(step_id)
    except KeyError:
        return text
    tt = TRACK_TITLES.get(sd.track, sd.track)
    return text if sd.track == "img" or text.startswith(tt) else f"{tt}: {text}"


def from_journey(journey) -> list[Reminder]:
    """The dated things of an evaluated journey. One reminder per step and date."""
    from .engine.base import DONE, NOT_APPLICABLE

    out: list[Reminder] = []
    for track in journey.tracks:
        for s in track.steps:
            if s.status == NOT_APPLICABLE:
                continue
            title = _step_title(s.id)
            seen: set[dt.date] = set()
            if s.expires:
                out.append(Reminder(f"step:{s.id}:expires", f"{title}: expires", s.expires, EXPIRES,
                                    step_id=s.id, detail=title))
                seen.add(s.expires)
            if s.status == DONE:
                continue
            # dated actions first: their text says what to do
            slugs: set[str] = set()
            for a in s.actions:
                if a.date is None or a.date in seen:
                    continue
                slug = _slug(a.text)
                while slug in slugs:
                    slug += "-x"
                slugs.add(slug)
                kind = DEADLINE if a.kind == "deadline" else ACTION
                out.append(Reminder(f"step:{s.id}:action:{slug}", _prefixed(s.id, a.text), a.date, kind, step_id=s.id,
                                    detail=title))
                seen.add(a.date)
            if s.deadline and s.deadline not in seen:
                out.append(Reminder(f"step:{s.id}:deadline", f"{title}: deadline", s.deadline, DEADLINE,
                                    step_id=s.id, detail=title))
                seen.add(s.deadline)
            if s.due and s.due not in seen:
                out.append(Reminder(f"step:{s.id}:due", f"{title}: due", s.due, DUE, step_id=s.id,
                                    detail=title))
    return out


def from_documents(db: Database, profile_id: int) -> list[Reminder]:
    rows = db.execute("SELECT id, step_id, original_name, expires FROM documents "
                      "WHERE profile_id = ? AND expires IS NOT NULL ORDER BY id", [profile_id]).fetchall()
    return [Reminder(f"doc:{i}:expires", f"Document expires: {name}", dt.date.fromisoformat(exp), DOC_EXPIRES,
                     step_id=step, detail=name) for i, step, name, exp in rows]


def computed(store, profile_id: int, today: dt.date) -> list[Reminder]:
    """Everything dated for a profile, computed fresh (not yet merged with the table)."""
    from .engine import evaluate

    journey = evaluate(store.document(profile_id), today)
    return from_journey(journey) + from_documents(store.db, profile_id)


# -- the table --------------------------------------------------------------------------------------
_COLS = "id, source_key, title, step_id, due, stages, repeat_days, snoozed_until, done_at, user_task"


def _d(v: str | None) -> dt.date | None:
    return dt.date.fromisoformat(v[:10]) if v else None


def _rows(db: Database, profile_id: int) -> dict[str, dict[str, Any]]:
    out = {}
    for r in db.execute(f"SELECT {_COLS} FROM reminders WHERE profile_id = ?", [profile_id]).fetchall():
        out[r[1]] = {"id": r[0], "source_key": r[1], "title": r[2], "step_id": r[3], "due": _d(r[4]),
                     "stages": tuple(json.loads(r[5])), "repeat_days": r[6], "snoozed_until": _d(r[7]),
                     "done_at": _d(r[8]), "user_task": bool(r[9])}
    return out


def _kind_of(key: str) -> str:
    if key.startswith("task:"):
        return TASK
    if key.startswith("doc:"):
        return DOC_EXPIRES
    tail = key.rsplit(":", 1)[-1]
    if ":action:" in key:
        return ACTION
    return {"expires": EXPIRES, "deadline": DEADLINE, "due": DUE}.get(tail, DUE)


def _merge(fresh: Reminder, row: dict[str, Any] | None) -> Reminder:
    if row is None:
        return fresh
    same_date = row["due"] == fresh.due
    return replace(fresh, id=row["id"], stages=row["stages"],
                   snoozed_until=row["snoozed_until"] if same_date else None,
                   done_at=row["done_at"] if same_date else None)


def _task(row: dict[str, Any]) -> Reminder:
    return Reminder(row["source_key"], row["title"], row["due"], TASK, step_id=row["step_id"],
                    stages=row["stages"], repeat_days=row["repeat_days"], snoozed_until=row["snoozed_until"],
                    done_at=row["done_at"], user_task=True, id=row["id"])


def current(store, profile_id: int, today: dt.date, fresh: Sequence[Reminder] | None = None) -> list[Reminder]:
    """Computed reminders merged with the table (stages, snooze, done) plus the user's tasks.

    Reads only: use `sync` to write. Sorted by date.
    """
    fresh = computed(store, profile_id, today) if fresh is None else fresh
    rows = _rows(store.db, profile_id)
    out = [_merge(f, rows.get(f.source_key)) for f in fresh]
    out += [_task(r) for r in rows.values() if r["user_task"] and r["due"] is not None]
    return sorted(out, key=lambda r: (r.due, r.source_key))


def sync(store, profile_id: int, today: dt.date, fresh: Sequence[Reminder] | None = None) -> list[Reminder]:
    """Write the computed reminders into the table (one transaction), without duplicating.

    New sources are inserted; changed titles and dates updated (a moved date clears snooze and
    done); computed rows whose source is gone are deleted. Users' tasks are never touched.
    """
    fresh = computed(store, profile_id, today) if fresh is None else fresh
    rows = _rows(store.db, profile_id)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    keys = {f.source_key for f in fresh}
    with transaction(store.db):
        for f in fresh:
            row = rows.get(f.source_key)
            if row is None:
                store.db.execute(
                    "INSERT INTO reminders (profile_id, source_key, title, step_id, due, stages, user_task, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                    [profile_id, f.source_key, f.title, f.step_id, f.due.isoformat(), json.dumps(list(f.stages)),
                     now])
            elif row["due"] != f.due or row["title"] != f.title or row["step_id"] != f.step_id:
                moved = row["due"] != f.due
                store.db.execute(
                    "UPDATE reminders SET title = ?, step_id = ?, due = ?"
                    + (", snoozed_until = NULL, done_at = NULL" if moved else "") + " WHERE id = ?",
                    [f.title, f.step_id, f.due.isoformat(), row["id"]])
        for key, row in rows.items():
            if not row["user_task"] and key not in keys:
                store.db.execute("DELETE FROM reminders WHERE id = ?", [row["id"]])
    return current(store, profile_id, today, fresh)


# -- the user's actions ----------------------------------------------------------------------------
def _check_id(db: Database, reminder_id: int) -> dict[str, Any]:
    r = db.execute("SELECT due, repeat_days, user_task, profile_id FROM reminders WHERE id = ?",
                   [reminder_id]).fetchone()
    if not r:
        raise LookupError(f"no reminder with id {reminder_id}")
    return {"due": _d(r[0]), "repeat_days": r[1], "user_task": bool(r[2]), "profile_id": r[3]}


def add_task(store, profile_id: int, title: str, due: dt.date, *, repeat_days: int | None = None,
             stages: Iterable[int] = TASK_STAGES, step_id: str | None = None) -> int:
    """A user's own reminder ("check MyIntealth"), repeating every `repeat_days` if given."""
    title = title.strip()
    if not title:
        raise ValueError("a reminder needs a title")
    if repeat_days is not None and not 1 <= int(repeat_days) <= 3660:
        raise ValueError("repeat every 1 to 3660 days")
    st = parse_stages(stages)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with transaction(store.db):
        cur = store.db.execute(
            "INSERT INTO reminders (profile_id, source_key, title, step_id, due, stages, repeat_days, user_task, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
            [profile_id, f"task:new:{now}:{title}", title, step_id, due.isoformat(), json.dumps(list(st)),
             repeat_days, now])
        rid = int(cur.lastrowid)
        store.db.execute("UPDATE reminders SET source_key = ? WHERE id = ?", [f"task:{rid}", rid])
    return rid


def set_stages(store, reminder_id: int, stages: Iterable[int] | str) -> None:
    st = parse_stages(stages)
    _check_id(store.db, reminder_id)
    with transaction(store.db):
        store.db.execute("UPDATE reminders SET stages = ? WHERE id = ?", [json.dumps(list(st)), reminder_id])


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
            store.db.execute("UPDATE reminders SET due = ?, snoozed_until = NULL, done_at = NULL WHERE id = ?",
                             [nxt.isoformat(), reminder_id])
            return nxt
        store.db.execute("UPDATE reminders SET done_at = ?, snoozed_until = NULL WHERE id = ?",
                         [today.isoformat(), reminder_id])
    return None


def undo_done(store, reminder_id: int) -> None:
    _check_id(store.db, reminder_id)
    with transaction(store.db):
        store.db.execute("UPDATE reminders SET done_at = NULL WHERE id = ?", [reminder_id])


def delete_task(store, reminder_id: int) -> None:
    info = _check_id(store.db, reminder_id)
    if not info["user_task"]:
        raise ValueError("only your own reminders can be deleted; computed ones follow your journey")
    with transaction(store.db):
        store.db.execute("DELETE FROM reminders WHERE id = ?", [reminder_id])


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


@dataclass
class Summary:
    overdue: list[Reminder] = field(default_factory=list)
    this_week: list[Reminder] = field(default_factory=list)
    due_now: list[Reminder] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.this_week)

    def text(self, today: dt.date) -> str:
        if self.empty:
            return "Nothing is overdue or due this week."
        lines = []
        if self.overdue:
            lines.append(f"Overdue ({len(self.overdue)}):")
            lines += [f"  • {r.title} (was due {r.due.isoformat()})" for r in self.overdue]
        if self.this_week:
            lines.append(f"Due this week ({len(self.this_week)}):")
            for r in self.this_week:
                n = r.days_left(today)
                when = "today" if n == 0 else ("tomorrow" if n == 1 else f"in {n} days")
                lines.append(f"  • {r.title} ({r.due.isoformat()}, {when})")
        return "\n".join(lines)


def summary(reminders: Sequence[Reminder], today: dt.date) -> Summary:
    return Summary(overdue=overdue(reminders, today), this_week=due_this_week(reminders, today),
                   due_now=due_now(reminders, today))
