"""Every built-in lesson walked to the end as a learner walks it: answers typed into the panel and
checked, nodes clicked on the graph, h moved with the probe's slider, numbers typed in the input
boxes, backprop stepped, the program edited, the network trained with the lab's own buttons.

A learner's moves are written per lesson in SCRIPTS, one list per step; nothing reaches into a
model to make a step done: every step turns done through the widgets, or the test fails.

``GRADLAB_WALK_SHOTS=DIR`` (and ``GRADLAB_WALK_SIZE=1280x720``) saves the window after each step's
moves as DIR/<lesson>-<step>.png, to look at the course as a learner sees it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QAbstractButton, QAbstractSlider, QComboBox, QLabel, QLineEdit, QWidget

from gradlab.lessons import builtin
from gradlab.ui.lessons import COMPLETE_TEXT

LEFT = Qt.MouseButton.LeftButton
#: how long a learner's move may take to show (a program's run, training to an accuracy)
RUN_MS, TRAIN_MS = 15_000, 90_000


class Learner:
    """A learner at the window: each method is one thing a learner does with mouse and keys."""

    def __init__(self, qtbot, window) -> None:
        self.qtbot, self.window = qtbot, window
        self.lab = window.expression_lab
        self.model = window.expression_lab.model

    # -- the panel --------------------------------------------------------------------------------

    def widget(self, name: str, kind=QWidget, parent=None):
        found = (parent or self.window).findChild(kind, name)
        assert found is not None, f"no {name} in the window"
        return found

    def feedback(self) -> str:
        return self.widget("lessonFeedback", QLabel).text()

    def answer(self, text: str) -> None:
        """Type ``text`` into the answer field and press Check: the panel must say it is right."""
        field = self.widget("lessonAnswerInput", QLineEdit)
        field.clear()
        self.qtbot.keyClicks(field, text)
        self.qtbot.mouseClick(self.widget("lessonCheckButton", QAbstractButton), LEFT)
        assert self.feedback().startswith("Right"), f"{text!r} was not accepted: {self.feedback()}"

    def next_button(self) -> QAbstractButton:
        return self.widget("lessonNextButton", QAbstractButton)

    # -- the expression lab -----------------------------------------------------------------------

    def settled(self) -> bool:
        m = self.model
        return m.graph is not None and not m.run_in_flight() and not m.rerun_pending()

    def click_node(self, label: str) -> None:
        """Click the node ``label`` on the graph canvas."""
        self.qtbot.waitUntil(self.settled, timeout=RUN_MS)
        index = self.model.graph.find(label)
        assert index is not None, f"no node {label!r} in the graph"
        canvas = self.lab.canvas
        with self.qtbot.waitSignal(self.model.selection_changed, timeout=RUN_MS):
            self.qtbot.mouseClick(canvas.viewport_widget(), LEFT, pos=canvas.view_pos_of(index))
        assert self.model.graph.names[self.model.selected] == label

    def page_h_down(self, decades: int) -> None:
        """Move the probe's step slider ``decades`` pages (a decade each) towards a smaller h."""
        slider = self.widget("stepSizeInput", QAbstractSlider)
        for _ in range(decades):
            self.qtbot.keyClick(slider, Qt.Key.Key_PageDown)

    def type_value(self, name: str, value: str) -> None:
        """Type ``value`` in the number box beside input ``name``'s slider and press Enter."""
        self.qtbot.waitUntil(self.settled, timeout=RUN_MS)
        box = self.widget(f"value_{name}", QLineEdit)
        box.selectAll()
        self.qtbot.keyClicks(box, value)
        self.qtbot.keyClick(box, Qt.Key.Key_Return)

    def press(self, name: str, times: int = 1, parent=None) -> None:
        button = self.widget(name, QAbstractButton, parent)
        for _ in range(times):
            assert button.isEnabled(), f"{name} is disabled"
            self.qtbot.mouseClick(button, LEFT)

    def edit(self, anchor: str, typed: str, at_start_of_line: bool = False, replace: str = "",
             offset: int | None = None) -> None:
        """Put the editor's cursor at the end of ``anchor`` (or ``offset`` characters into it, or at
        its line's start), select ``replace`` right after it if given, and type ``typed`` (Enter
        for each newline)."""
        self.qtbot.waitUntil(self.settled, timeout=RUN_MS)
        editor = self.lab.editor
        text = editor.toPlainText()
        at = text.index(anchor) + (0 if at_start_of_line else len(anchor) if offset is None else offset)
        if at_start_of_line:
            at = text.rfind("\n", 0, at) + 1
        cursor = editor.textCursor()
        cursor.setPosition(at)
        if replace:
            assert text[at:at + len(replace)] == replace
            cursor.setPosition(at + len(replace), QTextCursor.MoveMode.KeepAnchor)
        editor.setTextCursor(cursor)
        editor.setFocus()
        for k, line in enumerate(typed.split("\n")):
            if k:
                self.qtbot.keyClick(editor, Qt.Key.Key_Return)
            self.qtbot.keyClicks(editor, line)

    def read_best_h(self) -> str:
        """What the line under the Error vs h plot names as the forward difference's best h."""
        self.qtbot.waitUntil(lambda: "forward" in self.widget("probeBestH", QLabel).text(), timeout=RUN_MS)
        return re.search(r"h ≈ (\S+) \(forward\)", self.widget("probeBestH", QLabel).text()).group(1)

    # -- the network lab --------------------------------------------------------------------------

    @property
    def network(self):
        return self.window.network_tab.lab

    def top_speed(self) -> None:
        """Pick "top speed" in the speed box by typing its first letter, as a learner in a hurry
        does: as many steps a frame as fit in its time budget (the lessons' numbers do not
        depend on the speed, only how long the learner waits for them)."""
        combo = self.widget("speedCombo", QComboBox, self.network)
        combo.setFocus()
        self.qtbot.keyClicks(combo, "t")
        assert combo.currentData() == 0, combo.currentText()

    def train_until_done(self) -> None:
        """Press Play at top speed, wait until the step is done, press Play again to pause."""
        self.top_speed()
        play = self.widget("playButton", QAbstractButton, self.network)
        self.qtbot.mouseClick(play, LEFT)
        self.qtbot.waitUntil(self.next_or_complete, timeout=TRAIN_MS)
        if self.network.model.running:
            self.qtbot.mouseClick(play, LEFT)

    def set_learning_rate(self, value: str) -> None:
        box = self.widget("learningRateInput", QWidget, self.network)
        line = box.lineEdit()
        line.selectAll()
        self.qtbot.keyClicks(line, value)
        self.qtbot.keyClick(line, Qt.Key.Key_Return)
        self.qtbot.waitUntil(lambda: self.network.model.cfg.learning_rate == float(value))

    def diverged_step(self) -> str:
        """The step the divergence banner names."""
        banner = self.widget("divergenceBanner", QWidget, self.network)
        self.qtbot.waitUntil(banner.isVisible, timeout=TRAIN_MS)
        text = " ".join(label.text() for label in banner.findChildren(QLabel))
        return re.search(r"diverged at step (\d+)", text).group(1)

    def next_or_complete(self) -> bool:
        return self.next_button().isEnabled() or COMPLETE_TEXT in self.feedback()


Move = Callable[[Learner], None]


def answer(text: str) -> Move:
    return lambda t: t.answer(text)


def click(label: str) -> Move:
    return lambda t: t.click_node(label)


def value(name: str, typed: str) -> Move:
    return lambda t: t.type_value(name, typed)


def press(name: str, times: int = 1) -> Move:
    return lambda t: t.press(name, times)


READ: list[Move] = []  # a step to read: Next makes it done

SCRIPTS: dict[str, list[list[Move]]] = {
    "01-derivative": [
        [answer("20")], [click("x")], [answer("14.003")], [answer("14.0003")],
        [lambda t: t.page_h_down(1)],  # 1e-3 -> 1e-4
        [lambda t: t.page_h_down(8)],  # -> 1e-12, the slider's end
        [lambda t: t.answer(t.read_best_h())],  # the number the line under the plot names
        [answer("-22")], [value("x", "-3")], [answer("0.6667")], [value("x", "0.6667")],
    ],
    "02-several-inputs": [
        [answer("4")], [answer("-3")], [click("a")], [answer("2")], [click("b")], [answer("1")],
        [click("c")], [answer("1")], [value("a", "3")],
    ],
    "03-chain-rule": [
        [answer("-8")], [answer("-2")], [answer("4")], [answer("-2")], [answer("6")], [click("a")],
        [answer("-4")], [press("ascendButton")], [answer("2.06")],
    ],
    "04-backprop-by-hand": [
        [answer("1")], [press("backpropStepButton", 2)], [answer("-2")],
        [press("backpropStepButton")], [answer("6")], [press("backpropStepButton")], [answer("0")],
        [lambda t: t.edit("L._backward()", "\nd._backward()")],
    ],
    "05-neuron": [
        [answer("0.8814")], [answer("0.5")], [click("n")], [answer("1")], [answer("0")], [click("w2")],
        [value("b", "10")], [answer("0.0013")],
    ],
    "06-a-plus-a": [
        [answer("2")], [click("a")], [answer("1")],
        [lambda t: t.edit("self.grad = 1.0", "+", offset=len("self.grad ")),
         lambda t: t.edit("other.grad = 1.0", "+", offset=len("other.grad "))],
        [answer("-3")], [click("a")],
    ],
    "07-tanh-from-exp": [
        [answer("5.83")], [answer("0.5")], [click("n")], [answer("1")], [click("w1")],
    ],
    "08-mlp-forward": [
        [answer("41")], [click("o")], [answer("4")], [click("loss")], [answer("5.83")],
    ],
    "09-training-loop": [
        [answer("-0.01")], [lambda t: t.edit("range(", "50", replace="20")], [answer("1.5")],
        [lambda t: t.edit("loss.backward()", "    n.zero_grad()\n", at_start_of_line=True)],
    ],
    "10-network-lab": [
        [answer("337")], [lambda t: t.train_until_done()], READ,
        [lambda t: t.press("playButton", parent=t.network)],
        [lambda t: t.answer(t.diverged_step())],
        [lambda t: t.set_learning_rate("1"), lambda t: t.press("resetButton", parent=t.network),
         lambda t: t.train_until_done()],
    ],
    "11-three-classes": [
        [answer("371")], [answer("0.33")], [lambda t: t.train_until_done()], READ,
    ],
    "12-curve-fit": [
        [answer("321")], [answer("0.5")], [lambda t: t.train_until_done()],
        [lambda t: t.train_until_done()], READ,
    ],
}

LESSONS = {lesson.name: lesson for lesson in builtin()}


def test_every_built_in_lesson_has_a_walk():
    assert sorted(SCRIPTS) == sorted(LESSONS)
    for name, script in SCRIPTS.items():
        assert len(script) == len(LESSONS[name].steps), f"{name}: one list of moves per step"


def _open(t: Learner, name: str) -> None:
    lesson = LESSONS[name]
    if lesson.steps[0].program is not None:
        with t.qtbot.waitSignal(t.model.run_finished, timeout=RUN_MS):
            t.window.lessons.open_lesson(lesson)
    else:
        t.window.lessons.open_lesson(lesson)
    assert t.widget("lessonPanel").isVisible()


def _next(t: Learner, lesson, k: int) -> None:
    """Press Next after step ``k`` (0-based); wait for the next step's program to run."""
    following = lesson.steps[k + 1]
    if following.program is not None:
        with t.qtbot.waitSignal(t.model.run_finished, timeout=RUN_MS):
            t.qtbot.mouseClick(t.next_button(), LEFT)
    else:
        t.qtbot.mouseClick(t.next_button(), LEFT)
    assert t.widget("lessonProgress", QLabel).text() == f"step {k + 2} of {len(lesson.steps)}"


def _shot(window, name: str, k: int) -> None:
    """The window after step ``k``'s moves, when GRADLAB_WALK_SHOTS names a folder."""
    folder = os.environ.get("GRADLAB_WALK_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        window.grab().save(str(Path(folder) / f"{name}-{k + 1:02d}.png"))


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_a_learner_walks_the_lesson_to_the_end(qtbot, window, name):
    t = Learner(qtbot, window)
    lesson = LESSONS[name]
    size = os.environ.get("GRADLAB_WALK_SIZE")
    if size:
        window.resize(*map(int, size.split("x")))
    _open(t, name)
    for k, moves in enumerate(SCRIPTS[name]):
        step = lesson.steps[k]
        qtbot.waitUntil(lambda step=step: set(window.lessons.highlighter.names()) == set(step.highlight))
        if step.ask is not None or step.done_when is not None:
            window.lessons.check_now()  # what the guide does at the next turn of the event loop
            assert not t.next_button().isEnabled(), f"{name} step {k + 1} is done before the learner acts"
        for move in moves:
            move(t)
        last = k == len(lesson.steps) - 1
        if last and step.plain:
            qtbot.mouseClick(t.next_button(), LEFT)  # Finish
        slow = step.network is not None or "accuracy" in (step.done_when or "")
        try:
            qtbot.waitUntil(t.next_or_complete, timeout=TRAIN_MS if slow else RUN_MS)
        except qtbot.TimeoutError:
            state = window.lessons.lab_state()
            pytest.fail(f"{name} step {k + 1} is not done after the learner's moves: "
                        f"{t.feedback()!r}; the labs show {state}")
        _shot(window, name, k)
        if not last:
            _next(t, lesson, k)
    qtbot.waitUntil(lambda: COMPLETE_TEXT in t.feedback())
    assert window.lessons.progress.complete()
