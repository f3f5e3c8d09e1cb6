"""The op table: its rows agree with themselves, and a new row can be added and removed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import ops
from gradlab.ops import UNARY, UnaryOp

POINTS = [-3.0, -1.0, -0.25, 0.0, 0.3, 1.0, 2.5, 700.0, -700.0]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))


def _cube() -> UnaryOp:
    return UnaryOp("cube", "cube", lambda x: x * x * x, lambda x, out: 3.0 * x * x,
                   lambda a: a * a * a, lambda x, out: 3.0 * x * x, False)


@pytest.mark.parametrize("name", list(UNARY))
def test_scalar_and_numpy_rules_of_a_row_agree(name: str) -> None:
    op = UNARY[name]
    xs = np.array(POINTS)
    with np.errstate(all="ignore"):
        outs = op.np_forward(xs)
        grads = op.np_grad(xs, outs)
    for x, out, g in zip(POINTS, outs.tolist(), grads.tolist(), strict=True):
        assert _same(float(op.forward(x)), out), (name, x)
        assert _same(float(op.grad(x, op.forward(x))), g), (name, x)


def test_builtin_rows_and_activations() -> None:
    assert [op.label for op in UNARY.values()] == ["ReLU", "tanh", "sigmoid", "exp", "log"]
    assert ops.ACTIVATIONS == ("relu", "tanh", "sigmoid", "linear")
    assert ops.activation("linear") is ops.LINEAR
    assert ops.activation("tanh") is UNARY["tanh"]
    with pytest.raises(ValueError, match="relu, tanh, sigmoid, linear"):
        ops.activation("exp")


def test_domain_rule_of_the_scalar_rows() -> None:
    assert UNARY["log"].forward(0.0) == -math.inf
    assert math.isnan(UNARY["log"].forward(-1.0))
    assert UNARY["exp"].forward(1000.0) == math.inf
    assert UNARY["sigmoid"].forward(-1000.0) == 0.0
    assert UNARY["relu"].forward(-2.0) == 0 and math.isnan(UNARY["relu"].forward(math.nan))
    assert UNARY["log"].grad(-0.0, -math.inf) == -math.inf


def test_register_and_unregister_a_row() -> None:
    seen = []
    ops.subscribe(seen.append)
    try:
        with ops.registered(_cube()) as row:
            assert UNARY["cube"] is row and ops.UNARY_BY_LABEL["cube"] is row
            assert "cube" not in ops.ACTIVATIONS
        assert "cube" not in UNARY and "cube" not in ops.UNARY_BY_LABEL
    finally:
        ops._listeners.remove(seen.append)
    assert seen == ["cube", "cube"]


def test_an_activation_row_joins_activations_before_linear() -> None:
    row = UnaryOp("softsign", "softsign", lambda x: x / (1 + abs(x)), lambda x, out: 1 / (1 + abs(x)) ** 2,
                  lambda a: a / (1 + np.abs(a)), lambda x, out: 1 / (1 + np.abs(x)) ** 2, True)
    with ops.registered(row):
        assert ops.ACTIVATIONS == ("relu", "tanh", "sigmoid", "softsign", "linear")
        assert ops.activation("softsign") is row
    assert ops.ACTIVATIONS == ("relu", "tanh", "sigmoid", "linear")


@pytest.mark.parametrize(
    "change, message",
    [
        ({"name": "relu"}, "already registered"),
        ({"name": "Cube"}, "lower-case identifier"),
        ({"name": "_cube"}, "lower-case identifier"),
        ({"name": "lambda"}, "reserved"),
        ({"name": "backward"}, "reserved"),
        ({"label": "ReLU"}, "already used by op 'relu'"),
        ({"label": "**2"}, "binary op"),
        ({"label": ""}, "non-empty"),
    ],
)
def test_register_refuses_a_bad_row(change: dict, message: str) -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match=message):
        ops.register(replace(_cube(), **change))
    assert list(UNARY) == ["relu", "tanh", "sigmoid", "exp", "log"]


def test_builtin_rows_cannot_be_removed() -> None:
    with pytest.raises(ValueError, match="built-in"):
        ops.unregister("relu")
    with pytest.raises(KeyError, match="no op named"):
        ops.unregister("nothing")


def test_a_listener_can_veto_a_row() -> None:
    def veto(name: str) -> None:
        if name in UNARY:
            raise ValueError("vetoed")

    ops.subscribe(veto)
    try:
        with pytest.raises(ValueError, match="vetoed"):
            ops.register(_cube())
    finally:
        ops._listeners.remove(veto)
    assert "cube" not in UNARY
