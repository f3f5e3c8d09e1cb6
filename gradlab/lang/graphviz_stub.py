"""gradlab's stand-in ``graphviz``: a ``Digraph`` that records nodes and edges, so that the
lecture's own ``trace``/``draw_dot`` run as written.

A program's ``draw_dot(root)`` (the lecture's: a record node named ``str(id(n))`` for each
Value ``n``, an op node and edges to it) chooses the graph's output as the built-in
``draw_dot(root)`` does: once the Digraph has exactly one record node that no edge leaves,
that node's Value is the output (the Value whose ``id`` gives the node's name, found by walking
the graphs of the Values the program holds).  Nothing is rendered: gradlab's graph view shows
the Value itself.  ``render``/``view`` do nothing; ``source`` is the DOT text.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from gradlab.engine import Value
from gradlab.lang.arguments import arguments
from gradlab.lang.objects import Builtin, Instance, Method, Module, Refusal, StandIn, describe

if TYPE_CHECKING:
    from gradlab.lang.runtime import Run

#: the Digraph methods a program may call (the rest are refused by name)
DIGRAPH_METHODS = ("node", "edge", "edges", "attr", "render", "view")
#: a Digraph holds at most this many nodes and edges together
MAX_ELEMENTS = 200_000


class ValueFinder:
    """The Values a run holds, by the text of their ``id``: what a node named ``str(id(n))``
    names.  Walks the graphs of the Values bound to the program's global names (and held in
    its global lists and tuples) and of the gradlab Values the run made, when asked for a name
    it has not seen, each node once."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.found: dict[str, object] = {}  # holds what it found, so no id is reused meanwhile
        self.seen: set[int] = set()
        self.missed: set[str] = set()

    def find(self, name: str, node: ast.AST | None) -> object:
        v = self.found.get(name)
        if v is None and name not in self.missed:
            self._walk(node)
            v = self.found.get(name)
            if v is None:
                self.missed.add(name)
        return v

    def _id_text(self, x: object, node: ast.AST | None) -> str:
        id_builtin = self.run.builtins.get("id")  # the program's own id(), whatever it answers
        if type(id_builtin) is Builtin:
            return str(id_builtin.impl(self.run, node, [x], {}))
        return str(id(x))

    def _walk(self, node: ast.AST | None) -> None:
        run = self.run
        stack = [run.drawn, run.last_value, run.backward_output]
        for x in list(run.globals.values()):
            stack.extend(x if type(x) in (list, tuple) else (x,))
        stack.extend(getattr(run, "made", ()))  # gradlab's Values, made in a function's scope too
        seen, found = self.seen, self.found
        while stack:
            x = stack.pop()
            t = type(x)
            if t is Value:
                children = x._prev
            elif t is Instance and "data" in x.attrs:
                children = x.attrs.get("_prev", ())
                if type(children) not in (set, tuple, list):
                    children = ()
            else:
                continue
            if id(x) in seen:
                continue
            seen.add(id(x))
            found[self._id_text(x, node)] = x
            stack.extend(children)
        run.check_time(node)


class Digraph(StandIn):
    """``graphviz.Digraph(...)``: its keyword arguments are kept; nodes and edges recorded."""

    __slots__ = ("finder", "options", "records", "ops", "edge_list", "sinks", "tails", "before", "graph")
    description = "a Digraph"

    def __init__(self, run: Run, finder: ValueFinder, options: dict, graph: str = "digraph") -> None:
        self.finder, self.options, self.graph = finder, options, graph
        self.records: dict[str, str] = {}  # name -> label of a node drawn as a record (a Value)
        self.ops: dict[str, str] = {}  # name -> label of every other node
        self.edge_list: list[tuple[str, str]] = []
        self.sinks: set[str] = set()  # record nodes no edge leaves: the output, once there is one
        self.tails: set[str] = set()
        self.before = run.drawn  # the output chosen before this Digraph

    # -- what a program calls --------------------------------------------------------------

    def attribute(self, run: Run, name: str, node: ast.AST | None) -> object:
        if name in DIGRAPH_METHODS:
            return Method(self, name, _digraph_method)
        if name == "source":
            return self.source(run, node)
        if name in ("format", "engine", "name", "comment", "filename"):
            return self.options.get(name)
        if name in ("graph_attr", "node_attr", "edge_attr"):
            return dict(self.options.get(name) or {})
        raise Refusal(
            node,
            f"'.{name}' is not part of gradlab's stand-in Digraph: it has "
            f"{', '.join(DIGRAPH_METHODS)} and source",
        )

    def text(self, run: Run, node: ast.AST | None) -> str:
        kind = "Digraph" if self.graph == "digraph" else "Graph"
        return f"<graphviz.graphs.{kind} object at {id(self):#x}>"

    def str_text(self, run: Run, node: ast.AST | None) -> str:
        return self.source(run, node)

    # -- recording -------------------------------------------------------------------------

    def add_node(self, run: Run, node: ast.AST | None, name: str, label: str | None, attrs: dict) -> None:
        self._count(run, node)
        text = name if label is None else label
        if attrs.get("shape") == "record" or name.isdigit():
            self.records[name] = text
            if name not in self.tails:
                self.sinks.add(name)
        else:
            self.ops[name] = text
        self.settle(run, node)

    def add_edge(self, run: Run, node: ast.AST | None, tail: str, head: str) -> None:
        self._count(run, node)
        self.edge_list.append((tail, head))
        self.tails.add(tail)
        self.sinks.discard(tail)
        self.settle(run, node)

    def _count(self, run: Run, node: ast.AST | None) -> None:
        if len(self.records) + len(self.ops) + len(self.edge_list) >= MAX_ELEMENTS:
            raise Refusal(node, f"a Digraph here holds at most {MAX_ELEMENTS:,} nodes and edges")
        run.alloc(1, node)

    def settle(self, run: Run, node: ast.AST | None) -> None:
        """Choose the run's output as draw_dot(root) does: the one Value no edge leaves."""
        root = None
        if len(self.sinks) == 1:
            (name,) = self.sinks
            root = self.finder.find(name, node)
        run.drawn = root if root is not None else self.before

    def source(self, run: Run, node: ast.AST | None) -> str:
        """The DOT text graphviz would write (without its quoting rules), measured before it is
        made: a million nodes of long labels would be gigabytes of text."""
        names = {**self.records, **self.ops}
        size = sum(len(a) + len(b) + 12 for a, b in (*names.items(), *self.edge_list))
        run.sized(size, node)
        arrow = "->" if self.graph == "digraph" else "--"
        lines = [f"{self.graph} {{"]
        for key, value in (self.options.get("graph_attr") or {}).items():
            lines.append(f"\t{run.str(key, node)}={run.str(value, node)}")
        for name, label in names.items():
            lines.append(f'\t{name} [label="{label}"]')
        lines.extend(f"\t{a} {arrow} {b}" for a, b in self.edge_list)
        return "\n".join(lines) + "\n}\n"


def _text(run: Run, node: ast.AST | None, x: object, what: str) -> str:
    if type(x) is not str:
        raise Refusal(node, f"{what} needs text, not {describe(x)}")
    return x


def _named(node: ast.AST, what: str, args: list, kwargs: dict, names: tuple[str, str]) -> list:
    """The two leading arguments of ``node``/``edge``, given by position or by name."""
    if len(args) > 2:
        raise Refusal(node, f"{what}() takes at most 2 arguments by position here, not {len(args)}")
    out = [*args, None, None][:2]
    for i, key in enumerate(names):
        if key in kwargs:
            if i < len(args):
                raise Refusal(node, f"{what}() got two values for '{key}'")
            out[i] = kwargs[key]
    return out


def _digraph_method(run: Run, node: ast.AST, dot: Digraph, name: str, args: list, kwargs: dict) -> object:
    if name == "node":
        node_name, label = _named(node, "node", args, kwargs, ("name", "label"))
        label = None if label is None else _text(run, node, label, "node()'s label")
        dot.add_node(run, node, _text(run, node, node_name, "node()'s name"), label, kwargs)
    elif name == "edge":
        tail, head = _named(node, "edge", args, kwargs, ("tail_name", "head_name"))
        dot.add_edge(run, node, _text(run, node, tail, "edge()"), _text(run, node, head, "edge()"))
    elif name == "edges":
        (pairs,) = arguments(node, "edges", args, kwargs, 1, 1)
        for pair in run.collect(pairs, node):
            if type(pair) not in (tuple, list) or len(pair) != 2:
                raise Refusal(node, f"edges() needs pairs of names, not {describe(pair)}")
            tail, head = (_text(run, node, end, "edges()") for end in pair)
            dot.add_edge(run, node, tail, head)
    # attr, render and view: gradlab's graph view draws the Values themselves
    return None


def _make(graph: str, finder: ValueFinder):
    def make(run: Run, node: ast.AST, args: list, kwargs: dict) -> Digraph:
        if len(args) > 1:
            raise Refusal(node, f"{graph.capitalize()}() takes at most a name and keyword options here")
        options = dict(kwargs)
        if args:
            options["name"] = args[0]
        for key in ("graph_attr", "node_attr", "edge_attr"):
            attrs = options.get(key)
            if attrs is not None and (type(attrs) is not dict or len(attrs) > 100):
                raise Refusal(node, f"{key}= needs a dict of a few settings, like {{'rankdir': 'LR'}}")
        return Digraph(run, finder, options, graph)

    return make


def graphviz_module(run: Run) -> Module:
    """The ``graphviz`` module a program imports: ``Digraph`` (and ``Graph``), one finder per run."""
    finder = ValueFinder(run)
    return Module(
        "graphviz",
        {
            "Digraph": Builtin("Digraph", _make("digraph", finder), Digraph),
            "Graph": Builtin("Graph", _make("graph", finder), Digraph),
        },
    )
