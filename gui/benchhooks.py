"""The hidden `--exit-after-paint` option: quit right after the main window's first paint.

Used by benchmarks/bench_startup.py and bench_memory.py to time "process start -> first painted
dashboard" (with CERTPATH_PAINT_STAMP set it prints `first-paint <wall time> <peak RSS kB> <CPU s>`).
The normal start-up path runs unchanged: the stamp is taken when the main window's own paint
event starts (as the bare window's script does, with a filter on its window alone), by wrapping
MainWindow.paintEvent. An application-wide event filter would not be neutral: every event of every
object would reach Python, and converting each object makes PySide6 create the Python types (and
their enums) of classes the app never uses, ~300 extra enum types before the first paint.
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
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    paint = MainWindow.paintEvent

    def first_paint(self, event) -> None:
        MainWindow.paintEvent = paint  # type: ignore[method-assign]  # once
        if os.environ.get("CERTPATH_PAINT_STAMP"):  # wall-clock time, peak RSS and CPU time so far
            print(f"first-paint {time.time():.6f} {_peak_rss_kb()} {time.process_time():.6f}", file=sys.stderr)
        QTimer.singleShot(0, app.quit)
        paint(self, event)

    MainWindow.paintEvent = first_paint  # type: ignore[method-assign]
