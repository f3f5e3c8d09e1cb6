"""Programs and graphs that several test files share (tests/ is on sys.path through conftest)."""

import importlib.util
import random
import threading
import time
from pathlib import Path

from gradlab import resources
from gradlab.engine import Value
from gradlab.labs.expression import ExpressionCore
from gradlab.labs.program_runs import outcome


def _load_references():
    """tests/data/make_references.py, which computes (and stores) micrograd's and CPython's own
    numbers: loaded from its file (tests/data is a folder of data, not a package)."""
    path = Path(__file__).parent / "data" / "make_references.py"
    spec = importlib.util.spec_from_file_location("make_references", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCES = _load_references()

#: micrograd's README example as the app ships it (resources/examples/01_seed.py)
SEED = resources.example("seed").source()


def seed_graph(a: Value, b: Value) -> Value:
    """The seed's expression of ``a`` and ``b``, with ``e`` and ``g`` labelled."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    e.label = "e"
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.label = "g"
    return g


def seed_expression(a_data: float = -4.0, b_data: float = 2.0) -> Value:
    """The seed's output g (24.7041 at the defaults), built from labelled leaves a and b."""
    return seed_graph(Value(a_data, label="a"), Value(b_data, label="b"))


def random_expression(n_values: int, seed: int = 0) -> Value:
    """Sums, products, tanh and ReLU of earlier nodes, everything feeding one output."""
    rng = random.Random(seed)
    nodes = [Value(rng.uniform(-1.5, 1.5), label=f"x{i}") for i in range(max(2, n_values // 20))]
    unused = list(nodes)
    while len(nodes) < n_values / 1.33:
        recent = nodes[-40:]
        a = unused.pop(rng.randrange(len(unused))) if unused and rng.random() < 0.7 else rng.choice(recent)
        b = rng.choice(recent)
        r = rng.random()
        v = a + b if r < 0.35 else a * b if r < 0.6 else a.tanh() if r < 0.85 else a.relu()
        nodes.append(v)
        unused.append(v)
    while len(unused) > 1:
        unused = [unused[i] + unused[i + 1] if i + 1 < len(unused) else unused[i]
                  for i in range(0, len(unused), 2)]
    return unused[0]


def many_inputs(n: int) -> str:
    """``n`` inputs ``x0 .. x{n-1}`` (x_i = i / 10) and their sum ``s``, within the language's limits."""
    lines = [f"x{i} = Value({i / 10})" for i in range(n)]
    lines.append("s = x0")
    lines += ["s = s + " + " + ".join(f"x{i}" for i in range(k, min(k + 10, n))) for k in range(1, n, 10)]
    return "\n".join(lines) + "\n"


class ManualRunner:
    """An expression core's runner that keeps each request until the test runs it: a worker
    thread whose timing the test picks."""

    def __init__(self) -> None:
        self.jobs: list[tuple] = []
        self.core: ExpressionCore | None = None

    def request(self, work, ticket, supersede=False) -> None:
        self.jobs.append((work, ticket))

    def cancel(self) -> None:
        pass

    def busy(self) -> bool:
        return bool(self.jobs)

    def finish(self, k: int = 0) -> None:
        """Run request ``k`` (the oldest by default) and hand its outcome to the core."""
        work, ticket = self.jobs.pop(k)
        self.core.take_result(ticket, outcome(work, threading.Event()))

    def finish_all(self) -> None:
        while self.jobs:
            self.finish()


def manual_core() -> tuple[ExpressionCore, ManualRunner]:
    runner = ManualRunner()
    core = runner.core = ExpressionCore(runner=runner)
    return core, runner


def hinge_loop(seed: int, steps: int) -> str:
    """The lecture's loop (micrograd's MLP(2, [4, 4, 1]), a forward pass, the hinge loss, zero_grad,
    backward, the update) on six points of two inputs, ``steps`` steps from ``random.seed(seed)``."""
    return f"""\
from micrograd.nn import MLP
import random
random.seed({seed})
xs = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0], [1.0, 1.0], [-1.0, 0.5], [-2.0, -1.5]]
ys = [1.0, -1.0, -1.0, 1.0, 1.0, -1.0]
n = MLP(2, [4, 4, 1])
for k in range({steps}):
    ypred = [n(x) for x in xs]
    loss = sum((1 + -y * s).relu() for y, s in zip(ys, ypred)) * (1.0 / len(ys))
    n.zero_grad()
    loss.backward()
    for p in n.parameters():
        p.data += -0.05 * p.grad
"""


class ClockFromLine:
    """A run's clock (to put in place of gradlab.expr._clock) that starts when the run reaches
    line ``line``: it reads 0 until then, and the seconds since after, so that a short time budget
    is all spent on that line.  Pass ``cell`` as run_program's ``line``: the run writes the line it
    is at there before each read."""

    def __init__(self, line: int) -> None:
        self.cell = [0]
        self.line = line
        self.start: float | None = None  # time.monotonic() when the run reached the line

    def __call__(self) -> float:
        if self.cell[0] < self.line:
            return 0.0
        if self.start is None:
            self.start = time.monotonic()
        return time.monotonic() - self.start
