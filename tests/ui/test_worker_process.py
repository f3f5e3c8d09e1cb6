"""In the window, a program that crashes Python or stalls inside one C call ends only the
worker process: the error names the line, the learner's text stays, the window never stops
answering, and the next program runs (issue 16).  Driven as a learner would: paste, Ctrl+Enter."""

from __future__ import annotations

import os
import signal
import time

from PySide6.QtCore import QTimer
from windows import paste, run_key

from gradlab import expr
from gradlab.worker import shared_worker

#: runs until its budget is spent, on line 4
SLOW = "a = Value(2.0)\nn = 0\nwhile True:\n    n += 1\n"
#: one C call of about 30 s that no time check sees (a million compares of megabyte texts), on line 5
C_STALL = "x = Value(1.0)\ns = 'a' * 999999\nA = [s + 'b'] * 1000000\nB = [s + 'b'] * 1000000\nprint(A < B)\n"


def run_pasted(qtbot, expression_lab, text: str, timeout: int = 10_000) -> None:
    paste(qtbot, expression_lab, text)
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=timeout):
        run_key(qtbot, expression_lab)


def test_a_program_that_crashes_python_leaves_the_window_its_text_and_a_message(qtbot, expression_lab):
    run_pasted(qtbot, expression_lab, "a = Value(2.0)\nb = a * a\n")
    started = shared_worker().started
    # a crash in C, mid-run: the interpreter refuses what it knows would crash, so it comes from outside
    paste(qtbot, expression_lab, SLOW)
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=10_000):
        run_key(qtbot, expression_lab)
        qtbot.wait(300)
        os.kill(shared_worker().pid(), signal.SIGSEGV)
    assert expression_lab.editor.toPlainText() == SLOW  # nothing the learner typed is lost
    message = expression_lab.error_label.text()
    assert "line 4" in message and "crashed" in message and "SIGSEGV" in message
    assert expression_lab.model.graph.output.data == 4.0  # the last good graph stays on screen
    run_pasted(qtbot, expression_lab, "c = Value(3.0)\nd = c + c\n")
    assert expression_lab.model.error is None and expression_lab.model.graph.output.data == 6.0
    assert shared_worker().started == started + 1  # a new process took over


def test_the_window_keeps_answering_while_a_program_stalls_inside_c(qtbot, expression_lab, monkeypatch):
    monkeypatch.setattr(expr, "MAX_SECONDS", 1.0)  # the ceiling is a minute: a shorter one, for the test
    run_pasted(qtbot, expression_lab, "a = Value(2.0)\nb = a * a\n")
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(16)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    t0 = time.perf_counter()
    run_pasted(qtbot, expression_lab, C_STALL)
    timer.stop()
    assert time.perf_counter() - t0 < 5.0  # the wall-clock ceiling, not the 60 s the C call wants
    assert (
        "line 5" in expression_lab.error_label.text()
        and "longer than 1 s" in expression_lab.error_label.text()
    )
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 50 and max(gaps) < 0.25  # the UI thread never waited on the worker
    run_pasted(qtbot, expression_lab, "c = Value(3.0)\nd = c * 2\n")
    assert expression_lab.model.graph.output.data == 6.0
