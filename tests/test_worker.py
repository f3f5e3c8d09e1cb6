"""Programs run in a separate process (gradlab.worker): what a program does there cannot crash,
stall or fill the process that asked, and what comes back is the same Program."""

import os
import pickle
import signal
import subprocess
import sys
import threading
import time

import pytest

from gradlab import engine, expr
from gradlab.expr import ExpressionError, RunCancelled, run_program
from gradlab.lang.limits import MAX_MEMORY_BYTES
from gradlab.worker import ProgramWorker, WorkerError, wire
from gradlab.worker.process import CANCEL_GRACE, KILL_GRACE

#: every op of the engine, labels, a binding reused, a plot, a loss curve, printed text
ROUND_TRIP = """\
a = Value(2.0, label='a')
b = Value(-3.0)
c = a * b + a ** 2 - b / a
d = (c.tanh() + c.relu() + a.exp() + Value(0.5).log() + b.sigmoid()) ** b
e = 2 ** a + d
for i in range(3):
    e.backward()
b = Value(1.5)
print('e is', e)
import matplotlib.pyplot as plt
plt.plot([1, 2, 3], [4.5, float('inf'), 6], 'o-', label='x')
plt.title('t')
"""

#: hashing a tuple nested 5,000,001 deep recurses in C and overflows the stack (SIGSEGV)
NESTED = ("L = (1.0,)\nfor i in range(100000):\n    L = " + "(" * 50 + "L" + ",)" * 50
          + "\nprint(len(set([L])))\n")
#: one C call of about 30 s that no time check sees: a million compares of two equal megabyte texts
C_STALL = "s = 'a' * 999999\nA = [s + 'b'] * 1000000\nB = [s + 'b'] * 1000000\nprint(A < B)\n"
#: the ceiling these tests run under (the real one, expr.MAX_SECONDS, is a minute): a short one is the
#: same path to the same words, sooner
MAX_SECONDS = 0.5


@pytest.fixture(scope="module")
def worker():
    w = ProgramWorker()
    yield w
    w.close()


def same_graph(p, q) -> None:
    """Programs p and q left the same values, graph, gradients, rules and everything else."""
    assert p.values.keys() == q.values.keys() and p.inputs == q.inputs and p.lines == q.lines
    for field in ("printed", "backward_called", "node_count", "gradients_touched", "mirrored",
                  "plot_labels", "losses", "straight_line"):
        assert getattr(p, field) == getattr(q, field), field
    assert [(n, line) for n, _v, line in p.bindings] == [(n, line) for n, _v, line in q.bindings]
    assert [(x.kind, x.x, x.y, x.label, x.fmt, x.style) for x in p.plots] == \
           [(x.kind, x.x, x.y, x.label, x.fmt, x.style) for x in q.plots]
    for u, v in zip(engine.topological_order(p.output), engine.topological_order(q.output), strict=True):
        assert (u.data, u.grad, u._op, u._arg, u.label, u._grad_fn, len(u._prev)) == \
               (v.data, v.grad, v._op, v._arg, v.label, v._grad_fn, len(v._prev))


def test_a_program_comes_back_as_the_same_program_with_working_backward_rules(worker) -> None:
    here, there = run_program(ROUND_TRIP), worker.run(ROUND_TRIP)
    same_graph(here, there)
    assert there.printed == ["e is " + repr(here.output)] and there.losses == here.losses
    # the rebuilt graph is a live one: backward() from scratch gives the same gradients
    here.output.backward()
    there.output.backward()
    assert [v.grad for v in engine.topological_order(there.output)] == \
           [v.grad for v in engine.topological_order(here.output)]
    # a binding reused for a new Value keeps both Values, as in the app's process
    assert [n for n, _v, _l in there.bindings].count("b") == 2


def test_a_programs_own_value_class_comes_back_as_a_copy_without_rules(worker) -> None:
    source = ("class Value:\n    def __init__(self, data, _children=()):\n"
              "        self.data = data\n        self._prev = tuple(_children)\n"
              "    def __add__(self, other):\n        return Value(self.data + other.data, (self, other))\n"
              "a = Value(1.0)\nb = a + Value(2.0)\n")
    there = worker.run(source)
    assert there.mirrored and there.output.data == 3.0 and there.output._grad_fn is None
    same_graph(run_program(source), there)


def test_errors_come_back_as_the_interpreters_own(worker) -> None:
    with pytest.raises(ExpressionError) as here:
        run_program("x = 1\ny = [1][5]\n")
    with pytest.raises(ExpressionError) as there:
        worker.run("x = 1\ny = [1][5]\n")
    assert (there.value.line, there.value.col, there.value.message) == \
           (here.value.line, here.value.col, here.value.message)


#: runs until its budget is spent, on line 3
SLOW = "x = 1\nn = 0\nwhile True:\n    n += 1\n"


def crash_during(worker: ProgramWorker, source: str, after: float = 0.3) -> ExpressionError:
    """What running ``source`` says when its process dies of SIGSEGV ``after`` seconds in (a crash
    in C: the interpreter measures what it knows would crash, so the test crashes it from outside)."""
    worker.run("warm = 1\n")
    pid = worker.pid()
    threading.Timer(after, os.kill, (pid, signal.SIGSEGV)).start()
    with pytest.raises(ExpressionError) as err:
        worker.run(source)
    return err.value


def test_a_crash_in_c_ends_only_the_worker_naming_the_line_and_the_next_run_works(worker) -> None:
    worker.run("warm = 1\n")  # the module's worker is up, even where this test runs first
    started = worker.started
    err = crash_during(worker, SLOW)
    assert err.line == 4 and "crashed" in err.message and "SIGSEGV" in err.message
    assert worker.run("a = Value(2.0)\nb = a * a\n").output.data == 4.0
    assert worker.started == started + 1


def test_the_issues_crashing_program_is_refused_by_line_before_python_hashes_it(worker) -> None:
    with pytest.raises(ExpressionError) as err:
        worker.run(NESTED)  # hashing a tuple nested 5,000,001 deep recursed in C: SIGSEGV
    assert err.value.line == 4 and "nested too deeply" in err.value.message


def test_a_stall_inside_one_c_call_is_killed_at_the_wall_clock_ceiling(worker, monkeypatch) -> None:
    monkeypatch.setattr(expr, "MAX_SECONDS", MAX_SECONDS)
    pid = worker.run("x = 1\n") and worker.pid()
    t0 = time.monotonic()
    with pytest.raises(ExpressionError) as err:
        worker.run(C_STALL)
    took = time.monotonic() - t0
    assert err.value.line == 4 and f"longer than {MAX_SECONDS:g} s" in err.value.message
    assert MAX_SECONDS + KILL_GRACE <= took < MAX_SECONDS + KILL_GRACE + 1.0
    assert worker.pid() != pid  # that process is gone; the next run has a new one
    assert worker.run("y = Value(1.0)\n").values["y"].data == 1.0


#: the C-level stalls of issue 16: (program, its line, what it says).  Each is one step of C that
#: no time check sees: the interpreter now bounds most of them itself, the worker's kill the rest
STALLS = {
    "a set of colliding hashes": ("S = set(i * (2**61 - 1) for i in range(200000))\n", 1,
                                  f"longer than {MAX_SECONDS:g} s"),
    "counting long texts": ("s = 'a' * 999999\nt = 'a' * 999999\nL = [s] * 1000000\nprint(L.count(t))\n", 4,
                            f"longer than {MAX_SECONDS:g} s"),
    "max of long texts": ("s = 'a' * 999999\nL = [s + 'b', s + 'c'] * 500000\nprint(max(L)[-1])\n", 3,
                          f"longer than {MAX_SECONDS:g} s"),
    "sorting long texts": ("s = 'a' * 999999\nL = [s + 'b', s + 'c'] * 500000\nM = sorted(L)\n", 3,
                           "would take too long"),
    "comparing lists of long texts": (C_STALL, 4, f"longer than {MAX_SECONDS:g} s"),
}


@pytest.fixture(scope="module")
def quick():
    """A worker with a short budget: the same path as the minute's, a quicker test."""
    w = ProgramWorker(seconds=MAX_SECONDS)
    yield w
    w.close()


@pytest.mark.parametrize("name", STALLS)
def test_each_c_level_stall_ends_at_the_ceiling_naming_its_line(quick, name) -> None:
    source, line, words = STALLS[name]
    quick.run("warm = 1\n")  # the clock times the run, not the start of its process
    t0 = time.monotonic()
    with pytest.raises(ExpressionError) as err:
        quick.run(source)
    assert time.monotonic() - t0 < MAX_SECONDS + KILL_GRACE + 1.0
    assert err.value.line == line and words in err.value.message
    assert quick.run("a = Value(1.0)\n").values["a"].data == 1.0


def test_a_cancelled_run_stops_at_once_even_inside_one_c_call(worker) -> None:
    for source, line in (("i = 0\nwhile True:\n    i += 1\n", 3), (C_STALL, 4)):
        cancel = threading.Event()
        threading.Timer(0.3, cancel.set).start()
        t0 = time.monotonic()
        with pytest.raises(RunCancelled) as err:
            worker.run(source, cancel)
        assert time.monotonic() - t0 < 0.3 + CANCEL_GRACE + 0.5
        assert err.value.line == line
    assert worker.run("z = Value(3.0)\n").values["z"].data == 3.0


def test_the_worker_has_a_memory_ceiling_and_a_memory_bomb_stays_in_it(worker) -> None:
    worker.run("x = 1\n")
    with open(f"/proc/{worker.pid()}/limits") as f:
        limits = {line[:26].strip(): line[26:].split() for line in f}
    assert int(limits["Max address space"][0]) == MAX_MEMORY_BYTES
    assert limits["Max cpu time"][0] != "unlimited"
    # about 2 GB of text if repr were let build it: refused or out of memory, in the worker only
    with pytest.raises(ExpressionError) as err:
        worker.run("s = 'a' * 999999\nL = [s] * 1000\nprint(len(str(L)))\n")
    assert err.value.line == 3
    assert worker.run("w = Value(1.0)\n").values["w"].data == 1.0


def test_what_crosses_back_is_data_only() -> None:
    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))

    with pytest.raises(wire.WireError, match="class"):
        wire.loads(pickle.dumps(Evil()))
    with pytest.raises(wire.WireError, match="class"):
        wire.loads(pickle.dumps({"data": engine.Value(1.0)}))
    good = wire.encode_program(run_program("a = Value(1.0)\nb = a + a\n"))
    assert wire.decode_program(wire.loads(wire.dumps(good))).output.data == 2.0
    for broken in ({**good, "prev": [(5,), (0, 0)]}, {**good, "rule": ["", "no such rule"]}, {"data": 1}):
        with pytest.raises(wire.WireError):
            wire.decode_program(broken)


def test_a_worker_that_cannot_start_says_so(monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    with pytest.raises(WorkerError, match="could not start"):
        ProgramWorker().run("x = 1\n")


@pytest.mark.parametrize(("source", "words"), [
    (NESTED, ["line 4", "nested too deeply"]),
    (C_STALL, ["line 4", f"longer than {MAX_SECONDS:g} s"]),
])
def test_gradlab_run_exits_1_with_a_message_never_a_signal_or_a_traceback(tmp_path, source, words) -> None:
    path = tmp_path / "hostile.py"
    path.write_text(source, encoding="utf-8")
    timeout = ["--timeout", f"{MAX_SECONDS:g}"] if source == C_STALL else []  # the ceiling is a minute
    done = subprocess.run([sys.executable, "-m", "gradlab", "run", *timeout, str(path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert all(w in done.stderr for w in words) and "Traceback" not in done.stderr


#: programs that would take more memory than a program may have: (program, the line named)
MEMORY_BOMBS = [
    ("s = 'a' * 999999\nL = [s] * 1000\nprint(len(str(L)))\n", 3),
]


def _cap_address_space() -> None:  # in the child, before it runs gradlab
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.parametrize(("source", "line"), MEMORY_BOMBS)
def test_gradlab_run_under_a_2_gb_cap_refuses_a_memory_bomb_naming_its_line(tmp_path, source, line) -> None:
    path = tmp_path / "bomb.py"
    path.write_text(source, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "gradlab", "run", "--timeout", "2", str(path)],
                          capture_output=True, text=True,
                          timeout=60, preexec_fn=_cap_address_space)
    assert done.returncode == 1 and f"line {line}:" in done.stderr and "Traceback" not in done.stderr


def test_each_way_a_process_can_end_has_its_own_words() -> None:
    from gradlab.worker import crash_message

    words = {-11: "SIGSEGV", -6: "SIGABRT", -24: "processor time", -9: "too much memory", 3: "exit status 3"}
    for code, word in words.items():
        assert word in crash_message(code)
    assert len({crash_message(code) for code in words}) == len(words)
