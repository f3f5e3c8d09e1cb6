"""The expression lab with the lecture's programs: loops, training runs, sliders that run the
program again, a program's own Value class, and whose gradients the graph shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QSlider, QToolButton

from gradlab import resources
from gradlab.ui.expression import model as expression_model
from gradlab.ui.expression.rerun import input_spans, with_inputs
from gradlab.ui.expression.sliders import NumberBox

#: a loop and a branch: y = x**4, then z = y + 1 above 10, else y - 1
BRANCHY = """x = Value(2.0)
y = x
for i in range(3):
    y = y * x
if y.data > 10:
    z = y + 1
else:
    z = y - 1
print('z is', z.data)
"""

OWN_VALUE = resources.example("own_value").source()



def paste(qtbot, expression_lab, text: str) -> None:
    """Paste ``text`` into the editor as a learner would, and wait for the debounced run."""
    QApplication.clipboard().setText(text)
    expression_lab.editor.setFocus()
    with qtbot.waitSignal(expression_lab.model.program_changed, timeout=5000):
        qtbot.keyClick(expression_lab.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def note(expression_lab) -> str:
    return expression_lab.gradients_label.text() if expression_lab.gradients_label.isVisible() else ""


def test_pasting_a_loop_program_fills_the_plot_panel_and_draws_the_graph(qtbot, expression_lab):
    paste(qtbot, expression_lab, "import matplotlib.pyplot as plt\nxs = [i * 0.5 for i in range(9)]\n"
                      "ys = []\nx = Value(0.0)\nfor v in xs:\n    x = x + v\n    ys.append(x.data)\n"
                      "plt.plot(xs, ys, label='running sum')\nplt.title('sums')\nprint(len(ys))\n")
    assert expression_lab.error_label.isHidden()
    assert (
        expression_lab.plots.figure.isVisible()
        and expression_lab.plots.empty.isHidden()
        and expression_lab.plots.curve_count == 1
    )
    assert expression_lab.plots.figure.items[0].yData[-1] == 18.0
    assert (
        expression_lab.plots.height() > 0.3 * expression_lab.height()
    )  # the panel opened with room to read it
    assert (
        expression_lab.model.graph is not None and len(expression_lab.model.graph) == 19
    )  # x0, then 9 constants and sums
    assert expression_lab.output_label.text() == "x = 18.0000" and expression_lab.console.toPlainText() == "9"


def test_a_plain_program_says_no_plots(qtbot, expression_lab):
    paste(qtbot, expression_lab, "a = Value(2.0)\nb = a * a\n")
    assert (
        expression_lab.plots.empty.isVisible()
        and expression_lab.plots.figure.isHidden()
        and expression_lab.plots.training.isHidden()
    )


def test_the_training_loop_example_plots_one_loss_per_backward(qtbot, expression_lab):
    assert expression_lab.load_source(resources.example("mlp_training").source())
    losses = expression_lab.model.program.losses
    assert len(losses) == 20 == expression_lab.plots.loss_points and expression_lab.plots.training.isVisible()
    (ys,) = [list(c.yData) for c in expression_lab.plots.training.items]
    assert ys == losses and ys[-1] < ys[0] / 10
    # the plot fits the editor's column: its title does not push it wider and clip it
    view = expression_lab.plots.training.plot_widget
    assert view.ci.geometry().width() <= view.viewport().width()
    printed = expression_lab.console.toPlainText().splitlines()
    assert [float(line.split()[1]) for line in printed[:20]] == losses  # what the loop printed
    # the graph is the last step's loss, with the gradients the program's backward() left
    assert expression_lab.model.graph.output is expression_lab.model.program.output
    assert expression_lab.output_label.text().startswith("loss = ")
    assert note(expression_lab) == "Gradients as the program left them."


def test_a_training_loop_typed_twice_as_long_has_twice_the_points(qtbot, expression_lab):
    paste(qtbot, expression_lab, "w = Value(3.0)\nfor k in range(6):\n    loss = w * w\n    w.grad = 0.0\n"
                      "    loss.backward()\n    w.data -= 0.1 * w.grad\n")
    assert expression_lab.plots.loss_points == 6
    expression_lab.load_source(expression_lab.editor.toPlainText().replace("range(6)", "range(12)"))
    assert expression_lab.plots.loss_points == 12 and expression_lab.model.program.losses[0] == 9.0


def test_a_slider_on_a_loop_program_runs_the_program_again(qtbot, expression_lab):
    expression_lab.load_source(BRANCHY)
    model = expression_lab.model
    assert expression_lab.output_label.text() == "z = 17.0000" and not model.program.straight_line
    box = expression_lab.findChild(NumberBox, "value_x")
    slider = expression_lab.findChild(QSlider, "slider_x")
    with qtbot.waitSignal(model.rerun_finished, timeout=5000):
        box.setText("1")
        box.editingFinished.emit()
    # run again, the branch went the other way: 1**4 - 1 = 0 (recomputing in place would give 2)
    assert (
        expression_lab.output_label.text() == "z = 0.0000"
        and expression_lab.console.toPlainText() == "z is 0.0"
    )
    assert model.overrides == {"x": 1.0} and model.program.values["x"].data == 1.0
    assert expression_lab.editor.toPlainText() == BRANCHY  # the program text is the learner's, untouched
    assert expression_lab.findChild(QSlider, "slider_x") is slider  # the row stayed: a drag goes on
    # a drag: each move asks for a run; the newest one wins
    with qtbot.waitSignal(model.rerun_finished, timeout=5000):
        for position in (600, 700, 800, 900):
            slider.setValue(position)
    qtbot.waitUntil(lambda: not model.rerun_pending(), timeout=5000)
    x = model.program.values["x"].data
    assert (
        x == round(expression_lab.sliders.rows["x"]._value_at(900), 6) == 5.2
    )  # the last position asked for
    assert model.program.values["z"].data == pytest.approx(x**4 + (1 if x**4 > 10 else -1))
    assert box.value() == x


def test_descend_on_a_loop_program_runs_it_again(qtbot, expression_lab):
    expression_lab.load_source("x = Value(1.0)\ny = x\nfor i in range(2):\n    y = y * x\n")
    assert expression_lab.output_label.text() == "y = 1.0000"
    expression_lab.rate_input.setValue(0.1)
    with qtbot.waitSignal(expression_lab.model.rerun_finished, timeout=5000):
        qtbot.mouseClick(expression_lab.findChild(QToolButton, "descendButton"), Qt.MouseButton.LeftButton)
    assert expression_lab.model.program.values["x"].data == pytest.approx(0.7)  # 1 - 0.1 * 3x**2
    assert expression_lab.output_label.text() == "y = 0.3430"


def test_a_failing_rerun_shows_its_error_and_keeps_the_graph(qtbot, expression_lab):
    expression_lab.load_source("x = Value(2.0)\nfor i in range(2):\n"
                    "    assert x.data > 0, 'x must be positive'\ny = x * 3\n")
    before = expression_lab.model.graph
    with qtbot.waitSignal(expression_lab.model.rerun_finished, timeout=5000):
        expression_lab.model.set_value(expression_lab.model.graph.find("x"), -1.0)
    assert (
        expression_lab.error_label.isVisible() and "x must be positive" in expression_lab.error_label.text()
    )
    assert expression_lab.model.graph is before
    with qtbot.waitSignal(expression_lab.model.rerun_finished, timeout=5000):
        expression_lab.model.set_value(expression_lab.model.graph.find("x"), 5.0)
    assert expression_lab.error_label.isHidden() and expression_lab.output_label.text() == "y = 15.0000"


def test_editing_the_program_drops_a_rerun_still_running(qtbot, expression_lab):
    expression_lab.load_source(BRANCHY)
    expression_lab.model.set_value(expression_lab.model.graph.find("x"), 1.0)  # a run starts on the worker
    expression_lab.load_source("a = Value(4.0)\nb = a + 1\n")  # waits for that run, then runs this one
    qtbot.waitUntil(lambda: not expression_lab.model.rerun_pending(), timeout=5000)
    QApplication.processEvents()  # the stale result arrives, and is dropped
    assert expression_lab.output_label.text() == "b = 5.0000" and expression_lab.model.overrides == {}


def test_an_input_not_made_by_a_value_call_has_its_slider_off(qtbot, expression_lab):
    expression_lab.load_source("vs = [Value(1.0), Value(2.0)]\nw = vs[0]\ns = Value(3.0)\nt = s\n"
                    "for v in vs:\n    t = t * v\n")
    assert expression_lab.findChild(QSlider, "slider_s").isEnabled()
    w = expression_lab.findChild(QSlider, "slider_w")
    assert w is not None and not w.isEnabled() and w.toolTip() == expression_lab.model.slider_note("w")
    assert "change its value in the program" in w.toolTip()  # what the learner can do instead


def test_a_programs_own_value_class_turns_the_probe_off_with_a_reason(qtbot, expression_lab):
    assert expression_lab.load_source(OWN_VALUE)
    model = expression_lab.model
    assert model.program.mirrored and expression_lab.output_label.text() == "o = 0.7071"
    grads = [v.grad for v in model.graph.values]
    model.select(model.graph.find("x1"))
    probe_note = expression_lab.inspector.findChild(QLabel, "probeNote")
    assert probe_note.isVisible() and probe_note.text() == expression_model.MIRRORED_TEXT
    assert expression_lab.inspector.findChild(QLabel, "probeGrad").text() == "—"
    for name in ("backpropStepButton", "backpropFinishButton", "descendButton", "ascendButton"):
        assert not expression_lab.findChild(QToolButton, name).isEnabled(), name
    model.step_backprop()
    model.finish_backprop()
    model.step_inputs(0.1)
    assert [v.grad for v in model.graph.values] == grads  # nothing recomputed or backpropagated
    assert expression_lab.inspector.findChild(QLabel, "nodeGrad").text() == "-1.5000"
    assert note(expression_lab).startswith("Gradients as your own Value class left them")
    hints = [w.text() for w in expression_lab.sliders.findChildren(QLabel)]
    assert "Sliders are off: this graph is a copy of your own Value class's objects." in hints


def test_a_hand_run_backward_chain_keeps_its_gradients_until_finish(qtbot, expression_lab):
    expression_lab.load_source("a = Value(2.0)\nb = Value(-3.0)\nc = a * b\nL = c + 1\n"
                    "L.grad = 1.0\nL._backward()\n")  # c's _backward never ran: a and b stay 0
    model = expression_lab.model
    a = model.graph.find("a")
    model.select(a)
    assert model.graph.values[a].grad == 0.0  # the probe did not fill it in
    assert (
        expression_lab.inspector.findChild(QLabel, "probeNote").text()
        == expression_model.PROGRAM_GRADIENTS_TEXT
    )
    assert note(expression_lab) == "Gradients as the program left them."
    model.finish_backprop()
    assert model.graph.values[a].grad == -3.0
    assert expression_lab.inspector.findChild(QLabel, "probeGrad").text() == "-3"  # the probe is on again
    assert note(expression_lab) == "Gradients computed by gradlab since the graph changed."


def test_one_backward_keeps_the_probe_on(qtbot, expression_lab):
    expression_lab.load_source(resources.example("lecture").source())
    model = expression_lab.model
    model.select(model.graph.find("a"))
    assert expression_lab.inspector.findChild(QLabel, "probeGrad").text() == "6"
    assert not expression_lab.inspector.findChild(QLabel, "probeNote").isVisible()
    assert note(expression_lab) == "Gradients as the program left them."


def test_gradients_the_app_computed_are_marked(qtbot, expression_lab):
    expression_lab.load_source("a = Value(2.0)\nb = a * a\n")
    assert note(expression_lab) == "Gradients computed by gradlab (the program never called backward())."
    assert expression_lab.model.graph.values[expression_lab.model.graph.find("a")].grad == 4.0


def test_draw_dot_chooses_the_node_shown(qtbot, expression_lab):
    expression_lab.load_source("a = Value(2.0)\nb = a * 3\nc = b + 1\ndraw_dot(b)\n")
    assert (
        expression_lab.model.graph.output.label == "b" and expression_lab.output_label.text() == "b = 6.0000"
    )
    assert len(expression_lab.model.graph) == 3  # a, the constant 3 and b: c is not drawn


# -- the source rewriting behind a rerun ---------------------------------------------------------


def test_input_spans_find_each_inputs_number():
    src = "x = Value(2.0, label='x')\ny = Value(data=-1)  # é\nz = x\nw = [1][0]\nλ = Value( 3 )\n"
    spans = input_spans(src, {"x": 1, "y": 2, "z": 3, "w": 4, "λ": 5}, ["x", "y", "z", "w", "λ"])
    assert set(spans) == {"x", "y", "λ"}
    out = with_inputs(src, spans, {"x": 0.5, "y": float("inf"), "λ": -7.0})
    assert out.splitlines()[:2] == ["x = Value(0.5, label='x')", "y = Value(data=float('inf'))  # é"]
    assert out.splitlines()[4] == "λ = Value( -7.0 )"


def test_input_spans_skip_what_cannot_be_rewritten():
    assert input_spans("x = Value(1 +\n  2)\n", {"x": 1}, ["x"]) == {}  # a number over two lines
    assert with_inputs("x = Value(\n  2.0)\n", input_spans("x = Value(\n  2.0)\n", {"x": 1}, ["x"]),
                       {"x": 4.0}) == "x = Value(\n  4.0)\n"
    assert input_spans("x = (", {"x": 1}, ["x"]) == {}
    assert input_spans("%matplotlib inline\nx = Value(1)\n", {"x": 2}, ["x"]) == {"x": (2, 10, 11)}
