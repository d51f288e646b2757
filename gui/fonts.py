"""The bundled fallback fonts (resources/fonts/): scripts a bare system may have no font for.

A bare Linux often has only DejaVu, which has no Devanagari: a profile named "अमित शर्मा" showed
boxes in the window and in the PDF report. `load_bundled_fonts()` registers the bundled Noto fonts
with Qt's font database once per process; Qt's font fallback (fontconfig on Linux, the platform's
own elsewhere) then finds them for any widget and for QTextDocument printed to a QPdfWriter, which
embeds the glyphs it uses. A system that has its own font for the script keeps using it.

Cost: registering the two files takes ~0.5 ms once the font database is populated (measured
2026-12-02 on the dev machine; the population itself, ~10 ms, happens before the first paint
anyway, since the first text drawn needs it), so it is done at start-up rather than lazily.
"""

from __future__ import annotations

from pathlib import Path

_loaded: list[str] | None = None


def bundled_font_files() -> list[Path]:
    from core import resources_dir

    return sorted((resources_dir() / "fonts").glob("*.ttf"))


def load_bundled_fonts() -> list[str]:
    """Register the bundled fonts (needs a QGuiApplication); return their family names.

    Idempotent: the second and later calls return the first call's families. A file Qt cannot read
    is skipped (the app still runs, that script just falls back to whatever the system has).
    """
    global _loaded
    if _loaded is not None:
        return list(_loaded)
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    if QGuiApplication.instance() is None:
        raise RuntimeError("load_bundled_fonts needs a QGuiApplication")
    families: list[str] = []
    for path in bundled_font_files():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            continue
        for fam in QFontDatabase.applicationFontFamilies(font_id):
            if fam not in families:
                families.append(fam)
    _loaded = families
    return list(families)
