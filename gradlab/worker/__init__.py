"""Programs run in a separate process (gradlab.worker.process) that the app can limit and kill.

``run_isolated(source, cancel)`` is ``gradlab.expr.run_program`` run there: same Program, same
ExpressionError, and a crash, a stall in C or a memory bomb ends only the worker process.
``child`` is that process's main loop; ``wire`` what crosses between the two.
"""

from __future__ import annotations

import threading

from gradlab.expr import Program
from gradlab.worker.process import ProgramWorker, WorkerError, crash_message, shared_worker

__all__ = ["ProgramWorker", "WorkerError", "crash_message", "run_isolated", "shared_worker", "warm_up"]


def run_isolated(source: str, cancel: threading.Event | None = None, seconds: float | None = None) -> Program:
    """``source`` run by the shared worker process: its Program, or ExpressionError.  ``seconds``:
    the run's time budget (default gradlab.expr.MAX_SECONDS)."""
    return shared_worker().run(source, cancel, seconds)


def warm_up() -> None:
    """Start the shared worker's process now (it imports while the app starts)."""
    shared_worker().start()
