"""Scalar training steps in a process of their own, so that no step holds the app's interpreter lock.

A scalar step (``gradlab.training.scalar``) is tens to hundreds of milliseconds of pure Python;
run by the app's process, on any of its threads, it keeps the window's events waiting (the
interpreter lock).  ``TrainingProcess.elsewhere`` is the ``elsewhere`` of
``Trainer.step_slices``: it sends the weights (and the batch, when it is not the last one sent)
to the process (``gradlab.worker.training_child``) and yields until the answer is there.  The
app's trainer then takes the step itself (optimiser, divergence check, history), so it stays
the one true state: a weight set by hand, new data or settings, a saved session and the probes
read and change it as ever, and a change made while a step is away makes the trainer ask again
(``step_slices``' rule).  Numbers cross as doubles, exactly: the floats are the app's own.

The process starts at ``start()`` (a warm start) or the first request, and again after it has
ended.  If it dies, the step under way raises ``TrainingProcessError`` saying how; the trainer
holds the weights of its last good step, and the next request starts a new process.
"""

from __future__ import annotations

import select
import subprocess
import sys
import weakref
from collections.abc import Generator

import numpy as np

from gradlab.training.scalar import ScalarBackend
from gradlab.worker.process import _child_environment, _signal_name
from gradlab.worker.wire import WireError, read_frame, write_frame

__all__ = ["TrainingProcess", "TrainingProcessError", "died_message"]

_IT = "the process that takes the scalar steps"


class TrainingProcessError(RuntimeError):
    """The training process ended, or failed, during a step; the message says how, for a learner."""


def died_message(returncode: int) -> str:
    """What a step says when the training process ended with ``returncode`` while taking it."""
    how = f"exit status {returncode}" if returncode >= 0 else _signal_name(returncode)
    hint = ", most likely for lack of memory" if how == "SIGKILL" else ""
    return (f"{_IT} ended unexpectedly ({how}{hint}); the weights "
            f"are those of the last step it finished. Press Play to carry on")


def _end(popen: subprocess.Popen) -> None:
    """Kill ``popen`` if it still runs, reap it and close its pipes."""
    if popen.poll() is None:
        try:
            popen.kill()
        except OSError:
            pass
    popen.wait()
    for pipe in (popen.stdin, popen.stdout):
        try:
            pipe.close()
        except OSError:
            pass


class TrainingProcess:
    """The process that computes scalar steps for one window's trainer (see the module's docstring).

    Used from one thread; ``fileno()`` becomes readable when an answer (or the process's end)
    is there, for an event loop to wait on.
    """

    def __init__(self) -> None:
        self._popen: subprocess.Popen | None = None
        self._finalizer: weakref.finalize | None = None
        self._count = 0
        self._awaited: int | None = None  # the request whose answer a step waits for
        self._batch = None  # the last batch sent to this process (kept: its id must not be reused)
        self._batch_id = 0
        #: how many processes have been started (tests read it)
        self.started = 0

    # -- the process ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the process now if none runs (it imports while the learner reads)."""
        if self._popen is not None and self._popen.poll() is None:
            return
        self.close()
        try:
            popen = subprocess.Popen(
                [sys.executable, "-m", "gradlab.worker.training_child"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env=_child_environment(), close_fds=True, start_new_session=True,
            )
        except OSError as err:
            raise TrainingProcessError(f"could not start {_IT} ({err})") from None
        self._popen, self._batch = popen, None
        self._finalizer = weakref.finalize(self, _end, popen)  # also at exit
        self.started += 1

    def close(self) -> None:
        """End the process (the next request starts another)."""
        if self._finalizer is not None:
            self._finalizer()
        self._popen = self._finalizer = self._batch = None
        self._awaited = None

    def pid(self) -> int | None:
        """The process's id while it runs."""
        return self._popen.pid if self._popen is not None and self._popen.poll() is None else None

    def fileno(self) -> int | None:
        """The pipe its answers come on (None without a process)."""
        return self._popen.stdout.fileno() if self._popen is not None else None

    def awaiting(self) -> bool:
        """Whether a step waits for an answer."""
        return self._awaited is not None

    def readable(self) -> bool:
        """Whether an answer (or the process's end) can be read without waiting."""
        fd = self.fileno()
        return fd is not None and bool(select.select([fd], [], [], 0)[0])

    def drain(self) -> None:
        """Pass over what came that no step waits for (the answer to a dropped step); a process
        that has ended meanwhile is closed (the next request starts another)."""
        try:
            while self.readable():
                self._answer()
        except TrainingProcessError:
            pass

    # -- a step -----------------------------------------------------------------------------------

    def elsewhere(self, backend, theta: np.ndarray, batch, regression: bool
                  ) -> Generator[None, None, tuple[float, np.ndarray, float]]:
        """``backend.loss_and_grad(theta, batch, regression)`` taken by the process: yields until
        the answer is there (``Trainer.step_slices``' ``elsewhere``).  A backend other than the
        scalar one computes here (its step is quicker than the trip)."""
        if not isinstance(backend, ScalarBackend):
            return (yield from backend.loss_and_grad_slices(theta, batch, regression))
        n = self._send(backend, theta, batch, regression)
        try:
            while (answer := self._answer()) is None or answer[:2] not in (("ok", n), ("error", n)):
                if answer is None:
                    yield  # (an answer to an older request, or "ready", is passed over)
        finally:
            if self._awaited == n:
                self._awaited = None
        if answer[0] == "ok":
            return answer[2], np.array(answer[3], dtype=float), answer[4]
        if answer[2] == "memory":
            raise MemoryError(answer[3])
        raise TrainingProcessError(f"{_IT} failed: {answer[3]}")

    def _send(self, backend: ScalarBackend, theta: np.ndarray, batch, regression: bool) -> int:
        for attempt in range(2):  # a process that ended while idle is replaced once
            self.start()
            self._count += 1
            payload = None
            if batch is not self._batch:
                self._batch_id += 1
                payload = (batch.A1.tolist(), batch.T.tolist(), batch.T.dtype.str, batch.loss.name,
                           regression)
            request = ("step", self._count, list(backend.sizes), list(backend.activations),
                       backend.cfg.to_dict(), theta.tolist(), self._batch_id, payload)
            try:
                write_frame(self._popen.stdin.fileno(), request)
            except OSError:
                self.close()
                if attempt:
                    raise TrainingProcessError(f"could not reach {_IT}") from None
                continue
            self._batch, self._awaited = batch, self._count
            return self._count
        raise AssertionError("unreachable")

    def _answer(self) -> tuple | None:
        """The next answer if one is there (None if not); TrainingProcessError if the process has gone."""
        if not self.readable():
            return None
        try:
            answer = read_frame(self.fileno())
        except (WireError, OSError):
            answer = None
        if isinstance(answer, tuple) and len(answer) >= 2:
            return answer
        try:
            code = self._popen.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        if code is None:  # it answered nonsense: it was killed above
            raise TrainingProcessError(f"{_IT} sent something unreadable")
        raise TrainingProcessError(died_message(code))
