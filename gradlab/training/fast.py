"""The numpy side of :mod:`gradlab.training`: an MLP over one flat parameter vector, vectorised over a batch.

The parameter vector is laid out in micrograd's ``MLP.parameters()`` order: layer by
layer, neuron by neuron, each neuron's weights and then its bias.  So layer ``l``'s
slice of the vector, reshaped to ``(nout, nin + 1)``, is its weight matrix with the
biases as the last column, and a batch with a column of ones appended multiplies it
directly: ``Z = A1 @ block.T``.  The gradient vector has the same layout, and its
block is ``dZ.T @ A1``, one matrix product per layer.

The activations come from the op table (:data:`gradlab.ops.UNARY`: ``np_forward`` and
``np_grad``), so an op registered there as an activation works here at once.  The
losses and regularisers below are the numpy twins of :mod:`gradlab.nn`'s ``Value``
expressions (``svm_loss``, ``binary_cross_entropy``, ``mse_loss``, ``cross_entropy``,
``l2_regularization``, ``l1_regularization``): the same maths, summed in a different
order, so the two agree to rounding (about 1e-15), not bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gradlab import ops

__all__ = ["Batch", "FastNet", "with_ones"]


def with_ones(X: np.ndarray) -> np.ndarray:
    """``X`` with a column of ones appended: the input a layer block multiplies."""
    return np.concatenate((np.asarray(X, dtype=float), np.ones((len(X), 1))), axis=1)


@dataclass(eq=False)
class Batch:
    """The inputs ``A1`` (features plus a ones column) and targets of a batch, in the loss's form.

    ``T`` is ``(n, 1)`` of +-1.0 for svm/logistic/mse on two classes, ``(n, 1)`` float
    targets for regression, and ``(n,)`` int labels for cross_entropy.
    """

    A1: np.ndarray
    T: np.ndarray
    loss: str
    n: int = field(init=False)
    inv_n: float = field(init=False)
    neg: np.ndarray | None = field(init=False, default=None)  # -T
    neg_over_n: np.ndarray | None = field(init=False, default=None)  # -T / n: dloss/dscore on a margin
    positive: np.ndarray | None = field(init=False, default=None)  # class 1 (T > 0), for accuracy
    _rows: list | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.n = len(self.A1)
        self.inv_n = 1.0 / self.n
        if self.loss in ("svm", "logistic"):
            self.neg = -self.T
            self.neg_over_n = self.neg * self.inv_n
        if self.loss != "cross_entropy":
            self.positive = self.T[:, 0] > 0

    @property
    def rows(self) -> list[list[float]]:
        """The feature rows as Python floats (for the scalar backend)."""
        if self._rows is None:
            self._rows = self.A1[:, :-1].tolist()
        return self._rows

    def take(self, index: np.ndarray) -> Batch:
        """The sub-batch of rows ``index``."""
        return Batch(self.A1[index], self.T[index], self.loss)


# -- losses: (scores, batch) -> (mean loss, dloss/dscores) --------------------------------------


def _svm(S: np.ndarray, b: Batch) -> tuple[float, np.ndarray]:
    margin = 1.0 + b.neg * S  # 1 + -y * score
    return float(np.maximum(margin, 0.0).sum()) * b.inv_n, (margin > 0) * b.neg_over_n


def _logistic(S: np.ndarray, b: Batch) -> tuple[float, np.ndarray]:
    z = b.neg * S  # softplus(-y * score), nn.softplus's stable form
    e = np.exp(-np.abs(z))
    loss = float((np.maximum(z, 0.0) + np.log(1.0 + e)).sum()) * b.inv_n
    sigmoid = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return loss, sigmoid * b.neg_over_n


def _mse(S: np.ndarray, b: Batch) -> tuple[float, np.ndarray]:
    d = S - b.T
    return float((d * d).sum()) * b.inv_n, (2.0 * d) * b.inv_n


def _cross_entropy(S: np.ndarray, b: Batch) -> tuple[float, np.ndarray]:
    rows = np.arange(b.n)
    m = S.max(axis=1, keepdims=True)
    E = np.exp(S - m)
    total = E.sum(axis=1)
    loss = float((np.log(total) - (S[rows, b.T] - m[:, 0])).sum()) * b.inv_n
    P = E / total[:, None]
    P[rows, b.T] -= 1.0
    return loss, P * b.inv_n


LOSS_GRADS = {"svm": _svm, "logistic": _logistic, "mse": _mse, "cross_entropy": _cross_entropy}


def accuracy(S: np.ndarray, b: Batch, regression: bool) -> float:
    """The fraction of the batch classified right: score > 0 is class 1; argmax for several outputs."""
    if regression:
        return math.nan
    if b.loss == "cross_entropy":
        return int(np.count_nonzero(S.argmax(axis=1) == b.T)) / b.n
    return int(np.count_nonzero((S[:, 0] > 0) == b.positive)) / b.n


def regularization(theta: np.ndarray, kind: str | None, alpha: float) -> tuple[float, np.ndarray | None]:
    """``alpha * sum(p*p)`` (l2) or ``alpha * sum(|p|)`` (l1), and its gradient (None without one)."""
    if kind == "l2":
        return alpha * float(theta @ theta), (2.0 * alpha) * theta
    if kind == "l1":
        return alpha * float(np.abs(theta).sum()), alpha * np.sign(theta)
    return 0.0, None


# -- the network --------------------------------------------------------------------------------


class FastNet:
    """The numpy MLP: layer sizes, one activation name per layer (the last is usually 'linear')."""

    def __init__(self, sizes: Sequence[int], activations: Sequence[str], loss: str,
                 regularization: str | None, alpha: float) -> None:
        self.sizes = tuple(sizes)
        if len(activations) != len(self.sizes) - 1:
            raise ValueError(f"need {len(self.sizes) - 1} activations, got {len(activations)}")
        # None for "linear": the identity needs no pass over the data
        self.ops = [None if a == "linear" else ops.activation(a) for a in activations]
        self.loss_name = loss
        self._loss = LOSS_GRADS[loss]
        self.regularization = regularization
        self.alpha = float(alpha)
        self.shapes = [(nout, nin + 1) for nin, nout in zip(self.sizes, self.sizes[1:], strict=False)]
        bounds = np.cumsum([0] + [r * c for r, c in self.shapes])
        self.slices = [slice(int(a), int(b)) for a, b in zip(bounds, bounds[1:], strict=False)]
        self.size = int(bounds[-1])
        self._ones: dict[int, np.ndarray] = {}
        #: rows per block of a big forward pass: about 2**18 multiply-adds per layer product
        widest = max(r * c for r, c in self.shapes)
        self.chunk_rows = min(4096, max(64, 2**18 // widest))

    def blocks(self, vec: np.ndarray) -> list[np.ndarray]:
        """Views of ``vec``, one ``(nout, nin + 1)`` matrix per layer."""
        return [vec[s].reshape(shape) for s, shape in zip(self.slices, self.shapes, strict=True)]

    def _ones_column(self, n: int) -> np.ndarray:
        ones = self._ones.get(n)
        if ones is None:
            ones = self._ones[n] = np.ones((n, 1))
        return ones

    def forward(self, blocks: list[np.ndarray], A1: np.ndarray, keep: bool = False):
        """The outputs ``(n, nout)``; with ``keep`` also each layer's inputs, sums and outputs."""
        if keep:
            return self._forward_keep(blocks, A1)
        if len(A1) <= self.chunk_rows:
            return self._forward(blocks, A1)
        # Big inputs (a 100x100 grid) go in blocks of rows small enough that BLAS runs each
        # product on one core: on a busy machine its threads fight for the cores and a
        # 10,000-row pass takes ten times longer.
        step = self.chunk_rows
        return np.concatenate([self._forward(blocks, A1[s:s + step]) for s in range(0, len(A1), step)])

    def _forward(self, blocks: list[np.ndarray], A1: np.ndarray) -> np.ndarray:
        Z = A1 @ blocks[0].T
        for W, op in zip(blocks[1:], self.ops, strict=False):
            H = Z if op is None else op.np_forward(Z)
            Z = H @ W[:, :-1].T
            Z += W[:, -1]
        op = self.ops[-1]
        return Z if op is None else op.np_forward(Z)

    def _forward_keep(self, blocks: list[np.ndarray], A1: np.ndarray):
        inputs, sums, outs = [], [], []
        A = A1
        last = len(blocks) - 1
        for layer, (W, op) in enumerate(zip(blocks, self.ops, strict=True)):
            Z = A @ W.T
            H = Z if op is None else op.np_forward(Z)
            inputs.append(A)
            sums.append(Z)
            outs.append(H)
            if layer < last:
                A = np.concatenate((H, self._ones_column(len(H))), axis=1)
        return H, inputs, sums, outs

    def loss(self, theta: np.ndarray, batch: Batch, blocks: list[np.ndarray] | None = None) -> float:
        """The batch's mean loss plus the regularisation at ``theta``."""
        with np.errstate(all="ignore"):  # a diverged network's loss is inf or nan, not a warning
            S = self.forward(blocks if blocks is not None else self.blocks(theta), batch.A1)
            data, _ = self._loss(S, batch)
            reg, _ = regularization(theta, self.regularization, self.alpha)
        return data + reg

    def loss_and_grad(self, theta: np.ndarray, batch: Batch, blocks: list[np.ndarray] | None = None
                      ) -> tuple[float, np.ndarray, np.ndarray]:
        """``(loss, gradient, scores)`` of the batch at ``theta`` (loss regularisation included)."""
        blocks = blocks if blocks is not None else self.blocks(theta)
        with np.errstate(all="ignore"):  # a diverging step shows as a nan loss, not a warning
            S, inputs, sums, outs = self.forward(blocks, batch.A1, keep=True)
            data, dZ = self._loss(S, batch)
            reg, reg_grad = regularization(theta, self.regularization, self.alpha)
            grad = np.empty(self.size)
            gblocks = self.blocks(grad)
            for layer in range(len(blocks) - 1, -1, -1):
                np.matmul(dZ.T, inputs[layer], out=gblocks[layer])
                if layer:
                    dH = dZ @ blocks[layer][:, :-1]
                    op = self.ops[layer - 1]
                    dZ = dH if op is None else dH * op.np_grad(sums[layer - 1], outs[layer - 1])
            if reg_grad is not None:
                grad += reg_grad
        return data + reg, grad, S
