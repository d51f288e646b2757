"""First-run wizard: who you are and which journeys you are on; it creates a profile."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from core.roles import ROLES

from .session import Session

PAGE_WELCOME, PAGE_WHO, PAGE_SUMMARY = 1, 2, 3

JOURNEYS = (
    ("img", "&IMG to US practice (ECFMG, USMLE, the Match, licence, visa)"),
    ("cards", "Provider &cards (PALS, BLS, ACLS, NRP, PEARS)"),
    ("both", "B&oth"),
)


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Welcome to CertPath")
        self.setSubTitle("A planner for every step of your certification journey.")
        text = QLabel(
            "CertPath walks you through each step, tells you what is done, what blocks you and "
            "what is due when, and keeps your evidence in one place.\n\n"
            "Your data stays on this computer. Nothing is sent anywhere.\n\n"
            "CertPath is a planner, not an authority: verify every requirement with ECFMG, USMLE, "
            "NRMP, your state board or your training center."
        )
        text.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(text)


class WhoPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Who are you?")
        self.setSubTitle("This shapes the road CertPath shows you. You can change it later.")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setAccessibleName("Profile name")
        self.name.setPlaceholderText("e.g. Amara Okafor")
        form.addRow("&Name:", self.name)
        self.registerField("name*", self.name)
        self.journey_group = QButtonGroup(self)
        box = QVBoxLayout()
        for i, (key, label) in enumerate(JOURNEYS):
            rb = QRadioButton(label)
            rb.setObjectName(f"journey_{key}")
            rb.setAccessibleName(label.replace("&", ""))
            self.journey_group.addButton(rb, i)
            box.addWidget(rb)
            if i == 0:
                rb.setChecked(True)
        form.addRow("Journeys:", box)
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for rid, label in ROLES:
            self.role.addItem(label, rid)
        form.addRow("&Role:", self.role)

    def journey(self) -> str:
        return JOURNEYS[max(0, self.journey_group.checkedId())][0]

    def tracks(self) -> list[str]:
        j = self.journey()
        out = []
        if j in ("img", "both"):
            out.append("img")
        if j in ("cards", "both"):
            out += ["bls", "pals"]
        return out


class SummaryPage(QWizardPage):
    def __init__(self, who: WhoPage) -> None:
        super().__init__()
        self.who = who
        self.setTitle("Ready")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        QVBoxLayout(self).addWidget(self.label)

    def initializePage(self) -> None:
        self.label.setText(
            f"Name: {self.who.name.text().strip()}\n"
            f"Role: {self.who.role.currentText()}\n"
            f"Journeys: {', '.join(self.who.tracks()).upper()}\n\n"
            "Press Finish to create the profile and open your dashboard."
        )


class OnboardingWizard(QWizard):
    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.created_id: int | None = None
        self.setWindowTitle("CertPath: new profile")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.who = WhoPage()
        self.setPage(PAGE_WELCOME, WelcomePage())
        self.setPage(PAGE_WHO, self.who)
        self.setPage(PAGE_SUMMARY, SummaryPage(self.who))
        self.setStartId(PAGE_WELCOME)

    def accept(self) -> None:
        self.created_id = self.session.store.create_profile(
            self.who.name.text(), self.who.role.currentData(), self.who.tracks())
        self.session.switch(self.created_id)
        super().accept()
