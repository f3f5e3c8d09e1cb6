"""Small pyqtgraph plots for the probe: output vs a node's value, and error vs step size.

Both are plain ``QWidget``s wrapping one ``pg.PlotWidget`` on a light theme,
so they sit next to ordinary Qt widgets in a side panel.
"""

from __future__ import annotations

import bisect
import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QFont, QImage, QPaintEngine, QPainter, QPicture, QTransform
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gradlab.ui.common.text import elide

__all__ = ["CachedAxis", "ErrorPlot", "ResponsePlot", "ERROR_FLOOR"]

#: errors below this are drawn at it: an error of exactly 0 has no logarithm
ERROR_FLOOR = 1e-17
#: points beyond this magnitude are left out: pyqtgraph's range arithmetic (max - min, padding)
#: overflows near the float limit and raises while painting
PLOT_LIMIT = 1e300

BACKGROUND = "#ffffff"
FOREGROUND = "#333333"
CURVE = "#1f5fa8"
TANGENT = "#d9730d"
SECANT = "#2e8b57"
CENTRAL = "#8e44ad"
MARKER = "#c0392b"
SECANT_NAME, SECANT_KEY = "secant (nudge h)", 2  # the secant's name in the key, and its place there


def _pen(color: str, width: float = 2.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine):
    pen = pg.mkPen(color=color, width=width)
    pen.setStyle(style)
    return pen


class _PlotView(pg.GraphicsLayoutWidget):
    """pyqtgraph's view; ``hint``: the size it asks for (a graphics view asks for 640x480 by
    default, and a panel whose text wraps, height for width, would grow to that)."""

    hint: QSize | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.hint or super().sizeHint()


class CachedAxis(pg.AxisItem):
    """pyqtgraph's axis (ticks, labels and grid), its drawing kept as pixels between changes.

    pyqtgraph records an axis as a QPicture and replays it at every paint: a few milliseconds
    of text layout each time the plot repaints (a hover, a curve redrawn), however little
    changed.  Here the axis is drawn into an image instead, drawn again while pyqtgraph keeps the
    same picture (it drops it when the ticks, the range or the size change).  Painting to
    anything but pixels at their size (an SVG export, a scaled painter) replays pyqtgraph's
    picture there: its text stays text.

    With a grid, the image is drawn from the specs pyqtgraph made the picture from, not by
    replaying it: the grid is translucent lines drawn without antialiasing, Qt's slowest line
    (9 ms for a plot's 45), and on the image's transparent pixels CompositionMode_Source writes the very
    pixels SourceOver would, 25 times faster.  The axis line then goes behind them
    (DestinationOver), so where a grid line crosses it the pixel is the grid line over the
    axis line, as pyqtgraph's order draws it; the labels go on top."""

    _image: tuple | None = None  # (pyqtgraph's picture, the key of its place, the image of it)
    _recorded: tuple | None = None  # (pyqtgraph's picture, the font and specs it was drawn from)
    PAD = 2  # pixels round the axis's rectangle in the image: a line's end pixel falls just outside

    def paint(self, p: QPainter, opt, widget=None) -> None:
        t = p.transform()
        if (p.paintEngine().type() != QPaintEngine.Type.Raster
                or t.type().value > QTransform.TransformationType.TxTranslate.value):
            super().paint(p, opt, widget)
            return
        rect, dpr = self.boundingRect(), p.device().devicePixelRatioF()
        x, y = t.dx() + rect.x(), t.dy() + rect.y()  # where the rectangle's corner falls
        key = (dpr, rect.width(), rect.height(), x % 1.0, y % 1.0)
        if self._image is None or self._image[0] is not self.picture or self._image[1] != key:
            if self._recorded is None or self._recorded[0] is not self.picture:  # pyqtgraph dropped it
                self._record()
            image = self._render(p, rect, dpr, x % 1.0, y % 1.0)
            self._image = (self.picture, key, image)
        p.save()
        p.resetTransform()
        p.drawImage(QPointF(math.floor(x) - self.PAD, math.floor(y) - self.PAD), self._image[2])
        p.restore()

    def _record(self) -> None:
        """pyqtgraph's picture of the axis, made as its AxisItem.paint makes it, and the font and
        specs it was drawn from."""
        picture = QPicture()
        painter = QPainter(picture)
        try:
            if self.style["tickFont"]:
                painter.setFont(self.style["tickFont"])
            specs = self.generateDrawSpecs(painter)
            if specs is not None:
                self.drawPicture(painter, *specs)
            font = painter.font()
        finally:
            painter.end()
        self.picture = picture
        self._recorded = (picture, font, specs)

    def _render(self, p: QPainter, rect, dpr: float, fx: float, fy: float) -> QImage:
        """The axis in an image with ``PAD`` pixels round ``rect``: with a grid, drawn from the
        recorded specs (``_draw_grid``); else pyqtgraph's picture replayed, with ``p``'s hints."""
        w, h = (math.ceil((side + 2 * self.PAD + 1) * dpr) for side in (rect.width(), rect.height()))
        image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(0)
        _, font, specs = self._recorded
        painter = QPainter(image)
        try:
            painter.setRenderHints(p.renderHints())
            painter.setFont(p.font())
            painter.translate(fx - rect.x() + self.PAD, fy - rect.y() + self.PAD)
            if self.grid is False or specs is None:
                self.picture.play(painter)  # short tick marks: quick to draw in any way
            else:
                self._draw_grid(painter, font, *specs)
        finally:
            painter.end()
        return image

    def _draw_grid(self, painter: QPainter, font: QFont, axis: tuple, ticks: list, texts: list) -> None:
        """pyqtgraph's drawPicture, fast: each grid line goes in with Source where no line was
        drawn yet (a log axis can have a minor tick where a major one is: that one blends)."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # as drawPicture draws
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        drawn: dict[bool, list[float]] = {True: [], False: []}  # where lines lie so far, sorted
        for pen, p1, p2 in ticks:
            vertical = p1.x() == p2.x()
            at, near, lines = (p1.x() if vertical else p1.y()), max(pen.widthF(), 1.0) + 1.0, drawn[vertical]
            i = bisect.bisect(lines, at)
            blends = not (vertical or p1.y() == p2.y()) or any(
                abs(lines[j] - at) < near for j in (i - 1, i) if 0 <= j < len(lines))
            lines.insert(i, at)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver if blends
                                       else QPainter.CompositionMode.CompositionMode_Source)
            painter.setPen(pen)
            painter.drawLine(p1, p2)
        axis_pen, a1, a2 = axis
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationOver)
        painter.setPen(axis_pen)
        painter.drawLine(a1, a2)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.setFont(font)
        painter.setPen(self.textPen())
        painter.setClipRect(self.boundingRect().toAlignedRect())
        for text_rect, flags, text in texts:
            painter.drawText(text_rect, int(flags), text)


class _LightPlot(QWidget):
    """A plot with a white background, dark axes and a legend below it (never over the data).

    With ``TEXT_KEY`` (the inspector's plots, side by side in a narrow panel) the legend is a
    line of text (``key``) that wraps, so it is never cut however narrow the plot."""

    TEXT_KEY = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = _PlotView()
        if self.TEXT_KEY:
            self.plot_widget.hint = QSize(160, 130)
        self.plot_widget.setBackground(BACKGROUND)
        # the context menu's options make no sense here (and unbuilt, they cost no start-up time)
        axes = {name: CachedAxis(name) for name in ("left", "bottom")}
        self.plot = self.plot_widget.addPlot(row=0, col=0, enableMenu=False, axisItems=axes)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        tick_font = QFont()
        tick_font.setPointSizeF(8.0)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(_pen(FOREGROUND, 1))
            axis.setTextPen(_pen(FOREGROUND, 1))
            axis.setStyle(tickFont=tick_font)
            axis.enableAutoSIPrefix(False)  # "(x1e+03)" in the label reads as part of the name
        self._keys: list[tuple[str, str, str]] = []  # (glyph, colour, name) per curve, in order
        grid = self.plot_widget.ci.layout
        grid.setContentsMargins(2, 4, 6, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot_widget, 1)
        if self.TEXT_KEY:
            self.key = QLabel(objectName="plotKey")
            self.key.setTextFormat(Qt.TextFormat.RichText)
            self.key.setWordWrap(True)
            self.key.setStyleSheet(f"color: {FOREGROUND}; font-size: 8pt; background: {BACKGROUND};"
                                   " padding: 0 4px;")
            layout.addWidget(self.key)
        else:
            self.legend = pg.LegendItem(offset=None, colCount=2, labelTextColor=FOREGROUND,
                                        labelTextSize="8pt", verSpacing=-4)
            self.plot_widget.addItem(self.legend, row=1, col=0)
            grid.setRowStretchFactor(0, 1)  # spare height goes to the plot, not around the legend
        self.setMinimumHeight(150 if self.TEXT_KEY else 170)
        # why nothing is drawn, in the middle of cleared axes (hidden while a curve shows)
        self.message = pg.TextItem("", color=FOREGROUND, anchor=(0.5, 0.5))
        self.message.setTextWidth(220)
        self.plot.addItem(self.message, ignoreBounds=True)
        self.message.hide()

    def show_message(self, text: str) -> None:
        """Clear the curves and the axes and say ``text`` (why nothing can be drawn)."""
        self.clear()
        self.set_axis_labels("", "")
        self.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setStyle(showValues=False)
        self.message.setPlainText(text)
        self.message.setPos(0.5, 0.5)
        self.message.show()

    def message_text(self) -> str:
        """The reason shown instead of a curve ("" while a curve shows)."""
        return self.message.toPlainText() if self.message.isVisible() else ""

    def _hide_message(self) -> None:
        if self.message.isVisible():
            self.message.hide()
            for name in ("left", "bottom"):
                self.plot.getAxis(name).setStyle(showValues=True)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self.TEXT_KEY:
            self._fit_legend()

    def _fit_legend(self) -> None:
        """The legend in two columns where they fit side by side, else in one (a narrow inspector)."""
        room = self.plot_widget.width() - 10  # the layout's margins
        width = self.legend.layout.effectiveSizeHint(Qt.SizeHint.PreferredSize).width()
        if self.legend.columnCount == 2 and width > room:
            self.legend.setColumnCount(1)
        elif self.legend.columnCount == 1 and 2 * width <= room:
            self.legend.setColumnCount(2)

    def sizeHint(self) -> QSize:  # noqa: N802
        # a graphics view asks for 640x480 by default, far too tall for a side panel
        return QSize(320, 200 if self.TEXT_KEY else 230)

    def _curve(self, name: str, glyph: str = "━", colour: str = FOREGROUND, **style) -> pg.PlotDataItem:
        """A curve, named in the legend (with ``TEXT_KEY``: ``glyph`` in ``colour``, then ``name``)."""
        item = self.plot.plot(**style)
        if self.TEXT_KEY:
            self._keys.append((glyph, colour, name))
            self._show_key()
        else:
            self.legend.addItem(item, name)
        return item

    def set_key_name(self, k: int, name: str) -> None:
        """Rename the ``k``-th curve in the key."""
        glyph, colour, _ = self._keys[k]
        self._keys[k] = (glyph, colour, name)
        self._show_key()

    def key_names(self) -> list[str]:
        return [name for _, _, name in self._keys]

    def _show_key(self) -> None:
        # a glyph stays with its name; the text wraps to the plot's width
        entries = (f'<span style="color: {c}; font-weight: bold;">{g}</span>&nbsp;{html.escape(n)}'
                   for g, c, n in self._keys)
        self.key.setText(" &nbsp; ".join(entries))

    def set_axis_labels(self, x: str, y: str) -> None:
        style = {"color": FOREGROUND, "font-size": "9pt"}
        self.plot.setLabel("bottom", x, **style)
        self.plot.setLabel("left", y, **style)


class ResponsePlot(_LightPlot):
    """The output as one node's value sweeps, with the tangent (backprop) and the secant (nudge)."""

    TEXT_KEY = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("How the output changes as this node's value moves (others held fixed).\n"
                        "Orange: the tangent, slope = backprop gradient.\n"
                        "Green: the secant through f(x) and f(x + h), slope = forward difference.")
        self.curve = self._curve("output", "━", CURVE, pen=_pen(CURVE))
        self.marker = self._curve("value now", "●", MARKER, pen=None, symbol="o", symbolSize=8,
                                  symbolBrush=MARKER, symbolPen=_pen("#ffffff", 1))
        self.secant = self._curve(SECANT_NAME, "━", SECANT, pen=_pen(SECANT, 1.5))
        self.tangent = self._curve("tangent (grad)", "┅", TANGENT, pen=_pen(TANGENT, 2, Qt.PenStyle.DashLine))
        # the secant's two points: f(x) and f(x + h)
        self.secant_points = self.plot.plot(pen=None, symbol="o", symbolSize=6, symbolBrush=SECANT,
                                            symbolPen=_pen("#ffffff", 1))
        # the dashed tangent on top of the secant: where they run close, both should show
        self.tangent.setZValue(1)
        self.marker.setZValue(2)
        self.secant_points.setZValue(2)
        self.set_axis_labels("value", "output")

    def show_probe(self, curve_xs, curve_ys, result, output_label: str = "", node_label: str = "",
                   secant: tuple[float, float] | None = None) -> None:
        """Draw the response curve of ``result``'s node and the probe's tangent and secant.

        ``secant``: (h, f(x + h)) for an h big enough to see, when the probe's own h is not: its
        secant would lie on the tangent.  The key then says which h the secant is drawn at."""
        self._hide_message()
        xs = np.asarray(curve_xs, dtype=float)
        ys = np.asarray(curve_ys, dtype=float)
        name = node_label or elide(result.label) or "node"
        # pyqtgraph's axis labels are HTML: the names are escaped
        self.set_axis_labels(f"value of {html.escape(name)}", f"output {html.escape(output_label)}".rstrip())
        _set_finite(self.curve, xs, ys)
        x0, f0 = float(result.x), float(result.f0)
        keep = _drawable(xs) & _drawable(ys)
        xs, ys = xs[keep], ys[keep]
        if xs.size == 0 or not (_drawable(x0) and _drawable(f0)):
            # no point to draw lines through (f = inf or nan): show the curve alone
            for item in (self.tangent, self.secant, self.marker, self.secant_points):
                item.setData([], [])
            self.plot.enableAutoRange()
            return
        x_lo, x_hi = float(np.min(xs)), float(np.max(xs))
        ends = np.array([x_lo, x_hi])
        self.marker.setData([x0], [f0])
        # lines across the whole window: a tiny h would make the secant segment invisible
        self._line(self.tangent, ends, x0, f0, float(result.grad))
        h, f_h = (float(result.h), float(result.f_plus)) if secant is None else secant
        slope = (f_h - f0) / h if secant is not None else float(result.forward_diff)
        self._line(self.secant, ends, x0, f0, slope)
        shown = _drawable(x0 + h) and _drawable(f_h) and math.isfinite(slope)
        self.secant_points.setData([x0, x0 + h] if shown else [], [f0, f_h] if shown else [])
        self.set_key_name(SECANT_KEY, SECANT_NAME if secant is None else
                          f"secant drawn at h = {h:.2g} (h = {float(result.h):.0e}: on the tangent)")
        # the view follows the curve, not the lines, whose steep ends would flatten it; and
        # not a pole's spike either (10 / f near f = 0): the middle 90% of the samples
        y_vals = np.append(ys, f0)
        y_lo, y_hi = (float(q) for q in np.quantile(y_vals, [0.05, 0.95]))
        y_lo, y_hi = min(y_lo, f0), max(y_hi, f0)
        pad = 0.08 * (y_hi - y_lo) or max(abs(y_hi) * 0.05, 1e-9)
        self.plot.setRange(xRange=(x_lo, x_hi), yRange=(y_lo - pad, y_hi + pad), padding=0)

    @staticmethod
    def _line(item, ends: np.ndarray, x0: float, f0: float, slope: float) -> None:
        if math.isfinite(slope):
            item.setData(ends, f0 + slope * (ends - x0))
        else:
            item.setData([], [])

    def clear(self) -> None:
        for item in (self.curve, self.tangent, self.secant, self.marker, self.secant_points):
            item.setData([], [])
        self.set_axis_labels("value", "output")


class ErrorPlot(_LightPlot):
    """|finite difference - backprop gradient| against the step h, on log-log axes."""

    TEXT_KEY = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Error of each finite difference against the backprop gradient, for every h.\n"
                        "Large h: the curve's bend (truncation error). Tiny h: float rounding.\n"
                        "The dashed line is the current h.")
        self.plot.setLogMode(x=True, y=True)
        self.forward = self._curve("forward difference", "━", SECANT, pen=_pen(SECANT), symbol="o",
                                   symbolSize=3, symbolBrush=SECANT, symbolPen=None)
        self.central = self._curve("central difference", "━", CENTRAL, pen=_pen(CENTRAL), symbol="o",
                                   symbolSize=3, symbolBrush=CENTRAL, symbolPen=None)
        self._keys.append(("┆", TANGENT, "your h"))
        self._show_key()
        # InfiniteLine lives in view coordinates, which are log10 in log mode
        self.h_line = pg.InfiniteLine(angle=90, movable=False, pen=_pen(TANGENT, 1.5, Qt.PenStyle.DashLine))
        self.plot.addItem(self.h_line, ignoreBounds=True)
        self.h_line.hide()
        self.set_axis_labels("step h", "|error|")

    def show_sweep(self, sweep, h: float) -> None:
        """Draw ``sweep``'s two error curves and a vertical line at the current ``h``."""
        self._hide_message()
        hs = np.asarray(sweep.hs, dtype=float)
        _set_finite(self.forward, hs, _loggable(sweep.forward_error))
        _set_finite(self.central, hs, _loggable(sweep.central_error))
        self.set_h(h)
        self.plot.enableAutoRange()

    def set_h(self, h: float) -> None:
        """Move the current-h line (the curves do not depend on h)."""
        if h > 0 and math.isfinite(h):
            self.h_line.setPos(math.log10(h))
            self.h_line.show()
        else:
            self.h_line.hide()

    def clear(self) -> None:
        self.forward.setData([], [])
        self.central.setData([], [])
        self.h_line.hide()


def _loggable(errors) -> np.ndarray:
    """Errors ready for a log axis: 0 lifted to the floor (nan and inf stay, for ``_finite_points``)."""
    return np.maximum(np.abs(np.asarray(errors, dtype=float)), ERROR_FLOOR)


def _drawable(v):
    """Finite and within ``PLOT_LIMIT`` (elementwise for arrays)."""
    return np.abs(v) < PLOT_LIMIT  # False for nan and inf too


def _set_finite(item: pg.PlotDataItem, xs: np.ndarray, ys: np.ndarray) -> None:
    """Draw only the finite points, leaving a gap in the line where points were dropped.

    pyqtgraph's own ``connect="finite"`` keeps the nan points, and its bounds code
    then warns "All-NaN slice" when nothing is finite.
    """
    drawable = _drawable(xs) & _drawable(ys)
    if drawable.all():  # the common case, and pyqtgraph's fastest path for a long curve
        item.setData(xs, ys, connect="all")
        return
    keep = np.flatnonzero(drawable)
    connect = np.append(np.diff(keep) == 1, False) if keep.size else np.zeros(0, dtype=bool)
    item.setData(xs[keep], ys[keep], connect=connect)
