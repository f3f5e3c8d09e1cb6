"""The pyqtgraph items the network view draws with, and how each is drawn from a layout.

A handful of items whatever the network's size (as ``GraphItem`` does): one batch of line
segments per (sign, magnitude) bucket (the graph canvas's ``Segments``: one ``drawLines`` call,
culled to the exposed area), one ``ImageItem`` holding every thumbnail (an atlas), one
``ScatterPlotItem`` for the biases, one for the node frames, a highlight line and ring for the
selected parameter, a frame for the hovered neuron, and the text of the names and heads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import pyqtgraph as pg  # isort: skip  (after PySide6, which the view imports first)

from gradlab.ui.common import palette
from gradlab.ui.common.graph_canvas import Segments  # the canvas's culled, batched lines
from gradlab.ui.common.plots import BACKGROUND
from gradlab.ui.network.geometry import LEVELS, PX, NetworkLayout
from gradlab.ui.network.heatmap import scores_to_rgba

__all__ = ["NetworkItems"]

SELECTED = "#d6336c"


def _squares(z: float, pen, **style) -> pg.ScatterPlotItem:
    """Squares sized in drawing units, drawn at height ``z``."""
    item = pg.ScatterPlotItem(pxMode=False, symbol="s", pen=pen, **style)
    item.setZValue(z)
    return item


class NetworkItems:
    """Every item of the network view, added to ``vb``; each ``show_*``/``draw_*`` redraws one."""

    def __init__(self, vb: pg.ViewBox) -> None:
        self._vb = vb
        self.line_items: list[Segments] = []
        for _sign in (palette.POSITIVE, palette.NEGATIVE):
            for level in range(LEVELS):
                item = Segments(pg.mkPen())
                item.setZValue(1 + level / LEVELS)  # the strong weights on top
                vb.addItem(item)
                self.line_items.append(item)
        self.highlight = pg.PlotCurveItem(pen=pg.mkPen(SELECTED, width=3.5), connect="pairs")
        self.highlight.setZValue(5)
        self.atlas = pg.ImageItem(axisOrder="row-major")
        self.atlas.setZValue(2)
        self.frames = _squares(3, pg.mkPen("#8d949c", width=1), brush=None)
        self.hover_frame = _squares(3.5, pg.mkPen("#343a40", width=2.5), brush=None)
        self.biases = _squares(4, pg.mkPen("#444444", width=0.6))
        self.bias_ring = _squares(6, pg.mkPen(SELECTED, width=2.5), brush=None)
        for item in (self.highlight, self.atlas, self.frames, self.hover_frame, self.biases, self.bias_ring):
            vb.addItem(item)
        self._texts: list[pg.TextItem] = []

    def show_texts(self, lay: NetworkLayout, inputs: Sequence[str], heads: Sequence[str]) -> None:
        """The input names left of the first column, a head above every column.  The text items
        are kept and moved (a resized view), or given their new text (a new network): one takes
        a millisecond or two to make, and a window shown resizes the view several times."""
        texts = [(name, (1, 0.5), tuple(lay.pos[k] - (0.6, 0))) for k, name in enumerate(inputs)]
        texts += [(head, (0.5, 1), (c * lay.col_px / PX + 0.5, -0.3)) for c, head in enumerate(heads)]
        for item in self._texts[len(texts):]:
            self._vb.removeItem(item)
        del self._texts[len(texts):]
        for k, (text, anchor, at) in enumerate(texts):
            if k == len(self._texts):
                self._texts.append(pg.TextItem(text, color="#333333", anchor=anchor))
                self._vb.addItem(self._texts[k])
            item = self._texts[k]
            item.setText(text)  # a no-op for the same text
            if tuple(item.anchor) != anchor:
                item.setAnchor(anchor)
            item.setPos(*at)
        self.frames.setData(pos=lay.pos, size=1.0)

    def style_lines(self, widths: Sequence[float], dense: bool) -> None:
        """Pens by sign and level: faint thin lines, solid thick ones; a dense network's fainter
        lines get more contrast, as they are all hairlines.  A line wider than a pixel is drawn
        in its colour over the view's white, opaque: Qt paints a wide translucent line ten times
        slower than an opaque one (20 ms a frame of the demo network, at every training step)."""
        for k, item in enumerate(self.line_items):
            sign, level = (palette.POSITIVE, palette.NEGATIVE)[k // LEVELS], k % LEVELS
            alpha = (0.25 if dense else 0.45) + (0.7 if dense else 0.5) * level / (LEVELS - 1)
            if widths[level] > 1:
                colour = pg.mkColor(palette.blend(sign, alpha, BACKGROUND))
            else:
                colour = pg.mkColor(sign)
                colour.setAlphaF(alpha)
            item.pen = pg.mkPen(colour, width=widths[level])
            item.update()

    def draw_lines(self, segments: np.ndarray, bucket: np.ndarray) -> None:
        """Each segment with the pen of its bucket (-1: not drawn)."""
        for k, item in enumerate(self.line_items):
            item.set_segments(segments[bucket == k])

    def draw_biases(self, lay: NetworkLayout, biases: np.ndarray, levels: np.ndarray) -> None:
        brushes = [pg.mkBrush(palette.POSITIVE), pg.mkBrush(palette.NEGATIVE)]
        self.biases.setData(pos=lay.bias_pos, size=0.22 + 0.07 * levels,
                            brush=[brushes[int(x < 0)] for x in biases.tolist()])

    def show_selection(self, lay: NetworkLayout | None, index: int) -> None:
        """Parameter ``index`` highlighted: its line, or a ring round its bias (-1: none)."""
        self.highlight.setData([], [])
        self.bias_ring.setData(pos=np.zeros((0, 2)))
        if lay is None or index < 0:
            return
        line, bias = lay.selection_marks(index)
        if line is not None:
            self.highlight.setData(*line)
        if len(bias):
            self.bias_ring.setData(pos=bias, size=0.5)

    def show_hover(self, lay: NetworkLayout | None, node: int) -> None:
        """A darker frame round node ``node`` (-1: none)."""
        if lay is None or not 0 <= node < len(lay.pos):
            self.hover_frame.setData(pos=np.zeros((0, 2)))
        else:
            self.hover_frame.setData(pos=lay.pos[node:node + 1], size=1.08)

    def show_atlas(self, lay: NetworkLayout, grids: Sequence[np.ndarray]) -> None:
        self.atlas.setImage(atlas_image(lay, grids), autoLevels=False)
        self.atlas.setRect(0, 0, lay.width_px / PX, lay.height_px / PX)


def atlas_image(lay: NetworkLayout, grids: Sequence[np.ndarray]) -> np.ndarray:
    """Every thumbnail in one RGBA image the size of the drawing (transparent between them):
    ``grids`` holds one (n, r, r) stack per column, row 0 of each grid at the bottom; a stack
    that does not match its column is left out."""
    image = np.zeros((lay.height_px, lay.width_px, 4), dtype=np.uint8)
    for c, stack in enumerate(grids):
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
    return image
