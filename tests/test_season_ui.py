"""The Application season panel (gui/season_ui.py, issue 18): the eligibility filter marks the
others instead of hiding them, the add form says a bad value inline, the rank list reorders by
keyboard, the CSV import preview shows bad rows and Cancel writes nothing, and an interview
reaches the dashboard and the reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from core.programs import ProgramStore
from gui.season_ui import TITLE, ImportDialog, ProgramDialog, season_applies
from gui.shell import open_session

TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def win(qtbot, data_dir, shown_window):
    session = open_session(data_dir, TODAY, demo=False)
    session.store.create_profile("Asha", "img_physician", ["img"], {
        "img": {"match_year": 2027, "visa_need": "needs_j1"}, "ecfmg.school": {"graduation_date": "2019-06-30"}})
    session.choose_default_profile()
    return shown_window(session)


def _panel(win):
    panel = win.panel(TITLE)
    win.tabs.setCurrentWidget(panel)
    return panel


def _add(win, **data):
    return ProgramStore(win.session.store).add(win.session.profile_id, {"visas": "j1_h1b", **data})


def test_the_panel_is_for_tracks_with_an_application_season():
    assert season_applies(["img"]) and not season_applies(["pals", "bls"]) and not season_applies([])


def test_eligible_first_keeps_the_others_marked(qtbot, win):
    _add(win, name="Alpha Medical")
    _add(win, name="Beta Hospital", visas="h1b")  # does not sponsor the J-1 the profile needs
    _add(win, name="Gamma Clinic")
    win.refresh()
    panel = _panel(win)
    m = panel.model
    names = [m.index(r, 0).data() for r in range(m.rowCount())]
    assert names == ["Alpha Medical", "✗ Beta Hospital", "Gamma Clinic"]
    panel.eligible_only.setChecked(True)
    names = [m.index(r, 0).data() for r in range(m.rowCount())]
    assert names == ["Alpha Medical", "Gamma Clinic", "✗ Beta Hospital"]  # not hidden: after, marked
    assert m.index(2, 5).data().startswith("Not eligible: Does not sponsor the J-1 visa")
    assert m.index(2, 0).data(Qt.ItemDataRole.UserRole) is False
    assert "2 eligible, 1 marked" in panel.counts.text()
    panel.search.setText("gamma")
    assert m.rowCount() == 1 and m.index(0, 0).data() == "Gamma Clinic"


def test_add_program_with_a_bad_value_says_so_inline(qtbot, win):
    panel = _panel(win)
    dlg = ProgramDialog(panel)
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # the name is required
    dlg.widgets["name"].setText("Mercy Hospital")
    assert ok.isEnabled()
    dlg.widgets["min_step2ck"].setText("abc")
    assert not ok.isEnabled() and not dlg.errors["min_step2ck"].isHidden()
    dlg.widgets["min_step2ck"].setText("230")
    dlg.widgets["interview_time"].setText("25:00")
    assert not ok.isEnabled() and "HH:MM" in dlg.errors["interview_time"].text()
    dlg.widgets["interview_time"].setText("")
    assert ok.isEnabled() and dlg.errors["min_step2ck"].isHidden()
    panel._save(None, dlg.values())
    assert [(p.name, p.get("min_step2ck")) for p in ProgramStore(win.session.store).list(win.session.profile_id)] \
        == [("Mercy Hospital", 230)]
    assert panel.model.rowCount() == 1


def test_rank_list_reorders_by_keyboard(qtbot, win):
    for n, d in (("One", "2026-11-10"), ("Two", "2026-11-12"), ("Three", "2026-11-14")):
        _add(win, name=n, interview_date=d)
    _add(win, name="Not interviewed")
    win.refresh()
    panel = _panel(win)
    rank = panel.rank
    assert [rank.item(i).text() for i in range(rank.count())] == ["1. One", "2. Two", "3. Three"]
    rank.setFocus()
    rank.setCurrentRow(2)
    qtbot.keyClick(rank, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [rank.item(i).text() for i in range(rank.count())] == ["1. One", "2. Three", "3. Two"]
    assert rank.currentItem().text() == "2. Three"
    qtbot.keyClick(rank, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [rank.item(i).text() for i in range(rank.count())] == ["1. Three", "2. One", "3. Two"]
    ranked = sorted((p.get("rank"), p.name) for p in ProgramStore(win.session.store).list(win.session.profile_id)
                     if p.get("rank"))
    assert ranked == [(1, "Three"), (2, "One"), (3, "Two")]  # stored, not only shown
    assert panel.rank_count.text().startswith("3 ranked")


SHEET = (
    "Program,Specialty,State,Visa,Step 2 CK cutoff,Interview,Time,Time zone\n"
    "Mercy Hospital IM,IM,NY,J-1,220,2026-11-10,09:00,America/New_York\n"
    "Bad Row,IM,ZZ,J-9,abc,2026-02-30,25:00,Mars/Olympus\n"
)


def test_csv_import_preview_shows_bad_rows_and_cancel_writes_nothing(qtbot, win):
    panel = _panel(win)
    dlg = ImportDialog(panel, win.session.store, win.session.profile_id, SHEET.encode(), TODAY)
    qtbot.addWidget(dlg)
    t = dlg.table
    assert t.rowCount() == 2
    assert t.item(0, 1).text() == "Mercy Hospital IM" and t.item(0, 3).text() == ""
    assert t.item(1, 2).text() == "skip (problem)" and "Mars/Olympus" in t.item(1, 3).text()
    assert "1 of 2 rows can be imported" in dlg.summary.text()
    assert dlg.combos["Step 2 CK cutoff"].currentData() == "min_step2ck"
    dlg.combos["Step 2 CK cutoff"].setCurrentIndex(0)  # "(not used)": the preview follows the mapping
    assert "abc" not in t.item(1, 3).text()
    dlg.reject()
    assert ProgramStore(win.session.store).list(win.session.profile_id) == []
    dlg2 = ImportDialog(panel, win.session.store, win.session.profile_id, SHEET.encode(), TODAY)
    qtbot.addWidget(dlg2)
    dlg2.accept()
    assert [p.name for p in ProgramStore(win.session.store).list(win.session.profile_id)] == ["Mercy Hospital IM"]


def test_an_interview_reaches_the_dashboard_and_the_reminders(qtbot, win):
    _add(win, name="Mercy", interview_date="2026-11-02", interview_time="09:00", interview_tz="America/New_York")
    _add(win, name="Lakeside", invite_date="2026-10-30", reply_by="2026-11-05")
    win.refresh()
    text = win.dashboard.deadlines_label.text()
    assert "Interview tomorrow 09:00 EST: Mercy" in text
    assert "Reply to the invite from Lakeside by 5 Nov 2026 (in 4 days)" in text  # the GUI's dates
    titles = {r.source_key.split(":")[-1]: r.title for r in win.journeys.fresh_reminders()
              if r.source_key.startswith("program:")}
    assert titles == {"interview": "Interview 09:00 EST: Mercy", "reply_by": "Reply to the invite from Lakeside"}


def test_rank_list_reorders_by_drag(qtbot, win):
    for n, d in (("One", "2026-11-10"), ("Two", "2026-11-12")):
        _add(win, name=n, interview_date=d)
    win.refresh()
    rank = _panel(win).rank
    rank.setCurrentRow(1)
    rank.model().moveRows(rank.model().index(0, 0).parent(), 1, 1, rank.model().index(0, 0).parent(), 0)  # a drop
    qtbot.waitUntil(lambda: rank.item(0).text() == "1. Two")
    assert [p.get("rank") for p in ProgramStore(win.session.store).list(win.session.profile_id)] == [2, 1]
