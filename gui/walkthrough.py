"""Walk me through: a QWizard per track, one page per step in journey order.

Page ids are explicit (`PAGE_BASE + index of the step in the track`); routing lives in
`nextId()`, which skips steps the engine says do not apply. The wizard starts at the first step
that is not done. Next saves the page in one transaction (`Store.save_facts`); Back works;
Cancel keeps what was saved. Next stays disabled while a field is invalid, so nothing invalid
reaches the database.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWizard, QWizardPage

from core.engine import evaluate, step_defs, track_title
from core.engine.base import DONE, NOT_APPLICABLE

from .confirm import ask_discard
from .session import Session
from .step_page import StepPage

PAGE_BASE = 100


def page_id(index: int) -> int:
    return PAGE_BASE + index


class StepWizardPage(QWizardPage):
    def __init__(self, session: Session, step_id: str, index: int, count: int) -> None:
        super().__init__()
        self.step_id = step_id
        self.view = StepPage(session, step_id, in_wizard=True)
        self.view.stage_label.setText(f"Step {index + 1} of {count} · {self.view.stage}")
        self.view.validity_changed.connect(lambda _v: self.completeChanged.emit())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.view)

    def initializePage(self) -> None:  # noqa: N802
        # Coming back with Next to a page left with Back: keep what was typed there (not saved
        # yet) instead of silently reloading the saved facts over it.
        if self.view.is_dirty():
            self.view.recompute()
        else:
            self.view.load()
        w = self.view.form.first_widget()
        if w is not None:
            w.setFocus()
            QTimer.singleShot(0, w, w.setFocus)  # after the wizard has moved its own focus to Next

    def isComplete(self) -> bool:  # noqa: N802
        return self.view.is_valid()

    def validatePage(self) -> bool:  # noqa: N802
        return self.view.save()


class WalkthroughWizard(QWizard):
    saved = Signal(str)  # a step id, after each page is saved
    kept_on_close = Signal(str)  # the title of a page whose valid typing was saved as it closed

    def __init__(self, session: Session, track: str, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.track = track
        self.step_ids = [s.id for s in step_defs(track)]
        self.setWindowTitle(f"Walk me through: {track_title(track)}")
        self.setObjectName(f"walkthrough_{track}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, False)
        self.setButtonText(QWizard.WizardButton.NextButton, "Save and &next >")
        self.setButtonText(QWizard.WizardButton.FinishButton, "Save and &finish")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Close (keeps what you saved)")
        self.pages: dict[str, StepWizardPage] = {}
        for i, sid in enumerate(self.step_ids):
            page = StepWizardPage(session, sid, i, len(self.step_ids))
            page.view.saved.connect(self.saved.emit)
            page.view.overrides_changed.connect(lambda _rid, sid=sid: self.saved.emit(sid))
            self.pages[sid] = page
            self.setPage(page_id(i), page)
        # Start at the first page and step forward to the first step not done, so that Back can
        # reach the earlier steps too (pages left unchanged are not written again).
        self.setStartId(page_id(0))
        target = page_id(self.start_index())
        self.restart()
        while self.currentId() < target:
            before = self.currentId()
            self.next()
            if self.currentId() == before:  # a saved page the checks refuse: stop there, show why
                break
        self.resize(1120, 780)
        self.setMinimumSize(900, 600)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        # the first page was set up before the wizard was shown, where setFocus does not hold
        view = self.current_view()
        w = view.form.first_widget() if view is not None else None
        if w is not None:
            QTimer.singleShot(0, w, w.setFocus)

    def reject(self) -> None:
        """Escape, Close and the window's close button: valid typing on the open page is saved
        (and said); invalid typing is only dropped once the user says so."""
        view = self.current_view()
        if view is not None and view.is_dirty():
            view.flush()
            if view.is_valid():
                if view.save():
                    self.kept_on_close.emit(view.title)
                else:
                    return  # could not write (the page says why): keep the wizard open
            elif not ask_discard(self, "Discard your changes?",
                                 f"\u201c{view.title}\u201d has a field that is not valid, so it cannot be "
                                 "saved. Discard the changes on this page, or keep editing?"):
                return
        super().reject()

    def done(self, result: int) -> None:
        # Typing on the open page may have a recompute pending; a closed wizard must not run it
        # later (its data file may be closed by then).
        for page in self.pages.values():
            page.view.cancel_pending()
        super().done(result)

    def _statuses(self) -> dict[str, str]:
        if self.session.profile_id is None:
            return {}
        journey = evaluate(self.session.document(), self.session.today)
        return {s.id: s.status for t in journey.tracks if t.track == self.track for s in t.steps}

    def start_index(self) -> int:
        st = self._statuses()
        for i, sid in enumerate(self.step_ids):
            if st.get(sid) not in (DONE, NOT_APPLICABLE):
                return i
        return 0

    def nextId(self) -> int:  # noqa: N802
        cur = self.currentId()
        if cur < PAGE_BASE:
            return -1
        st = self._statuses()
        for i in range(cur - PAGE_BASE + 1, len(self.step_ids)):
            if st.get(self.step_ids[i]) != NOT_APPLICABLE:
                return page_id(i)
        return -1

    def current_step_id(self) -> str | None:
        page = self.currentPage()
        return page.step_id if isinstance(page, StepWizardPage) else None

    def current_view(self) -> StepPage | None:
        page = self.currentPage()
        return page.view if isinstance(page, StepWizardPage) else None
