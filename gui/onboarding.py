"""First-run wizard: welcome, who you are, the facts that shape the road, a summary; it creates a profile.

Pages: welcome → who (name, one journey group of the registry or all of them, role) → for each
chosen group, its page: a lone track's facts (`Track.onboarding`: for the IMG track the school,
graduation, specialty, Match year, target state, visa need) or a group's check boxes (the provider
cards, the role's typical set pre-checked from `core.roles`) → summary. Routing lives in
`nextId()`. The facts use the same FieldSpecs and checks as the step pages, so nothing invalid is
saved.
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

from core.engine import check_step, registry, step_def, track_fields, track_title
from core.engine.registry import Group, Track
from core.roles import ROLE_LABELS, ROLES, TYPICAL_NOTE, proposed_role, typical_cards
from core.rules import load_rules

from .confirm import ask_discard
from .dates_display import show_date
from .session import Session
from .step_form import StepForm

PAGE_WELCOME, PAGE_WHO, PAGE_SUMMARY = 1, 2, 3
PAGE_FIRST_TRACK = 10  # one page per journey group that asks something, in registry order


def journey_choices() -> list[tuple[str, str, list[str]]]:
    """(choice id, label, group ids) of the who page: one per group of the registry, then one
    for all of them ("Both" with two groups)."""
    gs = registry.groups()
    out = [(g.id, g.label, [g.id]) for g, _ in gs]
    if len(gs) == 2:
        out.append(("both", "B&oth", [g.id for g, _ in gs]))
    elif len(gs) > 2:
        out.append(("all", "A&ll of these", [g.id for g, _ in gs]))
    return out


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
        self.setSubTitle("This shapes the road CertPath shows you. You can change it later. "
                         "Fields marked * are required.")  # Next waits for the name: say so
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setAccessibleName("Profile name")
        self.name.setPlaceholderText("e.g. Amara Okafor")
        name_label = QLabel("Na&me *:")
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.name)
        self.registerField("name*", self.name)
        self.journey_group = QButtonGroup(self)
        box = QVBoxLayout()
        self.choices = journey_choices()
        for i, (key, label, _groups) in enumerate(self.choices):
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
        # the role follows the journey chosen until the user picks one themselves
        self.role_chosen = False
        self.role.activated.connect(lambda _i: setattr(self, "role_chosen", True))
        self.journey_group.idToggled.connect(self._journey_toggled)
        self._follow_journey()

    def _journey_toggled(self, _id: int, on: bool) -> None:
        if on:
            self._follow_journey()

    def _follow_journey(self) -> None:
        if self.role_chosen:
            return
        i = self.role.findData(proposed_role(self.groups()))
        if i >= 0:
            self.role.setCurrentIndex(i)

    def journey(self) -> str:
        return self.choices[max(0, self.journey_group.checkedId())][0]

    def groups(self) -> list[str]:
        """The journey groups chosen."""
        return self.choices[max(0, self.journey_group.checkedId())][2]


class TrackFactsPage(QWizardPage):
    """The facts that shape a track's road (`Track.onboarding`); every field optional, checked
    like a step page."""

    def __init__(self, session: Session, track: Track) -> None:
        super().__init__()
        self.session = session
        self.track = track
        self.setTitle("The facts that shape your road")
        self.setSubTitle("Fill in what you know; leave the rest empty. You can change all of it later.")
        lay = QVBoxLayout(self)
        self.forms: dict[str, StepForm] = {}
        self.headings: dict[str, str] = {}
        defaults = track.onboarding_defaults(session.today) if track.onboarding_defaults else {}
        for sec in track.onboarding:
            specs = {f.key: f for f in (track_fields(sec.source) if sec.source == track.id
                                         else step_def(sec.source).fields)}
            form = StepForm(tuple(specs[k] for k in sec.keys))
            self.forms[sec.source] = form
            self.headings[sec.source] = sec.heading
            lay.addWidget(QLabel(f"<b>{sec.heading}</b>"))
            lay.addWidget(form)
            if defaults.get(sec.source):
                form.set_data(dict(defaults[sec.source]))
            form.changed.connect(self._check)
        StepForm.align(*self.forms.values())
        # the track's one line about the chosen facts (the img track: why this Match year, or that
        # the chosen year can no longer be reached), said on this page, before Finish
        self.note = QLabel()
        self.note.setObjectName("onboarding_note")
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        lay.addStretch(1)
        self._ok = True
        self._update_note()
        for form in self.forms.values():
            form.changed.connect(self._update_note)

    def _update_note(self) -> None:
        if self.track.onboarding_note is None:
            self.note.setVisible(False)
            return
        try:
            text = self.track.onboarding_note(self.facts(), self.session.today)
        except Exception:  # a note must never stop the wizard
            text = ""
        self.note.setText(text or "")
        self.note.setVisible(bool(text))

    def facts(self) -> dict[str, dict]:
        return {key: form.data()[0] for key, form in self.forms.items()}

    def _check(self) -> None:
        ok = True
        doc = {"name": "", "role": "other", "tracks": [self.track.id], "facts": {}, "overrides": {}}
        for key, form in self.forms.items():
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


class GroupPage(QWizardPage):
    """A group of several tracks (the provider cards): one check box each, the role's typical set
    (core.roles) ticked."""

    def __init__(self, session: Session, who: WhoPage, group: Group, tracks: list[Track]) -> None:
        super().__init__()
        self.session = session
        self.who = who
        self.group = group
        self.setTitle("Your cards")
        self.setSubTitle("Tick the cards you hold or need. The usual set for your role is ticked for you.")
        lay = QVBoxLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for t in (t.id for t in tracks):
            cb = QCheckBox(track_title(t))
            cb.setObjectName(f"card_{t}")
            cb.setAccessibleName(f"{track_title(t)} card")
            self.boxes[t] = cb
            cb.toggled.connect(lambda _on: self.completeChanged.emit())
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
                      f" (checked {show_date(rule.checked)})."
            self.note.setText(f"Ticked: the cards usually held in your role, {label} ({TYPICAL_NOTE}).{src}")
        else:
            self.note.setText(f"CertPath has no typical set for “{label}”: ask your employer.")
        first = next(iter(self.boxes.values()))
        first.setFocus()

    def cards(self) -> list[str]:
        return [t for t, cb in self.boxes.items() if cb.isChecked()]

    def isComplete(self) -> bool:  # noqa: N802
        """A card ticked, unless another journey was chosen too: a profile with no journey at all
        showed an empty road ("This profile follows no journey yet")."""
        return bool(self.cards()) or len(self.who.groups()) > 1

    def typical(self) -> list[str]:
        """The tracks ticked for the role before the page is shown."""
        cards = typical_cards(self.who.role.currentData(), load_rules(), self.session.today)[0]
        return [t for t in self.boxes if t in cards]


class SummaryPage(QWizardPage):
    def __init__(self, wizard: OnboardingWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Ready")
        # a subtitle keeps the header the other pages have (without one the title sat in the page)
        self.setSubTitle("Check what you entered; Back changes it. Nothing is saved until Finish.")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        QVBoxLayout(self).addWidget(self.label)

    def initializePage(self) -> None:  # noqa: N802
        w = self.wiz
        lines = [f"Name: {w.who.name.text().strip()}",
                 f"Role: {w.who.role.currentText()}",
                 "Journeys: " + (", ".join(track_title(t) for t in w.tracks()) or "none yet")]
        for page in w.chosen_facts_pages():
            for form in page.forms.values():
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
        self.setPage(PAGE_WELCOME, WelcomePage())
        self.setPage(PAGE_WHO, self.who)
        # One page per group that asks something: a lone track's facts, or a group's check boxes.
        self.group_pages: dict[str, GroupPage] = {}
        self.facts_pages: dict[str, TrackFactsPage] = {}
        self._page_ids: dict[str, int] = {}
        self._group_tracks: dict[str, list[str]] = {}
        for i, (group, tracks) in enumerate(registry.groups()):
            self._group_tracks[group.id] = [t.id for t in tracks]
            page: QWizardPage | None = None
            if len(tracks) > 1:
                page = self.group_pages[group.id] = GroupPage(session, self.who, group, tracks)
            elif tracks[0].onboarding:
                page = self.facts_pages[tracks[0].id] = TrackFactsPage(session, tracks[0])
            if page is not None:
                self._page_ids[group.id] = PAGE_FIRST_TRACK + i
                self.setPage(PAGE_FIRST_TRACK + i, page)
        self.setPage(PAGE_SUMMARY, SummaryPage(self))
        self.setStartId(PAGE_WELCOME)
        self.resize(760, 560)

    def page_id(self, group_id: str) -> int:
        """The wizard page of a journey group (a track id for a track alone in its group)."""
        return self._page_ids[group_id]

    def _route(self) -> list[int]:
        chosen = self.who.groups()
        return ([PAGE_WELCOME, PAGE_WHO] + [self._page_ids[g] for g in chosen if g in self._page_ids]
                + [PAGE_SUMMARY])

    def nextId(self) -> int:  # noqa: N802
        route = self._route()
        cur = self.currentId()
        if cur not in route or cur == PAGE_SUMMARY:
            return -1
        return route[route.index(cur) + 1]

    def chosen_facts_pages(self) -> list[TrackFactsPage]:
        chosen = self.tracks()
        return [p for t, p in self.facts_pages.items() if t in chosen]

    def tracks(self) -> list[str]:
        out: list[str] = []
        for g in self.who.groups():
            page = self.group_pages.get(g)
            if page is None:
                out += self._group_tracks[g]
            else:
                out += page.cards() if page._role_seen else page.typical()
        return out

    def has_input(self) -> bool:
        """Anything typed or chosen that a Cancel would lose."""
        # the name is required to pass the who page, so every later page has it too
        return bool(self.who.name.text().strip()) or self.who.journey_group.checkedId() > 0

    def reject(self) -> None:
        """Escape, Cancel and the window's close button all come here: ask before losing typing."""
        if self.has_input() and not ask_discard(
                self, "Discard this new profile?",
                "What you typed here is not saved yet. Discard it, or keep editing?"):
            return
        super().reject()

    def accept(self) -> None:
        facts: dict[str, dict] = {}
        for page in self.chosen_facts_pages():
            facts.update(page.facts())
        try:
            self.created_id = self.session.store.create_profile(
                self.who.name.text(), self.who.role.currentData(), self.tracks(), facts)
        except Exception as e:  # a full disk, a locked file: say so on the page, keep the wizard open
            self.currentPage().setSubTitle(f"Could not create the profile: {e}")
            return
        self.session.switch(self.created_id)
        super().accept()
