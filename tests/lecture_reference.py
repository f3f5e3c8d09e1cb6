"""Run a lecture program with CPython and micrograd 0.1.0, as a learner's notebook would.

``python lecture_reference.py FILE`` prints what the program prints.  The lecture's
``tanh`` and ``exp`` are added to micrograd's Value, ``draw_dot``, ``matplotlib`` and
``graphviz`` (its ``Digraph``, for the lecture's own ``draw_dot``) are stubs, and IPython
magic lines are skipped, as gradlab skips them.  tests/data/make_references.py stores what it
prints for the programs the tests compare with gradlab's.

PyTorch is not installed here: a cell of a program that is one of ``stand_ins/*.ipy`` (its code,
its opening comment lines left out) is replaced by what PyTorch printed for it, recorded in
the ``.out`` file beside it, so that the rest of the program is still CPython's own run.
"""

import builtins
import math
import re
import sys
import types
from pathlib import Path

from micrograd.engine import Value


def tanh(self: Value) -> Value:
    x = self.data
    t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
    out = Value(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def exp(self: Value) -> Value:
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward() -> None:
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


class Digraph:
    """graphviz's Digraph as the lecture's draw_dot uses it (graphviz is not installed here)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.nodes: list[tuple] = []
        self.edges: list[tuple] = []

    def node(self, *args: object, **kwargs: object) -> None:
        self.nodes.append((args, kwargs))

    def edge(self, *args: object, **kwargs: object) -> None:
        self.edges.append((args, kwargs))


STAND_INS = Path(__file__).parent / "lecture_corpus" / "stand_ins"


def recorded_cells(source: str) -> str:
    """``source`` with each stand-in cell it holds replaced by a print of its recorded output."""
    for cell in sorted(STAND_INS.glob("*.ipy")):
        lines = cell.read_text(encoding="utf-8").splitlines()
        while lines and lines[0].startswith("#"):
            lines.pop(0)
        code = "\n".join(lines).strip()
        if code and code in source:
            out = cell.with_suffix(".out").read_text(encoding="utf-8").rstrip("\n") + "\n"
            source = source.replace(code, f"print({out!r}, end='')  # PyTorch's recorded output")
    return source


def main(path: str) -> None:
    Value.tanh, Value.exp = tanh, exp
    pyplot = types.ModuleType("matplotlib.pyplot")
    for name in ("plot", "scatter", "grid", "show", "title", "xlabel", "ylabel", "legend", "figure"):
        setattr(pyplot, name, lambda *args, **kwargs: None)
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.pyplot = pyplot
    graphviz = types.ModuleType("graphviz")
    graphviz.Digraph = Digraph
    sys.modules.update({"matplotlib": matplotlib, "matplotlib.pyplot": pyplot, "graphviz": graphviz})
    builtins.draw_dot = lambda root: None
    with open(path, encoding="utf-8") as f:
        source = recorded_cells(re.sub(r"^[ \t]*%.*$", "", f.read(), flags=re.M))
    exec(compile(source, path, "exec"), {"__name__": "__main__"})  # the reference run: CPython itself


if __name__ == "__main__":
    main(sys.argv[1])
