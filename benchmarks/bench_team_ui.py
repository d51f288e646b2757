"""The Team view (gui/team.py) at 500 profiles x 3 cards against 10 profiles, side by side.

Issue 20's target: the Team view opens and filters within 1.5x of a 10-profile file. Measured in
one run, the two files interleaved round by round (so drift hits both alike):
  open         = a TeamPanel on a fresh TeamData until its table holds every row: the data file
                 read once, every profile evaluated (in the worker thread for 500, on the UI
                 thread for 10), the model filled and the columns fitted
  ui blocked   = during that open, the longest the UI thread went without serving its event loop
                 (a 10 ms timer's largest gap): what a user feels while the 500 are evaluated
  filter       = each Show choice and a search, applied (filter_rows + sort_rows + model reset),
                 with the events processed: what a click in the Show box or a typed name costs
Open grows with the number of profiles (each is evaluated once, ~2 ms), so the open ratio is
printed in total and per row; the per-row ratio is what says whether the view scales linearly.

A script, not a test:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_team_ui.py [rounds]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_roster import make_file  # noqa: E402
from benchmarks.benchlib import TODAY, machine, med, tmpdir, verdict  # noqa: E402
from core.rules import load_rules  # noqa: E402

TARGET = 1.5


class _Session:
    def __init__(self, store):
        self.store = store
        self.today = TODAY
        self.profile_id = None


def main() -> None:
    from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal
    from PySide6.QtWidgets import QApplication

    from gui import team

    app = QApplication.instance() or QApplication(sys.argv[:1])
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    load_rules()

    class Journeys(QObject):  # the window's JourneyService as TeamData sees it: a signal and a doc
        journey_changed = Signal(object)
        doc = None

    def open_view(store) -> tuple[float, float, float, team.TeamPanel]:
        data = team.TeamData(_Session(store), Journeys())
        gaps = [0.0]
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def tick():
            now = clock.elapsed()
            gaps[0] = max(gaps[0], now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(tick)
        timer.start()
        t0 = time.perf_counter()
        panel = team.TeamPanel(data)
        panel.resize(1280, 700)
        panel.show()
        app.processEvents()  # the view's first paint: the table, or the progress bar while the worker reads
        shown = (time.perf_counter() - t0) * 1000
        tick()
        while data.building or data.roster is None:
            app.processEvents()
            time.sleep(0.002)
        app.processEvents()
        ms = (time.perf_counter() - t0) * 1000
        timer.stop()
        tick()
        assert panel.model.rowCount() == len(store.list_profiles())
        data.shutdown()
        return ms, gaps[0], shown, panel

    def filter_view(panel: team.TeamPanel, paint: bool) -> float:
        """Each Show choice and a search; `paint`: with the events processed (the repaint of the rows
        in view), else the filter, sort and model reset alone."""
        t0 = time.perf_counter()
        choices = [label for label, _kw in team.FILTERS]
        steps = 0
        for label in [*choices[1:], choices[0]]:
            panel.set_filter(label)
            steps += 1
            if paint:
                app.processEvents()
        for text in ("on 01", ""):
            panel.search.setText(text)
            panel.apply_filter()
            steps += 1
            if paint:
                app.processEvents()
        return (time.perf_counter() - t0) * 1000 / steps

    with tmpdir() as tmp:
        files = {n: make_file(Path(tmp) / f"p{n}", n) for n in (10, 500)}
        for s in files.values():  # warm-up
            *_rest, p = open_view(s)
            filter_view(p, True)
            p.close()
        opened = {n: [] for n in files}
        blocked = {n: [] for n in files}
        shown = {n: [] for n in files}
        filtered = {n: [] for n in files}
        computed = {n: [] for n in files}
        for _ in range(rounds):
            for n, s in files.items():
                ms, gap, first, panel = open_view(s)
                opened[n].append(ms)
                blocked[n].append(gap)
                shown[n].append(first)
                filtered[n].append(filter_view(panel, True))
                computed[n].append(filter_view(panel, False))
                panel.close()
                panel.deleteLater()
                app.processEvents()
        for s in files.values():
            s.db.close()
    print(f"bench_team_ui on {machine()}; {rounds} interleaved rounds; today {TODAY}")
    small, big = med(opened[10]), med(opened[500])
    print(f"open the Team view:   10 profiles {small:8.1f} ms   500 profiles {big:8.1f} ms   "
          f"total ratio {big / small:.2f}x (target <= {TARGET}x): {verdict(big / small, TARGET)}")
    ratio = (big / 500) / (small / 10)
    print(f"                      per row {small / 10:6.2f} ms vs {big / 500:6.2f} ms   "
          f"per-row ratio {ratio:.2f}x (target <= {TARGET}x): {verdict(ratio, TARGET)}")
    print(f"UI thread blocked (longest event-loop gap while opening): 10 profiles {med(blocked[10]):6.1f} ms   "
          f"500 profiles {med(blocked[500]):6.1f} ms (the 500 are evaluated in the worker thread, "
          "a progress bar shows)")
    small, big = med(shown[10]), med(shown[500])
    print(f"view shown (first paint; for 500 the progress bar): 10 profiles {small:7.1f} ms   500 profiles "
          f"{big:7.1f} ms   ratio {big / small:.2f}x (target <= {TARGET}x): {verdict(big / small, TARGET)}")
    small, big = med(computed[10]), med(computed[500])
    print(f"filter, sort, model reset (per Show choice or search): 10 profiles {small:7.2f} ms   500 profiles "
          f"{big:7.2f} ms   ratio {big / small:.2f}x (target <= {TARGET}x): {verdict(big / small, TARGET)}")
    small, big = med(filtered[10]), med(filtered[500])
    print(f"the same with the repaint:  10 profiles {small:7.2f} ms   500 profiles {big:7.2f} ms   "
          f"ratio {big / small:.2f}x (target <= {TARGET}x): {verdict(big / small, TARGET)} "
          "(10 rows fill part of the view, 500 fill it: more rows painted)")

if __name__ == "__main__":
    main()
