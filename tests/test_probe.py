"""The probe: nudging nodes, numerical derivatives next to backprop's, exact restoration."""

import math
import struct

import numpy as np
import pytest
from helpers import SEED, seed_graph

from gradlab.engine import Value, _mul_backward
from gradlab.expr import run_program
from gradlab.graph import GraphModel
from gradlab.probe import (
    DEFAULT_SWEEP_HS,
    DirectionalResult,
    NudgeResult,
    check_grad,
    derivative_example,
    directional_probe,
    error_sweep,
    lecture_function,
    nudge_probe,
    numerical_grad,
    response_curve,
)


def seed_example() -> GraphModel:
    """micrograd's README example with every name labelled: g = 24.7041, dg/da = 138.8338."""
    return GraphModel(run_program(SEED).output)


def bits(x) -> tuple:
    """A value's exact identity: its type and its bit pattern (so -0.0 != 0.0 and nan == nan)."""
    if isinstance(x, float):
        return float, struct.pack("<d", x)
    return type(x), x


def snapshot(graph: GraphModel) -> list[tuple]:
    return [bits(v.data) for v in graph.values]


@pytest.fixture
def seed() -> GraphModel:
    return seed_example()


# -- nudge_probe ----------------------------------------------------------------------------------


def test_seed_input_matches_backprop(seed: GraphModel) -> None:
    a = seed.find("a")
    r = nudge_probe(seed, a, 1e-5)
    assert isinstance(r, NudgeResult)
    assert (r.index, r.label, r.x, r.h) == (a, "a", -4.0, 1e-5)
    assert r.f0 == pytest.approx(24.7041, abs=5e-5)
    assert r.grad == pytest.approx(138.8338, abs=5e-5)
    assert r.central_diff == pytest.approx(r.grad, rel=1e-4)
    assert abs(r.central_error) < abs(r.forward_error)  # central differences are more accurate
    assert r.forward_diff == (r.f_plus - r.f0) / r.h
    assert r.central_diff == (r.f_plus - r.f_minus) / (2 * r.h)
    assert r.forward_error == r.forward_diff - r.grad
    assert r.central_error == r.central_diff - r.grad
    assert r.predicted_change == r.grad * r.h
    assert r.actual_change == r.f_plus - r.f0
    b = nudge_probe(seed, seed.find("b"), 1e-5)
    assert b.grad == pytest.approx(645.5773, abs=5e-5)
    assert b.central_diff == pytest.approx(b.grad, rel=1e-4)


def test_nudge_result_is_frozen(seed: GraphModel) -> None:
    r = nudge_probe(seed, 0, 1e-3)
    with pytest.raises(AttributeError):
        r.h = 2.0  # type: ignore[misc]


def test_intermediate_node_moves_output_by_grad_times_h(seed: GraphModel) -> None:
    e = seed.find("e")
    assert seed.roles[e] == "intermediate"
    r = nudge_probe(seed, e, 1e-6)
    assert r.x == seed.values[e].data
    assert r.grad == seed.values[e].grad != 0
    assert r.actual_change == pytest.approx(r.predicted_change, rel=1e-4)
    assert r.central_diff == pytest.approx(r.grad, rel=1e-6)


def test_nudging_an_intermediate_node_changes_only_downstream(seed: GraphModel) -> None:
    # while nudged, nothing upstream of the node moves: check by watching set_data's report
    e = seed.find("e")
    before = snapshot(seed)
    changed = seed.set_data(e, seed.values[e].data + 1e-3)
    assert set(changed) <= {e, *seed.downstream(e)}
    assert all(bits(seed.values[j].data) == before[j] for j in range(e))


def test_output_node_has_derivative_one(seed: GraphModel) -> None:
    out = len(seed) - 1
    r = nudge_probe(seed, out, 1e-3)
    assert r.grad == 1.0
    assert r.f_plus == r.f0 + 1e-3
    assert r.forward_diff == pytest.approx(1.0, rel=1e-9)
    assert r.central_diff == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("h", [1e-1, 1e-5, 1e-12, -1e-3])
def test_restores_every_value_bitwise(seed: GraphModel, h: float) -> None:
    before = snapshot(seed)
    for i in range(len(seed)):
        nudge_probe(seed, i, h)
        assert snapshot(seed) == before, f"node {i} not restored"


def test_restores_values_that_do_not_round_trip() -> None:
    # a graph edited behind GraphModel's back (a stale intermediate value, an int ReLU output,
    # a -0.0) still comes back exactly as it was
    x = Value(-0.0, label="x")
    y = Value(-2.0, label="y")
    r = y.relu()  # int 0
    s = x * r + x
    out = s * 3
    g = GraphModel(out)
    s.data = 123.0  # stale on purpose
    before = snapshot(g)
    assert isinstance(r.data, int)
    for i in range(len(g)):
        nudge_probe(g, i, 1e-4)
        error_sweep(g, i, hs=[1e-2, 1e-3])
        response_curve(g, i, n=5)
        assert snapshot(g) == before


def test_gradients_are_current_after_probe(seed: GraphModel) -> None:
    for v in seed.values:
        v.grad = 0.0
    nudge_probe(seed, 0, 1e-3)
    assert seed.values[seed.find("a")].grad == pytest.approx(138.8338, abs=5e-5)
    assert seed.output.grad == 1.0


@pytest.mark.parametrize("h", [0.0, math.inf, math.nan])
def test_rejects_bad_step(seed: GraphModel, h: float) -> None:
    with pytest.raises(ValueError, match="step h"):
        nudge_probe(seed, 0, h)


def test_rejects_bad_index(seed: GraphModel) -> None:
    with pytest.raises(IndexError):
        nudge_probe(seed, len(seed), 1e-3)


def test_nan_input_gives_nan_estimates() -> None:
    x = Value(-1.0, label="x")
    g = GraphModel(x.log() * 2)
    r = nudge_probe(g, 0, 1e-3)
    assert math.isnan(r.f0) and math.isnan(r.central_diff) and math.isnan(r.central_error)
    s = error_sweep(g, 0)
    assert math.isnan(s.best_h_forward) and math.isnan(s.best_h_central)


# -- directional_probe ----------------------------------------------------------------------------


def test_directional_probe_along_an_axis_is_nudge_probe(seed: GraphModel) -> None:
    a, b = seed.find("a"), seed.find("b")
    r = directional_probe(seed, [a, b], [1.0, 0.0], 1e-5)
    one = nudge_probe(seed, a, 1e-5)
    assert isinstance(r, DirectionalResult)
    assert (r.indices, r.f0, r.f_plus, r.f_minus) == ((a, b), one.f0, one.f_plus, one.f_minus)
    assert r.central_diff == one.central_diff
    # backprop's side uses the step the float took: (-4 + 1e-5) - (-4 - 1e-5) is not exactly 2e-5
    assert r.grad == pytest.approx(one.grad, rel=1e-9) and r.grad != one.grad


def test_directional_probe_matches_grad_dot_u(seed: GraphModel) -> None:
    a, b = seed.find("a"), seed.find("b")
    u = np.array([3.0, -4.0]) / 5.0
    before = snapshot(seed)
    r = directional_probe(seed, [a, b], u, 1e-5)
    assert r.grad == pytest.approx(138.8338 * 0.6 - 645.5773 * 0.8, abs=1e-4)
    assert r.central_diff == pytest.approx(r.grad, rel=1e-6)
    assert r.central_error == r.central_diff - r.grad
    assert snapshot(seed) == before  # every value back, bitwise
    assert seed.gradients_current


def test_directional_probe_moves_ten_thousand_inputs_in_two_passes(monkeypatch) -> None:
    xs = [Value(0.1 * (k % 7), label=f"x{k}") for k in range(10_000)]
    g = GraphModel(sum((x * x for x in xs), Value(0.0)))
    rng = np.random.default_rng(3)
    u = rng.standard_normal(len(xs))
    u /= np.linalg.norm(u)
    indices = [g.index[id(x)] for x in xs]
    calls = []
    monkeypatch.setattr(g, "set_many", lambda updates, f=g.set_many: calls.append(len(updates)) or f(updates))
    r = directional_probe(g, indices, u, 1e-6)
    assert calls == [10_000, 10_000]
    assert r.grad == pytest.approx(float(np.dot([2 * x.data for x in xs], u)), rel=1e-6)
    assert r.central_diff == pytest.approx(r.grad, rel=1e-5)


def test_directional_probe_catches_a_wrong_gradient(seed: GraphModel) -> None:
    a, b = seed.find("a"), seed.find("b")
    seed.backward()
    seed.values[b].grad += 0.01  # one wrong gradient, as a bad backward rule would leave
    r = directional_probe(seed, [a, b], [0.6, 0.8], 1e-5)
    assert abs(r.central_error) == pytest.approx(0.008, rel=1e-3)


def test_directional_probe_rejects_a_direction_of_the_wrong_size(seed: GraphModel) -> None:
    with pytest.raises(ValueError, match="2 entries for 1 nodes"):
        directional_probe(seed, [0], [0.6, 0.8], 1e-5)
    with pytest.raises(IndexError):
        directional_probe(seed, [0, 0], [0.6, 0.8], 1e-5)
    with pytest.raises(ValueError, match="finite non-zero"):
        directional_probe(seed, [0], [1.0], 0.0)


# -- error_sweep ----------------------------------------------------------------------------------


def test_default_hs_span_1e_1_to_1e_12() -> None:
    assert DEFAULT_SWEEP_HS[0] == pytest.approx(1e-1)
    assert DEFAULT_SWEEP_HS[-1] == pytest.approx(1e-12)
    assert np.all(np.diff(DEFAULT_SWEEP_HS) < 0)


def _at(sweep, h: float) -> int:
    return int(np.argmin(np.abs(np.log10(sweep.hs) - math.log10(h))))


def test_error_sweep_shows_truncation_then_round_off() -> None:
    x = Value(0.7, label="x")
    out = (x * 3).exp() * x.tanh()  # curved: the forward difference has truncation error
    g = GraphModel(out)
    s = error_sweep(g, 0)
    n = len(DEFAULT_SWEEP_HS)
    assert s.hs.shape == s.forward_error.shape == s.central_error.shape == (n,)
    assert np.all(s.forward_error >= 0) and np.all(s.central_error >= 0)
    fe, ce = s.forward_error, s.central_error
    assert fe[_at(s, 1e-1)] > fe[_at(s, 1e-5)]  # truncation error falls with h
    assert fe[_at(s, 1e-12)] > fe[_at(s, 1e-7)]  # round-off error rises as h shrinks
    assert ce[_at(s, 1e-1)] > ce[_at(s, 1e-4)]
    assert ce[_at(s, 1e-12)] > ce[_at(s, 1e-5)]
    # the best steps are in between, central differences tolerate (and want) a larger h
    assert 1e-10 < s.best_h_forward < 1e-5
    assert 1e-8 < s.best_h_central < 1e-2
    assert s.best_h_central > s.best_h_forward
    assert s.best_h == (s.best_h_forward, s.best_h_central)
    assert ce.min() < fe.min()
    assert s.grad == g.values[0].grad


def test_error_sweep_matches_nudge_probe(seed: GraphModel) -> None:
    a = seed.find("a")
    hs = [1e-2, 1e-4]
    s = error_sweep(seed, a, hs)
    for k, h in enumerate(hs):
        r = nudge_probe(seed, a, h)
        assert s.forward_error[k] == abs(r.forward_error)
        assert s.central_error[k] == abs(r.central_error)


def test_error_sweep_rejects_zero_step(seed: GraphModel) -> None:
    with pytest.raises(ValueError):
        error_sweep(seed, 0, [1e-3, 0.0])


# -- response_curve -------------------------------------------------------------------------------


def test_response_curve_passes_through_current_point(seed: GraphModel) -> None:
    a = seed.find("a")
    before = snapshot(seed)
    xs, ys = response_curve(seed, a)
    assert snapshot(seed) == before
    assert xs.shape == ys.shape == (81,)
    assert xs[40] == -4.0 and ys[40] == seed.output.data
    assert xs[0] == pytest.approx(-6.0) and xs[-1] == pytest.approx(-2.0)  # max(1, |x|) / 2 = 2
    assert np.all(np.diff(xs) > 0)
    # the tangent at x has slope grad
    seed.backward()
    slope = (ys[41] - ys[39]) / (xs[41] - xs[39])
    assert slope == pytest.approx(seed.values[a].grad, rel=1e-2)


def test_response_curve_matches_a_fresh_evaluation() -> None:
    x = Value(1.5, label="x")
    g = GraphModel(lecture_function(x))
    xs, ys = response_curve(g, 0, half_width=2.0, n=9)
    assert xs[0] == -0.5 and xs[-1] == 3.5
    assert ys == pytest.approx([lecture_function(float(v)) for v in xs])


def test_response_curve_of_intermediate_node_is_a_line_for_a_sum() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    s = a * b
    out = s + 10
    g = GraphModel(out)
    xs, ys = response_curve(g, g.index[id(s)], half_width=1.0, n=5)
    assert ys == pytest.approx(xs + 10)
    assert s.data == 6.0 and out.data == 16.0


def test_response_curve_of_nan_node_sweeps_around_zero() -> None:
    x = Value(math.nan, label="x")
    g = GraphModel(x * 2)
    xs, ys = response_curve(g, 0, n=3)
    assert xs.tolist() == [-0.5, 0.0, 0.5]
    assert ys.tolist() == [-1.0, 0.0, 1.0]
    assert math.isnan(x.data) and math.isnan(g.output.data)


# -- numerical_grad / check_grad ------------------------------------------------------------------


def test_numerical_grad() -> None:
    grads = numerical_grad(lambda x, y: x * x * y + math.sin(y), [3.0, 0.5])
    assert grads == pytest.approx([2 * 3.0 * 0.5, 9.0 + math.cos(0.5)], rel=1e-8)


@pytest.mark.parametrize(
    ("build", "xs"),
    [
        (lambda a, b: a * b + a, (2.0, -3.0)),
        (lambda a, b: a / b - b**3, (1.5, 0.7)),
        (lambda a: a.tanh() + a.sigmoid() + a.exp() + (a * a).log(), (0.4,)),
        (lambda a, b: a**b, (1.7, 2.3)),
        (lambda a, b: 2**a + (a - b).relu(), (0.3, -1.0)),
        (lambda *xs: sum(x * x for x in xs), (1.0, 2.0, 3.0)),
    ],
)
def test_check_grad_passes_on_correct_ops(build, xs) -> None:
    assert check_grad(build, *xs) < 1e-5


def test_check_grad_on_seed_example() -> None:
    assert check_grad(seed_graph, -4.0, 2.0) < 1e-5


def test_check_grad_catches_a_wrong_gradient() -> None:
    def build(x, y):
        s = x + y
        s._grad_fn = _mul_backward  # the forward value is a sum, the backward rule a product's
        return s * x

    with pytest.raises(AssertionError, match=r"argument 'x'.*backprop gives.*central differences"):
        check_grad(build, 2.0, 5.0)


def test_check_grad_names_the_argument_at_fault() -> None:
    def build(a, b):
        t = b.tanh()
        t._grad_fn = Value(0.0).sigmoid()._grad_fn  # wrong rule for b only
        return a * 2 + t

    with pytest.raises(AssertionError, match="argument 'b'"):
        check_grad(build, 1.0, 0.5)


def test_check_grad_returns_max_error_and_honours_tol() -> None:
    err = check_grad(lambda x: x.exp(), 1.0)
    assert 0 < err < 1e-5
    with pytest.raises(AssertionError, match="tol 1e-20"):
        check_grad(lambda x: x.exp(), 1.0, tol=1e-20)


# -- the lecture's derivative ---------------------------------------------------------------------


def test_derivative_example() -> None:
    ex = derivative_example()
    assert ex.x == 3.0 and ex.h == 1e-8
    assert ex.f_x == 20.0
    assert ex.f_x_plus_h == lecture_function(3.0 + 1e-8)
    assert ex.exact_slope == 14.0
    assert ex.slope == pytest.approx(14.0, abs=1e-6)
    assert ex.slope == (ex.f_x_plus_h - ex.f_x) / ex.h
    assert derivative_example(-2.0, 1e-6).exact_slope == -16.0


def test_lecture_function_on_values() -> None:
    x = Value(3.0)
    y = lecture_function(x)
    y.backward()
    assert y.data == 20.0 and x.grad == 14.0


def test_vectorised_sweep_matches_one_scalar_pass_per_value() -> None:
    """Every op, including the domain faults (log of <= 0, poles, overflow), agrees with the engine."""
    from gradlab.probe import _Nudger

    x = Value(0.7, label="x")
    y = Value(-1.3, label="y")
    z = (x * y + x**3).tanh() + (x - y).relu() + x.exp() + (x * 4).log() + (x * 2).sigmoid()
    z = z + y**x + 2**x + x**-1 + (x * 800).exp() + (-x).sigmoid() + x**0.5
    graph = GraphModel(z)
    i = graph.find("x")
    xs = np.array([-2.0, -0.5, 0.0, 1e-9, 0.3, 0.7, 1.0, 2.5])
    with _Nudger(graph, i) as nudger:
        vectorised = nudger.outputs_at(xs)
        scalar = np.array([nudger.output_at(v) for v in xs.tolist()])
    np.testing.assert_allclose(vectorised, scalar, rtol=1e-13, equal_nan=True)
    assert not np.isfinite(vectorised[[0, 2]]).any()  # the faults are really exercised


def test_sweep_falls_back_to_scalar_passes_for_an_op_numpy_does_not_know(monkeypatch) -> None:
    from gradlab import probe

    monkeypatch.setattr(probe, "_UNARY_BY_LABEL", {})  # as if tanh were an op numpy does not know
    x = Value(0.5, label="x")
    graph = GraphModel((x * 2).tanh())
    xs, ys = response_curve(graph, graph.find("x"), n=5)
    np.testing.assert_allclose(ys, np.tanh(2 * xs), rtol=1e-15)


def test_probe_reuses_current_gradients_and_refreshes_stale_ones(monkeypatch) -> None:
    """A slider move already ran backward(): the probe must not run it again, nor skip a stale one."""
    graph = seed_example()
    calls = []
    real = graph.backward
    monkeypatch.setattr(graph, "backward", lambda: (calls.append(1), real()))
    a = graph.find("a")
    nudge_probe(graph, a, 1e-5)
    error_sweep(graph, a)
    assert len(calls) == 1 and graph.gradients_current  # nudging and restoring kept them current
    graph.set_data(graph.find("b"), 2.5)
    assert nudge_probe(graph, a, 1e-5).grad == graph.values[a].grad and len(calls) == 2
