"""gui.theme.WrapLabel remembers its heights per width: the same answers as QLabel's own measure.

Qt lays a rich text out again at every heightForWidth, and a window being shown asks the same few
widths dozens of times; the label keeps what it measured until the text or anything else the
measure depends on changes. These tests hold the answers to QLabel's, step by step, through the
changes that must make it measure again.
"""

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel

from gui.theme import WrapLabel

RICH = ("<b>Blocked</b> <a href='step:x'>USMLE Step 3</a><br>Step 3 needs your ECFMG certificate "
        "first: FSMB opens the application only after ECFMG confirms it. " * 3)
WIDTHS = (120, 246, 391, 564, 900, 391, 120)


def _pair(qtbot, text: str, rich: bool = True) -> tuple[WrapLabel, QLabel]:
    """A WrapLabel and a plain QLabel set up alike (the plain one measures every time)."""
    from PySide6.QtCore import Qt

    labels = []
    for cls in (WrapLabel, QLabel):
        lab = cls()
        lab.setWordWrap(True)
        lab.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        lab.setText(text)
        qtbot.addWidget(lab)
        labels.append(lab)
    return labels[0], labels[1]


def _same(wrap: WrapLabel, plain: QLabel) -> None:
    for w in WIDTHS:
        for min_h in (0, 5, wrap.minimumHeight(), 2000):
            wrap.setMinimumHeight(min_h)
            plain.setMinimumHeight(min_h)
            assert wrap.heightForWidth(w) == plain.heightForWidth(w), (w, min_h)
            assert wrap.heightForWidth(w) == plain.heightForWidth(w), (w, min_h)  # the remembered one


def test_heights_match_qlabel_through_every_change(qtbot):
    wrap, plain = _pair(qtbot, RICH)
    _same(wrap, plain)
    for lab in (wrap, plain):
        lab.setText(RICH + " and one more sentence that takes another line or two at a narrow width.")
    _same(wrap, plain)
    big = QFont(wrap.font())
    big.setPointSizeF(big.pointSizeF() * 1.6)
    for lab in (wrap, plain):
        lab.setFont(big)
    _same(wrap, plain)
    for lab in (wrap, plain):
        lab.setContentsMargins(10, 20, 30, 40)
    _same(wrap, plain)
    for lab in (wrap, plain):
        lab.setStyleSheet("padding: 12px 30px; font-size: 9pt;")
    _same(wrap, plain)
    for lab in (wrap, plain):
        lab.setIndent(25)
        lab.setMargin(7)
    _same(wrap, plain)
    for lab in (wrap, plain):
        lab.setMinimumWidth(300)
    _same(wrap, plain)
    for lab in (wrap, plain):
        lab.setMinimumWidth(0)
        lab.setWordWrap(False)
    _same(wrap, plain)
    for lab in (wrap, plain):
        lab.setWordWrap(True)
        lab.clear()
    _same(wrap, plain)


def test_plain_text_heights_match_qlabel(qtbot):
    wrap, plain = _pair(qtbot, "word " * 90, rich=False)
    _same(wrap, plain)


def test_a_width_asked_again_is_not_laid_out_again(qtbot):
    """The point of it: the second answer at a width comes from memory, not from a new layout."""
    from PySide6.QtCore import Qt

    wrap, _ = _pair(qtbot, RICH)
    wrap.heightForWidth(391)
    calls = []
    real = QLabel.heightForWidth

    class Counting(WrapLabel):
        pass

    lab = Counting()
    lab.setWordWrap(True)
    lab.setTextFormat(Qt.TextFormat.RichText)
    lab.setText(RICH)
    qtbot.addWidget(lab)
    try:
        QLabel.heightForWidth = lambda self, w: calls.append(w) or real(self, w)  # type: ignore[method-assign]
        first = lab.heightForWidth(391)
        assert lab.heightForWidth(391) == first and lab.heightForWidth(391) == first
        assert calls == [391]
        lab.setText(RICH + " more")
        assert lab.heightForWidth(391) >= first
        assert calls.count(391) == 2  # a new text is measured again (and fitted at its own width)
    finally:
        QLabel.heightForWidth = real  # type: ignore[method-assign]


def test_the_fitted_height_follows_width_and_text(qtbot):
    """_fit pins the minimum height to the text's own height without the let-go-and-pin-again round
    trip when that height is known; it still shrinks again when the label widens."""
    lab, plain = _pair(qtbot, RICH)
    lab.resize(200, 50)
    lab.show()
    qtbot.waitExposed(lab)
    narrow = lab.minimumHeight()
    assert narrow == plain.heightForWidth(200)
    lab.resize(900, narrow)
    qtbot.wait(10)
    assert lab.minimumHeight() == plain.heightForWidth(900) < narrow
    lab.resize(200, 50)
    qtbot.wait(10)
    assert lab.minimumHeight() == narrow
    lab.setText(RICH)  # the same text: nothing to measure, the height stays
    assert lab.minimumHeight() == narrow
    lab.setText("short")
    assert lab.minimumHeight() < narrow
