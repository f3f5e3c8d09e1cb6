"""Layered drawings of computation graphs: where each node goes, and where each edge runs.

Layers are anchored at the output (layer 0) and grow towards the inputs: a node's
layer is its longest path to the output (networkx's generations of the reversed graph).
Layering from the inputs instead would put every leaf, every weight of an MLP, in one
huge first column.

Edges never pass behind a box.  A layer is a column (a row of the drawing, top to
bottom) as wide as its widest node, with an empty gap between neighbouring columns.  An edge leaves
its source sideways, at the source's own height, crosses each gap in a straight line and
each column it spans at the height of a *dummy node*, a slot of its own in that column
(as layered drawings do), and enters its target sideways.  Inside a column an edge runs
only at its own slot's height, and slots are a row apart, so it touches no other box.
Edges that would need too many dummies run on *tracks* above every node instead.
``a + a`` draws two edges, bowed apart.  Within layers, barycentre sweeps and neighbour
swaps (bounded by work, not by size) cut edge crossings.

Rows: ``0 .. n-1`` are the value nodes in topological order; ``n ..`` are op nodes,
drawn between an op's operands and its result, as in micrograd's ``draw_dot``.
The ordering depends on the structure alone, so positions stay put while values change.
"""

from __future__ import annotations

import math

import numpy as np

from gradlab.collector import cyclic_gc_paused
from gradlab.layout.drawing import ARROW_LEAD, BOX_H, BOX_W, MAX_GROWTH, OP_D, Drawing
from gradlab.layout.fold import fold
from gradlab.layout.place import compact_across

__all__ = ["Layout", "layered_drawing"]

#: distance between slots of a left-to-right layer (a box is BOX_H tall)
SLOT_PITCH_LR = 0.86
#: distance between the tracks that carry the longest edges around the drawing
TRACK_GAP = 0.3
#: space between an op circle and the box it makes (its arrow)
OP_GAP = 0.2
#: empty space between neighbouring columns, and between slots of a top-to-bottom layer
LAYER_GAP = 0.34
SLOT_GAP_TB = 0.3
#: kept for callers that want a nominal distance between layers
LAYER_SPACING = 1.3
#: barycentre sweeps (each one down and one up) that reorder nodes within layers; 0: none
ORDERING_SWEEPS = 4
#: segment-pair tests the neighbour-swapping pass may spend, whatever the graph's size
TRANSPOSE_PASSES = 6
TRANSPOSE_BUDGET = 150_000
#: edges spanning more layers than this (in a graph that can fold, FOLD_DUMMY_SPAN: tracks
#: would stop it folding), and the longest edges once the dummies in all would pass the
#: budget, run on tracks above the drawing
MAX_DUMMY_SPAN, FOLD_DUMMY_SPAN = 16, 40
DUMMY_BUDGET_PER_ROW = 2
MIN_DUMMY_BUDGET = 400
#: how far apart the copies of a repeated edge (a + a) leave and enter, and bow in the gap
REPEAT_OFFSET = 0.14
REPEAT_BOW = 2.2
#: the gap a repeated edge leaves its source by, so its copies have room to bow apart
REPEAT_GAP = 0.8
#: a top-to-bottom drawing is chosen only when it fits the view this much larger
TB_ADVANTAGE = 1.1
#: a left-to-right drawing may fold into up to MAX_BANDS bands (graphs up to MAX_FOLD_ROWS
#: rows), when that fits the view FOLD_ADVANTAGE times larger than the best unfolded one
MAX_BANDS, MAX_FOLD_ROWS, FOLD_ADVANTAGE = 4, 400, 1.15


def layered_drawing(parents: list[tuple[int, ...]], op_row: np.ndarray,
                    aspect: float | None = None) -> Drawing:
    """The drawing of a graph given by its values' parents (topological order, output last).

    ``aspect``: the view's width / height; the orientation that fills it best is chosen
    (None: left to right, as micrograd's ``draw_dot``).
    """
    return Layout(parents, op_row).drawing(aspect)


class Layout:
    """The orientation-free part of a layered drawing (layers, dummies, order, tracks), computed once.

    ``drawing(aspect)`` turns it into coordinates for a view of that shape.
    """

    def __init__(self, parents: list[tuple[int, ...]], op_row: np.ndarray) -> None:
        with cyclic_gc_paused():  # the lists built here hold no reference cycles
            self._build(parents, op_row)
        self._cache: dict[str, Drawing] = {}

    def _build(self, parents: list[tuple[int, ...]], op_row: np.ndarray) -> None:
        n = len(parents)
        rows = n + int((op_row >= 0).sum())
        self.n, self.rows = n, rows
        self.is_op = np.zeros(rows, dtype=bool)
        self.is_op[n:] = True
        value_index = np.empty(rows, dtype=np.int64)
        value_index[:n] = np.arange(n)
        has_op = np.flatnonzero(op_row >= 0)
        value_index[op_row[has_op]] = has_op
        self.value_index = value_index
        edges: list[tuple[int, int]] = []
        for i in has_op.tolist():
            o = int(op_row[i])
            edges.append((o, i))
            edges.extend((p, o) for p in parents[i])
        for i in np.flatnonzero(op_row < 0).tolist():  # a node drawn without an op (a collapsed
            edges.extend((p, i) for p in parents[i])  # call, gradlab.call_groups): straight in
        self.edges = np.array(edges, dtype=np.int64).reshape(-1, 2)
        self.layer = _layers_from_output(rows, parents, op_row)
        self._plan_edges()
        self._order()

    # -- edges: straight, through dummies, or on tracks ------------------------------------------

    def _plan_edges(self) -> None:
        """Give every long edge a dummy per column it spans, shortest first, within a budget."""
        layer, rows = self.layer, self.rows
        copies: dict[tuple[int, int], int] = {}  # an operand used twice (a + a): two copies
        for e in map(tuple, self.edges.tolist()):
            copies[e] = copies.get(e, 0) + 1
        unique = list(copies)
        self.repeated = [e for e, c in copies.items() if c > 1]
        span = {e: int(layer[e[0]] - layer[e[1]]) for e in unique}
        budget = max(MIN_DUMMY_BUDGET, DUMMY_BUDGET_PER_ROW * rows)
        max_span = FOLD_DUMMY_SPAN if rows <= MAX_FOLD_ROWS else MAX_DUMMY_SPAN
        self.chain: dict[tuple[int, int], list[int]] = {}  # long edge -> its dummy rows, source side first
        self.tracked: list[tuple[int, int]] = []
        dummy_layer: list[int] = []
        for e in sorted((e for e in unique if span[e] > 1), key=span.__getitem__):
            need = span[e] - 1
            if need > budget or span[e] > max_span:
                self.tracked.append(e)
                continue
            budget -= need
            start = rows + len(dummy_layer)
            top = int(layer[e[0]])
            dummy_layer.extend(range(top - 1, top - 1 - need, -1))
            self.chain[e] = list(range(start, start + need))
        self.all_rows = rows + len(dummy_layer)
        # how far apart a dummy's edges run (in REPEAT_OFFSET pitches): 0 but for repeated edges
        self.dummy_spread = np.zeros(len(dummy_layer))
        for e, chain in self.chain.items():
            self.dummy_spread[np.array(chain) - rows] = copies[e] - 1
        self.full_layer = np.concatenate([layer, np.array(dummy_layer, dtype=np.int64)])
        # the edges the ordering sees: every unique edge cut into one-layer pieces (tracks left out)
        pieces: list[tuple[int, int]] = []
        for e in unique:
            if e in self.chain:
                path = [e[0], *self.chain[e], e[1]]
                pieces.extend(zip(path[:-1], path[1:], strict=False))
            elif span[e] == 1:
                pieces.append(e)
        # an op shares its result's slot: the ordering sees an edge into an op as one into the result
        self.member = np.arange(self.all_rows)
        self.member[self.n:rows] = self.value_index[self.n:rows]
        member = self.member
        self.pieces = [(s, int(member[t])) for s, t in pieces]

    # -- order within layers --------------------------------------------------------------------

    def _order(self) -> None:
        """A slot for every row (dummies included): see ``_order_within_layers``."""
        rows, layer = self.all_rows, self.full_layer
        pred_all: list[list[int]] = [[] for _ in range(rows)]
        for s, t in self.pieces:
            pred_all[t].append(s)
        for s, t in self.tracked:  # only so that depth-first discovery reaches every row
            pred_all[int(self.member[t])].append(s)
        ordered = self.member == np.arange(rows)  # ops take their results' slots
        self.slot = _order_within_layers(rows, self.pieces, pred_all, layer, self.n, ordered)
        self.slot = self.slot[self.member]
        self.track_of: dict[int, int] = {}  # a tracked edge's source row -> its track (0 nearest)
        self._assign_tracks()

    def _assign_tracks(self) -> None:
        """Tracked edges of one source share a track (a bus); sources whose spans overlap do not."""
        spans: dict[int, list[int]] = {}
        for s, t in self.tracked:
            lo = int(self.layer[t])
            if s in spans:
                spans[s][1] = min(spans[s][1], lo)
            else:
                spans[s] = [int(self.layer[s]), lo]
        ends: list[int] = []  # each track's rightmost (lowest) layer so far
        for s, (hi, lo) in sorted(spans.items(), key=lambda kv: -kv[1][0]):
            for k, end in enumerate(ends):
                if end > hi:
                    ends[k] = lo
                    self.track_of[s] = k
                    break
            else:
                self.track_of[s] = len(ends)
                ends.append(lo)

    # -- coordinates ------------------------------------------------------------------------------

    def drawing(self, aspect: float | None = None, orientation: str | None = None,
                room: tuple[float, float] | None = None) -> Drawing:
        """Coordinates for a view of ``aspect`` = width / height (None: left to right), or in
        the given ``orientation`` ("LR" or "TB").

        ``room``: the view's width and height in drawing units at a comfortable text size.  The
        first of left to right, top to bottom, 2, 3 and 4 bands that fits in it whole is taken
        (the fewer the bends, the more it reads like draw_dot); when none does, the one that
        fills the view's shape best."""
        if orientation is not None:
            if orientation not in ("LR", "TB"):
                raise ValueError(f"orientation must be 'LR' or 'TB', not {orientation!r}")
            return self._place(orientation)
        if aspect is None or not math.isfinite(aspect) or aspect <= 0:
            return self._place("LR")
        lr, tb = self._place("LR"), self._place("TB")

        def fit(d: Drawing) -> float:
            x0, y0, x1, y1 = d.extent()
            return min(aspect / max(x1 - x0, 1e-9), 1.0 / max(y1 - y0, 1e-9))

        if room is not None:
            enough = 1.0 / max(room[1], 1e-9)  # fit() of a drawing just as tall as the room
            for d in (lr, tb, *map(self._folded, range(2, MAX_BANDS + 1))):
                if d is not None and fit(d) >= enough:
                    return d

        best = tb if fit(tb) > TB_ADVANTAGE * fit(lr) else lr
        # a long drawing in a squarer view: fold it, into the number of bands that fits best
        folds = [d for d in map(self._folded, range(2, MAX_BANDS + 1)) if d is not None]
        folded = max(folds, key=fit, default=None)
        return folded if folded is not None and fit(folded) > FOLD_ADVANTAGE * fit(best) else best

    def _folded(self, bands: int) -> Drawing | None:
        key = f"LR/{bands}"
        if key not in self._cache:
            self._cache[key] = fold(self, bands) if self.rows <= MAX_FOLD_ROWS else None
        return self._cache[key]

    def _place(self, orientation: str) -> Drawing:
        cached = self._cache.get(orientation)
        if cached is not None:
            return cached
        lr = orientation == "LR"
        rows, layer = self.rows, self.full_layer
        n_layers = int(layer.max()) + 1 if len(layer) else 0
        # a column holds its boxes at its far end (data flows towards it) and, before them,
        # the op circles that make them: each column is as long as a box, plus an op and its arrow
        box = (BOX_W if lr else BOX_H) * MAX_GROWTH
        has_op = np.zeros(max(n_layers, 1), dtype=bool)
        has_op[layer[self.n:rows]] = True
        width = (box + has_op * (OP_GAP + OP_D)) / 2  # half of each column's length
        gap = np.full(max(n_layers - 1, 0), LAYER_GAP)  # gap k: between layers k and k + 1
        for s, _t in self.repeated:  # a + a's two arrows bow apart in the gap they leave by
            gap[layer[s] - 1] = REPEAT_GAP
        centre = -np.concatenate([[0.0], np.cumsum(width[:-1] + gap + width[1:])])
        pitch = SLOT_PITCH_LR if lr else BOX_W * MAX_GROWTH + SLOT_GAP_TB
        size = np.zeros(self.all_rows)  # extent across the layers (dummies: their edges' spread)
        size[:rows] = np.where(self.is_op, OP_D, (BOX_H if lr else BOX_W) * MAX_GROWTH)
        size[rows:] = self.dummy_spread * REPEAT_OFFSET * pitch
        members = np.flatnonzero(self.member == np.arange(self.all_rows))
        index = np.full(self.all_rows, -1)
        index[members] = np.arange(len(members))
        across = compact_across(self.slot[members], layer[members], size[members],
                                pitch - (BOX_H if lr else BOX_W) * MAX_GROWTH,
                                [(int(index[s]), int(index[t])) for s, t in self.pieces],
                                members >= rows)[index[self.member]]
        if self.n:
            across -= across[self.n - 1]  # the output at 0 across, as at 0 along
        along = centre[layer]  # along: layer axis, output at 0 (dummies: the column's middle)
        along[:self.n] += width[layer[:self.n]] - box / 2
        along[self.n:rows] -= width[layer[self.n:rows]] - OP_D / 2
        # tracks alternate above and below every node, nearest first
        k = np.array(sorted(set(self.track_of.values())), dtype=np.int64)
        lo, hi = (across - size / 2).min(), (across + size / 2).max()
        track = np.where(k % 2 == 0, lo - TRACK_GAP * (1 + k // 2), hi + TRACK_GAP * (1 + k // 2))
        self.track_across = dict(zip(k.tolist(), track.tolist(), strict=True))

        def xy(a, c) -> np.ndarray:
            return np.column_stack([a, c] if lr else [c, a])

        route, starts, point_layer = self._routes(along, across, centre, width, pitch)
        if lr:
            self._unfolded = (centre, width, route, starts, point_layer, across)
        d = Drawing(pos=xy(along[:rows], across[:rows]), is_op=self.is_op, value_index=self.value_index,
                    edges=self.edges, layer=self.layer, route=xy(route[:, 0], route[:, 1]),
                    route_start=starts, orientation=orientation)
        self._cache[orientation] = d
        return d

    def _routes(self, along, across, centre, width, pitch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every edge's polyline in (layer axis, slot axis) coordinates, built in numpy.

        Points of an edge, in order: the source's centre; its exit at the source column's
        edge; a bow (repeated edges only); a pair of points (entering, leaving) for each
        column it crosses, at a dummy's height or at its track's; a point ``ARROW_LEAD``
        before the target column and the entry to it, so the arrowhead lies straight; the
        target's centre.
        """
        layer = self.full_layer
        e = self.edges
        m = len(e)
        src, dst = e[:, 0], e[:, 1]
        ls, lt = layer[src], layer[dst]
        off = _repeat_offsets(src * self.all_rows + dst, pitch)
        st_edge, st_j, st_in, st_out, st_y, st_layer = self._stations(centre - width, centre + width,
                                                                      across, off)
        bow = np.flatnonzero(off != 0)
        big = 2 * (len(st_edge) + 4)
        x = np.flatnonzero(ls != lt)  # edges between columns (an op's arrow stays in its own)
        parts = [  # (edge, order, along, across, the layer whose column the point belongs to)
            (np.arange(m), np.zeros(m), along[src], across[src], ls),
            (x, np.ones(len(x)), centre[ls[x]] + width[ls[x]], across[src[x]] + off[x], ls[x]),
            (st_edge, 3 + 2 * st_j, st_in, st_y, st_layer),
            (st_edge, 4 + 2 * st_j, st_out, st_y, st_layer),
            (x, np.full(len(x), big - 1), centre[lt[x]] - width[lt[x]] - ARROW_LEAD, across[dst[x]] + off[x],
             lt[x]),
            (x, np.full(len(x), big), centre[lt[x]] - width[lt[x]], across[dst[x]] + off[x], lt[x]),
            (np.arange(m), np.full(m, big + 1), along[dst], across[dst], lt),
            (bow, np.full(len(bow), 2), np.zeros(len(bow)), np.zeros(len(bow)), ls[bow]),
        ]
        edge_of = np.concatenate([p[0] for p in parts]).astype(np.int64)
        rank_in_edge = np.concatenate([p[1] for p in parts])
        pts = np.column_stack([np.concatenate([p[2] for p in parts]), np.concatenate([p[3] for p in parts])])
        order = np.lexsort((rank_in_edge, edge_of))
        pts, kind = pts[order], rank_in_edge[order]
        point_layer = np.concatenate([p[4] for p in parts]).astype(np.int64)[order]
        at = np.flatnonzero(kind == 2)  # a bow: midway between its neighbours, pushed out
        if len(at):
            pts[at] = (pts[at - 1] + pts[at + 1]) / 2
            pts[at, 1] += off[edge_of[order][at]] * REPEAT_BOW
        starts = np.r_[0, np.cumsum(np.bincount(edge_of, minlength=m))]
        return pts, starts.astype(np.int64), point_layer

    def _stations(self, left: np.ndarray, right: np.ndarray, across: np.ndarray,
                  off: np.ndarray) -> tuple[np.ndarray, ...]:
        """Where edges cross the columns between their ends: (edge, j, enter along, leave along,
        across, layer) arrays, one entry for each dummy of a long edge (its j-th) and one for a
        tracked edge's run along its track."""
        st_edge: list[int] = []
        st_j: list[int] = []
        st_in: list[float] = []
        st_out: list[float] = []
        st_y: list[float] = []
        st_layer: list[int] = []
        left, right = left.tolist(), right.tolist()
        acr, lay = across.tolist(), self.full_layer.tolist()
        for k, (s, t) in enumerate(self.edges.tolist()):
            chain = self.chain.get((s, t))
            if chain:
                for j, d in enumerate(chain):
                    st_edge.append(k)
                    st_j.append(j)
                    st_in.append(left[lay[d]])
                    st_out.append(right[lay[d]])
                    st_y.append(acr[d])
                    st_layer.append(lay[d])
            elif s in self.track_of and lay[s] - lay[t] > 1:
                st_edge.append(k)
                st_j.append(0)
                st_in.append(left[lay[s] - 1])
                st_out.append(right[lay[t] + 1])
                st_y.append(np.nan)  # the track's height, below
                st_layer.append(lay[s] - 1)
        st_edge_a = np.array(st_edge, dtype=np.int64)
        st_y_a = np.array(st_y, dtype=float)
        tracked = np.isnan(st_y_a)
        if tracked.any():
            track_y = {s: self.track_across[k] for s, k in self.track_of.items()}
            st_y_a[tracked] = [track_y[int(s)] for s in self.edges[st_edge_a[tracked], 0]]
        else:
            st_y_a[tracked] = 0.0
        st_y_a[~tracked] += off[st_edge_a[~tracked]]
        return (st_edge_a, np.array(st_j), np.array(st_in), np.array(st_out), st_y_a,
                np.array(st_layer, dtype=np.int64))


def _repeat_offsets(key: np.ndarray, pitch: float) -> np.ndarray:
    """Each edge's offset across: the k-th copy of a repeated edge (same ``key``, source and
    target) sits at (k - (copies - 1) / 2) * REPEAT_OFFSET * pitch; a single edge at 0."""
    m = len(key)
    order = np.argsort(key, kind="stable")
    first = np.r_[True, key[order][1:] != key[order][:-1]] if m else np.zeros(0, dtype=bool)
    group = np.cumsum(first) - 1
    copies = np.bincount(group)[group] if m else np.zeros(0, dtype=np.int64)
    rank = np.arange(m) - np.flatnonzero(first)[group] if m else np.zeros(0, dtype=np.int64)
    off = np.empty(m)
    off[order] = (rank - (copies - 1) / 2) * REPEAT_OFFSET * pitch
    return off


def _layers_from_output(rows: int, parents: list[tuple[int, ...]], op_row: np.ndarray) -> np.ndarray:
    """Each row's layer: its value's longest path to the output, an op in its result's layer
    (values come in topological order, so walking them backwards settles every node before
    its operands)."""
    layer = [0] * rows
    ops = op_row.tolist()
    for i in range(len(parents) - 1, -1, -1):
        o = ops[i]
        if o >= 0:
            layer[o] = layer[i]
        for p in parents[i]:
            if layer[p] <= layer[i]:
                layer[p] = layer[i] + 1
    return np.array(layer, dtype=np.int64)


def _order_within_layers(rows: int, edges: list[tuple[int, int]], pred_all: list[list[int]],
                         layer: np.ndarray, n: int, ordered: np.ndarray) -> np.ndarray:
    """A slot for every row: centred per layer, ordered to cut edge crossings.

    ``edges`` span one layer each (long edges already cut at their dummies).

    1. Depth-first order from the output, operands in argument order, so a program's
       reading order shows from top to bottom.
    2. Barycentre sweeps (each one towards the inputs, then back), keeping the best
       ordering seen (the plain order included), so sweeping does not make a drawing
       worse.  Crossings are counted by ``_CrossingCounter`` in O(E log^2 E).
    3. Swaps of neighbours in a layer, each kept only if it cuts the exact number of
       crossings, within a fixed amount of work (``TRANSPOSE_BUDGET``) whatever the size.

    ``ORDERING_SWEEPS = 0`` skips 2 and 3.
    """
    layers = _reading_order(rows, pred_all, layer, n, ordered)
    y = [0.0] * rows  # a list: indexing it from Python is several times faster than an array
    for members in layers:
        _assign_slots(members, y)
    if ORDERING_SWEEPS <= 0 or rows < 3 or not edges:
        return np.array(y)
    layers = _swept(layers, y, edges, layer)
    for members in layers:
        _assign_slots(members, y)
    _transpose(layers, y, edges, layer)
    return np.array(y)


def _reading_order(rows: int, pred_all: list[list[int]], layer: np.ndarray, n: int,
                   ordered: np.ndarray) -> list[list[int]]:
    """Each layer's rows in depth-first order from the output (operands in argument order),
    rows the output does not reach after them in ``ordered``'s order."""
    seen = [False] * rows
    discovery: list[int] = []
    stack = [n - 1] if n else []
    while stack:
        r = stack.pop()
        if seen[r]:
            continue
        seen[r] = True
        discovery.append(r)
        stack.extend(reversed(pred_all[r]))
    discovery.extend(r for r in np.flatnonzero(ordered).tolist() if not seen[r])
    n_layers = int(layer.max()) + 1 if rows else 0
    layers: list[list[int]] = [[] for _ in range(n_layers)]
    for r in discovery:
        layers[layer[r]].append(r)
    return layers


def _swept(layers: list[list[int]], y: list[float], edges: list[tuple[int, int]],
           layer: np.ndarray) -> list[list[int]]:
    """The layers after barycentre sweeps, up to ``ORDERING_SWEEPS`` of them: the ordering
    with the fewest crossings seen (the given one included).  ``y`` is left as the last sweep
    set it."""
    rows, n_layers = len(y), len(layers)
    succ: list[list[int]] = [[] for _ in range(rows)]
    pred: list[list[int]] = [[] for _ in range(rows)]
    for s, t in edges:
        succ[s].append(t)
        pred[t].append(s)
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
        if best == 0:
            break
        sweep(towards_inputs, succ)
        sweep(towards_output, pred)
        crossings = counter.count(y)
        if crossings >= best:
            break  # sweeping has stopped helping
        best = crossings
        best_layers = [members.copy() for members in layers]
    return best_layers


def _assign_slots(members: list[int], y: list[float]) -> None:
    offset = (len(members) - 1) / 2
    for slot, r in enumerate(members):
        y[r] = slot - offset


class _CrossingCounter:
    """Counts crossings of a layered drawing's straight edges for a given y of every row.

    Between two neighbouring layers every edge that spans the gap is a straight piece
    (a long edge is cut into one piece per gap, its y interpolated; the layout hands it
    one-layer pieces only), and two pieces cross if and only if their order at the left
    end of the gap is the opposite of their order at the right end: the inversions of a
    sequence, counted by a merge sort that numpy runs a level at a time.  Exact, except
    for two long edges meeting exactly at a layer.
    """

    def __init__(self, edges: np.ndarray, layer: np.ndarray) -> None:
        self.sets = [(1.0, self._pieces(edges, layer, np.arange(len(edges)), None))]

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


def _transpose(layers: list[list[int]], y: list[float], edges: list[tuple[int, int]],
               layer: np.ndarray) -> None:
    """Swap neighbours within layers while that cuts the exact number of crossings.

    Every edge spans one gap, so two edges can cross only in the same gap, and they do
    when their ends are in opposite orders.  Swapping two neighbours exchanges their y
    and moves nothing else, so only the edges at the two nodes can gain or lose
    crossings.  At most ``TRANSPOSE_PASSES`` passes and ``TRANSPOSE_BUDGET`` pair tests:
    the work is bounded whatever the graph's size (big graphs get the sweeps only).
    """
    in_gap: dict[int, list[int]] = {}
    for k, (s, _t) in enumerate(edges):
        in_gap.setdefault(int(layer[s]), []).append(k)
    gap_of = [int(layer[s]) for s, _t in edges]
    incident: list[list[int]] = [[] for _ in range(len(y))]
    for k, (s, t) in enumerate(edges):
        incident[s].append(k)
        incident[t].append(k)
    budget = TRANSPOSE_BUDGET

    def crossings_at(group: list[int]) -> int:
        """Crossings with at least one edge in ``group``, each counted once."""
        nonlocal budget
        count = 0
        members = set(group)
        for a in group:
            s1, t1 = edges[a]
            ys, yt = y[s1], y[t1]
            others = in_gap[gap_of[a]]
            budget -= len(others)
            for b in others:
                if b in members and b <= a:
                    continue
                s2, t2 = edges[b]
                if (y[s2] - ys) * (y[t2] - yt) < 0:
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
