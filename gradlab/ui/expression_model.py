"""The expression lab's model: the program, its graph, the selection and the probe's step.

Widgets ask this model to change and redraw when it tells them it has; none of
them edits engine objects behind its back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QObject, Signal

from gradlab.expr import ExpressionError, Program, run_program
from gradlab.graph import GraphModel

DEFAULT_STEP = 1e-3
MIN_STEP, MAX_STEP = 1e-12, 1.0


class ExpressionModel(QObject):
    """Holds the lab's state; every change is announced by one of the signals below."""

    #: a new program ran without error: ``program`` and ``graph`` were replaced (no payload)
    program_changed = Signal()
    #: values changed in place: list[int] of graph indices whose data changed (all grads may have)
    values_changed = Signal(object)
    #: the selected graph index changed: int, -1 for none
    selection_changed = Signal(int)
    #: the last run failed (ExpressionError) or a run succeeded again (None)
    error_changed = Signal(object)
    #: the probe's step h changed: float
    step_size_changed = Signal(float)
    #: the backprop step-through moved: int, how many nodes (in reverse topological order) have
    #: their gradient filled in; -1 when not stepping
    backprop_step_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = ""
        self.program: Program | None = None
        self.graph: GraphModel | None = None
        self.error: ExpressionError | None = None
        self.selected = -1
        self.step_size = DEFAULT_STEP
        self.backprop_step = -1
        #: the step-through's last rule: (node index, its local gradient per parent), or None
        self.last_step: tuple[int, list[float]] | None = None

    # -- program ------------------------------------------------------------------------

    def set_source(self, source: str) -> bool:
        """Run ``source``; on success replace the graph, on error keep the last good one."""
        self.source = source
        try:
            program = run_program(source)
        except ExpressionError as err:
            self.error = err
            self.error_changed.emit(err)
            return False
        previous = self._selected_label()
        self.program = program
        lines: dict[int, int] = {}
        for _name, value, line in program.bindings:
            lines.setdefault(id(value), line)  # the line that made a Value: its first binding
        self.graph = GraphModel(program.output, lines=lines) if program.output is not None else None
        if self.graph is not None and not (program.gradients_touched or program.mirrored):
            # the lab shows gradients of the output; a program that made its own keeps them
            self.graph.backward()
        if self.error is not None:
            self.error = None
            self.error_changed.emit(None)
        self.backprop_step = -1
        self.program_changed.emit()
        # keep the selection on the same name across edits, a learner's anchor
        found = self.graph.find(previous) if (self.graph and previous) else None
        self.select(found if found is not None else -1, force=True)
        return True

    def _selected_label(self) -> str:
        if self.graph is None or self.selected < 0:
            return ""
        return self.graph.names[self.selected]  # c₂, not c: the same node after an edit

    # -- values -------------------------------------------------------------------------

    def set_value(self, index: int, data: float) -> None:
        """Set node ``index``'s data (a slider), re-evaluate downstream, refill the gradients."""
        if self.graph is None:
            return
        changed = self.graph.set_data(index, float(data))
        if changed:
            self.graph.backward()
            self.values_changed.emit(changed)

    def set_values(self, updates: Mapping[int, float]) -> None:
        """Set several nodes' data at once (a session's slider values): one re-evaluation
        downstream and one backward for all of them."""
        if self.graph is None:
            return
        changed = self.graph.set_many({i: float(x) for i, x in updates.items()})
        if changed:
            self.graph.backward()
            self.values_changed.emit(changed)

    def step_inputs(self, learning_rate: float) -> None:
        """Move every input by ``-learning_rate * grad``: one step of gradient descent on the output."""
        if self.graph is None:
            return
        g = self.graph
        g.ensure_gradients()
        values = g.values
        # one forward pass for all inputs together, then one backward
        changed = g.set_many({i: values[i].data - learning_rate * values[i].grad for i in g.input_indices()})
        g.backward()
        self.values_changed.emit(changed)

    # -- selection and probe -----------------------------------------------------------

    def select(self, index: int, force: bool = False) -> None:
        if self.graph is None or not 0 <= index < len(self.graph):
            index = -1
        if index != self.selected or force:
            self.selected = index
            self.selection_changed.emit(index)

    def set_step_size(self, h: float) -> None:
        h = min(max(float(h), MIN_STEP), MAX_STEP) if math.isfinite(h) else DEFAULT_STEP
        if h != self.step_size:
            self.step_size = h
            self.step_size_changed.emit(h)

    # -- backprop step-through -------------------------------------------------------------

    def start_backprop(self) -> None:
        """Clear every gradient and set d(output)/d(output) = 1: the first step of backprop."""
        if self.graph is None:
            return
        for v in self.graph.values:
            v.grad = 0.0
        self.graph.output.grad = 1.0
        self.graph.gradients_current = False  # filled in by hand from here until finish_backprop
        self.last_step = None
        self.backprop_step = 1
        self.backprop_step_changed.emit(1)
        self.values_changed.emit([])

    def step_backprop(self) -> int:
        """Fill in the next node's parents' gradients (reverse topological order); return the step."""
        if self.graph is None:
            return -1
        if self.backprop_step < 0:
            self.start_backprop()
            return self.backprop_step
        values = self.graph.values
        k = self.backprop_step
        if k >= len(values):
            return k
        node = len(values) - k  # the node whose gradient is complete passes it on
        self.last_step = (node, self.graph.local_gradients(node))
        values[node]._backward()
        self.backprop_step = k + 1
        self.backprop_step_changed.emit(self.backprop_step)
        self.values_changed.emit([])
        return self.backprop_step

    def finish_backprop(self) -> None:
        if self.graph is None:
            return
        self.graph.backward()
        self.backprop_step = -1
        self.last_step = None
        self.backprop_step_changed.emit(-1)
        self.values_changed.emit([])

    def gradient_pending(self, index: int) -> bool:
        """Whether node ``index``'s gradient is not yet complete in the step-through."""
        g = self.graph
        return g is not None and self.backprop_step >= 1 and index < len(g) - self.backprop_step

    def backprop_current(self) -> int:
        """The graph index whose gradient was completed most recently, or -1."""
        if self.graph is None or self.backprop_step < 1:
            return -1
        return len(self.graph.values) - self.backprop_step
