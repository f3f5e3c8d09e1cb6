"""Graphs folded by call (issue 20): which call made each node, a collapsed call as one node, and
the lab's core expanding, collapsing and stepping over or into a collapsed call.  No Qt."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradlab.call_groups import FOLD_ABOVE, CallGroups, FoldedGraph, opening_view, with_collapsed
from gradlab.engine import Value
from gradlab.expr import run_program
from gradlab.graph import GraphModel
from gradlab.labs.expression import ExpressionCore
from gradlab.labs.program_runs import prepare
from gradlab.worker.wire import decode_program, dumps, encode_program, loads

LECTURE_MLP = (Path(__file__).parent / "lecture_corpus" / "lecture_mlp.ipy").read_text(encoding="utf-8")
#: the lecture's Neuron, Layer and MLP on gradlab's own Value: a graph gradlab can backprop and step
GRADLAB_MLP = '''
import random
from micrograd.engine import Value

class Neuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))
    def __call__(self, x):
        act = sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh()

class Layer:
    def __init__(self, nin, nout):
        self.neurons = [Neuron(nin) for _ in range(nout)]
    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

class MLP:
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [Layer(sz[i], sz[i+1]) for i in range(len(nouts))]
    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

def loss_of(ypred, ys):
    return sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

random.seed(42)
n = MLP(3, [4, 4, 1])
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
ypred = [n(x) for x in xs]
loss = loss_of(ypred, ys)
loss.backward()
'''


def folded_lecture(source: str = LECTURE_MLP) -> GraphModel:
    program = run_program(source.replace("range(20)", "range(2)"))
    graph = GraphModel(program.output)
    graph.call_groups = CallGroups(graph, program.calls, program.call_of)
    return graph


def test_each_value_knows_the_call_that_made_it_labelled_as_the_learner_writes_it():
    p = run_program(LECTURE_MLP.replace("range(20)", "range(2)"))
    labels = {c.label for c in p.calls}
    wanted = {"net(x)", "net.layers[0](x)", "net.layers[0].neurons[2](x)", "net.layers[2].neurons[0](x)"}
    assert wanted <= labels
    outer = [c for c in p.calls if c.parent == -1]
    assert [c.label for c in outer] == ["net(x)"] * 4  # the four points' forward passes
    inner = [c for c in p.calls if "layers[0].neurons" in c.label]
    assert inner and all(p.calls[c.parent].label == "net.layers[0](x)" for c in inner)
    assert p.mirrored and len(p.call_of) > 300  # the lecture's own Value class: copies keep the marks


def test_calls_travel_through_the_worker_wire():
    p = run_program(GRADLAB_MLP)
    q = decode_program(loads(dumps(encode_program(p))))
    assert [c.label for c in q.calls] == [c.label for c in p.calls]
    graph = GraphModel(q.output)
    groups = CallGroups(graph, q.calls, q.call_of)
    assert len(groups) == len(CallGroups(GraphModel(p.output), p.calls, p.call_of))
    assert "loss_of(ypred, ys)" in groups.labels


def test_an_old_worker_record_without_calls_decodes_with_none():
    d = encode_program(run_program("a = Value(2.0)\nb = a * a"))
    del d["calls"], d["call_of"]
    assert decode_program(d).calls == []


def test_ops_of_a_programs_own_value_class_are_nodes_not_calls():
    p = run_program(LECTURE_MLP.replace("range(20)", "range(1)"))
    assert not any("__" in c.label or ".tanh()" in c.label for c in p.calls)


def test_the_lecture_mlp_opens_collapsed_to_its_four_forward_passes_and_the_loss():
    graph = folded_lecture()
    assert len(graph) > 300 > FOLD_ABOVE
    shown = opening_view(graph)
    assert isinstance(shown, FoldedGraph)
    assert len(shown) <= FOLD_ABOVE
    calls = sorted(shown.names[k] for k in shown.group_at)
    assert calls == ["net(x)₁", "net(x)₂", "net(x)₃", "net(x)₄"]
    assert shown.output is graph.output and shown.values[-1] is graph.output


def test_a_small_graph_opens_whole():
    p = run_program("def f(a):\n    return a * a + 1\nx = Value(2.0)\ny = f(x)\n")
    graph = GraphModel(p.output)
    graph.call_groups = CallGroups(graph, p.calls, p.call_of)
    assert opening_view(graph) is graph
    assert graph.call_groups.labels == ["f(x)"]


def test_expanding_and_collapsing_changes_the_drawn_node_count():
    graph = folded_lecture()
    shown = opening_view(graph)
    first = shown.group_at[min(shown.group_at)]
    groups = graph.call_groups
    open_one = with_collapsed(shown, shown.collapsed - {first})
    inner = [g for g in range(len(groups)) if groups.parent[g] == first]
    assert len(open_one) == len(shown) - 1 + len(inner)  # three layers now, still collapsed
    layer0 = inner[0]
    neuron = next(g for g in range(len(groups)) if groups.parent[g] == layer0)
    deeper = with_collapsed(open_one, open_one.collapsed - {layer0, neuron})
    assert len(deeper) > len(open_one)
    assert any(deeper.names[k].startswith(".neurons") for k in deeper.group_at)
    back = with_collapsed(deeper, shown.collapsed)
    assert len(back) == len(shown) and back.names == shown.names
    assert with_collapsed(shown, ()) is graph


def test_a_collapsed_node_shows_its_results_data_and_grad():
    graph = folded_lecture()
    shown = opening_view(graph)
    for k, g in shown.group_at.items():
        result = graph.values[graph.call_groups.result[g]]
        assert shown.values[k] is result
        assert (shown.values[k].data, shown.values[k].grad) == (result.data, result.grad)
        assert shown.op_row[k] == -1  # no op circle: the call is the node


def test_folded_layout_draws_each_collapsed_call_as_one_box():
    shown = opening_view(folded_lecture())
    d = shown.drawing_for(16 / 9)
    assert d.is_op.sum() == (shown.op_row >= 0).sum()
    sources = {int(s) for s, _t in d.edges.tolist()}
    assert all(k in sources for k in shown.group_at)  # each call's result feeds the loss
    rows = len(shown) + int((shown.op_row >= 0).sum())
    assert len(d.pos) == rows  # one box per call, no op circle for it


def test_collapsed_local_gradients_agree_with_the_expanded_graph():
    p = run_program(GRADLAB_MLP)
    graph = GraphModel(p.output)
    graph.call_groups = CallGroups(graph, p.calls, p.call_of)
    shown = opening_view(graph)
    assert sorted(shown.names[k] for k in shown.group_at) == ["loss_of(ypred, ys)", "n(x)₁", "n(x)₂",
                                                               "n(x)₃", "n(x)₄"]
    assert len(shown) == 5  # the loss's call over the four forward passes
    graph.backward()
    k = len(shown) - 1
    local = shown.local_gradients(k)
    assert len(local) == len(shown.parents[k])
    # the loss is the output: d(loss)/d(each operand) is that operand's gradient
    for j, d in zip(shown.parents[k], local, strict=True):
        assert d == pytest.approx(shown.values[j].grad, rel=1e-9)


def test_sliders_and_probe_values_re_evaluate_through_collapsed_calls():
    p = run_program(GRADLAB_MLP)
    graph = GraphModel(p.output)
    graph.call_groups = CallGroups(graph, p.calls, p.call_of)
    shown = FoldedGraph(graph, graph.call_groups, graph.call_groups.outermost())
    before = graph.output.data
    param = graph.values.index(next(v for v in graph.values if not v._prev))
    changed = graph.set_data(param, graph.values[param].data + 0.5)
    assert graph.output.data != before and len(changed) > 1
    k = len(shown) - 1
    assert shown.set_data(k, 3.0) == [k] and shown.values[k].data == 3.0


@pytest.fixture
def lab() -> ExpressionCore:
    core = ExpressionCore()
    assert core.set_source(GRADLAB_MLP.replace("loss = loss_of(ypred, ys)",
                                               "loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))"))
    return core


def test_the_lab_opens_folded_and_a_click_expands_then_collapses(lab):
    shown = lab.graph
    assert isinstance(shown, FoldedGraph) and len(shown.group_at) == 4
    k = min(shown.group_at)
    result = shown.values[k]
    lab.click_node(k)
    assert len(lab.graph) == len(shown) - 1 + 3  # its three layers' calls, collapsed
    assert lab.graph.values[lab.selected] is result  # the node showing the call's result is selected
    assert lab.graph.names[lab.selected].startswith(".layers[2](x)")
    lab.click_node(lab.selected)  # another click there collapses the call again
    assert lab.graph.names == shown.names and lab.graph.values[lab.selected] is result
    lab.select(-1)
    lab.click_node(k)
    layer0 = next(j for j in lab.graph.group_at if lab.graph.names[j].startswith(".layers[0]"))
    lab.click_node(layer0)  # not selected: it expands, its four neurons' calls collapsed
    neuron = next(j for j in lab.graph.group_at if lab.graph.names[j].startswith(".neurons[2]"))
    lab.click_node(neuron)
    assert any(lab.graph.names[j].startswith(".neurons[1]") for j in lab.graph.group_at)
    assert not any(lab.graph.names[j].startswith(".neurons[2]") for j in lab.graph.group_at)
    assert lab.graph.values[lab.selected].label == "" and lab.graph.values[lab.selected]._op == "tanh"


def test_stepping_over_a_collapsed_call_runs_all_its_nodes_at_once(lab):
    graph = lab.graph
    full = graph.full
    full.backward()
    expected = [v.grad for v in full.values]
    lab.start_backprop()
    assert sum(graph.group_of(k) >= 0 for k in lab.backprop_order) == 4  # each forward pass: one step
    for _ in lab.backprop_order:
        lab.step_backprop()
    assert lab.backprop_step == len(lab.backprop_order)  # every step ran; backward() not called
    assert [v.grad for v in full.values] == pytest.approx(expected, rel=1e-12)


def test_step_into_opens_the_next_collapsed_call_and_steps_its_nodes_one_by_one(lab):
    lab.start_backprop()
    assert not lab.step_into()  # the output's own step comes first: not a call
    for _ in range(len(lab.backprop_order)):
        if lab.next_step_call() >= 0:
            break
        lab.step_backprop()
    before, step = len(lab.graph), lab.backprop_step
    assert lab.step_into()
    assert len(lab.graph) > before and lab.backprop_step == step
    while lab.step_into():  # down to the neurons' nodes
        pass
    assert lab.graph.group_of(lab.backprop_order[lab.backprop_step]) < 0
    while lab.backprop_step < len(lab.backprop_order):
        lab.step_backprop()
    grads = [v.grad for v in lab.graph.full.values]
    lab.graph.full.backward()
    assert grads == pytest.approx([v.grad for v in lab.graph.full.values], rel=1e-12)


def test_a_prepared_program_carries_its_folded_graph():
    prepared = prepare(LECTURE_MLP.replace("range(20)", "range(2)"))
    assert isinstance(prepared.graph, FoldedGraph)
    assert prepared.graph.full.call_groups is not None
    assert isinstance(prepared.graph.values[0], Value)


def test_a_gradlab_network_call_folds_as_one_call_and_its_parameters_go_inside():
    from gradlab import resources

    shown = prepare(resources.example("mlp_training").source()).graph
    assert isinstance(shown, FoldedGraph) and len(shown.full) > 300
    assert sorted(shown.names[k] for k in shown.group_at) == ["n(x)₁", "n(x)₂", "n(x)₃", "n(x)₄"]
    assert len(shown) <= FOLD_ABOVE  # the 41 parameters are drawn inside the calls that read them
    assert not any(name.startswith("w0.") for name in shown.names)


def test_a_call_opened_stays_open_when_the_program_runs_again(lab):
    k = min(lab.graph.group_at)
    lab.click_node(k)
    opened = lab.graph.names
    source = lab.source.replace("random.seed(42)", "random.seed(42)  # the same calls")
    assert lab.set_source(source)
    assert lab.graph.names == opened


def test_the_probe_nudges_a_collapsed_calls_result(lab):
    k = min(lab.graph.group_at)
    lab.select(k)
    before = lab.graph.output.data
    result = lab.nudge()
    assert result is not None and result.index == k
    assert result.central_diff == pytest.approx(result.grad, rel=1e-5)  # its result's gradient
    assert lab.graph.output.data == before  # the nudge put everything back
