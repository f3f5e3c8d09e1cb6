"""Compile expressions into closures: ``e(frame) -> value`` for each expression.

One ``e_<Node>`` method per ``ast`` node type, found by name; names and targets
(compile_names), calls (compile_calls) and comprehensions (compile_comprehensions) are
mixins.  See gradlab.lang.compiler for the whole scheme.
"""

from __future__ import annotations

import ast

from gradlab.lang.arith import fit
from gradlab.lang.compile_calls import CallCompiler
from gradlab.lang.compile_comprehensions import ComprehensionCompiler
from gradlab.lang.compile_names import NameCompiler
from gradlab.lang.limits import DEPTH_MESSAGE, MAX_DEPTH, MAX_INT_BITS
from gradlab.lang.objects import Frame, Instance, Refusal, python_error
from gradlab.lang.runtime import Run
from gradlab.lang.scopes import (
    _BINOPS,
    _CMPOPS,
    _EXPRESSION_MESSAGES,
    _UNARY,
    Closure,
    Scope,
    check_attribute,
    handlers,
)
from gradlab.lang.text import format_value


class ExpressionCompiler(NameCompiler, CallCompiler, ComprehensionCompiler):
    """The expression half of :class:`gradlab.lang.compiler.Compiler` (which adds statements)."""

    run: Run

    # -- expressions -------------------------------------------------------------------------

    def expr(self, node: ast.expr, scope: Scope, depth: int = 0) -> Closure:
        if depth >= MAX_DEPTH:
            raise Refusal(node, DEPTH_MESSAGE)
        kind = type(node)
        if kind is ast.Name:  # the commonest nodes, straight to their rule (compiling is on the hot path)
            return self.name_load(node, scope)
        if kind is ast.Constant:
            return self.e_Constant(node, scope, depth)
        method = _EXPRESSIONS.get(kind)
        if method is None:
            raise Refusal(node, _EXPRESSION_MESSAGES.get(kind, "this is not supported here"))
        return method(self, node, scope, depth + 1)

    def e_Constant(self, node: ast.Constant, scope: Scope, depth: int) -> Closure:
        v = node.value
        if type(v) is int:
            if v.bit_length() > MAX_INT_BITS:
                v = fit(v)
        elif isinstance(v, complex):
            raise Refusal(node, "complex numbers are not supported here")
        elif type(v) not in (float, str, bool) and v is not None:
            raise Refusal(node, f"{type(v).__name__} literals are not supported here")
        return lambda frame: v

    def e_Name(self, node: ast.Name, scope: Scope, depth: int) -> Closure:
        return self.name_load(node, scope)

    def e_BinOp(self, node: ast.BinOp, scope: Scope, depth: int) -> Closure:
        chain = [node]  # a left-deep chain, a + b + c + ...: outermost first
        while type(chain[-1].left) is ast.BinOp and depth + len(chain) + 1 < MAX_DEPTH:
            chain.append(chain[-1].left)
        if len(chain) > 1:
            return self.binop_chain(chain, scope, depth)
        op = _BINOPS.get(type(node.op)) or self.binop_name(node.op, node)
        left, right = self.expr(node.left, scope, depth), self.expr(node.right, scope, depth)
        arith = self.run.arith

        def binop(frame: Frame) -> object:
            return arith(op, left(frame), right(frame), node)

        return binop

    def binop_chain(self, chain: list[ast.BinOp], scope: Scope, depth: int) -> Closure:
        """A left-deep chain of operators as one closure, a loop over its terms: compiled and run
        in the very order, at the very depths, of the nested form (each step is its node's
        ``arith``), with one closure instead of one per operator (long sums are common)."""
        ops = [_BINOPS.get(type(n.op)) or self.binop_name(n.op, n) for n in chain]
        first = self.expr(chain[-1].left, scope, depth + len(chain) - 1)
        steps = []
        for k in reversed(range(len(chain))):  # the nested form compiles the innermost right operand first
            steps.append((ops[k], self.expr(chain[k].right, scope, depth + k), chain[k]))
        arith = self.run.arith

        def binop_chain(frame: Frame) -> object:
            x = first(frame)
            for op, right, node in steps:
                x = arith(op, x, right(frame), node)
            return x

        return binop_chain

    def e_UnaryOp(self, node: ast.UnaryOp, scope: Scope, depth: int) -> Closure:
        op = _UNARY.get(type(node.op))
        if op is None:  # '~', the one unary operator the language has not
            raise Refusal(node, "the '~' operator is not supported here")
        operand, unary = self.expr(node.operand, scope, depth), self.run.unary

        def unary_op(frame: Frame) -> object:
            return unary(op, operand(frame), node)

        return unary_op

    def e_BoolOp(self, node: ast.BoolOp, scope: Scope, depth: int) -> Closure:
        self.run.straight_line = False
        values, truth = [self.expr(v, scope, depth) for v in node.values], self.run.truth
        want = type(node.op) is ast.Or  # 'or' stops at the first true value, 'and' at the first false

        def boolop(frame: Frame) -> object:
            for value in values:
                x = value(frame)
                if truth(x, node) == want:
                    return x
            return x

        return boolop

    def e_Compare(self, node: ast.Compare, scope: Scope, depth: int) -> Closure:
        left = self.expr(node.left, scope, depth)
        rest = [
            (_CMPOPS[type(op)], self.expr(c, scope, depth))
            for op, c in zip(node.ops, node.comparators, strict=True)
        ]
        compare, truth = self.run.compare, self.run.truth
        if len(rest) == 1:  # no chain: the result as it is (an array's comparison is an array)
            ((op, right),) = rest
            return lambda frame: compare(op, left(frame), right(frame), node)

        def compare_(frame: Frame) -> object:
            a = left(frame)
            for op, right in rest:
                b = right(frame)
                result = compare(op, a, b, node)
                if not truth(result, node):
                    return result
                a = b
            return result

        return compare_

    def e_IfExp(self, node: ast.IfExp, scope: Scope, depth: int) -> Closure:
        self.run.straight_line = False
        test, body, orelse = (self.expr(n, scope, depth) for n in (node.test, node.body, node.orelse))
        truth = self.run.truth
        return lambda frame: body(frame) if truth(test(frame), node) else orelse(frame)

    def e_Attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> Closure:
        check_attribute(node.attr, node)
        obj, name, getattr_ = self.expr(node.value, scope, depth), node.attr, self.run.getattr

        def attribute(frame: Frame) -> object:
            o = obj(frame)
            if type(o) is Instance and name in o.attrs:  # self.data: Run.getattr's first case, inline
                return o.attrs[name]
            return getattr_(o, name, node)

        return attribute

    def e_Subscript(self, node: ast.Subscript, scope: Scope, depth: int) -> Closure:
        obj, key, getitem = (
            self.expr(node.value, scope, depth),
            self.expr(node.slice, scope, depth),
            self.run.getitem,
        )
        return lambda frame: getitem(obj(frame), key(frame), node)

    def e_Slice(self, node: ast.Slice, scope: Scope, depth: int) -> Closure:
        parts = [
            self.expr(p, scope, depth) if p is not None else None for p in (node.lower, node.upper, node.step)
        ]
        lower, upper, step = (p or (lambda frame: None) for p in parts)
        run = self.run

        def slice_(frame: Frame) -> slice:
            bounds = lower(frame), upper(frame), step(frame)
            for b in bounds:
                if b is not None and type(b) not in (int, bool):
                    raise Refusal(node, f"slice bounds must be whole numbers, not {run.repr(b, node)}")
            return slice(*bounds)

        return slice_

    def elements(self, elts: list[ast.expr], scope: Scope, depth: int) -> Closure:
        """A closure giving the items of a literal or argument list, ``*xs`` spread out."""
        parts = [
            (type(e) is ast.Starred, self.expr(e.value if type(e) is ast.Starred else e, scope, depth))
            for e in elts
        ]
        run = self.run
        if not any(star for star, _ in parts):
            values = [p for _, p in parts]
            if len(values) == 1:
                (only,) = values
                return lambda frame: [only(frame)]
            return lambda frame: [v(frame) for v in values]

        def spread(frame: Frame) -> list:
            out = []
            for star, value in parts:
                if star:
                    out.extend(run.collect(value(frame), elts[0]))
                else:
                    out.append(value(frame))
            run.sized(len(out), elts[0])
            return out

        return spread

    def e_List(self, node: ast.List, scope: Scope, depth: int) -> Closure:
        items, alloc = self.elements(node.elts, scope, depth), self.run.alloc

        def list_(frame: Frame) -> list:
            out = items(frame)
            alloc(len(out), node)
            return out

        return list_

    def e_Tuple(self, node: ast.Tuple, scope: Scope, depth: int) -> Closure:
        if len(node.elts) == 1 and type(node.elts[0]) is not ast.Starred:  # (x,): no list on the way
            only = self.expr(node.elts[0], scope, depth)
            return lambda frame: (only(frame),)
        items = self.elements(node.elts, scope, depth)
        return lambda frame: tuple(items(frame))

    def e_Set(self, node: ast.Set, scope: Scope, depth: int) -> Closure:
        items, run = self.elements(node.elts, scope, depth), self.run

        def set_(frame: Frame) -> set:
            return run.make_set(items(frame), node)

        return set_

    def e_Dict(self, node: ast.Dict, scope: Scope, depth: int) -> Closure:
        pairs = [
            (self.expr(k, scope, depth) if k is not None else None, self.expr(v, scope, depth))
            for k, v in zip(node.keys, node.values, strict=True)
        ]
        run = self.run

        def dict_(frame: Frame) -> dict:
            out = {}
            for key, value in pairs:
                if key is None:
                    more = value(frame)
                    if type(more) is not dict:
                        raise Refusal(node, f"'**' needs a dict, not {run.repr(more, node)}")
                    out.update(more)
                else:
                    try:
                        out[run.key(key(frame), node)] = value(frame)
                    except TypeError as e:
                        raise Refusal(node, python_error(e)) from None
            run.sized(len(out), node)
            return out

        return dict_

    def e_JoinedStr(self, node: ast.JoinedStr, scope: Scope, depth: int) -> Closure:
        parts, run = [self.expr(v, scope, depth) for v in node.values], self.run

        def joined(frame: Frame) -> str:
            return run.joined_text([p(frame) for p in parts], node)

        return joined

    def e_FormattedValue(self, node: ast.FormattedValue, scope: Scope, depth: int) -> Closure:
        value = self.expr(node.value, scope, depth)
        spec = self.expr(node.format_spec, scope, depth) if node.format_spec else None
        conversion, run = node.conversion, self.run

        def formatted(frame: Frame) -> str:
            return format_value(run, value(frame), conversion, spec(frame) if spec else "", node)

        return formatted


_EXPRESSIONS = handlers(ExpressionCompiler, "e_")
