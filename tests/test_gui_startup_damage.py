"""Start-up on a damaged data folder: the window opens, the damage is named, the log stays clean."""

import datetime as dt
import os
import stat
import sys

import pytest

from core import backup
from core.db import open_database
from core.paths import DataPaths
from core.store import Store

SECRET = "Cochabamba-1990-04-12"


def _folder(tmp_path, *, with_backup=True):
    paths = DataPaths(tmp_path / "data").ensure()
    db = open_database(paths.db)
    s = Store(db)
    pid = s.create_profile("Ana", "other", ["img", "pals"])
    s.save_facts(pid, {"img": {"birth_place": SECRET}, "pals.card": {"card_issued": "2026-01-10"}})
    if with_backup:
        backup.auto_backup(paths, dt.date(2026, 11, 20), conn=db.conn)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return paths


def _click(monkeypatch, starts_with):
    """Answer the start-up dialog with the button whose text starts with `starts_with`."""
    from PySide6.QtWidgets import QMessageBox

    shown = []

    def fake_exec(box):
        shown.append((box.windowTitle(), box.text(), [b.text() for b in box.buttons()]))
        for b in box.buttons():
            if b.text().startswith(starts_with):
                b.click()
                break
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def _log_text(paths):
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in paths.logs.glob("certpath.log*"))
    assert "“Ana”" not in text  # names are personal data too
    return text


@pytest.mark.parametrize("how", ["not-utf8", "not-json"])
def test_a_changed_byte_in_a_fact_opens_the_rest_and_leaks_nothing(qapp, tmp_path, monkeypatch, capsys, how):
    from gui.app import main

    paths = _folder(tmp_path)
    raw = bytearray(paths.db.read_bytes())
    at = raw.index(SECRET.encode())
    if how == "not-utf8":
        raw[at + 3] = 0xFF
    else:
        raw[at - 2] = ord("x")
    paths.db.write_bytes(bytes(raw))
    shown = _click(monkeypatch, "Open the rest")
    shot = tmp_path / "s.png"
    assert main(["--data-dir", str(paths.root), "--screenshot", str(shot), "--today", "2026-11-21"]) == 0
    assert shot.is_file() and stat.S_IMODE(shot.stat().st_mode) == 0o600  # the window started
    title, text, buttons = shown[0]
    assert "cannot be read" in title
    assert "profile “Ana”" in text and "step “img”" in text  # names the profile and the step
    assert any(b.startswith("Restore the newest good backup") for b in buttons)
    assert paths.db.exists()  # kept in place
    assert SECRET not in _log_text(paths)
    assert SECRET not in capsys.readouterr().err


def test_restoring_the_newest_good_backup_from_the_start_up_dialog(qapp, tmp_path, monkeypatch):
    from gui.app import main

    paths = _folder(tmp_path)
    raw = bytearray(paths.db.read_bytes())
    raw[raw.index(SECRET.encode()) + 3] = 0xFF
    paths.db.write_bytes(bytes(raw))
    _click(monkeypatch, "Restore the newest good backup")
    assert main(["--data-dir", str(paths.root), "--screenshot", str(tmp_path / "s.png"), "--today", "2026-11-21"]) == 0
    db = open_database(paths.db)
    assert Store(db).step_facts(1, "img") == {"birth_place": SECRET}
    db.close()
    assert SECRET not in _log_text(paths)


def test_an_empty_data_file_with_backups_is_not_a_first_run(qapp, tmp_path, monkeypatch):
    from gui.app import main

    paths = _folder(tmp_path)
    paths.db.write_bytes(b"")
    shown = _click(monkeypatch, "Restore the newest good backup")
    assert main(["--data-dir", str(paths.root), "--screenshot", str(tmp_path / "s.png"), "--today", "2026-11-21"]) == 0
    assert "empty (0 bytes)" in shown[0][1]
    # the backup's date as the window shows dates (the language's default), not ISO
    from gui.dates_display import show_date

    restore = next(b for b in shown[0][2] if b.startswith("Restore the newest good backup"))
    assert restore == f"Restore the newest good backup ({show_date(dt.date(2026, 11, 20))})"
    assert "2026-11-20" not in restore
    db = open_database(paths.db)
    assert [p["name"] for p in Store(db).list_profiles()] == ["Ana"]
    db.close()


def test_stale_leftovers_are_cleaned_at_the_next_start_fresh_ones_kept(qapp, tmp_path):
    import time

    from gui.app import main

    paths = _folder(tmp_path)
    old = time.time() - 3600
    stale = [paths.root / ".backup-abc123", paths.root / ".restore-def456", paths.vault / ".incoming-x1"]
    for d in stale[:2]:
        d.mkdir()
        (d / "certpath.sqlite3").write_bytes(b"a copy of the data")
        os.utime(d / "certpath.sqlite3", (old, old))
        os.utime(d, (old, old))
    paths.vault.mkdir(exist_ok=True)
    stale[2].write_bytes(b"half a document")
    os.utime(stale[2], (old, old))
    db = open_database(paths.db)  # bytes a killed attach copied but never recorded
    orphan = paths.vault / "ab" / ("ab" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"never recorded")
    os.utime(orphan, (old, old))
    db.close()
    stale.append(orphan)
    fresh = paths.root / ".restore-fresh1"
    fresh.mkdir()
    part = tmp_path / "elsewhere" / "full.zip.part"
    part.parent.mkdir()
    part.write_bytes(b"PK half a backup")
    os.utime(part, (old, old))
    from core.leftovers import note_partial

    note_partial(paths, part)
    assert main(["--data-dir", str(paths.root), "--screenshot", str(tmp_path / "s.png"), "--today", "2026-11-21"]) == 0
    assert not any(p.exists() for p in stale) and not part.exists()
    assert fresh.exists()  # could be a running restore's: not older than a few minutes


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "geteuid"), reason="POSIX modes")
def test_a_folder_the_user_made_0500_with_a_0400_file_is_left_as_set(tmp_path):
    """Modes are the user's: never chmodded back, never written; said in words (exit 3)."""
    import subprocess

    from tests.test_cli_data import DEMO_PROVIDER, ROOT

    paths = _folder(tmp_path, with_backup=False)
    for p in paths.root.iterdir():
        if p.name.startswith(".certpath."):
            p.unlink()
    other = _as_other_user(paths.root, tmp_path)
    os.chmod(paths.db, 0o400)
    os.chmod(paths.root, 0o500)
    try:
        before = paths.db.read_bytes()
        run = _runner(other)
        r = run([sys.executable, "-m", "core", "import", str(DEMO_PROVIDER), "--data-dir", str(paths.root)], ROOT)
        assert r.returncode == 3, r.stderr
        assert "CertPath can only read this data folder" in r.stderr and "Traceback" not in r.stderr
        r = run([sys.executable, "-m", "core", "profiles", "--data-dir", str(paths.root)], ROOT)
        assert r.returncode == 0 and "Ana" in r.stdout, r.stderr  # read-only is still readable
        assert stat.S_IMODE(paths.root.stat().st_mode) == 0o500
        assert stat.S_IMODE(paths.db.stat().st_mode) == 0o400
        assert paths.db.read_bytes() == before
    finally:
        os.chmod(paths.root, 0o700)
        subprocess.run(["chmod", "-R", "u+w", str(paths.root)])


def _as_other_user(root, tmp_path):
    """As root the modes do not bind: hand the folder to 'nobody' and run the commands as it."""
    if os.geteuid() != 0:
        return None
    import pwd

    nobody = pwd.getpwnam("nobody")
    p = root
    while p != p.parent:  # nobody must reach the folder
        try:
            os.chmod(p, os.stat(p).st_mode | 0o005)
        except OSError:
            pass
        p = p.parent
    for q in [root, *root.rglob("*")]:
        os.chown(q, nobody.pw_uid, nobody.pw_gid)
    return nobody


def _runner(user):
    """Run a command (as `user` when given): the interpreter and the packages must be reachable
    by that user, so a Python under /root is swapped for the system's with our site-packages."""
    import shutil
    import subprocess
    import sysconfig

    def run(cmd, cwd):
        env = dict(os.environ)
        kw = {}
        if user is not None:
            kw = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
            env["HOME"] = "/tmp"
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            if os.path.realpath(cmd[0]).startswith("/root/"):
                system = shutil.which("python3.11", path="/usr/bin:/usr/local/bin")
                if system is None:
                    pytest.skip("no Python 3.11 that another user can run")
                cmd = [system, *cmd[1:]]
                env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=120, **kw)

    return run


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs a folder owned by another user (as root: handed to 'nobody')")
def test_a_folder_of_another_user_is_words_and_read_only_never_a_traceback(tmp_path):
    from tests.test_cli_data import DEMO_PROVIDER, ROOT

    paths = _folder(tmp_path, with_backup=False)
    for p in paths.root.iterdir():
        if p.name.startswith(".certpath."):
            p.unlink()
    os.chmod(paths.root, 0o755)
    os.chmod(paths.db, 0o644)
    run = _runner(_nobody_for(tmp_path))
    r = run([sys.executable, "-m", "core", "import", str(DEMO_PROVIDER), "--data-dir", str(paths.root)], ROOT)
    assert r.returncode == 3 and "Traceback" not in r.stderr, r.stderr
    assert "can only read" in r.stderr
    r = run([sys.executable, "-m", "core", "profiles", "--data-dir", str(paths.root)], ROOT)
    assert r.returncode == 0 and "Ana" in r.stdout, r.stderr
    r = run([sys.executable, "-m", "core", "profiles", "--data-dir", str(paths.root / "sub")], ROOT)
    assert r.returncode == 3 and "cannot be created" in r.stderr and "Traceback" not in r.stderr
    assert stat.S_IMODE(paths.root.stat().st_mode) == 0o755  # never chmodded


def _nobody_for(tmp_path):
    import pwd

    p = tmp_path
    while p != p.parent:
        try:
            os.chmod(p, os.stat(p).st_mode | 0o005)
        except OSError:
            pass
        p = p.parent
    return pwd.getpwnam("nobody")


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="needs a folder owned by another user (as root: handed to 'nobody')")
def test_the_window_opens_read_only_on_a_folder_of_another_user(tmp_path):
    from tests.test_cli_data import ROOT

    paths = _folder(tmp_path, with_backup=False)
    for p in paths.root.iterdir():
        if p.name.startswith(".certpath."):
            p.unlink()
    os.chmod(paths.root, 0o755)
    os.chmod(paths.db, 0o644)
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, 0o777)
    before = paths.db.read_bytes()
    run = _runner(_nobody_for(tmp_path))
    r = run([sys.executable, "-m", "gui", "--data-dir", str(paths.root), "--screenshot", str(out / "s.png"),
             "--today", "2026-11-21"], ROOT)
    assert r.returncode == 0, r.stderr
    assert "open read-only" in r.stderr and "Traceback" not in r.stderr
    assert (out / "s.png").is_file()
    assert paths.db.read_bytes() == before and sorted(os.listdir(paths.root)) == ["certpath.sqlite3"]
