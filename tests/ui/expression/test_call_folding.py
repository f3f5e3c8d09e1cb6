"""Big graphs folded by call (issue 20), driven as a learner would: the lecture's MLP opens with
its forward passes collapsed and reads whole at 1280x720; a click opens a call in place, another
closes it; Step steps over a collapsed call and Step into opens it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from test_call_groups import GRADLAB_MLP
from windows import shown, whole_graph_in_view

from gradlab.call_groups import FoldedGraph
from gradlab.canvas_view import READABLE_PX
from gradlab.ui.expression.lab import ExpressionLab

CORPUS = Path(__file__).parents[2] / "lecture_corpus"
#: the lecture's own Value class, Neuron, Layer and MLP; three training steps (the graph is the same)
LECTURE_MLP = (CORPUS / "lecture_mlp.ipy").read_text(encoding="utf-8").replace("range(20)", "range(3)")


@pytest.fixture
def lab(qtbot):
    widget = shown(ExpressionLab(), qtbot, (1280, 720))
    yield widget
    qtbot.waitUntil(lambda: not widget.model.rerun_pending(), timeout=5000)


def settled(qtbot, lab) -> None:
    canvas = lab.canvas
    qtbot.waitUntil(lambda: not canvas._relayout_timer.isActive(), timeout=3000)


def click(qtbot, lab, index: int) -> None:
    canvas = lab.canvas
    with qtbot.waitSignal(canvas.node_clicked, timeout=2000):
        qtbot.mouseClick(canvas.viewport_widget(), Qt.MouseButton.LeftButton, pos=canvas.view_pos_of(index))


def test_the_lecture_mlp_opens_collapsed_and_reads_whole_at_1280x720(qtbot, lab):
    assert lab.load_source(LECTURE_MLP)
    settled(qtbot, lab)
    graph = lab.model.graph
    assert isinstance(graph, FoldedGraph) and len(graph.full) > 300
    assert sorted(graph.names[k] for k in graph.group_at) == ["net(x)₁", "net(x)₂", "net(x)₃", "net(x)₄"]
    canvas = lab.canvas
    canvas.fit()
    assert whole_graph_in_view(canvas)
    assert canvas.label_px() >= READABLE_PX  # every name, data and grad readable at fit
    for k, g in graph.group_at.items():  # a call's box: its label, its result's data and grad
        result = graph.full.values[graph.full.call_groups.result[g]]
        name, data, grad = canvas.label_text(k).split("\n")
        assert name.startswith("net(x)") and graph.values[k] is result
        assert (float(data), float(grad)) == (round(result.data, 4), round(result.grad, 4))


def test_a_click_opens_a_call_in_place_and_another_closes_it(qtbot, lab):
    assert lab.load_source(LECTURE_MLP)
    settled(qtbot, lab)
    folded = lab.model.graph
    k = min(folded.group_at)
    result = folded.values[k]
    with qtbot.waitSignal(lab.model.program_changed, timeout=2000):
        click(qtbot, lab, k)
    opened = lab.model.graph
    assert len(opened) == len(folded) + 2  # the forward pass is three layers' calls now
    assert lab.model.selected >= 0 and opened.values[lab.model.selected] is result
    assert len(lab.canvas.drawing.pos) > len(folded)  # drawn anew
    settled(qtbot, lab)
    with qtbot.waitSignal(lab.model.program_changed, timeout=2000):
        click(qtbot, lab, lab.model.selected)  # the same place again: the call closes
    assert lab.model.graph.names == folded.names
    assert lab.model.graph.values[lab.model.selected] is result


def test_step_steps_over_a_collapsed_call_and_step_into_opens_it(qtbot, lab):
    assert lab.load_source(GRADLAB_MLP.replace("loss = loss_of(ypred, ys)",
                                               "loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))"))
    graph = lab.model.graph
    step = lab.findChild(QToolButton, "backpropStepButton")
    into = lab.findChild(QToolButton, "backpropStepIntoButton")
    qtbot.mouseClick(step, Qt.MouseButton.LeftButton)  # step 0: the output's grad is 1
    assert not into.isEnabled()
    while not into.isEnabled():
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    assert graph.group_of(lab.model.backprop_order[lab.model.backprop_step]) >= 0
    qtbot.mouseClick(step, Qt.MouseButton.LeftButton)  # over the whole forward pass at once
    assert "a call: every node inside it at once" in lab.canvas.step_banner.text()
    while not into.isEnabled():
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    before = len(lab.model.graph)
    with qtbot.waitSignal(lab.model.program_changed, timeout=2000):
        qtbot.mouseClick(into, Qt.MouseButton.LeftButton)
    assert len(lab.model.graph) > before and lab.model.backprop_step >= 0
    total = len(lab.model.backprop_order)
    while lab.model.backprop_step < total:
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
    full = lab.model.graph.full
    stepped = [v.grad for v in full.values]
    full.backward()
    assert stepped == pytest.approx([v.grad for v in full.values], rel=1e-12)
