"""One run of one program: its state, its limits and the rules every operation follows.

The compiled closures (gradlab.lang.compiler) call the methods here for anything
beyond moving values around: arithmetic, comparisons, attributes, indexing, calls,
iteration and text.  Each method accepts only the kinds of value it knows and
refuses the rest with a message, so no Python object a program can reach is ever
asked for something the language does not define.
"""

from __future__ import annotations

import ast
import math
import operator
import random

import numpy as np

from gradlab.engine import Value, safe_pow, topological_order
from gradlab.lang import limits
from gradlab.lang.items import CHUNK, ItemRules
from gradlab.lang.limits import _ATTRIBUTES, _METHODS, MAX_ITEMS, MAX_NODES
from gradlab.lang.objects import (
    _NP_SCALARS,
    _NUM,
    MISSING,
    NN_TYPES,
    RETURN,
    BoundMethod,
    Builtin,
    Class,
    Frame,
    Function,
    Instance,
    Method,
    Module,
    Refusal,
    Super,
    describe,
    is_number,
    python_error,
)
from gradlab.lang.program import Program
from gradlab.ops import UNARY as _UNARY_OPS

_SEQ = (list, tuple, str)
_PY_OPS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "%": operator.mod,
    "//": operator.floordiv,
}
_DUNDERS = {
    "+": ("__add__", "__radd__"),
    "-": ("__sub__", "__rsub__"),
    "*": ("__mul__", "__rmul__"),
    "/": ("__truediv__", "__rtruediv__"),
    "**": ("__pow__", "__rpow__"),
    "//": ("__floordiv__", "__rfloordiv__"),
    "%": ("__mod__", "__rmod__"),
}
_COMPARE = {
    "==": ("__eq__", "__eq__"),
    "!=": ("__ne__", "__ne__"),
    "<": ("__lt__", "__gt__"),
    "<=": ("__le__", "__ge__"),
    ">": ("__gt__", "__lt__"),
    ">=": ("__ge__", "__le__"),
}
_PY_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_VALUE_OPS = frozenset(("+", "-", "*", "/", "**"))
_VALUE_READABLE = (*_ATTRIBUTES, "_prev", "_op")


def fit(x: int | float) -> int | float:
    """Keep an int exact while it is small; a bigger one becomes a float, or +-inf."""
    if type(x) is int and x.bit_length() > limits.MAX_INT_BITS:
        try:
            return float(x)
        except OverflowError:
            return math.inf if x > 0 else -math.inf
    return x


def number_op(op: str, a: int | float, b: int | float) -> int | float:
    """``a op b`` for plain numbers, under the engine's domain rule (inf/nan, never an error)."""
    if op == "**":
        if isinstance(a, int) and isinstance(b, int) and b >= 0:
            # decide from the sizes before computing, so Python never builds a gigantic int
            if abs(a) > 1 and (abs(a).bit_length() - 1) * b >= 1024:  # beyond any float
                return -math.inf if a < 0 and b % 2 else math.inf
            return fit(a**b)
        return safe_pow(a, b)
    if b == 0 and op in ("/", "//", "%"):
        if op == "%":
            return math.nan
        return a * safe_pow(float(b), -1.0)  # as Value does it: a * b**-1, so 1/0 is inf and 0/0 nan
    try:
        return fit(_PY_OPS[op](a, b))
    except OverflowError:
        return math.nan


def value_op(op: str, a: Value | int | float, b: Value | int | float) -> Value:
    # numbers enter the engine as floats (an exponent stays exact: it names the op, e.g. '**2')
    if type(a) is not Value:
        a = float(a)
    if op != "**" and type(b) is not Value:
        b = float(b)
    return _PY_OPS[op](a, b)


def micrograd_backward(v: Value) -> None:
    """micrograd's ``backward()`` exactly: the root's grad becomes 1 and every node passes its
    grad on, in reverse topological order, adding to what is there (nothing is zeroed first)."""
    topo = topological_order(v)
    v.grad = 1.0
    for node in reversed(topo):
        fn = node._grad_fn
        if fn is not None:
            fn(node)


def is_value_like(x: object) -> bool:
    """A Value the graph can show: gradlab's, or a program's object with ``data`` and ``_prev``."""
    return type(x) is Value or (type(x) is Instance and "data" in x.attrs and "_prev" in x.attrs)


METHOD_TABLES: dict[type, dict] = {}  # the methods of lists, dicts, ...: filled in by gradlab.lang.library


class Run(ItemRules):
    """The state of one run: names, output, counters and limits (see gradlab.expr)."""

    def __init__(
        self, source: str, lines: list[str], deadline: float, clock, seconds: float, builtins: dict
    ) -> None:
        self.program = Program(source)
        self.lines = lines
        self.clock, self.deadline, self.seconds = clock, deadline, seconds
        self.globals: dict[str, object] = {}
        self.builtins = builtins  # shared by every run: a program binds names in its globals
        self.modules: dict[str, Module] = {}
        self.made: list[Value] = []  # every Value created, kept alive so their ids stay unique
        self.seen: set[int] = set()
        self.current: ast.AST | None = None  # the statement being run
        self.call_depth = 0
        self.printed_chars = 0
        self.partial = ""  # printed text not yet ended by a newline
        self.allocated = 0
        self.last_value: object = None
        self.backward_output: object = None
        self.drawn: object = None
        self.straight_line = True  # no loop, branch, function, class or comprehension compiled
        self._random: random.Random | None = None
        self._np_random: np.random.RandomState | None = None

    @property
    def random(self) -> random.Random:
        """The program's own ``random`` generator (made when first used: seeding it costs)."""
        if self._random is None:
            self._random = random.Random()
        return self._random

    @property
    def np_random(self) -> np.random.RandomState:
        if self._np_random is None:
            self._np_random = np.random.RandomState()
        return self._np_random

    # -- limits ----------------------------------------------------------------------------

    def timeout(self, node: ast.AST | None) -> None:
        raise Refusal(node, limits.timeout_message(self.seconds))

    def check_time(self, node: ast.AST | None = None) -> None:
        """Stop the run once it has used its time budget (node None: the current statement)."""
        if self.clock() > self.deadline:
            self.timeout(node)

    def alloc(self, n: int, node: ast.AST | None) -> None:
        """Count ``n`` more items made (list slots, characters, objects) against the total."""
        self.allocated += n
        if self.allocated > limits.MAX_ALLOCATED:
            raise Refusal(node, limits.ALLOCATED_MESSAGE)

    def sized(self, n: int, node: ast.AST | None) -> None:
        """Refuse making one thing of ``n`` items if that is too many; else count them."""
        if n > MAX_ITEMS:
            raise Refusal(node, limits.ITEMS_MESSAGE)
        self.alloc(n, node)

    def track(self, v: Value, node: ast.AST | None) -> Value:
        """Count the Values an operation just created: the part of v's graph not seen before."""
        seen, made, stack = self.seen, self.made, [v]
        while stack:
            x = stack.pop()
            if id(x) not in seen:
                seen.add(id(x))
                made.append(x)
                stack.extend(x._prev)
        if len(made) > MAX_NODES:
            raise Refusal(node, f"this program builds more than {MAX_NODES:,} values")
        return v

    def track_result(self, x: object, node: ast.AST | None) -> object:
        """track() each Value in what a library call returned (a Value or a list of them)."""
        if type(x) is Value:
            return self.track(x, node)
        if type(x) is list:
            for v in x:
                if type(v) is Value:
                    self.track(v, node)
        return x

    # -- arithmetic ------------------------------------------------------------------------

    def arith(self, op: str, a: object, b: object, node: ast.AST) -> object:
        ta, tb = type(a), type(b)
        if ta in _NUM and tb in _NUM:
            return number_op(op, a, b)
        if (ta is Value and (tb is Value or tb is float or tb is int)) or (
            tb is Value and (ta is float or ta is int)
        ):
            if op in _VALUE_OPS:  # the common case of a micrograd program, first
                return self.track(value_op(op, a, b), node)
        if ta is Value or tb is Value:
            if (
                (ta is Value or is_number(a))
                and (tb is Value or is_number(b))
                and op in ("+", "-", "*", "/", "**")
            ):
                return self.track(value_op(op, a, b), node)
        if ta is Instance or tb is Instance:
            return self.dunder_op(op, a, b, node)
        if isinstance(a, _NP_SCALARS) or isinstance(b, _NP_SCALARS):  # numpy's numbers: as Python's
            return self.arith(
                op,
                a.item() if isinstance(a, _NP_SCALARS) else a,
                b.item() if isinstance(b, _NP_SCALARS) else b,
                node,
            )
        if ta is np.ndarray or tb is np.ndarray:
            return self.array_op(op, a, b, node)
        if op == "+" and ta is tb and ta in _SEQ:
            self.sized(len(a) + len(b), node)
            return a + b
        if op == "*" and (ta in _SEQ and tb in (int, bool) or tb in _SEQ and ta in (int, bool)):
            seq, n = (a, b) if ta in _SEQ else (b, a)
            self.sized(len(seq) * max(0, n), node)
            return seq * n
        if op == "%" and ta is str:
            from gradlab.lang.methods import percent_format

            return percent_format(self, a, b, node)
        raise Refusal(node, f"can't use {describe(a)} and {describe(b)} with '{op}'")

    def dunder_op(self, op: str, a: object, b: object, node: ast.AST) -> object:
        name, rname = _DUNDERS[op]
        if type(a) is Instance:
            f = a.cls.lookup(name)
            if type(f) is Function:
                return self.call_function(f, [a, b], None, node)
        if type(b) is Instance:
            f = b.cls.lookup(rname)
            if type(f) is Function:
                return self.call_function(f, [b, a], None, node)
        what = a if type(a) is Instance else b
        raise Refusal(
            node, f"{describe(what)} has no {name if what is a else rname}: can't use it with '{op}'"
        )

    def array_op(self, op: str, a: object, b: object, node: ast.AST) -> np.ndarray:
        for x in (a, b):
            if not (type(x) is np.ndarray or is_number(x)):
                raise Refusal(node, f"can't use {describe(a)} and {describe(b)} with '{op}'")
        self.broadcast((a, b), node)
        with np.errstate(all="ignore"):
            return _PY_OPS[op](a, b)

    def broadcast(self, xs: tuple, node: ast.AST) -> None:
        """Refuse an operation on arrays and numbers ``xs`` whose result, broadcast, would be too
        big (``x[:, None] * x`` of a 100,000-long x is ten billion items), before numpy makes it."""
        try:
            shape = np.broadcast_shapes(*(np.shape(x) for x in xs))
        except ValueError as e:
            raise Refusal(node, python_error(e)) from None
        self.sized(math.prod(shape), node)

    def unary(self, op: str, x: object, node: ast.AST) -> object:
        t = type(x)
        if op == "not":
            return not self.truth(x, node)
        if t is Value:
            return x if op == "+" else self.track(-x, node)
        if t in _NUM or t is np.ndarray or isinstance(x, _NP_SCALARS):
            return +x if op == "+" else -x
        if t is Instance:
            name = "__neg__" if op == "-" else "__pos__"
            f = x.cls.lookup(name)
            if type(f) is Function:
                return self.call_function(f, [x], None, node)
            raise Refusal(node, f"{describe(x)} has no {name}: can't use it with unary '{op}'")
        raise Refusal(node, f"can't use {describe(x)} with unary '{op}'")

    def truth(self, x: object, node: ast.AST | None = None) -> bool:
        t = type(x)
        if t is bool:
            return x
        if t in (int, float, str, list, tuple, dict, set, range) or x is None:
            return bool(x)
        if t is Instance:
            f = x.cls.lookup("__len__")
            return (
                True
                if f is MISSING
                else bool(self.call(f if type(f) is not Function else BoundMethod(x, f), [], None, node))
            )
        if t is np.ndarray or isinstance(x, (np.integer, np.floating, np.bool_)):
            try:
                return bool(x)
            except ValueError as e:
                raise Refusal(node, python_error(e)) from None
        return True

    def compare(self, op: str, a: object, b: object, node: ast.AST) -> object:
        if op == "is":
            return a is b
        if op == "is not":
            return a is not b
        if op in ("in", "not in"):
            if type(b) not in (list, tuple, set, dict, str, range, np.ndarray):
                raise Refusal(node, f"can't look for something in {describe(b)}")
            if type(b) is str and type(a) is not str:
                raise Refusal(node, f"can't look for {describe(a)} in text")
            if type(b) is np.ndarray and not is_number(a):  # numpy would compare a with each item
                raise Refusal(node, f"can't look for {describe(a)} in an array; look for a number")
            tb = type(b)
            if tb in (set, dict):
                found = self.key(a, node) in b
            elif (tb is list or tb is tuple) and len(b) > CHUNK:
                found = self.find(b, a, node) >= 0
            else:
                found = a in b
            return found if op == "in" else not found
        if type(a) is Instance or type(b) is Instance:
            name, rname = _COMPARE[op]
            if type(a) is Instance and type(f := a.cls.lookup(name)) is Function:
                return self.call_function(f, [a, b], None, node)
            if type(b) is Instance and type(f := b.cls.lookup(rname)) is Function:
                return self.call_function(f, [b, a], None, node)
            if op in ("==", "!="):
                return (a is b) == (op == "==")
            raise Refusal(node, f"can't compare {describe(a)} and {describe(b)} with '{op}'")
        if (op == "==" or op == "!=") and type(a) is type(b) and type(a) in (list, tuple) and len(a) > CHUNK:
            same = len(a) == len(b) and self.same_items(a, b, node)
            return same if op == "==" else not same
        if type(a) is np.ndarray or type(b) is np.ndarray:  # item by item, like array_op
            if not all(type(x) is np.ndarray or is_number(x) for x in (a, b)):
                raise Refusal(node, f"can't compare {describe(a)} and {describe(b)} with '{op}'")
            self.broadcast((a, b), node)
        try:
            with np.errstate(all="ignore"):
                return _PY_COMPARE[op](a, b)
        except TypeError:
            hint = "; compare their .data" if Value in (type(a), type(b)) else ""
            raise Refusal(node, f"can't compare {describe(a)} and {describe(b)} with '{op}'{hint}") from None

    # -- attributes ------------------------------------------------------------------------

    def getattr(self, obj: object, name: str, node: ast.AST) -> object:
        t = type(obj)
        if t is Instance:
            attrs = obj.attrs
            if name in attrs:
                return attrs[name]
            f = obj.cls.lookup(name)
            if f is MISSING:
                raise Refusal(node, f"'{obj.cls.name}' object has no attribute '{name}'")
            return BoundMethod(obj, f) if type(f) is Function else f
        if t is Value:
            if name in _VALUE_READABLE:
                return getattr(obj, name)
            if name in _METHODS:
                from gradlab.lang.methods import value_method

                return Method(obj, name, value_method)
            raise Refusal(
                node,
                f"'{name}' is not available here"
                if name.startswith("_")
                else f"'.{name}' is not available here",
            )
        if t is Module:
            try:
                return obj.attrs[name]
            except KeyError:
                raise Refusal(node, f"'{obj.name}.{name}' is not available here") from None
        if t is Class:
            f = obj.lookup(name)
            if f is MISSING:
                raise Refusal(node, f"class '{obj.name}' has no attribute '{name}'")
            return f
        if t is Super:
            return self.super_attr(obj, name, node)
        from gradlab.lang.methods import attribute_of

        return attribute_of(self, obj, name, node)

    def super_attr(self, sup: Super, name: str, node: ast.AST) -> object:
        mro = sup.self.cls.mro
        for c in mro[mro.index(sup.owner) + 1 :] if sup.owner in mro else ():
            if name in c.ns:
                f = c.ns[name]
                return BoundMethod(sup.self, f) if type(f) is Function else f
        raise Refusal(node, f"super() has no attribute '{name}'")

    def setattr(self, obj: object, name: str, value: object, node: ast.AST) -> None:
        t = type(obj)
        if t is Instance:
            attrs = obj.attrs
            if name not in attrs:
                self.alloc(1, node)
            attrs[name] = value
            return
        if t is Value:
            if name == "label":
                if type(value) is not str:
                    raise Refusal(node, f"'.label' needs text, not {describe(value)}")
            elif name in _ATTRIBUTES:
                if not is_number(value):
                    raise Refusal(node, f"'.{name}' needs a number, not {describe(value)}")
                value = float(value)
                if name == "grad":
                    self.program.gradients_touched = True
            elif name.startswith("_"):
                raise Refusal(node, f"'{name}' is not available here")
            else:
                raise Refusal(node, f"'.{name}' can't be set here")
            setattr(obj, name, value)
            return
        if t is Class:
            obj.ns[name] = value
            return
        if name in _ATTRIBUTES:
            raise Refusal(node, f"'.{name}' works on Values only, not on {describe(obj)}")
        raise Refusal(node, f"'.{name}' can't be set here")

    # -- calls -----------------------------------------------------------------------------

    def call(self, f: object, args: list, kwargs: dict | None, node: ast.AST) -> object:
        t = type(f)
        if t is Function:
            return self.call_function(f, args, kwargs, node)
        if t is BoundMethod:
            return self.call_function(f.func, [f.self, *args], kwargs, node)
        if t is Builtin:
            return f.impl(self, node, args, kwargs or {})
        if t is Method:
            return f.impl(self, node, f.obj, f.name, args, kwargs or {})
        if t is Class:
            return self.instantiate(f, args, kwargs, node)
        if t is Instance:
            call = f.cls.lookup("__call__")
            if type(call) is Function:
                return self.call_function(call, [f, *args], kwargs, node)
        if isinstance(f, NN_TYPES):
            from gradlab.lang.library import call_network

            return call_network(self, node, f, args, kwargs or {})
        raise Refusal(node, f"{describe(f)} is not a function")

    def call_method(self, obj: object, name: str, args: list, kwargs: dict | None, node: ast.AST) -> object:
        """``obj.name(*args, **kwargs)`` without making the bound method first."""
        if type(obj) is Instance:
            attrs = obj.attrs
            if name in attrs:
                return self.call(attrs[name], args, kwargs, node)
            f = obj.cls.lookup(name)
            if type(f) is Function:
                out = self.call_function(f, [obj, *args], kwargs, node)
                if name == "backward" and "data" in attrs:  # the lecture's own Value: a training step too
                    self.backward_done(obj)
                return out
            if f is MISSING:
                raise Refusal(node, f"'{obj.cls.name}' object has no attribute '{name}'")
            return self.call(f, args, kwargs, node)
        if type(obj) is Value:
            if name in _UNARY_OPS or name == "backward" or name == "_backward":  # limits._METHODS, inline
                return self.value_method(node, obj, name, args, kwargs)
            raise Refusal(
                node,
                f"'{name}' is not available here"
                if name.startswith("__")
                else f"'.{name}()' is not available here",
            )
        table = METHOD_TABLES.get(type(obj))
        if table is not None and name in table:
            return table[name](self, node, obj, name, args, kwargs or {})
        if name in _METHODS and not isinstance(obj, (Module, Class, Super)) and obj is not None:
            raise Refusal(node, f"'.{name}()' works on Values only, not on {describe(obj)}")
        return self.call(self.getattr(obj, name, node), args, kwargs, node)

    def call_function(self, fn: Function, args: list, kwargs: dict | None, node: ast.AST) -> object:
        if self.call_depth >= limits.MAX_CALL_DEPTH:
            raise Refusal(node, limits.CALL_DEPTH_MESSAGE)
        params = fn.params
        if not kwargs and fn.positional and len(args) == len(params):
            names = dict(zip(params, args, strict=True))
        elif not kwargs and fn.positional and len(params) - len(fn.defaults) <= len(args) < len(params):
            names = dict(zip(params, args, strict=False))  # the rest from the defaults
            names.update(zip(params[len(args) :], fn.defaults[len(args) - len(params) :], strict=True))
        else:
            names = self.bind_arguments(fn, args, kwargs or {}, node)
        frame = Frame(names, fn.chain, fn)
        saved = self.current
        self.call_depth += 1
        ended = fn.body(frame)
        self.call_depth -= 1
        self.current = saved
        return frame.retval if ended is RETURN else None

    def bind_arguments(self, fn: Function, args: list, kwargs: dict, node: ast.AST) -> dict:
        params, n = fn.params, len(fn.params)
        names = dict(zip(params, args, strict=False))
        if len(args) > n:
            if fn.vararg is None:
                raise Refusal(node, f"{fn.name}() takes {n} positional arguments but {len(args)} were given")
            names[fn.vararg] = tuple(args[n:])
        elif fn.vararg is not None:
            names[fn.vararg] = ()
        extra = {}
        for key, value in kwargs.items():
            if key in names:
                raise Refusal(node, f"{fn.name}() got two values for '{key}'")
            if key in params or key in fn.kwonly:
                names[key] = value
            elif fn.kwarg is not None:
                extra[key] = value
            else:
                raise Refusal(node, f"{fn.name}() got an unexpected keyword argument '{key}'")
        first_default = n - len(fn.defaults)
        for i, p in enumerate(params):
            if p not in names:
                if i >= first_default:
                    names[p] = fn.defaults[i - first_default]
                else:
                    raise Refusal(node, f"{fn.name}() is missing the argument '{p}'")
        for p in fn.kwonly:
            if p not in names:
                if p not in fn.kwdefaults:
                    raise Refusal(node, f"{fn.name}() is missing the keyword argument '{p}'")
                names[p] = fn.kwdefaults[p]
        if fn.kwarg is not None:
            names[fn.kwarg] = extra
        return names

    def instantiate(self, cls: Class, args: list, kwargs: dict | None, node: ast.AST) -> Instance:
        obj = Instance(cls)
        self.alloc(8, node)
        init = cls.lookup("__init__")
        if type(init) is Function:
            if self.call_function(init, [obj, *args], kwargs, node) is not None:
                raise Refusal(node, "__init__() should return None")
        elif args or kwargs:
            raise Refusal(node, f"{cls.name}() takes no arguments")
        return obj

    # -- Values ------------------------------------------------------------------------------

    def value_method(self, node: ast.AST, v: Value, name: str, args: list, kwargs: dict | None) -> object:
        """``v.name()`` for a gradlab Value: an op, ``backward()`` or ``_backward()``."""
        if args or kwargs:
            raise Refusal(node, f"'.{name}()' takes no arguments here")
        if name == "backward":
            self.backward(v, node)
            return None
        if name == "_backward":
            v._backward()
            self.program.gradients_touched = True
            return None
        return self.track(getattr(v, name)(), node)

    def backward(self, v: object, node: ast.AST) -> None:
        """A program's ``v.backward()`` on a gradlab Value: micrograd's, accumulating."""
        self.check_time(node)
        micrograd_backward(v)
        self.backward_done(v)

    def backward_done(self, v: object) -> None:
        p = self.program
        p.backward_called = True
        if type(v) is Value:
            p.gradients_touched = True
        self.backward_output = v
        data = v.data if type(v) is Value else v.attrs.get("data")
        if is_number(data):
            p.losses.append(float(data))

    def bind_global(self, name: str, value: object, line: int) -> None:
        """A top-level assignment: a Value gets the name as its label (unless it has one)."""
        if name in _UNARY_OPS or name == "print":  # limits._BUILTINS, spelled out: this is a hot path
            raise Refusal(None, f"'{name}' is a built-in name here; pick another name")
        if type(value) is Value:
            if not value.label:
                value.label = name
            self.last_value = value
            self.program.bindings.append((name, value, line))
        elif type(value) is Instance and "data" in value.attrs and "_prev" in value.attrs:
            self.last_value = value
        self.globals[name] = value
        self.program.lines[name] = line
