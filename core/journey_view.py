"""What the dashboard shows, computed from a `Journey` (pure Python: no Qt here).

The widgets only lay these values out: which steps block the user now, the next actions with
their dates, the deadlines in the next 30 or 90 days, the progress of each track and the
milestones the timeline draws. Every date here comes from the engine's evaluation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .engine import all_step_defs, step_item, step_name, step_title, track_title
from .engine.base import (
    AT_RISK,
    BLOCKED,
    DONE,
    EXPIRED,
    IN_PROGRESS,
    NOT_APPLICABLE,
    Action,
    Journey,
    StepResult,
    TrackResult,
)
from .engine.findings import F
from .rules import overdue_when_passed
from .wording import N_, date_text, far_span, register, text

# A step's date in words by its kind (core.rules.DATE_KINDS, or "due"): the dashboard's deadline
# rows and the timeline's points. An opening is never "overdue": it says when something becomes
# possible. `dates.<kind>` names the step with its track ("PALS: Renew before it expires (deadline
# 30 Jun 2027)", the date as the GUI shows dates, ISO in exports); `dates.point.<kind>` is the
# timeline's short label, in the step's track lane ("Rank order list (deadline)").
register({
    "dates.due": N_("{step:name} (due {date})"),
    "dates.deadline": N_("{step:name} (deadline {date})"),
    "dates.opens": N_("{step:name} (opens {date})"),
    "dates.recommended_by": N_("{step:name} (recommended by {date})"),
    "dates.late_fee_from": N_("{step:name} (late fee from {date})"),
    "dates.result_day": N_("{step:name} (results on {date})"),
    "dates.event": N_("{step:name} (on {date})"),
    "dates.point.due": N_("{step:title}"),
    "dates.point.deadline": N_("{step:title} (deadline)"),
    "dates.point.opens": N_("{step:title} (opens)"),
    "dates.point.recommended_by": N_("{step:title} (recommended)"),
    "dates.point.late_fee_from": N_("{step:title} (late fee)"),
    "dates.point.result_day": N_("{step:title} (results)"),
    "dates.point.event": N_("{step:title}"),
    # How far a date is from today, by its kind: only a deadline (or a plain due date) is
    # "overdue" once passed (core.rules.overdue_when_passed); any other kind is said as passed.
    "dates.when.today": N_("{date} (today)"),
    "dates.when.ahead": {"one": N_("{date} (in {count} day)"), "other": N_("{date} (in {count} days)")},
    # more than wording.FAR_DAYS ahead: in months and years ("3 Mar 2032 (in 5 years 3 months)")
    "dates.when.ahead_span": N_("{date} (in {span})"),
    "dates.when.overdue": {"one": N_("{date} (overdue by {count} day)"),
                           "other": N_("{date} (overdue by {count} days)")},
    "dates.when.passed.opens": {"one": N_("{date} (open since, {count} day ago)"),
                                "other": N_("{date} (open since, {count} days ago)")},
    "dates.when.passed.recommended_by": {"one": N_("{date} (recommended, passed {count} day ago)"),
                                         "other": N_("{date} (recommended, passed {count} days ago)")},
    "dates.when.passed.late_fee_from": {"one": N_("{date} (late fee since, {count} day ago)"),
                                        "other": N_("{date} (late fee since, {count} days ago)")},
    "dates.when.passed.result_day": {"one": N_("{date} (results out, {count} day ago)"),
                                     "other": N_("{date} (results out, {count} days ago)")},
    "dates.when.passed.event": {"one": N_("{date} ({count} day ago)"), "other": N_("{date} ({count} days ago)")},
    # A step page's date line by its kind, and once passed (a passed deadline keeps its line:
    # the step's status and reasons say what it means)
    "dates.line.due": N_("Due: {date}"),
    "dates.line.deadline": N_("Deadline: {date}"),
    "dates.line.opens": N_("Opens: {date}"),
    "dates.line.recommended_by": N_("Recommended by: {date}"),
    "dates.line.late_fee_from": N_("Late fee from: {date}"),
    "dates.line.result_day": N_("Results on: {date}"),
    "dates.line.event": N_("On: {date}"),
    "dates.line_passed.opens": N_("Open since: {date}"),
    "dates.line_passed.recommended_by": N_("Recommended by: {date} (passed)"),
    "dates.line_passed.late_fee_from": N_("Late fee since: {date}"),
    "dates.line_passed.result_day": N_("Results out since: {date}"),
    "dates.line_passed.event": N_("On: {date} (passed)"),
    # the at-risk date of a step by its kind
    "dates.at_risk.deadline": N_("Deadline at risk: {date}"),
    "dates.at_risk.recommended_by": N_("Recommended date at risk: {date}"),
    "dates.at_risk.opens": N_("At risk: the earliest allowed date is {date}"),
    "dates.at_risk.other": N_("Date at risk: {date}"),
    # an action's date marked by its kind on a step page ("31 Dec 2026 (recommended): …")
    "dates.mark.deadline": N_("deadline"),
    "dates.mark.opens": N_("opens"),
    "dates.mark.recommended_by": N_("recommended"),
    "dates.mark.late_fee_from": N_("late fee"),
    "dates.mark.result_day": N_("results"),
    # the headline's date of a passed action that is never overdue (else "(by {date})")
    "dates.headline.opens": N_("(open since {date})"),
    "dates.headline.recommended_by": N_("(recommended by {date})"),
    "dates.headline.late_fee_from": N_("(late fee since {date})"),
    "dates.headline.result_day": N_("(results out since {date})"),
    "dates.headline.event": N_("(on {date})"),
})
DATE_WORDS = ("due", "deadline", "opens", "recommended_by", "late_fee_from", "result_day", "event")


def date_words(step_id: str, kind: str, date: dt.date, point: bool = False) -> str:
    """A step's date in words by its kind (an unknown kind reads as a due date)."""
    kind = kind if kind in DATE_WORDS else "due"
    return text(F(f"dates.point.{kind}" if point else f"dates.{kind}", step=step_id, date=date))


def when_words(date: dt.date, kind: str | None, today: dt.date) -> str:
    """A date and how far it is from today, by its kind: "3 Mar 2027 (in 5 days)", "(overdue by
    2 days)" for a passed deadline (or a date of no kind), "(recommended, passed 2 days ago)",
    "(open since, 2 days ago)" for the kinds that are never overdue."""
    days = (date - today).days
    if days == 0:
        return text(F("dates.when.today", date=date))
    if days > 0:
        span = far_span(date, today)
        if span is not None:
            return text(F("dates.when.ahead_span", date=date, span=span))
        return text(F("dates.when.ahead", date=date, count=days))
    if overdue_when_passed(kind):
        return text(F("dates.when.overdue", date=date, count=-days))
    return text(F(f"dates.when.passed.{kind}", date=date, count=-days))


def date_line(kind: str | None, date: dt.date, today: dt.date) -> str:
    """A step's date on its page by its kind ("Recommended by: 23 Sep 2026"), said as passed once
    it has for the kinds that are never overdue ("Open since: 1 Jun 2026")."""
    k = kind if kind in DATE_WORDS else "due"
    if date < today and not overdue_when_passed(k) and k != "due":
        return text(F(f"dates.line_passed.{k}", date=date))
    return text(F(f"dates.line.{k}", date=date))


def action_mark(action_kind: str, date_kind: str | None) -> str:
    """The word beside a dated action's date on a step page: its date's kind when it has one
    ("recommended", "opens"; none for an event), else "deadline" for a deadline action; "" for none."""
    if date_kind:
        return text(F(f"dates.mark.{date_kind}")) if date_kind in DATE_WORDS and date_kind not in ("due", "event") \
            else ""
    return text(F("dates.mark.deadline")) if action_kind == "deadline" else ""


def at_risk_line(kind: str | None, date: dt.date) -> str:
    """A step's at-risk date by its kind ("Deadline at risk: …", "Recommended date at risk: …")."""
    k = kind or "deadline"
    k = "deadline" if k == "due" or k not in DATE_WORDS else k
    return text(F(f"dates.at_risk.{k}" if k in ("deadline", "recommended_by", "opens") else "dates.at_risk.other",
                  date=date))

URGENT = (EXPIRED, BLOCKED, AT_RISK)


def track_of(step_id: str) -> str:
    sd = all_step_defs().get(step_id)
    return sd.track if sd else step_id.split(".")[0]


@dataclass(frozen=True)
class Progress:
    """A track's progress for the dashboard: the steps done of those that apply."""

    track: str
    title: str
    done: int
    applicable: int  # steps that apply (everything but not_applicable)
    first_open: str | None  # the first step not done (where "Walk me through" starts)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.applicable) if self.applicable else 100

    @property
    def text(self) -> str:
        return f"{self.done} of {self.applicable} steps done"


def first_open_step(track: TrackResult) -> str | None:
    for s in track.steps:
        if s.status not in (DONE, NOT_APPLICABLE):
            return s.id
    return None


def progress(journey: Journey) -> list[Progress]:
    out = []
    for t in journey.tracks:
        applicable = [s for s in t.steps if s.status != NOT_APPLICABLE]
        done = sum(1 for s in applicable if s.status == DONE)
        out.append(Progress(t.track, track_title(t.track), done, len(applicable),
                            first_open_step(t)))
    return out


@dataclass(frozen=True)
class Blocking:
    """A step that needs attention now: its status and the reason in plain words."""

    step_id: str  # the step that needs attention
    status: str
    reason: str  # in plain words
    holds_up: tuple[str, ...] = ()  # steps waiting for this one
    date: dt.date | None = None  # the deadline or expiry that makes it urgent


def _status_reason(s: StepResult) -> str:
    """The sentence that explains an urgent status (the engine lists the decisive reason last)."""
    if s.status == BLOCKED and s.blocked_by:
        return s.blocked_by[0].reason
    if s.reasons:
        return (s.reasons[0] if s.status == EXPIRED else s.reasons[-1]).text
    if s.blocked_by:
        return s.blocked_by[0].reason
    return ""


def _open_reason(s: StepResult) -> str:
    """For an open step that holds others up: its next action, in words."""
    dated = sorted(((a.date, i, a) for i, a in enumerate(s.actions) if a.date is not None), key=lambda x: x[:2])
    if dated:
        d, _, a = dated[0]
        return f"{a.text} ({date_text(d)})"
    if s.actions:
        return s.actions[0].text
    if s.reasons:
        return s.reasons[-1].text
    return "Not done yet"


def blocking_now(journey: Journey) -> list[Blocking]:
    """What blocks the user now: expired, blocked and at-risk steps first, then the open steps
    that hold up later ones (most held-up first)."""
    steps = {s.id: s for s in journey.all_steps()}
    held: dict[str, list[str]] = {}
    for s in journey.all_steps():
        if s.status in (DONE, NOT_APPLICABLE):
            continue
        for b in s.blocked_by:
            if b.step and b.step in steps and steps[b.step].status not in (DONE, NOT_APPLICABLE):
                held.setdefault(b.step, []).append(s.id)
    rank = {EXPIRED: 0, BLOCKED: 1, AT_RISK: 2}
    urgent = sorted((s for s in journey.all_steps() if s.status in URGENT),
                    key=lambda s: (rank[s.status], s.deadline or s.expires or s.due or dt.date.max))
    out = [Blocking(s.id, s.status, _status_reason(s), tuple(held.get(s.id, ())),
                    s.deadline or (s.expires if s.status == EXPIRED else None) or s.due)
           for s in urgent]
    seen = {b.step_id for b in out}
    rest = sorted((sid for sid in held if sid not in seen), key=lambda sid: -len(held[sid]))
    for sid in rest:
        s = steps[sid]
        # only steps the user can act on now: those not themselves waiting for another open step
        if any(b.step in held or (b.step in steps and steps[b.step].status not in (DONE, NOT_APPLICABLE))
               for b in s.blocked_by if b.step):
            continue
        out.append(Blocking(sid, s.status, _open_reason(s), tuple(held[sid]), s.due))
    return out


@dataclass(frozen=True)
class DatedItem:
    """One dated thing of a journey. Every dated view (dashboard deadlines, timeline milestones,
    reminders and the .ics built from them) is derived from `dated_items`, so they agree."""

    date: dt.date
    kind: str  # "expires", "action" (a dated next action), "deadline" (the at-risk deadline), "due", "done"
    step_id: str
    track: str
    action: Action | None = None  # for kind "action"
    # what kind of date it is, for "due" and "deadline" (core.rules.DATE_KINDS, or "due")
    date_kind: str = ""

    @property
    def is_deadline(self) -> bool:
        return self.kind == "deadline" or (self.action is not None and self.action.kind == "deadline")


def dated_items(journey: Journey) -> list[DatedItem]:
    """The dated items of a journey, in journey order; per step: its expiry, then (open steps) its
    dated actions in the engine's order, its deadline and its due date, or (done steps) the day it
    was completed. Not-applicable steps have none."""
    out: list[DatedItem] = []
    for t in journey.tracks:
        for s in t.steps:
            if s.status == NOT_APPLICABLE:
                continue
            if s.expires:
                out.append(DatedItem(s.expires, "expires", s.id, t.track))
            if s.status == DONE:
                completed = s.info.get("completed_on") if isinstance(s.info, dict) else None
                if isinstance(completed, dt.date):
                    out.append(DatedItem(completed, "done", s.id, t.track))
                continue
            out += [DatedItem(a.date, "action", s.id, t.track, a) for a in s.actions if a.date is not None]
            if s.deadline:
                out.append(DatedItem(s.deadline, "deadline", s.id, t.track, date_kind=s.deadline_kind or "deadline"))
            # A passed due date of a step that is not urgent is a preference the engine already
            # weighed (e.g. the preferred lead before the Match): its action is dated today, and
            # the passed date is not an "overdue" alarm. Urgent steps keep theirs.
            if s.due and not (s.due < journey.today and s.status not in URGENT):
                out.append(DatedItem(s.due, "due", s.id, t.track, date_kind=s.due_kind or "due"))
    return out


def is_new_profile(doc: dict) -> bool:
    """True for a profile the user has told nothing yet beyond what onboarding asked (its tracks'
    facts and the onboarding sections): its dashboard shows "start here", not alarms."""
    from .engine.registry import track as get_track
    asked: dict[str, set[str]] = {}
    for tid in doc.get("tracks") or []:
        try:
            t = get_track(tid)
        except Exception:
            continue
        asked.setdefault(tid, set()).add("*")
        for sec in t.onboarding:
            asked.setdefault(sec.source, set()).update(sec.keys)
    for key, data in (doc.get("facts") or {}).items():
        if not isinstance(data, dict):
            continue
        keys = {k for k, v in data.items() if v not in (None, "", [], {})}
        allowed = asked.get(key, set())
        if "*" in allowed:
            continue
        if keys - allowed:
            return False
    return True


def start_here(journey: Journey) -> list[tuple[str, str]]:
    """For a new profile: each track's first step, (step id, sentence)."""
    out = []
    for p in progress(journey):
        if p.first_open:
            out.append((p.first_open, f"{p.title}: start with {step_title(p.first_open)}, and enter what you "
                                      "have already done in each step; CertPath then dates what is left."))
    return out


@dataclass(frozen=True)
class ActionItem:
    """A next action for the dashboard: its date, its words and its step."""

    date: dt.date | None
    text: str
    step_id: str
    kind: str  # todo / deadline / reminder / check / expiry
    # for a step's dated row (its deadline or due date): the kind of date (core.rules.DATE_KINDS);
    # "" for an engine action or an expiry. Only a deadline (or "") is overdue once passed.
    date_kind: str = ""

    def overdue(self, today: dt.date) -> bool:
        return self.date is not None and self.date < today and overdue_when_passed(self.date_kind or None)

    def when(self, today: dt.date) -> str:
        if self.date is None:
            return "no date"
        return when_words(self.date, self.date_kind or None, today)


def next_actions(journey: Journey, limit: int | None = None) -> list[ActionItem]:
    """Every open step's next actions, soonest first (undated ones last)."""
    order = {s.id: i for i, s in enumerate(journey.all_steps())}  # journey order: tracks, then steps
    items = [ActionItem(a.date, a.text, s.id, a.kind, a.date_kind)
             for s in journey.all_steps() if s.status not in (DONE, NOT_APPLICABLE)
             for a in s.actions]
    # stable sort: a step's own actions keep the order the engine gave them
    items.sort(key=lambda a: (a.date is None, a.date or dt.date.max, order[a.step_id]))
    return items[:limit] if limit else items


def _same_event(it: DatedItem, expiring: set[tuple[dt.date, str]]) -> bool:
    """A deadline on the day a step it depends on expires is that expiry: a renewal's last day is
    the card's last valid day, so the card is listed once for the date, as its expiry."""
    sd = all_step_defs().get(it.step_id)
    return it.kind != "expires" and sd is not None and any((it.date, d) in expiring for d in sd.depends_on)


def deadlines(journey: Journey, days: int) -> list[ActionItem]:
    """Deadlines, due dates and expiries from today to today + `days` (inclusive), and overdue
    deadlines of open steps. One row per step and date (its expiry, else its dated deadline
    action, whose words say what to do, else its deadline), and a deadline on the day a step it
    depends on expires is folded into that expiry (`_same_event`)."""
    today, end = journey.today, journey.today + dt.timedelta(days=days)
    out: dict[tuple[dt.date, str], ActionItem] = {}
    expiring: set[tuple[dt.date, str]] = set()
    rank = {"expires": 0, "action": 1, "deadline": 2}  # within a step and day: expiry, deadline action, deadline
    for it in sorted(dated_items(journey), key=lambda it: rank.get(it.kind, 3)):
        if it.date > end or (it.date, it.step_id) in out or _same_event(it, expiring):
            continue
        if it.kind == "expires" and it.date >= today:
            words, kind = f"{step_item(it.step_id)} expires", "expiry"
            expiring.add((it.date, it.step_id))
        elif it.kind == "deadline":
            words, kind = date_words(it.step_id, it.date_kind, it.date), "deadline"
        elif it.kind == "action" and it.is_deadline and it.action is not None:
            words, kind = it.action.text, "deadline"
        else:
            continue
        # a deadline row's kind of date, or its deadline action's (the OET sitting ECFMG advises)
        date_kind = it.date_kind if it.kind == "deadline" else it.action.date_kind if it.action else ""
        out[(it.date, it.step_id)] = ActionItem(it.date, words, it.step_id, kind, date_kind)
    order = {s.id: i for i, s in enumerate(journey.all_steps())}
    return sorted(out.values(), key=lambda a: (a.date, order.get(a.step_id, len(order)), a.step_id))


def program_deadlines(store, profile_id: int, today: dt.date, days: int) -> list[ActionItem]:
    """Issue 18: the application season's interviews and reply-by dates (core.programs.dated_items)
    from today to today + `days`, as the dashboard's rows ("Interview tomorrow 09:00 EST: Mercy")."""
    from .programs import ProgramStore, dated_item_text, dated_items

    end = today + dt.timedelta(days=days)
    return [ActionItem(it.date, dated_item_text(it, today), "match.eras", "deadline" if it.kind == "reply_by"
                       else "todo") for it in dated_items(ProgramStore(store).list(profile_id), today) if it.date <= end]


@dataclass(frozen=True)
class Milestone:
    """A dated point of the timeline: its date, label and step."""

    date: dt.date
    label: str  # drawn at the point, in its track's lane ("Rank order list (deadline)")
    step_id: str
    track: str
    kind: str  # done / due / deadline / expiry (the mark drawn)
    date_kind: str = ""  # for due and deadline: the kind of date (core.rules.DATE_KINDS, or "due")

    @property
    def words(self) -> str:
        """The point in words with its date, for the tooltip and screen readers ("ERAS application
        (opens 1 Jun 2027)"); the date as the GUI shows dates."""
        if self.kind in ("due", "deadline"):
            return date_words(self.step_id, self.date_kind, self.date)
        return f"{date_text(self.date)}: {self.label} ({self.kind})"


def milestones(journey: Journey) -> list[Milestone]:
    """The points the timeline draws: completed steps, due dates, deadlines and expiries (a
    deadline on the day a step it depends on expires is drawn once, as that expiry). A due date
    and a deadline are labelled by the kind of date they are ("ERAS application (opens)")."""
    out: list[Milestone] = []
    items = dated_items(journey)
    due = {it.step_id: it.date for it in items if it.kind == "due"}
    expiring = {(it.date, it.step_id) for it in items if it.kind == "expires"}
    rank = {"done": 0, "due": 0, "deadline": 1, "expires": 2}  # within a step and day
    for it in sorted(items, key=lambda it: rank.get(it.kind, 3)):
        title = step_title(it.step_id)
        if it.kind in ("deadline", "due") and _same_event(it, expiring):
            continue
        if it.kind == "done":
            out.append(Milestone(it.date, title, it.step_id, it.track, it.kind))
        elif it.kind == "due" or (it.kind == "deadline" and it.date != due.get(it.step_id)):
            # the deadline mark only for a deadline: an at-risk recommendation or opening is drawn as a date
            mark = "deadline" if it.kind == "deadline" and overdue_when_passed(it.date_kind) else "due"
            out.append(Milestone(it.date, date_words(it.step_id, it.date_kind, it.date, point=True), it.step_id,
                                 it.track, mark, it.date_kind))
        elif it.kind == "expires":
            out.append(Milestone(it.date, f"{step_item(it.step_id)} expires", it.step_id, it.track, "expiry"))
    out.sort(key=lambda m: (m.date, m.track, m.step_id))
    return out


def _only_waiting(journey: Journey, b: Blocking) -> bool:
    """A blocked step that only waits for steps still moving (Step 3 before the ECFMG certificate
    is issued) is no alarm for the headline: the step it waits for is what to do next."""
    if b.status != BLOCKED:
        return False
    s = journey.step(b.step_id)
    if not s.blocked_by:
        return False
    for blk in s.blocked_by:
        if blk.step is None:
            return False
        try:
            if journey.step(blk.step).status in (BLOCKED, EXPIRED):
                return False
        except KeyError:
            return False
    return True


def headline(journey: Journey) -> tuple[str, str | None]:
    """The one thing to do next, in a sentence, and the step it belongs to."""
    blocks = blocking_now(journey)
    urgent = [b for b in blocks if b.status in URGENT and not _only_waiting(journey, b)]
    if urgent:
        b = urgent[0]
        when = f" by {date_text(b.date)}" if b.date and b.status != EXPIRED else ""
        word = {EXPIRED: "has expired", BLOCKED: "is blocked", AT_RISK: "is at risk"}[b.status]
        # named as elsewhere: what expired ("BLS card"), else the step with its track where another
        # track shares its title ("PALS: Renew before it expires"); "Card issued has expired" left
        # open which card
        who = step_item(b.step_id) if b.status == EXPIRED else step_name(b.step_id)
        return f"{who} {word}{when}: {b.reason}".rstrip(": "), b.step_id
    acts = next_actions(journey)
    if acts:
        a = acts[0]
        passed = a.date is not None and a.date < journey.today and not a.overdue(journey.today)
        when = (" " + text(F(f"dates.headline.{a.date_kind}", date=a.date)) if passed and a.date
                else f" (by {date_text(a.date)})" if a.date else "")
        return f"{a.text}{when}", a.step_id
    for p in progress(journey):
        if p.first_open:
            return f"Next step: {step_title(p.first_open)}", p.first_open
    if journey.tracks:
        return "Every step of your journey is done.", None
    return "This profile follows no journey yet.", None


__all__ = [
    "ActionItem", "Blocking", "DatedItem", "Milestone", "dated_items", "Progress", "blocking_now", "deadlines",
    "program_deadlines", "first_open_step", "headline", "is_new_profile", "milestones", "start_here", "next_actions",
    "progress", "step_name", "step_title", "track_of",
    "IN_PROGRESS",
]
