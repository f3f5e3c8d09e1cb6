"""The scalar backend trains in a process of its own (``ProcessDriver``): the window's events run
while a step is away, the numbers are a plain trainer's, and whatever the learner does meanwhile
(Step, a weight typed, a point added, new settings, a saved session, the probe) works as before;
a killed process is reported and Play carries on from the last good step."""

from __future__ import annotations

import os
import signal
from types import SimpleNamespace

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QToolButton

from gradlab.labs.network import NetworkCore
from gradlab.training import Trainer
from gradlab.ui.network.training_driver import ProcessDriver, TrainingDriver

LEFT = Qt.MouseButton.LeftButton
STEP_MS = 30_000  # a scalar step of the demo network is 0.1-0.3 s, and much longer on a busy machine


def click(lab, name: str, qtbot) -> None:
    qtbot.mouseClick(lab.findChild(QToolButton, name), LEFT)


def twin_of(model) -> Trainer:
    """A plain in-process trainer with the lab's data and settings, before any step."""
    return Trainer(model.trainer.dataset, model.trainer.config, backend="scalar")


def choose_scalar(qtbot, lab):
    """The scalar backend chosen in the lab's editor, as a learner does; its process ended after."""
    combo = lab.editor.backend_combo
    combo.setCurrentIndex(combo.findData("scalar"))
    assert lab.model.backend == "scalar" and isinstance(lab.driver, ProcessDriver)
    yield lab
    lab.model.set_running(False)
    if isinstance(lab.driver, ProcessDriver):
        lab.driver.close()


@pytest.fixture
def scalar_lab(qtbot, network_lab):
    """conftest's network lab (the demo network) on the scalar backend."""
    yield from choose_scalar(qtbot, network_lab)


@pytest.fixture
def small_scalar_lab(qtbot, network_lab):
    """The same with one hidden layer of 4 (17 parameters, not the demo's 337), set before the
    backend is chosen: a scalar step, the gradient the probe reads and the twin's steps take a
    twentieth of the time. For the tests whose order of events the test itself fixes (nothing
    runs between reading the step count and the learner's move, or no step is timed), so that a
    short step checks what a long one does; the tests that need a step to outlast an event keep
    the demo."""
    network_lab.model.edit_config({"layers": (4,)})  # as the layers field sets it
    assert len(network_lab.model.trainer.parameters()) == 17
    yield from choose_scalar(qtbot, network_lab)


def test_choosing_a_backend_chooses_its_driver_and_a_dropped_driver_ends_its_process(qtbot, small_scalar_lab):
    lab = small_scalar_lab
    driver = lab.driver
    qtbot.waitUntil(lambda: driver.process.pid() is not None, timeout=5000)  # a warm start
    combo = lab.editor.backend_combo
    combo.setCurrentIndex(combo.findData("fast"))
    assert isinstance(lab.driver, TrainingDriver) and driver.idle.isActive()
    driver.idle.timeout.emit()  # as IDLE_MS later
    assert driver.process.pid() is None


def test_play_trains_in_another_process_while_events_run_and_the_floats_are_a_trainers(qtbot, scalar_lab):
    lab, model = scalar_lab, scalar_lab.model
    click(lab, "playButton", qtbot)
    qtbot.waitUntil(lambda: lab.driver.busy(), timeout=5000)
    at_post = model.step_count
    fired = []
    QTimer.singleShot(0, lambda: fired.append((model.step_count, lab.driver.busy())))
    qtbot.waitUntil(lambda: bool(fired), timeout=5000)
    assert fired == [(at_post, True)]  # an event ran while the step was away
    pid = lab.driver.process.pid()
    assert pid is not None and pid != os.getpid()
    qtbot.waitUntil(lambda: model.step_count >= 3, timeout=3 * STEP_MS)
    click(lab, "playButton", qtbot)  # pause
    assert not model.running and not lab.driver.busy()
    qtbot.waitUntil(lambda: lab.loss_plot.point_count() == model.step_count, timeout=5000)
    twin = twin_of(model)
    twin.run(model.step_count)
    assert twin.parameters() == model.trainer.parameters()
    assert repr(twin.history) == repr(model.trainer.history)


def test_a_step_click_shows_its_step_at_once(qtbot, small_scalar_lab):
    lab, model = small_scalar_lab, small_scalar_lab.model
    with qtbot.waitSignal(model.step_completed, timeout=STEP_MS):
        click(lab, "stepButton", qtbot)
    assert model.step_count == 1 and lab.loss_plot.point_count() == 1  # already there, no waiting
    twin = twin_of(model)
    twin.step()
    assert twin.parameters() == model.trainer.parameters()


def test_a_weight_typed_mid_step_is_stepped_from_and_the_probe_follows(qtbot, small_scalar_lab):
    lab, model = small_scalar_lab, small_scalar_lab.model
    lab.probe_model.select(0)
    click(lab, "playButton", qtbot)
    qtbot.waitUntil(lambda: lab.driver.busy(), timeout=5000)
    at = model.step_count
    lab.weight_input.setText("0.5")
    qtbot.keyClick(lab.weight_input, Qt.Key.Key_Return)
    assert model.trainer.parameters()[0] == 0.5
    qtbot.waitUntil(lambda: model.step_count >= at + 1, timeout=2 * STEP_MS)
    click(lab, "playButton", qtbot)
    twin = twin_of(model)
    twin.run(at)
    twin.set_parameter(0, 0.5)
    twin.run(model.step_count - at)
    assert twin.parameters() == model.trainer.parameters()
    assert lab.weight_input.text() == repr(model.trainer.parameters()[0])  # the probe shows the weight


def test_a_point_added_and_settings_changed_while_training_carry_on_as_a_trainer_would(qtbot, scalar_lab):
    # the demo network: its steps outlast the test's moves (with 17 parameters it failed once under load)
    lab, model = scalar_lab, scalar_lab.model
    data, cfg0 = model.dataset, model.cfg
    click(lab, "playButton", qtbot)
    qtbot.waitUntil(lambda: lab.driver.busy() and model.step_count >= 1, timeout=2 * STEP_MS)
    assert model.add_point(0.5, 0.5, 1) == ""  # as a click on the plot does
    added_at = model.step_count
    assert model.running
    qtbot.waitUntil(lambda: lab.driver.busy() and model.step_count >= added_at + 1, timeout=2 * STEP_MS)
    model.edit_config({"learning_rate": 0.5})  # as the editor does
    changed_at, cfg = model.step_count, model.cfg
    qtbot.waitUntil(lambda: model.step_count >= changed_at + 1, timeout=2 * STEP_MS)
    click(lab, "playButton", qtbot)
    twin = Trainer(data, cfg0, backend="scalar")
    twin.run(added_at)
    twin.set_dataset(model.dataset)
    twin.run(changed_at - added_at)
    twin.reconfigure(cfg)
    twin.run(model.step_count - changed_at)
    assert len(model.dataset) == len(data) + 1 and model.trainer.config.learning_rate == 0.5
    assert twin.parameters() == model.trainer.parameters()


def test_a_session_saved_mid_step_holds_the_steps_taken(qtbot, small_scalar_lab):
    lab, model = small_scalar_lab, small_scalar_lab.model
    click(lab, "playButton", qtbot)
    qtbot.waitUntil(lambda: lab.driver.busy() and model.step_count >= 1, timeout=2 * STEP_MS)
    state = model.state_dict()  # as Save does, with a step away
    click(lab, "playButton", qtbot)
    restored = NetworkCore()
    assert restored.load_state(state) == ""
    twin = twin_of(model)
    twin.run(restored.step_count)
    assert restored.step_count >= 1 and restored.trainer.parameters() == twin.parameters()


def test_a_killed_training_process_is_reported_and_play_carries_on_from_the_last_good_step(qtbot, scalar_lab):
    lab, model = scalar_lab, scalar_lab.model
    click(lab, "playButton", qtbot)
    qtbot.waitUntil(lambda: lab.driver.busy() and model.step_count >= 1, timeout=2 * STEP_MS)
    os.kill(lab.driver.process.pid(), signal.SIGKILL)
    qtbot.waitUntil(lambda: not model.running, timeout=STEP_MS)
    assert "ended unexpectedly (SIGKILL" in lab.problem_label.text() and lab.problem_label.isVisible()
    assert lab.play_button.text() == "▶ Play"
    stopped_at = model.step_count
    twin = twin_of(model)
    twin.run(stopped_at)
    assert twin.parameters() == model.trainer.parameters()  # the last good step's weights
    click(lab, "playButton", qtbot)
    qtbot.waitUntil(lambda: model.step_count >= stopped_at + 1, timeout=3 * STEP_MS)
    click(lab, "playButton", qtbot)
    assert lab.problem_label.isHidden() and lab.driver.process.started == 2
    twin.run(model.step_count - stopped_at)
    assert twin.parameters() == model.trainer.parameters()


class FakeProcess:
    """A process whose answers are always there at once."""

    started = 0

    def start(self) -> None: ...
    def close(self) -> None: ...
    def fileno(self) -> None: ...
    def awaiting(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def elsewhere(self, backend, theta, batch, regression):
        yield


class FakeTrainer:
    def __init__(self) -> None:
        self.started = 0

    def step_slices(self, elsewhere=None):
        self.started += 1
        yield from elsewhere(None, None, None, False)
        return f"record {self.started}"


def test_at_most_speed_steps_start_in_a_frame_and_a_frame_hands_them_over(qtbot) -> None:
    import threading

    model = SimpleNamespace(running=True, lock=threading.RLock(), trainer=FakeTrainer(), absorbed=[])
    model.absorb_steps = lambda records, error=None: model.absorbed.append((records, error))
    driver = ProcessDriver(model, process=FakeProcess())
    driver.set_speed(2)
    driver.start()
    assert model.trainer.started == 2 and model.absorbed == []
    driver._on_frame()
    assert model.absorbed == [(["record 1", "record 2"], None)] and model.trainer.started == 4
    model.running = False
    driver._on_frame()
    assert model.absorbed[-1] == (["record 3", "record 4"], None) and not driver.timer.isActive()
