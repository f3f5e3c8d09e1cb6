"""Who runs the training steps while the lab plays: time slices on the GUI thread's frame timer.

``TrainingDriver`` takes ``speed`` steps per 16 ms frame (or, at top speed, as many as fit
in ``BUDGET_S``) and lets the model announce them; the views redraw in the same frame.
``ThreadDriver`` runs steps on a worker thread instead and hands them over once a frame.
``benchmarks/live_training.py`` measures both; the lab uses the timer (see its figures: with
the GIL, a worker thread adds contention and lock hand-offs, not parallelism, for steps this
small).
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QTimer

__all__ = ["BUDGET_S", "FRAME_MS", "SPEEDS", "ThreadDriver", "TrainingDriver"]

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

    def _on_frame(self) -> None:
        if not self.model.running:
            self.timer.stop()
            return
        self.model.step(self.speed or 1_000_000, budget=BUDGET_S)


class ThreadDriver(QObject):
    """Steps the model on a worker thread; a frame timer hands the finished steps to the views.

    The trainer is shared, so the worker and the frame (which redraws from it) take turns
    through a lock.
    """

    def __init__(self, model, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.speed = SPEEDS[0]
        self.lock = threading.RLock()  # the hand-over may stop (and so hand over) again
        self._records: list = []
        self._error: Exception | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.timer = QTimer(self, interval=FRAME_MS)
        self.timer.timeout.connect(self._on_frame)

    def set_speed(self, steps_per_frame: int) -> None:
        self.speed = int(steps_per_frame)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._work, name="gradlab-training", daemon=True)
        self._thread.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._hand_over()

    def _work(self) -> None:
        trainer = self.model.trainer
        frame = FRAME_MS / 1000
        while not self._stop.is_set():
            started = time.perf_counter()
            with self.lock:
                for _ in range(self.speed or 1_000_000):
                    try:
                        self._records.append(trainer.step())
                    except Exception as err:  # noqa: BLE001 -- handed to the GUI thread
                        self._error = err
                        return
                    if time.perf_counter() - started > BUDGET_S:
                        break
            if self.speed:  # a set speed: one batch per frame
                time.sleep(max(0.0, frame - (time.perf_counter() - started)))
            else:
                time.sleep(0)  # let the GUI thread take the lock

    def _hand_over(self) -> None:
        with self.lock:
            records, self._records = self._records, []
            error, self._error = self._error, None
            self.model.absorb_steps(records, error)

    def _on_frame(self) -> None:
        if not self.model.running:
            self.stop()
            return
        self._hand_over()
