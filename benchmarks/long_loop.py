"""Time the lecture's training loop in gradlab against CPython with micrograd 0.1.0, in the same run.

    python benchmarks/long_loop.py [--steps 2000] [--rounds 3] [--program micrograd|lecture|both]

``micrograd``: tests/data/lecture_loop.ipy, micrograd's ``MLP(3, [4, 4, 1])`` on the lecture's four
points (forward, loss, zero_grad, backward, update) for ``--steps`` steps.  ``lecture``: the same
loop on the lecture's own ``Value``, ``Neuron``, ``Layer`` and ``MLP`` classes, written in the
program (tests/lecture_corpus/lecture_mlp.ipy), which gradlab interprets line by line.  Each side
runs in a fresh Python process, ``--rounds`` times, and reports its best time (the machine may be
shared); the printed lines of both must agree (numbers to 1e-9).  Prints both times and the ratio;
exit status 1 if gradlab takes more than ``--limit`` (3) times CPython's time or prints otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this checkout's gradlab, whatever is installed
LOOP = ROOT / "tests" / "data" / "lecture_loop.ipy"
LECTURE = ROOT / "tests" / "lecture_corpus" / "lecture_mlp.ipy"


def program(name: str, steps: int) -> str:
    """The loop's text for ``steps`` steps."""
    if name == "micrograd":
        return LOOP.read_text(encoding="utf-8").replace("steps = 2000\n", f"steps = {steps}\n")
    return LECTURE.read_text(encoding="utf-8").replace("for k in range(20):", f"for k in range({steps}):")


def child(side: str, path: str) -> None:
    """In a fresh process: run the program once, print {"seconds": ..., "printed": [...]}."""
    source = Path(path).read_text(encoding="utf-8")
    if side == "gradlab":
        from gradlab import expr

        expr.MAX_SECONDS = 3600.0  # time the work, not the ceiling
        start = time.perf_counter()
        try:
            printed = expr.run_program(source).printed
        except expr.ExpressionError as e:  # refused: no time to compare
            print(json.dumps({"seconds": float("inf"), "printed": [f"refused: {e}"]}))
            return
        seconds = time.perf_counter() - start
    else:
        import contextlib
        import io

        import lecture_reference  # micrograd with the lecture's tanh and exp, as the notebook has

        out = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out):
            lecture_reference.main(path)
        seconds = time.perf_counter() - start
        printed = out.getvalue().splitlines()
    print(json.dumps({"seconds": seconds, "printed": printed}))


def best(side: str, path: Path, rounds: int) -> tuple[float, list[str]]:
    times, printed = [], []
    for _ in range(rounds):
        done = subprocess.run([sys.executable, __file__, "--child", side, str(path)], capture_output=True,
                              text=True, check=True, cwd=ROOT)
        result = json.loads(done.stdout)
        times.append(result["seconds"])
        printed = result["printed"]
    return min(times), printed


def compare(name: str, steps: int, rounds: int, scratch: Path) -> float:
    """Time one program both ways; its ratio (inf if the printed lines differ)."""
    from test_lecture_corpus import same_line

    path = scratch / f"{name}_{steps}.py"
    path.write_text(program(name, steps), encoding="utf-8")
    cpython, theirs = best("cpython", path, rounds)
    gradlab, ours = best("gradlab", path, rounds)
    same = len(ours) == len(theirs) and all(same_line(a, b) for a, b in zip(ours, theirs, strict=True))
    if not same:
        print(f"  gradlab: {ours[-1:]}  CPython: {theirs[-1:]}")
    ratio = gradlab / cpython
    print(f"{name + ' loop':<16} {steps:>6,} steps   CPython+micrograd {cpython:7.2f} s   "
          f"gradlab {gradlab:7.2f} s   ratio {ratio:5.2f}x   prints {'the same' if same else 'DIFFERENTLY'}")
    return ratio if same else float("inf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--program", choices=("micrograd", "lecture", "both"), default="both")
    parser.add_argument("--limit", type=float, default=3.0, help="the largest ratio that passes (3)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    import tempfile

    names = ("micrograd", "lecture") if args.program == "both" else (args.program,)
    with tempfile.TemporaryDirectory() as scratch:
        ratios = [compare(name, args.steps, args.rounds, Path(scratch)) for name in names]
    worst = max(ratios)
    print(f"worst ratio {worst:.2f}x (limit {args.limit:g}x): {'ok' if worst <= args.limit else 'TOO SLOW'}")
    return 0 if worst <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
