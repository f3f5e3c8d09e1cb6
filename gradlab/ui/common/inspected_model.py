"""The contract the node inspector reads, as Qt signals: a graph, the selected node and the step h.

The state and its rules live without Qt in ``gradlab.labs.inspected.InspectedState`` (the
expression lab's core extends it); this QObject is a thin adapter that owns such a core, reads and
writes its attributes through, and re-emits each of its events as the signal of the same name.
The expression lab's model, the network lab's weight model and its traced point's model each
extend this one class, so selecting and the step h behave alike wherever a node is probed.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gradlab.labs.inspected import MAX_STEP, MIN_STEP, InspectedState

__all__ = ["MAX_STEP", "MIN_STEP", "InspectedModel", "forwarded"]


def forwarded(name: str, doc: str = "") -> property:
    """An attribute of the adapter that is the core's attribute ``name`` (read and written)."""
    return property(lambda self: getattr(self.core, name),
                    lambda self, value: setattr(self.core, name, value), doc=doc or f"the core's {name}")


class InspectedModel(QObject):
    """A graph (``graph``: anything with ``len`` and the probe's interface), ``selected`` and
    ``step_size``; ``backprop_step`` stays -1 where there is no step-through.  The signals are the
    core's events (gradlab.labs.inspected.INSPECTED_EVENTS says what each carries)."""

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

    graph = forwarded("graph")
    selected = forwarded("selected")
    step_size = forwarded("step_size")
    backprop_step = forwarded("backprop_step")

    def __init__(self, parent: QObject | None = None, core: InspectedState | None = None) -> None:
        super().__init__(parent)
        self.core = core if core is not None else InspectedState(self.default_step)
        for name in self.core.events.names:  # each event is the signal of the same name
            self.core.events.connect(name, getattr(self, name).emit)

    def select(self, index: int, force: bool = False) -> None:
        self.core.select(index, force)

    def set_step_size(self, h: float) -> None:
        self.core.set_step_size(h)
