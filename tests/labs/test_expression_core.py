"""The expression lab's core without Qt: programs, selection, the probe, sliders, Descend, the
step-through and which runs' results are shown, heard through plain callbacks."""

import threading

import pytest
from helpers import SEED, manual_core, seed_expression, seed_graph

from gradlab import resources
from gradlab.engine import Value
from gradlab.labs.events import Events
from gradlab.labs.expression import MIRRORED_TEXT, STEPPING_TEXT, ExpressionCore
from gradlab.labs.inspected import MAX_STEP, MIN_STEP
from gradlab.labs.program_runs import outcome

#: the seed's output and its gradients (micrograd's README)
G, DG_DA, DG_DB = 24.7041, 138.8338, 645.5773
#: a program with a loop: y = x**4, made again by running the program for a new x
LOOP = "x = Value(1.5)\ny = x\nfor i in range(3):\n    y = y * x\n"


class Heard:
    """Every event a core emits, in order, as (name, *payload)."""

    def __init__(self, core: ExpressionCore) -> None:
        self.events: list[tuple] = []
        for name in core.events.names:
            core.events.connect(name, lambda *payload, name=name: self.events.append((name, *payload)))

    def names(self) -> list[str]:
        return [e[0] for e in self.events]


def seed_grad(a_data: float, b_data: float = 2.0) -> tuple[float, float]:
    """dg/da and dg/db of the seed at (a_data, b_data), by the engine."""
    a, b = Value(a_data), Value(b_data)
    seed_graph(a, b).backward()
    return a.grad, b.grad


@pytest.fixture
def seed():
    core = ExpressionCore()
    assert core.set_source(SEED)
    return core


def test_a_program_gives_its_graph_and_says_so_in_order():
    core = ExpressionCore()
    heard = Heard(core)
    assert core.set_source(SEED)
    assert heard.events == [("program_changed",), ("selection_changed", -1)]
    assert core.graph.output.data == pytest.approx(G, abs=5e-5)
    assert core.program.printed == ["24.7041", "138.8338", "645.5773"]
    assert core.gradients_note() == "Gradients as the program left them."
    assert core.probe_off_reason() == "" and core.error is None


def test_the_probe_measures_the_selected_nodes_slope_next_to_its_gradient(seed):
    heard = Heard(seed)
    assert seed.nudge() is None  # nothing selected
    a, b = seed.graph.find("a"), seed.graph.find("b")
    seed.select(a)
    seed.set_step_size(1e-6)
    assert heard.events == [("selection_changed", a), ("step_size_changed", 1e-6)]
    r = seed.nudge()
    assert (r.index, r.x, r.h) == (a, -4.0, 1e-6)
    assert r.grad == pytest.approx(DG_DA, abs=5e-5)
    assert r.central_diff == pytest.approx(DG_DA, rel=1e-6)
    assert abs(r.central_error) < abs(r.forward_error)  # the central difference bends less
    seed.select(b)
    assert seed.nudge().grad == pytest.approx(DG_DB, abs=5e-5)
    assert seed.graph.output.data == pytest.approx(G, abs=5e-5)  # the nudge put every value back


def test_the_step_h_stays_within_its_range_and_an_unchanged_h_says_nothing(seed):
    heard = Heard(seed)
    seed.set_step_size(seed.step_size)
    seed.set_step_size(10.0)
    seed.set_step_size(1e-30)
    seed.set_step_size(float("nan"))
    assert heard.events == [("step_size_changed", MAX_STEP), ("step_size_changed", MIN_STEP),
                            ("step_size_changed", seed.default_step)]
    seed.select(len(seed.graph))  # past the last node: none
    assert seed.selected == -1


def test_the_selection_follows_its_name_across_an_edit_and_an_error_keeps_the_graph(seed):
    seed.select(seed.graph.find("b"))
    heard = Heard(seed)
    assert seed.set_source(SEED.replace("b = Value(2.0)", "b = Value(3.0)"))
    assert seed.graph.names[seed.selected] == "b" and seed.graph.values[seed.selected].data == 3.0
    good = seed.graph
    assert not seed.set_source("a = Value(1.0)\nb = a +\n")
    assert heard.names()[-1] == "error_changed" and heard.events[-1][1].line == 2
    assert seed.graph is good and seed.error.line == 2
    assert seed.set_source("a = Value(1.0)\n")
    assert ("error_changed", None) in heard.events and seed.error is None


def test_a_slider_recomputes_a_straight_line_program_in_place(seed):
    a = seed.graph.find("a")
    heard = Heard(seed)
    seed.set_value(a, -3.0)
    expected = seed_expression(-3.0, 2.0)
    assert heard.names() == ["values_changed"] and a in heard.events[0][1]
    assert seed.graph.output.data == pytest.approx(expected.data, rel=1e-12)
    assert seed.graph.values[a].grad == pytest.approx(seed_grad(-3.0)[0], rel=1e-9)
    assert seed.gradients_note() == "Gradients computed by gradlab since the graph changed."


def test_a_slider_runs_a_program_with_a_loop_again_with_its_new_value():
    core = ExpressionCore()
    assert core.set_source(LOOP) and not core.program.straight_line
    assert core.graph.output.data == 1.5**4 and core.slider_note("x") == ""
    x = core.graph.find("x")
    seen = []
    core.events.connect("program_changed", lambda: seen.append((core.rerunning, core.graph.output.data)))
    heard = Heard(core)
    core.set_value(x, 2.0)
    assert seen == [(True, 16.0)] and not core.rerunning
    assert heard.names() == ["program_changed", "selection_changed", "rerun_finished"]
    assert core.overrides == {"x": 2.0} and core.source == LOOP  # the text as typed stays
    assert core.graph.values[core.graph.find("x")].grad == 4 * 2.0**3


def test_descend_moves_every_input_against_its_gradient_and_ascend_along_it(seed):
    a, b = seed.graph.find("a"), seed.graph.find("b")
    grads = seed.graph.values[a].grad, seed.graph.values[b].grad
    seed.step_inputs(1e-5)
    moved = -4.0 - 1e-5 * grads[0], 2.0 - 1e-5 * grads[1]
    assert (seed.graph.values[a].data, seed.graph.values[b].data) == moved
    assert seed.graph.output.data == pytest.approx(seed_expression(*moved).data, rel=1e-12)
    assert seed.graph.output.data == pytest.approx(20.5661, abs=5e-5)  # down from 24.7041
    assert seed.graph.values[a].grad == pytest.approx(seed_grad(*moved)[0], rel=1e-9)
    low = seed.graph.output.data
    seed.step_inputs(-1e-5)  # Ascend: up along the new gradient
    assert seed.graph.output.data > low + 1.0


def test_descend_on_a_program_with_a_loop_runs_it_again():
    core = ExpressionCore()
    core.set_source(LOOP)
    core.step_inputs(0.01)  # dy/dx = 4 x**3 = 13.5
    assert core.overrides == {"x": pytest.approx(1.5 - 0.135)}
    assert core.graph.output.data == pytest.approx((1.5 - 0.135) ** 4)


def test_stepping_through_backprop_fills_in_gradients_in_backwards_order():
    core = ExpressionCore()
    core.set_source("a = Value(2.0)\nb = Value(-3.0)\nc = a * b\nd = c + a\n")
    g = core.graph
    a, b, c, d = (g.find(n) for n in "abcd")
    heard = Heard(core)
    assert core.step_backprop() == 0
    assert core.backprop_order == [d, c] and core.backprop_current() == d
    assert core.pending_gradients() == [i != d for i in range(len(g))]
    assert core.probe_off_reason() == STEPPING_TEXT and core.nudge() is None
    assert core.step_backprop() == 1  # d = c + a passes 1 to both
    assert (g.values[c].grad, g.values[a].grad) == (1.0, 1.0) and core.gradient_pending(b)
    assert core.last_step.node == d and core.backprop_current() == d
    assert core.step_backprop() == 2  # c = a * b: a gets b.data, b gets a.data
    assert (g.values[a].grad, g.values[b].grad) == (-2.0, 2.0)
    assert core.pending_gradients() == [False] * len(g)
    assert core.step_backprop() == -1  # past the last step: the walk ends
    assert [e for e in heard.events if e[0] == "backprop_step_changed"] == [
        ("backprop_step_changed", k) for k in (0, 1, 2, -1)]
    assert core.pending_gradients() is None and core.probe_off_reason() == ""
    assert core.backprop_current() == -1


def test_finish_completes_backward_at_once(seed):
    seed.step_backprop()
    assert seed.graph.values[seed.graph.find("a")].grad == 0.0
    seed.finish_backprop()
    assert seed.backprop_step == -1 and seed.last_step is None
    assert seed.graph.values[seed.graph.find("a")].grad == pytest.approx(DG_DA, abs=5e-5)
    assert seed.gradients_note() == "Gradients computed by gradlab since the graph changed."


def test_only_the_newest_edit_is_shown():
    core, runner = manual_core()
    heard = Heard(core)
    core.request_source("a = Value(1.0)\n")
    core.request_source("a = Value(2.0)\n")
    assert core.run_in_flight() and core.rerun_pending() and heard.names() == ["run_started"] * 2
    runner.finish(0)  # the older edit comes back first: stale
    assert core.graph is None and core.run_in_flight()
    runner.finish(0)
    assert core.graph.output.data == 2.0 and not core.run_in_flight()
    assert heard.names()[2:] == ["program_changed", "selection_changed", "run_finished"]


def test_running_here_and_now_drops_the_edit_in_flight():
    core, runner = manual_core()
    heard = Heard(core)
    core.request_source("a = Value(1.0)\n")
    assert core.set_source("a = Value(3.0)\n")
    assert heard.names() == ["run_started", "run_finished", "program_changed", "selection_changed"]
    runner.finish()
    assert core.graph.output.data == 3.0 and len(heard.events) == 4  # the dropped run: never shown


def test_a_rerun_of_text_that_changed_since_is_not_shown():
    core, runner = manual_core()
    assert core.set_source(LOOP)
    core.set_value(core.graph.find("x"), 2.0)
    assert core.set_source(LOOP.replace("1.5", "3.0"))  # the text changed while the re-run ran
    runner.finish()
    assert core.graph.output.data == 3.0**4


def test_a_re_run_waits_while_an_edit_runs():
    core, runner = manual_core()
    assert core.set_source(LOOP)
    core.request_source(LOOP.replace("range(3)", "range(2)"))
    core.set_value(core.graph.find("x"), 2.0)  # the edit replaces this program: no re-run
    assert len(runner.jobs) == 1 and core.overrides == {}
    runner.finish()
    assert core.graph.output.data == 1.5**3


def test_a_programs_own_value_class_turns_everything_but_the_view_off():
    core = ExpressionCore()
    assert core.set_source(resources.example("own_value").source())
    assert core.program.mirrored and core.graph is not None
    before = [v.data for v in core.graph.values]
    assert core.probe_off_reason() == MIRRORED_TEXT and core.slider_note("a") == MIRRORED_TEXT
    assert core.step_backprop() == -1 and core.backprop_step == -1
    core.step_inputs(0.1)
    core.set_value(0, 5.0)
    assert [v.data for v in core.graph.values] == before


def test_events_reject_a_name_nobody_declared():
    events = Events(["moved"])
    heard = []
    events.connect("moved", heard.append)
    events.emit("moved", 3)
    events.disconnect("moved", heard.append)
    events.emit("moved", 4)
    assert heard == [3]
    with pytest.raises(KeyError):
        events.connect("mvoed", heard.append)


def test_stop_run_ends_the_edit_at_the_line_it_reached_and_keeps_the_last_graph():
    from gradlab.labs.expression import STOPPED_MESSAGE

    core, runner = manual_core()
    assert core.set_source("a = Value(1.0)\nb = a + 1\n")
    assert not core.stop_run()  # nothing is running: nothing to stop (Esc then drops the selection)
    heard = Heard(core)
    core.request_source("a = Value(2.0)\nn = 0\nwhile True:\n    n = n + 1\n")
    assert core.stop_run() and core.run_in_flight()  # it ends when its run comes back
    work, ticket = runner.jobs.pop()
    stopped = threading.Event()
    stopped.set()  # what the runner's cancel does to the running work
    core.take_result(ticket, outcome(work, stopped))
    assert core.error is not None and core.error.message == STOPPED_MESSAGE == "you stopped this run here"
    assert core.graph.output.data == 2.0 and core.source == "a = Value(1.0)\nb = a + 1\n"
    assert not core.run_in_flight() and heard.names() == ["run_started", "error_changed", "run_finished"]
