"""Compile a program's ``ast`` tree into Python closures, once, before it runs.

Each statement becomes ``s(frame) -> None | BREAK | CONTINUE | RETURN`` and each
expression ``e(frame) -> value``; a closure only moves values between frames and
calls the rules of :class:`gradlab.lang.runtime.Run`.  Anything the language does not
have is refused here, before a line runs, with the place it is at: so a refused
construct is refused even on a line that would never run.  Every block checks the
time budget before each statement; names starting with ``__`` are refused wherever
they appear, except the dunder methods a class may define (objects.USER_DUNDERS).
"""

from __future__ import annotations

import ast

from gradlab.lang.compile_definitions import DefinitionCompiler
from gradlab.lang.expressions import ExpressionCompiler
from gradlab.lang.objects import (
    BREAK,
    CONTINUE,
    RETURN,
    Frame,
    Refusal,
)
from gradlab.lang.runtime import Run
from gradlab.lang.scopes import (
    _BINOPS,
    _STATEMENT_MESSAGES,
    _UNARY,
    Closure,
    Scope,
    check_attribute,
    check_name,
    handlers,
)

__all__ = ["_BINOPS", "_UNARY", "Compiler", "Scope"]


class Compiler(ExpressionCompiler, DefinitionCompiler):
    """Compiles one program for one run (closures hold the run and its limits)."""

    def __init__(self, run: Run) -> None:
        self.run = run

    def module(self, tree: ast.Module) -> Closure:
        """The program: each top-level statement is compiled when the run reaches it, so a program
        stopped early (by a limit) costs only what it ran, and refusals come in line order.  A
        top-level statement runs once, so compiling it is on the hot path of straight-line
        code: the common shapes (a name assigned, a named function called) compile short."""
        scope, run, statement = Scope("module", set(), None), self.run, self.statement
        clock, deadline, timeout = run.clock, run.deadline, run.timeout

        def module(frame: Frame) -> None:
            for node in tree.body:
                run.current = node
                if clock() > deadline:
                    timeout(node)
                statement(node, scope, False)(frame)

        return module

    # -- statements ------------------------------------------------------------------------

    def block(self, stmts: list[ast.stmt], scope: Scope, in_loop: bool) -> Closure:
        pairs = tuple((s, self.statement(s, scope, in_loop)) for s in stmts)
        run = self.run
        clock, deadline, timeout = run.clock, run.deadline, run.timeout

        def block(frame: Frame) -> object:
            for node, s in pairs:
                run.current = node
                if clock() > deadline:
                    timeout(node)
                ended = s(frame)
                if ended is not None:
                    return ended
            return None

        return block

    def statement(self, node: ast.stmt, scope: Scope, in_loop: bool) -> Closure:
        method = _STATEMENTS.get(type(node))
        if method is None:
            raise Refusal(node, _STATEMENT_MESSAGES.get(type(node), "this statement is not supported here"))
        return method(self, node, scope, in_loop)

    def s_Expr(self, node: ast.Expr, scope: Scope, in_loop: bool) -> Closure:
        value = self.expr(node.value, scope)

        def expression(frame: Frame) -> None:
            value(frame)

        return expression

    def s_Pass(self, node: ast.Pass, scope: Scope, in_loop: bool) -> Closure:
        return lambda frame: None

    def s_Assign(self, node: ast.Assign, scope: Scope, in_loop: bool) -> Closure:
        value = self.expr(node.value, scope)
        first = node.targets[0]
        if type(first) is ast.Name and len(node.targets) == 1 and scope.kind == "module":  # the common case
            name, line, bind = first.id, first.lineno, self.run.bind_global
            if name[:2] == "__":
                check_name(name, first, True)

            def assign_global(frame: Frame) -> None:
                bind(name, value(frame), line)

            return assign_global
        targets = [self.target(t, scope) for t in node.targets]
        if len(targets) == 1:
            (store,) = targets

            def assign(frame: Frame) -> None:
                store(frame, value(frame))

            return assign

        def assign_many(frame: Frame) -> None:
            v = value(frame)
            for store in targets:
                store(frame, v)

        return assign_many

    def s_AugAssign(self, node: ast.AugAssign, scope: Scope, in_loop: bool) -> Closure:
        op, target, arith = self.binop_name(node.op, node), node.target, self.run.arith
        value = self.expr(node.value, scope)
        if type(target) is ast.Name:
            load, store = self.name_load(target, scope), self.name_store(target, scope)

            def augment_name(frame: Frame) -> None:
                store(frame, arith(op, load(frame), value(frame), node))

            return augment_name
        if type(target) is ast.Attribute:
            check_attribute(target.attr, target)
            obj, name, getattr_, setattr_ = (
                self.expr(target.value, scope),
                target.attr,
                self.run.getattr,
                self.run.setattr,
            )

            def augment_attribute(frame: Frame) -> None:
                o = obj(frame)
                setattr_(o, name, arith(op, getattr_(o, name, target), value(frame), node), target)

            return augment_attribute
        if type(target) is ast.Subscript:
            obj, key = self.expr(target.value, scope), self.expr(target.slice, scope)
            getitem, setitem = self.run.getitem, self.run.setitem

            def augment_item(frame: Frame) -> None:
                o, k = obj(frame), key(frame)
                setitem(o, k, arith(op, getitem(o, k, target), value(frame), node), target)

            return augment_item
        raise Refusal(target, "this can't be assigned to here")

    def s_If(self, node: ast.If, scope: Scope, in_loop: bool) -> Closure:
        self.run.straight_line = False
        test, truth = self.expr(node.test, scope), self.run.truth
        body, orelse = self.block(node.body, scope, in_loop), self.block(node.orelse, scope, in_loop)

        def if_(frame: Frame) -> object:
            return body(frame) if truth(test(frame), node.test) else orelse(frame)

        return if_

    def s_While(self, node: ast.While, scope: Scope, in_loop: bool) -> Closure:
        self.run.straight_line = False
        test, truth = self.expr(node.test, scope), self.run.truth
        body, orelse = self.block(node.body, scope, True), self.block(node.orelse, scope, in_loop)

        def while_(frame: Frame) -> object:
            while truth(test(frame), node.test):
                ended = body(frame)
                if ended is not None and ended is not CONTINUE:
                    if ended is BREAK:
                        return None
                    return ended
            return orelse(frame)

        return while_

    def s_For(self, node: ast.For, scope: Scope, in_loop: bool) -> Closure:
        self.run.straight_line = False
        items, store, iterate = self.expr(node.iter, scope), self.target(node.target, scope), self.run.iterate
        body, orelse = self.block(node.body, scope, True), self.block(node.orelse, scope, in_loop)
        run = self.run

        def for_(frame: Frame) -> object:
            for x in iterate(items(frame), node.iter):
                store(frame, x)
                ended = body(frame)
                if ended is not None and ended is not CONTINUE:
                    if ended is BREAK:
                        return None
                    return ended
                run.current = node
            return orelse(frame)

        return for_

    def s_Break(self, node: ast.Break, scope: Scope, in_loop: bool) -> Closure:
        if not in_loop:
            raise Refusal(node, "'break' outside a loop")
        return lambda frame: BREAK

    def s_Continue(self, node: ast.Continue, scope: Scope, in_loop: bool) -> Closure:
        if not in_loop:
            raise Refusal(node, "'continue' outside a loop")
        return lambda frame: CONTINUE

    def s_Return(self, node: ast.Return, scope: Scope, in_loop: bool) -> Closure:
        if scope.kind != "function":
            raise Refusal(node, "'return' outside a function")
        value = self.expr(node.value, scope) if node.value is not None else (lambda frame: None)

        def return_(frame: Frame) -> object:
            frame.retval = value(frame)
            return RETURN

        return return_

    def s_Assert(self, node: ast.Assert, scope: Scope, in_loop: bool) -> Closure:
        test, run = self.expr(node.test, scope), self.run
        message = self.expr(node.msg, scope) if node.msg is not None else None

        def assert_(frame: Frame) -> None:
            if not run.truth(test(frame), node.test):
                text = f": {run.str(message(frame), node)}" if message is not None else ""
                raise Refusal(node, f"AssertionError{text}")

        return assert_

    def s_Global(self, node: ast.Global, scope: Scope, in_loop: bool) -> Closure:
        for name in node.names:
            check_name(name, node, True)
        return lambda frame: None

    s_Nonlocal = s_Global


_STATEMENTS = handlers(Compiler, "s_")
