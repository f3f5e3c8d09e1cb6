"""Pausing Python's cyclic garbage collector while a big graph is made.

A program's run, a layout or a training step allocates tens of thousands of objects and almost
no reference cycles: the cyclic collector would rescan them (and everything else alive) again
and again, for nothing, while holding the interpreter lock -- slowing the work two- or
threefold and, on a worker thread, stalling the window for tens of milliseconds at a time.
Reference counting frees what these blocks make as soon as it is let go of.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["cyclic_gc_paused"]

_pause_lock = threading.Lock()
_pauses = 0
_collecting = True


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """The cyclic collector off inside the block; nested and concurrent blocks (on any thread)
    share one pause, and the collector's state before the first is restored after the last."""
    global _pauses, _collecting
    with _pause_lock:
        if _pauses == 0:
            _collecting = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collecting:
                gc.enable()
