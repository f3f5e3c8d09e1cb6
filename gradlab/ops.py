"""One table of unary operations: every consumer of an op reads its row here.

A row (:class:`UnaryOp`) says everything gradlab knows about one op: the name a
program calls it by (``x.relu()``, ``relu(x)``), the label a graph shows
(``ReLU``), its scalar forward and local derivative (for the ``Value`` engine
and ``recompute``), and the same two element-wise on numpy arrays (for the
probe's vectorised sweeps and the fast training backend).  The engine's
methods, the language's allowed names, the editor's highlighting, the probe and
the networks' activations are all built from :data:`UNARY`, so adding an op is
one call to :func:`register` and the backends cannot drift apart.

Scalar rules follow the engine's domain rule: they return IEEE floats and never
raise (``log(-1)`` is nan, ``log(0)`` is -inf, ``exp(1000)`` is inf).  A local
derivative is given ``(x, out)``, the input and the op's output, so rules like
``tanh' = 1 - out**2`` need no second evaluation.

Binary ops (``+``, ``*``, ``**``) are the ``Value`` class's own dunder methods
in :mod:`gradlab.engine`, as in micrograd.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "LINEAR",
    "UNARY",
    "UNARY_BY_LABEL",
    "UnaryOp",
    "activation",
    "register",
    "registered",
    "safe_exp",
    "safe_log",
    "subscribe",
    "unregister",
]

INF = math.inf
NAN = math.nan


@dataclass(frozen=True)
class UnaryOp:
    """One op of one argument, in every form gradlab computes it."""

    name: str  # 'relu': how methods and functions spell it
    label: str  # 'ReLU': the op label a graph node shows (Value._op)
    forward: Callable[[float], float]  # scalar forward, domain rule (nan/inf, never raises)
    grad: Callable[[float, float], float]  # local derivative d out / d x, given (x, out)
    np_forward: Callable[[np.ndarray], np.ndarray]  # element-wise forward
    np_grad: Callable[[np.ndarray, np.ndarray], np.ndarray]  # element-wise derivative, given (x, out)
    activation: bool  # usable as a neural-net activation
    #: the local derivative as the lecture writes it in a chain-rule step, ``{x}`` the operand's
    #: name and ``{out}`` the node's (``(1 - {out}.data²)`` for tanh); "" writes d{out}/d{x}
    rule: str = ""


# -- scalar rules -------------------------------------------------------------------------------


def safe_exp(x: float) -> float:
    """``e ** x``; inf where it overflows."""
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def safe_log(x: float) -> float:
    """Natural log; -inf at 0, nan below 0 (and for nan)."""
    if x > 0:
        return math.log(x)
    if x == 0:
        return -INF
    return NAN


def _relu(x: float) -> float:
    return 0 if x < 0 else x  # micrograd's rule: an int 0, and nan passes through


def _sigmoid(x: float) -> float:
    # two branches so that exp never overflows
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _log_grad(x: float, out: float) -> float:
    # 1/x, with the sign of a zero kept (log'(-0.0) = -inf); off the domain the slope is nan
    if x > 0:
        return 1.0 / x
    if x == 0:
        return math.copysign(INF, x)
    return NAN


# -- numpy rules --------------------------------------------------------------------------------


def _np_sigmoid(a: np.ndarray) -> np.ndarray:
    # the scalar rule's two branches, so that exp never overflows
    z = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _np_log_grad(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x >= 0, 1.0 / x, NAN)


# -- the table ----------------------------------------------------------------------------------

_BUILTIN_ROWS = (
    UnaryOp("relu", "ReLU", _relu, lambda x, out: 1.0 if out > 0 else 0.0,
            lambda a: np.where(a < 0, 0.0, a), lambda x, out: (out > 0).astype(float), True,
            "({out}.data > 0)"),
    UnaryOp("tanh", "tanh", math.tanh, lambda x, out: 1.0 - out * out,
            np.tanh, lambda x, out: 1.0 - out * out, True, "(1 - {out}.data²)"),
    UnaryOp("sigmoid", "sigmoid", _sigmoid, lambda x, out: out * (1.0 - out),
            _np_sigmoid, lambda x, out: out * (1.0 - out), True, "{out}.data × (1 - {out}.data)"),
    UnaryOp("exp", "exp", safe_exp, lambda x, out: out,
            np.exp, lambda x, out: out, False, "{out}.data"),
    UnaryOp("log", "log", safe_log, _log_grad,
            np.log, _np_log_grad, False, "(1 / {x}.data)"),
)

#: name -> row.  Changed in place by register/unregister: keep a reference, it stays current.
UNARY: dict[str, UnaryOp] = {op.name: op for op in _BUILTIN_ROWS}
#: label (``Value._op``) -> row, kept in step with UNARY.
UNARY_BY_LABEL: dict[str, UnaryOp] = {op.label: op for op in _BUILTIN_ROWS}

#: the identity, the activation a linear layer uses; not a graph op (no node is made for it)
LINEAR = UnaryOp("linear", "linear", lambda x: x, lambda x, out: 1.0,
                 lambda a: a, lambda x, out: np.ones_like(x), True)


def _activation_names() -> tuple[str, ...]:
    return (*(name for name, op in UNARY.items() if op.activation), LINEAR.name)


#: activation names (rows with activation=True, then "linear"); register/unregister rebind it,
#: so read it as ``ops.ACTIVATIONS`` rather than importing the tuple.
ACTIVATIONS: tuple[str, ...] = _activation_names()


def activation(name: str) -> UnaryOp:
    """The row of activation ``name`` (``LINEAR`` for "linear"); ValueError listing the choices."""
    op = LINEAR if name == LINEAR.name else UNARY.get(name)
    if op is None or not op.activation:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return op


# -- adding and removing rows ---------------------------------------------------------------------

#: names a row may not take: the language's other built-ins and Value's own attributes
RESERVED = frozenset({"Value", "print", "backward", "data", "grad", "label", "linear", "zero_grad"})
_BINARY_LABELS = ("+", "*")  # "**" and "**n" start with "*"
_listeners: list[Callable[[str], None]] = []


def subscribe(listener: Callable[[str], None]) -> None:
    """Call ``listener(name)`` after a row is registered or unregistered (it checks ``name in UNARY``).

    A listener that raises during ``register`` vetoes the row: it is removed again.
    """
    _listeners.append(listener)


def _notify(name: str) -> None:
    for listener in _listeners:
        listener(name)


def _check_row(op: UnaryOp) -> None:
    if not isinstance(op, UnaryOp):
        raise TypeError(f"register needs a UnaryOp, not {type(op).__name__}")
    name, label = op.name, op.label
    if not (isinstance(name, str) and name.isidentifier() and name.islower() and not name.startswith("_")):
        raise ValueError(f"op name {name!r} must be a lower-case identifier not starting with '_'")
    if keyword.iskeyword(name) or name in RESERVED:
        raise ValueError(f"op name {name!r} is reserved")
    if name in UNARY:
        raise ValueError(f"an op named {name!r} is already registered")
    if not isinstance(label, str) or not label or label != label.strip() or label.startswith(_BINARY_LABELS):
        raise ValueError(f"op label {label!r} must be non-empty text that is not a binary op's label")
    if label in UNARY_BY_LABEL:
        raise ValueError(f"the label {label!r} is already used by op {UNARY_BY_LABEL[label].name!r}")
    for field in ("forward", "grad", "np_forward", "np_grad"):
        if not callable(getattr(op, field)):
            raise TypeError(f"op {name!r}: {field} must be callable")


def register(op: UnaryOp) -> None:
    """Add a row: from then on it works in the engine, the language, recompute and the probe."""
    global ACTIVATIONS
    _check_row(op)
    UNARY[op.name] = op
    UNARY_BY_LABEL[op.label] = op
    ACTIVATIONS = _activation_names()
    try:
        _notify(op.name)
    except BaseException:
        _remove(op.name)
        raise


def _remove(name: str) -> None:
    global ACTIVATIONS
    op = UNARY.pop(name)
    del UNARY_BY_LABEL[op.label]
    ACTIVATIONS = _activation_names()
    _notify(name)


def unregister(name: str) -> None:
    """Remove a row added by :func:`register` (the built-in rows stay)."""
    if any(op.name == name for op in _BUILTIN_ROWS):
        raise ValueError(f"{name!r} is a built-in op and cannot be removed")
    if name not in UNARY:
        raise KeyError(f"no op named {name!r} is registered")
    _remove(name)


@contextmanager
def registered(op: UnaryOp) -> Iterator[UnaryOp]:
    """``with registered(row): ...`` registers ``row`` for the block and removes it afterwards."""
    register(op)
    try:
        yield op
    finally:
        unregister(op.name)
