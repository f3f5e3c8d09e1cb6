"""The text the graph canvas writes: each box's name, data and grad, each op's symbol, and the
tooltips of nodes hovered.  Drawn in device pixels, so it stays crisp at any zoom."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from gradlab.canvas_view import LINE_SPACING, SIZE_STEPS, TEXT_FILL, text_px
from gradlab.layout import BOX_H, BOX_W, OP_D
from gradlab.numfmt import format_number
from gradlab.ui.common.canvas_style import CALL, CONSTANT
from gradlab.ui.common.text import elide

__all__ = ["LabelPainter"]


class LabelPainter:
    """Writes the labels of a ``GraphPainting``'s nodes (its graph, drawing rows and step-through)."""

    def __init__(self, painting) -> None:
        self.painting = painting
        self.font, self._bold, self._op_font = QFont(), QFont(), QFont()
        self._bold.setBold(True)
        self._op_widths: dict[str, float] = {}

    def paint(self, p: QPainter, rows, detail: int) -> None:
        """Write the text of drawing ``rows`` (2: name, data and grad; 1: names only)."""
        g = self.painting
        t = p.transform()
        xy = (g.pos[rows] * (t.m11(), t.m22()) + (t.m31(), t.m32())).tolist()  # no rotation
        s = abs(t.m11())
        w, h, op_d = BOX_W * SIZE_STEPS[0] * s, BOX_H * SIZE_STEPS[0] * s, OP_D * s
        px = text_px(w, h) if detail == 2 else round(min(h * 0.7, 12.0))
        line = px * LINE_SPACING
        self.font.setPixelSize(px)
        self._bold.setPixelSize(px)
        bold, plain = QFontMetricsF(self._bold), QFontMetricsF(self.font)

        def fit(text: str, chars: int) -> str:  # a name cut to its box, wide letters too
            return bold.elidedText(elide(text, chars), Qt.TextElideMode.ElideRight, w * TEXT_FILL)
        p.save()
        p.resetTransform()  # draw in device pixels: crisp glyphs at any zoom
        centre, names = Qt.AlignmentFlag.AlignCenter, g.graph.names
        for row, (x, y) in zip(rows.tolist(), xy, strict=True):
            if row >= g.n:
                self._paint_op(p, g.op_text[g.value_index[row]], x, y, op_d)
                continue
            name = names[row]
            p.setPen(QColor("#6c757d" if g.role_class[row] == CONSTANT else "#1b1b1b"))
            p.setFont(self._bold)
            if detail == 1:
                p.drawText(QRectF(x - w / 2, y - h / 2, w, h), centre, fit(name, 6))
                continue
            top = y - (1.5 if name else 1.0) * line
            if name:
                if g.role_class[row] == CALL:  # a call's label is long: smaller before it is cut
                    font = self._narrowed(name, w, bold)
                    p.setFont(font)
                    text = QFontMetricsF(font).elidedText(elide(name, 24), Qt.TextElideMode.ElideRight,
                                                          w * TEXT_FILL)
                    p.drawText(QRectF(x - w / 2, top, w, line), centre, text)
                    p.setFont(self._bold)
                else:
                    p.drawText(QRectF(x - w / 2, top, w, line), centre, fit(name, 14))
                top += line
            text = self.numbers_text(row)
            p.setFont(self.text_font(text, w, plain))
            p.drawText(QRectF(x - w / 2, top, w, 2 * line), centre, text)
        p.restore()

    def _narrowed(self, name: str, w: float, bold: QFontMetricsF) -> QFont:
        """The bold font, down to 70 % of its size, so that ``name`` fits a box ``w`` px wide."""
        wide = bold.horizontalAdvance(name)
        if wide <= w * TEXT_FILL:
            return self._bold
        small = QFont(self._bold)
        px = self._bold.pixelSize()
        small.setPixelSize(max(1, int(max(px * 0.7, px * w * TEXT_FILL / wide))))
        return small

    def text_font(self, text: str, w: float, metrics: QFontMetricsF | None = None) -> QFont:
        """The font for a box's data and grad ``text`` in a box ``w`` px wide: the labels' size, or
        smaller for a long number (data -123456.7890), so no line is cut or crosses the outline."""
        metrics = metrics or QFontMetricsF(self.font)
        wide = max(metrics.horizontalAdvance(t) for t in text.split("\n"))
        if wide <= w * TEXT_FILL:
            return self.font
        small = QFont(self.font)
        small.setPixelSize(max(1, int(self.font.pixelSize() * w * TEXT_FILL / wide)))
        return small

    def numbers_text(self, index: int) -> str:
        """A box's data and grad lines; the grad blank while the step-through has not reached it."""
        v = self.painting.graph.values[index]
        grad = "" if self.painting.pending[index] else format_number(v.grad, box=True)
        return f"{format_number(v.data, box=True)}\n{grad}"

    def label_text(self, index: int) -> str:
        """The text of a value node's box: its name, data and grad, a line each."""
        return f"{elide(self.painting.graph.names[index])}\n{self.numbers_text(index)}"

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

    def tooltip(self, row: int) -> str:
        """What hovering drawing row ``row`` says: a value's name, op, role, data and grad, or an op."""
        g = self.painting
        i = int(g.value_index[row])
        v = g.graph.values[i]
        name = elide(g.graph.names[i], 200) if v.label else f"node {i}"  # a tooltip wraps
        line = g.graph.lines[i]
        made = f"\nmade on line {line}" if line else ""
        if row >= g.n:
            return f"op {v._op} → {name}{made}"
        grad = "not computed yet" if g.pending[i] else repr(v.grad)
        return (f"{name}\nop: {v._op or '(leaf)'}\nrole: {g.graph.roles[i]}\n"
                f"data: {v.data!r}\ngrad: {grad}{made}")
