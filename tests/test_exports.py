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
