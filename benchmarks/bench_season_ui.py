"""The Application season panel at scale: a 500-program list against a 20-program list, side by
side in one run (issue 18: "a 500-program list stays responsive: open and filter, ratio to a
20-program list <= 1.5x").

Each size is its own data file, open in its own main window (offscreen), the panel built:
  open   = panel.refresh() (load_season: the profile, its journey, every program checked, clashes,
           dated items, rank list, fees; the table model's texts computed once) + a synchronous
           paint of the panel
  filter = "eligible first" on, a search typed, both undone, each followed by a synchronous paint
The target is on the totals (what the user waits for), 500 against 20; the per-program ratio is
printed too. Rounds are interleaved so drift on the shared machine hits both sizes alike.

A script, not a test:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_season_ui.py [rounds]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_programs import make_file  # noqa: E402
from benchmarks.benchlib import TODAY, machine, med, tmpdir, verdict  # noqa: E402

TARGET = 1.5


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from core.rules import load_rules
    from gui.main_window import MainWindow
    from gui.season_ui import TITLE
    from gui.shell import open_session

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_rules()
    sizes = (20, 500)
    with tmpdir() as tmp:
        wins = {}
        for n in sizes:
            root = Path(tmp) / f"p{n}"
            store, _pid = make_file(root, n)
            store.db.close()
            session = open_session(root, TODAY, demo=False)
            session.choose_default_profile()
            w = MainWindow(session)
            w.resize(1280, 800)
            w.show()
            panel = w.panel(TITLE)
            w.tabs.setCurrentWidget(panel)
            app.processEvents()
            wins[n] = (w, panel)

        def time_open(panel) -> float:
            t0 = time.perf_counter()
            panel.refresh()
            panel.repaint()
            return (time.perf_counter() - t0) * 1000

        def time_filter(panel) -> float:
            t0 = time.perf_counter()
            panel.eligible_only.setChecked(True)
            panel.repaint()
            panel.search.setText("number 01")
            panel.repaint()
            panel.search.setText("")
            panel.eligible_only.setChecked(False)
            panel.repaint()
            return (time.perf_counter() - t0) * 1000

        for _w, p in wins.values():  # warm-up
            time_open(p)
            time_filter(p)
        opened: dict[int, list[float]] = {n: [] for n in sizes}
        filtered: dict[int, list[float]] = {n: [] for n in sizes}
        for _ in range(rounds):
            for n, (_w, p) in wins.items():
                opened[n].append(time_open(p))
                filtered[n].append(time_filter(p))
        rows = {n: p.model.rowCount() for n, (_w, p) in wins.items()}
        for w, _p in wins.values():
            w.close()
            w.session.store.db.close()
    print(f"bench_season_ui on {machine()}; {rounds} interleaved rounds; today {TODAY}; 1280x800 offscreen")
    for n in sizes:
        print(f"  {n} programs: {rows[n]} rows in the table")
    both = {n: [o + f for o, f in zip(opened[n], filtered[n], strict=True)] for n in sizes}
    for label, data, target in (("open + filter (the issue's target)", both, True),
                                ("  of which open (refresh + paint)", opened, False),
                                ("  of which filter (eligible first, search, undo; paints)", filtered, False)):
        small, big = med(data[20]), med(data[500])
        ratio = big / small
        per = (big / 500) / (small / 20)
        mark = f"(target <= {TARGET}x): {verdict(ratio, TARGET)}" if target else "(part of the above)"
        print(f"{label}:  20 programs {small:8.2f} ms   500 programs {big:8.2f} ms   ratio {ratio:.2f}x "
              f"(per program {per:.3f}x) {mark}")


if __name__ == "__main__":
    main()
