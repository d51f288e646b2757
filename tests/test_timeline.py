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
