"""The network lab's weight probe (``ParameterGraph``) reads the trainer's gradients only when
something shows them: a new network on the scalar backend costs no gradient on the GUI thread
until a weight is selected, and the numbers then shown are the ones an eager read gave."""

from __future__ import annotations

import sys
import threading

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolButton
from test_process_driver import small_scalar_lab, twin_of  # noqa: F401  (a fixture, a helper)

from gradlab.training import Trainer
from gradlab.ui.network import weight_probe
from gradlab.ui.network.weight_probe import ParameterGraph

LEFT = Qt.MouseButton.LeftButton


class ProbeReads(list):
    """Every ``Trainer.gradients()`` call made by the weight probe's module, as (the trainer asked,
    whether ``lock`` was held); ``everyone`` counts the calls from anywhere (the network view's too)."""

    lock = None
    everyone = 0

    def install(self, monkeypatch) -> ProbeReads:
        original = Trainer.gradients

        def counted(trainer):
            self.everyone += 1
            if sys._getframe(1).f_code.co_filename == weight_probe.__file__:
                self.append((trainer, self.lock is not None and self.lock.held))
            return original(trainer)

        monkeypatch.setattr(Trainer, "gradients", counted)
        return self


@pytest.fixture
def probe_reads(monkeypatch) -> ProbeReads:
    return ProbeReads().install(monkeypatch)


@pytest.mark.usefixtures("small_scalar_lab")  # one hidden layer of 4, then the scalar backend chosen
def test_a_new_scalar_network_with_no_weight_shown_reads_no_gradient_and_a_click_shows_the_same_one(
        qtbot, network_lab, probe_reads):
    lab = network_lab
    qtbot.mouseClick(lab.findChild(QToolButton, "addLayerButton"), LEFT)  # another network change
    trainer = lab.model.trainer
    assert trainer.backend == "scalar" and len(trainer.config.layers) == 2
    assert lab.probe_model.selected == -1 and lab.probe_model.graph.trainer is trainer
    assert probe_reads == []  # two new networks, no weight shown: the probe asked for no gradient
    assert probe_reads.everyone == 0  # nor did the network view, whose lines show values

    view = lab.network_view
    index = int(view.layout_.weight_index[-2])  # a weight into the output neuron
    qtbot.mouseClick(view.viewport_widget(), LEFT, pos=view.viewport_pos_of_parameter(index))
    assert lab.probe_model.selected == index
    twin = twin_of(lab.model)
    expected = twin.nudge_parameter(index).grad
    assert expected != 0 and expected == twin.gradients()[index]  # before any step: the same gradient
    shown = lab.inspector.findChild(QLabel, "nodeGrad")
    assert shown.toolTip() == f"d(output)/d(node) = {expected!r}"  # every digit, as before
    assert probe_reads == []  # the inspector's gradient is its nudge probe's, not the whole list
    assert lab.probe_model.graph.grads.tolist() == twin.gradients()  # read now: what the eager read gave
    assert probe_reads == [(trainer, False)]


class _RecordingLock:
    """A lock that records whether it was held when the trainer was read."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.held = False

    def __enter__(self):
        self._lock.acquire()
        self.held = True
        return self

    def __exit__(self, *exc) -> None:
        self.held = False
        self._lock.release()


def test_the_gradients_are_read_once_under_the_lock_and_again_after_a_refresh(network_lab, probe_reads):
    trainer = network_lab.model.trainer
    eager = Trainer(trainer.dataset, trainer.config).gradients()  # a fast twin's: what the eager read gave
    probe_reads.lock = _RecordingLock()
    graph = ParameterGraph(trainer, trainer.parameter_labels(), probe_reads.lock)
    assert graph.data.tolist() == trainer.parameters() and len(graph) == 337
    assert probe_reads == []  # built: parameters and loss read, gradients not
    first = graph.grads
    assert first.tolist() == eager and graph.grads is first
    assert probe_reads == [(trainer, True)]  # once, holding the lab's lock (a worker may be training)
    network_lab.model.step(2)  # the second step's gradient is at moved weights
    assert graph.grads is first  # kept until the next refresh
    graph.refresh()
    assert graph.data.tolist() == trainer.parameters() and graph.output.data == trainer.history[-1].loss
    assert len(probe_reads) == 1
    assert graph.grads.tolist() == trainer.gradients() != eager  # the last step's, read anew
    assert probe_reads == [(trainer, True)] * 2
