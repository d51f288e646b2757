"""Residency training."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...dates import add_years_same_day
from ..base import (
    DONE,
    IN_PROGRESS,
    Action,
    StepResult,
)
from ..findings import F, W
from .common import ImgEval, _add, _date
from .licensure import not_applicable_on_route


def residency_training(ev: ImgEval, res: StepResult, f: Mapping[str, Any]) -> None:
    if not_applicable_on_route(ev, res):  # the residency-free route: no US residency for this licence
        return
    ev.rule(res, "residency.start")
    years = ev.program_years(res)
    if years is None:
        _add(res.warnings, W("img.residency.length_unknown"))
    start = ev.start
    res.due = add_years_same_day(start, years) if start and years else None
    # the end of the program's years: when training is expected to end, an event (never "overdue")
    res.due_kind = "event" if res.due else None
    done = _date(f.get("completed_date"))
    if done:
        res.status = DONE
        res.info["completed_on"] = done
        return
    if start and ev.today >= start and ev.res["match.result"].status == DONE:
        res.status = IN_PROGRESS
        res.info["pgy"] = (ev.today - start).days // 365 + 1
    elif start:
        res.actions.append(Action(F("img.residency.residency_starts"), start, "reminder", key="residency-starts",
                                  date_kind="event"))

