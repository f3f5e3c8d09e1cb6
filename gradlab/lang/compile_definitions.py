"""Compile the statements that bind a name to something made: ``import``, ``def`` and ``class``."""

from __future__ import annotations

import ast

from gradlab.lang.modules import import_module, import_names
from gradlab.lang.objects import USER_DUNDERS, Class, Frame, Function, Refusal, Signature
from gradlab.lang.runtime import Run
from gradlab.lang.scopes import Closure, Scope, bound_names, check_name


class DefinitionCompiler:
    """Imports, functions and classes (a mixin of the compiler)."""

    run: Run

    def s_Import(self, node: ast.Import, scope: Scope, in_loop: bool) -> Closure:
        stores = []
        for alias in node.names:
            module = import_module(self.run, alias.name, node)
            if "." in alias.name and alias.asname is None:
                raise Refusal(node, f"write it as 'import {alias.name} as {alias.name.split('.')[-1][:3]}'")
            stores.append(
                (
                    module,
                    self.name_store(
                        ast.Name(
                            alias.asname or alias.name,
                            ast.Store(),
                            lineno=node.lineno,
                            col_offset=node.col_offset,
                        ),
                        scope,
                        False,
                    ),
                )
            )

        def import_(frame: Frame) -> None:
            for module, store in stores:
                store(frame, module)

        return import_

    def s_ImportFrom(self, node: ast.ImportFrom, scope: Scope, in_loop: bool) -> Closure:
        values = import_names(self.run, node)
        stores = [
            (
                value,
                self.name_store(
                    ast.Name(name, ast.Store(), lineno=node.lineno, col_offset=node.col_offset), scope, False
                ),
            )
            for name, value in values
        ]

        def import_from(frame: Frame) -> None:
            for value, store in stores:
                store(frame, value)

        return import_from

    def s_FunctionDef(self, node: ast.FunctionDef, scope: Scope, in_loop: bool) -> Closure:
        self.run.straight_line = False
        if node.decorator_list:
            raise Refusal(node.decorator_list[0], "decorators are not supported here")
        if scope.kind == "class" and node.name in USER_DUNDERS:
            pass
        elif node.name.startswith("__"):
            raise Refusal(node, f"'{node.name}' can't be defined here")
        make = self.function(node, node.args, node.body, scope, node.name)
        store = self.name_store(
            ast.Name(node.name, ast.Store(), lineno=node.lineno, col_offset=node.col_offset), scope, False
        )

        def define(frame: Frame) -> None:
            store(frame, make(frame))

        return define

    def function(
        self, node: ast.AST, args: ast.arguments, body: list[ast.stmt], scope: Scope, name: str
    ) -> Closure:
        """A closure making the Function of a ``def`` or ``lambda`` when it runs."""
        params = tuple(a.arg for a in (*args.posonlyargs, *args.args))
        kwonly = tuple(a.arg for a in args.kwonlyargs)
        vararg = args.vararg.arg if args.vararg else None
        kwarg = args.kwarg.arg if args.kwarg else None
        every = (*params, *kwonly, *(n for n in (vararg, kwarg) if n))
        for p in every:
            check_name(p, node, True)
        if len(set(every)) != len(every):
            raise Refusal(node, "a parameter name appears twice")
        names, globals_, nonlocals = bound_names(body, every)
        inner = Scope("function", names, scope, globals_, nonlocals)
        block = self.block(body, inner, False)
        signature = Signature(params, vararg, kwonly, kwarg)
        defaults = tuple(self.expr(d, scope) for d in args.defaults)
        kwdefaults = {
            a.arg: self.expr(d, scope)
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
            if d is not None
        }
        in_class, run = scope.kind == "class", self.run

        if not defaults and not kwdefaults:  # def _backward(): made once per node in the lecture's Value

            def make_plain(frame: Frame) -> Function:
                run.alloc(8, node)
                return Function(name, signature, (), {}, block,
                                frame.chain if in_class else (frame.locals, *frame.chain))

            return make_plain

        def make(frame: Frame) -> Function:
            chain = frame.chain if in_class else (frame.locals, *frame.chain)
            run.alloc(8, node)
            return Function(
                name,
                signature,
                tuple(d(frame) for d in defaults),
                {k: d(frame) for k, d in kwdefaults.items()},
                block,
                chain,
            )

        return make

    def s_ClassDef(self, node: ast.ClassDef, scope: Scope, in_loop: bool) -> Closure:
        self.run.straight_line = False
        if node.decorator_list:
            raise Refusal(node.decorator_list[0], "decorators are not supported here")
        if node.keywords:
            raise Refusal(node.keywords[0], "class keywords (like metaclass=) are not supported here")
        check_name(node.name, node, True)
        bases = [self.expr(b, scope) for b in node.bases]
        inner = Scope("class", set(), scope)
        body = self.block(node.body, inner, False)
        store = self.name_store(
            ast.Name(node.name, ast.Store(), lineno=node.lineno, col_offset=node.col_offset), scope, False
        )
        in_class, run = scope.kind == "class", self.run

        def define(frame: Frame) -> None:
            classes = []
            for b, base in zip(bases, node.bases, strict=True):
                c = b(frame)
                if type(c) is not Class:
                    raise Refusal(base, "a class can only build on classes defined in this program")
                classes.append(c)
            ns: dict[str, object] = {}
            chain = frame.chain if in_class else (frame.locals, *frame.chain)
            body(Frame(ns, chain))
            run.alloc(8 + len(ns), node)
            cls = Class(node.name, tuple(classes), ns)
            for v in ns.values():
                if type(v) is Function and v.owner is None:
                    v.owner = cls
            store(frame, cls)

        return define
