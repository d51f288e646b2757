"""CSV exports: UTF-8 with BOM, one row per item, formulas neutralised; the command line."""

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from core.costs import Ledger
from core.exports import KINDS, export_csv
from core.paths import data_paths
from core.profiles import parse_document
from core.vault import Vault

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def filled(store, today, data_dir, tmp_path):
    from core import resources_dir

    doc = parse_document((resources_dir() / "demo" / "img-demo.json").read_bytes(), today)
    pid = store.import_document(doc)
    src = tmp_path / "x.pdf"
    src.write_bytes(b"x")
    Vault(store.db, data_paths(data_dir)).attach(pid, "ecfmg.school", src, today, original_name="=cmd|' /C calc'!A0")
    Ledger(store).add(pid, "usmle.step1", 100000, "USD", date=dt.date(2025, 1, 1), status="paid", note="-2+3")
    return store, pid


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_every_kind(filled, today, data_dir):
    store, pid = filled
    steps = _rows(export_csv("steps", store, pid, today))
    assert steps[0][:5] == ["track", "step_id", "step", "status", "status_label"]
    assert any(r[1] == "usmle.step2ck" for r in steps[1:])
    from core.engine.base import STATUS_LABELS, STATUSES

    assert all(r[3] in STATUSES and r[4] == STATUS_LABELS[r[3]] for r in steps[1:])
    deadlines = _rows(export_csv("deadlines", store, pid, today))
    assert deadlines[0][0] == "date" and len(deadlines) > 3
    assert [r[0] for r in deadlines[1:]] == sorted(r[0] for r in deadlines[1:])
    docs = _rows(export_csv("documents", store, pid, today, paths=data_paths(data_dir)))
    assert docs[1][2] == "'=cmd|' /C calc'!A0"  # never a formula in a spreadsheet
    assert docs[1][7] == "ok"
    costs = _rows(export_csv("costs", store, pid, today))
    assert costs[1][5:8] == ["1000.00", "USD", "100000"] and costs[1][8] == "'-2+3"
    with pytest.raises(ValueError):
        export_csv("bogus", store, pid, today)


def test_cli_csv(filled, today, data_dir, tmp_path):
    store, pid = filled
    for kind in KINDS:
        out = subprocess.run([sys.executable, "-m", "core", "csv", kind, str(pid), "--data-dir", str(data_dir),
                              "--today", today.isoformat()], cwd=ROOT, capture_output=True, check=True)
        assert out.stdout.startswith("\ufeff".encode()), kind
        assert out.stdout.decode("utf-8") == export_csv(kind, store, pid, today, paths=data_paths(data_dir))
    f = tmp_path / "steps.csv"
    subprocess.run([sys.executable, "-m", "core", "csv", "steps", str(pid), "--data-dir", str(data_dir),
                    "-o", str(f)], cwd=ROOT, check=True)
    assert f.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = subprocess.run([sys.executable, "-m", "core", "csv", "nope", str(pid)], cwd=ROOT, capture_output=True)
    assert bad.returncode == 2


OLD_DOCUMENT_COLUMNS = ["id", "step_id", "original_name", "mime", "size_bytes", "added", "expires", "state", "sha256",
                        "note"]


def test_documents_csv_has_the_computed_expiry_after_the_old_columns(store, today, data_dir, tmp_path):
    """A card document without a date of its own expires with the card (core.vault.effective_expiry,
    as the Documents list and the packet say); the old columns keep their names and order."""
    from core import resources_dir
    from core.engine import evaluate
    from core.vault import step_expiries

    doc = parse_document((resources_dir() / "demo" / "provider-demo.json").read_bytes(), today)
    pid = store.import_document(doc)
    card_expires = step_expiries(evaluate(store.document(pid), today))["pals.card"]
    vault = Vault(store.db, data_paths(data_dir))
    for name in ("card.pdf", "own.pdf", "cv.pdf"):
        (tmp_path / name).write_bytes(name.encode())
    card = vault.attach(pid, "pals.card", tmp_path / "card.pdf", today).document
    own = vault.attach(pid, "pals.card", tmp_path / "own.pdf", today, expires=dt.date(2027, 1, 15)).document
    cv = vault.attach(pid, "profile", tmp_path / "cv.pdf", today).document

    rows = _rows(export_csv("documents", store, pid, today, paths=data_paths(data_dir)))
    header = rows[0]
    assert header[:len(OLD_DOCUMENT_COLUMNS)] == OLD_DOCUMENT_COLUMNS
    assert header[len(OLD_DOCUMENT_COLUMNS):] == ["effective_expires", "expiry_from"]
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert (by_id[card.id]["expires"], by_id[card.id]["effective_expires"], by_id[card.id]["expiry_from"]) \
        == ("", card_expires.isoformat(), "step")
    assert (by_id[own.id]["expires"], by_id[own.id]["effective_expires"], by_id[own.id]["expiry_from"]) \
        == ("2027-01-15", "2027-01-15", "document")
    assert (by_id[cv.id]["effective_expires"], by_id[cv.id]["expiry_from"]) == ("", "")
    # a reader of the old columns (csv.DictReader by name, or by position) reads what it always did
    old = {int(r[0]): r[:len(OLD_DOCUMENT_COLUMNS)] for r in rows[1:]}
    assert old[own.id][6] == "2027-01-15" and old[card.id][7] == "ok"

    # the date follows the card: a renewed card moves it (computed each export, never stored)
    store.save_facts(pid, {"pals.card": {**store.document(pid)["facts"]["pals.card"], "issue_date": "2026-11-01"}})
    renewed = step_expiries(evaluate(store.document(pid), today))["pals.card"]
    assert renewed != card_expires
    again = {int(r[0]): r for r in _rows(export_csv("documents", store, pid, today))[1:]}
    assert again[card.id][10] == renewed.isoformat() and again[own.id][10] == "2027-01-15"
