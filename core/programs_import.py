"""Programs in and out of a spreadsheet: the CSV export, and an import with a preview.

`preview_programs(store, profile_id, data, today)` returns a core.csv_import.Preview (each row's
problems naming row and column; building it writes nothing); `core.csv_import.commit` writes its
valid rows in ONE transaction. A caller that cancels never calls commit.

Columns (header names matched ignoring case, accents, spaces, `_` and `-`; aliases in
`program_columns()`): name (required), specialty, state, city, acgme_id, track, visas,
grad_year_limit, min_step1, min_step2ck, first_attempt_pass, usce_required, certificate_by,
applied_date, signal, invite_date, reply_by, interview_date, interview_time, interview_tz,
interview_minutes, interview_mode, thank_you_date, own_score, own_notes, withdrawn, rank,
note / note_source / note_read_on (one note per row, added to the program's notes), uid.
Values may be written as a spreadsheet user would: "IM", "J-1 and H-1B", "in person", "yes".

A row updates a program already in the profile when it has the same uid, else the same ACGME
id, else the same name, specialty and track (case and accents ignored); otherwise it is a new
program. On an update only the file's non-empty cells change fields: an empty cell keeps what
is recorded (nothing is lost by importing a sheet with fewer columns). The export's computed
columns (id, eligible, findings) are ignored, so an exported file imports back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from .csv_import import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    CsvProblem,
    Preview,
    PreviewRow,
    convert,
    row_values,
    start_preview,
)
from .engine.base import FieldSpec
from .programs import NOTE_FIELDS, PROGRAM_FIELDS, ProgramCheck, ProgramStore, check_program
from .roster import search_key
from .validate import ValidationError

_SPEC = {f.key: f for f in PROGRAM_FIELDS}
_NOTE_SPEC = {f.key: f for f in NOTE_FIELDS}

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("program", "program name", "residency", "residency program", "hospital", "hospital name",
             "institution"),
    "specialty": ("speciality", "field", "discipline"),
    "state": ("st", "us state"),
    "city": ("town", "location"),
    "acgme_id": ("acgme", "acgme id", "acgme program id", "acgme code", "program id", "program code"),
    "track": ("type", "program type", "position type"),
    "visas": ("visa", "visas sponsored", "visa sponsorship", "sponsors visa", "visa sponsored"),
    "grad_year_limit": ("yog", "yog limit", "year of graduation limit", "graduation limit", "graduated within",
                        "years since graduation"),
    "min_step1": ("step 1 minimum", "step 1 cutoff", "min step 1", "step1 min", "step 1 min"),
    "min_step2ck": ("step 2 ck minimum", "step 2 cutoff", "step 2 ck cutoff", "min step 2", "min step 2 ck",
                    "step2 min", "step 2 min", "step 2 ck min", "ck cutoff"),
    "first_attempt_pass": ("first attempt", "first attempt pass", "no attempts", "pass on first attempt"),
    "usce_required": ("usce", "us clinical experience", "usce required", "wants usce"),
    "certificate_by": ("ecfmg certificate by", "certificate by", "ecfmg by", "certificate needed by"),
    "applied_date": ("applied", "applied on", "date applied", "application date"),
    "signal": ("signal sent", "signaled", "signalled", "signals"),
    "invite_date": ("invite", "invited", "invite received", "invited on", "interview invite"),
    "reply_by": ("reply by", "respond by", "rsvp by", "invite reply by"),
    "interview_date": ("interview", "interview on", "interview day"),
    "interview_time": ("time", "interview start", "start time"),
    "interview_tz": ("time zone", "timezone", "tz", "interview time zone"),
    "interview_minutes": ("interview length", "duration", "length minutes"),
    "interview_mode": ("mode", "format", "virtual or in person", "virtual"),
    "thank_you_date": ("thank you", "thank you sent", "thank you note"),
    "own_score": ("my score", "score", "rating", "my rating"),
    "own_notes": ("my notes", "impressions", "comments"),
    "withdrawn": ("withdrew", "withdrawn from"),
    "rank": ("rank position", "my rank", "rank order", "ranked"),
    "uid": ("certpath id",),
}

SPECIALTY_ALIASES = {
    "IM": "internal_medicine", "Medicine": "internal_medicine", "FM": "family_medicine", "Family practice":
    "family_medicine", "Peds": "pediatrics", "Paediatrics": "pediatrics", "Psych": "psychiatry", "Neuro": "neurology",
    "Anesthesia": "anesthesiology", "Anaesthesiology": "anesthesiology", "OBGYN": "obstetrics_gynecology",
    "OB/GYN": "obstetrics_gynecology", "Obstetrics": "obstetrics_gynecology", "Path": "pathology",
    "Derm": "dermatology", "EM": "emergency_medicine", "Radiology": "diagnostic_radiology", "DR": "diagnostic_radiology",
    "Surgery": "general_surgery", "Gen surg": "general_surgery", "GS": "general_surgery", "Ortho": "orthopaedic_surgery",
    "Orthopedic surgery": "orthopaedic_surgery", "Ophtho": "ophthalmology", "Neurosurgery": "neurological_surgery",
    "TY": "preliminary", "Transitional": "preliminary", "Transitional year": "preliminary", "Prelim": "preliminary",
}
VISA_ALIASES = {
    "J-1": "j1", "J1": "j1", "J": "j1", "H-1B": "h1b", "H1B": "h1b", "H1": "h1b", "H": "h1b", "both": "j1_h1b",
    "J-1 and H-1B": "j1_h1b", "J-1/H-1B": "j1_h1b", "J1/H1B": "j1_h1b", "J1 H1B": "j1_h1b", "J-1, H-1B": "j1_h1b",
    "J1 and H1B": "j1_h1b", "H-1B and J-1": "j1_h1b", "no": "none", "no visa": "none", "no sponsorship": "none",
    "citizens only": "none", "?": "unknown", "not known": "unknown", "unsure": "unknown",
}
TRACK_ALIASES = {"C": "categorical", "cat": "categorical", "P": "preliminary", "prelim": "preliminary",
                 "A": "advanced", "adv": "advanced"}
CERT_ALIASES = {"ROL": "rank_list", "rank list": "rank_list", "rank order list": "rank_list",
                "ranking": "rank_list", "apply": "application", "applying": "application"}
SIGNAL_ALIASES = {"yes": "signal", "y": "signal", "x": "signal", "true": "signal", "1": "signal"}
MODE_ALIASES = {"zoom": "virtual", "online": "virtual", "video": "virtual", "in person": "in_person",
                "onsite": "in_person", "on site": "in_person", "in-person": "in_person"}
_CHOICE_ALIASES = {"specialty": SPECIALTY_ALIASES, "visas": VISA_ALIASES, "track": TRACK_ALIASES,
                   "certificate_by": CERT_ALIASES, "signal": SIGNAL_ALIASES, "interview_mode": MODE_ALIASES}
_IDENTITY = {"name", "specialty", "track", "uid"}
_NO_SIGNAL = {"no", "n", "false", "0", "none"}

# Export order (the import reads any order).
CSV_FIELDS = ("name", "specialty", "track", "state", "city", "acgme_id", "visas", "grad_year_limit", "min_step1",
              "min_step2ck", "first_attempt_pass", "usce_required", "certificate_by", "applied_date", "signal",
              "invite_date", "reply_by", "interview_date", "interview_time", "interview_tz", "interview_minutes",
              "interview_mode", "thank_you_date", "own_score", "own_notes", "withdrawn", "rank", "note",
              "note_source", "note_read_on", "uid")
COMPUTED = ("id", "eligible", "findings")


def program_columns() -> tuple[Column, ...]:
    cols = [Column(k, _SPEC[k].label, ALIASES.get(k, ()), required=(k == "name"))
            for k in CSV_FIELDS if k in _SPEC]
    cols += [Column("note", "Note", ("notes", "source note")),
             Column("note_source", "Note source", ("source", "where read")),
             Column("note_read_on", "Note read on", ("read on", "date read", "checked on"))]
    cols += [Column(f"computed_{k}", k, (k,), computed=True) for k in COMPUTED]
    return tuple(cols)


def _key(d: Mapping[str, Any]) -> str:
    return "|".join(search_key(str(d.get(k) or "")) for k in ("name", "specialty", "track"))


def apply_mapping(table, cmap, mapping: Mapping[str, str | None]) -> None:
    """The user's own choices on the preview, over the automatic matching: `mapping` maps a header
    as written in the file to a column key (see `program_columns()`), or to None to leave that
    column out. Problems (an unknown header or key, a key chosen twice) go into `cmap.problems`."""
    keys = {c.key for c in program_columns() if not c.computed}
    explicit: dict[str, str] = {}
    for header, key in mapping.items():
        if key is not None and key in explicit:
            cmap.problems.append(CsvProblem(table.header_row, header, f"is chosen for the same field as "
                                                                      f"'{explicit[key]}': choose one"))
            continue
        if header not in table.header:
            cmap.problems.append(CsvProblem(table.header_row, header, "is not a column of this file"))
            continue
        if key is not None and key not in keys:
            cmap.problems.append(CsvProblem(table.header_row, header, f"'{key}' is not a program field"))
            continue
        i = table.header.index(header)
        for k in [k for k, j in cmap.index.items() if j == i]:  # what the header was matched to
            del cmap.index[k]
            del cmap.headers[k]
        if key is None:
            if header not in cmap.ignored:
                cmap.ignored.append(header)
            continue
        if header in cmap.ignored:
            cmap.ignored.remove(header)
        explicit[key] = header
        cmap.index[key] = i
        cmap.headers[key] = header
    cmap.problems[:] = [p for p in cmap.problems
                        if not (p.column == "" and "no 'Program' column" in p.message and "name" in cmap.index)]
    if "name" not in cmap.index and not any("no 'Program' column" in p.message for p in cmap.problems):
        cmap.problems.append(CsvProblem(table.header_row, "", "no column is the program's name: choose one"))


def preview_programs(store, profile_id: int, data: bytes, today: dt.date,
                     mapping: Mapping[str, str | None] | None = None) -> Preview:
    """The import's preview. `mapping` (header -> field key or None) overrides the automatic
    column matching, as the user sets it on the preview."""
    ps = ProgramStore(store)
    store.profile(profile_id)
    table, cmap, preview = start_preview(
        data, "programs", program_columns(),
        (lambda table, cmap: apply_mapping(table, cmap, mapping)) if mapping else None)
    if preview.problems:
        return preview
    existing = ps.list(profile_id)
    by_uid = {p.uid: p for p in existing}
    by_acgme = {search_key(p.get("acgme_id")): p for p in existing if p.get("acgme_id")}
    by_key = {_key(p.data): p for p in existing}
    seen: dict[str, int] = {}
    firsts: dict[str, PreviewRow] = {}
    col = lambda key: cmap.headers.get(key, key)  # noqa: E731
    for n, cells in table.rows:
        values = row_values(cmap, cells)
        pr = PreviewRow(row=n, values=values, label=values.get("name", ""))
        preview.rows.append(pr)
        rec: dict[str, Any] = {}
        for key, text in values.items():
            if key in ("note", "note_source", "note_read_on"):
                continue
            spec = _SPEC[key]
            if key == "signal" and search_key(text) in _NO_SIGNAL:
                continue
            v, why = convert(spec, text, _CHOICE_ALIASES.get(key))
            if why:
                pr.problems.append(CsvProblem(n, col(key), f"{spec.label}: {why}"))
            elif v is not None:
                rec[key] = v
        note = _note(pr, values, col)
        if not values.get("name"):
            pr.problems.append(CsvProblem(n, col("name"), "Program is required"))
            continue
        target = (by_uid.get(rec["uid"]) if rec.get("uid") else None) \
            or (by_acgme.get(search_key(rec["acgme_id"])) if rec.get("acgme_id") else None)
        if target is None and not rec.get("uid"):
            target = by_key.get(_key(rec))
        merged = {**(dict(target.data) if target else {}), **rec}
        if target is not None:
            merged["uid"] = target.uid
        if note and note not in (merged.get("notes") or []):
            merged["notes"] = [*(merged.get("notes") or []), note]
        reported = {p.column for p in pr.problems}
        for p in check_program(merged):
            leaf = p.field.split(".")[0].split("[")[0]
            if col(leaf) in reported or (leaf not in rec and leaf in cmap.headers):
                continue  # already said (a cell that could not be read)
            pr.problems.append(CsvProblem(n, col(leaf) if leaf in cmap.headers else "", p.message
                                          if p.message.startswith(_SPEC.get(leaf, FieldSpec(leaf, leaf)).label)
                                          else f"{_SPEC.get(leaf, FieldSpec(leaf, leaf)).label}: {p.message}"))
        if pr.problems:
            continue
        ident = (target.uid if target else None) or rec.get("uid") or _key(rec)
        if ident in seen:
            first = firsts[ident]
            if note and set(rec) <= _IDENTITY and first.ok:  # a further note of the program on that row
                notes = first.plan[1].setdefault("notes", [])
                if note not in notes:
                    notes.append(note)
                    if first.action == UNCHANGED:
                        first.action = UPDATE
                pr.action, pr.label = UNCHANGED, f"{merged['name']}: a note for row {seen[ident]}"
                continue
            pr.problems.append(CsvProblem(n, col("name"), f"is the same program as row {seen[ident]}: one row per "
                                                          "program (a row with only the note columns adds a note)"))
        else:
            seen[ident] = n
            firsts[ident] = pr
        if pr.problems:
            continue
        pr.target = target.id if target else None
        pr.action = CREATE if target is None else (UNCHANGED if merged == dict(target.data) else UPDATE)
        pr.label = merged["name"] + (f" ({merged['city']})" if merged.get("city") else "")
        pr.plan = (target.id if target else None, merged, dict(target.data) if target else None)

    def _commit(st, rows, _today) -> str:
        pstore = ProgramStore(st)
        now_list = {p.id: dict(p.data) for p in pstore.list(profile_id)}
        rows = [r for r in rows if r.plan is not None]  # note-only rows are folded into their program's row
        for r in rows:
            tid, _, before = r.plan
            if tid is not None and now_list.get(tid) != before:
                raise ValidationError([CsvProblem(r.row, "", f"program '{before.get('name')}' changed after the "
                                                             "preview: preview the file again")])
        created = updated = same = 0
        from .programs import _now, clean_program

        now = _now()
        total = len(now_list)
        for r in rows:
            tid, merged, _ = r.plan
            if r.action == UNCHANGED:
                same += 1
            elif tid is None:
                d = clean_program(merged)
                if pstore._uid_taken(profile_id, d["uid"]):
                    raise ValidationError([CsvProblem(r.row, "", "another program of this profile has this uid")])
                pstore._insert(profile_id, d, now)
                created += 1
                total += 1
            else:
                pstore._write(tid, clean_program(merged), now)
                updated += 1
        from .programs import MAX_PROGRAMS

        if total > MAX_PROGRAMS:
            raise ValidationError([CsvProblem(0, "", f"the profile would have {total} programs; at most "
                                                     f"{MAX_PROGRAMS}")])
        return (f"Imported {created + updated} of {len(rows)} programs: {created} new, {updated} updated, "
                f"{same} unchanged.")

    preview._commit = _commit
    return preview


def _note(pr: PreviewRow, values: Mapping[str, str], col) -> dict[str, Any] | None:
    text = values.get("note", "")
    src, read = values.get("note_source", ""), values.get("note_read_on", "")
    if not text:
        if src or read:
            pr.problems.append(CsvProblem(pr.row, col("note_source") if src else col("note_read_on"),
                                          "a note's source or date needs the note itself (column 'note')"))
        return None
    note: dict[str, Any] = {"text": text}
    for key, t in (("source", src), ("read_on", read)):
        v, why = convert(_NOTE_SPEC[key], t, {"website": "program_site", "site": "program_site", "web": "program_site",
                                               "FREIDA": "directory", "mail": "email", "e-mail": "email"})
        if why:
            pr.problems.append(CsvProblem(pr.row, col(f"note_{key}"), f"Note {_NOTE_SPEC[key].label.lower()}: {why}"))
        elif v is not None:
            note[key] = v
    return note


# --- export ---------------------------------------------------------------------------------------

def _cell(v: Any) -> Any:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None:
        return ""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


def programs_csv(checks: Sequence[ProgramCheck]) -> str:
    """The programs with their eligibility as CSV text with a BOM (Excel), one row per program and
    one row per extra note (same program, only the note columns filled)."""

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    header = [*CSV_FIELDS, *COMPUTED]
    w.writerow(header)
    for c in checks:
        d = dict(c.program.data)
        notes = list(d.pop("notes", None) or [])
        first = notes[0] if notes else {}
        row = {**d, "note": first.get("text"), "note_source": first.get("source"),
               "note_read_on": first.get("read_on"), "id": c.program.id, "eligible": c.eligible,
               "findings": " | ".join(f.text for f in c.findings)}
        w.writerow([_cell(row.get(k)) for k in header])
        for extra in notes[1:]:
            more = {"name": d.get("name"), "specialty": d.get("specialty"), "track": d.get("track"),
                    "uid": d.get("uid"), "note": extra.get("text"), "note_source": extra.get("source"),
                    "note_read_on": extra.get("read_on")}
            w.writerow([_cell(more.get(k)) for k in header])
    return "\ufeff" + buf.getvalue()
