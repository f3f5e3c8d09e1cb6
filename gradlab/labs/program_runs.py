"""Running a program for the expression lab, without Qt: what a run makes ready to show, and the
program's text rewritten with new input values.

``prepare`` runs a program (in the worker process, gradlab.worker) and builds what the lab shows
for it: its graph, gradients settled, drawing laid out.  A program with loops, branches or
functions may build a different graph for another input value, so a slider cannot recompute its
graph in place: the program runs again with the input's ``Value(...)`` argument replaced by the
slider's number.  ``input_spans`` finds where each input's number is written (once per program)
and ``with_inputs`` writes the numbers in.

Where a run happens is a ``Runner``'s business: ``InlineRunner`` runs it here and now; the app's
``gradlab.ui.expression.rerun.RerunQueue`` runs it on a worker thread.  Either hands back what
``outcome`` makes of it, so a run's result or error reads the same wherever it ran.
"""

from __future__ import annotations

import ast
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from gradlab.call_groups import CallGroups, opening_view
from gradlab.collector import cyclic_gc_paused
from gradlab.expr import CANCELLED_MESSAGE, ExpressionError, Program, RunCancelled, parse_program
from gradlab.graph import GraphModel
from gradlab.worker import run_isolated

__all__ = ["MIRRORED_TEXT", "PROGRAM_GRADIENTS_TEXT", "InlineRunner", "Prepared", "Runner", "Work",
           "input_spans", "outcome", "prepare", "settle_gradients", "with_inputs"]

#: why the probe, the step-through, Descend and the sliders are off for a program's own Value class
MIRRORED_TEXT = ("This graph is a copy of your own Value class's objects: gradlab cannot run their "
                 "_backward() or recompute them, so the probe, Step, Descend and the sliders are off. "
                 "The numbers are the ones your program left.")
#: why the probe is off while the graph shows gradients the program made that backprop would not
PROGRAM_GRADIENTS_TEXT = ("The gradients shown are the ones your program left (a hand-run _backward() "
                          "chain, gradients accumulated over several backward() calls, or a backward() "
                          "from another node), not d(output)/d(node): press Backprop Finish to have "
                          "gradlab compute those and turn the probe on.")


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
    if graph is not None and program.calls:
        inputs = {id(program.values[name]) for name in program.inputs}  # a slider's Value
        graph.call_groups = CallGroups(graph, program.calls, program.call_of, inputs)
        graph = opening_view(graph, view)  # a graph too big to read opens with its calls collapsed
    found = None
    if spans:
        found = {} if program.straight_line else input_spans(source, program.lines, program.inputs)
    if lay_out and graph is not None:
        _check(cancel)
        graph.drawing_for(*view).edge_lines  # noqa: B018 -- computed here, kept in the drawing
        graph.names  # noqa: B018 -- computed once and kept: the canvas and inspector read them
    _check(cancel)
    return Prepared(program, graph, program_gradients, probe_off, found)


Span = tuple[int, int, int]  # (line, first column, end column), 1-based line, 0-based columns


def _normalised(source: str) -> str:
    return source.replace("\r\n", "\n").replace("\r", "\n")


def _is_value_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    return (isinstance(f, ast.Name) and f.id == "Value") or (
        isinstance(f, ast.Attribute) and f.attr == "Value")


def input_spans(source: str, lines: Mapping[str, int], names: list[str]) -> dict[str, Span]:
    """Where each input's number is written: the first argument (or ``data=``) of the
    ``Value(...)`` call its last top-level assignment makes, on one line.  An input made
    another way (``x = xs[0]``) has no span: a slider cannot set it by running again."""
    text = _normalised(source)
    try:
        tree = parse_program(text)
    except ExpressionError:
        return {}
    rows = text.split("\n")
    wanted = {lines[n]: set() for n in names if n in lines}
    for n in names:
        if n in lines:
            wanted[lines[n]].add(n)
    spans: dict[str, Span] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and node.lineno in wanted and _is_value_call(node.value)):
            continue
        call = node.value
        arg = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "data"), None)
        if arg is None or arg.lineno != arg.end_lineno or isinstance(arg, ast.Starred):
            continue
        raw = rows[arg.lineno - 1].encode("utf-8")  # ast counts columns in UTF-8 bytes
        start = len(raw[: arg.col_offset].decode("utf-8", "ignore"))
        end = len(raw[: arg.end_col_offset].decode("utf-8", "ignore"))
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id in wanted[node.lineno]:
                spans[target.id] = (arg.lineno, start, end)
    return spans


def _literal(x: float) -> str:
    x = float(x)
    return repr(x) if math.isfinite(x) else f"float('{x}')"


def with_inputs(source: str, spans: Mapping[str, Span], values: Mapping[str, float]) -> str:
    """``source`` with each named input's number replaced by ``values[name]``."""
    rows = _normalised(source).split("\n")
    edits = sorted(((spans[n], v) for n, v in values.items() if n in spans), reverse=True)
    for (line, start, end), value in edits:  # right to left: earlier columns stay valid
        row = rows[line - 1]
        rows[line - 1] = row[:start] + _literal(value) + row[end:]
    return "\n".join(rows)


#: a run's work: given the event that asks it to stop, the result to hand back (or it raises
#: ExpressionError; RunCancelled once the event is set)
Work = Callable[[threading.Event], object]


def outcome(work: Work, cancel: threading.Event) -> object:
    """What ``work(cancel)`` hands back: its result, or the ExpressionError it raised; any other
    error is spelt as an ExpressionError too (a runner must hand every outcome back)."""
    try:
        return work(cancel)
    except ExpressionError as err:
        return err
    except Exception as err:  # noqa: BLE001 -- see the docstring
        return ExpressionError(1, 1, f"could not run the program ({type(err).__name__}: {err})")


class Runner(Protocol):
    """Where a lab's runs happen.  Each request's ``(ticket, outcome)`` goes to the callback its
    owner gave it; a request made while one runs replaces any request still waiting, and one that
    ``supersedes`` also asks the running work to stop (its outcome still comes back)."""

    def request(self, work: Work, ticket: object, supersede: bool = False) -> None: ...

    def cancel(self) -> None:
        """Forget the waiting request and ask the running work to stop."""

    def busy(self) -> bool:
        """Work is going on or waiting."""


class InlineRunner:
    """A Runner that runs each request here and now and hands its outcome to ``deliver`` before
    ``request`` returns: a script's or a test's lab, with no thread to wait for."""

    def __init__(self, deliver: Callable[[object, object], None]) -> None:
        self.deliver = deliver

    def request(self, work: Work, ticket: object, supersede: bool = False) -> None:
        self.deliver(ticket, outcome(work, threading.Event()))

    def cancel(self) -> None:
        """Nothing runs between two calls: nothing to stop."""

    def busy(self) -> bool:
        return False
