"""The scalar autograd engine: gradients, the lecture's examples, deep graphs, memory, domain faults."""

from __future__ import annotations

import gc
import math
import weakref

import pytest
from helpers import SEED
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab import engine
from gradlab.engine import Value, recompute, topological_order

# -- a gradient checker, and proof that it checks ------------------------------------------------


def check_grad(f, *xs: float, h: float = 1e-6, rel_tol: float = 1e-5, abs_tol: float = 1e-6) -> None:
    """Assert that backprop through ``f(*Values)`` matches central differences for every input."""
    leaves = [Value(float(x)) for x in xs]
    out = f(*leaves)
    out.backward()
    for i, leaf in enumerate(leaves):

        def at(delta: float, i: int = i) -> float:
            args = [Value(float(x)) for x in xs]
            args[i] = Value(float(xs[i]) + delta)
            return f(*args).data

        numeric = (at(h) - at(-h)) / (2 * h)
        assert math.isclose(leaf.grad, numeric, rel_tol=rel_tol, abs_tol=abs_tol), (
            f"d/dx{i}: backprop {leaf.grad!r} but finite differences {numeric!r}"
        )


OPS = [
    ("add", lambda a, b: a + b, (1.5, -2.0)),
    ("add const", lambda a: a + 3, (1.5,)),
    ("radd", lambda a: 3 + a, (1.5,)),
    ("sub", lambda a, b: a - b, (1.5, -2.0)),
    ("rsub", lambda a: 3 - a, (1.5,)),
    ("mul", lambda a, b: a * b, (1.5, -2.0)),
    ("rmul", lambda a: 3 * a, (1.5,)),
    ("div", lambda a, b: a / b, (1.5, -2.0)),
    ("rtruediv", lambda a: 2.0 / a, (1.5,)),
    ("pow const", lambda a: a**3, (-1.5,)),
    ("pow const fractional", lambda a: a**-1.5, (0.7,)),
    ("pow Value**Value", lambda a, b: a**b, (1.7, -0.6)),
    ("number**Value", lambda a: 2.0**a, (1.3,)),
    ("neg", lambda a: -a, (1.5,)),
    ("relu positive", lambda a: (a * 2).relu(), (0.8,)),
    ("relu negative", lambda a: (a * 2).relu(), (-0.8,)),
    ("tanh", lambda a: a.tanh(), (0.6,)),
    ("exp", lambda a: a.exp(), (1.2,)),
    ("log", lambda a: a.log(), (0.4,)),
    ("sigmoid", lambda a: a.sigmoid(), (-0.9,)),
    ("sigmoid far negative", lambda a: a.sigmoid(), (-30.0,)),
    (
        "composite",
        lambda a, b, c: ((a * b + c.exp()).tanh() * (b**2 + 1).log() - c / a + (a - c).relu()) ** 2,
        (0.9, -1.3, 0.4),
    ),
]


@pytest.mark.parametrize("f, xs", [(f, xs) for _, f, xs in OPS], ids=[name for name, _, _ in OPS])
def test_gradients_match_finite_differences(f, xs) -> None:
    check_grad(f, *xs)


@given(
    st.floats(-2, 2),
    st.floats(-2, 2),
    st.floats(0.1, 3),
)
@settings(max_examples=50, deadline=None)
def test_gradients_of_a_smooth_composite_match_everywhere(a: float, b: float, c: float) -> None:
    check_grad(lambda a, b, c: (a * b).tanh() * c.log() + (a - b).sigmoid() / c + c**b, a, b, c)


def _wrong_mul_backward(out: Value) -> None:
    a, b = out._prev
    a.grad += b.data * out.grad
    b.grad += b.data * out.grad  # should be a.data


def test_check_grad_catches_a_wrong_rule_on_one_node() -> None:
    def f(a: Value, b: Value) -> Value:
        out = a * b
        out._grad_fn = _wrong_mul_backward
        return out

    check_grad(lambda a, b: a * b, 2.0, 3.0)  # the true rule passes
    with pytest.raises(AssertionError, match="finite differences"):
        check_grad(f, 2.0, 3.0)


def test_check_grad_catches_a_wrong_rule_in_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_mul_backward", _wrong_mul_backward)
    with pytest.raises(AssertionError, match="finite differences"):
        check_grad(lambda a, b: (a * b).tanh(), 0.5, 0.3)


# -- the lecture's examples ---------------------------------------------------------------


# the shipped example, verbatim but for the import: it runs as plain Python on gradlab's engine
SEED_EXAMPLE = SEED.replace("from micrograd.engine import", "from gradlab.engine import")


def test_micrograd_readme_example_runs_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(SEED_EXAMPLE, "<seed example>", "exec"), {})
    assert capsys.readouterr().out.split() == ["24.7041", "138.8338", "645.5773"]


def test_lecture_L_graph() -> None:
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    e = a * b
    d = e + c
    f = Value(-2.0, label="f")
    L = d * f
    L.backward()
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, f.grad, d.grad, e.grad, L.grad) == (6.0, -4.0, -2.0, 4.0, -2.0, -2.0, 1.0)


def _tanh_neuron(via_exp: bool = False):
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    if via_exp:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    return o, n, x1w1x2w2, x1w1, x2w2, (x1, x2, w1, w2, b)


def test_tanh_neuron() -> None:
    o, *_, (x1, x2, w1, w2, b) = _tanh_neuron()
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476)
    assert x1.grad == pytest.approx(-1.5)
    assert w1.grad == pytest.approx(1.0)
    assert x2.grad == pytest.approx(0.5)
    assert w2.grad == 0.0
    assert b.grad == pytest.approx(0.5)


def test_tanh_neuron_via_exp_gives_the_same() -> None:
    o, *_, leaves = _tanh_neuron()
    o2, *_, leaves2 = _tanh_neuron(via_exp=True)
    o.backward()
    o2.backward()
    assert o2.data == pytest.approx(o.data, rel=1e-12)
    for v, v2 in zip(leaves, leaves2, strict=True):
        assert v2.grad == pytest.approx(v.grad, rel=1e-9, abs=1e-12)


def test_manual_backward_flow_as_in_the_lecture() -> None:
    o, n, x1w1x2w2, x1w1, x2w2, leaves = _tanh_neuron()
    o.grad = 1.0
    o._backward()
    n._backward()
    leaves[-1]._backward()  # b is a leaf: does nothing
    x1w1x2w2._backward()
    x2w2._backward()
    x1w1._backward()
    manual = [v.grad for v in leaves]

    o2, *_, leaves2 = _tanh_neuron()
    o2.backward()
    assert manual == [v.grad for v in leaves2]


def test_using_a_node_twice_adds_its_gradients() -> None:
    a = Value(3.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0  # the lecture's bug gave 1

    a = Value(-2.0)
    b = Value(3.0)
    d = a * b
    e = a + b
    f = d * e
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)

    a = Value(3.0)
    b = a + a
    c = a * b + b  # 2a^2 + 2a
    c.backward()
    assert c.data == 24.0
    assert a.grad == 14.0
    assert b.grad == 4.0


def test_prev_is_a_tuple_in_argument_order() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a * b)._prev == (a, b)
    assert (b * a)._prev == (b, a)
    assert isinstance((a + b)._prev, tuple)
    s = a + a
    assert len(s._prev) == 2 and s._prev[0] is a and s._prev[1] is a
    assert a._prev == ()
    assert topological_order(a * b)[-1]._prev == (a, b)


# -- backward: depth, repetition, accumulation ---------------------------------------------


@pytest.mark.slow  # 200,000 Values built, walked twice and freed (2-3 s)
def test_deep_chain_has_no_recursion_limit() -> None:
    x0 = Value(0.0)
    x = x0
    for _ in range(200_000):
        x = x + 1
    assert x.data == 200_000.0
    x.backward()
    assert x0.grad == 1.0
    x.backward()
    assert x0.grad == 1.0
    assert len(topological_order(x)) == 400_001
    del x  # freeing the chain must not overflow the C stack either


def _graph():
    a, b, c = Value(0.5), Value(-1.5), Value(2.0)
    h = (a * b + c).tanh()
    out = h * a + (h - c).relu() + b.exp() / c + h * h
    return out, h, (a, b, c)


def test_backward_twice_gives_identical_gradients() -> None:
    out, h, leaves = _graph()
    out.backward()
    first = [v.grad for v in topological_order(out)]
    out.backward()
    assert [v.grad for v in topological_order(out)] == first


def test_accumulate_adds_to_existing_gradients() -> None:
    out, h, leaves = _graph()
    out.backward()
    once = [v.grad for v in topological_order(out)]
    out.backward(accumulate=True)
    assert [v.grad for v in topological_order(out)] == [2 * g for g in once]


def test_accumulate_over_two_losses_sharing_an_inner_node() -> None:
    out, h, (a, b, c) = _graph()
    other = h * b + c * c  # shares h (an inner node) and the leaves with `out`
    out.backward()
    other.backward(accumulate=True)
    got = [a.grad, b.grad, c.grad, h.grad]

    out2, h2, (a2, b2, c2) = _graph()
    (out2 + (h2 * b2 + c2 * c2)).backward()
    want = [a2.grad, b2.grad, c2.grad, h2.grad]
    assert got == pytest.approx(want, rel=1e-12)


def test_accumulate_over_separate_graphs() -> None:
    w = Value(2.0)
    for x in (1.0, 3.0, -0.5):
        (w * x).backward(accumulate=True)
    assert w.grad == 3.5


# -- memory: no reference cycles -------------------------------------------------------------


def _build_everything() -> list[weakref.ref]:
    from gradlab import nn

    a, b, c = Value(0.5), Value(-1.5), Value(2.0)
    out = ((a * b + c).tanh() * a - b / c + (a**b) + 2**c + (-c).relu() + c.log() + b.sigmoid()) ** 2
    out.backward()
    out.backward(accumulate=True)

    model = nn.MLP(2, [4, 4, 1], activation=["relu", "tanh"], seed=3)
    model2 = nn.MLP(2, [3, 1])
    scores = [model(x) for x in ([0.5, -1.0], [1.0, 2.0])]
    loss = nn.svm_loss(scores, [1, -1]) + nn.l2_regularization(model.parameters()) + model2([1.0, 2.0])
    opt = nn.Adam(model.parameters(), lr=0.01)
    opt.zero_grad()
    loss.backward()
    opt.step()
    recompute(topological_order(loss)[-1])

    objects = topological_order(out) + topological_order(loss)
    objects += [model, model2, opt, *model.layers, *(n for layer in model.layers for n in layer.neurons)]
    return [weakref.ref(o) for o in objects]


def test_a_dropped_graph_is_freed_without_the_cyclic_gc() -> None:
    gc.collect()
    gc.disable()
    try:
        refs = _build_everything()
        alive = [r() for r in refs if r() is not None]
        assert not alive, f"{len(alive)} of {len(refs)} objects kept alive by reference cycles"
    finally:
        gc.enable()


# -- domain faults: IEEE results, never an exception -----------------------------------------


DOMAIN = [
    ("log(0)", lambda: Value(0.0).log(), -math.inf),
    ("log(-1)", lambda: Value(-1.0).log(), math.nan),
    ("0**-1", lambda: Value(0.0) ** -1, math.inf),
    ("int 0**-1", lambda: Value(0) ** -1, math.inf),
    ("1/0", lambda: 1 / Value(0.0), math.inf),
    ("exp(1000)", lambda: Value(1000.0).exp(), math.inf),
    ("(-8)**0.5", lambda: Value(-8.0) ** 0.5, math.nan),
    ("(-8)**Value(0.5)", lambda: Value(-8.0) ** Value(0.5), math.nan),
    ("10.0**400", lambda: Value(10.0) ** 400, math.inf),
    ("int 10**400", lambda: Value(10) ** 400, math.inf),
    ("int (-10)**401", lambda: Value(-10) ** 401, -math.inf),
    ("2**Value(2000)", lambda: 2 ** Value(2000), math.inf),
    ("10.0**Value(400.0)", lambda: 10.0 ** Value(400.0), math.inf),
    ("inf - inf", lambda: Value(1000.0).exp() - Value(1000.0).exp(), math.nan),
    ("tanh(nan)", lambda: Value(-1.0).log().tanh(), math.nan),
    ("sigmoid(-inf)", lambda: Value(0.0).log().sigmoid(), 0.0),
]


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


@pytest.mark.parametrize("f, expected", [(f, e) for _, f, e in DOMAIN], ids=[n for n, _, _ in DOMAIN])
def test_domain_faults_give_ieee_values_and_backward_never_raises(f, expected: float) -> None:
    out = f()
    assert _same(out.data, expected)
    for root in (out, (out * 2 + 1).tanh(), out.exp() * Value(3.0)):
        root.backward()
        for v in topological_order(root):
            assert isinstance(v.grad, float)


def test_gradients_at_domain_edges() -> None:
    x = Value(0.0)
    x.log().backward()
    assert x.grad == math.inf
    x = Value(1000.0)
    x.exp().backward()
    assert x.grad == math.inf
    b, e = Value(-8.0), Value(0.5)
    (b**e).backward()
    assert math.isnan(b.grad) and math.isnan(e.grad)
    b, e = Value(0.0), Value(2.0)  # 0 ** e is flat for e > 0
    (b**e).backward()
    assert (b.grad, e.grad) == (0.0, 0.0)


# -- recompute: re-evaluating a graph in place --------------------------------------------


def _ops_graph(x: float, y: float):
    a, b = Value(x), Value(y)
    nodes = [
        a + b,
        a * b,
        a**2,
        a**b,
        2**a,
        a.relu(),
        b.relu(),
        a.tanh(),
        a.sigmoid(),
        a.exp(),
        b.log(),
        a / b,
        a - b,
        -a,
    ]
    out = Value(0.0)
    for n in nodes:
        out = out + n
    return out, (a, b)


@pytest.mark.parametrize("new", [(0.3, 1.7), (-2.0, 0.5), (1.5, -1.0), (0.0, 0.0)])
def test_recompute_matches_a_fresh_forward(new: tuple[float, float]) -> None:
    out, (a, b) = _ops_graph(1.2, 2.5)
    a.data, b.data = new
    topo = topological_order(out)
    for v in topo:
        recompute(v)
    fresh, _ = _ops_graph(*new)
    fresh_topo = topological_order(fresh)
    assert len(topo) == len(fresh_topo)
    for v, w in zip(topo, fresh_topo, strict=True):
        assert v._op == w._op
        assert _same(v.data, w.data), (v._op, v.data, w.data)


def test_recompute_leaves_a_leaf_alone() -> None:
    a = Value(4.0)
    assert recompute(a) == 4.0 and a.data == 4.0
