"""Who runs the training steps while the lab plays.

``TrainingDriver`` (time slices): each 16 ms frame of a GUI-thread timer takes ``speed`` steps
(or, at top speed, as many as fit in ``BUDGET_S``) and the views redraw in the same frame.
``SliceDriver``: the same on the GUI thread for a step too long for one frame (the scalar
backend's, 50-300 ms): it runs ``Trainer.step_slices`` a millisecond-sized slice at a time,
``SLICE_BUDGET_S`` of them per turn of the event loop, so input and repaints wait at most that.
``ThreadDriver``: a worker thread takes the steps and the frame timer hands them to the views.

``benchmarks/live_training.py`` measures them on the demo network. With the fast backend a step
takes about 0.2 ms: time slices keep the UI timer steadier (the GIL makes a worker thread
contention, not parallelism) and meet every floor, so the lab uses them. With the scalar
backend a worker thread holds the GIL (and the model's lock) through whole steps, and the UI
timer was late by 100-200 ms at the 95th percentile; sliced steps keep it near the slice
budget, at about the same steps per second, so the lab uses ``SliceDriver`` there (``driver_for``).

Steps run under the model's ``lock``, which the model also takes when it replaces or reads the
whole trainer (new settings, data, sessions) and the probe takes to nudge a weight. A sliced
step holds it only during a slice: a change between slices makes the step start again
(``Trainer.step_slices``).
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QTimer

from gradlab.training.backends import backend_row

__all__ = ["BUDGET_S", "FRAME_MS", "SLICE_BUDGET_S", "SPEEDS", "SliceDriver", "ThreadDriver",
           "TrainingDriver", "driver_class", "driver_for"]

FRAME_MS = 16
#: steps per frame the speed control offers; 0 is top speed
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 0)
#: the most time one frame spends stepping (at any speed: a slow backend never freezes the window)
BUDGET_S = 0.006
#: the most time one turn of the event loop spends on slices of a long step
SLICE_BUDGET_S = 0.012


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


class SliceDriver(QObject):
    """Steps the model's trainer on the GUI thread in slices, between events (a zero-interval timer).

    Each turn takes slices of the current step for ``SLICE_BUDGET_S``; a finished step goes to
    the views at once.  At most ``speed`` steps start per ``FRAME_MS`` frame (a scalar step
    rarely fits one frame; a tiny network's might).
    """

    def __init__(self, model, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.speed = SPEEDS[0]
        self._trainer = None
        self._slices = None  # the step under way: Trainer.step_slices()
        self._frame_started = 0.0
        self._frame_steps = 0
        self.timer = QTimer(self, interval=0)
        self.timer.timeout.connect(self._on_turn)

    def set_speed(self, steps_per_frame: int) -> None:
        self.speed = int(steps_per_frame)

    def start(self) -> None:
        self.timer.start(0)

    def stop(self) -> None:
        """Stop, dropping the step under way (its weights were never changed)."""
        self.timer.stop()
        self._drop_step()

    def busy(self) -> bool:
        """Whether a step is under way (between its slices)."""
        return self._slices is not None

    def _drop_step(self) -> None:
        if self._slices is not None:
            self._slices.close()
        self._slices = self._trainer = None

    def _on_turn(self) -> None:
        model = self.model
        if not model.running:
            self.stop()
            return
        started = time.perf_counter()
        if started - self._frame_started >= FRAME_MS / 1000:
            self._frame_started, self._frame_steps = started, 0
        with model.lock:
            while time.perf_counter() - started < SLICE_BUDGET_S:
                if self._slices is None or self._trainer is not model.trainer:
                    if self.speed and self._frame_steps >= self.speed:
                        wait = FRAME_MS / 1000 - (time.perf_counter() - self._frame_started)
                        self.timer.start(max(1, round(wait * 1000)))  # this frame's steps are taken
                        return
                    self._drop_step()
                    if model.trainer is None:
                        return
                    self._trainer, self._slices = model.trainer, model.trainer.step_slices()
                    self._frame_steps += 1
                try:
                    next(self._slices)
                except StopIteration as done:
                    self._slices = self._trainer = None
                    model.absorb_steps([done.value])
                    break  # the views redraw before the next step begins
                except Exception as err:  # noqa: BLE001 -- a divergence, or a bug: the model says which
                    self._slices = self._trainer = None
                    model.absorb_steps([], err)
                    return
        self.timer.setInterval(0)


def driver_class(backend: str) -> type[TrainingDriver] | type[SliceDriver]:
    """The driver that keeps the window responsive for ``backend`` (see the module's note): slices
    for a backend whose row says its steps are long (``Backend.sliced``)."""
    return SliceDriver if backend_row(backend).sliced else TrainingDriver


def driver_for(backend: str, model, parent: QObject | None = None) -> TrainingDriver | SliceDriver:
    return driver_class(backend)(model, parent)
