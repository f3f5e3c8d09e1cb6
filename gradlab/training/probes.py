"""What the network lab probes of a trainer's parameters: one point's ``Value`` graph, and the
training loss as one parameter is nudged (finite differences beside backprop).

``ParameterProbes`` is a part of ``Trainer`` (it reads the trainer's weights ``_theta``, its
training batch ``_full``, its numpy net and its backend), kept apart so that each file reads
as one concern.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from gradlab.engine import Value
from gradlab.graph import GraphModel
from gradlab.probe import ErrorSweep, NudgeResult, function_curve, function_error_sweep, nudge_function
from gradlab.training.scalar import ScalarBackend

__all__ = ["ParameterProbes"]


class ParameterProbes:
    """The point graph and the nudge probe of a ``Trainer``."""

    # -- one point's graph ------------------------------------------------------------------------

    def point_graph(self, i: int) -> Value:
        """The ``Value`` graph of training point ``i``'s loss through the current weights.

        Inputs are labelled by feature name, parameters as in ``parameter_labels()``,
        each neuron's output ``n{layer}.{neuron}``, the output ``score`` and the root
        ``loss`` (this point's data loss, without regularisation).
        """
        if not 0 <= i < self._full.n:
            raise IndexError(f"point index {i} out of range: the training set has {self._full.n} points")
        return self._point_backend().point_graph(self._theta, self._full, i, self.config.features)[0]

    def point_graph_model(self, i: int) -> GraphModel:
        """``GraphModel`` of ``point_graph(i)``, with the weights and biases in the parameter role."""
        if not 0 <= i < self._full.n:
            raise IndexError(f"point index {i} out of range: the training set has {self._full.n} points")
        root, params = self._point_backend().point_graph(self._theta, self._full, i, self.config.features)
        return GraphModel(root, params)

    def _point_backend(self) -> ScalarBackend:
        # the point graph is always made of Values, whatever backend trains
        if self._point_builder is None:
            self._point_builder = ScalarBackend(self.layer_sizes, [*self.config.hidden_activations, "linear"],
                                                self.config)
        return self._point_builder

    # -- the nudge probe on one parameter ----------------------------------------------------------

    def _loss_along(self, i: int, scalar: bool) -> Callable[[float], float]:
        """The full training loss as a function of parameter ``i`` (the others held)."""
        theta = self._theta.copy()

        def f(v: float) -> float:
            theta[i] = v
            if scalar:
                return self._backend.loss(theta, self._full)
            return self._net.loss(theta, self._full)

        return f

    def _check_index(self, i: int) -> None:
        if not 0 <= i < self._theta.size:
            raise IndexError(f"parameter index {i} out of range: the network has {self._theta.size}")

    def _full_gradient(self, i: int) -> float:
        return float(self._training_gradient()[i])

    def _training_gradient(self) -> np.ndarray:
        """d(training loss)/d(parameters) at the current weights, kept until the weights, the data or
        the settings change (new data or settings make a new batch or backend): a weight selected in
        the network lab asks for it two or three times (its nudge probe, its error sweep, an untrained
        network's gradients), and on the scalar backend each is a backprop through the training set."""
        kept = self._kept_gradient
        if kept is not None:
            theta, batch, backend, grad = kept
            if theta == self._theta.tobytes() and batch is self._full and backend is self._backend:
                return grad
        grad = self._loss_and_grad(self._theta, self._full)[1]
        self._kept_gradient = self._theta.tobytes(), self._full, self._backend, grad
        return grad

    def nudge_parameter(self, i: int, h: float = 1e-4) -> NudgeResult:
        """The training loss before and after nudging parameter ``i`` by +-h, next to backprop's gradient.

        The loss is the whole training set's, regularisation included, at the current
        weights (computed by this trainer's backend); the weights are not changed.
        """
        self._check_index(i)
        return nudge_function(self._loss_along(i, scalar=True), self._theta[i], h, self._full_gradient(i),
                              index=i, label=self._labels[i])

    def parameter_curve(self, i: int, half_width: float | None = None, n: int = 81
                        ) -> tuple[np.ndarray, np.ndarray]:
        """The training loss as parameter ``i`` sweeps around its value (numpy, both backends)."""
        self._check_index(i)
        return function_curve(self._loss_along(i, scalar=False), self._theta[i], half_width, n)

    def parameter_error_sweep(self, i: int, hs: Sequence[float] | None = None) -> ErrorSweep:
        """Forward and central differences' errors against backprop for many h (numpy)."""
        self._check_index(i)
        return function_error_sweep(self._loss_along(i, scalar=False), self._theta[i], self._full_gradient(i),
                                    hs, index=i, label=self._labels[i])
