"""Issue 9 in the lab: the graph opens readable, never lies, and is linked to the editor.

Readable at open, Ctrl+0 fits, overview map, routed edges and a + a, legend and one colour
convention, fill on a fixed scale, distinct outlines, a failed run dims the graph, reused
names, step-through counter and blank gradients, plots that say why they are empty, a
program without Values, editor <-> graph, the inspector at 1024 px.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QColor, QFontMetricsF
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea
from windows import open_window, whole_graph_in_view

from gradlab import resources
from gradlab.backprop_steps import node_name
from gradlab.ui.common import graph_canvas, palette
from gradlab.ui.common.graph_canvas import LEVELS, fill_colours, legend_rows
from gradlab.ui.expression.model import ExpressionModel

SEED = resources.example("seed").source()
NAN_PROGRAM = "a = Value(-1.0)\nb = a.log()\nc = Value(0.0)\nd = 1/c\ne = b + d + a.relu()\n"



def boxes_in_view(canvas) -> np.ndarray:
    r = canvas.view_box.viewRect()
    pos = canvas._pos[: len(canvas.graph)]
    return np.flatnonzero((pos[:, 0] > r.left()) & (pos[:, 0] < r.right()) & (pos[:, 1] > r.top())
                          & (pos[:, 1] < r.bottom()))


# -- readable at open; Ctrl+0; overview -----------------------------------------------------------


@pytest.mark.parametrize("size", ["1280x720", "1920x1080", "1024x768"])
@pytest.mark.parametrize("name", [e.name for e in resources.examples()])
def test_every_example_opens_with_readable_text(qtbot, name, size):
    w = open_window(qtbot, "--example", name, "--size", size)
    canvas = w.expression_lab.canvas
    assert canvas.label_px() >= graph_canvas.READABLE_PX  # label, data and grad at >= 10 px
    assert len(boxes_in_view(canvas)) >= min(2, len(canvas.graph))
    # the output is in view; either everything is, or the overview map says where the view is
    out = canvas._pos[len(canvas.graph) - 1]
    assert canvas.view_box.viewRect().contains(QPointF(*out))
    assert whole_graph_in_view(canvas, 0.1) != canvas.overview.isVisible()


#: a long sum written out at the top level: a big graph that no call of the program made
BIG_CHAIN = "x = Value(0.5)\ny = x\nfor i in range(120):\n    y = y * 1.01 + x\n"


def test_small_graphs_open_fitted_and_big_ones_readable_around_the_output(qtbot):
    w = open_window(qtbot, "--example", "lecture", "--size", "1920x1080")
    canvas = w.expression_lab.canvas
    assert whole_graph_in_view(canvas, 0.1) and not canvas.overview.isVisible()
    w.expression_lab.load_source(BIG_CHAIN)  # 361 values made by no call: nothing to fold
    canvas.open_view()
    assert not whole_graph_in_view(canvas, 0.1) and canvas.overview.isVisible()
    assert canvas.label_px() >= 10


def test_ctrl_0_fits_the_whole_graph(qtbot):
    w = open_window(qtbot, "--example", "seed", "--size", "1024x768")  # opens zoomed there
    canvas = w.expression_lab.canvas
    assert not whole_graph_in_view(canvas, 0.1)
    actions = w.findChildren(QAction)
    fit = next(a for a in actions if a.shortcut().toString() == "Ctrl+0")
    fit.trigger()
    assert whole_graph_in_view(canvas, 0.1)
    assert not canvas.overview.isVisible()


def test_the_overview_moves_the_view(qtbot):
    w = open_window(qtbot, "--example", "seed", "--size", "1024x768")
    canvas = w.expression_lab.canvas
    before = canvas.view_box.viewRect().center()
    ov = canvas.overview
    assert ov.isVisible()
    qtbot.mouseClick(ov, Qt.MouseButton.LeftButton, pos=QPoint(12, ov.height() // 2))
    after = canvas.view_box.viewRect().center()
    assert after.x() < before.x() - 1  # towards the inputs, at the left of the map
    assert canvas.view_box.viewPixelSize() == pytest.approx(canvas.view_box.viewPixelSize())


# -- edges ---------------------------------------------------------------------------------------


def test_a_plus_a_shows_two_arrows(expression_lab):
    expression_lab.load_source(resources.example("a_plus_a").source())
    canvas, graph = expression_lab.canvas, expression_lab.model.graph
    a, b = graph.find("a"), graph.find("b")
    op = int(graph.op_row[b])
    into_op = [k for k, (s, t) in enumerate(canvas.drawing.edges.tolist()) if (s, t) == (a, op)]
    assert len(into_op) == 2
    arrows = canvas.arrow_item.data
    tips = {(round(float(arrows["x"][k]), 3), round(float(arrows["y"][k]), 3)) for k in into_op}
    assert len(tips) == 2  # two arrowheads, in two places
    # each enters straight, along the flow, and its tip touches the op circle (not the centre's way)
    flow = np.array([1.0, 0.0]) if canvas.drawing.orientation == "LR" else np.array([0.0, 1.0])
    centre, radius = canvas._pos[op], graph_canvas.OP_D / 2
    for k in into_op:
        segs = canvas.edge_item.seg[canvas.painting.segment_edge == k]
        seg = segs[np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1]) > 1e-9][-1]
        u = (seg[2:] - seg[:2]) / np.hypot(*(seg[2:] - seg[:2]))
        assert np.allclose(u, flow, atol=1e-6)
        centre_of_arrow = np.array([arrows["x"][k], arrows["y"][k]])
        tip = centre_of_arrow + flow * graph_canvas.ARROW / 2
        assert abs(np.hypot(*(tip - centre)) - radius) < 0.02


def test_edges_are_drawn_along_their_routes(expression_lab):
    expression_lab.load_source(resources.example("tanh_from_exp").source())
    canvas = expression_lab.canvas
    segs, owner = canvas.drawing.segments()
    assert len(canvas.edge_item.seg) == len(segs) > len(canvas.drawing.edges)  # bends, not straight
    assert np.array_equal(canvas.painting.segment_edge, owner)


# -- colours, legend, outlines ----------------------------------------------------------------


def test_one_colour_convention_blue_positive_orange_negative():
    fills = [QColor(c) for c in fill_colours()]
    for k in range(2, LEVELS + 1):
        pos, neg = fills[k], fills[LEVELS + k]
        assert pos.blue() > pos.red()  # positive: blue, as palette.POSITIVE
        assert neg.red() > neg.blue()  # negative: orange, as palette.NEGATIVE
    assert QColor(palette.POSITIVE).blue() > QColor(palette.POSITIVE).red()
    # stronger fill for a larger |grad|, one step per decade, whatever the other nodes hold
    lightness = [fills[k].lightness() for k in range(1, LEVELS + 1)]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == LEVELS
    levels = graph_canvas.grad_levels(np.array([0.0, 0.005, 0.05, 0.5, -2.0, 20.0, 1e6]))
    assert levels.tolist() == [0, 1, 2, 3, 4, 5, 6]


def test_fill_does_not_move_when_another_node_changes(expression_lab):
    expression_lab.load_source(resources.example("lecture").source())  # dL/dc = f = -2 whatever a is
    graph = expression_lab.model.graph
    c, a, b = graph.find("c"), graph.find("a"), graph.find("b")
    brush = expression_lab.canvas.node_item.data["brush"][c]
    before_b = expression_lab.canvas.node_item.data["brush"][b]
    expression_lab.model.set_value(a, 40.0)
    assert graph.values[c].grad == -2.0 and graph.values[b].grad == -80.0
    assert expression_lab.canvas.node_item.data["brush"][c] is brush
    assert expression_lab.canvas.node_item.data["brush"][b] is not before_b  # b's gradient did move a decade


def test_legend_in_the_view_menu_explains_every_fill_and_outline(qtbot):
    w = open_window(qtbot, "--example", "seed")
    canvas = w.expression_lab.canvas
    assert canvas.key.isVisible() and not canvas.legend.isVisible()
    assert canvas.key.captions() == ["grad > 0", "grad < 0"]
    w.legend_action.trigger()
    assert canvas.legend.isVisible() and not canvas.key.isVisible()
    captions = " | ".join(canvas.legend.captions())
    for word in ("grad = 0", "blue +, orange −", "not computed yet", "input", "output", "nan or inf",
                 "selected", "path", "step-through", "editor's line"):
        assert word in captions
    assert len(legend_rows()) == len(canvas.legend.captions())
    w.legend_action.trigger()
    assert not canvas.legend.isVisible()


def test_every_outline_state_is_distinguishable():
    pens = [(QColor(c).name(), w, dashed) for c, w, dashed in graph_canvas.CLASS_PENS]
    pens += [(QColor(c).name(), w, False) for c, w in graph_canvas.STATE_PENS[1:]]
    looks = [(colour, dashed) for colour, _w, dashed in pens]
    assert len(set(looks)) == len(looks)  # no two outlines share colour and dash
    names = graph_canvas.CLASS_NAMES + graph_canvas.STATE_NAMES[1:]
    outlines = graph_canvas.CLASS_PENS + graph_canvas.STATE_PENS[1:]
    hue = {name: QColor(c).hueF() for name, (c, *_rest) in zip(names, outlines, strict=True)}
    assert abs(hue["just filled in (step-through)"] - hue["input (a leaf you set)"]) > 0.08  # amber vs green
    assert graph_canvas.CLASS_PENS[graph_canvas.NONFINITE][2]  # nan: dashed, unlike the path


# -- never stale, never ambiguous ------------------------------------------------------------


def test_a_failed_run_dims_the_last_graph_under_a_banner(expression_lab, qtbot):
    expression_lab.load_source(SEED)
    canvas = expression_lab.canvas
    assert not canvas.is_stale() and canvas.node_item.opacity() == 1.0
    expression_lab.load_source(SEED.replace("e = c - d", "e = c - zz"))
    assert canvas.is_stale()
    assert "Line 12" in canvas.banner.text() and "zz" in canvas.banner.text()
    assert canvas.node_item.opacity() < 0.5 and canvas.edge_item.opacity() < 0.5
    assert len(canvas.graph) == 39  # the last good graph, still there
    expression_lab.load_source(SEED)
    assert not canvas.is_stale() and canvas.node_item.opacity() == 1.0


def test_a_program_without_values_says_so(expression_lab):
    expression_lab.load_source("x = 1.0\ny = x * 2\n")
    assert expression_lab.canvas.message.isVisible()
    assert "builds no Value" in expression_lab.canvas.message.text()
    expression_lab.load_source(SEED)
    assert not expression_lab.canvas.message.isVisible()


def test_reused_names_are_told_apart_everywhere(expression_lab, qtbot):
    expression_lab.load_source(SEED)
    graph, canvas = expression_lab.model.graph, expression_lab.canvas
    c1, c2, c3 = (graph.find(f"c@{k}") for k in (1, 2, 3))
    assert canvas.label_text(c2).startswith("c₂\n")
    assert "made on line 8" in canvas.labels.tooltip(c2)
    expression_lab.model.select(c2)
    assert expression_lab.inspector.node_label.text() == "c₂"
    links = [b.text() for b in expression_lab.inspector.parent_links.findChildren(QPushButton)]
    assert "c₁" in links and "c₂" not in links  # c₂'s parent is c₁, not "c"
    assert graph.find("c") == c3


def test_select_option_reaches_every_assignment(qtbot):
    w = open_window(qtbot, "--example", "seed", "--select", "c@2")
    model = w.expression_lab.model
    assert model.graph.names[model.selected] == "c₂"
    w2 = open_window(qtbot, "--example", "seed", "--select", "c")
    assert w2.expression_lab.model.graph.names[w2.expression_lab.model.selected] == "c₃"


def test_cut_labels_end_with_an_ellipsis(expression_lab):
    name = "a_very_long_name_" * 4
    expression_lab.load_source(f"{name} = Value(2.0)\nb = {name} * 3\n")
    graph = expression_lab.model.graph
    first = expression_lab.canvas.label_text(graph.find(name)).split("\n")[0]
    assert first.endswith("…") and len(first) < len(name)
    assert expression_lab.canvas.label_text(graph.find("b")).startswith("b\n")  # short names stay whole


def click_step(qtbot, expression_lab) -> str:
    from PySide6.QtWidgets import QToolButton

    qtbot.mouseClick(expression_lab.findChild(QToolButton, "backpropStepButton"), Qt.MouseButton.LeftButton)
    return expression_lab.canvas.step_banner.text() if expression_lab.canvas.step_banner.isVisible() else ""


def gradients_shown(expression_lab) -> set[str]:
    """The names of the nodes whose box shows a gradient (the step-through blanks the others)."""
    graph = expression_lab.model.graph
    return {
        node_name(graph, i)
        for i in range(len(graph))
        if not expression_lab.canvas.label_text(i).endswith("\n")
    }


def step_edges(canvas) -> set[tuple[int, int]]:
    """The highlighted edges, as (from row, to row) of the drawing."""
    return {tuple(int(x) for x in e) for e in canvas.painting.edges[canvas.painting.on_path]}


def test_each_step_runs_one_nodes_backward_and_shows_exactly_what_it_names(qtbot, expression_lab):
    """The lecture's L = (a*b + c) * f: three steps, one per node with operands, output first."""
    expression_lab.load_source(resources.example("lecture").source())
    graph, canvas = expression_lab.model.graph, expression_lab.canvas
    find = graph.find
    text = click_step(qtbot, expression_lab)
    assert text.startswith("Backprop step 0 of 3") and "L.grad = 1" in text
    assert gradients_shown(expression_lab) == {"L"} and canvas.painting.active == find("L")
    a = find("a")
    assert "not computed yet" in canvas.labels.tooltip(a)
    assert canvas.node_item.data["brush"][a] is canvas.painting.brushes[graph_canvas.PENDING_BRUSH]
    expected = [
        ("L", {"d", "f"}, ["d.grad += f.data × L.grad = (-2.0)(1.0) = -2.0",
                           "f.grad += d.data × L.grad = (4.0)(1.0) = 4.0"]),
        ("d", {"e", "c"}, ["e.grad += d.grad = -2.0", "c.grad += d.grad = -2.0"]),
        ("e", {"a", "b"}, ["a.grad += b.data × e.grad = (-3.0)(-2.0) = 6.0",
                           "b.grad += a.data × e.grad = (2.0)(-2.0) = -4.0"]),
    ]
    shown = {"L"}
    for k, (node, parents, rules) in enumerate(expected, 1):
        text = click_step(qtbot, expression_lab)
        assert text.startswith(f"Backprop step {k} of 3: {node} ")
        assert all(rule in text for rule in rules), text
        shown |= parents
        assert gradients_shown(expression_lab) == shown  # exactly the gradients the banner names appear
        assert canvas.painting.active == find(node)
        op = int(graph.op_row[find(node)])
        assert step_edges(canvas) == {(find(p), op) for p in parents} | {(op, find(node))}
    assert "last step" in text and expression_lab.model.graph.values[a].grad == 6.0
    assert click_step(qtbot, expression_lab) == ""  # past the last step: the step-through ends
    assert expression_lab.model.backprop_step == -1 and gradients_shown(expression_lab) == {
        node_name(graph, i) for i in range(7)
    }


@pytest.mark.parametrize("source", [
    "a = Value(2.0)\nb = a * a + a\nn = b.tanh()\nm = n ** 2\no = 2 ** m + n.relu() * n.exp()\n",
    "x = Value(0.5)\ny = Value(-1.5)\nz = (x * y).sigmoid() + (x - y).log() / y\n",
    resources.example("seed").source(),
])
def test_every_step_shows_the_gradients_its_banner_names_and_ends_as_backward_does(
    qtbot, expression_lab, source
):
    expression_lab.load_source(source)
    graph = expression_lab.model.graph
    click_step(qtbot, expression_lab)
    shown = gradients_shown(expression_lab)
    non_leaves = sum(1 for i in range(len(graph)) if graph.parents[i])
    for _ in range(non_leaves):
        text = click_step(qtbot, expression_lab)
        named = {part.split(".grad += ")[0].strip() for part in text.split(":  ", 1)[1].split(";  ")}
        assert gradients_shown(expression_lab) == shown | named
        shown |= named
    assert text.startswith(f"Backprop step {non_leaves} of {non_leaves}") and "last step" in text
    stepped = [v.grad for v in graph.values]
    expression_lab.model.finish_backprop()
    assert stepped == pytest.approx([v.grad for v in graph.values], nan_ok=True)


def test_an_operand_used_twice_is_added_to_twice(expression_lab):
    expression_lab.load_source("a = Value(3.0)\nb = a * a\n")
    expression_lab.model.step_backprop()
    expression_lab.model.step_backprop()
    text = expression_lab.canvas.step_banner.text()
    assert "a.grad += a.data × b.grad = (3.0)(1.0) = 3.0;" in text
    assert "a.grad += a.data × b.grad = (3.0)(1.0) = 3.0, so a.grad = 6.0" in text
    model = expression_lab.model
    model.select(model.graph.find("a"))
    assert expression_lab.inspector.node_grad.text() == "6.0000"


def test_plots_that_cannot_draw_say_why(expression_lab, qtbot):
    expression_lab.load_source(NAN_PROGRAM)
    graph = expression_lab.model.graph
    expression_lab.model.select(graph.find("b"))  # log(-1) = nan: the output is nan for every value tried
    assert "No curve" in expression_lab.inspector.response_plot.message_text()
    assert all(
        len(item.xData if item.xData is not None else []) == 0
        for item in (
            expression_lab.inspector.response_plot.curve,
            expression_lab.inspector.response_plot.tangent,
        )
    )
    expression_lab.load_source(SEED)
    expression_lab.model.select(expression_lab.model.graph.find("a"))
    assert expression_lab.inspector.response_plot.message_text() == ""
    expression_lab.model.step_backprop()
    assert "stepped through" in expression_lab.inspector.response_plot.message_text()
    assert "stepped through" in expression_lab.inspector.error_plot.message_text()
    expression_lab.model.finish_backprop()
    assert expression_lab.inspector.response_plot.message_text() == ""


# -- editor and graph linked ------------------------------------------------------------------


def test_the_cursor_line_highlights_the_nodes_it_made(expression_lab):
    expression_lab.load_source(SEED)
    graph, canvas = expression_lab.model.graph, expression_lab.canvas
    cursor = expression_lab.editor.textCursor()
    cursor.setPosition(expression_lab.editor.document().findBlockByNumber(7).position())  # line 8: c += c + 1
    expression_lab.editor.setTextCursor(cursor)
    made = set(canvas.painting.line_nodes.tolist())
    assert made == set(graph.nodes_on_line(8)) and graph.find("c@2") in made
    pen_on_line = canvas.node_item.data["pen"][graph.find("c@2")]
    assert pen_on_line is not canvas.node_item.data["pen"][graph.find("c@1")]
    cursor.setPosition(0)
    expression_lab.editor.setTextCursor(cursor)  # a comment line: nothing
    assert len(canvas.painting.line_nodes) == 0


def test_selecting_a_node_highlights_its_line(expression_lab, qtbot):
    expression_lab.load_source(SEED)
    graph = expression_lab.model.graph
    expression_lab.canvas.fit()
    c1 = graph.find("c@1")
    qtbot.mouseClick(
        expression_lab.canvas.viewport_widget(),
        Qt.MouseButton.LeftButton,
        pos=expression_lab.canvas.view_pos_of(c1),
    )
    assert expression_lab.model.selected == c1
    assert expression_lab.editor.linked_line() == 6
    expression_lab.model.select(-1)
    assert expression_lab.editor.linked_line() == 0


# -- the inspector at the window's minimum width --------------------------------------------------


def test_the_inspector_reflows_at_1024_px(qtbot):
    w = open_window(qtbot, "--example", "seed", "--select", "c@2", "--size", "1024x768")
    w.resize(1024, 768)
    QApplication.processEvents()
    assert w.width() == 1024
    inspector = w.expression_lab.inspector
    scroll = inspector.findChild(QScrollArea)
    qtbot.waitUntil(lambda: scroll.widget().width() <= scroll.viewport().width())
    for label in inspector.findChildren(QLabel):
        if not label.isVisible() or not label.text() or label.wordWrap():
            continue
        right = label.mapTo(scroll.viewport(), QPoint(label.width(), 0)).x()
        assert right <= scroll.viewport().width() + 1, label.objectName()
        width = QFontMetricsF(label.font()).horizontalAdvance(label.text())
        assert width <= label.width() + 1, (label.objectName(), label.text())


def test_the_drawing_follows_the_canvas_shape(qtbot):
    canvas = graph_canvas.GraphCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(1400, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    lab_graph = ExpressionModel()
    lab_graph.set_source(resources.example("tanh_from_exp").source())
    canvas.set_graph(lab_graph.graph)
    wide = canvas.drawing
    canvas.set_selected(lab_graph.graph.find("n"))
    canvas.resize(500, 700)
    qtbot.waitUntil(lambda: canvas.drawing is not wide, timeout=3000)
    assert (canvas.drawing.orientation, canvas.drawing.bands) != (wide.orientation, wide.bands)
    # highlights kept
    assert canvas.selected() == lab_graph.graph.find("n") and canvas.painting.path_rows.any()
    assert np.array_equal(canvas.node_item.data["x"], canvas.drawing.pos[:, 0])


def test_zoomed_far_out_edges_are_drawn_straight(expression_lab):
    expression_lab.load_source(resources.example("seed").source())
    canvas = expression_lab.canvas
    item = canvas.edge_item
    assert len(item._coarse) == len(canvas.drawing.edges) < len(item.seg)  # one piece an edge
    drawn = []
    original = item._lines.resize
    item._lines.resize = lambda k: (drawn.append(k), original(k))[1]
    canvas.fit()
    canvas.zoom_by(graph_canvas.COARSE_BELOW_PX / 2 / canvas._current_scale())
    canvas.viewport_widget().repaint()
    assert drawn and drawn[-1] <= len(canvas.drawing.edges)
    canvas.zoom_by(4 * graph_canvas.COARSE_BELOW_PX / canvas._current_scale())
    canvas.viewport_widget().repaint()
    assert drawn[-1] <= len(item.seg) and canvas._current_scale() > graph_canvas.COARSE_BELOW_PX
