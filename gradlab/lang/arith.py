"""Arithmetic, comparison and truth: the rules of ``a + b``, ``-a``, ``a < b`` and ``if a``.

A mixin of :class:`gradlab.lang.runtime.Run`.  Plain numbers follow the engine's domain rule
(inf/nan, never an error), Values build graph nodes, a program's objects answer through
their dunder methods, arrays broadcast within the item limit.
"""

from __future__ import annotations

import ast
import math
import operator

import numpy as np

from gradlab.engine import Value, safe_pow
from gradlab.lang import limits
from gradlab.lang.items import CHUNK
from gradlab.lang.objects import (
    _NP_SCALARS,
    _NUM,
    MISSING,
    BoundMethod,
    Function,
    Instance,
    Refusal,
    StandIn,
    describe,
    is_number,
    python_error,
)
from gradlab.lang.text import percent_format

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


class ArithRules:
    """Run's rules for operators and truth (see the module's docstring)."""

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
        if isinstance(a, StandIn):  # a stand-in module's object (a torch Tensor) answers for itself
            return a.operate(self, op, b, False, node)
        if isinstance(b, StandIn) and ta is not str:  # 'x=%s' % t formats t, below
            return b.operate(self, op, a, True, node)
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
        if isinstance(x, StandIn):
            return x.unary(self, op, node)
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
        if isinstance(x, StandIn):
            return x.truth(self, node)
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
            elif tb in (list, tuple) and type(a) is Instance and type(a.cls.lookup("__eq__")) is Function:
                found = any(x is a or self.truth(self.compare("==", a, x, node), node) for x in b)
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
        if isinstance(a, StandIn):  # a torch tensor compares number by number
            return a.compare(self, op, b, False, node)
        if isinstance(b, StandIn):
            return b.compare(self, op, a, True, node)
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
