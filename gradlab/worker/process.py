"""The app's side of the program worker: one warm process that runs programs, killed and
replaced when a program crashes it, stalls it or outgrows it.

``ProgramWorker.run(source, cancel)`` sends ``source`` to the process and waits for its
Program, the waiting thread holding no lock a window needs (it sleeps in ``select``).  The
process is started at the first ``start()`` or ``run()`` and again after it ends.  A run ends
in one of these ways, each an ExpressionError naming the line where one is known (the process
writes the line of the statement it is at to a page both sides map):

* the program's result (a Program, its Values rebuilt here: gradlab.worker.wire);
* the interpreter's own refusal or error, as it would be in the app's process;
* RunCancelled: ``cancel`` was set; the process is asked to stop at its next time check, and
  killed if it has not answered CANCEL_GRACE seconds later (it is inside one long C call);
* the wall-clock ceiling (the run's budget, gradlab.expr.MAX_SECONDS unless the run or the
  worker says otherwise, + KILL_GRACE): the process is inside one long C call that no time
  check can see, and is killed;
* the process died (a crash in C, the operating system's processor-time or memory limit).
"""

from __future__ import annotations

import atexit
import mmap
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from gradlab import expr
from gradlab.expr import CANCELLED_MESSAGE, ExpressionError, Program, RunCancelled
from gradlab.lang.limits import timeout_message
from gradlab.worker.wire import WireError, decode_program, read_frame, write_frame

__all__ = ["CANCEL_GRACE", "KILL_GRACE", "ProgramWorker", "WorkerError"]

#: past the interpreter's own budget, how long a run may go on before its process is killed
#: (the interpreter stops a run within milliseconds of its budget; writing down a big result
#: takes a fraction of a second)
KILL_GRACE = 1.0
#: how long a cancelled run may take to stop before its process is killed
CANCEL_GRACE = 0.25
#: how long a new process may take to be ready (imports, on a busy machine)
START_SECONDS = 60.0
#: how often a waiting run looks at its cancel event
_POLL = 0.01

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class WorkerError(ExpressionError):
    """The worker process could not be started or ended a run in a way no program error
    explains; ``message`` says which."""


def _child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # gradlab importable in the child however the app was started (a checkout's main.py too)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
    # one thread each for numpy's libraries and two malloc arenas: a small, predictable address
    # space under the memory ceiling
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = "1"
    env["MALLOC_ARENA_MAX"] = "2"
    return env


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def crash_message(returncode: int) -> str:
    """What a run says when its process ended with ``returncode`` while running it."""
    if returncode >= 0:
        return f"Python ended unexpectedly on this line (exit status {returncode}); the program stopped"
    name = _signal_name(returncode)
    if name == "SIGXCPU":
        return "this program used more processor time than a run may have; it was stopped here"
    if name == "SIGKILL":
        return f"the program was killed on this line ({name}), most likely for using too much memory"
    return f"this line crashed Python ({name}, often from a structure nested too deeply); the program stopped"


class _Process:
    """One worker process, its pipes and the page it writes its line to."""

    def __init__(self) -> None:
        page = tempfile.TemporaryFile()
        page.truncate(mmap.PAGESIZE)
        self.page = page
        self.line = memoryview(mmap.mmap(page.fileno(), mmap.PAGESIZE)).cast("i")
        try:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "gradlab.worker.child", str(page.fileno())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                pass_fds=(page.fileno(),), env=_child_environment(), close_fds=True,
                start_new_session=True,  # a Ctrl+C in the terminal is the app's to handle
            )
        except BaseException:
            self._release_page()
            raise
        self.ready = False

    @property
    def out(self) -> int:
        return self.popen.stdout.fileno()

    def send(self, message: tuple) -> None:
        write_frame(self.popen.stdin.fileno(), message)

    def wait_readable(self, seconds: float) -> bool:
        return bool(select.select([self.out], [], [], max(seconds, 0.0))[0])

    def kill(self) -> int:
        """Kill the process (if still alive); its return code."""
        if self.popen.poll() is None:
            try:
                self.popen.kill()
            except OSError:
                pass
        code = self.popen.wait()
        self.close()
        return code

    def close(self) -> None:
        for pipe in (self.popen.stdin, self.popen.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        self._release_page()

    def _release_page(self) -> None:
        try:
            self.line.release()
        except (ValueError, BufferError):
            pass
        self.page.close()


class ProgramWorker:
    """Runs programs in a separate process, one at a time (see the module's docstring)."""

    def __init__(self, seconds: float | None = None) -> None:
        #: a run's time budget; None: gradlab.expr.MAX_SECONDS as it is when the run starts
        self.seconds = seconds
        self._lock = threading.Lock()  # one run at a time, and one starter
        self._process: _Process | None = None
        self._count = 0
        #: how many processes this worker has started (tests and benchmarks read it)
        self.started = 0

    # -- the process ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the process now, without waiting for it to be ready (a warm start); nothing
        to do while a run holds the worker (it has a process)."""
        if self._lock.acquire(blocking=False):
            try:
                self._spawn()
            finally:
                self._lock.release()

    def _spawn(self) -> _Process:
        if self._process is None or self._process.popen.poll() is not None:
            if self._process is not None:
                self._process.close()
            try:
                self._process = _Process()
            except OSError as e:
                self._process = None
                raise WorkerError(1, 1, f"could not start the process that runs programs ({e})") from None
            self.started += 1
        return self._process

    def _ready(self) -> _Process:
        """The process, started and ready for a request (started again if it had ended)."""
        process = self._spawn()
        if not process.ready:
            if not process.wait_readable(START_SECONDS):
                process.kill()
                self._process = None
                raise WorkerError(1, 1, "the process that runs programs did not start in time")
            try:
                message = read_frame(process.out)
            except (WireError, OSError):
                message = None
            if not (isinstance(message, tuple) and message[:1] == ("ready",)):
                code = process.kill()
                self._process = None
                raise WorkerError(1, 1, f"the process that runs programs could not start (status {code})")
            process.ready = True
        return process

    def close(self) -> None:
        """End the process (a new run starts another)."""
        with self._lock:
            if self._process is not None:
                self._process.kill()
                self._process = None

    def pid(self) -> int | None:
        """The process's id, if one is running."""
        p = self._process
        return p.popen.pid if p is not None and p.popen.poll() is None else None

    # -- a run --------------------------------------------------------------------------------

    def run(self, source: str, cancel: threading.Event | None = None,
            seconds: float | None = None) -> Program:
        """Run ``source`` in the process; its Program, or ExpressionError (RunCancelled once
        ``cancel`` is set).  ``seconds``: this run's time budget (default: the worker's)."""
        if seconds is None:
            seconds = expr.MAX_SECONDS if self.seconds is None else self.seconds
        with self._lock:
            for attempt in range(2):  # a process that ended while idle is replaced once
                process = self._ready()
                self._count += 1
                n = self._count
                try:
                    process.send(("run", n, source, seconds))
                    break
                except OSError:
                    process.kill()
                    self._process = None
                    if attempt:
                        raise WorkerError(1, 1, "could not reach the process that runs programs") from None
            answer = self._await(process, n, cancel, seconds)
        kind = answer[0]
        if kind == "ok":
            try:
                return decode_program(answer[3])
            except WireError as e:
                raise WorkerError(1, 1, str(e)) from None
        _ok, _n, _retire, why, line, col, message = answer
        if why == "cancelled":
            raise RunCancelled(line, col, message)
        raise ExpressionError(line, col, message)

    def _await(self, process: _Process, n: int, cancel: threading.Event | None, seconds: float) -> tuple:
        deadline = time.monotonic() + seconds + KILL_GRACE
        cancelled_at = None
        while True:
            now = time.monotonic()
            if cancel is not None and cancelled_at is None and cancel.is_set():
                cancelled_at = now
                try:
                    process.send(("cancel", n))
                except OSError:
                    pass
            if cancelled_at is not None and now > cancelled_at + CANCEL_GRACE:
                return self._end(process, RunCancelled, CANCELLED_MESSAGE)
            if now > deadline:
                return self._end(process, ExpressionError, timeout_message(seconds))
            if not process.wait_readable(_POLL if cancel is not None else min(deadline - now, 0.1)):
                continue
            try:
                answer = read_frame(process.out)
            except (WireError, OSError):
                return self._died(process)
            if not (isinstance(answer, tuple) and len(answer) >= 4 and answer[1] == n):
                return self._died(process)
            if answer[2]:  # the process retires: a fresh one takes over
                process.kill()
                self._replace()
            return answer

    def _end(self, process: _Process, kind: type[ExpressionError], message: str) -> tuple:
        """Kill the process mid-run and raise what says why, at the line it was on."""
        line = max(process.line[0], 1)
        process.kill()
        self._replace()
        raise kind(line, 1, message)

    def _died(self, process: _Process) -> tuple:
        line = max(process.line[0], 1)
        code = process.kill()
        self._replace()
        raise ExpressionError(line, 1, crash_message(code))

    def _replace(self) -> None:
        """Start the next process now: it imports while the learner reads the message."""
        self._process = None
        try:
            self._spawn()
        except WorkerError:
            pass  # the next run tries again, and says why if it cannot


_shared: ProgramWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> ProgramWorker:
    """The one worker of this process (the app's, or ``gradlab run``'s), ended at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ProgramWorker()
            atexit.register(_shared.close)
        return _shared
