"""The expression lab's model as Qt sees it: a thin adapter over ``gradlab.labs.expression``.

``ExpressionCore`` holds the program, its graph, the selection, the probe's step, the sliders'
values and the step-through, and decides what each request does; this QObject owns one, runs
its work on a worker thread (``RerunQueue``) and re-emits each of its events as the signal of the
same name.  Widgets ask this model to change and redraw when it tells them it has; none of
them edits engine objects behind its back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from gradlab.labs.expression import STEPPING_TEXT, ExpressionCore
from gradlab.labs.program_runs import (
    MIRRORED_TEXT,
    PROGRAM_GRADIENTS_TEXT,
    Prepared,
    prepare,
    settle_gradients,
)
from gradlab.ui.common.inspected_model import InspectedModel, forwarded
from gradlab.ui.expression.rerun import RerunQueue
from gradlab.worker import warm_up

# the names this module has always offered, now defined in the core
__all__ = ["MIRRORED_TEXT", "PROGRAM_GRADIENTS_TEXT", "STEPPING_TEXT", "ExpressionModel", "Prepared",
           "prepare", "settle_gradients"]


def _calls(method: Callable) -> Callable:
    """A method of the adapter that calls the core's ``method`` (its name, signature and doc)."""
    name = method.__name__

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        return getattr(self.core, name)(*args, **kwargs)
    return call


class ExpressionModel(InspectedModel):
    """Holds the lab's core; every change is announced by one of the signals below (their
    payloads are gradlab.labs.expression.EXPRESSION_EVENTS's)."""

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

    source = forwarded("source", "the program's text as last run")
    program = forwarded("program", "the last program that ran (gradlab.expr.Program), or None")
    error = forwarded("error", "the last run's ExpressionError, None once a run succeeds")
    program_gradients = forwarded("program_gradients", "the graph shows the program's own gradients")
    overrides = forwarded("overrides", "input name -> the number a slider gave it")
    rerunning = forwarded("rerunning", "True while program_changed announces a re-run's Program")
    view_shape = forwarded("view_shape", "the shape of the view the graph is drawn in")
    last_step = forwarded("last_step", "the step-through's last step (Step), or None")
    backprop_order = forwarded("backprop_order", "the step-through's order: non-leaves, output first")

    def __init__(self, parent: QObject | None = None) -> None:
        reruns = RerunQueue()  # the core's runner: made first, the lab's child once it exists
        super().__init__(parent, ExpressionCore(runner=reruns))
        reruns.setParent(self)
        self._reruns = reruns
        warm_up()  # the worker process imports while the window opens
        reruns.finished.connect(self.core.take_result)

    set_source = _calls(ExpressionCore.set_source)
    request_source = _calls(ExpressionCore.request_source)
    run_in_flight = _calls(ExpressionCore.run_in_flight)
    stop_run = _calls(ExpressionCore.stop_run)
    rerun_pending = _calls(ExpressionCore.rerun_pending)
    probe_off_reason = _calls(ExpressionCore.probe_off_reason)
    nudge = _calls(ExpressionCore.nudge)
    gradients_note = _calls(ExpressionCore.gradients_note)
    slider_note = _calls(ExpressionCore.slider_note)
    set_value = _calls(ExpressionCore.set_value)
    set_values = _calls(ExpressionCore.set_values)
    step_inputs = _calls(ExpressionCore.step_inputs)
    input_values = _calls(ExpressionCore.input_values)
    restore_inputs = _calls(ExpressionCore.restore_inputs)
    start_backprop = _calls(ExpressionCore.start_backprop)
    step_backprop = _calls(ExpressionCore.step_backprop)
    finish_backprop = _calls(ExpressionCore.finish_backprop)
    gradient_pending = _calls(ExpressionCore.gradient_pending)
    pending_gradients = _calls(ExpressionCore.pending_gradients)
    backprop_current = _calls(ExpressionCore.backprop_current)
    click_node = _calls(ExpressionCore.click_node)
    set_collapsed = _calls(ExpressionCore.set_collapsed)
    step_into = _calls(ExpressionCore.step_into)
    next_step_call = _calls(ExpressionCore.next_step_call)
