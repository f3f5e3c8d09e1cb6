"""The network's parameters, presented to the expression lab's inspector as a graph of leaves.

``NodeInspector`` inspects "node i of ``model.graph``" and measures it with its ``Probes``.
``WeightProbeModel`` gives it that: node ``i`` is parameter ``i`` of the lab's trainer (a leaf
labelled ``w1.3.0`` or ``b1.3``, named for people by ``nn.parameter_name``, role ``parameter``),
the output is the training loss, and the probes are the trainer's own (nudge a weight, watch
the loss; the loss along the weight). The inspector is reused as it is, not copied.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QObject

from gradlab.ui.common.inspected_model import InspectedModel
from gradlab.ui.common.inspector import Probes
from gradlab.ui.network.geometry import ParameterNames

__all__ = ["ParameterGraph", "WeightProbeModel", "parameter_probes"]

DEFAULT_STEP = 1e-4


class _Leaf:
    """What the inspector reads of a node: label, op, data, grad."""

    __slots__ = ("label", "_op", "data", "grad")

    def __init__(self, label: str, data: float, grad: float) -> None:
        self.label, self._op, self.data, self.grad = label, "", data, grad


class _Leaves(Sequence):
    def __init__(self, graph: ParameterGraph) -> None:
        self._g = graph

    def __len__(self) -> int:
        return len(self._g.labels)

    def __getitem__(self, i):
        g = self._g
        return _Leaf(g.labels[i], float(g.data[i]), g.probe(i, DEFAULT_STEP).grad)


class ParameterGraph:
    """The trainer's parameters as leaves of a graph whose output is the loss."""

    def __init__(self, trainer, labels: Sequence[str], lock=None) -> None:
        self.trainer = trainer
        self.lock = lock if lock is not None else contextlib.nullcontext()
        self._probes: dict[tuple[int, float], object] = {}
        self.labels = list(labels)
        #: what the inspector shows, whole (``name_chars``): "layer 1, neuron 3, from x1 (w0.2.0)"
        self.name_chars = 80
        self.names = ParameterNames(self.labels, trainer.config.features, trainer.layer_sizes)
        n = len(self.labels)
        self.roles = ["parameter"] * n
        self.parents: list[tuple[int, ...]] = [()] * n
        self.children: list[list[int]] = [[] for _ in range(n)]
        self.output = _Leaf("loss", math.nan, 1.0)
        self.values = _Leaves(self)
        self.refresh()

    def refresh(self) -> None:
        """Read the trainer's current parameters and loss (a copy of a list: cheap); its gradients
        wait for their first reader (``grads``)."""
        self._probes.clear()
        self._grads: np.ndarray | None = None
        self.data = np.asarray(self.trainer.parameters(), dtype=float)
        history = self.trainer.history
        self.output.data = float(history[-1].loss) if history else math.nan

    @property
    def grads(self) -> np.ndarray:
        """The trainer's ``gradients()``, read when first asked for after ``refresh`` and kept until
        the next: a new trainer has none yet, and on the scalar backend one is a full gradient of
        the demo network on the GUI thread (about a second), which a network change with no
        weight shown has no use for."""
        if self._grads is None:
            with self.lock:
                self._grads = np.asarray(self.trainer.gradients(), dtype=float)
        return self._grads

    def __len__(self) -> int:
        return len(self.labels)

    def probe(self, i: int, h: float):
        """The trainer's nudge probe of parameter ``i`` (cached until ``refresh``): its ``grad`` is
        d(training loss)/d(parameter) at the current weights, what the inspector shows as grad."""
        key = (i, h)
        if key not in self._probes:
            with self.lock:
                self._probes[key] = self.trainer.nudge_parameter(i, h)
        return self._probes[key]

    def downstream(self, i: int) -> list[int]:
        return []

    def find(self, label: str) -> int | None:
        try:
            return self.labels.index(label)
        except ValueError:
            return None


def parameter_probes() -> Probes:
    """Probes that nudge a trainer's parameter and watch the loss (``graph`` is a ParameterGraph),
    holding the graph's lock (the lab model's) so that no training step runs meanwhile."""

    def nudge(graph: ParameterGraph, i: int, h: float):
        return graph.probe(i, h)

    def curve(graph: ParameterGraph, i: int):
        with graph.lock:
            return graph.trainer.parameter_curve(i)

    def sweep(graph: ParameterGraph, i: int):
        with graph.lock:
            return graph.trainer.parameter_error_sweep(i)

    return Probes(nudge=nudge, curve=curve, sweep=sweep)


class WeightProbeModel(InspectedModel):
    """The inspector's model for the network lab: which parameter is selected, and the step h.
    ``program_changed`` comes with a new network, ``values_changed`` after training steps or a
    weight set by hand, ``backprop_step_changed`` never (no step-through here)."""

    default_step = DEFAULT_STEP

    def __init__(self, parent: QObject | None = None, lock=None) -> None:
        super().__init__(parent)
        self.lock = lock  # held while probing: a worker thread may be training
        self.graph: ParameterGraph | None = None

    def set_trainer(self, trainer, labels: Sequence[str]) -> None:
        """A new network: keep the selection if the same parameter still exists."""
        previous = self.graph.labels[self.selected] if self.graph is not None and self.selected >= 0 else ""
        self.graph = ParameterGraph(trainer, labels, self.lock) if trainer is not None else None
        self.program_changed.emit()
        found = self.graph.find(previous) if (self.graph is not None and previous) else None
        self.select(found if found is not None else -1, force=True)

    def refresh(self) -> None:
        """The trainer moved on (steps, a weight set by hand): re-read it and tell the inspector."""
        if self.graph is not None:
            self.graph.refresh()
            self.values_changed.emit([])

    def select(self, index: int, force: bool = False) -> None:
        if self.graph is not None and 0 <= index < len(self.graph):
            self.graph.refresh()  # the weights moved since the last look
        super().select(index, force)
