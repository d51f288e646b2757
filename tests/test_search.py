"""core/search.py: words, matching and ranking; the index of a data file; `python -m core search`."""

import datetime as dt
import json

import pytest

from core import search as S
from core.costs import Ledger
from core.engine import evaluate
from core.paths import data_paths
from core.reminders import add_task, current
from core.search import Entry, SearchIndex, build_index, words
from core.vault import Vault

TODAY = dt.date(2026, 11, 21)


def test_words_fold_case_and_latin_accents_but_keep_other_scripts_marks():
    assert words("USMLE Step2CK") == ["usmle", "step", "2", "ck"]
    assert words("Persón Ñame, Zürich_x") == ["person", "name", "zurich", "x"]
    # the Devanagari vowel signs are part of the word (a search must not cut "शहादत" into pieces)
    assert words("शहादत प्रमाणपत्र.pdf") == ["शहादत", "प्रमाणपत्र", "pdf"]
    assert words("PALS ▸ Card — “issued”…") == ["pals", "card", "issued"]
    assert words("  ") == [] and words("---") == []


def _idx(*entries):
    return SearchIndex.of(entries)


def test_every_word_must_begin_a_word_of_the_entry():
    idx = _idx(Entry(S.STEP, "pals.card", "PALS: Card issued", "PALS (Pediatric Advanced Life Support)"),
               Entry(S.STEP, "bls.card", "BLS: Card issued"),
               Entry(S.DOCUMENT, "7", "pals-ecard.pdf"))
    assert [h.key for h in idx.search("pal ca")] == ["pals.card"]
    assert [h.key for h in idx.search("card")] == ["bls.card", "pals.card"]  # a tie: the shorter title first
    assert [h.key for h in idx.search("pediatric")] == ["pals.card"]  # found in the details
    assert idx.search("ard").total == 0  # inside a word is not a match
    assert {h.key for h in idx.search("PALS")} == {"pals.card", "7"}
    assert idx.search("pals zzz").total == 0 and idx.search("").total == 0


def test_ranking_title_over_details_whole_word_over_prefix_steps_before_rules():
    idx = _idx(Entry(S.RULE, "fee.usmle.step2ck", "Step 2 CK exam fee for IMGs: about US$1,000"),
               Entry(S.STEP, "usmle.step2ck", "USMLE Step 2 CK", "IMG to US practice"),
               Entry(S.DOCUMENT, "1", "scan.pdf", "USMLE Step 2 CK"),
               Entry(S.REMINDER, "k", "Sit USMLE Step 2 CK"))
    keys = [h.key for h in idx.search("step 2")]
    assert keys[0] == "usmle.step2ck"  # the step before the rule whose statement starts so
    assert keys[-1] == "1"  # found only in the details: last
    scores = {h.key: h.score for h in idx.search("usmle")}
    whole = _idx(Entry(S.DOCUMENT, "a", "usmle.pdf"), Entry(S.DOCUMENT, "b", "usmlex.pdf")).search("usmle")
    assert [h.key for h in whole] == ["a", "b"] and whole.hits[0].score > whole.hits[1].score
    assert scores["usmle.step2ck"] > scores["k"] > scores["1"]


def test_limit_total_and_kinds():
    idx = _idx(*(Entry(S.DOCUMENT, str(i), f"diploma {i}.pdf") for i in range(120)),
               Entry(S.STEP, "ecfmg.school", "Medical school eligibility", text="diploma"))
    res = idx.search("dipl", limit=10)
    assert len(res) == 10 and res.total == 121
    assert [h.key for h in idx.search("dipl", kinds=["step"])] == ["ecfmg.school"]
    assert len(idx.search("dipl", limit=None)) == 121


@pytest.fixture
def filled(store, data_dir, tmp_path):
    """Two profiles; the first with documents (one with a Devanagari name), a cost and a task."""
    a = store.create_profile("Dr. Amira Haddad", "img_physician", ["img", "pals"],
                             {"pals.card": {"issue_date": "2026-03-10"}})
    b = store.create_profile("Dana Reyes", "nurse_picu", ["bls"], {})
    v = Vault(store.db, data_paths(data_dir))
    src = tmp_path / "f.pdf"
    for i, (name, step) in enumerate([("Medical diploma.pdf", "ecfmg.school"), ("शहादत.pdf", "ecfmg.school"),
                                      ("pals-ecard.pdf", "pals.card")]):
        src.write_bytes(b"x" * (i + 1))
        v.attach(a, step, src, TODAY, original_name=name, expires=dt.date(2028, 3, 31) if i == 2 else None)
    src.write_bytes(b"other")
    v.attach(b, "bls.card", src, TODAY, original_name="Dana diploma.pdf")
    Ledger(store).add(a, "usmle.step1", 100000, "USD", note="Step 1 exam fee", status="paid",
                      date=dt.date(2026, 1, 5))
    add_task(store, a, "Call the Prometric centre", dt.date(2026, 12, 3))
    return store, a, b


def test_the_index_of_one_profile(filled):
    store, a, b = filled
    journey = evaluate(store.document(a), TODAY)
    idx = build_index(store, TODAY, profile_id=a, journey=journey, reminders=current(store, a, TODAY))
    kinds = {e.kind for e in idx.entries}
    assert kinds == set(S.KINDS)
    hits = idx.search("diploma")
    assert hits.hits[0].title == "Medical diploma.pdf"  # before the rules that mention diplomas
    assert [h.title for h in hits if h.kind == "document"] == ["Medical diploma.pdf"]  # not Dana's
    assert [h.title for h in idx.search("शहादत")] == ["शहादत.pdf"]
    # the document's expiry reminder is not listed beside the document itself
    ecard = idx.search("pals ecard")
    assert [h.kind for h in ecard if h.kind != "step"] == ["document"]  # (the card step's text says eCard)
    assert ecard.hits[0].kind == "document" and "expires 2028-03-31" in ecard.hits[0].entry.detail
    assert [h.title for h in idx.search("prometric", kinds=["reminder"])] == ["Call the Prometric centre"]
    cost = idx.search("step 1 fee", kinds=["cost"]).hits[0].entry
    assert cost.title == "Step 1 exam fee" and "USD 1,000.00 · paid" in cost.detail
    assert idx.search("dana").hits[0].entry.kind == "profile"
    step = idx.search("pals card").hits[0].entry
    assert (step.kind, step.key) == ("step", "pals.card") and "Not started" not in step.detail
    rule = idx.search("aha valid 2 years", kinds=["rule"]).hits[0].entry
    assert rule.key == "cards.expiry.aha" and rule.get("record") is not None


def test_all_profiles_and_the_command_line(filled, data_dir, capsys):
    from core.cli import main

    store, a, b = filled
    idx = build_index(store, TODAY, all_profiles=True)
    assert {h.entry.profile_id for h in idx.search("diploma", kinds=["document"])} == {a, b}
    store.db.close()
    assert main(["search", "diploma", "--kind", "document", "--data-dir", str(data_dir),
                 "--today", "2026-11-21"]) == 0
    out = capsys.readouterr().out
    assert "Medical diploma.pdf [Dr. Amira Haddad]" in out and "Dana diploma.pdf [Dana Reyes]" in out
    assert out.rstrip().endswith("2 match(es).")
    assert main(["search", "pals card", "--profile", str(a), "--format", "json", "--limit", "1",
                 "--data-dir", str(data_dir), "--today", "2026-11-21"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hits"][0]["key"] == "pals.card" and data["total"] > 1 and len(data["hits"]) == 1
    assert main(["search", "x", "--profile", "99", "--data-dir", str(data_dir)]) == 2
    assert "no profile with id 99" in capsys.readouterr().err


def test_the_phrase_in_order_ranks_first():
    idx = _idx(Entry(S.DOCUMENT, "a", "issued card.pdf"), Entry(S.DOCUMENT, "b", "my card issued.pdf"),
               Entry(S.DOCUMENT, "c", "card issued.pdf"), Entry(S.DOCUMENT, "d", "card.pdf", "issued"))
    assert [h.key for h in idx.search("card issued")] == ["c", "b", "a", "d"]
    # one word: the titles that begin with it first (the shorter first), then those holding it
    assert [h.key for h in idx.search("card")] == ["d", "c", "a", "b"]
