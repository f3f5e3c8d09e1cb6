"""Which call of a program's own function or method made each Value: what folds a big graph.

While a program runs, ``Run.call_top`` is the innermost call of one of its functions or methods
that is going on (a ``CallRecord``, None at the top level); each Value the run makes is marked
with it (``Value._call``; an object of a program's class: ``Instance.call``).  A call counts
when it is one a learner reads as a step of the computation: ``n(x)``, ``layer(x)``,
``loss(ys)``, ``model.forward(x)``; not ``__init__`` or other dunders but ``__call__``, not
``_backward``, and not a method of a program's own Value class (its ops are the graph's nodes).

At the end of the run, ``call_table`` turns the marks of the graph shown into plain data for
``Program.calls`` and ``Program.call_of``: each call's label as the learner would write it
(``n.layers[0].neurons[2](x)``: the call's text, its object named by the path from the
enclosing call's object), the enclosing call, and the line.
"""

from __future__ import annotations

import ast

from gradlab.engine import Value, topological_order
from gradlab.lang.objects import Instance
from gradlab.lang.program import CallInfo

__all__ = ["CallRecord", "call_table", "counts"]

#: the longest label a call gets (its text is cut with … past it)
MAX_LABEL = 60


class CallRecord:
    """One call of a program's function or method: the call's syntax ``node``, the enclosing
    counted call (``parent``), the object whose method ran (``callee``, None for a function) and
    the function's ``name``."""

    __slots__ = ("node", "parent", "callee", "name")

    def __init__(self, node: ast.AST, parent: CallRecord | None, callee: object, name: str) -> None:
        self.node, self.parent, self.callee, self.name = node, parent, callee, name


def counts(name: str, owner: object, args: list) -> bool:
    """Whether a call of function ``name`` (a method of ``owner``'s class when ``owner`` is not
    None) with ``args`` counts as a call the graph can fold (see the module's docstring)."""
    if name != "__call__" and name.startswith("_"):
        return False
    if owner is not None and args:
        me = args[0]
        return not (type(me) is Instance and "_prev" in me.attrs and "data" in me.attrs)
    return True


def call_table(output: Value | None, source_lines: list[str]) -> tuple[list[CallInfo], dict[int, int]]:
    """The calls that made ``output``'s graph, outermost first, and id(Value) -> the innermost
    call that made it (Values made at the top level are not listed)."""
    if output is None:
        return [], {}
    index: dict[int, int] = {}
    records: list[CallRecord] = []
    call_of: dict[int, int] = {}
    for v in topological_order(output):
        rec = getattr(v, "_call", None)
        if rec is None:
            continue
        call_of[id(v)] = _number(rec, index, records)
    text = "\n".join(source_lines)
    labels = _Labels(text)
    calls = [CallInfo(labels.of(r), -1 if r.parent is None else index[id(r.parent)],
                      getattr(r.node, "lineno", 0) or 0) for r in records]
    return calls, call_of


def _number(rec: CallRecord, index: dict[int, int], records: list[CallRecord]) -> int:
    """``rec``'s number, numbering it and its enclosing calls first where they have none."""
    chain = []
    r: CallRecord | None = rec
    while r is not None and id(r) not in index:
        chain.append(r)
        r = r.parent
    for r in reversed(chain):  # outermost first: a call's number is above its parent's
        index[id(r)] = len(records)
        records.append(r)
    return index[id(rec)]


class _Labels:
    """Each call's label: its text, the object it calls named by its path from the enclosing
    call's object where one holds it (``n.layers[0].neurons[2](x)``)."""

    def __init__(self, text: str) -> None:
        self.lines = [line.encode("utf-8") for line in text.split("\n")]  # ast counts columns in bytes
        self.paths: dict[int, str] = {}  # id(CallRecord) -> the name of its callee

    def segment(self, node: ast.AST | None) -> str:
        """``node``'s source text (``ast.get_source_segment`` without splitting the whole source
        again for every node)."""
        try:
            l0, l1 = node.lineno - 1, node.end_lineno - 1
            c0, c1 = node.col_offset, node.end_col_offset
            lines = self.lines
            if l0 == l1:
                return lines[l0][c0:c1].decode("utf-8", "replace")
            return b"\n".join([lines[l0][c0:], *lines[l0 + 1:l1], lines[l1][:c1]]).decode("utf-8", "replace")
        except (AttributeError, TypeError, IndexError):
            return ""

    def of(self, rec: CallRecord) -> str:
        node = rec.node
        whole = self.segment(node)
        if type(node) is not ast.Call:
            return _short(whole or f"{rec.name}(…)")
        func = self.segment(node.func)
        args = whole[len(func):] if whole.startswith(func) else "(…)"
        callee = self.callee_name(rec)
        if callee and rec.name == "__call__":
            return _short(callee + args)
        if callee and type(node.func) is ast.Attribute:
            return _short(f"{callee}.{node.func.attr}{args}")
        return _short(whole or f"{rec.name}(…)")

    def callee_name(self, rec: CallRecord) -> str:
        """How the learner would name ``rec``'s callee: as the enclosing call's callee's
        attribute (``n.layers[0]``), else as the call's text names it; "" for a function."""
        if rec.callee is None or type(rec.node) is not ast.Call:
            return ""
        known = self.paths.get(id(rec))
        if known is not None:
            return known
        func = rec.node.func
        text = self.segment(func.value if type(func) is ast.Attribute and rec.name != "__call__" else func)
        parent = rec.parent
        if parent is not None and parent.callee is rec.callee:  # self.forward(x) in n(x)
            text = self.callee_name(parent) or text
        elif parent is not None and type(parent.callee) is Instance:
            at = _path_in(parent.callee, rec.callee)
            base = self.callee_name(parent) if at else ""
            if at and base:
                text = base + at
        self.paths[id(rec)] = text
        return text


def _path_in(owner: Instance, target: object) -> str:
    """``.attr`` or ``.attr[k]`` where ``owner`` holds ``target``; "" if it does not directly."""
    for name, value in owner.attrs.items():
        if value is target:
            return f".{name}"
        if type(value) in (list, tuple) and len(value) <= 10_000:
            for k, item in enumerate(value):
                if item is target:
                    return f".{name}[{k}]"
    return ""


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"
