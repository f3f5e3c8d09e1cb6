"""Training toy MLPs: one ``Trainer``, two backends, the same numbers.

```python
cfg = TrainConfig(layers=(16, 16), activation="relu", loss="svm", regularization="l2",
                  reg_strength=1e-4, optimizer="sgd", learning_rate=1.0, lr_decay=100,
                  batch_size=None, features=("x1", "x2"), seed=1337)
trainer = Trainer(make_dataset("moons"), cfg, backend="fast")      # or backend="scalar"
record = trainer.step()   # StepRecord(step, loss, accuracy, test_loss, test_accuracy)
```

That config is micrograd's moons demo: ``MLP(2, [16, 16, 1])`` with the weights
``random.seed(1337)`` gives, hinge loss ``mean(relu(1 - y*score))`` with labels +-1,
``1e-4 * sum(p*p)``, SGD at ``1.0 - 0.9*k/100``.  ``backend="scalar"`` trains the
real :mod:`gradlab.nn` ``Value`` graph and reproduces the demo's losses;
``backend="fast"`` does the same maths in numpy over the whole batch at once
(:mod:`gradlab.training.fast`), about a thousand times faster.

The weights live in one flat vector in micrograd's ``MLP.parameters()`` order,
labelled ``w{layer}.{neuron}.{input}`` and ``b{layer}.{neuron}`` (from 0) as
:mod:`gradlab.nn` labels them.  Both backends read and write that vector, and one
optimiser (a row of :mod:`gradlab.optimizers`, as :mod:`gradlab.nn` uses them) updates it, so a trainer's
state (``state_dict``) does not depend on the backend.

A step whose loss runs away (not finite, ``DIVERGENCE_FACTOR`` times where it started, or
rising for ``RISING_STEPS`` steps) is not taken: ``step`` raises ``TrainingDiverged``, whose
message says so in a learner's words, names the learning rate and suggests half of it.
``training_config.default_config`` gives the settings that train each dataset untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

import numpy as np

from gradlab.datasets import SEEDS, Dataset, feature_matrix
from gradlab.numfmt import format_number
from gradlab.training import state as fields
from gradlab.training.backends import backend_row
from gradlab.training.config import (
    BACKENDS,
    LOSSES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    OPTIMIZERS,
    REGULARIZATIONS,
    Optimizer,
    TooMuchMemory,
    TrainConfig,
    check_memory,
    check_task,
    initial_parameters,
)
from gradlab.training.fast import Batch, FastNet, accuracy, with_ones
from gradlab.training.losses import loss_row, regularization_row
from gradlab.training.probes import ParameterProbes
from gradlab.training.scalar import ScalarBackend
from gradlab.training.state import FieldError
from gradlab.training.views import NetworkViews

__all__ = [
    "BACKENDS",
    "LOSSES",
    "MAX_HIDDEN_LAYERS",
    "MAX_NEURONS",
    "OPTIMIZERS",
    "REGULARIZATIONS",
    "StepRecord",
    "TrainConfig",
    "Trainer",
    "TooMuchMemory",
    "TrainingDiverged",
    "DIVERGENCE_FACTOR",
    "LOSS_SCALE",
    "RISING_SHARE",
    "RISING_STEPS",
    "decode_config",
]

STATE_FORMAT = "gradlab.trainer"
STATE_VERSION = 1


@dataclass(frozen=True)
class StepRecord:
    """One training step, measured on its batch with the weights before the update.

    ``loss`` includes the regularisation (the demo's ``total_loss``); ``accuracy`` is a
    fraction in [0, 1] (nan for regression).  ``test_loss`` and ``test_accuracy`` are
    the same measures on the test split (regularisation included, so the two curves
    compare), or None without one.  ``step`` counts from 0, like the demo's ``k``.
    """

    step: int
    loss: float
    accuracy: float
    test_loss: float | None = None
    test_accuracy: float | None = None


#: training counts as diverging when a step's loss is more than this many times where it started
#: (the first loss, or the first since the settings last changed, whichever is larger, and at least
#: LOSS_SCALE: a batch of a few points can start at a loss of 0) ...
DIVERGENCE_FACTOR = 10.0
LOSS_SCALE = 1.0
#: ... or when it has risen at each of this many steps in a row, by more than RISING_SHARE of where it
#: started in all (a creep of the regularisation near zero loss is not a divergence)
RISING_STEPS = 30
RISING_SHARE = 0.1


class TrainingDiverged(ArithmeticError):
    """Training diverged at step ``step``: its loss was not finite, far above where it started, or
    had been rising for many steps (``why`` says which, in words).  The step was not taken: the
    weights are as they were before it.

    The message is the one every front end shows (the lab's banner, the command line's error):
    what happened, the learning rate, and half of it to try.
    """

    def __init__(self, step: int, loss: float, learning_rate: float, what: str = "the loss",
                 why: str = "") -> None:
        self.step, self.loss, self.learning_rate = step, loss, learning_rate
        if not why:
            why = (f"{what} is {format_number(loss)}: the steps are so large that the numbers "
                   f"overflowed")
        super().__init__(
            f"training diverged at step {step}: {why}. The learning rate ({learning_rate:g}) is too large: "
            f"each step overshoots the bottom of the loss and lands higher up. Training paused before "
            f"this step (the weights are as they were). Try a smaller learning rate, "
            f"such as half of it: {learning_rate / 2:g}."
        )


def check_divergence(history: Sequence[StepRecord], watch_from: int, k: int, loss: float, lr: float) -> None:
    """``TrainingDiverged`` if step ``k``'s ``loss`` shows training running away (see the constants),
    after the steps of ``history``, of which those from ``watch_from`` are watched (since the
    settings last changed); ``lr`` is the learning rate the message names."""
    if not math.isfinite(loss):
        raise TrainingDiverged(k, loss, lr)
    watched = history[watch_from:]
    if not watched:
        return
    firsts = (history[0].loss, watched[0].loss)
    start = max((x for x in firsts if math.isfinite(x)), default=math.inf)
    if loss > DIVERGENCE_FACTOR * max(start, LOSS_SCALE):
        raise TrainingDiverged(k, loss, lr, why=(
            f"the loss is {format_number(loss)}, more than {DIVERGENCE_FACTOR:g} times "
            f"where it started ({format_number(start)})"))
    run = [r.loss for r in watched[-RISING_STEPS:]] + [loss]
    rising = len(run) > RISING_STEPS and all(b > a for a, b in zip(run, run[1:], strict=False))
    sustained = run[-2] - run[0] > RISING_SHARE * max(start, LOSS_SCALE)  # not one bad batch at the end
    if rising and sustained:
        raise TrainingDiverged(k, loss, lr, why=(
            f"the loss has risen at each of the last {RISING_STEPS} steps, from {format_number(run[0])} "
            f"to {format_number(loss)}, instead of falling"))


class Trainer(NetworkViews, ParameterProbes):
    """Trains an MLP on ``dataset`` with ``cfg``; ``backend`` is "fast" (numpy) or "scalar" (``Value``s).

    With ``cfg.test_fraction > 0`` the data is split with ``dataset.split(test_fraction,
    seed)``; ``train_set`` and ``test_set`` are the parts (``test_set`` is None without).
    Raises ``ValueError`` for a backend, loss or feature set that does not fit the data, and
    ``TooMuchMemory`` (a ValueError giving the numbers) for a network and data too big to train
    (``training_config.memory_needed`` over ``MAX_TRAINING_BYTES``); nothing big is built first.
    """

    def __init__(self, dataset: Dataset, cfg: TrainConfig | None = None, backend: str = "fast") -> None:
        backend_row(backend)  # ValueError for an unknown one
        self.config = cfg = cfg if cfg is not None else TrainConfig()
        self.backend = backend
        self.history: list[StepRecord] = []
        self._k = 0
        self._watch_from = 0  # history[_watch_from:] is watched for divergence (since the last settings)
        self._set_data(dataset)
        self.layer_sizes: tuple[int, ...] = (len(cfg.features), *cfg.layers, self.num_outputs)
        values, self._labels = initial_parameters(self.layer_sizes, cfg.seed)
        self._theta = np.array(values, dtype=float)
        self._build_nets(cfg)
        self._optimizer = Optimizer(cfg.optimizer, self._theta.size)
        self._grad: np.ndarray | None = None
        self._grid_cache: tuple | None = None

    # -- data ------------------------------------------------------------------------------------

    def _set_data(self, dataset: Dataset) -> None:
        cfg = self.config
        num_outputs = check_task(dataset, cfg)
        if hasattr(self, "num_outputs") and num_outputs != self.num_outputs:
            raise ValueError(f"this needs a network with {num_outputs} outputs, not {self.num_outputs}: "
                             f"start a new trainer")
        check_memory((len(cfg.features), *cfg.layers, num_outputs), len(dataset), self.backend)
        self.num_outputs = num_outputs
        self.dataset = dataset
        if cfg.test_fraction > 0:
            self.train_set, self.test_set = dataset.split(cfg.test_fraction, cfg.seed)
        else:
            self.train_set, self.test_set = dataset, None
        self.regression = dataset.kind == "regression"
        self._full = self._batch_of(self.train_set)
        has_test = self.test_set is not None and len(self.test_set.X) > 0
        self._test = self._batch_of(self.test_set) if has_test else None
        self._grid_cache = None

    def set_dataset(self, dataset: Dataset) -> None:
        """Train on ``dataset`` from now on (a point added or removed), keeping weights and history."""
        self._set_data(dataset)
        self._grad = None

    def reconfigure(self, cfg: TrainConfig) -> None:
        """Carry on with new settings, keeping the weights, the step count and the history.

        Anything but the network's shape may change: learning rate and decay, loss (with
        the same number of outputs), regularisation, optimiser (its state restarts when it
        changes), batch size, activations, seed, test split.  New ``layers`` or
        ``features`` raise ``ValueError``: they need a new ``Trainer``.
        """
        old = self.config
        if (cfg.layers, cfg.features) != (old.layers, old.features):
            raise ValueError("new layers or input features need a new trainer (the weights would not fit)")
        self.config = cfg
        try:
            self._set_data(self.dataset)
        except ValueError:
            self.config = old
            raise
        self._build_nets(cfg)
        if cfg.optimizer != old.optimizer:
            self._optimizer = Optimizer(cfg.optimizer, self._theta.size)
        self._grad = None
        self._watch_from = len(self.history)  # new settings (a smaller rate, say) get a fresh start

    def _build_nets(self, cfg: TrainConfig) -> None:
        """The numpy net (every measure and view reads it) and the backend's step maker, for ``cfg``."""
        activations = [*cfg.hidden_activations, "linear"]
        self._net = FastNet(self.layer_sizes, activations, regularization_row(cfg.regularization),
                            cfg.reg_strength)
        self._blocks = self._net.blocks(self._theta)  # views: they follow in-place updates
        self._backend = backend_row(self.backend).build(self._net, activations, cfg)
        self._point_builder: ScalarBackend | None = None
        self._kept_gradient: tuple | None = None  # ParameterProbes._training_gradient's

    def features(self, X: np.ndarray) -> np.ndarray:
        """The network's inputs for raw points ``X`` (``cfg.features`` of each row)."""
        return feature_matrix(np.asarray(X, dtype=float), self.config.features)

    def _batch_of(self, dataset: Dataset) -> Batch:
        loss = loss_row(self.config.loss)
        return Batch(with_ones(self.features(dataset.X)), loss.targets(dataset.y, self.regression), loss)

    def _batch(self, k: int) -> Batch:
        """Step ``k``'s batch: the whole training set, or a seeded draw of ``batch_size`` points."""
        size = self.config.batch_size
        if size is None or size >= self._full.n:
            return self._full
        rng = np.random.default_rng((self.config.seed, k))
        return self._full.take(np.sort(rng.permutation(self._full.n)[:size]))

    # -- training --------------------------------------------------------------------------------

    @property
    def step_count(self) -> int:
        """How many steps have been taken (the next step's number)."""
        return self._k

    @property
    def learning_rate(self) -> float:
        """The learning rate the next step will use."""
        return self.config.learning_rate_at(self._k)

    def _loss_and_grad(self, theta: np.ndarray, batch: Batch) -> tuple[float, np.ndarray, float]:
        return self._backend.loss_and_grad(theta, batch, self.regression)

    def _measure(self, batch: Batch | None) -> tuple[float | None, float | None]:
        """Loss and accuracy of ``batch`` at the current weights, in numpy (None without a batch)."""
        if batch is None:
            return None, None
        with np.errstate(all="ignore"):
            S = self._net.forward(self._blocks, batch.A1)
        loss = self._net.loss(self._theta, batch, self._blocks)
        return loss, accuracy(S, batch, self.regression)

    def step(self) -> StepRecord:
        """One optimiser step; raises ``TrainingDiverged`` (weights unchanged) when the loss runs away:
        not finite, more than ``DIVERGENCE_FACTOR`` times where it started, or rising for
        ``RISING_STEPS`` steps in a row (by ``RISING_SHARE`` of where it started, in all)."""
        k = self._k
        return self._take_step(k, *self._loss_and_grad(self._theta, self._batch(k)))

    def step_slices(self, elsewhere: Callable | None = None) -> Generator[None, None, StepRecord]:
        """``step()`` in slices of about a millisecond: yields between them, returns its record.

        The same floats as ``step()``.  The scalar backend's work is sliced (see
        ``gradlab.training.scalar``); the fast backend's step is one slice.  Anything that
        changes the trainer between slices (a weight set by hand, new settings, new data,
        another step) makes the step start again from the trainer as it is then.
        ``elsewhere(backend, theta, batch, regression)``, if given, is a generator that returns
        ``backend.loss_and_grad``'s result computed somewhere else (another process:
        ``gradlab.worker.training``), yielding while it waits.
        """
        while True:
            k, cfg, full, theta = self._k, self.config, self._full, self._theta.copy()
            batch, backend = self._batch(k), self._backend
            if elsewhere is None:
                result = yield from backend.loss_and_grad_slices(theta, batch, self.regression)
            else:
                result = yield from elsewhere(backend, theta, batch, self.regression)
            unchanged = self._k == k and self.config is cfg and self._full is full
            if unchanged and np.array_equal(theta, self._theta):
                return self._take_step(k, *result)
            yield

    def _take_step(self, k: int, loss: float, grad: np.ndarray, acc: float) -> StepRecord:
        lr = self.config.learning_rate_at(k)
        check_divergence(self.history, self._watch_from, k, loss, self.config.learning_rate)
        test_loss, test_acc = self._measure(self._test)
        new_theta, new_state = self._optimizer.propose(self._theta, grad, lr)
        if not np.isfinite(new_theta).all():
            raise TrainingDiverged(k, math.inf, self.config.learning_rate, what="a weight after the update")
        self._theta[...] = new_theta
        self._optimizer.commit(new_state)
        self._grad = grad
        self._k += 1
        record = StepRecord(k, loss, acc, test_loss, test_acc)
        self.history.append(record)
        return record

    def run(self, steps: int, callback: Callable[[StepRecord], None] | None = None) -> list[StepRecord]:
        """Take ``steps`` steps (calling ``callback`` after each); their records."""
        records = []
        for _ in range(steps):
            records.append(self.step())
            if callback is not None:
                callback(records[-1])
        return records

    def evaluate(self) -> StepRecord:
        """Loss and accuracy of the whole training set (and test set) at the current weights."""
        loss, acc = self._measure(self._full)
        test_loss, test_acc = self._measure(self._test)
        return StepRecord(self._k, loss, acc, test_loss, test_acc)

    # -- parameters ------------------------------------------------------------------------------

    def parameters(self) -> list[float]:
        """Every weight and bias as a float, in micrograd's ``MLP.parameters()`` order."""
        return self._theta.tolist()

    def parameter_labels(self) -> list[str]:
        """``w{layer}.{neuron}.{input}`` and ``b{layer}.{neuron}``, in the order of ``parameters()``."""
        return list(self._labels)

    def gradients(self) -> list[float]:
        """d(loss)/d(parameter) of the last step's loss (of the full training loss before any step)."""
        if self._grad is None:
            self._grad = self._training_gradient()
        return self._grad.tolist()

    def set_parameter(self, i: int, value: float) -> None:
        """Set parameter ``i`` (an index into ``parameters()``) to ``value``."""
        self._check_index(i)
        self._theta[i] = float(value)
        self._grid_cache = None

    # -- saving and restoring ----------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything needed to carry on later, as strict JSON-able data (floats round-trip exactly).

        Keys: format, version, config, backend, step, parameters, gradients (of the last
        step, or None), optimizer (its name and state), history (rows of step, loss,
        accuracy, test_loss, test_accuracy; an accuracy that is nan is stored as None).
        """
        return {
            "format": STATE_FORMAT,
            "version": STATE_VERSION,
            "config": self.config.to_dict(),
            "backend": self.backend,
            "step": self._k,
            "parameters": self._theta.tolist(),
            "gradients": None if self._grad is None else self._grad.tolist(),
            "optimizer": self._optimizer.state_dict(),
            "history": [[r.step, r.loss, _finite_or_none(r.accuracy), r.test_loss,
                         _finite_or_none(r.test_accuracy)] for r in self.history],
        }

    @classmethod
    def from_state(cls, dataset: Dataset, state: object, backend: str | None = None,
                   where: str = "trainer") -> Trainer:
        """A trainer on ``dataset`` carrying on from ``state_dict()``.

        Every field is checked before it is used: a bad one raises ``FieldError`` (a ValueError)
        naming its path under ``where``, like ``'trainer.optimizer' must be an object, not 5``.
        A config that does not fit the data raises ValueError, one too big for memory
        ``TooMuchMemory``, as ``Trainer()`` does.
        """
        state = fields.obj(state, where)
        if state.get("format") != STATE_FORMAT:
            raise FieldError(f"{where}.format",
                             f"must be {STATE_FORMAT!r}: this is not a saved trainer state")
        version = state.get("version")
        if type(version) is not int or version != STATE_VERSION:
            raise FieldError(f"{where}.version", f"is {fields.shown(version)}: this gradlab reads trainer "
                                                 f"state version {STATE_VERSION}")
        cfg = decode_config(fields.get(state, "config", where), f"{where}.config")
        saved_backend = fields.choice(state.get("backend", "fast"), f"{where}.backend", BACKENDS)
        backend = saved_backend if backend is None else backend
        trainer = cls(dataset, cfg, backend)
        trainer._restore(state, where)
        return trainer

    def _restore(self, state: dict, where: str) -> None:
        size = self._theta.size
        # a weight may be nan or inf (a saved diverged network): the next step says it diverged
        params = fields.numbers(fields.get(state, "parameters", where), f"{where}.parameters", size,
                                finite=False)
        grads = fields.get(state, "gradients", where)
        grads = None if grads is None else fields.numbers(grads, f"{where}.gradients", size, finite=False)
        optimizer = self._decoded_optimizer(fields.get(state, "optimizer", where), f"{where}.optimizer")
        history = fields.get(state, "history", where)
        if not isinstance(history, list):
            raise FieldError(f"{where}.history", f"must be a list of steps, not {fields.shown(history)}")
        records = [_record(row, f"{where}.history[{n}]") for n, row in enumerate(history)]
        step = fields.whole(fields.get(state, "step", where), f"{where}.step")
        self._theta[...] = params
        self._grad = grads
        self._optimizer = optimizer
        self.history = records
        self._k = step

    def _decoded_optimizer(self, raw: object, where: str) -> Optimizer:
        raw = fields.obj(raw, where)
        name = self.config.optimizer
        if raw.get("name") != name:
            raise FieldError(f"{where}.name", f"must be {name!r} (the config's optimiser), "
                                              f"not {fields.shown(raw.get('name'))}")
        size = self._theta.size
        optimizer = Optimizer(name, size)
        if optimizer.row.counts_steps:
            optimizer.state["t"] = fields.whole(fields.get(raw, "t", where), f"{where}.t")
        for key in optimizer.row.arrays:
            optimizer.state[key] = fields.numbers(fields.get(raw, key, where), f"{where}.{key}", size,
                                                  finite=False)
        return optimizer


def decode_config(raw: object, where: str = "config") -> TrainConfig:
    """``TrainConfig.from_dict`` of saved settings, each setting's JSON type checked first;
    ``FieldError`` naming the setting (or the config, for a value TrainConfig refuses)."""
    raw = fields.obj(raw, where)
    texts = {"activation", "loss", "optimizer", "regularization"}
    for key, value in raw.items():
        at = f"{where}.{key}"
        if key in ("layers", "features") or (key == "activation" and isinstance(value, list)):
            if not isinstance(value, list):
                raise FieldError(at, f"must be a list, not {fields.shown(value)}")
            for n, item in enumerate(value):
                (fields.text if key != "layers" else fields.whole)(item, f"{at}[{n}]")
        elif key in texts:
            if not (value is None and key == "regularization"):
                fields.text(value, at)
        elif key in ("lr_decay", "batch_size"):
            fields.optional(fields.whole, value, at, low=1)
        elif key == "seed":
            fields.whole(value, at, 0, SEEDS - 1)
        elif key in ("reg_strength", "learning_rate", "test_fraction"):
            fields.number(value, at)
    try:
        return TrainConfig.from_dict(raw)
    except ValueError as err:
        raise FieldError(where, f"is not usable: {err}") from None


def _finite_or_none(x: float | None) -> float | None:
    """nan (a regression's accuracy) as None, so that a state is strict JSON."""
    return None if x is None or math.isnan(x) else x


def _record(row: object, where: str) -> StepRecord:
    """The inverse of a ``state_dict`` history row: [step, loss, accuracy, test_loss, test_accuracy]."""
    if not isinstance(row, list) or len(row) != 5:
        got = f"a list of {len(row)}" if isinstance(row, list) else fields.shown(row)
        raise FieldError(where, f"must be a list of 5 (step, loss, accuracy, test loss, test accuracy), "
                                f"not {got}")
    step, loss, acc, test_loss, test_acc = row
    step = fields.whole(step, f"{where}[0]")
    loss = fields.number(loss, f"{where}[1]", finite=False)
    acc = fields.optional(fields.number, acc, f"{where}[2]", finite=False, low=0.0, high=1.0)
    test_loss = fields.optional(fields.number, test_loss, f"{where}[3]", finite=False)
    test_acc = fields.optional(fields.number, test_acc, f"{where}[4]", finite=False, low=0.0, high=1.0)
    if test_loss is not None:
        test_acc = math.nan if test_acc is None else test_acc
    return StepRecord(step, loss, math.nan if acc is None else acc, test_loss,
                      None if test_loss is None else test_acc)
