"""gui/timeline.py: no label sits under today's line; a label is cut only when the full one has no room."""

import pytest

from gui.timeline import TODAY_GAP, place_label

LEFT, RIGHT, TODAY_X = 100.0, 1000.0, 500.0


def _clear_of_today(lx0, w):
    return lx0 + w + TODAY_GAP <= TODAY_X or lx0 >= TODAY_X + TODAY_GAP


@pytest.mark.parametrize("x", [430.0, 470.0, 499.0, 500.0, 501.0, 530.0, 560.0])
def test_a_label_near_today_moves_to_its_marks_side_of_the_line(x):
    w = 120.0
    lx0, row = place_label(x, w, LEFT, RIGHT, TODAY_X, [])
    assert row == 0 and _clear_of_today(lx0, w)
    assert (lx0 >= TODAY_X) == (x >= TODAY_X)  # the mark's side


def test_far_from_today_a_label_is_centred_and_rows_avoid_each_other():
    lx0, row = place_label(250.0, 100.0, LEFT, RIGHT, TODAY_X, [])
    assert (lx0, row) == (200.0, 0)
    placed = [(200.0, 300.0, 0)]
    assert place_label(260.0, 100.0, LEFT, RIGHT, TODAY_X, placed) == (210.0, 1)
    placed.append((210.0, 310.0, 1))
    assert place_label(270.0, 100.0, LEFT, RIGHT, TODAY_X, placed) is None


def test_no_room_beside_today_at_the_edge_gives_none():
    assert place_label(995.0, 300.0, LEFT, RIGHT, 990.0, []) is None


def test_the_demo_timeline_draws_no_label_across_today(qtbot, demo_session):
    """Paint the demo's timeline and check every label it draws: none spans today's line."""
    from PySide6.QtGui import QPixmap

    from core.engine import evaluate
    from core.journey_view import milestones
    from gui import timeline as T

    journey = evaluate(demo_session.document(), demo_session.today)
    tl = T.Timeline()
    qtbot.addWidget(tl)
    tl.resize(1200, 300)
    tl.set_items(milestones(journey), [t.track for t in journey.tracks], demo_session.today)
    drawn = []
    orig = T.place_label

    def spy(x, w, left, right, today_x, placed, gap=6.0):
        spot = orig(x, w, left, right, today_x, placed, gap)
        if spot is not None:
            drawn.append((spot[0], w, today_x))
        return spot

    T.place_label = spy
    try:
        tl.render(QPixmap(tl.size()))
    finally:
        T.place_label = orig
    assert len(drawn) >= 5
    assert all(lx0 + w + TODAY_GAP <= tx or lx0 >= tx + TODAY_GAP for lx0, w, tx in drawn)


def _demo_timeline(qtbot, demo_session, width):
    from PySide6.QtGui import QPixmap

    from core.engine import evaluate
    from core.journey_view import milestones
    from gui import timeline as T

    journey = evaluate(demo_session.document(), demo_session.today)
    items = milestones(journey)
    tl = T.Timeline()
    qtbot.addWidget(tl)
    tl.set_items(items, [t.track for t in journey.tracks], demo_session.today)
    tl.resize(width, tl.height())
    tl.render(QPixmap(tl.size()))
    return tl, items


@pytest.mark.parametrize("width", [700, 900, 1100, 1500, 1900])
def test_the_demo_timelines_labels_never_overlap_and_stay_inside(qtbot, demo_session, width):
    """The dashboard's timeline at the widths of a 1280x800 and a 1920x1080 window (and narrower):
    no two labels drawn share a pixel, none leaves the widget."""
    tl, _items = _demo_timeline(qtbot, demo_session, width)
    rects = [r for r, _ in tl.labels]
    assert len(rects) >= 5
    for i, a in enumerate(rects):
        assert a.left() >= 0 and a.right() <= tl.width()
        for b in rects[i + 1:]:
            assert not a.intersects(b), (tl.labels[i][1], [t for r, t in tl.labels if r is b])


@pytest.mark.parametrize("width", [700, 900, 1500])
def test_every_point_shows_in_full_under_the_mouse_even_when_its_label_is_left_out(qtbot, demo_session, width):
    """Near today the demo's dates crowd: some labels are cut or left out; each mark (and each
    label drawn) still gives its point's words, several points on one day in one tooltip."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from gui.timeline import MARK_HIT

    tl, items = _demo_timeline(qtbot, demo_session, width)
    drawn = {t for _, t in tl.labels}
    left_out = [m for m in items if m.label not in drawn]
    assert left_out  # the crowding this is about: not every label has room
    marks = [r for r, _ in tl._hits if r.width() == 2 * MARK_HIT and r.height() == 2 * MARK_HIT]
    shown: set[str] = set()
    for r in marks:
        shown |= set(tl.tooltip_at(r.center()).split("\n"))
    assert {m.words for m in items} <= shown
    groups: dict = {}
    for m in items:
        groups.setdefault((m.track, m.date), []).append(m)
    same_day = max(groups.values(), key=len)
    assert len(same_day) >= 2  # the demo's PALS course day: three points on one mark
    assert any(all(m.words in tl.tooltip_at(r.center()) for m in same_day) for r in marks)
    rect, lab = tl.labels[0]
    assert lab.rstrip("…") in tl.tooltip_at(rect.center())
    # the real hover: the widget shows that tooltip
    c = marks[0].center()
    pos = QPoint(int(c.x()), int(c.y()))
    QApplication.sendEvent(tl, QHelpEvent(QHelpEvent.Type.ToolTip, pos, tl.mapToGlobal(pos)))
    assert QToolTip.text() == tl.tooltip_at(QPointF(pos))
    assert tl.tooltip_at(QPointF(2, 2)) == ""  # the legend's corner: the widget's own tooltip
