"""The computation-graph view: value boxes, op circles and arrows, coloured by gradient.

``GraphCanvas`` is the widget both labs use; it composes the pieces, each in its own module:
the view policy without Qt (``gradlab.canvas_view``: fit, open readable, hold, moved, keep in
view), the drawn graph (``canvas_paint``: five items whatever the graph's size, restyled from
numpy arrays: no relayout, no new items), its styles (``canvas_style``), the text
(``canvas_labels``), the overlays (``canvas_overlays``) and the exporter (``canvas_export``).
Edges follow the layout's routes (around boxes, never behind them); the layout's orientation
suits the canvas's shape.

Colours (one convention with the network lab, ``gradlab.ui.common.palette``): a box's fill is blue
for a positive gradient and orange for a negative one, stronger by decade of |grad| on a
fixed scale (the legend shows it), so a node keeps its colour while others change.
Outlines say what a node is (role, non-finite) and highlights what the learner did
(selection and its path, the step-through's node, the editor's line).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from gradlab.canvas_view import (  # noqa: F401
    BOX_LINES,
    LINE_SPACING,
    READABLE_PX,
    SIZE_STEPS,
    TEXT_EMS,
    TEXT_FILL,
    CanvasView,
    hit_row,
    label_rows,
    text_px,
)
from gradlab.graph import GraphModel
from gradlab.layout import BOX_H, BOX_W, OP_D  # noqa: F401  (re-exported: tests read them here)
from gradlab.layout.edges import ARROW  # noqa: F401
from gradlab.ui.common import canvas_export
from gradlab.ui.common.canvas_items import COARSE_BELOW_PX, Segments, show_tip_at  # noqa: F401
from gradlab.ui.common.canvas_labels import LabelPainter
from gradlab.ui.common.canvas_overlays import Overlays
from gradlab.ui.common.canvas_paint import GraphPainting
from gradlab.ui.common.canvas_style import (  # noqa: F401
    BACKGROUND,
    CLASS_NAMES,
    CLASS_PENS,
    LEVELS,
    NONFINITE,
    PENDING_BRUSH,
    STATE_NAMES,
    STATE_PENS,
    fill_colours,
    grad_levels,
    legend_rows,
)
from gradlab.ui.common.canvas_viewing import ViewControl, as_rect
from gradlab.ui.common.text import tip

__all__ = ["GraphCanvas", "Segments", "fill_colours", "grad_levels", "legend_rows", "show_tip_at"]

_text_px = text_px  # the old private name, which tests use
RELAYOUT_DELAY_MS = 120  # after the last resize, the drawing that suits the new shape


class GraphCanvas(QWidget, ViewControl):
    """The computation graph of a ``GraphModel``: wheel zooms, drag pans, click selects,
    double-click on empty space fits."""

    node_clicked = Signal(int)  # value index; an op node gives its result; -1 for empty space
    node_hovered = Signal(int)  # value index under the mouse (an op node gives its result); -1: none

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
        self.view_policy = CanvasView()
        self.painting = GraphPainting(self._vb, self._paint_labels)
        self.labels = LabelPainter(self.painting)
        for name in ("edge_item", "path_item", "arrow_item", "node_item", "label_item"):
            setattr(self, name, getattr(self.painting, name))
        self.overlays = Overlays(self)
        for name in ("key", "legend", "overview", "map_button", "banner", "step_banner", "message"):
            setattr(self, name, getattr(self.overlays, name))
        self.overview.moved_to.connect(self.centre_on)
        self.map_button.toggled.connect(lambda _on: self._place_overlays())
        self.layout().insertWidget(0, self.banner)  # above the view, never over the graph
        self.layout().insertWidget(1, self.step_banner)
        self._corner_memo: tuple = (None, None, None)  # see _free_key_corner
        self._hovered = -1
        self._relayout_timer = QTimer(self, singleShot=True, interval=RELAYOUT_DELAY_MS)
        self._relayout_timer.timeout.connect(self._relayout_for_size)
        self.set_graph(None)
        self._vb.sigTransformChanged.connect(self._on_view_changed)
        self._vb.sigRangeChangedManually.connect(self._on_moved_by_user)  # a wheel or a drag
        self._view.scene().sigMouseClicked.connect(self._on_click)
        self._view.scene().sigMouseMoved.connect(self._on_move)

    # -- what other modules read -------------------------------------------------------------

    def viewport_widget(self) -> QWidget:
        """The widget that receives mouse events."""
        return self._view.viewport()

    @property
    def view_box(self) -> pg.ViewBox:
        return self._vb

    @property
    def graph(self) -> GraphModel | None:
        return self.painting.graph

    @property
    def drawing(self):
        """The drawing shown (``gradlab.layout.Drawing``), or None."""
        return self.painting.drawing

    @property
    def user_moves(self) -> int:
        """How many times the learner moved the view (a wheel, a drag, a menu)."""
        return self.view_policy.user_moves

    @property
    def _n(self) -> int:
        return self.painting.n

    @property
    def _pos(self) -> np.ndarray:
        """Every drawing row's centre (value nodes, then op nodes), drawing units."""
        return self.painting.pos

    @property
    def _half_max(self) -> np.ndarray:
        """Every drawing row's half width and height at its largest, drawing units."""
        return self.painting.half_max

    def selected(self) -> int:
        return self.painting.selected

    # -- the graph and its highlights ------------------------------------------------------------

    def set_graph(self, graph: GraphModel | None) -> None:
        """Draw a new graph (its structure changed) in the orientation that suits the canvas, and
        open it: fitted if its text is readable so, else readable around the output; None clears."""
        self.painting.set_graph(graph)
        self._hovered = -1
        self._place_drawing(graph.drawing_for(*self.view_shape()) if graph is not None else None)
        self.overlays.key_on = graph is not None and not self.overlays.legend_on  # no key to nothing
        self._place_overlays()
        self.open_view()

    def _place_drawing(self, d) -> None:
        self.painting.place(d)
        self.refresh_values()
        if self._n:
            x0, y0, x1, y1 = d.extent()
            self.overview.set_graph(self._pos[: self._n], QRectF(x0, y0, x1 - x0, y1 - y0),
                                    np.zeros(self._n, dtype=np.int64), ["#868e96"])

    def _take_drawing_for_size(self) -> None:
        d = self.graph.drawing_for(*self.view_shape()) if self.graph is not None else None
        if d is not None and d is not self.drawing:
            self._place_drawing(d)

    def refresh_values(self, changed: list[int] | None = None) -> None:
        """Values or gradients changed in place: restyle the nodes and repaint the labels.

        ``changed`` (the lab's signal payload) is not needed: every gradient may have moved
        and the colour scale is global, so all nodes are restyled, vectorised.
        """
        self.painting.refresh_values()
        self._restyle()
        self.label_item.update()

    def _restyle(self) -> None:
        self.painting.restyle(self._current_scale())

    def set_selected(self, index: int) -> None:
        """Highlight value node ``index`` and every path from it to the output; -1 for none."""
        self.painting.selected = index if 0 <= index < self._n else -1
        self.painting.update_path()
        self._restyle()

    def set_active(self, index: int, parents=()) -> None:
        """The step-through's highlight: node ``index`` (-1: none) and the edges from ``parents``
        (its operands) through its op into it, along which its ``_backward`` passes gradient."""
        g = self.painting
        g.active = index if 0 <= index < self._n else -1
        g.step_parents = tuple(parents) if g.active >= 0 else ()
        if g.graph is not None:
            g.update_path()
        self._restyle()

    def set_pending(self, pending=None) -> None:
        """Step-through: ``pending[i]`` is true for each node with no gradient yet (None: all have)."""
        self.painting.pending = (np.zeros(self._n, dtype=bool) if pending is None
                                 else np.asarray(pending, dtype=bool))
        self._restyle()
        self.label_item.update()

    def set_line_nodes(self, indices) -> None:
        """Outline the value nodes ``indices`` (those the editor's current line made)."""
        self.painting.line_nodes = np.array([i for i in indices if 0 <= i < self._n], dtype=np.int64)
        self._restyle()

    # -- banners and overlays --------------------------------------------------------------------

    def set_stale(self, message: str) -> None:
        """A failed run: dim the graph (the last good one) under a banner saying ``message``;
        an empty message restores it."""
        self.banner.show_text(message, "error")
        self.painting.set_opacity(0.3 if message else 1.0)
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
        self.overlays.legend_on = visible
        self.overlays.key_on = not visible and self.graph is not None
        self._place_overlays()

    def _place_overlays(self) -> None:
        self.overlays.place(self._view.geometry(), self._node_pixel_rects(), self._n > 0)

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

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_overlays()
        if self.view_policy.held is not None:  # see hold_view
            self._apply_held_view()
        else:
            self._relayout_timer.start()  # once the size settles (a window drag resizes many times)

    # -- text ------------------------------------------------------------------------------------

    def _label_rows(self) -> tuple[np.ndarray, int] | None:
        """Rows in view to label and the detail (see ``canvas_view.label_rows``), or None."""
        return label_rows(as_rect(self._vb.viewRect()), self._current_scale(), self._pos, self.painting.half,
                          self._n)

    def _paint_labels(self, p: QPainter) -> None:
        found = self._label_rows()
        if found is not None:
            self.labels.paint(p, *found)

    def labels_visible(self) -> bool:
        """Whether any node text is drawn at the current zoom."""
        return self._label_rows() is not None

    def label_px(self) -> int:
        """The pixel size of the data and grad text at the current zoom (0: not drawn)."""
        found = self._label_rows()
        if found is None or found[1] < 2:
            return 0
        s = self._current_scale()
        return text_px(BOX_W * SIZE_STEPS[0] * s, BOX_H * SIZE_STEPS[0] * s)

    def label_text(self, index: int) -> str:
        """The text of a value node's box: its name, data and grad, a line each."""
        return self.labels.label_text(index)

    def text_font(self, text: str, w: float, metrics: QFontMetricsF | None = None) -> QFont:
        """The font for a box's data and grad ``text`` in a box ``w`` px wide (see ``LabelPainter``)."""
        return self.labels.text_font(text, w, metrics)

    # -- mouse and export ------------------------------------------------------------------------

    def node_at(self, point: QPoint | QPointF) -> int:
        """The value index under ``point`` (a ``QPoint`` in viewport pixels, a ``QPointF`` in scene
        coordinates); an op node gives its result; -1 for none."""
        row = self._row_at(point)
        return -1 if row < 0 else int(self.painting.value_index[row])

    def _row_at(self, point: QPoint | QPointF) -> int:
        if not self._n:
            return -1
        p = self._vb.mapSceneToView(self._view.mapToScene(point) if isinstance(point, QPoint) else point)
        g = self.painting
        return hit_row((p.x(), p.y()), g.pos, g.half, g.is_op, 3.0 / self._current_scale())

    def view_pos_of(self, index: int) -> QPoint:
        """Viewport-widget coordinates of value node ``index``'s centre."""
        x, y = self._pos[index]
        return self._view.mapFromScene(self._vb.mapViewToScene(QPointF(x, y)))

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
            show_tip_at(self._view, scene_pos, tip(self.labels.tooltip(row)))
        self.node_hovered.emit(-1 if row < 0 else int(self.painting.value_index[row]))

    def export_image(self, path: str) -> None:
        """Save what the canvas shows as PNG (pixels) or SVG (vectors), chosen by the extension;
        OSError says why it could not be written (see ``canvas_export``)."""
        canvas_export.export_image(path, self, self._view, (self.node_item, self.arrow_item))
