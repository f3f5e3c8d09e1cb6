"""The computation graph of a Value, as data a view can draw and a slider can drive.

``GraphModel(root)`` freezes the structure of ``root``'s graph (its nodes in
topological order, parents and children by index, the role of every node) and
computes a layered drawing of it once.  Values can then change freely:
``set_data`` re-evaluates only what lies downstream of the changed node and
reports which nodes changed, and ``backward`` refills the gradients, so a
slider drag costs a few microseconds per affected node and never a relayout.

Drawing rows: rows ``0 .. n-1`` are the value nodes (row ``i`` is
``values[i]``); rows ``n ..`` are op nodes, drawn between an op's operands and
its result, as in micrograd's ``draw_dot``.  ``op_row[i]`` is the op row of
value ``i`` (``-1`` for a leaf).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from gradlab.engine import Value, recompute, topological_order

__all__ = ["ROLES", "Drawing", "GraphModel", "count_crossings", "to_networkx"]

ROLES = ("input", "parameter", "constant", "intermediate", "output")

#: horizontal distance between layers, in drawing units (rows are 1 apart)
LAYER_SPACING = 1.6
#: barycentre sweeps (each one down and one up) that reorder nodes within layers
ORDERING_SWEEPS = 4


@dataclass(frozen=True)
class Drawing:
    """A layered drawing: positions of every row and the edges between rows."""

    pos: np.ndarray  # (rows, 2) float: x grows towards the output, y is the slot in the layer
    is_op: np.ndarray  # (rows,) bool
    value_index: np.ndarray  # (rows,) int: the value a row shows (an op row shows its result's op)
    edges: np.ndarray  # (edges, 2) int: (source row, target row), data flowing source -> target
    layer: np.ndarray  # (rows,) int: 0 is the output's layer, growing towards the inputs


class GraphModel:
    """The frozen structure of ``root``'s graph with live values, roles and a drawing."""

    def __init__(self, root: Value, parameters: Iterable[Value] = ()) -> None:
        self.output = root
        self.values: list[Value] = topological_order(root)
        self.index: dict[int, int] = {id(v): i for i, v in enumerate(self.values)}
        self.parents: list[tuple[int, ...]] = [tuple(self.index[id(p)] for p in v._prev) for v in self.values]
        self.children: list[list[int]] = [[] for _ in self.values]
        for i, ps in enumerate(self.parents):
            for p in ps:
                self.children[p].append(i)
        param_ids = {id(p) for p in parameters}
        self.roles: list[str] = [self._role(v, param_ids) for v in self.values]
        n = len(self.values)
        op_row = np.full(n, -1, dtype=np.int64)
        ops = [i for i, v in enumerate(self.values) if v._prev]
        op_row[ops] = np.arange(n, n + len(ops))
        self.op_row = op_row
        self._downstream: dict[int, list[int]] = {}
        self.drawing = _layered_drawing(self)

    def _role(self, v: Value, param_ids: set[int]) -> str:
        if v is self.output:
            return "output"
        if v._prev:
            return "intermediate"
        if id(v) in param_ids:
            return "parameter"
        return "input" if v.label else "constant"

    def __len__(self) -> int:
        return len(self.values)

    def find(self, label: str) -> int | None:
        """The index of the last value node labelled ``label`` (the name's final binding)."""
        for i in range(len(self.values) - 1, -1, -1):
            if self.values[i].label == label:
                return i
        return None

    def input_indices(self) -> list[int]:
        return [i for i, r in enumerate(self.roles) if r == "input"]

    def downstream(self, i: int) -> list[int]:
        """Indices of every node that depends on node ``i`` (not ``i`` itself), in topological order."""
        cached = self._downstream.get(i)
        if cached is None:
            seen: set[int] = set()
            stack = list(self.children[i])
            while stack:
                j = stack.pop()
                if j not in seen:
                    seen.add(j)
                    stack.extend(self.children[j])
            cached = self._downstream[i] = sorted(seen)
        return cached

    def set_data(self, i: int, data: float) -> list[int]:
        """Set node ``i``'s data, re-evaluate what lies downstream; return the indices that changed.

        Works for any node: setting an intermediate node overrides its value until
        its parents change or ``recompute_all`` runs (that is what a nudge needs).
        """
        v = self.values[i]
        if _same(v.data, data):
            return []
        v.data = data
        changed = [i]
        values = self.values
        for j in self.downstream(i):
            w = values[j]
            old = w.data
            if not _same(old, recompute(w)):
                changed.append(j)
        return changed

    def recompute_all(self) -> None:
        """A full forward pass over the frozen structure."""
        for v in self.values:
            recompute(v)

    def backward(self) -> None:
        """Refill every gradient with d(output)/d(node), reusing the frozen topological order."""
        values = self.values
        for v in values:
            v.grad = 0.0
        self.output.grad = 1.0
        for v in reversed(values):
            v._backward()

    def path_to_output(self, i: int) -> list[int]:
        """Every node on some path from node ``i`` to the output, ``i`` and the output included."""
        if i == len(self.values) - 1:
            return [i]
        # nodes downstream of i that are also upstream of the output: all of them, as the
        # graph is the output's graph; keep i first for the caller's convenience
        return [i, *self.downstream(i)]

    def to_networkx(self) -> nx.DiGraph:
        """The graph with current values: see the module-level ``to_networkx``."""
        g = nx.DiGraph()
        for i, v in enumerate(self.values):
            g.add_node(("value", i), kind="value", label=v.label, data=v.data, grad=v.grad,
                       op=v._op, role=self.roles[i])
            if v._prev:
                g.add_node(("op", i), kind="op", label=v._op, op=v._op, role="op")
                g.add_edge(("op", i), ("value", i))
                for p in self.parents[i]:
                    g.add_edge(("value", p), ("op", i))
        pos = self.drawing.pos
        for i in range(len(self.values)):
            g.nodes["value", i]["pos"] = tuple(pos[i])
            if self.op_row[i] >= 0:
                g.nodes["op", i]["pos"] = tuple(pos[self.op_row[i]])
        return g


def to_networkx(root: Value, parameters: Iterable[Value] = ()) -> nx.DiGraph:
    """``root``'s graph as a ``networkx.DiGraph``.

    Value nodes are keyed ``("value", i)`` with ``i`` the topological index, and
    carry ``label``, ``data``, ``grad``, ``op``, ``role`` (one of ``ROLES``) and
    ``pos`` (the layered layout).  Each computed value has an op node
    ``("op", i)`` between its operands and itself, as in micrograd's ``draw_dot``.
    An operand used twice (``a + a``) gives one edge; ``GraphModel.parents`` keeps both.
    """
    return GraphModel(root, parameters).to_networkx()


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)  # nan counts as unchanged nan


# -- layout -------------------------------------------------------------------------


def _layered_drawing(model: GraphModel) -> Drawing:
    """Layers anchored at the output, then a few barycentre sweeps to cut crossings."""
    n = len(model.values)
    op_row = model.op_row
    rows = n + int((op_row >= 0).sum())
    is_op = np.zeros(rows, dtype=bool)
    is_op[n:] = True
    value_index = np.empty(rows, dtype=np.int64)
    value_index[:n] = np.arange(n)
    has_op = np.flatnonzero(op_row >= 0)
    value_index[op_row[has_op]] = has_op

    edges: list[tuple[int, int]] = []
    for i in has_op:
        o = int(op_row[i])
        edges.append((o, int(i)))
        for p in dict.fromkeys(model.parents[i]):  # a + a: one drawn edge
            edges.append((p, o))

    # layer = longest path to the output: generations of the reversed graph.
    # Children come after parents in topological order, so one reverse pass does it.
    layer = np.zeros(rows, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        o = op_row[i]
        if o < 0:
            continue
        layer[o] = layer[i] + 1
        for p in model.parents[i]:
            if layer[p] < layer[o] + 1:
                layer[p] = layer[o] + 1

    order = _order_within_layers(rows, edges, layer, n)
    pos = np.zeros((rows, 2))
    pos[:, 0] = -layer * LAYER_SPACING
    pos[:, 1] = order
    return Drawing(pos=pos, is_op=is_op, value_index=value_index,
                   edges=np.array(edges, dtype=np.int64).reshape(-1, 2), layer=layer)


def _order_within_layers(rows: int, edges: list[tuple[int, int]], layer: np.ndarray, n: int) -> np.ndarray:
    """A y slot for every row: centred per layer, ordered to cut edge crossings."""
    succ: list[list[int]] = [[] for _ in range(rows)]
    pred: list[list[int]] = [[] for _ in range(rows)]
    for s, t in edges:
        succ[s].append(t)
        pred[t].append(s)
    # initial order: depth-first discovery from the output, following operands in argument
    # order, so a program's reading order shows from top to bottom
    start = n - 1
    seen = [False] * rows
    discovery: list[int] = []
    stack = [start]
    while stack:
        r = stack.pop()
        if seen[r]:
            continue
        seen[r] = True
        discovery.append(r)
        stack.extend(reversed(pred[r]))
    n_layers = int(layer.max()) + 1 if rows else 0
    layers: list[list[int]] = [[] for _ in range(n_layers)]
    for r in discovery:
        layers[layer[r]].append(r)
    y = np.zeros(rows)
    _assign_slots(layers, y)

    def sweep(layer_ids: Iterable[int], neighbours: list[list[int]]) -> None:
        for k in layer_ids:
            members = layers[k]
            if len(members) < 2:
                continue
            key = {}
            for r in members:
                nb = neighbours[r]
                key[r] = sum(y[m] for m in nb) / len(nb) if nb else y[r]
            members.sort(key=key.__getitem__)
            _assign_slots([members], y)

    for _ in range(ORDERING_SWEEPS):
        sweep(range(1, n_layers), succ)  # from the output towards the inputs
        sweep(range(n_layers - 2, -1, -1), pred)  # and back
    return y


def _assign_slots(layers: list[list[int]], y: np.ndarray) -> None:
    for members in layers:
        m = len(members)
        for slot, r in enumerate(members):
            y[r] = slot - (m - 1) / 2


def count_crossings(drawing: Drawing) -> int:
    """Pairs of edges whose straight segments cross (O(edges^2): for tests and small graphs)."""
    p = drawing.pos
    segs = [(p[s], p[t]) for s, t in drawing.edges]
    count = 0
    for a in range(len(segs)):
        (x1, y1), (x2, y2) = segs[a]
        for b in range(a + 1, len(segs)):
            (x3, y3), (x4, y4) = segs[b]
            if _segments_cross(x1, y1, x2, y2, x3, y3, x4, y4):
                count += 1
    return count


def _segments_cross(x1, y1, x2, y2, x3, y3, x4, y4) -> bool:
    def orient(ax, ay, bx, by, cx, cy) -> float:
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)

    d1 = orient(x3, y3, x4, y4, x1, y1)
    d2 = orient(x3, y3, x4, y4, x2, y2)
    d3 = orient(x1, y1, x2, y2, x3, y3)
    d4 = orient(x1, y1, x2, y2, x4, y4)
    # strict crossings only: edges meeting at a shared node do not count
    return d1 * d2 < 0 and d3 * d4 < 0 and not math.isnan(d1 * d2 * d3 * d4)
