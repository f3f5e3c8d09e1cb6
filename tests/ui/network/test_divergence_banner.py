"""Issue 17.2 in the network lab, driven as a user would: every dataset trains on its defaults,
a runaway loss pauses training with a banner that offers half the learning rate, and the loss
plot stays readable at any loss."""

from __future__ import annotations

import numpy as np
import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel, QPushButton, QToolButton
from windows import shown

from gradlab.datasets import DATASETS
from gradlab.training.config import default_config
from gradlab.ui.network.lab import NetworkLab
from gradlab.ui.network.training_plots import AUTO_LOG_DECADES, LossPlot, short_tick

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def network_lab(qtbot):
    """The network lab at a laptop's 1280x720, smaller than conftest's desktop size."""
    return shown(NetworkLab(), qtbot, (1280, 720))


def pick_dataset(qtbot, network_lab, name: str) -> None:
    """Choose ``name`` in the dataset combo with the keyboard, as a user can: Home for the first,
    else Down or Up from the one shown (each dataset passed on the way is built, as for the user)."""
    combo = network_lab.data_panel.dataset_combo
    combo.setFocus()
    target = combo.findData(name)
    if target == 0:
        qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(abs(target - combo.currentIndex()) if target else 0):
        qtbot.keyClick(combo, Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up)
    assert combo.currentData() == name


def type_learning_rate(qtbot, network_lab, text: str) -> None:
    box = network_lab.editor.learning_rate
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def banner_shown(network_lab) -> bool:
    return network_lab.findChild(QLabel, "divergenceText").isVisible()


def shows(widget) -> bool:
    """``widget`` is on screen: some of it is inside every scroll area that holds it."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def test_sine_picked_in_the_combo_trains_on_its_defaults_when_played(qtbot, network_lab):
    pick_dataset(qtbot, network_lab, "sine")
    cfg = network_lab.model.cfg
    assert cfg == default_config(network_lab.model.dataset, "sine", seed=cfg.seed)
    assert network_lab.editor.learning_rate.value() == pytest.approx(
        cfg.learning_rate
    )  # the editor shows them
    network_lab.speed_combo.setCurrentIndex(network_lab.speed_combo.findData(0))  # top speed
    qtbot.mouseClick(network_lab.findChild(QToolButton, "playButton"), LEFT)
    qtbot.waitUntil(lambda: network_lab.model.step_count >= 400, timeout=20000)
    qtbot.mouseClick(network_lab.findChild(QToolButton, "playButton"), LEFT)
    losses = [r.loss for r in network_lab.model.trainer.history]
    assert not banner_shown(network_lab) and network_lab.model.problem == ""
    assert losses[-1] < losses[0] / 20  # micrograd's recipe went 6.4, 2.2e5, 3.4e24 ... here


@pytest.mark.slow  # a training set-up built for every dataset there is
def test_each_dataset_picked_brings_its_own_defaults(qtbot, network_lab):
    for name in DATASETS:
        pick_dataset(qtbot, network_lab, name)
        m = network_lab.model
        assert m.cfg == default_config(m.dataset, name, seed=m.cfg.seed), name
        assert m.trainer is not None and m.problem == ""
    pick_dataset(qtbot, network_lab, "moons")
    assert (
        network_lab.model.cfg.learning_rate == 1.0 and network_lab.model.cfg.lr_decay == 100
    )  # micrograd's demo again


def test_moons_at_rate_10_pauses_with_a_banner_whose_button_halves_the_rate(qtbot, network_lab):
    messages = []
    network_lab.status_message.connect(lambda t, _ms: messages.append(t))
    type_learning_rate(qtbot, network_lab, "10")
    assert network_lab.model.cfg.learning_rate == 10
    qtbot.mouseClick(network_lab.findChild(QToolButton, "playButton"), LEFT)
    qtbot.waitUntil(lambda: not network_lab.model.running, timeout=10000)
    assert banner_shown(network_lab)
    text = network_lab.findChild(QLabel, "divergenceText").text()
    assert "learning rate (10) is too large" in text and "more than 10 times where it started" in text
    assert any(m.startswith("Training diverged at step") for m in messages)
    assert network_lab.model.step_count <= 3  # caught early, not at 1.9e7 after many steps
    assert shows(network_lab.editor.learning_rate)  # the control the banner talks about is in view
    halve = network_lab.findChild(QPushButton, "halveRateButton")
    assert halve.text() == "Halve the learning rate to 5" and shows(halve)
    qtbot.mouseClick(halve, LEFT)
    assert network_lab.model.cfg.learning_rate == 5 and network_lab.editor.learning_rate.value() == 5
    assert (
        not banner_shown(network_lab) and network_lab.model.step_count == 0 and not network_lab.model.running
    )
    # halving until it trains: the learner's way out, one click each
    for _ in range(6):
        qtbot.mouseClick(network_lab.findChild(QToolButton, "stepButton"), LEFT)
        qtbot.mouseClick(network_lab.findChild(QToolButton, "stepButton"), LEFT)
        qtbot.mouseClick(network_lab.findChild(QToolButton, "stepButton"), LEFT)
        if not banner_shown(network_lab):
            break
        qtbot.mouseClick(halve, LEFT)
    assert not banner_shown(network_lab) and network_lab.model.step_count == 3
    assert network_lab.model.cfg.learning_rate < 5


def test_the_banner_closes_and_play_hides_it(qtbot, network_lab):
    type_learning_rate(qtbot, network_lab, "10")
    for _ in range(3):
        qtbot.mouseClick(network_lab.findChild(QToolButton, "stepButton"), LEFT)
    assert banner_shown(network_lab)
    qtbot.mouseClick(network_lab.findChild(QToolButton, "closeDivergenceButton"), LEFT)
    assert (
        not banner_shown(network_lab) and network_lab.model.cfg.learning_rate == 10
    )  # nothing changed but the banner
    qtbot.mouseClick(network_lab.findChild(QToolButton, "stepButton"), LEFT)
    assert banner_shown(network_lab)  # still running away: said again
    qtbot.mouseClick(network_lab.findChild(QToolButton, "playButton"), LEFT)
    assert network_lab.model.running and not banner_shown(network_lab)  # Play clears it...
    qtbot.waitUntil(lambda: not network_lab.model.running, timeout=10000)
    assert banner_shown(network_lab)  # ... and the first step at this rate brings it back


# -- the loss plot at any loss ----------------------------------------------------------------------


def history(losses) -> tuple[np.ndarray, ...]:
    loss = np.asarray(losses, dtype=float)
    nan = np.full(len(loss), np.nan)
    return np.arange(len(loss), dtype=float), loss, nan, nan, nan


def test_huge_loss_ticks_are_short_enough_to_be_drawn(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.set_log_scale(False)  # the user's linear scale: ticks at 1e158 must still read
    steps, loss, nan, _, _ = history([6.4, 2.2e5, 3.4e24, 4.6e158])
    plot.set_history(steps, loss, nan, np.full(4, 0.5), nan)  # with an accuracy plot under it
    plot.resize(420, 300)
    plot.show()
    qtbot.waitExposed(plot)
    plot.grab()  # paint: the axis measures its labels and widens to them
    plot.grab()
    axis = plot.loss_plot.getAxis("left")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    painter.end()
    labels = [text for _rect, _flags, text in texts]
    assert "2e158" in labels and "0" in labels, labels
    assert all(rect.left() >= 0 for rect, _flags, _text in texts), labels  # every label inside the axis
    assert plot.acc_plot.getAxis("left").width() == axis.width()  # the step axes line up
    assert [short_tick(v, 2) for v in (1.5e-5, 12345.0, 0.25, -3e7)] == ["1.5e-5", "1.23e4", "0.25", "-3e7"]


def test_a_loss_spanning_decades_turns_to_a_log_scale_and_says_so(qtbot, network_lab):
    plot = network_lab.loss_plot
    plot.set_history(*history([1.0, 0.5, 0.1]))
    assert not plot.log_scale() and plot.note() == ""
    plot.set_history(*history([1.0, 10.0 ** (AUTO_LOG_DECADES + 1)]))
    assert plot.log_scale() and network_lab.log_check.isChecked()  # the checkbox follows
    assert plot.note() == f"log scale: the loss spans {AUTO_LOG_DECADES + 1} decades"
    qtbot.mouseClick(network_lab.log_check, LEFT)  # the user's choice wins from now on
    assert not plot.log_scale() and plot.note() == ""
    plot.set_history(*history([1.0, 1e9]))
    assert not plot.log_scale()
