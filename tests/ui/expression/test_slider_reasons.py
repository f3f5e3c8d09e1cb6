"""An input whose slider cannot work says why in the slider's place, where a learner looks."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSlider

from gradlab import resources
from gradlab.ui.expression.sliders import NumberBox


def test_the_mlp_examples_leftover_loop_variable_says_why_it_has_no_slider(qtbot, expression_lab):
    assert expression_lab.load_source(resources.example("mlp_training").source())
    assert [name for name, _ in expression_lab.sliders._inputs] == ["p"]  # the loop's last parameter
    reason = expression_lab.sliders.findChild(QLabel, "sliderNote_p")
    assert reason is not None and reason.isVisible()
    assert reason.text() == expression_lab.model.slider_note("p")
    # what the learner can do, first: inspect it, or change it where the program makes it
    assert reason.text().startswith("Click p's box in the graph to see and probe it.")
    assert "change its value in the program" in reason.text() and "p = Value(2.0)" in reason.text()
    assert expression_lab.sliders.findChild(QSlider, "slider_p").isHidden()
    box = expression_lab.sliders.findChild(NumberBox, "value_p")
    assert (
        box.isVisible()
        and not box.isEnabled()
        and box.value() == expression_lab.model.program.values["p"].data
    )
    grab = expression_lab.sliders.grab()  # nothing clipped: the reason wraps inside the panel
    assert reason.geometry().right() < grab.width() and reason.geometry().bottom() < grab.height()


def test_a_working_slider_has_no_reason_beside_it(qtbot, expression_lab):
    assert expression_lab.load_source("x = Value(2.0)\ny = x * x\n")
    assert expression_lab.sliders.findChild(QSlider, "slider_x").isVisible()
    assert expression_lab.sliders.findChild(QLabel, "sliderNote_x") is None
