"""The program worker's own process: ``python -m gradlab.worker.child LINE_FD``.

It reads requests from its standard input and answers on its standard output, one frame each
(gradlab.worker.wire): ``("run", n, source, seconds)`` runs a program for at most ``seconds``
and answers ``("ok", n, retire, program)`` or ``("error", n, retire, kind, line, col,
message)``, ``retire`` true when this process has grown too big and ends after answering;
``("cancel", n)`` stops run ``n`` at the interpreter's next time check.  Its first frame says
it is ready.  Standard input closing ends it.

Before the first request it caps itself: its address space at MAX_MEMORY_BYTES (a memory
bomb fails with MemoryError here, or ends this process, never the app), and for each run its
processor time at MAX_CPU_SECONDS (or the run's budget and a third of MAX_CPU_SECONDS) more
than it has used (the app kills it sooner, at the wall-clock ceiling; this ends it even if the
app has gone).  The statement a run is at is
written to a shared page (file descriptor LINE_FD), so that the app can name the line a crash
or a stall happened on.
"""

from __future__ import annotations

import mmap
import os
import queue
import sys
import threading
from collections.abc import Callable

#: the stack of the thread that runs programs: room for the interpreter's deepest allowed
#: nesting (the main thread's stack is whatever the system gives, often 8 MB)
STACK_BYTES = 64 * 1024 * 1024
#: a worker whose memory has grown past this after a run retires: the app starts a fresh one
RETIRE_RESIDENT_BYTES = 400 * 1024 * 1024


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _set_limits(memory_bytes: int) -> None:
    try:
        import resource
    except ImportError:  # not a POSIX system: the app's wall-clock kill still holds
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ValueError, OSError):
        pass
    # a crash writes no core file: it is a program's doing, not a bug to debug
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass


def _cap_cpu(seconds: int) -> None:
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + seconds
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        except (ValueError, OSError):
            pass


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    # the frames own the real standard output; anything printed by accident goes to stderr
    proto_in, proto_out = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)

    # imported once the output is redirected, and before "ready": a first run waits for no import
    import gradlab.expr  # noqa: F401 -- the interpreter _answer runs
    from gradlab.lang.limits import MAX_MEMORY_BYTES
    from gradlab.worker.wire import WireError, read_frame, write_frame

    line = memoryview(mmap.mmap(int(argv[0]), mmap.PAGESIZE)).cast("i") if argv else [0]
    requests: queue.SimpleQueue = queue.SimpleQueue()
    current: list = [None, None]  # the run going on: its number and its cancel event
    write_lock = threading.Lock()

    def send(message: tuple) -> None:
        with write_lock:
            write_frame(proto_out, message)

    _set_limits(MAX_MEMORY_BYTES)
    previous = threading.stack_size(STACK_BYTES)
    threading.Thread(target=_run_requests, args=(requests, current, line, send),
                     name="gradlab-program", daemon=True).start()
    threading.stack_size(previous)
    send(("ready", os.getpid()))
    while True:
        try:
            message = read_frame(proto_in)
        except (WireError, OSError):
            os._exit(0)  # the app closed the pipe (or went away)
        if not isinstance(message, tuple) or not message:
            continue
        if message[0] == "run":
            requests.put((message[1], message[2], message[3]))
        elif message[0] == "cancel" and current[0] == message[1] and current[1] is not None:
            current[1].set()


def _run_requests(requests: queue.SimpleQueue, current: list, line, send: Callable[[tuple], None]) -> None:
    """The program thread: run each request in turn and send its answer; end the process when
    the app has gone, or after answering when it has grown past RETIRE_RESIDENT_BYTES."""
    from gradlab.lang.limits import MAX_CPU_SECONDS, MEMORY_MESSAGE

    while True:
        n, source, seconds = requests.get()
        cancel = threading.Event()
        current[:] = [n, cancel]
        line[0] = 0
        # processor time: the run's wall-clock budget and then some (a backstop: the app kills
        # the process sooner); never less than MAX_CPU_SECONDS
        _cap_cpu(max(MAX_CPU_SECONDS, int(seconds or 0) + MAX_CPU_SECONDS // 3))
        answer = _answer(n, source, seconds, cancel, line)
        current[:] = [None, None]
        retire = _resident_bytes() > RETIRE_RESIDENT_BYTES
        try:
            try:
                send((answer[0], answer[1], retire, *answer[2:]))
            except MemoryError:  # the result is too big to write down
                answer = None
                send(("error", n, True, "error", max(line[0], 1), 1, MEMORY_MESSAGE))
                retire = True
        except OSError:
            os._exit(0)  # the app has gone
        if retire:
            os._exit(0)


def _answer(n: int, source: str, seconds: float | None, cancel: threading.Event, line) -> tuple:
    """Run ``n``'s outcome: ``("ok", n, program)`` or ``("error", n, kind, line, col, message)``."""
    from gradlab.expr import ExpressionError, RunCancelled, run_program
    from gradlab.lang.limits import MEMORY_MESSAGE
    from gradlab.lang.objects import python_error
    from gradlab.worker.wire import encode_program

    try:
        return ("ok", n, encode_program(run_program(source, cancel, line, seconds)))
    except RunCancelled as e:
        return ("error", n, "cancelled", e.line, e.col, e.message)
    except ExpressionError as e:
        return ("error", n, "error", e.line, e.col, e.message)
    except MemoryError:  # while the result was written down
        return ("error", n, "error", max(line[0], 1), 1, MEMORY_MESSAGE)
    except Exception as e:  # noqa: BLE001 -- every outcome goes back
        return ("error", n, "error", max(line[0], 1), 1, python_error(e))


if __name__ == "__main__":
    main()
