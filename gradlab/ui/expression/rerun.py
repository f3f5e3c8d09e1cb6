"""Running a lab's work off the UI thread: the app's ``Runner`` (gradlab.labs.program_runs).

``RerunQueue`` runs one piece of work at a time on a worker thread (``threading``, daemon): a
program for a slider's new value, or an edited program with its graph and drawing
(gradlab.labs.program_runs.prepare), the program itself running in the worker process
(gradlab.worker) while the thread waits for it; while one runs, only the newest request waits
(older ones are dropped), an edit asks the running one to stop, and each result comes back on
the UI thread through ``finished``.  What to run and which results to show is the lab's core's
decision (gradlab.labs.expression); the program text rewriting lives beside ``prepare``.
"""

from __future__ import annotations

import threading
import weakref

import shiboken6
from PySide6.QtCore import QObject, Signal

from gradlab.labs.program_runs import Work, input_spans, outcome, with_inputs

__all__ = ["RerunQueue", "input_spans", "with_inputs"]

#: a worker's stack: room for the parser's deepest nesting (input_spans parses the program), as
#: the main thread has
STACK_BYTES = 64 * 1024 * 1024


class _Relay(QObject):
    """Carries a worker's outcome to the UI thread: (the queue, weakly; ticket; result).

    One relay for the whole app, never deleted: a worker finishing after its lab closed
    emits on a live object, and the outcome is dropped because its queue is gone."""

    done = Signal(object)


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None:  # made on the UI thread, by the first queue
        _relay = _Relay()
        _relay.done.connect(_deliver)
    return _relay


def _deliver(payload: tuple[weakref.ref, object, object]) -> None:
    queue_ref, ticket, result = payload
    queue = queue_ref()
    if queue is not None and shiboken6.isValid(queue):
        queue._on_done(ticket, result)


class _Job:
    """One piece of work on a worker thread; the relay carries its outcome back."""

    def __init__(self, work: Work, ticket: object, queue: RerunQueue) -> None:
        self.work, self.ticket, self.queue = work, ticket, weakref.ref(queue)
        self.cancel = threading.Event()

    def run(self) -> None:
        result = outcome(self.work, self.cancel)
        self.work = None  # the program's objects go with the result, not with this job
        _the_relay().done.emit((self.queue, self.ticket, result))


class RerunQueue(QObject):
    """Runs work on one worker thread at a time; ``finished`` (ticket, result | ExpressionError)
    is emitted on the UI thread for each piece.  A request made while one runs replaces any
    request still waiting: dragging a slider runs the newest value, never a backlog.  A request
    that ``supersedes`` also asks the running work to stop (an edit: the old text is gone)."""

    finished = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        _the_relay()
        self._running: _Job | None = None
        self._waiting: tuple[Work, object] | None = None
        # closing the lab stops its run at the next time check (a weak hold: no cycle)
        running = self._jobs = [None]
        self.destroyed.connect(lambda *_: running[0] is not None and running[0].cancel.set())

    def busy(self) -> bool:
        """Work is going on or waiting."""
        return self._running is not None or self._waiting is not None

    def request(self, work: Work, ticket: object, supersede: bool = False) -> None:
        """Run ``work(cancel)`` on the worker; ``ticket`` comes back with its result.  With
        ``supersede`` the work running now is asked to stop (its result still comes back)."""
        self._waiting = (work, ticket)
        if self._running is None:
            self._start()
        elif supersede:
            self._running.cancel.set()

    def cancel(self) -> None:
        """Forget the waiting request and ask the running work to stop (its ticket is stale)."""
        self._waiting = None
        if self._running is not None:
            self._running.cancel.set()

    def _start(self) -> None:
        work, ticket = self._waiting
        self._waiting = None
        job = self._running = self._jobs[0] = _Job(work, ticket, self)
        # A daemon thread, not a Qt pool: nothing waits for it when the window closes mid-run
        # (closing the lab cancels its run; any run ends at its ceiling), and its stack is set here.
        previous = threading.stack_size(STACK_BYTES)
        try:
            threading.Thread(target=job.run, name="gradlab-rerun", daemon=True).start()
        finally:
            threading.stack_size(previous)

    def _on_done(self, ticket: object, result: object) -> None:
        self._running = self._jobs[0] = None
        if self._waiting is not None:
            self._start()
        self.finished.emit(ticket, result)
