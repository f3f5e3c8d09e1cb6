"""``networkView``: the MLP as columns of neurons, each a thumbnail of its output over the input
plane, joined by weight lines whose width and colour show magnitude and sign; a key below it
(``networkKey``) says what colour and thickness mean, for weights or for gradients.

The columns and rows spread to the view's shape, so the thumbnails grow with the space they
have (``fit_layout``). Hovering a neuron emits ``neuron_hovered`` (the lab shows its output large
in the decision plot). Weights, biases and neurons are named for people by
``nn.parameter_name``: "layer 1, neuron 3, from x1 (w0.2.0)".

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
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6)

from gradlab.nn import parameter_name
from gradlab.ui.common import palette
from gradlab.ui.common.graph_canvas import Segments, show_tip_at  # the canvas's culled, batched lines
from gradlab.ui.network.heatmap import scores_to_rgba

__all__ = ["NetworkKey", "NetworkLayout", "NetworkView"]

PX = 20  # thumbnail pixels per drawing unit: a thumbnail is 1 x 1 unit, PX x PX pixels
COL_PX, ROW_PX = 84, 26  # the default column and row pitch in atlas pixels
#: the pitches ``fit_layout`` may choose, in thumbnails: rows at least a quarter apart, columns
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
HIT_PX = 5.0
#: above this many weight lines, every line is a hairline (see ``_style_lines``)
DENSE_LINES = 2500
#: at most this many weight lines are drawn: the strongest ones
MAX_LINES = 3000
SELECTED = "#d6336c"
SAMPLE_PX = 16  # the length of a line sample in the key
SIGN_PX = 3.0  # the width of the key's samples of the two colours
#: screen pixels² of room a weight line wants between two columns for ``WIDTHS`` as they are;
#: with less, every width shrinks by the square root of the shortfall (down to MIN_WIDTH_SCALE)
ROOM_PX2 = 400.0
MIN_WIDTH_SCALE = 0.35


def _fmt(x: float) -> str:
    return f"{x:.4g}" if np.isfinite(x) else str(x)


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


class NetworkKey(QWidget):
    """``networkKey``: what the lines mean, drawn with the view's own pens: colour is the sign
    (blue +, orange -), thickness the size, for the weights or, in gradients mode, for the
    gradients. The samples flow onto as many rows as the width needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkKey")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))  # a key: quieter than the labels
        self.setFont(font)
        self._items: list[tuple[str, str, float]] = []  # (colour or "", text, pen width)
        self._height = 0
        self.set_mode(False)

    def set_mode(self, gradients: bool, largest: float = float("nan"),
                 widths: Sequence[float] = WIDTHS) -> None:
        """The weights' key, or the gradients' (``largest``: the biggest |gradient|, the thickest
        line); ``widths``: the pens' widths, level by level, as the view draws them."""
        pos, neg = palette.POSITIVE, palette.NEGATIVE
        wd = tuple(widths)
        if gradients:
            top = f" = {_fmt(largest)}" if np.isfinite(largest) and largest > 0 else ""
            items = [("", "gradients ∂loss/∂w:", 0), (pos, "+", SIGN_PX), (neg, "−", SIGN_PX),
                     ("", "· thickness: |gradient| ÷ largest", 0)]
            items += [(pos, f"{(k + 1) / LEVELS:.0%}" + (top if k == LEVELS - 1 else ""), wd[k])
                      for k in range(LEVELS)]
            tip = ("Lines show each weight's gradient: how the loss changes as the weight grows.\n"
                   "Blue (+): the loss grows with the weight, so a step lowers the weight;\n"
                   "orange (−): a step raises it. The thickest line is the largest gradient.")
        else:
            items = [("", "weights:", 0), (pos, "positive", SIGN_PX), (neg, "negative", SIGN_PX),
                     ("", "· thickness: |w|", 0)]
            bounds = ("< .05", ".05–.25", ".25–.6", ".6–1.2", "> 1.2")
            items += [(pos, b, wd[k]) for k, b in enumerate(bounds)]
            tip = ("Lines are weights: blue positive, orange negative, thicker for a larger |w|.\n"
                   "Small squares are biases; each neuron shows its output over the input plane.")
        self.setToolTip(tip)
        # phrases apart, so that a narrow key breaks between them
        items += [("", "· ■ bias", 0), ("", "· hover a neuron:", 0), ("", "its output, large in the plot", 0)]
        if items != self._items:
            self._items = items
            self._relayout()
            self.update()

    def texts(self) -> list[str]:
        return [text for _, text, _ in self._items]

    def _flow(self, width: int) -> tuple[list[tuple[int, int, int]], int]:
        """Where each item starts (x, y, its width) at ``width``, and the height needed."""
        fm = QFontMetrics(self.font())
        line_h, sample, gap = fm.height() + 3, SAMPLE_PX, 9
        x, y, out = 4, 2, []
        for colour, text, _ in self._items:
            w = fm.horizontalAdvance(text) + (sample + 4 if colour else 0)
            if x > 4 and x + w > width - 4:
                x, y = 4, y + line_h
            out.append((x, y, w))
            x += w + gap
        return out, y + line_h + 2

    def _relayout(self) -> None:
        height = self._flow(max(self.width(), 120))[1]
        if height != self._height:
            self._height = height
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(400, self._height)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._relayout()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))  # the view's own background, whatever the palette
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        places, _ = self._flow(self.width())
        for (colour, text, width), (x, y, _) in zip(self._items, places, strict=True):
            mid = y + fm.height() / 2 + 1
            if colour:
                p.setPen(QPen(QColor(colour), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
                p.drawLine(QPointF(x, mid), QPointF(x + SAMPLE_PX, mid))
                x += SAMPLE_PX + 4
            p.setPen(QColor("#333333"))
            p.drawText(QPointF(x, y + 1 + fm.ascent()), text)
        p.end()


class NetworkView(QWidget):
    """Draws a network it is handed: architecture, parameter values, gradients, thumbnails."""

    #: a weight or bias was clicked: its flat parameter index (-1: empty space)
    parameter_clicked = Signal(int)
    #: the pointer moved onto a weight or bias (-1: off)
    parameter_hovered = Signal(int)
    #: the pointer moved onto a neuron (or an input): its column (0: the inputs) and row; -1, -1: off
    neuron_hovered = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkView")
        self._view = pg.GraphicsView(background="#ffffff")
        self._view.setAntialiasing(True)
        self._vb = pg.ViewBox(lockAspect=True, enableMenu=False, invertY=True)
        self._vb.setMouseEnabled(False, False)
        self._view.setCentralItem(self._vb)
        self.key = NetworkKey()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._view, 1)
        layout.addWidget(self.key)
        self.line_items: list[Segments] = []
        for _sign in (palette.POSITIVE, palette.NEGATIVE):
            for level in range(LEVELS):
                item = Segments(pg.mkPen())
                item.setZValue(1 + level / LEVELS)  # the strong weights on top
                self._vb.addItem(item)
                self.line_items.append(item)
        self.highlight = pg.PlotCurveItem(pen=pg.mkPen(SELECTED, width=3.5), connect="pairs")
        self.highlight.setZValue(5)
        self.atlas = pg.ImageItem(axisOrder="row-major")
        self.atlas.setZValue(2)
        self.frames = pg.ScatterPlotItem(pxMode=False, symbol="s", brush=None,
                                         pen=pg.mkPen("#8d949c", width=1))
        self.frames.setZValue(3)
        self.hover_frame = pg.ScatterPlotItem(pxMode=False, symbol="s", brush=None,
                                              pen=pg.mkPen("#343a40", width=2.5))
        self.hover_frame.setZValue(3.5)
        self.biases = pg.ScatterPlotItem(pxMode=False, symbol="s", pen=pg.mkPen("#444444", width=0.6))
        self.biases.setZValue(4)
        self.bias_ring = pg.ScatterPlotItem(pxMode=False, symbol="s", brush=None,
                                            pen=pg.mkPen(SELECTED, width=2.5))
        self.bias_ring.setZValue(6)
        for item in (self.highlight, self.atlas, self.frames, self.hover_frame, self.biases, self.bias_ring):
            self._vb.addItem(item)
        self._texts: list[pg.TextItem] = []
        self.layout_: NetworkLayout | None = None
        self._inputs: list[str] = []
        self._heads: list[str] = []
        self._values = np.zeros(0)
        self._grads = np.zeros(0)
        self._labels: list[str] = []
        self._names: list[str] = []
        self._grids: list[np.ndarray] | None = None
        self._show_grads = False
        self._drawn = np.zeros(0, dtype=bool)  # which weight lines are drawn
        self._selected = -1
        self._hovered = -1
        self._hovered_node = -1
        self._view.scene().sigMouseClicked.connect(self._on_click)
        self._view.scene().sigMouseMoved.connect(self._on_move)
        self._style_lines(dense=False)
        self.setMinimumSize(260, 200)

    # -- the view contract --------------------------------------------------------------------

    def set_architecture(self, input_names: Sequence[str], layer_sizes: Sequence[int],
                         activations: Sequence[str] = ()) -> None:
        """A new network: ``layer_sizes`` are the hidden layers then the output layer."""
        sizes = [len(input_names), *layer_sizes]
        self._inputs = list(input_names)
        acts = list(activations) + ["relu"] * len(layer_sizes)
        heads = ["inputs"] + [f"layer {k + 1}\n{n} {acts[k]}" for k, n in enumerate(layer_sizes[:-1])]
        heads.append("output" if layer_sizes[-1] == 1 else f"{layer_sizes[-1]} outputs")
        self._heads = heads
        count = NetworkLayout(sizes, PX, PX).parameter_count
        self._values = np.zeros(count)
        self._grads = np.zeros(count)
        self._labels, self._names = [], []
        self._grids = None
        self._selected = -1
        self._set_hovered_node(-1)
        self._build(NetworkLayout(sizes, *self._pitches(sizes)))

    def _pitches(self, sizes: Sequence[int]) -> tuple[int, int]:
        """The column and row pitch (atlas pixels) that make the thumbnails as large as the view
        allows: rows as close as ``MIN_ROW`` and columns ``MIN_COL`` apart at the largest
        thumbnail that fits, then the spare room spread between them (up to ``MAX_ROW``, ``MAX_COL``)."""
        vp = self._view.viewport()
        w = max(vp.width() - MARGIN_PX["left"] - MARGIN_PX["right"], 40)
        h = max(vp.height() - MARGIN_PX["top"] - MARGIN_PX["bottom"], 40)
        cols, tallest = len(sizes), max(sizes)
        thumb = min(h / ((tallest - 1) * MIN_ROW + 1), w / ((cols - 1) * MIN_COL + 1), MAX_THUMB_PX)
        row = min(max((h / thumb - 1) / (tallest - 1), MIN_ROW), MAX_ROW) if tallest > 1 else MIN_ROW
        col = min(max((w / thumb - 1) / (cols - 1), MIN_COL), MAX_COL) if cols > 1 else MIN_COL
        return round(col * PX), round(row * PX)

    def fit_layout(self) -> None:
        """Spread the columns and rows to the view's shape (on a resize): the thumbnails grow."""
        lay = self.layout_
        if lay is not None and (lay.col_px, lay.row_px) != self._pitches(lay.sizes):
            self._build(NetworkLayout(lay.sizes, *self._pitches(lay.sizes)))

    def thumbnail_px(self) -> float:
        """How many screen pixels wide a thumbnail is drawn."""
        return 1.0 / max(self._vb.viewPixelSize()[0], 1e-9)

    def _build(self, lay: NetworkLayout) -> None:
        self.layout_ = lay
        for t in self._texts:
            self._vb.removeItem(t)
        self._texts = []
        for k, name in enumerate(self._inputs):
            self._text(name, lay.pos[k] - (0.6, 0), anchor=(1, 0.5))
        for c, head in enumerate(self._heads):
            self._text(head, (c * lay.col_px / PX + 0.5, -0.3), anchor=(0.5, 1))
        self.frames.setData(pos=lay.pos, size=1.0)
        self._place_thumbnails()
        self._frame_view()
        self._show_hover_frame()
        self._redraw()

    def _frame_view(self) -> None:
        """The drawing fills the view, the margins (in pixels) kept for the names and heads."""
        lay = self.layout_
        vp = self._view.viewport()
        w, h = lay.width_px / PX, lay.height_px / PX
        m = MARGIN_PX
        scale = min((vp.width() - m["left"] - m["right"]) / w, (vp.height() - m["top"] - m["bottom"]) / h)
        scale = max(scale, 1.0)
        self._style_lines(len(lay.segments) > DENSE_LINES, scale)
        self._vb.setRange(xRange=(-m["left"] / scale, w + m["right"] / scale),
                          yRange=(-m["top"] / scale, h + m["bottom"] / scale), padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if self.layout_ is not None:
            self.fit_layout()
            self._frame_view()

    def _style_lines(self, dense: bool, scale: float = PX) -> None:
        """Pens by sign and level: faint thin lines, solid thick ones, thinner where many lines
        share little room (``scale``: screen pixels per thumbnail), so that the layers between
        two columns do not merge into one patch. A dense network (thousands of lines) gets
        hairlines told apart by strength alone: wide lines would fill the view and cost seconds
        to paint."""
        lay = self.layout_
        if dense or lay is None:
            widths = (1.0,) * LEVELS if dense else WIDTHS
        else:
            gap = max(lay.col_px - PX, 1) / PX * scale  # between two columns, in screen pixels
            tall = lay.height_px / PX * scale
            most = max((a * b for a, b in zip(lay.sizes, lay.sizes[1:], strict=False)), default=1)
            room = float(np.clip(np.sqrt(gap * tall / most / ROOM_PX2), MIN_WIDTH_SCALE, 1.0))
            widths = tuple(max(round(w * room, 2), 0.5) for w in WIDTHS)
        self.widths = widths
        for k, item in enumerate(self.line_items):
            sign, level = (palette.POSITIVE, palette.NEGATIVE)[k // LEVELS], k % LEVELS
            colour = pg.mkColor(sign)
            colour.setAlphaF((0.25 if dense else 0.45) + (0.7 if dense else 0.5) * level / (LEVELS - 1))
            item.pen = pg.mkPen(colour, width=widths[level])
            item.update()
        self.key.set_mode(self._show_grads, self._largest(), widths)

    def set_parameters(self, values: np.ndarray, gradients: np.ndarray | None = None) -> None:
        """Every parameter's value (and gradient) in flat order."""
        self._values = np.asarray(values, dtype=float)
        if gradients is not None:
            self._grads = np.asarray(gradients, dtype=float)
        self._redraw()

    def set_parameter_labels(self, labels: Sequence[str]) -> None:
        """micrograd's labels (``w1.3.0``, ``b1.3``) in flat order; the tooltips name each for
        people first ("layer 2, neuron 4, from neuron 1 of layer 1 (w1.3.0)")."""
        self._labels = list(labels)
        sizes = self.layout_.sizes if self.layout_ is not None else [len(self._inputs), 1]
        self._names = [parameter_name(label, self._inputs, sizes) for label in self._labels]

    def set_show_gradients(self, on: bool) -> None:
        """Lines show gradients (relative to the largest) instead of weights."""
        self._show_grads = bool(on)
        self._redraw()

    def show_gradients(self) -> bool:
        return self._show_grads

    def set_thumbnails(self, grids: Sequence[np.ndarray]) -> None:
        """One (n, r, r) array per column (inputs, layers...), row 0 of each grid at the bottom."""
        self._grids = [np.asarray(g, dtype=float) for g in grids]
        self._place_thumbnails()

    def _place_thumbnails(self) -> None:
        lay = self.layout_
        if lay is None:
            return
        image = np.zeros((lay.height_px, lay.width_px, 4), dtype=np.uint8)  # transparent between thumbnails
        for c, stack in enumerate(self._grids or []):
            if stack.ndim != 3 or c >= len(lay.sizes) or stack.shape[0] != lay.sizes[c]:
                continue
            r = stack.shape[1]
            step = max(1, r // PX)
            stack = stack[:, ::-step, ::step][:, :PX, :PX]  # flip: the view's y grows downwards
            rgba = scores_to_rgba(stack.transpose(1, 0, 2).reshape(stack.shape[1], -1))
            rgba = rgba.reshape(stack.shape[1], len(stack), stack.shape[2], 4).transpose(1, 0, 2, 3)
            h, w = rgba.shape[1:3]
            for k in range(len(stack)):
                x0, y0 = np.round(lay.pos[lay.first[c] + k] * PX - PX / 2).astype(int)
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
        self.key.set_mode(self._show_grads, self._largest(), self.widths)
        self._draw_selection()

    def _largest(self) -> float:
        """The largest |gradient| of a weight (the thickest line in gradients mode), else nan."""
        lay = self.layout_
        if not self._show_grads or lay is None or len(self._grads) != lay.parameter_count:
            return float("nan")
        return float(np.abs(np.nan_to_num(self._grads[lay.weight_index])).max(initial=0.0))

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

    def node_at(self, scene_pos: QPointF) -> int:
        """The node (input or neuron, in column order) whose thumbnail is under ``scene_pos``, or -1."""
        lay = self.layout_
        if lay is None or not len(lay.pos):
            return -1
        p = self._vb.mapSceneToView(scene_pos)
        d = np.abs(lay.pos - (p.x(), p.y())).max(axis=1)
        k = int(np.argmin(d))
        return k if d[k] <= 0.5 else -1

    def viewport_pos_of_node(self, column: int, row: int):
        """Viewport-widget pixel coordinates of a node's centre (for tests that hover)."""
        lay = self.layout_
        x, y = lay.pos[lay.first[column] + row]
        return self._view.mapFromScene(self._vb.mapViewToScene(QPointF(float(x), float(y))))

    def parameter_name(self, index: int) -> str:
        """Parameter ``index`` named for people, micrograd's label beside it."""
        return self._names[index] if index < len(self._names) else f"parameter {index}"

    def node_name(self, column: int, row: int) -> str:
        """An input's feature name, or a neuron named for people: "layer 1, neuron 3 (n0.2)"."""
        if column == 0:
            return self._inputs[row] if row < len(self._inputs) else f"input {row + 1}"
        sizes = self.layout_.sizes if self.layout_ is not None else [len(self._inputs), 1]
        return parameter_name(f"n{column - 1}.{row}", self._inputs, sizes)

    def describe(self, index: int) -> str:
        """A tooltip for parameter ``index``: its name, value and gradient."""
        v = self._values[index] if index < len(self._values) else float("nan")
        g = self._grads[index] if index < len(self._grads) else float("nan")
        return f"{self.parameter_name(index)} = {_fmt(v)}\ngradient {_fmt(g)}\n(click to probe it)"

    def _on_click(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            self.parameter_clicked.emit(self.parameter_at(ev.scenePos()))

    def _on_move(self, scene_pos: QPointF) -> None:
        self._set_hovered_node(self.node_at(scene_pos))
        index = self.parameter_at(scene_pos)
        if index == self._hovered:
            return
        self._hovered = index
        if index < 0:
            QToolTip.hideText()
        else:
            tip = self.describe(index)
            if self._hovered_node >= 0:
                lay = self.layout_
                col, row = int(lay.col[self._hovered_node]), int(lay.row[self._hovered_node])
                tip = f"{self.node_name(col, row)}: its output is shown large in the plot\n\nits bias, {tip}"
            show_tip_at(self._view, scene_pos, tip)
        self.parameter_hovered.emit(index)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().leaveEvent(event)
        self._set_hovered_node(-1)

    def _set_hovered_node(self, node: int) -> None:
        if node == self._hovered_node:
            return
        self._hovered_node = node
        self._show_hover_frame()
        lay = self.layout_
        if node < 0 or lay is None:
            self.neuron_hovered.emit(-1, -1)
        else:
            self.neuron_hovered.emit(int(lay.col[node]), int(lay.row[node]))

    def _show_hover_frame(self) -> None:
        lay, node = self.layout_, self._hovered_node
        if lay is None or not 0 <= node < len(lay.pos):
            self.hover_frame.setData(pos=np.zeros((0, 2)))
        else:
            self.hover_frame.setData(pos=lay.pos[node:node + 1], size=1.08)
