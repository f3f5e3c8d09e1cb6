"""The loss, regularisation and backend rows: each row's numpy form is its Value form, and every
front end lists every row (a row added to ``gradlab.training.losses`` is checked here unchanged)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from gradlab.cli.train import add_train_parser
from gradlab.datasets import make_dataset
from gradlab.engine import Value
from gradlab.training import TrainConfig, Trainer, backends, losses
from gradlab.training.config import (
    BACKEND_CAPTIONS,
    BACKENDS,
    LOSS_CAPTIONS,
    LOSSES,
    REGULARIZATION_CAPTIONS,
    REGULARIZATIONS,
    check_task,
    default_config,
)
from gradlab.training.fast import Batch, accuracy, with_ones


def batch_of(loss: losses.Loss, n: int, classes: int, regression: bool, seed: int
             ) -> tuple[Batch, np.ndarray]:
    """A batch of ``n`` random points in ``loss``'s target form, and random scores for it."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n) if regression else rng.integers(0, classes, size=n)
    batch = Batch(with_ones(rng.normal(size=(n, 2))), loss.targets(y, regression), loss)
    return batch, rng.normal(size=(n, classes if loss.multiclass else 1)) * 2.0


def tasks(loss: losses.Loss) -> list[tuple[bool, int]]:
    """(regression, classes) of every kind of data the loss serves."""
    served = [(False, 2)] if loss.serves("classification", 2) else []
    served += [(False, 3)] if loss.serves("classification", 3) else []
    return served + ([(True, 0)] if loss.serves("regression", 0) else [])


@pytest.mark.parametrize("name", LOSSES)
def test_each_losss_numpy_form_is_its_value_form(name) -> None:
    loss = losses.LOSSES[name]
    assert tasks(loss), f"{name} serves no data"
    for seed, (regression, classes) in enumerate(tasks(loss)):
        b, S = batch_of(loss, 7, classes, regression, seed)
        value, dS = loss.batch(S, b)
        scores = [[Value(s) for s in row] if loss.multiclass else Value(row[0]) for row in S.tolist()]
        targets = b.T.tolist() if b.T.ndim == 1 else b.T[:, 0].tolist()
        root = loss.value(scores, targets)
        root.backward()
        grads = [[s.grad for s in row] if loss.multiclass else [row.grad] for row in scores]
        assert value == pytest.approx(root.data, rel=1e-12)
        assert dS == pytest.approx(np.array(grads), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", REGULARIZATIONS)
def test_each_regularisations_numpy_form_is_its_value_form(name) -> None:
    row = losses.REGULARIZATIONS[name]
    theta = np.random.default_rng(4).normal(size=9)
    params = [Value(x) for x in theta.tolist()]
    penalty = row.value(params, 0.03)
    penalty.backward()
    value, grad = row.penalty(theta, 0.03)
    assert value == pytest.approx(penalty.data, rel=1e-12) and value > 0
    assert grad == pytest.approx([p.grad for p in params], rel=1e-12)


def test_a_loss_says_which_data_it_serves_and_what_to_use_instead() -> None:
    multi = " or ".join(n for n, row in losses.LOSSES.items() if row.multiclass)
    real = " or ".join(n for n, row in losses.LOSSES.items() if row.regression)
    assert "cross_entropy" in multi and "mse" in real
    for name, row in losses.LOSSES.items():
        if row.multiclass:
            assert row.outputs("classification", 3) == 3 and row.outputs("classification", 2) == 2
        else:
            assert row.outputs("classification", 2) == 1
            with pytest.raises(ValueError, match=f"the {name} loss needs two classes, the data has 3; "
                                                 f"use {multi}"):
                row.outputs("classification", 3)
        if row.regression:
            assert row.outputs("regression", 0) == 1
        else:
            with pytest.raises(ValueError, match=f"a regression dataset needs the {real} loss, not '{name}'"):
                row.outputs("regression", 0)
    with pytest.raises(ValueError, match="unknown loss 'hinge'; choose one of " + ", ".join(LOSSES)):
        losses.loss_row("hinge")
    named = ", ".join(REGULARIZATIONS)
    with pytest.raises(ValueError, match=f"unknown regularization 'l3'; choose one of {named} or None"):
        losses.regularization_row("l3")
    assert losses.regularization_row(None) is None


def test_the_loss_of_each_kind_of_data() -> None:
    assert losses.fitting_loss("classification", 2, "logistic") == "logistic"
    assert losses.fitting_loss("classification", 4, "logistic") == "cross_entropy"
    assert losses.fitting_loss("regression", 0, "svm") == "mse"
    sine, spiral = make_dataset("sine", 20, seed=1), make_dataset("spiral", 30, seed=1, classes=3)
    assert default_config(sine).loss == "mse" and default_config(spiral).loss == "cross_entropy"
    assert check_task(spiral, default_config(spiral)) == 3 and check_task(sine, default_config(sine)) == 1


def test_targets_and_accuracy_follow_the_row() -> None:
    y = np.array([0, 1, 1, 0])
    svm, ce = losses.LOSSES["svm"], losses.LOSSES["cross_entropy"]
    assert svm.targets(y, False).tolist() == [[-1.0], [1.0], [1.0], [-1.0]]
    assert ce.targets(y, False).tolist() == [0, 1, 1, 0]
    assert svm.targets(np.array([0.5, -2.0]), True).tolist() == [[0.5], [-2.0]]
    A1 = with_ones(np.zeros((4, 2)))
    S1 = np.array([[-1.0], [2.0], [-0.5], [-3.0]])  # three of four on their side
    assert accuracy(S1, Batch(A1, svm.targets(y, False), svm), False) == 0.75
    S2 = np.array([[2.0, 1.0], [0.0, 1.0], [3.0, 0.0], [1.0, 0.0]])  # argmax: 0, 1, 0, 0
    assert accuracy(S2, Batch(A1, ce.targets(y, False), ce), False) == 0.75
    assert np.isnan(accuracy(S1, Batch(A1, svm.targets(y, True), svm), True))


def test_each_point_loss_has_a_meaning() -> None:
    for name, row in losses.LOSSES.items():
        zero, large = row.meaning("Its loss is 0", 0.0), row.meaning("Its loss is 5", 5.0)
        assert zero.startswith("Its loss is 0: ") and large.startswith("Its loss is 5: "), name
        assert "gradient" in zero and zero != large, name


def test_every_row_is_a_choice_with_its_caption() -> None:
    assert LOSSES == tuple(losses.LOSSES) and REGULARIZATIONS == tuple(losses.REGULARIZATIONS)
    assert BACKENDS == tuple(backends.BACKENDS)
    assert LOSS_CAPTIONS == {n: row.caption for n, row in losses.LOSSES.items()}
    assert REGULARIZATION_CAPTIONS == {n: row.caption for n, row in losses.REGULARIZATIONS.items()}
    assert BACKEND_CAPTIONS == {n: row.caption for n, row in backends.BACKENDS.items()}
    commands = argparse.ArgumentParser().add_subparsers()
    add_train_parser(commands)
    options = {a.dest: a for a in commands.choices["train"]._actions}
    assert tuple(options["loss"].choices) == LOSSES
    assert tuple(options["reg"].choices) == (*REGULARIZATIONS, "none")
    assert tuple(options["backend"].choices) == BACKENDS
    for name, caption in LOSS_CAPTIONS.items():
        assert f"{name}: {caption}" in options["loss"].help
    for name, caption in REGULARIZATION_CAPTIONS.items():
        assert f"{name}: {caption}" in options["reg"].help
    assert all(caption in options["backend"].help for caption in BACKEND_CAPTIONS.values())


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_backend_trains_and_slices_to_the_same_step(backend) -> None:
    data = make_dataset("moons", 20, 0.1, seed=2)
    cfg = TrainConfig(layers=(4,), seed=3)
    whole, sliced = Trainer(data, cfg, backend), Trainer(data, cfg, backend)
    slices = sliced.step_slices()
    pieces = 0
    while True:
        try:
            next(slices)
            pieces += 1
        except StopIteration as done:
            record = done.value
            break
    assert record == whole.step() and sliced.parameters() == whole.parameters()
    assert (pieces > 0) == backends.BACKENDS[backend].sliced
    assert backends.BACKENDS[backend].memory((2, 4, 1), 20) > 0
