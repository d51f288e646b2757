"""Counts in the command line's and the views' sentences read "1 problem" / "3 problems" (through
core.wording.plural and the installed translation's ngettext), never "problem(s)"."""

from __future__ import annotations

import gettext
import io
import pathlib
import re
import tokenize

from core import wording
from core.csv_import import CsvProblem, Preview, PreviewRow, preview_text

ROOT = pathlib.Path(__file__).resolve().parents[1]
# the modules whose sentences the walkthrough found saying "(s)"
MODULES = ["core/cli.py", "core/history_import.py", "core/roster.py", "core/roster_import.py",
           "core/csv_import.py", "core/backup.py", "core/rulepacks.py", "gui/reminders_ui.py", "gui/selftest.py"]


def _strings_with_s_plural(path: pathlib.Path) -> list[str]:
    toks = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    kinds = {tokenize.STRING, *((tokenize.FSTRING_MIDDLE,) if hasattr(tokenize, "FSTRING_MIDDLE") else ())}
    return [f"{path.name}:{t.start[0]}: {t.string}" for t in toks
            if t.type in kinds and re.search(r"[A-Za-z]\(s\)", t.string)]


def test_no_s_in_parentheses_plurals():
    found = [s for m in MODULES for s in _strings_with_s_plural(ROOT / m)]
    assert not found, "\n".join(found)


def _preview(n_problems: int) -> Preview:
    row = PreviewRow(2, {"name": "Dana"}, problems=[CsvProblem(2, "name", f"bad {i}") for i in range(n_problems)])
    return Preview("cards", [row])


def test_preview_counts_problems_in_words():
    assert preview_text(_preview(1)).rstrip().endswith("0 of 1 rows can be imported; 1 problem.")
    assert preview_text(_preview(3)).rstrip().endswith("0 of 1 rows can be imported; 3 problems.")


class _Pirate(gettext.NullTranslations):
    def ngettext(self, one, other, n):
        return {"problem": "trouble", "problems": "troubles"}.get(one if n == 1 else other, super().ngettext(one, other, n))


def test_plural_goes_through_the_translation():
    old = wording._translations
    wording.install(_Pirate())
    try:
        assert preview_text(_preview(3)).rstrip().endswith("3 troubles.")
        assert preview_text(_preview(1)).rstrip().endswith("1 trouble.")
    finally:
        wording.install(old)
