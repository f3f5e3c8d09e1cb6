"""Compact coordinates across the layers: each layer only as tall as its members need.

The ordering gives each layer's members an order (a slot); here they get coordinates.  A box
keeps a node gap from its neighbours, but a dummy (a long edge passing through the layer) is
only a line: it keeps ``EDGE_CLEAR`` from a box and ``EDGE_PITCH`` from another dummy, so
layers crowded with long edges stop setting the whole drawing's height.  Sweeps then pull
each node towards the mean of its neighbours in the layer before (a least-squares placement
that keeps the order and the separations: an isotonic regression, solved by pooling adjacent
violators), so edges run as straight as the room allows.  Positions depend on the structure
alone.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EDGE_CLEAR", "EDGE_PITCH", "compact_across"]

#: space between a box (or op circle) and an edge passing it, and between two passing edges
EDGE_CLEAR, EDGE_PITCH = 0.14, 0.2
#: sweeps towards the inputs and back, within a budget of row placements whatever the size
#: (a big graph gets fewer sweeps, the biggest the plain packing)
PLACE_SWEEPS, PLACE_BUDGET = 4, 8_000
#: a layer spreads over at most the room of the layers this close to it
BOUND_REACH = 1
#: a long edge's dummies weigh more, so long edges stay straight
DUMMY_WEIGHT = 2.0


def compact_across(slot: np.ndarray, layer: np.ndarray, size: np.ndarray, gap: float,
                   pieces: list[tuple[int, int]], line: np.ndarray) -> np.ndarray:
    """Coordinates across the layers for every row, in the order ``slot`` gives within each layer.

    ``size``: each row's extent across the layers (a dummy's: the spread of the repeated edges
    it carries, as a + a's two arrows); ``line``: the rows that are dummies; ``gap``: space
    between two nodes; ``pieces``: one-layer edges (source one layer further from the output).
    """
    rows = len(slot)
    if not rows:
        return np.zeros(0)
    order = np.lexsort((slot, layer))
    a, b = order[:-1], order[1:]
    same = layer[a] == layer[b]
    node_a, node_b = ~line[a], ~line[b]
    space = np.where(node_a & node_b, gap, np.where(node_a | node_b, EDGE_CLEAR, EDGE_PITCH))
    sep = np.where(same, (size[a] + size[b]) / 2 + space, 0.0)
    # packed: each layer from 0, then centred on 0
    offset = np.concatenate([[0.0], np.cumsum(sep)])
    first = np.r_[True, ~same]
    start = np.maximum.accumulate(np.where(first, np.arange(rows), 0))
    y = np.empty(rows)
    y[order] = offset - offset[start]
    n_layers = int(layer.max()) + 1
    tall = np.zeros(n_layers)
    np.maximum.at(tall, layer, y)
    y -= tall[layer] / 2
    passes = min(2 * PLACE_SWEEPS + 1, PLACE_BUDGET // (rows + n_layers))
    if passes < 2 or not pieces:
        return y
    # a layer may spread over the room its neighbours need anyway, no further: the drawing (and
    # each band of a folded one) stays as short as the plain packing
    extent = tall + (np.maximum.reduceat(size[order], np.flatnonzero(first)) if rows else 0)
    room = extent.copy()
    for k in range(1, BOUND_REACH + 1):
        room[k:] = np.maximum(room[k:], extent[:-k])
        room[:-k] = np.maximum(room[:-k], extent[k:])
    return _sweep(y, order, sep, layer, size, pieces, n_layers, passes, room, line)


def _sweep(y: np.ndarray, order: np.ndarray, sep: np.ndarray, layer: np.ndarray, size: np.ndarray,
           pieces: list[tuple[int, int]], n_layers: int, passes: int, room: np.ndarray,
           line: np.ndarray) -> np.ndarray:
    rows = len(y)
    succ: list[list[int]] = [[] for _ in range(rows)]  # towards the output
    pred: list[list[int]] = [[] for _ in range(rows)]
    for s, t in pieces:
        succ[s].append(t)
        pred[t].append(s)
    both = [a + b for a, b in zip(succ, pred, strict=True)]
    members: list[list[int]] = [[] for _ in range(n_layers)]
    shifts: list[list[float]] = [[] for _ in range(n_layers)]  # each member's offset from the first
    lay, sep_list = layer.tolist(), sep.tolist()
    for i, r in enumerate(order.tolist()):
        k = lay[r]
        shifts[k].append(shifts[k][-1] + sep_list[i - 1] if members[k] else 0.0)
        members[k].append(r)
    weight = np.where(line, DUMMY_WEIGHT, 1.0).tolist()
    sizes, half_room = size.tolist(), (room / 2).tolist()
    # the least and most a layer's first member's z (y - shift) may be, so the layer stays in its room
    bounds = [(-half_room[k] + sizes[ms[0]] / 2, half_room[k] - sizes[ms[-1]] / 2 - shifts[k][-1])
              if ms else (0.0, 0.0) for k, ms in enumerate(members)]
    ys = y.tolist()

    def place(k: int, neighbours: list[list[int]]) -> None:
        ms, lo, hi = members[k], *bounds[k]
        if len(ms) == 1:  # most layers of a chain: no order to keep
            r = ms[0]
            nb = neighbours[r]
            if nb:
                ys[r] = min(max(sum([ys[m] for m in nb]) / len(nb), lo), hi)
            return
        sh = shifts[k]
        z, w = [], []
        for r, s in zip(ms, sh, strict=True):
            nb = neighbours[r]
            if nb:
                z.append(sum([ys[m] for m in nb]) / len(nb) - s)
                w.append(weight[r] * len(nb))
            else:
                z.append(ys[r] - s)
                w.append(0.05)
        for r, v, s in zip(ms, _non_decreasing(z, w), sh, strict=True):
            ys[r] = s + min(max(v, lo), hi)

    for _ in range(passes // 2):
        for k in range(1, n_layers):  # towards the inputs: follow the layer nearer the output
            place(k, succ)
        for k in range(n_layers - 2, -1, -1):  # and back
            place(k, pred)
    if passes % 2:
        for k in range(n_layers):  # a last balancing pass: both sides
            place(k, both)
    return np.array(ys)


def _non_decreasing(z: list[float], w: list[float]) -> list[float]:
    """The non-decreasing sequence closest to ``z`` in weighted least squares (pool adjacent
    violators).  With z = y - (each member's offset from the first), it is the y closest to the
    targets that keeps the order and the separations."""
    means: list[float] = []
    weights: list[float] = []
    counts: list[int] = []
    for v, wi in zip(z, w, strict=True):
        means.append(v)
        weights.append(wi)
        counts.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            m2, w2, c2 = means.pop(), weights.pop(), counts.pop()
            w1 = weights[-1]
            means[-1] = (means[-1] * w1 + m2 * w2) / (w1 + w2)
            weights[-1] = w1 + w2
            counts[-1] += c2
    out: list[float] = []
    for m, c in zip(means, counts, strict=True):
        out.extend([m] * c)
    return out
