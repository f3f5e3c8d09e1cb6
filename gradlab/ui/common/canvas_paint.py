"""The graph canvas's drawn graph: five graphics items whatever the graph's size (edge lines,
highlighted-path lines, arrowhead sprites, node sprites and the text of the nodes in view),
the drawing's arrays they are made from, and the highlights that restyle them.

A value change restyles the sprites from numpy arrays: no relayout, no new items.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF

import pyqtgraph as pg  # isort: skip  (after PySide6, so pyqtgraph binds to it)

from gradlab.canvas_view import SIZE_STEPS
from gradlab.layout import BOX_H, BOX_W, OP_D
from gradlab.layout.edges import ARROW, NO_EDGES
from gradlab.ui.common.canvas_items import Labels, Segments, Sprites
from gradlab.ui.common.canvas_style import (
    ARROW_BRUSH,
    OP,
    OP_TEXT,
    PATH_COLOUR,
    ROLE_CLASS,
    brushes,
    pens,
    style_keys,
    symbols,
)

__all__ = ["GraphPainting"]


class GraphPainting:
    """The items that draw a graph in ``view_box``, and the state they show: the drawing's rows
    (value nodes, then op nodes), the selection's path, the step-through and the editor's line.
    ``paint_labels(painter)`` writes the nodes' text (the label item keeps it weakly)."""

    def __init__(self, view_box, paint_labels) -> None:
        self.brushes, self.pens, self.symbols = brushes(), pens(), symbols()
        self.no_pen = pg.mkPen(None)  # the arrowheads' (one object: sprites know styles by identity)
        self.edge_item = Segments(pg.mkPen("#a5adb5", width=1.0))
        self.path_item = Segments(pg.mkPen(PATH_COLOUR, width=2.6))
        self.arrow_item, self.node_item = Sprites(), Sprites()
        self.label_item = Labels(paint_labels)
        for z, item in enumerate(self.items()):
            item.setZValue(z + 10)
            view_box.addItem(item, ignoreBounds=True)
        self.graph = self.drawing = None
        self.n = 0
        self.scale = 0.0  # device pixels per drawing unit, as last applied to sprite sizes
        self.set_graph(None)

    def items(self) -> tuple:
        return self.edge_item, self.path_item, self.arrow_item, self.node_item, self.label_item

    def set_graph(self, graph) -> None:
        """A new graph (drawn by the next ``place``): no highlights."""
        self.graph = graph
        self.selected = self.active = -1
        self.pending = np.zeros(len(graph) if graph is not None else 0, dtype=bool)  # no gradient yet
        self.step_parents: tuple[int, ...] = ()  # step-through: the active node's operands
        self.line_nodes = np.zeros(0, dtype=np.int64)

    def place(self, d) -> None:
        """Show drawing ``d`` of the graph (None: nothing)."""
        graph = self.graph
        self.drawing = d
        n = self.n = len(graph) if graph is not None else 0
        empty = d is None
        self.pos = np.zeros((0, 2)) if empty else d.pos.astype(float)
        self.is_op = np.zeros(0, dtype=bool) if empty else d.is_op
        self.value_index = np.zeros(0, dtype=np.int64) if empty else d.value_index
        self.edges = np.zeros((0, 2), dtype=np.int64) if empty else d.edges
        roles = [ROLE_CLASS[r] for r in graph.roles] if graph is not None else []
        self.role_class = np.array(roles + [OP] * (len(self.pos) - n), dtype=np.int64)
        self.half = np.where(self.is_op[:, None], OP_D / 2, [[BOX_W / 2, BOX_H / 2]])
        self.half_max = self.half * np.where(self.is_op, 1.0, SIZE_STEPS[-1])[:, None]
        self.op_text = [OP_TEXT.get(v._op, v._op) for v in graph.values] if graph is not None else []
        self.path_rows = np.zeros(len(self.pos), dtype=bool)
        self._build_edges()
        self.node_item.set_positions(self.pos)
        lo, hi = (self.pos.min(axis=0) - 1, self.pos.max(axis=0) + 1) if n else ((0, 0), (0, 0))
        self.label_item.set_rect(QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1]))

    def _build_edges(self) -> None:
        """The drawing's edges, clipped to the node outlines (``Drawing.edge_lines``: a worker's
        run computes them with the layout), handed to the line and arrow items."""
        e = self.edges
        lines = self.drawing.edge_lines if self.drawing is not None else NO_EDGES
        self.segments, self.segment_edge = lines.segments, lines.owner
        coarse = np.hstack([self.pos[e[:, 0]], self.pos[e[:, 1]]]) if len(e) else None
        self.edge_item.set_segments(lines.segments, coarse)
        self.arrow_symbol = 2 + np.round((lines.arrow_angle + 180) / 10).astype(np.int64) % 36
        self.arrow_item.set_positions(lines.arrow_at)
        self.update_path()

    def refresh_values(self) -> None:
        """Read every value's data and gradient again (the next ``restyle`` shows them)."""
        values = self.graph.values if self.graph is not None else []
        self.grad = np.fromiter((v.grad for v in values), float, len(values))
        self.data = np.fromiter((v.data for v in values), float, len(values))

    def update_path(self) -> None:
        """Light the selection's paths to the output, and the step-through's step: its operands
        -> its op -> the node."""
        self.path_rows[:] = False
        if self.selected >= 0:
            values = np.array(self.graph.path_to_output(self.selected))
            ops = self.graph.op_row[values[1:]]  # the selected node's own op is upstream of it
            self.path_rows[values] = True
            self.path_rows[ops[ops >= 0]] = True
        e = self.edges
        on = self.path_rows[e[:, 0]] & self.path_rows[e[:, 1]]
        op = int(self.graph.op_row[self.active]) if self.active >= 0 and self.step_parents else -1
        if op >= 0:
            on |= ((e[:, 1] == op) & np.isin(e[:, 0], self.step_parents)) | (
                (e[:, 0] == op) & (e[:, 1] == self.active))
        self.on_path = on
        self.path_item.set_segments(self.segments[self.on_path[self.segment_edge]])
        self._arrow_keys, inverse = np.unique(self.arrow_symbol * 2 + self.on_path, return_inverse=True)
        self._arrow_inverse = inverse.reshape(-1)

    def restyle(self, scale: float) -> None:
        """Style every node from its gradient, role and highlights, at ``scale`` px per unit."""
        key = style_keys(self.grad, self.data, self.role_class, self.pending, self.path_rows,
                         self.line_nodes, self.selected, self.active)
        self._node_keys, inverse = np.unique(key, return_inverse=True)
        self._node_inverse = inverse.reshape(-1)
        self.scale = 0.0
        self.resize(scale)

    def resize(self, scale: float) -> None:
        """Give the sprites their pixel sizes at ``scale`` px per unit (if any changed)."""
        if abs(scale / max(self.scale, 1e-9) - 1) < 0.005:
            return
        self.scale = scale
        sizes = [max(3, round(scale * BOX_W * f)) for f in SIZE_STEPS] + [max(2, round(scale * OP_D))]
        nb, npen = len(self.brushes), len(self.pens)
        styles = [(self.symbols[0 if k // nb // npen < len(SIZE_STEPS) else 1], sizes[k // nb // npen],
                   self.pens[k // nb % npen], self.brushes[k % nb]) for k in self._node_keys.tolist()]
        self.node_item.set_styles(styles, self._node_inverse, scale)
        arrow = round(scale * ARROW)
        self.arrow_item.setVisible(arrow >= 3)
        styles = [(self.symbols[k // 2], arrow, self.no_pen, self.brushes[ARROW_BRUSH + k % 2])
                  for k in self._arrow_keys.tolist()]
        self.arrow_item.set_styles(styles, self._arrow_inverse, scale)

    def set_opacity(self, opacity: float) -> None:
        for item in self.items():
            item.setOpacity(opacity)

