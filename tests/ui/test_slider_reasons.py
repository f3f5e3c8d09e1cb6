"""An input whose slider cannot work says why in the slider's place, where a learner looks."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSlider

from gradlab import resources
from gradlab.ui.sliders import NumberBox


def test_the_mlp_examples_leftover_loop_variable_says_why_it_has_no_slider(qtbot, lab):
    assert lab.load_source(resources.example("mlp_training").source())
    assert [name for name, _ in lab.sliders._inputs] == ["p"]  # the loop's last parameter
    reason = lab.sliders.findChild(QLabel, "sliderNote_p")
    assert reason is not None and reason.isVisible()
    assert reason.text() == lab.model.slider_note("p")
    # what the learner can do, first: inspect it, or change it where the program makes it
    assert reason.text().startswith("Click p's box in the graph to see and probe it.")
    assert "change its value in the program" in reason.text() and "p = Value(2.0)" in reason.text()
    assert lab.sliders.findChild(QSlider, "slider_p").isHidden()
    box = lab.sliders.findChild(NumberBox, "value_p")
    assert box.isVisible() and not box.isEnabled() and box.value() == lab.model.program.values["p"].data
    grab = lab.sliders.grab()  # nothing clipped: the reason wraps inside the panel
    assert reason.geometry().right() < grab.width() and reason.geometry().bottom() < grab.height()


def test_a_working_slider_has_no_reason_beside_it(qtbot, lab):
    assert lab.load_source("x = Value(2.0)\ny = x * x\n")
    assert lab.sliders.findChild(QSlider, "slider_x").isVisible()
    assert lab.sliders.findChild(QLabel, "sliderNote_x") is None
