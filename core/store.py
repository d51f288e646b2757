"""Reading and writing a profile's data. Every method that writes is one transaction.

The GUI, the command line and the importer go through this class; nothing else touches the
tables of profiles, facts and overrides.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from . import PROFILE_FORMAT, PROFILE_FORMAT_PROGRAMS
from .db import Database, inserted_id, transaction


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _loads(raw: Any, want: type | None = None) -> Any:
    """A stored JSON value, or `_UNREADABLE` when a damaged file no longer decodes it (the
    damage is named at start-up by core.recovery.scan_contents; here it is only left out)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError, TypeError, RecursionError):
        return _UNREADABLE
    if want is not None and not isinstance(value, want):
        return _UNREADABLE
    return value


_UNREADABLE = object()


# (id, name, role, tracks JSON, facts JSON array, overrides JSON array): Store.raw_documents
RawDocument = tuple[int, str, str, str, str, str]
# (id, name, role, the roster cache's key of its version ("v" + hex, core.profile_versions.version_key;
# None without one), then, for a profile with a typical-cards override, its stored value, note and
# created_at): Store.roster_read
RosterHead = tuple[Any, ...]
_first = itemgetter(0)


def parse_raw_document(raw: RawDocument) -> dict[str, Any]:
    """The profile document of one `Store.raw_documents` row (what `all_documents` returns)."""
    _pid, name, role, tracks, facts_raw, overrides_raw = raw
    facts = {key: json.loads(data) for key, data in json.loads(facts_raw)}
    overrides = {rid: {"value": json.loads(value), "note": note, "date": created[:10]}
                 for rid, value, note, created in json.loads(overrides_raw)}
    return {"format": PROFILE_FORMAT, "name": name, "role": role, "tracks": json.loads(tracks),
            "facts": facts, "overrides": overrides}


class ProfileNotFound(LookupError):
    pass


class Store:
    def __init__(self, db: Database):
        self.db = db

    # -- profiles -----------------------------------------------------------------------------
    def list_profiles(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT id, name, role, tracks, created_at, updated_at FROM profiles ORDER BY id"
        ).fetchall()
        out = []
        for r in rows:
            tracks = _loads(r[3], list)
            out.append({"id": r[0], "name": r[1], "role": r[2],
                        "tracks": [] if tracks is _UNREADABLE else tracks,
                        "created_at": r[4], "updated_at": r[5]})
        return out

    def profile(self, profile_id: int) -> dict[str, Any]:
        for p in self.list_profiles():
            if p["id"] == profile_id:
                return p
        raise ProfileNotFound(f"no profile with id {profile_id}")

    def create_profile(self, name: str, role: str, tracks: list[str],
                       facts: Mapping[str, Mapping[str, Any]] | None = None) -> int:
        name = name.strip()
        if not name:
            raise ValueError("a profile needs a name")
        now = _now()
        with transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO profiles (name, role, tracks, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                [name, role, json.dumps(list(tracks)), now, now],
            )
            pid = inserted_id(cur)
            for key, data in (facts or {}).items():
                self._put_facts(pid, key, data, now)
        return pid

    def update_profile(self, profile_id: int, *, name: str | None = None, role: str | None = None,
                       tracks: list[str] | None = None) -> None:
        self.profile(profile_id)
        sets: list[str] = []
        args: list[object] = []
        if name is not None:
            if not name.strip():
                raise ValueError("a profile needs a name")
            sets.append("name = ?")
            args.append(name.strip())
        if role is not None:
            sets.append("role = ?")
            args.append(role)
        if tracks is not None:
            sets.append("tracks = ?")
            args.append(json.dumps(list(tracks)))
        if not sets:
            return
        sets.append("updated_at = ?")
        args += [_now(), profile_id]
        with transaction(self.db):
            self.db.execute(f"UPDATE profiles SET {', '.join(sets)} WHERE id = ?", args)

    def delete_profile(self, profile_id: int) -> None:
        """Delete the profile (its facts, overrides, reminders... go with it, ON DELETE CASCADE);
        once committed, the team roster's kept evaluations (`cache/roster.json`: card dates,
        training centers, eCard codes) are cut to the profiles still in the file, so the person's
        cells leave it now, not at the next full read of the team."""
        self.profile(profile_id)
        with transaction(self.db):
            self.db.execute("DELETE FROM profiles WHERE id = ?", [profile_id])
        from .roster_cache import RosterCache, current_keys

        cache = RosterCache.of_store(self)
        try:
            if cache.path is not None and cache.path.exists():
                cache.prune(current_keys(self))
        except (OSError, sqlite3.Error) as e:  # the profile is deleted; the cache file goes
            import logging

            logging.getLogger("certpath.store").warning("the roster cache could not be pruned (%s)", e)
            cache.clear()

    # -- facts --------------------------------------------------------------------------------
    def facts(self, profile_id: int) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT key, CAST(data AS BLOB) FROM facts WHERE profile_id = ? ORDER BY key",
                               [profile_id]).fetchall()
        out = {}
        for k, d in rows:
            v = _loads(d, dict)
            if v is not _UNREADABLE:
                out[k] = v
        return out

    def step_facts(self, profile_id: int, key: str) -> dict[str, Any]:
        row = self.db.execute("SELECT CAST(data AS BLOB) FROM facts WHERE profile_id = ? AND key = ?",
                              [profile_id, key]).fetchone()
        v = _loads(row[0], dict) if row else {}
        return {} if v is _UNREADABLE else v

    def _put_facts(self, profile_id: int, key: str, data: Mapping[str, Any], now: str) -> None:
        clean = {k: v for k, v in data.items() if v is not None and v != ""}
        if clean:
            self.db.execute(
                "INSERT INTO facts (profile_id, key, data, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (profile_id, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                [profile_id, key, json.dumps(clean, ensure_ascii=False, sort_keys=True), now],
            )
        else:
            self.db.execute("DELETE FROM facts WHERE profile_id = ? AND key = ?", [profile_id, key])

    def save_facts(self, profile_id: int, changes: Mapping[str, Mapping[str, Any]]) -> None:
        """Replace the facts of one or more steps (a wizard page, a form) in one transaction."""
        self.profile(profile_id)
        now = _now()
        with transaction(self.db):
            for key, data in changes.items():
                self._put_facts(profile_id, key, data, now)
            self.db.execute("UPDATE profiles SET updated_at = ? WHERE id = ?", [now, profile_id])

    # -- overrides ----------------------------------------------------------------------------
    def overrides(self, profile_id: int) -> dict[str, dict[str, Any]]:
        rows = self.db.execute(
            "SELECT rule_id, CAST(value AS BLOB), note, created_at FROM overrides WHERE profile_id = ? "
            "ORDER BY rule_id", [profile_id]).fetchall()
        out = {}
        for r, v, n, c in rows:
            value = _loads(v)
            if value is not _UNREADABLE:
                out[r] = {"value": value, "note": n, "date": c[:10]}
        return out

    def set_override(self, profile_id: int, rule_id: str, value: Any, note: str = "") -> None:
        """Store the user's own value for a rule; ValidationError when it has not the rule's shape."""
        from .validate import Problem, ValidationError, override_problem

        why = override_problem(rule_id, value)
        if why:
            raise ValidationError([Problem(f"overrides.{rule_id}.value", why)])
        with transaction(self.db):
            self.db.execute(
                "INSERT INTO overrides (profile_id, rule_id, value, note, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (profile_id, rule_id) DO UPDATE SET value = excluded.value, note = excluded.note, "
                "created_at = excluded.created_at",
                [profile_id, rule_id, json.dumps(value), note, _now()])

    def remove_override(self, profile_id: int, rule_id: str) -> None:
        with transaction(self.db):
            self.db.execute("DELETE FROM overrides WHERE profile_id = ? AND rule_id = ?", [profile_id, rule_id])

    # -- the profile document (the app's export format) ---------------------------------------
    def document(self, profile_id: int) -> dict[str, Any]:
        from .programs import ProgramStore

        p = self.profile(profile_id)
        doc = {
            "format": PROFILE_FORMAT,
            "name": p["name"],
            "role": p["role"],
            "tracks": p["tracks"],
            "facts": self.facts(profile_id),
            "overrides": self.overrides(profile_id),
        }
        programs = ProgramStore(self).section(profile_id)
        if programs is not None:
            doc["format"] = PROFILE_FORMAT_PROGRAMS
            doc["programs"] = programs
        return doc

    def all_documents(self, ids: list[int] | None = None) -> list[tuple[int, dict[str, Any]]]:
        """(id, profile document) of every profile (or of those `ids` that exist), read in one pass
        (one query, not 2n+1): for views over the whole data file such as the team roster."""
        return [(raw[0], parse_raw_document(raw)) for raw in self.raw_documents(ids)]

    def raw_documents(self, ids: list[int] | None = None) -> list[RawDocument]:
        """(id, name, role, tracks, facts, overrides) of every profile (or of those `ids`) in one
        query, as stored: `tracks` the JSON list, `facts` and `overrides` each one JSON array of the
        rows' stored text. `parse_raw_document` makes the document; the text alone identifies the
        profile's whole content (the roster cache keys on it without parsing it)."""
        return [raw for _v, raw in self._raw_documents(ids, False)]

    def versioned_raw_documents(self, ids: list[int] | None = None) -> list[tuple[str | None, RawDocument]]:
        """(version, raw document) of every profile (or of those `ids`), each version read in the
        same statement as its document (`hex(version)`, core/profile_versions.py; None for a
        profile without one, or a file without versions)."""
        return self._raw_documents(ids, True)

    def roster_read(self, choose: Callable[[bool, list[RosterHead]], list[int] | None], *, heads: bool = True
                    ) -> tuple[bool, list[RosterHead], list[tuple[str | None, RawDocument]]]:
        """What the team roster reads, in one snapshot of the file (one read transaction): whether
        the profile versions can be trusted (`core.profile_versions.triggers_intact`), a head per
        profile (`RosterHead`: id, name, role, version, and the typical-cards override's stored
        value, note and date when it has one), then the versioned raw documents of the profiles
        `choose(trusted, heads)` names (those the roster cache has no evaluation for); `heads`
        False: none read (`choose` gets []); `choose` saying None: every profile's document."""
        from .profile_versions import triggers_intact

        with self.db.atomic():
            trusted = triggers_intact(self.db.conn)
            read = self._roster_heads(trusted) if heads else []
            ids = choose(trusted, read)
            raws = self._raw_documents(ids, trusted) if ids is None or ids else []
        return trusted, read, raws

    def _roster_heads(self, trusted: bool) -> list[RosterHead]:
        """Every profile's RosterHead, in id order. Read as a few texts for the whole team (each
        column one `group_concat`, the versions one hex text of them all: one step of each
        statement, not a row, a step and four texts per profile, the third of the instructions
        for 500), split here; row by row when the texts do not split into as many as there are
        profiles (a name with a NUL in it, a version not of 16 bytes). Then the few typical-cards
        overrides."""
        from .profile_versions import TABLE
        from .roles import TYPICAL_CARDS_RULE

        got = self._heads_at_once(trusted)
        if got is None:
            key = "nullif('v' || hex(v.version), 'v')" if trusted else "NULL"  # (version_key)
            versions = f" LEFT JOIN {TABLE} v ON v.profile_id = p.id" if trusted else ""
            got = self.db.execute(f"SELECT p.id, p.name, p.role, {key} FROM profiles p{versions} ORDER BY p.id"
                                  ).fetchall()
        overrides = self.db.execute("SELECT profile_id, CAST(value AS TEXT), note, created_at FROM overrides"
                                    " WHERE rule_id = ?", [TYPICAL_CARDS_RULE]).fetchall()
        if overrides:
            at = {h[0]: i for i, h in enumerate(got)}
            for pid, *stored in overrides:
                if pid in at:
                    got[at[pid]] = (*got[at[pid]], *stored)
        return got

    def _heads_at_once(self, trusted: bool) -> list[RosterHead] | None:
        from .profile_versions import TABLE

        (n, ids, names, roles), = self.db.execute(
            "SELECT count(*), group_concat(id), group_concat(name, char(0)), group_concat(role, char(0))"
            " FROM profiles").fetchall()
        if not n:
            return []
        if not (type(ids) is type(names) is type(roles) is str):
            return None
        pids = list(map(int, ids.split(",")))
        names_, roles_ = names.split("\x00"), roles.split("\x00")
        if not len(pids) == len(names_) == len(roles_) == n:
            return None  # (a NUL in a name or a role, a NULL: row by row)
        keys: list[str | None] = [None] * n
        if trusted:
            (m, vids, hexed, whole), = self.db.execute(
                f"SELECT count(*), group_concat(profile_id), hex(group_concat(version, '')), sum(length(version) = 16)"
                f" FROM {TABLE}").fetchall()
            if m:
                if whole != m or type(vids) is not str or type(hexed) is not str or len(hexed) != 32 * m:
                    return None
                versions: list[str | None] = ["v" + hexed[i:i + 32] for i in range(0, 32 * m, 32)]  # (version_key)
                if vids == ids:  # (every profile has its version, in the same order)
                    keys = versions
                else:
                    at = dict(zip(map(int, vids.split(",")), versions, strict=True))
                    keys = list(map(at.get, pids))
        got = list(zip(pids, names_, roles_, keys, strict=True))
        if pids != sorted(pids):
            got.sort(key=_first)  # (an aggregate's order is SQLite's to choose)
        return got

    def _raw_documents(self, ids: list[int] | None, versions: bool) -> list[tuple[str | None, RawDocument]]:
        where, args = "", []
        if ids is not None:
            ids = [int(i) for i in ids]
            if not ids:
                return []
            where = f" WHERE p.id IN ({', '.join('?' * len(ids))})"
            args = ids
        version = ""
        if versions:
            from .profile_versions import TABLE

            has = self.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  [TABLE]).fetchone()[0]
            version = f" (SELECT hex(version) FROM {TABLE} WHERE profile_id = p.id)," if has else ""
        sql = ("SELECT" + version + " p.id, p.name, p.role, p.tracks,"
               " (SELECT json_group_array(json_array(key, CAST(data AS TEXT))) FROM"
               "  (SELECT key, data FROM facts WHERE profile_id = p.id ORDER BY key)),"
               " (SELECT json_group_array(json_array(rule_id, CAST(value AS TEXT), note, created_at)) FROM"
               "  (SELECT rule_id, value, note, created_at FROM overrides WHERE profile_id = p.id ORDER BY rule_id))"
               " FROM profiles p" + where + " ORDER BY p.id")
        try:
            rows = self.db.execute(sql, args).fetchall()
        except sqlite3.OperationalError as e:
            if "json_" not in str(e):
                raise
            return [(None, raw) for raw in self._raw_documents_without_json1(where.replace("p.id", "{col}"), args)]
        if version:
            return [(r[0], tuple(r[1:])) for r in rows]  # type: ignore[misc]
        return [(None, tuple(r)) for r in rows]  # type: ignore[misc]

    def _raw_documents_without_json1(self, where: str, args: list[int]) -> list[RawDocument]:
        """The same rows for an SQLite built without its JSON functions: three queries, the arrays
        written here (their text differs from SQLite's, so the roster cache is rebuilt once)."""
        facts: dict[int, list[list[str]]] = {}
        for pid, key, data in self.db.execute(
                "SELECT profile_id, key, CAST(data AS TEXT) FROM facts" + where.format(col="profile_id")
                + " ORDER BY profile_id, key", args):
            facts.setdefault(pid, []).append([key, data])
        overrides: dict[int, list[list[str]]] = {}
        for pid, rid, value, note, created in self.db.execute(
                "SELECT profile_id, rule_id, CAST(value AS TEXT), note, created_at FROM overrides"
                + where.format(col="profile_id") + " ORDER BY profile_id, rule_id", args):
            overrides.setdefault(pid, []).append([rid, value, note, created])
        return [(pid, name, role, tracks, json.dumps(facts.get(pid, []), ensure_ascii=False),
                 json.dumps(overrides.get(pid, []), ensure_ascii=False))
                for pid, name, role, tracks in self.db.execute(
                    "SELECT id, name, role, tracks FROM profiles" + where.format(col="id") + " ORDER BY id", args)]

    def import_document(self, doc: Mapping[str, Any]) -> int:
        """Create a profile from an already-validated document, in one transaction."""
        now = _now()
        with transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO profiles (name, role, tracks, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                [doc["name"].strip(), doc.get("role", "other"), json.dumps(list(doc.get("tracks", []))), now, now])
            pid = inserted_id(cur)
            for key, data in (doc.get("facts") or {}).items():
                self._put_facts(pid, key, data, now)
            for rule_id, ov in (doc.get("overrides") or {}).items():
                ov = ov if isinstance(ov, Mapping) else {"value": ov}
                self.db.execute(
                    "INSERT INTO overrides (profile_id, rule_id, value, note, created_at) VALUES (?, ?, ?, ?, ?)",
                    [pid, rule_id, json.dumps(ov.get("value")), str(ov.get("note", "")), now])
            if doc.get("programs"):
                from .programs import ProgramStore

                ProgramStore(self).write_section(pid, doc["programs"])
            if doc.get("scenarios"):
                from .scenarios import insert_imported

                insert_imported(self.db, pid, doc["scenarios"], now)
        return pid

    # -- settings -----------------------------------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT CAST(value AS BLOB) FROM settings WHERE key = ?", [key]).fetchone()
        v = _loads(row[0]) if row else default
        return default if v is _UNREADABLE else v

    def set_setting(self, key: str, value: Any) -> None:
        with transaction(self.db):
            self.db.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, json.dumps(value)])


def delete_profile(store: Store, paths: Any, profile_id: int, *, now: dt.datetime) -> int:
    """Delete a profile with its documents; returns how many vault files went.

    The delete of the profile (its documents, reminders, costs... go with it, ON DELETE
    CASCADE) is one transaction. Once it has committed, the vault files no other profile's
    document uses are removed (grace 0: this runs under the data folder's lock, so nothing is
    between the copy and the commit of an attach), and so are the viewer copies of its
    documents. A file that cannot be removed now stays until the next clean-up: never raises
    for it. The GUI (Profiles ▸ Delete) and `python -m core profiles delete` both call this.
    """
    import logging
    import shutil
    import sqlite3

    from .vault import Vault

    vault = Vault(store.db, paths)
    docs = vault.list(profile_id) if store.profile(profile_id) else []
    store.delete_profile(profile_id)
    removed = 0
    try:
        removed = vault.remove_orphans(now, grace=dt.timedelta(0))
        for d in docs:
            shutil.rmtree(vault.viewer_dir / f"{d.id}-{d.sha256[:12]}", ignore_errors=True)
    except (OSError, sqlite3.Error):  # the profile is deleted; leftover bytes go the next time
        logging.getLogger("certpath.store").exception("removing a deleted profile's documents")
    return removed
