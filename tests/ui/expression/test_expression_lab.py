"""The expression lab driven as a learner would: typing, clicking, dragging."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSlider

from gradlab import resources

SEED = resources.example("seed").source()



def type_text(qtbot, widget, text: str) -> None:
    """Type key by key; QTest takes no newline characters, so Return ends each line."""
    for i, line in enumerate(text.split("\n")):
        if i:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.keyClicks(widget, line)


def type_program(qtbot, expression_lab, text: str) -> None:
    """Type into the editor, then wait for the debounced run."""
    expression_lab.editor.setFocus()
    with qtbot.waitSignal(expression_lab.model.program_changed, timeout=5000):
        type_text(qtbot, expression_lab.editor, text)


def test_typing_the_seed_example_shows_24_7041(qtbot, expression_lab):
    type_program(qtbot, expression_lab, SEED)
    assert expression_lab.output_label.text() == "g = 24.7041"
    assert expression_lab.console.toPlainText().splitlines() == ["24.7041", "138.8338", "645.5773"]


def test_clicking_node_a_shows_its_gradient(qtbot, expression_lab):
    expression_lab.load_source(SEED)
    a = expression_lab.model.graph.find("a")
    expression_lab.canvas.fit()
    with qtbot.waitSignal(expression_lab.model.selection_changed, timeout=2000) as blocker:
        qtbot.mouseClick(expression_lab.canvas.viewport_widget(), Qt.MouseButton.LeftButton,
                         pos=expression_lab.canvas.view_pos_of(a))
    assert blocker.args == [a]
    texts = " ".join(label.text() for label in expression_lab.inspector.findChildren(QLabel))
    assert "138.8338" in texts


def test_moving_slider_b_updates_output_and_canvas(qtbot, expression_lab):
    expression_lab.load_source(SEED)
    slider = expression_lab.findChild(QSlider, "slider_b")
    assert slider is not None and expression_lab.findChild(QSlider, "slider_a") is not None
    before_output = expression_lab.output_label.text()
    out = len(expression_lab.model.graph) - 1
    before_label = expression_lab.canvas.label_text(out)
    with qtbot.waitSignal(expression_lab.model.values_changed, timeout=2000):
        slider.setFocus()
        qtbot.keyClick(slider, Qt.Key.Key_PageUp)  # a learner's keyboard drag
    b = expression_lab.model.graph.find("b")
    assert expression_lab.model.graph.values[b].data > 2.0
    assert expression_lab.output_label.text() != before_output
    assert expression_lab.canvas.label_text(out) != before_label
    assert f"{expression_lab.model.graph.output.data:.4f}" in expression_lab.canvas.label_text(out)


def test_dragging_a_slider_with_the_mouse(qtbot, expression_lab):
    expression_lab.load_source(SEED)
    slider = expression_lab.findChild(QSlider, "slider_a")
    start = slider.value()
    x0 = round(slider.width() * start / slider.maximum())
    y = slider.height() // 2
    from PySide6.QtCore import QPoint

    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=QPoint(x0, y))
    qtbot.mouseMove(slider, QPoint(x0 + 40, y))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(x0 + 40, y))
    qtbot.waitUntil(lambda: slider.value() != start, timeout=2000)
    a = expression_lab.model.graph.find("a")
    assert expression_lab.model.graph.values[a].data != -4.0
    assert expression_lab.output_label.text() != "g = 24.7041"


def test_an_error_marks_its_line_and_keeps_the_last_graph(qtbot, expression_lab):
    expression_lab.load_source(SEED)
    good_graph = expression_lab.model.graph
    with qtbot.waitSignal(expression_lab.model.error_changed, timeout=5000):
        expression_lab.editor.moveCursor(expression_lab.editor.textCursor().MoveOperation.End)
        type_text(qtbot, expression_lab.editor, "\nh = z + 1")
    err_line = expression_lab.editor.blockCount()  # the line just typed
    assert expression_lab.editor.error_line() == err_line
    assert (
        f"line {err_line}" in expression_lab.error_label.text() and "'z'" in expression_lab.error_label.text()
    )
    assert expression_lab.model.graph is good_graph
    assert expression_lab.output_label.text() == "g = 24.7041"
    # fixing the typo clears the mark
    with qtbot.waitSignal(expression_lab.model.error_changed, timeout=5000):
        for _ in "z + 1":
            qtbot.keyClick(expression_lab.editor, Qt.Key.Key_Backspace)
        qtbot.keyClicks(expression_lab.editor, "a + 1")
        qtbot.keyClick(expression_lab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert expression_lab.editor.error_line() == 0 and expression_lab.error_label.isHidden()


def test_ctrl_enter_runs_at_once(qtbot, expression_lab):
    expression_lab.editor.setPlainText("x = Value(3.0)\ny = x * x")
    with qtbot.waitSignal(expression_lab.model.program_changed, timeout=200):
        qtbot.keyClick(expression_lab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert expression_lab.output_label.text() == "y = 9.0000"


@pytest.mark.parametrize("example", [e.name for e in resources.examples()])
def test_every_example_opens(qtbot, expression_lab, example):
    assert expression_lab.load_source(resources.example(example).source())
    assert expression_lab.model.graph is not None and len(expression_lab.model.graph) > 1
    assert expression_lab.error_label.isHidden()


def test_backprop_step_through_fills_gradients_in_reverse_order(qtbot, expression_lab):
    expression_lab.load_source(resources.example("lecture").source())
    graph = expression_lab.model.graph
    from PySide6.QtWidgets import QToolButton

    button = expression_lab.findChild(QToolButton, "backpropStepButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert graph.output.grad == 1.0 and all(v.grad == 0.0 for v in graph.values[:-1])
    for _ in range(sum(1 for v in graph.values if v._prev)):  # a step per node with operands
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    a = graph.values[graph.find("a")]
    assert a.grad == pytest.approx(6.0)  # dL/da = b * f = -3 * -2


def test_step_along_the_gradient_moves_l_from_minus_8(qtbot, expression_lab):
    expression_lab.load_source(resources.example("lecture").source())
    from PySide6.QtWidgets import QToolButton

    assert expression_lab.output_label.text() == "L = -8.0000"
    qtbot.mouseClick(expression_lab.findChild(QToolButton, "ascendButton"), Qt.MouseButton.LeftButton)
    # the lecture's moment: every leaf moves by 0.01 * grad and L rises to about -7.29
    assert expression_lab.model.graph.output.data == pytest.approx(-7.29, abs=0.01)
    assert expression_lab.output_label.text().startswith("L = -7.2")
    qtbot.mouseClick(expression_lab.findChild(QToolButton, "descendButton"), Qt.MouseButton.LeftButton)
    assert expression_lab.model.graph.output.data < -7.29


def test_sliders_follow_the_model_without_echo(qtbot, expression_lab):
    """Model to widget: a gradient step moves the sliders and number boxes, and sends nothing back."""
    from gradlab.ui.expression.sliders import NumberBox

    expression_lab.load_source(resources.example("lecture").source())
    graph = expression_lab.model.graph
    a = graph.values[graph.find("a")]
    slider = expression_lab.findChild(QSlider, "slider_a")
    box = expression_lab.findChild(NumberBox, "value_a")
    before = slider.value()
    emitted = []
    expression_lab.model.values_changed.connect(emitted.append)
    expression_lab.model.step_inputs(-1.0)  # a moves by +1 * grad = +6
    assert len(emitted) == 1  # the widgets' updates did not echo into the model
    assert a.data == pytest.approx(8.0) and box.value() == pytest.approx(8.0)
    assert slider.value() != before


def test_typing_a_value_in_the_number_box(qtbot, expression_lab):
    from gradlab.ui.expression.sliders import NumberBox

    expression_lab.load_source(resources.example("derivative").source())
    box = expression_lab.findChild(NumberBox, "value_x")
    box.selectAll()
    qtbot.keyClicks(box, "2")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert expression_lab.output_label.text() == "f = 9.0000"  # 3*4 - 8 + 5
