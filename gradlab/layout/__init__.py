"""Layered drawings of computation graphs, as micrograd's ``draw_dot`` lays them out.

``layers`` places nodes in layers and orders them (the method is in its docstring),
``fold`` folds a long left-to-right drawing into bands, ``place`` compacts slots across
layers, ``edges`` routes each edge as the canvas draws it, and ``drawing`` holds the
result, :class:`Drawing`, with the boxes' dimensions.
"""

from gradlab.layout.drawing import ARROW_LEAD, BOX_H, BOX_W, OP_D, Drawing, count_crossings, crossing_pairs
from gradlab.layout.layers import Layout, layered_drawing

__all__ = ["ARROW_LEAD", "BOX_H", "BOX_W", "OP_D", "Drawing", "Layout", "count_crossings", "crossing_pairs",
           "layered_drawing"]
