"""The Team view (gui/team.py) at 500 profiles x 3 cards against 10, in instructions (valgrind callgrind).

bench_team_ui.py's times move with the load of a shared machine by more than most changes to the
view (the same code's 10-profile open read 8 to 16 ms of CPU between runs); instruction counts do
not. This script measures, in one process run under callgrind, the regions between `os.getppid()`
marks (`--dump-before=os_getppid*`), as bench_team_ui.py measures them: per file, two opens with
this day's evaluations kept (a fresh TeamData and RosterCache, the cache read from the file), two
"view only" opens (the roster already built) and the eight filter steps (each Show choice and a
search, with the repaint). The data folders are made first, by the code measured (the cache file
is keyed by the code's own hash).

Instructions are not time (a cache miss costs more than an add), but a change that does less work
shows here at once, and the ratio of two figures counts what grows with the number of rows.

    .venv/bin/python benchmarks/bench_team_ui_callgrind.py
    CERTPATH_BENCH_BEFORE=DIR .venv/bin/python benchmarks/bench_team_ui_callgrind.py

With CERTPATH_BENCH_BEFORE (a checkout of an older commit, e.g. `git archive C | tar -x -C DIR`)
the same regions are measured with that checkout's code too and printed beside. A run is a few
minutes (Python under callgrind runs ~50x slower). A script, not a test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 500)


def _import_root() -> Path:
    """The checkout whose code is measured (this one, or CERTPATH_BENCH_BEFORE for its runs)."""
    return Path(os.environ.get("CERTPATH_BENCH_CODE") or ROOT)


def prepare(folder: Path) -> None:
    """The 10- and 500-profile data folders, with this day's evaluations kept by the code measured."""
    sys.path.insert(0, str(_import_root()))
    from benchmarks.bench_roster import make_file
    from benchmarks.benchlib import TODAY
    from core import roster as R
    from core.roster_cache import RosterCache

    for n in SIZES:
        store = make_file(folder / f"p{n}", n)
        cache = RosterCache.of_store(store)
        R.complete_statuses(R.build_roster(store, TODAY, cache=cache), cache)
        store.db.close()


def child(folder: Path) -> None:
    """Run under callgrind: the measured regions, each between two os.getppid() marks; prints the
    marks' labels in order."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(_import_root()))
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication

    from benchmarks.benchlib import TODAY
    from core.db import open_database
    from core.paths import data_paths
    from core.rules import load_rules
    from core.store import Store
    from gui import team

    app = QApplication(sys.argv[:1])
    load_rules()

    class Journeys(QObject):  # the window's JourneyService as TeamData sees it
        journey_changed = Signal(object)
        doc = None

    class Session:
        def __init__(self, store) -> None:
            self.store, self.today, self.profile_id = store, TODAY, None

    labels: list[str] = []

    def mark(label: str) -> None:
        labels.append(label)
        os.getppid()  # (callgrind dumps the counts before each call)

    def open_view(store, mode: str, label: str | None):
        data = team.TeamData(Session(store), Journeys())
        if mode == "view only":
            data.ensure()
            data.wait()
            app.processEvents()
        if label:
            mark("start")
        panel = team.TeamPanel(data)
        panel.resize(1280, 700)
        panel.show()
        app.processEvents()
        while data.building or data.roster is None:
            app.processEvents()
            time.sleep(0.002)
        app.processEvents()
        if label:
            mark(label)
        assert data.roster is not None and data.roster.evaluated == 0, "the kept cache was not used"
        return data, panel

    def filter_steps(panel) -> None:
        choices = [label for label, _kw in team.FILTERS]
        for label in [*choices[1:], choices[0]]:
            panel.set_filter(label)
            app.processEvents()
        for text in ("on 01", ""):
            panel.search.setText(text)
            panel.apply_filter()
            app.processEvents()

    def close(data, panel) -> None:
        data.shutdown()
        panel.close()
        panel.deleteLater()
        app.processEvents()

    stores = {n: Store(open_database(data_paths(folder / f"p{n}").ensure().db)) for n in SIZES}
    for s in stores.values():  # warm-up, not measured
        data, panel = open_view(s, "kept", None)
        filter_steps(panel)
        close(data, panel)
    for rep in (1, 2):
        for n, s in stores.items():
            for mode in ("kept", "view only"):
                data, panel = open_view(s, mode, f"{mode}|{n}|{rep}")
                if mode == "kept" and rep == 1:
                    mark("start")
                    filter_steps(panel)
                    mark(f"filter|{n}|1")
                close(data, panel)
    print("LABELS " + ";".join(labels))
    for s in stores.values():
        s.db.close()


def measure(code: Path, tmp: Path) -> dict[tuple[str, int, int], int]:
    """(region, profiles, repetition) -> instructions, for the code in `code`."""
    env = {**os.environ, "CERTPATH_BENCH_CODE": str(code), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    data, out = tmp / "data", tmp / "cg"
    for d in (data, out):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    script = str(Path(__file__).resolve())
    subprocess.run([sys.executable, script, "--prepare", str(data)], env=env, cwd=code, check=True)
    run = subprocess.run(["valgrind", "--tool=callgrind", "--dump-before=os_getppid*",
                          f"--callgrind-out-file={out}/cg.%p", sys.executable, script, "--child", str(data)],
                         env=env, cwd=code, check=True, capture_output=True, text=True)
    labels = run.stdout.split("LABELS ", 1)[1].strip().split(";")
    dumps = sorted(out.glob("cg.*.*"), key=lambda f: int(f.name.rsplit(".", 1)[1]))
    counts = []
    for f in dumps:
        m = re.search(r"^(?:summary|totals): (\d+)", f.read_text(errors="replace"), re.M)
        counts.append(int(m.group(1)) if m else -1)
    got = {}
    for label, n in zip(labels, counts, strict=False):  # dump i: the counts up to mark i
        if label != "start":
            region, size, rep = label.split("|")
            got[(region, int(size), int(rep))] = n
    return got


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("bench_team_ui_callgrind needs valgrind")
    before = os.environ.get("CERTPATH_BENCH_BEFORE")
    sides = {"this checkout": ROOT, **({"before": Path(before).resolve()} if before else {})}
    results = {}
    with tempfile.TemporaryDirectory(prefix="certpath-bench-cg-") as tmp:
        for name, code in sides.items():
            results[name] = measure(code, Path(tmp) / name.replace(" ", "-"))
    print(f"bench_team_ui_callgrind: instructions (millions) of the Team view's regions, {SIZES[0]} against "
          f"{SIZES[1]} profiles, Python {sys.version.split()[0]}")
    for region, reps, what in (("kept", (1, 2), "open, this day's evaluations kept"),
                               ("view only", (1, 2), "view only (the roster already built)"),
                               ("filter", (1,), "the eight filter steps with their repaints")):
        for rep in reps:
            parts = []
            for name, got in results.items():
                small, big = got[(region, SIZES[0], rep)], got[(region, SIZES[1], rep)]
                parts.append(f"{name}: {small / 1e6:7.2f} / {big / 1e6:7.2f} M = {big / small:.2f}x")
            print(f"{what + (f' #{rep}' if len(reps) > 1 else '') + ':':48s} " + "   ".join(parts))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        prepare(Path(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
    else:
        main()
