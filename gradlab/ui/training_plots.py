"""``lossPlot``: train and test loss (top) and accuracy (bottom) against the training step, live.

The view draws the arrays it is handed (``set_history``) with ``curve.setData``; it keeps no
history of its own. A message can be laid over it (divergence, say).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6)

from gradlab.ui import palette

__all__ = ["LossPlot", "StepHistory"]

TRAIN = "#1b1b1b"
TEST = palette.NEGATIVE
FLOOR = 1e-12  # a log axis cannot show a loss of exactly 0


def _finite(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(ys)
    return xs[keep], ys[keep]


class LossPlot(QWidget):
    """Loss and accuracy curves sharing the step axis; log scale for the loss on request."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")
        self.plot_widget = pg.GraphicsLayoutWidget()
        self.plot_widget.setBackground("#ffffff")
        self.loss_plot = self.plot_widget.addPlot(row=0, col=0)
        self.acc_plot = self.plot_widget.addPlot(row=1, col=0)
        self.acc_plot.setXLink(self.loss_plot)
        grid = self.plot_widget.ci.layout
        grid.setRowStretchFactor(0, 3)
        grid.setRowStretchFactor(1, 2)
        for plot, name in ((self.loss_plot, "loss"), (self.acc_plot, "accuracy %")):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setLabel("left", name, color="#333333", size="9pt")
            for axis_name in ("left", "bottom"):
                axis = plot.getAxis(axis_name)
                axis.setPen(pg.mkPen("#555555"))
                axis.setTextPen(pg.mkPen("#333333"))
                axis.enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(44)
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
        self.message = pg.TextItem(anchor=(0.5, 0.5), color="#b3261e", fill=pg.mkBrush(255, 255, 255, 230),
                                   border=pg.mkPen("#b3261e"))
        self.message.setZValue(100)
        self.loss_plot.addItem(self.message, ignoreBounds=True)
        self.message.hide()
        self._log = False
        self._data: tuple[np.ndarray, ...] = tuple(np.zeros(0) for _ in range(5))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.setMinimumHeight(180)
        self.loss_plot.getViewBox().sigRangeChanged.connect(self._place_message)

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
        """Loss on a log axis (accuracy stays linear)."""
        self._log = bool(on)
        self.loss_plot.setLogMode(y=self._log)
        self.set_history(*self._data)
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
