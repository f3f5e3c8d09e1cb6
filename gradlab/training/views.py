"""What a trained network computes over the input plane: scores, predictions, grids for heatmaps.

A mixin of :class:`gradlab.training.Trainer` (it reads the trainer's numpy network and
weights), kept apart so that each file reads as one subject.  Everything here is numpy,
whatever the backend: the grids are for drawing, and the two backends agree to 1e-9.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradlab.training.fast import with_ones

__all__ = ["NetworkViews"]


class NetworkViews:
    """``layer_weights``, ``scores``, ``predict`` and the grids of a Trainer."""

    def layer_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(W, b)`` per layer, copies: ``W[j, i]`` is ``w{layer}.{j}.{i}``, ``b[j]`` is ``b{layer}.{j}``."""
        return [(block[:, :-1].copy(), block[:, -1].copy()) for block in self._blocks]

    def scores(self, X: np.ndarray) -> np.ndarray:
        """The network's raw outputs for raw points ``X``: ``(n,)``, or ``(n, k)`` for k classes."""
        with np.errstate(all="ignore"):
            S = self._net.forward(self._blocks, with_ones(self.features(X)))
        return S[:, 0] if self.num_outputs == 1 else S

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (int) for classification, predicted values for regression."""
        S = self.scores(X)
        if self.regression:
            return S
        if S.ndim == 2:
            return S.argmax(axis=1)
        return (S > 0).astype(np.int64)

    def _grid(self, bounds: Sequence[float], resolution: int) -> tuple[np.ndarray, tuple[int, ...]]:
        key = (tuple(float(b) for b in bounds), int(resolution))
        if self._grid_cache is None or self._grid_cache[0] != key:
            xmin, xmax, ymin, ymax = key[0]
            n = key[1]
            if n < 1:
                raise ValueError(f"resolution must be at least 1, not {n}")
            gx = np.linspace(xmin, xmax, n)
            if self.dataset.X.shape[1] == 1:
                points, shape = gx[:, None], (n,)
            else:
                xx, yy = np.meshgrid(gx, np.linspace(ymin, ymax, n))
                points, shape = np.column_stack((xx.ravel(), yy.ravel())), (n, n)
            self._grid_cache = (key, with_ones(self.features(points)), shape)
        return self._grid_cache[1], self._grid_cache[2]

    def decision_grid(self, bounds: Sequence[float], resolution: int = 100) -> np.ndarray:
        """The output over the plane ``bounds = (xmin, xmax, ymin, ymax)``, ``resolution`` points a side.

        Row ``i`` is ``y = linspace(ymin, ymax)[i]``, column ``j`` is ``x = linspace(xmin, xmax)[j]``.
        One output: the raw score ``(res, res)``; k classes: softmax probabilities
        ``(res, res, k)``.  On 1-D data, the output along x: ``(res,)``.
        """
        A1, shape = self._grid(bounds, resolution)
        with np.errstate(all="ignore"):
            S = self._net.forward(self._blocks, A1)
            if self.num_outputs == 1:
                return S[:, 0].reshape(shape)
            E = np.exp(S - S.max(axis=1, keepdims=True))
            return (E / E.sum(axis=1, keepdims=True)).reshape(*shape, -1)

    def neuron_grids(self, bounds: Sequence[float], resolution: int = 30) -> list[np.ndarray]:
        """Every neuron's output over the plane: one ``(nout, res, res)`` array per layer (last: outputs)."""
        A1, shape = self._grid(bounds, resolution)
        with np.errstate(all="ignore"):
            _, _, _, outs = self._net.forward(self._blocks, A1, keep=True)
        return [H.T.reshape(-1, *shape).copy() for H in outs]

    def feature_grids(self, bounds: Sequence[float], resolution: int = 30) -> np.ndarray:
        """Each input feature over the plane: ``(len(features), res, res)``."""
        A1, shape = self._grid(bounds, resolution)
        return A1[:, :-1].T.reshape(-1, *shape).copy()
