"""The node inspector: node facts, the nudge probe driven through its widgets, and the plots."""

from __future__ import annotations

import re

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from helpers import SEED
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QSlider

from gradlab.ui.common import inspector as inspector_module
from gradlab.ui.common.inspector import NodeInspector
from gradlab.ui.expression.model import ExpressionModel


@pytest.fixture
def lab(qtbot):
    model = ExpressionModel()
    assert model.set_source(SEED)
    widget = NodeInspector(model)
    qtbot.addWidget(widget)
    widget.resize(380, 900)
    widget.show()
    return model, widget


def text(widget, name: str) -> str:
    return widget.findChild(QLabel, name).text()


def number(widget, name: str) -> float:
    return float(text(widget, name))


def select(model, label: str) -> int:
    i = model.graph.find(label)
    assert i is not None
    model.select(i)
    return i


def test_selecting_a_shows_its_gradient_and_a_matching_forward_difference(lab):
    model, widget = lab
    select(model, "a")
    assert text(widget, "nodeLabel") == "a"
    assert text(widget, "nodeRole") == "input"
    assert text(widget, "nodeGrad") == "138.8338"
    assert "138.833819" in widget.findChild(QLabel, "nodeGrad").toolTip()
    assert number(widget, "probeGrad") == pytest.approx(138.8338, abs=1e-4)
    assert number(widget, "probeForwardDiff") == pytest.approx(138.8338, rel=1e-2)  # h = 1e-3: bend
    assert number(widget, "probeCentralDiff") == pytest.approx(138.8338, rel=1e-6)
    assert number(widget, "probeF0") == pytest.approx(24.7041, abs=1e-4)
    assert "Nudging <b>a</b> by h = 0.001 moves <b>g</b>" in text(widget, "probeSentence")
    assert widget.response_plot.curve.getData()[0].size > 0
    assert widget.error_plot.forward.getData()[0].size > 0
    assert widget.findChild(QLabel, "inspectorHint").isHidden()


def test_step_slider_drives_the_model_and_the_probe(lab):
    model, widget = lab
    select(model, "a")
    before = text(widget, "probeFPlus")
    slider = widget.findChild(QSlider, "stepSizeInput")
    assert slider.value() == -12  # h = 1e-3, four positions per decade
    slider.setValue(-8)
    assert model.step_size == pytest.approx(1e-2)
    assert text(widget, "probeFPlus") != before
    assert "h = 0.01 " in text(widget, "probeSentence")
    assert text(widget, "stepSizeLabel") == "h = 0.01"
    assert widget.error_plot.h_line.value() == pytest.approx(-2.0)


def test_model_step_size_updates_the_slider_without_echo(lab, qtbot):
    model, widget = lab
    select(model, "a")
    slider = widget.findChild(QSlider, "stepSizeInput")
    moves, steps = [], []
    slider.valueChanged.connect(moves.append)
    model.step_size_changed.connect(steps.append)
    model.set_step_size(1e-6)
    assert slider.value() == -24
    assert moves == []  # signals were blocked: nothing went back to the model
    assert steps == [1e-6]
    assert text(widget, "stepSizeLabel") == "h = 1e-06"
    assert "h = 1e-06" in text(widget, "probeSentence")


def test_clicking_a_parent_link_selects_it(lab, qtbot):
    model, widget = lab
    select(model, "f")
    e = model.graph.find("e")
    link = widget.findChild(QPushButton, f"nodeLink{e}")
    assert link is not None and link.text() == "e"
    qtbot.waitUntil(link.isVisible)  # a button added to a shown panel shows on the next event loop turn
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton)
    assert model.selected == e
    assert text(widget, "nodeLabel") == "e"


def test_intermediate_node_predicted_and_actual_change_agree(lab):
    model, widget = lab
    f = model.graph.values[select(model, "f")].data
    assert text(widget, "nodeRole") == "intermediate"
    assert text(widget, "nodeOp") == "**2"
    forward, grad = number(widget, "probeForwardDiff"), number(widget, "probeGrad")
    assert grad == pytest.approx(0.5 - 10.0 / f**2, rel=1e-6)  # d(f/2 + 10/f)/df
    assert forward == pytest.approx(grad, rel=1e-4)
    sentence = text(widget, "probeSentence").replace("&nbsp;", " ")
    match = re.search(r"moves <b>g</b> by (\S+) ≈ grad × h = (\S+)$", sentence)
    actual, predicted = float(match[1]), float(match[2])
    assert actual == pytest.approx(predicted, rel=1e-3)
    assert not widget.findChild(QLabel, "probeNote").isHidden()  # explains the override


def test_no_selection_shows_the_hint_and_clears_the_plots(lab):
    model, widget = lab
    select(model, "a")
    model.select(-1)
    assert not widget.findChild(QLabel, "inspectorHint").isHidden()
    assert all(box.isHidden() for box in widget.boxes)
    xs = widget.response_plot.curve.getData()[0]
    assert xs is None or xs.size == 0
    assert widget.error_plot.h_line.isVisible() is False


def test_no_graph_shows_the_hint(qtbot):
    model = ExpressionModel()
    widget = NodeInspector(model)
    qtbot.addWidget(widget)
    assert not widget.findChild(QLabel, "inspectorHint").isHidden()
    model.select(3)
    assert not widget.findChild(QLabel, "inspectorHint").isHidden()


def test_values_changed_updates_the_numbers(lab):
    model, widget = lab
    select(model, "a")
    grad, f0 = text(widget, "nodeGrad"), number(widget, "probeF0")
    model.set_value(model.graph.find("b"), 3.0)
    assert text(widget, "nodeGrad") != grad
    assert number(widget, "probeF0") != f0
    assert number(widget, "probeF0") == pytest.approx(model.graph.output.data)
    assert number(widget, "probeForwardDiff") == pytest.approx(number(widget, "probeGrad"), rel=1e-3)


def test_probe_waits_while_backprop_is_stepped_through(lab):
    model, widget = lab
    bare = ExpressionModel()  # the same steps with no inspector listening
    bare.set_source(SEED)
    select(model, "a")
    for m in (model, bare):
        m.start_backprop()
        for _ in range(4):
            m.step_backprop()
    model.set_step_size(1e-4)
    assert text(widget, "probeGrad") == "—"
    assert "stepped through" in text(widget, "probeNote")
    # the probe ran no backward() behind the step-through: the partial gradients are untouched
    assert [v.grad for v in model.graph.values] == [v.grad for v in bare.graph.values]
    model.finish_backprop()
    assert number(widget, "probeGrad") == pytest.approx(138.8338, abs=1e-4)


def test_large_graphs_draw_the_plots_after_a_pause(lab, qtbot, monkeypatch):
    model, widget = lab
    monkeypatch.setattr(inspector_module, "SYNC_PLOT_NODES", 0)
    select(model, "a")
    assert text(widget, "nodeGrad") == "138.8338"  # the numbers never wait
    assert widget._plot_timer.isActive()
    qtbot.waitUntil(lambda: not widget._plot_timer.isActive() and widget._curve is not None)
    assert widget.response_plot.curve.getData()[0].size == 81


@pytest.mark.parametrize("label", ["a", "f"])
def test_render_screenshot(lab, qtbot, label):
    model, widget = lab
    select(model, label)
    qtbot.wait(50)  # new link buttons show, and layouts settle, on the next event loop turn
    image = widget.grab()
    assert image.width() == 380 and image.height() == 900
    assert image.save(f"/tmp/inspector_{label}.png")
    content = widget.findChild(QScrollArea).widget()  # the whole panel, scrolled or not
    assert content.grab().save(f"/tmp/inspector_{label}_full.png")


def test_render_hint_screenshot(lab, qtbot):
    model, widget = lab
    model.select(-1)
    qtbot.wait(20)
    assert widget.grab().save("/tmp/inspector_hint.png")


@pytest.mark.parametrize("source", [
    "x = Value(-1.0)\ny = x.log()\nz = y * 2\n",  # nan everywhere around x
    "x = Value(0.0)\ny = x.relu()\nz = y * y + 1\n",  # a kink, and a zero error for a straight piece
    "x = Value(1.0)\nz = x * 3\n",  # linear: every error exactly 0 (the log axis must cope)
])
def test_awkward_nodes_do_not_break_the_probe_or_the_plots(qtbot, source):
    model = ExpressionModel()
    assert model.set_source(source)
    widget = NodeInspector(model)
    qtbot.addWidget(widget)
    widget.resize(340, 700)
    widget.show()
    select(model, "x")
    for position in (0, -48):  # h = 1 and h = 1e-12, the slider's ends
        widget.findChild(QSlider, "stepSizeInput").setValue(position)
    qtbot.wait(20)  # let pyqtgraph paint: warnings there would fail the test
    assert widget.grab().save(f"/tmp/inspector_awkward_{len(source)}.png")


def test_a_new_program_rebuilds_the_links_of_the_same_name(lab):
    model, widget = lab
    select(model, "a")
    assert model.set_source("a = Value(1.0)\nb = a * 2\nq = b + a\n")
    assert model.selected == model.graph.find("a")  # the model keeps the name selected
    grid = widget.child_links.layout()  # deleted buttons leave the layout at once
    names = [grid.itemAt(k).widget().text() for k in range(grid.count())]
    assert "q" in names and "c" not in names


@pytest.mark.parametrize("width", [150, 240, 270, 520])
def test_the_plot_key_is_never_cut_at_the_inspectors_width(qtbot, width):
    """The key under the plot wraps to its width (150: a plot beside the other one)."""
    from gradlab.ui.common.plots import ResponsePlot

    plot = ResponsePlot()
    qtbot.addWidget(plot)
    plot.resize(width, 260)
    plot.show()
    qtbot.waitExposed(plot)
    key = plot.key
    assert plot.key_names() == ["output", "value now", "secant (nudge h)", "tangent (grad)"]
    for name in plot.key_names():
        assert name in key.text()
    assert 0 <= key.x() and key.geometry().right() < plot.width()
    assert key.geometry().bottom() < plot.height()
    assert key.height() >= key.heightForWidth(key.width())  # every wrapped line shows
    assert plot.plot_widget.height() >= 100  # and the plot keeps room above it
