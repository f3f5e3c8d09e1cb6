"""Nudge a node and watch the output move: numerical derivatives next to backprop's.

Backprop claims that ``node.grad`` is d(output)/d(node).  A learner can check
that claim the way the lecture does: move the node by a small step ``h`` and
see how far the output moves.

* ``nudge_probe(graph, i, h)`` nudges node ``i`` (an input, a parameter or an
  intermediate node: setting an intermediate node's value re-evaluates only what
  lies downstream of it) by ``+h`` and ``-h`` and reports the output each time,
  the forward difference ``(f(x+h) - f(x)) / h``, the central difference
  ``(f(x+h) - f(x-h)) / 2h``, backprop's gradient and how far each estimate is
  from it.  ``grad * h`` predicts the output's change; ``f(x+h) - f(x)`` is the
  change that happened.  Afterwards every value is exactly (bitwise) what it was.
* ``error_sweep(graph, i)`` repeats that for ``h`` from 1e-1 down to 1e-12.  The
  error of an estimate first falls as ``h`` shrinks (truncation error: the curve
  is not a straight line over a step of ``h``; about ``h`` for the forward
  difference, ``h**2`` for the central one), then rises again (round-off error:
  ``f(x+h) - f(x)`` subtracts two nearly equal floats, losing about
  ``1e-16 * |f| / h``).  The best ``h`` sits in between: about 1e-8 for the
  forward difference, 1e-5 for the central one.
* ``response_curve(graph, i)`` sweeps node ``i`` over a range around its value
  and returns the output at each point: the curve whose tangent at the current
  value has slope ``grad``.
* ``directional_probe(graph, indices, u, h)`` moves many nodes at once along a
  unit vector ``u``: two forward passes check ``sum_k grad_k u_k``, however many
  nodes there are (``gradlab run --check`` uses it on big programs).
* ``numerical_grad`` and ``check_grad`` do the same check on any function, for
  tests and for learners writing their own ops; ``derivative_example`` is the
  lecture's first cell, ``f(x) = 3x**2 - 4x + 5`` at ``x = 3``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gradlab import ops
from gradlab.engine import Value
from gradlab.graph import GraphModel

__all__ = [
    "DEFAULT_SWEEP_HS",
    "DerivativeExample",
    "DirectionalResult",
    "ErrorSweep",
    "NudgeResult",
    "check_grad",
    "derivative_example",
    "directional_probe",
    "error_sweep",
    "function_curve",
    "function_error_sweep",
    "lecture_function",
    "numerical_grad",
    "nudge_function",
    "nudge_probe",
    "response_curve",
]

#: the step sizes of ``error_sweep``: 1e-1 down to 1e-12, four per decade
DEFAULT_SWEEP_HS = np.logspace(-1, -12, 45)


def _as_float(x) -> float:
    """A node's data as a float (data can be an int, e.g. ReLU's 0); a huge int becomes inf."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _check_h(h: float) -> float:
    h = float(h)
    if h == 0 or not math.isfinite(h):
        raise ValueError(f"step h must be a finite non-zero number, not {h!r}")
    return h


class _Nudger:
    """Sets node ``i`` to trial values and puts every value back exactly afterwards.

    ``set_data`` back to the original value would re-evaluate the same floats from
    the same inputs, but a graph whose values were edited behind its back (or an
    ``int`` ReLU output) might not round-trip; writing the saved objects back does.
    """

    def __init__(self, graph: GraphModel, i: int) -> None:
        if not 0 <= i < len(graph.values):
            raise IndexError(f"node index {i} out of range for a graph of {len(graph.values)} nodes")
        self.graph = graph
        self.i = i
        self.affected = [i, *graph.downstream(i)]
        self.saved = [graph.values[j].data for j in self.affected]
        self.x = graph.values[i].data
        self.gradients_current = graph.gradients_current

    def output_at(self, x: float) -> float:
        self.graph.set_data(self.i, x)
        return _as_float(self.graph.output.data)

    def outputs_at(self, xs: np.ndarray) -> np.ndarray:
        """The output for every trial value in ``xs``, in one vectorised pass downstream.

        A sweep of 100 values costs about one scalar re-evaluation, which keeps the
        inspector's plots live while a slider drags.  Ops numpy has no rule for fall
        back to one scalar pass per value.
        """
        graph, values = self.graph, self.graph.values
        arrays: dict[int, np.ndarray] = {self.i: xs}
        try:
            with np.errstate(all="ignore"):  # inf and nan are results here, as in the engine
                for j in self.affected[1:]:
                    args = [arrays[p] if p in arrays else _as_float(values[p].data) for p in graph.parents[j]]
                    arrays[j] = _numpy_forward(values[j], args)
        except KeyError:
            return np.array([self.output_at(x) for x in xs.tolist()])
        out = arrays.get(len(values) - 1, _as_float(graph.output.data))
        return np.broadcast_to(np.asarray(out, dtype=float), xs.shape).copy()

    def restore(self) -> None:
        graph = self.graph
        graph.set_data(self.i, self.x)
        values = graph.values
        for j, data in zip(self.affected, self.saved, strict=True):
            values[j].data = data
        graph.gradients_current = self.gradients_current  # the same values: the same gradients

    def __enter__(self) -> _Nudger:
        return self

    def __exit__(self, *exc) -> None:
        self.restore()


#: unary ops by their node label: each row's numpy forward is the engine's forward, element-wise
_UNARY_BY_LABEL = ops.UNARY_BY_LABEL


def _numpy_forward(v: Value, args: list) -> np.ndarray:
    """``v``'s op applied to arrays: the engine's forward rules, element-wise (KeyError if unknown)."""
    op = v._op
    if op == "+":
        return args[0] + args[1]
    if op == "*":
        return args[0] * args[1]
    if op == "**":
        return np.power(np.asarray(args[0], dtype=float), args[1])
    if op.startswith("**"):
        return np.power(np.asarray(args[0], dtype=float), v._arg)
    return _UNARY_BY_LABEL[op].np_forward(np.asarray(args[0], dtype=float))


# -- one nudge ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NudgeResult:
    """What nudging node ``index`` by ``h`` did to the output, next to backprop's gradient."""

    index: int
    label: str
    x: float  # the node's data
    h: float
    f0: float  # the output's data
    f_plus: float  # the output with the node at x + h
    f_minus: float  # the output with the node at x - h
    forward_diff: float  # (f_plus - f0) / h
    central_diff: float  # (f_plus - f_minus) / (2 h)
    grad: float  # backprop's d(output)/d(node)
    forward_error: float  # forward_diff - grad
    central_error: float  # central_diff - grad

    @property
    def predicted_change(self) -> float:
        """How far backprop says the output moves when the node moves by h: ``grad * h``."""
        return self.grad * self.h

    @property
    def actual_change(self) -> float:
        """How far the output did move: ``f_plus - f0``."""
        return self.f_plus - self.f0


def nudge_probe(graph: GraphModel, i: int, h: float) -> NudgeResult:
    """Nudge node ``i`` by ``+h`` and ``-h``; compare the output's response with backprop.

    Makes sure every ``.grad`` in the graph is d(output)/d(node) first (running
    ``backward()`` if a value changed since).  Every ``.data`` is restored exactly.
    """
    h = _check_h(h)
    graph.ensure_gradients()
    with _Nudger(graph, i) as nudger:
        x = _as_float(nudger.x)
        f0 = _as_float(graph.output.data)
        f_plus = nudger.output_at(x + h)
        f_minus = nudger.output_at(x - h)
    v = graph.values[i]
    return _nudge_result(i, v.label, x, h, f0, f_plus, f_minus, _as_float(v.grad))


def _nudge_result(index: int, label: str, x: float, h: float, f0: float, f_plus: float, f_minus: float,
                  grad: float) -> NudgeResult:
    forward = (f_plus - f0) / h
    central = (f_plus - f_minus) / (2 * h)
    return NudgeResult(
        index=index, label=label, x=x, h=h, f0=f0, f_plus=f_plus, f_minus=f_minus,
        forward_diff=forward, central_diff=central, grad=grad,
        forward_error=forward - grad, central_error=central - grad,
    )



@dataclass(frozen=True)
class DirectionalResult:
    """What moving the nodes ``indices`` together, by ``h`` along the unit vector u, did to the output.

    One such nudge tests every moved node's gradient at once: the output changes by
    about ``h * sum_k grad_k u_k``, so a wrong gradient anywhere shows as a mismatch
    (though not which node's it is).
    """

    indices: tuple[int, ...]
    h: float
    f0: float  # the output's data
    f_plus: float  # the output with node k at x_k + h u_k
    f_minus: float  # the output with node k at x_k - h u_k
    central_diff: float  # (f_plus - f_minus) / (2 h): the directional derivative, numerically
    grad: float  # backprop's directional derivative, sum_k grad_k u_k
    central_error: float  # central_diff - grad


def directional_probe(graph: GraphModel, indices: Sequence[int], direction: Sequence[float] | np.ndarray,
                      h: float) -> DirectionalResult:
    """Move nodes ``indices`` by ``+h`` and ``-h`` along ``direction``; compare with backprop's ``grad . u``.

    Two forward passes, however many nodes move (``nudge_probe`` on each of n nodes
    costs 2n).  ``direction`` should be a unit vector, one entry per index; backprop's
    side uses the steps the floats really took (``x + h u`` rounds), so round-off in
    the inputs is not mistaken for a wrong gradient.  Every ``.data`` is restored exactly.
    """
    h = _check_h(h)
    indices = tuple(int(i) for i in indices)
    u = np.asarray(direction, dtype=float)
    if u.shape != (len(indices),):
        raise ValueError(f"direction has {u.size} entries for {len(indices)} nodes")
    if len(set(indices)) != len(indices) or not all(0 <= i < len(graph.values) for i in indices):
        raise IndexError(f"node indices must be distinct and in 0..{len(graph.values) - 1}")
    graph.ensure_gradients()
    values = graph.values
    x = np.array([_as_float(values[i].data) for i in indices])
    grads = np.array([_as_float(values[i].grad) for i in indices])
    saved, current = [v.data for v in values], graph.gradients_current
    f0 = _as_float(graph.output.data)
    plus, minus = x + h * u, x - h * u
    try:
        graph.set_many(dict(zip(indices, plus.tolist(), strict=True)))
        f_plus = _as_float(graph.output.data)
        graph.set_many(dict(zip(indices, minus.tolist(), strict=True)))
        f_minus = _as_float(graph.output.data)
    finally:
        for v, data in zip(values, saved, strict=True):
            v.data = data
        graph.gradients_current = current  # the same values: the same gradients
    with np.errstate(all="ignore"):  # an inf or nan gradient is a result here
        grad = float(np.dot(grads, (plus - minus) / (2 * h)))
    central = (f_plus - f_minus) / (2 * h)
    return DirectionalResult(indices=indices, h=h, f0=f0, f_plus=f_plus, f_minus=f_minus,
                             central_diff=central, grad=grad, central_error=central - grad)

# -- many nudges: how the error depends on h -------------------------------------------------


@dataclass(frozen=True, eq=False)
class ErrorSweep:
    """Absolute errors of both estimates for every step size ``hs[k]``."""

    index: int
    label: str
    grad: float
    hs: np.ndarray
    forward_error: np.ndarray  # |forward difference - grad|
    central_error: np.ndarray  # |central difference - grad|
    best_h_forward: float  # the h with the smallest forward error (nan if every error is nan)
    best_h_central: float

    @property
    def best_h(self) -> tuple[float, float]:
        """``(best_h_forward, best_h_central)``."""
        return self.best_h_forward, self.best_h_central


def _best(hs: np.ndarray, errors: np.ndarray) -> float:
    if np.isnan(errors).all():
        return math.nan
    return float(hs[int(np.nanargmin(errors))])


def error_sweep(graph: GraphModel, i: int, hs: Sequence[float] | np.ndarray | None = None) -> ErrorSweep:
    """Both estimates' errors against backprop for each step in ``hs`` (default 1e-1 .. 1e-12)."""
    hs = np.array(DEFAULT_SWEEP_HS if hs is None else hs, dtype=float).reshape(-1)
    for h in hs:
        _check_h(h)
    graph.ensure_gradients()
    grad = _as_float(graph.values[i].grad)
    with _Nudger(graph, i) as nudger:
        x = _as_float(nudger.x)
        # f(x) comes from the same vectorised pass as f(x +- h), so that a tiny h sees
        # only the round-off of the subtraction, not that of two different code paths
        f = nudger.outputs_at(np.concatenate(([x], x + hs, x - hs)))
    f0, f_plus, f_minus = f[0], f[1:len(hs) + 1], f[len(hs) + 1:]
    with np.errstate(all="ignore"):
        forward = np.abs((f_plus - f0) / hs - grad)
        central = np.abs((f_plus - f_minus) / (2 * hs) - grad)
    return ErrorSweep(
        index=i, label=graph.values[i].label, grad=grad, hs=hs,
        forward_error=forward, central_error=central,
        best_h_forward=_best(hs, forward), best_h_central=_best(hs, central),
    )


def response_curve(
    graph: GraphModel, i: int, half_width: float | None = None, n: int = 81
) -> tuple[np.ndarray, np.ndarray]:
    """The output as node ``i`` sweeps ``x - half_width .. x + half_width`` (``n`` points).

    The default half width is ``max(1, |x|) / 2``.  With ``n`` odd the middle
    sample is exactly ``x`` (and its output exactly the current output).  A node
    whose value is inf or nan is swept around 0 instead.  Values are restored
    exactly afterwards; gradients are not touched.
    """
    with _Nudger(graph, i) as nudger:
        x = _as_float(nudger.x)
        xs = _sweep_points(x, half_width, n)
        f0 = _as_float(graph.output.data)
        ys = nudger.outputs_at(xs)
        ys[xs == x] = f0  # the current point is exactly the current output
    return xs, ys


def _sweep_points(x: float, half_width: float | None, n: int) -> np.ndarray:
    """``n`` points over ``x - half_width .. x + half_width`` (default half width ``max(1, |x|) / 2``);
    the middle one (``n`` odd) exactly ``x``; a non-finite ``x`` is swept around 0."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    centre = x if math.isfinite(x) else 0.0
    if half_width is None:
        half_width = max(1.0, abs(centre)) * 0.5
    half_width = float(half_width)
    if not (math.isfinite(half_width) and half_width > 0):
        raise ValueError(f"half_width must be a finite positive number, not {half_width!r}")
    with np.errstate(over="ignore"):  # x near the float limit: the far ends are +-inf
        xs = centre + half_width * np.linspace(-1.0, 1.0, n)
    if n % 2:
        xs[n // 2] = centre
    return xs


# -- checking gradients of any function ------------------------------------------------------


def numerical_grad(f: Callable[..., float], xs: Sequence[float], h: float = 1e-6) -> list[float]:
    """Central-difference gradient of ``f(*xs)``, a scalar function of floats, at ``xs``."""
    h = _check_h(h)
    point = [float(x) for x in xs]
    grads = []
    for k, x in enumerate(point):
        plus = point.copy()
        plus[k] = x + h
        minus = point.copy()
        minus[k] = x - h
        grads.append((_as_float(f(*plus)) - _as_float(f(*minus))) / (2 * h))
    return grads


def _argument_names(build: Callable, count: int) -> list[str]:
    try:
        params = list(inspect.signature(build).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = []
    for k in range(count):
        if k < len(params) and params[k].kind in (params[k].POSITIONAL_ONLY, params[k].POSITIONAL_OR_KEYWORD):
            names.append(params[k].name)
        elif params and params[-1].kind == params[-1].VAR_POSITIONAL:
            names.append(f"{params[-1].name}[{k - len(params) + 1}]")
        else:
            names.append(f"x{k}")
    return names


def check_grad(build: Callable[..., Value], *xs: float, tol: float = 1e-5, h: float = 1e-6) -> float:
    """Check backprop's gradients of ``build(*values)`` against central differences at ``xs``.

    ``build`` maps ``Value`` arguments to an output ``Value``.  The error of each
    argument is ``|backprop - numerical| / max(1, |backprop|, |numerical|)``
    (absolute near zero, relative for large gradients).  Raises ``AssertionError``
    naming the first argument whose error exceeds ``tol``; returns the largest error.
    """
    names = _argument_names(build, len(xs))
    args = [Value(float(x), label=name) for x, name in zip(xs, names, strict=True)]
    out = build(*args)
    if not isinstance(out, Value):
        raise TypeError(f"build must return a Value, not {type(out).__name__}")
    out.backward()
    backprop = [_as_float(a.grad) for a in args]

    def f(*floats: float) -> float:
        return build(*(Value(x) for x in floats)).data

    numerical = numerical_grad(f, xs, h)
    worst = 0.0
    for name, x, b, n in zip(names, xs, backprop, numerical, strict=True):
        if b == n or (b != b and n != n):
            continue  # equal, both inf of one sign, or both nan
        error = abs(b - n) / max(1.0, abs(b), abs(n))
        if not error <= tol:  # also catches nan
            raise AssertionError(
                f"gradient of argument {name!r} at {name}={x!r}: backprop gives {b!r}, "
                f"central differences (h={h:g}) give {n!r}; error {error:.3g} > tol {tol:g}"
            )
        worst = max(worst, error)
    return worst


# -- the lecture's first example ---------------------------------------------------------------


def lecture_function(x):
    """``f(x) = 3x**2 - 4x + 5``, on floats or ``Value``s."""
    return 3 * x**2 - 4 * x + 5


class DerivativeExample(NamedTuple):
    """``f(x) = 3x**2 - 4x + 5`` near ``x``: the slope estimate next to the exact slope."""

    x: float
    h: float
    f_x: float  # f(x)
    f_x_plus_h: float  # f(x + h)
    slope: float  # (f(x + h) - f(x)) / h
    exact_slope: float  # 6x - 4


def derivative_example(x: float = 3.0, h: float = 1e-8) -> DerivativeExample:
    """The lecture's first cell: at ``x = 3`` the slope is about 14, and exactly ``6*3 - 4 = 14``."""
    h = _check_h(h)
    f_x = lecture_function(x)
    f_x_plus_h = lecture_function(x + h)
    return DerivativeExample(x, h, f_x, f_x_plus_h, (f_x_plus_h - f_x) / h, 6 * x - 4)


# -- any model that can set one number and report the output --------------------------------------


def nudge_function(
    f: Callable[[float], float], x: float, h: float, grad: float, *, index: int = 0, label: str = ""
) -> NudgeResult:
    """``nudge_probe`` for a model that is not a ``GraphModel``: ``f(v)`` sets the number to ``v``
    and returns the output (then puts it back); ``grad`` is backprop's d(output)/d(number) at ``x``.

    The training core uses it to nudge one weight of a network and watch the loss.
    """
    h = _check_h(h)
    x = _as_float(x)
    f0, f_plus, f_minus = _as_float(f(x)), _as_float(f(x + h)), _as_float(f(x - h))
    return _nudge_result(index, label, x, h, f0, f_plus, f_minus, _as_float(grad))


def function_curve(
    f: Callable[[float], float], x: float, half_width: float | None = None, n: int = 81
) -> tuple[np.ndarray, np.ndarray]:
    """``response_curve`` for any ``f``: ``f`` at ``n`` points over ``x - half_width .. x + half_width``.

    The same range rules: half width ``max(1, |x|) / 2`` by default, the middle sample
    (``n`` odd) exactly ``x``, a non-finite ``x`` swept around 0.
    """
    xs = _sweep_points(_as_float(x), half_width, n)
    return xs, np.array([_as_float(f(v)) for v in xs.tolist()])


def function_error_sweep(
    f: Callable[[float], float], x: float, grad: float, hs: Sequence[float] | np.ndarray | None = None,
    *, index: int = 0, label: str = "",
) -> ErrorSweep:
    """``error_sweep`` for any ``f``: both estimates' errors against ``grad`` for each step in ``hs``."""
    hs = np.array(DEFAULT_SWEEP_HS if hs is None else hs, dtype=float).reshape(-1)
    for h in hs:
        _check_h(h)
    x, grad = _as_float(x), _as_float(grad)
    f0 = _as_float(f(x))
    f_plus = np.array([_as_float(f(x + h)) for h in hs.tolist()])
    f_minus = np.array([_as_float(f(x - h)) for h in hs.tolist()])
    with np.errstate(all="ignore"):
        forward = np.abs((f_plus - f0) / hs - grad)
        central = np.abs((f_plus - f_minus) / (2 * hs) - grad)
    return ErrorSweep(
        index=index, label=label, grad=grad, hs=hs, forward_error=forward, central_error=central,
        best_h_forward=_best(hs, forward), best_h_central=_best(hs, central),
    )
