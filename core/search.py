"""Search: one index of what a user may look for, matched by normalised words and prefixes.

`build_index(store, today, profile_id=..., journey=...)` gathers the entries: the steps (and
tracks) of the profile's journey, the rule records, the profile's documents, reminders and costs,
and the profiles of the data file. `SearchIndex.search(text)` returns ranked `Hit`s.

Matching: the text and each entry are cut into words (letters and digits, with the marks that
belong to them: a Devanagari vowel sign stays in its word), case-folded, Latin accents removed
("Ñame" matches "name"), and a word is cut where letters meet digits ("step2ck" is "step 2 ck").
Every word of the query must begin a word of the entry ("pal ca" finds "PALS card"). An inverted
index (word -> entries) and a sorted word list make a query cost what its matches cost, not what
the data file holds: 10,000 documents answer within a few milliseconds
(benchmarks/bench_search.py measures it).

Ranking: a word found in the title counts more than one in the details, a whole word more than a
prefix; the whole query as a phrase in the title adds, and so does the kind (steps and profiles,
then the profile's documents, reminders and costs, then the rule records); ties go to the
shorter title. Pure Python: the GUI's search box and
`python -m core search TEXT` use it alike.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

STEP, PROFILE, DOCUMENT, REMINDER, COST, RULE = "step", "profile", "document", "reminder", "cost", "rule"
KINDS = (STEP, PROFILE, DOCUMENT, REMINDER, COST, RULE)
KIND_LABELS = {STEP: "Step", PROFILE: "Profile", DOCUMENT: "Document", REMINDER: "Reminder", COST: "Cost",
               RULE: "Rule"}
_KIND_RANK = {k: i for i, k in enumerate(KINDS)}
# what a person most often looks for comes first among equal matches: a step or a profile, then
# their own rows (documents, reminders, costs), then the rule records (long statements)
_KIND_WEIGHT = {STEP: 1.5, PROFILE: 1.5, DOCUMENT: 0.5, REMINDER: 0.5, COST: 0.5, RULE: 0.0}
DEFAULT_LIMIT = 50


# What separates words: white space, ASCII punctuation (with "_"), Latin-1 punctuation and signs,
# general punctuation (dashes, quotes, "…"), arrows, box and geometric shapes ("▸"), the Devanagari
# danda, CJK and full-width punctuation. Everything else is part of a word: letters, digits and the
# combining marks of any script (a Devanagari vowel sign stays inside its word). A word is cut
# where digits meet other characters ("step2ck" -> "step", "2", "ck").
_SEP = ("\\s!-/:-@\\[-`{-~\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f\u2190-\u21ff\u2500-\u25ff"
        "\u0964\u0965\u3000-\u303f\uff01-\uff0f")
_WORD = re.compile(f"\\d+|[^\\d{_SEP}]+")
_LATIN_MARKS = re.compile("([\x00-\u024f])[\u0300-\u036f]+")


def normalise(text: str) -> str:
    """Case-folded, with the accents of Latin letters removed ("Ñame" -> "name"); other scripts'
    marks are letters and stay."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", _LATIN_MARKS.sub(r"\1", unicodedata.normalize("NFD", text)))
    return text.casefold()


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order (repeats kept)."""
    return _WORD.findall(normalise(text))


@lru_cache(maxsize=200_000)
def _entry_words(title: str, detail: str, text: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """(the title's words joined, its word set, every word): cached, so a rebuild after a change
    re-reads the data but does not cut the same 10,000 names into words again."""
    tw = words(title)
    return " ".join(tw), frozenset(tw), frozenset(tw).union(words(detail), words(text))


@dataclass(frozen=True)
class Entry:
    kind: str
    key: str  # what opening it needs: a step id, a rule id, a document/reminder/cost/profile id
    title: str
    detail: str = ""  # one line under the title (a status, a date, a file's step)
    text: str = ""  # more words that find it but are not shown (a statement, a note, a URL)
    profile_id: int | None = None  # the profile a document, reminder or cost belongs to
    extra: tuple[tuple[str, Any], ...] = ()  # what the opener needs besides the key (a rule's record index)

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.extra).get(name, default)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "title": self.title, "detail": self.detail,
                "profile_id": self.profile_id}


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float

    @property
    def kind(self) -> str:
        return self.entry.kind

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def title(self) -> str:
        return self.entry.title


@dataclass
class Results:
    hits: list[Hit]
    total: int  # matches before the limit

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


@dataclass
class SearchIndex:
    entries: list[Entry] = field(default_factory=list)
    _titles: list[str] = field(default_factory=list, repr=False)  # normalised words, for the phrase bonus
    _postings: dict[str, list[int]] = field(default_factory=dict, repr=False)  # word -> entries with it
    _in_title: dict[str, list[int]] = field(default_factory=dict, repr=False)  # word -> entries with it in the title
    _first: dict[str, list[int]] = field(default_factory=dict, repr=False)  # word -> entries whose title begins so
    _vocab: list[str] = field(default_factory=list, repr=False)  # every word, sorted (prefix look-up)
    _kinds: dict[str, set[int]] = field(default_factory=dict, repr=False)  # kind -> its entries
    _order: list[tuple[int, int]] = field(default_factory=list, repr=False)  # tie-break: (title length, entry)

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> SearchIndex:
        idx = cls()
        postings, in_title, first, titles = idx._postings, idx._in_title, idx._first, idx._titles
        for i, e in enumerate(entries):
            idx.entries.append(e)
            joined, tw, aw = _entry_words(e.title, e.detail, e.text)
            titles.append(joined)
            idx._order.append((len(joined), i))
            idx._kinds.setdefault(e.kind, set()).add(i)
            if joined:
                first.setdefault(joined.split(" ", 1)[0], []).append(i)
            for w in tw:
                if w in in_title:
                    in_title[w].append(i)
                else:
                    in_title[w] = [i]
            for w in aw:
                if w in postings:
                    postings[w].append(i)
                else:
                    postings[w] = [i]
        idx._vocab = sorted(postings)
        return idx

    def __len__(self) -> int:
        return len(self.entries)

    def _starting(self, prefix: str) -> list[str]:
        vocab = self._vocab
        i = j = bisect.bisect_left(vocab, prefix)
        while j < len(vocab) and vocab[j].startswith(prefix):
            j += 1
        return vocab[i:j]

    def _union(self, table: dict[str, list[int]], keys: Iterable[str]) -> set[int]:
        out: set[int] = set()
        for k in keys:
            out.update(table.get(k, ()))
        return out

    def search(self, text: str, limit: int | None = DEFAULT_LIMIT, kinds: Sequence[str] | None = None) -> Results:
        """Entries whose words begin with every word of `text`, best first (`limit` of them).

        The candidates are never scored one by one: they are split into groups of equal score with
        set operations (per query word: whole title word 3, title prefix 2, whole word elsewhere
        1.5, prefix elsewhere 1; the phrase at the title's start +1, elsewhere in it +0.5; the
        kind's weight), and only the best groups are ordered, so a one-letter query that matches
        all 10,000 documents costs little more than one that matches ten."""
        qwords = list(dict.fromkeys(words(text)))
        if not qwords:
            return Results([], 0)
        cand: set[int] | None = None
        tiers = []  # per query word: (entries with it as a title word, as a title prefix, as a word)
        for w in sorted(qwords, key=len, reverse=True):  # the longest first: usually the fewest entries
            keys = self._starting(w)
            found = self._union(self._postings, keys)
            cand = found if cand is None else cand & found
            if not cand:
                return Results([], 0)
            tiers.append((w, keys))
        assert cand is not None
        if kinds is not None:
            cand = cand & set().union(*(self._kinds.get(k, set()) for k in kinds))
        n = len(qwords)
        groups: dict[float, set[int]] = {0.0: cand}
        for w, keys in tiers:
            exact_title = cand.intersection(self._in_title.get(w, ()))
            prefix_title = cand & self._union(self._in_title, keys)
            exact = cand.intersection(self._postings.get(w, ()))
            split: dict[float, set[int]] = {}
            for sc, g in groups.items():
                a = g & exact_title
                b = (g & prefix_title) - a
                c = (g & exact) - a - b
                rest = g - a - b - c
                for add, part in ((3.0, a), (2.0, b), (1.5, c), (1.0, rest)):
                    if part:
                        split.setdefault(sc + add, set()).update(part)
            groups = split
        # the phrase: only entries with every word in the title (score >= 2 per word) can hold it
        phrase = " ".join(qwords)
        titles = self._titles
        starts_phrase = cand & self._union(self._first, self._starting(phrase)) if n == 1 else None
        with_phrase: dict[float, set[int]] = {}
        for sc, g in groups.items():
            if sc < 2.0 * n:
                with_phrase.setdefault(sc, set()).update(g)
                continue
            if starts_phrase is not None:  # one word in the title: at its start, or elsewhere
                at_start, inside = g & starts_phrase, g - starts_phrase
            else:
                at_start = {i for i in g if titles[i].startswith(phrase)}
                inside = {i for i in g - at_start if f" {titles[i]}".find(f" {phrase}") >= 0}
            for add, part in ((1.0, at_start), (0.5, inside), (0.0, g - at_start - inside)):
                if part:
                    with_phrase.setdefault(sc + add, set()).update(part)
        buckets: list[tuple[float, int, set[int]]] = []
        for sc, g in with_phrase.items():
            for kind, members in self._kinds.items():
                part = g & members
                if part:
                    buckets.append((-(sc + _KIND_WEIGHT.get(kind, 0.0)), _KIND_RANK.get(kind, 9), part))
        buckets.sort(key=lambda b: (b[0], b[1]))
        hits: list[Hit] = []
        order = self._order.__getitem__
        for neg, _rank, part in buckets:
            room = None if limit is None else limit - len(hits)
            if room is not None and room <= 0:
                break
            chosen = sorted(part, key=order) if room is None or room >= len(part) else heapq.nsmallest(room, part, key=order)
            hits += [Hit(self.entries[i], -neg) for i in chosen]
        return Results(hits, len(cand))


# --- gathering the entries -------------------------------------------------------------------

def step_entries(journey: Any = None, tracks: Sequence[str] | None = None) -> list[Entry]:
    """The tracks and steps of `journey` (with their status), else of `tracks` (else all)."""
    from .engine import all_step_defs, known_tracks, step_name, track_title
    from .engine.base import STATUS_LABELS

    defs = all_step_defs()

    def where(sd) -> str:  # "IMG to US practice · The Match"; a card's stage already names its track
        tt = track_title(sd.track)
        return sd.stage if sd.stage.startswith(tt) else f"{tt} · {sd.stage}"

    def entry(sd, status: str | None) -> Entry:
        detail = where(sd) + (f" · {STATUS_LABELS.get(status, status)}" if status else "")
        return Entry(STEP, sd.id, step_name(sd.id), detail, f"{sd.id} {sd.description} {sd.item}")

    out: list[Entry] = []
    if journey is not None:
        for t in journey.tracks:
            out.append(Entry(STEP, t.track, track_title(t.track), "Journey: your facts for the whole track"))
            out += [entry(defs[s.id], s.status) for s in t.steps if s.id in defs]
        return out
    for tid in (tracks if tracks is not None else known_tracks()):
        out.append(Entry(STEP, tid, track_title(tid), "Journey: your facts for the whole track"))
        out += [entry(sd, None) for sd in defs.values() if sd.track == tid]
    return out


def rule_entries(rules: Any = None) -> list[Entry]:
    """Every rule record (a rule with several periods has one entry per record)."""
    from .rules import load_rules

    records = (rules or load_rules()).all()
    out = []
    for i, r in enumerate(records):
        period = ""
        if r.valid_from or r.valid_until:
            period = f" ({r.valid_from or '…'} to {r.valid_until or 'now'})"
        out.append(Entry(RULE, r.id, r.statement, f"{r.id}{period} · confidence {r.confidence}",
                         f"{r.id} {' '.join(r.urls)} {r.conflict or ''}", extra=(("record", i),)))
    return out


def profile_entries(store) -> list[Entry]:
    from .engine import track_title

    return [Entry(PROFILE, str(p["id"]), p["name"],
                  "Profile · " + ", ".join(track_title(t) for t in (p.get("tracks") or [])),
                  str(p.get("role") or ""), p["id"])
            for p in store.list_profiles()]


def document_entries(store, profile_id: int) -> list[Entry]:
    """The profile's documents, read straight from the table (the vault's files are not touched)."""
    from .engine import step_name
    from .vault import PROFILE_LEVEL

    rows = store.db.execute("SELECT id, step_id, original_name, expires, note FROM documents "
                            "WHERE profile_id = ? ORDER BY id", [profile_id]).fetchall()
    names: dict[str, str] = {}
    out = []
    for did, step, name, expires, note in rows:
        where = names.get(step)
        if where is None:
            where = names[step] = "Whole profile" if step == PROFILE_LEVEL else step_name(step)
        out.append(Entry(DOCUMENT, str(did), name, f"{where} · expires {expires}" if expires else where,
                         note or "", profile_id))
    return out


def reminder_entries(reminders: Sequence[Any], profile_id: int | None) -> list[Entry]:
    """The reminders, but not a document's expiry reminder: the document's own entry finds it (and
    says its expiry), so 10,000 documents are not listed twice."""
    out = []
    for r in reminders:
        if r.source_key.startswith("doc:"):
            continue
        state = " · done" if r.done_at else ""
        out.append(Entry(REMINDER, r.source_key, r.title, f"{r.due.isoformat()}{state}", r.detail, profile_id,
                         (("id", r.id),)))
    return out


def cost_entries(costs: Sequence[Any], profile_id: int | None) -> list[Entry]:
    """A cost is titled by its note (what it was for), else by its step."""
    from .costs import format_amount
    from .engine import step_name

    out = []
    for c in costs:
        detail = f"{format_amount(c.amount_cents, c.currency)} · {c.status}"
        if c.date:
            detail += f" · {c.date.isoformat()}"
        if c.note:
            detail = f"{step_name(c.step_id)} · {detail}"
        out.append(Entry(COST, str(c.id), c.note or step_name(c.step_id), detail,
                         f"{step_name(c.step_id)} {c.currency} cost fee", profile_id))
    return out


def build_index(store, today: dt.date, *, profile_id: int | None = None, journey: Any = None, rules: Any = None,
                reminders: Sequence[Any] | None = None, all_profiles: bool = False) -> SearchIndex:
    """The index for one profile (its journey's steps, documents, reminders and costs), the rules
    and the profiles of the file; `all_profiles`: the documents, reminders and costs of every profile
    (the command line's default). `journey`/`reminders` already computed by the caller are used
    as they are (the GUI hands its current ones: no second evaluation)."""
    from .costs import Ledger
    from .reminders import current

    entries: list[Entry] = []
    profiles = store.list_profiles()
    pids = [p["id"] for p in profiles] if all_profiles else ([profile_id] if profile_id is not None else [])
    if journey is not None:
        entries += step_entries(journey)
    else:
        followed = list(dict.fromkeys(t for p in profiles if p["id"] in pids for t in (p.get("tracks") or [])))
        entries += step_entries(None, followed if pids else None)
    entries += profile_entries(store)
    ledger = Ledger(store)
    for pid in pids:
        entries += document_entries(store, pid)
        rems = reminders if reminders is not None and pid == profile_id else current(store, pid, today)
        entries += reminder_entries(rems, pid)
        entries += cost_entries(ledger.list(pid), pid)
    entries += rule_entries(rules)
    return SearchIndex.of(entries)


def results_text(results: Results, profile_names: dict[int, str] | None = None) -> str:
    """The hits as plain text, one a line: kind, title, details (the command line's output)."""
    from .cli import printable

    names = profile_names or {}
    lines = []
    for h in results:
        e = h.entry
        who = f" [{names.get(e.profile_id, e.profile_id)}]" if e.profile_id is not None and e.kind != PROFILE else ""
        lines.append(f"{KIND_LABELS[e.kind]:<9} {printable(e.title)}{who}  ({printable(e.detail)})  id={e.key}")
    more = results.total - len(results.hits)
    lines.append(f"{results.total} match(es)" + (f"; {more} not shown (--limit)" if more > 0 else "") + ".")
    return "\n".join(lines) + "\n"


__all__ = ["COST", "DOCUMENT", "Entry", "Hit", "KINDS", "KIND_LABELS", "PROFILE", "REMINDER", "RULE", "Results",
           "STEP", "SearchIndex", "build_index", "results_text", "words"]
