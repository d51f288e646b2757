"""A full disk: "the disk is full; nothing was saved", nothing half-written, the typing kept.

SQLite's own limit (`PRAGMA max_page_count`) makes a write meet SQLITE_FULL exactly as a full disk
does: the real error path through core.db's storage boundary, nothing mocked. As root, a 2 MB
tmpfs makes the command line meet a really full disk.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.db import DISK_FULL_MESSAGE, DiskFullError, open_database
from core.paths import DataPaths
from core.store import Store

ROOT = Path(__file__).resolve().parent.parent


def _fill(db) -> None:
    """No page left for the next write on this connection."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")


def _fill_around(db, pid, key) -> None:
    """Fill the pages where the row (pid, key) of `facts` goes, up to the page limit: rows whose
    keys sort just before it, until SQLite says the file is full; the next write there needs a
    page that is not left."""
    _fill(db)
    i = 0
    while True:
        i += 1
        try:
            with db.atomic():
                db.execute("INSERT INTO facts (profile_id, key, data, updated_at) VALUES (?, ?, ?, 'x')",
                           [pid, f"{key[:-1]}a{i:06d}", "{}"])
        except DiskFullError:
            return
        assert i < 100_000


def test_a_full_disk_is_said_in_words_and_nothing_is_saved(tmp_path):
    db = open_database(tmp_path / "d.sqlite3")
    s = Store(db)
    pid = s.create_profile("Ana", "other", [])
    s.save_facts(pid, {"usmle.step1": {"score": 240}})
    _fill(db)
    with pytest.raises(DiskFullError) as e:
        s.save_facts(pid, {"usmle.step1": {"score": 245, "note": "x" * 200_000}, "ecfmg.school": {"a": 1}})
    assert str(e.value) == DISK_FULL_MESSAGE and str(e.value).startswith("the disk is full; nothing was saved")
    assert s.facts(pid) == {"usmle.step1": {"score": 240}}  # all of it or none of it
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_a_step_page_on_a_full_disk_says_so_and_keeps_the_typing(qtbot, data_dir, today, no_modal, shown_window):
    from gui.shell import open_session

    session = open_session(data_dir, today, demo=False)
    pid = session.store.create_profile("Dana", "nurse_picu", ["pals"], {})
    session.switch(pid)
    win = shown_window(session)
    page = win.open_step("pals.prerequisites")
    view = getattr(page, "view", page)
    form = view.form
    form.editor("precourse_score").setText("90")
    _fill_around(session.store.db, pid, "pals.prerequisites")
    assert view.save() is False
    assert "the disk is full; nothing was saved" in form.general_error.text()
    assert form.editor("precourse_score").text() == "90"  # the typing is kept
    assert view.is_dirty()
    assert session.store.step_facts(pid, "pals.prerequisites") == {}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"),
                    reason="mounting a small tmpfs needs root")
def test_the_command_line_on_a_really_full_disk(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        paths = DataPaths(mnt / "data").ensure()
        db = open_database(paths.db)
        Store(db).create_profile("Ana", "other", [])
        db.close()
        with open(mnt / "ballast", "wb") as f:  # fill the disk
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        big = tmp_path / "big.json"
        import json

        from core import resources_dir

        doc = json.loads((resources_dir() / "demo" / "provider-demo.json").read_text(encoding="utf-8"))
        doc["name"] = "Ben " + "x" * 150
        big.write_text(json.dumps(doc), encoding="utf-8")
        outcomes = []
        for _ in range(3):
            r = subprocess.run([sys.executable, "-m", "core", "import", str(big), "--data-dir", str(paths.root)],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)
            outcomes.append(r)
        failed = [r for r in outcomes if r.returncode != 0]
        assert failed, [r.stdout for r in outcomes]
        for r in failed:
            assert r.returncode == 3 and "the disk is full; nothing was saved" in r.stderr.lower(), r.stderr
            assert "Traceback" not in r.stderr
        (mnt / "ballast").unlink()
        conn = __import__("sqlite3").connect(str(paths.db))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
