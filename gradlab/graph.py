"""The computation graph of a Value, as data a view can draw and a slider can drive.

``GraphModel(root)`` freezes the structure of ``root``'s graph (its nodes in
topological order, parents and children by index, the role of every node); its
layered drawing is computed the first time a view asks for it, once per graph
(orientations share the costly part).  Values can then change freely:
``set_data`` re-evaluates only what lies downstream of the changed node and
reports which nodes changed, and ``backward`` refills the gradients, so a
slider drag costs a few microseconds per affected node and never a relayout.

Drawing rows: rows ``0 .. n-1`` are the value nodes (row ``i`` is
``values[i]``); rows ``n ..`` are op nodes, drawn between an op's operands and
its result, as in micrograd's ``draw_dot``.  ``op_row[i]`` is the op row of
value ``i`` (``-1`` for a leaf).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from gradlab.engine import Value, recompute, topological_order

if TYPE_CHECKING:  # networkx and the layout load when a caller first needs them, not with the model
    import networkx as nx

    from gradlab.layout import Drawing, Layout, count_crossings

__all__ = ["ROLES", "Drawing", "GraphModel", "count_crossings", "display_names", "to_networkx"]
#: names re-exported from gradlab.layout, which is imported on first use (a trainer or a probe
#: that never draws its graph does not load it)
_FROM_LAYOUT = ("Drawing", "count_crossings")


def __getattr__(name: str) -> object:
    if name in _FROM_LAYOUT:
        import gradlab.layout

        return getattr(gradlab.layout, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

ROLES = ("input", "parameter", "constant", "intermediate", "output")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


class GraphModel:
    """The frozen structure of ``root``'s graph with live values, roles and a drawing."""

    #: the calls that made its nodes (gradlab.call_groups.CallGroups), where known
    call_groups = None
    #: the groups drawn collapsed (gradlab.call_groups.FoldedGraph): none here
    collapsed: frozenset[int] = frozenset()

    def __init__(self, root: Value, parameters: Iterable[Value] = (),
                 lines: Mapping[int, int] | None = None) -> None:
        """``lines``: id(Value) -> the program line that made it (``Program.bindings``), if known."""
        self.output = root
        self.values: list[Value] = topological_order(root)
        self.index: dict[int, int] = {id(v): i for i, v in enumerate(self.values)}
        self.parents: list[tuple[int, ...]] = [tuple(self.index[id(p)] for p in v._prev) for v in self.values]
        self.children: list[list[int]] = [[] for _ in self.values]
        for i, ps in enumerate(self.parents):
            for p in ps:
                self.children[p].append(i)
        param_ids = {id(p) for p in parameters}
        self.roles: list[str] = [self._role(v, param_ids) for v in self.values]
        n = len(self.values)
        op_row = np.full(n, -1, dtype=np.int64)
        ops = [i for i, v in enumerate(self.values) if v._prev]
        op_row[ops] = np.arange(n, n + len(ops))
        self.op_row = op_row
        self._downstream: dict[int, list[int]] = {}
        #: True while every .grad is d(output)/d(node) for the current values, as backward() left
        #: them; set_data clears it, and so must anyone who edits gradients by hand
        self.gradients_current = False
        #: the program line that made each node, 0 where unknown: a named node's from ``lines``,
        #: an unnamed one's (``a * b`` inside ``d = a * b + 1``) the earliest line it feeds
        self.lines: list[int] = _lines_of(self.values, self.children, lines or {})
        self._names: list[str] | None = None
        self._layout: Layout | None = None
        self._chosen: tuple[tuple, Drawing] | None = None  # the last drawing_for's answer

    # -- drawing, computed when a view first asks ---------------------------------------------

    def layout(self) -> Layout:
        """The orientation-free layered layout, computed on first use."""
        if self._layout is None:
            from gradlab.layout import Layout

            self._layout = Layout(self.parents, self.op_row)
        return self._layout

    @property
    def drawing(self) -> Drawing:
        """The left-to-right drawing (micrograd's ``draw_dot`` direction)."""
        return self.layout().drawing(None)

    def drawing_for(self, aspect: float | None, room: tuple[float, float] | None = None) -> Drawing:
        """The drawing that suits a view of ``aspect`` = width / height (and ``room``: see
        ``Layout.drawing``)."""
        if self._chosen is None or self._chosen[0] != (aspect, room):  # the choice measures every candidate
            self._chosen = ((aspect, room), self.layout().drawing(aspect, room=room))
        return self._chosen[1]

    # -- names ----------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """Each node's display name: its label, numbered ``c₁ c₂ c₃`` where a label is reused."""
        if self._names is None:
            self._names = display_names([v.label for v in self.values], self.lines)
        return self._names

    def _role(self, v: Value, param_ids: set[int]) -> str:
        if v is self.output:
            return "output"
        if v._prev:
            return "intermediate"
        if id(v) in param_ids:
            return "parameter"
        return "input" if v.label else "constant"

    def __len__(self) -> int:
        return len(self.values)

    # -- calls folded (gradlab.call_groups.FoldedGraph draws some as one node) -------------------

    @property
    def full(self) -> GraphModel:
        """The whole graph this one draws (itself: nothing is folded here)."""
        return self

    def group_of(self, i: int) -> int:
        """The call group node ``i`` stands for, collapsed; -1 for a node of the graph itself."""
        return -1

    def run_backward(self, i: int) -> None:
        """Node ``i``'s ``_backward`` (one chain-rule step, accumulating)."""
        self.values[i]._backward()

    def find(self, label: str) -> int | None:
        """The index of the node named ``label``: ``c`` is the name's last node, ``c@2`` (or
        ``c₂``) its second, counting as the display names do."""
        names = self.names
        if label in names:
            return names.index(label)
        base, at, k = label.rpartition("@")
        if at and k.isdigit():
            if f"{base}{k.translate(_SUBSCRIPT)}" in names:
                return names.index(f"{base}{k.translate(_SUBSCRIPT)}")
            return names.index(base) if k == "1" and base in names else None
        found = [i for i, v in enumerate(self.values) if v.label == label]
        return max(found, key=lambda i: (self.lines[i], i)) if found else None

    def nodes_on_line(self, line: int) -> list[int]:
        """The nodes the program made on ``line`` (1-based)."""
        return [i for i, k in enumerate(self.lines) if k == line] if line > 0 else []

    def local_gradients(self, i: int) -> list[float]:
        """d(node i)/d(parent) for each of node ``i``'s parents (an operand used twice: the sum),
        from the engine's own backward rule; no gradient is left changed."""
        v = self.values[i]
        parents = v._prev
        saved = [p.grad for p in parents], v.grad
        for p in parents:
            p.grad = 0.0
        v.grad = 1.0
        v._backward()
        local = [p.grad for p in parents]
        for p, g in zip(parents, saved[0], strict=True):
            p.grad = g
        v.grad = saved[1]
        return local

    def input_indices(self) -> list[int]:
        return [i for i, r in enumerate(self.roles) if r == "input"]

    def downstream(self, i: int) -> list[int]:
        """Indices of every node that depends on node ``i`` (not ``i`` itself), in topological order."""
        cached = self._downstream.get(i)
        if cached is None:
            seen: set[int] = set()
            stack = list(self.children[i])
            while stack:
                j = stack.pop()
                if j not in seen:
                    seen.add(j)
                    stack.extend(self.children[j])
            cached = self._downstream[i] = sorted(seen)
        return cached

    def set_data(self, i: int, data: float) -> list[int]:
        """Set node ``i``'s data, re-evaluate what lies downstream; return the indices that changed.

        Works for any node: setting an intermediate node overrides its value until
        its parents change or ``recompute_all`` runs (that is what a nudge needs).
        """
        v = self.values[i]
        if _same(v.data, data):
            return []
        v.data = data
        self.gradients_current = False
        changed = [i]
        values = self.values
        for j in self.downstream(i):
            w = values[j]
            old = w.data
            if not _same(old, recompute(w)):
                changed.append(j)
        return changed

    def set_many(self, updates: Mapping[int, float]) -> list[int]:
        """Set several nodes' data at once and re-evaluate downstream once; return the changed indices.

        One pass over the nodes after the first changed one, in topological order, so
        moving all 10,000 inputs of a program costs one forward pass, not 10,000.  A
        node in ``updates`` keeps the value given, even if one of its parents changed
        too (an override, as ``set_data`` on an intermediate node).
        """
        values, parents = self.values, self.parents
        dirty: set[int] = set()
        for i, data in updates.items():
            v = values[i]
            if not _same(v.data, data):
                v.data = data
                dirty.add(i)
        if not dirty:
            return []
        self.gradients_current = False
        for j in range(min(dirty) + 1, len(values)):
            if j in updates or not any(p in dirty for p in parents[j]):
                continue
            w = values[j]
            old = w.data
            if not _same(old, recompute(w)):
                dirty.add(j)
        return sorted(dirty)

    def recompute_all(self) -> None:
        """A full forward pass over the frozen structure."""
        for v in self.values:
            recompute(v)

    def backward(self) -> None:
        """Refill every gradient with d(output)/d(node), reusing the frozen topological order."""
        values = self.values
        for v in values:
            v.grad = 0.0
        self.output.grad = 1.0
        for v in reversed(values):
            v._backward()
        self.gradients_current = True

    def ensure_gradients(self) -> None:
        """``backward()``, unless the gradients already belong to the current values."""
        if not self.gradients_current:
            self.backward()

    def path_to_output(self, i: int) -> list[int]:
        """Every node on some path from node ``i`` to the output, ``i`` and the output included."""
        if i == len(self.values) - 1:
            return [i]
        # nodes downstream of i that are also upstream of the output: all of them, as the
        # graph is the output's graph; keep i first for the caller's convenience
        return [i, *self.downstream(i)]

    def to_networkx(self) -> nx.DiGraph:
        """The graph with current values: see the module-level ``to_networkx``."""
        import networkx as nx  # only here: nothing else in gradlab needs it

        g = nx.DiGraph()
        for i, v in enumerate(self.values):
            g.add_node(("value", i), kind="value", label=v.label, data=v.data, grad=v.grad,
                       op=v._op, role=self.roles[i])
            if v._prev:
                g.add_node(("op", i), kind="op", label=v._op, op=v._op, role="op")
                g.add_edge(("op", i), ("value", i))
                for p in self.parents[i]:
                    g.add_edge(("value", p), ("op", i))
        pos = self.drawing.pos
        for i in range(len(self.values)):
            g.nodes["value", i]["pos"] = tuple(pos[i])
            if self.op_row[i] >= 0:
                g.nodes["op", i]["pos"] = tuple(pos[self.op_row[i]])
        return g

    def to_graphml(self) -> str:
        """The graph as GraphML text (Gephi, yEd and networkx read it): nodes ``value3``/``op3``
        with ``kind``, ``label``, ``data``, ``grad``, ``op``, ``role``, ``x`` and ``y``."""
        import networkx as nx

        g = self.to_networkx()
        out = nx.DiGraph()
        for key, attrs in g.nodes(data=True):
            x, y = attrs.pop("pos")
            attrs = {k: float(v) if k in ("data", "grad") else v for k, v in attrs.items()}
            out.add_node(f"{key[0]}{key[1]}", **attrs, x=float(x), y=float(y))
        out.add_edges_from((f"{a[0]}{a[1]}", f"{b[0]}{b[1]}") for a, b in g.edges)
        return "\n".join(nx.generate_graphml(out)) + "\n"


def to_networkx(root: Value, parameters: Iterable[Value] = ()) -> nx.DiGraph:
    """``root``'s graph as a ``networkx.DiGraph``.

    Value nodes are keyed ``("value", i)`` with ``i`` the topological index, and
    carry ``label``, ``data``, ``grad``, ``op``, ``role`` (one of ``ROLES``) and
    ``pos`` (the layered layout).  Each computed value has an op node
    ``("op", i)`` between its operands and itself, as in micrograd's ``draw_dot``.
    An operand used twice (``a + a``) gives one edge; ``GraphModel.parents`` keeps both.
    """
    return GraphModel(root, parameters).to_networkx()


def _lines_of(values: list[Value], children: list[list[int]], known: Mapping[int, int]) -> list[int]:
    lines = [known.get(id(v), 0) for v in values]
    for i in range(len(values) - 1, -1, -1):  # children first: an unnamed node takes theirs
        if not lines[i]:
            fed = [lines[c] for c in children[i] if lines[c]]
            lines[i] = min(fed) if fed else 0
    return lines


def display_names(labels: list[str], lines: list[int] | None = None) -> list[str]:
    """Labels made unambiguous: a label on several nodes gets ``₁ ₂ ₃ …`` in the order the
    program made them (by ``lines``, then topological order); unique labels stay as they are."""
    lines = lines or [0] * len(labels)
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        if label:
            groups.setdefault(label, []).append(i)
    names = list(labels)
    for label, members in groups.items():
        if len(members) > 1:
            for k, i in enumerate(sorted(members, key=lambda i: (lines[i], i)), start=1):
                names[i] = f"{label}{str(k).translate(_SUBSCRIPT)}"
    return names


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)  # nan counts as unchanged nan
