"""Compile expressions (and the names and targets statements share) into closures.

``e(frame) -> value`` for each expression; see gradlab.lang.compiler for the whole scheme.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from gradlab.lang import limits
from gradlab.lang.arith import fit
from gradlab.lang.limits import DEPTH_MESSAGE, MAX_DEPTH, MAX_INT_BITS
from gradlab.lang.objects import USER_DUNDERS, Frame, Refusal, Super, python_error
from gradlab.lang.runtime import Run
from gradlab.lang.scopes import (
    _BINOPS,
    _CMPOPS,
    _EXPRESSION_MESSAGES,
    _OTHER_OPS,
    _UNARY,
    Closure,
    Scope,
    check_attribute,
    check_name,
    comprehension_names,
)
from gradlab.lang.text import format_value


class ExpressionCompiler:
    """The expression half of :class:`gradlab.lang.compiler.Compiler` (which adds statements)."""

    run: Run

    def name_load(self, node: ast.Name, scope: Scope, calling: bool = False) -> Closure:
        name = node.id
        if name[:2] == "__":
            check_name(name, node, False)
        builtins, kind = self.run.builtins, scope.kind

        def missing() -> Refusal:  # spelled only when needed: compiling is on the hot path too
            message = f"'{name}' is not available here" if calling else f"name '{name}' is not defined"
            return Refusal(node, message)

        if kind == "module" or (kind != "function" and name in scope.globals):
            return self.global_load(name, builtins, missing)
        if kind == "function" and name in scope.names:

            def load_local(frame: Frame) -> object:
                try:
                    return frame.locals[name]
                except KeyError:
                    raise Refusal(node, f"name '{name}' is used before it is assigned") from None

            return load_local
        if name in scope.globals:
            return self.global_load(name, builtins, missing)
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

    def global_load(self, name: str, builtins: dict, missing: Callable[[], Refusal]) -> Closure:
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
            obj, name, setattr_ = self.expr(node.value, scope), node.attr, self.run.setattr

            def store_attribute(frame: Frame, value: object) -> None:
                setattr_(obj(frame), name, value, node)

            return store_attribute
        if kind is ast.Subscript:
            obj, key, setitem = self.expr(node.value, scope), self.expr(node.slice, scope), self.run.setitem

            def store_item(frame: Frame, value: object) -> None:
                setitem(obj(frame), key(frame), value, node)

            return store_item
        if kind in (ast.Tuple, ast.List):
            starred = next((t for t in ast.walk(node) if type(t) is ast.Starred), None)
            if starred is not None:
                raise Refusal(starred, _EXPRESSION_MESSAGES[ast.Starred])
            stores, n, unpack = [self.target(t, scope) for t in node.elts], len(node.elts), self.run.unpack

            def store_unpacked(frame: Frame, value: object) -> None:
                for store, x in zip(stores, unpack(value, n, node), strict=True):
                    store(frame, x)

            return store_unpacked
        raise Refusal(node, _EXPRESSION_MESSAGES.get(kind, "this can't be assigned to here"))

    def binop_name(self, op: ast.operator, node: ast.AST) -> str:
        if type(op) in _BINOPS:
            return _BINOPS[type(op)]
        raise Refusal(node, f"the '{_OTHER_OPS.get(type(op), '?')}' operator is not supported here")

    # -- expressions -------------------------------------------------------------------------

    def expr(self, node: ast.expr, scope: Scope, depth: int = 0) -> Closure:
        if depth >= MAX_DEPTH:
            raise Refusal(node, DEPTH_MESSAGE)
        kind = type(node)
        if kind is ast.Name:  # the commonest node, straight to its rule (compiling is on the hot path)
            return self.name_load(node, scope)
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
        op = _BINOPS.get(type(node.op)) or self.binop_name(node.op, node)
        left, right = self.expr(node.left, scope, depth), self.expr(node.right, scope, depth)
        arith = self.run.arith

        def binop(frame: Frame) -> object:
            return arith(op, left(frame), right(frame), node)

        return binop

    def e_UnaryOp(self, node: ast.UnaryOp, scope: Scope, depth: int) -> Closure:
        kind = type(node.op)
        if kind is ast.Invert:
            raise Refusal(node, "the '~' operator is not supported here")
        op = _UNARY[kind]
        operand, unary = self.expr(node.operand, scope, depth), self.run.unary
        return lambda frame: unary(op, operand(frame), node)

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
        return lambda frame: getattr_(obj(frame), name, node)

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

    def e_Call(self, node: ast.Call, scope: Scope, depth: int) -> Closure:
        func, run = node.func, self.run
        if not node.keywords and type(func) is ast.Name and func.id != "super":
            return self.plain_call(node, func, scope, depth)
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

    def plain_call(self, node: ast.Call, func: ast.Name, scope: Scope, depth: int) -> Closure:
        """``f(a, b)``: a named function, positional arguments only (the common call, compiled
        with fewer closures than e_Call's general one: compiling is on a straight program's path)."""
        elts = node.args
        if any(type(e) is ast.Starred for e in elts):
            args = self.elements(elts, scope, depth)
        else:
            args = None
            parts = [self.expr(e, scope, depth) for e in elts]
        target, call, named = self.name_load(func, scope, calling=True), self.run.call, func.id
        if args is None and len(parts) == 1:
            (only,) = parts

            def call_one(frame: Frame) -> object:
                f = target(frame)
                try:
                    return call(f, [only(frame)], None, node)
                except Refusal as r:
                    raise self.not_a_function(r, node, named) from None

            return call_one
        if args is None:
            args = lambda frame: [p(frame) for p in parts]  # noqa: E731

        def call_args(frame: Frame) -> object:
            f = target(frame)
            try:
                return call(f, args(frame), None, node)
            except Refusal as r:
                raise self.not_a_function(r, node, named) from None

        return call_args

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

    # -- comprehensions ---------------------------------------------------------------------------

    def comprehension(self, node: ast.expr, scope: Scope, depth: int) -> tuple[Closure, Callable]:
        self.run.straight_line = False
        """(first iterable, run(frame, emit)): the loops of a comprehension, each value emitted."""
        generators = node.generators
        if any(g.is_async for g in generators):
            raise Refusal(node, "'async' is not supported here")
        inner = Scope("comp", comprehension_names(generators), scope)
        first = self.expr(generators[0].iter, scope, depth)
        loops = [
            (
                self.expr(g.iter, inner, depth) if i else None,
                self.target(g.target, inner),
                [self.expr(c, inner, depth) for c in g.ifs],
            )
            for i, g in enumerate(generators)
        ]
        run, in_class = self.run, scope.kind == "class"
        clock, deadline = run.clock, run.deadline

        def frame_for(frame: Frame) -> Frame:
            return Frame({}, frame.chain if in_class else (frame.locals, *frame.chain))

        def loop(level: int, items: object, cf: Frame, emit: Callable[[Frame], None]) -> None:
            _, store, ifs = loops[level]
            last = level == len(loops) - 1
            for x in run.iterate(items, node):
                if clock() > deadline:
                    run.timeout(node)
                store(cf, x)
                if all(run.truth(c(cf), node) for c in ifs):
                    if last:
                        emit(cf)
                    else:
                        loop(level + 1, loops[level + 1][0](cf), cf, emit)

        def generate(level: int, items: object, cf: Frame, element: Closure):
            _, store, ifs = loops[level]
            last = level == len(loops) - 1
            for x in run.iterate(items, node):
                if clock() > deadline:
                    run.timeout(node)
                store(cf, x)
                if all(run.truth(c(cf), node) for c in ifs):
                    if last:
                        yield element(cf)
                    else:
                        yield from generate(level + 1, loops[level + 1][0](cf), cf, element)

        return first, frame_for, loop, generate

    def e_ListComp(self, node: ast.ListComp, scope: Scope, depth: int) -> Closure:
        first, frame_for, loop, _ = self.comprehension(node, scope, depth)
        element, run = (
            self.expr(node.elt, Scope("comp", comprehension_names(node.generators), scope), depth),
            self.run,
        )

        def listcomp(frame: Frame) -> list:
            out = []
            append = out.append

            def emit(cf: Frame) -> None:
                append(element(cf))
                if len(out) > limits.MAX_ITEMS:
                    raise Refusal(node, limits.ITEMS_MESSAGE)

            loop(0, first(frame), frame_for(frame), emit)
            run.alloc(len(out), node)
            return out

        return listcomp

    def e_SetComp(self, node: ast.SetComp, scope: Scope, depth: int) -> Closure:
        listcomp, make_set = self.e_ListComp(node, scope, depth), self.run.make_set

        def setcomp(frame: Frame) -> set:
            return make_set(listcomp(frame), node)

        return setcomp

    def e_DictComp(self, node: ast.DictComp, scope: Scope, depth: int) -> Closure:
        first, frame_for, loop, _ = self.comprehension(node, scope, depth)
        inner = Scope("comp", comprehension_names(node.generators), scope)
        key, value, run = self.expr(node.key, inner, depth), self.expr(node.value, inner, depth), self.run

        def dictcomp(frame: Frame) -> dict:
            out = {}

            def emit(cf: Frame) -> None:
                try:
                    out[run.key(key(cf), node)] = value(cf)
                except TypeError as e:
                    raise Refusal(node, python_error(e)) from None
                if len(out) > limits.MAX_ITEMS:
                    raise Refusal(node, limits.ITEMS_MESSAGE)

            loop(0, first(frame), frame_for(frame), emit)
            run.alloc(len(out), node)
            return out

        return dictcomp

    def e_GeneratorExp(self, node: ast.GeneratorExp, scope: Scope, depth: int) -> Closure:
        first, frame_for, _, generate = self.comprehension(node, scope, depth)
        element = self.expr(node.elt, Scope("comp", comprehension_names(node.generators), scope), depth)
        iterate = self.run.iterate

        def genexp(frame: Frame) -> object:
            items = first(frame)
            iterate(items, node)  # refuse a non-iterable now, as Python does
            return generate(0, items, frame_for(frame), element)

        return genexp


_EXPRESSIONS = {
    getattr(ast, name[2:]): method
    for name, method in vars(ExpressionCompiler).items()
    if name.startswith("e_")
}
