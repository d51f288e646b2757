"""The hidden `--exit-after-paint` option: quit right after the main window's first paint.

Used by benchmarks/bench_startup.py and bench_memory.py to time "process start -> first painted
dashboard" (with CERTPATH_PAINT_STAMP set it prints `first-paint <wall time> <peak RSS kB>`). It creates the QApplication itself (gui.shell reuses an existing instance) and
installs an application-wide event filter, so the normal start-up path runs unchanged.
"""

from __future__ import annotations

import os
import sys
import time


def _peak_rss_kb() -> int:
    """Linux: the process's peak resident set so far (VmHWM), in kB; -1 where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return -1


def install() -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])

    class FirstPaintQuit(QObject):
        done = False

        def eventFilter(self, obj, ev):  # noqa: N802 (Qt name)
            if not self.done and ev.type() == QEvent.Type.Paint and obj.isWidgetType() \
                    and isinstance(obj.window(), QMainWindow):
                self.done = True
                if os.environ.get("CERTPATH_PAINT_STAMP"):  # wall-clock time and peak RSS so far
                    print(f"first-paint {time.time():.6f} {_peak_rss_kb()}", file=sys.stderr)
                QTimer.singleShot(0, app.quit)
            return False

    app._certpath_first_paint = FirstPaintQuit(app)  # keep a reference
    app.installEventFilter(app._certpath_first_paint)
