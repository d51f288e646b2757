"""Importing a team from a spreadsheet: one profile per person, with their cards.

`preview_roster(store, data, today, match_existing="name"|"new")` returns a
core.csv_import.Preview; `core.csv_import.commit` writes its valid rows in one transaction.

Columns (one row per person; header names are matched ignoring case, accents, spaces, `_`, `-`):
  name (required; aliases: full name, person, staff, employee), role (a role id such as
  `nurse_picu` or its label "Nurse: PICU"; empty: `other` for a new person, unchanged for one
  already in the data file), and for each card (bls, pals, acls, nrp, pears):
  `<card>_issue_date` (needed when any other column of that card is filled), `<card>_body`
  (aha, red_cross, aap, other, or "AHA", "Red Cross"...), `<card>_training_center`,
  `<card>_ecard_code`, `<card>_course_date` (optional: the course, for NRP the instructor-led event
  its expiry counts from) and `<card>_expires` (optional: checked against the computed expiry).
  "PALS issue date", "PALS Issued", "PALS body" ... are the same columns. The computed columns of
  the roster export (`<card>_state`, `_card_status`, `_days_left`, `_renewal_status`, `id`,
  `role_label`, `missing_typical`) are ignored, so an exported roster imports back.

`match_existing="name"` (default): a person whose name (ignoring case and accents) is already a
profile is updated, their cards merged as core.history_import.merge_card does (a newer card
replaces the current one, which goes to past cards); two profiles with that name is a problem.
`"new"`: every row is a new profile. The same name twice in the file is a problem with "name".
"""

from __future__ import annotations

import copy
import datetime as dt
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
from .engine.cards import PAST_CARD_FIELDS
from .history_import import BODY_ALIASES, BODY_SPEC, card_steps, expiry_note, merge_card, step_problems
from .roles import ROLE_IDS, ROLES
from .roster import ROSTER_CARDS, search_key
from .rules import RuleSet, load_rules
from .validate import ValidationError
from .wording import plural

MATCH_CHOICES = ("name", "new")
ROLE_SPEC = FieldSpec("role", "Role", "choice", choices=tuple(ROLES))
_SPECS = {f.key: f for f in PAST_CARD_FIELDS}
CARD_FIELDS = ("issue_date", "body", "training_center", "ecard_code", "course_date", "expires")
_FIELD_ALIASES = {
    "issue_date": ("issue date", "issued", "issued on", "date issued", "issue", "completed", "completion date"),
    "body": ("body", "issuing body", "issuer", "issued by"),
    "training_center": ("training center", "training centre", "tc"),
    "ecard_code": ("ecard code", "ecard", "code", "card code", "card number"),
    "course_date": ("course date", "course", "event date", "instructor led event"),
    "expires": ("expires", "expiry", "expiry date", "expiration", "expiration date", "valid through", "valid until"),
}
_COMPUTED = ("state", "card status", "status", "days left", "renewal status")


def roster_columns() -> tuple[Column, ...]:
    cols = [
        Column("name", "Name", ("full name", "person", "staff", "staff name", "employee", "employee name"),
               required=True),
        Column("role", "Role", ("job", "position", "job title", "role id")),
    ]
    for c in ROSTER_CARDS:
        for f in CARD_FIELDS:
            aliases = tuple(f"{c} {a}" for a in _FIELD_ALIASES[f])
            cols.append(Column(f"{c}_{f}", f"{c.upper()} {f.replace('_', ' ')}", aliases))
        cols.append(Column(f"{c}_computed", f"{c.upper()} (computed)", tuple(f"{c} {a}" for a in _COMPUTED),
                           computed=True))
    cols.append(Column("computed", "(computed)", ("id", "role label", "missing typical", "missing"), computed=True))
    return tuple(cols)


def _spec(field: str) -> FieldSpec:
    if field == "body":
        return BODY_SPEC
    if field == "course_date":
        return FieldSpec("course_date", "Course date", "date")
    return _SPECS[field]


def preview_roster(store, data: bytes, today: dt.date, match_existing: str = "name",
                   rules: RuleSet | None = None) -> Preview:
    if match_existing not in MATCH_CHOICES:
        raise ValueError(f"match_existing: {match_existing!r} is not one of {', '.join(MATCH_CHOICES)}")
    rules = rules or load_rules()
    table, cmap, preview = start_preview(data, "roster", roster_columns())
    if preview.problems:
        return preview
    existing: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    if match_existing == "name":
        for pid, doc in store.all_documents():
            existing.setdefault(search_key(doc["name"]), []).append((pid, doc))
    seen: dict[str, int] = {}
    for n, cells in table.rows:
        values = row_values(cmap, cells)
        pr = PreviewRow(row=n, values=values)
        preview.rows.append(pr)
        _person(pr, values, cmap.headers, existing, seen, match_existing, today, rules)

    def _commit(st, rows, _today) -> str:
        created = updated = same = 0
        now = dict(st.all_documents([r.target for r in rows if r.target is not None]))
        for r in rows:
            if r.target is not None and now.get(r.target) != r.plan[5]:
                raise ValidationError([CsvProblem(r.row, "", f"profile {r.target} changed after the preview: "
                                                             "preview the file again")])
        for r in rows:
            target, name, role, tracks, facts, _ = r.plan
            if r.action == UNCHANGED:
                same += 1
            elif target is None:
                st.create_profile(name, role, tracks, facts)
                created += 1
            else:
                st.update_profile(target, role=role, tracks=tracks)
                st.save_facts(target, facts)
                updated += 1
        return (f"Imported {created + updated} of {len(rows)} people: {plural(created, 'new profile')}, "
                f"{updated} updated, {same} unchanged.")

    preview._commit = _commit
    return preview


def _person(pr: PreviewRow, values: dict[str, str], headers: dict[str, str],
            existing: dict[str, list[tuple[int, dict[str, Any]]]], seen: dict[str, int], match: str,
            today: dt.date, rules: RuleSet) -> None:
    def col(key: str) -> str:
        return headers.get(key, key)

    n = pr.row
    name = values.get("name", "")
    pr.label = name
    if not name:
        pr.problems.append(CsvProblem(n, col("name"), "Name is required"))
    elif any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        pr.problems.append(CsvProblem(n, col("name"), "contains a line break or a control character"))
    elif len(name) > 200:
        pr.problems.append(CsvProblem(n, col("name"), "is too long (at most 200 characters)"))
    key = search_key(name)
    if key and key in seen:
        pr.problems.append(CsvProblem(n, col("name"), f"'{name}' is also on row {seen[key]}: one row per person"))
    elif key:
        seen[key] = n
    role, why = convert(ROLE_SPEC, values.get("role", ""))
    if why:
        pr.problems.append(CsvProblem(n, col("role"), f"'{values['role']}' is not a known role (one of: "
                                                      f"{', '.join(ROLE_IDS)})"))
    cards: dict[str, dict[str, Any]] = {}
    for c in ROSTER_CARDS:
        rec: dict[str, Any] = {}
        for f in CARD_FIELDS:
            text = values.get(f"{c}_{f}", "")
            v, why = convert(_spec(f), text, BODY_ALIASES if f == "body" else None)
            if why:
                pr.problems.append(CsvProblem(n, col(f"{c}_{f}"), f"{c.upper()} {_spec(f).label.lower()}: {why}"))
            elif v is not None:
                rec[f] = v
        if rec and "issue_date" not in rec and not any(p.column == col(f"{c}_issue_date") for p in pr.problems):
            pr.problems.append(CsvProblem(n, col(f"{c}_issue_date") if f"{c}_issue_date" in headers else "",
                                          f"{c.upper()} issue date is needed when other {c.upper()} columns are "
                                          "filled (the card's expiry is computed from it)"))
        elif rec:
            cards[c] = rec
    matches = existing.get(key, []) if key else []
    if len(matches) > 1:
        ids = ", ".join(str(pid) for pid, _ in matches)
        pr.problems.append(CsvProblem(n, col("name"), f"{len(matches)} profiles are named '{name}' (ids {ids}): "
                                                      "rename one, or import with --match-existing new"))
    if not pr.ok:
        return
    if matches:
        target, doc = matches[0][0], copy.deepcopy(matches[0][1])
    else:
        target, doc = None, {"format": "certpath-profile/1", "name": name, "role": role or "other", "tracks": [],
                             "facts": {}, "overrides": {}}
    pr.target = target
    original = copy.deepcopy(doc)
    old_facts = copy.deepcopy(doc["facts"])
    old_role, old_tracks = doc["role"], list(doc["tracks"])
    if role:
        doc["role"] = role
    touched: set[str] = set()
    for c, rec in cards.items():
        steps = card_steps(c)
        before = step_problems(steps, doc, today, rules)
        merge_card(doc["facts"], c, rec)
        after = step_problems(steps, doc, today, rules)
        added = sorted(after - before)
        future_said = any(code == "cards.check.in_future" and fld.endswith("issue_date") for _s, fld, _m, code in added)
        for sid, fld, msg, _code in added:
            leaf = fld.rsplit(".", 1)[-1]
            column = {"issue_date": "issue_date", "ecard_code": "ecard_code", "body": "body",
                      "training_center": "training_center", "course_end": "course_date",
                      "course_start": "course_date", "expires": "expires"}.get(leaf)
            if column:
                what = f"{c.upper()} {column.replace('_', ' ')}"
                text = f"{what} {msg}" if msg.startswith("is ") else f"{what}: {msg}"
            else:
                text = f"{sid} {fld} (already recorded): {msg}"
            pr.problems.append(CsvProblem(n, col(f"{c}_{column}") if column and f"{c}_{column}" in headers else "",
                                          text))
        if dt.date.fromisoformat(rec["issue_date"]) > today and not future_said:
            pr.problems.append(CsvProblem(n, col(f"{c}_issue_date"), f"{c.upper()} issue date is in the future"))
        if c not in doc["tracks"]:
            doc["tracks"].append(c)
        touched.update([*steps, f"{c}.prerequisites", f"{c}.attend", f"{c}.exam"])
        if "expires" in rec:
            note = expiry_note(c, doc, rec["expires"], today, rules)
            if note and doc["facts"].get(f"{c}.card", {}).get("issue_date") == rec["issue_date"]:
                pr.warnings.append(CsvProblem(n, col(f"{c}_expires"), f"{c.upper()}: {note}"))
    if not pr.ok:
        return
    changes = {k: doc["facts"].get(k) or {} for k in sorted(touched) if doc["facts"].get(k) != old_facts.get(k)}
    if target is None:
        pr.action = CREATE
        facts = {k: v for k, v in doc["facts"].items() if v}
    else:
        pr.action = UPDATE if (changes or doc["role"] != old_role or doc["tracks"] != old_tracks) else UNCHANGED
        facts = changes
    held = ", ".join(f"{c.upper()} {r['issue_date']}" for c, r in cards.items())
    pr.label = name + (f" ({held})" if held else "")
    pr.plan = (target, name, doc["role"], list(doc["tracks"]), facts, original)
