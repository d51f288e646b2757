"""Extension point: modules listed here get `attach(window)` called at the end of MainWindow.__init__.

An extension may use `window.session`, `window.menu_file`, `window.menu_view`, `window.menu_help`,
`window.add_panel(title, widget, shortcut)`, the `window.profile_changed` signal and
`window.current_step_id()`.

A module that fails to attach is logged and left out (the status bar says so): one broken
panel must not keep the user from their journey, and no traceback is ever shown.
"""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger("certpath.extensions")

EXTENSIONS: list[str] = ["gui.backup_ui", "gui.documents_ui", "gui.reminders_ui", "gui.costs_ui", "gui.rules_update"]


def attach_all(window) -> list[str]:
    """Attach every extension; return the names that failed."""
    failed = []
    for name in EXTENSIONS:
        try:
            importlib.import_module(name).attach(window)
        except Exception:
            log.exception("extension %s failed to attach", name)
            failed.append(name)
    if failed and hasattr(window, "statusBar"):
        window.statusBar().showMessage("Some panels could not start: " + ", ".join(failed) + " (see the log)")
    return failed
