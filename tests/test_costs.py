"""The cost ledger: cents, currencies never summed together, totals per track and year, suggestions."""

import datetime as dt

import pytest

from core.costs import (
    PAID,
    PLANNED,
    UNDATED,
    Ledger,
    format_amount,
    grand_totals,
    parse_amount,
    totals_by_track,
    totals_by_year,
)


@pytest.fixture
def ledger(store):
    pid = store.create_profile("Amara", "img", ["img", "pals"])
    return Ledger(store), pid


def test_parse_and_format_amounts():
    assert parse_amount("1,234.50") == 123450
    assert parse_amount("1000") == 100000
    assert parse_amount("US$ 165") == 16500
    assert parse_amount(165) == 16500
    assert parse_amount("0.1") == 10
    for bad in ("-5", "abc", "1.234", "1e400"):
        with pytest.raises(ValueError):
            parse_amount(bad)
    assert format_amount(123450, "USD") == "USD 1,234.50"


def test_totals_per_track_and_year_never_mix_currencies(ledger):
    L, pid = ledger
    L.add(pid, "usmle.step1", 100000, "USD", date=dt.date(2025, 1, 10), status=PAID)
    L.add(pid, "usmle.step2ck", 100000, "usd", date=dt.date(2026, 2, 1), status=PLANNED)
    L.add(pid, "ecfmg.oet", 58700, "AUD", date=dt.date(2026, 3, 1), status=PAID)
    L.add(pid, "pals.enroll", 25000, "USD", status=PLANNED)
    costs = L.list(pid)
    by_track = totals_by_track(costs)
    assert by_track["img"]["USD"] == {PAID: 100000, PLANNED: 100000, "total": 200000}
    assert by_track["img"]["AUD"] == {PAID: 58700, PLANNED: 0, "total": 58700}
    assert by_track["pals"] == {"USD": {PAID: 0, PLANNED: 25000, "total": 25000}}
    by_year = totals_by_year(costs)
    assert list(by_year) == ["2025", "2026", UNDATED]
    assert by_year["2026"] == {"USD": {PAID: 0, PLANNED: 100000, "total": 100000},
                               "AUD": {PAID: 58700, PLANNED: 0, "total": 58700}}
    assert set(grand_totals(costs)) == {"USD", "AUD"}


def test_validation_update_delete(ledger):
    L, pid = ledger
    for bad in [dict(amount_cents=-1), dict(amount_cents=1.5), dict(currency="dollars"), dict(status="maybe")]:
        args = {"amount_cents": 100, "currency": "USD", "status": PLANNED, **bad}
        with pytest.raises(ValueError):
            L.add(pid, "usmle.step1", args["amount_cents"], args["currency"], status=args["status"])
    cid = L.add(pid, "usmle.step1", 100, "USD")
    L.update(cid, status=PAID, date=dt.date(2026, 1, 1), note="receipt 123")
    c = L.get(cid)
    assert (c.status, c.date, c.note, c.track) == (PAID, dt.date(2026, 1, 1), "receipt 123", "img")
    L.delete(cid)
    assert L.list(pid) == []


def test_suggestions_come_from_fee_rules_with_date_and_confidence(ledger, today):
    L, pid = ledger
    sug = {s.rule_id: s for s in L.suggestions(pid, today)}
    assert "fee.usmle.step1" in sug and "fee.eras.token" in sug
    s1 = sug["fee.usmle.step1"]
    assert s1.step_id == "usmle.step1" and s1.currency == "USD"
    assert s1.checked == dt.date(2026, 11, 21) and s1.confidence in ("high", "medium", "low")
    assert s1.sources and not s1.recorded
    assert all(s.rule_id.startswith("fee.") for s in sug.values())
    cid = L.add_suggestion(pid, s1)
    c = L.get(cid)
    assert c.status == PLANNED and c.amount_cents == s1.amount_max_cents and "fee.usmle.step1" in c.note
    assert {s.rule_id: s for s in L.suggestions(pid, today)}["fee.usmle.step1"].recorded
