"""The two labs joined, driven as a learner drives them: the lecture's training loop pasted and run,
"Open in the network lab" clicked (the network lab shows its architecture, weights and loss); a
point traced there, "Show as a program" clicked (the expression lab runs it: the point's loss)."""

from __future__ import annotations

import pytest
from helpers import hinge_loop
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSpinBox
from windows import open_window, paste, run_key

LEFT = Qt.MouseButton.LeftButton

#: the lecture's loop (micrograd's MLP, a forward pass, the loss, zero_grad, backward, the update)
#: on points of two inputs, with micrograd's hinge loss; it prints its loss at the final weights
LOOP = hinge_loop(3, 10) + """\
final = sum((1 + -y * n(x)).relu() for x, y in zip(xs, ys)) * (1.0 / len(ys))
print(f"final loss {final.data!r}")
"""


def _run(qtbot, w, source: str) -> None:
    lab = w.expression_lab
    paste(qtbot, lab, source)
    run_key(qtbot, lab)
    qtbot.waitUntil(lambda: lab.model.program is not None and lab.model.program.source == source
                    and not lab.model.run_in_flight(), timeout=10000)


def _printed_loss(w) -> float:
    (line,) = [x for x in w.expression_lab.model.program.printed if x.startswith("final loss")]
    return float(line.split()[-1])


def test_the_lectures_loop_opens_in_the_network_lab_and_a_point_comes_back_as_a_program(qtbot):
    w = open_window(qtbot)
    _run(qtbot, w, LOOP)
    lab = w.expression_lab
    button = lab.handoff_bar.button
    assert button.objectName() == "openInNetworkLabButton"
    assert lab.handoff_bar.isVisible() and button.isEnabled()
    assert "MLP 2-4-4-1" in button.toolTip() and lab.handoff_bar.note.text() == "n: MLP 2-4-4-1, 6 points"
    weights = lab.model.program.trained[0]["parameters"]
    program_loss = _printed_loss(w)

    qtbot.mouseClick(button, LEFT)
    assert w.tabs.currentWidget() is w.network_tab
    assert w.statusBar().currentMessage().startswith("Opened n from your program: MLP 2-4-4-1, 6 points.")
    net = w.network_tab.lab
    assert net.model.trainer.layer_sizes == (2, 4, 4, 1)
    assert net.model.trainer.parameters() == weights

    def widths() -> list[int]:  # the editor's layer rows (the old rows go at the next event loop)
        boxes = net.editor.findChildren(QSpinBox)
        return [box.value() for box in boxes if box.objectName().startswith("layerWidth")]

    qtbot.waitUntil(lambda: widths() == [4, 4], timeout=5000)  # the editor shows the program's layers
    with qtbot.waitSignal(net.model.step_completed):
        qtbot.mouseClick(net.step_button, LEFT)  # the first step is measured at the program's weights
    qtbot.waitUntil(lambda: net.stats_label.text().startswith("loss "), timeout=5000)
    assert net.history.arrays()[1][0] == pytest.approx(program_loss, rel=1e-12)
    assert f"loss {program_loss:.4g}" in net.stats_label.text()

    # trace a point: a click on it in the decision plot
    plot = net.decision_plot
    x, y = net.model.trainer.train_set.X[2]
    viewport = plot.plot_widget.viewport()
    with qtbot.waitSignal(net.model.point_selected):
        qtbot.mouseClick(viewport, LEFT, pos=plot.plot_widget.mapFromScene(plot.scene_pos_of(x, y)))
    show = net.show_program_button
    assert show.objectName() == "showAsProgramButton"
    qtbot.waitUntil(show.isVisible, timeout=5000)
    traced_loss = net.trace.graph.output.data
    qtbot.mouseClick(show, LEFT)
    assert w.tabs.currentWidget() is lab
    qtbot.waitUntil(lambda: lab.model.graph is not None and "def neuron" in lab.model.program.source
                    and not lab.model.run_in_flight(), timeout=10000)
    assert lab.model.graph.output.data == traced_loss
    assert lab.output_label.text().startswith("loss = ")
    # the program it replaced is kept: Recover Previous Work brings it back
    assert w.recover_previous()
    qtbot.waitUntil(lambda: lab.editor.toPlainText() == LOOP, timeout=5000)


def test_a_three_input_mlp_says_why_it_cannot_open_and_no_mlp_shows_no_button(qtbot):
    w = open_window(qtbot)
    three = LOOP.replace("MLP(2,", "MLP(3,").replace("], [", ", 1.0], [").replace("-1.5]]", "-1.5, 1.0]]")
    _run(qtbot, w, three)
    bar = w.expression_lab.handoff_bar
    assert bar.isVisible() and not bar.button.isEnabled()
    assert "the network lab draws 1 or 2 inputs; this MLP takes 3" in bar.reason.text()
    assert "this MLP takes 3" in bar.button.toolTip()
    _run(qtbot, w, "a = Value(2.0, label='a')\nb = a * a")
    assert not bar.isVisible()


def test_the_network_lab_it_replaced_is_kept_for_recover_previous_work(qtbot):
    w = open_window(qtbot)
    net = w.show_network_lab()
    net.model.edit_config({"layers": (3,)})  # the learner's own network
    w.tabs.setCurrentWidget(w.expression_lab)
    _run(qtbot, w, LOOP)
    qtbot.mouseClick(w.expression_lab.handoff_bar.button, LEFT)
    assert net.model.trainer.layer_sizes == (2, 4, 4, 1)
    assert w.recover_previous()
    assert net.model.trainer.layer_sizes == (2, 3, 1)
