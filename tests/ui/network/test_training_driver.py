"""Who runs the steps: sliced steps between events, a worker thread, a fake model (the drivers
``benchmarks/live_training.py`` compares with the lab's own; the scalar backend's, ``ProcessDriver``,
is tested in ``test_process_driver.py``)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import QTimer

from gradlab.training import Trainer, TrainingDiverged
from gradlab.ui.network.training_driver import (
    ProcessDriver,
    SliceDriver,
    ThreadDriver,
    TrainingDriver,
    driver_class,
)


@pytest.fixture
def scalar_lab(network_lab):
    """conftest's network lab, training on the scalar backend in slices on the GUI thread."""
    widget = network_lab
    widget.model.edit_config({"backend": "scalar"})
    widget.driver.close()  # its process is not wanted here
    widget.driver = SliceDriver(widget.model, widget)
    yield widget
    widget.model.set_running(False)


def test_each_backend_gets_its_driver() -> None:
    assert driver_class("scalar") is ProcessDriver and driver_class("fast") is TrainingDriver


@pytest.mark.slow  # a training walk on the scalar backend, checked float for float
def test_events_run_between_the_slices_of_a_step_and_the_floats_are_a_plain_trainers(qtbot, scalar_lab):
    lab, model = scalar_lab, scalar_lab.model
    assert isinstance(lab.driver, SliceDriver)
    model.set_running(True)
    qtbot.waitUntil(lambda: lab.driver.busy(), timeout=5000)
    at_post = model.step_count
    fired = []
    QTimer.singleShot(0, lambda: fired.append((model.step_count, lab.driver.busy())))
    qtbot.waitUntil(lambda: bool(fired), timeout=5000)
    # the event ran before the step it was posted during had finished (a step takes many turns)
    assert fired == [(at_post, True)]
    qtbot.waitUntil(lambda: model.step_count >= 2, timeout=20000)
    model.set_running(False)
    assert not lab.driver.busy()
    twin = Trainer(model.trainer.dataset, model.trainer.config, backend="scalar")
    twin.run(model.step_count)
    assert twin.parameters() == model.trainer.parameters()
    assert [r.loss for r in twin.history] == [r.loss for r in model.trainer.history]


def test_a_weight_set_mid_step_is_stepped_from(qtbot, scalar_lab):
    lab, model = scalar_lab, scalar_lab.model
    model.set_running(True)
    qtbot.waitUntil(lambda: lab.driver.busy(), timeout=5000)
    with qtbot.waitSignal(model.step_completed, timeout=20000):
        model.set_parameter(0, 0.5)  # as the weight field does, between two slices
    model.set_running(False)
    twin = Trainer(model.trainer.dataset, model.trainer.config, backend="scalar")
    twin.set_parameter(0, 0.5)
    twin.step()
    assert model.trainer.step_count == 1 and twin.parameters() == model.trainer.parameters()


@pytest.mark.slow  # a long training walk on the scalar backend, on a thread
def test_the_worker_thread_driver_still_trains_off_the_gui_thread(qtbot, scalar_lab):
    lab, model = scalar_lab, scalar_lab.model
    lab.driver = ThreadDriver(model, lab)  # as benchmarks/live_training.py compares them
    trainer = model.trainer
    threads = []
    step = trainer.step

    def recorded_step():
        threads.append(threading.current_thread())
        return step()

    trainer.step = recorded_step
    model.set_running(True)
    qtbot.waitUntil(lambda: model.step_count >= 2, timeout=20000)
    model.set_running(False)
    lab.driver.wait()
    assert not lab.driver.busy() and threads and threading.main_thread() not in threads
    assert lab.loss_plot.point_count() == trainer.step_count == len(threads)


class FakeTrainer:
    """A trainer whose step is ``slices`` slices long, or raises ``error``."""

    def __init__(self, slices: int = 0, error: Exception | None = None) -> None:
        self.slices, self.error, self.started = slices, error, 0

    def step_slices(self):
        self.started += 1
        for _ in range(self.slices):
            yield
        if self.error is not None:
            raise self.error
        return f"record {self.started}"


def fake_model(trainer: FakeTrainer) -> SimpleNamespace:
    model = SimpleNamespace(running=True, lock=threading.RLock(), trainer=trainer, absorbed=[])
    model.absorb_steps = lambda records, error=None: model.absorbed.append((records, error))
    return model


def test_at_most_speed_steps_start_in_a_frame(qtbot) -> None:
    model = fake_model(FakeTrainer())
    driver = SliceDriver(model)
    driver.set_speed(2)
    driver.start()
    for _ in range(3):  # three turns well inside one 16 ms frame
        driver._on_turn()
    assert model.absorbed == [(["record 1"], None), (["record 2"], None)]
    assert driver.timer.interval() > 0  # the third waits for the next frame
    driver.stop()


def test_a_replaced_trainer_drops_the_step_under_way_and_a_divergence_is_reported(qtbot) -> None:
    old = FakeTrainer(slices=10**9)
    model = fake_model(old)
    driver = SliceDriver(model)
    driver.set_speed(0)
    driver._on_turn()
    assert driver.busy() and model.absorbed == []
    diverged = TrainingDiverged(0, float("nan"), 1.0)
    model.trainer = FakeTrainer(slices=3, error=diverged)  # a new network while a step was under way
    driver._on_turn()
    assert model.absorbed == [([], diverged)] and not driver.busy()
    assert old.started == 1
