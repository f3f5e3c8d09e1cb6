"""Layered drawings of computation graphs: where each node goes, and how edges cross.

Layers are anchored at the output (layer 0) and grow towards the inputs: a node's
layer is its longest path to the output: networkx's generations of the reversed graph.
Layering from the inputs instead would put every leaf, every weight of an MLP,
in one huge first column.  Within layers, barycentre sweeps and neighbour swaps
cut edge crossings.  The drawing depends on the structure alone, so positions
stay put while values change.

Rows: ``0 .. n-1`` are the value nodes in topological order; ``n ..`` are op nodes,
drawn between an op's operands and its result, as in micrograd's ``draw_dot``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

__all__ = ["Drawing", "count_crossings", "layered_drawing"]

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


def layered_drawing(parents: list[tuple[int, ...]], op_row: np.ndarray) -> Drawing:
    """The drawing of a graph given by its values' parents (topological order, output last).

    Layers anchored at the output, then a few barycentre sweeps to cut crossings.
    """
    n = len(parents)
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
        for p in dict.fromkeys(parents[i]):  # a + a: one drawn edge
            edges.append((p, o))

    layer = _layers_from_output(rows, edges)
    order = _order_within_layers(rows, edges, layer, n)
    pos = np.zeros((rows, 2))
    pos[:, 0] = -layer * LAYER_SPACING
    pos[:, 1] = order
    return Drawing(pos=pos, is_op=is_op, value_index=value_index,
                   edges=np.array(edges, dtype=np.int64).reshape(-1, 2), layer=layer)


def _layers_from_output(rows: int, edges: list[tuple[int, int]]) -> np.ndarray:
    """Each row's layer: its longest path to the output, the generations of the reversed graph."""
    flow = nx.DiGraph()
    flow.add_nodes_from(range(rows))
    flow.add_edges_from(edges)
    layer = np.zeros(rows, dtype=np.int64)
    for k, generation in enumerate(nx.topological_generations(flow.reverse(copy=False))):
        layer[generation] = k
    return layer


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
