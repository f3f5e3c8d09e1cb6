"""How much of a graph a learner can read at fit: label, data and grad in every box at 10 px or more.

Run ``python benchmarks/readability.py [WxH ...]`` (Qt runs offscreen unless QT_QPA_PLATFORM is
set).  It opens the real window at each size (default 1024x768, 1280x720 and 1920x1080) and prints,
for every example, the canvas's size, the fit scale (pixels per drawing unit when the whole graph is
in view) against the readable scale (the text 10 px tall) and their ratio; then the same ratio for
programs of about 60 values written as the lecture writes them (an MLP and its loss); then, for
random programs of 20 to 60 values (``canvas.random_source``, 10 seeds each, long edges
everywhere), how many are readable at fit.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(__file__))

from canvas import random_source  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gradlab import resources  # noqa: E402
from gradlab.app import build_window  # noqa: E402

SEEDS = 10
SIZES = ("1024x768", "1280x720", "1920x1080")
#: programs of about 60 values as the lecture writes them: an MLP's forward pass and its loss
LECTURE_60 = {
    "MLP(3, [4, 1]) and loss": "from micrograd.nn import MLP\nn = MLP(3, [4, 1])\n"
                               "loss = (n([2.0, 3.0, -1.0]) - 1.0)**2\nloss.backward()\n",
    "MLP(2, [5, 1]) and loss": "from micrograd.nn import MLP\nn = MLP(2, [5, 1])\n"
                               "loss = (n([0.5, -1.5]) + 1.0)**2\nloss.backward()\n",
}


def opened(window, app) -> object:
    """The canvas of ``window`` shown and opened as a user sees it."""
    for _ in range(3):
        app.processEvents()
    canvas = window.expression_lab.canvas
    canvas.open_view()
    app.processEvents()
    return canvas


def main() -> int:
    app = QApplication.instance() or QApplication([])
    sizes = sys.argv[1:] or SIZES
    print(f"{'example':14} {'size':10} {'canvas':>9} {'values':>6} {'drawing':>7} {'fit':>6} "
          f"{'readable':>8} {'ratio':>6}  at fit")
    for ex in resources.examples():
        for size in sizes:
            window = build_window(["--example", ex.name, "--size", size])
            window.show()
            c = opened(window, app)
            vp = c.viewport_widget().size()
            d = c.drawing
            fit, readable = c.fit_scale(), c.readable_scale()
            drawing = f"{d.orientation}/{d.bands}"
            print(f"{ex.name:14} {size:10} {vp.width():4}x{vp.height():<4} {len(c.graph):6} "
                  f"{drawing:>7} {fit:6.1f} {readable:8.1f} {fit / readable:6.2f}  "
                  f"{'readable' if fit >= readable else 'opens zoomed, with the overview'}")
            window.close()
    print("\nlecture-style programs of about 60 values (fit / readable):")
    for size in sizes:
        window = build_window(["--example", "seed", "--size", size])
        window.show()
        app.processEvents()
        lab, row = window.expression_lab, []
        for name, source in LECTURE_60.items():
            lab.load_source(source)
            c = opened(window, app)
            row.append(f"{name}: {len(c.graph)} values {c.fit_scale() / c.readable_scale():.2f}")
        print(f"  {size:10} " + "   ".join(row), flush=True)
        window.close()
    print(f"\nrandom programs, readable at fit (of {SEEDS} seeds):")
    for size in sizes:
        window = build_window(["--example", "seed", "--size", size])
        window.show()
        app.processEvents()
        lab, row = window.expression_lab, []
        for n in (20, 30, 40, 50, 60):
            ok = 0
            for seed in range(SEEDS):
                lab.load_source(random_source(n, seed))
                c = opened(window, app)
                ok += c.fit_scale() >= c.readable_scale()
            row.append(f"{n} values: {ok:2}")
        print(f"  {size:10} " + "   ".join(row), flush=True)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
