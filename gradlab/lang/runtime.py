"""One run of one program: its state, its limits and the rules every operation follows.

The compiled closures (gradlab.lang.compiler) call the methods here for anything
beyond moving values around: arithmetic, comparisons, attributes, indexing, calls,
iteration and text.  Each method accepts only the kinds of value it knows and
refuses the rest with a message, so no Python object a program can reach is ever
asked for something the language does not define.  The rules live in mixins, one
module per concern (arith, attributes, calls, items, spelling); Run holds the state they share.
"""

from __future__ import annotations

import ast
import random

import numpy as np

from gradlab.engine import Value, topological_order
from gradlab.lang import limits
from gradlab.lang.alive import collect_young, live_values, prune_bindings, resident_bytes
from gradlab.lang.arith import ArithRules
from gradlab.lang.attributes import AttributeRules
from gradlab.lang.calls import CallRules
from gradlab.lang.items import ItemRules
from gradlab.lang.limits import MAX_ITEMS, MAX_NODES
from gradlab.lang.objects import Builtin, Instance, Module, Refusal, is_number
from gradlab.lang.program import Program
from gradlab.lang.spelling import TextRules


def micrograd_backward(v: Value) -> None:
    """micrograd's ``backward()`` exactly: the root's grad becomes 1 and every node passes its
    grad on, in reverse topological order, adding to what is there (nothing is zeroed first)."""
    topo = topological_order(v)
    v.grad = 1  # micrograd's int one: the root prints grad=1
    for node in reversed(topo):
        fn = node._grad_fn
        if fn is not None:
            fn(node)


def is_value_like(x: object) -> bool:
    """A Value the graph can show: gradlab's, or a program's object with ``data`` and ``_prev``."""
    return type(x) is Value or (type(x) is Instance and "data" in x.attrs and "_prev" in x.attrs)


class Run(ArithRules, AttributeRules, CallRules, ItemRules, TextRules):
    """The state of one run: names, output, counters and limits (see gradlab.expr)."""

    def __init__(
        self,
        source: str,
        lines: list[str],
        deadline: float,
        clock,
        seconds: float,
        builtins: dict[str, Builtin],
        methods: dict[type, dict],
    ) -> None:
        """``builtins``: the names every program starts with; ``methods``: type -> name -> impl, the
        methods of lists, dicts, sets, text and tuples.  Both are shared by every run (read only):
        whoever makes the Run hands them over (gradlab.expr), so that the rules here import neither."""
        self.program = Program(source)
        self.lines = lines
        self.clock, self.deadline, self.seconds = clock, deadline, seconds
        self.globals: dict[str, object] = {}
        self.builtins = builtins  # a program binds names in its globals, never here
        self.methods = methods
        self.modules: dict[str, Module] = {}
        # the Values made since the last look at what is alive (check_alive), kept alive until
        # then so that their ids in ``seen`` stay unique
        self.made: list[Value] = []
        self.seen: set[int] = set()
        self.created = 0  # Values made before the last look
        self.live_at_check = 0  # Values alive at the last look
        self.node_room = MAX_NODES  # how many more may be made before the next look
        self.memory_start = resident_bytes()  # the process's memory when the run started
        self.collect_past = limits.COLLECT_BYTES  # grown past this, a look collects cyclic garbage
        self.current: ast.AST | None = None  # the statement being run
        self.call_depth = 0
        #: the innermost call of the program's own functions going on (gradlab.lang.call_records)
        self.call_top: object = None
        self.last_call: object = None  # the last one counted: None if the program made none
        self.printed_chars = 0
        self.partial = ""  # printed text not yet ended by a newline
        self.allocated = 0
        self.last_value: object = None
        self.backward_output: object = None
        self.drawn: object = None
        self.straight_line = True  # no loop, branch, function, class or comprehension compiled
        self._random: random.Random | None = None
        self._np_random: np.random.RandomState | None = None

    @property
    def random(self) -> random.Random:
        """The program's own ``random`` generator (made when first used: seeding it costs)."""
        if self._random is None:
            self._random = random.Random()
        return self._random

    @property
    def np_random(self) -> np.random.RandomState:
        if self._np_random is None:
            self._np_random = np.random.RandomState()
        return self._np_random

    # -- limits ----------------------------------------------------------------------------

    def timeout(self, node: ast.AST | None) -> None:
        raise Refusal(node, limits.timeout_message(self.seconds))

    def check_time(self, node: ast.AST | None = None) -> None:
        """Stop the run once it has used its time budget (node None: the current statement)."""
        if self.clock() > self.deadline:
            self.timeout(node)

    def alloc(self, n: int, node: ast.AST | None) -> None:
        """Count ``n`` more items made (list slots, characters, objects); every MAX_ALLOCATED of
        them, look at the memory the run holds (check_memory)."""
        self.allocated += n
        if self.allocated > limits.MAX_ALLOCATED:
            self.check_memory(n, node)

    def check_memory(self, n: int, node: ast.AST | None) -> None:
        """Refuse the run if it holds more than MAX_RUN_BYTES (or makes more than MAX_ALLOCATED
        items in one go); else count afresh.  Past COLLECT_BYTES, the reference cycles made since
        the last look are freed first (runs pause the cyclic collector: gradlab.collector)."""
        if n > limits.MAX_ALLOCATED or self.memory_start is None:  # no way to measure: the old rule
            raise Refusal(node, limits.ALLOCATED_MESSAGE)
        self.allocated = 0
        now = resident_bytes()
        if now is not None and now - self.memory_start > self.collect_past:
            # a program's own Value class leaves a reference cycle per node: free those made since
            # the last look (the memory they held is reused, though the process keeps it); a
            # program that leaves none is looked at less often (a collection walks all it made)
            found = collect_young()
            now = resident_bytes()
            self.collect_past = limits.COLLECT_BYTES if found > 1000 else 2 * (now - self.memory_start)
        if now is not None and now - self.memory_start > limits.MAX_RUN_BYTES:
            raise Refusal(node, limits.ALLOCATED_MESSAGE)

    def check_alive(self, node: ast.AST | None) -> None:
        """Count the Values alive now (those made and dropped are freed first) and refuse the
        run if there are more than MAX_NODES; the next look comes after ``node_room`` more."""
        self.created += len(self.made)
        self.made.clear()
        self.seen.clear()
        prune_bindings(self.program.bindings)
        live = live_values(MAX_NODES)
        if live > MAX_NODES:
            raise Refusal(node, limits.NODES_MESSAGE)
        self.live_at_check = live
        self.node_room = max(MAX_NODES - live, MAX_NODES // 4)

    def values_made(self) -> int:
        """How many gradlab Values the run has made, dropped ones included."""
        return self.created + len(self.made)

    def sized(self, n: int, node: ast.AST | None) -> None:
        """Refuse making one thing of ``n`` items if that is too many; else count them."""
        if n > MAX_ITEMS:
            raise Refusal(node, limits.ITEMS_MESSAGE)
        self.alloc(n, node)

    def track(self, v: Value, node: ast.AST | None) -> Value:
        """Count the Values an operation just created: the part of v's graph not seen since the
        last look at what is alive (check_alive)."""
        seen, made, top = self.seen, self.made, self.call_top
        if id(v) in seen:
            return v
        seen.add(id(v))
        made.append(v)
        if top is not None:
            v._call = top
        for p in v._prev:  # an op's operands are mostly counted already: then nothing more to walk
            if id(p) not in seen:
                # a network's forward pass hands over its whole new graph at once: the walk is a
                # hot loop, so its methods are looked up once
                stack = list(v._prev)
                pop, push, add, keep = stack.pop, stack.extend, seen.add, made.append
                while stack:
                    x = pop()
                    i = id(x)
                    if i not in seen:
                        add(i)
                        keep(x)
                        prev = x._prev
                        if prev:
                            push(prev)
                            if top is not None and not hasattr(x, "_call"):
                                x._call = top  # made by the library inside this call
                break
        if len(made) > self.node_room:
            self.check_alive(node)
        return v

    def track_result(self, x: object, node: ast.AST | None) -> object:
        """track() each Value in what a library call returned (a Value or a list of them)."""
        if type(x) is Value:
            return self.track(x, node)
        if type(x) is list:
            for v in x:
                if type(v) is Value:
                    self.track(v, node)
        return x

    # -- Values ------------------------------------------------------------------------------

    def value_method(self, node: ast.AST, v: Value, name: str, args: list, kwargs: dict | None) -> object:
        """``v.name()`` for a gradlab Value: an op, ``backward()`` or ``_backward()``."""
        if args or kwargs:
            raise Refusal(node, f"'.{name}()' takes no arguments here")
        if name == "backward":
            self.backward(v, node)
            return None
        if name == "_backward":
            v._backward()
            self.program.gradients_touched = True
            return None
        return self.track(getattr(v, name)(), node)

    def backward(self, v: object, node: ast.AST) -> None:
        """A program's ``v.backward()`` on a gradlab Value: micrograd's, accumulating."""
        self.check_time(node)
        micrograd_backward(v)
        self.backward_done(v)

    def backward_done(self, v: object) -> None:
        p = self.program
        p.backward_called = True
        if type(v) is Value:
            p.gradients_touched = True
        self.backward_output = v
        data = v.data if type(v) is Value else v.attrs.get("data")
        if is_number(data):
            p.losses.append(float(data))

    def bind_global(self, name: str, value: object, line: int) -> None:
        """A top-level assignment: a Value gets the name as its label (unless it has one)."""
        if type(value) is Value:
            if not value.label:
                value.label = name
            self.last_value = value
            self.program.bindings.append((name, value, line))
        elif type(value) is Instance and "data" in value.attrs and "_prev" in value.attrs:
            self.last_value = value
        self.globals[name] = value
        self.program.lines[name] = line
