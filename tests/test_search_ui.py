"""gui/search_ui.py: Edit ▸ Find (Ctrl+K) typed and opened with the keyboard, one evaluation per change."""

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence


@pytest.fixture
def win(shown_window, demo_session):
    return shown_window(demo_session)


def _open(win, qtbot, text):
    win.search_action.trigger()
    pop = win.search_popup
    assert pop.isVisible() and pop.focusWidget() is pop.edit
    qtbot.keyClicks(pop.edit, text)
    return pop


def _row_of(pop, kind):
    for i in range(pop.list.count()):
        if pop.list.item(i).data(Qt.ItemDataRole.UserRole + 1).kind == kind:
            return i
    raise AssertionError(f"no {kind} among the hits")


def _press(pop, qtbot, key, times=1):
    for _ in range(times):
        qtbot.keyClick(pop.edit, key)


def test_find_is_in_the_edit_menu_on_ctrl_k(win):
    assert win.search_action in win.menu_edit.actions()
    assert win.search_action.shortcut() == QKeySequence("Ctrl+K")
    assert win.search_action.text().replace("&", "") == "Find…"


def test_typing_arrows_and_enter_open_the_steps_page(win, qtbot):
    pop = _open(win, qtbot, "pals card")
    first = pop.current_entry()
    assert (first.kind, first.key) == ("step", "pals.card")
    assert "Not started" in first.detail or "Done" in first.detail or "·" in first.detail
    n = pop.results.total
    assert pop.status.text().startswith(f"{n} matches" if n != 1 else "1 match")  # not "match(es)"
    _press(pop, qtbot, Qt.Key.Key_Down, 2)
    assert pop.list.currentRow() == 2
    _press(pop, qtbot, Qt.Key.Key_Up, 2)
    assert pop.list.currentRow() == 0
    assert win.search_service.builds == 1  # built once when the box opened, not per keystroke
    _press(pop, qtbot, Qt.Key.Key_Return)
    assert not pop.isVisible()
    page = win.current_page()
    assert page is not None and page.key == "pals.card"
    assert win.tabs.currentIndex() == 1 and win.navigator.current_key() == "pals.card"
    # opening again without a change reuses the index
    pop = _open(win, qtbot, "usmle")
    assert win.search_service.builds == 1
    _press(pop, qtbot, Qt.Key.Key_Escape)
    assert not pop.isVisible() and win.current_page().key == "pals.card"


def test_nothing_found_says_so(win, qtbot):
    pop = _open(win, qtbot, "zzqx")
    assert pop.list.count() == 0 and "Nothing matches" in pop.status.text()
    _press(pop, qtbot, Qt.Key.Key_Return)  # nothing to open: the box stays
    assert pop.isVisible()
    _press(pop, qtbot, Qt.Key.Key_Escape)
    assert not pop.isVisible()


def test_a_profile_hit_switches_with_one_evaluation(win, qtbot):
    session = win.session
    before = session.profile_id
    names = {p["id"]: p["name"] for p in session.store.list_profiles()}
    other = next(pid for pid in names if pid != before)
    evaluations = []
    win.journeys.journey_changed.connect(lambda j: evaluations.append(j))
    pop = _open(win, qtbot, names[other].split()[0])
    pop.list.setCurrentRow(_row_of(pop, "profile"))
    _press(pop, qtbot, Qt.Key.Key_Return)
    assert session.profile_id == other
    assert len(evaluations) == 1
    assert "Switched to" in win.statusBar().currentMessage()


def test_a_new_document_is_found_and_shown_in_the_documents_panel(win, qtbot, tmp_path):
    from core.vault import Vault

    pop = _open(win, qtbot, "x")
    builds = win.search_service.builds
    _press(pop, qtbot, Qt.Key.Key_Escape)
    src = tmp_path / "d.pdf"
    src.write_bytes(b"scan")
    v = Vault(win.session.store.db, win.session.paths)
    doc = v.attach(win.session.profile_id, "ecfmg.school", src, win.session.today,
                   original_name="Medical diploma (translated).pdf").document
    pop = _open(win, qtbot, "diploma transl")
    assert win.search_service.builds == builds + 1  # the data file changed: built again
    assert pop.current_entry().kind == "document"
    _press(pop, qtbot, Qt.Key.Key_Return)
    panel = win.panel("Documents")
    assert win.tabs.currentWidget() is panel
    assert panel.selected() is not None and panel.selected().id == doc.id


def test_rule_reminder_and_cost_hits_open_where_they_live(win, qtbot):
    from core.costs import Ledger
    from core.reminders import add_task

    s = win.session
    add_task(s.store, s.profile_id, "Call the Prometric centre", s.today + dt.timedelta(days=3))
    cost_id = Ledger(s.store).add(s.profile_id, "usmle.step1", 95000, "USD", note="Prometric surcharge")

    pop = _open(win, qtbot, "prometric call")
    pop.list.setCurrentRow(_row_of(pop, "reminder"))
    _press(pop, qtbot, Qt.Key.Key_Return)
    rem_panel = win.panel("Reminders")
    assert win.tabs.currentWidget() is rem_panel
    assert rem_panel.selected() is not None and rem_panel.selected().title == "Call the Prometric centre"

    pop = _open(win, qtbot, "prometric surch")
    pop.list.setCurrentRow(_row_of(pop, "cost"))
    _press(pop, qtbot, Qt.Key.Key_Return)
    costs = win.panel("Costs")
    assert win.tabs.currentWidget() is costs and costs.selected().id == cost_id

    pop = _open(win, qtbot, "aha cards valid 2 years")
    pop.list.setCurrentRow(_row_of(pop, "rule"))
    entry = pop.current_entry()
    _press(pop, qtbot, Qt.Key.Key_Return)
    dlg = win.search_opener.rules_dialog
    assert dlg.isVisible()
    row = dlg.table.currentRow()
    assert dlg.rules[row].id == entry.key == "cards.expiry.aha"
    assert entry.key in dlg.detail.toPlainText() or dlg.rules[row].statement[:30] in dlg.detail.toPlainText()
    dlg.close()


def test_an_index_that_cannot_be_built_is_said_not_raised(win, qtbot, monkeypatch):
    from core import search as S

    def boom(*_a, **_k):
        raise OSError("disk gone")

    monkeypatch.setattr(S, "build_index", boom)
    pop = _open(win, qtbot, "pals")
    assert pop.list.count() == 0 and "Search cannot read your data now (OSError" in pop.status.text()
    _press(pop, qtbot, Qt.Key.Key_Escape)
    assert not pop.isVisible()
