"""The plot panel beside the console: the program's plt figure and its training curve."""

from __future__ import annotations

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import Qt

import pyqtgraph as pg  # isort: skip
from windows import shown

from gradlab.expr import run_program
from gradlab.ui.common.canvas_export import widget_svg_bytes
from gradlab.ui.common.plots import CachedAxis
from gradlab.ui.expression.program_plots import EMPTY_TEXT, MAX_SCATTER_POINTS, ProgramPlots, parse_fmt


@pytest.fixture
def panel(qtbot):
    return shown(ProgramPlots(), qtbot, (340, 420))


def drawn(figure) -> list[tuple[list[float], list[float]]]:
    return [(list(map(float, c.xData)), list(map(float, c.yData))) for c in figure.items]


def test_an_empty_program_says_no_plots(panel):
    panel.show_program(run_program("a = Value(1.0)\nb = a * 2"))
    assert panel.empty.isVisible() and panel.empty.text() == EMPTY_TEXT
    assert not panel.findChildren(pg.GraphicsLayoutWidget)  # no plot is built until one shows
    assert panel.figure.isHidden() and panel.training.isHidden() and not panel.has_plots()


def test_plot_and_scatter_with_labels_and_title(panel):
    p = run_program(
        "import matplotlib.pyplot as plt\nimport numpy as np\n"
        "xs = np.arange(-2, 2.5, 0.5)\nys = [x**2 for x in xs]\n"
        "plt.plot(xs, ys, 'r--', label='x squared')\nplt.scatter([0, 1], [5, 6])\n"
        "plt.title('a <b>parabola</b>')\nplt.xlabel('x')\nplt.ylabel('f(x)')\nplt.show()\n")
    panel.show_program(p)
    assert len(panel.findChildren(pg.GraphicsLayoutWidget)) == 1  # the figure alone
    assert panel.figure.isVisible() and panel.empty.isHidden() and panel.training.isHidden()
    curves = drawn(panel.figure)
    assert len(curves) == 2 and curves[0][1] == [4.0, 2.25, 1.0, 0.25, 0.0, 0.25, 1.0, 2.25, 4.0]
    assert curves[1] == ([0.0, 1.0], [5.0, 6.0])
    line, dots = panel.figure.items
    assert line.opts["pen"].style() == Qt.PenStyle.DashLine and line.opts["symbol"] is None
    assert dots.opts["pen"] is None and dots.opts["symbol"] == "o"  # a scatter draws no line
    # the program's text is shown as text, never as markup
    assert "&lt;b&gt;parabola" in panel.figure.plot.titleLabel.text
    assert panel.figure.plot.getAxis("left").labelText == "f(x)"
    assert [label.text for _, label in panel.figure.legend.items] == ["x squared"]


def test_the_axes_redraw_when_the_range_moves_and_stay_text_in_an_svg(panel):
    panel.show_program(run_program("import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1])\n"))
    figure = panel.figure
    assert all(isinstance(figure.plot.getAxis(name), CachedAxis) for name in ("left", "bottom"))
    first = figure.plot_widget.grab().toImage()
    assert figure.plot_widget.grab().toImage() == first  # the axes' kept drawing: the same pixels
    figure.plot.setXRange(0, 1000, padding=0)
    assert figure.plot_widget.grab().toImage() != first  # new ticks, drawn anew
    svg = widget_svg_bytes(figure, "plot")
    assert b">800<" in svg and b">0.8<" in svg  # tick labels of both axes, as text


def test_a_training_run_plots_one_point_per_backward(panel):
    p = run_program("w = Value(3.0)\nfor k in range(7):\n    loss = w * w\n    w.grad = 0.0\n"
                    "    loss.backward()\n    w.data -= 0.1 * w.grad\n")
    panel.show_program(p)
    assert panel.training.isVisible() and panel.figure.isHidden() and panel.loss_points == 7
    (xs, ys), = drawn(panel.training)
    assert xs == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] and ys == pytest.approx(p.losses)
    assert ys[0] == 9.0 and ys[-1] < ys[0]


def test_one_backward_is_not_a_training_run(panel):
    panel.show_program(run_program("a = Value(2.0)\nb = a * a\nb.backward()"))
    assert panel.training.isHidden() and panel.empty.isVisible()


def test_non_finite_points_and_odd_colours_draw_without_error(panel):
    p = run_program("import matplotlib.pyplot as plt\n"
                    "plt.plot([1, 2, 3], [1.0, float('nan'), 1e308 * 10], color='not a colour')\n"
                    "plt.plot([1, 2], [3, 4], 'go', color='#123456')\n")
    panel.show_program(p)
    assert drawn(panel.figure)[0] == ([1.0], [1.0])  # nan and inf left out
    assert panel.figure.items[1].opts["pen"] is None  # 'go': markers only, as matplotlib draws it
    assert panel.figure.items[1].opts["symbolBrush"].name() == "#123456"
    panel.grab()  # paints


@pytest.mark.parametrize(("fmt", "expected"), [
    ("", (None, None, None)),
    ("o", (None, "o", None)),
    ("r--", ("#c0392b", None, Qt.PenStyle.DashLine)),
    ("b-o", ("#1f5fa8", "o", Qt.PenStyle.SolidLine)),
    (":", (None, None, Qt.PenStyle.DotLine)),
])
def test_format_strings_read_as_matplotlib_does(fmt, expected):
    assert parse_fmt(fmt) == expected


def test_long_program_texts_never_widen_the_plot_past_the_panel(panel, qtbot):
    long = "a very long name " * 20
    p = run_program("import matplotlib.pyplot as plt\n"
                    f"plt.plot([1, 2], [3, 4], label='{long}')\nplt.plot([1, 2], [4, 3], label='{long}')\n"
                    f"plt.title('{long}')\nplt.xlabel('{long}')\nplt.ylabel('{long}')\n")
    panel.resize(300, 420)
    panel.show_program(p)
    view = panel.figure.plot_widget
    qtbot.waitUntil(lambda: view.viewport().width() > 0)
    assert view.ci.geometry().width() <= view.viewport().width()


def test_a_long_scatter_draws_its_cap_and_says_how_many_of_how_many(panel):
    n = MAX_SCATTER_POINTS * 3 + 7
    p = run_program("import matplotlib.pyplot as plt\n"
                    f"plt.plot(range({n}), range({n}))\n"
                    f"plt.scatter(range({n}), [x * 2 for x in range({n})])\n"
                    "plt.scatter([1, 2], [3, 4])\n")
    panel.show_program(p)
    line, dots, few = panel.figure.items
    # the line keeps every point; pyqtgraph draws it downsampled (peaks kept) and clipped to the view
    assert len(line.xData) == n and line.opts["autoDownsample"] and line.opts["downsampleMethod"] == "peak"
    assert line.opts["clipToView"]
    # the scatter draws the cap, evenly spread from its first point to its last, each point a real one
    xs, ys = dots.xData, dots.yData
    assert len(xs) == MAX_SCATTER_POINTS and (xs[0], xs[-1]) == (0.0, n - 1.0) and list(ys) == list(xs * 2)
    assert len(set(xs.tolist())) == MAX_SCATTER_POINTS and (xs[1:] > xs[:-1]).all()
    assert len(few.xData) == 2
    note = panel.figure.note
    assert note.isVisible() and note.text() == f"plot 2: showing {MAX_SCATTER_POINTS:,} of {n:,} points"
    panel.grab()  # paints
    panel.show_program(run_program("import matplotlib.pyplot as plt\nplt.scatter([1, 2], [3, 4])"))
    assert panel.figure.note.isHidden() and len(panel.figure.items[0].xData) == 2
