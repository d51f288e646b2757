"""`certpath --self-test`: passes from source; any failing check makes it exit non-zero with the reason."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gui import selftest

ROOT = Path(__file__).resolve().parent.parent


def test_self_test_from_source_passes(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CERTPATH_SELFTEST_LOG=str(tmp_path / "log.txt"))
    r = subprocess.run([sys.executable, "-m", "gui", "--self-test", "--today", "2026-11-21"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "self-test passed" in r.stdout
    for check in ("database", "demo profiles", "main window", "PDF report", "calendar (.ics)"):
        assert f"ok  {check}:" in r.stdout
    log = (tmp_path / "log.txt").read_text(encoding="utf-8")
    assert "self-test passed" in log
    # it never touched the (isolated) user data folder
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "CertPath").exists()


# The failure paths run in-process with the Qt-free checks (the window check is covered above).
CORE_CHECKS = [(n, f) for n, f in selftest.CHECKS if n in ("resources", "database", "demo profiles")]


def _run(capsys, today, *extra):
    rc = selftest.run_self_test(today, checks=CORE_CHECKS + list(extra))
    out, err = capsys.readouterr()
    return rc, out, err


def test_broken_calendar_export_fails_with_reason(monkeypatch, capsys, today):
    def empty_calendar(ctx, path):
        path.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nEND:VCALENDAR\r\n")

    monkeypatch.setattr(selftest, "write_ics", empty_calendar)
    rc, out, err = _run(capsys, today, ("calendar (.ics)", selftest.check_ics))
    assert rc == 1
    assert "self-test FAILED: calendar (.ics):" in err and "no VEVENT" in err
    assert "self-test passed" not in out


def test_broken_pdf_fails_with_reason(monkeypatch, capsys, today):
    monkeypatch.setattr(selftest, "write_pdf_report", lambda ctx, path: path.write_bytes(b"<html>oops</html>"))
    rc, out, err = _run(capsys, today, ("PDF report", selftest.check_pdf))
    assert rc == 1
    assert "self-test FAILED: PDF report:" in err and "%PDF" in err


@pytest.mark.parametrize("module", ["core.ics"])
def test_missing_module_fails_never_skips(monkeypatch, capsys, today, module):
    monkeypatch.setitem(sys.modules, module, None)  # as if the bundle had left it out
    rc, out, err = _run(capsys, today, ("calendar (.ics)", selftest.check_ics))
    assert rc == 1
    assert f"({module}) is not in this build" in err


def test_unexpected_exception_is_a_failure(monkeypatch, capsys, today):
    def crash(ctx):
        raise RuntimeError("disk on fire")

    rc, out, err = _run(capsys, today, ("crashing check", crash))
    assert rc == 1
    assert "self-test FAILED: crashing check: RuntimeError: disk on fire" in err


def test_cli_dispatches_self_test_first(monkeypatch):
    from gui import app

    seen = {}
    monkeypatch.setattr(selftest, "run_self_test", lambda today=None: seen.setdefault("today", today) and 7)
    monkeypatch.setattr(app, "make_demo_dir", lambda: pytest.fail("self-test must not make a data folder"))
    assert app.main(["--self-test", "--demo", "--today", "2026-11-21"]) == 7
    assert str(seen["today"]) == "2026-11-21"
