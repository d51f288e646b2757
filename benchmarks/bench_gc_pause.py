"""How long a full garbage collection stalls the running app, with start-up's objects frozen at the
first paint (gui.app.resume_gc(freeze=True), what the app does) and without (as before 2026-12-02).

Each run is its own process: the main window on a 500-profile file (benchmarks/bench_roster.py's
make_file), start-up's collector held until the first paint as gui/app.py holds it, then resumed
(frozen or not), the Team view opened and its 500 rows built; then five full collections
(`gc.collect()`), of which the median is kept. Python runs a full collection on its own now and
then (when enough objects have survived the younger ones); the UI thread waits for it. The two
modes are interleaved run by run, so drift on a shared machine hits both alike.

A script, not a test:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_gc_pause.py [runs]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.benchlib import ROOT, machine, med, tmpdir  # noqa: E402

CHILD = r"""
import datetime as dt, gc, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from gui.app import hold_gc, resume_gc
hold_gc()
from gui.shell import open_session
from gui.main_window import MainWindow
session = open_session(sys.argv[2], dt.date(2026, 12, 1), False, now=dt.datetime(2026, 12, 1, 9), daily_backup=False)
session.choose_default_profile()
win = MainWindow(session, defer_extensions=True)
win.resize(1280, 800)
win.call_after_first_paint(lambda: resume_gc(freeze=sys.argv[1] == "frozen"), first=True)
win.show()
def spin(s):
    end = time.monotonic() + s
    while time.monotonic() < end:
        app.processEvents(); time.sleep(0.005)
spin(1.5)
panel = win.panel("Team")
end = time.monotonic() + 30
while panel.model.rowCount() < 500 and time.monotonic() < end:
    spin(0.05)
spin(0.5)
assert panel.model.rowCount() == 500, panel.model.rowCount()
ts = []
for _ in range(5):
    t = time.perf_counter(); gc.collect(); ts.append((time.perf_counter() - t) * 1000)
print(sorted(ts)[2], len(gc.get_objects()), gc.get_freeze_count())
"""


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    from benchmarks.bench_roster import make_file

    with tmpdir() as tmp:
        data = Path(tmp) / "data"
        make_file(data, 500).db.close()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
               "CERTPATH_CACHE_DIR": str(Path(tmp) / "cache")}
        ms: dict[str, list[float]] = {"frozen": [], "not frozen": []}
        tracked: dict[str, tuple[int, int]] = {}
        for _ in range(runs):
            for mode in ms:
                r = subprocess.run([sys.executable, "-c", CHILD, mode.replace(" ", "-"), str(data)],
                                   capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
                if r.returncode != 0:
                    sys.exit(f"bench_gc_pause: the {mode} run failed:\n{r.stderr[-2000:]}")
                t, n, f = r.stdout.split()
                ms[mode].append(float(t))
                tracked[mode] = (int(n), int(f))
    print(machine())
    print(f"a full collection with the Team view open on 500 profiles, median of {runs} runs each (5 collections a run):")
    for mode, xs in ms.items():
        n, f = tracked[mode]
        print(f"  {mode:11s} {med(xs):6.1f} ms  [{min(xs):.1f}-{max(xs):.1f}]  tracked {n}, frozen {f}")
    print(f"  frozen / not frozen: {med(ms['frozen']) / med(ms['not frozen']):.2f}x")


if __name__ == "__main__":
    main()
