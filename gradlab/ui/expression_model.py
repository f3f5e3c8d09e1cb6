"""The expression lab's model: the program, its graph, the selection and the probe's step.

Widgets ask this model to change and redraw when it tells them it has; none of
them edits engine objects behind its back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QObject, Signal

from gradlab.expr import ExpressionError, Program
from gradlab.graph import GraphModel
from gradlab.ui.inspected_model import InspectedModel
from gradlab.ui.rerun import RerunQueue, input_spans, locked_run, with_inputs

#: why the probe, the step-through, Descend and the sliders are off for a program's own Value class
MIRRORED_TEXT = ("This graph is a copy of your own Value class's objects: gradlab cannot run their "
                 "_backward() or recompute them, so the probe, Step, Descend and the sliders are off. "
                 "The numbers are the ones your program left.")
#: why the probe is off while the graph shows gradients the program made that backprop would not
PROGRAM_GRADIENTS_TEXT = ("The gradients shown are the ones your program left (a hand-run _backward() "
                          "chain, gradients accumulated over several backward() calls, or a backward() "
                          "from another node), not d(output)/d(node): press Backprop Finish to have "
                          "gradlab compute those and turn the probe on.")
STEPPING_TEXT = "Backprop is being stepped through: the probe resumes when it finishes."


class ExpressionModel(InspectedModel):
    """Holds the lab's state; every change is announced by one of the signals below."""

    #: the last run failed (ExpressionError) or a run succeeded again (None)
    error_changed = Signal(object)
    #: a re-run for new input values finished (a program with loops or branches): its
    #: Program replaced the graph (program_changed came first) or it failed (error_changed)
    rerun_finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = ""
        self.program: Program | None = None
        self.graph: GraphModel | None = None
        self.error: ExpressionError | None = None
        #: the step-through's last rule: (node index, its local gradient per parent), or None
        self.last_step: tuple[int, list[float]] | None = None
        #: the graph shows the gradients the program left (True) or gradlab's own (False)
        self.program_gradients = False
        #: why the probe is off for this graph ("" when it is on); see probe_off_reason
        self._probe_off = ""
        #: input name -> the number a slider gave it, for a program that runs again on a move
        self.overrides: dict[str, float] = {}
        #: True while program_changed announces a re-run's Program (same source, new inputs)
        self.rerunning = False
        self._spans: dict = {}
        self._generation = 0
        self._reruns = RerunQueue(self)
        self._reruns.finished.connect(self._on_rerun_finished)

    # -- program ------------------------------------------------------------------------

    def set_source(self, source: str) -> bool:
        """Run ``source``; on success replace the graph, on error keep the last good one."""
        self.source = source
        self._generation += 1  # a re-run of the old text still going on is stale now
        self._reruns.cancel()
        self.overrides = {}
        try:
            program = locked_run(source)
        except ExpressionError as err:
            self.error = err
            self.error_changed.emit(err)
            return False
        self._spans = {} if program.straight_line else input_spans(source, program.lines, program.inputs)
        self._install(program)
        return True

    def _install(self, program: Program) -> None:
        previous = self._selected_label()
        self.program = program
        lines: dict[int, int] = {}
        for _name, value, line in program.bindings:
            lines.setdefault(id(value), line)  # the line that made a Value: its first binding
        self.graph = GraphModel(program.output, lines=lines) if program.output is not None else None
        self._settle_gradients()
        if self.error is not None:
            self.error = None
            self.error_changed.emit(None)
        self.backprop_step = -1
        self.program_changed.emit()
        # keep the selection on the same name across edits, a learner's anchor
        found = self.graph.find(previous) if (self.graph and previous) else None
        self.select(found if found is not None else -1, force=True)

    def _settle_gradients(self) -> None:
        """Gradients for a new graph: the program's, kept as they are, when it made any; else
        gradlab's.  The probe needs d(output)/d(node): where the program's differ, it is off."""
        g, p = self.graph, self.program
        self.program_gradients = p.gradients_touched or p.mirrored
        self._probe_off = MIRRORED_TEXT if p.mirrored else ""
        if g is None or p.mirrored:
            return
        if not p.gradients_touched:
            g.backward()
            return
        kept = [v.grad for v in g.values]
        g.backward()
        same = all(math.isclose(a, v.grad, rel_tol=1e-9, abs_tol=1e-12) or a == v.grad
                   for a, v in zip(kept, g.values, strict=True))
        for v, grad in zip(g.values, kept, strict=True):
            v.grad = grad  # the program's numbers, exactly
        g.gradients_current = same  # when they differ, a probe's backward() would replace them
        if not same:
            self._probe_off = PROGRAM_GRADIENTS_TEXT

    def probe_off_reason(self) -> str:
        """Why the nudge probe cannot run on this graph now; "" when it can."""
        if self.backprop_step >= 0:
            return STEPPING_TEXT
        return self._probe_off

    def gradients_note(self) -> str:
        """Whose gradients the graph shows, in a sentence for the lab."""
        p = self.program
        if p is None or self.graph is None:
            return ""
        if p.mirrored:
            return "Gradients as your own Value class left them (a copy: gradlab cannot backprop it)."
        if self.program_gradients:
            return "Gradients as the program left them."
        if p.gradients_touched:
            return "Gradients computed by gradlab since the graph changed."
        return "Gradients computed by gradlab (the program never called backward())."

    def _gradlab_gradients(self) -> None:
        """The app just filled in the gradients itself: they are gradlab's from here."""
        self.program_gradients = False
        if not self.program.mirrored:
            self._probe_off = ""

    def _reruns_program(self) -> bool:
        """A new input value means running the program again (not a straight-line program)."""
        return self.program is not None and not self.program.straight_line

    def slider_note(self, name: str) -> str:
        """Why input ``name``'s slider is off; "" when it works."""
        p = self.program
        if p is None or p.mirrored:
            return MIRRORED_TEXT
        if p.straight_line or name in self._spans:
            return ""
        return (f"{name} is not made by a Value(...) call on its own line, so a slider cannot "
                "run the program again with another value: edit the program instead.")

    def _input_name(self, index: int) -> str | None:
        p, g = self.program, self.graph
        for name in p.inputs:
            if g.index.get(id(p.values[name])) == index:
                return name
        return None

    def _rerun_source(self) -> str:
        return with_inputs(self.source, self._spans, self.overrides)

    def _rerun(self, values: Mapping[str, float], wait: bool = False) -> None:
        """Run the program again with ``values`` for these inputs (on the worker thread, or
        here and now when ``wait``)."""
        self.overrides.update({n: float(x) for n, x in values.items() if n in self._spans})
        if wait:
            self._reruns.cancel()
            try:
                result: Program | ExpressionError = locked_run(self._rerun_source())
            except ExpressionError as err:
                result = err
            self._on_rerun_finished(self._generation, result)
        else:
            self._reruns.request(self._rerun_source(), self._generation)

    def rerun_pending(self) -> bool:
        """A re-run for new input values is going on or waiting."""
        return self._reruns.busy()

    def _on_rerun_finished(self, ticket: object, result: Program | ExpressionError) -> None:
        if ticket != self._generation:
            return  # the text changed since: this run is of a program no longer there
        if isinstance(result, ExpressionError):
            self.error = result
            self.error_changed.emit(result)
        else:
            self.rerunning = True
            try:
                self._install(result)
            finally:
                self.rerunning = False
        self.rerun_finished.emit()

    def _selected_label(self) -> str:
        if self.graph is None or self.selected < 0:
            return ""
        return self.graph.names[self.selected]  # c₂, not c: the same node after an edit

    # -- values -------------------------------------------------------------------------

    def set_value(self, index: int, data: float) -> None:
        """Set node ``index``'s data (a slider), re-evaluate downstream, refill the gradients."""
        if self.graph is None or self.program.mirrored:
            return
        if self._reruns_program():
            name = self._input_name(index)
            if name is not None and name in self._spans:
                self._rerun({name: data})
            return
        changed = self.graph.set_data(index, float(data))
        if changed:
            self.graph.backward()
            self._gradlab_gradients()
            self.values_changed.emit(changed)

    def set_values(self, updates: Mapping[int, float]) -> None:
        """Set several nodes' data at once (a session's slider values): one re-evaluation
        downstream and one backward for all of them."""
        if self.graph is None or self.program.mirrored:
            return
        if self._reruns_program():
            named = {n: x for i, x in updates.items() if (n := self._input_name(i)) is not None}
            if named:
                self._rerun(named, wait=True)
            return
        changed = self.graph.set_many({i: float(x) for i, x in updates.items()})
        if changed:
            self.graph.backward()
            self._gradlab_gradients()
            self.values_changed.emit(changed)

    def step_inputs(self, learning_rate: float) -> None:
        """Move every input by ``-learning_rate * grad``: one step of gradient descent on the output."""
        if self.graph is None or self.program.mirrored:
            return
        g = self.graph
        g.ensure_gradients()  # d(output)/d(input), whatever the program left
        values = g.values
        moved = {i: values[i].data - learning_rate * values[i].grad for i in g.input_indices()}
        if self._reruns_program():
            self._rerun({n: x for i, x in moved.items() if (n := self._input_name(i)) is not None})
            return
        # one forward pass for all inputs together, then one backward
        changed = g.set_many(moved)
        g.backward()
        self._gradlab_gradients()
        self.values_changed.emit(changed)

    # -- selection and probe -----------------------------------------------------------

    # -- backprop step-through -------------------------------------------------------------

    def start_backprop(self) -> None:
        """Clear every gradient and set d(output)/d(output) = 1: the first step of backprop."""
        if self.graph is None or self.program.mirrored:
            return
        self._gradlab_gradients()
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
        if self.graph is None or self.program.mirrored:
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
        """Complete backward() at once: every gradient becomes gradlab's d(output)/d(node)."""
        if self.graph is None or self.program.mirrored:
            return
        self.graph.backward()
        self._gradlab_gradients()
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
