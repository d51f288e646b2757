"""Start-up: the QApplication, the data file, the demo, first run, and screenshot mode."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from core.db import DatabaseError, open_database
from core.paths import data_paths
from core.store import Store

from .session import Session


def load_demo(store: Store, today: dt.date) -> list[int]:
    """Import the bundled demo profiles (resources/demo/*.json) into `store`."""
    from core import resources_dir
    from core.profiles import parse_document

    ids = []
    for path in sorted((resources_dir() / "demo").glob("*.json")):
        ids.append(store.import_document(parse_document(path.read_bytes(), today)))
    return ids


def _app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("CertPath")
    app.setOrganizationName("CertPath")
    return app


def open_session(data_dir, today: dt.date, demo: bool) -> Session:
    paths = data_paths(data_dir).ensure()
    store = Store(open_database(paths.db))
    session = Session(store=store, paths=paths, today=today, demo=demo)
    if demo and not store.list_profiles():
        load_demo(store, today)
    session.choose_default_profile()
    return session


def run(args: argparse.Namespace, *, data_dir, today: dt.date, demo: bool) -> int:
    app = _app()
    from PySide6.QtWidgets import QMessageBox

    try:
        session = open_session(data_dir, today, demo)
    except DatabaseError as e:
        QMessageBox.critical(None, "CertPath cannot open your data", str(e))
        print(f"certpath: {e}", file=sys.stderr)
        return 3

    from .main_window import MainWindow

    if session.profile_id is None:
        from .onboarding import OnboardingWizard

        wiz = OnboardingWizard(session)
        if not wiz.exec():
            return 0
    win = MainWindow(session)
    if args.screenshot:
        return screenshot(app, win, Path(args.screenshot), args.size)
    win.show()
    return app.exec()


def screenshot(app, win, path: Path, size: str | None) -> int:
    if size:
        w, h = (int(x) for x in size.lower().split("x"))
        win.resize(w, h)
    win.show()
    app.processEvents()
    ok = win.grab().save(str(path))
    win.close()
    if not ok:
        print(f"certpath: could not write {path}", file=sys.stderr)
        return 1
    return 0
