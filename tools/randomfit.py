"""Random programs of 20-60 values (benchmarks/canvas.py random_source) in the real window:
the fraction readable at fit (fit scale >= readable scale), per size and value count."""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks"))
from canvas import random_source  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gradlab.app import build_window  # noqa: E402

app = QApplication.instance() or QApplication([])
SEEDS = int(os.environ.get("SEEDS", "10"))
for size in sys.argv[1:] or ["1280x720", "1920x1080"]:
    w = build_window(["--example", "seed", "--size", size])
    w.show()
    for _ in range(3):
        app.processEvents()
    lab = w.expression_lab
    row = []
    for n in (20, 30, 40, 50, 60):
        ok, counts = 0, []
        for seed in range(SEEDS):
            lab.load_source(random_source(n, seed))
            app.processEvents()
            c = lab.canvas
            c.open_view()
            counts.append(len(c.graph))
            ok += c.fit_scale() >= c.readable_scale()
        row.append(f"{n}: {ok}/{SEEDS} (values {min(counts)}-{max(counts)})")
    print(size, "readable at fit:", "  ".join(row), flush=True)
    w.close()
