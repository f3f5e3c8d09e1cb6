"""Regenerate the reference numbers the tests compare against: ``python tests/data/make_references.py``.

micrograd_demo.json holds micrograd 0.1.0's demo notebook run (100 steps on the demo moons:
total loss and accuracy of every step).  Running micrograd takes about half a minute, so the fast
tests read this file; one slow test (tests/training/test_training.py, ``-m slow``) runs micrograd again
and checks the file still holds what it computes.
"""

from __future__ import annotations

import gc
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO_FILE = HERE / "micrograd_demo.json"
DEMO_STEPS = 100


def demo_data():
    """The data of micrograd's demo notebook: (X, ys) with labels as -1/+1."""
    from gradlab.datasets import make_dataset

    demo = make_dataset("moons", 100, 0.1, seed=1337)
    return demo.X.tolist(), [1 if label == 1 else -1 for label in demo.y.tolist()]


def micrograd_demo(X: list, ys: list, steps: int) -> list[tuple[float, float]]:
    """micrograd's demo notebook, cell for cell: (total_loss, accuracy) of every step."""
    from micrograd.engine import Value  # noqa: F401  (micrograd.nn builds on it)
    from micrograd.nn import MLP

    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    out = []
    gc.disable()  # each step's graph is freed by _free_graph, at once: no collector passes needed
    try:
        for k in range(steps):
            inputs = [list(map(Value, xrow)) for xrow in X]
            scores = list(map(model, inputs))
            losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
            data_loss = sum(losses) * (1.0 / len(losses))
            alpha = 1e-4
            reg_loss = alpha * sum(p * p for p in model.parameters())
            total_loss = data_loss + reg_loss
            accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(ys, scores, strict=True)]
            out.append((total_loss.data, sum(accuracy) / len(accuracy)))
            model.zero_grad()
            # all alive now (the graph too) is left out of _free_graph's search, which then passes over
            # only what backward() makes: a few objects, not the graph's million (15 ms of a step's 270)
            gc.freeze()
            total_loss.backward()
            learning_rate = 1.0 - 0.9 * k / 100
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            _free_graph(total_loss)
    finally:
        gc.unfreeze()
        gc.enable()
        gc.collect()
    return out


def _free_graph(root) -> None:
    """Let reference counting free a finished step's graph (the step's numbers are taken already).

    micrograd's graph is made of reference cycles (each computed node's ``_backward`` closure
    holds the node) and ``backward()`` leaves its sort in another (its nested ``build_topo``
    holds the ``topo`` list and the ``visited`` set).  Left to the cyclic collector, a step's
    graph takes longer to collect than to compute, or, collected once at the end, 100 steps'
    graphs take over 5 GB.  So the leftover list and set (the lists and sets that hold the
    root) are emptied and the computed nodes' closures dropped: the nodes are micrograd's, the
    parameters (leaves, whose ``_backward`` holds nothing) are left as they are.
    """
    for holder in gc.get_referrers(root):  # among what was made since gc.freeze(): backward's own
        if type(holder) is list and holder and holder[-1] is root:  # backward's topo: root last
            for v in holder:
                if v._prev:
                    v._backward = None
            holder.clear()
        elif type(holder) is set and root in holder:  # backward's visited
            holder.clear()


def compute_demo() -> list[list[float]]:
    return [list(row) for row in micrograd_demo(*demo_data(), DEMO_STEPS)]


def read_demo() -> list[tuple[float, float]]:
    return [tuple(row) for row in json.loads(DEMO_FILE.read_text(encoding="utf-8"))["losses"]]


def main() -> None:
    sys.path.insert(0, str(HERE.parents[1]))  # this checkout's gradlab, whatever is installed
    record = {
        "about": "micrograd 0.1.0's demo notebook on make_dataset('moons', 100, 0.1, seed=1337): "
        "[total_loss, accuracy] per step; regenerate with python tests/data/make_references.py",
        "losses": compute_demo(),
    }
    DEMO_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DEMO_FILE} ({len(record['losses'])} steps)")


if __name__ == "__main__":
    main()
