"""Text: how a run spells values (``str``, ``repr``, f-strings) and prints, measured as it goes.

A mixin of :class:`gradlab.lang.runtime.Run`: text is measured as it is built, before it is
joined, so a value too long to spell is refused before Python makes it.
"""

from __future__ import annotations

import ast

import numpy as np

from gradlab.engine import Value
from gradlab.lang import limits
from gradlab.lang.limits import MAX_ITEMS
from gradlab.lang.objects import (
    _VIEWS,
    NN_TYPES,
    BoundMethod,
    Builtin,
    Class,
    Function,
    Instance,
    Method,
    Module,
    Refusal,
    StandIn,
    Super,
    check_network,
    describe,
)


class TextRules:
    """Run's rules for text (see the module's docstring)."""

    # -- text ------------------------------------------------------------------------------

    def str(self, x: object, node: ast.AST | None) -> str:
        """``str(x)`` as Python gives it, calling a program's ``__str__``/``__repr__``."""
        if type(x) is str:
            return x
        if isinstance(x, (np.generic, np.ndarray)):
            return str(x)  # print(np.array([1., 2.])) shows [1. 2.], as numpy's str does
        if type(x) is Instance:
            f = x.cls.lookup("__str__")
            if type(f) is Function:
                return self.text_result(self.call_function(f, [x], None, node), "__str__", node)
        if isinstance(x, StandIn):
            text = x.str_text(self, node)
            self.alloc(len(text), node)
            return text
        return self.repr(x, node)

    def repr(self, x: object, node: ast.AST | None) -> str:
        """``repr(x)`` as Python gives it, containers included (bounded in depth).

        The text is measured as it is built: once it would pass MAX_ITEMS characters it is
        refused (``str([s] * 1000)`` for a long ``s`` is a gigabyte of text made of a few items),
        and the characters a container's text holds count against MAX_ALLOCATED."""
        t = type(x)
        if t in (int, float, bool, Value) or x is None:
            return repr(x)
        left = [MAX_ITEMS]
        text = self.spell(x, node, 0, left)
        self.alloc(len(text), node)
        return text

    def spend(self, text: str, left: list[int], node: ast.AST | None, extra: int = 0) -> str:
        """Take ``len(text) + extra`` from the characters ``left`` for one repr (see repr)."""
        left[0] -= len(text) + extra
        if left[0] < 0:
            raise Refusal(node, limits.ITEMS_MESSAGE)
        return text

    def spell(self, x: object, node: ast.AST | None, depth: int, left: list[int]) -> str:
        """repr's text of ``x``, each piece taken from ``left`` before the next one is made."""
        t = type(x)
        if t in (int, float, bool, Value) or x is None:
            return self.spend(repr(x), left, node)
        if t is str:
            if len(x) + 2 > left[0]:  # its repr is at least this long: refused before it is made
                raise Refusal(node, limits.ITEMS_MESSAGE)
            return self.spend(repr(x), left, node)
        if depth > 50:
            raise Refusal(node, "this is nested too deeply to print")
        if t in (list, tuple, set, dict):
            if not x:
                return self.spend({list: "[]", tuple: "()", set: "set()", dict: "{}"}[t], left, node)
            self.spend("", left, node, 3)  # brackets (and a 1-tuple's comma)
            if t is dict:
                parts = []
                for k, v in x.items():
                    self.spend("", left, node, 4)  # ': ' and ', '
                    key = self.spell(k, node, depth + 1, left)
                    parts.append(f"{key}: {self.spell(v, node, depth + 1, left)}")
                return "{" + ", ".join(parts) + "}"
            parts = []
            for v in x:
                self.spend("", left, node, 2)  # ', '
                parts.append(self.spell(v, node, depth + 1, left))
            inner = ", ".join(parts)
            if t is list:
                return f"[{inner}]"
            return (
                f"({inner},)"
                if t is tuple and len(x) == 1
                else f"({inner})"
                if t is tuple
                else f"{{{inner}}}"
            )
        if t is Instance:
            f = x.cls.lookup("__repr__")
            if type(f) is Function:
                text = self.text_result(self.call_function(f, [x], None, node), "__repr__", node)
                return self.spend(text, left, node)
            return self.spend(f"<__main__.{x.cls.name} object at {id(x):#x}>", left, node)
        if t is BoundMethod:
            return f"<bound method {x.func.name} of {self.spell(x.self, node, depth + 1, left)}>"
        if t in _VIEWS:
            self.alloc(len(x), node)
            return f"{t.__name__}({self.spell(list(x), node, depth + 1, left)})"
        if isinstance(x, StandIn):
            return self.spend(x.text(self, node), left, node)
        if isinstance(x, NN_TYPES):  # its repr spells its neurons: nothing else may be in their lists
            check_network(x, node)
        return self.spend(self.plain_repr(x), left, node)

    @staticmethod
    def plain_repr(x: object) -> str:
        """The repr of a value that holds no program values (functions, classes, arrays, ...)."""
        t = type(x)
        if t is Function:
            return f"<function {x.name} at {id(x):#x}>"
        if t is Class:
            return f"<class '__main__.{x.name}'>"
        if t is Builtin:
            return f"<class '{x.name}'>" if x.pytype is not None else f"<built-in function {x.name}>"
        if t is Module:
            return f"<module '{x.name}'>"
        if t is Method:
            return f"<built-in method {x.name} of {describe(x.obj)}>"
        if t is Super:
            return "<super object>"
        if t is range or t is np.ndarray or isinstance(x, (*NN_TYPES, np.generic)):
            return repr(x)  # numpy summarises a long array; a network's repr is one word a neuron
        return f"<{type(x).__name__} object at {id(x):#x}>"

    def joined_text(self, pieces: list[str], node: ast.AST | None) -> str:
        """An f-string's text, measured before it is joined: ``f'{s}{s}'`` may not pass MAX_ITEMS
        characters (each piece is at most that: a repr is measured as it is built)."""
        size = sum(map(len, pieces))
        self.sized(size, node)
        return "".join(pieces)

    def text_result(self, x: object, name: str, node: ast.AST | None) -> str:
        if type(x) is not str:
            raise Refusal(node, f"{name} returned {describe(x)}, not text")
        return x

    def print(self, text: str, node: ast.AST) -> None:
        """Add printed text (lines end at each newline; a last unended line ends with the run)."""
        p = self.program
        self.printed_chars += len(text)
        if self.printed_chars > limits.MAX_PRINTED_CHARS:
            raise Refusal(node, limits.PRINTED_CHARS_MESSAGE)
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        if len(p.printed) + len(lines) > limits.MAX_PRINTED_LINES:
            raise Refusal(node, f"this program prints more than {limits.MAX_PRINTED_LINES:,} lines")
        p.printed.extend(lines)
