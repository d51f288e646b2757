"""The cost ledger: fees paid and planned per step, totals, and suggestions from the fee rules.

Amounts are whole cents (integers) with an ISO 4217 currency code. Totals are kept per currency
and never add different currencies together. Suggestions come from the `fee.*` rule records a
step lists in its `rule_ids`, in force on `today`, with their checked date and confidence.
"""

from __future__ import annotations

import builtins  # `list` inside Ledger is its method
import datetime as dt
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .datefmt import date_text
from .db import inserted_id, transaction

PAID = "paid"
PLANNED = "planned"
STATUSES = (PAID, PLANNED)
MAX_CENTS = 10**12  # ten billion in any currency: a typo beyond that
UNDATED = "undated"


@dataclass(frozen=True)
class Cost:
    id: int
    profile_id: int
    step_id: str
    amount_cents: int
    currency: str
    date: dt.date | None
    status: str
    note: str

    @property
    def track(self) -> str:
        return track_of(self.step_id)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "step_id": self.step_id, "track": self.track, "amount_cents": self.amount_cents,
                "amount": format_amount(self.amount_cents, self.currency), "currency": self.currency,
                "date": self.date.isoformat() if self.date else None, "status": self.status, "note": self.note}


@dataclass(frozen=True)
class Suggestion:
    step_id: str
    rule_id: str
    statement: str
    currency: str
    amount_min_cents: int
    amount_max_cents: int
    checked: dt.date
    confidence: str
    sources: tuple[str, ...]
    recorded: bool  # the ledger already has a cost of this step with this amount

    @property
    def is_range(self) -> bool:
        return self.amount_min_cents != self.amount_max_cents

    def label(self) -> str:
        amt = format_amount(self.amount_min_cents, self.currency)
        if self.is_range:
            amt += " – " + format_amount(self.amount_max_cents, self.currency)
        return f"{amt} (checked {date_text(self.checked)}, {self.confidence} confidence)"

    def note(self) -> str:
        """The note a cost added from this suggestion keeps: stored, so ISO (`note_text` shows it)."""
        return f"From {self.rule_id} (checked {date_text(self.checked, iso=True)}, {self.confidence} confidence)"


# the note `Suggestion.note` writes; `note_text` words its date as the GUI shows dates
_SUGGESTION_NOTE = re.compile(r"From (?P<rule>\S+) \(checked (?P<d>\d{4}-\d{2}-\d{2}), (?P<conf>\w+) confidence\)")


def note_text(note: str) -> str:
    """A cost's note as a person reads it: a note CertPath wrote from a fee rule ("From fee.x
    (checked 2026-11-02, high confidence)") with its date in the installed display format; any
    other note (the user's own words) exactly as stored."""
    m = _SUGGESTION_NOTE.fullmatch(note or "")
    if m is None:
        return note
    try:
        checked = dt.date.fromisoformat(m["d"])
    except ValueError:
        return note
    return f"From {m['rule']} (checked {date_text(checked)}, {m['conf']} confidence)"


def track_of(step_id: str) -> str:
    from .engine import step_def

    try:
        return step_def(step_id).track
    except KeyError:
        return step_id.split(".")[0]


def parse_amount(text: str | int | float | Decimal) -> int:
    """'1,234.50' / '1234.5' / 165 -> cents. Refuses negatives, more than 2 decimals, nonsense."""
    if isinstance(text, int) and not isinstance(text, bool):
        d = Decimal(text)
    else:
        s = str(text).strip().replace("\u00a0", "").replace(" ", "")
        s = re.sub(r"^[A-Za-z$€£¥₹]+|[A-Za-z$€£¥₹]+$", "", s)
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):
            s = s.replace(",", "")
        try:
            d = Decimal(s)
        except InvalidOperation:
            raise ValueError(f"'{text}' is not an amount (e.g. 1234.50)") from None
    if not d.is_finite() or d < 0:
        raise ValueError(f"'{text}' is not an amount of zero or more")
    if d > Decimal(MAX_CENTS) / 100:
        raise ValueError(f"'{text}' is too large")
    if isinstance(exp := d.as_tuple().exponent, int) and exp < -2 and d != d.quantize(Decimal("0.01")):
        raise ValueError(f"'{text}' has more than two decimals")
    cents = int((d * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents > MAX_CENTS:
        raise ValueError(f"'{text}' is too large")
    return cents


def check_currency(code: str) -> str:
    c = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", c):
        raise ValueError(f"currency must be a three-letter code such as USD, got {code!r}")
    return c


def format_amount(cents: int, currency: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{currency} {whole:,}.{frac:02d}"


def _row(r: tuple) -> Cost:
    return Cost(id=r[0], profile_id=r[1], step_id=r[2], amount_cents=r[3], currency=r[4],
                date=dt.date.fromisoformat(r[5]) if r[5] else None, status=r[6], note=r[7])


_COLS = "id, profile_id, step_id, amount_cents, currency, date, status, note"


class Ledger:
    def __init__(self, store):
        self.store = store
        self.db = store.db

    def add(self, profile_id: int, step_id: str, amount_cents: int, currency: str = "USD", *,
            date: dt.date | None = None, status: str = PLANNED, note: str = "") -> int:
        amount_cents, currency, status = self._check(step_id, amount_cents, currency, status)
        with transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO costs (profile_id, step_id, amount_cents, currency, date, status, note, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [profile_id, step_id, amount_cents, currency, date.isoformat() if date else None, status, note,
                 dt.datetime.now(dt.UTC).isoformat(timespec="seconds")])
        return inserted_id(cur)

    @staticmethod
    def _check(step_id: str, amount_cents: int, currency: str, status: str) -> tuple[int, str, str]:
        if not step_id:
            raise ValueError("choose the step the cost belongs to")
        if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or not 0 <= amount_cents <= MAX_CENTS:
            raise ValueError(f"amount must be whole cents between 0 and {MAX_CENTS}")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        return amount_cents, check_currency(currency), status

    def update(self, cost_id: int, **changes: Any) -> None:
        c = self.get(cost_id)
        new: dict[str, Any] = {"step_id": c.step_id, "amount_cents": c.amount_cents, "currency": c.currency, "date": c.date,
               "status": c.status, "note": c.note}
        unknown = set(changes) - set(new)
        if unknown:
            raise TypeError(f"unknown {'field' if len(unknown) == 1 else 'fields'} {sorted(unknown)}")
        new.update(changes)
        amt, cur, st = self._check(new["step_id"], new["amount_cents"], new["currency"], new["status"])
        with transaction(self.db):
            self.db.execute("UPDATE costs SET step_id = ?, amount_cents = ?, currency = ?, date = ?, status = ?, "
                            "note = ? WHERE id = ?",
                            [new["step_id"], amt, cur, new["date"].isoformat() if new["date"] else None, st,
                             new["note"], cost_id])

    def delete(self, cost_id: int) -> None:
        self.get(cost_id)
        with transaction(self.db):
            self.db.execute("DELETE FROM costs WHERE id = ?", [cost_id])

    def get(self, cost_id: int) -> Cost:
        r = self.db.execute(f"SELECT {_COLS} FROM costs WHERE id = ?", [cost_id]).fetchone()
        if not r:
            raise LookupError(f"no cost with id {cost_id}")
        return _row(r)

    def list(self, profile_id: int, step_id: str | None = None) -> list[Cost]:
        sql = f"SELECT {_COLS} FROM costs WHERE profile_id = ?"
        args: builtins.list[object] = [profile_id]
        if step_id is not None:
            sql += " AND step_id = ?"
            args.append(step_id)
        return [_row(r) for r in self.db.execute(sql + " ORDER BY coalesce(date, '9999'), id", args).fetchall()]

    # -- suggestions from the rule data ------------------------------------------------------------
    def suggestions(self, profile_id: int, today: dt.date, rules=None, doc=None) -> builtins.list[Suggestion]:
        """`doc`: the profile document when the caller holds it already (not read again)."""
        from .engine import known_tracks, step_defs
        from .rules import RuleNotFound, load_rules

        rules = rules or load_rules()
        doc = doc if doc is not None else self.store.document(profile_id)
        overrides = doc.get("overrides") or {}
        have = {(c.step_id, c.amount_cents) for c in self.list(profile_id)}
        out: builtins.list[Suggestion] = []
        for track in doc.get("tracks") or []:
            if track not in known_tracks():
                continue
            for sd in step_defs(track):
                for rid in sd.rule_ids:
                    if not rid.startswith("fee."):
                        continue
                    try:
                        rule = rules.find(rid, today, overrides)
                    except RuleNotFound:
                        continue
                    if rule is None:  # not in force today
                        continue
                    s = suggestion_from_rule(sd.id, rule, have)
                    if s is not None:
                        out.append(s)
        return out

    def add_suggestion(self, profile_id: int, s: Suggestion, *, use_max: bool = True,
                       date: dt.date | None = None) -> int:
        amt = s.amount_max_cents if use_max else s.amount_min_cents
        return self.add(profile_id, s.step_id, amt, s.currency, date=date, status=PLANNED, note=s.note())


def suggestion_from_rule(step_id: str, rule, have: AbstractSet[tuple[str, int]] = frozenset()) -> Suggestion | None:
    v = rule.value
    if not isinstance(v, dict) or "currency" not in v:
        return None
    try:
        if "amount" in v:
            lo = hi = parse_amount(str(v["amount"]))
        else:
            lo, hi = parse_amount(str(v["amount_min"])), parse_amount(str(v["amount_max"]))
    except (KeyError, ValueError):
        return None
    return Suggestion(step_id=step_id, rule_id=rule.id, statement=rule.statement, currency=str(v["currency"]),
                      amount_min_cents=lo, amount_max_cents=hi, checked=rule.checked, confidence=rule.confidence,
                      sources=rule.urls,
                      recorded=(step_id, lo) in have or (step_id, hi) in have)


# -- totals -------------------------------------------------------------------------------------
Totals = dict[str, dict[str, dict[str, int]]]  # group -> currency -> {"paid", "planned", "total"}


def _add(t: Totals, group: str, c: Cost) -> None:
    cur = t.setdefault(group, {}).setdefault(c.currency, {PAID: 0, PLANNED: 0, "total": 0})
    cur[c.status] += c.amount_cents
    cur["total"] += c.amount_cents


def totals_by_track(costs: Iterable[Cost]) -> Totals:
    t: Totals = {}
    for c in costs:
        _add(t, c.track, c)
    return t


def totals_by_year(costs: Iterable[Cost]) -> Totals:
    t: Totals = {}
    for c in costs:
        _add(t, str(c.date.year) if c.date else UNDATED, c)
    return dict(sorted(t.items(), key=lambda kv: (kv[0] == UNDATED, kv[0])))


def grand_totals(costs: Iterable[Cost]) -> dict[str, dict[str, int]]:
    """Currency -> {paid, planned, total}: one line per currency."""
    t: Totals = {}
    for c in costs:
        _add(t, "all", c)
    return t.get("all", {})
