"""The PDF status report written by Qt's own writer: a real file whose extracted text has the steps.

The text is extracted here without any extra package: QPdfWriter compresses content streams with
Flate (zlib inflates them) and writes text as glyph ids (hex strings) with a ToUnicode CMap per font.
"""

import re
import unicodedata
import zlib
from pathlib import Path

from core.engine import evaluate, step_def
from core.profiles import parse_document

ROOT = Path(__file__).resolve().parent.parent
def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(rb"(?s)(\d+) 0 obj\b(.*?)\bendobj", pdf)}


def _stream(obj: bytes) -> bytes | None:
    m = re.search(rb"(?s)stream\r?\n(.*)\r?\nendstream", obj)
    if not m:
        return None
    data = m.group(1)
    return zlib.decompress(data) if b"/FlateDecode" in obj[: m.start()] else data


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"(?s)beginbfchar(.*?)endbfchar", data):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"(?s)beginbfrange(.*?)endbfrange", data):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = bytes.fromhex(dst.decode()).decode("utf-16-be")
            for i, g in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[g] = base[:-1] + chr(ord(base[-1]) + i)
        for lo, hi, arr in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\[(.*?)\]", block):
            for g, dst in zip(range(int(lo, 16), int(hi, 16) + 1), re.findall(rb"<([0-9A-Fa-f]+)>", arr), strict=False):
                out[g] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return out


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF written by QPdfWriter: Flate-inflated content streams, glyph ids mapped
    back to characters through each font's ToUnicode CMap. One line per BT..ET text object.
    """
    objs = _objects(pdf)
    cmaps: dict[int, dict[int, str]] = {}
    for num, body in objs.items():
        m = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if m and b"/Type /Font" in body:
            data = _stream(objs[int(m.group(1))])
            cmaps[num] = _cmap(data or b"")
    lines: list[str] = []
    for body in objs.values():
        if b"/Type /Page" not in body or b"/Type /Pages" in body:
            continue
        contents = re.search(rb"/Contents (\d+) 0 R", body)
        res = re.search(rb"/Resources (\d+) 0 R", body)
        res_body = objs[int(res.group(1))] if res else body
        fonts = {name.decode(): int(ref) for name, ref in re.findall(rb"/(F\w*) (\d+) 0 R", res_body)}
        stream = _stream(objs[int(contents.group(1))]) or b""
        font: dict[int, str] = {}
        for bt in re.findall(rb"(?s)\bBT\b(.*?)\bET\b", stream):
            line = []
            for tok in re.finditer(rb"/(F\w*)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[(.*?)\]\s*TJ", bt):
                if tok.group(1):
                    font = cmaps.get(fonts.get(tok.group(1).decode(), -1), {})
                    continue
                hexes = [tok.group(2)] if tok.group(2) is not None else re.findall(rb"<([0-9A-Fa-f]*)>", tok.group(3))
                for h in hexes:
                    for i in range(0, len(h), 4):
                        line.append(font.get(int(h[i:i + 4], 16), "\ufffd"))
            lines.append("".join(line))
    return unicodedata.normalize("NFKC", "\n".join(lines)).replace("\t", " ")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _demo(name, today):
    from core import resources_dir

    return parse_document((resources_dir() / "demo" / name).read_bytes(), today)


def test_report_pdf_has_every_step_status_and_rule(qapp, today):
    from gui.report import report_pdf

    doc = _demo("provider-demo.json", today)
    pdf = report_pdf(doc, today)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    text = pdf_text(pdf)
    f = flat(text)
    assert flat("CertPath status report: Dana Reyes") in f
    journey = evaluate(doc, today)
    for s in journey.all_steps():
        assert flat(step_def(s.id).title) in f, s.id
        assert s.id in f
    assert "2027-06-30" in f  # the PALS card's expiry
    assert flat("Rules applied, with sources") in f
    rid = journey.step("pals.card").rules[0]
    assert rid in f and "https://" in f and "2026-11-21" in f


def test_extraction_can_fail(qapp, today):
    from gui.report import html_to_pdf

    text = pdf_text(html_to_pdf("<p>Alpha Beta</p>"))
    assert "AlphaBeta" in flat(text) and "Gamma" not in text


def test_certpath_report_option_writes_the_pdf_without_a_window(qapp, tmp_path, monkeypatch):
    from gui.app import main

    monkeypatch.setenv("CERTPATH_DATA_DIR", str(tmp_path / "real"))
    out = tmp_path / "report.pdf"
    assert main(["--report", str(out), "--demo", "--today", "2026-11-21"]) == 0
    text = flat(pdf_text(out.read_bytes()))
    assert flat("USMLE Step 2 CK") in text and flat("CertPath status report") in text
    assert not (tmp_path / "real").exists()
    empty = tmp_path / "empty"
    assert main(["--report", str(tmp_path / "x.pdf"), "--data-dir", str(empty)]) == 2
    assert not (tmp_path / "x.pdf").exists()


def test_html_is_escaped(today):
    from gui.report import report_html

    doc = _demo("provider-demo.json", today)
    doc["name"] = "<b>Dana</b> & co"
    html = report_html(doc, today)
    assert "&lt;b&gt;Dana&lt;/b&gt; &amp; co" in html

