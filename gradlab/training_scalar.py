"""The scalar backend of :mod:`gradlab.training`: the real :mod:`gradlab.nn` ``Value`` graph.

Each step builds micrograd's demo expression over the batch (one ``Value`` graph,
``model(x)`` per point, the loss and the regulariser from :mod:`gradlab.nn`), runs
``backward()`` and reads the gradients out in ``MLP.parameters()`` order.  With the
demo config the floats are micrograd's, step for step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradlab import nn
from gradlab.engine import Value
from gradlab.training_fast import Batch, accuracy

__all__ = ["ScalarBackend"]


class ScalarBackend:
    """A ``gradlab.nn.MLP`` of ``sizes`` whose weights are loaded from the trainer's vector each step."""

    def __init__(self, sizes: Sequence[int], activations: Sequence[str], cfg) -> None:
        self.sizes = tuple(sizes)
        self.activations = list(activations)
        self.cfg = cfg
        self.model = self._mlp()
        self.params = self.model.parameters()

    def _mlp(self) -> nn.MLP:
        return nn.MLP(self.sizes[0], list(self.sizes[1:]), activation=self.activations, seed=self.cfg.seed)

    def _data_loss(self, scores: list, targets: list) -> Value:
        loss = self.cfg.loss
        if loss == "svm":
            return nn.svm_loss(scores, targets)
        if loss == "logistic":
            return nn.binary_cross_entropy(scores, targets)
        if loss == "mse":
            return nn.mse_loss(scores, targets)
        return nn.cross_entropy(scores, targets)

    @staticmethod
    def _targets(batch: Batch) -> list:
        return batch.T.tolist() if batch.T.ndim == 1 else batch.T[:, 0].tolist()

    def _total(self, theta: np.ndarray, batch: Batch) -> tuple[Value, list]:
        for p, x in zip(self.params, theta.tolist(), strict=True):
            p.data = x
        scores = [self.model(x) for x in batch.rows]
        total = self._data_loss(scores, self._targets(batch))
        cfg = self.cfg
        if cfg.regularization == "l2":
            total = total + nn.l2_regularization(self.params, cfg.reg_strength)
        elif cfg.regularization == "l1":
            total = total + nn.l1_regularization(self.params, cfg.reg_strength)
        return total, scores

    def loss(self, theta: np.ndarray, batch: Batch) -> float:
        """The batch's loss (regularisation included) at ``theta``."""
        return float(self._total(theta, batch)[0].data)

    def loss_and_grad(self, theta: np.ndarray, batch: Batch, regression: bool
                      ) -> tuple[float, np.ndarray, float]:
        """``(loss, gradient, accuracy)`` of the batch at ``theta``, by backprop through ``Value``s."""
        total, scores = self._total(theta, batch)
        total.backward()
        grad = np.array([p.grad for p in self.params], dtype=float)
        S = np.array([[s.data] if isinstance(s, Value) else [v.data for v in s] for s in scores], dtype=float)
        return float(total.data), grad, accuracy(S, batch, regression)

    def point_graph(self, theta: np.ndarray, batch: Batch, i: int, feature_names: Sequence[str]
                    ) -> tuple[Value, list[Value]]:
        """Point ``i``'s loss as a fresh, labelled ``Value`` graph, and its parameters."""
        model = self._mlp()
        params = model.parameters()
        for p, x in zip(params, theta.tolist(), strict=True):
            p.data = x
        x = [Value(v, label=name) for v, name in zip(batch.rows[i], feature_names, strict=True)]
        for layer in model.layers:
            x = layer.forward(x)
            for neuron, out in zip(layer.neurons, x, strict=True):
                out.label = neuron.label
        if len(x) == 1:
            x[0].label = "score"
            scores = x
        else:
            for j, s in enumerate(x):
                s.label = f"score{j}"
            scores = [x]
        target = self._targets(batch)[i]
        root = self._data_loss(scores, [target])
        root.label = "loss"
        return root, params
