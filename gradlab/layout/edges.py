"""What a view draws of a drawing's edges: its routes clipped to the node outlines, and arrowheads.

Pure numpy on a :class:`~gradlab.layout.Drawing` (no Qt), so that a worker thread can compute it
with the layout and the window only hands the arrays to its items.  An edge starts at its
source's outline; its line ends inside its arrowhead, whose tip touches the box or circle it
enters.  The copies of a repeated edge (``a + a``) enter their target off centre: they go on
straight, in their lead-in's direction, to the outline, rather than bend towards the centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ARROW", "NO_EDGES", "EdgeLines", "edge_lines"]

#: an arrowhead's length, in drawing units
ARROW = 0.2


@dataclass(frozen=True)
class EdgeLines:
    segments: np.ndarray  # (m, 4): x1, y1, x2, y2 of every piece of every edge, clipped
    owner: np.ndarray  # (m,): the edge each piece belongs to
    arrow_at: np.ndarray  # (edges, 2): each arrowhead's centre
    arrow_angle: np.ndarray  # (edges,): the direction each arrowhead points, degrees (y down)


NO_EDGES = EdgeLines(np.zeros((0, 4)), np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.zeros(0))


def edge_lines(d) -> EdgeLines:
    """The clipped segments and arrowheads of drawing ``d``'s edges."""
    e = d.edges
    if not len(e):
        return NO_EDGES
    seg, owner = d.segments()
    seg = seg.copy()
    half, is_op, pos = d.half_sizes(), d.is_op, d.pos
    first = d.route_start[:-1] - np.arange(len(e))  # each edge's first segment
    last = d.route_start[1:] - np.arange(len(e)) - 2

    def unit(rows: np.ndarray) -> np.ndarray:
        u = seg[rows, 2:] - seg[rows, :2]
        return u / np.maximum(np.hypot(u[:, 0], u[:, 1]), 1e-9)[:, None]

    def reach(rows: np.ndarray, u: np.ndarray) -> np.ndarray:  # from a centre to the outline along u
        du = np.maximum(np.abs(u), 1e-9)
        hx, hy = half[rows].T
        return np.where(is_op[rows], hx, np.minimum(hx / du[:, 0], hy / du[:, 1]))

    u0 = unit(first)
    length = np.hypot(*(seg[first, 2:] - seg[first, :2]).T)
    seg[first, :2] += u0 * np.minimum(reach(e[:, 0], u0), length)[:, None]
    u1 = unit(last)
    tip = seg[last, 2:] - u1 * (reach(e[:, 1], u1) + 0.01)[:, None]
    lead = np.flatnonzero(last > first)  # edges of more than one segment: a lead-in before the last
    _enter_straight(seg, last[lead], lead, u1, tip, pos, half, is_op, e)
    seg[last, 2:] = tip - u1 * ARROW * 0.6  # the line ends inside its arrowhead
    angle = np.degrees(np.arctan2(u1[:, 1], u1[:, 0]))
    return EdgeLines(seg, owner, tip - u1 * ARROW / 2, angle)


def _enter_straight(seg, rows, lead, u1, tip, pos, half, is_op, e) -> None:
    """Edges ``lead`` (last segments ``rows``) that enter their target off centre go on
    straight from their lead-in's start to its outline: ``u1``, ``tip`` and the two segments
    change in place (the last one shrinks to a point)."""
    start = seg[rows - 1, :2]
    f = seg[rows - 1, 2:] - start
    f /= np.maximum(np.hypot(f[:, 0], f[:, 1]), 1e-9)[:, None]
    target = e[lead, 1]
    to_centre = pos[target] - start
    lateral = f[:, 0] * to_centre[:, 1] - f[:, 1] * to_centre[:, 0]
    hx, hy = half[target].T
    flow_x = np.abs(f[:, 0]) > np.abs(f[:, 1])
    across_half = np.where(is_op[target] | ~flow_x, hx, hy)
    bent = np.flatnonzero((np.abs(lateral) > 1e-6) & (np.abs(lateral) < 0.9 * across_half))
    if not len(bent):
        return
    depth = np.where(is_op[target], np.sqrt(np.maximum(hx**2 - lateral**2, 0.0)),
                     np.where(flow_x, hx, hy))[bent]  # centre to outline, along the flow
    along = (f * to_centre).sum(axis=1)[bent]
    k, r = lead[bent], rows[bent]
    u1[k] = f[bent]
    tip[k] = start[bent] + f[bent] * (along - depth - 0.01)[:, None]
    seg[r - 1, 2:] = seg[r, :2] = tip[k] - f[bent] * ARROW * 0.6
