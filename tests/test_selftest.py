"""`certpath --self-test`: passes from source; any failing check makes it exit non-zero with the reason."""

import os
import shutil
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
    for check in ("database", "demo profiles", "rule-pack signatures", "main window", "PDF report",
                  "calendar (.ics)"):
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


def test_the_signature_check_passes_and_fails_with_reason(monkeypatch, capsys, today):
    rc, out, err = _run(capsys, today, ("rule-pack signatures", selftest.check_signatures))
    assert rc == 0 and "ok  rule-pack signatures: Ed25519 (RFC 8032 vectors" in out, err
    from core import ed25519

    # a verifier that accepts everything is caught by the changed vectors
    monkeypatch.setattr(ed25519, "verify", lambda pk, sig, msg: True)
    rc, out, err = _run(capsys, today, ("rule-pack signatures", selftest.check_signatures))
    assert rc == 1 and "self-test FAILED: rule-pack signatures: RFC 8032 vector 2 verifies when changed" in err
    monkeypatch.setattr(ed25519, "verify", lambda pk, sig, msg: False)
    rc, out, err = _run(capsys, today, ("rule-pack signatures", selftest.check_signatures))
    assert rc == 1 and "RFC 8032 vector 2 does not verify" in err


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
    monkeypatch.setattr(selftest, "run_self_test",
                        lambda today=None, offscreen=False: seen.update(today=today, offscreen=offscreen) or 7)
    monkeypatch.setattr(app, "make_demo_dir", lambda: pytest.fail("self-test must not make a data folder"))
    assert app.main(["--self-test", "--demo", "--today", "2026-11-21"]) == 7
    assert str(seen["today"]) == "2026-11-21" and seen["offscreen"] is False
    assert app.main(["--self-test", "--offscreen", "--today", "2026-11-21"]) == 7
    assert seen["offscreen"] is True  # the flag reaches the self-test from the parser itself


# -- which platform the window check uses (issue 17) ----------------------------------------------
@pytest.mark.parametrize("offscreen, env, system, qpa, real", [
    (True, {"DISPLAY": ":0"}, "linux", "offscreen", False),           # --offscreen wins
    (False, {"DISPLAY": ":0"}, "linux", None, True),                  # X11: Qt's default (xcb)
    (False, {"WAYLAND_DISPLAY": "wayland-0"}, "linux", None, True),
    (False, {}, "linux", "offscreen", False),                          # CI: no display
    (False, {"DISPLAY": ""}, "linux", "offscreen", False),
    (False, {}, "win32", None, True),                                  # a desktop session
    (False, {}, "darwin", None, True),
    (False, {"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, "linux", "offscreen", False),
    (False, {"QT_QPA_PLATFORM": "xcb"}, "linux", "xcb", True),          # the user's choice
])
def test_choose_platform(offscreen, env, system, qpa, real):
    p = selftest.choose_platform(offscreen, env, system)
    assert (p.qpa, p.real) == (qpa, real)
    assert p.why  # the report says which one and why


def test_the_option_parser_knows_offscreen_only_with_self_test(capsys):
    from gui.app import build_parser, main

    args = build_parser().parse_args(["--self-test", "--offscreen"])
    assert args.self_test and args.offscreen
    assert not build_parser().parse_args(["--self-test"]).offscreen
    with pytest.raises(SystemExit) as e:  # alone it is refused before anything opens
        main(["--offscreen"])
    assert e.value.code == 2
    assert "--offscreen goes with --self-test" in capsys.readouterr().err


def _entry(args, env_extra, tmp_path, drop=("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"),
           source=False):
    """The frozen app's entry script (packaging/certpath_main.py), or `python -m gui` (source)."""
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra, CERTPATH_SELFTEST_LOG=str(tmp_path / "log.txt"), PYTHONPATH=str(ROOT))
    entry = ["-m", "gui"] if source else [str(ROOT / "packaging" / "certpath_main.py")]
    return subprocess.run([sys.executable, *entry, *args, "--today", "2026-11-21"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 display numbers")
@pytest.mark.parametrize("source", [True, False], ids=["python -m gui", "entry script"])
def test_self_test_offscreen_works_from_source_as_in_the_frozen_app(tmp_path, source):
    # a display is named but cannot open: only the flag keeps the window check offscreen
    n = next(n for n in range(4300, 4400) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    r = _entry(["--self-test", "--offscreen"], {"DISPLAY": f":{n}"}, tmp_path, source=source)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "window: offscreen (--offscreen)" in r.stdout
    assert "ok  main window: platform offscreen (painted offscreen" in r.stdout
    assert "self-test passed" in r.stdout
    r = _entry(["--offscreen"], {"DISPLAY": f":{n}"}, tmp_path, source=source)
    assert r.returncode == 2 and "--offscreen goes with --self-test" in r.stderr


def test_entry_point_without_a_display_uses_offscreen_and_says_so(tmp_path):
    r = _entry(["--self-test"], {}, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "window: offscreen (no display" in r.stdout
    assert "ok  main window: platform offscreen (painted offscreen" in r.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 display numbers")
def test_a_display_that_cannot_open_fails_with_the_reason_not_an_abort(tmp_path):
    n = next(n for n in range(4242, 4300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    r = _entry(["--self-test"], {"DISPLAY": f":{n}"}, tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "self-test FAILED: main window: Qt could not start the real window" in r.stderr
    assert "--self-test --offscreen" in r.stderr  # says how to check the rest
    log = (tmp_path / "log.txt").read_text(encoding="utf-8")
    assert "ok  demo profiles" in log and "FAILED: main window" in log  # written despite the abort
    assert "self-test passed" not in r.stdout
    # --offscreen keeps today's behaviour on the same machine
    r = _entry(["--self-test", "--offscreen"], {"DISPLAY": f":{n}"}, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "window: offscreen (--offscreen)" in r.stdout


def _xcb_ready() -> bool:
    if not (sys.platform.startswith("linux") and shutil.which("xvfb-run") and shutil.which("dpkg-query")):
        return False
    pkgs = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0", "xauth")
    return all(b"install ok installed" in subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True).stdout for p in pkgs)


@pytest.mark.skipif(not _xcb_ready(), reason="needs xvfb-run and the xcb libraries (system-deps.sh run)")
def test_with_a_display_the_window_opens_on_xcb_and_closes(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONPATH=str(ROOT))
    r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", sys.executable,
                        str(ROOT / "packaging" / "certpath_main.py"), "--self-test", "--today", "2026-11-21"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "window: the real window (display DISPLAY=" in r.stdout
    assert "ok  main window: platform xcb (shown on the screen)" in r.stdout
    assert "ok  shutdown: window closed" in r.stdout
