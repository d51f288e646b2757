"""Reading and writing a profile's data. Every method that writes is one transaction.

The GUI, the command line and the importer go through this class; nothing else touches the
tables of profiles, facts and overrides.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from . import PROFILE_FORMAT
from .db import Database, transaction


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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
        return [
            {"id": r[0], "name": r[1], "role": r[2], "tracks": json.loads(r[3]),
             "created_at": r[4], "updated_at": r[5]}
            for r in rows
        ]

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
            pid = int(cur.lastrowid)
            for key, data in (facts or {}).items():
                self._put_facts(pid, key, data, now)
        return pid

    def update_profile(self, profile_id: int, *, name: str | None = None, role: str | None = None,
                       tracks: list[str] | None = None) -> None:
        self.profile(profile_id)
        sets, args = [], []
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
        self.profile(profile_id)
        with transaction(self.db):
            self.db.execute("DELETE FROM profiles WHERE id = ?", [profile_id])

    # -- facts --------------------------------------------------------------------------------
    def facts(self, profile_id: int) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT key, data FROM facts WHERE profile_id = ? ORDER BY key",
                               [profile_id]).fetchall()
        return {k: json.loads(d) for k, d in rows}

    def step_facts(self, profile_id: int, key: str) -> dict[str, Any]:
        row = self.db.execute("SELECT data FROM facts WHERE profile_id = ? AND key = ?",
                              [profile_id, key]).fetchone()
        return json.loads(row[0]) if row else {}

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
            "SELECT rule_id, value, note, created_at FROM overrides WHERE profile_id = ? ORDER BY rule_id",
            [profile_id]).fetchall()
        return {r: {"value": json.loads(v), "note": n, "date": c[:10]} for r, v, n, c in rows}

    def set_override(self, profile_id: int, rule_id: str, value: Any, note: str = "") -> None:
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
        p = self.profile(profile_id)
        return {
            "format": PROFILE_FORMAT,
            "name": p["name"],
            "role": p["role"],
            "tracks": p["tracks"],
            "facts": self.facts(profile_id),
            "overrides": self.overrides(profile_id),
        }

    def all_documents(self, ids: list[int] | None = None) -> list[tuple[int, dict[str, Any]]]:
        """(id, profile document) of every profile (or of those `ids` that exist), read in one pass
        (three queries, not 2n+1): for views over the whole data file such as the team roster."""
        where, args = "", []
        if ids is not None:
            ids = [int(i) for i in ids]
            if not ids:
                return []
            where = f" WHERE {{col}} IN ({', '.join('?' * len(ids))})"
            args = ids
        facts: dict[int, dict[str, Any]] = {}
        for pid, key, data in self.db.execute(
                "SELECT profile_id, key, data FROM facts" + where.format(col="profile_id") + " ORDER BY profile_id, key",
                args):
            facts.setdefault(pid, {})[key] = json.loads(data)
        overrides: dict[int, dict[str, Any]] = {}
        for pid, rid, value, note, created in self.db.execute(
                "SELECT profile_id, rule_id, value, note, created_at FROM overrides" + where.format(col="profile_id")
                + " ORDER BY profile_id, rule_id", args):
            overrides.setdefault(pid, {})[rid] = {"value": json.loads(value), "note": note, "date": created[:10]}
        rows = self.db.execute("SELECT id, name, role, tracks FROM profiles" + where.format(col="id") + " ORDER BY id",
                               args).fetchall()
        return [
            (pid, {"format": PROFILE_FORMAT, "name": name, "role": role, "tracks": json.loads(tracks),
                   "facts": facts.get(pid, {}), "overrides": overrides.get(pid, {})})
            for pid, name, role, tracks in rows
        ]

    def import_document(self, doc: Mapping[str, Any]) -> int:
        """Create a profile from an already-validated document, in one transaction."""
        now = _now()
        with transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO profiles (name, role, tracks, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                [doc["name"].strip(), doc.get("role", "other"), json.dumps(list(doc.get("tracks", []))), now, now])
            pid = int(cur.lastrowid)
            for key, data in (doc.get("facts") or {}).items():
                self._put_facts(pid, key, data, now)
            for rule_id, ov in (doc.get("overrides") or {}).items():
                ov = ov if isinstance(ov, Mapping) else {"value": ov}
                self.db.execute(
                    "INSERT INTO overrides (profile_id, rule_id, value, note, created_at) VALUES (?, ?, ?, ?, ?)",
                    [pid, rule_id, json.dumps(ov.get("value")), str(ov.get("note", "")), now])
            if doc.get("scenarios"):
                from .scenarios import insert_imported

                insert_imported(self.db, pid, doc["scenarios"], now)
        return pid

    # -- settings -----------------------------------------------------------------------------
    def setting(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with transaction(self.db):
            self.db.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, json.dumps(value)])
