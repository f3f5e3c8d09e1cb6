"""``networkView``: the MLP as columns of neurons, each a thumbnail of its output over the input
plane, joined by weight lines whose width and colour show magnitude and sign.

A handful of pyqtgraph items whatever the network's size (as ``GraphItem`` does): one batch
of line segments per (sign, magnitude) bucket (the graph canvas's ``Segments``: one
``drawLines`` call, culled to the exposed area), one ``ImageItem`` holding every
thumbnail (an atlas), one ``ScatterPlotItem`` for the biases, one for the node frames, and a
highlight line. Parameters are addressed by their flat index in micrograd's
``MLP.parameters()`` order: layer by layer, neuron by neuron, its weights then its bias.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6)

from gradlab.ui import palette
from gradlab.ui.graph_canvas import Segments, show_tip_at  # the canvas's culled, batched lines
from gradlab.ui.heatmap import scores_to_rgba

__all__ = ["NetworkLayout", "NetworkView"]

PX = 20  # thumbnail pixels per drawing unit: a thumbnail is 1 x 1 unit, PX x PX pixels
COL_PX, ROW_PX = 84, 26  # column and row pitch in atlas pixels (even, so centres are whole pixels)
LEVELS = 5
#: |weight| thresholds of the width levels (a fixed scale: a weight keeps its width while others move)
WEIGHT_STEPS = (0.05, 0.25, 0.6, 1.2)
WIDTHS = (0.6, 1.3, 2.2, 3.3, 4.6)
HIT_PX = 5.0
#: above this many weight lines, every line is a hairline (see ``_style_lines``)
DENSE_LINES = 2500
#: at most this many weight lines are drawn: the strongest ones
MAX_LINES = 3000
SELECTED = "#d6336c"


def _fmt(x: float) -> str:
    return f"{x:.4g}" if np.isfinite(x) else str(x)


class NetworkLayout:
    """Where every node, line and bias sits, and which parameter each line and bias is."""

    def __init__(self, sizes: Sequence[int]) -> None:
        #: neurons per column: the inputs, every hidden layer, the output layer
        self.sizes = [int(s) for s in sizes]
        tallest = max(self.sizes)
        xs, ys, col, row = [], [], [], []
        for c, n in enumerate(self.sizes):
            top = (tallest - n) * ROW_PX / 2
            for k in range(n):
                xs.append(c * COL_PX + PX / 2)
                ys.append(top + k * ROW_PX + PX / 2)
                col.append(c)
                row.append(k)
        self.pos = np.column_stack([xs, ys]) / PX  # node centres in drawing units (y grows down)
        self.col, self.row = np.array(col), np.array(row)
        self.first = np.concatenate([[0], np.cumsum(self.sizes)])  # first node of each column
        self.width_px = (len(self.sizes) - 1) * COL_PX + PX
        self.height_px = (tallest - 1) * ROW_PX + PX
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


class NetworkView(QWidget):
    """Draws a network it is handed: architecture, parameter values, gradients, thumbnails."""

    #: a weight or bias was clicked: its flat parameter index (-1: empty space)
    parameter_clicked = Signal(int)
    #: the pointer moved onto a weight or bias (-1: off)
    parameter_hovered = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkView")
        self._view = pg.GraphicsView(background="#ffffff")
        self._view.setAntialiasing(True)
        self._vb = pg.ViewBox(lockAspect=True, enableMenu=False, invertY=True)
        self._vb.setMouseEnabled(False, False)
        self._view.setCentralItem(self._vb)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        self.line_items: list[Segments] = []
        for _sign in (palette.POSITIVE, palette.NEGATIVE):
            for level in range(LEVELS):
                item = Segments(pg.mkPen())
                item.setZValue(1 + level / LEVELS)  # the strong weights on top
                self._vb.addItem(item)
                self.line_items.append(item)
        self._style_lines(dense=False)
        self.highlight = pg.PlotCurveItem(pen=pg.mkPen(SELECTED, width=3.5), connect="pairs")
        self.highlight.setZValue(5)
        self.atlas = pg.ImageItem(axisOrder="row-major")
        self.atlas.setZValue(2)
        self.frames = pg.ScatterPlotItem(pxMode=False, symbol="s", brush=None,
                                         pen=pg.mkPen("#8d949c", width=1))
        self.frames.setZValue(3)
        self.biases = pg.ScatterPlotItem(pxMode=False, symbol="s", pen=pg.mkPen("#444444", width=0.6))
        self.biases.setZValue(4)
        self.bias_ring = pg.ScatterPlotItem(pxMode=False, symbol="s", brush=None,
                                            pen=pg.mkPen(SELECTED, width=2.5))
        self.bias_ring.setZValue(6)
        for item in (self.highlight, self.atlas, self.frames, self.biases, self.bias_ring):
            self._vb.addItem(item)
        self._texts: list[pg.TextItem] = []
        self.layout_: NetworkLayout | None = None
        self._values = np.zeros(0)
        self._grads = np.zeros(0)
        self._labels: list[str] = []
        self._show_grads = False
        self._drawn = np.zeros(0, dtype=bool)  # which weight lines are drawn
        self._selected = -1
        self._hovered = -1
        self._view.scene().sigMouseClicked.connect(self._on_click)
        self._view.scene().sigMouseMoved.connect(self._on_move)
        self.setMinimumSize(260, 200)

    # -- the view contract --------------------------------------------------------------------

    def set_architecture(self, input_names: Sequence[str], layer_sizes: Sequence[int],
                         activations: Sequence[str] = ()) -> None:
        """A new network: ``layer_sizes`` are the hidden layers then the output layer."""
        lay = self.layout_ = NetworkLayout([len(input_names), *layer_sizes])
        self._values = np.zeros(lay.parameter_count)
        self._grads = np.zeros(lay.parameter_count)
        self._selected = -1
        for t in self._texts:
            self._vb.removeItem(t)
        self._texts = []
        for k, name in enumerate(input_names):
            self._text(name, lay.pos[k] - (0.6, 0), anchor=(1, 0.5))
        acts = list(activations) + ["relu"] * len(layer_sizes)
        heads = ["inputs"] + [f"layer {k + 1}\n{n} {acts[k]}" for k, n in enumerate(layer_sizes[:-1])]
        heads.append("output" if layer_sizes[-1] == 1 else f"{layer_sizes[-1]} outputs")
        for c, head in enumerate(heads):
            self._text(head, (c * COL_PX / PX + 0.5, -0.3), anchor=(0.5, 1))
        self._style_lines(dense=len(lay.segments) > DENSE_LINES)
        self.frames.setData(pos=lay.pos, size=1.0)
        self.atlas.setImage(np.zeros((lay.height_px, lay.width_px, 4), dtype=np.uint8), autoLevels=False)
        self.atlas.setRect(0, 0, lay.width_px / PX, lay.height_px / PX)
        self._vb.setRange(xRange=(-1.9, lay.width_px / PX + 0.3), yRange=(-2.2, lay.height_px / PX + 0.7),
                          padding=0.02)
        self._redraw()

    def _style_lines(self, dense: bool) -> None:
        """Pens by sign and level: faint thin lines, solid thick ones. A dense network (thousands
        of lines) gets hairlines told apart by strength alone: wide lines would fill the view
        and cost seconds to paint."""
        for k, item in enumerate(self.line_items):
            sign, level = (palette.POSITIVE, palette.NEGATIVE)[k // LEVELS], k % LEVELS
            colour = pg.mkColor(sign)
            colour.setAlphaF((0.25 if dense else 0.45) + (0.7 if dense else 0.5) * level / (LEVELS - 1))
            item.pen = pg.mkPen(colour, width=1 if dense else WIDTHS[level])
            item.update()

    def set_parameters(self, values: np.ndarray, gradients: np.ndarray | None = None) -> None:
        """Every parameter's value (and gradient) in flat order."""
        self._values = np.asarray(values, dtype=float)
        if gradients is not None:
            self._grads = np.asarray(gradients, dtype=float)
        self._redraw()

    def set_parameter_labels(self, labels: Sequence[str]) -> None:
        """Names for the tooltips (``w1.3.0``, ``b1.3``), in flat order."""
        self._labels = list(labels)

    def set_show_gradients(self, on: bool) -> None:
        """Lines show gradients (relative to the largest) instead of weights."""
        self._show_grads = bool(on)
        self._redraw()

    def show_gradients(self) -> bool:
        return self._show_grads

    def set_thumbnails(self, grids: Sequence[np.ndarray]) -> None:
        """One (n, r, r) array per column (inputs, layers...), row 0 of each grid at the bottom."""
        lay = self.layout_
        if lay is None:
            return
        image = np.zeros((lay.height_px, lay.width_px, 4), dtype=np.uint8)  # transparent between thumbnails
        for c, stack in enumerate(grids):
            stack = np.asarray(stack, dtype=float)
            if stack.ndim != 3 or stack.shape[0] != lay.sizes[c]:
                continue
            r = stack.shape[1]
            step = max(1, r // PX)
            stack = stack[:, ::-step, ::step][:, :PX, :PX]  # flip: the view's y grows downwards
            rgba = scores_to_rgba(stack.transpose(1, 0, 2).reshape(stack.shape[1], -1))
            rgba = rgba.reshape(stack.shape[1], len(stack), stack.shape[2], 4).transpose(1, 0, 2, 3)
            h, w = rgba.shape[1:3]
            for k in range(len(stack)):
                x0, y0 = (lay.pos[lay.first[c] + k] * PX - PX / 2).astype(int)
                image[y0:y0 + h, x0:x0 + w] = rgba[k]
        self.atlas.setImage(image, autoLevels=False)
        self.atlas.setRect(0, 0, lay.width_px / PX, lay.height_px / PX)

    def set_selected(self, index: int) -> None:
        """Highlight parameter ``index`` (-1: none)."""
        self._selected = index
        self._draw_selection()

    # -- drawing -----------------------------------------------------------------------------------

    def _text(self, text: str, at, anchor) -> None:
        item = pg.TextItem(text, color="#333333", anchor=anchor)
        item.setPos(*at)
        self._vb.addItem(item)
        self._texts.append(item)

    def _shown(self) -> np.ndarray:
        return self._grads if self._show_grads else self._values

    def _levels(self, v: np.ndarray) -> np.ndarray:
        mag = np.abs(np.nan_to_num(v))
        if self._show_grads:
            top = mag.max(initial=0.0)
            if top <= 0:
                return np.zeros(len(v), int)
            return np.minimum((mag / top * LEVELS).astype(int), LEVELS - 1)
        return np.searchsorted(WEIGHT_STEPS, mag)

    def _redraw(self) -> None:
        lay = self.layout_
        if lay is None or len(self._values) != lay.parameter_count:
            return
        shown = self._shown()
        w = shown[lay.weight_index]
        level = self._levels(w)
        bucket = np.where(w >= 0, 0, LEVELS) + level
        if len(w) > MAX_LINES:  # only the strongest: thousands of lines are neither readable nor cheap
            keep = np.argpartition(np.abs(np.nan_to_num(w)), len(w) - MAX_LINES)[len(w) - MAX_LINES:]
            bucket = np.full(len(w), -1)
            bucket[keep] = (np.where(w >= 0, 0, LEVELS) + level)[keep]
        self._drawn = bucket >= 0
        seg = lay.segments
        for k, item in enumerate(self.line_items):
            item.set_segments(seg[bucket == k])
        b = shown[lay.bias_index]
        blevel = self._levels(b) if len(b) else np.zeros(0, int)
        brushes = [pg.mkBrush(palette.POSITIVE), pg.mkBrush(palette.NEGATIVE)]
        self.biases.setData(pos=lay.bias_pos, size=0.22 + 0.07 * blevel,
                            brush=[brushes[int(x < 0)] for x in b.tolist()])
        self._draw_selection()

    def _draw_selection(self) -> None:
        lay, i = self.layout_, self._selected
        self.highlight.setData([], [])
        self.bias_ring.setData(pos=np.zeros((0, 2)))
        if lay is None or i < 0:
            return
        line = np.flatnonzero(lay.weight_index == i)
        if len(line):
            s = lay.segments[line[0]]
            self.highlight.setData([s[0], s[2]], [s[1], s[3]])
        bias = np.flatnonzero(lay.bias_index == i)
        if len(bias):
            self.bias_ring.setData(pos=lay.bias_pos[bias], size=0.5)

    # -- hit testing ------------------------------------------------------------------------------

    def parameter_at(self, scene_pos: QPointF) -> int:
        """The parameter under ``scene_pos``: a bias square (or its neuron) first, then a line."""
        lay = self.layout_
        if lay is None or lay.parameter_count == 0:
            return -1
        p = self._vb.mapSceneToView(scene_pos)
        x, y = p.x(), p.y()
        px = max(self._vb.viewPixelSize()[0], 1e-9)
        if len(lay.bias_pos):
            d = np.abs(lay.bias_pos - (x, y)).max(axis=1)
            k = int(np.argmin(d))
            if d[k] <= 0.2 + HIT_PX * px:
                return int(lay.bias_index[k])
            node = np.abs(lay.pos[lay.bias_node] - (x, y)).max(axis=1)  # a neuron's body: its bias
            k = int(np.argmin(node))
            if node[k] <= 0.5:
                return int(lay.bias_index[k])
        n = len(lay.segments)
        drawn = np.flatnonzero(self._drawn) if len(self._drawn) == n else np.arange(n)
        if not len(drawn):
            return -1
        seg = lay.segments[drawn]
        a, b = seg[:, :2], seg[:, 2:]
        ab = b - a
        along = (x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]
        t = np.clip(along / np.maximum((ab ** 2).sum(1), 1e-12), 0, 1)
        d = np.hypot(a[:, 0] + t * ab[:, 0] - x, a[:, 1] + t * ab[:, 1] - y) / px
        k = int(np.argmin(d))
        return int(lay.weight_index[drawn[k]]) if d[k] <= HIT_PX else -1

    def scene_pos_of_parameter(self, index: int) -> QPointF:
        """Scene coordinates of a point on parameter ``index``'s line (a weight) or square (a bias)."""
        lay = self.layout_
        line = np.flatnonzero(lay.weight_index == index)
        if len(line):
            s = lay.segments[line[0]]
            x, y = s[0] + 0.35 * (s[2] - s[0]), s[1] + 0.35 * (s[3] - s[1])
        else:
            x, y = lay.bias_pos[int(np.flatnonzero(lay.bias_index == index)[0])]
        return self._vb.mapViewToScene(QPointF(float(x), float(y)))

    def viewport_pos_of_parameter(self, index: int):
        """Viewport-widget pixel coordinates of parameter ``index`` (for tests that click)."""
        return self._view.mapFromScene(self.scene_pos_of_parameter(index))

    def viewport_widget(self) -> QWidget:
        return self._view.viewport()

    def describe(self, index: int) -> str:
        """A tooltip for parameter ``index``: its name, value and gradient."""
        name = self._labels[index] if index < len(self._labels) else f"parameter {index}"
        v = self._values[index] if index < len(self._values) else float("nan")
        g = self._grads[index] if index < len(self._grads) else float("nan")
        return f"{name} = {_fmt(v)}\ngradient {_fmt(g)}\n(click to probe it)"

    def _on_click(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self.parameter_clicked.emit(self.parameter_at(ev.scenePos()))

    def _on_move(self, scene_pos: QPointF) -> None:
        index = self.parameter_at(scene_pos)
        if index == self._hovered:
            return
        self._hovered = index
        if index < 0:
            QToolTip.hideText()
        else:
            show_tip_at(self._view, scene_pos, self.describe(index))
        self.parameter_hovered.emit(index)
