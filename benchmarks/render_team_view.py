"""Renders of the Team view for a pixel comparison of two checkouts (docs/performance.md, "Team view
paint, session 8").

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/render_team_view.py render CODE OUT light|dark
    .venv/bin/python benchmarks/render_team_view.py compare DIR_A DIR_B

`render` draws the Team panel of the main window (`panel.grab()`) with the code of checkout CODE into
PNGs in OUT: the 500- and 10-profile files of benchmarks.bench_roster.make_file and the demo profiles;
1280x800 and 1920x1080; a card cell current with focus, a name cell current, the focus elsewhere, each
Show choice, a search, a sort by PALS and by role, scrolled; a 1000 and a 760 pixel wide window (names
and roles elided). `compare` says which PNGs differ, in how many pixels and where. A script, not a test.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def render(code: Path, out: Path, dark: bool) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(code))
    os.chdir(code)
    tmp = Path(tempfile.mkdtemp(prefix="certpath-render-"))
    for var, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "cfg"), ("XDG_DATA_HOME", "share"),
                     ("CERTPATH_CACHE_DIR", "cache")):
        os.environ[var] = str(tmp / sub)  # (never the user's settings or data)
    from PySide6.QtCore import QLocale, Qt
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    QLocale.setDefault(QLocale("en_GB"))
    from benchmarks.bench_roster import make_file
    from benchmarks.benchlib import TODAY
    from gui import theme
    from gui.main_window import MainWindow
    from gui.shell import load_demo, open_session
    from gui.team import FILTERS

    (theme.apply_dark if dark else theme.apply_light)(app)
    out.mkdir(parents=True, exist_ok=True)

    def wait(cond) -> None:
        for _ in range(400):
            app.processEvents()
            if cond():
                return
            time.sleep(0.005)

    folders = []
    for n in (500, 10):
        make_file(tmp / f"p{n}", n).db.close()
        folders.append((f"p{n}", tmp / f"p{n}", "on 01"))
    s = open_session(tmp / "demo", TODAY, demo=False)
    load_demo(s.store, TODAY)
    s.store.db.close()
    folders.append(("demo", tmp / "demo", "a"))
    count = 0
    for name, folder, search in folders:
        session = open_session(folder, TODAY, demo=False, daily_backup=False)
        session.choose_default_profile()
        win = MainWindow(session)
        win.resize(1280, 800)
        win.show()
        app.processEvents()
        win.team_action.trigger()
        panel = win.team_panel
        wait(lambda p=panel: p.data.roster is not None and not p.data.building and bool(p.model.rows))
        t, m = panel.table, panel.model
        cols = m.columns()

        def shot(tag: str, name=name, panel=panel) -> None:
            nonlocal count
            app.processEvents()
            panel.grab().save(str(out / f"{name}-{tag}.png"))
            count += 1

        for size in ((1280, 800), (1920, 1080)):
            win.resize(*size)
            app.processEvents()
            app.processEvents()
            t.setFocus()
            app.processEvents()
            t.setCurrentIndex(m.index(min(2, m.rowCount() - 1), cols.index("pals")))
            shot(f"{size[0]}-everyone-focus")
            t.setCurrentIndex(m.index(min(1, m.rowCount() - 1), 0))
            shot(f"{size[0]}-everyone-name")
            panel.search.setFocus()
            app.processEvents()
            shot(f"{size[0]}-everyone-nofocus")
            t.setFocus()
            for i, (label, _kw) in enumerate(FILTERS):
                panel.set_filter(label)
                app.processEvents()
                if m.rowCount():
                    t.setCurrentIndex(m.index(0, cols.index("bls")))
                shot(f"{size[0]}-show{i}")
            panel.set_filter("Everyone")
            panel.search.setText(search)
            panel.apply_filter()
            shot(f"{size[0]}-search")
            panel.search.setText("")
            panel.apply_filter()
            t.sortByColumn(cols.index("pals"), Qt.SortOrder.DescendingOrder)
            shot(f"{size[0]}-sort-pals")
            t.sortByColumn(1, Qt.SortOrder.AscendingOrder)
            shot(f"{size[0]}-sort-role")
            t.verticalScrollBar().setValue(t.verticalScrollBar().maximum() // 2)
            shot(f"{size[0]}-scrolled")
            t.verticalScrollBar().setValue(0)
            t.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        for w in (1000, 760):
            win.resize(w, 700)
            app.processEvents()
            app.processEvents()
            t.setFocus()
            t.setCurrentIndex(m.index(0, 1))
            shot(f"narrow{w}")
        win.close()
        session.store.db.close()
    print(f"rendered {count} PNGs to {out}")
    shutil.rmtree(tmp, ignore_errors=True)


def compare(a: Path, b: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImage

    same = differ = 0
    for f in sorted(a.glob("*.png")):
        ia, ib = QImage(str(f)), QImage(str(b / f.name))
        if ia == ib:
            same += 1
            continue
        differ += 1
        if ia.size() != ib.size():
            print(f"{f.name}: sizes {ia.size().toTuple()} and {ib.size().toTuple()}")
            continue
        n, box = 0, [ia.width(), ia.height(), -1, -1]
        for y in range(ia.height()):
            for x in range(ia.width()):
                if ia.pixel(x, y) != ib.pixel(x, y):
                    n += 1
                    box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
        print(f"{f.name}: {n} pixels differ, within x {box[0]}-{box[2]}, y {box[1]}-{box[3]}")
    print(f"{same} identical, {differ} different")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "render":
        render(Path(sys.argv[2]).resolve(), Path(sys.argv[3]).resolve(), sys.argv[4] == "dark")
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(__doc__)
