"""The losses and the regularisations, one row each: the single place their maths is written.

Like :mod:`gradlab.optimizers` for update rules, ``LOSSES`` maps a name to a ``Loss`` row and
``REGULARIZATIONS`` a name to a ``Regularization`` row, sorted below in order of increasing
complexity.  A loss row holds everything that is the loss's own:

- its caption (what the network editor's combo shows, and the command line's help);
- the data it serves: ``regression`` (real targets, one output) and ``multiclass`` (one score
  per class, integer labels 0..k-1, read by argmax); any other loss scores two classes with one
  output, labels +-1, read by sign;
- ``batch(S, b) -> (mean loss, dloss/dS)``: the numpy form over a batch's scores (the fast
  backend), where ``b`` is a :class:`gradlab.training.fast.Batch` (``T``, ``inv_n``, ``neg``,
  ``neg_over_n``);
- ``value(scores, targets) -> Value``: the ``Value`` form (the scalar backend and a point's
  graph), :mod:`gradlab.nn`'s expression, so the two backends agree to rounding;
- ``smooth``: its gradient has no kink (rounding cannot flip a branch between the backends);
- ``meaning(value_text, loss) -> str``: what one point's loss says about it, for a learner.

A regularisation row holds its caption, its numpy penalty and gradient on the flat parameter
vector, and its ``Value`` form.

Adding a loss or a regularisation is one row here (and its tests): the training config, both
backends, the trainer's checks, the network editor's combos, the command line's choices and
help, and the tests that loop over losses all read these tables.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gradlab import nn
from gradlab.numfmt import format_number

__all__ = ["LOSSES", "Loss", "REGULARIZATIONS", "Regularization", "fitting_loss", "loss_row",
           "regularization_row"]

#: below this, a point's loss and gradients are as good as none (floats' leftovers)
NO_LOSS = 1e-12


# -- the numpy forms: (scores S, batch b) -> (mean loss, dloss/dS) --------------------------------


def _mse(S: np.ndarray, b) -> tuple[float, np.ndarray]:
    d = S - b.T
    return float((d * d).sum()) * b.inv_n, (2.0 * d) * b.inv_n


def _svm(S: np.ndarray, b) -> tuple[float, np.ndarray]:
    margin = 1.0 + b.neg * S  # 1 + -y * score
    return float(np.maximum(margin, 0.0).sum()) * b.inv_n, (margin > 0) * b.neg_over_n


def _logistic(S: np.ndarray, b) -> tuple[float, np.ndarray]:
    z = b.neg * S  # softplus(-y * score), nn.softplus's stable form
    e = np.exp(-np.abs(z))
    loss = float((np.maximum(z, 0.0) + np.log(1.0 + e)).sum()) * b.inv_n
    sigmoid = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return loss, sigmoid * b.neg_over_n


def _cross_entropy(S: np.ndarray, b) -> tuple[float, np.ndarray]:
    rows = np.arange(b.n)
    m = S.max(axis=1, keepdims=True)
    E = np.exp(S - m)
    total = E.sum(axis=1)
    loss = float((np.log(total) - (S[rows, b.T] - m[:, 0])).sum()) * b.inv_n
    P = E / total[:, None]
    P[rows, b.T] -= 1.0
    return loss, P * b.inv_n


# -- what one point's loss means, for a learner -------------------------------------------------


def _squared_error_meaning(value: str, loss: float) -> str:  # (prediction - target)²
    if loss <= NO_LOSS:
        return f"{value}: the curve passes through it, so it sends back no gradient."
    return (f"{value}: the curve misses it by {format_number(math.sqrt(loss))}; its gradient moves "
            "the curve toward it.")


def _margin_meaning(value: str, loss: float) -> str:  # relu(1 - y score): 0 beyond the margin
    if loss <= NO_LOSS:
        return (f"{value}: classified with margin (label × score ≥ 1), it sends back no gradient "
                "(every grad here is 0). Click a point near the boundary to see one flow.")
    if loss < 1:
        return (f"{value}: classified right but inside the margin, so its gradient still pushes "
                "the boundary away from it.")
    return f"{value}: on the wrong side of the boundary; its gradient pushes the boundary past it."


def _probability_meaning(value: str, loss: float) -> str:  # -log p(its class)
    p = math.exp(-loss)
    sure = f"{value}: the network gives its class a probability of {p:.1%}"
    if p > 0.99:
        return (f"{sure}, sure and right, so it sends back almost no gradient. Click a point "
                "near the boundary to see more flow.")
    if p >= 0.5:
        return f"{sure}: right but unsure; its gradient makes the network surer."
    return f"{sure}: it is likely misclassified; its gradient pushes the boundary past it."


# -- the rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """One loss: see the module docstring."""

    name: str
    caption: str
    batch: Callable[[np.ndarray, object], tuple[float, np.ndarray]]
    value: Callable[[list, list], object]
    meaning: Callable[[str, float], str]
    regression: bool = False
    multiclass: bool = False
    smooth: bool = True

    def serves(self, kind: str, num_classes: int) -> bool:
        """Whether it trains on data of ``kind`` ("regression" or "classification") with ``num_classes``."""
        if kind == "regression":
            return self.regression
        return num_classes >= 2 if self.multiclass else num_classes == 2

    def outputs(self, kind: str, num_classes: int) -> int:
        """The network's outputs for such data; ValueError saying which loss to use when it does not fit."""
        if kind == "regression":
            if not self.regression:
                names = " or ".join(n for n, row in LOSSES.items() if row.regression)
                raise ValueError(f"a regression dataset needs the {names} loss, not {self.name!r}")
            return 1
        k = int(num_classes)
        if self.multiclass:
            if k < 2:
                raise ValueError(f"{self.name} needs at least two classes, the data has {k}")
            return k
        if k != 2:
            names = " or ".join(n for n, row in LOSSES.items() if row.multiclass)
            raise ValueError(f"the {self.name} loss needs two classes, the data has {k}; use {names}")
        return 1

    def targets(self, y: np.ndarray, regression: bool) -> np.ndarray:
        """Labels ``y`` as ``batch`` reads them: ``(n, 1)`` reals for regression, ``(n,)`` class
        indices for a multiclass loss, else ``(n, 1)`` of +-1.0 (class 1 is +1)."""
        if regression:
            return np.asarray(y, dtype=float).reshape(-1, 1)
        if self.multiclass:
            return np.asarray(y, dtype=np.int64)
        return np.where(np.asarray(y) == 1, 1.0, -1.0).reshape(-1, 1)

    def correct(self, S: np.ndarray, b) -> int:
        """How many of batch ``b``'s rows of scores ``S`` pick their class: by argmax, or score > 0 for
        class 1 (``b.positive``)."""
        if self.multiclass:
            return int(np.count_nonzero(S.argmax(axis=1) == b.T))
        return int(np.count_nonzero((S[:, 0] > 0) == b.positive))


@dataclass(frozen=True)
class Regularization:
    """One penalty on the weights: ``penalty(theta, alpha) -> (value, gradient)`` on the flat numpy
    vector, and ``value(params, alpha) -> Value`` over :mod:`gradlab.nn` parameters."""

    name: str
    caption: str
    penalty: Callable[[np.ndarray, float], tuple[float, np.ndarray]]
    value: Callable[[Sequence, float], object]


def _l2(theta: np.ndarray, alpha: float) -> tuple[float, np.ndarray]:
    return alpha * float(theta @ theta), (2.0 * alpha) * theta


def _l1(theta: np.ndarray, alpha: float) -> tuple[float, np.ndarray]:
    return alpha * float(np.abs(theta).sum()), alpha * np.sign(theta)


_LOSS_ROWS = (  # in the order menus list them: micrograd's demo first
    Loss("svm", "hinge (SVM, micrograd)", _svm, nn.svm_loss, _margin_meaning, smooth=False),
    Loss("logistic", "logistic", _logistic, nn.binary_cross_entropy, _probability_meaning),
    Loss("mse", "squared error", _mse, nn.mse_loss, _squared_error_meaning, regression=True),
    Loss("cross_entropy", "cross-entropy (softmax)", _cross_entropy, nn.cross_entropy, _probability_meaning,
         multiclass=True),
)
#: every loss by name, in the order menus list them
LOSSES: dict[str, Loss] = {row.name: row for row in _LOSS_ROWS}

_REGULARIZATION_ROWS = (
    Regularization("l2", "L2", _l2, nn.l2_regularization),
    Regularization("l1", "L1", _l1, nn.l1_regularization),
)
#: every regularisation by name (a config's None is none), in the order menus list them
REGULARIZATIONS: dict[str, Regularization] = {row.name: row for row in _REGULARIZATION_ROWS}


def loss_row(name: str) -> Loss:
    """The row of loss ``name``; ValueError listing the losses for an unknown one."""
    if not isinstance(name, str) or name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return LOSSES[name]


def regularization_row(name: str | None) -> Regularization | None:
    """The row of regularisation ``name`` (None for None); ValueError listing them for an unknown one."""
    if name is None:
        return None
    if not isinstance(name, str) or name not in REGULARIZATIONS:
        choices = ", ".join(REGULARIZATIONS)
        raise ValueError(f"unknown regularization {name!r}; choose one of {choices} or None")
    return REGULARIZATIONS[name]


def fitting_loss(kind: str, num_classes: int, preferred: str) -> str:
    """``preferred`` if it serves such data, else the first loss that does (mse for regression,
    cross_entropy for more than two classes); ``preferred`` when none does (``outputs`` says why)."""
    if loss_row(preferred).serves(kind, num_classes):
        return preferred
    return next((name for name, row in LOSSES.items() if row.serves(kind, num_classes)), preferred)
