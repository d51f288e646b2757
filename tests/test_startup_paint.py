"""The start-up path: what is not made before the first paint, and that it changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleFactory

from gui import appearance, theme

ROOT = Path(__file__).resolve().parent.parent

# the real start-up (gui.app.main on a data folder with the demo profiles), asked at the first paint
_AT_FIRST_PAINT = """
import sys, datetime as dt
from gui.shell import open_session
s = open_session(sys.argv[1], dt.date(2026, 11, 21), demo=True); s.store.db.close()
from PySide6 import QtWidgets
import gui.main_window as mw
paint = mw.MainWindow.paintEvent
def first_paint(self, event):
    mw.MainWindow.paintEvent = paint
    print("QStyle" in vars(QtWidgets), self.navigator.topLevelItemCount() > 0, self.dashboard.heading.text())
    paint(self, event)
mw.MainWindow.paintEvent = first_paint
from gui.app import main
sys.exit(main(["--data-dir", sys.argv[1], "--today", "2026-11-21", "--exit-after-paint"]))
"""


def test_no_qstyle_wrapper_before_the_first_paint_of_the_dashboard(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "CERTPATH_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-c", _AT_FIRST_PAINT, str(tmp_path / "data")], capture_output=True,
                       text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    created, rows, heading = r.stdout.split(maxsplit=2)
    assert created == "False"  # the first Python QStyle costs ~20 ms of enum types
    assert rows == "True" and heading.strip()  # the painted window is the real dashboard


@pytest.mark.parametrize("style", QStyleFactory.keys())
def test_the_navigators_scroll_room_is_the_styles_scroll_bar_extent(qapp, qtbot, style) -> None:
    from gui.navigator import Navigator

    before = qapp.style().name()
    qapp.setStyle(style)
    try:
        nav = Navigator()
        qtbot.addWidget(nav)
        extent = nav.style().pixelMetric(nav.style().PixelMetric.PM_ScrollBarExtent)
        assert nav.verticalScrollBar().sizeHint().width() == extent
    finally:
        qapp.setStyle(before)


@pytest.fixture
def native_windows_style(qapp):
    """The platform's style played by Qt's "Windows" style; the app left light (Fusion) after."""
    appearance.reset()
    qapp.setStyle("Windows")
    yield qapp
    appearance.reset()
    theme.apply_light(qapp)


def test_the_system_theme_goes_back_to_the_native_style(native_windows_style, store) -> None:
    app = native_windows_style
    ap = appearance.install(app, store)
    assert ap.mode == "system" and app.style().name().lower() == "windows"
    ap.set_mode("dark")
    assert app.style().name().lower() == "fusion" and theme.is_dark()
    ap.set_mode("system")
    assert app.style().name().lower() == "windows" and not theme.is_dark()
    assert ap.native_style.lower() == "windows"


def test_a_dark_system_without_a_dark_palette_still_knows_the_native_style(native_windows_style, store,
                                                                          monkeypatch) -> None:
    app = native_windows_style
    scheme = {"now": Qt.ColorScheme.Dark}
    monkeypatch.setattr(appearance.Appearance, "system_scheme", lambda self: scheme["now"])
    ap = appearance.install(app, store)  # the app's dark palette stands in (Fusion)
    assert theme.is_dark()
    scheme["now"] = Qt.ColorScheme.Light
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert not theme.is_dark() and app.style().name().lower() == "windows"
    assert ap.native_style.lower() == "windows"


def test_the_timeline_is_built_just_after_the_first_paint_with_the_latest_journey(demo_session, qtbot) -> None:
    from core.journey_view import milestones
    from gui.main_window import MainWindow

    win = MainWindow(demo_session, defer_extensions=True)  # the app's start-up
    qtbot.addWidget(win)
    assert win.dashboard.timeline is None  # below the fold: not built for the first paint
    win.refresh()  # a change before it is built: the timeline shows the latest journey
    win.resize(1280, 800)
    win.show()
    qtbot.waitUntil(lambda: win.dashboard.timeline is not None and win.extensions_attached, timeout=5000)
    dash = win.dashboard
    journey = win.journeys.journey
    assert dash.timeline.items == milestones(journey) and dash.timeline.items
    assert dash.timeline.tracks == [t.track for t in journey.tracks]
    assert dash._body_layout.indexOf(dash.timeline_box) == dash._body_layout.count() - 2  # last, before the stretch
    win.close()


def test_a_window_built_at_once_has_its_timeline_at_once(demo_session, qtbot) -> None:
    from core.journey_view import milestones
    from gui.main_window import MainWindow

    win = MainWindow(demo_session)  # tests, the self-test: everything at once
    qtbot.addWidget(win)
    assert win.dashboard.timeline is not None
    assert win.dashboard.timeline.items == milestones(win.journeys.journey)
    win.close()


def test_the_bundle_leaves_multiprocessing_out_and_nothing_needs_it() -> None:
    """build.spec excludes multiprocessing (its runtime hook cost the frozen start ~20 ms): CertPath
    itself must never need it (thread pools only)."""
    import re

    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert re.search(r'^\s*"multiprocessing",', spec, re.M)
    for path in [*(ROOT / "core").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+multiprocessing|ProcessPoolExecutor", text, re.M), path


_GC_AT_FIRST_PAINT = """
import gc, sys, datetime as dt
from gui.shell import open_session
s = open_session(sys.argv[1], dt.date(2026, 11, 21), demo=True); s.store.db.close()
import gui.main_window as mw
from gui import extensions
paint = mw.MainWindow.paintEvent
def first_paint(self, event):
    mw.MainWindow.paintEvent = paint
    print("paint", gc.isenabled(), gc.get_freeze_count() > 0, flush=True)
    paint(self, event)
mw.MainWindow.paintEvent = first_paint
attach_all = extensions.attach_all
def attach(w):
    print("extensions", gc.isenabled(), gc.get_freeze_count() > 0, flush=True)
    attach_all(w)
extensions.attach_all = attach
from gui.app import main
print("before", gc.isenabled(), flush=True)
rc = main(["--data-dir", sys.argv[1], "--today", "2026-11-21", "--exit-after-paint"])
print("after", gc.isenabled(), flush=True)
sys.exit(rc)
"""


def test_the_garbage_collector_waits_for_the_first_paint(tmp_path) -> None:
    """gui.app holds the cyclic collector during start-up (~66 collections before the paint) and
    turns it back on just after the first paint, before the extensions are attached, with what is
    alive then frozen."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "CERTPATH_CACHE_DIR": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-c", _GC_AT_FIRST_PAINT, str(tmp_path / "data")], capture_output=True,
                       text=True, env=env, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    # and start-up's objects are frozen then (gc.freeze: no later collection walks them again)
    assert r.stdout.split("\n")[:4] == ["before True", "paint False False", "extensions True True", "after True"]


def test_hold_and_resume_gc_leave_a_collector_someone_else_turned_off() -> None:
    import gc

    from gui.app import hold_gc, resume_gc

    assert gc.isenabled()
    hold_gc()
    assert not gc.isenabled()
    resume_gc()
    assert gc.isenabled()
    gc.disable()
    try:
        hold_gc()
        resume_gc()
        assert not gc.isenabled()  # not ours to turn on
    finally:
        gc.enable()


_FREEZE = """
import gc, weakref
from gui.app import hold_gc, resume_gc
class Node: pass
hold_gc()
resume_gc()
print("plain", gc.get_freeze_count())
hold_gc()
kept = [Node() for _ in range(100)]
resume_gc(freeze=True)
print("frozen", gc.get_freeze_count() >= 100, gc.isenabled())
# made after the freeze: collected as before
a = Node(); a.me = a; ref = weakref.ref(a); del a
gc.collect()
print("later cycle collected", ref() is None)
resume_gc(freeze=True)  # not held: nothing more is frozen
n = gc.get_freeze_count(); gc.collect(); resume_gc(freeze=True); print("again", gc.get_freeze_count() == n)
"""


def test_resume_gc_freezes_what_start_up_made_only_when_asked(tmp_path) -> None:
    """In its own process: freezing is for the app's process, not a test's."""
    r = subprocess.run([sys.executable, "-c", _FREEZE], capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:4] == ["plain 0", "frozen True True", "later cycle collected True", "again True"]


_FEATURE_SCAN = """
import sys, inspect
read = []
getsource = inspect.getsource
def counting_getsource(obj):
    read.append(getattr(obj, "__name__", "?"))
    return getsource(obj)
inspect.getsource = counting_getsource  # what PySide6's __feature__ hook reads each module with
from gui import app
app._preload_core()
app._skip_feature_scan()
import gui.main_window, gui.shell, core.engine.img.ecfmg
table = sys.modules["__feature__"].pyside_feature_dict
print(sorted(n for n in read if n.startswith(("gui", "core"))))
print(table["gui.main_window"], table["gui.shell"], table["core.engine.img.ecfmg"], table["core.store"])
"""


def test_pyside_reads_no_source_of_ours_to_learn_what_the_frozen_app_assumes() -> None:
    """PySide6's __feature__ hook read the whole source of each module imported after it (~55 before
    the first paint, 25 M instructions) to mark it "uses PySide" or "ignore"; the frozen app, which
    has no sources, marks them all "ignore" (-1). gui.app now writes that down first."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-c", _FEATURE_SCAN], capture_output=True, text=True, env=env,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    read, marks = r.stdout.strip().split("\n")
    assert read == "[]"
    assert marks.split() == ["-1", "-1", "-1", "-1"]


def test_no_module_of_ours_selects_a_pyside_feature() -> None:
    """What `_skip_feature_scan` relies on: with no `from __feature__ import ...` anywhere, a
    module marked "ignore" and one marked "uses PySide, no feature" behave the same."""
    import re

    for path in [*(ROOT / "core").rglob("*.py"), *(ROOT / "gui").rglob("*.py"), *(ROOT / "packaging").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from\s+__feature__\s+import|import\s+__feature__)", text, re.M), path
        assert "set_selection(" not in text, path
