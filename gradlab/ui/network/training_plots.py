"""``lossPlot``: train and test loss (top) and accuracy (bottom) against the training step, live.

The view draws the arrays it is handed (``set_history``) with ``curve.setData``; it keeps no
history of its own. A message can be laid over it (divergence, say).

The loss stays readable at any size: its axis writes big and tiny ticks short (``2e158``) and
widens to fit them, and once the loss spans ``AUTO_LOG_DECADES`` decades the plot turns to a
log scale by itself, with a note saying so (``log_scale_changed`` tells the lab's checkbox),
until the user picks a scale (``set_log_scale``).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6)

from gradlab.ui.common import palette
from gradlab.ui.common.plots import BACKGROUND, CachedAxis

__all__ = ["LossPlot", "StepHistory"]

TRAIN = "#1b1b1b"
TEST = palette.NEGATIVE
FLOOR = 1e-12  # a log axis cannot show a loss of exactly 0
#: a loss spanning this many decades (its largest over its smallest positive value) is shown on a
#: log scale unless the user chose a scale
AUTO_LOG_DECADES = 4


def short_tick(value: float, places: int) -> str:
    """A tick label: ``places`` decimals for ordinary sizes, else a short exponent (``2e158``, ``1.5e-5``)."""
    if value != 0 and not 1e-3 <= abs(value) < 1e4:
        mantissa, _, exponent = f"{value:.2e}".partition("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return f"{value:.{places}f}"


class LossAxis(CachedAxis):
    """A value axis whose labels stay short at any size (pyqtgraph's ``2e+158`` did not fit and was
    dropped, leaving one tick, "0").  It widens to its labels and says so (``width_changed``)."""

    width_changed = Signal(float)

    def setMinimumWidth(self, width: float) -> None:  # noqa: N802 (Qt's)
        # pyqtgraph sizes an axis to its labels with setMaximumWidth, then setMinimumWidth (public
        # Qt calls, unlike its private _updateWidth): the width is settled here
        super().setMinimumWidth(width)
        self.width_changed.emit(self.maximumWidth())

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        if self.logMode:
            return super().tickStrings(values, scale, spacing)
        places = max(0, math.ceil(-math.log10(spacing * scale))) if spacing * scale > 0 else 0
        return [short_tick(v * scale, min(places, 6)) for v in values]


def decades(*arrays: np.ndarray) -> float:
    """How many decades the finite positive values of ``arrays`` span (0 for fewer than two)."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    return float(np.log10(values.max() / values.min())) if len(values) > 1 else 0.0


def _finite(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(ys)
    return xs[keep], ys[keep]


class LossPlot(QWidget):
    """Loss and accuracy curves sharing the step axis; log scale for the loss on request, or by
    itself when the loss spans decades."""

    #: the plot turned its log scale on or off by itself: bool
    log_scale_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self.plot_widget = pg.GraphicsLayoutWidget()
        self.plot_widget.setBackground(BACKGROUND)
        # no context menus (unbuilt, they cost no start-up time)
        loss_axes = {"left": LossAxis("left"), "bottom": CachedAxis("bottom")}
        self.loss_plot = self.plot_widget.addPlot(row=0, col=0, enableMenu=False, axisItems=loss_axes)
        self.acc_plot = self.plot_widget.addPlot(
            row=1, col=0, enableMenu=False, axisItems={name: CachedAxis(name) for name in ("left", "bottom")})
        self.acc_plot.setXLink(self.loss_plot)
        grid = self.plot_widget.ci.layout
        grid.setRowStretchFactor(0, 3)
        grid.setRowStretchFactor(1, 2)
        for plot, name in ((self.loss_plot, "loss"), (self.acc_plot, "accuracy %")):
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setLabel("left", name, color="#333333", size="9pt")
            for axis_name in ("left", "bottom"):
                axis = plot.getAxis(axis_name)
                axis.setPen(pg.mkPen("#555555"))
                axis.setTextPen(pg.mkPen("#333333"))
                axis.enableAutoSIPrefix(False)
        self.acc_plot.setLabel("bottom", "step", color="#333333", size="9pt")
        self.acc_plot.setYRange(0, 100, padding=0.02)
        self.acc_plot.setMouseEnabled(x=True, y=False)
        style = {"labelTextColor": "#333333", "labelTextSize": "8pt"}
        self.legends = (self.loss_plot.addLegend(offset=(-6, 4), **style),
                        self.acc_plot.addLegend(offset=(-6, -4), **style))
        self._test_shown = True
        self.train_loss = self._curve(self.loss_plot, "train", TRAIN)
        self.test_loss = self._curve(self.loss_plot, "test", TEST)
        self.train_acc = self._curve(self.acc_plot, "train", TRAIN)
        self.test_acc = self._curve(self.acc_plot, "test", TEST)
        self.message = pg.TextItem(anchor=(0.5, 0.5), color=palette.ERROR_TEXT,
                                   fill=pg.mkBrush(255, 255, 255, 230),
                                   border=pg.mkPen(palette.ERROR_TEXT))
        self.message.setZValue(100)
        self.loss_plot.addItem(self.message, ignoreBounds=True)
        self.message.hide()
        self._log = False
        self._log_chosen = False  # the user picked a scale: the plot no longer picks one
        self._note = ""
        self._data: tuple[np.ndarray, ...] = tuple(np.zeros(0) for _ in range(5))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.setMinimumHeight(180)
        self.loss_plot.getViewBox().sigRangeChanged.connect(self._place_message)
        # the loss axis widens to its labels (pyqtgraph's autoExpandTextSpace); accuracy's follows,
        # so that the two plots' step axes line up
        self.loss_plot.getAxis("left").width_changed.connect(self.acc_plot.getAxis("left").setWidth)
        self.acc_plot.getAxis("left").setWidth(self.loss_plot.getAxis("left").maximumWidth())

    def sizeHint(self) -> QSize:
        return QSize(320, 260)

    @staticmethod
    def _curve(plot, name: str, colour: str) -> pg.PlotDataItem:
        item = plot.plot(name=name, pen=pg.mkPen(colour, width=1.8))
        item.setDownsampling(auto=True, method="peak")
        return item

    # -- the view contract ---------------------------------------------------------------------

    def set_history(self, steps: np.ndarray, loss: np.ndarray, test_loss: np.ndarray,
                    accuracy: np.ndarray, test_accuracy: np.ndarray) -> None:
        """Redraw from the whole history (arrays of equal length; accuracy as fractions; nan: none)."""
        arrays = (steps, loss, test_loss, accuracy, test_accuracy)
        self._data = tuple(np.asarray(a, dtype=float) for a in arrays)
        s, lo, tlo, acc, tacc = self._data
        if not self._log_chosen:
            span = decades(lo, tlo)
            if (span >= AUTO_LOG_DECADES) != self._log:
                self._apply_log(span >= AUTO_LOG_DECADES)
                self.log_scale_changed.emit(self._log)
            self._set_note(f"log scale: the loss spans {span:.0f} decades" if self._log else "")
        for item, ys in ((self.train_loss, lo), (self.test_loss, tlo)):
            xs, ys = _finite(s, ys)
            item.setData(xs, np.maximum(ys, FLOOR) if self._log else ys)
        for item, ys in ((self.train_acc, acc), (self.test_acc, tacc)):
            item.setData(*_finite(s, ys * 100.0))
        self._show_test_legend(bool(np.isfinite(tlo).any()))
        self.acc_plot.setVisible(not len(acc) or bool(np.isfinite(acc).any()))  # regression: no accuracy

    def _show_test_legend(self, on: bool) -> None:
        """The legend names the test curves only when there is a test split."""
        if on == self._test_shown:
            return
        self._test_shown = on
        for legend, item in zip(self.legends, (self.test_loss, self.test_acc), strict=True):
            if on:
                legend.addItem(item, "test")
            else:
                legend.removeItem(item)

    def set_log_scale(self, on: bool) -> None:
        """The user's choice: loss on a log axis or not (accuracy stays linear); the plot stops choosing."""
        self._log_chosen = True
        self._set_note("")
        self._apply_log(on)
        self.set_history(*self._data)
        self.loss_plot.enableAutoRange()

    def _set_note(self, text: str) -> None:
        """A line above the loss curve ("" for none): why the scale is what it is."""
        if text != self._note:
            self._note = text
            self.loss_plot.setTitle(text or None, size="8pt", color="#555555")

    def note(self) -> str:
        return self._note

    def _apply_log(self, on: bool) -> None:
        self._log = bool(on)
        self.loss_plot.setLogMode(y=self._log)
        self.loss_plot.enableAutoRange()

    def log_scale(self) -> bool:
        return self._log

    def point_count(self) -> int:
        """How many training-loss points are drawn."""
        return len(self._data[0])

    def show_message(self, text: str) -> None:
        """Lay ``text`` over the loss curve (empty hides it)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self._place_message()

    def message_text(self) -> str:
        return self.message.toPlainText() if self.message.isVisible() else ""

    def _place_message(self, *_args) -> None:
        (x0, x1), (y0, y1) = self.loss_plot.getViewBox().viewRange()
        self.message.setPos((x0 + x1) / 2, (y0 + y1) / 2)



class StepHistory:
    """Step records as growing numpy arrays (step, loss, accuracy, test loss, test accuracy):
    appending a frame's steps is cheap, and ``arrays()`` is what ``LossPlot.set_history`` takes."""

    def __init__(self) -> None:
        self.size = 0
        self.cols = np.full((5, 1024), np.nan)

    def reset(self, records) -> None:
        self.size = 0
        self.extend(records)

    def extend(self, records) -> None:
        n = self.size + len(records)
        if n > self.cols.shape[1]:
            grown = np.full((5, max(n, 2 * self.cols.shape[1])), np.nan)
            grown[:, :self.size] = self.cols[:, :self.size]
            self.cols = grown
        rows = [(r.step, r.loss, r.accuracy, np.nan if r.test_loss is None else r.test_loss,
                 np.nan if r.test_accuracy is None else r.test_accuracy) for r in records]
        if rows:
            self.cols[:, self.size:n] = np.array(rows, dtype=float).T
        self.size = n

    def arrays(self) -> tuple[np.ndarray, ...]:
        s, lo, acc, tlo, tacc = self.cols[:, :self.size]
        return s, lo, tlo, acc, tacc
