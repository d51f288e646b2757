"""Importing one profile's history from a spreadsheet: past cards, or USMLE exam attempts.

`preview_history(store, profile_id, data, today, kind="cards"|"attempts")` returns a
core.csv_import.Preview; `core.csv_import.commit` writes its valid rows in one transaction.

Cards (`--kind cards`), one row per card, columns (aliases in CARD_COLUMNS):
  card (bls, pals, acls, nrp, pears), issue_date (required), body (aha, red_cross, aap, other),
  expires (only kept for past cards: the current card's expiry is computed), ecard_code,
  training_center, note.
The newest card of a track becomes its current card (`<card>.card`), the others go to its
`past_cards`; a card already recorded with the same issue date is updated, not added twice.
When a newer card replaces the current one, the current one moves to `past_cards` and the
course steps of the old course (enroll dates, prerequisites, attendance, exam) are cleared.

Attempts (`--kind attempts`), one row per attempt: exam (step1, step2ck, step3), date, result
(pass, fail, incomplete), score, result_date: into `usmle.<exam>.attempts`; an attempt already
recorded on the same date is updated.

Each row is checked with the step pages' own validation (`core.engine.check_step`) on the
profile as it would be after the rows before it; a row with problems is left out of the rest.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
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
from .datefmt import date_text
from .engine import check_step, step_def
from .engine.base import Context, FieldSpec
from .engine.cards import BODIES, PAST_CARD_FIELDS, card_expiry
from .roster import ROSTER_CARDS, search_key
from .rules import RuleSet, load_rules
from .validate import ValidationError
from .wording import plural

KINDS = ("cards", "attempts")

BODY_ALIASES = {
    "AHA": "aha", "American Heart Association": "aha", "Heart Association": "aha",
    "Red Cross": "red_cross", "American Red Cross": "red_cross", "ARC": "red_cross",
    "AAP": "aap", "American Academy of Pediatrics": "aap",
}
BODY_SPEC = FieldSpec("body", "Issuing body", "choice", choices=BODIES)
_SPECS = {f.key: f for f in PAST_CARD_FIELDS}

CARD_COLUMNS = (
    Column("card", "Card", ("track", "certification", "course", "card type", "type"), required=True),
    Column("issue_date", "Issue date", ("issued", "issued on", "date issued", "issue", "completion date",
                                        "completed", "date"), required=True),
    Column("body", "Issuing body", ("body", "issuer", "issued by", "organisation", "organization")),
    Column("expires", "Valid through", ("expires", "expiry", "expiry date", "expiration", "expiration date",
                                        "expires on", "renew by", "valid until")),
    Column("ecard_code", "eCard code", ("ecard", "card code", "code", "certificate number", "certificate id",
                                        "card number")),
    Column("training_center", "Training center", ("training centre", "tc", "training site", "site")),
    Column("note", "Note", ("notes", "comment", "comments")),
)

EXAM_STEPS = ("usmle.step1", "usmle.step2ck", "usmle.step3")
ATTEMPT_COLUMNS = (
    Column("exam", "Exam", ("step", "test", "usmle step", "usmle"), required=True),
    Column("date", "Test date", ("date", "exam date", "taken on", "sat on"), required=True),
    Column("result", "Result", ("outcome", "pass fail", "passed"), required=True),
    Column("score", "Score", ("three digit score", "3 digit score", "three-digit score")),
    Column("result_date", "Result released on", ("result date", "result released", "released", "score date",
                                                 "results date")),
)
RESULT_ALIASES = {"passed": "pass", "p": "pass", "failed": "fail", "f": "fail", "incomplete": "incomplete",
                  "i": "incomplete", "inc": "incomplete"}


def _attempt_specs() -> dict[str, FieldSpec]:
    rec = next(f for f in step_def("usmle.step1").fields if f.key == "attempts")
    return {f.key: f for f in rec.fields}


def card_id(text: str) -> str | None:
    """'PALS', 'pals', 'Pediatric Advanced Life Support' -> 'pals'."""
    from .engine.cards import CARD_TITLES

    key = search_key(text)
    for c in ROSTER_CARDS:
        if key in (c, search_key(CARD_TITLES[c])) or key == search_key(CARD_TITLES[c].split("(", 1)[-1].rstrip(")")):
            return c
    return None


def exam_id(text: str) -> str | None:
    """'Step 1', 'USMLE Step 2 CK', 'step2ck', 'usmle.step3', '1' -> the step id."""
    key = re.sub(r"[^a-z0-9]", "", search_key(text).replace("usmle", ""))
    return {"step1": "usmle.step1", "1": "usmle.step1", "s1": "usmle.step1",
            "step2ck": "usmle.step2ck", "step2": "usmle.step2ck", "2ck": "usmle.step2ck", "2": "usmle.step2ck",
            "ck": "usmle.step2ck", "s2": "usmle.step2ck", "step3": "usmle.step3", "3": "usmle.step3",
            "s3": "usmle.step3"}.get(key)


# --- merging one card into a profile's facts ---------------------------------------------------

def _clean(d: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, "")}


def merge_card(facts: dict[str, Any], card: str, rec: Mapping[str, Any]) -> str:
    """Put one card (`issue_date` required; `body`, `expires`, `ecard_code`, `training_center`,
    `note`, `course_date`) into `facts` (changed in place). Returns what happened:
    current_added, current_replaced, current_updated, past_added, past_updated or unchanged."""
    kc, ke = f"{card}.card", f"{card}.enroll"
    before = copy.deepcopy({k: facts.get(k) for k in (kc, ke, f"{card}.renewal")})
    cur = dict(facts.get(kc) or {})
    enroll = dict(facts.get(ke) or {})
    past = [dict(p) for p in (cur.pop("past_cards", None) or []) if isinstance(p, Mapping)]
    given = _clean(rec)
    issue = given["issue_date"]
    cur_issue = cur.get("issue_date")
    result = ""

    def set_course(d: str) -> None:
        enroll["course_end"] = d
        if not enroll.get("course_start") or enroll["course_start"] > d:
            enroll["course_start"] = d

    if cur_issue == issue:
        if "ecard_code" in given:
            cur["ecard_code"] = given["ecard_code"]
        for k in ("body", "training_center"):
            if k in given:
                enroll[k] = given[k]
        if "course_date" in given:
            set_course(given["course_date"])
        result = "current_updated"
    elif cur_issue is None or issue > cur_issue:
        if cur_issue is not None:  # the current card becomes history; its course steps with it
            past.append(_clean({"body": enroll.get("body"), "issue_date": cur_issue, "ecard_code": cur.get("ecard_code"),
                                "training_center": enroll.get("training_center")}))
            for name in ("prerequisites", "attend", "exam"):
                facts.pop(f"{card}.{name}", None)
            enroll = _clean({"body": enroll.get("body")})
            ren = facts.get(f"{card}.renewal") or {}
            if ren.get("renewal_course_date") and ren["renewal_course_date"] <= issue:
                facts.pop(f"{card}.renewal", None)  # that renewal course gave this card
            result = "current_replaced"
        else:
            booked = enroll.get("course_start") or enroll.get("course_end")
            if booked and booked > issue:  # a course booked after this card is its renewal
                ren = dict(facts.get(f"{card}.renewal") or {})
                ren.setdefault("renewal_course_date", booked)
                facts[f"{card}.renewal"] = ren
                enroll.pop("course_start", None)
                enroll.pop("course_end", None)
            result = "current_added"
        cur = _clean({"issue_date": issue, "ecard_code": given.get("ecard_code")})
        for k in ("body", "training_center"):
            if k in given:
                enroll[k] = given[k]
        if "course_date" in given:
            set_course(given["course_date"])
    else:
        old = next((p for p in past if p.get("issue_date") == issue), None)
        fields = {k: given[k] for k in ("body", "expires", "ecard_code", "training_center", "note") if k in given}
        if old is None:
            past.append({"issue_date": issue, **fields})
            result = "past_added"
        else:
            old.update(fields)
            result = "past_updated"
    past.sort(key=lambda p: str(p.get("issue_date", "")))
    if past:
        cur["past_cards"] = past
    facts[kc] = cur
    if enroll:
        facts[ke] = enroll
    else:
        facts.pop(ke, None)
    after = {k: facts.get(k) for k in (kc, ke, f"{card}.renewal")}
    return UNCHANGED if after == before else result


# --- validation helpers shared with the roster import ------------------------------------------

def _norm_field(field: str) -> str:
    return re.sub(r"\[\d+\]", "[]", field)


def step_problems(step_ids: list[str], doc: Mapping[str, Any], today: dt.date,
                  rules: RuleSet) -> set[tuple[str, str, str, str]]:
    """(step id, field with indexes blanked, message, finding code or "") of every problem of those
    steps' facts."""
    out = set()
    facts = doc.get("facts") or {}
    for sid in step_ids:
        data = facts.get(sid) or {}
        for p in check_step(sid, data, doc, today, rules):
            out.add((sid, _norm_field(p.field), p.message, p.code or ""))
    return out


def card_steps(card: str) -> list[str]:
    return [f"{card}.enroll", f"{card}.card", f"{card}.renewal"]


def expiry_note(card: str, doc: Mapping[str, Any], given: str, today: dt.date, rules: RuleSet) -> str | None:
    """When a sheet's expiry date for the current card differs from the engine's, say so."""
    exp, rule = card_expiry(Context(today=today, rules=rules, profile=doc), card)
    if exp is None or rule is None or exp.isoformat() == given:
        return None
    try:
        said = date_text(dt.date.fromisoformat(given))
    except ValueError:  # not a date (the row's own problem says so): as the sheet has it
        said = given
    # the dates as the GUI shows dates (its installed format; ISO in the command line)
    return (f"the sheet says {said}; CertPath computes {date_text(exp)} from the issue date "
            f"(rule {rule.id}) and shows that")


# --- the preview -------------------------------------------------------------------------------

def preview_history(store, profile_id: int, data: bytes, today: dt.date, kind: str,
                    rules: RuleSet | None = None) -> Preview:
    if kind not in KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    rules = rules or load_rules()
    table, cmap, preview = start_preview(data, kind, CARD_COLUMNS if kind == "cards" else ATTEMPT_COLUMNS)
    doc = store.document(profile_id)
    work = copy.deepcopy(doc)
    work["facts"] = dict(work.get("facts") or {})
    tracks = list(work.get("tracks") or [])
    if preview.problems:
        return preview
    touched: set[str] = set()
    added_tracks: list[str] = []
    rows = [(n, row_values(cmap, cells)) for n, cells in table.rows]
    if kind == "cards":
        # newest card first per track: it becomes the current card and the older ones its history
        # (with the expiry dates the sheet gives them), whatever the order of the sheet
        rows.sort(key=lambda nv: (card_id(nv[1].get("card", "")) or "~", _neg(nv[1].get("issue_date", ""))))
    for n, values in rows:
        pr = PreviewRow(row=n, values=values)
        preview.rows.append(pr)
        col = lambda key: cmap.headers.get(key, key)  # noqa: E731
        if kind == "cards":
            step_ids, track = _card_row(pr, values, col, work, today, rules)
        else:
            step_ids, track = _attempt_row(pr, values, col, work, today, rules)
        if track and track not in tracks and pr.ok:
            tracks.append(track)
            added_tracks.append(track)
            pr.warnings.append(CsvProblem(n, "", f"adds the {track.upper()} journey to this profile"))
        if pr.ok and pr.action != UNCHANGED:
            touched.update(step_ids)
        work["tracks"] = tracks
    preview.rows.sort(key=lambda r: r.row)
    final_facts = {k: work["facts"].get(k) or {} for k in touched}
    final_tracks = list(tracks)

    def _commit(st, rows, _today) -> str:
        if not rows:
            return "Nothing to import."
        if st.document(profile_id) != doc:
            raise ValidationError([CsvProblem(0, "", "the profile changed after the preview: "
                                                     "preview the file again")])
        if final_tracks != list(doc.get("tracks") or []):
            st.update_profile(profile_id, tracks=final_tracks)
        if final_facts:
            st.save_facts(profile_id, final_facts)
        changed = sum(1 for r in rows if r.action != UNCHANGED)
        return (f"Imported {plural(changed, 'row')} into profile {profile_id}"
                + (f" ({len(rows) - changed} already recorded)" if len(rows) > changed else "")
                + (f"; added {plural(len(added_tracks), 'journey')}: {', '.join(added_tracks)}" if added_tracks else "") + ".")

    preview._commit = _commit
    return preview


def _neg(text: str) -> tuple[int, ...]:
    """A sort key putting later ISO dates first (text that is not a date last)."""
    try:
        d = dt.date.fromisoformat(text.strip())
    except ValueError:
        return (1,)
    return (0, -d.toordinal())


def _convert_all(pr: PreviewRow, values: dict[str, str], specs: dict[str, FieldSpec], col,
                 extra: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, spec in specs.items():
        if key not in values:
            continue
        v, why = convert(spec, values[key], (extra or {}).get(key))
        if why:
            pr.problems.append(CsvProblem(pr.row, col(key), f"{spec.label}: {why}"))
        elif v is not None:
            out[key] = v
    return out


def _row_problems(pr: PreviewRow, before: set, after: set, col, columns: dict[str, str]) -> None:
    for sid, fld, msg, _code in sorted(after - before):
        leaf = fld.rsplit(".", 1)[-1]
        pr.problems.append(CsvProblem(pr.row, col(columns[leaf]) if leaf in columns else "",
                                      msg if leaf in columns else f"{sid} {fld}: {msg}"))


def _card_row(pr: PreviewRow, values, col, work, today, rules) -> tuple[list[str], str | None]:
    card = card_id(values.get("card", ""))
    if card is None:
        what = values.get("card", "")
        pr.problems.append(CsvProblem(pr.row, col("card"), f"'{what}' is not a card (one of: "
                                                           f"{', '.join(ROSTER_CARDS)})" if what else "is empty"))
    specs = {**{k: _SPECS[k] for k in ("issue_date", "expires", "ecard_code", "training_center", "note")},
             "body": BODY_SPEC}
    rec = _convert_all(pr, values, specs, col, {"body": BODY_ALIASES})
    if "issue_date" not in rec and not any(p.column == col("issue_date") for p in pr.problems):
        pr.problems.append(CsvProblem(pr.row, col("issue_date"), "Issue date is required"))
    if card is None or not pr.ok:
        pr.label = values.get("card", "").upper()
        return [], None
    pr.label = f"{card.upper()} {rec['issue_date']}"
    steps = card_steps(card)
    before_facts = copy.deepcopy(work["facts"])
    before = step_problems(steps, work, today, rules)
    what = merge_card(work["facts"], card, rec)
    after = step_problems(steps, work, today, rules)
    rd = dt.date.fromisoformat(rec["issue_date"])
    if rd > today:
        pr.problems.append(CsvProblem(pr.row, col("issue_date"), "is in the future"))
    if rec.get("expires") and rec["expires"] <= rec["issue_date"]:
        pr.problems.append(CsvProblem(pr.row, col("expires"), "must be after the card's issue date"))
    _row_problems(pr, before, after, col, {"issue_date": "issue_date", "body": "body", "ecard_code": "ecard_code",
                                           "training_center": "training_center", "expires": "expires",
                                           "note": "note"})
    if not pr.ok:
        work["facts"] = before_facts
        return [], None
    pr.action = {"unchanged": UNCHANGED, "current_added": CREATE, "past_added": CREATE}.get(what, UPDATE)
    pr.label += {"current_added": " (current card)", "current_replaced": " (current card; the previous one "
                 "goes to past cards)", "current_updated": " (current card)", "past_added": " (past card)",
                 "past_updated": " (past card)", "unchanged": " (already recorded)"}[what]
    if rec.get("expires") and what.startswith("current"):
        note = expiry_note(card, work, rec["expires"], today, rules)
        if note:
            pr.warnings.append(CsvProblem(pr.row, col("expires"), note))
    return [k for k in (*steps, f"{card}.prerequisites", f"{card}.attend", f"{card}.exam")], card


def _attempt_row(pr: PreviewRow, values, col, work, today, rules) -> tuple[list[str], str | None]:
    step = exam_id(values.get("exam", ""))
    if step is None:
        what = values.get("exam", "")
        pr.problems.append(CsvProblem(pr.row, col("exam"), f"'{what}' is not a USMLE exam (Step 1, Step 2 CK "
                                                           "or Step 3)" if what else "is empty"))
    rec = _convert_all(pr, values, _attempt_specs(), col, {"result": RESULT_ALIASES})
    for key, label in (("date", "Test date"), ("result", "Result")):
        if key not in rec and not any(p.column == col(key) for p in pr.problems):
            pr.problems.append(CsvProblem(pr.row, col(key), f"{label} is required"))
    if step is None or not pr.ok:
        pr.label = values.get("exam", "")
        return [], None
    pr.label = f"{step_def(step).title} {rec['date']} {rec['result']}"
    before_facts = copy.deepcopy(work["facts"])
    before = step_problems([step], work, today, rules)
    data = dict(work["facts"].get(step) or {})
    attempts = [dict(a) for a in (data.get("attempts") or []) if isinstance(a, Mapping)]
    old = next((a for a in attempts if a.get("date") == rec["date"]), None)
    if old is None:
        attempts.append(rec)
        pr.action = CREATE
    elif all(old.get(k) == v for k, v in rec.items()):
        pr.action = UNCHANGED
    else:
        old.update(rec)
        pr.action = UPDATE
    attempts.sort(key=lambda a: str(a.get("date", "")))
    data["attempts"] = attempts
    work["facts"][step] = data
    after = step_problems([step], work, today, rules)
    _row_problems(pr, before, after, col, {k: k for k in ("date", "result", "score", "result_date")})
    if not pr.ok:
        work["facts"] = before_facts
        return [], None
    return [step], "img"
