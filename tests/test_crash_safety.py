"""Killing a writer with SIGKILL at random moments never loses a reported commit or damages the file."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.store import Store

WRITER = Path(__file__).parent / "helpers" / "writer.py"
KILLS = 50


def _facts(db_path: Path) -> dict[str, dict]:
    conn = sqlite3.connect(str(db_path))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {k: json.loads(d) for k, d in conn.execute("SELECT key, data FROM facts")}
    finally:
        conn.close()


def _kill_loop(data: Path, runs: range, seed: int) -> dict[int, int]:
    """Start the writer, SIGKILL it after 20-150 ms, check the file; `runs` times on one folder."""
    rng = random.Random(seed)
    db_path = data / "certpath.sqlite3"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    reported: dict[int, int] = {}
    for run in runs:
        p = subprocess.Popen([sys.executable, str(WRITER), str(data), str(run)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert p.stdout.readline().strip() == "ready", p.stderr.read()
        time.sleep(rng.uniform(0.02, 0.15))
        os.kill(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        assert p.returncode == -signal.SIGKILL
        lines = [ln for ln in out.splitlines() if ln.startswith("committed ")]
        reported[run] = int(lines[-1].split()[1]) if lines else 0
        facts = _facts(db_path)  # opens, integrity_check is ok
        for n in range(1, reported[run] + 1):
            assert f"r{run}.{n}.a" in facts and f"r{run}.{n}.b" in facts, (run, n)
        # every transaction is whole: never an .a without its .b
        for key in facts:
            if key.endswith(".a"):
                assert key[:-2] + ".b" in facts, key
    return reported


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_at_random_moments_keeps_every_reported_commit(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from core.db import open_database

    folders = 5  # five data folders side by side, KILLS / 5 kills each, to keep the test short
    per = KILLS // folders
    with ThreadPoolExecutor(folders) as pool:
        futures = [pool.submit(_kill_loop, tmp_path / f"data{i}", range(i * per, (i + 1) * per), i)
                   for i in range(folders)]
        results = [f.result() for f in futures]
    assert sum(len(r) for r in results) >= 50
    assert sum(sum(r.values()) for r in results) > KILLS  # the kills landed while writing
    for i, reported in enumerate(results):
        # the file still opens through the app's own path and every run's commits survived
        db = open_database(tmp_path / f"data{i}" / "certpath.sqlite3")
        facts = Store(db).facts(1)
        db.close()
        assert all(f"r{run}.{n}.a" in facts for run, last in reported.items() for n in range(1, last + 1))


def test_multi_row_change_is_all_or_nothing(store):
    pid = store.create_profile("A", "other", [])
    store.save_facts(pid, {"bls.exam": {"exam_score": 80}})

    class Unserialisable:
        pass

    with pytest.raises(TypeError):
        store.save_facts(pid, {"bls.exam": {"exam_score": 95}, "pals.exam": {"exam_score": 90},
                               "nrp.exam": {"bad": Unserialisable()}})
    assert store.facts(pid) == {"bls.exam": {"exam_score": 80}}
    store.save_facts(pid, {"bls.exam": {"exam_score": 95}, "pals.exam": {"exam_score": 90}})
    assert store.facts(pid) == {"bls.exam": {"exam_score": 95}, "pals.exam": {"exam_score": 90}}


def test_import_is_all_or_nothing(store):
    doc = {"format": "certpath-profile/1", "name": "B", "role": "other", "tracks": [],
           "facts": {"bls.exam": {"exam_score": 1}}, "overrides": {"x": {"value": object()}}}
    with pytest.raises(TypeError):
        store.import_document(doc)
    assert store.list_profiles() == []
    assert store.db.execute("SELECT count(*) FROM facts").fetchone()[0] == 0
