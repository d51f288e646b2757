"""Two copies on one data folder: the second is told the data is in use; a dead holder frees it."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from core.instance_lock import DataInUseError, InstanceLock

HOLDER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from core.instance_lock import InstanceLock
    InstanceLock({folder!r}).acquire()
    print("locked", flush=True)
    time.sleep(60)
""")


def _holder(folder):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=root, folder=str(folder))],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def test_second_process_is_told_the_data_is_in_use(tmp_path):
    folder = tmp_path / "data"
    p = _holder(folder)
    try:
        with pytest.raises(DataInUseError, match="already open on this data folder"):
            InstanceLock(folder).acquire()
    finally:
        p.kill() if sys.platform == "win32" else os.kill(p.pid, signal.SIGKILL)
        p.wait()
    # the OS released the lock when the holder died
    lock = InstanceLock(folder).acquire()
    assert lock.held
    lock.release()


def test_lock_is_released_and_reacquired_in_process(tmp_path):
    with InstanceLock(tmp_path) as lock:
        assert lock.held
        with pytest.raises(DataInUseError):
            InstanceLock(tmp_path).acquire()
    with InstanceLock(tmp_path):
        pass


def test_run_refuses_a_second_copy_without_opening_the_data(tmp_path, monkeypatch, qapp):
    import argparse
    import datetime as dt

    from PySide6.QtWidgets import QMessageBox

    from gui import shell

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    folder = tmp_path / "data"
    with InstanceLock(folder):
        code = shell.run(argparse.Namespace(screenshot=None, size=None), data_dir=folder,
                         today=dt.date(2026, 11, 21), demo=False)
    assert code == 4
    assert "already open" in shown[0]
    assert not (folder / "certpath.sqlite3").exists()


def test_the_data_lock_is_shared_by_writers_and_exclusive_for_a_restore(tmp_path, monkeypatch):
    """In one process: shared holds nest; an exclusive hold converts them and gives them back.
    Across processes: a restore's exclusive hold keeps writers out (RestoringError after the
    bounded wait), a writer's shared hold keeps a restore out (DataInUseError)."""
    import subprocess
    import sys
    from pathlib import Path

    from core.instance_lock import RestoringError, data_lock

    lock = data_lock(tmp_path)
    assert data_lock(tmp_path) is lock  # one per folder per process
    lock.acquire_shared()
    lock.acquire_shared()
    with lock.exclusive(wait=1):
        pass
    holder = f"""
import sys, time
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
from core.instance_lock import data_lock
lock = data_lock(Path({str(tmp_path)!r}))
if sys.argv[1] == "ex":
    with lock.exclusive(wait=5):
        print("held", flush=True); time.sleep(30)
else:
    lock.acquire_shared(wait=0.3)
    print("shared ok", flush=True)
"""
    r = subprocess.run([sys.executable, "-c", holder, "sh"], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "shared ok", r.stderr  # our shared hold does not keep writers out
    r = subprocess.run([sys.executable, "-c", holder.replace("wait=5", "wait=0.3"), "ex"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "DataInUseError" in r.stderr  # ...but it keeps another's restore out
    assert "held" not in r.stdout
    lock.release_shared()
    lock.release_shared()
    p = subprocess.Popen([sys.executable, "-c", holder, "ex"], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        with pytest.raises(RestoringError, match="CertPath is restoring a backup; try again"):
            lock.acquire_shared(wait=0.3)
    finally:
        p.kill()
        p.wait()
    lock.acquire_shared(wait=5)  # the killed holder's lock went with it
    lock.release_shared()
