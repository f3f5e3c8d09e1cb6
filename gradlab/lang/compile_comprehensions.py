"""Compile comprehensions and generator expressions: their loops, their scope, their limits."""

from __future__ import annotations

import ast
from collections.abc import Callable

from gradlab.lang import limits
from gradlab.lang.objects import Frame, Refusal, python_error
from gradlab.lang.runtime import Run
from gradlab.lang.scopes import (
    Closure,
    Scope,
    comprehension_names,
)


class ComprehensionCompiler:
    """List, set and dict comprehensions and generator expressions (a mixin of the compiler)."""

    run: Run

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
