"""The plots' axes (gradlab.ui.common.plots.CachedAxis): kept as pixels, and drawn, grid and all,
pixel for pixel as pyqtgraph draws them."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtGui import QImage, QPainter
from windows import shown

from gradlab.ui.common.plots import BACKGROUND, CachedAxis


def plot_with(qtbot, axis_class, grid: float | bool, log: bool, size: tuple[int, int]):
    view = pg.GraphicsLayoutWidget()
    view.setBackground(BACKGROUND)
    plot = view.addPlot(axisItems={name: axis_class(name) for name in ("left", "bottom")})
    xs = np.linspace(1.0, 100.0, 50)
    plot.plot(xs, np.exp(xs / 10) if log else np.sin(xs))
    if grid:
        plot.showGrid(x=True, y=True, alpha=grid)
    plot.setLogMode(y=log)
    plot.setLabel("left", "loss")
    return shown(view, qtbot, size), plot


@pytest.mark.parametrize("grid", [False, 0.15, 0.5])
@pytest.mark.parametrize("size", [(333, 271), (900, 560)])
def test_the_kept_axes_are_pyqtgraphs_own_pixels(qtbot, grid, size):
    theirs, _ = plot_with(qtbot, pg.AxisItem, grid, False, size)
    ours, plot = plot_with(qtbot, CachedAxis, grid, False, size)
    assert ours.grab().toImage() == theirs.grab().toImage()
    assert all(plot.getAxis(name)._image is not None for name in ("left", "bottom"))  # drawn by ours


@pytest.mark.parametrize("log", [False, True])  # a log axis has minor ticks on its major ones
def test_a_grid_drawn_fast_is_the_replayed_picture_pixel_for_pixel(qtbot, log):
    view, plot = plot_with(qtbot, CachedAxis, 0.5, log, (333, 271))
    view.grab()  # painted: pyqtgraph's picture and its specs are made
    target = QImage(8, 8, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(target)  # the hints and font a view's painter would lend
    try:
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            rect = axis.boundingRect()
            fast = axis._render(painter, rect, 1.0, 0.25, 0.5)
            grid, axis.grid = axis.grid, False  # the same specs, the picture replayed as pyqtgraph does
            try:
                replayed = axis._render(painter, rect, 1.0, 0.25, 0.5)
            finally:
                axis.grid = grid
            assert fast == replayed, name
            assert len(axis._recorded[2][1]) > 10  # a grid of many lines was drawn
    finally:
        painter.end()
