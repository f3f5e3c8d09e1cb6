"""Every dataset trains on its defaults (issue 17.2), and training never fails in silence.

The floors: classification sets reach 95% training accuracy (spiral and three classes: 90%)
within 1,000 steps; regression sets a mean squared error below 2x their noise variance
(plus 0.01) within 2,000 steps.  The data is the network lab's (``DataSettings``: 100 points,
noise 0.1, seed 1337) with two classes and with three, trained on the fast backend.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from gradlab import datasets
from gradlab.datasets import DATASETS, make_dataset
from gradlab.training import (
    DIVERGENCE_FACTOR,
    LOSS_SCALE,
    RISING_STEPS,
    TrainConfig,
    Trainer,
    TrainingDiverged,
)
from gradlab.training.config import default_config, default_steps
from gradlab.training.lab import DataSettings

LAB = DataSettings()
CASES = [(name, classes) for name, spec in DATASETS.items()
         for classes in ((2, 3) if "classes" in spec.options else (None,))]


def lab_data(name: str, classes: int | None) -> datasets.Dataset:
    options = {} if classes is None else {"classes": classes}
    return make_dataset(name, LAB.n_samples, LAB.noise, LAB.seed, **options)


@pytest.mark.parametrize(("name", "classes"), CASES)
def test_every_dataset_trains_on_its_defaults_to_its_floor(name, classes) -> None:
    data = lab_data(name, classes)
    cfg = default_config(data, name)
    steps = default_steps(name)
    trainer = Trainer(data, cfg, backend="fast")
    trainer.run(steps)  # a divergence would raise
    if data.kind == "regression":
        assert steps <= 2000
        mse = float(np.mean((trainer.predict(data.X).ravel() - data.y) ** 2))
        assert mse < 2 * LAB.noise**2 + 0.01, (name, mse)
    else:
        assert steps <= 1000
        floor = 0.90 if name == "spiral" or data.num_classes > 2 else 0.95
        acc = float(np.mean(trainer.predict(data.X) == data.y))
        assert acc >= floor, (name, classes, acc)


def test_moons_defaults_are_micrograds_demo_and_the_others_are_not() -> None:
    data = lab_data("moons", None)
    assert default_config(data, "moons") == TrainConfig() and default_steps("moons") == 100
    sine = default_config(lab_data("sine", None), "sine")
    assert sine.loss == "mse" and sine.features == ("x1",) and sine.optimizer == "adam"
    assert default_config(lab_data("spiral", 3), "spiral").loss == "cross_entropy"
    # data without a row (a CSV file's) trains on the demo, with the loss its data needs
    assert default_config(lab_data("sine", None), None) == TrainConfig(loss="mse", features=("x1",))
    kept = default_config(data, "xor", seed=7, batch_size=10)
    assert (kept.seed, kept.batch_size, kept.optimizer) == (7, 10, "adam")


def test_micrograds_demo_recipe_still_diverges_on_sine_and_says_so() -> None:
    """The report: sine on the demo's settings went 6.4, 2.2e5, 3.4e24 ... with no message."""
    data = lab_data("sine", None)
    trainer = Trainer(data, TrainConfig(loss="mse", features=("x1",)))
    first = trainer.step()
    before = trainer.parameters()
    with pytest.raises(TrainingDiverged) as err:
        trainer.step()
    message = str(err.value)
    assert err.value.step == 1 and trainer.step_count == 1 and trainer.parameters() == before
    assert f"more than {DIVERGENCE_FACTOR:g} times where it started" in message
    assert "learning rate (1)" in message and "half of it: 0.5" in message
    assert err.value.loss > DIVERGENCE_FACTOR * first.loss


def test_a_batch_that_starts_at_zero_loss_is_not_a_divergence() -> None:
    """One point a step: the first batch may be classified with margin (hinge loss 0), the next not."""
    data = lab_data("moons", None)
    cfg = TrainConfig(batch_size=1, regularization=None, learning_rate=0.1, lr_decay=None, seed=0)
    trainer = Trainer(data, cfg)
    trainer.run(200)
    assert trainer.history[0].loss == 0 < max(r.loss for r in trainer.history)


def test_moons_at_learning_rate_10_pauses_at_once_and_a_smaller_rate_carries_on() -> None:
    data = lab_data("moons", None)
    trainer = Trainer(data, TrainConfig(learning_rate=10.0))
    with pytest.raises(TrainingDiverged) as err:
        trainer.run(50)
    message = str(err.value)
    assert err.value.step <= 3 and "learning rate (10)" in message and "half of it: 5" in message
    with pytest.raises(TrainingDiverged):  # same settings: the same refusal, nothing moved
        trainer.step()
    # new settings start the watch afresh: training carries on from where it is
    trainer.reconfigure(dataclasses.replace(trainer.config, learning_rate=0.05))
    k = trainer.step_count
    trainer.run(5)
    assert trainer.step_count == k + 5


def test_a_slow_climb_is_caught_by_the_rising_rule() -> None:
    """A linear fit just past its stable rate: the loss grows a little every step."""
    data = lab_data("sine", None)
    cfg = TrainConfig(layers=(), loss="mse", features=("x1",), learning_rate=0.37, lr_decay=None,
                      regularization=None)
    trainer = Trainer(data, cfg)
    with pytest.raises(TrainingDiverged) as err:
        trainer.run(500)
    assert f"risen at each of the last {RISING_STEPS} steps" in str(err.value)
    losses = [r.loss for r in trainer.history]
    assert max(losses) < DIVERGENCE_FACTOR * max(losses[0], LOSS_SCALE)  # the factor rule would not fire yet
    stable = Trainer(data, dataclasses.replace(cfg, learning_rate=0.3))
    stable.run(500)  # just below: it converges, and nothing is said
    assert math.isfinite(stable.history[-1].loss)


@pytest.mark.slow  # long training walks: thousands of steps on the defaults
@pytest.mark.parametrize("batch_size", [None, 10])
def test_long_runs_on_the_defaults_raise_no_false_alarm(batch_size) -> None:
    """A creep of the regulariser near zero loss, or one bad mini-batch, is not a divergence."""
    for name in ("gaussians", "xor", "moons"):
        data = make_dataset(name, 100, 0.1, seed=2)
        Trainer(data, default_config(data, name, batch_size=batch_size)).run(2500)
