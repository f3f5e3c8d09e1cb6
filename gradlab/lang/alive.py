"""What a run holds now: the Values alive and the memory in use, measured only now and then.

A run counts what it makes (Values, items) on its hot paths; only when a count crosses its
limit does it measure what is actually alive (gradlab.lang.runtime.Run.check_alive and
check_memory), so a training loop of any length runs while what it keeps stays small, and a
program that keeps too much is still stopped.  Measuring collects the cyclic garbage first:
runs pause the cyclic collector (gradlab.collector), and a program's own Value class, whose
``_backward`` closures hold their node, leaves a reference cycle per node it made.
"""

from __future__ import annotations

import gc
import os
import sys

try:
    import resource
except ImportError:  # not a POSIX system
    resource = None

from gradlab.engine import Value
from gradlab.lang.objects import Instance

__all__ = ["collect_young", "live_values", "prune_bindings", "resident_bytes"]


def live_values(limit: int) -> int:
    """How many gradlab Values are alive in this process.  Values make no reference cycles, so
    a dropped one is gone already; but a program's objects can (``self.f = lambda: self.x``),
    holding Values in garbage: past ``limit`` with such objects about, that garbage is
    collected and the Values counted again."""
    values = objects = 0
    for o in gc.get_objects():
        t = type(o)
        if t is Value:
            values += 1
        elif t is Instance:
            objects += 1
    if values > limit and objects:
        gc.collect()
        values = sum(1 for o in gc.get_objects() if type(o) is Value)
    return values


def collect_young() -> int:
    """Free the reference cycles made since the last collection (cheap: only the young); how
    many objects were garbage."""
    return gc.collect(0)


def resident_bytes() -> int | None:
    """This process's resident memory in bytes (Linux); elsewhere its peak so far, which only
    grows (macOS: a run is then measured by the most it held); None where neither is known."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    if resource is None:  # Windows: the run keeps the rule of items made in all
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def prune_bindings(bindings: list) -> None:
    """Drop, in place, the ``(name, value, line)`` entries whose Value nothing else holds (a
    name assigned again in a loop: the old Value is garbage, and only its binding kept it and
    its whole graph alive), and repeats of a Value already bound (only its first binding
    says which line made it: gradlab.labs.program_runs)."""
    held: dict[int, int] = {}
    for entry in bindings:
        held[id(entry[1])] = held.get(id(entry[1]), 0) + 1
    kept, first = [], set()
    for entry in bindings:
        v = entry[1]
        key = id(v)
        # references: each entry holding v, ``v`` and ``entry`` here, getrefcount's argument
        if key not in first and sys.getrefcount(v) > held[key] + 2:
            first.add(key)
            kept.append(entry)
    bindings[:] = kept
