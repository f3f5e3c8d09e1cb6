"""Run a simple top-level statement straight from its ``ast`` node, without compiling it.

A top-level statement of straight-line code runs once: compiling it into closures first
would cost more than the run itself.  ``simple(stmt)`` says whether a statement is made only
of what this walker knows (assignments and expressions of names, constants, arithmetic,
attributes, calls and f-strings, none of them refused); such a statement is walked here,
calling the same rules of :class:`gradlab.lang.runtime.Run` that the compiled closures call,
so both paths give the same results and the same messages.  Anything else is compiled.
"""

from __future__ import annotations

import ast

from gradlab.lang.limits import MAX_DEPTH
from gradlab.lang.methods import format_value
from gradlab.lang.objects import USER_DUNDERS, Refusal
from gradlab.lang.runtime import Run, fit
from gradlab.lang.scopes import _BINOPS, _UNARY

_CONSTANTS = (int, float, str, bool, type(None))
_Name, _Constant, _BinOp, _Call, _Attribute = ast.Name, ast.Constant, ast.BinOp, ast.Call, ast.Attribute


def _ok_attribute(node: ast.Attribute) -> bool:
    attr = node.attr
    return not attr.startswith("__") or attr in USER_DUNDERS


def simple_expr(node: ast.expr, depth: int = 0) -> bool:
    """True if the walker can evaluate ``node`` exactly as its compiled form would."""
    if depth >= MAX_DEPTH:
        return False  # compiled, it is refused with the depth message
    t = type(node)
    depth += 1
    if t is _Name:
        return not node.id.startswith("__")
    if t is _Constant:
        return type(node.value) in _CONSTANTS
    if t is _BinOp:
        return type(node.op) in _BINOPS and simple_expr(node.left, depth) and simple_expr(node.right, depth)
    if t is _Call:
        func = node.func
        if type(func) is _Name:
            if func.id.startswith("__") or func.id == "super":
                return False
        elif type(func) is not _Attribute or not _ok_attribute(func) or not simple_expr(func.value, depth):
            return False
        for a in node.args:
            if type(a) is ast.Starred or not simple_expr(a, depth):
                return False
        for k in node.keywords:
            if k.arg is None or k.arg.startswith("__") or not simple_expr(k.value, depth):
                return False
        return True
    if t is _Attribute:
        return _ok_attribute(node) and simple_expr(node.value, depth)
    if t is ast.UnaryOp:
        return type(node.op) in _UNARY and simple_expr(node.operand, depth)
    if t is ast.JoinedStr:
        return all(simple_expr(v, depth) for v in node.values)
    if t is ast.FormattedValue:
        return simple_expr(node.value, depth) and (
            node.format_spec is None or simple_expr(node.format_spec, depth)
        )
    return False


def _simple_target(node: ast.expr) -> bool:
    t = type(node)
    if t is ast.Name:
        return not node.id.startswith("__")
    if t is ast.Attribute:
        return _ok_attribute(node) and simple_expr(node.value, 1)
    return t is ast.Tuple and all(type(e) is ast.Name and not e.id.startswith("__") for e in node.elts)


def simple(stmt: ast.stmt) -> bool:
    """True if ``stmt`` is a top-level statement the walker runs (see the module's docstring)."""
    t = type(stmt)
    if t is ast.Assign:
        value = stmt.value
        if type(value) is ast.Tuple:
            ok = all(type(e) is not ast.Starred and simple_expr(e, 1) for e in value.elts)
        else:
            ok = simple_expr(value)
        if not ok:
            return False
        for target in stmt.targets:
            if not _simple_target(target):
                return False
        return True
    if t is ast.Expr:
        return simple_expr(stmt.value)
    if t is ast.AugAssign:
        target = stmt.target
        return (
            type(stmt.op) in _BINOPS
            and type(target) in (ast.Name, ast.Attribute)
            and _simple_target(target)
            and simple_expr(stmt.value)
        )
    return False


class Walker:
    """Evaluates simple statements at the top level of one run."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.globals, self.builtins = run.globals, run.builtins

    def execute(self, stmt: ast.stmt) -> None:
        t, run = type(stmt), self.run
        if t is ast.Expr:
            self.eval(stmt.value)
        elif t is ast.Assign:
            node, targets = stmt.value, stmt.targets
            value = tuple(map(self.eval, node.elts)) if type(node) is ast.Tuple else self.eval(node)
            if len(targets) == 1 and type(targets[0]) is ast.Name:
                run.bind_global(targets[0].id, value, targets[0].lineno)
            else:
                for target in targets:
                    self.store(target, value)
        else:  # AugAssign
            op, target = _BINOPS[type(stmt.op)], stmt.target
            if type(target) is ast.Name:
                new = run.arith(op, self.load(target, False), self.eval(stmt.value), stmt)
                run.bind_global(target.id, new, target.lineno)
            else:
                obj = self.eval(target.value)
                old = run.getattr(obj, target.attr, target)
                run.setattr(obj, target.attr, run.arith(op, old, self.eval(stmt.value), stmt), target)

    def store(self, target: ast.expr, value: object) -> None:
        t, run = type(target), self.run
        if t is ast.Name:
            run.bind_global(target.id, value, target.lineno)
        elif t is ast.Attribute:
            run.setattr(self.eval(target.value), target.attr, value, target)
        else:
            for name, v in zip(target.elts, run.unpack(value, len(target.elts), target), strict=True):
                run.bind_global(name.id, v, name.lineno)

    def load(self, node: ast.Name, calling: bool) -> object:
        name = node.id
        try:
            return self.globals[name]
        except KeyError:
            pass
        try:
            return self.builtins[name]
        except KeyError:
            message = f"'{name}' is not available here" if calling else f"name '{name}' is not defined"
            raise Refusal(node, message) from None

    def eval(self, node: ast.expr) -> object:
        t, run = type(node), self.run
        if t is ast.BinOp:
            return run.arith(_BINOPS[type(node.op)], self.eval(node.left), self.eval(node.right), node)
        if t is ast.Name:
            return self.load(node, False)
        if t is ast.Constant:
            v = node.value
            return fit(v) if type(v) is int else v
        if t is ast.Call:
            func = node.func
            if type(func) is ast.Attribute:
                obj = self.eval(func.value)
                args = [self.eval(a) for a in node.args]
                kwargs = {k.arg: self.eval(k.value) for k in node.keywords} if node.keywords else None
                return run.call_method(obj, func.attr, args, kwargs, node)
            f = self.load(func, True)
            args = [self.eval(a) for a in node.args]
            kwargs = {k.arg: self.eval(k.value) for k in node.keywords} if node.keywords else None
            try:
                return run.call(f, args, kwargs, node)
            except Refusal as r:
                if r.node is node and r.message.endswith(" is not a function"):
                    raise Refusal(func, f"'{func.id}' is not a function") from None
                raise
        if t is ast.Attribute:
            return run.getattr(self.eval(node.value), node.attr, node)
        if t is ast.UnaryOp:
            return run.unary(_UNARY[type(node.op)], self.eval(node.operand), node)
        if t is ast.JoinedStr:
            text = "".join([self.eval(v) for v in node.values])
            run.alloc(len(text), node)
            return text
        # FormattedValue: the value first, then its spec, as compiled
        value = self.eval(node.value)
        return format_value(
            run, value, node.conversion, self.eval(node.format_spec) if node.format_spec else "", node
        )
