"""First-run wizard: welcome, who you are, the facts that shape the road, a summary; it creates a profile.

Pages: welcome → who (name, IMG / provider / both, role) → IMG facts (school, graduation,
specialty, Match year, target state, visa need) and/or provider cards (the role's typical set
pre-checked from `core.roles`) → summary. Routing lives in `nextId()`. The IMG facts use the
same FieldSpecs and checks as the step pages, so nothing invalid is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from core.engine import TRACK_TITLES, check_step, step_def, track_fields
from core.roles import ROLE_LABELS, ROLES, TYPICAL_NOTE, typical_cards
from core.rules import load_rules

from .session import Session
from .step_form import StepForm

PAGE_WELCOME, PAGE_WHO, PAGE_SUMMARY, PAGE_IMG, PAGE_CARDS = 1, 2, 3, 4, 5

JOURNEYS = (
    ("img", "&IMG to US practice (ECFMG, USMLE, the Match, licence, visa)"),
    ("cards", "Provider &cards (PALS, BLS, ACLS, NRP, PEARS)"),
    ("both", "B&oth"),
)
CARD_TRACKS = ("bls", "pals", "acls", "nrp", "pears")
IMG_TRACK_KEYS = ("specialty", "match_year", "target_state", "visa_need")
IMG_SCHOOL_KEYS = ("school_name", "graduation_date")


class WelcomePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Welcome to CertPath")
        self.setSubTitle("A planner for every step of your certification journey.")
        text = QLabel(
            "CertPath walks you through each step, tells you what is done, what blocks you and "
            "what is due when, and keeps your evidence in one place.\n\n"
            "Your data stays on this computer. Nothing is sent anywhere, and there is no account.\n\n"
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
        name_label = QLabel("Na&me:")
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.name)
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
        role_label = QLabel("&Role:")
        role_label.setBuddy(self.role)
        form.addRow(role_label, self.role)

    def journey(self) -> str:
        return JOURNEYS[max(0, self.journey_group.checkedId())][0]


class ImgFactsPage(QWizardPage):
    """The facts that shape the IMG road; every field optional, checked like a step page."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setTitle("The facts that shape your road")
        self.setSubTitle("Fill in what you know; leave the rest empty. You can change all of it later.")
        tf = {f.key: f for f in track_fields("img")}
        sf = {f.key: f for f in step_def("ecfmg.school").fields}
        self.track_form = StepForm(tuple(tf[k] for k in IMG_TRACK_KEYS))
        self.school_form = StepForm(tuple(sf[k] for k in IMG_SCHOOL_KEYS))
        StepForm.align(self.school_form, self.track_form)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<b>Your medical school</b>"))
        lay.addWidget(self.school_form)
        lay.addWidget(QLabel("<b>Where you are heading</b>"))
        lay.addWidget(self.track_form)
        lay.addStretch(1)
        self.track_form.set_data({"match_year": session.today.year + 1})
        self.track_form.changed.connect(self._check)
        self.school_form.changed.connect(self._check)
        self._ok = True

    def facts(self) -> dict[str, dict]:
        return {"img": self.track_form.data()[0], "ecfmg.school": self.school_form.data()[0]}

    def _check(self) -> None:
        ok = True
        doc = {"name": "", "role": "other", "tracks": ["img"], "facts": {}, "overrides": {}}
        for key, form in (("img", self.track_form), ("ecfmg.school", self.school_form)):
            data, problems = form.data()
            if not problems:
                try:
                    problems = check_step(key, data, doc, self.session.today)
                except Exception:
                    problems = []
            form.show_problems(problems)
            ok = ok and not problems
        if ok != self._ok:
            self._ok = ok
            self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self._ok


class CardsPage(QWizardPage):
    def __init__(self, session: Session, who: WhoPage) -> None:
        super().__init__()
        self.session = session
        self.who = who
        self.setTitle("Your cards")
        self.setSubTitle("Tick the cards you hold or need. The usual set for your role is ticked for you.")
        lay = QVBoxLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for t in CARD_TRACKS:
            cb = QCheckBox(f"{TRACK_TITLES.get(t, t)}")
            cb.setObjectName(f"card_{t}")
            cb.setAccessibleName(f"{TRACK_TITLES.get(t, t)} card")
            self.boxes[t] = cb
            lay.addWidget(cb)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.setOpenExternalLinks(True)
        lay.addWidget(self.note)
        lay.addStretch(1)
        self._role_seen: str | None = None

    def initializePage(self) -> None:  # noqa: N802
        role = self.who.role.currentData()
        if role == self._role_seen:
            return
        self._role_seen = role
        cards, rule = typical_cards(role, load_rules(), self.session.today)
        for t, cb in self.boxes.items():
            cb.setChecked(t in cards)
        label = ROLE_LABELS.get(role, role)
        if cards:
            src = ""
            if rule is not None and rule.sources:
                src = f" Source: <a href='{rule.urls[0]}'>{rule.urls[0].split('://')[-1][:60]}</a>" \
                      f" (checked {rule.checked.isoformat()})."
            self.note.setText(f"Ticked: the cards usually held in your role, {label} ({TYPICAL_NOTE}).{src}")
        else:
            self.note.setText(f"CertPath has no typical set for “{label}”: ask your employer.")
        first = next(iter(self.boxes.values()))
        first.setFocus()

    def cards(self) -> list[str]:
        return [t for t, cb in self.boxes.items() if cb.isChecked()]


class SummaryPage(QWizardPage):
    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Ready")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        QVBoxLayout(self).addWidget(self.label)

    def initializePage(self) -> None:  # noqa: N802
        w = self.wiz
        lines = [f"Name: {w.who.name.text().strip()}",
                 f"Role: {w.who.role.currentText()}",
                 "Journeys: " + (", ".join(TRACK_TITLES.get(t, t) for t in w.tracks()) or "none yet")]
        if "img" in w.tracks():
            for form in (w.img.school_form, w.img.track_form):
                data = form.data()[0]
                for spec in form.fields:
                    if data.get(spec.key) is not None:
                        value = dict(spec.choices).get(data[spec.key], data[spec.key])
                        lines.append(f"  {spec.label}: {value}")
        lines.append("")
        lines.append("Press Finish to create the profile and open your dashboard. "
                     "Your data stays on this computer.")
        self.label.setText("\n".join(lines))


class OnboardingWizard(QWizard):
    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.created_id: int | None = None
        self.setWindowTitle("CertPath: new profile")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.who = WhoPage()
        self.img = ImgFactsPage(session)
        self.cards_page = CardsPage(session, self.who)
        self.setPage(PAGE_WELCOME, WelcomePage())
        self.setPage(PAGE_WHO, self.who)
        self.setPage(PAGE_IMG, self.img)
        self.setPage(PAGE_CARDS, self.cards_page)
        self.setPage(PAGE_SUMMARY, SummaryPage(self))
        self.setStartId(PAGE_WELCOME)
        self.resize(760, 560)

    def nextId(self) -> int:  # noqa: N802
        cur = self.currentId()
        j = self.who.journey()
        if cur == PAGE_WELCOME:
            return PAGE_WHO
        if cur == PAGE_WHO:
            return PAGE_IMG if j in ("img", "both") else PAGE_CARDS
        if cur == PAGE_IMG:
            return PAGE_CARDS if j == "both" else PAGE_SUMMARY
        if cur == PAGE_CARDS:
            return PAGE_SUMMARY
        return -1

    def tracks(self) -> list[str]:
        j = self.who.journey()
        out = []
        if j in ("img", "both"):
            out.append("img")
        if j in ("cards", "both"):
            out += self.cards_page.cards() if self.cards_page._role_seen else \
                typical_cards(self.who.role.currentData(), load_rules(), self.session.today)[0]
        return out

    def accept(self) -> None:
        facts = self.img.facts() if "img" in self.tracks() else {}
        try:
            self.created_id = self.session.store.create_profile(
                self.who.name.text(), self.who.role.currentData(), self.tracks(), facts)
        except Exception as e:  # a full disk, a locked file: say so on the page, keep the wizard open
            self.currentPage().setSubTitle(f"Could not create the profile: {e}")
            return
        self.session.switch(self.created_id)
        super().accept()
