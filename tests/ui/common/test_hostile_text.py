"""Text from a program is text: long labels are cut, HTML in labels shows literally (issue 6, item 7)."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from gradlab.app import build_window
from gradlab.ui.common.text import ELLIPSIS, NAME_CHARS, ZWSP, breakable, elide, tip

LONG = "W" * 290_000


@pytest.fixture
def window(qtbot):
    w = build_window(["--size", "1400x850"])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_elide_cuts_with_an_ellipsis():
    assert elide("abc") == "abc"
    assert elide("x" * NAME_CHARS) == "x" * NAME_CHARS
    cut = elide("x" * (NAME_CHARS + 1))
    assert len(cut) == NAME_CHARS and cut.endswith(ELLIPSIS)
    assert elide("abcdef", 4) == "abc" + ELLIPSIS


def test_breakable_puts_break_chances_into_long_words_only():
    assert breakable("a short name") == "a short name"
    cut = breakable("W" * 30)
    assert cut.replace(ZWSP, "") == "W" * 30 and cut.count(ZWSP) == 2


def test_tip_shows_html_literally():
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(tip("<img src='/etc/passwd'>\nnext"))
    assert doc.toPlainText() == "<img src='/etc/passwd'>\nnext"


def _labels_text(widget) -> list[str]:
    return [label.text() for label in widget.findChildren(QLabel) if label.isVisible()]


def test_selecting_a_290000_character_label_is_quick_and_cut(window, qtbot):
    lab = window.expression_lab
    lab.load_source(f"a = Value(2.0, label='{LONG}')\nb = a * 3\n")
    model = lab.model
    start = time.perf_counter()
    model.select(model.graph.find(LONG))
    lab.canvas.fit()
    window.repaint()
    image = window.grab()
    elapsed = time.perf_counter() - start
    assert not image.isNull()
    assert elapsed < 1.0, f"selecting and painting took {elapsed:.2f} s"
    texts = _labels_text(window) + [b.text() for b in window.findChildren(QPushButton)]
    assert all(len(t) < 400 for t in texts), max(texts, key=len)[:60]
    assert lab.inspector.node_label.text().replace(ZWSP, "") == elide(LONG)
    # nothing in the inspector is wider than its panel: the name wraps instead
    inspector = lab.inspector
    for label in inspector.findChildren(QLabel):
        if label.isVisible():
            assert label.minimumSizeHint().width() <= inspector.width(), label.objectName()
    assert len(lab.canvas.label_text(model.selected).splitlines()[0]) <= NAME_CHARS
    assert len(window.statusBar().currentMessage()) < 400


def test_an_html_label_shows_literally(window, qtbot):
    lab = window.expression_lab
    name = "<img src='/etc/hosts'><b>x</b>"
    lab.load_source(f"a = Value(2.0, label=\"{name}\")\nout = a * 3\n")
    model = lab.model
    model.select(model.graph.find(name))
    inspector = lab.inspector
    assert inspector.node_label.text().replace(ZWSP, "") == name
    from PySide6.QtCore import Qt

    for label in inspector.findChildren(QLabel):
        if name in label.text().replace(ZWSP, ""):
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    # the sentence is rich text (bold names), so the name in it is escaped
    sentence = inspector.sentence.text()
    assert "&lt;img" in sentence and "<img" not in sentence
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(sentence)
    assert name in doc.toPlainText().replace(ZWSP, "")
    # the response plot's axis label is HTML in pyqtgraph: escaped there too
    axis = inspector.response_plot.plot.getAxis("bottom").labelText
    assert "<img" not in axis


def test_a_long_output_name_is_cut_in_the_output_label(window):
    lab = window.expression_lab
    lab.load_source(f"a = Value(2.0)\nb = a * 3\nb.label = '{'Z' * 5000}'\n")
    assert len(lab.output_label.text()) < 80
    assert lab.output_label.textFormat().name == "PlainText"


def test_select_option_with_an_unknown_long_name_is_cut(qtbot):
    with pytest.raises(SystemExit) as info:
        build_window(["--select", "Q" * 10_000])
    assert len(str(info.value)) < 200


def test_an_error_naming_a_long_name_does_not_widen_the_editor(window):
    lab = window.expression_lab
    editor_width = lab.editor.width()
    lab.load_source(f"b = {'W' * 5000} * 2\n")
    assert lab.error_label.isVisible()
    text = lab.error_label.text().replace(ZWSP, "")
    assert "not defined" in text or "W" in text
    assert len(text) < 400
    assert lab.error_label.minimumSizeHint().width() < 400
    window.repaint()
    assert lab.editor.width() <= editor_width + 5


def test_big_loads_do_not_pile_up_in_the_editor(window, monkeypatch):
    """Qt keeps every replaced character while undo is on: past a budget, a load starts afresh."""
    from gradlab.ui.expression import lab as expression_lab

    monkeypatch.setattr(expression_lab, "UNDO_TEXT_BUDGET", 100_000)
    lab = window.expression_lab
    lab.load_source("mine = Value(7.0)\n")
    window.open_example("lecture")
    lab.editor.undo()  # small loads: undoable
    assert lab.editor.toPlainText() == "mine = Value(7.0)\n"
    big = "a = Value(1.0)\n" + "# filler\n" * 6000
    for _ in range(3):
        lab.load_source(big)
    assert lab._replaced_chars < 100_000
    assert lab.editor.toPlainText() == big
    assert lab.model.graph.output.data == 1.0
