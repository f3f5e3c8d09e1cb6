"""The graph canvas's view policy, without Qt: where the view goes and why.

The canvas (``gradlab.ui.common.graph_canvas``) shows a layered drawing in a zoomable view.
Every decision about that view lives here, in plain numbers: the scale at which a box's
text reads, fitting the whole drawing, opening a big one readably around its output,
keeping nodes in view, zooming and panning, holding the view through a resize, which
corner the colour key may take, and how the view was last set (opened, fitted, or moved by
the learner), which decides what a resize does.  The canvas only measures (its viewport's
size, the view's rectangle) and applies the rectangles this returns.

Rectangles are ``(x, y, w, h)`` in drawing units (y grows downwards, as drawn); sizes are
``(w, h)`` in pixels; an extent is the drawing's ``(x0, y0, x1, y1)``.
"""

from __future__ import annotations

import math

import numpy as np

from gradlab.layout import BOX_H, BOX_W

__all__ = ["BOX_LINES", "CanvasView", "LINE_SPACING", "READABLE_PX", "TEXT_EMS", "TEXT_FILL", "hit_row",
           "label_rows", "readable_scale", "text_px"]

Rect = tuple[float, float, float, float]
Size = tuple[float, float]

#: drawn box size, as the layout reserves it (MAX_GROWTH); one size: the fill shows |grad|
SIZE_STEPS = (1.0,)
MIN_FONT_PX = 7.0
MAX_LABELS = 400  # with more value nodes in view, labels are noise
#: text this tall (px) is readable; a graph that cannot show it at fit opens zoomed to it
READABLE_PX = 10.0
#: a box's text at pixel size px: three lines (name, data, grad) LINE_SPACING * px apart in a
#: box BOX_LINES * px tall (the lines and a little padding), a line up to TEXT_FILL of a box
#: TEXT_EMS * px wide: a number above -1000 fits ("-999.9999" is 5.13 px-widths in the default
#: sans); a wider one (-1234.5678) is drawn smaller, never cut.  Like draw_dot's record, but
#: stacked and without its "data"/"grad" words (the key's sample box names the lines): the
#: words would make every box 1.5 times as wide
LINE_SPACING, BOX_LINES, TEXT_EMS, TEXT_FILL = 1.18, 3.82, 5.4, 0.95
FIT_PADDING = 0.02  # of the graph's size, on each side
#: pixels per drawing unit at most at fit: a graph of two nodes is not blown up to fill the view
#: (the text stops growing at 15 px, about 90)
MAX_FIT_SCALE = 110.0
#: a drawing whose text is this many times the readable size at fit is comfortable: the
#: least bent such drawing (unfolded before folded) is taken over a bigger folded one
COMFORTABLE = 1.25
KEY_MARGIN = 8  # px between the colour key and the canvas's edges
KEEP_MARGIN = 40  # px of context kept around the nodes keep_in_view brings into view
EMPTY_VIEW: Rect = (-2.0, -1.5, 4.0, 3.0)  # what an empty canvas shows


def text_px(w: float, h: float) -> int:
    """The pixel size of a box's text when the box is ``w`` x ``h`` pixels."""
    return math.floor(min(h / BOX_LINES, w / TEXT_EMS, 15.0) + 0.5 + 1e-9)  # half up: 9.5 is 10


def readable_scale() -> float:
    """Pixels per drawing unit at which a box's label, data and grad are READABLE_PX tall."""
    # the text's pixel size is rounded (see text_px): READABLE_PX - 0.5 rounds up to it
    box_w, box_h = BOX_W * SIZE_STEPS[0], BOX_H * SIZE_STEPS[0]
    return (READABLE_PX - 0.5) * max(BOX_LINES / box_h, TEXT_EMS / box_w)


def contains(outer: Rect, inner: Rect) -> bool:
    """Whether ``inner`` lies inside ``outer`` (edges included)."""
    return (outer[0] <= inner[0] and outer[1] <= inner[1] and inner[0] + inner[2] <= outer[0] + outer[2]
            and inner[1] + inner[3] <= outer[1] + outer[3])


def hit_row(point: tuple[float, float], pos: np.ndarray, half: np.ndarray, is_op: np.ndarray,
            slack: float) -> int:
    """The nearest row whose outline (boxes: a rectangle of half-sizes ``half``; ops: an
    ellipse), grown by ``slack`` drawing units so tiny nodes stay clickable, holds ``point``;
    -1 for none."""
    if not len(pos):
        return -1
    d = np.abs(pos - point) / (half + slack)
    dist = np.where(is_op, np.hypot(d[:, 0], d[:, 1]), d.max(axis=1))
    row = int(np.argmin(dist))
    return row if dist[row] <= 1.0 else -1


def label_rows(view: Rect, scale: float, pos: np.ndarray, half: np.ndarray, n_values: int
               ) -> tuple[np.ndarray, int] | None:
    """Rows in ``view`` to label at ``scale`` px per unit, and the detail (2: label, data, grad;
    1: names only), or None when text would be unreadable or too many value nodes are in view
    for text to help."""
    box_h = scale * BOX_H * SIZE_STEPS[0]
    detail = 2 if box_h / BOX_LINES >= MIN_FONT_PX else 1 if box_h * 0.7 >= MIN_FONT_PX else 0
    if not detail or not n_values:
        return None
    x, y, w, h = view
    rows = np.flatnonzero((pos[:, 0] + half[:, 0] > x) & (pos[:, 0] - half[:, 0] < x + w)
                          & (pos[:, 1] + half[:, 1] > y) & (pos[:, 1] - half[:, 1] < y + h))
    if not len(rows) or np.count_nonzero(rows < n_values) > MAX_LABELS:
        return None
    return rows, detail


def free_key_corner(extent, lo: np.ndarray, hi: np.ndarray, viewport: Size, key: Size) -> int | None:
    """The corner (0 bottom left, 1 bottom right, 2 top left, 3 top right) of a ``viewport``
    showing the drawing fitted, where a key of ``key`` pixels covers no node (nodes span ``lo``
    to ``hi``, drawing units), or None."""
    x0, y0, x1, y1 = extent
    w, h = max(viewport[0], 1), max(viewport[1], 1)
    s = min(w / max(x1 - x0, 1e-9), h / max(y1 - y0, 1e-9)) / (1 + 2 * FIT_PADDING)
    kw, kh, m = key[0] + 8, key[1] + 8, KEY_MARGIN - 4
    for corner in range(4):  # the key's rect in each corner, in drawing units at that fit
        left = m if corner in (0, 2) else w - m - kw
        top = h - m - kh if corner in (0, 1) else m
        kx, ky = (x0 + x1) / 2 + (left - w / 2) / s, (y0 + y1) / 2 + (top - h / 2) / s
        under = (hi[:, 0] > kx) & (lo[:, 0] < kx + kw / s) & (hi[:, 1] > ky) & (lo[:, 1] < ky + kh / s)
        if not under.any():
            return corner
    return None


class CanvasView:
    """How the canvas's view was set, and the rectangles its policies call for.

    ``mode``: "open" (``opened``), "fit" (``fitted``), or None: moved by the learner (a wheel,
    a drag, the overview, a zoom or a pan; ``moved_by_user`` counts them in ``user_moves``).
    """

    def __init__(self) -> None:
        self.mode: str | None = None
        self.user_moves = 0
        #: see ``hold``: (the point held, where it is on the screen, pixel size, inside margins)
        self.held: tuple | None = None

    # -- how the view was set ------------------------------------------------------------------

    def opened(self) -> None:
        self.mode = "open"

    def fitted(self) -> None:
        self.mode = "fit"

    def moved_by_user(self) -> None:
        self.mode = None
        self.user_moves += 1

    @property
    def moved(self) -> bool:
        """Whether the learner moved the view since it was opened or fitted."""
        return self.mode is None

    def after_resize(self, drawing_changed: bool) -> str | None:
        """What a settled resize does: "open" again (a view as it opened, or a new drawing suits
        the new shape), "fit" again (a fitted view), or None (a view the learner moved stays)."""
        if self.mode == "open" or drawing_changed:
            return "open"
        return "fit" if self.mode == "fit" else None

    # -- scales ----------------------------------------------------------------------------------

    @staticmethod
    def view_shape(viewport: Size) -> tuple[float | None, tuple[float, float] | None]:
        """The view's (aspect, room), as ``GraphModel.drawing_for`` takes them: width / height,
        and the width and height in drawing units at a comfortable text size (COMFORTABLE
        times the readable one); (None, None) before the canvas has a size."""
        w, h = viewport
        if w <= 0 or h <= 0:
            return None, None
        s = readable_scale() * COMFORTABLE
        return w / h, (w / s, h / s)

    @staticmethod
    def fit_scale(extent, viewport: Size, key_room: float) -> float:
        """Pixels per drawing unit when the whole drawing fits a ``viewport`` less ``key_room``
        pixels at its bottom (at most MAX_FIT_SCALE)."""
        x0, y0, x1, y1 = extent
        room = max(viewport[1] - key_room, 1)
        fit = min(viewport[0] / max(x1 - x0, 1e-9), room / max(y1 - y0, 1e-9))
        return min(fit / (1 + 2 * FIT_PADDING), MAX_FIT_SCALE)

    def fit_rect(self, extent, viewport: Size, key_room: float) -> tuple[Rect, float]:
        """The rectangle to show (with its padding, a fraction of each side) for the whole drawing."""
        x0, y0, x1, y1 = extent
        h = max(viewport[1], 1)
        tall = (y1 - y0) * h / max(h - key_room, 1)  # the key's strip below the graph
        s = self.fit_scale(extent, viewport, key_room)
        if s < MAX_FIT_SCALE:
            return (x0, y0, x1 - x0, tall), FIT_PADDING
        # a small graph: in the middle at a size that still reads as a diagram
        w, cx, cy = viewport[0] / s, (x0 + x1) / 2, y0 + tall / 2
        return (cx - w / 2, cy - h / s / 2, w, h / s), 0.0

    @staticmethod
    def readable_rect(at: tuple[float, float], viewport: Size, output: bool, orientation: str) -> Rect:
        """Node ``at`` at (just over) the readable scale: the output near the end data flows to
        (right for "LR", else bottom), with what feeds it in view; any other node in the middle."""
        s = readable_scale() * 1.05
        w, h = max(viewport[0], 1) / s, max(viewport[1], 1) / s
        fx = fy = 0.5
        if output:
            fx, fy = (0.8, 0.5) if orientation == "LR" else (0.5, 0.8)
        return at[0] - fx * w, at[1] - fy * h, w, h

    # -- moves -----------------------------------------------------------------------------------

    @staticmethod
    def zoom_rect(view: Rect, factor: float) -> Rect:
        """``view`` zoomed about its centre; ``factor > 1`` zooms in."""
        x, y, w, h = view
        return x + w / 2 - w / factor / 2, y + h / 2 - h / factor / 2, w / factor, h / factor

    @staticmethod
    def pan_rect(view: Rect, dx: float, dy: float, px: float) -> Rect:
        """``view`` with its content moved by (dx, dy) pixels of ``px`` drawing units, as a drag does."""
        return view[0] - dx * px, view[1] - dy * px, view[2], view[3]

    @staticmethod
    def centre_rect(view: Rect, point: tuple[float, float]) -> Rect:
        """``view`` at its zoom with ``point`` in the middle."""
        return point[0] - view[2] / 2, point[1] - view[3] / 2, view[2], view[3]

    @staticmethod
    def keep_rect(view: Rect, lo, hi, px: float) -> Rect | None:
        """The least move of ``view`` that shows ``lo``..``hi`` (drawing units) with KEEP_MARGIN
        pixels of ``px`` units around them, zooming out only if they are further apart than the
        view; None when they show already."""
        lo = (lo[0] - KEEP_MARGIN * px, lo[1] - KEEP_MARGIN * px)
        hi = (hi[0] + KEEP_MARGIN * px, hi[1] + KEEP_MARGIN * px)
        need = (lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        x, y, w, h = view
        if contains(view, need):
            return None
        if need[2] > w or need[3] > h:  # apart more than the view
            return need
        dx = min(lo[0] - x, 0) or max(hi[0] - (x + w), 0)
        dy = min(lo[1] - y, 0) or max(hi[1] - (y + h), 0)
        return x + dx, y + dy, w, h

    # -- holding the view through a resize ----------------------------------------------------

    def hold(self, at: tuple[float, float], on_screen, px: tuple[float, float], inside) -> bool:
        """Hold drawing point ``at`` where it is ``on_screen`` (kept as given), at ``px`` drawing
        units per pixel, through the resizes to come; ``inside``: the pixels from the point to the
        view's edge that keep a node whole (None: anywhere).  True if nothing was held before
        (the caller then arranges ``release`` once the resizes are over)."""
        first = self.held is None
        self.held = (at, on_screen, px, inside)
        return first

    def release(self) -> None:
        self.held = None

    def held_rect(self, local: tuple[float, float], viewport: Size) -> Rect | None:
        """The view's rectangle that keeps the held point at ``local`` (its screen position in
        the new viewport's pixels), or just inside the view if it no longer fits there; None for
        a collapsed viewport."""
        at, _, (ux, uy), inside = self.held
        w, h = viewport
        if w <= 0 or h <= 0:
            return None  # collapsed: no view to hold
        x, y = local
        if inside is not None:
            ix, iy = inside
            x = min(max(x, ix), w - ix) if w > 2 * ix else w / 2
            y = min(max(y, iy), h - iy) if h > 2 * iy else h / 2
        return at[0] - x * ux, at[1] - y * uy, w * ux, h * uy
