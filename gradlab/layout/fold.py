"""Folding a long left-to-right drawing into bands, read top to bottom, so it fills a squarer view.

The layers are cut into ``bands`` runs of about equal width; the run holding the inputs is
the top band and the one holding the output the bottom band, each drawn left to right from
x = 0.  An edge that leaves a band at its right end runs down a lane of its own just right
of that band, left along the channel between the bands, and down a lane left of the next
band into it: every piece runs outside every band's columns or inside its own slot, so,
as in the unfolded drawing, no edge passes behind a box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradlab.layout.drawing import ARROW_LEAD, BOX_H, Drawing

__all__ = ["fold"]

#: distance between the lanes of edges wrapping from one band to the next
LANE = 0.11
#: cuts of the layers into bands tried for graphs of up to CUT_SEARCH_ROWS rows, each allowed a
#: longest band CUT_SLACK longer than the last
CUT_TRIES, CUT_SEARCH_ROWS, CUT_SLACK = 6, 300, 0.04
#: space between a band's boxes and the lanes around it
MARGIN = 0.15


def _band_cuts(left: np.ndarray, right: np.ndarray, bands: int, tries: int) -> list[np.ndarray]:
    """Ways to cut the layers into ``bands`` runs of at least two layers (the output's first): the
    most balanced one (the shortest longest band), then up to ``tries - 1`` others a little less
    balanced, filled from either end, whose lanes may cost less."""
    n = len(left)

    def cut(length: float, lft: np.ndarray, rgt: np.ndarray) -> list[int] | None:
        starts = [0]  # the first layer of each band, filled greedily
        for k in range(1, n):
            if rgt[starts[-1]] - lft[k] > length or n - k == 2 * (bands - len(starts)):
                if k - starts[-1] < 2 or len(starts) == bands:
                    return None
                starts.append(k)
        return starts if len(starts) == bands and n - starts[-1] >= 2 else None

    if n < 2 * bands:
        return []
    lo, hi = (right[0] - left[-1]) / bands, right[0] - left[-1]
    for _ in range(40):  # the shortest longest band, by bisection
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if cut(mid, left, right) is not None else (mid, hi)
    found: list[np.ndarray] = []
    seen: set[bytes] = set()
    flipped = (-right[::-1], -left[::-1])  # the same layers, from the inputs' end
    for j in range(2 * tries):
        length = hi * (1 + CUT_SLACK * (j // 2))
        starts = cut(length, *((left, right) if j % 2 == 0 else flipped))
        if starts is None:
            continue
        band = np.zeros(n, dtype=np.int64)
        for b, k in enumerate(starts):
            band[k:] = b
        if j % 2:
            band = (bands - 1 - band)[::-1]
        if band.tobytes() not in seen:
            seen.add(band.tobytes())
            found.append(band)
        if len(found) >= tries:
            break
    return found


def fold(layout, bands: int) -> Drawing | None:
    """``layout``'s left-to-right drawing folded into ``bands`` bands, or None when it cannot
    be (fewer than two layers a band, or edges on tracks, which run along the whole drawing).
    Of the cuts ``_band_cuts`` offers, the one whose drawing is smallest (its area) is kept."""
    layout.drawing(orientation="LR")  # the unfolded drawing it cuts
    centre, width = layout._unfolded[:2]
    if bands < 2 or layout.tracked or len(centre) < 2 * bands:
        return None
    tries = CUT_TRIES if layout.all_rows <= CUT_SEARCH_ROWS else 1
    best, best_area = None, np.inf
    for band in _band_cuts(centre - width, centre + width, bands, tries):
        d = _fold_at(layout, band)
        x0, y0, x1, y1 = d.extent()
        if (x1 - x0) * (y1 - y0) < best_area - 1e-9:
            best, best_area = d, (x1 - x0) * (y1 - y0)
    return best


def _fold_at(layout, band: np.ndarray) -> Drawing:
    """The folded drawing for the given band of every layer (0: the output's)."""
    base = layout.drawing(orientation="LR")
    centre, width, route, starts, point_layer, across = layout._unfolded
    bands = int(band.max()) + 1
    left, right = centre - width, centre + width
    lo = np.array([np.flatnonzero(band == b).min() for b in range(bands)])  # rightmost layer of each band
    hi = np.array([np.flatnonzero(band == b).max() for b in range(bands)])
    slot, layer = across, layout.full_layer  # y of each row, unfolded
    row_band = band[layer]
    smin = np.array([slot[row_band == b].min() for b in range(bands)])
    smax = np.array([slot[row_band == b].max() for b in range(bands)])
    point_band = band[point_layer]
    lane_of, lanes = _lanes(layout.edges[:, 0], starts, point_band, bands)
    # a band with lanes coming into it starts right of them: they pass beside it, not beside the
    # band above, so they cost no width when that band is the longer one
    indent = np.where(lanes > 0, ARROW_LEAD + MARGIN / 2 + LANE * np.maximum(lanes - 1, 0), 0.0)
    shift = -left[hi] + indent  # each band starts at x = 0, right of its indent
    top, channel = _band_tops(lanes, smax - smin)

    def place(points: np.ndarray, bands_of: np.ndarray) -> np.ndarray:
        x, y = points[:, 0] + shift[bands_of], points[:, 1] - smin[bands_of] + top[bands_of]
        return np.column_stack([x, y])

    pos = place(base.pos, band[layout.layer])
    lanes_at = _Lanes(lane_of, band_right=right[lo] + shift, indent=indent, channel=channel)
    out, new_starts = _wrapped_routes(place(route, point_band), starts, point_band,
                                      layout.edges[:, 0], lanes_at)
    return Drawing(pos=pos, is_op=base.is_op, value_index=base.value_index, edges=base.edges,
                   layer=base.layer, route=out, route_start=new_starts, orientation="LR", bands=bands)


def _lanes(sources: np.ndarray, starts: np.ndarray, point_band: np.ndarray,
           bands: int) -> tuple[dict[tuple[int, int], int], np.ndarray]:
    """The lane of each (band, source) whose edges cross from band b + 1 into band b, and the
    number of lanes into each band: edges of one source wrapping into the same band share a lane
    (a bus that branches)."""
    edge_of = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    crossing = np.flatnonzero((point_band[:-1] > point_band[1:]) & (edge_of[:-1] == edge_of[1:]))
    lane_of: dict[tuple[int, int], int] = {}
    lanes = np.zeros(bands, dtype=np.int64)
    for b, s in zip(point_band[crossing + 1].tolist(), sources[edge_of[crossing]].tolist(), strict=True):
        if (b, s) not in lane_of:
            lane_of[b, s] = int(lanes[b])
            lanes[b] += 1
    return lane_of, lanes


def _band_tops(lanes: np.ndarray, heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The y of each band's first slot, and of the first lane below band b + 1 (into band b),
    the bands stacked from the inputs' (the last) down with their lanes between them."""
    bands = len(lanes)
    top = np.zeros(bands)
    channel = np.zeros(bands)
    y = 0.0
    for b in range(bands - 1, -1, -1):
        if b < bands - 1:
            channel[b] = y + MARGIN
            y = channel[b] + LANE * max(lanes[b] - 1, 0) + MARGIN + BOX_H / 2
        top[b] = y
        y = top[b] + heights[b] + BOX_H / 2
    return top, channel


@dataclass(frozen=True)
class _Lanes:
    """Where the lanes into each band run: ``lane_of[band, source]`` counts out from the bands."""

    lane_of: dict[tuple[int, int], int]
    band_right: np.ndarray  # each band's right end
    indent: np.ndarray
    channel: np.ndarray


def _wrapped_routes(placed: np.ndarray, starts: np.ndarray, point_band: np.ndarray,
                    sources: np.ndarray, at: _Lanes) -> tuple[np.ndarray, np.ndarray]:
    """Every edge's placed route, with each step from band b + 1 into band b replaced by a run
    down its lane right of band b + 1, left along the channel and down a lane left of band b."""
    out: list[np.ndarray] = []
    new_starts = [0]
    for k in range(len(starts) - 1):
        a, z = starts[k], starts[k + 1]
        pts = [placed[a]]
        for i in range(a, z - 1):
            if point_band[i] > point_band[i + 1]:
                b = point_band[i + 1]  # into band b, from band b + 1
                lane = at.lane_of[int(b), int(sources[k])]
                x_right = at.band_right[b + 1] + MARGIN + LANE * lane
                x_left = at.indent[b] - ARROW_LEAD - MARGIN / 2 - LANE * lane
                yl = at.channel[b] + LANE * lane
                pts += [np.array([x_right, placed[i][1]]), np.array([x_right, yl]),
                        np.array([x_left, yl]), np.array([x_left, placed[i + 1][1]])]
            pts.append(placed[i + 1])
        out.extend(pts)
        new_starts.append(len(out))
    return np.array(out, dtype=float).reshape(-1, 2), np.array(new_starts, dtype=np.int64)
