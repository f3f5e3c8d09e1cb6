"""What a run leaves behind: the Program record the CLI and the expression lab read."""

from __future__ import annotations

from dataclasses import dataclass, field

from gradlab.engine import Value


@dataclass
class Plot:
    """One ``plt.plot`` or ``plt.scatter`` call: ``kind`` is 'line' or 'scatter'.

    ``x`` and ``y`` are plain floats of equal length (``plt.plot(ys)`` gets x = 0, 1, ...);
    ``fmt`` is the format string if one was given (``'o-'``), ``label`` its ``label=``;
    ``style`` the other keyword arguments as given (numbers, text, or lists of numbers
    such as a scatter's ``c=``), for a view to honour or ignore.
    """

    kind: str
    x: list[float]
    y: list[float]
    label: str = ""
    fmt: str = ""
    style: dict[str, object] = field(default_factory=dict)


@dataclass
class CallInfo:
    """One call of a program's own function or method that made part of the graph shown:
    ``label`` as the learner would write it (``n.layers[0].neurons[2](x)``), ``parent`` the
    enclosing call's number in ``Program.calls`` (-1: none), ``line`` where the call is written."""

    label: str
    parent: int = -1
    line: int = 0


@dataclass
class Program:
    """What running a program left behind.

    ``values``: name -> final Value bound to it at the top level (labelled with the name unless it
    had a label); gradlab Values only.
    ``output``: the Value the graph shows: the one passed to ``draw_dot(x)`` last; else the Value
    ``.backward()`` was last called on; else the last Value assigned at the top level.  A Value made
    by a class the program defines (the lecture's own ``Value``: anything with ``data`` and
    ``_prev``) is shown as a copy made of gradlab Values at the end of the run, with its data,
    grad, ``_op`` and ``label``, and ``mirrored`` is true: such a copy has no backward rules, so
    the app must neither recompute nor backprop it.
    ``printed``: the lines ``print`` wrote.
    ``inputs``: names whose final Value is a leaf, in order of first assignment, one name per
    Value (``b = a`` lists only ``a``): what the UI gives a slider.
    ``backward_called``: the program called ``backward()`` (on any Value).
    ``gradients_touched``: the program called ``backward()`` or ``_backward()`` or set a ``.grad``
    of a gradlab Value: the gradients the graph shows are the program's, to be shown as they are.
    When false, gradients the app computes for its own views are its own, not the program's.
    ``node_count``: gradlab Values the program created.
    ``lines``: name -> line of its last top-level assignment (every variable, numbers too).
    ``bindings``: every top-level assignment of a gradlab Value to a name, in order:
    (name, Value, line); a name reused for a new Value appears once per Value.
    ``plots``: what ``plt.plot``/``plt.scatter`` recorded, in call order; ``plot_labels`` the
    ``plt.title/xlabel/ylabel`` texts by those names.
    ``losses``: the output's ``data`` at each ``backward()`` call, in order: a program whose loop
    calls ``backward()`` repeatedly is a training run, and these are its loss curve.
    ``notes``: what the app says wherever the run's results show, apart from what the program
    printed (``import torch``: that torch here is gradlab's stand-in).
    ``straight_line``: the program has no loop, branch, function, class or comprehension, so its
    graph is the same whatever its inputs: moving an input may recompute the graph in place.
    When false, a new input value means running the program again.
    ``trained``: each ``MLP`` among the top-level names with the points that fit it, as plain
    data (gradlab.lang.trained): what the network lab needs to open it.
    ``calls``: the calls of the program's own functions and methods that made the output's
    graph, outermost first (gradlab.lang.call_records); ``call_of``: id(Value) -> the number
    of the innermost call that made it, for the Values of the output's graph made in one.
    """

    source: str
    values: dict[str, Value] = field(default_factory=dict)
    output: Value | None = None
    printed: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    backward_called: bool = False
    node_count: int = 0
    lines: dict[str, int] = field(default_factory=dict)
    gradients_touched: bool = False
    mirrored: bool = False
    plots: list[Plot] = field(default_factory=list)
    plot_labels: dict[str, str] = field(default_factory=dict)
    losses: list[float] = field(default_factory=list)
    straight_line: bool = True
    bindings: list[tuple[str, Value, int]] = field(default_factory=list)
    trained: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    calls: list[CallInfo] = field(default_factory=list)
    call_of: dict[int, int] = field(default_factory=dict)

    def console_lines(self) -> list[str]:
        """What a console shows of the run (the expression lab's, ``gradlab run``'s): its notes,
        each marked as gradlab's, then what the program printed."""
        return [f"note: {note}" for note in self.notes] + self.printed
