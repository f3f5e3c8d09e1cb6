"""GraphCanvas: drawing, hit testing, clicks, restyling in place, labels, highlights and export."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from helpers import random_expression, seed_expression
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from windows import shown

from gradlab import canvas_view
from gradlab.engine import Value
from gradlab.graph import GraphModel
from gradlab.numfmt import format_number
from gradlab.ui.common import graph_canvas
from gradlab.ui.common.graph_canvas import GraphCanvas


def model(root: Value) -> GraphModel:
    graph = GraphModel(root)
    graph.backward()
    return graph


@pytest.fixture
def canvas(qtbot) -> GraphCanvas:
    return shown(GraphCanvas(), qtbot, (900, 600))


@pytest.fixture
def seed(canvas) -> GraphModel:
    graph = model(seed_expression())
    canvas.set_graph(graph)
    canvas.fit()  # the whole graph in view (it opens zoomed around the output: see test_graph_canvas_views)
    return graph


def scene_items(canvas: GraphCanvas) -> int:
    return len(canvas.viewport_widget().parent().scene().items())


def test_object_name_and_one_item_per_kind(canvas, seed):
    assert canvas.objectName() == "graphCanvas"
    rows = len(seed.drawing.pos)
    assert len(canvas.node_item.data) == rows  # one sprite per value node and per op node
    assert len(canvas.edge_item.seg) == len(canvas.drawing.segments()[0])  # all edges in one item
    assert len(canvas.arrow_item.data) == len(seed.drawing.edges)
    # the graph's size does not change how many items there are
    before = scene_items(canvas)
    canvas.set_graph(model(random_expression(300)))
    assert scene_items(canvas) == before


def test_clicking_a_node_emits_its_index(canvas, seed, qtbot):
    a = seed.find("a")
    with qtbot.waitSignal(canvas.node_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(canvas.viewport_widget(), Qt.MouseButton.LeftButton, pos=canvas.view_pos_of(a))
    assert blocker.args == [a]


def test_clicking_empty_space_emits_minus_one(canvas, seed, qtbot):
    corner = QPoint(4, 4)
    assert canvas.node_at(corner) == -1
    with qtbot.waitSignal(canvas.node_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(canvas.viewport_widget(), Qt.MouseButton.LeftButton, pos=corner)
    assert blocker.args == [-1]


def test_clicking_an_op_node_selects_its_result(canvas, seed, qtbot):
    out = len(seed) - 1
    x, y = canvas.drawing.pos[seed.op_row[out]]
    view = canvas.viewport_widget().parent()
    pos = view.mapFromScene(canvas.view_box.mapViewToScene(QPointF(x, y)))
    with qtbot.waitSignal(canvas.node_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(canvas.viewport_widget(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [out]


def test_hit_test_finds_every_node_and_nothing_far_away(canvas, seed):
    canvas.zoom_by(3)  # nodes apart by more than the hit slack
    for i in range(len(seed)):
        pos = canvas.view_pos_of(i)
        if canvas.viewport_widget().rect().contains(pos):
            assert canvas.node_at(pos) == i
    far = canvas.view_box.mapViewToScene(QPointF(1e4, 1e4))
    assert canvas.node_at(far) == -1
    assert canvas.node_at(QPointF(-1e6, 3e6)) == -1


def test_hover_emits_the_node_under_the_mouse(canvas, seed, qtbot):
    b = seed.find("b")
    with qtbot.waitSignal(canvas.node_hovered, timeout=2000) as blocker:
        qtbot.mouseMove(canvas.viewport_widget(), canvas.view_pos_of(b))
    assert blocker.args == [b]
    assert "grad: " in canvas.labels.tooltip(b) and repr(seed.values[b].grad) in canvas.labels.tooltip(b)


def test_refresh_values_updates_labels_and_colours_in_place(canvas, seed):
    canvas.zoom_by(4)
    out, a = len(seed) - 1, seed.find("a")
    before_text = canvas.label_text(out)
    before_brushes = list(canvas.node_item.data["brush"])
    positions = canvas.node_item.data[["x", "y"]].copy()
    items = scene_items(canvas)
    changed = seed.set_data(a, 3.0)
    seed.backward()
    canvas.refresh_values(changed)
    assert out in changed
    assert canvas.label_text(out) != before_text
    assert format_number(seed.values[out].data, box=True) in canvas.label_text(out)
    assert list(canvas.node_item.data["brush"]) != before_brushes
    assert np.array_equal(canvas.node_item.data[["x", "y"]], positions)  # no relayout
    assert scene_items(canvas) == items  # no new items
    canvas.grab()


def test_labels_hidden_when_zoomed_out_or_crowded(canvas, seed, monkeypatch):
    canvas.zoom_by(4)
    assert canvas.labels_visible()
    canvas.zoom_by(1 / 40)
    assert not canvas.labels_visible()
    canvas.fit()
    canvas.zoom_by(2)
    assert canvas.labels_visible()
    in_view = len(canvas._label_rows()[0])
    monkeypatch.setattr(canvas_view, "MAX_LABELS", min(3, in_view - 1))  # the policy lives there
    assert not canvas.labels_visible()


def test_zoom_sizes_sprites_and_fit_restores(canvas, seed):
    canvas.fit()
    small = canvas.node_item.data["size"].max()
    rect = canvas.view_box.viewRect()
    canvas.zoom_by(2)
    assert canvas.node_item.data["size"].max() == pytest.approx(2 * small, rel=0.1)
    canvas.fit()
    assert canvas.view_box.viewRect() == rect


def test_pan_moves_the_view_without_changing_the_zoom(canvas, seed):
    canvas.zoom_by(3)
    a = seed.find("a")
    before, scale = canvas.view_pos_of(a), canvas.view_box.viewPixelSize()
    canvas.pan_by(30, -20)
    assert canvas.view_box.viewPixelSize() == pytest.approx(scale)
    assert canvas.view_pos_of(a) - before == QPoint(30, -20)


def test_double_click_on_empty_space_fits(canvas, seed, qtbot):
    rect = canvas.view_box.viewRect()
    canvas.zoom_by(3)
    # what a real double click delivers: press, release, double-click, release
    # (QTest's mouseDClick alone sends only the double-click event)
    viewport, left = canvas.viewport_widget(), Qt.MouseButton.LeftButton
    corner = next(QPoint(x, y) for y in range(4, 600, 20) for x in range(4, 900, 20)
                  if canvas.node_at(QPoint(x, y)) == -1)  # empty space
    qtbot.mouseClick(viewport, left, pos=corner)
    qtbot.mouseDClick(viewport, left, pos=corner)
    qtbot.mouseRelease(viewport, left, pos=corner)
    assert canvas.view_box.viewRect() == rect


def test_selection_highlights_the_path_to_the_output(canvas, seed):
    b = seed.find("b")
    canvas.set_selected(b)
    path = set(seed.path_to_output(b))
    rows = {int(r) for r in np.flatnonzero(canvas.painting.path_rows)}
    assert path <= rows and all(r in path or r >= len(seed) for r in rows)
    e = canvas.drawing.edges
    on_path = [k for k, (s, t) in enumerate(e.tolist()) if s in rows and t in rows]
    expected = np.isin(canvas.drawing.segments()[1], on_path).sum()
    assert 0 < len(canvas.path_item.seg) == expected
    pens = canvas.node_item.data["pen"]
    off_path = next(i for i in range(len(seed)) if i not in path)
    assert pens[b] is not pens[off_path]
    canvas.set_selected(-1)
    assert len(canvas.path_item.seg) == 0
    assert canvas.selected() == -1


def test_active_node_gets_its_own_outline(canvas, seed):
    canvas.set_selected(seed.find("a"))
    out = len(seed) - 1
    before = canvas.node_item.data["pen"][out]
    canvas.set_active(out)
    assert canvas.node_item.data["pen"][out] is not before
    canvas.set_active(-1)
    assert canvas.node_item.data["pen"][out] is before


def test_export_png_and_svg(canvas, seed, tmp_path):
    png, svg = tmp_path / "graph.png", tmp_path / "graph.svg"
    canvas.set_selected(seed.find("a"))
    canvas.export_image(str(png))
    canvas.export_image(str(svg))
    image = QImage(str(png))
    assert not image.isNull() and image.width() >= 900
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20  # not blank
    text = svg.read_text()
    assert "<svg" in text and text.count("<path") > len(seed)
    with pytest.raises(ValueError):
        canvas.export_image(str(tmp_path / "graph.jpg"))


def test_empty_and_single_node_graphs(canvas, tmp_path, qtbot):
    canvas.set_graph(None)
    canvas.refresh_values([])
    canvas.set_selected(2)
    canvas.set_active(0)
    canvas.fit()
    canvas.zoom_by(2)
    assert canvas.node_at(QPoint(10, 10)) == -1 and not canvas.labels_visible()
    canvas.export_image(str(tmp_path / "empty.png"))
    with qtbot.waitSignal(canvas.node_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(canvas.viewport_widget(), Qt.MouseButton.LeftButton, pos=QPoint(30, 30))
    assert blocker.args == [-1]
    one = model(Value(3.0, label="x"))
    canvas.set_graph(one)
    canvas.set_selected(0)
    assert canvas.node_at(canvas.view_pos_of(0)) == 0
    assert canvas.labels_visible() and canvas.label_text(0) == "x\n3.0000\n1.0000"
    canvas.grab()


def test_nan_and_inf_values_do_not_crash(canvas, tmp_path):
    a = Value(-1.0, label="a")
    z = Value(0.0, label="z")
    out = a.log() + z.log() * a + (a * 1e308) * 1e308
    graph = model(out)
    assert any(not math.isfinite(v.grad) for v in graph.values)
    canvas.set_graph(graph)
    canvas.zoom_by(3)
    canvas.set_selected(0)
    canvas.refresh_values()
    pens = canvas.node_item.data["pen"][: len(graph)]
    nonfinite = canvas.painting.pens[graph_canvas.NONFINITE]
    assert any(p is nonfinite for p in pens)
    assert "nan" in canvas.label_text(len(graph) - 1)
    canvas.export_image(str(tmp_path / "nan.svg"))
    canvas.grab()


def test_a_restyle_at_the_same_zoom_reuses_the_sprite_images(canvas, seed):
    canvas.viewport_widget().repaint()
    nodes, arrows = canvas.node_item._atlas, canvas.arrow_item._atlas
    assert nodes is not None and arrows is not None  # each style drawn once, into one image
    canvas.refresh_values()  # a slider's repaint: the same styles, nothing drawn again
    canvas.viewport_widget().repaint()
    assert canvas.node_item._atlas is nodes and canvas.arrow_item._atlas is arrows
    canvas.zoom_by(2)  # other pixel sizes: other images
    canvas.viewport_widget().repaint()
    assert canvas.node_item._atlas is not nodes


def test_large_graph_restyles_without_new_items(canvas):
    graph = model(random_expression(2000, seed=3))
    canvas.set_graph(graph)
    assert canvas.label_px() >= graph_canvas.READABLE_PX  # it opens readable, around the output
    canvas.fit()
    assert not canvas.labels_visible()  # far too many nodes at fit
    items = scene_items(canvas)
    x = graph.input_indices()[0]
    for k in range(5):
        graph.set_data(x, 0.1 * k)
        graph.backward()
        canvas.refresh_values()
        canvas.viewport_widget().repaint()
    assert scene_items(canvas) == items


@pytest.mark.parametrize("ext", ["png", "svg"])
@pytest.mark.parametrize("where", ["missing folder", "a folder", "full disk"])
def test_a_failed_export_is_reported_for_svg_as_for_png(canvas, seed, tmp_path, ext, where):
    if where == "missing folder":
        path, reason = tmp_path / "nope" / f"g.{ext}", "No such file or directory"
    elif where == "a folder":
        path, reason = tmp_path / f"dir.{ext}", "Is a directory"
        path.mkdir()
    else:
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full to fill")
        path, reason = tmp_path / f"full.{ext}", "No space left on device"
        path.symlink_to("/dev/full")
    with pytest.raises(OSError) as info:
        canvas.export_image(str(path))
    assert info.value.strerror == reason


def test_the_window_reports_a_failed_svg_export(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from gradlab.app import build_window

    window = build_window([])
    qtbot.addWidget(window)
    target = str(tmp_path / "missing" / "graph.svg")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (target, "SVG (*.svg)"))
    window.export_dialog()
    [box] = [b for b in window.findChildren(QMessageBox, "errorMessage") if b.isVisible()]
    assert "graph.svg" in box.text() and "No such file or directory" in box.text()
    assert "Exported" not in window.statusBar().currentMessage()
