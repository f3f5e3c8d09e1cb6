"""Running a program again with new input values, off the UI thread.

A program with loops, branches or functions may build a different graph for another
input value, so a slider cannot recompute its graph in place: the program runs again
with the input's ``Value(...)`` argument replaced by the slider's number.
``input_spans`` finds where each input's number is written (once per program) and
``with_inputs`` writes the numbers in.  ``RerunQueue`` runs one piece of work at a time on
a worker thread (``threading``, daemon): a program for a slider's new value, or an edited
program with its graph and drawing (gradlab.ui.expression.model), the program itself running
in the worker process (gradlab.worker) while the thread waits for it; while one runs, only the
newest request waits (older ones are dropped), an edit asks the running one to stop, and each
result comes back on the UI thread through ``finished``.
"""

from __future__ import annotations

import ast
import math
import threading
import weakref
from collections.abc import Callable, Mapping

import shiboken6
from PySide6.QtCore import QObject, Signal

from gradlab.expr import ExpressionError, parse_program

__all__ = ["RerunQueue", "input_spans", "with_inputs"]

#: a worker's stack: room for the parser's deepest nesting (input_spans parses the program), as
#: the main thread has
STACK_BYTES = 64 * 1024 * 1024

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


class _Relay(QObject):
    """Carries a worker's outcome to the UI thread: (the queue, weakly; ticket; result).

    One relay for the whole app, never deleted: a worker finishing after its lab closed
    emits on a live object, and the outcome is dropped because its queue is gone."""

    done = Signal(object)


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:  # made on the UI thread, by the first queue
        _relay = _Relay()
        _relay.done.connect(_deliver)
    return _relay


def _deliver(payload: tuple[weakref.ref, object, object]) -> None:
    queue_ref, ticket, result = payload
    queue = queue_ref()
    if queue is not None and shiboken6.isValid(queue):
        queue._on_done(ticket, result)


#: a job's work: given the event that asks it to stop, the result to hand back (or it raises
#: ExpressionError; RunCancelled once the event is set)
Work = Callable[[threading.Event], object]


class _Job:
    """One piece of work on a worker thread; the relay carries its outcome back."""

    def __init__(self, work: Work, ticket: object, queue: RerunQueue) -> None:
        self.work, self.ticket, self.queue = work, ticket, weakref.ref(queue)
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            result: object = self.work(self.cancel)
        except ExpressionError as err:
            result = err
        except Exception as err:  # noqa: BLE001 -- a worker must hand every outcome back
            result = ExpressionError(1, 1, f"could not run the program ({type(err).__name__}: {err})")
        self.work = None  # the program's objects go with the result, not with this job
        _the_relay().done.emit((self.queue, self.ticket, result))


class RerunQueue(QObject):
    """Runs work on one worker thread at a time; ``finished`` (ticket, result | ExpressionError)
    is emitted on the UI thread for each piece.  A request made while one runs replaces any
    request still waiting: dragging a slider runs the newest value, never a backlog.  A request
    that ``supersedes`` also asks the running work to stop (an edit: the old text is gone)."""

    finished = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        _the_relay()
        self._running: _Job | None = None
        self._waiting: tuple[Work, object] | None = None
        # closing the lab stops its run at the next time check (a weak hold: no cycle)
        running = self._jobs = [None]
        self.destroyed.connect(lambda *_: running[0] is not None and running[0].cancel.set())

    def busy(self) -> bool:
        """Work is going on or waiting."""
        return self._running is not None or self._waiting is not None

    def request(self, work: Work, ticket: object, supersede: bool = False) -> None:
        """Run ``work(cancel)`` on the worker; ``ticket`` comes back with its result.  With
        ``supersede`` the work running now is asked to stop (its result still comes back)."""
        self._waiting = (work, ticket)
        if self._running is None:
            self._start()
        elif supersede:
            self._running.cancel.set()

    def cancel(self) -> None:
        """Forget the waiting request and ask the running work to stop (its ticket is stale)."""
        self._waiting = None
        if self._running is not None:
            self._running.cancel.set()

    def _start(self) -> None:
        work, ticket = self._waiting
        self._waiting = None
        job = self._running = self._jobs[0] = _Job(work, ticket, self)
        # A daemon thread, not a Qt pool: nothing waits for it when the window closes mid-run
        # (a run ends within its time budget anyway), and its stack is set here for it alone.
        previous = threading.stack_size(STACK_BYTES)
        try:
            threading.Thread(target=job.run, name="gradlab-rerun", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def _on_done(self, ticket: object, result: object) -> None:
        self._running = self._jobs[0] = None
        if self._waiting is not None:
            self._start()
        self.finished.emit(ticket, result)
