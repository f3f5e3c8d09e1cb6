"""The expression lab's model: the program, its graph, the selection and the probe's step.

Widgets ask this model to change and redraw when it tells them it has; none of
them edits engine objects behind its back.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from gradlab.backprop_steps import Step, run_step, step_order
from gradlab.collector import cyclic_gc_paused
from gradlab.expr import CANCELLED_MESSAGE, ExpressionError, Program, RunCancelled
from gradlab.graph import GraphModel
from gradlab.ui.common.inspected_model import InspectedModel
from gradlab.ui.expression.rerun import RerunQueue, input_spans, with_inputs
from gradlab.worker import run_isolated, warm_up

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


@dataclass
class Prepared:
    """A program that ran, made ready to show: its graph with gradients settled (and, off the
    UI thread, its drawing laid out), whose gradients they are, and where its inputs' numbers
    are written (None for a slider's re-run: the spans of the text as typed stay)."""

    program: Program
    graph: GraphModel | None
    program_gradients: bool
    probe_off: str
    spans: dict | None


def settle_gradients(program: Program, graph: GraphModel | None) -> tuple[bool, str]:
    """Gradients for a new graph: the program's, kept as they are, when it made any; else
    gradlab's.  The probe needs d(output)/d(node): where the program's differ, it is off.
    Returns (the graph shows the program's gradients, why the probe is off or "")."""
    if graph is None or program.mirrored:
        return program.gradients_touched or program.mirrored, MIRRORED_TEXT if program.mirrored else ""
    if not program.gradients_touched:
        graph.backward()
        return False, ""
    kept = [v.grad for v in graph.values]
    graph.backward()
    same = all(math.isclose(a, v.grad, rel_tol=1e-9, abs_tol=1e-12) or a == v.grad
               for a, v in zip(kept, graph.values, strict=True))
    for v, grad in zip(graph.values, kept, strict=True):
        v.grad = grad  # the program's numbers, exactly
    graph.gradients_current = same  # when they differ, a probe's backward() would replace them
    return True, "" if same else PROGRAM_GRADIENTS_TEXT


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise RunCancelled(1, 1, CANCELLED_MESSAGE)


def prepare(source: str, cancel: threading.Event | None = None, *, spans: bool = True,
            lay_out: bool = False, view: tuple = (None, None)) -> Prepared:
    """Run ``source`` and build what the lab shows for it; raises ExpressionError.

    Safe on a worker thread: it touches only objects it makes; the program itself runs in the
    worker process (gradlab.worker), so nothing it does can crash or stall the app.  ``cancel``
    set stops it (RunCancelled) at the interpreter's next time check or between the stages.  ``lay_out``
    computes the drawing for a view of shape ``view`` (``GraphCanvas.view_shape``; cached in
    the graph), so that the canvas only places it.  ``spans``: find where the inputs' numbers
    are written (an edit)."""
    with cyclic_gc_paused():  # see gradlab.collector: on a worker, the collector would stall the window
        return _prepare(source, cancel, spans, lay_out, view)


def _prepare(source: str, cancel: threading.Event | None, spans: bool, lay_out: bool,
             view: tuple) -> Prepared:
    program = run_isolated(source, cancel)
    lines: dict[int, int] = {}
    for _name, value, line in program.bindings:
        lines.setdefault(id(value), line)  # the line that made a Value: its first binding
    graph = GraphModel(program.output, lines=lines) if program.output is not None else None
    _check(cancel)
    program_gradients, probe_off = settle_gradients(program, graph)
    found = None
    if spans:
        found = {} if program.straight_line else input_spans(source, program.lines, program.inputs)
    if lay_out and graph is not None:
        _check(cancel)
        graph.drawing_for(*view).edge_lines  # noqa: B018 -- computed here, kept in the drawing
        graph.names  # noqa: B018 -- computed once and kept: the canvas and inspector read them
    _check(cancel)
    return Prepared(program, graph, program_gradients, probe_off, found)


class ExpressionModel(InspectedModel):
    """Holds the lab's state; every change is announced by one of the signals below."""

    #: the last run failed (ExpressionError) or a run succeeded again (None)
    error_changed = Signal(object)
    #: a re-run for new input values finished (a program with loops or branches): its
    #: Program replaced the graph (program_changed came first) or it failed (error_changed)
    rerun_finished = Signal()
    #: an edited program started running off the UI thread (request_source; no payload)
    run_started = Signal()
    #: no edited program is running any more: the newest one's graph is shown
    #: (program_changed came first), or its error (error_changed), or set_source replaced it
    run_finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = ""
        self.program: Program | None = None
        self.graph: GraphModel | None = None
        self.error: ExpressionError | None = None
        #: the step-through's last step (gradlab.backprop_steps.Step), or None
        self.last_step: Step | None = None
        #: the step-through's order (non-leaf nodes, output first) and the nodes whose gradient
        #: a step has reached so far
        self.backprop_order: list[int] = []
        self._shown_gradients: set[int] = set()
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
        self._edit_ticket: tuple[int, str] | None = None  # the edit run in flight, if any
        self._pending_source = ""  # its text
        self._input_at: dict[int | None, str] | None = None  # input node index -> its name
        #: the shape of the view the graph is drawn in (GraphCanvas.view_shape; None: unknown):
        #: a run on the worker lays its graph out for it
        self.view_shape: tuple = (None, None)
        self._reruns = RerunQueue(self)
        warm_up()  # the worker process imports while the window opens
        self._reruns.finished.connect(self._on_run_finished)

    # -- program ------------------------------------------------------------------------

    def set_source(self, source: str) -> bool:
        """Run ``source`` here and now; on success replace the graph, on error keep the last
        good one.  Any run in flight is stopped and never shown."""
        self._supersede()
        if self._edit_ticket is not None:
            self._edit_ticket = None
            self.run_finished.emit()
        try:
            prepared = prepare(source)
        except ExpressionError as err:
            self._show_error(err)
            return False
        self._install(prepared, source)
        return True

    def request_source(self, source: str, view: tuple = (None, None)) -> None:
        """Run ``source`` off the UI thread, with its graph built and laid out for a view of
        shape ``view`` (GraphCanvas.view_shape); the result replaces the graph (or shows the error) when it
        comes back.  A newer request or set_source stops this one: its result is never shown."""
        self._supersede()
        self.view_shape, self._pending_source = view, source
        ticket = self._edit_ticket = (self._generation, "edit")
        self._reruns.request(lambda cancel: prepare(source, cancel, lay_out=True, view=view),
                             ticket, supersede=True)
        self.run_started.emit()

    def run_in_flight(self) -> bool:
        """An edited program is running off the UI thread (request_source)."""
        return self._edit_ticket is not None

    def _supersede(self) -> None:
        self._generation += 1  # a run of the old text still going on is stale now
        self._reruns.cancel()

    def _show_error(self, err: ExpressionError) -> None:
        self.error = err
        self.error_changed.emit(err)

    def _install(self, prepared: Prepared, source: str | None = None) -> None:
        """Show ``prepared``: an edit's (``source`` given: the text it ran) or a re-run's."""
        previous = self._selected_label()
        if source is not None:
            self.source, self.overrides, self._spans = source, {}, prepared.spans
        self.program, self.graph, self._input_at = prepared.program, prepared.graph, None
        self.program_gradients, self._probe_off = prepared.program_gradients, prepared.probe_off
        if self.error is not None:
            self.error = None
            self.error_changed.emit(None)
        self.backprop_step = -1
        self.program_changed.emit()
        # keep the selection on the same name across edits, a learner's anchor
        found = self.graph.find(previous) if (self.graph and previous) else None
        self.select(found if found is not None else -1, force=True)

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
        return (f"Click {name}'s box in the graph to see and probe it. It has no slider: it is "
                f"not made by a line of its own like {name} = Value(2.0) (a loop or a list makes "
                "it), so change its value in the program.")

    def _input_name(self, index: int) -> str | None:
        """The program's name for input node ``index`` (the first, where several name it)."""
        if self._input_at is None:  # once per graph: Descend asks for every input
            p, g = self.program, self.graph
            self._input_at = {}
            for name in p.inputs:
                self._input_at.setdefault(g.index.get(id(p.values[name])), name)
        return self._input_at.get(index)

    def _rerun_source(self) -> str:
        return with_inputs(self.source, self._spans, self.overrides)

    def _rerun(self, values: Mapping[str, float], wait: bool = False) -> None:
        """Run the program again with ``values`` for these inputs (on the worker thread, or
        here and now when ``wait``).  Not while an edited program runs: it replaces this one."""
        if self._edit_ticket is not None:
            return
        self.overrides.update({n: float(x) for n, x in values.items() if n in self._spans})
        source, view = self._rerun_source(), self.view_shape
        if wait:
            self._supersede()  # a re-run still going on would come back after this one
            try:
                result: Prepared | ExpressionError = prepare(source, spans=False)
            except ExpressionError as err:
                result = err
            self._on_run_finished((self._generation, "rerun"), result)
        else:
            lay_out = view[0] is not None
            self._reruns.request(lambda cancel: prepare(source, cancel, spans=False, lay_out=lay_out,
                                                         view=view), (self._generation, "rerun"))

    def rerun_pending(self) -> bool:
        """A run (an edit's, or a re-run for new input values) is going on or waiting."""
        return self._reruns.busy()

    def _on_run_finished(self, ticket: tuple[int, str], result: Prepared | ExpressionError) -> None:
        generation, kind = ticket
        if kind == "edit":
            if ticket != self._edit_ticket:
                return  # a newer edit replaced it: never shown
            self._edit_ticket = None
            if isinstance(result, ExpressionError):
                self._show_error(result)
            else:
                self._install(result, self._pending_source)
            self.run_finished.emit()
            return
        if generation != self._generation or isinstance(result, RunCancelled):
            return  # the text changed since: this run is of a program no longer there
        if isinstance(result, ExpressionError):
            self._show_error(result)
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
        """Step 0 of a step-through: every gradient cleared, d(output)/d(output) = 1."""
        if self.graph is None or self.program.mirrored:
            return
        self._gradlab_gradients()
        for v in self.graph.values:
            v.grad = 0.0
        self.graph.output.grad = 1.0
        self.graph.gradients_current = False  # filled in by hand from here until finish_backprop
        self.backprop_order = step_order(self.graph)
        self._shown_gradients = {len(self.graph) - 1}
        self.last_step = None
        self.backprop_step = 0
        self.backprop_step_changed.emit(0)
        self.values_changed.emit([])

    def step_backprop(self) -> int:
        """Run the next node's ``_backward`` (backward()'s order: non-leaves, output first) and
        return the step's number; past the last step, leave the step-through (-1)."""
        if self.graph is None or self.program.mirrored:
            return -1
        if self.backprop_step < 0:
            self.start_backprop()
            return self.backprop_step
        k = self.backprop_step
        if k >= len(self.backprop_order):
            self.finish_backprop()
            return -1
        self.last_step = run_step(self.graph, self.backprop_order[k])
        self._shown_gradients.update(self.last_step.parents)
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
        """Node ``index``'s gradient has not been reached by the step-through yet: no step so far
        passed anything to it (the output's is 1 from step 0)."""
        return self.graph is not None and self.backprop_step >= 0 and index not in self._shown_gradients

    def pending_gradients(self) -> list[bool] | None:
        """gradient_pending for every node; None when not stepping through."""
        if self.graph is None or self.backprop_step < 0:
            return None
        shown = self._shown_gradients
        return [i not in shown for i in range(len(self.graph))]

    def backprop_current(self) -> int:
        """The node whose ``_backward`` ran at the last step (the output at step 0), or -1."""
        if self.graph is None or self.backprop_step < 0:
            return -1
        return self.last_step.node if self.last_step is not None else len(self.graph) - 1
