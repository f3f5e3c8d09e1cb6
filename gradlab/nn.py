"""Neurons, layers, MLPs, losses and optimisers on top of :mod:`gradlab.engine`.

A drop-in for ``micrograd.nn``: ``Module``, ``Neuron``, ``Layer`` and ``MLP``
have micrograd's attributes, defaults and weight initialisation, so after
``random.seed(1337)`` an ``MLP(2, [16, 16, 1])`` has the same weights as
micrograd's.  Additions:

* ``activation=`` per neuron / per layer (``ops.ACTIVATIONS``: 'relu', 'tanh',
  'sigmoid', 'linear' and any activation row registered in :mod:`gradlab.ops`);
  ``nonlin=`` still works (True is ReLU, False is linear).
* ``MLP(..., seed=n)`` draws weights from a private ``random.Random(n)``
  (the same numbers ``random.seed(n)`` would give) and leaves the global
  ``random`` state alone.
* Parameters carry labels for display: weight ``w{layer}.{neuron}.{input}``,
  bias ``b{layer}.{neuron}``; neurons are labelled ``n{layer}.{neuron}``
  (indices from 0). ``parameter_name`` names one for people first:
  ``w0.2.0`` is "layer 1, neuron 3, from x1 (w0.2.0)".
* ``MLP`` passes lists between layers, so a one-neuron hidden layer works.
  Like micrograd, it returns a single ``Value`` when the last layer has one
  neuron, and a ``Layer`` called on its own does the same.
* Losses (``svm_loss``, ``mse_loss``, ``binary_cross_entropy``, regularisers)
  and optimisers (``SGD``, ``Momentum``, ``Adam``, ``RMSprop``: the rules of
  :mod:`gradlab.optimizers`, the training backends' own).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from gradlab import ops, optimizers
from gradlab.engine import Value, weighted_sum

__all__ = [
    "ACTIVATIONS",  # noqa: F822 (served live from gradlab.ops by __getattr__ below)
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "svm_loss",
    "mse_loss",
    "binary_cross_entropy",
    "cross_entropy",
    "softplus",
    "l2_regularization",
    "l1_regularization",
    "parameter_name",
    "Optimizer",
    "SGD",
    "Momentum",
    "Adam",
    "RMSprop",
    "moons_schedule",
]

Scalar = Value | float | int


def __getattr__(name: str):
    if name == "ACTIVATIONS":  # the op table's, read live: a registered activation is one here too
        return ops.ACTIVATIONS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_activation(activation: str) -> str:
    """``activation`` if it names one (ValueError listing the choices otherwise)."""
    return ops.activation(activation).name


def _repr_name(activation: str) -> str:
    label = ops.activation(activation).label  # ReLU, tanh, sigmoid, linear
    return label[:1].upper() + label[1:]  # micrograd's ReLUNeuron / LinearNeuron; TanhNeuron


# -- modules ------------------------------------------------------------------------------


class Module:
    """Something with parameters."""

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    """``activation(sum(w_i * x_i) + b)``; weights uniform in (-1, 1), bias 0.

    ``name`` is the index path used in labels: ``name='1.3'`` labels the weights
    ``w1.3.0, w1.3.1, ...``, the bias ``b1.3`` and the neuron ``n1.3``.
    """

    def __init__(
        self,
        nin: int,
        nonlin: bool = True,
        activation: str | None = None,
        *,
        rng: random.Random | None = None,
        name: str = "",
    ) -> None:
        if activation is None:
            activation = "relu" if nonlin else "linear"
        self.activation = _check_activation(activation)
        self.nonlin = activation != "linear"
        uniform = (rng or random).uniform
        sep = "." if name else ""
        self.w = [Value(uniform(-1, 1), label=f"w{name}{sep}{i}") for i in range(nin)]
        self.b = Value(0.0, label=f"b{name}")
        self.label = f"n{name}"

    def __call__(self, x: Sequence[Scalar]) -> Value:
        act = weighted_sum(self.b, self.w, x)  # micrograd's sum: b + w0*x0 + w1*x1 + ..., node for node
        a = self.activation
        if a == "relu":
            return act.relu()  # the common case, without a lookup by name
        return act if a == "linear" else getattr(act, a)()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{_repr_name(self.activation)}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; keyword arguments go to each ``Neuron``."""

    def __init__(self, nin: int, nout: int, *, name: str = "", **kwargs) -> None:
        prefix = f"{name}." if name else ""
        self.neurons = [Neuron(nin, name=f"{prefix}{j}", **kwargs) for j in range(nout)]

    def forward(self, x: Sequence[Scalar]) -> list[Value]:
        """The outputs as a list, always (also for a single neuron)."""
        return [n(x) for n in self.neurons]

    def __call__(self, x: Sequence[Scalar]) -> Value | list[Value]:
        out = self.forward(x)
        return out[0] if len(out) == 1 else out  # micrograd's convention

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` is micrograd's moons model.

    ``activation`` is the hidden layers' activation, or a list of activations:
    one per layer (``len(nouts)``), or one per hidden layer (``len(nouts) - 1``,
    the output layer then uses ``output_activation``).  ``seed`` draws the
    weights from ``random.Random(seed)``; ``rng`` from that generator instead (a program's
    private ``random``); neither uses the global ``random`` module as micrograd does.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Sequence[str] = "relu",
        output_activation: str = "linear",
        seed: int | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        nouts = list(nouts)
        n = len(nouts)
        if isinstance(activation, str):
            acts = [activation] * (n - 1) + [output_activation]
        else:
            acts = list(activation)
            if len(acts) == n - 1:
                acts.append(output_activation)
            elif len(acts) != n:
                raise ValueError(f"need {n} activations (or {n - 1} for the hidden layers), got {len(acts)}")
        if rng is None and seed is not None:
            rng = random.Random(seed)
        sz = [nin] + nouts
        self.layers = [
            Layer(sz[i], sz[i + 1], activation=_check_activation(acts[i]), rng=rng, name=str(i))
            for i in range(n)
        ]

    def __call__(self, x: Sequence[Scalar] | Scalar) -> Value | list[Value]:
        if isinstance(x, (Value, int, float)):
            x = [x]
        # wrap each input number once, rather than once per first-layer neuron
        x = [xi if isinstance(xi, Value) else Value(xi) for xi in x]
        for layer in self.layers:
            x = layer.forward(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


# -- losses -------------------------------------------------------------------------------


def _as_list(x: Scalar | Iterable[Scalar]) -> list:
    return [x] if isinstance(x, (Value, int, float)) else list(x)


def _mean(terms: list) -> Value:
    if not terms:
        raise ValueError("loss of an empty batch")
    return sum(terms) * (1.0 / len(terms))


def svm_loss(scores: Scalar | Iterable[Scalar], ys: Scalar | Iterable[Scalar]) -> Value:
    """Max-margin (hinge) loss ``mean(relu(1 - y * score))``, labels in {-1, 1}.

    Exactly micrograd's moons demo expression, so the floats match it bit for bit.
    """
    scores, ys = _as_list(scores), _as_list(ys)
    if len(scores) != len(ys):
        raise ValueError(f"{len(scores)} scores but {len(ys)} labels")
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
    return _mean(losses)


def mse_loss(preds: Scalar | Iterable[Scalar], targets: Scalar | Iterable[Scalar]) -> Value:
    """Mean squared error ``mean((pred - target) ** 2)``."""
    preds, targets = _as_list(preds), _as_list(targets)
    if len(preds) != len(targets):
        raise ValueError(f"{len(preds)} predictions but {len(targets)} targets")
    return _mean([(p - t) ** 2 for p, t in zip(preds, targets, strict=True)])


def softplus(z: Value) -> Value:
    """``log(1 + exp(z))`` without overflow: ``relu(z) + log(1 + exp(z - 2 relu(z)))``.

    ``z - 2 relu(z)`` is ``-|z|``, so ``exp`` never sees a positive argument; and
    written this way the gradient is ``sigmoid(z)`` everywhere, 0.5 at z = 0 too.
    """
    r = z.relu()
    return r + (1 + (z - 2 * r).exp()).log()


def binary_cross_entropy(scores: Scalar | Iterable[Scalar], ys: Scalar | Iterable[float]) -> Value:
    """Logistic loss on raw scores (logits): ``mean(log(1 + exp(-y * score)))``.

    This is binary cross-entropy of ``sigmoid(score)``, computed stably from the
    score (see ``softplus``).  Labels may be in {-1, 1} (like ``svm_loss``) or
    {0, 1}: 1 is the positive class, 0 and -1 the negative one.
    """
    scores, ys = _as_list(scores), _as_list(ys)
    if len(scores) != len(ys):
        raise ValueError(f"{len(scores)} scores but {len(ys)} labels")
    signs = []
    for y in ys:
        if y not in (-1, 0, 1):
            raise ValueError(f"labels must be -1/1 or 0/1, got {y!r}")
        signs.append(1.0 if y == 1 else -1.0)
    return _mean([softplus(-s * si) for s, si in zip(signs, scores, strict=True)])


def cross_entropy(logits: Iterable[Sequence[Scalar]], labels: Iterable[int]) -> Value:
    """Softmax cross-entropy ``mean(-log softmax(row)[label])``: one row of scores per datapoint.

    Each row is ``log(sum_j exp(s_j - m)) - (s_label - m)`` with ``m`` the row's largest
    score taken as a constant, so ``exp`` never overflows; the shift changes neither the
    value nor the gradient (``softmax - onehot``).  Labels are class indices ``0 .. k-1``.
    """
    rows, labels = [list(row) for row in logits], list(labels)
    if len(rows) != len(labels):
        raise ValueError(f"{len(rows)} rows of scores but {len(labels)} labels")
    terms = []
    for row, label in zip(rows, labels, strict=True):
        if not (isinstance(label, int) and 0 <= label < len(row)):
            raise ValueError(f"label {label!r} is not a class index 0..{len(row) - 1}")
        m = max(s.data if isinstance(s, Value) else s for s in row)
        terms.append(sum((s - m).exp() for s in row).log() - (row[label] - m))
    return _mean(terms)


def l2_regularization(params: Iterable[Value], alpha: float = 1e-4) -> Value:
    """``alpha * sum(p * p)`` (the moons demo uses alpha = 1e-4)."""
    return alpha * sum(p * p for p in params)


def l1_regularization(params: Iterable[Value], alpha: float = 1e-4) -> Value:
    """``alpha * sum(|p|)``, with ``|p|`` built as ``relu(p) + relu(-p)``."""
    return alpha * sum(p.relu() + (-p).relu() for p in params)


# -- optimisers ---------------------------------------------------------------------------


def parameter_name(label: str, inputs: Sequence[str], sizes: Sequence[int]) -> str:
    """A weight's, bias's or neuron's name for people, micrograd's label beside it: in a network
    of ``sizes`` (the inputs, the hidden layers, the outputs) reading ``inputs``,
    ``w0.2.0`` is "layer 1, neuron 3, from x1 (w0.2.0)", ``w1.0.4`` "layer 2, neuron 1, from
    neuron 5 of layer 1 (w1.0.4)", ``b2.0`` "output, bias (b2.0)", ``n0.2`` "layer 1, neuron 3
    (n0.2)". Counts start at 1 here, at 0
    in the label. A label of another shape comes back as it is."""
    kind, parts = label[:1], label[1:].split(".")
    if kind not in ("w", "b", "n") or len(parts) != (3 if kind == "w" else 2) or not all(
            p.isdigit() for p in parts):
        return label
    layer, neuron = int(parts[0]), int(parts[1])
    last = len(sizes) - 2  # the output layer's index in the labels
    if layer == last:
        where = "output" if sizes[-1] == 1 else f"output {neuron + 1}"
    else:
        where = f"layer {layer + 1}, neuron {neuron + 1}"
    if kind != "w":
        return f"{where}, bias ({label})" if kind == "b" else f"{where} ({label})"
    source = int(parts[2])
    if layer == 0:
        came = inputs[source] if source < len(inputs) else f"input {source + 1}"
    else:
        came = f"neuron {source + 1} of layer {layer}"
    return f"{where}, from {came} ({label})"


def moons_schedule(steps: int = 100, drop: float = 0.9) -> Callable[[int], float]:
    """micrograd's moons demo learning-rate decay ``1.0 - 0.9 * k / 100`` as a factor of ``lr``.

    ``SGD(params, lr=1.0, schedule=moons_schedule(100))`` uses learning rate
    ``1.0 - 0.9 * k / 100`` at step ``k`` (from 0), as the demo does.
    """
    return lambda k: 1.0 - drop * k / steps


class Optimizer:
    """Updates ``params`` from their ``.grad``; ``step()`` counts steps in ``self.k``.

    ``Optimizer(params, "rmsprop", lr)`` steps with any row of :mod:`gradlab.optimizers` (its
    default rate without ``lr``, its hyperparameters unless given as keywords); the subclasses
    below name the common ones with micrograd-style signatures.  The rule is the training
    backends' own, applied to the parameters' values gathered into an array.
    """

    def __init__(self, params: Iterable[Value], name: str = "sgd", lr: float | None = None, **hyper) -> None:
        self.params = list(params)
        self.row = optimizers.optimizer_row(name)
        self.lr = self.row.default_lr if lr is None else lr
        self.hyper = hyper
        self.state = self.row.initial_state(len(self.params))
        self.k = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = 0.0

    @property
    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        return self.lr

    def step(self) -> None:
        theta = np.array([p.data for p in self.params], dtype=float)
        grad = np.array([p.grad for p in self.params], dtype=float)
        new, self.state = self.row.step(theta, grad, self.current_lr, self.state, **self.hyper)
        for p, x in zip(self.params, new.tolist(), strict=True):
            p.data = x
        self.k += 1


class SGD(Optimizer):
    """Plain gradient descent ``p -= lr_k * grad``.

    ``schedule`` (alias ``decay``) maps the step number ``k`` (0, 1, ...) to a
    factor of ``lr``; see ``moons_schedule``.  Without one ``lr`` is constant.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 0.1,
        schedule: Callable[[int], float] | None = None,
        *,
        decay: Callable[[int], float] | None = None,
    ) -> None:
        super().__init__(params, "sgd", lr)
        if schedule is not None and decay is not None:
            raise TypeError("give schedule or decay, not both")
        self.schedule = schedule if schedule is not None else decay

    @property
    def current_lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        return self.lr if self.schedule is None else self.lr * self.schedule(self.k)


class Momentum(Optimizer):
    """SGD with momentum: ``v = beta * v + grad; p -= lr * v``."""

    def __init__(self, params: Iterable[Value], lr: float = 0.01, beta: float = 0.9) -> None:
        super().__init__(params, "momentum", lr, beta=beta)
        self.beta = beta


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction; the first step moves each parameter by about ``lr``."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, "adam", lr, betas=betas, eps=eps)
        self.betas = betas
        self.eps = eps


class RMSprop(Optimizer):
    """RMSprop (Hinton): ``s = rho * s + (1 - rho) * grad**2; p -= lr * grad / (sqrt(s) + eps)``."""

    def __init__(self, params: Iterable[Value], lr: float = 0.01, rho: float = 0.9,
                 eps: float = 1e-8) -> None:
        super().__init__(params, "rmsprop", lr, rho=rho, eps=eps)
        self.rho = rho
        self.eps = eps
