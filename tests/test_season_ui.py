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
    assert "the NRMP registration fee covers 20 programs" in panel.rank_count.text()  # not "20 included in …"


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


# --- the season settings and the signals box -------------------------------------------------------

def test_block_dialog_checks_its_dates_with_the_one_date_editor(qtbot, win):
    from gui.date_edit import DateEdit
    from gui.season_ui import BlockDialog

    dlg = BlockDialog(_panel(win), None, TODAY)
    qtbot.addWidget(dlg)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert isinstance(dlg.start, DateEdit) and isinstance(dlg.end, DateEdit)
    assert not ok.isEnabled() and dlg.error.isHidden()  # empty: OK off, nothing shouted yet
    dlg.start.setText("2026-12-20")
    dlg.end.setText("2026-12-18")
    assert not ok.isEnabled() and "before the start" in dlg.error.text()
    dlg.end.setText("2026-02-30")
    assert not ok.isEnabled() and not dlg.error.isHidden()
    dlg.end.setText("2026-12-22")
    dlg.label.setText("travel")
    assert ok.isEnabled() and dlg.error.isHidden()
    assert dlg.block() == {"start": "2026-12-20", "end": "2026-12-22", "label": "travel"}


def test_zone_combo_searches_any_part_of_a_name_and_refuses_unknown_ones(qtbot):
    from gui.season_ui import ZoneCombo

    z = ZoneCombo(None)
    qtbot.addWidget(z)
    assert z.zone() is None  # "not set"
    comp = z.completer()
    comp.setCompletionPrefix("kolk")
    assert comp.completionCount() == 1 and comp.currentCompletion() == "Asia/Kolkata"
    comp.setCompletionPrefix("new y")
    assert comp.currentCompletion() == "America/New York"
    z.setEditText("America/New York")
    assert z.zone() == "America/New_York"
    z.setEditText("asia/kolkata")
    assert z.zone() == "Asia/Kolkata"  # case does not matter
    z.setEditText("Mars/Olympus")
    with pytest.raises(ValueError, match="not a time zone"):
        z.zone()
    assert ZoneCombo("Asia/Amman").zone() == "Asia/Amman"


def test_settings_default_to_the_system_zone_and_bad_input_keeps_save_off(qtbot, win):
    from gui.season_ui import SettingsDialog, system_zone

    dlg = SettingsDialog(_panel(win), {}, TODAY)
    qtbot.addWidget(dlg)
    assert dlg.zone.zone() == system_zone()  # nothing saved yet: the system's zone is offered
    save = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert save.isEnabled() and dlg.usce.text() == "Not recorded"
    dlg.zone.setEditText("Mars/Olympus")
    assert not save.isEnabled() and "not a time zone" in dlg.error.text()
    dlg.zone.setEditText("Asia/Kolkata")
    assert save.isEnabled() and "UTC+05:30" in dlg.zone_hint.text()
    dlg.zone.set_zone(None)
    assert dlg.values() == {} and "each program's own date" in dlg.zone_hint.text()


def test_settings_saved_from_the_panel_change_eligibility_and_clashes(qtbot, win, monkeypatch):
    from gui.season_ui import BlockDialog, SettingsDialog

    _add(win, name="Mercy", usce_required=True, interview_date="2026-12-15")
    _add(win, name="Lakeside", interview_date="2026-12-20", interview_time="23:30", interview_tz="America/New_York")
    _add(win, name="Hill", interview_date="2026-12-21", interview_time="15:00", interview_tz="Asia/Kolkata")
    win.refresh()
    panel = _panel(win)
    ps = ProgramStore(win.session.store)
    pid = win.session.profile_id
    assert not panel.season.checks[0].eligible  # wants US clinical experience; none recorded
    assert "No clashes." == panel.clash_label.text()
    assert "not recorded" in panel.settings_label.text() and "Blocked days: none" in panel.settings_label.text()

    # Cancel writes nothing
    def cancel(self):
        self.usce.setValue(12)
        return 0
    monkeypatch.setattr(SettingsDialog, "exec", cancel)
    panel.edit_settings()
    assert ps.settings(pid) == {}

    def fill_block(self):
        self.start.setText("2026-12-14")
        self.end.setText("2026-12-16")
        self.label.setText("night shifts")
        return 1
    monkeypatch.setattr(BlockDialog, "exec", fill_block)

    def save(self):
        self.zone.setEditText("Asia/Kolkata")
        self.usce.setValue(6)
        self.add_block()
        assert self.table.rowCount() == 1 and self.table.item(0, 2).text() == "night shifts"
        return 1
    monkeypatch.setattr(SettingsDialog, "exec", save)
    assert panel.settings_button.text() == "Chan&ge…"  # Alt+G from the keyboard
    panel.settings_button.click()
    assert ps.settings(pid) == {"home_tz": "Asia/Kolkata", "usce_months": 6,
                                "blocked": [{"start": "2026-12-14", "end": "2026-12-16", "label": "night shifts"}]}
    assert panel.season.checks[0].eligible  # 6 months recorded
    text = panel.clash_label.text()
    assert "Mercy on 15 Dec 2026 falls in a blocked range (night shifts 14 Dec 2026 to 16 Dec 2026)" in text
    # 23:30 in New York is 10:00 on the 21st in Kolkata: the same day as Hill there
    assert "Two interviews on 21 Dec 2026: Lakeside and Hill." in text
    assert "Time zone: Asia/Kolkata" in panel.settings_label.text()
    assert "US clinical experience: 6 months" in panel.settings_label.text()
    assert "14 Dec 2026 to 16 Dec 2026: night shifts" in panel.settings_label.text()

    # edit the range, then delete it: the other settings stay
    def edit_block(self):
        self.end.setText("2026-12-14")
        return 1
    monkeypatch.setattr(BlockDialog, "exec", edit_block)

    def edit_then_delete(self):
        self.table.selectRow(0)
        self.edit_block()
        assert self.blocks == [{"start": "2026-12-14", "end": "2026-12-14", "label": "night shifts"}]
        self.table.selectRow(0)
        self.delete_block()
        assert self.table.rowCount() == 0 and not self.delete_block_button.isEnabled()
        return 1
    monkeypatch.setattr(SettingsDialog, "exec", edit_then_delete)
    panel.edit_settings()
    assert ps.settings(pid) == {"home_tz": "Asia/Kolkata", "usce_months": 6}
    assert "blocked range" not in panel.clash_label.text()


def test_signals_box_counts_flags_over_use_and_says_not_published(qtbot, win):
    for i in range(4):
        _add(win, name=f"IM {i}", specialty="internal_medicine", signal="gold")
    _add(win, name="FM 1", specialty="family_medicine", signal="signal")
    win.refresh()
    panel = _panel(win)
    text = panel.signal_label.text()
    # the profile's Match year is 2027: AAMC has published no 2027 numbers (resources/rules/img/application.toml)
    assert "Internal medicine: 4 signals marked; the 2027 season&#x27;s number is not published" in text
    assert "of 3" not in text  # the 2025 number is not passed off as this season's
    assert "2025 ERAS season: 4 of 3 gold (1 over)" in panel.signal_label.toolTip()
    # a profile in the 2025 Match: counted against that season's record, over-use flagged
    store, pid = win.session.store, win.session.profile_id
    store.save_facts(pid, {"img": {**store.facts(pid)["img"], "match_year": 2025}})
    win.refresh()
    text = panel.signal_label.text()
    assert "⚠ Internal medicine: 4 of 3 gold (1 over), 0 of 12 silver" in text
    assert "Family medicine: 1 of 5 signals" in text and text.count("⚠") == 1
    assert "AAMC program signaling, 2025 ERAS season" in panel.signal_label.toolTip()


def test_the_program_form_picks_the_interview_zone_from_the_searchable_list(qtbot, win):
    from gui.season_ui import ZoneCombo

    panel = _panel(win)
    dlg = ProgramDialog(panel, {"name": "Mercy", "interview_date": "2026-12-03", "interview_time": "09:00",
                                "interview_tz": "America/New_York"})
    qtbot.addWidget(dlg)
    tz = dlg.widgets["interview_tz"]
    assert isinstance(tz, ZoneCombo) and tz.zone() == "America/New_York"
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    tz.setEditText("Mars/Olympus")
    assert not ok.isEnabled() and "not a known time zone" in dlg.errors["interview_tz"].text()
    tz.setEditText("America/Chicago")
    assert ok.isEnabled() and dlg.values()["interview_tz"] == "America/Chicago"
    tz.set_zone(None)  # "(none)" with a time: the zone is asked for
    assert not ok.isEnabled() and "needed with an interview time" in dlg.errors["interview_tz"].text()
    assert "interview_tz" not in dlg.values()


def test_the_program_form_uses_the_one_date_editor_and_refuses_an_impossible_date(qtbot, win):
    """Every date of the program form is the date editor of the step pages: a typed impossible day
    keeps OK off with the step pages' reason, and is not moved to another date."""
    from core.programs import PROGRAM_FIELDS
    from gui.date_edit import DateEdit

    dlg = ProgramDialog(_panel(win), {"name": "Mercy"}, today=TODAY)
    qtbot.addWidget(dlg)
    dates = [f.key for f in PROGRAM_FIELDS if f.kind == "date" and f.key in dlg.widgets]
    assert "interview_date" in dates and "reply_by" in dates
    assert all(isinstance(dlg.widgets[k], DateEdit) for k in dates)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    w = dlg.widgets["interview_date"]
    assert ok.isEnabled()
    w.setFocus()
    qtbot.keyClicks(w, "2026-02-30")
    assert not ok.isEnabled() and "February 2026 has 28 days" in dlg.errors["interview_date"].text()
    assert w.text() == "2026-02-30" and w.date() is None and w.locale_label.text() == "not a date"
    w.selectAll()
    qtbot.keyClicks(w, "2027-01-10")  # typed over the selection: exactly what was typed
    assert ok.isEnabled() and dlg.errors["interview_date"].isHidden()
    assert w.locale_label.text() and dlg.values()["interview_date"] == "2027-01-10"


def test_edit_and_delete_wait_for_a_selected_program(qtbot, win):
    """With no program selected (or none at all) Edit… and Delete were enabled and did nothing;
    the empty list says how to add one."""
    panel = _panel(win)
    assert not panel.edit_button.isEnabled() and not panel.delete_button.isEnabled()
    assert panel.details.text().startswith("No programs yet")
    _add(win, name="Alpha Medical")
    win.refresh()
    assert not panel.edit_button.isEnabled()
    assert panel.details.text().startswith("Select a program")
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    assert panel.edit_button.isEnabled() and panel.delete_button.isEnabled()
    assert panel.details.text().startswith("Alpha Medical")


def test_every_column_is_in_view_at_1280_pixels(qtbot, win):
    """The program table's columns give way (Program first) so Findings stays in view without a
    horizontal scroll bar in a 1280-pixel window; a wide window gets the preferred widths."""
    from gui.season_ui import COLUMN_WIDTHS, FINDINGS_MIN, fit_widths

    _add(win, name="Mercy Hospital Internal Medicine Residency")
    win.refresh()
    panel = _panel(win)
    qtbot.waitUntil(lambda: panel.view.viewport().width() > 0)
    view = panel.view
    qtbot.waitUntil(lambda: view.columnWidth(0) < COLUMN_WIDTHS[0][0])  # 1280: the table is ~585 pixels wide
    assert not view.horizontalScrollBar().isVisible()
    assert view.columnWidth(5) >= FINDINGS_MIN - 1
    assert sum(view.columnWidth(i) for i in range(6)) <= view.viewport().width()
    assert panel.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "Mercy Hospital Internal Medicine Residency"
    assert fit_widths(2000) == [w for w, _least in COLUMN_WIDTHS]
    assert fit_widths(100) == [least for _w, least in COLUMN_WIDTHS]  # then the scroll bar, not less
