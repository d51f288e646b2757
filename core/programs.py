"""The application season: a profile's programs, their requirements and status, checked against
the profile; interviews and reply-by dates as dated items with clash detection; the draft rank list.

A program is a JSON object (`PROGRAM_FIELDS` below; the same keys in the profile document's
`programs.items`, the data file and the CSV columns), with a stable `uid` so calendar events and
imports recognise it. Per profile there is also one settings object (`SETTINGS_FIELDS`): the
user's blocked date ranges (a shift, travel), their US clinical experience and the time zone they
live in.

Storage: `ProgramStore(store)` over the tables of migration `m005_programs`; every method that
writes is one transaction (`core.db.transaction`). Callers that write from outside the GUI hold
the data folder's lock (`core.instance_lock.InstanceLock`), as the command line does.

Eligibility (`check_programs`) returns core.engine's `Finding(code, params, severity)` per program
(BLOCKING: not eligible; WARNING: cannot be compared), never sentences; the one catalogue
(core/wording.py, this module's entries registered below) words them: `f.text`. Nothing here reads the clock: every function takes `today`.

What a view calls (the programs page, the dashboard, the rank list dialog):
  season = load_season(store, profile_id, today, journey=journey)   # one read, everything checked
    season.checks -> ProgramCheck(program, findings, eligible, search_text, matches(text))
    season.split() -> (eligible, others)          season.clashes / season.dated / season.ranked
    season.rank_count, season.fees (programs_fees.Forecast), season.signals, season.to_json()
  f.text (catalogue), clash_text(c), dated_item_text(item, today)         the words
  PROGRAM_FIELDS, SETTINGS_FIELDS (FieldSpecs for the forms), check_program(data) (inline problems)
  ps = ProgramStore(store): add, update, delete, save_settings, add_block, remove_block,
    move_rank(profile_id, program_id, position), move_up, move_down   (each one transaction)
  rank_list_csv(ranked), rank_list_document(ranked, count, name, today) (for the PDF)
  programs_import.preview_programs(store, pid, data, today, mapping=...) + csv_import.commit;
    programs_import.program_columns() (the mapping choices), programs_csv(season.checks)
  programs_fees.forecast(counts, match_year, ranks=...), add_planned(Ledger(store), pid, fc, keys)
  programs_ics.export_program_ics(ps.list(pid), profile_name, today, profile_id=pid)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from . import wording
from .db import transaction
from .engine.base import FieldSpec
from .engine.findings import BLOCKING, Finding
from .engine.findings import INFO as _INFO
from .engine.findings import WARNING as _WARNING
from .engine.img import SPECIALTIES, STATES
from .validate import Problem, ValidationError, check_fields, parse_date
from .wording import N_, _, relative_words

# --- vocabularies (part of the profile format) --------------------------------------------------

TRACKS = (("categorical", "Categorical"), ("preliminary", "Preliminary"), ("advanced", "Advanced"))
VISAS = (("j1", "J-1 only"), ("h1b", "H-1B only"), ("j1_h1b", "J-1 and H-1B"), ("none", "No visa sponsorship"),
         ("unknown", "Not known"))
CERTIFICATE_BY = (("application", "By the application"), ("rank_list", "By the rank order list deadline"))
SIGNALS = (("signal", "Signal"), ("gold", "Gold signal"), ("silver", "Silver signal"))
MODES = (("virtual", "Virtual"), ("in_person", "In person"))
NOTE_SOURCES = (("program_site", "Program website"), ("directory", "Directory (FREIDA, Residency Explorer...)"),
                ("email", "E-mail from the program"), ("interview", "Interview"), ("other", "Other"))

# An interview's assumed length when the user gave none (for overlap checks and calendar events).
# CertPath's own default, not a rule: interview days are commonly a morning or an afternoon.
DEFAULT_INTERVIEW_MINUTES = 240

NOTE_FIELDS = (
    FieldSpec("text", "Note", "text", required=True),
    FieldSpec("source", "Where you read it", "choice", choices=NOTE_SOURCES),
    FieldSpec("read_on", "Read on", "date"),
)

PROGRAM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("uid", "Identifier", "text", help="Set by CertPath; keeps calendar events and imports matched."),
    FieldSpec("name", "Program", "text", required=True),
    FieldSpec("specialty", "Specialty", "choice", choices=SPECIALTIES),
    FieldSpec("state", "State", "choice", choices=STATES),
    FieldSpec("city", "City", "text"),
    FieldSpec("acgme_id", "ACGME program id", "text"),
    FieldSpec("track", "Track", "choice", choices=TRACKS, default="categorical"),
    # What the applicant knows of the program's requirements.
    FieldSpec("visas", "Visas sponsored", "choice", choices=VISAS, default="unknown"),
    FieldSpec("grad_year_limit", "Graduated within (years)", "int", minimum=0, maximum=60,
              help="The program takes graduates of the last N years."),
    FieldSpec("min_step1", "Minimum Step 1 score", "int", minimum=1, maximum=300,
              help="Numeric Step 1 scores exist only for tests before 26 Jan 2022."),
    FieldSpec("min_step2ck", "Minimum Step 2 CK score", "int", minimum=1, maximum=300),
    FieldSpec("first_attempt_pass", "Wants every Step passed on the first attempt", "bool"),
    FieldSpec("usce_required", "Wants US clinical experience", "bool"),
    FieldSpec("certificate_by", "ECFMG certificate needed", "choice", choices=CERTIFICATE_BY),
    FieldSpec("notes", "Notes", "records", fields=NOTE_FIELDS),
    # The application's status.
    FieldSpec("applied_date", "Applied on", "date"),
    FieldSpec("signal", "Signal sent", "choice", choices=SIGNALS),
    FieldSpec("invite_date", "Invite received on", "date"),
    FieldSpec("reply_by", "Reply to the invite by", "date"),
    FieldSpec("interview_date", "Interview date", "date"),
    FieldSpec("interview_time", "Interview time (HH:MM, the program's local time)", "text"),
    FieldSpec("interview_tz", "Interview time zone (e.g. America/New_York)", "text"),
    FieldSpec("interview_minutes", "Interview length (minutes)", "int", minimum=15, maximum=24 * 60),
    FieldSpec("interview_mode", "Interview", "choice", choices=MODES),
    FieldSpec("thank_you_date", "Thank-you sent on", "date"),
    FieldSpec("own_score", "Your score (1 to 10)", "int", minimum=1, maximum=10),
    FieldSpec("own_notes", "Your notes", "text"),
    FieldSpec("withdrawn", "Withdrawn", "bool"),
    FieldSpec("rank", "Rank position", "int", minimum=1, maximum=1000),
)
_SPEC = {f.key: f for f in PROGRAM_FIELDS}

BLOCK_FIELDS = (
    FieldSpec("start", "From", "date", required=True),
    FieldSpec("end", "Until (inclusive)", "date", required=True),
    FieldSpec("label", "What (a shift, travel...)", "text"),
)
SETTINGS_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("blocked", "Blocked days", "records", fields=BLOCK_FIELDS),
    FieldSpec("usce_months", "US clinical experience (months)", "int", minimum=0, maximum=600),
    FieldSpec("home_tz", "Your time zone (e.g. Asia/Kolkata)", "text",
              help="Interviews are put on your calendar days in this zone; empty: each program's own."),
)

MAX_PROGRAMS = 5000
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def _tz(name: str):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def check_program(data: Any, path: str = "") -> list[Problem]:
    """Every problem with one program object: field types and ranges, then cross-field checks."""
    if not isinstance(data, Mapping):
        return [Problem(path or "(program)", "must be an object")]
    out: list[Problem] = []
    check_fields(PROGRAM_FIELDS, data, path, out)
    if out:
        return out
    at = lambda k: f"{path}.{k}" if path else k  # noqa: E731
    name = data.get("name", "")
    if isinstance(name, str) and (not name.strip() or any(ord(c) < 32 for c in name)):
        out.append(Problem(at("name"), "must be a name on one line"))
    t = data.get("interview_time")
    if t and not _TIME.fullmatch(t):
        out.append(Problem(at("interview_time"), f"'{t}' is not a time in the form HH:MM (24-hour)"))
    z = data.get("interview_tz")
    if z and _tz(z) is None:
        out.append(Problem(at("interview_tz"), f"'{z}' is not a known time zone (use a name such as America/Chicago)"))
    if (t or z) and not data.get("interview_date"):
        out.append(Problem(at("interview_date"), "is needed when an interview time or time zone is given"))
    if t and not z:
        out.append(Problem(at("interview_tz"), "is needed with an interview time (the program's time zone)"))
    inv, rep = parse_date(data.get("invite_date")), parse_date(data.get("reply_by"))
    if inv and rep and rep < inv:
        out.append(Problem(at("reply_by"), f"{wording.date_text(rep)} is before the invite ({wording.date_text(inv)})"))
    return out


def check_settings(data: Any, path: str = "") -> list[Problem]:
    if not isinstance(data, Mapping):
        return [Problem(path or "(settings)", "must be an object")]
    out: list[Problem] = []
    check_fields(SETTINGS_FIELDS, data, path, out)
    if out:
        return out
    for i, b in enumerate(data.get("blocked") or []):
        s, e = parse_date(b.get("start")), parse_date(b.get("end"))
        if s and e and e < s:
            out.append(Problem(f"{path}.blocked[{i}].end" if path else f"blocked[{i}].end",
                               f"{wording.date_text(e)} is before the start ({wording.date_text(s)})"))
    z = data.get("home_tz")
    if z and _tz(z) is None:
        out.append(Problem(f"{path}.home_tz" if path else "home_tz", f"'{z}' is not a known time zone"))
    return out


def clean_program(data: Mapping[str, Any]) -> dict[str, Any]:
    """Empty values dropped, a uid given if missing. Raises ValidationError naming the field."""
    d = {k: v for k, v in data.items() if v is not None and v != "" and v != []}
    probs = check_program(d)
    if probs:
        raise ValidationError(probs)
    if not d.get("uid"):
        import uuid  # only for a new program (uuid imports platform, ~10 ms at start-up)

        d["uid"] = uuid.uuid4().hex
    return d


# --- the program object ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Program:
    """A residency program of the application season, as stored."""

    id: int  # row id in the data file (0 for one not stored, e.g. from a document)
    data: Mapping[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def uid(self) -> str:
        return str(self.data.get("uid") or "")

    @property
    def name(self) -> str:
        return str(self.data.get("name") or "")

    @property
    def withdrawn(self) -> bool:
        return self.data.get("withdrawn") is True

    def date(self, key: str) -> dt.date | None:
        try:
            return parse_date(self.data.get(key))
        except ValueError:
            return None

    @property
    def interviewed(self) -> bool:
        return self.date("interview_date") is not None

    def interview_start(self) -> dt.datetime | None:
        """The interview's start as an aware datetime in the program's zone (None without a time)."""
        d, t, z = self.date("interview_date"), self.data.get("interview_time"), self.data.get("interview_tz")
        if not d or not t or not z or not _TIME.fullmatch(str(t)):
            return None
        zone = _tz(z)
        if zone is None:
            return None
        h, m = (int(x) for x in str(t).split(":"))
        return dt.datetime(d.year, d.month, d.day, h, m, tzinfo=zone)

    @property
    def interview_minutes(self) -> int:
        return int(self.data.get("interview_minutes") or DEFAULT_INTERVIEW_MINUTES)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, **dict(self.data)}


# --- storage --------------------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ProgramNotFound(LookupError):
    pass


class ProgramStore:
    """A profile's programs and program settings in the data file. Every write is one transaction."""

    def __init__(self, store):
        self.store = store
        self.db = store.db

    # reads
    def list(self, profile_id: int) -> list[Program]:
        rows = self.db.execute("SELECT id, data FROM programs WHERE profile_id = ? ORDER BY id",
                               [profile_id]).fetchall()
        if not rows:
            return []
        # One parse of all the objects (a JSON array) instead of one call per row: 3 to 4 times faster
        # for a long list, which matters because every profile document includes them.
        datas = json.loads("[" + ",".join(r[1] for r in rows) + "]")
        return [Program(r[0], d) for r, d in zip(rows, datas, strict=True)]

    def get(self, program_id: int) -> Program:
        r = self.db.execute("SELECT id, data FROM programs WHERE id = ?", [program_id]).fetchone()
        if not r:
            raise ProgramNotFound(f"no program with id {program_id}")
        return Program(r[0], json.loads(r[1]))

    def profile_of(self, program_id: int) -> int:
        r = self.db.execute("SELECT profile_id FROM programs WHERE id = ?", [program_id]).fetchone()
        if not r:
            raise ProgramNotFound(f"no program with id {program_id}")
        return int(r[0])

    def settings(self, profile_id: int) -> dict[str, Any]:
        r = self.db.execute("SELECT data FROM program_settings WHERE profile_id = ?", [profile_id]).fetchone()
        return json.loads(r[0]) if r else {}

    # writes
    def _insert(self, profile_id: int, data: dict[str, Any], now: str) -> int:
        cur = self.db.execute(
            "INSERT INTO programs (profile_id, uid, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [profile_id, data["uid"], json.dumps(data, ensure_ascii=False, sort_keys=True), now, now])
        return int(cur.lastrowid)

    def _write(self, program_id: int, data: dict[str, Any], now: str) -> None:
        self.db.execute("UPDATE programs SET uid = ?, data = ?, updated_at = ? WHERE id = ?",
                        [data["uid"], json.dumps(data, ensure_ascii=False, sort_keys=True), now, program_id])

    def add(self, profile_id: int, data: Mapping[str, Any]) -> int:
        self.store.profile(profile_id)
        d = clean_program(data)
        with transaction(self.db):
            if self.db.execute("SELECT count(*) FROM programs WHERE profile_id = ?", [profile_id]).fetchone()[0] \
                    >= MAX_PROGRAMS:
                raise ValidationError([Problem("programs", f"at most {MAX_PROGRAMS} programs per profile")])
            if self._uid_taken(profile_id, d["uid"]):
                raise ValidationError([Problem("uid", "another program of this profile has this identifier")])
            return self._insert(profile_id, d, _now())

    def _uid_taken(self, profile_id: int, uid: str, but: int | None = None) -> bool:
        r = self.db.execute("SELECT id FROM programs WHERE profile_id = ? AND uid = ?", [profile_id, uid]).fetchone()
        return r is not None and r[0] != but

    def update(self, program_id: int, changes: Mapping[str, Any]) -> None:
        """Change some fields (a value of None or "" clears the field). The uid cannot change."""
        p = self.get(program_id)
        new = {**p.data, **changes, "uid": p.uid}
        d = clean_program(new)
        with transaction(self.db):
            self._write(program_id, d, _now())

    def delete(self, program_id: int) -> None:
        self.get(program_id)
        with transaction(self.db):
            self.db.execute("DELETE FROM programs WHERE id = ?", [program_id])

    def save_settings(self, profile_id: int, settings: Mapping[str, Any]) -> None:
        self.store.profile(profile_id)
        d = {k: v for k, v in settings.items() if v is not None and v != "" and v != []}
        probs = check_settings(d)
        if probs:
            raise ValidationError(probs)
        with transaction(self.db):
            self._put_settings(profile_id, d, _now())

    def _put_settings(self, profile_id: int, d: Mapping[str, Any], now: str) -> None:
        if d:
            self.db.execute(
                "INSERT INTO program_settings (profile_id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT "
                "(profile_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                [profile_id, json.dumps(dict(d), ensure_ascii=False, sort_keys=True), now])
        else:
            self.db.execute("DELETE FROM program_settings WHERE profile_id = ?", [profile_id])

    def add_block(self, profile_id: int, start: dt.date, end: dt.date, label: str = "") -> None:
        s = self.settings(profile_id)
        blocks = list(s.get("blocked") or [])
        blocks.append({k: v for k, v in {"start": start.isoformat(), "end": end.isoformat(), "label": label}.items()
                       if v})
        self.save_settings(profile_id, {**s, "blocked": blocks})

    def remove_block(self, profile_id: int, index: int) -> None:
        s = self.settings(profile_id)
        blocks = list(s.get("blocked") or [])
        if not 0 <= index < len(blocks):
            raise IndexError(f"no blocked range number {index + 1}")
        del blocks[index]
        self.save_settings(profile_id, {**s, "blocked": blocks})

    # the profile document's section
    def section(self, profile_id: int) -> dict[str, Any] | None:
        """The document's `programs` section, or None when the profile has no program data."""
        items = [dict(p.data) for p in self.list(profile_id)]
        settings = self.settings(profile_id)
        if not items and not settings:
            return None
        return {"items": items, **settings}

    def write_section(self, profile_id: int, section: Mapping[str, Any] | None) -> None:
        """Replace the profile's programs and settings with a validated document section (inside the
        caller's transaction when there is one)."""
        now = _now()
        with transaction(self.db):
            self.db.execute("DELETE FROM programs WHERE profile_id = ?", [profile_id])
            self.db.execute("DELETE FROM program_settings WHERE profile_id = ?", [profile_id])
            if not section:
                return
            for item in section.get("items") or []:
                self._insert(profile_id, clean_program(item), now)
            self._put_settings(profile_id, {k: v for k, v in section.items() if k != "items"}, now)

    # the rank list
    def move_rank(self, profile_id: int, program_id: int, position: int) -> list[Program]:
        """Put a program of the draft rank list at `position` (1-based, clamped); the others keep
        their order and every rank becomes 1..n. Returns the new rank list."""
        ranked = rank_list(self.list(profile_id))
        ids = [p.id for p in ranked]
        if program_id not in ids:
            raise ValueError("only programs you interviewed at (and did not withdraw from) are on the rank list")
        ids.remove(program_id)
        pos = max(1, min(int(position), len(ids) + 1))
        ids.insert(pos - 1, program_id)
        return self._set_ranks(profile_id, ranked, ids)

    def move_up(self, profile_id: int, program_id: int) -> list[Program]:
        ids = [p.id for p in rank_list(self.list(profile_id))]
        return self.move_rank(profile_id, program_id, max(1, ids.index(program_id))) if program_id in ids \
            else self.move_rank(profile_id, program_id, 1)

    def move_down(self, profile_id: int, program_id: int) -> list[Program]:
        ids = [p.id for p in rank_list(self.list(profile_id))]
        return self.move_rank(profile_id, program_id, ids.index(program_id) + 2) if program_id in ids \
            else self.move_rank(profile_id, program_id, 1)

    def _set_ranks(self, profile_id: int, ranked: list[Program], order: list[int]) -> list[Program]:
        by_id = {p.id: p for p in ranked}
        now = _now()
        with transaction(self.db):
            for i, pid in enumerate(order, 1):
                p = by_id[pid]
                if p.get("rank") != i:
                    self._write(pid, {**p.data, "rank": i}, now)
        return rank_list(self.list(profile_id))


def programs_from_section(section: Mapping[str, Any] | None) -> tuple[list[Program], dict[str, Any]]:
    """Programs and settings of a document's `programs` section (ids 1..n in order)."""
    if not section:
        return [], {}
    items = [Program(i, dict(d)) for i, d in enumerate(section.get("items") or [], 1)]
    return items, {k: v for k, v in section.items() if k != "items"}


def check_section(section: Any, path: str = "programs") -> list[Problem]:
    """Problems with a profile document's `programs` section."""
    if not isinstance(section, Mapping):
        return [Problem(path, "must be an object with 'items' (a list of programs)")]
    out: list[Problem] = []
    items = section.get("items", [])
    if not isinstance(items, list):
        return [Problem(f"{path}.items", "must be a list of programs")]
    if len(items) > MAX_PROGRAMS:
        return [Problem(f"{path}.items", f"has {len(items)} programs; at most {MAX_PROGRAMS}")]
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        out.extend(check_program(item, f"{path}.items[{i}]"))
        uid = item.get("uid") if isinstance(item, Mapping) else None
        if isinstance(uid, str) and uid:
            if uid in seen:
                out.append(Problem(f"{path}.items[{i}].uid", f"is the same as items[{seen[uid]}]'s"))
            seen.setdefault(uid, i)
    out.extend(check_settings({k: v for k, v in section.items() if k != "items"}, path))
    return out


# --- findings -------------------------------------------------------------------------------------

# The engine's vocabulary (core/engine/findings.py): a requirement the applicant does not meet is
# BLOCKING (the program is not eligible), a fact that cannot be compared is a WARNING.
INELIGIBLE, WARNING, INFO = BLOCKING, _WARNING, _INFO
SEVERITIES = (INELIGIBLE, WARNING, INFO)

_VISA_NAMES = {"j1": N_("J-1"), "h1b": N_("H-1B"), "j1_h1b": N_("J-1 and H-1B"), "none": N_("none")}
_STEP_NAMES = {"usmle.step1": N_("Step 1"), "usmle.step2ck": N_("Step 2 CK")}
_BY_NAMES = {"application": N_("the application"), "rank_list": N_("the rank order list deadline")}

wording.register_format("visa", lambda v: _(_VISA_NAMES.get(v, str(v))))
wording.register_format("usmle", lambda v: _(_STEP_NAMES.get(v, str(v))))
wording.register_format("by", lambda v: _(_BY_NAMES.get(v, str(v))))
wording.register_format("projected", lambda v: _(", projected") if v else "")

# This module's entries in the one wording catalogue (core/wording.py): code -> template.
MESSAGES: dict[str, str] = {
    "program.visa_not_sponsored": N_("Does not sponsor the {need:visa} visa; you need one (it sponsors: "
                                     "{sponsors:visa})."),
    "program.visa_unknown": N_("Visa sponsorship not known; you need a {need:visa}: check with the program."),
    "program.graduation_limit": N_("Graduation limit {limit} years; you graduated in {graduated} "
                                   "({years} years before the {season} application season)."),
    "program.graduation_unknown": N_("Graduation limit {limit} years; your graduation date is not recorded."),
    "program.score_below_minimum": N_("Wants {step:usmle} {minimum} or more; your score is {score}."),
    "program.score_missing": N_("Wants {step:usmle} {minimum} or more; no {step:usmle} score is recorded."),
    "program.not_first_attempt": N_("Wants every Step passed on the first attempt; {step:usmle} took {attempts} "
                                    "attempts."),
    "program.certificate_after_deadline": N_("Wants an ECFMG certificate by {by:by} ({deadline}{projected:projected}); "
                                             "yours is expected around {expected}, after it."),
    "program.certificate_date_unknown": N_("Wants an ECFMG certificate by {by:by} ({deadline}{projected:projected}); "
                                           "when yours will be issued is not known yet."),
    "program.certificate_deadline_unknown": N_("Wants an ECFMG certificate by {by:by}; set your Match year to "
                                               "compare the dates."),
    "program.usce_missing": N_("Wants US clinical experience; none is recorded."),
    # Dated items (dated_item_text fills the display params).
    "program.interview": N_("Interview {when}{at}: {program}"),
    "program.reply_by": N_("Reply to the invite from {program} by {date} ({when})"),
    "program.interview.title": N_("Interview{at}: {program}"),  # a reminder's title: no "tomorrow" in it
    "program.reply_by.title": N_("Reply to the invite from {program}"),
    # Clashes (clash_text fills the display params).
    "clash.overlap": N_("Interviews overlap: {a} and {b}."),
    "clash.same_day": N_("Two interviews on {date}: {a} and {b}."),
    "clash.blocked": N_("The interview with {program} on {date} falls in a blocked range ({label} {start} to {end})."),
}
wording.register(MESSAGES)


# --- the applicant's facts ------------------------------------------------------------------------

@dataclass(frozen=True)
class Applicant:
    """What eligibility compares programs with, read once from the profile document."""

    visa_need: str = "undecided"
    graduation: dt.date | None = None
    match_year: int | None = None
    scores: Mapping[str, int | None] = field(default_factory=dict)  # step -> best passing score
    attempts_to_pass: Mapping[str, int | None] = field(default_factory=dict)  # step -> n (None: not passed)
    certificate: dt.date | None = None  # issued, or expected (the journey's estimate)
    certificate_issued: bool = False
    usce_months: int | None = None
    application_deadline: dt.date | None = None  # ERAS takes submissions (the Match year's calendar)
    rank_list_deadline: dt.date | None = None
    deadlines_projected: Mapping[str, bool] = field(default_factory=dict)

    @staticmethod
    def from_document(doc: Mapping[str, Any], today: dt.date, rules=None,
                      settings: Mapping[str, Any] | None = None, journey=None) -> Applicant:
        """`journey`: the profile's already evaluated Journey on `today` (the GUI has one), so the
        certificate estimate is not evaluated twice; otherwise the profile is evaluated here."""
        from . import match_calendar
        from .engine import evaluate
        from .rules import RuleNotFound, load_rules

        rules = rules or load_rules()
        facts = doc.get("facts") or {}
        tf = facts.get("img") or {}
        settings = settings if settings is not None else (doc.get("programs") or {})
        try:
            my = int(tf.get("match_year")) if tf.get("match_year") is not None else None
        except (TypeError, ValueError):
            my = None
        try:
            grad = parse_date((facts.get("ecfmg.school") or {}).get("graduation_date"))
        except ValueError:
            grad = None
        scores: dict[str, int | None] = {}
        tries: dict[str, int | None] = {}
        for step in ("usmle.step1", "usmle.step2ck"):
            atts = []
            for a in (facts.get(step) or {}).get("attempts") or []:
                try:
                    atts.append((parse_date(a.get("date")), a.get("result"), a.get("score")))
                except (ValueError, AttributeError):
                    continue
            atts = sorted((a for a in atts if a[0]), key=lambda a: a[0])
            passes = [a for a in atts if a[1] == "pass"]
            nums = [a[2] for a in passes if isinstance(a[2], int) and not isinstance(a[2], bool)]
            scores[step] = max(nums) if nums else None
            tries[step] = (atts.index(passes[0]) + 1) if passes else None
        cert_f = facts.get("ecfmg.certificate") or {}
        try:
            issued = parse_date(cert_f.get("issued_date"))
        except ValueError:
            issued = None
        cert = issued
        if cert is None and "img" in (doc.get("tracks") or []):
            try:
                st = (journey or evaluate(doc, today, rules)).step("ecfmg.certificate")
                cert = st.info.get("completed_on") or st.info.get("expected_on")
            except (KeyError, ValueError, TypeError):
                cert = None
        app_dl = rol_dl = None
        projected: dict[str, bool] = {}
        if my is not None:
            overrides = doc.get("overrides") or {}
            on = dt.date(my, 1, 1)

            def lookup(rid: str):
                try:
                    return rules.find(rid, on, overrides)
                except RuleNotFound:
                    return None

            cal = match_calendar.calendar(my, lookup)
            if "eras_submissions_open" in cal:
                app_dl = cal["eras_submissions_open"].date
                projected["application"] = cal["eras_submissions_open"].projected
            if "rol_deadline" in cal:
                rol_dl = cal["rol_deadline"].date
                projected["rank_list"] = cal["rol_deadline"].projected
        usce = settings.get("usce_months") if isinstance(settings, Mapping) else None
        return Applicant(
            visa_need=str(tf.get("visa_need") or "undecided"), graduation=grad, match_year=my, scores=scores,
            attempts_to_pass=tries, certificate=cert, certificate_issued=issued is not None,
            usce_months=usce if isinstance(usce, int) else None, application_deadline=app_dl,
            rank_list_deadline=rol_dl, deadlines_projected=projected)


# --- eligibility ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgramCheck:
    """What was found about one program."""

    program: Program
    findings: tuple[Finding, ...]  # core.engine.findings.Finding, worded by core/wording.py

    @cached_property
    def eligible(self) -> bool:
        return not any(f.severity == INELIGIBLE for f in self.findings)

    @cached_property
    def search_text(self) -> str:
        """Name, city, state and ACGME id folded once (case and accents ignored) for a search box."""
        from .roster import search_key

        d = self.program.data
        return search_key(" ".join(str(d.get(k) or "") for k in ("name", "city", "state", "acgme_id")))

    def matches(self, text: str) -> bool:
        from .roster import search_key

        return search_key(text) in self.search_text

    def to_json(self) -> dict[str, Any]:
        return {**self.program.to_json(), "eligible": self.eligible,
                "findings": [{**f.to_json(), "severity": f.severity} for f in self.findings]}


def check_one(p: Program, a: Applicant, today: dt.date) -> tuple[Finding, ...]:
    out: list[Finding] = []
    add = lambda code, sev, **params: out.append(Finding(code, params, sev))  # noqa: E731
    # Visa.
    need = {"needs_j1": "j1", "needs_h1b": "h1b"}.get(a.visa_need)
    visas = p.get("visas") or "unknown"
    if need:
        if visas == "unknown":
            add("program.visa_unknown", WARNING, need=need)
        elif need not in {"j1": ("j1",), "h1b": ("h1b",), "j1_h1b": ("j1", "h1b"), "none": ()}.get(visas, ()):
            add("program.visa_not_sponsored", INELIGIBLE, need=need, sponsors=visas)
    # Year of graduation: counted to the application season (the year before the Match, else today's year).
    limit = p.get("grad_year_limit")
    if isinstance(limit, int):
        season = (a.match_year - 1) if a.match_year else today.year
        if a.graduation is None:
            add("program.graduation_unknown", WARNING, limit=limit)
        elif season - a.graduation.year > limit:
            add("program.graduation_limit", INELIGIBLE, limit=limit, graduated=a.graduation.year,
                years=season - a.graduation.year, season=season)
    # Scores.
    for step, key in (("usmle.step1", "min_step1"), ("usmle.step2ck", "min_step2ck")):
        minimum = p.get(key)
        if not isinstance(minimum, int):
            continue
        score = a.scores.get(step)
        if score is None:
            add("program.score_missing", WARNING, step=step, minimum=minimum)
        elif score < minimum:
            add("program.score_below_minimum", INELIGIBLE, step=step, minimum=minimum, score=score)
    if p.get("first_attempt_pass") is True:
        for step in ("usmle.step1", "usmle.step2ck"):
            n = a.attempts_to_pass.get(step)
            if n is not None and n > 1:
                add("program.not_first_attempt", INELIGIBLE, step=step, attempts=n)
    # ECFMG certificate by the application or the rank order list deadline.
    by = p.get("certificate_by")
    if by in ("application", "rank_list"):
        applied = p.date("applied_date") if by == "application" else None
        deadline = applied or (a.application_deadline if by == "application" else a.rank_list_deadline)
        projected = (applied is None) and a.deadlines_projected.get(by, False)
        if deadline is None:
            add("program.certificate_deadline_unknown", WARNING, by=by)
        elif a.certificate is None:
            add("program.certificate_date_unknown", WARNING, by=by, deadline=deadline, projected=projected)
        elif a.certificate > deadline:
            add("program.certificate_after_deadline", INELIGIBLE, by=by, deadline=deadline,
                expected=a.certificate, projected=projected)
    # US clinical experience.
    if p.get("usce_required") is True and not a.usce_months:
        add("program.usce_missing", INELIGIBLE)
    return tuple(out)


def check_programs(programs: Iterable[Program], applicant: Applicant, today: dt.date) -> list[ProgramCheck]:
    return [ProgramCheck(p, check_one(p, applicant, today)) for p in programs]


def split_eligible(checks: Sequence[ProgramCheck]) -> tuple[list[ProgramCheck], list[ProgramCheck]]:
    """(eligible, the others): the others are to be shown marked, not hidden."""
    yes = [c for c in checks if c.eligible]
    return yes, [c for c in checks if not c.eligible]


# --- dated items and clashes ----------------------------------------------------------------------

@dataclass(frozen=True)
class DatedItem:
    """An interview or a reply-by date, for the dashboard, reminders and the calendar."""

    date: dt.date
    time: str | None  # HH:MM in `tz`, or None for a whole day
    tz: str | None
    kind: str  # "interview" | "reply_by"
    code: str  # "program.interview" | "program.reply_by"
    program_id: int
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "time": self.time, "tz": self.tz, "kind": self.kind,
                "code": self.code, "program_id": self.program_id, "params": dict(self.params)}


def dated_items(programs: Iterable[Program], today: dt.date | None = None) -> list[DatedItem]:
    """Interviews and invite reply-by dates of programs not withdrawn, by date. A reply-by date is
    left out once the interview is booked (the invite was answered); with `today`, dates before it
    are left out."""
    out: list[DatedItem] = []
    for p in programs:
        if p.withdrawn:
            continue
        base = {"program": p.name, "mode": p.get("interview_mode")}
        iv = p.date("interview_date")
        if iv:
            out.append(DatedItem(iv, p.get("interview_time"), p.get("interview_tz"), "interview",
                                 "program.interview", p.id, {**base, "minutes": p.interview_minutes}))
        rb = p.date("reply_by")
        if rb and not iv:
            out.append(DatedItem(rb, None, None, "reply_by", "program.reply_by", p.id,
                                 {"program": p.name, "invited_on": p.get("invite_date")}))
    if today is not None:
        out = [i for i in out if i.date >= today]
    return sorted(out, key=lambda i: (i.date, i.time or "", i.program_id, i.kind))


def _when(d: dt.date, today: dt.date) -> str:
    return relative_words(d, today)  # "in 12 days", far ones in months ("in 10 months")


def dated_item_text(item: DatedItem, today: dt.date) -> str:
    """The dashboard's line: "Interview tomorrow 09:00 EST: Mercy" / "Reply to the invite from
    Lakeside by 2026-12-20 (in 3 days)". The time is the program's own, with its zone's abbreviation
    on that day."""
    when = _when(item.date, today)
    if item.kind == "interview":
        at = ""
        if item.time and item.tz and _tz(item.tz) is not None:
            h, m = (int(x) for x in item.time.split(":"))
            abbr = dt.datetime(item.date.year, item.date.month, item.date.day, h, m, tzinfo=_tz(item.tz)).tzname()
            at = f" {item.time} {abbr}"
        if item.date != today and item.date != today + dt.timedelta(days=1) and item.date != today - dt.timedelta(1):
            when = _("on {date} ({when})").format(date=wording.date_text(item.date), when=when)
        return wording.text(Finding(item.code, {"when": when, "at": at, "program": item.params.get("program", "")}))
    return wording.text(Finding(item.code, {"program": item.params.get("program", ""), "date": item.date,
                                            "when": when}))


def _at(item: DatedItem) -> str:
    if item.time and item.tz and _tz(item.tz) is not None:
        h, m = (int(x) for x in item.time.split(":"))
        abbr = dt.datetime(item.date.year, item.date.month, item.date.day, h, m, tzinfo=_tz(item.tz)).tzname()
        return f" {item.time} {abbr}"
    return ""


def dated_item_title(item: DatedItem) -> str:
    """A title that does not change with the day (a reminder's, a calendar entry's)."""
    return wording.text(Finding(item.code + ".title", {"at": _at(item) if item.kind == "interview" else "",
                                                        "program": item.params.get("program", "")}))


@dataclass(frozen=True)
class Clash:
    """Programs whose dates clash: the same day, an overlap, or one blocking another."""

    code: str  # "clash.same_day" | "clash.overlap" | "clash.blocked"
    program_ids: tuple[int, ...]
    date: dt.date
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "program_ids": list(self.program_ids), "date": self.date.isoformat(),
                "params": dict(self.params)}


def clashes(programs: Iterable[Program], settings: Mapping[str, Any] | None = None) -> list[Clash]:
    """Interviews of programs not withdrawn that overlap in time (compared in UTC, so across time
    zones), fall on the same day (in the user's `home_tz`, else each program's own date), or fall
    inside a blocked range. Each interview's times are computed once; overlaps are found by a sweep
    over the start times and same-day pairs within each day, so a long list stays linear."""
    settings = settings or {}
    home = _tz(settings["home_tz"]) if settings.get("home_tz") else None
    ivs = []  # (program, start UTC or None, end UTC or None, local day)
    for p in programs:
        if not p.interviewed or p.withdrawn:
            continue
        start = p.interview_start()
        if start is not None:
            su = start.astimezone(dt.UTC)
            day = start.astimezone(home).date() if home is not None else start.date()
            ivs.append((p, su, su + dt.timedelta(minutes=p.interview_minutes), day))
        else:
            ivs.append((p, None, None, p.date("interview_date")))
    out: list[Clash] = []
    overlapping: set[tuple[int, int]] = set()
    timed = sorted((x for x in ivs if x[1] is not None), key=lambda x: (x[1], x[0].id))
    for i, (a, sa, ea, da) in enumerate(timed):
        for b, sb, _eb, _db in timed[i + 1:]:
            if sb >= ea:
                break
            pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
            first, second = (a, b) if a.id < b.id else (b, a)
            s1, s2 = (sa, sb) if a.id < b.id else (sb, sa)
            overlapping.add(pair)
            out.append(Clash("clash.overlap", pair, da, {"programs": [first.name, second.name],
                                                         "starts_utc": [s1.isoformat(), s2.isoformat()]}))
    by_day: dict[dt.date, list[Program]] = {}
    for p, _s, _e, d in ivs:
        if d is not None:
            by_day.setdefault(d, []).append(p)
    for d, ps in by_day.items():
        ps = sorted(ps, key=lambda p: p.id)
        for i, a in enumerate(ps):
            for b in ps[i + 1:]:
                if (a.id, b.id) not in overlapping:
                    out.append(Clash("clash.same_day", (a.id, b.id), d, {"programs": [a.name, b.name]}))
    blocks = []
    for blk in settings.get("blocked") or []:
        try:
            s_, e_ = parse_date(blk.get("start")), parse_date(blk.get("end"))
        except (ValueError, AttributeError):
            continue
        if s_ and e_:
            blocks.append((s_, e_, blk.get("label", "")))
    for p, _s, _e, d in ivs:
        for s_, e_, label in blocks:
            if d and s_ <= d <= e_:
                out.append(Clash("clash.blocked", (p.id,), d, {"program": p.name, "label": label,
                                                              "start": s_.isoformat(), "end": e_.isoformat()}))
    return sorted(out, key=lambda c: (c.date, c.code, c.program_ids))


def clash_text(c: Clash) -> str:
    p = dict(c.params)
    names = p.pop("programs", ["", ""])
    p.update(a=names[0], b=names[-1], date=c.date)
    for k in ("start", "end"):  # kept ISO in the params (JSON); worded as dates like `date`
        if isinstance(p.get(k), str):
            try:
                p[k] = dt.date.fromisoformat(p[k])
            except ValueError:
                pass
    return wording.text(Finding(c.code, {**p, "label": p.get("label") or _("blocked")}))


# --- the rank list --------------------------------------------------------------------------------

def rank_list(programs: Iterable[Program]) -> list[Program]:
    """The draft rank order list: programs interviewed at and not withdrawn, by rank (unranked ones
    after, by interview date and name)."""
    cands = [p for p in programs if p.interviewed and not p.withdrawn]
    return sorted(cands, key=lambda p: (p.get("rank") is None, p.get("rank") or 0,
                                        p.date("interview_date") or dt.date.max, p.name.casefold(), p.id))


@dataclass(frozen=True)
class RankCount:
    """The rank order list's length against the ranks the registration covers."""

    count: int
    included: int | None  # ranks the registration covers (None: no record)
    extra: int
    max_ranks: int | None
    rules: tuple[str, ...]
    latest_known: bool  # a record of an earlier season was used

    @property
    def over_max(self) -> bool:
        return self.max_ranks is not None and self.count > self.max_ranks

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "included": self.included, "extra": self.extra, "max": self.max_ranks,
                "over_max": self.over_max, "rules": list(self.rules), "latest_known": self.latest_known}


def rank_count(n: int, match_year: int | None, rules=None, today: dt.date | None = None) -> RankCount:
    from .programs_fees import season_rule

    rules = rules or _load_rules()
    when = _nrmp_day(match_year, today)
    inc, lk1 = season_rule(rules, "nrmp.extra_rank_fee", when)
    mx, lk2 = season_rule(rules, "nrmp.rol_max_ranks", when)
    included = int(inc.value["included_ranks"]) if inc is not None else None
    return RankCount(n, included, max(0, n - included) if included is not None else 0,
                     int(mx.value) if mx is not None else None,
                     tuple(r.id for r in (inc, mx) if r is not None), lk1 or lk2)


def _nrmp_day(match_year: int | None, today: dt.date | None) -> dt.date:
    if match_year:
        return dt.date(match_year - 1, 9, 15)
    return today or dt.date(2000, 1, 1)


def _load_rules():
    from .rules import load_rules

    return load_rules()


RANK_COLUMNS = ("rank", "program", "specialty", "track", "city", "state", "acgme_id", "interview_date", "own_score")


def rank_rows(ranked: Sequence[Program]) -> list[dict[str, Any]]:
    spec = dict(SPECIALTIES)
    return [{"rank": i, "program": p.name, "specialty": spec.get(p.get("specialty"), p.get("specialty") or ""),
             "track": p.get("track") or "", "city": p.get("city") or "", "state": p.get("state") or "",
             "acgme_id": p.get("acgme_id") or "", "interview_date": p.get("interview_date") or "",
             "own_score": p.get("own_score") if p.get("own_score") is not None else ""}
            for i, p in enumerate(ranked, 1)]


def rank_list_csv(ranked: Sequence[Program]) -> str:
    """The draft rank list as CSV (UTF-8 text; write it with a BOM for Excel), to re-enter in R3."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=RANK_COLUMNS, lineterminator="\r\n")
    w.writeheader()
    for r in rank_rows(ranked):
        w.writerow({k: _safe_cell(v) for k, v in r.items()})
    return buf.getvalue()


def rank_list_document(ranked: Sequence[Program], count: RankCount, profile_name: str, today: dt.date) -> dict:
    """A plain structure for a printable rank list (the PDF is drawn by the GUI from this)."""
    return {"title": _("Draft rank order list"), "profile": profile_name, "as_of": today.isoformat(),
            "note": _("A draft kept in CertPath: enter and certify your list in NRMP's R3 system."),
            "rows": rank_rows(ranked), "count": count.to_json()}


def rank_list_text(doc: Mapping[str, Any]) -> str:
    lines = [f"{doc['title']}: {doc['profile']} ({doc['as_of']})", doc["note"], ""]
    for r in doc["rows"]:
        where = ", ".join(x for x in (r["city"], r["state"]) if x)
        lines.append(f"{r['rank']:>3}. {r['program']} ({r['specialty']}, {r['track']}){' - ' + where if where else ''}")
    c = doc["count"]
    lines.append("")
    if c["included"] is not None:
        lines.append(f"{c['count']} ranks; {c['included']} included in the registration, {c['extra']} extra."
                     + (f" NRMP's limit is {c['max']} ranks." if c["max"] else ""))
    else:
        lines.append(f"{c['count']} ranks.")
    return "\n".join(lines) + "\n"


def _safe_cell(v: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (= + - @) gets a leading apostrophe."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


# --- everything a view needs, in one call ---------------------------------------------------------

@dataclass(frozen=True)
class Season:
    """A profile's application season on `today`: what the GUI's programs page and the command
    line show. Built by `load_season`; nothing in it is worded except through the catalogue,
    `clash_text` and the fee lines' labels."""

    profile_id: int
    today: dt.date
    applicant: Applicant
    settings: Mapping[str, Any]
    checks: tuple[ProgramCheck, ...]
    clashes: tuple[Clash, ...]
    dated: tuple[DatedItem, ...]
    ranked: tuple[Program, ...]
    rank_count: RankCount
    fees: Any  # core.programs_fees.Forecast, or None without a Match year
    signals: tuple = ()  # core.programs_fees.SignalUse per specialty (empty without a Match year)

    @property
    def programs(self) -> list[Program]:
        return [c.program for c in self.checks]

    def split(self) -> tuple[list[ProgramCheck], list[ProgramCheck]]:
        return split_eligible(self.checks)

    def to_json(self, eligible_only: bool = False) -> dict[str, Any]:
        yes, no = self.split()
        shown = yes if eligible_only else list(self.checks)
        return {
            "profile_id": self.profile_id, "today": self.today.isoformat(), "match_year": self.applicant.match_year,
            "counts": {"programs": len(self.checks), "eligible": len(yes), "not_eligible": len(no)},
            "programs": [c.to_json() for c in shown],
            "clashes": [{**c.to_json(), "text": clash_text(c)} for c in self.clashes],
            "dated_items": [i.to_json() for i in self.dated],
            "rank_list": [{"rank": i, "id": p.id, "name": p.name} for i, p in enumerate(self.ranked, 1)],
            "rank_count": self.rank_count.to_json(),
            "fees": self.fees.to_json() if self.fees is not None else None,
            "signals": [u.to_json() for u in self.signals],
            "settings": dict(self.settings),
        }


def load_season(store, profile_id: int, today: dt.date, rules=None, journey=None) -> Season:
    """Read the profile and its programs once, check every program, find clashes and dates.
    `journey`: the profile's Journey on `today` when the caller has evaluated it already."""
    from . import PROFILE_FORMAT
    from .programs_fees import counts_by_specialty, forecast, signal_use
    from .rules import load_rules

    rules = rules or load_rules()
    ps = ProgramStore(store)
    p = store.profile(profile_id)  # the profile document without its programs (read once, below, with ids)
    doc = {"format": PROFILE_FORMAT, "name": p["name"], "role": p["role"], "tracks": p["tracks"],
           "facts": store.facts(profile_id), "overrides": store.overrides(profile_id)}
    settings = ps.settings(profile_id)
    stored = ps.list(profile_id)
    applicant = Applicant.from_document(doc, today, rules, settings, journey)
    checks = tuple(check_programs(stored, applicant, today))
    ranked = tuple(rank_list(stored))
    my = applicant.match_year
    fees = None
    signals: tuple = ()
    if my is not None:
        fees = forecast(counts_by_specialty(stored), my, rules, ranks=len(ranked), overrides=doc.get("overrides"))
        signals = tuple(signal_use(stored, my, rules, doc.get("overrides")))
    return Season(profile_id, today, applicant, settings, checks, tuple(clashes(stored, settings)),
                  tuple(dated_items(stored, today)), ranked, rank_count(len(ranked), my, rules, today), fees,
                  signals)
