"""The user guide (Help ▸ User guide): HTML under resources/guide/<language>/guide.html.

The text is written by hand, one file per language so it can be translated; English (`en`) is
the fallback. A few parts are generated from the registry when the guide is loaded, so they
cannot drift from the app: `<!-- steps:TRACK -->` becomes the table of that track's steps (id,
stage, title, in journey order) and `<!-- statuses -->` the table of status ids with the app's
words for them. Every step has a section whose anchor is `step_anchor(step_id)`: its own id for
the IMG steps, `step-card.<step>` for the card tracks, which share their six steps.
`missing_steps` lists registered steps the guide does not describe (a test keeps it empty).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from . import resources_dir
from .engine import registry
from .engine.base import STATUS_LABELS

GUIDE_FILE = "guide.html"
DEFAULT_LANGUAGE = "en"
STATUS_ORDER = ("not_started", "in_progress", "done", "blocked", "at_risk", "expired", "not_applicable")


@dataclass(frozen=True)
class Section:
    level: int  # 2: a chapter, 3: a section in it
    anchor: str
    title: str


def guide_dir() -> Path:
    return resources_dir() / "guide"


def guide_path(language: str | None = None) -> Path:
    """The guide in `language` ("pt_BR", "pt", ...), else in English."""
    base = guide_dir()
    for lang in _candidates(language):
        p = base / lang / GUIDE_FILE
        if p.is_file():
            return p
    return base / DEFAULT_LANGUAGE / GUIDE_FILE


def _candidates(language: str | None) -> list[str]:
    out = []
    if language:
        lang = language.replace("-", "_")
        out += [lang, lang.split("_")[0]]
    return out + [DEFAULT_LANGUAGE]


def _card_tracks() -> set[str]:
    from .engine.cards.definitions import CARDS

    return set(CARDS)


def step_anchor(step_id: str) -> str:
    """The anchor of the guide's section on `step_id` (the card tracks share one per step)."""
    track, _, name = step_id.partition(".")
    if name and track in _card_tracks():
        return f"step-card.{name}"
    return f"step-{step_id}"


def track_anchor(track_id: str) -> str:
    return "cards" if track_id in _card_tracks() else f"track-{track_id}"


_ANCHOR = re.compile(r"""<a\s+(?:name|id)\s*=\s*["']([^"']+)["']""", re.I)
_HEADING = re.compile(r"<h([23])[^>]*>(.*?)</h\1>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def anchors(text: str) -> set[str]:
    return set(_ANCHOR.findall(text))


def sections(text: str) -> list[Section]:
    """The contents: every h2/h3 that carries an anchor, in order."""
    out = []
    for m in _HEADING.finditer(text):
        inner = m.group(2)
        a = _ANCHOR.search(inner)
        if a is None:
            continue
        title = html.unescape(" ".join(_TAG.sub("", inner).split()))
        out.append(Section(int(m.group(1)), a.group(1), title))
    return out


def _steps_table(track_id: str) -> str:
    try:
        t = registry.track(track_id)
    except KeyError:
        return ""
    rows = "".join(
        f"<tr><td><a href='#{html.escape(step_anchor(s.id))}'>{html.escape(s.title)}</a></td>"
        f"<td><code>{html.escape(s.id)}</code></td><td>{html.escape(s.stage)}</td></tr>"
        for s in t.steps)
    return ("<table class='steps' border='1' cellspacing='0' cellpadding='4'>"
            "<tr><th>Step</th><th>Id</th><th>Stage</th></tr>" + rows + "</table>")


def _cards_table() -> str:
    rows = "".join(
        f"<tr><td>{html.escape(t.title)}</td><td><code>{html.escape(t.id)}</code></td>"
        f"<td><code>{html.escape(', '.join(s.id for s in t.steps))}</code></td></tr>"
        for t in registry.tracks() if t.id in _card_tracks())
    return ("<table class='steps' border='1' cellspacing='0' cellpadding='4'>"
            "<tr><th>Card</th><th>Track</th><th>Step ids</th></tr>" + rows + "</table>")


def _statuses_table(glyphs: dict[str, str]) -> str:
    ids = list(STATUS_ORDER) + [s for s in STATUS_LABELS if s not in STATUS_ORDER]
    rows = "".join(
        f"<tr><td>{html.escape(glyphs.get(s, ''))} {html.escape(STATUS_LABELS[s])}</td>"
        f"<td><code>{html.escape(s)}</code></td></tr>" for s in ids if s in STATUS_LABELS)
    return ("<table class='steps' border='1' cellspacing='0' cellpadding='4'>"
            "<tr><th>In the app</th><th>Id</th></tr>" + rows + "</table>")


_PLACEHOLDER = re.compile(r"<!--\s*(steps:[a-z0-9_]+|cards|statuses)\s*-->")


def render(text: str, glyphs: dict[str, str] | None = None) -> str:
    """The guide with its generated parts filled in from the registry (`glyphs`: the symbol the
    GUI writes before each status, status id -> symbol)."""
    def fill(m: re.Match[str]) -> str:
        what = m.group(1)
        if what == "statuses":
            return _statuses_table(glyphs or {})
        if what == "cards":
            return _cards_table()
        return _steps_table(what.split(":", 1)[1])

    return _PLACEHOLDER.sub(fill, text)


def load(language: str | None = None, glyphs: dict[str, str] | None = None) -> str:
    return render(guide_path(language).read_text(encoding="utf-8"), glyphs)


def missing_steps(text: str) -> list[str]:
    """Registered step ids (every track) with no section in `text`."""
    have = anchors(text)
    return [s.id for t in registry.tracks() for s in t.steps if step_anchor(s.id) not in have]


def missing_tracks(text: str) -> list[str]:
    have = anchors(text)
    return [t.id for t in registry.tracks() if track_anchor(t.id) not in have]
