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
