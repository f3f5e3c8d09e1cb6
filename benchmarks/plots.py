"""How long the expression lab's plot panel takes to draw a program's large plots.

Run ``python benchmarks/plots.py`` (Qt runs offscreen unless QT_QPA_PLATFORM is set).  Each
figure is the time from ``ProgramPlots.show_program`` to a finished paint of the panel, the
best of a few runs, printed next to its floor (0.5 s) and as a ratio to a baseline measured in
the same run: the same plots of 1,000 points.  The floor holds for each plot of the figure
(its time divided by its plots).  Lines are drawn downsampled to the view's width
and clipped to it; a scatter draws at most ``MAX_SCATTER_POINTS`` points and says so.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import pyqtgraph as pg  # noqa: E402, F401  isort: skip  (after PySide6: it picks that binding)

from gradlab.lang.program import Plot, Program  # noqa: E402
from gradlab.ui.expression.program_plots import MAX_SCATTER_POINTS, ProgramPlots  # noqa: E402

FLOOR = 0.5  # seconds: a million-point plot draws in less


def program(kind: str, count: int, points: int, fmt: str = "") -> Program:
    rng = np.random.default_rng(0)
    p = Program("")
    for k in range(count):
        x = np.linspace(0.0, 10.0, points)
        y = np.sin(x * (k + 1)) + rng.normal(0.0, 0.1, points)
        p.plots.append(Plot(kind, x.tolist(), y.tolist(), f"curve {k}", fmt))
    return p


def draw_time(panel: ProgramPlots, app: QApplication, p: Program, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        panel.show_program(None)
        app.processEvents()
        t = time.perf_counter()
        panel.show_program(p)
        panel.grab()  # a full paint of the panel, as the window would do
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    app = QApplication.instance() or QApplication([])
    panel = ProgramPlots()
    panel.resize(420, 520)
    panel.show()
    app.processEvents()
    cases = [
        ("8 x plt.plot", "line", 8, ""),
        ("8 x plt.plot 'o-'", "line", 8, "o-"),
        ("3 x plt.scatter", "scatter", 3, ""),
    ]
    print(f"plot panel draw times (best of 3); floor {FLOOR} s; scatter cap {MAX_SCATTER_POINTS:,} points")
    failed = False
    for name, kind, count, fmt in cases:
        base = draw_time(panel, app, program(kind, count, 1_000, fmt))
        big = draw_time(panel, app, program(kind, count, 1_000_000, fmt))
        ok = big / count <= FLOOR
        failed |= not ok
        verdict = "ok" if ok else "OVER THE FLOOR"
        print(f"  {name:<20} 1,000 points {base * 1000:7.1f} ms   1,000,000 points {big * 1000:7.1f} ms"
              f" ({big / count * 1000:5.1f} ms a plot)   ratio {big / base:6.1f}   {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
