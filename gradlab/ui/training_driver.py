"""Who runs the training steps while the lab plays.

``TrainingDriver`` (time slices): each 16 ms frame of a GUI-thread timer takes ``speed`` steps
(or, at top speed, as many as fit in ``BUDGET_S``) and the views redraw in the same frame.
``ThreadDriver``: a worker thread takes the steps and the frame timer hands them to the views.

``benchmarks/live_training.py`` measures both on the demo network. With the fast backend a step
takes about 0.2 ms: time slices keep the UI timer steadier (the GIL makes a worker thread
contention, not parallelism) and meet every floor, so the lab uses them. A scalar-backend step
takes hundreds of milliseconds and cannot be sliced: there the worker thread keeps the window
responsive, and the lab switches to it (``driver_for``).

Steps run under the model's ``lock``, which the model also takes when it replaces or reads the
whole trainer (new settings, data, sessions) and the probe takes to nudge a weight.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QTimer

__all__ = ["BUDGET_S", "FRAME_MS", "SPEEDS", "ThreadDriver", "TrainingDriver", "driver_class", "driver_for"]

FRAME_MS = 16
#: steps per frame the speed control offers; 0 is top speed
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 0)
#: the most time one frame spends stepping (at any speed: a slow backend never freezes the window)
BUDGET_S = 0.006


class TrainingDriver(QObject):
    """Steps the model a slice at a time from a frame timer on the GUI thread."""

    def __init__(self, model, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.speed = SPEEDS[0]
        self.timer = QTimer(self, interval=FRAME_MS)
        self.timer.timeout.connect(self._on_frame)

    def set_speed(self, steps_per_frame: int) -> None:
        """Steps per frame; 0 is top speed (as many as fit in the frame's budget)."""
        self.speed = int(steps_per_frame)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def busy(self) -> bool:
        """Whether a step may be under way (never, between frames)."""
        return False

    def _on_frame(self) -> None:
        if not self.model.running:
            self.timer.stop()
            return
        self.model.step(self.speed or 1_000_000, budget=BUDGET_S)


class ThreadDriver(QObject):
    """Steps the model's trainer on a worker thread; a frame timer hands the steps to the views.

    A worker holds the model's lock during each step and lets go between steps; the frame only
    takes the finished records (under a separate, briefly held lock), so the GUI thread never
    waits for a step. ``stop`` does not wait either: the worker ends after its current step,
    and the timer hands over its last records, which are dropped if the network was replaced
    meanwhile.
    """

    def __init__(self, model, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.speed = SPEEDS[0]
        self._records_lock = threading.Lock()
        self._records: list = []  # (trainer, StepRecord or Exception)
        self._workers: list[tuple[threading.Thread, threading.Event]] = []
        self.timer = QTimer(self, interval=FRAME_MS)
        self.timer.timeout.connect(self._on_frame)

    def set_speed(self, steps_per_frame: int) -> None:
        self.speed = int(steps_per_frame)

    def start(self) -> None:
        """A fresh worker for the model's current trainer (any earlier one is told to stop)."""
        self.stop()
        done = threading.Event()
        thread = threading.Thread(target=self._work, args=(self.model.trainer, done), daemon=True,
                                  name="gradlab-training")
        self._workers.append((thread, done))
        thread.start()
        self.timer.start()

    def stop(self) -> None:
        for _thread, done in self._workers:
            done.set()

    def busy(self) -> bool:
        """Whether a worker is still running (it may be finishing a step after ``stop``)."""
        self._workers = [(t, e) for t, e in self._workers if t.is_alive()]
        return bool(self._workers)

    def wait(self, timeout: float | None = None) -> None:
        """Block until every worker has ended, then hand over their steps (tests, closing)."""
        for thread, _done in self._workers:
            thread.join(timeout)
        self._on_frame()

    def _work(self, trainer, done: threading.Event) -> None:
        frame = FRAME_MS / 1000
        while not done.is_set():
            started = time.perf_counter()
            for _ in range(self.speed or 1_000_000):
                try:
                    with self.model.lock:
                        record = trainer.step()
                except Exception as err:  # noqa: BLE001 -- handed to the GUI thread to report
                    with self._records_lock:
                        self._records.append((trainer, err))
                    return
                with self._records_lock:
                    self._records.append((trainer, record))
                if done.is_set() or time.perf_counter() - started > BUDGET_S:
                    break
            pause = frame - (time.perf_counter() - started) if self.speed else 0.0
            time.sleep(max(pause, 0.0005))  # and let the GUI thread take the lock

    def _on_frame(self) -> None:
        with self._records_lock:
            taken, self._records = self._records, []
        mine = [r for t, r in taken if t is self.model.trainer]
        records = [r for r in mine if not isinstance(r, Exception)]
        error = next((r for r in mine if isinstance(r, Exception)), None)
        if records or error is not None:
            self.model.absorb_steps(records, error)
        if not self.busy():
            if self.model.running:
                self.start()  # a worker ended while training should go on (a new network)
            else:
                self.timer.stop()


def driver_class(backend: str) -> type[TrainingDriver] | type[ThreadDriver]:
    """The driver that keeps the window responsive for ``backend`` (see the module's note)."""
    return ThreadDriver if backend == "scalar" else TrainingDriver


def driver_for(backend: str, model, parent: QObject | None = None) -> TrainingDriver | ThreadDriver:
    return driver_class(backend)(model, parent)
