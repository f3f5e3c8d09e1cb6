"""The values only a program makes: its functions, classes and their instances.

They are plain records read by the interpreter, never Python functions or classes:
a program's method is called by the interpreter, so no Python machinery (``__class__``,
``__globals__``, frames) stands behind one for a program to reach.
"""

from __future__ import annotations

import ast
import reprlib
from collections.abc import Callable

import numpy as np

from gradlab.engine import Value
from gradlab.lang.limits import MAX_NODES, NETWORK_MESSAGE
from gradlab.nn import MLP, Layer, Neuron

_NUM = (int, float, bool)
_NP_SCALARS = (np.integer, np.floating, np.bool_)
_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))  # what dict.keys() & co. give

#: what a statement returns when it ends its block early
BREAK, CONTINUE, RETURN = object(), object(), object()

#: the dunder methods a program's class may define; the interpreter calls them
USER_DUNDERS = frozenset(
    (
        "__init__",
        "__call__",
        "__repr__",
        "__str__",
        "__add__",
        "__radd__",
        "__sub__",
        "__rsub__",
        "__mul__",
        "__rmul__",
        "__truediv__",
        "__rtruediv__",
        "__pow__",
        "__rpow__",
        "__neg__",
        "__pos__",
        "__floordiv__",
        "__rfloordiv__",
        "__mod__",
        "__rmod__",
        "__eq__",
        "__hash__",
        "__ne__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
        "__len__",
        "__getitem__",
    )
)

NN_TYPES = (Neuron, Layer, MLP)


class Refusal(Exception):
    """A refused or failed step; ``node`` locates it (None: the statement being run)."""

    def __init__(self, node: ast.AST | None, message: str) -> None:
        super().__init__(message)
        self.node, self.message = node, message


#: a missing key as an error message spells it: at most a few items of it, each cut short
#: (Python's own ``str(KeyError(k))`` spells all of k: a gigabyte, for a tuple of long texts)
_KEY_REPR = reprlib.Repr()
MAX_ERROR_CHARS = 1_000


def python_error(e: BaseException) -> str:
    """A Python error as Python itself reports it (``TypeError: unhashable type: 'list'``): how a
    program's error reads when the program, not the language, went wrong (ExpressionError adds the
    line).  A missing key is spelled short, and the text is cut at MAX_ERROR_CHARS characters."""
    text = _KEY_REPR.repr(e.args[0]) if type(e) is KeyError and len(e.args) == 1 else str(e)
    if len(text) > MAX_ERROR_CHARS:
        text = text[:MAX_ERROR_CHARS] + "..."
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


class Frame:
    """One scope being run: its own names, the enclosing scopes' (innermost first, globals
    last) and, in a function, the function and its return value."""

    __slots__ = ("locals", "chain", "func", "retval")

    def __init__(self, names: dict, chain: tuple, func: Function | None = None) -> None:
        self.locals, self.chain, self.func, self.retval = names, chain, func, None


class Function:
    """A ``def`` or ``lambda`` of the program, with the scopes it closes over."""

    __slots__ = (
        "name",
        "params",
        "defaults",
        "vararg",
        "kwonly",
        "kwdefaults",
        "kwarg",
        "body",
        "chain",
        "owner",
        "simple",
        "positional",
    )

    def __init__(
        self, name: str, args: Signature, defaults: tuple, kwdefaults: dict, body: Callable, chain: tuple
    ) -> None:
        self.name, self.body, self.chain, self.owner = name, body, chain, None
        self.params, self.vararg, self.kwonly, self.kwarg = args.params, args.vararg, args.kwonly, args.kwarg
        self.defaults, self.kwdefaults = defaults, kwdefaults
        self.positional = not (args.vararg or args.kwonly or args.kwarg)  # only named positional params
        self.simple = self.positional and not defaults


class Signature:
    """The parameter names of a ``def``, read once when it is compiled."""

    __slots__ = ("params", "vararg", "kwonly", "kwarg")

    def __init__(self, params: tuple, vararg: str | None, kwonly: tuple, kwarg: str | None) -> None:
        self.params, self.vararg, self.kwonly, self.kwarg = params, vararg, kwonly, kwarg


class BoundMethod:
    """A program's function read through an instance: calling it passes the instance first."""

    __slots__ = ("self", "func")

    def __init__(self, obj: object, func: Function) -> None:
        self.self, self.func = obj, func


class Class:
    """A ``class`` of the program: its name, bases, namespace and method resolution order."""

    __slots__ = ("name", "bases", "ns", "mro")

    def __init__(self, name: str, bases: tuple, ns: dict) -> None:
        self.name, self.bases, self.ns = name, bases, ns
        mro = [self]
        for base in bases:
            mro.extend(c for c in base.mro if c not in mro)
        self.mro = tuple(mro)

    def lookup(self, name: str) -> object:
        """The class attribute ``name`` (through the bases), or ``_MISSING``."""
        for c in self.mro:
            ns = c.ns
            if name in ns:
                return ns[name]
        return MISSING


class Instance:
    """An object of a program's class: its attributes live in ``attrs``, nowhere else; ``call``
    is the program's call that made it (gradlab.lang.call_records), set by the run."""

    __slots__ = ("cls", "attrs", "call", "__weakref__")

    def __init__(self, cls: Class) -> None:
        self.cls, self.attrs = cls, {}


class Super:
    """``super()`` inside a method: attribute lookups start after ``owner`` in the instance's MRO."""

    __slots__ = ("owner", "self")

    def __init__(self, owner: Class, obj: Instance) -> None:
        self.owner, self.self = owner, obj


class Builtin:
    """A built-in function: ``impl(run, node, args, kwargs)``; ``pytype`` is what ``isinstance``
    means by it (``float``, gradlab's Value, ...) when it names a type."""

    __slots__ = ("name", "impl", "pytype")

    def __init__(self, name: str, impl: Callable, pytype: type | tuple | None = None) -> None:
        self.name, self.impl, self.pytype = name, impl, pytype


class Method:
    """A method of a built-in value read without calling it (``xs.append``):
    ``impl(run, node, obj, args, kwargs)``."""

    __slots__ = ("obj", "name", "impl")

    def __init__(self, obj: object, name: str, impl: Callable) -> None:
        self.obj, self.name, self.impl = obj, name, impl


class Module:
    """An importable module as a program sees it: a name and a fixed table of attributes."""

    __slots__ = ("name", "attrs")

    def __init__(self, name: str, attrs: dict) -> None:
        self.name, self.attrs = name, attrs


class StandIn:
    """An object of a stand-in module (graphviz's ``Digraph``, torch's ``Tensor``, the ``torch``
    module itself): a Python object the interpreter asks, through these methods and nothing
    else, for its attributes, operators and text, so a program reaches no more of it than
    they answer (gradlab.lang.graphviz_stub, gradlab.lang.torch_stub)."""

    __slots__ = ()
    #: how an error message names one ("a Tensor")
    description = "an object"

    def attribute(self, run: object, name: str, node: ast.AST | None) -> object:
        raise Refusal(node, f"'.{name}' is not available on {self.description} here")

    def set_attribute(self, run: object, name: str, value: object, node: ast.AST | None) -> None:
        raise Refusal(node, f"'.{name}' can't be set on {self.description} here")

    def operate(self, run: object, op: str, other: object, swapped: bool, node: ast.AST | None) -> object:
        """``self op other`` (``other op self`` when ``swapped``)."""
        raise Refusal(node, f"can't use {self.description} with '{op}'")

    def compare(self, run: object, op: str, other: object, swapped: bool, node: ast.AST | None) -> object:
        """``self op other`` for a comparison (``other op self`` when ``swapped``): by identity."""
        if op in ("==", "!="):
            return (self is other) == (op == "==")
        raise Refusal(node, f"can't compare {self.description} with '{op}'")

    def unary(self, run: object, op: str, node: ast.AST | None) -> object:
        raise Refusal(node, f"can't use {self.description} with unary '{op}'")

    def truth(self, run: object, node: ast.AST | None) -> bool:
        return True

    def number(self, node: ast.AST | None) -> object:
        """What ``float(self)`` and ``int(self)`` convert: a number, or a refusal."""
        raise Refusal(node, f"can't make a number of {self.description}")

    def index(self, run: object, key: object, node: ast.AST | None) -> object:
        """``self[key]``."""
        raise Refusal(node, f"can't index {self.description} with [...]")

    def items(self, run: object, node: ast.AST | None) -> list:
        """What ``for x in self`` goes through."""
        raise Refusal(node, f"can't loop over {self.description}")

    def text(self, run: object, node: ast.AST | None) -> str:
        """``repr(self)`` as the real library spells it."""
        return f"<{type(self).__name__} object>"

    def str_text(self, run: object, node: ast.AST | None) -> str:
        """``str(self)``: the repr unless the real library spells it otherwise."""
        return self.text(run, node)


class _Missing:
    __slots__ = ()


MISSING = _Missing()


def describe(x: object) -> str:
    """How an error message names a value's kind."""
    t = type(x)
    if t is Value:
        return "a Value"
    if t is bool:
        return str(x)
    if t in (int, float) or isinstance(x, (np.integer, np.floating)):
        return "a number"
    if x is None:
        return "None"
    if t is Instance:
        return f"a {x.cls.name} object"
    if isinstance(x, StandIn):
        return x.description
    names = {
        str: "text",
        tuple: "a tuple",
        list: "a list",
        dict: "a dict",
        set: "a set",
        range: "a range",
        Function: "a function",
        BoundMethod: "a method",
        Class: "a class",
        Builtin: "a built-in function",
        Method: "a method",
        Module: "a module",
        np.ndarray: "an array",
        Super: "super()",
    }
    if t in names:
        return names[t]
    if isinstance(x, NN_TYPES):
        return f"a {t.__name__}"
    return "an iterator" if hasattr(x, "__next__") else f"a {t.__name__}"


def check_network(net: object, node: ast.AST) -> None:
    """Refuse a network whose lists a program changed before it is used (called, asked for its
    parameters, printed): ``n.w[0] = 'a' * 999999`` would make ``n([1000, ...])`` repeat that text
    a thousand times (``w * x``) before any limit saw it, a non-Value weight breaks
    ``zero_grad()``, and a layer listed a million times makes millions of Values in one call."""
    layers = net.layers if type(net) is MLP else [net] if type(net) is Layer else None
    neurons = [net] if layers is None else []
    for layer in layers or ():
        if type(layer) is not Layer:
            raise Refusal(node, f"an MLP's layers must be Layers, not {describe(layer)}")
        neurons.extend(layer.neurons)
        if len(neurons) > MAX_NODES:
            raise Refusal(node, NETWORK_MESSAGE)
    weights = 0
    for neuron in neurons:
        if type(neuron) is not Neuron:
            raise Refusal(node, f"a Layer's neurons must be Neurons, not {describe(neuron)}")
        for w in neuron.w:
            if type(w) is not Value:
                raise Refusal(node, f"a Neuron's weights must be Values, not {describe(w)}")
        weights += len(neuron.w) + 1
        if weights > MAX_NODES:
            raise Refusal(node, NETWORK_MESSAGE)


def is_number(x: object) -> bool:
    """A plain number (bool too: ``True + 1`` is 2, as in Python), numpy's scalars included."""
    return type(x) in _NUM or isinstance(x, _NP_SCALARS)
