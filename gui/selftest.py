"""`certpath --self-test`: check an installation (frozen or from source) end to end, then exit.

In a fresh temporary folder (never the user's data folder): bundled resources, a new database
with every migration, the demo profiles imported and evaluated, time zones, the main window
built and painted offscreen, a PDF report and an .ics calendar written and checked.

Exit 0 when every check passes; otherwise 1, with the failing check and the reason on stderr.
The report also goes to $CERTPATH_SELFTEST_LOG when set: a windowed app on Windows has no
stderr, so CI reads that file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable
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


def check_window(ctx: Ctx) -> str:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from core import resources_dir

    from .main_window import MainWindow

    ctx.app = QApplication.instance() or QApplication(sys.argv[:1])
    _quiet_offscreen_warnings()
    icon = QIcon(str(resources_dir() / "icons" / "certpath.png"))
    expect(not icon.isNull(), "app icon does not load (imageformats plugins missing?)")
    ctx.window = MainWindow(ctx.session)
    ctx.window.build_all_panels()  # panels are built on first show: build each one here
    ctx.window.resize(1000, 700)
    ctx.window.show()
    ctx.app.processEvents()
    shot = ctx.window.grab()
    expect(not shot.isNull() and shot.width() > 0, "the main window did not paint")
    dash = getattr(ctx.window, "dashboard", None)
    expect(dash is not None, "the main window has no dashboard")
    name = ctx.session.store.profile(ctx.session.profile_id)["name"]
    heading = dash.heading.text()
    expect(name in heading, f"the dashboard heading is {heading!r}, expected the profile {name!r}")
    # gui.extensions leaves a panel out (and says so in the status bar) when it fails to attach,
    # e.g. a module missing from the bundle: the self-test treats that as a failure
    status = ctx.window.statusBar().currentMessage()
    expect("could not start" not in status, f"status bar: {status}")
    return f"platform {QApplication.platformName()}, {shot.width()}x{shot.height()}, dashboard of {name!r}"


def check_pdf(ctx: Ctx) -> str:
    path = ctx.tmp / "report.pdf"
    write_pdf_report(ctx, path)
    expect(path.is_file(), f"no PDF written at {path}")
    data = path.read_bytes()
    expect(data.startswith(b"%PDF-"), f"{path.name} does not start with %PDF- ({data[:8]!r})")
    expect(b"%%EOF" in data[-1024:], f"{path.name} has no %%EOF trailer (truncated?)")
    pages = pdf_page_count(data)
    expect(pages >= 1, f"{path.name} has no pages")
    return f"{len(data)} bytes, {pages} page(s)"


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
def _emit(lines: list[str], text: str, stream) -> None:
    lines.append(text)
    if stream is not None:
        print(text, file=stream, flush=True)


def run_self_test(today: dt.date | None = None, checks: list | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    today = today or dt.date.today()
    checks = CHECKS if checks is None else checks
    lines: list[str] = []
    out, err = sys.stdout, sys.stderr  # None in a windowed app on Windows
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    from core import __version__

    _emit(lines, f"CertPath {__version__} self-test ({frozen}, Python {sys.version.split()[0]}, "
                 f"{sys.platform})", out)
    tmp = Path(tempfile.mkdtemp(prefix="certpath-selftest-"))
    ctx = Ctx(tmp=tmp, today=today)
    rc = 0
    try:
        for name, fn in checks:
            try:
                detail = fn(ctx)
            except SelfTestFailure as e:
                _emit(lines, f"self-test FAILED: {name}: {e}", err)
                rc = 1
                break
            except Exception as e:  # an unexpected crash is a failure too, with its traceback
                tb = traceback.format_exc(limit=6)
                _emit(lines, f"self-test FAILED: {name}: {type(e).__name__}: {e}\n{tb}", err)
                rc = 1
                break
            _emit(lines, f"  ok  {name}: {detail}", out)
    finally:
        if rc:
            try:
                check_shutdown(ctx)
            except Exception:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    if rc == 0:
        _emit(lines, "self-test passed", out)
    log = os.environ.get("CERTPATH_SELFTEST_LOG")
    if log:
        Path(log).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rc
