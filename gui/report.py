"""PDF output drawn by Qt's own writer (no extra package): the status report and a packet's index.

Both are HTML laid out by QTextDocument and printed to a QPdfWriter (A4, 300 dpi). Text stays
text in the PDF (searchable, copyable). The functions return bytes or write a file; nothing
here shows a window, so `certpath --report FILE.pdf` works without a screen.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

from core import __version__
from core.engine import evaluate, step_def, track_title
from core.engine.base import STATUS_LABELS
from core.wording import iso_dates, plural, texts

DISCLAIMER = ("CertPath is a planner. Verify every requirement with ECFMG, USMLE, NRMP, your state board and "
              "your training center; this is not legal advice.")

_CSS = """
body { font-family: sans-serif; font-size: 9pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 4pt 0; }
h2 { font-size: 12.5pt; margin: 12pt 0 4pt 0; border-bottom: 1px solid #888; }
h3 { font-size: 10.5pt; margin: 8pt 0 2pt 0; }
table { border-collapse: collapse; }
th { background: #e6e6e6; text-align: left; }
td, th { padding: 2pt 4pt; vertical-align: top; }
.small { font-size: 8pt; color: #444; }
.status-done { color: #1b5e20; } .status-at_risk, .status-expired, .status-blocked { color: #b71c1c; }
"""


def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def _d(v) -> str:
    return v.isoformat() if isinstance(v, dt.date) else ""


def _title(step_id: str) -> str:
    try:
        return step_def(step_id).title
    except KeyError:
        return step_id


@iso_dates()  # a document to hand over: ISO dates, like every export
def report_html(doc: dict, today: dt.date, profile_id: int | None = None) -> str:
    from core.rules import RuleNotFound, load_rules

    journey = evaluate(doc, today)
    rules = load_rules()
    overrides = doc.get("overrides") or {}
    parts = [f"<html><head><style>{_CSS}</style></head><body>",
             f"<h1>CertPath status report: {_e(doc.get('name'))}</h1>",
             f"<p class='small'>As of {today.isoformat()} · role: {_e(doc.get('role'))} · tracks: "
             f"{_e(', '.join(track_title(t) for t in doc.get('tracks') or []) or 'none')}"
             f" · CertPath {__version__}</p>",
             f"<p class='small'>{_e(DISCLAIMER)}</p>"]
    used_rules: list[str] = []
    for t in journey.tracks:
        parts.append(f"<h2>{_e(track_title(t.track))}</h2>")
        parts.append("<table width='100%' border='1' cellspacing='0'><tr><th width='28%'>Step</th>"
                     "<th width='11%'>Status</th><th width='12%'>Due</th><th width='12%'>Expires</th>"
                     "<th>Next actions and reasons</th></tr>")
        for s in t.steps:
            notes = []
            for a in s.actions:
                notes.append(_e(a.text) + (f" <b>({a.date.isoformat()})</b>" if a.date else ""))
            for b in s.blocked_by:
                notes.append("Blocked: " + _e(b.reason))
            if s.deadline:
                notes.append(f"Deadline at risk: {s.deadline.isoformat()}")
            notes += [f"<span class='small'>{_e(r)}</span>" for r in texts(s.reasons[:3])]
            notes += [f"<span class='small'>Warning: {_e(w)}</span>" for w in texts(s.warnings[:3])]
            parts.append(
                f"<tr><td>{_e(_title(s.id))}<br/><span class='small'>{_e(s.id)}</span></td>"
                f"<td class='status-{_e(s.status)}'>{_e(STATUS_LABELS.get(s.status, s.status))}</td>"
                f"<td nowrap>{_d(s.due)}</td><td nowrap>{_d(s.expires)}</td><td>{'<br/>'.join(notes)}</td></tr>")
            for rid in s.rules:
                if rid not in used_rules:
                    used_rules.append(rid)
        parts.append("</table>")
    parts.append("<h2>Rules applied, with sources</h2>")
    parts.append("<table width='100%' border='1' cellspacing='0'><tr><th width='24%'>Rule</th><th>Statement"
                 "</th><th width='12%'>Checked</th><th width='12%'>Confidence</th></tr>")
    for rid in sorted(used_rules):
        try:
            r = rules.find(rid, today, overrides) or rules.records(rid)[-1]
        except RuleNotFound:
            continue
        src = "<br/>".join(f"<span class='small'>{_e(u)}</span>" for u in r.urls)
        mine = " <b>(your value)</b>" if r.is_override else ""
        parts.append(f"<tr><td>{_e(r.id)}{mine}</td><td>{_e(r.statement)}<br/>{src}</td>"
                     f"<td nowrap>{r.checked.isoformat()}</td><td>{_e(r.confidence)}</td></tr>")
    parts.append("</table></body></html>")
    return "".join(parts)


@iso_dates()  # a document to hand over: ISO dates, like every export
def packet_index_html(plan) -> str:
    rows = []
    for i, e in enumerate(plan.entries, 1):
        d = e.document
        orig = f"<br/><span class='small'>Original name: {_e(d.original_name)}</span>" \
            if d.original_name != e.name_in_zip else ""
        of = _e(e.item or e.step_title)
        if e.item and e.item != e.step_title:
            of += f"<br/><span class='small'>Step: {_e(e.step_title)}</span>"
        rows.append(f"<tr><td>{i}</td><td>{_e(e.name_in_zip)}{orig}</td><td>{of}</td>"
                    f"<td>{_e(d.mime)}</td><td align='right' nowrap>{d.size:,}</td><td nowrap>{_d(e.expires)}</td></tr>")
    purpose = f"<p>Purpose: {_e(plan.purpose)}</p>" if plan.purpose else ""
    note = f"<p>Note: {_e(plan.note)}</p>" if plan.note else ""
    return (f"<html><head><style>{_CSS}</style></head><body>"
            f"<h1>Documents of {_e(plan.profile_name)}</h1>"
            f"<p>For: <b>{_e(plan.recipient)}</b></p>{purpose}<p>Date: {plan.today.isoformat()}</p>{note}"
            f"<h2>{plural(len(plan.entries), 'document')}</h2>"
            "<table width='100%' border='1' cellspacing='0'><tr><th>#</th><th>File</th><th>Document of</th>"
            "<th>Type</th><th>Bytes</th><th>Expires</th></tr>" + "".join(rows) + "</table>"
            "<p class='small'>The SHA-256 of each file is listed in index.txt. Made with CertPath (offline).</p>"
            "</body></html>")


def html_to_pdf(html_text: str, title: str = "CertPath") -> bytes:
    """Lay out `html_text` on A4 pages and return the PDF bytes (needs a QGuiApplication)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF
    from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    if QGuiApplication.instance() is None:
        raise RuntimeError("html_to_pdf needs a QGuiApplication")
    from .fonts import load_bundled_fonts

    load_bundled_fonts()  # so a name in Devanagari is embedded, not boxes (once per process)
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buf)
    writer.setTitle(title)
    writer.setCreator(f"CertPath {__version__}")
    writer.setResolution(300)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    doc.setHtml(html_text)
    # lay out at the page's size in points so the fonts come out at their point size
    rect = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    del writer  # finishes the file
    buf.close()
    return bytes(data.data())


def report_pdf(doc: dict, today: dt.date) -> bytes:
    return html_to_pdf(report_html(doc, today), f"CertPath status report: {doc.get('name', '')}")


def packet_index_pdf(plan) -> bytes:
    return html_to_pdf(packet_index_html(plan), f"Documents for {plan.recipient}")


def write_pdf(path: str | os.PathLike[str], data: bytes) -> None:
    from core.exports import write_atomic

    write_atomic(Path(path), data)


def write_report(session, path: str | os.PathLike[str]) -> None:
    write_pdf(path, report_pdf(session.document(), session.today))


def run_report(out: str, *, data_dir, today: dt.date, demo: bool) -> int:
    """`certpath --report FILE.pdf [--demo]`: open the session as the app does, write the PDF, exit."""
    import sys

    from core.db import DatabaseError

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # never needs a screen
    from PySide6.QtGui import QGuiApplication

    from .shell import open_session

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    try:
        session = open_session(data_dir, today, demo)
    except DatabaseError as e:
        print(f"certpath: {e}", file=sys.stderr)
        return 3
    try:
        if session.profile_id is None:
            print("certpath: there is no profile to report on yet (start CertPath to create one, or use --demo)",
                  file=sys.stderr)
            return 2
        try:
            write_report(session, out)
        except OSError as e:
            print(f"certpath: could not write {out}: {e}", file=sys.stderr)
            return 1
        print(out)
        return 0
    finally:
        session.store.db.close()
