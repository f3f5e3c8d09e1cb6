"""Time the training core against micrograd 0.1.0: one demo step, the decision grid, 2,000 fast steps.

    python benchmarks/train_speed.py [--steps N] [--no-floors]

One demo step is micrograd's moons demo step on its 100 points
(``make_dataset("moons", 100, 0.1, seed=1337)``): forward through MLP 2-16-16-1,
hinge loss plus ``1e-4 * sum(p*p)``, backward, SGD at ``1.0 - 0.9*k/100``.  It is
timed for micrograd 0.1.0 (when installed; the notebook's code, from the same
weights), gradlab's scalar backend and its fast (numpy) backend, with the cyclic
garbage collector on (what a user gets) and off (collected outside the timer).

Floors (exit 1 if one is missed, unless ``--no-floors``): the fast step at least
1,000x micrograd's (gc off, the harder comparison); a 100x100 ``decision_grid``
of the demo network in at most 2 ms; 2,000 fast demo steps in under 2 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_vs_micrograd import micrograd, micrograd_step  # noqa: E402

from gradlab.datasets import make_dataset  # noqa: E402
from gradlab.training import TrainConfig, Trainer  # noqa: E402

if micrograd is not None:
    import micrograd.nn as mg_nn

FLOOR_RATIO = 1000.0
FLOOR_GRID_MS = 2.0
FLOOR_FAST_RUN_S = 2.0
FAST_STEPS = 2000


def ms(ts: list[float]) -> str:
    return f"median {1e3 * statistics.median(ts):9.3f} ms   best {1e3 * min(ts):9.3f} ms"


def timed_steps(step, steps: int, gc_on: bool) -> list[float]:
    """The time of each of ``step(0) .. step(steps-1)``; with ``gc_on`` false the collector is
    paused for the whole run (collected once before it, outside the timer)."""
    gc.collect()
    if not gc_on:
        gc.disable()
    times = []
    try:
        for k in range(steps):
            t0 = time.perf_counter()
            step(k)
            times.append(time.perf_counter() - t0)
    finally:
        gc.enable()
    gc.collect()
    return times


def time_micrograd(steps: int, gc_on: bool, X: list, ys: list, weights: list[float]) -> list[float]:
    model = mg_nn.MLP(2, [16, 16, 1])
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w
    return timed_steps(lambda k: micrograd_step(model, k, X, ys), steps, gc_on)


def time_backend(backend: str, steps: int, gc_on: bool, data) -> list[float]:
    trainer = Trainer(data, TrainConfig(), backend=backend)
    return timed_steps(lambda k: trainer.step(), steps, gc_on)


def time_grid(trainer: Trainer, bounds, repeats: int = 200) -> list[float]:
    trainer.decision_grid(bounds, 100)  # the first call builds the grid's inputs once
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        trainer.decision_grid(bounds, 100)
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5,
                        help="micrograd and scalar demo steps timed per setting (default 5)")
    parser.add_argument("--no-floors", action="store_true", help="report only; never exit 1")
    args = parser.parse_args()

    data = make_dataset("moons", 100, 0.1, seed=1337)
    X = data.X.tolist()
    ys = [1.0 if label == 1 else -1.0 for label in data.y.tolist()]
    weights = Trainer(data, TrainConfig()).parameters()
    print(f"moons demo step: MLP 2-16-16-1, {len(X)} points, full batch; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if micrograd is None:
        print("micrograd is not installed (pip install micrograd==0.1.0): no micrograd figures")

    medians: dict[tuple[str, bool], float] = {}
    for gc_on in (True, False):
        tag = "gc on " if gc_on else "gc off"
        runs = [("scalar", time_backend("scalar", args.steps, gc_on, data)),
                ("fast", time_backend("fast", 500, gc_on, data))]
        if micrograd is not None:
            runs.insert(0, ("micrograd", time_micrograd(args.steps, gc_on, X, ys, weights)))
        for name, ts in runs:
            medians[name, gc_on] = statistics.median(ts)
            print(f"[{tag}] {name:9s} {ms(ts)}")
        fast = medians["fast", gc_on]
        ratios = [f"scalar/fast {medians['scalar', gc_on] / fast:,.0f}x"]
        if micrograd is not None:
            mg = medians["micrograd", gc_on]
            ratios = [f"micrograd/fast {mg / fast:,.0f}x",
                      f"micrograd/scalar {mg / medians['scalar', gc_on]:.2f}x", *ratios]
        print(f"[{tag}] " + "   ".join(ratios))

    trainer = Trainer(data, TrainConfig())
    gc.collect()
    t0 = time.perf_counter()
    trainer.run(FAST_STEPS)
    run_s = time.perf_counter() - t0
    grid = time_grid(trainer, data.bounds())
    grid_ms = 1e3 * statistics.median(grid)
    print(f"{FAST_STEPS:,} fast demo steps: {run_s:.3f} s ({1e6 * run_s / FAST_STEPS:.1f} us per step), "
          f"final loss {trainer.history[-1].loss:.6f}, accuracy {100 * trainer.history[-1].accuracy:.1f}%")
    print(f"decision_grid 100x100: {ms(grid)}")

    failures = []
    if micrograd is not None:
        ratio = medians["micrograd", False] / medians["fast", False]
        gc_on_ratio = medians["micrograd", True] / medians["fast", True]
        print(f"fast step vs micrograd 0.1.0: {ratio:,.0f}x with gc off, {gc_on_ratio:,.0f}x with gc on "
              f"(floor {FLOOR_RATIO:,.0f}x)")
        if ratio < FLOOR_RATIO:
            failures.append(f"fast step only {ratio:,.0f}x micrograd's (floor {FLOOR_RATIO:,.0f}x)")
    if grid_ms > FLOOR_GRID_MS:
        failures.append(f"decision_grid takes {grid_ms:.2f} ms (floor {FLOOR_GRID_MS:g} ms)")
    if run_s >= FLOOR_FAST_RUN_S:
        failures.append(f"{FAST_STEPS:,} fast steps take {run_s:.2f} s (floor {FLOOR_FAST_RUN_S:g} s)")
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures:
        print("PASS: every floor met")
    return 1 if failures and not args.no_floors else 0


if __name__ == "__main__":
    raise SystemExit(main())
