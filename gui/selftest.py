"""`certpath --self-test`: check an installation (frozen or from source) end to end, then exit.

In a fresh temporary folder (never the user's data folder): bundled resources, a new database
with every migration, the demo profiles imported and evaluated, the rule-pack signature check
(RFC 8032 known answers, the project's keys), time zones, the main window
built and painted, a PDF report and an .ics calendar written and checked.

The window: when a display is available (Windows, macOS, or $DISPLAY / $WAYLAND_DISPLAY on
Linux) it is opened on the real platform plugin (windows, cocoa, xcb), must appear on the screen,
and is closed again: a bundle whose platform plugin or its libraries are missing fails here
instead of passing. Without a display, or with `--self-test --offscreen` (or QT_QPA_PLATFORM set),
it is built and painted offscreen as before. The report says which was used.

Exit 0 when every check passes; otherwise 1, with the failing check and the reason on stderr.
The report also goes to $CERTPATH_SELFTEST_LOG when set (written line by line, so a Qt abort
still leaves the reason there): a windowed app on Windows has no stderr, so CI reads that file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SelfTestFailure(Exception):
    """A check found something wrong; the message says what."""


def expect(cond: Any, message: str) -> None:
    if not cond:
        raise SelfTestFailure(message)


@dataclass
class Ctx:
    tmp: Path
    today: dt.date
    session: Any = None
    app: Any = None
    window: Any = None
    notes: dict[str, str] = field(default_factory=dict)
    platform: Platform | None = None


# -- which Qt platform the window check uses ------------------------------------------------------
WINDOW_TIMEOUT_S = 15.0  # how long a real window may take to appear on the screen


@dataclass(frozen=True)
class Platform:
    """The Qt platform plugin the self-test asks for. `qpa` None: Qt's default for the system
    (xcb, cocoa, windows); `real`: a window must appear on a screen."""

    qpa: str | None
    real: bool
    why: str


def choose_platform(offscreen: bool, env: Mapping[str, str] | None = None,
                    system: str | None = None) -> Platform:
    env = os.environ if env is None else env
    system = sys.platform if system is None else system
    if offscreen:
        return Platform("offscreen", False, "offscreen (--offscreen)")
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        real = chosen.split(";")[0].split(":")[0] not in ("offscreen", "minimal")
        return Platform(chosen, real, f"{chosen} (set by QT_QPA_PLATFORM)")
    if system in ("win32", "darwin"):
        return Platform(None, True, "the real window (a desktop session)")
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        if env.get(var):
            return Platform(None, True, f"the real window (display {var}={env[var]})")
    return Platform("offscreen", False, "offscreen (no display: DISPLAY and WAYLAND_DISPLAY are unset)")


# -- the checks, in order -----------------------------------------------------------------------
def check_resources(ctx: Ctx) -> str:
    from core import resources_dir

    res = resources_dir()
    expect(res.is_dir(), f"resources folder not found at {res}")
    rules = sorted((res / "rules").rglob("*.toml"))
    demos = sorted((res / "demo").glob("*.json"))
    expect(rules, f"no rule files under {res / 'rules'}")
    expect(demos, f"no demo profiles under {res / 'demo'}")
    for icon in ("certpath.png", "certpath.ico", "certpath.icns"):
        expect((res / "icons" / icon).is_file(), f"icon {icon} missing from {res / 'icons'}")
    from core.rules import load_rules

    rs = load_rules()
    return f"{res} ({len(rules)} rule files, {len(demos)} demo profiles, rules loaded: {rs is not None})"


def check_timezones(ctx: Ctx) -> str:
    from zoneinfo import ZoneInfo

    # tzdata is bundled for systems without a zoneinfo database (Windows, slim Linux)
    tz = ZoneInfo("America/New_York")
    winter = dt.datetime(2026, 1, 15, 12, tzinfo=tz).utcoffset()
    summer = dt.datetime(2026, 7, 15, 12, tzinfo=tz).utcoffset()
    expect(winter == dt.timedelta(hours=-5) and summer == dt.timedelta(hours=-4),
           f"America/New_York offsets wrong: {winter}, {summer}")
    return "America/New_York EST/EDT ok"


def check_database(ctx: Ctx) -> str:
    from core.db import _schema_version, database_problems, open_database
    from core.paths import data_paths

    paths = data_paths(ctx.tmp / "data").ensure()
    db = open_database(paths.db)
    try:
        problems = database_problems(db)  # core's checks: migrations, tables, PRAGMAs, integrity
        expect(not problems, "; ".join(problems))
    finally:
        db.close()
    return f"{paths.db.name}: {_schema_version()} migrations applied"


def check_demo(ctx: Ctx) -> str:
    from core.engine import evaluate

    from .shell import open_session

    ctx.session = open_session(ctx.tmp / "data", ctx.today, demo=True)
    profiles = ctx.session.profiles()
    expect(len(profiles) >= 2, f"expected the demo profiles, found {len(profiles)}")
    steps = 0
    for p in profiles:
        doc = ctx.session.store.document(p["id"])
        journey = evaluate(doc, ctx.today)
        expect(journey.tracks, f"profile {p['name']!r}: no tracks evaluated")
        n = sum(len(t.steps) for t in journey.tracks)
        expect(n > 0, f"profile {p['name']!r}: no steps evaluated")
        steps += n
    expect(ctx.session.profile_id is not None, "no current profile after importing the demo")
    return f"{len(profiles)} profiles, {steps} steps evaluated"


def check_signatures(ctx: Ctx) -> str:
    """Rule packs are checked by core/ed25519.py (pure Python; the frozen app carries no
    cryptography package): its RFC 8032 known answers, and the project's public keys load."""
    import time

    from core.ed25519 import known_answers
    from core.rulepacks import trusted_keys

    t = time.perf_counter()
    problems = known_answers()
    ms = (time.perf_counter() - t) * 1000
    expect(not problems, "; ".join(problems))
    keys = trusted_keys()
    expect(keys, "no project public key in resources/keys")
    return f"Ed25519 (RFC 8032 vectors, {ms:.0f} ms); trusted keys {', '.join(k.id for k in keys)}"


def check_window(ctx: Ctx) -> str:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from core import resources_dir

    from .main_window import MainWindow

    plat = ctx.platform or choose_platform(False)
    if QApplication.instance() is None:
        if plat.qpa is None:
            os.environ.pop("QT_QPA_PLATFORM", None)
        else:
            os.environ["QT_QPA_PLATFORM"] = plat.qpa
        _fail_instead_of_abort(ctx, "main window", plat)
        ctx.app = QApplication(sys.argv[:1])
    else:
        ctx.app = QApplication.instance()
    platform_name = QApplication.platformName()
    real = plat.real and platform_name not in ("offscreen", "minimal")
    if plat.real and not real:
        raise SelfTestFailure(f"asked for {plat.why}, but Qt runs on {platform_name!r}")
    _quiet_offscreen_warnings()
    icon = QIcon(str(resources_dir() / "icons" / "certpath.png"))
    expect(not icon.isNull(), "app icon does not load (imageformats plugins missing?)")
    ctx.window = MainWindow(ctx.session)
    ctx.window.build_all_panels()  # panels are built on first show: build each one here
    ctx.window.resize(1000, 700)
    ctx.window.show()
    ctx.app.processEvents()
    if real:  # it must reach the screen: mapped and exposed by the window system
        _wait_for(ctx.app, lambda: _exposed(ctx.window))
        expect(_exposed(ctx.window), f"the main window did not appear on the screen within "
                                     f"{WINDOW_TIMEOUT_S:.0f} s (platform {platform_name})")
    shot = ctx.window.grab()
    expect(not shot.isNull() and shot.width() > 0, "the main window did not paint")
    dash = getattr(ctx.window, "dashboard", None)
    if dash is None:
        raise SelfTestFailure("the main window has no dashboard")
    name = ctx.session.store.profile(ctx.session.profile_id)["name"]
    heading = dash.heading.text()
    expect(name in heading, f"the dashboard heading is {heading!r}, expected the profile {name!r}")
    # gui.extensions leaves a panel out (and says so in the status bar) when it fails to attach,
    # e.g. a module missing from the bundle: the self-test treats that as a failure
    status = ctx.window.statusBar().currentMessage()
    expect("could not start" not in status, f"status bar: {status}")
    where = "shown on the screen" if real else "painted offscreen, not shown on a screen"
    return f"platform {platform_name} ({where}), {shot.width()}x{shot.height()}, dashboard of {name!r}"


def _exposed(window) -> bool:
    handle = window.windowHandle()
    return bool(window.isVisible() and handle is not None and handle.isExposed())


def _wait_for(app, done: Callable[[], bool], timeout: float = WINDOW_TIMEOUT_S) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def _fail_instead_of_abort(ctx: Ctx, check: str, plat: Platform) -> None:
    """A platform plugin that cannot start (no X server, xcb libraries missing, no plugin in the
    bundle) is a qFatal: Qt aborts the process. Report it as this check's failure first."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(mode, context, message):
        if mode == QtMsgType.QtFatalMsg:
            hint = ("; run with QT_DEBUG_PLUGINS=1 for the plugin's missing libraries, or "
                    "--self-test --offscreen to check everything but the real window")
            _REPORT.emit(f"self-test FAILED: {check}: Qt could not start {plat.why}: "
                         f"{message.strip()}{hint}", error=True)
            shutil.rmtree(ctx.tmp, ignore_errors=True)
            os._exit(1)
        if sys.stderr is not None:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def check_pdf(ctx: Ctx) -> str:
    from core.wording import plural
    path = ctx.tmp / "report.pdf"
    write_pdf_report(ctx, path)
    expect(path.is_file(), f"no PDF written at {path}")
    data = path.read_bytes()
    expect(data.startswith(b"%PDF-"), f"{path.name} does not start with %PDF- ({data[:8]!r})")
    expect(b"%%EOF" in data[-1024:], f"{path.name} has no %%EOF trailer (truncated?)")
    pages = pdf_page_count(data)
    expect(pages >= 1, f"{path.name} has no pages")
    return f"{len(data)} bytes, {plural(pages, 'page')}"


def check_ics(ctx: Ctx) -> str:
    path = ctx.tmp / "calendar.ics"
    write_ics(ctx, path)
    expect(path.is_file(), f"no .ics written at {path}")
    from icalendar import Calendar

    cal = Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    expect(events, f"{path.name} has no VEVENT")
    for ev in events:
        expect(ev.get("UID") and ev.get("DTSTART"), f"an event in {path.name} lacks UID or DTSTART")
    return f"{len(events)} events"


def check_shutdown(ctx: Ctx) -> str:
    if ctx.window is not None:
        ctx.window.close()
        ctx.app.processEvents()
        expect(not ctx.window.isVisible(), "the main window is still visible after close()")
        ctx.window = None
    if ctx.session is not None:
        ctx.session.store.db.close()
        ctx.session = None
    return "window closed, database closed"


CHECKS: list[tuple[str, Callable[[Ctx], str]]] = [
    ("resources", check_resources),
    ("time zones", check_timezones),
    ("database", check_database),
    ("demo profiles", check_demo),
    ("rule-pack signatures", check_signatures),
    ("main window", check_window),
    ("PDF report", check_pdf),
    ("calendar (.ics)", check_ics),
    ("shutdown", check_shutdown),
]


def _quiet_offscreen_warnings() -> None:
    """The offscreen platform has no window manager and says so for every window: drop that noise."""
    from PySide6.QtCore import qInstallMessageHandler

    harmless = ("This plugin does not support propagateSizeHints", "This plugin does not support raise")
    previous = None

    def handler(mode, context, message):
        if message.startswith(harmless):
            return
        if previous is not None:
            previous(mode, context, message)
        elif sys.stderr is not None:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)


# -- the two exports (written by gui/report.py and core/ics.py) ----------------------------------
def _optional_module(name: str, what: str):
    import importlib

    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name != name:
            raise
        raise SelfTestFailure(f"{what} module ({name}) is not in this build") from e


def write_pdf_report(ctx: Ctx, path: Path) -> None:
    report = _optional_module("gui.report", "the PDF report")
    report.write_report(ctx.session, path)  # QPdfWriter, the same call as File > Report


def write_ics(ctx: Ctx, path: Path) -> None:
    ics = _optional_module("core.ics", "the calendar export")
    path.write_bytes(ics.export_ics(ctx.session.store, ctx.session.profile_id, ctx.today))


def pdf_page_count(data: bytes) -> int:
    """Pages in a PDF as written by Qt (uncompressed page tree): the /Count of the root /Pages."""
    import re

    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data, re.S)]
    counts += [int(m) for m in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data, re.S)]
    if counts:
        return max(counts)
    return len(re.findall(rb"/Type\s*/Page\b", data))


# -- running ------------------------------------------------------------------------------------
class _Report:
    """The report: stdout/stderr (None in a windowed app on Windows) and $CERTPATH_SELFTEST_LOG,
    rewritten after every line so that it is complete even when Qt aborts the process."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.log: str | None = None

    def start(self) -> None:
        self.lines = []
        self.log = os.environ.get("CERTPATH_SELFTEST_LOG") or None

    def emit(self, text: str, error: bool = False) -> None:
        self.lines.append(text)
        stream = sys.stderr if error else sys.stdout
        if stream is not None:
            print(text, file=stream, flush=True)
        if self.log:
            try:
                Path(self.log).write_text("\n".join(self.lines) + "\n", encoding="utf-8")
            except OSError:
                pass


_REPORT = _Report()


def run_self_test(today: dt.date | None = None, checks: list | None = None,
                  offscreen: bool = False) -> int:
    """`offscreen`: `--self-test --offscreen` (gui/app.py's option parser, from source and frozen)."""
    plat = choose_platform(offscreen)
    today = today or dt.date.today()
    checks = CHECKS if checks is None else checks
    _REPORT.start()
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    from core import __version__

    _REPORT.emit(f"CertPath {__version__} self-test ({frozen}, Python {sys.version.split()[0]}, "
                 f"{sys.platform}); window: {plat.why}")
    tmp = Path(tempfile.mkdtemp(prefix="certpath-selftest-"))
    ctx = Ctx(tmp=tmp, today=today, platform=plat)
    rc = 0
    try:
        for name, fn in checks:
            try:
                detail = fn(ctx)
            except SelfTestFailure as e:
                _REPORT.emit(f"self-test FAILED: {name}: {e}", error=True)
                rc = 1
                break
            except Exception as e:  # an unexpected crash is a failure too, with its traceback
                tb = traceback.format_exc(limit=6)
                _REPORT.emit(f"self-test FAILED: {name}: {type(e).__name__}: {e}\n{tb}", error=True)
                rc = 1
                break
            _REPORT.emit(f"  ok  {name}: {detail}")
    finally:
        if rc:
            try:
                check_shutdown(ctx)
            except Exception:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    if rc == 0:
        _REPORT.emit("self-test passed")
    return rc
