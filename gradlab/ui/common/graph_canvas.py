"""The computation-graph view: value boxes, op circles and arrows, coloured by gradient.

Five graphics items whatever the graph's size (node sprites, edge lines, arrowhead sprites,
highlighted-path lines, and the text of the nodes in view); a value change restyles them
from numpy arrays: no relayout, no new items.  Edges follow the layout's routes (around
boxes, never behind them); the layout's orientation suits the canvas's shape.

Colours (one convention with the network lab, ``gradlab.ui.common.palette``): a box's fill is blue
for a positive gradient and orange for a negative one, stronger by decade of |grad| on a
fixed scale (the legend shows it), so a node keeps its colour while others change.
Outlines say what a node is (role, non-finite) and highlights what the learner did
(selection and its path, the step-through's node, the editor's line).
"""

from __future__ import annotations

import errno
import math
import os
import weakref

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QLineF, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF, QTransform
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QToolButton, QToolTip, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)
from pyqtgraph.Qt.internals import PrimitiveArray  # isort: skip

from gradlab.graph import GraphModel
from gradlab.layout import BOX_H, BOX_W, OP_D
from gradlab.layout.edges import ARROW, NO_EDGES
from gradlab.numfmt import format_number
from gradlab.ui.common import palette
from gradlab.ui.common.canvas_overlays import Banner, Legend, Overview
from gradlab.ui.common.text import elide, tip

__all__ = ["GraphCanvas"]

#: drawn box size, as the layout reserves it (MAX_GROWTH); one size: the fill shows |grad|
SIZE_STEPS = (1.0,)
#: |grad| decades that step the fill up: level k holds GRAD_EDGES[k-2] <= |grad| < GRAD_EDGES[k-1]
GRAD_EDGES = (0.01, 0.1, 1.0, 10.0, 100.0)
LEVELS = len(GRAD_EDGES) + 1  # fill intensities per gradient sign
MAX_LABELS = 400  # with more value nodes in view, labels are noise
MIN_FONT_PX = 7.0
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
RELAYOUT_DELAY_MS = 120  # after the last resize, the drawing that suits the new shape
COARSE_BELOW_PX = 4.0  # px per drawing unit below which edges are drawn straight
MAX_AA_LINES = 4000  # antialiasing more thin lines than this costs more than it shows
BACKGROUND = "#fbfbf9"
ROLE_CLASS = {"input": 0, "parameter": 1, "constant": 2, "intermediate": 3, "output": 4}
CONSTANT, NONFINITE, OP = 2, 5, 6
# outline (colour, width, dashed) per class: the roles, then non-finite values and op nodes
CLASS_PENS = (("#2b8a3e", 2.4, False), ("#0b7285", 2.4, False), ("#adb5bd", 1.0, False),
              ("#495057", 1.1, False), ("#111111", 3.2, False), ("#7048e8", 3.0, True),
              ("#868e96", 1.0, False))
CLASS_NAMES = ("input (a leaf you set)", "parameter", "constant", "computed", "output",
               "nan or inf", "op")
# highlights override the colour: none, on the selected path, selected, the step-through's
# node, made by the editor's line
PATH_COLOUR = "#d6336c"
STATE_PENS = (None, (PATH_COLOUR, 2.6), ("#a61e4d", 4.6), ("#f59f00", 4.6), ("#1c7ed6", 3.6))
STATE_NAMES = ("", "on the path to the output", "selected", "just filled in (step-through)",
               "made on the editor's line")
PATH, SELECTED, ACTIVE, ON_LINE = 1, 2, 3, 4
ZERO_FILL, NONFINITE_FILL, PENDING_FILL = "#e9ecef", "#f3d9fa", "#ffffff"
OP_TEXT = {"sigmoid": "σ", "*": "×"}


def _text_px(w: float, h: float) -> int:
    """The pixel size of a box's text when the box is ``w`` x ``h`` pixels."""
    return math.floor(min(h / BOX_LINES, w / TEXT_EMS, 15.0) + 0.5 + 1e-9)  # half up: 9.5 is 10


def _brushes() -> list:
    """Fills by level: 0 zero grad, 1..L positive, L+1..2L negative, 2L+1 non-finite; the same
    again muted (constants); then the op fill and the arrow fills (plain, on the path)."""

    def _blend(a: str, b: str, t: float) -> QColor:
        ca, cb = QColor(a).getRgbF(), QColor(b).getRgbF()
        return QColor.fromRgbF(*(ca[k] * (1 - t) + cb[k] * t for k in range(3)))

    fills = [QColor(c) for c in fill_colours()]
    fills += [_blend("#f1f3f5", c.name(), 0.45) for c in fills]
    fills += [QColor("#ffffff"), QColor("#868e96"), QColor(PATH_COLOUR), QColor(PENDING_FILL)]
    return [pg.mkBrush(c) for c in fills]


def fill_colours() -> list[str]:
    """Fills by level: 0 zero grad, 1..L positive (blue), L+1..2L negative (orange), 2L+1 non-finite."""

    def blend(colour: str, t: float) -> str:
        a, b = np.array(palette.rgb("#ffffff"), float), np.array(palette.rgb(colour), float)
        r, g, b = (round(c) for c in a + (b - a) * t)
        return f"#{r:02x}{g:02x}{b:02x}"

    ramp = [0.12 + 0.58 * (k - 1) / (LEVELS - 1) for k in range(1, LEVELS + 1)]  # text stays legible
    return ([ZERO_FILL] + [blend(palette.POSITIVE, t) for t in ramp]
            + [blend(palette.NEGATIVE, t) for t in ramp] + [NONFINITE_FILL])


def grad_levels(g: np.ndarray) -> np.ndarray:
    """The fill level of each gradient on the fixed scale (0: zero; 1..LEVELS by decade of |g|)."""
    level = 1 + np.searchsorted(np.array(GRAD_EDGES), np.abs(g), side="right")
    return np.where(g != 0, level, 0)


OP_BRUSH, ARROW_BRUSH, PENDING_BRUSH = 4 * LEVELS + 4, 4 * LEVELS + 5, 4 * LEVELS + 7


def legend_rows() -> list[tuple[str, str, str, float, bool]]:
    """The full legend: every fill (the fixed |grad| scale) and every outline the canvas draws."""
    fills = fill_colours()
    edges = [0.0, *GRAD_EDGES]
    grey = "#adb5bd"
    rows = [("grad = 0", fills[0], grey, 1.0, False)]
    for k in range(1, LEVELS + 1):
        lo = edges[k - 1]
        span = f"|grad| ≥ {GRAD_EDGES[-1]:g}" if k == LEVELS else (
            f"|grad| < {edges[k]:g}" if k == 1 else f"{lo:g} ≤ |grad| < {edges[k]:g}")
        rows.append((f"{span}: blue +, orange −", fills[k], fills[LEVELS + k], 3.0, False))
    rows.append(("grad not computed yet (step-through)", PENDING_FILL, grey, 1.0, False))
    rows.append(("constant: the fill, muted", "#f1f3f5", grey, 1.0, False))
    for (colour, width, dashed), name in zip(CLASS_PENS, CLASS_NAMES, strict=True):
        if name != "op":
            rows.append((f"outline: {name}", "#ffffff", colour, min(width, 3.0), dashed))
    for state, name in zip(STATE_PENS[1:], STATE_NAMES[1:], strict=True):
        rows.append((f"outline: {name}", "#ffffff", state[0], min(state[1], 3.5), False))
    return rows


def _pens() -> list:
    pens = []
    for state in STATE_PENS:
        for colour, width, dashed in CLASS_PENS:
            pen = pg.mkPen(state[0] if state else colour, width=max(width, state[1] if state else 0))
            if dashed and not state:
                pen.setStyle(Qt.PenStyle.DashLine)
            pens.append(pen)
    return pens


def _symbols() -> list:
    """The value box, the op circle, then arrowheads pointing every 10 degrees."""
    box = QPainterPath()  # pyqtgraph scales a symbol by its size: unit width
    box.addRoundedRect(QRectF(-0.5, -BOX_H / BOX_W / 2, 1, BOX_H / BOX_W), 0.09, 0.09)
    tri = QPainterPath()
    tri.addPolygon(QPolygonF([QPointF(0.5, 0), QPointF(-0.5, -0.32), QPointF(-0.5, 0.32)]))
    return [box, "o"] + [QTransform().rotate(a).map(tri) for a in range(-180, 180, 10)]


class _Sprites(pg.ScatterPlotItem):
    """Pixel-mode sprites styled from a small table of styles.

    pyqtgraph looks up every spot's style in its atlas one by one; with a few dozen
    distinct styles, one lookup per style and a numpy gather is all a restyle costs.
    """

    def __init__(self) -> None:
        self._styles: list = []
        self._style_of: np.ndarray | None = None
        super().__init__(pxMode=True, antialias=True)

    def set_positions(self, pos: np.ndarray) -> None:
        self._style_of = None
        self.setData(pos=pos)

    def set_styles(self, styles: list, style_of: np.ndarray) -> None:
        """``styles``: (symbol, size, pen, brush) tuples; ``style_of``: one index per spot."""
        # the same index array means the same styles at another zoom: only sizes changed
        columns = (1,) if style_of is self._style_of else range(4)
        for k in columns:
            table = np.empty(len(styles), dtype=float if k == 1 else object)
            table[:] = [s[k] for s in styles]
            self.data[("symbol", "size", "pen", "brush")[k]] = table[style_of]
        self._styles, self._style_of = styles, style_of
        self.updateSpots()

    def updateSpots(self, dataSet=None) -> None:  # noqa: N802 (pyqtgraph's name)
        if self._style_of is None or len(self._style_of) != len(self.data):
            return  # the styles come with set_styles
        atlas = self.fragmentAtlas
        if len(atlas) > 2 * len(self._styles) + 8:
            atlas.clear()  # sprites of earlier zoom levels: large ones add up fast
        rects = np.array([tuple(r) for r in atlas[self._styles]], dtype=self.data.dtype["sourceRect"])
        self.data["sourceRect"] = rects[self._style_of] if len(rects) else 0
        self._updateMaxSpotSizes()
        self.invalidate()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 -- the canvas hit-tests, without spot items
        ev.ignore()


def show_tip_at(view, scene_pos: QPointF, text: str) -> None:
    """Show ``text`` as a tooltip where ``scene_pos`` of ``view`` is on the screen (hovering)."""
    viewport = view.viewport()
    QToolTip.showText(viewport.mapToGlobal(view.mapFromScene(scene_pos)), text, viewport, QRect())


class Segments(QGraphicsObject):
    """Line segments from a numpy array, culled to the exposed area, drawn with one drawLines call.

    With ``coarse`` segments too (one straight piece per edge), those are drawn instead while
    a drawing unit is under ``COARSE_BELOW_PX`` pixels: the routes' bends are then invisible,
    and a big graph at fit would otherwise draw five times the lines.
    """

    def __init__(self, pen: QPen) -> None:
        super().__init__()
        self.pen = pen
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # for exposedRect
        self._lines = PrimitiveArray(QLineF, 4)
        self.set_segments(np.zeros((0, 4)))

    def set_segments(self, seg: np.ndarray, coarse: np.ndarray | None = None) -> None:
        """``seg``: (m, 4) rows of x1, y1, x2, y2; ``coarse``: the same edges, straight."""
        self.prepareGeometryChange()
        self.seg = seg
        self._lo, self._hi = np.minimum(seg[:, :2], seg[:, 2:]), np.maximum(seg[:, :2], seg[:, 2:])
        self._coarse = coarse
        if coarse is not None:
            self._coarse_lo = np.minimum(coarse[:, :2], coarse[:, 2:])
            self._coarse_hi = np.maximum(coarse[:, :2], coarse[:, 2:])
        lo, hi = (self._lo.min(axis=0) - 0.1, self._hi.max(axis=0) + 0.1) if len(seg) else ((0, 0), (0, 0))
        self._rect = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def paint(self, p: QPainter, option, widget=None) -> None:
        r, lo, hi, seg = option.exposedRect, self._lo, self._hi, self.seg
        if self._coarse is not None and abs(p.transform().m11()) < COARSE_BELOW_PX:
            lo, hi, seg = self._coarse_lo, self._coarse_hi, self._coarse
        seg = seg[(hi[:, 0] >= r.left()) & (lo[:, 0] <= r.right())
                       & (hi[:, 1] >= r.top()) & (lo[:, 1] <= r.bottom())]
        if len(seg):
            p.setRenderHint(QPainter.RenderHint.Antialiasing, len(seg) <= MAX_AA_LINES)
            p.setPen(self.pen)
            self._lines.resize(len(seg))
            self._lines.ndarray()[:] = seg
            p.drawLines(*self._lines.drawargs())


class _Labels(QGraphicsObject):
    """Paints the text of the nodes in view, in device pixels so it stays crisp at any zoom."""

    def __init__(self, canvas: GraphCanvas) -> None:
        super().__init__()
        # a weak reference: an item of the canvas's own scene that kept the canvas alive could be
        # the one the garbage collector frees first, and the canvas's scene would then be
        # destroyed while it still holds this item (a segfault in QGraphicsScene::clear)
        self._paint_labels = weakref.WeakMethod(canvas._paint_labels)
        self.rect = QRectF()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect

    def paint(self, p: QPainter, option, widget=None) -> None:
        paint = self._paint_labels()
        if paint is not None:
            paint(p)


class GraphCanvas(QWidget):
    """The computation graph of a ``GraphModel``: wheel zooms, drag pans, click selects,
    double-click on empty space fits."""

    node_clicked = Signal(int)  # value index; an op node gives its result; -1 for empty space
    node_hovered = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphCanvas")
        self._view = pg.GraphicsView(background=BACKGROUND)
        self._view.setAntialiasing(True)
        self._vb = pg.ViewBox(lockAspect=True, enableMenu=False, invertY=True)
        self._vb.disableAutoRange()
        self._vb.setLimits(minXRange=4.0, minYRange=3.0)  # bounds sprite sizes, and atlas memory
        self._view.setCentralItem(self._vb)
        QVBoxLayout(self).setContentsMargins(0, 0, 0, 0)
        self.layout().addWidget(self._view)
        self._brushes, self._pens, self._symbols = _brushes(), _pens(), _symbols()
        self.edge_item = Segments(pg.mkPen("#a5adb5", width=1.0))
        self.path_item = Segments(pg.mkPen(PATH_COLOUR, width=2.6))
        self.arrow_item, self.node_item = _Sprites(), _Sprites()
        self.label_item = _Labels(self)
        for z, item in enumerate((self.edge_item, self.path_item, self.arrow_item, self.node_item,
                                  self.label_item)):
            item.setZValue(z + 10)
            self._vb.addItem(item, ignoreBounds=True)
        self._font, self._bold, self._op_font = QFont(), QFont(), QFont()
        self._bold.setBold(True)
        self._op_widths: dict[str, float] = {}
        self._scale = 0.0  # device pixels per drawing unit, as last applied to sprite sizes
        self._pending = np.zeros(0, dtype=bool)  # step-through: the nodes with no gradient yet
        self._step_parents: tuple[int, ...] = ()  # step-through: the active node's operands
        self._line_nodes = np.zeros(0, dtype=np.int64)
        self._corner_memo: tuple = (None, None, None)  # see _free_key_corner
        self.key = Legend("graphKey", self)
        self.key.set_rows("", [("grad > 0", fill_colours()[3], "#adb5bd", 1.0, False),
                               ("grad < 0", fill_colours()[LEVELS + 3], "#adb5bd", 1.0, False)],
                          sample=True)
        self.key.setToolTip("A box shows its value's name, data and grad (as micrograd's draw_dot "
                            "does), and is filled blue for a positive gradient, orange for a negative "
                            "one, stronger by decade of |grad|. View ▸ Legend explains every colour.")
        self.legend = Legend("graphLegend", self)
        self.legend.set_rows("Legend", legend_rows(), sample=True)
        self.legend.hide()
        self._key_on = self._legend_on = False  # shown when a corner of the view has room for it
        self._overview_on = False  # part of the graph is out of view
        self.overview = Overview(self)
        self.overview.moved_to.connect(self.centre_on)
        # where no corner of the view is free for the overview, this small button opens it
        self.map_button = QToolButton(self, objectName="overviewButton", text="Map", checkable=True)
        self.map_button.setToolTip("Show the map of the whole graph (it covers part of the view)")
        self.map_button.toggled.connect(lambda _on: self._place_overlays())
        self.map_button.hide()
        # above the view, never over the graph: a failed run (the graph is the last good one),
        # and the step-through's counter and rule
        self.banner = Banner("graphBanner", self)
        self.step_banner = Banner("stepBanner", self)
        self.layout().insertWidget(0, self.banner)
        self.layout().insertWidget(1, self.step_banner)
        self.message = Banner("graphMessage", self)  # no graph to draw, and why
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._relayout_timer = QTimer(self, singleShot=True, interval=RELAYOUT_DELAY_MS)
        self._relayout_timer.timeout.connect(self._relayout_for_size)
        self._held = None  # see hold_view
        #: how the view was last set: "open" (open_view), "fit" (fit), None: moved by the
        #: learner (a wheel, a drag, the overview, a zoom or a pan); see view_moved
        self._view_mode: str | None = None
        self.user_moves = 0  # how many times the learner moved the view (a wheel, a drag, a menu)
        self.set_graph(None)
        self._vb.sigTransformChanged.connect(self._on_view_changed)
        self._vb.sigRangeChangedManually.connect(self._on_moved_by_user)  # a wheel or a drag
        self._view.scene().sigMouseClicked.connect(self._on_click)
        self._view.scene().sigMouseMoved.connect(self._on_move)

    # -- public API ------------------------------------------------------------------------

    def viewport_widget(self) -> QWidget:
        """The widget that receives mouse events."""
        return self._view.viewport()

    @property
    def view_box(self) -> pg.ViewBox:
        return self._vb

    @property
    def graph(self) -> GraphModel | None:
        return self._graph

    def set_graph(self, graph: GraphModel | None) -> None:
        """Draw a new graph (its structure changed) in the orientation that suits the canvas, and
        open it: fitted if its text is readable so, else readable around the output; None clears."""
        self._graph = graph
        self._selected = self._active = self._hovered = -1
        self._pending = np.zeros(len(graph) if graph is not None else 0, dtype=bool)
        self._step_parents = ()
        self._line_nodes = np.zeros(0, dtype=np.int64)
        self._place_drawing(graph.drawing_for(*self.view_shape()) if graph is not None else None)
        self._key_on = graph is not None and not self._legend_on  # no key to nothing
        self._place_overlays()
        self.open_view()

    def view_shape(self) -> tuple[float | None, tuple[float, float] | None]:
        """The view's (aspect, room), as ``GraphModel.drawing_for`` takes them: width / height,
        and the width and height in drawing units at a comfortable text size (COMFORTABLE
        times the readable one); (None, None) before the canvas has a size."""
        size = self._view.viewport().size()
        w, h = size.width(), size.height()
        if w <= 0 or h <= 0:
            return None, None
        s = self.readable_scale() * COMFORTABLE
        return w / h, (w / s, h / s)

    def _relayout_for_size(self) -> None:
        """The canvas changed shape: a view as it opened opens again (in the drawing that suits
        the new shape: the layout's cached orientations and foldings), a fitted one fits again;
        one the learner moved stays, unless the drawing changes."""
        if self._graph is None:
            return
        if self._view_mode == "open" or self._graph.drawing_for(*self.view_shape()) is not self.drawing:
            self.open_view()
        elif self._view_mode == "fit":
            self.fit()
        if self._selected >= 0:  # the selection and the output stay in sight at any size
            self.keep_in_view([self._selected, self._n - 1])

    def view_moved(self) -> bool:
        """Whether the learner moved the view since it was opened or fitted."""
        return self._view_mode is None

    def _on_moved_by_user(self, *_args) -> None:
        self._view_mode = None
        self.user_moves += 1

    def _take_drawing_for_size(self) -> None:
        d = self._graph.drawing_for(*self.view_shape()) if self._graph is not None else None
        if d is not None and d is not self.drawing:
            self._place_drawing(d)
            self._update_path()
            self._restyle()

    def _place_drawing(self, d) -> None:
        graph = self._graph
        self.drawing = d
        n = self._n = len(graph) if graph is not None else 0
        empty = d is None
        self._pos = np.zeros((0, 2)) if empty else d.pos.astype(float)
        self._is_op = np.zeros(0, dtype=bool) if empty else d.is_op
        self._value_index = np.zeros(0, dtype=np.int64) if empty else d.value_index
        self._edges = np.zeros((0, 2), dtype=np.int64) if empty else d.edges
        roles = [ROLE_CLASS[r] for r in graph.roles] if graph is not None else []
        self._role_class = np.array(roles + [OP] * (len(self._pos) - n), dtype=np.int64)
        self._half = np.where(self._is_op[:, None], OP_D / 2, [[BOX_W / 2, BOX_H / 2]])
        self._half_max = self._half * np.where(self._is_op, 1.0, SIZE_STEPS[-1])[:, None]
        self._op_text = [OP_TEXT.get(v._op, v._op) for v in graph.values] if graph is not None else []
        self._path_rows = np.zeros(len(self._pos), dtype=bool)
        self._build_edges()
        self.node_item.set_positions(self._pos)
        lo, hi = (self._pos.min(axis=0) - 1, self._pos.max(axis=0) + 1) if n else ((0, 0), (0, 0))
        self.label_item.prepareGeometryChange()
        self.label_item.rect = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        self.refresh_values()
        if n:
            x0, y0, x1, y1 = d.extent()
            self.overview.set_graph(self._pos[:n], QRectF(x0, y0, x1 - x0, y1 - y0),
                                    np.zeros(n, dtype=np.int64), ["#868e96"])

    def refresh_values(self, changed: list[int] | None = None) -> None:
        """Values or gradients changed in place: restyle the nodes and repaint the labels.

        ``changed`` (the lab's signal payload) is not needed: every gradient may have moved
        and the colour scale is global, so all nodes are restyled, vectorised.
        """
        values = self._graph.values if self._graph is not None else []
        self._grad = np.fromiter((v.grad for v in values), float, len(values))
        self._data = np.fromiter((v.data for v in values), float, len(values))
        self._restyle()
        self.label_item.update()

    def set_selected(self, index: int) -> None:
        """Highlight value node ``index`` and every path from it to the output; -1 for none."""
        self._selected = index if 0 <= index < self._n else -1
        self._update_path()
        self._restyle()

    def _update_path(self) -> None:
        self._path_rows[:] = False
        if self._selected >= 0:
            values = np.array(self._graph.path_to_output(self._selected))
            ops = self._graph.op_row[values[1:]]  # the selected node's own op is upstream of it
            self._path_rows[values] = True
            self._path_rows[ops[ops >= 0]] = True
        e = self._edges
        on = self._path_rows[e[:, 0]] & self._path_rows[e[:, 1]]
        op = int(self._graph.op_row[self._active]) if self._active >= 0 and self._step_parents else -1
        if op >= 0:  # the step-through's step: its operands -> its op -> the node
            on |= ((e[:, 1] == op) & np.isin(e[:, 0], self._step_parents)) | (
                (e[:, 0] == op) & (e[:, 1] == self._active))
        self._on_path = on
        self.path_item.set_segments(self._segments[self._on_path[self._segment_edge]])
        keys = self._arrow_symbol * 2 + self._on_path
        self._arrow_keys, inverse = np.unique(keys, return_inverse=True)
        self._arrow_inverse = inverse.reshape(-1)

    def set_active(self, index: int, parents=()) -> None:
        """The step-through's highlight: node ``index`` (-1: none) and the edges from ``parents``
        (its operands) through its op into it, along which its ``_backward`` passes gradient."""
        self._active = index if 0 <= index < self._n else -1
        self._step_parents = tuple(parents) if self._active >= 0 else ()
        if self._graph is not None:
            self._update_path()
        self._restyle()

    def selected(self) -> int:
        return self._selected

    def set_pending(self, pending=None) -> None:
        """Step-through: ``pending[i]`` is true for each node with no gradient yet (None: all have)."""
        self._pending = np.zeros(self._n, dtype=bool) if pending is None else np.asarray(pending, dtype=bool)
        self._restyle()
        self.label_item.update()

    def set_line_nodes(self, indices) -> None:
        """Outline the value nodes ``indices`` (those the editor's current line made)."""
        self._line_nodes = np.array([i for i in indices if 0 <= i < self._n], dtype=np.int64)
        self._restyle()

    def set_stale(self, message: str) -> None:
        """A failed run: dim the graph (the last good one) under a banner saying ``message``;
        an empty message restores it."""
        self.banner.show_text(message, "error")
        for item in (self.edge_item, self.path_item, self.arrow_item, self.node_item, self.label_item):
            item.setOpacity(0.3 if message else 1.0)
        self._place_overlays()

    def is_stale(self) -> bool:
        """Whether the graph shown is the last good one, under an error banner."""
        return bool(self.banner.text()) and not self.banner.isHidden()

    def set_message(self, text: str) -> None:
        """Say why there is no graph (empty: no message)."""
        self.message.show_text(text, "info")
        self._place_overlays()

    def set_step_text(self, text: str) -> None:
        """The step-through's counter and rule, shown over the graph (empty: hidden)."""
        self.step_banner.show_text(text, "step")
        self._place_overlays()

    def set_legend_visible(self, visible: bool) -> None:
        """Show the full legend (every fill and outline) in place of the small key."""
        self._legend_on = visible
        self._key_on = not visible and self._graph is not None
        self._place_overlays()

    def readable_scale(self) -> float:
        """Pixels per drawing unit at which a box's label, data and grad are READABLE_PX tall."""
        # the text's pixel size is rounded (see label_px): READABLE_PX - 0.5 rounds up to it
        box_w, box_h = BOX_W * SIZE_STEPS[0], BOX_H * SIZE_STEPS[0]
        return (READABLE_PX - 0.5) * max(BOX_LINES / box_h, TEXT_EMS / box_w)

    def fit_scale(self) -> float:
        """Pixels per drawing unit when the whole graph fits (at most MAX_FIT_SCALE)."""
        if not self._n:
            return 0.0
        x0, y0, x1, y1 = self.drawing.extent()
        size = self._view.viewport().size()
        room = max(size.height() - self._key_room(), 1)
        fit = min(size.width() / max(x1 - x0, 1e-9), room / max(y1 - y0, 1e-9))
        return min(fit / (1 + 2 * FIT_PADDING), MAX_FIT_SCALE)

    def _key_room(self) -> int:
        """Pixels kept free at the bottom at fit, so the key covers no box: none when the plain fit
        leaves a corner of the view empty (the key moves there), else the key's height."""
        if not self._key_on or not self._n or self._free_key_corner() is not None:
            return 0
        return self.key.height() + 12

    def _free_key_corner(self) -> int | None:
        """The corner (0 bottom left, 1 bottom right, 2 top left, 3 top right) that the fitted
        drawing leaves empty for the key, or None; worked out again when the drawing, the view's
        size or the key's changes (``_half_max`` is new with every drawing)."""
        size = self._view.viewport().size()
        memo = (size.width(), size.height(), self.key.width(), self.key.height(), self._n)
        if self._corner_memo[0] is not self._half_max or self._corner_memo[1] != memo:
            self._corner_memo = (self._half_max, memo, self._find_free_corner() if self._n else None)
        return self._corner_memo[2]

    def _find_free_corner(self) -> int | None:
        x0, y0, x1, y1 = self.drawing.extent()
        size = self._view.viewport().size()
        w, h = max(size.width(), 1), max(size.height(), 1)
        s = min(w / max(x1 - x0, 1e-9), h / max(y1 - y0, 1e-9)) / (1 + 2 * FIT_PADDING)
        lo, hi = self._pos - self._half_max, self._pos + self._half_max
        kw, kh, m = self.key.width() + 8, self.key.height() + 8, KEY_MARGIN - 4
        for corner in range(4):  # the key's rect in each corner, in drawing units at that fit
            left = m if corner in (0, 2) else w - m - kw
            top = h - m - kh if corner in (0, 1) else m
            kx, ky = (x0 + x1) / 2 + (left - w / 2) / s, (y0 + y1) / 2 + (top - h / 2) / s
            under = (hi[:, 0] > kx) & (lo[:, 0] < kx + kw / s) & (hi[:, 1] > ky) & (lo[:, 1] < ky + kh / s)
            if not under.any():
                return corner
        return None

    def open_view(self) -> None:
        """Take the drawing that suits the canvas's shape; fit it if its text is readable so,
        else show the output (or the selection, and the output too) readably."""
        self._take_drawing_for_size()
        if not self._n or self.fit_scale() >= self.readable_scale():
            self.fit()
        else:
            self.show_readable(self._selected if self._selected >= 0 else self._n - 1)
            if self._selected >= 0:
                self.keep_in_view([self._selected, self._n - 1])
        self._view_mode = "open"

    def show_readable(self, index: int) -> None:
        """Show value node ``index`` at the readable scale: the output near the end data flows
        to (right, or bottom), with what feeds it in view; any other node in the middle."""
        size = self._view.viewport().size()
        s = self.readable_scale() * 1.05
        w, h = max(size.width(), 1) / s, max(size.height(), 1) / s
        x, y = self._pos[index]
        fx = fy = 0.5
        if index == self._n - 1:
            lr = self.drawing.orientation == "LR"
            fx, fy = (0.8, 0.5) if lr else (0.5, 0.8)
        self._set_view(QRectF(x - fx * w, y - fy * h, w, h))
        self._view_mode = None

    def centre_on(self, point: QPointF) -> None:
        """Move the view, at its zoom, so that ``point`` (drawing coordinates) is in the middle."""
        r = self._vb.viewRect()
        self._set_view(r.translated(point.x() - r.center().x(), point.y() - r.center().y()))
        self._on_moved_by_user()

    def hold_view(self, index: int) -> None:
        """Keep the view through the resizes about to come (a panel opening or closing beside
        the canvas), until control returns to the event loop: the same drawing (no relayout)
        and scale, with value node ``index`` where it is on the screen, or just inside the view
        if it no longer fits there; -1 keeps the view's top left corner where it is."""
        if not self._n or not self.isVisible():
            return
        node = 0 <= index < self._n
        at = QPointF(*self._pos[index]) if node else self._vb.viewRect().topLeft()
        scene = self._vb.mapViewToScene(at)
        on_screen = self._view.viewport().mapToGlobal(self._view.viewportTransform().map(scene))
        px = self._vb.viewPixelSize()
        # pixels from the node's centre to the view's edge when it is just inside
        inside = (self._half_max[index] / px + 8).tolist() if node else None
        if self._held is None:
            QTimer.singleShot(0, self, self._release_view)
        self._held = (at, on_screen, px, inside)

    def _release_view(self) -> None:
        self._held = None

    def _apply_held_view(self) -> None:
        at, on_screen, (ux, uy), inside = self._held
        vp = self._view.viewport()
        w, h, local = vp.width(), vp.height(), vp.mapFromGlobal(on_screen)
        if w <= 0 or h <= 0:
            return  # collapsed: no view to hold
        x, y = local.x(), local.y()
        if inside is not None:
            ix, iy = inside
            x = min(max(x, ix), w - ix) if w > 2 * ix else w / 2
            y = min(max(y, iy), h - iy) if h > 2 * iy else h / 2
        self._set_view(QRectF(at.x() - x * ux, at.y() - y * uy, w * ux, h * uy))

    def keep_in_view(self, indices) -> None:
        """Make every value node of ``indices`` show whole (the selection and the output, say):
        the view stays as it is if they do; else the whole graph is fitted if it reads so in this
        canvas; else the view pans (zooming out only as far as they need) by the least that shows
        them all, the drawing unchanged.  How the view was set (opened, fitted, moved by the
        learner) stays as it was: a resize treats it the same way."""
        rows = [i for i in indices if 0 <= i < self._n]
        if not rows or self.drawing is None:
            return
        px = self._vb.viewPixelSize()[0]
        lo = (self._pos[rows] - self._half_max[rows]).min(axis=0) - KEEP_MARGIN * px
        hi = (self._pos[rows] + self._half_max[rows]).max(axis=0) + KEEP_MARGIN * px
        r = self._vb.viewRect()
        if r.contains(QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])):
            return
        mode = self._view_mode
        if self.fit_scale() >= self.readable_scale():
            self.fit()
        elif hi[0] - lo[0] > r.width() or hi[1] - lo[1] > r.height():  # apart more than the view
            self._set_view(QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]))
        else:
            dx = min(lo[0] - r.left(), 0) or max(hi[0] - r.right(), 0)
            dy = min(lo[1] - r.top(), 0) or max(hi[1] - r.bottom(), 0)
            self._set_view(r.translated(dx, dy))
        self._view_mode = mode

    def view_state(self) -> tuple[QRectF, str | None]:
        """The view's rectangle (drawing units) and how it was set, for ``restore_view``."""
        return QRectF(self._vb.viewRect()), self._view_mode

    def restore_view(self, state: tuple[QRectF, str | None]) -> None:
        """Show ``state``'s rectangle again, as it was set (the same drawing, the same size)."""
        self._set_view(state[0])
        self._view_mode = state[1]

    def fit(self) -> None:
        """Show the whole graph."""
        if self._n:
            x0, y0, x1, y1 = self.drawing.extent()
            h = max(self._view.viewport().height(), 1)
            tall = (y1 - y0) * h / max(h - self._key_room(), 1)  # the key's strip below the graph
            s = self.fit_scale()
            if s < MAX_FIT_SCALE:
                self._vb.setRange(QRectF(x0, y0, x1 - x0, tall), padding=FIT_PADDING)
            else:  # a small graph: in the middle at a size that still reads as a diagram
                w, cx, cy = self._view.viewport().width() / s, (x0 + x1) / 2, y0 + tall / 2
                self._vb.setRange(QRectF(cx - w / 2, cy - h / s / 2, w, h / s), padding=0)
        else:
            self._vb.setRange(QRectF(-2, -1.5, 4, 3), padding=0)
        self._resize()
        self._view_mode = "fit"

    def zoom_by(self, factor: float) -> None:
        """Zoom about the view's centre; ``factor > 1`` zooms in."""
        r = self._vb.viewRect()
        w, h = r.width() / factor, r.height() / factor
        self._set_view(QRectF(r.center().x() - w / 2, r.center().y() - h / 2, w, h))
        self._on_moved_by_user()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) widget pixels, as a drag does."""
        px = self._vb.viewPixelSize()[0]
        self._set_view(self._vb.viewRect().translated(-dx * px, -dy * px))
        self._on_moved_by_user()

    def _set_view(self, rect: QRectF) -> None:
        # from the shown rect: ViewBox.scaleBy/translateBy start from the requested range, which
        # the aspect lock makes differ from the shown one, and the scale drifts
        self._vb.setRange(rect, padding=0)
        self._resize()  # now rather than at the next paint, so the sprite sizes are current

    def export_image(self, path: str) -> None:
        """Save what the canvas shows as PNG (pixels) or SVG (vectors), chosen by the extension.

        The image is made in memory and written by Python, so a missing or read-only folder
        or a full disk raises OSError with its reason, for SVG as for PNG.
        """
        ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if ext not in ("png", "svg"):
            raise ValueError(f"cannot export {ext!r} images: use .png or .svg")
        data = self._svg_bytes() if ext == "svg" else self._png_bytes()
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # a full disk may only say so here

    def _png_bytes(self) -> bytes:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not self.grab().save(buffer, "PNG"):
            raise OSError(errno.EIO, "Qt could not encode the PNG image")
        return bytes(buffer.data())

    def node_at(self, point: QPoint | QPointF) -> int:
        """The value index under ``point`` (a ``QPoint`` in viewport pixels, a ``QPointF`` in scene
        coordinates); an op node gives its result; -1 for none."""
        row = self._row_at(point)
        return -1 if row < 0 else int(self._value_index[row])

    def view_pos_of(self, index: int) -> QPoint:
        """Viewport-widget coordinates of value node ``index``'s centre."""
        x, y = self._pos[index]
        return self._view.mapFromScene(self._vb.mapViewToScene(QPointF(x, y)))

    def labels_visible(self) -> bool:
        """Whether any node text is drawn at the current zoom."""
        return self._label_rows() is not None

    def label_px(self) -> int:
        """The pixel size of the data and grad text at the current zoom (0: not drawn)."""
        found = self._label_rows()
        if found is None or found[1] < 2:
            return 0
        s = self._current_scale()
        return _text_px(BOX_W * SIZE_STEPS[0] * s, BOX_H * SIZE_STEPS[0] * s)

    def label_text(self, index: int) -> str:
        """The text of a value node's box: its name, data and grad, a line each."""
        return f"{elide(self._graph.names[index])}\n{self._numbers_text(index)}"

    # -- geometry --------------------------------------------------------------------------

    def _build_edges(self) -> None:
        """The drawing's edges, clipped to the node outlines (``Drawing.edge_lines``: a worker's
        run computes them with the layout), handed to the line and arrow items."""
        e = self._edges
        lines = self.drawing.edge_lines if self.drawing is not None else NO_EDGES
        self._segments, self._segment_edge = lines.segments, lines.owner
        coarse = np.hstack([self._pos[e[:, 0]], self._pos[e[:, 1]]]) if len(e) else None
        self.edge_item.set_segments(lines.segments, coarse)
        self._arrow_symbol = 2 + np.round((lines.arrow_angle + 180) / 10).astype(np.int64) % 36
        self.arrow_item.set_positions(lines.arrow_at)
        self._update_path()

    def _row_at(self, point: QPoint | QPointF) -> int:
        """Vectorised hit test: the nearest row whose outline (plus a few pixels) holds the point."""
        if not self._n:
            return -1
        p = self._vb.mapSceneToView(self._view.mapToScene(point) if isinstance(point, QPoint) else point)
        slack = 3.0 / self._current_scale()  # so that tiny nodes stay clickable
        d = np.abs(self._pos - (p.x(), p.y())) / (self._half + slack)
        dist = np.where(self._is_op, np.hypot(d[:, 0], d[:, 1]), d.max(axis=1))
        row = int(np.argmin(dist))
        return row if dist[row] <= 1.0 else -1

    def _current_scale(self) -> float:
        px = self._vb.viewPixelSize()[0]
        return 1.0 / px if px > 0 else 1.0

    # -- styling ---------------------------------------------------------------------------

    def _restyle(self) -> None:
        """Style keys from gradients (fill on the fixed scale), roles and highlights (outline)."""
        n, g = self._n, self._grad
        finite = np.isfinite(g) & np.isfinite(self._data)
        level = grad_levels(np.where(finite, g, 0.0))
        level = np.where(finite, np.where(g < 0, level + LEVELS, level), 2 * LEVELS + 1)
        brush = np.full(len(self._pos), OP_BRUSH)
        brush[:n] = level + (self._role_class[:n] == CONSTANT) * (2 * LEVELS + 2)
        brush[:n][self._pending] = PENDING_BRUSH  # step-through: no gradient yet
        step = np.full(len(self._pos), len(SIZE_STEPS))  # the op circle's size
        step[:n] = 0
        pen = self._role_class.copy()
        pen[:n][~finite] = NONFINITE
        state = self._path_rows.astype(np.int64)
        state[self._line_nodes] = ON_LINE
        for index, s in ((self._selected, SELECTED), (self._active, ACTIVE)):
            if index >= 0:
                state[index] = s
        key = (step * len(self._pens) + state * len(CLASS_PENS) + pen) * len(self._brushes) + brush
        self._node_keys, inverse = np.unique(key, return_inverse=True)
        self._node_inverse = inverse.reshape(-1)
        self._scale = 0.0
        self._resize()

    def _resize(self) -> None:
        """Give the sprites their pixel sizes at the current zoom (if any changed)."""
        scale = self._current_scale()
        if abs(scale / max(self._scale, 1e-9) - 1) < 0.005:
            return
        self._scale = scale
        sizes = [max(3, round(scale * BOX_W * f)) for f in SIZE_STEPS] + [max(2, round(scale * OP_D))]
        nb, npen = len(self._brushes), len(self._pens)
        styles = [(self._symbols[0 if k // nb // npen < len(SIZE_STEPS) else 1], sizes[k // nb // npen],
                   self._pens[k // nb % npen], self._brushes[k % nb]) for k in self._node_keys.tolist()]
        self.node_item.set_styles(styles, self._node_inverse)
        arrow = round(scale * ARROW)
        self.arrow_item.setVisible(arrow >= 3)
        no_pen = pg.mkPen(None)
        styles = [(self._symbols[k // 2], arrow, no_pen, self._brushes[ARROW_BRUSH + k % 2])
                  for k in self._arrow_keys.tolist()]
        self.arrow_item.set_styles(styles, self._arrow_inverse)

    def _on_view_changed(self) -> None:
        self._resize()
        self._update_overview()

    def _update_overview(self) -> None:
        """The overview map shows while part of the graph is out of view."""
        if not self._n or self.drawing is None:
            self._overview_on = False
            self._place_overlays()
            return
        x0, y0, x1, y1 = self.drawing.extent()
        r = self._vb.viewRect()
        whole = r.contains(QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(0.2, 0.2, -0.2, -0.2))
        self.overview.set_view(r)
        self._overview_on = not whole
        self._place_overlays()

    # -- overlays --------------------------------------------------------------------------

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_overlays()
        if self._held is not None:  # see hold_view
            self._apply_held_view()
        else:
            self._relayout_timer.start()  # once the size settles (a window drag resizes many times)

    def _place_overlays(self) -> None:
        w, h, m = self.width(), self.height(), KEY_MARGIN
        top = self._view.y() + m
        h = self._view.y() + self._view.height()
        if self.message.isVisible():
            self.message.setFixedWidth(max(120, min(w - 2 * m, 520)))
            self.message.adjustSize()
            self.message.move((w - self.message.width()) // 2, max(top, (h - self.message.height()) // 2))
        # the key (or the legend) and the overview map each take a corner of the view that no
        # node shows in; the key where there is none is left out (View > Legend has it), the map
        # waits behind a small button the learner may press
        rects = self._node_pixel_rects()
        taken: list[int] = []
        for box, on in ((self.key, self._key_on), (self.legend, self._legend_on)):
            box.resize(box.sizeHint())
            corner = self._free_corner(box.size(), (0, 1, 2, 3), taken, rects) if on else None
            if on and corner is None and box is self.legend:
                corner = 0  # asked for from the menu: shown, in its usual corner
            box.setVisible(corner is not None)
            if corner is not None:
                taken.append(corner)
                self._move_to_corner(box, corner)
                box.raise_()
        side = int(min(200, max(90, 0.28 * w)))
        self.overview.resize(side, int(side * 0.65))
        on = self._overview_on and self._n > 0
        corner = self._free_corner(self.overview.size(), (1, 3, 0, 2), taken, rects) if on else None
        button = self.map_button
        if on and corner is None and button.isChecked():
            corner = 1
        self.overview.setVisible(corner is not None)
        if corner is not None:
            self._move_to_corner(self.overview, corner)
            self.overview.raise_()
        button.setVisible(on and (corner is None or button.isChecked()))
        if button.isVisible():
            button.resize(button.sizeHint())
            if self.overview.isVisible():  # the button sits just above the map it opened
                self._move_to_corner(button, corner)
                button.move(button.x(), self.overview.y() - button.height() - 2 if corner < 2 else
                            self.overview.y() + self.overview.height() + 2)
            else:  # in a corner where it covers no node, if there is one
                free = self._free_corner(button.size(), (1, 3, 0, 2), taken, rects)
                self._move_to_corner(button, 1 if free is None else free)
            button.raise_()

    def _corner_at(self, w: int, h: int, corner: int) -> tuple[int, int]:
        """The top left of a ``w`` x ``h`` widget in a corner of the view (0 bottom left, 1 bottom
        right, 2 top left, 3 top right), KEY_MARGIN from its edges, in the canvas's pixels."""
        g, m = self._view.geometry(), KEY_MARGIN
        x = g.left() + m if corner in (0, 2) else g.right() + 1 - m - w
        y = g.bottom() + 1 - m - h if corner in (0, 1) else g.top() + m
        return x, y

    def _move_to_corner(self, widget: QWidget, corner: int) -> None:
        widget.move(*self._corner_at(widget.width(), widget.height(), corner))

    def _node_pixel_rects(self) -> np.ndarray:
        """Every node's rectangle in the canvas's pixels, (n, 4) rows of left, top, right, bottom."""
        if not self._n or self.drawing is None:
            return np.zeros((0, 4))
        vb, view = self._vb, self._view
        a, b = (view.viewport().mapTo(self, view.mapFromScene(vb.mapViewToScene(QPointF(x, x))))
                for x in (0.0, 1.0))
        scale = np.array([b.x() - a.x(), b.y() - a.y()], float)
        lo = (self._pos - self._half_max) * scale + (a.x(), a.y())
        hi = (self._pos + self._half_max) * scale + (a.x(), a.y())
        return np.hstack([np.minimum(lo, hi), np.maximum(lo, hi)])

    def _free_corner(self, size, order, taken, rects: np.ndarray) -> int | None:
        """The first corner of ``order`` not ``taken`` where a widget of ``size`` covers no node."""
        for corner in order:
            if corner in taken:
                continue
            x0, y0 = (c - 2 for c in self._corner_at(size.width(), size.height(), corner))
            x1, y1 = x0 + size.width() + 4, y0 + size.height() + 4
            if not ((rects[:, 2] > x0) & (rects[:, 0] < x1) & (rects[:, 3] > y0) & (rects[:, 1] < y1)).any():
                return corner
        return None

    # -- labels ----------------------------------------------------------------------------

    def _label_rows(self) -> tuple[np.ndarray, int] | None:
        """Rows in view to label and the detail (2: label, data, grad; 1: names only), or None
        when text would be unreadable, or too many nodes are in view for text to help."""
        box_h = self._current_scale() * BOX_H * SIZE_STEPS[0]
        detail = 2 if box_h / BOX_LINES >= MIN_FONT_PX else 1 if box_h * 0.7 >= MIN_FONT_PX else 0
        if not detail or not self._n:
            return None
        r, p, h = self._vb.viewRect(), self._pos, self._half
        rows = np.flatnonzero((p[:, 0] + h[:, 0] > r.left()) & (p[:, 0] - h[:, 0] < r.right())
                              & (p[:, 1] + h[:, 1] > r.top()) & (p[:, 1] - h[:, 1] < r.bottom()))
        if not len(rows) or np.count_nonzero(rows < self._n) > MAX_LABELS:
            return None
        return rows, detail

    def _paint_labels(self, p: QPainter) -> None:
        found = self._label_rows()
        if found is None:
            return
        rows, detail = found
        t = p.transform()
        xy = (self._pos[rows] * (t.m11(), t.m22()) + (t.m31(), t.m32())).tolist()  # no rotation
        s = abs(t.m11())
        w, h, op_d = BOX_W * SIZE_STEPS[0] * s, BOX_H * SIZE_STEPS[0] * s, OP_D * s
        px = _text_px(w, h) if detail == 2 else round(min(h * 0.7, 12.0))
        line = px * LINE_SPACING
        self._font.setPixelSize(px)
        self._bold.setPixelSize(px)
        bold, plain = QFontMetricsF(self._bold), QFontMetricsF(self._font)

        def fit(text: str, chars: int) -> str:  # a name cut to its box, wide letters too
            return bold.elidedText(elide(text, chars), Qt.TextElideMode.ElideRight, w * TEXT_FILL)
        p.save()
        p.resetTransform()  # draw in device pixels: crisp glyphs at any zoom
        centre, names = Qt.AlignmentFlag.AlignCenter, self._graph.names
        for row, (x, y) in zip(rows.tolist(), xy, strict=True):
            if row >= self._n:
                self._paint_op(p, self._op_text[self._value_index[row]], x, y, op_d)
                continue
            name = names[row]
            p.setPen(QColor("#6c757d" if self._role_class[row] == CONSTANT else "#1b1b1b"))
            p.setFont(self._bold)
            if detail == 1:
                p.drawText(QRectF(x - w / 2, y - h / 2, w, h), centre, fit(name, 6))
                continue
            top = y - (1.5 if name else 1.0) * line
            if name:
                p.drawText(QRectF(x - w / 2, top, w, line), centre, fit(name, 14))
                top += line
            text = self._numbers_text(row)
            p.setFont(self.text_font(text, w, plain))
            p.drawText(QRectF(x - w / 2, top, w, 2 * line), centre, text)
        p.restore()

    def text_font(self, text: str, w: float, metrics: QFontMetricsF | None = None) -> QFont:
        """The font for a box's data and grad ``text`` in a box ``w`` px wide: the labels' size, or
        smaller for a long number (data -123456.7890), so no line is cut or crosses the outline."""
        metrics = metrics or QFontMetricsF(self._font)
        wide = max(metrics.horizontalAdvance(t) for t in text.split("\n"))
        if wide <= w * TEXT_FILL:
            return self._font
        small = QFont(self._font)
        small.setPixelSize(max(1, int(self._font.pixelSize() * w * TEXT_FILL / wide)))
        return small

    def _numbers_text(self, index: int) -> str:
        """A box's data and grad lines; the grad blank while the step-through has not reached it."""
        v = self._graph.values[index]
        grad = "" if self._pending[index] else format_number(v.grad, box=True)
        return f"{format_number(v.data, box=True)}\n{grad}"

    def _paint_op(self, p: QPainter, text: str, x: float, y: float, d: float) -> None:
        width = self._op_widths.get(text)
        if width is None:  # the text's width at 100 px, measured once per op
            self._op_font.setPixelSize(100)
            width = self._op_widths[text] = max(QFontMetricsF(self._op_font).horizontalAdvance(text), 1.0)
        f = min(d * 0.45, d * 0.62 * 100 / width)
        if f >= 5:
            self._op_font.setPixelSize(round(f))
            p.setFont(self._op_font)
            p.setPen(QColor("#1b1b1b"))
            p.drawText(QRectF(x - d / 2, y - d / 2, d, d), Qt.AlignmentFlag.AlignCenter, text)

    # -- mouse -----------------------------------------------------------------------------

    def _on_click(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        index = self.node_at(ev.scenePos())
        if ev.double() and index < 0:
            self.fit()
        self.node_clicked.emit(index)

    def _on_move(self, scene_pos: QPointF) -> None:
        row = self._row_at(scene_pos)
        if row == self._hovered:
            return
        self._hovered = row
        if row < 0:
            QToolTip.hideText()
        else:
            show_tip_at(self._view, scene_pos, tip(self._tooltip(row)))
        self.node_hovered.emit(-1 if row < 0 else int(self._value_index[row]))

    def _tooltip(self, row: int) -> str:
        i = int(self._value_index[row])
        v = self._graph.values[i]
        name = elide(self._graph.names[i], 200) if v.label else f"node {i}"  # a tooltip wraps
        line = self._graph.lines[i]
        made = f"\nmade on line {line}" if line else ""
        if row >= self._n:
            return f"op {v._op} → {name}{made}"
        grad = "not computed yet" if self._pending[i] else repr(v.grad)
        return (f"{name}\nop: {v._op or '(leaf)'}\nrole: {self._graph.roles[i]}\n"
                f"data: {v.data!r}\ngrad: {grad}{made}")

    # -- export ----------------------------------------------------------------------------

    def _svg_bytes(self) -> bytes:
        # pyqtgraph's SVG exporter fails on Qt 6.11: render the view into a QSvgGenerator, with
        # the sprites in export mode so that nodes are vector paths, not pixmap fragments
        rect = self._view.viewport().rect()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        gen = QSvgGenerator()
        gen.setOutputDevice(buffer)
        gen.setSize(rect.size())
        gen.setViewBox(rect)
        gen.setTitle("gradlab computation graph")
        for item in (self.node_item, self.arrow_item):
            item.setExportMode(True, {"antialias": True})
        painter = QPainter(gen)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._view.render(painter, QRectF(rect), rect)
        finally:
            painter.end()
            for item in (self.node_item, self.arrow_item):
                item.setExportMode(False)
        data = bytes(buffer.data())
        if not data:
            raise OSError(errno.EIO, "Qt could not render the SVG image")
        return data
