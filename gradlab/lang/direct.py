"""Run a top-level statement straight from its ``ast`` node instead of compiling it first.

A top-level statement of straight-line code runs once: compiling it into closures first
would cost more than the run itself.  The walker evaluates the expressions of straight-line
code (names, constants, arithmetic, attributes, calls, f-strings) itself, calling the same
rules of :class:`gradlab.lang.runtime.Run` and making the same checks as the compiled
closures (dunder names, nesting depth), so both paths give the same results and messages.
Any other expression inside such a statement (a list, a comprehension, a comparison, ...)
is compiled and run on the spot; any other statement is compiled whole.

One difference can show, and only in a failing run: a statement holding both a construct
the compiler refuses and an earlier runtime error reports the runtime error first.
"""

from __future__ import annotations

import ast

from gradlab.lang.limits import DEPTH_MESSAGE, MAX_DEPTH
from gradlab.lang.methods import format_value
from gradlab.lang.modules import import_names
from gradlab.lang.objects import Frame, Refusal
from gradlab.lang.runtime import Run, fit
from gradlab.lang.scopes import _BINOPS, _UNARY, Scope, check_attribute, check_name

_CONSTANTS = (int, float, str, bool, type(None))
_Name, _Attribute, _Tuple, _Starred = ast.Name, ast.Attribute, ast.Tuple, ast.Starred


def walks(stmt: ast.stmt) -> bool:
    """True if the walker runs ``stmt``: an expression, or an assignment to names or attributes."""
    t = type(stmt)
    if t is ast.Assign:
        for target in stmt.targets:
            tt = type(target)
            if tt is _Tuple:
                if not all(type(e) is _Name for e in target.elts):
                    return False
            elif tt is not _Name and tt is not _Attribute:
                return False
        return True
    if t is ast.Expr or t is ast.ImportFrom:
        return True
    return t is ast.AugAssign and type(stmt.op) in _BINOPS and type(stmt.target) in (_Name, _Attribute)


class Walker:
    """Evaluates the walked statements at the top level of one run (see the module's docstring)."""

    def __init__(self, run: Run, compiler, scope: Scope, frame: Frame) -> None:
        self.run, self.compiler, self.scope, self.frame = run, compiler, scope, frame
        self.globals, self.builtins = run.globals, run.builtins

    def execute(self, stmt: ast.stmt) -> None:
        t, run = type(stmt), self.run
        if t is ast.Expr:
            self.eval(stmt.value, 0)
        elif t is ast.ImportFrom:
            values = import_names(run, stmt)
            for name, _ in values:
                check_name(name, stmt, True)
            for name, value in values:
                self.globals[name] = value
        elif t is ast.Assign:
            node, targets = stmt.value, stmt.targets
            for target in targets:  # the compiler checks the targets' names before running anything
                self.check_target(target)
            if type(node) is _Tuple and not any(type(e) is _Starred for e in node.elts):
                value = tuple([self.eval(e, 1) for e in node.elts])
            else:
                value = self.eval(node, 0)
            for target in targets:
                self.store(target, value)
        else:  # AugAssign of a name or an attribute
            op, target = _BINOPS[type(stmt.op)], stmt.target
            if type(target) is _Name:  # compiled, it is loaded (and checked as a load) first
                check_name(target.id, target, False)
            else:
                check_attribute(target.attr, target)
            if type(target) is _Name:
                new = run.arith(op, self.load(target, False), self.eval(stmt.value, 0), stmt)
                run.bind_global(target.id, new, target.lineno)
            else:
                obj = self.eval(target.value, 1)
                old = run.getattr(obj, target.attr, target)
                run.setattr(obj, target.attr, run.arith(op, old, self.eval(stmt.value, 0), stmt), target)

    def check_target(self, target: ast.expr) -> None:
        t = type(target)
        if t is _Name:
            check_name(target.id, target, True)
        elif t is _Attribute:
            check_attribute(target.attr, target)
        else:
            for e in target.elts:
                check_name(e.id, e, True)

    def store(self, target: ast.expr, value: object) -> None:
        t, run = type(target), self.run
        if t is _Name:
            run.bind_global(target.id, value, target.lineno)
        elif t is _Attribute:
            run.setattr(self.eval(target.value, 1), target.attr, value, target)
        else:
            for name, v in zip(target.elts, run.unpack(value, len(target.elts), target), strict=True):
                run.bind_global(name.id, v, name.lineno)

    def load(self, node: ast.Name, calling: bool) -> object:
        name = node.id
        try:
            return self.globals[name]
        except KeyError:
            pass
        if name.startswith("__"):
            check_name(name, node, False)
        try:
            return self.builtins[name]
        except KeyError:
            message = f"'{name}' is not available here" if calling else f"name '{name}' is not defined"
            raise Refusal(node, message) from None

    def compiled(self, node: ast.expr, depth: int) -> object:
        """Any other expression: compiled (refused there if it must be) and run at once."""
        return self.compiler.expr(node, self.scope, depth)(self.frame)

    def eval(self, node: ast.expr, depth: int) -> object:
        if depth >= MAX_DEPTH:
            raise Refusal(node, DEPTH_MESSAGE)
        t, run = type(node), self.run
        if t is ast.BinOp:
            op = _BINOPS.get(type(node.op))
            if op is not None:
                return run.arith(op, self.eval(node.left, depth + 1), self.eval(node.right, depth + 1), node)
        elif t is _Name:  # a '__' name is never bound: load() refuses it when it finds nothing
            return self.load(node, False)
        elif t is ast.Constant:
            v = node.value
            if type(v) in _CONSTANTS:
                return fit(v) if type(v) is int else v
        elif t is ast.Call:
            return self.call(node, depth)
        elif t is _Attribute:
            check_attribute(node.attr, node)
            return run.getattr(self.eval(node.value, depth + 1), node.attr, node)
        elif t is ast.UnaryOp:
            op = _UNARY.get(type(node.op))
            if op is not None:
                return run.unary(op, self.eval(node.operand, depth + 1), node)
        elif t is ast.JoinedStr:
            return run.joined_text([self.eval(v, depth + 1) for v in node.values], node)
        elif t is ast.FormattedValue:  # the value first, then its spec, as compiled
            value = self.eval(node.value, depth + 1)
            spec = self.eval(node.format_spec, depth + 1) if node.format_spec else ""
            return format_value(run, value, node.conversion, spec, node)
        return self.compiled(node, depth)

    def call(self, node: ast.Call, depth: int) -> object:
        func, run = node.func, self.run
        for a in node.args:
            if type(a) is _Starred:
                return self.compiled(node, depth)
        for k in node.keywords:
            if k.arg is None:
                return self.compiled(node, depth)
            check_name(k.arg, node, True)
        depth += 1
        if type(func) is _Attribute:
            check_attribute(func.attr, func)
            obj = self.eval(func.value, depth)
            args = [self.eval(a, depth) for a in node.args]
            kwargs = {k.arg: self.eval(k.value, depth) for k in node.keywords} if node.keywords else None
            return run.call_method(obj, func.attr, args, kwargs, node)
        if type(func) is not _Name or func.id == "super":
            return self.compiled(node, depth - 1)
        f = self.load(func, True)
        args = [self.eval(a, depth) for a in node.args]
        kwargs = {k.arg: self.eval(k.value, depth) for k in node.keywords} if node.keywords else None
        try:
            return run.call(f, args, kwargs, node)
        except Refusal as r:
            if r.node is node and r.message.endswith(" is not a function"):
                raise Refusal(func, f"'{func.id}' is not a function") from None
            raise
