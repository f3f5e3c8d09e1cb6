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
LAYER_SPACING = 1.3
#: barycentre sweeps (each one down and one up) that reorder nodes within layers; 0: none
ORDERING_SWEEPS = 4
#: drawings with at most this many edges get the exact neighbour-swapping pass too
TRANSPOSE_MAX_EDGES = 1500
#: passes, and segment-pair tests in all, that the swapping pass may spend
TRANSPOSE_PASSES = 6
TRANSPOSE_BUDGET = 400_000


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
    """A y slot for every row: centred per layer, ordered to cut edge crossings.

    1. Depth-first order from the output, operands in argument order, so a program's
       reading order shows from top to bottom.
    2. Barycentre sweeps (each one towards the inputs, then back), keeping the best
       ordering seen (the plain order included), so sweeping does not make a drawing
       worse.  Crossings are counted as drawn (straight segments, long edges included)
       by ``_CrossingCounter`` in O(E log^2 E): exactly on small drawings, estimated
       on big ones whose long edges span thousands of layers.
    3. On drawings up to ``TRANSPOSE_MAX_EDGES`` edges, swaps of neighbours in a layer,
       each kept only if it cuts the exact number of crossings.

    ``ORDERING_SWEEPS = 0`` skips 2 and 3.
    """
    succ: list[list[int]] = [[] for _ in range(rows)]
    pred: list[list[int]] = [[] for _ in range(rows)]
    for s, t in edges:
        succ[s].append(t)
        pred[t].append(s)
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
    y = [0.0] * rows  # a list: indexing it from Python is several times faster than an array
    for members in layers:
        _assign_slots(members, y)
    if ORDERING_SWEEPS <= 0 or rows < 3 or not edges:
        return np.array(y)

    wide = [k for k in range(n_layers) if len(layers[k]) > 1]
    towards_inputs = [k for k in wide if k >= 1]
    towards_output = [k for k in reversed(wide) if k <= n_layers - 2]

    def sweep(layer_ids: list[int], neighbours: list[list[int]]) -> None:
        for k in layer_ids:
            members = layers[k]
            keys = []
            for r in members:
                nb = neighbours[r]
                if not nb:
                    keys.append(y[r])
                elif len(nb) == 1:
                    keys.append(y[nb[0]])
                else:
                    keys.append(sum([y[m] for m in nb]) / len(nb))
            members[:] = [members[j] for j in sorted(range(len(members)), key=keys.__getitem__)]
            _assign_slots(members, y)

    counter = _CrossingCounter(np.array(edges, dtype=np.int64), layer)
    best = counter.count(y)
    best_layers = [members.copy() for members in layers]
    for _ in range(ORDERING_SWEEPS):
        sweep(towards_inputs, succ)
        sweep(towards_output, pred)
        crossings = counter.count(y)
        if crossings < best:
            best = crossings
            best_layers = [members.copy() for members in layers]
    layers = best_layers
    for members in layers:
        _assign_slots(members, y)
    if len(edges) <= TRANSPOSE_MAX_EDGES:
        _transpose(layers, y, edges, layer)
    return np.array(y)


def _assign_slots(members: list[int], y: list[float]) -> None:
    offset = (len(members) - 1) / 2
    for slot, r in enumerate(members):
        y[r] = slot - offset


class _CrossingCounter:
    """Counts crossings of a layered drawing's straight edges for a given y of every row.

    Between two neighbouring layers every edge that spans the gap is a straight piece
    (a long edge is cut into one piece per gap, its y interpolated), and two pieces
    cross if and only if their order at the left end of the gap is the opposite of their
    order at the right end: the inversions of a sequence, counted by a merge sort that
    numpy runs a level at a time.  Exact, except for two long edges meeting exactly at a
    layer.  When long edges would make more than ``3 * edges`` pieces, the crossings
    they add are counted in a fixed random sample of the gaps and scaled up: an estimate.
    """

    def __init__(self, edges: np.ndarray, layer: np.ndarray) -> None:
        src, dst = edges[:, 0], edges[:, 1]
        top, bottom = layer[src], layer[dst]  # an edge spans the gaps left of layers bottom+1 .. top
        span = top - bottom
        long = np.flatnonzero(span > 1)
        long_pieces = int(span[long].sum())
        n_gaps = int(layer.max()) if len(layer) else 0
        if long_pieces <= 3 * len(edges):  # exact
            self.sets = [(1.0, self._pieces(edges, layer, np.arange(len(edges)), None))]
            return
        # gaps are named by the layer at their left end, 1 .. n_gaps
        chosen = np.random.default_rng(0).random(n_gaps + 1) < len(edges) / long_pieces
        chosen[0] = False
        sampled_gaps = np.flatnonzero(chosen)
        weight = n_gaps / max(1, len(sampled_gaps))
        short = np.flatnonzero(span == 1)
        sampled_short = short[chosen[top[short]]]
        both = np.concatenate([sampled_short, long])
        self.sets = [
            (1.0, self._pieces(edges, layer, short, None)),
            (weight, self._pieces(edges, layer, both, sampled_gaps)),
            (-weight, self._pieces(edges, layer, sampled_short, sampled_gaps)),
        ]

    @staticmethod
    def _pieces(edges: np.ndarray, layer: np.ndarray, which: np.ndarray, gaps: np.ndarray | None) -> tuple:
        """The pieces of edges ``which`` in every gap, or in ``gaps`` (sorted) only."""
        src, dst = edges[which, 0], edges[which, 1]
        top, bottom = layer[src], layer[dst]
        if gaps is None:
            first, count = bottom + 1, top - bottom
        else:
            first = np.searchsorted(gaps, bottom + 1)
            count = np.searchsorted(gaps, top + 1) - first
        edge = np.repeat(np.arange(len(which)), count)
        j = np.arange(len(edge)) - np.repeat(np.cumsum(count) - count, count) + first[edge]
        gap = j if gaps is None else gaps[j]  # the layer at the piece's left end
        span = (top - bottom)[edge].astype(float)
        step = top[edge] - gap
        return src[edge], dst[edge], step / span, (step + 1) / span, gap

    def count(self, y: list[float]) -> float:
        ya = np.array(y)
        total = 0.0
        for weight, (src, dst, left, right, gap) in self.sets:
            if len(src) < 2:
                continue
            ys, yd = ya[src], ya[dst]
            at_left = ys + (yd - ys) * left
            at_right = ys + (yd - ys) * right
            order = np.lexsort((at_right, at_left, gap))
            # pieces sorted by gap, then left end; an inversion of the right ends within a
            # gap is a crossing (ties at either end are not).  Ranks offset by gap keep
            # the gaps apart.
            rank = np.unique(at_right[order], return_inverse=True)[1].reshape(-1)
            gap_rank = np.unique(gap[order], return_inverse=True)[1].reshape(-1).astype(np.int64)
            total += weight * _inversions(gap_rank * (len(order) + 1) + rank)
        return total


_BLOCK = 16
_UPPER = np.triu(np.ones((_BLOCK, _BLOCK), dtype=bool), 1)


def _inversions(x: np.ndarray) -> int:
    """Pairs i < j with x[i] > x[j], in O(n log^2 n) numpy work.

    Blocks of 16 are counted by brute force, then a bottom-up merge sort: at each level
    a stable sort merges every pair of sorted runs at once (tagged by run), and a right
    element's position in its merged run says how many left elements are not above it.
    """
    n = len(x)
    if n < 2:
        return 0
    x = np.unique(x, return_inverse=True)[1].reshape(-1).astype(np.int64)
    pad = -n % _BLOCK
    if pad:  # padding larger than everything, at the end: no new inversions
        x = np.concatenate([x, np.full(pad, n, dtype=np.int64)])
    blocks = x.reshape(-1, _BLOCK)
    total = int(((blocks[:, :, None] > blocks[:, None, :]) & _UPPER).sum())
    x = np.sort(blocks, axis=1).reshape(-1)
    size = len(x)
    index = np.arange(size)
    width = _BLOCK
    while width < size:
        run = index // (2 * width)
        start = run * (2 * width)
        right = index - start >= width
        order = np.argsort((run * (n + 1) + x) * 2 + right, kind="stable")  # ties: left first
        merged = np.empty(size, dtype=np.int64)
        merged[order] = index
        r = np.flatnonzero(right)
        not_above = merged[r] - start[r] - (r - start[r] - width)
        total += int((width - not_above).sum())
        x = x[order]
        width *= 2
    return total


def _transpose(
    layers: list[list[int]], y: list[float], edges: list[tuple[int, int]], layer: np.ndarray
) -> None:
    """Swap neighbours within layers while that cuts the exact number of crossings.

    Swapping two neighbours exchanges their y and moves nothing else, so only the edges
    at the two nodes can gain or lose crossings, and only against edges overlapping them
    in x.  At most ``TRANSPOSE_PASSES`` passes and ``TRANSPOSE_BUDGET`` segment tests.
    """
    e = np.array(edges, dtype=np.int64)
    lo, hi = layer[e[:, 1]], layer[e[:, 0]]  # an edge covers layers lo..hi
    overlaps = (lo[:, None] < hi[None, :]) & (lo[None, :] < hi[:, None])
    np.fill_diagonal(overlaps, False)
    candidates = [np.flatnonzero(row).tolist() for row in overlaps]
    x = (-layer * LAYER_SPACING).tolist()
    incident: list[list[int]] = [[] for _ in range(len(y))]
    for k, (s, t) in enumerate(edges):
        incident[s].append(k)
        incident[t].append(k)
    budget = TRANSPOSE_BUDGET

    def crossings_at(group: list[int]) -> int:
        """Crossings with at least one edge in ``group``, each counted once."""
        nonlocal budget
        count = 0
        for a in group:
            s1, t1 = edges[a]
            x1, y1 = x[s1], y[s1]
            dx, dy = x[t1] - x1, y[t1] - y1
            cand = candidates[a]
            budget -= len(cand)
            for b in cand:
                if b < a and b in group:
                    continue
                s2, t2 = edges[b]
                x3, y3, x4, y4 = x[s2], y[s2], x[t2], y[t2]
                if (dx * (y3 - y1) - dy * (x3 - x1)) * (dx * (y4 - y1) - dy * (x4 - x1)) >= 0:
                    continue
                ex, ey = x4 - x3, y4 - y3
                if (ex * (y1 - y3) - ey * (x1 - x3)) * (ex * (y[t1] - y3) - ey * (x[t1] - x3)) < 0:
                    count += 1
        return count

    for _ in range(TRANSPOSE_PASSES):
        improved = False
        for members in layers:
            for j in range(len(members) - 1):
                if budget <= 0:
                    return
                u, v = members[j], members[j + 1]
                group = incident[u] + incident[v]
                before = crossings_at(group)
                if before == 0:
                    continue
                y[u], y[v] = y[v], y[u]
                if crossings_at(group) < before:
                    members[j], members[j + 1] = v, u
                    improved = True
                else:
                    y[u], y[v] = y[v], y[u]
        if not improved:
            break


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
