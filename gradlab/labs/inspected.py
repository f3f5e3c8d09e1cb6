"""What the node inspector reads, without Qt: a graph, the selected node and the probe's step h.

The expression lab's core extends this class; the network lab's weight probe and traced point
use it through ``gradlab.ui.common.inspected_model.InspectedModel``, so selecting and the step h
behave alike wherever a node is probed.
"""

from __future__ import annotations

import math

from gradlab.labs.events import Events

__all__ = ["INSPECTED_EVENTS", "MAX_STEP", "MIN_STEP", "InspectedState"]

#: the step h a probe may take, smallest and largest
MIN_STEP, MAX_STEP = 1e-12, 1.0

#: the events of every inspected state and their payloads:
#: program_changed () the graph was replaced;
#: values_changed (list[int]) data changed in place at these graph indices (may be empty: all
#: gradients may have changed);
#: selection_changed (int) the selected graph index, -1 for none;
#: step_size_changed (float) the probe's new step h;
#: backprop_step_changed (int) the step-through moved: how many nodes have had their _backward
#: run, -1 when not stepping (never emitted where there is no step-through)
INSPECTED_EVENTS = ("program_changed", "values_changed", "selection_changed", "step_size_changed",
                    "backprop_step_changed")


class InspectedState:
    """A graph (``graph``: anything with ``len`` and the probe's interface), ``selected`` and
    ``step_size``; ``backprop_step`` stays -1 where there is no step-through.  ``events`` carries
    INSPECTED_EVENTS and whatever a subclass adds (``extra_events``)."""

    #: events a subclass adds to INSPECTED_EVENTS (see its docstring for their payloads)
    extra_events: tuple[str, ...] = ()

    def __init__(self, default_step: float = 1e-3) -> None:
        self.events = Events(INSPECTED_EVENTS + self.extra_events)
        self.default_step = default_step
        self.graph = None
        self.selected = -1
        self.step_size = default_step
        self.backprop_step = -1

    def select(self, index: int, force: bool = False) -> None:
        """Select node ``index`` (-1, or any index outside the graph: none); ``force`` announces
        it even when it is the same (a new graph)."""
        if self.graph is None or not 0 <= index < len(self.graph):
            index = -1
        if index != self.selected or force:
            self.selected = index
            self.events.emit("selection_changed", index)

    def set_step_size(self, h: float) -> None:
        """Probe with step ``h``, kept within MIN_STEP..MAX_STEP (not a number: the default)."""
        h = min(max(float(h), MIN_STEP), MAX_STEP) if math.isfinite(h) else self.default_step
        if h != self.step_size:
            self.step_size = h
            self.events.emit("step_size_changed", h)
