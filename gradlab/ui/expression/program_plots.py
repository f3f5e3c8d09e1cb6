"""The expression lab's plot panel: what the program drew with ``plt``, and its training curve.

A program's ``plt.plot``/``plt.scatter`` calls are recorded in ``Program.plots``
(gradlab.lang.modules); this panel draws them in one figure, with the program's
``plt.title/xlabel/ylabel``.  A program that called ``backward()`` more than once is
a training run: a second plot shows the loss at each call (``Program.losses``).
With neither, the panel says so in one line and takes no room.

A long plot draws as fast as a short one: a line is downsampled to the view's width (each
pixel column keeps its lowest and highest point, so no peak is lost) and clipped to the
view; a scatter draws at most MAX_SCATTER_POINTS points, evenly spread over its points in
order, and a line under the figure (``figureNote``) states how many of how many it shows.
"""

from __future__ import annotations

import html
import operator

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gradlab.expr import Plot, Program
from gradlab.ui.common.plots import CENTRAL, CURVE, MARKER, SECANT, TANGENT, _LightPlot, _pen, _set_finite
from gradlab.ui.common.text import elide, note_label

__all__ = ["ProgramPlots", "EMPTY_TEXT"]

EMPTY_TEXT = "No plots: plt.plot(...) or a loop calling backward() draws here."
#: the colours a figure cycles through, as matplotlib's do (the probe plots' palette)
CYCLE = (CURVE, TANGENT, SECANT, CENTRAL, MARKER)
#: matplotlib's one-letter colours in a format string ('r--', 'bo')
LETTERS = {"b": "#1f5fa8", "g": "#2e8b57", "r": "#c0392b", "c": "#1b9aaa", "m": "#8e44ad",
           "y": "#c9a227", "k": "#222222", "w": "#dddddd"}
#: matplotlib markers -> pyqtgraph symbols
MARKERS = {"o": "o", ".": "o", "s": "s", "^": "t1", "v": "t", "x": "x", "+": "+", "*": "star",
           "d": "d", "D": "d"}
DASHES = {"--": Qt.PenStyle.DashLine, ":": Qt.PenStyle.DotLine, "-.": Qt.PenStyle.DashDotLine,
          "-": Qt.PenStyle.SolidLine}
LABEL_CHARS = 60
#: a title sets the plot's minimum width (pyqtgraph sizes it to its text): short enough for the
#: editor's column
TITLE_CHARS = 34
LEGEND_CHARS = 16  # two columns of them side by side
#: most points one scatter draws (a million take seconds to paint; these, a few milliseconds)
MAX_SCATTER_POINTS = 20_000

Curve = tuple[str, dict, np.ndarray, np.ndarray]  # legend name ("" for none), style, xs, ys


def shown_points(kind: str, count: int) -> np.ndarray | None:
    """The indices of the points a plot of ``count`` points draws; None: all of them.

    A scatter of more than MAX_SCATTER_POINTS draws that many, evenly spread from the first
    point to the last; a line draws all (pyqtgraph downsamples it to the view, see _Figure)."""
    if kind != "scatter" or count <= MAX_SCATTER_POINTS:
        return None
    return np.linspace(0, count - 1, MAX_SCATTER_POINTS).round().astype(np.intp)


def thinned_note(counts: list[tuple[int, int]]) -> str:
    """The figure's note for scatters drawn in part: (plot number from 1, its points) each."""
    return "; ".join(
        f"plot {k}: showing {MAX_SCATTER_POINTS:,} of {n:,} points" for k, n in counts
    )


def parse_fmt(fmt: str) -> tuple[str | None, str | None, Qt.PenStyle | None]:
    """A matplotlib format string ('ro--', 'b', 'o') as (colour, symbol, line style); None where
    the string says nothing (a marker alone means no line, as in matplotlib)."""
    colour = symbol = dash = None
    rest = fmt
    for text in ("--", "-.", "-", ":"):
        if text in rest:
            dash, rest = DASHES[text], rest.replace(text, "", 1)
            break
    for ch in rest:
        if ch in LETTERS and colour is None:
            colour = LETTERS[ch]
        elif ch in MARKERS and symbol is None:
            symbol = MARKERS[ch]
    return colour, symbol, dash


def _colour(plot: Plot, fmt_colour: str | None, k: int) -> QColor:
    """``color=`` if Qt can read it ('red', '#ff0000', 'r'), else the format's, else the cycle's."""
    given = plot.style.get("color", plot.style.get("c"))
    if isinstance(given, str) and given:
        colour = QColor(LETTERS.get(given, given))
        if colour.isValid():
            return colour
    return QColor(fmt_colour or CYCLE[k % len(CYCLE)])


class _Figure(_LightPlot):
    """One pyqtgraph plot with a legend below; ``draw`` replaces what it shows."""

    def __init__(self, name: str, tip: str) -> None:
        super().__init__()
        self.plot_widget.setObjectName(name)
        self.setToolTip(tip)
        self.items: list = []
        self.note = note_label("", "figureNote")  # a scatter drawn in part: how much of it
        self.note.setContentsMargins(4, 0, 4, 0)
        self.layout().addWidget(self.note)
        self.note.hide()

    def draw(self, curves: list[Curve], title: str, x: str, y: str, note: str = "") -> None:
        """Show ``curves`` (name, pyqtgraph style, xs, ys) under ``title`` with these axis labels,
        and ``note`` under them if there is one.  Each curve is downsampled to the view's width
        (its peaks kept) and clipped to it, so a million points draw as fast as a thousand."""
        self.note.setText(note)
        self.note.setVisible(bool(note))
        for item in self.items:
            self.plot.removeItem(item)
        self.legend.clear()
        self.items = []
        for name, style, xs, ys in curves:
            item = self.plot.plot(**style)
            item.setDownsampling(auto=True, method="peak")  # before its data: drawn once
            item.setClipToView(True)
            _set_finite(item, xs, ys)
            self.items.append(item)
            if name:
                self.legend.addItem(item, html.escape(elide(name, LEGEND_CHARS)))
        # pyqtgraph's titles and axis labels are HTML: the program's text is escaped
        self.plot.setTitle(html.escape(elide(title, TITLE_CHARS)) if title else None, color="#333333",
                           size="9pt")
        self.set_axis_labels(html.escape(elide(x, LABEL_CHARS)), html.escape(elide(y, LABEL_CHARS)))
        self.plot.enableAutoRange()


class ProgramPlots(QWidget):
    """The program's figure (objectName ``programFigure``) and training curve (``trainingPlot``),
    or a one-line note (``plotsEmpty``) when it drew neither.

    Each figure is made when first shown (or asked for): a pyqtgraph plot costs tens of
    milliseconds to build, and most programs draw nothing, so a window that never plots never
    pays for them (as the inspector builds its plots when a node is first selected)."""

    #: each figure's plot name, its tooltip and its place in the panel (under the note)
    FIGURES = {"programFigure": ("What the program drew with plt.plot and plt.scatter", 1),
               "trainingPlot": ("A training run: the loss at each backward() call.\n"
                                "The graph shows the last one.", 2)}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("programPlots")
        self.empty = note_label(EMPTY_TEXT, "plotsEmpty")
        self.empty.setContentsMargins(4, 2, 4, 2)
        self._figures: dict[str, _Figure] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.empty)
        self.curve_count = 0  # curves in the figure
        self.loss_points = 0  # points on the training curve
        self.show_program(None)

    def _figure(self, name: str) -> _Figure:
        """The figure called ``name``, made (hidden, in its place) on first use."""
        if name not in self._figures:
            tip, place = self.FIGURES[name]
            figure = _Figure(name, tip)
            figure.hide()
            self.layout().insertWidget(sum(self.FIGURES[f][1] < place for f in self._figures) + 1, figure)
            self._figures[name] = figure
        return self._figures[name]

    figure = property(lambda self: self._figure("programFigure"))
    training = property(lambda self: self._figure("trainingPlot"))

    def _show_figure(self, name: str, shown: bool) -> None:
        if shown or name in self._figures:  # an unbuilt figure is hidden already
            self._figure(name).setVisible(shown)

    def has_plots(self) -> bool:
        return bool(self.curve_count or self.loss_points)

    def show_program(self, program: Program | None) -> None:
        """Draw ``program``'s plots and training curve (None: nothing)."""
        plots = program.plots if program is not None else []
        losses = program.losses if program is not None else []
        self.curve_count = len(plots)
        self.loss_points = len(losses) if len(losses) > 1 else 0
        if plots:
            labels = program.plot_labels
            thinned = [(k + 1, len(p.x)) for k, p in enumerate(plots)
                       if shown_points(p.kind, len(p.x)) is not None]
            self.figure.draw([self._curve(p, k) for k, p in enumerate(plots)], labels.get("title", ""),
                             labels.get("xlabel", ""), labels.get("ylabel", ""), thinned_note(thinned))
        if self.loss_points:
            steps = np.arange(1, len(losses) + 1, dtype=float)
            style = {"pen": _pen(CURVE), "symbol": "o", "symbolSize": 5, "symbolBrush": CURVE,
                     "symbolPen": None}
            self.training.draw([("", style, steps, np.asarray(losses, dtype=float))],
                               f"Loss at each backward(): {len(losses)} calls",
                               "backward() call", "loss")
        self._show_figure("programFigure", bool(plots))
        self._show_figure("trainingPlot", bool(self.loss_points))
        self.empty.setVisible(not self.has_plots())

    @staticmethod
    def _curve(plot: Plot, k: int) -> Curve:
        fmt_colour, symbol, dash = parse_fmt(plot.fmt)
        colour = _colour(plot, fmt_colour, k)
        if plot.kind == "scatter":
            symbol, dash = symbol or "o", None
            line = False
        else:
            line = dash is not None or symbol is None  # 'o' alone: markers without a line
        style: dict = {"pen": _pen(colour, 2, dash or Qt.PenStyle.SolidLine) if line else None}
        if symbol:
            style.update(symbol=symbol, symbolSize=7, symbolBrush=colour, symbolPen=None)
        shown = shown_points(plot.kind, len(plot.x))
        if shown is None:  # fromiter: a third faster than asarray for a long list of floats
            xs, ys = (np.fromiter(v, float, len(v)) for v in (plot.x, plot.y))
        else:  # only the points it shows are read
            pick = operator.itemgetter(*shown.tolist())
            xs, ys = (np.array(pick(v), dtype=float) for v in (plot.x, plot.y))
        return plot.label, style, xs, ys
