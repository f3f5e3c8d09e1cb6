"""Run the micrograd programs learners already write, safely.

``run_program(source)`` parses ``source`` with :mod:`ast` and walks the tree itself:
user code never reaches ``eval``, ``exec`` or ``compile``.  The language is the
straight-line Python of a micrograd notebook:

* ``from micrograd.engine import Value`` (or ``gradlab.engine``), comments, docstrings;
* numbers, ``Value(x)``, ``Value(x, label='a')``, names, ``a = b = x``, ``a, b = x, y``;
* ``+ - * / **``, unary ``-`` and ``+``, and ``+= -= *= /= **=``;
* ``v.data`` and ``v.grad`` (read, and assign numbers), ``v.label`` (read, assign text);
* methods ``relu tanh exp log sigmoid backward _backward`` and the functions
  ``relu(x) tanh(x) exp(x) log(x) sigmoid(x)``, on Values and on numbers;
* ``print(...)`` of numbers, Values, strings and f-strings.

Everything else (loops, ``if``, ``def``, other imports, subscripts, other calls,
private attributes, ...) is refused with an :class:`ExpressionError` naming the line.

Numbers follow the engine's domain rule: ``1 / 0`` is ``inf`` and ``log(-1)`` is
``nan``, never an error, so a number and a Value holding it behave alike.  An integer
result too big for a float becomes ``inf`` before Python would build it, so
``9**9**9**9`` is instant.  ``Value(x)`` stores ``float(x)``: Value data never grows
into a giant integer.

Limits; breaking one raises ExpressionError:

* ``MAX_SOURCE_CHARS``: longest program, checked before parsing.
* ``MAX_DEPTH``: deepest nesting of one expression (a 200-term sum is 199 levels).
  Deeper ones are refused, so the walker's recursion stays far below Python's limit.
* ``MAX_NODES``: most Values one program may create.
* ``MAX_PRINTED_LINES`` / ``MAX_PRINTED_CHARS``: most output ``print`` may produce.
* ``MAX_FORMAT_WIDTH``: largest number inside an f-string format spec (``:1000000000``).
* ``MAX_INT_BITS``: exact integers stay below this size; bigger results become floats.
* ``MAX_SECONDS``: longest run, in seconds of wall-clock time from the call to
  ``run_program``.  The clock is read before every statement and before every
  ``backward()`` (the one costly operation: up to ``MAX_NODES`` Values each), so a run
  stops within a fraction of a second of it, naming the line it reached.

The other limits keep one statement cheap; the time budget bounds the whole run
(100,000 Values with thousands of ``backward()`` calls fit the size limits).
"""

from __future__ import annotations

import ast
import gc
import math
import operator
import re
import sys
import time
import warnings
from dataclasses import dataclass, field

from gradlab import ops
from gradlab.engine import Value, safe_pow

__all__ = [
    "MAX_DEPTH", "MAX_FORMAT_WIDTH", "MAX_INT_BITS", "MAX_NODES", "MAX_PRINTED_CHARS",
    "MAX_PRINTED_LINES", "MAX_SECONDS", "MAX_SOURCE_CHARS", "ExpressionError", "Program", "run_program",
]

MAX_SOURCE_CHARS = 300_000
MAX_DEPTH = 200
MAX_NODES = 100_000
MAX_PRINTED_LINES = 10_000
MAX_PRINTED_CHARS = 1_000_000
MAX_FORMAT_WIDTH = 1_000
MAX_INT_BITS = 1_000
MAX_SECONDS = 2.0

_clock = time.monotonic  # the time budget's clock (a test may replace it)

DEPTH_MESSAGE = f"this line is nested too deeply (more than {MAX_DEPTH} levels)"
IMPORT_MESSAGE = "only 'from micrograd.engine import Value' can be imported here"
_MODULES = ("micrograd.engine", "gradlab.engine")


class _Names:
    """The op table's names (gradlab.ops.UNARY, read live, so a registered op is allowed) plus ``extra``."""

    def __init__(self, *extra: str) -> None:
        self.extra = extra

    def __contains__(self, name: object) -> bool:
        return name in ops.UNARY or name in self.extra

    def __iter__(self):
        return iter((*ops.UNARY, *self.extra))


_FUNCTIONS = _Names()  # relu(x), tanh(x), ...: every unary op
_METHODS = _Names("backward", "_backward")
_BUILTINS = _Names("Value", "print")
_ATTRIBUTES = ("data", "grad", "label")

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_OTHER_OPS = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<",
              ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&"}
_PY_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
           "**": operator.pow}

_LOOPS = "loops are not supported here"
_STATEMENT_MESSAGES = {
    ast.For: _LOOPS, ast.AsyncFor: _LOOPS, ast.While: _LOOPS, ast.Import: IMPORT_MESSAGE,
    ast.If: "'if' statements are not supported here",
    ast.FunctionDef: "defining functions is not supported here",
    ast.AsyncFunctionDef: "defining functions is not supported here",
    ast.ClassDef: "defining classes is not supported here",
    ast.AnnAssign: "type annotations are not supported here",
    **{kind: f"'{word}' is not supported here" for kind, word in (
        (ast.With, "with"), (ast.AsyncWith, "with"), (ast.Try, "try"), (ast.TryStar, "try"),
        (ast.Return, "return"), (ast.Delete, "del"), (ast.Global, "global"), (ast.Nonlocal, "nonlocal"),
        (ast.Raise, "raise"), (ast.Assert, "assert"), (ast.Break, "break"), (ast.Continue, "continue"),
        (ast.Match, "match"))},
}
_COMPREHENSIONS = "comprehensions are not supported here"
_EXPRESSION_MESSAGES = {
    ast.Lambda: "lambda is not supported here",
    ast.ListComp: _COMPREHENSIONS, ast.SetComp: _COMPREHENSIONS,
    ast.DictComp: _COMPREHENSIONS, ast.GeneratorExp: _COMPREHENSIONS,
    ast.Subscript: "indexing with [...] is not supported here",
    ast.List: "lists are not supported here", ast.Dict: "dicts are not supported here",
    ast.Set: "sets are not supported here", ast.IfExp: "'if' expressions are not supported here",
    ast.Compare: "comparisons are not supported here",
    ast.BoolOp: "'and' and 'or' are not supported here",
    ast.NamedExpr: "':=' is not supported here", ast.Starred: "'*' unpacking is not supported here",
    ast.Tuple: "a tuple can only be unpacked here, like a, b = Value(1.0), Value(2.0)",
    ast.Await: "'await' is not supported here", ast.Yield: "'yield' is not supported here",
    ast.YieldFrom: "'yield' is not supported here",
}


class ExpressionError(Exception):
    """A refused or failed program.  ``line`` and ``col`` are 1-based; ``message`` is bare."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line, self.col, self.message = line, col, message


@dataclass
class Program:
    """What running a program left behind.

    ``values``: name -> final Value bound to it (labelled with the name unless it had a label).
    ``output``: the Value ``.backward()`` was last called on, else the last Value assigned.
    ``inputs``: names whose final Value is a leaf, in order of first assignment, one name per
    Value (``b = a`` lists only ``a``): what the UI gives a slider.
    ``lines``: name -> line of its last assignment (every variable, numbers too).
    ``bindings``: every assignment of a Value to a name, in order: (name, Value, line).
    ``node_count``: Values the program created.
    """

    source: str
    values: dict[str, Value] = field(default_factory=dict)
    output: Value | None = None
    printed: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    backward_called: bool = False
    node_count: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    bindings: list[tuple[str, Value, int]] = field(default_factory=list)


class _Refusal(Exception):
    """Raised inside the walk; ``node`` locates it (None: the statement being run)."""

    def __init__(self, node: ast.AST | None, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


def run_program(source: str) -> Program:
    """Parse and run ``source``; raises only ExpressionError."""
    deadline = _clock() + MAX_SECONDS
    if not isinstance(source, str):
        raise ExpressionError(1, 1, "a program must be text")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(1, 1, f"this program is longer than {MAX_SOURCE_CHARS:,} characters")
    # the parser reads \r\n and \r as \n; doing it first keeps our line list aligned with ast's
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    # Parsing and running allocate up to a million objects, none in a reference cycle (neither
    # the AST nor the engine's graphs have any): the cyclic collector would rescan them over and
    # over, making the run 2-3 times slower, and find nothing.
    collecting, limit = gc.isenabled(), sys.getrecursionlimit()
    gc.disable()
    # Headroom so that MAX_DEPTH holds however deep the caller's stack is: the parser builds
    # the tree recursively, and the walker takes up to 4 frames per level.
    sys.setrecursionlimit(limit + 4 * MAX_DEPTH + 200)
    try:
        return _Run(source, text.split("\n"), deadline).run(_parse(text))
    finally:
        sys.setrecursionlimit(limit)
        if collecting:
            gc.enable()


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
            return ast.parse(text)
    except SyntaxError as e:
        raise ExpressionError(e.lineno or 1, max(e.offset or 1, 1), e.msg or "invalid syntax") from None
    except (RecursionError, MemoryError):  # the parser's own nesting limits; no position given
        longest = max(range(len(lines)), key=lambda i: len(lines[i]))
        raise ExpressionError(longest + 1, 1, DEPTH_MESSAGE) from None
    except Exception as e:  # anything else the parser may raise: still only ExpressionError
        raise ExpressionError(1, 1, f"this text can't be read as a program ({e})") from None


def _is_number(x: object) -> bool:
    return type(x) in (int, float)  # not bool: True + 1 is not arithmetic here


def _fit(x: int | float) -> int | float:
    """Keep an int exact while it is small; a bigger one becomes a float, or +-inf."""
    if isinstance(x, int) and x.bit_length() > MAX_INT_BITS:
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    return x


def _number_op(op: str, a: int | float, b: int | float) -> int | float:
    """``a op b`` for plain numbers, under the engine's domain rule (inf/nan, never an error)."""
    if op == "/":
        if b == 0:  # as Value does it: a * b**-1, so 1/0 is inf and 0/0 is nan
            return a * safe_pow(float(b), -1.0)
        return a / b
    if op != "**":
        return _fit(_PY_OPS[op](a, b))
    if isinstance(a, int) and isinstance(b, int) and b >= 0:
        # decide from the sizes before computing, so Python never builds a gigantic int
        if abs(a) > 1 and (a.bit_length() - 1) * b >= 1024:  # |a|**b >= 2**1024: beyond any float
            return -math.inf if a < 0 and b % 2 else math.inf
        return _fit(a**b)
    return safe_pow(a, b)


def _value_op(op: str, a: Value | int | float, b: Value | int | float) -> Value:
    # numbers enter the engine as floats (an exponent stays exact: it names the op, e.g. '**2')
    if not isinstance(a, Value):
        a = float(a)
    if op != "**" and not isinstance(b, Value):
        b = float(b)
    return _PY_OPS[op](a, b)


def _describe(x: object) -> str:
    if isinstance(x, Value):
        return "a Value"
    if _is_number(x):
        return "a number"
    if isinstance(x, str):
        return "text"
    if isinstance(x, tuple):
        return "a tuple"
    return "nothing (that call gives no value)"


class _Run:
    """One run of one program: the variables, the output so far and the counters."""

    def __init__(self, source: str, lines: list[str], deadline: float) -> None:
        self.program = Program(source)
        self.lines = lines
        self.deadline = deadline
        self.env: dict[str, object] = {}
        self.made: list[Value] = []  # every Value created, kept alive so their ids stay unique
        self.seen: set[int] = set()
        self.depth = 0
        self.printed_chars = 0
        self.last_value: Value | None = None

    def run(self, tree: ast.Module) -> Program:
        for stmt in tree.body:
            try:
                self.check_time()
                self.execute(stmt)
            except _Refusal as r:
                raise self.error(r.node or stmt, stmt, r.message) from None
            except RecursionError:
                raise self.error(stmt, stmt, DEPTH_MESSAGE) from None
            except Exception as e:  # a bug or a resource fault: still only ExpressionError
                raise self.error(stmt, stmt, f"could not run this line ({type(e).__name__}: {e})") from None
        p = self.program
        p.values = {name: v for name, v in self.env.items() if isinstance(v, Value)}
        listed: set[int] = set()
        for name, v in p.values.items():
            if not v._prev and id(v) not in listed:
                listed.add(id(v))
                p.inputs.append(name)
        if p.output is None:
            p.output = self.last_value
        p.node_count = len(self.made)
        return p

    def check_time(self, node: ast.AST | None = None) -> None:
        """Stop the run once it has used its MAX_SECONDS (node None: the current statement)."""
        if _clock() > self.deadline:
            raise _Refusal(node, f"this program took longer than {MAX_SECONDS:g} s to run; it stopped here")

    def error(self, node: ast.AST, stmt: ast.stmt, message: str) -> ExpressionError:
        line = getattr(node, "lineno", None) or stmt.lineno
        offset = getattr(node, "col_offset", None) or 0
        try:  # ast counts columns in UTF-8 bytes; the editor counts characters
            col = len(self.lines[line - 1].encode("utf-8")[:offset].decode("utf-8", "ignore")) + 1
        except IndexError:
            col = offset + 1
        return ExpressionError(line, col, message)

    # -- statements ------------------------------------------------------------------

    def execute(self, stmt: ast.stmt) -> None:
        kind = type(stmt)
        if kind is ast.Assign:
            node = stmt.value  # a tuple written out is a value only here, to be unpacked
            value = tuple(map(self.evaluate, node.elts)) if type(node) is ast.Tuple else self.evaluate(node)
            for target in stmt.targets:
                self.assign(target, value, node)
        elif kind is ast.AugAssign:
            self.augmented(stmt)
        elif kind is ast.Expr:
            self.evaluate(stmt.value)
        elif kind is ast.ImportFrom:
            names = [(a.name, a.asname) for a in stmt.names]
            if stmt.module not in _MODULES or stmt.level or names != [("Value", None)]:
                raise _Refusal(stmt, IMPORT_MESSAGE)
        elif kind is not ast.Pass:
            raise _Refusal(stmt, _STATEMENT_MESSAGES.get(kind, "this statement is not supported here"))

    def assign(self, target: ast.expr, value: object, node: ast.expr) -> None:
        kind = type(target)
        if kind is ast.Name:
            self.bind(target, value, node)
        elif kind is ast.Attribute:
            self.set_attribute(target, value, node)
        elif kind in (ast.Tuple, ast.List):
            starred = next((t for t in ast.walk(target) if type(t) is ast.Starred), None)
            if starred is not None:  # before counting: "cannot unpack 3 values into 2 names" misleads
                raise _Refusal(starred, _EXPRESSION_MESSAGES[ast.Starred])
            if not isinstance(value, tuple):
                raise _Refusal(node, "only a tuple written out can be unpacked, like a, b = 1.0, 2.0")
            if len(value) != len(target.elts):
                raise _Refusal(target, f"cannot unpack {len(value)} values into {len(target.elts)} names")
            for t, v in zip(target.elts, value, strict=True):
                self.assign(t, v, node)
        else:
            raise _Refusal(target, _EXPRESSION_MESSAGES.get(kind, "this can't be assigned to here"))

    def bind(self, target: ast.Name, value: object, node: ast.expr) -> None:
        name = self.variable_name(target)
        if isinstance(value, Value):
            if not value.label:
                value.label = name
            self.last_value = value
            self.program.bindings.append((name, value, target.lineno))
        elif not _is_number(value):
            raise _Refusal(node, f"a variable can hold a number or a Value, not {_describe(value)}")
        self.env[name] = value
        self.program.lines[name] = target.lineno

    def variable_name(self, target: ast.Name) -> str:
        """The name a program may assign to: not a built-in, not private like the dunders."""
        name = target.id
        if name in _BUILTINS:
            raise _Refusal(target, f"'{name}' is a built-in name here; pick another name")
        if name.startswith("_"):
            raise _Refusal(target, f"names starting with '_' are not allowed here ('{name}')")
        return name

    def augmented(self, stmt: ast.AugAssign) -> None:
        op, target = self.operator(stmt.op, stmt), stmt.target
        if type(target) is ast.Name:
            self.variable_name(target)
        if type(target) not in (ast.Name, ast.Attribute):
            raise _Refusal(target, _EXPRESSION_MESSAGES.get(type(target), "this can't be assigned to here"))
        new = self.arith(op, self.evaluate(target), self.evaluate(stmt.value), target, stmt.value, stmt)
        self.assign(target, new, stmt.value)

    def set_attribute(self, target: ast.Attribute, value: object, node: ast.expr) -> None:
        name = self.attribute_name(target)
        if name not in _ATTRIBUTES:
            raise _Refusal(target, f"'.{name}' can't be set here")
        if type(target.value) is not ast.Name:  # so that `+=` may read it, then write it, cheaply
            raise _Refusal(target, f"only a variable's '.{name}' can be set here, like a.{name} = ...")
        if name == "label" and not isinstance(value, str):
            raise _Refusal(node, f"'.label' needs text, not {_describe(value)}")
        if name != "label":
            if not _is_number(value):
                raise _Refusal(node, f"'.{name}' needs a number, not {_describe(value)}")
            value = float(value)
        setattr(self.value_of(target.value, f"'.{name}'"), name, value)

    # -- expressions -----------------------------------------------------------------

    def evaluate(self, node: ast.expr) -> object:
        handler = _HANDLERS.get(type(node))
        if handler is None:
            raise _Refusal(node, _EXPRESSION_MESSAGES.get(type(node), "this is not supported here"))
        if self.depth >= MAX_DEPTH:
            raise _Refusal(node, DEPTH_MESSAGE)
        # no try/finally: any exception ends the whole run, so depth need not be restored
        self.depth += 1
        value = handler(self, node)
        self.depth -= 1
        return value

    def constant(self, node: ast.Constant) -> object:
        v = node.value
        if type(v) in (int, float, str):
            return _fit(v) if type(v) is int else v
        if isinstance(v, complex):
            raise _Refusal(node, "complex numbers are not supported here")
        if v is None or isinstance(v, bool):
            raise _Refusal(node, f"'{v}' is not supported here")
        raise _Refusal(node, f"{type(v).__name__} literals are not supported here")

    def name(self, node: ast.Name) -> object:
        try:
            return self.env[node.id]
        except KeyError:
            pass
        if node.id in _BUILTINS:
            raise _Refusal(node, f"'{node.id}' can only be called here, like {node.id}(...)")
        raise _Refusal(node, f"name '{node.id}' is not defined")

    def operator(self, op: ast.operator, node: ast.AST) -> str:
        if type(op) in _BINOPS:
            return _BINOPS[type(op)]
        raise _Refusal(node, f"the '{_OTHER_OPS.get(type(op), '?')}' operator is not supported here")

    def binop(self, node: ast.BinOp) -> object:
        op, left, right = self.operator(node.op, node), node.left, node.right
        return self.arith(op, self.evaluate(left), self.evaluate(right), left, right, node)

    def arith(self, op: str, a: object, b: object, a_node: ast.AST, b_node: ast.AST, at: ast.AST) -> object:
        for x, where in ((a, a_node), (b, b_node)):
            if not (isinstance(x, Value) or _is_number(x)):
                raise _Refusal(where, f"can't use {_describe(x)} in arithmetic here")
        if isinstance(a, Value) or isinstance(b, Value):
            return self.track(_value_op(op, a, b), at)
        return _number_op(op, a, b)

    def unaryop(self, node: ast.UnaryOp) -> object:
        kind = type(node.op)
        if kind is ast.Not:
            raise _Refusal(node, "'not' is not supported here")
        if kind is ast.Invert:
            raise _Refusal(node, "the '~' operator is not supported here")
        x = self.evaluate(node.operand)
        if isinstance(x, Value):
            return x if kind is ast.UAdd else self.track(-x, node)
        if not _is_number(x):
            raise _Refusal(node.operand, f"can't use {_describe(x)} in arithmetic here")
        return x if kind is ast.UAdd else -x

    def attribute(self, node: ast.Attribute) -> object:
        name = self.attribute_name(node)
        if name in _METHODS:
            raise _Refusal(node, f"'.{name}' is a method: call it, like x.{name}()")
        if name not in _ATTRIBUTES:
            raise _Refusal(node, f"'.{name}' is not available here")
        return getattr(self.value_of(node.value, f"'.{name}'"), name)

    def attribute_name(self, node: ast.Attribute) -> str:
        # private and dunder attributes are how sandboxes are escaped: only _backward is allowed
        if node.attr.startswith("_") and node.attr != "_backward":
            raise _Refusal(node, f"'{node.attr}' is not available here")
        return node.attr

    def value_of(self, node: ast.expr, what: str) -> Value:
        x = self.evaluate(node)
        if not isinstance(x, Value):
            raise _Refusal(node, f"{what} works on Values only, not on {_describe(x)}")
        return x

    def call(self, node: ast.Call) -> object:
        func = node.func
        if type(func) is ast.Attribute:
            return self.call_method(node, func)
        if type(func) is not ast.Name:
            raise _Refusal(func, "only functions like relu(x) and methods like x.relu() can be called here")
        name = func.id
        if name == "Value":
            return self.call_value(node)
        if name == "print":
            return self.call_print(node)
        if name not in _FUNCTIONS:
            message = "is not a function" if name in self.env else "is not available here"
            raise _Refusal(func, f"'{name}' {message}")
        if node.keywords or len(node.args) != 1:
            raise _Refusal(node, f"{name}() takes exactly one argument here")
        x = self.evaluate(node.args[0])
        if isinstance(x, Value):
            return self.track(getattr(x, name)(), node)
        if not _is_number(x):
            raise _Refusal(node.args[0], f"{name}() needs a Value or a number, not {_describe(x)}")
        return float(getattr(Value(float(x)), name)().data)  # the engine's maths: numbers and Values agree

    def call_method(self, node: ast.Call, func: ast.Attribute) -> object:
        name = self.attribute_name(func)
        if name not in _METHODS:
            raise _Refusal(func, f"'.{name}()' is not available here")
        if node.args or node.keywords:
            raise _Refusal(node, f"'.{name}()' takes no arguments here")
        v = self.value_of(func.value, f"'.{name}()'")
        if name in ("backward", "_backward"):
            if name == "backward":
                self.check_time(node)
            getattr(v, name)()
            if name == "backward":
                self.program.backward_called, self.program.output = True, v
            return None
        return self.track(getattr(v, name)(), node)

    def call_value(self, node: ast.Call) -> Value:
        if len(node.args) > 1:
            raise _Refusal(node, "Value() takes one number, and optionally label='...'")
        data = node.args[0] if node.args else None
        label = ""
        for k in node.keywords:
            if k.arg == "data" and data is None:
                data = k.value
            elif k.arg == "label":
                label = self.evaluate(k.value)
                if not isinstance(label, str):
                    raise _Refusal(k.value, f"label= needs text, like label='a', not {_describe(label)}")
            else:
                raise _Refusal(k, "Value() takes one number, and optionally label='...'")
        if data is None:
            raise _Refusal(node, "Value() needs a number")
        x = self.evaluate(data)
        if not _is_number(x):
            raise _Refusal(data, f"Value() needs a number, not {_describe(x)}")
        return self.track(Value(float(x), label=label), node)

    def call_print(self, node: ast.Call) -> None:
        if node.keywords:
            raise _Refusal(node.keywords[0], "print() takes no options like sep= or end= here")
        text = " ".join(self.text(self.evaluate(a), a) for a in node.args)
        lines = text.split("\n")
        self.printed_chars += len(text)
        if len(self.program.printed) + len(lines) > MAX_PRINTED_LINES:
            raise _Refusal(node, f"this program prints more than {MAX_PRINTED_LINES:,} lines")
        if self.printed_chars > MAX_PRINTED_CHARS:
            raise _Refusal(node, f"this program prints more than {MAX_PRINTED_CHARS:,} characters")
        self.program.printed.extend(lines)

    def text(self, x: object, node: ast.AST) -> str:
        if isinstance(x, str):
            return x
        if isinstance(x, Value) or _is_number(x):
            return str(x)
        raise _Refusal(node, f"can't print {_describe(x)}")

    def joinedstr(self, node: ast.JoinedStr) -> str:
        return "".join(self.evaluate(part) for part in node.values)

    def formatted(self, node: ast.FormattedValue) -> str:
        x = self.evaluate(node.value)
        text = self.text(x, node.value)  # refuses what print would refuse
        if node.conversion in (114, 97):  # !r, !a
            x = repr(x) if node.conversion == 114 else ascii(x)
        elif node.conversion == 115:  # !s
            x = text
        spec = self.evaluate(node.format_spec) if node.format_spec else ""
        if not spec:
            return x if isinstance(x, str) else text
        for digits in re.findall(r"\d+", spec):  # widths and precisions: ':1000000000' would eat memory
            digits = digits.lstrip("0")
            if len(digits) > 6 or int(digits or 0) > MAX_FORMAT_WIDTH:
                raise _Refusal(node, f"format numbers above {MAX_FORMAT_WIDTH} are not allowed here")
        if isinstance(x, Value):
            raise _Refusal(node, f"a Value can't be formatted with ':{spec}'; format its .data instead")
        try:
            return format(x, spec)
        except (ValueError, TypeError) as e:
            raise _Refusal(node, f"bad format ':{spec}' ({e})") from None

    def track(self, v: Value, node: ast.AST) -> Value:
        """Count the Values an operation just created: the part of v's graph not seen before."""
        seen, made, stack = self.seen, self.made, [v]
        while stack:
            x = stack.pop()
            if id(x) not in seen:
                seen.add(id(x))
                made.append(x)
                stack.extend(x._prev)
        if len(made) > MAX_NODES:
            raise _Refusal(node, f"this program builds more than {MAX_NODES:,} values")
        return v


_HANDLERS = {
    ast.Constant: _Run.constant, ast.Name: _Run.name, ast.BinOp: _Run.binop, ast.UnaryOp: _Run.unaryop,
    ast.Attribute: _Run.attribute, ast.Call: _Run.call, ast.JoinedStr: _Run.joinedstr,
    ast.FormattedValue: _Run.formatted,
}
