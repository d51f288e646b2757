"""Growth: the dashboard's refresh with a big profile vs the demo profile.

A script, not a test:  .venv/bin/python benchmarks/bench_growth.py [runs]   (default 9, min 5)

The big profile is the IMG demo profile plus 10,000 documents, 5,000 reminders (the user's own
tasks) and 500 exam records (USMLE attempts and OET sittings in its facts). Reminders and exam
records go through the core APIs (core.reminders.add_task, Store.save_facts); the 10,000
documents are inserted into the documents/blobs tables directly (Vault.attach copies and fsyncs
a real file per document, which only this setup would pay). Measured in-process, offscreen,
interleaved; median. Target: big <= 1.5x demo for `Dashboard.refresh()`; the refresh of every
panel on a profile switch (`MainWindow.refresh()`: one evaluation, every view follows) is shown too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, TODAY, machine, tmpdir, verdict  # noqa: E402

sys.path.insert(0, str(ROOT))
TARGET = 1.5
N_DOCS, N_REMINDERS, N_EXAMS = 10_000, 5_000, 500


def make_big(store, paths, doc: dict) -> int:
    from core import reminders
    from core.engine import step_defs

    big = json.loads(json.dumps(doc))
    big["name"] = "Big profile (benchmark)"
    pid = store.import_document(big)
    # 500 exam records, through the Store API
    t0 = dt.date(2000, 1, 1)
    attempts = [{"date": (t0 + dt.timedelta(days=7 * i)).isoformat(), "result": "fail",
                 "result_date": (t0 + dt.timedelta(days=7 * i + 21)).isoformat()} for i in range(N_EXAMS // 2)]
    sittings = [{"date": (t0 + dt.timedelta(days=7 * i)).isoformat(), "listening": 300, "reading": 300,
                 "speaking": 300, "writing": 300,
                 "result_date": (t0 + dt.timedelta(days=7 * i + 11)).isoformat()} for i in range(N_EXAMS - len(attempts))]
    facts = store.facts(pid)
    step2 = dict(facts.get("usmle.step2ck", {}), attempts=attempts)
    oet = dict(facts.get("ecfmg.oet", {}), sittings=sittings)
    store.save_facts(pid, {"usmle.step2ck": step2, "ecfmg.oet": oet})
    # 5,000 reminders, through core.reminders
    for i in range(N_REMINDERS):
        reminders.add_task(store, pid, f"Task {i}", TODAY + dt.timedelta(days=i % 900 - 100))
    # 10,000 documents: direct inserts (setup only)
    steps = [s.id for t in big["tracks"] for s in step_defs(t)]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with store.db.atomic():
        for i in range(N_DOCS):
            sha = hashlib.sha256(f"doc{i}".encode()).hexdigest()
            store.db.execute("INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)", [sha, 1000 + i, now])
            store.db.execute(
                "INSERT INTO documents (profile_id, step_id, sha256, original_name, mime, size, added_at, expires, note)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
                [pid, steps[i % len(steps)], sha, f"scan-{i}.pdf", "application/pdf", 1000 + i,
                 TODAY.isoformat(), (TODAY + dt.timedelta(days=i % 1500)).isoformat() if i % 3 == 0 else None])
    return pid


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    panels = "--panels" in sys.argv  # internal: the all-panels figure, in a child process
    runs = max(5, int(args[0]) if args else 9)
    if not panels:
        print(f"machine: {machine()}")
    from PySide6.QtWidgets import QApplication

    from core.db import open_database
    from core.paths import data_paths
    from core.profiles import parse_document
    from core.store import Store
    from gui.main_window import MainWindow
    from gui.session import Session

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tmpdir() as t:
        paths = data_paths(Path(t) / "data").ensure()
        store = Store(open_database(paths.db))
        doc = parse_document((ROOT / "resources" / "demo" / "img-demo.json").read_bytes(), TODAY)
        demo_id = store.import_document(doc)
        t0 = time.perf_counter()
        big_id = make_big(store, paths, store.document(demo_id))
        if not panels:
            print(f"setup: big profile with {N_DOCS} documents, {N_REMINDERS} reminders, {N_EXAMS} exam records "
              f"in {time.perf_counter() - t0:.1f} s")
        session = Session(store=store, paths=paths, today=TODAY, demo=True, profile_id=demo_id)
        win = MainWindow(session)
        win.show()
        app.processEvents()

        def use(pid):
            session.profile_id = pid

        def dash():
            win.dashboard.refresh()
            app.processEvents()

        def switch():
            win.refresh()  # one evaluation; the navigator, dashboard, pages and every panel follow
            app.processEvents()

        what, fn = ("all panels (profile switch)", switch) if panels else ("dashboard refresh", dash)
        res: dict[str, dict[str, list[float]]] = {what: {"demo": [], "big": []}}
        for pid in (demo_id, big_id):  # warm-up
            use(pid)
            fn()
        for _ in range(runs):  # interleaved
            for label, pid in (("demo", demo_id), ("big", big_id)):
                use(pid)
                res[what][label] += timed(fn, 1)
        if not panels:  # the core part of the dashboard refresh: load the profile, evaluate it
            from core.engine import evaluate

            for label, pid in (("demo", demo_id), ("big", big_id)):
                use(pid)
                res.setdefault("  of which document+evaluate", {"demo": [], "big": []})[label] = timed(
                    lambda: evaluate(session.document(), TODAY), runs)
        win.close()
        store.db.close()
    if not panels:
        print(f"\nmedian of {runs} (in-process, offscreen):")
    for what, r in res.items():
        d, b = statistics.median(r["demo"]), statistics.median(r["big"])
        tgt = f"target <= {TARGET}x: {verdict(b / d, TARGET)}" if what == "dashboard refresh" else "no target"

        print(f"  {what:<28} demo {d:7.1f} ms   big {b:7.1f} ms   ratio {b / d:.2f}x ({tgt})", flush=True)
    if not panels:
        # every panel's refresh (reminders, documents, costs...) in a child: a crash there is reported
        import subprocess

        r = subprocess.run([sys.executable, __file__, str(runs), "--panels"], capture_output=True, text=True)
        if r.returncode == 0:
            print(r.stdout.rstrip())
        else:
            last = [ln for ln in r.stderr.splitlines() if ln.strip()][-12:]
            print(f"  all panels (profile switch)  CRASHED (exit {r.returncode}):")
            print("\n".join("    " + ln for ln in last if "propagateSizeHints" not in ln))


if __name__ == "__main__":
    main()
