"""Soak test: drive the whole app offscreen for a few minutes and watch for errors and memory growth.

Run ``python benchmarks/soak.py [--seconds 180] [--seed 0]``.  A seeded random mix of
what a learner (and an attacker) does: good and bad programs (syntax errors, forbidden
names, sandbox escapes, ``9**9**9**9``, huge labels, HTML labels, broken maths), slider
drags, typed numbers, selections, *h*, gradient steps, backprop steps, sessions saved and
reopened, autosaves, exports, and bad files (a FIFO, garbage, a truncated session, a
file over the size limit, a folder, a link to /dev/zero, a 5,000-digit number).

Prints the operations done, the bad inputs refused with a message (expected), the
exceptions that reached the exception dialog (each one a bug), and memory: the resident
set (now and peak) and Python's traced allocations, after a warm-up and then every 30 s.
Exits 1 if any exception was shown.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GOOD = [
    "a = Value(2.0)\nb = Value(-3.0)\nc = a * b + a**2\nd = c.tanh()\n",
    "x = Value(0.5)\ny = (x * 3 - 1).relu() + x.exp()\ny.backward()\n",
    "w, b = Value(0.3), Value(-0.1)\nx = Value(1.5)\nn = (w * x + b).sigmoid()\nprint(n.data)\n",
    "x = Value(1/0)\ny = x * 2\n",  # inf, then nan downstream
    "z = Value(-1.0)\nq = z.log() + 1\n",
    "a = Value(1.7e308)\nb = a * 10\n",
]
BAD = [
    "a = Value(2.0\n",
    "b = z * 2\n",
    "import os\n",
    "for i in range(3):\n    a = Value(i)\n",
    "a = Value(1.0)\nb = a.__class__\n",
    "a = Value(1.0)\nprint('{0.__class__}'.format(a))\n",
    "_x = Value(1.0)\n",
    "__builtins__ = 1\n",
    "b, *c = Value(1.0), Value(2.0), Value(3.0)\n",
    "open('/etc/passwd')\n",
]
HOSTILE = [
    "x = Value(9**9**9**9)\ny = x + 1\n",
    "a = Value(2.0, label='" + "W" * 50_000 + "')\nb = a * 3\n",
    "a = Value(2.0, label=\"<img src='/etc/hosts'>\")\nb = a * 3\n",
    "a = Value(1.0)\n" + "a = a * 1.0001\n" * 3000,
    # what only the worker process's ceilings stop (issue 16): a crash in C, a memory bomb
    "L = (1.0,)\nfor i in range(100000):\n    L = " + "(" * 50 + "L" + ",)" * 50 + "\nprint(len(set([L])))\n",
    "s = 'a' * 999999\nL = [s] * 1000\nprint(len(str(L)))\n",
    "import numpy as np\nx = np.zeros(1000000)\nys = [x * i for i in range(200)]\n",
]


def random_program(rng: random.Random) -> str:
    """A random straight-line program of a few dozen Values."""
    n = rng.randrange(2, 12)
    lines = [f"x{i} = Value({rng.uniform(-2, 2):.3f})" for i in range(n)]
    names = [f"x{i}" for i in range(n)]
    for k in range(rng.randrange(3, 40)):
        a, b = rng.choice(names), rng.choice(names)
        op = rng.choice([f"{a} + {b}", f"{a} * {b}", f"({a} - {b}).relu()", f"({a} * {b}).tanh()",
                         f"{a} ** 2", f"{a} / ({b} + 3)"])
        lines.append(f"v{k} = {op}")
        names.append(f"v{k}")
    lines.append(f"out = {' + '.join(names[-3:])}")
    return "\n".join(lines) + "\n"


def bad_files(folder: Path) -> list[Path]:
    """Files the app must refuse with a message, quickly, whatever they are."""
    files = []
    fifo = folder / "pipe.gradlab"
    os.mkfifo(fifo)
    files.append(fifo)
    garbage = folder / "garbage.gradlab"
    garbage.write_bytes(bytes(random.Random(1).randrange(256) for _ in range(5000)))
    files.append(garbage)
    truncated = folder / "truncated.gradlab"
    truncated.write_text('{"format": "gradlab-session", "version": 1, "expression_lab": {"sou',
                         encoding="utf-8")
    files.append(truncated)
    huge = folder / "huge.py"
    with open(huge, "wb") as f:
        f.truncate(6_000_000)  # sparse: over every limit, no disk used
    files.append(huge)
    files.append(folder)  # a folder
    zero = folder / "zero.py"
    if os.path.exists("/dev/zero"):
        zero.symlink_to("/dev/zero")
        files.append(zero)
    digits = folder / "digits.gradlab"
    digits.write_text('{"format": "gradlab-session", "version": 1, "expression_lab": {"overrides": {"a": '
                      + "9" * 5000 + "}}}", encoding="utf-8")
    files.append(digits)
    binary = folder / "binary.py"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    files.append(binary)
    return files


def worker_rss() -> float:
    """Resident MiB of the worker process that runs programs (0 when none is running)."""
    from gradlab.worker import shared_worker

    pid = shared_worker().pid()
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, TypeError):
        return 0.0


def memory() -> tuple[float, float, float]:
    """(resident MiB now, peak resident MiB, MiB of Python allocations traced now).

    glibc keeps freed memory mapped in its arenas; ``malloc_trim`` hands it back first, so
    that what remains resident is memory still in use, not fragmentation.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    with open("/proc/self/statm") as f:
        rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux
    return rss, peak, tracemalloc.get_traced_memory()[0] / 2**20


class Soak:
    def __init__(self, seconds: float, seed: int, only: str = "") -> None:
        from PySide6.QtWidgets import QApplication

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        self.rng = random.Random(seed)
        self.seconds = seconds
        self.only = {name for name in only.split(",") if name}
        self.ops: collections.Counter[str] = collections.Counter()
        self.refused = 0
        self.exceptions: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="gradlab-soak-"))
        os.environ["GRADLAB_HOME"] = str(self.folder / "home")
        (self.folder / "bad").mkdir()
        self.files = bad_files(self.folder / "bad")
        sys.excepthook = self._on_exception
        self.qt_warnings: collections.Counter[str] = collections.Counter()
        from PySide6.QtCore import qInstallMessageHandler

        qInstallMessageHandler(self._on_qt_message)

    def _on_program_error(self, err) -> None:
        self.program_errors += err is not None

    def _on_qt_message(self, kind, context, text: str) -> None:
        self.qt_warnings[text[:120]] += 1  # counted, not printed: the offscreen platform is chatty

    def _on_exception(self, exc_type, exc, tb) -> None:
        from gradlab.ui.common.errors import report_exception

        self.exceptions.append(f"{exc_type.__name__}: {exc}"[:300])
        if len(self.exceptions) <= 3:
            report_exception(exc_type, exc, tb)  # the dialog the app shows, and the traceback

    def run(self) -> int:
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QMessageBox

        from gradlab.app import build_window

        self.window = build_window([])
        self.window.show()
        self.program_errors = 0
        self.lab.model.error_changed.connect(self._on_program_error)
        actions = [(self.good_edit, 8), (self.bad_edit, 4), (self.hostile_edit, 1), (self.drag, 10),
                   (self.type_number, 2), (self.select, 5), (self.step_size, 2), (self.descend, 3),
                   (self.backprop, 2), (self.save_and_reopen, 1), (self.bad_file, 2), (self.autosave, 1),
                   (self.export, 0.3)]
        if self.only:  # to find which operation a memory growth comes from
            actions = [(fn, w) for fn, w in actions if fn.__name__ in self.only]
        functions, weights = zip(*actions, strict=True)
        start = time.monotonic()
        # the first report, after a warm-up in which caches (fonts, sprites, layouts) fill, is the
        # baseline; then one every 30 s
        next_report, report_every = min(30.0, self.seconds / 4), 30.0
        baseline = None
        while (elapsed := time.monotonic() - start) < self.seconds:
            fn = self.rng.choices(functions, weights)[0]
            fn()
            self.ops[fn.__name__] += 1
            self.app.processEvents()
            # outside exec() Qt never runs deleteLater(): do what the event loop would
            self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            for box in self.window.findChildren(QMessageBox):
                if box.isVisible():  # a learner reads the message and dismisses it
                    self.refused += 1
                    box.close()
            if elapsed >= next_report:
                now = memory()
                if baseline is None:
                    baseline = now
                    self.snapshot = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
                print(f"{elapsed:6.0f} s  {sum(self.ops.values()):7,} ops  {len(self.exceptions)} exceptions"
                      f"  rss {now[0]:7.1f} MiB (peak {now[1]:7.1f})  traced {now[2]:6.1f} MiB"
                      f"  worker rss {worker_rss():6.1f} MiB", flush=True)
                next_report += report_every
        end = memory()
        self.window.close()
        self.summary(baseline or end, end)
        return 1 if self.exceptions else 0

    def summary(self, first: tuple, last: tuple) -> None:
        print(f"\noperations done: {sum(self.ops.values()):,} in {self.seconds:.0f} s")
        for name, count in self.ops.most_common():
            print(f"  {name:<16} {count:7,}")
        print(f"bad programs refused with a message (line and reason): {self.program_errors:,}")
        print(f"bad files and failed saves refused with a message: {self.refused:,}")
        print(f"exceptions shown (bugs): {len(self.exceptions)}")
        print(f"Qt messages: {sum(self.qt_warnings.values()):,}", dict(self.qt_warnings.most_common(3)))
        for text in self.exceptions[:10]:
            print(f"  {text}")
        print(f"memory after warm-up: rss {first[0]:.1f} MiB, traced {first[2]:.1f} MiB")
        print(f"memory at the end:    rss {last[0]:.1f} MiB, traced {last[2]:.1f} MiB, "
              f"peak rss {last[1]:.1f} MiB")
        print(f"growth: rss {last[0] - first[0]:+.1f} MiB, traced {last[2] - first[2]:+.1f} MiB")
        from gradlab.worker import shared_worker

        print(f"worker processes started: {shared_worker().started} (one per crash, stall or retirement)")
        if getattr(self, "snapshot", None) is not None:
            print("largest growth of Python allocations since the warm-up:")
            for stat in tracemalloc.take_snapshot().compare_to(self.snapshot, "lineno")[:5]:
                print(f"  {stat}")

    # -- what a learner does -------------------------------------------------------------------

    @property
    def lab(self):
        return self.window.expression_lab

    def good_edit(self) -> None:
        from gradlab import resources

        r = self.rng.random()
        if r < 0.3:
            self.window.open_example(self.rng.choice(resources.examples()).name)
        else:
            self.lab.load_source(self.rng.choice(GOOD) if r < 0.5 else random_program(self.rng))

    def bad_edit(self) -> None:
        self.lab.load_source(self.rng.choice(BAD))

    def hostile_edit(self) -> None:
        self.lab.load_source(self.rng.choice(HOSTILE))
        model = self.lab.model
        if model.graph is not None:
            model.select(self.rng.randrange(len(model.graph)))
            self.window.repaint()

    def drag(self) -> None:
        rows = list(self.lab.sliders.rows.values())
        if rows:
            slider = self.rng.choice(rows).slider
            for _ in range(self.rng.randrange(1, 20)):
                slider.setValue(self.rng.randrange(slider.maximum() + 1))

    def type_number(self) -> None:
        rows = list(self.lab.sliders.rows.values())
        if rows:
            box = self.rng.choice(rows).box
            box.setText(self.rng.choice(["2.5", "-1e-3", "1.7e308", "inf", "nan", "two", "1e400", "0"]))
            box.editingFinished.emit()

    def select(self) -> None:
        model = self.lab.model
        if model.graph is not None:
            model.select(self.rng.randrange(-1, len(model.graph)))

    def step_size(self) -> None:
        self.lab.model.set_step_size(10 ** self.rng.uniform(-12, 0))

    def descend(self) -> None:
        self.lab.model.step_inputs(self.rng.choice([0.01, -0.01, 0.5, 10.0]))

    def backprop(self) -> None:
        model = self.lab.model
        for _ in range(self.rng.randrange(1, 6)):
            model.step_backprop()
        if self.rng.random() < 0.5:
            model.finish_backprop()

    def save_and_reopen(self) -> None:
        path = self.window.save_session_to(self.folder / f"s{self.rng.randrange(5)}")
        if path is not None:
            self.window.open_path(path)

    def bad_file(self) -> None:
        self.window.open_path(self.rng.choice(self.files))

    def autosave(self) -> None:
        self.window.autosaver.save_now()

    def export(self) -> None:
        ext = self.rng.choice(["png", "svg"])
        self.lab.canvas.export_image(str(self.folder / f"graph.{ext}"))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=180.0, help="how long to run (default 180)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tracemalloc", action="store_true", help="trace Python allocations (slower)")
    p.add_argument("--only", default="", metavar="OPS", help="comma-separated operations, e.g. drag,select")
    args = p.parse_args(argv)
    if args.tracemalloc:
        tracemalloc.start()
    return Soak(args.seconds, args.seed, args.only).run()


if __name__ == "__main__":
    sys.exit(main())
