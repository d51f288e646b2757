"""Packets: a ZIP of chosen documents with safe unique names, index.txt and index.pdf, logged."""

import datetime as dt
import json
import zipfile

import pytest

from core.packets import INDEX_PDF, INDEX_TXT, PacketError, packet_log, plan_packet, write_packet
from core.paths import data_paths
from core.vault import Vault, blob_path


@pytest.fixture
def docs(store, data_dir, tmp_path, today):
    pid = store.create_profile("Amara Okafor", "img", ["img"])
    v = Vault(store.db, data_paths(data_dir))
    ids = []
    for name, data, step in [("diploma.pdf", b"d1", "ecfmg.school"), ("Diploma.PDF", b"d2", "ecfmg.credentials"),
                             ("a/b\\c.pdf", b"d3", "ecfmg.school"), ("शहादत.pdf", b"d4", "ecfmg.oet"),
                             ("index.txt", b"d5", "ecfmg.school")]:
        src = tmp_path / "src.bin"
        src.write_bytes(data)
        ids.append(v.attach(pid, step, src, today, original_name=name,
                            expires=dt.date(2030, 1, 1) if data == b"d4" else None).document.id)
    return store, v, pid, ids


def test_zip_with_index_and_log(docs, tmp_path, today):
    store, v, pid, ids = docs
    plan = plan_packet(store, v, pid, ids + [ids[0]], "Children's Hospital", today, purpose="residency")
    out = tmp_path / "out" / "packet.zip"
    steps = []
    log_id = write_packet(store, v, plan, out, index_pdf=b"%PDF-1.4 fake", progress=lambda i, n: steps.append(i))
    assert steps == [1, 2, 3, 4, 5]
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert names[:2] == [INDEX_TXT, INDEX_PDF]
        assert names[2:] == ["diploma.pdf", "Diploma (2).pdf", "a_b_c.pdf", "शहादत.pdf", "index (2).txt"]
        assert z.read("a_b_c.pdf") == b"d3" and z.read("शहादत.pdf") == b"d4"
        index = z.read(INDEX_TXT).decode("utf-8")
        assert "For: Children's Hospital" in index and "Purpose: residency" in index
        assert "\r\n5 documents:\r\n" in index  # not "5 document(s)"
        assert "Original name: a/b\\c.pdf" in index and "Expires: 2030-01-01" in index
        assert z.read(INDEX_PDF) == b"%PDF-1.4 fake"
        assert z.testzip() is None
    log = packet_log(store, pid)
    assert log[0]["id"] == log_id and log[0]["recipient"] == "Children's Hospital"
    assert log[0]["document_ids"] == ids and log[0]["sent_at"] == today.isoformat()
    assert log[0]["file_name"] == "packet.zip"
    assert not list(out.parent.glob(".packet-*"))


def test_without_pdf_only_the_text_index(docs, tmp_path, today):
    store, v, pid, ids = docs
    out = tmp_path / "p.zip"
    write_packet(store, v, plan_packet(store, v, pid, ids[:1], "Board", today), out)
    assert zipfile.ZipFile(out).namelist() == [INDEX_TXT, "diploma.pdf"]


def test_missing_or_altered_documents_stop_the_packet(docs, tmp_path, today):
    store, v, pid, ids = docs
    blob_path(v.paths, v.get(ids[1]).sha256).write_bytes(b"XX")
    with pytest.raises(PacketError, match="Diploma.PDF"):
        plan_packet(store, v, pid, ids, "Board", today)
    with pytest.raises(PacketError, match="who the packet is for"):
        plan_packet(store, v, pid, ids[:1], "  ", today)
    with pytest.raises(PacketError):
        plan_packet(store, v, pid, [], "Board", today)
    assert store.db.execute("SELECT count(*) FROM packets").fetchone()[0] == 0


def test_index_pdf_drawn_by_qt(qapp, docs, today, tmp_path):
    from test_report import flat, pdf_text

    from gui.report import packet_index_pdf

    store, v, pid, ids = docs
    plan = plan_packet(store, v, pid, ids, "Children's Hospital", today)
    pdf = packet_index_pdf(plan)
    text = flat(pdf_text(pdf))
    for needle in ("Documents of Amara Okafor", "Children's Hospital", today.isoformat(), "a_b_c.pdf",
                   "Diploma (2).pdf"):
        assert flat(needle) in text, needle
    # (Devanagari is in index.txt; the PDF shows it only where a Devanagari font is installed)
    write_packet(store, v, plan, tmp_path / "p.zip", index_pdf=pdf)
    assert json.loads(store.db.execute("SELECT document_ids FROM packets").fetchone()[0]) == ids


def test_packet_with_a_clock_before_1980(store, data_dir, tmp_path):
    from core.packets import plan_packet, write_packet
    from core.paths import data_paths
    from core.vault import Vault

    pid = store.create_profile("Ana", "other", [])
    src = tmp_path / "diploma.pdf"
    src.write_bytes(b"%PDF diploma")
    v = Vault(store.db, data_paths(data_dir))
    d = v.attach(pid, "ecfmg.school", src, dt.date(1970, 1, 1)).document
    plan = plan_packet(store, v, pid, [d.id], "A board", dt.date(1970, 1, 1))
    write_packet(store, v, plan, tmp_path / "p.zip")
    assert (tmp_path / "p.zip").is_file()


def test_the_index_names_the_card_and_its_expiry(store, data_dir, tmp_path):
    """A card document is listed as "PALS card" (not the step's "Card issued") with the card's
    last valid day when the document carries no expiry of its own; its own expiry wins."""
    from gui.report import packet_index_html

    today = dt.date(2026, 11, 21)
    pid = store.create_profile("Dana Reyes", "nurse_picu", ["pals", "bls"])
    store.save_facts(pid, {"pals.card": {"issue_date": "2026-03-10"}})
    v = Vault(store.db, data_paths(data_dir))
    src = tmp_path / "ecard.pdf"
    src.write_bytes(b"pals ecard")
    pals = v.attach(pid, "pals.card", src, today).document
    src.write_bytes(b"bls ecard")
    bls = v.attach(pid, "bls.card", src, today, expires=dt.date(2027, 5, 31)).document
    plan = plan_packet(store, v, pid, [pals.id, bls.id], "Employer", today)
    e_pals, e_bls = plan.entries
    assert (e_pals.item, e_pals.expires, e_pals.expiry_from_step) == ("PALS card", dt.date(2028, 3, 31), True)
    assert (e_bls.item, e_bls.expires, e_bls.expiry_from_step) == ("BLS card", dt.date(2027, 5, 31), False)
    text = plan.index_text()
    assert "Document of: PALS card" in text and "Expires: 2028-03-31 (the PALS card's last valid day)" in text
    assert "Document of: BLS card" in text and "Expires: 2027-05-31\r\n" in text
    html = packet_index_html(plan)
    assert "PALS card" in html and "2028-03-31" in html and "2027-05-31" in html


def test_a_card_document_takes_the_cards_expiry_computed_not_stored(store, data_dir, tmp_path):
    """effective_expiry: a document on a card step without an expiry of its own shows the card's
    last valid day from the journey; a later issue date moves it (nothing stored); its own wins."""
    from core.engine import evaluate
    from core.vault import effective_expiry, step_expiries

    today = dt.date(2026, 11, 21)
    pid = store.create_profile("Dana Reyes", "nurse_picu", ["pals", "bls"])
    store.save_facts(pid, {"pals.card": {"issue_date": "2026-03-10"}})
    v = Vault(store.db, data_paths(data_dir))
    src = tmp_path / "ecard.pdf"
    src.write_bytes(b"pals ecard")
    card = v.attach(pid, "pals.card", src, today).document
    src.write_bytes(b"a course receipt")
    other = v.attach(pid, "pals.attend", src, today).document

    def shown(doc):
        return effective_expiry(v.get(doc.id), step_expiries(evaluate(store.document(pid), today)))

    assert shown(card) == (dt.date(2028, 3, 31), True)  # two years, to the end of the month
    assert shown(other) == (None, False)  # a step without an expiry gives none
    assert v.get(card.id).expires is None  # computed on display: nothing written
    store.save_facts(pid, {"pals.card": {"issue_date": "2026-12-01"}})  # renewed: the date follows
    assert shown(card) == (dt.date(2028, 12, 31), True)
    v.set_expiry(card.id, dt.date(2027, 1, 15))  # a date on the document itself wins
    assert shown(card) == (dt.date(2027, 1, 15), False)
    assert effective_expiry(v.get(other.id), {"pals.attend": dt.date(2030, 1, 1)}) == (dt.date(2030, 1, 1), True)
