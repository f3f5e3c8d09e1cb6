"""What the compiler knows before anything runs: operator tables, scopes and name rules."""

from __future__ import annotations

import ast
from collections.abc import Callable

from gradlab.lang.objects import USER_DUNDERS, Frame, Refusal

Closure = Callable[[Frame], object]

_BINOPS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
    ast.Mod: "%",
    ast.FloorDiv: "//",
}
_OTHER_OPS = {
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}
_CMPOPS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_STATEMENT_MESSAGES = {
    ast.AnnAssign: "type annotations are not supported here",
    ast.AsyncFor: "'async' is not supported here",
    ast.AsyncFunctionDef: "'async' is not supported here",
    **{
        kind: f"'{word}' is not supported here"
        for kind, word in (
            (ast.With, "with"),
            (ast.AsyncWith, "with"),
            (ast.Try, "try"),
            (ast.TryStar, "try"),
            (ast.Delete, "del"),
            (ast.Raise, "raise"),
            (ast.Match, "match"),
        )
    },
}
_EXPRESSION_MESSAGES = {
    ast.NamedExpr: "':=' is not supported here",
    ast.Starred: "'*' unpacking is not supported here",
    ast.Await: "'await' is not supported here",
    ast.Yield: "'yield' is not supported here",
    ast.YieldFrom: "'yield' is not supported here",
}
_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Scope:
    """What the compiler knows of one scope: its kind and the names it binds."""

    __slots__ = ("kind", "names", "globals", "nonlocals", "parent")

    def __init__(
        self,
        kind: str,
        names: set[str],
        parent: Scope | None,
        globals_: set[str] = frozenset(),
        nonlocals: set[str] = frozenset(),
    ) -> None:
        self.kind, self.names, self.parent = kind, names, parent
        self.globals, self.nonlocals = globals_, nonlocals


def check_name(name: str, node: ast.AST, storing: bool) -> None:
    if name.startswith("__"):
        if storing:
            raise Refusal(node, f"names starting with '__' are not allowed here ('{name}')")
        raise Refusal(node, f"'{name}' is not available here")


def check_attribute(name: str, node: ast.AST) -> None:
    # dunder attributes are how sandboxes are escaped: only a class's own dunder methods are allowed
    if name.startswith("__") and name not in USER_DUNDERS:
        raise Refusal(node, f"'{name}' is not available here")


def bound_names(body: list[ast.stmt], params: tuple[str, ...]) -> tuple[set, set, set]:
    """The names a function body binds (its locals), and those it declares global / nonlocal."""
    names, globals_, nonlocals = set(params), set(), set()
    stack: list[ast.AST] = list(body)
    while stack:
        n = stack.pop()
        kind = type(n)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            names.add(n.name)
            if kind is ast.ClassDef:
                stack.extend(n.bases)
            else:
                stack.extend(n.args.defaults)
                stack.extend(d for d in n.args.kw_defaults if d is not None)
            continue
        if kind is ast.Lambda:
            stack.extend(n.args.defaults)
            continue
        if kind in _COMPREHENSIONS:
            stack.append(n.generators[0].iter)
            continue
        if kind is ast.Name and type(n.ctx) is not ast.Load:
            names.add(n.id)
        elif kind is ast.Global:
            globals_.update(n.names)
        elif kind is ast.Nonlocal:
            nonlocals.update(n.names)
        elif kind in (ast.Import, ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
        stack.extend(ast.iter_child_nodes(n))
    return names - globals_ - nonlocals, globals_, nonlocals


def comprehension_names(generators: list[ast.comprehension]) -> set[str]:
    return {n.id for g in generators for n in ast.walk(g.target) if type(n) is ast.Name}


def handlers(cls: type, prefix: str) -> dict[type, Callable]:
    """``ast`` node type -> the method of ``cls`` (or of its mixins) named ``prefix`` + its name."""
    n = len(prefix)
    return {getattr(ast, name[n:]): getattr(cls, name) for name in dir(cls) if name.startswith(prefix)}
