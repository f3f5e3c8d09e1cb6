"""Running a program again with new input values, off the UI thread.

A program with loops, branches or functions may build a different graph for another
input value, so a slider cannot recompute its graph in place: the program runs again
with the input's ``Value(...)`` argument replaced by the slider's number.
``input_spans`` finds where each input's number is written (once per program) and
``with_inputs`` writes the numbers in.  ``RerunQueue`` runs one program at a time on
a worker thread (``threading``, daemon); while one runs, only the newest request waits (older ones are
dropped), and each result comes back on the UI thread through ``finished``.
"""

from __future__ import annotations

import ast
import math
import re
import threading
from collections.abc import Mapping

from PySide6.QtCore import QObject, Signal

from gradlab.expr import ExpressionError, Program, run_program

__all__ = ["RerunQueue", "input_spans", "locked_run", "with_inputs"]

#: run_program raises the interpreter's recursion limit and pauses the garbage collector
#: for the length of a run, process-wide: two runs at once would restore each other's
#: settings wrongly, so every run in the app holds this lock
_RUN_LOCK = threading.Lock()
#: IPython magic lines, blanked before parsing as run_program does (line numbers kept)
_MAGIC = re.compile(r"^[ \t]*%.*$", re.M)
#: a worker's stack: room for the interpreter's deepest allowed nesting, as the main thread has
STACK_BYTES = 64 * 1024 * 1024

Span = tuple[int, int, int]  # (line, first column, end column), 1-based line, 0-based columns


def locked_run(source: str) -> Program:
    """``run_program(source)``, never two at once (see ``_RUN_LOCK``)."""
    with _RUN_LOCK:
        return run_program(source)


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
        tree = ast.parse(_MAGIC.sub("", text) if "%" in text else text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
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
    """Carries a worker's result to the UI thread: (ticket, Program or ExpressionError)."""

    done = Signal(object)


class _Job:
    """One run on a worker thread; the relay carries its outcome back."""

    def __init__(self, source: str, ticket: object, relay: _Relay) -> None:
        self.source, self.ticket, self.relay = source, ticket, relay

    def run(self) -> None:
        try:
            result: Program | ExpressionError = locked_run(self.source)
        except ExpressionError as err:
            result = err
        except Exception as err:  # noqa: BLE001 -- a worker must hand every outcome back
            result = ExpressionError(1, 1, f"could not run the program again ({type(err).__name__})")
        try:
            self.relay.done.emit((self.ticket, result))
        except RuntimeError:  # the lab closed while this ran
            pass


class RerunQueue(QObject):
    """Runs programs on one worker thread; ``finished`` (ticket, Program | ExpressionError) is
    emitted on the UI thread for each run.  A request made while one runs replaces any request
    still waiting: dragging a slider runs the newest value, never a backlog."""

    finished = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._busy = False
        self._waiting: tuple[str, object] | None = None

    def busy(self) -> bool:
        """A run is going on or waiting."""
        return self._busy or self._waiting is not None

    def request(self, source: str, ticket: object) -> None:
        """Run ``source``; ``ticket`` comes back with the result."""
        self._waiting = (source, ticket)
        if not self._busy:
            self._start()

    def cancel(self) -> None:
        """Forget the waiting request (a running one finishes; its ticket tells it is stale)."""
        self._waiting = None

    def _start(self) -> None:
        source, ticket = self._waiting
        self._waiting = None
        self._busy = True
        job = _Job(source, ticket, self._relay)
        # A daemon thread, not a Qt pool: nothing waits for it when the window closes mid-run
        # (a run ends within its time budget anyway), and its stack is set here for it alone.
        previous = threading.stack_size(STACK_BYTES)
        try:
            threading.Thread(target=job.run, name="gradlab-rerun", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def _on_done(self, payload: tuple[object, Program | ExpressionError]) -> None:
        self._busy = False
        if self._waiting is not None:
            self._start()
        self.finished.emit(*payload)
