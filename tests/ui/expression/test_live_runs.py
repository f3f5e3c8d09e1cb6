"""Big programs stay live (issue 9): an edited program runs on a worker thread, a newer edit
stops an older run, and the window keeps answering meanwhile.  Driven as a learner would:
keys into the editor, Ctrl+Enter, the window closed mid-run."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSlider
from windows import paste, run_key

from gradlab import expr
from gradlab.app import build_window
from gradlab.session import load_session
from gradlab.ui.expression.lab import RUNNING_TEXT

#: runs until its time budget is spent (or it is cancelled): long enough to act on mid-run
SLOW = "x = Value(1.0)\nn = 0\nfor i in range(10**9):\n    n = n + 1\nslow = x * 2\n"


@pytest.fixture
def long_budget(monkeypatch):
    """A slow run would take 60 s: only a cancel ends it within any test's timeouts."""
    monkeypatch.setattr(expr, "MAX_SECONDS", 60.0)


def start_slow_run(qtbot, expression_lab) -> None:
    paste(qtbot, expression_lab, SLOW)
    run_key(qtbot, expression_lab)
    assert expression_lab.model.run_in_flight()


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gradlab-rerun"]


def test_a_newer_edit_cancels_an_older_slow_run(qtbot, expression_lab, long_budget):
    expression_lab.load_source("a = Value(1.0)\nb = a + 1\n")
    shown, errors = [], []
    expression_lab.model.program_changed.connect(lambda: shown.append(expression_lab.model.source))
    expression_lab.model.error_changed.connect(errors.append)
    start_slow_run(qtbot, expression_lab)
    qtbot.wait(100)  # the slow run is well under way
    assert expression_lab.model.run_in_flight()
    paste(qtbot, expression_lab, "q = Value(3.0)\nr = q * q\n")
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=5000):
        run_key(qtbot, expression_lab)  # without the cancel, this run would wait a minute for the slow one
    assert expression_lab.output_label.text() == "r = 9.0000"
    assert shown == ["q = Value(3.0)\nr = q * q\n"]  # the slow program's graph never appeared
    assert [e for e in errors if e is not None] == []  # nor its cancel as an error
    qtbot.waitUntil(lambda: not worker_threads(), timeout=3000)


def test_typing_again_while_a_run_is_in_flight_shows_only_the_newest(qtbot, expression_lab, long_budget):
    start_slow_run(qtbot, expression_lab)
    paste(qtbot, expression_lab, "u = Value(2.0)\n")
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=5000):  # the 350 ms pause in typing
        qtbot.keyClicks(expression_lab.editor, "v = u * 5")
    assert expression_lab.output_label.text() == "v = 10.0000"
    assert expression_lab.model.source == "u = Value(2.0)\nv = u * 5"


def test_the_window_keeps_ticking_and_says_running_during_a_slow_run(qtbot, expression_lab, long_budget):
    expression_lab.load_source("a = Value(1.0)\nb = a + 1\n")
    ticks = []
    timer = QTimer(interval=16)
    timer.timeout.connect(lambda: ticks.append(expression_lab.model.run_in_flight()))
    start_slow_run(qtbot, expression_lab)
    timer.start()
    qtbot.waitUntil(lambda: RUNNING_TEXT in expression_lab.output_label.text(), timeout=3000)
    qtbot.waitUntil(lambda: sum(ticks) >= 10, timeout=5000)  # ticks while the run was in flight
    timer.stop()
    assert expression_lab.model.run_in_flight() and expression_lab.output_label.text().startswith(
        "b = 2.0000"
    )
    qtbot.keyClicks(expression_lab.editor, "#")  # typing is answered mid-run too
    assert expression_lab.editor.toPlainText().endswith("#")
    assert expression_lab.load_source("a = Value(1.0)\n")  # run here and now: the slow run is dropped
    assert RUNNING_TEXT not in expression_lab.output_label.text() and not expression_lab.model.run_in_flight()
    qtbot.waitUntil(lambda: not worker_threads(), timeout=3000)


def test_a_fast_run_never_says_running(qtbot, expression_lab, monkeypatch):
    expression_lab.load_source("a = Value(1.0)\n")
    texts = []
    set_text = expression_lab.output_label.setText
    monkeypatch.setattr(
        expression_lab.output_label, "setText", lambda text: (texts.append(text), set_text(text))
    )
    expression_lab.editor.setFocus()
    expression_lab.editor.moveCursor(expression_lab.editor.textCursor().MoveOperation.End)
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=3000):
        qtbot.keyClicks(expression_lab.editor, "b = a * 4")
        run_key(qtbot, expression_lab)
    qtbot.wait(200)  # past the moment a slow run would say so
    assert texts and texts[-1] == "b = 4.0000" and not any(RUNNING_TEXT in t for t in texts)


def test_an_error_dims_the_graph_under_a_banner(qtbot, expression_lab):
    expression_lab.load_source("a = Value(1.0)\nb = a + 1\n")
    good = expression_lab.model.graph
    expression_lab.editor.setFocus()
    expression_lab.editor.moveCursor(expression_lab.editor.textCursor().MoveOperation.End)
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=3000):
        qtbot.keyClicks(expression_lab.editor, "c = nope * 2")
    assert expression_lab.canvas.is_stale() and expression_lab.model.graph is good
    assert "line 3" in expression_lab.error_label.text() and "'nope'" in expression_lab.error_label.text()
    assert expression_lab.editor.error_line() == 3


@pytest.mark.parametrize(("program", "message"), [
    ("xs = [0] * 10**9\n", expr.ITEMS_MESSAGE),
    ("def f(n):\n    return f(n + 1)\nf(0)\n", expr.CALL_DEPTH_MESSAGE),
    ("x = " + " + ".join(["1"] * 300) + "\n", expr.DEPTH_MESSAGE),
    ("while True:\n    pass\n", "this program took longer than 0.5 s to run; it stopped here"),
])
def test_hostile_programs_stop_on_the_worker_with_the_same_message(qtbot, expression_lab, program, message,
                                                                   monkeypatch):
    monkeypatch.setattr(expr, "MAX_SECONDS", 0.5)  # the ceiling is a minute: a shorter one, for the test
    expression_lab.load_source("a = Value(1.0)\n")
    paste(qtbot, expression_lab, program)
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=10_000):
        run_key(qtbot, expression_lab)
    assert expression_lab.model.error is not None and expression_lab.model.error.message == message
    assert (
        expression_lab.model.set_source(program) is False and expression_lab.model.error.message == message
    )  # as here


def test_an_edit_that_keeps_the_inputs_keeps_their_sliders(qtbot, expression_lab):
    expression_lab.load_source("a = Value(1.0)\nb = Value(2.0)\nc = a * b\n")
    slider = expression_lab.findChild(QSlider, "slider_a")
    paste(qtbot, expression_lab, "a = Value(40.0)\nb = Value(2.0)\nc = a * b + 1\n")
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=3000):
        run_key(qtbot, expression_lab)
    assert expression_lab.findChild(QSlider, "slider_a") is slider  # not rebuilt
    assert expression_lab.sliders.rows["a"].box.value() == 40.0
    assert slider.value() == slider.maximum() // 2  # centred on the new value, as a new row is
    paste(qtbot, expression_lab, "a = Value(40.0)\nd = a * 2\n")
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=3000):
        run_key(qtbot, expression_lab)
    assert (
        expression_lab.findChild(QSlider, "slider_b") is None
        and expression_lab.findChild(QSlider, "slider_a") is not slider
    )


def test_autosave_gets_the_typed_text_while_a_run_is_in_flight(qtbot, long_budget):
    w = build_window([])
    qtbot.addWidget(w)
    w.autosaver.set_delay(50)
    expression_lab = w.expression_lab
    start_slow_run(qtbot, expression_lab)
    with qtbot.waitSignal(w.autosaver.saved, timeout=3000):
        qtbot.keyClicks(expression_lab.editor, "# still typing")
    assert expression_lab.model.run_in_flight()
    assert load_session(w.autosaver.path).expression_lab.source == SLOW + "# still typing"
    expression_lab.load_source("a = Value(1.0)\n")
    qtbot.waitUntil(lambda: not worker_threads(), timeout=3000)


def test_closing_the_window_mid_run_is_clean(qtbot, long_budget):
    w = build_window([])
    expression_lab = w.expression_lab
    w.show()
    start_slow_run(qtbot, expression_lab)
    qtbot.wait(50)
    assert worker_threads()
    w.close()
    with qtbot.waitSignal(w.destroyed, timeout=3000):
        w.deleteLater()
    qtbot.waitUntil(lambda: not worker_threads(), timeout=3000)  # the closed lab's run stopped
    QApplication.processEvents()  # its outcome, if delivered, finds no lab and is dropped


def test_opening_an_example_or_a_file_on_screen_runs_on_the_worker(qtbot, tmp_path):
    w = build_window([])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    expression_lab = w.expression_lab
    examples = w.menuBar().actions()[3].menu()
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=5000):
        examples.actions()[1].trigger()  # the lecture's example
        assert expression_lab.model.run_in_flight()  # the menu returned before the program ran
    assert expression_lab.model.graph.output.data == -8.0
    program = tmp_path / "mine.py"
    program.write_text("w = Value(0.5)\nloss = (w - 3.0)**2\n", encoding="utf-8")
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=5000):
        assert w.open_path(program) and expression_lab.model.run_in_flight()
    assert expression_lab.output_label.text() == "loss = 6.2500"


def test_the_worker_process_runs_a_thread_lays_out_the_ui_thread_only_swaps_it_in(
    qtbot, expression_lab, monkeypatch
):
    from gradlab.graph import GraphModel
    from gradlab.lang import runtime

    threads = {"run": set(), "layout": set()}
    run_init, layout = runtime.Run.__init__, GraphModel.layout

    def spy_run(self, *args, **kwargs):
        threads["run"].add(threading.current_thread().name)
        run_init(self, *args, **kwargs)

    def spy_layout(self):
        if self._layout is None:  # computed here, not looked up
            threads["layout"].add(threading.current_thread().name)
        return layout(self)

    monkeypatch.setattr(runtime.Run, "__init__", spy_run)
    monkeypatch.setattr(GraphModel, "layout", spy_layout)
    paste(qtbot, expression_lab, "a = Value(2.0)\nb = Value(3.0)\nc = (a * b).tanh() + a\n")
    with qtbot.waitSignal(expression_lab.model.run_finished, timeout=3000):
        run_key(qtbot, expression_lab)
    expression_lab.repaint()
    # the program ran in the worker process (no Run was made in the app's), the layout on a thread
    assert threads == {"run": set(), "layout": {"gradlab-rerun"}}
    assert expression_lab.canvas.graph is expression_lab.model.graph
    assert expression_lab.canvas.drawing is expression_lab.model.graph.drawing_for(
        *expression_lab.canvas.view_shape()
    )
