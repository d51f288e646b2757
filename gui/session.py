"""What the windows share: the store, `today`, the data folder and the current profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.paths import DataPaths
from core.store import Store


@dataclass
class Session:
    """The open data folder: its store and paths, today, and the current profile."""

    store: Store
    paths: DataPaths
    today: dt.date
    demo: bool = False
    profile_id: int | None = None
    _listeners: list = field(default_factory=list)
    # the wall clock (file times are compared with it); tests pass their own
    clock: Callable[[], dt.datetime] = field(default=dt.datetime.now, repr=False)

    def now(self) -> dt.datetime:
        return self.clock()

    def profiles(self) -> list[dict[str, Any]]:
        return self.store.list_profiles()

    def choose_default_profile(self) -> int | None:
        profiles = self.profiles()
        if not profiles:
            self.profile_id = None
            return None
        last = self.store.setting("ui.last_profile")
        ids = [p["id"] for p in profiles]
        self.profile_id = last if last in ids else ids[0]
        return self.profile_id

    def switch(self, profile_id: int) -> None:
        self.profile_id = profile_id
        self.store.set_setting("ui.last_profile", profile_id)

    def advance_today(self, new_date: dt.date) -> None:
        """The calendar day changed while the app runs: set `today` (the caller refreshes what shows it)."""
        self.today = new_date

    def document(self) -> dict[str, Any]:
        assert self.profile_id is not None
        return self.store.document(self.profile_id)
