"""Each profile's version: what the team roster's cache is keyed by (core/roster_cache.py).

Migration m008 adds the table `profile_versions (profile_id, version)` and the triggers below.
A version is 16 random bytes, replaced at every INSERT, UPDATE or DELETE of a profile's row, of
one of its facts or of one of its overrides, whoever writes: CertPath's store, its command line,
an import, the migration of a restored file, an SQLite shell. So a version read again means the
content it was read with, without reading the content:
- random, not a counter: two copies of one file that went their own ways (a backup restored, a
  file copied to another computer) never give one version to two different contents;
- a profile without a version (a row deleted by hand) is read by its content, as before m008;
- the triggers are checked against this module's text before any version is trusted
  (`triggers_intact`, in the same read as the versions): a file whose triggers were dropped or
  changed is read by content. The one way around them is a program that writes with SQLite's
  triggers switched off for its connection (SQLITE_DBCONFIG_ENABLE_TRIGGER), which CertPath never
  does.

Never edit these statements: m008 creates them, and a file keeps what it was given. Another set
needs a new migration (and this check then compares with the new text).
"""

from __future__ import annotations

import sqlite3
from typing import Any

TABLE = "profile_versions"

TRIGGERS: dict[str, str] = {
    "profile_version_insert": """CREATE TRIGGER profile_version_insert AFTER INSERT ON profiles BEGIN
  INSERT OR REPLACE INTO profile_versions (profile_id, version) VALUES (NEW.id, randomblob(16));
END""",
    "profile_version_update": """CREATE TRIGGER profile_version_update AFTER UPDATE ON profiles BEGIN
  DELETE FROM profile_versions WHERE profile_id = OLD.id;
  INSERT OR REPLACE INTO profile_versions (profile_id, version) VALUES (NEW.id, randomblob(16));
END""",
    "profile_version_delete": """CREATE TRIGGER profile_version_delete AFTER DELETE ON profiles BEGIN
  DELETE FROM profile_versions WHERE profile_id = OLD.id;
END""",
}
for _table in ("facts", "overrides"):
    TRIGGERS.update({
        f"profile_version_{_table}_insert":
            f"""CREATE TRIGGER profile_version_{_table}_insert AFTER INSERT ON {_table} BEGIN
  UPDATE profile_versions SET version = randomblob(16) WHERE profile_id = NEW.profile_id;
END""",
        f"profile_version_{_table}_update":
            f"""CREATE TRIGGER profile_version_{_table}_update AFTER UPDATE ON {_table} BEGIN
  UPDATE profile_versions SET version = randomblob(16) WHERE profile_id IN (OLD.profile_id, NEW.profile_id);
END""",
        f"profile_version_{_table}_delete":
            f"""CREATE TRIGGER profile_version_{_table}_delete AFTER DELETE ON {_table} BEGIN
  UPDATE profile_versions SET version = randomblob(16) WHERE profile_id = OLD.profile_id;
END""",
    })
del _table


def triggers_intact(conn: Any) -> bool:
    """Whether the file has the version table and exactly these triggers (by their stored text)."""
    try:
        have = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                 "AND tbl_name IN ('profiles', 'facts', 'overrides')").fetchall())
        table = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                             [TABLE]).fetchone()[0]
    except sqlite3.Error:
        return False
    return bool(table) and all(have.get(name) == sql for name, sql in TRIGGERS.items())


def version_key(version_hex: str | None) -> str | None:
    """The roster cache's key for a version (`hex(version)` as SQLite gives it), None for none."""
    return f"v{version_hex}" if version_hex else None
