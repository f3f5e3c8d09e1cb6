"""``pointGraph``'s content: the ``Value`` graph of one training point's loss, kept live.

The graph's structure is fixed while the architecture is, so a refresh only writes the
trainer's current weights into the graph's parameter leaves, re-runs the forward pass and
``backward()``: about a millisecond for the demo network's thousand values, and no new layout.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

from gradlab.graph import GraphModel
from gradlab.ui.graph_canvas import GraphCanvas, format_number

__all__ = ["PointGraphModel", "PointTrace"]

DEFAULT_STEP = 1e-4


class PointGraphModel(QObject):
    """The inspector's model for a node of the traced point's graph (the expression lab's probes
    work on it unchanged: it is a ``GraphModel``)."""

    #: a new graph (another point, another network): no payload
    program_changed = Signal()
    #: values and gradients changed in place (training moved the weights): list[int], may be empty
    values_changed = Signal(object)
    #: the selected node changed: int, -1 for none
    selection_changed = Signal(int)
    #: the probe's step h changed: float
    step_size_changed = Signal(float)
    #: never emitted: no backprop step-through here
    backprop_step_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph: GraphModel | None = None
        self.selected = -1
        self.step_size = DEFAULT_STEP
        self.backprop_step = -1

    def set_graph(self, graph: GraphModel | None) -> None:
        self.graph = graph
        self.program_changed.emit()
        self.select(-1, force=True)

    def select(self, index: int, force: bool = False) -> None:
        if self.graph is None or not 0 <= index < len(self.graph):
            index = -1
        if index != self.selected or force:
            self.selected = index
            self.selection_changed.emit(index)

    def set_step_size(self, h: float) -> None:
        h = min(max(float(h), 1e-12), 1.0) if math.isfinite(h) else DEFAULT_STEP
        if h != self.step_size:
            self.step_size = h
            self.step_size_changed.emit(h)


class PointTrace:
    """One training point's loss graph on a ``GraphCanvas``, following the trainer's weights."""

    def __init__(self, canvas: GraphCanvas, model: PointGraphModel | None = None) -> None:
        self.canvas = canvas
        self.model = model or PointGraphModel()
        self.graph: GraphModel | None = None
        self.index = -1
        self._nodes: list[int] = []  # parameter k -> its graph index (-1: not in this graph)
        self._parameter_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.graph) if self.graph is not None else 0

    def clear(self) -> None:
        self.graph, self.index, self._nodes, self._parameter_of = None, -1, [], {}
        self.canvas.set_graph(None)
        self.model.set_graph(None)

    def show(self, trainer, index: int) -> None:
        """Trace training point ``index`` through ``trainer``'s network."""
        # from a copy: building a Value graph gives a trainer a scalar backend, which a fast
        # trainer must not start training with
        g = type(trainer).from_state(trainer.dataset, trainer.state_dict()).point_graph_model(index)
        g.backward()
        where = {g.values[i].label: i for i, role in enumerate(g.roles) if role == "parameter"}
        self._nodes = [where.get(label, -1) for label in trainer.parameter_labels()]
        self._parameter_of = {node: k for k, node in enumerate(self._nodes) if node >= 0}
        self.graph, self.index = g, index
        self.canvas.set_graph(g)
        self.model.set_graph(g)

    def refresh(self, trainer) -> None:
        """Write the trainer's weights into the graph, recompute values and gradients, restyle."""
        g = self.graph
        if g is None:
            return
        values = g.values
        for node, w in zip(self._nodes, trainer.parameters(), strict=True):
            if node >= 0:
                values[node].data = w
        g.recompute_all()
        g.backward()
        self.canvas.refresh_values()

    def parameter_of(self, node: int) -> int:
        """The trainer's parameter index of graph node ``node`` (-1: not a parameter)."""
        return self._parameter_of.get(node, -1)

    def describe(self, node: int) -> str:
        v = self.graph.values[node]
        name = v.label or f"node {node} ({v._op})"
        return f"{name}: data {format_number(v.data)}, grad {format_number(v.grad)} (of this point's loss)"
