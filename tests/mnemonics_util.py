"""Alt-key mnemonics on screen: what each text offers, and the clashes among them (GUI tests)."""

from __future__ import annotations

import collections

from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar, QWidget

from gui.main_window import mnemonic  # the window's own reading of a text's Alt-key letter

__all__ = ["clashes", "mnemonic", "screen_texts"]


def clashes(texts) -> dict[str, list[str]]:
    seen = collections.defaultdict(list)
    for t in texts:
        if mnemonic(t):
            seen[mnemonic(t)].append(t)
    return {k: v for k, v in seen.items() if len(v) > 1}


def screen_texts(root: QWidget) -> list[str]:
    """The mnemonics one visible screen offers: buttons, labels with a buddy, tab titles."""
    texts = []
    for w in root.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QAbstractButton) or (isinstance(w, QLabel) and w.buddy() is not None):
            texts.append(w.text())
    for bar in root.findChildren(QTabBar):
        if bar.isVisible():
            texts += [bar.tabText(i) for i in range(bar.count())]
    return texts
