"""The contract the node inspector reads: a graph, the selected node and the probe's step h.

The expression lab's model, the network lab's weight model and its traced point's model each
extend this one class, so selecting and the step h behave alike wherever a node is probed.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

MIN_STEP, MAX_STEP = 1e-12, 1.0


class InspectedModel(QObject):
    """A graph (``graph``: anything with ``len`` and the probe's interface), ``selected`` and
    ``step_size``; ``backprop_step`` stays -1 where there is no step-through."""

    #: the graph was replaced (no payload)
    program_changed = Signal()
    #: values changed in place: list[int] of graph indices whose data changed, may be empty
    #: (all gradients may have changed)
    values_changed = Signal(object)
    #: the selected graph index changed: int, -1 for none
    selection_changed = Signal(int)
    #: the probe's step h changed: float
    step_size_changed = Signal(float)
    #: the backprop step-through moved: int, how many nodes (in reverse topological order) have
    #: their gradient filled in; -1 when not stepping (never emitted by models without one)
    backprop_step_changed = Signal(int)

    #: the step h a new model starts with
    default_step = 1e-3

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = None
        self.selected = -1
        self.step_size = self.default_step
        self.backprop_step = -1

    def select(self, index: int, force: bool = False) -> None:
        if self.graph is None or not 0 <= index < len(self.graph):
            index = -1
        if index != self.selected or force:
            self.selected = index
            self.selection_changed.emit(index)

    def set_step_size(self, h: float) -> None:
        h = min(max(float(h), MIN_STEP), MAX_STEP) if math.isfinite(h) else self.default_step
        if h != self.step_size:
            self.step_size = h
            self.step_size_changed.emit(h)
