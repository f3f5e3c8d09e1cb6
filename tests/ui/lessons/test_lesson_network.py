"""A step's network: the network lab opens with its settings, rebuilt at step 0, and a condition
on training turns done as the learner trains."""

from __future__ import annotations

import textwrap

from conftest import write_lesson
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from test_lesson_panel import click, panel_widget

TRAIN_LESSON = textwrap.dedent('''\
    title = "Train a little"

    [[step]]
    text = "Press **Step** three times."
    network = { dataset = "moons", n_samples = 40, layers = [4], activation = "tanh", learning_rate = 0.5 }
    done_when = "lab == 'network' and step >= 3 and dataset == 'moons' and loss == loss"
    highlight = ["stepButton"]

    [[step]]
    text = "Back to the expression lab: the network stays as it is."
    ''')


def test_a_network_step_rebuilds_the_lab_and_training_makes_it_done(qtbot, window, tmp_path):
    lab = window.show_network_lab()
    lab.model.step(5)  # the learner trained before: the step starts again from 0
    assert lab.model.step_count == 5
    assert window.lessons.open_file(write_lesson(tmp_path, "train", TRAIN_LESSON))
    m = lab.model
    assert window.tabs.currentWidget() is window.network_tab
    assert m.step_count == 0 and m.cfg.layers == (4,) and m.cfg.activation == "tanh"
    assert m.cfg.learning_rate == 0.5 and len(m.dataset.X) == 40
    assert window.lessons.highlighter.names() == ["stepButton"]
    outline = window.lessons.highlighter.outlines[0]
    qtbot.waitUntil(outline.isVisible)
    window.tabs.setCurrentWidget(window.expression_lab)  # the button is out of sight: so is its outline
    qtbot.waitUntil(lambda: not outline.isVisible())
    window.tabs.setCurrentWidget(window.network_tab)
    qtbot.waitUntil(outline.isVisible)
    next_button = panel_widget(window, "lessonNextButton")
    step = lab.findChild(QToolButton, "stepButton")
    for k in range(3):
        assert not next_button.isEnabled(), f"done after {k} steps"
        qtbot.mouseClick(step, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda k=k: m.step_count == k + 1)
    qtbot.waitUntil(next_button.isEnabled)
    click(qtbot, window, "lessonNextButton")
    assert m.step_count == 3 and m.cfg.layers == (4,)  # a step without network keeps the lab
