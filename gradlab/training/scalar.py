"""The scalar backend of :mod:`gradlab.training`: the real :mod:`gradlab.nn` ``Value`` graph.

Each step builds micrograd's demo expression over the batch (one ``Value`` graph,
``model(x)`` per point, then the loss and the regulariser), runs
backprop as ``Value.backward()`` does and reads the gradients out in ``MLP.parameters()``
order.  The loss and the regulariser are the ``Value`` forms of their rows in
:mod:`gradlab.training.losses`.  With the demo config the floats are micrograd's, step for step.

A step takes tens to hundreds of milliseconds, so it comes in slices:
``loss_and_grad_slices`` yields between pieces of about a millisecond (one point's forward
pass, one point's part of the sort, a few thousand nodes of the backward pass, freeing the
graph) that a GUI thread can run between events (``gradlab.ui.network.training_driver.SliceDriver``).
``loss_and_grad`` runs the same pieces back to back: one code path, the same floats.  The
network lab has whole steps computed by another process (``gradlab.worker.training``).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import numpy as np

from gradlab import nn
from gradlab.collector import cyclic_gc_paused
from gradlab.engine import Value, topological_order
from gradlab.training.fast import Batch, accuracy
from gradlab.training.losses import regularization_row

__all__ = ["NODES_PER_SLICE", "ScalarBackend", "cyclic_gc_paused", "run_slices"]

#: nodes of the backward pass (or of the graph being freed) per slice: about a millisecond
NODES_PER_SLICE = 4000

def run_slices(slices: Generator[None, None, object]) -> object:
    """Run a generator of slices to the end; what it returns."""
    while True:
        try:
            next(slices)
        except StopIteration as done:
            return done.value


def _outputs(scores: list) -> list[Value]:
    return [s for point in scores for s in (point if isinstance(point, list) else [point])]


def _sorted_in_slices(total: Value, scores: list) -> Generator[None, None, list[Value]]:
    """``engine.topological_order(total)``, a point's part per slice; every node's grad set to 0.

    The head (loss and regulariser) is sorted with the points' outputs standing in as leaves;
    then each output, where it falls, becomes its own graph's order less the nodes placed
    already (the weights, which every point shares).  That is the order the engine's depth-first
    search gives: it enters an output's graph once and places all of it there, and the head
    reaches a point's nodes only through its outputs (the tests compare the two orders).
    """
    outputs = _outputs(scores)
    cut = [s._prev for s in outputs]
    for s in outputs:
        s._prev = ()
    try:
        head = topological_order(total)
    finally:
        for s, prev in zip(outputs, cut, strict=True):
            s._prev = prev
    is_output = {id(s) for s in outputs}
    placed: set[Value] = set()  # what the order holds so far: always every parent of what it holds
    order: list[Value] = []
    for v in head:
        if id(v) in is_output:
            part = topological_order(v, placed)
            for w in part:
                w.grad = 0.0
            order += part
            yield
        elif v not in placed:
            placed.add(v)
            v.grad = 0.0
            order.append(v)
    return order


class ScalarBackend:
    """A ``gradlab.nn.MLP`` of ``sizes`` whose weights are loaded from the trainer's vector each step."""

    def __init__(self, sizes: Sequence[int], activations: Sequence[str], cfg) -> None:
        self.sizes = tuple(sizes)
        self.activations = list(activations)
        self.cfg = cfg
        self.regularization = regularization_row(cfg.regularization)
        self.model = self._mlp()
        self.params = self.model.parameters()

    def _mlp(self) -> nn.MLP:
        return nn.MLP(self.sizes[0], list(self.sizes[1:]), activation=self.activations, seed=self.cfg.seed)

    @staticmethod
    def _targets(batch: Batch) -> list:
        return batch.T.tolist() if batch.T.ndim == 1 else batch.T[:, 0].tolist()

    def _head(self, scores: list, batch: Batch, params: list[Value]) -> Value:
        """The batch's loss over the points' ``scores``, plus the regulariser over ``params``."""
        total = batch.loss.value(scores, self._targets(batch))
        if self.regularization is not None:
            total = total + self.regularization.value(params, self.cfg.reg_strength)
        return total

    def loss(self, theta: np.ndarray, batch: Batch) -> float:
        """The batch's loss (regularisation included) at ``theta``."""
        with cyclic_gc_paused():
            for p, x in zip(self.params, theta.tolist(), strict=True):
                p.data = x
            scores = [self.model(x) for x in batch.rows]
            return float(self._head(scores, batch, self.params).data)

    def loss_and_grad(self, theta: np.ndarray, batch: Batch, regression: bool
                      ) -> tuple[float, np.ndarray, float]:
        """``(loss, gradient, accuracy)`` of the batch at ``theta``, by backprop through ``Value``s."""
        return run_slices(self.loss_and_grad_slices(theta, batch, regression))

    def loss_and_grad_slices(self, theta: np.ndarray, batch: Batch, regression: bool
                             ) -> Generator[None, None, tuple[float, np.ndarray, float]]:
        """``loss_and_grad`` in slices of about a millisecond: yields between them, returns its tuple.

        The graph is built on a fresh copy of the network, so ``loss`` (or another step) run
        between two slices cannot move this step's weights.
        """
        with cyclic_gc_paused():  # for the whole step: the graph lives across the slices
            params = (model := self._mlp()).parameters()
            for p, x in zip(params, theta.tolist(), strict=True):
                p.data = x
            scores = []
            for x in batch.rows:
                scores.append(model(x))
                yield
            total = self._head(scores, batch, params)
            yield
            order = yield from _sorted_in_slices(total, scores)
            total.grad = 1.0  # then backprop as Value.backward: every node after all that it feeds
            end = len(order)
            while end > 0:
                start = max(0, end - NODES_PER_SLICE)
                for v in reversed(order[start:end]):
                    fn = v._grad_fn
                    if fn is not None:
                        fn(v)
                end = start
                yield
            grad = np.array([p.grad for p in params], dtype=float)
            S = np.array([[s.data] if isinstance(s, Value) else [v.data for v in s] for s in scores],
                         dtype=float)
            result = float(total.data), grad, accuracy(S, batch, regression)
            del total, scores  # now only ``order`` holds the graph (a leaf holds nothing)
            while order:  # free it from the output end, a slice at a time (each node's users go first)
                del order[-NODES_PER_SLICE:]
                yield
        return result

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
        root = batch.loss.value(scores, [target])
        root.label = "loss"
        return root, params
