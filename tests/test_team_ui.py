"""The Team view (issue 20, gui/team.py): filters, search, sorting, Enter opens the card step with
one evaluation for the switch, the import preview (bad rows, Cancel writes nothing), the
dashboard's team summary and the CSV export round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

import core.engine
from core import roster as R
from core.roster_import import preview_roster

TODAY = dt.date(2026, 11, 21)


def _add(store, name, role, cards):
    facts, tracks = {}, []
    for card, (issue, body) in cards.items():
        facts[f"{card}.card"] = {"issue_date": issue}
        facts[f"{card}.enroll"] = {"body": body}
        tracks.append(card)
    return store.create_profile(name, role, tracks, facts)


@pytest.fixture
def team(qtbot, data_dir, shown_window):
    from gui.shell import open_session

    session = open_session(data_dir, TODAY, demo=False)
    st = session.store
    ids = {
        "ana": _add(st, "Ana Díaz", "nurse_picu", {"bls": ("2024-12-05", "aha"), "pals": ("2025-03-10", "aha")}),
        # Red Cross: two years to the day -> last valid day 2026-12-10, within 30 days
        "ben": _add(st, "Ben Okafor", "nurse_picu", {"bls": ("2024-12-10", "red_cross"), "pals": ("2024-10-02", "aha")}),
        "cho": _add(st, "Cho Min", "nurse_picu", {"bls": ("2025-06-01", "aha")}),  # PALS missing for a PICU nurse
    }
    session.choose_default_profile()
    win = shown_window(session)
    win.team_action.trigger()
    panel = win.team_panel
    qtbot.waitUntil(lambda: panel.data.roster is not None and not panel.data.building)
    return win, panel, ids


def names(panel):
    return [r.name for r in panel.shown_rows()]


def test_filters_and_search(qtbot, team):
    win, panel, ids = team
    assert names(panel) == ["Ana Díaz", "Ben Okafor", "Cho Min"]
    panel.set_filter("Expires within 30 days")
    assert names(panel) == ["Ben Okafor"]  # Red Cross BLS to 2026-12-09; Ana's AHA BLS to 2026-12-31 is 40 days
    panel.set_filter("Expires within 60 days")
    assert names(panel) == ["Ana Díaz", "Ben Okafor"]
    panel.set_filter("Expired")
    assert names(panel) == ["Ben Okafor"]  # PALS of 2024-10-02: end of October 2026
    panel.set_filter("Missing a card their role typically holds")
    assert names(panel) == ["Cho Min"]
    panel.set_filter("Everyone")
    qtbot.keyClicks(panel.search, "jose")
    panel.apply_filter()
    assert names(panel) == [] and panel.empty.isVisible()
    panel.search.clear()
    qtbot.keyClicks(panel.search, "diaz")  # accents ignored
    qtbot.waitUntil(lambda: names(panel) == ["Ana Díaz"])
    assert "1 of 3 profiles shown" in panel.count.text()


def test_cells_say_status_in_words_and_colour(team):
    win, panel, ids = team
    m = panel.model
    ben = next(i for i, r in enumerate(m.rows) if r.name == "Ben Okafor")
    col = m.columns()
    assert m.data(m.index(ben, col.index("bls"))) == "Expires 10 Dec 2026"  # the GUI's dates (en_GB in the tests)
    assert "19 days left" in m.data(m.index(ben, col.index("bls")), Qt.ItemDataRole.ToolTipRole)
    assert m.data(m.index(ben, col.index("pals"))) == "Expired 31 Oct 2026"
    assert m.data(m.index(ben, col.index("pals")), Qt.ItemDataRole.ForegroundRole).name() in ("#b91c1c", "#f87171")
    assert m.data(m.index(ben, col.index("acls"))) == "–"


def test_sorting_by_a_card_column_uses_the_expiry(qtbot, team):
    win, panel, ids = team
    col = panel.model.columns().index("bls")
    panel.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    assert names(panel) == ["Ben Okafor", "Ana Díaz", "Cho Min"]  # 2026-12-10, 2026-12-31, 2027-06-30
    panel.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    assert names(panel) == ["Cho Min", "Ana Díaz", "Ben Okafor"]
    panel.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert names(panel) == ["Cho Min", "Ben Okafor", "Ana Díaz"]
    panel.set_filter("Expires within 60 days")  # the sort holds through a filter
    assert names(panel) == ["Ben Okafor", "Ana Díaz"]


def test_the_current_cell_stays_on_its_person_through_filters_and_sorts(qtbot, team):
    """After each filter the current cell (what Enter opens) is the same person and column when
    they are still shown, else the first row: found from their place in the sort order."""
    win, panel, ids = team
    m = panel.model
    col = m.columns().index("pals")

    def current():
        idx = panel.table.currentIndex()
        return m.rows[idx.row()].name, idx.column()

    panel.table.setCurrentIndex(m.index(names(panel).index("Ben Okafor"), col))
    for label, want in (("Expires within 60 days", ("Ben Okafor", col)), ("Expired", ("Ben Okafor", col)),
                        ("Missing a card their role typically holds", ("Cho Min", col)),
                        ("Everyone", ("Cho Min", col))):
        panel.set_filter(label)
        assert current() == want, label
    panel.table.setCurrentIndex(m.index(names(panel).index("Ana Díaz"), 1))
    panel.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # a header sort, then filters in that order
    assert current() == ("Ana Díaz", 1) and m.row_index(ids["ana"]) == 2
    panel.set_filter("Expires within 60 days")
    assert names(panel) == ["Ben Okafor", "Ana Díaz"] and current() == ("Ana Díaz", 1)
    assert m.row_index(ids["ana"]) == 1 and m.row_index(ids["cho"]) is None


def test_enter_opens_the_persons_card_step_with_one_evaluation(qtbot, team, monkeypatch):
    win, panel, ids = team
    calls = []
    real = core.engine.Journey
    monkeypatch.setattr(core.engine, "Journey", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    m = panel.model
    row = next(i for i, r in enumerate(m.rows) if r.name == "Ben Okafor")
    panel.table.setFocus()
    panel.table.setCurrentIndex(m.index(row, m.columns().index("pals")))
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)
    assert win.session.profile_id == ids["ben"]
    page = win.current_page()
    assert page is not None and page.key == "pals.card"
    assert len(calls) == 1  # the switch: one evaluation; the roster reuses its rows
    # a save of that person's page rebuilds their row from the service's journey: still one
    calls.clear()
    win.session.store.save_facts(ids["ben"], {"pals.card": {"issue_date": "2026-11-20"}})
    win.refresh()
    assert len(calls) == 1
    assert win.team_data.roster.row(ids["ben"]).cells["pals"].state == R.VALID


def test_double_click_on_a_name_opens_their_first_card(qtbot, team):
    win, panel, ids = team
    m = panel.model
    row = next(i for i, r in enumerate(m.rows) if r.name == "Cho Min")
    rect = panel.table.visualRect(m.index(row, 0))
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert win.session.profile_id == ids["cho"] and win.current_page().key == "bls.card"


def test_dashboard_team_summary(qtbot, team):
    win, panel, ids = team
    box = win.team_summary
    assert not box.isHidden()
    text = box.plain_text()
    assert "1 card has expired: Ben Okafor (PALS, 31 Oct 2026)" in text
    assert "2 cards expire within 60 days (after this month): " in text or "expire this month" in text
    assert "Ben Okafor (BLS, 10 Dec 2026)" in text
    assert "Cho Min (PALS)" in text


def test_summary_hidden_with_one_card_holder(qtbot, data_dir, shown_window):
    from gui.shell import open_session

    session = open_session(data_dir, TODAY, demo=False)
    _add(session.store, "Solo", "nurse_picu", {"bls": ("2025-06-01", "aha")})
    session.store.create_profile("No cards", "other", [], {})
    session.choose_default_profile()
    win = shown_window(session)
    assert win.team_summary.isHidden()


def test_export_csv_round_trip(qtbot, team, tmp_path, monkeypatch):
    win, panel, ids = team
    panel.set_filter("Expires within 60 days")
    out = tmp_path / "team.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    assert panel.export_csv()
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf# CertPath team roster as of 2026-11-21; showing expiring within 60 days")
    assert data.count(b"\r\n") == 4  # comment, header, two people
    # reading it back into the same file changes nothing
    pv = preview_roster(win.session.store, data, TODAY)
    assert pv.ok and {r.action for r in pv.rows} == {"unchanged"}
    assert sorted(r.target for r in pv.rows) == sorted([ids["ana"], ids["ben"]])


def test_export_pdf_has_the_date_and_rules(qtbot, team, tmp_path, monkeypatch):
    win, panel, ids = team
    out = tmp_path / "team.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    html = __import__("gui.team", fromlist=["roster_html"]).roster_html(
        panel.data.roster, panel.shown_rows(), panel.current_filter())
    assert "2026-11-21" in html and "Rules used" in html and panel.data.roster.rules[0] in html
    assert panel.export_pdf() and out.read_bytes().startswith(b"%PDF")


BAD_CSV = (b"name,role,pals_issue_date,pals_body\r\n"
           b"Ana D\xc3\xadaz,nurse_picu,2026-01-15,aha\r\n"
           b"Dee New,nurse_picu,3/10/2026,aha\r\n"
           b"Eve New,astronaut,2025-05-05,aha\r\n"
           b"Fay New,nurse_picu,2025-05-05,red_cross\r\n")


def test_import_preview_shows_bad_rows_and_cancel_writes_nothing(qtbot, team, tmp_path, monkeypatch):
    win, panel, ids = team
    from gui.team import ImportDialog, import_team

    path = tmp_path / "team.csv"
    path.write_bytes(BAD_CSV)
    before = win.session.store.all_documents()

    seen = {}

    def cancel(self):
        seen["rows"] = [(self.table.item(i, 0).text(), self.table.item(i, 2).text(), self.table.item(i, 3).text())
                        for i in range(self.table.rowCount())]
        seen["button"] = self.import_button.text()
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(ImportDialog, "exec", cancel)
    assert not import_team(win, win.team_data, str(path))
    rows = seen["rows"]
    assert rows[0][1].startswith("Update profile") and rows[0][2] == "✓ OK"
    assert rows[1][1] == "✕ Not imported" and "pals_issue_date" in rows[1][2]
    assert rows[2][1] == "✕ Not imported" and "role" in rows[2][2]
    assert rows[3][1] == "New profile"
    assert seen["button"] == "&Import 2 people"
    assert win.session.store.all_documents() == before  # Cancel: nothing written


def test_import_commits_valid_rows_in_one_go_and_the_roster_follows(qtbot, team, tmp_path, monkeypatch):
    win, panel, ids = team
    from gui.team import ImportDialog, import_team

    path = tmp_path / "team.csv"
    path.write_bytes(BAD_CSV)

    def accept(self):
        self.match_new.setChecked(True)  # every row a new profile
        assert self.import_button.text() == "&Import 2 people"
        self.do_import()
        return self.result()

    monkeypatch.setattr(ImportDialog, "exec", accept)
    assert import_team(win, win.team_data, str(path))
    qtbot.waitUntil(lambda: len(win.team_data.roster.rows) == 5)
    assert sorted(names(panel)).count("Ana Díaz") == 2 and "Fay New" in names(panel)


# --- the card filter ---------------------------------------------------------------------------

def test_card_filter_keeps_the_chosen_card_columns_and_conditions(qtbot, team):
    win, panel, ids = team
    m = panel.model
    col = {c: i for i, c in enumerate(m.columns())}
    assert panel.cards_button.text() == "All cards"
    assert not panel.card_actions["acls"].isEnabled()  # nobody holds or follows ACLS
    panel.set_filter("Expired")
    assert names(panel) == ["Ben Okafor"]  # his PALS
    panel.set_cards(("bls",))
    assert names(panel) == [] and panel.cards_button.text() == "BLS"  # no BLS has expired
    assert panel.table.isColumnHidden(col["pals"]) and not panel.table.isColumnHidden(col["bls"])
    panel.set_filter("Missing a card their role typically holds")
    assert names(panel) == []  # Cho misses a PALS, not a BLS
    panel.set_cards(("pals",))
    assert names(panel) == ["Cho Min"]
    row = next(i for i, r in enumerate(m.rows) if r.name == "Cho Min")
    assert m.data(m.index(row, col["missing"])) == "PALS"
    assert "Typical for Nurse: PICU: PALS. No card recorded: PALS." in m.data(
        m.index(row, col["missing"]), Qt.ItemDataRole.ToolTipRole)
    assert panel.current_filter().cards == ("pals",)
    panel.show_all_cards()
    assert panel.cards_button.text() == "All cards" and not panel.table.isColumnHidden(col["pals"])


@pytest.mark.qt_log_ignore("does not support grabbing the keyboard", "does not support raise")  # offscreen pop-up
def test_card_filter_is_reached_and_used_from_the_keyboard(qtbot, team):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    win, panel, ids = team
    buddy = next(lab for lab in panel.findChildren(QLabel) if lab.buddy() is panel.cards_button)
    assert buddy.text() == "C&ards:"  # Alt+A
    assert panel.cards_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    panel.cards_button.setFocus()
    picked = []

    def choose():  # the menu is open (modal): its mnemonic picks PALS
        menu = QApplication.activePopupWidget()
        picked.append(menu is panel.cards_menu)
        qtbot.keyClick(menu, Qt.Key.Key_P)

    QTimer.singleShot(50, choose)
    qtbot.keyClick(panel.cards_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: panel.chosen_cards() == ("pals",))
    assert picked == [True] and panel.cards_button.text() == "PALS"
    col = panel.model.columns()
    assert panel.table.isColumnHidden(col.index("bls"))


def test_three_cards_fit_1280_without_a_horizontal_scroll_bar(qtbot, team):
    win, panel, ids = team
    assert win.width() == 1280
    qtbot.waitUntil(lambda: panel.table.viewport().width() > 0)
    assert panel.table.horizontalScrollBar().maximum() == 0
    hdr = panel.table.horizontalHeader()
    m = panel.model
    fm = panel.table.fontMetrics()
    i = m.columns().index("missing")
    assert hdr.sectionSize(i) >= fm.horizontalAdvance("PALS") + 12
    for c in ("bls", "pals"):
        j = m.columns().index(c)
        assert hdr.sectionSize(j) >= fm.horizontalAdvance("Valid to 2026-12-31") + 16


def test_a_card_column_is_wide_enough_for_every_months_dates(qtbot, data_dir, shown_window):
    """The column's width came from one sample date, 31 Dec 2026; "Valid to 31 May 2027" is wider
    in most fonts and was elided ("Valid to 31 May 20...") at 1280 pixels with three cards and a
    long role, where the card columns get no room beyond their own."""
    from gui.shell import open_session
    from gui.team import date_text

    session = open_session(data_dir, TODAY, demo=False)
    for i in range(3):
        _add(session.store, f"Persón {i:03d} Ñame", "nurse_nicu",
             {"bls": ("2025-05-10", "aha"), "pals": ("2025-05-11", "aha"), "nrp": ("2025-05-12", "aap")})
    session.choose_default_profile()
    win = shown_window(session)
    win.team_action.trigger()
    panel = win.team_panel
    qtbot.waitUntil(lambda: panel.data.roster is not None and not panel.data.building)
    qtbot.waitUntil(lambda: panel.table.viewport().width() > 0)
    assert win.width() == 1280 and panel.table.horizontalScrollBar().maximum() == 0
    assert "Valid to " + date_text(dt.date(2027, 5, 31)) in _cell_text(panel, "Persón 000 Ñame", "bls")
    hdr = panel.table.horizontalHeader()
    for c in ("bls", "pals", "nrp"):
        j = panel.model.columns().index(c)
        for m in range(1, 13):
            last = (dt.date(2027 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))
            for words in ("Valid to", "Expired", "Expires"):
                text = f"{words} {date_text(last)}"
                assert hdr.sectionSize(j) >= panel._cell_width(text, icon=True), (c, text)


# --- never a stale status ---------------------------------------------------------------------

def _cell_text(panel, name, card):
    m = panel.model
    row = next(i for i, r in enumerate(m.rows) if r.name == name)
    return m.data(m.index(row, m.columns().index(card)))


def test_the_view_follows_a_new_day_across_an_expiry_from_the_kept_evaluations(qtbot, team):
    win, panel, ids = team
    assert _cell_text(panel, "Ana Díaz", "bls") == "Valid to 31 Dec 2026"
    win.session.advance_today(dt.date(2026, 12, 31))  # the last valid day
    win.refresh()
    qtbot.waitUntil(lambda: panel.data.roster.today == dt.date(2026, 12, 31) and not panel.data.building)
    assert panel.data.roster.evaluated == 0  # from the cache file: no evaluation to show it
    assert _cell_text(panel, "Ana Díaz", "bls") == "Expires today"
    win.session.advance_today(dt.date(2027, 1, 1))  # the day after
    win.refresh()
    qtbot.waitUntil(lambda: panel.data.roster.today == dt.date(2027, 1, 1))
    assert _cell_text(panel, "Ana Díaz", "bls") == "Expired 31 Dec 2026"
    assert R.pending_rows(panel.data.roster)  # the engine's statuses of that day: when an export asks
    panel.data.complete_now()
    assert not R.pending_rows(panel.data.roster)
    assert _cell_text(panel, "Ana Díaz", "bls") == "Expired 31 Dec 2026"
    assert panel.data.roster.rows == R.build_roster(win.session.store, dt.date(2027, 1, 1)).rows


def test_an_edit_elsewhere_and_other_rules_show_at_once(qtbot, team, monkeypatch):
    import dataclasses

    import gui.team as T
    from core.rules import RuleSet, load_rules

    win, panel, ids = team
    # a card edited outside the window (the command line, another profile): the next build reads it
    win.session.store.save_facts(ids["cho"], {"bls.card": {"issue_date": "2024-01-05"}})
    panel.data.rebuild()
    assert panel.data.roster.evaluated == 1
    assert _cell_text(panel, "Cho Min", "bls") == "Expired 31 Jan 2026"
    # other rules (a rule pack installed): AHA cards last 12 months
    rules = load_rules()
    other = RuleSet([dataclasses.replace(r, value={**r.value, "months": 12})
                     if r.id == "cards.expiry.aha" and isinstance(r.value, dict) else r for r in rules.all()])
    monkeypatch.setattr(T, "load_rules", lambda: other)
    win.refresh()
    qtbot.waitUntil(lambda: panel.data.roster.rule_set is other and not panel.data.building)
    assert _cell_text(panel, "Ana Díaz", "pals") == "Expired 31 Mar 2026"


def test_export_waits_for_todays_statuses(qtbot, team, tmp_path, monkeypatch):
    win, panel, ids = team
    win.session.advance_today(dt.date(2027, 1, 1))
    win.refresh()
    qtbot.waitUntil(lambda: panel.data.roster.today == dt.date(2027, 1, 1))
    out = tmp_path / "team.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    assert panel.export_csv()
    text = out.read_bytes().decode("utf-8-sig")
    assert "as of 2027-01-01" in text and not R.pending_rows(panel.data.roster)
    assert ",expired,expired," in text or ",expired,at_risk," in text  # Ana's BLS: the engine's status of that day


def test_filtering_sorting_and_the_card_filter_never_evaluate(qtbot, team, monkeypatch):
    import core.roster as CR

    win, panel, ids = team
    calls = []
    real = CR.evaluate
    monkeypatch.setattr(CR, "evaluate", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    for label, _kw in __import__("gui.team", fromlist=["FILTERS"]).FILTERS:
        panel.set_filter(label)
    panel.set_cards(("pals",))
    panel.search.setText("ana")
    panel.apply_filter()
    panel.model.sort(panel.model.columns().index("bls"), Qt.SortOrder.DescendingOrder)
    assert calls == []


def test_kept_cell_texts_follow_the_person_through_sorts_filters_and_the_palette(qtbot, team):
    """The model keeps each painted cell per person (not per row position): after a sort or a
    filter moves the rows, each row still says its own person's cards; a switch to dark mode
    gives the kept cells the dark palette's colours at the next reset."""
    from PySide6.QtWidgets import QApplication

    from gui import theme

    win, panel, ids = team
    m = panel.model
    col = m.columns()

    def by_name(card, role=Qt.ItemDataRole.DisplayRole):
        return {r.name: m.data(m.index(i, col.index(card)), role) for i, r in enumerate(m.rows)}

    before = {c: by_name(c) for c in ("bls", "pals", "missing")}
    assert before["bls"]["Ben Okafor"] == "Expires 10 Dec 2026" and before["missing"]["Cho Min"] == "PALS"
    panel.table.sortByColumn(col.index("bls"), Qt.SortOrder.DescendingOrder)
    assert names(panel) == ["Cho Min", "Ana Díaz", "Ben Okafor"]
    assert {c: by_name(c) for c in before} == before
    panel.set_filter("Expires within 60 days")
    assert by_name("bls") == {k: v for k, v in before["bls"].items() if k != "Cho Min"}
    panel.set_filter("Everyone")
    assert {c: by_name(c) for c in before} == before
    app = QApplication.instance()
    light = by_name("pals", Qt.ItemDataRole.ForegroundRole)["Ben Okafor"].name()
    try:
        theme.apply_dark(app)
        panel.apply_filter()
        dark = by_name("pals", Qt.ItemDataRole.ForegroundRole)["Ben Okafor"].name()
        assert (light, dark) == ("#b91c1c", "#f87171")  # Expired's red of each palette
        assert by_name("pals") == before["pals"]
    finally:
        theme.apply_light(app)
        panel.apply_filter()
    assert by_name("pals", Qt.ItemDataRole.ForegroundRole)["Ben Okafor"].name() == "#b91c1c"


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_names_and_roles_get_their_width_first_and_the_cards_the_rest(qtbot, demo_session, shown_window, size):
    """The walkthrough's finding: at 1280 the demo's "Dana Reyes, RN (demo)" was cut while the card
    columns had room to spare. Every name and status shows in full at 1280 (Role gives way first,
    elided with its tooltip), the role too at 1920, the cards share the rest, no horizontal bar."""
    win = shown_window(demo_session)
    win.resize(*size)
    win.team_action.trigger()
    panel = win.team_panel
    qtbot.waitUntil(lambda: panel.data.roster is not None and not panel.data.building and bool(panel.model.rows))
    t, m = panel.table, panel.model
    qtbot.waitUntil(lambda: t.viewport().width() > 0.5 * size[0])
    hdr = t.horizontalHeader()
    shown = [i for i in range(m.columnCount()) if not t.isColumnHidden(i)]
    cards = [i for i in shown if m.columns()[i] in m.cards]
    assert len(cards) == 3 and t.horizontalScrollBar().maximum() == 0
    assert sum(hdr.sectionSize(i) for i in shown) == t.viewport().width()  # the cards take the rest
    full = [0, *cards] if size[0] == 1280 else shown
    for i in full:  # the delegate's own figure for the widest cell of the column
        assert hdr.sectionSize(i) >= t.sizeHintForColumn(i), (m.columns()[i], hdr.sectionSize(i))
    if size[0] == 1920:
        assert min(hdr.sectionSize(i) for i in cards) > t.sizeHintForColumn(cards[0]) + 50


def test_the_whole_row_shows_selected_and_keys_move_the_cell_enter_opens(qtbot, team):
    """The walkthrough's finding: a selected row highlighted only its Name cell. The whole row
    shows selected; the arrow keys still move the current cell (framed: the card Enter opens)."""
    from PySide6.QtGui import QPalette

    win, panel, ids = team
    t, m = panel.table, panel.model
    cols = m.columns()
    t.setFocus()
    qtbot.waitUntil(t.hasFocus)
    t.setCurrentIndex(m.index(0, 0))  # Ana, Name
    qtbot.keyClick(t, Qt.Key.Key_Down)
    qtbot.keyClick(t, Qt.Key.Key_Right)
    qtbot.keyClick(t, Qt.Key.Key_Right)
    qtbot.keyClick(t, Qt.Key.Key_Right)
    cur = t.currentIndex()
    assert (m.rows[cur.row()].name, cols[cur.column()]) == ("Ben Okafor", "pals")
    sel = t.selectionModel()
    assert [i.row() for i in sel.selectedRows()] == [cur.row()]  # every cell of Ben's row
    assert all(sel.isSelected(m.index(cur.row(), c)) for c in range(m.columnCount()) if not t.isColumnHidden(c))
    # the current cell is framed in the selection's text colour; the row's other cells are not
    img = t.viewport().grab().toImage()
    dpr = img.devicePixelRatio()
    frame = t.palette().color(QPalette.ColorRole.HighlightedText).name()

    def px(col, dx):
        r = t.visualRect(m.index(cur.row(), cols.index(col)))
        return img.pixelColor(int((r.left() + dx) * dpr), int(r.center().y() * dpr)).name()

    assert px("pals", 2) == frame and px("bls", 2) != frame
    qtbot.keyClick(t, Qt.Key.Key_Return)
    assert win.session.profile_id == ids["ben"] and win.current_page().key == "pals.card"


def test_a_worker_build_lets_the_ui_thread_take_pythons_lock_back_quickly(qtbot, team, monkeypatch):
    # a cold build in the worker (forced here for 3 profiles) lowers Python's switch interval, so
    # the UI thread's calls into Python (each painted cell's data()) do not wait 5 ms apiece
    import sys
    import threading

    from gui import team as team_mod

    win, panel, ids = team
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    go = threading.Event()
    real = R.roster_from_read

    def held(*a, **k):  # the worker's build, held until the test has looked
        go.wait(10)
        return real(*a, **k)

    try:
        monkeypatch.setattr(team_mod, "SYNC_MAX", 0)
        monkeypatch.setattr(R, "roster_from_read", held)
        panel.data.cache.clear()
        panel.data.rebuild()
        assert panel.data.building  # in the worker
        assert sys.getswitchinterval() <= team_mod.UI_SWITCH_INTERVAL
        go.set()
        qtbot.waitUntil(lambda: not panel.data.building and panel.data.roster is not None)
        assert sorted(names(panel)) == ["Ana Díaz", "Ben Okafor", "Cho Min"]
        assert sys.getswitchinterval() == pytest.approx(0.005)  # back once no worker runs
    finally:
        go.set()
        sys.setswitchinterval(before)


def test_the_column_fit_measures_only_the_texts_that_can_be_widest_and_gets_the_same_widths(team):
    """_fit_columns measures through the style only the texts whose advance is near the largest,
    one per advance: the widths are those measuring every candidate gives (texts of one length and
    many widths, texts a pixel apart, texts of one advance, spaces at an end, a combining mark),
    and the Name and Role columns' needs are the widest of their texts."""
    _win, panel, _ids = team
    texts = ["WWWWWWWWWW", "iiiiiiiiii", "Mmmmmmmmmm", "lllllllllll", "Ana Díaz", "Ana Diaz", "Ñame Ñame",
             "Ben Okafor", "Cho Min", "ÄÖÜ äöü ßß", "x", "WWWWWWWWWi", "WWWWWWWWW.", "Persón 001 Ñame",
             "Persón 002 Ñame", "Persón 118 Ñame", "WWWWWWWWW  ", "  WWWWWWWWW", "WWWWWWWWWW\u0301"]
    for k in range(1, len(texts) + 1):
        some = texts[:k]
        picked = panel._widest(some)
        assert set(picked) <= set(some) and picked
        assert max(panel._cell_width(t) for t in picked) == max(panel._cell_width(t) for t in some)
        assert max(panel._cell_width(t, icon=True) for t in picked) == max(panel._cell_width(t, icon=True) for t in some)
    assert len(panel._widest(texts)) < len(texts)
    rows = panel.data.roster.rows
    role_need, name_need, _card, _miss = panel._widths_key[1]
    hdr = panel.table.horizontalHeader()
    assert name_need == max(hdr.sectionSizeHint(0), *(panel._cell_width(r.name) for r in rows))
    assert role_need == max(hdr.sectionSizeHint(1), *(panel._cell_width(r.role_label) for r in rows))


def test_view_team_on_a_built_roster_sorts_nothing_and_sizes_from_the_roster(qtbot, data_dir, shown_window,
                                                                           monkeypatch):
    """The window builds the roster for the dashboard; View > Team then finds the name order, the
    unused cards and the longest texts made (Roster.warm, when the roster was applied): opening it
    sorts and scans no rows."""
    from core import roster as R
    from gui.shell import open_session

    session = open_session(data_dir, TODAY, demo=False)
    for i, name in enumerate(["Zoë Brandt", "Ana Díaz", "Mo Chen"]):
        _add(session.store, name, "nurse_picu", {"bls": (f"2025-0{i + 1}-10", "aha")})
    session.choose_default_profile()
    win = shown_window(session)
    data = win.team_data
    data.ensure()
    data.wait()
    roster = data.roster
    assert roster is not None
    assert roster.sorted_rows() == R.sort_rows(roster.rows, "name") and roster.sorted_rows() is roster.sorted_rows()
    assert roster.unused_cards() == {c for c in roster.cards if all(r.cells[c].state == R.NONE for r in roster.rows)}
    calls = []
    real_sort = R.sort_rows
    # (the empty table the panel starts with is sorted as it is made: no rows, nothing to count)
    monkeypatch.setattr(R, "sort_rows", lambda rows, *a, **k: (rows and calls.append(a)) or real_sort(rows, *a, **k))
    real_nlargest = R.heapq.nlargest
    monkeypatch.setattr(R.heapq, "nlargest", lambda *a, **k: calls.append(a) or real_nlargest(*a, **k))
    win.team_action.trigger()
    panel = win.team_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3)
    assert calls == []
    assert [r.name for r in panel.shown_rows()] == ["Ana Díaz", "Mo Chen", "Zoë Brandt"]
    assert panel.table.isColumnHidden(panel.model.columns().index("pals"))  # nobody holds PALS
