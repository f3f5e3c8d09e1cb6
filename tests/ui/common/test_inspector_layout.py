"""Issue 17, items 3 and 4: opening the inspector never hides the answer, and the expression lab
uses the screen it has.

Driven as a learner does: click a box, press keys on the step slider, drag a splitter's handle,
resize the window; at the laptop and desktop sizes learners have.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea, QSlider
from windows import node_rects_in_canvas, open_window

from gradlab.ui.common.inspector import SIDE_BY_SIDE_PX
from gradlab.ui.expression import inspector_dock, sliders
from gradlab.ui.expression import lab as expression_lab

SIZES = ["1280x720", "1366x768", "1920x1080", "1024x768"]


def settle(qtbot, lab) -> None:
    """Let the layouts and the canvas's relayout after a resize happen, as the event loop would."""
    for _ in range(3):
        QApplication.processEvents()
    qtbot.waitUntil(lambda: not lab.canvas._relayout_timer.isActive())
    QApplication.processEvents()


def box_in_view(canvas, index: int) -> bool:
    """Value node ``index``'s whole box is inside the canvas's viewport."""
    x, y = canvas._pos[index]
    hx, hy = canvas._half_max[index]
    return canvas.view_box.viewRect().contains(QRectF(x - hx, y - hy, 2 * hx, 2 * hy))


def overlays_over_nodes(canvas) -> list[str]:
    """The names of the overlays (key, legend, overview map) shown over a node's box."""
    rects = node_rects_in_canvas(canvas)
    return [w.objectName() for w in (canvas.key, canvas.legend, canvas.overview)
            if w.isVisible() and any(r.intersects(QRectF(w.geometry())) for r in rects)]


def farthest_visible_from_output(canvas, named: bool = True) -> int:
    """A (named) value node whose box shows, as far from the output as there is one."""
    out = canvas._pos[len(canvas.graph) - 1]
    shown = [i for i in range(len(canvas.graph) - 1)
             if (canvas.graph.names[i] or not named) and box_in_view(canvas, i) and i != canvas.selected()]
    assert shown, "no named box in view"
    return max(shown, key=lambda i: float(np.hypot(*(canvas._pos[i] - out))))


def click_node(qtbot, lab, index: int) -> None:
    canvas = lab.canvas
    with qtbot.waitSignal(lab.model.selection_changed):
        qtbot.mouseClick(canvas.viewport_widget(), Qt.MouseButton.LeftButton, pos=canvas.view_pos_of(index))
    settle(qtbot, lab)


# -- item 3: the selected node and the output both stay visible ------------------------------------

@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("example", ["seed", "lecture", "tanh_from_exp"])
def test_a_clicked_node_and_the_output_both_stay_in_view(qtbot, example, size):
    lab = open_window(qtbot, "--example", example, "--size", size).expression_lab
    canvas = lab.canvas
    index = farthest_visible_from_output(canvas)
    click_node(qtbot, lab, index)
    assert lab.inspector.isVisible() and lab.model.selected == index
    assert box_in_view(canvas, index) and box_in_view(canvas, len(canvas.graph) - 1)
    assert not overlays_over_nodes(canvas)
    # another node, through the inspector's links: the output still shows beside it
    link = next(b for b in lab.inspector.child_links.findChildren(QPushButton) if b.isVisible())
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    settle(qtbot, lab)
    assert lab.model.selected != index
    assert box_in_view(canvas, lab.model.selected) and box_in_view(canvas, len(canvas.graph) - 1)


def test_the_seed_at_1280_keeps_a_and_g_in_view(qtbot):
    """The issue's own case: clicking a in the seed pushed g behind the inspector."""
    lab = open_window(qtbot, "--example", "seed", "--size", "1280x720").expression_lab
    canvas = lab.canvas
    a, g = canvas.graph.find("a"), len(canvas.graph) - 1
    click_node(qtbot, lab, a)
    assert box_in_view(canvas, a) and box_in_view(canvas, g)
    # and on the screen: both boxes' centres are in the canvas, left of the inspector
    right = lab.inspector.mapTo(lab, QPoint(0, 0)).x()
    for i in (a, g):
        centre = canvas.viewport_widget().mapTo(lab, canvas.view_pos_of(i))
        assert 0 < centre.x() < right and canvas.node_at(canvas.view_pos_of(i)) == i


def test_a_view_panned_away_from_the_output_comes_back_to_show_it(qtbot):
    lab = open_window(qtbot, "--example", "seed", "--size", "1366x768").expression_lab
    canvas = lab.canvas
    click_node(qtbot, lab, farthest_visible_from_output(canvas))
    g = len(canvas.graph) - 1
    # a drag to the right: the output goes off the right edge
    canvas.pan_by(canvas.viewport_widget().width() - canvas.view_pos_of(g).x() + 80, 0)
    assert not box_in_view(canvas, g)
    target = farthest_visible_from_output(canvas, named=False)
    click_node(qtbot, lab, target)
    assert box_in_view(canvas, target) and box_in_view(canvas, g)


# -- item 3: the overview map never pops over nodes ---------------------------------------------

@pytest.mark.parametrize("size", ["1024x768", "1280x720", "1920x1080"])
def test_the_overview_and_the_key_never_cover_a_node(qtbot, size):
    w = open_window(qtbot, "--example", "seed", "--size", size)
    lab, canvas = w.expression_lab, w.expression_lab.canvas
    viewport = canvas.viewport_widget()
    for step in range(4):  # zoom in, a notch at a time, with the keys: part of the graph goes out of view
        assert not overlays_over_nodes(canvas), step
        qtbot.keyClick(viewport, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
        QApplication.processEvents()
    assert not overlays_over_nodes(canvas)
    # the map is there or one click away: never over a node by itself
    button = canvas.map_button
    assert canvas.overview.isVisible() or button.isVisible()
    if not canvas.overview.isVisible():
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert canvas.overview.isVisible()  # asked for: shown
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert not canvas.overview.isVisible()
    click_node(qtbot, lab, farthest_visible_from_output(canvas, named=False))
    assert not overlays_over_nodes(canvas)


def test_the_key_sits_in_a_free_corner_or_steps_aside(qtbot, monkeypatch):
    lab = open_window(qtbot, "--example", "lecture", "--size", "1280x720").expression_lab
    canvas = lab.canvas
    assert canvas.key.isVisible() and not overlays_over_nodes(canvas)
    monkeypatch.setattr(canvas.painting, "half_max", canvas._half_max * 60)  # boxes over every corner
    canvas.zoom_by(1.05)  # any view change places the overlays again
    assert not canvas.key.isVisible()
    monkeypatch.undo()
    canvas.zoom_by(1 / 1.05)
    assert canvas.key.isVisible() and not overlays_over_nodes(canvas)


# -- item 3: the probe's numbers and both plots at a glance --------------------------------------

@pytest.mark.parametrize("size", ["1280x720", "1366x768", "1920x1080"])
def test_the_probe_and_both_plots_show_without_scrolling(qtbot, size):
    lab = open_window(qtbot, "--example", "seed", "--size", size).expression_lab
    click_node(qtbot, lab, farthest_visible_from_output(lab.canvas))
    inspector = lab.inspector
    assert inspector.width() >= SIDE_BY_SIDE_PX
    assert inspector.width() >= round(inspector_dock.INSPECTOR_SHARE * sum(lab._split.sizes())) - 1
    scroll = inspector.findChild(QScrollArea)
    assert scroll.verticalScrollBar().maximum() == 0  # nothing below the fold
    view = scroll.viewport()
    room = QRect(QPoint(0, 0), view.size())
    shown = [inspector.findChild(QLabel, n) for n in inspector.probe_labels] + [
        inspector.sentence, inspector.node_data, inspector.node_grad, inspector.response_plot,
        inspector.error_plot, inspector.response_plot.key, inspector.error_plot.key, inspector.best_h]
    for widget in shown:
        assert widget.isVisible()
        assert room.contains(QRect(widget.mapTo(view, QPoint(0, 0)), widget.size())), widget.objectName()
    # side by side, and each plot tall enough to read
    r, e = inspector.response_box.geometry(), inspector.error_box.geometry()
    assert r.top() == e.top() and r.right() < e.left()
    assert min(inspector.response_plot.plot_widget.height(), inspector.error_plot.plot_widget.height()) >= 110
    assert all(label.text() not in ("", "—") for label in inspector.probe_labels.values())


def test_a_narrow_inspector_stacks_its_plots(qtbot):
    lab = open_window(qtbot, "--example", "seed", "--size", "1024x768").expression_lab
    click_node(qtbot, lab, farthest_visible_from_output(lab.canvas))
    inspector = lab.inspector
    assert inspector.width() < SIDE_BY_SIDE_PX
    r, e = inspector.response_box.geometry(), inspector.error_box.geometry()
    assert r.bottom() < e.top()  # one above the other, each the panel's width
    assert inspector.findChild(QScrollArea).horizontalScrollBar().maximum() == 0


# -- item 3: secant and tangent distinguishable at any h; h from 1 down to 1e-10 -----------------

def line_gap(plot) -> float:
    """The largest vertical gap between the secant and the tangent drawn, as a share of the
    plot's visible height."""
    (sx, sy), (tx, ty) = plot.secant.getData(), plot.tangent.getData()
    assert np.array_equal(sx, tx)
    (_, _), (y0, y1) = plot.plot.viewRange()
    return float(np.max(np.abs(sy - ty))) / (y1 - y0)


def test_secant_and_tangent_stay_apart_at_any_h(qtbot):
    lab = open_window(qtbot, "--example", "seed", "--size", "1280x720").expression_lab
    a = lab.canvas.graph.find("a")
    click_node(qtbot, lab, a)
    inspector, model = lab.inspector, lab.model
    slider = inspector.findChild(QSlider, "stepSizeInput")
    slider.setFocus()
    plot = inspector.response_plot
    qtbot.keyClick(slider, Qt.Key.Key_Home)  # the smallest h
    assert model.step_size <= 1e-10
    for _ in range(2):
        qtbot.keyClick(slider, Qt.Key.Key_PageUp)  # a decade a press
    assert model.step_size == pytest.approx(1e-10)
    assert inspector.step_readout.text() == "h = 1e-10"
    seen = []
    while True:
        h = model.step_size
        qtbot.waitUntil(lambda: not inspector._plot_timer.isActive())
        assert line_gap(plot) > 0.03, h  # a visible gap: a few pixels at least
        secant_points = plot.secant_points.getData()[0]
        assert len(secant_points) == 2 and secant_points[1] - secant_points[0] >= h * (1 - 1e-9)
        key = plot.key.text()
        if plot.key_names()[2] != "secant (nudge h)":  # drawn at a visible h: the true h is said
            assert f"{h:.0e}" in key and "on the tangent" in key
        seen.append(h)
        if h >= 1.0:
            break
        qtbot.keyClick(slider, Qt.Key.Key_PageUp)
    assert seen[0] == pytest.approx(1e-10) and seen[-1] == pytest.approx(1.0) and len(seen) == 11
    # the probe's numbers are for the true h, whatever h the secant is drawn at
    assert inspector.probe_labels["probeForwardDiff"].text() != ""
    assert math.isclose(float(inspector.probe_labels["probeGrad"].text()), model.graph.values[a].grad,
                        rel_tol=1e-7)


# -- item 4: the editor grows with the window, its splitter is the learner's ---------------------

def editor_share(lab) -> float:
    sizes = lab._split.sizes()
    return sizes[0] / sum(sizes)


def test_the_editor_grows_with_the_window_and_keeps_a_dragged_share(qtbot):
    w = open_window(qtbot, "--example", "seed", "--size", "1280x720")
    lab = w.expression_lab
    small = lab.editor.width()
    assert editor_share(lab) == pytest.approx(expression_lab.EDITOR_SHARE, abs=0.01)
    w.resize(1920, 1080)
    settle(qtbot, lab)
    assert editor_share(lab) == pytest.approx(expression_lab.EDITOR_SHARE, abs=0.01)
    assert lab.editor.width() > small + 100  # it grew with the window (not a fixed ~300 px)
    # the learner drags the handle between the editor and the graph 150 px to the left
    handle = lab._split.handle(1)
    start = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(handle, start - QPoint(150, 0))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=start - QPoint(150, 0))
    dragged = editor_share(lab)
    assert dragged < expression_lab.EDITOR_SHARE - 0.05
    for size in ((1366, 768), (1920, 1080)):
        w.resize(*size)
        settle(qtbot, lab)
        assert editor_share(lab) == pytest.approx(dragged, abs=0.01)  # their share, kept
    lab.model.select(lab.model.graph.find("a"))  # the inspector opens and closes: still theirs
    lab.deselect()
    w.resize(1280, 720)
    settle(qtbot, lab)
    assert editor_share(lab) == pytest.approx(dragged, abs=0.01)


# -- item 4: the sliders panel shows its rows, up to a share of the height --------------------------

@pytest.mark.parametrize("size", ["1280x720", "1366x768", "1920x1080"])
def test_the_lectures_four_sliders_all_show(qtbot, size):
    lab = open_window(qtbot, "--example", "lecture", "--size", size).expression_lab
    panel = lab.sliders
    assert set(panel.rows) == {"a", "b", "c", "f"}
    assert panel.scroll.verticalScrollBar().maximum() == 0  # no scrolling for four rows
    for row in panel.rows.values():
        top_left = row.box.mapTo(panel, QPoint(0, 0))
        assert QRect(QPoint(0, 0), panel.size()).contains(QRect(top_left, row.box.size()))
    column = sum(panel.parentWidget().sizes())
    assert panel.height() <= max(sliders.MIN_PANEL_PX, sliders.PANEL_SHARE * column) + 1
    assert lab.canvas.height() > 2 * panel.height()  # the graph keeps most of the column


def test_the_sliders_share_grows_with_a_taller_window(qtbot):
    many = "".join(f"x{k} = Value({k}.0)\n" for k in range(14)) + "y = " + " + ".join(
        f"x{k}" for k in range(14)) + "\n"
    w = open_window(qtbot, "--size", "1280x720")
    lab = w.expression_lab
    lab.load_source(many)
    settle(qtbot, lab)
    short = lab.sliders.height()
    w.resize(1920, 1080)
    settle(qtbot, lab)
    assert lab.sliders.height() > short + 60  # more rows show in a taller window
    assert lab.sliders.height() <= sliders.PANEL_SHARE * sum(lab.sliders.parentWidget().sizes()) + 1


# -- item 4: a slider's note says what the learner can do ----------------------------------------------

def test_the_mlp_examples_note_says_what_to_do_and_its_box_inspects_it(qtbot):
    lab = open_window(qtbot, "--example", "mlp_training", "--size", "1280x720").expression_lab
    note = lab.sliders.findChild(QLabel, "sliderNote_p")
    assert note is not None and note.isVisible()
    assert note.text().startswith("Click p's box in the graph to see and probe it.")
    grab = lab.sliders.grab()
    assert note.geometry().right() < grab.width() and note.geometry().bottom() < grab.height()
    # doing what it says: p's box opens the inspector with its probe
    p = lab.model.graph.index[id(lab.model.program.values["p"])]
    canvas = lab.canvas
    canvas.centre_on(QPointF(*canvas._pos[p]))  # where the learner finds it
    click_node(qtbot, lab, p)
    assert lab.inspector.isVisible() and lab.model.selected == p
    note = lab.inspector.note  # the probe, or why it is off here
    assert lab.inspector.probe_labels["probeGrad"].text() not in ("", "—") or note.text()
