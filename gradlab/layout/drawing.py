"""A layered drawing: where each node of a computation graph goes and where each edge runs.

``Drawing`` is what every layout produces (``gradlab.layout.layers``, folded by
``gradlab.layout.fold``) and what the canvas paints; the dimensions here are the boxes' own.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from gradlab.layout.edges import EdgeLines, edge_lines

#: a value box and an op circle, in drawing units;
#: MAX_GROWTH: the most a view may scale a box up, so the gaps stay clear
BOX_W, BOX_H, OP_D = 0.96, 0.64, 0.44
MAX_GROWTH = 1.0
#: every edge enters its target straight for this long, so an arrowhead lies along it
ARROW_LEAD = 0.22


@dataclass(frozen=True)
class Drawing:
    """A layered drawing: positions of every row and the route of every edge."""

    pos: np.ndarray  # (rows, 2) float: node centres
    is_op: np.ndarray  # (rows,) bool
    value_index: np.ndarray  # (rows,) int: the value a row shows (an op row shows its result's op)
    edges: np.ndarray  # (edges, 2) int: (source row, target row), data flowing source -> target;
    #                    an operand used twice (a + a) gives two edges
    layer: np.ndarray  # (rows,) int: 0 is the output's layer, growing towards the inputs
    route: np.ndarray  # (points, 2) float: every edge's polyline, centre to centre
    route_start: np.ndarray  # (edges + 1,) int: edge k runs through route[route_start[k]:route_start[k+1]]
    orientation: str = "LR"  # "LR": data flows left to right; "TB": top to bottom
    bands: int = 1  # a left-to-right drawing folded into this many bands, read top to bottom

    def routes(self):
        """Each edge's polyline, as an array of points."""
        for k in range(len(self.edges)):
            yield self.route[self.route_start[k]:self.route_start[k + 1]]

    def segments(self) -> tuple[np.ndarray, np.ndarray]:
        """Every straight piece of every route: (m, 4) rows of x1, y1, x2, y2, and each piece's edge."""
        if not len(self.route):
            return np.zeros((0, 4)), np.zeros(0, dtype=np.int64)
        counts = np.diff(self.route_start)
        edge = np.repeat(np.arange(len(self.edges)), np.maximum(counts - 1, 0))
        first = np.ones(len(self.route), dtype=bool)
        first[self.route_start[1:] - 1] = False  # a piece starts at every point but an edge's last
        starts = np.flatnonzero(first)
        return np.hstack([self.route[starts], self.route[starts + 1]]), edge

    def half_sizes(self) -> np.ndarray:
        """(rows, 2): every node's half width and half height at its largest (``MAX_GROWTH``)."""
        box = np.array([BOX_W, BOX_H]) * MAX_GROWTH / 2
        return np.where(self.is_op[:, None], OP_D / 2, box)

    @functools.cached_property
    def edge_lines(self) -> EdgeLines:
        """The edges as a view draws them: see ``gradlab.layout.edges`` (computed once)."""
        return edge_lines(self)

    def extent(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of every node and route point."""
        return self._extent

    @functools.cached_property
    def _extent(self) -> tuple[float, float, float, float]:  # a drawing never changes: measured once
        if not len(self.pos):
            return 0.0, 0.0, 0.0, 0.0
        half = self.half_sizes()
        lo, hi = (self.pos - half).min(axis=0), (self.pos + half).max(axis=0)
        if len(self.route):
            lo, hi = np.minimum(lo, self.route.min(axis=0)), np.maximum(hi, self.route.max(axis=0))
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def count_crossings(drawing: Drawing) -> int:
    """Pairs of edges whose routes cross (O(segments^2) numpy work: for tests and small graphs)."""
    segs, edge = drawing.segments()
    return len(crossing_pairs(segs, edge))


def crossing_pairs(segs: np.ndarray, owner: np.ndarray) -> set[tuple[int, int]]:
    """Pairs (i < j) of owners with segments that cross strictly (touching at an end is not)."""
    pairs: set[tuple[int, int]] = set()
    p1, p2 = segs[:, None, :2], segs[:, None, 2:]
    for lo in range(0, len(segs), 512):
        q1, q2 = segs[None, lo:lo + 512, :2], segs[None, lo:lo + 512, 2:]
        d1, d2 = _orient(q1, q2, p1), _orient(q1, q2, p2)
        d3, d4 = _orient(p1, p2, q1), _orient(p1, p2, q2)
        hit = (d1 * d2 < 0) & (d3 * d4 < 0)
        a, b = np.nonzero(hit)
        for i, j in zip(owner[a].tolist(), owner[b + lo].tolist(), strict=True):
            if i != j:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _orient(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    ab, ac = b - a, c - a
    return ab[..., 0] * ac[..., 1] - ab[..., 1] * ac[..., 0]


def _segments_cross(x1, y1, x2, y2, x3, y3, x4, y4) -> bool:
    def orient(ax, ay, bx, by, cx, cy) -> float:
        return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)

    d1 = orient(x3, y3, x4, y4, x1, y1)
    d2 = orient(x3, y3, x4, y4, x2, y2)
    d3 = orient(x1, y1, x2, y2, x3, y3)
    d4 = orient(x1, y1, x2, y2, x4, y4)
    # strict crossings only: edges meeting at a shared node do not count
    return d1 * d2 < 0 and d3 * d4 < 0 and not math.isnan(d1 * d2 * d3 * d4)
