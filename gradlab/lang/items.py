"""Containers: how a run iterates, collects, unpacks, searches and indexes values.

A mixin of :class:`gradlab.lang.runtime.Run`; every size it makes is checked against
MAX_ITEMS and counted against MAX_ALLOCATED, and long iterations watch the clock.

Work Python would do in one C call, out of sight of the clock and the counters, is measured
or split first: a tuple is measured before Python hashes it (``key``); a set is filled an
item at a time (``make_set``); a search or comparison of a long list runs CHUNK items at a
time.  Text is measured as it is spelled (gradlab.lang.spelling).
"""

from __future__ import annotations

import ast

import numpy as np

from gradlab.lang import limits
from gradlab.lang.arrays import array_index
from gradlab.lang.limits import MAX_ITEMS
from gradlab.lang.objects import (
    _VIEWS,
    NN_TYPES,
    Class,
    Function,
    Instance,
    Refusal,
    StandIn,
    describe,
    is_number,
    python_error,
)

#: items a search or a comparison in C looks at between two readings of the clock
CHUNK = 4096


def hashable(cls: Class) -> bool:
    """Whether a program's class hashes, as in Python: a class that defines ``__eq__`` without
    ``__hash__`` (itself or in the nearest base that defines either) is unhashable."""
    for c in cls.mro:
        if "__hash__" in c.ns:
            return c.ns["__hash__"] is not None
        if "__eq__" in c.ns:
            return False
    return True


class ItemRules:
    """Run's rules for containers and text (see the module's docstring)."""

    # -- searching ---------------------------------------------------------------------------

    def find(self, items: list | tuple, x: object, node: ast.AST, lo: int = 0, hi: int | None = None) -> int:
        """Where ``x`` first is in ``items[lo:hi]``, -1 if nowhere: Python's own search, CHUNK
        items at a time with the clock read in between (comparing a long text with each item of
        a long list is a minute in one C call, where no check of the time budget could see it)."""
        hi = len(items) if hi is None else hi
        for start in range(lo, hi, CHUNK):
            end = min(start + CHUNK, hi)
            if x in items[start:end]:
                return items.index(x, start, end)
            self.check_time(node)
        return -1

    def count(self, items: list | tuple, x: object, node: ast.AST) -> int:
        """``items.count(x)``, CHUNK items at a time with the clock read in between (see find)."""
        total = 0
        for start in range(0, len(items), CHUNK):
            total += items[start : start + CHUNK].count(x)
            self.check_time(node)
        return total

    def same_items(self, a: list | tuple, b: list | tuple, node: ast.AST) -> bool:
        """``a == b`` for two lists (or tuples) of one length, CHUNK items at a time (see find)."""
        for start in range(0, len(a), CHUNK):
            if a[start : start + CHUNK] != b[start : start + CHUNK]:
                return False
            self.check_time(node)
        return True

    # -- containers ------------------------------------------------------------------------

    def iterate(self, x: object, node: ast.AST | None) -> object:
        """An iterator over x; a long range is checked against the time budget as it goes."""
        t = type(x)
        if t in (list, tuple, str, dict, set, np.ndarray) or t in _VIEWS:
            return iter(x)
        if t is range:
            try:
                short = len(x) <= MAX_ITEMS
            except OverflowError:  # longer than any index
                short = False
            return iter(x) if short else self.timed(x, node)
        if t is Instance:
            raise Refusal(node, f"can't loop over {describe(x)}")
        if hasattr(x, "__next__") and not isinstance(x, NN_TYPES):  # zip, map, generators: ours
            return x
        if isinstance(x, StandIn):
            return iter(x.items(self, node))
        raise Refusal(node, f"can't loop over {describe(x)}")

    def timed(self, items: object, node: ast.AST | None) -> object:
        clock, deadline = self.clock, self.deadline
        for i, x in enumerate(items):
            if not i & 1023 and clock() > deadline:
                self.timeout(node)
            yield x

    def collect(self, x: object, node: ast.AST | None, limit: int = MAX_ITEMS) -> list:
        """The items of x as a new list, at most ``limit`` of them, counted as allocated."""
        t = type(x)
        if t in (list, tuple, str, dict, set, range) and len(x) <= limit:
            self.alloc(len(x), node)
            return list(x)
        if t in (list, tuple, str, dict, set, range):  # its length says it is too long: no need to walk it
            raise Refusal(node, limits.ITEMS_MESSAGE)
        if t is np.ndarray:
            self.alloc(len(x), node)
            return list(x)
        out = []
        append = out.append
        for item in self.iterate(x, node):
            append(item)
            if len(out) > limit:
                raise Refusal(node, limits.ITEMS_MESSAGE)
        self.alloc(len(out), node)
        return out

    def key(self, x: object, node: ast.AST | None) -> object:
        """``x``, about to be a set item or a dict key: a tuple is measured before Python hashes it.

        Python hashes a tuple in C, item by item, repeats included, with no check of its own: a
        tuple nested a million deep crashes the process, and ``t = (t, t)`` sixty times over holds
        2**60 items to hash.  Each tuple is walked once (bottom up), its nesting and its items
        counted with repeats, and refused past MAX_DEPTH levels or MAX_ITEMS items."""
        if type(x) is not tuple:
            if type(x) is Instance and not hashable(x.cls):
                raise Refusal(node, f"TypeError: unhashable type: '{x.cls.name}'")
            return x
        for item in x:
            if type(item) is tuple:
                break
        else:  # the common key, (i, j): its items are its work, and a tuple holds at most MAX_ITEMS
            return x
        work: dict[int, tuple[int, int]] = {}  # id -> (items counted with repeats, levels)
        stack = [(x, 1, False)]
        while stack:
            t, depth, children_done = stack.pop()
            if children_done:
                items, levels = 1, 1
                for item in t:
                    if type(item) is tuple:
                        n, h = work[id(item)]
                        items, levels = items + n, max(levels, h + 1)
                    else:
                        items += 1
                if items > MAX_ITEMS:
                    raise Refusal(node, limits.KEY_ITEMS_MESSAGE)
                if levels > limits.MAX_DEPTH:
                    raise Refusal(node, limits.KEY_DEPTH_MESSAGE)
                work[id(t)] = items, levels
            elif id(t) not in work:
                if depth > limits.MAX_DEPTH:  # before walking a million levels down
                    raise Refusal(node, limits.KEY_DEPTH_MESSAGE)
                stack.append((t, depth, True))
                stack.extend((item, depth + 1, False) for item in t if type(item) is tuple)
        return x

    def make_set(self, items: object, node: ast.AST | None) -> set:
        """A set of ``items`` (an iterable), added one by one with the clock read as it grows.

        Whole numbers that are multiples of 2**61 - 1 all hash alike, and each one added is then
        compared in C with every one already in: ``set()`` of 200,000 of them runs for a minute
        in one call, where no other check of the time budget could see it."""
        out = set()
        add, key, clock, deadline = out.add, self.key, self.clock, self.deadline
        try:
            for i, x in enumerate(items):
                add(key(x, node))
                if not i & 15 and clock() > deadline:
                    self.timeout(node)
        except TypeError as e:
            raise Refusal(node, python_error(e)) from None
        return out

    def unpack(self, x: object, n: int, node: ast.AST, star: int | None = None) -> list | tuple:
        """The ``n`` values ``x`` unpacks into; with ``star`` (``a, *rest = x``), the item at that
        index is the list of what the other names leave over."""
        if type(x) in (tuple, list):
            items = x
        elif type(x) in (str, dict, set, range, np.ndarray) or hasattr(x, "__next__"):
            items = self.collect(x, node, n + 1) if star is None else self.collect(x, node)
        else:
            raise Refusal(node, f"can't unpack {describe(x)} into {n} names")
        if star is None:
            if len(items) != n:
                raise Refusal(node, f"cannot unpack {len(items)} values into {n} names")
            return items
        after = n - 1 - star
        if len(items) < n - 1:
            raise Refusal(node, f"cannot unpack {len(items)} values into at least {n - 1} names")
        rest = list(items[star:len(items) - after])
        self.alloc(len(rest), node)
        return [*items[:star], rest, *items[len(items) - after:]]

    def getitem(self, x: object, key: object, node: ast.AST) -> object:
        t = type(x)
        if t in (list, tuple, str, range):
            if type(key) is slice:
                out = x[key]
                self.alloc(len(out), node)
                return out
            if type(key) not in (int, bool) and not isinstance(key, np.integer):
                raise Refusal(node, f"an index must be a whole number, not {describe(key)}")
            try:
                return x[key]
            except IndexError:
                raise Refusal(node, f"index {key} is out of range (length {len(x)})") from None
        if t is dict:
            try:
                return x[self.key(key, node)]
            except KeyError:
                raise Refusal(node, f"key {self.repr(key, node)} is not in the dict") from None
            except TypeError as e:
                raise Refusal(node, python_error(e)) from None
        if t is np.ndarray:
            return array_index(self, x, key, node)
        if t is Instance:
            f = x.cls.lookup("__getitem__")
            if type(f) is Function:
                return self.call_function(f, [x, key], None, node)
        if isinstance(x, StandIn):
            return x.index(self, key, node)
        raise Refusal(node, f"can't index {describe(x)} with [...]")

    def setitem(self, x: object, key: object, value: object, node: ast.AST) -> None:
        t = type(x)
        if t is list:
            if type(key) is slice:
                items = self.collect(value, node)
                x[key] = items
                if len(x) > MAX_ITEMS:
                    raise Refusal(node, limits.ITEMS_MESSAGE)
                return
            if type(key) not in (int, bool):
                raise Refusal(node, f"an index must be a whole number, not {describe(key)}")
            try:
                x[key] = value
            except IndexError:
                raise Refusal(node, f"index {key} is out of range (length {len(x)})") from None
            return
        if t is dict:
            if self.key(key, node) not in x:
                self.sized(len(x) + 1, node)
            try:
                x[key] = value
            except TypeError as e:
                raise Refusal(node, python_error(e)) from None
            return
        if t is np.ndarray:
            if not (is_number(value) or type(value) is np.ndarray):
                raise Refusal(node, f"an array holds numbers, not {describe(value)}")
            array_index(self, x, key, node)  # checks the key
            x[key] = value
            return
        raise Refusal(node, f"can't set items of {describe(x)}")
