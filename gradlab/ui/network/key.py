"""``networkKey``: what the network view's lines mean, drawn with the view's own pens."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gradlab.ui.common import palette
from gradlab.ui.common.plots import BACKGROUND
from gradlab.ui.network.geometry import LEVELS, WIDTHS

__all__ = ["NetworkKey", "short_number"]

SAMPLE_PX = 16  # the length of a line sample in the key
SIGN_PX = 3.0  # the width of the key's samples of the two colours


def short_number(x: float) -> str:
    """A weight or gradient in a key or a tooltip: 4 significant digits, nan and inf as they are."""
    return f"{x:.4g}" if np.isfinite(x) else str(x)


class NetworkKey(QWidget):
    """``networkKey``: what the lines mean, drawn with the view's own pens: colour is the sign
    (blue +, orange -), thickness the size, for the weights or, in gradients mode, for the
    gradients. The samples flow onto as many rows as the width needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkKey")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))  # a key: quieter than the labels
        self.setFont(font)
        self._items: list[tuple[str, str, float]] = []  # (colour or "", text, pen width)
        self._height = 0
        self.set_mode(False)

    def set_mode(self, gradients: bool, largest: float = float("nan"),
                 widths: Sequence[float] = WIDTHS) -> None:
        """The weights' key, or the gradients' (``largest``: the biggest |gradient|, the thickest
        line); ``widths``: the pens' widths, level by level, as the view draws them."""
        pos, neg = palette.POSITIVE, palette.NEGATIVE
        wd = tuple(widths)
        if gradients:
            top = f" = {short_number(largest)}" if np.isfinite(largest) and largest > 0 else ""
            items = [("", "gradients ∂loss/∂w:", 0), (pos, "+", SIGN_PX), (neg, "−", SIGN_PX),
                     ("", "· thickness: |gradient| ÷ largest", 0)]
            items += [(pos, f"{(k + 1) / LEVELS:.0%}" + (top if k == LEVELS - 1 else ""), wd[k])
                      for k in range(LEVELS)]
            tip = ("Lines show each weight's gradient: how the loss changes as the weight grows.\n"
                   "Blue (+): the loss grows with the weight, so a step lowers the weight;\n"
                   "orange (−): a step raises it. The thickest line is the largest gradient.")
        else:
            items = [("", "weights:", 0), (pos, "positive", SIGN_PX), (neg, "negative", SIGN_PX),
                     ("", "· thickness: |w|", 0)]
            bounds = ("< .05", ".05–.25", ".25–.6", ".6–1.2", "> 1.2")
            items += [(pos, b, wd[k]) for k, b in enumerate(bounds)]
            tip = ("Lines are weights: blue positive, orange negative, thicker for a larger |w|.\n"
                   "Small squares are biases; each neuron shows its output over the input plane.")
        self.setToolTip(tip)
        # phrases apart, so that a narrow key breaks between them
        items += [("", "· ■ bias", 0), ("", "· hover a neuron:", 0), ("", "its output, large in the plot", 0)]
        if items != self._items:
            self._items = items
            self._relayout()
            self.update()

    def texts(self) -> list[str]:
        return [text for _, text, _ in self._items]

    def _flow(self, width: int) -> tuple[list[tuple[int, int, int]], int]:
        """Where each item starts (x, y, its width) at ``width``, and the height needed."""
        fm = QFontMetrics(self.font())
        line_h, sample, gap = fm.height() + 3, SAMPLE_PX, 9
        x, y, out = 4, 2, []
        for colour, text, _ in self._items:
            w = fm.horizontalAdvance(text) + (sample + 4 if colour else 0)
            if x > 4 and x + w > width - 4:
                x, y = 4, y + line_h
            out.append((x, y, w))
            x += w + gap
        return out, y + line_h + 2

    def _relayout(self) -> None:
        height = self._flow(max(self.width(), 120))[1]
        if height != self._height:
            self._height = height
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(400, self._height)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._relayout()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(BACKGROUND))  # the view's own background, whatever the palette
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        places, _ = self._flow(self.width())
        for (colour, text, width), (x, y, _) in zip(self._items, places, strict=True):
            mid = y + fm.height() / 2 + 1
            if colour:
                p.setPen(QPen(QColor(colour), width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
                p.drawLine(QPointF(x, mid), QPointF(x + SAMPLE_PX, mid))
                x += SAMPLE_PX + 4
            p.setPen(QColor("#333333"))
            p.drawText(QPointF(x, y + 1 + fm.ascent()), text)
        p.end()
