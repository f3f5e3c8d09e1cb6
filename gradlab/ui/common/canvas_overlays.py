"""Widgets drawn over the graph canvas: the colour key and legend, the overview map, and the
banners that say why the graph looks as it does (a failed run, no Values, step-through).

Each is a plain child widget of the canvas, placed by ``Overlays.place`` (in a corner of the
view that no node shows in); none edits the graph, they only show what the canvas hands them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QToolButton, QWidget

from gradlab.canvas_view import KEY_MARGIN
from gradlab.ui.common.canvas_style import LEVELS, fill_colours, legend_rows

__all__ = ["Banner", "Legend", "Overlays", "Overview"]


class Banner(QLabel):
    """A one-paragraph notice across the top (or the middle) of the canvas."""

    STYLES = {
        "error": "background: #fff1f0; color: #a61e1e; border: 1px solid #f1aeb5;",
        "info": "background: #f1f3f5; color: #343a40; border: 1px solid #ced4da;",
        "step": "background: #fff8e6; color: #5c3c00; border: 1px solid #f0c36d;",
    }

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_text(self, text: str, kind: str = "info") -> None:
        """Show ``text`` (empty: hide)."""
        self.setStyleSheet(f"QLabel {{ {self.STYLES[kind]} padding: 6px 10px; border-radius: 4px; }}")
        self.setText(text)
        self.setVisible(bool(text))
        if text:
            self.raise_()


class Legend(QWidget):
    """Swatches with captions: the compact key (fill colours) or the full legend (fill scale and
    every outline).  ``rows``: (caption, fill colour, outline colour, outline width, dashed);
    ``sample``: a box left of the rows with its lines named (SAMPLE_LINES), as the canvas
    draws a value's name, data and grad."""

    SAMPLE_LINES = ("name", "data", "grad")
    SAMPLE_W, SAMPLE_H = 46, 44

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.rows: list[tuple[str, str, str, float, bool]] = []
        self.title = ""
        self.sample = False
        self._font = QFont()
        self._font.setPixelSize(11)
        self._bold = QFont(self._font)
        self._bold.setBold(True)

    def set_rows(self, title: str, rows: list[tuple[str, str, str, float, bool]],
                 sample: bool = False) -> None:
        self.title, self.rows, self.sample = title, rows, sample
        self.resize(self.sizeHint())
        self.update()

    def captions(self) -> list[str]:
        return [r[0] for r in self.rows]

    def _indent(self) -> int:
        return self.SAMPLE_W + 10 if self.sample else 0

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = QFontMetricsF(self._font)
        width = max([fm.horizontalAdvance(r[0]) for r in self.rows] + [QFontMetricsF(self._bold)
                    .horizontalAdvance(self.title)], default=0)
        height = 18 * (len(self.rows) + bool(self.title)) + 10
        return QSize(int(width + 48 + self._indent()),
                     int(max(height, self.SAMPLE_H + 10 if self.sample else 0)))

    def _paint_sample(self, p: QPainter, top: float) -> None:
        """A box with its lines named, as the canvas draws a value's name, data and grad."""
        box = QRectF(7.5, top + 0.5, self.SAMPLE_W, self.SAMPLE_H)
        p.setPen(QPen(QColor("#495057"), 1.1))
        p.setBrush(QColor("#e9ecef"))
        p.drawRoundedRect(box, 4, 4)
        p.setPen(QColor("#1b1b1b"))
        line = box.height() / len(self.SAMPLE_LINES)
        for k, text in enumerate(self.SAMPLE_LINES):
            p.setFont(self._bold if k == 0 else self._font)
            p.drawText(QRectF(box.left(), box.top() + k * line, box.width(), line),
                       Qt.AlignmentFlag.AlignCenter, text)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#ced4da")))
        p.setBrush(QColor(255, 255, 255, 235))
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        if self.sample:
            self._paint_sample(p, (self.height() - self.SAMPLE_H) / 2 - 0.5 if not self.title else 5.0)
        y, x = 5.0, self._indent()
        if self.title:
            p.setFont(self._bold)
            p.setPen(QColor("#212529"))
            p.drawText(QRectF(8 + x, y, self.width() - 12 - x, 18), Qt.AlignmentFlag.AlignVCenter,
                       self.title)
            y += 18
        p.setFont(self._font)
        for caption, fill, outline, width, dashed in self.rows:
            pen = QPen(QColor(outline), width)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(QBrush(QColor(fill)))
            p.drawRoundedRect(QRectF(9 + x, y + 3, 24, 12), 2, 2)
            p.setPen(QColor("#212529"))
            p.drawText(QRectF(40 + x, y, self.width() - 44 - x, 18), Qt.AlignmentFlag.AlignVCenter, caption)
            y += 18
        p.end()


class Overview(QWidget):
    """A small map of the whole graph with the part in view outlined; a click there moves the view.

    ``moved_to`` (QPointF, drawing coordinates): the point the learner clicked or dragged to.
    """

    moved_to = Signal(QPointF)

    SIZE = QSize(200, 130)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("graphOverview")
        self.setToolTip("The whole graph; the box is what the canvas shows. Click or drag to move there.")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.resize(self.SIZE)
        self._pos = np.zeros((0, 2))
        self._bounds = QRectF(0, 0, 1, 1)
        self._view = QRectF()
        self._colours = np.zeros(0, dtype=np.int64)
        self._palette: list[QColor] = []
        self._dots: QPixmap | None = None  # the graph, drawn once per graph and size
        self.hide()

    def set_graph(self, pos: np.ndarray, bounds: QRectF, colours: np.ndarray, palette: list[str]) -> None:
        """Value nodes at ``pos`` inside ``bounds``; ``colours`` index ``palette`` per node."""
        self._pos, self._bounds, self._colours = pos, bounds, colours
        self._palette = [QColor(c) for c in palette]
        self._dots = None
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802
        self._dots = None
        super().resizeEvent(event)

    def _draw_dots(self) -> QPixmap:
        pix = QPixmap(self.size())
        pix.fill(QColor(255, 255, 255, 225))
        p = QPainter(pix)
        p.setPen(QPen(QColor("#adb5bd")))
        p.drawRect(QRectF(pix.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        s, ox, oy = self._transform()
        if len(self._pos):
            xy = self._pos * s + (ox, oy)
            dot = max(1.5, min(4.0, s * 0.8))
            p.setPen(Qt.PenStyle.NoPen)
            for k, colour in enumerate(self._palette):
                p.setBrush(colour)
                # one square per half pixel, however many nodes land there (20,000 on a small map)
                spots = np.unique(np.round(xy[self._colours == k] * 2), axis=0) / 2
                for x, y in spots.tolist():
                    p.drawRect(QRectF(x - dot / 2, y - dot / 2, dot, dot))
        p.end()
        return pix

    def set_view(self, rect: QRectF) -> None:
        self._view = QRectF(rect)
        self.update()

    def _transform(self) -> tuple[float, float, float]:
        b, m = self._bounds, 6.0
        s = min((self.width() - 2 * m) / max(b.width(), 1e-9),
                (self.height() - 2 * m) / max(b.height(), 1e-9))
        ox = m + (self.width() - 2 * m - b.width() * s) / 2 - b.left() * s
        oy = m + (self.height() - 2 * m - b.height() * s) / 2 - b.top() * s
        return s, ox, oy

    def paintEvent(self, event) -> None:  # noqa: N802
        if self._dots is None or self._dots.size() != self.size():
            self._dots = self._draw_dots()
        p = QPainter(self)
        p.drawPixmap(0, 0, self._dots)
        s, ox, oy = self._transform()
        v = self._view
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(QColor("#d6336c"), 1.5))
        p.drawRect(QRectF(v.left() * s + ox, v.top() * s + oy, max(v.width() * s, 3), max(v.height() * s, 3)))
        p.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self._move(event.position())

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._move(event.position())

    def _move(self, at: QPointF) -> None:
        s, ox, oy = self._transform()
        self.moved_to.emit(QPointF((at.x() - ox) / s, (at.y() - oy) / s))


class Overlays:
    """The canvas's overlays and where they go: the key (or the full legend) and the overview map
    each take a corner of the view that no node shows in; the key where there is none is left out
    (View > Legend has it), the map waits behind a small button the learner may press.  The
    banners sit above the view, never over the graph; the message (no graph, and why) in its middle.
    """

    def __init__(self, canvas: QWidget) -> None:
        self.canvas = canvas
        self.key = Legend("graphKey", canvas)
        self.key.set_rows("", [("grad > 0", fill_colours()[3], "#adb5bd", 1.0, False),
                               ("grad < 0", fill_colours()[LEVELS + 3], "#adb5bd", 1.0, False)],
                          sample=True)
        self.key.setToolTip("A box shows its value's name, data and grad (as micrograd's draw_dot "
                            "does), and is filled blue for a positive gradient, orange for a negative "
                            "one, stronger by decade of |grad|. View ▸ Legend explains every colour.")
        self.legend = Legend("graphLegend", canvas)
        self.legend.set_rows("Legend", legend_rows(), sample=True)
        self.legend.hide()
        self.key_on = self.legend_on = False  # shown when a corner of the view has room for it
        self.overview_on = False  # part of the graph is out of view
        self.overview = Overview(canvas)
        # where no corner of the view is free for the overview, this small button opens it
        self.map_button = QToolButton(canvas, objectName="overviewButton", text="Map", checkable=True)
        self.map_button.setToolTip("Show the map of the whole graph (it covers part of the view)")
        self.map_button.hide()
        # a failed run (the graph is the last good one), and the step-through's counter and rule
        self.banner = Banner("graphBanner", canvas)
        self.step_banner = Banner("stepBanner", canvas)
        self.message = Banner("graphMessage", canvas)  # no graph to draw, and why
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def place(self, view: QRectF, rects: np.ndarray, has_nodes: bool) -> None:
        """Place every overlay over ``view`` (the view's geometry in the canvas), where none
        covers a node of ``rects`` (rows of left, top, right, bottom, canvas pixels)."""
        self.view = view
        w, m = self.canvas.width(), KEY_MARGIN
        if self.message.isVisible():
            top, h = view.y() + m, view.y() + view.height()
            self.message.setFixedWidth(max(120, min(w - 2 * m, 520)))
            self.message.adjustSize()
            self.message.move((w - self.message.width()) // 2, max(top, (h - self.message.height()) // 2))
        taken: list[int] = []
        for box, on in ((self.key, self.key_on), (self.legend, self.legend_on)):
            box.resize(box.sizeHint())
            corner = self.free_corner(box.size(), (0, 1, 2, 3), taken, rects) if on else None
            if on and corner is None and box is self.legend:
                corner = 0  # asked for from the menu: shown, in its usual corner
            box.setVisible(corner is not None)
            if corner is not None:
                taken.append(corner)
                self._move_to_corner(box, corner)
                box.raise_()
        side = int(min(200, max(90, 0.28 * w)))
        self.overview.resize(side, int(side * 0.65))
        on = self.overview_on and has_nodes
        corner = self.free_corner(self.overview.size(), (1, 3, 0, 2), taken, rects) if on else None
        if on and corner is None and self.map_button.isChecked():
            corner = 1
        self.overview.setVisible(corner is not None)
        if corner is not None:
            self._move_to_corner(self.overview, corner)
            self.overview.raise_()
        self._place_map_button(on, corner, taken, rects)

    def _place_map_button(self, on: bool, corner: int | None, taken: list[int], rects: np.ndarray) -> None:
        button = self.map_button
        button.setVisible(on and (corner is None or button.isChecked()))
        if not button.isVisible():
            return
        button.resize(button.sizeHint())
        if self.overview.isVisible():  # the button sits just above the map it opened
            self._move_to_corner(button, corner)
            button.move(button.x(), self.overview.y() - button.height() - 2 if corner < 2 else
                        self.overview.y() + self.overview.height() + 2)
        else:  # in a corner where it covers no node, if there is one
            free = self.free_corner(button.size(), (1, 3, 0, 2), taken, rects)
            self._move_to_corner(button, 1 if free is None else free)
        button.raise_()

    def corner_at(self, w: int, h: int, corner: int) -> tuple[int, int]:
        """The top left of a ``w`` x ``h`` widget in a corner of the view (0 bottom left, 1 bottom
        right, 2 top left, 3 top right), KEY_MARGIN from its edges, in the canvas's pixels."""
        g, m = self.view, KEY_MARGIN
        x = g.left() + m if corner in (0, 2) else g.left() + g.width() - m - w
        y = g.top() + g.height() - m - h if corner in (0, 1) else g.top() + m
        return int(x), int(y)

    def _move_to_corner(self, widget: QWidget, corner: int) -> None:
        widget.move(*self.corner_at(widget.width(), widget.height(), corner))

    def free_corner(self, size, order, taken, rects: np.ndarray) -> int | None:
        """The first corner of ``order`` not ``taken`` where a widget of ``size`` covers no node."""
        for corner in order:
            if corner in taken:
                continue
            x0, y0 = (c - 2 for c in self.corner_at(size.width(), size.height(), corner))
            x1, y1 = x0 + size.width() + 4, y0 + size.height() + 4
            if not ((rects[:, 2] > x0) & (rects[:, 0] < x1) & (rects[:, 3] > y0) & (rects[:, 1] < y1)).any():
                return corner
        return None
