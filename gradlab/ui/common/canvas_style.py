"""How the graph canvas styles its nodes and arrows: the fill scale, the outlines, the legend
that explains them, and the Qt brushes, pens and symbol paths they are drawn with.

A node's style is one of a few dozen (fill x outline x highlight x shape), so a restyle is a
numpy computation of style keys (``style_keys``) and a gather, whatever the graph's size.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPolygonF, QTransform

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from gradlab.canvas_view import SIZE_STEPS
from gradlab.layout import BOX_H, BOX_W
from gradlab.ui.common import palette

__all__ = ["ARROW_BRUSH", "BACKGROUND", "CALL", "CLASS_NAMES", "CLASS_PENS", "LEVELS", "NONFINITE",
           "OP_BRUSH", "PENDING_BRUSH", "STATE_NAMES", "STATE_PENS", "brushes", "fill_colours", "grad_levels",
           "legend_rows", "pens", "style_keys", "symbols"]

#: |grad| decades that step the fill up: level k holds GRAD_EDGES[k-2] <= |grad| < GRAD_EDGES[k-1]
GRAD_EDGES = (0.01, 0.1, 1.0, 10.0, 100.0)
LEVELS = len(GRAD_EDGES) + 1  # fill intensities per gradient sign
BACKGROUND = "#fbfbf9"
ROLE_CLASS = {"input": 0, "parameter": 1, "constant": 2, "intermediate": 3, "output": 4, "call": 7}
CONSTANT, NONFINITE, OP, CALL = 2, 5, 6, 7
# outline (colour, width, dashed) per class: the roles, then non-finite values and op nodes
CLASS_PENS = (("#2b8a3e", 2.4, False), ("#0b7285", 2.4, False), ("#adb5bd", 1.0, False),
              ("#495057", 1.1, False), ("#111111", 3.2, False), ("#7048e8", 3.0, True),
              ("#868e96", 1.0, False), ("#212529", 2.6, True))
CLASS_NAMES = ("input (a leaf you set)", "parameter", "constant", "computed", "output",
               "nan or inf", "op", "a call, collapsed: click it to open it")
# highlights override the colour: none, on the selected path, selected, the step-through's
# node, made by the editor's line
PATH_COLOUR = "#d6336c"
STATE_PENS = (None, (PATH_COLOUR, 2.6), ("#a61e4d", 4.6), ("#f59f00", 4.6), ("#1c7ed6", 3.6))
STATE_NAMES = ("", "on the path to the output", "selected", "just filled in (step-through)",
               "made on the editor's line")
PATH, SELECTED, ACTIVE, ON_LINE = 1, 2, 3, 4
ZERO_FILL, NONFINITE_FILL, PENDING_FILL = "#e9ecef", "#f3d9fa", "#ffffff"
OP_TEXT = {"sigmoid": "σ", "*": "×"}


def brushes() -> list:
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


def pens() -> list:
    pens = []
    for state in STATE_PENS:
        for colour, width, dashed in CLASS_PENS:
            pen = pg.mkPen(state[0] if state else colour, width=max(width, state[1] if state else 0))
            if dashed and not state:
                pen.setStyle(Qt.PenStyle.DashLine)
            pens.append(pen)
    return pens


def symbols() -> list:
    """The value box, the op circle, then arrowheads pointing every 10 degrees."""
    box = QPainterPath()  # a symbol is scaled by its size in pixels: unit width
    box.addRoundedRect(QRectF(-0.5, -BOX_H / BOX_W / 2, 1, BOX_H / BOX_W), 0.09, 0.09)
    tri = QPainterPath()
    tri.addPolygon(QPolygonF([QPointF(0.5, 0), QPointF(-0.5, -0.32), QPointF(-0.5, 0.32)]))
    circle = QPainterPath()
    circle.addEllipse(QRectF(-0.5, -0.5, 1, 1))
    return [box, circle] + [QTransform().rotate(a).map(tri) for a in range(-180, 180, 10)]


N_PENS, N_BRUSHES = len(STATE_PENS) * len(CLASS_PENS), OP_BRUSH + 4  # as pens() and brushes() make them


def style_keys(grad: np.ndarray, data: np.ndarray, role_class: np.ndarray, pending: np.ndarray,
               path_rows: np.ndarray, line_nodes: np.ndarray, selected: int, active: int) -> np.ndarray:
    """Each drawing row's style key, from its gradient (the fill, on the fixed scale), its role
    (the outline) and the highlights: ``((shape * len(pens) + state * len(CLASS_PENS) + outline)
    * len(brushes) + fill``; rows past ``len(grad)`` are op nodes."""
    n, rows = len(grad), len(role_class)
    finite = np.isfinite(grad) & np.isfinite(data)
    level = grad_levels(np.where(finite, grad, 0.0))
    level = np.where(finite, np.where(grad < 0, level + LEVELS, level), 2 * LEVELS + 1)
    brush = np.full(rows, OP_BRUSH)
    brush[:n] = level + (role_class[:n] == CONSTANT) * (2 * LEVELS + 2)
    brush[:n][pending] = PENDING_BRUSH  # step-through: no gradient yet
    step = np.full(rows, len(SIZE_STEPS))  # the op circle's size
    step[:n] = 0
    pen = role_class.copy()
    pen[:n][~finite] = NONFINITE
    state = path_rows.astype(np.int64)
    state[line_nodes] = ON_LINE
    for index, s in ((selected, SELECTED), (active, ACTIVE)):
        if index >= 0:
            state[index] = s
    return (step * N_PENS + state * len(CLASS_PENS) + pen) * N_BRUSHES + brush
