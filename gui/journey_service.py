"""The GUI's one holder of the current profile and its evaluated journey.

`reload()` reads the profile document once, evaluates it once and emits `journey_changed(journey)`
(None without a profile, or when it cannot be evaluated: `error` says why). Every view renders what
it is handed (the navigator, the dashboard, the step pages, the timeline, the reminders panel and
the tray): nothing else re-reads the profile or evaluates it after a change. A step page still
evaluates its own unsaved typing (the live preview), which is not a change of the profile.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from core.engine import evaluate
from core.engine.base import Journey

from .session import Session

log = logging.getLogger("certpath.gui")


class JourneyService(QObject):
    journey_changed = Signal(object)  # Journey | None

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.doc: dict[str, Any] | None = None
        self._doc_pid: int | None = None
        self.journey: Journey | None = None
        self.error: Exception | None = None
        self._reminders: list | None = None  # the journey's dated items as reminders, computed once
        self.reloading = False  # True while views render the journey being handed out

    def reload(self) -> Journey | None:
        """Read and evaluate the current profile once; tell every view."""
        pid = self.session.profile_id
        doc = journey = error = None
        if pid is not None:
            try:
                doc = self.session.document()
                journey = evaluate(doc, self.session.today)
            except Exception as e:  # never a traceback: the window says it in words
                log.exception("the profile could not be evaluated")
                error = e
        self.doc, self.journey, self.error, self._reminders = doc, journey, error, None
        self._doc_pid = pid
        self.reloading = True
        try:
            self.journey_changed.emit(journey)
        finally:
            self.reloading = False
        return journey

    def document(self) -> dict[str, Any]:
        """The current profile document as last read (read now if nothing was read yet)."""
        if self.doc is None or self._doc_pid != self.session.profile_id:
            return self.session.document()
        return self.doc

    def fresh_reminders(self) -> list:
        """Everything dated for the profile, from the current journey (core.journey_view.dated_items)
        and the documents' expiry dates: what the reminders panel, the tray and the .ics show."""
        from core import reminders as rem

        pid = self.session.profile_id
        if pid is None:
            return []
        if self._reminders is None:
            self._reminders = rem.from_journey(self.journey) if self.journey is not None else []
        return (self._reminders + rem.from_documents(self.session.store.db, pid)
                + rem.from_programs(self.session.store, pid, self.session.today))  # issue 18: interviews
