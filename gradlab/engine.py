"""A scalar autograd engine with micrograd's API.

``Value`` wraps one float and records the operation that produced it, so that
``backward()`` can apply the chain rule through the whole expression graph.
A micrograd program runs unchanged after ``from gradlab.engine import Value``.

Differences from micrograd, each for a reason a learner can see:

* ``_prev`` is a tuple in argument order, so ``a + a`` has two edges and a
  drawn graph keeps its shape from frame to frame.
* No reference cycles: the backward rule of a node (``_grad_fn``) is picked by
  its op, a module-level function (``+``, ``*``, ``**``) or one built once per
  row of the op table, never a closure that captures the node, so a dropped
  graph is freed by reference counting at once, with no pause for the cyclic
  garbage collector.  ``v._backward()`` still works as in the lecture.
* ``backward()`` sorts the graph without recursion (any depth works) and resets
  the gradients of the graph it walks first, so calling it twice gives the same
  gradients.  ``backward(accumulate=True)`` adds to the gradients already there
  instead, to sum gradients over several graphs: call ``zero_grad`` (or set
  ``.grad = 0``) yourself before the first one.
* The unary ops (``relu`` and the extras ``tanh``, ``exp``, ``log``,
  ``sigmoid``) are methods made from the rows of :mod:`gradlab.ops`: a row added
  with ``ops.register`` becomes ``Value.<name>()`` at once.  Extra binary ops:
  ``Value ** Value`` and ``number ** Value``.

Domain rule: every op returns an IEEE float and never raises.  Where the maths
is undefined the result is ``nan`` (``log(-1)``, ``(-8) ** 0.5``); where it is
infinite or too large for a float it is ``inf`` or ``-inf`` (``log(0)``,
``0 ** -1``, ``exp(1000)``).  Gradients follow the same rule.  The UI shows
these values as they are, so a learner sees where a computation broke.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from gradlab import ops
from gradlab.ops import UnaryOp

__all__ = ["Value", "recompute", "rule_name", "rule_named", "topological_order", "weighted_sum"]

INF = math.inf
NAN = math.nan


# -- safe float arithmetic: the domain rule above ---------------------------------


def safe_pow(base: float, exponent: float) -> float:
    """``base ** exponent`` as an IEEE float: inf on overflow or a pole, nan off the domain."""
    if type(base) is int and type(exponent) is int and abs(exponent) > 64:
        base = float(base)  # an exact integer power this large would take seconds to build
    try:
        result = base**exponent
        if isinstance(result, int):  # int ** int is exact; too large an int overflows here
            result = float(result)
    except ZeroDivisionError:  # 0 ** negative: a pole
        if float(exponent).is_integer() and int(exponent) % 2 and math.copysign(1.0, base) < 0:
            return -INF
        return INF
    except OverflowError:
        negative = base < 0 and float(exponent).is_integer() and int(exponent) % 2
        return -INF if negative else INF
    if isinstance(result, complex):  # negative base, fractional exponent
        return NAN
    return float(result)


def safe_mul(a: float, b: float) -> float:
    """``a * b`` where ``0 * inf`` in a chain-rule product counts as 0.

    A gradient that is exactly zero means "this path does not matter"; letting
    ``0 * inf`` turn it into nan would poison every gradient upstream.
    """
    if a == 0.0 or b == 0.0:
        return 0.0
    return a * b


# -- backward rules: one function per op, dispatched through Value._grad_fn -------
# Each accumulates into the parents' .grad, as micrograd's closures do.


def _add_backward(out: Value) -> None:
    a, b = out._prev
    g = out.grad
    a.grad += g
    b.grad += g


def _mul_backward(out: Value) -> None:
    a, b = out._prev
    g = out.grad
    a.grad += b.data * g
    b.grad += a.data * g


def _pow_const_backward(out: Value) -> None:
    (a,) = out._prev
    n = out._arg
    a.grad += safe_mul(n * safe_pow(a.data, n - 1), out.grad)


def _pow_backward(out: Value) -> None:
    # d(b**e)/db = e * b**(e-1);  d(b**e)/de = b**e * log(b)
    b, e = out._prev
    b.grad += safe_mul(e.data * safe_pow(b.data, e.data - 1), out.grad)
    if out.grad != 0.0:
        if b.data > 0:
            e.grad += out.data * math.log(b.data) * out.grad
        elif b.data == 0 and e.data > 0:
            pass  # 0 ** e is flat (0) for every e > 0
        else:
            e.grad += NAN


def _unary_backward(grad: Callable[[float, float], float]) -> Callable[[Value], None]:
    """The backward rule of a unary op whose local derivative (given x and out) is ``grad``.

    One closure per op row, built once: it captures the row's rule, never a node.
    A zero upstream gradient or a zero slope passes nothing on (as ``safe_mul``
    does), so ``0 * inf`` cannot turn into nan; a zero upstream gradient costs no call.
    """

    def backward(out: Value) -> None:
        g = out.grad
        if g != 0.0:
            (a,) = out._prev
            d = grad(a.data, out.data)
            if d != 0.0:
                a.grad += d * g

    return backward


# -- forward rules, for re-evaluating a node after a parent's data changed ----------

_FORWARD: dict[Callable[[Value], None], Callable[[Value], float]] = {
    _add_backward: lambda v: v._prev[0].data + v._prev[1].data,
    _mul_backward: lambda v: v._prev[0].data * v._prev[1].data,
    _pow_const_backward: lambda v: safe_pow(v._prev[0].data, v._arg),
    _pow_backward: lambda v: safe_pow(v._prev[0].data, v._prev[1].data),
}  # the unary ops' rules are added from the op table by _install


#: the binary ops' backward rules by name (the unary ops' are in _BACKWARD, by op name): how a
#: Value's rule is written down when a graph leaves the process (gradlab.worker.wire)
_BINARY_RULES: dict[str, Callable[[Value], None]] = {
    "+": _add_backward, "*": _mul_backward, "**n": _pow_const_backward, "**": _pow_backward,
}


def rule_name(fn: Callable[[Value], None] | None) -> str:
    """The name of a Value's backward rule (``v._grad_fn``): "" for none (a leaf, or a copy with
    no rules), a binary op's symbol, or ``"op:<name>"`` for a unary op of the table."""
    if fn is None:
        return ""
    for name, rule in _BINARY_RULES.items():
        if rule is fn:
            return name
    for name, rule in _BACKWARD.items():
        if rule is fn:
            return f"op:{name}"
    raise ValueError("a backward rule that is not one of the engine's")


def rule_named(name: str) -> Callable[[Value], None] | None:
    """The backward rule ``rule_name`` named; KeyError for a name this engine does not know."""
    if not name:
        return None
    return _BACKWARD[name[3:]] if name.startswith("op:") else _BINARY_RULES[name]


def recompute(v: Value) -> float:
    """Recompute ``v.data`` from its parents' current data and return it (a leaf keeps its data)."""
    fn = v._grad_fn
    if fn is not None:
        v.data = _FORWARD[fn](v)
    return v.data


def _result(data: float, parents: tuple, op: str, grad_fn, arg=None) -> Value:
    """A computed node: ``__init__``'s work without its call, on the hottest path there is."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0  # micrograd's int zero: print(Value(2.0)) shows grad=0, as micrograd does
    out._prev = parents
    out._op = op
    out._grad_fn = grad_fn
    out._arg = arg
    out.label = ""
    return out


class Value:
    """Stores a single scalar value and its gradient.

    The unary methods (``relu``, ``tanh``, ``sigmoid``, ``exp``, ``log`` and any op
    registered later) are installed below, one per row of :data:`gradlab.ops.UNARY`.
    """

    # _call: the program's call that made it (gradlab.lang.call_records), set by a run, unset else
    __slots__ = ("data", "grad", "_prev", "_op", "_grad_fn", "_arg", "label", "_call", "__weakref__")

    def __init__(self, data: float, _children: tuple = (), _op: str = "", label: str = "") -> None:
        self.data = data
        self.grad = 0  # an int, as micrograd's: Value(data=2.0, grad=0)
        self._prev = _children if type(_children) is tuple else tuple(_children)
        self._op = _op
        self._grad_fn = None
        self._arg = None
        self.label = label

    # -- primitive ops ---------------------------------------------------------------

    def __add__(self, other) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _result(self.data + other.data, (self, other), "+", _add_backward)

    def __mul__(self, other) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _result(self.data * other.data, (self, other), "*", _mul_backward)

    def __pow__(self, other) -> Value:
        if isinstance(other, Value):
            return _result(safe_pow(self.data, other.data), (self, other), "**", _pow_backward)
        if not isinstance(other, (int, float)):
            return NotImplemented
        return _result(safe_pow(self.data, other), (self,), f"**{other}", _pow_const_backward, other)

    # -- derived ops, micrograd's algebra ------------------------------------------

    def __neg__(self) -> Value:  # -self
        return self * -1

    def __radd__(self, other) -> Value:  # other + self
        return self + other

    def __sub__(self, other) -> Value:  # self - other
        return self + (-other)

    def __rsub__(self, other) -> Value:  # other - self
        return other + (-self)

    def __rmul__(self, other) -> Value:  # other * self
        return self * other

    def __truediv__(self, other) -> Value:  # self / other
        return self * other**-1

    def __rtruediv__(self, other) -> Value:  # other / self
        return other * self**-1

    def __rpow__(self, other) -> Value:  # other ** self
        return Value(other) ** self

    # -- backpropagation ---------------------------------------------------------------

    def _backward(self) -> None:
        """Pass this node's grad on to its parents (one chain-rule step, accumulating)."""
        if self._grad_fn is not None:
            self._grad_fn(self)

    def backward(self, accumulate: bool = False) -> None:
        """Fill ``.grad`` of every node in this graph with d(self)/d(node).

        Gradients of the graph are reset first unless ``accumulate`` is true,
        in which case this graph's gradients are added to the ones already there.
        """
        topo = topological_order(self)
        # Always backprop from zero: an inner node passes on its whole .grad, so
        # a gradient left there by an earlier pass would be counted twice.
        saved = [v.grad for v in topo] if accumulate else None
        for v in topo:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(topo):
            fn = v._grad_fn
            if fn is not None:
                fn(v)
        if saved is not None:
            for v, g in zip(topo, saved, strict=True):
                v.grad += g

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


_new_value = object.__new__


def topological_order(root: Value, placed: set[Value] | None = None) -> list[Value]:
    """Every node of ``root``'s graph, each after all of its parents; ``root`` last.

    Iterative depth-first search (graphs of any depth work) that visits parents in
    argument order, giving the order micrograd's recursive sort gives.

    ``placed``, when given, holds nodes sorted already together with all their parents (a
    graph sorted in pieces, as the scalar training step does): they are left out, and the
    nodes sorted now are added to it.  The pieces joined are the order of the whole.
    """
    if placed is None:
        placed = set()
    elif root in placed:
        return []
    placed.add(root)
    topo: list[Value] = []
    emit, visit, all_placed = topo.append, placed.add, placed.issuperset
    # the path from root to the node being expanded, and each one's parents still to visit
    path, pending = [root], [iter(root._prev)]
    enter, enter_parents, leave, leave_parents = path.append, pending.append, path.pop, pending.pop
    parents = pending[-1]
    while True:
        for p in parents:
            if p not in placed:
                visit(p)
                prev = p._prev
                if prev and not all_placed(prev):
                    enter(p)
                    parents = iter(prev)
                    enter_parents(parents)
                    break
                # a leaf, or a node whose parents are all placed (w * x in a neuron, mostly), follows
                # them at once: what expanding it would do, without the path's push and pop
                emit(p)
        else:  # every parent is placed: the node can follow them
            emit(leave())
            leave_parents()
            if not pending:
                return topo
            parents = pending[-1]


def weighted_sum(start: Value, weights, inputs) -> Value:
    """``start + w0*x0 + w1*x1 + ...`` left to right, as ``sum((w * x for w, x in zip(weights,
    inputs, strict=True)), start)`` makes it, node for node; the hot loop of a network's forward
    pass, so where both are Values the nodes are made without the operators' calls."""
    if type(start) is not Value:
        return sum((w * x for w, x in zip(weights, inputs, strict=True)), start)
    act = start
    for w, x in zip(weights, inputs, strict=True):
        if type(w) is Value and type(x) is Value:
            prod = _result(w.data * x.data, (w, x), "*", _mul_backward)
            act = _result(act.data + prod.data, (act, prod), "+", _add_backward)
        else:
            act = act + w * x  # a Value's __add__ makes the node above; a number is wrapped first
    return act


# -- unary ops: one method per row of the op table ------------------------------------------

#: op name -> the backward rule of the method installed for it
_BACKWARD: dict[str, Callable[[Value], None]] = {}


def _unary_method(op: UnaryOp, backward: Callable[[Value], None]) -> Callable[[Value], Value]:
    forward, label = op.forward, op.label

    def method(self: Value) -> Value:
        return _result(forward(self.data), (self,), label, backward)

    method.__name__, method.__qualname__ = op.name, f"Value.{op.name}"
    method.__doc__ = f"``{op.label}`` of this value (a row of gradlab.ops)."
    return method


def _install(name: str) -> None:
    """Give Value a method for op ``name`` (or take it away once the op is unregistered)."""
    op = ops.UNARY.get(name)
    if op is None:
        if _BACKWARD.pop(name, None) is not None:
            delattr(Value, name)
        return  # _FORWARD keeps the rule: graphs already built with the op still recompute
    if name in _BACKWARD or hasattr(Value, name):
        raise ValueError(f"op name {name!r} is already an attribute of Value")
    backward = _unary_backward(op.grad)
    forward = op.forward
    _FORWARD[backward] = lambda v: forward(v._prev[0].data)
    _BACKWARD[name] = backward
    setattr(Value, name, _unary_method(op, backward))


for _name in ops.UNARY:
    _install(_name)
ops.subscribe(_install)
