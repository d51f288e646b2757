"""The hidden `--exit-after-paint` option: quit right after the main window's first paint.

Used by benchmarks/bench_startup.py and bench_memory.py to time "process start -> first painted
dashboard". It creates the QApplication itself (gui.shell reuses an existing instance) and
installs an application-wide event filter, so the normal start-up path runs unchanged.
"""

from __future__ import annotations

import os
import sys
import time

_filter: object = None  # the installed event filter (kept alive here)


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
                if os.environ.get("CERTPATH_PAINT_STAMP"):  # wall-clock time of the first paint
                    print(f"first-paint {time.time():.6f}", file=sys.stderr)
                QTimer.singleShot(0, app.quit)
            return False

    global _filter
    _filter = FirstPaintQuit(app)  # keep a reference for the app's lifetime
    app.installEventFilter(_filter)
