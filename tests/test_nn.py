"""Neurons, layers, MLPs (micrograd-compatible), losses and optimisers."""

from __future__ import annotations

import math
import random

import pytest

from gradlab.engine import Value
from gradlab.nn import (
    MLP,
    SGD,
    Adam,
    Layer,
    Module,
    Momentum,
    Neuron,
    binary_cross_entropy,
    l1_regularization,
    l2_regularization,
    moons_schedule,
    mse_loss,
    softplus,
    svm_loss,
)


def check_grad(f, *xs: float, h: float = 1e-6, rel_tol: float = 1e-5, abs_tol: float = 1e-7) -> None:
    """Assert that backprop through ``f(*Values)`` matches central differences for every input."""
    leaves = [Value(float(x)) for x in xs]
    f(*leaves).backward()
    for i, leaf in enumerate(leaves):
        plus = [Value(float(x) + h * (j == i)) for j, x in enumerate(xs)]
        minus = [Value(float(x) - h * (j == i)) for j, x in enumerate(xs)]
        numeric = (f(*plus).data - f(*minus).data) / (2 * h)
        assert math.isclose(leaf.grad, numeric, rel_tol=rel_tol, abs_tol=abs_tol), (i, leaf.grad, numeric)


def micrograd_repr(sizes: list[int]) -> str:
    layers = []
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:], strict=False)):
        kind = "Linear" if i == len(sizes) - 2 else "ReLU"
        layers.append(f"Layer of [{', '.join([f'{kind}Neuron({nin})'] * nout)}]")
    return f"MLP of [{', '.join(layers)}]"


# -- modules: micrograd's shape ------------------------------------------------------------


def test_neuron_attributes_and_defaults() -> None:
    n = Neuron(3)
    assert isinstance(n, Module)
    assert len(n.w) == 3 and all(isinstance(w, Value) and -1 < w.data < 1 for w in n.w)
    assert n.b.data == 0 and n.nonlin is True and n.activation == "relu"
    assert n.parameters() == n.w + [n.b]
    assert repr(n) == "ReLUNeuron(3)"
    lin = Neuron(2, nonlin=False)
    assert lin.nonlin is False and lin.activation == "linear" and repr(lin) == "LinearNeuron(2)"
    assert [p.label for p in n.parameters()] == ["w0", "w1", "w2", "b"]


def test_neuron_computes_activation_of_weighted_sum() -> None:
    x = [0.5, -2.0]
    for activation, fn in [
        ("relu", lambda z: max(z, 0.0)),
        ("tanh", math.tanh),
        ("sigmoid", lambda z: 1 / (1 + math.exp(-z))),
        ("linear", lambda z: z),
    ]:
        n = Neuron(2, activation=activation)
        n.b.data = 0.3
        z = n.w[0].data * x[0] + n.w[1].data * x[1] + 0.3
        assert n(x).data == pytest.approx(fn(z), rel=1e-12, abs=1e-15)
        assert n.nonlin == (activation != "linear")
        assert (
            repr(n)
            == {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Linear"}[activation]
            + "Neuron(2)"
        )
    with pytest.raises(ValueError, match="unknown activation"):
        Neuron(2, activation="softmax")


def test_layer_attributes_and_outputs() -> None:
    layer = Layer(2, 3)
    assert len(layer.neurons) == 3 and len(layer.parameters()) == 9
    out = layer([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    single = Layer(2, 1)([1.0, 2.0])
    assert isinstance(single, Value)  # micrograd's convention
    assert Layer(2, 1).forward([1.0, 2.0]).__class__ is list
    assert all(n.activation == "tanh" for n in Layer(2, 2, activation="tanh").neurons)
    assert all(not n.nonlin for n in Layer(2, 2, nonlin=False).neurons)


def test_mlp_defaults_and_parameter_count() -> None:
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert len(model.layers) == 3
    assert [n.activation for n in model.layers[0].neurons] == ["relu"] * 16
    assert [n.activation for n in model.layers[1].neurons] == ["relu"] * 16
    assert [n.activation for n in model.layers[2].neurons] == ["linear"]
    assert all(p.data == 0 for layer in model.layers for n in layer.neurons for p in [n.b])
    assert repr(model) == micrograd_repr([2, 16, 16, 1])
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    outs = MLP(2, [4, 3])([0.5, -1.0])
    assert isinstance(outs, list) and len(outs) == 3


def test_one_neuron_hidden_layer_works() -> None:
    model = MLP(2, [16, 1, 1])
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    out.backward()
    assert len(model.parameters()) == 16 * 3 + 17 + 2
    check_grad(lambda a, b: model([a, b]), 0.5, -1.0)


def test_mlp_accepts_values_and_a_scalar_for_one_input() -> None:
    model = MLP(1, [4, 1], seed=0)
    assert model(0.7).data == model([0.7]).data == model([Value(0.7)]).data == model(Value(0.7)).data
    check_grad(lambda x: model([x]), 0.7)
    with pytest.raises(ValueError):
        model([0.7, 0.1])  # one input too many


def test_parameter_and_neuron_labels() -> None:
    model = MLP(2, [2, 1])
    assert [p.label for p in model.parameters()] == [
        "w0.0.0", "w0.0.1", "b0.0",
        "w0.1.0", "w0.1.1", "b0.1",
        "w1.0.0", "w1.0.1", "b1.0",
    ]  # fmt: skip
    assert [n.label for layer in model.layers for n in layer.neurons] == ["n0.0", "n0.1", "n1.0"]


def test_zero_grad() -> None:
    model = MLP(2, [3, 1], seed=1)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_mlp_activations() -> None:
    m = MLP(2, [3, 3, 2], activation="tanh", output_activation="sigmoid", seed=0)
    assert [layer.neurons[0].activation for layer in m.layers] == ["tanh", "tanh", "sigmoid"]
    assert all(0 < o.data < 1 for o in m([3.0, -4.0]))
    m = MLP(2, [3, 3, 1], activation=["sigmoid", "linear"])
    assert [layer.neurons[0].activation for layer in m.layers] == ["sigmoid", "linear", "linear"]
    m = MLP(2, [3, 3, 1], activation=["sigmoid", "relu", "tanh"])
    assert [layer.neurons[0].activation for layer in m.layers] == ["sigmoid", "relu", "tanh"]
    assert repr(m.layers[2]) == "Layer of [TanhNeuron(3)]"
    with pytest.raises(ValueError, match="activations"):
        MLP(2, [3, 1], activation=["relu", "relu", "relu"])
    with pytest.raises(ValueError, match="unknown activation"):
        MLP(2, [3, 1], activation="gelu")


def test_mlp_gradients_match_finite_differences() -> None:
    m = MLP(3, [4, 4, 1], activation=["tanh", "sigmoid"], seed=7)
    check_grad(lambda a, b, c: m([a, b, c]), 0.3, -0.8, 1.1)
    # and with respect to a weight
    w = m.layers[1].neurons[2].w[1]

    def f(x: Value) -> Value:
        old = w.data
        w.data = x.data
        out = m([0.3, -0.8, 1.1])
        w.data = old
        return out

    out = m([0.3, -0.8, 1.1])
    out.backward()
    plus, minus = w.data + 1e-6, w.data - 1e-6
    numeric = (f(Value(plus)).data - f(Value(minus)).data) / 2e-6
    assert w.grad == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def weights(model: MLP) -> list[float]:
    return [p.data for p in model.parameters()]


def test_seeded_initialisation_is_reproducible_and_private() -> None:
    random.seed(42)
    state = random.getstate()
    a = MLP(2, [8, 8, 1], seed=5)
    assert random.getstate() == state  # the global random module was not touched
    b = MLP(2, [8, 8, 1], seed=5)
    assert weights(a) == weights(b)
    assert weights(MLP(2, [8, 8, 1], seed=6)) != weights(a)
    random.seed(5)
    assert weights(MLP(2, [8, 8, 1])) == weights(a)  # seed=n draws what random.seed(n) would


def test_unseeded_initialisation_uses_the_global_random_module() -> None:
    random.seed(1337)
    a = MLP(2, [16, 16, 1])
    random.seed(1337)
    expected = [random.uniform(-1, 1) for _ in range(2 * 16 + 16 * 16 + 16)]
    assert [p.data for p in a.parameters() if not p.label.startswith("b")] == expected


def test_same_weights_and_outputs_as_micrograd() -> None:
    mg = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    theirs = mg.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    assert weights(ours) == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    for x in ([0.5, -1.0], [1.5, 0.25], [-2.0, 3.0]):
        assert ours(x).data == theirs(x).data
    # one training step of the moons demo: the same loss, gradients and updated weights
    xs = [[0.5, -1.0], [1.5, 0.25], [-2.0, 3.0], [0.1, 0.9]]
    ys = [1, -1, 1, -1]
    for model in (ours, theirs):
        scores = [model(x) for x in xs]
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg = 1e-4 * sum(p * p for p in model.parameters())
        model.loss = (data_loss + reg).data
        model.zero_grad()
        (data_loss + reg).backward()
    ours_loss = svm_loss([ours(x) for x in xs], ys) + l2_regularization(ours.parameters(), 1e-4)
    assert ours_loss.data == ours.loss == theirs.loss
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)


# -- losses ---------------------------------------------------------------------------------


def test_svm_loss_values_and_expression() -> None:
    scores = [Value(0.5), Value(-2.0), Value(3.0), Value(2.0)]
    ys = [1, 1, -1, 1]
    loss = svm_loss(scores, ys)
    assert loss.data == pytest.approx((0.5 + 3.0 + 4.0 + 0.0) / 4)
    # bit for bit micrograd's expression
    expected = sum((1 + -yi * si).relu() for yi, si in zip(ys, scores, strict=True)) * (1.0 / 4)
    assert loss.data == expected.data
    loss.backward()
    assert [s.grad for s in scores] == [-0.25, -0.25, 0.25, 0.0]
    check_grad(lambda a, b: svm_loss([a, b], [1, -1]), 0.3, 0.2)
    assert svm_loss(Value(0.5), 1).data == 0.5
    with pytest.raises(ValueError):
        svm_loss([Value(1.0)], [1, -1])


def test_mse_loss() -> None:
    preds = [Value(1.0), Value(2.0), Value(3.0)]
    loss = mse_loss(preds, [1.0, 0.0, 5.0])
    assert loss.data == pytest.approx(8 / 3)
    loss.backward()
    assert [p.grad for p in preds] == pytest.approx([0.0, 4 / 3, -4 / 3])
    check_grad(lambda a, b, t: mse_loss([a, b], [t, 0.5]), 0.3, -1.2, 2.0)
    assert mse_loss(Value(3.0), 1.0).data == 4.0


def test_softplus_is_stable_and_has_sigmoid_gradient() -> None:
    for z in (-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0):
        x = Value(z)
        out = softplus(x)
        out.backward()
        expected = z + math.log1p(math.exp(-z)) if z > 0 else math.log1p(math.exp(z))
        # log(1 + tiny) is accurate to ~1e-16 absolute (there is no log1p op), which a loss needs
        assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert x.grad == pytest.approx(1 / (1 + math.exp(-z)) if z > -700 else 0.0, rel=1e-12, abs=1e-300)
    for z in (-3.0, -0.2, 0.4, 5.0):
        check_grad(softplus, z)


def test_binary_cross_entropy() -> None:
    s = Value(0.0)
    loss = binary_cross_entropy([s], [1])
    assert loss.data == pytest.approx(math.log(2))
    loss.backward()
    assert s.grad == pytest.approx(-0.5)  # exactly at 0 too
    scores = [2.0, -1.0, 0.5]
    ys_pm, ys_01 = [1, -1, -1], [1, 0, 0]
    expected = (math.log1p(math.exp(-2.0)) + math.log1p(math.exp(-1.0)) + math.log1p(math.exp(0.5))) / 3
    for ys in (ys_pm, ys_01):
        assert binary_cross_entropy([Value(v) for v in scores], ys).data == pytest.approx(expected, rel=1e-12)
    # equals -[y log p + (1 - y) log (1 - p)] with p = sigmoid(score)
    p = 1 / (1 + math.exp(-0.5))
    assert binary_cross_entropy(Value(0.5), 0).data == pytest.approx(-math.log(1 - p), rel=1e-12)
    # stable far from 0: no inf, no nan, gradients finite
    far = [Value(1000.0), Value(-1000.0)]
    loss = binary_cross_entropy(far, [-1, -1])
    assert loss.data == pytest.approx(500.0)
    loss.backward()
    assert [v.grad for v in far] == pytest.approx([0.5, 0.0])
    check_grad(lambda a, b: binary_cross_entropy([a, b], [1, 0]), 0.7, -0.3)
    check_grad(lambda a, b: binary_cross_entropy([a, b], [-1, 1]), -2.5, 3.0)
    with pytest.raises(ValueError, match="labels"):
        binary_cross_entropy([Value(1.0)], [2])


def test_regularisation() -> None:
    params = [Value(1.0), Value(-2.0), Value(3.0)]
    l2 = l2_regularization(params, alpha=0.1)
    assert l2.data == pytest.approx(1.4)
    l2.backward()
    assert [p.grad for p in params] == pytest.approx([0.2, -0.4, 0.6])
    l1 = l1_regularization(params, alpha=0.1)
    assert l1.data == pytest.approx(0.6)
    l1.backward()
    assert [p.grad for p in params] == pytest.approx([0.1, -0.1, 0.1])
    check_grad(lambda a, b: l2_regularization([a, b], 1e-4), 0.5, -0.7, abs_tol=1e-10)
    check_grad(lambda a, b: l1_regularization([a, b], 0.5), 0.5, -0.7)
    model = MLP(2, [3, 1], seed=0)
    assert l2_regularization(model.parameters()).data == pytest.approx(
        1e-4 * sum(p.data**2 for p in model.parameters())
    )


# -- optimisers -----------------------------------------------------------------------------


def quadratic(x: Value, y: Value) -> Value:
    return (x - 3) ** 2 + 10 * (y + 1) ** 2


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.04),
        lambda ps: SGD(ps, lr=0.08, schedule=moons_schedule(200)),
        lambda ps: Momentum(ps, lr=0.01, beta=0.9),
        lambda ps: Adam(ps, lr=0.1),
    ],
    ids=["sgd", "sgd-moons-schedule", "momentum", "adam"],
)
def test_optimisers_minimise_a_quadratic(make) -> None:
    x, y = Value(0.0), Value(0.0)
    opt = make([x, y])
    first = quadratic(x, y).data
    losses = []
    for _ in range(150):
        loss = quadratic(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    assert quadratic(x, y).data < 1e-3 * first
    assert losses[-1] < losses[0]
    assert opt.k == 150


def test_adam_first_step_moves_each_parameter_by_about_lr() -> None:
    params = [Value(1.0), Value(-5.0), Value(2.0)]
    for p, g in zip(params, (1e-3, -250.0, 7.0), strict=True):
        p.grad = g
    opt = Adam(params, lr=0.01)
    opt.step()
    assert [p.data for p in params] == pytest.approx([1.0 - 0.01, -5.0 + 0.01, 2.0 - 0.01], rel=1e-6)


def test_sgd_step_and_moons_schedule() -> None:
    sched = moons_schedule(steps=100)
    assert [sched(k) for k in (0, 50, 99)] == [1.0, 1.0 - 0.9 * 50 / 100, 1.0 - 0.9 * 99 / 100]
    p = Value(1.0)
    opt = SGD([p], lr=1.0, schedule=sched)
    for k in range(3):
        p.grad = 2.0
        lr = 1.0 - 0.9 * k / 100  # the demo's expression
        assert opt.current_lr == lr
        expected = p.data - lr * 2.0
        opt.step()
        assert p.data == expected
    assert SGD([p], lr=0.5, decay=sched).current_lr == 0.5
    with pytest.raises(TypeError):
        SGD([p], schedule=sched, decay=sched)
    constant = SGD([p], lr=0.3)
    constant.step()
    assert constant.current_lr == 0.3
    opt.zero_grad()
    assert p.grad == 0.0


def test_momentum_update_rule() -> None:
    p = Value(0.0)
    opt = Momentum([p], lr=0.1, beta=0.5)
    p.grad = 1.0
    opt.step()  # v = 1
    assert p.data == pytest.approx(-0.1)
    opt.step()  # v = 1.5
    assert p.data == pytest.approx(-0.25)


# -- a tiny moons training run ------------------------------------------------------------------


def make_moons(n: int, noise: float, rng: random.Random) -> tuple[list[list[float]], list[int]]:
    xs, ys = [], []
    for i in range(n):
        t = math.pi * (i // 2) / max(n // 2 - 1, 1)
        if i % 2 == 0:
            x, y, label = math.cos(t), math.sin(t), -1
        else:
            x, y, label = 1 - math.cos(t), 0.5 - math.sin(t), 1
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(label)
    return xs, ys


def test_moons_demo_training_reduces_loss() -> None:
    xs, ys = make_moons(24, 0.1, random.Random(0))
    model = MLP(2, [8, 8, 1], seed=1)
    opt = SGD(model.parameters(), lr=1.0, schedule=moons_schedule(steps=30))

    def evaluate() -> tuple[Value, float]:
        scores = [model(x) for x in xs]
        loss = svm_loss(scores, ys) + l2_regularization(model.parameters(), 1e-4)
        accuracy = sum((s.data > 0) == (y > 0) for s, y in zip(scores, ys, strict=True)) / len(ys)
        return loss, accuracy

    first, first_acc = evaluate()
    for _ in range(30):
        loss, _ = evaluate()
        opt.zero_grad()
        loss.backward()
        opt.step()
    last, acc = evaluate()
    assert last.data < 0.5 * first.data
    assert acc >= max(first_acc, 0.8)
