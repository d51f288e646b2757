"""File menu: "Back up everything…" and "Restore from a backup…".

`attach(window)` adds the two actions to the window's File menu. A full backup is one ZIP the
user chooses (core.backup.create_archive). A restore takes an archive or one of the automatic
backups, asks before replacing the data, closes the data file, restores (everything is checked
before anything is written), then reopens the data in the same window.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
)

from core import backup
from core.wording import plural

log = logging.getLogger("certpath.backup_ui")


def _made(created: str) -> str:
    """An archive's time of making as the GUI shows dates ("1 Dec 2026 at 14:05"), not ISO."""
    try:
        t = dt.datetime.fromisoformat(created)
    except ValueError:
        return created or "on an unknown date"
    from .dates_display import show_date

    return f"{show_date(t.date())} at {t:%H:%M}"


def _now() -> dt.datetime:
    return dt.datetime.now()  # the GUI reads the clock; core takes `now` as a parameter


class _Progress:
    def __init__(self, parent, title: str) -> None:
        self.dialog = QProgressDialog(title, "", 0, 1000, parent)
        self.dialog.setCancelButton(None)  # a backup or a restore is not stopped half-way
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setValue(0)

    def __call__(self, done: int, total: int) -> None:
        self.dialog.setValue(int(1000 * done / total) if total else 0)
        QApplication.processEvents()

    def close(self) -> None:
        self.dialog.reset()
        self.dialog.close()
        self.dialog.deleteLater()


class RestoreChooser(QDialog):
    """Pick an automatic backup from the list, or a backup archive from a file."""

    def __init__(self, paths, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from a backup")
        self.choice: tuple[str, Path] | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Automatic backups of your data file (newest first). Documents are "
                             "only in full backup archives."))
        self.list = QListWidget()
        self.list.setAccessibleName("Automatic backups")
        for b in backup.list_backups(paths):
            item = QListWidgetItem(f"{b.label}  —  {b.size // 1024} kB")
            item.setData(Qt.ItemDataRole.UserRole, str(b.path))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        lay.addWidget(self.list)
        self.archive_button = QPushButton("Choose a backup archive (.zip)…")
        self.archive_button.clicked.connect(self.choose_archive)
        lay.addWidget(self.archive_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("Restore the selected backup",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(self.list.count() > 0)
        buttons.accepted.connect(self.accept_selected)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def accept_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.choice = ("auto", Path(item.data(Qt.ItemDataRole.UserRole)))
            self.accept()

    def choose_archive(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Restore a CertPath backup archive", "",
                                              "CertPath backups (*.zip);;All files (*)")
        if name:
            self.choice = ("archive", Path(name))
            self.accept()


class BackupActions:
    def __init__(self, window) -> None:
        self.window = window
        self.act_backup = QAction("&Back up everything…", window)
        self.act_backup.triggered.connect(lambda _checked=False: self.back_up())
        self.act_restore = QAction("&Restore from a backup…", window)
        self.act_restore.triggered.connect(lambda _checked=False: self.restore())
        window.add_file_actions(self.act_backup, self.act_restore, group="backup")
        if getattr(window.session, "demo", False):
            self.act_restore.setEnabled(False)  # demo data is thrown away anyway

    @property
    def session(self):
        return self.window.session

    # -- back up --------------------------------------------------------------------------------
    def back_up(self, dest: str | None = None) -> Path | None:
        now = _now()
        if dest is None:
            suggested = str(Path.home() / f"CertPath backup {now.date().isoformat()}.zip")
            dest, _ = QFileDialog.getSaveFileName(self.window, "Back up everything", suggested,
                                                  "CertPath backups (*.zip)")
            if not dest:
                return None
        path = Path(dest)
        if path.suffix.lower() != ".zip":
            path = path.with_name(path.name + ".zip")
        progress = _Progress(self.window, "Backing up your data and documents…")
        try:
            made = backup.create_archive(self.session.paths, path, now=now,
                                         conn=self.session.store.db.conn, progress=progress)
        except backup.BackupError as e:
            QMessageBox.warning(self.window, "Back up everything", str(e))
            return None
        finally:
            progress.close()
        log.info("full backup written (%d bytes)", made.stat().st_size)
        QMessageBox.information(self.window, "Back up everything", backup.backup_done_text(made))
        return made

    # -- restore --------------------------------------------------------------------------------
    def restore(self) -> None:
        chooser = RestoreChooser(self.session.paths, self.window)
        if not chooser.exec() or chooser.choice is None:
            return
        kind, path = chooser.choice
        self.restore_from(kind, path)

    def restore_from(self, kind: str, path: Path, *, confirm: bool = True) -> bool:
        paths = self.session.paths
        try:
            if kind == "archive":
                info = backup.inspect_archive(path)
                what = (f"the full backup {path.name} (made {_made(info.created)}, "
                        f"{plural(info.vault_count, 'document file')})")
            else:
                backup.verify_database(path)
                auto = next((b for b in backup.list_backups(paths) if b.path == path), None)
                what = f"the automatic backup of {auto.label if auto else path.name}"
        except backup.BackupError as e:
            QMessageBox.warning(self.window, "Restore", f"{e}\n\n{backup.NOTHING_CHANGED}")
            return False
        if confirm:
            answer = QMessageBox.question(
                self.window, "Replace your data?",
                f"Replace your current data with {what}?\n\nYour current data file will be kept in "
                f"{paths.backups}.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        self.session.store.db.close()
        progress = _Progress(self.window, "Restoring…")
        error = None
        try:
            now = _now()
            if kind == "archive":
                result = backup.restore_archive(paths, path, now=now, progress=progress)
            else:
                result = backup.restore_backup(paths, path, now=now)
        except backup.BackupError as e:
            error = f"{e}\n\n{backup.NOTHING_CHANGED}"
        except Exception as e:  # noqa: BLE001 - reopen whatever is there, then report
            log.exception("restore failed")
            error = f"The restore did not finish: {e}"
        finally:
            progress.close()
        self.reopen()
        if error:
            QMessageBox.warning(self.window, "Restore", error)
            return False
        log.info("restored from a %s backup", kind)
        QMessageBox.information(self.window, "Restore", backup.restore_done_text(result))
        return True

    def reopen(self) -> None:
        """Open the data file again and show it in the same window.

        Every part of the window (panels, ledgers, the vault) holds the same Database object:
        `Database.reopen()` moves it, and sqlite-utils behind it, to the new connection, so all
        of them see the restored data at once and none keeps a closed or stale connection.
        """
        s = self.session
        s.store.db.reopen(before_migrate=backup.before_migrate_hook(s.paths, s.today))
        s.choose_default_profile()
        sig = getattr(self.window, "profile_changed", None)
        if sig is not None:
            try:
                sig.emit()
            except TypeError:
                sig.emit(s.profile_id)
        dash = getattr(self.window, "dashboard", None)
        if dash is not None and hasattr(dash, "refresh"):
            dash.refresh()


def attach(window) -> BackupActions:
    actions = BackupActions(window)
    window._backup_actions = actions  # keep it alive with the window
    return actions
