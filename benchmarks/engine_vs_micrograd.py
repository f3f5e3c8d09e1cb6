"""Time micrograd's moons demo training step on gradlab's engine and on micrograd 0.1.0.

    python benchmarks/engine_vs_micrograd.py [--steps N] [--floor X]

One step is the demo's full-batch step on 100 two-moons points: forward through
an MLP(2, [16, 16, 1]), hinge loss ``(1 + -yi*scorei).relu()`` averaged plus
``1e-4 * sum(p*p)``, zero_grad, backward, SGD with ``lr = 1.0 - 0.9*k/100``.
Both models start from the same weights and train for the same steps, one
engine after the other; their losses must agree to 1e-9 at every step (exit 1
if not).

Timings are with the cyclic garbage collector on (what a user gets: micrograd's
closures make reference cycles, so the collector runs during its steps) and off
(collecting between steps, outside the timer).  Exit 1 as well if gradlab is
not at least ``--floor`` times faster (0 turns the check off).
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradlab import nn  # noqa: E402

try:
    import micrograd
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:  # micrograd is an optional benchmark dependency
    micrograd = None

ALPHA = 1e-4
TOLERANCE = 1e-9


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """sklearn's ``make_moons`` (two interleaving half circles), labels in {-1, 1}."""
    rng = np.random.default_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, math.pi, n_out), np.linspace(0, math.pi, n_in)
    x = np.concatenate([np.cos(t_out), 1 - np.cos(t_in)])
    y = np.concatenate([np.sin(t_out), 1 - np.sin(t_in) - 0.5])
    X = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    labels = np.concatenate([-np.ones(n_out), np.ones(n_in)])
    order = rng.permutation(n)
    return X[order].tolist(), labels[order].tolist()


def gradlab_step(model: nn.MLP, opt: nn.SGD, X: list[list[float]], ys: list[float]) -> float:
    """The demo step written with gradlab.nn (same expressions, so the same floats)."""
    scores = [model(x) for x in X]
    total_loss = nn.svm_loss(scores, ys) + nn.l2_regularization(model.parameters(), ALPHA)
    opt.zero_grad()
    total_loss.backward()
    opt.step()
    return total_loss.data


def micrograd_step(model, k: int, X: list[list[float]], ys: list[float]) -> float:
    """The demo step exactly as in micrograd's demo.ipynb."""
    Value = mg_engine.Value
    inputs = [list(map(Value, xrow)) for xrow in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total_loss.data


def timed_run(step, steps: int, gc_on: bool) -> tuple[list[float], list[float]]:
    """Run ``step(k)`` for k = 0 .. steps-1; the time and the loss of each step."""
    gc.collect()  # start clean: no garbage left over from another run
    times, losses = [], []
    for k in range(steps):
        if not gc_on:
            gc.collect()  # outside the timer
            gc.disable()
        try:
            t0 = time.perf_counter()
            loss = step(k)
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
        losses.append(loss)
    return times, losses


def run(steps: int, gc_on: bool, X, ys) -> tuple[list[float], list[float] | None, bool]:
    """Train each model on its own for ``steps`` steps; per-step times and whether the losses agree.

    The runs are not interleaved, so neither engine's collector walks the other's garbage.
    """
    ours = nn.MLP(2, [16, 16, 1], seed=1337)
    theirs = None
    if micrograd is not None:
        theirs = mg_nn.MLP(2, [16, 16, 1])
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            q.data = p.data  # the same initial weights
    opt = nn.SGD(ours.parameters(), lr=1.0, schedule=nn.moons_schedule(steps=100))
    t_ours, l_ours = timed_run(lambda k: gradlab_step(ours, opt, X, ys), steps, gc_on)
    if theirs is None:
        return t_ours, None, True
    t_theirs, l_theirs = timed_run(lambda k: micrograd_step(theirs, k, X, ys), steps, gc_on)
    same = True
    for k, (a, b) in enumerate(zip(l_ours, l_theirs, strict=True)):
        if not abs(a - b) <= TOLERANCE:
            print(f"  step {k}: gradlab loss {a!r} != micrograd loss {b!r}")
            same = False
    return t_ours, t_theirs, same


def ms(ts: list[float]) -> str:
    return f"median {1e3 * statistics.median(ts):7.1f} ms   best {1e3 * min(ts):7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=7, help="training steps timed per setting (default 7)")
    parser.add_argument("--floor", type=float, default=5.0, help="minimum speed-up required (default 5)")
    args = parser.parse_args()

    X, ys = make_moons(100, noise=0.1, seed=1)
    print(f"moons step: MLP(2, [16, 16, 1]), {len(X)} points, full batch, {args.steps} steps per setting")
    if micrograd is None:
        print("micrograd is not installed (pip install micrograd==0.1.0): timing gradlab only")

    ok, ratios = True, {}
    for label, gc_on in (("gc on ", True), ("gc off", False)):
        t_ours, t_theirs, same = run(args.steps, gc_on, X, ys)
        print(f"[{label}] gradlab   {ms(t_ours)}")
        if t_theirs is not None:
            ratio = statistics.median(t_theirs) / statistics.median(t_ours)
            ratios[gc_on] = ratio
            print(f"[{label}] micrograd {ms(t_theirs)}   ratio {ratio:.1f}x")
            print(f"[{label}] same loss at every step (to {TOLERANCE:g}): {'PASS' if same else 'FAIL'}")
            ok &= same
    if micrograd is None:
        return 0

    ratio = ratios[True]
    version = getattr(micrograd, "__version__", "0.1.0")
    print(
        f"gradlab is {ratio:.1f}x faster than micrograd {version} on the moons step "
        f"(floor {args.floor:g}x; {ratios[False]:.1f}x with gc off)"
    )
    if not ok:
        print("FAIL: the two engines disagree on the loss")
        return 1
    if ratio < args.floor:
        print(f"FAIL: below the {args.floor:g}x floor")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
