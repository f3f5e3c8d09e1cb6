"""The optimiser table: each row's rule against the textbook, nn and training using the same rows,
saved state names, RMSprop learning moons."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gradlab import nn, optimizers
from gradlab.datasets import make_dataset
from gradlab.engine import Value
from gradlab.optimizers import OPTIMIZERS, optimizer_row
from gradlab.training import TrainConfig, Trainer
from gradlab.training.config import DEFAULT_LEARNING_RATES, Optimizer

DEMO = make_dataset("moons", 100, 0.1, seed=1337)  # the data of micrograd's demo notebook
GRADS = [(0.5, -2.0), (0.25, 3.0), (-1.0, 0.0)]  # three steps' gradients of two parameters


def test_rmsprop_matches_the_textbook_update_step_by_step() -> None:
    # s = rho*s + (1-rho)*g^2; p -= lr*g/(sqrt(s)+eps), written out in plain floats
    lr, rho, eps = 0.01, 0.9, 1e-8
    p, s = [1.0, -0.5], [0.0, 0.0]
    row = optimizer_row("rmsprop")
    theta, state = np.array(p), row.initial_state(2)
    values = [Value(x) for x in p]
    opt = nn.RMSprop(values, lr=lr, rho=rho, eps=eps)
    for grads in GRADS:
        for i, g in enumerate(grads):
            s[i] = rho * s[i] + (1 - rho) * g * g
            p[i] = p[i] - lr * g / (math.sqrt(s[i]) + eps)
        theta, state = row.step(theta, np.array(grads), lr, state)
        for v, g in zip(values, grads, strict=True):
            v.grad = g
        opt.step()
        assert theta.tolist() == p and state["square"].tolist() == s
        assert [v.data for v in values] == p
    # the first step of a gradient g moves by lr*g/(sqrt(0.1*g^2)): about 3.16*lr whatever g's size
    assert 1.0 - 0.01 * 0.5 / (math.sqrt(0.1 * 0.25) + 1e-8) == pytest.approx(1.0 - 0.01 * math.sqrt(10))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_nn_and_the_training_optimiser_step_bit_for_bit_alike(name) -> None:
    values = [Value(1.0), Value(-0.5)]
    opt = nn.Optimizer(values, name, lr=0.05)
    flat = Optimizer(name, 2)
    theta = np.array([1.0, -0.5])
    for grads in GRADS:
        for v, g in zip(values, grads, strict=True):
            v.grad = g
        opt.step()
        theta, state = flat.propose(theta, np.array(grads), 0.05)
        flat.commit(state)
        assert [v.data for v in values] == theta.tolist()
        assert all(type(v.data) is float for v in values)
    assert opt.k == len(GRADS)


def test_the_named_nn_optimisers_are_rows_with_their_hyperparameters() -> None:
    ps = [Value(0.0)]
    assert nn.Adam(ps, betas=(0.8, 0.99), eps=1e-6).hyper == {"betas": (0.8, 0.99), "eps": 1e-6}
    assert nn.Momentum(ps, beta=0.5).row is OPTIMIZERS["momentum"]
    assert nn.RMSprop(ps).lr == 0.01 and nn.RMSprop(ps).rho == 0.9
    assert nn.Optimizer(ps, "adam").lr == OPTIMIZERS["adam"].default_lr
    with pytest.raises(ValueError, match="unknown optimizer 'nesterov'; choose one of sgd, momentum, adam"):
        nn.Optimizer(ps, "nesterov")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimiser_minimises_a_quadratic_through_nn(name) -> None:
    x, y = Value(0.0), Value(0.0)
    opt = nn.Optimizer([x, y], name, lr=0.04)  # SGD's limit here is 0.1 (the y term's curvature is 20)
    first = ((x - 3) ** 2 + 10 * (y + 1) ** 2).data
    for _ in range(400):
        loss = (x - 3) ** 2 + 10 * (y + 1) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert ((x - 3) ** 2 + 10 * (y + 1) ** 2).data < 0.05 * first


def test_saved_state_keeps_the_names_older_sessions_use() -> None:
    # sessions saved before the table must load: these keys are part of the file format
    names = {name: set(Optimizer(name, 3).state_dict()) for name in ("sgd", "momentum", "adam")}
    assert names == {"sgd": {"name"}, "momentum": {"name", "velocity"}, "adam": {"name", "t", "m", "v"}}
    assert Optimizer("rmsprop", 3).state_dict() == {"name": "rmsprop", "square": [0.0, 0.0, 0.0]}


def test_an_older_adam_state_loads_and_continues_as_it_would_have() -> None:
    cfg = TrainConfig(layers=(4,), optimizer="adam", learning_rate=0.01, seed=2)
    trainer = Trainer(DEMO, cfg)
    trainer.run(3)
    state = json.loads(json.dumps(trainer.state_dict()))
    assert state["optimizer"]["t"] == 3 and len(state["optimizer"]["m"]) == len(trainer.parameters())
    copy = Trainer.from_state(DEMO, state)
    assert [copy.step() for _ in range(2)] == [trainer.step() for _ in range(2)]


def test_rmsprop_learns_moons() -> None:
    # micrograd's demo data and network at RMSprop's default rate; the scalar backend takes the same
    # steps (test_training.py's backend-agreement tests run over every optimiser)
    cfg = TrainConfig(optimizer="rmsprop", learning_rate=DEFAULT_LEARNING_RATES["rmsprop"], lr_decay=None)
    trainer = Trainer(DEMO, cfg)
    first = trainer.step()
    trainer.run(99)
    last = trainer.evaluate()
    assert last.loss < 0.1 * first.loss and last.accuracy >= 0.97


def test_a_new_row_is_an_optimiser_everywhere(monkeypatch) -> None:
    # a row added to the table (here for the test only) steps in nn and saves its state
    def halve(theta, grad, lr, state):
        return theta - 0.5 * lr * grad, {"count": state["count"] + 1}

    row = optimizers.OptimizerRow("half", "half SGD", 0.5, halve, arrays=("count",))
    monkeypatch.setitem(OPTIMIZERS, "half", row)
    p = Value(1.0)
    p.grad = 2.0
    opt = nn.Optimizer([p], "half")
    opt.step()
    assert p.data == 0.5 and opt.state["count"].tolist() == [1.0]
    assert Optimizer("half", 2).state_dict() == {"name": "half", "count": [0.0, 0.0]}
