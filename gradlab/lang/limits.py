"""The language's limits and the names it knows; gradlab.expr re-exports them."""

from __future__ import annotations

from gradlab import ops

MAX_SOURCE_CHARS = 300_000
MAX_DEPTH = 200
#: most gradlab Values a run may hold at once (made and since dropped ones do not count)
MAX_NODES = 100_000
MAX_PRINTED_LINES = 10_000
MAX_PRINTED_CHARS = 1_000_000
MAX_FORMAT_WIDTH = 1_000
MAX_INT_BITS = 1_000
MAX_CALL_DEPTH = 400
MAX_ITEMS = 1_000_000
#: items (list slots, characters, objects) a run may make between two looks at its memory
MAX_ALLOCATED = 10_000_000
#: the memory a run may hold at once, over what its process held when it started
MAX_RUN_BYTES = 512 << 20
#: past this much more memory, each look at it collects the run's new cyclic garbage first
COLLECT_BYTES = 64 << 20
#: the longest a run may take, in seconds of wall-clock time (gradlab.expr.MAX_SECONDS is the
#: knob read at each run; ``gradlab run --timeout`` sets another): a ceiling for runaway
#: programs only, since a run the learner waits for shows Running... Stop in the app
MAX_RUN_SECONDS = 60.0
#: the address space of the process that runs programs (gradlab.worker): its memory ceiling
MAX_MEMORY_BYTES = 1 << 30
#: processor time one run may use before the operating system ends its process: a backstop
#: behind the wall-clock ceiling (gradlab.worker), for a worker whose app has gone
MAX_CPU_SECONDS = 90

DEPTH_MESSAGE = f"this line is nested too deeply (more than {MAX_DEPTH} levels)"
CALL_DEPTH_MESSAGE = f"this program recurses too deeply (more than {MAX_CALL_DEPTH:,} calls deep)"
IMPORT_MESSAGE = (
    "can't be imported here; a program can import micrograd.engine, micrograd.nn, "
    "math, random, numpy, matplotlib.pyplot, graphviz and torch (gradlab's stand-ins)"
)
ITEMS_MESSAGE = f"this would make something of more than {MAX_ITEMS:,} items"
ALLOCATED_MESSAGE = f"this program holds more than {MAX_RUN_BYTES >> 20} MB of memory at once"
NODES_MESSAGE = f"this program holds more than {MAX_NODES:,} values at once"
MEMORY_MESSAGE = f"this program needs more than the {MAX_MEMORY_BYTES >> 30} GB of memory a program may use"
KEY_DEPTH_MESSAGE = (
    f"this tuple is nested too deeply to be a key or a set item (more than {MAX_DEPTH} levels)"
)
KEY_ITEMS_MESSAGE = (
    f"this tuple holds too many items, repeats counted, to be a key or a set item (more than {MAX_ITEMS:,})"
)
NETWORK_MESSAGE = f"a network here has at most {MAX_NODES:,} parameters"
PRINTED_CHARS_MESSAGE = f"this program prints more than {MAX_PRINTED_CHARS:,} characters"


def timeout_message(seconds: float) -> str:
    """What a run stopped at its time budget says (the interpreter's check, or the worker's kill)."""
    return f"this program took longer than {seconds:g} s to run; it stopped here"


class _Names:
    """The op table's names (gradlab.ops.UNARY, read live, so a registered op is allowed) plus ``extra``."""

    def __init__(self, *extra: str) -> None:
        self.extra = extra

    def __contains__(self, name: object) -> bool:
        return name in ops.UNARY or name in self.extra

    def __iter__(self):
        return iter((*ops.UNARY, *self.extra))


_FUNCTIONS = _Names()  # relu(x), tanh(x), ...: every unary op
_METHODS = _Names("backward", "_backward")
#: names a top-level assignment may not rebind (Value may be: the lecture defines its own class Value)
_BUILTINS = _Names("print")
_ATTRIBUTES = ("data", "grad", "label")
