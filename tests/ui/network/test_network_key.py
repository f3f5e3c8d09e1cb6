"""Issue 17, item 6: the network view explains itself (a key, neuron hover, thumbnails, names)."""

from __future__ import annotations

import numpy as np
import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QLabel, QToolTip
from windows import shown

from gradlab.ui.common import palette
from gradlab.ui.network.heatmap import scores_to_rgba
from gradlab.ui.network.view import LEVELS, NetworkView

LEFT = Qt.MouseButton.LeftButton


def colour_pixels(image, colour: str, tol: int = 40) -> int:
    """How many pixels of a QImage are within ``tol`` (per channel) of ``colour``."""
    image = image.convertToFormat(image.Format.Format_RGB888)
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    a = rows[:, :w * 3].reshape(h, w, 3)
    return int((np.abs(a.astype(int) - palette.rgb(colour)).max(axis=2) <= tol).sum())


def test_the_key_shows_blue_positive_orange_negative_and_thickness_then_its_own_key_for_gradients(
    qtbot, network_lab
):
    key = network_lab.network_view.key
    assert key.objectName() == "networkKey" and key.isVisible()
    texts = " ".join(key.texts())
    assert "positive" in texts and "negative" in texts and "|w|" in texts
    image = key.grab().toImage()
    assert colour_pixels(image, palette.POSITIVE, 12) > 30 and colour_pixels(image, palette.NEGATIVE, 12) > 30
    # thickness: one sample per width the view draws lines with, thinnest to thickest
    samples = [w for c, _, w in key._items if c][-LEVELS:]
    pens = [item.pen.widthF() for item in network_lab.network_view.line_items[:LEVELS]]
    assert samples == pytest.approx(pens) and pens == sorted(pens) and pens[-1] >= 2 * pens[0]
    network_lab.model.step(1)
    qtbot.mouseClick(network_lab.grad_check, LEFT, pos=network_lab.grad_check.rect().center())
    assert network_lab.network_view.show_gradients()
    texts = " ".join(key.texts())
    assert "gradients" in texts and "|w|" not in texts
    largest = np.abs(
        np.asarray(network_lab.model.trainer.gradients())[network_lab.network_view.layout_.weight_index]
    ).max()
    assert f"{largest:.4g}" in texts  # the thickest line's gradient, named
    assert colour_pixels(key.grab().toImage(), palette.NEGATIVE, 12) > 30


def test_thumbnails_grow_with_the_space_they_have(qtbot):
    small = shown(NetworkView(), qtbot, (330, 330))
    big = shown(NetworkView(), qtbot, (900, 800))
    for view in (small, big):
        view.set_architecture(["x1", "x2"], [16, 16, 1], ["relu", "relu"])
        qtbot.wait(20)
    assert big.thumbnail_px() > 1.8 * small.thumbnail_px()
    assert big.thumbnail_px() >= 30
    # 256 lines between two columns in a narrow view: thinner lines, so they do not merge into a patch
    assert small.widths[-1] < big.widths[-1]
    assert small.key._items[-4][2] == small.widths[-1]  # and the key says so
    # the wide view spreads its columns: the drawing fills the width, not a narrow strip in it
    lay = big.layout_
    left, right = (big._vb.mapViewToScene(QPointF(*lay.pos[k])).x() for k in (0, -1))
    assert right - left > 0.7 * big.viewport_widget().width()
    # a resize re-spreads it
    small.resize(900, 800)
    qtbot.waitUntil(lambda: small.thumbnail_px() > 30)


def hover(qtbot, widget, pos: QPoint) -> None:
    """Move the pointer onto ``pos`` of ``widget`` from elsewhere: a move to where the pointer
    already is (a test before may have left it there) sends no event, offscreen a tooltip still
    showing may swallow the move, and pyqtgraph drops a move too soon after the last one."""
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    qtbot.mouseMove(widget, QPoint(pos.x() + 7, pos.y() + 11))
    qtbot.wait(30)  # pyqtgraph's scene drops moves closer than 10 ms apart (mouseRateLimit)
    qtbot.mouseMove(widget, pos)


def test_hovering_a_neuron_shows_its_output_large_in_the_decision_plot(qtbot, network_lab):
    network_lab.model.step(5)
    view, plot = network_lab.network_view, network_lab.decision_plot
    network_output = plot.image.image.copy()
    pos = view.viewport_pos_of_node(1, 3)
    hover(qtbot, view.viewport_widget(), pos)
    qtbot.waitUntil(plot.previewed)
    caption = plot.findChild(QLabel, "neuronPreviewCaption")
    assert caption.isVisible() and caption.text().startswith("layer 1, neuron 4 (n0.3)")
    expected = network_lab.model.thumbnails(64)[1][3]
    assert np.array_equal(plot.image.image, scores_to_rgba(expected))
    assert not np.array_equal(plot.image.image, network_output)
    # training moves on under the pointer: the shown output follows
    network_lab.model.step(20)
    assert np.array_equal(plot.image.image, scores_to_rgba(network_lab.model.thumbnails(64)[1][3]))
    network_output = scores_to_rgba(network_lab.model.decision(64))
    # off the neuron: the network's output again
    QToolTip.hideText()  # offscreen, a shown tooltip may swallow the next synthetic move
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    qtbot.mouseMove(view.viewport_widget(), QPoint(3, view.viewport_widget().height() - 3))  # an empty corner
    qtbot.waitUntil(lambda: not plot.previewed())
    assert not caption.isVisible()
    assert np.array_equal(plot.image.image, network_output)


def test_a_weight_is_named_for_people_in_the_tooltip_and_the_inspector(qtbot, network_lab):
    view = network_lab.network_view
    labels = network_lab.model.trainer.parameter_labels()
    index = labels.index("w0.2.0")
    assert view.describe(index).startswith("layer 1, neuron 3, from x1 (w0.2.0) = ")
    # the output layer's weights fan out: one is clicked alone, and the inspector names it
    index = labels.index("w2.0.5")
    qtbot.mouseClick(view.viewport_widget(), LEFT, pos=view.viewport_pos_of_parameter(index))
    assert network_lab.probe_model.selected == index
    shown_name = network_lab.inspector.findChild(QLabel, "nodeLabel").text().replace("\u200b", "")
    assert shown_name == "output, from neuron 6 of layer 2 (w2.0.5)"
    bias = labels.index("b0.2")
    qtbot.mouseClick(view.viewport_widget(), LEFT, pos=view.viewport_pos_of_parameter(bias))
    assert network_lab.inspector.findChild(QLabel, "nodeLabel").text().replace("\u200b", "") == \
        "layer 1, neuron 3, bias (b0.2)"


def test_on_one_input_data_a_hovered_neuron_is_a_dashed_curve_along_x(qtbot, network_lab):
    combo = network_lab.data_panel.dataset_combo
    combo.setCurrentIndex(combo.findData("sine") if combo.findData("sine") >= 0 else combo.findText("sine"))
    assert network_lab.model.kind == "regression"
    network_lab.model.edit_config({"learning_rate": 0.01})
    network_lab.model.step(3)
    view, plot = network_lab.network_view, network_lab.decision_plot
    hover(qtbot, view.viewport_widget(), view.viewport_pos_of_node(1, 0))
    qtbot.waitUntil(plot.previewed)
    xs, ys = plot.neuron_curve.xData, plot.neuron_curve.yData
    assert np.allclose(ys, network_lab.model.thumbnails(64)[1][0][0]) and xs[0] < xs[-1]
    caption = plot.findChild(QLabel, "neuronPreviewCaption").text()
    assert caption == "layer 1, neuron 1 (n0.0): its output (dashed)"
    QToolTip.hideText()  # offscreen, a shown tooltip may swallow the next synthetic move
    qtbot.waitUntil(lambda: not QToolTip.isVisible())
    qtbot.mouseMove(view.viewport_widget(), QPoint(3, view.viewport_widget().height() - 3))  # an empty corner
    qtbot.waitUntil(lambda: not plot.previewed())
    assert plot.neuron_curve.xData is None or len(plot.neuron_curve.xData) == 0
