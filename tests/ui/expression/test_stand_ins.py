"""The lecture's PyTorch cell and a lecture-style graphviz program pasted into the expression
lab: the console says torch is gradlab's stand-in, then prints what PyTorch printed; the graphs show."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gradlab.lang.torch_stub import NOTE

STAND_INS = Path(__file__).parents[2] / "lecture_corpus" / "stand_ins"


def paste(qtbot, expression_lab, text: str) -> None:
    """Paste ``text`` into the editor as a learner would, and wait for the run."""
    QApplication.clipboard().setText(text)
    expression_lab.editor.setFocus()
    with qtbot.waitSignal(expression_lab.model.program_changed, timeout=10000):
        qtbot.keyClick(expression_lab.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_the_pytorch_cell_says_it_ran_on_the_stand_in(qtbot, expression_lab):
    paste(qtbot, expression_lab, (STAND_INS / "lecture_torch.ipy").read_text(encoding="utf-8"))
    lines = expression_lab.console.toPlainText().splitlines()
    recorded = (STAND_INS / "lecture_torch.out").read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"note: {NOTE}" and lines[1:] == recorded
    graph = expression_lab.model.graph
    assert graph is not None and graph.find("o") is not None and graph.find("w1") is not None
    assert expression_lab.output_label.text().startswith("o = 0.7071")


def test_a_lecture_style_draw_dot_shows_its_graph(qtbot, expression_lab):
    source = (STAND_INS.parent / "lecture_draw_dot.ipy").read_text(encoding="utf-8")
    paste(qtbot, expression_lab, source.replace("\ndraw_dot(o)\n", "\ndraw_dot(n)\n"))
    assert expression_lab.console.toPlainText().splitlines()[0] == "Value(?: 5.0000)"  # no note
    assert expression_lab.model.program.mirrored
    assert expression_lab.output_label.text().startswith("n = 0.5")
