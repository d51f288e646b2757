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
  for byte, what was written with that line (damage, a cut, an edit) is not used at all, and one
  that is needs no check field by field;
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

CACHE_FORMAT = "certpath-roster-cache/2"
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


def encode_entries(entries: Mapping[str, Evaluated]) -> dict[str, Any]:
    """The file's body: each distinct date (`dates`, a cell gives its index + 1, 0 for none) and
    each distinct list of rule ids (`rule_lists`) written once; an entry is [day, error, cards,
    {card: [expires, card status, renewal status, renewal deadline, card rules, renewal rules,
    tracked, issued, body, training center, eCard code, course date, the two steps' rules merged]}]."""
    lists: dict[tuple[str, ...], int] = {}
    days: dict[dt.date | None, int] = {None: 0}

    def ref(rules: tuple[str, ...]) -> int:
        return lists.setdefault(tuple(rules), len(lists))

    def day(d: dt.date | None) -> int:
        return days.setdefault(d, len(days))

    out = {}
    for k, ev in entries.items():
        out[k] = [day(ev.on), ev.error, list(ev.cards),
                  {c: [day(p.expires), p.card_status, p.renewal_status, day(p.renewal_deadline),
                       ref(p.card_rules), ref(p.renewal_rules), p.tracked, day(p.issued), p.body,
                       p.training_center, p.ecard_code, day(p.course_date), ref(p.rules)]
                   for c, p in ev.cells.items()}]
    return {"dates": [d.isoformat() for d in days if d is not None], "rule_lists": [list(t) for t in lists],
            "entries": out}


def decode_entries(body: Mapping[str, Any]) -> dict[str, Evaluated]:
    """The entries of a body written by `encode_entries` (whose bytes `read_file` has checked
    against the header's digest: what this CertPath wrote, so no field is checked one by one)."""
    from .roster import ROSTER_CARDS, CellParts, Evaluated

    known = set(ROSTER_CARDS)
    lists = [tuple(x) for x in body["rule_lists"]]
    days: list[dt.date | None] = [None, *map(dt.date.fromisoformat, body["dates"])]
    out = {}
    new = tuple.__new__  # (every field given: the named tuple's own __new__ and _make are Python calls)
    make = Evaluated
    for k, (on, error, cards, cells_raw) in body["entries"].items():
        cells = {}
        for c, (exp, cs, rs, rd, cr, rr, tracked, issued, b, tc, ecard, course, m) in cells_raw.items():
            cells[c] = new(CellParts, (days[exp], cs, rs, days[rd], lists[cr], lists[rr], tracked, days[issued], b,
                                       tc, ecard, days[course], lists[m]))
        if known.issuperset(cards):
            out[k] = make(days[on], tuple(cards), cells, error)
    return out


def file_bytes(header: Mapping[str, Any], body: Mapping[str, Any]) -> bytes:
    """The cache file: a header line (format, rules, build, the body's digest), then the body."""
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
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
        body = json.loads(data)
    except ValueError:
        return None
    return (header, body) if isinstance(body, dict) else None


class RosterCache:
    """The kept evaluations of one data folder (`path` None: keeps them in memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()  # the GUI builds in a worker thread and completes on the UI thread
        self._header: tuple[str, str] | None = None
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[str, Evaluated] = {}
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

    def entries(self, rules: RuleSet) -> dict[str, Evaluated]:
        """doc_key -> the kept evaluation, for this rule set and this build (a copy)."""
        header = (rules_key(rules), code_key())
        with self._lock:
            stamp = self._file_stamp()
            if self._header != header or (stamp is not None and stamp != self._stamp):
                self._entries = self._read(header) if stamp is not None else {}
                self._header, self._stamp = header, stamp
            return dict(self._entries)

    def _read(self, header: tuple[str, str]) -> dict[str, Evaluated]:
        assert self.path is not None
        try:
            got = read_file(self.path)
        except OSError as e:
            log.info("the roster cache %s is not used (%s)", self.path, e)
            return {}
        if got is None or (got[0].get("rules"), got[0].get("code")) != header:
            return {}  # another rule set, another build, another format, damage: nothing in it applies
        try:
            return decode_entries(got[1])
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:  # (not written by this build)
            log.info("the roster cache %s is not used (%s)", self.path, e)
            return {}

    def _write(self, header: Mapping[str, Any], entries: Mapping[str, Evaluated]) -> None:
        from .paths import write_private_atomic

        assert self.path is not None
        write_private_atomic(self.path, file_bytes(header, encode_entries(entries)))
        self.writes += 1

    def update(self, rules: RuleSet, fresh: Mapping[str, Evaluated], *, replace: bool = False) -> None:
        """Keep `fresh` (`replace`: exactly those, the profiles of a full build; else added to what
        is kept, as the file holds it now: an entry another writer removed, a deleted person's,
        is not written back) and write the file when anything changed."""
        header = (rules_key(rules), code_key())
        with self._lock:
            stamp = self._file_stamp()
            if self._header != header or stamp != self._stamp:
                self._entries = self._read(header) if stamp is not None else {}
                self._header, self._stamp = header, stamp
            if replace:
                new = dict(fresh)
            else:
                new = {**self._entries, **fresh}
            old = self._entries
            if len(new) == len(old) and all(old.get(k) is v for k, v in new.items()):
                return  # (the usual open: every entry the one read)
            if new == old:
                return
            self._entries = new
            if self.path is None:
                return
            try:
                from .paths import ensure_private_dir

                ensure_private_dir(self.path.parent)
                self._write({"format": CACHE_FORMAT, "rules": header[0], "code": header[1]}, new)
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
                before = len(self._entries)
                self._entries = {k: v for k, v in self._entries.items() if k in keep}
                return before - len(self._entries)
        with self._lock:
            self._header, self._stamp, self._entries = None, None, {}  # read again at the next use
            try:
                got = read_file(self.path)
            except FileNotFoundError:
                return 0
            except OSError:
                got = None
            try:
                entries = decode_entries(got[1]) if got is not None else None
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                entries = None
            if got is None or entries is None or len(entries) != len(got[1]["entries"]):
                self._remove()
                return 0
            gone = [k for k in entries if k not in keep]
            if not gone:
                return 0
            try:
                self._write({k: v for k, v in got[0].items() if k != "digest"},
                            {k: v for k, v in entries.items() if k in keep})
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
            self._entries, self._header, self._stamp = {}, None, None
            if self.path is not None:
                try:
                    os.remove(self.path)
                except OSError:
                    pass
