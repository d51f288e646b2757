"""Profiles: create, switch, rename and delete (with confirmation), several in one data file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from core.engine import registry, track_title
from core.roles import ROLE_LABELS, ROLES

from . import theme
from .session import Session
from .step_form import ErrorLabel


def confirm_delete(parent, name: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, "Delete profile",
                      f"Delete the profile “{name}” and every fact in it?\n\n"
                      "The other profiles are not touched. This cannot be undone.",
                      QMessageBox.StandardButton.Cancel, parent)
    delete = box.addButton("&Delete profile", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is delete


def ask_name(parent, title: str, current: str = "") -> str | None:
    text, ok = QInputDialog.getText(parent, title, "Profile name:", text=current)
    text = text.strip()
    return text if ok and text else None


class ProfilesDialog(QDialog):
    """A list of the profiles with Open, New, Rename and Delete. `changed` is reported by
    `self.changed` after exec (True when anything was switched, renamed, created or deleted)."""

    def __init__(self, session: Session, parent=None, *, new_profile=None) -> None:
        super().__init__(parent)
        self.session = session
        self.changed = False
        self._new_profile = new_profile
        self.setWindowTitle("Profiles")
        self.resize(520, 360)
        lay = QVBoxLayout(self)
        lab = QLabel("&Profiles in this data file:")
        lay.addWidget(lab)
        self.list = QListWidget()
        self.list.setAccessibleName("Profiles")
        lab.setBuddy(self.list)
        self.list.itemActivated.connect(lambda _i: self.open_selected())
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.b_open = QPushButton("&Open")
        self.b_new = QPushButton("&New…")
        self.b_rename = QPushButton("&Rename…")
        self.b_delete = QPushButton("&Delete…")
        for b, f in ((self.b_open, self.open_selected), (self.b_new, self.new),
                     (self.b_rename, self.rename_selected), (self.b_delete, self.delete_selected)):
            b.clicked.connect(f)
            row.addWidget(b)
        lay.addLayout(row)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for p in self.session.profiles():
            tracks = ", ".join(track_title(t) for t in p["tracks"]) or "no journey"
            cur = "  (open)" if p["id"] == self.session.profile_id else ""
            item = QListWidgetItem(f"{p['name']}{cur}\n    {ROLE_LABELS.get(p['role'], p['role'])} · {tracks}")
            item.setData(Qt.ItemDataRole.UserRole, p["id"])
            self.list.addItem(item)
            if p["id"] == self.session.profile_id:
                self.list.setCurrentItem(item)
        has = self.list.count() > 0
        for b in (self.b_open, self.b_rename, self.b_delete):
            b.setEnabled(has)

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def open_selected(self) -> None:
        pid = self.selected_id()
        if pid is not None:
            self.session.switch(pid)
            self.changed = True
            self.accept()

    def new(self) -> None:
        if self._new_profile is not None and self._new_profile():
            self.changed = True
            self.accept()

    def rename_selected(self) -> None:
        pid = self.selected_id()
        if pid is None:
            return
        name = ask_name(self, "Rename profile", self.session.store.profile(pid)["name"])
        if name:
            self.session.store.update_profile(pid, name=name)
            self.changed = True
            self.reload()

    def delete_selected(self) -> None:
        pid = self.selected_id()
        if pid is None:
            return
        if not confirm_delete(self, self.session.store.profile(pid)["name"]):
            return
        delete_profile(self.session, pid)
        self.changed = True
        self.reload()


def delete_profile(session: Session, pid: int) -> int:
    """Delete one profile with its documents (core.store.delete_profile); if it was open, open
    another (or none). Returns how many vault files went."""
    from core.store import delete_profile as delete_with_documents

    removed = delete_with_documents(session.store, session.paths, pid, now=session.now())
    if session.profile_id == pid:
        rest = session.profiles()
        if rest:
            session.switch(rest[0]["id"])
        else:
            session.profile_id = None
    return removed


class JourneysDialog(QDialog):
    """File ▸ Journeys and role of this profile: a box for every registered track (by group) and
    the role; what a journey left out holds stays in the file (core.profiles.set_journeys)."""

    def __init__(self, session: Session, pid: int, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.pid = pid
        p = session.store.profile(pid)
        self.setWindowTitle(f"Journeys and role of {p['name']}")
        lay = QVBoxLayout(self)
        lay.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows for the message, never cuts
        intro = theme.WrapLabel("The journeys this profile follows. Taking one away hides its steps; what you entered "
                       "in it is kept, and comes back if you tick it again.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for group, tracks in registry.groups():
            if len(tracks) > 1:
                lay.addWidget(QLabel(f"<b>{group.label.replace('&', '')}</b>"))
            for t in tracks:
                cb = QCheckBox(track_title(t.id))
                cb.setObjectName(f"journey_{t.id}")
                cb.setChecked(t.id in p["tracks"])
                cb.toggled.connect(self._check)
                self.boxes[t.id] = cb
                lay.addWidget(cb)
        row = QHBoxLayout()
        role_label = QLabel("&Role:")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for rid, label in ROLES:
            self.role.addItem(label, rid)
        self.role.setCurrentIndex(max(0, self.role.findData(p["role"])))
        role_label.setBuddy(self.role)
        row.addWidget(role_label)
        row.addWidget(self.role, 1)
        lay.addLayout(row)
        self.error = ErrorLabel()
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._check()

    def tracks(self) -> list[str]:
        return [t for t, cb in self.boxes.items() if cb.isChecked()]

    def _check(self, *_a) -> None:
        none = not self.tracks()
        self.error.show_message("Tick at least one journey." if none else None)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not none)

    def save(self) -> None:
        from core.profiles import set_journeys
        from core.validate import ValidationError

        try:
            set_journeys(self.session.store, self.pid, self.tracks(), self.role.currentData())
        except ValidationError as e:
            self.error.show_message("; ".join(p.message for p in e.problems))
            return
        except Exception as e:  # a full disk, a read-only folder: said here, the dialog stays
            self.error.show_message(f"Not saved: {e}")
            return
        self.accept()
