"""Compile calls: ``f(a, b)``, ``obj.m(*xs, **kw)``, ``super()`` and ``lambda``."""

from __future__ import annotations

import ast

from gradlab.lang.objects import Frame, Refusal, Super
from gradlab.lang.runtime import Run
from gradlab.lang.scopes import (
    Closure,
    Scope,
    check_attribute,
    check_name,
)


class CallCompiler:
    """Calls and lambdas (a mixin of the compiler)."""

    run: Run

    def e_Call(self, node: ast.Call, scope: Scope, depth: int) -> Closure:
        func, run = node.func, self.run
        if not node.keywords and ast.Starred not in map(type, node.args):  # f(a, b), o.m(a, b)
            if type(func) is ast.Name and func.id != "super":
                return self.plain_call(node, func, scope, depth)
            if type(func) is ast.Attribute:
                return self.plain_method_call(node, func, scope, depth)
        args = self.elements(node.args, scope, depth) if node.args else (lambda frame: [])
        keywords = [(k.arg, self.expr(k.value, scope, depth)) for k in node.keywords]
        for name, _ in keywords:
            if name is not None:
                check_name(name, node, True)
        kwargs = self.keywords(keywords, node) if keywords else None
        if type(func) is ast.Name and func.id == "super" and not node.args and not keywords:
            return self.super_call(node, scope)
        if type(func) is ast.Attribute:
            check_attribute(func.attr, func)
            obj, name, call_method = self.expr(func.value, scope, depth), func.attr, run.call_method
            if kwargs is None:
                return lambda frame: call_method(obj(frame), name, args(frame), None, node)
            return lambda frame: call_method(obj(frame), name, args(frame), kwargs(frame), node)
        if type(func) is ast.Name:
            target = self.name_load(func, scope, calling=True)
        else:
            target = self.expr(func, scope, depth)
        call = run.call
        named = func.id if type(func) is ast.Name else None

        def call_(frame: Frame) -> object:
            f = target(frame)
            try:
                return call(f, args(frame), kwargs(frame) if kwargs else None, node)
            except Refusal as r:
                raise self.not_a_function(r, node, named) from None

        return call_

    @staticmethod
    def not_a_function(r: Refusal, node: ast.Call, named: str | None) -> Refusal:
        """A call's refusal as reported: naming the function when a named thing can't be called."""
        if named is not None and r.node is node and r.message.endswith(" is not a function"):
            return Refusal(node.func, f"'{named}' is not a function")
        return r

    def positional(self, elts: list[ast.expr], scope: Scope, depth: int) -> Closure:
        """A closure giving the list of a call's positional arguments, none of them ``*xs``."""
        parts = [self.expr(e, scope, depth) for e in elts]
        if not parts:
            return lambda frame: []
        if len(parts) == 1:
            (only,) = parts
            return lambda frame: [only(frame)]
        return lambda frame: [p(frame) for p in parts]

    def plain_call(self, node: ast.Call, func: ast.Name, scope: Scope, depth: int) -> Closure:
        """``f(a, b)``: a named function, positional arguments only.  This and plain_method_call
        are e_Call's general case with fewer closures: a top-level statement runs once, so its
        compiling is on a straight-line program's path."""
        args = self.positional(node.args, scope, depth)
        target, call, named = self.name_load(func, scope, calling=True), self.run.call, func.id

        def call_args(frame: Frame) -> object:
            f = target(frame)
            try:
                return call(f, args(frame), None, node)
            except Refusal as r:
                raise self.not_a_function(r, node, named) from None

        return call_args

    def plain_method_call(self, node: ast.Call, func: ast.Attribute, scope: Scope, depth: int) -> Closure:
        """``obj.name(a, b)``, positional arguments only (see plain_call)."""
        args = self.positional(node.args, scope, depth)
        check_attribute(func.attr, func)
        obj, name, call_method = self.expr(func.value, scope, depth), func.attr, self.run.call_method

        def method_call(frame: Frame) -> object:
            return call_method(obj(frame), name, args(frame), None, node)

        return method_call

    def keywords(self, keywords: list, node: ast.Call) -> Closure:
        run = self.run

        def kwargs(frame: Frame) -> dict:
            out = {}
            for name, value in keywords:
                if name is None:
                    more = value(frame)
                    if type(more) is not dict or not all(type(k) is str for k in more):
                        raise Refusal(node, f"'**' needs a dict of names, not {run.repr(more, node)}")
                    for k in more:
                        check_name(k, node, True)
                    out.update(more)
                else:
                    out[name] = value(frame)
            return out

        return kwargs

    def super_call(self, node: ast.Call, scope: Scope) -> Closure:
        if scope.kind != "function" or scope.parent is None or scope.parent.kind != "class":
            raise Refusal(node, "super() works only inside a method here")

        def super_(frame: Frame) -> Super:
            fn = frame.func
            if not fn.params or fn.owner is None:
                raise Refusal(node, "super() needs a method with 'self'")
            return Super(fn.owner, frame.locals[fn.params[0]])

        return super_

    def e_Lambda(self, node: ast.Lambda, scope: Scope, depth: int) -> Closure:
        self.run.straight_line = False
        body = [ast.Return(node.body, lineno=node.lineno, col_offset=node.col_offset)]
        return self.function(node, node.args, body, scope, "<lambda>")
