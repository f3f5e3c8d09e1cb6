"""Regenerate the reference numbers the tests compare against: ``python tests/data/make_references.py``.

micrograd_demo.json holds micrograd 0.1.0's demo notebook run (100 steps on the demo moons:
total loss and accuracy of every step), with the sha256 of the code that ran it.  Running micrograd
takes about half a minute, so the tests read this file: gradlab's two backends are checked against
all 100 steps, and tests/training/test_training.py runs micrograd for its first ``DEMO_CHECKED_STEPS``
and checks the file begins with what it computes.

lecture_references.json holds what CPython with micrograd 0.1.0 prints (tests/lecture_reference.py)
for every program whose printed lines the tests compare with gradlab's: the programs in
tests/lecture_corpus/ and the lecture's loop (lecture_loop.ipy) at each of ``LOOP_STEPS``.  Each
entry keeps the sha256 of the exact source it was made from, and the file the sha256 of the runner
and its recorded stand-ins, so that a test reading a program whose source (or runner) changed since
fails, naming this script, rather than comparing with stale lines.  tests/test_lecture_corpus.py
runs the runner on one small program and checks its lines against the stored ones.

``python tests/data/make_references.py lecture`` (or ``demo``) regenerates one file alone;
``--check`` computes everything again and compares it with the stored files, writing nothing
(exit status 1 and the differences if they differ): run it after upgrading micrograd or Python.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import inspect
import json
import math
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO_FILE = HERE / "micrograd_demo.json"
DEMO_STEPS = 100
#: how closely two runs of micrograd agree: it sums gradients in set order, so its own runs differ
#: in the last digits, never by more than this
AGREE = 1e-9
#: the steps of micrograd's own run the tests make again (a quarter second each) to check the file
DEMO_CHECKED_STEPS = 3
TESTS = HERE.parent
LECTURE_FILE = HERE / "lecture_references.json"
RUNNER = TESTS / "lecture_reference.py"
STAND_INS = TESTS / "lecture_corpus" / "stand_ins"
LOOP = HERE / "lecture_loop.ipy"
#: the step counts of the lecture's loop that tests/test_long_loop.py compares with CPython's
LOOP_STEPS = (400, 2000)
REGENERATE = "python tests/data/make_references.py"


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


def demo_sha256() -> str:
    """The hash of what micrograd_demo.json hangs on: the code that runs the demo, and micrograd's version."""
    from importlib.metadata import version

    code = "".join(inspect.getsource(f) for f in (demo_data, micrograd_demo))
    return sha256(f"micrograd {version('micrograd')}\n{code}")


def read_demo() -> list[tuple[float, float]]:
    """The stored steps; a failed assertion, naming this script, if the code that made them changed."""
    record = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert record.get("sha256") == demo_sha256(), (
        f"micrograd's version or the demo's code changed since {DEMO_FILE.name} was made: "
        f"regenerate with {REGENERATE} demo"
    )
    return [tuple(row) for row in record["losses"]]


def demo_differences(ran: list, stored: list) -> list[str]:
    """Where two runs of the demo differ: losses by more than ``AGREE``, or accuracies at all."""
    return [f"step {step}: {got} against the stored {kept}"
            for step, (got, kept) in enumerate(zip(ran, stored, strict=True))
            if abs(got[0] - kept[0]) > AGREE or got[1] != kept[1]]


def loop_source(steps: int) -> str:
    """The lecture's loop (lecture_loop.ipy, written for 2,000 steps) for ``steps`` steps."""
    source = LOOP.read_text(encoding="utf-8")
    assert "steps = 2000\n" in source
    return source.replace("steps = 2000\n", f"steps = {steps}\n")


def loop_name(steps: int) -> str:
    return f"data/lecture_loop.ipy at {steps} steps"


def corpus_name(path: Path) -> str:
    """A corpus program's name in the stored file: its path under tests/."""
    return path.resolve().relative_to(TESTS).as_posix()


def lecture_programs() -> dict[str, str]:
    """Every program whose CPython output the tests compare with gradlab's, by name: its source."""
    programs = {corpus_name(path): path.read_text(encoding="utf-8")
                for path in sorted((TESTS / "lecture_corpus").glob("*.ipy"))}
    programs.update({loop_name(steps): loop_source(steps) for steps in LOOP_STEPS})
    return programs


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def runner_sha256() -> str:
    """The hash of what the runner's output hangs on besides the program: itself and the stand-ins."""
    parts = [RUNNER, *sorted(STAND_INS.iterdir())]
    return sha256("\n".join(f"{p.name}\n{p.read_text(encoding='utf-8')}" for p in parts))


def cpython_prints(source: str) -> list[str]:
    """What CPython with micrograd 0.1.0 prints for ``source`` (tests/lecture_reference.py), in a
    process of its own: the runner adds to micrograd's Value and stubs modules as it goes."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "program.py"
        path.write_text(source, encoding="utf-8")
        done = subprocess.run([sys.executable, str(RUNNER), str(path)], capture_output=True, text=True,
                              timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@functools.cache
def _lecture_record() -> dict:
    return json.loads(LECTURE_FILE.read_text(encoding="utf-8"))


NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?|-?\bnan\b|-?\binf\b")


def same_line(ours: str, theirs: str) -> bool:
    """Two printed lines say the same: the same words, and numbers equal to ``AGREE``."""
    if NUMBER.sub("#", ours) != NUMBER.sub("#", theirs):
        return False
    for a, b in zip(NUMBER.findall(ours), NUMBER.findall(theirs), strict=True):
        x, y = float(a), float(b)
        if not (
            x == y or math.isclose(x, y, rel_tol=AGREE, abs_tol=AGREE) or (math.isnan(x) and math.isnan(y))
        ):
            return False
    return True


def print_differences(ours: list[str], theirs: list[str]) -> list[tuple[int, str, str]]:
    """The lines (index, ours, theirs) that do not say the same; a failed assertion if the two
    printed different numbers of lines."""
    assert len(ours) == len(theirs), f"{len(ours)} lines printed, {len(theirs)} stored"
    return [(i, a, b) for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if not same_line(a, b)]


def stored_prints(name: str, source: str) -> list[str]:
    """The lines CPython printed for the program ``name``, as lecture_references.json stores them;
    a failed assertion, naming the program and this script, if ``source`` is not what they were
    made from."""
    entry = _lecture_record()["programs"].get(name)
    assert entry is not None, f"no stored CPython output for {name}: regenerate with {REGENERATE}"
    assert entry["sha256"] == sha256(source), (
        f"{name} changed since its CPython output was stored: regenerate with {REGENERATE}"
    )
    return list(entry["printed"])


def stored_runner_sha256() -> str:
    return _lecture_record()["runner_sha256"]


def write_demo() -> None:
    record = {
        "about": "micrograd 0.1.0's demo notebook on make_dataset('moons', 100, 0.1, seed=1337): "
        f"[total_loss, accuracy] per step; regenerate with {REGENERATE}",
        "sha256": demo_sha256(),
        "losses": compute_demo(),
    }
    DEMO_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DEMO_FILE} ({len(record['losses'])} steps)")


def write_lecture() -> None:
    programs = lecture_programs()
    record = {
        "about": "what CPython with micrograd 0.1.0 prints (tests/lecture_reference.py) for each program, "
        f"with the sha256 of the source it ran; regenerate with {REGENERATE}",
        "runner_sha256": runner_sha256(),
        "programs": {name: {"sha256": sha256(source), "printed": cpython_prints(source)}
                     for name, source in programs.items()},
    }
    LECTURE_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {LECTURE_FILE} ({len(programs)} programs)")


def check_demo() -> list[str]:
    return demo_differences(compute_demo(), read_demo())


def check_lecture() -> list[str]:
    assert stored_runner_sha256() == runner_sha256(), f"the runner changed: regenerate with {REGENERATE}"
    return [f"{name}: CPython prints other lines now" for name, source in lecture_programs().items()
            if print_differences(cpython_prints(source), stored_prints(name, source))]


def main(args: list[str]) -> int:
    sys.path.insert(0, str(HERE.parents[1]))  # this checkout's gradlab, whatever is installed
    check = "--check" in args
    parts = [a for a in args if a != "--check"]
    writers = {"demo": write_demo, "lecture": write_lecture}
    checkers = {"demo": check_demo, "lecture": check_lecture}
    unknown = sorted(set(parts) - set(writers))
    if unknown:
        print(f"unknown part {unknown[0]!r}; choose from {', '.join(writers)} (and --check)")
        return 2
    differences = []
    for part in parts or list(writers):
        if check:
            found = checkers[part]()
            print(f"{part}: {'differs' if found else 'the stored file holds what runs now'}")
            differences += found
        else:
            writers[part]()
    for line in differences:
        print(line)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
