"""Backprop by hand, one node at a time, as the lecture does it: what each step does and says.

``step_order(graph)`` is the order ``backward()`` visits the nodes that have something to pass
on: every node with parents, the output first, in reverse topological order.  Leaves take no
step: they have no ``_backward`` to run.  ``run_step(graph, node)`` runs node's ``_backward()``
and writes the chain-rule line of each of its parents with the numbers it used, the way the
lecture writes them::

    a.grad += b.data × e.grad = (-3.0)(-2.0) = 6.0
    n.grad += (1 - o.data²) × o.grad = (0.5)(1.0) = 0.5

The local derivative's formula comes from the op: the unary ops' rows (gradlab.ops, ``rule``)
and, for the engine's binary ops, the table below; its number from the engine's own backward
rule (``GraphModel.local_gradients``) and what it added from the gradients themselves, so a line
can never disagree with what the step did.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradlab import ops
from gradlab.engine import rule_name, safe_pow
from gradlab.graph import GraphModel
from gradlab.numfmt import format_number
from gradlab.ops import safe_log

__all__ = ["Step", "node_name", "run_step", "step_order"]

#: d(node)/d(operand k) of the engine's binary ops, by rule name: ``{0}``/``{1}`` name the
#: operands, ``{out}`` the node, ``{n}`` and ``{n_1}`` the constant exponent and one less
_BINARY_RULES: dict[str, tuple[str, ...]] = {
    "+": ("1", "1"),
    "*": ("{1}.data", "{0}.data"),
    "**n": ("{n} × {0}.data^{n_1}",),
    "**": ("{1}.data × {0}.data^({1}.data - 1)", "{out}.data × log({0}.data)"),
}


@dataclass(frozen=True)
class Step:
    """One node's ``_backward``: the node, the parents it passes its grad to (an operand used
    twice appears twice: it is added to twice), and the lines that say so."""

    node: int
    parents: tuple[int, ...]
    lines: tuple[str, ...]


def step_order(graph: GraphModel) -> list[int]:
    """The nodes backward() runs ``_backward`` on, in its order: non-leaves, output first (a
    collapsed call whose inputs are all inside it too: its nodes have rules to run)."""
    return [i for i in range(len(graph) - 1, -1, -1) if graph.parents[i] or graph.group_of(i) >= 0]


def _formulas(graph: GraphModel, node: int) -> list[str]:
    v = graph.values[node]
    names = [node_name(graph, j) for j in graph.parents[node]]
    out = node_name(graph, node)
    if graph.group_of(node) >= 0:  # a collapsed call: its nodes' rules, composed
        return [f"d({out})/d({name})" for name in names]
    rule = rule_name(v._grad_fn)
    if rule in _BINARY_RULES:
        n = v._arg
        fields = {"out": out, "n": _exponent(n), "n_1": _exponent(n - 1) if n is not None else ""}
        return [f.format(*names, **fields) for f in _BINARY_RULES[rule]]
    row = ops.UNARY_BY_LABEL.get(v._op)
    text = row.rule if row is not None and row.rule else "d{out}/d{x}"
    return [text.format(x=names[0], out=out)]


def run_step(graph: GraphModel, node: int) -> Step:
    """Run node ``node``'s ``_backward`` (the engine's rule, nothing else) and say what it did:
    for each use of each operand, the formula, its numbers and what it added."""
    v = graph.values[node]
    parents = graph.parents[node]
    local = _local_per_use(graph, node)
    running = {j: graph.values[j].grad for j in parents}  # each parent's grad before this step
    graph.run_backward(node)  # a collapsed call's: every node inside it
    out, g = node_name(graph, node), v.grad
    twice = len(running) < len(parents)
    lines = []
    for k, (j, formula, d) in enumerate(zip(parents, _formulas(graph, node), local, strict=True)):
        name, start, last_use = node_name(graph, j), running[j], j not in parents[k + 1:]
        # the engine's own result; an operand used twice: each use's share by the formula
        now = graph.values[j].grad if last_use else start + d * g
        added = d * g if twice else now - start
        running[j] = now
        if formula == "1":
            line = f"{name}.grad += {out}.grad = {_short(added)}"
        else:
            line = f"{name}.grad += {formula} × {out}.grad = ({_short(d)})({_short(g)}) = {_short(added)}"
        if start != 0:
            line += f", so {name}.grad = {_short(now)}"
        lines.append(line)
    return Step(node, parents, tuple(lines))


def _local_per_use(graph: GraphModel, node: int) -> list[float]:
    """The local derivative for each use of each operand.  ``local_gradients`` sums the uses of
    an operand used twice (``a * a``: 2a); each use adds its own share (a, then a)."""
    parents = graph.parents[node]
    local = graph.local_gradients(node)
    if len(set(parents)) == len(parents):
        return local
    v = graph.values[node]
    rule = rule_name(v._grad_fn)
    if rule == "+":
        return [1.0, 1.0]
    if rule == "*":
        a, b = v._prev
        return [b.data, a.data]
    b, e = v._prev  # b ** b
    return [e.data * safe_pow(b.data, e.data - 1), v.data * safe_log(b.data)]


def node_name(graph: GraphModel, i: int) -> str:
    """The node's name; an unnamed one as the expression that made it, where that is short
    (``(a * b)``, ``tanh(n)``, ``Value(2.0)``), else its number in the graph (``#12``)."""
    name = graph.names[i]
    if name:
        return name
    v, parents = graph.values[i], graph.parents[i]
    if not parents:
        return f"Value({_short(v.data)})"
    operands = [graph.names[j] for j in parents]
    if not all(operands):
        return f"#{i}"
    if len(operands) == 2:
        return f"({operands[0]} {v._op} {operands[1]})"
    if v._op.startswith("**"):
        return f"{operands[0]}{v._op}"
    return f"{v._op}({operands[0]})"


def _exponent(n: float | int | None) -> str:
    return str(n) if type(n) is int else _short(n)


def _short(x: float | None) -> str:
    return "" if x is None else format_number(x, short=True)
