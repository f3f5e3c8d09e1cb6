"""The network lab's "Show as a program" (``showAsProgramButton``): offered while a point is traced,
it hands the point's graph to the expression lab as a program that gives the same numbers."""

from __future__ import annotations

from PySide6.QtCore import Qt

from gradlab.expr import run_program
from gradlab.graph import GraphModel

LEFT = Qt.MouseButton.LeftButton


def test_the_button_shows_while_a_point_is_traced_and_hands_over_its_program(qtbot, network_lab):
    button = network_lab.show_program_button
    assert button.objectName() == "showAsProgramButton" and not button.isVisible()
    network_lab.model.step(3)
    network_lab.model.select_point(5)
    assert button.isVisible()
    with qtbot.waitSignal(network_lab.program_requested) as asked:
        qtbot.mouseClick(button, LEFT)
    program = run_program(asked.args[0])
    traced = network_lab.trace.graph
    assert program.output.data == traced.output.data
    ran = GraphModel(program.output)
    grads = {v.label: v.grad for v in ran.values}
    for v, role in zip(traced.values, traced.roles, strict=True):
        if role == "parameter":
            assert grads[v.label] == v.grad, v.label
    network_lab.model.select_point(-1)
    assert not button.isVisible()


def test_a_network_too_big_to_trace_offers_no_program(qtbot, network_lab):
    network_lab.model.edit_config({"layers": (64, 64)})  # 4,400 parameters: past the trace's limit
    network_lab.model.select_point(1)
    assert "too many to draw live" in network_lab.point_caption.text()
    assert not network_lab.show_program_button.isVisible()
