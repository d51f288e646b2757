"""Ordered schema migrations. Never edit a released migration: add a new one at the end.

Each runs in its own transaction (sqlite-utils `Migrations`), and `core.db` stamps
`PRAGMA user_version` with the count so an older CertPath can refuse a newer file.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from .profile_versions import TRIGGERS

MIGRATIONS = Migrations("certpath")


@MIGRATIONS(name="m001_profiles_facts")
def m001_profiles_facts(db: Database) -> None:
    db.execute("""
        CREATE TABLE profiles (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            role TEXT NOT NULL DEFAULT 'other',
            tracks TEXT NOT NULL DEFAULT '[]',          -- JSON list of track ids
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")
    # The user's facts, one JSON object per step id (e.g. "usmle.step1") or track id ("img").
    db.execute("""
        CREATE TABLE facts (
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (profile_id, key)
        )""")
    # A user's own value for a rule ("I called the board"): shown as theirs.
    db.execute("""
        CREATE TABLE overrides (
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            rule_id TEXT NOT NULL,
            value TEXT NOT NULL,                        -- JSON
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            PRIMARY KEY (profile_id, rule_id)
        )""")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@MIGRATIONS(name="m002_documents_reminders_costs")
def m002_documents_reminders_costs(db: Database) -> None:
    # Vault: bytes stored once per SHA-256 under vault/; documents point at them.
    db.execute("""
        CREATE TABLE blobs (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            sha256 TEXT NOT NULL REFERENCES blobs(sha256),
            original_name TEXT NOT NULL,
            mime TEXT NOT NULL DEFAULT 'application/octet-stream',
            size INTEGER NOT NULL,
            added_at TEXT NOT NULL,
            expires TEXT,
            note TEXT NOT NULL DEFAULT ''
        )""")
    db.execute("CREATE INDEX documents_profile_step ON documents(profile_id, step_id)")
    db.execute("CREATE INDEX documents_sha ON documents(sha256)")
    # Reminders: computed ones keyed by their source (stable), and the user's own tasks.
    db.execute("""
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            source_key TEXT NOT NULL,                   -- e.g. 'step:pals.card:expires' or 'task:17'
            title TEXT NOT NULL,
            step_id TEXT,
            due TEXT,                                   -- ISO date
            stages TEXT NOT NULL DEFAULT '[90, 60, 30, 7]',  -- JSON days before due
            repeat_days INTEGER,                        -- user tasks that repeat
            snoozed_until TEXT,
            done_at TEXT,
            user_task INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            UNIQUE (profile_id, source_key)
        )""")
    db.execute("""
        CREATE TABLE costs (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            amount_cents INTEGER NOT NULL,
            currency TEXT NOT NULL DEFAULT 'USD',
            date TEXT,
            status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('paid', 'planned')),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX costs_profile ON costs(profile_id)")
    db.execute("""
        CREATE TABLE packets (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            recipient TEXT NOT NULL,
            purpose TEXT NOT NULL DEFAULT '',
            document_ids TEXT NOT NULL,                 -- JSON list
            file_name TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT ''
        )""")


@MIGRATIONS(name="m003_reminder_revision")
def m003_reminder_revision(db: Database) -> None:
    # Calendar updates: a per-reminder revision (the event's SEQUENCE) bumped whenever its date,
    # title, step, stages or done state change, and the day it last changed (LAST-MODIFIED).
    db.execute("ALTER TABLE reminders ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE reminders ADD COLUMN revised_on TEXT")  # ISO date; NULL: created_at's date
    # The key the calendar UID is derived from when it differs from source_key (a row re-keyed from
    # an old text-derived key keeps its event's UID, so a re-import updates instead of duplicating).
    db.execute("ALTER TABLE reminders ADD COLUMN uid_key TEXT")


@MIGRATIONS(name="m004_scenarios")
def m004_scenarios(db: Database) -> None:
    # What-if scenarios: named lists of changes to a profile's facts (core/whatif.py), not copies
    # of the facts, so they follow later edits of the real profile. `changes` is a JSON list of
    # {path, value[, record][, new]}.
    db.execute("""
        CREATE TABLE scenarios (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            changes TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (profile_id, name)
        )""")


@MIGRATIONS(name="m005_programs")
def m005_programs(db: Database) -> None:
    # The application season (core/programs.py). Self-contained: it reads and changes no table of
    # another migration, so its place after m004 (scenarios) is only the order of the branches that added them.
    # One row per program a profile considers or applied to; its fields are a JSON object (the
    # profile document's `programs.items[]`), `uid` its stable identifier (calendar UIDs, imports).
    db.execute("""
        CREATE TABLE programs (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
            uid TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (profile_id, uid)
        )""")
    db.execute("CREATE INDEX programs_profile ON programs(profile_id)")
    # Per profile: blocked date ranges, US clinical experience, home time zone (JSON object).
    db.execute("""
        CREATE TABLE program_settings (
            profile_id INTEGER PRIMARY KEY REFERENCES profiles(id) ON DELETE CASCADE,
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""")


@MIGRATIONS(name="m006_reminder_timing")
def m006_reminder_timing(db: Database) -> None:
    # A timed reminder's (an interview's) start, zone and length as the calendar last got them
    # ("2026-12-03T14:30 America/Chicago 90"; NULL for an all-day date), so a change of any of
    # them alone (the length is in no title) raises the revision: the calendar event's SEQUENCE.
    db.execute("ALTER TABLE reminders ADD COLUMN timing TEXT")


@MIGRATIONS(name="m007_reminder_notified")
def m007_reminder_notified(db: Database) -> None:
    # What the tray last showed of a reminder (core.reminders.notice_key: its date, the stage day
    # or "now", an ended snooze and, since 2026-12-02, its title's digest in place of its revision;
    # NULL: never shown), so a new start of the app does
    # not show it again while a reminder that becomes due again (a new key) is. It goes with its
    # row: a profile's delete (ON DELETE CASCADE), a computed reminder whose source is gone.
    db.execute("ALTER TABLE reminders ADD COLUMN notified TEXT")


@MIGRATIONS(name="m008_profile_versions")
def m008_profile_versions(db: Database) -> None:
    # Each profile's version, replaced by triggers at every write of its row, facts or overrides
    # (core/profile_versions.py says why, and what reads it: the team roster's cache).
    # Derived data only (a profile without a row here is read as before, by its content): no
    # foreign key, so a profile's delete never waits on it; the delete trigger removes the row.
    db.execute("CREATE TABLE profile_versions (profile_id INTEGER PRIMARY KEY, version BLOB NOT NULL)")
    db.execute("INSERT INTO profile_versions (profile_id, version) SELECT id, randomblob(16) FROM profiles")
    for sql in TRIGGERS.values():
        db.execute(sql)
