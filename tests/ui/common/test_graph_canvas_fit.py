"""Issue 9's "readable at fit": in the default window at 1024x768, 1280x720 and 1920x1080, every
example of up to READABLE_UP_TO values is drawn whole with label, data and grad at >= 10 px; bigger ones open
readable around the output with the overview map.  The colour key never covers a box at fit, the
sliders panel is only as tall as its rows, and a box holds its text at the readable scale."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from windows import node_rects_in_canvas, open_window, whole_graph_in_view

from gradlab import resources
from gradlab.call_groups import FoldedGraph
from gradlab.layout import BOX_H, BOX_W
from gradlab.ui.common import graph_canvas
from gradlab.ui.common.graph_canvas import BOX_LINES, LINE_SPACING, READABLE_PX, TEXT_EMS, TEXT_FILL
from gradlab.ui.expression import sliders

#: the most values an example has and still fits readable, per window size (measured with
#: benchmarks/readability.py: tanh_from_exp has 18, the seed 39)
READABLE_UP_TO = {"1024x768": 18, "1280x720": 39, "1920x1080": 39}
TWO_INPUTS = "a = Value(2.0)\nb = Value(-3.0)\nc = a * b + a\n"
FIVE_INPUTS = "a = Value(1.0)\nb = Value(2.0)\nc = Value(3.0)\nd = Value(4.0)\ne = Value(5.0)\n" \
              "f = a * b + c * d + e\n"


@pytest.mark.parametrize("size", list(READABLE_UP_TO))
@pytest.mark.parametrize("name", [e.name for e in resources.examples()])
def test_examples_up_to_n_values_open_whole_and_readable(qtbot, name, size):
    w = open_window(qtbot, "--example", name, "--size", size)
    canvas = w.expression_lab.canvas
    assert canvas.label_px() >= READABLE_PX  # label, data and grad at >= 10 px, either way
    if len(canvas.graph) <= READABLE_UP_TO[size] or isinstance(canvas.graph, FoldedGraph):  # folded by call
        assert canvas.fit_scale() >= canvas.readable_scale()
        assert whole_graph_in_view(canvas) and not canvas.overview.isVisible()
        key = canvas.key.geometry()
        assert canvas.key.isVisible()
        assert not [r for r in node_rects_in_canvas(canvas) if r.intersects(QRectF(key))], "key over a box"
    else:
        assert not whole_graph_in_view(canvas) and canvas.overview.isVisible()
        out = canvas._pos[len(canvas.graph) - 1]
        assert canvas.view_box.viewRect().contains(QPointF(*out))


def test_the_seed_fills_the_big_window_with_room_to_spare(qtbot):
    w = open_window(qtbot, "--example", "seed", "--size", "1920x1080")
    canvas = w.expression_lab.canvas
    assert canvas.drawing.bands >= 2  # folded to the view's shape
    assert canvas.fit_scale() >= 1.1 * canvas.readable_scale()
    assert canvas.label_px() >= 11


def test_the_key_keeps_its_room_when_every_corner_is_taken(qtbot, monkeypatch):
    w = open_window(qtbot, "--example", "tanh_from_exp", "--size", "1280x720")
    canvas = w.expression_lab.canvas
    assert canvas._key_room() == 0  # a corner of the fitted drawing is free: the key sits there
    free_corner = canvas._free_key_corner()
    assert free_corner is not None
    monkeypatch.setattr(canvas.painting, "half_max", canvas._half_max * 40)  # boxes everywhere
    assert canvas._key_room() == canvas.key.height() + 12 and canvas._free_key_corner() is None
    canvas.fit()
    bottom = canvas.view_box.mapViewToScene(QPointF(0, canvas.drawing.extent()[3])).y()
    assert canvas._view.mapFromScene(QPointF(0, bottom)).y() <= canvas.key.y() - canvas._view.y()
    monkeypatch.undo()
    canvas.fit()
    assert canvas._free_key_corner() == free_corner


def test_a_box_holds_its_three_lines_at_the_readable_scale(qtbot):
    """The box geometry (layout) and the text metrics (canvas) agree: at the readable scale the
    text is 10 px, three lines fit the box's height and a usual line its width."""
    w = open_window(qtbot, "--example", "seed", "--size", "1920x1080")
    canvas = w.expression_lab.canvas
    s = canvas.readable_scale()
    px = graph_canvas._text_px(BOX_W * s, BOX_H * s)
    assert px == READABLE_PX
    font = QFont()
    font.setPixelSize(px)
    metrics = QFontMetricsF(font)
    lines_tall = 2 * px * LINE_SPACING + metrics.height()
    assert lines_tall <= BOX_H * s - 1  # a pixel of room at least, inside the outline
    assert BOX_LINES * (px - 0.5) <= BOX_H * s + 1e-6  # the height the scale was chosen for
    for line in ("-27.7668", "645.5773", "-999.9999", "1.000e-05"):  # above -1000, and exponents
        assert metrics.horizontalAdvance(line) <= TEXT_FILL * BOX_W * s, line
    assert TEXT_EMS * (px - 0.5) <= BOX_W * s + 1e-6  # the width the scale was chosen for


TWELVE_INPUTS = "".join(f"x{k} = Value({k}.0)\n" for k in range(12)) + "y = " + " + ".join(
    f"x{k}" for k in range(12)) + "\n"


def rows_bottom(panel) -> int:
    last = list(panel.rows.values())[-1].slider
    return last.mapTo(panel, last.rect().bottomLeft()).y()


def test_the_sliders_panel_is_as_tall_as_its_rows(qtbot, expression_lab):
    canvas_h = {}
    programs = (("two", TWO_INPUTS, 2), ("five", FIVE_INPUTS, 5), ("twelve", TWELVE_INPUTS, 12),
                ("two again", TWO_INPUTS, 2))
    for name, source, inputs in programs:
        expression_lab.load_source(source)
        qtbot.waitUntil(lambda n=inputs: len(expression_lab.sliders.rows) == n)
        expression_lab.layout().activate()
        panel = expression_lab.sliders
        column = sum(panel.parentWidget().sizes())
        cap = panel.cap(column)
        assert cap == max(sliders.MIN_PANEL_PX, round(sliders.PANEL_SHARE * column))
        assert panel.height() <= cap
        if name == "twelve":
            assert panel.height() >= cap - 2  # a share of the column, then the rows scroll
            assert rows_bottom(panel) > panel.height()
        else:
            assert rows_bottom(panel) <= panel.height()  # every row in view, no scrolling
            assert panel.height() < rows_bottom(panel) + 30  # and no empty rows' room
        canvas_h[name] = expression_lab.canvas.height()
    assert canvas_h["two"] > canvas_h["five"] + 20 > canvas_h["twelve"] + 20  # the graph gets the room
    assert canvas_h["two again"] == canvas_h["two"]


def test_long_numbers_are_drawn_smaller_not_cut(qtbot, expression_lab):
    expression_lab.load_source("a = Value(-123456.789)\nb = Value(2.0)\nc = a * b\n")
    canvas = expression_lab.canvas
    canvas.zoom_by(canvas.readable_scale() * 1.01 / canvas._current_scale())  # text at 10 px
    assert canvas.label_px() == READABLE_PX
    canvas.grab()  # paints the labels
    w = BOX_W * canvas._current_scale()
    for i in range(len(canvas.graph)):
        text = canvas.label_text(i).split("\n", 1)[1]
        font = canvas.text_font(text, w)
        widest = max(QFontMetricsF(font).horizontalAdvance(t) for t in text.split("\n"))
        assert widest <= TEXT_FILL * w, text
        usual = max(map(len, text.split("\n"))) <= len("-999.9999")
        assert font.pixelSize() == READABLE_PX or not usual  # only long numbers are smaller
    assert canvas.text_font("-2469.5780\n1.0000", w).pixelSize() < READABLE_PX


def test_a_dragged_sliders_panel_keeps_the_users_height(qtbot, expression_lab):
    expression_lab.load_source(TWELVE_INPUTS)  # more rows than the panel's share: they scroll
    qtbot.waitUntil(lambda: len(expression_lab.sliders.rows) == 12)
    expression_lab.layout().activate()
    splitter = expression_lab.sliders.parentWidget()
    handle = splitter.handle(splitter.indexOf(expression_lab.sliders))
    before = expression_lab.sliders.height()
    start = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(handle, start - QPoint(0, 60))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=start - QPoint(0, 60))
    dragged = expression_lab.sliders.height()
    assert dragged > before + 30  # the user made the panel taller, to see every row
    expression_lab.load_source(TWELVE_INPUTS.replace("x0", "z0"))  # other inputs: new rows
    qtbot.waitUntil(lambda: "z0" in expression_lab.sliders.rows)
    expression_lab.layout().activate()
    assert expression_lab.sliders.height() == dragged  # a new program leaves the user's choice alone


MLP_AND_LOSS = ("from micrograd.nn import MLP\nn = MLP(3, [4, 1])\n"
                "loss = (n([2.0, 3.0, -1.0]) - 1.0)**2\nloss.backward()\n")


def test_a_lecture_style_program_of_about_60_values_opens_whole_and_readable(qtbot):
    w = open_window(qtbot, "--size", "1920x1080")
    expression_lab = w.expression_lab
    expression_lab.load_source(MLP_AND_LOSS)  # an MLP's forward pass and its loss, as the lecture writes it
    canvas = expression_lab.canvas
    assert len(canvas.graph) >= 60
    assert canvas.fit_scale() >= canvas.readable_scale()
    assert whole_graph_in_view(canvas) and canvas.label_px() >= READABLE_PX


def test_a_resize_opens_an_untouched_view_again_and_keeps_a_zoomed_one(qtbot):
    w = open_window(qtbot, "--example", "seed", "--size", "1280x720")
    canvas = w.expression_lab.canvas
    assert whole_graph_in_view(canvas) and not canvas.view_moved()  # opened whole, by the window
    qtbot.keyClick(canvas.viewport_widget(), Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    px = canvas.view_box.viewPixelSize()[0]
    assert canvas.view_moved() and not whole_graph_in_view(canvas)
    w.resize(1290, 724)  # the same drawing suits it
    qtbot.waitUntil(lambda: not canvas._relayout_timer.isActive())
    assert canvas.graph.drawing_for(*canvas.view_shape()) is canvas.drawing
    assert canvas.view_box.viewPixelSize()[0] == pytest.approx(px, rel=0.02)  # not fitted again
    canvas.fit()
    w.resize(1280, 720)
    qtbot.waitUntil(lambda: not canvas._relayout_timer.isActive())
    assert whole_graph_in_view(canvas) and not canvas.view_moved()
