"""The scalar step in slices: the same sort, the same floats as ``Value.backward()``, restartable."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from gradlab.datasets import Dataset, make_dataset
from gradlab.engine import topological_order
from gradlab.training import TrainConfig, Trainer
from gradlab.training.scalar import NODES_PER_SLICE, _sorted_in_slices, run_slices

DEMO = make_dataset("moons", 100, 0.1, seed=1337)
REGRESSION = Dataset(np.linspace(-2, 2, 30).reshape(-1, 2), np.sin(np.linspace(-2, 2, 15)), "regression")
SPIRAL3 = make_dataset("spiral", 30, 0.1, seed=3, classes=3)

CASES = {
    "demo (svm, l2)": (DEMO, TrainConfig()),
    "logistic, l1, tanh": (DEMO, TrainConfig(layers=(5, 3), activation="tanh", loss="logistic",
                                             regularization="l1", reg_strength=1e-2)),
    # at micrograd's rate 1.0 this fit diverges (10x its first loss by step 2): the core refuses that step
    "mse regression": (REGRESSION, TrainConfig(layers=(4,), activation="sigmoid", loss="mse",
                                               learning_rate=0.1, regularization=None,
                                               features=("x1", "sin x1"))),
    "cross-entropy, 3 classes": (SPIRAL3, TrainConfig(layers=(6, 4), loss="cross_entropy", batch_size=7)),
    "linear model": (DEMO, TrainConfig(layers=(), loss="svm", features=("x1", "x2", "x1*x2"))),
}


def reference(backend, theta: np.ndarray, batch, regression: bool) -> tuple[float, np.ndarray]:
    """The step as it was before slicing: the whole graph, then ``Value.backward()``."""
    model = backend._mlp()
    params = model.parameters()
    for p, x in zip(params, theta.tolist(), strict=True):
        p.data = x
    total = backend._head([model(x) for x in batch.rows], batch, params)
    total.backward()
    return float(total.data), np.array([p.grad for p in params])


@pytest.fixture(params=list(CASES), ids=list(CASES))
def trainer(request) -> Trainer:
    data, cfg = CASES[request.param]
    t = Trainer(data, cfg, backend="scalar")
    rng = np.random.default_rng(0)
    for i in range(len(t.parameters())):  # away from the initial weights: biases non-zero too
        t.set_parameter(i, t.parameters()[i] + float(rng.normal(0, 0.3)))
    return t


def test_the_sliced_sort_is_the_engines(trainer) -> None:
    backend, batch = trainer._backend, trainer._batch(0)
    model = backend._mlp()
    scores = [model(x) for x in batch.rows]
    total = backend._head(scores, batch, model.parameters())
    slices = _sorted_in_slices(total, scores)
    order = run_slices(slices)
    expected = topological_order(total)
    assert len(order) == len(expected) and all(a is b for a, b in zip(order, expected, strict=True))


def test_loss_and_gradient_are_value_backwards_bit_for_bit(trainer) -> None:
    backend, batch = trainer._backend, trainer._batch(0)
    theta = np.array(trainer.parameters())
    loss, grad, _acc = backend.loss_and_grad(theta, batch, trainer.regression)
    ref_loss, ref_grad = reference(backend, theta, batch, trainer.regression)
    assert loss == ref_loss and grad.tobytes() == ref_grad.tobytes()


def test_sliced_steps_are_steps_bit_for_bit(trainer) -> None:
    twin = Trainer(trainer.dataset, trainer.config, backend="scalar")
    for i, v in enumerate(trainer.parameters()):
        twin.set_parameter(i, v)
    for _ in range(3):
        slices = twin.step_slices()
        count = 0
        while True:
            try:
                next(slices)
                count += 1
            except StopIteration as done:
                sliced = done.value
                break
        assert sliced == trainer.step()
        assert count > len(trainer._batch(sliced.step).rows)  # a point's forward pass per slice, at least
        assert twin.parameters() == trainer.parameters() and twin.gradients() == trainer.gradients()


def test_the_demo_steps_in_slices_of_bounded_work() -> None:
    t = Trainer(DEMO, TrainConfig(), backend="scalar")
    slices = t.step_slices()
    seen = []
    while t.step_count == 0:
        next(slices, None)
        seen.append(1)
    # ~66,000 nodes: 100 forward passes, 100 sorts, backward and freeing in NODES_PER_SLICE pieces
    assert len(seen) >= 100 + 100 + 2 * 66_000 // NODES_PER_SLICE


def test_a_weight_set_between_slices_restarts_the_step() -> None:
    t = Trainer(DEMO, TrainConfig(), backend="scalar")
    twin = Trainer(DEMO, TrainConfig(), backend="scalar")
    slices = t.step_slices()
    for _ in range(150):  # into the sort
        next(slices)
    t.set_parameter(3, 0.25)
    twin.set_parameter(3, 0.25)
    assert run_slices(slices) == twin.step()
    assert t.parameters() == twin.parameters()


def test_a_step_taken_between_slices_is_not_taken_twice() -> None:
    t = Trainer(DEMO, TrainConfig(), backend="scalar")
    slices = t.step_slices()
    next(slices)
    first = t.step()
    second = run_slices(slices)
    assert (first.step, second.step) == (0, 1) and t.step_count == 2


def test_the_collector_is_paused_during_a_step_and_back_after_it_or_an_abandoned_one() -> None:
    assert gc.isenabled()
    t = Trainer(DEMO, TrainConfig(layers=(4,)), backend="scalar")
    slices = t.step_slices()
    next(slices)
    assert not gc.isenabled()
    slices.close()  # abandoned mid-step (the lab paused, or the network was replaced)
    assert gc.isenabled()
    t.step()
    assert gc.isenabled()
    gc.disable()
    try:
        t.step()
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()
