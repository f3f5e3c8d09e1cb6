"""What :mod:`gradlab.training` can be asked to do: ``TrainConfig``, its checks, and the optimiser.

Every choice is checked when a config is made, and a bad one raises ``ValueError``
listing what is allowed.  Choices that depend on the data (input features that need
``x2`` on a 1-D set, a loss that needs two classes) are checked by ``check_task``
when a ``Trainer`` meets its dataset.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from gradlab import nn, ops, optimizers
from gradlab.training import backends, losses
from gradlab.training.backends import parameter_count

__all__ = [
    "BACKENDS",
    "BACKEND_CAPTIONS",
    "LOSS_CAPTIONS",
    "REGULARIZATION_CAPTIONS",
    "MAX_TRAINING_BYTES",
    "TooMuchMemory",
    "DEFAULT_LEARNING_RATES",
    "LOSSES",
    "MAX_HIDDEN_LAYERS",
    "MAX_NEURONS",
    "OPTIMIZERS",
    "REGULARIZATIONS",
    "Optimizer",
    "TrainConfig",
    "check_memory",
    "check_task",
    "default_config",
    "default_steps",
    "initial_parameters",
    "memory_needed",
    "parameter_count",
]

#: each choice's names and captions (what the network editor's combos show), read from its rows:
#: losses and regularisations in ``gradlab.training.losses``, backends in ``gradlab.training.backends``,
#: optimisers in ``gradlab.optimizers``; the checks, the CLI's choices and the tests read these
BACKEND_CAPTIONS = {name: row.caption for name, row in backends.BACKENDS.items()}
LOSS_CAPTIONS = {name: row.caption for name, row in losses.LOSSES.items()}
REGULARIZATION_CAPTIONS = {name: row.caption for name, row in losses.REGULARIZATIONS.items()}  # or None
BACKENDS = tuple(backends.BACKENDS)
LOSSES = tuple(losses.LOSSES)
REGULARIZATIONS = tuple(losses.REGULARIZATIONS)
OPTIMIZERS = tuple(optimizers.OPTIMIZERS)
MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 64
#: a sensible first learning rate for each optimiser (the command line's default)
DEFAULT_LEARNING_RATES = {name: row.default_lr for name, row in optimizers.OPTIMIZERS.items()}
#: the most memory a training configuration may need (its step's graph or arrays); see ``memory_needed``
MAX_TRAINING_BYTES = 1_000_000_000


def _choices(names: Sequence[str]) -> str:
    return ", ".join(names)


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _is_real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


@dataclass(frozen=True)
class TrainConfig:
    """How to build and train the network (defaults: micrograd's moons demo).

    ``layers``: hidden layer widths (0 to 8 layers of 1 to 64 neurons); ``activation``:
    one name or one per hidden layer (``gradlab.ops.ACTIVATIONS``); ``loss``: one of
    ``LOSSES``; ``regularization``: one of ``REGULARIZATIONS`` or None, times ``reg_strength``;
    ``optimizer``: one of ``OPTIMIZERS`` (:mod:`gradlab.optimizers`); ``lr_decay=N``: the rate at step k
    is ``learning_rate * (1 - 0.9*k/N)``, held at 0.1x after N steps (None: constant);
    ``batch_size``: None for the full batch, else seeded draws of that many points;
    ``features``: the network's inputs (``gradlab.datasets.FEATURES``); ``seed``: the
    initial weights (micrograd's after ``random.seed(seed)``) and the mini-batch draws;
    ``test_fraction``: the share of the data held out as a test split.
    """

    layers: tuple[int, ...] = (16, 16)
    activation: str | tuple[str, ...] = "relu"
    loss: str = "svm"
    regularization: str | None = "l2"
    reg_strength: float = 1e-4
    optimizer: str = "sgd"
    learning_rate: float = 1.0
    lr_decay: int | None = 100
    batch_size: int | None = None
    features: tuple[str, ...] = ("x1", "x2")
    seed: int = 1337
    test_fraction: float = 0.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__.__get__(self)
        layers = (self.layers,) if _is_int(self.layers) else self.layers
        if isinstance(layers, str) or not all(_is_int(w) for w in layers):
            raise ValueError(f"layers must be a list of whole numbers (neurons per hidden layer), "
                             f"not {self.layers!r}")
        set_("layers", tuple(int(w) for w in layers))
        if len(self.layers) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers are allowed, got {len(self.layers)}")
        for n, width in enumerate(self.layers):
            if not 1 <= width <= MAX_NEURONS:
                raise ValueError(f"hidden layer {n + 1} has {width} neurons; "
                                 f"each layer needs 1 to {MAX_NEURONS}")
        self._check_activation()
        _check_name("loss", self.loss, LOSSES)
        if self.regularization is not None:
            _check_name("regularization", self.regularization, REGULARIZATIONS, extra="or None")
        if not (_is_real(self.reg_strength) and math.isfinite(self.reg_strength) and self.reg_strength >= 0):
            raise ValueError(f"reg_strength must be a finite number >= 0, not {self.reg_strength!r}")
        _check_name("optimizer", self.optimizer, OPTIMIZERS)
        lr = self.learning_rate
        if not (_is_real(lr) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"learning_rate must be a positive number, not {lr!r}")
        for name in ("lr_decay", "batch_size"):
            v = getattr(self, name)
            if v is not None and not (_is_int(v) and v >= 1):
                raise ValueError(f"{name} must be a whole number >= 1 or None, not {v!r}")
        self._check_features()
        if not (_is_int(self.seed) and 0 <= self.seed < 2**32):
            raise ValueError(f"seed must be a whole number 0 .. 2**32-1, not {self.seed!r}")
        tf = self.test_fraction
        if not (_is_real(tf) and 0 <= tf < 1):
            raise ValueError(f"test_fraction must be a number from 0 up to (not including) 1, not {tf!r}")

    def _check_activation(self) -> None:
        allowed = ops.ACTIVATIONS
        if isinstance(self.activation, str):
            _check_name("activation", self.activation, allowed)
            return
        acts = tuple(self.activation)
        if len(acts) != len(self.layers):
            raise ValueError(f"give one activation, or one per hidden layer ({len(self.layers)}), "
                             f"not {len(acts)}")
        for a in acts:
            _check_name("activation", a, allowed)
        object.__setattr__(self, "activation", acts)

    def _check_features(self) -> None:
        from gradlab.datasets import FEATURES

        feats = (self.features,) if isinstance(self.features, str) else tuple(self.features)
        if not feats:
            raise ValueError(f"choose at least one input feature from {_choices(FEATURES)}")
        for f in feats:
            _check_name("input feature", f, tuple(FEATURES))
        if len(set(feats)) != len(feats):
            raise ValueError(f"an input feature is listed twice in {feats!r}")
        object.__setattr__(self, "features", feats)

    @property
    def hidden_activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.layers)
        return self.activation

    def learning_rate_at(self, k: int) -> float:
        """The rate of step ``k`` (from 0): the demo's ``lr * (1 - 0.9*k/N)``, held after N steps."""
        if self.lr_decay is None:
            return self.learning_rate
        return self.learning_rate * (1.0 - 0.9 * min(k, self.lr_decay) / self.lr_decay)

    def to_dict(self) -> dict:
        """The settings as JSON-able data."""
        d = asdict(self)
        for key in ("layers", "features"):
            d[key] = list(d[key])
        if not isinstance(self.activation, str):
            d["activation"] = list(self.activation)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """The inverse of ``to_dict``; unknown keys raise ValueError naming them."""
        if not isinstance(d, dict):
            raise ValueError(f"a training config must be a mapping, not {type(d).__name__}")
        known = cls.__dataclass_fields__
        unknown = sorted(set(d) - set(known))
        if unknown:
            raise ValueError(f"unknown training setting(s) {', '.join(unknown)}; known: {', '.join(known)}")
        d = dict(d)
        if isinstance(d.get("activation"), list):
            d["activation"] = tuple(d["activation"])
        return cls(**d)


def default_config(dataset, name: str | None = None, **keep) -> TrainConfig:
    """The settings that train ``dataset`` untouched: generator ``name``'s row
    (``datasets.DATASETS[name].training``) over TrainConfig's defaults, micrograd's demo (just
    the demo for data without a row, a CSV file's), with the loss and inputs the data needs:
    mse on x1 for regression, cross_entropy for more than two classes.  ``keep``: other
    settings to carry over (the seed, the batch size, the test share...).
    """
    from gradlab.datasets import DATASETS

    spec = DATASETS.get(name) if name else None
    settings: dict = {**(spec.training if spec is not None else {}), **keep}
    if dataset.kind == "regression":
        settings["features"] = ("x1",)
    preferred = settings.get("loss", TrainConfig.loss)
    settings["loss"] = losses.fitting_loss(dataset.kind, dataset.num_classes, preferred)
    return TrainConfig(**settings)


def default_steps(name: str | None) -> int:
    """About how many steps ``default_config`` takes to fit generator ``name`` (100, micrograd's, without)."""
    from gradlab.datasets import DATASETS, DEFAULT_STEPS

    spec = DATASETS.get(name) if name else None
    return spec.steps if spec is not None else DEFAULT_STEPS


def _check_name(what: str, name, allowed: Sequence[str], extra: str = "") -> None:
    if not isinstance(name, str) or name not in allowed:
        tail = f" {extra}" if extra else ""
        raise ValueError(f"unknown {what} {name!r}; choose one of {_choices(allowed)}{tail}")


def check_task(dataset, cfg: TrainConfig) -> int:
    """Check that ``cfg``'s loss and features fit ``dataset``; the number of network outputs."""
    from gradlab.datasets import feature_matrix

    X = np.asarray(dataset.X, dtype=float)
    feature_matrix(X[:1], cfg.features)  # ValueError for a feature the data cannot give
    if len(X) == 0:
        raise ValueError("the dataset has no points to train on")
    return losses.loss_row(cfg.loss).outputs(dataset.kind, dataset.num_classes)


class TooMuchMemory(ValueError):
    """A configuration that would need more than ``MAX_TRAINING_BYTES``; the message gives the numbers."""

    def __init__(self, message: str, needed: int) -> None:
        super().__init__(message)
        self.needed = needed


def memory_needed(sizes: Sequence[int], points: int, backend: str) -> int:
    """About how many bytes a training step (or a full-data gradient) of an MLP with layer ``sizes``
    (inputs first) on ``points`` points takes with ``backend``, beyond the data itself (its row's
    ``memory``)."""
    return backends.backend_row(backend).memory(sizes, points)


def _gigabytes(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


def check_memory(sizes: Sequence[int], points: int, backend: str) -> None:
    """``TooMuchMemory`` if ``memory_needed`` is over ``MAX_TRAINING_BYTES``, saying by how much and what
    would fit."""
    needed = memory_needed(sizes, points, backend)
    if needed <= MAX_TRAINING_BYTES:
        return
    per_point = memory_needed(sizes, 1, backend)
    fits = max(MAX_TRAINING_BYTES // per_point, 0)
    shape = "-".join(str(n) for n in sizes)
    advice = backends.backend_row(backend).too_big
    advice += f" at most {fits:,} points" if fits else " fewer points"
    raise TooMuchMemory(
        f"this network (MLP {shape}, {parameter_count(sizes):,} parameters) on {points:,} points needs about "
        f"{_gigabytes(needed)} with the {backend} backend; the limit is {_gigabytes(MAX_TRAINING_BYTES)}: "
        f"{advice}", needed)


def initial_parameters(sizes: Sequence[int], seed: int) -> tuple[list[float], list[str]]:
    """micrograd's weights for ``MLP(sizes[0], sizes[1:])`` after ``random.seed(seed)``, and their labels."""
    params = nn.MLP(sizes[0], list(sizes[1:]), seed=seed).parameters()
    return [p.data for p in params], [p.label for p in params]


class Optimizer:
    """An optimiser of :mod:`gradlab.optimizers` on a flat parameter vector: its row and its state.

    ``propose`` computes the new parameters and optimiser state without changing
    anything, so that a diverging step can be refused; ``commit`` keeps the state.
    """

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.row = optimizers.optimizer_row(name)
        self.state = self.row.initial_state(size)

    def propose(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> tuple[np.ndarray, dict]:
        return self.row.step(theta, grad, lr, self.state)

    def commit(self, state: dict) -> None:
        self.state = state

    def state_dict(self) -> dict:
        """The name, the step count ``t`` (if the optimiser counts) and each state array as a list."""
        d: dict = {"name": self.name}
        if self.row.counts_steps:
            d["t"] = self.state["t"]
        d.update((key, self.state[key].tolist()) for key in self.row.arrays)
        return d
