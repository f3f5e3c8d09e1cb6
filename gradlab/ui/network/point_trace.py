"""``pointGraph``'s content: the ``Value`` graph of one training point's loss, kept live.

The graph's structure is fixed while the architecture is, so a refresh only writes the
trainer's current weights into the graph's parameter leaves, re-runs the forward pass and
``backward()``: about a millisecond for the demo network's thousand values, and no new layout.

A traced point opens on something to see: every neuron collapsed into one node, the whole
graph fitted, the path from the point's inputs to its loss highlighted, and a sentence that
says what the point's loss means (``loss_meaning``): a point classified with margin sends
back no gradient at all, so the learner is told to click one near the boundary.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from gradlab.engine import Value
from gradlab.graph import GraphModel
from gradlab.nn import parameter_name
from gradlab.numfmt import format_number
from gradlab.training.losses import loss_row
from gradlab.ui.common.graph_canvas import GraphCanvas
from gradlab.ui.common.inspected_model import InspectedModel

__all__ = ["PointGraphModel", "PointTrace", "loss_meaning"]

def loss_meaning(loss_name: str, loss: float) -> str:
    """What one point's loss ``loss`` (of ``TrainConfig.loss`` ``loss_name``) says about it and
    about the gradient it sends back, in a sentence for a learner (its row's ``meaning``)."""
    value = f"Its loss is {format_number(loss) if loss else 0}"
    if not math.isfinite(loss):
        return f"{value}: training has diverged, and the gradients mean nothing."
    return loss_row(loss_name).meaning(value, loss)


class PointGraphModel(InspectedModel):
    """The inspector's model for a node of the traced point's graph (the expression lab's probes
    work on it unchanged: it is a ``GraphModel``); ``values_changed`` comes as training moves the
    weights, ``backprop_step_changed`` never."""

    default_step = 1e-4

    def set_graph(self, graph: GraphModel | None) -> None:
        self.graph = graph
        self.program_changed.emit()
        self.select(-1, force=True)



def _is_neuron(label: str) -> bool:
    """A neuron's output: ``n{layer}.{neuron}`` (hidden) or ``score``/``score{k}`` (the output layer)."""
    return label.startswith("score") or (label.startswith("n") and label[1:2].isdigit())


class PointTrace:
    """One training point's loss graph on a ``GraphCanvas``, following the trainer's weights.

    Neurons can be collapsed: the canvas then draws a copy of the graph in which a collapsed
    neuron is one node whose parents are its inputs (its weights, bias, products and sums
    inside it; the network view shows the weights). Node indices in this class's API are
    always those of the full graph (``graph``); the canvas's own indices are mapped with
    ``to_full`` and ``to_shown``.
    """

    def __init__(self, canvas: GraphCanvas, model: PointGraphModel | None = None) -> None:
        self.canvas = canvas
        self.model = model or PointGraphModel()
        self.graph: GraphModel | None = None
        self.shown: GraphModel | None = None  # what the canvas draws: the graph or a collapsed copy
        self.index = -1
        self.collapsed: set[int] = set()
        self._nodes: list[int] = []  # parameter k -> its graph index (-1: not in this graph)
        self._parameter_of: dict[int, int] = {}
        self._full_of: list[int] = []  # shown index -> full index
        self._shown_of: dict[int, int] = {}
        self._inputs: tuple[str, ...] = ()  # the trainer's features and layer sizes, for names
        self._sizes: tuple[int, ...] = ()
        #: called after each ``refresh`` (the lab's caption follows the point's loss)
        self.on_refresh: Callable[[], None] | None = None

    def __len__(self) -> int:
        return len(self.graph) if self.graph is not None else 0

    def clear(self) -> None:
        self.graph = self.shown = None
        self.index, self._nodes, self._parameter_of, self.collapsed = -1, [], {}, set()
        self._full_of, self._shown_of = [], {}
        self.canvas.set_graph(None)
        self.model.set_graph(None)

    def show(self, trainer, index: int, collapse: bool = False) -> None:
        """Trace training point ``index`` through ``trainer``'s network (every neuron collapsed
        into one node if ``collapse``)."""
        g = trainer.point_graph_model(index)
        g.backward()
        where = {g.values[i].label: i for i, role in enumerate(g.roles) if role == "parameter"}
        self._nodes = [where.get(label, -1) for label in trainer.parameter_labels()]
        self._parameter_of = {node: k for k, node in enumerate(self._nodes) if node >= 0}
        self.graph, self.index = g, index
        self._inputs, self._sizes = tuple(trainer.config.features), tuple(trainer.layer_sizes)
        self.model.set_graph(g)
        self.collapsed = set(self.neurons()) if collapse else set()
        self._draw()

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
        if self.shown is not g:
            for shown, full in zip(self.shown.values, self._full_of, strict=True):
                shown.data, shown.grad = values[full].data, values[full].grad
        self.canvas.refresh_values()
        if self.on_refresh is not None:
            self.on_refresh()

    @property
    def loss(self) -> float:
        """The traced point's loss (nan: none traced)."""
        return self.graph.output.data if self.graph is not None else math.nan

    def inputs(self) -> list[int]:
        """Full-graph indices of the point's inputs (its features)."""
        g = self.graph
        return [] if g is None else [i for i, role in enumerate(g.roles) if role == "input"]

    # -- collapsing neurons ------------------------------------------------------------------------

    def neurons(self) -> list[int]:
        """Full-graph indices of every neuron's output."""
        g = self.graph
        return [] if g is None else [i for i, v in enumerate(g.values) if _is_neuron(v.label)]

    def neuron_of(self, node: int) -> int:
        """The neuron whose output is ``node`` or which computes it inside (-1: none)."""
        g = self.graph
        if g is None or node < 0:
            return -1
        if _is_neuron(g.values[node].label):
            return node
        for j in g.downstream(node):  # the first neuron output downstream, if node is internal
            if _is_neuron(g.values[j].label):
                return j if node in self._inside(j) else -1
        return -1

    def set_collapsed(self, neurons) -> None:
        """Collapse exactly these neurons (full-graph indices of their outputs); redraw."""
        self.collapsed = {n for n in neurons if n in set(self.neurons())}
        self._draw()

    def toggle(self, neuron: int) -> None:
        self.set_collapsed(self.collapsed ^ {neuron})

    def _inside(self, neuron: int) -> set[int]:
        """The nodes a neuron computes on the way to its output: not leaves, not other neurons."""
        g, inside, stack = self.graph, set(), list(self.graph.parents[neuron])
        while stack:
            j = stack.pop()
            if j in inside or not g.parents[j] or _is_neuron(g.values[j].label):
                continue
            inside.add(j)
            stack.extend(g.parents[j])
        return inside

    def _draw(self) -> None:
        g = self.graph
        if not self.collapsed:
            self.shown, self._full_of = g, list(range(len(g)))
        else:
            self.shown, self._full_of = self._collapsed_copy()
        self._shown_of = {full: k for k, full in enumerate(self._full_of)}
        self.canvas.set_graph(self.shown)
        self.highlight_path()
        self.canvas.fit()

    def highlight_path(self) -> None:
        """Highlight the path from the point (its first input) to its loss."""
        inputs = self.inputs()
        self.canvas.set_selected(self.to_shown(inputs[0]) if inputs else -1)

    def _collapsed_copy(self) -> tuple[GraphModel, list[int]]:
        g = self.graph
        hidden: set[int] = set()
        inputs: dict[int, list[int]] = {}
        for n in self.collapsed:
            inside = self._inside(n)
            feeding = {p for j in inside | {n} for p in g.parents[j]} - inside
            weights = {p for p in feeding if g.roles[p] == "parameter"}  # inside the one node too
            hidden |= inside | weights
            inputs[n] = sorted(feeding - weights)
        copies: dict[int, Value] = {}
        for i, v in enumerate(g.values):  # topological order: parents are copied first
            if i in hidden:
                continue
            parents = inputs.get(i, g.parents[i])
            op = "neuron" if i in inputs else v._op
            copy = Value(v.data, tuple(copies[p] for p in parents), op, v.label)
            copy.grad = v.grad
            copies[i] = copy
        params = [copies[i] for i, role in enumerate(g.roles) if role == "parameter" and i in copies]
        shown = GraphModel(copies[len(g) - 1], params)
        full_of = {id(c): i for i, c in copies.items()}
        return shown, [full_of[id(v)] for v in shown.values]

    # -- indices ----------------------------------------------------------------------------------

    def to_full(self, shown: int) -> int:
        return self._full_of[shown] if 0 <= shown < len(self._full_of) else -1

    def to_shown(self, full: int) -> int:
        return self._shown_of.get(full, -1)

    def parameter_of(self, node: int) -> int:
        """The trainer's parameter index of full-graph node ``node`` (-1: not a parameter)."""
        return self._parameter_of.get(node, -1)

    def name(self, node: int) -> str:
        """Node ``node``'s name for people: "layer 1, neuron 3, from x1 (w0.2.0)", "layer 2,
        neuron 5 (n1.4)"; a value without a label is "node 12 (*)"."""
        v = self.graph.values[node]
        if not v.label:
            return f"node {node} ({v._op})"
        return parameter_name(v.label, self._inputs, self._sizes)

    def describe(self, node: int) -> str:
        v = self.graph.values[node]
        name = self.name(node)
        return f"{name}: data {format_number(v.data)}, grad {format_number(v.grad)} (of this point's loss)"
