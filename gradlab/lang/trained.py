"""The networks a program trained, written down as plain data for the network lab.

The lecture's training loop leaves, at the top level of a program, an ``MLP`` (``n = MLP(3, [4,
4, 1])``), its points (``xs = [[2.0, 3.0, -1.0], ...]``) and their targets (``ys = [1.0, -1.0,
...]``).  The program runs in the worker process, so its MLP never reaches the app: ``find_trained``
describes each MLP among the program's top-level names with plain lists and numbers (its layer
sizes, each layer's activation, its parameters in ``MLP.parameters()`` order) and the points that
fit it: the first list of ``nin`` numbers per point (or of numbers, for one input) and the first
list of numbers as long, other than the points.  ``gradlab.labs.handoff`` turns one into the
network lab's settings.

``loss_now`` is the program's loss (the Value ``backward()`` was last called on) recomputed at
the parameters' current data, when its graph reads every one of them: after the loop's last update,
that is the program's own loss at the weights handed over (the data the output holds is from
before that update).  Nothing the program made is changed.
"""

from __future__ import annotations

import math

from gradlab.engine import Value, recompute, topological_order
from gradlab.nn import MLP

__all__ = ["MAX_POINTS", "find_trained"]

#: the most points a description carries (the network lab's datasets hold at most this many)
MAX_POINTS = 100_000
#: the most parameters a description carries: beyond, the network lab could not train it anyway
MAX_PARAMETERS = 100_000


def _is_number(x: object) -> bool:
    if type(x) not in (int, float):
        return False  # a bool is no coordinate
    try:
        return math.isfinite(x)
    except OverflowError:  # an int beyond any float
        return False


def _numbers(x: object) -> list[float] | None:
    """``x`` as a list of finite floats, if it is a non-empty list or tuple of numbers."""
    if type(x) not in (list, tuple) or not x or len(x) > MAX_POINTS or not all(map(_is_number, x)):
        return None
    return [float(v) for v in x]


def _points(x: object, width: int) -> list[list[float]] | None:
    """``x`` as rows of ``width`` floats: a list of such lists, or (one input) a list of numbers."""
    if type(x) not in (list, tuple) or not x or len(x) > MAX_POINTS:
        return None
    if width == 1 and (flat := _numbers(x)) is not None:
        return [[v] for v in flat]
    rows = []
    for row in x:
        numbers = _numbers(row)
        if numbers is None or len(numbers) != width:
            return None
        rows.append(numbers)
    return rows


def _data_for(names: dict[str, object], width: int) -> dict:
    """The first points of ``width`` inputs among ``names`` and the first targets as many."""
    targets = {name: t for name, value in names.items() if (t := _numbers(value)) is not None}
    for xs_name, xs in names.items():
        rows = _points(xs, width)
        if rows is None:
            continue
        for ys_name, ys in targets.items():
            if names[ys_name] is not xs and len(ys) == len(rows):
                return {"xs_name": xs_name, "xs": rows, "ys_name": ys_name, "ys": ys}
    return {"xs_name": "", "xs": [], "ys_name": "", "ys": []}


def _loss_now(output: Value | None, parameters: list[Value]) -> float | None:
    """``output`` recomputed from its leaves' current data (see the module), or None when it does
    not read every parameter; every Value is left as it was."""
    if output is None or not parameters:
        return None
    order = topological_order(output)
    seen = {id(v) for v in order}
    if not all(id(p) in seen for p in parameters):
        return None
    kept = [v.data for v in order]
    try:
        for v in order:
            recompute(v)
        now = output.data
    except Exception:  # noqa: BLE001 -- a domain error in a copy-free recompute: no number
        now = None
    finally:
        for v, data in zip(order, kept, strict=True):
            v.data = data
    return float(now) if isinstance(now, (int, float)) else None


def describe(name: str, net: MLP, names: dict[str, object], output: Value | None) -> dict:
    """One MLP as plain data: see the module's docstring."""
    layers = net.layers
    sizes = [len(layers[0].neurons[0].w)] + [len(layer.neurons) for layer in layers]
    activations = [layer.neurons[0].activation for layer in layers]
    mixed = any(n.activation != a
                for layer, a in zip(layers, activations, strict=True) for n in layer.neurons)
    params = net.parameters()
    return {"name": name, "sizes": sizes, "activations": activations, "mixed_activations": mixed,
            "parameters": [float(p.data) for p in params],
            "loss_now": _loss_now(output, params), **_data_for(names, sizes[0])}


def find_trained(names: dict[str, object], output: Value | None = None) -> list[dict]:
    """Every ``MLP`` among a program's top-level ``names`` (in the order they were first bound),
    described as plain data with the points that fit it; ``output`` is the Value the program last
    called ``backward()`` on (None: it called none)."""
    found = []
    for name, value in names.items():
        if type(value) is not MLP:
            continue
        try:
            if 0 < len(value.parameters()) <= MAX_PARAMETERS:
                found.append(describe(name, value, names, output))
        except (AttributeError, IndexError, TypeError, ValueError, OverflowError):
            continue  # an MLP the program took apart: nothing to hand over
    return found
