"""Run the micrograd programs learners already write, safely.

``run_program(source)`` parses ``source`` with :mod:`ast`, compiles the tree into Python
closures (gradlab.lang.compiler) and runs them: user code never reaches ``eval``,
``exec`` or ``compile``.  The language is the Python of a micrograd notebook:
Karpathy's "spelled-out intro" runs cell by cell and prints what Python prints.

* statements: assignment (also ``+=`` and unpacking), ``if/elif/else``, ``for`` and
  ``while`` (with ``break``, ``continue``, ``else``), ``def`` (defaults, ``*args``,
  ``**kwargs``, closures, ``nonlocal``/``global``, recursion), ``class`` (``__init__``,
  ``__call__``, ``__repr__``, the arithmetic and comparison dunders, bases defined in the
  program, ``super()``), ``return``, ``assert``, ``pass``, imports (below);
* expressions: numbers, text, ``True/False/None``, lists, tuples, dicts, sets, indexing and
  slicing, comprehensions and generator expressions, ``lambda``, ``x if c else y``,
  ``and/or/not``, comparisons, f-strings with format specs, ``+ - * / ** // %``;
* built-ins: ``print`` (``sep``/``end``), ``len range zip enumerate map filter sum min max abs
  round isinstance float int str bool repr list tuple dict set sorted reversed any all``,
  ``Value`` and the op functions (``relu(x)`` ...), ``draw_dot(x)`` (chooses the graph's
  output); methods of lists, dicts, sets and text (gradlab.lang.library);
* imports (gradlab.lang.modules): ``micrograd.engine`` (``Value``), ``micrograd.nn``
  (gradlab's ``Neuron, Layer, MLP``, printing as micrograd's), ``math``, ``random`` (a
  private generator: ``random.seed(n)`` gives Python's numbers), ``numpy`` (a few numeric
  functions on arrays of numbers), ``matplotlib.pyplot`` (plots recorded in
  ``Program.plots``); IPython magic lines (``%matplotlib inline``) are skipped.

``backward()`` called by a program is micrograd's: the root's grad becomes 1 and gradients
accumulate (two calls without zeroing give micrograd's numbers); hand-run ``_backward()``
calls are left as they are.  Everything else (``with``, ``try``, ``yield``, decorators,
other imports and built-ins, any name or attribute starting with ``__`` other than a class's
own dunder methods) is refused with an :class:`ExpressionError` naming the line; a refused
construct inside a function or loop is refused before any of it runs.  A program's
functions, classes and objects are the interpreter's records (gradlab.lang.objects), not
Python's, and every value it can reach answers only the attributes listed for its kind:
there is no path to ``__class__``, ``__globals__``, frames, files or processes.

Numbers follow the engine's domain rule: ``1 / 0`` is ``inf`` and ``log(-1)`` is
``nan``, never an error, so a number and a Value holding it behave alike.  An integer
result too big for a float becomes ``inf`` before Python would build it, so
``9**9**9**9`` is instant.  ``Value(x)`` stores ``float(x)``: Value data never grows
into a giant integer.

Limits; breaking one raises ExpressionError naming the line it was on:

* ``MAX_SOURCE_CHARS``: longest program, checked before parsing.
* ``MAX_DEPTH``: deepest nesting of one expression (a 200-term sum is 199 levels),
  refused when compiled.
* ``MAX_CALL_DEPTH``: deepest chain of calls of the program's own functions (recursion).
* ``MAX_NODES``: most Values one program may hold at once.  Values made are counted; each
  time MAX_NODES more were made, those alive are counted (gradlab.lang.alive), so a training
  loop of any length runs while one that keeps every step's graph is stopped.
* ``MAX_ITEMS``: longest list, tuple, dict, set, text or array, refused before it is built
  (``[0] * 10**9``, ``'a' * 10**10``, ``np.zeros(10**10)``).
* ``MAX_ALLOCATED``: items (list slots, characters, objects) made between two looks at the
  memory the run holds; more than ``MAX_RUN_BYTES`` (512 MB) held at once stops it.
* ``MAX_PRINTED_LINES`` / ``MAX_PRINTED_CHARS``: most output ``print`` may produce.
* ``MAX_FORMAT_WIDTH``: largest number inside an f-string format spec (``:1000000000``).
* ``MAX_INT_BITS``: exact integers stay below this size; bigger results become floats.
* ``MAX_SECONDS``: longest run, in seconds of wall-clock time from the call to
  ``run_program``: 60, a ceiling for runaway programs (the app shows a longer run as
  Running... Stop, and the learner stops it; ``gradlab run --timeout`` sets another).  The
  clock is read before every statement (in loops and functions too), at every step of a
  comprehension or a long ``range``, and before every ``backward()``, so a run stops within
  a fraction of a second of it, naming the line it reached.

``run_program(source, cancel)`` also stops at those same checks once the ``threading.Event``
``cancel`` is set (a newer edit replaced this run): it raises :class:`RunCancelled`.

:class:`Expression` is the same language for one expression compiled once and evaluated many
times over names given each time (a lesson's ``done_when``), each evaluation with its own small
time budget.

The app and ``gradlab run`` never call ``run_program`` in their own process: gradlab.worker runs
it in a separate process with a memory, CPU and wall-clock ceiling, so that what no check here
can see (a crash in C, a C-level loop, a memory bomb) ends that process, not the app.

Why an interpreter of our own, compiled to closures: it keeps both promises (the lecture's
Python runs; nothing else is reachable) inside the worker process, whose ceilings guard the app.
A tree walker re-dispatches on every node each time a loop passes it; closures dispatch
once, when compiled.  Every statement, top-level ones included, is compiled (when the run
reaches it) and run: one evaluator, so each construct's meaning and messages live in one
place (benchmarks/language.py times straight-line programs against a baseline).
"""

from __future__ import annotations

import ast
import math
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Protocol

from gradlab.collector import cyclic_gc_paused
from gradlab.engine import Value
from gradlab.lang import library, methods
from gradlab.lang.alive import prune_bindings
from gradlab.lang.call_records import call_table
from gradlab.lang.compiler import Compiler
from gradlab.lang.limits import (
    ALLOCATED_MESSAGE,
    CALL_DEPTH_MESSAGE,
    DEPTH_MESSAGE,
    IMPORT_MESSAGE,
    ITEMS_MESSAGE,
    MAX_ALLOCATED,
    MAX_CALL_DEPTH,
    MAX_DEPTH,
    MAX_FORMAT_WIDTH,
    MAX_INT_BITS,
    MAX_ITEMS,
    MAX_NODES,
    MAX_PRINTED_CHARS,
    MAX_PRINTED_LINES,
    MAX_RUN_SECONDS,
    MAX_SOURCE_CHARS,
    MEMORY_MESSAGE,
)
from gradlab.lang.mirror import mirror
from gradlab.lang.objects import Builtin, Frame, Refusal, python_error
from gradlab.lang.program import Plot, Program
from gradlab.lang.runtime import Run, is_value_like
from gradlab.lang.scopes import Scope
from gradlab.lang.trained import find_trained

__all__ = [
    "ALLOCATED_MESSAGE", "CALL_DEPTH_MESSAGE", "DEPTH_MESSAGE", "IMPORT_MESSAGE", "ITEMS_MESSAGE",
    "MAX_ALLOCATED", "MAX_CALL_DEPTH", "MAX_DEPTH", "MAX_FORMAT_WIDTH", "MAX_INT_BITS", "MAX_ITEMS",
    "MAX_NODES", "MAX_PRINTED_CHARS", "MAX_PRINTED_LINES", "MAX_SECONDS", "MAX_SOURCE_CHARS",
    "CANCELLED_MESSAGE", "Expression", "ExpressionError", "Plot", "Program", "RunCancelled", "parse_program",
    "run_program",
]

#: the longest a run may take (limits.MAX_RUN_SECONDS, read at each run: a test may lower it)
MAX_SECONDS = MAX_RUN_SECONDS

_clock = time.monotonic  # the time budget's clock (a test may replace it)

CANCELLED_MESSAGE = "this run was replaced by a newer one; it stopped here"
#: how often (seconds of the clock) a run looks whether it was cancelled: a stop takes this long at most
CANCEL_LOOK = 0.005

#: IPython magic lines (%matplotlib inline): skipped, their line numbers kept
_MAGIC = re.compile(r"^[ \t]*%.*$", re.M)
#: a longer program is parsed in pieces of about this many lines (see _parse_pieces)
PARSE_PIECE_LINES = 400
#: lines that continue the statement above them: never the start of a piece
_CONTINUES = ("else", "elif", "except", "finally")


class ExpressionError(Exception):
    """A refused or failed program.  ``line`` and ``col`` are 1-based; ``message`` is bare."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line, self.col, self.message = line, col, message


class RunCancelled(ExpressionError):
    """The run was stopped because ``cancel`` was set: its outcome means nothing."""


class LineCell(Protocol):
    """Where a watched run writes the line of the statement it is running (``cell[0] = line``):
    anything with ``__setitem__``, such as a memoryview of memory another process reads."""

    def __setitem__(self, index: int, line: int) -> None: ...


def _clock_for(run: Run, clock: Callable[[], float], cancel: threading.Event | None,
               line: LineCell | None) -> Callable[[], float]:
    """``clock`` as the run reads it before every statement: reading infinitely late once
    ``cancel`` is set (so every time check stops the run), and writing the statement's line
    into ``line`` (so that whoever watches the run knows where a stall or a crash happened).

    ``cancel`` is looked at once per CANCEL_LOOK seconds of the clock, not at every read: the
    look is a Python call (Event.is_set), and a long run reads the clock before every statement
    (up to a quarter of the time of an interpreted training loop went to it)."""
    if cancel is None and line is None:
        return clock
    is_set = cancel.is_set if cancel is not None else (lambda: False)
    next_look = -math.inf

    def read() -> float:
        nonlocal next_look
        if line is not None:
            node = run.current
            if node is not None:
                line[0] = node.lineno
        now = clock()
        if now < next_look:
            return now
        next_look = now + CANCEL_LOOK
        return math.inf if is_set() else now

    return read


def run_program(source: str, cancel: threading.Event | None = None, line: LineCell | None = None,
                seconds: float | None = None) -> Program:
    """Parse and run ``source``; raises only ExpressionError (RunCancelled once ``cancel`` is set).
    ``line``: see LineCell (gradlab.worker's process watches its runs through it); ``seconds``:
    the time budget, MAX_SECONDS unless given."""
    seconds = MAX_SECONDS if seconds is None else seconds
    deadline = _clock() + seconds  # read once: a test's clock counts its reads
    if not isinstance(source, str):
        raise ExpressionError(1, 1, "a program must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(1, 1, f"this program is longer than {MAX_SOURCE_CHARS:,} characters")
    # the parser reads \r\n and \r as \n; doing it first keeps our line list aligned with ast's
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    # Parsing and running allocate up to a million objects, few in a reference cycle: the cyclic
    # collector would rescan them over and over, making the run 2-3 times slower (the pause ends
    # after the run's garbage is gone: else the collector's first pass would walk it all)
    limit = sys.getrecursionlimit()
    # Headroom so that the nesting and call-depth limits hold however deep the caller's stack is:
    # the parser builds the tree recursively, the compiler and the closures nest per level.
    sys.setrecursionlimit(limit + 8 * MAX_DEPTH + 12 * MAX_CALL_DEPTH + 500)
    try:
        with cyclic_gc_paused():
            program, error = _run(source, text, deadline, seconds,
                                  lambda run: _clock_for(run, _clock, cancel, line))
    finally:
        sys.setrecursionlimit(limit)
    if cancel is not None and cancel.is_set():
        line_no, col = (error.line, error.col) if error is not None else (1, 1)
        raise RunCancelled(line_no, col, CANCELLED_MESSAGE)
    if error is not None:
        raise error
    return program


def _run(source: str, text: str, deadline: float, seconds: float,
         clock_for: Callable[[Run], Callable[[], float]]) -> tuple[Program | None, ExpressionError | None]:
    """Parse, compile and run; the error is returned, so that no traceback keeps the run alive."""
    run = Run(source, text.split("\n"), deadline, _clock, seconds, library.builtins(), methods.METHODS)
    run.clock = clock_for(run)
    try:
        tree = parse_program(text)
    except ExpressionError as e:
        return None, e
    error = None
    try:
        Compiler(run).module(tree)(Frame(run.globals, ()))
    except Refusal as r:
        error = _error(run, r.node or run.current, r.message)
    except RecursionError:
        error = _error(run, run.current, DEPTH_MESSAGE)
    except MemoryError:  # the worker's memory ceiling (gradlab.worker)
        error = _error(run, run.current, MEMORY_MESSAGE)
    except Exception as e:  # an error Python raised for the program: reported as Python reports it
        error = _error(run, run.current, python_error(e))
    program = None
    if error is None:
        try:
            program = _finish(run, tree)
        except Refusal as r:  # it holds too many Values at the end
            error = _error(run, r.node or run.current, r.message)
    run.modules.clear()  # their functions hold the run: a cycle the collector would have to find
    return program, error


def _finish(run: Run, tree: ast.Module) -> Program:
    p = run.program
    if run.partial:
        p.printed.append(run.partial)
    p.values = {name: v for name, v in run.globals.items() if type(v) is Value}
    listed: set[int] = set()
    for name, v in p.values.items():
        if not v._prev and id(v) not in listed:
            listed.add(id(v))
            p.inputs.append(name)
    shown = next((x for x in (run.drawn, run.backward_output, run.last_value) if x is not None), None)
    if type(shown) is Value:
        p.output = shown
    elif is_value_like(shown):
        p.output = mirror(shown)
        p.mirrored = p.output is not None
    if run.last_call is not None:  # else no Value has a call to look up
        p.calls, p.call_of = call_table(p.output, run.lines)
    p.node_count = run.values_made()
    p.straight_line = run.straight_line
    if run.live_at_check + len(run.made) > MAX_NODES:  # room for more than the limit: look now
        run.check_alive(run.current)
    run.made.clear()  # what the program dropped goes now; its bindings with it
    prune_bindings(p.bindings)
    loss = run.backward_output  # a training loop's loss: the Value backward() was last called on
    p.trained = find_trained(run.globals, loss if type(loss) is Value else None)
    return p


def _error(run: Run, node: ast.AST | None, message: str) -> ExpressionError:
    line = getattr(node, "lineno", None) or 1
    offset = getattr(node, "col_offset", None) or 0
    try:  # ast counts columns in UTF-8 bytes; the editor counts characters
        col = len(run.lines[line - 1].encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1
    except IndexError:
        col = offset + 1
    return ExpressionError(line, col, message)


def parse_program(text: str) -> ast.Module:
    """The syntax tree of ``text`` (newlines already ``\\n``), IPython magic lines blanked;
    raises ExpressionError naming the line of a syntax error."""
    return _parse(_MAGIC.sub("", text) if "%" in text else text)


def _parse(text: str) -> ast.Module:
    lines = text.split("\n")
    # characters the parser refuses without a position: null, and lone surrogates (not UTF-8)
    bad = re.search("[\0\ud800-\udfff]", text)
    if bad:
        at = bad.start()
        line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        raise ExpressionError(line, col, "this program contains an invalid character")
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning for '\d': pytest turns warnings into errors
            warnings.simplefilter("ignore")
            tree = _parse_pieces(lines) if len(lines) > PARSE_PIECE_LINES else None
            return tree if tree is not None else ast.parse(text)
    except SyntaxError as e:
        raise ExpressionError(e.lineno or 1, max(e.offset or 1, 1), e.msg or "invalid syntax") from None
    except (RecursionError, MemoryError):  # the parser's own nesting limits; no position given
        longest = max(range(len(lines)), key=lambda i: len(lines[i]))
        raise ExpressionError(longest + 1, 1, DEPTH_MESSAGE) from None
    except Exception as e:  # anything else the parser may raise: still only ExpressionError
        raise ExpressionError(1, 1, f"this text can't be read as a program ({e})") from None


#: the statements of each piece of the long program parsed last, by (first line, text): an
#: edit re-parses only the pieces it changed (the interpreter never changes a tree it compiles)
_last_pieces: dict[tuple[int, str], list[ast.stmt]] = {}


def _parse_pieces(lines: list[str]) -> ast.Module | None:
    """The tree of a long program parsed in pieces, each cut where a line starts a top-level
    statement; None if a piece does not parse alone (the cut fell in a string, in brackets or
    before an ``else``): the caller then parses the whole text, for its tree and its errors.

    A cut where both pieces parse alone cuts between top-level statements, so the statements
    are the same.  The parser holds the interpreter lock, so parsing a long program on a worker
    thread in one piece would stall the window for a fifth of a second; pieces let it run in
    between (and, piece by piece, the parser is faster)."""
    global _last_pieces
    body: list[ast.stmt] = []
    pieces: dict[tuple[int, str], list[ast.stmt]] = {}
    start, n = 0, len(lines)
    while start < n:
        end = min(start + PARSE_PIECE_LINES, n)
        while end < n and (lines[end][:1] in ("", " ", "\t", "\f", "#") or lines[end].startswith(_CONTINUES)):
            end += 1
        key = (start, "\n".join(lines[start:end]))
        statements = _last_pieces.get(key)
        if statements is None:
            try:  # blank lines first: the piece's line numbers are the program's
                statements = ast.parse("\n" * start + key[1]).body
            except Exception:  # noqa: BLE001 -- any failure: the whole text is parsed instead
                return None
        pieces[key] = statements
        body.extend(statements)
        start = end
    _last_pieces = pieces  # one program's pieces: the next edit re-parses only what it changed
    return ast.Module(body=body, type_ignores=[])


# -- one expression, evaluated many times ------------------------------------------------------------

#: built-ins an Expression does not offer: they act (print, draw) instead of answering
_NOT_IN_EXPRESSIONS = ("print", "draw_dot")
#: the time budget of one Expression.evaluate, in seconds
EXPRESSION_SECONDS = 0.05


class Expression:
    """One expression of the language (``h <= 0.001 and selected == 'x'``), compiled once and
    evaluated many times over names given at each evaluation (a lesson's ``done_when``).

    ``functions``: name -> a Python function of plain arguments (numbers, text) the expression may
    call, like ``grad('x')``; a ValueError, TypeError or KeyError it raises becomes the expression's
    error.  ``free_names`` are the names the expression reads that it does not bind itself (a
    comprehension's variable): a caller checks them against the names it will give.  The language's
    built-ins (``abs``, ``min``, ``tanh``...) are there, except ``print`` and ``draw_dot``.
    Compiling raises ExpressionError naming the line and column of a syntax error or a refused
    construct; ``evaluate`` raises only ExpressionError, and stops after ``seconds``."""

    def __init__(self, source: str, functions: Mapping[str, Callable[..., object]] | None = None,
                 seconds: float = EXPRESSION_SECONDS) -> None:
        if not isinstance(source, str):
            raise ExpressionError(1, 1, "an expression must be text")
        if len(source) > MAX_SOURCE_CHARS:
            raise ExpressionError(1, 1, f"this expression is longer than {MAX_SOURCE_CHARS:,} characters")
        text = source.replace("\r\n", "\n").replace("\r", "\n").strip()
        tree = _parse_expression(text)
        builtins = {k: v for k, v in library.builtins().items() if k not in _NOT_IN_EXPRESSIONS}
        for name, f in (functions or {}).items():
            builtins[name] = Builtin(name, _plain_function(name, f))
        self.source = source
        self._started = 0.0
        # the clock reads the time since this evaluation started: closures keep the deadline they
        # were compiled with, so the deadline is a budget and the clock restarts at each evaluation
        self._run = Run(text, text.split("\n"), seconds, self._elapsed, seconds, builtins, methods.METHODS)
        try:
            self._closure = Compiler(self._run).expr(tree.body, Scope("module", set(), None))
        except Refusal as r:
            raise _error(self._run, r.node, r.message) from None
        except RecursionError:
            raise ExpressionError(1, 1, DEPTH_MESSAGE) from None
        self.free_names: frozenset[str] = _free_names(tree)

    def _elapsed(self) -> float:
        return _clock() - self._started

    def evaluate(self, names: Mapping[str, object]) -> object:
        """The expression's value with ``names`` bound (they shadow built-ins of the same name)."""
        run = self._run
        run.globals.clear()  # the compiled closures hold this very dict
        run.globals.update(names)
        run.allocated = run.printed_chars = 0
        run.made.clear()
        run.seen.clear()
        run.current = None
        self._started = _clock()
        try:
            return self._closure(Frame(run.globals, ()))
        except Refusal as r:
            error = _error(run, r.node, r.message)
        except RecursionError:
            error = _error(run, None, DEPTH_MESSAGE)
        except Exception as e:  # noqa: BLE001 -- an error Python raised for the expression
            error = _error(run, None, python_error(e))
        finally:
            run.globals.clear()
            run.made.clear()
            run.seen.clear()
        raise error


def _parse_expression(text: str) -> ast.Expression:
    if not text:
        raise ExpressionError(1, 1, "the expression is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise ExpressionError(e.lineno or 1, max(e.offset or 1, 1), e.msg or "invalid syntax") from None
    except (RecursionError, MemoryError):
        raise ExpressionError(1, 1, DEPTH_MESSAGE) from None
    except Exception as e:  # noqa: BLE001 -- anything else the parser may raise
        raise ExpressionError(1, 1, f"this text can't be read as an expression ({e})") from None


def _free_names(tree: ast.AST) -> frozenset[str]:
    """Names read but never bound inside (by a comprehension or a lambda's parameters)."""
    read, bound = set(), set()
    for node in ast.walk(tree):
        if type(node) is ast.Name:
            (read if type(node.ctx) is ast.Load else bound).add(node.id)
        elif type(node) is ast.arg:
            bound.add(node.arg)
    return frozenset(read - bound)


def _plain_function(name: str, f: Callable[..., object]) -> Callable:
    """``f`` as a built-in's impl: positional arguments only, its errors the expression's."""

    def impl(run: Run, node: ast.AST, args: list, kwargs: dict) -> object:
        if kwargs:
            raise Refusal(node, f"{name}() takes no keyword arguments")
        try:
            return f(*args)
        except (ValueError, TypeError) as e:
            raise Refusal(node, f"{name}(): {e}") from None
        except KeyError as e:  # a missing key, as Python spells it
            raise Refusal(node, f"{name}(): {python_error(e)}") from None

    return impl
