"""``networkView``: the MLP as columns of neurons, each a thumbnail of its output over the input
plane, joined by weight lines whose width and colour show magnitude and sign; a key below it
(``networkKey``) says what colour and thickness mean, for weights or for gradients.

The columns and rows spread to the view's shape, so the thumbnails grow with the space they
have (``fit_layout``). Hovering a neuron emits ``neuron_hovered`` (the lab shows its output large
in the decision plot). Weights, biases and neurons are named for people by
``nn.parameter_name``: "layer 1, neuron 3, from x1 (w0.2.0)".

Parameters are addressed by their flat index in micrograd's ``MLP.parameters()`` order: layer
by layer, neuron by neuron, its weights then its bias.  The view is split by concern: where
things sit and what lies under a point (``geometry``, Qt-free), the handful of pyqtgraph items
it draws with whatever the network's size (``view_items``), the key (``key``); this module
holds the view's contract (``set_*``) and the pointer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6)

from gradlab.nn import parameter_name
from gradlab.ui.common.graph_canvas import show_tip_at
from gradlab.ui.common.plots import BACKGROUND
from gradlab.ui.network.geometry import (
    LEVELS,
    MAX_LINES,  # noqa: F401 -- the view's limit, read from here too
    PX,
    WIDTHS,
    NetworkLayout,
    ParameterNames,
    fit_pitches,
    line_buckets,
    strength_levels,
)
from gradlab.ui.network.key import NetworkKey, short_number
from gradlab.ui.network.view_items import NetworkItems

__all__ = ["NetworkKey", "NetworkLayout", "NetworkView"]

#: above this many weight lines, every line is a hairline (see ``_style_lines``)
DENSE_LINES = 2500


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
        self._view = pg.GraphicsView(background=BACKGROUND)
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
        self.items = NetworkItems(self._vb)
        # the items the labs and the tests look at, by their names
        self.line_items, self.atlas = self.items.line_items, self.items.atlas
        self.layout_: NetworkLayout | None = None
        self._inputs: list[str] = []
        self._heads: list[str] = []
        self._values = np.zeros(0)
        self._grads = np.zeros(0)
        self._grad_source = None  # reads the gradients when first shown (set_parameters)
        self._labels: list[str] = []
        self._names: Sequence[str] = []
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
        self._grads, self._grad_source = np.zeros(count), None
        self._labels, self._names = [], []
        self._grids = None
        self._selected = -1
        self._set_hovered_node(-1)
        self._build(NetworkLayout(sizes, *self._pitches(sizes)))

    def _pitches(self, sizes: Sequence[int]) -> tuple[int, int]:
        vp = self._view.viewport()
        return fit_pitches(vp.width(), vp.height(), sizes)

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
        self.items.show_texts(lay, self._inputs, self._heads)
        self._place_thumbnails()
        self._frame_view()
        self.items.show_hover(lay, self._hovered_node)
        self._redraw()

    def _frame_view(self) -> None:
        """The drawing fills the view, the margins (in pixels) kept for the names and heads."""
        lay = self.layout_
        vp = self._view.viewport()
        scale, x_range, y_range = lay.framing(vp.width(), vp.height())
        self._style_lines(len(lay.segments) > DENSE_LINES, scale)
        self._vb.setRange(xRange=x_range, yRange=y_range, padding=0)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        lay = self.layout_
        if lay is not None:
            self.fit_layout()
            if self.layout_ is lay:  # the same layout (a rebuilt one is framed as it is built)
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
            widths = lay.line_widths(scale)
        self.widths = widths
        self.items.style_lines(widths, dense)
        self.key.set_mode(self._show_grads, self._largest(), widths)

    def set_parameters(self, values: np.ndarray, gradients: np.ndarray | None = None) -> None:
        """Every parameter's value (and gradient: an array, or a function that reads them, called
        only when the lines or a tooltip show gradients) in flat order."""
        self._values = np.asarray(values, dtype=float)
        if callable(gradients):
            self._grad_source = gradients
        elif gradients is not None:
            self._grads, self._grad_source = np.asarray(gradients, dtype=float), None
        self._redraw()

    def _gradients(self) -> np.ndarray:
        if self._grad_source is not None:
            self._grads, self._grad_source = np.asarray(self._grad_source(), dtype=float), None
        return self._grads

    def set_parameter_labels(self, labels: Sequence[str]) -> None:
        """micrograd's labels (``w1.3.0``, ``b1.3``) in flat order; the tooltips name each for
        people first ("layer 2, neuron 4, from neuron 1 of layer 1 (w1.3.0)")."""
        self._labels = list(labels)
        sizes = self.layout_.sizes if self.layout_ is not None else [len(self._inputs), 1]
        self._names = ParameterNames(self._labels, self._inputs, sizes)

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
        self.items.show_atlas(lay, self._grids or [])

    def set_selected(self, index: int) -> None:
        """Highlight parameter ``index`` (-1: none)."""
        self._selected = index
        self._draw_selection()

    # -- drawing -----------------------------------------------------------------------------------

    def _shown(self) -> np.ndarray:
        return self._gradients() if self._show_grads else self._values

    def _redraw(self) -> None:
        lay = self.layout_
        if lay is None or len(self._values) != lay.parameter_count:
            return
        shown = self._shown()
        bucket = line_buckets(shown[lay.weight_index], relative=self._show_grads)
        self._drawn = bucket >= 0
        self.items.draw_lines(lay.segments, bucket)
        b = shown[lay.bias_index]
        self.items.draw_biases(lay, b, strength_levels(b, relative=self._show_grads) if len(b)
                               else np.zeros(0, int))
        self.key.set_mode(self._show_grads, self._largest(), self.widths)
        self._draw_selection()

    def _largest(self) -> float:
        """The largest |gradient| of a weight (the thickest line in gradients mode), else nan."""
        lay = self.layout_
        if not self._show_grads or lay is None or len(self._gradients()) != lay.parameter_count:
            return float("nan")
        return float(np.abs(np.nan_to_num(self._grads[lay.weight_index])).max(initial=0.0))

    def _draw_selection(self) -> None:
        self.items.show_selection(self.layout_, self._selected)

    # -- hit testing ------------------------------------------------------------------------------

    def parameter_at(self, scene_pos: QPointF) -> int:
        """The parameter under ``scene_pos``: a bias square (or its neuron) first, then a line."""
        lay = self.layout_
        if lay is None:
            return -1
        p = self._vb.mapSceneToView(scene_pos)
        return lay.parameter_near(p.x(), p.y(), max(self._vb.viewPixelSize()[0], 1e-9), self._drawn)

    def scene_pos_of_parameter(self, index: int) -> QPointF:
        """Scene coordinates of a point on parameter ``index``'s line (a weight) or square (a bias)."""
        x, y = self.layout_.point_on(index)
        return self._vb.mapViewToScene(QPointF(float(x), float(y)))

    def viewport_pos_of_parameter(self, index: int):
        """Viewport-widget pixel coordinates of parameter ``index`` (for tests that click)."""
        return self._view.mapFromScene(self.scene_pos_of_parameter(index))

    def viewport_widget(self) -> QWidget:
        return self._view.viewport()

    def node_at(self, scene_pos: QPointF) -> int:
        """The node (input or neuron, in column order) whose thumbnail is under ``scene_pos``, or -1."""
        lay = self.layout_
        if lay is None:
            return -1
        p = self._vb.mapSceneToView(scene_pos)
        return lay.node_near(p.x(), p.y())

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
        grads = self._gradients()
        g = grads[index] if index < len(grads) else float("nan")
        return (f"{self.parameter_name(index)} = {short_number(v)}\ngradient {short_number(g)}\n"
                "(click to probe it)")

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
        self.items.show_hover(self.layout_, node)
        lay = self.layout_
        if node < 0 or lay is None:
            self.neuron_hovered.emit(-1, -1)
        else:
            self.neuron_hovered.emit(int(lay.col[node]), int(lay.row[node]))
