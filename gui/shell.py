"""Start-up: the QApplication, the data file, the demo, first run, and screenshot mode.

For the user's own data `run` takes, in order: the one-copy lock on the data folder, the log
file, the error dialog hook, the data file (with recovery if it is damaged; a newer version's
file is refused untouched), and today's automatic backup. Demo mode (a throwaway folder) has
no lock and no backups.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from core.db import Database, DatabaseError, open_database
from core.paths import DataPaths, data_paths
from core.store import Store

from .session import Session

log = logging.getLogger("certpath.shell")


class RecoveryNeeded(DatabaseError):
    """The data file was damaged and moved aside; someone has to choose what happens next."""

    def __init__(self, recovery) -> None:
        super().__init__(recovery.problem)
        self.recovery = recovery


class StartCancelled(Exception):
    """The user chose Quit in the recovery dialog."""


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
    from PySide6.QtGui import QIcon

    from core import resources_dir

    icon = resources_dir() / "icons" / "certpath.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    from .fonts import load_bundled_fonts

    load_bundled_fonts()  # Devanagari etc. where the system has no font for it (~0.5 ms, gui/fonts.py)
    return app


def open_data(paths: DataPaths, today: dt.date, now: dt.datetime,
              on_recovery: Callable[[object], Database | None] | None = None,
              daily_backup: bool = True) -> Database:
    """The user's data file: recovered if damaged, backed up before migrations and once a day.

    `daily_backup=False` leaves the daily copy to the caller (the app runs it right after the
    first paint, see `run_daily_backup`): core.backup and zipfile are not needed to show the window.
    """
    from core.recovery import Recovery, open_or_recover

    def before_migrate(path, pending: int) -> None:
        from core import backup

        backup.before_migrate_hook(paths, today)(path, pending)

    result = open_or_recover(paths, now=now, before_migrate=before_migrate)
    if isinstance(result, Recovery):
        if on_recovery is None:
            raise RecoveryNeeded(result)
        db = on_recovery(result)
        if db is None:
            raise StartCancelled()
        result = db
    if daily_backup:
        run_daily_backup(paths, today, result)
    return result


def run_daily_backup(paths: DataPaths, today: dt.date, db: Database) -> None:
    """The automatic backup (at most one a day); a failure is logged, never stops the user."""
    if getattr(db, "readonly", False):
        return  # a folder CertPath cannot write has no room for backups (the notice said read-only)
    try:
        from core import backup

        made = backup.auto_backup(paths, today, conn=db.conn)
        if made:
            log.info("automatic backup %s", made.name)
    except Exception:
        log.exception("the automatic backup failed")


def open_session(data_dir, today: dt.date, demo: bool, *, now: dt.datetime | None = None,
                 on_recovery: Callable[[object], Database | None] | None = None,
                 daily_backup: bool = True) -> Session:
    paths = data_paths(data_dir).ensure()
    if demo:
        db = open_database(paths.db)
    else:
        now = now or dt.datetime.combine(today, dt.datetime.now().time())
        db = open_data(paths, today, now, on_recovery, daily_backup=daily_backup)
    store = Store(db)
    from core.rulepacks import activate

    activate(paths)  # the rules of this data folder: its installed rule pack, else the bundled rules
    session = Session(store=store, paths=paths, today=today, demo=demo)
    if demo and not store.list_profiles():
        load_demo(store, today)
    session.choose_default_profile()
    return session


def recovery_dialog(recovery, paths: DataPaths, today: dt.date, now: dt.datetime,
                    parent=None) -> Database | None:
    """Say what happened and offer: the newest good backup, a fresh start, or Quit."""
    from PySide6.QtWidgets import QMessageBox

    from core import backup
    from core.recovery import restore_newest, start_fresh

    from .app import resume_gc

    resume_gc()  # the user reads and chooses: start-up's pause of the collector ends here
    # Dates as the user reads them: the View > Dates choice is kept in the damaged file, so the
    # default (the language's own dates), not core's ISO of the command line
    from .dates_display import install as install_dates

    install_dates(None)

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    contents = getattr(recovery, "kind", "damaged") == "contents"
    box.setWindowTitle("CertPath: part of your data cannot be read" if contents
                       else "CertPath: your data file was damaged")
    where = (f"\n\nThe damaged file was kept here:\n{recovery.damaged_file}"
             if recovery.damaged_file else "")
    box.setText(recovery.problem + where)
    restore = rest = fresh = None
    if recovery.backup is not None:
        box.setInformativeText("You can restore the newest good backup, or "
                               + ("open the rest of your data." if contents else "start with empty data."))
        restore = box.addButton(f"Restore the newest good backup ({recovery.backup.label})",
                                QMessageBox.ButtonRole.AcceptRole)
    else:
        box.setInformativeText("There is no good backup to restore. You can "
                               + ("open the rest of your data" if contents else "start with empty data")
                               + " (and restore a full backup archive from the File menu later).")
    if contents:  # the file stays; what cannot be read is left out until it is restored
        rest = box.addButton("Open the rest", QMessageBox.ButtonRole.DestructiveRole)
    else:
        fresh = box.addButton("Start fresh", QMessageBox.ButtonRole.DestructiveRole)
    quit_ = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore or quit_)
    box.exec()
    clicked = box.clickedButton()
    hook = backup.before_migrate_hook(paths, today)
    if restore is not None and clicked is restore:
        try:
            return restore_newest(paths, recovery, now=now, before_migrate=hook)
        except Exception as e:  # noqa: BLE001 - say so and let the user choose again
            log.exception("restoring the newest backup failed")
            QMessageBox.critical(parent, "CertPath", f"The backup could not be restored: {e}")
            return recovery_dialog(type(recovery)(problem=recovery.problem, moved_to=recovery.moved_to,
                                                  backup=None, kind=recovery.kind,
                                                  unreadable=recovery.unreadable), paths, today, now, parent)
    if rest is not None and clicked is rest:
        from core.recovery import open_rest

        return open_rest(paths, before_migrate=hook)
    if fresh is not None and clicked is fresh:
        return start_fresh(paths)
    return None


def start_cleanup(paths: DataPaths, db: Database, now: dt.datetime) -> None:
    """Leftovers of interrupted work (partial backups, restore and attach temporaries, vault files
    no document uses) older than a few minutes and not in use: removed. Never raises."""
    try:
        from core.leftovers import STALE_AFTER, clean_leftovers
        from core.vault import Vault

        clean_leftovers(paths, now)
        if not db.readonly:
            Vault(db, paths).remove_orphans(now, grace=STALE_AFTER)
    except Exception:  # noqa: BLE001 - a clean-up must never stop the user
        log.exception("cleaning leftovers failed")


def _say_notices(db: Database, quiet: bool) -> None:
    """Said once after opening: a read-only folder, a data folder others can read, a stray -wal."""
    notes = list(dict.fromkeys(getattr(db, "notices", []) or []))
    if not notes:
        return
    for n in notes:
        log.warning("notice at start-up: %s", n.split(":")[0])
    if quiet:
        for n in notes:
            print(f"certpath: {n}", file=sys.stderr)
        return
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.information(None, "CertPath", "\n\n".join(notes))


def run(args: argparse.Namespace, *, data_dir, today: dt.date, demo: bool) -> int:
    app = _app()
    if getattr(args, "dark", False):
        from .theme import apply_dark

        apply_dark(app)
    page = getattr(args, "page", None)
    if page:
        from core.engine import all_step_defs, is_track

        if page not in all_step_defs() and not is_track(page):
            print(f"certpath: --page: {page!r} is not a step id (see docs/profile-format.md)", file=sys.stderr)
            return 2

    from core.instance_lock import DataInUseError, InstanceLock
    from core.logs import configure_logging

    from . import errors

    now = dt.datetime.now()  # the GUI reads the clock here, once, like `today` in app.py
    try:
        paths = data_paths(data_dir).ensure()
    except OSError as e:  # a folder of another user, a read-only disk: words, not a traceback
        from PySide6.QtWidgets import QMessageBox  # only when said: its type and enums cost start-up time

        QMessageBox.critical(None, "CertPath cannot open your data", str(e))
        print(f"certpath: {e}", file=sys.stderr)
        return 3
    lock = None
    if not demo:
        try:
            lock = InstanceLock(paths.root).acquire()
        except DataInUseError as e:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(None, "CertPath is already open", str(e))
            print(f"certpath: {e}", file=sys.stderr)
            return 4
    try:
        try:
            log_file = configure_logging(paths)
        except OSError:  # a read-only data folder has no room for a log: the app still opens
            log_file = None
            logging.getLogger("certpath").addHandler(logging.NullHandler())  # no traceback on stderr
        errors.install(log_file)
        log.info("CertPath starting (demo=%s)", demo)
        try:
            session = open_session(
                data_dir, today, demo, now=now, daily_backup=False,
                on_recovery=lambda r: recovery_dialog(r, paths, today, now))
        except StartCancelled:
            return 0
        except DataInUseError as e:  # a restore holds the folder ("... restoring a backup; try again")
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(None, "CertPath", str(e))
            print(f"certpath: {e}", file=sys.stderr)
            return 3
        except DatabaseError as e:
            log.error("cannot open the data: %s", e)
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "CertPath cannot open your data", str(e))
            print(f"certpath: {e}", file=sys.stderr)
            return 3

        from . import appearance

        appearance.install(app, session.store, forced_dark=bool(getattr(args, "dark", False)))  # View ▸ Theme
        _say_notices(session.store.db, quiet=bool(args.screenshot))
        from .dates_display import install as install_dates

        install_dates(session.store)  # dates as the user reads them (View > Dates), before the first view

        from .main_window import MainWindow

        if session.profile_id is None:
            if args.screenshot:
                print("certpath: --screenshot: this data folder has no profile yet (try --demo)", file=sys.stderr)
                return 2
            from .app import resume_gc
            from .onboarding import OnboardingWizard

            resume_gc()  # the user types in the wizard: start-up's pause of the collector ends here
            wiz = OnboardingWizard(session)
            if not wiz.exec():
                return 0
        win = MainWindow(session, defer_extensions=True)
        if page:
            win.open_step(page)
        if args.screenshot:
            if not demo:
                run_daily_backup(session.paths, today, session.store.db)
                start_cleanup(session.paths, session.store.db, now)
            return screenshot(app, win, Path(args.screenshot), args.size)
        if not demo:  # the daily backup and the clean-up, just after the first paint
            def after_first_paint() -> None:
                run_daily_backup(session.paths, today, session.store.db)
                start_cleanup(session.paths, session.store.db, now)

            win.call_after_first_paint(after_first_paint)
        from core import codecache

        from .app import resume_gc

        # the cyclic garbage collector, held since start-up (gui/app.py): back before the extensions,
        # with start-up's objects frozen (later collections do not walk them)
        win.call_after_first_paint(lambda: resume_gc(freeze=True), first=True)
        win.call_after_first_paint(codecache.save)  # the generated methods compiled this time, for the next start
        win.show()
        rc = app.exec()
        codecache.save()  # and those of the panels opened since
        return rc
    finally:
        if lock is not None:
            lock.release()


def screenshot(app, win, path: Path, size: str | None) -> int:
    if size:
        w, h = (int(x) for x in size.lower().split("x"))
        win.resize(w, h)
    if hasattr(win, "attach_extensions"):
        win.attach_extensions()  # a screenshot shows the whole window, panels' tabs included
    win.show()
    app.processEvents()
    try:  # the picture shows the user's data: 0600 like every file CertPath makes
        import os

        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        pass  # it exists (its mode is the user's) or cannot be made (save() says so)
    ok = win.grab().save(str(path))
    win.close()
    if not ok:
        print(f"certpath: could not write {path}", file=sys.stderr)
        return 1
    return 0
