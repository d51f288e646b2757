"""The team roster's kept evaluations, so a roster of 500 opens without evaluating 500 profiles.

A roster cell needs the engine (`core.roster.evaluate_cards`: ~1.3 ms a profile). What the engine
said is kept in `<data folder>/cache/roster.json`, a file CertPath can always rebuild (deleting it
costs one evaluation per profile at the next open), outside the database so that an older CertPath
never reads it and a damaged one costs nothing but time.

Never stale, by construction:
- an entry is keyed by the profile's version (core/profile_versions.py: 16 random bytes the data
  file's own triggers replace at every write of the profile's row, facts or overrides, by any
  module, the GUI, the command line, an import, an SQLite shell), read in the same query as the
  profile's name and role, so an open reads neither the documents nor their text. A file whose
  triggers are not exactly CertPath's, or a profile without a version, is keyed by a hash of the
  profile's whole stored content instead (`raw_key`: name, role, tracks, every fact, every
  override with its value), as before versions. Either way a write changes the key, so the old
  entry is simply not found (nothing has to remember to invalidate it);
- the file is valid only for one rule set (a hash of every rule record: another rule pack, an
  update or an edited rule file makes the whole file unused) and one CertPath build (its version
  and a hash of the engine's and the roster's code), so a new engine never reads an old result;
- its first line (format, rules, build) carries a digest of the rest: a body that is not, byte
  for byte, what was written with that line (damage, a cut, an edit) is not used at all; one that
  is has every number checked against its table once, when read (`KeptEntries`), so nothing
  built from it can fail;
- format 3 (`certpath-roster-cache/3`, session 8; a file of format 2 or older is not read, and
  is rewritten at the next build): the body is a JSON line keeping each distinct date, text,
  rule-id list and cell kind (card, statuses, body, tracked, rule ids) once, then the entries and
  their cells as two arrays of little-endian numbers referring to them (`encode_entries`): an
  open of 500 parses a few tables where format 2 had ~20,000 JSON values, and builds its rows
  from the numbers without an `Evaluated` per entry (one is decoded only when asked for: a write,
  an export's completion). Format 2's separate rule ids of the card and renewal steps, which
  nothing read, are gone;
- `today`: each entry records the day it was evaluated. The expiry (and its rule records) depend
  on the data and the rules only, so on another day the roster reuses them and reads today's
  state from them (a card is expired from the day after its last valid day); the statuses of that
  other day are left out of the row (`RosterRow.pending`) until `complete_statuses` evaluates
  them for the exports that carry them. An entry with an error is re-evaluated on another day.

Only evaluations are kept (dates, statuses, the card's facts, rule ids, keyed by version or hash):
no name. The file keeps the entries of the profiles of the last full build only, and deleting a
profile (`Store.delete_profile`, which the GUI and the command line both reach) cuts it at once to
the profiles still in the data file (`prune` with `current_keys`), whatever rule set or build the
file was written for; restoring a backup (`core.backup`, after the swap) cuts it the same way to
the restored file's. A file that cannot be read or written is ignored (logged): the roster is then
evaluated as without a cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import struct
import sys
import threading
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .roster import Evaluated
    from .rules import RuleSet

log = logging.getLogger("certpath.roster")

CACHE_FORMAT = "certpath-roster-cache/3"
FILE_NAME = "roster.json"
# the modules whose code decides a roster cell: a change in any of them (a new build) retires the file
_CODE_MODULES = ("core.roster", "core.roster_cache", "core.dates", "core.rules", "core.validate",
                 "core.store", "core.profile_versions")  # (the last two: what the keys are read with)
_CODE_PACKAGES = ("core.engine",)

_rules_keys: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_code_key: str | None = None


def raw_key(raw: Sequence[Any]) -> str:
    """A hash of a profile's whole stored content (a `Store.raw_documents` row without its id:
    name, role, tracks, every fact's and every override's stored text; each field's UTF-8 bytes
    after their length, so no two contents share it; a third of the time a repr of the tuple took)."""
    h = hashlib.blake2b(digest_size=16)
    for text in raw[1:]:
        b = text.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def current_keys(store) -> set[str]:
    """Every key the profiles in `store` can have in the file now: each one's version (when the
    file's versions can be trusted, core/profile_versions.py) and its content's hash."""
    from .profile_versions import version_key

    trusted, _heads, raws = store.roster_read(lambda _t, _h: None, heads=False)
    keys = {raw_key(raw) for _v, raw in raws}
    if trusted:
        keys |= {k for v, _raw in raws if (k := version_key(v)) is not None}
    return keys


def rules_key(rules: RuleSet) -> str:
    """A hash of every record of `rules` (computed once per rule set)."""
    key = _rules_keys.get(rules)
    if key is None:
        raw = json.dumps([r.to_json() for r in rules.all()], sort_keys=True, default=str)
        key = hashlib.blake2b(raw.encode("utf-8"), digest_size=16).hexdigest()
        _rules_keys[rules] = key
    return key


def code_key() -> str:
    """The CertPath version and a hash of the code that computes a cell (source files, or the
    frozen bundle's compiled code when there are no source files)."""
    global _code_key
    if _code_key is None:
        from . import __version__
        from .engine import known_tracks

        known_tracks()  # every track module imported
        import importlib

        for name in _CODE_MODULES:  # (imported here: the key must not depend on what was imported first)
            importlib.import_module(name)
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{CACHE_FORMAT} {__version__}".encode())
        names = sorted(n for n in list(sys.modules)
                       if n in _CODE_MODULES or any(n == p or n.startswith(p + ".") for p in _CODE_PACKAGES))
        for name in names:
            mod = sys.modules.get(name)
            h.update(name.encode())
            h.update(_module_bytes(mod))
        _code_key = h.hexdigest()
    return _code_key


def _module_bytes(mod: Any) -> bytes:
    path = getattr(mod, "__file__", None)
    if path:
        try:
            return Path(path).read_bytes()
        except OSError:
            pass
    loader = getattr(getattr(mod, "__spec__", None), "loader", None)
    try:
        code = loader.get_code(mod.__name__) if loader is not None else None  # a PyInstaller archive
    except Exception:  # noqa: BLE001 - no code to hash: the version alone keys the file
        code = None
    if code is not None:
        import marshal

        return marshal.dumps(code)
    return b""


# the body's two arrays of numbers (little-endian, `width` bytes each, after the body's JSON line):
# per entry [day evaluated, error, first cell, cells, the cells' rule ids merged], then per cell
# [kind, expires, issued, renewal deadline, course date, training center, eCard code]; a date is
# its index + 1 in `dates` (0: none), a text its index in `strings`
_ENTRY = 5
_CELL = 7
_CODES = {2: "H", 4: "I"}  # (struct's standard sizes)


def encode_entries(entries: Mapping[str, Evaluated]) -> dict[str, Any]:
    """The file's body. Each distinct date (`dates`), text (`strings`: error, training center,
    eCard code), list of rule ids (`lists`) and cell kind (`kinds`: [card, card status, renewal
    status, body, tracked, its rule ids]) is written once; the entries (`keys`, in order) and
    their cells are numbers referring to them, in two arrays (`data`, bytes: see `_ENTRY` and
    `_CELL`): what an open reads without a JSON value per field."""
    days: dict[dt.date | None, int] = {None: 0}
    texts: dict[str, int] = {"": 0}
    lists: dict[tuple[str, ...], int] = {(): 0}
    kinds: dict[tuple[Any, ...], int] = {}

    def day(d: dt.date | None) -> int:
        return days.setdefault(d, len(days))

    def text(t: str) -> int:
        return texts.setdefault(t, len(texts))

    def ref(rules: Sequence[str]) -> int:
        return lists.setdefault(tuple(rules), len(lists))

    keys: list[str] = []
    ent: list[int] = []
    cells: list[int] = []
    for k, ev in entries.items():
        keys.append(k)
        first = len(cells) // _CELL
        merged: dict[str, None] = {}
        for c in ev.cards:
            if ev.error:  # (no cells: the cards alone)
                cells += [kinds.setdefault((c, None, None, None, False, 0), len(kinds)), 0, 0, 0, 0, 0, 0]
                continue
            p = ev.cells[c]
            kind = (c, p.card_status, p.renewal_status, p.body, bool(p.tracked), ref(p.rules))
            cells += [kinds.setdefault(kind, len(kinds)), day(p.expires), day(p.issued), day(p.renewal_deadline),
                      day(p.course_date), text(p.training_center), text(p.ecard_code)]
            merged.update(dict.fromkeys(p.rules))
        ent += [day(ev.on), text(ev.error), first, len(ev.cards), ref(tuple(merged))]
    width = 2 if max(len(days), len(texts), len(lists), len(kinds), len(cells) // _CELL + 1) < 65536 else 4
    code = _CODES[width]
    data = struct.pack(f"<{len(ent)}{code}", *ent) + struct.pack(f"<{len(cells)}{code}", *cells)
    return {"dates": [d.isoformat() for d in days if d is not None], "strings": list(texts),
            "lists": [list(t) for t in lists], "kinds": [list(k) for k in kinds], "keys": keys,
            "width": width, "data": data}


_PAGE = 256
_BYTES_BELOW = [bytes(range(n)) for n in range(_PAGE + 1)]


def _pages(table: list, filler: Any) -> list:
    """`table` filled up with `filler` to a whole number of pages (at least one)."""
    return table + [filler] * (-len(table) % _PAGE or (0 if table else _PAGE))


def _below(data: bytes, records: Sequence[tuple[int, ...]], fields: int, width: int,
           limits: Sequence[tuple[int, int]]) -> bool:
    """Whether each (column, limit): every number of that column of `records` (`data` unpacked:
    `fields` numbers of `width` bytes a record) is below `limit` (a whole number of pages). Two
    bytes a number: the column's high bytes, taken from `data` at once, are each below limit / 256
    (no number looked at in Python)."""
    for column, limit in limits:
        if width == 2:
            pages = limit // _PAGE
            if pages < _PAGE and data[column * 2 + 1::fields * 2].translate(None, _BYTES_BELOW[pages]):
                return False
        elif max((r[column] for r in records), default=-1) >= limit:
            return False
    return True


class KeptEntries(Mapping[str, "Evaluated"]):
    """The entries of one body written by `encode_entries`, as read: the tables, `index` (key ->
    its entry's numbers) and `cells` (each cell's numbers). An entry becomes an `Evaluated` only
    when asked for (`kept[key]`: a write, an export's completion); an open builds its rows from
    the numbers (core.roster.roster_from_read). Every number is checked against its table when
    the body is read (ValueError; the tables are filled up to whole pages, see `_below`), so no
    use of an entry can fail on a file this build did not write."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        from .roster import ROSTER_CARDS

        strings, lists = list(body["strings"]), [tuple(x) for x in body["lists"]]
        if not all(type(t) is str for t in strings) or not all(type(r) is str for x in lists for r in x):
            raise ValueError("a text that is not one")
        # each table filled up to a whole number of pages of 256 with a value of its type, so
        # that a look at the numbers' high bytes checks them (below), not each number
        self.dates: list[dt.date | None] = _pages([None, *map(dt.date.fromisoformat, body["dates"])], None)
        self.strings: list[str] = _pages(strings, "")
        self.lists: list[tuple[str, ...]] = _pages(lists, ())
        kinds = []
        for card, cs, rs, b, tracked, rules in body["kinds"]:
            if card not in ROSTER_CARDS or type(tracked) is not bool or \
                    not all(v is None or type(v) is str for v in (cs, rs, b)):
                raise ValueError(f"a cell kind not of this build: {card!r}")
            kinds.append((card, cs, rs, b, tracked, self.lists[rules]))
        self.kinds: list[tuple[Any, ...]] = _pages(kinds, (ROSTER_CARDS[0], None, None, None, False, ()))
        keys = body["keys"]
        width, data = body["width"], body["data"]
        code = _CODES[width]
        split = _ENTRY * width * len(keys)
        if type(data) is not bytes or len(data) < split or (len(data) - split) % (_CELL * width):
            raise ValueError("a body whose numbers do not fit")
        ents = list(struct.iter_unpack(f"<{_ENTRY}{code}", data[:split]))
        cells = list(struct.iter_unpack(f"<{_CELL}{code}", data[split:]))
        days, texts = len(self.dates), len(self.strings)
        if not _below(data[:split], ents, _ENTRY, width, ((0, days), (1, texts), (4, len(self.lists)))) or \
                not _below(data[split:], cells, _CELL, width, ((0, len(self.kinds)), (1, days), (2, days), (3, days),
                                                               (4, days), (5, texts), (6, texts))):
            raise ValueError("numbers beyond their tables")
        # (an entry's first cell and count need no check: a slice past the cells is only shorter)
        self.index: dict[str, tuple[int, ...]] = dict(zip(keys, ents, strict=True))
        self.cells: list[tuple[int, ...]] = cells

    @classmethod
    def of(cls, entries: Mapping[str, Evaluated]) -> KeptEntries:
        return cls(encode_entries(entries))

    def day_index(self, today: dt.date) -> int:
        """`today`'s number in this body's dates (-1: no entry is of that day)."""
        try:
            return self.dates.index(today, 1)
        except ValueError:
            return -1

    def usable(self, key: str, today: dt.date) -> bool:
        """Whether `key` has an entry a roster of `today` uses (an error only on the day it was met)."""
        rec = self.index.get(key)
        return rec is not None and (not rec[1] or self.dates[rec[0]] == today)

    def __getitem__(self, key: str) -> Evaluated:
        from .roster import CellParts, Evaluated

        on, error, first, n, _merged = self.index[key]
        dates, strings, kinds = self.dates, self.strings, self.kinds
        recs = self.cells[first:first + n]
        cards = tuple(kinds[r[0]][0] for r in recs)
        cells = {}
        if not error:
            new = tuple.__new__
            for kind, exp, issued, deadline, course, center, ecard in recs:
                c, cs, rs, b, tracked, rules = kinds[kind]
                cells[c] = new(CellParts, (dates[exp], cs, rs, dates[deadline], tracked, dates[issued], b,
                                           strings[center], strings[ecard], dates[course], rules))
        return Evaluated(dates[on], cards, cells, strings[error])  # type: ignore[arg-type]

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def __iter__(self):
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


_EMPTY_BODY = encode_entries({})


def file_bytes(header: Mapping[str, Any], body: Mapping[str, Any]) -> bytes:
    """The cache file: a header line (format, rules, build, the body's digest), then the body: a
    JSON line (its tables) and its `data` (the numbers)."""
    data = json.dumps({k: v for k, v in body.items() if k != "data"}, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8") + b"\n" + body["data"]
    head = {**header, "digest": hashlib.blake2b(data, digest_size=16).hexdigest()}
    return json.dumps(head, separators=(",", ":")).encode("utf-8") + b"\n" + data


def read_file(path: Path) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(header, body) of a cache file, or None when it is not one or its body is not, byte for
    byte, what was written with its header (damaged, cut short, edited). OSError: unreadable."""
    raw = path.read_bytes()
    head_bytes, sep, data = raw.partition(b"\n")
    try:
        header = json.loads(head_bytes)
        if not sep or not isinstance(header, dict) or header.get("format") != CACHE_FORMAT or \
                header.get("digest") != hashlib.blake2b(data, digest_size=16).hexdigest():
            return None
        tables, sep, numbers = data.partition(b"\n")
        body = json.loads(tables)
    except ValueError:
        return None
    return (header, {**body, "data": numbers}) if sep and isinstance(body, dict) else None


class RosterCache:
    """The kept evaluations of one data folder (`path` None: keeps them in memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()  # the GUI builds in a worker thread and completes on the UI thread
        self._header: tuple[str, str] | None = None
        self._stamp: tuple[int, int] | None = None
        self._entries: KeptEntries = KeptEntries(_EMPTY_BODY)
        self.writes = 0  # files written (tests, benchmarks)

    @classmethod
    def of_store(cls, store) -> RosterCache:
        db_path = getattr(getattr(store, "db", None), "path", None)
        return cls(Path(db_path).parent / "cache" / FILE_NAME if db_path is not None else None)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat() if self.path is not None else None
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size) if st is not None else None

    def entries(self, rules: RuleSet) -> KeptEntries:
        """doc_key -> the kept evaluation, for this rule set and this build (never changed: a
        later update makes a new one)."""
        header = (rules_key(rules), code_key())
        with self._lock:
            stamp = self._file_stamp()
            if self._header != header or (stamp is not None and stamp != self._stamp):
                self._entries = self._read(header) if stamp is not None else KeptEntries(_EMPTY_BODY)
                self._header, self._stamp = header, stamp
            return self._entries

    def _read(self, header: tuple[str, str]) -> KeptEntries:
        assert self.path is not None
        empty = KeptEntries(_EMPTY_BODY)
        try:
            got = read_file(self.path)
        except OSError as e:
            log.info("the roster cache %s is not used (%s)", self.path, e)
            return empty
        if got is None or (got[0].get("rules"), got[0].get("code")) != header:
            return empty  # another rule set, another build, another format, damage: nothing in it applies
        try:
            return KeptEntries(got[1])
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:  # (not written by this build)
            log.info("the roster cache %s is not used (%s)", self.path, e)
            return empty

    def _write(self, header: Mapping[str, Any], body: Mapping[str, Any]) -> None:
        from .paths import write_private_atomic

        assert self.path is not None
        write_private_atomic(self.path, file_bytes(header, body))
        self.writes += 1

    def update(self, rules: RuleSet, fresh: Mapping[str, Evaluated], *, replace: bool = False,
               reused: Sequence[str] = (), source: KeptEntries | None = None) -> None:
        """Keep `fresh` and write the file when anything changed. `replace`: exactly `fresh` and
        the entries `reused` names of `source` (the `entries` a full build read: the profiles of
        that build); else `fresh` added to what is kept, as the file holds it now (an entry
        another writer removed, a deleted person's, is not written back)."""
        header = (rules_key(rules), code_key())
        with self._lock:
            stamp = self._file_stamp()
            if self._header != header or stamp != self._stamp:
                self._entries = self._read(header) if stamp is not None else KeptEntries(_EMPTY_BODY)
                self._header, self._stamp = header, stamp
            old = self._entries
            if replace:
                keep = dict.fromkeys(reused)
                if not fresh and source is old and len(keep) == len(old):
                    return  # (the usual open: every entry the one read, and no other)
                src = source if source is not None else old
                new: dict[str, Evaluated] = {k: src[k] for k in keep if k not in fresh}
                new.update(fresh)
            else:
                if not fresh:
                    return
                new = {k: old[k] for k in old if k not in fresh}
                new.update(fresh)
            body = encode_entries(new)
            self._entries = KeptEntries(body)
            if self.path is None:
                return
            try:
                from .paths import ensure_private_dir

                ensure_private_dir(self.path.parent)
                self._write({"format": CACHE_FORMAT, "rules": header[0], "code": header[1]}, body)
                self._stamp = self._file_stamp()
            except OSError as e:  # a read-only or full data folder: the roster works without it
                log.info("the roster cache %s could not be written (%s)", self.path, e)

    def prune(self, keep: set[str] | frozenset[str]) -> int:
        """Remove from the file every entry whose key is not in `keep` (the content keys of the
        profiles still in the data file), whatever rule set or build it was written for; returns
        how many went. A file that cannot be read as a cache, or rewritten, is removed (it holds
        nothing that cannot be rebuilt)."""
        if self.path is None:
            with self._lock:
                before = self._entries
                self._entries = KeptEntries.of({k: before[k] for k in before if k in keep})
                return len(before) - len(self._entries)
        with self._lock:
            self._header, self._stamp = None, None  # read again at the next use
            self._entries = KeptEntries(_EMPTY_BODY)
            try:
                got = read_file(self.path)
            except FileNotFoundError:
                return 0
            except OSError:
                got = None
            try:
                entries = KeptEntries(got[1]) if got is not None else None
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                entries = None
            if got is None or entries is None:
                self._remove()
                return 0
            gone = [k for k in entries if k not in keep]
            if not gone:
                return 0
            try:
                self._write({k: v for k, v in got[0].items() if k != "digest"},
                            encode_entries({k: entries[k] for k in entries if k in keep}))
            except OSError as e:
                log.info("the roster cache %s could not be rewritten (%s): removed", self.path, e)
                self._remove()
            return len(gone)

    def _remove(self) -> None:
        try:
            os.remove(self.path)  # type: ignore[arg-type]
        except FileNotFoundError:
            pass
        except OSError as e:
            log.warning("the roster cache %s could not be removed (%s)", self.path, e)

    def clear(self) -> None:
        with self._lock:
            self._entries, self._header, self._stamp = KeptEntries(_EMPTY_BODY), None, None
            if self.path is not None:
                try:
                    os.remove(self.path)
                except OSError:
                    pass
