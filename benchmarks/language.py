"""Time ``run_program`` on straight-line programs, before and after: a baseline checkout and this one.

    python benchmarks/language.py [--baseline REF] [--repeat N] [--rounds R]

The baseline is ``gradlab/`` at git ref REF (default ``main``), extracted to a temporary
folder; the two sides run in alternating Python processes (R each) with the same harness,
and each reports the best of all its runs (the minimum: the machine may be shared).
Programs: the seed example (the app's first screen), a 10,000-line straight program (10,000
inputs summed in lines of 100 terms, then ``backward()``), and the lecture's MLP training
loop (new: refused by a baseline without loops, shown as such).  Exit 1 if a straight-line
program got more than 25% slower.
"""

from __future__ import annotations

import sys
import time

from baseline import ROOT, command_line, compare

STRAIGHT = ("seed example", "10,000-line program")


def _best(a: float | None, b: float | None) -> float | None:
    """The shorter time; None (refused) on either side stays None."""
    return None if a is None or b is None else min(a, b)


def programs() -> dict[str, str]:
    lines = [f"x{i} = Value({i % 10})" for i in range(10_000)]
    lines.append("s = " + " + ".join(f"x{j}" for j in range(100)))
    lines += ["s = s + " + " + ".join(f"x{j}" for j in range(k, k + 100)) for k in range(100, 10_000, 100)]
    lines.append("s.backward()")
    return {
        "seed example": (ROOT / "resources" / "examples" / "01_seed.py").read_text(encoding="utf-8"),
        "10,000-line program": "\n".join(lines),
        "lecture training loop": (ROOT / "tests" / "lecture_corpus" / "lecture_mlp.ipy").read_text(
            encoding="utf-8"
        ),
    }


def measure(repeat: int) -> dict[str, float | None]:
    """In the child process: best seconds per program, None if the language refuses it."""
    from gradlab import expr

    expr.MAX_SECONDS = 60.0  # time the work, not the budget
    out: dict[str, float | None] = {}
    for name, source in programs().items():
        best = None
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                expr.run_program(source)
            except expr.ExpressionError:
                break
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
        out[name] = best
    return out


def main() -> int:
    args = command_line(__doc__, 3, measure)
    before, after = compare(__file__, args.baseline, args.rounds, args.repeat, ["gradlab"], _best)
    print(f"{'program':<24} {'before (' + args.baseline + ')':>16} {'after':>10} {'ratio':>7}")
    slower = False
    for name in programs():
        b, a = before[name], after[name]
        ratio = f"{a / b:7.2f}" if a is not None and b is not None else "      -"
        show = lambda t: f"{t * 1000:8.1f} ms" if t is not None else "   refused"  # noqa: E731
        print(f"{name:<24} {show(b):>16} {show(a):>10} {ratio}")
        slower |= name in STRAIGHT and a is not None and b is not None and a > 1.25 * b
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())
