"""The main window: menus, status bar and the dashboard of the current profile."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core import __version__
from core.engine import TRACK_TITLES, evaluate
from core.engine.base import STATUS_LABELS

from .session import Session

DISCLAIMER = (
    "CertPath is a planner. Verify every requirement with ECFMG, USMLE, NRMP, your state board "
    "and your training center; this is not legal advice."
)


class Dashboard(QWidget):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        lay = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setObjectName("dashboardHeading")
        f = self.heading.font()
        f.setPointSizeF(f.pointSizeF() * 1.4)
        f.setBold(True)
        self.heading.setFont(f)
        lay.addWidget(self.heading)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Step", "Status", "Due", "Expires"])
        self.tree.setAccessibleName("Journey steps")
        lay.addWidget(self.tree)

    def refresh(self) -> None:
        self.tree.clear()
        if self.session.profile_id is None:
            self.heading.setText("No profile")
            return
        doc = self.session.document()
        self.heading.setText(doc["name"])
        journey = evaluate(doc, self.session.today)
        for t in journey.tracks:
            top = QTreeWidgetItem([TRACK_TITLES.get(t.track, t.track)])
            self.tree.addTopLevelItem(top)
            for s in t.steps:
                QTreeWidgetItem(top, [s.id, STATUS_LABELS[s.status],
                                      s.due.isoformat() if s.due else "",
                                      s.expires.isoformat() if s.expires else ""])
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setWindowTitle("CertPath" + (" (demo)" if session.demo else ""))
        self.dashboard = Dashboard(session)
        self.setCentralWidget(self.dashboard)
        self._build_menus()
        self.statusBar().showMessage(
            "Demo data in a throwaway folder: nothing you change here is kept" if session.demo
            else f"Data: {session.paths.root}")
        self.resize(1100, 720)
        self.restore_geometry()
        self.dashboard.refresh()

    def _build_menus(self) -> None:
        m = self.menuBar().addMenu("&File")
        self.act_new_profile = QAction("&New profile…", self, shortcut=QKeySequence.StandardKey.New,
                                       triggered=self.new_profile)
        self.act_switch = QAction("&Switch profile…", self, shortcut="Ctrl+P", triggered=self.switch_profile)
        self.act_quit = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close)
        for a in (self.act_new_profile, self.act_switch):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_quit)
        v = self.menuBar().addMenu("&View")
        self.act_refresh = QAction("&Refresh", self, shortcut=QKeySequence.StandardKey.Refresh,
                                   triggered=self.dashboard.refresh)
        v.addAction(self.act_refresh)
        h = self.menuBar().addMenu("&Help")
        h.addAction(QAction("&About CertPath", self, triggered=self.about))
        h.addAction(QAction("&Disclaimer", self, triggered=self.disclaimer))

    # -- window state ---------------------------------------------------------------------------
    def restore_geometry(self) -> None:
        geo = self.session.store.setting("ui.geometry")
        if geo:
            self.restoreGeometry(QByteArray.fromBase64(geo.encode("ascii")))

    def save_geometry(self) -> None:
        self.session.store.set_setting("ui.geometry", bytes(self.saveGeometry().toBase64()).decode("ascii"))

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        try:
            self.save_geometry()
        finally:
            super().closeEvent(event)

    # -- actions --------------------------------------------------------------------------------
    def new_profile(self) -> None:
        from .onboarding import OnboardingWizard

        wiz = OnboardingWizard(self.session, self)
        if wiz.exec():
            self.dashboard.refresh()

    def switch_profile(self) -> None:
        profiles = self.session.profiles()
        names = [f"{p['name']} (#{p['id']})" for p in profiles]
        if not names:
            return
        cur = next((i for i, p in enumerate(profiles) if p["id"] == self.session.profile_id), 0)
        choice, ok = QInputDialog.getItem(self, "Switch profile", "Profile:", names, cur, False)
        if ok:
            self.session.switch(profiles[names.index(choice)]["id"])
            self.dashboard.refresh()

    def about(self) -> None:
        QMessageBox.about(self, "About CertPath",
                          f"CertPath {__version__}\n\nAn offline certification planner. "
                          f"Your data stays on this computer:\n{self.session.paths.root}\n\n{DISCLAIMER}")

    def disclaimer(self) -> None:
        QMessageBox.information(self, "Disclaimer", DISCLAIMER)

