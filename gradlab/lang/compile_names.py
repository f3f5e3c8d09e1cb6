"""Compile names and assignment targets: loads, stores and unpacking, by scope."""

from __future__ import annotations

import ast
from collections.abc import Callable

from gradlab.lang.objects import USER_DUNDERS, Frame, Instance, Refusal
from gradlab.lang.runtime import Run
from gradlab.lang.scopes import (
    _BINOPS,
    _EXPRESSION_MESSAGES,
    _OTHER_OPS,
    Closure,
    Scope,
    check_attribute,
    check_name,
)


class NameCompiler:
    """Loads of and stores into names, attributes and items (a mixin of the compiler)."""

    run: Run

    def name_load(self, node: ast.Name, scope: Scope, calling: bool = False) -> Closure:
        name = node.id
        builtins, kind = self.run.builtins, scope.kind
        if name[:2] == "__" and not (kind == "class" and name in USER_DUNDERS):
            check_name(name, node, False)  # a class body may name its own dunders: __radd__ = __add__

        def missing() -> Refusal:  # spelled only when needed: compiling is on the hot path too
            message = f"'{name}' is not available here" if calling else f"name '{name}' is not defined"
            return Refusal(node, message)

        if kind == "module" or name in scope.globals:  # (a function's globals are not its names)
            g = self.run.globals

            def load_global(frame: Frame) -> object:
                try:
                    return g[name]
                except KeyError:
                    pass
                try:
                    return builtins[name]
                except KeyError:
                    raise missing() from None

            return load_global
        if kind == "function" and name in scope.names:

            def load_local(frame: Frame) -> object:
                try:
                    return frame.locals[name]
                except KeyError:
                    raise Refusal(node, f"name '{name}' is used before it is assigned") from None

            return load_local
        own = kind in ("class", "comp")

        def load_free(frame: Frame) -> object:
            if own and name in frame.locals:
                return frame.locals[name]
            for names in frame.chain:
                if name in names:
                    return names[name]
            try:
                return builtins[name]
            except KeyError:
                raise missing() from None

        return load_free

    def name_store(
        self, node: ast.Name, scope: Scope, variable: bool = True
    ) -> Callable[[Frame, object], None]:
        """Storing into a name; ``variable`` false for imports, functions and classes (no label, no line)."""
        name, line, run = node.id, node.lineno, self.run
        if not (scope.kind == "class" and name in USER_DUNDERS):  # a class's own dunder methods
            check_name(name, node, True)
        if scope.kind == "module" or name in scope.globals:
            bind = run.bind_global if variable else run.globals.__setitem__
            if not variable:
                return lambda frame, value: bind(name, value)

            def store_global(frame: Frame, value: object) -> None:
                bind(name, value, line)

            return store_global
        if name in scope.nonlocals:

            def store_nonlocal(frame: Frame, value: object) -> None:
                for names in frame.chain[:-1]:
                    if name in names:
                        names[name] = value
                        return
                raise Refusal(node, f"no enclosing function has a variable '{name}'")

            return store_nonlocal

        def store_local(frame: Frame, value: object) -> None:
            frame.locals[name] = value

        return store_local

    def target(self, node: ast.expr, scope: Scope) -> Callable[[Frame, object], None]:
        kind = type(node)
        if kind is ast.Name:
            return self.name_store(node, scope)
        if kind is ast.Attribute:
            check_attribute(node.attr, node)
            obj, name = self.expr(node.value, scope), node.attr
            setattr_, alloc = self.run.setattr, self.run.alloc

            def store_attribute(frame: Frame, value: object) -> None:
                o = obj(frame)
                if type(o) is Instance:  # self.data = x: Run.setattr's first case, inline
                    attrs = o.attrs
                    if name not in attrs:
                        alloc(1, node)
                    attrs[name] = value
                else:
                    setattr_(o, name, value, node)

            return store_attribute
        if kind is ast.Subscript:
            obj, key, setitem = self.expr(node.value, scope), self.expr(node.slice, scope), self.run.setitem

            def store_item(frame: Frame, value: object) -> None:
                setitem(obj(frame), key(frame), value, node)

            return store_item
        if kind in (ast.Tuple, ast.List):
            star = next((i for i, t in enumerate(node.elts) if type(t) is ast.Starred), None)
            stores = [self.target(t.value if i == star else t, scope) for i, t in enumerate(node.elts)]
            n, unpack = len(node.elts), self.run.unpack

            def store_unpacked(frame: Frame, value: object) -> None:
                for store, x in zip(stores, unpack(value, n, node, star), strict=True):
                    store(frame, x)

            return store_unpacked
        raise Refusal(node, _EXPRESSION_MESSAGES.get(kind, "this can't be assigned to here"))

    def binop_name(self, op: ast.operator, node: ast.AST) -> str:
        if type(op) in _BINOPS:
            return _BINOPS[type(op)]
        raise Refusal(node, f"the '{_OTHER_OPS.get(type(op), '?')}' operator is not supported here")
