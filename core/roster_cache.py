"""The team roster's kept evaluations, so a roster of 500 opens without evaluating 500 profiles.

A roster cell needs the engine (`core.roster.evaluate_cards`: ~2 ms a profile). What the engine
said is kept in `<data folder>/cache/roster.json`, a file CertPath can always rebuild (deleting it
costs one evaluation per profile at the next open), outside the database so no migration is needed
and an older CertPath neither refuses the data file nor reads the cache.

Never stale, by construction:
- an entry is keyed by a hash of the whole profile document as the roster reads it (name, role,
  tracks, every fact, every override with its value): any write to a profile, by any module,
  the GUI, the command line, an import, a restore, changes the key, so the old entry is simply
  not found (nothing has to remember to invalidate it);
- the file is valid only for one rule set (a hash of every rule record: another rule pack, an
  update or an edited rule file makes the whole file unused) and one CertPath build (its version
  and a hash of the engine's and the roster's code), so a new engine never reads an old result;
- `today`: each entry records the day it was evaluated. The expiry (and its rule records) depend
  on the data and the rules only, so on another day the roster reuses them and reads today's
  state from them (a card is expired from the day after its last valid day); the statuses of that
  other day are left out of the row (`RosterRow.pending`) until `complete_statuses` evaluates
  them for the exports that carry them. An entry with an error is re-evaluated on another day.

Only evaluations are kept (dates, statuses, the card's facts, rule ids, keyed by hash): no name.
The file keeps the entries of the profiles of the last full build only, and deleting a profile
(`Store.delete_profile`, which the GUI and the command line both reach) cuts it at once to the
profiles still in the data file (`prune`), whatever rule set or build the file was written for;
restoring a backup (`core.backup`, after the swap) cuts it the same way to the restored file's.
A file that cannot be read or written is ignored (logged): the roster is then evaluated as
without a cache.
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

CACHE_FORMAT = "certpath-roster-cache/1"
FILE_NAME = "roster.json"
# the modules whose code decides a roster cell: a change in any of them (a new build) retires the file
_CODE_MODULES = ("core.roster", "core.roster_cache", "core.dates", "core.rules", "core.validate")
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


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def encode_entries(entries: Mapping[str, Evaluated]) -> dict[str, Any]:
    """The file's body: each distinct list of rule ids written once (`rule_lists`), cells refer to it."""
    lists: dict[tuple[str, ...], int] = {}

    def ref(rules: tuple[str, ...]) -> int:
        return lists.setdefault(tuple(rules), len(lists))

    out = {}
    for k, ev in entries.items():
        out[k] = [ev.on.isoformat(), ev.error, list(ev.cards),
                  {c: [_iso(p.expires), p.card_status, p.renewal_status, _iso(p.renewal_deadline),
                       ref(p.card_rules), ref(p.renewal_rules), p.tracked, _iso(p.issued), p.body,
                       p.training_center, p.ecard_code, _iso(p.course_date)] for c, p in ev.cells.items()}]
    return {"rule_lists": [list(t) for t in lists], "entries": out}


def decode_entries(body: Mapping[str, Any]) -> dict[str, Evaluated]:
    """The entries of a file body written by `encode_entries`; a damaged entry is left out."""
    from .roster import ROSTER_CARDS, CellParts, Evaluated
    from .roster import merged_rules as merge

    known = set(ROSTER_CARDS)
    lists_raw = body.get("rule_lists")
    entries = body.get("entries")
    if not isinstance(lists_raw, list) or not isinstance(entries, dict):
        return {}
    lists = [tuple(x) for x in lists_raw if isinstance(x, list) and all(isinstance(i, str) for i in x)]
    if len(lists) != len(lists_raw):
        return {}
    merged: dict[tuple[int, int], tuple[str, ...]] = {}
    days: dict[str, dt.date] = {}  # a team's cards share few dates: each parsed once

    def day(text: Any) -> dt.date | None:
        if not text:
            return None
        d = days.get(text)
        if d is None:
            d = days[text] = dt.date.fromisoformat(text)
        return d

    out = {}
    new = CellParts._make
    for k, raw in entries.items():
        try:
            on, error, cards, cells_raw = raw
            cards = tuple(cards)
            cells = {}
            for c, (exp, cs, rs, rd, cr, rr, tracked, issued, b, tc, ecard, course) in cells_raw.items():
                m = merged.get((cr, rr))
                if m is None:
                    m = merged[(cr, rr)] = merge(lists[cr], lists[rr])
                cells[c] = new((day(exp), cs if type(cs) is str else None, rs if type(rs) is str else None,
                                day(rd), lists[cr], lists[rr], tracked is True, day(issued),
                                b if type(b) is str else None, tc if type(tc) is str else "",
                                ecard if type(ecard) is str else "", day(course), m))
            if not known.issuperset(cards) or (not error and set(cells) != set(cards)):
                continue
            when = day(on)
            if when is None:
                continue
            out[str(k)] = Evaluated(when, cards, cells, str(error or ""))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            continue
    return out


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
            doc = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as e:
            log.info("the roster cache %s is not used (%s)", self.path, e)
            return {}
        if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT or \
                (doc.get("rules"), doc.get("code")) != header or not isinstance(doc.get("entries"), dict):
            return {}  # another rule set, another build or another format: nothing in it applies
        return decode_entries(doc)

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
            if new == self._entries:
                return
            self._entries = new
            if self.path is None:
                return
            body = {"format": CACHE_FORMAT, "rules": header[0], "code": header[1], **encode_entries(new)}
            try:
                from .paths import ensure_private_dir, write_private_atomic

                ensure_private_dir(self.path.parent)
                write_private_atomic(self.path, json.dumps(body, separators=(",", ":")).encode("utf-8"))
                self._stamp = self._file_stamp()
                self.writes += 1
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
                doc = json.loads(self.path.read_bytes())
            except FileNotFoundError:
                return 0
            except (OSError, ValueError):
                doc = None
            if not isinstance(doc, dict) or not isinstance(doc.get("entries"), dict):
                self._remove()
                return 0
            entries = doc["entries"]
            gone = [k for k in entries if k not in keep]
            if not gone:
                return 0
            kept = decode_entries({**doc, "entries": {k: v for k, v in entries.items() if k in keep}})
            body = {"format": doc.get("format"), "rules": doc.get("rules"), "code": doc.get("code"),
                    **encode_entries(kept)}
            try:
                from .paths import write_private_atomic

                write_private_atomic(self.path, json.dumps(body, separators=(",", ":")).encode("utf-8"))
                self.writes += 1
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
