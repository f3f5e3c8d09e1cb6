"""The graph canvas's view policy without Qt (gradlab.canvas_view): fit, open readable, zoom and
pan, keep in view, hold through a resize, what a resize does to a view opened, fitted or moved,
the key's free corner, hit-testing and which nodes get text."""

from __future__ import annotations

import numpy as np
import pytest

from gradlab import canvas_view
from gradlab.canvas_view import (
    FIT_PADDING,
    KEEP_MARGIN,
    MAX_FIT_SCALE,
    READABLE_PX,
    CanvasView,
    contains,
    free_key_corner,
    hit_row,
    label_rows,
    readable_scale,
    text_px,
)
from gradlab.layout import BOX_H, BOX_W

WIDE = (0.0, 0.0, 100.0, 20.0)  # a drawing's extent, drawing units
VIEWPORT = (1000, 500)


def test_text_reads_at_the_readable_scale_and_not_just_below():
    s = readable_scale()
    assert text_px(BOX_W * s, BOX_H * s) >= READABLE_PX
    assert text_px(BOX_W * s * 0.9, BOX_H * s * 0.9) < READABLE_PX


def test_a_new_view_is_neither_opened_fitted_nor_moved_until_it_is_set():
    view = CanvasView()
    view.opened()
    assert view.mode == "open" and not view.moved
    view.fitted()
    assert view.mode == "fit" and not view.moved and view.user_moves == 0
    view.moved_by_user()
    view.moved_by_user()
    assert view.moved and view.user_moves == 2


@pytest.mark.parametrize("mode, changed, action", [
    ("open", False, "open"), ("fit", False, "fit"), (None, False, None),  # a moved view stays
    ("fit", True, "open"), (None, True, "open"),  # unless the drawing that suits the shape changes
])
def test_a_settled_resize_opens_fits_or_keeps_the_view_as_it_was_set(mode, changed, action):
    view = CanvasView()
    view.mode = mode
    assert view.after_resize(drawing_changed=changed) == action


def test_fit_shows_the_whole_drawing_padded_and_a_tiny_one_at_a_capped_scale():
    view = CanvasView()
    rect, padding = view.fit_rect(WIDE, VIEWPORT, key_room=0)
    assert rect == WIDE[:2] + (100.0, 20.0) and padding == FIT_PADDING
    assert view.fit_scale(WIDE, VIEWPORT, 0) == pytest.approx(1000 / 100 / (1 + 2 * FIT_PADDING))
    # the key's strip at the bottom: the rect asks for more height, so the graph sits above it
    (_, _, _, tall), _ = view.fit_rect((0, 0, 100, 80), VIEWPORT, key_room=100)
    assert tall == pytest.approx(80 * 500 / 400)
    tiny = (0.0, 0.0, 2.0, 1.0)
    assert view.fit_scale(tiny, VIEWPORT, 0) == MAX_FIT_SCALE
    (x, y, w, h), padding = view.fit_rect(tiny, VIEWPORT, 0)
    assert padding == 0 and (w, h) == pytest.approx((1000 / MAX_FIT_SCALE, 500 / MAX_FIT_SCALE))
    assert (x + w / 2, y + h / 2) == pytest.approx((1.0, 0.5))  # in the middle


def test_view_shape_is_the_aspect_and_the_room_at_a_comfortable_text_size():
    assert CanvasView.view_shape((0, 400)) == (None, None)
    aspect, (w, h) = CanvasView.view_shape((800, 400))
    assert aspect == 2.0 and w / h == pytest.approx(2.0)
    assert w == pytest.approx(800 / (readable_scale() * canvas_view.COMFORTABLE))


def test_the_output_opens_readable_near_the_end_data_flows_to():
    s = readable_scale() * 1.05
    x, y, w, h = CanvasView.readable_rect((50.0, 10.0), VIEWPORT, output=True, orientation="LR")
    assert (w, h) == pytest.approx((1000 / s, 500 / s))
    assert (50 - x) / w == pytest.approx(0.8) and (10 - y) / h == pytest.approx(0.5)
    x, y, w, h = CanvasView.readable_rect((50.0, 10.0), VIEWPORT, output=True, orientation="TB")
    assert (10 - y) / h == pytest.approx(0.8)
    x, y, w, h = CanvasView.readable_rect((50.0, 10.0), VIEWPORT, output=False, orientation="LR")
    assert (x + w / 2, y + h / 2) == pytest.approx((50.0, 10.0))


def test_zoom_keeps_the_centre_pan_moves_by_pixels_centre_moves_the_middle():
    view = (10.0, 20.0, 40.0, 20.0)
    assert CanvasView.zoom_rect(view, 2.0) == pytest.approx((20.0, 25.0, 20.0, 10.0))
    assert CanvasView.pan_rect(view, 100, -50, px=0.1) == pytest.approx((0.0, 25.0, 40.0, 20.0))
    assert CanvasView.centre_rect(view, (0.0, 0.0)) == pytest.approx((-20.0, -10.0, 40.0, 20.0))


def test_keep_in_view_stays_pans_the_least_or_zooms_out_only_as_far_as_needed():
    view, px = (0.0, 0.0, 100.0, 50.0), 0.1
    margin = KEEP_MARGIN * px
    assert CanvasView.keep_rect(view, (10, 10), (20, 20), px) is None  # in view: the view stays
    x, y, w, h = CanvasView.keep_rect(view, (110, 10), (120, 20), px)  # off to the right: pans
    assert (w, h) == (100.0, 50.0) and y == 0.0 and x + w == pytest.approx(120 + margin)
    x, y, w, h = CanvasView.keep_rect(view, (-5, 10), (5, 20), px)  # off to the left
    assert x == pytest.approx(-5 - margin)
    far = CanvasView.keep_rect(view, (0, 0), (300, 20), px)  # further apart than the view
    assert far == pytest.approx((-margin, -margin, 300 + 2 * margin, 20 + 2 * margin))
    assert contains(far, (0, 0, 300, 20))


def test_a_held_node_stays_where_it_was_on_the_screen_through_a_resize():
    view = CanvasView()
    assert view.hold((30.0, 40.0), on_screen=(600, 300), px=(0.05, 0.05), inside=(20.0, 20.0))
    assert not view.hold((30.0, 40.0), on_screen=(600, 300), px=(0.05, 0.05), inside=(20.0, 20.0))
    # the viewport narrowed to 700 px, the node still 400 px from its left edge: same place, same scale
    x, y, w, h = view.held_rect((400, 250), (700, 500))
    assert (w, h) == pytest.approx((700 * 0.05, 500 * 0.05))
    assert (30 - x) / 0.05 == pytest.approx(400) and (40 - y) / 0.05 == pytest.approx(250)
    # a panel now covers where it was: the node moves just inside the view
    x, _, w, _ = view.held_rect((650, 250), (500, 500))
    assert (30 - x) / 0.05 == pytest.approx(500 - 20)
    assert view.held_rect((10, 10), (0, 500)) is None  # collapsed: nothing to hold
    view.release()
    assert view.held is None


def test_the_key_takes_a_corner_no_node_covers():
    extent = (0.0, 0.0, 100.0, 50.0)
    everywhere_lo, everywhere_hi = np.array([[0.0, 0.0]]), np.array([[100.0, 50.0]])
    assert free_key_corner(extent, everywhere_lo, everywhere_hi, VIEWPORT, (120, 40)) is None
    # one node in the bottom left corner: the key goes bottom right
    lo, hi = np.array([[0.0, 45.0]]), np.array([[5.0, 50.0]])
    assert free_key_corner(extent, lo, hi, VIEWPORT, (120, 40)) == 1


def test_hit_testing_finds_a_box_an_op_circle_and_nothing_between():
    pos = np.array([[0.0, 0.0], [10.0, 0.0]])
    half = np.array([[2.0, 1.0], [1.0, 1.0]])
    is_op = np.array([False, True])
    assert hit_row((1.9, 0.9), pos, half, is_op, slack=0.0) == 0  # a box's corner is inside
    assert hit_row((10.9, 0.9), pos, half, is_op, slack=0.0) == -1  # an op's bounding corner is not
    assert hit_row((10.5, 0.5), pos, half, is_op, slack=0.0) == 1
    assert hit_row((2.2, 0.0), pos, half, is_op, slack=0.0) == -1
    assert hit_row((2.2, 0.0), pos, half, is_op, slack=0.3) == 0  # tiny nodes stay clickable
    assert hit_row((0.0, 0.0), pos[:0], half[:0], is_op[:0], slack=0.0) == -1


def test_text_is_drawn_for_the_nodes_in_view_when_it_can_be_read_and_is_few():
    pos = np.array([[0.0, 0.0], [10.0, 0.0], [50.0, 0.0]])
    half = np.tile([[BOX_W / 2, BOX_H / 2]], (3, 1))
    view = (-5.0, -5.0, 20.0, 10.0)
    rows, detail = label_rows(view, readable_scale(), pos, half, n_values=3)
    assert rows.tolist() == [0, 1] and detail == 2
    _, names_only = label_rows(view, readable_scale() * 0.5, pos, half, n_values=3)
    assert names_only == 1
    assert label_rows(view, readable_scale() * 0.1, pos, half, n_values=3) is None  # unreadable
    nowhere = (100.0, 100.0, 5.0, 5.0)
    assert label_rows(nowhere, readable_scale(), pos, half, n_values=3) is None  # no node in view
