"""A graph folded by call: each call of a program's own function or method drawn as one node.

TensorBoard groups a graph by name scope; gradlab groups it by the calls that made it
(``Program.calls``, ``Program.call_of``: gradlab.lang.call_records).  ``CallGroups`` says
which nodes of a ``GraphModel`` each call made (a call's group holds the groups of the calls
it made), the group's outputs (its nodes that feed a node outside it) and its result (the last
output: what the call returned, for a call that returns one Value).

``FoldedGraph`` is the graph as drawn with some groups collapsed: each collapsed group is one
node (its result Value, named by the call's label, with no op circle, its role "call"); a leaf
that only feeds collapsed groups and is not one of the program's inputs (a parameter, a
constant) is drawn inside them; everything else is drawn as it is.  It is a ``GraphModel``
over the same Value objects, so the canvas, the inspector, the sliders, the probe and the
step-through work on it unchanged: changing a value re-evaluates the whole graph (``full``),
and a collapsed node's ``_backward`` runs the ``_backward`` of every node inside it at once
(``run_backward``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import numpy as np

from gradlab.canvas_view import COMFORTABLE
from gradlab.graph import GraphModel, display_names
from gradlab.lang.program import CallInfo

__all__ = ["FOLD_ABOVE", "CallGroups", "FoldedGraph", "enclosing_group", "opening_view", "with_collapsed"]

#: a graph with more value nodes than this does not read at fit in a 1280x720 window (39 do:
#: tests/ui/common/test_graph_canvas_fit.py): it opens with its calls collapsed
FOLD_ABOVE = 40
#: a graph up to this size is laid out to see whether the view reads it whole before it is folded
READ_WHOLE_UP_TO = 150


def _within(label: str, outer: str) -> str:
    """``label`` without the part it shares with the enclosing call's ``outer``, cut at a dot:
    ``n.layers[0].neurons[2](x)`` in ``n.layers[0](x)`` is ``.neurons[2](x)``."""
    k = 0
    for a, b in zip(label, outer, strict=False):
        if a != b:
            break
        k += 1
    while k > 0 and (k >= len(label) or label[k] != "."):
        k -= 1
    return label[k:] if k > 0 else label


class CallGroups:
    """The calls that made a graph's nodes, as groups of node indices (see the module's
    docstring).  Only calls that made at least one computed node (not only leaves) form a group."""

    def __init__(self, graph: GraphModel, calls: list[CallInfo], call_of: Mapping[int, int],
                 named: Collection[int] = ()) -> None:
        """``named``: id(Value) of the program's inputs (``Program.inputs``, the Values with a
        slider): drawn even when only collapsed calls read them."""
        self.named = frozenset(named)
        members: list[list[int]] = [[] for _ in calls]
        innermost = [call_of.get(id(v), -1) for v in graph.values]
        for i, c in enumerate(innermost):
            while c >= 0:
                members[c].append(i)
                c = calls[c].parent
        keep = [any(graph.parents[i] for i in m) for m in members]
        number = np.cumsum(keep) - 1
        kept = [c for c in range(len(calls)) if keep[c]]
        #: each group's enclosing group (-1: none), label, line and nodes (ascending)
        self.parent: list[int] = [self._kept_parent(calls, keep, number, c) for c in kept]
        self.labels: list[str] = [calls[c].label for c in kept]
        self.lines: list[int] = [calls[c].line for c in kept]
        self.members: list[list[int]] = [members[c] for c in kept]
        #: each node's groups, outermost first
        self.chain: list[tuple[int, ...]] = [() for _ in graph.values]
        for g in range(len(kept)):
            for i in self.members[g]:
                self.chain[i] = (*self.chain[i], g)  # groups come outermost first (parents first)
        last = len(graph) - 1
        self.outputs: list[list[int]] = []
        for m in self.members:
            inside = set(m)
            self.outputs.append([i for i in m if i == last or not inside.issuperset(graph.children[i])])
        #: the node a collapsed group shows: its last output
        self.result: list[int] = [max(out) if out else m[-1] for out, m in zip(self.outputs, self.members,
                                                                                strict=True)]
        self.depth: list[int] = [self._depth(g) for g in range(len(kept))]
        #: names as drawn: a label without its enclosing call's object (``.neurons[2](x)`` inside
        #: ``n.layers[0](x)``), numbered where calls of one enclosing call read the same (n(x)₁)
        self.names: list[str] = self._names()

    @staticmethod
    def _kept_parent(calls: list[CallInfo], keep: list[bool], number: np.ndarray, c: int) -> int:
        p = calls[c].parent
        while p >= 0 and not keep[p]:
            p = calls[p].parent
        return int(number[p]) if p >= 0 else -1

    def _names(self) -> list[str]:
        short = [_within(label, self.labels[p]) if p >= 0 else label
                 for label, p in zip(self.labels, self.parent, strict=True)]
        siblings: dict[tuple[int, str], list[int]] = {}
        for g, name in enumerate(short):
            siblings.setdefault((self.parent[g], name), []).append(g)
        names = list(short)
        for same in siblings.values():
            if len(same) > 1:
                numbered = display_names([short[g] for g in same], [self.lines[g] for g in same])
                for g, name in zip(same, numbered, strict=True):
                    names[g] = name
        return names

    def _depth(self, g: int) -> int:
        d, p = 0, self.parent[g]
        while p >= 0:
            d, p = d + 1, self.parent[p]
        return d

    def __len__(self) -> int:
        return len(self.labels)

    def outermost(self) -> list[int]:
        return [g for g in range(len(self)) if self.parent[g] < 0]


def with_collapsed(graph: GraphModel, collapsed: Iterable[int]) -> GraphModel:
    """``graph`` (folded or not) drawn with the call groups ``collapsed`` collapsed (none: the
    whole graph)."""
    full, collapsed = graph.full, frozenset(collapsed)
    if not collapsed or full.call_groups is None:
        return full
    return FoldedGraph(full, full.call_groups, collapsed)


def enclosing_group(graph: GraphModel, i: int) -> int:
    """The innermost expanded call group that holds node ``i`` of ``graph`` (a node of the graph,
    or a collapsed call inside it): what a second click on it collapses; -1 for none."""
    groups = graph.full.call_groups
    if groups is None or not 0 <= i < len(graph):
        return -1
    at = graph.full.index.get(id(graph.values[i]))
    if at is None:
        return -1
    chain = groups.chain[at]
    own = graph.group_of(i)
    if own >= 0:
        chain = chain[: chain.index(own)]  # the groups around the collapsed call
    return next((g for g in reversed(chain) if g not in graph.collapsed), -1)


def opening_view(graph: GraphModel, view: tuple = (None, None)) -> GraphModel:
    """What a graph opens as: with every call collapsed if it is made by calls and too big to
    read at fit in a view of shape ``view`` (``(aspect, room)``, GraphCanvas.view_shape; without
    one: more than FOLD_ABOVE nodes); else the graph itself."""
    groups = graph.full.call_groups
    if groups is None or not len(groups) or len(graph) <= FOLD_ABOVE:
        return graph
    if len(graph) <= READ_WHOLE_UP_TO and _readable_at_fit(graph, *view):
        return graph  # a big window reads it whole: nothing to fold
    return FoldedGraph(graph, groups, range(len(groups)))


def _readable_at_fit(graph: GraphModel, aspect: float | None, room: tuple[float, float] | None) -> bool:
    """Whether ``graph``'s drawing fits the view with its text at least readable."""
    if room is None:
        return False
    x0, y0, x1, y1 = graph.drawing_for(aspect, room).extent()
    # room is measured at the comfortable text size; readable text is COMFORTABLE times smaller
    return x1 - x0 <= room[0] * COMFORTABLE and y1 - y0 <= room[1] * COMFORTABLE


class FoldedGraph(GraphModel):
    """``full`` drawn with the groups ``collapsed`` as one node each (see the module's docstring)."""

    def __init__(self, full: GraphModel, groups: CallGroups, collapsed: Iterable[int]) -> None:  # noqa: D107
        # GraphModel.__init__ is not called: the structure is the units', read off ``full``
        self._full, self.groups, self.collapsed = full, groups, frozenset(collapsed)
        unit = self._units()
        order, parents_of = self._unit_order(unit)
        at = {u: k for k, u in enumerate(order)}
        #: the node of ``full`` each node here shows (a collapsed group: its result)
        self.full_index: list[int] = [u if u >= 0 else groups.result[~u] for u in order]
        #: node here -> the collapsed group it is, for collapsed nodes
        self.group_at: dict[int, int] = {k: ~u for k, u in enumerate(order) if u < 0}
        self.output = full.output
        self.values = [full.values[i] for i in self.full_index]
        self.index = {id(v): k for k, v in enumerate(self.values)}
        self.parents = [tuple(at[p] for p in parents_of[u]) for u in order]
        self.children = [[] for _ in order]
        for k, ps in enumerate(self.parents):
            for p in ps:
                self.children[p].append(k)
        n = len(order)
        self.roles = [full.roles[i] if k not in self.group_at else "call"
                      for k, i in enumerate(self.full_index)]
        op_row = np.full(n, -1, dtype=np.int64)
        ops = [k for k in range(n) if self.parents[k] and k not in self.group_at]
        op_row[ops] = np.arange(n, n + len(ops))
        self.op_row = op_row
        self.lines = [groups.lines[self.group_at[k]] if k in self.group_at else full.lines[i]
                      for k, i in enumerate(self.full_index)]
        self._downstream: dict[int, list[int]] = {}
        self._names = [groups.names[self.group_at[k]] if k in self.group_at else full.names[i]
                       for k, i in enumerate(self.full_index)]
        self._layout = None
        self._chosen = None

    def _units(self) -> list[int]:
        """Each node's unit: itself (>= 0), ``~g`` for the outermost collapsed group ``g`` that
        holds it, or None for a leaf drawn inside the collapsed groups it feeds (_quiet_leaf)."""
        full, collapsed = self._full, self.collapsed
        unit: list = []
        for i, chain in enumerate(self.groups.chain):
            unit.append(next((~g for g in chain if g in collapsed), i))
        for i in range(len(unit)):
            if unit[i] == i and self._quiet_leaf(i) and full.children[i] and all(
                    unit[c] < 0 for c in full.children[i]):
                unit[i] = None
        return unit

    def _quiet_leaf(self, i: int) -> bool:
        """A leaf that is not one of the program's inputs (a parameter, a constant): drawn into a
        collapsed call only from inside it, so a neuron's weights, shown for the call expanded,
        draw no line to every other collapsed call that reads them."""
        full = self._full
        return not full.parents[i] and id(full.values[i]) not in self.groups.named

    def _unit_order(self, unit: list) -> tuple[list[int], dict[int, tuple[int, ...]]]:
        """The units in topological order (depth first from the output, operands in order, as
        ``topological_order`` visits a graph) and each unit's operands (units)."""
        full = self._full
        parents_of: dict[int, list[int]] = {}
        for i, u in enumerate(unit):
            if u is None:
                continue
            if u >= 0:
                parents_of[u] = [unit[p] for p in full.parents[i]]
                continue
            ps = parents_of.setdefault(u, [])
            for p in full.parents[i]:
                q = unit[p]
                if q is not None and q != u and q not in ps and not self._quiet_leaf(p):
                    ps.append(q)
        root = unit[len(full) - 1]
        order: list[int] = []
        seen = {root}
        stack = [(root, iter(parents_of[root]))]
        while stack:
            u, it = stack[-1]
            for p in it:
                if p not in seen:
                    seen.add(p)
                    stack.append((p, iter(parents_of[p])))
                    break
            else:
                stack.pop()
                order.append(u)
        return order, {u: tuple(ps) for u, ps in parents_of.items()}

    # -- the whole graph behind the drawn one -------------------------------------------------

    @property
    def full(self) -> GraphModel:
        return self._full

    @property
    def gradients_current(self) -> bool:  # the whole graph's
        return self._full.gradients_current

    @gradients_current.setter
    def gradients_current(self, value: bool) -> None:
        self._full.gradients_current = value

    def group_of(self, i: int) -> int:
        return self.group_at.get(i, -1)

    def _shown(self, changed: list[int]) -> list[int]:
        """The nodes here that show one of ``changed`` (indices of ``full``)."""
        hit = set(changed)
        return [k for k, i in enumerate(self.full_index) if i in hit]

    def set_data(self, i: int, data: float) -> list[int]:
        return self._shown(self._full.set_data(self.full_index[i], data))

    def set_many(self, updates: Mapping[int, float]) -> list[int]:
        return self._shown(self._full.set_many({self.full_index[i]: x for i, x in updates.items()}))

    def recompute_all(self) -> None:
        self._full.recompute_all()

    def backward(self) -> None:
        self._full.backward()

    def run_backward(self, i: int) -> None:
        """Node ``i``'s ``_backward``; a collapsed call's: every node inside it, in turn."""
        g = self.group_at.get(i)
        if g is None:
            self.values[i]._backward()
            return
        values = self._full.values
        for m in reversed(self.groups.members[g]):
            values[m]._backward()

    def local_gradients(self, i: int) -> list[float]:
        """d(node i)/d(operand) for each operand; a collapsed call's through every node inside it
        (an operand that is a collapsed call: the sum over the nodes of it the call reads)."""
        g = self.group_at.get(i)
        if g is None:
            return self._full.local_gradients(self.full_index[i])
        full, members = self._full, self.groups.members[g]
        inside = set(members)
        feeding = sorted({p for m in members for p in full.parents[m] if p not in inside})
        touched = [full.values[j] for j in (*members, *feeding)]
        saved = [v.grad for v in touched]
        for v in touched:
            v.grad = 0.0
        full.values[self.full_index[i]].grad = 1.0
        for m in reversed(members):
            full.values[m]._backward()
        by_unit: dict[int, float] = {}
        unit_of = {self.full_index[k]: k for k in range(len(self.values))}
        for p in feeding:
            k = unit_of.get(p, self._unit_holding(p))
            by_unit[k] = by_unit.get(k, 0.0) + full.values[p].grad
        for v, grad in zip(touched, saved, strict=True):
            v.grad = grad
        return [by_unit.get(k, 0.0) for k in self.parents[i]]

    def _unit_holding(self, p: int) -> int:
        """The node here that holds node ``p`` of ``full`` (a collapsed group), or -1."""
        for k, g in self.group_at.items():
            if p in self.groups.members[g]:
                return k
        return -1

