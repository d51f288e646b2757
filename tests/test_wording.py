"""The wording catalogue: every finding the engine can emit is worded, with the params it needs;
a few wordings checked; the evaluate JSON carries code, params and text."""

from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pytest

from core import wording
from core.engine.findings import B, F, Finding, W

ENGINE = Path(__file__).resolve().parent.parent / "core" / "engine"


def _emitted() -> list[tuple[str, frozenset[str], str]]:
    """(code, keyword params, where) of every F(...)/W(...)/B(...) call in the engine's source."""
    out = []
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for n in ast.walk(tree):
            if (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("F", "W", "B")
                    and n.args and isinstance(n.args[0], ast.Constant)):
                assert not any(k.arg is None for k in n.keywords), f"{path.name}:{n.lineno}: no **params"
                out.append((n.args[0].value, frozenset(k.arg for k in n.keywords), f"{path.name}:{n.lineno}"))
    return out


def _fields(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_engine_emits_findings_only_through_literal_codes():
    emitted = _emitted()
    assert len(emitted) > 200
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("F", "W", "B"):
                assert n.args and isinstance(n.args[0], ast.Constant), f"{path.name}:{n.lineno}: computed code"


def test_every_code_the_engine_emits_is_in_the_catalogue_with_its_params():
    for code, params, where in _emitted():
        assert code in wording.CATALOGUE, f"{where}: {code} has no catalogue entry"
        entry = wording.CATALOGUE[code]
        templates = list(entry.values()) if isinstance(entry, dict) else [entry]
        for tpl in templates:
            need = _fields(tpl)
            assert need <= params, f"{where}: {code} lacks params {sorted(need - params)}"
            extra = params - need - {"count", "rule", "rules", "step"}  # machine params may go unsaid
            assert not extra, f"{where}: {code} passes params its wording does not use: {sorted(extra)}"


def test_every_catalogue_entry_is_emitted_somewhere():
    emitted = {c for c, _, _ in _emitted()}
    assert set(wording.CATALOGUE) - emitted == set()


def test_codes_follow_the_naming_scheme():
    for code in wording.CATALOGUE:
        parts = code.split(".")
        assert all(p and p == p.lower() and " " not in p for p in parts), code
        if parts[0] in ("dep", "rule", "field"):  # cross-cutting: <area>.<what>
            assert len(parts) == 2, code
        else:  # a track's: <track family>.<subject>.<what>
            assert parts[0] in ("img", "cards") and len(parts) == 3, code


def test_wording_of_dates_percentages_steps_and_nested_findings():
    d = dt.date(2027, 1, 31)
    assert F("cards.renewal.valid_book_by", expires=d, book_by=dt.date(2026, 11, 2)).text == \
        "Card valid through 2027-01-31; book by 2026-11-02."
    assert F("cards.exam.passed_score", score=84.5, mark=84).text == "Exam 84.5%: passed (at least 84%)."
    assert B("dep.waits_for", step="usmle.step1").text == "Waits for USMLE Step 1"
    why = F("img.school.degree_excluded")
    assert B("dep.blocked_by", step="ecfmg.school", why=why).text == \
        "Blocked by Medical school eligibility: This degree does not qualify for ECFMG certification."
    assert F("img.credentials.waiting_verification",
             missing=[F("img.credentials.diploma"), F("img.credentials.transcript")]).text == \
        "Waiting for verification of the diploma and final transcript."
    assert W("rule.override_used", rule="cards.expiry.aha", value={"method": "x"}).text == \
        "Uses your own value for cards.expiry.aha: {'method': 'x'}."


def test_plural_forms_follow_count():
    one = F("cards.renewal.months_given_up", booked=dt.date(2027, 1, 5), count=1).text
    two = F("cards.renewal.months_given_up", booked=dt.date(2027, 1, 5), count=2).text
    assert "gives up 1 month of your current card" in one
    assert "gives up 2 months of your current card" in two


def test_an_installed_date_format_and_translation_apply_but_iso_stays_for_exports(monkeypatch):
    import gettext

    class Shout(gettext.NullTranslations):
        def gettext(self, message):
            return message.replace("Card valid through", "CARD VALID THROUGH")

    from core import datefmt

    monkeypatch.setattr(datefmt, "_date_format", datefmt.iso_date)
    monkeypatch.setattr(wording, "_translations", gettext.NullTranslations())
    wording.install(Shout(), lambda d: d.strftime("%d/%m/%Y"))
    f = F("cards.renewal.valid_through", expires=dt.date(2027, 1, 31))
    assert f.text == "CARD VALID THROUGH 31/01/2027."
    assert f.to_json() == {"code": "cards.renewal.valid_through", "params": {"expires": "2027-01-31"},
                           "text": "CARD VALID THROUGH 2027-01-31."}


def test_an_unknown_code_is_said_not_raised():
    assert Finding("img.nowhere.nothing").text == "[img.nowhere.nothing]"


@pytest.mark.parametrize("field", ["reasons", "warnings", "next_actions"])
def test_evaluate_json_items_are_code_params_text(field):
    import json

    from core.engine import evaluate

    doc = json.loads((ENGINE.parent.parent / "resources" / "demo" / "img-demo.json").read_text())
    out = evaluate(doc, dt.date(2026, 11, 21)).to_json()
    items = [x for t in out["tracks"] for s in t["steps"] for x in s[field]]
    assert items
    for x in items:
        assert {"code", "params", "text"} <= set(x) and x["code"] in wording.CATALOGUE
        if field == "next_actions":
            assert {"date", "kind", "key"} <= set(x)
    json.dumps(out)  # every param is JSON


def test_plural_counts_say_one_and_many_in_words():
    from core.wording import plural

    assert plural(1, "match", "matches") == "1 match"
    assert plural(15, "match", "matches") == "15 matches"
    assert plural(0, "row") == "0 rows"
    assert plural(1, "document file") == "1 document file"
