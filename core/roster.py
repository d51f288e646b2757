"""The team roster: who in the data file holds which life-support card, until when.

One row per profile, one cell per card track (BLS, PALS, ACLS, NRP, PEARS). Every cell comes
from the engine: each profile is evaluated once (`core.engine.evaluate`) and the cell takes the
status and expiry of the `<card>.card` step and the status of `<card>.renewal`. Nothing here
computes an expiry (AHA and NRP: end of the month 24 months on; Red Cross: to the day; those
are rule records read by the engine). "Missing" compares the cards held with the role's typical
cards (`core.roles.typical_cards`, guidance only: "typical; your employer decides").

The API a view uses:

    roster = build_roster(store, today)                 # one pass over the data file
    roster = build_roster(store, today, cache=RosterCache.of_store(store))  # kept evaluations reused
    roster = complete_statuses(roster, cache)           # rows kept from another day: today's statuses
    roster = refresh_rows(roster, store, [profile_id])  # after an edit: that profile only
    roster = build_roster(store, today, previous=roster)  # a reload: unchanged profiles reused
    rows = filter_rows(roster, RosterFilter(within_days=30, cards=("pals",), search="jose"))
    rows = sort_rows(rows, "pals", descending=False)    # any of roster_columns(roster)
    text = roster_csv(roster, rows, flt)                # the CSV export, as filtered
    summary = team_summary(roster)                      # the dashboard's counts and items

A cell's `state` is a stable code (part of the exports): `none` (no such card followed or
recorded), `no_card` (followed, no card issued yet), `valid`, `expired`, `unknown_expiry` (a card
whose issuing body has no expiry rule: "not found: ask your training center"), `error` (the
profile could not be evaluated; the row's `error` says why).
"""

from __future__ import annotations

import datetime as dt
import heapq
import io
import json
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import filterfalse
from operator import itemgetter
from typing import Any, NamedTuple

from . import dates
from .engine import evaluate, known_tracks
from .engine.base import EXPIRED
from .engine.cards import BODY_LABELS, CARDS, DEFAULT_BODY
from .profile_versions import version_key
from .roles import ROLE_LABELS, TYPICAL_CARDS_RULE, typical_cards
from .roster_cache import KeptEntries, RosterCache, raw_key
from .rules import RuleSet, load_rules
from .store import RawDocument, parse_raw_document
from .wording import iso_dates, plural

ROSTER_FORMAT = "certpath-roster/1"
# Columns in journey order (bls, pals, acls, nrp, pears): the tracks of the card module.
ROSTER_CARDS: tuple[str, ...] = tuple(t for t in known_tracks() if t in CARDS)

NONE = "none"
NO_CARD = "no_card"
VALID = "valid"
EXPIRED_STATE = "expired"
UNKNOWN_EXPIRY = "unknown_expiry"
ERROR = "error"
STATES = (NONE, NO_CARD, VALID, EXPIRED_STATE, UNKNOWN_EXPIRY, ERROR)


# --- text helpers ------------------------------------------------------------------------------

def search_key(text: str) -> str:
    """`text` folded for matching: accents removed (José = Jose), case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = decomposed if decomposed.isascii() else "".join(filterfalse(unicodedata.combining, decomposed))
    return " ".join(bare.casefold().split())


def search_keys(texts: Sequence[str]) -> list[str]:
    """`search_key` of each text, folded in one pass over them all (joined by NUL, which NFKD
    and case folding leave alone and before which no mark can move: the same keys, a test says).
    Each distinct mark is removed by one `str.replace` (not a call per character), and the spaces
    are collapsed text by text only when some text has any to collapse."""
    texts = [t or "" for t in texts]
    joined = "\x00".join(texts)
    if joined.count("\x00") != max(0, len(texts) - 1):  # a text with a NUL of its own: one by one
        return [search_key(t) for t in texts]
    bare = unicodedata.normalize("NFKD", joined)
    if _latin_1(joined):  # NFKD leaves Latin-1 and marks only: the marks are what Latin-1 cannot hold
        bare = bare.encode("latin-1", "ignore").decode("latin-1")
        odd = any(c in bare for c in _LATIN_1_SPACES)
    else:
        chars = set(bare)
        combining = unicodedata.combining
        for mark in [c for c in chars if c > "\x7f" and combining(c)]:
            bare = bare.replace(mark, "")
        odd = any(c.isspace() for c in chars if c != " ")
    folded = bare.casefold()
    parts = folded.split("\x00")
    if len(parts) != len(texts):
        return [search_key(t) for t in texts]
    if odd or "  " in folded or " \x00" in folded or "\x00 " in folded \
            or folded[:1] == " " or folded[-1:] == " ":
        return [" ".join(p.split()) for p in parts]  # (whitespace to collapse: text by text)
    return parts


# the Latin-1 characters whose NFKD holds a character beyond Latin-1 that is not a mark (micro
# sign: Greek mu; the fractions: a fraction slash); every other one decomposes into Latin-1
# characters and combining marks (a test checks all 256)
_LATIN_1_NOT_MARKS = "\xb5\xbc\xbd\xbe"
_LATIN_1_SPACES = "".join(c for c in map(chr, range(256)) if c.isspace() and c != " ")


def _latin_1(text: str) -> bool:
    """Whether every character of `text` is Latin-1 and none of `_LATIN_1_NOT_MARKS`."""
    try:
        text.encode("latin-1")  # (a copy of the text's own bytes when it is all Latin-1)
    except UnicodeEncodeError:
        return False
    return not any(c in text for c in _LATIN_1_NOT_MARKS)


def strip_controls(text: str) -> str:
    """`text` without control characters (line breaks, escapes, bidi overrides) for a terminal line."""
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return value if isinstance(value, dt.date) else None


# --- the roster --------------------------------------------------------------------------------

class CardCell(NamedTuple):
    """One card of one person on the roster's day. (A named tuple, not a dataclass: a roster of
    500 builds 2,500 of them at every open, and a tuple is made in a fraction of the time.)"""

    card: str
    state: str  # one of STATES
    tracked: bool = False  # the profile follows this card as a journey
    card_status: str | None = None  # the engine's status of <card>.card (None: not evaluated)
    renewal_status: str | None = None  # the engine's status of <card>.renewal
    expires: dt.date | None = None  # the card's last valid day, from the engine
    issued: dt.date | None = None
    body: str | None = None  # issuing body id (aha, red_cross, aap, other)
    training_center: str = ""
    ecard_code: str = ""
    course_date: dt.date | None = None  # <card>.enroll.course_end: for NRP the instructor-led event
    renewal_deadline: dt.date | None = None  # the renewal step's deadline (at_risk) or due date
    rules: tuple[str, ...] = ()  # rule ids the two steps applied

    def days_left(self, today: dt.date) -> int | None:
        return (self.expires - today).days if self.expires else None

    def expires_within(self, today: dt.date, days: int) -> bool:
        """A valid card whose last valid day is today or within the next `days` days."""
        return self.state == VALID and self.expires is not None and 0 <= (self.expires - today).days <= days

    def to_json(self, today: dt.date) -> dict[str, Any]:
        return {
            "state": self.state, "tracked": self.tracked, "card_status": self.card_status,
            "renewal_status": self.renewal_status, "expires": _iso(self.expires),
            "days_left": self.days_left(today), "issued": _iso(self.issued), "body": self.body,
            "training_center": self.training_center, "ecard_code": self.ecard_code,
            "course_date": _iso(self.course_date), "renewal_deadline": _iso(self.renewal_deadline),
            "rules": list(self.rules),
        }


@dataclass(frozen=True, init=False)
class RosterRow:
    """One person on the roster. Immutable; made by its own `__init__` (one dict update instead of
    a frozen dataclass's ten `object.__setattr__` calls: a third of a row's cost at 500 rows), or
    by `_row`, which sets the same dict without the call (tests/test_roster_cache.py compares them)."""

    profile_id: int
    name: str
    role: str
    cells: Mapping[str, CardCell]
    typical: tuple[str, ...] = ()  # the role's typical cards (guidance)
    missing: tuple[str, ...] = ()  # typical cards with no card recorded
    error: str = ""
    rules: tuple[str, ...] = ()  # rule ids this row's cells and role guidance used
    name_key: str = field(default="", compare=False, repr=False)  # search_key(name), kept for search and sort
    # the engine's statuses (card_status, renewal_status, renewal_deadline) and the rule ids are
    # not of the roster's day: the row came from a cached evaluation of another day. Its states
    # and expiries are today's (see _cell); `complete_statuses` evaluates the rest before an
    # export needs it.
    pending: bool = False

    def __init__(self, profile_id: int, name: str, role: str, cells: Mapping[str, CardCell],
                 typical: tuple[str, ...] = (), missing: tuple[str, ...] = (), error: str = "",
                 rules: tuple[str, ...] = (), name_key: str = "", pending: bool = False) -> None:
        self.__dict__.update(profile_id=profile_id, name=name, role=role, cells=cells, typical=typical,
                             missing=missing, error=error, rules=rules, name_key=name_key or search_key(name),
                             pending=pending)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def holds_cards(self) -> bool:
        return any(c.issued is not None for c in self.cells.values())

    def to_json(self, today: dt.date, cards: Sequence[str]) -> dict[str, Any]:
        out = {"id": self.profile_id, "name": self.name, "role": self.role, "role_label": self.role_label,
               "typical": list(self.typical), "missing": [c for c in self.missing if c in cards],
               "cards": {c: self.cells[c].to_json(today) for c in cards}}
        if self.error:
            out["error"] = self.error
        return out


class Documents(Mapping[int, Mapping[str, Any]]):
    """The profile documents a roster was built from, parsed only when asked for (a roster built
    from the cache neither reads nor parses the documents of its rows; an edit compares one).

    `keys`: each row's cache key as built (its version, or its content's hash). A document the
    roster did not read is read when asked for (`fetch`, `read_keyed` of the store) and given only
    if its key is still the row's: a profile written since the roster was built has no document
    here (KeyError; `get` says None), so a comparison with its new document finds a change."""

    def __init__(self, raw: Mapping[int, RawDocument] | None = None,
                 parsed: Mapping[int, Mapping[str, Any]] | None = None,
                 keys: Mapping[int, str] | None = None, fetch=None) -> None:
        self._raw: dict[int, RawDocument] = dict(raw or {})
        self._parsed: dict[int, Mapping[str, Any]] = dict(parsed or {})
        self._keys: dict[int, str] = dict(keys or {})
        self._fetch = fetch  # ids -> [(key, raw document)]
        self._now: dict[int, tuple[str, RawDocument] | None] = {}  # preload's reads of changed rows

    def __getitem__(self, pid: int) -> Mapping[str, Any]:
        doc = self._parsed.get(pid)
        if doc is None:
            raw = self.raw(pid)  # KeyError: no such profile, or written since
            doc = self._parsed[pid] = parse_raw_document(raw)
        return doc

    def raw(self, pid: int) -> RawDocument:
        """The stored row the roster's row of `pid` was built from (read now if it was not then)."""
        raw = self._raw.get(pid)
        if raw is None:
            self.preload([pid])
            raw = self._raw[pid]
        return raw

    def preload(self, pids: Iterable[int]) -> None:
        """Read the documents of `pids` not read yet, in one query (on the thread that owns the
        data file's connection: the GUI's worker never reads the file)."""
        want = [p for p in pids if p not in self._raw and p not in self._parsed and p not in self._now
                and p in self._keys]
        if not want or self._fetch is None:
            return
        now: dict[int, tuple[str, RawDocument] | None] = dict.fromkeys(want)
        for key, raw in self._fetch(want):
            if self._keys.get(raw[0]) == key:
                self._raw[raw[0]] = raw
                now.pop(raw[0], None)
            else:
                now[raw[0]] = (key, raw)
        self._now.update(now)  # written or deleted since the roster was built: for read_now

    def read_now(self, pid: int) -> tuple[str, RawDocument] | None:
        """(key, raw document) of `pid` as stored now (None: no such profile, or nothing to read with)."""
        if pid in self._now:
            return self._now[pid]  # (read by preload)
        got = self._fetch([pid]) if self._fetch is not None else []
        return got[0] if got else None

    def updated(self, pid: int, key: str, raw: RawDocument) -> Documents:
        """A copy with `pid`'s stored row and key replaced (read again after a change)."""
        out = self.replaced(pid, None)
        out._raw[pid], out._keys[pid] = raw, key
        return out

    def key(self, pid: int) -> str | None:
        """The row's cache key as built (None: a row made from a document, after an edit)."""
        return self._keys.get(pid)

    def __iter__(self):
        return iter(dict.fromkeys([*self._keys, *self._raw, *self._parsed]))

    def __len__(self) -> int:
        return len(set(self._keys) | set(self._raw) | set(self._parsed))

    def __contains__(self, pid: object) -> bool:
        return pid in self._parsed or pid in self._raw or pid in self._keys

    def replaced(self, pid: int, doc: Mapping[str, Any] | None) -> Documents:
        """A copy with `pid`'s document set to `doc` (None: removed)."""
        out = Documents.__new__(Documents)  # (the copies made once, not again by __init__)
        out._raw = dict(self._raw)
        out._raw.pop(pid, None)
        out._keys = dict(self._keys)
        out._keys.pop(pid, None)
        out._fetch = self._fetch
        out._now = {}
        out._parsed = dict(self._parsed)
        if doc is not None:
            out._parsed[pid] = doc
        else:
            out._parsed.pop(pid, None)
        return out


@dataclass
class Roster:
    today: dt.date
    rows: list[RosterRow]
    cards: tuple[str, ...] = ROSTER_CARDS
    rules: tuple[str, ...] = ()  # every rule id the cells and the role guidance used
    evaluated: int = 0  # rows computed for this roster (the others were reused from `previous` or the cache)
    documents: Mapping[int, Mapping[str, Any]] = field(default_factory=Documents, repr=False)  # as built
    rule_set: RuleSet | None = field(default=None, repr=False)
    # the rows by card state, for filtering (made at the first filter with a condition; a roster
    # is replaced, never changed, after an edit)
    _index: _FilterIndex | None = field(default=None, init=False, repr=False, compare=False)
    # what every view of this roster asks once (its rows in a sort order, the cards nobody holds):
    # kept here, so a view opened on a roster built earlier (View > Team after the window built it
    # for the dashboard) finds them made (`warm`)
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def row(self, profile_id: int) -> RosterRow:
        return next(r for r in self.rows if r.profile_id == profile_id)

    def sorted_rows(self, column: str = "name", descending: bool = False) -> list[RosterRow]:
        """Every row in `sort_rows` order, sorted once per column and direction (do not change the
        list: it is this roster's)."""
        key = ("sorted", column, descending)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = sort_rows(self.rows, column, descending)
        return got

    def unused_cards(self) -> frozenset[str]:
        """The cards nobody on the roster follows or holds (a view hides their columns)."""
        got = self._memo.get("unused")
        if got is None:
            cells = [r.cells for r in self.rows]
            got = self._memo["unused"] = frozenset(c for c in self.cards if _unused(cells, c))
        return got

    def longest_texts(self) -> tuple[list[str], list[str], int]:
        """What a table sizes its columns by: the 3 longest role labels, the 24 longest names (by
        characters: the candidates a view measures in its font) and the most missing cards of a row."""
        got = self._memo.get("longest")
        if got is None:
            got = self._memo["longest"] = longest_texts(self.rows)
        return got

    def order(self, column: str = "name", descending: bool = False) -> _Order:
        """`sorted_rows(column, descending)` with what filtering it needs (each row's place, the
        name keys in one text), made once per column and direction."""
        key = ("order", column, descending)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = _Order(self.sorted_rows(column, descending))
        return got

    def warm(self) -> None:
        """Make what a view asks first (the name order and what filtering it needs, the unused
        cards, the longest texts), while nobody waits. (The filter index is made at the first
        filter with a condition: ~5 M instructions at 500 rows, which an open need not pay.)"""
        self.order()
        self.unused_cards()
        self.longest_texts()

    def filter_index(self) -> _FilterIndex:
        if self._index is None:
            self._index = _FilterIndex(self)
        return self._index


def longest_texts(rows: Iterable[RosterRow]) -> tuple[list[str], list[str], int]:
    """`Roster.longest_texts` of any rows (made again on each call): the role labels of the
    distinct roles (the same set, made in the same order, as of every row's label), the names by
    a C sort (what `heapq.nlargest` is documented to equal, ties in row order alike)."""
    rows = list(rows)
    labels = {ROLE_LABELS.get(role, role) for role in dict.fromkeys([r.role for r in rows])}
    return (heapq.nlargest(3, labels, key=len),
            sorted([r.name for r in rows], key=len, reverse=True)[:24],
            max(map(len, [r.missing for r in rows]), default=0))


def _unused(cells: list[Mapping[str, CardCell]], card: str) -> bool:
    """Whether no row's cell of `card` (of these rows' `cells`) has a state but NONE: a column
    of the one shared NONE cell (what `_row` gives a card the row does not have) is counted by a
    C loop comparing identities; any other is looked at cell by cell."""
    column = list(map(itemgetter(card), cells))
    if column and column[0].state != NONE:
        return False
    shared = _NONE_CELLS.get(card)
    return (shared is not None and column.count(shared) == len(column)) or all(c.state == NONE for c in column)


class _Order:
    """One sort order of a roster's rows, for `filter_ordered`: each profile's place in it, and
    the rows' name keys joined in one text, so a name search is a few `str.find` calls (one per
    row found) instead of a test per row."""

    SEP = "\x00"

    def __init__(self, rows: list[RosterRow]) -> None:
        self.rows = rows
        self.place = {r.profile_id: i for i, r in enumerate(rows)}
        keys = [r.name_key for r in rows]
        self.keys = keys
        self.text = self.SEP.join(keys)
        starts, at = [], 0
        for k in keys:
            starts.append(at)
            at += len(k) + 1
        self.starts = starts

    def search(self, key: str) -> list[int]:
        """The places (ascending) of the rows whose name key holds `key` (not empty)."""
        text, starts, keys = self.text, self.starts, self.keys
        find, n, size = text.find, len(starts), len(key)
        out: list[int] = []
        at = find(key)
        while at >= 0:
            i = bisect_right(starts, at) - 1
            if at + size <= starts[i] + len(keys[i]):  # within row i's key, not across the separator
                out.append(i)
                if i + 1 >= n:
                    break
                at = find(key, starts[i + 1])
            else:
                at = find(key, at + 1)
        return out


def filter_ordered(roster: Roster, flt: RosterFilter | None = None, column: str = "name",
                   descending: bool = False) -> tuple[list[RosterRow], list[int]]:
    """`filter_rows(roster, flt, roster.sorted_rows(column, descending))` (the same rows, in that
    order), with each row's place in that order (ascending): found through the filter index and
    the order's places, so a filter costs about the rows it keeps, not the rows it looks at."""
    flt = flt or RosterFilter()
    order = roster.order(column, descending)
    key = search_key(flt.search)
    if not flt.has_condition:
        if not key:
            return list(order.rows), list(range(len(order.rows)))
        places = order.search(key)
    else:
        hits = roster.filter_index().hits(flt, roster.today, flt.visible_cards(roster))
        places = sorted(map(order.place.__getitem__, hits))
        if key:
            keys = order.keys
            places = [i for i in places if key in keys[i]]
    return list(map(order.rows.__getitem__, places)), places


_first = itemgetter(0)


class _FilterIndex:
    """Per card, the profiles whose cell is valid (by last valid day, sorted), expired, or missing
    while the role typically holds it: a filter's condition becomes a few look-ups and one pass
    keeping the rows found, instead of every card of every row looked at again per filter."""

    def __init__(self, roster: Roster) -> None:
        rows = roster.rows
        self.row_of: dict[int, RosterRow] = {r.profile_id: r for r in rows}
        self.expired: dict[str, set[int]] = {}
        self.missing: dict[str, set[int]] = {c: set() for c in roster.cards}
        self.valid: dict[str, tuple[list[dt.date], list[int]]] = {}
        pairs = [(r.profile_id, r.cells) for r in rows]
        unused = roster.unused_cards()
        for c in roster.cards:  # (a comprehension per card and state: a third of one loop's time)
            if c in unused:  # (every cell NONE: neither valid nor expired)
                self.expired[c], self.valid[c] = set(), ([], [])
                continue
            cells = [(pid, cs[c]) for pid, cs in pairs]
            self.expired[c] = {pid for pid, cell in cells if cell.state == EXPIRED_STATE}
            valid = sorted([(cell.expires, pid) for pid, cell in cells if cell.state == VALID and cell.expires is not None],
                           key=_first)
            self.valid[c] = ([d for d, _p in valid], [pid for _d, pid in valid])
        for r in rows:
            for c in r.missing:
                if c in self.missing:
                    self.missing[c].add(r.profile_id)

    def hits(self, flt: RosterFilter, today: dt.date, cards: Sequence[str]) -> set[int]:
        """The profiles for which one of `flt`'s conditions holds on one of `cards`."""
        out: set[int] = set()
        end = today + dt.timedelta(days=flt.within_days) if flt.within_days is not None else None
        for c in cards:
            if end is not None and c in self.valid:
                days, pids = self.valid[c]
                out.update(pids[bisect_left(days, today):bisect_right(days, end)])
            if flt.expired:
                out |= self.expired.get(c, set())
            if flt.missing:
                out |= self.missing.get(c, set())
        return out


class CellParts(NamedTuple):
    """What one cell is made of, before `today` decides its state: the engine's word on the day
    `Evaluated.on` and the card's own facts.

    `expires` and the card's facts depend on the profile's data and the rules only (the expiry is
    counted from the issue date or the instructor-led event, and its rule records are looked up on
    those dates), so they hold on any day (tests/test_roster_cache.py checks it for each body); the
    statuses, the renewal's deadline and the rule ids the steps used (a valid AHA card also uses
    the eCard claim rules) are of `on`. (A named tuple: the cache file gives 1,500 of them for a
    team of 500 at every open.)"""

    expires: dt.date | None
    card_status: str | None
    renewal_status: str | None
    renewal_deadline: dt.date | None
    tracked: bool = False
    issued: dt.date | None = None
    body: str | None = None
    training_center: str = ""
    ecard_code: str = ""
    course_date: dt.date | None = None
    rules: tuple[str, ...] = ()  # the card step's rule ids then the renewal's, each id once (merged_rules)


def merged_rules(card_rules: Sequence[str], renewal_rules: Sequence[str]) -> tuple[str, ...]:
    """CellParts.rules: the card step's rule ids, then the renewal's, each once."""
    return tuple(dict.fromkeys([*card_rules, *renewal_rules]))


@dataclass(frozen=True, init=False)
class Evaluated:
    """One evaluation of a profile's cards: the part of a roster row a cache can keep. (Made by
    its own `__init__`, one dict update, as RosterRow: the cache file gives 500 of them.)"""

    on: dt.date
    cards: tuple[str, ...]  # the cards the row evaluated (row_cards)
    cells: Mapping[str, CellParts]
    error: str = ""

    def __init__(self, on: dt.date, cards: tuple[str, ...], cells: Mapping[str, CellParts], error: str = "") -> None:
        self.__dict__.update(on=on, cards=cards, cells=cells, error=error)


def row_cards(doc: Mapping[str, Any]) -> tuple[str, ...]:
    """The cards a row evaluates: those followed, and those with a card recorded without being followed."""
    facts = doc.get("facts") or {}
    followed = set(doc.get("tracks") or [])
    return tuple(c for c in ROSTER_CARDS if c in followed or (facts.get(f"{c}.card") or {}).get("issue_date"))


def evaluate_cards(doc: Mapping[str, Any], today: dt.date, rules: RuleSet, journey=None) -> Evaluated:
    """The engine's word on the row's cards on `today`: one evaluation (none when `journey`, already
    evaluated on `today` with the same rules, covers every card of the row)."""
    cards = row_cards(doc)
    if journey is not None and (journey.today != today or not set(cards) <= {t.track for t in journey.tracks}):
        journey = None  # that journey does not cover every card of the row: evaluate
    if not cards:
        return Evaluated(today, cards, {})
    facts = doc.get("facts") or {}
    followed = set(doc.get("tracks") or [])
    try:
        if journey is None:
            journey = evaluate({**doc, "tracks": list(cards)}, today, rules)  # once per profile
        cells = {}
        for c in cards:
            card_res = journey.step(f"{c}.card")
            ren = journey.step(f"{c}.renewal")
            card_facts = facts.get(f"{c}.card") or {}
            enroll = facts.get(f"{c}.enroll") or {}
            issued = _date(card_facts.get("issue_date"))
            body = enroll.get("body") if enroll.get("body") in BODY_LABELS else DEFAULT_BODY[c]
            cells[c] = CellParts(
                card_res.expires, card_res.status, ren.status, ren.deadline or ren.due,
                tracked=c in followed, issued=issued,
                body=body if (issued or enroll) else None, training_center=str(enroll.get("training_center") or ""),
                ecard_code=str(card_facts.get("ecard_code") or ""), course_date=_date(enroll.get("course_end")),
                rules=merged_rules(card_res.rules, ren.rules))
        return Evaluated(today, cards, cells)
    except (ValueError, TypeError, KeyError, OverflowError) as e:  # one bad profile never hides the team
        return Evaluated(today, cards, {}, f"could not be evaluated ({e})")


_new_cell = tuple.__new__
_new_object = object.__new__
_set_attr = object.__setattr__
_NONE_CELLS = {c: CardCell(c, NONE) for c in ROSTER_CARDS}


def _row(pid: int, name: str, role: str, ev: Evaluated, today: dt.date, rules: RuleSet,
         typical_cache: dict[Any, Any],
         overrides: Mapping[str, Any] | None = None, name_key: str = "") -> RosterRow:
    """The row of one profile on `today` from `ev` (its statuses count only if `ev` is of `today`);
    `overrides`: the profile's overrides when it overrides the role guidance.

    A cell's state is read from the engine's expiry and `today` (a card is expired from the day
    after its last valid day, as the engine's card step says; an at_risk card past its last day,
    in a grace period, is expired too), so an evaluation of another day still gives today's
    state; that day's statuses are left out until evaluated again (`pending`)."""
    current = ev.on == today
    cells: dict[str, CardCell] = _NONE_CELLS.copy()
    cards = ev.cards
    error = ev.error
    rule_lists: list[tuple[str, ...] | str | None] = []  # each card's rule ids, then the role's rule
    if error:
        for c in cards:
            cells[c] = CardCell(c, ERROR)
            rule_lists.append(())
    else:  # (_cell, inlined: 1,500 cells at every open of a team of 500)
        parts = ev.cells
        for c in cards:
            (expires, card_status, renewal_status, deadline, tracked, issued, body, center, ecard, course,
             cell_rules) = parts[c]
            if issued is None:
                state = NO_CARD
            elif expires is None:
                state = UNKNOWN_EXPIRY
            elif expires < today or (current and card_status == EXPIRED):
                state = EXPIRED_STATE
            else:
                state = VALID
            if current:
                cells[c] = _new_cell(CardCell, (c, state, tracked, card_status, renewal_status, expires, issued, body,
                                                center, ecard, course, deadline, cell_rules))
                rule_lists.append(cell_rules)
            else:
                cells[c] = _new_cell(CardCell, (c, state, tracked, None, None, expires, issued, body, center, ecard,
                                                course, None, ()))
                rule_lists.append(())
    role = role or "other"
    if overrides is not None:
        typ, rid = _typical(role, rules, today, overrides)
    else:
        got = typical_cache.get(role)
        if got is None:
            got = typical_cache[role] = _typical(role, rules, today, None)
        typ, rid = got
    rule_lists.append(rid)
    lists = tuple(rule_lists)
    used = typical_cache.get(lists)  # (rows share a few rule lists; memo per build, with the roles')
    if used is None:
        seen = dict.fromkeys(r for c in cards for r in cells[c].rules)
        if rid:
            seen[rid] = None
        used = typical_cache[lists] = tuple(seen)
    missing = tuple([c for c in typ if cells[c].state in _ABSENT]) if typ else ()
    row = _new_object(RosterRow)  # (RosterRow's own __init__, without its call and keyword dict)
    _set_attr(row, "__dict__", {"profile_id": pid, "name": name, "role": role, "cells": cells, "typical": typ,
                                "missing": missing, "error": error, "rules": used,
                                "name_key": name_key or search_key(name),
                                "pending": not current and not error and bool(cards)})
    return row


_ABSENT = (NONE, NO_CARD)
_ROW_FIELDS = ("profile_id", "name", "role", "cells", "typical", "missing", "error", "rules", "name_key", "pending")


def _doc_row(pid: int, doc: Mapping[str, Any], today: dt.date, rules: RuleSet,
             typical_cache: dict[Any, Any], journey=None,
             ev: Evaluated | None = None) -> RosterRow:
    ev = ev if ev is not None else evaluate_cards(doc, today, rules, journey)
    ov = doc.get("overrides") or {}
    return _row(pid, str(doc.get("name") or ""), str(doc.get("role") or "other"), ev, today, rules,
                typical_cache, ov if TYPICAL_CARDS_RULE in ov else None)


def _typical(role: str, rules: RuleSet, today: dt.date,
             overrides: Mapping[str, Any] | None) -> tuple[tuple[str, ...], str | None]:
    try:
        cards, rule = typical_cards(role, rules, today, overrides)
    except ValueError:  # a role id this version does not know
        return (), None
    return tuple(c for c in cards if c in ROSTER_CARDS), (rule.id if rule is not None else None)


def build_roster(store, today: dt.date, rules: RuleSet | None = None, previous: Roster | None = None,
                 cache: RosterCache | None = None) -> Roster:
    """The roster of every profile in `store` on `today`: one read of the data file, one
    evaluation per profile that follows or records a card.

    With `previous` (an earlier roster of the same day and rules), a profile whose document has
    not changed keeps its row: after one change, a rebuild evaluates one profile. With `cache`
    (`RosterCache.of_store(store)`, kept beside the data file), a profile whose version (or, for
    a file without versions, stored content), rules and CertPath build are those of a kept
    evaluation is neither evaluated again nor read (see core.roster_cache)."""
    if cache is None:
        return roster_from_documents(store.all_documents(), today, rules, previous)
    rules = rules or load_rules()
    return roster_from_read(read_roster(store, today, rules, cache), today, rules, previous, cache)


def roster_from_documents(docs: Iterable[tuple[int, Mapping[str, Any]]], today: dt.date,
                          rules: RuleSet | None = None, previous: Roster | None = None) -> Roster:
    """The roster of these (id, document) pairs, every row evaluated (or reused from `previous`)."""
    rules = rules or load_rules()
    reuse = previous is not None and previous.today == today and previous.rule_set is rules
    old = {r.profile_id: r for r in previous.rows} if reuse and previous is not None else {}
    cache: dict[str, tuple[tuple[str, ...], str | None]] = {}
    rows, kept, evaluated = [], {}, 0
    for pid, doc in docs:
        kept[pid] = doc
        if pid in old and previous is not None and previous.documents.get(pid) == doc:
            rows.append(old[pid])
            continue
        rows.append(_doc_row(pid, doc, today, rules, cache))
        evaluated += 1
    return _roster(today, rows, evaluated, Documents(parsed=kept), rules)


def cache_key(trusted: bool, version: str | None, raw: RawDocument | None) -> str:
    """A profile's key in the roster cache: its version when the file's versions can be trusted
    (core/profile_versions.py), else a hash of its stored content (`raw` needed then)."""
    key = version_key(version) if trusted else None
    if key is None:
        assert raw is not None
        key = raw_key(raw)
    return key


def read_keyed(store, ids: list[int]) -> list[tuple[str, RawDocument]]:
    """(cache key, raw document) of these profiles, the keys read with the documents."""
    trusted, _heads, raws = store.roster_read(lambda _t, _h: ids, heads=False)
    return [(cache_key(trusted, v, raw), raw) for v, raw in raws]


@dataclass
class RosterRead:
    """What `read_roster` read in one snapshot of the data file, for `roster_from_read`."""

    heads: list[Any]  # Store.roster_read's RosterHead per profile, in id order
    keys: dict[int, str]  # profile id -> cache key
    raws: dict[int, RawDocument]  # the documents read (the profiles the cache has nothing for)
    kept: KeptEntries  # the cache's entries
    misses: int  # profiles roster_from_read will evaluate
    fetch: Any = None  # read_keyed for the documents not read now (Documents)


def _usable(ev: Evaluated | None, today: dt.date) -> bool:
    return ev is not None and not (ev.error and ev.on != today)  # an error may be of that day: evaluate again


def read_roster(store, today: dt.date, rules: RuleSet, cache: RosterCache) -> RosterRead:
    """One read of the data file for a roster with `cache`: each profile's head (id, name, role,
    version, its typical-cards override), and the documents of those the cache has no evaluation
    for, in one snapshot; nothing is evaluated here (the GUI evaluates in its worker thread)."""
    kept = cache.entries(rules)
    index, today_i = kept.index, kept.day_index(today)
    keys: dict[int, str] = {}

    def choose(trusted: bool, heads: list[Any]) -> list[int]:
        if not trusted:
            return [h[0] for h in heads]  # no versions: every document read, keyed by content
        keys.update({h[0]: h[3] for h in heads if h[3]})
        get = keys.get
        # (KeptEntries.usable, inlined: an error is used only on the day it was met)
        return [h[0] for h in heads
                if (k := get(h[0])) is None or (r := index.get(k)) is None or (r[1] and r[0] != today_i)]

    trusted, heads, raws = store.roster_read(choose)
    if not trusted:
        keys.clear()
    got: dict[int, RawDocument] = {}
    for v, raw in raws:
        got[raw[0]] = raw
        keys[raw[0]] = cache_key(trusted, v, raw)
    misses = sum(1 for pid in got if not kept.usable(keys[pid], today))
    return RosterRead(heads, keys, got, kept, misses, lambda ids: read_keyed(store, ids))


def _typical_override(head: Any) -> dict[str, Any] | None:
    """The profile's overrides as far as the roster reads them: the typical-cards rule's, if any."""
    if len(head) < 7:
        return None
    value, note, created = head[4], head[5], head[6]
    if value is None:
        return None
    try:
        parsed = json.loads(value)
    except ValueError:  # a damaged value: left out, as the store leaves it out
        return None
    return {TYPICAL_CARDS_RULE: {"value": parsed, "note": note, "date": (created or "")[:10]}}


def roster_from_read(read: RosterRead, today: dt.date, rules: RuleSet | None = None,
                     previous: Roster | None = None, cache: RosterCache | None = None,
                     progress: list[int] | None = None) -> Roster:
    """The roster of what `read_roster` read: a row whose key has a kept evaluation in `cache` is
    built from it (nothing parsed, nothing evaluated); the others are parsed and evaluated, and
    the cache then keeps exactly this roster's evaluations. `progress[0]` counts the rows done.

    A kept row is made here from the entry's numbers (`KeptEntries`: no `Evaluated`, no
    `CellParts` in between), as `_row` makes it from the decoded entry (a test compares every
    field of both, on the entry's day, another day and for an error)."""
    rules = rules or load_rules()
    cache = cache if cache is not None else RosterCache(None)
    kept = read.kept
    reuse = previous is not None and previous.today == today and previous.rule_set is rules
    old = {r.profile_id: r for r in previous.rows} if reuse and previous is not None else {}
    old_docs = previous.documents if reuse and previous is not None else None
    fresh: dict[str, Evaluated] = {}
    reused: list[str] = []
    typical: dict[Any, Any] = {}
    used_rules: dict[tuple[int, str | None], tuple[str, ...]] = {}
    parsed: dict[int, Mapping[str, Any]] = {}
    rows, evaluated = [], 0
    keys, raws = read.keys, read.raws
    name_keys = search_keys([h[1] for h in read.heads])
    index, kcells, kinds, days, strings, lists = kept.index, kept.cells, kept.kinds, kept.dates, kept.strings, kept.lists
    today_i = kept.day_index(today)
    new_cell, new_row, set_attr, none_cells, absent = _new_cell, _new_object, _set_attr, _NONE_CELLS, _ABSENT
    template: dict[str, Any] = dict.fromkeys(_ROW_FIELDS, None)
    template.update(error="", pending=False)
    blank = template.copy
    for n, head in enumerate(read.heads):
        if progress is not None:
            progress[0] = n
        pid = head[0]
        key = keys[pid]
        rec = index.get(key)
        if rec is not None and (not rec[1] or rec[0] == today_i):  # (KeptEntries.usable)
            on_i, error_i, first, count, merged = rec
            current = on_i == today_i
            cells = none_cells.copy()
            if error_i:
                for r in kcells[first:first + count]:
                    c = kinds[r[0]][0]
                    cells[c] = CardCell(c, ERROR)
                merged = -1
            else:  # (_row's cells, from the numbers: 1,500 cells at every open of a team of 500)
                for kind, exp, iss, rd, course, center, ecard in kcells[first:first + count]:
                    c, card_status, renewal_status, body, tracked, cell_rules = kinds[kind]
                    expires, issued = days[exp], days[iss]
                    if issued is None:
                        state = NO_CARD
                    elif expires is None:
                        state = UNKNOWN_EXPIRY
                    elif expires < today or (current and card_status == EXPIRED):
                        state = EXPIRED_STATE
                    else:
                        state = VALID
                    if current:
                        cells[c] = new_cell(CardCell, (c, state, tracked, card_status, renewal_status, expires, issued,
                                                       body, strings[center], strings[ecard], days[course], days[rd],
                                                       cell_rules))
                    else:
                        cells[c] = new_cell(CardCell, (c, state, tracked, None, None, expires, issued, body,
                                                       strings[center], strings[ecard], days[course], None, ()))
                if not current:
                    merged = -1
            role = head[2] or "other"
            if len(head) > 4:
                typ, rid = _typical(role, rules, today, _typical_override(head))
            else:
                got = typical.get(role)
                if got is None:
                    got = typical[role] = _typical(role, rules, today, None)
                typ, rid = got
            used = used_rules.get((merged, rid))
            if used is None:
                used = used_rules[(merged, rid)] = tuple(dict.fromkeys(
                    [*(lists[merged] if merged >= 0 else ()), *((rid,) if rid else ())]))
            missing: tuple[str, ...] = ()
            for c in typ:  # (a loop: a comprehension is a call per row in this Python)
                if cells[c].state in absent:
                    missing += (c,)
            d = blank()  # (a copy of a made dict, its fields set: less than a dict display of ten)
            d["profile_id"] = pid
            d["name"] = head[1]
            d["role"] = role
            d["cells"] = cells
            d["typical"] = typ
            d["missing"] = missing
            d["rules"] = used
            d["name_key"] = name_keys[n]
            if error_i:
                d["error"] = strings[error_i]
            elif not current and count:
                d["pending"] = True
            row = new_row(RosterRow)
            set_attr(row, "__dict__", d)
            rows.append(row)
            reused.append(key)
            continue
        if pid in old and isinstance(old_docs, Documents) and old_docs.key(pid) == key:
            rows.append(old[pid])  # (the same version or content as the previous roster's row)
            continue
        doc = parsed[pid] = parse_raw_document(raws[pid])
        if pid in old and old_docs is not None and old_docs.get(pid) == doc:
            rows.append(old[pid])
            continue
        ev = evaluate_cards(doc, today, rules)
        evaluated += 1
        fresh[key] = ev
        rows.append(_row(pid, head[1], head[2], ev, today, rules, typical,
                         _typical_override(head) if len(head) > 4 else None, name_keys[n]))
    if progress is not None:
        progress[0] = len(read.heads)
    cache.update(rules, fresh, replace=True, reused=reused, source=kept)
    return _roster(today, rows, evaluated, Documents(raws, parsed, keys, read.fetch), rules)


def pending_rows(roster: Roster) -> list[int]:
    """Profiles whose row carries no statuses of the roster's day (from a cached evaluation of another day)."""
    return [r.profile_id for r in roster.rows if r.pending]


def read_pending_documents(roster: Roster) -> None:
    """Read (on this thread) the documents `complete_statuses` will evaluate, which a roster built
    from the cache did not read."""
    if isinstance(roster.documents, Documents):
        roster.documents.preload(pending_rows(roster))


def complete_statuses(roster: Roster, cache: RosterCache | None = None) -> Roster:
    """`roster` with every pending row evaluated on its day (what an export with the engine's
    statuses needs); the roster itself when none is pending. One evaluation per pending row."""
    wanted = set(pending_rows(roster))
    if not wanted:
        return roster
    rules = roster.rule_set or load_rules()
    typical: dict[str, tuple[tuple[str, ...], str | None]] = {}
    fresh: dict[str, Evaluated] = {}
    rows = []
    docs = _docs(roster)
    docs.preload(wanted)  # (read_pending_documents did it on the GUI's thread)
    changed: dict[int, tuple[str, RawDocument] | None] = {}  # written or deleted since the build
    for r in roster.rows:
        pid = r.profile_id
        if pid not in wanted:
            rows.append(r)
            continue
        key = docs.key(pid)
        try:
            doc = docs[pid]
        except KeyError:  # written since the roster was built: its document as it is now
            now = changed[pid] = docs.read_now(pid)
            if now is None:  # deleted meanwhile: not exported
                continue
            key, doc = now[0], parse_raw_document(now[1])
        ev = evaluate_cards(doc, roster.today, rules)
        if cache is not None and key is not None:
            fresh[key] = ev
        rows.append(_doc_row(pid, doc, roster.today, rules, typical, ev=ev))
    for pid, now in changed.items():
        docs = docs.updated(pid, *now) if now is not None else docs.replaced(pid, None)
    if cache is not None:
        cache.update(rules, fresh)
    return _roster(roster.today, rows, len(wanted), docs, rules)


def _roster(today: dt.date, rows: list[RosterRow], evaluated: int, docs: Mapping[int, Mapping[str, Any]],
            rules: RuleSet) -> Roster:
    # rows share a few rule-id tuples (one per distinct list in a build, kept by the rows after an
    # edit): the union over the distinct ones, not over every row's every id
    distinct = {id(row.rules): row.rules for row in rows}
    used = sorted(set().union(*distinct.values()))
    return Roster(today=today, rows=rows, rules=tuple(used), evaluated=evaluated, documents=docs, rule_set=rules)


def _docs(roster: Roster) -> Documents:
    d = roster.documents
    return d if isinstance(d, Documents) else Documents(parsed=d)


def refresh_rows(roster: Roster, store, profile_ids: Iterable[int]) -> Roster:
    """`roster` with the rows of `profile_ids` read and evaluated again (a profile edited, added or
    deleted): what a view does after one change, at the cost of those profiles only."""
    rules = roster.rule_set or load_rules()
    docs = _docs(roster)
    wanted = list(dict.fromkeys(int(p) for p in profile_ids))
    read = dict(store.all_documents(wanted))  # one pass over those profiles only
    fresh: dict[int, RosterRow | None] = {}
    cache: dict[str, tuple[tuple[str, ...], str | None]] = {}
    for pid in wanted:
        doc = read.get(pid)
        docs = docs.replaced(pid, doc)
        if doc is None:  # deleted
            fresh[pid] = None
            continue
        fresh[pid] = _doc_row(pid, doc, roster.today, rules, cache)
    rows = [row for r in roster.rows if (row := fresh.get(r.profile_id, r)) is not None]
    have = {r.profile_id for r in roster.rows}
    rows += [row for pid, row in sorted(fresh.items()) if row is not None and pid not in have]
    return _roster(roster.today, rows, sum(1 for r in fresh.values() if r is not None), docs, rules)


def with_journey(roster: Roster, profile_id: int, doc: Mapping[str, Any], journey) -> Roster:
    """`roster` with the row of `profile_id` built from `doc` and its already evaluated `journey`
    (the GUI's current profile after a save): no evaluation when the journey covers the row's
    cards (it was evaluated on the roster's day with the same rules), one otherwise."""
    rules = roster.rule_set or load_rules()
    row = _doc_row(int(profile_id), doc, roster.today, rules, {}, journey)
    docs = _docs(roster).replaced(int(profile_id), doc)
    if any(r.profile_id == row.profile_id for r in roster.rows):
        rows = [row if r.profile_id == row.profile_id else r for r in roster.rows]
    else:
        rows = [*roster.rows, row]
    return _roster(roster.today, rows, 1, docs, rules)


# --- filters and sorting -----------------------------------------------------------------------

@dataclass(frozen=True)
class RosterFilter:
    """Which rows to show. `cards` limits the columns (and what the conditions look at); the
    conditions `within_days`, `expired` and `missing` are alternatives (a row shows when any chosen
    one holds: "expiring soon or expired"); `search` must match as well. No condition: every row."""

    within_days: int | None = None
    expired: bool = False
    missing: bool = False
    cards: tuple[str, ...] = ()
    search: str = ""

    def __post_init__(self) -> None:
        unknown = [c for c in self.cards if c not in ROSTER_CARDS]
        if unknown:
            raise ValueError(f"card: {', '.join(map(repr, unknown))} is not one of {', '.join(ROSTER_CARDS)}")
        if self.within_days is not None and not (0 <= self.within_days <= 36600):
            raise ValueError("within: the number of days must be between 0 and 36600")

    @property
    def has_condition(self) -> bool:
        return self.within_days is not None or self.expired or self.missing

    def visible_cards(self, roster: Roster) -> tuple[str, ...]:
        return tuple(c for c in roster.cards if not self.cards or c in self.cards)

    def describe(self) -> dict[str, Any]:
        return {"within_days": self.within_days, "expired": self.expired, "missing": self.missing,
                "cards": list(self.cards), "search": self.search}


def matcher(flt: RosterFilter, today: dt.date, cards: Sequence[str]):
    """A predicate `row -> bool` for `flt` (the search text folded and the window's end computed
    once, so filtering 500 rows costs about what 10 do, per row)."""
    key = search_key(flt.search)
    cards = tuple(cards)
    within_end = today + dt.timedelta(days=flt.within_days) if flt.within_days is not None else None
    conditions = flt.has_condition

    def match(row: RosterRow) -> bool:
        if key and key not in row.name_key:
            return False
        if not conditions:
            return True
        cells = row.cells
        for c in cards:
            cell = cells[c]
            if within_end is not None and cell.state == VALID and cell.expires is not None \
                    and today <= cell.expires <= within_end:
                return True
            if flt.expired and cell.state == EXPIRED_STATE:
                return True
            if flt.missing and c in row.missing:
                return True
        return False

    return match


def row_matches(row: RosterRow, flt: RosterFilter, today: dt.date, cards: Sequence[str]) -> bool:
    return matcher(flt, today, cards)(row)


def filter_rows(roster: Roster, flt: RosterFilter | None = None, rows: Iterable[RosterRow] | None = None
                ) -> list[RosterRow]:
    """The rows (of `roster`, or the given subset) that `flt` shows, in their current order."""
    flt = flt or RosterFilter()
    source = roster.rows if rows is None else rows
    if not flt.has_condition:  # everyone, or a name search alone: no call per row
        key = search_key(flt.search)
        return [r for r in source if key in r.name_key] if key else list(source)
    cards = flt.visible_cards(roster)
    index = roster.filter_index()
    hits = index.hits(flt, roster.today, cards)
    key = search_key(flt.search)
    row_of = index.row_of
    match = matcher(flt, roster.today, cards)  # for a row that is not this roster's own (a caller's copy)
    return [r for r in source
            if (((r.profile_id in hits) and (not key or key in r.name_key)) if row_of.get(r.profile_id) is r
                else match(r))]


def roster_columns(roster: Roster) -> tuple[str, ...]:
    """The sortable columns: id, name, role, one per card (by expiry), missing (how many)."""
    return ("id", "name", "role", *roster.cards, "missing")


def sort_rows(rows: Iterable[RosterRow], column: str, descending: bool = False) -> list[RosterRow]:
    """`rows` sorted by `column`; a card column sorts by expiry, rows without a date last either
    way; ties keep name order. Stable, so sorting twice gives a secondary order."""
    rows = list(rows)
    if column == "id":
        return sorted(rows, key=lambda r: r.profile_id, reverse=descending)
    if column == "name":
        return sorted(rows, key=lambda r: (r.name_key, r.profile_id), reverse=descending)
    if column == "role":
        labels = {r.role: search_key(r.role_label) for r in rows}
        return sorted(rows, key=lambda r: (labels[r.role], r.name_key), reverse=descending)
    if column == "missing":
        return sorted(rows, key=lambda r: (len(r.missing), r.name_key), reverse=descending)
    if column in ROSTER_CARDS:
        dated = [r for r in rows if r.cells[column].expires is not None]
        undated = [r for r in rows if r.cells[column].expires is None]
        dated.sort(key=lambda r: (r.cells[column].expires, r.name_key), reverse=descending)
        undated.sort(key=lambda r: r.name_key)
        return dated + undated
    raise ValueError(f"sort: unknown column {column!r} (one of id, name, role, {', '.join(ROSTER_CARDS)}, missing)")


# --- the team summary --------------------------------------------------------------------------

@dataclass(frozen=True)
class TeamItem:
    profile_id: int
    name: str
    card: str
    date: dt.date | None  # the card's last valid day (None for a missing card)


@dataclass(frozen=True)
class TeamSummary:
    """Counts and items for the dashboard; the caller words them (codes below, no sentences).

    `team.cards_expire_this_month` (items: today to the end of this month), `team.cards_expire_soon`
    (after this month, within `soon_days`), `team.cards_expired`, `team.typical_cards_missing`."""

    today: dt.date
    month_end: dt.date
    soon_days: int
    profiles: int  # rows looked at
    holders: int  # profiles holding at least one card
    expiring_this_month: tuple[TeamItem, ...] = ()
    expiring_soon: tuple[TeamItem, ...] = ()
    expired: tuple[TeamItem, ...] = ()
    missing: tuple[TeamItem, ...] = ()

    @property
    def show(self) -> bool:
        """The dashboard shows the team summary when more than one profile holds cards."""
        return self.holders > 1

    def findings(self) -> list[tuple[str, dict[str, Any]]]:
        """(code, params) per non-empty group, in the order a dashboard lists them."""
        out = []
        for code, items, extra in (
                ("team.cards_expired", self.expired, {}),
                ("team.cards_expire_this_month", self.expiring_this_month, {"month_end": self.month_end}),
                ("team.cards_expire_soon", self.expiring_soon, {"days": self.soon_days}),
                ("team.typical_cards_missing", self.missing, {})):
            if items:
                out.append((code, {"count": len(items), "items": list(items), **extra}))
        return out


def team_summary(roster: Roster, rows: Iterable[RosterRow] | None = None, soon_days: int = 60) -> TeamSummary:
    today = roster.today
    month_end = dates.end_of_month(today)
    rows = list(roster.rows if rows is None else rows)
    this_month, soon, expired, missing = [], [], [], []
    for r in rows:
        for c in roster.cards:
            cell = r.cells[c]
            if cell.state == VALID and cell.expires is not None and cell.expires >= today:
                if cell.expires <= month_end:
                    this_month.append(TeamItem(r.profile_id, r.name, c, cell.expires))
                elif (cell.expires - today).days <= soon_days:
                    soon.append(TeamItem(r.profile_id, r.name, c, cell.expires))
            elif cell.state == EXPIRED_STATE:
                expired.append(TeamItem(r.profile_id, r.name, c, cell.expires))
        missing += [TeamItem(r.profile_id, r.name, c, None) for c in r.missing]

    def by_date(items: list[TeamItem]) -> tuple[TeamItem, ...]:
        return tuple(sorted(items, key=lambda i: (i.date or dt.date.max, search_key(i.name), i.card)))

    return TeamSummary(today=today, month_end=month_end, soon_days=soon_days, profiles=len(rows),
                       holders=sum(1 for r in rows if r.holds_cards()),
                       expiring_this_month=by_date(this_month), expiring_soon=by_date(soon),
                       expired=by_date(expired), missing=tuple(missing))


# --- output ------------------------------------------------------------------------------------

def csv_columns(cards: Sequence[str]) -> list[str]:
    """The roster CSV's header. The `<card>_body/_issue_date/_course_date/_training_center/_ecard_code`
    columns are what `import-roster` reads back; state, status, expires and days_left are computed."""
    head = ["id", "name", "role", "role_label"]
    for c in cards:
        head += [f"{c}_state", f"{c}_card_status", f"{c}_expires", f"{c}_days_left", f"{c}_renewal_status",
                 f"{c}_body", f"{c}_issue_date", f"{c}_course_date", f"{c}_training_center", f"{c}_ecard_code"]
    return [*head, "missing_typical"]


@iso_dates()
def export_comment(roster: Roster, flt: RosterFilter, cards: Sequence[str]) -> str:
    parts = [f"CertPath team roster as of {roster.today.isoformat()}"]
    conds = []
    if flt.within_days is not None:
        conds.append(f"expiring within {flt.within_days} days")
    if flt.expired:
        conds.append("expired")
    if flt.missing:
        conds.append("missing a typical card")
    if conds:
        parts.append("showing " + " or ".join(conds))
    if flt.cards:
        parts.append("cards " + " ".join(cards))
    if flt.search:
        parts.append(f"name search {strip_controls(flt.search)!r}")
    parts.append("rules: " + " ".join(roster.rules))
    return "# " + "; ".join(parts)


@iso_dates()
def roster_csv(roster: Roster, rows: Sequence[RosterRow], flt: RosterFilter | None = None) -> str:
    """The rows as CSV (UTF-8 with BOM, CRLF, formula-safe cells, as the other exports), after a
    first `# ...` line with the date, the filter and the rule ids used."""
    import csv

    from .exports import BOM, _cell

    flt = flt or RosterFilter()
    _check_complete(rows)
    cards = flt.visible_cards(roster)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([export_comment(roster, flt, cards)])
    w.writerow(csv_columns(cards))
    for r in rows:
        out: list[Any] = [r.profile_id, r.name, r.role, r.role_label]
        for c in cards:
            cell = r.cells[c]
            out += [cell.state, cell.card_status, cell.expires, cell.days_left(roster.today), cell.renewal_status,
                    cell.body, cell.issued, cell.course_date, cell.training_center, cell.ecard_code]
        out.append(" ".join(c for c in r.missing if c in cards))
        w.writerow([_cell(v) for v in out])
    return BOM + buf.getvalue()


def _check_complete(rows: Sequence[RosterRow]) -> None:
    if any(r.pending for r in rows):  # never an export with the statuses left out
        raise ValueError("the roster has rows without today's statuses: complete_statuses(roster) first")


@iso_dates()
def roster_json(roster: Roster, rows: Sequence[RosterRow], flt: RosterFilter | None = None) -> str:
    flt = flt or RosterFilter()
    _check_complete(rows)
    cards = flt.visible_cards(roster)
    doc = {"format": ROSTER_FORMAT, "today": roster.today.isoformat(), "rules": list(roster.rules),
           "filter": flt.describe(), "cards": list(cards), "count": len(rows),
           "rows": [r.to_json(roster.today, cards) for r in rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def cell_text(cell: CardCell, today: dt.date) -> str:
    if cell.state == VALID and cell.expires is not None:
        n = cell.days_left(today)
        return f"{cell.expires.isoformat()} ({'today' if n == 0 else f'{n}d'})"
    if cell.state == EXPIRED_STATE and cell.expires is not None:
        return f"EXPIRED {cell.expires.isoformat()}"
    return {NONE: "-", NO_CARD: "no card", UNKNOWN_EXPIRY: "expiry ?", ERROR: "error"}.get(cell.state, cell.state)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


@dataclass
class _Table:
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def render(self) -> list[str]:
        widths = [max([len(h), *(len(r[i]) for r in self.rows)]) for i, h in enumerate(self.head)]
        fmt = lambda cols: "  ".join(c.ljust(widths[i]) for i, c in enumerate(cols)).rstrip()  # noqa: E731
        return [fmt(self.head), fmt(["-" * w for w in widths]), *(fmt(r) for r in self.rows)]


@iso_dates()
def roster_text(roster: Roster, rows: Sequence[RosterRow], flt: RosterFilter | None = None) -> str:
    """A plain-text table, one line per row; names have their control characters removed."""
    flt = flt or RosterFilter()
    _check_complete(rows)
    cards = flt.visible_cards(roster)
    t = _Table(["ID", "Name", "Role", *(c.upper() for c in cards), "Missing"])
    for r in rows:
        t.rows.append([str(r.profile_id), _fit(strip_controls(r.name), 32), _fit(strip_controls(r.role), 20),
                       *(cell_text(r.cells[c], roster.today) for c in cards),
                       ",".join(c for c in r.missing if c in cards) + (f" ({r.error})" if r.error else "")])
    lines = [export_comment(roster, flt, cards)[2:], *t.render(),
             f"{len(rows)} of {len(roster.rows)} profiles shown. Missing = typical for the role "
             "(guidance: your employer decides)."]
    return "\n".join(lines) + "\n"


@iso_dates()
def summary_json(summary: TeamSummary) -> str:
    def item(i: TeamItem) -> dict[str, Any]:
        return {"id": i.profile_id, "name": i.name, "card": i.card, "date": _iso(i.date)}

    doc = {"format": "certpath-team-summary/1", "today": summary.today.isoformat(), "profiles": summary.profiles,
           "holders": summary.holders, "show": summary.show,
           "findings": [{"code": code, "params": {k: ([item(i) for i in v] if k == "items" else
                                                      v.isoformat() if isinstance(v, dt.date) else v)
                                                  for k, v in params.items()}}
                        for code, params in summary.findings()]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_SUMMARY_HEADINGS = {
    "team.cards_expired": "Expired",
    "team.cards_expire_this_month": "Expire this month",
    "team.cards_expire_soon": "Expire within {days} days (after this month)",
    "team.typical_cards_missing": "A card the role typically holds is missing (guidance: the employer decides)",
}


@iso_dates()
def summary_text(summary: TeamSummary) -> str:
    """The team summary in plain words for the command line (the GUI words the findings itself)."""
    lines = [f"Team summary as of {summary.today.isoformat()}: {plural(summary.profiles, 'profile')}, "
             f"{summary.holders} holding cards."]
    for code, params in summary.findings():
        lines.append("")
        lines.append(f"{_SUMMARY_HEADINGS[code].format(**params)} ({params['count']}):")
        for i in params["items"]:
            when = f"  {i.date.isoformat()}" if i.date else ""
            lines.append(f"  {strip_controls(i.name)}: {i.card.upper()}{when}")
    if not summary.findings():
        lines.append("No card expired, none expires within "
                     f"{summary.soon_days} days, none typical for a role is missing.")
    return "\n".join(lines) + "\n"
