"""The decision plot: the network's output over the input plane as a heatmap, the data on top.

The view only draws what it is handed (TensorFlow Playground's ``heatmap.ts``): a matrix of
scores or class probabilities over given bounds, the points with their labels, and for
regression the fitted curve. Clicks become requests (trace, add, remove) for the lab to act on.
``show_neuron`` puts one neuron's output in the network's place for a while (the lab calls it
while the pointer is on that neuron in the network view, as TensorFlow Playground does).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6)

from gradlab.ui.common import palette
from gradlab.ui.common.plots import BACKGROUND, CachedAxis

__all__ = ["DecisionPlot", "scores_to_rgba"]

#: a click within this many pixels of a point hits it
HIT_PX = 7.0
POINT_SIZE = 8
FIT = "#c2255c"  # the regression fit: not a sign, so neither blue nor orange
#: how strongly the heatmap tints: the points must stay readable on top of it
HEAT_ALPHA = 0.62


def _lut_rgba(lut: np.ndarray, alpha: float) -> np.ndarray:
    white = np.full_like(lut, 255, dtype=float)
    return np.round(white + (lut.astype(float) - white) * alpha).astype(np.uint8)


_LUT = _lut_rgba(palette.diverging_lut(255), HEAT_ALPHA)  # odd: entry 127 is exactly white


def scores_to_rgba(values: np.ndarray, discretize: bool = False) -> np.ndarray:
    """Colours for a heatmap.

    ``values`` (rows, cols): a two-class score, negative -> orange (class 0), positive -> blue
    (class 1), squashed with tanh so that the boundary (0) is white. ``values`` (rows, cols, k):
    class probabilities, coloured by the likeliest class, paler where the network is unsure.
    ``discretize`` shows only the decision (full colour per region).
    """
    v = np.asarray(values, dtype=float)
    if v.ndim == 2:
        t = np.sign(v) if discretize else np.tanh(np.nan_to_num(v))
        idx = np.clip(np.round((t + 1) * 127), 0, 254).astype(np.int64)
        rgb = _LUT[idx]
    else:
        k = v.shape[2]
        cls = np.argmax(np.nan_to_num(v, nan=-np.inf), axis=2)
        colours = np.array([palette.rgb(palette.class_colour(c)) for c in range(k)], dtype=float)
        top = np.take_along_axis(np.nan_to_num(v), cls[..., None], axis=2)[..., 0]
        # confidence from 1/k (a guess) to 1 (sure)
        conf = np.ones_like(top) if discretize else np.clip((top - 1 / k) / (1 - 1 / k), 0, 1)
        strength = (0.15 + 0.85 * conf)[..., None] * HEAT_ALPHA
        rgb = np.round(255 + (colours[cls] - 255) * strength).astype(np.uint8)
    alpha = np.full(rgb.shape[:2] + (1,), 255, dtype=np.uint8)
    return np.ascontiguousarray(np.concatenate([rgb, alpha], axis=2))


class DecisionPlot(QWidget):
    """``decisionPlot``: heatmap (``ImageItem``), points (``ScatterPlotItem``), fitted curve, legend."""

    #: a training point was clicked: its index in the training set
    point_clicked = Signal(int)
    #: left click on empty space: (x, y) in data coordinates (x1, x2; or x, target for regression)
    add_requested = Signal(float, float)
    #: right click on a point: ("train" or "test", index in that set)
    remove_requested = Signal(str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionPlot")
        self.plot_widget = pg.PlotWidget(background=BACKGROUND, enableMenu=False,  # no context menu
                                         axisItems={name: CachedAxis(name) for name in ("left", "bottom")})
        self.plot = self.plot_widget.getPlotItem()
        self.plot.hideButtons()
        self.plot.setMouseEnabled(False, False)
        self.plot.getViewBox().setAspectLocked(False)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen("#555555"))
            axis.setTextPen(pg.mkPen("#333333"))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(FIT, width=2.5))
        self.curve.setZValue(5)  # over the points it fits
        self.plot.addItem(self.curve)
        self.train_points = pg.ScatterPlotItem(size=POINT_SIZE, pxMode=True)
        self.test_points = pg.ScatterPlotItem(size=POINT_SIZE - 1, pxMode=True, symbol="s")
        self.selected_marker = pg.ScatterPlotItem(size=POINT_SIZE + 9, pxMode=True, brush=None,
                                                  pen=pg.mkPen("#d6336c", width=2.5))
        for z, item in enumerate((self.train_points, self.test_points, self.selected_marker)):
            item.setZValue(z + 1)
            self.plot.addItem(item)
        self.neuron_curve = pg.PlotDataItem(pen=pg.mkPen("#343a40", width=2, style=Qt.PenStyle.DashLine))
        self.neuron_curve.setZValue(4)
        self.plot.addItem(self.neuron_curve)
        self.neuron_caption = QLabel(self.plot_widget)
        self.neuron_caption.setObjectName("neuronPreviewCaption")
        self.neuron_caption.setStyleSheet("background: rgba(255, 255, 255, 225); color: #222;"
                                          " border: 1px solid #adb5bd; border-radius: 3px; padding: 2px 5px;")
        self.neuron_caption.hide()
        self._preview: np.ndarray | None = None
        self.legend = QLabel()
        self.legend.setObjectName("decisionLegend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setStyleSheet("font-size: 11px; color: #333; padding: 2px 4px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.legend)
        self._points: tuple | None = None  # what set_points was last handed (copies)
        self._train = np.zeros((0, 2))
        self._test = np.zeros((0, 2))
        self._kind = "classification"
        self._values: np.ndarray | None = None
        self._discretize = False
        self._show_test = True
        self._bounds = (-1.0, 1.0, -1.0, 1.0)
        self.plot_widget.scene().sigMouseClicked.connect(self._on_click)
        self.setMinimumSize(220, 220)

    # -- the view contract --------------------------------------------------------------------

    def set_bounds(self, bounds: tuple[float, float, float, float]) -> None:
        """The region shown: (xmin, xmax, ymin, ymax)."""
        x0, x1, y0, y1 = (float(b) for b in bounds)
        self._bounds = (x0, x1, y0, y1)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def set_matrix(self, values: np.ndarray | None) -> None:
        """The heatmap over the bounds: (rows, cols) scores or (rows, cols, k) probabilities,
        row 0 at the bottom (ymin); None hides it (regression)."""
        self._values = None if values is None else np.asarray(values)
        self._show_image()

    def _show_image(self) -> None:
        """The network's output, or the previewed neuron's output over the plane."""
        values = self._preview if self._preview is not None and self._preview.ndim == 2 else self._values
        if values is None:
            self.image.clear()
            self.image.hide()
            return
        self.image.show()
        self.image.setImage(scores_to_rgba(values, self._discretize), autoLevels=False)
        self.image.setRect(QRectF(self._bounds[0], self._bounds[2], self._bounds[1] - self._bounds[0],
                                  self._bounds[3] - self._bounds[2]))

    def show_neuron(self, values: np.ndarray | None, name: str = "") -> None:
        """Show neuron ``name``'s output instead of the network's: ``values`` (rows, cols) over the
        bounds as the heatmap, or (n,) along x on 1-D data as a dashed curve; None: the network's
        output again."""
        self._preview = None if values is None else np.asarray(values, dtype=float)
        p = self._preview
        if p is not None and p.ndim == 1:
            self.neuron_curve.setData(np.linspace(self._bounds[0], self._bounds[1], len(p)), p)
        else:
            self.neuron_curve.setData([], [])
        if p is None:
            self.neuron_caption.hide()
        else:
            what = "its output" if p.ndim == 2 else "its output (dashed)"
            text = f"{name}: {what}"
            room = max(self.plot_widget.width() - 60, 80)
            metrics = self.neuron_caption.fontMetrics()
            for shown in (text, name):  # the name first, whatever else fits
                if metrics.horizontalAdvance(shown) <= room - 14:
                    break
            self.neuron_caption.setText(metrics.elidedText(shown, Qt.TextElideMode.ElideRight, room - 14))
            self.neuron_caption.setToolTip(f"{text}, shown instead of the network's output while the "
                                           "pointer is on it in the network")
            self.neuron_caption.adjustSize()
            self.neuron_caption.move(50, 4)
            self.neuron_caption.show()
            self.neuron_caption.raise_()
        self._show_image()

    def previewed(self) -> bool:
        """Whether a neuron's output is shown instead of the network's."""
        return self._preview is not None

    def set_points(self, train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray,
                   kind: str = "classification", num_classes: int = 2) -> None:
        """The data: training points (filled circles, white rim) and test points (squares, dark rim).

        Regression data is 1-D: the points are drawn at (x, target).  The same points again (new
        data is followed by the new network that splits it the same way) are kept as drawn:
        pyqtgraph styles a point at a time, a second for 100,000 of them."""
        points = (kind, num_classes, *(np.array(a) for a in (train_x, train_y, test_x, test_y)))
        if self._points is not None and points[:2] == self._points[:2] and all(
                a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b)
                for a, b in zip(points[2:], self._points[2:], strict=True)):
            return
        self._points = points
        self._kind = kind
        self._train = self._xy(train_x, train_y)
        self._test = self._xy(test_x, test_y)
        self.train_points.setData(pos=self._train, brush=self._brushes(train_y),
                                  pen=pg.mkPen("#ffffff", width=1.2))
        self.test_points.setData(pos=self._test, brush=self._brushes(test_y),
                                 pen=pg.mkPen("#222222", width=1.2))
        self.test_points.setVisible(self._show_test)
        self._write_legend(num_classes)

    def set_curve(self, xs: np.ndarray | None, ys: np.ndarray | None = None) -> None:
        """Regression: the network's prediction along x; None removes it."""
        if xs is None:
            self.curve.setData([], [])
        else:
            self.curve.setData(np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel())

    def set_discretize(self, on: bool) -> None:
        """Show only the decision regions (no shading by confidence)."""
        self._discretize = bool(on)
        self._show_image()

    def set_show_test(self, on: bool) -> None:
        self._show_test = bool(on)
        self.test_points.setVisible(self._show_test)

    def set_selected_point(self, index: int) -> None:
        """Ring the training point being traced; -1 for none."""
        if 0 <= index < len(self._train):
            self.selected_marker.setData(pos=self._train[index:index + 1])
        else:
            self.selected_marker.setData(pos=np.zeros((0, 2)))

    # -- helpers ---------------------------------------------------------------------------------

    def _xy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self._kind == "regression" or x.ndim == 1 or x.shape[1] == 1:
            return np.column_stack([x.reshape(-1), np.asarray(y, dtype=float).reshape(-1)])
        return x[:, :2].copy()

    def _brushes(self, y: np.ndarray) -> list:
        if self._kind == "regression":
            return [pg.mkBrush("#343a40")] * len(y)
        table = [pg.mkBrush(palette.class_colour(k)) for k in range(int(np.max(y, initial=0)) + 1)]
        return [table[int(k)] for k in np.asarray(y).tolist()]

    def _write_legend(self, num_classes: int) -> None:
        def swatch(colour: str, text: str, shape: str = "●") -> str:
            return f"<span style='color:{colour}; font-size:14px'>{shape}</span>&nbsp;{text}"

        if self._kind == "regression":
            parts = [swatch("#343a40", "data point"), swatch(FIT, "the network's fit", "━"),
                     swatch("#343a40", "test point", "■")]
        else:
            parts = [swatch(palette.class_colour(k), f"class {k}") for k in range(num_classes)]
            parts.append(swatch("#555555", "test point", "■"))
            if num_classes == 2:
                parts.append("background: the output, "
                             f"<span style='color:{palette.NEGATIVE}'><b>orange &lt; 0</b></span> &lt; "
                             f"<span style='color:{palette.POSITIVE}'><b>blue</b></span>, "
                             "white at the boundary")
            else:
                parts.append("background: the likeliest class, paler where unsure")
        parts.append("<i>click: add a point · right-click: remove · click a point: trace it</i>")
        self.legend.setText(" &nbsp; ".join(parts))

    def point_at(self, scene_pos: QPointF) -> tuple[str, int]:
        """The point under ``scene_pos`` ("train"/"test", index), or ("", -1)."""
        vb = self.plot.getViewBox()
        best = ("", -1, HIT_PX)
        sets = (("train", self._train),) + ((("test", self._test),) if self._show_test else ())
        for name, pts in sets:
            if not len(pts):
                continue
            px, py = vb.viewPixelSize()
            view = vb.mapSceneToView(scene_pos)
            d = np.hypot((pts[:, 0] - view.x()) / px, (pts[:, 1] - view.y()) / py)
            k = int(np.argmin(d))
            if d[k] <= best[2]:
                best = (name, k, float(d[k]))
        return best[0], best[1]

    def scene_pos_of(self, x: float, y: float) -> QPointF:
        """Scene coordinates of data point (x, y) (tests click there)."""
        return self.plot.getViewBox().mapViewToScene(QPointF(x, y))

    def _on_click(self, ev) -> None:
        if not self.plot.getViewBox().sceneBoundingRect().contains(ev.scenePos()):
            return
        which, index = self.point_at(ev.scenePos())
        if ev.button() == Qt.MouseButton.RightButton:
            if index >= 0:
                self.remove_requested.emit(which, index)
        elif ev.button() == Qt.MouseButton.LeftButton:
            if which == "train":
                self.point_clicked.emit(index)
            elif index < 0:
                view = self.plot.getViewBox().mapSceneToView(ev.scenePos())
                self.add_requested.emit(view.x(), view.y())
