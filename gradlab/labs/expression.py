"""The expression lab without Qt: the program, its graph, the selection, the probe's step h, the
sliders' values, the backprop step-through and Descend.

``ExpressionCore`` decides everything the lab does and announces each change through ``events``
(gradlab.labs.events); ``gradlab.ui.expression.model.ExpressionModel`` turns those into Qt
signals and runs the work on a thread.  Nothing here knows a widget exists.
"""

from __future__ import annotations

from collections.abc import Mapping

from gradlab.backprop_steps import Step, run_step, step_order
from gradlab.expr import ExpressionError, Program, RunCancelled
from gradlab.graph import GraphModel
from gradlab.labs.call_folding import CallFolding
from gradlab.labs.input_history import InputHistory, InputValues
from gradlab.labs.inspected import InspectedState
from gradlab.labs.program_runs import (
    MIRRORED_TEXT,
    PROGRAM_GRADIENTS_TEXT,
    InlineRunner,
    Prepared,
    Runner,
    prepare,
    settle_gradients,
    with_inputs,
)
from gradlab.probe import NudgeResult, nudge_probe

__all__ = ["EXPRESSION_EVENTS", "MIRRORED_TEXT", "PROGRAM_GRADIENTS_TEXT", "STEPPING_TEXT", "BackpropWalk",
           "STOPPED_MESSAGE", "ExpressionCore", "InputValues", "Prepared", "prepare", "settle_gradients"]

STEPPING_TEXT = "Backprop is being stepped through: the probe resumes when it finishes."
#: what a run the learner stopped (stop_run: Stop, Esc) says, at the line it reached
STOPPED_MESSAGE = "you stopped this run here"

#: the events the expression lab adds to gradlab.labs.inspected.INSPECTED_EVENTS, and their payloads:
#: error_changed (ExpressionError | None) the last run failed, or a run succeeded again (None);
#: rerun_finished () a re-run for new input values (a program with loops or branches) finished:
#: its Program replaced the graph (program_changed came first) or it failed (error_changed);
#: run_started () an edited program started running elsewhere (request_source);
#: run_finished () no edited program is running any more: the newest one's graph is shown
#: (program_changed came first), or its error (error_changed), or set_source replaced it
EXPRESSION_EVENTS = ("error_changed", "rerun_finished", "run_started", "run_finished")


class BackpropWalk:
    """backward() one node at a time, as the lecture does it: the order (non-leaf nodes, output
    first), how many steps ran (``step``; -1: not walking), the last step and the nodes whose
    gradient a step has reached so far."""

    def __init__(self) -> None:
        self.step = -1
        #: the step-through's order (non-leaf nodes, output first)
        self.order: list[int] = []
        #: the last step (gradlab.backprop_steps.Step), None at step 0
        self.last: Step | None = None
        self._reached: set[int] = set()

    def start(self, graph: GraphModel) -> None:
        """Step 0: every gradient cleared, d(output)/d(output) = 1."""
        for v in graph.full.values:  # a collapsed call's nodes too
            v.grad = 0.0
        graph.output.grad = 1.0
        graph.gradients_current = False  # filled in by hand from here until the walk ends
        self.order = step_order(graph)
        self._reached = {len(graph) - 1}
        self.last = None
        self.step = 0

    def advance(self, graph: GraphModel) -> bool:
        """Run the next node's ``_backward``; False when every step has run."""
        if self.step >= len(self.order):
            return False
        self.last = run_step(graph, self.order[self.step])
        self._reached.update(self.last.parents)
        self.step += 1
        return True

    def stop(self) -> None:
        self.step, self.last = -1, None

    def pending(self, index: int) -> bool:
        """Node ``index``'s gradient has not been reached yet (always False when not walking)."""
        return self.step >= 0 and index not in self._reached

    def all_pending(self, count: int) -> list[bool] | None:
        """``pending`` for nodes 0..count-1; None when not walking."""
        if self.step < 0:
            return None
        return [i not in self._reached for i in range(count)]

    def current(self, count: int) -> int:
        """The node whose ``_backward`` ran last (the output, node count-1, at step 0), or -1."""
        if self.step < 0:
            return -1
        return self.last.node if self.last is not None else count - 1


class StepThrough:
    """ExpressionCore's backprop step-through, kept apart for its size: the core's ``walk``
    (BackpropWalk) over its ``graph``, told to listeners as ``backprop_step_changed`` and
    ``values_changed``; it uses the core's ``events``, ``_editable`` and ``_gradlab_gradients``."""

    @property
    def backprop_step(self) -> int:
        """How many nodes' ``_backward`` the step-through has run; -1 when not stepping."""
        return self.walk.step

    @backprop_step.setter
    def backprop_step(self, step: int) -> None:
        self.walk.step = step

    @property
    def backprop_order(self) -> list[int]:
        """The step-through's order: non-leaf nodes, output first."""
        return self.walk.order

    @property
    def last_step(self) -> Step | None:
        """The step-through's last step (gradlab.backprop_steps.Step), or None."""
        return self.walk.last

    def start_backprop(self) -> None:
        """Step 0 of a step-through: every gradient cleared, d(output)/d(output) = 1."""
        if not self._editable():
            return
        self._gradlab_gradients()
        self.walk.start(self.graph)
        self.events.emit("backprop_step_changed", 0)
        self.events.emit("values_changed", [])

    def step_backprop(self) -> int:
        """Run the next node's ``_backward`` (backward()'s order: non-leaves, output first) and
        return the step's number; past the last step, leave the step-through (-1)."""
        if not self._editable():
            return -1
        if self.backprop_step < 0:
            self.start_backprop()
            return self.backprop_step
        if not self.walk.advance(self.graph):
            self.finish_backprop()
            return -1
        self.events.emit("backprop_step_changed", self.backprop_step)
        self.events.emit("values_changed", [])
        return self.backprop_step

    def finish_backprop(self) -> None:
        """Complete backward() at once: every gradient becomes gradlab's d(output)/d(node)."""
        if not self._editable():
            return
        self.graph.backward()
        self._gradlab_gradients()
        self.walk.stop()
        self.events.emit("backprop_step_changed", -1)
        self.events.emit("values_changed", [])

    def gradient_pending(self, index: int) -> bool:
        """Node ``index``'s gradient has not been reached by the step-through yet: no step so far
        passed anything to it (the output's is 1 from step 0)."""
        return self.graph is not None and self.walk.pending(index)

    def pending_gradients(self) -> list[bool] | None:
        """gradient_pending for every node; None when not stepping through."""
        return None if self.graph is None else self.walk.all_pending(len(self.graph))

    def backprop_current(self) -> int:
        """The node whose ``_backward`` ran at the last step (the output at step 0), or -1."""
        return -1 if self.graph is None else self.walk.current(len(self.graph))


class ExpressionCore(CallFolding, StepThrough, InputHistory, InspectedState):
    """The expression lab's state and rules.  Runs go through ``runner`` (default: here and now,
    InlineRunner); whoever owns another runner hands its outcomes to ``take_result``."""

    extra_events = EXPRESSION_EVENTS

    def __init__(self, runner: Runner | None = None) -> None:
        self.walk = BackpropWalk()  # before InspectedState sets backprop_step, which is walk.step
        super().__init__()
        self.source = ""
        self.program: Program | None = None
        self.graph: GraphModel | None = None
        self.error: ExpressionError | None = None
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
        self._stopped_ticket: tuple[int, str] | None = None  # the edit run the learner stopped
        self._pending_source = ""  # its text
        self._input_at: dict[int | None, str] | None = None  # input node index -> its name
        #: the shape of the view the graph is drawn in (GraphCanvas.view_shape; None: unknown):
        #: a run elsewhere lays its graph out for it
        self.view_shape: tuple = (None, None)
        self.runner: Runner = runner if runner is not None else InlineRunner(self.take_result)

    # -- program ------------------------------------------------------------------------

    def set_source(self, source: str) -> bool:
        """Run ``source`` here and now; on success replace the graph, on error keep the last
        good one.  Any run in flight is stopped and never shown."""
        self._supersede()
        if self._edit_ticket is not None:
            self._edit_ticket = None
            self.events.emit("run_finished")
        try:
            prepared = prepare(source, view=self.view_shape)  # the view decides what opens folded
        except ExpressionError as err:
            self._show_error(err)
            return False
        self._install(prepared, source)
        self._take_pending(self._generation, source)
        return True

    def request_source(self, source: str, view: tuple = (None, None)) -> None:
        """Run ``source`` through the runner, with its graph built and laid out for a view of
        shape ``view``; the result replaces the graph (or shows the error) when it comes back.
        A newer request or set_source stops this one: its result is never shown."""
        self._supersede()
        self.view_shape, self._pending_source = view, source
        ticket = self._edit_ticket = (self._generation, "edit")
        self.events.emit("run_started")  # first: an InlineRunner finishes within request
        self.runner.request(lambda cancel: prepare(source, cancel, lay_out=True, view=view),
                            ticket, supersede=True)

    def stop_run(self) -> bool:
        """Stop the edit's run going on (Stop, Esc): it ends at the line it reached, which its
        error names (STOPPED_MESSAGE), and the last good graph stays.  False if none is going."""
        if self._edit_ticket is None:
            return False
        self._stopped_ticket = self._edit_ticket
        self.runner.cancel()
        return True

    def run_in_flight(self) -> bool:
        """An edited program is running through the runner (request_source)."""
        return self._edit_ticket is not None

    def rerun_pending(self) -> bool:
        """A run (an edit's, or a re-run for new input values) is going on or waiting."""
        return self.runner.busy()

    def _supersede(self) -> None:
        self._generation += 1  # a run of the old text still going on is stale now
        self.runner.cancel()

    def _show_error(self, err: ExpressionError) -> None:
        self.error = err
        self.events.emit("error_changed", err)

    def _install(self, prepared: Prepared, source: str | None = None) -> None:
        """Show ``prepared``: an edit's (``source`` given: the text it ran) or a re-run's."""
        previous = self._selected_label()
        if source is not None:
            self.source, self.overrides, self._spans = source, {}, prepared.spans
        graph = self.folded_as_before(prepared.graph)  # the calls a learner opened stay open
        self.program, self.graph, self._input_at = prepared.program, graph, None
        self.program_gradients, self._probe_off = prepared.program_gradients, prepared.probe_off
        if self.error is not None:
            self.error = None
            self.events.emit("error_changed", None)
        self.backprop_step = -1
        self.events.emit("program_changed")
        # keep the selection on the same name across edits, a learner's anchor
        found = self.graph.find(previous) if (self.graph and previous) else None
        self.select(found if found is not None else -1, force=True)

    def take_result(self, ticket: tuple[int, str], result: Prepared | ExpressionError) -> None:
        """A run's outcome came back: show it, unless a newer edit made it stale."""
        generation, kind = ticket
        if kind == "edit":
            if ticket != self._edit_ticket:
                return  # a newer edit replaced it: never shown
            self._edit_ticket = None
            if isinstance(result, RunCancelled) and ticket == self._stopped_ticket:
                result = ExpressionError(result.line, result.col, STOPPED_MESSAGE)
            if isinstance(result, ExpressionError):
                self._show_error(result)
            else:
                self._install(result, self._pending_source)
                self._take_pending(generation, self._pending_source)
            self.events.emit("run_finished")
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
        self.events.emit("rerun_finished")

    def _selected_label(self) -> str:
        if self.graph is None or self.selected < 0:
            return ""
        return self.graph.names[self.selected]  # c₂, not c: the same node after an edit

    # -- what the lab says ----------------------------------------------------------------

    def probe_off_reason(self) -> str:
        """Why the nudge probe cannot run on this graph now; "" when it can."""
        if self.backprop_step >= 0:
            return STEPPING_TEXT
        return self._probe_off

    def nudge(self) -> NudgeResult | None:
        """The probe on the selected node with step h: the output's response next to backprop's
        gradient; None with nothing selected or the probe off (probe_off_reason)."""
        if self.graph is None or self.selected < 0 or self.probe_off_reason():
            return None
        return nudge_probe(self.graph, self.selected, self.step_size)

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

    def _gradlab_gradients(self) -> None:
        """The app just filled in the gradients itself: they are gradlab's from here."""
        self.program_gradients = False
        if not self.program.mirrored:
            self._probe_off = ""

    # -- values -------------------------------------------------------------------------

    def _editable(self) -> bool:
        """There is a graph gradlab can recompute (not a copy of the program's own Value class)."""
        return self.graph is not None and not self.program.mirrored

    def _reruns_program(self) -> bool:
        """A new input value means running the program again (not a straight-line program)."""
        return self.program is not None and not self.program.straight_line

    def _input_name(self, index: int) -> str | None:
        """The program's name for input node ``index`` (the first, where several name it)."""
        if self._input_at is None:  # once per graph: Descend asks for every input
            p, g = self.program, self.graph
            self._input_at = {}
            for name in p.inputs:
                self._input_at.setdefault(g.index.get(id(p.values[name])), name)
        return self._input_at.get(index)

    def _rerun(self, values: Mapping[str, float], wait: bool = False) -> None:
        """Run the program again with ``values`` for these inputs (through the runner, or here
        and now when ``wait``).  Not while an edited program runs: it replaces this one."""
        if self._edit_ticket is not None:
            return
        self.overrides.update({n: float(x) for n, x in values.items() if n in self._spans})
        source, view = with_inputs(self.source, self._spans, self.overrides), self.view_shape
        if wait:
            self._supersede()  # a re-run still going on would come back after this one
            try:
                result: Prepared | ExpressionError = prepare(source, spans=False, view=view)
            except ExpressionError as err:
                result = err
            self.take_result((self._generation, "rerun"), result)
        else:
            lay_out = view[0] is not None
            self.runner.request(lambda cancel: prepare(source, cancel, spans=False, lay_out=lay_out,
                                                       view=view), (self._generation, "rerun"))

    def _changed(self, changed: list[int]) -> None:
        """Data changed in place: refill the gradients (gradlab's now) and say so."""
        if changed:
            self.graph.backward()
            self._gradlab_gradients()
            self.events.emit("values_changed", changed)

    def set_value(self, index: int, data: float) -> None:
        """Set node ``index``'s data (a slider), re-evaluate downstream, refill the gradients."""
        if not self._editable():
            return
        if self._reruns_program():
            name = self._input_name(index)
            if name is not None and name in self._spans:
                self._rerun({name: data})
            return
        self._changed(self.graph.set_data(index, float(data)))

    def set_values(self, updates: Mapping[int, float]) -> None:
        """Set several nodes' data at once (a session's slider values): one re-evaluation
        downstream and one backward for all of them."""
        if not self._editable():
            return
        if self._reruns_program():
            named = {n: x for i, x in updates.items() if (n := self._input_name(i)) is not None}
            if named:
                self._rerun(named, wait=True)
            return
        self._changed(self.graph.set_many({i: float(x) for i, x in updates.items()}))

    def step_inputs(self, learning_rate: float) -> dict[str, float]:
        """Move every input by ``-learning_rate * grad``: one step of gradient descent on the output.
        The inputs' new numbers by name (empty when nothing can move)."""
        if not self._editable():
            return {}
        g = self.graph
        g.ensure_gradients()  # d(output)/d(input), whatever the program left
        values = g.values
        moved = {i: values[i].data - learning_rate * values[i].grad for i in g.input_indices()}
        named = {n: x for i, x in moved.items() if (n := self._input_name(i)) is not None}
        if self._reruns_program():
            self._rerun(named)
            return named
        # one forward pass for all inputs together, then one backward
        changed = g.set_many(moved)
        g.backward()
        self._gradlab_gradients()
        self.events.emit("values_changed", changed)
        return named
