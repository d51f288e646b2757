"""`python -m core` commands that change data: profiles delete, attach, backup create/restore.

The GUI's words and exit codes; every command holds the data folder's lock; nothing is written
on a refusal; the start-up checks run before a write.
"""

import hashlib
import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from core import resources_dir

ROOT = Path(__file__).resolve().parent.parent
DEMO_PROVIDER = resources_dir() / "demo" / "provider-demo.json"


def core_cli(*args, env=None, timeout=120):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "core", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=e)


def _tree(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None for p in sorted(root.rglob("*"))
            if not p.name.startswith(".certpath.") and not (p.name.endswith(("-wal", "-shm")) and p.stat().st_size == 0)}


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    r = core_cli("import", DEMO_PROVIDER, "--data-dir", d)
    assert r.returncode == 0, r.stderr
    return d


def _profile(data, name="Second"):
    doc = json.loads(DEMO_PROVIDER.read_text(encoding="utf-8"))
    doc["name"] = name
    f = data.parent / f"{abs(hash(name))}.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    r = core_cli("import", f, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    return int(r.stdout)


def test_attach_then_delete_the_profile_with_its_documents(data, tmp_path):
    pid = _profile(data)
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(b"%PDF my card")
    r = core_cli("attach", pid, "pals.card", pdf, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "Attached “card.pdf” to pals.card" in r.stdout
    sha = hashlib.sha256(b"%PDF my card").hexdigest()
    blob = data / "vault" / sha[:2] / sha
    assert blob.read_bytes() == b"%PDF my card"
    r = core_cli("attach", pid, "pals.card", pdf, "--data-dir", data)
    assert r.returncode == 0 and "already attached" in r.stdout
    r = core_cli("profiles", "delete", pid, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "Deleted the profile “Second”" in r.stdout and "1 document file." in r.stdout
    assert not blob.exists()
    listed = core_cli("profiles", "--data-dir", data).stdout.strip().splitlines()
    assert len(listed) == 1 and "Second" not in listed[0]


@pytest.mark.parametrize("args, code, words", [
    (("profiles", "delete", "42"), 2, "no profile with id 42"),
    (("profiles", "delete", "x"), 2, "must be a number"),
    (("attach", "1", "no.such.step", "FILE"), 2, "is not a step id"),
    (("attach", "1", "pals.card", "MISSING"), 2, "was not found"),
    (("attach", "1", "pals.card", "DIR"), 2, "is a folder"),
    (("attach", "7", "pals.card", "FILE"), 2, "no profile with id 7"),
])
def test_refusals_exit_2_with_the_guis_words_and_write_nothing(data, tmp_path, args, code, words):
    f = tmp_path / "f.pdf"
    f.write_bytes(b"x")
    args = [str(f) if a == "FILE" else str(tmp_path / "missing.pdf") if a == "MISSING"
            else str(tmp_path) if a == "DIR" else a for a in args]
    before = _tree(data)
    r = core_cli(*args, "--data-dir", data)
    assert r.returncode == code, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    assert _tree(data) == before


def test_backup_create_and_restore(data, tmp_path):
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(b"%PDF my card")
    assert core_cli("attach", 1, "pals.card", pdf, "--data-dir", data).returncode == 0
    r = core_cli("backup", "create", tmp_path / "full", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "Your data and documents were backed up to:" in r.stdout
    archive = tmp_path / "full.zip"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with zipfile.ZipFile(archive) as zf:
        assert len([n for n in zf.namelist() if n.startswith("vault/")]) == 1
    second = _profile(data)
    r = core_cli("backup", "restore", archive, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "Your data was restored" in r.stdout and "The data it replaced was kept at:" in r.stdout
    listed = core_cli("profiles", "--data-dir", data).stdout
    assert f"{second}\tSecond" not in listed and len(listed.strip().splitlines()) == 1
    # an automatic backup restores the same way
    auto = sorted((data / "backups").glob("certpath-*-before-restore-*.sqlite3"))[-1]
    r = core_cli("backup", "restore", auto, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "Second" in core_cli("profiles", "--data-dir", data).stdout


def test_a_refused_archive_exits_2_and_changes_nothing(data, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"nope")
    before = _tree(data)
    r = core_cli("backup", "restore", junk, "--data-dir", data)
    assert r.returncode == 2
    assert "is not a CertPath backup" in r.stderr and "Nothing was changed." in r.stderr
    assert _tree(data) == before


HOLD = """
import sys, time
from pathlib import Path
from core.instance_lock import data_lock
from core.db import open_database
root = Path(sys.argv[1])
if sys.argv[2] == "exclusive":
    with data_lock(root).exclusive():
        print("held", flush=True)
        time.sleep(float(sys.argv[3]))
else:
    db = open_database(root / "certpath.sqlite3")  # a window: the lock is held shared while open
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
    db.close()
"""


def _hold(data, how, seconds=30):
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(data), how, str(seconds)], cwd=ROOT,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    return p


def test_a_writer_during_a_restore_waits_then_says_try_again(data, tmp_path):
    holder = _hold(data, "exclusive")
    try:
        before = _tree(data)
        t = time.monotonic()
        r = core_cli("import", DEMO_PROVIDER, "--data-dir", data, env={"CERTPATH_LOCK_WAIT": "0.5"})
        assert r.returncode == 3
        assert "CertPath is restoring a backup; try again" in r.stderr
        assert time.monotonic() - t >= 0.5  # it waited first
        assert _tree(data) == before
    finally:
        holder.kill()
        holder.wait()
    # the lock is the OS's: a killed holder frees it, and the writer goes through
    assert core_cli("import", DEMO_PROVIDER, "--data-dir", data).returncode == 0


def test_a_restore_while_a_window_has_the_data_open_is_refused(data, tmp_path):
    assert core_cli("backup", "create", tmp_path / "b.zip", "--data-dir", data).returncode == 0
    holder = _hold(data, "shared")
    try:
        before = _tree(data)
        r = core_cli("backup", "restore", tmp_path / "b.zip", "--data-dir", data, env={"CERTPATH_LOCK_WAIT": "0.5"})
        assert r.returncode == 3, r.stderr
        assert "in use" in r.stderr and "Nothing was changed." in r.stderr
        assert _tree(data) == before
    finally:
        holder.kill()
        holder.wait()


def test_the_command_line_refuses_to_write_into_a_damaged_file(data, tmp_path):
    import random

    db = data / "certpath.sqlite3"
    r = core_cli("profiles", "--data-dir", data)  # checkpointed when it closes
    raw = bytearray(db.read_bytes())
    rnd = random.Random(16)
    start = len(raw) // 2
    for i in range(start, min(len(raw), start + 4096)):
        raw[i] = rnd.randrange(256)
    db.write_bytes(bytes(raw))
    before = db.read_bytes()
    r = core_cli("import", DEMO_PROVIDER, "--data-dir", data)
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "Nothing was written" in r.stderr and "Traceback" not in r.stderr
    assert db.read_bytes() == before


def test_names_reach_the_terminal_without_control_characters(tmp_path):
    d = tmp_path / "data"
    doc = json.loads(DEMO_PROVIDER.read_text(encoding="utf-8"))
    doc["name"] = "Ana\x1b]0;pwned\x07\x1b[2J\u202eevil\x9b"
    f = tmp_path / "p.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    r = core_cli("import", f, "--data-dir", d)
    assert r.returncode == 0, r.stderr
    for args in (("profiles",), ("reminders", "1", "--today", "2026-11-21")):
        out = core_cli(*args, "--data-dir", d).stdout
        assert "Ana" in out
        assert not any(ch in out for ch in "\x1b\x07\x9b\u202e"), args


def test_export_to_a_file_is_private(data, tmp_path):
    out = tmp_path / "me.json"
    r = core_cli("export", 1, "--data-dir", data, "-o", out)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "certpath-profile/1"


def test_profiles_set_changes_the_journeys_and_role_and_refuses_bad_ones(data):
    """The journeys a profile follows could be chosen only when it was made: the wizard said 'You
    can change it later' and nothing could. `profiles set` (and File ▸ Journeys and role…)."""
    r = core_cli("profiles", "set", "1", "--tracks", "bls,pals,acls", "--role", "nurse_ed", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "journeys bls, pals, acls" in r.stdout
    listed = core_cli("profiles", "--data-dir", data).stdout.split("\t")
    assert listed[2:4] == ["nurse_ed", "bls,pals,acls\n"]
    before = _tree(data)
    for args, words in ((("--tracks", "bls,cpr"), "'cpr' is not a known track"),
                        (("--tracks", "bls,bls"), "lists a track twice"),
                        (("--tracks", ","), "choose at least one journey"),
                        (("--role", "chef"), "'chef' is not a known role"),
                        ((), "give --tracks, --role or both")):
        r = core_cli("profiles", "set", "1", *args, "--data-dir", data)
        assert r.returncode == 2 and words in r.stderr, (args, r.stderr)
    assert _tree(data) == before  # nothing written on a refusal
