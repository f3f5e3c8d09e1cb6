"""Scalar steps taken by another process: the app's floats bit for bit, stale answers passed over,
a dead process reported and replaced (gradlab.worker.training and its child)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from gradlab.datasets import Dataset, make_dataset
from gradlab.training import TrainConfig, Trainer
from gradlab.training.scalar import run_slices
from gradlab.worker.training import TrainingProcess, TrainingProcessError
from gradlab.worker.training_child import _Steps

DEMO = make_dataset("moons", 100, 0.1, seed=1337)
REGRESSION = Dataset(np.linspace(-2, 2, 30).reshape(-1, 2), np.sin(np.linspace(-2, 2, 15)), "regression")
SPIRAL3 = make_dataset("spiral", 30, 0.1, seed=3, classes=3)

CASES = {
    "demo (svm, l2)": (DEMO, TrainConfig(), 2),
    "mse regression, features": (REGRESSION, TrainConfig(layers=(4,), activation="sigmoid", loss="mse",
                                                         learning_rate=0.1, regularization=None,
                                                         features=("x1", "sin x1")), 4),
    "cross-entropy, 3 classes, batches of 7": (SPIRAL3, TrainConfig(layers=(6, 4), loss="cross_entropy",
                                                                    batch_size=7), 4),
    "adam, l1, tanh": (DEMO, TrainConfig(layers=(5, 3), activation="tanh", loss="logistic", optimizer="adam",
                                         learning_rate=0.01, regularization="l1", reg_strength=1e-2), 3),
}


@pytest.fixture(scope="module")
def process():
    p = TrainingProcess()
    p.start()
    yield p
    p.close()


def step_there(trainer: Trainer, process: TrainingProcess):
    return run_slices(trainer.step_slices(process.elsewhere))


@pytest.mark.parametrize("case", list(CASES))
def test_steps_taken_in_the_process_are_the_apps_own_bit_for_bit(process, case) -> None:
    data, cfg, steps = CASES[case]
    here, there = Trainer(data, cfg, backend="scalar"), Trainer(data, cfg, backend="scalar")
    for _ in range(steps):
        here.step()
        step_there(there, process)
    assert there.parameters() == here.parameters()
    assert repr(there.history) == repr(here.history)  # repr: exact floats, and nan (regression) equals nan
    assert there.gradients() == here.gradients()
    assert process.pid() is not None and process.pid() != os.getpid()


def test_a_full_batch_crosses_once_and_a_new_one_again(process) -> None:
    trainer = Trainer(DEMO, TrainConfig(layers=(3,)), backend="scalar")
    step_there(trainer, process)
    sent = process._batch_id
    step_there(trainer, process)
    assert process._batch_id == sent  # the same batch: only the weights crossed
    trainer.set_dataset(DEMO.with_point([0.5, 0.5], 1))
    step_there(trainer, process)
    assert process._batch_id == sent + 1
    twin = Trainer(DEMO, TrainConfig(layers=(3,)), backend="scalar")
    twin.run(2)
    twin.set_dataset(DEMO.with_point([0.5, 0.5], 1))
    twin.step()
    assert twin.parameters() == trainer.parameters()


def test_a_weight_set_while_the_step_is_away_is_stepped_from_the_stale_answer_passed_over(process) -> None:
    # the demo network: its step (100 ms and more) is still away when the weight is set
    trainer = Trainer(DEMO, TrainConfig(), backend="scalar")
    slices = trainer.step_slices(process.elsewhere)
    next(slices)  # the request is away
    assert process.awaiting()
    trainer.set_parameter(0, 0.25)
    record = run_slices(slices)
    twin = Trainer(DEMO, TrainConfig(), backend="scalar")
    twin.set_parameter(0, 0.25)
    assert record == twin.step() and twin.parameters() == trainer.parameters()
    assert not process.awaiting()


def test_a_killed_process_is_reported_the_weights_stay_and_the_next_step_starts_another() -> None:
    process = TrainingProcess()
    trainer = Trainer(DEMO, TrainConfig(), backend="scalar")  # a step long enough to die during
    step_there(trainer, process)
    before = trainer.parameters()
    slices = trainer.step_slices(process.elsewhere)
    next(slices)
    os.kill(process.pid(), signal.SIGKILL)
    with pytest.raises(TrainingProcessError, match=r"ended unexpectedly \(SIGKILL.*last step it finished"):
        run_slices(slices)
    assert trainer.parameters() == before and trainer.step_count == 1
    step_there(trainer, process)
    assert process.started == 2 and trainer.step_count == 2
    twin = Trainer(DEMO, TrainConfig(), backend="scalar")
    twin.run(2)
    assert twin.parameters() == trainer.parameters()
    process.close()
    assert process.pid() is None


def test_the_fast_backend_computes_here() -> None:
    process = TrainingProcess()
    trainer, twin = Trainer(DEMO, TrainConfig()), Trainer(DEMO, TrainConfig())
    assert step_there(trainer, process) == twin.step()
    assert process.started == 0 and process.pid() is None


def request(n: int, theta, batch_id: int, batch) -> tuple:
    cfg = TrainConfig(layers=(2,))
    return ("step", n, [2, 2, 1], ["relu", "linear"], cfg.to_dict(), theta, batch_id, batch)


def test_the_child_answers_the_newest_request_with_a_batch_a_skipped_one_brought() -> None:
    trainer = Trainer(DEMO, TrainConfig(layers=(2,)), backend="scalar")
    full = trainer._full
    batch = (full.A1.tolist(), full.T.tolist(), full.T.dtype.str, full.loss.name, False)
    theta = trainer.parameters()
    answer = _Steps().answer([request(1, theta, 1, batch), request(2, theta, 1, None)])
    loss, grad, _acc = trainer._loss_and_grad(trainer._theta, full)
    assert answer[:3] == ("ok", 2, loss) and answer[3] == grad.tolist()


def test_the_child_names_what_went_wrong() -> None:
    answer = _Steps().answer([request(5, [0.0], 1, None)])
    assert answer[:3] == ("error", 5, "error") and "batch 1 was never sent" in answer[3]


def test_a_process_that_ended_between_steps_is_replaced_without_a_word() -> None:
    process = TrainingProcess()
    trainer = Trainer(DEMO, TrainConfig(layers=(3,)), backend="scalar")
    step_there(trainer, process)
    pid = process.pid()
    os.kill(pid, signal.SIGKILL)
    process._popen.wait()
    step_there(trainer, process)  # nothing was lost: no error to report
    assert process.started == 2 and trainer.step_count == 2
    twin = Trainer(DEMO, TrainConfig(layers=(3,)), backend="scalar")
    twin.run(2)
    assert twin.parameters() == trainer.parameters()
    process.close()
