"""The built-in course: every number a lesson asks for is what its program (or network) computes, and
every ``done_when`` holds in the state the step's instructions lead to, and not before.

No Qt: a step's state is built the way the labs build it, from the program's graph
(gradlab.lessons.program_graph, gradients as the expression lab shows them) or from a Trainer
with the step's network settings.  The tables below say, per (lesson, step number), how each
answer is computed and which states a ``done_when`` must accept and refuse.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from gradlab import datasets
from gradlab.backprop_steps import run_step, step_order
from gradlab.expr import run_program
from gradlab.graph import GraphModel
from gradlab.lessons import Condition, LabState, Lesson, builtin, find_lesson, split_network
from gradlab.lessons.programs import program_graph
from gradlab.probe import error_sweep, nudge_probe
from gradlab.training.config import default_config
from gradlab.training.lab import DataSettings
from gradlab.training.trainer import Trainer, TrainingDiverged

LESSONS = {lesson.name: lesson for lesson in builtin()}

#: the lecture's order: the issue's list, then one lesson beyond it
COURSE = ["01-derivative", "02-several-inputs", "03-chain-rule", "04-backprop-by-hand", "05-neuron",
          "06-a-plus-a", "07-tanh-from-exp", "08-mlp-forward", "09-training-loop", "10-network-lab",
          "11-three-classes", "12-curve-fit"]


# -- what a step sees ------------------------------------------------------------------------------

def program_at(lesson: Lesson, number: int) -> str:
    """The program open at step ``number`` (1-based): its own, else the last one before it."""
    for step in reversed(lesson.steps[:number]):
        if step.program is not None:
            return step.program
    raise AssertionError(f"{lesson.name} step {number} has no program open")


def network_at(lesson: Lesson, number: int) -> dict:
    """The network settings in force at step ``number``: its own, else the last ones before it."""
    for step in reversed(lesson.steps[:number]):
        if step.network is not None:
            return dict(step.network)
    raise AssertionError(f"{lesson.name} step {number} has no network open")


def graph_of(source: str) -> GraphModel:
    """The expression lab's graph of ``source``, with the gradients it shows: the program's own
    when it touched them, else gradlab's d(output)/d(node)."""
    program = run_program(source)
    graph = program_graph(source)
    assert graph is not None, "the program makes no Value"
    if not program.gradients_touched and not program.mirrored:
        graph.backward()
    return graph


def state_of(source: str, **fields) -> LabState:
    """The LabState of the expression lab showing ``source`` (``fields`` override the rest)."""
    graph = graph_of(source)
    pairs = zip(graph.names, graph.values, strict=True)
    nodes = {name: (float(v.data), float(v.grad)) for name, v in pairs if name}
    base = LabState(lab="expression", output=float(graph.output.data), nodes=nodes, h=0.001, backprop_step=-1)
    return replace(base, **fields)


def node(graph: GraphModel, name: str):
    i = graph.find(name)
    assert i is not None, f"no node {name!r}; the graph has {[n for n in graph.names if n]}"
    return graph.values[i]


def grad(source: str, name: str) -> float:
    return float(node(graph_of(source), name).grad)


def data(source: str, name: str) -> float:
    return float(node(graph_of(source), name).data)


def output(source: str) -> float:
    return float(graph_of(source).output.data)


def with_input(source: str, name: str, value: float) -> str:
    """``source`` with input ``name`` set to ``value``, as its slider (or number box) sets it."""
    pattern = re.compile(rf"^({re.escape(name)} = Value\()[^,)]+", re.M)
    changed, count = pattern.subn(rf"\g<1>{value!r}", source)
    assert count == 1, f"no input {name} = Value(...) in the program"
    return changed


def forward_difference(source: str, name: str, h: float) -> float:
    graph = graph_of(source)
    return nudge_probe(graph, graph.find(name), h).forward_diff


def stepped(source: str, steps: int) -> GraphModel:
    """The graph after ``steps`` presses of Step beyond step 0: every gradient cleared, the output's
    set to 1, then that many nodes' ``_backward()`` in backward()'s order (the step-through)."""
    graph = graph_of(source)
    for v in graph.values:
        v.grad = 0.0
    graph.output.grad = 1.0
    for i in step_order(graph)[:steps]:
        run_step(graph, i)
    return graph


def ascended(source: str, rate: float = 0.01) -> str:
    """``source`` after one press of Ascend: every input moved by +rate × its gradient."""
    graph = graph_of(source)
    for name in run_program(source).inputs:
        v = node(graph, name)
        source = with_input(source, name, v.data + rate * v.grad)
    return source


def edited(source: str, old: str, new: str) -> str:
    """The learner's edit: ``old`` replaced by ``new`` once."""
    assert source.count(old) == 1, f"{old!r} is not in the program exactly once"
    return source.replace(old, new)


# -- the network lab -------------------------------------------------------------------------------

def trainer_for(network: dict) -> Trainer:
    """A Trainer as the network lab builds it for a step's ``network`` table."""
    settings = split_network(network)
    data_settings = replace(DataSettings(), **settings.data)
    dataset = data_settings.make()
    config = default_config(dataset, data_settings.name, **settings.config)
    return Trainer(dataset, config)


@dataclass
class Run:
    """What pressing Step/Play left: the records taken, and the step training diverged at (if any)."""

    trainer: Trainer
    records: list
    diverged_at: int | None = None


def train(network: dict, steps: int, until: Callable[[object], bool] = lambda r: False) -> Run:
    trainer = trainer_for(network)
    run = Run(trainer, [])
    for _ in range(steps):
        try:
            record = trainer.step()
        except TrainingDiverged as e:
            run.diverged_at = e.step
            break
        run.records.append(record)
        if until(record):
            break
    return run


def network_state(network: dict, run: Run | None = None, **fields) -> LabState:
    """The LabState of the network lab with ``network``'s settings after ``run`` (or before a step)."""
    cfg = run.trainer.config if run is not None else trainer_for(network).config
    last = run.records[-1] if run is not None and run.records else None
    state = LabState(lab="network", step=len(run.records) if run is not None else 0,
                     loss=last.loss if last else math.nan, accuracy=last.accuracy if last else math.nan,
                     dataset=network.get("dataset", DataSettings.name), learning_rate=cfg.learning_rate)
    return replace(state, **fields)


def parameters(network: dict) -> int:
    return len(trainer_for(network).parameters())


# -- the answers: (lesson, step number) -> how its program or network computes it -----------------

def _zero_slope_x(source: str) -> float:
    """Where dy/dx = 0: the slope is linear in x, so two probes find its root."""
    g0, g1 = grad(with_input(source, "x", 0.0), "x"), grad(with_input(source, "x", 1.0), "x")
    return -g0 / (g1 - g0)


def _all_zero_loss(source: str) -> float:
    return output(edited(source, "ypred = [n(x) for x in xs]", "ypred = [Value(0.0) for x in xs]"))


def _first_share(source: str) -> float:
    return data(source + "share = (ypred[0] - ys[0])**2\n", "share")


def _update(source: str) -> float:
    """The change the program's update rule makes to a parameter whose grad is 0.5."""
    rate = float(re.search(r"p\.data \+= (-?[\d.]+) \* p\.grad", source).group(1))
    return data(f"p = Value(1.0)\np.grad = 0.5\np.data += {rate} * p.grad\nq = p + 0\n", "p") - 1.0


def _accumulated(source: str) -> float:
    """Three backward() calls without zero_grad on a loss whose gradient is 0.5, in the engine."""
    assert "n.zero_grad()" not in source
    program = "w = Value(2.0)\nfor k in range(3):\n    loss = 0.5 * w\n    loss.backward()\n"
    return float(run_program(program).values["w"].grad)


def _parameter_count_printed(source: str) -> float:
    return float(run_program(source).printed[0].split()[0])


ANSWERS: dict[tuple[str, int], Callable[[str, dict | None], float]] = {
    ("01-derivative", 1): lambda s, n: output(s),
    ("01-derivative", 3): lambda s, n: forward_difference(s, "x", 0.001),
    ("01-derivative", 4): lambda s, n: forward_difference(s, "x", 0.0001),
    ("01-derivative", 7): lambda s, n: error_sweep(graph_of(s), graph_of(s).find("x")).best_h_forward,
    ("01-derivative", 8): lambda s, n: grad(with_input(s, "x", -3.0), "x"),
    ("01-derivative", 10): lambda s, n: _zero_slope_x(s),
    ("02-several-inputs", 1): lambda s, n: output(s),
    ("02-several-inputs", 2): lambda s, n: grad(s, "a"),
    ("02-several-inputs", 4): lambda s, n: grad(s, "b"),
    ("02-several-inputs", 6): lambda s, n: grad(s, "c"),
    ("02-several-inputs", 8): lambda s, n: output(with_input(s, "a", 3.0)),
    ("03-chain-rule", 1): lambda s, n: output(s),
    ("03-chain-rule", 2): lambda s, n: grad(s, "d"),
    ("03-chain-rule", 3): lambda s, n: grad(s, "f"),
    ("03-chain-rule", 4): lambda s, n: grad(s, "c"),
    ("03-chain-rule", 5): lambda s, n: grad(s, "a"),
    ("03-chain-rule", 7): lambda s, n: grad(s, "b"),
    ("03-chain-rule", 9): lambda s, n: data(ascended(s), "a"),
    ("04-backprop-by-hand", 1): lambda s, n: float(stepped(s, 0).output.grad),
    ("04-backprop-by-hand", 3): lambda s, n: float(node(stepped(s, 2), "e").grad),
    ("04-backprop-by-hand", 5): lambda s, n: float(node(stepped(s, 3), "a").grad),
    ("04-backprop-by-hand", 7): lambda s, n: grad(s, "a"),
    ("05-neuron", 1): lambda s, n: data(s, "n"),
    ("05-neuron", 2): lambda s, n: grad(s, "n"),
    ("05-neuron", 4): lambda s, n: grad(s, "w1"),
    ("05-neuron", 5): lambda s, n: grad(s, "w2"),
    ("05-neuron", 8): lambda s, n: grad(with_input(s, "b", 10.0), "n"),
    ("06-a-plus-a", 1): lambda s, n: grad(s, "a"),
    ("06-a-plus-a", 3): lambda s, n: grad(s, "a"),
    ("06-a-plus-a", 5): lambda s, n: grad(s, "a"),
    ("07-tanh-from-exp", 1): lambda s, n: data(s, "e"),
    ("07-tanh-from-exp", 2): lambda s, n: grad(s, "n"),
    ("07-tanh-from-exp", 4): lambda s, n: grad(s, "w1"),
    ("08-mlp-forward", 1): lambda s, n: _parameter_count_printed(s),
    ("08-mlp-forward", 3): lambda s, n: _all_zero_loss(s),
    ("08-mlp-forward", 5): lambda s, n: _first_share(s),
    ("09-training-loop", 1): lambda s, n: _update(s),
    ("09-training-loop", 3): lambda s, n: _accumulated(s),
    ("10-network-lab", 1): lambda s, n: parameters(n),
    ("10-network-lab", 5): lambda s, n: train(n, 10).diverged_at,
    ("11-three-classes", 1): lambda s, n: parameters(n),
    ("11-three-classes", 2): lambda s, n: 1 / trainer_for(n).dataset.num_classes,
    ("12-curve-fit", 1): lambda s, n: parameters(n),
    ("12-curve-fit", 2): lambda s, n: float((trainer_for(n).dataset.y ** 2).mean()),
}


def _context(lesson: Lesson, number: int) -> tuple[str | None, dict | None]:
    steps = lesson.steps[:number]
    source = next((s.program for s in reversed(steps) if s.program is not None), None)
    network = next((dict(s.network) for s in reversed(steps) if s.network is not None), None)
    return source, network


ASKING = [(lesson.name, k) for lesson in LESSONS.values() for k, step in enumerate(lesson.steps, 1)
          if step.ask is not None]


def test_every_question_has_a_row_in_the_answer_table():
    assert sorted(ASKING) == sorted(ANSWERS)


@pytest.mark.parametrize(("name", "number"), ASKING, ids=[f"{n}-step{k}" for n, k in ASKING])
def test_each_answer_is_what_the_program_computes(name, number):
    lesson = LESSONS[name]
    step = lesson.steps[number - 1]
    computed = ANSWERS[name, number](*_context(lesson, number))
    assert computed is not None and math.isfinite(computed)
    # the lesson's own check accepts the computed number: the answer is right within its tolerance
    assert step.check(repr(float(computed))), (
        f"{name} step {number}: the lesson says {step.answer}, the program computes {computed!r}")
    # ... and the tolerance is tight enough to refuse a plausible wrong answer
    wrong = -computed if computed else 1.0
    assert not step.check(repr(float(wrong))) or abs(computed) < 1e-12


# -- done_when: a state that satisfies it (what the step tells the learner to do) and one that does not

@dataclass
class Pair:
    good: LabState | list[LabState]
    bad: LabState | list[LabState]


def _selected(name: str) -> Callable[[str, dict | None], Pair]:
    return lambda s, n: Pair(state_of(s, selected=name), [state_of(s), state_of(s, selected="#0")])


def _moved(name: str, good: float, bad: float, **extra) -> Callable[[str, dict | None], Pair]:
    return lambda s, n: Pair(state_of(with_input(s, name, good), **extra),
                             state_of(with_input(s, name, bad), **extra))


def _edit(old: str, new: str) -> Callable[[str, dict | None], Pair]:
    return lambda s, n: Pair(state_of(edited(s, old, new)), state_of(s))


def _probe(h_good: float, h_bad: float) -> Callable[[str, dict | None], Pair]:
    return lambda s, n: Pair(state_of(s, selected="x", h=h_good),
                             [state_of(s, selected="x", h=h_bad), state_of(s, selected="", h=h_good)])


def _backprop(k: int) -> Callable[[str, dict | None], Pair]:
    return lambda s, n: Pair(state_of(s, backprop_step=k), [state_of(s, backprop_step=k - 1),
                                                             state_of(s, backprop_step=-1)])


def _trained(accuracy: float, steps: int) -> Callable[[str, dict | None], Pair]:
    """Play until the accuracy reaches ``accuracy``: it must, within ``steps`` steps."""

    def pair(s, n):
        run = train(n, steps, until=lambda r: r.accuracy >= accuracy)
        assert run.records and run.records[-1].accuracy >= accuracy, (
            f"training did not reach {accuracy} in {steps} steps")
        return Pair(network_state(n, run), [network_state(n), network_state(n, run, lab="expression")])

    return pair


def _fitted(loss: float, steps: int) -> Callable[[str, dict | None], Pair]:
    """Play until the loss falls below ``loss``: it must, within ``steps`` steps."""

    def pair(s, n):
        run = train(n, steps, until=lambda r: r.loss < loss)
        assert run.records and run.records[-1].loss < loss, f"the loss stayed above {loss} for {steps} steps"
        early = train(n, 20)
        return Pair(network_state(n, run), [network_state(n), network_state(n, early),
                                            network_state(n, run, dataset="moons")])

    return pair


def _diverging(s, n):
    run = train(n, 10)
    assert run.diverged_at is not None, "the big learning rate must make training diverge"
    return Pair(network_state(n, run), network_state(n))


def _rate_fixed(s, n):
    fixed = {**n, "learning_rate": 1.0}
    run = train(fixed, 100, until=lambda r: r.accuracy >= 0.95)
    broken = train(n, 10)
    return Pair(network_state(fixed, run), [network_state(n, broken), network_state(fixed)])


CONDITIONS: dict[tuple[str, int], Callable[[str | None, dict | None], Pair]] = {
    ("01-derivative", 2): _selected("x"),
    ("01-derivative", 5): _probe(1e-4, 1e-3),
    ("01-derivative", 6): _probe(1e-12, 1e-11),
    ("01-derivative", 9): _moved("x", -3.0, 3.0),
    ("01-derivative", 11): _moved("x", 0.6667, -3.0),
    ("02-several-inputs", 3): _selected("a"),
    ("02-several-inputs", 5): _selected("b"),
    ("02-several-inputs", 7): _selected("c"),
    ("02-several-inputs", 9): _moved("a", 3.0, 2.0),
    ("03-chain-rule", 6): _selected("a"),
    ("03-chain-rule", 8): lambda s, n: Pair(state_of(ascended(s)), [state_of(s), state_of(ascended(ascended(
        ascended(ascended(s)))))]),
    ("04-backprop-by-hand", 2): _backprop(1),
    ("04-backprop-by-hand", 4): _backprop(2),
    ("04-backprop-by-hand", 6): _backprop(3),
    ("04-backprop-by-hand", 8): _edit("L._backward()\n", "L._backward()\nd._backward()\n"),
    ("05-neuron", 3): _selected("n"),
    ("05-neuron", 6): _selected("w2"),
    ("05-neuron", 7): _moved("b", 10.0, 6.8813735870195432),
    ("06-a-plus-a", 2): _selected("a"),
    ("06-a-plus-a", 4): lambda s, n: Pair(
        state_of(s.replace("self.grad = 1.0", "self.grad += 1.0").replace("other.grad = 1.0",
                                                                            "other.grad += 1.0")),
        state_of(s)),
    ("06-a-plus-a", 6): _selected("a"),
    ("07-tanh-from-exp", 3): _selected("n"),
    ("07-tanh-from-exp", 5): _selected("w1"),
    ("08-mlp-forward", 2): _selected("o"),
    ("08-mlp-forward", 4): _selected("loss"),
    ("09-training-loop", 2): _edit("range(20)", "range(50)"),
    ("09-training-loop", 4): _edit("    loss.backward()", "    n.zero_grad()\n    loss.backward()"),
    ("10-network-lab", 2): _trained(0.95, 100),
    ("10-network-lab", 4): _diverging,
    ("10-network-lab", 6): _rate_fixed,
    ("11-three-classes", 3): _trained(0.9, 400),
    ("12-curve-fit", 3): _fitted(0.02, 1000),
    ("12-curve-fit", 4): _fitted(0.02, 1000),
}

WAITING = [(lesson.name, k) for lesson in LESSONS.values() for k, step in enumerate(lesson.steps, 1)
           if step.done_when is not None]


def test_every_condition_has_a_row_in_the_condition_table():
    assert sorted(WAITING) == sorted(CONDITIONS)


def _states(x: LabState | list[LabState]) -> list[LabState]:
    return x if isinstance(x, list) else [x]


@pytest.mark.parametrize(("name", "number"), WAITING, ids=[f"{n}-step{k}" for n, k in WAITING])
def test_each_condition_holds_after_the_action_and_not_before(name, number):
    lesson = LESSONS[name]
    step = lesson.steps[number - 1]
    condition = Condition(step.done_when, step.line)
    pair = CONDITIONS[name, number](*_context(lesson, number))
    for state in _states(pair.good):
        assert condition.evaluate(state), f"{name} step {number}: {step.done_when!r} is false " \
                                          f"after the action ({condition.problem or 'no error'})"
    for state in _states(pair.bad):
        assert not condition.evaluate(state), f"{name} step {number}: {step.done_when!r} holds already"


# -- the course as a whole -------------------------------------------------------------------------

def test_the_course_follows_the_lecture_in_order():
    assert [lesson.name for lesson in builtin()] == COURSE


def test_every_lesson_asks_a_prediction_and_an_action():
    for lesson in LESSONS.values():
        assert any(s.ask for s in lesson.steps), f"{lesson.name} asks no question"
        assert any(s.done_when for s in lesson.steps), f"{lesson.name} asks for no action in the app"
        assert lesson.summary, f"{lesson.name} has no summary"


def test_each_step_is_short():
    """2-5 sentences of Markdown: a step fits the panel without scrolling far."""
    for lesson in LESSONS.values():
        for k, step in enumerate(lesson.steps, 1):
            assert len(step.text) <= 600, f"{lesson.name} step {k} is {len(step.text)} characters long"
            assert step.ask is None or len(step.ask) <= 160, f"{lesson.name} step {k}: the question is long"


def test_questions_and_actions_come_with_a_hint():
    for lesson in LESSONS.values():
        for k, step in enumerate(lesson.steps, 1):
            if step.ask or step.done_when:
                assert step.hint, f"{lesson.name} step {k} has no hint"


def test_selected_and_named_nodes_exist_in_the_programs():
    """A node a condition names (selected == 'x', data('x'), grad('x')) is a node of its graph."""
    for lesson in LESSONS.values():
        for k, step in enumerate(lesson.steps, 1):
            if not step.done_when or "network" in step.done_when:
                continue
            names = set(re.findall(r"selected == '([^']+)'", step.done_when))
            names |= set(re.findall(r"(?:data|grad)\('([^']+)'\)", step.done_when))
            if not names:
                continue
            graph = graph_of(program_at(lesson, k))
            for name in names:
                assert graph.find(name) is not None, f"{lesson.name} step {k}: no node {name!r}"


def _ui_object_names() -> set[str]:
    from pathlib import Path

    import gradlab

    text = "\n".join(p.read_text(encoding="utf-8") for p in Path(gradlab.__file__).parent.joinpath("ui")
                     .rglob("*.py"))
    # every quoted identifier: objectNames are passed as objectName=, to setObjectName or to helpers
    return set(re.findall(r"""["']([a-z][A-Za-z0-9_]*)["']""", text))


def test_highlighted_widgets_exist_in_the_app():
    known = _ui_object_names()
    for lesson in LESSONS.values():
        for k, step in enumerate(lesson.steps, 1):
            for name in step.highlight:
                dynamic = name.startswith(("slider_", "value_"))  # one per input, named after it
                assert dynamic or name in known, f"{lesson.name} step {k} highlights unknown widget {name!r}"


def test_find_lesson_finds_each_built_in_by_number_and_name():
    for k, name in enumerate(COURSE, 1):
        assert find_lesson(str(k)).name == name
        assert find_lesson(name.split("-", 1)[1]).name == name


def test_network_steps_use_real_datasets():
    for lesson in LESSONS.values():
        for step in lesson.steps:
            if step.network is not None:
                assert step.network["dataset"] in datasets.DATASETS


def test_a_wrong_number_in_a_lesson_file_is_caught():
    """The answer check is not vacuous: a lesson whose d is off by one fails it."""
    from gradlab.lessons import parse_lesson

    text = LESSONS["02-several-inputs"].path.read_text(encoding="utf-8")
    assert text.count("answer = 4.0") == 1
    broken = parse_lesson(text.replace("answer = 4.0", "answer = 5.0"), "02-several-inputs")
    computed = ANSWERS["02-several-inputs", 1](*_context(broken, 1))
    assert computed == 4.0 and not broken.steps[0].check(repr(computed))
