"""The numpy side of :mod:`gradlab.training`: an MLP over one flat parameter vector, vectorised over a batch.

The parameter vector is laid out in micrograd's ``MLP.parameters()`` order: layer by
layer, neuron by neuron, each neuron's weights and then its bias.  So layer ``l``'s
slice of the vector, reshaped to ``(nout, nin + 1)``, is its weight matrix with the
biases as the last column, and a batch with a column of ones appended multiplies it
directly: ``Z = A1 @ block.T``.  The gradient vector has the same layout, and its
block is ``dZ.T @ A1``, one matrix product per layer.

The activations come from the op table (:data:`gradlab.ops.UNARY`: ``np_forward`` and
``np_grad``), so an op registered there as an activation works here at once.  The
loss and the regulariser are rows of :mod:`gradlab.training.losses`, whose numpy forms are
the twins of :mod:`gradlab.nn`'s ``Value`` expressions: the same maths, summed in a
different order, so the two backends agree to rounding (about 1e-15), not bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from gradlab import ops
from gradlab.training.losses import Loss, Regularization

__all__ = ["Batch", "FastBackend", "FastNet", "accuracy", "with_ones"]


def with_ones(X: np.ndarray) -> np.ndarray:
    """``X`` with a column of ones appended: the input a layer block multiplies."""
    return np.concatenate((np.asarray(X, dtype=float), np.ones((len(X), 1))), axis=1)


@dataclass(eq=False)
class Batch:
    """The inputs ``A1`` (features plus a ones column) and targets of a batch, in its loss's form
    (``Loss.targets``: ``(n, 1)`` of +-1.0 or of reals, or ``(n,)`` int labels); ``loss`` is its row."""

    A1: np.ndarray
    T: np.ndarray
    loss: Loss
    n: int = field(init=False)
    inv_n: float = field(init=False)
    _rows: list | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.n = len(self.A1)
        self.inv_n = 1.0 / self.n

    # what a loss's numpy form reads, made once per batch (a step of a few points is microseconds)
    @cached_property
    def neg(self) -> np.ndarray:
        """``-T``."""
        return -self.T

    @cached_property
    def neg_over_n(self) -> np.ndarray:
        """``-T / n``: dloss/dscore on a margin."""
        return self.neg * self.inv_n

    @cached_property
    def positive(self) -> np.ndarray:
        """Which points are class 1 (``T > 0``), for accuracy."""
        return self.T[:, 0] > 0

    @property
    def rows(self) -> list[list[float]]:
        """The feature rows as Python floats (for the scalar backend)."""
        if self._rows is None:
            self._rows = self.A1[:, :-1].tolist()
        return self._rows

    def take(self, index: np.ndarray) -> Batch:
        """The sub-batch of rows ``index``."""
        return Batch(self.A1[index], self.T[index], self.loss)


def accuracy(S: np.ndarray, b: Batch, regression: bool) -> float:
    """The fraction of the batch classified right, as its loss reads scores (nan for regression)."""
    if regression:
        return math.nan
    return b.loss.correct(S, b) / b.n


# -- the network --------------------------------------------------------------------------------


class FastNet:
    """The numpy MLP: layer sizes, one activation name per layer (the last is usually 'linear'), and
    the regularisation row (or None) with its strength ``alpha``; the loss is the batch's."""

    def __init__(self, sizes: Sequence[int], activations: Sequence[str],
                 regularization: Regularization | None, alpha: float) -> None:
        self.sizes = tuple(sizes)
        if len(activations) != len(self.sizes) - 1:
            raise ValueError(f"need {len(self.sizes) - 1} activations, got {len(activations)}")
        # None for "linear": the identity needs no pass over the data
        self.ops = [None if a == "linear" else ops.activation(a) for a in activations]
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
            data, _ = batch.loss.batch(S, batch)
            reg, _ = self._penalty(theta)
        return data + reg

    def _penalty(self, theta: np.ndarray) -> tuple[float, np.ndarray | None]:
        """The regularisation at ``theta`` and its gradient (0 and None without one)."""
        if self.regularization is None:
            return 0.0, None
        return self.regularization.penalty(theta, self.alpha)

    def loss_and_grad(self, theta: np.ndarray, batch: Batch, blocks: list[np.ndarray] | None = None
                      ) -> tuple[float, np.ndarray, np.ndarray]:
        """``(loss, gradient, scores)`` of the batch at ``theta`` (loss regularisation included)."""
        blocks = blocks if blocks is not None else self.blocks(theta)
        with np.errstate(all="ignore"):  # a diverging step shows as a nan loss, not a warning
            S, inputs, sums, outs = self.forward(blocks, batch.A1, keep=True)
            data, dZ = batch.loss.batch(S, batch)
            reg, reg_grad = self._penalty(theta)
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


class FastBackend:
    """The fast backend: a step's loss and gradient from ``FastNet``, in one slice."""

    def __init__(self, net: FastNet) -> None:
        self.net = net

    def loss(self, theta: np.ndarray, batch: Batch) -> float:
        """The batch's loss (regularisation included) at ``theta``."""
        return self.net.loss(theta, batch)

    def loss_and_grad(self, theta: np.ndarray, batch: Batch, regression: bool
                      ) -> tuple[float, np.ndarray, float]:
        """``(loss, gradient, accuracy)`` of the batch at ``theta``."""
        loss, grad, S = self.net.loss_and_grad(theta, batch)
        return loss, grad, accuracy(S, batch, regression)

    def loss_and_grad_slices(self, theta: np.ndarray, batch: Batch, regression: bool
                             ) -> Generator[None, None, tuple[float, np.ndarray, float]]:
        """``loss_and_grad`` as a generator of slices: here one, so it never yields."""
        return self.loss_and_grad(theta, batch, regression)
        yield  # unreachable: makes this a generator, as the scalar backend's
