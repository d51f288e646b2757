"""Core texts a person reads follow the GUI's date format (core.datefmt.date_text): the card-history
import's expiry comparison, a fee suggestion's "checked" date and the cost note it leaves, and the
rules-update report. Without a formatter (the command line) and under iso_dates() (exports, stored
texts) they stay ISO."""

import datetime as dt

import pytest

from core import datefmt
from core.costs import Ledger, note_text
from core.history_import import preview_history
from core.rulepacks import PackInfo, RuleChange, StepMove, diff_text, impact_text, staleness_text
from core.rulepacks import ProfileImpact as Impact

D = dt.date
TODAY = D(2026, 11, 21)


def words(d: dt.date) -> str:  # a stand-in for the GUI's locale format ("31 Mar 2027")
    return f"{d.day} {d:%b %Y}"


@pytest.fixture
def in_words():
    before = datefmt.date_formatter()
    datefmt.set_date_formatter(words)
    yield
    datefmt.set_date_formatter(before)


CARDS = "Card,Issue date,Expires,Body\nPALS,2025-03-10,2027-03-10,AHA\n"


def _expiry_note(store) -> str:
    pid = store.create_profile("A", "nurse_picu", ["pals"], {})
    p = preview_history(store, pid, CARDS.encode(), TODAY, kind="cards")
    notes = [w.message for r in p.rows for w in r.warnings if "CertPath computes" in w.message]
    assert len(notes) == 1
    return notes[0]


def test_history_import_expiry_comparison_iso_in_the_command_line(store):
    note = _expiry_note(store)
    assert note.startswith("the sheet says 2027-03-10; CertPath computes 2027-03-31 from the issue date (rule ")


def test_history_import_expiry_comparison_in_words_in_the_gui(store, in_words):
    note = _expiry_note(store)
    assert note.startswith("the sheet says 10 Mar 2027; CertPath computes 31 Mar 2027 from the issue date")


def test_history_import_expiry_comparison_iso_under_iso_dates(store, in_words):
    with datefmt.iso_dates():
        assert "the sheet says 2027-03-10; CertPath computes 2027-03-31" in _expiry_note(store)


def _fee(store):
    pid = store.create_profile("Amara", "img", ["img"])
    L = Ledger(store)
    s = {x.rule_id: x for x in L.suggestions(pid, TODAY)}["fee.usmle.step1"]
    return L, pid, s


def test_fee_suggestion_and_its_cost_note(store, in_words):
    L, pid, s = _fee(store)
    checked = s.checked
    assert f"(checked {words(checked)}, {s.confidence} confidence)" in s.label()
    cost = L.get(L.add_suggestion(pid, s))
    # stored: ISO whatever the GUI shows (an interface: CSV export, search, the command line)
    assert cost.note == f"From fee.usmle.step1 (checked {checked.isoformat()}, {s.confidence} confidence)"
    # shown: the date in words
    assert note_text(cost.note) == f"From fee.usmle.step1 (checked {words(checked)}, {s.confidence} confidence)"
    with datefmt.iso_dates():
        assert note_text(cost.note) == cost.note
    # the user's own notes are never rewritten, even when they look like a date
    for own in ("receipt 123", "paid 2026-11-02", "From fee.x (checked 2026-02-30, high confidence)", ""):
        assert note_text(own) == own


def test_fee_suggestion_label_iso_without_a_formatter(store):
    _, _, s = _fee(store)
    assert f"(checked {s.checked.isoformat()}," in s.label()
    assert note_text(s.note()) == s.note()


ADDED = RuleChange("added", "fee.new", None, {
    "id": "fee.new", "statement": "A new fee.", "value": 10, "from": "2027-01-01", "until": None,
    "sources": [{"url": "https://www.ecfmg.org/fees", "tier": "primary"}], "checked": "2026-11-02",
    "as_of": "2026-10-01", "confidence": "high"})
CHANGED = RuleChange("changed", "fee.old", {"id": "fee.old", "value": 5, "checked": "2026-01-05"},
                     {"id": "fee.old", "value": 6, "checked": "2026-11-02"})
MOVE = StepMove("license.state", "Full state licence", "due", "2029-07-01", "2028-07-01")
STATUS = StepMove("usmle.step3", "USMLE Step 3", "status", "in_progress", "at_risk")
PACK = PackInfo("2026.12.1", D(2026, 12, 1), "0", "", "installed")


def _report() -> str:
    return (PACK.label + "\n" + diff_text([ADDED, CHANGED])
            + impact_text([Impact(1, "Amara", [MOVE, STATUS, StepMove("x", "X", "expires", None, "2030-01-31")], [])]))


def test_rules_update_report_iso_without_a_formatter():
    text = _report()
    assert "rule pack 2026.12.1 of 2026-12-01 (installed)" in text
    assert "+ fee.new [2027-01-01 to …] (added): 10" in text
    assert "checked 2026-11-02; confidence high" in text
    assert "checked: 2026-01-05 -> 2026-11-02" in text
    assert "Full state licence (license.state): due date 2029-07-01 -> 2028-07-01" in text
    assert "USMLE Step 3 (usmle.step3): status in_progress -> at_risk" in text
    assert "X (x): expiry (none) -> 2030-01-31" in text
    assert "last checked on 2026-11-02;" in staleness_text(D(2026, 11, 2))


def test_rules_update_report_in_words_in_the_gui_and_iso_in_its_export(in_words):
    text = _report()
    assert "rule pack 2026.12.1 of 1 Dec 2026 (installed)" in text
    assert "+ fee.new [1 Jan 2027 to …] (added): 10" in text
    assert "checked 2 Nov 2026; confidence high" in text
    assert "checked: 5 Jan 2026 -> 2 Nov 2026" in text
    assert "value: 5 -> 6" in text  # not a date: as it is
    assert "due date 1 Jul 2029 -> 1 Jul 2028" in text and "status in_progress -> at_risk" in text
    assert "expiry (none) -> 31 Jan 2030" in text
    assert "last checked on 2 Nov 2026;" in staleness_text(D(2026, 11, 2))
    with datefmt.iso_dates():  # the exported report file
        assert _report() == _report_iso()


def _report_iso() -> str:
    before = datefmt.date_formatter()
    datefmt.set_date_formatter(None)
    try:
        return _report()
    finally:
        datefmt.set_date_formatter(before)
