"""Bringing spreadsheet data in: reading a CSV, mapping its columns, a preview, one transaction.

Shared by the roster import (core/roster_import.py: people and their cards), the history import
of one profile (core/history_import.py: past cards, exam attempts) and the application season's
programs (core/programs_import.py).

- `read_csv(data)`: a CSV with a header row. UTF-8 with or without a byte-order mark; UTF-16
  with a BOM (Excel's "Unicode text"); otherwise Windows-1252 (Excel's plain "CSV" on Windows),
  said in a note so the user checks accented names. The separator is found from the header row:
  comma, semicolon (Excel where the decimal mark is a comma) or tab. Lines starting with `#`
  before the header are comments (the roster export writes one).
- `map_columns(table, columns)`: header names matched case-, accent- and punctuation-insensitively
  against each column's key and aliases ("PALS issue date" = "pals_issue_date"); a text in
  parentheses is ignored ("Issue date (YYYY-MM-DD)").
- A kind's `preview_*` function starts with `start_preview` (the file read, its columns matched,
  the file's problems and notes) and returns a `Preview`: every row with its problems (`CsvProblem`:
  row number as the spreadsheet shows it, the column as headed in the file, a message), what
  would happen to it, and a `commit` that writes the valid rows. Building a preview writes nothing.
- `commit(store, preview, today)` writes the valid rows in ONE transaction (all or nothing);
  a caller that cancels simply never calls it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .db import transaction
from .engine.base import FieldSpec
from .roster import search_key
from .validate import date_problem as _date_problem
from .validate import parse_date
from .wording import plural

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_CELL = 2000


@dataclass(frozen=True)
class CsvProblem:
    """A problem in the file, in core.validate.Problem's style (`field`, `message`)."""

    row: int  # the row number a spreadsheet shows (the first line is row 1); 0: the whole file
    column: str  # the column's header as written in the file; "" for the whole row
    message: str

    @property
    def field(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column '{self.column}'" if self.column else where

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class CsvError(ValueError):
    """The file cannot be read as a CSV table at all."""

    def __init__(self, problems: list[CsvProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class CsvTable:
    header: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]  # (row number, cells)
    encoding: str
    delimiter: str
    notes: list[str] = field(default_factory=list)


# --- reading -----------------------------------------------------------------------------------

def _decode(data: bytes) -> tuple[str, str, list[str]]:
    if data[:4] == b"PK\x03\x04":
        raise CsvError([CsvProblem(0, "", "is an Excel workbook (.xlsx), not a CSV file: in your spreadsheet "
                                          "choose Save As ▸ CSV UTF-8 (comma delimited)")])
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "UTF-16", []
        except UnicodeDecodeError:
            raise CsvError([CsvProblem(0, "", "starts like UTF-16 text but is not valid UTF-16")]) from None
    if data[:3] == b"\xef\xbb\xbf":
        try:
            return data[3:].decode("utf-8"), "UTF-8 (with BOM)", []
        except UnicodeDecodeError as e:
            raise CsvError([CsvProblem(0, "", f"starts as UTF-8 but byte {e.start + 3} is not UTF-8")]) from None
    if b"\x00" in data[:4096]:
        raise CsvError([CsvProblem(0, "", "is not a text file (it holds NUL bytes): save the table as CSV")])
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvError([CsvProblem(0, "", "is neither UTF-8 nor Windows-1252 text: save it from your spreadsheet "
                                          "as 'CSV UTF-8 (comma delimited)'")]) from None
    return text, "Windows-1252", [
        "The file is not UTF-8, so it was read as Windows-1252 (what Excel saves as plain 'CSV' on Windows). "
        "Check that accented names look right in the preview; saving as 'CSV UTF-8' avoids this."]


def _delimiter(text: str) -> str:
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#") or s.startswith('"#'):
            continue
        counts = {d: 0 for d in (",", ";", "\t")}
        quoted = False
        for ch in s:
            if ch == '"':
                quoted = not quoted
            elif not quoted and ch in counts:
                counts[ch] += 1
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","
    return ","


def read_csv(data: bytes) -> CsvTable:
    if len(data) > MAX_BYTES:
        raise CsvError([CsvProblem(0, "", f"is too large ({len(data) // (1024 * 1024)} MB; "
                                          f"at most {MAX_BYTES // (1024 * 1024)} MB)")])
    text, encoding, notes = _decode(data)
    delim = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[str]]] = []
    n = 0
    try:
        for cells in reader:
            n += 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                if cells[0].lstrip().startswith("#"):
                    continue
                header, header_row = [c.strip() for c in cells], n
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvError([CsvProblem(n, "", f"too many rows (at most {MAX_ROWS})")])
            rows.append((n, cells))
    except csv.Error as e:
        raise CsvError([CsvProblem(n + 1, "", f"cannot be read as CSV ({e})")]) from None
    if header is None:
        raise CsvError([CsvProblem(0, "", "is empty: it needs a header row and at least one row")])
    return CsvTable(header, header_row, rows, encoding, delim, notes)


# --- columns -----------------------------------------------------------------------------------

def header_key(text: str) -> str:
    """A header folded for matching: 'PALS Issue-Date (YYYY-MM-DD)' -> 'pals issue date'."""
    text = re.sub(r"\([^)]*\)", " ", text)
    return " ".join(re.sub(r"[_\-./:#]+", " ", search_key(text)).split())


@dataclass(frozen=True)
class Column:
    key: str  # the canonical header (what exports write)
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    computed: bool = False  # written by an export, ignored on import without a warning

    def names(self) -> set[str]:
        return {header_key(self.key), header_key(self.label), *(header_key(a) for a in self.aliases)}


@dataclass
class ColumnMap:
    index: dict[str, int]  # column key -> position in the row
    headers: dict[str, str]  # column key -> the header as written in the file
    ignored: list[str]  # headers matching no column
    problems: list[CsvProblem]


def map_columns(table: CsvTable, columns: Sequence[Column]) -> ColumnMap:
    by_name: dict[str, Column] = {}
    for c in columns:
        for n in c.names():
            by_name.setdefault(n, c)
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[CsvProblem] = []
    for i, h in enumerate(table.header):
        col = by_name.get(header_key(h))
        if col is None:
            if h:
                ignored.append(h)
            continue
        if col.computed:
            continue
        if col.key in index:
            problems.append(CsvProblem(table.header_row, h, f"is the same column as '{headers[col.key]}' "
                                                            f"({col.label}): keep one"))
            continue
        index[col.key] = i
        headers[col.key] = h
    for c in columns:
        if c.required and c.key not in index:
            alts = ", ".join(sorted({c.key, c.label, *c.aliases})[:6])
            problems.append(CsvProblem(table.header_row, "", f"no '{c.label}' column: the header row needs one "
                                                             f"(any of: {alts})"))
    return ColumnMap(index, headers, ignored, problems)


def row_values(cmap: ColumnMap, cells: list[str]) -> dict[str, str]:
    """The row's text per column key (stripped; missing trailing cells are empty). A leading
    apostrophe that an export added before = + - @ (so a spreadsheet never runs it) is removed."""
    out = {}
    for key, i in cmap.index.items():
        v = cells[i].strip() if i < len(cells) else ""
        if len(v) > 1 and v[0] == "'" and v[1] in "=+-@":
            v = v[1:]
        out[key] = v
    return out


# --- cell values -------------------------------------------------------------------------------

_TRUE = {"yes", "y", "true", "1", "x", "oui", "si", "ja"}
_FALSE = {"no", "n", "false", "0"}


def date_problem(text: str) -> str | None:
    """Why `text` is not an ISO date, in words; None when it is one (the one wording: core.validate)."""
    why = _date_problem(text)
    if why is not None and "either way round" in why:
        return why.replace("type it as YYYY-MM-DD", "format the column as YYYY-MM-DD in your spreadsheet")
    return why


def convert(spec: FieldSpec, text: str, extra_choices: dict[str, str] | None = None) -> tuple[Any, str | None]:
    """A cell's text as a value of `spec`'s kind, or (None, why not). Empty text is None."""
    if text == "":
        return None, None
    if len(text) > MAX_CELL:
        return None, f"is too long (at most {MAX_CELL} characters)"
    k = spec.kind
    if k == "text":
        return text, None
    if k == "date":
        why = date_problem(text)
        if why:
            return None, why
        d = parse_date(text)
        return (d.isoformat() if d else None), None
    if k in ("int", "float"):
        t = text.replace("\u00a0", "").replace(" ", "")
        if k == "float" and re.fullmatch(r"-?\d+,\d+", t):
            t = t.replace(",", ".")  # a decimal comma
        t = t.rstrip("%") if k == "float" else t
        try:
            v: Any = int(t) if k == "int" else float(t)
        except ValueError:
            return None, f"'{text}' is not a {'whole ' if k == 'int' else ''}number"
        return v, None
    if k == "bool":
        key = search_key(text)
        if key in _TRUE:
            return True, None
        if key in _FALSE:
            return False, None
        return None, f"'{text}' is not yes or no"
    if k == "choice":
        key = search_key(text)
        for value, label in spec.choices:
            if key in (search_key(value), search_key(label), search_key(value.replace("_", " "))):
                return value, None
        for alias, value in (extra_choices or {}).items():
            if key == search_key(alias):
                return value, None
        return None, f"'{text}' is not one of: " + ", ".join(v for v, _ in spec.choices)
    return None, f"cannot be read from a spreadsheet cell ({k})"


# --- the preview -------------------------------------------------------------------------------

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class PreviewRow:
    row: int
    values: dict[str, str]  # column key -> the cell's text
    problems: list[CsvProblem] = field(default_factory=list)
    warnings: list[CsvProblem] = field(default_factory=list)
    action: str = CREATE  # create | update | unchanged
    target: int | None = None  # the profile the row goes to (None: a new profile)
    label: str = ""  # who or what the row is, for the preview ("Dana Reyes", "PALS 2024-03-10")
    plan: Any = None  # what the kind's commit needs

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Preview:
    kind: str
    rows: list[PreviewRow]
    problems: list[CsvProblem] = field(default_factory=list)  # the whole file (missing columns...)
    notes: list[str] = field(default_factory=list)  # encoding, ignored columns
    headers: dict[str, str] = field(default_factory=dict)
    _commit: Callable[[Any, list[PreviewRow], dt.date], str] | None = None

    @property
    def valid_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.ok] if not self.problems else []

    @property
    def invalid_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if not r.ok]

    @property
    def all_problems(self) -> list[CsvProblem]:
        return [*self.problems, *(p for r in self.rows for p in r.problems)]

    @property
    def problem_count(self) -> int:
        return len(self.all_problems)

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.ok for r in self.rows)


def start_preview(data: bytes, kind: str, columns: Sequence[Column],
                  adjust: Callable[[CsvTable, ColumnMap], None] | None = None
                  ) -> tuple[CsvTable, ColumnMap, Preview]:
    """The start every kind's `preview_*` shares: read the file, match its header to `columns`
    (then `adjust` it: the user's own column choices), and a `Preview` holding the file's problems
    and notes (the encoding, "Columns not used: …"). With `preview.problems` the caller returns the
    preview as it is: no row is looked at. Raises CsvError for a file that cannot be read."""
    table = read_csv(data)
    cmap = map_columns(table, columns)
    if adjust is not None:
        adjust(table, cmap)
    preview = Preview(kind=kind, rows=[], problems=list(cmap.problems), notes=list(table.notes),
                      headers=cmap.headers)
    if cmap.ignored:
        preview.notes.append("Columns not used: " + ", ".join(f"'{h}'" for h in cmap.ignored))
    return table, cmap, preview


def commit(store, preview: Preview, today: dt.date) -> str:
    """Write the preview's valid rows in one transaction; returns what was done, in words.
    Raises core.validate.ValidationError (nothing written) if the data changed under the preview."""
    if preview._commit is None:
        raise ValueError("this preview cannot be committed")
    if preview.problems:
        raise ValueError("the file has problems: nothing can be imported from it")
    rows = preview.valid_rows
    with transaction(store.db):
        return preview._commit(store, rows, today)


def preview_text(preview: Preview, name: str = "") -> str:
    """The preview as plain text: notes, file problems, then one line per row with its problems."""
    lines = [f"Preview of {name}" if name else "Preview", *(f"  note: {n}" for n in preview.notes)]
    for p in preview.problems:
        lines.append(f"  {p}")
    for r in preview.rows:
        what = {CREATE: "new", UPDATE: "update", UNCHANGED: "unchanged"}.get(r.action, r.action)
        target = f" (profile {r.target})" if r.target else ""
        mark = "ok" if r.ok else "NOT IMPORTED"
        lines.append(f"  row {r.row}: {what}{target} {_safe(r.label)}: {mark}")
        for p in r.problems:
            lines.append(f"    {p}")
        for p in r.warnings:
            lines.append(f"    (note) {p}")
    n_ok = len(preview.valid_rows)
    lines.append(f"{n_ok} of {len(preview.rows)} rows can be imported; {plural(preview.problem_count, 'problem')}.")
    return "\n".join(lines) + "\n"


def _safe(text: str) -> str:
    from .roster import strip_controls

    return strip_controls(text)
