"""The bundled Noto Sans Devanagari: a name in a script the system has no font for (a bare Linux
has only DejaVu) is drawn with real glyphs in the window and embedded in the PDF, not boxes."""

import re

from core import resources_dir

NAME = "अमित शर्मा"
FAMILY = "Noto Sans Devanagari"


def test_the_fonts_and_their_licence_are_bundled_and_packaged():
    fonts = resources_dir() / "fonts"
    assert (fonts / "NotoSansDevanagari-Regular.ttf").stat().st_size > 100_000
    assert (fonts / "NotoSansDevanagari-Bold.ttf").exists()
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "OFL.txt").read_text(encoding="utf-8")
    pyproject = (resources_dir().parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"fonts/*"' in pyproject  # the wheel; build.spec takes resources/ whole (test_guide)


def test_loading_registers_the_family_once(qapp):
    from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics

    from gui.fonts import load_bundled_fonts

    assert load_bundled_fonts() == [FAMILY]
    assert load_bundled_fonts() == [FAMILY]  # idempotent: not registered twice
    assert FAMILY in QFontDatabase.families()
    fm = QFontMetrics(QFont(FAMILY))
    assert all(fm.inFontUcs4(ord(c)) for c in NAME if not c.isspace())
    assert not fm.inFontUcs4(0x0B85)  # Tamil: this font has no glyph for it (the check can fail)


def test_a_widget_font_falls_back_to_real_glyphs(qapp):
    """What a QLabel draws: the app's default font, with Qt's fallback for the Devanagari run."""
    from PySide6.QtGui import QTextLayout

    from gui.fonts import load_bundled_fonts

    load_bundled_fonts()
    layout = QTextLayout(NAME, qapp.font())
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    runs = layout.glyphRuns()
    assert runs
    for run in runs:
        assert 0 not in list(run.glyphIndexes()), run.rawFont().familyName()  # glyph 0 = the box
        assert run.rawFont().supportsCharacter(ord("अ"))


def test_the_start_up_loads_them(qapp):
    from PySide6.QtGui import QFontDatabase

    from gui.shell import _app

    _app()
    assert FAMILY in QFontDatabase.families()


def test_a_report_on_a_devanagari_name_embeds_the_font(qapp, today, tmp_path):
    from core.profiles import parse_document
    from gui.report import report_pdf, write_pdf
    from tests.test_report import flat, pdf_text

    doc = parse_document((resources_dir() / "demo" / "provider-demo.json").read_bytes(), today)
    doc["name"] = NAME
    pdf = report_pdf(doc, today)
    out = tmp_path / "r.pdf"
    write_pdf(out, pdf)
    assert out.read_bytes().startswith(b"%PDF-")
    fonts = set(re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([\w-]+)", pdf))
    assert b"NotoSansDevanagari-Regular" in fonts or b"NotoSansDevanagari-Bold" in fonts, fonts
    text = pdf_text(pdf)
    name_line = next(line for line in text.splitlines() if "अ" in line)
    # the glyphs map back to the name's letters; a conjunct or a reordered vowel sign (र्मा, ि) is one
    # shaped glyph that Qt's ToUnicode map leaves out, so the copied text is not the name exactly
    assert {"अ", "म", "त", "श"} <= set(name_line), name_line
    assert flat("CertPath status report") in flat(text)
