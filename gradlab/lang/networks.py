"""gradlab's networks (Neuron, Layer, MLP) in a program: calling one, and what it shows."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import numpy as np

from gradlab.engine import Value
from gradlab.lang.arguments import arguments, no_options
from gradlab.lang.call_records import CallRecord
from gradlab.lang.objects import MISSING, Method, Refusal, check_network, describe, is_number
from gradlab.nn import MLP, Layer, Neuron

if TYPE_CHECKING:
    from gradlab.lang.runtime import Run

#: the fields each kind of network shows a program
_FIELDS = {Neuron: ("w", "b", "nonlin"), Layer: ("neurons",), MLP: ("layers",)}


def call_network(run: Run, node: ast.AST, net: object, args: list, kwargs: dict) -> object:
    """Calling a Neuron, Layer or MLP: on a list of numbers and Values (or one of them)."""
    no_options(node, type(net).__name__, kwargs)
    check_network(net, node)
    if len(args) != 1:
        raise Refusal(node, f"a {type(net).__name__} takes one argument: its inputs")
    (x,) = args
    if type(x) is np.ndarray:
        x = x.tolist()
    xs = [x] if (type(x) is Value or is_number(x)) else run.collect(x, node)
    for xi in xs:
        if not (type(xi) is Value or is_number(xi)) or type(xi) is bool:
            raise Refusal(node, f"a network's inputs are numbers or Values, not {describe(xi)}")
    if isinstance(net, MLP) and type(x) is not list and len(xs) == 1:
        xs = xs[0]
    top = run.call_top
    run.call_top = run.last_call = CallRecord(node, top, None, "__call__")  # its Values fold as one call
    try:
        return run.track_result(net(xs), node)
    except ValueError as e:
        raise Refusal(node, f"these inputs don't fit this {type(net).__name__} ({e})") from None
    finally:
        run.call_top = top


def m_network(run: Run, node: ast.AST, obj: object, name: str, args: list, kwargs: dict) -> object:
    arguments(node, name, args, kwargs, 0, 0)
    check_network(obj, node)
    out = getattr(obj, name)()
    if type(out) is list:
        run.alloc(len(out), node)
    return out


def network_attribute(net: object, name: str) -> object:
    """A field a network shows, or one of its methods; MISSING for anything else."""
    if name in _FIELDS[type(net)]:
        return getattr(net, name)
    if name in ("parameters", "zero_grad"):
        return Method(net, name, m_network)
    return MISSING
