"""The costs panel and dialog (gui/costs_ui.py)."""

import datetime as dt

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.mark.parametrize("typed, words", [("12,50", "is not an amount"), ("-3", "zero or more"),
                                          ("abc", "is not an amount")])
def test_an_invalid_amount_is_said_beside_the_field(qtbot, today, no_modal, typed, words):
    from gui.costs_ui import CostDialog

    dlg = CostDialog(None, ["usmle.step1"], today)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.amount.setText(typed)
    dlg._ok()
    assert not dlg.error.isHidden() and words in dlg.error.text()
    assert dlg.result() == 0 and dlg.isVisible()
    qtbot.keyClicks(dlg.amount, "0")  # typing clears the message
    assert dlg.error.isHidden()


@pytest.fixture
def session(demo_session):  # tests/conftest.py
    return demo_session


def _costs(qtbot, session):
    from gui.costs_ui import CostsPanel

    p = CostsPanel(session)
    qtbot.addWidget(p)
    return p


def test_costs_delete_button_asks_first(qtbot, session, today, monkeypatch):
    from core.costs import Ledger

    Ledger(session.store).add(session.profile_id, "usmle.step1", 100000, "USD", date=today)
    p = _costs(qtbot, session)
    p.table.selectRow(0)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.No))
    p.btn_delete.click()  # clicked(False) used to arrive as confirm=False
    assert asked and len(p.costs) == 1


def test_costs_selection_stays_on_the_edited_and_the_added_cost(qtbot, session, today, monkeypatch):
    from core.costs import Ledger
    from gui import costs_ui

    led = Ledger(session.store)
    for amt in (100, 200, 300):
        led.add(session.profile_id, "usmle.step1", amt * 100, "EUR", date=today + dt.timedelta(days=amt))
    p = _costs(qtbot, session)
    p.table.selectRow(2)
    target = p.selected().id

    class Accept(costs_ui.CostDialog):
        def exec(self):
            self.amount.setText("350")
            return True

    monkeypatch.setattr(costs_ui, "CostDialog", Accept)
    p.edit_selected()
    assert p.selected().id == target and p.selected().amount_cents == 35000
    p.table.selectRow(0)
    p.suggestions.setCurrentItem(p.suggestions.topLevelItem(0))
    p.use_suggestion()
    assert p.selected().note.startswith("From fee.")
    # the note is stored with an ISO date and shown with the window's date format
    import re

    from gui import dates_display
    stored = p.selected().note
    checked = dt.date.fromisoformat(re.search(r"checked (\d{4}-\d{2}-\d{2})", stored)[1])
    dates_display.install()  # as the app does at start-up
    try:
        p.refresh()
        row = next(r for r in range(p.table.rowCount()) if p.table.item(r, 4).text().startswith("From fee."))
        shown = dates_display.show_date(checked)
        assert shown != checked.isoformat()
        assert p.table.item(row, 4).text() == stored.replace(checked.isoformat(), shown)
    finally:
        dates_display.uninstall()


def test_a_bad_currency_or_date_is_said_under_its_own_field(qtbot, today, no_modal):
    """One message label sat under Currency: a bad amount or a bad date was said beside the
    currency. Each field now has its own line, cleared when that field is edited."""
    from gui.costs_ui import CostDialog

    dlg = CostDialog(None, ["usmle.step1"], today)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.amount.setText("100")
    dlg.currency.setText("U1")
    dlg._ok()
    assert not dlg.currency_error.isHidden() and dlg.error.isHidden() and dlg.date_error.isHidden()
    form = dlg.layout()
    row = lambda w: form.getWidgetPosition(w)[0]  # noqa: E731
    assert row(dlg.currency_error) == row(dlg.currency) + 1
    assert row(dlg.error) == row(dlg.amount) + 1
    qtbot.keyClicks(dlg.currency, "S")
    assert dlg.currency_error.isHidden()
    dlg.currency.setText("USD")
    dlg.date.setText("2026-02-30")
    dlg._ok()
    assert not dlg.date_error.isHidden() and dlg.currency_error.isHidden() and dlg.error.isHidden()
    dlg.has_date.setChecked(False)  # an undated cost: the date's problem goes with it
    assert dlg.date_error.isHidden()


def test_known_fees_show_every_column_at_1280(qtbot, session):
    """The fee column was sized to 70 characters: at 1280x800 Checked was cut and Confidence
    was past the edge. The fee's words take the room left (the whole text is in the tooltip)."""
    p = _costs(qtbot, session)
    p.resize(840, 700)  # the panel's width in a 1280 px window
    p.show()
    p.refresh()
    qtbot.wait(20)
    t = p.suggestions
    assert t.topLevelItemCount()
    h = t.header()
    assert h.sectionViewportPosition(4) + h.sectionSize(4) <= t.viewport().width()
    assert not t.horizontalScrollBar().isVisible()
