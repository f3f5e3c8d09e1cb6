"""Offline fit probe (no Qt): for every example and random graphs, the fit scale of the drawing
chosen for each canvas size (viewport sizes measured in the default window), vs readable."""
import sys

sys.path.insert(0, "tests")
from helpers import random_expression  # noqa: E402

from gradlab import resources  # noqa: E402
from gradlab.expr import run_program  # noqa: E402
from gradlab.graph import GraphModel  # noqa: E402

CANVAS = {"1024x768": (526, 534), "1280x720": (692, 516), "1920x1080": (1332, 876)}  # 1-2 sliders
KEY = float(sys.argv[1]) if len(sys.argv) > 1 else 0  # px reserved below at fit
READ = float(sys.argv[2]) if len(sys.argv) > 2 else 59.9
PAD = 1.04


def fit(graph, w, h):
    d = graph.drawing_for(w / h)
    x0, y0, x1, y1 = d.extent()
    return min(w / (x1 - x0), (h - KEY) / (y1 - y0)) / PAD, d, (x1 - x0, y1 - y0)


for ex in resources.examples():
    g = GraphModel(run_program(ex.source()).output)
    row = []
    for size, (w, h) in CANVAS.items():
        f, d, (dw, dh) = fit(g, w, h)
        mark = "*" if f >= READ else " "
        row.append(f"{size} {f:5.1f}{mark} {d.orientation}/{d.bands} {dw:4.1f}x{dh:4.1f}")
    print(f"{ex.name:14} {len(g):4}  " + "  ".join(row))
for size in ("1280x720", "1920x1080"):
    w, h = CANVAS[size]
    ok = {}
    for n in (20, 30, 40, 50, 60):
        ok[n] = sum(fit(GraphModel(random_expression(n, s)), w, h)[0] >= READ for s in range(10))
    print(size, "random readable of 10:", ok)
