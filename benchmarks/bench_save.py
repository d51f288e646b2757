"""One Save on a step page with every panel built: the demo profile vs a big one.

A script, not a test:  .venv/bin/python benchmarks/bench_save.py [runs]   (default 9, min 5)

The window shows the USMLE Step 1 page, with the Documents, Reminders and Costs panels built and
two more step pages open. Each run types a new scheduled test date on the page and saves it
(`MainWindow.save_step()`, then the events it queues): the facts are written, the journey is
evaluated once (gui/journey_service.py) and every view renders it. The big profile is
bench_growth.py's: the IMG demo plus 10,000 documents, 5,000 reminders and 500 exam records.
Measured in-process, offscreen, interleaved; median. Target: big <= 1.2x demo (wall clock). The
process's CPU time per Save is printed beside it: on shared cores other work stretches the wall
clock of either side at random, and the CPU ratio shows what CertPath itself spends. The
evaluations each Save runs are counted and printed too (should be 1).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_growth import N_DOCS, N_EXAMS, N_REMINDERS, make_big  # noqa: E402
from benchlib import ROOT, TODAY, machine, tmpdir, verdict  # noqa: E402

sys.path.insert(0, str(ROOT))
TARGET = 1.2
STEP = "usmle.step1"


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = max(5, int(args[0]) if args else 9)
    print(f"machine: {machine()}")
    from PySide6.QtWidgets import QApplication

    import core.engine
    from core.db import open_database
    from core.paths import data_paths
    from core.profiles import parse_document
    from core.store import Store
    from gui.main_window import MainWindow
    from gui.session import Session

    evaluations = []
    real_journey = core.engine.Journey

    def counting_journey(*a, **k):  # every core.engine.evaluate call builds one Journey
        evaluations.append(1)
        return real_journey(*a, **k)

    core.engine.Journey = counting_journey  # type: ignore[misc]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tmpdir() as t:
        paths = data_paths(Path(t) / "data").ensure()
        store = Store(open_database(paths.db))
        doc = parse_document((ROOT / "resources" / "demo" / "img-demo.json").read_bytes(), TODAY)
        demo_id = store.import_document(doc)
        t0 = time.perf_counter()
        big_id = make_big(store, paths, store.document(demo_id))
        print(f"setup: big profile with {N_DOCS} documents, {N_REMINDERS} reminders, {N_EXAMS} exam records "
              f"in {time.perf_counter() - t0:.1f} s")
        session = Session(store=store, paths=paths, today=TODAY, demo=True, profile_id=demo_id)
        win = MainWindow(session)
        win.resize(1280, 800)
        win.show()
        app.processEvents()
        failed = win.build_all_panels()
        if failed:
            raise SystemExit(f"panels that could not start: {failed}")
        counter = {"n": 0}

        def use(pid: int) -> None:
            win.switch_profile(pid)
            for key in ("usmle.step2ck", "img", STEP):
                win.open_step(key)
            app.processEvents()

        def save() -> tuple[float, float]:
            page = win.current_page()
            counter["n"] += 1  # a new date each time: every Save writes and re-evaluates
            page.form.editor("scheduled_date").setText((TODAY + dt.timedelta(days=30 + counter["n"] % 60)).isoformat())
            t0, c0 = time.perf_counter(), time.process_time()
            ok = win.save_step()
            app.processEvents()
            ms, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
            if not ok:
                raise SystemExit("the Save was refused: " + "; ".join(p.text() for p in page.problems))
            return ms, cpu

        res: dict[str, list[float]] = {"demo": [], "big": []}
        cpu: dict[str, list[float]] = {"demo": [], "big": []}
        per_save: dict[str, list[int]] = {"demo": [], "big": []}
        for pid in (demo_id, big_id):  # warm-up
            use(pid)
            save()
        for _ in range(runs):  # interleaved
            for label, pid in (("demo", demo_id), ("big", big_id)):
                use(pid)
                evaluations.clear()
                ms, c = save()
                res[label].append(ms)
                cpu[label].append(c)
                per_save[label].append(len(evaluations))
        win.close()
        store.db.close()
    d, b = statistics.median(res["demo"]), statistics.median(res["big"])
    print(f"\nmedian of {runs} (in-process, offscreen), one Save on {STEP} with every panel built:")
    print(f"  demo {d:7.1f} ms   big {b:7.1f} ms   ratio {b / d:.2f}x (target <= {TARGET}x: {verdict(b / d, TARGET)})")
    cd, cb = statistics.median(cpu["demo"]), statistics.median(cpu["big"])
    print(f"  CPU time of the process: demo {cd:7.1f} ms   big {cb:7.1f} ms   ratio {cb / cd:.2f}x")
    print(f"  evaluations per Save: demo {sorted(set(per_save['demo']))}, big {sorted(set(per_save['big']))}")


if __name__ == "__main__":
    main()
