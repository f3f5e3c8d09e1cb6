"""The op table: its rows agree with themselves, and a new row can be added and removed."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(UNARY)), st.floats(allow_nan=True, allow_infinity=True))
def test_scalar_and_numpy_rules_agree_on_any_float(name: str, x: float) -> None:
    """The engine's rules and the fast backend's cannot drift apart: same values, nan and inf alike."""
    op = UNARY[name]
    with np.errstate(all="ignore"):
        out = op.np_forward(np.array([x]))
        grad = op.np_grad(np.array([x]), out)
    scalar_out = float(op.forward(x))
    assert _same(scalar_out, float(out[0]))
    assert _same(float(op.grad(x, op.forward(x))), float(grad[0]))


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


# -- one row drives every consumer ---------------------------------------------------------------


def _softplus_row(np_calls: list | None = None) -> UnaryOp:
    """``log(1 + e^x)``, written stably; its derivative is the sigmoid row's forward."""
    sigmoid = UNARY["sigmoid"]

    def np_forward(a: np.ndarray) -> np.ndarray:
        if np_calls is not None:
            np_calls.append(a.shape)
        return np.logaddexp(0.0, a)

    return UnaryOp(
        "softplus", "softplus",
        lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
        lambda x, out: sigmoid.forward(x),
        np_forward,
        lambda x, out: sigmoid.np_forward(x),
        True,
    )


def test_a_registered_row_works_in_the_engine_forward_and_backward() -> None:
    from gradlab.engine import Value
    from gradlab.probe import check_grad

    with ops.registered(_softplus_row()):
        x = Value(0.5, label="x")
        y = x.softplus()
        assert y._op == "softplus" and y._prev == (x,)
        assert y.data == pytest.approx(math.log(1 + math.exp(0.5)), rel=1e-15)
        y.backward()
        assert x.grad == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-15)
        for at in (-3.0, -0.2, 0.0, 0.4, 2.5):
            assert check_grad(lambda a: (a * a).softplus() * a + a.softplus().tanh(), at) < 1e-6
    assert not hasattr(Value, "softplus")


def test_a_registered_row_works_in_recompute() -> None:
    from gradlab.engine import Value, recompute, topological_order

    def build(a: float) -> Value:
        x = Value(a)
        return (x * 3).softplus() + x.softplus() * x

    with ops.registered(_softplus_row()):
        out = build(0.25)
        leaf = topological_order(out)[0]
        leaf.data = -1.5
        for v in topological_order(out):
            recompute(v)
        assert out.data == build(-1.5).data


def test_a_registered_row_works_in_the_language() -> None:
    from gradlab.expr import ExpressionError, run_program

    source = "a = Value(0.5)\nb = a.softplus()\nc = softplus(a) * b + softplus(2.0)\nc.backward()\n"
    with ops.registered(_softplus_row()):
        program = run_program(source)
        sp = math.log1p(math.exp(0.5))
        assert program.values["c"].data == pytest.approx(sp * sp + math.log1p(math.exp(2.0)), rel=1e-14)
        assert program.values["a"].grad == pytest.approx(2 * sp / (1 + math.exp(-0.5)), rel=1e-14)
        assert run_program("softplus = Value(1.0)").values["softplus"].data == 1.0  # a name may be shadowed
    with pytest.raises(ExpressionError, match="'.softplus\\(\\)' is not available here"):
        run_program(source)
    assert run_program("softplus = 2.0").lines == {"softplus": 1}  # a plain name again


def test_a_registered_row_works_in_the_probe_numpy_path() -> None:
    from gradlab.engine import Value
    from gradlab.graph import GraphModel
    from gradlab.probe import _Nudger, error_sweep, response_curve

    calls: list = []
    with ops.registered(_softplus_row(calls)):
        x = Value(0.3, label="x")
        graph = GraphModel((x * 2).softplus() * x)
        i = graph.find("x")
        xs, ys = response_curve(graph, i, n=9)
        assert calls, "the sweep did not use the row's numpy forward"
        with _Nudger(graph, i) as nudger:
            scalar = np.array([nudger.output_at(v) for v in xs.tolist()])
        np.testing.assert_allclose(ys, scalar, rtol=1e-13)
        sweep = error_sweep(graph, i)
        assert sweep.central_error.min() < 1e-9  # backprop's gradient is the slope the sweep sees


def test_a_registered_activation_works_in_nn() -> None:
    from gradlab import nn

    with ops.registered(_softplus_row()):
        assert "softplus" in nn.ACTIVATIONS
        model = nn.MLP(2, [3, 1], activation="softplus", seed=0)
        neuron = model.layers[0].neurons[0]
        assert repr(neuron) == "SoftplusNeuron(2)"
        out = neuron([0.5, -1.0])
        assert out._op == "softplus"
        model([0.5, -1.0]).backward()
    assert "softplus" not in nn.ACTIVATIONS
    with pytest.raises(ValueError, match="choose one of relu, tanh, sigmoid, linear"):
        nn.MLP(2, [3, 1], activation="softplus")


def test_a_registered_row_is_highlighted_in_the_editor(qtbot) -> None:
    from PySide6.QtGui import QTextDocument

    from gradlab.ui.expression.editor import PythonHighlighter

    with ops.registered(_softplus_row()):
        highlighter = PythonHighlighter(QTextDocument())
    assert any(p.pattern.find("softplus") >= 0 for p, _ in highlighter.rules)


def test_the_engine_vetoes_a_name_value_already_has() -> None:
    with pytest.raises(ValueError, match="'mro' is already an attribute of Value"):
        ops.register(replace(_cube(), name="mro", label="mro"))
    assert "mro" not in UNARY and "mro" not in ops.UNARY_BY_LABEL


# -- gradient checks, one line per op (HIPS/autograd's test_util style) ---------------------------

GRAD_CHECKS = {
    "relu": (-1.5, -0.3, 0.4, 2.0),
    "tanh": (-2.0, -0.5, 0.0, 0.7, 3.0),
    "sigmoid": (-4.0, -0.5, 0.0, 1.2, 5.0),
    "exp": (-3.0, 0.0, 0.5, 2.0),
    "log": (0.1, 0.5, 1.0, 4.0),
}


def _check_engine_grad(name: str, *points: float) -> None:
    """Backprop through ``Value.<name>`` (alone and in a product) against central differences."""
    from gradlab.probe import check_grad

    for x in points:
        check_grad(lambda a: getattr(a, name)(), x, tol=1e-6)
        check_grad(lambda a: getattr(a * 0.75, name)() * a, x, tol=1e-6)


def _check_numpy_grad(op: UnaryOp, *points: float, h: float = 1e-6, tol: float = 1e-6) -> None:
    """The row's numpy derivative against central differences of its numpy forward."""
    xs = np.array(points)
    numerical = (op.np_forward(xs + h) - op.np_forward(xs - h)) / (2 * h)
    analytic = op.np_grad(xs, op.np_forward(xs))
    error = np.abs(analytic - numerical) / np.maximum(1.0, np.abs(numerical))
    if not (error <= tol).all():
        k = int(np.argmax(error))
        raise AssertionError(f"numpy derivative of {op.name!r} at x={xs[k]}: {analytic[k]}, "
                             f"central differences give {numerical[k]}")


def test_every_row_has_a_gradient_check() -> None:
    assert set(GRAD_CHECKS) == set(UNARY)


@pytest.mark.parametrize("name", list(GRAD_CHECKS))
def test_gradient_of_each_row(name: str) -> None:
    _check_engine_grad(name, *GRAD_CHECKS[name])
    _check_numpy_grad(UNARY[name], *GRAD_CHECKS[name])


def test_the_checks_catch_a_wrong_gradient_row() -> None:
    wrong = UnaryOp("badexp", "badexp", ops.safe_exp, lambda x, out: 2.0 * out,
                    np.exp, lambda x, out: out + 0.01, False)
    with ops.registered(wrong), pytest.raises(AssertionError, match="gradient of argument 'a'"):
        _check_engine_grad("badexp", 0.5)
    with pytest.raises(AssertionError, match="numpy derivative of 'badexp' at x=0.5"):
        _check_numpy_grad(wrong, 0.5)
