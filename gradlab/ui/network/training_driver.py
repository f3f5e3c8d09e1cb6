"""Who runs the training steps while the lab plays.

``TrainingDriver`` (time slices): each 16 ms frame of a GUI-thread timer takes ``speed`` steps
(or, at top speed, as many as fit in ``BUDGET_S``) and the views redraw in the same frame.
``ProcessDriver``: a separate process computes each step's loss and gradient
(``gradlab.worker.training``); the GUI thread sends the weights, and when the answer comes (a
socket notifier wakes it) the model's trainer takes the step, bit for bit as it would itself.
``SliceDriver``: a step too long for one frame run on the GUI thread in slices
(``Trainer.step_slices``), ``SLICE_BUDGET_S`` of them per turn of the event loop.
``ThreadDriver``: a worker thread takes the steps and the frame timer hands them to the views.

``benchmarks/live_training.py`` measures them on the demo network. With the fast backend a step
takes about 0.2 ms: time slices keep the UI timer steadier (the GIL makes a worker thread
contention, not parallelism) and meet every floor, so the lab uses them. A scalar step is 50-300
ms of pure Python: a worker thread holds the GIL through whole steps (the UI timer was late by
100-200 ms at the 95th percentile), and even millisecond slices on the GUI thread leave it late
by 80 ms and more on a busy machine; in another process the step holds no lock of the app's, so
the lab uses ``ProcessDriver`` there (``driver_for``).

Steps run under the model's ``lock``, which the model also takes when it replaces or reads the
whole trainer (new settings, data, sessions) and the probe takes to nudge a weight. A sliced
step, or one away in the process, holds it only while a slice runs: a change between slices
makes the step start again (``Trainer.step_slices``).
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from gradlab.training.backends import backend_row
from gradlab.worker.training import TrainingProcess

__all__ = ["BUDGET_S", "FRAME_MS", "IDLE_MS", "SLICE_BUDGET_S", "SPEEDS", "ProcessDriver", "SliceDriver",
           "ThreadDriver", "TrainingDriver", "driver_class", "driver_for"]

FRAME_MS = 16
#: steps per frame the speed control offers; 0 is top speed
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 0)
#: the most time one frame spends stepping (at any speed: a slow backend never freezes the window)
BUDGET_S = 0.006
#: the most time one turn of the event loop spends on slices of a long step
SLICE_BUDGET_S = 0.012
#: a training process left idle this long (paused) is ended; the next Play starts another
IDLE_MS = 30_000


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


class ProcessDriver(QObject):
    """Steps the model's trainer with a separate process computing each step (see the module's note).

    The GUI thread only sends the weights and, woken by ``notifier`` when the answer is there,
    lets the trainer take the step (``Trainer.step_slices`` with the process's ``elsewhere``):
    the next step is asked for at once, and the frame timer hands the finished steps to the
    model (one ``step_completed`` per frame). At most ``speed`` steps start per ``FRAME_MS``
    frame. A process that dies is reported as the step's error (training pauses, the weights
    of the last step stay) and the next Play starts a new one.
    """

    def __init__(self, model, parent: QObject | None = None, process: TrainingProcess | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.speed = SPEEDS[0]
        self.process = process or TrainingProcess()
        self.notifier: QSocketNotifier | None = None
        self._trainer = None
        self._slices = None  # the step under way: Trainer.step_slices(process.elsewhere)
        self._records: list = []  # (trainer, record): steps taken, not yet handed to the model
        self._frame_steps = 0
        self.timer = QTimer(self, interval=FRAME_MS)
        self.timer.timeout.connect(self._on_frame)
        self.idle = QTimer(self, interval=IDLE_MS, singleShot=True)
        self.idle.timeout.connect(self._end_process)
        self._start_process()  # warm: it imports while the learner sets up

    def set_speed(self, steps_per_frame: int) -> None:
        self.speed = int(steps_per_frame)

    def start(self) -> None:
        self.idle.stop()
        self._frame_steps = 0
        self.timer.start()
        self._advance()

    def stop(self) -> None:
        """Stop: hand over the steps taken, drop the one under way (the trainer never took it)."""
        self.timer.stop()
        self._hand_over()
        self._drop_step()
        self.idle.start()

    def busy(self) -> bool:
        """Whether a step is under way (away in the process)."""
        return self._slices is not None

    def close(self) -> None:
        """Stop and end the process."""
        self.stop()
        self.idle.stop()
        self._end_process()

    # -- the process and its notifier --------------------------------------------------------------

    def _start_process(self) -> None:
        try:
            self.process.start()
        except Exception:  # noqa: BLE001 -- the first step says why, as the step's error
            pass
        self._watch()

    def _watch(self) -> None:
        """A notifier on the process's answers (a new process has a new pipe)."""
        fd = self.process.fileno()
        if self.notifier is not None and (fd is None or self.notifier.socket() != fd):
            self._unwatch()
        if fd is not None and self.notifier is None:
            self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            self.notifier.activated.connect(self._advance)

    def _unwatch(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None

    def _end_process(self) -> None:
        self._unwatch()  # before its pipe closes
        self.process.close()

    # -- steps ----------------------------------------------------------------------------------

    def _drop_step(self) -> None:
        if self._slices is not None:
            self._slices.close()
        self._slices = self._trainer = None

    def _advance(self, *_args) -> None:
        """Take the answer if it is there and ask for the next step; return while one is away."""
        model = self.model
        if not self.process.awaiting() and self.process.readable():
            self.process.drain()  # what no step waits for: a dropped step's answer, an idle process's end
            self._watch()
        if not model.running:
            return
        started = time.perf_counter()
        with model.lock:
            while time.perf_counter() - started < BUDGET_S:
                if self._slices is None or self._trainer is not model.trainer:
                    if (self.speed and self._frame_steps >= self.speed) or model.trainer is None:
                        return  # the next frame asks for the next step
                    self._drop_step()
                    self._trainer = model.trainer
                    self._slices = model.trainer.step_slices(self.process.elsewhere)
                    self._frame_steps += 1
                try:
                    next(self._slices)
                except StopIteration as done:
                    self._records.append((self._trainer, done.value))
                    self._slices = self._trainer = None
                    continue
                except Exception as err:  # noqa: BLE001 -- a divergence, the process's end: the model says
                    self._slices = self._trainer = None
                    self._hand_over(err)
                    return
                finally:
                    self._watch()
                if self.process.awaiting() and not self.process.readable():
                    return  # the notifier wakes us when the answer is there

    def _hand_over(self, error: Exception | None = None) -> None:
        """The steps taken since the last frame (of the model's current trainer) to the model."""
        taken, self._records = self._records, []
        records = [r for t, r in taken if t is self.model.trainer]
        if records or error is not None:
            self.model.absorb_steps(records, error)

    def _on_frame(self) -> None:
        self._hand_over()
        if not self.model.running:
            self.timer.stop()
            return
        self._frame_steps = 0
        if self._slices is None:
            self._advance()


def driver_class(backend: str) -> type[TrainingDriver] | type[ProcessDriver]:
    """The driver that keeps the window responsive for ``backend`` (see the module's note): another
    process for a backend whose row says its steps are long (``Backend.sliced``)."""
    return ProcessDriver if backend_row(backend).sliced else TrainingDriver


def driver_for(backend: str, model, parent: QObject | None = None) -> TrainingDriver | ProcessDriver:
    return driver_class(backend)(model, parent)
