"""A notebook pasted whole into the expression lab, as a learner pastes one: the corpus's
notebook-shaped programs (tests/lecture_corpus/notebook_*.ipy, written in the order of the
lecture's two notebooks) print in the console what CPython prints, and the graph shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_lecture_corpus import reference_output, same_line

from gradlab.lang.torch_stub import NOTE

CORPUS = Path(__file__).parents[2] / "lecture_corpus"


def paste_and_run(qtbot, lab, text: str) -> list[str]:
    """Paste ``text`` over the editor with Ctrl+V, wait for the run to end; the console's lines."""
    QApplication.clipboard().setText(text)
    lab.editor.setFocus()
    with qtbot.waitSignal(lab.model.run_finished, timeout=90000):
        qtbot.keyClick(lab.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert lab.model.error is None, f"the run stopped: {lab.model.error}"
    return lab.console.toPlainText().splitlines()


@pytest.mark.parametrize("name", ["notebook_first_half", "notebook_second_half"])
def test_a_notebook_pasted_whole_prints_what_python_prints(qtbot, expression_lab, name):
    path = CORPUS / f"{name}.ipy"
    lines = paste_and_run(qtbot, expression_lab, path.read_text(encoding="utf-8"))
    if name == "notebook_second_half":  # the torch cell: the console says whose torch ran
        assert lines[0] == f"note: {NOTE}"
        lines = lines[1:]
    theirs = reference_output(path)
    assert len(lines) == len(theirs), (lines, theirs)
    for i, (ours, python) in enumerate(zip(lines, theirs, strict=True)):
        assert same_line(ours, python), f"console line {i + 1}:\n gradlab: {ours}\n python:  {python}"
    graph = expression_lab.model.graph
    assert graph is not None
    if name == "notebook_first_half":  # it ends by drawing g = d * e
        assert graph.find("g") is not None and expression_lab.output_label.text().startswith("g = ")
    else:  # the graph is the training loop's last loss: the Value backward() was last called on
        program = expression_lab.model.program
        assert program.notes == [NOTE] and program.output.data == pytest.approx(program.losses[-1])
        assert float(lines[-2].split()[1]) == pytest.approx(program.losses[-1])
