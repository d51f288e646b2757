"""CSV exports of a profile: steps, deadlines, documents and costs.

UTF-8 with a byte-order mark and CRLF line ends, so Excel opens names in any script correctly.
A cell that starts with = + - @ (or a tab/CR) is prefixed with an apostrophe so a spreadsheet
never runs it as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from .engine.findings import Finding
from .wording import N_, iso_dates, register, text

KINDS = ("steps", "deadlines", "documents", "costs")
# what each table is, in words, for a chooser (the id stays the value and the file name's part)
register({
    "export.kind.steps": N_("Steps and their status"),
    "export.kind.deadlines": N_("Dates and deadlines"),
    "export.kind.documents": N_("Documents"),
    "export.kind.costs": N_("Costs"),
})


def kind_label(kind: str) -> str:
    """An export table's name in words ("Dates and deadlines" for `deadlines`)."""
    return text(Finding(f"export.kind.{kind}", {}))
BOM = "\ufeff"


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int | float):
        return str(v)
    s = str(v)
    if s and s[0] in "=+-@\t\r":
        return "'" + s
    return s


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return BOM + buf.getvalue()


def steps_rows(store, profile_id: int, today: dt.date) -> tuple[list[str], list[list]]:
    from .engine import evaluate, step_def, track_title
    from .engine.base import STATUS_LABELS

    journey = evaluate(store.document(profile_id), today)
    # `status` is the stable id (product.md: exports use it); `status_label` is for people. The
    # kinds of `due` and `deadline` (core.rules.DATE_KINDS: an opening is never overdue) come last,
    # so a reader of the earlier columns reads them unchanged.
    header = ["track", "step_id", "step", "status", "status_label", "due", "expires", "deadline", "next_actions",
              "blocked_by", "due_kind", "deadline_kind"]
    rows = []
    for t in journey.tracks:
        for s in t.steps:
            try:
                title = step_def(s.id).title
            except KeyError:
                title = s.id
            acts = "; ".join(f"{a.text}" + (f" ({a.date.isoformat()})" if a.date else "") for a in s.actions)
            blocked = "; ".join(b.reason for b in s.blocked_by)
            rows.append([track_title(t.track), s.id, title, s.status,
                         STATUS_LABELS.get(s.status, s.status), s.due, s.expires, s.deadline, acts, blocked,
                         (s.due_kind or "due") if s.due else "",
                         (s.deadline_kind or "deadline") if s.deadline else ""])
    return header, rows


def deadlines_rows(store, profile_id: int, today: dt.date) -> tuple[list[str], list[list]]:
    from .reminders import current

    # `date_kind` (last, so the earlier columns read unchanged): a step's date's kind; a passed
    # date that is not a deadline (an opening, a recommendation) is "passed", never "overdue"
    header = ["date", "title", "kind", "step_id", "state", "days_left", "stages", "repeat_days", "source_key",
              "date_kind"]
    rows = []
    for r in current(store, profile_id, today):
        state = ("done" if r.done else "overdue" if r.is_overdue(today) else
                 "snoozed" if r.snoozed(today) else "passed" if r.is_passed(today) else
                 "due now" if r.is_due_now(today) else "upcoming")
        rows.append([r.due, r.title, r.kind, r.step_id, state, r.days_left(today),
                     " ".join(str(s) for s in r.stages), r.repeat_days, r.source_key, r.date_kind])
    return header, rows


def documents_rows(store, profile_id: int, today: dt.date, paths=None) -> tuple[list[str], list[list]]:
    """One row per document. `expires` is the date set on the document itself; `effective_expires`
    the date CertPath uses (core.vault.effective_expiry, as the Documents list and the packet show
    it): that date, else its step's evaluated expiry on `today` (a card's last valid day), with
    `expiry_from` saying which ("document", "step", or empty for none). New columns go last, so a
    reader of the earlier columns reads them unchanged."""
    from .vault import Vault, effective_expiry, profile_documents, profile_step_expiries

    header = ["id", "step_id", "original_name", "mime", "size_bytes", "added", "expires", "state", "sha256", "note",
              "effective_expires", "expiry_from"]
    vault = Vault(store.db, paths) if paths is not None else None
    docs = profile_documents(store.db, profile_id)
    expiries = profile_step_expiries(store, profile_id, today) if docs else {}
    rows = []
    for d in docs:
        state = vault.verify(d) if vault is not None else ""
        eff, from_step = effective_expiry(d, expiries)
        source = "" if eff is None else "step" if from_step else "document"
        rows.append([d.id, d.step_id, d.original_name, d.mime, d.size, d.added_at, d.expires, state, d.sha256,
                     d.note, eff, source])
    return header, rows


def costs_rows(store, profile_id: int, today: dt.date) -> tuple[list[str], list[list]]:
    from .costs import Ledger

    header = ["id", "track", "step_id", "status", "date", "amount", "currency", "amount_cents", "note"]
    rows = []
    for c in Ledger(store).list(profile_id):
        whole, frac = divmod(c.amount_cents, 100)
        rows.append([c.id, c.track, c.step_id, c.status, c.date, f"{whole}.{frac:02d}", c.currency,
                     c.amount_cents, c.note])
    return header, rows


@iso_dates()  # an interface: ISO dates whatever the GUI shows
def export_csv(kind: str, store, profile_id: int, today: dt.date, paths=None) -> str:
    """The CSV text (with BOM) of one kind of export."""
    if kind == "steps":
        header, rows = steps_rows(store, profile_id, today)
    elif kind == "deadlines":
        header, rows = deadlines_rows(store, profile_id, today)
    elif kind == "documents":
        header, rows = documents_rows(store, profile_id, today, paths)
    elif kind == "costs":
        header, rows = costs_rows(store, profile_id, today)
    else:
        raise ValueError(f"unknown export {kind!r}; choose one of {', '.join(KINDS)}")
    return to_csv(header, rows)


def write_atomic(path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file, fsync and rename."""
    import os
    import tempfile
    from pathlib import Path

    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".export-", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
