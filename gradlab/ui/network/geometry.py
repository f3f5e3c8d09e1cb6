"""Where the network view puts every node, weight line and bias, what lies under a point, and
what each parameter is called for people (``ParameterNames``).

Qt-free: the view (``gradlab.ui.network.view``) draws what ``NetworkLayout`` places, in
drawing units (a thumbnail is 1 x 1 unit, ``PX`` x ``PX`` atlas pixels; y grows downwards).
Parameters are addressed by their flat index in micrograd's ``MLP.parameters()`` order: layer by
layer, neuron by neuron, its weights then its bias.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gradlab.nn import parameter_name

__all__ = ["NetworkLayout", "ParameterNames", "fit_pitches", "line_buckets", "strength_levels"]

PX = 20  # thumbnail pixels per drawing unit: a thumbnail is 1 x 1 unit, PX x PX pixels
COL_PX, ROW_PX = 84, 26  # the default column and row pitch in atlas pixels
#: the pitches ``fit_pitches`` may choose, in thumbnails: rows at least a quarter apart, columns
#: far enough apart for their lines to be told apart, and neither spread past usefulness
MIN_ROW, MAX_ROW, MIN_COL, MAX_COL = 1.25, 2.2, 2.6, 7.0
#: the largest a thumbnail is drawn, in screen pixels
MAX_THUMB_PX = 84
#: screen pixels kept around the drawing for the input names (left) and the column heads (top)
MARGIN_PX = {"left": 50, "top": 40, "right": 34, "bottom": 8}
LEVELS = 5
#: |weight| thresholds of the width levels (a fixed scale: a weight keeps its width while others move)
WEIGHT_STEPS = (0.05, 0.25, 0.6, 1.2)
WIDTHS = (0.6, 1.3, 2.2, 3.3, 4.6)
#: how near (screen pixels) the pointer must be to a line or a bias square to be on it
HIT_PX = 5.0
#: at most this many weight lines are drawn: the strongest ones
MAX_LINES = 3000
#: screen pixels² of room a weight line wants between two columns for ``WIDTHS`` as they are;
#: with less, every width shrinks by the square root of the shortfall (down to MIN_WIDTH_SCALE)
ROOM_PX2 = 400.0
MIN_WIDTH_SCALE = 0.35


class NetworkLayout:
    """Where every node, line and bias sits, and which parameter each line and bias is."""

    def __init__(self, sizes: Sequence[int], col_px: int = COL_PX, row_px: int = ROW_PX) -> None:
        #: neurons per column: the inputs, every hidden layer, the output layer
        self.sizes = [int(s) for s in sizes]
        #: the column and row pitch in atlas pixels (whole, so thumbnails sit on whole pixels)
        self.col_px, self.row_px = int(col_px), int(row_px)
        tallest = max(self.sizes)
        xs, ys, col, row = [], [], [], []
        for c, n in enumerate(self.sizes):
            top = (tallest - n) * row_px // 2
            for k in range(n):
                xs.append(c * col_px + PX / 2)
                ys.append(top + k * row_px + PX / 2)
                col.append(c)
                row.append(k)
        self.pos = np.column_stack([xs, ys]) / PX  # node centres in drawing units (y grows down)
        self.col, self.row = np.array(col), np.array(row)
        self.first = np.concatenate([[0], np.cumsum(self.sizes)])  # first node of each column
        self.width_px = (len(self.sizes) - 1) * col_px + PX
        self.height_px = (tallest - 1) * row_px + PX
        seg, wi, bias_node, bias_index = [], [], [], []
        offset = 0
        for layer in range(len(self.sizes) - 1):
            nin, nout = self.sizes[layer], self.sizes[layer + 1]
            src = self.pos[self.first[layer]:self.first[layer] + nin]
            dst = self.pos[self.first[layer + 1]:self.first[layer + 1] + nout]
            for j in range(nout):
                a = src + (0.5, 0.0)
                b = np.broadcast_to(dst[j] - (0.5, 0.0), a.shape)
                seg.append(np.hstack([a, b]))
                wi.extend(range(offset, offset + nin))
                bias_node.append(self.first[layer + 1] + j)
                bias_index.append(offset + nin)
                offset += nin + 1
        self.segments = np.vstack(seg) if seg else np.zeros((0, 4))
        self.weight_index = np.array(wi, dtype=np.int64)  # line -> parameter
        self.bias_node = np.array(bias_node, dtype=np.int64)  # bias -> node
        self.bias_index = np.array(bias_index, dtype=np.int64)  # bias -> parameter
        self.parameter_count = offset
        #: where each bias square sits: the node's lower-left corner
        self.bias_pos = self.pos[self.bias_node] + (-0.5, 0.5) if len(bias_node) else np.zeros((0, 2))

    def framing(self, width_px: int, height_px: int) -> tuple[float, tuple, tuple]:
        """How a view ``width_px`` x ``height_px`` shows the drawing whole, ``MARGIN_PX`` kept for
        the names and heads: its scale (screen pixels per unit, at least 1), x and y ranges."""
        w, h = self.width_px / PX, self.height_px / PX
        m = MARGIN_PX
        scale = min((width_px - m["left"] - m["right"]) / w, (height_px - m["top"] - m["bottom"]) / h)
        scale = max(scale, 1.0)
        return (scale, (-m["left"] / scale, w + m["right"] / scale),
                (-m["top"] / scale, h + m["bottom"] / scale))

    def selection_marks(self, index: int) -> tuple[list[list[float]] | None, np.ndarray]:
        """Where parameter ``index`` is marked: its line's ([x0, x1], [y0, y1]) or None, and the
        positions of its bias square (none or one)."""
        line = np.flatnonzero(self.weight_index == index)
        ends = None
        if len(line):
            s = self.segments[line[0]]
            ends = [[s[0], s[2]], [s[1], s[3]]]
        return ends, self.bias_pos[np.flatnonzero(self.bias_index == index)]

    def line_widths(self, scale: float) -> tuple[float, ...]:
        """The pens' widths, level by level, at ``scale`` screen pixels per thumbnail: thinner
        where many lines share little room, so that the layers between two columns do not merge
        into one patch."""
        gap = max(self.col_px - PX, 1) / PX * scale  # between two columns, in screen pixels
        tall = self.height_px / PX * scale
        most = max((a * b for a, b in zip(self.sizes, self.sizes[1:], strict=False)), default=1)
        room = float(np.clip(np.sqrt(gap * tall / most / ROOM_PX2), MIN_WIDTH_SCALE, 1.0))
        return tuple(max(round(w * room, 2), 0.5) for w in WIDTHS)

    def parameter_near(self, x: float, y: float, px: float, drawn: np.ndarray) -> int:
        """The parameter at drawing point (x, y), ``px`` drawing units to a screen pixel: a bias
        square (or its neuron's body) first, then the nearest of the ``drawn`` lines (a mask over
        the lines; any other length: every line); -1: none."""
        if self.parameter_count == 0:
            return -1
        if len(self.bias_pos):
            d = np.abs(self.bias_pos - (x, y)).max(axis=1)
            k = int(np.argmin(d))
            if d[k] <= 0.2 + HIT_PX * px:
                return int(self.bias_index[k])
            node = np.abs(self.pos[self.bias_node] - (x, y)).max(axis=1)  # a neuron's body: its bias
            k = int(np.argmin(node))
            if node[k] <= 0.5:
                return int(self.bias_index[k])
        n = len(self.segments)
        lines = np.flatnonzero(drawn) if len(drawn) == n else np.arange(n)
        if not len(lines):
            return -1
        seg = self.segments[lines]
        a, b = seg[:, :2], seg[:, 2:]
        ab = b - a
        along = (x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]
        t = np.clip(along / np.maximum((ab ** 2).sum(1), 1e-12), 0, 1)
        d = np.hypot(a[:, 0] + t * ab[:, 0] - x, a[:, 1] + t * ab[:, 1] - y) / px
        k = int(np.argmin(d))
        return int(self.weight_index[lines[k]]) if d[k] <= HIT_PX else -1

    def node_near(self, x: float, y: float) -> int:
        """The node (input or neuron, in column order) whose thumbnail holds (x, y), or -1."""
        if not len(self.pos):
            return -1
        d = np.abs(self.pos - (x, y)).max(axis=1)
        k = int(np.argmin(d))
        return k if d[k] <= 0.5 else -1

    def point_on(self, index: int) -> tuple[float, float]:
        """A point on parameter ``index``: 0.35 of the way along its line, or its bias square."""
        line = np.flatnonzero(self.weight_index == index)
        if len(line):
            s = self.segments[line[0]]
            return s[0] + 0.35 * (s[2] - s[0]), s[1] + 0.35 * (s[3] - s[1])
        x, y = self.bias_pos[int(np.flatnonzero(self.bias_index == index)[0])]
        return x, y


def fit_pitches(width_px: int, height_px: int, sizes: Sequence[int]) -> tuple[int, int]:
    """The column and row pitch (atlas pixels) that make the thumbnails as large as a view
    ``width_px`` x ``height_px`` allows: rows as close as ``MIN_ROW`` and columns ``MIN_COL`` apart
    at the largest thumbnail that fits, then the spare room spread between them (up to
    ``MAX_ROW``, ``MAX_COL``)."""
    w = max(width_px - MARGIN_PX["left"] - MARGIN_PX["right"], 40)
    h = max(height_px - MARGIN_PX["top"] - MARGIN_PX["bottom"], 40)
    cols, tallest = len(sizes), max(sizes)
    thumb = min(h / ((tallest - 1) * MIN_ROW + 1), w / ((cols - 1) * MIN_COL + 1), MAX_THUMB_PX)
    row = min(max((h / thumb - 1) / (tallest - 1), MIN_ROW), MAX_ROW) if tallest > 1 else MIN_ROW
    col = min(max((w / thumb - 1) / (cols - 1), MIN_COL), MAX_COL) if cols > 1 else MIN_COL
    return round(col * PX), round(row * PX)


def strength_levels(v: np.ndarray, relative: bool) -> np.ndarray:
    """Each value's width level, 0 .. LEVELS - 1: by ``WEIGHT_STEPS`` (a fixed scale), or
    ``relative`` to the largest |value| (gradients)."""
    mag = np.abs(np.nan_to_num(v))
    if relative:
        top = mag.max(initial=0.0)
        if top <= 0:
            return np.zeros(len(v), int)
        return np.minimum((mag / top * LEVELS).astype(int), LEVELS - 1)
    return np.searchsorted(WEIGHT_STEPS, mag)


def line_buckets(w: np.ndarray, relative: bool) -> np.ndarray:
    """Each weight line's pen: sign (0: + , LEVELS: -) plus level; -1 for a line not drawn (past
    ``MAX_LINES``, only the strongest are: thousands of lines are neither readable nor cheap)."""
    bucket = np.where(w >= 0, 0, LEVELS) + strength_levels(w, relative)
    if len(w) > MAX_LINES:
        keep = np.argpartition(np.abs(np.nan_to_num(w)), len(w) - MAX_LINES)[len(w) - MAX_LINES:]
        kept = np.full(len(w), -1)
        kept[keep] = bucket[keep]
        return kept
    return bucket


class ParameterNames(Sequence):
    """micrograd's ``labels`` named for people (``nn.parameter_name``) in a network of ``sizes``
    reading ``inputs``, each when it is read: a big network has tens of thousands of parameters
    (a second to name them all) and a learner reads a few names."""

    def __init__(self, labels: Sequence[str], inputs: Sequence[str], sizes: Sequence[int]) -> None:
        self._labels, self._inputs, self._sizes = list(labels), list(inputs), list(sizes)

    def __len__(self) -> int:
        return len(self._labels)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return parameter_name(self._labels[i], self._inputs, self._sizes)
